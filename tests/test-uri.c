/* test-uri.c: NetSipUri unit tests (RFC 3261 §19.1, RFC 3966, RFC 4475,
 * RFC 5118)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib-object.h>

#include "netsip-error.h"
#include "netsip-uri.h"

/* Every parse goes through an exactly sized heap copy that is not
 * NUL-terminated, so that AddressSanitizer or valgrind catch a read past
 * the length. */
static NetSipUri *
parse_len (const char  *text,
           gsize        len,
           GError     **error)
{
  g_autofree char *copy = len > 0 ? g_memdup2 (text, len) : NULL;

  return net_sip_uri_parse (copy, (gssize) len, error);
}

static NetSipUri *
parse_ok (const char *text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) terminated = NULL;
  NetSipUri *uri;

  uri = parse_len (text, strlen (text), &error);
  g_assert_no_error (error);
  g_assert_nonnull (uri);

  /* The same text, NUL-terminated, gives the same URI. */
  terminated = net_sip_uri_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (net_sip_uri_equal (uri, terminated));

  return uri;
}

static void
assert_parse_error_len (const char *text,
                        gsize       len,
                        const char *fragment)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = NULL;

  uri = parse_len (text, len, &error);
  if (uri != NULL)
    {
      g_autofree char *s = net_sip_uri_to_string (uri);
      g_error ("'%s' parsed as '%s', expected an error", text, s);
    }
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
  g_assert_true (g_str_has_prefix (error->message, "URI '"));
  if (fragment != NULL && strstr (error->message, fragment) == NULL)
    g_error ("error for '%s' is '%s', expected it to mention '%s'",
             text, error->message, fragment);
}

static void
assert_parse_error (const char *text,
                    const char *fragment)
{
  assert_parse_error_len (text, strlen (text), fragment);
}

static void
assert_to_string (const NetSipUri *uri,
                  const char      *expected)
{
  g_autofree char *s = net_sip_uri_to_string (uri);

  g_assert_cmpstr (s, ==, expected);
}

/* Parses @text, serialises it and parses that again: the two URIs must
 * be equal and the serialisation stable. */
static void
assert_round_trip (const char *text)
{
  g_autoptr(NetSipUri) uri = parse_ok (text);
  g_autoptr(NetSipUri) again = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *s1 = net_sip_uri_to_string (uri);
  g_autofree char *s2 = NULL;

  again = net_sip_uri_parse (s1, -1, &error);
  g_assert_no_error (error);
  if (!net_sip_uri_equal (uri, again) || !net_sip_uri_equal (again, uri))
    g_error ("'%s' serialised as '%s', which parses to a different URI", text, s1);
  s2 = net_sip_uri_to_string (again);
  g_assert_cmpstr (s1, ==, s2);
}

static gboolean
uris_equal (const char *a,
            const char *b)
{
  g_autoptr(NetSipUri) ua = parse_ok (a);
  g_autoptr(NetSipUri) ub = parse_ok (b);
  gboolean ab = net_sip_uri_equal (ua, ub);

  /* Equality is symmetric. */
  g_assert_cmpint (ab, ==, net_sip_uri_equal (ub, ua));
  return ab;
}

#define assert_equal(a, b) \
  G_STMT_START { \
    if (!uris_equal ((a), (b))) \
      g_error ("expected '%s' == '%s'", (a), (b)); \
  } G_STMT_END

#define assert_not_equal(a, b) \
  G_STMT_START { \
    if (uris_equal ((a), (b))) \
      g_error ("expected '%s' != '%s'", (a), (b)); \
  } G_STMT_END

/* --- Parsing SIP URIs ---------------------------------------------------- */

static void
test_parse_full (void)
{
  g_autoptr(NetSipUri) uri =
    parse_ok ("sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr"
              "?Subject=hi%20there&Priority=urgent");
  const char *value = "unset";

  g_assert_cmpstr (net_sip_uri_get_scheme (uri), ==, "sip");
  g_assert_true (net_sip_uri_is_sip (uri));
  g_assert_false (net_sip_uri_is_sips (uri));
  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "alice");
  g_assert_cmpuint (net_sip_uri_get_user_length (uri), ==, 5);
  g_assert_cmpstr (net_sip_uri_get_password (uri), ==, "secret");
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "atlanta.example.com");
  g_assert_false (net_sip_uri_host_is_ipv6 (uri));
  g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 5070);
  g_assert_null (net_sip_uri_get_opaque (uri));

  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 2);
  g_assert_cmpstr (net_sip_uri_get_param (uri, "transport"), ==, "tcp");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "TRANSPORT"), ==, "tcp");
  g_assert_true (net_sip_uri_has_param (uri, "lr"));
  g_assert_cmpstr (net_sip_uri_get_param (uri, "lr"), ==, "");
  g_assert_false (net_sip_uri_has_param (uri, "maddr"));
  g_assert_null (net_sip_uri_get_param (uri, "maddr"));
  g_assert_cmpstr (net_sip_uri_get_param_nth (uri, 0, &value), ==, "transport");
  g_assert_cmpstr (value, ==, "tcp");
  g_assert_cmpstr (net_sip_uri_get_param_nth (uri, 1, &value), ==, "lr");
  g_assert_null (value);
  g_assert_null (net_sip_uri_get_param_nth (uri, 2, &value));
  g_assert_null (value);

  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 2);
  g_assert_cmpstr (net_sip_uri_get_header (uri, "subject"), ==, "hi there");
  g_assert_cmpstr (net_sip_uri_get_header (uri, "Priority"), ==, "urgent");
  g_assert_null (net_sip_uri_get_header (uri, "transport"));
  g_assert_cmpstr (net_sip_uri_get_header_nth (uri, 1, &value), ==, "Priority");
  g_assert_cmpstr (value, ==, "urgent");
  g_assert_null (net_sip_uri_get_header_nth (uri, 2, &value));
  g_assert_null (value);
  /* Headers are not parameters and the other way round. */
  g_assert_false (net_sip_uri_has_param (uri, "Subject"));

  assert_to_string (uri, "sip:alice:secret@atlanta.example.com:5070;transport=tcp;lr"
                         "?Subject=hi%20there&Priority=urgent");
}

static void
test_parse_minimal (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:example.com");
  g_autoptr(NetSipUri) sips = parse_ok ("SIPS:Example.COM");
  g_autoptr(NetSipUri) empty_pw = parse_ok ("sip:a:@b");

  g_assert_null (net_sip_uri_get_user (uri));
  g_assert_cmpuint (net_sip_uri_get_user_length (uri), ==, 0);
  g_assert_null (net_sip_uri_get_password (uri));
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.com");
  g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 0);
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 0);
  assert_to_string (uri, "sip:example.com");

  g_assert_cmpstr (net_sip_uri_get_scheme (sips), ==, "sips");
  g_assert_true (net_sip_uri_is_sip (sips));
  g_assert_true (net_sip_uri_is_sips (sips));
  g_assert_cmpstr (net_sip_uri_get_host (sips), ==, "Example.COM");
  assert_to_string (sips, "sips:Example.COM");

  g_assert_cmpstr (net_sip_uri_get_user (empty_pw), ==, "a");
  g_assert_cmpstr (net_sip_uri_get_password (empty_pw), ==, "");
  assert_to_string (empty_pw, "sip:a:@b");
}

static void
test_parse_scheme_case (void)
{
  static const struct { const char *text, *scheme; } cases[] = {
    { "SiP:x@y", "sip" },
    { "sIpS:x@y", "sips" },
    { "TEL:+1", "tel" },
    { "HTTP://x/y", "http" },
    { "Urn:service:sos", "urn" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipUri) uri = parse_ok (cases[i].text);

      g_assert_cmpstr (net_sip_uri_get_scheme (uri), ==, cases[i].scheme);
    }
}

/* RFC 4475 §3.1.1.9 semiuri: ';' belongs to the user part before '@'. */
static void
test_parse_semiuri (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:user;par=u%40example.net@example.com");

  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "user;par=u@example.net");
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.com");
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
  g_assert_false (net_sip_uri_has_param (uri, "par"));
  assert_to_string (uri, "sip:user;par=u%40example.net@example.com");
}

/* RFC 4475 §3.1.1.2 intmeth: every user-unreserved and mark character. */
static void
test_parse_intmeth (void)
{
  const char *text = "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*"
                     ":&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com";
  g_autoptr(NetSipUri) uri = parse_ok (text);

  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
  g_assert_cmpstr (net_sip_uri_get_password (uri), ==, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.com");
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 0);
  /* Nothing there needs escaping: the text comes back unchanged. */
  assert_to_string (uri, text);
}

/* RFC 4475 §3.1.1.3 esc01: escapes in user and uri-parameters. */
static void
test_parse_esc01 (void)
{
  g_autoptr(NetSipUri) ruri = parse_ok ("sip:sips%3Auser%40example.com@example.net");
  g_autoptr(NetSipUri) contact = parse_ok ("sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31");
  g_autoptr(NetSipUri) to = parse_ok ("sip:%75se%72@example.com");

  g_assert_cmpstr (net_sip_uri_get_user (ruri), ==, "sips:user@example.com");
  g_assert_cmpstr (net_sip_uri_get_host (ruri), ==, "example.net");
  assert_to_string (ruri, "sip:sips%3Auser%40example.com@example.net");

  g_assert_cmpstr (net_sip_uri_get_user (contact), ==, "caller");
  g_assert_true (net_sip_uri_has_param (contact, "lr"));
  g_assert_cmpstr (net_sip_uri_get_param (contact, "lr"), ==, "");
  /* Decoded once: "%25%34%31" is "%41", not "A". */
  g_assert_cmpstr (net_sip_uri_get_param (contact, "name"), ==, "value%41");
  assert_to_string (contact, "sip:caller@host5.example.net;lr;name=value%2541");

  g_assert_cmpstr (net_sip_uri_get_user (to), ==, "user");
}

