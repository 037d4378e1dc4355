/* test-proxy.c: NetSipStatelessProxy (RFC 3261 §16, §16.11) between two
 * endpoints on loopback UDP (bare legs where the test writes the messages,
 * dispatchers for a whole transaction)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "netsip.h"
#include "main-loop-wait.h"

#define WAIT_LIMIT_MS 8000

/* ------------------------------------------------------------------ */
/* Main loop helpers                                                   */

typedef gboolean (*Cond) (gpointer data);

#define run_until(cond, data) NETSIP_TEST_RUN_UNTIL (cond, data, WAIT_LIMIT_MS)

/* ------------------------------------------------------------------ */
/* Fixture: endpoint A (caller), proxy P, endpoint B (callee)          */

typedef struct
{
  NetSipLeg            *a;
  NetSipLeg            *b;
  GPtrArray            *got_a;
  GPtrArray            *got_b;
  NetSipLeg            *p_leg;
  NetSipDispatcher     *p;
  NetSipStatelessProxy *proxy;
} Fixture;

typedef struct
{
  GPtrArray *array;
  guint      count;
} Want;

static gboolean
have (gpointer data)
{
  Want *w = data;
  return w->array->len >= w->count;
}

#define wait_for(arr, n) G_STMT_START { Want w_ = { (arr), (n) }; run_until (have, &w_); } G_STMT_END

static void
on_message (NetSipLeg        *leg,
            NetSipMessage    *message,
            NetSipSourceInfo *source,
            gpointer          user_data)
{
  g_ptr_array_add (user_data, g_object_ref (message));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->b = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->p_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->got_a = g_ptr_array_new_with_free_func (g_object_unref);
  f->got_b = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (f->a, "message-received", G_CALLBACK (on_message), f->got_a);
  g_signal_connect (f->b, "message-received", G_CALLBACK (on_message), f->got_b);
  f->p = net_sip_dispatcher_new (&f->p_leg, 1);
  f->proxy = net_sip_stateless_proxy_new (f->p);
  net_sip_dispatcher_set_receiver (f->p, NET_SIP_RECEIVER (f->proxy));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_signal_handlers_disconnect_by_data (f->a, f->got_a);
  g_signal_handlers_disconnect_by_data (f->b, f->got_b);
  net_sip_dispatcher_set_receiver (f->p, NULL);
  g_clear_object (&f->proxy);
  g_clear_object (&f->p);
  g_clear_object (&f->p_leg);
  g_clear_object (&f->a);
  g_clear_object (&f->b);
  g_ptr_array_unref (f->got_a);
  g_ptr_array_unref (f->got_b);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static char *
hostport (NetSipLeg *leg)
{
  return g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (leg));
}

/* A message from a template: $A, $B, $P are the endpoints' and the
 * proxy's host:port, $BR a fresh branch, $CID a fresh Call-ID */
