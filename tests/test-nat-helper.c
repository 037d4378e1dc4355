/* test-nat-helper.c: NetSipNatHelper: SDP rewriting, relay, learning,
 * counters, expiry, re-INVITE, limits, bad input; UDP sockets on
 * 127.0.0.1 (caller side, leg A) and 127.0.0.2 (callee side, leg B)
 * stand for the phones
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#include "netsip.h"

#define TIMEOUT_SECONDS 10

typedef struct
{
  NetSipLeg       *leg_a;     /* 127.0.0.1: the caller's network */
  NetSipLeg       *leg_b;     /* 127.0.0.2: the callee's network */
  NetSipNatHelper *helper;
  GSocket         *caller;    /* the caller's RTP socket (127.0.0.1) */
  GSocket         *callee;    /* the callee's RTP socket (127.0.0.2) */
  GSocket         *callee_rtcp;
  guint            port_min;
  GPtrArray       *closed;    /* GVariant a{sv} from session-closed */
  guint            watchdog;
} Fixture;

static gboolean
watchdog_fired (gpointer user_data)
{
  g_error ("test timed out after %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static GSocket *
udp_socket (const char *address,
            guint16     port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (ia, port);
  GSocket *socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);

  g_assert_no_error (error);
  g_socket_bind (socket, sa, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_blocking (socket, FALSE);
  return socket;
}

static guint16
local_port (GSocket *socket)
{
  g_autoptr(GSocketAddress) sa = g_socket_get_local_address (socket, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (sa));
}

static void
on_session_closed (NetSipNatHelper *helper,
                   const char      *call_id,
                   GVariant        *stats,
                   gpointer         user_data)
{
  Fixture *f = user_data;
  g_ptr_array_add (f->closed, g_variant_ref (stats));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->leg_a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->leg_b = net_sip_leg_new ("udp:127.0.0.2:0", &error);
  g_assert_no_error (error);
  f->helper = net_sip_nat_helper_new ();
  /* a range of its own per process: tests of other builds may run at once */
  f->port_min = 42000 + 100 * (getpid () % 200);
  g_object_set (f->helper, "port-min", f->port_min, "port-max", f->port_min + 99, NULL);
  f->caller = udp_socket ("127.0.0.1", 0);
  f->callee = udp_socket ("127.0.0.2", 0);
  f->callee_rtcp = udp_socket ("127.0.0.2", 0);
  f->closed = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  g_signal_connect (f->helper, "session-closed", G_CALLBACK (on_session_closed), f);
  f->watchdog = g_timeout_add_seconds (TIMEOUT_SECONDS, watchdog_fired, NULL);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_source_remove (f->watchdog);
  g_assert_finalize_object (f->helper);
  g_clear_object (&f->leg_a);
  g_clear_object (&f->leg_b);
  g_clear_object (&f->caller);
  g_clear_object (&f->callee);
  g_clear_object (&f->callee_rtcp);
  g_ptr_array_unref (f->closed);
  /* nothing left on the context */
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* ------------------------------------------------------------------ */
/* Messages */

static char *
sdp_text (const char *address,
          guint16     port,
          const char *extra)
{
  return g_strdup_printf ("v=0\r\n"
                          "o=- 1 1 IN IP4 %s\r\n"
                          "s=-\r\n"
                          "c=IN IP4 %s\r\n"
                          "t=0 0\r\n"
                          "m=audio %u RTP/AVP 0 8\r\n"
                          "a=rtpmap:0 PCMU/8000\r\n"
                          "%s",
                          address, address, port, extra ? extra : "");
}

static NetSipMessage *
parse (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  NetSipMessage *m = net_sip_message_parse (bytes, &error);

  g_assert_no_error (error);
  return m;
}

/* A request from the party with tag @from_tag to the one with @to_tag */
static NetSipRequest *
make_request (const char *method,
              const char *call_id,
              const char *from_tag,
              const char *to_tag,
              guint       cseq,
              const char *content_type,
              const char *body)
{
  g_autofree char *to = to_tag ? g_strdup_printf (";tag=%s", to_tag) : g_strdup ("");
  g_autofree char *from = from_tag ? g_strdup_printf (";tag=%s", from_tag) : g_strdup ("");
  g_autofree char *ct = content_type ? g_strdup_printf ("Content-Type: %s\r\n", content_type) : g_strdup ("");
  g_autofree char *text = NULL;

  body = body ? body : "";
  text = g_strdup_printf ("%s sip:bob@127.0.0.2 SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-%s-%u-%s\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@127.0.0.1>%s\r\n"
                          "To: <sip:bob@127.0.0.2>%s\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: %u %s\r\n"
                          "Contact: <sip:alice@127.0.0.1>\r\n"
                          "%s"
                          "Content-Length: %zu\r\n"
                          "\r\n%s",
                          method, call_id, cseq, method, from, to, call_id, cseq, method,
                          ct, strlen (body), body);
  return NET_SIP_REQUEST (parse (text));
}

static NetSipResponse *
make_response (guint       code,
               const char *method,
               const char *call_id,
               const char *from_tag,
               const char *to_tag,
               guint       cseq,
               const char *body)
{
  g_autofree char *text = NULL;

  body = body ? body : "";
  text = g_strdup_printf ("SIP/2.0 %u Whatever\r\n"
                          "Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-%s-%u-%s\r\n"
                          "From: <sip:alice@127.0.0.1>;tag=%s\r\n"
                          "To: <sip:bob@127.0.0.2>;tag=%s\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: %u %s\r\n"
                          "%s"
                          "Content-Length: %zu\r\n"
                          "\r\n%s",
                          code, call_id, cseq, method, from_tag, to_tag, call_id, cseq, method,
                          *body ? "Content-Type: application/sdp\r\n" : "",
                          strlen (body), body);
  return NET_SIP_RESPONSE (parse (text));
}

static NetSipSdp *
body_sdp (gpointer message)
{
  g_autoptr(GBytes) body = net_sip_message_get_body (NET_SIP_MESSAGE (message));
  g_autoptr(GError) error = NULL;
  NetSipSdp *sdp = net_sip_sdp_parse (body, &error);

  g_assert_no_error (error);
  return sdp;
}

/* Offer from the caller (leg A → leg B), answer from the callee (leg B →
 * leg A); returns the relay's RTP ports: *to_callee is where the callee
 * sends (on 127.0.0.2), *to_caller where the caller sends (127.0.0.1). */
static void
offer_answer (Fixture    *f,
              const char *call_id,
              guint16    *to_callee,
              guint16    *to_caller)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sdp_text ("127.0.0.1", local_port (f->caller), NULL);
  g_autofree char *rtcp = g_strdup_printf ("a=rtcp:%u\r\n", local_port (f->callee_rtcp));
  g_autofree char *answer = sdp_text ("127.0.0.2", local_port (f->callee), rtcp);
  g_autoptr(NetSipRequest) invite = make_request ("INVITE", call_id, "caller-tag", NULL, 1,
                                                   "application/sdp", offer);
  g_autoptr(NetSipResponse) ok = make_response (200, "INVITE", call_id, "caller-tag",
                                                "callee-tag", 1, answer);
  g_autoptr(NetSipSdp) out_offer = NULL;
  g_autoptr(NetSipSdp) out_answer = NULL;

  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite, f->leg_a, f->leg_b, &error));
  g_assert_no_error (error);
  out_offer = body_sdp (invite);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_offer, 0), ==, "127.0.0.2");
  *to_callee = net_sip_sdp_get_media_port (out_offer, 0);
  g_assert_cmpuint (*to_callee % 2, ==, 0);
  g_assert_cmpuint (*to_callee, >=, f->port_min);
  g_assert_cmpuint (*to_callee, <, f->port_min + 100);
  g_assert_cmpuint (net_sip_sdp_get_n_media (out_offer), ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_formats (out_offer, 0)[1], ==, "8");

  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, ok, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  out_answer = body_sdp (ok);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_answer, 0), ==, "127.0.0.1");
  *to_caller = net_sip_sdp_get_media_port (out_answer, 0);
  g_assert_cmpuint (*to_caller % 2, ==, 0);
  /* RFC 3605: the callee's a=rtcp now names the relay's RTCP socket */
  {
    g_autofree char *expected = g_strdup_printf ("%u IN IP4 127.0.0.1", *to_caller + 1);
    g_assert_cmpstr (net_sip_sdp_get_media_attribute (out_answer, 0, "rtcp"), ==, expected);
  }
}

