/* netsip-demo.c: what `make demo` runs. A whole call on loopback:
 *
 *   1. starts `netsip-proxy` (a child process) as registrar and stateless
 *      proxy with digest authentication, the SQLite binding store and
 *      Record-Route;
 *   2. alice and bob (two NetSipAgents in this process) register through it
 *      with their passwords;
 *   3. alice calls bob by his address of record; bob answers and echoes the
 *      audio; alice plays a PCMU clip, then sends DTMF `1234#` as RFC 4733
 *      events and `1234#` as in-band tones;
 *   4. checks that the audio alice hears is her own clip and that bob saw
 *      the ten digits with the method they were sent by, hangs up,
 *      unregisters, stops the proxy;
 *   5. prints the call ladder (every SIP message between alice, the proxy
 *      and bob, as the two phones sent and received them) and a summary with
 *      the RTP counts.
 *
 *   netsip-demo [--proxy PATH] [--clip FILE.pcmu] [--timeout SECONDS] [--keep]
 *
 * Exits 0 only when all of it happened; otherwise prints what failed on
 * stderr and exits 1 (2 for bad arguments).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#define _GNU_SOURCE   /* memmem */
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <glib/gstdio.h>

#include <netsip-glib/netsip.h>

#ifndef NETSIP_PROXY_PATH
#define NETSIP_PROXY_PATH "netsip-proxy"
#endif
#ifndef NETSIP_DEMO_CLIP
#define NETSIP_DEMO_CLIP "examples/data/demo-clip.pcmu"
#endif

#define DOMAIN       "example.test"
#define DIGITS       "1234#"
#define DTMF_MS      120
#define COLUMN_WIDTH 34
#define N_PARTIES    3

enum { ALICE, PROXY, BOB, OTHER };
static const char *const party_names[] = { "alice", "proxy", "bob", "?" };

typedef struct {
  gint64  time_us;
  guint   from, to;
  char   *label;
  char   *key;       /* Call-ID and CSeq number: pairs an ACK with its response */
  gboolean ack;
} LadderEvent;

typedef struct {
  GMainLoop        *loop;
  int               status;
  char             *failure;
  const char       *step;
  gint64            t0;

  char             *tmpdir;
  GSubprocess      *proxy;
  GDataInputStream *proxy_out;
  guint16           port[N_PARTIES];

  NetSipAgent      *agent[N_PARTIES];     /* ALICE and BOB */
  guint             expires[N_PARTIES];
  guint             n_registered;
  NetSipCall       *alice_call;
  NetSipCall       *bob_call;
  guint             final_code;
  gint64            established_us;
  char             *closed_by;

  GString          *digits_rfc4733;
  GString          *digits_inband;
  gboolean          inband_sent;
  guint             hangup_id;

  GArray           *ladder;

  const char       *clip_path;
  char             *heard_path;
  guint             frames_total, frames_heard;
  guint64           rtp_sent[N_PARTIES], rtp_received[N_PARTIES];
  gint64            rtp_lost[N_PARTIES];
  double            rtp_jitter[N_PARTIES];

  guint             n_shut_down;
  gboolean          finishing;
  guint             timeout_id;
} Demo;

static void finish (Demo *d);

static void
fail (Demo       *d,
      const char *format,
      ...)
{
  va_list args;

  if (d->failure == NULL)
    {
      va_start (args, format);
      d->failure = g_strdup_vprintf (format, args);
      va_end (args);
    }
  d->status = 1;
  finish (d);
}

/* ------------------------------------------------------------------ */
/* The ladder: every message a phone sent or received                  */

static guint
party_of (Demo               *d,
          GInetSocketAddress *address)
{
  guint16 port;
  g_autofree char *ip = NULL;

  if (address == NULL)
    return OTHER;
  port = g_inet_socket_address_get_port (address);
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (address));
  if (g_strcmp0 (ip, "127.0.0.1") != 0)
    return OTHER;
  for (guint i = 0; i < N_PARTIES; i++)
    if (d->port[i] == port)
      return i;
  return OTHER;
}

/* "INVITE", "200 OK (BYE)"; "407 Proxy Authentication Required" when the
 * method does not fit in an arrow, "407 (INVITE)" when the reason does not */
