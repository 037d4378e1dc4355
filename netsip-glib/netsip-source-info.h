/* netsip-source-info.h: where a received message came from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "netsip-types.h"
#include "netsip-transport.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_SOURCE_INFO (net_sip_source_info_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipSourceInfo, net_sip_source_info, NET_SIP, SOURCE_INFO, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipSourceInfo   *net_sip_source_info_new                  (NetSipTransport     transport,
                                                              GInetSocketAddress *remote,
                                                              GInetSocketAddress *local,
                                                              GTlsCertificate    *peer_certificate);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransport     net_sip_source_info_get_transport        (NetSipSourceInfo   *self);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress *net_sip_source_info_get_remote_address   (NetSipSourceInfo   *self);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress *net_sip_source_info_get_local_address    (NetSipSourceInfo   *self);
NET_SIP_AVAILABLE_IN_ALL
GTlsCertificate    *net_sip_source_info_get_peer_certificate (NetSipSourceInfo   *self);
NET_SIP_AVAILABLE_IN_ALL
char               *net_sip_source_info_to_string            (NetSipSourceInfo   *self);

G_END_DECLS
