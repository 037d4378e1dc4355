/* test-message.c: NetSipMessage, NetSipRequest, NetSipResponse, the value
 * types and the stream framer, through the public API
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

#define CRLF "\r\n"

static const char invite_text[] =
  "INVITE sip:bob@example.org SIP/2.0" CRLF
  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK5972cd84e5eb;rport" CRLF
  "v: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKdef;received=[2001:db8::2]" CRLF
  "Max-Forwards: 70" CRLF
  "Route: <sip:203.0.113.5;lr>, <sip:p2.example.com;lr>" CRLF
  "From: \"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=f52dd20537" CRLF
  "t: Bob <sip:bob@example.org>" CRLF
  "Call-ID: 60064fdb8c05a83ad34e6fa2@192.0.2.10" CRLF
  "CSeq: 101 INVITE" CRLF
  "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=60;q=0.5" CRLF
  "Allow: INVITE, ACK, CANCEL,BYE" CRLF
  "X-Quoted: \"a, b\", <sip:c,d@e>, f" CRLF
  "Record-Route: <sip:rr1.example.com;lr>" CRLF
  "Content-Type: Application/SDP; charset=utf-8" CRLF
  "Content-Length: 4" CRLF
  CRLF
  "v=0\n";

static NetSipMessage *
parse_text (const char *text,
            GError    **error)
{
  g_autoptr(GBytes) b = g_bytes_new (text, strlen (text));
  return net_sip_message_parse (b, error);
}

static NetSipMessage *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  NetSipMessage *m = parse_text (text, &error);
  g_assert_no_error (error);
  g_assert_nonnull (m);
  return m;
}

static char *
bytes_str (GBytes *b)
{
  return g_strndup (g_bytes_get_data (b, NULL), g_bytes_get_size (b));
}

/* ------------------------------------------------------------------ */

static void
test_headers (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  g_auto(GStrv) allow = NULL;
  g_auto(GStrv) quoted = NULL;
  g_auto(GStrv) vias = NULL;
  const char *value;

  g_assert_true (NET_SIP_IS_REQUEST (m));
  g_assert_true (net_sip_message_is_request (m));
  g_assert_cmpstr (net_sip_message_get_method (m), ==, "INVITE");
  g_assert_cmpstr (net_sip_request_get_uri (NET_SIP_REQUEST (m)), ==, "sip:bob@example.org");
  g_assert_cmpstr (net_sip_message_get_version (m), ==, "SIP/2.0");
  g_assert_false (net_sip_message_is_modified (m));

  /* case-insensitive, compact forms are the same header */
  g_assert_cmpstr (net_sip_message_get_header (m, "TO"), ==, "Bob <sip:bob@example.org>");
  g_assert_cmpstr (net_sip_message_get_header (m, "t"), ==, "Bob <sip:bob@example.org>");
  g_assert_cmpstr (net_sip_message_get_header (m, "call-id"), ==, "60064fdb8c05a83ad34e6fa2@192.0.2.10");
  g_assert_cmpstr (net_sip_message_get_header (m, "i"), ==, "60064fdb8c05a83ad34e6fa2@192.0.2.10");
  g_assert_null (net_sip_message_get_header (m, "Subject"));
  g_assert_cmpuint (net_sip_message_count_headers (m, "via"), ==, 2);
  g_assert_cmpuint (net_sip_message_count_headers (m, "x-quoted"), ==, 1);

  allow = net_sip_message_get_headers (m, "Allow");
  g_assert_cmpuint (g_strv_length (allow), ==, 4);
  g_assert_cmpstr (allow[3], ==, "BYE");
  /* an unknown header is not split */
  quoted = net_sip_message_get_headers (m, "X-Quoted");
  g_assert_cmpuint (g_strv_length (quoted), ==, 1);
  vias = net_sip_message_get_headers (m, "Via");
  g_assert_cmpuint (g_strv_length (vias), ==, 3);
  g_assert_cmpstr (vias[1], ==, "SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc");

  g_assert_cmpuint (net_sip_message_get_n_headers (m), ==, 14);
  g_assert_cmpstr (net_sip_message_get_header_nth (m, 1, &value), ==, "Via");
  g_assert_true (g_str_has_prefix (value, "SIP/2.0/TCP proxy"));
  g_assert_cmpstr (net_sip_message_get_header_nth (m, 5, &value), ==, "To");
  g_assert_cmpstr (net_sip_message_get_header_nth (m, 10, NULL), ==, "X-Quoted");

  g_assert_cmpstr (net_sip_header_canonical_name ("v"), ==, "Via");
  g_assert_cmpstr (net_sip_header_canonical_name ("CALL-ID"), ==, "Call-ID");
  g_assert_cmpstr (net_sip_header_canonical_name ("o"), ==, "Event");
  g_assert_cmpstr (net_sip_header_canonical_name ("u"), ==, "Allow-Events");
  g_assert_cmpstr (net_sip_header_canonical_name ("r"), ==, "Refer-To");
  g_assert_cmpstr (net_sip_header_canonical_name ("b"), ==, "Referred-By");
  g_assert_cmpstr (net_sip_header_canonical_name ("x"), ==, "Session-Expires");
  g_assert_cmpstr (net_sip_header_canonical_name ("y"), ==, "Identity");
  g_assert_cmpstr (net_sip_header_canonical_name ("a"), ==, "Accept-Contact");
  g_assert_cmpstr (net_sip_header_canonical_name ("j"), ==, "Reject-Contact");
  g_assert_cmpstr (net_sip_header_canonical_name ("d"), ==, "Request-Disposition");
  g_assert_cmpstr (net_sip_header_canonical_name ("k"), ==, "Supported");
  g_assert_cmpstr (net_sip_header_canonical_name ("X-Foo"), ==, NULL);
}

