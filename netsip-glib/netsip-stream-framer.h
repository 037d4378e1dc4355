/* netsip-stream-framer.h: cut a byte stream (TCP, TLS) into SIP messages
 * (RFC 3261 §18.3, RFC 5626 §3.5.1 keep-alives)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-message.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_STREAM_FRAMER (net_sip_stream_framer_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipStreamFramer, net_sip_stream_framer, NET_SIP, STREAM_FRAMER, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipStreamFramer *net_sip_stream_framer_new                 (void);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_stream_framer_push                (NetSipStreamFramer *self,
                                                               const guint8       *data,
                                                               gsize               length);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_stream_framer_push_bytes          (NetSipStreamFramer *self,
                                                               GBytes             *bytes);
NET_SIP_AVAILABLE_IN_ALL
NetSipMessage      *net_sip_stream_framer_next                (NetSipStreamFramer *self,
                                                               GError            **error);
NET_SIP_AVAILABLE_IN_ALL
GBytes             *net_sip_stream_framer_peek                (NetSipStreamFramer *self);
NET_SIP_AVAILABLE_IN_ALL
gsize               net_sip_stream_framer_get_buffered_size   (NetSipStreamFramer *self);
NET_SIP_AVAILABLE_IN_ALL
gsize               net_sip_stream_framer_get_max_header_size (NetSipStreamFramer *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_stream_framer_set_max_header_size (NetSipStreamFramer *self,
                                                               gsize               size);
NET_SIP_AVAILABLE_IN_ALL
gsize               net_sip_stream_framer_get_max_body_size   (NetSipStreamFramer *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_stream_framer_set_max_body_size   (NetSipStreamFramer *self,
                                                               gsize               size);

G_END_DECLS
