/* netsip-port-pair-private.h: the UDP socket pair of one RTP stream, an
 * even port for RTP and the next one for RTCP (RFC 3550 §11), shared by
 * NetSipRtpSession and NetSipNatHelper's relay
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

G_GNUC_INTERNAL
GSocket  *net_sip_udp_socket_bind (GInetAddress  *address,
                                   guint16        port,
                                   GError       **error);
G_GNUC_INTERNAL
gboolean  net_sip_port_pair_bind  (GInetAddress  *address,
                                   guint16        port,
                                   GSocket      **rtp,
                                   GSocket      **rtcp);

G_END_DECLS
