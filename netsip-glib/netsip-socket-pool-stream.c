/* netsip-socket-pool-stream.c: PLACEHOLDER until the TCP/TLS side lands.
 * The engineer writing the stream side replaces this whole file.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-socket-pool-private.h"

gboolean
net_sip_socket_pool_stream_init (NetSipSocketPool  *self,
                                 GError           **error)
{
  g_set_error_literal (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_FAILED,
                       "TCP and TLS are not built yet");
  return FALSE;
}

void
net_sip_socket_pool_stream_send (NetSipSocketPool   *self,
                                 GTask              *task,
                                 GBytes             *data,
                                 NetSipMessage      *message,
                                 GInetSocketAddress *destination,
                                 const char         *server_identity)
{
  g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_FAILED,
                           "TCP and TLS are not built yet");
}

guint
net_sip_socket_pool_stream_n_connections (NetSipSocketPool *self)
{
  return 0;
}

void
net_sip_socket_pool_stream_close (NetSipSocketPool *self)
{
}
