/* test-netsip-perl.c: NetSipLeg against a real peer, Perl Net::SIP
 * (libnet-sip-perl), over UDP, TCP and TLS on loopback
 *
 * Two directions per transport and address family:
 *   /interop/perl-uas/<t>: tests/interop/uas.pl listens; a netsip leg sends
 *     it an OPTIONS built with the netsip API and must get the 200 back on
 *     NetSipLeg::message-received, with the request's Call-ID, CSeq and Via
 *     branch.
 *   /interop/perl-uac/<t>: a netsip leg answers OPTIONS with 200 (in its
 *     message-received handler: create_response + deliver_async back to the
 *     source); tests/interop/uac.pl sends one and must exit 0 printing
 *     `RESPONSE 200`.
 *
 * The Perl peer is a child process: started with GSubprocess, its READY
 * line read with a timeout, ended by its PID (g_subprocess_force_exit +
 * wait) in teardown whatever happened. A failed g_assert aborts the test
 * before teardown, so the child is also started with PR_SET_PDEATHSIG and
 * each script has its own --timeout. The tests skip only when perl or
 * Net::SIP is missing (CI installs libnet-sip-perl).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "netsip-leg.h"
#include "netsip-source-info.h"
#include "child-process.h"
#include "tls-certs.h"

#include <glib/gstdio.h>
#include <string.h>
#ifdef __linux__
#include <signal.h>
#endif

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

/* seconds */
#define READY_TIMEOUT 10
#define RESPONSE_TIMEOUT 10
#define PEER_EXIT_TIMEOUT 20

typedef struct
{
  const char    *name;      /* test path component */
  const char    *proto;     /* udp, tcp, tls */
  const char    *address;   /* loopback, as a leg spec writes it */
  const char    *uri_host;  /* host in URIs */
  gboolean       ipv6;
} Variant;

static const Variant variants[] = {
  { "udp",  "udp", "127.0.0.1", "127.0.0.1", FALSE },
  { "tcp",  "tcp", "127.0.0.1", "127.0.0.1", FALSE },
  { "tls",  "tls", "127.0.0.1", "127.0.0.1", FALSE },
  { "udp6", "udp", "[::1]",     "[::1]",     TRUE },
  { "tcp6", "tcp", "[::1]",     "[::1]",     TRUE },
  { "tls6", "tls", "[::1]",     "[::1]",     TRUE },
};

typedef struct
{
  const Variant    *variant;
  gboolean          not_ready;      /* fixture_setup skipped or failed */
  GMainLoop        *loop;
  char             *certdir;        /* TLS only; removed in teardown */
  GTlsCertificate  *certificate;
  GTlsDatabase     *database;
  NetSipLeg        *leg;
  gulong            handler;

  /* the Perl peer */
  GSubprocess      *peer;
  GDataInputStream *peer_out;
  char             *peer_line;      /* last line read */
  gboolean          peer_line_done;
  char             *peer_stdout;    /* all of it, uac.pl */
  gboolean          peer_exited;

  /* perl-uas: the response we got */
  NetSipMessage    *response;
  NetSipSourceInfo *response_source;
  /* perl-uac: requests answered */
  guint             n_requests;
  guint             n_other;        /* anything but an OPTIONS request */
  char             *request_callid;

  /* deliver_async */
  guint             n_delivered;
  GError           *deliver_error;

  gboolean          timed_out;
} Fixture;

static char *perl_path;
static char *perl_missing;   /* why the tests skip, or NULL */
static char *tls_missing;    /* why the TLS variants fail, or NULL */
static gboolean have_ipv6;

/* ------------------------------------------------------------------ */
/* helpers */