static char *
message_label (NetSipMessage *message)
{
  guint code;
  const char *reason, *method;
  gsize room = COLUMN_WIDTH - 7;
  char *label;

  if (net_sip_message_is_request (message))
    return g_strdup (net_sip_request_get_method (NET_SIP_REQUEST (message)));
  code = net_sip_response_get_code (NET_SIP_RESPONSE (message));
  reason = net_sip_response_get_reason (NET_SIP_RESPONSE (message));
  method = net_sip_message_get_cseq_method (message);
  label = g_strdup_printf ("%u %s (%s)", code, reason, method);
  if (strlen (label) <= room)
    return label;
  g_free (label);
  label = g_strdup_printf ("%u %s", code, reason);
  if (strlen (label) <= room)
    return label;
  g_free (label);
  return g_strdup_printf ("%u (%s)", code, method);
}

static char *
message_key (NetSipMessage *message)
{
  return g_strdup_printf ("%s %u", net_sip_message_get_call_id (message),
                          net_sip_message_get_cseq_number (message));
}

static void
add_event (Demo          *d,
           gint64         time_us,
           guint          from,
           guint          to,
           NetSipMessage *message,
           char          *label)
{
  LadderEvent e = { time_us, from, to, label, message_key (message),
                    g_strcmp0 (net_sip_message_get_method (message), "ACK") == 0 };

  /* a non-2xx final response to an INVITE is ACKed by the transaction
   * before the dispatcher passes it up (RFC 3261 §17.1.1.3): draw it
   * before that ACK */
  if (!net_sip_message_is_request (message) &&
      net_sip_response_get_code (NET_SIP_RESPONSE (message)) >= 300)
    for (guint k = 0; k < d->ladder->len; k++)
      {
        LadderEvent *a = &g_array_index (d->ladder, LadderEvent, k);
        if (a->ack && a->from == to && g_strcmp0 (a->key, e.key) == 0 && a->time_us <= e.time_us)
          e.time_us = a->time_us - 1;
      }
  g_array_append_val (d->ladder, e);
}

static void
on_message_sent (NetSipDispatcher   *dispatcher,
                 NetSipMessage      *message,
                 NetSipLeg          *leg,
                 GInetSocketAddress *destination,
                 NetSipTransaction  *transaction,
                 guint               attempt,
                 gint64              time_us,
                 gpointer            user_data)
{
  Demo *d = user_data;
  guint self = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dispatcher), "party"));
  char *label = message_label (message);

  if (attempt > 0)
    {
      char *l = g_strdup_printf ("%s (again)", label);
      g_free (label);
      label = l;
    }
  add_event (d, time_us, self, party_of (d, destination), message, label);
}

static void
on_message_received (NetSipDispatcher *dispatcher,
                     NetSipMessage    *message,
                     NetSipLeg        *leg,
                     NetSipSourceInfo *source,
                     gpointer          user_data)
{
  Demo *d = user_data;
  guint self = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (dispatcher), "party"));

  add_event (d, g_get_monotonic_time (), party_of (d, net_sip_source_info_get_remote_address (source)),
             self, message, message_label (message));
}

static int
compare_events (gconstpointer a,
                gconstpointer b)
{
  const LadderEvent *x = a, *y = b;

  return x->time_us < y->time_us ? -1 : x->time_us > y->time_us;
}

