/* netsip-auth-params.h: credentials and challenges, as in Authorization,
 * Proxy-Authorization, WWW-Authenticate and Proxy-Authenticate
 * (RFC 3261 §25.1 challenge/credentials, RFC 7616)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_AUTH_PARAMS (net_sip_auth_params_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType             net_sip_auth_params_get_type      (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipAuthParams *net_sip_auth_params_parse         (const char             *text,
                                                     gssize                  length,
                                                     GError                **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipAuthParams *net_sip_auth_params_ref           (NetSipAuthParams       *params);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_auth_params_unref         (NetSipAuthParams       *params);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_auth_params_get_scheme    (const NetSipAuthParams *params);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_auth_params_get_param     (const NetSipAuthParams *params,
                                                     const char             *name);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_auth_params_get_n_params  (const NetSipAuthParams *params);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_auth_params_get_param_nth (const NetSipAuthParams *params,
                                                     guint                   index,
                                                     const char            **value);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_auth_params_get_opaque    (const NetSipAuthParams *params);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipAuthParams, net_sip_auth_params_unref)

G_END_DECLS
