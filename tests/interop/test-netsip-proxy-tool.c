/* test-netsip-proxy-tool.c: the netsip-proxy program (examples/netsip-proxy.c)
 * run as a child process between real peers on loopback (issue 6).
 *
 * - cli: bad options and files end with status 2 and a message; the
 *   `listening on` lines name the bound ports (port 0 asked); settings from
 *   --config, the command line winning; SIGTERM and SIGINT end it with 0.
 * - tls: a tls: leg with --tls-cert/--tls-key (made with certtool): a TLS
 *   client that trusts the test CA completes a handshake with it.
 * - sipp-udp, sipp-tcp: sipp's built-in uac -> netsip-proxy -> sipp's uas,
 *   2000 calls at 200 calls/s: both sipp exit with 0, their -trace_stat
 *   counters say 2000 successful, 0 failed, 0 unexpected messages. Over UDP
 *   with --registrar on SQLite and --record-route (each request looked up),
 *   over TCP the plain proxy with --domain2proxy to reach sipp's uas.
 * - sipp-auth-register, sipp-auth-call: `--registrar --users` (the
 *   default challenges, MD5 first, then SHA-256); sipp registers with [authentication] (401)
 *   20 times, then calls through the proxy (407 for INVITE and BYE,
 *   tests/interop/sipp-proxy-auth-call.xml) to sipp's uas 20 times.
 * - restart: sipp registers 1000 addresses of record at netsip-proxy on an
 *   SQLite file; kill -9 by PID; a new netsip-proxy on the file answers a
 *   REGISTER query for each of them with 200 and its contact.
 * - perl-register-call: a Perl Net::SIP callee registers at netsip-proxy
 *   (--registrar --users: digest with 401) and a Perl caller calls its
 *   address of record through the proxy (digest with 407); the callee gets
 *   the INVITE at its registered contact; RTP flows both ways.
 * - perl-nat-relay, perl-nat-relay-reverse: legs on 127.0.0.1 and
 *   127.0.0.2, --nat-helper; the caller on 127.0.0.2 and the callee on
 *   127.0.0.1, then the other way round: the RTP goes through the relay and
 *   the octet and packet counts of both phones and of the relay (its log
 *   line when the session closes) agree.
 *
 * Every child is ended by its PID (SIGTERM or SIGKILL; PR_SET_PDEATHSIG if
 * this process dies); every wait is bounded. Missing sipp or Net::SIP: the
 * tests that need them are skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <signal.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "child-process.h"
#include "peer-util.h"
#include "tls-certs.h"

#define N_CALLS   2000
#define CALL_RATE 200

static char *sipp_path;

/* ------------------------------------------------------------------ */
/* netsip-proxy                                                        */

/* Runs netsip-proxy with @args and waits for its end: status and stderr */
static int
run_proxy_sync (const char *const *args,
                char              **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(NetSipTestChild) c = NULL;

  g_ptr_array_add (argv, (char *) NETSIP_PROXY_PATH);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  c = netsip_test_child_spawn_array (NULL, argv);
  g_assert_true (netsip_test_child_wait_exit (c, 20));
  if (err)
    *err = g_strdup (c->text[1]->str);
  return c->status;
}

/* Starts netsip-proxy and waits for its @n_legs `listening on` lines */
static NetSipTestChild *
start_proxy (const char *const *args,
             guint              n_legs)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  NetSipTestChild *c;

  g_ptr_array_add (argv, (char *) NETSIP_PROXY_PATH);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  c = netsip_test_child_spawn_array (NULL, argv);
  netsip_test_child_wait_listening (c, n_legs, 20);
  return c;
}

static void
stop_proxy (NetSipTestChild *c)
{
  g_subprocess_send_signal (c->proc, SIGTERM);
  g_assert_true (netsip_test_child_wait_exit (c, 20));
  g_assert_cmpint (c->signal, ==, 0);
  g_assert_cmpint (c->status, ==, 0);
}

/* A value `key=N` of the last log line holding @line_prefix */
static gint64
log_value (const char *log,
           const char *line_prefix,
           const char *key)
{
  const char *line = NULL;
  g_autofree char *k = g_strdup_printf (" %s=", key);
  const char *v;

  for (const char *p = log; (p = strstr (p, line_prefix)); p++)
    line = p;
  if (line == NULL)
    return -1;
  v = strstr (line, k);
  if (v == NULL || (strchr (line, '\n') && v > strchr (line, '\n')))
    return -1;
  return g_ascii_strtoll (v + strlen (k), NULL, 10);
}

/* ------------------------------------------------------------------ */
/* cli                                                                 */

static void
expect_usage_error (const char *const *args,
                    const char        *message)
{
  g_autofree char *err = NULL;
  int status = run_proxy_sync (args, &err);

  g_test_message ("%s -> %d: %s", args[0], status, err);
  g_assert_cmpint (status, ==, 2);
  g_assert_true (g_str_has_prefix (err, "netsip-proxy: "));
  g_assert_nonnull (strstr (err, message));
}

