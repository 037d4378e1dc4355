/* netsip-rtp-session.c: one RTP/RTCP audio stream (RFC 3550) with G.711
 * file playback, recording, echo and DTMF (RFC 4733 and in-band)
 *
 * The per-packet path works on buffers inside the instance: a received
 * datagram, the packet being sent and the decoded samples; it allocates
 * nothing. Sending is driven by one GSource whose ready time is computed
 * from a monotonic start time (packet n at start + n * ptime), so the
 * lateness of one wake-up never accumulates.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-rtp-session-private.h"
#include "netsip-enum-types.h"
#include "netsip-g711-private.h"
#include "netsip-rtp-event-private.h"
#include "netsip-port-pair-private.h"

/**
 * NetSipRtpSession:
 *
 * One RTP audio stream with its RTCP (RFC 3550), the media side of a call
 * (Net::SIP's Simple::RTP): G.711 µ-law or A-law at 8 kHz, DTMF as
 * RFC 4733 events or in-band tones, and the SDP offer/answer (RFC 3264)
 * of its one `m=audio` line.
 *
 * A session binds an even RTP port and the RTCP port above it at
 * construction and receives from then on. Offer/answer
 * ([method@NetSip.RtpSession.create_offer],
 * [method@NetSip.RtpSession.create_answer],
 * [method@NetSip.RtpSession.apply_answer]) sets the peer's address, the
 * codec, the telephone-event payload type and the direction;
 * [method@NetSip.RtpSession.start] starts the packet clock. What is sent:
 * a file ([method@NetSip.RtpSession.send_file]) or the received audio
 * ([property@NetSip.RtpSession:echo]), interrupted by queued DTMF
 * ([method@NetSip.RtpSession.send_dtmf]); what is received can be
 * recorded ([method@NetSip.RtpSession.record_to_file]) and is searched
 * for DTMF ([signal@NetSip.RtpSession::dtmf-received]). Statistics
 * (packets, octets, loss, jitter) are properties; RTCP sender or receiver
 * reports go out every few seconds and a BYE on
 * [method@NetSip.RtpSession.stop].
 *
 * All sources (sockets, the packet clock, RTCP) run on the thread-default
 * main context of the thread that created the session, and its signals
 * are emitted there.
 *
 * ```c
 * g_autoptr(NetSipRtpSession) rtp = net_sip_rtp_session_new ("127.0.0.1", 0, 0, &error);
 * g_autoptr(NetSipSdp) offer = net_sip_rtp_session_create_offer (rtp);
 * // ... send the offer, get the answer ...
 * net_sip_rtp_session_apply_answer (rtp, answer, &error);
 * net_sip_rtp_session_send_file (rtp, "hello.pcmu", NET_SIP_CODEC_PCMU, FALSE, &error);
 * net_sip_rtp_session_start (rtp);
 * net_sip_rtp_session_send_dtmf (rtp, "123#", NET_SIP_DTMF_METHOD_AUTO, 100, &error);
 * ```
 *
 * Since: 1.0
 */

/* in-band tone amplitude of each of the two frequencies (about -10 dBm0) */
#define DTMF_AMPLITUDE 7000.0
/* RFC 4733 §2.3.4 volume of our events: -10 dBm0 */
#define DTMF_EVENT_VOLUME 10
#define DTMF_PAUSE_MS 40
#define DTMF_END_PACKETS 3
#define MAX_CATCH_UP_TICKS 5
#define MAX_RECV_PER_DISPATCH 64

enum {
  PROP_0,
  PROP_LOCAL_ADDRESS,
  PROP_PORT_MIN,
  PROP_PORT_MAX,
  PROP_LOCAL_PORT,
  PROP_ASYMMETRIC,
  PROP_CODEC,
  PROP_TELEPHONE_EVENT_PAYLOAD_TYPE,
  PROP_PTIME,
  PROP_DIRECTION,
  PROP_ECHO,
  PROP_MEDIA_TIMEOUT,
  PROP_RTCP_INTERVAL,
  PROP_SSRC,
  PROP_PACKETS_SENT,
  PROP_PACKETS_RECEIVED,
  PROP_OCTETS_SENT,
  PROP_OCTETS_RECEIVED,
  PROP_PACKETS_LOST,
  PROP_JITTER_MS,
  PROP_RTCP_SENT,
  PROP_RTCP_RECEIVED,
  PROP_REMOTE_PACKETS_LOST,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIG_FILE_FINISHED,
  SIG_DTMF_RECEIVED,
  SIG_DTMF_SENT,
  SIG_MEDIA_TIMEOUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_rtp_session_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (NetSipRtpSession, net_sip_rtp_session, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                net_sip_rtp_session_initable_iface_init))

/**
 * net_sip_rtp_error_quark:
 *
 * The error domain of [class@NetSip.RtpSession].
 *
 * Returns: the quark of the %NET_SIP_RTP_ERROR domain
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-rtp-error-quark, net_sip_rtp_error)

/* ---------------------------------------------------------------------- */
/* helpers */

static guint
samples_per_packet (NetSipRtpSession *self)
{
  return self->ptime * 8;
}

static gint64
ptime_us (NetSipRtpSession *self)
{
  return (gint64) self->ptime * 1000;
}

static gboolean
can_send (NetSipRtpSession *self)
{
  return self->started && self->remote_rtp != NULL && !self->remote_on_hold
         && (self->direction & NET_SIP_SDP_DIRECTION_SENDONLY) != 0;
}

/* Ready-time timer: no prepare/check, dispatch calls the callback, which
 * sets the next ready time (or -1). */
static gboolean
ready_time_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     user_data)
{
  (void) source;
  return callback (user_data);
}

static GSourceFuncs ready_time_funcs = {
  NULL, NULL, ready_time_dispatch, NULL, NULL, NULL,
};

static GSource *
timer_new (NetSipRtpSession *self,
           GSourceFunc       callback,
           const char       *name,
           gint64            ready_time)
{
  GSource *source = g_source_new (&ready_time_funcs, sizeof (GSource));

  g_source_set_callback (source, callback, self, NULL);
  g_source_set_static_name (source, name);
  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_ready_time (source, ready_time);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source != NULL)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

/* RTP timestamp of "now" on our sampling clock */
static guint32
clock_ts (NetSipRtpSession *self, gint64 now)
{
  return self->ts_base + (guint32) ((now - self->start_time) * 8000 / G_USEC_PER_SEC);
}

/* Sends the packet in send_buf with the payload already in place. */
static void
send_packet (NetSipRtpSession *self,
             guint             payload_type,
             gboolean          marker,
             guint32           ts,
             gsize             payload_len)
{
  guint8 *h = self->send_buf;
  gssize sent;

  if (self->skip_seq > 0)
    {
      self->seq += (guint16) self->skip_seq;
      self->skip_seq = 0;
    }
  /* RFC 3550 §5.1: V=2, no padding, no extension, no CSRC */
  h[0] = 0x80;
  h[1] = (guint8) ((marker ? 0x80 : 0) | (payload_type & 0x7f));
  h[2] = (guint8) (self->seq >> 8);
  h[3] = (guint8) self->seq;
  h[4] = (guint8) (ts >> 24);
  h[5] = (guint8) (ts >> 16);
  h[6] = (guint8) (ts >> 8);
  h[7] = (guint8) ts;
  h[8] = (guint8) (self->ssrc >> 24);
  h[9] = (guint8) (self->ssrc >> 16);
  h[10] = (guint8) (self->ssrc >> 8);
  h[11] = (guint8) self->ssrc;
  self->seq++;

  /* a failed send (no route, buffer full) is a lost packet, as on the
   * wire; no GError so that nothing is allocated */
  sent = g_socket_send_to (self->send_socket, G_SOCKET_ADDRESS (self->remote_rtp),
                           (const char *) h, NET_SIP_RTP_HEADER_SIZE + payload_len,
                           NULL, NULL);
  if (sent < 0)
    return;
  self->packets_sent++;
  self->octets_sent += payload_len;
  self->sent_since_report = TRUE;
}

static void
send_audio (NetSipRtpSession *self, guint32 ts, gsize len)
{
  gboolean marker = self->marker_next;

  self->marker_next = FALSE;
  send_packet (self, self->codec, marker, ts, len);
}

static void
emit_dtmf (NetSipRtpSession *self,
           char              digit,
           guint             duration_ms,
           NetSipDtmfMethod  method)
{
  char s[2] = { digit, '\0' };

  g_signal_emit (self, signals[SIG_DTMF_RECEIVED], 0, s, duration_ms, method);
}

