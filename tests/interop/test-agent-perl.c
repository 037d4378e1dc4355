/* test-agent-perl.c: NetSipAgent and NetSipCall against Perl Net::SIP::Simple
 * (libnet-sip-perl) with RTP, on loopback; the peer is
 * tests/interop/nat-phone.pl, started as a child process and ended by PID.
 *
 *   - our call to a Net::SIP callee that echoes (rtp('recv_echo')): the
 *     clip we send comes back, payload for payload; our BYE ends its call
 *   - a Net::SIP caller (rtp('send_recv')) to our agent answering with
 *     echo: it gets its packets back; its BYE closes our call
 *   - the same with the offer in our 200 and the answer in its ACK
 *     (Net::SIP sdp_on_ack)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE
#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>

#include "netsip.h"
#include "child-process.h"
#include "main-loop-wait.h"
#include "peer-util.h"

#define WAIT_LIMIT_S 20

typedef struct
{
  NetSipAgent       *agent;
  char              *uri;           /* sip:bob@127.0.0.1:port */
  char              *dir;
  NetSipTestChild   *peer;          /* nat-phone.pl */
  GPtrArray         *calls;         /* incoming */
} Fixture;

typedef gboolean (*Cond) (Fixture *f, gconstpointer data);

/* Iterates until @cond (@f, @data) holds: FALSE after @seconds */
#define wait_for(f, cond, data, seconds) \
  netsip_test_wait_until_full ((NetSipTestCondFull) (cond), (f), (data), (seconds) * 1000)

/* The rest of the peer's first line starting with @prefix, or NULL */
static char *
line_value (Fixture    *f,
            const char *prefix)
{
  g_autofree char *text = g_strconcat ("\n", f->peer->text[0]->str, NULL);
  g_autofree char *needle = g_strconcat ("\n", prefix, NULL);
  const char *p = strstr (text, needle);

  if (p == NULL)
    return NULL;
  p += strlen (needle);
  return g_strndup (p, strcspn (p, "\n"));
}

static gboolean
has_line (Fixture      *f,
          gconstpointer prefix)
{
  g_autofree char *value = line_value (f, prefix);
  return value != NULL;
}

static gboolean
peer_exited (Fixture      *f,
             gconstpointer data)
{
  return netsip_test_child_done (f->peer);
}

static gboolean
call_in_state (Fixture      *f,
               gconstpointer data)
{
  const gpointer *p = data;
  return net_sip_call_get_state (p[0]) == (NetSipCallState) GPOINTER_TO_INT (p[1]);
}

static gboolean
wait_state (Fixture        *f,
            NetSipCall     *call,
            NetSipCallState state)
{
  gconstpointer p[2] = { call, GINT_TO_POINTER (state) };
  return wait_for (f, call_in_state, p, WAIT_LIMIT_S);
}

/* ------------------------------------------------------------------ */
/* the peer                                                            */

static void
spawn_phone (Fixture            *f,
             const char * const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "nat-phone.pl", NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  f->peer = netsip_test_child_spawn_array ("nat-phone.pl", argv);
}

/* "<packets> <octets>" of an RTP-SENT / RTP-RECEIVED line */
static guint64
peer_packets (Fixture    *f,
              const char *prefix)
{
  g_autofree char *v = line_value (f, prefix);

  g_assert_nonnull (v);
  return g_ascii_strtoull (v, NULL, 10);
}

/* ------------------------------------------------------------------ */
/* fixture                                                             */