static NetSipMessage *
make (Fixture    *f,
      const char *template)
{
  g_autofree char *a = hostport (f->a);
  g_autofree char *b = hostport (f->b);
  g_autofree char *p = hostport (f->p_leg);
  g_autofree char *br = g_strdup_printf ("z9hG4bK%08x", g_random_int ());
  g_autofree char *cid = g_strdup_printf ("%08x@test", g_random_int ());
  g_autoptr(GString) s = g_string_new (template);
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  NetSipMessage *m;

  g_string_replace (s, "$A", a, 0);
  g_string_replace (s, "$BR", br, 0);
  g_string_replace (s, "$B", b, 0);
  g_string_replace (s, "$P", p, 0);
  g_string_replace (s, "$CID", cid, 0);
  g_string_replace (s, "\n", "\r\n", 0);
  bytes = g_bytes_new (s->str, s->len);
  m = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  return m;
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
send_to (NetSipLeg     *from,
         NetSipMessage *m,
         NetSipLeg     *to)
{
  GInetSocketAddress *dest =
    net_sip_socket_pool_get_local_address (net_sip_leg_get_socket_pool (to));
  net_sip_leg_deliver_async (from, m, dest, NULL, sent_ok, NULL);
}

static NetSipMessage *
last (GPtrArray *array)
{
  g_assert_cmpuint (array->len, >, 0);
  return g_ptr_array_index (array, array->len - 1);
}

static guint
code_of (NetSipMessage *m)
{
  g_assert_false (net_sip_message_is_request (m));
  return net_sip_response_get_code (NET_SIP_RESPONSE (m));
}

static const char *
top_branch (NetSipMessage *m)
{
  return net_sip_via_get_branch (net_sip_message_get_top_via (m, NULL));
}

static const char INVITE[] =
  "INVITE sip:bob@$B SIP/2.0\n"
  "Via: SIP/2.0/UDP $A;branch=$BR;rport\n"
  "Max-Forwards: 70\n"
  "From: <sip:alice@$A>;tag=a1\n"
  "To: <sip:bob@$B>\n"
  "Call-ID: $CID\n"
  "CSeq: 1 INVITE\n"
  "Contact: <sip:alice@$A>\n"
  "Content-Length: 0\n\n";

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* A request through the proxy and its responses back (§16.6, §16.7) */
static void
test_forward (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipResponse) ringing = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(GPtrArray) vias = NULL;
  g_autofree char *branch = NULL;
  NetSipMessage *at_b, *at_a;
  guint64 n = 0;

  branch = net_sip_stateless_proxy_compute_branch (f->proxy, NET_SIP_REQUEST (invite));
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  at_b = last (f->got_b);
  g_assert_cmpstr (net_sip_message_get_method (at_b), ==, "INVITE");
  g_assert_cmpint (net_sip_message_get_max_forwards (at_b), ==, 69);
  vias = net_sip_message_get_vias (at_b, NULL);
  g_assert_cmpuint (vias->len, ==, 2);
  g_assert_cmpuint (net_sip_via_get_port (g_ptr_array_index (vias, 0)), ==,
                    net_sip_leg_get_port (f->p_leg));
  g_assert_true (g_str_has_prefix (top_branch (at_b), "z9hG4bK"));
  g_assert_cmpstr (top_branch (at_b), ==, branch);
  /* the proxy's leg marked A's Via with rport (RFC 3581) */
  g_assert_cmpint (net_sip_via_get_rport (g_ptr_array_index (vias, 1)), ==,
                   net_sip_leg_get_port (f->a));
  /* no Record-Route unless asked; one leg: Contact not rewritten */
  g_assert_null (net_sip_message_get_header (at_b, "Record-Route"));
  g_assert_nonnull (strstr (net_sip_message_get_header (at_b, "Contact"), "alice@"));
  g_assert_true (net_sip_dispatcher_get_receiver (f->p) == NET_SIP_RECEIVER (f->proxy));
  /* stateless: the proxy's dispatcher holds no transaction for it */
  {
    guint n_tx = 1;
    g_object_get (f->p, "n-transactions", &n_tx, NULL);
    g_assert_cmpuint (n_tx, ==, 0);
  }
  {
    gboolean retransmits = TRUE;
    g_object_get (f->p, "do-retransmits", &retransmits, NULL);
    g_assert_false (retransmits);
  }

  /* B answers to the top Via (the proxy); the proxy strips its Via */
  ringing = net_sip_request_create_response (NET_SIP_REQUEST (at_b), 180, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ringing), f->p_leg);
  ok = net_sip_request_create_response (NET_SIP_REQUEST (at_b), 200, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  wait_for (f->got_a, 2);
  at_a = g_ptr_array_index (f->got_a, 0);
  g_assert_cmpuint (code_of (at_a), ==, 180);
  at_a = g_ptr_array_index (f->got_a, 1);
  g_assert_cmpuint (code_of (at_a), ==, 200);
  g_clear_pointer (&vias, g_ptr_array_unref);
  vias = net_sip_message_get_vias (at_a, NULL);
  g_assert_cmpuint (vias->len, ==, 1);
  g_assert_cmpstr (top_branch (at_a), ==, top_branch (invite));
  g_object_get (f->proxy, "n-forwarded-requests", &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  g_object_get (f->proxy, "n-forwarded-responses", &n, NULL);
  g_assert_cmpuint (n, ==, 2);
}

/* §16.3 step 3, §16.6 step 3 */
static void
test_max_forwards (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) zero = make (f, INVITE);
  g_autoptr(NetSipMessage) one = make (f, INVITE);
  g_autoptr(NetSipMessage) none = make (f, INVITE);
  g_autoptr(NetSipMessage) ack = NULL;

  net_sip_message_set_header (zero, "Max-Forwards", "0");
  send_to (f->a, zero, f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 483);
  g_assert_nonnull (net_sip_message_get_to_tag (last (f->got_a)));

  net_sip_message_set_header (one, "Max-Forwards", "1");
  send_to (f->a, one, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpint (net_sip_message_get_max_forwards (last (f->got_b)), ==, 0);

  net_sip_message_set_header (none, "Max-Forwards", NULL);
  send_to (f->a, none, f->p_leg);
  wait_for (f->got_b, 2);
  g_assert_cmpint (net_sip_message_get_max_forwards (last (f->got_b)), ==, 70);

  /* an ACK with Max-Forwards 0 is not answered */
  ack = make (f, "ACK sip:bob@$B SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
                 "Max-Forwards: 0\nFrom: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b\n"
                 "Call-ID: $CID\nCSeq: 1 ACK\nContent-Length: 0\n\n");
  send_to (f->a, ack, f->p_leg);
  netsip_test_run_for (200);
  g_assert_cmpuint (f->got_a->len, ==, 1);
  g_assert_cmpuint (f->got_b->len, ==, 2);
}

/* §16.3 step 4: the same request back through the proxy is a loop (482);
 * with another Request-URI it is a spiral and goes on */
static void
test_loop (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(GPtrArray) vias = NULL;
  NetSipMessage *at_b;

  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  at_b = g_object_ref (last (f->got_b));

  /* B acts as a proxy that sends it back unchanged */
  net_sip_leg_add_via (f->b, at_b);
  send_to (f->b, at_b, f->p_leg);
  wait_for (f->got_b, 2);
  g_assert_cmpuint (code_of (last (f->got_b)), ==, 482);
  g_object_unref (at_b);

  /* a spiral: B retargets to another URI (still B); the message already
   * has B's Via from above */
  at_b = g_object_ref (g_ptr_array_index (f->got_b, 0));
  {
    g_autofree char *uri = g_strdup_printf ("sip:carol@127.0.0.1:%u", net_sip_leg_get_port (f->b));
    net_sip_request_set_uri (NET_SIP_REQUEST (at_b), uri);
  }
  send_to (f->b, at_b, f->p_leg);
  wait_for (f->got_b, 3);
  g_assert_true (net_sip_message_is_request (last (f->got_b)));
  vias = net_sip_message_get_vias (last (f->got_b), NULL);
  /* proxy, B, proxy, A */
  g_assert_cmpuint (vias->len, ==, 4);
  g_assert_cmpstr (net_sip_via_get_branch (g_ptr_array_index (vias, 0)), !=,
                   net_sip_via_get_branch (g_ptr_array_index (vias, 2)));
  g_object_unref (at_b);
}

/* §16.11: a retransmission gets the same branch, a CANCEL and a non-2xx
 * ACK their INVITE's, a new transaction another one */
static void
test_branch (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipMessage) other = make (f, INVITE);
  g_autoptr(NetSipRequest) cancel = NULL;
  g_autoptr(NetSipRequest) ack = NULL;
  g_autoptr(NetSipResponse) busy = NULL;
  const char *b0;

  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 2);
  b0 = top_branch (g_ptr_array_index (f->got_b, 0));
  g_assert_cmpstr (top_branch (g_ptr_array_index (f->got_b, 1)), ==, b0);

  cancel = net_sip_request_create_cancel (NET_SIP_REQUEST (invite));
  send_to (f->a, NET_SIP_MESSAGE (cancel), f->p_leg);
  wait_for (f->got_b, 3);
  g_assert_cmpstr (net_sip_message_get_method (last (f->got_b)), ==, "CANCEL");
  g_assert_cmpstr (top_branch (last (f->got_b)), ==, b0);

  busy = net_sip_request_create_response (NET_SIP_REQUEST (invite), 486, NULL, "b486");
  ack = net_sip_request_create_ack (NET_SIP_REQUEST (invite), busy);
  send_to (f->a, NET_SIP_MESSAGE (ack), f->p_leg);
  wait_for (f->got_b, 4);
  g_assert_cmpstr (net_sip_message_get_method (last (f->got_b)), ==, "ACK");
  g_assert_cmpstr (top_branch (last (f->got_b)), ==, b0);

  send_to (f->a, other, f->p_leg);
  wait_for (f->got_b, 5);
  g_assert_cmpstr (top_branch (last (f->got_b)), !=, b0);
}

