/* netsip-via.h: one via-parm of a Via header (RFC 3261 §20.42, §18.2.1, RFC 3581)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_VIA (net_sip_via_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType        net_sip_via_get_type      (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipVia   *net_sip_via_parse         (const char      *text,
                                        gssize           length,
                                        GError         **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipVia   *net_sip_via_ref           (NetSipVia       *via);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_via_unref         (NetSipVia       *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_protocol  (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_transport (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_host      (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_via_host_is_ipv6  (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
guint16      net_sip_via_get_port      (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_branch    (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_received  (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
gint         net_sip_via_get_rport     (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_via_has_param     (const NetSipVia *via,
                                        const char      *name);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_param     (const NetSipVia *via,
                                        const char      *name);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_via_get_n_params  (const NetSipVia *via);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_via_get_param_nth (const NetSipVia *via,
                                        guint            index,
                                        const char     **value);
NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_via_to_string     (const NetSipVia *via);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipVia, net_sip_via_unref)

G_END_DECLS
