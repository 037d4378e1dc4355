/* netsip-dispatcher.c: legs, delivery, transactions (RFC 3261 §17, §18,
 * RFC 3263)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config-private.h"

#include "netsip-transport-private.h"

#include <string.h>

#include "netsip-dispatcher.h"
#include "netsip-dispatcher-private.h"
#include "netsip-delivery-options-private.h"
#include "netsip-transaction-private.h"
#include "netsip-error.h"

/**
 * NetSipDispatcher:
 *
 * Joins legs to the receiver above them (Net::SIP::Dispatcher): it sends
 * messages through the right leg, runs the client and server transactions
 * of RFC 3261 §17 (retransmission, timeouts, the ACK for a non-2xx, the
 * response cache that answers retransmitted requests) and finds where a
 * request goes (RFC 3263, through [class@NetSip.Resolver]).
 *
 * Everything runs on the thread-default #GMainContext of the thread that
 * called net_sip_dispatcher_new(); the dispatcher never iterates it.
 *
 * What reaches the [iface@NetSip.Receiver] and
 * [signal@NetSip.Dispatcher::message-received]:
 *
 * - new requests, including CANCEL, and ACKs that match no transaction
 *   (the ACK for a 2xx belongs to the dialog, RFC 3261 §13.3.1.4);
 * - responses that belong to a client transaction: provisional ones, the
 *   final one, 2xx retransmissions while the INVITE is Accepted (RFC 6026).
 *
 * What the dispatcher handles itself: a retransmitted request gets the
 * last response again (or nothing while the receiver has not answered);
 * the ACK for a non-2xx final response ends the Timer G retransmissions
 * and is absorbed; retransmitted final responses are absorbed (and
 * ACKed again for an INVITE). Responses whose top Via is not one of ours
 * (§18.1.2) or that match no client transaction are dropped and counted in
 * [property@NetSip.Dispatcher:dropped-responses].
 *
 * Since: 1.0
 */

typedef struct _Delivery Delivery;

struct _NetSipDispatcher
{
  GObject          parent_instance;

  GMainContext    *context;
  GPtrArray       *legs;          /* NetSipLeg, owned */
  GArray          *leg_handlers;  /* gulong, same index */
  NetSipReceiver  *receiver;
  NetSipResolver  *resolver;

  char            *outgoing_proxy;
  GHashTable      *domain2proxy;  /* lower-case domain -> proxy */
  gboolean         do_retransmits;
  gboolean         retransmit_2xx;
  guint            t1_ms;
  guint            t2_ms;
  guint            t4_ms;
  guint            max_queue;
  guint            retry_after;

  GHashTable      *client;        /* key -> NetSipTransaction, owned */
  GHashTable      *server;        /* key -> NetSipTransaction, owned */
  GHashTable      *accepted;      /* dialog key -> NetSipTransaction, not owned */
  GHashTable      *deliveries;    /* id -> Delivery, chained by next_same_id, for
                                     ids that are not their transaction's key */
  GHashTable      *resolving;     /* Delivery set: requests without an id yet */
  GHashTable      *timers;        /* GUINT_TO_POINTER (id) -> GSource, owned */

  /* Transaction timers: a binary min-heap of transactions by deadline and
   * one source ready at the root's deadline. A main loop iteration costs
   * one source however many transactions wait (GMainContext walks every
   * attached source on each iteration). */
  GPtrArray       *heap;          /* NetSipTransaction, not owned */
  GSource         *heap_source;

  guint            n_pending_client;  /* deliveries of requests not completed */
  guint            n_pending_server;  /* server transactions without final response */
  guint            n_server;          /* server transactions (some have two keys) */

  guint64          dropped_responses;
  guint64          absorbed_requests;
  guint64          absorbed_acks;
  guint64          unmatched_acks;
  guint64          rejected_requests;
};

/* One call of deliver_async: for a request, possibly several client
 * transactions, one per target (RFC 3263 §4.3). The task data. */
struct _Delivery
{
  NetSipDispatcher   *self;       /* the task's source object holds it */
  GTask              *task;       /* owned until completion */
  char               *id;
  char               *call_id;
  NetSipMessage      *message;
  GPtrArray          *targets;    /* NetSipTarget, when resolved */
  GPtrArray          *legs;       /* NetSipLeg, same index */
  NetSipLeg          *leg;        /* the one next hop when given, instead of */
  GInetSocketAddress *destination;/* the two arrays */
  Delivery           *next_same_id;
  NetSipTransaction  *tx;         /* the current client transaction */
  GError             *last_error;
  NetSipResponse     *last_503;
  GSource            *cancel_source;
  GCancellable       *resolution; /* stops the lookup when the delivery ends */
  guint               index;      /* of the target being tried */
  /* bit fields: a pending delivery's size counts (issue 4: at most 1 KiB
   * per pending client transaction besides the message) */
  guint               stateless : 1;
  guint               via_added : 1;
  guint               registered : 1; /* in self->deliveries */
  guint               counted : 1;    /* in self->n_pending_client */
  guint               resolving : 1;  /* in self->resolving */
  guint               done : 1;
};

G_DEFINE_FINAL_TYPE (NetSipDispatcher, net_sip_dispatcher, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_OUTGOING_PROXY,
  PROP_DO_RETRANSMITS,
  PROP_RETRANSMIT_2XX,
  PROP_DOMAIN2PROXY,
  PROP_T1,
  PROP_T2,
  PROP_T4,
  PROP_MAX_QUEUE,
  PROP_RETRY_AFTER,
  PROP_RESOLVER,
  PROP_RECEIVER,
  PROP_DROPPED_RESPONSES,
  PROP_ABSORBED_REQUESTS,
  PROP_ABSORBED_ACKS,
  PROP_UNMATCHED_ACKS,
  PROP_REJECTED_REQUESTS,
  PROP_N_TRANSACTIONS,
  PROP_N_PENDING,
  N_PROPS
};
static GParamSpec *props[N_PROPS];

enum {
  SIG_MESSAGE_RECEIVED,
  SIG_MESSAGE_SENT,
  SIG_DELIVERY_DONE,
  SIG_DELIVERY_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void start_target (Delivery *d);

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static guint
n_transactions (NetSipDispatcher *self)
{
  return g_hash_table_size (self->client) + self->n_server;
}

/* What max-queue bounds: the work still waiting for an answer */
static guint
n_pending (NetSipDispatcher *self)
{
  return self->n_pending_client + self->n_pending_server;
}

static NetSipTimerValues
timer_values (NetSipDispatcher *self)
{
  NetSipTimerValues t = {
    .t1 = (gint64) self->t1_ms * 1000,
    .t2 = (gint64) self->t2_ms * 1000,
    .t4 = (gint64) self->t4_ms * 1000,
    .retransmit_2xx = self->retransmit_2xx,
  };
  return t;
}

static GInetAddress *address_from_host (const char *host);

/* The number of leading bits @leg's local address shares with @address:
 * 0 for a wildcard leg (0.0.0.0, ::) or a leg bound to a name; one more
 * than the address length for the same address, so an exact match wins
 * over any prefix. */
static guint
leg_match_length (NetSipLeg    *leg,
                  GInetAddress *address)
{
  g_autoptr(GInetAddress) local = address_from_host (net_sip_leg_get_address (leg));
  const guint8 *a, *b;
  gsize len;
  guint bits = 0;

  if (local == NULL || g_inet_address_get_is_any (local) ||
      g_inet_address_get_family (local) != g_inet_address_get_family (address))
    return 0;
  len = g_inet_address_get_native_size (local);
  a = g_inet_address_to_bytes (local);
  b = g_inet_address_to_bytes (address);
  for (gsize i = 0; i < len; i++)
    {
      guint8 x = a[i] ^ b[i];
      if (x == 0)
        {
          bits += 8;
          continue;
        }
      while (!(x & 0x80))
        {
          bits++;
          x <<= 1;
        }
      return bits;
    }
  return bits + 1;
}

/* The leg a message to @address over @transport leaves on: among the legs
 * that can deliver to it (net_sip_leg_can_deliver_to()), the one bound to
 * @address itself, else the one sharing the longest address prefix with
 * it, as a host picks the source address of the route (legs on several
 * subnets, 127.0.0.1 and 127.0.0.2 on loopback); on a tie, the first in
 * the order of @allowed (or the dispatcher's legs). */
static NetSipLeg *
find_leg (NetSipDispatcher *self,
          NetSipTransport   transport,
          GInetAddress     *address,
          GPtrArray        *allowed)
{
  GPtrArray *legs = allowed ? allowed : self->legs;
  NetSipLeg *best = NULL;
  guint best_length = 0;

  for (guint i = 0; i < legs->len; i++)
    {
      NetSipLeg *leg = g_ptr_array_index (legs, i);
      guint length;

      if (!net_sip_leg_can_deliver_to (leg, transport, address))
        continue;
      if (address == NULL)
        return leg;
      length = leg_match_length (leg, address);
      if (best == NULL || length > best_length)
        {
          best = leg;
          best_length = length;
        }
    }
  return best;
}

/* A numeric host (IPv6 with or without brackets) as an address, or NULL */
static GInetAddress *
address_from_host (const char *host)
{
  g_autofree char *bare = NULL;
  gsize len;

  if (host == NULL)
    return NULL;
  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);
  return g_inet_address_new_from_string (host);
}

/* Where a response goes when no server transaction knows (RFC 3261
 * §18.2.2, RFC 3581 §4): maddr, else received with rport or the sent-by
 * port, else the sent-by host if it is numeric. */
static GInetSocketAddress *
response_destination (NetSipMessage    *response,
                      NetSipTransport  *transport,
                      GError          **error)
{
  NetSipVia *via = net_sip_message_get_top_via (response, NULL);
  g_autoptr(GInetAddress) address = NULL;
  const char *host;
  guint16 port;

  if (via == NULL ||
      !net_sip_transport_from_string (net_sip_via_get_transport (via), transport))
    {
      g_set_error_literal (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                           "the response has no usable top Via to send it by");
      return NULL;
    }
  port = net_sip_via_get_port (via);
  if (port == 0)
    port = *transport == NET_SIP_TRANSPORT_TLS ? 5061 : 5060;
  host = net_sip_via_get_param (via, "maddr");
  if (host == NULL)
    {
      host = net_sip_via_get_received (via);
      if (host && net_sip_via_get_rport (via) > 0)
        port = net_sip_via_get_rport (via);
    }
  if (host == NULL)
    host = net_sip_via_get_host (via);
  address = address_from_host (host);
  if (address == NULL)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                   "cannot send a response to Via host '%s': not an IP address", host ? host : "");
      return NULL;
    }
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, port));
}

/* ------------------------------------------------------------------ */
/* Deliveries                                                          */

static void
delivery_free (gpointer data)
{
  Delivery *d = data;

  g_clear_pointer (&d->id, g_ref_string_release);
  g_clear_pointer (&d->call_id, g_ref_string_release);
  g_clear_object (&d->message);
  g_clear_pointer (&d->targets, g_ptr_array_unref);
  g_clear_pointer (&d->legs, g_ptr_array_unref);
  g_clear_object (&d->leg);
  g_clear_object (&d->destination);
  g_clear_object (&d->resolution);
  g_clear_object (&d->tx);
  g_clear_error (&d->last_error);
  g_clear_object (&d->last_503);
  if (d->cancel_source)
    {
      g_source_destroy (d->cancel_source);
      g_source_unref (d->cancel_source);
    }
  g_free (d);
}

static void
delivery_register (Delivery *d)
{
  Delivery *head;

  if (d->registered || d->id == NULL)
    return;
  head = g_hash_table_lookup (d->self->deliveries, d->id);
  if (head)
    {
      /* several deliveries may share an id: chain them after the first */
      d->next_same_id = head->next_same_id;
      head->next_same_id = d;
    }
  else
    g_hash_table_insert (d->self->deliveries, g_ref_string_acquire (d->id), d);
  d->registered = TRUE;
}

