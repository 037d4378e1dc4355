/* test-chain.c: NetSipReceiveChain, NetSipBlocker and NetSipDropper, called
 * directly and behind a dispatcher on loopback UDP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "netsip.h"
#include "main-loop-wait.h"

#define WAIT_LIMIT_MS 8000

/* ------------------------------------------------------------------ */
/* A receiver that records its calls and returns a fixed verdict, and
 * answers requests with a status when asked                           */

#define TEST_TYPE_RECEIVER (test_receiver_get_type ())
G_DECLARE_FINAL_TYPE (TestReceiver, test_receiver, TEST, RECEIVER, GObject)

struct _TestReceiver
{
  GObject           parent_instance;
  char             *name;
  GString          *log;          /* shared, not owned */
  gboolean          verdict;
  guint             answer;
  NetSipDispatcher *dispatcher;   /* not owned */
  guint             n_received;
};

static void test_receiver_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestReceiver, test_receiver, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_receiver_iface_init))

static void
test_receiver_finalize (GObject *object)
{
  g_free (TEST_RECEIVER (object)->name);
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
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
test_receiver_receive (NetSipReceiver   *receiver,
                       NetSipMessage    *message,
                       NetSipLeg        *leg,
                       NetSipSourceInfo *source)
{
  TestReceiver *self = TEST_RECEIVER (receiver);

  self->n_received++;
  if (self->log)
    g_string_append_printf (self->log, "%s%s", self->log->len ? "," : "", self->name);
  if (self->answer && net_sip_message_is_request (message) &&
      strcmp (net_sip_message_get_method (message), "ACK") != 0)
    {
      g_autoptr(NetSipResponse) response =
        net_sip_request_create_response (NET_SIP_REQUEST (message), self->answer, NULL, "t1");
      net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL,
                                        NULL, answered, NULL);
      return TRUE;
    }
  return self->verdict;
}

static void
test_receiver_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_receiver_receive;
}

static TestReceiver *
test_receiver_new (const char *name,
                   GString    *log,
                   gboolean    verdict)
{
  TestReceiver *r = g_object_new (TEST_TYPE_RECEIVER, NULL);
  r->name = g_strdup (name);
  r->log = log;
  r->verdict = verdict;
  return r;
}

/* ------------------------------------------------------------------ */
/* Messages and sources                                                */

static NetSipMessage *
make_request (const char *method,
              const char *extra)
{
  g_autofree char *text = g_strdup_printf (
    "%s sip:bob@127.0.0.1 SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bK%08x\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@127.0.0.1>;tag=a1\r\n"
    "To: <sip:bob@127.0.0.1>\r\n"
    "Call-ID: %08x@chain\r\n"
    "CSeq: 1 %s\r\n"
    "%s"
    "Content-Length: 0\r\n\r\n",
    method, g_random_int (), g_random_int (), method, extra ? extra : "");
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  NetSipMessage *m = net_sip_message_parse (bytes, &error);

  g_assert_no_error (error);
  return m;
}

static NetSipSourceInfo *
make_source (const char *ip)
{
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string (ip);
  g_autoptr(GSocketAddress) remote = g_inet_socket_address_new (a, 5999);
  g_autoptr(GInetAddress) l = g_inet_address_new_from_string ("127.0.0.1");
  g_autoptr(GSocketAddress) local = g_inet_socket_address_new (l, 5060);

  return net_sip_source_info_new (NET_SIP_TRANSPORT_UDP, G_INET_SOCKET_ADDRESS (remote),
                                  G_INET_SOCKET_ADDRESS (local), NULL);
}

/* ------------------------------------------------------------------ */
/* Main loop helpers                                                   */

typedef gboolean (*Cond) (gpointer data);

#define run_until(cond, data) NETSIP_TEST_RUN_UNTIL (cond, data, WAIT_LIMIT_MS)

/* ------------------------------------------------------------------ */
/* Chain                                                               */