static void
test_record_route (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipMessage) reg = make (f,
    "REGISTER sip:$B SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$B>;tag=r1\nTo: <sip:alice@$B>\nCall-ID: $CID\nCSeq: 1 REGISTER\n"
    "Contact: <sip:alice@$A>\nContent-Length: 0\n\n");
  g_autofree char *expected = g_strdup_printf ("<sip:127.0.0.1:%u;lr>", net_sip_leg_get_port (f->p_leg));
  g_autoptr(GPtrArray) rr = NULL;

  g_object_set (f->proxy, "record-route", TRUE, NULL);
  g_assert_true (net_sip_stateless_proxy_get_record_route (f->proxy));
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_message_get_header (last (f->got_b), "Record-Route"), ==, expected);
  rr = net_sip_message_get_record_routes (last (f->got_b), NULL);
  g_assert_cmpuint (rr->len, ==, 1);

  /* the 200 keeps the Record-Route on its way back (§16.7: untouched) */
  {
    g_autoptr(NetSipResponse) ok =
      net_sip_request_create_response (NET_SIP_REQUEST (last (f->got_b)), 200, NULL, "b1");
    send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
    wait_for (f->got_a, 1);
    g_assert_cmpstr (net_sip_message_get_header (last (f->got_a), "Record-Route"), ==, expected);
  }

  send_to (f->a, reg, f->p_leg);
  wait_for (f->got_b, 2);
  g_assert_cmpstr (net_sip_message_get_method (last (f->got_b)), ==, "REGISTER");
  g_assert_null (net_sip_message_get_header (last (f->got_b), "Record-Route"));
}

/* §16.4: our Route goes; the next Route is the next hop, the
 * Request-URI stays */
static void
test_loose_route (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) bye = make (f,
    "BYE sip:bob@unresolvable.invalid SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
    "Max-Forwards: 70\nRoute: <sip:$P;lr>, <sip:$B;lr;foo=bar>\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b1\nCall-ID: $CID\nCSeq: 2 BYE\n"
    "Content-Length: 0\n\n");
  g_autofree char *b_route = g_strdup_printf ("<sip:127.0.0.1:%u;lr;foo=bar>", net_sip_leg_get_port (f->b));

  send_to (f->a, bye, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_b))), ==,
                   "sip:bob@unresolvable.invalid");
  g_assert_cmpstr (net_sip_message_get_header (last (f->got_b), "Route"), ==, b_route);
}

/* §16.4: a Request-URI that is our Record-Route came from a strict
 * router: the last Route is the real Request-URI. §16.6 step 6: a next
 * hop without lr is a strict router and gets the Route as Request-URI. */
static void
test_strict_route (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) from_strict = make (f,
    "BYE sip:$P;lr SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
    "Max-Forwards: 70\nRoute: <sip:bob@$B>\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b1\nCall-ID: $CID\nCSeq: 2 BYE\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipMessage) to_strict = make (f,
    "BYE sip:bob@unresolvable.invalid SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
    "Max-Forwards: 70\nRoute: <sip:$B>, <sip:next.invalid;lr>\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b1\nCall-ID: $CID\nCSeq: 3 BYE\n"
    "Content-Length: 0\n\n");
  g_autofree char *b_uri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (f->b));
  g_autofree char *b_plain = g_strdup_printf ("sip:127.0.0.1:%u", net_sip_leg_get_port (f->b));
  g_autoptr(GPtrArray) routes = NULL;

  send_to (f->a, from_strict, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_b))), ==, b_uri);
  g_assert_null (net_sip_message_get_header (last (f->got_b), "Route"));

  send_to (f->a, to_strict, f->p_leg);
  wait_for (f->got_b, 2);
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_b))), ==, b_plain);
  routes = net_sip_message_get_routes (last (f->got_b), NULL);
  g_assert_cmpuint (routes->len, ==, 2);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (routes, 0)), ==,
                   "sip:next.invalid;lr");
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (routes, 1)), ==,
                   "sip:bob@unresolvable.invalid");
}

/* §16.7, §18.2.2, RFC 3581: the response goes to received/rport, not to
 * the sent-by port; one to a broadcast address is dropped */
