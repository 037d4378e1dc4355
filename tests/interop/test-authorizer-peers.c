/* test-authorizer-peers.c: NetSipAuthorizer against real clients
 *
 * A netsip-glib UAS on 127.0.0.1 (a dispatcher with a UDP leg; a small
 * receiver answering REGISTER, INVITE (with SDP), BYE, OPTIONS) sits
 * behind a NetSipAuthorizer that knows one user. Real peers authenticate:
 *
 * For sipp the authorizer offers MD5 alone (sipp 3.6.1 reads only the
 * first challenge; see use_md5_only()); Perl Net::SIP gets the default
 * SHA-256 and MD5 challenges and picks MD5.
 *
 *   /authorizer-peers/sipp-register: sipp runs tests/interop/
 *     sipp-auth-register.xml (REGISTER, 401, REGISTER with
 *     [authentication] (-au/-ap, MD5), 200) N times;
 *   /authorizer-peers/sipp-call: sipp runs sipp-auth-call.xml (INVITE,
 *     401, ACK, INVITE with credentials, 200, ACK, BYE, 401, BYE with
 *     credentials, 200) M times;
 *   /authorizer-peers/perl-uac: Perl Net::SIP::Simple with
 *     auth => [user, password] registers, calls and hangs up
 *     (tests/interop/auth-uac.pl);
 *   /authorizer-peers/perl-uac-proxy: the same with the authorizer
 *     acting for a proxy (407, Proxy-Authorization consumed);
 *   /authorizer-peers/sipp-wrong-password: sipp with a wrong password:
 *     every call fails (401 again), none gets through.
 *
 * Checked: the peer's exit status, sipp's -trace_stat file
 * (SuccessfulCall(C), FailedCall(C)), the authorizer's counters and what
 * the UAS behind it received. Peers are children on loopback, started with
 * PR_SET_PDEATHSIG, waited for with a time limit and ended by their PID
 * (g_subprocess_force_exit) when it passes. Without sipp or Perl Net::SIP
 * the tests skip.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#ifdef __linux__
#include <signal.h>
#endif
#include <glib/gstdio.h>

#include "netsip.h"
#include "child-process.h"
#include "peer-util.h"

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

#define USER      "sippuser"
#define PASSWORD  "s3cr3t-pw"
#define REALM     "interop.test"
#define PEER_TIMEOUT 60   /* s, for any one peer run */
#define N_REGISTER 20
#define N_CALLS    10

/* ------------------------------------------------------------------ */
/* The UAS behind the authorizer                                       */

#define TEST_TYPE_UAS (test_uas_get_type ())
G_DECLARE_FINAL_TYPE (TestUas, test_uas, TEST, UAS, GObject)

struct _TestUas
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned */
  guint             port;
  GHashTable       *methods;      /* method → count (GUINT_TO_POINTER) */
  guint             with_credentials;        /* Authorization */
  guint             with_proxy_credentials;  /* Proxy-Authorization */
};

static void test_uas_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestUas, test_uas, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_uas_iface_init))

static void
test_uas_finalize (GObject *object)
{
  g_hash_table_unref (TEST_UAS (object)->methods);
  G_OBJECT_CLASS (test_uas_parent_class)->finalize (object);
}

static void
test_uas_class_init (TestUasClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_uas_finalize;
}

static void
test_uas_init (TestUas *self)
{
  self->methods = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
}

static guint
uas_count (TestUas    *self,
           const char *method)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (self->methods, method));
}

static void
response_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_test_message ("UAS: response not sent: %s", error->message);
}

