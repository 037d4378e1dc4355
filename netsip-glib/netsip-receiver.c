/* netsip-receiver.c: what receives the messages a dispatcher passes up
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config-private.h"

#include "netsip-receiver.h"

/**
 * NetSipReceiver:
 *
 * The one way a message reaches the logic above a [class@NetSip.Dispatcher]
 * (Net::SIP's "receiver"): a user agent, a registrar, a proxy or a chain of
 * them implements this interface and is set with
 * [method@NetSip.Dispatcher.set_receiver].
 *
 * The dispatcher calls [method@NetSip.Receiver.receive] on its main context
 * for each new request and for each response that belongs to one of its
 * client transactions; retransmissions it absorbs itself (RFC 3261 §17).
 *
 * A receiver returns whether it handled the message. Receivers can be
 * chained (Net::SIP's ReceiveChain): an authorizer in front of a registrar
 * in front of a proxy, each one passing on what it does not handle by
 * returning %FALSE. The dispatcher itself ignores the value.
 *
 * Since: 1.0
 */

G_DEFINE_INTERFACE (NetSipReceiver, net_sip_receiver, G_TYPE_OBJECT)

static void
net_sip_receiver_default_init (NetSipReceiverInterface *iface)
{
}

/**
 * net_sip_receiver_receive:
 * @self: a #NetSipReceiver
 * @message: (transfer none): the request or response that arrived
 * @leg: (transfer none): the leg it arrived on
 * @source: (transfer none): where it came from (transport, remote and
 *   local address, TLS peer certificate)
 *
 * Hands @message to the receiver. Called by the dispatcher or by the
 * receiver in front of this one in a chain; the receiver keeps references
 * to the arguments if it needs them later.
 *
 * Returns: %TRUE when the receiver handled @message (answered it now or
 *   will answer it later, or consumed it: a response it was waiting for, an
 *   ACK it absorbed); %FALSE to let the next receiver of a chain try it.
 *   A receiver that does not implement the vfunc returns %FALSE.
 *
 * Since: 1.0
 */
gboolean
net_sip_receiver_receive (NetSipReceiver   *self,
                          NetSipMessage    *message,
                          NetSipLeg        *leg,
                          NetSipSourceInfo *source)
{
  NetSipReceiverInterface *iface;

  g_return_val_if_fail (NET_SIP_IS_RECEIVER (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (message), FALSE);

  iface = NET_SIP_RECEIVER_GET_IFACE (self);
  if (iface->receive == NULL)
    return FALSE;
  return iface->receive (self, message, leg, source);
}