/* ------------------------------------------------------------------ */
/* Datagrams */

static void
send_to (GSocket    *socket,
         const char *address,
         guint16     port,
         gsize       size,
         guint8      fill)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (ia, port);
  guint8 buf[2048];

  g_assert_cmpuint (size, <=, sizeof buf);
  memset (buf, fill, size);
  g_assert_cmpint (g_socket_send_to (socket, sa, (const char *) buf, size, NULL, &error), ==, size);
  g_assert_no_error (error);
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until a datagram is waiting on @socket or @ms pass;
 * returns its size and first octet and sender, or -1 on timeout. */
static gssize
receive_within (GSocket  *socket,
                guint     ms,
                guint8   *fill,
                guint16  *from_port,
                char    **from_address)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, set_flag, &timed_out);
  g_autoptr(GSocketAddress) from = NULL;
  guint8 buf[2048];
  gssize n;

  while (!g_socket_condition_check (socket, G_IO_IN) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  if (!g_socket_condition_check (socket, G_IO_IN))
    return -1;
  n = g_socket_receive_from (socket, &from, (char *) buf, sizeof buf, NULL, NULL);
  g_assert_cmpint (n, >, 0);
  if (fill)
    *fill = buf[0];
  if (from_port)
    *from_port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from));
  if (from_address)
    *from_address = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (from)));
  return n;
}

static void
expect_datagram (GSocket    *socket,
                 gsize       size,
                 guint8      fill,
                 const char *from_address,
                 guint16     from_port)
{
  guint8 got_fill = 0;
  guint16 got_port = 0;
  g_autofree char *got_address = NULL;

  g_assert_cmpint (receive_within (socket, 2000, &got_fill, &got_port, &got_address), ==, size);
  g_assert_cmpuint (got_fill, ==, fill);
  g_assert_cmpstr (got_address, ==, from_address);
  g_assert_cmpuint (got_port, ==, from_port);
}

static void
expect_nothing (GSocket *socket)
{
  g_assert_cmpint (receive_within (socket, 200, NULL, NULL, NULL), ==, -1);
}

