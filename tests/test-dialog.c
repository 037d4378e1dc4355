/* test-dialog.c: NetSipDialog (RFC 3261 §12, §13.2.2.4)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

static NetSipMessage *
msg (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) s = g_string_new (NULL);
  g_autoptr(GBytes) bytes = NULL;
  NetSipMessage *m;

  /* the texts below end lines with \n only */
  for (const char *p = text; *p; p++)
    {
      if (*p == '\n')
        g_string_append_c (s, '\r');
      g_string_append_c (s, *p);
    }
  bytes = g_string_free_to_bytes (g_steal_pointer (&s));
  m = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  return m;
}

#define INVITE \
  "INVITE sip:bob@biloxi.example.com SIP/2.0\n" \
  "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9\n" \
  "Max-Forwards: 70\n" \
  "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n" \
  "To: Bob <sip:bob@biloxi.example.com>\n" \
  "Call-ID: 3848276298220188511@atlanta.example.com\n" \
  "CSeq: 31 INVITE\n" \
  "Contact: <sip:alice@client.atlanta.example.com;transport=udp>\n" \
  "Proxy-Authorization: Digest username=\"alice\", realm=\"atlanta.example.com\", nonce=\"n\", uri=\"sip:bob@biloxi.example.com\", response=\"0\"\n" \
  "Content-Length: 0\n\n"

#define RESPONSE(code_reason, rr, contact) \
  "SIP/2.0 " code_reason "\n" \
  "Via: SIP/2.0/UDP client.atlanta.example.com:5060;branch=z9hG4bK74bf9;received=192.0.2.101\n" \
  rr \
  "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n" \
  "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\n" \
  "Call-ID: 3848276298220188511@atlanta.example.com\n" \
  "CSeq: 31 INVITE\n" \
  contact \
  "Content-Length: 0\n\n"

static void
assert_routes (NetSipDialog *d,
               const char   *first,
               ...)
{
  const char * const *routes = net_sip_dialog_get_route_set (d);
  va_list ap;
  guint i = 0;

  va_start (ap, first);
  for (const char *r = first; r; r = va_arg (ap, const char *), i++)
    {
      g_assert_nonnull (routes[i]);
      g_assert_cmpstr (routes[i], ==, r);
    }
  va_end (ap);
  g_assert_null (routes[i]);
}

static char **
headers (NetSipMessage *m,
         const char    *name)
{
  return net_sip_message_get_headers (m, name);
}

/* The caller's side: an early dialog from a 180, confirmed by the 200
 * whose Record-Route and Contact replace the 180's (§12.1.2, §13.2.2.4);
 * BYE and ACK built from it. */
