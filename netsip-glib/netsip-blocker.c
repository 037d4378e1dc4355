/* netsip-blocker.c: a fixed answer per request method (Net::SIP::Blocker)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-blocker.h"
#include "netsip-local-tag-private.h"
#include "netsip-random-private.h"

/**
 * NetSipBlocker:
 *
 * A [iface@NetSip.Receiver] that answers requests of some methods with a
 * fixed status (Net::SIP::Blocker), e.g. `405 Method Not Allowed` for
 * MESSAGE or SUBSCRIBE, and passes everything else on (returns %FALSE).
 * Put it in front of a proxy or user agent in a [class@NetSip.ReceiveChain].
 *
 * The answer is sent as a UAS would (RFC 3261 §8.2.6): a To tag is added,
 * and a 405 carries an `Allow` header (§21.4.6) naming the methods not
 * blocked of those the library knows. An ACK is never answered (§17); a
 * blocked ACK is consumed silently, and so is the ACK of a blocked INVITE's
 * answer (RFC 3261 §17.2.1): the answer's To tag is computed from the
 * request with a secret of the blocker, which the ACK repeats, so no state
 * is kept.
 *
 * Since: 1.0
 */

typedef struct
{
  guint  code;
  char  *reason;
} Block;

struct _NetSipBlocker
{
  GObject           parent_instance;

  NetSipDispatcher *dispatcher;
  GHashTable       *blocks;      /* upper-case method -> Block */
  GBytes           *secret;      /* signs our To tags */
  guint64           n_blocked;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_N_BLOCKED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void net_sip_blocker_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipBlocker, net_sip_blocker, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_blocker_receiver_init))

static const char * const known_methods[] = {
  "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
  "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", NULL
};

static void
block_free (gpointer data)
{
  Block *b = data;
  g_free (b->reason);
  g_free (b);
}

static void
answer_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("blocker: answer not sent: %s", error->message);
}

static gboolean
net_sip_blocker_receive (NetSipReceiver   *receiver,
                         NetSipMessage    *message,
                         NetSipLeg        *leg,
                         NetSipSourceInfo *source)
{
  NetSipBlocker *self = NET_SIP_BLOCKER (receiver);
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipDeliveryOptions) options = NULL;
  g_autofree char *tag = NULL;
  const char *method;
  Block *b;

  if (!net_sip_message_is_request (message))
    return FALSE;
  method = net_sip_message_get_method (message);
  /* the ACK of our own answer to an INVITE ends here */
  if (g_strcmp0 (method, "ACK") == 0 && net_sip_local_tag_check (self->secret, message))
    return TRUE;
  b = method ? g_hash_table_lookup (self->blocks, method) : NULL;
  if (b == NULL)
    return FALSE;

  self->n_blocked++;
  if (g_str_equal (method, "ACK") || self->dispatcher == NULL)
    return TRUE;

  tag = net_sip_local_tag_new (self->secret, message);
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), b->code, b->reason,
                                              net_sip_message_get_to_tag (message) ? NULL : tag);
  if (b->code == 405)
    {
      g_autoptr(GString) allow = g_string_new (NULL);
      for (guint i = 0; known_methods[i]; i++)
        if (!g_hash_table_contains (self->blocks, known_methods[i]))
          g_string_append_printf (allow, "%s%s", allow->len ? ", " : "", known_methods[i]);
      net_sip_message_set_header (NET_SIP_MESSAGE (response), "Allow", allow->str);
    }
  net_sip_message_set_header (NET_SIP_MESSAGE (response), "Content-Length", "0");
  options = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_leg (options, leg);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), options, NULL,
                                    answer_sent, NULL);
  return TRUE;
}

static void
net_sip_blocker_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_blocker_receive;
}

static void
net_sip_blocker_dispose (GObject *object)
{
  NetSipBlocker *self = NET_SIP_BLOCKER (object);

  g_clear_weak_pointer (&self->dispatcher);
  G_OBJECT_CLASS (net_sip_blocker_parent_class)->dispose (object);
}

static void
net_sip_blocker_finalize (GObject *object)
{
  NetSipBlocker *self = NET_SIP_BLOCKER (object);

  g_hash_table_unref (self->blocks);
  g_bytes_unref (self->secret);
  G_OBJECT_CLASS (net_sip_blocker_parent_class)->finalize (object);
}