static gboolean
timeout_cb (gpointer user_data)
{
  Fixture *f = user_data;

  f->timed_out = TRUE;
  g_main_loop_quit (f->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until *flag is true or @seconds pass; returns *flag. */
static gboolean
run_until (Fixture  *f,
           gboolean *flag,
           guint     seconds)
{
  guint id;

  f->timed_out = FALSE;
  if (*flag)
    return TRUE;
  id = g_timeout_add_seconds (seconds, timeout_cb, f);
  while (!*flag && !f->timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!f->timed_out)
    g_source_remove (id);
  return *flag;
}

static char *
leg_spec (const Fixture *f)
{
  return g_strdup_printf ("%s:%s:0", f->variant->proto, f->variant->address);
}

static char *
bare_address (const Variant *v)
{
  /* "[::1]" -> "::1" */
  if (v->address[0] == '[')
    return g_strndup (v->address + 1, strlen (v->address) - 2);
  return g_strdup (v->address);
}

static char *
cert_file (const Fixture *f,
           const char    *name)
{
  return g_build_filename (f->certdir, name, NULL);
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
        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rm_rf (child);
        else
          g_unlink (child);
      }
  g_rmdir (path);
}

static char *
random_token (const char *prefix)
{
  return g_strdup_printf ("%s%08x%08x", prefix, g_random_int (), g_random_int ());
}

/* ------------------------------------------------------------------ */
/* the Perl peer */

static void
peer_line_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  g_free (f->peer_line);
  f->peer_line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                            result, NULL, &error);
  if (error)
    g_test_message ("reading the peer's stdout: %s", error->message);
  f->peer_line_done = TRUE;
}

/* Reads one line of the peer's stdout with a timeout; NULL on EOF or
 * timeout. */
static char *
peer_read_line (Fixture *f,
                guint    seconds)
{
  g_autoptr(GCancellable) cancel = g_cancellable_new ();

  f->peer_line_done = FALSE;
  g_clear_pointer (&f->peer_line, g_free);
  g_data_input_stream_read_line_async (f->peer_out, G_PRIORITY_DEFAULT, cancel,
                                       peer_line_cb, f);
  if (!run_until (f, &f->peer_line_done, seconds))
    {
      g_cancellable_cancel (cancel);
      /* let the read finish with G_IO_ERROR_CANCELLED */
      while (!f->peer_line_done)
        g_main_context_iteration (NULL, TRUE);
      return NULL;
    }
  return g_steal_pointer (&f->peer_line);
}

static GSubprocess *
peer_spawn (Fixture           *f,
            GSubprocessFlags   flags,
            const char        *script,
            const char *const *args,
            GError           **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  g_subprocess_launcher_set_child_setup (launcher, netsip_test_child_setup, NULL, NULL);
  g_ptr_array_add (argv, g_strdup (perl_path));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, script, NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  joined = g_strjoinv (" ", (char **) argv->pdata);
  g_test_message ("starting %s", joined);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
}

static void
peer_wait_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    g_test_message ("waiting for the peer: %s", error->message);
  f->peer_exited = TRUE;
}

/* Starts uas.pl and reads its READY line; returns the port, 0 on failure
 * (the test is then marked failed). */
static guint16
start_uas (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *line = NULL;
  g_autofree char *addr = bare_address (f->variant);
  guint64 port = 0;

  g_ptr_array_add (args, g_strdup ("--proto"));
  g_ptr_array_add (args, g_strdup (f->variant->proto));
  g_ptr_array_add (args, g_strdup ("--addr"));
  g_ptr_array_add (args, g_strdup (addr));
  g_ptr_array_add (args, g_strdup ("--port"));
  g_ptr_array_add (args, g_strdup ("0"));
  g_ptr_array_add (args, g_strdup ("--count"));
  g_ptr_array_add (args, g_strdup ("1"));
  g_ptr_array_add (args, g_strdup ("--timeout"));
  g_ptr_array_add (args, g_strdup ("30"));
  if (f->certdir)
    {
      g_ptr_array_add (args, g_strdup ("--cert"));
      g_ptr_array_add (args, cert_file (f, NETSIP_TEST_SERVER_CERT));
      g_ptr_array_add (args, g_strdup ("--key"));
      g_ptr_array_add (args, cert_file (f, NETSIP_TEST_SERVER_KEY));
      g_ptr_array_add (args, g_strdup ("--ca"));
      g_ptr_array_add (args, cert_file (f, NETSIP_TEST_CA_CERT));
    }
  g_ptr_array_add (args, NULL);

  f->peer = peer_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "uas.pl",
                        (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  f->peer_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->peer));

  line = peer_read_line (f, READY_TIMEOUT);
  if (line == NULL || !g_str_has_prefix (line, "READY ")
      || !g_ascii_string_to_unsigned (line + 6, 10, 1, 65535, &port, NULL))
    {
      g_test_fail_printf ("uas.pl did not print READY <port> within %d s (got %s)",
                          READY_TIMEOUT, line ? line : f->timed_out ? "a timeout" : "end of output");
      return 0;
    }
  g_test_message ("uas.pl listens on %s port %u", f->variant->proto, (guint) port);
  return (guint16) port;
}

