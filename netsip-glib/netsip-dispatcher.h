/* netsip-dispatcher.h: legs, delivery, transactions (RFC 3261 §17, RFC 3263)
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
#include "netsip-receiver.h"
#include "netsip-resolver.h"
#include "netsip-delivery-options.h"
#include "netsip-transaction.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_DISPATCHER (net_sip_dispatcher_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipDispatcher, net_sip_dispatcher, NET_SIP, DISPATCHER, GObject)

/**
 * NetSipLegPredicate:
 * @leg: a leg of the dispatcher
 * @user_data: the data passed with the predicate
 *
 * A filter for [method@NetSip.Dispatcher.get_legs].
 *
 * Returns: %TRUE if @leg matches
 *
 * Since: 1.0
 */
typedef gboolean (*NetSipLegPredicate) (NetSipLeg *leg,
                                        gpointer   user_data);

/**
 * NetSipTimerFunc:
 * @dispatcher: the dispatcher that runs the timer
 * @user_data: the data passed to [method@NetSip.Dispatcher.add_timer]
 *
 * Called when a timer added with [method@NetSip.Dispatcher.add_timer]
 * fires.
 *
 * Returns: %G_SOURCE_CONTINUE to keep a repeating timer,
 *   %G_SOURCE_REMOVE to stop it (a one-shot timer stops anyway)
 *
 * Since: 1.0
 */
typedef gboolean (*NetSipTimerFunc) (NetSipDispatcher *dispatcher,
                                     gpointer          user_data);

NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher  *net_sip_dispatcher_new              (NetSipLeg            **legs,
                                                        guint                  n_legs);

/* Legs */
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dispatcher_add_leg          (NetSipDispatcher      *self,
                                                        NetSipLeg             *leg);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_remove_leg       (NetSipDispatcher      *self,
                                                        NetSipLeg             *leg);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray         *net_sip_dispatcher_get_legs         (NetSipDispatcher      *self,
                                                        const char            *address,
                                                        guint16                port,
                                                        gint                   protocol,
                                                        NetSipSocketPool      *socket_pool,
                                                        NetSipLegPredicate     predicate,
                                                        gpointer               user_data);

/* Receiver */
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dispatcher_set_receiver     (NetSipDispatcher      *self,
                                                        NetSipReceiver        *receiver);
NET_SIP_AVAILABLE_IN_ALL
NetSipReceiver    *net_sip_dispatcher_get_receiver     (NetSipDispatcher      *self);

/* Timers on the dispatcher's main context */
NET_SIP_AVAILABLE_IN_ALL
guint              net_sip_dispatcher_add_timer        (NetSipDispatcher      *self,
                                                        double                 when,
                                                        double                 repeat,
                                                        NetSipTimerFunc        func,
                                                        gpointer               user_data,
                                                        GDestroyNotify         notify);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_cancel_timer     (NetSipDispatcher      *self,
                                                        guint                  timer_id);

/* Delivery */
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dispatcher_deliver_async    (NetSipDispatcher      *self,
                                                        NetSipMessage         *message,
                                                        NetSipDeliveryOptions *options,
                                                        GCancellable          *cancellable,
                                                        GAsyncReadyCallback    callback,
                                                        gpointer               user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_deliver_finish   (NetSipDispatcher      *self,
                                                        GAsyncResult          *result,
                                                        NetSipResponse       **response,
                                                        GError               **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_cancel_delivery  (NetSipDispatcher      *self,
                                                        const char            *id);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_cancel_delivery_by_call_id (NetSipDispatcher  *self,
                                                                  const char        *call_id);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_cancel_delivery_transaction (NetSipDispatcher  *self,
                                                                   NetSipTransaction *transaction);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransaction *net_sip_dispatcher_get_transaction  (NetSipDispatcher      *self,
                                                        const char            *id);

/* Resolution (RFC 3263) */
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dispatcher_resolve_uri_async  (NetSipDispatcher      *self,
                                                          NetSipUri             *uri,
                                                          const NetSipTransport *allowed_protocols,
                                                          guint                  n_allowed_protocols,
                                                          NetSipLeg            **allowed_legs,
                                                          guint                  n_allowed_legs,
                                                          GCancellable          *cancellable,
                                                          GAsyncReadyCallback    callback,
                                                          gpointer               user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_resolve_uri_finish (NetSipDispatcher      *self,
                                                          GAsyncResult          *result,
                                                          GPtrArray            **targets,
                                                          GPtrArray            **legs,
                                                          GError               **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dispatcher_resolve_uri_numeric (NetSipDispatcher      *self,
                                                           NetSipUri             *uri,
                                                           const NetSipTransport *allowed_protocols,
                                                           guint                  n_allowed_protocols,
                                                           NetSipLeg            **allowed_legs,
                                                           guint                  n_allowed_legs,
                                                           GPtrArray            **targets,
                                                           GPtrArray            **legs,
                                                           GError               **error);

/* Configuration */
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dispatcher_set_domain_proxy (NetSipDispatcher      *self,
                                                        const char            *domain,
                                                        const char            *proxy);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dispatcher_get_domain_proxy (NetSipDispatcher      *self,
                                                        const char            *domain);

G_END_DECLS