/* ---------------------------------------------------------------------- */
/* sending: one tick per ptime */

/* The file's next frame, in the negotiated codec, into send_buf. FALSE at
 * the end of the file (then file-finished was emitted). */
static gboolean
next_file_frame (NetSipRtpSession *self, gsize len)
{
  const guint8 *data = (const guint8 *) g_mapped_file_get_contents (self->file);
  gsize size = g_mapped_file_get_length (self->file);
  guint8 *out = self->send_buf + NET_SIP_RTP_HEADER_SIZE;
  gsize have;

  if (self->file_pos >= size)
    {
      if (!self->file_repeat || size == 0)
        {
          g_clear_pointer (&self->file, g_mapped_file_unref);
          g_signal_emit (self, signals[SIG_FILE_FINISHED], 0);
          return FALSE;
        }
      self->file_pos = 0;
    }
  have = MIN (len, size - self->file_pos);
  net_sip_g711_transcode (self->file_codec, self->codec, data + self->file_pos, out, have);
  /* a short last frame is completed with silence */
  memset (out + have, net_sip_g711_silence (self->codec), len - have);
  self->file_pos += have;
  return TRUE;
}

static void
dtmf_start_next (NetSipRtpSession *self, guint32 ts)
{
  NetSipRtpDtmfItem *item = g_queue_pop_head (&self->dtmf_queue);

  self->dtmf = *item;
  g_free (item);
  self->dtmf_phase = DTMF_EVENT;
  self->dtmf_packets = 0;
  self->dtmf_end_sent = 0;
  self->dtmf_ts = ts;
  self->dtmf_samples_done = 0;
  if (self->dtmf.method == NET_SIP_DTMF_METHOD_INBAND)
    net_sip_dtmf_tone_init (&self->dtmf_tone, self->dtmf.digit, DTMF_AMPLITUDE);
}

/* The digit being sent is out (its last packet, or its last end packet):
 * the pause before the next one starts */
static void
dtmf_digit_sent (NetSipRtpSession *self)
{
  char digit[2] = { self->dtmf.digit, '\0' };

  self->dtmf_phase = DTMF_PAUSE;
  self->dtmf_pause_left = MAX (1, DTMF_PAUSE_MS / self->ptime);
  g_signal_emit (self, signals[SIG_DTMF_SENT], 0, digit, self->dtmf.method);
}

/* The DTMF part of a tick. TRUE if it sent this tick's packet. */
static gboolean
dtmf_tick (NetSipRtpSession *self, guint32 ts)
{
  guint spp = samples_per_packet (self);
  guint8 *payload = self->send_buf + NET_SIP_RTP_HEADER_SIZE;

  if (self->dtmf_phase == DTMF_IDLE)
    {
      if (g_queue_is_empty (&self->dtmf_queue))
        return FALSE;
      dtmf_start_next (self, ts);
    }

  if (self->dtmf_phase == DTMF_PAUSE)
    {
      gboolean inband = self->dtmf.method == NET_SIP_DTMF_METHOD_INBAND;

      if (self->dtmf_pause_left > 0)
        self->dtmf_pause_left--;
      if (self->dtmf_pause_left == 0)
        self->dtmf_phase = DTMF_IDLE;
      if (!inband)
        return FALSE;
      /* silence between in-band digits, so that "11" is two tones */
      memset (payload, net_sip_g711_silence (self->codec), spp);
      send_audio (self, ts, spp);
      return TRUE;
    }

  if (self->dtmf.method == NET_SIP_DTMF_METHOD_RFC4733)
    {
      /* RFC 4733 §2.5.1: all packets of the event carry the timestamp of
       * its start; the duration grows by one packet time each update; the
       * first has the marker bit; the final one has the E bit and is sent
       * three times (§2.5.1.4) */
      guint total = self->dtmf.duration_ms * 8;
      guint duration;
      gboolean end;

      self->dtmf_packets++;
      duration = MIN (self->dtmf_packets * spp, total);
      end = duration >= total;
      net_sip_rtp_event_write (payload, (guint) net_sip_dtmf_event_from_digit (self->dtmf.digit),
                               end, DTMF_EVENT_VOLUME, duration);
      send_packet (self, (guint) self->te_pt, self->dtmf_packets == 1,
                   self->dtmf_ts, NET_SIP_RTP_EVENT_SIZE);
      if (end && ++self->dtmf_end_sent >= DTMF_END_PACKETS)
        dtmf_digit_sent (self);
      return TRUE;
    }

  /* in-band: the tone replaces the audio for duration_ms (Q.23 pair) */
  {
    guint total = self->dtmf.duration_ms * 8;
    guint n = MIN (spp, total - self->dtmf_samples_done);

    net_sip_dtmf_tone_fill (&self->dtmf_tone, self->pcm, n);
    memset (self->pcm + n, 0, (spp - n) * sizeof (gint16));
    net_sip_g711_encode (self->codec, self->pcm, payload, spp);
    send_audio (self, ts, spp);
    self->dtmf_samples_done += n;
    if (self->dtmf_samples_done >= total)
      dtmf_digit_sent (self);
    return TRUE;
  }
}

/* An RFC 4733 event cut short by stop(): its end now, with the duration
 * reached, three times (§2.5.1.4), so the peer does not wait for it. */
static void
end_running_event (NetSipRtpSession *self)
{
  guint8 *payload = self->send_buf + NET_SIP_RTP_HEADER_SIZE;
  guint duration;

  if (self->dtmf_phase != DTMF_EVENT || self->dtmf.method != NET_SIP_DTMF_METHOD_RFC4733
      || self->dtmf_packets == 0 || !can_send (self))
    return;
  duration = MIN (self->dtmf_packets * samples_per_packet (self), self->dtmf.duration_ms * 8);
  for (guint i = self->dtmf_end_sent; i < DTMF_END_PACKETS; i++)
    {
      net_sip_rtp_event_write (payload, (guint) net_sip_dtmf_event_from_digit (self->dtmf.digit),
                               TRUE, DTMF_EVENT_VOLUME, duration);
      send_packet (self, (guint) self->te_pt, FALSE, self->dtmf_ts, NET_SIP_RTP_EVENT_SIZE);
    }
}

static void
flush_received_dtmf (NetSipRtpSession *self)
{
  guint duration_ms = 0;
  char digit;

  if (self->rx_event_active && !self->rx_event_reported)
    {
      self->rx_event_reported = TRUE;
      digit = net_sip_dtmf_digit_from_event (self->rx_event);
      if (digit != '\0')
        emit_dtmf (self, digit, self->rx_event_duration / 8, NET_SIP_DTMF_METHOD_RFC4733);
    }
  digit = net_sip_dtmf_detector_flush (&self->detector, &duration_ms);
  if (digit != '\0')
    emit_dtmf (self, digit, duration_ms, NET_SIP_DTMF_METHOD_INBAND);
}

static void
run_tick (NetSipRtpSession *self, guint64 n, gint64 now)
{
  guint32 ts = self->ts_base + (guint32) (n * samples_per_packet (self));
  gsize spp = samples_per_packet (self);

  /* a tone that stopped arriving ends there (the peer went silent) */
  if (self->detector.current != '\0' && now - self->last_audio_time > 3 * ptime_us (self))
    {
      guint duration_ms = 0;
      char digit = net_sip_dtmf_detector_flush (&self->detector, &duration_ms);

      if (digit != '\0')
        emit_dtmf (self, digit, duration_ms, NET_SIP_DTMF_METHOD_INBAND);
    }

  if (!can_send (self))
    return;
  if (dtmf_tick (self, ts))
    return;
  if (self->echo || self->file == NULL)
    return;                     /* echo sends from the receive path */
  if (next_file_frame (self, spp))
    send_audio (self, ts, spp);
}

static void
check_media_timeout (NetSipRtpSession *self, gint64 now)
{
  if (self->media_timeout == 0 || self->media_timed_out || self->remote_on_hold
      || (self->direction & NET_SIP_SDP_DIRECTION_RECVONLY) == 0)
    return;
  if (now - self->last_rx_time >= (gint64) self->media_timeout * G_USEC_PER_SEC)
    {
      self->media_timed_out = TRUE;
      g_signal_emit (self, signals[SIG_MEDIA_TIMEOUT], 0);
    }
}

