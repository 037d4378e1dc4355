/* netsip-leg.c: one local SIP address and its sockets (RFC 3261 §18)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <arpa/inet.h>

#include "netsip-leg.h"
#include "netsip-enum-types.h"
#include "netsip-marshal.h"
#include "netsip-error.h"
#include "netsip-header-private.h"
#include "netsip-request.h"
#include "netsip-socket-pool-private.h"
#include "netsip-values-private.h"
#include "netsip-message-private.h"
#include "netsip-random-private.h"

/**
 * NetSipLeg:
 *
 * One local SIP address: a protocol, an IP address and a port, such as
 * `udp:127.0.0.1:5060`, `tcp:[::1]:5070` or `tls:0.0.0.0:5061`, and the
 * [class@NetSip.SocketPool] behind it (Net::SIP's Leg).
 *
 * A leg adds its Via to the requests it sends (RFC 3261 §18.1.1, with a
 * fresh branch, §8.1.1.7), marks received requests with `received` and
 * `rport` (§18.2.1, RFC 3581 §4) before announcing them with
 * [signal@NetSip.Leg::message-received], and can tell whether a response's
 * top Via is its own ([method@NetSip.Leg.check_via]).
 *
 * Since: 1.0
 */

typedef struct
{
  NetSipTransport   protocol;
  char             *address;       /* IP literal, no brackets */
  guint             port;
  char             *host;          /* sent-by host for Via and Contact */
  char             *contact;
  GTlsCertificate  *certificate;
  GTlsDatabase     *database;
  gint              verify_client;
  GSocketFamily     family;
  NetSipSocketPool *pool;
  gulong            certificate_id;
  gulong            send_failed_id;
} NetSipLegPrivate;

enum {
  PROP_0,
  PROP_PROTOCOL,
  PROP_ADDRESS,
  PROP_PORT,
  PROP_HOST,
  PROP_FAMILY,
  PROP_CONTACT,
  PROP_SOCKET_POOL,
  PROP_TLS_CERTIFICATE,
  PROP_TLS_DATABASE,
  PROP_VERIFY_CLIENT,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIG_MESSAGE_RECEIVED,
  SIG_ACCEPT_CERTIFICATE,
  SIG_SEND_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_leg_initable_iface_init (GInitableIface *iface);

G_DEFINE_TYPE_WITH_CODE (NetSipLeg, net_sip_leg, G_TYPE_OBJECT,
                         G_ADD_PRIVATE (NetSipLeg)
                         G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE, net_sip_leg_initable_iface_init))

#define PRIV(l) ((NetSipLegPrivate *) net_sip_leg_get_instance_private (l))

/* ------------------------------------------------------------------ */

static void
net_sip_leg_dispose (GObject *object)
{
  NetSipLegPrivate *priv = PRIV (NET_SIP_LEG (object));

  if (priv->pool)
    {
      net_sip_socket_pool_set_receive_hook (priv->pool, NULL, NULL);
      g_clear_signal_handler (&priv->certificate_id, priv->pool);
      g_clear_signal_handler (&priv->send_failed_id, priv->pool);
      net_sip_socket_pool_close (priv->pool);
      g_clear_object (&priv->pool);
    }
  g_clear_object (&priv->certificate);
  g_clear_object (&priv->database);
  G_OBJECT_CLASS (net_sip_leg_parent_class)->dispose (object);
}

static void
net_sip_leg_finalize (GObject *object)
{
  NetSipLegPrivate *priv = PRIV (NET_SIP_LEG (object));

  g_free (priv->address);
  g_free (priv->host);
  g_free (priv->contact);
  G_OBJECT_CLASS (net_sip_leg_parent_class)->finalize (object);
}