static void
test_parse_escape_once (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:%2541:%2542@x;%2543=%2544?%2545=%2546");
  const char *value = NULL;

  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "%41");
  g_assert_cmpstr (net_sip_uri_get_password (uri), ==, "%42");
  g_assert_cmpstr (net_sip_uri_get_param_nth (uri, 0, &value), ==, "%43");
  g_assert_cmpstr (value, ==, "%44");
  g_assert_cmpstr (net_sip_uri_get_header_nth (uri, 0, &value), ==, "%45");
  g_assert_cmpstr (value, ==, "%46");
  assert_to_string (uri, "sip:%2541:%2542@x;%2543=%2544?%2545=%2546");
}

/* RFC 4475 §3.1.1.4 escnull: %00 in the user part is legal and must not
 * truncate it. */
static void
test_parse_escnull (void)
{
  g_autoptr(NetSipUri) aor = parse_ok ("sip:null-%00-null@example.com");
  g_autoptr(NetSipUri) one = parse_ok ("sip:%00@host5.example.com");
  g_autoptr(NetSipUri) two = parse_ok ("sip:%00%00@host5.example.com");

  g_assert_cmpuint (net_sip_uri_get_user_length (aor), ==, 11);
  g_assert_cmpmem (net_sip_uri_get_user (aor), 11, "null-\0-null", 11);
  g_assert_cmpuint (strlen (net_sip_uri_get_user (aor)), ==, 5);
  assert_to_string (aor, "sip:null-%00-null@example.com");

  g_assert_cmpuint (net_sip_uri_get_user_length (one), ==, 1);
  g_assert_cmpuint (net_sip_uri_get_user_length (two), ==, 2);
  g_assert_false (net_sip_uri_equal (one, two));
  assert_not_equal ("sip:null-%00-null@example.com", "sip:null-%00-nulL@example.com");
  assert_equal ("sip:null-%00-null@example.com", "sip:%6Eull-%00-null@example.com");
}

static void
test_parse_bad_escapes (void)
{
  static const char * const cases[] = {
    "sip:a%@b",
    "sip:a%4@b",
    "sip:a%4g@b",
    "sip:a%G1@b",
    "sip:a:p%@b",
    "sip:a@b;x=%",
    "sip:a@b;x=1%",
    "sip:a@b;%zz",
    "sip:a@b?h=%2",
    "sip:a@b?h%=1",
    "tel:+1%2",
    "tel:+1;x=%q1",
    "http://x/%zz",
    "urn:a%",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i], "invalid escape");
}

/* --- Hosts and ports ------------------------------------------------------ */

static void
test_ipv6 (void)
{
  static const struct { const char *text, *host; guint16 port; const char *out; } cases[] = {
    /* RFC 5118 §4.1 ipv6-good */
    { "sip:[2001:db8::10]", "2001:db8::10", 0, "sip:[2001:db8::10]" },
    /* §4.3 port-ambiguous: all inside the brackets is the address */
    { "sip:[2001:db8::10:5070]", "2001:db8::10:5070", 0, "sip:[2001:db8::10:5070]" },
    /* §4.4 port-unambiguous */
    { "sip:[2001:db8::10]:5070", "2001:db8::10", 5070, "sip:[2001:db8::10]:5070" },
    /* §4.9 ipv4-mapped-ipv6 */
    { "sip:ted@[::ffff:192.0.2.2]", "::ffff:192.0.2.2", 0, "sip:ted@[::ffff:192.0.2.2]" },
    /* §4.10 correct and buggy ABNF: three colons read as two */
    { "sip:user@[2001:db8::192.0.2.1]", "2001:db8::192.0.2.1", 0, "sip:user@[2001:db8::192.0.2.1]" },
    { "sip:user@[2001:db8:::192.0.2.1]", "2001:db8::192.0.2.1", 0, "sip:user@[2001:db8::192.0.2.1]" },
    { "sip:[::1];transport=tcp", "::1", 0, "sip:[::1];transport=tcp" },
    { "sips:[::]:5061?h=v", "::", 5061, "sips:[::]:5061?h=v" },
    { "sip:[2001:DB8::A]", "2001:DB8::A", 0, "sip:[2001:DB8::A]" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipUri) uri = parse_ok (cases[i].text);

      g_assert_true (net_sip_uri_host_is_ipv6 (uri));
      g_assert_cmpstr (net_sip_uri_get_host (uri), ==, cases[i].host);
      g_assert_cmpuint (net_sip_uri_get_port (uri), ==, cases[i].port);
      assert_to_string (uri, cases[i].out);
    }

  assert_equal ("sip:user@[2001:db8:::192.0.2.1]", "sip:user@[2001:db8::192.0.2.1]");
  assert_equal ("sip:user@[2001:db8::192.0.2.1]", "sip:user@[2001:db8::c000:201]");
  assert_equal ("sip:[2001:db8::1]", "sip:[2001:DB8:0:0::1]");
  assert_not_equal ("sip:[2001:db8::1]", "sip:[2001:db8::2]");
  assert_not_equal ("sip:[2001:db8::10]", "sip:[2001:db8::10]:5070");
  assert_not_equal ("sip:[::ffff:192.0.2.2]", "sip:192.0.2.2");
}

static void
test_ipv6_errors (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    /* RFC 5118 §4.2 ipv6-bad */
    { "sip:2001:db8::10", "RFC 5118" },
    { "sip:user@2001:db8::10", "RFC 5118" },
    { "sip:user@2001:db8::10;transport=udp", "RFC 5118" },
    { "sip:::1", "RFC 5118" },
    { "sip:[2001:db8::10", "unterminated IPv6" },
    { "sip:user@[::1", "unterminated IPv6" },
    { "sip:[]", "IPv6" },
    { "sip:[2001:db8::g]", "IPv6" },
    { "sip:[1.2.3.4]", "IPv6" },
    { "sip:[:::1]", "IPv6" },
    { "sip:[2001:db8:::1]", "IPv6" },
    { "sip:[2001:db8::::192.0.2.1]", "IPv6" },
    { "sip:[1:2:3:4:5:6:7:8:9]", "IPv6" },
    { "sip:[fe80::1%25eth0]", "IPv6" },
    { "sip:[::1]x", "invalid character 'x'" },
    { "sip:[::1]]", "invalid character ']'" },
    { "sip:[::1]:", "missing port" },
    { "sip:[::1]:99999", "port out of range" },
    { "sip:[[::1]]", "IPv6" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].text, cases[i].fragment);
}

static void
test_ports (void)
{
  static const struct { const char *text; guint16 port; } good[] = {
    { "sip:a@b:1", 1 },
    { "sip:a@b:5060", 5060 },
    { "sip:a@b:05060", 5060 },
    { "sip:a@b:65535", 65535 },
    { "sip:a@b:65535;lr", 65535 },
    { "sip:a@b:80?h=v", 80 },
  };
  static const struct { const char *text, *fragment; } bad[] = {
    { "sip:a@b:0", "port out of range" },
    { "sip:a@b:00000", "port out of range" },
    { "sip:a@b:65536", "port out of range" },
    { "sip:a@b:4294967296", "port out of range" },     /* 2^32: wraps to 0 */
    { "sip:a@b:4294972831", "port out of range" },     /* 2^32 + 5535 */
    { "sip:a@b:18446744073709551617", "port out of range" },
    { "sip:a@b:99999999999999999999999999999999999999999999", "port out of range" },
    { "sip:a@b:", "missing port" },
    { "sip:a@b:;lr", "missing port" },
    { "sip:a@b:12a", "invalid character 'a' at offset 10 in port" },
    { "sip:a@b:-1", "in port" },
    { "sip:a@b:+5", "in port" },
    { "sip:a@b: 5", "in port" },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = NULL;

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(NetSipUri) u = parse_ok (good[i].text);

      g_assert_cmpuint (net_sip_uri_get_port (u), ==, good[i].port);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_error (bad[i].text, bad[i].fragment);

  /* The message format the rest of the library follows. */
  uri = net_sip_uri_parse ("sip:a@b:99999", -1, &error);
  g_assert_null (uri);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
  g_assert_cmpstr (error->message, ==, "URI 'sip:a@b:99999': port out of range");
}

static void
test_hosts (void)
{
  static const char * const good[] = {
    "sip:a@x",
    "sip:a@example.com.",
    "sip:a@a-b.c-d.com",
    "sip:a@EXAMPLE.com",
    "sip:a@192.0.2.1",
    "sip:a@0.0.0.0",
    "sip:a@255.255.255.255",
    "sip:a@1.2.3.4.example",
    "sip:a@123.example.com",
    "sip:a@x1",
  };
  static const struct { const char *text, *fragment; } bad[] = {
    { "sip:a@-foo.com", "label starts or ends with '-'" },
    { "sip:a@foo-.com", "label starts or ends with '-'" },
    { "sip:a@foo..com", "empty label" },
    { "sip:a@.foo", "empty label" },
    { "sip:a@.", "empty label" },
    { "sip:a@foo.com..", "empty label" },
    { "sip:a@foo_bar.com", "invalid character '_'" },
    { "sip:a@1.2.3", "invalid IPv4 address" },
    { "sip:a@256.1.1.1", "invalid IPv4 address" },
    { "sip:a@1.2.3.4.5", "invalid IPv4 address" },
    { "sip:a@1.2.3.4.", "invalid IPv4 address" },
    { "sip:a@0001.2.3.4", "invalid IPv4 address" },
    { "sip:a@123", "invalid IPv4 address" },
    { "sip:a@example.123", "top-level label" },
    { "sip:a@example.1com", "top-level label" },
    { "sip:a@ex ample.com", "invalid character 0x20 at offset 8 in host" },
    { "sip:a@", "missing host" },
    { "sip:a@;lr", "missing host" },
    { "sip:a@?h=v", "missing host" },
    { "sip:a@:5060", "missing host" },
    { "sip:a@b@c", "invalid character '@'" },
    { "sip:a@exa%6dple.com", "invalid character '%'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr(NetSipUri) uri = parse_ok (good[i]);

      g_assert_cmpstr (net_sip_uri_get_host (uri), ==, good[i] + strlen ("sip:a@"));
      g_assert_false (net_sip_uri_host_is_ipv6 (uri));
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    assert_parse_error (bad[i].text, bad[i].fragment);
}

/* --- Parameters and headers ------------------------------------------------ */

static void
test_params (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:a@b;lr;transport=udp;X-Foo=Bar;maddr=239.255.255.1;x=[::1]");
  const char *value = NULL;

  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 5);
  g_assert_true (net_sip_uri_has_param (uri, "LR"));
  g_assert_cmpstr (net_sip_uri_get_param (uri, "lr"), ==, "");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "x-foo"), ==, "Bar");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "MADDR"), ==, "239.255.255.1");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "x"), ==, "[::1]");
  g_assert_cmpstr (net_sip_uri_get_param_nth (uri, 2, &value), ==, "X-Foo");
  g_assert_cmpstr (value, ==, "Bar");
  g_assert_false (net_sip_uri_has_param (uri, "x-fo"));
  g_assert_false (net_sip_uri_has_param (uri, "x-fooo"));
  /* The optional out argument may be NULL. */
  g_assert_cmpstr (net_sip_uri_get_param_nth (uri, 4, NULL), ==, "x");
}