static void
test_chain_order (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(TestReceiver) a = test_receiver_new ("a", log, FALSE);
  g_autoptr(TestReceiver) b = test_receiver_new ("b", log, TRUE);
  g_autoptr(TestReceiver) c = test_receiver_new ("c", log, TRUE);
  NetSipReceiver *list[] = { NET_SIP_RECEIVER (a), NET_SIP_RECEIVER (b), NET_SIP_RECEIVER (c) };
  g_autoptr(NetSipReceiveChain) chain = net_sip_receive_chain_new (list, 3);
  g_autoptr(NetSipMessage) m = make_request ("INVITE", NULL);
  g_autoptr(NetSipSourceInfo) src = make_source ("127.0.0.1");
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);

  g_assert_cmpuint (net_sip_receive_chain_get_n_receivers (chain), ==, 3);
  /* a declines, b takes it: c never sees it */
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), m, leg, src));
  g_assert_cmpstr (log->str, ==, "a,b");

  /* nobody takes it: FALSE after trying all */
  b->verdict = FALSE;
  c->verdict = FALSE;
  g_string_truncate (log, 0);
  g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), m, leg, src));
  g_assert_cmpstr (log->str, ==, "a,b,c");

  /* removal */
  g_assert_true (net_sip_receive_chain_remove (chain, NET_SIP_RECEIVER (b)));
  g_assert_false (net_sip_receive_chain_remove (chain, NET_SIP_RECEIVER (b)));
  g_string_truncate (log, 0);
  g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), m, leg, src));
  g_assert_cmpstr (log->str, ==, "a,c");

  /* an empty chain handles nothing */
  {
    g_autoptr(NetSipReceiveChain) empty = net_sip_receive_chain_new (NULL, 0);
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (empty), m, leg, src));
  }
}

static void
test_chain_nested (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(TestReceiver) a = test_receiver_new ("a", log, FALSE);
  g_autoptr(TestReceiver) b = test_receiver_new ("b", log, TRUE);
  g_autoptr(TestReceiver) c = test_receiver_new ("c", log, TRUE);
  g_autoptr(NetSipReceiveChain) inner = net_sip_receive_chain_new (NULL, 0);
  g_autoptr(NetSipReceiveChain) outer = net_sip_receive_chain_new (NULL, 0);
  g_autoptr(NetSipMessage) invite = make_request ("INVITE", NULL);
  g_autoptr(NetSipMessage) reg = make_request ("REGISTER", NULL);
  g_autoptr(NetSipSourceInfo) src = make_source ("127.0.0.1");
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);
  const char *methods[] = { "REGISTER", NULL };

  /* outer = [inner (REGISTER only) = [a, b], c]: Net::SIP's registrar
   * chain in front of a proxy */
  net_sip_receive_chain_append (inner, NET_SIP_RECEIVER (a));
  net_sip_receive_chain_append (inner, NET_SIP_RECEIVER (b));
  g_object_set (inner, "methods", methods, NULL);
  g_assert_cmpstr (net_sip_receive_chain_get_methods (inner)[0], ==, "REGISTER");
  net_sip_receive_chain_append (outer, NET_SIP_RECEIVER (inner));
  net_sip_receive_chain_append (outer, NET_SIP_RECEIVER (c));

  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (outer), reg, leg, src));
  g_assert_cmpstr (log->str, ==, "a,b");
  g_string_truncate (log, 0);
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (outer), invite, leg, src));
  g_assert_cmpstr (log->str, ==, "c");
  g_assert_true (net_sip_receive_chain_get_receiver (outer, 0) == NET_SIP_RECEIVER (inner));
  g_assert_null (net_sip_receive_chain_get_receiver (outer, 2));
}

static gboolean
filter_by_header (NetSipReceiveChain *chain,
                  NetSipMessage      *message,
                  NetSipLeg          *leg,
                  NetSipSourceInfo   *source,
                  gpointer            user_data)
{
  (*(guint *) user_data)++;
  return net_sip_message_get_header (message, "X-Take") != NULL;
}