static void
net_sip_leg_get_property (GObject    *object,
                          guint       prop_id,
                          GValue     *value,
                          GParamSpec *pspec)
{
  NetSipLeg *self = NET_SIP_LEG (object);
  NetSipLegPrivate *priv = PRIV (self);

  switch (prop_id)
    {
    case PROP_PROTOCOL: g_value_set_enum (value, priv->protocol); break;
    case PROP_ADDRESS: g_value_set_string (value, priv->address); break;
    case PROP_PORT: g_value_set_uint (value, priv->port); break;
    case PROP_HOST: g_value_set_string (value, priv->host); break;
    case PROP_FAMILY: g_value_set_enum (value, priv->family); break;
    case PROP_CONTACT: g_value_set_string (value, net_sip_leg_get_contact (self)); break;
    case PROP_SOCKET_POOL: g_value_set_object (value, priv->pool); break;
    case PROP_TLS_CERTIFICATE: g_value_set_object (value, priv->certificate); break;
    case PROP_TLS_DATABASE: g_value_set_object (value, priv->database); break;
    case PROP_VERIFY_CLIENT: g_value_set_int (value, priv->verify_client); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_leg_set_property (GObject      *object,
                          guint         prop_id,
                          const GValue *value,
                          GParamSpec   *pspec)
{
  NetSipLegPrivate *priv = PRIV (NET_SIP_LEG (object));

  switch (prop_id)
    {
    case PROP_PROTOCOL: priv->protocol = g_value_get_enum (value); break;
    case PROP_ADDRESS: g_free (priv->address); priv->address = g_value_dup_string (value); break;
    case PROP_PORT: priv->port = g_value_get_uint (value); break;
    case PROP_HOST: g_free (priv->host); priv->host = g_value_dup_string (value); break;
    case PROP_CONTACT:
      if (g_strcmp0 (priv->contact, g_value_get_string (value)) != 0)
        {
          g_free (priv->contact);
          priv->contact = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_TLS_CERTIFICATE: g_set_object (&priv->certificate, g_value_get_object (value)); break;
    case PROP_TLS_DATABASE: g_set_object (&priv->database, g_value_get_object (value)); break;
    case PROP_VERIFY_CLIENT: priv->verify_client = g_value_get_int (value); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_leg_class_init (NetSipLegClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = net_sip_leg_dispose;
  object_class->finalize = net_sip_leg_finalize;
  object_class->get_property = net_sip_leg_get_property;
  object_class->set_property = net_sip_leg_set_property;

  /**
   * NetSipLeg:protocol:
   *
   * UDP, TCP or TLS.
   *
   * Since: 1.0
   */
  props[PROP_PROTOCOL] =
    g_param_spec_enum ("protocol", NULL, NULL, NET_SIP_TYPE_TRANSPORT, NET_SIP_TRANSPORT_UDP,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:address:
   *
   * The local IP address (IPv4 or IPv6, without brackets); `0.0.0.0` or
   * `::` for every address.
   *
   * Since: 1.0
   */
  props[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, "0.0.0.0",
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:port:
   *
   * The local port; 0 at construction asks for any free port, and the
   * property then reports the bound one.
   *
   * Since: 1.0
   */
  props[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, 65535, 5060,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:host:
   *
   * The name this leg puts in its Via sent-by and default contact; the
   * address when not set (the machine's host name for a wildcard address).
   * For TLS, the name in the leg's certificate.
   *
   * Since: 1.0
   */
  props[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:family:
   *
   * %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6, from the address.
   *
   * Since: 1.0
   */
  props[PROP_FAMILY] =
    g_param_spec_enum ("family", NULL, NULL, G_TYPE_SOCKET_FAMILY, G_SOCKET_FAMILY_INVALID,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:contact:
   *
   * The URI this leg advertises, e.g. in Contact and Record-Route; by
   * default `sip:HOST:PORT` (with `;transport=tcp` for TCP) or
   * `sips:HOST:PORT` for TLS.
   *
   * Since: 1.0
   */
  props[PROP_CONTACT] =
    g_param_spec_string ("contact", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipLeg:socket-pool:
   *
   * The sockets behind the leg.
   *
   * Since: 1.0
   */
  props[PROP_SOCKET_POOL] =
    g_param_spec_object ("socket-pool", NULL, NULL, NET_SIP_TYPE_SOCKET_POOL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:tls-certificate:
   *
   * For TLS, the certificate with its private key.
   *
   * Since: 1.0
   */
  props[PROP_TLS_CERTIFICATE] =
    g_param_spec_object ("tls-certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:tls-database:
   *
   * For TLS, the trust store for peers; %NULL for the system's.
   *
   * Since: 1.0
   */
  props[PROP_TLS_DATABASE] =
    g_param_spec_object ("tls-database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipLeg:verify-client:
   *
   * For TLS: client certificates -1 optional, 0 not asked for, 1 required.
   *
   * Since: 1.0
   */
  props[PROP_VERIFY_CLIENT] =
    g_param_spec_int ("verify-client", NULL, NULL, -1, 1, 0,
                      G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipLeg::message-received:
   * @self: the leg
   * @message: the message; a request has `received`/`rport` in its top Via
   * @source: where it came from
   *
   * Emitted for every message the leg receives.
   *
   * Since: 1.0
   */
  signals[SIG_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  G_STRUCT_OFFSET (NetSipLegClass, message_received), NULL, NULL,
                  net_sip_marshal_VOID__OBJECT_OBJECT,
                  G_TYPE_NONE, 2, NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_SOURCE_INFO);
  g_signal_set_va_marshaller (signals[SIG_MESSAGE_RECEIVED], G_TYPE_FROM_CLASS (klass),
                              net_sip_marshal_VOID__OBJECT_OBJECTv);

  /**
   * NetSipLeg::accept-certificate:
   * @self: the leg
   * @peer_certificate: the certificate the TLS server presented
   * @errors: why it did not verify
   *
   * See [signal@NetSip.SocketPool::accept-certificate].
   *
   * Returns: %TRUE to accept the certificate
   *
   * Since: 1.0
   */
  signals[SIG_ACCEPT_CERTIFICATE] =
    g_signal_new ("accept-certificate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 2,
                  G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS);

  /**
   * NetSipLeg::send-failed:
   * @self: the leg
   * @destination: where an earlier datagram went
   * @error: why it did not arrive
   *
   * A datagram this leg sent was answered by an ICMP error (port or host
   * unreachable) after its delivery completed: see
   * [signal@NetSip.SocketPool::send-failed] (RFC 3261 §18.4).
   *
   * Since: 1.0
   */
  signals[SIG_SEND_FAILED] =
    g_signal_new ("send-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_INET_SOCKET_ADDRESS, G_TYPE_ERROR);
}

static void
net_sip_leg_init (NetSipLeg *self)
{
}

/* ------------------------------------------------------------------ */
/* Received requests: received and rport (RFC 3261 §18.2.1, RFC 3581 §4) */

/* Compares a Via host with the source address without allocating: this
 * runs for every request received. */
static gboolean
host_is_address (const char   *host,
                 GInetAddress *address)
{
  guint8 buf[16];
  gsize len = g_inet_address_get_native_size (address);
  int family = g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6 ? AF_INET6 : AF_INET;

  return inet_pton (family, host, buf) == 1 &&
         memcmp (buf, g_inet_address_to_bytes (address), len) == 0;
}

/* Writes @v in decimal at @out; returns the end. */
static char *
format_uint (char  *out,
             guint  v)
{
  char tmp[12];
  guint n = 0;
  do
    tmp[n++] = '0' + v % 10;
  while ((v /= 10) > 0);
  while (n > 0)
    *out++ = tmp[--n];
  return out;
}

static void
mark_received (NetSipMessage    *request,
               NetSipSourceInfo *source)
{
  NetSipVia *via = net_sip_message_get_top_via (request, NULL);
  GInetSocketAddress *remote = net_sip_source_info_get_remote_address (source);
  GInetAddress *ip = g_inet_socket_address_get_address (remote);
  char ip_text[INET6_ADDRSTRLEN];
  gboolean need_received, want_rport;

  if (via == NULL)
    return;
  need_received = !host_is_address (via->host, ip);
  want_rport = via->rport == 0;
  if (!need_received && !want_rport)
    return;

  if (g_inet_address_get_family (ip) == G_SOCKET_FAMILY_IPV4)
    {
      const guint8 *b = g_inet_address_to_bytes (ip);
      char *o = ip_text;
      for (guint i = 0; i < 4; i++)
        {
          if (i)
            *o++ = '.';
          o = format_uint (o, b[i]);
        }
      *o = '\0';
    }
  else
    inet_ntop (AF_INET6, g_inet_address_to_bytes (ip), ip_text, sizeof ip_text);

  /* received always when rport is asked for (RFC 3581 §4) */
  net_sip_message_set_via_received (request, ip_text,
                                    want_rport ? g_inet_socket_address_get_port (remote) : 0);
}

static void
pool_message_received (NetSipSocketPool *pool,
                       NetSipMessage    *message,
                       NetSipSourceInfo *source,
                       gpointer          user_data)
{
  NetSipLeg *self = user_data;

  if (NET_SIP_IS_REQUEST (message))
    mark_received (message, source);
  g_signal_emit (self, signals[SIG_MESSAGE_RECEIVED], 0, message, source);
}

static void
pool_send_failed (NetSipSocketPool   *pool,
                  GInetSocketAddress *destination,
                  const GError       *error,
                  gpointer            user_data)
{
  g_signal_emit (user_data, signals[SIG_SEND_FAILED], 0, destination, error);
}

static gboolean
pool_accept_certificate (NetSipSocketPool     *pool,
                         GTlsCertificate      *certificate,
                         GTlsCertificateFlags  errors,
                         gpointer              user_data)
{
  gboolean accept = FALSE;
  g_signal_emit (user_data, signals[SIG_ACCEPT_CERTIFICATE], 0, certificate, errors, &accept);
  return accept;
}

/* ------------------------------------------------------------------ */
/* Construction                                                        */

static gboolean
net_sip_leg_initable_init (GInitable     *initable,
                           GCancellable  *cancellable,
                           GError       **error)
{
  NetSipLeg *self = NET_SIP_LEG (initable);
  NetSipLegPrivate *priv = PRIV (self);
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GSocketAddress) local = NULL;

  if (priv->pool)
    return TRUE;
  address = g_inet_address_new_from_string (priv->address ? priv->address : "");
  if (address == NULL)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS,
                   "'%s' is not an IP address", priv->address ? priv->address : "");
      return FALSE;
    }
  priv->family = g_inet_address_get_family (address);
  local = g_inet_socket_address_new (address, priv->port);
  priv->pool = g_initable_new (NET_SIP_TYPE_SOCKET_POOL, cancellable, error,
                               "transport", priv->protocol,
                               "local-address", local,
                               "certificate", priv->certificate,
                               "database", priv->database,
                               "verify-client", priv->verify_client,
                               NULL);
  if (priv->pool == NULL)
    return FALSE;
  priv->port = g_inet_socket_address_get_port (net_sip_socket_pool_get_local_address (priv->pool));
  if (priv->host == NULL)
    priv->host = g_inet_address_get_is_any (address) ? g_strdup (g_get_host_name ())
                                                      : g_strdup (priv->address);
  net_sip_socket_pool_set_receive_hook (priv->pool, pool_message_received, self);
  priv->certificate_id = g_signal_connect (priv->pool, "accept-certificate",
                                           G_CALLBACK (pool_accept_certificate), self);
  priv->send_failed_id = g_signal_connect (priv->pool, "send-failed",
                                           G_CALLBACK (pool_send_failed), self);
  return TRUE;
}

static void
net_sip_leg_initable_iface_init (GInitableIface *iface)
{
  iface->init = net_sip_leg_initable_init;
}

/* Reads `proto:address:port`, `proto:[v6]:port`, `address:port`, `proto:address`. */
static gboolean
parse_spec (const char       *spec,
            NetSipTransport  *protocol,
            char            **address,
            guint            *port,
            GError          **error)
{
  const char *p = spec, *colon;
  guint64 v;

  *protocol = NET_SIP_TRANSPORT_UDP;
  *address = NULL;
  colon = strchr (p, ':');
  if (colon && colon - p == 3)
    {
      g_autofree char *proto = g_strndup (p, 3);
      if (net_sip_transport_from_string (proto, protocol))
        p = colon + 1;
    }
  *port = *protocol == NET_SIP_TRANSPORT_TLS ? 5061 : 5060;

  if (*p == '[')
    {
      const char *close = strchr (p, ']');
      if (close == NULL)
        goto bad;
      *address = g_strndup (p + 1, close - p - 1);
      p = close + 1;
      if (*p == ':')
        p++;
      else if (*p != '\0')
        goto bad;
    }
  else
    {
      colon = strrchr (p, ':');
      if (colon && strchr (p, ':') != colon)
        colon = NULL;  /* a bare IPv6 address without port */
      *address = colon ? g_strndup (p, colon - p) : g_strdup (p);
      p = colon ? colon + 1 : p + strlen (p);
    }
  if (*p != '\0')
    {
      if (!g_ascii_string_to_unsigned (p, 10, 0, 65535, &v, NULL))
        goto bad;
      *port = v;
    }
  return TRUE;

bad:
  g_clear_pointer (address, g_free);
  g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS,
               "'%s' is not a leg: expected e.g. udp:127.0.0.1:5060 or tcp:[::1]:5070", spec);
  return FALSE;
}

/**
 * net_sip_leg_new:
 * @spec: `PROTO:ADDRESS:PORT`: `udp:127.0.0.1:5060`, `tcp:[::1]:5070`,
 *   `tls:0.0.0.0:5061`; the protocol defaults to udp, the port to 5060
 *   (5061 for tls); port 0 binds any free port
 * @error: return location for a #GError
 *
 * Creates a leg and binds its sockets on the thread-default main context.
 * A TLS leg needs a certificate: use net_sip_leg_new_tls().
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS for a bad @spec,
 *   %NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE,
 *   %NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE for a TLS @spec.
 *
 * Returns: (transfer full): the leg, or %NULL on error
 *
 * Since: 1.0
 */
NetSipLeg *
net_sip_leg_new (const char  *spec,
                 GError     **error)
{
  return net_sip_leg_new_tls (spec, NULL, NULL, error);
}

/**
 * net_sip_leg_new_tls:
 * @spec: as for net_sip_leg_new()
 * @certificate: (nullable): the certificate with its private key a TLS leg
 *   presents
 * @database: (nullable): the trust store for peers' certificates, %NULL for
 *   the system's
 * @error: return location for a #GError
 *
 * Like net_sip_leg_new(), with TLS settings.
 *
 * Errors: as net_sip_leg_new().
 *
 * Returns: (transfer full): the leg, or %NULL on error
 *
 * Since: 1.0
 */
NetSipLeg *
net_sip_leg_new_tls (const char       *spec,
                     GTlsCertificate  *certificate,
                     GTlsDatabase     *database,
                     GError          **error)
{
  NetSipTransport protocol;
  g_autofree char *address = NULL;
  guint port;

  g_return_val_if_fail (spec != NULL, NULL);
  if (!parse_spec (spec, &protocol, &address, &port, error))
    return NULL;
  return g_initable_new (NET_SIP_TYPE_LEG, NULL, error,
                         "protocol", protocol,
                         "address", address,
                         "port", port,
                         "tls-certificate", certificate,
                         "tls-database", database,
                         NULL);
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */

/**
 * net_sip_leg_get_protocol:
 * @self: a #NetSipLeg
 *
 * Gets the transport of the leg ([property@NetSip.Leg:protocol]).
 *
 * Returns: the leg's transport
 *
 * Since: 1.0
 */
NetSipTransport
net_sip_leg_get_protocol (NetSipLeg *self)
{
  g_return_val_if_fail (NET_SIP_IS_LEG (self), NET_SIP_TRANSPORT_UDP);
  return PRIV (self)->protocol;
}

/**
 * net_sip_leg_get_address:
 * @self: a #NetSipLeg
 *
 * Gets the local IP address of the leg ([property@NetSip.Leg:address]).
 *
 * Returns: (transfer none): the local IP address, without brackets
 *
 * Since: 1.0
 */
const char *
net_sip_leg_get_address (NetSipLeg *self)
{
  g_return_val_if_fail (NET_SIP_IS_LEG (self), NULL);
  return PRIV (self)->address;
}

/**
 * net_sip_leg_get_port:
 * @self: a #NetSipLeg
 *
 * Gets the local port of the leg, the bound one when it was made with port
 * 0.
 *
 * Returns: the bound local port
 *
 * Since: 1.0
 */
guint16
net_sip_leg_get_port (NetSipLeg *self)
{
  g_return_val_if_fail (NET_SIP_IS_LEG (self), 0);
  return PRIV (self)->port;
}

/**
 * net_sip_leg_get_family:
 * @self: a #NetSipLeg
 *
 * Gets the address family of the leg.
 *
 * Returns: %G_SOCKET_FAMILY_IPV4 or %G_SOCKET_FAMILY_IPV6
 *
 * Since: 1.0
 */
GSocketFamily
net_sip_leg_get_family (NetSipLeg *self)
{
  g_return_val_if_fail (NET_SIP_IS_LEG (self), G_SOCKET_FAMILY_INVALID);
  return PRIV (self)->family;
}

static void
append_hostport (GString          *s,
                 NetSipLegPrivate *priv)
{
  if (strchr (priv->host, ':'))
    g_string_append_printf (s, "[%s]:%u", priv->host, priv->port);
  else
    g_string_append_printf (s, "%s:%u", priv->host, priv->port);
}

/**
 * net_sip_leg_get_contact:
 * @self: a #NetSipLeg
 *
 * Gets the Contact URI of the leg ([property@NetSip.Leg:contact]).
 *
 * Returns: (transfer none): the value of [property@NetSip.Leg:contact]
 *
 * Since: 1.0
 */
const char *
net_sip_leg_get_contact (NetSipLeg *self)
{
  NetSipLegPrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_LEG (self), NULL);
  priv = PRIV (self);
  if (priv->contact == NULL && priv->host)
    {
      GString *s = g_string_new (priv->protocol == NET_SIP_TRANSPORT_TLS ? "sips:" : "sip:");
      append_hostport (s, priv);
      if (priv->protocol == NET_SIP_TRANSPORT_TCP)
        g_string_append (s, ";transport=tcp");
      priv->contact = g_string_free (s, FALSE);
    }
  return priv->contact;
}

/**
 * net_sip_leg_get_socket_pool:
 * @self: a #NetSipLeg
 *
 * Gets the socket pool that owns the leg's sockets.
 *
 * Returns: (transfer none): the sockets behind the leg, with the limits
 *   and counters as properties
 *
 * Since: 1.0
 */
NetSipSocketPool *
net_sip_leg_get_socket_pool (NetSipLeg *self)
{
  g_return_val_if_fail (NET_SIP_IS_LEG (self), NULL);
  return PRIV (self)->pool;
}

/**
 * net_sip_leg_to_string:
 * @self: a #NetSipLeg
 *
 * Formats the leg as a leg specification, the form [ctor@NetSip.Leg.new]
 * reads.
 *
 * Returns: (transfer full): `udp:127.0.0.1:5060` or `tls:[::1]:5061`
 *
 * Since: 1.0
 */
char *
net_sip_leg_to_string (NetSipLeg *self)
{
  NetSipLegPrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_LEG (self), NULL);
  priv = PRIV (self);
  if (priv->family == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s:[%s]:%u", net_sip_transport_to_string (priv->protocol),
                            priv->address, priv->port);
  return g_strdup_printf ("%s:%s:%u", net_sip_transport_to_string (priv->protocol),
                          priv->address, priv->port);
}

/* ------------------------------------------------------------------ */
/* Via (RFC 3261 §8.1.1.7, §18.1.1, §18.1.2)                            */

/**
 * net_sip_leg_new_branch:
 *
 * Returns a branch for a new client transaction: the magic cookie
 * `z9hG4bK` and 96 random bits (RFC 3261 §8.1.1.7 asks for a value unique
 * in space and time).
 *
 * Returns: (transfer full): the branch
 *
 * Since: 1.0
 */
char *
net_sip_leg_new_branch (void)
{
  return net_sip_random_token ("z9hG4bK", 3, NULL);
}

/**
 * net_sip_leg_add_via:
 * @self: a #NetSipLeg
 * @request: a request this leg sends
 *
 * Puts the leg's Via on top of @request: `SIP/2.0/UDP host:port` with a
 * new branch and an empty `rport` asking for the response to come back to
 * the source port (RFC 3581 §3).
 *
 * Since: 1.0
 */
void
net_sip_leg_add_via (NetSipLeg     *self,
                     NetSipMessage *request)
{
  NetSipLegPrivate *priv;
  g_autofree char *branch = NULL;
  g_autofree char *transport = NULL;
  GString *via;

  g_return_if_fail (NET_SIP_IS_LEG (self));
  g_return_if_fail (NET_SIP_IS_REQUEST (request));

  priv = PRIV (self);
  branch = net_sip_leg_new_branch ();
  transport = g_ascii_strup (net_sip_transport_to_string (priv->protocol), -1);
  via = g_string_new (NULL);
  g_string_append_printf (via, "SIP/2.0/%s ", transport);
  append_hostport (via, priv);
  g_string_append_printf (via, ";branch=%s;rport", branch);
  net_sip_message_prepend_header (request, "Via", via->str);
  g_string_free (via, TRUE);
}

/**
 * net_sip_leg_check_via:
 * @self: a #NetSipLeg
 * @response: a received response
 *
 * Checks that the top Via of @response is one this leg put there: same
 * transport, sent-by host and port, and an RFC 3261 branch. A client drops
 * a response that fails this (RFC 3261 §18.1.2).
 *
 * Returns: %TRUE if the top Via is this leg's
 *
 * Since: 1.0
 */
gboolean
net_sip_leg_check_via (NetSipLeg     *self,
                       NetSipMessage *response)
{
  NetSipLegPrivate *priv;
  NetSipVia *via;

  g_return_val_if_fail (NET_SIP_IS_LEG (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (response), FALSE);

  priv = PRIV (self);
  via = net_sip_message_get_top_via (response, NULL);
  if (via == NULL || via->branch == NULL || !g_str_has_prefix (via->branch, "z9hG4bK"))
    return FALSE;
  if (g_ascii_strcasecmp (via->transport, net_sip_transport_to_string (priv->protocol)) != 0)
    return FALSE;
  if (via->port != priv->port)
    return FALSE;
  return g_ascii_strcasecmp (via->host, priv->host) == 0;
}

/**
 * net_sip_leg_can_deliver_to:
 * @self: a #NetSipLeg
 * @protocol: the transport the destination wants
 * @address: (nullable): the destination address, or %NULL to check only
 *   the protocol
 *
 * Tells whether the leg can send to @protocol and @address (Net::SIP's
 * `can_deliver_to`).
 *
 * Returns: %TRUE if the leg uses @protocol and, when @address is given,
 *   the same address family (the routing tables are the system's)
 *
 * Since: 1.0
 */
gboolean
net_sip_leg_can_deliver_to (NetSipLeg       *self,
                            NetSipTransport  protocol,
                            GInetAddress    *address)
{
  NetSipLegPrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_LEG (self), FALSE);
  priv = PRIV (self);
  if (protocol != priv->protocol)
    return FALSE;
  return address == NULL || g_inet_address_get_family (address) == priv->family;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

/* NetSipSendDone: completes the leg's task */
static void
deliver_done (GError   *error,
              gpointer  user_data)
{
  g_autoptr(GTask) task = user_data;

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * net_sip_leg_deliver_async:
 * @self: a #NetSipLeg
 * @message: the request or response to send
 * @destination: the next hop's address and port
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async) (nullable): called once the datagram is sent or
 *   the stream write completes, or on failure; %NULL when nobody waits for
 *   the outcome (a response, a retransmission): a failure is then only
 *   logged (debug)
 * @user_data: data for @callback
 *
 * Sends @message to @destination. A request whose top Via is not this
 * leg's gets the leg's Via first (RFC 3261 §18.1.1): @message itself is
 * changed, so that a retransmission of it goes out as it is. A request
 * that carries the leg's Via already (a retransmission, a CANCEL or an ACK
 * for a non-2xx) is sent unchanged. Responses are sent as they are. Over TLS the peer's certificate must name the host of
 * the Request-URI (RFC 5922 §7.2) unless
 * [signal@NetSip.Leg::accept-certificate] accepts it.
 *
 * Since: 1.0
 */
void
net_sip_leg_deliver_async (NetSipLeg           *self,
                           NetSipMessage       *message,
                           GInetSocketAddress  *destination,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  NetSipLegPrivate *priv;
  GTask *task = NULL;
  g_autoptr(NetSipUri) uri = NULL;
  const char *identity = NULL;

  g_return_if_fail (NET_SIP_IS_LEG (self));
  g_return_if_fail (NET_SIP_IS_MESSAGE (message));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (destination));

  priv = PRIV (self);
  /* nobody to tell: no task at all (responses, retransmissions) */
  if (callback)
    {
      task = g_task_new (self, cancellable, callback, user_data);
      g_task_set_source_tag (task, net_sip_leg_deliver_async);
    }

  if (NET_SIP_IS_REQUEST (message))
    {
      if (!net_sip_leg_check_via (self, message))
        net_sip_leg_add_via (self, message);
      if (priv->protocol == NET_SIP_TRANSPORT_TLS)
        {
          uri = net_sip_request_get_parsed_uri (NET_SIP_REQUEST (message), NULL);
          if (uri && net_sip_uri_is_sip (uri))
            identity = net_sip_uri_get_host (uri);
        }
    }
  net_sip_socket_pool_send_internal (priv->pool, message, destination, identity, cancellable,
                                     task ? deliver_done : NULL, task);
}

/**
 * net_sip_leg_deliver_finish:
 * @self: a #NetSipLeg
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Errors: see net_sip_socket_pool_send_finish().
 *
 * Returns: %TRUE if the message was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_leg_deliver_finish (NetSipLeg     *self,
                            GAsyncResult  *result,
                            GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
