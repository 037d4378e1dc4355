/* netsip-dispatcher-private.h: what transactions call back in the
 * dispatcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "netsip-dispatcher.h"
#include "netsip-transaction-private.h"

G_BEGIN_DECLS

GMainContext *net_sip_dispatcher_get_context           (NetSipDispatcher  *self);

/* Puts @transaction in the dispatcher's timer heap at @deadline (monotonic
 * µs), or takes it out when @deadline is negative. The dispatcher's one
 * timer source is ready at the earliest deadline of the heap and calls
 * net_sip_transaction_fire() for each transaction that is due. */
void          net_sip_dispatcher_schedule              (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction,
                                                        gint64              deadline);

/* Hands @message to @leg for @destination and emits message-sent. @task,
 * when given, completes with the outcome of the send; otherwise a failure
 * goes to net_sip_transaction_sent(). */
void          net_sip_dispatcher_send                  (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction,
                                                        NetSipMessage      *message,
                                                        NetSipLeg          *leg,
                                                        GInetSocketAddress *destination,
                                                        guint               attempt,
                                                        GTask              *task);

/* Gives @message to the receiver and the message-received handlers. */
void          net_sip_dispatcher_pass_up               (NetSipDispatcher   *self,
                                                        NetSipMessage      *message,
                                                        NetSipLeg          *leg,
                                                        NetSipSourceInfo   *source);

/* A client transaction has its outcome: the first final response, or an
 * error (timeout, transport), or for a stateless send the send itself
 * (both NULL). Returns whether the response goes up to the receiver. */
gboolean      net_sip_dispatcher_transaction_finished  (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction,
                                                        NetSipResponse     *response,
                                                        const GError       *error);

/* A server transaction gave up (Timer H without ACK, transport failure). */
void          net_sip_dispatcher_transaction_failed    (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction,
                                                        const GError       *error);

/* The transaction is over: drop it from the tables. */
void          net_sip_dispatcher_transaction_terminated (NetSipDispatcher  *self,
                                                         NetSipTransaction *transaction);

/* A server transaction got its final response or ended without one: it
 * no longer counts against max-queue. */
void          net_sip_dispatcher_transaction_settled   (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction);

/* A server INVITE transaction sent a 2xx and retransmits it until the
 * ACK (retransmit-2xx): register it under its dialog key. */
void          net_sip_dispatcher_transaction_accepted  (NetSipDispatcher   *self,
                                                        NetSipTransaction  *transaction);

/* Counters */
void          net_sip_dispatcher_count_absorbed        (NetSipDispatcher   *self,
                                                        gboolean            ack);

G_END_DECLS
