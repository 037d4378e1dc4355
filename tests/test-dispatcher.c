/* test-dispatcher.c: NetSipDispatcher and its transactions (RFC 3261 §17)
 * between dispatchers and bare legs on loopback UDP and TCP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "netsip.h"
#include "main-loop-wait.h"

/* Every wait is bounded by this. */
#define WAIT_LIMIT_MS 8000
/* A timer may fire this late on a loaded machine (scheduling), never
 * earlier than planned. */
#define LATE_MS 40
#define EARLY_MS 2

/* ------------------------------------------------------------------ */
/* A receiver that records what it gets and can answer requests        */

#define TEST_TYPE_RECEIVER (test_receiver_get_type ())
G_DECLARE_FINAL_TYPE (TestReceiver, test_receiver, TEST, RECEIVER, GObject)

struct _TestReceiver
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned */
  GPtrArray        *messages;     /* NetSipMessage */
  guint             answer;       /* status to answer requests with, 0 = none */
  guint             n_answered;
};

static void test_receiver_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestReceiver, test_receiver, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_receiver_iface_init))

static void
test_receiver_finalize (GObject *object)
{
  TestReceiver *self = TEST_RECEIVER (object);
  g_ptr_array_unref (self->messages);
  G_OBJECT_CLASS (test_receiver_parent_class)->finalize (object);
}

static void
test_receiver_class_init (TestReceiverClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_receiver_finalize;
}

static void
test_receiver_init (TestReceiver *self)
{
  self->messages = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipResponse) response = NULL;

  g_assert_true (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result,
                                                    &response, &error));
  g_assert_no_error (error);
  g_assert_null (response);
}

static gboolean
test_receiver_receive (NetSipReceiver   *receiver,
                       NetSipMessage    *message,
                       NetSipLeg        *leg,
                       NetSipSourceInfo *source)
{
  TestReceiver *self = TEST_RECEIVER (receiver);

  g_assert_true (NET_SIP_IS_LEG (leg));
  g_assert_true (NET_SIP_IS_SOURCE_INFO (source));
  g_ptr_array_add (self->messages, g_object_ref (message));
  if (self->answer && net_sip_message_is_request (message) &&
      strcmp (net_sip_message_get_method (message), "ACK") != 0)
    {
      g_autoptr(NetSipResponse) response =
        net_sip_request_create_response (NET_SIP_REQUEST (message), self->answer, NULL, "srv");
      self->n_answered++;
      net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL,
                                        NULL, answered, NULL);
      return TRUE;
    }
  return FALSE;
}

static void
test_receiver_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_receiver_receive;
}

static guint
count_method (GPtrArray  *messages,
              const char *method)
{
  guint n = 0;
  for (guint i = 0; i < messages->len; i++)
    {
      NetSipMessage *m = g_ptr_array_index (messages, i);
      if (net_sip_message_is_request (m) && strcmp (net_sip_message_get_method (m), method) == 0)
        n++;
    }
  return n;
}

/* ------------------------------------------------------------------ */
/* Main loop helpers                                                   */

typedef gboolean (*Cond) (gpointer data);

/* Iterates until @cond holds; fails the test after WAIT_LIMIT_MS. */
#define run_until(cond, data) NETSIP_TEST_RUN_UNTIL (cond, data, WAIT_LIMIT_MS)
#define peer_wait(p, n) peer_wait_at (p, n, __LINE__)

/* ------------------------------------------------------------------ */
/* Results of deliver_async                                            */

typedef struct
{
  gboolean        done;
  NetSipResponse *response;
  GError         *error;
  gint64          time;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  g_assert_false (r->done);
  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &r->response, &r->error);
  r->time = g_get_monotonic_time ();
  r->done = TRUE;
}

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
result_clear (Result *r)
{
  g_clear_object (&r->response);
  g_clear_error (&r->error);
  r->done = FALSE;
}

/* ------------------------------------------------------------------ */
/* Sends seen through message-sent                                     */

typedef struct
{
  NetSipMessage *message;
  guint          attempt;
  gint64         time;
  gboolean       has_transaction;
} Sent;

static void
sent_free (gpointer data)
{
  Sent *s = data;
  g_object_unref (s->message);
  g_free (s);
}

static void
on_message_sent (NetSipDispatcher   *dispatcher,
                 NetSipMessage      *message,
                 NetSipLeg          *leg,
                 GInetSocketAddress *destination,
                 NetSipTransaction  *transaction,
                 guint               attempt,
                 gint64              time_us,
                 gpointer            user_data)
{
  GPtrArray *log = user_data;
  Sent *s = g_new0 (Sent, 1);

  g_assert_true (NET_SIP_IS_LEG (leg));
  g_assert_true (G_IS_INET_SOCKET_ADDRESS (destination));
  s->message = g_object_ref (message);
  s->attempt = attempt;
  s->time = time_us;
  s->has_transaction = transaction != NULL;
  g_ptr_array_add (log, s);
}

/* The sends in @log of requests with @method (or responses when NULL) */
static GPtrArray *
sends_of (GPtrArray  *log,
          const char *method)
{
  GPtrArray *out = g_ptr_array_new ();
  for (guint i = 0; i < log->len; i++)
    {
      Sent *s = g_ptr_array_index (log, i);
      gboolean request = net_sip_message_is_request (s->message);
      if (method ? (request && strcmp (net_sip_message_get_method (s->message), method) == 0)
                 : !request)
        g_ptr_array_add (out, s);
    }
  return out;
}

/* Checks that the sends happened at @expected_ms after the first one
 * (cumulative times), not earlier and at most LATE_MS later. */
static void
check_schedule (GPtrArray   *sends,
                const gint64 *expected_ms,
                guint         n_expected)
{
  gint64 start;

  g_assert_cmpuint (sends->len, ==, n_expected);
  start = ((Sent *) g_ptr_array_index (sends, 0))->time;
  for (guint i = 0; i < sends->len; i++)
    {
      Sent *s = g_ptr_array_index (sends, i);
      gint64 at_ms = (s->time - start) / 1000;

      g_test_message ("send %u (attempt %u) at %" G_GINT64_FORMAT " ms, planned %" G_GINT64_FORMAT,
                      i, s->attempt, at_ms, expected_ms[i]);
      g_assert_cmpuint (s->attempt, ==, i);
      g_assert_cmpint (at_ms, >=, expected_ms[i] - EARLY_MS);
      g_assert_cmpint (at_ms, <=, expected_ms[i] + LATE_MS);
    }
}

/* ------------------------------------------------------------------ */
/* A bare leg as the peer: sends what the test says, records what comes */

typedef struct
{
  NetSipLeg *leg;
  GPtrArray *messages;   /* NetSipMessage */
  GArray    *times;      /* gint64 */
} Peer;

static void
on_peer_message (NetSipLeg        *leg,
                 NetSipMessage    *message,
                 NetSipSourceInfo *source,
                 gpointer          user_data)
{
  Peer *p = user_data;
  gint64 now = g_get_monotonic_time ();

  g_ptr_array_add (p->messages, g_object_ref (message));
  g_array_append_val (p->times, now);
}

static void
peer_init (Peer       *p,
           const char *spec)
{
  g_autoptr(GError) error = NULL;

  p->leg = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  p->messages = g_ptr_array_new_with_free_func (g_object_unref);
  p->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_signal_connect (p->leg, "message-received", G_CALLBACK (on_peer_message), p);
}

static void
peer_clear (Peer *p)
{
  g_signal_handlers_disconnect_by_data (p->leg, p);
  g_clear_object (&p->leg);
  g_clear_pointer (&p->messages, g_ptr_array_unref);
  g_clear_pointer (&p->times, g_array_unref);
}

typedef struct
{
  Peer *peer;
  guint n;
} PeerCount;

static gboolean
peer_has (gpointer data)
{
  PeerCount *c = data;
  return c->peer->messages->len >= c->n;
}

static void
peer_wait_at (Peer *p,
              guint n,
              int   line)
{
  PeerCount c = { p, n };
  netsip_test_run_until_at ((NetSipTestCond) peer_has, &c, WAIT_LIMIT_MS, line);
}

static void
sent_ok (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &error);
  g_assert_no_error (error);
}

static void
peer_send (Peer          *p,
           NetSipMessage *message,
           NetSipLeg     *to)
{
  GInetSocketAddress *dest = net_sip_socket_pool_get_local_address (net_sip_leg_get_socket_pool (to));
  net_sip_leg_deliver_async (p->leg, message, dest, NULL, sent_ok, NULL);
}

static GInetSocketAddress *
address_of (NetSipLeg *leg)
{
  return net_sip_socket_pool_get_local_address (net_sip_leg_get_socket_pool (leg));
}

/* ------------------------------------------------------------------ */
/* Fixture: dispatcher A (client side) and B (server side)             */

typedef struct
{
  const char       *spec;
  NetSipLeg        *leg_a;
  NetSipLeg        *leg_b;
  NetSipDispatcher *a;
  NetSipDispatcher *b;
  TestReceiver     *ra;
  TestReceiver     *rb;
  GPtrArray        *sent_a;
  GPtrArray        *sent_b;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->spec = data;
  f->leg_a = net_sip_leg_new (f->spec, &error);
  if (f->leg_a == NULL && strchr (f->spec, '[') != NULL)
    {
      /* IPv6 loopback missing: the test skips */
      g_clear_error (&error);
      return;
    }
  g_assert_no_error (error);
  f->leg_b = net_sip_leg_new (f->spec, &error);
  g_assert_no_error (error);
  f->a = net_sip_dispatcher_new (&f->leg_a, 1);
  f->b = net_sip_dispatcher_new (&f->leg_b, 1);
  f->ra = g_object_new (TEST_TYPE_RECEIVER, NULL);
  f->rb = g_object_new (TEST_TYPE_RECEIVER, NULL);
  f->ra->dispatcher = f->a;
  f->rb->dispatcher = f->b;
  net_sip_dispatcher_set_receiver (f->a, NET_SIP_RECEIVER (f->ra));
  net_sip_dispatcher_set_receiver (f->b, NET_SIP_RECEIVER (f->rb));
  f->sent_a = g_ptr_array_new_with_free_func (sent_free);
  f->sent_b = g_ptr_array_new_with_free_func (sent_free);
  g_signal_connect (f->a, "message-sent", G_CALLBACK (on_message_sent), f->sent_a);
  g_signal_connect (f->b, "message-sent", G_CALLBACK (on_message_sent), f->sent_b);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->a == NULL)
    return;
  g_signal_handlers_disconnect_by_data (f->a, f->sent_a);
  g_signal_handlers_disconnect_by_data (f->b, f->sent_b);
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->ra);
  g_assert_finalize_object (f->rb);
  g_clear_object (&f->leg_a);
  g_clear_object (&f->leg_b);
  g_ptr_array_unref (f->sent_a);
  g_ptr_array_unref (f->sent_b);
  /* let sends in flight finish */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static guint call_counter;