static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("netsip-proxy-cli-XXXXXX", &error);
  g_autofree char *users_bad = NULL, *users_realm = NULL, *users_mixed = NULL;
  g_autofree char *conf_bad = NULL, *conf_group = NULL, *conf = NULL, *missing_db = NULL;
  g_autofree char *users = NULL;
  guint conf_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);

  g_assert_no_error (error);
  users_bad = netsip_test_write_file (dir, "users-bad.txt", "alice\n", -1);
  users_realm = netsip_test_write_file (dir, "users-realm.txt",
                                        "bob:other.org:0123456789abcdef0123456789abcdef\n", -1);
  users_mixed = netsip_test_write_file (dir, "users-mixed.txt",
                                        "bob:example.com:0123456789abcdef0123456789abcdef\n"
                                        "carol:example.com:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", -1);
  users = netsip_test_write_file (dir, "users.txt", "# comment\n\nalice:pass:with:colons\n", -1);
  conf_bad = netsip_test_write_file (dir, "bad.conf", "[netsip-proxy]\nlisten=udp:127.0.0.1:0\nlisen=x\n", -1);
  conf_group = netsip_test_write_file (dir, "group.conf", "[proxy]\nlisten=udp:127.0.0.1:0\n", -1);
  missing_db = g_build_filename (dir, "no-such-dir", "bindings.db", NULL);

  {
    const char *a[] = { "--bogus", NULL };
    expect_usage_error (a, "Unknown option --bogus");
  }
  {
    const char *a[] = { "--registrar", NULL };
    expect_usage_error (a, "no --listen");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "extra", NULL };
    expect_usage_error (a, "unexpected argument 'extra'");
  }
  {
    const char *a[] = { "--listen", "sctp:127.0.0.1:0", NULL };
    expect_usage_error (a, "--listen sctp:127.0.0.1:0");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:99999", NULL };
    expect_usage_error (a, "--listen udp:127.0.0.1:99999");
  }
  {
    const char *a[] = { "--listen", "tls:127.0.0.1:0", NULL };
    expect_usage_error (a, "--tls-cert and --tls-key");
  }
  {
    g_autofree char *nope = g_build_filename (dir, "nope.pem", NULL);
    const char *a[] = { "--listen", "tls:127.0.0.1:0", "--tls-cert", nope, "--tls-key", nope, NULL };
    expect_usage_error (a, "TLS certificate");
  }
  {
    g_autofree char *nope = g_build_filename (dir, "nope.txt", NULL);
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", nope, NULL };
    expect_usage_error (a, "--users: ");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users_bad, NULL };
    expect_usage_error (a, "expected user:password or user:realm:HA1");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users_realm, "--realm", "example.com", NULL };
    expect_usage_error (a, "HA1 for realm 'other.org'");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users_mixed, "--realm", "example.com", NULL };
    expect_usage_error (a, "no challenge all of them can answer");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--bindings-db", missing_db, NULL };
    expect_usage_error (a, "--bindings-db");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--bindings-db", missing_db, NULL };
    expect_usage_error (a, "--bindings-db needs --registrar");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--domain2proxy", "example.com", NULL };
    expect_usage_error (a, "expected DOMAIN=PROXY");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users, "--digest-algorithms", "MD5,SHA-1", NULL };
    expect_usage_error (a, "'SHA-1' is not one of");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users, "--digest-algorithms", "MD5-sess", NULL };
    expect_usage_error (a, "'MD5-sess' is not one of");
  }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--digest-algorithms", "MD5", NULL };
    expect_usage_error (a, "--digest-algorithms needs --users");
  }
  {
    /* bob's HA1 is MD5: he cannot answer a SHA-256 challenge */
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--users", users_realm, "--realm", "other.org",
                        "--digest-algorithms", "SHA-256,MD5", NULL };
    expect_usage_error (a, "no password or HA1 for SHA-256");
  }
  {
    const char *a[] = { "--config", conf_bad, NULL };
    expect_usage_error (a, "unknown key 'lisen'");
  }
  {
    const char *a[] = { "--config", conf_group, NULL };
    expect_usage_error (a, "unknown group [proxy]");
  }
  {
    g_autofree char *nope = g_build_filename (dir, "nope.conf", NULL);
    const char *a[] = { "--config", nope, NULL };
    expect_usage_error (a, "--config");
  }

  /* a port in use is no usage error: status 1 */
  {
    g_autoptr(GSocket) holder = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, &error);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
    g_autoptr(GSocketAddress) bound = NULL;
    g_autofree char *spec = NULL, *err = NULL;

    g_assert_no_error (error);
    g_assert_true (g_socket_bind (holder, any, FALSE, &error));
    bound = g_socket_get_local_address (holder, &error);
    g_assert_no_error (error);
    spec = g_strdup_printf ("udp:127.0.0.1:%u", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    {
      const char *a[] = { "--listen", spec, NULL };
      g_assert_cmpint (run_proxy_sync (a, &err), ==, 1);
    }
    g_assert_true (g_str_has_prefix (err, "netsip-proxy: cannot listen on "));
  }

  /* two legs with port 0: the lines name the bound ports; SIGTERM -> 0 */
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--listen", "tcp:127.0.0.1:0",
                        "--registrar", "--users", users, "--record-route", "--nat-helper", NULL };
    g_autoptr(NetSipTestChild) c = start_proxy (a, 2);
    guint udp = netsip_test_child_listening_port (c, "udp:127.0.0.1:");
    guint tcp = netsip_test_child_listening_port (c, "tcp:127.0.0.1:");

    g_assert_cmpuint (udp, >, 0);
    g_assert_cmpuint (tcp, >, 0);
    g_assert_true (netsip_test_port_bound (udp, G_SOCKET_TYPE_DATAGRAM));
    g_assert_true (netsip_test_port_bound (tcp, G_SOCKET_TYPE_STREAM));
    stop_proxy (c);
    g_assert_false (netsip_test_port_bound (udp, G_SOCKET_TYPE_DATAGRAM));
  }

  /* settings from --config (relative users path), the command line wins
   * for listen; SIGINT -> 0 */
  {
    g_autofree char *text = g_strdup_printf ("[netsip-proxy]\n"
                                             "listen=udp:127.0.0.1:%u\n"
                                             "registrar=true\n"
                                             "domain=example.com;example.org\n"
                                             "users=users.txt\n"
                                             "record-route=true\n", conf_port);
    conf = netsip_test_write_file (dir, "proxy.conf", text, -1);
  }
  {
    const char *a[] = { "--config", conf, NULL };
    g_autoptr(NetSipTestChild) c = start_proxy (a, 1);
    g_autofree char *line = g_strdup_printf ("listening on udp:127.0.0.1:%u\n", conf_port);

    g_assert_cmpstr (c->text[0]->str, ==, line);
    /* the registrar and the authorizers are there */
    g_subprocess_send_signal (c->proc, SIGUSR1);
    g_assert_true (netsip_test_child_wait_text (c, 1, "proxy-auth accepted=0", 10));
    g_assert_true (netsip_test_child_wait_text (c, 1, "registrar registered=0", 10));
    g_subprocess_send_signal (c->proc, SIGINT);
    g_assert_true (netsip_test_child_wait_exit (c, 20));
    g_assert_cmpint (c->status, ==, 0);
  }
  {
    const char *a[] = { "--config", conf, "--listen", "tcp:127.0.0.1:0", NULL };
    g_autoptr(NetSipTestChild) c = start_proxy (a, 1);

    g_assert_true (g_str_has_prefix (c->text[0]->str, "listening on tcp:127.0.0.1:"));
    g_assert_null (strstr (c->text[0]->str, "udp:"));
    stop_proxy (c);
  }
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* tls                                                                 */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
} Handshake;