static void
test_param_errors (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    { "sip:a@b;", "empty parameter name at offset 8" },
    { "sip:a@b;;lr", "empty parameter name" },
    { "sip:a@b;=x", "empty parameter name" },
    { "sip:a@b;lr;", "empty parameter name" },
    { "sip:a@b;x=", "parameter 'x' has an empty value" },
    { "sip:a@b;x=;lr", "parameter 'x' has an empty value" },
    { "sip:a@b;lr;LR", "duplicate parameter 'LR'" },
    { "sip:a@b;transport=udp;Transport=tcp", "duplicate parameter" },
    { "sip:a@b;%6cr;lr", "duplicate parameter" },
    { "sip:a@b;x=1=2", "invalid character '='" },
    { "sip:a@b;x=a b", "invalid character 0x20" },
    { "sip:a@b;x=a\"b", "invalid character '\"'" },
    { "sip:a@b;x=a,b", "invalid character ','" },
    { "sip:a@b;x=a@b", "invalid character '@'" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].text, cases[i].fragment);
}

static void
test_headers (void)
{
  /* RFC 4475 §3.3.14 regescrt */
  g_autoptr(NetSipUri) regescrt = parse_ok ("sip:user@example.com?Route=%3Csip:sip.example.com%3E");
  g_autoptr(NetSipUri) multi = parse_ok ("sip:a@b?Route=%3Csip:p1%3E&route=%3Csip:p2%3E&Empty=&body=a%26b%3Dc");
  const char *value = NULL;

  g_assert_cmpuint (net_sip_uri_get_n_headers (regescrt), ==, 1);
  g_assert_cmpstr (net_sip_uri_get_header (regescrt, "route"), ==, "<sip:sip.example.com>");
  assert_to_string (regescrt, "sip:user@example.com?Route=%3Csip:sip.example.com%3E");

  g_assert_cmpuint (net_sip_uri_get_n_headers (multi), ==, 4);
  g_assert_cmpstr (net_sip_uri_get_header (multi, "ROUTE"), ==, "<sip:p1>");
  g_assert_cmpstr (net_sip_uri_get_header_nth (multi, 1, &value), ==, "route");
  g_assert_cmpstr (value, ==, "<sip:p2>");
  g_assert_cmpstr (net_sip_uri_get_header (multi, "empty"), ==, "");
  g_assert_cmpstr (net_sip_uri_get_header (multi, "body"), ==, "a&b=c");
  g_assert_null (net_sip_uri_get_header (multi, "bod"));
  {
    g_autoptr(NetSipUri) q = parse_ok ("sip:a@b?h=1?g");

    /* hnv-unreserved includes '?' */
    g_assert_cmpstr (net_sip_uri_get_header (q, "h"), ==, "1?g");
  }
  assert_to_string (multi, "sip:a@b?Route=%3Csip:p1%3E&route=%3Csip:p2%3E&Empty=&body=a%26b%3Dc");
}

static void
test_header_errors (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    { "sip:a@b?", "empty header name at offset 8" },
    { "sip:a@b?h", "header 'h' has no '='" },
    { "sip:a@b?=v", "empty header name" },
    { "sip:a@b?h=1&", "empty header name" },
    { "sip:a@b?h=1&&g=2", "empty header name" },
    { "sip:a@b?h=<x>", "invalid character '<'" },
    { "sip:a@b?h=a b", "invalid character 0x20" },
    { "sip:a@b?h=a;b", "invalid character ';'" },
    { "sip:a@b;lr?h=1&g", "header 'g' has no '='" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].text, cases[i].fragment);
}

/* --- tel and other schemes ------------------------------------------------- */

static void
test_tel (void)
{
  g_autoptr(NetSipUri) global = parse_ok ("tel:+1-201-555-0123");
  g_autoptr(NetSipUri) local = parse_ok ("tel:7042;phone-context=example.com");
  g_autoptr(NetSipUri) hash = parse_ok ("tel:*123%23;phone-context=+1-201");
  g_autoptr(NetSipUri) ext = parse_ok ("tel:+1-201-555-0123;ext=1234;isub=%41b");

  g_assert_cmpstr (net_sip_uri_get_scheme (global), ==, "tel");
  g_assert_false (net_sip_uri_is_sip (global));
  g_assert_false (net_sip_uri_is_sips (global));
  g_assert_cmpstr (net_sip_uri_get_user (global), ==, "+1-201-555-0123");
  g_assert_cmpuint (net_sip_uri_get_user_length (global), ==, 15);
  g_assert_null (net_sip_uri_get_host (global));
  g_assert_null (net_sip_uri_get_password (global));
  g_assert_null (net_sip_uri_get_opaque (global));
  g_assert_cmpuint (net_sip_uri_get_port (global), ==, 0);
  g_assert_cmpuint (net_sip_uri_get_n_params (global), ==, 0);
  assert_to_string (global, "tel:+1-201-555-0123");

  g_assert_cmpstr (net_sip_uri_get_user (local), ==, "7042");
  g_assert_cmpstr (net_sip_uri_get_param (local, "Phone-Context"), ==, "example.com");
  assert_to_string (local, "tel:7042;phone-context=example.com");

  /* '#' must be escaped in a URI (RFC 3966 §3). */
  g_assert_cmpstr (net_sip_uri_get_user (hash), ==, "*123#");
  g_assert_cmpstr (net_sip_uri_get_param (hash, "phone-context"), ==, "+1-201");
  assert_to_string (hash, "tel:*123%23;phone-context=+1-201");

  g_assert_cmpstr (net_sip_uri_get_param (ext, "ext"), ==, "1234");
  g_assert_cmpstr (net_sip_uri_get_param (ext, "isub"), ==, "Ab");
  g_assert_cmpuint (net_sip_uri_get_n_headers (ext), ==, 0);
}

static void
test_tel_errors (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    { "tel:", "missing telephone number" },
    { "tel:;x=1", "missing telephone number" },
    { "tel:+", "invalid telephone number: no digits" },
    { "tel:+-.()", "invalid telephone number: no digits" },
    { "tel:--", "invalid telephone number: no digits" },
    { "tel:+1a", "invalid telephone number: a global number" },
    { "tel:xyz;phone-context=a.b", "invalid telephone number: a local number" },
    { "tel:12%2a3", NULL },   /* '*' escaped is still '*': valid */
    { "tel:1%00", "invalid telephone number" },
    { "tel:+1 2", "invalid character 0x20" },
    { "tel:+1#2", "invalid character '#'" },
    { "tel:+1?x=y", "invalid character '?'" },
    { "tel:+1;x?y=z", "tel URIs have no headers" },
    { "tel:+1@example.com", "invalid character '@'" },
    { "tel:+1;x;X", "duplicate parameter" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      if (cases[i].fragment == NULL)
        {
          g_autoptr(NetSipUri) uri = parse_ok (cases[i].text);
          g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "12*3");
          continue;
        }
      assert_parse_error (cases[i].text, cases[i].fragment);
    }
}

