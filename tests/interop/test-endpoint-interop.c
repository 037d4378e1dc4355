/* test-endpoint-interop.c: NetSipEndpoint against real peers on loopback
 *
 *   /interop/endpoint/perl-uas/<t>/call: a netsip-glib UAC calls a Perl
 *     Net::SIP::Endpoint UAS (tests/interop/ep-uas.pl): 100, 180, 200, ACK,
 *     re-INVITE, BYE from the netsip side.
 *   /interop/endpoint/perl-uas/udp/bye-from-peer: the same, the Perl side
 *     hangs up after the re-INVITE's ACK.
 *   /interop/endpoint/perl-uas/udp/cancel: CANCEL before the answer → 487.
 *   /interop/endpoint/perl-uac/udp: a Perl Net::SIP::Simple UAC
 *     (ep-uac.pl) calls a netsip-glib UAS: INVITE, re-INVITE, BYE.
 *   /interop/endpoint/perl-registrar: register and unregister at a Perl
 *     registrar behind Net::SIP::Authorize (digest MD5, ep-registrar.pl).
 *   /interop/endpoint/sipp-uac: `sipp -sn uac`, 200 calls against a
 *     netsip-glib UAS; sipp's exit status and its stat file say none
 *     failed.
 *   /interop/endpoint/kamailio-sha256: register and unregister at Kamailio
 *     (tests/interop/kamailio-registrar.cfg) challenging with digest
 *     SHA-256; the credentials sent name SHA-256. Kamailio is ended with
 *     SIGTERM (it ends its worker processes), then SIGKILL.
 *
 * Peers are children started with GSubprocess (PR_SET_PDEATHSIG as a
 * safety net), each with its own timeout, ended by PID in teardown. Every
 * wait here is bounded. Skipped only when perl with Net::SIP, sipp or
 * kamailio is missing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "main-loop-wait.h"
#include "peer-util.h"

#include <glib/gstdio.h>
#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <unistd.h>
#endif

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

/* seconds */
#define WAIT_LIMIT 20

static char *perl_missing;
static char *sipp_path;
static char *kamailio_path;

typedef struct
{
  /* our side */
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipEndpoint   *endpoint;
  char             *uri;
  GPtrArray        *requests;       /* request-received */
  GPtrArray        *provisionals;
  guint             n_closed;
  NetSipDialog     *dialog;         /* of the last request received */

  /* the peer */
  GSubprocess      *peer;
  GDataInputStream *peer_out;
  GPtrArray        *lines;          /* its stdout */
  gboolean          eof;
  gboolean          exited;
  int               exit_status;
  gboolean          term_first;     /* end with SIGTERM (it ends its children) */
  pid_t             group;          /* its process group, with term_first */
  GSubprocessFlags  extra_flags;
  char             *tmpdir;
} Fixture;

/* ------------------------------------------------------------------ */
/* waiting                                                             */

typedef gboolean (*Cond) (Fixture *f, gconstpointer data);

/* Iterates until @cond (@f, @data) holds: FALSE after @seconds */
#define wait_for(f, cond, data, seconds) \
  netsip_test_wait_until_full ((NetSipTestCondFull) (cond), (f), (data), (seconds) * 1000)

static gboolean
flag_cond (Fixture *f, gconstpointer data)
{
  return *(const gboolean *) data;
}

static gboolean
has_line (Fixture      *f,
          gconstpointer prefix)
{
  for (guint i = 0; i < f->lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (f->lines, i), prefix))
      return TRUE;
  return FALSE;
}

static guint
count_lines (Fixture    *f,
             const char *prefix)
{
  guint n = 0;

  for (guint i = 0; i < f->lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (f->lines, i), prefix))
      n++;
  return n;
}

static gboolean
peer_exited (Fixture *f, gconstpointer data)
{
  return f->exited && f->eof;
}

/* ------------------------------------------------------------------ */
/* the peer process                                                    */

#ifdef __linux__
static void
child_setup (gpointer data)
{
  /* A peer with worker processes of its own (Kamailio) gets its own
   * process group, which teardown ends as a whole, and SIGTERM if the test
   * dies (its main process then ends the workers); the others SIGKILL. */
  if (GPOINTER_TO_INT (data))
    setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, GPOINTER_TO_INT (data) ? SIGTERM : SIGKILL);
}
#endif

static void read_next_line (Fixture *f);