static void
handshake_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Handshake *h = user_data;

  h->ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &h->error);
  h->done = TRUE;
}

static void
test_tls (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *cert = NULL, *key = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GTlsDatabase) ca = NULL;
  g_autoptr(GSocketConnectable) identity = NULL;
  Handshake handshake = { 0 };
  gint64 deadline;
  guint port;

  if (!netsip_test_have_certtool ())
    {
      g_test_skip ("certtool (Debian gnutls-bin) is not installed");
      return;
    }
  if (g_tls_backend_get_default () == NULL || !g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      g_test_skip ("no GIO TLS backend (Debian glib-networking)");
      return;
    }
  dir = netsip_test_make_cert_dir (&error);
  g_assert_no_error (error);
  g_assert_true (netsip_test_make_certs (dir, &error));
  g_assert_no_error (error);
  cert = g_build_filename (dir, NETSIP_TEST_SERVER_CERT, NULL);
  key = g_build_filename (dir, NETSIP_TEST_SERVER_KEY, NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--listen", "tls:127.0.0.1:0",
                        "--tls-cert", cert, "--tls-key", key, NULL };
    proxy = start_proxy (a, 2);
  }
  port = netsip_test_child_listening_port (proxy, "tls:127.0.0.1:");
  g_assert_cmpuint (port, >, 0);

  g_socket_client_set_timeout (client, 10);
  tcp = g_socket_client_connect_to_host (client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  identity = g_network_address_new ("127.0.0.1", port);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  ca = netsip_test_load_ca (dir, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), ca);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL,
                                    handshake_done, &handshake);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!handshake.done)
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_iterate ();
    }
  /* the server certificate verified against the test CA */
  g_assert_no_error (handshake.error);
  g_assert_true (handshake.ok);
  g_io_stream_close (tls, NULL, NULL);
  stop_proxy (proxy);
  netsip_test_remove_cert_dir (dir);
}

/* ------------------------------------------------------------------ */
/* sipp                                                                */

