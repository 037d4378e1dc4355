/* netsip-rtcp-private.h: RTP reception statistics and RTCP SR/RR/SDES/BYE
 * packets (RFC 3550 §6, appendix A) for NetSipRtpSession
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What we know about the one source we receive from (RFC 3550 A.1). */
typedef struct {
  gboolean valid;
  guint32  ssrc;
  guint16  max_seq;
  guint32  cycles;          /* shifted count of seq number wraps */
  guint32  base_seq;
  guint32  bad_seq;
  guint32  received;
  guint32  expected_prior;
  guint32  received_prior;
  gboolean have_transit;
  gint64   transit;         /* timestamp units */
  double   jitter;          /* timestamp units, RFC 3550 A.8 */
  guint32  lsr;             /* middle 32 bits of the last SR's NTP time */
  gint64   lsr_time;        /* monotonic µs when it came */
} NetSipRtpSourceStats;

void     net_sip_rtp_source_stats_reset  (NetSipRtpSourceStats *s);
/* A data packet arrived: seq, RTP timestamp, arrival (monotonic µs).
 * timing FALSE leaves the jitter alone (telephone-event packets carry the
 * timestamp of the event start, RFC 4733 §2.5.1.1). Returns FALSE for a
 * packet the A.1 algorithm rejects (large jump not yet confirmed). */
gboolean net_sip_rtp_source_stats_update (NetSipRtpSourceStats *s,
                                          guint32               ssrc,
                                          guint16               seq,
                                          guint32               rtp_ts,
                                          gint64                arrival_us,
                                          gboolean              timing);
/* RFC 3550 A.3: expected - received (may be negative with duplicates) */
gint64   net_sip_rtp_source_stats_lost   (const NetSipRtpSourceStats *s);
double   net_sip_rtp_source_stats_jitter_ms (const NetSipRtpSourceStats *s);

/* Our sender counters for an SR. */
typedef struct {
  guint32 ssrc;
  gboolean sender;          /* SR (we sent since the last report) or RR */
  guint32 rtp_ts;           /* RTP time corresponding to now */
  guint32 packets;
  guint32 octets;
  const char *cname;
} NetSipRtcpSender;

/* Writes a compound packet SR|RR, SDES CNAME, [BYE] into buf (at least
 * 256 bytes); rx may be NULL (no source yet). now_us monotonic. Returns
 * the length. Updates rx's interval counters (fraction lost). */
gsize    net_sip_rtcp_build   (guint8                 *buf,
                               gsize                   size,
                               const NetSipRtcpSender *sender,
                               NetSipRtpSourceStats   *rx,
                               gint64                  now_us,
                               gboolean                bye);

typedef struct {
  gboolean sr;              /* an SR was present */
  guint32  ssrc;            /* of the sender of the packet */
  guint32  ntp_middle;      /* SR: middle 32 bits of its NTP time */
  gboolean have_block;      /* a report block about our SSRC */
  gint32   cumulative_lost;
  guint8   fraction_lost;
  guint32  jitter;          /* timestamp units */
  gboolean bye;
} NetSipRtcpInfo;

/* Parses a compound RTCP packet (RFC 3550 §6.1 validity checks);
 * our_ssrc selects the report block. FALSE for an invalid packet. */
gboolean net_sip_rtcp_parse   (const guint8   *buf,
                               gsize           len,
                               guint32         our_ssrc,
                               NetSipRtcpInfo *info);

G_END_DECLS