/* ------------------------------------------------------------------ */
/* fixture */

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  f->variant = data;
  f->loop = g_main_loop_new (NULL, FALSE);

  if (perl_missing)
    {
      g_test_skip (perl_missing);
      f->not_ready = TRUE;
      return;
    }
  if (f->variant->ipv6 && !have_ipv6)
    {
      g_test_skip ("no IPv6 loopback (::1) on this machine");
      f->not_ready = TRUE;
      return;
    }

  if (strcmp (f->variant->proto, "tls") == 0 && tls_missing)
    {
      g_test_fail_printf ("%s", tls_missing);
      f->not_ready = TRUE;
      return;
    }
  if (strcmp (f->variant->proto, "tls") == 0)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *cert = NULL;
      g_autofree char *key = NULL;
      g_autofree char *ca = NULL;

      f->certdir = g_dir_make_tmp ("netsip-interop-XXXXXX", &error);
      g_assert_no_error (error);
      if (!netsip_test_make_certs (f->certdir, &error))
        {
          /* not an assertion: the other variants still run */
          g_test_fail_printf ("netsip_test_make_certs: %s", error->message);
          f->not_ready = TRUE;
          return;
        }
      cert = cert_file (f, NETSIP_TEST_SERVER_CERT);
      key = cert_file (f, NETSIP_TEST_SERVER_KEY);
      ca = cert_file (f, NETSIP_TEST_CA_CERT);
      f->certificate = g_tls_certificate_new_from_files (cert, key, &error);
      g_assert_no_error (error);
      f->database = g_tls_file_database_new (ca, &error);
      g_assert_no_error (error);
    }
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  if (f->peer)
    {
      /* by PID, whatever state the test left it in */
      if (!f->peer_exited)
        {
          g_subprocess_force_exit (f->peer);
          g_subprocess_wait (f->peer, NULL, NULL);
        }
      g_clear_object (&f->peer);
    }
  g_clear_object (&f->peer_out);
  if (f->leg && f->handler)
    g_signal_handler_disconnect (f->leg, f->handler);
  g_clear_object (&f->leg);
  /* let pending callbacks of the leg run before the fixture goes */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&f->response);
  g_clear_object (&f->response_source);
  g_clear_error (&f->deliver_error);
  g_clear_object (&f->certificate);
  g_clear_object (&f->database);
  if (f->certdir)
    rm_rf (f->certdir);
  g_clear_pointer (&f->certdir, g_free);
  g_clear_pointer (&f->peer_line, g_free);
  g_clear_pointer (&f->peer_stdout, g_free);
  g_clear_pointer (&f->request_callid, g_free);
  g_clear_pointer (&f->loop, g_main_loop_unref);
}

static NetSipLeg *
make_leg (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = leg_spec (f);
  NetSipLeg *leg;

  if (f->certificate)
    leg = net_sip_leg_new_tls (spec, f->certificate, f->database, &error);
  else
    leg = net_sip_leg_new (spec, &error);
  if (leg == NULL)
    {
      /* not an assertion: the other variants still run */
      g_test_fail_printf ("net_sip_leg_new (\"%s\"): %s", spec,
                          error ? error->message : "NULL without an error");
      return NULL;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_leg_get_port (leg), !=, 0);
  return leg;
}

