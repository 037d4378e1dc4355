/* netsip-registrar.h: a registrar (RFC 3261 §10.3) as a receiver
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"
#include "netsip-dispatcher.h"
#include "netsip-location-store.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_REGISTRAR (net_sip_registrar_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipRegistrar, net_sip_registrar, NET_SIP, REGISTRAR, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipRegistrar     *net_sip_registrar_new                 (NetSipDispatcher     *dispatcher,
                                                            NetSipLocationStore  *store);
NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher    *net_sip_registrar_get_dispatcher      (NetSipRegistrar      *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipLocationStore *net_sip_registrar_get_store           (NetSipRegistrar      *self);
NET_SIP_AVAILABLE_IN_ALL
void                 net_sip_registrar_set_domains         (NetSipRegistrar      *self,
                                                            const char * const   *domains);
NET_SIP_AVAILABLE_IN_ALL
const char * const  *net_sip_registrar_get_domains         (NetSipRegistrar      *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean             net_sip_registrar_serves_domain       (NetSipRegistrar      *self,
                                                            const char           *host);
NET_SIP_AVAILABLE_IN_ALL
char                *net_sip_registrar_canonical_aor       (const char           *uri,
                                                            GError              **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray           *net_sip_registrar_lookup              (NetSipRegistrar      *self,
                                                            const char           *uri,
                                                            GError              **error);
NET_SIP_AVAILABLE_IN_ALL
char               **net_sip_registrar_lookup_contacts     (NetSipRegistrar      *self,
                                                            const char           *uri,
                                                            GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gint                 net_sip_registrar_expire              (NetSipRegistrar      *self,
                                                            GError              **error);

G_END_DECLS
