/* netsip-rtp-event-private.h: RFC 4733 §2.3 telephone-event payloads
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define NET_SIP_RTP_EVENT_SIZE 4

/*  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |     event     |E|R| volume    |          duration             |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+ */
void     net_sip_rtp_event_write (guint8        *out,
                                  guint          event,
                                  gboolean       end,
                                  guint          volume,
                                  guint          duration);
gboolean net_sip_rtp_event_parse (const guint8  *payload,
                                  gsize          len,
                                  guint         *event,
                                  gboolean      *end,
                                  guint         *volume,
                                  guint         *duration);

G_END_DECLS