static NetSipMessage *
make_request (const char *method,
              const char *ruri)
{
  NetSipRequest *req = net_sip_request_new (method, ruri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  g_autofree char *call_id = g_strdup_printf ("disp-%u-%u@127.0.0.1", (guint) getpid (), ++call_counter);
  g_autofree char *cseq = g_strdup_printf ("1 %s", method);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", "<sip:bob@example.org>");
  net_sip_message_add_header (m, "From", "<sip:alice@example.com>;tag=a1");
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", cseq);
  if (strcmp (method, "INVITE") == 0)
    net_sip_message_add_header (m, "Contact", "<sip:alice@127.0.0.1>");
  return m;
}

static NetSipDeliveryOptions *
options_to (NetSipLeg *leg)
{
  NetSipDeliveryOptions *o = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_destination (o, address_of (leg));
  return o;
}

static guint64
counter (NetSipDispatcher *d,
         const char       *name)
{
  guint64 v = 0;
  g_object_get (d, name, &v, NULL);
  return v;
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* A request through A's resolution of an IP-literal URI to B; B's
 * receiver answers; A's delivery completes with the response. */
static void
test_request_response (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = NULL;
  g_autofree char *ruri = NULL;
  Result r = { 0 };
  guint n;

  if (f->a == NULL)
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  f->rb->answer = 200;
  if (net_sip_leg_get_family (f->leg_b) == G_SOCKET_FAMILY_IPV6)
    ruri = g_strdup_printf ("sip:bob@[::1]:%u;transport=%s", net_sip_leg_get_port (f->leg_b),
                            net_sip_transport_to_string (net_sip_leg_get_protocol (f->leg_b)));
  else
    ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u;transport=%s", net_sip_leg_get_port (f->leg_b),
                            net_sip_transport_to_string (net_sip_leg_get_protocol (f->leg_b)));
  req = make_request ("OPTIONS", ruri);
  net_sip_dispatcher_deliver_async (f->a, req, NULL, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.response);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (r.response)), ==, "srv");
  /* A put its Via on the request */
  g_assert_true (net_sip_leg_check_via (f->leg_a, req));

  /* B's receiver saw the request once; A's receiver saw the response */
  g_assert_cmpuint (f->rb->messages->len, ==, 1);
  g_assert_cmpuint (count_method (f->rb->messages, "OPTIONS"), ==, 1);
  g_assert_cmpuint (f->ra->messages->len, ==, 1);
  g_assert_true (NET_SIP_IS_RESPONSE (g_ptr_array_index (f->ra->messages, 0)));

  /* over UDP the server transaction is Completed and keeps the response
   * for Timer J (64*T1); over TCP Timer J is 0 and it is gone */
  g_object_get (f->b, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, net_sip_leg_get_protocol (f->leg_b) == NET_SIP_TRANSPORT_UDP ? 1 : 0);
  g_assert_cmpuint (counter (f->a, "dropped-responses"), ==, 0);
  result_clear (&r);
}

/* Timer E over UDP with small T1 and T2: sends at 0, T1, 3T1, 7T1, then
 * every T2; Timer F ends it at 64*T1 with the timeout error. */
static void
test_timer_e_f (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:nobody@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  Peer silent = { 0 };
  Result r = { 0 };
  gint64 expected[32];
  gint64 at = 0, interval = 40;
  guint n = 0;
  gint64 start, elapsed_ms;

  g_object_set (f->a, "t1", 40, "t2", 200, NULL);
  peer_init (&silent, "udp:127.0.0.1:0");
  o = options_to (silent.leg);
  net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT);
  g_assert_null (r.response);

  /* the schedule of RFC 3261 §17.1.2.2 below 64*T1 = 2560 ms */
  while (at < 64 * 40)
    {
      expected[n++] = at;
      at += interval;
      interval = MIN (interval * 2, 200);
    }
  sends = sends_of (f->sent_a, "OPTIONS");
  check_schedule (sends, expected, n);
  start = ((Sent *) g_ptr_array_index (sends, 0))->time;
  elapsed_ms = (r.time - start) / 1000;
  g_assert_cmpint (elapsed_ms, >=, 64 * 40 - EARLY_MS);
  g_assert_cmpint (elapsed_ms, <=, 64 * 40 + LATE_MS);
  /* the peer got every one of them, with the same branch */
  netsip_test_run_for (50);
  g_assert_cmpuint (silent.messages->len, ==, n);
  g_assert_cmpstr (net_sip_message_get_tid (g_ptr_array_index (silent.messages, 0)), ==,
                   net_sip_message_get_tid (g_ptr_array_index (silent.messages, n - 1)));
  g_object_get (f->a, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, 0);
  peer_clear (&silent);
  result_clear (&r);
}

/* Timer A: INVITE retransmissions double without a cap; Timer B at 64*T1 */
static void
test_timer_a_b (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("INVITE", "sip:nobody@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  Peer silent = { 0 };
  Result r = { 0 };
  const gint64 expected[] = { 0, 30, 90, 210, 450, 930, 1890 };

  g_object_set (f->a, "t1", 30, "t2", 100, NULL);
  peer_init (&silent, "udp:127.0.0.1:0");
  o = options_to (silent.leg);
  net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT);
  sends = sends_of (f->sent_a, "INVITE");
  /* T2 does not cap INVITE retransmissions; 64*T1 = 1920 ms */
  check_schedule (sends, expected, G_N_ELEMENTS (expected));
  g_assert_cmpint ((r.time - ((Sent *) sends->pdata[0])->time) / 1000, >=, 64 * 30 - EARLY_MS);
  g_assert_cmpint ((r.time - ((Sent *) sends->pdata[0])->time) / 1000, <=, 64 * 30 + LATE_MS);
  peer_clear (&silent);
  result_clear (&r);
}

/* Many transactions with different T1 share the dispatcher's timer heap:
 * each one's first retransmission comes T1 after its first send, in
 * whatever order the deadlines fall. */
static void
test_timer_heap (Fixture       *f,
                 gconstpointer  data)
{
  enum { N = 40 };
  g_autoptr(GPtrArray) requests = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GRand) rand = g_rand_new_with_seed (4);
  guint t1[N];
  Result results[N];
  Peer silent = { 0 };

  peer_init (&silent, f->spec);
  memset (results, 0, sizeof results);
  for (guint i = 0; i < N; i++)
    {
      g_autoptr(NetSipDeliveryOptions) o = options_to (silent.leg);
      NetSipMessage *req = make_request ("OPTIONS", "sip:x@127.0.0.1");

      t1[i] = g_rand_int_range (rand, 20, 200);
      g_object_set (f->a, "t1", t1[i], "t2", 4000, NULL);
      g_ptr_array_add (requests, req);
      net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &results[i]);
    }
  netsip_test_run_for (450);
  for (guint i = 0; i < N; i++)
    {
      NetSipMessage *req = g_ptr_array_index (requests, i);
      gint64 first = -1, second = -1;

      for (guint k = 0; k < f->sent_a->len; k++)
        {
          Sent *s = g_ptr_array_index (f->sent_a, k);
          if (s->message != req)
            continue;
          if (s->attempt == 0)
            first = s->time;
          else if (s->attempt == 1)
            second = s->time;
        }
      g_assert_cmpint (first, >=, 0);
      g_assert_cmpint (second, >=, 0);
      g_assert_cmpint ((second - first) / 1000, >=, t1[i] - EARLY_MS);
      g_assert_cmpint ((second - first) / 1000, <=, t1[i] + LATE_MS);
      g_assert_true (net_sip_dispatcher_cancel_delivery_by_call_id (f->a, net_sip_message_get_call_id (req)));
    }
  for (guint i = 0; i < N; i++)
    {
      run_until (result_done, &results[i]);
      g_assert_error (results[i].error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
      result_clear (&results[i]);
    }
  peer_clear (&silent);
}

/* Over TCP nothing is retransmitted; the timeout stays 64*T1. */
static void
test_tcp_no_retransmit (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:nobody@127.0.0.1;transport=tcp");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  Peer silent = { 0 };
  Result r = { 0 };
  gint64 elapsed;

  g_object_set (f->a, "t1", 20, NULL);
  peer_init (&silent, "tcp:127.0.0.1:0");
  o = options_to (silent.leg);
  net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT);
  sends = sends_of (f->sent_a, "OPTIONS");
  g_assert_cmpuint (sends->len, ==, 1);
  elapsed = (r.time - ((Sent *) sends->pdata[0])->time) / 1000;
  g_assert_cmpint (elapsed, >=, 64 * 20 - EARLY_MS);
  g_assert_cmpint (elapsed, <=, 64 * 20 + LATE_MS);
  g_assert_cmpuint (silent.messages->len, ==, 1);
  peer_clear (&silent);
  result_clear (&r);
}

/* §17.2.2: a retransmitted request gets the cached response; the receiver
 * sees it once. */
static void
test_response_cache (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  Peer peer = { 0 };

  f->rb->answer = 404;
  peer_init (&peer, f->spec);
  peer_send (&peer, req, f->leg_b);
  peer_wait (&peer, 1);
  g_assert_cmpuint (f->rb->messages->len, ==, 1);

  /* the same request again (same branch): the cached 404 comes back */
  peer_send (&peer, req, f->leg_b);
  peer_wait (&peer, 2);
  peer_send (&peer, req, f->leg_b);
  peer_wait (&peer, 3);
  for (guint i = 0; i < 3; i++)
    {
      NetSipMessage *m = g_ptr_array_index (peer.messages, i);
      g_assert_true (NET_SIP_IS_RESPONSE (m));
      g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 404);
      g_assert_cmpstr (net_sip_message_get_to_tag (m), ==, "srv");
    }
  g_assert_cmpuint (f->rb->messages->len, ==, 1);
  g_assert_cmpuint (f->rb->n_answered, ==, 1);
  g_assert_cmpuint (counter (f->b, "absorbed-requests"), ==, 2);
  peer_clear (&peer);
}

/* §17.2.1: a 486 to an INVITE over UDP is retransmitted by Timer G until
 * the ACK, which is absorbed; more ACKs are absorbed in Confirmed. */
static void
test_timer_g_until_ack (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipRequest) ack = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  Peer peer = { 0 };
  const gint64 expected[] = { 0, 40, 120, 280 };
  guint n_before;

  g_object_set (f->b, "t1", 40, "t2", 160, "t4", 2000, NULL);
  f->rb->answer = 486;
  peer_init (&peer, "udp:127.0.0.1:0");
  peer_send (&peer, invite, f->leg_b);
  /* first 486 and three retransmissions: 0, T1, 3T1, 7T1 (capped at T2 = 4T1) */
  peer_wait (&peer, 4);
  responses = sends_of (f->sent_b, NULL);
  check_schedule (responses, expected, G_N_ELEMENTS (expected));

  ack = net_sip_request_create_ack (NET_SIP_REQUEST (invite),
                                    NET_SIP_RESPONSE (g_ptr_array_index (peer.messages, 0)));
  peer_send (&peer, NET_SIP_MESSAGE (ack), f->leg_b);
  netsip_test_run_for (20);
  n_before = peer.messages->len;
  /* the next one was due at 440 ms; nothing may come any more */
  netsip_test_run_for (400);
  g_assert_cmpuint (peer.messages->len, ==, n_before);
  g_assert_cmpuint (counter (f->b, "absorbed-acks"), ==, 1);

  /* an ACK retransmission in Confirmed: absorbed too */
  peer_send (&peer, NET_SIP_MESSAGE (ack), f->leg_b);
  netsip_test_run_for (30);
  g_assert_cmpuint (counter (f->b, "absorbed-acks"), ==, 2);
  /* the receiver saw the INVITE only */
  g_assert_cmpuint (f->rb->messages->len, ==, 1);
  g_assert_cmpuint (count_method (f->rb->messages, "ACK"), ==, 0);
  g_assert_cmpuint (counter (f->b, "unmatched-acks"), ==, 0);
  peer_clear (&peer);
}

/* §17.2.1: a silent receiver: the server INVITE transaction sends 100
 * Trying after 200 ms, and again for a retransmitted INVITE */