static gboolean
test_uas_receive (NetSipReceiver   *receiver,
                  NetSipMessage    *message,
                  NetSipLeg        *leg,
                  NetSipSourceInfo *source)
{
  TestUas *self = TEST_UAS (receiver);
  NetSipRequest *request;
  const char *method;
  g_autoptr(NetSipResponse) response = NULL;
  NetSipMessage *r;
  g_autofree char *tag = NULL;
  g_autofree char *contact = NULL;

  if (!net_sip_message_is_request (message))
    return FALSE;
  request = NET_SIP_REQUEST (message);
  method = net_sip_message_get_method (message);
  g_hash_table_replace (self->methods, g_strdup (method),
                        GUINT_TO_POINTER (uas_count (self, method) + 1));
  if (net_sip_message_get_header (message, "Authorization"))
    self->with_credentials++;
  if (net_sip_message_get_header (message, "Proxy-Authorization"))
    self->with_proxy_credentials++;
  if (strcmp (method, "ACK") == 0)
    return TRUE;

  tag = g_strdup_printf ("uas%08x", g_random_int ());
  contact = g_strdup_printf ("<sip:uas@127.0.0.1:%u>", self->port);
  if (strcmp (method, "REGISTER") == 0)
    {
      const char *c = net_sip_message_get_header (message, "Contact");
      response = net_sip_request_create_response (request, 200, NULL, tag);
      r = NET_SIP_MESSAGE (response);
      if (c)
        net_sip_message_add_header (r, "Contact", c);
      net_sip_message_add_header (r, "Expires", "300");
    }
  else if (strcmp (method, "INVITE") == 0)
    {
      g_autofree char *sdp = g_strdup_printf ("v=0\r\no=uas 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                                              "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                              "m=audio 9 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n");
      g_autoptr(GBytes) body = g_bytes_new (sdp, strlen (sdp));
      response = net_sip_request_create_response (request, 200, NULL, tag);
      r = NET_SIP_MESSAGE (response);
      net_sip_message_add_header (r, "Contact", contact);
      net_sip_message_set_body (r, body, "application/sdp");
    }
  else if (strcmp (method, "BYE") == 0 || strcmp (method, "OPTIONS") == 0 ||
           strcmp (method, "CANCEL") == 0)
    {
      response = net_sip_request_create_response (request, 200, NULL, tag);
      r = NET_SIP_MESSAGE (response);
    }
  else
    {
      response = net_sip_request_create_response (request, 405, NULL, tag);
      r = NET_SIP_MESSAGE (response);
      net_sip_message_add_header (r, "Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER");
    }
  if (net_sip_message_get_header (r, "Content-Length") == NULL)
    net_sip_message_add_header (r, "Content-Length", "0");
  net_sip_dispatcher_deliver_async (self->dispatcher, r, NULL, NULL, response_sent, NULL);
  return TRUE;
}

static void
test_uas_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_uas_receive;
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef struct
{
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipAuthorizer *auth;
  TestUas          *uas;
  char             *tmpdir;
  GPtrArray        *authorized;   /* user names from request-authorized */
} Fixture;

static char *sipp_path;
static char *perl_path;
static gboolean perl_has_net_sip;

static void
on_authorized (NetSipAuthorizer *auth,
               NetSipRequest    *request,
               const char       *username,
               gpointer          user_data)
{
  g_ptr_array_add (user_data, g_strdup (username));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->dispatcher = net_sip_dispatcher_new (&f->leg, 1);
  f->uas = g_object_new (TEST_TYPE_UAS, NULL);
  f->uas->dispatcher = f->dispatcher;
  f->uas->port = net_sip_leg_get_port (f->leg);
  f->auth = net_sip_authorizer_new (f->dispatcher, REALM);
  net_sip_authorizer_set_next (f->auth, NET_SIP_RECEIVER (f->uas));
  net_sip_authorizer_set_password (f->auth, USER, PASSWORD);
  net_sip_dispatcher_set_receiver (f->dispatcher, NET_SIP_RECEIVER (f->auth));
  f->authorized = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (f->auth, "request-authorized", G_CALLBACK (on_authorized), f->authorized);
  f->tmpdir = g_dir_make_tmp ("netsip-auth-peers-XXXXXX", &error);
  g_assert_no_error (error);
}

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        g_unlink (child);
      }
  g_rmdir (path);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->auth, f->authorized);
  net_sip_dispatcher_set_receiver (f->dispatcher, NULL);
  g_assert_finalize_object (f->auth);
  g_assert_finalize_object (f->dispatcher);
  g_assert_finalize_object (f->uas);
  g_clear_object (&f->leg);
  g_ptr_array_unref (f->authorized);
  rm_rf (f->tmpdir);
  g_free (f->tmpdir);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint64
counter (NetSipAuthorizer *auth,
         const char       *name)
{
  guint64 v = 0;
  g_object_get (auth, name, &v, NULL);
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

static gboolean
have_sipp (void)
{
  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return FALSE;
    }
  return TRUE;
}