static void
on_line (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fixture *f = data;
  g_autoptr(GError) error = NULL;
  char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source), result,
                                                          NULL, &error);

  if (line == NULL)
    {
      f->eof = TRUE;
      return;
    }
  g_test_message ("peer: %s", line);
  g_ptr_array_add (f->lines, line);
  read_next_line (f);
}

static void
read_next_line (Fixture *f)
{
  g_data_input_stream_read_line_async (f->peer_out, G_PRIORITY_DEFAULT, NULL, on_line, f);
}

static void
on_peer_exit (GObject      *source,
         GAsyncResult *result,
         gpointer      data)
{
  Fixture *f = data;

  if (g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL))
    f->exit_status = g_subprocess_get_if_exited (G_SUBPROCESS (source))
                     ? g_subprocess_get_exit_status (G_SUBPROCESS (source)) : -1;
  f->exited = TRUE;
}

static void
spawn (Fixture            *f,
       const char * const *argv)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | f->extra_flags);
  g_autoptr(GError) error = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);

#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (f->term_first), NULL);
#endif
  if (f->tmpdir)
    g_subprocess_launcher_set_cwd (launcher, f->tmpdir);
  g_test_message ("starting %s", joined);
  f->peer = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  if (f->term_first)
    f->group = (pid_t) g_ascii_strtoll (g_subprocess_get_identifier (f->peer), NULL, 10);
  f->peer_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (f->peer));
  read_next_line (f);
  g_subprocess_wait_async (f->peer, NULL, on_peer_exit, f);
}

static void
spawn_perl (Fixture            *f,
            const char         *script,
            const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, script, NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  spawn (f, (const char * const *) argv->pdata);
}

/* The port of the READY line */
static guint
peer_port (Fixture *f)
{
  guint64 port = 0;

  g_assert_true (wait_for (f, (Cond) has_line, "READY ", WAIT_LIMIT));
  for (guint i = 0; i < f->lines->len; i++)
    if (g_str_has_prefix (g_ptr_array_index (f->lines, i), "READY "))
      g_assert_true (g_ascii_string_to_unsigned ((char *) g_ptr_array_index (f->lines, i) + 6, 10,
                                                 1, 65535, &port, NULL));
  return (guint) port;
}

static void
peer_wait_exit (Fixture *f)
{
  g_assert_true (wait_for (f, peer_exited, NULL, WAIT_LIMIT));
}

/* ------------------------------------------------------------------ */
/* our endpoint                                                        */

static const char sdp_text[] =
  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
  "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

static gboolean
on_request (NetSipEndpoint   *endpoint,
            NetSipDialog     *dialog,
            NetSipRequest    *request,
            NetSipLeg        *leg,
            NetSipSourceInfo *source,
            Fixture          *f)
{
  g_ptr_array_add (f->requests, g_object_ref (request));
  if (dialog)
    g_set_object (&f->dialog, dialog);
  if (strcmp (net_sip_request_get_method (request), "INVITE") == 0)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (sdp_text, strlen (sdp_text));
      g_autoptr(GError) error = NULL;
      if (net_sip_message_get_to_tag (NET_SIP_MESSAGE (request)) == NULL)
        g_assert_true (net_sip_endpoint_respond (endpoint, dialog, request, 180, NULL, NULL, NULL,
                                                 &error));
      g_assert_true (net_sip_endpoint_respond (endpoint, dialog, request, 200, NULL, NULL, body,
                                               &error));
      g_assert_no_error (error);
      return TRUE;
    }
  return FALSE;
}

static void
on_provisional (NetSipEndpoint *endpoint,
                NetSipDialog   *dialog,
                NetSipRequest  *request,
                NetSipResponse *response,
                Fixture        *f)
{
  g_ptr_array_add (f->provisionals, g_object_ref (response));
}