static void
test_trying (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  Peer peer = { 0 };
  NetSipMessage *m;
  Result r = { 0 };
  gint64 sent_at, after;

  peer_init (&peer, f->spec);
  sent_at = g_get_monotonic_time ();
  peer_send (&peer, invite, f->leg_b);
  peer_wait (&peer, 1);
  after = (g_array_index (peer.times, gint64, 0) - sent_at) / 1000;
  g_assert_cmpint (after, >=, 200 - EARLY_MS);
  g_assert_cmpint (after, <=, 200 + LATE_MS + 20);
  m = g_ptr_array_index (peer.messages, 0);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 100);
  g_assert_null (net_sip_message_get_to_tag (m));

  peer_send (&peer, invite, f->leg_b);
  peer_wait (&peer, 2);
  m = g_ptr_array_index (peer.messages, 1);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 100);
  g_assert_cmpuint (f->rb->messages->len, ==, 1);

  /* the receiver answers at last: 200, the transaction is Accepted */
  ok = net_sip_request_create_response (NET_SIP_REQUEST (g_ptr_array_index (f->rb->messages, 0)),
                                        200, NULL, "late");
  net_sip_dispatcher_deliver_async (f->b, NET_SIP_MESSAGE (ok), NULL, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  peer_wait (&peer, 3);
  m = g_ptr_array_index (peer.messages, 2);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 200);
  g_assert_cmpint (net_sip_transaction_get_state (net_sip_dispatcher_get_transaction (f->b, net_sip_message_get_tid (invite))),
                   ==, NET_SIP_TRANSACTION_STATE_ACCEPTED);
  /* RFC 6026 §8.5: in Accepted a retransmitted INVITE is absorbed; the
   * 2xx is the receiver's to retransmit */
  peer_send (&peer, invite, f->leg_b);
  netsip_test_run_for (100);
  g_assert_cmpuint (peer.messages->len, ==, 3);
  g_assert_cmpuint (f->rb->messages->len, ==, 1);
  g_assert_cmpuint (counter (f->b, "absorbed-requests"), ==, 2);
  responses = sends_of (f->sent_b, NULL);
  g_assert_cmpuint (responses->len, ==, 3);
  peer_clear (&peer);
  result_clear (&r);
}

/* Dispatcher to dispatcher: the client INVITE transaction ACKs a 486 on
 * the INVITE's branch; the server absorbs it; the delivery completes with
 * the 486. */
static void
test_invite_non2xx (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = options_to (f->leg_b);
  g_autoptr(GPtrArray) acks = NULL;
  NetSipVia *via_ack, *via_invite;
  Sent *ack;
  Result r = { 0 };

  f->rb->answer = 486;
  net_sip_dispatcher_deliver_async (f->a, invite, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 486);
  netsip_test_run_for (100);
  acks = sends_of (f->sent_a, "ACK");
  g_assert_cmpuint (acks->len, ==, 1);
  ack = g_ptr_array_index (acks, 0);
  g_assert_true (ack->has_transaction);
  via_ack = net_sip_message_get_top_via (ack->message, NULL);
  via_invite = net_sip_message_get_top_via (invite, NULL);
  g_assert_cmpstr (net_sip_via_get_branch (via_ack), ==, net_sip_via_get_branch (via_invite));
  g_assert_cmpstr (net_sip_message_get_to_tag (ack->message), ==, "srv");
  g_assert_cmpuint (counter (f->b, "absorbed-acks"), ==, 1);
  g_assert_cmpuint (count_method (f->rb->messages, "ACK"), ==, 0);
  /* over UDP B stops Timer G; over TCP it never ran: one 486 either way */
  {
    g_autoptr(GPtrArray) responses = sends_of (f->sent_b, NULL);
    g_assert_cmpuint (responses->len, ==, 1);
  }
  result_clear (&r);
}

/* An INVITE answered 200: the delivery completes with it; the ACK is the
 * caller's, sent without a transaction and passed up on the other side;
 * 2xx retransmissions reach the caller's receiver while the client
 * transaction is Accepted (RFC 6026 §7.2). */
static void
test_invite_2xx (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = options_to (f->leg_b);
  g_autoptr(NetSipDeliveryOptions) o_ack = options_to (f->leg_b);
  g_autoptr(NetSipRequest) ack = NULL;
  g_autofree char *to = NULL;
  NetSipMessage *ok_at_b;
  Result r = { 0 }, ra = { 0 }, rr = { 0 };

  f->rb->answer = 200;
  net_sip_dispatcher_deliver_async (f->a, invite, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  g_assert_cmpint (net_sip_transaction_get_state (net_sip_dispatcher_get_transaction (f->b, net_sip_message_get_tid (g_ptr_array_index (f->rb->messages, 0)))),
                   ==, NET_SIP_TRANSACTION_STATE_ACCEPTED);
  g_assert_cmpuint (f->ra->messages->len, ==, 1);

  /* the ACK for the 2xx: a new branch, sent once */
  ack = net_sip_request_new ("ACK", "sip:bob@127.0.0.1");
  to = g_strdup_printf ("<sip:bob@example.org>;tag=%s", net_sip_message_get_to_tag (NET_SIP_MESSAGE (r.response)));
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "From", "<sip:alice@example.com>;tag=a1");
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "To", to);
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Call-ID", net_sip_message_get_call_id (invite));
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "CSeq", "1 ACK");
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Max-Forwards", "70");
  net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (ack), o_ack, NULL, on_delivered, &ra);
  run_until (result_done, &ra);
  g_assert_no_error (ra.error);
  g_assert_null (ra.response);
  g_assert_cmpstr (net_sip_via_get_branch (net_sip_message_get_top_via (NET_SIP_MESSAGE (ack), NULL)), !=,
                   net_sip_via_get_branch (net_sip_message_get_top_via (invite, NULL)));
  while (count_method (f->rb->messages, "ACK") < 1)
    netsip_test_run_for (5);
  g_assert_cmpuint (counter (f->b, "unmatched-acks"), ==, 1);
  g_assert_cmpuint (counter (f->b, "absorbed-acks"), ==, 0);

  /* B's user agent retransmits its 200 (§13.3.1.4): A's receiver gets it */
  ok_at_b = NULL;
  for (guint i = 0; i < f->sent_b->len; i++)
    {
      Sent *s = g_ptr_array_index (f->sent_b, i);
      if (!net_sip_message_is_request (s->message))
        ok_at_b = s->message;
    }
  g_assert_nonnull (ok_at_b);
  net_sip_dispatcher_deliver_async (f->b, ok_at_b, NULL, NULL, on_delivered, &rr);
  run_until (result_done, &rr);
  g_assert_no_error (rr.error);
  while (f->ra->messages->len < 2)
    netsip_test_run_for (5);
  g_assert_true (NET_SIP_IS_RESPONSE (g_ptr_array_index (f->ra->messages, 1)));
  g_assert_cmpuint (counter (f->a, "dropped-responses"), ==, 0);
  result_clear (&r);
  result_clear (&ra);
  result_clear (&rr);
}

/* retransmit-2xx: the 200 to an INVITE goes again at T1, 3T1, 7T1, ...
 * until the ACK (a new transaction, matched by Call-ID, CSeq and To tag),
 * which still reaches the receiver; without an ACK delivery-failed after
 * 64*T1. */
static void on_delivery_failed (NetSipDispatcher *d,
                                const char       *id,
                                const GError     *error,
                                gpointer          user_data);

static void
test_retransmit_2xx (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipMessage) invite2 = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipRequest) ack = NULL;
  g_autoptr(GPtrArray) responses = NULL;
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *to = NULL;
  const gint64 expected[] = { 0, 40, 120, 280 };
  Peer peer = { 0 };
  guint n_before;
  gint64 start;

  g_object_set (f->b, "t1", 40, "t2", 160, "retransmit-2xx", TRUE, NULL);
  g_signal_connect (f->b, "delivery-failed", G_CALLBACK (on_delivery_failed), failed);
  f->rb->answer = 200;
  peer_init (&peer, f->spec);
  peer_send (&peer, invite, f->leg_b);
  peer_wait (&peer, 4);
  responses = sends_of (f->sent_b, NULL);
  check_schedule (responses, expected, G_N_ELEMENTS (expected));
  for (guint i = 0; i < 4; i++)
    g_assert_cmpuint (net_sip_response_get_code (g_ptr_array_index (peer.messages, i)), ==, 200);

  ack = net_sip_request_new ("ACK", "sip:bob@127.0.0.1");
  to = g_strdup_printf ("<sip:bob@example.org>;tag=%s",
                        net_sip_message_get_to_tag (g_ptr_array_index (peer.messages, 0)));
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "From", "<sip:alice@example.com>;tag=a1");
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "To", to);
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Call-ID", net_sip_message_get_call_id (invite));
  net_sip_message_add_header (NET_SIP_MESSAGE (ack), "CSeq", "1 ACK");
  peer_send (&peer, NET_SIP_MESSAGE (ack), f->leg_b);
  while (count_method (f->rb->messages, "ACK") < 1)
    netsip_test_run_for (5);
  netsip_test_run_for (20);
  n_before = peer.messages->len;
  netsip_test_run_for (400);
  g_assert_cmpuint (peer.messages->len, ==, n_before);
  g_assert_cmpuint (counter (f->b, "unmatched-acks"), ==, 1);

  /* no ACK at all: retransmissions until 64*T1 = 2560 ms, then failure */
  g_object_set (f->b, "t1", 10, "t2", 40, NULL);
  g_ptr_array_set_size (f->sent_b, 0);
  start = g_get_monotonic_time ();
  peer_send (&peer, invite2, f->leg_b);
  while (failed->len < 1)
    netsip_test_run_for (10);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, >=, 640 - EARLY_MS);
  g_assert_cmpint ((g_get_monotonic_time () - start) / 1000, <=, 640 + 100);
  g_assert_cmpstr (g_ptr_array_index (failed, 0), ==, net_sip_message_get_tid (invite2));
  {
    g_autoptr(GPtrArray) again = sends_of (f->sent_b, NULL);
    /* 0, 10, 30, 70, then every 40 ms up to 640: 4 + 14 */
    g_assert_cmpuint (again->len, >=, 16);
    g_assert_cmpuint (again->len, <=, 19);
  }
  g_signal_handlers_disconnect_by_data (f->b, failed);
  peer_clear (&peer);
}

/* §9.1: a CANCEL goes where its INVITE went, on the INVITE's branch, even
 * when its Request-URI would resolve elsewhere; the 487 is ACKed */
static void
test_cancel_request (Fixture       *f,
                     gconstpointer  data)
{
  /* the Request-URI names port 5060, where nobody listens */
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", "sip:bob@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(NetSipRequest) cancel = NULL;
  g_autoptr(NetSipResponse) ringing = NULL;
  g_autoptr(NetSipResponse) cancelled = NULL;
  g_autoptr(NetSipResponse) terminated = NULL;
  NetSipMessage *got;
  Peer peer = { 0 };
  Result ri = { 0 }, rc = { 0 };

  g_object_set (f->a, "t1", 30, NULL);
  peer_init (&peer, f->spec);
  o = options_to (peer.leg);
  net_sip_dispatcher_deliver_async (f->a, invite, o, NULL, on_delivered, &ri);
  peer_wait (&peer, 1);
  ringing = net_sip_request_create_response (NET_SIP_REQUEST (g_ptr_array_index (peer.messages, 0)),
                                             180, NULL, "uas");
  net_sip_leg_deliver_async (peer.leg, NET_SIP_MESSAGE (ringing), address_of (f->leg_a), NULL, sent_ok, NULL);
  while (f->ra->messages->len < 1)
    netsip_test_run_for (5);
  g_assert_cmpint (net_sip_transaction_get_state (net_sip_dispatcher_get_transaction (f->a, net_sip_message_get_tid (invite))),
                   ==, NET_SIP_TRANSACTION_STATE_PROCEEDING);
  /* no more INVITE retransmissions in Proceeding */
  netsip_test_run_for (150);
  {
    g_autoptr(GPtrArray) invites = sends_of (f->sent_a, "INVITE");
    guint n = invites->len;
    netsip_test_run_for (150);
    g_ptr_array_unref (invites);
    invites = sends_of (f->sent_a, "INVITE");
    g_assert_cmpuint (invites->len, ==, n);
  }

  cancel = net_sip_request_create_cancel (NET_SIP_REQUEST (invite));
  net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (cancel), NULL, NULL, on_delivered, &rc);
  while (count_method (peer.messages, "CANCEL") < 1)
    netsip_test_run_for (5);
  got = NULL;
  for (guint i = 0; i < peer.messages->len; i++)
    if (net_sip_message_is_request (g_ptr_array_index (peer.messages, i)) &&
        strcmp (net_sip_message_get_method (g_ptr_array_index (peer.messages, i)), "CANCEL") == 0)
      got = g_ptr_array_index (peer.messages, i);
  g_assert_nonnull (got);
  g_assert_cmpstr (net_sip_via_get_branch (net_sip_message_get_top_via (got, NULL)), ==,
                   net_sip_via_get_branch (net_sip_message_get_top_via (invite, NULL)));
  cancelled = net_sip_request_create_response (NET_SIP_REQUEST (got), 200, NULL, "uas");
  net_sip_leg_deliver_async (peer.leg, NET_SIP_MESSAGE (cancelled), address_of (f->leg_a), NULL, sent_ok, NULL);
  run_until (result_done, &rc);
  g_assert_no_error (rc.error);
  g_assert_cmpuint (net_sip_response_get_code (rc.response), ==, 200);

  terminated = net_sip_request_create_response (NET_SIP_REQUEST (g_ptr_array_index (peer.messages, 0)),
                                                487, NULL, "uas");
  net_sip_leg_deliver_async (peer.leg, NET_SIP_MESSAGE (terminated), address_of (f->leg_a), NULL, sent_ok, NULL);
  run_until (result_done, &ri);
  g_assert_no_error (ri.error);
  g_assert_cmpuint (net_sip_response_get_code (ri.response), ==, 487);
  while (count_method (peer.messages, "ACK") < 1)
    netsip_test_run_for (5);
  peer_clear (&peer);
  result_clear (&ri);
  result_clear (&rc);
}

