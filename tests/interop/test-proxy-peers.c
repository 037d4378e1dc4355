/* test-proxy-peers.c: NetSipStatelessProxy between real peers on loopback
 *
 * - sipp's built-in uac calls sipp's built-in uas through the proxy hosted
 *   in this process: 200 calls at 50 calls/s over UDP, the same over TCP;
 *   none may fail (exit status of both and their -trace_stat files).
 * - a Perl Net::SIP::Simple caller (proxy-uac.pl) calls a Perl callee
 *   (proxy-uas.pl) through the proxy with Record-Route and Contact
 *   rewriting on: INVITE, ACK, BYE all pass the proxy.
 *
 * The peers are children ended by their PID (SIGKILL on timeout, and
 * PR_SET_PDEATHSIG if this process dies); every wait is bounded. Missing
 * sipp or Net::SIP: the test is skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <signal.h>

#include <glib/gstdio.h>

#include "netsip.h"
#include "child-process.h"
#include "main-loop-wait.h"
#include "peer-util.h"

#define N_CALLS      200
#define CALL_RATE    50
#define PEER_TIMEOUT 90   /* s, for one run of both peers */

static char *sipp_path;

/* ------------------------------------------------------------------ */
/* Children                                                            */

/* Waits for both children until @deadline (monotonic µs); kills by PID
 * what is still running then; logs their output. */
static void
children_wait (NetSipTestChild *a,
               NetSipTestChild *b,
               gint64           deadline)
{
  NetSipTestChild *both[] = { a, b };

  for (guint i = 0; i < G_N_ELEMENTS (both); i++)
    {
      netsip_test_child_wait_exit (both[i], MAX (0, deadline - g_get_monotonic_time ()) /
                                            (double) G_USEC_PER_SEC);
      netsip_test_child_log (both[i]);
    }
}

static NetSipTestChild *
child_start (const char *cwd,
             GPtrArray  *argv)
{
  g_ptr_array_add (argv, NULL);
  return netsip_test_child_spawn_in (NULL, cwd, (const char *const *) argv->pdata);
}

/* ------------------------------------------------------------------ */
/* Ports                                                               */

static void
wait_bound (guint            port,
            GSocketType      type,
            NetSipTestChild *c)
{
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!netsip_test_port_bound (port, type))
    {
      g_assert_false (netsip_test_child_done (c));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_run_for (50);
    }
}

/* ------------------------------------------------------------------ */
/* The proxy                                                           */

