/* test-digest.c: digest computations (RFC 7616, RFC 8760, RFC 2617),
 * credentials, their check, stateless nonces
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

static NetSipAuthParams *
params (const char *text)
{
  g_autoptr(GError) error = NULL;
  NetSipAuthParams *p = net_sip_auth_params_parse (text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (p);
  return p;
}

static void
check_hash (NetSipDigestAlgorithm  algorithm,
            const char            *text,
            const char            *expect)
{
  g_autofree char *hex = net_sip_digest_hash (algorithm, (const guint8 *) text, strlen (text));
  g_assert_cmpstr (hex, ==, expect);
}

/* FIPS 180-4 / RFC 1321 test values of "abc" */
static void
test_hashes (void)
{
  check_hash (NET_SIP_DIGEST_MD5, "abc", "900150983cd24fb0d6963f7d28e17f72");
  check_hash (NET_SIP_DIGEST_SHA256, "abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  /* SHA-512/256 is not SHA-512 cut to 256 bits (that would start ddaf35a1) */
  check_hash (NET_SIP_DIGEST_SHA512_256, "abc",
              "53048e2681941ef99b2e29b76b4c7dabe4c2d0c634fc6d46e0e2f13107e7af23");
  check_hash (NET_SIP_DIGEST_MD5_SESS, "", "d41d8cd98f00b204e9800998ecf8427e");
}

static void
test_algorithm_names (void)
{
  NetSipDigestAlgorithm a;
  const char *names[] = { "MD5", "MD5-sess", "SHA-256", "SHA-256-sess", "SHA-512-256", "SHA-512-256-sess" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *lower = g_ascii_strdown (names[i], -1);
      g_assert_true (net_sip_digest_algorithm_from_string (names[i], &a));
      g_assert_cmpint (a, ==, (NetSipDigestAlgorithm) i);
      g_assert_true (net_sip_digest_algorithm_from_string (lower, &a));
      g_assert_cmpint (a, ==, (NetSipDigestAlgorithm) i);
      g_assert_cmpstr (net_sip_digest_algorithm_to_string (i), ==, names[i]);
    }
  g_assert_true (net_sip_digest_algorithm_from_string (NULL, &a));
  g_assert_cmpint (a, ==, NET_SIP_DIGEST_MD5);
  g_assert_false (net_sip_digest_algorithm_from_string ("SHA-1", &a));
  g_assert_false (net_sip_digest_algorithm_from_string ("", &a));
}

/* The worked examples of RFC 2617 §3.5 and RFC 7616 §3.9.1 */
static void
test_rfc_examples (void)
{
  g_autofree char *ha1 = NULL;
  g_autofree char *r = NULL;

  ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "Mufasa", "testrealm@host.com", "Circle Of Life");
  r = net_sip_digest_compute_response (NET_SIP_DIGEST_MD5, ha1, "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                       "0a4f113b", 1, NET_SIP_DIGEST_QOP_AUTH, "GET", "/dir/index.html", NULL);
  g_assert_cmpstr (r, ==, "6629fae49393a05397450978507c4ef1");
  g_clear_pointer (&ha1, g_free);
  g_clear_pointer (&r, g_free);

  ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "Mufasa", "http-auth@example.org", "Circle of Life");
  r = net_sip_digest_compute_response (NET_SIP_DIGEST_MD5, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                                       "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1,
                                       NET_SIP_DIGEST_QOP_AUTH, "GET", "/dir/index.html", NULL);
  g_assert_cmpstr (r, ==, "8ca523f5e9506fed4657c9700eebdbec");
  g_clear_pointer (&ha1, g_free);
  g_clear_pointer (&r, g_free);

  ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_SHA256, "Mufasa", "http-auth@example.org", "Circle of Life");
  r = net_sip_digest_compute_response (NET_SIP_DIGEST_SHA256, ha1, "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
                                       "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ", 1,
                                       NET_SIP_DIGEST_QOP_AUTH, "GET", "/dir/index.html", NULL);
  g_assert_cmpstr (r, ==, "753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1");
  g_clear_pointer (&ha1, g_free);
  g_clear_pointer (&r, g_free);

  /* The inputs of RFC 7616 §3.9.2 (without userhash). The response that
   * section prints does not follow from its inputs; this one is what
   * OpenSSL's SHA-512/256 (Python hashlib) gives for them. */
  ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_SHA512_256, "J\xc3\xa4s\xc3\xb8n Doe", "api@example.org",
                                    "Secret, or not?");
  r = net_sip_digest_compute_response (NET_SIP_DIGEST_SHA512_256, ha1,
                                       "5TsQWLVdgBdmrQ0XsxbDODV+57QdFR34I9HAbC/RVvkK",
                                       "NTg6RKcb9boFIAS3KrFK9BGeh+iDa/sm6jUMp2wds69v", 1,
                                       NET_SIP_DIGEST_QOP_AUTH, "GET", "/doe.json", NULL);
  g_assert_cmpstr (r, ==, "3798d4131c277846293534c3edc11bd8a5e4cdcbff78b05db9d95eeb1cec68a5");
}

