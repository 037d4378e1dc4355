/* netsip-transport.h: transport protocols and the transport error domain
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "netsip-types.h"

G_BEGIN_DECLS

/**
 * NetSipTransport:
 * @NET_SIP_TRANSPORT_UDP: datagrams (RFC 3261 §18)
 * @NET_SIP_TRANSPORT_TCP: a byte stream, framed by Content-Length
 * @NET_SIP_TRANSPORT_TLS: TCP with TLS (RFC 3261 §26.2, RFC 5922)
 *
 * The transport protocol of a leg.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_TRANSPORT_UDP,
  NET_SIP_TRANSPORT_TCP,
  NET_SIP_TRANSPORT_TLS,
} NetSipTransport;

/**
 * NetSipTransportError:
 * @NET_SIP_TRANSPORT_ERROR_FAILED: another failure; the message says which
 * @NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS: an address or leg specification
 *   could not be read
 * @NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE: the local address is taken
 * @NET_SIP_TRANSPORT_ERROR_NO_ROUTE: the destination cannot be reached from
 *   this leg (wrong family or protocol, no route)
 * @NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED: the peer refused the
 *   connection
 * @NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED: the connection closed or was
 *   reset before the message was written
 * @NET_SIP_TRANSPORT_ERROR_TIMEOUT: no connection within
 *   [property@NetSip.SocketPool:connect-timeout]
 * @NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED: the TLS handshake failed
 *   or the peer's certificate was refused
 * @NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE: a TLS leg has no
 *   certificate to present
 * @NET_SIP_TRANSPORT_ERROR_TOO_MANY_CONNECTIONS: the pool holds
 *   [property@NetSip.SocketPool:max-connections] already
 * @NET_SIP_TRANSPORT_ERROR_MESSAGE_TOO_LARGE: the message does not fit a
 *   datagram
 *
 * Error codes in the %NET_SIP_TRANSPORT_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_TRANSPORT_ERROR_FAILED,
  NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS,
  NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE,
  NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
  NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED,
  NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
  NET_SIP_TRANSPORT_ERROR_TIMEOUT,
  NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED,
  NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE,
  NET_SIP_TRANSPORT_ERROR_TOO_MANY_CONNECTIONS,
  NET_SIP_TRANSPORT_ERROR_MESSAGE_TOO_LARGE,
} NetSipTransportError;

/**
 * NET_SIP_TRANSPORT_ERROR:
 *
 * Error domain for legs and socket pools; codes from #NetSipTransportError.
 *
 * Since: 1.0
 */
#define NET_SIP_TRANSPORT_ERROR (net_sip_transport_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark       net_sip_transport_error_quark  (void);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_transport_to_string    (NetSipTransport  transport);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_transport_from_string  (const char      *text,
                                             NetSipTransport *transport);

G_END_DECLS