static void
run_until_closed (Fixture *f,
                  guint    n)
{
  while (f->closed->len < n)
    g_main_context_iteration (NULL, TRUE);
}

static guint64
media_counter (GVariant   *session,
               const char *key)
{
  g_autoptr(GVariant) media = g_variant_lookup_value (session, "media", G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) m0 = NULL;
  guint64 value = G_MAXUINT64;

  g_assert_nonnull (media);
  g_assert_cmpuint (g_variant_n_children (media), >=, 1);
  m0 = g_variant_get_child_value (media, 0);
  g_assert_true (g_variant_lookup (m0, key, "t", &value));
  return value;
}

static char *
session_string (GVariant   *session,
                const char *key)
{
  char *value = NULL;
  g_assert_true (g_variant_lookup (session, key, "s", &value));
  return value;
}

/* ------------------------------------------------------------------ */
/* Tests */

static void
test_offer_answer_relay (Fixture       *f,
                         gconstpointer  data)
{
  guint16 to_callee, to_caller;
  guint64 p0, b0, p1, b1;

  offer_answer (f, "relay@test", &to_callee, &to_caller);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 4);

  /* caller → relay (127.0.0.1) → callee, sent from the port the callee
   * was told to send to (symmetric) */
  for (guint i = 0; i < 3; i++)
    {
      send_to (f->caller, "127.0.0.1", to_caller, 172, 0xa0 + i);
      expect_datagram (f->callee, 172, 0xa0 + i, "127.0.0.2", to_callee);
    }
  /* callee → relay (127.0.0.2) → caller */
  for (guint i = 0; i < 2; i++)
    {
      send_to (f->callee, "127.0.0.2", to_callee, 60, 0xb0 + i);
      expect_datagram (f->caller, 60, 0xb0 + i, "127.0.0.1", to_caller);
    }
  /* RTCP from the caller reaches the callee's a=rtcp port, from the
   * relay's RTCP port */
  send_to (f->caller, "127.0.0.1", to_caller + 1, 28, 0xc0);
  expect_datagram (f->callee_rtcp, 28, 0xc0, "127.0.0.2", to_callee + 1);

  g_assert_true (net_sip_nat_helper_get_counters (f->helper, "relay@test", 0, &p0, &b0, &p1, &b1));
  g_assert_cmpuint (p0, ==, 4);
  g_assert_cmpuint (b0, ==, 3 * 172 + 28);
  g_assert_cmpuint (p1, ==, 2);
  g_assert_cmpuint (b1, ==, 2 * 60);
  g_assert_false (net_sip_nat_helper_get_counters (f->helper, "relay@test", 1, NULL, NULL, NULL, NULL));
  g_assert_false (net_sip_nat_helper_get_counters (f->helper, "other@test", 0, NULL, NULL, NULL, NULL));

  {
    g_autoptr(GVariant) stats = net_sip_nat_helper_get_stats (f->helper, NULL);
    g_autoptr(GVariant) s0 = NULL;
    g_autofree char *state = NULL, *callee_tag = NULL;

    g_assert_cmpuint (g_variant_n_children (stats), ==, 1);
    s0 = g_variant_get_child_value (stats, 0);
    state = session_string (s0, "state");
    callee_tag = session_string (s0, "callee-tag");
    g_assert_cmpstr (state, ==, "open");
    g_assert_cmpstr (callee_tag, ==, "callee-tag");
    g_assert_cmpuint (media_counter (s0, "bytes-from-caller"), ==, 3 * 172 + 28);
    g_assert_cmpuint (media_counter (s0, "packets-from-callee"), ==, 2);
    g_assert_cmpuint (media_counter (s0, "dropped-packets"), ==, 0);
  }
}

static void
test_symmetric_learning (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GSocket) caller_real = udp_socket ("127.0.0.1", 0);
  g_autoptr(GSocket) callee_real = udp_socket ("127.0.0.2", 0);
  g_autoptr(GSocket) stranger = udp_socket ("127.0.0.1", 0);
  guint16 to_callee, to_caller;
  guint64 p0, b0, p1, b1;

  offer_answer (f, "learn@test", &to_callee, &to_caller);

  /* Before the callee sent anything its SDP address is used. */
  send_to (caller_real, "127.0.0.1", to_caller, 100, 1);
  expect_datagram (f->callee, 100, 1, "127.0.0.2", to_callee);

  /* The caller sent from another port than its SDP said (NAT): the
   * callee's media go there, not to the SDP port. */
  send_to (f->callee, "127.0.0.2", to_callee, 80, 2);
  expect_datagram (caller_real, 80, 2, "127.0.0.1", to_caller);
  expect_nothing (f->caller);

  /* The callee now sends from another port too: it was learned on its
   * first datagram; the SDP port of the callee gets nothing more... */
  send_to (callee_real, "127.0.0.2", to_callee, 90, 3);
  /* ...but callee_real is not the learned source (f->callee sent first):
   * dropped */
  expect_nothing (caller_real);

  /* A stranger sending to the caller's relay port is dropped. */
  send_to (stranger, "127.0.0.1", to_caller, 50, 4);
  expect_nothing (f->callee);
  expect_nothing (callee_real);

  /* The learned caller keeps working. */
  send_to (caller_real, "127.0.0.1", to_caller, 100, 5);
  expect_datagram (f->callee, 100, 5, "127.0.0.2", to_callee);

  g_assert_true (net_sip_nat_helper_get_counters (f->helper, "learn@test", 0, &p0, &b0, &p1, &b1));
  g_assert_cmpuint (p0, ==, 2);
  g_assert_cmpuint (b0, ==, 200);
  g_assert_cmpuint (p1, ==, 1);
  g_assert_cmpuint (b1, ==, 80);
  {
    g_autoptr(GVariant) stats = net_sip_nat_helper_get_stats (f->helper, "learn@test");
    g_autoptr(GVariant) s0 = g_variant_get_child_value (stats, 0);
    g_assert_cmpuint (media_counter (s0, "dropped-packets"), ==, 2);
  }
}