static int
run_sipp (Fixture    *f,
          const char *scenario,
          const char *password,
          guint       n_calls,
          const char *auth_uri,
          const char *stat_file)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  int status;

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
  g_ptr_array_add (argv, g_strdup (USER));
  g_ptr_array_add (argv, g_strdup ("-au"));
  g_ptr_array_add (argv, g_strdup (USER));
  g_ptr_array_add (argv, g_strdup ("-ap"));
  g_ptr_array_add (argv, g_strdup (password));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", n_calls));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup ("20"));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup ("5"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", PEER_TIMEOUT / 2));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  /* a call not finished in 10 s fails instead of waiting */
  g_ptr_array_add (argv, g_strdup ("-recv_timeout"));
  g_ptr_array_add (argv, g_strdup ("10000"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup (stat_file));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  if (auth_uri)
    {
      g_ptr_array_add (argv, g_strdup ("-auth_uri"));
      g_ptr_array_add (argv, g_strdup (auth_uri));
    }
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", f->uas->port));
  status = run_peer (f->tmpdir, argv, NULL);
  g_ptr_array_unref (argv);
  return status;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* sipp 3.6.1 answers the first challenge of a 401 only, and knows MD5
 * only: with the default SHA-256-then-MD5 offer it stops with
 * "createAuthHeader: authentication must use MD5 or AKAv1-MD5". The
 * authorizer offers MD5 alone to it. */
static void
use_md5_only (Fixture *f)
{
  const char *md5[] = { "MD5", NULL };
  net_sip_authorizer_set_algorithms (f->auth, md5);
}

static void
test_sipp_register (Fixture       *f,
                    gconstpointer  data)
{
  g_autofree char *stat = NULL;
  int status;

  if (!have_sipp ())
    return;
  use_md5_only (f);
  stat = g_build_filename (f->tmpdir, "register-stat.csv", NULL);
  status = run_sipp (f, "sipp-auth-register.xml", PASSWORD, N_REGISTER, NULL, stat);
  netsip_test_log_sipp_errors (f->tmpdir);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, N_REGISTER);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedCall(C)"), ==, 0);
  /* each REGISTER challenged once, then accepted; only the accepted ones
   * reached the UAS, with their credentials */
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, N_REGISTER);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, N_REGISTER);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 0);
  g_assert_cmpuint (uas_count (f->uas, "REGISTER"), ==, N_REGISTER);
  g_assert_cmpuint (f->uas->with_credentials, ==, N_REGISTER);
  g_assert_cmpuint (f->authorized->len, ==, N_REGISTER);
  g_assert_cmpstr (g_ptr_array_index (f->authorized, 0), ==, USER);
}

static void
test_sipp_call (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *stat = NULL;
  g_autofree char *auth_uri = NULL;
  int status;

  if (!have_sipp ())
    return;
  use_md5_only (f);
  stat = g_build_filename (f->tmpdir, "call-stat.csv", NULL);
  /* sipp's digest uri is "sip:" + remote_ip:remote_port unless told: it
   * must be the Request-URI (RFC 7616 §3.4.6), sip:bob@... here */
  auth_uri = g_strdup_printf ("bob@127.0.0.1:%u", f->uas->port);
  status = run_sipp (f, "sipp-auth-call.xml", PASSWORD, N_CALLS, auth_uri, stat);
  netsip_test_log_sipp_errors (f->tmpdir);
  g_assert_cmpint (status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, N_CALLS);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedCall(C)"), ==, 0);
  /* INVITE and BYE challenged once each, then accepted; the ACK of the
   * 401 was absorbed by the server transaction, the ACK of the 200 passed
   * unchecked (RFC 3261 §22.1) */
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 2 * N_CALLS);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 2 * N_CALLS);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 0);
  g_assert_cmpuint (uas_count (f->uas, "INVITE"), ==, N_CALLS);
  g_assert_cmpuint (uas_count (f->uas, "ACK"), ==, N_CALLS);
  g_assert_cmpuint (uas_count (f->uas, "BYE"), ==, N_CALLS);
}

/* With a wrong password sipp's second REGISTER gets a 401 again, which the
 * scenario does not expect: every call fails and nothing gets through. */
static void
test_sipp_wrong_password (Fixture       *f,
                          gconstpointer  data)
{
  g_autofree char *stat = NULL;
  int status;

  if (!have_sipp ())
    return;
  use_md5_only (f);
  stat = g_build_filename (f->tmpdir, "wrong-stat.csv", NULL);
  status = run_sipp (f, "sipp-auth-register.xml", "not-the-password", 5, NULL, stat);
  g_assert_cmpint (status, !=, 0);
  g_assert_cmpint (status, !=, -1);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedCall(C)"), ==, 5);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 0);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 5);
  g_assert_cmpuint (uas_count (f->uas, "REGISTER"), ==, 0);
}