typedef struct
{
  NetSipLeg            *udp;
  NetSipLeg            *tcp;
  NetSipDispatcher     *dispatcher;
  NetSipStatelessProxy *proxy;
  char                 *tmpdir;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  NetSipLeg *legs[2];

  f->udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->tcp = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = f->udp;
  legs[1] = f->tcp;
  f->dispatcher = net_sip_dispatcher_new (legs, 2);
  f->proxy = net_sip_stateless_proxy_new (f->dispatcher);
  net_sip_dispatcher_set_receiver (f->dispatcher, NET_SIP_RECEIVER (f->proxy));
  f->tmpdir = g_dir_make_tmp ("netsip-proxy-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  net_sip_dispatcher_set_receiver (f->dispatcher, NULL);
  g_clear_object (&f->proxy);
  g_clear_object (&f->dispatcher);
  g_clear_object (&f->udp);
  g_clear_object (&f->tcp);
  netsip_test_remove_tree (f->tmpdir);
  g_free (f->tmpdir);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ------------------------------------------------------------------ */
/* sipp                                                                */

static GPtrArray *
sipp_argv (const char *scenario,
           guint       port,
           gboolean    tcp,
           const char *stat_file)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (sipp_path));
  g_ptr_array_add (argv, g_strdup ("-sn"));
  g_ptr_array_add (argv, g_strdup (scenario));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", N_CALLS));
  g_ptr_array_add (argv, g_strdup ("-t"));
  g_ptr_array_add (argv, g_strdup (tcp ? "t1" : "u1"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("60s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-buff_size"));
  g_ptr_array_add (argv, g_strdup ("4194304"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup (stat_file));
  g_ptr_array_add (argv, g_strdup ("-fd"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  /* no mid-run media port clash between the two sipp instances */
  g_ptr_array_add (argv, g_strdup ("-mp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  return argv;
}

static void
run_sipp_calls (Fixture  *f,
                gboolean  tcp)
{
  GSocketType type = tcp ? G_SOCKET_TYPE_STREAM : G_SOCKET_TYPE_DATAGRAM;
  guint uas_port = netsip_test_free_port (type);
  guint uac_port = netsip_test_free_port (type);
  NetSipLeg *proxy_leg = tcp ? f->tcp : f->udp;
  g_autofree char *uas_stat = g_build_filename (f->tmpdir, "uas.csv", NULL);
  g_autofree char *uac_stat = g_build_filename (f->tmpdir, "uac.csv", NULL);
  g_autoptr(GPtrArray) uas_argv = NULL;
  g_autoptr(GPtrArray) uac_argv = NULL;
  g_autoptr(NetSipTestChild) uas = NULL;
  g_autoptr(NetSipTestChild) uac = NULL;
  guint64 forwarded = 0, responses = 0;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  if (tcp)
    {
      /* sipp's uac Request-URI has no transport parameter: the next hop
       * over TCP is configured like any outgoing proxy */
      g_autofree char *next = g_strdup_printf ("tcp:127.0.0.1:%u", uas_port);
      g_object_set (f->dispatcher, "outgoing-proxy", next, NULL);
    }

  uas_argv = sipp_argv ("uas", uas_port, tcp, uas_stat);
  uas = child_start (f->tmpdir, uas_argv);
  wait_bound (uas_port, type, uas);

  uac_argv = sipp_argv ("uac", uac_port, tcp, uac_stat);
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", uas_port));
  g_ptr_array_add (uac_argv, g_strdup ("-rsa"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (proxy_leg)));
  g_ptr_array_add (uac_argv, g_strdup ("-r"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("%u", CALL_RATE));
  g_ptr_array_add (uac_argv, g_strdup ("-l"));
  g_ptr_array_add (uac_argv, g_strdup ("40"));
  uac = child_start (f->tmpdir, uac_argv);

  children_wait (uas, uac, g_get_monotonic_time () + PEER_TIMEOUT * G_USEC_PER_SEC);

  g_object_get (f->proxy, "n-forwarded-requests", &forwarded,
                "n-forwarded-responses", &responses, NULL);
  g_test_message ("proxy forwarded %" G_GUINT64_FORMAT " requests, %" G_GUINT64_FORMAT " responses",
                  forwarded, responses);
  g_test_message ("uac: successful %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT,
                  netsip_test_sipp_stat (uac_stat, "SuccessfulCall(C)"),
                  netsip_test_sipp_stat (uac_stat, "FailedCall(C)"));
  if (uac->status != 0 || uas->status != 0)
    {
      g_autofree char *err_log = NULL;
      g_autoptr(GDir) dir = g_dir_open (f->tmpdir, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        if (g_str_has_suffix (name, "_errors.log"))
          {
            g_autofree char *p = g_build_filename (f->tmpdir, name, NULL);
            g_autofree char *text = NULL;
            if (g_file_get_contents (p, &text, NULL, NULL))
              g_test_message ("%s: %.3000s", name, text);
          }
    }
  g_assert_cmpint (uac->status, ==, 0);
  g_assert_cmpint (uas->status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (uac_stat, "SuccessfulCall(C)"), ==, N_CALLS);
  g_assert_cmpint (netsip_test_sipp_stat (uac_stat, "FailedCall(C)"), ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (uas_stat, "SuccessfulCall(C)"), ==, N_CALLS);
  g_assert_cmpint (netsip_test_sipp_stat (uas_stat, "FailedCall(C)"), ==, 0);
  /* INVITE, ACK, BYE per call; 100, 180, 200, 200 back */
  g_assert_cmpuint (forwarded, >=, 3 * N_CALLS);
  g_assert_cmpuint (responses, >=, 3 * N_CALLS);
}

static void
test_sipp_udp (Fixture *f, gconstpointer data)
{
  run_sipp_calls (f, FALSE);
}

static void
test_sipp_tcp (Fixture *f, gconstpointer data)
{
  run_sipp_calls (f, TRUE);
}

/* ------------------------------------------------------------------ */
/* Perl Net::SIP                                                       */

static gboolean
have_net_sip (void)
{
  int wait_status = 0;
  return g_spawn_command_line_sync ("perl -MNet::SIP -e 1", NULL, NULL, &wait_status, NULL) &&
         g_spawn_check_wait_status (wait_status, NULL);
}

static void
on_proxy_received (NetSipDispatcher *dispatcher,
                   NetSipMessage    *message,
                   NetSipLeg        *leg,
                   NetSipSourceInfo *source,
                   gpointer          user_data)
{
  GString *log = user_data;

  /* as received, before the proxy changes it */
  if (net_sip_message_is_request (message))
    g_string_append_printf (log, "%s %s route=%s\n", net_sip_message_get_method (message),
                            net_sip_request_get_uri (NET_SIP_REQUEST (message)),
                            net_sip_message_get_header (message, "Route") ? "yes" : "no");
}

static void
test_perl_call (Fixture *f, gconstpointer data)
{
  g_autoptr(GString) log = g_string_new (NULL);
  guint uas_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  g_autoptr(GPtrArray) uas_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) uac_argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(NetSipTestChild) uas = NULL;
  g_autoptr(NetSipTestChild) uac = NULL;
  guint64 forwarded = 0;

  if (!have_net_sip ())
    {
      g_test_skip ("Perl Net::SIP (Debian libnet-sip-perl) is not installed");
      return;
    }
  net_sip_stateless_proxy_set_record_route (f->proxy, TRUE);
  net_sip_stateless_proxy_set_force_rewrite (f->proxy, TRUE);
  g_signal_connect (f->dispatcher, "message-received", G_CALLBACK (on_proxy_received), log);

  g_ptr_array_add (uas_argv, g_strdup ("perl"));
  g_ptr_array_add (uas_argv, g_build_filename (NETSIP_INTEROP_DIR, "proxy-uas.pl", NULL));
  g_ptr_array_add (uas_argv, g_strdup ("--port"));
  g_ptr_array_add (uas_argv, g_strdup_printf ("%u", uas_port));
  g_ptr_array_add (uas_argv, g_strdup ("--timeout"));
  g_ptr_array_add (uas_argv, g_strdup ("30"));
  uas = child_start (NULL, uas_argv);
  wait_bound (uas_port, G_SOCKET_TYPE_DATAGRAM, uas);

  g_ptr_array_add (uac_argv, g_strdup ("perl"));
  g_ptr_array_add (uac_argv, g_build_filename (NETSIP_INTEROP_DIR, "proxy-uac.pl", NULL));
  g_ptr_array_add (uac_argv, g_strdup ("--proxy"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (f->udp)));
  g_ptr_array_add (uac_argv, g_strdup ("--to"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("sip:bob@127.0.0.1:%u", uas_port));
  uac = child_start (NULL, uac_argv);

  children_wait (uas, uac, g_get_monotonic_time () + 45 * G_USEC_PER_SEC);
  g_assert_cmpint (uac->status, ==, 0);
  g_assert_cmpint (uas->status, ==, 0);
  g_assert_nonnull (strstr (uac->text[0]->str, "INVITE 200\n"));
  g_assert_nonnull (strstr (uac->text[0]->str, "BYE done\n"));
  g_assert_nonnull (strstr (uas->text[0]->str, "ESTABLISHED\n"));
  g_assert_nonnull (strstr (uas->text[0]->str, "CLOSED\n"));
  /* the callee saw its own URI, not the proxy's */
  {
    g_autofree char *line = g_strdup_printf ("INVITE sip:bob@127.0.0.1:%u\n", uas_port);
    g_assert_nonnull (strstr (uas->text[0]->str, line));
  }
  /* INVITE, ACK and BYE all went through the proxy (Record-Route and the
   * rewritten Contacts brought ACK and BYE back to it) */
  g_object_get (f->proxy, "n-forwarded-requests", &forwarded, NULL);
  g_assert_cmpuint (forwarded, >=, 3);
  g_test_message ("at the proxy:\n%s", log->str);
  /* in the dialog the caller used the Route set from our Record-Route and
   * the callee's Contact as rewritten by us */
  {
    g_auto(GStrv) lines = g_strsplit (log->str, "\n", -1);
    guint n_in_dialog = 0;
    for (guint i = 0; lines[i]; i++)
      if (g_str_has_prefix (lines[i], "ACK ") || g_str_has_prefix (lines[i], "BYE "))
        {
          g_assert_true (g_str_has_prefix (lines[i] + 4, "sip:nsp"));
          g_assert_true (g_str_has_suffix (lines[i], " route=yes"));
          n_in_dialog++;
        }
    g_assert_cmpuint (n_in_dialog, >=, 2);
  }
  g_signal_handlers_disconnect_by_data (f->dispatcher, log);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sipp_path = g_find_program_in_path ("sipp");

  g_test_add ("/proxy-peers/sipp-udp", Fixture, NULL, fixture_set_up, test_sipp_udp, fixture_tear_down);
  g_test_add ("/proxy-peers/sipp-tcp", Fixture, NULL, fixture_set_up, test_sipp_tcp, fixture_tear_down);
  g_test_add ("/proxy-peers/perl-call", Fixture, NULL, fixture_set_up, test_perl_call, fixture_tear_down);
  return g_test_run ();
}
