/* netsip-delivery-options.h: hints for NetSipDispatcher delivery
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-leg.h"

G_BEGIN_DECLS

typedef struct _NetSipDeliveryOptions NetSipDeliveryOptions;

#define NET_SIP_TYPE_DELIVERY_OPTIONS (net_sip_delivery_options_get_type ())

NET_SIP_AVAILABLE_IN_ALL
GType                  net_sip_delivery_options_get_type         (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipDeliveryOptions *net_sip_delivery_options_new              (void);
NET_SIP_AVAILABLE_IN_ALL
NetSipDeliveryOptions *net_sip_delivery_options_ref              (NetSipDeliveryOptions *self);
NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_unref            (NetSipDeliveryOptions *self);

NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_set_id           (NetSipDeliveryOptions *self,
                                                                  const char            *id);
NET_SIP_AVAILABLE_IN_ALL
const char            *net_sip_delivery_options_get_id           (NetSipDeliveryOptions *self);
NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_set_call_id      (NetSipDeliveryOptions *self,
                                                                  const char            *call_id);
NET_SIP_AVAILABLE_IN_ALL
const char            *net_sip_delivery_options_get_call_id      (NetSipDeliveryOptions *self);
NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_set_leg          (NetSipDeliveryOptions *self,
                                                                  NetSipLeg             *leg);
NET_SIP_AVAILABLE_IN_ALL
NetSipLeg             *net_sip_delivery_options_get_leg          (NetSipDeliveryOptions *self);
NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_set_destination  (NetSipDeliveryOptions *self,
                                                                  GInetSocketAddress    *destination);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress    *net_sip_delivery_options_get_destination  (NetSipDeliveryOptions *self);
NET_SIP_AVAILABLE_IN_ALL
void                   net_sip_delivery_options_set_do_retransmits (NetSipDeliveryOptions *self,
                                                                    gboolean               do_retransmits);
NET_SIP_AVAILABLE_IN_ALL
gboolean               net_sip_delivery_options_get_do_retransmits (NetSipDeliveryOptions *self,
                                                                    gboolean              *is_set);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipDeliveryOptions, net_sip_delivery_options_unref)

G_END_DECLS