static gboolean
tick_cb (gpointer user_data)
{
  NetSipRtpSession *self = user_data;
  gint64 now = g_get_monotonic_time ();
  guint64 due = (guint64) ((now - self->start_time) / ptime_us (self)) + 1;

  g_object_ref (self);
  /* after a long stall (suspended process) skip the lost ticks instead
   * of bursting them out; the RTP timestamps still follow the clock */
  if (due > self->tick + MAX_CATCH_UP_TICKS)
    self->tick = due - 1;
  while (self->started && self->tick < due)
    {
      run_tick (self, self->tick, now);
      self->tick++;
    }
  if (self->started)
    check_media_timeout (self, now);
  if (self->started && self->tick_source != NULL)
    g_source_set_ready_time (self->tick_source,
                             self->start_time + (gint64) self->tick * ptime_us (self));
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* RTCP */

static void
send_rtcp (NetSipRtpSession *self, gboolean bye)
{
  NetSipRtcpSender sender;
  gint64 now = g_get_monotonic_time ();
  gsize len;

  if (self->remote_rtcp == NULL || self->rtcp_socket == NULL)
    return;
  sender.ssrc = self->ssrc;
  /* RFC 3550 §6.4: an SR when we sent data since the last report */
  sender.sender = self->sent_since_report;
  sender.rtp_ts = self->started ? clock_ts (self, now) : self->ts_base;
  sender.packets = (guint32) self->packets_sent;
  sender.octets = (guint32) self->octets_sent;
  sender.cname = self->cname;
  len = net_sip_rtcp_build (self->rtcp_buf, sizeof self->rtcp_buf, &sender,
                            &self->rx, now, bye);
  self->sent_since_report = FALSE;
  if (len > 0 && g_socket_send_to (self->rtcp_socket, G_SOCKET_ADDRESS (self->remote_rtcp),
                                   (const char *) self->rtcp_buf, len, NULL, NULL) > 0)
    self->rtcp_sent++;
}

static gint64
next_rtcp_time (NetSipRtpSession *self)
{
  /* RFC 3550 §6.3.1: the interval randomized over [0.5, 1.5] times */
  double factor = g_random_double_range (0.5, 1.5);

  return g_get_monotonic_time () + (gint64) (self->rtcp_interval * 1000.0 * factor);
}

static gboolean
rtcp_timer_cb (gpointer user_data)
{
  NetSipRtpSession *self = user_data;

  send_rtcp (self, FALSE);
  g_source_set_ready_time (self->rtcp_timer, next_rtcp_time (self));
  return G_SOURCE_CONTINUE;
}

static gboolean
rtcp_readable_cb (GSocket      *socket,
                  GIOCondition  condition,
                  gpointer      user_data)
{
  NetSipRtpSession *self = user_data;

  (void) condition;
  for (guint i = 0; i < MAX_RECV_PER_DISPATCH; i++)
    {
      gssize n = g_socket_receive_with_blocking (socket, (char *) self->recv_buf,
                                                 sizeof self->recv_buf, FALSE, NULL, NULL);
      NetSipRtcpInfo info;

      if (n <= 0)
        break;
      if (!net_sip_rtcp_parse (self->recv_buf, (gsize) n, self->ssrc, &info))
        continue;
      self->rtcp_received++;
      if (info.sr)
        {
          self->rx.lsr = info.ntp_middle;
          self->rx.lsr_time = g_get_monotonic_time ();
        }
      if (info.have_block)
        self->remote_packets_lost = info.cumulative_lost;
    }
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* receiving RTP */

static void
handle_event (NetSipRtpSession *self,
              guint32           ts,
              const guint8     *payload,
              gsize             len)
{
  guint event, volume, duration;
  gboolean end;

  if (!net_sip_rtp_event_parse (payload, len, &event, &end, &volume, &duration))
    return;

  /* RFC 4733 §2.5.2: a new timestamp is a new event; the end of the
   * previous one may have been lost */
  if (!self->rx_event_active || ts != self->rx_event_ts)
    {
      if (self->rx_event_active && !self->rx_event_reported)
        {
          char digit = net_sip_dtmf_digit_from_event (self->rx_event);

          self->rx_event_reported = TRUE;
          if (digit != '\0')
            emit_dtmf (self, digit, self->rx_event_duration / 8, NET_SIP_DTMF_METHOD_RFC4733);
        }
      self->rx_event_active = TRUE;
      self->rx_event_reported = FALSE;
      self->rx_event_ts = ts;
      self->rx_event = event;
      self->rx_event_duration = 0;
    }
  if (self->rx_event_reported)
    return;                     /* the end packet repeated (§2.5.1.4) */
  self->rx_event_duration = MAX (self->rx_event_duration, duration);
  if (end)
    {
      char digit = net_sip_dtmf_digit_from_event (event);

      self->rx_event_reported = TRUE;
      if (digit != '\0')
        emit_dtmf (self, digit, self->rx_event_duration / 8, NET_SIP_DTMF_METHOD_RFC4733);
    }
}

static void
handle_audio (NetSipRtpSession *self,
              guint             pt,
              guint8           *payload,
              gsize             len,
              gint64            now)
{
  gsize n = MIN (len, (gsize) NET_SIP_RTP_MAX_SAMPLES);
  guint duration_ms = 0;
  char digit;

  /* the negotiated codec is what we record and echo; the other G.711
   * law is converted in place */
  if (pt != (guint) self->codec)
    net_sip_g711_transcode (pt, self->codec, payload, payload, len);

  if (self->record != NULL)
    {
      GError *error = NULL;

      if (!g_output_stream_write_all (self->record, payload, len, NULL, NULL, &error))
        {
          g_warning ("RTP recording stopped: %s", error->message);
          g_error_free (error);
          g_clear_object (&self->record);
        }
    }

  self->last_audio_time = now;
  net_sip_g711_decode (self->codec, payload, self->pcm, n);
  digit = net_sip_dtmf_detector_feed (&self->detector, self->pcm, n, &duration_ms);
  if (digit != '\0')
    emit_dtmf (self, digit, duration_ms, NET_SIP_DTMF_METHOD_INBAND);

  if (self->echo && can_send (self) && n == len)
    {
      memcpy (self->send_buf + NET_SIP_RTP_HEADER_SIZE, payload, len);
      send_audio (self, clock_ts (self, now), len);
    }
}

static void
handle_rtp (NetSipRtpSession *self, gsize n, gint64 now)
{
  guint8 *b = self->recv_buf;
  gsize header, payload_len;
  guint pt, cc;
  guint16 seq;
  guint32 ts, ssrc;

  /* RFC 3550 §5.1 and A.1 validity: version 2, the header with its CSRCs
   * and extension inside the datagram, padding inside the payload */
  if (n < NET_SIP_RTP_HEADER_SIZE || (b[0] & 0xc0) != 0x80)
    return;
  cc = b[0] & 0x0f;
  header = NET_SIP_RTP_HEADER_SIZE + 4 * cc;
  if (b[0] & 0x10)
    {
      if (n < header + 4)
        return;
      header += 4 + 4 * (((gsize) b[header + 2] << 8) | b[header + 3]);
    }
  if (n < header)
    return;
  payload_len = n - header;
  if (b[0] & 0x20)
    {
      guint pad = b[n - 1];

      if (pad == 0 || pad > payload_len)
        return;
      payload_len -= pad;
    }
  /* a stopped session (its call ended) takes no more media: counts,
   * recording and echo stay as they were at stop() */
  if (self->stopped)
    return;
  pt = b[1] & 0x7f;
  /* RTCP multiplexed on the RTP port (RFC 5761) or garbage */
  if (pt >= 64 && pt <= 95)
    return;
  seq = (guint16) ((b[2] << 8) | b[3]);
  ts = ((guint32) b[4] << 24) | ((guint32) b[5] << 16) | ((guint32) b[6] << 8) | b[7];
  ssrc = ((guint32) b[8] << 24) | ((guint32) b[9] << 16) | ((guint32) b[10] << 8) | b[11];

  self->packets_received++;
  self->octets_received += payload_len;
  self->last_rx_time = now;
  self->media_timed_out = FALSE;

  if (self->te_pt >= 0 && pt == (guint) self->te_pt)
    {
      net_sip_rtp_source_stats_update (&self->rx, ssrc, seq, ts, now, FALSE);
      handle_event (self, ts, b + header, payload_len);
      return;
    }
  if (!net_sip_rtp_source_stats_update (&self->rx, ssrc, seq, ts, now, TRUE))
    return;
  if (pt == NET_SIP_CODEC_PCMU || pt == NET_SIP_CODEC_PCMA)
    handle_audio (self, pt, b + header, payload_len, now);
}

static gboolean
rtp_readable_cb (GSocket      *socket,
                 GIOCondition  condition,
                 gpointer      user_data)
{
  NetSipRtpSession *self = user_data;

  (void) condition;
  g_object_ref (self);
  for (guint i = 0; i < MAX_RECV_PER_DISPATCH && self->rtp_socket != NULL; i++)
    {
      gssize n = g_socket_receive_with_blocking (socket, (char *) self->recv_buf,
                                                 sizeof self->recv_buf, FALSE, NULL, NULL);
      if (n < 0)
        break;
      handle_rtp (self, (gsize) n, g_get_monotonic_time ());
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

/* ---------------------------------------------------------------------- */
/* construction */

static gboolean
bind_pair (NetSipRtpSession *self, GInetAddress *address, GError **error)
{
  guint min = self->port_min, max = self->port_max;
  guint first, n_pairs, tries;

  if (min == 0 && max == 0)
    {
      min = 10000;
      max = 60000;
    }
  if (max == 0)
    max = 65535;
  min = MAX (min, 2);
  min += min & 1;               /* RTP on an even port (RFC 3550 §11) */
  if (max < min + 1)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_NO_PORTS,
                   "no even/odd port pair in %u..%u", self->port_min, self->port_max);
      return FALSE;
    }
  n_pairs = (max - min + 1) / 2;
  first = (guint) g_random_int_range (0, (gint32) n_pairs);
  tries = MIN (n_pairs, 500);

  for (guint i = 0; i < tries; i++)
    {
      guint16 port = (guint16) (min + 2 * ((first + i) % n_pairs));

      if (!net_sip_port_pair_bind (address, port, &self->rtp_socket, &self->rtcp_socket))
        continue;
      self->local_port = port;
      return TRUE;
    }
  g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_NO_PORTS,
               "no free even/odd port pair on %s in %u..%u",
               self->local_address, min, max);
  return FALSE;
}

static gboolean
net_sip_rtp_session_initable_init (GInitable     *initable,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  NetSipRtpSession *self = NET_SIP_RTP_SESSION (initable);
  g_autoptr(GInetAddress) address = NULL;

  (void) cancellable;
  if (self->local_address == NULL
      || (address = g_inet_address_new_from_string (self->local_address)) == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "local address '%s' is not an IP address",
                   self->local_address ? self->local_address : "(null)");
      return FALSE;
    }
  self->family = g_inet_address_get_family (address);
  /* the normalized form, for SDP */
  g_free (self->local_address);
  self->local_address = g_inet_address_to_string (address);

  if (!bind_pair (self, address, error))
    return FALSE;
  if (self->asymmetric)
    {
      /* Net::SIP's asymetric_rtp: a separate socket for sending */
      self->send_socket = net_sip_udp_socket_bind (address, 0, error);
      if (self->send_socket == NULL)
        return FALSE;
    }
  else
    self->send_socket = g_object_ref (self->rtp_socket);

  self->rtp_source = g_socket_create_source (self->rtp_socket, G_IO_IN, NULL);
  g_source_set_callback (self->rtp_source, (GSourceFunc) (void (*) (void)) rtp_readable_cb,
                         self, NULL);
  g_source_set_static_name (self->rtp_source, "NetSipRtpSession RTP");
  g_source_set_priority (self->rtp_source, G_PRIORITY_HIGH);
  g_source_attach (self->rtp_source, self->context);

  self->rtcp_source = g_socket_create_source (self->rtcp_socket, G_IO_IN, NULL);
  g_source_set_callback (self->rtcp_source, (GSourceFunc) (void (*) (void)) rtcp_readable_cb,
                         self, NULL);
  g_source_set_static_name (self->rtcp_source, "NetSipRtpSession RTCP");
  g_source_attach (self->rtcp_source, self->context);

  self->cname = g_strdup_printf ("netsip-%08x@%s", self->ssrc, self->local_address);
  return TRUE;
}