static void
print_ladder (Demo *d)
{
  guint width = COLUMN_WIDTH * (N_PARTIES - 1) + 1;
  g_autofree char *line = g_malloc (width + 1);
  g_autoptr(GString) header = g_string_new ("          ");
  gboolean media_drawn = FALSE;

  g_array_sort (d->ladder, compare_events);
  printf ("\nCall ladder (as alice and bob sent and received each message; time in seconds)\n\n");
  for (guint i = 0; i < N_PARTIES; i++)
    {
      g_autofree char *name = g_strdup_printf ("%s :%u", party_names[i], d->port[i]);
      guint centre = i * COLUMN_WIDTH;
      guint start = centre >= strlen (name) / 2 ? centre - strlen (name) / 2 : 0;

      while (header->len < 10 + start)
        g_string_append_c (header, ' ');
      g_string_append (header, name);
    }
  printf ("%s\n", header->str);

  for (guint k = 0; k < d->ladder->len; k++)
    {
      LadderEvent *e = &g_array_index (d->ladder, LadderEvent, k);
      guint from = MIN (e->from, (guint) BOB), to = MIN (e->to, (guint) BOB);

      /* the media goes straight between the phones (no relay): one line
       * once bob has the ACK of the 200 */
      if (e->key == NULL && !media_drawn)
        continue;
      guint left = MIN (from, to) * COLUMN_WIDTH, right = MAX (from, to) * COLUMN_WIDTH;
      gsize label_len = strlen (e->label);
      guint span, pos;

      memset (line, ' ', width);
      line[width] = '\0';
      for (guint i = 0; i < N_PARTIES; i++)
        line[i * COLUMN_WIDTH] = '|';
      if (from == to)
        continue;
      for (guint i = left + 1; i < right; i++)
        line[i] = e->key ? '-' : '=';
      if (e->key == NULL)               /* media: both ways */
        line[left + 1] = '<', line[right - 1] = '>';
      else if (from < to)
        line[right - 1] = '>';
      else
        line[left + 1] = '<';
      span = right - left - 5;
      if (label_len > span)
        label_len = span;
      pos = left + 3 + (span - label_len) / 2;
      line[pos - 1] = ' ';
      memcpy (line + pos, e->label, label_len);
      line[pos + label_len] = ' ';
      printf (" %7.3f  %s%s\n", (e->time_us - d->t0) / 1e6, line,
              e->from == OTHER || e->to == OTHER ? "  (unknown address)" : "");
      if (!media_drawn && e->ack && e->to == BOB && d->established_us)
        {
          LadderEvent media = { e->time_us, ALICE, BOB, g_strdup ("RTP PCMU, RFC 4733, RTCP"), NULL, FALSE };

          media_drawn = TRUE;
          g_array_insert_val (d->ladder, k + 1, media);
        }
    }
}

/* ------------------------------------------------------------------ */
/* Checks                                                              */

static gboolean
check_audio (Demo    *d,
             GError **error)
{
  g_autofree char *clip = NULL, *heard = NULL;
  gsize clip_len = 0, heard_len = 0;
  const gsize frame = 160;

  if (!g_file_get_contents (d->clip_path, &clip, &clip_len, error) ||
      !g_file_get_contents (d->heard_path, &heard, &heard_len, error))
    return FALSE;
  d->frames_total = clip_len / frame;
  d->frames_heard = 0;
  /* bob echoes payloads unchanged (both sides negotiate PCMU), so each
   * 20 ms frame alice sent is in her recording if it came back */
  for (gsize off = 0; off + frame <= clip_len; off += frame)
    if (memmem (heard, heard_len, clip + off, frame) != NULL)
      d->frames_heard++;
  return TRUE;
}

static void
read_stats (Demo             *d,
            guint             party,
            NetSipRtpSession *session)
{
  if (session == NULL)
    return;
  d->rtp_sent[party] = net_sip_rtp_session_get_packets_sent (session);
  d->rtp_received[party] = net_sip_rtp_session_get_packets_received (session);
  d->rtp_lost[party] = net_sip_rtp_session_get_packets_lost (session);
  d->rtp_jitter[party] = net_sip_rtp_session_get_jitter_ms (session);
}

static gboolean
evaluate (Demo *d)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *want = g_strdup (DIGITS);

  if (!check_audio (d, &error))
    {
      fail (d, "cannot compare the audio: %s", error->message);
      return FALSE;
    }
  if (d->frames_total == 0 || d->frames_heard * 10 < d->frames_total * 9)
    {
      fail (d, "alice heard %u of the %u frames of her clip back (90%% needed)",
            d->frames_heard, d->frames_total);
      return FALSE;
    }
  if (strcmp (d->digits_rfc4733->str, want) != 0)
    {
      fail (d, "bob saw RFC 4733 digits '%s', alice sent '%s'", d->digits_rfc4733->str, want);
      return FALSE;
    }
  if (strcmp (d->digits_inband->str, want) != 0)
    {
      fail (d, "bob saw in-band digits '%s', alice sent '%s'", d->digits_inband->str, want);
      return FALSE;
    }
  if (d->rtp_received[ALICE] == 0 || d->rtp_received[BOB] == 0)
    {
      fail (d, "no RTP in one direction (alice received %" G_GUINT64_FORMAT ", bob %" G_GUINT64_FORMAT ")",
            d->rtp_received[ALICE], d->rtp_received[BOB]);
      return FALSE;
    }
  return TRUE;
}