static void
delivery_unregister (Delivery *d)
{
  Delivery *head;

  if (!d->registered)
    return;
  d->registered = FALSE;
  head = g_hash_table_lookup (d->self->deliveries, d->id);
  if (head == d)
    {
      if (d->next_same_id)
        g_hash_table_replace (d->self->deliveries, g_ref_string_acquire (d->next_same_id->id),
                              d->next_same_id);
      else
        g_hash_table_remove (d->self->deliveries, d->id);
    }
  else
    {
      for (Delivery *p = head; p; p = p->next_same_id)
        if (p->next_same_id == d)
          {
            p->next_same_id = d->next_same_id;
            break;
          }
    }
  d->next_same_id = NULL;
}

/* The one place a delivery ends: signals, then the task's callback. */
static void
delivery_complete (Delivery       *d,
                   NetSipResponse *response,
                   const GError   *error)
{
  NetSipDispatcher *self = d->self;
  GTask *task;

  if (d->done)
    return;
  d->done = TRUE;
  delivery_unregister (d);
  if (d->resolving)
    {
      d->resolving = FALSE;
      g_hash_table_remove (self->resolving, d);
    }
  /* a DNS lookup still running for it is of no use now */
  if (d->resolution)
    g_cancellable_cancel (d->resolution);
  if (d->counted)
    {
      d->counted = FALSE;
      self->n_pending_client--;
    }
  if (d->tx)
    {
      d->tx->owner = NULL;
      g_clear_object (&d->tx);
    }
  if (d->cancel_source)
    {
      g_source_destroy (d->cancel_source);
      g_clear_pointer (&d->cancel_source, g_source_unref);
    }

  task = g_steal_pointer (&d->task);
  g_object_ref (self);
  if (error)
    {
      g_signal_emit (self, signals[SIG_DELIVERY_FAILED], 0, d->id, error);
      g_task_return_error (task, g_error_copy (error));
    }
  else
    {
      g_signal_emit (self, signals[SIG_DELIVERY_DONE], 0, d->id, response);
      g_task_return_pointer (task, response ? g_object_ref (response) : NULL,
                             g_object_unref);
    }
  g_object_unref (task);
  g_object_unref (self);
}

static void
delivery_cancel (Delivery     *d,
                 const GError *error)
{
  if (d->done)
    return;
  if (d->tx)
    {
      NetSipTransaction *tx = g_object_ref (d->tx);
      tx->owner = NULL;
      net_sip_transaction_terminate (tx);
      g_object_unref (tx);
    }
  delivery_complete (d, NULL, error);
}

static gboolean
on_cancellable_cancelled (GCancellable *cancellable,
                          gpointer      user_data)
{
  Delivery *d = user_data;
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                 "the delivery was cancelled");
  delivery_cancel (d, error);
  return G_SOURCE_REMOVE;
}

/* ------------------------------------------------------------------ */
/* Transaction timers                                                  */

#define HEAP_AT(self, i) ((NetSipTransaction *) g_ptr_array_index ((self)->heap, (i)))

static void
heap_set (NetSipDispatcher  *self,
          guint              i,
          NetSipTransaction *tx)
{
  self->heap->pdata[i] = tx;
  tx->heap_index = i;
}

static void
heap_sift_up (NetSipDispatcher *self,
              guint             i)
{
  NetSipTransaction *tx = HEAP_AT (self, i);

  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      if (HEAP_AT (self, parent)->deadline <= tx->deadline)
        break;
      heap_set (self, i, HEAP_AT (self, parent));
      i = parent;
    }
  heap_set (self, i, tx);
}

static void
heap_sift_down (NetSipDispatcher *self,
                guint             i)
{
  NetSipTransaction *tx = HEAP_AT (self, i);
  guint n = self->heap->len;

  for (;;)
    {
      guint child = 2 * i + 1;
      if (child >= n)
        break;
      if (child + 1 < n && HEAP_AT (self, child + 1)->deadline < HEAP_AT (self, child)->deadline)
        child++;
      if (tx->deadline <= HEAP_AT (self, child)->deadline)
        break;
      heap_set (self, i, HEAP_AT (self, child));
      i = child;
    }
  heap_set (self, i, tx);
}

static void
heap_remove (NetSipDispatcher  *self,
             NetSipTransaction *tx)
{
  guint i = tx->heap_index;
  NetSipTransaction *last = g_ptr_array_steal_index_fast (self->heap, self->heap->len - 1);

  tx->heap_index = -1;
  if (last == tx)
    return;
  heap_set (self, i, last);
  heap_sift_down (self, i);
  heap_sift_up (self, last->heap_index);
}

static void
heap_source_arm (NetSipDispatcher *self)
{
  if (self->heap_source)
    g_source_set_ready_time (self->heap_source,
                             self->heap->len ? HEAP_AT (self, 0)->deadline : -1);
}

void
net_sip_dispatcher_schedule (NetSipDispatcher  *self,
                             NetSipTransaction *transaction,
                             gint64             deadline)
{
  if (deadline < 0)
    {
      if (transaction->heap_index >= 0)
        heap_remove (self, transaction);
    }
  else if (transaction->heap_index < 0)
    {
      transaction->deadline = deadline;
      g_ptr_array_add (self->heap, transaction);
      transaction->heap_index = self->heap->len - 1;
      heap_sift_up (self, transaction->heap_index);
    }
  else if (deadline != transaction->deadline)
    {
      gboolean earlier = deadline < transaction->deadline;
      transaction->deadline = deadline;
      if (earlier)
        heap_sift_up (self, transaction->heap_index);
      else
        heap_sift_down (self, transaction->heap_index);
    }
  heap_source_arm (self);
}

typedef struct
{
  GSource           source;
  NetSipDispatcher *dispatcher;   /* not owned: destroyed in dispose */
} HeapSource;

static gboolean
heap_source_dispatch (GSource     *source,
                      GSourceFunc  callback,
                      gpointer     user_data)
{
  NetSipDispatcher *self = ((HeapSource *) source)->dispatcher;
  gint64 now = g_source_get_time (source);

  g_object_ref (self);
  /* Everything due now, earliest first. A transaction is out of the heap
   * while it runs and puts itself back for its next deadline, which is
   * always later than now, so this ends. */
  while (self->heap_source && self->heap->len > 0 && HEAP_AT (self, 0)->deadline <= now)
    {
      NetSipTransaction *tx = g_object_ref (HEAP_AT (self, 0));
      heap_remove (self, tx);
      net_sip_transaction_fire (tx, now);
      g_object_unref (tx);
    }
  heap_source_arm (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs heap_source_funcs = {
  .dispatch = heap_source_dispatch,
};

/* ------------------------------------------------------------------ */
/* Hooks for transactions (netsip-dispatcher-private.h)                */

GMainContext *
net_sip_dispatcher_get_context (NetSipDispatcher *self)
{
  return self->context;
}

typedef struct
{
  NetSipDispatcher  *self;
  NetSipTransaction *tx;
  GTask             *task;
} SendData;

static void
send_done (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  SendData *sd = user_data;
  g_autoptr(GError) error = NULL;

  net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &error);
  if (error)
    g_debug ("send failed: %s", error->message);
  if (sd->task)
    {
      Delivery *d = g_task_get_task_data (sd->task);
      delivery_complete (d, NULL, error);
    }
  else if (sd->tx)
    net_sip_transaction_sent (sd->tx, error);

  g_clear_object (&sd->tx);
  g_clear_object (&sd->task);
  g_object_unref (sd->self);
  g_free (sd);
}

/* An ICMP error for a datagram a leg sent (RFC 3261 §18.4): the client
 * transactions that sent to that address and heard nothing back yet fail
 * with it now, so their delivery moves on to the next target (RFC 3263
 * §4.3) instead of waiting for Timer B or F. A transaction that got a
 * response knows its peer is there and ignores it. */
static void
on_leg_send_failed (NetSipLeg          *leg,
                    GInetSocketAddress *destination,
                    const GError       *error,
                    gpointer            user_data)
{
  NetSipDispatcher *self = user_data;
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_object_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->client);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      NetSipTransaction *tx = value;
      if (tx->leg == leg && tx->remote && tx->last_response == NULL &&
          (tx->state == NET_SIP_TRANSACTION_STATE_CALLING || tx->state == NET_SIP_TRANSACTION_STATE_TRYING) &&
          net_sip_socket_address_equal (tx->remote, destination))
        g_ptr_array_add (failed, g_object_ref (tx));
    }
  /* outside the iteration: failing one changes the table */
  for (guint i = 0; i < failed->len; i++)
    net_sip_transaction_sent (g_ptr_array_index (failed, i), error);
}

void
net_sip_dispatcher_send (NetSipDispatcher   *self,
                         NetSipTransaction  *transaction,
                         NetSipMessage      *message,
                         NetSipLeg          *leg,
                         GInetSocketAddress *destination,
                         guint               attempt,
                         GTask              *task)
{
  SendData *sd;

  if (g_signal_has_handler_pending (self, signals[SIG_MESSAGE_SENT], 0, FALSE))
    g_signal_emit (self, signals[SIG_MESSAGE_SENT], 0, message, leg, destination,
                   transaction, attempt, g_get_monotonic_time ());

  sd = g_new0 (SendData, 1);
  sd->self = g_object_ref (self);
  sd->tx = transaction ? g_object_ref (transaction) : NULL;
  sd->task = task ? g_object_ref (task) : NULL;
  net_sip_leg_deliver_async (leg, message, destination, NULL, send_done, sd);
}

void
net_sip_dispatcher_pass_up (NetSipDispatcher *self,
                            NetSipMessage    *message,
                            NetSipLeg        *leg,
                            NetSipSourceInfo *source)
{
  g_autoptr(NetSipReceiver) receiver = self->receiver ? g_object_ref (self->receiver) : NULL;

  g_signal_emit (self, signals[SIG_MESSAGE_RECEIVED], 0, message, leg, source);
  /* the top receiver's verdict has no one to go to: what it leaves
   * unhandled a stateful server transaction ends by itself (Timer J/H) */
  if (receiver)
    (void) net_sip_receiver_receive (receiver, message, leg, source);
}

gboolean
net_sip_dispatcher_transaction_finished (NetSipDispatcher  *self,
                                         NetSipTransaction *transaction,
                                         NetSipResponse    *response,
                                         const GError      *error)
{
  Delivery *d = transaction->owner;
  gboolean failover;

  if (d == NULL || d->done)
    return response != NULL;

  /* RFC 3263 §4.3: a transport error or a timeout moves on to the next
   * target, and so does a 503 (RFC 3261 §21.5.4 asks the client to try
   * elsewhere). */
  failover = d->targets && d->index + 1 < d->targets->len &&
             (error != NULL || (response && net_sip_response_get_code (response) == 503));
  if (failover)
    {
      g_clear_error (&d->last_error);
      g_clear_object (&d->last_503);
      if (error)
        d->last_error = g_error_copy (error);
      else
        d->last_503 = g_object_ref (response);
      transaction->owner = NULL;
      g_clear_object (&d->tx);
      d->index++;
      start_target (d);
      return FALSE;
    }

  delivery_complete (d, response, error);
  return response != NULL;
}

void
net_sip_dispatcher_transaction_failed (NetSipDispatcher  *self,
                                       NetSipTransaction *transaction,
                                       const GError      *error)
{
  g_signal_emit (self, signals[SIG_DELIVERY_FAILED], 0, transaction->id, error);
}

void
net_sip_dispatcher_transaction_settled (NetSipDispatcher  *self,
                                        NetSipTransaction *transaction)
{
  if (!transaction->pending)
    return;
  transaction->pending = FALSE;
  self->n_pending_server--;
}

/* Call-ID|CSeq number|To tag: what ties the ACK for a 2xx (a new
 * transaction, §17.1.1.3) to the INVITE (§13.2.2.4) */
static char *
dialog_key (NetSipMessage *message)
{
  const char *call_id = net_sip_message_get_call_id (message);
  const char *to_tag = net_sip_message_get_to_tag (message);
  guint32 cseq;

  if (call_id == NULL || to_tag == NULL || !net_sip_message_get_cseq (message, &cseq, NULL, NULL))
    return NULL;
  return g_strdup_printf ("%s|%u|%s", call_id, cseq, to_tag);
}

