/* netsip-delivery-options.c: hints for NetSipDispatcher delivery
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config-private.h"

#include "netsip-delivery-options.h"
#include "netsip-delivery-options-private.h"

/**
 * NetSipDeliveryOptions:
 *
 * Hints for [method@NetSip.Dispatcher.deliver_async], the `%ARGS` of
 * Net::SIP's `deliver`: an id and a Call-ID to cancel the delivery by,
 * the leg and destination address to use instead of resolving the
 * Request-URI, and whether to retransmit. A refcounted boxed type; set
 * what you need and leave the rest.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (NetSipDeliveryOptions, net_sip_delivery_options,
                     net_sip_delivery_options_ref, net_sip_delivery_options_unref)

/**
 * net_sip_delivery_options_new:
 *
 * Creates a new instance.
 *
 * Returns: (transfer full): new options with nothing set
 *
 * Since: 1.0
 */
NetSipDeliveryOptions *
net_sip_delivery_options_new (void)
{
  NetSipDeliveryOptions *self = g_new0 (NetSipDeliveryOptions, 1);
  g_atomic_ref_count_init (&self->ref_count);
  return self;
}

/**
 * net_sip_delivery_options_ref:
 * @self: options
 *
 * Takes a reference.
 *
 * Returns: (transfer full): @self
 *
 * Since: 1.0
 */
NetSipDeliveryOptions *
net_sip_delivery_options_ref (NetSipDeliveryOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * net_sip_delivery_options_unref:
 * @self: (transfer full): options
 *
 * Drops a reference; frees the options with the last one.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_unref (NetSipDeliveryOptions *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_free (self->id);
  g_free (self->call_id);
  g_clear_object (&self->leg);
  g_clear_object (&self->destination);
  g_free (self);
}

/**
 * net_sip_delivery_options_set_id:
 * @self: options
 * @id: (nullable): the id to cancel the delivery by, or %NULL for the
 *   default: the transaction key (net_sip_message_get_tid() of the request
 *   once the leg's Via is on it)
 *
 * Sets the id.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_set_id (NetSipDeliveryOptions *self,
                                 const char            *id)
{
  g_return_if_fail (self != NULL);
  g_free (self->id);
  self->id = g_strdup (id);
}

/**
 * net_sip_delivery_options_get_id:
 * @self: options
 *
 * Gets the id.
 *
 * Returns: (nullable): the id set with net_sip_delivery_options_set_id()
 *
 * Since: 1.0
 */
const char *
net_sip_delivery_options_get_id (NetSipDeliveryOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->id;
}

/**
 * net_sip_delivery_options_set_call_id:
 * @self: options
 * @call_id: (nullable): the Call-ID to cancel the delivery by
 *   ([method@NetSip.Dispatcher.cancel_delivery_by_call_id]), or %NULL for
 *   the message's own Call-ID
 *
 * Sets the call id.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_set_call_id (NetSipDeliveryOptions *self,
                                      const char            *call_id)
{
  g_return_if_fail (self != NULL);
  g_free (self->call_id);
  self->call_id = g_strdup (call_id);
}

/**
 * net_sip_delivery_options_get_call_id:
 * @self: options
 *
 * Gets the call id.
 *
 * Returns: (nullable): the Call-ID set with
 *   net_sip_delivery_options_set_call_id()
 *
 * Since: 1.0
 */
const char *
net_sip_delivery_options_get_call_id (NetSipDeliveryOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->call_id;
}

/**
 * net_sip_delivery_options_set_leg:
 * @self: options
 * @leg: (nullable): the leg to send through, or %NULL to choose one with
 *   net_sip_leg_can_deliver_to()
 *
 * Sets the leg.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_set_leg (NetSipDeliveryOptions *self,
                                  NetSipLeg             *leg)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (leg == NULL || NET_SIP_IS_LEG (leg));
  g_set_object (&self->leg, leg);
}

/**
 * net_sip_delivery_options_get_leg:
 * @self: options
 *
 * Gets the leg.
 *
 * Returns: (transfer none) (nullable): the leg set with
 *   net_sip_delivery_options_set_leg()
 *
 * Since: 1.0
 */
NetSipLeg *
net_sip_delivery_options_get_leg (NetSipDeliveryOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->leg;
}

/**
 * net_sip_delivery_options_set_destination:
 * @self: options
 * @destination: (nullable): the next hop (Net::SIP's `dst_addr`), or %NULL
 *   to resolve it (RFC 3263; for a response, RFC 3261 §18.2.2)
 *
 * Sets the destination.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_set_destination (NetSipDeliveryOptions *self,
                                          GInetSocketAddress    *destination)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (destination == NULL || G_IS_INET_SOCKET_ADDRESS (destination));
  g_set_object (&self->destination, destination);
}

/**
 * net_sip_delivery_options_get_destination:
 * @self: options
 *
 * Gets the destination.
 *
 * Returns: (transfer none) (nullable): the destination set with
 *   net_sip_delivery_options_set_destination()
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_delivery_options_get_destination (NetSipDeliveryOptions *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->destination;
}

/**
 * net_sip_delivery_options_set_do_retransmits:
 * @self: options
 * @do_retransmits: %TRUE to run a client transaction with RFC 3261 §17
 *   timers, %FALSE to send once (a stateless proxy, §16.11)
 *
 * Overrides [property@NetSip.Dispatcher:do-retransmits] for one delivery.
 *
 * Since: 1.0
 */
void
net_sip_delivery_options_set_do_retransmits (NetSipDeliveryOptions *self,
                                             gboolean               do_retransmits)
{
  g_return_if_fail (self != NULL);
  self->do_retransmits = !!do_retransmits;
  self->do_retransmits_set = TRUE;
}

/**
 * net_sip_delivery_options_get_do_retransmits:
 * @self: options
 * @is_set: (out) (optional): whether the value was set
 *
 * Gets the do retransmits.
 *
 * Returns: the value set with net_sip_delivery_options_set_do_retransmits(),
 *   %TRUE when unset
 *
 * Since: 1.0
 */
gboolean
net_sip_delivery_options_get_do_retransmits (NetSipDeliveryOptions *self,
                                             gboolean              *is_set)
{
  g_return_val_if_fail (self != NULL, TRUE);
  if (is_set)
    *is_set = self->do_retransmits_set;
  return self->do_retransmits_set ? self->do_retransmits : TRUE;
}