static void
test_response_routing (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f,
    "OPTIONS sip:bob@$B SIP/2.0\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=$BR;rport\n"
    "Max-Forwards: 70\nFrom: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>\nCall-ID: $CID\n"
    "CSeq: 1 OPTIONS\nContent-Length: 0\n\n");
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(NetSipMessage) bcast = NULL;
  guint64 dropped = 0;

  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  ok = net_sip_request_create_response (NET_SIP_REQUEST (last (f->got_b)), 200, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  /* A's real port (rport), not 9 */
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 200);
  g_assert_cmpint (net_sip_via_get_rport (net_sip_message_get_top_via (last (f->got_a), NULL)), ==,
                   net_sip_leg_get_port (f->a));

  /* our Via and the next one on one line: only ours goes */
  {
    g_autoptr(NetSipMessage) joined = make (f,
      "SIP/2.0 200 OK\nVia: SIP/2.0/UDP $P;branch=z9hG4bKnspx.y, SIP/2.0/UDP $A;branch=z9hG4bKj1\n"
      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKj0\n"
      "From: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b\nCall-ID: $CID\n"
      "CSeq: 1 OPTIONS\nContent-Length: 0\n\n");
    g_autoptr(GPtrArray) vias = NULL;
    send_to (f->b, joined, f->p_leg);
    wait_for (f->got_a, 2);
    vias = net_sip_message_get_vias (last (f->got_a), NULL);
    g_assert_cmpuint (vias->len, ==, 2);
    g_assert_cmpstr (top_branch (last (f->got_a)), ==, "z9hG4bKj1");
    g_assert_cmpstr (net_sip_via_get_branch (g_ptr_array_index (vias, 1)), ==, "z9hG4bKj0");
  }

  /* RFC 4475 bcast: the next Via's received is 255.255.255.255 */
  bcast = make (f,
    "SIP/2.0 200 OK\nVia: SIP/2.0/UDP $P;branch=z9hG4bKnspx.y\n"
    "Via: SIP/2.0/UDP 192.0.2.198;branch=z9hG4bK1;received=255.255.255.255\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:bob@$B>;tag=b\nCall-ID: $CID\n"
    "CSeq: 1 OPTIONS\nContent-Length: 0\n\n");
  send_to (f->b, bcast, f->p_leg);
  netsip_test_run_for (200);
  g_object_get (f->proxy, "n-dropped", &dropped, NULL);
  g_assert_cmpuint (dropped, ==, 1);
  g_assert_cmpuint (f->got_a->len, ==, 2);
}

/* §16.3: a scheme we cannot route gets 416; Proxy-Require gets 420 */
static void
test_unsupported (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) tel = make (f,
    "INVITE tel:+15551234 SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <tel:+15551234>\nCall-ID: $CID\nCSeq: 1 INVITE\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipMessage) unk = make (f,
    "OPTIONS unknownscheme:foo SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:x@$B>\nCall-ID: $CID\nCSeq: 1 OPTIONS\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipMessage) ext = make (f, INVITE);
  g_autoptr(NetSipMessage) routed = make (f,
    "INVITE tel:+15551234 SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "Route: <sip:$B;lr>\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <tel:+15551234>\nCall-ID: $CID\nCSeq: 1 INVITE\n"
    "Content-Length: 0\n\n");

  send_to (f->a, tel, f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 416);
  send_to (f->a, unk, f->p_leg);
  wait_for (f->got_a, 2);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 416);

  net_sip_message_set_header (ext, "Proxy-Require", "foo, bar");
  send_to (f->a, ext, f->p_leg);
  wait_for (f->got_a, 3);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 420);
  g_assert_nonnull (strstr (net_sip_message_get_header (last (f->got_a), "Unsupported"), "foo"));

  /* with a Route the tel: URI is the next hop's business */
  send_to (f->a, routed, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_b))), ==, "tel:+15551234");
  g_assert_cmpuint (f->got_a->len, ==, 3);
}

/* The ACK a UAC sends for the non-2xx @response to @invite (RFC 3261
 * §17.1.1.3): the INVITE's Request-URI, top Via, From, Call-ID, and the
 * response's To, with @to_tag instead of its tag when not NULL */
static NetSipMessage *
ack_for (NetSipMessage *invite,
         NetSipMessage *response,
         const char    *to_tag)
{
  NetSipRequest *ack = net_sip_request_new ("ACK", net_sip_request_get_uri (NET_SIP_REQUEST (invite)));
  NetSipMessage *m = NET_SIP_MESSAGE (ack);
  g_autofree char *to = NULL;

  net_sip_message_add_header (m, "Via", net_sip_message_get_header (invite, "Via"));
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", net_sip_message_get_header (invite, "From"));
  if (to_tag)
    to = g_strdup_printf ("%s;tag=%s", net_sip_message_get_header (invite, "To"), to_tag);
  net_sip_message_add_header (m, "To", to ? to : net_sip_message_get_header (response, "To"));
  net_sip_message_add_header (m, "Call-ID", net_sip_message_get_call_id (invite));
  net_sip_message_add_header (m, "CSeq", "1 ACK");
  net_sip_message_add_header (m, "Content-Length", "0");
  return m;
}

static guint64
n_rejected (Fixture *f)
{
  guint64 n = 0;
  g_object_get (f->proxy, "n-rejected", &n, NULL);
  return n;
}

/* §17.2.1, §16.11: the ACK of the proxy's own 483 and 404 ends at the
 * proxy (its To tag is the one the proxy computed); an ACK with another
 * To tag is not ours and goes on (or, unroutable, is dropped as bad) */