static void
test_uac (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) invite = msg (INVITE);
  g_autoptr(NetSipMessage) ringing = msg (RESPONSE ("180 Ringing",
    "Record-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\n",
    "Contact: <sip:bob@early.biloxi.example.com>\n"));
  g_autoptr(NetSipMessage) ok = msg (RESPONSE ("200 OK",
    "Record-Route: <sip:p3.example.com;lr>\nRecord-Route: <sip:p2.example.com;lr>, <sip:p1.example.com;lr>\n",
    "Contact: <sip:bob@192.0.2.4>\n"));
  g_autoptr(NetSipDialog) d = NULL;
  g_autoptr(NetSipRequest) bye = NULL;
  g_autoptr(NetSipRequest) ack = NULL;
  g_auto(GStrv) route = NULL;
  g_autofree char *id = NULL;

  d = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ringing), &error);
  g_assert_no_error (error);
  g_assert_true (net_sip_dialog_is_caller (d));
  g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_EARLY);
  g_assert_cmpstr (net_sip_dialog_get_call_id (d), ==, "3848276298220188511@atlanta.example.com");
  g_assert_cmpstr (net_sip_dialog_get_local_tag (d), ==, "9fxced76sl");
  g_assert_cmpstr (net_sip_dialog_get_remote_tag (d), ==, "8321234356");
  g_assert_cmpuint (net_sip_dialog_get_local_cseq (d), ==, 31);
  g_assert_cmpuint (net_sip_dialog_get_remote_cseq (d), ==, 0);
  g_assert_cmpstr (net_sip_dialog_get_remote_target (d), ==, "sip:bob@early.biloxi.example.com");
  g_assert_cmpstr (net_sip_dialog_get_local_contact (d), ==, "sip:alice@client.atlanta.example.com;transport=udp");
  /* reversed: the caller's first hop is the last proxy that recorded */
  assert_routes (d, "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>", NULL);
  g_assert_false (net_sip_dialog_get_secure (d));
  id = net_sip_dialog_get_id (d);
  g_assert_cmpstr (id, ==, "3848276298220188511@atlanta.example.com;9fxced76sl;8321234356");
  g_assert_true (net_sip_dialog_matches (d, ok));
  g_assert_false (net_sip_dialog_matches (d, invite));  /* no To tag */

  g_assert_true (net_sip_dialog_handle_response (d, NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ok)));
  g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_CONFIRMED);
  assert_routes (d, "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>", "<sip:p3.example.com;lr>", NULL);
  g_assert_cmpstr (net_sip_dialog_get_remote_target (d), ==, "sip:bob@192.0.2.4");

  ack = net_sip_dialog_create_ack (d, NET_SIP_REQUEST (invite));
  g_assert_cmpstr (net_sip_request_get_method (ack), ==, "ACK");
  g_assert_cmpstr (net_sip_request_get_uri (ack), ==, "sip:bob@192.0.2.4");
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (ack)), ==, 31);
  g_assert_cmpstr (net_sip_message_get_cseq_method (NET_SIP_MESSAGE (ack)), ==, "ACK");
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (ack), "Proxy-Authorization"));
  g_assert_cmpuint (net_sip_dialog_get_local_cseq (d), ==, 31);

  bye = net_sip_dialog_create_request (d, "BYE");
  g_assert_cmpstr (net_sip_request_get_uri (bye), ==, "sip:bob@192.0.2.4");
  route = headers (NET_SIP_MESSAGE (bye), "Route");
  g_assert_cmpuint (g_strv_length (route), ==, 3);
  g_assert_cmpstr (route[0], ==, "<sip:p1.example.com;lr>");
  g_assert_cmpstr (route[2], ==, "<sip:p3.example.com;lr>");
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (bye)), ==, 32);
  g_assert_cmpstr (net_sip_message_get_cseq_method (NET_SIP_MESSAGE (bye)), ==, "BYE");
  g_assert_cmpstr (net_sip_message_get_from_tag (NET_SIP_MESSAGE (bye)), ==, "9fxced76sl");
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (bye)), ==, "8321234356");
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (bye), "To"), ==,
                   "Bob <sip:bob@biloxi.example.com>;tag=8321234356");
  g_assert_cmpstr (net_sip_message_get_call_id (NET_SIP_MESSAGE (bye)), ==, "3848276298220188511@atlanta.example.com");
  g_assert_cmpuint (net_sip_message_get_max_forwards (NET_SIP_MESSAGE (bye)), ==, 70);
  g_assert_null (net_sip_message_get_header (NET_SIP_MESSAGE (bye), "Contact"));
  g_assert_null (net_sip_message_get_header (NET_SIP_MESSAGE (bye), "Proxy-Authorization"));

  /* a re-INVITE carries our Contact and the next CSeq; its 2xx refreshes
   * the remote target (§12.2.1.2) */
  {
    g_autoptr(NetSipRequest) reinvite = net_sip_dialog_create_request (d, "INVITE");
    g_autoptr(NetSipMessage) reok = NULL;
    g_autofree char *text = NULL;

    g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (reinvite)), ==, 33);
    g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (reinvite), "Contact"), ==,
                     "<sip:alice@client.atlanta.example.com;transport=udp>");
    text = g_strdup_printf ("SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bKre\n"
                            "From: Alice <sip:alice@atlanta.example.com>;tag=9fxced76sl\n"
                            "To: Bob <sip:bob@biloxi.example.com>;tag=8321234356\n"
                            "Call-ID: 3848276298220188511@atlanta.example.com\nCSeq: 33 INVITE\n"
                            "Record-Route: <sip:other.example.com;lr>\n"
                            "Contact: <sip:bob@192.0.2.99:5070>\nContent-Length: 0\n\n");
    reok = msg (text);
    g_assert_false (net_sip_dialog_handle_response (d, reinvite, NET_SIP_RESPONSE (reok)));
    g_assert_cmpstr (net_sip_dialog_get_remote_target (d), ==, "sip:bob@192.0.2.99:5070");
    /* the route set is fixed once the dialog is confirmed (§12.2) */
    assert_routes (d, "<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>", "<sip:p3.example.com;lr>", NULL);
  }

  /* the BYE's final response ends it */
  {
    g_autoptr(NetSipResponse) byeok = net_sip_request_create_response (bye, 200, NULL, NULL);
    g_assert_true (net_sip_dialog_handle_response (d, bye, byeok));
    g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_TERMINATED);
  }
}