/* The callee learned first: before it, the caller's SDP address; after it
 * the callee's real port gets the caller's media. */
static void
test_learning_callee (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GSocket) callee_real = udp_socket ("127.0.0.2", 0);
  guint16 to_callee, to_caller;

  offer_answer (f, "learn2@test", &to_callee, &to_caller);
  send_to (callee_real, "127.0.0.2", to_callee, 40, 7);
  expect_datagram (f->caller, 40, 7, "127.0.0.1", to_caller);
  send_to (f->caller, "127.0.0.1", to_caller, 41, 8);
  expect_datagram (callee_real, 41, 8, "127.0.0.2", to_callee);
  expect_nothing (f->callee);
}

static void
test_expiry_unanswered (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sdp_text ("127.0.0.1", local_port (f->caller), NULL);
  g_autoptr(NetSipRequest) invite = make_request ("INVITE", "unanswered@test", "ct", NULL, 1,
                                                   "application/sdp", offer);
  g_autofree char *state = NULL;
  gint64 start;

  g_object_set (f->helper, "unanswered-timeout", 0.3, NULL);
  start = g_get_monotonic_time ();
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite, f->leg_a, f->leg_b, &error));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 2);
  run_until_closed (f, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2000000);
  state = session_string (g_ptr_array_index (f->closed, 0), "state");
  g_assert_cmpstr (state, ==, "unanswered");
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);
}

static void
test_expiry_idle (Fixture       *f,
                  gconstpointer  data)
{
  guint16 to_callee, to_caller;
  g_autofree char *state = NULL;
  gint64 last;

  g_object_set (f->helper, "idle-timeout", 0.4, NULL);
  offer_answer (f, "idle@test", &to_callee, &to_caller);
  /* traffic keeps it: 4 datagrams 0.2 s apart (0.8 s > idle timeout) */
  for (guint i = 0; i < 4; i++)
    {
      gboolean tick = FALSE;

      send_to (f->caller, "127.0.0.1", to_caller, 20, i);
      expect_datagram (f->callee, 20, i, "127.0.0.2", to_callee);
      g_timeout_add (200, set_flag, &tick);
      while (!tick)
        g_main_context_iteration (NULL, TRUE);
      g_assert_cmpuint (f->closed->len, ==, 0);
    }
  last = g_get_monotonic_time ();
  run_until_closed (f, 1);
  g_assert_cmpint (g_get_monotonic_time () - last, >=, 150000);
  state = session_string (g_ptr_array_index (f->closed, 0), "state");
  g_assert_cmpstr (state, ==, "idle");
  g_assert_cmpuint (media_counter (g_ptr_array_index (f->closed, 0), "packets-from-caller"), ==, 4);
  g_assert_cmpuint (media_counter (g_ptr_array_index (f->closed, 0), "bytes-from-caller"), ==, 80);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);
}

static void
test_expiry_bye (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipRequest) bye = NULL;
  guint16 to_callee, to_caller;
  g_autofree char *state = NULL;
  gint64 start;

  g_object_set (f->helper, "closed-timeout", 0.3, NULL);
  offer_answer (f, "bye@test", &to_callee, &to_caller);
  /* the callee hangs up: From is its tag */
  bye = make_request ("BYE", "bye@test", "callee-tag", "caller-tag", 1, NULL, NULL);
  start = g_get_monotonic_time ();
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, bye, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 4);
  /* datagrams in transit still go through */
  send_to (f->caller, "127.0.0.1", to_caller, 33, 9);
  expect_datagram (f->callee, 33, 9, "127.0.0.2", to_callee);
  run_until_closed (f, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, 300000);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 2000000);
  state = session_string (g_ptr_array_index (f->closed, 0), "state");
  g_assert_cmpstr (state, ==, "bye");
  g_assert_cmpuint (media_counter (g_ptr_array_index (f->closed, 0), "bytes-from-caller"), ==, 33);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);
  /* the relay port is closed now */
  send_to (f->caller, "127.0.0.1", to_caller, 33, 10);
  expect_nothing (f->callee);
}