static void
run_perl_uac (Fixture  *f,
              gboolean  proxy)
{
  GPtrArray *argv;
  g_autofree char *out = NULL;
  int status;

  if (perl_path == NULL || !perl_has_net_sip)
    {
      g_test_skip ("perl with Net::SIP (libnet-sip-perl) is not installed");
      return;
    }
  net_sip_authorizer_set_proxy (f->auth, proxy);
  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (perl_path));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "auth-uac.pl", NULL));
  g_ptr_array_add (argv, g_strdup ("--target"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", f->uas->port));
  g_ptr_array_add (argv, g_strdup ("--user"));
  g_ptr_array_add (argv, g_strdup (USER));
  g_ptr_array_add (argv, g_strdup ("--password"));
  g_ptr_array_add (argv, g_strdup (PASSWORD));
  g_ptr_array_add (argv, g_strdup ("--timeout"));
  g_ptr_array_add (argv, g_strdup ("15"));
  if (g_getenv ("NETSIP_PEER_DEBUG"))
    {
      g_ptr_array_add (argv, g_strdup ("--debug"));
      g_ptr_array_add (argv, g_strdup (g_getenv ("NETSIP_PEER_DEBUG")));
    }
  status = run_peer (f->tmpdir, argv, &out);
  g_ptr_array_unref (argv);
  g_test_message ("auth-uac.pl printed:\n%s", out ? out : "");
  g_assert_cmpint (status, ==, 0);
  g_assert_nonnull (strstr (out, "REGISTER 300\n"));
  g_assert_nonnull (strstr (out, "INVITE 200\n"));
  g_assert_nonnull (strstr (out, "BYE done\n"));
  /* REGISTER, INVITE, BYE: each challenged (401, or 407 for a proxy),
   * then accepted (MD5: Net::SIP skips the SHA-256 challenge) */
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 3);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 3);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 0);
  g_assert_cmpuint (uas_count (f->uas, "REGISTER"), ==, 1);
  g_assert_cmpuint (uas_count (f->uas, "INVITE"), ==, 1);
  g_assert_cmpuint (uas_count (f->uas, "ACK"), ==, 1);
  g_assert_cmpuint (uas_count (f->uas, "BYE"), ==, 1);
  g_assert_cmpuint (f->authorized->len, ==, 3);
  if (proxy)
    {
      /* Net::SIP answered the 407s with Proxy-Authorization, which the
       * proxy consumed (RFC 3261 §20.28): none reached the UAS behind; the
       * ACK for the 2xx carries none either way */
      g_assert_cmpuint (f->uas->with_credentials, ==, 0);
      g_assert_cmpuint (f->uas->with_proxy_credentials, ==, 0);
    }
  else
    {
      g_assert_cmpuint (f->uas->with_credentials, >=, 3);
      g_assert_cmpuint (f->uas->with_proxy_credentials, ==, 0);
    }
}

static void
test_perl_uac (Fixture       *f,
               gconstpointer  data)
{
  run_perl_uac (f, FALSE);
}

/* The authorizer acting for a proxy: 407 with Proxy-Authenticate */
static void
test_perl_uac_proxy (Fixture       *f,
                     gconstpointer  data)
{
  run_perl_uac (f, TRUE);
}

int
main (int   argc,
      char *argv[])
{
  int ret;

  g_test_init (&argc, &argv, NULL);

  sipp_path = g_find_program_in_path ("sipp");
  perl_path = g_find_program_in_path ("perl");
  if (perl_path)
    {
      int wait_status = 0;
      perl_has_net_sip = g_spawn_command_line_sync ("perl -MNet::SIP -e 1", NULL, NULL, &wait_status, NULL) &&
                         g_spawn_check_wait_status (wait_status, NULL);
    }

  g_test_add ("/authorizer-peers/sipp-register", Fixture, NULL,
              fixture_set_up, test_sipp_register, fixture_tear_down);
  g_test_add ("/authorizer-peers/sipp-call", Fixture, NULL,
              fixture_set_up, test_sipp_call, fixture_tear_down);
  g_test_add ("/authorizer-peers/sipp-wrong-password", Fixture, NULL,
              fixture_set_up, test_sipp_wrong_password, fixture_tear_down);
  g_test_add ("/authorizer-peers/perl-uac", Fixture, NULL,
              fixture_set_up, test_perl_uac, fixture_tear_down);
  g_test_add ("/authorizer-peers/perl-uac-proxy", Fixture, NULL,
              fixture_set_up, test_perl_uac_proxy, fixture_tear_down);

  ret = g_test_run ();
  g_free (sipp_path);
  g_free (perl_path);
  return ret;
}
