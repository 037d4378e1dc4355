/* netsip-resolver.h: where a SIP request goes (RFC 3263 §4)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "netsip-types.h"
#include "netsip-transport.h"
#include "netsip-uri.h"

G_BEGIN_DECLS

/* ---- NetSipTarget ------------------------------------------------------- */

typedef struct _NetSipTarget NetSipTarget;

#define NET_SIP_TYPE_TARGET (net_sip_target_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType               net_sip_target_get_type      (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipTarget       *net_sip_target_new           (NetSipTransport     transport,
                                                  GInetSocketAddress *address,
                                                  const char         *host);
NET_SIP_AVAILABLE_IN_ALL
NetSipTarget       *net_sip_target_ref           (NetSipTarget       *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_target_unref         (NetSipTarget       *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransport     net_sip_target_get_transport (const NetSipTarget *self);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress *net_sip_target_get_address   (const NetSipTarget *self);
NET_SIP_AVAILABLE_IN_ALL
const char         *net_sip_target_get_host      (const NetSipTarget *self);
NET_SIP_AVAILABLE_IN_ALL
char               *net_sip_target_to_string     (const NetSipTarget *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_target_equal         (const NetSipTarget *a,
                                                  const NetSipTarget *b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipTarget, net_sip_target_unref)

/* ---- NetSipResolver ----------------------------------------------------- */

/**
 * NET_SIP_DEFAULT_PORT:
 *
 * The port of a SIP URI without one over UDP and TCP (RFC 3261 §19.1.2).
 *
 * Since: 1.0
 */
#define NET_SIP_DEFAULT_PORT 5060

/**
 * NET_SIP_DEFAULT_TLS_PORT:
 *
 * The port of a SIP or SIPS URI without one over TLS (RFC 3261 §19.1.2).
 *
 * Since: 1.0
 */
#define NET_SIP_DEFAULT_TLS_PORT 5061

#define NET_SIP_TYPE_RESOLVER (net_sip_resolver_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (NetSipResolver, net_sip_resolver, NET_SIP, RESOLVER, GObject)

/**
 * NetSipResolverClass:
 * @parent_class: the parent class
 * @lookup_naptr_async: starts a NAPTR query (RFC 3403) for a domain; the
 *   default queries DNS with libresolv in a worker thread
 * @lookup_naptr_finish: returns the records as a #GList of #GVariant of type
 *   `(qqssss)`: order, preference, flags, services, regexp, replacement (in
 *   any order; the caller sorts), or %NULL with an error:
 *   %G_RESOLVER_ERROR_NOT_FOUND when the domain has no NAPTR records
 *
 * Subclasses (unit tests) override the NAPTR step to serve records without
 * a DNS server; SRV and A/AAAA come from [property@NetSip.Resolver:resolver].
 *
 * Since: 1.0
 */
struct _NetSipResolverClass
{
  GObjectClass parent_class;

  void    (* lookup_naptr_async)  (NetSipResolver      *self,
                                   const char          *domain,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data);
  GList * (* lookup_naptr_finish) (NetSipResolver      *self,
                                   GAsyncResult        *result,
                                   GError             **error);

  /*< private >*/
  gpointer padding[8];
};

NET_SIP_AVAILABLE_IN_ALL
NetSipResolver *net_sip_resolver_new                 (GResolver             *resolver);
NET_SIP_AVAILABLE_IN_ALL
GResolver      *net_sip_resolver_get_resolver        (NetSipResolver        *self);
NET_SIP_AVAILABLE_IN_ALL
guint           net_sip_resolver_get_max_targets     (NetSipResolver        *self);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_resolver_set_max_targets     (NetSipResolver        *self,
                                                      guint                  max_targets);

NET_SIP_AVAILABLE_IN_ALL
GPtrArray      *net_sip_resolver_lookup_numeric      (NetSipResolver        *self,
                                                      NetSipUri             *uri,
                                                      const NetSipTransport *allowed,
                                                      guint                  n_allowed,
                                                      GError               **error);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_resolver_lookup_async        (NetSipResolver        *self,
                                                      NetSipUri             *uri,
                                                      const NetSipTransport *allowed,
                                                      guint                  n_allowed,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray      *net_sip_resolver_lookup_finish       (NetSipResolver        *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

NET_SIP_AVAILABLE_IN_ALL
void            net_sip_resolver_lookup_naptr_async  (NetSipResolver        *self,
                                                      const char            *domain,
                                                      GCancellable          *cancellable,
                                                      GAsyncReadyCallback    callback,
                                                      gpointer               user_data);
NET_SIP_AVAILABLE_IN_ALL
GList          *net_sip_resolver_lookup_naptr_finish (NetSipResolver        *self,
                                                      GAsyncResult          *result,
                                                      GError               **error);

G_END_DECLS