static gboolean
filter_signal (NetSipReceiveChain *chain,
               NetSipMessage      *message,
               NetSipLeg          *leg,
               NetSipSourceInfo   *source,
               gpointer            user_data)
{
  return g_strcmp0 (net_sip_message_get_method (message), "OPTIONS") == 0;
}

static void
count_free (gpointer data)
{
  (*(guint *) data) += 100;
}

static void
test_chain_filter (void)
{
  g_autoptr(GString) log = g_string_new (NULL);
  g_autoptr(TestReceiver) a = test_receiver_new ("a", log, TRUE);
  NetSipReceiver *list[] = { NET_SIP_RECEIVER (a) };
  NetSipReceiveChain *chain = net_sip_receive_chain_new (list, 1);
  g_autoptr(NetSipMessage) plain = make_request ("INVITE", NULL);
  g_autoptr(NetSipMessage) marked = make_request ("INVITE", "X-Take: 1\r\n");
  g_autoptr(NetSipMessage) options = make_request ("OPTIONS", NULL);
  g_autoptr(NetSipSourceInfo) src = make_source ("127.0.0.1");
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);
  guint calls = 0;

  net_sip_receive_chain_set_filter (chain, filter_by_header, &calls, count_free);
  g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), plain, leg, src));
  g_assert_cmpuint (a->n_received, ==, 0);
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), marked, leg, src));
  g_assert_cmpuint (a->n_received, ==, 1);
  g_assert_cmpuint (calls, ==, 2);

  /* replaced by the signal: the notify of the old filter ran */
  net_sip_receive_chain_set_filter (chain, NULL, NULL, NULL);
  g_assert_cmpuint (calls, ==, 102);
  g_signal_connect (chain, "filter", G_CALLBACK (filter_signal), NULL);
  g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), marked, leg, src));
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (chain), options, leg, src));
  g_assert_cmpuint (a->n_received, ==, 2);

  /* the filter's notify runs when the chain goes */
  calls = 0;
  net_sip_receive_chain_set_filter (chain, filter_by_header, &calls, count_free);
  g_object_unref (chain);
  g_assert_cmpuint (calls, ==, 100);
}

/* ------------------------------------------------------------------ */
/* A dispatcher on loopback with a chain, and a bare leg as the peer   */

typedef struct
{
  NetSipLeg        *server_leg;
  NetSipDispatcher *dispatcher;
  NetSipLeg        *peer;
  GPtrArray        *got;     /* NetSipMessage the peer received */
} Net;

static void
on_peer_message (NetSipLeg        *leg,
                 NetSipMessage    *message,
                 NetSipSourceInfo *source,
                 gpointer          user_data)
{
  Net *n = user_data;
  g_ptr_array_add (n->got, g_object_ref (message));
}

static void
net_set_up (Net *n)
{
  g_autoptr(GError) error = NULL;

  n->server_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  n->dispatcher = net_sip_dispatcher_new (&n->server_leg, 1);
  n->peer = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  n->got = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (n->peer, "message-received", G_CALLBACK (on_peer_message), n);
}