static void
on_closed (NetSipEndpoint *endpoint,
           NetSipDialog   *dialog,
           Fixture        *f)
{
  f->n_closed++;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *proto = data ? data : "udp";
  g_autofree char *spec = g_strdup_printf ("%s:127.0.0.1:0", proto);
  g_autoptr(GError) error = NULL;
  NetSipLeg *legs[1];

  f->lines = g_ptr_array_new_with_free_func (g_free);
  f->requests = g_ptr_array_new_with_free_func (g_object_unref);
  f->provisionals = g_ptr_array_new_with_free_func (g_object_unref);
  f->leg = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  legs[0] = f->leg;
  f->dispatcher = net_sip_dispatcher_new (legs, 1);
  f->endpoint = net_sip_endpoint_new (f->dispatcher);
  f->uri = g_strdup_printf ("sip:bob@127.0.0.1:%u%s", net_sip_leg_get_port (f->leg),
                            strcmp (proto, "tcp") == 0 ? ";transport=tcp" : "");
  g_signal_connect (f->endpoint, "request-received", G_CALLBACK (on_request), f);
  g_signal_connect (f->endpoint, "provisional-received", G_CALLBACK (on_provisional), f);
  g_signal_connect (f->endpoint, "dialog-closed", G_CALLBACK (on_closed), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->peer)
    {
      /* by PID, whatever state the test left it in; a peer with workers
       * by its process group (its PID), first gently; the end of its
       * stdout tells that every process of the group is gone */
      if (f->term_first && f->group > 0)
        {
          if (!peer_exited (f, NULL))
            {
              kill (-f->group, SIGTERM);
              wait_for (f, peer_exited, NULL, 5);
            }
          if (!peer_exited (f, NULL))
            {
              kill (-f->group, SIGKILL);
              wait_for (f, peer_exited, NULL, 5);
            }
        }
      if (!f->exited)
        {
          g_subprocess_force_exit (f->peer);
          wait_for (f, peer_exited, NULL, 5);
        }
      g_clear_object (&f->peer);
    }
  g_clear_object (&f->peer_out);
  g_clear_object (&f->endpoint);
  g_object_run_dispose (G_OBJECT (f->dispatcher));
  g_clear_object (&f->dispatcher);
  g_clear_object (&f->leg);
  g_clear_object (&f->dialog);
  netsip_test_run_for (20);
  g_ptr_array_unref (f->lines);
  g_ptr_array_unref (f->requests);
  g_ptr_array_unref (f->provisionals);
  g_free (f->uri);
  if (f->tmpdir)
    {
      g_autoptr(GDir) dir = g_dir_open (f->tmpdir, 0, NULL);
      const char *name;
      while (dir && (name = g_dir_read_name (dir)))
        {
          g_autofree char *path = g_build_filename (f->tmpdir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (f->tmpdir);
      g_free (f->tmpdir);
    }
}

typedef struct
{
  gboolean        done;
  NetSipResponse *response;
  NetSipDialog   *dialog;
  GError         *error;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  Result *r = data;

  net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, &r->response, &r->dialog,
                                   &r->error);
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_object (&r->response);
  g_clear_object (&r->dialog);
  g_clear_error (&r->error);
  r->done = FALSE;
}

static guint
wait_result (Fixture *f,
             Result  *r)
{
  g_assert_true (wait_for (f, flag_cond, &r->done, WAIT_LIMIT));
  g_assert_no_error (r->error);
  g_assert_nonnull (r->response);
  return net_sip_response_get_code (r->response);
}

static guint
count_code (GPtrArray *responses,
            guint      code)
{
  guint n = 0;

  for (guint i = 0; i < responses->len; i++)
    if (net_sip_response_get_code (g_ptr_array_index (responses, i)) == code)
      n++;
  return n;
}

static gboolean
skip_without_perl (void)
{
  if (perl_missing)
    {
      g_test_skip (perl_missing);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* netsip UAC → Perl UAS                                               */

static NetSipRequest *
invite_to (Fixture *f,
           guint    port,
           const char *proto)
{
  g_autofree char *to = g_strdup_printf ("<sip:perl@127.0.0.1:%u%s>", port,
                                         strcmp (proto, "tcp") == 0 ? ";transport=tcp" : "");
  g_autoptr(GBytes) body = g_bytes_new_static (sdp_text, strlen (sdp_text));
  g_autofree char *from = g_strdup_printf ("<%s>", f->uri);

  return net_sip_endpoint_new_request (f->endpoint, NULL, "INVITE", from, to, NULL, NULL, body);
}

typedef enum { HANGUP_US, HANGUP_PEER } Hangup;

static gboolean
two_acks (Fixture *f, gconstpointer data)
{
  return count_lines (f, "REQUEST ACK") >= 2;
}

static void
perl_uas_call (Fixture    *f,
               const char *proto,
               Hangup      who)
{
  const char *args_us[] = { "--proto", proto, "--port", "0", "--calls", "1", "--timeout", "20", NULL };
  const char *args_peer[] = { "--proto", proto, "--port", "0", "--calls", "1", "--timeout", "20",
                              "--bye-after-acks", "2", NULL };
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(NetSipRequest) reinvite = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  Result r = { 0 };
  guint port;

  if (skip_without_perl ())
    return;
  spawn_perl (f, "ep-uas.pl", who == HANGUP_US ? args_us : args_peer);
  port = peer_port (f);

  invite = invite_to (f, port, proto);
  net_sip_endpoint_invite_async (f->endpoint, invite, NULL, on_delivered, &r);
  g_assert_cmpuint (wait_result (f, &r), ==, 200);
  g_assert_cmpuint (count_code (f->provisionals, 180), ==, 1);
  g_assert_cmpuint (count_code (f->provisionals, 100), >=, 1);
  dialog = g_steal_pointer (&r.dialog);
  g_assert_nonnull (dialog);
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  result_clear (&r);
  g_assert_true (wait_for (f, (Cond) has_line, "REQUEST ACK", WAIT_LIMIT));

  /* re-INVITE */
  reinvite = net_sip_endpoint_new_request (f->endpoint, dialog, "INVITE", NULL, NULL, NULL, NULL,
                                           NULL);
  net_sip_endpoint_invite_async (f->endpoint, reinvite, NULL, on_delivered, &r);
  g_assert_cmpuint (wait_result (f, &r), ==, 200);
  result_clear (&r);
  g_assert_true (wait_for (f, two_acks, NULL, WAIT_LIMIT));

  if (who == HANGUP_US)
    {
      net_sip_endpoint_close_dialog (f->endpoint, dialog);
      g_assert_true (wait_for (f, (Cond) has_line, "REQUEST BYE", WAIT_LIMIT));
    }
  else
    {
      /* the Perl side's BYE gets our 200 */
      g_assert_true (wait_for (f, (Cond) has_line, "BYE-RESPONSE", WAIT_LIMIT));
      g_assert_true (has_line (f, "BYE-RESPONSE 200"));
      g_assert_cmpuint (f->requests->len, >=, 1);
      g_assert_cmpstr (net_sip_request_get_method (g_ptr_array_index (f->requests, f->requests->len - 1)),
                       ==, "BYE");
    }
  peer_wait_exit (f);
  g_assert_cmpint (f->exit_status, ==, 0);
  g_assert_cmpuint (count_lines (f, "REQUEST INVITE"), ==, 2);
  g_assert_cmpuint (count_lines (f, "REQUEST ACK"), ==, 2);
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_TERMINATED);
  g_assert_cmpuint (f->n_closed, ==, 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->endpoint), ==, 0);
}

static void
test_perl_uas_call (Fixture *f, gconstpointer data)
{
  perl_uas_call (f, data, HANGUP_US);
}

static void
test_perl_uas_bye_from_peer (Fixture *f, gconstpointer data)
{
  perl_uas_call (f, data, HANGUP_PEER);
}

static gboolean
got_180 (Fixture *f, gconstpointer data)
{
  return count_code (f->provisionals, 180) > 0;
}

static void
test_perl_uas_cancel (Fixture       *f,
                      gconstpointer  data)
{
  const char *args[] = { "--port", "0", "--calls", "1", "--timeout", "20", "--no-answer", NULL };
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result r = { 0 };
  guint port;

  if (skip_without_perl ())
    return;
  spawn_perl (f, "ep-uas.pl", args);
  port = peer_port (f);
  invite = invite_to (f, port, "udp");
  net_sip_endpoint_invite_async (f->endpoint, invite, cancellable, on_delivered, &r);
  g_assert_true (wait_for (f, got_180, NULL, WAIT_LIMIT));
  g_cancellable_cancel (cancellable);
  g_assert_cmpuint (wait_result (f, &r), ==, 487);
  g_assert_null (r.dialog);
  result_clear (&r);
  peer_wait_exit (f);
  g_assert_cmpint (f->exit_status, ==, 0);
  g_assert_cmpuint (count_lines (f, "REQUEST CANCEL"), ==, 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->endpoint), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Perl UAC → netsip UAS                                               */

static guint
count_requests (Fixture    *f,
                const char *method)
{
  guint n = 0;

  for (guint i = 0; i < f->requests->len; i++)
    if (strcmp (net_sip_request_get_method (g_ptr_array_index (f->requests, i)), method) == 0)
      n++;
  return n;
}

static void
test_perl_uac (Fixture       *f,
               gconstpointer  data)
{
  const char *args[] = { "--to", f->uri, "--timeout", "20", NULL };

  if (skip_without_perl ())
    return;
  spawn_perl (f, "ep-uac.pl", args);
  peer_wait_exit (f);
  g_assert_true (has_line (f, "INVITE OK"));
  g_assert_true (has_line (f, "REINVITE OK"));
  g_assert_true (has_line (f, "BYE OK"));
  g_assert_cmpint (f->exit_status, ==, 0);
  g_assert_cmpuint (count_requests (f, "INVITE"), ==, 2);
  g_assert_cmpuint (count_requests (f, "ACK"), ==, 2);
  g_assert_cmpuint (count_requests (f, "BYE"), ==, 1);
  g_assert_cmpuint (f->n_closed, ==, 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->endpoint), ==, 0);
}

/* ------------------------------------------------------------------ */
/* registration at a Perl registrar behind digest                      */

typedef struct
{
  gboolean  done;
  gboolean  ok;
  guint     granted;
  GError   *error;
} RegResult;

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      data)
{
  RegResult *r = data;

  r->ok = net_sip_endpoint_register_finish (NET_SIP_ENDPOINT (source), result, &r->granted, &r->error);
  r->done = TRUE;
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  RegResult *r = data;

  r->ok = net_sip_endpoint_unregister_finish (NET_SIP_ENDPOINT (source), result, &r->error);
  r->done = TRUE;
}