static void
net_sip_rtp_session_initable_iface_init (GInitableIface *iface)
{
  iface->init = net_sip_rtp_session_initable_init;
}

/* ---------------------------------------------------------------------- */
/* GObject */

static void
net_sip_rtp_session_init (NetSipRtpSession *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->codec = NET_SIP_CODEC_PCMU;
  self->te_pt = -1;
  self->ptime = 20;
  self->direction = NET_SIP_SDP_DIRECTION_SENDRECV;
  self->wanted_direction = NET_SIP_SDP_DIRECTION_SENDRECV;
  self->offered_direction = NET_SIP_SDP_DIRECTION_SENDRECV;
  self->media_timeout = 10;
  self->rtcp_interval = 5000;
  /* RFC 3550 §5.1, §8.1: random SSRC, initial sequence number and
   * timestamp */
  self->ssrc = g_random_int ();
  self->seq = (guint16) g_random_int_range (0, 65536);
  self->ts_base = g_random_int ();
  self->marker_next = TRUE;
  self->sdp_session_id = g_random_int_range (1, G_MAXINT32);
  self->sdp_version = self->sdp_session_id;
  g_queue_init (&self->dtmf_queue);
  net_sip_dtmf_detector_init (&self->detector);
  net_sip_rtp_source_stats_reset (&self->rx);
}

static void
net_sip_rtp_session_dispose (GObject *object)
{
  NetSipRtpSession *self = NET_SIP_RTP_SESSION (object);

  /* as stop(), with the RTCP BYE, but no signal emitted from dispose */
  if (self->started)
    {
      self->started = FALSE;
      send_rtcp (self, TRUE);
    }
  clear_source (&self->tick_source);
  clear_source (&self->rtcp_timer);
  clear_source (&self->rtp_source);
  clear_source (&self->rtcp_source);
  if (self->rtp_socket != NULL)
    g_socket_close (self->rtp_socket, NULL);
  if (self->rtcp_socket != NULL)
    g_socket_close (self->rtcp_socket, NULL);
  if (self->send_socket != NULL && self->send_socket != self->rtp_socket)
    g_socket_close (self->send_socket, NULL);
  g_clear_object (&self->rtp_socket);
  g_clear_object (&self->rtcp_socket);
  g_clear_object (&self->send_socket);
  g_clear_object (&self->remote_rtp);
  g_clear_object (&self->remote_rtcp);
  if (self->record != NULL)
    g_output_stream_close (self->record, NULL, NULL);
  g_clear_object (&self->record);
  g_clear_pointer (&self->file, g_mapped_file_unref);
  g_queue_clear_full (&self->dtmf_queue, g_free);

  G_OBJECT_CLASS (net_sip_rtp_session_parent_class)->dispose (object);
}

static void
net_sip_rtp_session_finalize (GObject *object)
{
  NetSipRtpSession *self = NET_SIP_RTP_SESSION (object);

  g_free (self->local_address);
  g_free (self->cname);
  g_main_context_unref (self->context);

  G_OBJECT_CLASS (net_sip_rtp_session_parent_class)->finalize (object);
}

static void
net_sip_rtp_session_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  NetSipRtpSession *self = NET_SIP_RTP_SESSION (object);

  switch (prop_id)
    {
    case PROP_LOCAL_ADDRESS:
      g_value_set_string (value, self->local_address);
      break;
    case PROP_PORT_MIN:
      g_value_set_uint (value, self->port_min);
      break;
    case PROP_PORT_MAX:
      g_value_set_uint (value, self->port_max);
      break;
    case PROP_LOCAL_PORT:
      g_value_set_uint (value, self->local_port);
      break;
    case PROP_ASYMMETRIC:
      g_value_set_boolean (value, self->asymmetric);
      break;
    case PROP_CODEC:
      g_value_set_enum (value, self->codec);
      break;
    case PROP_TELEPHONE_EVENT_PAYLOAD_TYPE:
      g_value_set_int (value, self->te_pt);
      break;
    case PROP_PTIME:
      g_value_set_uint (value, self->ptime);
      break;
    case PROP_DIRECTION:
      g_value_set_enum (value, self->direction);
      break;
    case PROP_ECHO:
      g_value_set_boolean (value, self->echo);
      break;
    case PROP_MEDIA_TIMEOUT:
      g_value_set_uint (value, self->media_timeout);
      break;
    case PROP_RTCP_INTERVAL:
      g_value_set_uint (value, self->rtcp_interval);
      break;
    case PROP_SSRC:
      g_value_set_uint (value, self->ssrc);
      break;
    case PROP_PACKETS_SENT:
      g_value_set_uint64 (value, self->packets_sent);
      break;
    case PROP_PACKETS_RECEIVED:
      g_value_set_uint64 (value, self->packets_received);
      break;
    case PROP_OCTETS_SENT:
      g_value_set_uint64 (value, self->octets_sent);
      break;
    case PROP_OCTETS_RECEIVED:
      g_value_set_uint64 (value, self->octets_received);
      break;
    case PROP_PACKETS_LOST:
      g_value_set_int64 (value, net_sip_rtp_session_get_packets_lost (self));
      break;
    case PROP_JITTER_MS:
      g_value_set_double (value, net_sip_rtp_session_get_jitter_ms (self));
      break;
    case PROP_RTCP_SENT:
      g_value_set_uint64 (value, self->rtcp_sent);
      break;
    case PROP_RTCP_RECEIVED:
      g_value_set_uint64 (value, self->rtcp_received);
      break;
    case PROP_REMOTE_PACKETS_LOST:
      g_value_set_int64 (value, self->remote_packets_lost);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_codec (NetSipRtpSession *self, NetSipCodec codec)
{
  if (self->codec == codec)
    return;
  self->codec = codec;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CODEC]);
}

