/* test-registrar-peers.c: NetSipRegistrar and NetSipRedirect against real
 * SIP peers
 *
 * A netsip-glib server on 127.0.0.1 (a dispatcher with a UDP leg and a
 * small chain: the registrar for example.com, the redirect server, and a
 * fallback answering 501 to anything both pass on):
 *
 *   /registrar-peers/sipp-register: sipp runs tests/interop/
 *     sipp-register.xml N times, one at a time (423 with Min-Expires,
 *     register, refresh, 500 for an old CSeq, query, Contact: * with
 *     Expires: 0, query), against the registrar on an SQLite store;
 *   /registrar-peers/perl: tests/interop/registrar-peers.pl: Perl
 *     Net::SIP::Simple->register registers bob, a second Net::SIP UA
 *     calls sip:bob@example.com, gets 302 from the redirect server with
 *     bob's contact, follows it to bob (200, BYE), and gets 404 for an
 *     address of record nobody registered;
 *   /registrar-peers/kill-9: a registrar on an SQLite file in a child
 *     process (this program with --serve-registrar FILE); sipp registers
 *     1000 addresses of record (tests/interop/sipp-register-many.xml),
 *     all answered 200; the child is killed with SIGKILL by its PID; a new
 *     registrar on the same file finds all 1000 bindings.
 *
 * Checked: the peer's exit status and output, sipp's -trace_stat file
 * (SuccessfulCall(C), FailedCall(C)), the registrar's and redirect's
 * counters, the store afterwards, and the 302 the server sent. Peers are
 * children on loopback, started with PR_SET_PDEATHSIG, waited for with a
 * time limit and ended by their PID (g_subprocess_force_exit) when it
 * passes. Without sipp or Perl Net::SIP the tests skip.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <glib/gstdio.h>

#include "netsip.h"
#include "child-process.h"
#include "peer-util.h"

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

#define DOMAIN       "example.com"
#define PEER_TIMEOUT 60   /* s, for any one peer run */
#define N_SIPP       10
#define N_MANY       1000

static char *sipp_path;
static char *perl_path;
static gboolean perl_has_net_sip;

/* ------------------------------------------------------------------ */
/* The server's chain (the real NetSipReceiveChain is built elsewhere) */

#define TEST_TYPE_CHAIN (test_chain_get_type ())
G_DECLARE_FINAL_TYPE (TestChain, test_chain, TEST, CHAIN, GObject)

struct _TestChain
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned */
  GPtrArray        *members;
  guint             n_passed;
};

static void test_chain_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestChain, test_chain, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_chain_iface_init))

static void
test_chain_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_CHAIN (object)->members);
  G_OBJECT_CLASS (test_chain_parent_class)->finalize (object);
}

static void
test_chain_class_init (TestChainClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_chain_finalize;
}

static void
test_chain_init (TestChain *self)
{
  self->members = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, NULL);
}

static gboolean
test_chain_receive (NetSipReceiver   *receiver,
                    NetSipMessage    *message,
                    NetSipLeg        *leg,
                    NetSipSourceInfo *source)
{
  TestChain *self = TEST_CHAIN (receiver);
  g_autoptr(NetSipResponse) response = NULL;

  for (guint i = 0; i < self->members->len; i++)
    if (net_sip_receiver_receive (g_ptr_array_index (self->members, i), message, leg, source))
      return TRUE;
  if (!net_sip_message_is_request (message) ||
      strcmp (net_sip_message_get_method (message), "ACK") == 0)
    return FALSE;
  g_test_message ("passed on by registrar and redirect: %s %s", net_sip_message_get_method (message),
                  net_sip_request_get_uri (NET_SIP_REQUEST (message)));
  self->n_passed++;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 501, "Passed On", "fallback");
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL, sent, NULL);
  return TRUE;
}

static void
test_chain_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_chain_receive;
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef struct
{
  char             *tmpdir;
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipRegistrar  *registrar;
  NetSipRedirect   *redirect;
  TestChain        *chain;
  guint             port;
  GPtrArray        *sent_302;   /* NetSipMessage */
} Fixture;

