/* netsip-socket-pool.h: the sockets behind one leg (UDP, TCP, TLS)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "netsip-types.h"
#include "netsip-transport.h"
#include "netsip-message.h"
#include "netsip-source-info.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_SOCKET_POOL (net_sip_socket_pool_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipSocketPool, net_sip_socket_pool, NET_SIP, SOCKET_POOL, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipSocketPool   *net_sip_socket_pool_new               (NetSipTransport      transport,
                                                           GInetSocketAddress  *local_address,
                                                           GTlsCertificate     *certificate,
                                                           GError             **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransport     net_sip_socket_pool_get_transport     (NetSipSocketPool    *self);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress *net_sip_socket_pool_get_local_address (NetSipSocketPool    *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_socket_pool_send_async        (NetSipSocketPool    *self,
                                                           NetSipMessage       *message,
                                                           GInetSocketAddress  *destination,
                                                           const char          *server_identity,
                                                           GCancellable        *cancellable,
                                                           GAsyncReadyCallback  callback,
                                                           gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_socket_pool_send_finish       (NetSipSocketPool    *self,
                                                           GAsyncResult        *result,
                                                           GError             **error);
NET_SIP_AVAILABLE_IN_ALL
guint               net_sip_socket_pool_get_n_connections (NetSipSocketPool    *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_socket_pool_close             (NetSipSocketPool    *self);

G_END_DECLS