static void
print_summary (Demo *d)
{
  printf ("\nSummary\n");
  printf ("  registered      alice (%u s), bob (%u s) at the proxy's registrar (SQLite store, digest)\n",
          d->expires[ALICE], d->expires[BOB]);
  if (d->established_us)
    printf ("  call            alice -> sip:bob@" DOMAIN ": established %.3f s, closed by %s\n",
            (d->established_us - d->t0) / 1e6, d->closed_by ? d->closed_by : "-");
  for (guint i = ALICE; i <= BOB; i += BOB - ALICE)
    printf ("  RTP %-5s       sent %" G_GUINT64_FORMAT " received %" G_GUINT64_FORMAT
            " lost %" G_GINT64_FORMAT " jitter %.2f ms\n", party_names[i],
            d->rtp_sent[i], d->rtp_received[i], d->rtp_lost[i], d->rtp_jitter[i]);
  printf ("  audio           %u of %u frames of alice's clip came back from bob's echo\n",
          d->frames_heard, d->frames_total);
  printf ("  DTMF at bob     rfc4733 '%s', inband '%s' (sent '%s' each way)\n",
          d->digits_rfc4733->str, d->digits_inband->str, DIGITS);
  printf ("  result          %s\n", d->status == 0 ? "OK" : "FAILED");
}

/* ------------------------------------------------------------------ */
/* Ending                                                              */

static void
on_proxy_exited (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Demo *d = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  g_main_loop_quit (d->loop);
}

static void
stop_proxy (Demo *d)
{
  if (d->proxy == NULL)
    {
      g_main_loop_quit (d->loop);
      return;
    }
  g_subprocess_send_signal (d->proxy, SIGTERM);
  g_subprocess_wait_async (d->proxy, NULL, on_proxy_exited, d);
}

static void
on_agent_shut_down (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  if (!net_sip_agent_shutdown_finish (NET_SIP_AGENT (source), result, &error))
    g_printerr ("netsip-demo: shutting down an agent: %s\n", error->message);
  if (++d->n_shut_down == 2)
    stop_proxy (d);
}

/* Shut the agents down (unregister, end calls), then the proxy, then quit. */
static void
finish (Demo *d)
{
  guint n = 0;

  if (d->finishing)
    return;
  d->finishing = TRUE;
  g_clear_handle_id (&d->hangup_id, g_source_remove);
  for (guint i = ALICE; i <= BOB; i += BOB - ALICE)
    if (d->agent[i])
      {
        n++;
        net_sip_agent_shutdown_async (d->agent[i], NULL, on_agent_shut_down, d);
      }
  d->n_shut_down = 2 - n;
  if (n == 0)
    stop_proxy (d);
}

static gboolean
on_timeout (gpointer user_data)
{
  Demo *d = user_data;

  d->timeout_id = 0;
  if (d->finishing)
    {
      g_printerr ("netsip-demo: shutting down takes too long; stopping\n");
      if (d->proxy)
        g_subprocess_force_exit (d->proxy);
      g_main_loop_quit (d->loop);
      return G_SOURCE_REMOVE;
    }
  fail (d, "timed out while %s", d->step);
  /* the shutdown gets a bounded time of its own */
  d->timeout_id = g_timeout_add_seconds (10, on_timeout, d);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* The call                                                            */

static gboolean
on_hangup (gpointer user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  d->hangup_id = 0;
  d->step = "hanging up";
  if (!net_sip_call_bye (d->alice_call, &error))
    fail (d, "alice cannot hang up: %s", error->message);
  return G_SOURCE_REMOVE;
}

static void
send_digits (Demo             *d,
             NetSipDtmfMethod  method)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_call_send_dtmf (d->alice_call, DIGITS, method, DTMF_MS, &error))
    fail (d, "alice cannot send DTMF: %s", error->message);
}