/* A route set whose first hop is a strict router (no lr): the Request-URI
 * is that router, the remote target goes last into Route (§12.2.1.1) */
static void
test_strict_routing (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) invite = msg (INVITE);
  g_autoptr(NetSipMessage) ok = msg (RESPONSE ("200 OK",
    "Record-Route: <sip:p2.example.com;lr>\nRecord-Route: <sip:p1.example.com;method=INVITE?X=1>\n",
    "Contact: <sip:bob@192.0.2.4>\n"));
  g_autoptr(NetSipDialog) d = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ok), &error);
  g_autoptr(NetSipRequest) info = NULL;
  g_auto(GStrv) route = NULL;

  g_assert_no_error (error);
  g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_CONFIRMED);
  info = net_sip_dialog_create_request (d, "INFO");
  g_assert_cmpstr (net_sip_request_get_uri (info), ==, "sip:p1.example.com");
  route = headers (NET_SIP_MESSAGE (info), "Route");
  g_assert_cmpuint (g_strv_length (route), ==, 2);
  g_assert_cmpstr (route[0], ==, "<sip:p2.example.com;lr>");
  g_assert_cmpstr (route[1], ==, "<sip:bob@192.0.2.4>");
}

/* The callee's side: route set in order, CSeq checks of §12.2.2, confirmed
 * by the 2xx it sends */
static void
test_uas (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) invite = msg (
    "INVITE sips:bob@biloxi.example.com SIP/2.0\n"
    "Via: SIP/2.0/TLS p1.example.com;branch=z9hG4bKp1\n"
    "Record-Route: <sips:p1.example.com;lr>\n"
    "Record-Route: <sips:p2.example.com;lr>\n"
    "Max-Forwards: 69\n"
    "From: Alice <sips:alice@atlanta.example.com>;tag=a73kszlfl\n"
    "To: Bob <sips:bob@biloxi.example.com>\n"
    "Call-ID: 1j9FpLxk3uxtm8tn@atlanta.example.com\n"
    "CSeq: 10 INVITE\n"
    "Contact: <sips:alice@client.atlanta.example.com>\n"
    "Content-Length: 0\n\n");
  g_autoptr(NetSipDialog) d = NULL;
  g_autoptr(NetSipResponse) ok = NULL;
  g_autoptr(NetSipRequest) bye = NULL;

  d = net_sip_dialog_new_uas (NET_SIP_REQUEST (invite), "b0b", "sips:bob@192.0.2.4", &error);
  g_assert_no_error (error);
  g_assert_false (net_sip_dialog_is_caller (d));
  g_assert_true (net_sip_dialog_get_secure (d));
  g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_EARLY);
  g_assert_cmpstr (net_sip_dialog_get_local_tag (d), ==, "b0b");
  g_assert_cmpstr (net_sip_dialog_get_remote_tag (d), ==, "a73kszlfl");
  g_assert_cmpstr (net_sip_dialog_get_local_address (d), ==, "Bob <sips:bob@biloxi.example.com>;tag=b0b");
  g_assert_cmpstr (net_sip_dialog_get_remote_target (d), ==, "sips:alice@client.atlanta.example.com");
  g_assert_cmpuint (net_sip_dialog_get_remote_cseq (d), ==, 10);
  g_assert_cmpuint (net_sip_dialog_get_local_cseq (d), <, 1u << 31);
  assert_routes (d, "<sips:p1.example.com;lr>", "<sips:p2.example.com;lr>", NULL);

  ok = net_sip_request_create_response (NET_SIP_REQUEST (invite), 200, NULL, "b0b");
  g_assert_true (net_sip_dialog_handle_response (d, NET_SIP_REQUEST (invite), ok));
  g_assert_cmpint (net_sip_dialog_get_state (d), ==, NET_SIP_DIALOG_CONFIRMED);
  /* a 2xx we send does not move our idea of the remote target */
  g_assert_cmpstr (net_sip_dialog_get_remote_target (d), ==, "sips:alice@client.atlanta.example.com");

  /* requests from the caller */
  {
    struct { guint32 cseq; const char *method; const char *from_tag; NetSipDialogRequestCheck expect; } seq[] = {
      { 10, "ACK", "a73kszlfl", NET_SIP_DIALOG_REQUEST_NEW },
      { 11, "INFO", "a73kszlfl", NET_SIP_DIALOG_REQUEST_NEW },
      { 11, "INFO", "a73kszlfl", NET_SIP_DIALOG_REQUEST_RETRANSMISSION },
      { 11, "BYE", "a73kszlfl", NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER },
      { 9, "INFO", "a73kszlfl", NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER },
      { 12, "INFO", "someone-else", NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG },
      { 20, "BYE", "a73kszlfl", NET_SIP_DIALOG_REQUEST_NEW },
    };
    for (guint i = 0; i < G_N_ELEMENTS (seq); i++)
      {
        g_autofree char *text = g_strdup_printf (
          "%s sips:bob@192.0.2.4 SIP/2.0\nVia: SIP/2.0/TLS p1.example.com;branch=z9hG4bKx%u\n"
          "From: Alice <sips:alice@atlanta.example.com>;tag=%s\n"
          "To: Bob <sips:bob@biloxi.example.com>;tag=b0b\n"
          "Call-ID: 1j9FpLxk3uxtm8tn@atlanta.example.com\nCSeq: %u %s\nContent-Length: 0\n\n",
          seq[i].method, i, seq[i].from_tag, seq[i].cseq, seq[i].method);
        g_autoptr(NetSipMessage) req = msg (text);
        g_assert_cmpint (net_sip_dialog_check_request (d, NET_SIP_REQUEST (req)), ==, seq[i].expect);
      }
    g_assert_cmpuint (net_sip_dialog_get_remote_cseq (d), ==, 20);
  }

  /* our own BYE goes to the caller's Contact through the route set in
   * the order it was recorded, from our own tag */
  bye = net_sip_dialog_create_request (d, "BYE");
  g_assert_cmpstr (net_sip_request_get_uri (bye), ==, "sips:alice@client.atlanta.example.com");
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (bye), "Route"), ==, "<sips:p1.example.com;lr>");
  g_assert_cmpstr (net_sip_message_get_from_tag (NET_SIP_MESSAGE (bye)), ==, "b0b");
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (bye)), ==, "a73kszlfl");
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (bye)), ==,
                    net_sip_dialog_get_local_cseq (d));
}

