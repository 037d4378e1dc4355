/* netsip-resolver.h: RFC 3263 server location (NAPTR, SRV, A/AAAA)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-transport.h"
#include "netsip-uri.h"

G_BEGIN_DECLS

/* One place a request can go, in RFC 3263 order. Boxed, immutable, refcounted. */
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipTarget, net_sip_target_unref)

#define NET_SIP_TYPE_RESOLVER (net_sip_resolver_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (NetSipResolver, net_sip_resolver, NET_SIP, RESOLVER, GObject)

/**
 * NetSipResolverClass:
 * @parent_class: the parent class
 * @lookup_naptr_async: starts a NAPTR query for a domain
 * @lookup_naptr_finish: ends it; returns the records
 *
 * The class of #NetSipResolver. Tests override the NAPTR query, which
 * #GResolver does not offer.
 *
 * Since: 1.0
 */
struct _NetSipResolverClass
{
  GObjectClass parent_class;

  void       (* lookup_naptr_async)  (NetSipResolver      *self,
                                      const char          *domain,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data);
  GPtrArray *(* lookup_naptr_finish) (NetSipResolver      *self,
                                      GAsyncResult        *result,
                                      GError             **error);

  /*< private >*/
  gpointer padding[8];
};

NET_SIP_AVAILABLE_IN_ALL
NetSipResolver *net_sip_resolver_new           (GResolver              *resolver);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_resolver_lookup_async  (NetSipResolver         *self,
                                                NetSipUri              *uri,
                                                const NetSipTransport  *allowed,
                                                guint                   n_allowed,
                                                GCancellable           *cancellable,
                                                GAsyncReadyCallback     callback,
                                                gpointer                user_data);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray      *net_sip_resolver_lookup_finish (NetSipResolver         *self,
                                                GAsyncResult           *result,
                                                GError                **error);

G_END_DECLS