static void
on_bob_dtmf (NetSipCall       *call,
             const char       *digit,
             guint             duration_ms,
             NetSipDtmfMethod  method,
             gpointer          user_data)
{
  Demo *d = user_data;
  GString *digits = method == NET_SIP_DTMF_METHOD_INBAND ? d->digits_inband : d->digits_rfc4733;

  g_string_append (digits, digit);
  printf ("  bob   dtmf %s method=%s duration=%ums\n", digit,
          method == NET_SIP_DTMF_METHOD_INBAND ? "inband" : "rfc4733", duration_ms);
  if (d->digits_rfc4733->len == strlen (DIGITS) && !d->inband_sent)
    {
      d->inband_sent = TRUE;
      d->step = "sending in-band DTMF";
      send_digits (d, NET_SIP_DTMF_METHOD_INBAND);
    }
  if (d->digits_inband->len == strlen (DIGITS) && d->hangup_id == 0)
    d->hangup_id = g_timeout_add (400, on_hangup, d);   /* the echo's tail */
}

static void
on_clip_played (NetSipRtpSession *session,
                gpointer          user_data)
{
  Demo *d = user_data;

  d->step = "sending RFC 4733 DTMF";
  send_digits (d, NET_SIP_DTMF_METHOD_RFC4733);
}

static const char *
state_name (NetSipCallState state)
{
  GEnumClass *klass = g_type_class_ref (NET_SIP_TYPE_CALL_STATE);
  GEnumValue *value = g_enum_get_value (klass, state);
  const char *name = value ? value->value_nick : "?";

  g_type_class_unref (klass);
  return name;
}

static void
on_alice_state (NetSipCall      *call,
                NetSipCallState  state,
                NetSipResponse  *response,
                gpointer         user_data)
{
  Demo *d = user_data;

  if (response)
    printf ("  alice %s %u\n", state_name (state), net_sip_response_get_code (response));
  else
    printf ("  alice %s\n", state_name (state));
  if (state == NET_SIP_CALL_STATE_ESTABLISHED)
    {
      d->established_us = g_get_monotonic_time ();
      d->step = "playing the clip";
    }
  else if (state == NET_SIP_CALL_STATE_CLOSED)
    {
      d->final_code = net_sip_call_get_final_code (call);
      read_stats (d, ALICE, net_sip_call_get_rtp_session (call));
      if (d->bob_call)
        read_stats (d, BOB, net_sip_call_get_rtp_session (d->bob_call));
      if (d->established_us == 0)
        {
          fail (d, "the call failed with %u", d->final_code);
          return;
        }
      if (d->closed_by == NULL)
        d->closed_by = g_strdup ("bob");
      if (evaluate (d))
        finish (d);
    }
  else if (state == NET_SIP_CALL_STATE_CLOSING && d->closed_by == NULL)
    d->closed_by = g_strdup ("alice (BYE)");
}

static void
on_bob_state (NetSipCall      *call,
              NetSipCallState  state,
              NetSipResponse  *response,
              gpointer         user_data)
{
  printf ("  bob   %s\n", state_name (state));
}

static void
on_incoming_call (NetSipAgent *agent,
                  NetSipCall  *call,
                  gpointer     user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;

  printf ("  bob   incoming call from %s\n", net_sip_call_get_peer (call));
  g_set_object (&d->bob_call, call);
  g_signal_connect (call, "dtmf-received", G_CALLBACK (on_bob_dtmf), d);
  g_signal_connect (call, "state-changed", G_CALLBACK (on_bob_state), d);
  net_sip_rtp_session_set_echo (net_sip_call_get_rtp_session (call), TRUE);
  if (!net_sip_call_accept (call, &error))
    fail (d, "bob cannot accept: %s", error->message);
}

static void
place_call (Demo *d)
{
  g_autoptr(GError) error = NULL;
  NetSipRtpSession *session;

  d->step = "calling bob";
  net_sip_agent_listen (d->agent[BOB]);
  g_signal_connect (d->agent[BOB], "incoming-call", G_CALLBACK (on_incoming_call), d);

  d->alice_call = net_sip_agent_invite (d->agent[ALICE], "sip:bob@" DOMAIN, &error);
  if (d->alice_call == NULL)
    {
      fail (d, "alice cannot call: %s", error->message);
      return;
    }
  g_signal_connect (d->alice_call, "state-changed", G_CALLBACK (on_alice_state), d);
  session = net_sip_call_get_rtp_session (d->alice_call);
  g_signal_connect (session, "file-finished", G_CALLBACK (on_clip_played), d);
  if (!net_sip_rtp_session_send_file (session, d->clip_path, NET_SIP_CODEC_PCMU, FALSE, &error) ||
      !net_sip_rtp_session_record_to_file (session, d->heard_path, &error))
    fail (d, "alice's media: %s", error->message);
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Demo *d = user_data;
  guint party = NET_SIP_AGENT (source) == d->agent[ALICE] ? ALICE : BOB;
  g_autoptr(GError) error = NULL;

  if (!net_sip_agent_register_finish (NET_SIP_AGENT (source), result, &d->expires[party], &error))
    {
      fail (d, "%s cannot register: %s", party_names[party], error->message);
      return;
    }
  printf ("  %-5s registered expires=%u\n", party_names[party], d->expires[party]);
  if (++d->n_registered == 2 && !d->finishing)
    place_call (d);
}