static void
test_cancel_and_failure (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sdp_text ("127.0.0.1", local_port (f->caller), NULL);
  g_autoptr(NetSipRequest) invite1 = make_request ("INVITE", "cancel@test", "c1", NULL, 1,
                                                    "application/sdp", offer);
  g_autoptr(NetSipRequest) cancel = make_request ("CANCEL", "cancel@test", "c1", NULL, 1, NULL, NULL);
  g_autoptr(NetSipRequest) invite2 = make_request ("INVITE", "busy@test", "c2", NULL, 1,
                                                    "application/sdp", offer);
  g_autoptr(NetSipResponse) busy = make_response (486, "INVITE", "busy@test", "c2", "u2", 1, NULL);
  g_autofree char *state1 = NULL, *state2 = NULL;

  g_object_set (f->helper, "closed-timeout", 0.1, NULL);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite1, f->leg_a, f->leg_b, &error));
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite2, f->leg_a, f->leg_b, &error));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 2);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, cancel, f->leg_a, f->leg_b, &error));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);
  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, busy, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  run_until_closed (f, 2);
  state1 = session_string (g_ptr_array_index (f->closed, 0), "state");
  state2 = session_string (g_ptr_array_index (f->closed, 1), "state");
  g_assert_cmpstr (state1, ==, "cancelled");
  g_assert_cmpstr (state2, ==, "failed");
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);
}

static void
test_reinvite (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) callee_new = udp_socket ("127.0.0.2", 0);
  g_autoptr(GSocket) callee_video = udp_socket ("127.0.0.2", 0);
  g_autoptr(GSocket) caller_video = udp_socket ("127.0.0.1", 0);
  g_autofree char *video = g_strdup_printf ("m=video %u RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n",
                                            local_port (callee_video));
  g_autofree char *reoffer = sdp_text ("127.0.0.2", local_port (callee_new), video);
  g_autofree char *video_answer = g_strdup_printf ("m=video %u RTP/AVP 96\r\n", local_port (caller_video));
  g_autofree char *reanswer = sdp_text ("127.0.0.1", local_port (f->caller), video_answer);
  g_autoptr(NetSipRequest) reinvite = NULL;
  g_autoptr(NetSipRequest) reinvite_again = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(NetSipSdp) out_offer = NULL;
  g_autoptr(NetSipSdp) out_offer_again = NULL;
  g_autoptr(NetSipSdp) out_answer = NULL;
  guint16 to_callee, to_caller;
  guint64 p0, b0, p1, b1;

  offer_answer (f, "reinvite@test", &to_callee, &to_caller);
  send_to (f->caller, "127.0.0.1", to_caller, 10, 1);
  expect_datagram (f->callee, 10, 1, "127.0.0.2", to_callee);

  /* The callee re-INVITEs (From = its tag) with a new audio port and a
   * video stream; the caller answers. */
  reinvite = make_request ("INVITE", "reinvite@test", "callee-tag", "caller-tag", 1,
                           "application/sdp", reoffer);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, reinvite, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  out_offer = body_sdp (reinvite);
  g_assert_cmpuint (net_sip_sdp_get_n_media (out_offer), ==, 2);
  /* the audio port the caller sends to stays */
  g_assert_cmpuint (net_sip_sdp_get_media_port (out_offer, 0), ==, to_caller);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_offer, 1), ==, "127.0.0.1");
  g_assert_cmpuint (net_sip_sdp_get_media_port (out_offer, 1), !=, local_port (callee_video));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);

  /* a retransmission is rewritten the same way */
  reinvite_again = make_request ("INVITE", "reinvite@test", "callee-tag", "caller-tag", 1,
                                 "application/sdp", reoffer);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, reinvite_again, f->leg_b, f->leg_a, &error));
  out_offer_again = body_sdp (reinvite_again);
  g_assert_cmpuint (net_sip_sdp_get_media_port (out_offer_again, 0), ==, to_caller);
  g_assert_cmpuint (net_sip_sdp_get_media_port (out_offer_again, 1), ==,
                    net_sip_sdp_get_media_port (out_offer, 1));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 6);

  ok = make_response (200, "INVITE", "reinvite@test", "callee-tag", "caller-tag", 1, reanswer);
  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, ok, f->leg_a, f->leg_b, &error));
  g_assert_no_error (error);
  out_answer = body_sdp (ok);
  g_assert_cmpuint (net_sip_sdp_get_media_port (out_answer, 0), ==, to_callee);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_answer, 1), ==, "127.0.0.2");
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 8);

  /* audio for the callee now goes to its new port (learning started over) */
  send_to (f->caller, "127.0.0.1", to_caller, 11, 2);
  expect_datagram (callee_new, 11, 2, "127.0.0.2", to_callee);
  expect_nothing (f->callee);
  send_to (callee_new, "127.0.0.2", to_callee, 12, 3);
  expect_datagram (f->caller, 12, 3, "127.0.0.1", to_caller);
  /* video both ways */
  send_to (caller_video, "127.0.0.1", net_sip_sdp_get_media_port (out_offer, 1), 500, 4);
  expect_datagram (callee_video, 500, 4, "127.0.0.2", net_sip_sdp_get_media_port (out_answer, 1));
  send_to (callee_video, "127.0.0.2", net_sip_sdp_get_media_port (out_answer, 1), 400, 5);
  expect_datagram (caller_video, 400, 5, "127.0.0.1", net_sip_sdp_get_media_port (out_offer, 1));

  g_assert_true (net_sip_nat_helper_get_counters (f->helper, "reinvite@test", 0, &p0, &b0, &p1, &b1));
  g_assert_cmpuint (p0, ==, 2);
  g_assert_cmpuint (b0, ==, 21);
  g_assert_cmpuint (p1, ==, 1);
  g_assert_cmpuint (b1, ==, 12);
  g_assert_true (net_sip_nat_helper_get_counters (f->helper, "reinvite@test", 1, &p0, &b0, &p1, &b1));
  g_assert_cmpuint (p0, ==, 1);
  g_assert_cmpuint (b0, ==, 500);
  g_assert_cmpuint (p1, ==, 1);
  g_assert_cmpuint (b1, ==, 400);
}