static void
test_tel_equal (void)
{
  assert_equal ("tel:+1-201-555-0123", "tel:+12015550123");
  assert_equal ("tel:+1-201-555-0123", "tel:+1(201)555.0123");
  assert_equal ("TEL:+1-201-555-0123", "tel:+1-201-555-0123");
  assert_equal ("tel:+86123;X2;x1", "tel:+8.6-1(2)3;x1;x2");
  assert_equal ("tel:7042;phone-context=EXAMPLE.com", "tel:7042;phone-context=example.com");
  assert_equal ("tel:7042;phone-context=+1-201-555", "tel:7042;phone-context=+1201555");
  assert_equal ("tel:ab12;phone-context=x", "tel:AB12;phone-context=x");
  assert_equal ("tel:+1;ext=12", "tel:+1;EXT=%31%32");

  assert_not_equal ("tel:+12015550123", "tel:12015550123;phone-context=x");
  assert_not_equal ("tel:+12015550123", "tel:+12015550124");
  assert_not_equal ("tel:+12015550123", "tel:+120155501234");
  assert_not_equal ("tel:+1;x1", "tel:+1");
  assert_not_equal ("tel:+1;x1", "tel:+1;x1=1");
  assert_not_equal ("tel:+1;x1=1", "tel:+1;x1=2");
  assert_not_equal ("tel:7042;phone-context=a.com", "tel:7042;phone-context=b.com");
  assert_not_equal ("tel:+12015550123", "sip:+12015550123@example.com");
}

static void
test_other_schemes (void)
{
  static const struct { const char *text, *scheme, *opaque, *out; } cases[] = {
    { "http://x/y", "http", "//x/y", "http://x/y" },
    { "urn:service:sos", "urn", "service:sos", "urn:service:sos" },
    { "mailto:", "mailto", "", "mailto:" },
    { "mailto:alice@example.com?subject=hi%20there", "mailto", "alice@example.com?subject=hi%20there",
      "mailto:alice@example.com?subject=hi%20there" },
    /* RFC 4475 §3.3.2 unkscm, §3.3.3 novelsc, §3.3.4 unksm2 */
    { "nobodyKnowsThisScheme:totallyopaquecontent", "nobodyknowsthisscheme", "totallyopaquecontent",
      "nobodyknowsthisscheme:totallyopaquecontent" },
    { "soap.beep://192.0.2.103:3002", "soap.beep", "//192.0.2.103:3002", "soap.beep://192.0.2.103:3002" },
    { "isbn:2983792873", "isbn", "2983792873", "isbn:2983792873" },
    { "name:John_Smith", "name", "John_Smith", "name:John_Smith" },
    { "http://[::1]:8080/a#frag", "http", "//[::1]:8080/a#frag", "http://[::1]:8080/a#frag" },
    { "sipx:a@b", "sipx", "a@b", "sipx:a@b" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipUri) uri = parse_ok (cases[i].text);

      g_assert_cmpstr (net_sip_uri_get_scheme (uri), ==, cases[i].scheme);
      g_assert_cmpstr (net_sip_uri_get_opaque (uri), ==, cases[i].opaque);
      g_assert_false (net_sip_uri_is_sip (uri));
      g_assert_null (net_sip_uri_get_user (uri));
      g_assert_null (net_sip_uri_get_host (uri));
      g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 0);
      g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
      g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 0);
      assert_to_string (uri, cases[i].out);
    }

  assert_equal ("HTTP://x/y", "http://x/y");
  assert_not_equal ("http://x/y", "http://X/y");
  assert_not_equal ("http://x/y", "http://x/%79");
  assert_not_equal ("urn:a", "urx:a");
  assert_not_equal ("urn:a", "urn:a:");
}

static void
test_other_scheme_errors (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    { "http://x y", "invalid character 0x20 at offset 8 in URI" },
    { "http://<x>", "invalid character '<'" },
    { "urn:a\"b", "invalid character '\"'" },
    { "urn:a{b}", "invalid character '{'" },
    { "urn:a\\b", "invalid character '\\'" },
    { "urn:caf\xc3\xa9", "invalid character 0xc3" },
    { "1abc:x", "missing scheme" },
    { "+abc:x", "missing scheme" },
    { ":x", "missing scheme" },
    { "abc", "missing ':' after the scheme" },
    { "a_b:c", "invalid character '_' at offset 1 in scheme" },
    { "a b:c", "invalid character 0x20 at offset 1 in scheme" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].text, cases[i].fragment);
}

/* --- Garbage and input handling -------------------------------------------- */

static void
test_garbage (void)
{
  static const struct { const char *text, *fragment; } cases[] = {
    { "", "empty" },
    { "sip", "missing ':'" },
    { ":", "missing scheme" },
    { "sip:", "missing host" },
    { "sip:@", "empty user part" },
    { "sip:@host", "empty user part" },
    { "sip::pw@host", "empty user part" },
    { "sip:user@", "missing host" },
    { "sip:<user@host>", "invalid character '<' at offset 4 in user part" },
    { "<sip:user@host>", "missing scheme" },
    { "sip:user@host>", "invalid character '>'" },
    { " sip:user@host", "missing scheme" },
    { "sip: user@host", "invalid character 0x20 at offset 4 in user part" },
    { "sip:us er@host", "invalid character 0x20 at offset 6 in user part" },
    { "sip:user@host\r\n", "invalid character 0x0d" },
    { "sip:user@host;lr ", "invalid character 0x20" },
    { "sip:user\t@host", "invalid character 0x09" },
    { "sip:\xc3\xbcser@host", "invalid character 0xc3" },
    { "sip:user:pa:ss@host", "invalid character ':' at offset 11 in password" },
    { "sip:us\"er@host", "invalid character '\"'" },
    { "sip:user@host\x7f", "invalid character 0x7f" },
    { "sip:a#b@host", "invalid character '#'" },
    { "sip:host;lr ;x", "invalid character 0x20" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_parse_error (cases[i].text, cases[i].fragment);
}

static void
test_error_messages (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = NULL;
  g_autoptr(GString) long_text = g_string_new ("sip:");

  /* Non-printable bytes are shown escaped, and the text is quoted. */
  uri = net_sip_uri_parse ("sip:a\x01@b", -1, &error);
  g_assert_null (uri);
  g_assert_cmpstr (error->message, ==,
                   "URI 'sip:a\\x01@b': invalid character 0x01 at offset 5 in user part");
  g_clear_error (&error);

  /* A very long URI is cut in the message. */
  for (int i = 0; i < 1000; i++)
    g_string_append_c (long_text, 'a');
  g_string_append (long_text, "@b:0");
  uri = net_sip_uri_parse (long_text->str, (gssize) long_text->len, &error);
  g_assert_null (uri);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
  g_assert_true (g_str_has_suffix (error->message, "...': port out of range"));
  g_assert_cmpuint (strlen (error->message), <, 300);
  g_clear_error (&error);

  /* error may be NULL. */
  g_assert_null (net_sip_uri_parse ("sip:", -1, NULL));
}

static void
test_length (void)
{
  static const char text[] = "sip:a@example.comXYZ;lr";
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = NULL;

  /* Only the first 17 bytes are the URI. */
  uri = parse_len (text, 17, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.com");
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
  g_clear_pointer (&uri, net_sip_uri_free);

  /* A NUL byte inside the length is an error, not the end. */
  assert_parse_error_len ("sip:a@b\0c", 9, "invalid character 0x00 at offset 7 in host");
  assert_parse_error_len ("sip:a\0@b", 8, "invalid character 0x00 at offset 5 in user part");
  assert_parse_error_len ("sip:a@b;x=\0", 11, "invalid character 0x00");
  assert_parse_error_len ("tel:+1\0", 7, "invalid character 0x00");
  assert_parse_error_len ("urn:\0", 5, "invalid character 0x00");
  assert_parse_error_len ("si\0:a@b", 7, "invalid character 0x00 at offset 2 in scheme");

  /* No text at all. */
  uri = net_sip_uri_parse (NULL, 0, &error);
  g_assert_null (uri);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
  g_assert_cmpstr (error->message, ==, "URI '': empty");
}

/* Every prefix of long URIs, each in an exactly sized heap buffer: no
 * over-read, an error or a URI, and whatever parses serialises to an
 * equal URI. */
static void
check_prefixes (const char *text,
                guint      *n_parsed)
{
  gsize len = strlen (text);

  *n_parsed = 0;
  for (gsize i = 0; i <= len; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipUri) uri = parse_len (text, i, &error);

      if (uri == NULL)
        {
          g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
          continue;
        }
      g_assert_no_error (error);
      (*n_parsed)++;

      {
        g_autofree char *s = net_sip_uri_to_string (uri);
        g_autoptr(NetSipUri) again = net_sip_uri_parse (s, -1, &error);

        g_assert_no_error (error);
        g_assert_true (net_sip_uri_equal (uri, again));
      }
    }
}

static gboolean
prefix_parses (const char *text,
               const char *end_marker,
               gboolean    include_marker)
{
  const char *at = strstr (text, end_marker);
  g_autoptr(NetSipUri) uri = NULL;
  gsize len;

  g_assert_nonnull (at);
  len = (gsize) (at - text) + (include_marker ? strlen (end_marker) : 0);
  uri = parse_len (text, len, NULL);
  return uri != NULL;
}

static void
test_truncation (void)
{
  const char *sip = "sips:alice.o'hara%20x:pa$$@[2001:db8::192.0.2.1]:5061;transport=tls;lr;"
                    "maddr=239.255.255.1;ttl=15;x-%41=%42?Subject=hello%20world&"
                    "Route=%3Csip:p.example.com%3Blr%3E&Empty=";
  const char *tel = "tel:+1-201-555-0123;ext=22;isub=abc;phone-context=example.com";
  const char *other = "http://www.example.com:8080/a/b?c=d&e=%20";
  guint n;

  check_prefixes (sip, &n);
  /* Not the bare scheme nor a partial escape, but these do parse: */
  g_assert_true (prefix_parses (sip, "]", TRUE));
  g_assert_false (prefix_parses (sip, "]:", TRUE));
  g_assert_true (prefix_parses (sip, ":5061", TRUE));
  g_assert_false (prefix_parses (sip, ":5061;", TRUE));
  g_assert_true (prefix_parses (sip, ";lr", TRUE));
  g_assert_false (prefix_parses (sip, "%4", TRUE));
  g_assert_false (prefix_parses (sip, "?", TRUE));
  g_assert_false (prefix_parses (sip, "[2001", TRUE));
  g_assert_true (prefix_parses (sip, "&Empty=", TRUE));
  g_assert_cmpuint (n, >, 40);

  check_prefixes (tel, &n);
  /* "tel:+" fails; every prefix from "tel:+1" on that does not end in
   * ';', '=' or inside "phone-context" without '=' parses. */
  g_assert_true (prefix_parses (tel, "+1", TRUE));
  g_assert_false (prefix_parses (tel, "+1", FALSE));
  g_assert_false (prefix_parses (tel, ";ext=", TRUE));
  g_assert_true (prefix_parses (tel, ";ext=2", TRUE));
  g_assert_cmpuint (n, >, 30);

  check_prefixes (other, &n);
  /* Every prefix from "http:" on parses, the one ending in '%' or "%2"
   * aside. */
  g_assert_cmpuint (n, ==, strlen (other) - strlen ("http") - 2);
}

static const char uri_alphabet[] =
  "sip:tel@[]:;=?&%0123456789abcdefABCDEF.-+_~!*'()$,/<> \"#\t\r\n\x80\xff";

static void
check_random_input (const char *buf,
                    gsize       len)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = parse_len (buf, len, &error);
  g_autoptr(NetSipUri) copy = NULL;
  g_autoptr(NetSipUri) again = NULL;
  g_autofree char *s = NULL;

  if (uri == NULL)
    {
      g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
      return;
    }
  g_assert_no_error (error);

  s = net_sip_uri_to_string (uri);
  again = net_sip_uri_parse (s, -1, &error);
  g_assert_no_error (error);
  if (!net_sip_uri_equal (uri, again) || !net_sip_uri_equal (again, uri))
    {
      g_autofree char *quoted = g_strescape (buf, NULL);
      g_error ("'%s' serialised as '%s' does not round-trip", quoted, s);
    }
  copy = net_sip_uri_copy (uri);
  g_assert_true (net_sip_uri_equal (uri, copy));
}

static void
test_random (void)
{
  static const char * const prefixes[] = {
    "sip:", "sips:", "tel:", "tel:+1", "sip:a@b", "sip:a@[::1]", "urn:", "",
  };
  char buf[128];

  /* Bounded: 20000 URI-like inputs and 5000 random byte strings. The seed
   * is GTest's (--seed to replay). */
  for (int i = 0; i < 20000; i++)
    {
      const char *prefix = prefixes[g_test_rand_int_range (0, G_N_ELEMENTS (prefixes))];
      gsize len = strlen (prefix);
      gsize extra = (gsize) g_test_rand_int_range (0, 40);

      memcpy (buf, prefix, len);
      for (gsize j = 0; j < extra; j++)
        buf[len + j] = uri_alphabet[g_test_rand_int_range (0, sizeof uri_alphabet - 1)];
      buf[len + extra] = '\0';
      check_random_input (buf, len + extra);
    }

  for (int i = 0; i < 5000; i++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, 64);

      for (gsize j = 0; j < len; j++)
        buf[j] = (char) g_test_rand_int_range (0, 256);
      buf[len] = '\0';
      check_random_input (buf, len);
    }
}