static void
test_own_ack (Fixture *f, gconstpointer data)
{
  static const char *const domains[] = { "example.com", NULL };
  g_autoptr(NetSipMessage) zero = make (f, INVITE);
  g_autoptr(NetSipMessage) nobody = make (f,
    "INVITE sip:nobody@example.com SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$A>;tag=a2\nTo: <sip:nobody@example.com>\nCall-ID: $CID\nCSeq: 1 INVITE\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipMessage) ack = NULL;
  g_autoptr(NetSipMessage) other = NULL;
  g_autoptr(NetSipMessage) retagged = NULL;
  NetSipMessage *r483, *r404;
  guint64 rejected;

  /* 483: its ACK is absorbed; an ACK with another To tag reaches B */
  net_sip_message_set_header (zero, "Max-Forwards", "0");
  send_to (f->a, zero, f->p_leg);
  wait_for (f->got_a, 1);
  r483 = last (f->got_a);
  g_assert_cmpuint (code_of (r483), ==, 483);
  g_assert_true (g_str_has_prefix (net_sip_message_get_to_tag (r483), "nsl"));
  rejected = n_rejected (f);
  ack = ack_for (zero, r483, NULL);
  send_to (f->a, ack, f->p_leg);
  other = ack_for (zero, r483, "b-other");
  send_to (f->a, other, f->p_leg);
  wait_for (f->got_b, 1);
  netsip_test_run_for (100);
  g_assert_cmpuint (f->got_b->len, ==, 1);
  g_assert_cmpstr (net_sip_message_get_method (last (f->got_b)), ==, "ACK");
  g_assert_cmpstr (net_sip_message_get_to_tag (last (f->got_b)), ==, "b-other");
  g_assert_cmpuint (f->got_a->len, ==, 1);
  g_assert_cmpuint (n_rejected (f), ==, rejected);

  /* 404 in our domain: its ACK is absorbed (not counted as a bad ACK);
   * a forged tag with our prefix is not ours: dropped as a bad ACK */
  net_sip_stateless_proxy_set_domains (f->proxy, domains);
  send_to (f->a, nobody, f->p_leg);
  wait_for (f->got_a, 2);
  r404 = last (f->got_a);
  g_assert_cmpuint (code_of (r404), ==, 404);
  rejected = n_rejected (f);
  g_clear_object (&ack);
  ack = ack_for (nobody, r404, NULL);
  send_to (f->a, ack, f->p_leg);
  netsip_test_run_for (100);
  g_assert_cmpuint (n_rejected (f), ==, rejected);
  retagged = ack_for (nobody, r404, "nsl000000000000000000000000");
  send_to (f->a, retagged, f->p_leg);
  netsip_test_run_for (100);
  g_assert_cmpuint (n_rejected (f), ==, rejected + 1);
  g_assert_cmpuint (f->got_a->len, ==, 2);
  g_assert_cmpuint (f->got_b->len, ==, 1);
}

static char *
lookup_aor (NetSipStatelessProxy *proxy,
            const char           *aor,
            NetSipRequest        *request,
            gpointer              user_data)
{
  Fixture *f = user_data;

  g_assert_true (NET_SIP_IS_REQUEST (request));
  if (g_strcmp0 (aor, "sip:alice@example.com") == 0)
    return g_strdup_printf ("sip:alice-phone@127.0.0.1:%u;transport=udp", net_sip_leg_get_port (f->b));
  return NULL;
}

static char *
lookup_nothing (NetSipStatelessProxy *proxy,
                const char           *aor,
                NetSipRequest        *request,
                gpointer              user_data)
{
  return NULL;
}

/* §16.5: the location service hook; 404 in our domain without contacts */
static void
test_aor_hook (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) known = make (f,
    "INVITE sip:alice@EXAMPLE.com SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
    "Max-Forwards: 70\nFrom: <sip:carol@$A>;tag=a1\nTo: <sip:alice@example.com>\n"
    "Call-ID: $CID\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
  g_autoptr(NetSipMessage) unknown = make (f,
    "INVITE sip:nobody@example.com SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\n"
    "Max-Forwards: 70\nFrom: <sip:carol@$A>;tag=a1\nTo: <sip:nobody@example.com>\n"
    "Call-ID: $CID\nCSeq: 1 INVITE\nContent-Length: 0\n\n");
  const char *domains[] = { "example.com", NULL };
  g_autofree char *expected = g_strdup_printf ("sip:alice-phone@127.0.0.1:%u;transport=udp",
                                               net_sip_leg_get_port (f->b));

  /* a handler that knows nothing does not stop the next one */
  g_signal_connect (f->proxy, "lookup-aor", G_CALLBACK (lookup_nothing), NULL);
  g_signal_connect (f->proxy, "lookup-aor", G_CALLBACK (lookup_aor), f);
  net_sip_stateless_proxy_set_domains (f->proxy, domains);
  send_to (f->a, known, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_b))), ==, expected);

  send_to (f->a, unknown, f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 404);
  g_assert_cmpuint (f->got_b->len, ==, 1);
}

/* Contact rewriting: encoded towards B, decoded on the way back; a
 * forged encoding refused */