static GPtrArray *
sipp_argv (const char *dir,
           const char *scenario,
           guint       port,
           gboolean    tcp,
           const char *stat_file)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *prefix = g_build_filename (dir, scenario, NULL);

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
  g_ptr_array_add (argv, g_strdup ("90s"));
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
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup_printf ("%s-errors.log", prefix));
  /* no media port clash between the two sipp instances */
  g_ptr_array_add (argv, g_strdup ("-mp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  return argv;
}

static void
check_sipp (NetSipTestChild *c,
            const char      *name,
            const char      *dir,
            const char      *stat_file)
{
  g_autofree char *err_path = g_strdup_printf ("%s/%s-errors.log", dir, name);
  g_autofree char *errors = NULL;

  g_test_message ("%s: exit %d, successful %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT
                  ", unexpected %" G_GINT64_FORMAT, name, c->status,
                  netsip_test_sipp_stat (stat_file, "SuccessfulCall(C)"), netsip_test_sipp_stat (stat_file, "FailedCall(C)"),
                  netsip_test_sipp_stat (stat_file, "FailedUnexpectedMessage(C)"));
  if (g_file_get_contents (err_path, &errors, NULL, NULL) && *errors)
    g_test_message ("%s: %.3000s", err_path, errors);
  g_assert_cmpint (c->status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat_file, "SuccessfulCall(C)"), ==, N_CALLS);
  g_assert_cmpint (netsip_test_sipp_stat (stat_file, "FailedCall(C)"), ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat_file, "FailedUnexpectedMessage(C)"), ==, 0);
  /* sipp logs every unexpected message in the error file */
  g_assert_true (errors == NULL || strstr (errors, "nexpected") == NULL);
}

static void
run_sipp (gboolean tcp)
{
  GSocketType type = tcp ? G_SOCKET_TYPE_STREAM : G_SOCKET_TYPE_DATAGRAM;
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *uas_stat = NULL, *uac_stat = NULL, *d2p = NULL, *db = NULL;
  g_autoptr(GPtrArray) uas_argv = NULL, uac_argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  NetSipTestChild *uas, *uac;
  guint uas_port, uac_port, proxy_port_n;
  gint64 deadline;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-sipp-XXXXXX", &error);
  g_assert_no_error (error);
  uas_stat = g_build_filename (dir, "uas.csv", NULL);
  uac_stat = g_build_filename (dir, "uac.csv", NULL);
  uas_port = netsip_test_free_port (type);
  uac_port = netsip_test_free_port (type);

  /* sipp's uac Request-URI has no transport parameter: over TCP the next hop
   * for its host is configured */
  d2p = g_strdup_printf ("127.0.0.1=tcp:127.0.0.1:%u", uas_port);
  db = g_build_filename (dir, "bindings.db", NULL);
  if (tcp)
    {
      const char *a[] = { "--listen", "tcp:127.0.0.1:0", "--domain2proxy", d2p, NULL };
      proxy = start_proxy (a, 1);
    }
  else
    {
      /* the whole chain: every INVITE is looked up in the SQLite store
       * (no binding: routed by its Request-URI), Record-Route on */
      const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--bindings-db", db,
                          "--record-route", NULL };
      proxy = start_proxy (a, 1);
    }
  proxy_port_n = netsip_test_child_listening_port (proxy, tcp ? "tcp:127.0.0.1:" : "udp:127.0.0.1:");

  uas_argv = sipp_argv (dir, "uas", uas_port, tcp, uas_stat);
  uas = netsip_test_child_spawn_array (NULL, uas_argv);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!netsip_test_port_bound (uas_port, type))
    {
      g_assert_false (netsip_test_child_done (uas));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_iterate ();
    }

  uac_argv = sipp_argv (dir, "uac", uac_port, tcp, uac_stat);
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", uas_port));
  g_ptr_array_add (uac_argv, g_strdup ("-rsa"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", proxy_port_n));
  g_ptr_array_add (uac_argv, g_strdup ("-r"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("%u", CALL_RATE));
  g_ptr_array_add (uac_argv, g_strdup ("-l"));
  g_ptr_array_add (uac_argv, g_strdup ("1000"));
  uac = netsip_test_child_spawn_array (NULL, uac_argv);

  /* 10 s of calls at 200/s; sipp's own -timeout is 90 s */
  netsip_test_child_wait_exit (uac, 120);
  netsip_test_child_wait_exit (uas, 20);

  g_subprocess_send_signal (proxy->proc, SIGUSR1);
  netsip_test_child_wait_text (proxy, 1, "proxy forwarded-requests=", 10);
  g_test_message ("proxy: %s", proxy->text[1]->str);
  check_sipp (uac, "uac", dir, uac_stat);
  check_sipp (uas, "uas", dir, uas_stat);
  /* INVITE, ACK, BYE per call went through the proxy */
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy forwarded-requests", "forwarded-requests"),
                   >=, 3 * N_CALLS);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy forwarded-requests", "forwarded-responses"),
                   >=, 3 * N_CALLS);
  stop_proxy (proxy);
  netsip_test_child_free (uac);
  netsip_test_child_free (uas);
  netsip_test_remove_tree (dir);
}

static void
test_sipp_udp (void)
{
  run_sipp (FALSE);
}

static void
test_sipp_tcp (void)
{
  run_sipp (TRUE);
}

/* sipp with [authentication] (MD5: sipp 3.6.1 reads only the first
 * challenge; the proxy's default offers MD5 first, no option needed): N_AUTH REGISTERs at the
 * registrar (401), then N_AUTH calls through the proxy (407) to sipp's uas. */
#define N_AUTH 20

