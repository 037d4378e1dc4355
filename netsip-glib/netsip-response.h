/* netsip-response.h: a SIP response (RFC 3261 §7.2)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-message.h"
#include "netsip-request.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_RESPONSE (net_sip_response_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipResponse, net_sip_response, NET_SIP, RESPONSE, NetSipMessage)

NET_SIP_AVAILABLE_IN_ALL
NetSipResponse *net_sip_response_new                (guint           code,
                                                     const char     *reason);
NET_SIP_AVAILABLE_IN_ALL
guint           net_sip_response_get_code           (NetSipResponse *self);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_response_get_reason         (NetSipResponse *self);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_response_set_status         (NetSipResponse *self,
                                                     guint           code,
                                                     const char     *reason);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_response_default_reason     (guint           code);

G_END_DECLS