/* do-retransmits FALSE: one send, done when sent; a response to it still
 * reaches the receiver (a stateless proxy, §16.11) */
static void
test_stateless (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  Peer peer = { 0 };
  Result r = { 0 };

  g_object_set (f->a, "t1", 20, NULL);
  peer_init (&peer, f->spec);
  o = options_to (peer.leg);
  net_sip_delivery_options_set_do_retransmits (o, FALSE);
  net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_null (r.response);
  peer_wait (&peer, 1);
  netsip_test_run_for (200);
  sends = sends_of (f->sent_a, "OPTIONS");
  g_assert_cmpuint (sends->len, ==, 1);
  g_assert_cmpuint (peer.messages->len, ==, 1);

  ok = net_sip_request_create_response (NET_SIP_REQUEST (g_ptr_array_index (peer.messages, 0)),
                                        200, NULL, "sl");
  net_sip_leg_deliver_async (peer.leg, NET_SIP_MESSAGE (ok), address_of (f->leg_a), NULL, sent_ok, NULL);
  while (f->ra->messages->len < 1)
    netsip_test_run_for (5);
  g_assert_cmpuint (counter (f->a, "dropped-responses"), ==, 0);
  peer_clear (&peer);
  result_clear (&r);
}

/* A plain UDP socket for what a leg would not send: RFC 2543 requests
 * without a branch. */
typedef struct
{
  GSocket *socket;
  guint16  port;
} RawSocket;

static void
raw_open (RawSocket *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;

  raw->socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (raw->socket, any, TRUE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (raw->socket, &error);
  g_assert_no_error (error);
  raw->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static void
raw_send (RawSocket  *raw,
          const char *text,
          NetSipLeg  *to)
{
  g_autoptr(GError) error = NULL;
  g_socket_send_to (raw->socket, G_SOCKET_ADDRESS (address_of (to)), text, strlen (text), NULL, &error);
  g_assert_no_error (error);
}

static gboolean
raw_readable (gpointer data)
{
  return g_socket_condition_check (((RawSocket *) data)->socket, G_IO_IN) & G_IO_IN;
}

/* Waits for a datagram and parses it */
static NetSipMessage *
raw_receive (RawSocket *raw)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  char buf[4096];
  gssize n;
  NetSipMessage *m;

  run_until (raw_readable, raw);
  n = g_socket_receive (raw->socket, buf, sizeof buf, NULL, &error);
  g_assert_no_error (error);
  bytes = g_bytes_new (buf, n);
  m = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  return m;
}

/* §17.2.3 for RFC 2543 peers: without a magic-cookie branch a request
 * matches by Request-URI, From tag, Call-ID, CSeq and top Via; the ACK
 * for a non-2xx matches its INVITE the same way. */
static void
test_rfc2543_matching (Fixture       *f,
                       gconstpointer  data)
{
  RawSocket raw = { 0 };
  guint n;
  g_autofree char *options = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *ack = NULL;
  const char *fmt =
    "%s sip:bob@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:%u\r\n"
    "From: <sip:old@127.0.0.1>;tag=2543\r\n"
    "To: <sip:bob@127.0.0.1>%s\r\n"
    "Call-ID: %s@127.0.0.1\r\n"
    "CSeq: %s\r\n"
    "Content-Length: 0\r\n\r\n";

  g_object_set (f->b, "t1", 40, NULL);
  raw_open (&raw);
  f->rb->answer = 404;
  options = g_strdup_printf (fmt, "OPTIONS", raw.port, "", "old-options", "1 OPTIONS");
  raw_send (&raw, options, f->leg_b);
  {
    g_autoptr(NetSipMessage) m = raw_receive (&raw);
    g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 404);
  }
  raw_send (&raw, options, f->leg_b);
  {
    g_autoptr(NetSipMessage) m = raw_receive (&raw);
    g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 404);
  }
  g_assert_cmpuint (f->rb->messages->len, ==, 1);
  g_assert_cmpuint (counter (f->b, "absorbed-requests"), ==, 1);
  g_object_get (f->b, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, 1);

  /* INVITE answered 404; the ACK (To tag of the response) stops Timer G */
  invite = g_strdup_printf (fmt, "INVITE", raw.port, "", "old-invite", "1 INVITE");
  ack = g_strdup_printf (fmt, "ACK", raw.port, ";tag=srv", "old-invite", "1 ACK");
  raw_send (&raw, invite, f->leg_b);
  {
    g_autoptr(NetSipMessage) m = raw_receive (&raw);
    g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 404);
    g_assert_cmpstr (net_sip_message_get_to_tag (m), ==, "srv");
  }
  raw_send (&raw, ack, f->leg_b);
  while (counter (f->b, "absorbed-acks") < 1)
    netsip_test_run_for (5);
  /* drain a retransmission that crossed the ACK, then nothing more */
  netsip_test_run_for (50);
  while (raw_readable (&raw))
    g_object_unref (raw_receive (&raw));
  netsip_test_run_for (300);
  g_assert_false (raw_readable (&raw));
  g_assert_cmpuint (count_method (f->rb->messages, "ACK"), ==, 0);
  g_assert_cmpuint (counter (f->b, "unmatched-acks"), ==, 0);
  g_clear_object (&raw.socket);
}

/* A stateless dispatcher keeps no server transactions: each copy of a
 * retransmitted request reaches the receiver (to be forwarded again). */
static void
test_stateless_server (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  Peer peer = { 0 };
  guint n;

  g_object_set (f->b, "do-retransmits", FALSE, NULL);
  peer_init (&peer, f->spec);
  peer_send (&peer, req, f->leg_b);
  peer_send (&peer, req, f->leg_b);
  while (f->rb->messages->len < 2)
    netsip_test_run_for (5);
  g_object_get (f->b, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, 0);
  g_assert_cmpuint (counter (f->b, "absorbed-requests"), ==, 0);
  g_assert_cmpstr (net_sip_message_get_tid (g_ptr_array_index (f->rb->messages, 0)), ==,
                   net_sip_message_get_tid (g_ptr_array_index (f->rb->messages, 1)));
  peer_clear (&peer);
}

/* A refused TCP connection fails the delivery with the transport error */
static void
test_tcp_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(NetSipMessage) req = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o = NULL;
  g_autoptr(GInetSocketAddress) closed = NULL;
  guint16 port;
  Result r = { 0 };

  /* a port that was just free */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(NetSipLeg) gone = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
    g_assert_no_error (error);
    port = net_sip_leg_get_port (gone);
  }
  closed = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new_from_string ("127.0.0.1", port));
  o = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_destination (o, closed);
  net_sip_dispatcher_deliver_async (f->a, req, o, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED);
  result_clear (&r);
}

/* §17.1.3, §18.1.2: responses that match no transaction or whose Via is
 * not ours are dropped and counted; the receiver never sees them. */
static void
test_stray_responses (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipResponse) foreign = NULL;
  g_autoptr(NetSipResponse) unknown = NULL;
  g_autofree char *our_via = NULL;
  Peer peer = { 0 };

  peer_init (&peer, f->spec);
  foreign = net_sip_response_new (200, NULL);
  net_sip_message_add_header (NET_SIP_MESSAGE (foreign), "Via",
                              "SIP/2.0/UDP 192.0.2.7:5060;branch=z9hG4bKnotours");
  net_sip_message_add_header (NET_SIP_MESSAGE (foreign), "From", "<sip:a@example.com>;tag=1");
  net_sip_message_add_header (NET_SIP_MESSAGE (foreign), "To", "<sip:b@example.com>;tag=2");
  net_sip_message_add_header (NET_SIP_MESSAGE (foreign), "Call-ID", "stray-1");
  net_sip_message_add_header (NET_SIP_MESSAGE (foreign), "CSeq", "1 OPTIONS");

  /* our own sent-by, but a branch no transaction has */
  our_via = g_strdup_printf ("SIP/2.0/%s %s:%u;branch=z9hG4bKnosuchtransaction",
                             net_sip_leg_get_protocol (f->leg_a) == NET_SIP_TRANSPORT_UDP ? "UDP" : "TCP",
                             net_sip_leg_get_address (f->leg_a), net_sip_leg_get_port (f->leg_a));
  unknown = net_sip_response_new (486, NULL);
  net_sip_message_add_header (NET_SIP_MESSAGE (unknown), "Via", our_via);
  net_sip_message_add_header (NET_SIP_MESSAGE (unknown), "From", "<sip:a@example.com>;tag=1");
  net_sip_message_add_header (NET_SIP_MESSAGE (unknown), "To", "<sip:b@example.com>;tag=2");
  net_sip_message_add_header (NET_SIP_MESSAGE (unknown), "Call-ID", "stray-2");
  net_sip_message_add_header (NET_SIP_MESSAGE (unknown), "CSeq", "1 INVITE");

  peer_send (&peer, NET_SIP_MESSAGE (foreign), f->leg_a);
  peer_send (&peer, NET_SIP_MESSAGE (unknown), f->leg_a);
  while (counter (f->a, "dropped-responses") < 2)
    netsip_test_run_for (10);
  g_assert_cmpuint (counter (f->a, "dropped-responses"), ==, 2);
  g_assert_cmpuint (f->ra->messages->len, ==, 0);
  peer_clear (&peer);
}