static void
net_tear_down (Net *n)
{
  g_signal_handlers_disconnect_by_data (n->peer, n);
  net_sip_dispatcher_set_receiver (n->dispatcher, NULL);
  g_clear_object (&n->dispatcher);
  g_clear_object (&n->server_leg);
  g_clear_object (&n->peer);
  g_ptr_array_unref (n->got);
  /* let the sockets' sources go */
  while (g_main_context_iteration (NULL, FALSE))
    ;
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
net_send (Net           *n,
          NetSipMessage *m)
{
  GInetSocketAddress *dest =
    net_sip_socket_pool_get_local_address (net_sip_leg_get_socket_pool (n->server_leg));
  net_sip_leg_deliver_async (n->peer, m, dest, NULL, sent_ok, NULL);
}

typedef struct
{
  Net  *n;
  guint count;
} Want;

static gboolean
got_count (gpointer data)
{
  Want *w = data;
  return w->n->got->len >= w->count;
}

/* A request from the peer with its real address in the Via */
static NetSipMessage *
peer_request (Net        *n,
              const char *method,
              const char *extra)
{
  NetSipMessage *m = make_request (method, extra);
  net_sip_message_remove_header (m, "Via");
  net_sip_leg_add_via (n->peer, m);
  return m;
}

static void
test_blocker (void)
{
  Net n = { 0 };
  g_autoptr(NetSipBlocker) blocker = NULL;
  g_autoptr(TestReceiver) uas = NULL;
  g_autoptr(NetSipReceiveChain) chain = NULL;
  g_autoptr(NetSipMessage) message = NULL;
  g_autoptr(NetSipMessage) options = NULL;
  g_autoptr(NetSipMessage) subscribe = NULL;
  g_autoptr(NetSipMessage) ack = NULL;
  NetSipMessage *r;
  guint64 n_blocked = 0;
  Want w = { &n, 0 };

  net_set_up (&n);
  blocker = net_sip_blocker_new (n.dispatcher);
  net_sip_blocker_block (blocker, "MESSAGE", 405, NULL);
  net_sip_blocker_block (blocker, "SUBSCRIBE", 489, "Bad Event Here");
  net_sip_blocker_block (blocker, "ACK", 400, NULL);
  g_assert_cmpuint (net_sip_blocker_get_code (blocker, "MESSAGE"), ==, 405);
  g_assert_cmpuint (net_sip_blocker_get_code (blocker, "INVITE"), ==, 0);
  uas = test_receiver_new ("uas", NULL, FALSE);
  uas->answer = 200;
  uas->dispatcher = n.dispatcher;
  chain = net_sip_receive_chain_new ((NetSipReceiver *[]) { NET_SIP_RECEIVER (blocker),
                                                            NET_SIP_RECEIVER (uas) }, 2);
  net_sip_dispatcher_set_receiver (n.dispatcher, NET_SIP_RECEIVER (chain));

  message = peer_request (&n, "MESSAGE", NULL);
  net_send (&n, message);
  w.count = 1;
  run_until (got_count, &w);
  r = g_ptr_array_index (n.got, 0);
  g_assert_false (net_sip_message_is_request (r));
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (r)), ==, 405);
  g_assert_nonnull (net_sip_message_get_to_tag (r));
  g_assert_nonnull (strstr (net_sip_message_get_header (r, "Allow"), "INVITE"));
  g_assert_null (strstr (net_sip_message_get_header (r, "Allow"), "MESSAGE"));
  g_assert_null (strstr (net_sip_message_get_header (r, "Allow"), "SUBSCRIBE"));
  g_assert_cmpuint (uas->n_received, ==, 0);

  subscribe = peer_request (&n, "SUBSCRIBE", NULL);
  net_send (&n, subscribe);
  w.count = 2;
  run_until (got_count, &w);
  r = g_ptr_array_index (n.got, 1);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (r)), ==, 489);
  g_assert_cmpstr (net_sip_response_get_reason (NET_SIP_RESPONSE (r)), ==, "Bad Event Here");
  g_assert_null (net_sip_message_get_header (r, "Allow"));

  /* not blocked: the next receiver answers */
  options = peer_request (&n, "OPTIONS", NULL);
  net_send (&n, options);
  w.count = 3;
  run_until (got_count, &w);
  r = g_ptr_array_index (n.got, 2);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (r)), ==, 200);
  g_assert_cmpuint (uas->n_received, ==, 1);

  /* a blocked ACK is consumed without an answer */
  ack = peer_request (&n, "ACK", NULL);
  net_send (&n, ack);
  netsip_test_run_for (200);
  g_assert_cmpuint (n.got->len, ==, 3);
  g_assert_cmpuint (uas->n_received, ==, 1);
  g_object_get (blocker, "n-blocked", &n_blocked, NULL);
  g_assert_cmpuint (n_blocked, ==, 3);

  /* unblocked: reaches the UAS */
  g_assert_true (net_sip_blocker_unblock (blocker, "MESSAGE"));
  g_clear_object (&message);
  message = peer_request (&n, "MESSAGE", NULL);
  net_send (&n, message);
  w.count = 4;
  run_until (got_count, &w);
  r = g_ptr_array_index (n.got, 3);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (r)), ==, 200);
  g_assert_cmpuint (net_sip_blocker_get_n_blocked (blocker), ==, 3);

  net_tear_down (&n);
}