static void
test_perl_registrar (Fixture       *f,
                     gconstpointer  data)
{
  const char *args[] = { "--port", "0", "--user", "alice", "--password", "secret",
                         "--realm", "netsip.test", "--count", "2", "--timeout", "20", NULL };
  g_autofree char *registrar = NULL;
  RegResult r = { 0 };
  guint port;

  if (skip_without_perl ())
    return;
  spawn_perl (f, "ep-registrar.pl", args);
  port = peer_port (f);
  registrar = g_strdup_printf ("sip:127.0.0.1:%u", port);
  net_sip_endpoint_set_credentials (f->endpoint, "netsip.test", "alice", "secret");
  net_sip_endpoint_register_async (f->endpoint, registrar, "sip:alice@netsip.test", NULL, 300,
                                   NULL, on_registered, &r);
  g_assert_true (wait_for (f, flag_cond, &r.done, WAIT_LIMIT));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.granted, >, 0);
  g_assert_cmpuint (r.granted, <=, 300);
  g_assert_true (has_line (f, "REQUEST REGISTER 1 noauth 300"));
  g_assert_true (has_line (f, "REQUEST REGISTER 2 auth 300"));

  memset (&r, 0, sizeof r);
  net_sip_endpoint_unregister_async (f->endpoint, "sip:alice@netsip.test", NULL, on_unregistered, &r);
  g_assert_true (wait_for (f, flag_cond, &r.done, WAIT_LIMIT));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  peer_wait_exit (f);
  g_assert_cmpint (f->exit_status, ==, 0);
  g_assert_cmpuint (count_lines (f, "REQUEST REGISTER"), >=, 3);
  g_assert_true (wait_for (f, (Cond) has_line, "DONE 2", 1));
}

