/* netsip-rtp-session-private.h: the instance of NetSipRtpSession, shared
 * by netsip-rtp-session.c and netsip-rtp-offer-answer.c
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-rtp-session.h"
#include "netsip-dtmf-private.h"
#include "netsip-rtcp-private.h"

G_BEGIN_DECLS

#define NET_SIP_RTP_HEADER_SIZE 12
/* ptime at most 100 ms: 800 G.711 samples */
#define NET_SIP_RTP_MAX_SAMPLES 800

typedef struct {
  char             digit;
  NetSipDtmfMethod method;      /* RFC4733 or INBAND, resolved */
  guint            duration_ms;
} NetSipRtpDtmfItem;

typedef enum {
  DTMF_IDLE,
  DTMF_EVENT,                   /* sending the event or the tone */
  DTMF_PAUSE,                   /* the 40 ms between digits */
} NetSipRtpDtmfPhase;

struct _NetSipRtpSession
{
  GObject parent_instance;

  GMainContext *context;        /* thread-default at construction */
  char *local_address;
  guint16 port_min;
  guint16 port_max;
  guint16 local_port;
  gboolean asymmetric;
  GSocketFamily family;
  GSocket *rtp_socket;
  GSocket *rtcp_socket;
  GSocket *send_socket;         /* rtp_socket unless asymmetric */
  GSource *rtp_source;
  GSource *rtcp_source;

  GInetSocketAddress *remote_rtp;
  GInetSocketAddress *remote_rtcp;
  gboolean remote_on_hold;      /* port 0 or c=0.0.0.0 (RFC 3264 §8.4) */

  NetSipCodec codec;
  int te_pt;
  guint ptime;
  NetSipSdpDirection direction;        /* negotiated, of our side */
  NetSipSdpDirection wanted_direction; /* set by the application */
  NetSipSdpDirection offered_direction;
  gboolean echo;
  guint media_timeout;
  guint rtcp_interval;          /* ms */

  guint64 sdp_session_id;
  guint64 sdp_version;

  /* sender */
  guint32 ssrc;
  guint16 seq;
  guint32 ts_base;
  gboolean marker_next;
  gboolean started;
  gint64 start_time;            /* monotonic µs of tick 0 */
  guint64 tick;                 /* next tick to run */
  GSource *tick_source;
  gboolean sent_since_report;

  /* file playback and recording */
  GMappedFile *file;
  gsize file_pos;
  NetSipCodec file_codec;
  gboolean file_repeat;
  GOutputStream *record;

  /* DTMF sending */
  GQueue dtmf_queue;            /* of NetSipRtpDtmfItem */
  NetSipRtpDtmfItem dtmf;
  NetSipRtpDtmfPhase dtmf_phase;
  guint dtmf_packets;           /* event packets sent */
  guint dtmf_end_sent;
  guint32 dtmf_ts;
  guint dtmf_samples_done;
  guint dtmf_pause_left;        /* ticks */
  NetSipDtmfTone dtmf_tone;

  /* DTMF reception */
  gboolean rx_event_active;
  gboolean rx_event_reported;
  guint32 rx_event_ts;
  guint rx_event;
  guint rx_event_duration;      /* timestamp units */
  NetSipDtmfDetector detector;
  gint64 last_audio_time;

  /* statistics */
  guint64 packets_sent;
  guint64 octets_sent;
  guint64 packets_received;
  guint64 octets_received;
  guint64 rtcp_sent;
  guint64 rtcp_received;
  gint64 remote_packets_lost;
  NetSipRtpSourceStats rx;
  GSource *rtcp_timer;
  gint64 last_rx_time;
  gboolean media_timed_out;
  char *cname;

  guint skip_seq;               /* tests: sequence numbers to leave out */

  guint8 send_buf[NET_SIP_RTP_HEADER_SIZE + NET_SIP_RTP_MAX_SAMPLES];
  guint8 recv_buf[2048];
  guint8 rtcp_buf[512];
  gint16 pcm[NET_SIP_RTP_MAX_SAMPLES];
};

/* Called by the offer/answer code with the outcome of a negotiation:
 * address NULL or port 0 or an unspecified address put the peer on hold
 * (we stop sending). */
void net_sip_rtp_session_apply_negotiation (NetSipRtpSession   *self,
                                            const char         *address,
                                            guint16             port,
                                            guint16             rtcp_port,
                                            NetSipCodec         codec,
                                            int                 te_pt,
                                            NetSipSdpDirection  direction);

/* Tests: the next n sequence numbers are skipped, as if n packets were
 * lost on the way (RFC 3550 A.3 loss seen by the peer). */
void net_sip_rtp_session_skip_sequence_numbers (NetSipRtpSession *self,
                                                guint             n);

G_END_DECLS