static void
on_message_sent (NetSipDispatcher   *d,
                 NetSipMessage      *message,
                 NetSipLeg          *leg,
                 GInetSocketAddress *destination,
                 NetSipTransaction  *transaction,
                 guint               attempt,
                 gint64              time_us,
                 Fixture            *f)
{
  if (!net_sip_message_is_request (message) && attempt == 0 &&
      net_sip_response_get_code (NET_SIP_RESPONSE (message)) == 302)
    g_ptr_array_add (f->sent_302, g_object_ref (message));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLocationStore) store = NULL;
  gboolean sqlite = GPOINTER_TO_INT (data);

  f->tmpdir = g_dir_make_tmp ("netsip-registrar-peers-XXXXXX", &error);
  g_assert_no_error (error);
  f->leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->port = net_sip_leg_get_port (f->leg);
  f->dispatcher = net_sip_dispatcher_new (&f->leg, 1);
  if (sqlite)
    {
      g_autofree char *path = g_build_filename (f->tmpdir, "bindings.db", NULL);
      store = NET_SIP_LOCATION_STORE (net_sip_sqlite_store_new (path, &error));
      g_assert_no_error (error);
    }
  f->registrar = net_sip_registrar_new (f->dispatcher, store);
  net_sip_registrar_set_domains (f->registrar, (const char *const[]) { DOMAIN, NULL });
  g_object_set (f->registrar, "min-expires", 60, "max-expires", 3600, NULL);
  f->redirect = net_sip_redirect_new (f->dispatcher, f->registrar);
  f->chain = g_object_new (TEST_TYPE_CHAIN, NULL);
  f->chain->dispatcher = f->dispatcher;
  g_ptr_array_add (f->chain->members, g_object_ref (f->registrar));
  g_ptr_array_add (f->chain->members, g_object_ref (f->redirect));
  net_sip_dispatcher_set_receiver (f->dispatcher, NET_SIP_RECEIVER (f->chain));
  f->sent_302 = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->dispatcher, "message-sent", G_CALLBACK (on_message_sent), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  net_sip_dispatcher_set_receiver (f->dispatcher, NULL);
  g_assert_finalize_object (f->chain);
  g_assert_finalize_object (f->redirect);
  g_assert_finalize_object (f->registrar);
  g_object_unref (f->dispatcher);
  g_clear_object (&f->leg);
  g_ptr_array_unref (f->sent_302);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  netsip_test_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
}

static guint64
counter (gpointer    object,
         const char *name)
{
  guint64 v = 0;
  g_object_get (object, name, &v, NULL);
  return v;
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

/* Runs @argv as a child in @cwd while the main loop serves us; ends it by
 * its PID after PEER_TIMEOUT s. Returns the exit status (-1 when it had to
 * be killed); @out gets its stdout. */
static int
run_peer (const char *cwd,
          GPtrArray  *argv,
          char      **out)
{
  g_ptr_array_add (argv, NULL);
  return netsip_test_child_run (NULL, cwd, (const char *const *) argv->pdata, PEER_TIMEOUT, out);
}

/* sipp running @scenario @n times, at most @limit at once, @rate per
 * second, against 127.0.0.1:@port, counters into @stat */
static void
add_sipp_args (GPtrArray  *argv,
               const char *scenario,
               guint       n,
               guint       limit,
               guint       rate,
               guint       port,
               const char *stat)
{
  g_ptr_array_add (argv, g_strdup (sipp_path));
  g_ptr_array_add (argv, g_strdup ("-sf"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, scenario, NULL));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  g_ptr_array_add (argv, g_strdup ("-mp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  g_ptr_array_add (argv, g_strdup ("-s"));
  g_ptr_array_add (argv, g_strdup ("sippuser"));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", n));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", limit));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", rate));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", PEER_TIMEOUT / 2));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-recv_timeout"));
  g_ptr_array_add (argv, g_strdup ("10000"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup (stat));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

static void
test_sipp_register (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *stat = g_build_filename (f->tmpdir, "register-stat.csv", NULL);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) left = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  /* one call at a time (-l 1): they share the address of record */
  add_sipp_args (argv, "sipp-register.xml", N_SIPP, 1, 20, f->port, stat);
  status = run_peer (f->tmpdir, argv, NULL);
  if (status != 0)
    netsip_test_log_sipp_errors (f->tmpdir);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, N_SIPP);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedCall(C)"), ==, 0);

  /* per call: 3 registrations (register, refresh, remove all), 2
   * queries, 2 refusals (423, 500) */
  g_assert_cmpuint (counter (f->registrar, "registered-requests"), ==, 3 * N_SIPP);
  g_assert_cmpuint (counter (f->registrar, "query-requests"), ==, 2 * N_SIPP);
  g_assert_cmpuint (counter (f->registrar, "rejected-requests"), ==, 2 * N_SIPP);
  g_assert_cmpuint (f->chain->n_passed, ==, 0);
  /* the last call removed everything: nothing left in the SQLite file */
  left = net_sip_location_store_list (net_sip_registrar_get_store (f->registrar), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (left->len, ==, 0);
}