/* Late offer (RFC 3264 §4 with RFC 3261 §13.2.1): the INVITE has no SDP,
 * the 200 carries the callee's offer, the ACK the caller's answer, here
 * without Content-Type as Net::SIP sends it. */
static void
test_late_offer (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sdp_text ("127.0.0.2", local_port (f->callee), NULL);
  g_autofree char *answer = sdp_text ("127.0.0.1", local_port (f->caller), NULL);
  g_autoptr(NetSipRequest) invite = make_request ("INVITE", "late@test", "lc", NULL, 1, NULL, NULL);
  g_autoptr(NetSipResponse) ok = make_response (200, "INVITE", "late@test", "lc", "lu", 1, offer);
  g_autoptr(NetSipRequest) ack = make_request ("ACK", "late@test", "lc", "lu", 1, NULL, answer);
  g_autoptr(NetSipSdp) out_offer = NULL;
  g_autoptr(NetSipSdp) out_answer = NULL;
  guint16 to_caller, to_callee;

  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite, f->leg_a, f->leg_b, &error));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, ok, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  out_offer = body_sdp (ok);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_offer, 0), ==, "127.0.0.1");
  to_caller = net_sip_sdp_get_media_port (out_offer, 0);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, ack, f->leg_a, f->leg_b, &error));
  g_assert_no_error (error);
  g_assert_null (net_sip_message_get_header (NET_SIP_MESSAGE (ack), "Content-Type"));
  out_answer = body_sdp (ack);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_answer, 0), ==, "127.0.0.2");
  to_callee = net_sip_sdp_get_media_port (out_answer, 0);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);

  send_to (f->caller, "127.0.0.1", to_caller, 70, 1);
  expect_datagram (f->callee, 70, 1, "127.0.0.2", to_callee);
  send_to (f->callee, "127.0.0.2", to_callee, 71, 2);
  expect_datagram (f->caller, 71, 2, "127.0.0.1", to_caller);
}

/* IPv6: legs on ::1, SDP with IP6 addresses (RFC 4566 §5.7), a=rtcp with
 * an address (RFC 3605) rewritten to IP6 */
static void
test_ipv6 (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg6_a = net_sip_leg_new ("udp:[::1]:0", &error);
  g_autoptr(NetSipLeg) leg6_b = NULL;
  g_autoptr(GSocket) caller6 = NULL;
  g_autoptr(GSocket) callee6 = NULL;
  g_autoptr(GInetAddress) lo6 = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) any6 = g_inet_socket_address_new (lo6, 0);
  g_autofree char *offer = NULL, *answer = NULL;
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(NetSipSdp) out_offer = NULL, out_answer = NULL;
  guint16 to_callee, to_caller;

  if (leg6_a == NULL)
    {
      g_test_skip ("no IPv6 loopback");
      return;
    }
  leg6_b = net_sip_leg_new ("udp:[::1]:0", &error);
  g_assert_no_error (error);
  caller6 = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_true (g_socket_bind (caller6, any6, FALSE, &error));
  callee6 = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_true (g_socket_bind (callee6, any6, FALSE, &error));
  g_socket_set_blocking (caller6, FALSE);
  g_socket_set_blocking (callee6, FALSE);

  offer = g_strdup_printf ("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nc=IN IP6 ::1\r\nt=0 0\r\n"
                           "m=audio %u RTP/AVP 0\r\na=rtcp:%u IN IP6 ::1\r\n",
                           local_port (caller6), local_port (caller6) + 1);
  answer = g_strdup_printf ("v=0\r\no=- 1 1 IN IP6 ::1\r\ns=-\r\nt=0 0\r\n"
                            "m=audio %u RTP/AVP 0\r\nc=IN IP6 ::1\r\n", local_port (callee6));
  invite = make_request ("INVITE", "v6@test", "a6", NULL, 1, "application/sdp", offer);
  ok = make_response (200, "INVITE", "v6@test", "a6", "b6", 1, answer);

  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite, leg6_a, leg6_b, &error));
  g_assert_no_error (error);
  out_offer = body_sdp (invite);
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (out_offer, 0), ==, "IP6");
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_offer, 0), ==, "::1");
  to_callee = net_sip_sdp_get_media_port (out_offer, 0);
  {
    g_autofree char *rtcp = g_strdup_printf ("%u IN IP6 ::1", to_callee + 1);
    g_assert_cmpstr (net_sip_sdp_get_media_attribute (out_offer, 0, "rtcp"), ==, rtcp);
  }
  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, ok, leg6_b, leg6_a, &error));
  g_assert_no_error (error);
  out_answer = body_sdp (ok);
  g_assert_cmpstr (net_sip_sdp_get_media_address (out_answer, 0), ==, "::1");
  to_caller = net_sip_sdp_get_media_port (out_answer, 0);
  g_assert_cmpuint (to_caller, !=, to_callee);   /* same address: different ports */

  send_to (caller6, "::1", to_caller, 99, 6);
  expect_datagram (callee6, 99, 6, "::1", to_callee);
  send_to (callee6, "::1", to_callee, 98, 7);
  expect_datagram (caller6, 98, 7, "::1", to_caller);
}