static void
set_te_pt (NetSipRtpSession *self, int pt)
{
  if (self->te_pt == pt)
    return;
  self->te_pt = pt;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_TELEPHONE_EVENT_PAYLOAD_TYPE]);
}

static void
set_effective_direction (NetSipRtpSession *self, NetSipSdpDirection direction)
{
  if (self->direction == direction)
    return;
  self->direction = direction;
  /* a stream that starts receiving again gets a fresh timeout */
  self->last_rx_time = g_get_monotonic_time ();
  self->media_timed_out = FALSE;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIRECTION]);
}

static void
net_sip_rtp_session_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  NetSipRtpSession *self = NET_SIP_RTP_SESSION (object);

  switch (prop_id)
    {
    case PROP_LOCAL_ADDRESS:
      g_free (self->local_address);
      self->local_address = g_value_dup_string (value);
      break;
    case PROP_PORT_MIN:
      self->port_min = (guint16) g_value_get_uint (value);
      break;
    case PROP_PORT_MAX:
      self->port_max = (guint16) g_value_get_uint (value);
      break;
    case PROP_ASYMMETRIC:
      self->asymmetric = g_value_get_boolean (value);
      break;
    case PROP_CODEC:
      set_codec (self, g_value_get_enum (value));
      break;
    case PROP_TELEPHONE_EVENT_PAYLOAD_TYPE:
      set_te_pt (self, g_value_get_int (value));
      break;
    case PROP_PTIME:
      if (self->ptime != g_value_get_uint (value))
        {
          g_return_if_fail (!self->started);
          self->ptime = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DIRECTION:
      net_sip_rtp_session_set_direction (self, g_value_get_enum (value));
      break;
    case PROP_ECHO:
      net_sip_rtp_session_set_echo (self, g_value_get_boolean (value));
      break;
    case PROP_MEDIA_TIMEOUT:
      if (self->media_timeout != g_value_get_uint (value))
        {
          self->media_timeout = g_value_get_uint (value);
          self->last_rx_time = g_get_monotonic_time ();
          self->media_timed_out = FALSE;
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RTCP_INTERVAL:
      if (self->rtcp_interval != g_value_get_uint (value))
        {
          self->rtcp_interval = g_value_get_uint (value);
          if (self->rtcp_timer != NULL)
            g_source_set_ready_time (self->rtcp_timer, next_rtcp_time (self));
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_rtp_session_class_init (NetSipRtpSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS;
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = net_sip_rtp_session_dispose;
  object_class->finalize = net_sip_rtp_session_finalize;
  object_class->get_property = net_sip_rtp_session_get_property;
  object_class->set_property = net_sip_rtp_session_set_property;

  /**
   * NetSipRtpSession:local-address:
   *
   * The IP literal the RTP and RTCP sockets are bound to, as written in
   * the `c=` and `o=` lines of our SDP (normalized: `::1`, not
   * `0:0:...:1`).
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_ADDRESS] = g_param_spec_string ("local-address", NULL, NULL, NULL, co);

  /**
   * NetSipRtpSession:port-min:
   *
   * The lowest port the RTP socket may be bound to; with
   * [property@NetSip.RtpSession:port-max] both 0 a pair in 10000..60000.
   *
   * Since: 1.0
   */
  props[PROP_PORT_MIN] = g_param_spec_uint ("port-min", NULL, NULL, 0, 65535, 0, co);

  /**
   * NetSipRtpSession:port-max:
   *
   * The highest port of the RTCP socket (RTP port + 1); 0 = up to 65535.
   *
   * Since: 1.0
   */
  props[PROP_PORT_MAX] = g_param_spec_uint ("port-max", NULL, NULL, 0, 65535, 0, co);

  /**
   * NetSipRtpSession:local-port:
   *
   * The even UDP port RTP is received on; RTCP uses the next one
   * (RFC 3550 §11).
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_PORT] = g_param_spec_uint ("local-port", NULL, NULL, 0, 65535, 0, ro);

  /**
   * NetSipRtpSession:asymmetric:
   *
   * Send RTP from a separate socket on an ephemeral port instead of the
   * receiving one (Net::SIP's `asymetric_rtp`): for peers that must not
   * rely on symmetric RTP (RFC 4961).
   *
   * Since: 1.0
   */
  props[PROP_ASYMMETRIC] = g_param_spec_boolean ("asymmetric", NULL, NULL, FALSE, co);

  /**
   * NetSipRtpSession:codec:
   *
   * The codec sent and expected, set by offer/answer. Packets of the
   * other G.711 law are accepted and converted.
   *
   * Since: 1.0
   */
  props[PROP_CODEC] = g_param_spec_enum ("codec", NULL, NULL, NET_SIP_TYPE_CODEC,
                                         NET_SIP_CODEC_PCMU, rw);

  /**
   * NetSipRtpSession:telephone-event-payload-type:
   *
   * The RTP payload type of `telephone-event/8000` (RFC 4733 §7.1.1), -1
   * when not negotiated. Our offers use 101 (or the number negotiated
   * before); after the peer's offer or answer it is the number the peer
   * chose, such as 96 or 118.
   *
   * Since: 1.0
   */
  props[PROP_TELEPHONE_EVENT_PAYLOAD_TYPE] =
    g_param_spec_int ("telephone-event-payload-type", NULL, NULL, -1, 127, -1, rw);

  /**
   * NetSipRtpSession:ptime:
   *
   * The packet time in milliseconds (`a=ptime`, RFC 4566 §6): 20 ms =
   * 160 G.711 bytes per packet. 10..100; set before
   * [method@NetSip.RtpSession.start].
   *
   * Since: 1.0
   */
  props[PROP_PTIME] = g_param_spec_uint ("ptime", NULL, NULL, 10, 100, 20, rw);

  /**
   * NetSipRtpSession:direction:
   *
   * The direction of our side (RFC 3264 §5.1, §6.1): sendrecv,
   * sendonly (we hold the peer), recvonly (the peer holds us) or
   * inactive. Setting it chooses what the next offer asks for and limits
   * the next answers; negotiation sets the outcome. Nothing is sent
   * unless it includes sending.
   *
   * Since: 1.0
   */
  props[PROP_DIRECTION] = g_param_spec_enum ("direction", NULL, NULL,
                                             NET_SIP_TYPE_SDP_DIRECTION,
                                             NET_SIP_SDP_DIRECTION_SENDRECV, rw);

  /**
   * NetSipRtpSession:echo:
   *
   * Send each received audio payload back in our own stream (our SSRC,
   * sequence numbers and timestamps), instead of file audio.
   *
   * Since: 1.0
   */
  props[PROP_ECHO] = g_param_spec_boolean ("echo", NULL, NULL, FALSE, rw);

  /**
   * NetSipRtpSession:media-timeout:
   *
   * Seconds without any RTP after [method@NetSip.RtpSession.start] (or
   * after the last packet) until [signal@NetSip.RtpSession::media-timed-out]
   * is emitted; 0 = never. Not counted while we do not expect media (our
   * direction without receiving, or the peer on hold).
   *
   * Since: 1.0
   */
  props[PROP_MEDIA_TIMEOUT] = g_param_spec_uint ("media-timeout", NULL, NULL,
                                                 0, 3600, 10, rw);

  /**
   * NetSipRtpSession:rtcp-interval:
   *
   * The mean interval between our RTCP reports in milliseconds; each
   * interval is randomized over 0.5..1.5 times it (RFC 3550 §6.3.1).
   * 5000 by default (§6.2's minimum for a two-party session).
   *
   * Since: 1.0
   */
  props[PROP_RTCP_INTERVAL] = g_param_spec_uint ("rtcp-interval", NULL, NULL,
                                                 100, 600000, 5000, rw);

  /**
   * NetSipRtpSession:ssrc:
   *
   * Our random synchronization source identifier (RFC 3550 §8.1).
   *
   * Since: 1.0
   */
  props[PROP_SSRC] = g_param_spec_uint ("ssrc", NULL, NULL, 0, G_MAXUINT32, 0, ro);

  /**
   * NetSipRtpSession:packets-sent:
   *
   * RTP packets sent (audio and telephone-event). Statistics are not
   * notified.
   *
   * Since: 1.0
   */
  props[PROP_PACKETS_SENT] = g_param_spec_uint64 ("packets-sent", NULL, NULL,
                                                  0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:packets-received:
   *
   * Valid RTP packets received.
   *
   * Since: 1.0
   */
  props[PROP_PACKETS_RECEIVED] = g_param_spec_uint64 ("packets-received", NULL, NULL,
                                                      0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:octets-sent:
   *
   * RTP payload octets sent (headers not counted, as in an SR).
   *
   * Since: 1.0
   */
  props[PROP_OCTETS_SENT] = g_param_spec_uint64 ("octets-sent", NULL, NULL,
                                                 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:octets-received:
   *
   * RTP payload octets received.
   *
   * Since: 1.0
   */
  props[PROP_OCTETS_RECEIVED] = g_param_spec_uint64 ("octets-received", NULL, NULL,
                                                     0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:packets-lost:
   *
   * Packets of the peer's stream that did not arrive: expected minus
   * received (RFC 3550 A.3); negative with duplicates.
   *
   * Since: 1.0
   */
  props[PROP_PACKETS_LOST] = g_param_spec_int64 ("packets-lost", NULL, NULL,
                                                 G_MININT64, G_MAXINT64, 0, ro);
  /**
   * NetSipRtpSession:jitter-ms:
   *
   * The interarrival jitter of the peer's stream in milliseconds
   * (RFC 3550 §6.4.1, A.8).
   *
   * Since: 1.0
   */
  props[PROP_JITTER_MS] = g_param_spec_double ("jitter-ms", NULL, NULL,
                                               0, G_MAXDOUBLE, 0, ro);
  /**
   * NetSipRtpSession:rtcp-sent:
   *
   * RTCP compound packets sent (reports and BYE).
   *
   * Since: 1.0
   */
  props[PROP_RTCP_SENT] = g_param_spec_uint64 ("rtcp-sent", NULL, NULL,
                                               0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:rtcp-received:
   *
   * Valid RTCP compound packets received.
   *
   * Since: 1.0
   */
  props[PROP_RTCP_RECEIVED] = g_param_spec_uint64 ("rtcp-received", NULL, NULL,
                                                   0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRtpSession:remote-packets-lost:
   *
   * The cumulative number of our packets the peer reported lost in its
   * last SR or RR (RFC 3550 §6.4.1).
   *
   * Since: 1.0
   */
  props[PROP_REMOTE_PACKETS_LOST] = g_param_spec_int64 ("remote-packets-lost", NULL, NULL,
                                                        G_MININT64, G_MAXINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipRtpSession::file-finished:
   * @self: the session
   *
   * The file of [method@NetSip.RtpSession.send_file] was sent to its end
   * (without repeat); audio sending stops.
   *
   * Since: 1.0
   */
  signals[SIG_FILE_FINISHED] =
    g_signal_new ("file-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * NetSipRtpSession::dtmf-received:
   * @self: the session
   * @digit: the digit, one of `0-9*#A-D`
   * @duration_ms: its length in milliseconds: the RFC 4733 duration, or
   *   the time the tone was detected (in steps of the packet time)
   * @method: %NET_SIP_DTMF_METHOD_RFC4733 or %NET_SIP_DTMF_METHOD_INBAND
   *
   * A DTMF digit was received: once per RFC 4733 event (at its end bit,
   * or when the next event starts if the end packets were lost), or an
   * in-band tone (Goertzel detection, at least 40 ms) when it stopped.
   *
   * Since: 1.0
   */
  signals[SIG_DTMF_RECEIVED] =
    g_signal_new ("dtmf-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, G_TYPE_UINT,
                  NET_SIP_TYPE_DTMF_METHOD);

  /**
   * NetSipRtpSession::dtmf-sent:
   * @self: the session
   * @digit: the digit, one of `0-9*#A-D`
   * @method: how it was sent: %NET_SIP_DTMF_METHOD_RFC4733 or
   *   %NET_SIP_DTMF_METHOD_INBAND (%NET_SIP_DTMF_METHOD_AUTO resolved)
   *
   * A digit queued by [method@NetSip.RtpSession.send_dtmf] is out: its
   * tone ended, or its RFC 4733 event's three end packets were sent
   * (RFC 4733 §2.5.1.4). The next queued digit follows after a pause of
   * 40 ms. A digit dropped by [method@NetSip.RtpSession.stop] is not
   * reported.
   *
   * Since: 1.0
   */
  signals[SIG_DTMF_SENT] =
    g_signal_new ("dtmf-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING | G_SIGNAL_TYPE_STATIC_SCOPE, NET_SIP_TYPE_DTMF_METHOD);

  /**
   * NetSipRtpSession::media-timed-out:
   * @self: the session
   *
   * No RTP arrived for [property@NetSip.RtpSession:media-timeout]
   * seconds while the session was started and expected media. Emitted
   * once until RTP arrives again. The session keeps running; a call ends
   * itself with BYE. (The signal is not called `media-timeout` like the
   * property: a signal and a property of one name collide in Vala.)
   *
   * Since: 1.0
   */
  signals[SIG_MEDIA_TIMEOUT] =
    g_signal_new ("media-timed-out", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
}

/* ---------------------------------------------------------------------- */
/* public API */

/**
 * net_sip_rtp_session_new:
 * @local_address: an IP literal (`127.0.0.1`, `::1`) to bind to
 * @port_min: the lowest port for RTP, 0 with @port_max 0 for any pair in
 *   10000..60000
 * @port_max: the highest port for RTCP, 0 for 65535
 * @error: return location for a #GError
 *
 * Creates an RTP session for one audio stream: binds an even port for RTP
 * and the odd port above it for RTCP (RFC 3550 §11) and starts receiving
 * on the thread-default main context of the caller, which all its
 * sources and signals then use. Nothing is sent before
 * [method@NetSip.RtpSession.start] and a remote address (from
 * offer/answer or [method@NetSip.RtpSession.set_remote]).
 *
 * Errors: %NET_SIP_RTP_ERROR_NO_PORTS when no pair is free in the range,
 * %G_IO_ERROR_INVALID_ARGUMENT when @local_address is not an IP literal.
 *
 * Returns: (transfer full): the new session, or %NULL with @error set
 *
 * Since: 1.0
 */
NetSipRtpSession *
net_sip_rtp_session_new (const char  *local_address,
                         guint16      port_min,
                         guint16      port_max,
                         GError     **error)
{
  g_return_val_if_fail (local_address != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return g_initable_new (NET_SIP_TYPE_RTP_SESSION, NULL, error,
                         "local-address", local_address,
                         "port-min", (guint) port_min,
                         "port-max", (guint) port_max,
                         NULL);
}

/**
 * net_sip_rtp_session_get_local_address:
 * @self: a #NetSipRtpSession
 *
 * The IP address the RTP and RTCP sockets are bound to, as written into SDP.
 *
 * Returns: (transfer none): the address the sockets are bound to
 *
 * Since: 1.0
 */
const char *
net_sip_rtp_session_get_local_address (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NULL);
  return self->local_address;
}

/**
 * net_sip_rtp_session_get_local_port:
 * @self: a #NetSipRtpSession
 *
 * The RTP port (even; RTCP is the next port up, RFC 3550 §11).
 *
 * Returns: the even RTP port; RTCP is on the next one
 *
 * Since: 1.0
 */
guint16
net_sip_rtp_session_get_local_port (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return self->local_port;
}

void
net_sip_rtp_session_apply_negotiation (NetSipRtpSession   *self,
                                       const char         *address,
                                       guint16             port,
                                       guint16             rtcp_port,
                                       NetSipCodec         codec,
                                       int                 te_pt,
                                       NetSipSdpDirection  direction)
{
  g_autoptr(GInetAddress) inet = NULL;

  g_object_freeze_notify (G_OBJECT (self));
  if (address != NULL)
    inet = g_inet_address_new_from_string (address);
  /* RFC 3264 §8.4: port 0 or the unspecified address (RFC 2543 hold):
   * we send nothing; the previous remote address is kept */
  if (inet == NULL || port == 0 || g_inet_address_get_is_any (inet))
    self->remote_on_hold = TRUE;
  else
    {
      g_autoptr(GSocketAddress) rtp = g_inet_socket_address_new (inet, port);
      g_autoptr(GSocketAddress) rtcp = g_inet_socket_address_new (inet, rtcp_port);

      net_sip_rtp_session_set_remote (self, G_INET_SOCKET_ADDRESS (rtp),
                                      G_INET_SOCKET_ADDRESS (rtcp));
      self->remote_on_hold = FALSE;
    }
  set_codec (self, codec);
  set_te_pt (self, te_pt);
  set_effective_direction (self, direction);
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * net_sip_rtp_session_set_remote:
 * @self: a #NetSipRtpSession
 * @rtp: (transfer none): where to send RTP
 * @rtcp: (transfer none) (nullable): where to send RTCP, %NULL for the
 *   RTP port + 1 (RFC 3550 §11)
 *
 * Sets the peer's addresses by hand; offer/answer
 * ([method@NetSip.RtpSession.create_answer],
 * [method@NetSip.RtpSession.apply_answer]) does it otherwise. Clears an
 * RFC 2543 hold.
 *
 * Since: 1.0
 */
void
net_sip_rtp_session_set_remote (NetSipRtpSession   *self,
                                GInetSocketAddress *rtp,
                                GInetSocketAddress *rtcp)
{
  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (rtp));
  g_return_if_fail (rtcp == NULL || G_IS_INET_SOCKET_ADDRESS (rtcp));

  g_object_ref (rtp);
  g_clear_object (&self->remote_rtp);
  self->remote_rtp = rtp;
  g_clear_object (&self->remote_rtcp);
  if (rtcp != NULL)
    self->remote_rtcp = g_object_ref (rtcp);
  else
    self->remote_rtcp = G_INET_SOCKET_ADDRESS (
      g_inet_socket_address_new (g_inet_socket_address_get_address (rtp),
                                 (guint16) (g_inet_socket_address_get_port (rtp) + 1)));
  self->remote_on_hold = FALSE;
}

/**
 * net_sip_rtp_session_get_remote:
 * @self: a #NetSipRtpSession
 *
 * Where RTP is sent: the peer's address from offer/answer or
 * net_sip_rtp_session_set_remote().
 *
 * Returns: (transfer none) (nullable): where RTP is sent, %NULL before
 *   negotiation
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_rtp_session_get_remote (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NULL);
  return self->remote_rtp;
}

/**
 * net_sip_rtp_session_send_file:
 * @self: a #NetSipRtpSession
 * @path: (type filename): a file of raw 8 kHz G.711 samples, one byte
 *   each, no header
 * @file_codec: the law the file is in; converted when it is not the
 *   negotiated [property@NetSip.RtpSession:codec]
 * @repeat: start again at the end instead of stopping
 * @error: return location for a #GError
 *
 * Sends the file as the audio of the stream, one packet of
 * [property@NetSip.RtpSession:ptime] (20 ms = 160 bytes) per packet time
 * once the session is started, replacing a file sent before. At the end
 * (without @repeat) [signal@NetSip.RtpSession::file-finished] is emitted
 * and audio stops. While [property@NetSip.RtpSession:echo] is on, the
 * echo is sent instead.
 *
 * Errors: #GFileError when the file cannot be opened or mapped.
 *
 * Returns: %TRUE when the file is being sent
 *
 * Since: 1.0
 */
gboolean
net_sip_rtp_session_send_file (NetSipRtpSession  *self,
                               const char        *path,
                               NetSipCodec        file_codec,
                               gboolean           repeat,
                               GError           **error)
{
  GMappedFile *file;

  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (file_codec == NET_SIP_CODEC_PCMU || file_codec == NET_SIP_CODEC_PCMA, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  file = g_mapped_file_new (path, FALSE, error);
  if (file == NULL)
    return FALSE;
  g_clear_pointer (&self->file, g_mapped_file_unref);
  self->file = file;
  self->file_pos = 0;
  self->file_codec = file_codec;
  self->file_repeat = repeat;
  return TRUE;
}

/**
 * net_sip_rtp_session_record_to_file:
 * @self: a #NetSipRtpSession
 * @path: (type filename) (nullable): the file to append to (created if
 *   missing), %NULL to stop recording
 * @error: return location for a #GError
 *
 * Appends each received audio payload, in the negotiated codec (the
 * other law converted), in arrival order, to @path. Telephone-event
 * packets are not written. Replaces (and closes) an earlier recording.
 *
 * Errors: #GIOErrorEnum codes from g_file_append_to().
 *
 * Returns: %TRUE when recording (or stopped, for %NULL)
 *
 * Since: 1.0
 */
gboolean
net_sip_rtp_session_record_to_file (NetSipRtpSession  *self,
                                    const char        *path,
                                    GError           **error)
{
  g_autoptr(GFile) file = NULL;
  GFileOutputStream *stream;

  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->record != NULL)
    g_output_stream_close (self->record, NULL, NULL);
  g_clear_object (&self->record);
  if (path == NULL)
    return TRUE;

  file = g_file_new_for_path (path);
  stream = g_file_append_to (file, G_FILE_CREATE_NONE, NULL, error);
  if (stream == NULL)
    return FALSE;
  self->record = G_OUTPUT_STREAM (stream);
  return TRUE;
}

/**
 * net_sip_rtp_session_set_echo:
 * @self: a #NetSipRtpSession
 * @echo: whether to send received audio back
 *
 * Sets [property@NetSip.RtpSession:echo].
 *
 * Since: 1.0
 */
void
net_sip_rtp_session_set_echo (NetSipRtpSession *self,
                              gboolean          echo)
{
  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));

  echo = !!echo;
  if (self->echo == echo)
    return;
  self->echo = echo;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ECHO]);
}

/**
 * net_sip_rtp_session_send_dtmf:
 * @self: a #NetSipRtpSession
 * @digits: the digits to send, from `0-9*#A-D` (lower-case `a-d` too)
 * @method: %NET_SIP_DTMF_METHOD_RFC4733, %NET_SIP_DTMF_METHOD_INBAND, or
 *   %NET_SIP_DTMF_METHOD_AUTO for RFC 4733 when `telephone-event` was
 *   negotiated and in-band otherwise (decided now)
 * @duration_ms: the length of each digit in milliseconds, 40..5000
 * @error: return location for a #GError
 *
 * Queues DTMF digits; they are sent one after the other with 40 ms
 * between them while the session is started and sending.
 *
 * RFC 4733 (§2.5): event packets every packet time on the negotiated
 * payload type, all with the timestamp of the event start, the first
 * with the marker bit, the duration growing to @duration_ms, the last
 * with the E bit and sent three times. Audio pauses meanwhile.
 * In-band: the two ITU-T Q.23 frequencies replace the audio for
 * @duration_ms, in the negotiated codec, followed by 40 ms of silence.
 *
 * Errors: %NET_SIP_RTP_ERROR_INVALID for an empty string, a character
 * outside the set, a duration outside 40..5000 ms, or no remote address
 * yet (before offer/answer or [method@NetSip.RtpSession.set_remote]);
 * %NET_SIP_RTP_ERROR_NOT_NEGOTIATED for RFC 4733 without a negotiated
 * `telephone-event`. Nothing is queued on error.
 *
 * Returns: %TRUE when the digits were queued
 *
 * Since: 1.0
 */
gboolean
net_sip_rtp_session_send_dtmf (NetSipRtpSession  *self,
                               const char        *digits,
                               NetSipDtmfMethod   method,
                               guint              duration_ms,
                               GError           **error)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (digits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (*digits == '\0')
    {
      g_set_error_literal (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID,
                           "no DTMF digits");
      return FALSE;
    }
  for (const char *p = digits; *p != '\0'; p++)
    if (net_sip_dtmf_event_from_digit (*p) < 0)
      {
        g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID,
                     "'%c' at position %u is not a DTMF digit (0-9*#A-D)",
                     g_ascii_isprint (*p) ? *p : '?', (guint) (p - digits));
        return FALSE;
      }
  if (duration_ms < 40 || duration_ms > 5000)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID,
                   "DTMF duration %u ms outside 40..5000 ms", duration_ms);
      return FALSE;
    }
  if (self->remote_rtp == NULL)
    {
      /* AUTO could not be decided, and nothing could be sent */
      g_set_error_literal (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID,
                           "no remote address yet: DTMF needs offer/answer or set_remote() first");
      return FALSE;
    }
  if (method == NET_SIP_DTMF_METHOD_AUTO)
    method = self->te_pt >= 0 ? NET_SIP_DTMF_METHOD_RFC4733 : NET_SIP_DTMF_METHOD_INBAND;
  else if (method == NET_SIP_DTMF_METHOD_RFC4733 && self->te_pt < 0)
    {
      g_set_error_literal (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_NOT_NEGOTIATED,
                           "the peer did not negotiate telephone-event (RFC 4733)");
      return FALSE;
    }
  else if (method != NET_SIP_DTMF_METHOD_RFC4733 && method != NET_SIP_DTMF_METHOD_INBAND)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID,
                   "unknown DTMF method %d", (int) method);
      return FALSE;
    }

  for (const char *p = digits; *p != '\0'; p++)
    {
      NetSipRtpDtmfItem *item = g_new (NetSipRtpDtmfItem, 1);

      item->digit = g_ascii_toupper (*p);
      item->method = method;
      item->duration_ms = duration_ms;
      g_queue_push_tail (&self->dtmf_queue, item);
    }
  return TRUE;
}

/**
 * net_sip_rtp_session_start:
 * @self: a #NetSipRtpSession
 *
 * Starts the packet clock (sending file audio, echo and DTMF when the
 * direction allows), RTCP reports every
 * [property@NetSip.RtpSession:rtcp-interval] and the media timeout.
 * Receiving runs from construction. Does nothing when started.
 *
 * Since: 1.0
 */
void
net_sip_rtp_session_start (NetSipRtpSession *self)
{
  gint64 now;

  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));
  if (self->started || self->rtp_socket == NULL)
    return;
  self->stopped = FALSE;

  now = g_get_monotonic_time ();
  /* a restart continues the timestamp clock where it stopped */
  if (self->start_time != 0)
    self->ts_base += (guint32) (self->tick * samples_per_packet (self));
  self->start_time = now;
  self->tick = 0;
  self->started = TRUE;
  self->last_rx_time = now;
  self->media_timed_out = FALSE;
  self->tick_source = timer_new (self, tick_cb, "NetSipRtpSession packet clock", now);
  self->rtcp_timer = timer_new (self, rtcp_timer_cb, "NetSipRtpSession RTCP",
                                next_rtcp_time (self));
}

/**
 * net_sip_rtp_session_stop:
 * @self: a #NetSipRtpSession
 *
 * Stops sending: the packet clock, RTCP reports and the media timeout
 * end, an RTCP BYE (RFC 3550 §6.6) is sent, queued DTMF is dropped (an
 * RFC 4733 event being sent gets its three end packets first) and a
 * received DTMF event or tone still running is reported. RTP that
 * arrives afterwards is dropped: counters, the recording and the echo stay
 * as they were (until a new start). Sockets stay open (and statistics
 * readable) until the session is disposed. Does nothing when not started.
 *
 * Since: 1.0
 */
void
net_sip_rtp_session_stop (NetSipRtpSession *self)
{
  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));
  if (!self->started)
    return;

  g_object_ref (self);
  end_running_event (self);
  self->started = FALSE;
  self->stopped = TRUE;
  clear_source (&self->tick_source);
  clear_source (&self->rtcp_timer);
  send_rtcp (self, TRUE);
  g_queue_clear_full (&self->dtmf_queue, g_free);
  g_queue_init (&self->dtmf_queue);
  self->dtmf_phase = DTMF_IDLE;
  flush_received_dtmf (self);
  g_object_unref (self);
}

/**
 * net_sip_rtp_session_get_codec:
 * @self: a #NetSipRtpSession
 *
 * The G.711 codec the session sends and expects, as negotiated (RFC 3551 §6).
 *
 * Returns: the codec sent and expected ([property@NetSip.RtpSession:codec])
 *
 * Since: 1.0
 */
NetSipCodec
net_sip_rtp_session_get_codec (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NET_SIP_CODEC_PCMU);
  return self->codec;
}

