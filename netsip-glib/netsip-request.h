/* netsip-request.h: a SIP request (RFC 3261 §7.1)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-message.h"

G_BEGIN_DECLS

typedef struct _NetSipResponse NetSipResponse;

#define NET_SIP_TYPE_REQUEST (net_sip_request_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipRequest, net_sip_request, NET_SIP, REQUEST, NetSipMessage)

NET_SIP_AVAILABLE_IN_ALL
NetSipRequest  *net_sip_request_new             (const char     *method,
                                                 const char     *request_uri);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_request_get_method      (NetSipRequest  *self);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_request_get_uri         (NetSipRequest  *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipUri      *net_sip_request_get_parsed_uri  (NetSipRequest  *self,
                                                 GError        **error);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_request_set_uri         (NetSipRequest  *self,
                                                 const char     *request_uri);
NET_SIP_AVAILABLE_IN_ALL
NetSipResponse *net_sip_request_create_response (NetSipRequest  *self,
                                                 guint           code,
                                                 const char     *reason,
                                                 const char     *to_tag);
NET_SIP_AVAILABLE_IN_ALL
NetSipRequest  *net_sip_request_create_ack      (NetSipRequest  *self,
                                                 NetSipResponse *response);
NET_SIP_AVAILABLE_IN_ALL
NetSipRequest  *net_sip_request_create_cancel   (NetSipRequest  *self);

G_END_DECLS