static GPtrArray *
sipp_auth_argv (const char *dir,
                const char *scenario,
                const char *name,
                const char *stat_file)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

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
  g_ptr_array_add (argv, g_strdup ("alice"));
  g_ptr_array_add (argv, g_strdup ("-au"));
  g_ptr_array_add (argv, g_strdup ("alice"));
  g_ptr_array_add (argv, g_strdup ("-ap"));
  g_ptr_array_add (argv, g_strdup ("secret-a"));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", N_AUTH));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup ("20"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("30s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-recv_timeout"));
  g_ptr_array_add (argv, g_strdup ("10000"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup (stat_file));
  g_ptr_array_add (argv, g_strdup ("-fd"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s-errors.log", dir, name));
  return argv;
}

static void
check_sipp_n (NetSipTestChild *c,
              const char      *name,
              const char      *dir,
              const char      *stat_file,
              gint64           n)
{
  g_autofree char *err_path = g_strdup_printf ("%s/%s-errors.log", dir, name);
  g_autofree char *errors = NULL;

  g_test_message ("%s: exit %d, successful %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT, name,
                  c->status, netsip_test_sipp_stat (stat_file, "SuccessfulCall(C)"),
                  netsip_test_sipp_stat (stat_file, "FailedCall(C)"));
  if (g_file_get_contents (err_path, &errors, NULL, NULL) && *errors)
    g_test_message ("%s: %.3000s", err_path, errors);
  g_assert_cmpint (c->status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat_file, "SuccessfulCall(C)"), ==, n);
  g_assert_cmpint (netsip_test_sipp_stat (stat_file, "FailedCall(C)"), ==, 0);
  g_assert_true (errors == NULL || strstr (errors, "nexpected") == NULL);
}

static NetSipTestChild *
start_auth_proxy (const char *dir)
{
  g_autofree char *users = netsip_test_write_file (dir, "users.txt", "alice:secret-a\n", -1);
  const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--users", users, NULL };
  return start_proxy (a, 1);
}

static void
test_sipp_auth_register (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *stat = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) sipp = NULL;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-auth-XXXXXX", &error);
  g_assert_no_error (error);
  stat = g_build_filename (dir, "register.csv", NULL);
  proxy = start_auth_proxy (dir);
  argv = sipp_auth_argv (dir, "sipp-auth-register.xml", "register", stat);
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (proxy, "udp:127.0.0.1:")));
  sipp = netsip_test_child_spawn_array (NULL, argv);
  g_assert_true (netsip_test_child_wait_exit (sipp, 60));
  check_sipp_n (sipp, "register", dir, stat, N_AUTH);

  g_subprocess_send_signal (proxy->proc, SIGUSR1);
  g_assert_true (netsip_test_child_wait_text (proxy, 1, "proxy-auth accepted=", 10));
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar registered=", "registered"), ==, N_AUTH);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "accepted"), ==, N_AUTH);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "challenged"), ==, N_AUTH);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "rejected"), ==, 0);
  stop_proxy (proxy);
  netsip_test_remove_tree (dir);
}

static void
test_sipp_auth_call (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *uac_stat = NULL, *uas_stat = NULL;
  g_autoptr(GPtrArray) uac_argv = NULL, uas_argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) uas = NULL;
  g_autoptr(NetSipTestChild) uac = NULL;
  guint uas_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  gint64 deadline;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-auth-XXXXXX", &error);
  g_assert_no_error (error);
  uac_stat = g_build_filename (dir, "uac.csv", NULL);
  uas_stat = g_build_filename (dir, "uas.csv", NULL);
  proxy = start_auth_proxy (dir);

  uas_argv = sipp_argv (dir, "uas", uas_port, FALSE, uas_stat);
  /* sipp_argv asks N_CALLS: this run has N_AUTH */
  for (guint i = 0; i < uas_argv->len; i++)
    if (g_str_equal (g_ptr_array_index (uas_argv, i), "-m"))
      {
        g_free (uas_argv->pdata[i + 1]);
        uas_argv->pdata[i + 1] = g_strdup_printf ("%u", N_AUTH);
      }
  uas = netsip_test_child_spawn_array (NULL, uas_argv);
  deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
  while (!netsip_test_port_bound (uas_port, G_SOCKET_TYPE_DATAGRAM))
    {
      g_assert_false (netsip_test_child_done (uas));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_iterate ();
    }

  uac_argv = sipp_auth_argv (dir, "sipp-proxy-auth-call.xml", "call", uac_stat);
  /* sipp's digest uri is the remote address unless told */
  g_ptr_array_add (uac_argv, g_strdup ("-auth_uri"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("bob@127.0.0.1:%u", uas_port));
  g_ptr_array_add (uac_argv, g_strdup ("-rsa"));
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (proxy, "udp:127.0.0.1:")));
  g_ptr_array_add (uac_argv, g_strdup_printf ("127.0.0.1:%u", uas_port));
  uac = netsip_test_child_spawn_array (NULL, uac_argv);
  netsip_test_child_wait_exit (uac, 60);
  netsip_test_child_wait_exit (uas, 20);

  g_subprocess_send_signal (proxy->proc, SIGUSR1);
  g_assert_true (netsip_test_child_wait_text (proxy, 1, "proxy-auth accepted=", 10));
  g_test_message ("proxy: %s", proxy->text[1]->str);
  check_sipp_n (uac, "call", dir, uac_stat, N_AUTH);
  check_sipp_n (uas, "uas", dir, uas_stat, N_AUTH);
  /* INVITE and BYE of every call challenged once and accepted once */
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "accepted"), ==, 2 * N_AUTH);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "challenged"), ==, 2 * N_AUTH);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "rejected"), ==, 0);
  stop_proxy (proxy);
  netsip_test_remove_tree (dir);
}

