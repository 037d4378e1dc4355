/* netsip-transport.c: transport protocols and the transport error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-transport.h"
#include "netsip-transport-private.h"

/**
 * net_sip_transport_error_quark:
 *
 * The error domain of legs and socket pools.
 *
 * Returns: the %NET_SIP_TRANSPORT_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-transport-error-quark, net_sip_transport_error)

gboolean
net_sip_socket_address_equal (GInetSocketAddress *a,
                              GInetSocketAddress *b)
{
  return g_inet_socket_address_get_port (a) == g_inet_socket_address_get_port (b) &&
         g_inet_address_equal (g_inet_socket_address_get_address (a),
                               g_inet_socket_address_get_address (b));
}

/**
 * net_sip_transport_to_string:
 * @transport: a #NetSipTransport
 *
 * Gets the lower-case name of a transport.
 *
 * Returns: (transfer none): `udp`, `tcp` or `tls`, as in a leg
 *   specification; the Via transport is the upper-case form (RFC 3261
 *   §20.42)
 *
 * Since: 1.0
 */
const char *
net_sip_transport_to_string (NetSipTransport transport)
{
  switch (transport)
    {
    case NET_SIP_TRANSPORT_UDP: return "udp";
    case NET_SIP_TRANSPORT_TCP: return "tcp";
    case NET_SIP_TRANSPORT_TLS: return "tls";
    default: return NULL;
    }
}

/**
 * net_sip_transport_from_string:
 * @text: `udp`, `tcp` or `tls` in any case
 * @transport: (out): the transport
 *
 * Reads a transport name, in any case.
 *
 * Returns: %TRUE if @text names a transport
 *
 * Since: 1.0
 */
gboolean
net_sip_transport_from_string (const char      *text,
                               NetSipTransport *transport)
{
  g_return_val_if_fail (text != NULL, FALSE);
  if (g_ascii_strcasecmp (text, "udp") == 0)
    *transport = NET_SIP_TRANSPORT_UDP;
  else if (g_ascii_strcasecmp (text, "tcp") == 0)
    *transport = NET_SIP_TRANSPORT_TCP;
  else if (g_ascii_strcasecmp (text, "tls") == 0)
    *transport = NET_SIP_TRANSPORT_TLS;
  else
    return FALSE;
  return TRUE;
}
