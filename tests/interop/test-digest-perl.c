/* test-digest-perl.c: digest credentials from a real peer, Perl Net::SIP
 * (libnet-sip-perl), checked by net_sip_digest_check_credentials()
 *
 * For a 401 (WWW-Authenticate) and a 407 (Proxy-Authenticate) carrying a
 * nonce from net_sip_digest_nonce_new(), tests/interop/digest.pl lets
 * Net::SIP::Request::authorize answer (it knows MD5 with and without qop
 * auth), and the credentials it prints must pass our check and fail with
 * another password. The script runs as a child with its own 20 s alarm;
 * the test also ends it by its PID after 30 s.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <glib/gstdio.h>
#include "netsip.h"
#include "child-process.h"
#include "peer-util.h"

#define PEER_TIMEOUT 30

static gboolean
perl_has_net_sip (void)
{
  gint status = 0;

  return g_spawn_command_line_sync ("perl -MNet::SIP -e 1", NULL, NULL, &status, NULL) &&
         g_spawn_check_wait_status (status, NULL);
}

/* Runs digest.pl; returns its output lines (without "done"), or NULL
 * after g_test_skip when perl or Net::SIP is missing. */
static char **
perl_authorize (const char *request,
                const char *response,
                const char *user,
                const char *password)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *perl = g_find_program_in_path ("perl");
  g_autofree char *dir = g_dir_make_tmp ("netsip-digest-XXXXXX", &error);
  g_autofree char *req_file = NULL, *resp_file = NULL;
  g_autofree char *script = g_build_filename (NETSIP_INTEROP_DIR, "digest.pl", NULL);
  g_autofree char *out = NULL;
  char **lines;
  guint n;

  g_assert_no_error (error);
  if (perl == NULL || !perl_has_net_sip ())
    {
      g_test_skip ("perl with Net::SIP (libnet-sip-perl) is not installed");
      return NULL;
    }
  req_file = netsip_test_write_file (dir, "request.sip", request, -1);
  resp_file = netsip_test_write_file (dir, "response.sip", response, -1);
  {
    const char *argv[] = { perl, script, req_file, resp_file, user, password, NULL };
    g_assert_cmpint (netsip_test_child_run ("digest.pl", NULL, argv, PEER_TIMEOUT, &out), ==, 0);
  }
  netsip_test_remove_tree (dir);

  lines = g_strsplit (out, "\n", -1);
  n = g_strv_length (lines);
  g_assert_cmpuint (n, >=, 2);
  g_assert_cmpstr (lines[n - 2], ==, "done");
  /* "done" and the empty string after the last newline */
  g_free (lines[n - 2]);
  g_free (lines[n - 1]);
  lines[n - 2] = NULL;
  return lines;
}

static void
check_peer_credentials (const char *header,
                        const char *qop)
{
  g_autoptr(GBytes) secret = g_bytes_new_static ("a secret of the test registrar", 30);
  g_autofree char *nonce = net_sip_digest_nonce_new (secret, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *request = g_strdup (
    "REGISTER sip:example.test SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKdigest1\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:alice@example.test>;tag=a1\r\n"
    "To: <sip:alice@example.test>\r\n"
    "Call-ID: digest-perl@127.0.0.1\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Contact: <sip:alice@127.0.0.1:5070>\r\n"
    "Content-Length: 0\r\n\r\n");
  g_autofree char *response = g_strdup_printf (
    "SIP/2.0 %s\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKdigest1\r\n"
    "From: <sip:alice@example.test>;tag=a1\r\n"
    "To: <sip:alice@example.test>;tag=r1\r\n"
    "Call-ID: digest-perl@127.0.0.1\r\n"
    "CSeq: 1 REGISTER\r\n"
    "%s: Digest realm=\"example.test\", nonce=\"%s\", algorithm=MD5%s%s%s, opaque=\"op4que\"\r\n"
    "Content-Length: 0\r\n\r\n",
    g_str_equal (header, "WWW-Authenticate") ? "401 Unauthorized" : "407 Proxy Authentication Required",
    header, nonce, qop ? ", qop=\"" : "", qop ? qop : "", qop ? "\"" : "");
  g_auto(GStrv) lines = perl_authorize (request, response, "alice", "wonder land");
  g_autofree char *ha1 = NULL;
  g_autofree char *wrong = NULL;
  const char *expect_header = g_str_equal (header, "WWW-Authenticate") ? "authorization: " : "proxy-authorization: ";
  g_autoptr(NetSipAuthParams) creds = NULL;
  g_autoptr(GError) error = NULL;

  if (lines == NULL)
    return;
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  g_test_message ("Net::SIP: %s", lines[0]);
  g_assert_true (g_str_has_prefix (lines[0], expect_header));
  creds = net_sip_auth_params_parse (lines[0] + strlen (expect_header), -1, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_auth_params_get_param (creds, "nonce"), ==, nonce);
  g_assert_cmpstr (net_sip_auth_params_get_param (creds, "opaque"), ==, "op4que");
  g_assert_cmpstr (net_sip_auth_params_get_param (creds, "uri"), ==, "sip:example.test");
  if (qop)
    g_assert_cmpstr (net_sip_auth_params_get_param (creds, "qop"), ==, "auth");
  else
    g_assert_null (net_sip_auth_params_get_param (creds, "qop"));
  g_assert_cmpint (net_sip_digest_nonce_check (secret, net_sip_auth_params_get_param (creds, "nonce"),
                                               g_get_real_time () / G_USEC_PER_SEC, 30, NULL),
                   ==, NET_SIP_DIGEST_NONCE_VALID);

  ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "alice", "example.test", "wonder land");
  g_assert_true (net_sip_digest_check_credentials (creds, "REGISTER", NULL, ha1, &error));
  g_assert_no_error (error);
  wrong = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "alice", "example.test", "wonderland");
  g_assert_false (net_sip_digest_check_credentials (creds, "REGISTER", NULL, wrong, &error));
  g_assert_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MISMATCH);
}

static void
test_www_qop_auth (void)
{
  check_peer_credentials ("WWW-Authenticate", "auth,auth-int");
}

static void
test_www_no_qop (void)
{
  check_peer_credentials ("WWW-Authenticate", NULL);
}

static void
test_proxy_qop_auth (void)
{
  check_peer_credentials ("Proxy-Authenticate", "auth");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/interop/digest-perl/www-qop-auth", test_www_qop_auth);
  g_test_add_func ("/interop/digest-perl/www-no-qop", test_www_no_qop);
  g_test_add_func ("/interop/digest-perl/proxy-qop-auth", test_proxy_qop_auth);
  return g_test_run ();
}