/* -sess, auth-int and no qop, each against the formula written out with
 * net_sip_digest_hash() */
static void
test_variants (void)
{
  const char *nonce = "n0nce", *cnonce = "cn0nce", *uri = "sip:bob@example.org";
  g_autoptr(GBytes) body = g_bytes_new_static ("v=0\r\n", 5);
  g_autoptr(GBytes) other = g_bytes_new_static ("v=1\r\n", 5);

  for (NetSipDigestAlgorithm a = NET_SIP_DIGEST_MD5; a <= NET_SIP_DIGEST_SHA512_256_SESS; a++)
    {
      gboolean sess = a == NET_SIP_DIGEST_MD5_SESS || a == NET_SIP_DIGEST_SHA256_SESS ||
                      a == NET_SIP_DIGEST_SHA512_256_SESS;
      g_autofree char *ha1 = net_sip_digest_compute_ha1 (a, "alice", "example.org", "s3cret");
      g_autofree char *a1_text = g_strdup_printf ("%s:%s:%s", ha1, nonce, cnonce);
      g_autofree char *eff_ha1 = sess ? net_sip_digest_hash (a, (guint8 *) a1_text, strlen (a1_text))
                                      : g_strdup (ha1);
      g_autofree char *body_hash = net_sip_digest_hash (a, g_bytes_get_data (body, NULL), 5);
      g_autofree char *a2 = g_strdup_printf ("INVITE:%s:%s", uri, body_hash);
      g_autofree char *ha2 = net_sip_digest_hash (a, (guint8 *) a2, strlen (a2));
      g_autofree char *kd = g_strdup_printf ("%s:%s:0000002a:%s:auth-int:%s", eff_ha1, nonce, cnonce, ha2);
      g_autofree char *expect = net_sip_digest_hash (a, (guint8 *) kd, strlen (kd));
      g_autofree char *got = net_sip_digest_compute_response (a, ha1, nonce, cnonce, 42,
                                                              NET_SIP_DIGEST_QOP_AUTH_INT, "INVITE", uri, body);
      g_autofree char *changed = net_sip_digest_compute_response (a, ha1, nonce, cnonce, 42,
                                                                  NET_SIP_DIGEST_QOP_AUTH_INT, "INVITE", uri, other);

      g_assert_cmpstr (got, ==, expect);
      g_assert_cmpstr (changed, !=, expect);
      g_assert_cmpuint (strlen (got), ==, a <= NET_SIP_DIGEST_MD5_SESS ? 32 : 64);

      if (!sess)
        {
          /* RFC 2069: no qop, no cnonce */
          g_autofree char *a2b = g_strdup_printf ("REGISTER:%s", uri);
          g_autofree char *ha2b = net_sip_digest_hash (a, (guint8 *) a2b, strlen (a2b));
          g_autofree char *kdb = g_strdup_printf ("%s:%s:%s", ha1, nonce, ha2b);
          g_autofree char *expectb = net_sip_digest_hash (a, (guint8 *) kdb, strlen (kdb));
          g_autofree char *gotb = net_sip_digest_compute_response (a, ha1, nonce, NULL, 0, NET_SIP_DIGEST_QOP_NONE,
                                                                   "REGISTER", uri, NULL);
          g_assert_cmpstr (gotb, ==, expectb);
        }
    }
}

/* Several challenges in one 401: the strongest supported algorithm of the
 * realm asked for */