typedef struct
{
  GString *names;
  guint    stop_after;
} ForeachData;

static gboolean
collect_header (const char *name,
                const char *value,
                gpointer    user_data)
{
  ForeachData *d = user_data;
  g_string_append_printf (d->names, "%s;", name);
  return --d->stop_after > 0;
}

static void
test_foreach (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  ForeachData d = { g_string_new (NULL), 4 };

  net_sip_message_foreach_header (m, collect_header, &d);
  g_assert_cmpstr (d.names->str, ==, "Via;Via;Max-Forwards;Route;");
  g_string_free (d.names, TRUE);
}

static void
test_structured (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vias = NULL;
  g_autoptr(GPtrArray) routes = NULL;
  g_autoptr(GPtrArray) rr = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autofree char *ct = NULL;
  NetSipVia *via;
  NetSipNameAddr *from, *to;
  guint32 n = 0;
  const char *method = NULL;

  via = net_sip_message_get_top_via (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_via_get_protocol (via), ==, "SIP/2.0");
  g_assert_cmpstr (net_sip_via_get_transport (via), ==, "UDP");
  g_assert_cmpstr (net_sip_via_get_host (via), ==, "192.0.2.10");
  g_assert_cmpuint (net_sip_via_get_port (via), ==, 5060);
  g_assert_cmpstr (net_sip_via_get_branch (via), ==, "z9hG4bK5972cd84e5eb");
  g_assert_cmpint (net_sip_via_get_rport (via), ==, 0);
  g_assert_null (net_sip_via_get_received (via));
  g_assert_cmpuint (net_sip_via_get_n_params (via), ==, 2);

  vias = net_sip_message_get_vias (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (vias->len, ==, 3);
  g_assert_cmpstr (net_sip_via_get_branch (vias->pdata[0]), ==, net_sip_via_get_branch (via));
  via = vias->pdata[2];
  g_assert_true (net_sip_via_host_is_ipv6 (via));
  g_assert_cmpstr (net_sip_via_get_host (via), ==, "2001:db8::1");
  g_assert_cmpuint (net_sip_via_get_port (via), ==, 5070);
  g_assert_cmpstr (net_sip_via_get_received (via), ==, "2001:db8::2");
  g_assert_cmpint (net_sip_via_get_rport (via), ==, -1);
  {
    g_autofree char *s = net_sip_via_to_string (via);
    g_assert_cmpstr (s, ==, "SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKdef;received=[2001:db8::2]");
  }

  g_assert_true (net_sip_message_get_cseq (m, &n, &method, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (n, ==, 101);
  g_assert_cmpstr (method, ==, "INVITE");
  g_assert_cmpuint (net_sip_message_get_cseq_number (m), ==, 101);

  from = net_sip_message_get_from (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_name_addr_get_display_name (from), ==, "Alice \"A\" Liddell");
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (from), ==, "sip:alice@example.com");
  g_assert_cmpstr (net_sip_name_addr_get_tag (from), ==, "f52dd20537");
  g_assert_cmpstr (net_sip_message_get_from_tag (m), ==, "f52dd20537");
  {
    g_autofree char *s = net_sip_name_addr_to_string (from);
    g_assert_cmpstr (s, ==, "\"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=f52dd20537");
  }
  to = net_sip_message_get_to (m, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_name_addr_get_display_name (to), ==, "Bob");
  g_assert_null (net_sip_message_get_to_tag (m));
  {
    g_autoptr(NetSipUri) uri = net_sip_name_addr_get_uri (to, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "bob");
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.org");
  }

  routes = net_sip_message_get_routes (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (routes->len, ==, 2);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (routes->pdata[1]), ==, "sip:p2.example.com;lr");
  rr = net_sip_message_get_record_routes (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rr->len, ==, 1);
  contacts = net_sip_message_get_contacts (m, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, 1);
  g_assert_cmpint (net_sip_name_addr_get_expires (contacts->pdata[0]), ==, 60);
  g_assert_cmpfloat (net_sip_name_addr_get_q (contacts->pdata[0]), ==, 0.5);
  g_assert_false (net_sip_name_addr_is_wildcard (contacts->pdata[0]));

  g_assert_cmpint (net_sip_message_get_max_forwards (m), ==, 70);
  g_assert_cmpint (net_sip_message_get_expires (m), ==, -1);
  g_assert_cmpint (net_sip_message_get_min_expires (m), ==, -1);
  g_assert_cmpint (net_sip_message_get_content_length (m), ==, 4);
  ct = net_sip_message_get_content_type (m);
  g_assert_cmpstr (ct, ==, "application/sdp");
  g_assert_cmpstr (net_sip_message_get_call_id (m), ==, "60064fdb8c05a83ad34e6fa2@192.0.2.10");
  {
    g_autoptr(GBytes) body = net_sip_message_get_body (m);
    g_autofree char *s = bytes_str (body);
    g_assert_cmpstr (s, ==, "v=0\n");
  }
  g_assert_cmpuint (net_sip_message_validate (m, NULL), ==, 0);
}

static void
test_values_standalone (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipVia) via = net_sip_via_parse ("SIP / 2.0 / TLS  host.example.com : 5061 ; branch = z9hG4bKx ; ttl=3", -1, &error);
  g_autoptr(NetSipNameAddr) na = NULL;
  g_autoptr(NetSipAuthParams) ap = NULL;
  const char *value = NULL;

  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_via_get_transport (via), ==, "TLS");
  g_assert_cmpuint (net_sip_via_get_port (via), ==, 5061);
  g_assert_cmpstr (net_sip_via_get_branch (via), ==, "z9hG4bKx");
  g_assert_cmpstr (net_sip_via_get_param (via, "TTL"), ==, "3");
  g_assert_true (net_sip_via_has_param (via, "ttl"));
  g_assert_cmpstr (net_sip_via_get_param_nth (via, 1, &value), ==, "ttl");
  g_assert_cmpstr (value, ==, "3");

  g_assert_null (net_sip_via_parse ("SIP/2.0/UDP", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_null (net_sip_via_parse ("SIP/2.0/UDP host:99999", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_assert_nonnull (strstr (error->message, "port"));
  g_clear_error (&error);
  g_assert_null (net_sip_via_parse ("SIP/2.0/UDP host;rport=x", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_clear_error (&error);

  na = net_sip_name_addr_parse ("*", -1, &error);
  g_assert_no_error (error);
  g_assert_true (net_sip_name_addr_is_wildcard (na));
  g_clear_pointer (&na, net_sip_name_addr_unref);
  na = net_sip_name_addr_parse ("sip:a@b;tag=1;foo", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (na), ==, "sip:a@b");
  g_assert_cmpstr (net_sip_name_addr_get_tag (na), ==, "1");
  g_assert_cmpstr (net_sip_name_addr_get_param (na, "foo"), ==, "");
  g_assert_null (net_sip_name_addr_get_param (na, "bar"));
  g_assert_cmpint (net_sip_name_addr_get_q (na), ==, -1);
  g_clear_pointer (&na, net_sip_name_addr_unref);
  g_assert_null (net_sip_name_addr_parse ("Bell, Alexander <sip:a@b>", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_clear_error (&error);
  g_assert_null (net_sip_name_addr_parse ("\"open <sip:a@b>", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_clear_error (&error);

  ap = net_sip_auth_params_parse ("Digest username=\"alice\", realm=\"example.com\",nonce=\"a,b\", qop=auth, nc=00000001", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_auth_params_get_scheme (ap), ==, "Digest");
  g_assert_cmpstr (net_sip_auth_params_get_param (ap, "Username"), ==, "alice");
  g_assert_cmpstr (net_sip_auth_params_get_param (ap, "nonce"), ==, "a,b");
  g_assert_cmpstr (net_sip_auth_params_get_param (ap, "nc"), ==, "00000001");
  g_assert_cmpuint (net_sip_auth_params_get_n_params (ap), ==, 5);
  g_clear_pointer (&ap, net_sip_auth_params_unref);
  g_assert_null (net_sip_auth_params_parse ("Digest realm=\"unterminated", -1, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
  g_clear_error (&error);
  ap = net_sip_auth_params_parse ("Bearer abc.def==", -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_auth_params_get_opaque (ap), ==, "abc.def==");
}

/* Values handed out stay valid after the message changes. */
static void
test_values_survive_changes (void)
{
  NetSipMessage *m = parse_ok (invite_text);
  NetSipVia *via = net_sip_via_ref (net_sip_message_get_top_via (m, NULL));
  const char *call_id = net_sip_message_get_call_id (m);
  const char *from_tag = net_sip_message_get_from_tag (m);

  net_sip_message_remove_header (m, "Via");
  net_sip_message_set_header (m, "Call-ID", "other");
  net_sip_message_set_header (m, "From", "<sip:x@y>;tag=new");
  g_assert_null (net_sip_message_get_top_via (m, NULL));
  g_assert_cmpstr (net_sip_message_get_call_id (m), ==, "other");
  g_assert_cmpstr (net_sip_message_get_from_tag (m), ==, "new");
  g_assert_cmpstr (call_id, ==, "60064fdb8c05a83ad34e6fa2@192.0.2.10");
  g_assert_cmpstr (from_tag, ==, "f52dd20537");
  g_object_unref (m);
  /* the Via keeps its memory alive after the message is gone */
  g_assert_cmpstr (net_sip_via_get_branch (via), ==, "z9hG4bK5972cd84e5eb");
  net_sip_via_unref (via);
}

static void
test_modify (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  g_autoptr(GBytes) orig = g_bytes_new (invite_text, strlen (invite_text));
  g_autoptr(GBytes) out = net_sip_message_to_bytes (m);
  g_autofree char *text = NULL;

  g_assert_true (g_bytes_equal (out, orig));
  g_clear_pointer (&out, g_bytes_unref);

  net_sip_message_prepend_header (m, "Via", "SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKnew");
  net_sip_message_set_header (m, "max-forwards", "69");
  g_assert_true (net_sip_message_remove_first_header (m, "Route"));
  net_sip_message_add_header (m, "Record-Route", "<sip:rr2.example.com;lr>");
  net_sip_message_add_header (m, "X-New", "one\r\nInjected: two");
  g_assert_cmpuint (net_sip_message_remove_header (m, "x-quoted"), ==, 1);
  g_assert_cmpuint (net_sip_message_remove_header (m, "x-quoted"), ==, 0);
  g_assert_true (net_sip_message_is_modified (m));
  g_assert_cmpstr (net_sip_via_get_branch (net_sip_message_get_top_via (m, NULL)), ==, "z9hG4bKnew");

  text = net_sip_message_to_string (m);
  g_assert_cmpstr (text, ==,
    "INVITE sip:bob@example.org SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 198.51.100.1;branch=z9hG4bKnew" CRLF
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK5972cd84e5eb;rport" CRLF
    "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKdef;received=[2001:db8::2]" CRLF
    "Max-Forwards: 69" CRLF
    "From: \"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=f52dd20537" CRLF
    "To: Bob <sip:bob@example.org>" CRLF
    "Call-ID: 60064fdb8c05a83ad34e6fa2@192.0.2.10" CRLF
    "CSeq: 101 INVITE" CRLF
    "Contact: <sip:alice@192.0.2.10:5060;transport=udp>;expires=60;q=0.5" CRLF
    "Allow: INVITE, ACK, CANCEL,BYE" CRLF
    "Record-Route: <sip:rr1.example.com;lr>" CRLF
    "Record-Route: <sip:rr2.example.com;lr>" CRLF
    "Content-Type: Application/SDP; charset=utf-8" CRLF
    "Content-Length: 4" CRLF
    "X-New: one  Injected: two" CRLF
    CRLF
    "v=0\n");

  /* the body and its Content-Length move together */
  {
    g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);
    g_autofree char *t2 = NULL;
    net_sip_message_set_body (m, body, "text/plain");
    t2 = net_sip_message_to_string (m);
    g_assert_nonnull (strstr (t2, "Content-Type: text/plain" CRLF));
    g_assert_nonnull (strstr (t2, "Content-Length: 5" CRLF));
    g_assert_true (g_str_has_suffix (t2, CRLF CRLF "hello"));
    g_assert_cmpint (net_sip_message_get_content_length (m), ==, 5);
    net_sip_message_set_body (m, NULL, NULL);
    g_assert_null (net_sip_message_get_header (m, "Content-Type"));
    g_assert_cmpint (net_sip_message_get_content_length (m), ==, 0);
  }
}

static void
test_build_request (void)
{
  g_autoptr(NetSipRequest) req = net_sip_request_new ("OPTIONS", "sip:bob@example.org");
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  g_autofree char *text = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(NetSipMessage) again = NULL;
  g_autoptr(GError) error = NULL;

  net_sip_message_add_header (m, "Via", "SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKopt1");
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", "<sip:bob@example.org>");
  net_sip_message_add_header (m, "From", "<sip:alice@example.com>;tag=abc");
  net_sip_message_add_header (m, "Call-ID", "opt1@192.0.2.1");
  net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
  text = net_sip_message_to_string (m);
  g_assert_cmpstr (text, ==,
    "OPTIONS sip:bob@example.org SIP/2.0" CRLF
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bKopt1" CRLF
    "Max-Forwards: 70" CRLF
    "To: <sip:bob@example.org>" CRLF
    "From: <sip:alice@example.com>;tag=abc" CRLF
    "Call-ID: opt1@192.0.2.1" CRLF
    "CSeq: 1 OPTIONS" CRLF
    "Content-Length: 0" CRLF
    CRLF);
  g_assert_cmpuint (net_sip_message_validate (m, NULL), ==, 0);

  bytes = net_sip_message_to_bytes (m);
  again = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_message_get_tid (again), ==, net_sip_message_get_tid (m));

  net_sip_request_set_uri (req, "sip:bob@192.0.2.99");
  g_assert_cmpstr (net_sip_request_get_uri (req), ==, "sip:bob@192.0.2.99");
  {
    g_autoptr(NetSipUri) uri = net_sip_request_get_parsed_uri (req, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "192.0.2.99");
  }
}

static void
test_create_response (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  g_autoptr(NetSipResponse) trying = net_sip_request_create_response (NET_SIP_REQUEST (m), 100, NULL, "tt");
  g_autoptr(NetSipResponse) ringing = net_sip_request_create_response (NET_SIP_REQUEST (m), 180, NULL, "totag1");
  g_autoptr(NetSipResponse) busy = net_sip_request_create_response (NET_SIP_REQUEST (m), 486, "Busy Now", "totag1");
  g_autoptr(GPtrArray) vias = NULL;
  g_autofree char *text = NULL;

  g_assert_cmpuint (net_sip_response_get_code (trying), ==, 100);
  g_assert_cmpstr (net_sip_response_get_reason (trying), ==, "Trying");
  /* §8.2.6.2: no tag on a 100 */
  g_assert_null (net_sip_message_get_to_tag (NET_SIP_MESSAGE (trying)));
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (ringing)), ==, "totag1");
  g_assert_cmpstr (net_sip_message_get_from_tag (NET_SIP_MESSAGE (ringing)), ==, "f52dd20537");
  g_assert_cmpstr (net_sip_message_get_call_id (NET_SIP_MESSAGE (ringing)), ==, net_sip_message_get_call_id (m));
  g_assert_cmpstr (net_sip_message_get_method (NET_SIP_MESSAGE (ringing)), ==, "INVITE");
  vias = net_sip_message_get_vias (NET_SIP_MESSAGE (ringing), NULL);
  g_assert_cmpuint (vias->len, ==, 3);
  /* Record-Route copied into a 18x/2xx to INVITE (§12.1.1), not into a 486 */
  g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (ringing), "Record-Route"), ==, 1);
  g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (busy), "Record-Route"), ==, 0);
  g_assert_cmpstr (net_sip_response_get_reason (busy), ==, "Busy Now");
  /* a response matches the transaction of its request */
  g_assert_cmpstr (net_sip_message_get_tid (NET_SIP_MESSAGE (ringing)), ==, net_sip_message_get_tid (m));

  text = net_sip_message_to_string (NET_SIP_MESSAGE (ringing));
  g_assert_cmpstr (text, ==,
    "SIP/2.0 180 Ringing" CRLF
    "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK5972cd84e5eb;rport" CRLF
    "Via: SIP/2.0/TCP proxy.example.com;branch=z9hG4bKabc, SIP/2.0/UDP [2001:db8::1]:5070;branch=z9hG4bKdef;received=[2001:db8::2]" CRLF
    "Record-Route: <sip:rr1.example.com;lr>" CRLF
    "From: \"Alice \\\"A\\\" Liddell\" <sip:alice@example.com>;tag=f52dd20537" CRLF
    "To: Bob <sip:bob@example.org>;tag=totag1" CRLF
    "Call-ID: 60064fdb8c05a83ad34e6fa2@192.0.2.10" CRLF
    "CSeq: 101 INVITE" CRLF
    "Content-Length: 0" CRLF
    CRLF);

  net_sip_response_set_status (busy, 603, NULL);
  g_assert_cmpstr (net_sip_response_get_reason (busy), ==, "Decline");
  g_assert_cmpstr (net_sip_response_default_reason (599), ==, "Server Error");
}

static void
test_create_ack_cancel (void)
{
  g_autoptr(NetSipMessage) m = parse_ok (invite_text);
  g_autoptr(NetSipResponse) busy = net_sip_request_create_response (NET_SIP_REQUEST (m), 486, NULL, "tb");
  g_autoptr(NetSipRequest) ack = net_sip_request_create_ack (NET_SIP_REQUEST (m), busy);
  g_autoptr(NetSipRequest) cancel = net_sip_request_create_cancel (NET_SIP_REQUEST (m));
  NetSipMessage *a = NET_SIP_MESSAGE (ack), *c = NET_SIP_MESSAGE (cancel);
  g_autoptr(GPtrArray) vias = NULL;
  const char *method = NULL;
  guint32 n = 0;

  /* §17.1.1.3 */
  g_assert_cmpstr (net_sip_request_get_method (ack), ==, "ACK");
  g_assert_cmpstr (net_sip_request_get_uri (ack), ==, "sip:bob@example.org");
  vias = net_sip_message_get_vias (a, NULL);
  g_assert_cmpuint (vias->len, ==, 1);
  g_assert_cmpstr (net_sip_via_get_branch (vias->pdata[0]), ==, "z9hG4bK5972cd84e5eb");
  g_assert_cmpstr (net_sip_message_get_to_tag (a), ==, "tb");
  g_assert_true (net_sip_message_get_cseq (a, &n, &method, NULL));
  g_assert_cmpuint (n, ==, 101);
  g_assert_cmpstr (method, ==, "ACK");
  g_assert_cmpuint (net_sip_message_count_headers (a, "Route"), ==, 1);
  g_assert_cmpstr (net_sip_message_get_header (a, "Route"), ==, "<sip:203.0.113.5;lr>, <sip:p2.example.com;lr>");
  /* the ACK for a non-2xx belongs to the INVITE's transaction (§17.2.3) */
  g_assert_cmpstr (net_sip_message_get_tid (a), ==, net_sip_message_get_tid (m));
  g_assert_cmpuint (net_sip_message_validate (a, NULL), ==, 0);

  /* §9.1 */
  g_assert_cmpstr (net_sip_request_get_method (cancel), ==, "CANCEL");
  g_assert_true (net_sip_message_get_cseq (c, &n, &method, NULL));
  g_assert_cmpuint (n, ==, 101);
  g_assert_cmpstr (method, ==, "CANCEL");
  g_assert_null (net_sip_message_get_to_tag (c));
  g_assert_cmpstr (net_sip_via_get_branch (net_sip_message_get_top_via (c, NULL)), ==, "z9hG4bK5972cd84e5eb");
  /* same branch, but its own transaction */
  g_assert_cmpstr (net_sip_message_get_tid (c), !=, net_sip_message_get_tid (m));
  g_assert_cmpuint (net_sip_message_validate (c, NULL), ==, 0);
}

static void
test_tid_2543 (void)
{
  const char *invite =
    "INVITE sip:b@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/UDP old.example.com" CRLF
    "From: <sip:a@example.com>;tag=1" CRLF
    "To: <sip:b@example.com>" CRLF
    "Call-ID: c1" CRLF
    "CSeq: 5 INVITE" CRLF
    "Content-Length: 0" CRLF CRLF;
  const char *ack =
    "ACK sip:b@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/UDP old.example.com" CRLF
    "From: <sip:a@example.com>;tag=1" CRLF
    "To: <sip:b@example.com>;tag=xyz" CRLF
    "Call-ID: c1" CRLF
    "CSeq: 5 ACK" CRLF
    "Content-Length: 0" CRLF CRLF;
  const char *other =
    "INVITE sip:b@example.com SIP/2.0" CRLF
    "Via: SIP/2.0/UDP old.example.com" CRLF
    "From: <sip:a@example.com>;tag=1" CRLF
    "To: <sip:b@example.com>" CRLF
    "Call-ID: c1" CRLF
    "CSeq: 6 INVITE" CRLF
    "Content-Length: 0" CRLF CRLF;
  g_autoptr(NetSipMessage) i = parse_ok (invite);
  g_autoptr(NetSipMessage) a = parse_ok (ack);
  g_autoptr(NetSipMessage) o = parse_ok (other);

  g_assert_true (g_str_has_prefix (net_sip_message_get_tid (i), "2543|"));
  g_assert_cmpstr (net_sip_message_get_tid (i), ==, net_sip_message_get_tid (a));
  g_assert_cmpstr (net_sip_message_get_tid (i), !=, net_sip_message_get_tid (o));
}

/* ------------------------------------------------------------------ */
/* Bad input                                                           */

static void
assert_parse_error (const char *text,
                    gsize       len,
                    gint        code,
                    const char *substr)
{
  g_autoptr(GBytes) b = g_bytes_new_take (g_memdup2 (text, len), len);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) m = net_sip_message_parse (b, &error);

  g_assert_null (m);
  g_assert_error (error, NET_SIP_PARSE_ERROR, code);
  if (substr && !strstr (error->message, substr))
    g_error ("error '%s' lacks '%s'", error->message, substr);
}

static void
test_errors (void)
{
  g_autoptr(GError) error = NULL;

  assert_parse_error ("", 0, NET_SIP_PARSE_ERROR_INCOMPLETE, "empty");
  assert_parse_error ("\r\n\r\n", 4, NET_SIP_PARSE_ERROR_INCOMPLETE, "empty");
  assert_parse_error ("INVITE sip:a@b SIP/2.0", 22, NET_SIP_PARSE_ERROR_INCOMPLETE, "line 1");
  assert_parse_error ("INVITE sip:a@b SIP/2.0\r\nVia: x\r\n", 32, NET_SIP_PARSE_ERROR_INCOMPLETE, "line 3: no empty line");
  assert_parse_error ("INVITE sip:a@b\r\n\r\n", 18, NET_SIP_PARSE_ERROR_START_LINE, "SIP-Version");
  assert_parse_error ("INVITE sip:a@b HTTP/1.1\r\n\r\n", 27, NET_SIP_PARSE_ERROR_START_LINE, "SIP-Version");
  assert_parse_error ("INV ITE sip:a@b SIP/2.0\r\n\r\n", 27, NET_SIP_PARSE_ERROR_START_LINE, NULL);
  assert_parse_error ("INVITE nocolon SIP/2.0\r\n\r\n", 26, NET_SIP_PARSE_ERROR_START_LINE, "scheme");
  assert_parse_error ("SIP/2.0 20 OK\r\n\r\n", 17, NET_SIP_PARSE_ERROR_START_LINE, "three digits");
  assert_parse_error ("SIP/2.0 099 OK\r\n\r\n", 18, NET_SIP_PARSE_ERROR_START_LINE, "range");
  assert_parse_error ("SIP/2.0 700 OK\r\n\r\n", 18, NET_SIP_PARSE_ERROR_START_LINE, "range");
  assert_parse_error ("OPTIONS sip:a@b SIP/2.0\r\n : x\r\n\r\n", 33, NET_SIP_PARSE_ERROR_HEADER, "line 2: continuation");
  assert_parse_error ("OPTIONS sip:a@b SIP/2.0\r\nVia x\r\n\r\n", 32, NET_SIP_PARSE_ERROR_HEADER, "line 2: header line without ':'");
  assert_parse_error ("OPTIONS sip:a@b SIP/2.0\r\nV(a: x\r\n\r\n", 33, NET_SIP_PARSE_ERROR_HEADER, "line 2: invalid character");
  assert_parse_error ("OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\n\r\nabc", 37, NET_SIP_PARSE_ERROR_INCOMPLETE, "Content-Length 5");
  assert_parse_error ("OPTIONS sip:a@b SIP/2.0\r\nl: 99999999999\r\n\r\n", 43, NET_SIP_PARSE_ERROR_CONTENT_LENGTH, "line 2");
  /* NUL bytes in a start line */
  assert_parse_error ("OPTIONS sip:a\0b SIP/2.0\r\n\r\n", 27, NET_SIP_PARSE_ERROR_START_LINE, NULL);
  assert_parse_error ("\0\0\0\0", 4, NET_SIP_PARSE_ERROR_INCOMPLETE, NULL);

  /* a CSeq error names the line and the header */
  {
    g_autoptr(NetSipMessage) m = parse_ok ("OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@b>;tag=1\r\nCSeq: 4294967296 OPTIONS\r\n\r\n");
    guint32 n;
    g_autofree char *reason = NULL;
    g_assert_false (net_sip_message_get_cseq (m, &n, NULL, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE);
    g_assert_cmpstr (error->message, ==, "line 4: header 'CSeq': sequence number exceeds 2^32-1");
    g_clear_error (&error);
    g_assert_cmpuint (net_sip_message_get_cseq_number (m), ==, 0);
    g_assert_null (net_sip_message_get_cseq_method (m));
    g_assert_null (net_sip_message_get_tid (m));
    g_assert_cmpuint (net_sip_message_validate (m, &reason), ==, 400);
    g_assert_cmpstr (reason, ==, "missing header 'To'");
  }
  {
    g_autoptr(NetSipMessage) m = parse_ok ("OPTIONS sip:a@b SIP/2.0\r\nCSeq: 4294967295 OPTIONS\r\n\r\n");
    g_assert_cmpuint (net_sip_message_get_cseq_number (m), ==, G_MAXUINT32);
    g_assert_null (net_sip_message_get_top_via (m, &error));
    g_assert_no_error (error);
  }
}

/* Found by the fuzzer: a Via list read first, then the top Via, on a
 * message without Via; and next() on a framer that never got a byte. */
static void
test_regressions (void)
{
  g_autoptr(NetSipMessage) m = parse_ok ("OPTIONS sip:bob@example.org SIP/2.0\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n");
  g_autoptr(GPtrArray) vias = net_sip_message_get_vias (m, NULL);
  g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (vias->len, ==, 0);
  g_assert_null (net_sip_message_get_top_via (m, NULL));
  g_assert_null (net_sip_message_get_tid (m));
  g_assert_null (net_sip_stream_framer_next (f, &error));
  g_assert_no_error (error);
  net_sip_stream_framer_push (f, NULL, 0);
  g_assert_null (net_sip_stream_framer_next (f, &error));
  g_assert_no_error (error);
}

static void
test_limits (void)
{
  g_autoptr(GString) s = g_string_new ("OPTIONS sip:a@b SIP/2.0\r\n");
  g_autoptr(GBytes) b = NULL;
  g_autoptr(GError) error = NULL;
  NetSipMessage *m;

  /* 10,000 tiny headers exceed the 16 KiB header limit */
  for (guint i = 0; i < 10000; i++)
    g_string_append (s, "a:\r\n");
  g_string_append (s, "\r\n");
  b = g_bytes_new (s->str, s->len);
  m = net_sip_message_parse (b, &error);
  g_assert_null (m);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  /* ... and parse when the limit allows them */
  m = net_sip_message_parse_full (b, NET_SIP_PARSE_FLAGS_NONE, 1 << 20, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_message_get_n_headers (m), ==, 10000);
  g_assert_cmpuint (net_sip_message_count_headers (m, "A"), ==, 10000);
  g_object_unref (m);
  g_clear_pointer (&b, g_bytes_unref);

  /* a 1 MiB header line */
  g_string_assign (s, "OPTIONS sip:a@b SIP/2.0\r\nX-Long: ");
  for (guint i = 0; i < (1 << 20); i++)
    g_string_append_c (s, 'x');
  g_string_append (s, "\r\n\r\n");
  b = g_bytes_new (s->str, s->len);
  m = net_sip_message_parse (b, &error);
  g_assert_null (m);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (error->message, "16384"));
  g_clear_error (&error);
  g_clear_pointer (&b, g_bytes_unref);

  /* a body over the limit, announced or not */
  g_string_assign (s, "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 70000\r\n\r\n");
  b = g_bytes_new (s->str, s->len);
  m = net_sip_message_parse (b, &error);
  g_assert_null (m);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
  g_clear_error (&error);
  g_clear_pointer (&b, g_bytes_unref);
  {
    gsize len = 100;
    char *body = g_malloc (len);
    g_autoptr(GBytes) msg = NULL;
    memset (body, 'b', len);
    g_string_assign (s, "MESSAGE sip:a@b SIP/2.0\r\n\r\n");
    g_string_append_len (s, body, len);
    g_free (body);
    msg = g_bytes_new (s->str, s->len);
    m = net_sip_message_parse_full (msg, NET_SIP_PARSE_FLAGS_NONE, 0, 64, &error);
    g_assert_null (m);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
    /* stream framing wants a Content-Length */
    m = net_sip_message_parse_full (msg, NET_SIP_PARSE_FLAGS_STREAM, 0, 0, &error);
    g_assert_null (m);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_CONTENT_LENGTH);
  }
}

/* Every prefix of a valid message is an error (or, for the prefixes that
 * end after the header section, a message with a shorter body), read from
 * an exactly sized buffer. */
static void
test_truncated (void)
{
  gsize len = strlen (invite_text);

  for (gsize i = 0; i < len; i++)
    {
      g_autoptr(GBytes) b = g_bytes_new_take (g_memdup2 (invite_text, i), i);
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) m = net_sip_message_parse (b, &error);
      g_assert_null (m);
      g_assert_nonnull (error);
      g_assert_true (error->domain == NET_SIP_PARSE_ERROR);
    }
}

static void
test_random (void)
{
  GRand *rand = g_rand_new_with_seed (20261123);
  static const char alphabet[] = "SIP/2.0 INVITE sip:@;=,<>\"\\:\r\n \t\0abcz0129[]%";

  for (guint iter = 0; iter < 20000; iter++)
    {
      gsize len = g_rand_int_range (rand, 0, 300);
      guint8 *buf = g_malloc (len + 1);
      g_autoptr(GBytes) b = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) m = NULL;
      gboolean bytes_mode = iter % 2;

      for (gsize i = 0; i < len; i++)
        buf[i] = bytes_mode ? (guint8) g_rand_int (rand)
                            : (guint8) alphabet[g_rand_int_range (rand, 0, sizeof alphabet - 1)];
      /* sometimes start with a real start line so the header code runs */
      if (iter % 3 == 0 && len > 30)
        memcpy (buf, "OPTIONS sip:a@b SIP/2.0\r\nVia: ", 30);
      b = g_bytes_new_take (buf, len);
      m = net_sip_message_parse (b, &error);
      g_assert_true ((m == NULL) != (error == NULL));
      if (m)
        {
          g_autoptr(GBytes) out = NULL;
          g_autoptr(GPtrArray) l = NULL;
          g_clear_error (&error);
          net_sip_message_validate (m, NULL);
          net_sip_message_get_tid (m);
          l = net_sip_message_get_contacts (m, &error);
          g_clear_error (&error);
          net_sip_message_add_header (m, "X", "y");
          out = net_sip_message_to_bytes (m);
          g_assert_nonnull (out);
        }
    }
  g_rand_free (rand);
}