/* The ACK a UAC sends for a non-2xx answer to @invite (RFC 3261
 * §17.1.1.3): the INVITE's Via, From and Call-ID, the answer's To */
static NetSipMessage *
ack_for (NetSipMessage *invite,
         const char    *to_tag)
{
  g_autofree char *text = g_strdup_printf (
    "ACK sip:bob@127.0.0.1 SIP/2.0\r\n"
    "Via: %s\r\n"
    "Max-Forwards: 70\r\n"
    "From: %s\r\n"
    "To: <sip:bob@127.0.0.1>;tag=%s\r\n"
    "Call-ID: %s\r\n"
    "CSeq: 1 ACK\r\n"
    "Content-Length: 0\r\n\r\n",
    net_sip_message_get_header (invite, "Via"), net_sip_message_get_header (invite, "From"),
    to_tag, net_sip_message_get_call_id (invite));
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  NetSipMessage *m = net_sip_message_parse (bytes, &error);

  g_assert_no_error (error);
  return m;
}

/* In a stateless element (no server transactions: do-retransmits off, as
 * under a stateless proxy) the ACK of a blocked INVITE's answer reaches
 * the blocker and ends there, recognised by the To tag alone; an ACK with
 * another To tag goes on down the chain. */
static void
test_blocker_ack (void)
{
  Net n = { 0 };
  g_autoptr(NetSipBlocker) blocker = NULL;
  g_autoptr(TestReceiver) uas = NULL;
  g_autoptr(NetSipReceiveChain) chain = NULL;
  g_autoptr(NetSipMessage) invite = NULL;
  g_autoptr(NetSipMessage) ack = NULL;
  g_autoptr(NetSipMessage) forged = NULL;
  g_autoptr(NetSipMessage) other = NULL;
  NetSipMessage *r;
  Want w = { &n, 1 };

  net_set_up (&n);
  g_object_set (n.dispatcher, "do-retransmits", FALSE, NULL);
  blocker = net_sip_blocker_new (n.dispatcher);
  net_sip_blocker_block (blocker, "INVITE", 403, NULL);
  uas = test_receiver_new ("uas", NULL, FALSE);
  uas->dispatcher = n.dispatcher;
  chain = net_sip_receive_chain_new ((NetSipReceiver *[]) { NET_SIP_RECEIVER (blocker),
                                                            NET_SIP_RECEIVER (uas) }, 2);
  net_sip_dispatcher_set_receiver (n.dispatcher, NET_SIP_RECEIVER (chain));

  invite = peer_request (&n, "INVITE", NULL);
  net_send (&n, invite);
  run_until (got_count, &w);
  r = g_ptr_array_index (n.got, 0);
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (r)), ==, 403);
  g_assert_nonnull (net_sip_message_get_to_tag (r));

  ack = ack_for (invite, net_sip_message_get_to_tag (r));
  net_send (&n, ack);
  netsip_test_run_for (150);
  g_assert_cmpuint (uas->n_received, ==, 0);

  /* a To tag the blocker did not make (one character changed) */
  {
    g_autofree char *tag = g_strdup (net_sip_message_get_to_tag (r));
    tag[strlen (tag) - 1] = tag[strlen (tag) - 1] == '0' ? '1' : '0';
    forged = ack_for (invite, tag);
  }
  net_send (&n, forged);
  /* and the right tag for another INVITE's answer */
  other = ack_for (invite, "unrelated");
  net_send (&n, other);
  netsip_test_run_for (150);
  g_assert_cmpuint (uas->n_received, ==, 2);
  g_assert_cmpuint (n.got->len, ==, 1);   /* ACKs are never answered */

  net_tear_down (&n);
}

/* ------------------------------------------------------------------ */
/* Dropper                                                             */

