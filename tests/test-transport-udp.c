/* test-transport-udp.c: NetSipLeg and NetSipSocketPool over UDP on loopback
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "netsip-message-private.h"

#define TIMEOUT_SECONDS 5

typedef struct
{
  GMainLoop     *loop;
  NetSipMessage *message;
  NetSipSourceInfo *source;
  guint          count;
  gboolean       done;
  GError        *error;
} Wait;

static gboolean
wait_timeout (gpointer user_data)
{
  g_error ("test timed out after %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
run_until (Wait *w)
{
  guint id = g_timeout_add_seconds (TIMEOUT_SECONDS, wait_timeout, w);
  while (!w->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
on_message (NetSipLeg        *leg,
            NetSipMessage    *message,
            NetSipSourceInfo *source,
            gpointer          user_data)
{
  Wait *w = user_data;
  g_set_object (&w->message, message);
  g_set_object (&w->source, source);
  w->count++;
  w->done = TRUE;
}

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Wait *w = user_data;
  net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &w->error);
  w->done = TRUE;
}

static void
wait_clear (Wait *w)
{
  g_clear_object (&w->message);
  g_clear_object (&w->source);
  g_clear_error (&w->error);
  w->done = FALSE;
}

static NetSipMessage *
make_options (const char *ruri)
{
  NetSipRequest *req = net_sip_request_new ("OPTIONS", ruri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", "<sip:bob@example.org>");
  net_sip_message_add_header (m, "From", "<sip:alice@example.com>;tag=t1");
  net_sip_message_add_header (m, "Call-ID", "udp-test@127.0.0.1");
  net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
  return m;
}

static GInetSocketAddress *
leg_address (NetSipLeg *leg)
{
  return net_sip_socket_pool_get_local_address (net_sip_leg_get_socket_pool (leg));
}

static void
exchange (const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) a = net_sip_leg_new (spec, &error);
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autoptr(NetSipResponse) resp = NULL;
  g_autoptr(GInetSocketAddress) back = NULL;
  Wait wa = { 0 }, wb = { 0 };
  NetSipVia *via;
  guint64 n;

  g_assert_no_error (error);
  b = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_leg_get_port (a), !=, 0);
  g_assert_cmpuint (net_sip_leg_get_port (a), !=, net_sip_leg_get_port (b));
  g_signal_connect (a, "message-received", G_CALLBACK (on_message), &wa);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &wb);

  /* a -> b: the request gets a's Via, b sees it with received/rport */
  req = make_options ("sip:bob@example.org");
  net_sip_leg_deliver_async (a, req, leg_address (b), NULL, on_delivered, &wa);
  run_until (&wa);
  g_assert_no_error (wa.error);
  wait_clear (&wa);
  g_assert_true (net_sip_leg_check_via (a, req));
  run_until (&wb);
  g_assert_nonnull (wb.message);
  g_assert_true (NET_SIP_IS_REQUEST (wb.message));
  g_assert_cmpuint (net_sip_source_info_get_transport (wb.source), ==, NET_SIP_TRANSPORT_UDP);
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (wb.source)),
                    ==, net_sip_leg_get_port (a));
  via = net_sip_message_get_top_via (wb.message, &error);
  g_assert_no_error (error);
  /* RFC 3581: rport asked for, so filled in, and received always added */
  g_assert_cmpint (net_sip_via_get_rport (via), ==, net_sip_leg_get_port (a));
  g_assert_cmpstr (net_sip_via_get_received (via), ==, net_sip_leg_get_address (a));
  g_assert_true (g_str_has_prefix (net_sip_via_get_branch (via), "z9hG4bK"));
  g_assert_cmpuint (strlen (net_sip_via_get_branch (via)), >=, 7 + 16);
  g_assert_cmpstr (net_sip_message_get_call_id (wb.message), ==, "udp-test@127.0.0.1");

  /* b answers to the source address; a sees its own Via on top */
  resp = net_sip_request_create_response (NET_SIP_REQUEST (wb.message), 200, NULL, "b1");
  back = g_object_ref (net_sip_source_info_get_remote_address (wb.source));
  wait_clear (&wb);
  net_sip_leg_deliver_async (b, NET_SIP_MESSAGE (resp), back, NULL, on_delivered, &wb);
  run_until (&wb);
  g_assert_no_error (wb.error);
  run_until (&wa);
  g_assert_true (NET_SIP_IS_RESPONSE (wa.message));
  g_assert_cmpuint (net_sip_response_get_code (NET_SIP_RESPONSE (wa.message)), ==, 200);
  g_assert_true (net_sip_leg_check_via (a, wa.message));
  g_assert_false (net_sip_leg_check_via (b, wa.message));
  g_assert_cmpstr (net_sip_message_get_to_tag (wa.message), ==, "b1");

  g_object_get (net_sip_leg_get_socket_pool (a), "n-sent", &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  g_object_get (net_sip_leg_get_socket_pool (a), "n-received", &n, NULL);
  g_assert_cmpuint (n, ==, 1);
  wait_clear (&wa);
  wait_clear (&wb);
}

