/* test-sdp.c: NetSipSdp (RFC 4566) unit tests
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <glib.h>

#include "netsip-glib/netsip-sdp.h"
#include "netsip-glib/netsip-error.h"

#ifndef NETSIP_TEST_CORPUS
# error "NETSIP_TEST_CORPUS must name the corpus directory"
#endif

/* The corpus messages whose bodies are SDP. */
static const char * const corpus_files[] = {
  "realistic/06-invite-sdp-uac.sip",
  "realistic/07-invite-sdp-proxied.sip",
  "realistic/13-200-invite-sdp.sip",
  "realistic/16-200-update.sip",
  "realistic/28-200-options.sip",
  "torture/ipv6-in-sdp.sip",
  "torture/mult-ip-in-sdp.sip",
  "torture/ipv4-mapped-ipv6.sip",
  "torture/sdp01.sip",
};

/* ---------------------------------------------------------------------- */
/* Helpers                                                                 */

/* An exactly sized heap copy, not NUL-terminated, so that ASan and
 * valgrind see any read past the end. */
static GBytes *
bytes_exact (const void *data,
             gsize       len)
{
  return g_bytes_new_take (g_memdup2 (data, len), len);
}

static GBytes *
bytes_from_string (const char *text)
{
  return bytes_exact (text, strlen (text));
}

/* The body of a corpus message: everything after the first empty line
 * (@separator is "\r\n\r\n" for the wire form, "\n\n" for the RFC 5118
 * archive form). */
static GBytes *
load_body_sep (const char *relpath,
               const char *separator)
{
  g_autofree char *path = g_build_filename (NETSIP_TEST_CORPUS, relpath, NULL);
  g_autofree char *contents = NULL;
  g_autoptr(GError) error = NULL;
  gsize len, sep_len = strlen (separator);
  const char *end;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);

  end = NULL;
  for (gsize i = 0; i + sep_len <= len; i++)
    if (memcmp (contents + i, separator, sep_len) == 0)
      {
        end = contents + i + sep_len;
        break;
      }
  g_assert_nonnull (end);
  return bytes_exact (end, len - (gsize) (end - contents));
}

static GBytes *
load_body (const char *relpath)
{
  return load_body_sep (relpath, "\r\n\r\n");
}

static NetSipSdp *
parse_ok (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  NetSipSdp *sdp = net_sip_sdp_parse (bytes, &error);

  g_assert_no_error (error);
  g_assert_true (NET_SIP_IS_SDP (sdp));
  return sdp;
}

static NetSipSdp *
parse_text (const char *text)
{
  g_autoptr(GBytes) bytes = bytes_from_string (text);

  return parse_ok (bytes);
}

static NetSipSdp *
parse_corpus (const char *relpath)
{
  g_autoptr(GBytes) bytes = load_body (relpath);

  return parse_ok (bytes);
}

static char *
to_text (NetSipSdp *sdp)
{
  g_autoptr(GBytes) bytes = net_sip_sdp_to_bytes (sdp);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  g_assert_null (memchr (data, '\0', len));
  return g_strndup (data, len);
}

static void
assert_formats (NetSipSdp          *sdp,
                guint               index,
                const char * const *expected)
{
  const char * const *formats = net_sip_sdp_get_media_formats (sdp, index);

  g_assert_nonnull (formats);
  g_assert_cmpuint (g_strv_length ((char **) formats), ==, g_strv_length ((char **) expected));
  for (guint i = 0; expected[i] != NULL; i++)
    g_assert_cmpstr (formats[i], ==, expected[i]);
}

static void
assert_rtpmap (NetSipSdp  *sdp,
               guint       index,
               const char *pt,
               const char *name,
               guint       clock_rate,
               guint       channels)
{
  g_autofree char *encoding = NULL;
  guint clock = G_MAXUINT, n_channels = G_MAXUINT;

  g_assert_true (net_sip_sdp_get_media_rtpmap (sdp, index, pt, &encoding, &clock, &n_channels));
  g_assert_cmpstr (encoding, ==, name);
  g_assert_cmpuint (clock, ==, clock_rate);
  g_assert_cmpuint (n_channels, ==, channels);
}

static void
assert_connection (NetSipSdp  *sdp,
                   const char *addrtype,
                   const char *address)
{
  const char *type = NULL, *addr = NULL;
  int ttl = 0;
  guint n = 0;

  if (address == NULL)
    {
      g_assert_false (net_sip_sdp_get_connection (sdp, &type, &addr, &ttl, &n));
      g_assert_null (type);
      g_assert_null (addr);
      g_assert_cmpint (ttl, ==, -1);
      g_assert_cmpuint (n, ==, 0);
      return;
    }
  g_assert_true (net_sip_sdp_get_connection (sdp, &type, &addr, &ttl, &n));
  g_assert_cmpstr (type, ==, addrtype);
  g_assert_cmpstr (addr, ==, address);
  g_assert_cmpint (ttl, ==, -1);
  g_assert_cmpuint (n, ==, 1);
}

static void
assert_media_connection (NetSipSdp  *sdp,
                         guint       index,
                         const char *addrtype,
                         const char *address)
{
  const char *type = NULL, *addr = NULL;

  if (address == NULL)
    {
      g_assert_false (net_sip_sdp_get_media_connection (sdp, index, &type, &addr, NULL, NULL));
      g_assert_null (addr);
      return;
    }
  g_assert_true (net_sip_sdp_get_media_connection (sdp, index, &type, &addr, NULL, NULL));
  g_assert_cmpstr (type, ==, addrtype);
  g_assert_cmpstr (addr, ==, address);
}

static void
assert_origin (NetSipSdp  *sdp,
               const char *username,
               const char *session_id,
               const char *session_version,
               const char *addrtype,
               const char *address)
{
  g_assert_cmpstr (net_sip_sdp_get_origin_username (sdp), ==, username);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_id (sdp), ==, session_id);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (sdp), ==, session_version);
  g_assert_cmpstr (net_sip_sdp_get_origin_nettype (sdp), ==, "IN");
  g_assert_cmpstr (net_sip_sdp_get_origin_addrtype (sdp), ==, addrtype);
  g_assert_cmpstr (net_sip_sdp_get_origin_address (sdp), ==, address);
}

static void
assert_time (NetSipSdp *sdp,
             guint64    start,
             guint64    stop)
{
  guint64 s = 1, e = 1;

  g_assert_cmpuint (net_sip_sdp_get_n_times (sdp), ==, 1);
  net_sip_sdp_get_time (sdp, 0, &s, &e);
  g_assert_cmpuint (s, ==, start);
  g_assert_cmpuint (e, ==, stop);
}

static void
assert_error (GError     *error,
              const char *expected)
{
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
  g_assert_true (g_str_has_prefix (error->message, "SDP"));
  if (strstr (error->message, expected) == NULL)
    g_error ("error message \"%s\" does not contain \"%s\"", error->message, expected);
}