/* The value after "@key " in @out's lines, or NULL */
static const char *
line_value (char      **lines,
            const char *key)
{
  gsize n = strlen (key);

  for (guint i = 0; lines[i]; i++)
    if (strncmp (lines[i], key, n) == 0 && lines[i][n] == ' ')
      return lines[i] + n + 1;
  return NULL;
}

static void
test_perl (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) bindings = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  const char *bob;
  const char *registered;
  int status;

  if (perl_path == NULL || !perl_has_net_sip)
    {
      g_test_skip ("perl with Net::SIP (Debian libnet-sip-perl) is not installed");
      return;
    }
  g_ptr_array_add (argv, g_strdup (perl_path));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "registrar-peers.pl", NULL));
  g_ptr_array_add (argv, g_strdup ("--registrar"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", f->port));
  g_ptr_array_add (argv, g_strdup ("--domain"));
  g_ptr_array_add (argv, g_strdup (DOMAIN));
  g_ptr_array_add (argv, g_strdup ("--expires"));
  g_ptr_array_add (argv, g_strdup ("300"));
  g_ptr_array_add (argv, g_strdup ("--timeout"));
  g_ptr_array_add (argv, g_strdup ("10"));
  status = run_peer (f->tmpdir, argv, &out);
  g_test_message ("registrar-peers.pl:\n%s", out ? out : "");
  g_assert_cmpint (status, ==, 0);
  lines = g_strsplit (out, "\n", -1);

  /* Net::SIP read the granted expiry from our 200 */
  g_assert_cmpstr (line_value (lines, "REGISTER"), ==, "300");
  bob = line_value (lines, "BOB");
  g_assert_nonnull (bob);
  registered = line_value (lines, "REGISTERED");
  g_assert_nonnull (registered);
  g_assert_nonnull (strstr (registered, bob));
  g_assert_nonnull (strstr (registered, "expires="));
  g_assert_cmpstr (line_value (lines, "INVITE"), ==, "200");
  /* it followed the 302 to bob's registered contact, and bob got the call */
  g_assert_cmpstr (line_value (lines, "FOLLOWED"), ==, bob);
  g_assert_cmpstr (line_value (lines, "UAS"), ==, bob);
  g_assert_cmpstr (line_value (lines, "BYE"), ==, "done");
  g_assert_cmpstr (line_value (lines, "NOBODY"), ==, "404");

  /* the registrar has the binding Net::SIP made */
  bindings = net_sip_registrar_lookup (f->registrar, "sip:bob@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (bindings->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (g_ptr_array_index (bindings, 0)), ==, bob);
  g_assert_cmpint (net_sip_binding_get_remaining (g_ptr_array_index (bindings, 0),
                                                  g_get_real_time () / G_USEC_PER_SEC), >, 200);

  /* the one 302 sent named bob's contact */
  g_assert_cmpuint (f->sent_302->len, ==, 1);
  contacts = net_sip_message_get_contacts (g_ptr_array_index (f->sent_302, 0), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 0)), ==, bob);
  g_assert_cmpuint (counter (f->redirect, "redirected-requests"), ==, 1);
  g_assert_cmpuint (counter (f->redirect, "not-found-requests"), ==, 1);
  g_assert_cmpuint (counter (f->registrar, "registered-requests"), ==, 1);
  g_assert_cmpuint (f->chain->n_passed, ==, 0);
}

/* ------------------------------------------------------------------ */
/* kill -9: a registrar in a child process (this program with          */
/* --serve-registrar DB), sipp registers N_MANY addresses of record,   */
/* the child is killed with SIGKILL, the file still has every binding  */
/* that was acknowledged with 200.                                      */

static gboolean
serve_give_up (gpointer user_data)
{
  g_printerr ("registrar child: not killed after %d s, leaving\n", 2 * PEER_TIMEOUT);
  exit (3);
  return G_SOURCE_REMOVE;
}

static int
serve_registrar (const char *db)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipSqliteStore) store = NULL;
  g_autoptr(NetSipDispatcher) dispatcher = NULL;
  g_autoptr(NetSipRegistrar) registrar = NULL;

