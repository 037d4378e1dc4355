/* netsip-uri.h: SIP, SIPS, tel and absolute URIs (RFC 3261 §19.1, RFC 3966)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_URI (net_sip_uri_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType        net_sip_uri_get_type        (void) G_GNUC_CONST;

NET_SIP_AVAILABLE_IN_ALL
NetSipUri   *net_sip_uri_parse           (const char      *text,
                                          gssize           length,
                                          GError         **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipUri   *net_sip_uri_new             (const char      *scheme,
                                          const char      *user,
                                          const char      *host,
                                          guint16          port);
NET_SIP_AVAILABLE_IN_ALL
NetSipUri   *net_sip_uri_copy            (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_free            (NetSipUri       *uri);

NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_scheme      (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_is_sip          (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_is_sips         (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_user        (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
gsize        net_sip_uri_get_user_length (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_password    (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_host        (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_host_is_ipv6    (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
guint16      net_sip_uri_get_port        (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_opaque      (const NetSipUri *uri);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_has_param       (const NetSipUri *uri,
                                          const char      *name);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_param       (const NetSipUri *uri,
                                          const char      *name);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_uri_get_n_params    (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_param_nth   (const NetSipUri *uri,
                                          guint            index,
                                          const char     **value);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_header      (const NetSipUri *uri,
                                          const char      *name);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_uri_get_n_headers   (const NetSipUri *uri);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_uri_get_header_nth  (const NetSipUri *uri,
                                          guint            index,
                                          const char     **value);

NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_set_user        (NetSipUri       *uri,
                                          const char      *user);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_set_host        (NetSipUri       *uri,
                                          const char      *host);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_set_port        (NetSipUri       *uri,
                                          guint16          port);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_set_param       (NetSipUri       *uri,
                                          const char      *name,
                                          const char      *value);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_remove_param    (NetSipUri       *uri,
                                          const char      *name);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_uri_set_header      (NetSipUri       *uri,
                                          const char      *name,
                                          const char      *value);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_uri_equal           (const NetSipUri *a,
                                          const NetSipUri *b);
NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_uri_to_string       (const NetSipUri *uri);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipUri, net_sip_uri_free)

G_END_DECLS