static void
count_notify (GObject    *object,
              GParamSpec *pspec,
              gpointer    user_data)
{
  (*(guint *) user_data)++;
}

static void
test_early_end_and_481 (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) invite = msg (INVITE);
  g_autoptr(NetSipMessage) ringing = msg (RESPONSE ("180 Ringing", "", ""));
  g_autoptr(NetSipMessage) busy = msg (RESPONSE ("486 Busy Here", "", ""));
  g_autoptr(NetSipMessage) ok = msg (RESPONSE ("200 OK", "", "Contact: <sip:bob@192.0.2.4>\n"));
  g_autoptr(NetSipDialog) early = NULL;
  g_autoptr(NetSipDialog) confirmed = NULL;
  guint notified = 0;

  /* a 180 without Contact: the target is the Request-URI until the 2xx */
  early = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ringing), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_dialog_get_remote_target (early), ==, "sip:bob@biloxi.example.com");
  g_signal_connect (early, "notify::state", G_CALLBACK (count_notify), &notified);
  g_assert_true (net_sip_dialog_handle_response (early, NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (busy)));
  g_assert_cmpint (net_sip_dialog_get_state (early), ==, NET_SIP_DIALOG_TERMINATED);
  g_assert_cmpuint (notified, ==, 1);
  /* nothing moves a terminated dialog */
  g_assert_false (net_sip_dialog_handle_response (early, NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ok)));
  g_assert_cmpuint (notified, ==, 1);

  confirmed = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ok), &error);
  g_assert_no_error (error);
  {
    g_autoptr(NetSipRequest) info = net_sip_dialog_create_request (confirmed, "INFO");
    g_autoptr(NetSipResponse) failed = net_sip_request_create_response (info, 415, NULL, NULL);
    g_autoptr(NetSipResponse) gone = net_sip_request_create_response (info, 481, NULL, NULL);
    /* a failed request does not end the dialog, a 481 does (§12.2.1.2) */
    g_assert_false (net_sip_dialog_handle_response (confirmed, info, failed));
    g_assert_cmpint (net_sip_dialog_get_state (confirmed), ==, NET_SIP_DIALOG_CONFIRMED);
    g_assert_true (net_sip_dialog_handle_response (confirmed, info, gone));
    g_assert_cmpint (net_sip_dialog_get_state (confirmed), ==, NET_SIP_DIALOG_TERMINATED);
  }
}