static void
test_contact_rewrite (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipMessage) bye = NULL;
  g_autoptr(NetSipMessage) forged = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *a_contact = g_strdup_printf ("sip:alice@127.0.0.1:%u", net_sip_leg_get_port (f->a));
  g_autofree char *b_contact = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (f->b));
  g_autofree char *rewritten = NULL;
  g_autofree char *decoded = NULL;
  g_autofree char *tampered = NULL;
  NetSipNameAddr *c;

  net_sip_message_set_header (invite, "Contact", NULL);
  {
    g_autofree char *v = g_strdup_printf ("\"Alice\" <%s>;expires=60;+sip.instance=\"<urn:x>\"", a_contact);
    net_sip_message_set_header (invite, "Contact", v);
  }
  net_sip_stateless_proxy_set_force_rewrite (f->proxy, TRUE);
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  contacts = net_sip_message_get_contacts (last (f->got_b), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, 1);
  c = g_ptr_array_index (contacts, 0);
  rewritten = g_strdup (net_sip_name_addr_get_uri_string (c));
  g_assert_true (g_str_has_prefix (rewritten, "sip:nsp"));
  g_assert_nonnull (strstr (rewritten, "@127.0.0.1:"));
  g_assert_null (strstr (rewritten, "alice"));
  g_assert_cmpint (net_sip_name_addr_get_expires (c), ==, 60);
  g_assert_cmpstr (net_sip_name_addr_get_param (c, "+sip.instance"), ==, "<urn:x>");
  decoded = net_sip_stateless_proxy_decode_contact (f->proxy, rewritten, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (decoded, ==, a_contact);

  /* B's 200 with its Contact: rewritten towards A */
  ok = net_sip_request_create_response (NET_SIP_REQUEST (last (f->got_b)), 200, NULL, "b1");
  {
    g_autofree char *v = g_strdup_printf ("<%s>", b_contact);
    net_sip_message_set_header (NET_SIP_MESSAGE (ok), "Contact", v);
  }
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_true (g_str_has_prefix (net_sip_message_get_header (last (f->got_a), "Contact"), "<sip:nsp"));

  /* B sends the BYE to the rewritten Contact: it reaches A's real one */
  {
    g_autofree char *text = g_strdup_printf (
      "BYE %s SIP/2.0\nVia: SIP/2.0/UDP $B;branch=$BR;rport\nMax-Forwards: 70\n"
      "From: <sip:bob@$B>;tag=b1\nTo: <sip:alice@$A>;tag=a1\nCall-ID: $CID\nCSeq: 1 BYE\n"
      "Content-Length: 0\n\n", rewritten);
    bye = make (f, text);
  }
  send_to (f->b, bye, f->p_leg);
  wait_for (f->got_a, 2);
  g_assert_cmpstr (net_sip_message_get_method (last (f->got_a)), ==, "BYE");
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (last (f->got_a))), ==, a_contact);

  /* a forged one: one character of the encoded data changed */
  tampered = g_strdup (rewritten);
  tampered[10] = tampered[10] == 'A' ? 'B' : 'A';
  {
    g_autofree char *text = g_strdup_printf (
      "BYE %s SIP/2.0\nVia: SIP/2.0/UDP $B;branch=$BR;rport\nMax-Forwards: 70\n"
      "From: <sip:bob@$B>;tag=b1\nTo: <sip:alice@$A>;tag=a1\nCall-ID: $CID\nCSeq: 2 BYE\n"
      "Content-Length: 0\n\n", tampered);
    forged = make (f, text);
  }
  send_to (f->b, forged, f->p_leg);
  wait_for (f->got_b, 2);
  g_assert_cmpuint (code_of (last (f->got_b)), ==, 403);
  g_assert_cmpuint (f->got_a->len, ==, 2);
  g_clear_pointer (&decoded, g_free);
  decoded = net_sip_stateless_proxy_decode_contact (f->proxy, tampered, &error);
  g_assert_null (decoded);
  g_assert_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_FORGED);
  g_clear_error (&error);

  /* another secret: the old encoding is refused too */
  {
    g_autoptr(GBytes) secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
    net_sip_stateless_proxy_set_secret (f->proxy, secret);
    decoded = net_sip_stateless_proxy_decode_contact (f->proxy, rewritten, &error);
    g_assert_null (decoded);
    g_assert_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_FORGED);
    g_clear_error (&error);
  }
  /* not ours at all */
  decoded = net_sip_stateless_proxy_decode_contact (f->proxy, a_contact, &error);
  g_assert_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_NOT_REWRITTEN);
}

/* No state: a response long after the request (a 200 after ringing past
 * 64*T1, when a stateful dispatcher's entry would be gone) is still
 * forwarded; a request for the proxy itself is answered */
static void
test_late_response (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipMessage) ping = make (f,
    "OPTIONS sip:$P SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:$P>\nCall-ID: $CID\nCSeq: 1 OPTIONS\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipMessage) info = make (f,
    "INFO sip:$P SIP/2.0\nVia: SIP/2.0/UDP $A;branch=$BR;rport\nMax-Forwards: 70\n"
    "From: <sip:alice@$A>;tag=a1\nTo: <sip:$P>\nCall-ID: $CID\nCSeq: 1 INFO\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipResponse) ok = NULL;
  guint n_tx = 1;

  /* 64*T1 = 640 ms */
  g_object_set (f->p, "t1", 10u, NULL);
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  netsip_test_run_for (900);
  g_object_get (f->p, "n-transactions", &n_tx, NULL);
  g_assert_cmpuint (n_tx, ==, 0);
  ok = net_sip_request_create_response (NET_SIP_REQUEST (last (f->got_b)), 200, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 200);

  send_to (f->a, ping, f->p_leg);
  wait_for (f->got_a, 2);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 200);
  g_assert_nonnull (net_sip_message_get_header (last (f->got_a), "Allow"));
  send_to (f->a, info, f->p_leg);
  wait_for (f->got_a, 3);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 404);
  g_assert_cmpuint (f->got_b->len, ==, 1);
}

static void
on_source (NetSipLeg        *leg,
           NetSipMessage    *message,
           NetSipSourceInfo *source,
           gpointer          user_data)
{
  GInetSocketAddress *remote = net_sip_source_info_get_remote_address (source);
  guint port = g_inet_socket_address_get_port (remote);
  g_array_append_val ((GArray *) user_data, port);
}

