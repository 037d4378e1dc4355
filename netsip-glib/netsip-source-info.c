/* netsip-source-info.c: where a received message came from
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-source-info.h"

/**
 * NetSipSourceInfo:
 *
 * Where a message arrived from: the transport, the peer's address and port,
 * the local address it arrived on and, over TLS, the certificate the peer
 * presented. Passed with [signal@NetSip.Leg::message-received].
 *
 * Since: 1.0
 */
struct _NetSipSourceInfo
{
  GObject             parent_instance;
  NetSipTransport     transport;
  GInetSocketAddress *remote;
  GInetSocketAddress *local;
  GTlsCertificate    *peer_certificate;
};

G_DEFINE_FINAL_TYPE (NetSipSourceInfo, net_sip_source_info, G_TYPE_OBJECT)

static void
net_sip_source_info_finalize (GObject *object)
{
  NetSipSourceInfo *self = NET_SIP_SOURCE_INFO (object);

  g_clear_object (&self->remote);
  g_clear_object (&self->local);
  g_clear_object (&self->peer_certificate);
  G_OBJECT_CLASS (net_sip_source_info_parent_class)->finalize (object);
}

static void
net_sip_source_info_class_init (NetSipSourceInfoClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = net_sip_source_info_finalize;
}

static void
net_sip_source_info_init (NetSipSourceInfo *self)
{
}

/**
 * net_sip_source_info_new:
 * @transport: the transport the message came over
 * @remote: the peer's address and port
 * @local: (nullable): the local address and port it arrived on
 * @peer_certificate: (nullable): the certificate the TLS peer presented
 *
 * Creates the description of where a message came from; the socket pools
 * make these.
 *
 * Returns: (transfer full): a new #NetSipSourceInfo
 *
 * Since: 1.0
 */
NetSipSourceInfo *
net_sip_source_info_new (NetSipTransport     transport,
                         GInetSocketAddress *remote,
                         GInetSocketAddress *local,
                         GTlsCertificate    *peer_certificate)
{
  NetSipSourceInfo *self;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (remote), NULL);

  self = g_object_new (NET_SIP_TYPE_SOURCE_INFO, NULL);
  self->transport = transport;
  self->remote = g_object_ref (remote);
  self->local = local ? g_object_ref (local) : NULL;
  self->peer_certificate = peer_certificate ? g_object_ref (peer_certificate) : NULL;
  return self;
}

/**
 * net_sip_source_info_get_transport:
 * @self: a #NetSipSourceInfo
 *
 * Gets the transport a message came over.
 *
 * Returns: the transport the message came over
 *
 * Since: 1.0
 */
NetSipTransport
net_sip_source_info_get_transport (NetSipSourceInfo *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOURCE_INFO (self), NET_SIP_TRANSPORT_UDP);
  return self->transport;
}

/**
 * net_sip_source_info_get_remote_address:
 * @self: a #NetSipSourceInfo
 *
 * Gets the address a message came from.
 *
 * Returns: (transfer none): the peer's address and port, where a response
 *   goes (RFC 3261 §18.2.2 with RFC 3581 rport)
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_source_info_get_remote_address (NetSipSourceInfo *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOURCE_INFO (self), NULL);
  return self->remote;
}

/**
 * net_sip_source_info_get_local_address:
 * @self: a #NetSipSourceInfo
 *
 * Gets the local address a message came in on.
 *
 * Returns: (transfer none) (nullable): the local address and port
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_source_info_get_local_address (NetSipSourceInfo *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOURCE_INFO (self), NULL);
  return self->local;
}

/**
 * net_sip_source_info_get_peer_certificate:
 * @self: a #NetSipSourceInfo
 *
 * Gets the certificate of the TLS peer a message came from.
 *
 * Returns: (transfer none) (nullable): the certificate a TLS peer presented,
 *   or %NULL
 *
 * Since: 1.0
 */
GTlsCertificate *
net_sip_source_info_get_peer_certificate (NetSipSourceInfo *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOURCE_INFO (self), NULL);
  return self->peer_certificate;
}

/**
 * net_sip_source_info_to_string:
 * @self: a #NetSipSourceInfo
 *
 * Formats where a message came from, for logs.
 *
 * Returns: (transfer full): `udp:192.0.2.1:5060` or `tcp:[2001:db8::1]:5060`
 *
 * Since: 1.0
 */
char *
net_sip_source_info_to_string (NetSipSourceInfo *self)
{
  g_autofree char *ip = NULL;
  GInetAddress *addr;

  g_return_val_if_fail (NET_SIP_IS_SOURCE_INFO (self), NULL);
  addr = g_inet_socket_address_get_address (self->remote);
  ip = g_inet_address_to_string (addr);
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s:[%s]:%u", net_sip_transport_to_string (self->transport), ip,
                            g_inet_socket_address_get_port (self->remote));
  return g_strdup_printf ("%s:%s:%u", net_sip_transport_to_string (self->transport), ip,
                          g_inet_socket_address_get_port (self->remote));
}