static NetSipAgent *
make_agent (Demo        *d,
            guint        party,
            const char  *password,
            GError     **error)
{
  static const char *const legs[] = { "udp:127.0.0.1:0", NULL };
  g_autofree char *from = g_strdup_printf ("sip:%s@" DOMAIN, party_names[party]);
  g_autofree char *proxy = g_strdup_printf ("sip:127.0.0.1:%u", d->port[PROXY]);
  NetSipAgent *agent = net_sip_agent_new (from, legs, error);
  NetSipDispatcher *dispatcher;
  g_autoptr(GPtrArray) dispatcher_legs = NULL;

  if (agent == NULL)
    return NULL;
  g_object_set (agent, "outgoing-proxy", proxy, "registrar", proxy,
                "username", party_names[party], "password", password, NULL);
  dispatcher = net_sip_agent_get_dispatcher (agent);
  dispatcher_legs = net_sip_dispatcher_get_legs (dispatcher, NULL, 0, -1, NULL, NULL, NULL);
  d->port[party] = net_sip_leg_get_port (g_ptr_array_index (dispatcher_legs, 0));
  g_object_set_data (G_OBJECT (dispatcher), "party", GUINT_TO_POINTER (party));
  g_signal_connect (dispatcher, "message-sent", G_CALLBACK (on_message_sent), d);
  g_signal_connect (dispatcher, "message-received", G_CALLBACK (on_message_received), d);
  return agent;
}

static void
start_phones (Demo *d)
{
  g_autoptr(GError) error = NULL;

  d->step = "registering alice and bob";
  if ((d->agent[ALICE] = make_agent (d, ALICE, "alice-secret", &error)) == NULL ||
      (d->agent[BOB] = make_agent (d, BOB, "bob-secret", &error)) == NULL)
    {
      fail (d, "cannot create the phones: %s", error->message);
      return;
    }
  printf ("  alice on udp:127.0.0.1:%u, bob on udp:127.0.0.1:%u\n", d->port[ALICE], d->port[BOB]);
  net_sip_agent_register_async (d->agent[ALICE], 300, NULL, on_registered, d);
  net_sip_agent_register_async (d->agent[BOB], 300, NULL, on_registered, d);
}

/* ------------------------------------------------------------------ */
/* The proxy                                                           */

static void
on_proxy_line (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Demo *d = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, NULL, &error);
  guint port = 0;

  if (line == NULL)
    {
      if (!d->finishing)
        fail (d, "netsip-proxy ended before it listened%s%s", error ? ": " : "",
              error ? error->message : "");
      return;
    }
  if (sscanf (line, "listening on udp:127.0.0.1:%u", &port) == 1 && port > 0 && port < 65536)
    {
      d->port[PROXY] = port;
      printf ("  proxy listening on udp:127.0.0.1:%u (netsip-proxy, pid %s)\n", port,
              g_subprocess_get_identifier (d->proxy));
      start_phones (d);
      return;
    }
  g_data_input_stream_read_line_async (d->proxy_out, G_PRIORITY_DEFAULT, NULL, on_proxy_line, d);
}

static gboolean
start_proxy (Demo        *d,
             const char  *proxy_path,
             GError     **error)
{
  g_autofree char *users = g_build_filename (d->tmpdir, "users.txt", NULL);
  g_autofree char *db = g_build_filename (d->tmpdir, "bindings.sqlite", NULL);
  const char *argv[] = {
    proxy_path, "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", DOMAIN,
    "--users", users, "--bindings-db", db, "--record-route", NULL
  };

  if (!g_file_set_contents (users, "alice:alice-secret\nbob:bob-secret\n", -1, error))
    return FALSE;
  d->proxy = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, error);
  if (d->proxy == NULL)
    return FALSE;
  d->proxy_out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (d->proxy));
  d->step = "starting netsip-proxy";
  g_data_input_stream_read_line_async (d->proxy_out, G_PRIORITY_DEFAULT, NULL, on_proxy_line, d);
  return TRUE;
}