/**
 * net_sip_rtp_session_get_telephone_event_payload_type:
 * @self: a #NetSipRtpSession
 *
 * The RTP payload type of telephone-event (RFC 4733 §2.1): the one the peer
 * chose, 101 in our offers, -1 when none was negotiated.
 *
 * Returns: the negotiated RFC 4733 payload type, -1 for none
 *
 * Since: 1.0
 */
int
net_sip_rtp_session_get_telephone_event_payload_type (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), -1);
  return self->te_pt;
}

/**
 * net_sip_rtp_session_get_direction:
 * @self: a #NetSipRtpSession
 *
 * The direction of our side of the medium (RFC 3264 §6.1): whether we send and
 * whether we expect to receive.
 *
 * Returns: the direction of our side ([property@NetSip.RtpSession:direction])
 *
 * Since: 1.0
 */
NetSipSdpDirection
net_sip_rtp_session_get_direction (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NET_SIP_SDP_DIRECTION_INACTIVE);
  return self->direction;
}

/**
 * net_sip_rtp_session_set_direction:
 * @self: a #NetSipRtpSession
 * @direction: the direction our next offer asks for and our answers
 *   allow at most: %NET_SIP_SDP_DIRECTION_SENDONLY or
 *   %NET_SIP_SDP_DIRECTION_INACTIVE to hold the peer,
 *   %NET_SIP_SDP_DIRECTION_SENDRECV to resume (RFC 3264 §8.4)
 *
 * Sets [property@NetSip.RtpSession:direction]; it applies at once to
 * sending and is sent in the next SDP.
 *
 * Since: 1.0
 */