/* Arbitrary byte values (1 to 255) in every component, set through the
 * setters: to_string() must escape exactly what each component cannot
 * hold, so that parsing gives back the same bytes. */
static char *
random_bytes (gsize min_len,
              gsize max_len)
{
  gsize len = (gsize) g_test_rand_int_range ((gint32) min_len, (gint32) max_len + 1);
  char *s = g_malloc (len + 1);

  for (gsize i = 0; i < len; i++)
    {
      /* Half the time from the interesting ASCII punctuation */
      if (g_test_rand_bit ())
        s[i] = "%;?@:&=+$,/[]<> \"#'()*~_-."[g_test_rand_int_range (0, 26)];
      else
        s[i] = (char) g_test_rand_int_range (1, 256);
    }
  s[len] = '\0';
  return s;
}

static void
test_random_values (void)
{
  for (int iter = 0; iter < 2000; iter++)
    {
      g_autoptr(NetSipUri) uri = net_sip_uri_new (g_test_rand_bit () ? "sip" : "sips", NULL, "example.com", 0);
      g_autoptr(NetSipUri) parsed = NULL;
      g_autoptr(GError) error = NULL;
      g_autofree char *user = random_bytes (1, 12);
      g_autofree char *text = NULL;
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) values = g_ptr_array_new_with_free_func (g_free);
      guint n_params = (guint) g_test_rand_int_range (0, 4);
      guint n_headers = (guint) g_test_rand_int_range (0, 4);

      net_sip_uri_set_user (uri, user);
      net_sip_uri_set_port (uri, (guint16) g_test_rand_int_range (0, 65536));
      for (guint k = 0; k < n_params + n_headers; k++)
        {
          g_autofree char *tail = random_bytes (0, 8);
          /* A distinct first letter keeps names distinct whatever the case */
          char *name = g_strdup_printf ("%c%s", 'a' + k, tail);
          char *value = k < n_params && g_test_rand_int_range (0, 4) == 0 ? NULL : random_bytes (k < n_params ? 1 : 0, 10);

          if (k < n_params)
            net_sip_uri_set_param (uri, name, value);
          else
            net_sip_uri_set_header (uri, name, value);
          g_ptr_array_add (names, name);
          g_ptr_array_add (values, value);
        }

      text = net_sip_uri_to_string (uri);
      parsed = net_sip_uri_parse (text, -1, &error);
      g_assert_no_error (error);
      g_assert_true (net_sip_uri_equal (uri, parsed));
      g_assert_cmpstr (net_sip_uri_get_user (parsed), ==, user);
      g_assert_cmpuint (net_sip_uri_get_port (parsed), ==, net_sip_uri_get_port (uri));
      g_assert_cmpuint (net_sip_uri_get_n_params (parsed), ==, n_params);
      g_assert_cmpuint (net_sip_uri_get_n_headers (parsed), ==, n_headers);
      for (guint k = 0; k < n_params + n_headers; k++)
        {
          const char *value = NULL;
          const char *name = k < n_params ? net_sip_uri_get_param_nth (parsed, k, &value)
                                          : net_sip_uri_get_header_nth (parsed, k - n_params, &value);

          g_assert_cmpstr (name, ==, names->pdata[k]);
          g_assert_cmpstr (value, ==, values->pdata[k]);
        }
    }
}

/* --- Equality (RFC 3261 §19.1.4) ------------------------------------------ */

static void
test_equal_rfc3261 (void)
{
  /* The equivalent URIs listed in RFC 3261 §19.1.4 */
  assert_equal ("sip:%61lice@atlanta.com;transport=TCP", "sip:alice@AtLanTa.CoM;Transport=tcp");
  assert_equal ("SIP:carol@chicago.com", "sip:carol@chicago.com;newparam=5");
  assert_equal ("SIP:carol@chicago.com", "sip:carol@chicago.com;security=on");
  assert_equal ("sip:carol@chicago.com;newparam=5", "sip:carol@chicago.com;security=on");
  assert_equal ("sip:biloxi.com;transport=tcp;method=REGISTER?to=sip:bob%40biloxi.com",
                "sip:biloxi.com;method=REGISTER;transport=tcp?to=sip:bob%40biloxi.com");
  assert_equal ("sip:alice@atlanta.com?subject=project%20x&priority=urgent",
                "sip:alice@atlanta.com?priority=urgent&subject=project%20x");

  /* The non-equivalent ones */
  assert_not_equal ("SIP:ALICE@AtLanTa.CoM;Transport=udp", "sip:alice@AtLanTa.CoM;Transport=UDP");
  assert_not_equal ("sip:bob@biloxi.com", "sip:bob@biloxi.com:5060");
  assert_not_equal ("sip:bob@biloxi.com", "sip:bob@biloxi.com;transport=udp");
  assert_not_equal ("sip:bob@biloxi.com", "sip:bob@biloxi.com:6000;transport=tcp");
  assert_not_equal ("sip:carol@chicago.com", "sip:carol@chicago.com?Subject=next%20meeting");
  assert_not_equal ("sip:bob@phone21.boxesbybob.com", "sip:bob@192.0.2.4");

  /* "Equality is not transitive" */
  assert_equal ("sip:carol@chicago.com", "sip:carol@chicago.com;security=on");
  assert_equal ("sip:carol@chicago.com", "sip:carol@chicago.com;security=off");
  assert_not_equal ("sip:carol@chicago.com;security=on", "sip:carol@chicago.com;security=off");
}