static void
test_cancel_delivery (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipMessage) r1 = make_request ("OPTIONS", "sip:x@127.0.0.1");
  g_autoptr(NetSipMessage) r2 = make_request ("OPTIONS", "sip:x@127.0.0.1");
  g_autoptr(NetSipMessage) r3 = make_request ("INVITE", "sip:x@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o1 = NULL;
  g_autoptr(NetSipDeliveryOptions) o2 = NULL;
  g_autoptr(NetSipDeliveryOptions) o3 = NULL;
  NetSipTransaction *tx;
  Peer silent = { 0 };
  Result a = { 0 }, b = { 0 }, c = { 0 };
  guint sends_before, n;

  g_object_set (f->a, "t1", 20, NULL);
  peer_init (&silent, f->spec);

  /* by id */
  o1 = options_to (silent.leg);
  net_sip_delivery_options_set_id (o1, "my-id");
  net_sip_dispatcher_deliver_async (f->a, r1, o1, NULL, on_delivered, &a);
  netsip_test_run_for (50);
  tx = net_sip_dispatcher_get_transaction (f->a, "my-id");
  g_assert_nonnull (tx);
  g_assert_cmpint (net_sip_transaction_get_kind (tx), ==, NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE);
  g_assert_cmpstr (net_sip_transaction_get_id (tx), ==, "my-id");
  g_assert_false (net_sip_dispatcher_cancel_delivery (f->a, "other-id"));
  g_assert_true (net_sip_dispatcher_cancel_delivery (f->a, "my-id"));
  run_until (result_done, &a);
  g_assert_error (a.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
  g_assert_false (net_sip_dispatcher_cancel_delivery (f->a, "my-id"));
  g_assert_null (net_sip_dispatcher_get_transaction (f->a, "my-id"));
  sends_before = f->sent_a->len;
  netsip_test_run_for (150);
  /* over UDP Timer E would have fired several times by now */
  g_assert_cmpuint (f->sent_a->len, ==, sends_before);

  /* by Call-ID: two deliveries of one call */
  o2 = options_to (silent.leg);
  net_sip_delivery_options_set_call_id (o2, "the-call");
  o3 = options_to (silent.leg);
  net_sip_delivery_options_set_call_id (o3, "the-call");
  net_sip_dispatcher_deliver_async (f->a, r2, o2, NULL, on_delivered, &b);
  net_sip_dispatcher_deliver_async (f->a, r3, o3, NULL, on_delivered, &c);
  netsip_test_run_for (30);
  g_object_get (f->a, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, 2);
  g_assert_false (net_sip_dispatcher_cancel_delivery_by_call_id (f->a, "another-call"));
  /* an ACK of the call on its way is not stopped: it completes a 2xx's
   * handshake (RFC 3261 §13.2.2.4), which a BYE sent next relies on */
  {
    g_autofree char *uri = g_strdup_printf ("sip:x@127.0.0.1:%u;transport=%s",
                                            net_sip_leg_get_port (silent.leg),
                                            net_sip_transport_to_string (net_sip_leg_get_protocol (silent.leg)));
    g_autoptr(NetSipMessage) ack = make_request ("ACK", uri);
    /* no destination: it waits for its next hop to be resolved */
    g_autoptr(NetSipDeliveryOptions) o = net_sip_delivery_options_new ();
    Result r = { 0 };
    guint got = silent.messages->len;

    net_sip_delivery_options_set_call_id (o, "the-call");
    net_sip_dispatcher_deliver_async (f->a, ack, o, NULL, on_delivered, &r);
    g_assert_true (net_sip_dispatcher_cancel_delivery_by_call_id (f->a, "the-call"));
    run_until (result_done, &r);
    g_assert_no_error (r.error);
    netsip_test_run_for (30);
    g_assert_cmpuint (silent.messages->len, ==, got + 1);
    g_assert_cmpstr (net_sip_message_get_method (g_ptr_array_index (silent.messages, got)), ==, "ACK");
    result_clear (&r);
  }
  run_until (result_done, &b);
  run_until (result_done, &c);
  g_assert_error (b.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
  g_assert_error (c.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
  g_object_get (f->a, "n-transactions", &n, NULL);
  g_assert_cmpuint (n, ==, 0);
  g_assert_false (net_sip_dispatcher_cancel_delivery_by_call_id (f->a, "the-call"));

  /* by entry (the transaction), and through a GCancellable */
  result_clear (&a);
  {
    g_autoptr(NetSipMessage) r4 = make_request ("OPTIONS", "sip:x@127.0.0.1");
    g_autoptr(NetSipMessage) r5 = make_request ("OPTIONS", "sip:x@127.0.0.1");
    g_autoptr(NetSipDeliveryOptions) o4 = options_to (silent.leg);
    g_autoptr(NetSipDeliveryOptions) o5 = options_to (silent.leg);
    g_autoptr(GCancellable) cancellable = g_cancellable_new ();
    Result d = { 0 };

    net_sip_delivery_options_set_id (o4, "entry");
    net_sip_dispatcher_deliver_async (f->a, r4, o4, NULL, on_delivered, &a);
    netsip_test_run_for (10);
    tx = net_sip_dispatcher_get_transaction (f->a, "entry");
    g_assert_nonnull (tx);
    /* the dispatcher drops its references when the delivery ends */
    g_object_ref (tx);
    g_assert_true (net_sip_dispatcher_cancel_delivery_transaction (f->a, tx));
    g_assert_false (net_sip_dispatcher_cancel_delivery_transaction (f->a, tx));
    g_assert_cmpint (net_sip_transaction_get_state (tx), ==, NET_SIP_TRANSACTION_STATE_TERMINATED);
    g_assert_finalize_object (tx);
    run_until (result_done, &a);
    g_assert_error (a.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);

    net_sip_dispatcher_deliver_async (f->a, r5, o5, cancellable, on_delivered, &d);
    netsip_test_run_for (10);
    g_cancellable_cancel (cancellable);
    run_until (result_done, &d);
    g_assert_error (d.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
    g_object_get (f->a, "n-transactions", &n, NULL);
    g_assert_cmpuint (n, ==, 0);
    result_clear (&d);
  }

  /* while the Request-URI is being resolved: by Call-ID, and by id */
  {
    g_autofree char *ruri = g_strdup_printf ("sip:x@127.0.0.1:%u;transport=%s",
                                             net_sip_leg_get_port (silent.leg),
                                             net_sip_transport_to_string (net_sip_leg_get_protocol (silent.leg)));
    g_autoptr(NetSipMessage) r6 = make_request ("OPTIONS", ruri);
    g_autoptr(NetSipMessage) r7 = make_request ("OPTIONS", ruri);
    g_autoptr(NetSipDeliveryOptions) o7 = net_sip_delivery_options_new ();
    Result d6 = { 0 }, d7 = { 0 };
    guint received = silent.messages->len;

    net_sip_delivery_options_set_id (o7, "resolving-id");
    net_sip_dispatcher_deliver_async (f->a, r6, NULL, NULL, on_delivered, &d6);
    net_sip_dispatcher_deliver_async (f->a, r7, o7, NULL, on_delivered, &d7);
    g_assert_true (net_sip_dispatcher_cancel_delivery_by_call_id (f->a, net_sip_message_get_call_id (r6)));
    g_assert_true (net_sip_dispatcher_cancel_delivery (f->a, "resolving-id"));
    run_until (result_done, &d6);
    run_until (result_done, &d7);
    g_assert_error (d6.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
    g_assert_error (d7.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
    netsip_test_run_for (50);
    g_assert_cmpuint (silent.messages->len, ==, received);
    g_object_get (f->a, "n-pending", &n, NULL);
    g_assert_cmpuint (n, ==, 0);
    result_clear (&d6);
    result_clear (&d7);
  }
  peer_clear (&silent);
  result_clear (&a);
  result_clear (&b);
  result_clear (&c);
}

typedef struct
{
  gboolean done;
  GError  *error;
} Signals;

static void
on_delivery_failed (NetSipDispatcher *d,
                    const char       *id,
                    const GError     *error,
                    gpointer          user_data)
{
  GPtrArray *ids = user_data;
  g_assert_nonnull (error);
  g_ptr_array_add (ids, g_strdup (id));
}

static void
on_delivery_done (NetSipDispatcher *d,
                  const char       *id,
                  NetSipResponse   *response,
                  gpointer          user_data)
{
  GPtrArray *ids = user_data;
  g_ptr_array_add (ids, g_strdup (id));
}

/* delivery-done and delivery-failed carry the id */
static void
test_delivery_signals (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipMessage) r1 = make_request ("OPTIONS", "sip:x@127.0.0.1");
  g_autoptr(NetSipMessage) r2 = make_request ("OPTIONS", "sip:x@127.0.0.1");
  g_autoptr(NetSipDeliveryOptions) o1 = options_to (f->leg_b);
  g_autoptr(NetSipDeliveryOptions) o2 = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) failed = g_ptr_array_new_with_free_func (g_free);
  Peer silent = { 0 };
  Result a = { 0 }, b = { 0 };

  g_object_set (f->a, "t1", 10, NULL);
  g_signal_connect (f->a, "delivery-done", G_CALLBACK (on_delivery_done), done);
  g_signal_connect (f->a, "delivery-failed", G_CALLBACK (on_delivery_failed), failed);
  f->rb->answer = 200;
  net_sip_delivery_options_set_id (o1, "ok-id");
  net_sip_dispatcher_deliver_async (f->a, r1, o1, NULL, on_delivered, &a);
  peer_init (&silent, f->spec);
  o2 = options_to (silent.leg);
  net_sip_dispatcher_deliver_async (f->a, r2, o2, NULL, on_delivered, &b);
  run_until (result_done, &a);
  run_until (result_done, &b);
  g_assert_no_error (a.error);
  g_assert_error (b.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT);
  g_assert_cmpuint (done->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (done, 0), ==, "ok-id");
  g_assert_cmpuint (failed->len, ==, 1);
  /* the default id is the transaction key */
  g_assert_true (g_str_has_prefix (g_ptr_array_index (failed, 0), "z9hG4bK"));
  g_assert_cmpstr (g_ptr_array_index (failed, 0), ==, net_sip_message_get_tid (r2));
  g_signal_handlers_disconnect_by_data (f->a, done);
  g_signal_handlers_disconnect_by_data (f->a, failed);
  peer_clear (&silent);
  result_clear (&a);
  result_clear (&b);
}

/* Past max-queue a new request gets 503 with Retry-After; the pending
 * transactions go on (their retransmissions are answered, their answers
 * go out). */
static void
test_queue_bound (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(NetSipMessage) r1 = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  g_autoptr(NetSipMessage) r2 = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  g_autoptr(NetSipMessage) r3 = make_request ("OPTIONS", "sip:bob@127.0.0.1");
  g_autoptr(NetSipResponse) ok = NULL;
  NetSipMessage *m;
  Peer peer = { 0 };
  Result r = { 0 };
  guint n;

  g_object_set (f->b, "max-queue", 2, "retry-after", 7, NULL);
  peer_init (&peer, f->spec);
  peer_send (&peer, r1, f->leg_b);
  peer_send (&peer, r2, f->leg_b);
  while (f->rb->messages->len < 2)
    netsip_test_run_for (5);
  peer_send (&peer, r3, f->leg_b);
  peer_wait (&peer, 1);
  m = g_ptr_array_index (peer.messages, 0);
  g_assert_true (NET_SIP_IS_RESPONSE (m));
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 503);
  g_assert_cmpstr (net_sip_message_get_header (m, "Retry-After"), ==, "7");
  g_assert_cmpstr (net_sip_message_get_call_id (m), ==, net_sip_message_get_call_id (r3));
  g_assert_cmpuint (counter (f->b, "rejected-requests"), ==, 1);
  g_assert_cmpuint (f->rb->messages->len, ==, 2);
  g_object_get (f->b, "n-pending", &n, NULL);
  g_assert_cmpuint (n, ==, 2);

  /* a retransmission of r1 is absorbed, not rejected */
  peer_send (&peer, r1, f->leg_b);
  netsip_test_run_for (50);
  g_assert_cmpuint (peer.messages->len, ==, 1);
  g_assert_cmpuint (counter (f->b, "absorbed-requests"), ==, 1);
  g_assert_cmpuint (counter (f->b, "rejected-requests"), ==, 1);

  /* the receiver's answer to r1 still goes out */
  ok = net_sip_request_create_response (NET_SIP_REQUEST (g_ptr_array_index (f->rb->messages, 0)),
                                        200, NULL, "q");
  net_sip_dispatcher_deliver_async (f->b, NET_SIP_MESSAGE (ok), NULL, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  peer_wait (&peer, 2);
  m = g_ptr_array_index (peer.messages, 1);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (m)), ==, 200);
  g_assert_cmpstr (net_sip_message_get_call_id (m), ==, net_sip_message_get_call_id (r1));

  /* answered finally, r1 no longer counts (over UDP its transaction stays
   * for Timer J, but only to answer retransmissions) */
  g_object_get (f->b, "n-pending", &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  /* a new request from the peer fits again */
  {
    g_autoptr(NetSipMessage) r5 = make_request ("OPTIONS", "sip:bob@127.0.0.1");
    peer_send (&peer, r5, f->leg_b);
    while (f->rb->messages->len < 3)
      netsip_test_run_for (5);
    g_assert_cmpuint (counter (f->b, "rejected-requests"), ==, 1);
  }

  /* a local request past the bound fails at once (r2 and r5 pending) */
  {
    g_autoptr(NetSipMessage) r4 = make_request ("OPTIONS", "sip:bob@127.0.0.1");
    g_autoptr(NetSipDeliveryOptions) o = options_to (peer.leg);
    Result q = { 0 };

    net_sip_dispatcher_deliver_async (f->b, r4, o, NULL, on_delivered, &q);
    run_until (result_done, &q);
    g_assert_error (q.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_QUEUE_FULL);
    result_clear (&q);
  }
  peer_clear (&peer);
  result_clear (&r);
}

/* ------------------------------------------------------------------ */
/* Resolution: maddr, domain2proxy, outgoing-proxy, IP literal         */

typedef struct
{
  gboolean   done;
  GPtrArray *targets;
  GPtrArray *legs;
  GError    *error;
} Resolved;

static void
on_resolved (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Resolved *r = user_data;
  net_sip_dispatcher_resolve_uri_finish (NET_SIP_DISPATCHER (source), result,
                                         &r->targets, &r->legs, &r->error);
  r->done = TRUE;
}

static gboolean
resolved_done (gpointer data)
{
  return ((Resolved *) data)->done;
}

/* Resolves @uri_text and returns the first target as a string */
static char *
resolve_first (NetSipDispatcher *d,
               const char       *uri_text,
               NetSipLeg       **leg)
{
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (uri_text, -1, NULL);
  Resolved r = { 0 };
  char *s;

  g_autoptr(GPtrArray) now_targets = NULL;
  g_autoptr(GPtrArray) now_legs = NULL;
  g_autoptr(GError) now_error = NULL;
  g_autofree char *now_first = NULL;

  g_assert_nonnull (uri);
  net_sip_dispatcher_resolve_uri_async (d, uri, NULL, 0, NULL, 0, NULL, on_resolved, &r);
  run_until (resolved_done, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.targets->len, >=, 1);
  g_assert_cmpuint (r.targets->len, ==, r.legs->len);
  s = net_sip_target_to_string (g_ptr_array_index (r.targets, 0));
  /* every next hop here is an IP address: the synchronous form gives the
   * same at once */
  g_assert_true (net_sip_dispatcher_resolve_uri_numeric (d, uri, NULL, 0, NULL, 0, &now_targets,
                                                         &now_legs, &now_error));
  g_assert_no_error (now_error);
  g_assert_cmpuint (now_targets->len, ==, r.targets->len);
  now_first = net_sip_target_to_string (g_ptr_array_index (now_targets, 0));
  g_assert_cmpstr (now_first, ==, s);
  g_assert_true (g_ptr_array_index (now_legs, 0) == g_ptr_array_index (r.legs, 0));
  if (leg)
    *leg = g_object_ref (g_ptr_array_index (r.legs, 0));
  g_ptr_array_unref (r.targets);
  g_ptr_array_unref (r.legs);
  return s;
}

static void
test_proxy_selection (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) tcp = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(GHashTable) map = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) back = NULL;
  NetSipLeg *legs[2];
  char *s;

  g_assert_no_error (error);
  tcp = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = udp;
  legs[1] = tcp;
  d = net_sip_dispatcher_new (legs, 2);

  g_hash_table_insert (map, "example.com", "127.0.0.11:5070");
  g_hash_table_insert (map, "*.example.org", "udp:127.0.0.12");
  g_hash_table_insert (map, "*", "tcp:127.0.0.13:5080");
  g_object_set (d, "domain2proxy", map, "outgoing-proxy", "127.0.0.14:5090", NULL);
  g_object_get (d, "domain2proxy", &back, NULL);
  g_assert_cmpuint (g_hash_table_size (back), ==, 3);

  g_assert_cmpstr (net_sip_dispatcher_get_domain_proxy (d, "EXAMPLE.com"), ==, "127.0.0.11:5070");
  g_assert_cmpstr (net_sip_dispatcher_get_domain_proxy (d, "example.org"), ==, "udp:127.0.0.12");
  g_assert_cmpstr (net_sip_dispatcher_get_domain_proxy (d, "a.b.example.org"), ==, "udp:127.0.0.12");
  g_assert_cmpstr (net_sip_dispatcher_get_domain_proxy (d, "sub.example.com"), ==, "tcp:127.0.0.13:5080");
  g_assert_cmpstr (net_sip_dispatcher_get_domain_proxy (d, "xexample.org"), ==, "tcp:127.0.0.13:5080");

  /* exact domain */
  s = resolve_first (d, "sip:bob@example.com", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.11:5070");
  g_free (s);
  /* *.domain: the domain and its subdomains; default port */
  s = resolve_first (d, "sip:bob@example.org", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.12:5060");
  g_free (s);
  s = resolve_first (d, "sip:bob@deep.sub.example.org", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.12:5060");
  g_free (s);
  /* * as fallback, over TCP through the TCP leg */
  {
    g_autoptr(NetSipLeg) leg = NULL;
    s = resolve_first (d, "sip:bob@elsewhere.net", &leg);
    g_assert_cmpstr (s, ==, "tcp:127.0.0.13:5080");
    g_assert_true (leg == tcp);
    g_free (s);
  }
  /* maddr beats everything */
  s = resolve_first (d, "sip:bob@example.com;maddr=127.0.0.15", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.15:5060");
  g_free (s);

  /* a proxy by name needs DNS: the synchronous form says so without an
   * error, and asks nothing */
  net_sip_dispatcher_set_domain_proxy (d, "*", "proxy.example.test");
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sip:bob@elsewhere.net", -1, NULL);
    g_autoptr(GError) now_error = NULL;
    GPtrArray *targets = NULL;

    g_assert_false (net_sip_dispatcher_resolve_uri_numeric (d, uri, NULL, 0, NULL, 0, &targets,
                                                            NULL, &now_error));
    g_assert_no_error (now_error);
    g_assert_null (targets);
  }

  /* without the fallback: the outgoing proxy */
  net_sip_dispatcher_set_domain_proxy (d, "*", NULL);
  s = resolve_first (d, "sip:bob@elsewhere.net", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.14:5090");
  g_free (s);
  /* domain2proxy still wins over the outgoing proxy */
  s = resolve_first (d, "sip:bob@example.com", NULL);
  g_assert_cmpstr (s, ==, "udp:127.0.0.11:5070");
  g_free (s);

  /* without proxies: the IP literal of the URI itself, UDP then TCP */
  g_object_set (d, "outgoing-proxy", NULL, "domain2proxy", NULL, NULL);
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sip:bob@127.0.0.16:5099", -1, NULL);
    Resolved r = { 0 };
    g_autofree char *t0 = NULL, *t1 = NULL;

    net_sip_dispatcher_resolve_uri_async (d, uri, NULL, 0, NULL, 0, NULL, on_resolved, &r);
    run_until (resolved_done, &r);
    g_assert_no_error (r.error);
    g_assert_cmpuint (r.targets->len, ==, 2);
    t0 = net_sip_target_to_string (r.targets->pdata[0]);
    t1 = net_sip_target_to_string (r.targets->pdata[1]);
    g_assert_cmpstr (t0, ==, "udp:127.0.0.16:5099");
    g_assert_cmpstr (t1, ==, "tcp:127.0.0.16:5099");
    g_assert_true (r.legs->pdata[0] == (gpointer) udp);
    g_assert_true (r.legs->pdata[1] == (gpointer) tcp);
    g_ptr_array_unref (r.targets);
    g_ptr_array_unref (r.legs);
  }
  /* only allowed legs: the TCP one */
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sip:bob@127.0.0.16:5099", -1, NULL);
    Resolved r = { 0 };
    NetSipLeg *only[] = { tcp };

    net_sip_dispatcher_resolve_uri_async (d, uri, NULL, 0, only, 1, NULL, on_resolved, &r);
    run_until (resolved_done, &r);
    g_assert_no_error (r.error);
    g_assert_cmpuint (r.targets->len, ==, 1);
    g_assert_true (r.legs->pdata[0] == (gpointer) tcp);
    g_ptr_array_unref (r.targets);
    g_ptr_array_unref (r.legs);
  }
  /* no leg for TLS */
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sips:bob@127.0.0.16", -1, NULL);
    Resolved r = { 0 };

    g_autoptr(GError) now_error = NULL;

    net_sip_dispatcher_resolve_uri_async (d, uri, NULL, 0, NULL, 0, NULL, on_resolved, &r);
    run_until (resolved_done, &r);
    g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_NO_LEG);
    g_clear_error (&r.error);
    g_assert_false (net_sip_dispatcher_resolve_uri_numeric (d, uri, NULL, 0, NULL, 0, NULL, NULL,
                                                            &now_error));
    g_assert_error (now_error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_NO_LEG);
  }
  g_assert_finalize_object (g_steal_pointer (&d));
}

/* The leg a target gets among legs on 127.0.0.1 and 127.0.0.2: the one
 * bound to the target's address, else the longest common prefix, else
 * the first; a request to 127.0.0.2 leaves from the 127.0.0.2 leg. */
static void
test_leg_choice (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) l1 = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) l2 = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  NetSipLeg *legs[2];
  static const struct { const char *uri; guint leg; } cases[] = {
    { "sip:bob@127.0.0.1:5999", 1 },
    { "sip:bob@127.0.0.2:5999", 2 },
    { "sip:bob@127.0.0.3:5999", 2 },   /* ...0011: 31 bits with .2, 30 with .1 */
    { "sip:bob@127.0.0.5:5999", 0 },   /* ...0101: 29 bits with each: the first */
    { "sip:bob@127.1.0.1:5999", 0 },   /* the same prefix: the first */
    { "sip:bob@10.0.0.1:5999", 0 },    /* no common subnet: the first */
  };

  g_assert_no_error (error);
  l2 = net_sip_leg_new ("udp:127.0.0.2:0", &error);
  g_assert_no_error (error);

  /* both orders of the legs: the tie-break is the order */
  for (guint order = 0; order < 2; order++)
    {
      g_autoptr(NetSipDispatcher) disp = NULL;

      legs[0] = order == 0 ? l1 : l2;
      legs[1] = order == 0 ? l2 : l1;
      disp = net_sip_dispatcher_new (legs, 2);
      for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
        {
          g_autoptr(NetSipLeg) leg = NULL;
          g_autofree char *s = resolve_first (disp, cases[i].uri, &leg);
          NetSipLeg *expected = cases[i].leg == 1 ? l1 : cases[i].leg == 2 ? l2 : legs[0];

          g_test_message ("%s -> %s", cases[i].uri, net_sip_leg_get_address (leg));
          g_assert_true (leg == expected);
        }
      g_assert_finalize_object (g_steal_pointer (&disp));
    }

  /* a delivery to a peer on 127.0.0.2 leaves from the 127.0.0.2 leg,
   * to a peer on 127.0.0.1 from the 127.0.0.1 leg (l2 listed first) */
  {
    Peer p1 = { 0 }, p2 = { 0 };
    g_autoptr(NetSipMessage) m1 = NULL;
    g_autoptr(NetSipMessage) m2 = NULL;
    g_autofree char *u1 = NULL, *u2 = NULL;
    Result a = { 0 }, b = { 0 };

    legs[0] = l2;
    legs[1] = l1;
    d = net_sip_dispatcher_new (legs, 2);
    g_object_set (d, "t1", 20, NULL);
    peer_init (&p1, "udp:127.0.0.1:0");
    peer_init (&p2, "udp:127.0.0.2:0");
    u1 = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (p1.leg));
    u2 = g_strdup_printf ("sip:bob@127.0.0.2:%u", net_sip_leg_get_port (p2.leg));
    m1 = make_request ("OPTIONS", u1);
    m2 = make_request ("OPTIONS", u2);
    net_sip_dispatcher_deliver_async (d, m1, NULL, NULL, on_delivered, &a);
    net_sip_dispatcher_deliver_async (d, m2, NULL, NULL, on_delivered, &b);
    peer_wait (&p1, 1);
    peer_wait (&p2, 1);
    for (guint i = 0; i < 2; i++)
      {
        Peer *p = i == 0 ? &p1 : &p2;
        NetSipLeg *from = i == 0 ? l1 : l2;
        NetSipMessage *req = g_ptr_array_index (p->messages, 0);
        const char *via = net_sip_message_get_header (req, "Via");
        g_autofree char *sent_by = g_strdup_printf ("%s:%u", net_sip_leg_get_address (from),
                                                    net_sip_leg_get_port (from));
        g_autoptr(NetSipResponse) resp =
          net_sip_request_create_response (NET_SIP_REQUEST (req), 200, NULL, "lc");

        g_assert_nonnull (via);
        g_assert_nonnull (strstr (via, sent_by));
        net_sip_leg_deliver_async (p->leg, NET_SIP_MESSAGE (resp), address_of (from), NULL, sent_ok, NULL);
      }
    run_until (result_done, &a);
    run_until (result_done, &b);
    g_assert_no_error (a.error);
    g_assert_no_error (b.error);
    peer_clear (&p1);
    peer_clear (&p2);
    result_clear (&a);
    result_clear (&b);
    g_assert_finalize_object (g_steal_pointer (&d));
  }
}

