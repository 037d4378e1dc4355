/* netsip-transaction.h: one SIP transaction (RFC 3261 §17)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-message.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-leg.h"

G_BEGIN_DECLS

/**
 * NetSipTransactionKind:
 * @NET_SIP_TRANSACTION_KIND_CLIENT_INVITE: an INVITE we sent (RFC 3261 §17.1.1)
 * @NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE: another request we sent (§17.1.2)
 * @NET_SIP_TRANSACTION_KIND_SERVER_INVITE: an INVITE we received (§17.2.1)
 * @NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE: another request we received
 *   (§17.2.2)
 * @NET_SIP_TRANSACTION_KIND_STATELESS: a response, an ACK for a 2xx or a
 *   request sent without retransmission: one send, no state after it
 *
 * What a [class@NetSip.Transaction] is for (RFC 3261 §17).
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_TRANSACTION_KIND_CLIENT_INVITE,
  NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE,
  NET_SIP_TRANSACTION_KIND_SERVER_INVITE,
  NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE,
  NET_SIP_TRANSACTION_KIND_STATELESS,
} NetSipTransactionKind;

/**
 * NetSipTransactionState:
 * @NET_SIP_TRANSACTION_STATE_CALLING: client INVITE sent, no response yet
 * @NET_SIP_TRANSACTION_STATE_TRYING: non-INVITE request sent or received,
 *   no response yet
 * @NET_SIP_TRANSACTION_STATE_PROCEEDING: a provisional response was
 *   received or sent
 * @NET_SIP_TRANSACTION_STATE_COMPLETED: a final response (non-2xx for
 *   INVITE) was received or sent; retransmissions are absorbed until
 *   Timer D, K, H or J
 * @NET_SIP_TRANSACTION_STATE_CONFIRMED: server INVITE: the ACK arrived;
 *   more ACKs are absorbed until Timer I
 * @NET_SIP_TRANSACTION_STATE_ACCEPTED: INVITE answered with a 2xx
 *   (RFC 6026 §7.1): 2xx retransmissions reach the receiver, INVITE
 *   retransmissions are absorbed, until Timer L or M (64*T1)
 * @NET_SIP_TRANSACTION_STATE_TERMINATED: the transaction is over
 *
 * The states of RFC 3261 §17 with the Accepted state of RFC 6026.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_TRANSACTION_STATE_CALLING,
  NET_SIP_TRANSACTION_STATE_TRYING,
  NET_SIP_TRANSACTION_STATE_PROCEEDING,
  NET_SIP_TRANSACTION_STATE_COMPLETED,
  NET_SIP_TRANSACTION_STATE_CONFIRMED,
  NET_SIP_TRANSACTION_STATE_ACCEPTED,
  NET_SIP_TRANSACTION_STATE_TERMINATED,
} NetSipTransactionState;

#define NET_SIP_TYPE_TRANSACTION (net_sip_transaction_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipTransaction, net_sip_transaction, NET_SIP, TRANSACTION, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipTransactionKind   net_sip_transaction_get_kind          (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransactionState  net_sip_transaction_get_state         (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
const char             *net_sip_transaction_get_id            (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
const char             *net_sip_transaction_get_key           (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
const char             *net_sip_transaction_get_call_id       (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipMessage          *net_sip_transaction_get_message       (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipResponse         *net_sip_transaction_get_last_response (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipLeg              *net_sip_transaction_get_leg           (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress     *net_sip_transaction_get_remote_address (NetSipTransaction *self);
NET_SIP_AVAILABLE_IN_ALL
guint                   net_sip_transaction_get_n_retransmissions (NetSipTransaction *self);

G_END_DECLS
