/* netsip-stateless-proxy.h: a stateless SIP proxy (RFC 3261 §16, §16.11)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"
#include "netsip-dispatcher.h"

G_BEGIN_DECLS

/**
 * NetSipProxyError:
 * @NET_SIP_PROXY_ERROR_NOT_REWRITTEN: the URI is not a Contact this proxy
 *   rewrote (not one of its addresses, or no encoded user part)
 * @NET_SIP_PROXY_ERROR_FORGED: the URI looks rewritten by this proxy but its
 *   MAC does not match: forged, altered, or made with another secret
 *
 * Errors of [method@NetSip.StatelessProxy.decode_contact].
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_PROXY_ERROR_NOT_REWRITTEN,
  NET_SIP_PROXY_ERROR_FORGED,
} NetSipProxyError;

/**
 * NET_SIP_PROXY_ERROR:
 *
 * Error domain of [class@NetSip.StatelessProxy]; codes from #NetSipProxyError.
 *
 * Since: 1.0
 */
#define NET_SIP_PROXY_ERROR (net_sip_proxy_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_proxy_error_quark (void);

#define NET_SIP_TYPE_STATELESS_PROXY (net_sip_stateless_proxy_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipStatelessProxy, net_sip_stateless_proxy, NET_SIP, STATELESS_PROXY, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipStatelessProxy *net_sip_stateless_proxy_new             (NetSipDispatcher     *dispatcher);
NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher     *net_sip_stateless_proxy_get_dispatcher  (NetSipStatelessProxy *self);
NET_SIP_AVAILABLE_IN_ALL
void                  net_sip_stateless_proxy_set_record_route (NetSipStatelessProxy *self,
                                                                gboolean              record_route);
NET_SIP_AVAILABLE_IN_ALL
gboolean              net_sip_stateless_proxy_get_record_route (NetSipStatelessProxy *self);
NET_SIP_AVAILABLE_IN_ALL
void                  net_sip_stateless_proxy_set_force_rewrite (NetSipStatelessProxy *self,
                                                                 gboolean              force_rewrite);
NET_SIP_AVAILABLE_IN_ALL
gboolean              net_sip_stateless_proxy_get_force_rewrite (NetSipStatelessProxy *self);
NET_SIP_AVAILABLE_IN_ALL
void                  net_sip_stateless_proxy_set_secret      (NetSipStatelessProxy *self,
                                                               GBytes               *secret);
NET_SIP_AVAILABLE_IN_ALL
void                  net_sip_stateless_proxy_set_domains     (NetSipStatelessProxy *self,
                                                               const char * const   *domains);
NET_SIP_AVAILABLE_IN_ALL
char                 *net_sip_stateless_proxy_compute_branch  (NetSipStatelessProxy *self,
                                                               NetSipRequest        *request);
NET_SIP_AVAILABLE_IN_ALL
char                 *net_sip_stateless_proxy_encode_contact  (NetSipStatelessProxy *self,
                                                               const char           *uri,
                                                               NetSipLeg            *leg);
NET_SIP_AVAILABLE_IN_ALL
char                 *net_sip_stateless_proxy_decode_contact  (NetSipStatelessProxy *self,
                                                               const char           *uri,
                                                               GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean              net_sip_stateless_proxy_is_local_uri    (NetSipStatelessProxy *self,
                                                               NetSipUri            *uri);

G_END_DECLS