void
net_sip_dispatcher_transaction_accepted (NetSipDispatcher  *self,
                                         NetSipTransaction *transaction)
{
  if (transaction->dialog_key == NULL)
    transaction->dialog_key = dialog_key (NET_SIP_MESSAGE (transaction->last_response));
  if (transaction->dialog_key)
    g_hash_table_replace (self->accepted, transaction->dialog_key, transaction);
}

void
net_sip_dispatcher_transaction_terminated (NetSipDispatcher  *self,
                                           NetSipTransaction *transaction)
{
  GHashTable *table;
  gboolean server = transaction->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE ||
                    transaction->kind == NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE;

  net_sip_dispatcher_transaction_settled (self, transaction);
  if (transaction->dialog_key &&
      g_hash_table_lookup (self->accepted, transaction->dialog_key) == transaction)
    g_hash_table_remove (self->accepted, transaction->dialog_key);
  table = server ? self->server : self->client;
  g_object_ref (transaction);
  if (transaction->response_key &&
      g_hash_table_lookup (table, transaction->response_key) == transaction)
    g_hash_table_remove (table, transaction->response_key);
  if (transaction->key && g_hash_table_lookup (table, transaction->key) == transaction)
    {
      g_hash_table_remove (table, transaction->key);
      if (server)
        self->n_server--;
    }
  g_object_unref (transaction);
}

void
net_sip_dispatcher_count_absorbed (NetSipDispatcher *self,
                                   gboolean          ack)
{
  if (ack)
    self->absorbed_acks++;
  else
    self->absorbed_requests++;
}

/* ------------------------------------------------------------------ */
/* Receiving                                                           */

/* Past max-queue: 503 with Retry-After, sent without a transaction
 * (RFC 3261 §21.5.4) */
static void
reject_request (NetSipDispatcher *self,
                NetSipMessage    *request,
                NetSipLeg        *leg,
                GInetSocketAddress *remote)
{
  g_autoptr(NetSipResponse) response = NULL;
  char retry[16];

  self->rejected_requests++;
  response = net_sip_request_create_response (NET_SIP_REQUEST (request), 503, NULL, NULL);
  g_snprintf (retry, sizeof retry, "%u", self->retry_after);
  net_sip_message_set_header (NET_SIP_MESSAGE (response), "Retry-After", retry);
  net_sip_dispatcher_send (self, NULL, NET_SIP_MESSAGE (response), leg, remote, 0, NULL);
}

/* Where responses to a received request go: the connection over TCP/TLS,
 * the source address over UDP (the leg marks received and rport, RFC 3581)
 * unless the Via names a maddr. */
static GInetSocketAddress *
request_remote (NetSipMessage    *request,
                NetSipLeg        *leg,
                NetSipSourceInfo *source)
{
  GInetSocketAddress *remote = net_sip_source_info_get_remote_address (source);
  NetSipVia *via;

  if (net_sip_leg_get_protocol (leg) == NET_SIP_TRANSPORT_UDP &&
      (via = net_sip_message_get_top_via (request, NULL)) != NULL &&
      net_sip_via_get_param (via, "maddr") != NULL)
    {
      NetSipTransport transport;
      GInetSocketAddress *dest = response_destination (request, &transport, NULL);
      if (dest)
        return dest;
    }
  return g_object_ref (remote);
}

static void
handle_request (NetSipDispatcher *self,
                NetSipLeg        *leg,
                NetSipMessage    *request,
                NetSipSourceInfo *source)
{
  const char *key = net_sip_message_get_tid (request);
  gboolean is_ack = g_strcmp0 (net_sip_message_get_method (request), "ACK") == 0;
  g_autoptr(GInetSocketAddress) remote = NULL;
  NetSipTimerValues t;
  NetSipTransaction *tx;

  if (key == NULL)
    {
      g_debug ("dropping a request without a valid Via or CSeq");
      return;
    }

  /* A stateless element (do-retransmits off, a stateless proxy, §16.11)
   * keeps no server transactions: a retransmitted request must reach it so
   * that it is forwarded again. */
  if (!self->do_retransmits)
    {
      net_sip_dispatcher_pass_up (self, request, leg, source);
      return;
    }

  /* §17.2.3: a retransmission or the ACK for a non-2xx */
  tx = g_hash_table_lookup (self->server, key);
  if (tx)
    {
      gboolean up;

      g_object_ref (tx);
      up = net_sip_transaction_receive_request (tx, request, source);
      if (up)
        net_sip_dispatcher_pass_up (self, request, leg, source);
      g_object_unref (tx);
      return;
    }

  if (is_ack)
    {
      /* the ACK for a 2xx: the dialog's business; it ends the 2xx
       * retransmissions we do for the UAS core (§13.3.1.4) */
      g_autofree char *dkey = g_hash_table_size (self->accepted) ? dialog_key (request) : NULL;
      NetSipTransaction *accepted = dkey ? g_hash_table_lookup (self->accepted, dkey) : NULL;

      if (accepted)
        net_sip_transaction_acked (accepted);
      self->unmatched_acks++;
      net_sip_dispatcher_pass_up (self, request, leg, source);
      return;
    }

  remote = request_remote (request, leg, source);
  if (n_pending (self) >= self->max_queue)
    {
      g_debug ("%u transactions pending (max-queue): answering 503", n_pending (self));
      reject_request (self, request, leg, remote);
      return;
    }

  t = timer_values (self);
  tx = net_sip_transaction_new_server (self, request, leg, source, remote, &t);
  g_hash_table_insert (self->server, tx->key, tx);
  self->n_server++;
  /* An RFC 2543 key holds the Request-URI, which a response lacks: the
   * transaction is found for the TU's response under the key without it. */
  if (g_str_has_prefix (tx->key, "2543|") && strchr (tx->key + 5, '|'))
    {
      tx->response_key = g_strconcat ("2543|", strchr (tx->key + 5, '|'), NULL);
      g_hash_table_replace (self->server, tx->response_key, g_object_ref (tx));
    }
  self->n_pending_server++;
  net_sip_dispatcher_pass_up (self, request, leg, source);
}

static void
handle_response (NetSipDispatcher *self,
                 NetSipLeg        *leg,
                 NetSipMessage    *response,
                 NetSipSourceInfo *source)
{
  const char *key = net_sip_message_get_tid (response);
  NetSipTransaction *tx = key ? g_hash_table_lookup (self->client, key) : NULL;

  /* A stateless element (do-retransmits off: a stateless proxy, RFC 3261
   * §16.11) keeps no state for what it forwarded: a response whose top Via
   * is one of our legs' goes up even when no entry is left (a 200 to an
   * INVITE that rang longer than 64*T1); the receiver routes it by the
   * next Via (§16.7). */
  if (tx == NULL && !self->do_retransmits)
    {
      for (guint i = 0; i < self->legs->len; i++)
        if (net_sip_leg_check_via (g_ptr_array_index (self->legs, i), response))
          {
            net_sip_dispatcher_pass_up (self, response, leg, source);
            return;
          }
    }

  /* §17.1.3 (branch and CSeq method in the key) and §18.1.2 (the top Via
   * is the one our leg put there) */
  if (tx == NULL || !net_sip_leg_check_via (tx->leg, response))
    {
      self->dropped_responses++;
      g_debug ("dropping a response that matches no client transaction: %s",
               key ? key : "(no Via or CSeq)");
      return;
    }
  g_object_ref (tx);
  net_sip_transaction_receive_response (tx, NET_SIP_RESPONSE (response), source);
  g_object_unref (tx);
}

static void
on_leg_message_received (NetSipLeg        *leg,
                         NetSipMessage    *message,
                         NetSipSourceInfo *source,
                         gpointer          user_data)
{
  NetSipDispatcher *self = user_data;

  g_object_ref (self);
  if (net_sip_message_is_request (message))
    handle_request (self, leg, message, source);
  else
    handle_response (self, leg, message, source);
  g_object_unref (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
terminate_all (GHashTable *table)
{
  GHashTableIter iter;
  gpointer value;
  g_autoptr(GPtrArray) all = g_ptr_array_new_with_free_func (g_object_unref);

  g_hash_table_iter_init (&iter, table);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, g_object_ref (value));
  for (guint i = 0; i < all->len; i++)
    {
      NetSipTransaction *tx = g_ptr_array_index (all, i);
      tx->dispatcher = NULL;
      net_sip_transaction_terminate (tx);
    }
  g_hash_table_remove_all (table);
}

static void
net_sip_dispatcher_dispose (GObject *object)
{
  NetSipDispatcher *self = NET_SIP_DISPATCHER (object);

  /* Pending deliveries hold a reference through their task, so this runs
   * with some only after g_object_run_dispose(). */
  if (self->deliveries && self->n_pending_client > 0)
    {
      g_autoptr(GError) error = g_error_new_literal (NET_SIP_TRANSACTION_ERROR,
                                                     NET_SIP_TRANSACTION_ERROR_CANCELLED,
                                                     "the dispatcher was disposed");
      g_autoptr(GPtrArray) all = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer value;

      g_hash_table_iter_init (&iter, self->deliveries);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        for (Delivery *d = value; d; d = d->next_same_id)
          g_ptr_array_add (all, d);
      g_hash_table_iter_init (&iter, self->resolving);
      while (g_hash_table_iter_next (&iter, &value, NULL))
        g_ptr_array_add (all, value);
      g_hash_table_iter_init (&iter, self->client);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          Delivery *d = ((NetSipTransaction *) value)->owner;
          if (d && !d->done && !d->registered)
            g_ptr_array_add (all, d);
        }
      for (guint i = 0; i < all->len; i++)
        delivery_cancel (g_ptr_array_index (all, i), error);
    }
  if (self->heap_source)
    {
      g_source_destroy (self->heap_source);
      g_clear_pointer (&self->heap_source, g_source_unref);
    }
  if (self->heap)
    {
      for (guint i = 0; i < self->heap->len; i++)
        HEAP_AT (self, i)->heap_index = -1;
      g_ptr_array_set_size (self->heap, 0);
    }
  if (self->accepted)
    g_hash_table_remove_all (self->accepted);
  if (self->client)
    terminate_all (self->client);
  if (self->server)
    terminate_all (self->server);
  self->n_server = 0;
  if (self->timers)
    {
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, self->timers);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        g_source_destroy (value);
      g_hash_table_remove_all (self->timers);
    }
  if (self->legs)
    {
      for (guint i = 0; i < self->legs->len; i++)
        {
          g_signal_handler_disconnect (g_ptr_array_index (self->legs, i),
                                       g_array_index (self->leg_handlers, gulong, i));
          g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->legs, i), on_leg_send_failed, self);
        }
      g_ptr_array_set_size (self->legs, 0);
      g_array_set_size (self->leg_handlers, 0);
    }
  g_clear_object (&self->receiver);
  g_clear_object (&self->resolver);
  G_OBJECT_CLASS (net_sip_dispatcher_parent_class)->dispose (object);
}

static void
net_sip_dispatcher_finalize (GObject *object)
{
  NetSipDispatcher *self = NET_SIP_DISPATCHER (object);

  g_clear_pointer (&self->legs, g_ptr_array_unref);
  g_clear_pointer (&self->leg_handlers, g_array_unref);
  g_clear_pointer (&self->client, g_hash_table_unref);
  g_clear_pointer (&self->server, g_hash_table_unref);
  g_clear_pointer (&self->accepted, g_hash_table_unref);
  g_clear_pointer (&self->resolving, g_hash_table_unref);
  g_clear_pointer (&self->heap, g_ptr_array_unref);
  g_clear_pointer (&self->deliveries, g_hash_table_unref);
  g_clear_pointer (&self->timers, g_hash_table_unref);
  g_clear_pointer (&self->domain2proxy, g_hash_table_unref);
  g_free (self->outgoing_proxy);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (net_sip_dispatcher_parent_class)->finalize (object);
}

static GHashTable *
copy_domain2proxy (NetSipDispatcher *self)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  g_hash_table_iter_init (&iter, self->domain2proxy);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));
  return copy;
}