/* ------------------------------------------------------------------ */
/* sipp -sn uac                                                        */

static gboolean
on_request_sipp (NetSipEndpoint   *endpoint,
                 NetSipDialog     *dialog,
                 NetSipRequest    *request,
                 NetSipLeg        *leg,
                 NetSipSourceInfo *source,
                 Fixture          *f)
{
  /* keep only a count: 200 calls */
  if (strcmp (net_sip_request_get_method (request), "INVITE") == 0)
    {
      g_autoptr(GBytes) body = g_bytes_new_static (sdp_text, strlen (sdp_text));
      g_assert_true (net_sip_endpoint_respond (endpoint, dialog, request, 200, NULL, NULL, body,
                                               NULL));
      return TRUE;
    }
  return FALSE;
}

static void
test_sipp_uac (Fixture       *f,
               gconstpointer  data)
{
  g_autofree char *target = NULL;
  g_autofree char *stat_path = NULL;
  g_autoptr(GError) error = NULL;
  gint64 ok, failed;
  guint port;
  char port_text[16];

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (sip-tester) is not installed");
      return;
    }
  f->tmpdir = g_dir_make_tmp ("netsip-sipp-XXXXXX", &error);
  g_assert_no_error (error);
  g_signal_handlers_disconnect_by_func (f->endpoint, on_request, f);
  g_signal_connect (f->endpoint, "request-received", G_CALLBACK (on_request_sipp), f);
  target = g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (f->leg));
  port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  stat_path = g_build_filename (f->tmpdir, "stat.csv", NULL);
  g_snprintf (port_text, sizeof port_text, "%u", port);
  {
    const char *argv[] = { sipp_path, "-sn", "uac", "-i", "127.0.0.1", "-p", port_text, target,
                           "-m", "200", "-r", "50", "-l", "20", "-timeout", "30", "-timeout_error",
                           "-nostdin", "-trace_stat", "-stf", stat_path, "-fd", "1",
                           "-buff_size", "4194304", NULL };
    spawn (f, argv);
  }
  g_assert_true (wait_for (f, peer_exited, NULL, 40));
  g_assert_cmpint (f->exit_status, ==, 0);
  ok = netsip_test_sipp_stat (stat_path, "SuccessfulCall(C)");
  failed = netsip_test_sipp_stat (stat_path, "FailedCall(C)");
  g_test_message ("sipp: %" G_GINT64_FORMAT " successful, %" G_GINT64_FORMAT " failed", ok, failed);
  g_assert_cmpint (ok, ==, 200);
  g_assert_cmpint (failed, ==, 0);
  /* every dialog closed by sipp's BYE */
  netsip_test_run_for (200);
  g_assert_cmpuint (f->n_closed, ==, 200);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->endpoint), ==, 0);
}