#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
  if (leg == NULL)
    {
      g_printerr ("registrar child: %s\n", error->message);
      return 2;
    }
  store = net_sip_sqlite_store_new (db, &error);
  if (store == NULL)
    {
      g_printerr ("registrar child: %s\n", error->message);
      return 2;
    }
  dispatcher = net_sip_dispatcher_new (&leg, 1);
  registrar = net_sip_registrar_new (dispatcher, NET_SIP_LOCATION_STORE (store));
  net_sip_registrar_set_domains (registrar, (const char *const[]) { DOMAIN, NULL });
  net_sip_dispatcher_set_receiver (dispatcher, NET_SIP_RECEIVER (registrar));
  g_print ("port %u\n", net_sip_leg_get_port (leg));
  fflush (stdout);
  g_timeout_add_seconds (2 * PEER_TIMEOUT, serve_give_up, NULL);
  for (;;)
    g_main_context_iteration (NULL, TRUE);
  return 0;
}

static void
test_kill9 (Fixture       *f,
            gconstpointer  data)
{
  g_autofree char *db = g_build_filename (f->tmpdir, "killed.db", NULL);
  g_autofree char *stat = g_build_filename (f->tmpdir, "many-stat.csv", NULL);
  g_autofree char *self_exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipTestChild) child = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(NetSipSqliteStore) store = NULL;
  g_autoptr(NetSipRegistrar) again = NULL;
  g_autoptr(GPtrArray) user7 = NULL;
  guint port = 0;
  int status;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  g_assert_nonnull (self_exe);
  {
    const char *child_argv[] = { self_exe, "--serve-registrar", db, NULL };
    child = netsip_test_child_spawn ("registrar child", child_argv);
  }
  g_test_message ("registrar child pid %s", g_subprocess_get_identifier (child->proc));
  /* its first line */
  g_assert_true (netsip_test_child_wait_text (child, 0, "\n", 10));
  g_assert_true (sscanf (child->text[0]->str, "port %u", &port) == 1);

  add_sipp_args (argv, "sipp-register-many.xml", N_MANY, 50, 250, port, stat);
  status = run_peer (f->tmpdir, argv, NULL);
  if (status != 0)
    netsip_test_log_sipp_errors (f->tmpdir);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, N_MANY);

  /* every 200 has left the child: kill it now, by its PID */
  g_subprocess_send_signal (child->proc, SIGKILL);
  g_assert_true (netsip_test_child_wait_exit (child, 10));
  g_assert_cmpint (child->signal, ==, SIGKILL);

  store = net_sip_sqlite_store_new (db, &error);
  g_assert_no_error (error);
  all = net_sip_location_store_list (NET_SIP_LOCATION_STORE (store), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, N_MANY);
  again = net_sip_registrar_new (f->dispatcher, NET_SIP_LOCATION_STORE (store));
  for (guint i = 1; i <= N_MANY; i++)
    {
      g_autofree char *aor = g_strdup_printf ("sip:user%u@" DOMAIN, i);
      g_autoptr(GPtrArray) b = net_sip_registrar_lookup (again, aor, &error);
      g_autofree char *prefix = g_strdup_printf ("sip:user%u@127.0.0.1:", i);
      g_assert_no_error (error);
      g_assert_cmpuint (b->len, ==, 1);
      g_assert_true (g_str_has_prefix (net_sip_binding_get_contact (g_ptr_array_index (b, 0)), prefix));
    }
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  if (argc == 3 && strcmp (argv[1], "--serve-registrar") == 0)
    return serve_registrar (argv[2]);

  g_test_init (&argc, &argv, NULL);

  sipp_path = g_find_program_in_path ("sipp");
  perl_path = g_find_program_in_path ("perl");
  if (perl_path)
    {
      int wait_status = 0;
      perl_has_net_sip = g_spawn_command_line_sync ("perl -MNet::SIP -e 1", NULL, NULL, &wait_status, NULL) &&
                         g_spawn_check_wait_status (wait_status, NULL);
    }

  g_test_add ("/registrar-peers/sipp-register", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_sipp_register, fixture_tear_down);
  g_test_add ("/registrar-peers/perl", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_perl, fixture_tear_down);
  g_test_add ("/registrar-peers/kill-9", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_kill9, fixture_tear_down);

  ret = g_test_run ();
  g_free (sipp_path);
  g_free (perl_path);
  return ret;
}