static void
test_equal_more (void)
{
  /* Scheme */
  assert_not_equal ("sip:alice@atlanta.com", "sips:alice@atlanta.com");
  assert_equal ("SIPS:alice@atlanta.com", "sips:alice@atlanta.com");
  assert_not_equal ("sip:alice@atlanta.com", "tel:+1");

  /* Userinfo: case-sensitive, escapes equal what they encode */
  assert_not_equal ("sip:Alice@atlanta.com", "sip:alice@atlanta.com");
  assert_equal ("sip:%41lice@atlanta.com", "sip:Alice@atlanta.com");
  assert_equal ("sip:a%3bb@x", "sip:a;b@x");
  assert_not_equal ("sip:a:pw@x", "sip:a:PW@x");
  assert_not_equal ("sip:a:pw@x", "sip:a@x");
  assert_not_equal ("sip:a:@x", "sip:a@x");
  assert_equal ("sip:a:p%77@x", "sip:a:pw@x");
  assert_not_equal ("sip:a@x", "sip:x");

  /* Host: case-insensitive; trailing dot is a different name */
  assert_equal ("sip:a@EXAMPLE.com", "sip:a@example.COM");
  assert_not_equal ("sip:a@example.com", "sip:a@example.com.");
  assert_not_equal ("sip:a@example.com", "sip:a@example.co");

  /* Port */
  assert_equal ("sip:a@x:5060", "sip:a@x:05060");
  assert_not_equal ("sip:a@x:5060", "sip:a@x:5061");
  assert_not_equal ("sips:a@x", "sips:a@x:5061");

  /* Parameters that must be in both, or neither */
  assert_not_equal ("sip:abc.com;user=phone", "sip:abc.com");
  assert_not_equal ("sip:abc.com;user=phone", "sip:abc.com;user=ip");
  assert_not_equal ("sip:abc.com", "sip:abc.com;ttl=10");
  assert_not_equal ("sip:abc.com;ttl=11", "sip:abc.com;ttl=10");
  assert_not_equal ("sip:abc.com", "sip:abc.com;method=INVITE");
  assert_not_equal ("sip:abc.com", "sip:abc.com;maddr=239.255.255.1");
  assert_not_equal ("sip:abc.com;MADDR=1.2.3.4", "sip:abc.com;maddr=1.2.3.5");
  assert_equal ("sip:abc.com;METHOD=invite", "sip:abc.com;method=INVITE");
  assert_equal ("sip:abc.com;maddr=%31.2.3.4", "sip:abc.com;maddr=1.2.3.4");

  /* Other parameters: compared when in both, case-insensitive */
  assert_equal ("sip:a@x;lr", "sip:a@x");
  assert_equal ("sip:a@x;lr", "sip:a@x;LR");
  assert_not_equal ("sip:a@x;lr", "sip:a@x;lr=on");
  assert_equal ("sip:a@x;foo=BAR;lr", "sip:a@x;lr;FOO=bar");
  assert_not_equal ("sip:a@x;foo=bar", "sip:a@x;foo=baz");

  /* Headers: all in both, any order, names case-insensitive, values
   * exact (decoded) */
  assert_equal ("sip:a@x?Subject=hi&Priority=urgent", "sip:a@x?priority=urgent&subject=hi");
  assert_equal ("sip:a@x?Subject=h%69", "sip:a@x?Subject=hi");
  assert_not_equal ("sip:a@x?Subject=hi", "sip:a@x?Subject=HI");
  assert_not_equal ("sip:a@x?Route=a&Route=b", "sip:a@x?Route=a&Route=a");
  assert_equal ("sip:a@x?Route=a&Route=b", "sip:a@x?Route=b&Route=a");
  assert_not_equal ("sip:a@x?Route=a", "sip:a@x?Route=a&Route=a");
  assert_not_equal ("sip:a@x?h=", "sip:a@x");

  /* Hostnames never equal addresses; IPv4 is not IPv6 */
  assert_not_equal ("sip:a@192.0.2.1", "sip:a@[::ffff:192.0.2.1]");
}

static void
test_round_trip (void)
{
  static const char * const cases[] = {
    "sip:alice@atlanta.com",
    "sips:bob:secret@biloxi.example.com:5061;transport=tls;lr?Subject=hi%20there",
    "sip:user;par=u%40example.net@example.com",
    "sip:null-%00-null@example.com",
    "sip:%00%00@host5.example.com",
    "sip:sips%3Auser%40example.com@example.net",
    "sip:cal%6Cer@host5.example.net;%6C%72;n%61me=v%61lue%25%34%31",
    "sip:1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*:&it+has=1,weird!*pas$wo~d_too.(doesn't-it)@example.com",
    "sip:[2001:db8::10]:5070",
    "sip:user@[2001:db8:::192.0.2.1]",
    "sip:user@example.com?Route=%3Csip:sip.example.com%3E",
    "sip:a@b;x=%3B%3D%3F%40%26%25%20?h=%26%3D%3B%25%0D%0A",
    "sip:%C3%BC%FF%01@b",
    "sip:a@b?a=&b=&c=",
    "tel:+1-201-555-0123;ext=22",
    "tel:*123%23;phone-context=+1-201",
    "urn:service:sos",
    "nobodyKnowsThisScheme:totallyopaquecontent",
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    assert_round_trip (cases[i]);
}

static void
test_to_string_canonical (void)
{
  static const struct { const char *in, *out; } cases[] = {
    { "SIP:%61lice@AtLanTa.CoM;Transport=TCP", "sip:alice@AtLanTa.CoM;Transport=TCP" },
    /* Escapes of characters that need none are dropped, hex is upper case */
    { "sip:%7euser@x;%6cr", "sip:~user@x;lr" },
    { "sip:a%2fb@x", "sip:a/b@x" },
    { "sip:a%3ab@x", "sip:a%3Ab@x" },
    { "sip:a:b%3ac@x", "sip:a:b%3Ac@x" },
    { "sip:a:%3b@x", "sip:a:%3B@x" },
    { "sip:a@x;p=%3a%5b%5d", "sip:a@x;p=:[]" },
    { "sip:a@x;p=%3b", "sip:a@x;p=%3B" },
    { "sip:a@x?h=%3f%3a%2f", "sip:a@x?h=?:/" },
    { "sip:a@x?h=%26", "sip:a@x?h=%26" },
    { "tel:%2B1-201", "tel:+1-201" },
    { "sip:a@[2001:db8:::192.0.2.1]:5060", "sip:a@[2001:db8::192.0.2.1]:5060" },
    { "sip:a@x:00080", "sip:a@x:80" },
    { "URN:Service:SOS", "urn:Service:SOS" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipUri) uri = parse_ok (cases[i].in);

      assert_to_string (uri, cases[i].out);
    }
}

/* --- Construction, setters, copies --------------------------------------- */

static void
test_new (void)
{
  g_autoptr(NetSipUri) alice = net_sip_uri_new ("sip", "alice", "atlanta.com", 0);
  g_autoptr(NetSipUri) v6 = net_sip_uri_new ("SIPS", NULL, "[2001:db8::1]", 5061);
  g_autoptr(NetSipUri) v6_bare = net_sip_uri_new ("sip", "bob", "2001:db8::1", 0);
  g_autoptr(NetSipUri) v6_colons = net_sip_uri_new ("sip", NULL, "2001:db8:::192.0.2.1", 0);
  g_autoptr(NetSipUri) tel = net_sip_uri_new ("tel", "+1-201-555-0123", NULL, 0);
  g_autoptr(NetSipUri) odd = net_sip_uri_new ("sip", "a b:c@d%", "x", 0);
  g_autoptr(NetSipUri) no_user = net_sip_uri_new ("sip", "", "x", 0);

  assert_to_string (alice, "sip:alice@atlanta.com");
  g_assert_cmpstr (net_sip_uri_get_scheme (alice), ==, "sip");
  g_assert_cmpuint (net_sip_uri_get_user_length (alice), ==, 5);

  g_assert_true (net_sip_uri_is_sips (v6));
  g_assert_true (net_sip_uri_host_is_ipv6 (v6));
  g_assert_cmpstr (net_sip_uri_get_host (v6), ==, "2001:db8::1");
  g_assert_cmpuint (net_sip_uri_get_port (v6), ==, 5061);
  assert_to_string (v6, "sips:[2001:db8::1]:5061");

  g_assert_true (net_sip_uri_host_is_ipv6 (v6_bare));
  assert_to_string (v6_bare, "sip:bob@[2001:db8::1]");
  assert_to_string (v6_colons, "sip:[2001:db8::192.0.2.1]");

  g_assert_cmpstr (net_sip_uri_get_user (tel), ==, "+1-201-555-0123");
  g_assert_null (net_sip_uri_get_host (tel));
  assert_to_string (tel, "tel:+1-201-555-0123");

  g_assert_cmpstr (net_sip_uri_get_user (odd), ==, "a b:c@d%");
  assert_to_string (odd, "sip:a%20b%3Ac%40d%25@x");

  g_assert_null (net_sip_uri_get_user (no_user));
  assert_to_string (no_user, "sip:x");
}

static void
test_new_invalid (void)
{
  NetSipUri *uri;

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*scheme 'http' is not sip, sips or tel*");
  uri = net_sip_uri_new ("http", NULL, "x", 0);
  g_test_assert_expected_messages ();
  g_assert_null (uri);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid host 'bad host'*");
  uri = net_sip_uri_new ("sip", "a", "bad host", 0);
  g_test_assert_expected_messages ();
  g_assert_null (uri);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid host '2001:db8:::1'*");
  uri = net_sip_uri_new ("sip", "a", "2001:db8:::1", 0);
  g_test_assert_expected_messages ();
  g_assert_null (uri);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid telephone number 'abc!'*");
  uri = net_sip_uri_new ("tel", "abc!", NULL, 0);
  g_test_assert_expected_messages ();
  g_assert_null (uri);

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*host != NULL*");
  uri = net_sip_uri_new ("sip", "a", NULL, 0);
  g_test_assert_expected_messages ();
  g_assert_null (uri);
}

static void
test_setters (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:alice:pw@atlanta.com;transport=tcp;lr?h=1&H=2&g=3");

  net_sip_uri_set_user (uri, "bob");
  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "bob");
  g_assert_cmpstr (net_sip_uri_get_password (uri), ==, "pw");
  assert_to_string (uri, "sip:bob:pw@atlanta.com;transport=tcp;lr?h=1&H=2&g=3");

  net_sip_uri_set_user (uri, "a b;c@d");
  assert_to_string (uri, "sip:a%20b;c%40d:pw@atlanta.com;transport=tcp;lr?h=1&H=2&g=3");

  /* Removing the user removes the password too. */
  net_sip_uri_set_user (uri, NULL);
  g_assert_null (net_sip_uri_get_user (uri));
  g_assert_null (net_sip_uri_get_password (uri));
  assert_to_string (uri, "sip:atlanta.com;transport=tcp;lr?h=1&H=2&g=3");

  net_sip_uri_set_host (uri, "[::1]");
  g_assert_true (net_sip_uri_host_is_ipv6 (uri));
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "::1");
  net_sip_uri_set_host (uri, "2001:db8::1");
  g_assert_true (net_sip_uri_host_is_ipv6 (uri));
  assert_to_string (uri, "sip:[2001:db8::1];transport=tcp;lr?h=1&H=2&g=3");
  net_sip_uri_set_host (uri, "Example.ORG");
  g_assert_false (net_sip_uri_host_is_ipv6 (uri));
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "Example.ORG");

  net_sip_uri_set_port (uri, 5061);
  g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 5061);
  assert_to_string (uri, "sip:Example.ORG:5061;transport=tcp;lr?h=1&H=2&g=3");
  net_sip_uri_set_port (uri, 0);
  g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 0);

  /* Parameters: replaced in place, new ones last. */
  net_sip_uri_set_param (uri, "Transport", "udp");
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 2);
  g_assert_cmpstr (net_sip_uri_get_param (uri, "transport"), ==, "udp");
  net_sip_uri_set_param (uri, "maddr", "239.255.255.1");
  net_sip_uri_set_param (uri, "x", "");
  net_sip_uri_set_param (uri, "y", "a;b=c");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "x"), ==, "");
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;maddr=239.255.255.1;x;y=a%3Bb%3Dc?h=1&H=2&g=3");
  net_sip_uri_set_param (uri, "lr", "on");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "lr"), ==, "on");
  net_sip_uri_set_param (uri, "lr", NULL);
  g_assert_cmpstr (net_sip_uri_get_param (uri, "lr"), ==, "");

  g_assert_true (net_sip_uri_remove_param (uri, "MADDR"));
  g_assert_false (net_sip_uri_remove_param (uri, "maddr"));
  g_assert_false (net_sip_uri_has_param (uri, "maddr"));
  g_assert_true (net_sip_uri_remove_param (uri, "y"));
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 3);
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;x?h=1&H=2&g=3");

  /* Headers: one of a name after a set, at the first's place. */
  net_sip_uri_set_header (uri, "h", "a&b");
  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 2);
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;x?h=a%26b&g=3");
  net_sip_uri_set_header (uri, "Subject", "");
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;x?h=a%26b&g=3&Subject=");
  net_sip_uri_set_header (uri, "G", NULL);
  net_sip_uri_set_header (uri, "nothing", NULL);
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;x?h=a%26b&Subject=");
  net_sip_uri_set_header (uri, "H", NULL);
  net_sip_uri_set_header (uri, "subject", NULL);
  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 0);
  assert_to_string (uri, "sip:Example.ORG;Transport=udp;lr;x");
}