/* Every value the API exposes is the same in @a and @b. */
static void
assert_sdp_equal (NetSipSdp *a,
                  NetSipSdp *b)
{
  const char *ta, *tb, *aa, *ab;
  int ttl_a, ttl_b;
  guint n_a, n_b;

  g_assert_cmpuint (net_sip_sdp_get_version (a), ==, net_sip_sdp_get_version (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_username (a), ==, net_sip_sdp_get_origin_username (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_session_id (a), ==, net_sip_sdp_get_origin_session_id (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (a), ==, net_sip_sdp_get_origin_session_version (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_nettype (a), ==, net_sip_sdp_get_origin_nettype (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_addrtype (a), ==, net_sip_sdp_get_origin_addrtype (b));
  g_assert_cmpstr (net_sip_sdp_get_origin_address (a), ==, net_sip_sdp_get_origin_address (b));
  g_assert_cmpstr (net_sip_sdp_get_session_name (a), ==, net_sip_sdp_get_session_name (b));
  g_assert_cmpstr (net_sip_sdp_get_information (a), ==, net_sip_sdp_get_information (b));

  g_assert_cmpint (net_sip_sdp_get_connection (a, &ta, &aa, &ttl_a, &n_a), ==,
                   net_sip_sdp_get_connection (b, &tb, &ab, &ttl_b, &n_b));
  g_assert_cmpstr (ta, ==, tb);
  g_assert_cmpstr (aa, ==, ab);
  g_assert_cmpint (ttl_a, ==, ttl_b);
  g_assert_cmpuint (n_a, ==, n_b);

  g_assert_cmpuint (net_sip_sdp_get_n_bandwidths (a), ==, net_sip_sdp_get_n_bandwidths (b));
  for (guint i = 0; i < net_sip_sdp_get_n_bandwidths (a); i++)
    {
      guint64 va, vb;

      g_assert_cmpstr (net_sip_sdp_get_bandwidth_nth (a, i, &va), ==,
                       net_sip_sdp_get_bandwidth_nth (b, i, &vb));
      g_assert_cmpuint (va, ==, vb);
    }

  g_assert_cmpuint (net_sip_sdp_get_n_times (a), ==, net_sip_sdp_get_n_times (b));
  for (guint i = 0; i < net_sip_sdp_get_n_times (a); i++)
    {
      guint64 sa, sb, ea, eb;

      net_sip_sdp_get_time (a, i, &sa, &ea);
      net_sip_sdp_get_time (b, i, &sb, &eb);
      g_assert_cmpuint (sa, ==, sb);
      g_assert_cmpuint (ea, ==, eb);
    }

  g_assert_cmpuint (net_sip_sdp_get_n_attributes (a), ==, net_sip_sdp_get_n_attributes (b));
  for (guint i = 0; i < net_sip_sdp_get_n_attributes (a); i++)
    {
      const char *va, *vb;

      g_assert_cmpstr (net_sip_sdp_get_attribute_nth (a, i, &va), ==,
                       net_sip_sdp_get_attribute_nth (b, i, &vb));
      g_assert_cmpstr (va, ==, vb);
    }
  g_assert_cmpint (net_sip_sdp_get_direction (a), ==, net_sip_sdp_get_direction (b));

  g_assert_cmpuint (net_sip_sdp_get_n_media (a), ==, net_sip_sdp_get_n_media (b));
  for (guint m = 0; m < net_sip_sdp_get_n_media (a); m++)
    {
      const char * const *formats = net_sip_sdp_get_media_formats (a, m);

      g_assert_cmpstr (net_sip_sdp_get_media_type (a, m), ==, net_sip_sdp_get_media_type (b, m));
      g_assert_cmpuint (net_sip_sdp_get_media_port (a, m), ==, net_sip_sdp_get_media_port (b, m));
      g_assert_cmpuint (net_sip_sdp_get_media_n_ports (a, m), ==, net_sip_sdp_get_media_n_ports (b, m));
      g_assert_cmpstr (net_sip_sdp_get_media_proto (a, m), ==, net_sip_sdp_get_media_proto (b, m));
      assert_formats (b, m, formats);
      g_assert_cmpstr (net_sip_sdp_get_media_information (a, m), ==,
                       net_sip_sdp_get_media_information (b, m));

      g_assert_cmpint (net_sip_sdp_get_media_connection (a, m, &ta, &aa, &ttl_a, &n_a), ==,
                       net_sip_sdp_get_media_connection (b, m, &tb, &ab, &ttl_b, &n_b));
      g_assert_cmpstr (ta, ==, tb);
      g_assert_cmpstr (aa, ==, ab);
      g_assert_cmpint (ttl_a, ==, ttl_b);
      g_assert_cmpuint (n_a, ==, n_b);
      g_assert_cmpstr (net_sip_sdp_get_media_address (a, m), ==, net_sip_sdp_get_media_address (b, m));
      g_assert_cmpstr (net_sip_sdp_get_media_addrtype (a, m), ==, net_sip_sdp_get_media_addrtype (b, m));

      g_assert_cmpuint (net_sip_sdp_get_media_n_bandwidths (a, m), ==,
                        net_sip_sdp_get_media_n_bandwidths (b, m));
      for (guint i = 0; i < net_sip_sdp_get_media_n_bandwidths (a, m); i++)
        {
          guint64 va, vb;

          g_assert_cmpstr (net_sip_sdp_get_media_bandwidth_nth (a, m, i, &va), ==,
                           net_sip_sdp_get_media_bandwidth_nth (b, m, i, &vb));
          g_assert_cmpuint (va, ==, vb);
        }

      g_assert_cmpuint (net_sip_sdp_get_media_n_attributes (a, m), ==,
                        net_sip_sdp_get_media_n_attributes (b, m));
      for (guint i = 0; i < net_sip_sdp_get_media_n_attributes (a, m); i++)
        {
          const char *va, *vb;

          g_assert_cmpstr (net_sip_sdp_get_media_attribute_nth (a, m, i, &va), ==,
                           net_sip_sdp_get_media_attribute_nth (b, m, i, &vb));
          g_assert_cmpstr (va, ==, vb);
        }
      g_assert_cmpint (net_sip_sdp_get_media_direction (a, m), ==,
                       net_sip_sdp_get_media_direction (b, m));

      for (guint f = 0; formats[f] != NULL; f++)
        {
          g_autofree char *ea = NULL, *eb = NULL;
          guint ca = 0, cb = 0, cha = 0, chb = 0;

          g_assert_cmpint (net_sip_sdp_get_media_rtpmap (a, m, formats[f], &ea, &ca, &cha), ==,
                           net_sip_sdp_get_media_rtpmap (b, m, formats[f], &eb, &cb, &chb));
          g_assert_cmpstr (ea, ==, eb);
          g_assert_cmpuint (ca, ==, cb);
          g_assert_cmpuint (cha, ==, chb);
          g_assert_cmpstr (net_sip_sdp_get_media_fmtp (a, m, formats[f]), ==,
                           net_sip_sdp_get_media_fmtp (b, m, formats[f]));
        }
    }
}

/* Serializing, parsing the output and serializing again gives the same
 * octets, and the same values. */
static void
assert_stable (NetSipSdp *sdp)
{
  g_autoptr(GBytes) first = net_sip_sdp_to_bytes (sdp);
  g_autoptr(GBytes) copy = bytes_exact (g_bytes_get_data (first, NULL), g_bytes_get_size (first));
  g_autoptr(NetSipSdp) again = parse_ok (copy);
  g_autoptr(GBytes) second = net_sip_sdp_to_bytes (again);

  g_assert_true (g_bytes_equal (first, second));
  assert_sdp_equal (sdp, again);
}

/* ---------------------------------------------------------------------- */
/* Corpus                                                                  */

static void
test_corpus_invite_uac (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/06-invite-sdp-uac.sip");
  static const char * const formats[] = { "0", "8", "101", NULL };
  g_auto(GStrv) rtpmaps = NULL;
  const char *value = "unset";

  g_assert_cmpuint (net_sip_sdp_get_version (sdp), ==, 0);
  assert_origin (sdp, "alice", "3724394400", "3724394400", "IP4", "192.0.2.10");
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "-");
  g_assert_null (net_sip_sdp_get_information (sdp));
  assert_connection (sdp, "IP4", "192.0.2.10");
  assert_time (sdp, 0, 0);
  g_assert_cmpuint (net_sip_sdp_get_n_bandwidths (sdp), ==, 0);
  g_assert_cmpuint (net_sip_sdp_get_n_attributes (sdp), ==, 0);

  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 0), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 49170);
  g_assert_cmpuint (net_sip_sdp_get_media_n_ports (sdp, 0), ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_proto (sdp, 0), ==, "RTP/AVP");
  assert_formats (sdp, 0, formats);
  assert_media_connection (sdp, 0, NULL, NULL);
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "192.0.2.10");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 0), ==, "IP4");

  assert_rtpmap (sdp, 0, "0", "PCMU", 8000, 1);
  assert_rtpmap (sdp, 0, "8", "PCMA", 8000, 1);
  assert_rtpmap (sdp, 0, "101", "telephone-event", 8000, 1);
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "10", NULL, NULL, NULL));
  g_assert_cmpstr (net_sip_sdp_get_media_fmtp (sdp, 0, "101"), ==, "0-16");
  g_assert_null (net_sip_sdp_get_media_fmtp (sdp, 0, "10"));
  g_assert_null (net_sip_sdp_get_media_fmtp (sdp, 0, "0"));

  g_assert_cmpuint (net_sip_sdp_get_media_n_attributes (sdp, 0), ==, 6);
  g_assert_cmpstr (net_sip_sdp_get_media_attribute_nth (sdp, 0, 0, &value), ==, "rtpmap");
  g_assert_cmpstr (value, ==, "0 PCMU/8000");
  g_assert_cmpstr (net_sip_sdp_get_media_attribute_nth (sdp, 0, 5, &value), ==, "sendrecv");
  g_assert_null (value);
  g_assert_cmpstr (net_sip_sdp_get_media_attribute (sdp, 0, "ptime"), ==, "20");
  g_assert_true (net_sip_sdp_has_media_attribute (sdp, 0, "sendrecv"));
  g_assert_null (net_sip_sdp_get_media_attribute (sdp, 0, "sendrecv"));
  g_assert_false (net_sip_sdp_has_media_attribute (sdp, 0, "rtcp"));
  rtpmaps = net_sip_sdp_get_media_attribute_values (sdp, 0, "rtpmap");
  g_assert_cmpuint (g_strv_length (rtpmaps), ==, 3);
  g_assert_cmpstr (rtpmaps[0], ==, "0 PCMU/8000");
  g_assert_cmpstr (rtpmaps[1], ==, "8 PCMA/8000");
  g_assert_cmpstr (rtpmaps[2], ==, "101 telephone-event/8000");
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
}

static void
test_corpus_invite_proxied (void)
{
  /* The proxy does not touch the body: same SDP as the UAC sent. */
  g_autoptr(NetSipSdp) uac = parse_corpus ("realistic/06-invite-sdp-uac.sip");
  g_autoptr(NetSipSdp) proxied = parse_corpus ("realistic/07-invite-sdp-proxied.sip");
  g_autoptr(GBytes) a = net_sip_sdp_to_bytes (uac);
  g_autoptr(GBytes) b = net_sip_sdp_to_bytes (proxied);

  assert_sdp_equal (uac, proxied);
  g_assert_true (g_bytes_equal (a, b));
  g_assert_cmpuint (net_sip_sdp_get_media_port (proxied, 0), ==, 49170);
}

static void
test_corpus_200_invite (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/13-200-invite-sdp.sip");
  static const char * const formats[] = { "0", "101", NULL };

  assert_origin (sdp, "bob", "1617283940", "1617283940", "IP4", "198.51.100.20");
  assert_connection (sdp, "IP4", "198.51.100.20");
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 0), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 31000);
  assert_formats (sdp, 0, formats);
  assert_rtpmap (sdp, 0, "101", "telephone-event", 8000, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_fmtp (sdp, 0, "101"), ==, "0-16");
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
}

