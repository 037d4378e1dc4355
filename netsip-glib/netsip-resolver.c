/* netsip-resolver.c: RFC 3263 server location
 *
 * This copy handles IP-literal hosts only (RFC 3263 §4.1, §4.2 for a
 * numeric host). The DNS part (NAPTR, SRV, A/AAAA) is built on the
 * `resolver` branch, whose files replace these at merge; until then a
 * host name gives %NET_SIP_TRANSPORT_ERROR_NO_ROUTE with a message that
 * says so.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config-private.h"

#include "netsip-resolver.h"

/**
 * NetSipTarget:
 *
 * One place a request can go: a transport, an address with port, and the
 * SIP domain it was found for (the TLS identity, RFC 5922). Immutable and
 * refcounted.
 *
 * Since: 1.0
 */
struct _NetSipTarget
{
  gatomicrefcount     ref_count;
  NetSipTransport     transport;
  GInetSocketAddress *address;
  char               *host;
};

G_DEFINE_BOXED_TYPE (NetSipTarget, net_sip_target, net_sip_target_ref, net_sip_target_unref)

/**
 * net_sip_target_new:
 * @transport: the transport to use
 * @address: (transfer none): the address and port
 * @host: (nullable): the SIP domain the target was found for
 *
 * Creates a new instance.
 *
 * Returns: (transfer full): a new target
 *
 * Since: 1.0
 */
NetSipTarget *
net_sip_target_new (NetSipTransport     transport,
                    GInetSocketAddress *address,
                    const char         *host)
{
  NetSipTarget *self;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);
  self = g_new0 (NetSipTarget, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->transport = transport;
  self->address = g_object_ref (address);
  self->host = g_strdup (host);
  return self;
}

/**
 * net_sip_target_ref:
 * @self: a target
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
NetSipTarget *
net_sip_target_ref (NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * net_sip_target_unref:
 * @self: (transfer full): a target
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
net_sip_target_unref (NetSipTarget *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_object_unref (self->address);
  g_free (self->host);
  g_free (self);
}

/**
 * net_sip_target_get_transport:
 * @self: a target
 *
 * Gets the transport.
 *
 * Returns: the transport
 *
 * Since: 1.0
 */
NetSipTransport
net_sip_target_get_transport (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NET_SIP_TRANSPORT_UDP);
  return self->transport;
}

/**
 * net_sip_target_get_address:
 * @self: a target
 *
 * Gets the address.
 *
 * Returns: (transfer none): the address and port
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_target_get_address (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->address;
}

/**
 * net_sip_target_get_host:
 * @self: a target
 *
 * Gets the host.
 *
 * Returns: (nullable): the SIP domain the target was found for
 *
 * Since: 1.0
 */
const char *
net_sip_target_get_host (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

/**
 * net_sip_target_to_string:
 * @self: a target
 *
 * Formats the value as text.
 *
 * Returns: (transfer full): `transport:address:port`, the address of IPv6
 *   in brackets, e.g. `udp:192.0.2.1:5060`
 *
 * Since: 1.0
 */
char *
net_sip_target_to_string (const NetSipTarget *self)
{
  g_autofree char *ip = NULL;
  GInetAddress *address;

  g_return_val_if_fail (self != NULL, NULL);
  address = g_inet_socket_address_get_address (self->address);
  ip = g_inet_address_to_string (address);
  if (g_inet_address_get_family (address) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s:[%s]:%u", net_sip_transport_to_string (self->transport), ip,
                            g_inet_socket_address_get_port (self->address));
  return g_strdup_printf ("%s:%s:%u", net_sip_transport_to_string (self->transport), ip,
                          g_inet_socket_address_get_port (self->address));
}

/**
 * NetSipResolver:
 *
 * Finds the targets of a SIP or SIPS URI (RFC 3263 §4).
 *
 * Since: 1.0
 */

typedef struct
{
  GResolver *resolver;
} NetSipResolverPrivate;

G_DEFINE_TYPE_WITH_PRIVATE (NetSipResolver, net_sip_resolver, G_TYPE_OBJECT)

enum { PROP_0, PROP_RESOLVER, N_PROPS };
static GParamSpec *props[N_PROPS];

static void
net_sip_resolver_finalize (GObject *object)
{
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (NET_SIP_RESOLVER (object));

  g_clear_object (&priv->resolver);
  G_OBJECT_CLASS (net_sip_resolver_parent_class)->finalize (object);
}

static void
net_sip_resolver_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (NET_SIP_RESOLVER (object));

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_value_set_object (value, priv->resolver);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_resolver_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (NET_SIP_RESOLVER (object));

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_clear_object (&priv->resolver);
      priv->resolver = g_value_dup_object (value);
      if (priv->resolver == NULL)
        priv->resolver = g_resolver_get_default ();
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_resolver_class_init (NetSipResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = net_sip_resolver_finalize;
  object_class->get_property = net_sip_resolver_get_property;
  object_class->set_property = net_sip_resolver_set_property;

  /**
   * NetSipResolver:resolver:
   *
   * The #GResolver for SRV and A/AAAA queries; the default one when %NULL
   * is set.
   *
   * Since: 1.0
   */
  props[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL, G_TYPE_RESOLVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_resolver_init (NetSipResolver *self)
{
}

/**
 * net_sip_resolver_new:
 * @resolver: (nullable): the #GResolver to use, or %NULL for the default
 *
 * Creates a new instance.
 *
 * Returns: (transfer full): a new resolver
 *
 * Since: 1.0
 */
NetSipResolver *
net_sip_resolver_new (GResolver *resolver)
{
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);
  return g_object_new (NET_SIP_TYPE_RESOLVER, "resolver", resolver, NULL);
}

/* The host of @uri as a numeric address, or NULL; IPv6 with or without
 * brackets. */
static GInetAddress *
literal_address (NetSipUri *uri)
{
  const char *host = net_sip_uri_get_host (uri);
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL)
    return NULL;
  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);
  return g_inet_address_new_from_string (host);
}