/* An SDP naming the relay's own socket as the party's address: the
 * relay's datagrams to itself are dropped, not learned and relayed (two
 * relay sockets would otherwise feed each other). */
static void
test_relay_loop (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipRequest) reinvite = NULL;
  g_autofree char *self_sdp = NULL;
  guint16 to_callee, to_caller;
  guint64 p0 = 0, b0 = 0, p1 = 0, b1 = 0;

  offer_answer (f, "loop@test", &to_callee, &to_caller);
  /* the caller says its media go to the relay port it sends to */
  self_sdp = sdp_text ("127.0.0.1", to_caller, NULL);
  reinvite = make_request ("INVITE", "loop@test", "caller-tag", "callee-tag", 2,
                           "application/sdp", self_sdp);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, reinvite, f->leg_a, f->leg_b, &error));
  g_assert_no_error (error);

  send_to (f->callee, "127.0.0.2", to_callee, 30, 1);
  /* nothing comes back to the callee through the relay */
  expect_nothing (f->callee);
  expect_nothing (f->caller);
  g_assert_true (net_sip_nat_helper_get_counters (f->helper, "loop@test", 0, &p0, &b0, &p1, &b1));
  g_assert_cmpuint (p1, ==, 1);
  g_assert_cmpuint (p0, ==, 0);
  {
    g_autoptr(GVariant) stats = net_sip_nat_helper_get_stats (f->helper, "loop@test");
    g_autoptr(GVariant) s0 = g_variant_get_child_value (stats, 0);
    g_assert_cmpuint (media_counter (s0, "dropped-packets"), ==, 1);
  }
}

static void
assert_unchanged (gpointer    message,
                  const char *body)
{
  g_autoptr(GBytes) now = net_sip_message_get_body (NET_SIP_MESSAGE (message));
  g_assert_cmpmem (g_bytes_get_data (now, NULL), g_bytes_get_size (now), body, strlen (body));
}

static void
test_port_exhaustion (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *offer = sdp_text ("127.0.0.1", local_port (f->caller), NULL);
  g_autoptr(NetSipRequest) second = make_request ("INVITE", "second@test", "s1", NULL, 1,
                                                   "application/sdp", offer);
  g_autoptr(NetSipRequest) third = make_request ("INVITE", "third@test", "s3", NULL, 1,
                                                  "application/sdp", offer);
  g_autoptr(NetSipRequest) bye = make_request ("BYE", "small@test", "caller-tag", "callee-tag", 2, NULL, NULL);
  guint16 to_callee, to_caller;

  /* two ports: one pair on each leg's address (ports are per address) */
  g_object_set (f->helper, "port-max", f->port_min + 1, "closed-timeout", 0.05, NULL);
  offer_answer (f, "small@test", &to_callee, &to_caller);

  g_assert_false (net_sip_nat_helper_rewrite_request (f->helper, second, f->leg_a, f->leg_b, &error));
  g_assert_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_NO_PORTS);
  g_test_message ("%s", error->message);
  g_clear_error (&error);
  assert_unchanged (second, offer);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 4);

  /* max-sessions */
  g_object_set (f->helper, "port-max", f->port_min + 99, "max-sessions", 1, NULL);
  g_assert_false (net_sip_nat_helper_rewrite_request (f->helper, second, f->leg_a, f->leg_b, &error));
  g_assert_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS);
  g_clear_error (&error);
  assert_unchanged (second, offer);

  /* the first call still relays */
  send_to (f->caller, "127.0.0.1", to_caller, 10, 1);
  expect_datagram (f->callee, 10, 1, "127.0.0.2", to_callee);

  /* once it ends, its ports serve the next call */
  g_object_set (f->helper, "port-max", f->port_min + 1, NULL);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, bye, f->leg_a, f->leg_b, &error));
  run_until_closed (f, 1);
  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, third, f->leg_a, f->leg_b, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 1);
}