/* ------------------------------------------------------------------ */
/* Kamailio registrar challenging with SHA-256                         */

static void
on_sent (NetSipDispatcher  *dispatcher,
         NetSipMessage     *message,
         NetSipLeg         *leg,
         GInetSocketAddress *destination,
         NetSipTransaction *transaction,
         guint              attempt,
         gint64             time_us,
         GPtrArray         *sent)
{
  if (net_sip_message_is_request (message) && attempt == 0)
    g_ptr_array_add (sent, g_object_ref (message));
}

/* Kamailio prints no ready line: probe with OPTIONS (the config answers
 * 405) until it answers; an ICMP port unreachable before that is just a
 * failed receive. */
static gboolean
probe_until_answer (Fixture *f,
                    guint    port,
                    guint    seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) dest = g_inet_socket_address_new (lo, port);
  g_autoptr(GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                            G_SOCKET_PROTOCOL_UDP, &error);
  gint64 deadline = g_get_monotonic_time () + (gint64) seconds * G_USEC_PER_SEC;
  guint n = 0;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (socket, any, FALSE, &error));
  g_socket_set_blocking (socket, FALSE);
  while (g_get_monotonic_time () < deadline)
    {
      char buffer[2048];
      g_autofree char *probe = g_strdup_printf ("OPTIONS sip:probe@127.0.0.1:%u SIP/2.0\r\n"
                                                "Via: SIP/2.0/UDP 127.0.0.1;rport;branch=z9hG4bKprobe%u\r\n"
                                                "Max-Forwards: 70\r\nFrom: <sip:probe@127.0.0.1>;tag=p\r\n"
                                                "To: <sip:probe@127.0.0.1>\r\nCall-ID: probe%u\r\n"
                                                "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                                                port, n, n);
      n++;
      g_socket_send_to (socket, dest, probe, strlen (probe), NULL, NULL);
      netsip_test_run_for (100);
      while (g_socket_condition_check (socket, G_IO_IN) & G_IO_IN)
        {
          g_autoptr(GError) recv_error = NULL;
          gssize got = g_socket_receive (socket, buffer, sizeof buffer, NULL, &recv_error);
          if (got > 8 && memcmp (buffer, "SIP/2.0 ", 8) == 0)
            return TRUE;
          if (got < 0)
            break;   /* refused: not listening yet */
        }
      if (f->exited)
        return FALSE;
    }
  return FALSE;
}

