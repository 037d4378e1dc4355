/* netsip-receive-chain.c: receivers tried in order (Net::SIP::ReceiveChain)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-receive-chain.h"

/**
 * NetSipReceiveChain:
 *
 * A [iface@NetSip.Receiver] made of other receivers (Net::SIP's
 * ReceiveChain): a message is offered to each in order until one returns
 * %TRUE (handled). An authorizer in front of a registrar in front of a
 * stateless proxy is the usual chain; chains nest.
 *
 * A chain can decline messages before its receivers see them: with a
 * filter callback ([method@NetSip.ReceiveChain.set_filter]), with a list of
 * request methods ([property@NetSip.ReceiveChain:methods]; responses do not
 * pass a method list), or with a handler of
 * [signal@NetSip.ReceiveChain::filter] returning %FALSE. A declined message
 * makes the chain return %FALSE, so the receiver after the chain gets it.
 *
 * Since: 1.0
 */
struct _NetSipReceiveChain
{
  GObject         parent_instance;

  GPtrArray      *receivers;   /* NetSipReceiver, owned */
  GStrv           methods;     /* NULL: any */
  NetSipReceiveChainFilter filter;
  gpointer        filter_data;
  GDestroyNotify  filter_notify;
};

enum
{
  PROP_0,
  PROP_METHODS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_FILTER,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_receive_chain_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipReceiveChain, net_sip_receive_chain, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_receive_chain_receiver_init))

static gboolean
takes (NetSipReceiveChain *self,
       NetSipMessage      *message,
       NetSipLeg          *leg,
       NetSipSourceInfo   *source)
{
  if (self->filter)
    return self->filter (self, message, leg, source, self->filter_data);
  if (self->methods)
    {
      const char *method = net_sip_message_get_method (message);
      if (!net_sip_message_is_request (message) || method == NULL ||
          !g_strv_contains ((const char * const *) self->methods, method))
        return FALSE;
    }
  if (g_signal_has_handler_pending (self, signals[SIG_FILTER], 0, TRUE))
    {
      gboolean accept = TRUE;
      g_signal_emit (self, signals[SIG_FILTER], 0, message, leg, source, &accept);
      return accept;
    }
  return TRUE;
}

static gboolean
net_sip_receive_chain_receive (NetSipReceiver   *receiver,
                               NetSipMessage    *message,
                               NetSipLeg        *leg,
                               NetSipSourceInfo *source)
{
  NetSipReceiveChain *self = NET_SIP_RECEIVE_CHAIN (receiver);
  g_autoptr(GPtrArray) snapshot = NULL;

  if (!takes (self, message, leg, source))
    return FALSE;
  /* a receiver may change the chain while it runs */
  snapshot = g_ptr_array_new_full (self->receivers->len, g_object_unref);
  for (guint i = 0; i < self->receivers->len; i++)
    g_ptr_array_add (snapshot, g_object_ref (g_ptr_array_index (self->receivers, i)));
  for (guint i = 0; i < snapshot->len; i++)
    if (net_sip_receiver_receive (g_ptr_array_index (snapshot, i), message, leg, source))
      return TRUE;
  return FALSE;
}

static void
net_sip_receive_chain_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_receive_chain_receive;
}

static void
net_sip_receive_chain_dispose (GObject *object)
{
  NetSipReceiveChain *self = NET_SIP_RECEIVE_CHAIN (object);

  g_ptr_array_set_size (self->receivers, 0);
  if (self->filter_notify)
    self->filter_notify (self->filter_data);
  self->filter = NULL;
  self->filter_notify = NULL;
  self->filter_data = NULL;
  G_OBJECT_CLASS (net_sip_receive_chain_parent_class)->dispose (object);
}

static void
net_sip_receive_chain_finalize (GObject *object)
{
  NetSipReceiveChain *self = NET_SIP_RECEIVE_CHAIN (object);

  g_ptr_array_unref (self->receivers);
  g_strfreev (self->methods);
  G_OBJECT_CLASS (net_sip_receive_chain_parent_class)->finalize (object);
}