void
net_sip_rtp_session_set_direction (NetSipRtpSession   *self,
                                   NetSipSdpDirection  direction)
{
  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));
  g_return_if_fail (direction <= NET_SIP_SDP_DIRECTION_SENDRECV);

  self->wanted_direction = direction;
  set_effective_direction (self, direction);
}

/**
 * net_sip_rtp_session_get_ssrc:
 * @self: a #NetSipRtpSession
 *
 * Our synchronization source identifier, chosen at random (RFC 3550 §8.1).
 *
 * Returns: our SSRC (RFC 3550 §8.1)
 *
 * Since: 1.0
 */
guint32
net_sip_rtp_session_get_ssrc (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return self->ssrc;
}

/**
 * net_sip_rtp_session_get_packets_sent:
 * @self: a #NetSipRtpSession
 *
 * The RTP packets sent, audio and RFC 4733 events.
 *
 * Returns: RTP packets sent ([property@NetSip.RtpSession:packets-sent])
 *
 * Since: 1.0
 */
guint64
net_sip_rtp_session_get_packets_sent (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return self->packets_sent;
}

/**
 * net_sip_rtp_session_get_packets_received:
 * @self: a #NetSipRtpSession
 *
 * The RTP packets received, audio and RFC 4733 events, until stop().
 *
 * Returns: valid RTP packets received
 *
 * Since: 1.0
 */