static void
test_choose (void)
{
  g_autoptr(GError) error = NULL;
  NetSipAuthParams *c[5];
  g_autoptr(NetSipAuthParams) best = NULL;

  c[0] = params ("Digest realm=\"a.example\", nonce=\"n1\", algorithm=MD5, qop=\"auth\"");
  c[1] = params ("Digest realm=\"a.example\", nonce=\"n2\", algorithm=SHA-256, qop=\"auth,auth-int\"");
  c[2] = params ("Basic realm=\"a.example\"");
  c[3] = params ("Digest realm=\"b.example\", nonce=\"n3\", algorithm=SHA-512-256, qop=\"auth\"");
  c[4] = params ("Digest realm=\"a.example\", nonce=\"n4\", algorithm=SHA3-256, qop=\"auth\"");

  best = net_sip_digest_choose_challenge (c, 5, "a.example", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_auth_params_get_param (best, "nonce"), ==, "n2");
  g_clear_pointer (&best, net_sip_auth_params_unref);

  best = net_sip_digest_choose_challenge (c, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_auth_params_get_param (best, "nonce"), ==, "n3");
  g_clear_pointer (&best, net_sip_auth_params_unref);

  best = net_sip_digest_choose_challenge (c + 2, 1, NULL, &error);
  g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED);
  g_assert_null (best);
  g_clear_error (&error);

  /* only SHA3 and qop values nobody knows: nothing usable */
  {
    NetSipAuthParams *odd[2] = { c[4], params ("Digest realm=\"a\", nonce=\"x\", qop=\"auth-conf\"") };
    best = net_sip_digest_choose_challenge (odd, 2, NULL, &error);
    g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED);
    g_clear_error (&error);
    net_sip_auth_params_unref (odd[1]);
  }
  for (guint i = 0; i < G_N_ELEMENTS (c); i++)
    net_sip_auth_params_unref (c[i]);
}

/* What the client builds, the server accepts; anything changed fails. */
static void
test_credentials_round_trip (void)
{
  const char *challenges[] = {
    "Digest realm=\"example.org\", nonce=\"abc123\", algorithm=MD5, qop=\"auth\", opaque=\"0p\"",
    "Digest realm=\"example.org\", nonce=\"abc123\", algorithm=SHA-256-sess, qop=\"auth-int\"",
    "Digest realm=\"example.org\", nonce=\"abc123\", algorithm=SHA-512-256, qop=\"auth\"",
    "Digest realm=\"example.org\", nonce=\"abc123\"",
  };
  g_autoptr(GBytes) body = g_bytes_new_static ("hello", 5);

  for (guint i = 0; i < G_N_ELEMENTS (challenges); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipAuthParams) challenge = params (challenges[i]);
      g_autoptr(NetSipAuthParams) creds = NULL;
      NetSipDigestAlgorithm a;
      g_autofree char *value = NULL;
      g_autofree char *ha1 = NULL;
      g_autofree char *wrong = NULL;

      g_assert_true (net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (challenge, "algorithm"), &a));
      value = net_sip_digest_build_credentials (challenge, "al\"ice", "pw", NULL, "REGISTER",
                                                "sip:example.org", body, 3, NULL, &error);
      g_assert_no_error (error);
      g_test_message ("%s", value);
      creds = params (value);
      g_assert_cmpstr (net_sip_auth_params_get_param (creds, "username"), ==, "al\"ice");
      g_assert_cmpstr (net_sip_auth_params_get_param (creds, "realm"), ==, "example.org");
      g_assert_cmpstr (net_sip_auth_params_get_param (creds, "uri"), ==, "sip:example.org");
      g_assert_cmpstr (net_sip_auth_params_get_param (creds, "algorithm"), ==, net_sip_digest_algorithm_to_string (a));
      if (i == 0)
        g_assert_cmpstr (net_sip_auth_params_get_param (creds, "opaque"), ==, "0p");
      if (i < 3)
        {
          g_assert_cmpstr (net_sip_auth_params_get_param (creds, "nc"), ==, "00000003");
          g_assert_cmpuint (strlen (net_sip_auth_params_get_param (creds, "cnonce")), >=, 16);
        }
      else
        {
          g_assert_null (net_sip_auth_params_get_param (creds, "qop"));
          g_assert_null (net_sip_auth_params_get_param (creds, "nc"));
        }

      ha1 = net_sip_digest_compute_ha1 (a, "al\"ice", "example.org", "pw");
      g_assert_true (net_sip_digest_check_credentials (creds, "REGISTER", body, ha1, &error));
      g_assert_no_error (error);

      /* another method, password or (for auth-int) body */
      g_assert_false (net_sip_digest_check_credentials (creds, "INVITE", body, ha1, &error));
      g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MISMATCH);
      g_clear_error (&error);
      wrong = net_sip_digest_compute_ha1 (a, "al\"ice", "example.org", "pW");
      g_assert_false (net_sip_digest_check_credentials (creds, "REGISTER", body, wrong, &error));
      g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MISMATCH);
      g_clear_error (&error);
      if (i == 1)
        {
          g_autoptr(GBytes) changed = g_bytes_new_static ("hellO", 5);
          g_assert_false (net_sip_digest_check_credentials (creds, "REGISTER", changed, ha1, &error));
          g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MISMATCH);
          g_clear_error (&error);
        }

      /* given HA1 instead of the password, the same credentials */
      {
        g_autofree char *again = net_sip_digest_build_credentials (challenge, "al\"ice", NULL, ha1, "REGISTER",
                                                                   "sip:example.org", body, 3,
                                                                   net_sip_auth_params_get_param (creds, "cnonce"),
                                                                   &error);
        g_assert_no_error (error);
        g_assert_cmpstr (again, ==, value);
      }
    }
}

