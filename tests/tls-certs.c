/* tls-certs.c: certificates for TLS tests, made at test time with certtool
 * (Debian gnutls-bin), so that no key is kept in the repository and none
 * expires
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "tls-certs.h"

#include <glib/gstdio.h>

static const char ca_template[] =
  "cn = \"netsip-glib test CA\"\n"
  "ca\n"
  "cert_signing_key\n"
  "expiration_days = 30\n";

/* The server certificate doubles as a client certificate: a leg offers its
 * one certificate in both roles (Net::SIP's SocketPool does the same). */
static const char server_template[] =
  "cn = \"sip.test\"\n"
  "dns_name = \"sip.test\"\n"
  "ip_address = \"127.0.0.1\"\n"
  "ip_address = \"::1\"\n"
  "tls_www_server\n"
  "tls_www_client\n"
  "signing_key\n"
  "expiration_days = 30\n";

static const char client_template[] =
  "cn = \"client.test\"\n"
  "dns_name = \"client.test\"\n"
  "tls_www_client\n"
  "signing_key\n"
  "expiration_days = 30\n";

/* Returns TRUE if `certtool` is on PATH. */
gboolean
netsip_test_have_certtool (void)
{
  g_autofree char *path = g_find_program_in_path ("certtool");
  return path != NULL;
}

static gboolean
certtool (const char  *dir,
          const char **args,
          GError     **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint status = 0;

  g_ptr_array_add (argv, (gpointer) "certtool");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  if (!g_spawn_sync (dir, (char **) argv->pdata, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     &out, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_SPAWN_ERROR, G_SPAWN_ERROR_FAILED,
                   "certtool %s failed: %s", args[0], err ? err : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
write_file (const char  *dir,
            const char  *name,
            const char  *contents,
            GError     **error)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  return g_file_set_contents (path, contents, -1, error);
}

static gboolean
make_key (const char  *dir,
          const char  *key,
          GError     **error)
{
  /* ECDSA P-256: generated in milliseconds, unlike RSA */
  const char *args[] = { "--generate-privkey", "--key-type=ecdsa", "--no-text",
                         "--outfile", key, NULL };
  return certtool (dir, args, error);
}

static gboolean
make_signed (const char  *dir,
             const char  *name,
             const char  *template,
             GError     **error)
{
  g_autofree char *key = g_strdup_printf ("%s-key.pem", name);
  g_autofree char *cert = g_strdup_printf ("%s.pem", name);
  g_autofree char *tmpl = g_strdup_printf ("%s.tmpl", name);
  const char *args[] = { "--generate-certificate", "--no-text",
                         "--load-privkey", key,
                         "--load-ca-certificate", "ca.pem",
                         "--load-ca-privkey", "ca-key.pem",
                         "--template", tmpl,
                         "--outfile", cert, NULL };

  return write_file (dir, tmpl, template, error) &&
         make_key (dir, key, error) &&
         certtool (dir, args, error);
}

/* A fresh temporary directory for netsip_test_make_certs(). */
char *
netsip_test_make_cert_dir (GError **error)
{
  return g_dir_make_tmp ("netsip-certs-XXXXXX", error);
}

/* Makes the CA and the server and client certificates (see tls-certs.h)
 * in @dir. Fails with G_SPAWN_ERROR_NOENT when certtool is missing. */
gboolean
netsip_test_make_certs (const char  *dir,
                        GError     **error)
{
  const char *ca_args[] = { "--generate-self-signed", "--no-text",
                            "--load-privkey", "ca-key.pem",
                            "--template", "ca.tmpl",
                            "--outfile", "ca.pem", NULL };

  if (!netsip_test_have_certtool ())
    {
      g_set_error_literal (error, G_SPAWN_ERROR, G_SPAWN_ERROR_NOENT,
                           "certtool not found (Debian package gnutls-bin)");
      return FALSE;
    }
  return write_file (dir, "ca.tmpl", ca_template, error) &&
         make_key (dir, "ca-key.pem", error) &&
         certtool (dir, ca_args, error) &&
         make_signed (dir, "server", server_template, error) &&
         make_signed (dir, "client", client_template, error);
}

/* Removes @dir and the files netsip_test_make_certs() wrote there. */
void
netsip_test_remove_cert_dir (const char *dir)
{
  static const char *names[] = {
    "ca.tmpl", "ca.pem", "ca-key.pem",
    "server.tmpl", "server.pem", "server-key.pem",
    "client.tmpl", "client.pem", "client-key.pem",
  };

  if (dir == NULL)
    return;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (dir, names[i], NULL);
      g_unlink (path);
    }
  g_rmdir (dir);
}

/* @name: "server" or "client"; loads <name>.pem with <name>-key.pem. */
GTlsCertificate *
netsip_test_load_certificate (const char  *dir,
                              const char  *name,
                              GError     **error)
{
  g_autofree char *cert = g_strdup_printf ("%s/%s.pem", dir, name);
  g_autofree char *key = g_strdup_printf ("%s/%s-key.pem", dir, name);
  return g_tls_certificate_new_from_files (cert, key, error);
}

/* A trust store holding only the test CA. */
GTlsDatabase *
netsip_test_load_ca (const char  *dir,
                     GError     **error)
{
  g_autofree char *ca = g_build_filename (dir, "ca.pem", NULL);
  return g_tls_file_database_new (ca, error);
}