/* ------------------------------------------------------------------ */

static void
clear_event (gpointer data)
{
  g_free (((LadderEvent *) data)->label);
  g_free (((LadderEvent *) data)->key);
}

static void
remove_tmpdir (const char *dir)
{
  g_autoptr(GDir) handle = g_dir_open (dir, 0, NULL);
  const char *name;

  while (handle && (name = g_dir_read_name (handle)))
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

int
main (int    argc,
      char **argv)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *proxy_path = NULL, *clip_path = NULL;
  int timeout_s = 60;
  gboolean keep = FALSE;
  Demo d = { 0 };
  GOptionEntry entries[] = {
    { "proxy", 0, 0, G_OPTION_ARG_FILENAME, &proxy_path, "The netsip-proxy program", "PATH" },
    { "clip", 0, 0, G_OPTION_ARG_FILENAME, &clip_path, "Raw 8 kHz PCMU audio alice plays", "FILE" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after this many seconds (60)", "SECONDS" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the temporary directory (bindings, recording)", NULL },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- a call between two phones through a proxy, with a ladder");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 1 || timeout_s <= 0)
    {
      g_printerr ("netsip-demo: %s\n", error ? error->message : "bad arguments (see --help)");
      return 2;
    }
  if (proxy_path == NULL)
    proxy_path = g_strdup (NETSIP_PROXY_PATH);
  if (clip_path == NULL)
    clip_path = g_strdup (NETSIP_DEMO_CLIP);
  if (!g_file_test (clip_path, G_FILE_TEST_IS_REGULAR))
    {
      g_printerr ("netsip-demo: no clip at %s\n", clip_path);
      return 2;
    }

  d.loop = g_main_loop_new (NULL, FALSE);
  d.t0 = g_get_monotonic_time ();
  d.clip_path = clip_path;
  d.digits_rfc4733 = g_string_new (NULL);
  d.digits_inband = g_string_new (NULL);
  d.ladder = g_array_new (FALSE, FALSE, sizeof (LadderEvent));
  g_array_set_clear_func (d.ladder, clear_event);
  d.step = "starting";
  d.tmpdir = g_dir_make_tmp ("netsip-demo-XXXXXX", &error);
  if (d.tmpdir == NULL)
    {
      g_printerr ("netsip-demo: %s\n", error->message);
      return 1;
    }
  d.heard_path = g_build_filename (d.tmpdir, "alice-heard.pcmu", NULL);

  printf ("netsip-demo: alice calls bob through netsip-proxy (registrar, digest, SQLite, Record-Route)\n\n");
  if (!start_proxy (&d, proxy_path, &error))
    {
      g_printerr ("netsip-demo: cannot start %s: %s\n", proxy_path, error->message);
      d.status = 1;
    }
  else
    {
      d.timeout_id = g_timeout_add_seconds (timeout_s, on_timeout, &d);
      g_main_loop_run (d.loop);
      g_clear_handle_id (&d.timeout_id, g_source_remove);
    }

  if (d.ladder->len > 0)
    print_ladder (&d);
  print_summary (&d);
  if (d.failure)
    g_printerr ("netsip-demo: FAILED: %s\n", d.failure);

  g_clear_object (&d.alice_call);
  g_clear_object (&d.bob_call);
  for (guint i = 0; i < N_PARTIES; i++)
    g_clear_object (&d.agent[i]);
  g_clear_object (&d.proxy_out);
  g_clear_object (&d.proxy);
  if (keep)
    printf ("  files kept in   %s\n", d.tmpdir);
  else
    remove_tmpdir (d.tmpdir);
  g_free (d.tmpdir);
  g_free (d.heard_path);
  g_free (d.failure);
  g_free (d.closed_by);
  g_string_free (d.digits_rfc4733, TRUE);
  g_string_free (d.digits_inband, TRUE);
  g_array_unref (d.ladder);
  g_main_loop_unref (d.loop);
  return d.status;
}