static void
test_corpus_200_update (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/16-200-update.sip");

  /* The answer to a hold re-offer: version bumped, a=recvonly */
  assert_origin (sdp, "bob", "1617283940", "1617283941", "IP4", "198.51.100.20");
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_RECVONLY);
  g_assert_cmpint (net_sip_sdp_get_direction (sdp), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 31000);
}

static void
test_corpus_200_options (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/28-200-options.sip");
  static const char * const audio[] = { "0", "8", "9", "101", NULL };
  static const char * const video[] = { "96", NULL };

  assert_origin (sdp, "bob", "1617284000", "1617284000", "IP4", "198.51.100.20");
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 0), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 0);
  assert_formats (sdp, 0, audio);
  assert_rtpmap (sdp, 0, "9", "G722", 8000, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 1), ==, "video");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 0);
  assert_formats (sdp, 1, video);
  assert_rtpmap (sdp, 1, "96", "H264", 90000, 1);
  /* rtpmap is per medium */
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 1, "101", NULL, NULL, NULL));
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 1), ==, "198.51.100.20");
}

static void
test_corpus_ipv6_in_sdp (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/ipv6-in-sdp.sip");
  static const char * const audio[] = { "2", NULL };
  static const char * const video[] = { "107", NULL };

  /* RFC 5118 §4.6: no brackets around IPv6 in SDP */
  assert_origin (sdp, "assistant", "971731711378798081", "0", "IP6", "2001:db8::20");
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "Live video feed for today's meeting");
  assert_connection (sdp, "IP6", "2001:db8::20");
  assert_time (sdp, G_GUINT64_CONSTANT (3338481189), G_GUINT64_CONSTANT (3370017201));

  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 0), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 6000);
  g_assert_cmpstr (net_sip_sdp_get_media_proto (sdp, 0), ==, "RTP/AVP");
  assert_formats (sdp, 0, audio);
  assert_rtpmap (sdp, 0, "2", "G726-32", 8000, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 1), ==, "video");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 6024);
  assert_formats (sdp, 1, video);
  assert_rtpmap (sdp, 1, "107", "H263-1998", 90000, 1);
  for (guint i = 0; i < 2; i++)
    {
      assert_media_connection (sdp, i, NULL, NULL);
      g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, i), ==, "2001:db8::20");
      g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, i), ==, "IP6");
    }
}

static void
test_corpus_mult_ip_in_sdp (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/mult-ip-in-sdp.sip");

  /* RFC 5118 §4.8: no session-level c=, one per medium, different
   * families; the origin address is a domain name; s= is empty. */
  assert_origin (sdp, "bob", "280744730", "28977631", "IP4", "host.example.com");
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "");
  assert_connection (sdp, NULL, NULL);
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);

  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 0), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 22334);
  assert_media_connection (sdp, 0, "IP4", "192.0.2.1");
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "192.0.2.1");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 0), ==, "IP4");
  /* No rtpmap for 0: the RFC 3551 static payload type */
  assert_rtpmap (sdp, 0, "0", "PCMU", 8000, 1);

  g_assert_cmpstr (net_sip_sdp_get_media_type (sdp, 1), ==, "video");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 6024);
  assert_media_connection (sdp, 1, "IP6", "2001:db8::1");
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 1), ==, "2001:db8::1");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 1), ==, "IP6");
  assert_rtpmap (sdp, 1, "107", "H263-1998", 90000, 1);
}

static void
test_corpus_ipv4_mapped (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/ipv4-mapped-ipv6.sip");

  assert_origin (sdp, "assistant", "971731711378798081", "0", "IP6", "::ffff:192.0.2.2");
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "Call me soon, please!");
  assert_connection (sdp, "IP6", "::ffff:192.0.2.2");
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "::ffff:192.0.2.2");
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 1), ==, "::ffff:192.0.2.2");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 6024);
}

static void
test_corpus_sdp01 (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/sdp01.sip");
  static const char * const audio[] = { "0", "12", NULL };
  static const char * const video[] = { "31", NULL };

  assert_origin (sdp, "mhandley", "29739", "7272939", "IP4", "192.0.2.5");
  assert_connection (sdp, "IP4", "192.0.2.5");
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 49217);
  assert_formats (sdp, 0, audio);
  assert_rtpmap (sdp, 0, "0", "PCMU", 8000, 1);
  assert_rtpmap (sdp, 0, "12", "QCELP", 8000, 1);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 3227);
  assert_formats (sdp, 1, video);
  /* "a=rtpmap:31 LPC": the attribute wins over the static H261, and it
   * has no clock rate */
  assert_rtpmap (sdp, 1, "31", "LPC", 0, 1);
}

static void
test_corpus_lf_line_ends (void)
{
  /* The RFC 5118 archive form ends lines with bare LF: same values and,
   * once written with CRLF, the same octets as the wire form. */
  static const char * const names[] = { "ipv6-in-sdp", "mult-ip-in-sdp", "ipv4-mapped-ipv6" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *archive = g_strdup_printf ("torture/archive/rfc5118/%s", names[i]);
      g_autofree char *wire = g_strdup_printf ("torture/%s.sip", names[i]);
      g_autoptr(GBytes) lf_body = load_body_sep (archive, "\n\n");
      g_autoptr(GBytes) crlf_body = load_body (wire);
      g_autoptr(NetSipSdp) lf = parse_ok (lf_body);
      g_autoptr(NetSipSdp) crlf = parse_ok (crlf_body);
      g_autoptr(GBytes) out = net_sip_sdp_to_bytes (lf);

      g_assert_null (memchr (g_bytes_get_data (lf_body, NULL), '\r', g_bytes_get_size (lf_body)));
      assert_sdp_equal (lf, crlf);
      g_assert_true (g_bytes_equal (out, crlf_body));
    }
}

/* ---------------------------------------------------------------------- */
/* Round trip                                                              */

static void
test_round_trip_corpus (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (corpus_files); i++)
    {
      g_autoptr(GBytes) body = load_body (corpus_files[i]);
      g_autoptr(NetSipSdp) sdp = parse_ok (body);
      g_autoptr(GBytes) out = net_sip_sdp_to_bytes (sdp);

      /* The corpus bodies are already canonical: octet for octet. */
      if (!g_bytes_equal (out, body))
        g_error ("%s: serialization differs from the input", corpus_files[i]);
      assert_stable (sdp);
    }
}

static const char reorder_input[] =
  "v=0\n"
  "o=jdoe 2890844526 2890842807 IN IP4 198.51.100.5\n"
  "s=SDP Seminar\n"
  "a=recvonly\n"
  "i=A Seminar on the session description protocol\n"
  "u=http://www.example.com/seminars/sdp.pdf\n"
  "e=j.doe@example.com (Jane Doe)\n"
  "p=+1 617 555-6011\n"
  "c=IN IP4 224.2.17.12/127\n"
  "t=2873397496 2873404696\n"
  "r=7d 1h 0 25h\n"
  "b=CT:128\n"
  "t=0 0\n"
  "z=2882844526 -1h 2898848070 0\n"
  "k=prompt\n"
  "m=audio 49170 RTP/AVP 0\n"
  "a=rtpmap:0 PCMU/8000\n"
  "i=voice\n"
  "b=AS:64\n"
  "c=IN IP4 224.2.17.12/127/2\n"
  "m=video 51372/2 RTP/AVP 99\n"
  "a=rtpmap:99 h263-1998/90000\n"
  "a=foo:\n"
  "k=clear:secret\n"
  "a=sendonly\n";

static const char reorder_output[] =
  "v=0\r\n"
  "o=jdoe 2890844526 2890842807 IN IP4 198.51.100.5\r\n"
  "s=SDP Seminar\r\n"
  "i=A Seminar on the session description protocol\r\n"
  "u=http://www.example.com/seminars/sdp.pdf\r\n"
  "e=j.doe@example.com (Jane Doe)\r\n"
  "p=+1 617 555-6011\r\n"
  "c=IN IP4 224.2.17.12/127\r\n"
  "b=CT:128\r\n"
  "t=2873397496 2873404696\r\n"
  "r=7d 1h 0 25h\r\n"
  "t=0 0\r\n"
  "z=2882844526 -1h 2898848070 0\r\n"
  "k=prompt\r\n"
  "a=recvonly\r\n"
  "m=audio 49170 RTP/AVP 0\r\n"
  "i=voice\r\n"
  "c=IN IP4 224.2.17.12/127/2\r\n"
  "b=AS:64\r\n"
  "a=rtpmap:0 PCMU/8000\r\n"
  "m=video 51372/2 RTP/AVP 99\r\n"
  "k=clear:secret\r\n"
  "a=rtpmap:99 h263-1998/90000\r\n"
  "a=foo:\r\n"
  "a=sendonly\r\n";

