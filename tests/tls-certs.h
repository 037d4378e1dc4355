/* tls-certs.h: certificates for TLS tests, made at test time with certtool
 * (Debian gnutls-bin)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* File names, relative to the directory given to netsip_test_make_certs() */
#define NETSIP_TEST_CA_CERT      "ca.pem"
#define NETSIP_TEST_CA_KEY       "ca-key.pem"
#define NETSIP_TEST_SERVER_CERT  "server.pem"
#define NETSIP_TEST_SERVER_KEY   "server-key.pem"
#define NETSIP_TEST_CLIENT_CERT  "client.pem"
#define NETSIP_TEST_CLIENT_KEY   "client-key.pem"

/* Files written by netsip_test_make_certs() into its directory:
 *   ca.pem, ca-key.pem           a CA, trusted by nothing but the tests
 *   server.pem, server-key.pem   DNS:sip.test, IP:127.0.0.1, IP:::1;
 *                                usable as TLS server and client
 *   client.pem, client-key.pem   DNS:client.test, TLS client only
 * All signed by the CA, valid for 30 days from now. */

gboolean         netsip_test_have_certtool      (void);
char            *netsip_test_make_cert_dir      (GError     **error);
gboolean         netsip_test_make_certs         (const char  *dir,
                                                 GError     **error);
void             netsip_test_remove_cert_dir    (const char  *dir);
GTlsCertificate *netsip_test_load_certificate   (const char  *dir,
                                                 const char  *name,
                                                 GError     **error);
GTlsDatabase    *netsip_test_load_ca            (const char  *dir,
                                                 GError     **error);

G_END_DECLS