static void
test_dropper_rate (void)
{
  g_autoptr(NetSipDropper) dropper = net_sip_dropper_new ();
  g_autoptr(NetSipSourceInfo) flooder = make_source ("127.0.0.9");
  g_autoptr(NetSipSourceInfo) other = make_source ("127.0.0.10");
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);
  guint passed = 0, dropped = 0;

  /* 2 per second, bursts of 5 */
  net_sip_dropper_set_rate (dropper, 2, 5);
  for (guint i = 0; i < 20; i++)
    {
      g_autoptr(NetSipMessage) m = make_request ("REGISTER", NULL);
      if (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, flooder))
        dropped++;
      else
        passed++;
    }
  /* the loop takes far less than the 0.5 s a new token needs */
  g_assert_cmpuint (passed, ==, 5);
  g_assert_cmpuint (dropped, ==, 15);
  g_assert_cmpuint (net_sip_dropper_get_n_dropped_rate (dropper), ==, 15);
  g_assert_cmpuint (net_sip_dropper_get_n_dropped (dropper), ==, 15);

  /* another source has its own bucket */
  {
    g_autoptr(NetSipMessage) m = make_request ("REGISTER", NULL);
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, other));
  }
  g_assert_cmpuint (net_sip_dropper_get_n_sources (dropper), ==, 2);

  /* responses are never dropped */
  {
    g_autoptr(NetSipMessage) req = make_request ("OPTIONS", NULL);
    g_autoptr(NetSipResponse) resp =
      net_sip_request_create_response (NET_SIP_REQUEST (req), 200, NULL, "x");
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper),
                                              NET_SIP_MESSAGE (resp), leg, flooder));
  }

  /* tokens come back at the rate: after 1.1 s two more pass, not three */
  netsip_test_run_for (1100);
  passed = 0;
  for (guint i = 0; i < 5; i++)
    {
      g_autoptr(NetSipMessage) m = make_request ("REGISTER", NULL);
      if (!net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, flooder))
        passed++;
    }
  g_assert_cmpuint (passed, ==, 2);
}

static void
test_dropper_bound (void)
{
  g_autoptr(NetSipDropper) dropper = net_sip_dropper_new ();
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);
  g_autoptr(NetSipSourceInfo) first = make_source ("127.0.1.0");

  g_object_set (dropper, "rate", 0.001, "burst", 1.0, "max-sources", 4u, NULL);
  /* the first source uses its only token */
  {
    g_autoptr(NetSipMessage) m = make_request ("OPTIONS", NULL);
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, first));
  }
  {
    g_autoptr(NetSipMessage) m = make_request ("OPTIONS", NULL);
    g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, first));
  }
  for (guint i = 1; i <= 50; i++)
    {
      g_autofree char *ip = g_strdup_printf ("127.0.1.%u", i);
      g_autoptr(NetSipSourceInfo) src = make_source (ip);
      g_autoptr(NetSipMessage) m = make_request ("OPTIONS", NULL);
      /* each new source passes once */
      g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, src));
      g_assert_cmpuint (net_sip_dropper_get_n_sources (dropper), <=, 4);
    }
  g_assert_cmpuint (net_sip_dropper_get_n_sources (dropper), ==, 4);
  /* the first was forgotten (least recently seen): a full bucket again */
  {
    g_autoptr(NetSipMessage) m = make_request ("OPTIONS", NULL);
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, first));
  }
  /* lowering the bound forgets more */
  g_object_set (dropper, "max-sources", 2u, NULL);
  g_assert_cmpuint (net_sip_dropper_get_n_sources (dropper), ==, 2);
}

static void
on_dropped (NetSipDropper    *dropper,
            NetSipMessage    *message,
            NetSipSourceInfo *source,
            const char       *reason,
            gpointer          user_data)
{
  g_string_append_printf (user_data, "%s;", reason);
}