static void
test_round_trip_reorder (void)
{
  g_autoptr(NetSipSdp) sdp = parse_text (reorder_input);
  g_autofree char *text = to_text (sdp);
  g_autoptr(NetSipSdp) again = parse_text (text);
  g_autofree char *text2 = to_text (again);
  guint64 value = 0, start = 1, stop = 1;
  const char *addrtype = NULL, *address = NULL;
  int ttl = 0;
  guint n = 0;

  /* Canonical order, CRLF, and every line kept (u e p z k r included) */
  g_assert_cmpstr (text, ==, reorder_output);
  g_assert_cmpstr (text2, ==, reorder_output);
  assert_sdp_equal (sdp, again);

  g_assert_cmpstr (net_sip_sdp_get_information (sdp), ==,
                   "A Seminar on the session description protocol");
  g_assert_cmpuint (net_sip_sdp_get_n_times (sdp), ==, 2);
  net_sip_sdp_get_time (sdp, 0, &start, &stop);
  g_assert_cmpuint (start, ==, G_GUINT64_CONSTANT (2873397496));
  g_assert_cmpuint (stop, ==, G_GUINT64_CONSTANT (2873404696));
  net_sip_sdp_get_time (sdp, 1, &start, &stop);
  g_assert_cmpuint (start, ==, 0);
  g_assert_cmpuint (stop, ==, 0);
  g_assert_true (net_sip_sdp_get_bandwidth (sdp, "CT", &value));
  g_assert_cmpuint (value, ==, 128);
  g_assert_false (net_sip_sdp_get_bandwidth (sdp, "AS", NULL));

  /* IPv4 multicast: TTL, then number of addresses */
  g_assert_true (net_sip_sdp_get_connection (sdp, &addrtype, &address, &ttl, &n));
  g_assert_cmpstr (addrtype, ==, "IP4");
  g_assert_cmpstr (address, ==, "224.2.17.12");
  g_assert_cmpint (ttl, ==, 127);
  g_assert_cmpuint (n, ==, 1);
  g_assert_true (net_sip_sdp_get_media_connection (sdp, 0, NULL, &address, &ttl, &n));
  g_assert_cmpstr (address, ==, "224.2.17.12");
  g_assert_cmpint (ttl, ==, 127);
  g_assert_cmpuint (n, ==, 2);

  g_assert_cmpstr (net_sip_sdp_get_media_information (sdp, 0), ==, "voice");
  g_assert_null (net_sip_sdp_get_media_information (sdp, 1));
  g_assert_true (net_sip_sdp_get_media_bandwidth (sdp, 0, "AS", &value));
  g_assert_cmpuint (value, ==, 64);
  g_assert_false (net_sip_sdp_get_media_bandwidth (sdp, 1, "AS", NULL));
  g_assert_cmpuint (net_sip_sdp_get_media_n_ports (sdp, 1), ==, 2);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 51372);
  assert_rtpmap (sdp, 1, "99", "h263-1998", 90000, 1);

  /* "a=foo:" has an empty value, unlike the property "a=sendonly" */
  g_assert_true (net_sip_sdp_has_media_attribute (sdp, 1, "foo"));
  g_assert_cmpstr (net_sip_sdp_get_media_attribute (sdp, 1, "foo"), ==, "");
  g_assert_null (net_sip_sdp_get_media_attribute (sdp, 1, "sendonly"));

  /* Session-level a=recvonly applies to the audio stream only; video
   * has its own */
  g_assert_cmpint (net_sip_sdp_get_direction (sdp), ==, NET_SIP_SDP_DIRECTION_RECVONLY);
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_RECVONLY);
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 1), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
}

static void
test_lenient_input (void)
{
  /* Bare LF, runs of spaces, trailing spaces, lower-case network and
   * address types, empty lines, no line end on the last line. */
  g_autoptr(NetSipSdp) sdp = parse_text ("v=0\n"
                                         "o=-  1   2 IN IP4 192.0.2.1 \n"
                                         "\n"
                                         "s=-\r\n"
                                         "c=in ip4 192.0.2.1\n"
                                         "t=0 0\n"
                                         "m=audio  49170   RTP/AVP  0  8 \n"
                                         "a=ptime:20");
  g_autofree char *text = to_text (sdp);
  static const char * const formats[] = { "0", "8", NULL };

  assert_formats (sdp, 0, formats);
  assert_connection (sdp, "IP4", "192.0.2.1");
  g_assert_cmpstr (net_sip_sdp_get_media_attribute (sdp, 0, "ptime"), ==, "20");
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=- 1 2 IN IP4 192.0.2.1\r\n"
                   "s=-\r\n"
                   "c=IN IP4 192.0.2.1\r\n"
                   "t=0 0\r\n"
                   "m=audio 49170 RTP/AVP 0 8\r\n"
                   "a=ptime:20\r\n");
}

static void
test_multicast (void)
{
  static const char input[] =
    "v=0\r\n"
    "o=- 1 1 IN IP6 2001:db8::5\r\n"
    "s=-\r\n"
    "c=IN IP6 FF15::101/3\r\n"
    "t=0 0\r\n"
    "m=audio 5004 RTP/AVP 0\r\n"
    "c=IN IP4 233.252.0.1/255/4\r\n"
    "m=audio 5006 RTP/AVP 0\r\n"
    "c=IN IP4 233.252.0.2/0\r\n";
  g_autoptr(NetSipSdp) sdp = parse_text (input);
  g_autofree char *text = to_text (sdp);
  const char *address = NULL;
  int ttl = 0;
  guint n = 0;

  g_assert_cmpstr (text, ==, input);
  /* IPv6 multicast has a number of addresses but no TTL (RFC 4566 §5.7) */
  g_assert_true (net_sip_sdp_get_connection (sdp, NULL, &address, &ttl, &n));
  g_assert_cmpstr (address, ==, "FF15::101");
  g_assert_cmpint (ttl, ==, -1);
  g_assert_cmpuint (n, ==, 3);
  g_assert_true (net_sip_sdp_get_media_connection (sdp, 0, NULL, &address, &ttl, &n));
  g_assert_cmpstr (address, ==, "233.252.0.1");
  g_assert_cmpint (ttl, ==, 255);
  g_assert_cmpuint (n, ==, 4);
  g_assert_true (net_sip_sdp_get_media_connection (sdp, 1, NULL, &address, &ttl, &n));
  g_assert_cmpint (ttl, ==, 0);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 1), ==, "233.252.0.2");
  assert_stable (sdp);
}

/* ---------------------------------------------------------------------- */
/* Address rewriting                                                       */

static void
test_rewrite_ipv4 (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/06-invite-sdp-uac.sip");
  g_autofree char *text = NULL;
  g_autofree char *restored = NULL;

  net_sip_sdp_set_media_address (sdp, 0, NULL, "203.0.113.77");
  net_sip_sdp_set_media_port (sdp, 0, 40000);
  net_sip_sdp_set_origin_address (sdp, NULL, "203.0.113.77");

  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "203.0.113.77");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 0), ==, "IP4");
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 40000);
  /* The session-level c= is untouched */
  assert_connection (sdp, "IP4", "192.0.2.10");

  text = to_text (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=alice 3724394400 3724394400 IN IP4 203.0.113.77\r\n"
                   "s=-\r\n"
                   "c=IN IP4 192.0.2.10\r\n"
                   "t=0 0\r\n"
                   "m=audio 40000 RTP/AVP 0 8 101\r\n"
                   "c=IN IP4 203.0.113.77\r\n"
                   "a=rtpmap:0 PCMU/8000\r\n"
                   "a=rtpmap:8 PCMA/8000\r\n"
                   "a=rtpmap:101 telephone-event/8000\r\n"
                   "a=fmtp:101 0-16\r\n"
                   "a=ptime:20\r\n"
                   "a=sendrecv\r\n");
  assert_stable (sdp);

  /* Rewriting the session level instead, and dropping the media c= */
  net_sip_sdp_set_media_address (sdp, 0, NULL, NULL);
  assert_media_connection (sdp, 0, NULL, NULL);
  net_sip_sdp_set_connection (sdp, "ip4", "198.51.100.99");
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "198.51.100.99");
  restored = to_text (sdp);
  g_assert_nonnull (strstr (restored, "\r\nc=IN IP4 198.51.100.99\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0 8 101\r\na=rtpmap:0"));
}

static void
test_rewrite_ipv6 (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/ipv6-in-sdp.sip");
  g_autofree char *text = NULL;

  /* Session moves to IPv4, the video stream stays on IPv6 through a
   * relay: brackets from a SIP header are dropped (RFC 5118 §4.6) */
  net_sip_sdp_set_connection (sdp, NULL, "198.51.100.7");
  net_sip_sdp_set_media_address (sdp, 1, NULL, "[2001:db8::99]");
  net_sip_sdp_set_media_port (sdp, 1, 0);
  net_sip_sdp_set_origin_address (sdp, "IP6", "::ffff:192.0.2.9");

  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 0), ==, "198.51.100.7");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 0), ==, "IP4");
  g_assert_cmpstr (net_sip_sdp_get_media_address (sdp, 1), ==, "2001:db8::99");
  g_assert_cmpstr (net_sip_sdp_get_media_addrtype (sdp, 1), ==, "IP6");
  g_assert_cmpstr (net_sip_sdp_get_origin_addrtype (sdp), ==, "IP6");
  g_assert_cmpstr (net_sip_sdp_get_origin_address (sdp), ==, "::ffff:192.0.2.9");

  text = to_text (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=assistant 971731711378798081 0 IN IP6 ::ffff:192.0.2.9\r\n"
                   "s=Live video feed for today's meeting\r\n"
                   "c=IN IP4 198.51.100.7\r\n"
                   "t=3338481189 3370017201\r\n"
                   "m=audio 6000 RTP/AVP 2\r\n"
                   "a=rtpmap:2 G726-32/8000\r\n"
                   "m=video 0 RTP/AVP 107\r\n"
                   "c=IN IP6 2001:db8::99\r\n"
                   "a=rtpmap:107 H263-1998/90000\r\n");
  assert_stable (sdp);
}

