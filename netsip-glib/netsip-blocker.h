/* netsip-blocker.h: a fixed answer per request method (Net::SIP::Blocker)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"
#include "netsip-dispatcher.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_BLOCKER (net_sip_blocker_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipBlocker, net_sip_blocker, NET_SIP, BLOCKER, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipBlocker    *net_sip_blocker_new           (NetSipDispatcher *dispatcher);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_blocker_block         (NetSipBlocker    *self,
                                                 const char       *method,
                                                 guint             code,
                                                 const char       *reason);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_blocker_unblock       (NetSipBlocker    *self,
                                                 const char       *method);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_blocker_get_code      (NetSipBlocker    *self,
                                                 const char       *method);
NET_SIP_AVAILABLE_IN_ALL
guint64           net_sip_blocker_get_n_blocked (NetSipBlocker    *self);

G_END_DECLS