/* A request to a domain with a domain2proxy entry arrives at the proxy;
 * the Request-URI is unchanged. Then the same with outgoing-proxy. */
static void
test_proxy_delivery (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(NetSipMessage) r1 = make_request ("OPTIONS", "sip:bob@sub.example.org");
  g_autoptr(NetSipMessage) r2 = make_request ("MESSAGE", "sip:carol@example.net");
  g_autofree char *proxy1 = NULL;
  g_autofree char *proxy2 = NULL;
  Peer p1 = { 0 }, p2 = { 0 };
  Result a = { 0 }, b = { 0 };

  g_assert_no_error (error);
  d = net_sip_dispatcher_new (&leg, 1);
  g_object_set (d, "t1", 20, NULL);
  peer_init (&p1, "udp:127.0.0.1:0");
  peer_init (&p2, "udp:127.0.0.1:0");
  proxy1 = g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (p1.leg));
  proxy2 = g_strdup_printf ("sip:127.0.0.1:%u", net_sip_leg_get_port (p2.leg));
  net_sip_dispatcher_set_domain_proxy (d, "*.example.org", proxy1);
  g_object_set (d, "outgoing-proxy", proxy2, NULL);

  net_sip_dispatcher_deliver_async (d, r1, NULL, NULL, on_delivered, &a);
  net_sip_dispatcher_deliver_async (d, r2, NULL, NULL, on_delivered, &b);
  peer_wait (&p1, 1);
  peer_wait (&p2, 1);
  g_assert_cmpstr (net_sip_request_get_uri (g_ptr_array_index (p1.messages, 0)), ==,
                   "sip:bob@sub.example.org");
  g_assert_cmpstr (net_sip_request_get_uri (g_ptr_array_index (p2.messages, 0)), ==,
                   "sip:carol@example.net");
  g_assert_cmpstr (net_sip_message_get_method (g_ptr_array_index (p2.messages, 0)), ==, "MESSAGE");

  /* the proxies answer: the deliveries complete */
  for (guint i = 0; i < 2; i++)
    {
      Peer *p = i == 0 ? &p1 : &p2;
      NetSipMessage *req = g_ptr_array_index (p->messages, 0);
      g_autoptr(NetSipResponse) resp =
        net_sip_request_create_response (NET_SIP_REQUEST (req), 202, NULL, "px");
      net_sip_leg_deliver_async (p->leg, NET_SIP_MESSAGE (resp), address_of (leg), NULL, sent_ok, NULL);
    }
  run_until (result_done, &a);
  run_until (result_done, &b);
  g_assert_no_error (a.error);
  g_assert_no_error (b.error);
  g_assert_cmpuint (net_sip_response_get_code (a.response), ==, 202);
  g_assert_cmpuint (net_sip_response_get_code (b.response), ==, 202);
  peer_clear (&p1);
  peer_clear (&p2);
  result_clear (&a);
  result_clear (&b);
  g_assert_finalize_object (g_steal_pointer (&d));
}