static void
test_rewrite_mult_ip (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("torture/mult-ip-in-sdp.sip");
  g_autofree char *text = NULL;

  /* Replacing a media-level c= of one family by the other */
  net_sip_sdp_set_media_address (sdp, 0, NULL, "2001:db8::2");
  net_sip_sdp_set_media_address (sdp, 1, NULL, "192.0.2.200");
  net_sip_sdp_set_media_port (sdp, 0, 65535);
  text = to_text (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=bob 280744730 28977631 IN IP4 host.example.com\r\n"
                   "s=\r\n"
                   "t=0 0\r\n"
                   "m=audio 65535 RTP/AVP 0\r\n"
                   "c=IN IP6 2001:db8::2\r\n"
                   "m=video 6024 RTP/AVP 107\r\n"
                   "c=IN IP4 192.0.2.200\r\n"
                   "a=rtpmap:107 H263-1998/90000\r\n");
  assert_stable (sdp);
}

/* ---------------------------------------------------------------------- */
/* Building                                                                */

static void
test_build (void)
{
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_new ();
  static const char * const audio[] = { "0", "8", "101", NULL };
  static const char * const video[] = { "31", NULL };
  g_autofree char *text = NULL;
  g_autoptr(NetSipSdp) parsed = NULL;
  guint index;

  net_sip_sdp_set_origin (sdp, "carol", 2890844526, 2890844526, NULL, "192.0.2.33");
  net_sip_sdp_set_connection (sdp, NULL, "192.0.2.33");
  net_sip_sdp_set_bandwidth (sdp, "AS", 128);
  net_sip_sdp_add_attribute (sdp, "tool", "netsip");

  index = net_sip_sdp_add_media (sdp, "audio", 49172, "RTP/AVP", audio);
  g_assert_cmpuint (index, ==, 0);
  net_sip_sdp_add_media_attribute (sdp, index, "rtpmap", "0 PCMU/8000");
  net_sip_sdp_add_media_attribute (sdp, index, "rtpmap", "8 PCMA/8000");
  net_sip_sdp_add_media_attribute (sdp, index, "rtpmap", "101 telephone-event/8000");
  net_sip_sdp_add_media_attribute (sdp, index, "fmtp", "101 0-15");
  net_sip_sdp_add_media_attribute (sdp, index, "ptime", "20");
  net_sip_sdp_set_media_direction (sdp, index, NET_SIP_SDP_DIRECTION_SENDRECV);

  index = net_sip_sdp_add_media (sdp, "video", 0, "RTP/AVP", video);
  g_assert_cmpuint (index, ==, 1);
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 2);

  text = to_text (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=carol 2890844526 2890844526 IN IP4 192.0.2.33\r\n"
                   "s=-\r\n"
                   "c=IN IP4 192.0.2.33\r\n"
                   "b=AS:128\r\n"
                   "t=0 0\r\n"
                   "a=tool:netsip\r\n"
                   "m=audio 49172 RTP/AVP 0 8 101\r\n"
                   "a=rtpmap:0 PCMU/8000\r\n"
                   "a=rtpmap:8 PCMA/8000\r\n"
                   "a=rtpmap:101 telephone-event/8000\r\n"
                   "a=fmtp:101 0-15\r\n"
                   "a=ptime:20\r\n"
                   "a=sendrecv\r\n"
                   "m=video 0 RTP/AVP 31\r\n");

  parsed = parse_text (text);
  assert_sdp_equal (sdp, parsed);
  assert_rtpmap (parsed, 1, "31", "H261", 90000, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_fmtp (parsed, 0, "101"), ==, "0-15");
}

static void
test_new_defaults (void)
{
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_new ();
  const char *id = net_sip_sdp_get_origin_session_id (sdp);
  guint64 ntp;

  g_assert_cmpuint (net_sip_sdp_get_version (sdp), ==, 0);
  g_assert_cmpstr (net_sip_sdp_get_origin_username (sdp), ==, "-");
  g_assert_cmpstr (net_sip_sdp_get_origin_nettype (sdp), ==, "IN");
  g_assert_cmpstr (net_sip_sdp_get_origin_addrtype (sdp), ==, "IP4");
  g_assert_cmpstr (net_sip_sdp_get_origin_address (sdp), ==, "127.0.0.1");
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (sdp), ==, id);
  /* An NTP timestamp: seconds since 1900, after 2020-01-01 */
  ntp = g_ascii_strtoull (id, NULL, 10);
  g_assert_cmpuint (ntp, >, G_GUINT64_CONSTANT (3786825600));
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "-");
  assert_time (sdp, 0, 0);
  assert_connection (sdp, NULL, NULL);
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), ==, 0);
  g_assert_cmpint (net_sip_sdp_get_direction (sdp), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
  assert_stable (sdp);

  net_sip_sdp_set_session_name (sdp, "Call with Bob");
  net_sip_sdp_set_time (sdp, 3338481189, 0);
  g_assert_cmpstr (net_sip_sdp_get_session_name (sdp), ==, "Call with Bob");
  assert_time (sdp, 3338481189, 0);
  assert_stable (sdp);
}

static void
test_origin_version (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/06-invite-sdp-uac.sip");
  g_autoptr(NetSipSdp) nines = parse_text ("v=0\r\no=- 1 999 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n");
  /* Larger than 2^64: kept as a string, never overflows */
  g_autoptr(NetSipSdp) huge = parse_text ("v=0\r\no=- 1 99999999999999999999999 IN IP4 192.0.2.1\r\n"
                                          "s=-\r\nt=0 0\r\n");

  net_sip_sdp_increment_origin_version (sdp);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (sdp), ==, "3724394401");
  g_assert_cmpstr (net_sip_sdp_get_origin_session_id (sdp), ==, "3724394400");
  net_sip_sdp_increment_origin_version (nines);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (nines), ==, "1000");
  net_sip_sdp_increment_origin_version (huge);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (huge), ==, "100000000000000000000000");

  net_sip_sdp_set_origin (sdp, "alice", G_MAXUINT64, 0, "IP6", "2001:db8::10");
  assert_origin (sdp, "alice", "18446744073709551615", "0", "IP6", "2001:db8::10");
  net_sip_sdp_increment_origin_version (sdp);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (sdp), ==, "1");
}

static void
test_direction (void)
{
  g_autoptr(NetSipSdp) sdp = parse_text ("v=0\r\n"
                                         "o=- 1 1 IN IP4 192.0.2.1\r\n"
                                         "s=-\r\n"
                                         "c=IN IP4 192.0.2.1\r\n"
                                         "t=0 0\r\n"
                                         "a=sendonly\r\n"
                                         "m=audio 4000 RTP/AVP 0\r\n"
                                         "a=ptime:20\r\n"
                                         "m=audio 4002 RTP/AVP 0\r\n"
                                         "a=inactive\r\n"
                                         "a=ptime:30\r\n");
  g_autofree char *text = NULL;

  g_assert_cmpint (net_sip_sdp_get_direction (sdp), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
  /* Falls back to the session level */
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 1), ==, NET_SIP_SDP_DIRECTION_INACTIVE);

  /* Replaced where it was; appended where there was none */
  net_sip_sdp_set_media_direction (sdp, 1, NET_SIP_SDP_DIRECTION_RECVONLY);
  net_sip_sdp_set_media_direction (sdp, 0, NET_SIP_SDP_DIRECTION_SENDRECV);
  net_sip_sdp_set_direction (sdp, NET_SIP_SDP_DIRECTION_INACTIVE);
  g_assert_cmpint (net_sip_sdp_get_direction (sdp), ==, NET_SIP_SDP_DIRECTION_INACTIVE);
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 0), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (net_sip_sdp_get_media_direction (sdp, 1), ==, NET_SIP_SDP_DIRECTION_RECVONLY);
  g_assert_cmpuint (net_sip_sdp_get_n_attributes (sdp), ==, 1);

  text = to_text (sdp);
  g_assert_cmpstr (text, ==,
                   "v=0\r\n"
                   "o=- 1 1 IN IP4 192.0.2.1\r\n"
                   "s=-\r\n"
                   "c=IN IP4 192.0.2.1\r\n"
                   "t=0 0\r\n"
                   "a=inactive\r\n"
                   "m=audio 4000 RTP/AVP 0\r\n"
                   "a=ptime:20\r\n"
                   "a=sendrecv\r\n"
                   "m=audio 4002 RTP/AVP 0\r\n"
                   "a=recvonly\r\n"
                   "a=ptime:30\r\n");

  /* Bit 0 sends, bit 1 receives */
  g_assert_cmpint (NET_SIP_SDP_DIRECTION_SENDONLY | NET_SIP_SDP_DIRECTION_RECVONLY, ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpstr (net_sip_sdp_direction_to_string (NET_SIP_SDP_DIRECTION_SENDRECV), ==, "sendrecv");
  g_assert_cmpstr (net_sip_sdp_direction_to_string (NET_SIP_SDP_DIRECTION_SENDONLY), ==, "sendonly");
  g_assert_cmpstr (net_sip_sdp_direction_to_string (NET_SIP_SDP_DIRECTION_RECVONLY), ==, "recvonly");
  g_assert_cmpstr (net_sip_sdp_direction_to_string (NET_SIP_SDP_DIRECTION_INACTIVE), ==, "inactive");
}