static void
net_sip_receive_chain_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  NetSipReceiveChain *self = NET_SIP_RECEIVE_CHAIN (object);

  switch (prop_id)
    {
    case PROP_METHODS:
      g_value_set_boxed (value, self->methods);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_receive_chain_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  NetSipReceiveChain *self = NET_SIP_RECEIVE_CHAIN (object);

  switch (prop_id)
    {
    case PROP_METHODS:
      net_sip_receive_chain_set_methods (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_receive_chain_class_init (NetSipReceiveChainClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = net_sip_receive_chain_dispose;
  object_class->finalize = net_sip_receive_chain_finalize;
  object_class->get_property = net_sip_receive_chain_get_property;
  object_class->set_property = net_sip_receive_chain_set_property;

  /**
   * NetSipReceiveChain:methods:
   *
   * The request methods the chain takes (Net::SIP's `methods`), e.g.
   * `["REGISTER"]` for an authorizer and registrar in front of a proxy;
   * %NULL takes every message. Responses are declined when a list is set.
   * A filter set with [method@NetSip.ReceiveChain.set_filter] takes
   * precedence.
   *
   * Since: 1.0
   */
  props[PROP_METHODS] =
    g_param_spec_boxed ("methods", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipReceiveChain::filter:
   * @chain: the chain
   * @message: the message that arrived
   * @leg: the leg it arrived on
   * @source: where it came from
   *
   * Asks whether the chain takes @message, after the methods list. Emitted
   * only when no filter callback is set. The first handler decides.
   *
   * Returns: %TRUE to offer @message to the receivers, %FALSE to decline
   *
   * Since: 1.0
   */
  signals[SIG_FILTER] =
    g_signal_new ("filter", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_first_wins, NULL, NULL,
                  G_TYPE_BOOLEAN, 3, NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_LEG,
                  NET_SIP_TYPE_SOURCE_INFO);
}

static void
net_sip_receive_chain_init (NetSipReceiveChain *self)
{
  self->receivers = g_ptr_array_new_with_free_func (g_object_unref);
}

/**
 * net_sip_receive_chain_new:
 * @receivers: (array length=n_receivers) (nullable) (transfer none): the
 *   receivers in the order they are tried
 * @n_receivers: the number of @receivers
 *
 * Creates a chain (Net::SIP::ReceiveChain) of @receivers, tried in order; the chain keeps a reference to each.
 *
 * Returns: (transfer full): a new chain
 *
 * Since: 1.0
 */
NetSipReceiveChain *
net_sip_receive_chain_new (NetSipReceiver **receivers,
                           guint            n_receivers)
{
  NetSipReceiveChain *self = g_object_new (NET_SIP_TYPE_RECEIVE_CHAIN, NULL);

  for (guint i = 0; i < n_receivers; i++)
    net_sip_receive_chain_append (self, receivers[i]);
  return self;
}

/**
 * net_sip_receive_chain_append:
 * @self: a #NetSipReceiveChain
 * @receiver: (transfer none): a receiver to try after the others
 *
 * The chain keeps a reference to @receiver.
 *
 * Since: 1.0
 */
void
net_sip_receive_chain_append (NetSipReceiveChain *self,
                              NetSipReceiver     *receiver)
{
  g_return_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self));
  g_return_if_fail (NET_SIP_IS_RECEIVER (receiver));
  g_return_if_fail ((gpointer) receiver != (gpointer) self);

  g_ptr_array_add (self->receivers, g_object_ref (receiver));
}

/**
 * net_sip_receive_chain_remove:
 * @self: a #NetSipReceiveChain
 * @receiver: a receiver of the chain
 *
 * Takes @receiver out of the chain.
 *
 * Returns: %TRUE if @receiver was in the chain (its first place is removed)
 *
 * Since: 1.0
 */
gboolean
net_sip_receive_chain_remove (NetSipReceiveChain *self,
                              NetSipReceiver     *receiver)
{
  g_return_val_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self), FALSE);

  return g_ptr_array_remove (self->receivers, receiver);
}

/**
 * net_sip_receive_chain_get_n_receivers:
 * @self: a #NetSipReceiveChain
 *
 * Counts the receivers of the chain.
 *
 * Returns: how many receivers the chain holds
 *
 * Since: 1.0
 */
guint
net_sip_receive_chain_get_n_receivers (NetSipReceiveChain *self)
{
  g_return_val_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self), 0);
  return self->receivers->len;
}

/**
 * net_sip_receive_chain_get_receiver:
 * @self: a #NetSipReceiveChain
 * @index: a position, from 0
 *
 * Gives the receiver at a position of the chain.
 *
 * Returns: (transfer none) (nullable): the receiver at @index, or %NULL
 *   past the end
 *
 * Since: 1.0
 */
NetSipReceiver *
net_sip_receive_chain_get_receiver (NetSipReceiveChain *self,
                                    guint               index)
{
  g_return_val_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self), NULL);
  return index < self->receivers->len ? g_ptr_array_index (self->receivers, index) : NULL;
}

/**
 * net_sip_receive_chain_set_filter:
 * @self: a #NetSipReceiveChain
 * @filter: (nullable) (scope notified) (closure user_data) (destroy notify):
 *   decides whether the chain takes a message, or %NULL for none
 * @user_data: data for @filter
 * @notify: (nullable): frees @user_data when the filter is replaced or the
 *   chain goes
 *
 * Sets the chain's filter (Net::SIP's `filter`). While set, the methods
 * list and the [signal@NetSip.ReceiveChain::filter] signal are not used.
 *
 * Since: 1.0
 */
void
net_sip_receive_chain_set_filter (NetSipReceiveChain       *self,
                                  NetSipReceiveChainFilter  filter,
                                  gpointer                  user_data,
                                  GDestroyNotify            notify)
{
  g_return_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self));

  if (self->filter_notify)
    self->filter_notify (self->filter_data);
  self->filter = filter;
  self->filter_data = user_data;
  self->filter_notify = notify;
}

/**
 * net_sip_receive_chain_set_methods:
 * @self: a #NetSipReceiveChain
 * @methods: (array zero-terminated=1) (nullable): the request methods the
 *   chain takes, or %NULL for all messages
 *
 * Sets [property@NetSip.ReceiveChain:methods].
 *
 * Since: 1.0
 */
void
net_sip_receive_chain_set_methods (NetSipReceiveChain *self,
                                   const char * const *methods)
{
  g_return_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self));

  if (self->methods == NULL && methods == NULL)
    return;
  if (self->methods && methods && g_strv_equal ((const char * const *) self->methods, methods))
    return;
  g_strfreev (self->methods);
  self->methods = g_strdupv ((char **) methods);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_METHODS]);
}

/**
 * net_sip_receive_chain_get_methods:
 * @self: a #NetSipReceiveChain
 *
 * Gives [property@NetSip.ReceiveChain:methods].
 *
 * Returns: (array zero-terminated=1) (transfer none) (nullable): the
 *   methods list, or %NULL when the chain takes every method
 *
 * Since: 1.0
 */
const char * const *
net_sip_receive_chain_get_methods (NetSipReceiveChain *self)
{
  g_return_val_if_fail (NET_SIP_IS_RECEIVE_CHAIN (self), NULL);
  return (const char * const *) self->methods;
}
