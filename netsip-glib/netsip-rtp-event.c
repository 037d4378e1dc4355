/* netsip-rtp-event.c: RFC 4733 §2.3 telephone-event payload format
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-rtp-event-private.h"

/* volume: 0..63, the power level in -dBm0 (§2.3.4); duration in
 * timestamp units (§2.3.5), saturated at 0xffff */
void
net_sip_rtp_event_write (guint8   *out,
                         guint     event,
                         gboolean  end,
                         guint     volume,
                         guint     duration)
{
  out[0] = (guint8) event;
  out[1] = (guint8) ((end ? 0x80 : 0) | (volume & 0x3f));   /* R bit 0 */
  duration = MIN (duration, 0xffff);
  out[2] = (guint8) (duration >> 8);
  out[3] = (guint8) duration;
}

gboolean
net_sip_rtp_event_parse (const guint8 *payload,
                         gsize         len,
                         guint        *event,
                         gboolean     *end,
                         guint        *volume,
                         guint        *duration)
{
  /* several events may be stacked (RFC 4733 §2.4.1 redundancy via RFC
   * 2198 is a different payload type); only the first block counts */
  if (len < NET_SIP_RTP_EVENT_SIZE)
    return FALSE;
  *event = payload[0];
  *end = (payload[1] & 0x80) != 0;
  *volume = payload[1] & 0x3f;
  *duration = ((guint) payload[2] << 8) | payload[3];
  return TRUE;
}