static void
test_kamailio_sha256 (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *template_path = g_build_filename (NETSIP_INTEROP_DIR, "kamailio-registrar.cfg", NULL);
  g_autofree char *template = NULL;
  g_autofree char *config = NULL;
  g_autofree char *config_path = NULL;
  g_autofree char *pid_path = NULL;
  g_autofree char *registrar = NULL;
  g_autofree char *port_text = NULL;
  g_autoptr(GString) text = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) sent = g_ptr_array_new_with_free_func (g_object_unref);
  NetSipMessage *with_auth = NULL;
  RegResult r = { 0 };
  guint port;

  if (kamailio_path == NULL)
    {
      g_test_skip ("kamailio is not installed");
      return;
    }
  f->tmpdir = g_dir_make_tmp ("netsip-kamailio-XXXXXX", &error);
  g_assert_no_error (error);
  port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  port_text = g_strdup_printf ("%u", port);
  g_assert_true (g_file_get_contents (template_path, &template, NULL, &error));
  text = g_string_new (template);
  g_string_replace (text, "@PORT@", port_text, 0);
  config_path = g_build_filename (f->tmpdir, "kamailio.cfg", NULL);
  pid_path = g_build_filename (f->tmpdir, "kamailio.pid", NULL);
  g_assert_true (g_file_set_contents (config_path, text->str, -1, &error));
  {
    const char *argv[] = { kamailio_path, "-f", config_path, "-DD", "-E", "-P", pid_path,
                           "-m", "32", "-M", "4", "-w", f->tmpdir, NULL };
    f->term_first = TRUE;
    f->extra_flags = G_SUBPROCESS_FLAGS_STDERR_MERGE;
    spawn (f, argv);
  }

  g_assert_true (probe_until_answer (f, port, WAIT_LIMIT));
  g_signal_connect (f->dispatcher, "message-sent", G_CALLBACK (on_sent), sent);
  registrar = g_strdup_printf ("sip:127.0.0.1:%u", port);
  net_sip_endpoint_set_credentials (f->endpoint, "kam.test", "alice", "secret");
  net_sip_endpoint_register_async (f->endpoint, registrar, "sip:alice@kam.test", NULL, 120, NULL,
                                   on_registered, &r);
  g_assert_true (wait_for (f, flag_cond, &r.done, WAIT_LIMIT));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.granted, >, 0);
  g_assert_cmpuint (r.granted, <=, 120);
  for (guint i = 0; i < sent->len; i++)
    if (net_sip_message_get_header (g_ptr_array_index (sent, i), "Authorization"))
      with_auth = g_ptr_array_index (sent, i);
  g_assert_nonnull (with_auth);
  {
    g_autoptr(GPtrArray) creds = net_sip_message_get_auth_params (with_auth, "Authorization", NULL);
    g_assert_cmpuint (creds->len, ==, 1);
    g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (creds, 0), "algorithm"), ==,
                     "SHA-256");
    g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (creds, 0), "realm"), ==,
                     "kam.test");
  }

  memset (&r, 0, sizeof r);
  net_sip_endpoint_unregister_async (f->endpoint, "sip:alice@kam.test", NULL, on_unregistered, &r);
  g_assert_true (wait_for (f, flag_cond, &r.done, WAIT_LIMIT));
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *perl = NULL;

  g_test_init (&argc, &argv, NULL);

  perl = g_find_program_in_path ("perl");
  if (perl == NULL)
    perl_missing = g_strdup ("perl is not installed");
  else
    {
      int status = -1;
      const char *check[] = { perl, "-MNet::SIP", "-e", "1", NULL };
      if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
        perl_missing = g_strdup ("Net::SIP (libnet-sip-perl) is not installed");
    }
  sipp_path = g_find_program_in_path ("sipp");
  kamailio_path = g_find_program_in_path ("kamailio");
  if (kamailio_path == NULL && g_file_test ("/usr/sbin/kamailio", G_FILE_TEST_IS_EXECUTABLE))
    kamailio_path = g_strdup ("/usr/sbin/kamailio");

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
  ADD ("/interop/endpoint/perl-uas/udp/call", "udp", test_perl_uas_call);
  ADD ("/interop/endpoint/perl-uas/tcp/call", "tcp", test_perl_uas_call);
  ADD ("/interop/endpoint/perl-uas/udp/bye-from-peer", "udp", test_perl_uas_bye_from_peer);
  ADD ("/interop/endpoint/perl-uas/udp/cancel", "udp", test_perl_uas_cancel);
  ADD ("/interop/endpoint/perl-uac/udp", "udp", test_perl_uac);
  ADD ("/interop/endpoint/perl-registrar", "udp", test_perl_registrar);
  ADD ("/interop/endpoint/sipp-uac", "udp", test_sipp_uac);
  ADD ("/interop/endpoint/kamailio-sha256", "udp", test_kamailio_sha256);

  return g_test_run ();
}