static void
test_bad_credentials (void)
{
  const struct { const char *text; gint code; } cases[] = {
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\"", NET_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", response=\"00\"", NET_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", qop=auth",
      NET_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", qop=auth, cnonce=\"c\", nc=1",
      NET_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", algorithm=MD5-sess",
      NET_SIP_AUTH_ERROR_MALFORMED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", algorithm=SHA-1",
      NET_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\", qop=auth-conf, cnonce=\"c\", nc=00000001",
      NET_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Basic YWxhZGRpbjpvcGVuc2VzYW1l", NET_SIP_AUTH_ERROR_UNSUPPORTED },
    { "Digest username=\"a\", realm=\"r\", nonce=\"n\", uri=\"sip:x\", response=\"00\"", NET_SIP_AUTH_ERROR_MISMATCH },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipAuthParams) creds = params (cases[i].text);
      g_assert_false (net_sip_digest_check_credentials (creds, "REGISTER", NULL, "0123", &error));
      g_assert_error (error, NET_SIP_AUTH_ERROR, cases[i].code);
    }

  /* a challenge without a nonce cannot be answered */
  {
    g_autoptr(GError) error = NULL;
    g_autoptr(NetSipAuthParams) ch = params ("Digest realm=\"r\"");
    g_autofree char *v = net_sip_digest_build_credentials (ch, "a", "b", NULL, "REGISTER", "sip:r", NULL, 1, NULL, &error);
    g_assert_null (v);
    g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MALFORMED);
  }
}

static void
test_nonces (void)
{
  g_autoptr(GBytes) secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  g_autoptr(GBytes) other = g_bytes_new_static ("fedcba9876543210fedcba9876543210", 32);
  g_autofree char *n1 = net_sip_digest_nonce_new (secret, 1000000);
  g_autofree char *n2 = net_sip_digest_nonce_new (secret, 1000000);
  g_autofree char *tampered = g_strdup (n1);
  gint64 t = 0;

  g_assert_cmpuint (strlen (n1), ==, 64);
  g_assert_cmpstr (n1, !=, n2);  /* salted: two nonces of one second differ */
  g_assert_cmpint (net_sip_digest_nonce_check (secret, n1, 1000000, 30, &t), ==, NET_SIP_DIGEST_NONCE_VALID);
  g_assert_cmpint (t, ==, 1000000);
  g_assert_cmpint (net_sip_digest_nonce_check (secret, n1, 1000030, 30, NULL), ==, NET_SIP_DIGEST_NONCE_VALID);
  g_assert_cmpint (net_sip_digest_nonce_check (secret, n1, 1000031, 30, NULL), ==, NET_SIP_DIGEST_NONCE_STALE);
  g_assert_cmpint (net_sip_digest_nonce_check (other, n1, 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
  /* dated far in the future: forged or a broken clock */
  g_assert_cmpint (net_sip_digest_nonce_check (secret, n1, 1000000 - 3600, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);

  tampered[15] = tampered[15] == '0' ? '1' : '0';  /* another time stamp, same MAC */
  g_assert_cmpint (net_sip_digest_nonce_check (secret, tampered, 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
  g_assert_cmpint (net_sip_digest_nonce_check (secret, "", 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
  g_assert_cmpint (net_sip_digest_nonce_check (secret, "zz", 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
  {
    g_autofree char *long_one = g_strconcat (n1, "0", NULL);
    g_autofree char *not_hex = g_strdup (n1);
    not_hex[40] = 'g';
    g_assert_cmpint (net_sip_digest_nonce_check (secret, long_one, 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
    g_assert_cmpint (net_sip_digest_nonce_check (secret, not_hex, 1000000, 30, NULL), ==, NET_SIP_DIGEST_NONCE_INVALID);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/digest/hashes", test_hashes);
  g_test_add_func ("/digest/algorithm-names", test_algorithm_names);
  g_test_add_func ("/digest/rfc-examples", test_rfc_examples);
  g_test_add_func ("/digest/variants", test_variants);
  g_test_add_func ("/digest/choose", test_choose);
  g_test_add_func ("/digest/credentials-round-trip", test_credentials_round_trip);
  g_test_add_func ("/digest/bad-credentials", test_bad_credentials);
  g_test_add_func ("/digest/nonces", test_nonces);
  return g_test_run ();
}