/* restart: sipp registers N_MANY addresses of record at netsip-proxy on an
 * SQLite file (tests/interop/sipp-register-many.xml: sip:user<n>@example.com);
 * the proxy is killed with SIGKILL by its PID; a new netsip-proxy on the same
 * file answers a REGISTER query (no Contact, RFC 3261 §10.2.3) for each of
 * them with 200 and that user's contact. */
#define N_MANY 1000

static char *
query_binding (GSocket        *socket,
               GSocketAddress *proxy,
               guint           n)
{
  g_autofree char *request = NULL;
  char buffer[4096];
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  guint16 port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  request = g_strdup_printf ("REGISTER sip:example.com SIP/2.0\r\n"
                             "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKquery%u;rport\r\n"
                             "Max-Forwards: 70\r\n"
                             "From: <sip:user%u@example.com>;tag=q%u\r\n"
                             "To: <sip:user%u@example.com>\r\n"
                             "Call-ID: query-%u@127.0.0.1\r\n"
                             "CSeq: 1 REGISTER\r\n"
                             "Content-Length: 0\r\n\r\n", port, n, n, n, n, n);
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      g_autoptr(GError) error = NULL;
      gssize len;

      g_assert_cmpint (g_socket_send_to (socket, proxy, request, strlen (request), NULL, &error), >, 0);
      g_assert_no_error (error);
      len = g_socket_receive (socket, buffer, sizeof buffer - 1, NULL, &error);
      if (len < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        continue;
      g_assert_no_error (error);
      buffer[len] = '\0';
      return g_strdup (buffer);
    }
  return NULL;
}

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *db = NULL, *stat = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) again = NULL;
  g_autoptr(NetSipTestChild) sipp = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) proxy_address = NULL;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-restart-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "bindings.db", NULL);
  stat = g_build_filename (dir, "register.csv", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.com",
                        "--bindings-db", db, NULL };
    proxy = start_proxy (a, 1);
  }
  argv = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (argv, g_strdup (sipp_path));
  g_ptr_array_add (argv, g_strdup ("-sf"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "sipp-register-many.xml", NULL));
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  g_ptr_array_add (argv, g_strdup ("-mp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", N_MANY));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup ("50"));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup ("250"));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("60s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-recv_timeout"));
  g_ptr_array_add (argv, g_strdup ("10000"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup (stat));
  g_ptr_array_add (argv, g_strdup ("-fd"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/register-errors.log", dir));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (proxy, "udp:127.0.0.1:")));
  sipp = netsip_test_child_spawn_array (NULL, argv);
  g_assert_true (netsip_test_child_wait_exit (sipp, 90));
  check_sipp_n (sipp, "register", dir, stat, N_MANY);

  /* every 200 has left the proxy: kill -9 it, by its PID */
  g_subprocess_send_signal (proxy->proc, SIGKILL);
  g_assert_true (netsip_test_child_wait_exit (proxy, 20));
  g_assert_cmpint (proxy->signal, ==, SIGKILL);

  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.com",
                        "--bindings-db", db, NULL };
    again = start_proxy (a, 1);
  }
  proxy_address = g_inet_socket_address_new (lo, netsip_test_child_listening_port (again, "udp:127.0.0.1:"));
  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_socket_set_timeout (socket, 2);
  for (guint n = 1; n <= N_MANY; n++)
    {
      g_autofree char *response = query_binding (socket, proxy_address, n);
      g_autofree char *contact = g_strdup_printf ("<sip:user%u@127.0.0.1:", n);

      g_assert_nonnull (response);
      if (!g_str_has_prefix (response, "SIP/2.0 200 ") || strstr (response, contact) == NULL)
        g_test_message ("query for user%u: %s", n, response);
      g_assert_true (g_str_has_prefix (response, "SIP/2.0 200 "));
      g_assert_nonnull (strstr (response, contact));
    }
  stop_proxy (again);
  netsip_test_remove_tree (dir);
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

static NetSipTestChild *
start_phone (const char *mode,
             const char *bind,
             guint       proxy_port_n,
             const char *user,
             const char *password,
             const char *to)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "proxy-phone.pl", NULL));
  g_ptr_array_add (argv, g_strdup ("--mode"));
  g_ptr_array_add (argv, g_strdup (mode));
  g_ptr_array_add (argv, g_strdup ("--bind"));
  g_ptr_array_add (argv, g_strdup (bind));
  g_ptr_array_add (argv, g_strdup ("--proxy"));
  g_ptr_array_add (argv, g_strdup_printf ("%s:%u", bind, proxy_port_n));
  g_ptr_array_add (argv, g_strdup ("--user"));
  g_ptr_array_add (argv, g_strdup (user));
  if (password)
    {
      g_ptr_array_add (argv, g_strdup ("--password"));
      g_ptr_array_add (argv, g_strdup (password));
    }
  g_ptr_array_add (argv, g_strdup ("--domain"));
  g_ptr_array_add (argv, g_strdup ("example.com"));
  if (to)
    {
      g_ptr_array_add (argv, g_strdup ("--to"));
      g_ptr_array_add (argv, g_strdup (to));
    }
  return netsip_test_child_spawn_array (NULL, argv);
}