/* RFC 3263 §4.3: a 503 moves on to the next target; so does a timeout */
static void
test_failover (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) tcp = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autofree char *ruri = NULL;
  Peer pu = { 0 }, pt = { 0 };
  Result r = { 0 };
  NetSipLeg *legs[2];
  GInetSocketAddress *a;

  g_assert_no_error (error);
  tcp = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = udp;
  legs[1] = tcp;
  d = net_sip_dispatcher_new (legs, 2);
  g_object_set (d, "t1", 20, NULL);

  /* one port for both peers: the UDP one answers 503, the TCP one 200 */
  peer_init (&pu, "udp:127.0.0.1:0");
  {
    g_autofree char *spec = g_strdup_printf ("tcp:127.0.0.1:%u", net_sip_leg_get_port (pu.leg));
    peer_init (&pt, spec);
  }
  ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (pu.leg));
  req = make_request ("OPTIONS", ruri);
  net_sip_dispatcher_deliver_async (d, req, NULL, NULL, on_delivered, &r);

  peer_wait (&pu, 1);
  {
    NetSipMessage *m = g_ptr_array_index (pu.messages, 0);
    g_autoptr(NetSipResponse) busy = net_sip_request_create_response (NET_SIP_REQUEST (m), 503, NULL, "u");
    g_assert_cmpstr (net_sip_via_get_transport (net_sip_message_get_top_via (m, NULL)), ==, "UDP");
    a = address_of (udp);
    net_sip_leg_deliver_async (pu.leg, NET_SIP_MESSAGE (busy), a, NULL, sent_ok, NULL);
  }
  peer_wait (&pt, 1);
  {
    NetSipMessage *m = g_ptr_array_index (pt.messages, 0);
    NetSipSourceInfo *unused = NULL;
    g_autoptr(NetSipResponse) ok = net_sip_request_create_response (NET_SIP_REQUEST (m), 200, NULL, "t");
    (void) unused;
    /* a new transaction over TCP with a new branch and a single Via */
    g_assert_cmpstr (net_sip_via_get_transport (net_sip_message_get_top_via (m, NULL)), ==, "TCP");
    g_assert_cmpuint (net_sip_message_count_headers (m, "Via"), ==, 1);
    g_assert_cmpstr (net_sip_message_get_tid (m), !=,
                     net_sip_message_get_tid (g_ptr_array_index (pu.messages, 0)));
    /* answer on the connection the request came on */
    net_sip_leg_deliver_async (pt.leg, NET_SIP_MESSAGE (ok),
                               address_of (tcp), NULL, sent_ok, NULL);
  }
  run_until (result_done, &r);
  /* the TCP peer's answer may go through a new connection to the TCP leg,
   * which is fine: the branch matches */
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  result_clear (&r);
  peer_clear (&pu);
  peer_clear (&pt);
  g_assert_finalize_object (g_steal_pointer (&d));
}

/* RFC 3263 §4.3: a transport error moves on too. A request too large for a
 * datagram fails over UDP and goes over TCP, the next target. */
static void
test_failover_transport_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) tcp = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  g_autofree char *ruri = NULL;
  g_autofree char *filler = NULL;
  Peer pt = { 0 };
  Result r = { 0 };
  NetSipLeg *legs[2];

  g_assert_no_error (error);
  tcp = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = udp;
  legs[1] = tcp;
  d = net_sip_dispatcher_new (legs, 2);
  sends = g_ptr_array_new_with_free_func (sent_free);
  g_signal_connect (d, "message-sent", G_CALLBACK (on_message_sent), sends);
  peer_init (&pt, "tcp:127.0.0.1:0");
  ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (pt.leg));
  req = make_request ("MESSAGE", ruri);
  /* more than a UDP datagram holds (65507), less than the body limit */
  filler = g_strnfill (65400, 'x');
  body = g_bytes_new (filler, strlen (filler));
  net_sip_message_set_body (req, body, "text/plain");
  net_sip_dispatcher_deliver_async (d, req, NULL, NULL, on_delivered, &r);
  peer_wait (&pt, 1);
  {
    NetSipMessage *m = g_ptr_array_index (pt.messages, 0);
    g_autoptr(NetSipResponse) ok = net_sip_request_create_response (NET_SIP_REQUEST (m), 200, NULL, "big");
    g_autoptr(GBytes) got = net_sip_message_get_body (m);
    g_assert_cmpuint (g_bytes_get_size (got), ==, 65400);
    g_assert_cmpstr (net_sip_via_get_transport (net_sip_message_get_top_via (m, NULL)), ==, "TCP");
    net_sip_leg_deliver_async (pt.leg, NET_SIP_MESSAGE (ok), address_of (tcp), NULL, sent_ok, NULL);
  }
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  /* one attempt over UDP, one over TCP */
  g_assert_cmpuint (sends->len, ==, 2);
  g_signal_handlers_disconnect_by_data (d, sends);
  result_clear (&r);
  peer_clear (&pt);
  g_assert_finalize_object (g_steal_pointer (&d));
}


/* RFC 3261 §18.4 and RFC 3263 §4.3: an ICMP port unreachable for the UDP
 * attempt fails it at once and the TCP target gets the request, long
 * before Timer F (32 s with the default T1) */
static void
test_failover_icmp (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) tcp = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autoptr(GPtrArray) sends = NULL;
  g_autofree char *ruri = NULL;
  Peer pt = { 0 };
  Result r = { 0 };
  NetSipLeg *legs[2];
  gint64 start;

  g_assert_no_error (error);
  tcp = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = udp;
  legs[1] = tcp;
  d = net_sip_dispatcher_new (legs, 2);
  sends = g_ptr_array_new_with_free_func (sent_free);
  g_signal_connect (d, "message-sent", G_CALLBACK (on_message_sent), sends);
  /* a TCP peer; nothing listens on the same port over UDP */
  peer_init (&pt, "tcp:127.0.0.1:0");
  ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (pt.leg));
  req = make_request ("OPTIONS", ruri);
  start = g_get_monotonic_time ();
  net_sip_dispatcher_deliver_async (d, req, NULL, NULL, on_delivered, &r);
  peer_wait (&pt, 1);
  /* T1 is 500 ms: the UDP attempt was not even retransmitted */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 450 * 1000);
  {
    NetSipMessage *m = g_ptr_array_index (pt.messages, 0);
    g_autoptr(NetSipResponse) ok = net_sip_request_create_response (NET_SIP_REQUEST (m), 200, NULL, "icmp");
    g_assert_cmpstr (net_sip_via_get_transport (net_sip_message_get_top_via (m, NULL)), ==, "TCP");
    net_sip_leg_deliver_async (pt.leg, NET_SIP_MESSAGE (ok), address_of (tcp), NULL, sent_ok, NULL);
  }
  run_until (result_done, &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  g_assert_cmpuint (sends->len, ==, 2);
  g_signal_handlers_disconnect_by_data (d, sends);
  result_clear (&r);
  peer_clear (&pt);
  g_assert_finalize_object (g_steal_pointer (&d));
}