static GInetSocketAddress *
loopback_address (const Fixture *f,
                  guint16        port)
{
  g_autoptr(GInetAddress) a =
    g_inet_address_new_loopback (f->variant->ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (a, port));
}

static void
deliver_cb (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  Fixture *f = user_data;
  GError *error = NULL;

  if (!net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &error))
    {
      g_test_message ("deliver_async failed: %s", error->message);
      if (f->deliver_error == NULL)
        f->deliver_error = error;
      else
        g_error_free (error);
    }
  f->n_delivered++;
}

/* ------------------------------------------------------------------ */
/* a netsip leg sends OPTIONS to uas.pl */

static void
uas_message_received (NetSipLeg        *leg,
                      NetSipMessage    *message,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = net_sip_message_to_string (message);
  g_autofree char *from = net_sip_source_info_to_string (source);

  g_test_message ("netsip leg received from %s:\n%s", from, text);
  if (f->response || net_sip_message_is_request (message))
    {
      f->n_other++;
      return;
    }
  f->response = g_object_ref (message);
  f->response_source = g_object_ref (source);
}

static void
test_perl_uas (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(NetSipRequest) request = NULL;
  NetSipVia *via;                 /* transfer none */
  NetSipVia *response_via;
  g_autoptr(GInetSocketAddress) destination = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *uri = NULL;
  g_autofree char *from = NULL;
  g_autofree char *to = NULL;
  g_autofree char *callid = NULL;
  g_autofree char *tag = NULL;
  g_autofree char *branch = NULL;
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;
  NetSipMessage *m;
  guint16 perl_port, leg_port;
  const char *method = NULL;
  guint32 cseq = 0;
  gint status;

  if (f->not_ready)
    return;

  perl_port = start_uas (f);
  if (perl_port == 0)
    return;

  f->leg = make_leg (f);
  if (f->leg == NULL)
    return;
  leg_port = net_sip_leg_get_port (f->leg);
  f->handler = g_signal_connect (f->leg, "message-received",
                                 G_CALLBACK (uas_message_received), f);

  /* RFC 3261 §8.1.1: the headers a UAC puts in every request */
  uri = g_strdup_printf ("%s:%s:%u%s", strcmp (f->variant->proto, "tls") == 0 ? "sips" : "sip",
                         f->variant->uri_host, perl_port,
                         strcmp (f->variant->proto, "tcp") == 0 ? ";transport=tcp" : "");
  callid = random_token ("netsip-interop-");
  tag = random_token ("t");
  from = g_strdup_printf ("<sip:netsip@%s:%u>;tag=%s", f->variant->uri_host, leg_port, tag);
  to = g_strdup_printf ("<%s>", uri);
  request = net_sip_request_new ("OPTIONS", uri);
  m = NET_SIP_MESSAGE (request);
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", callid);
  net_sip_message_add_header (m, "CSeq", "4711 OPTIONS");
  net_sip_message_add_header (m, "Accept", "application/sdp");

  /* The leg's own Via, with a fresh branch; deliver_async must not add a
   * second one on top. */
  net_sip_leg_add_via (f->leg, NET_SIP_MESSAGE (request));
  g_assert_cmpuint (net_sip_message_count_headers (m, "Via"), ==, 1);
  via = net_sip_message_get_top_via (m, &error);
  g_assert_no_error (error);
  branch = g_strdup (net_sip_via_get_branch (via));
  g_assert_nonnull (branch);
  g_assert_true (g_str_has_prefix (branch, "z9hG4bK"));
  g_assert_cmpuint (strlen (branch), >=, strlen ("z9hG4bK") + 16);
  g_assert_cmpstr (net_sip_via_get_transport (via), ==,
                   strcmp (f->variant->proto, "udp") == 0 ? "UDP" :
                   strcmp (f->variant->proto, "tcp") == 0 ? "TCP" : "TLS");
  g_assert_cmpuint (net_sip_via_get_port (via), ==, leg_port);

  text = net_sip_message_to_string (m);
  g_test_message ("netsip leg sends to port %u:\n%s", perl_port, text);

  destination = loopback_address (f, perl_port);
  net_sip_leg_deliver_async (f->leg, m, destination, NULL, deliver_cb, f);

  /* the response, on message-received */
  f->timed_out = FALSE;
  {
    guint id = g_timeout_add_seconds (RESPONSE_TIMEOUT, timeout_cb, f);
    while (!f->timed_out && (f->response == NULL || f->n_delivered == 0))
      g_main_context_iteration (NULL, TRUE);
    if (!f->timed_out)
      g_source_remove (id);
  }
  if (f->deliver_error)
    {
      g_test_fail_printf ("deliver_async to uas.pl failed: %s", f->deliver_error->message);
      return;
    }
  if (f->n_delivered == 0)
    {
      g_test_fail_printf ("deliver_async did not complete within %d s", RESPONSE_TIMEOUT);
      return;
    }
  if (f->response == NULL)
    {
      g_test_fail_printf ("no response from uas.pl on message-received within %d s",
                          RESPONSE_TIMEOUT);
      return;
    }

  /* the request is on the peer's stdout: it parsed ours */
  line = peer_read_line (f, READY_TIMEOUT);
  g_assert_nonnull (line);
  g_test_message ("uas.pl: %s", line);
  g_assert_true (g_str_has_prefix (line, "REQUEST OPTIONS "));
  g_assert_true (g_str_has_suffix (line, callid));

  /* RFC 3261 §8.1.3.3: the response matches the request */
  m = f->response;
  g_assert_false (net_sip_message_is_request (m));
  g_assert_true (NET_SIP_IS_RESPONSE (m));
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 200);
  g_assert_cmpstr (net_sip_message_get_call_id (m), ==, callid);
  g_assert_true (net_sip_message_get_cseq (m, &cseq, &method, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (cseq, ==, 4711);
  g_assert_cmpstr (method, ==, "OPTIONS");
  g_assert_cmpstr (net_sip_message_get_from_tag (m), ==, tag);
  g_assert_nonnull (net_sip_message_get_to_tag (m));
  response_via = net_sip_message_get_top_via (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_via_get_branch (response_via), ==, branch);
  g_assert_true (net_sip_leg_check_via (f->leg, m));
  g_assert_cmpuint (net_sip_message_count_headers (m, "Via"), ==, 1);

  /* where it came from */
  g_assert_cmpint (net_sip_source_info_get_transport (f->response_source), ==,
                   strcmp (f->variant->proto, "udp") == 0 ? NET_SIP_TRANSPORT_UDP :
                   strcmp (f->variant->proto, "tcp") == 0 ? NET_SIP_TRANSPORT_TCP :
                   NET_SIP_TRANSPORT_TLS);
  {
    GInetSocketAddress *remote = net_sip_source_info_get_remote_address (f->response_source);
    g_assert_nonnull (remote);
    g_assert_true (g_inet_address_get_is_loopback (g_inet_socket_address_get_address (remote)));
    /* UDP: uas.pl answers from its one socket; TCP/TLS: over the
     * connection our request opened to its listening port */
    g_assert_cmpuint (g_inet_socket_address_get_port (remote), ==, perl_port);
    if (strcmp (f->variant->proto, "tls") == 0)
      g_assert_nonnull (net_sip_source_info_get_peer_certificate (f->response_source));
  }
  g_assert_cmpuint (f->n_other, ==, 0);

  /* uas.pl exits 0 after one request */
  g_subprocess_wait_async (f->peer, NULL, peer_wait_cb, f);
  if (!run_until (f, &f->peer_exited, PEER_EXIT_TIMEOUT))
    {
      g_test_fail_printf ("uas.pl did not exit within %d s", PEER_EXIT_TIMEOUT);
      return;
    }
  g_assert_true (g_subprocess_get_if_exited (f->peer));
  status = g_subprocess_get_exit_status (f->peer);
  g_assert_cmpint (status, ==, 0);
}

/* ------------------------------------------------------------------ */
/* uac.pl sends OPTIONS to a netsip leg */

static void
uac_message_received (NetSipLeg        *leg,
                      NetSipMessage    *message,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Fixture *f = user_data;
  g_autofree char *text = net_sip_message_to_string (message);
  g_autofree char *from = net_sip_source_info_to_string (source);
  g_autoptr(NetSipResponse) response = NULL;

  g_test_message ("netsip leg received from %s:\n%s", from, text);
  if (!net_sip_message_is_request (message)
      || strcmp (net_sip_message_get_method (message), "OPTIONS") != 0)
    {
      f->n_other++;
      return;
    }
  f->n_requests++;
  g_free (f->request_callid);
  f->request_callid = g_strdup (net_sip_message_get_call_id (message));

  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, "netsip1");
  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Allow",
                              "INVITE, ACK, CANCEL, BYE, OPTIONS");
  net_sip_leg_deliver_async (leg, NET_SIP_MESSAGE (response),
                             net_sip_source_info_get_remote_address (source),
                             NULL, deliver_cb, f);
}