/* ------------------------------------------------------------------ */
/* Stream framer                                                       */

static void
count_keepalive (NetSipStreamFramer *framer,
                 gboolean            is_ping,
                 gpointer            user_data)
{
  guint *counts = user_data;
  counts[is_ping ? 1 : 0]++;
}

static const char small_msg[] =
  "OPTIONS sip:a@b SIP/2.0\r\n"
  "Via: SIP/2.0/TCP h;branch=z9hG4bK1\r\n"
  "Content-Length: 3\r\n"
  "\r\n"
  "abc";

static void
test_framer_pipelined (void)
{
  g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
  g_autoptr(GString) stream = g_string_new (NULL);
  g_autoptr(GError) error = NULL;
  guint counts[2] = { 0, 0 };
  guint got = 0;

  g_signal_connect (f, "keepalive-received", G_CALLBACK (count_keepalive), counts);
  g_string_append (stream, "\r\n\r\n");            /* ping */
  g_string_append (stream, small_msg);
  g_string_append (stream, small_msg);
  g_string_append (stream, "\r\n");                /* pong */
  g_string_append (stream, small_msg);

  /* feed it 7 bytes at a time, draining after each push */
  for (gsize off = 0; off < stream->len; off += 7)
    {
      NetSipMessage *m;
      net_sip_stream_framer_push (f, (const guint8 *) stream->str + off, MIN (7, stream->len - off));
      while ((m = net_sip_stream_framer_next (f, &error)))
        {
          g_autoptr(GBytes) body = net_sip_message_get_body (m);
          g_assert_cmpuint (g_bytes_get_size (body), ==, 3);
          got++;
          g_object_unref (m);
        }
      g_assert_no_error (error);
    }
  g_assert_cmpuint (got, ==, 3);
  g_assert_cmpuint (counts[1], ==, 1);
  g_assert_cmpuint (counts[0], ==, 1);
  g_assert_cmpuint (net_sip_stream_framer_get_buffered_size (f), ==, 0);
}