static void
on_pool_message (NetSipSocketPool *pool,
                 NetSipMessage    *message,
                 NetSipSourceInfo *source,
                 gpointer          user_data)
{
  guint *count = user_data;
  (*count)++;
}

/* deliver_async with no callback (how responses and retransmissions go
 * out) sends all the same; the pool's own message-received signal still
 * fires next to the leg's; a run of datagrams from one peer shares its
 * NetSipSourceInfo, and another peer gets its own. */
static void
test_no_callback (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) b = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) c = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipSourceInfo) first = NULL;
  Wait wb = { 0 };
  guint pool_count = 0;
  guint64 n;

  g_assert_no_error (error);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &wb);
  g_signal_connect (net_sip_leg_get_socket_pool (b), "message-received",
                    G_CALLBACK (on_pool_message), &pool_count);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(NetSipMessage) req = make_options ("sip:bob@example.org");
      NetSipLeg *from = i < 2 ? a : c;

      net_sip_leg_deliver_async (from, req, leg_address (b), NULL, NULL, NULL);
      run_until (&wb);
      g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (wb.source)),
                        ==, net_sip_leg_get_port (from));
      if (i == 0)
        first = g_object_ref (wb.source);
      else if (i == 1)
        g_assert_true (wb.source == first);
      else
        g_assert_true (wb.source != first);
      wait_clear (&wb);
    }
  g_assert_cmpuint (pool_count, ==, 3);
  g_object_get (net_sip_leg_get_socket_pool (a), "n-sent", &n, NULL);
  g_assert_cmpuint (n, ==, 2);
  g_object_get (net_sip_leg_get_socket_pool (b), "n-received", &n, NULL);
  g_assert_cmpuint (n, ==, 3);

  /* a failure nobody waits for is dropped quietly: an IPv6 address from
   * an IPv4 leg */
  {
    g_autoptr(NetSipMessage) req = make_options ("sip:bob@example.org");
    g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    g_autoptr(GInetSocketAddress) dest = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (v6, 5060));
    net_sip_leg_deliver_async (a, req, dest, NULL, NULL, NULL);
    g_object_get (net_sip_leg_get_socket_pool (a), "n-sent", &n, NULL);
    g_assert_cmpuint (n, ==, 2);
  }
}

typedef struct
{
  GInetSocketAddress *destination;
  GError             *error;
} SendFailed;

static void
on_send_failed (NetSipLeg          *leg,
                GInetSocketAddress *destination,
                const GError       *error,
                gpointer            user_data)
{
  SendFailed *f = user_data;
  g_set_object (&f->destination, destination);
  g_clear_error (&f->error);
  f->error = g_error_copy (error);
}

static gboolean
send_failed_seen (gpointer user_data)
{
  return ((SendFailed *) user_data)->error != NULL;
}

/* RFC 3261 §18.4: a datagram to a port where nothing listens is sent (the
 * delivery completes), then the ICMP port unreachable comes back as the
 * leg's send-failed, naming the destination */
static void
icmp_to (const char *spec)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) a = net_sip_leg_new (spec, &error);
  g_autoptr(NetSipLeg) gone = NULL;
  g_autoptr(GInetSocketAddress) dest = NULL;
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@example.org");
  SendFailed f = { 0 };
  Wait w = { 0 };
  guint id;

  if (a == NULL && g_str_has_prefix (spec, "udp:[::1]"))
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }
  g_assert_no_error (error);
  gone = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  dest = g_object_ref (leg_address (gone));
  g_clear_object (&gone);
  g_signal_connect (a, "send-failed", G_CALLBACK (on_send_failed), &f);
  net_sip_leg_deliver_async (a, req, dest, NULL, on_delivered, &w);
  run_until (&w);
  g_assert_no_error (w.error);
  id = g_timeout_add_seconds (TIMEOUT_SECONDS, wait_timeout, NULL);
  while (!send_failed_seen (&f))
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
  g_assert_error (f.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (g_inet_socket_address_get_port (f.destination), ==, g_inet_socket_address_get_port (dest));
  g_assert_true (g_inet_address_equal (g_inet_socket_address_get_address (f.destination),
                                       g_inet_socket_address_get_address (dest)));
  g_clear_object (&f.destination);
  g_clear_error (&f.error);
  wait_clear (&w);
}