static void
net_sip_dispatcher_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  NetSipDispatcher *self = NET_SIP_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_OUTGOING_PROXY:
      g_value_set_string (value, self->outgoing_proxy);
      break;
    case PROP_DO_RETRANSMITS:
      g_value_set_boolean (value, self->do_retransmits);
      break;
    case PROP_RETRANSMIT_2XX:
      g_value_set_boolean (value, self->retransmit_2xx);
      break;
    case PROP_DOMAIN2PROXY:
      g_value_take_boxed (value, copy_domain2proxy (self));
      break;
    case PROP_T1:
      g_value_set_uint (value, self->t1_ms);
      break;
    case PROP_T2:
      g_value_set_uint (value, self->t2_ms);
      break;
    case PROP_T4:
      g_value_set_uint (value, self->t4_ms);
      break;
    case PROP_MAX_QUEUE:
      g_value_set_uint (value, self->max_queue);
      break;
    case PROP_RETRY_AFTER:
      g_value_set_uint (value, self->retry_after);
      break;
    case PROP_RESOLVER:
      g_value_set_object (value, self->resolver);
      break;
    case PROP_RECEIVER:
      g_value_set_object (value, self->receiver);
      break;
    case PROP_DROPPED_RESPONSES:
      g_value_set_uint64 (value, self->dropped_responses);
      break;
    case PROP_ABSORBED_REQUESTS:
      g_value_set_uint64 (value, self->absorbed_requests);
      break;
    case PROP_ABSORBED_ACKS:
      g_value_set_uint64 (value, self->absorbed_acks);
      break;
    case PROP_UNMATCHED_ACKS:
      g_value_set_uint64 (value, self->unmatched_acks);
      break;
    case PROP_REJECTED_REQUESTS:
      g_value_set_uint64 (value, self->rejected_requests);
      break;
    case PROP_N_TRANSACTIONS:
      g_value_set_uint (value, n_transactions (self));
      break;
    case PROP_N_PENDING:
      g_value_set_uint (value, n_pending (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint (NetSipDispatcher *self,
          guint            *field,
          guint             value,
          guint             prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
net_sip_dispatcher_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  NetSipDispatcher *self = NET_SIP_DISPATCHER (object);

  switch (prop_id)
    {
    case PROP_OUTGOING_PROXY:
      if (g_strcmp0 (self->outgoing_proxy, g_value_get_string (value)) != 0)
        {
          g_free (self->outgoing_proxy);
          self->outgoing_proxy = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DO_RETRANSMITS:
      if (self->do_retransmits != g_value_get_boolean (value))
        {
          self->do_retransmits = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_RETRANSMIT_2XX:
      if (self->retransmit_2xx != g_value_get_boolean (value))
        {
          self->retransmit_2xx = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_DOMAIN2PROXY:
      {
        GHashTable *table = g_value_get_boxed (value);
        GHashTableIter iter;
        gpointer k, v;

        g_hash_table_remove_all (self->domain2proxy);
        if (table)
          {
            g_hash_table_iter_init (&iter, table);
            while (g_hash_table_iter_next (&iter, &k, &v))
              if (k && v)
                g_hash_table_insert (self->domain2proxy, g_ascii_strdown (k, -1), g_strdup (v));
          }
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_T1:
      set_uint (self, &self->t1_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_T2:
      set_uint (self, &self->t2_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_T4:
      set_uint (self, &self->t4_ms, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_QUEUE:
      set_uint (self, &self->max_queue, g_value_get_uint (value), prop_id);
      break;
    case PROP_RETRY_AFTER:
      set_uint (self, &self->retry_after, g_value_get_uint (value), prop_id);
      break;
    case PROP_RESOLVER:
      if (g_set_object (&self->resolver, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_RECEIVER:
      net_sip_dispatcher_set_receiver (self, g_value_get_object (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_dispatcher_class_init (NetSipDispatcherClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = net_sip_dispatcher_dispose;
  object_class->finalize = net_sip_dispatcher_finalize;
  object_class->get_property = net_sip_dispatcher_get_property;
  object_class->set_property = net_sip_dispatcher_set_property;

  /**
   * NetSipDispatcher:outgoing-proxy:
   *
   * The next hop for every request that has no `maddr` and no
   * [property@NetSip.Dispatcher:domain2proxy] entry: `host`, `host:port`,
   * `udp:host:port` (also `tcp:`, `tls:`; IPv6 in brackets) or a SIP URI.
   * A host name is resolved with RFC 3263. %NULL for none.
   *
   * Since: 1.0
   */
  props[PROP_OUTGOING_PROXY] =
    g_param_spec_string ("outgoing-proxy", NULL, NULL, NULL, rw);

  /**
   * NetSipDispatcher:do-retransmits:
   *
   * Whether the dispatcher keeps transactions (RFC 3261 §17). %TRUE: a
   * request runs a client transaction (retransmission, timeout, final
   * response) and a received request a server transaction (response
   * cache). %FALSE, for a stateless proxy (§16.11): a request is sent once
   * and its delivery ends when it is sent, without any entry kept for it
   * (responses whose top Via is one of our legs' reach the receiver), and
   * every received request, retransmissions included, goes to the
   * receiver. A delivery that sets do-retransmits %FALSE on a dispatcher
   * that keeps transactions gets an entry for 64*T1 instead, which lets
   * its responses through. [struct@NetSip.DeliveryOptions] can
   * override it for one delivery.
   *
   * Since: 1.0
   */
  props[PROP_DO_RETRANSMITS] =
    g_param_spec_boolean ("do-retransmits", NULL, NULL, TRUE, rw);

  /**
   * NetSipDispatcher:retransmit-2xx:
   *
   * Whether a 2xx response to a received INVITE is retransmitted until the
   * ACK arrives, at T1 doubling up to T2 and for at most 64*T1, over any
   * transport: the duty of a UAS core (RFC 3261 §13.3.1.4), which the
   * dispatcher takes on for a user agent. The ACK is matched by Call-ID,
   * CSeq number and To tag and still reaches the receiver. Without an ACK
   * in time [signal@NetSip.Dispatcher::delivery-failed] reports
   * %NET_SIP_TRANSACTION_ERROR_TIMEOUT with the transaction key. Leave it
   * off in a proxy, which forwards 2xx retransmissions instead (§16.7).
   * The server transaction itself never retransmits a 2xx (RFC 6026 §8.5).
   *
   * Since: 1.0
   */
  props[PROP_RETRANSMIT_2XX] =
    g_param_spec_boolean ("retransmit-2xx", NULL, NULL, FALSE, rw);

  /**
   * NetSipDispatcher:domain2proxy: (type GLib.HashTable(utf8,utf8))
   *
   * Proxies by SIP domain of the next-hop URI: a key `example.com` matches
   * that domain, `*.example.com` the domain and all its subdomains, `*`
   * any domain. Values are written like
   * [property@NetSip.Dispatcher:outgoing-proxy]. The most specific key
   * wins: exact, then the longest `*.` suffix, then `*`.
   *
   * Since: 1.0
   */
  props[PROP_DOMAIN2PROXY] =
    g_param_spec_boxed ("domain2proxy", NULL, NULL, G_TYPE_HASH_TABLE, rw);

  /**
   * NetSipDispatcher:t1:
   *
   * T1 in milliseconds: the round-trip estimate (RFC 3261 §17.1.1.1),
   * first retransmission interval; 64*T1 is the transaction timeout.
   * Applies to transactions started after the change.
   *
   * Since: 1.0
   */
  props[PROP_T1] =
    g_param_spec_uint ("t1", NULL, NULL, 1, 3600 * 1000, 500, rw);

  /**
   * NetSipDispatcher:t2:
   *
   * T2 in milliseconds: the longest retransmission interval for non-INVITE
   * requests and INVITE responses (RFC 3261 §17.1.2.2, §17.2.1).
   *
   * Since: 1.0
   */
  props[PROP_T2] =
    g_param_spec_uint ("t2", NULL, NULL, 1, 3600 * 1000, 4000, rw);

  /**
   * NetSipDispatcher:t4:
   *
   * T4 in milliseconds: how long a message stays in the network (RFC 3261
   * §17.1.2.2), Timers I and K over UDP.
   *
   * Since: 1.0
   */
  props[PROP_T4] =
    g_param_spec_uint ("t4", NULL, NULL, 0, 3600 * 1000, 5000, rw);

  /**
   * NetSipDispatcher:max-queue:
   *
   * The most pending work the dispatcher takes
   * ([property@NetSip.Dispatcher:n-pending]): deliveries of requests
   * waiting for a final response plus received requests not answered
   * finally yet. Transactions that only keep a final response for
   * retransmissions (Timers D, J, K, I, L, M) do not count. Past it a new
   * incoming request gets `503 Service Unavailable` with
   * [property@NetSip.Dispatcher:retry-after] and a new local request fails
   * with %NET_SIP_TRANSACTION_ERROR_QUEUE_FULL; responses, ACKs and
   * retransmissions of live transactions go on as before.
   *
   * Since: 1.0
   */
  props[PROP_MAX_QUEUE] =
    g_param_spec_uint ("max-queue", NULL, NULL, 0, G_MAXUINT, 10000, rw);

  /**
   * NetSipDispatcher:retry-after:
   *
   * The Retry-After value in seconds of the 503 sent past
   * [property@NetSip.Dispatcher:max-queue].
   *
   * Since: 1.0
   */
  props[PROP_RETRY_AFTER] =
    g_param_spec_uint ("retry-after", NULL, NULL, 0, 86400, 5, rw);

  /**
   * NetSipDispatcher:resolver:
   *
   * The RFC 3263 resolver for host names; one with the default #GResolver
   * is made on first use when none is set.
   *
   * Since: 1.0
   */
  props[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL, NET_SIP_TYPE_RESOLVER, rw);

  /**
   * NetSipDispatcher:receiver:
   *
   * The receiver of incoming messages, see
   * [method@NetSip.Dispatcher.set_receiver].
   *
   * Since: 1.0
   */
  props[PROP_RECEIVER] =
    g_param_spec_object ("receiver", NULL, NULL, NET_SIP_TYPE_RECEIVER, rw);

  /**
   * NetSipDispatcher:dropped-responses:
   *
   * Responses dropped because they matched no client transaction or their
   * top Via was not one of ours (RFC 3261 §17.1.3, §18.1.2). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_DROPPED_RESPONSES] =
    g_param_spec_uint64 ("dropped-responses", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * NetSipDispatcher:absorbed-requests:
   *
   * Retransmitted requests that a server transaction answered with its
   * last response or absorbed, without the receiver seeing them. Not
   * notified.
   *
   * Since: 1.0
   */
  props[PROP_ABSORBED_REQUESTS] =
    g_param_spec_uint64 ("absorbed-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * NetSipDispatcher:absorbed-acks:
   *
   * ACKs for non-2xx final responses absorbed by server INVITE
   * transactions (RFC 3261 §17.2.1). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_ABSORBED_ACKS] =
    g_param_spec_uint64 ("absorbed-acks", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * NetSipDispatcher:unmatched-acks:
   *
   * ACKs that matched no transaction: ACKs for 2xx responses, passed to
   * the receiver (RFC 3261 §17.2.3, §13.3.1.4). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_UNMATCHED_ACKS] =
    g_param_spec_uint64 ("unmatched-acks", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * NetSipDispatcher:rejected-requests:
   *
   * New requests answered with 503 past
   * [property@NetSip.Dispatcher:max-queue]. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_REJECTED_REQUESTS] =
    g_param_spec_uint64 ("rejected-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  /**
   * NetSipDispatcher:n-transactions:
   *
   * Live client and server transactions, in all states before Terminated.
   * Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_TRANSACTIONS] =
    g_param_spec_uint ("n-transactions", NULL, NULL, 0, G_MAXUINT, 0, ro);

  /**
   * NetSipDispatcher:n-pending:
   *
   * What [property@NetSip.Dispatcher:max-queue] bounds: deliveries of
   * requests waiting for their final response, and received requests the
   * receiver has not answered finally yet. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_PENDING] =
    g_param_spec_uint ("n-pending", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipDispatcher::message-received:
   * @self: the dispatcher
   * @message: the request or response
   * @leg: the leg it came in on
   * @source: where it came from
   *
   * Emitted for each message the dispatcher passes up, just before the
   * [iface@NetSip.Receiver] gets it: new requests, ACKs matching no
   * transaction, responses of client transactions. Not for what the
   * transactions absorb.
   *
   * Since: 1.0
   */
  signals[SIG_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 3,
                  NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_LEG, NET_SIP_TYPE_SOURCE_INFO);

  /**
   * NetSipDispatcher::message-sent:
   * @self: the dispatcher
   * @message: the message handed to the leg
   * @leg: the leg
   * @destination: where it goes
   * @transaction: (nullable): the transaction that sends it, %NULL for a
   *   stateless send (an ACK for a 2xx, a response outside a transaction,
   *   a 503 past max-queue)
   * @attempt: 0 for the first send of @message in @transaction, then 1, 2,
   *   ... for each retransmission (Timer A, E, G; an ACK sent again for a
   *   retransmitted final response; a cached response sent again for a
   *   retransmitted request)
   * @time_us: g_get_monotonic_time() when the message was handed to the
   *   leg, in microseconds
   *
   * Emitted each time the dispatcher hands a message to a leg. Tests check
   * retransmission times against the timers with it: for a client INVITE
   * over UDP the sends are at 0, T1, 3*T1, 7*T1, ... after the first.
   *
   * Since: 1.0
   */
  signals[SIG_MESSAGE_SENT] =
    g_signal_new ("message-sent", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 6,
                  NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_LEG, G_TYPE_INET_SOCKET_ADDRESS,
                  NET_SIP_TYPE_TRANSACTION, G_TYPE_UINT, G_TYPE_INT64);

  /**
   * NetSipDispatcher::delivery-done:
   * @self: the dispatcher
   * @id: the delivery id
   * @response: (nullable): the final response of a request, %NULL for a
   *   response or ACK (sent) or a request sent without retransmission
   *
   * Emitted when a [method@NetSip.Dispatcher.deliver_async] succeeds, just
   * before its callback.
   *
   * Since: 1.0
   */
  signals[SIG_DELIVERY_DONE] =
    g_signal_new ("delivery-done", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, NET_SIP_TYPE_RESPONSE);

  /**
   * NetSipDispatcher::delivery-failed:
   * @self: the dispatcher
   * @id: the delivery id, or the key of a server transaction
   * @error: what went wrong
   *
   * Emitted when a delivery fails (just before its callback) and when a
   * server transaction gives up: Timer H without ACK, or the receiver
   * never answered.
   *
   * Since: 1.0
   */
  signals[SIG_DELIVERY_FAILED] =
    g_signal_new ("delivery-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_ERROR);
}

static void
net_sip_dispatcher_init (NetSipDispatcher *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->legs = g_ptr_array_new_with_free_func (g_object_unref);
  self->leg_handlers = g_array_new (FALSE, FALSE, sizeof (gulong));
  self->domain2proxy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->do_retransmits = TRUE;
  self->t1_ms = 500;
  self->t2_ms = 4000;
  self->t4_ms = 5000;
  self->max_queue = 10000;
  self->retry_after = 5;
  /* keys are the transactions' own strings */
  self->client = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->server = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_object_unref);
  self->accepted = g_hash_table_new (g_str_hash, g_str_equal);
  self->resolving = g_hash_table_new (NULL, NULL);
  self->heap = g_ptr_array_new ();
  self->heap_source = g_source_new (&heap_source_funcs, sizeof (HeapSource));
  ((HeapSource *) self->heap_source)->dispatcher = self;
  g_source_set_name (self->heap_source, "NetSip transaction timers");
  g_source_set_ready_time (self->heap_source, -1);
  g_source_attach (self->heap_source, self->context);
  self->deliveries = g_hash_table_new_full (g_str_hash, g_str_equal,
                                            (GDestroyNotify) g_ref_string_release, NULL);
  self->timers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_source_unref);
}

/* ------------------------------------------------------------------ */
/* Construction and legs                                               */

/**
 * net_sip_dispatcher_new:
 * @legs: (array length=n_legs) (nullable): the legs to start with
 * @n_legs: the length of @legs
 *
 * Creates a dispatcher on the thread-default main context; all its
 * timers and callbacks run there.
 *
 * Returns: (transfer full): a new #NetSipDispatcher
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_dispatcher_new (NetSipLeg **legs,
                        guint       n_legs)
{
  NetSipDispatcher *self = g_object_new (NET_SIP_TYPE_DISPATCHER, NULL);

  for (guint i = 0; legs && i < n_legs; i++)
    net_sip_dispatcher_add_leg (self, legs[i]);
  return self;
}

/**
 * net_sip_dispatcher_add_leg:
 * @self: a #NetSipDispatcher
 * @leg: (transfer none): a leg
 *
 * Adds @leg: the dispatcher receives what arrives on it
 * ([signal@NetSip.Leg::message-received]) and may send through it. Adding
 * a leg twice does nothing.
 *
 * Since: 1.0
 */
void
net_sip_dispatcher_add_leg (NetSipDispatcher *self,
                            NetSipLeg        *leg)
{
  gulong id;

  g_return_if_fail (NET_SIP_IS_DISPATCHER (self));
  g_return_if_fail (NET_SIP_IS_LEG (leg));

  if (g_ptr_array_find (self->legs, leg, NULL))
    return;
  id = g_signal_connect (leg, "message-received", G_CALLBACK (on_leg_message_received), self);
  g_signal_connect (leg, "send-failed", G_CALLBACK (on_leg_send_failed), self);
  g_ptr_array_add (self->legs, g_object_ref (leg));
  g_array_append_val (self->leg_handlers, id);
}

/**
 * net_sip_dispatcher_remove_leg:
 * @self: a #NetSipDispatcher
 * @leg: a leg
 *
 * Removes @leg: nothing is received from it or sent through it any more.
 * Transactions already using it keep it until they end.
 *
 * Returns: %TRUE if @leg was one of the dispatcher's
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_remove_leg (NetSipDispatcher *self,
                               NetSipLeg        *leg)
{
  guint index;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_LEG (leg), FALSE);

  if (!g_ptr_array_find (self->legs, leg, &index))
    return FALSE;
  g_signal_handler_disconnect (leg, g_array_index (self->leg_handlers, gulong, index));
  g_signal_handlers_disconnect_by_func (leg, on_leg_send_failed, self);
  g_array_remove_index (self->leg_handlers, index);
  g_ptr_array_remove_index (self->legs, index);
  return TRUE;
}

/**
 * net_sip_dispatcher_get_legs:
 * @self: a #NetSipDispatcher
 * @address: (nullable): the local address the leg must have (as
 *   net_sip_leg_get_address() gives it), or %NULL for any
 * @port: the local port the leg must have, or 0 for any
 * @protocol: a #NetSipTransport the leg must use, or -1 for any
 * @socket_pool: (nullable): the socket pool the leg must use, or %NULL
 * @predicate: (scope call) (nullable) (closure user_data): a function the
 *   leg must satisfy, or %NULL
 * @user_data: data for @predicate
 *
 * Finds the legs matching all the given conditions (Net::SIP's `get_legs`
 * with `addr`, `port`, `proto`, `sock`, `sub`).
 *
 * Returns: (transfer container) (element-type NetSipLeg): the matching
 *   legs in the order they were added
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_dispatcher_get_legs (NetSipDispatcher   *self,
                             const char         *address,
                             guint16             port,
                             gint                protocol,
                             NetSipSocketPool   *socket_pool,
                             NetSipLegPredicate  predicate,
                             gpointer            user_data)
{
  GPtrArray *out;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), NULL);

  out = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->legs->len; i++)
    {
      NetSipLeg *leg = g_ptr_array_index (self->legs, i);

      if (address && g_ascii_strcasecmp (address, net_sip_leg_get_address (leg)) != 0)
        continue;
      if (port != 0 && port != net_sip_leg_get_port (leg))
        continue;
      if (protocol >= 0 && (NetSipTransport) protocol != net_sip_leg_get_protocol (leg))
        continue;
      if (socket_pool && socket_pool != net_sip_leg_get_socket_pool (leg))
        continue;
      if (predicate && !predicate (leg, user_data))
        continue;
      g_ptr_array_add (out, g_object_ref (leg));
    }
  return out;
}

/**
 * net_sip_dispatcher_set_receiver:
 * @self: a #NetSipDispatcher
 * @receiver: (nullable): the receiver, or %NULL for none
 *
 * Sets what gets the messages the dispatcher passes up (see
 * [class@NetSip.Dispatcher]). Without a receiver they reach only the
 * [signal@NetSip.Dispatcher::message-received] handlers.
 *
 * Since: 1.0
 */
void
net_sip_dispatcher_set_receiver (NetSipDispatcher *self,
                                 NetSipReceiver   *receiver)
{
  g_return_if_fail (NET_SIP_IS_DISPATCHER (self));
  g_return_if_fail (receiver == NULL || NET_SIP_IS_RECEIVER (receiver));

  if (g_set_object (&self->receiver, receiver))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RECEIVER]);
}

/**
 * net_sip_dispatcher_get_receiver:
 * @self: a #NetSipDispatcher
 *
 * Gets the receiver.
 *
 * Returns: (transfer none) (nullable): the receiver
 *
 * Since: 1.0
 */
NetSipReceiver *
net_sip_dispatcher_get_receiver (NetSipDispatcher *self)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), NULL);
  return self->receiver;
}

/* ------------------------------------------------------------------ */
/* Timers for applications                                             */

typedef struct
{
  NetSipDispatcher *self;
  NetSipTimerFunc   func;
  gpointer          user_data;
  GDestroyNotify    notify;
  gint64            repeat;   /* µs, 0 = once */
  guint             id;
} AppTimer;

static void
app_timer_free (gpointer data)
{
  AppTimer *t = data;

  if (t->notify)
    t->notify (t->user_data);
  g_free (t);
}

static gboolean
app_timer_fire (gpointer data)
{
  AppTimer *t = data;
  NetSipDispatcher *self = t->self;
  GSource *source = g_main_current_source ();
  gboolean again;

  again = t->func (self, t->user_data) == G_SOURCE_CONTINUE && t->repeat > 0;
  if (g_source_is_destroyed (source))
    return G_SOURCE_REMOVE;
  if (again)
    {
      gint64 next = g_source_get_ready_time (source) + t->repeat;
      gint64 now = g_source_get_time (source);
      g_source_set_ready_time (source, next > now ? next : now + t->repeat);
      return G_SOURCE_CONTINUE;
    }
  g_hash_table_remove (self->timers, GUINT_TO_POINTER (t->id));
  return G_SOURCE_REMOVE;
}

/**
 * net_sip_dispatcher_add_timer:
 * @self: a #NetSipDispatcher
 * @when: when to fire, in seconds (fractions allowed): 0 for the next main
 *   loop iteration, a value below 1e9 relative to now, a larger one as an
 *   absolute time in seconds since 1970-01-01 UTC
 * @repeat: the interval in seconds to fire again after that, 0 for once
 * @func: (scope notified) (closure user_data) (destroy notify): called on
 *   the dispatcher's main context
 * @user_data: data for @func
 * @notify: (nullable): frees @user_data when the timer is gone
 *
 * Adds a timer on the dispatcher's main context (Net::SIP's `add_timer`).
 * The time is kept in microseconds on the monotonic clock; a repeating
 * timer keeps its schedule (the next time counts from the planned one,
 * not from when the callback ran).
 *
 * Returns: the timer id for net_sip_dispatcher_cancel_timer(), never 0
 *
 * Since: 1.0
 */
guint
net_sip_dispatcher_add_timer (NetSipDispatcher *self,
                              double            when,
                              double            repeat,
                              NetSipTimerFunc   func,
                              gpointer          user_data,
                              GDestroyNotify    notify)
{
  AppTimer *t;
  GSource *source;
  gint64 now = g_get_monotonic_time ();
  gint64 ready;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), 0);
  g_return_val_if_fail (func != NULL, 0);
  g_return_val_if_fail (when >= 0 && repeat >= 0, 0);

  if (when == 0)
    ready = 0;
  else if (when < 1e9)
    ready = now + (gint64) (when * G_USEC_PER_SEC);
  else
    ready = now + ((gint64) (when * G_USEC_PER_SEC) - g_get_real_time ());
  if (ready < 0)
    ready = 0;

  t = g_new0 (AppTimer, 1);
  t->self = self;
  t->func = func;
  t->user_data = user_data;
  t->notify = notify;
  t->repeat = (gint64) (repeat * G_USEC_PER_SEC);
  source = net_sip_timer_source_new (self->context, ready, app_timer_fire, t, app_timer_free);
  t->id = g_source_get_id (source);
  g_hash_table_insert (self->timers, GUINT_TO_POINTER (t->id), source);
  return t->id;
}

/**
 * net_sip_dispatcher_cancel_timer:
 * @self: a #NetSipDispatcher
 * @timer_id: an id from net_sip_dispatcher_add_timer()
 *
 * Stops a timer; its destroy notify runs.
 *
 * Returns: %TRUE if the timer was still there
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_cancel_timer (NetSipDispatcher *self,
                                 guint             timer_id)
{
  GSource *source;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);

  source = g_hash_table_lookup (self->timers, GUINT_TO_POINTER (timer_id));
  if (source == NULL)
    return FALSE;
  g_source_destroy (source);
  g_hash_table_remove (self->timers, GUINT_TO_POINTER (timer_id));
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Resolution                                                          */

typedef struct
{
  GPtrArray *allowed_legs;   /* NetSipLeg or NULL for all */
  GPtrArray *targets;
  GPtrArray *legs;
} ResolveData;

static void
resolve_data_free (gpointer data)
{
  ResolveData *rd = data;

  g_clear_pointer (&rd->allowed_legs, g_ptr_array_unref);
  g_clear_pointer (&rd->targets, g_ptr_array_unref);
  g_clear_pointer (&rd->legs, g_ptr_array_unref);
  g_free (rd);
}

/* "udp:host:port", "host:port", "host" or a SIP(S) URI, as a URI */
static NetSipUri *
proxy_uri (const char  *proxy,
           GError     **error)
{
  static const char *prefixes[] = { "udp:", "tcp:", "tls:" };
  g_autofree char *text = NULL;

  if (g_str_has_prefix (proxy, "sip:") || g_str_has_prefix (proxy, "sips:"))
    return net_sip_uri_parse (proxy, -1, error);
  for (guint i = 0; i < G_N_ELEMENTS (prefixes); i++)
    if (g_ascii_strncasecmp (proxy, prefixes[i], 4) == 0)
      {
        text = g_strdup_printf ("sip:%s;transport=%.3s", proxy + 4, proxy);
        return net_sip_uri_parse (text, -1, error);
      }
  text = g_strconcat ("sip:", proxy, NULL);
  return net_sip_uri_parse (text, -1, error);
}

static const char *
lookup_domain_proxy (NetSipDispatcher *self,
                     const char       *host)
{
  g_autofree char *lower = NULL;
  const char *proxy;

  if (host == NULL || g_hash_table_size (self->domain2proxy) == 0)
    return NULL;
  lower = g_ascii_strdown (host, -1);
  proxy = g_hash_table_lookup (self->domain2proxy, lower);
  if (proxy)
    return proxy;
  /* "*.example.com" covers example.com and everything below it; the
   * longest suffix first */
  for (const char *s = lower; s != NULL; s = strchr (s, '.') ? strchr (s, '.') + 1 : NULL)
    {
      g_autofree char *key = g_strconcat ("*.", s, NULL);
      proxy = g_hash_table_lookup (self->domain2proxy, key);
      if (proxy)
        return proxy;
    }
  return g_hash_table_lookup (self->domain2proxy, "*");
}

/* Keeps the targets some allowed leg can reach, each with its leg
 * (find_leg); FALSE with NET_SIP_TRANSACTION_ERROR_NO_LEG when none is
 * left. */
static gboolean
pair_legs (NetSipDispatcher  *self,
           GPtrArray         *targets,
           GPtrArray         *allowed_legs,
           GPtrArray        **kept_targets,
           GPtrArray        **kept_legs,
           GError           **error)
{
  g_autoptr(GPtrArray) kt = g_ptr_array_new_full (targets->len, (GDestroyNotify) net_sip_target_unref);
  g_autoptr(GPtrArray) kl = g_ptr_array_new_full (targets->len, g_object_unref);

  for (guint i = 0; i < targets->len; i++)
    {
      NetSipTarget *target = g_ptr_array_index (targets, i);
      GInetSocketAddress *sa = net_sip_target_get_address (target);
      NetSipLeg *leg = find_leg (self, net_sip_target_get_transport (target),
                                 g_inet_socket_address_get_address (sa), allowed_legs);
      if (leg == NULL)
        continue;
      g_ptr_array_add (kt, net_sip_target_ref (target));
      g_ptr_array_add (kl, g_object_ref (leg));
    }
  if (kt->len == 0)
    {
      g_autofree char *first = targets->len ? net_sip_target_to_string (targets->pdata[0]) : NULL;
      g_set_error (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_NO_LEG,
                   "no leg can reach %s%s", first ? first : "the destination",
                   targets->len > 1 ? " or the other targets" : "");
      return FALSE;
    }
  *kept_targets = g_steal_pointer (&kt);
  *kept_legs = g_steal_pointer (&kl);
  return TRUE;
}

static void
resolve_lookup_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NetSipDispatcher *self = g_task_get_source_object (task);
  ResolveData *rd = g_task_get_task_data (task);
  g_autoptr(GPtrArray) targets = NULL;
  GError *error = NULL;

  targets = net_sip_resolver_lookup_finish (NET_SIP_RESOLVER (source), result, &error);
  if (targets == NULL ||
      !pair_legs (self, targets, rd->allowed_legs, &rd->targets, &rd->legs, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The URI the resolver looks up for a request to @uri (Net::SIP's
 * resolve_uri): @uri with its maddr as host (RFC 3261 §19.1.1), else the
 * domain2proxy entry of its host, else the outgoing proxy, else @uri. */
static NetSipUri *
resolution_uri (NetSipDispatcher  *self,
                NetSipUri         *uri,
                GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  const char *maddr;
  const char *proxy;
  NetSipUri *next;

  if (!net_sip_uri_is_sip (uri) && !net_sip_uri_is_sips (uri))
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                   "cannot route to a '%s' URI", net_sip_uri_get_scheme (uri));
      return NULL;
    }
  maddr = net_sip_uri_get_param (uri, "maddr");
  if (maddr && *maddr)
    {
      next = net_sip_uri_copy (uri);
      net_sip_uri_set_host (next, maddr);
      return next;
    }
  if ((proxy = lookup_domain_proxy (self, net_sip_uri_get_host (uri))) != NULL ||
      (proxy = self->outgoing_proxy) != NULL)
    {
      next = proxy_uri (proxy, &local_error);
      if (next == NULL)
        g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS,
                     "bad proxy '%s': %s", proxy, local_error->message);
      return next;
    }
  return net_sip_uri_copy (uri);
}

static GPtrArray *
legs_array (NetSipLeg **legs,
            guint       n_legs)
{
  GPtrArray *array;

  if (legs == NULL || n_legs == 0)
    return NULL;
  array = g_ptr_array_new_full (n_legs, g_object_unref);
  for (guint i = 0; i < n_legs; i++)
    g_ptr_array_add (array, g_object_ref (legs[i]));
  return array;
}

/**
 * net_sip_dispatcher_resolve_uri_numeric:
 * @self: a #NetSipDispatcher
 * @uri: (transfer none): the SIP or SIPS URI of the next hop
 * @allowed_protocols: (array length=n_allowed_protocols) (nullable): as
 *   for net_sip_dispatcher_resolve_uri_async()
 * @n_allowed_protocols: the length of @allowed_protocols
 * @allowed_legs: (array length=n_allowed_legs) (nullable): as for
 *   net_sip_dispatcher_resolve_uri_async()
 * @n_allowed_legs: the length of @allowed_legs
 * @targets: (out) (optional) (transfer container) (element-type NetSipTarget):
 *   the targets in the order to try them
 * @legs: (out) (optional) (transfer container) (element-type NetSipLeg):
 *   the leg for each target, same index
 * @error: return location for a #GError
 *
 * What net_sip_dispatcher_resolve_uri_async() gives, at once and without
 * a #GTask, when the next hop (after maddr, domain2proxy and the outgoing
 * proxy) is an IP address: no DNS is needed (RFC 3263 §4.2). A stateless
 * proxy forwards most requests this way. When the next hop is a host name
 * it returns %FALSE and leaves @error unset: then call the asynchronous
 * form.
 *
 * Errors: those of net_sip_dispatcher_resolve_uri_finish() but
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE with the targets, %FALSE for a host name (no @error) or
 *   on error
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_resolve_uri_numeric (NetSipDispatcher      *self,
                                        NetSipUri             *uri,
                                        const NetSipTransport *allowed_protocols,
                                        guint                  n_allowed_protocols,
                                        NetSipLeg            **allowed_legs,
                                        guint                  n_allowed_legs,
                                        GPtrArray            **targets,
                                        GPtrArray            **legs,
                                        GError               **error)
{
  g_autoptr(NetSipUri) next = NULL;
  g_autoptr(GPtrArray) found = NULL;
  g_autoptr(GPtrArray) allowed = NULL;
  g_autoptr(GPtrArray) kept_targets = NULL;
  g_autoptr(GPtrArray) kept_legs = NULL;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  next = resolution_uri (self, uri, error);
  if (next == NULL)
    return FALSE;
  if (self->resolver == NULL)
    self->resolver = net_sip_resolver_new (NULL);
  found = net_sip_resolver_lookup_numeric (self->resolver, next, allowed_protocols,
                                           n_allowed_protocols, error);
  if (found == NULL)
    return FALSE;
  allowed = legs_array (allowed_legs, n_allowed_legs);
  if (!pair_legs (self, found, allowed, &kept_targets, &kept_legs, error))
    return FALSE;
  if (targets)
    *targets = g_steal_pointer (&kept_targets);
  if (legs)
    *legs = g_steal_pointer (&kept_legs);
  return TRUE;
}

/**
 * net_sip_dispatcher_resolve_uri_async:
 * @self: a #NetSipDispatcher
 * @uri: (transfer none): the SIP or SIPS URI of the next hop
 * @allowed_protocols: (array length=n_allowed_protocols) (nullable): the
 *   transports to consider in order of preference, or %NULL for the
 *   resolver's default (UDP then TCP; TLS for SIPS)
 * @n_allowed_protocols: the length of @allowed_protocols
 * @allowed_legs: (array length=n_allowed_legs) (nullable): the legs that may
 *   be used, or %NULL for all
 * @n_allowed_legs: the length of @allowed_legs
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the targets
 * @user_data: data for @callback
 *
 * Finds where a request for @uri goes and through which leg (Net::SIP's
 * `resolve_uri`). The address comes from, in this order: the `maddr`
 * parameter of @uri; [property@NetSip.Dispatcher:domain2proxy] for the
 * host of @uri; [property@NetSip.Dispatcher:outgoing-proxy]; the host of
 * @uri itself. That name goes through the [class@NetSip.Resolver]
 * (RFC 3263: an IP literal as it is, else NAPTR, SRV, A/AAAA). Each
 * target gets, among the allowed legs for which
 * net_sip_leg_can_deliver_to() holds, the leg bound to the target's
 * address, else the one whose address shares the longest prefix with it
 * (as a host picks the source address of a route; a leg bound to
 * `0.0.0.0` or `::` shares none), the first in order on a tie; targets no
 * leg reaches are left out.
 *
 * Since: 1.0
 */
void
net_sip_dispatcher_resolve_uri_async (NetSipDispatcher      *self,
                                      NetSipUri             *uri,
                                      const NetSipTransport *allowed_protocols,
                                      guint                  n_allowed_protocols,
                                      NetSipLeg            **allowed_legs,
                                      guint                  n_allowed_legs,
                                      GCancellable          *cancellable,
                                      GAsyncReadyCallback    callback,
                                      gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(NetSipUri) next = NULL;
  GError *error = NULL;
  ResolveData *rd;

  g_return_if_fail (NET_SIP_IS_DISPATCHER (self));
  g_return_if_fail (uri != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_dispatcher_resolve_uri_async);
  rd = g_new0 (ResolveData, 1);
  rd->allowed_legs = legs_array (allowed_legs, n_allowed_legs);
  g_task_set_task_data (task, rd, resolve_data_free);

  next = resolution_uri (self, uri, &error);
  if (next == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  if (self->resolver == NULL)
    self->resolver = net_sip_resolver_new (NULL);
  net_sip_resolver_lookup_async (self->resolver, next, allowed_protocols, n_allowed_protocols,
                                 cancellable, resolve_lookup_done, g_object_ref (task));
}

/**
 * net_sip_dispatcher_resolve_uri_finish:
 * @self: a #NetSipDispatcher
 * @result: the result given to the callback
 * @targets: (out) (optional) (transfer container) (element-type NetSipTarget):
 *   the targets in the order to try them
 * @legs: (out) (optional) (transfer container) (element-type NetSipLeg):
 *   the leg for each target, same index
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_NO_ROUTE (nothing resolves, not a SIP
 * URI), %NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS (a bad proxy setting),
 * %NET_SIP_TRANSACTION_ERROR_NO_LEG (no leg reaches any target),
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if at least one target was found
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_resolve_uri_finish (NetSipDispatcher  *self,
                                       GAsyncResult      *result,
                                       GPtrArray        **targets,
                                       GPtrArray        **legs,
                                       GError           **error)
{
  ResolveData *rd;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  rd = g_task_get_task_data (G_TASK (result));
  if (targets)
    *targets = g_ptr_array_ref (rd->targets);
  if (legs)
    *legs = g_ptr_array_ref (rd->legs);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Delivery                                                            */

static void
delivery_fail (Delivery *d,
               GQuark    domain,
               gint      code,
               const char *format,
               ...) G_GNUC_PRINTF (4, 5);

static void
delivery_fail (Delivery   *d,
               GQuark      domain,
               gint        code,
               const char *format,
               ...)
{
  g_autoptr(GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (domain, code, format, args);
  va_end (args);
  delivery_complete (d, NULL, error);
}

/* Sends the request to target d->index in a new client transaction. */
static void
start_target (Delivery *d)
{
  NetSipDispatcher *self = d->self;
  NetSipTarget *target;
  NetSipLeg *leg;
  GInetSocketAddress *destination;
  NetSipTransaction *tx;
  NetSipTimerValues t;
  const char *key;

  if (d->targets)
    {
      target = g_ptr_array_index (d->targets, d->index);
      leg = g_ptr_array_index (d->legs, d->index);
      destination = net_sip_target_get_address (target);
      if (d->index + 1 == d->targets->len)
        {
          /* the last target: nothing left to fail over to, so a pending
           * transaction keeps its leg and address, not the lists */
          g_set_object (&d->leg, leg);
          g_set_object (&d->destination, destination);
          leg = d->leg;
          destination = d->destination;
          g_clear_pointer (&d->targets, g_ptr_array_unref);
          g_clear_pointer (&d->legs, g_ptr_array_unref);
        }
    }
  else
    {
      leg = d->leg;
      destination = d->destination;
    }

  /* Each target is a new client transaction with its own branch (RFC 3263
   * §4.3); the Via we put on for the previous one goes. */
  if (d->via_added)
    {
      net_sip_message_remove_first_header (d->message, "Via");
      d->via_added = FALSE;
    }
  if (!net_sip_leg_check_via (leg, d->message))
    {
      net_sip_leg_add_via (leg, d->message);
      d->via_added = TRUE;
    }
  key = net_sip_message_get_tid (d->message);
  if (key == NULL)
    {
      delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                     "the request has no valid Via or CSeq");
      return;
    }

  /* A stateless dispatcher (do-retransmits off: a stateless proxy,
   * §16.11) keeps no entry for what it sends: responses whose top Via is
   * one of our legs' reach the receiver without one (handle_response). */
  if (d->stateless && !self->do_retransmits)
    {
      if (d->id == NULL)
        d->id = g_ref_string_new (key);
      net_sip_dispatcher_send (self, NULL, d->message, leg, destination, 0, d->task);
      return;
    }

  if (!d->stateless && g_hash_table_contains (self->client, key))
    {
      if (d->id == NULL)
        d->id = g_ref_string_new (key);
      delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                     "a client transaction with the branch of this request is running: %s", key);
      return;
    }
  t = timer_values (self);
  tx = net_sip_transaction_new_client (self, d->message, leg, destination, d->stateless, &t);
  tx->owner = d;
  /* The default id is the key of the first transaction, one string for
   * both; such a delivery is found through the client table and needs no
   * entry of its own until a failover gives its transaction another key. */
  if (d->id == NULL)
    d->id = g_ref_string_acquire (tx->key);
  if (d->id != tx->key)
    delivery_register (d);
  tx->id = g_ref_string_acquire (d->id);
  g_clear_pointer (&tx->call_id, g_ref_string_release);
  tx->call_id = d->call_id ? g_ref_string_acquire (d->call_id) : NULL;
  g_hash_table_replace (self->client, tx->key, tx);
  d->tx = g_object_ref (tx);
  net_sip_transaction_start (tx);
}

static void
deliver_resolved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Delivery *d = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;

  if (d->done)
    return;
  if (d->resolving)
    {
      d->resolving = FALSE;
      g_hash_table_remove (d->self->resolving, d);
    }
  g_clear_object (&d->resolution);
  if (!net_sip_dispatcher_resolve_uri_finish (d->self, result, &d->targets, &d->legs, &error))
    {
      delivery_complete (d, NULL, error);
      return;
    }
  if (g_strcmp0 (net_sip_message_get_method (d->message), "ACK") == 0)
    {
      /* the ACK for a 2xx: one send, no transaction (§17.1.1.3, §13.2.2.4) */
      NetSipLeg *leg = g_ptr_array_index (d->legs, 0);
      NetSipTarget *target = g_ptr_array_index (d->targets, 0);
      net_sip_dispatcher_send (d->self, NULL, d->message, leg,
                               net_sip_target_get_address (target), 0, task);
      return;
    }
  start_target (d);
}

/* The next hop of a request: the first Route, else the Request-URI
 * (RFC 3261 §8.1.2, §16.12) */
static NetSipUri *
next_hop_uri (NetSipMessage  *request,
              GError        **error)
{
  g_autoptr(GPtrArray) routes = net_sip_message_get_routes (request, NULL);

  if (routes && routes->len > 0)
    {
      NetSipUri *uri = net_sip_name_addr_get_uri (g_ptr_array_index (routes, 0), NULL);
      if (uri)
        return uri;
    }
  return net_sip_request_get_parsed_uri (NET_SIP_REQUEST (request), error);
}

static void
deliver_request (NetSipDispatcher      *self,
                 Delivery              *d,
                 NetSipDeliveryOptions *options)
{
  NetSipLeg *leg = options ? options->leg : NULL;
  GInetSocketAddress *destination = options ? options->destination : NULL;
  gboolean is_ack = g_strcmp0 (net_sip_message_get_method (d->message), "ACK") == 0;
  g_autoptr(GError) error = NULL;
  guint32 cseq;
  const char *cseq_method;

  if (net_sip_message_get_call_id (d->message) == NULL ||
      !net_sip_message_get_cseq (d->message, &cseq, &cseq_method, &error))
    {
      delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                     "the request needs a Call-ID and a valid CSeq (RFC 3261 §8.1.1)%s%s",
                     error ? ": " : "", error ? error->message : "");
      return;
    }
  if (d->call_id == NULL)
    d->call_id = g_ref_string_new (net_sip_message_get_call_id (d->message));

  if (!is_ack)
    {
      if (n_pending (self) >= self->max_queue)
        {
          delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_QUEUE_FULL,
                         "%u transactions are pending (max-queue)", n_pending (self));
          return;
        }
      d->counted = TRUE;
      self->n_pending_client++;
    }

  /* A CANCEL goes where its INVITE went (RFC 3261 §9.1) */
  if (destination == NULL && leg == NULL &&
      g_strcmp0 (net_sip_message_get_method (d->message), "CANCEL") == 0)
    {
      const char *key = net_sip_message_get_tid (d->message);
      if (key && g_str_has_suffix (key, "|CANCEL"))
        {
          g_autofree char *invite_key = g_strndup (key, strlen (key) - strlen ("CANCEL"));
          NetSipTransaction *invite;

          invite_key = g_realloc (invite_key, strlen (invite_key) + strlen ("INVITE") + 1);
          strcat (invite_key, "INVITE");
          invite = g_hash_table_lookup (self->client, invite_key);
          if (invite)
            {
              leg = invite->leg;
              destination = invite->remote;
            }
        }
    }

  if (destination)
    {
      if (leg == NULL)
        {
          static const NetSipTransport order[] = {
            NET_SIP_TRANSPORT_UDP, NET_SIP_TRANSPORT_TCP, NET_SIP_TRANSPORT_TLS
          };
          for (guint i = 0; leg == NULL && i < G_N_ELEMENTS (order); i++)
            leg = find_leg (self, order[i], g_inet_socket_address_get_address (destination), NULL);
          if (leg == NULL)
            {
              delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_NO_LEG,
                             "no leg can reach the destination");
              return;
            }
        }
      d->leg = g_object_ref (leg);
      d->destination = g_object_ref (destination);
      if (is_ack)
        {
          net_sip_dispatcher_send (self, NULL, d->message, leg, destination, 0, d->task);
          return;
        }
      start_target (d);
      return;
    }

  {
    g_autoptr(NetSipUri) uri = next_hop_uri (d->message, &error);
    if (uri == NULL)
      {
        delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                       "cannot read the next-hop URI: %s", error ? error->message : "none");
        return;
      }
    /* cancellable by Call-ID (and by its id, if it has one) meanwhile */
    if (d->id)
      delivery_register (d);
    else
      {
        d->resolving = TRUE;
        g_hash_table_add (self->resolving, d);
      }
    /* the caller's cancellable ends the delivery (cancel_source), which
     * cancels this one */
    d->resolution = g_cancellable_new ();
    net_sip_dispatcher_resolve_uri_async (self, uri, NULL, 0,
                                          leg ? &leg : NULL, leg ? 1 : 0,
                                          d->resolution,
                                          deliver_resolved, g_object_ref (d->task));
  }
}

static void
deliver_response (NetSipDispatcher      *self,
                  Delivery              *d,
                  NetSipDeliveryOptions *options)
{
  NetSipLeg *leg = options ? options->leg : NULL;
  g_autoptr(GInetSocketAddress) destination = NULL;
  const char *key = net_sip_message_get_tid (d->message);
  NetSipTransaction *tx = key ? g_hash_table_lookup (self->server, key) : NULL;
  g_autoptr(GError) error = NULL;
  NetSipTransport transport;

  if (d->id == NULL && key)
    d->id = g_ref_string_new (key);

  /* §17.2: through the server transaction, which caches it */
  if (tx && (options == NULL || (options->destination == NULL && options->leg == NULL)))
    {
      if (!net_sip_transaction_send_response (tx, NET_SIP_RESPONSE (d->message), d->task, &error))
        delivery_complete (d, NULL, error);
      return;
    }

  /* Stateless (a proxy forwarding a response, §16.7, §18.2.2) */
  if (options && options->destination)
    {
      destination = g_object_ref (options->destination);
      transport = leg ? net_sip_leg_get_protocol (leg) : NET_SIP_TRANSPORT_UDP;
    }
  else
    {
      destination = response_destination (d->message, &transport, &error);
      if (destination == NULL)
        {
          delivery_complete (d, NULL, error);
          return;
        }
    }
  if (leg == NULL)
    leg = find_leg (self, transport, g_inet_socket_address_get_address (destination), NULL);
  if (leg == NULL)
    {
      delivery_fail (d, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_NO_LEG,
                     "no %s leg can reach the response's destination",
                     net_sip_transport_to_string (transport));
      return;
    }
  net_sip_dispatcher_send (self, NULL, d->message, leg, destination, 0, d->task);
}

/**
 * net_sip_dispatcher_deliver_async:
 * @self: a #NetSipDispatcher
 * @message: (transfer none): the request or response to send
 * @options: (nullable): id, Call-ID, leg, destination and retransmission
 *   hints, or %NULL to resolve the next hop and use the defaults
 * @cancellable: (nullable): cancels the delivery: a pending client
 *   transaction stops (no more retransmissions) and the callback gets
 *   %G_IO_ERROR_CANCELLED
 * @callback: (scope async): called once with the outcome
 * @user_data: data for @callback
 *
 * Sends @message (Net::SIP's `deliver`).
 *
 * A request other than ACK runs a client transaction (RFC 3261 §17.1):
 * over UDP it is retransmitted by Timer A (INVITE) or E (other methods);
 * the delivery ends with the first final response, whatever its code, or
 * with %NET_SIP_TRANSACTION_ERROR_TIMEOUT when Timer B or F fires, 64*T1
 * after the first send (32 s with the default T1 of 500 ms). The
 * request's next hop is the leg and destination of @options when given,
 * else the first Route or the Request-URI
 * resolved with [method@NetSip.Dispatcher.resolve_uri_async]; on a
 * transport error, a timeout or a 503 the next target is tried in a new
 * transaction (RFC 3263 §4.3), and the outcome of the last one counts.
 * The dispatcher puts the leg's Via with a new branch on @message (it is
 * changed). Provisional and final responses also reach the receiver.
 *
 * A response goes through the server transaction of its request, which
 * keeps it for retransmitted requests and, for a 300-699 response to an
 * INVITE over UDP, retransmits it until the ACK (Timer G). Without a
 * transaction it goes where the options or the top Via (§18.2.2) say. An
 * ACK (for a 2xx) is sent once. For both the delivery ends when the leg
 * reports the message sent.
 *
 * Since: 1.0
 */
void
net_sip_dispatcher_deliver_async (NetSipDispatcher      *self,
                                  NetSipMessage         *message,
                                  NetSipDeliveryOptions *options,
                                  GCancellable          *cancellable,
                                  GAsyncReadyCallback    callback,
                                  gpointer               user_data)
{
  Delivery *d;

  g_return_if_fail (NET_SIP_IS_DISPATCHER (self));
  g_return_if_fail (NET_SIP_IS_MESSAGE (message));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  d = g_new0 (Delivery, 1);
  d->self = self;
  d->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (d->task, net_sip_dispatcher_deliver_async);
  g_task_set_task_data (d->task, d, delivery_free);
  d->message = g_object_ref (message);
  if (options)
    {
      d->id = options->id ? g_ref_string_new (options->id) : NULL;
      d->call_id = options->call_id ? g_ref_string_new (options->call_id) : NULL;
    }
  d->stateless = !(options && options->do_retransmits_set ? options->do_retransmits
                                                          : self->do_retransmits);
  if (cancellable)
    {
      d->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (d->cancel_source, G_SOURCE_FUNC (on_cancellable_cancelled), d, NULL);
      g_source_attach (d->cancel_source, self->context);
    }

  if (net_sip_message_is_request (message))
    deliver_request (self, d, options);
  else
    deliver_response (self, d, options);
}

/**
 * net_sip_dispatcher_deliver_finish:
 * @self: a #NetSipDispatcher
 * @result: the result given to the callback
 * @response: (out) (optional) (nullable) (transfer full): the final
 *   response of a request delivered with a transaction; %NULL for a
 *   response, an ACK or a request sent without retransmission
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_TRANSACTION_ERROR_TIMEOUT (Timer B or F),
 * %NET_SIP_TRANSACTION_ERROR_CANCELLED (cancel_delivery),
 * %NET_SIP_TRANSACTION_ERROR_QUEUE_FULL, %NET_SIP_TRANSACTION_ERROR_NO_LEG,
 * %NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE, the %NET_SIP_TRANSPORT_ERROR
 * codes of the leg or of resolution, %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if the delivery succeeded: a final response came (any
 *   status code: check it) or the message was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_deliver_finish (NetSipDispatcher  *self,
                                   GAsyncResult      *result,
                                   NetSipResponse   **response,
                                   GError           **error)
{
  GError *local = NULL;
  NetSipResponse *r;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  r = g_task_propagate_pointer (G_TASK (result), &local);
  if (local)
    {
      g_propagate_error (error, local);
      if (response)
        *response = NULL;
      return FALSE;
    }
  if (response)
    *response = r;
  else
    g_clear_object (&r);
  return TRUE;
}

/* The pending delivery whose transaction has the key @id and which has no
 * entry in self->deliveries (its id is that key) */
static Delivery *
unregistered_delivery (NetSipDispatcher *self,
                       const char       *id)
{
  NetSipTransaction *tx = g_hash_table_lookup (self->client, id);
  Delivery *d = tx ? tx->owner : NULL;

  return d && !d->done && !d->registered ? d : NULL;
}

static gboolean
cancel_list (NetSipDispatcher *self,
             GPtrArray        *list)
{
  g_autoptr(GError) error = g_error_new_literal (NET_SIP_TRANSACTION_ERROR,
                                                 NET_SIP_TRANSACTION_ERROR_CANCELLED,
                                                 "the delivery was cancelled");
  for (guint i = 0; i < list->len; i++)
    delivery_cancel (g_ptr_array_index (list, i), error);
  return list->len > 0;
}

/**
 * net_sip_dispatcher_cancel_delivery:
 * @self: a #NetSipDispatcher
 * @id: a delivery id (see [method@NetSip.DeliveryOptions.set_id])
 *
 * Stops the pending deliveries with @id: their client transactions end
 * (no more retransmissions; later responses to them are dropped) and
 * their callbacks get %NET_SIP_TRANSACTION_ERROR_CANCELLED. This does not
 * send a CANCEL request (RFC 3261 §9); build one with
 * net_sip_request_create_cancel() for that.
 *
 * Returns: %TRUE if a delivery was cancelled
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_cancel_delivery (NetSipDispatcher *self,
                                    const char       *id)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (id != NULL, FALSE);

  for (Delivery *d = g_hash_table_lookup (self->deliveries, id); d; d = d->next_same_id)
    g_ptr_array_add (found, d);
  if (unregistered_delivery (self, id))
    g_ptr_array_add (found, unregistered_delivery (self, id));
  return cancel_list (self, found);
}

/* An ACK is not a pending request: it ends its INVITE's handshake (RFC
 * 3261 §13.2.2.4, §17.1.1.3) and goes out once, so stopping "the call"
 * does not stop it: a BYE sent next relies on it. */
static gboolean
delivers_ack (Delivery *d)
{
  return d->message && net_sip_message_is_request (d->message) &&
         g_strcmp0 (net_sip_message_get_method (d->message), "ACK") == 0;
}

/**
 * net_sip_dispatcher_cancel_delivery_by_call_id:
 * @self: a #NetSipDispatcher
 * @call_id: a Call-ID
 *
 * Stops all pending deliveries of the call @call_id, as
 * net_sip_dispatcher_cancel_delivery() does, but its ACKs: an ACK on its
 * way (waiting for its next hop to resolve, or being sent) still goes
 * out, since it completes the handshake of an INVITE's 2xx (RFC 3261
 * §13.2.2.4) that a BYE sent next relies on.
 *
 * Returns: %TRUE if a delivery was cancelled
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_cancel_delivery_by_call_id (NetSipDispatcher *self,
                                               const char       *call_id)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (call_id != NULL, FALSE);

  g_hash_table_iter_init (&iter, self->deliveries);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    for (Delivery *d = value; d; d = d->next_same_id)
      if (g_strcmp0 (d->call_id, call_id) == 0 && !delivers_ack (d))
        g_ptr_array_add (found, d);
  g_hash_table_iter_init (&iter, self->resolving);
  while (g_hash_table_iter_next (&iter, &value, NULL))
    if (g_strcmp0 (((Delivery *) value)->call_id, call_id) == 0 && !delivers_ack (value))
      g_ptr_array_add (found, value);
  g_hash_table_iter_init (&iter, self->client);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      Delivery *d = ((NetSipTransaction *) value)->owner;
      if (d && !d->done && !d->registered && g_strcmp0 (d->call_id, call_id) == 0)
        g_ptr_array_add (found, d);
    }
  return cancel_list (self, found);
}

/**
 * net_sip_dispatcher_cancel_delivery_transaction:
 * @self: a #NetSipDispatcher
 * @transaction: a client transaction of a pending delivery
 *
 * Stops the delivery @transaction belongs to (Net::SIP's `cancel_delivery`
 * by queue entry), as net_sip_dispatcher_cancel_delivery() does.
 *
 * Returns: %TRUE if a delivery was cancelled
 *
 * Since: 1.0
 */
gboolean
net_sip_dispatcher_cancel_delivery_transaction (NetSipDispatcher  *self,
                                                NetSipTransaction *transaction)
{
  Delivery *d;
  g_autoptr(GPtrArray) one = g_ptr_array_new ();

  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (transaction), FALSE);

  d = transaction->owner;
  if (d == NULL || d->done || d->self != self)
    return FALSE;
  g_ptr_array_add (one, d);
  return cancel_list (self, one);
}