/* With no other target, the ICMP error is the delivery's error */
static void
test_icmp_error (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) udp = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autoptr(NetSipLeg) gone = NULL;
  g_autofree char *ruri = NULL;
  Result r = { 0 };
  NetSipLeg *legs[1];
  gint64 start;
  guint16 port;

  g_assert_no_error (error);
  legs[0] = udp;
  d = net_sip_dispatcher_new (legs, 1);
  /* a port that was bound a moment ago and is free now */
  gone = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  port = net_sip_leg_get_port (gone);
  g_clear_object (&gone);
  ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u;transport=udp", port);
  req = make_request ("OPTIONS", ruri);
  start = g_get_monotonic_time ();
  net_sip_dispatcher_deliver_async (d, req, NULL, NULL, on_delivered, &r);
  run_until (result_done, &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 450 * 1000);
  result_clear (&r);
  g_assert_finalize_object (g_steal_pointer (&d));
}

/* ------------------------------------------------------------------ */
/* get_legs and add_timer                                              */

static gboolean
port_is_odd (NetSipLeg *leg,
             gpointer   user_data)
{
  (*(guint *) user_data)++;
  return net_sip_leg_get_port (leg) % 2 == 1;
}

static void
test_get_legs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) u1 = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) t1 = NULL;
  g_autoptr(NetSipLeg) u2 = NULL;
  g_autoptr(NetSipDispatcher) d = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) udp = NULL;
  g_autoptr(GPtrArray) by_port = NULL;
  g_autoptr(GPtrArray) by_addr = NULL;
  g_autoptr(GPtrArray) by_pool = NULL;
  g_autoptr(GPtrArray) odd = NULL;
  g_autoptr(GPtrArray) none = NULL;
  guint calls = 0, expected_odd = 0;
  NetSipLeg *legs[3];

  g_assert_no_error (error);
  t1 = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  u2 = net_sip_leg_new ("udp:127.0.0.2:0", &error);
  g_assert_no_error (error);
  legs[0] = u1;
  legs[1] = t1;
  legs[2] = u2;
  d = net_sip_dispatcher_new (legs, 2);
  net_sip_dispatcher_add_leg (d, u2);
  net_sip_dispatcher_add_leg (d, u2);   /* twice: no effect */

  all = net_sip_dispatcher_get_legs (d, NULL, 0, -1, NULL, NULL, NULL);
  g_assert_cmpuint (all->len, ==, 3);
  udp = net_sip_dispatcher_get_legs (d, NULL, 0, NET_SIP_TRANSPORT_UDP, NULL, NULL, NULL);
  g_assert_cmpuint (udp->len, ==, 2);
  g_assert_true (udp->pdata[0] == (gpointer) u1 && udp->pdata[1] == (gpointer) u2);
  by_port = net_sip_dispatcher_get_legs (d, NULL, net_sip_leg_get_port (t1), -1, NULL, NULL, NULL);
  g_assert_cmpuint (by_port->len, >=, 1);
  g_assert_true (g_ptr_array_find (by_port, t1, NULL));
  by_addr = net_sip_dispatcher_get_legs (d, "127.0.0.2", 0, -1, NULL, NULL, NULL);
  g_assert_cmpuint (by_addr->len, ==, 1);
  g_assert_true (by_addr->pdata[0] == (gpointer) u2);
  by_pool = net_sip_dispatcher_get_legs (d, NULL, 0, -1, net_sip_leg_get_socket_pool (t1), NULL, NULL);
  g_assert_cmpuint (by_pool->len, ==, 1);
  g_assert_true (by_pool->pdata[0] == (gpointer) t1);
  odd = net_sip_dispatcher_get_legs (d, NULL, 0, -1, NULL, port_is_odd, &calls);
  g_assert_cmpuint (calls, ==, 3);
  for (guint i = 0; i < 3; i++)
    expected_odd += net_sip_leg_get_port (legs[i]) % 2;
  g_assert_cmpuint (odd->len, ==, expected_odd);
  /* conditions combine: UDP on 127.0.0.1 with the TCP leg's pool: none */
  none = net_sip_dispatcher_get_legs (d, "127.0.0.1", 0, NET_SIP_TRANSPORT_UDP,
                                      net_sip_leg_get_socket_pool (t1), NULL, NULL);
  g_assert_cmpuint (none->len, ==, 0);

  g_assert_true (net_sip_dispatcher_remove_leg (d, t1));
  g_assert_false (net_sip_dispatcher_remove_leg (d, t1));
  g_ptr_array_unref (all);
  all = net_sip_dispatcher_get_legs (d, NULL, 0, -1, NULL, NULL, NULL);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_false (g_ptr_array_find (all, t1, NULL));
  g_assert_finalize_object (g_steal_pointer (&d));
}

typedef struct
{
  GArray *times;
  guint   stop_after;
  gboolean freed;
} TimerLog;

static gboolean
timer_fired (NetSipDispatcher *d,
             gpointer          user_data)
{
  TimerLog *log = user_data;
  gint64 now = g_get_monotonic_time ();

  g_assert_true (NET_SIP_IS_DISPATCHER (d));
  g_array_append_val (log->times, now);
  return log->times->len < log->stop_after ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
timer_log_freed (gpointer user_data)
{
  ((TimerLog *) user_data)->freed = TRUE;
}

static void
test_add_timer (void)
{
  g_autoptr(NetSipDispatcher) d = net_sip_dispatcher_new (NULL, 0);
  TimerLog now_log = { g_array_new (FALSE, FALSE, sizeof (gint64)), 1, FALSE };
  TimerLog rel = { g_array_new (FALSE, FALSE, sizeof (gint64)), 1, FALSE };
  TimerLog abs_log = { g_array_new (FALSE, FALSE, sizeof (gint64)), 1, FALSE };
  TimerLog rep = { g_array_new (FALSE, FALSE, sizeof (gint64)), 4, FALSE };
  TimerLog cancelled = { g_array_new (FALSE, FALSE, sizeof (gint64)), 1, FALSE };
  gint64 start = g_get_monotonic_time ();
  guint id_now, id_rel, id_abs, id_rep, id_cancel;
  double abs_when = (double) g_get_real_time () / G_USEC_PER_SEC + 0.12;

  id_now = net_sip_dispatcher_add_timer (d, 0, 0, timer_fired, &now_log, timer_log_freed);
  id_rel = net_sip_dispatcher_add_timer (d, 0.05, 0, timer_fired, &rel, timer_log_freed);
  id_abs = net_sip_dispatcher_add_timer (d, abs_when, 0, timer_fired, &abs_log, timer_log_freed);
  id_rep = net_sip_dispatcher_add_timer (d, 0.02, 0.03, timer_fired, &rep, timer_log_freed);
  id_cancel = net_sip_dispatcher_add_timer (d, 0.04, 0, timer_fired, &cancelled, timer_log_freed);
  g_assert_cmpuint (id_now, !=, 0);
  g_assert_cmpuint (id_rel, !=, id_now);
  (void) id_abs;
  (void) id_rep;

  g_main_context_iteration (NULL, FALSE);
  g_assert_cmpuint (now_log.times->len, ==, 1);
  g_assert_true (now_log.freed);
  g_assert_true (net_sip_dispatcher_cancel_timer (d, id_cancel));
  g_assert_true (cancelled.freed);
  g_assert_false (net_sip_dispatcher_cancel_timer (d, id_cancel));
  g_assert_false (net_sip_dispatcher_cancel_timer (d, id_now));

  netsip_test_run_for (250);
  g_assert_cmpuint (cancelled.times->len, ==, 0);
  g_assert_cmpuint (rel.times->len, ==, 1);
  g_assert_cmpint ((g_array_index (rel.times, gint64, 0) - start) / 1000, >=, 50 - EARLY_MS);
  g_assert_cmpint ((g_array_index (rel.times, gint64, 0) - start) / 1000, <=, 50 + LATE_MS);
  g_assert_cmpuint (abs_log.times->len, ==, 1);
  g_assert_cmpint ((g_array_index (abs_log.times, gint64, 0) - start) / 1000, >=, 120 - 10);
  g_assert_cmpint ((g_array_index (abs_log.times, gint64, 0) - start) / 1000, <=, 120 + LATE_MS);
  /* repeating: at 20, 50, 80, 110 ms, then the callback stops it */
  g_assert_cmpuint (rep.times->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    {
      gint64 at = (g_array_index (rep.times, gint64, i) - start) / 1000;
      g_assert_cmpint (at, >=, 20 + 30 * (gint64) i - EARLY_MS);
      g_assert_cmpint (at, <=, 20 + 30 * (gint64) i + LATE_MS);
    }
  g_assert_true (rep.freed && rel.freed && abs_log.freed);

  /* a pending timer goes with the dispatcher */
  {
    TimerLog late = { g_array_new (FALSE, FALSE, sizeof (gint64)), 1, FALSE };
    net_sip_dispatcher_add_timer (d, 10, 0, timer_fired, &late, timer_log_freed);
    g_assert_finalize_object (g_steal_pointer (&d));
    g_assert_true (late.freed);
    g_array_unref (late.times);
  }
  g_array_unref (now_log.times);
  g_array_unref (rel.times);
  g_array_unref (abs_log.times);
  g_array_unref (rep.times);
  g_array_unref (cancelled.times);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func, spec) \
  g_test_add (path, Fixture, spec, fixture_set_up, func, fixture_tear_down)

  ADD ("/dispatcher/udp/request-response", test_request_response, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/request-response", test_request_response, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp6/request-response", test_request_response, "udp:[::1]:0");
  ADD ("/dispatcher/tcp6/request-response", test_request_response, "tcp:[::1]:0");
  ADD ("/dispatcher/udp/timer-e-f", test_timer_e_f, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/timer-a-b", test_timer_a_b, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/timer-heap", test_timer_heap, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/no-retransmit", test_tcp_no_retransmit, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp/response-cache", test_response_cache, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/timer-g-until-ack", test_timer_g_until_ack, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/invite-non2xx", test_invite_non2xx, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/trying", test_trying, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/invite-2xx", test_invite_2xx, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/invite-2xx", test_invite_2xx, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp/stateless", test_stateless, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/cancel-request", test_cancel_request, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/cancel-request", test_cancel_request, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp/retransmit-2xx", test_retransmit_2xx, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/retransmit-2xx", test_retransmit_2xx, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp/rfc2543-matching", test_rfc2543_matching, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/stateless-server", test_stateless_server, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/refused", test_tcp_refused, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/trying", test_trying, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/invite-non2xx", test_invite_non2xx, "tcp:127.0.0.1:0");
  ADD ("/dispatcher/udp/stray-responses", test_stray_responses, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/cancel-delivery", test_cancel_delivery, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/delivery-signals", test_delivery_signals, "udp:127.0.0.1:0");
  ADD ("/dispatcher/udp/queue-bound", test_queue_bound, "udp:127.0.0.1:0");
  ADD ("/dispatcher/tcp/queue-bound", test_queue_bound, "tcp:127.0.0.1:0");
  g_test_add_func ("/dispatcher/proxy-selection", test_proxy_selection);
  g_test_add_func ("/dispatcher/proxy-delivery", test_proxy_delivery);
  g_test_add_func ("/dispatcher/leg-choice", test_leg_choice);
  g_test_add_func ("/dispatcher/failover", test_failover);
  g_test_add_func ("/dispatcher/failover-transport-error", test_failover_transport_error);
  g_test_add_func ("/dispatcher/failover-icmp", test_failover_icmp);
  g_test_add_func ("/dispatcher/icmp-error", test_icmp_error);
  g_test_add_func ("/dispatcher/get-legs", test_get_legs);
  g_test_add_func ("/dispatcher/add-timer", test_add_timer);

  return g_test_run ();
}