static void
test_bad_input (void)
{
  g_autoptr(NetSipMessage) invite = msg (INVITE);
  const char *bad_responses[] = {
    RESPONSE ("100 Trying", "", "Contact: <sip:bob@192.0.2.4>\n"),
    RESPONSE ("486 Busy Here", "", "Contact: <sip:bob@192.0.2.4>\n"),
    RESPONSE ("200 OK", "", ""),  /* a 2xx without Contact */
    "SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=9fxced76sl\nTo: <sip:c@d>\n"
    "Call-ID: 3848276298220188511@atlanta.example.com\nCSeq: 31 INVITE\nContact: <sip:c@d>\nContent-Length: 0\n\n",
    "SIP/2.0 200 OK\nVia: SIP/2.0/UDP a;branch=z9hG4bK1\nFrom: <sip:a@b>;tag=9fxced76sl\nTo: <sip:c@d>;tag=x\n"
    "Call-ID: another@call\nCSeq: 31 INVITE\nContact: <sip:c@d>\nContent-Length: 0\n\n",
  };

  for (guint i = 0; i < G_N_ELEMENTS (bad_responses); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) r = msg (bad_responses[i]);
      g_autoptr(NetSipDialog) d = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (r), &error);
      g_assert_null (d);
      g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INVALID);
    }

  {
    g_autoptr(GError) error = NULL;
    g_autoptr(NetSipMessage) no_contact = msg ("INVITE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP a;branch=z9hG4bK2\n"
                                               "From: <sip:a@b>;tag=1\nTo: <sip:b@c>\nCall-ID: x\n"
                                               "CSeq: 1 INVITE\nContent-Length: 0\n\n");
    g_autoptr(NetSipDialog) d = net_sip_dialog_new_uas (NET_SIP_REQUEST (no_contact), NULL, NULL, &error);
    g_assert_null (d);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INVALID);
  }

  /* an RFC 2543 caller without a From tag still gets a dialog, and a
   * random tag of ours */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(NetSipMessage) old = msg ("INVITE sip:b@c SIP/2.0\nVia: SIP/2.0/UDP a\n"
                                        "From: <sip:a@b>\nTo: <sip:b@c>\nCall-ID: old\n"
                                        "CSeq: 1 INVITE\nContact: <sip:a@192.0.2.1>\nContent-Length: 0\n\n");
    g_autoptr(NetSipDialog) d = net_sip_dialog_new_uas (NET_SIP_REQUEST (old), NULL, NULL, &error);
    g_assert_no_error (error);
    g_assert_null (net_sip_dialog_get_remote_tag (d));
    g_assert_cmpuint (strlen (net_sip_dialog_get_local_tag (d)), ==, 16);
  }
}

/* net_sip_dialog_next_local_cseq: the CSeq a request sent again with
 * credentials takes (§22.2), shared with create_request */
static void
test_next_local_cseq (void)
{
  g_autoptr(NetSipMessage) invite = msg (INVITE);
  g_autoptr(NetSipMessage) ok = msg (RESPONSE ("200 OK", "", "Contact: <sip:bob@192.0.2.4>\n"));
  g_autoptr(NetSipDialog) d = NULL;
  g_autoptr(NetSipRequest) bye = NULL;
  g_autoptr(GError) error = NULL;

  d = net_sip_dialog_new_uac (NET_SIP_REQUEST (invite), NET_SIP_RESPONSE (ok), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_dialog_get_local_cseq (d), ==, 31);
  g_assert_cmpuint (net_sip_dialog_next_local_cseq (d), ==, 32);
  g_assert_cmpuint (net_sip_dialog_get_local_cseq (d), ==, 32);
  bye = net_sip_dialog_create_request (d, "BYE");
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (bye)), ==, 33);
  g_assert_cmpuint (net_sip_dialog_next_local_cseq (d), ==, 34);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dialog/uac", test_uac);
  g_test_add_func ("/dialog/strict-routing", test_strict_routing);
  g_test_add_func ("/dialog/uas", test_uas);
  g_test_add_func ("/dialog/early-end-and-481", test_early_end_and_481);
  g_test_add_func ("/dialog/bad-input", test_bad_input);
  g_test_add_func ("/dialog/next-local-cseq", test_next_local_cseq);
  return g_test_run ();
}