/* A proxy with two legs: a request that leaves on the other one gets two
 * Record-Routes (RFC 5658), a rewritten Contact, and its response goes
 * back out on the leg it came on */
static void
test_two_legs (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) second = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(GPtrArray) rr = NULL;
  g_autoptr(GArray) a_sources = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autofree char *rr_first = NULL;
  g_autofree char *rr_second = NULL;
  NetSipMessage *at_b;
  NetSipVia *via;

  g_assert_no_error (error);
  net_sip_dispatcher_add_leg (f->p, second);
  g_signal_connect (f->a, "message-received", G_CALLBACK (on_source), a_sources);
  net_sip_stateless_proxy_set_record_route (f->proxy, TRUE);

  /* A talks to the second leg; the first one reaches B */
  send_to (f->a, invite, second);
  wait_for (f->got_b, 1);
  at_b = last (f->got_b);
  via = net_sip_message_get_top_via (at_b, NULL);
  g_assert_cmpuint (net_sip_via_get_port (via), ==, net_sip_leg_get_port (f->p_leg));
  g_assert_nonnull (net_sip_via_get_param (via, "nsp-in"));
  rr = net_sip_message_get_record_routes (at_b, NULL);
  g_assert_cmpuint (rr->len, ==, 2);
  rr_first = g_strdup_printf ("sip:127.0.0.1:%u;lr", net_sip_leg_get_port (f->p_leg));
  rr_second = g_strdup_printf ("sip:127.0.0.1:%u;lr", net_sip_leg_get_port (second));
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (rr, 0)), ==, rr_first);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (rr, 1)), ==, rr_second);
  /* legs differ: the Contact points to the leg B sees */
  {
    g_autofree char *suffix = g_strdup_printf ("@127.0.0.1:%u>", net_sip_leg_get_port (f->p_leg));
    const char *contact = net_sip_message_get_header (at_b, "Contact");
    g_assert_true (g_str_has_prefix (contact, "<sip:nsp"));
    g_assert_true (g_str_has_suffix (contact, suffix));
  }

  ok = net_sip_request_create_response (NET_SIP_REQUEST (at_b), 200, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 200);
  g_assert_cmpuint (a_sources->len, ==, 1);
  g_assert_cmpuint (g_array_index (a_sources, guint, 0), ==, net_sip_leg_get_port (second));
  g_signal_handlers_disconnect_by_data (f->a, a_sources);
  net_sip_dispatcher_remove_leg (f->p, second);
}

static NetSipMessage *
corpus_message (const char *name)
{
  g_autofree char *path = g_build_filename (NETSIP_TEST_CORPUS, "torture", name, NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;
  NetSipMessage *m;

  g_assert_true (g_file_get_contents (path, &text, &len, &error));
  bytes = g_bytes_new (text, len);
  m = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  return m;
}

/* RFC 4475 messages a proxy must answer (§3.1.2.7 zeromf 483, §3.3.13
 * unkscm and novelsc 416, §3.3.10 bext01 420) or drop (§3.1.2.16 bcast),
 * sent from A with A's Via in place of theirs */
static void
test_rfc4475 (Fixture *f, gconstpointer data)
{
  const struct { const char *name; guint code; } cases[] = {
    { "zeromf.sip", 483 },
    { "unkscm.sip", 416 },
    { "novelsc.sip", 416 },
    { "bext01.sip", 420 },
  };
  guint64 dropped = 0;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipMessage) m = corpus_message (cases[i].name);
      net_sip_message_remove_header (m, "Via");
      net_sip_leg_add_via (f->a, m);
      send_to (f->a, m, f->p_leg);
      wait_for (f->got_a, i + 1);
      g_test_message ("%s: %u", cases[i].name, code_of (last (f->got_a)));
      g_assert_cmpuint (code_of (last (f->got_a)), ==, cases[i].code);
      g_assert_cmpstr (net_sip_message_get_call_id (last (f->got_a)), ==,
                       net_sip_message_get_call_id (m));
    }
  g_assert_nonnull (strstr (net_sip_message_get_header (last (f->got_a), "Unsupported"),
                            "noProxiesSupportThis"));

  /* bcast: as if the proxy had forwarded its request: our Via on top,
   * then 255.255.255.255 */
  {
    g_autoptr(NetSipMessage) m = corpus_message ("bcast.sip");
    g_autofree char *via = g_strdup_printf ("SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKnspx.y",
                                            net_sip_leg_get_port (f->p_leg));
    net_sip_message_remove_first_header (m, "Via");
    net_sip_message_prepend_header (m, "Via", via);
    send_to (f->b, m, f->p_leg);
    netsip_test_run_for (200);
    g_object_get (f->proxy, "n-dropped", &dropped, NULL);
    g_assert_cmpuint (dropped, ==, 1);
  }
  g_assert_cmpuint (f->got_b->len, ==, 0);
}

static guint
nat_hook (NetSipStatelessProxy *proxy,
          NetSipMessage        *message,
          NetSipLeg            *in,
          NetSipLeg            *out,
          gpointer              user_data)
{
  Fixture *f = user_data;

  g_assert_true (in == f->p_leg);
  g_assert_true (out == f->p_leg);
  if (net_sip_message_get_header (message, "X-Refuse"))
    return 488;
  net_sip_message_set_header (message, "X-Nat", net_sip_message_is_request (message) ? "req" : "resp");
  return 0;
}

