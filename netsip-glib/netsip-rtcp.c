/* netsip-rtcp.c: RTP reception statistics (RFC 3550 A.1, A.3, A.8) and
 * RTCP compound packets: SR, RR, SDES CNAME, BYE (RFC 3550 §6.4, §6.5,
 * §6.6)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-rtcp-private.h"

#define RTP_SEQ_MOD  (1u << 16)
#define MAX_DROPOUT  3000
#define MAX_MISORDER 100

#define RTCP_SR   200
#define RTCP_RR   201
#define RTCP_SDES 202
#define RTCP_BYE  203

/* seconds between 1900-01-01 (NTP) and 1970-01-01 */
#define NTP_UNIX_OFFSET G_GUINT64_CONSTANT (2208988800)

void
net_sip_rtp_source_stats_reset (NetSipRtpSourceStats *s)
{
  memset (s, 0, sizeof *s);
}

static void
init_seq (NetSipRtpSourceStats *s, guint16 seq)
{
  s->base_seq = seq;
  s->max_seq = seq;
  s->bad_seq = RTP_SEQ_MOD + 1;
  s->cycles = 0;
  s->received = 0;
  s->received_prior = 0;
  s->expected_prior = 0;
}

gboolean
net_sip_rtp_source_stats_update (NetSipRtpSourceStats *s,
                                 guint32               ssrc,
                                 guint16               seq,
                                 guint32               rtp_ts,
                                 gint64                arrival_us,
                                 gboolean              timing)
{
  guint16 udelta = 0;

  if (!s->valid || s->ssrc != ssrc)
    {
      /* a new source (or the peer restarted its stream: new SSRC) */
      guint32 lsr = s->lsr;
      gint64 lsr_time = s->lsr_time;

      net_sip_rtp_source_stats_reset (s);
      s->valid = TRUE;
      s->ssrc = ssrc;
      s->lsr = lsr;
      s->lsr_time = lsr_time;
      init_seq (s, seq);
    }
  else if ((udelta = (guint16) (seq - s->max_seq)) < MAX_DROPOUT)
    {
      /* in order, with a permissible gap */
      if (seq < s->max_seq)
        s->cycles += RTP_SEQ_MOD;
      s->max_seq = seq;
    }
  else if (udelta <= RTP_SEQ_MOD - MAX_MISORDER)
    {
      /* a very large jump: accept it after two packets in sequence */
      if (seq == s->bad_seq)
        init_seq (s, seq);
      else
        {
          s->bad_seq = (seq + 1) & (RTP_SEQ_MOD - 1);
          return FALSE;
        }
    }
  /* else: duplicate or reordered packet */
  s->received++;

  if (timing)
    {
      /* RFC 3550 A.8, arrival in timestamp units (8 kHz) */
      gint64 arrival = arrival_us * 8000 / G_USEC_PER_SEC;
      gint64 transit = (gint64) (guint32) arrival - (gint64) rtp_ts;

      if (s->have_transit)
        {
          gint64 d = (gint32) (guint32) (transit - s->transit);
          if (d < 0)
            d = -d;
          s->jitter += ((double) d - s->jitter) / 16.0;
        }
      s->transit = transit;
      s->have_transit = TRUE;
    }
  return TRUE;
}

static guint32
extended_max (const NetSipRtpSourceStats *s)
{
  return s->cycles + s->max_seq;
}

gint64
net_sip_rtp_source_stats_lost (const NetSipRtpSourceStats *s)
{
  gint64 expected;

  if (!s->valid)
    return 0;
  expected = (gint64) extended_max (s) - (gint64) s->base_seq + 1;
  return expected - (gint64) s->received;
}

double
net_sip_rtp_source_stats_jitter_ms (const NetSipRtpSourceStats *s)
{
  return s->valid ? s->jitter / 8.0 : 0.0;
}

static guint8 *
put32 (guint8 *p, guint32 v)
{
  p[0] = (guint8) (v >> 24);
  p[1] = (guint8) (v >> 16);
  p[2] = (guint8) (v >> 8);
  p[3] = (guint8) v;
  return p + 4;
}

static guint32
get32 (const guint8 *p)
{
  return ((guint32) p[0] << 24) | ((guint32) p[1] << 16) | ((guint32) p[2] << 8) | p[3];
}

static void
put_header (guint8 *p, guint count, guint type, gsize bytes)
{
  p[0] = (guint8) (0x80 | (count & 0x1f));
  p[1] = (guint8) type;
  /* length in 32-bit words minus one (§6.4.1) */
  p[2] = (guint8) (((bytes / 4) - 1) >> 8);
  p[3] = (guint8) ((bytes / 4) - 1);
}

/* RFC 3550 §6.4.1 report block */
static guint8 *
put_report_block (guint8 *p, NetSipRtpSourceStats *rx, gint64 now_us)
{
  gint64 lost = net_sip_rtp_source_stats_lost (rx);
  guint32 expected = extended_max (rx) - rx->base_seq + 1;
  guint32 expected_interval = expected - rx->expected_prior;
  guint32 received_interval = rx->received - rx->received_prior;
  gint64 lost_interval = (gint64) expected_interval - (gint64) received_interval;
  guint32 fraction = 0;
  guint32 dlsr = 0;

  rx->expected_prior = expected;
  rx->received_prior = rx->received;
  if (expected_interval != 0 && lost_interval > 0)
    fraction = (guint32) ((lost_interval << 8) / expected_interval);
  /* cumulative loss is a 24-bit signed number, clamped (§6.4.1) */
  lost = CLAMP (lost, -0x800000, 0x7fffff);
  if (rx->lsr_time != 0)
    dlsr = (guint32) ((now_us - rx->lsr_time) * 65536 / G_USEC_PER_SEC);

  p = put32 (p, rx->ssrc);
  p = put32 (p, (MIN (fraction, 255) << 24) | ((guint32) lost & 0xffffff));
  p = put32 (p, extended_max (rx));
  p = put32 (p, (guint32) rx->jitter);
  p = put32 (p, rx->lsr);
  p = put32 (p, rx->lsr_time != 0 ? dlsr : 0);
  return p;
}

