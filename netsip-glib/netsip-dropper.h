/* netsip-dropper.h: flood protection, drops requests silently (Net::SIP::Dropper)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_DROPPER (net_sip_dropper_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipDropper, net_sip_dropper, NET_SIP, DROPPER, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipDropper *net_sip_dropper_new                 (void);
NET_SIP_AVAILABLE_IN_ALL
gboolean       net_sip_dropper_add_pattern         (NetSipDropper *self,
                                                    const char    *header,
                                                    const char    *pattern,
                                                    GError       **error);
NET_SIP_AVAILABLE_IN_ALL
void           net_sip_dropper_clear_patterns      (NetSipDropper *self);
NET_SIP_AVAILABLE_IN_ALL
void           net_sip_dropper_set_rate            (NetSipDropper *self,
                                                    double         rate,
                                                    double         burst);
NET_SIP_AVAILABLE_IN_ALL
guint          net_sip_dropper_get_n_sources       (NetSipDropper *self);
NET_SIP_AVAILABLE_IN_ALL
guint64        net_sip_dropper_get_n_dropped       (NetSipDropper *self);
NET_SIP_AVAILABLE_IN_ALL
guint64        net_sip_dropper_get_n_dropped_rate  (NetSipDropper *self);
NET_SIP_AVAILABLE_IN_ALL
guint64        net_sip_dropper_get_n_dropped_pattern (NetSipDropper *self);

G_END_DECLS