/* The NAT helper hook sees both directions and can refuse */
static void
test_nat_hook (Fixture *f, gconstpointer data)
{
  g_autoptr(NetSipMessage) invite = make (f, INVITE);
  g_autoptr(NetSipMessage) refused = make (f, INVITE);
  g_autoptr(NetSipResponse) ok = NULL;

  g_signal_connect (f->proxy, "do-nat", G_CALLBACK (nat_hook), f);
  send_to (f->a, invite, f->p_leg);
  wait_for (f->got_b, 1);
  g_assert_cmpstr (net_sip_message_get_header (last (f->got_b), "X-Nat"), ==, "req");
  ok = net_sip_request_create_response (NET_SIP_REQUEST (last (f->got_b)), 200, NULL, "b1");
  send_to (f->b, NET_SIP_MESSAGE (ok), f->p_leg);
  wait_for (f->got_a, 1);
  g_assert_cmpstr (net_sip_message_get_header (last (f->got_a), "X-Nat"), ==, "resp");

  net_sip_message_set_header (refused, "X-Refuse", "1");
  send_to (f->a, refused, f->p_leg);
  wait_for (f->got_a, 2);
  g_assert_cmpuint (code_of (last (f->got_a)), ==, 488);
  g_assert_cmpuint (f->got_b->len, ==, 1);
}

/* ------------------------------------------------------------------ */
/* Two endpoints made of dispatchers, the proxy as outgoing proxy      */

#define TEST_TYPE_UAS (test_uas_get_type ())
G_DECLARE_FINAL_TYPE (TestUas, test_uas, TEST, UAS, GObject)

struct _TestUas
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;
  guint             n;
};

static void test_uas_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestUas, test_uas, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_uas_iface_init))

static void test_uas_class_init (TestUasClass *klass) { }
static void test_uas_init (TestUas *self) { }

static void
uas_answered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr(GError) error = NULL;
  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
test_uas_receive (NetSipReceiver *receiver, NetSipMessage *message, NetSipLeg *leg,
                  NetSipSourceInfo *source)
{
  TestUas *self = TEST_UAS (receiver);
  g_autoptr(NetSipResponse) response = NULL;

  if (!net_sip_message_is_request (message) || !strcmp (net_sip_message_get_method (message), "ACK"))
    return FALSE;
  self->n++;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, "uas");
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    uas_answered, NULL);
  return TRUE;
}

static void
test_uas_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_uas_receive;
}

typedef struct
{
  gboolean        done;
  NetSipResponse *response;
  GError         *error;
} Result;

static void
on_delivered (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;
  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &r->response, &r->error);
  r->done = TRUE;
}

static gboolean
result_done (gpointer data)
{
  return ((Result *) data)->done;
}

static void
test_dispatchers (Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) ua_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) uas_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipDispatcher) uac = net_sip_dispatcher_new (&ua_leg, 1);
  g_autoptr(NetSipDispatcher) uasd = net_sip_dispatcher_new (&uas_leg, 1);
  g_autoptr(TestUas) uas = g_object_new (TEST_TYPE_UAS, NULL);
  g_autofree char *proxy = g_strdup_printf ("udp:127.0.0.1:%u", net_sip_leg_get_port (f->p_leg));
  g_autofree char *uri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (uas_leg));
  Result r = { 0 };

  uas->dispatcher = uasd;
  net_sip_dispatcher_set_receiver (uasd, NET_SIP_RECEIVER (uas));
  g_object_set (uac, "outgoing-proxy", proxy, NULL);
  for (guint i = 0; i < 3; i++)
    {
      const char *method = i == 1 ? "INVITE" : "OPTIONS";
      g_autoptr(NetSipRequest) req = net_sip_request_new (method, uri);
      g_autofree char *cid = g_strdup_printf ("%08x@disp", g_random_int ());
      g_autofree char *cseq = g_strdup_printf ("1 %s", method);

      net_sip_message_set_header (NET_SIP_MESSAGE (req), "From", "<sip:alice@127.0.0.1>;tag=x");
      net_sip_message_set_header (NET_SIP_MESSAGE (req), "To", "<sip:bob@127.0.0.1>");
      net_sip_message_set_header (NET_SIP_MESSAGE (req), "Call-ID", cid);
      net_sip_message_set_header (NET_SIP_MESSAGE (req), "CSeq", cseq);
      net_sip_message_set_header (NET_SIP_MESSAGE (req), "Max-Forwards", "70");
      net_sip_message_set_header (NET_SIP_MESSAGE (req), "Content-Length", "0");
      memset (&r, 0, sizeof r);
      net_sip_dispatcher_deliver_async (uac, NET_SIP_MESSAGE (req), NULL, NULL, on_delivered, &r);
      run_until (result_done, &r);
      g_assert_no_error (r.error);
      g_assert_nonnull (r.response);
      g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
      g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (r.response)), ==, "uas");
      g_clear_object (&r.response);
    }
  g_assert_cmpuint (uas->n, ==, 3);
  net_sip_dispatcher_set_receiver (uasd, NULL);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/proxy/forward", test_forward);
  ADD ("/proxy/max-forwards", test_max_forwards);
  ADD ("/proxy/loop", test_loop);
  ADD ("/proxy/branch", test_branch);
  ADD ("/proxy/record-route", test_record_route);
  ADD ("/proxy/loose-route", test_loose_route);
  ADD ("/proxy/strict-route", test_strict_route);
  ADD ("/proxy/response-routing", test_response_routing);
  ADD ("/proxy/unsupported", test_unsupported);
  ADD ("/proxy/own-ack", test_own_ack);
  ADD ("/proxy/aor-hook", test_aor_hook);
  ADD ("/proxy/contact-rewrite", test_contact_rewrite);
  ADD ("/proxy/nat-hook", test_nat_hook);
  ADD ("/proxy/late-response", test_late_response);
  ADD ("/proxy/rfc4475", test_rfc4475);
  ADD ("/proxy/two-legs", test_two_legs);
  ADD ("/proxy/dispatchers", test_dispatchers);
  return g_test_run ();
}