static void
test_icmp (void)
{
  icmp_to ("udp:127.0.0.1:0");
  icmp_to ("udp:[::1]:0");
}

static void
test_ipv4 (void)
{
  exchange ("udp:127.0.0.1:0");
}

static void
test_ipv6 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) probe = net_sip_leg_new ("udp:[::1]:0", &error);

  if (probe == NULL)
    {
      g_test_skip ("no IPv6 loopback here");
      return;
    }
  g_assert_cmpint (net_sip_leg_get_family (probe), ==, G_SOCKET_FAMILY_IPV6);
  exchange ("udp:[::1]:0");
}

static void
test_specs (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = NULL;
  g_autofree char *s = NULL;
  NetSipLeg *bad;

  leg = net_sip_leg_new ("127.0.0.1:0", &error);
  g_assert_no_error (error);
  g_assert_cmpint (net_sip_leg_get_protocol (leg), ==, NET_SIP_TRANSPORT_UDP);
  s = net_sip_leg_to_string (leg);
  g_assert_true (g_str_has_prefix (s, "udp:127.0.0.1:"));
  g_assert_true (g_str_has_prefix (net_sip_leg_get_contact (leg), "sip:127.0.0.1:"));
  g_assert_true (net_sip_leg_can_deliver_to (leg, NET_SIP_TRANSPORT_UDP, NULL));
  g_assert_false (net_sip_leg_can_deliver_to (leg, NET_SIP_TRANSPORT_TCP, NULL));
  {
    g_autoptr(GInetAddress) v6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
    g_autoptr(GInetAddress) v4 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
    g_assert_false (net_sip_leg_can_deliver_to (leg, NET_SIP_TRANSPORT_UDP, v6));
    g_assert_true (net_sip_leg_can_deliver_to (leg, NET_SIP_TRANSPORT_UDP, v4));
  }

  /* the same port twice */
  {
    g_autofree char *spec = g_strdup_printf ("udp:127.0.0.1:%u", net_sip_leg_get_port (leg));
    bad = net_sip_leg_new (spec, &error);
    g_assert_null (bad);
    g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE);
    g_clear_error (&error);
  }
  bad = net_sip_leg_new ("udp:not-an-ip:5060", &error);
  g_assert_null (bad);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);
  bad = net_sip_leg_new ("udp:127.0.0.1:99999", &error);
  g_assert_null (bad);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);
  bad = net_sip_leg_new ("udp:[::1:5060", &error);
  g_assert_null (bad);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS);
  g_clear_error (&error);
  bad = net_sip_leg_new ("tls:127.0.0.1:0", &error);
  g_assert_null (bad);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE);
  g_clear_error (&error);
}

static void
test_no_route (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@example.org");
  g_autoptr(GSocketAddress) v6 = g_inet_socket_address_new_from_string ("::1", 5060);
  Wait w = { 0 };

  g_assert_no_error (error);
  net_sip_leg_deliver_async (leg, req, G_INET_SOCKET_ADDRESS (v6), NULL, on_delivered, &w);
  run_until (&w);
  g_assert_error (w.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE);
  wait_clear (&w);
}

