/* netsip-receiver.h: what receives the messages a dispatcher passes up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-message.h"
#include "netsip-source-info.h"
#include "netsip-leg.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_RECEIVER (net_sip_receiver_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (NetSipReceiver, net_sip_receiver, NET_SIP, RECEIVER, GObject)

/**
 * NetSipReceiverInterface:
 * @g_iface: the parent interface
 * @receive: handles one message and returns whether it did; see
 *   [method@NetSip.Receiver.receive]
 *
 * The interface of the objects above a [class@NetSip.Dispatcher]: user
 * agents, registrars, proxies, receive chains.
 *
 * Since: 1.0
 */
struct _NetSipReceiverInterface
{
  GTypeInterface g_iface;

  gboolean (* receive) (NetSipReceiver   *self,
                        NetSipMessage    *message,
                        NetSipLeg        *leg,
                        NetSipSourceInfo *source);
};

NET_SIP_AVAILABLE_IN_ALL
gboolean net_sip_receiver_receive (NetSipReceiver   *self,
                                   NetSipMessage    *message,
                                   NetSipLeg        *leg,
                                   NetSipSourceInfo *source);

G_END_DECLS