static void
test_bad_input (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *garbage = "this is not SDP\r\n";
  g_autofree char *range = sdp_text ("127.0.0.1", 49170, NULL);
  g_autofree char *no_c = g_strdup ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                                    "m=audio 49170 RTP/AVP 0\r\n");
  g_autofree char *good = sdp_text ("127.0.0.1", 49170, NULL);
  g_autoptr(NetSipLeg) wildcard = NULL;
  struct { const char *body; const char *from_tag; const char *ctype; int code; } cases[] = {
    { garbage, "t1", "application/sdp", NET_SIP_NAT_ERROR_BAD_SDP },
    { NULL, "t2", "application/sdp", NET_SIP_NAT_ERROR_BAD_SDP },  /* port count */
    { no_c, "t3", "application/sdp", NET_SIP_NAT_ERROR_BAD_SDP },
    { good, NULL, "application/sdp", NET_SIP_NAT_ERROR_INVALID },
    { good, "t5", "text/plain", -1 },
    { garbage, "t6", "multipart/mixed;boundary=x", -1 },
    { garbage, "t7", NULL, -1 },                                   /* no type, not SDP */
    { "v=0\r\nbroken\r\n", "t8", NULL, NET_SIP_NAT_ERROR_BAD_SDP }, /* no type, SDP */
  };
  char *port_count = NULL;

  /* "m=audio 49170/2" */
  {
    GString *s = g_string_new (range);
    g_string_replace (s, "m=audio 49170 ", "m=audio 49170/2 ", 1);
    port_count = g_string_free (s, FALSE);
  }
  cases[1].body = port_count;

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipRequest) r = make_request ("INVITE", "bad@test", cases[i].from_tag, NULL, 1,
                                                 cases[i].ctype, cases[i].body);
      gboolean ok = net_sip_nat_helper_rewrite_request (f->helper, r, f->leg_a, f->leg_b, &error);

      if (cases[i].code < 0)
        {
          g_assert_no_error (error);
          g_assert_true (ok);
        }
      else
        {
          g_assert_false (ok);
          g_assert_error (error, NET_SIP_NAT_ERROR, cases[i].code);
          g_test_message ("case %u: %s", i, error->message);
          g_clear_error (&error);
        }
      assert_unchanged (r, cases[i].body);
    }
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);

  /* a response with SDP and no To tag */
  {
    g_autofree char *text = g_strdup_printf ("SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKx\r\n"
                                             "From: <sip:a@127.0.0.1>;tag=x\r\nTo: <sip:b@127.0.0.2>\r\n"
                                             "Call-ID: nototag@test\r\nCSeq: 1 INVITE\r\n"
                                             "Content-Type: application/sdp\r\nContent-Length: %zu\r\n\r\n%s",
                                             strlen (good), good);
    g_autoptr(NetSipMessage) resp = parse (text);

    g_assert_false (net_sip_nat_helper_rewrite_response (f->helper, NET_SIP_RESPONSE (resp),
                                                         f->leg_b, f->leg_a, &error));
    g_assert_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* the same leg both ways: nothing to do */
  {
    g_autoptr(NetSipRequest) r = make_request ("INVITE", "same@test", "t7", NULL, 1, "application/sdp", good);
    g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, r, f->leg_a, f->leg_a, &error));
    assert_unchanged (r, good);
  }

  /* an outgoing leg on 0.0.0.0 cannot be written into SDP */
  wildcard = net_sip_leg_new ("udp:0.0.0.0:0", &error);
  g_assert_no_error (error);
  {
    g_autoptr(NetSipRequest) r = make_request ("INVITE", "wild@test", "t8", NULL, 1, "application/sdp", good);
    g_assert_false (net_sip_nat_helper_rewrite_request (f->helper, r, f->leg_a, wildcard, &error));
    g_assert_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_NO_ADDRESS);
    g_clear_error (&error);
    assert_unchanged (r, good);
  }
  g_assert_cmpuint (net_sip_nat_helper_get_n_sessions (f->helper), ==, 0);
  g_free (port_count);
}

/* Two answers with different To tags to one offer (a fork downstream):
 * the second is refused; a rejected medium (port 0) gets no sockets. */
static void
test_forked_and_rejected (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *video = g_strdup ("m=video 5002 RTP/AVP 96\r\n");
  g_autofree char *offer = sdp_text ("127.0.0.1", 5000, video);
  g_autofree char *answer_video = g_strdup ("m=video 0 RTP/AVP 96\r\n");
  g_autofree char *answer = sdp_text ("127.0.0.2", 6000, answer_video);
  g_autoptr(NetSipRequest) invite = make_request ("INVITE", "fork@test", "ft", NULL, 1,
                                                   "application/sdp", offer);
  g_autoptr(NetSipResponse) r1 = make_response (183, "INVITE", "fork@test", "ft", "x1", 1, answer);
  g_autoptr(NetSipResponse) r2 = make_response (183, "INVITE", "fork@test", "ft", "x2", 1, answer);
  g_autoptr(NetSipSdp) sdp = NULL;

  g_assert_true (net_sip_nat_helper_rewrite_request (f->helper, invite, f->leg_a, f->leg_b, &error));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 4);
  g_assert_true (net_sip_nat_helper_rewrite_response (f->helper, r1, f->leg_b, f->leg_a, &error));
  g_assert_no_error (error);
  sdp = body_sdp (r1);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 0);
  /* the rejected video stream lost its sockets on the callee side too */
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 4);
  g_assert_false (net_sip_nat_helper_rewrite_response (f->helper, r2, f->leg_b, f->leg_a, &error));
  g_assert_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_FORKED);
  assert_unchanged (r2, answer);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add ("/nat-helper/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("offer-answer-relay", test_offer_answer_relay);
  ADD ("symmetric-learning", test_symmetric_learning);
  ADD ("learning-callee", test_learning_callee);
  ADD ("expiry-unanswered", test_expiry_unanswered);
  ADD ("expiry-idle", test_expiry_idle);
  ADD ("expiry-bye", test_expiry_bye);
  ADD ("cancel-and-failure", test_cancel_and_failure);
  ADD ("reinvite", test_reinvite);
  ADD ("late-offer", test_late_offer);
  ADD ("ipv6", test_ipv6);
  ADD ("relay-loop", test_relay_loop);
  ADD ("port-exhaustion", test_port_exhaustion);
  ADD ("bad-input", test_bad_input);
  ADD ("forked-and-rejected", test_forked_and_rejected);
#undef ADD

  return g_test_run ();
}