static void
test_attributes_and_bandwidth (void)
{
  g_autoptr(NetSipSdp) sdp = parse_corpus ("realistic/28-200-options.sip");
  g_auto(GStrv) none = NULL;
  g_auto(GStrv) flags = NULL;
  const char *value = "unset";
  guint64 bw = 0;

  net_sip_sdp_add_attribute (sdp, "group", "BUNDLE a v");
  net_sip_sdp_add_attribute (sdp, "ice-lite", NULL);
  g_assert_cmpuint (net_sip_sdp_get_n_attributes (sdp), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_attribute (sdp, "group"), ==, "BUNDLE a v");
  g_assert_true (net_sip_sdp_has_attribute (sdp, "ice-lite"));
  g_assert_null (net_sip_sdp_get_attribute (sdp, "ice-lite"));
  g_assert_cmpstr (net_sip_sdp_get_attribute_nth (sdp, 1, &value), ==, "ice-lite");
  g_assert_null (value);
  flags = net_sip_sdp_get_attribute_values (sdp, "ice-lite");
  g_assert_cmpuint (g_strv_length (flags), ==, 1);
  g_assert_cmpstr (flags[0], ==, "");
  none = net_sip_sdp_get_attribute_values (sdp, "nothing");
  g_assert_nonnull (none);
  g_assert_cmpuint (g_strv_length (none), ==, 0);
  g_assert_cmpuint (net_sip_sdp_remove_attribute (sdp, "ice-lite"), ==, 1);
  g_assert_cmpuint (net_sip_sdp_remove_attribute (sdp, "ice-lite"), ==, 0);
  g_assert_false (net_sip_sdp_has_attribute (sdp, "ice-lite"));

  /* Media: remove every rtpmap, then add back */
  g_assert_cmpuint (net_sip_sdp_remove_media_attribute (sdp, 0, "rtpmap"), ==, 4);
  g_assert_cmpuint (net_sip_sdp_get_media_n_attributes (sdp, 0), ==, 0);
  /* Static payload types still resolve, dynamic ones no longer */
  assert_rtpmap (sdp, 0, "8", "PCMA", 8000, 1);
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "101", NULL, NULL, NULL));
  net_sip_sdp_add_media_attribute (sdp, 0, "rtpmap", "101 telephone-event/8000");
  assert_rtpmap (sdp, 0, "101", "telephone-event", 8000, 1);

  /* Bandwidth: set replaces the line of the same type */
  net_sip_sdp_set_bandwidth (sdp, "AS", 64);
  net_sip_sdp_set_bandwidth (sdp, "TIAS", 64000);
  net_sip_sdp_set_bandwidth (sdp, "AS", 80);
  g_assert_cmpuint (net_sip_sdp_get_n_bandwidths (sdp), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_bandwidth_nth (sdp, 0, &bw), ==, "AS");
  g_assert_cmpuint (bw, ==, 80);
  g_assert_true (net_sip_sdp_get_bandwidth (sdp, "TIAS", &bw));
  g_assert_cmpuint (bw, ==, 64000);
  net_sip_sdp_set_media_bandwidth (sdp, 1, "AS", G_MAXUINT64);
  g_assert_cmpuint (net_sip_sdp_get_media_n_bandwidths (sdp, 1), ==, 1);
  g_assert_cmpstr (net_sip_sdp_get_media_bandwidth_nth (sdp, 1, 0, &bw), ==, "AS");
  g_assert_cmpuint (bw, ==, G_MAXUINT64);
  g_assert_cmpuint (net_sip_sdp_get_media_n_bandwidths (sdp, 0), ==, 0);

  /* Formats */
  {
    static const char * const answer[] = { "0", "101", NULL };

    net_sip_sdp_set_media_formats (sdp, 0, answer);
    assert_formats (sdp, 0, answer);
    g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "8", NULL, NULL, NULL));
  }
  assert_stable (sdp);
}

static void
test_rtpmap_details (void)
{
  g_autoptr(NetSipSdp) sdp = parse_text ("v=0\r\n"
                                         "o=- 1 1 IN IP4 192.0.2.1\r\n"
                                         "s=-\r\n"
                                         "t=0 0\r\n"
                                         "m=audio 4000 RTP/AVP 0 97 98 99 100 10\r\n"
                                         "a=rtpmap:97 opus/48000/2\r\n"
                                         "a=rtpmap:98 L16/8000/99999999999\r\n"
                                         "a=rtpmap:99 AMR/99999999999\r\n"
                                         "a=rtpmap:100 /8000\r\n"
                                         "a=fmtp:97 minptime=10;useinbandfec=1\r\n"
                                         "a=fmtp:100\r\n"
                                         "m=image 4002 udptl t38\r\n"
                                         "m=audio 4004 RTP/SAVP 0\r\n");
  g_autofree char *name = NULL;

  assert_rtpmap (sdp, 0, "97", "opus", 48000, 2);
  /* Out of range or empty fields make the rtpmap unusable, never wrap */
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "98", NULL, NULL, NULL));
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "99", NULL, NULL, NULL));
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "100", &name, NULL, NULL));
  g_assert_null (name);
  /* Static payload type 10 is stereo L16 */
  assert_rtpmap (sdp, 0, "10", "L16", 44100, 2);
  /* A prefix of another payload type does not match */
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 0, "9", NULL, NULL, NULL));
  g_assert_cmpstr (net_sip_sdp_get_media_fmtp (sdp, 0, "97"), ==, "minptime=10;useinbandfec=1");
  g_assert_cmpstr (net_sip_sdp_get_media_fmtp (sdp, 0, "100"), ==, "");
  g_assert_null (net_sip_sdp_get_media_fmtp (sdp, 0, "10"));
  /* Not RTP: no static payload types */
  g_assert_cmpstr (net_sip_sdp_get_media_proto (sdp, 1), ==, "udptl");
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 1, "t38", NULL, NULL, NULL));
  /* Any RTP profile */
  assert_rtpmap (sdp, 2, "0", "PCMU", 8000, 1);
  /* A payload type not offered in m= */
  g_assert_false (net_sip_sdp_get_media_rtpmap (sdp, 2, "8", NULL, NULL, NULL));
  /* No c= anywhere */
  g_assert_null (net_sip_sdp_get_media_address (sdp, 0));
  g_assert_null (net_sip_sdp_get_media_addrtype (sdp, 0));
}

static void
test_copy (void)
{
  g_autoptr(NetSipSdp) sdp = parse_text (reorder_input);
  g_autoptr(NetSipSdp) copy = net_sip_sdp_copy (sdp);
  g_autofree char *before = to_text (sdp);
  g_autofree char *copied = to_text (copy);
  g_autofree char *after = NULL;

  g_assert_cmpstr (copied, ==, before);
  assert_sdp_equal (sdp, copy);

  net_sip_sdp_set_media_port (copy, 0, 1);
  net_sip_sdp_set_media_address (copy, 1, NULL, "192.0.2.1");
  net_sip_sdp_add_media_attribute (copy, 0, "x", "y");
  net_sip_sdp_set_session_name (copy, "changed");
  net_sip_sdp_set_time (copy, 1, 2);
  net_sip_sdp_increment_origin_version (copy);

  after = to_text (sdp);
  g_assert_cmpstr (after, ==, before);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 49170);
  g_assert_cmpuint (net_sip_sdp_get_media_port (copy, 0), ==, 1);
}

/* ---------------------------------------------------------------------- */
/* Errors                                                                  */

#define BASE "v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\ns=-\r\n"