static void
test_framer_errors (void)
{
  g_autoptr(GError) error = NULL;

  {
    g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
    const char *m = "OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n";
    net_sip_stream_framer_push (f, (const guint8 *) m, strlen (m));
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_CONTENT_LENGTH);
    g_clear_error (&error);
    /* the bad message stays there to be answered */
    {
      g_autoptr(GBytes) bad = net_sip_stream_framer_peek (f);
      g_assert_cmpmem (g_bytes_get_data (bad, NULL), g_bytes_get_size (bad), m, strlen (m));
    }
    /* broken for good */
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_nonnull (error);
    g_clear_error (&error);
  }
  {
    g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
    const char *m = "OPTIONS sip:a@b SIP/2.0\r\nl: 5\r\nContent-Length: 6\r\n\r\nabcdef";
    net_sip_stream_framer_push (f, (const guint8 *) m, strlen (m));
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_CONTENT_LENGTH);
    g_clear_error (&error);
  }
  {
    /* framed but not parsable: kept for peek() too */
    g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
    const char *m = "OPTIONS sip:a@b SIP/2.0\r\nbroken header\r\nContent-Length: 0\r\n\r\n";
    g_autoptr(GBytes) bad = NULL;
    net_sip_stream_framer_push (f, (const guint8 *) m, strlen (m));
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_HEADER);
    g_clear_error (&error);
    bad = net_sip_stream_framer_peek (f);
    g_assert_cmpuint (g_bytes_get_size (bad), ==, strlen (m));
  }
  {
    /* header section without end, past the limit */
    g_autoptr(NetSipStreamFramer) f = g_object_new (NET_SIP_TYPE_STREAM_FRAMER, "max-header-size", 100, NULL);
    char junk[64];
    memset (junk, 'x', sizeof junk);
    g_assert_cmpuint (net_sip_stream_framer_get_max_header_size (f), ==, 100);
    net_sip_stream_framer_push (f, (const guint8 *) junk, sizeof junk);
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_no_error (error);
    net_sip_stream_framer_push (f, (const guint8 *) junk, sizeof junk);
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
  {
    /* a body over the limit is refused before it arrives */
    g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
    const char *m = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 1000000\r\n\r\n";
    net_sip_stream_framer_set_max_body_size (f, 1000);
    net_sip_stream_framer_push (f, (const guint8 *) m, strlen (m));
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
    g_clear_error (&error);
  }
  {
    /* waiting for the body is not an error (RFC 4475 clerr on TCP) */
    g_autoptr(NetSipStreamFramer) f = net_sip_stream_framer_new ();
    const char *m = "MESSAGE sip:a@b SIP/2.0\r\nContent-Length: 10\r\n\r\nabc";
    net_sip_stream_framer_push (f, (const guint8 *) m, strlen (m));
    g_assert_null (net_sip_stream_framer_next (f, &error));
    g_assert_no_error (error);
    g_assert_cmpuint (net_sip_stream_framer_get_buffered_size (f), ==, strlen (m));
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/message/headers", test_headers);
  g_test_add_func ("/message/foreach", test_foreach);
  g_test_add_func ("/message/structured", test_structured);
  g_test_add_func ("/message/values-standalone", test_values_standalone);
  g_test_add_func ("/message/values-survive-changes", test_values_survive_changes);
  g_test_add_func ("/message/modify", test_modify);
  g_test_add_func ("/message/build-request", test_build_request);
  g_test_add_func ("/message/create-response", test_create_response);
  g_test_add_func ("/message/create-ack-cancel", test_create_ack_cancel);
  g_test_add_func ("/message/tid-2543", test_tid_2543);
  g_test_add_func ("/message/errors", test_errors);
  g_test_add_func ("/message/regressions", test_regressions);
  g_test_add_func ("/message/limits", test_limits);
  g_test_add_func ("/message/truncated", test_truncated);
  g_test_add_func ("/message/random", test_random);
  g_test_add_func ("/framer/pipelined", test_framer_pipelined);
  g_test_add_func ("/framer/errors", test_framer_errors);

  return g_test_run ();
}