/* A raw socket plays the peer that sends bad input. */
static GSocket *
raw_socket (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_socket_bind (s, any, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_timeout (s, TIMEOUT_SECONDS);
  return s;
}

static void
raw_send (GSocket    *s,
          NetSipLeg  *leg,
          const char *data,
          gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_socket_send_to (s, G_SOCKET_ADDRESS (leg_address (leg)), data, len, NULL, &error);
  g_assert_no_error (error);
}

static void
pump (void)
{
  /* let the leg's read source run */
  for (guint i = 0; i < 20; i++)
    {
      g_usleep (2000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
}

/* Receives on the raw socket while the leg's main context runs. */
static gssize
raw_receive (GSocket *s,
             char    *buf,
             gsize    size)
{
  g_autoptr(GError) error = NULL;
  gint64 deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
  gssize n;

  while (!g_socket_condition_timed_wait (s, G_IO_IN, 10000, NULL, NULL))
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      if (g_get_monotonic_time () > deadline)
        g_error ("no reply within %d s", TIMEOUT_SECONDS);
    }
  n = g_socket_receive (s, buf, size, NULL, &error);
  g_assert_no_error (error);
  buf[n] = '\0';
  return n;
}

static guint64
counter (NetSipLeg  *leg,
         const char *name)
{
  guint64 v;
  g_object_get (net_sip_leg_get_socket_pool (leg), name, &v, NULL);
  return v;
}

static void
test_bad_input (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(GSocket) raw = raw_socket ();
  Wait w = { 0 };
  char buf[4096];
  gssize n;
  const char *garbage =
    "OPTIONS sip:bob@example.org SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\n"
    "From: <sip:a@b>;tag=x\r\n"
    "To: <sip:c@d>\r\n"
    "Call-ID: bad@x\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Content-Length: 99\r\n"
    "\r\n";

  g_assert_no_error (error);
  g_signal_connect (leg, "message-received", G_CALLBACK (on_message), &w);

  /* keep-alives are ignored, not counted */
  raw_send (raw, leg, "\r\n\r\n", 4);
  raw_send (raw, leg, "jaK\r\n", 5);
  pump ();
  g_assert_cmpuint (w.count, ==, 0);
  g_assert_cmpuint (counter (leg, "n-dropped-malformed"), ==, 0);

  /* garbage with a readable Via is answered with 400 and the reason */
  raw_send (raw, leg, garbage, strlen (garbage));
  n = raw_receive (raw, buf, sizeof buf - 1);
  g_assert_true (g_str_has_prefix (buf, "SIP/2.0 400 Content-Length 99 exceeds"));
  g_assert_nonnull (strstr (buf, "\r\nVia: SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKbad\r\n"));
  g_assert_nonnull (strstr (buf, "\r\nCall-ID: bad@x\r\n"));
  {
    g_autoptr(GBytes) b = g_bytes_new (buf, n);
    g_autoptr(NetSipMessage) reply = net_sip_message_parse (b, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (net_sip_message_validate (reply, NULL), ==, 0);
  }
  g_assert_cmpuint (counter (leg, "n-dropped-malformed"), ==, 1);

  /* random bytes: dropped and counted, nothing sent back */
  raw_send (raw, leg, "\x01\x02\x03 not SIP at all, nope", sizeof "\x01\x02\x03 not SIP at all, nope" - 1);
  pump ();
  g_assert_cmpuint (counter (leg, "n-dropped-malformed"), ==, 2);
  g_assert_cmpuint (w.count, ==, 0);

  /* over the size limit: counted apart, answered 513 */
  g_object_set (net_sip_leg_get_socket_pool (leg), "max-sip-body", 10, NULL);
  {
    g_autoptr(GString) big = g_string_new (garbage);
    g_string_truncate (big, strstr (big->str, "Content-Length") - big->str);
    g_string_append (big, "Content-Length: 100\r\n\r\n");
    for (guint i = 0; i < 100; i++)
      g_string_append_c (big, 'x');
    raw_send (raw, leg, big->str, big->len);
    n = raw_receive (raw, buf, sizeof buf - 1);
    g_assert_true (g_str_has_prefix (buf, "SIP/2.0 513 "));
    g_assert_cmpuint (counter (leg, "n-dropped-oversize"), ==, 1);
  }

  /* and a good one still gets through */
  {
    g_autoptr(NetSipMessage) ok = make_options ("sip:bob@example.org");
    g_autoptr(GBytes) b = NULL;
    net_sip_message_add_header (ok, "Via", "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKgood");
    b = net_sip_message_to_bytes (ok);
    raw_send (raw, leg, g_bytes_get_data (b, NULL), g_bytes_get_size (b));
    run_until (&w);
    g_assert_cmpuint (w.count, ==, 1);
    /* sent-by 127.0.0.1 equals the source: no received, no rport asked */
    g_assert_null (net_sip_via_get_received (net_sip_message_get_top_via (w.message, NULL)));
  }
  wait_clear (&w);
}

/* RFC 3261 §18.2.1 and RFC 3581 §4 on requests as peers write them: the
 * received leg's Via gets received (and rport's value), the rest of the
 * line stays as written, and the message serializes to the same values. */
static void
test_via_received (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(GSocket) raw = raw_socket ();
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (raw, NULL);
  guint port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  Wait w = { 0 };
  struct {
    const char *via;        /* %u: the raw socket's port */
    const char *expect;     /* the first Via line afterwards; %u: port */
    gint        rport;      /* expected rport: -1 absent, 1 = the port */
    const char *received;
    guint       n_vias;
  } cases[] = {
    { "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKa1;rport",
      "SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKa1;rport=%u;received=127.0.0.1", 1, "127.0.0.1", 1 },
    { "Via: SIP/2.0/UDP host.example.com;branch=z9hG4bKa2",
      "SIP/2.0/UDP host.example.com;branch=z9hG4bKa2;received=127.0.0.1", -1, "127.0.0.1", 1 },
    { "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKa3",
      "SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKa3", -1, NULL, 1 },
    { "Via: SIP/2.0/UDP h.example.com;rport;branch=z9hG4bKa4, SIP/2.0/UDP other.example.com;branch=z9hG4bKx",
      "SIP/2.0/UDP h.example.com;rport=%u;branch=z9hG4bKa4;received=127.0.0.1, SIP/2.0/UDP other.example.com;branch=z9hG4bKx",
      1, "127.0.0.1", 2 },
    { "Via: SIP/2.0/UDP h.example.com;branch=z9hG4bKa5;received=10.0.0.1;rport\r\nVia: SIP/2.0/UDP o.example.com;branch=z9hG4bKy",
      NULL, 1, "127.0.0.1", 2 },
    { "Via: SIP/2.0/UDP h.example.com;x=\"a;rport\";branch=z9hG4bKa6;RPORT",
      "SIP/2.0/UDP h.example.com;x=\"a;rport\";branch=z9hG4bKa6;RPORT=%u;received=127.0.0.1", 1, "127.0.0.1", 1 },
    { "v: SIP/2.0/UDP h.example.com ; branch=z9hG4bKa7 ; rport",
      "SIP/2.0/UDP h.example.com ; branch=z9hG4bKa7 ; rport=%u;received=127.0.0.1", 1, "127.0.0.1", 1 },
    { "Via: SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKa8;rport=9",
      "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKa8;rport=9;received=127.0.0.1", 9, "127.0.0.1", 1 },
  };

  g_assert_no_error (error);
  g_signal_connect (leg, "message-received", G_CALLBACK (on_message), &w);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *via_line = g_strdup_printf (cases[i].via, port);
      g_autofree char *text = g_strdup_printf ("OPTIONS sip:bob@example.org SIP/2.0\r\n%s\r\n"
                                               "Max-Forwards: 70\r\nTo: <sip:bob@example.org>\r\n"
                                               "From: <sip:a@example.com>;tag=f%u\r\nCall-ID: via-%u\r\n"
                                               "CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n",
                                               via_line, i, i);
      g_autoptr(GBytes) bytes = NULL;
      g_autoptr(NetSipMessage) again = NULL;
      g_autoptr(NetSipResponse) resp = NULL;
      g_autoptr(GPtrArray) vias = NULL;
      NetSipVia *via, *via2;
      gint expect_rport = cases[i].rport == 1 ? (gint) port : cases[i].rport;

      g_test_message ("case %u: %s", i, via_line);
      raw_send (raw, leg, text, strlen (text));
      run_until (&w);
      if (cases[i].expect)
        {
          g_autofree char *expect = g_strdup_printf (cases[i].expect, port, port);
          g_assert_cmpstr (net_sip_message_get_header (w.message, "Via"), ==, expect);
        }
      via = net_sip_message_get_top_via (w.message, &error);
      g_assert_no_error (error);
      g_assert_cmpint (net_sip_via_get_rport (via), ==, expect_rport);
      g_assert_cmpstr (net_sip_via_get_received (via), ==, cases[i].received);
      g_assert_true (g_str_has_prefix (net_sip_via_get_branch (via), "z9hG4bKa"));
      vias = net_sip_message_get_vias (w.message, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (vias->len, ==, cases[i].n_vias);
      if (cases[i].n_vias == 2)
        g_assert_null (net_sip_via_get_received (g_ptr_array_index (vias, 1)));

      /* what goes out parses to the same top Via */
      bytes = net_sip_message_to_bytes (w.message);
      again = net_sip_message_parse (bytes, &error);
      g_assert_no_error (error);
      via2 = net_sip_message_get_top_via (again, &error);
      g_assert_no_error (error);
      g_assert_cmpint (net_sip_via_get_rport (via2), ==, expect_rport);
      g_assert_cmpstr (net_sip_via_get_received (via2), ==, cases[i].received);
      g_assert_cmpstr (net_sip_via_get_branch (via2), ==, net_sip_via_get_branch (via));
      g_assert_cmpstr (net_sip_message_get_tid (again), ==, net_sip_message_get_tid (w.message));

      /* and the response echoes it (§8.2.6.2) */
      resp = net_sip_request_create_response (NET_SIP_REQUEST (w.message), 200, NULL, "t");
      g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (resp), "Via"), ==,
                       net_sip_message_get_header (w.message, "Via"));
      g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (resp), "Via"), ==,
                        net_sip_message_count_headers (w.message, "Via"));
      wait_clear (&w);
    }
}