/* `KEY <packets> <octets>` in a phone's output */
static void
phone_counts (NetSipTestChild *c,
              const char      *key,
              gint64          *packets,
              gint64          *octets)
{
  g_autofree char *needle = g_strdup_printf ("%s ", key);
  const char *p = strstr (c->text[0]->str, needle);
  char *end = NULL;

  g_assert_nonnull (p);
  *packets = g_ascii_strtoll (p + strlen (needle), &end, 10);
  *octets = g_ascii_strtoll (end, NULL, 10);
}

static void
test_perl_register_call (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *users = NULL, *db = NULL, *contact_line = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) callee = NULL;
  g_autoptr(NetSipTestChild) caller = NULL;
  const char *ready;
  gint64 tx_p, tx_o, rx_p, rx_o;
  guint port;

  if (!have_net_sip ())
    {
      g_test_skip ("Perl Net::SIP (Debian libnet-sip-perl) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-perl-XXXXXX", &error);
  g_assert_no_error (error);
  /* bob by password, alice by her MD5 HA1: MD5("alice:example.com:secret-a") */
  {
    g_autofree char *ha1 = g_compute_checksum_for_string (G_CHECKSUM_MD5, "alice:example.com:secret-a", -1);
    g_autofree char *text = g_strdup_printf ("bob:secret-b\nalice:example.com:%s\n", ha1);
    users = netsip_test_write_file (dir, "users.txt", text, -1);
  }
  db = g_build_filename (dir, "bindings.db", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.com",
                        "--users", users, "--realm", "example.com", "--record-route",
                        "--bindings-db", db, NULL };
    proxy = start_proxy (a, 1);
  }
  port = netsip_test_child_listening_port (proxy, "udp:127.0.0.1:");

  callee = start_phone ("callee", "127.0.0.1", port, "bob", "secret-b", NULL);
  g_assert_true (netsip_test_child_wait_text (callee, 0, "REGISTER ", 20));
  g_assert_true (netsip_test_child_wait_text (callee, 0, "REGISTER 300\n", 1));
  ready = strstr (callee->text[0]->str, "READY ");
  g_assert_nonnull (ready);
  /* the INVITE reached bob at his registered contact */
  contact_line = g_strdup_printf ("INVITE sip:bob@%.*s\n", (int) strcspn (ready + 6, "\n"), ready + 6);

  caller = start_phone ("caller", "127.0.0.1", port, "alice", "secret-a", "sip:bob@example.com");
  g_assert_true (netsip_test_child_wait_exit (caller, 40));
  g_assert_true (netsip_test_child_wait_exit (callee, 20));
  g_test_message ("caller: %s\ncallee: %s", caller->text[0]->str, callee->text[0]->str);
  g_assert_cmpint (caller->status, ==, 0);
  g_assert_cmpint (callee->status, ==, 0);
  g_assert_nonnull (strstr (caller->text[0]->str, "INVITE 200\n"));
  g_assert_nonnull (strstr (caller->text[0]->str, "BYE done\n"));
  g_assert_nonnull (strstr (callee->text[0]->str, contact_line));
  g_assert_nonnull (strstr (callee->text[0]->str, "ESTABLISHED\n"));
  g_assert_nonnull (strstr (callee->text[0]->str, "CLOSED\n"));
  phone_counts (caller, "RTP-SENT", &tx_p, &tx_o);
  phone_counts (callee, "RTP-RECEIVED", &rx_p, &rx_o);
  g_assert_cmpint (tx_p, ==, 50);
  g_assert_cmpint (rx_p, ==, tx_p);
  g_assert_cmpint (rx_o, ==, tx_o);

  /* both were challenged and got through: REGISTER (401), INVITE and BYE (407) */
  g_subprocess_send_signal (proxy->proc, SIGUSR1);
  g_assert_true (netsip_test_child_wait_text (proxy, 1, "proxy-auth accepted=", 10));
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "accepted"), >=, 1);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "challenged"), >=, 1);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar-auth accepted=", "rejected"), ==, 0);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "accepted"), >=, 2);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "challenged"), >=, 1);
  g_assert_cmpint (log_value (proxy->text[1]->str, "proxy-auth accepted=", "rejected"), ==, 0);
  g_assert_cmpint (log_value (proxy->text[1]->str, "registrar registered=", "registered"), ==, 1);
  stop_proxy (proxy);
  netsip_test_remove_tree (dir);
}