static void
net_sip_blocker_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NetSipBlocker *self = NET_SIP_BLOCKER (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;
    case PROP_N_BLOCKED:
      g_value_set_uint64 (value, self->n_blocked);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_blocker_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  NetSipBlocker *self = NET_SIP_BLOCKER (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_set_weak_pointer (&self->dispatcher, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_blocker_class_init (NetSipBlockerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = net_sip_blocker_dispose;
  object_class->finalize = net_sip_blocker_finalize;
  object_class->get_property = net_sip_blocker_get_property;
  object_class->set_property = net_sip_blocker_set_property;

  /**
   * NetSipBlocker:dispatcher:
   *
   * The dispatcher the answers go through (held weakly: the dispatcher
   * usually holds the chain that holds the blocker).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipBlocker:n-blocked:
   *
   * Requests blocked so far (answered or, for ACK, consumed). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_BLOCKED] =
    g_param_spec_uint64 ("n-blocked", NULL, NULL, 0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_blocker_init (NetSipBlocker *self)
{
  self->blocks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, block_free);
  self->secret = net_sip_random_secret_new (32);
}

/**
 * net_sip_blocker_new:
 * @dispatcher: the dispatcher the answers are sent through
 *
 * Creates a blocker (Net::SIP::Blocker) answering through @dispatcher, held weakly.
 *
 * Returns: (transfer full): a blocker that blocks nothing yet
 *
 * Since: 1.0
 */
NetSipBlocker *
net_sip_blocker_new (NetSipDispatcher *dispatcher)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);
  return g_object_new (NET_SIP_TYPE_BLOCKER, "dispatcher", dispatcher, NULL);
}

/**
 * net_sip_blocker_block:
 * @self: a #NetSipBlocker
 * @method: a request method, e.g. "MESSAGE" (case-sensitive, RFC 3261 §7.1)
 * @code: the status to answer with, 300 to 699
 * @reason: (nullable): the reason phrase, or %NULL for the usual one
 *
 * Answers every request of @method with @code from now on (Net::SIP's
 * `block => { METHOD => "code text" }`). Replaces an earlier entry.
 *
 * Since: 1.0
 */
void
net_sip_blocker_block (NetSipBlocker *self,
                       const char    *method,
                       guint          code,
                       const char    *reason)
{
  Block *b;

  g_return_if_fail (NET_SIP_IS_BLOCKER (self));
  g_return_if_fail (method != NULL && *method != '\0');
  g_return_if_fail (code >= 300 && code <= 699);

  b = g_new0 (Block, 1);
  b->code = code;
  b->reason = g_strdup (reason);
  g_hash_table_replace (self->blocks, g_strdup (method), b);
}

/**
 * net_sip_blocker_unblock:
 * @self: a #NetSipBlocker
 * @method: a request method
 *
 * Lets requests of @method through again.
 *
 * Returns: %TRUE if @method was blocked
 *
 * Since: 1.0
 */
gboolean
net_sip_blocker_unblock (NetSipBlocker *self,
                         const char    *method)
{
  g_return_val_if_fail (NET_SIP_IS_BLOCKER (self), FALSE);
  return g_hash_table_remove (self->blocks, method);
}

/**
 * net_sip_blocker_get_code:
 * @self: a #NetSipBlocker
 * @method: a request method
 *
 * Tells how requests of @method are answered.
 *
 * Returns: the status @method is answered with, or 0 when not blocked
 *
 * Since: 1.0
 */
guint
net_sip_blocker_get_code (NetSipBlocker *self,
                          const char    *method)
{
  Block *b;

  g_return_val_if_fail (NET_SIP_IS_BLOCKER (self), 0);
  b = g_hash_table_lookup (self->blocks, method);
  return b ? b->code : 0;
}

/**
 * net_sip_blocker_get_n_blocked:
 * @self: a #NetSipBlocker
 *
 * Counts the requests blocked so far.
 *
 * Returns: [property@NetSip.Blocker:n-blocked]
 *
 * Since: 1.0
 */
guint64
net_sip_blocker_get_n_blocked (NetSipBlocker *self)
{
  g_return_val_if_fail (NET_SIP_IS_BLOCKER (self), 0);
  return self->n_blocked;
}