guint64
net_sip_rtp_session_get_packets_received (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return self->packets_received;
}

/**
 * net_sip_rtp_session_get_packets_lost:
 * @self: a #NetSipRtpSession
 *
 * The packets lost in the received stream: expected minus received, negative
 * with duplicates (RFC 3550 A.3).
 *
 * Returns: packets of the peer's stream lost (RFC 3550 A.3)
 *
 * Since: 1.0
 */
gint64
net_sip_rtp_session_get_packets_lost (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return net_sip_rtp_source_stats_lost (&self->rx);
}

/**
 * net_sip_rtp_session_get_jitter_ms:
 * @self: a #NetSipRtpSession
 *
 * The interarrival jitter of the received stream, in milliseconds (RFC 3550
 * §6.4.1, A.8).
 *
 * Returns: the interarrival jitter in milliseconds (RFC 3550 A.8)
 *
 * Since: 1.0
 */
double
net_sip_rtp_session_get_jitter_ms (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return net_sip_rtp_source_stats_jitter_ms (&self->rx);
}

/**
 * net_sip_rtp_session_get_remote_packets_lost:
 * @self: a #NetSipRtpSession
 *
 * The packets of our stream the peer reported lost, from its last RTCP report
 * block (RFC 3550 §6.4.1).
 *
 * Returns: the cumulative loss of our stream the peer reported in its
 *   last RTCP report (RFC 3550 §6.4.1), 0 before one came
 *
 * Since: 1.0
 */
gint64
net_sip_rtp_session_get_remote_packets_lost (NetSipRtpSession *self)
{
  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), 0);
  return self->remote_packets_lost;
}

void
net_sip_rtp_session_skip_sequence_numbers (NetSipRtpSession *self,
                                           guint             n)
{
  g_return_if_fail (NET_SIP_IS_RTP_SESSION (self));
  self->skip_seq += n;
}