static const struct {
  const char *text;
  gsize len;
  const char *message;
} bad_inputs[] = {
#define BAD(text, message) { text, sizeof (text) - 1, message }
  BAD ("", "SDP: empty description"),
  BAD ("\r\n\r\n", "SDP: empty description"),
  BAD ("hello", "SDP line 1: expected '<type>=<value>'"),
  BAD ("GET / HTTP/1.1\r\n\r\n", "SDP line 1: expected '<type>=<value>'"),
  BAD ("V=0\r\n", "SDP line 1: expected '<type>=<value>' with a lower-case type letter"),
  BAD ("o=alice 1 1 IN IP4 192.0.2.1\r\nv=0\r\ns=-\r\nt=0 0\r\n",
       "SDP line 1: expected 'v=' as the first line, found 'o='"),
  BAD ("v=x\r\n", "SDP line 1: 'v=': expected a version number"),
  BAD ("v=0\r\ns=-\r\nt=0 0\r\n", "SDP: missing 'o=' line"),
  BAD ("v=0\r\no=alice 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", "SDP: missing 's=' line"),
  BAD (BASE, "SDP: missing 't=' line"),
  BAD (BASE "t=0 0\r\nm=audio 70000 RTP/AVP 0\r\n",
       "SDP line 5: 'm=': port '70000' is not a number in 0..65535"),
  BAD (BASE "t=0 0\r\nm=audio 99999999999999999999999 RTP/AVP 0\r\n",
       "SDP line 5: 'm=': port '99999999999999999999999' is not a number"),
  BAD (BASE "t=0 0\r\nm=audio -1 RTP/AVP 0\r\n", "'m=': port '-1' is not"),
  BAD (BASE "t=0 0\r\nm=audio 4000/0 RTP/AVP 0\r\n", "'m=': number of ports '0' is not in 1..65535"),
  BAD (BASE "t=0 0\r\nm=audio 49170\r\n", "'m=': expected '<media> <port> <proto> <fmt> ...'"),
  BAD (BASE "t=0 0\r\nm=audio 49170 RTP//AVP 0\r\n", "'m=': the transport protocol"),
  BAD (BASE "t=0 0\r\nm=audio 49170 RTP/AVP 0 [8]\r\n", "'m=': media format 2 is not a token"),
  BAD (BASE "c=IN IP4\r\nt=0 0\r\n",
       "SDP line 4: 'c=': expected 'IN IP4 <address>' or 'IN IP6 <address>'"),
  BAD (BASE "c=IN IPX 192.0.2.1\r\nt=0 0\r\n", "SDP line 4: 'c=': expected 'IN IP4 <address>'"),
  BAD (BASE "c=ATM IP4 192.0.2.1\r\nt=0 0\r\n", "SDP line 4: 'c=': expected 'IN IP4 <address>'"),
  BAD (BASE "c=IN IP4 192.0.2.1 extra\r\nt=0 0\r\n", "SDP line 4: 'c=': expected"),
  BAD (BASE "c=IN IP4 999.0.2.1\r\nt=0 0\r\n", "'c=': '999.0.2.1' is not a valid IP4 address"),
  BAD (BASE "c=IN IP4 192.0.2\r\nt=0 0\r\n", "'c=': '192.0.2' is not a valid IP4 address"),
  BAD (BASE "c=IN IP4 2001:db8::1\r\nt=0 0\r\n", "'c=': '2001:db8::1' is not a valid IP4 address"),
  BAD (BASE "c=IN IP6 192.0.2.1\r\nt=0 0\r\n", "'c=': '192.0.2.1' is not a valid IP6 address"),
  BAD (BASE "c=IN IP6 [2001:db8::1]\r\nt=0 0\r\n", "'c=': '[2001:db8::1]' is not a valid IP6 address"),
  BAD (BASE "c=IN IP6 2001:db8:::1\r\nt=0 0\r\n", "is not a valid IP6 address"),
  BAD (BASE "c=IN IP6 fe80::1%eth0\r\nt=0 0\r\n", "is not a valid IP6 address"),
  BAD (BASE "c=IN IP4 host_name.example\r\nt=0 0\r\n", "is not a valid IP4 address"),
  BAD (BASE "c=IN IP4 224.2.1.1/256\r\nt=0 0\r\n", "'c=': expected '<address>/<ttl 0..255>"),
  BAD (BASE "c=IN IP4 224.2.1.1/1/0\r\nt=0 0\r\n", "'c=': expected '<address>/<ttl 0..255>"),
  BAD (BASE "c=IN IP6 FF15::101/3/2\r\nt=0 0\r\n", "'c=': expected '<IPv6 address>[/<number of addresses>]'"),
  BAD (BASE "c=IN IP4 192.0.2.1\r\nc=IN IP4 192.0.2.2\r\nt=0 0\r\n",
       "SDP line 5: 'c=': only one 'c=' line is allowed at session level"),
  BAD (BASE "t=0 0\r\nx=unknown\r\n", "SDP line 5: unknown type letter 'x'"),
  BAD (BASE "t=0 0\r\nm=audio 0 RTP/AVP 0\r\nt=0 0\r\n",
       "SDP line 6: 't=': not allowed in a media description (after 'm=')"),
  BAD (BASE "t=0 0\r\nm=audio 0 RTP/AVP 0\r\ns=-\r\n", "SDP line 6: 's=': not allowed in a media"),
  BAD (BASE "r=7d 1h 0 25h\r\nt=0 0\r\n", "SDP line 4: 'r=': must follow a 't=' line"),
  BAD (BASE "o=bob 1 1 IN IP4 192.0.2.1\r\nt=0 0\r\n", "SDP line 4: 'o=': duplicate line"),
  BAD (BASE "s=again\r\nt=0 0\r\n", "SDP line 4: 's=': duplicate line"),
  BAD (BASE "v=0\r\nt=0 0\r\n", "SDP line 4: 'v=': duplicate line"),
  BAD ("v=0\r\no=alice 1 1 IN IP4\r\ns=-\r\nt=0 0\r\n",
       "SDP line 2: 'o=': expected '<username> <sess-id> <sess-version> <nettype> <addrtype> <address>'"),
  BAD ("v=0\r\no=alice 1 1 IN IP4 192.0.2.1 x\r\ns=-\r\nt=0 0\r\n", "SDP line 2: 'o=': expected"),
  BAD ("v=0\r\no=alice abc 1 IN IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",
       "SDP line 2: 'o=': sess-id and sess-version must be numbers"),
  BAD ("v=0\r\no=alice 1 1 I\"N IP4 192.0.2.1\r\ns=-\r\nt=0 0\r\n",
       "SDP line 2: 'o=': invalid character"),
  BAD (BASE "t=0\r\n", "SDP line 4: 't=': expected '<start-time> <stop-time>'"),
  BAD (BASE "t=18446744073709551616 0\r\n", "SDP line 4: 't=': expected '<start-time> <stop-time>'"),
  BAD (BASE "t=0 0 0\r\n", "SDP line 4: 't=': expected"),
  BAD (BASE "b=AS\r\nt=0 0\r\n", "SDP line 4: 'b=': expected '<bwtype>:<bandwidth>'"),
  BAD (BASE "b=AS:18446744073709551616\r\nt=0 0\r\n", "SDP line 4: 'b=': expected '<bwtype>:<bandwidth>'"),
  BAD (BASE "b=:64\r\nt=0 0\r\n", "SDP line 4: 'b=': expected"),
  BAD (BASE "t=0 0\r\na=foo bar:baz\r\n", "SDP line 5: 'a=': expected '<attribute>[:<value>]'"),
  BAD (BASE "t=0 0\r\na=\r\n", "SDP line 5: 'a=': expected '<attribute>[:<value>]'"),
  BAD (BASE "t=0 0\r\na=:x\r\n", "SDP line 5: 'a=': expected"),
  BAD (BASE "t=0 0\r\ni=a\0b\r\n", "SDP line 5: NUL octet"),
  BAD (BASE "t=0 0\r\ni=a\rb\r\n", "SDP line 5: CR octet"),
  BAD (BASE "t=0 0\r\n=x\r\n", "SDP line 5: expected '<type>=<value>'"),
  BAD (BASE "t=0 0\r\nm\r\n", "SDP line 5: expected '<type>=<value>'"),
  BAD (BASE "t=0 0\r\n\xff=x\r\n", "SDP line 5: expected '<type>=<value>'"),
#undef BAD
};

static void
test_errors (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (bad_inputs); i++)
    {
      g_autoptr(GBytes) bytes = bytes_exact (bad_inputs[i].text, bad_inputs[i].len);
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (bytes, &error);

      if (sdp != NULL)
        g_error ("bad input %u parsed", i);
      assert_error (error, bad_inputs[i].message);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
}

static void
test_error_message_exact (void)
{
  g_autoptr(GBytes) bytes = bytes_from_string (BASE "c=IN IP4\r\nt=0 0\r\n");
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (bytes, &error);
  g_autoptr(GBytes) binary = bytes_from_string (BASE "c=IN IP4 \xc3\x28\x01\xff\r\nt=0 0\r\n");
  g_autoptr(GError) error2 = NULL;
  g_autoptr(NetSipSdp) sdp2 = net_sip_sdp_parse (binary, &error2);

  g_assert_null (sdp);
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
  g_assert_cmpstr (error->message, ==,
                   "SDP line 4: 'c=': expected 'IN IP4 <address>' or 'IN IP6 <address>'");

  /* Octets from the input are escaped: the message stays UTF-8 */
  g_assert_null (sdp2);
  g_assert_error (error2, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
  g_assert_cmpstr (error2->message, ==,
                   "SDP line 4: 'c=': '\\303(\\001\\377' is not a valid IP4 address");
}

static void
test_edge_values (void)
{
  /* The largest values that fit are accepted */
  g_autoptr(NetSipSdp) sdp = parse_text (BASE
                                         "b=AS:18446744073709551615\r\n"
                                         "t=18446744073709551615 0\r\n"
                                         "m=audio 65535/65535 RTP/AVP 0\r\n"
                                         "m=audio 0 RTP/AVP\r\n");
  guint64 value = 0;

  g_assert_true (net_sip_sdp_get_bandwidth (sdp, "AS", &value));
  g_assert_cmpuint (value, ==, G_MAXUINT64);
  assert_time (sdp, G_MAXUINT64, 0);
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 0), ==, 65535);
  g_assert_cmpuint (net_sip_sdp_get_media_n_ports (sdp, 0), ==, 65535);
  /* A rejected stream with no format (liberal: RFC 4566 wants one) */
  g_assert_cmpuint (net_sip_sdp_get_media_port (sdp, 1), ==, 0);
  g_assert_cmpuint (g_strv_length ((char **) net_sip_sdp_get_media_formats (sdp, 1)), ==, 0);
  assert_stable (sdp);
}

