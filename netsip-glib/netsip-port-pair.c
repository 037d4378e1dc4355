/* netsip-port-pair.c: binding the RTP/RTCP socket pair of a stream
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-port-pair-private.h"

/* A non-blocking UDP socket bound to @address:@port (0: any port) */
GSocket *
net_sip_udp_socket_bind (GInetAddress  *address,
                         guint16        port,
                         GError       **error)
{
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) sa = NULL;

  socket = g_socket_new (g_inet_address_get_family (address), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, error);
  if (socket == NULL)
    return NULL;
  g_socket_set_blocking (socket, FALSE);
  sa = g_inet_socket_address_new (address, port);
  if (!g_socket_bind (socket, sa, FALSE, error))
    return NULL;
  return g_steal_pointer (&socket);
}

/* RTP on @port (even) and RTCP on @port + 1 (RFC 3550 §11), both on
 * @address, or neither: FALSE when either is taken. The callers choose
 * which ports to try and in what order. */
gboolean
net_sip_port_pair_bind (GInetAddress  *address,
                        guint16        port,
                        GSocket      **rtp,
                        GSocket      **rtcp)
{
  g_autoptr(GSocket) a = NULL;
  g_autoptr(GSocket) b = NULL;

  g_return_val_if_fail (port % 2 == 0 && port < G_MAXUINT16, FALSE);
  a = net_sip_udp_socket_bind (address, port, NULL);
  if (a == NULL)
    return FALSE;
  b = net_sip_udp_socket_bind (address, (guint16) (port + 1), NULL);
  if (b == NULL)
    {
      g_socket_close (a, NULL);
      return FALSE;
    }
  *rtp = g_steal_pointer (&a);
  *rtcp = g_steal_pointer (&b);
  return TRUE;
}