gsize
net_sip_rtcp_build (guint8                 *buf,
                    gsize                   size,
                    const NetSipRtcpSender *sender,
                    NetSipRtpSourceStats   *rx,
                    gint64                  now_us,
                    gboolean                bye)
{
  guint8 *p = buf, *start;
  gboolean block = rx != NULL && rx->valid;
  gsize cname_len = MIN (strlen (sender->cname), 255);
  gsize sdes_len;

  g_return_val_if_fail (size >= 64 + cname_len + 8, 0);

  start = p;
  if (sender->sender)
    {
      gint64 real = g_get_real_time ();
      guint64 sec = (guint64) (real / G_USEC_PER_SEC) + NTP_UNIX_OFFSET;
      guint64 frac = ((guint64) (real % G_USEC_PER_SEC) << 32) / G_USEC_PER_SEC;

      p += 4;
      p = put32 (p, sender->ssrc);
      p = put32 (p, (guint32) sec);
      p = put32 (p, (guint32) frac);
      p = put32 (p, sender->rtp_ts);
      p = put32 (p, sender->packets);
      p = put32 (p, sender->octets);
      if (block)
        p = put_report_block (p, rx, now_us);
      put_header (start, block ? 1 : 0, RTCP_SR, (gsize) (p - start));
    }
  else
    {
      p += 4;
      p = put32 (p, sender->ssrc);
      if (block)
        p = put_report_block (p, rx, now_us);
      put_header (start, block ? 1 : 0, RTCP_RR, (gsize) (p - start));
    }

  /* SDES with the CNAME item (§6.5.1), padded with null octets to a
   * 32-bit boundary; at least one null octet ends the item list */
  start = p;
  p += 4;
  p = put32 (p, sender->ssrc);
  *p++ = 1;                      /* CNAME */
  *p++ = (guint8) cname_len;
  memcpy (p, sender->cname, cname_len);
  p += cname_len;
  sdes_len = (gsize) (p - start) + 1;
  sdes_len = (sdes_len + 3) & ~(gsize) 3;
  memset (p, 0, sdes_len - (gsize) (p - start));
  p = start + sdes_len;
  put_header (start, 1, RTCP_SDES, sdes_len);

  if (bye)
    {
      start = p;
      p += 4;
      p = put32 (p, sender->ssrc);
      put_header (start, 1, RTCP_BYE, (gsize) (p - start));
    }
  return (gsize) (p - buf);
}

static void
parse_blocks (const guint8 *p, guint count, const guint8 *end,
              guint32 our_ssrc, NetSipRtcpInfo *info)
{
  for (guint i = 0; i < count && p + 24 <= end; i++, p += 24)
    {
      guint32 word;
      gint32 lost;

      if (get32 (p) != our_ssrc)
        continue;
      word = get32 (p + 4);
      lost = (gint32) (word & 0xffffff);
      if (lost & 0x800000)
        lost -= 0x1000000;       /* sign-extend 24 bits */
      info->have_block = TRUE;
      info->fraction_lost = (guint8) (word >> 24);
      info->cumulative_lost = lost;
      info->jitter = get32 (p + 12);
    }
}

gboolean
net_sip_rtcp_parse (const guint8   *buf,
                    gsize           len,
                    guint32         our_ssrc,
                    NetSipRtcpInfo *info)
{
  const guint8 *p = buf, *end = buf + len;

  memset (info, 0, sizeof *info);
  /* §6.1 / A.2: version 2, the first packet SR or RR, no padding on
   * the first, lengths adding up to the datagram */
  if (len < 8 || (buf[0] & 0xc0) != 0x80 || (buf[0] & 0x20) != 0
      || (buf[1] != RTCP_SR && buf[1] != RTCP_RR))
    return FALSE;

  while (p < end)
    {
      gsize plen;
      guint count, type;

      if (end - p < 4 || (p[0] & 0xc0) != 0x80)
        return FALSE;
      count = p[0] & 0x1f;
      type = p[1];
      plen = (((gsize) p[2] << 8 | p[3]) + 1) * 4;
      if (plen > (gsize) (end - p))
        return FALSE;

      switch (type)
        {
        case RTCP_SR:
          if (plen < 28)
            return FALSE;
          info->sr = TRUE;
          info->ssrc = get32 (p + 4);
          /* middle 32 bits of the 64-bit NTP timestamp (LSR, §6.4.1) */
          info->ntp_middle = (get32 (p + 8) << 16) | (get32 (p + 12) >> 16);
          parse_blocks (p + 28, count, p + plen, our_ssrc, info);
          break;
        case RTCP_RR:
          if (plen < 8)
            return FALSE;
          info->ssrc = get32 (p + 4);
          parse_blocks (p + 8, count, p + plen, our_ssrc, info);
          break;
        case RTCP_BYE:
          info->bye = TRUE;
          break;
        default:
          break;               /* SDES, APP, unknown: skipped */
        }
      p += plen;
    }
  return TRUE;
}