static void
test_setters_tel (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("tel:+1-201-555-0123");

  net_sip_uri_set_user (uri, "7042");
  net_sip_uri_set_param (uri, "phone-context", "example.com");
  assert_to_string (uri, "tel:7042;phone-context=example.com");

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid telephone number 'x'*");
  net_sip_uri_set_user (uri, "x");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "7042");

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*URI_KIND_SIP*");
  net_sip_uri_set_host (uri, "example.com");
  g_test_assert_expected_messages ();
  g_assert_null (net_sip_uri_get_host (uri));
}

static void
test_setters_invalid (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:a@example.com");
  g_autoptr(NetSipUri) other = parse_ok ("urn:service:sos");

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid host 'a b'*");
  net_sip_uri_set_host (uri, "a b");
  g_test_assert_expected_messages ();
  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*invalid host '[::1'*");
  net_sip_uri_set_host (uri, "[::1");
  g_test_assert_expected_messages ();
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.com");

  g_test_expect_message (G_LOG_DOMAIN, G_LOG_LEVEL_CRITICAL, "*URI_KIND_OTHER*");
  net_sip_uri_set_param (other, "lr", NULL);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (net_sip_uri_get_n_params (other), ==, 0);
  assert_to_string (other, "urn:service:sos");
}

/* Setters given strings that the same URI returned. */
static void
test_setters_alias (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:alice@atlanta.example.com;transport=tcp?Subject=x");
  const char *value = NULL;
  const char *name;

  net_sip_uri_set_user (uri, net_sip_uri_get_host (uri));
  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "atlanta.example.com");
  net_sip_uri_set_host (uri, net_sip_uri_get_param (uri, "transport"));
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "tcp");
  name = net_sip_uri_get_param_nth (uri, 0, &value);
  net_sip_uri_set_param (uri, value, name);
  g_assert_cmpstr (net_sip_uri_get_param (uri, "tcp"), ==, "transport");
  name = net_sip_uri_get_header_nth (uri, 0, &value);
  net_sip_uri_set_header (uri, value, name);
  g_assert_cmpstr (net_sip_uri_get_header (uri, "x"), ==, "Subject");
  /* The same string as both arguments */
  net_sip_uri_set_header (uri, net_sip_uri_get_user (uri), net_sip_uri_get_user (uri));
  g_assert_cmpstr (net_sip_uri_get_header (uri, "atlanta.example.com"), ==, "atlanta.example.com");
  assert_to_string (uri, "sip:atlanta.example.com@tcp;transport=tcp;tcp=transport"
                         "?Subject=x&x=Subject&atlanta.example.com=atlanta.example.com");

  /* Again once the strings live in a heap buffer that the setter has to
   * replace (and free) to make room: the arguments must be read before. */
  {
    g_autofree char *big = g_strnfill (3000, 'x');

    net_sip_uri_set_param (uri, "big", big);
    net_sip_uri_set_user (uri, net_sip_uri_get_param (uri, "big"));
    g_assert_true (g_str_equal (net_sip_uri_get_user (uri), big));
    net_sip_uri_set_header (uri, net_sip_uri_get_user (uri), net_sip_uri_get_param (uri, "big"));
    g_assert_true (g_str_equal (net_sip_uri_get_header (uri, big), big));
    net_sip_uri_set_param (uri, net_sip_uri_get_header_nth (uri, 3, NULL), net_sip_uri_get_user (uri));
    g_assert_true (g_str_equal (net_sip_uri_get_param (uri, big), big));
    net_sip_uri_set_host (uri, net_sip_uri_get_param (uri, "tcp"));
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "transport");
  }
}

/* Many modifications: the buffer is compacted as it grows and every value
 * stays right. */
static void
test_setters_many (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:a@b");

  for (guint i = 0; i < 5000; i++)
    {
      g_autofree char *user = g_strdup_printf ("user%u", i);
      g_autofree char *value = g_strdup_printf ("%u", i * 7);
      g_autofree char *name = g_strdup_printf ("p%u", i % 50);

      net_sip_uri_set_user (uri, user);
      net_sip_uri_set_param (uri, name, value);
      net_sip_uri_set_header (uri, "Subject", value);
      if (i % 3 == 0)
        net_sip_uri_remove_param (uri, "p0");
    }

  g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "user4999");
  /* p0 was last set at i = 4950, which removed it right after. */
  g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 49);
  g_assert_false (net_sip_uri_has_param (uri, "p0"));
  g_assert_cmpstr (net_sip_uri_get_param (uri, "p1"), ==, "34657");
  g_assert_cmpstr (net_sip_uri_get_param (uri, "p49"), ==, "34993");
  for (guint k = 1; k < 50; k++)
    {
      g_autofree char *name = g_strdup_printf ("p%u", k);
      g_autofree char *value = g_strdup_printf ("%u", (4950 + k) * 7);

      g_assert_cmpstr (net_sip_uri_get_param (uri, name), ==, value);
    }
  g_assert_cmpuint (net_sip_uri_get_n_headers (uri), ==, 1);
  g_assert_cmpstr (net_sip_uri_get_header (uri, "subject"), ==, "34993");
  g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "b");
}