/**
 * net_sip_dispatcher_get_transaction:
 * @self: a #NetSipDispatcher
 * @id: a delivery id, or the key of a server transaction
 *
 * Gets the transaction.
 *
 * Returns: (transfer none) (nullable): the current client transaction of
 *   the pending delivery @id (the first one when several share the id),
 *   else the server transaction with key @id
 *
 * Since: 1.0
 */
NetSipTransaction *
net_sip_dispatcher_get_transaction (NetSipDispatcher *self,
                                    const char       *id)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), NULL);
  g_return_val_if_fail (id != NULL, NULL);

  for (Delivery *d = g_hash_table_lookup (self->deliveries, id); d; d = d->next_same_id)
    if (d->tx)
      return d->tx;
  if (unregistered_delivery (self, id))
    return unregistered_delivery (self, id)->tx;
  return g_hash_table_lookup (self->server, id);
}

/**
 * net_sip_dispatcher_set_domain_proxy:
 * @self: a #NetSipDispatcher
 * @domain: a domain, `*.domain` for the domain and its subdomains, or `*`
 * @proxy: (nullable): the proxy (as for
 *   [property@NetSip.Dispatcher:outgoing-proxy]), or %NULL to remove the
 *   entry
 *
 * Changes one entry of [property@NetSip.Dispatcher:domain2proxy].
 *
 * Since: 1.0
 */
void
net_sip_dispatcher_set_domain_proxy (NetSipDispatcher *self,
                                     const char       *domain,
                                     const char       *proxy)
{
  g_return_if_fail (NET_SIP_IS_DISPATCHER (self));
  g_return_if_fail (domain != NULL);

  if (proxy)
    g_hash_table_insert (self->domain2proxy, g_ascii_strdown (domain, -1), g_strdup (proxy));
  else
    {
      g_autofree char *lower = g_ascii_strdown (domain, -1);
      g_hash_table_remove (self->domain2proxy, lower);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DOMAIN2PROXY]);
}

/**
 * net_sip_dispatcher_get_domain_proxy:
 * @self: a #NetSipDispatcher
 * @domain: a SIP domain
 *
 * Looks @domain up in [property@NetSip.Dispatcher:domain2proxy] the way
 * resolution does: exact, `*.` suffixes from the longest, then `*`.
 *
 * Returns: (nullable): the proxy for @domain, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_dispatcher_get_domain_proxy (NetSipDispatcher *self,
                                     const char       *domain)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (self), NULL);
  g_return_val_if_fail (domain != NULL, NULL);
  return lookup_domain_proxy (self, domain);
}
