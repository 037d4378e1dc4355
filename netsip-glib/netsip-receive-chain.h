/* netsip-receive-chain.h: receivers tried in order (Net::SIP::ReceiveChain)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_RECEIVE_CHAIN (net_sip_receive_chain_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipReceiveChain, net_sip_receive_chain, NET_SIP, RECEIVE_CHAIN, GObject)

/**
 * NetSipReceiveChainFilter:
 * @chain: the chain
 * @message: the message that arrived
 * @leg: the leg it arrived on
 * @source: where it came from
 * @user_data: data given to [method@NetSip.ReceiveChain.set_filter]
 *
 * Decides whether @chain takes @message at all.
 *
 * Returns: %TRUE to offer @message to the chain's receivers, %FALSE to
 *   decline it (the chain then returns %FALSE)
 *
 * Since: 1.0
 */
typedef gboolean (*NetSipReceiveChainFilter) (NetSipReceiveChain *chain,
                                              NetSipMessage      *message,
                                              NetSipLeg          *leg,
                                              NetSipSourceInfo   *source,
                                              gpointer            user_data);

NET_SIP_AVAILABLE_IN_ALL
NetSipReceiveChain *net_sip_receive_chain_new          (NetSipReceiver          **receivers,
                                                        guint                     n_receivers);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_receive_chain_append       (NetSipReceiveChain       *self,
                                                        NetSipReceiver           *receiver);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_receive_chain_remove       (NetSipReceiveChain       *self,
                                                        NetSipReceiver           *receiver);
NET_SIP_AVAILABLE_IN_ALL
guint               net_sip_receive_chain_get_n_receivers (NetSipReceiveChain    *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipReceiver     *net_sip_receive_chain_get_receiver (NetSipReceiveChain       *self,
                                                        guint                     index);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_receive_chain_set_filter   (NetSipReceiveChain       *self,
                                                        NetSipReceiveChainFilter  filter,
                                                        gpointer                  user_data,
                                                        GDestroyNotify            notify);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_receive_chain_set_methods  (NetSipReceiveChain       *self,
                                                        const char * const       *methods);
NET_SIP_AVAILABLE_IN_ALL
const char * const *net_sip_receive_chain_get_methods  (NetSipReceiveChain       *self);

G_END_DECLS