static void
test_fixed_destination (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) peer = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipLeg) other = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@example.org");
  g_autoptr(NetSipMessage) req2 = make_options ("sip:bob@example.org");
  Wait wl = { 0 }, wp = { 0 }, wo = { 0 }, wd = { 0 };

  g_assert_no_error (error);
  g_object_set (net_sip_leg_get_socket_pool (leg), "fixed-destination", leg_address (peer), NULL);
  g_signal_connect (leg, "message-received", G_CALLBACK (on_message), &wl);
  g_signal_connect (peer, "message-received", G_CALLBACK (on_message), &wp);
  g_signal_connect (other, "message-received", G_CALLBACK (on_message), &wo);

  /* asked to send to `other`, it goes to the fixed peer */
  net_sip_leg_deliver_async (leg, req, leg_address (other), NULL, on_delivered, &wd);
  run_until (&wd);
  g_assert_no_error (wd.error);
  run_until (&wp);
  g_assert_cmpuint (wp.count, ==, 1);
  /* a datagram from someone else is ignored */
  wait_clear (&wd);
  net_sip_leg_deliver_async (other, req2, leg_address (leg), NULL, on_delivered, &wd);
  run_until (&wd);
  pump ();
  g_assert_cmpuint (wl.count, ==, 0);
  g_assert_cmpuint (wo.count, ==, 0);
  wait_clear (&wd);
  wait_clear (&wp);
}

