/* netsip-authorizer.h: a receiver that demands digest authentication
 * (RFC 3261 §22, RFC 7616, RFC 8760) before it passes requests on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"
#include "netsip-dispatcher.h"
#include "netsip-digest.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_AUTHORIZER (net_sip_authorizer_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipAuthorizer, net_sip_authorizer, NET_SIP, AUTHORIZER, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipAuthorizer   *net_sip_authorizer_new                 (NetSipDispatcher      *dispatcher,
                                                            const char            *realm);
NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher   *net_sip_authorizer_get_dispatcher      (NetSipAuthorizer      *self);
NET_SIP_AVAILABLE_IN_ALL
const char         *net_sip_authorizer_get_realm           (NetSipAuthorizer      *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_realm           (NetSipAuthorizer      *self,
                                                            const char            *realm);
NET_SIP_AVAILABLE_IN_ALL
NetSipReceiver     *net_sip_authorizer_get_next            (NetSipAuthorizer      *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_next            (NetSipAuthorizer      *self,
                                                            NetSipReceiver        *next);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_authorizer_get_proxy           (NetSipAuthorizer      *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_proxy           (NetSipAuthorizer      *self,
                                                            gboolean               proxy);
NET_SIP_AVAILABLE_IN_ALL
guint               net_sip_authorizer_get_nonce_lifetime  (NetSipAuthorizer      *self);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_nonce_lifetime  (NetSipAuthorizer      *self,
                                                            guint                  seconds);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_exempt_methods  (NetSipAuthorizer      *self,
                                                            const char * const    *methods);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_exempt_users    (NetSipAuthorizer      *self,
                                                            const char * const    *users);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_algorithms      (NetSipAuthorizer      *self,
                                                            const char * const    *algorithms);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_password        (NetSipAuthorizer      *self,
                                                            const char            *username,
                                                            const char            *password);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_authorizer_set_ha1             (NetSipAuthorizer      *self,
                                                            const char            *username,
                                                            NetSipDigestAlgorithm  algorithm,
                                                            const char            *ha1);

G_END_DECLS