static void
peer_communicate_cb (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Fixture *f = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result,
                                             &f->peer_stdout, NULL, &error))
    g_test_message ("reading uac.pl's output: %s", error->message);
  f->peer_exited = TRUE;
}

static void
test_perl_uac (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;
  g_autofree char *addr = bare_address (f->variant);
  g_autofree char *target = NULL;
  guint16 leg_port;
  gint status;

  if (f->not_ready)
    return;

  f->leg = make_leg (f);
  if (f->leg == NULL)
    return;
  leg_port = net_sip_leg_get_port (f->leg);
  f->handler = g_signal_connect (f->leg, "message-received",
                                 G_CALLBACK (uac_message_received), f);

  target = g_strdup_printf ("%s:%u", f->variant->address, leg_port);
  g_ptr_array_add (args, g_strdup ("--proto"));
  g_ptr_array_add (args, g_strdup (f->variant->proto));
  g_ptr_array_add (args, g_strdup ("--target"));
  g_ptr_array_add (args, g_strdup (target));
  g_ptr_array_add (args, g_strdup ("--addr"));
  g_ptr_array_add (args, g_strdup (addr));
  g_ptr_array_add (args, g_strdup ("--timeout"));
  g_ptr_array_add (args, g_strdup_printf ("%d", RESPONSE_TIMEOUT));
  if (f->certdir)
    {
      /* the netsip leg presents the server certificate: uac.pl checks it
       * against the CA and the name sip.test (SNI and RFC 5922 identity) */
      g_ptr_array_add (args, g_strdup ("--host"));
      g_ptr_array_add (args, g_strdup ("sip.test"));
      g_ptr_array_add (args, g_strdup ("--ca"));
      g_ptr_array_add (args, cert_file (f, NETSIP_TEST_CA_CERT));
    }
  g_ptr_array_add (args, NULL);

  f->peer = peer_spawn (f, G_SUBPROCESS_FLAGS_STDOUT_PIPE, "uac.pl",
                        (const char *const *) args->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (f->peer, NULL, NULL, peer_communicate_cb, f);
  if (!run_until (f, &f->peer_exited, PEER_EXIT_TIMEOUT))
    {
      g_test_fail_printf ("uac.pl did not finish within %d s", PEER_EXIT_TIMEOUT);
      return;
    }
  /* the communicate result comes with EOF; the exit status may lag */
  g_subprocess_wait (f->peer, NULL, NULL);
  g_test_message ("uac.pl printed:\n%s", f->peer_stdout ? f->peer_stdout : "(nothing)");

  /* let our own deliver_async callback run */
  f->timed_out = FALSE;
  {
    guint id = g_timeout_add_seconds (RESPONSE_TIMEOUT, timeout_cb, f);
    while (!f->timed_out && f->n_delivered < f->n_requests)
      g_main_context_iteration (NULL, TRUE);
    if (!f->timed_out)
      g_source_remove (id);
  }

  if (f->deliver_error)
    g_test_fail_printf ("deliver_async of the 200 failed: %s", f->deliver_error->message);
  g_assert_cmpuint (f->n_requests, >=, 1);
  g_assert_cmpuint (f->n_other, ==, 0);
  g_assert_nonnull (f->peer_stdout);
  g_assert_nonnull (strstr (f->peer_stdout, "RESPONSE 200"));
  g_assert_null (strstr (f->peer_stdout, "MISMATCH"));
  g_assert_true (g_subprocess_get_if_exited (f->peer));
  status = g_subprocess_get_exit_status (f->peer);
  g_assert_cmpint (status, ==, 0);
  /* UDP: uac.pl may retransmit before our 200 arrives (T1 = 500 ms, Net::SIP
   * ticks every second); TCP/TLS: exactly once */
  if (strcmp (f->variant->proto, "udp") != 0)
    g_assert_cmpuint (f->n_requests, ==, 1);
  g_assert_nonnull (f->request_callid);
  g_assert_true (g_str_has_prefix (f->request_callid, "perl-uac-"));
}

/* ------------------------------------------------------------------ */

/* Runs `perl -M<module> -e <code>`; TRUE on exit status 0. */
static gboolean
perl_run (const char  *module,
          const char  *code,
          char       **out,
          char       **why)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  g_autofree char *m = g_strdup_printf ("-M%s", module);
  const char *argv[] = { perl_path, m, "-e", code, NULL };
  gint status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                     out, &err, &status, &error)
      || !g_spawn_check_wait_status (status, &error))
    {
      *why = g_strdup (err && *g_strstrip (err) ? err : error->message);
      return FALSE;
    }
  return TRUE;
}