static void
on_incoming (NetSipAgent *agent,
             NetSipCall  *call,
             Fixture     *f)
{
  /* answer with echo (auto-answer accepts after the handler) */
  net_sip_rtp_session_set_echo (net_sip_call_get_rtp_session (call), TRUE);
  g_ptr_array_add (f->calls, g_object_ref (call));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *legs[] = { "udp:127.0.0.1:0", NULL };
  g_autoptr(GPtrArray) l = NULL;
  g_autofree char *perl = g_find_program_in_path ("perl");

  if (perl == NULL ||
      !g_file_test ("/usr/share/perl5/Net/SIP.pm", G_FILE_TEST_EXISTS))
    {
      g_test_skip ("Perl Net::SIP (libnet-sip-perl) is not installed");
      return;
    }
  f->calls = g_ptr_array_new_with_free_func (g_object_unref);
  f->agent = net_sip_agent_new ("sip:bob@127.0.0.1", legs, &error);
  g_assert_no_error (error);
  l = net_sip_dispatcher_get_legs (net_sip_agent_get_dispatcher (f->agent), NULL, 0, -1, NULL,
                                   NULL, NULL);
  f->uri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (g_ptr_array_index (l, 0)));
  f->dir = g_dir_make_tmp ("netsip-agent-perl-XXXXXX", &error);
  g_assert_no_error (error);
  g_signal_connect (f->agent, "incoming-call", G_CALLBACK (on_incoming), f);
}

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      data)
{
  g_assert_true (net_sip_agent_shutdown_finish (NET_SIP_AGENT (source), result, NULL));
  *(gboolean *) data = TRUE;
}

static gboolean
flag (Fixture      *f,
      gconstpointer data)
{
  return *(const gboolean *) data;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->agent == NULL)
    return;   /* skipped */
  /* ended by its PID if it still runs */
  g_clear_pointer (&f->peer, netsip_test_child_free);
  g_clear_pointer (&f->calls, g_ptr_array_unref);
  {
    gboolean done = FALSE;
    net_sip_agent_shutdown_async (f->agent, NULL, on_shut_down, &done);
    wait_for (f, flag, &done, 5);
  }
  g_assert_finalize_object (f->agent);
  if (f->dir)
    {
      netsip_test_remove_tree (f->dir);
      g_free (f->dir);
    }
  g_free (f->uri);
}

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void
on_file_finished (NetSipRtpSession *session,
                  gboolean         *done)
{
  *done = TRUE;
}

/* we call a Net::SIP callee that echoes */
static void
test_call_perl_echo (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipCall) call = NULL;
  g_autofree char *clip = g_build_filename (f->dir, "clip.pcmu", NULL);
  g_autofree char *rec = g_build_filename (f->dir, "back.pcmu", NULL);
  g_autofree char *to = NULL;
  g_autofree guint8 *sent = NULL;
  g_autofree char *got = NULL;
  gsize n = 8000, got_len = 0, matched = 0;
  gboolean finished = FALSE;
  const char *args[] = { "--role", "callee", "--addr", "127.0.0.1", "--timeout", "20", NULL };
  NetSipRtpSession *session;

  if (f->agent == NULL)
    return;
  sent = g_malloc (n);
  for (gsize i = 0; i < n; i++)
    sent[i] = (guint8) (0x20 + (i * 37 + i / 160) % 0x5f);
  g_assert_true (g_file_set_contents (clip, (const char *) sent, n, &error));
  spawn_phone (f, args);
  g_assert_true (wait_for (f, has_line, "READY ", WAIT_LIMIT_S));
  {
    g_autofree char *port = line_value (f, "READY ");
    to = g_strdup_printf ("sip:callee@127.0.0.1:%s", port);
  }

  call = net_sip_agent_invite (f->agent, to, &error);
  g_assert_no_error (error);
  session = net_sip_call_get_rtp_session (call);
  g_assert_true (net_sip_rtp_session_send_file (session, clip, NET_SIP_CODEC_PCMU, FALSE, &error));
  g_assert_true (net_sip_rtp_session_record_to_file (session, rec, &error));
  g_signal_connect (session, "file-finished", G_CALLBACK (on_file_finished), &finished);
  g_assert_true (wait_state (f, call, NET_SIP_CALL_STATE_ESTABLISHED));
  g_assert_true (wait_for (f, flag, &finished, WAIT_LIMIT_S));
  netsip_test_run_for (500);
  g_assert_true (net_sip_rtp_session_record_to_file (session, NULL, &error));
  g_assert_true (net_sip_call_bye (call, &error));
  g_assert_no_error (error);
  g_assert_true (wait_state (f, call, NET_SIP_CALL_STATE_CLOSED));
  g_assert_true (wait_for (f, peer_exited, NULL, WAIT_LIMIT_S));
  g_assert_cmpint (f->peer->status, ==, 0);   /* it saw our BYE */

  /* what came back is what we sent: each 160-byte payload of the
   * recording is the next one of the clip (the echo may start late) */
  g_assert_true (g_file_get_contents (rec, &got, &got_len, &error));
  g_test_message ("sent %zu bytes, %" G_GUINT64_FORMAT " packets; got back %zu bytes",
                  n, net_sip_rtp_session_get_packets_sent (session), got_len);
  g_assert_cmpuint (got_len, >=, n * 8 / 10);
  g_assert_cmpuint (got_len % 160, ==, 0);
  {
    const guint8 *start = memmem (sent, n, got, 160);
    g_assert_nonnull (start);
    matched = MIN (got_len, n - (gsize) (start - sent));
    g_assert_true (memcmp (start, got, matched) == 0);
  }
  g_assert_cmpuint (peer_packets (f, "RTP-RECEIVED "), >=, 40);
}