static void
test_error_response (void)
{
  g_autoptr(GBytes) resp_in = g_bytes_new_static ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP h\r\n\r\n", 36);
  g_autoptr(GBytes) no_via = g_bytes_new_static ("OPTIONS sip:a SIP/2.0\r\nFrom: x\r\n\r\n", 34);
  g_autoptr(GBytes) out = NULL;

  g_assert_null (net_sip_message_error_response (resp_in, 400, "x"));
  g_assert_null (net_sip_message_error_response (no_via, 400, "x"));
  {
    g_autoptr(GBytes) req = g_bytes_new_static ("INVITE sip:a SIP/2.0\r\nv: SIP/2.0/UDP h;branch=z9hG4bK1\r\nVia: SIP/2.0/TCP g\r\ni: c\r\n\r\n", 84);
    g_autofree char *s = NULL;
    out = net_sip_message_error_response (req, 400, "bad\r\nInjected: 1");
    g_assert_nonnull (out);
    s = g_strndup (g_bytes_get_data (out, NULL), g_bytes_get_size (out));
    g_assert_cmpstr (s, ==,
      "SIP/2.0 400 bad  Injected: 1\r\n"
      "Via: SIP/2.0/UDP h;branch=z9hG4bK1\r\n"
      "Via: SIP/2.0/TCP g\r\n"
      "Call-ID: c\r\n"
      "Content-Length: 0\r\n\r\n");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/transport/udp/ipv4", test_ipv4);
  g_test_add_func ("/transport/udp/ipv6", test_ipv6);
  g_test_add_func ("/transport/udp/specs", test_specs);
  g_test_add_func ("/transport/udp/no-route", test_no_route);
  g_test_add_func ("/transport/udp/bad-input", test_bad_input);
  g_test_add_func ("/transport/udp/fixed-destination", test_fixed_destination);
  g_test_add_func ("/transport/udp/error-response", test_error_response);
  g_test_add_func ("/transport/udp/no-callback", test_no_callback);
  g_test_add_func ("/transport/udp/via-received", test_via_received);
  g_test_add_func ("/transport/udp/icmp", test_icmp);

  return g_test_run ();
}