static void
test_copy (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:alice:pw@atlanta.com:5060;transport=tcp;lr?Subject=hi");
  g_autoptr(NetSipUri) copy = net_sip_uri_copy (uri);
  g_autoptr(GString) many = g_string_new ("sip:a@b");
  g_autoptr(NetSipUri) big = NULL;
  g_autoptr(NetSipUri) big_copy = NULL;

  g_assert_true (net_sip_uri_equal (uri, copy));
  assert_to_string (copy, "sip:alice:pw@atlanta.com:5060;transport=tcp;lr?Subject=hi");

  net_sip_uri_set_user (copy, "bob");
  net_sip_uri_set_host (copy, "[::1]");
  net_sip_uri_set_port (copy, 0);
  net_sip_uri_set_param (copy, "transport", "udp");
  net_sip_uri_remove_param (copy, "lr");
  net_sip_uri_set_header (copy, "Subject", "bye");
  assert_to_string (copy, "sip:bob:pw@[::1];transport=udp?Subject=bye");
  /* The original is untouched. */
  assert_to_string (uri, "sip:alice:pw@atlanta.com:5060;transport=tcp;lr?Subject=hi");
  g_assert_false (net_sip_uri_equal (uri, copy));

  /* More pairs than a parsed URI holds in its own allocation */
  for (int i = 0; i < 100; i++)
    g_string_append_printf (many, ";p%d=%d", i, i);
  for (int i = 0; i < 70; i++)
    g_string_append_printf (many, "%ch%d=%d", i == 0 ? '?' : '&', i, i);
  big = parse_ok (many->str);
  g_assert_cmpuint (net_sip_uri_get_n_params (big), ==, 100);
  g_assert_cmpuint (net_sip_uri_get_n_headers (big), ==, 70);
  g_assert_cmpstr (net_sip_uri_get_param (big, "p99"), ==, "99");
  g_assert_cmpstr (net_sip_uri_get_header (big, "h69"), ==, "69");
  big_copy = net_sip_uri_copy (big);
  g_assert_true (net_sip_uri_equal (big, big_copy));
  assert_to_string (big_copy, many->str);
  net_sip_uri_set_param (big_copy, "p100", "x");
  g_assert_cmpuint (net_sip_uri_get_n_params (big_copy), ==, 101);
  g_assert_cmpuint (net_sip_uri_get_n_params (big), ==, 100);
}

static void
test_boxed (void)
{
  g_autoptr(NetSipUri) uri = parse_ok ("sip:alice@atlanta.com");
  g_auto(GValue) value = G_VALUE_INIT;
  NetSipUri *boxed;

  g_assert_true (G_TYPE_IS_BOXED (NET_SIP_TYPE_URI));
  g_assert_cmpstr (g_type_name (NET_SIP_TYPE_URI), ==, "NetSipUri");

  boxed = g_boxed_copy (NET_SIP_TYPE_URI, uri);
  g_assert_true (boxed != uri);
  g_assert_true (net_sip_uri_equal (boxed, uri));
  g_boxed_free (NET_SIP_TYPE_URI, boxed);

  g_value_init (&value, NET_SIP_TYPE_URI);
  g_value_set_boxed (&value, uri);
  g_assert_true (g_value_get_boxed (&value) != uri);
  g_assert_true (net_sip_uri_equal (g_value_get_boxed (&value), uri));

  net_sip_uri_free (NULL);
}

/* --- Request-URIs of the RFC 4475 / RFC 5118 torture corpus -------------- */

static char *
corpus_path (const char *name)
{
  g_autofree char *file = g_strconcat (name, ".sip", NULL);

#ifdef NETSIP_TEST_CORPUS
  return g_build_filename (NETSIP_TEST_CORPUS, "torture", file, NULL);
#else
  return g_test_build_filename (G_TEST_DIST, "corpus", "torture", file, NULL);
#endif
}

/* The Request-URI of a corpus message: the second SP-separated element of
 * its first line, in an exactly sized buffer. */
static NetSipUri *
parse_request_uri (const char  *name,
                   GError     **error)
{
  g_autofree char *path = corpus_path (name);
  g_autofree char *contents = NULL;
  g_autoptr(GError) local_error = NULL;
  const char *start, *end;
  gsize len;

  if (!g_file_get_contents (path, &contents, &len, &local_error))
    g_error ("%s: %s", path, local_error->message);
  start = memchr (contents, ' ', len);
  g_assert_nonnull (start);
  start++;
  end = memchr (start, ' ', len - (gsize) (start - contents));
  g_assert_nonnull (end);

  return parse_len (start, (gsize) (end - start), error);
}

static void
test_corpus (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *probe = corpus_path ("esc01");

#ifndef NETSIP_TEST_CORPUS
  if (!g_file_test (probe, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("torture corpus not found (set G_TEST_SRCDIR)");
      return;
    }
#endif

  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("esc01", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "sips:user@example.com");
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "example.net");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("semiuri", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "user;par=u@example.net");
    g_assert_cmpuint (net_sip_uri_get_n_params (uri), ==, 0);
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("intmeth", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_user (uri), ==, "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*");
    g_assert_cmpstr (net_sip_uri_get_password (uri), ==, "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("wsinv", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_param (uri, "unknownparam"), ==, "");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("escruri", &error);
    g_assert_no_error (error);
    /* Headers are legal in a URI; refusing them in a Request-URI is the
     * message layer's call (RFC 4475 §3.1.2.11). */
    g_assert_cmpstr (net_sip_uri_get_header (uri, "Route"), ==, "<sip:example.com>");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("ipv6-good", &error);
    g_assert_no_error (error);
    g_assert_true (net_sip_uri_host_is_ipv6 (uri));
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "2001:db8::10");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("ipv6-bad", &error);
    g_assert_null (uri);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
    g_clear_error (&error);
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("port-ambiguous", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "2001:db8::10:5070");
    g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 0);
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("port-unambiguous", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_host (uri), ==, "2001:db8::10");
    g_assert_cmpuint (net_sip_uri_get_port (uri), ==, 5070);
  }
  {
    g_autoptr(NetSipUri) three = parse_request_uri ("ipv6-bug-abnf-3-colons", &error);
    g_autoptr(NetSipUri) two = NULL;

    g_assert_no_error (error);
    two = parse_request_uri ("ipv6-correct-abnf-2-colons", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_host (three), ==, "2001:db8::192.0.2.1");
    g_assert_true (net_sip_uri_equal (three, two));
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("unkscm", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_scheme (uri), ==, "nobodyknowsthisscheme");
    g_assert_cmpstr (net_sip_uri_get_opaque (uri), ==, "totallyopaquecontent");
  }
  {
    g_autoptr(NetSipUri) uri = parse_request_uri ("novelsc", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_uri_get_scheme (uri), ==, "soap.beep");
    g_assert_cmpstr (net_sip_uri_get_opaque (uri), ==, "//192.0.2.103:3002");
  }
  {
    /* ltgtruri: "<sip:user@example.com>" is not a URI */
    g_autoptr(NetSipUri) uri = parse_request_uri ("ltgtruri", &error);
    g_assert_null (uri);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
    g_clear_error (&error);
  }
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/uri/parse/full", test_parse_full);
  g_test_add_func ("/uri/parse/minimal", test_parse_minimal);
  g_test_add_func ("/uri/parse/scheme-case", test_parse_scheme_case);
  g_test_add_func ("/uri/parse/semiuri", test_parse_semiuri);
  g_test_add_func ("/uri/parse/intmeth", test_parse_intmeth);
  g_test_add_func ("/uri/parse/esc01", test_parse_esc01);
  g_test_add_func ("/uri/parse/escape-once", test_parse_escape_once);
  g_test_add_func ("/uri/parse/escnull", test_parse_escnull);
  g_test_add_func ("/uri/parse/bad-escapes", test_parse_bad_escapes);
  g_test_add_func ("/uri/parse/ipv6", test_ipv6);
  g_test_add_func ("/uri/parse/ipv6-errors", test_ipv6_errors);
  g_test_add_func ("/uri/parse/ports", test_ports);
  g_test_add_func ("/uri/parse/hosts", test_hosts);
  g_test_add_func ("/uri/parse/params", test_params);
  g_test_add_func ("/uri/parse/param-errors", test_param_errors);
  g_test_add_func ("/uri/parse/headers", test_headers);
  g_test_add_func ("/uri/parse/header-errors", test_header_errors);
  g_test_add_func ("/uri/parse/tel", test_tel);
  g_test_add_func ("/uri/parse/tel-errors", test_tel_errors);
  g_test_add_func ("/uri/parse/other-schemes", test_other_schemes);
  g_test_add_func ("/uri/parse/other-scheme-errors", test_other_scheme_errors);
  g_test_add_func ("/uri/parse/garbage", test_garbage);
  g_test_add_func ("/uri/parse/error-messages", test_error_messages);
  g_test_add_func ("/uri/parse/length", test_length);
  g_test_add_func ("/uri/parse/truncation", test_truncation);
  g_test_add_func ("/uri/parse/random", test_random);
  g_test_add_func ("/uri/parse/corpus", test_corpus);
  g_test_add_func ("/uri/equal/rfc3261", test_equal_rfc3261);
  g_test_add_func ("/uri/equal/more", test_equal_more);
  g_test_add_func ("/uri/equal/tel", test_tel_equal);
  g_test_add_func ("/uri/to-string/round-trip", test_round_trip);
  g_test_add_func ("/uri/to-string/canonical", test_to_string_canonical);
  g_test_add_func ("/uri/to-string/random-values", test_random_values);
  g_test_add_func ("/uri/new", test_new);
  g_test_add_func ("/uri/new-invalid", test_new_invalid);
  g_test_add_func ("/uri/setters", test_setters);
  g_test_add_func ("/uri/setters-tel", test_setters_tel);
  g_test_add_func ("/uri/setters-invalid", test_setters_invalid);
  g_test_add_func ("/uri/setters-alias", test_setters_alias);
  g_test_add_func ("/uri/setters-many", test_setters_many);
  g_test_add_func ("/uri/copy", test_copy);
  g_test_add_func ("/uri/boxed", test_boxed);

  return g_test_run ();
}