/* a Net::SIP caller calls us; we echo */
static void
run_perl_caller (Fixture  *f,
                 gboolean  late_offer)
{
  g_autofree char *proxy = g_strdup (f->uri + strlen ("sip:bob@"));
  const char *args[] = { "--role", "caller", "--addr", "127.0.0.1", "--proxy", proxy,
                         "--to", f->uri, "--packets", "50", "--linger", "0.5",
                         "--timeout", "20", late_offer ? "--late-offer" : NULL, NULL };
  NetSipCall *call;
  NetSipRtpSession *session;

  net_sip_agent_listen (f->agent);
  spawn_phone (f, args);
  g_assert_true (wait_for (f, peer_exited, NULL, WAIT_LIMIT_S));
  {
    g_autofree char *call_result = line_value (f, "CALL ");
    g_assert_cmpstr (call_result, ==, "OK");
  }
  g_assert_cmpint (f->peer->status, ==, 0);
  g_assert_cmpuint (f->calls->len, ==, 1);
  call = g_ptr_array_index (f->calls, 0);
  /* its BYE closed our call */
  g_assert_true (wait_state (f, call, NET_SIP_CALL_STATE_CLOSED));
  session = net_sip_call_get_rtp_session (call);
  g_test_message ("we received %" G_GUINT64_FORMAT ", sent %" G_GUINT64_FORMAT " packets",
                  net_sip_rtp_session_get_packets_received (session),
                  net_sip_rtp_session_get_packets_sent (session));
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (session), >=, 45);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (session), >=, 45);
  /* it got its packets back from our echo */
  g_assert_cmpuint (peer_packets (f, "RTP-SENT "), ==, 50);
  g_assert_cmpuint (peer_packets (f, "RTP-RECEIVED "), >=, 45);
  if (late_offer)
    g_assert_nonnull (net_sip_call_get_remote_sdp (call));
}

static void
test_perl_calls_us (Fixture       *f,
                    gconstpointer  data)
{
  if (f->agent == NULL)
    return;
  run_perl_caller (f, FALSE);
}

static void
test_perl_calls_us_late_offer (Fixture       *f,
                               gconstpointer  data)
{
  if (f->agent == NULL)
    return;
  run_perl_caller (f, TRUE);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add ("/agent-perl/call-perl-echo", Fixture, NULL, fixture_set_up, test_call_perl_echo,
              fixture_tear_down);
  g_test_add ("/agent-perl/perl-calls-us", Fixture, NULL, fixture_set_up, test_perl_calls_us,
              fixture_tear_down);
  g_test_add ("/agent-perl/perl-calls-us-late-offer", Fixture, NULL, fixture_set_up,
              test_perl_calls_us_late_offer, fixture_tear_down);
  return g_test_run ();
}
