/* netsip-name-addr.h: name-addr / addr-spec with header parameters, as in
 * From, To, Contact, Route and Record-Route (RFC 3261 §20.10, §20.20, §20.39)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_NAME_ADDR (net_sip_name_addr_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType           net_sip_name_addr_get_type                (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipNameAddr *net_sip_name_addr_parse                   (const char           *text,
                                                           gssize                length,
                                                           GError              **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipNameAddr *net_sip_name_addr_ref                     (NetSipNameAddr       *addr);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_name_addr_unref                   (NetSipNameAddr       *addr);
NET_SIP_AVAILABLE_IN_ALL
gboolean        net_sip_name_addr_is_wildcard             (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_name_addr_get_display_name        (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
gsize           net_sip_name_addr_get_display_name_length (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_name_addr_get_uri_string          (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
NetSipUri      *net_sip_name_addr_get_uri                 (const NetSipNameAddr *addr,
                                                           GError              **error);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_name_addr_get_tag                 (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
gint64          net_sip_name_addr_get_expires             (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
gdouble         net_sip_name_addr_get_q                   (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
gboolean        net_sip_name_addr_has_param               (const NetSipNameAddr *addr,
                                                           const char           *name);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_name_addr_get_param               (const NetSipNameAddr *addr,
                                                           const char           *name);
NET_SIP_AVAILABLE_IN_ALL
guint           net_sip_name_addr_get_n_params            (const NetSipNameAddr *addr);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_name_addr_get_param_nth           (const NetSipNameAddr *addr,
                                                           guint                 index,
                                                           const char          **value);
NET_SIP_AVAILABLE_IN_ALL
char           *net_sip_name_addr_to_string               (const NetSipNameAddr *addr);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipNameAddr, net_sip_name_addr_unref)

G_END_DECLS