static void
test_dropper_pattern (void)
{
  g_autoptr(NetSipDropper) dropper = net_sip_dropper_new ();
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", NULL);
  g_autoptr(NetSipSourceInfo) src = make_source ("127.0.0.1");
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) reasons = g_string_new (NULL);

  g_assert_true (net_sip_dropper_add_pattern (dropper, "User-Agent", "^friendly-scanner", &error));
  g_assert_no_error (error);
  g_assert_true (net_sip_dropper_add_pattern (dropper, "f", "sip(?:vicious|sscuser)", &error));
  g_assert_false (net_sip_dropper_add_pattern (dropper, "From", "([unclosed", &error));
  g_assert_true (error != NULL && error->domain == G_REGEX_ERROR);
  g_signal_connect (dropper, "dropped", G_CALLBACK (on_dropped), reasons);

  {
    g_autoptr(NetSipMessage) m = make_request ("REGISTER", "User-Agent: friendly-scanner\r\n");
    g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, src));
  }
  {
    g_autoptr(NetSipMessage) m = make_request ("OPTIONS", "User-Agent: netsip friendly-scanner\r\n");
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, src));
  }
  {
    const char *text =
      "OPTIONS sip:100@127.0.0.1 SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:5999;branch=z9hG4bKsv1\r\n"
      "Max-Forwards: 70\r\n"
      "From: \"sipvicious\" <sip:100@1.1.1.1>;tag=x\r\n"
      "To: <sip:100@127.0.0.1>\r\n"
      "Call-ID: sv1\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n";
    g_autoptr(GBytes) bytes = g_bytes_new_static (text, strlen (text));
    g_autoptr(NetSipMessage) m = net_sip_message_parse (bytes, NULL);
    g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, src));
  }
  g_assert_cmpuint (net_sip_dropper_get_n_dropped_pattern (dropper), ==, 2);
  g_assert_cmpuint (net_sip_dropper_get_n_dropped_rate (dropper), ==, 0);
  g_assert_cmpstr (reasons->str, ==, "pattern;pattern;");

  net_sip_dropper_clear_patterns (dropper);
  {
    g_autoptr(NetSipMessage) m = make_request ("REGISTER", "User-Agent: friendly-scanner\r\n");
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (dropper), m, leg, src));
  }
}

/* A flood over the network: only the burst gets answers */
static void
test_dropper_flood (void)
{
  Net n = { 0 };
  g_autoptr(NetSipDropper) dropper = net_sip_dropper_new ();
  g_autoptr(TestReceiver) uas = NULL;
  g_autoptr(NetSipReceiveChain) chain = NULL;

  net_set_up (&n);
  net_sip_dropper_set_rate (dropper, 1, 3);
  uas = test_receiver_new ("uas", NULL, FALSE);
  uas->answer = 200;
  uas->dispatcher = n.dispatcher;
  chain = net_sip_receive_chain_new ((NetSipReceiver *[]) { NET_SIP_RECEIVER (dropper),
                                                            NET_SIP_RECEIVER (uas) }, 2);
  net_sip_dispatcher_set_receiver (n.dispatcher, NET_SIP_RECEIVER (chain));
  for (guint i = 0; i < 30; i++)
    {
      g_autoptr(NetSipMessage) m = peer_request (&n, "OPTIONS", NULL);
      net_send (&n, m);
    }
  netsip_test_run_for (600);
  g_assert_cmpuint (uas->n_received, ==, 3);
  g_assert_cmpuint (n.got->len, ==, 3);
  g_assert_cmpuint (net_sip_dropper_get_n_dropped (dropper), ==, 27);
  net_tear_down (&n);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/chain/order", test_chain_order);
  g_test_add_func ("/chain/nested", test_chain_nested);
  g_test_add_func ("/chain/filter", test_chain_filter);
  g_test_add_func ("/chain/blocker", test_blocker);
  g_test_add_func ("/chain/blocker-ack", test_blocker_ack);
  g_test_add_func ("/chain/dropper-rate", test_dropper_rate);
  g_test_add_func ("/chain/dropper-bound", test_dropper_bound);
  g_test_add_func ("/chain/dropper-pattern", test_dropper_pattern);
  g_test_add_func ("/chain/dropper-flood", test_dropper_flood);
  return g_test_run ();
}