/**
 * net_sip_resolver_lookup_async:
 * @self: a #NetSipResolver
 * @uri: (transfer none): the SIP or SIPS URI to resolve
 * @allowed: (array length=n_allowed) (nullable): the transports to
 *   consider, in order of preference, or %NULL for UDP then TCP (TLS only
 *   for a SIPS URI)
 * @n_allowed: the length of @allowed
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the targets are known
 * @user_data: data for @callback
 *
 * Finds where a request for @uri goes (RFC 3263 §4). An IP-literal host
 * gives one target per allowed transport (the `transport` parameter or a
 * `sips:` scheme narrows them), on the URI's port or 5060 (5061 for TLS).
 *
 * Since: 1.0
 */
void
net_sip_resolver_lookup_async (NetSipResolver        *self,
                               NetSipUri             *uri,
                               const NetSipTransport *allowed,
                               guint                  n_allowed,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  static const NetSipTransport default_sip[] = { NET_SIP_TRANSPORT_UDP, NET_SIP_TRANSPORT_TCP };
  static const NetSipTransport default_sips[] = { NET_SIP_TRANSPORT_TLS };
  g_autoptr(GTask) task = NULL;
  g_autoptr(GInetAddress) address = NULL;
  g_autoptr(GPtrArray) targets = NULL;
  const char *param;
  NetSipTransport wanted;
  gboolean have_wanted = FALSE;
  gboolean sips;

  g_return_if_fail (NET_SIP_IS_RESOLVER (self));
  g_return_if_fail (uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_resolver_lookup_async);

  sips = net_sip_uri_is_sips (uri);
  if (allowed == NULL || n_allowed == 0)
    {
      allowed = sips ? default_sips : default_sip;
      n_allowed = sips ? G_N_ELEMENTS (default_sips) : G_N_ELEMENTS (default_sip);
    }
  param = net_sip_uri_get_param (uri, "transport");
  if (param && net_sip_transport_from_string (param, &wanted))
    have_wanted = TRUE;

  address = literal_address (uri);
  if (address == NULL)
    {
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                               "cannot resolve '%s': this build resolves IP-literal hosts only",
                               net_sip_uri_get_host (uri) ? net_sip_uri_get_host (uri) : "");
      return;
    }

  targets = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_target_unref);
  for (guint i = 0; i < n_allowed; i++)
    {
      g_autoptr(GSocketAddress) sa = NULL;
      guint16 port;

      if (have_wanted && allowed[i] != wanted)
        continue;
      /* sips: never yields an unencrypted transport (RFC 3261 §26.2.2) */
      if (sips && allowed[i] != NET_SIP_TRANSPORT_TLS)
        continue;
      port = net_sip_uri_get_port (uri);
      if (port == 0)
        port = allowed[i] == NET_SIP_TRANSPORT_TLS ? 5061 : 5060;
      sa = g_inet_socket_address_new (address, port);
      g_ptr_array_add (targets, net_sip_target_new (allowed[i], G_INET_SOCKET_ADDRESS (sa), NULL));
    }

  if (targets->len == 0)
    {
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                               "no allowed transport for '%s'", net_sip_uri_get_host (uri));
      return;
    }
  g_task_return_pointer (task, g_steal_pointer (&targets), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * net_sip_resolver_lookup_finish:
 * @self: a #NetSipResolver
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_NO_ROUTE when nothing resolves,
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (element-type NetSipTarget): the targets in the
 *   order to try them
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_resolver_lookup_finish (NetSipResolver  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