/* Skips everything when perl or Net::SIP is missing. IO::Socket::SSL (only
 * recommended by libnet-sip-perl) is needed for TLS: without it the TLS
 * variants fail, they do not skip. */
static void
check_perl (void)
{
  g_autofree char *version = NULL;
  g_autofree char *why = NULL;

  perl_path = g_find_program_in_path ("perl");
  if (perl_path == NULL)
    {
      perl_missing = g_strdup ("perl is not installed: the Net::SIP interop tests need it "
                               "(Debian: apt-get install libnet-sip-perl)");
      return;
    }
  if (!perl_run ("Net::SIP", "print $Net::SIP::VERSION", &version, &why))
    {
      perl_missing = g_strdup_printf ("Perl Net::SIP is not installed "
                                      "(Debian: apt-get install libnet-sip-perl): %s", why);
      return;
    }
  g_test_message ("perl %s, Net::SIP %s", perl_path, version);
  g_clear_pointer (&why, g_free);
  if (!perl_run ("IO::Socket::SSL", "1", NULL, &why))
    tls_missing = g_strdup_printf ("Perl IO::Socket::SSL is not installed, Net::SIP cannot "
                                   "do TLS (Debian: apt-get install libio-socket-ssl-perl): %s",
                                   why);
}

static void
check_ipv6 (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM,
                                       G_SOCKET_PROTOCOL_UDP, NULL);
  g_autoptr(GInetAddress) a = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (a, 0);

  have_ipv6 = s != NULL && g_socket_bind (s, sa, FALSE, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  check_perl ();
  check_ipv6 ();

  for (gsize i = 0; i < G_N_ELEMENTS (variants); i++)
    {
      g_autofree char *uas = g_strdup_printf ("/interop/perl-uas/%s", variants[i].name);
      g_autofree char *uac = g_strdup_printf ("/interop/perl-uac/%s", variants[i].name);

      g_test_add (uas, Fixture, &variants[i], fixture_setup, test_perl_uas, fixture_teardown);
      g_test_add (uac, Fixture, &variants[i], fixture_setup, test_perl_uac, fixture_teardown);
    }

  return g_test_run ();
}