static void
test_limits (void)
{
  GString *text = g_string_new (BASE "t=0 0\r\n");
  g_autoptr(GBytes) ok_lines = NULL;
  g_autoptr(GBytes) too_many_lines = NULL;
  g_autoptr(GBytes) ok_media = NULL;
  g_autoptr(GBytes) too_many_media = NULL;
  g_autoptr(NetSipSdp) sdp = NULL;
  g_autoptr(NetSipSdp) media = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GError) error2 = NULL;
  gsize header_len = text->len;

  /* Exactly NET_SIP_SDP_MAX_LINES lines parse, one more does not */
  for (guint i = 4; i < NET_SIP_SDP_MAX_LINES; i++)
    g_string_append_printf (text, "a=x:%u\r\n", i);
  ok_lines = bytes_exact (text->str, text->len);
  sdp = parse_ok (ok_lines);
  g_assert_cmpuint (net_sip_sdp_get_n_attributes (sdp), ==, NET_SIP_SDP_MAX_LINES - 4);
  g_string_append (text, "a=x\r\n");
  too_many_lines = bytes_exact (text->str, text->len);
  g_assert_null (net_sip_sdp_parse (too_many_lines, &error));
  g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
  g_assert_cmpstr (error->message, ==, "SDP: more than 1000 lines");

  /* Empty lines count too: no way round the limit */
  g_string_truncate (text, header_len);
  for (guint i = 0; i < NET_SIP_SDP_MAX_LINES; i++)
    g_string_append (text, "\r\n");
  {
    g_autoptr(GBytes) blank = bytes_exact (text->str, text->len);
    g_autoptr(GError) error3 = NULL;

    g_assert_null (net_sip_sdp_parse (blank, &error3));
    g_assert_error (error3, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
    g_assert_cmpstr (error3->message, ==, "SDP: more than 1000 lines");
  }

  /* Exactly NET_SIP_SDP_MAX_MEDIA media parse, one more does not */
  g_string_truncate (text, header_len);
  for (guint i = 0; i < NET_SIP_SDP_MAX_MEDIA; i++)
    g_string_append_printf (text, "m=audio %u RTP/AVP 0\r\n", 2000 + 2 * i);
  ok_media = bytes_exact (text->str, text->len);
  media = parse_ok (ok_media);
  g_assert_cmpuint (net_sip_sdp_get_n_media (media), ==, NET_SIP_SDP_MAX_MEDIA);
  g_assert_cmpuint (net_sip_sdp_get_media_port (media, NET_SIP_SDP_MAX_MEDIA - 1), ==,
                    2000 + 2 * (NET_SIP_SDP_MAX_MEDIA - 1));
  g_string_append (text, "m=audio 9 RTP/AVP 0\r\n");
  too_many_media = bytes_exact (text->str, text->len);
  g_assert_null (net_sip_sdp_parse (too_many_media, &error2));
  g_assert_error (error2, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
  g_assert_cmpstr (error2->message, ==, "SDP line 261: 'm=': more than 256 media descriptions");

  g_string_free (text, TRUE);
}

static void
test_truncated (void)
{
  for (guint f = 0; f < G_N_ELEMENTS (corpus_files); f++)
    {
      g_autoptr(GBytes) body = load_body (corpus_files[f]);
      gsize size;
      const char *data = g_bytes_get_data (body, &size);
      const char *t_line = NULL, *space;
      gsize t_min;
      g_autoptr(NetSipSdp) full = parse_ok (body);

      /* Up to the first digit of the stop time of the (only) t= line,
       * the description lacks a complete t= and must be refused. */
      for (gsize i = 0; i + 3 <= size; i++)
        if (memcmp (data + i, "\nt=", 3) == 0)
          {
            t_line = data + i + 1;
            break;
          }
      g_assert_nonnull (t_line);
      space = memchr (t_line, ' ', size - (gsize) (t_line - data));
      g_assert_nonnull (space);
      t_min = (gsize) (space - data) + 2;

      for (gsize len = 0; len <= size; len++)
        {
          g_autoptr(GBytes) bytes = bytes_exact (data, len);
          g_autoptr(GError) error = NULL;
          g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (bytes, &error);

          if (len < t_min)
            {
              g_assert_null (sdp);
              g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
            }
          else if (len == size)
            g_assert_no_error (error);

          if (sdp != NULL)
            {
              g_assert_no_error (error);
              g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), <=, net_sip_sdp_get_n_media (full));
              assert_stable (sdp);
            }
          else
            g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
        }
    }
}

/* Whatever the input, either a clean error or a description that
 * serializes to something that parses back to the same octets. */
static void
check_arbitrary (const guint8 *data,
                 gsize         len)
{
  g_autoptr(GBytes) bytes = bytes_exact (data, len);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (bytes, &error);

  if (sdp == NULL)
    {
      g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP);
      g_assert_true (g_utf8_validate (error->message, -1, NULL));
    }
  else
    {
      g_assert_no_error (error);
      assert_stable (sdp);
    }
}

static void
test_random_bytes (void)
{
  static const char alphabet[] = "vosicbtrzkamuep= :/.0123456789\r\n\r\nINPAVRT";
  guint8 buffer[512];
  guint parsed = 0;

  for (guint iter = 0; iter < 3000; iter++)
    {
      gsize len = (gsize) g_test_rand_int_range (0, sizeof buffer);

      for (gsize i = 0; i < len; i++)
        buffer[i] = iter % 2 ? (guint8) g_test_rand_int_range (0, 256)
                             : (guint8) alphabet[g_test_rand_int_range (0, sizeof alphabet - 1)];
      check_arbitrary (buffer, len);
    }

  /* Mutations of real descriptions reach deeper into the parser. */
  for (guint f = 0; f < G_N_ELEMENTS (corpus_files); f++)
    {
      g_autoptr(GBytes) body = load_body (corpus_files[f]);
      gsize size;
      const guint8 *data = g_bytes_get_data (body, &size);

      for (guint iter = 0; iter < 400; iter++)
        {
          g_autofree guint8 *copy = g_memdup2 (data, size);
          guint n = (guint) g_test_rand_int_range (1, 5);
          g_autoptr(GBytes) bytes = NULL;
          g_autoptr(NetSipSdp) sdp = NULL;

          for (guint k = 0; k < n; k++)
            {
              static const guint8 interesting[] = { ' ', '/', ':', '\n', '\r', '\0', '0', '9',
                                                    '=', 'a', 'm', 'c', '[', 0xff, 0x80 };
              gsize at = (gsize) g_test_rand_int_range (0, (gint32) size);

              copy[at] = g_test_rand_bit ()
                           ? interesting[g_test_rand_int_range (0, G_N_ELEMENTS (interesting))]
                           : (guint8) g_test_rand_int_range (0, 256);
            }
          check_arbitrary (copy, size);

          bytes = bytes_exact (copy, size);
          sdp = net_sip_sdp_parse (bytes, NULL);
          if (sdp != NULL)
            parsed++;
        }
    }
  /* Some mutations leave a valid description (a changed digit or letter
   * in a text field): the success path is exercised too. */
  g_assert_cmpuint (parsed, >, 0);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sdp/corpus/invite-uac", test_corpus_invite_uac);
  g_test_add_func ("/sdp/corpus/invite-proxied", test_corpus_invite_proxied);
  g_test_add_func ("/sdp/corpus/200-invite", test_corpus_200_invite);
  g_test_add_func ("/sdp/corpus/200-update", test_corpus_200_update);
  g_test_add_func ("/sdp/corpus/200-options", test_corpus_200_options);
  g_test_add_func ("/sdp/corpus/ipv6-in-sdp", test_corpus_ipv6_in_sdp);
  g_test_add_func ("/sdp/corpus/mult-ip-in-sdp", test_corpus_mult_ip_in_sdp);
  g_test_add_func ("/sdp/corpus/ipv4-mapped-ipv6", test_corpus_ipv4_mapped);
  g_test_add_func ("/sdp/corpus/sdp01", test_corpus_sdp01);
  g_test_add_func ("/sdp/corpus/lf-line-ends", test_corpus_lf_line_ends);
  g_test_add_func ("/sdp/round-trip/corpus", test_round_trip_corpus);
  g_test_add_func ("/sdp/round-trip/reorder", test_round_trip_reorder);
  g_test_add_func ("/sdp/round-trip/lenient-input", test_lenient_input);
  g_test_add_func ("/sdp/round-trip/multicast", test_multicast);
  g_test_add_func ("/sdp/rewrite/ipv4", test_rewrite_ipv4);
  g_test_add_func ("/sdp/rewrite/ipv6", test_rewrite_ipv6);
  g_test_add_func ("/sdp/rewrite/mult-ip", test_rewrite_mult_ip);
  g_test_add_func ("/sdp/build/from-scratch", test_build);
  g_test_add_func ("/sdp/build/new-defaults", test_new_defaults);
  g_test_add_func ("/sdp/build/origin-version", test_origin_version);
  g_test_add_func ("/sdp/api/direction", test_direction);
  g_test_add_func ("/sdp/api/attributes-bandwidth", test_attributes_and_bandwidth);
  g_test_add_func ("/sdp/api/rtpmap", test_rtpmap_details);
  g_test_add_func ("/sdp/api/copy", test_copy);
  g_test_add_func ("/sdp/errors/table", test_errors);
  g_test_add_func ("/sdp/errors/message", test_error_message_exact);
  g_test_add_func ("/sdp/errors/edge-values", test_edge_values);
  g_test_add_func ("/sdp/errors/limits", test_limits);
  g_test_add_func ("/sdp/errors/truncated", test_truncated);
  g_test_add_func ("/sdp/errors/random", test_random_bytes);

  return g_test_run ();
}