/* @data: the caller's side, "127.0.0.2" (the callee on 127.0.0.1) or
 * "127.0.0.1" (the callee on 127.0.0.2) */
static void
test_perl_nat_relay (gconstpointer data)
{
  const char *caller_ip = data;
  const char *callee_ip = g_str_equal (caller_ip, "127.0.0.1") ? "127.0.0.2" : "127.0.0.1";
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) callee = NULL;
  g_autoptr(NetSipTestChild) caller = NULL;
  gint64 caller_tx_p, caller_tx_o, caller_rx_p, caller_rx_o;
  gint64 callee_rx_p, callee_rx_o, callee_tx_p, callee_tx_o;
  const char *log;
  g_autofree char *caller_leg = g_strdup_printf ("udp:%s:", caller_ip);
  g_autofree char *callee_leg = g_strdup_printf ("udp:%s:", callee_ip);
  guint caller_port, callee_port;

  if (!have_net_sip ())
    {
      g_test_skip ("Perl Net::SIP (Debian libnet-sip-perl) is not installed");
      return;
    }
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--listen", "udp:127.0.0.2:0",
                        "--registrar", "--domain", "example.com", "--record-route",
                        "--nat-helper", NULL };
    proxy = start_proxy (a, 2);
  }
  caller_port = netsip_test_child_listening_port (proxy, caller_leg);
  callee_port = netsip_test_child_listening_port (proxy, callee_leg);

  /* bob registers and is called over one leg, alice calls over the other */
  callee = start_phone ("callee", callee_ip, callee_port, "bob", NULL, NULL);
  g_assert_true (netsip_test_child_wait_text (callee, 0, "REGISTER 300\n", 20));
  caller = start_phone ("caller", caller_ip, caller_port, "alice", NULL, "sip:bob@example.com");
  g_assert_true (netsip_test_child_wait_exit (caller, 40));
  g_assert_true (netsip_test_child_wait_exit (callee, 20));
  g_test_message ("caller: %s\ncallee: %s", caller->text[0]->str, callee->text[0]->str);
  g_assert_cmpint (caller->status, ==, 0);
  g_assert_cmpint (callee->status, ==, 0);

  /* the relay logs its counters when the session closes, 1 s after the BYE */
  g_assert_true (netsip_test_child_wait_text (proxy, 1, "relay call-id=", 5));
  log = proxy->text[1]->str;
  g_test_message ("proxy: %s", log);
  g_assert_nonnull (strstr (log, " state=bye media=0 "));

  phone_counts (caller, "RTP-SENT", &caller_tx_p, &caller_tx_o);
  phone_counts (caller, "RTP-RECEIVED", &caller_rx_p, &caller_rx_o);
  phone_counts (callee, "RTP-RECEIVED", &callee_rx_p, &callee_rx_o);
  phone_counts (callee, "RTP-SENT", &callee_tx_p, &callee_tx_o);
  g_assert_cmpint (caller_tx_p, ==, 50);
  /* caller -> relay -> callee */
  g_assert_cmpint (log_value (log, "relay call-id=", "packets-from-caller"), ==, caller_tx_p);
  g_assert_cmpint (log_value (log, "relay call-id=", "bytes-from-caller"), ==, caller_tx_o);
  g_assert_cmpint (callee_rx_p, ==, caller_tx_p);
  g_assert_cmpint (callee_rx_o, ==, caller_tx_o);
  /* callee (echo) -> relay -> caller */
  g_assert_cmpint (log_value (log, "relay call-id=", "packets-from-callee"), ==, callee_tx_p);
  g_assert_cmpint (log_value (log, "relay call-id=", "bytes-from-callee"), ==, callee_tx_o);
  g_assert_cmpint (caller_rx_p, ==, callee_tx_p);
  g_assert_cmpint (caller_rx_o, ==, callee_tx_o);
  g_assert_cmpint (log_value (log, "relay call-id=", "dropped"), ==, 0);
  stop_proxy (proxy);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sipp_path = g_find_program_in_path ("sipp");

  g_test_add_func ("/netsip-proxy/cli", test_cli);
  g_test_add_func ("/netsip-proxy/tls", test_tls);
  g_test_add_func ("/netsip-proxy/sipp-udp", test_sipp_udp);
  g_test_add_func ("/netsip-proxy/sipp-tcp", test_sipp_tcp);
  g_test_add_func ("/netsip-proxy/sipp-auth-register", test_sipp_auth_register);
  g_test_add_func ("/netsip-proxy/sipp-auth-call", test_sipp_auth_call);
  g_test_add_func ("/netsip-proxy/restart", test_restart);
  g_test_add_func ("/netsip-proxy/perl-register-call", test_perl_register_call);
  g_test_add_data_func ("/netsip-proxy/perl-nat-relay", "127.0.0.2", test_perl_nat_relay);
  g_test_add_data_func ("/netsip-proxy/perl-nat-relay-reverse", "127.0.0.1", test_perl_nat_relay);
  {
    int status = g_test_run ();
    g_free (sipp_path);
    return status;
  }
}
