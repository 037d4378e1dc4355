/* netsip-proxy.c: a stateless SIP proxy with an optional registrar, digest
 * authentication and a media relay, assembled from netsip-glib's parts
 * (NetSipDispatcher, NetSipAuthorizer, NetSipRegistrar, NetSipStatelessProxy,
 * NetSipNatHelper, NetSipReceiveChain).
 *
 *   netsip-proxy --listen udp:127.0.0.1:5060 [--listen tcp:... --listen tls:...
 *                --tls-cert F --tls-key F] [--registrar] [--domain D]...
 *                [--users FILE] [--realm R] [--record-route] [--nat-helper]
 *                [--digest-algorithms A,B] [--bindings-db FILE]
 *                [--domain2proxy D=PROXY]...
 *                [--config FILE]
 *
 * The receive chain, in order:
 *   1. with --registrar: REGISTER requests go to [authorizer (401, when
 *      --users)] -> registrar (SQLite at --bindings-db, in memory without);
 *   2. everything else to [authorizer (407, proxy mode, when --users)] ->
 *      stateless proxy. The proxy asks the registrar for the address of
 *      record of a Request-URI (lookup-aor), else routes by the dispatcher
 *      (--domain2proxy, RFC 3263 DNS); --record-route adds Record-Route;
 *      --nat-helper relays the media of calls crossing legs.
 *
 * --users FILE: one user a line, `user:password` or `user:realm:HA1`
 * (HA1 = 32 hex digits for MD5, 64 for SHA-256, of `user:realm:password`;
 * realm must be the --realm); empty lines and lines starting with `#` are
 * skipped. The challenges offer --digest-algorithms (default SHA-256 then
 * MD5, RFC 8760 §2.4; sipp 3.6.1 reads only the first challenge and needs
 * MD5 alone), less the algorithms some user's HA1 cannot answer.
 *
 * --config FILE: a GKeyFile with a group [netsip-proxy] and the long option
 * names as keys (`listen=udp:127.0.0.1:5060;tcp:127.0.0.1:5060`,
 * `registrar=true`, `users=users.txt`...); relative paths are relative to
 * the file's directory. Options given on the command line win.
 *
 * Output: `listening on udp:127.0.0.1:5060` on stdout per leg once all are
 * bound (the port the system gave when 0 was asked). Logs go through GLib
 * (stderr; G_MESSAGES_DEBUG=all for more). SIGUSR1 logs the counters and
 * the media relay's sessions; a relay session that ends is logged with its
 * final counters. SIGINT and SIGTERM end it cleanly with status 0. Bad
 * options or files: a message on stderr and status 2; a leg that cannot be
 * bound: status 1.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <glib-unix.h>

#include "netsip.h"

#define CONFIG_GROUP "netsip-proxy"
#define EXIT_USAGE   2

typedef struct
{
  char    **listen;
  char     *tls_cert;
  char     *tls_key;
  gboolean  registrar;
  char    **domains;
  char     *users;
  char     *realm;
  char     *algorithms;
  gboolean  record_route;
  gboolean  nat_helper;
  char     *bindings_db;
  char    **domain2proxy;
  char     *config;
} Options;

typedef struct
{
  GMainLoop            *loop;
  GPtrArray            *legs;
  NetSipDispatcher     *dispatcher;
  NetSipReceiveChain   *chain;
  NetSipRegistrar      *registrar;
  NetSipStatelessProxy *proxy;
  NetSipNatHelper      *nat;
  NetSipAuthorizer     *www_auth;
  NetSipAuthorizer     *proxy_auth;
} Proxy;

static void
options_clear (Options *o)
{
  g_strfreev (o->listen);
  g_free (o->tls_cert);
  g_free (o->tls_key);
  g_strfreev (o->domains);
  g_free (o->users);
  g_free (o->realm);
  g_free (o->algorithms);
  g_free (o->bindings_db);
  g_strfreev (o->domain2proxy);
  g_free (o->config);
}

static int G_GNUC_PRINTF (1, 2)
usage_error (const char *format,
             ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("netsip-proxy: %s\n", text);
  return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* --config                                                            */

static char *
config_path (const char *config_dir,
             const char *value)
{
  if (value == NULL || *value == '\0' || g_path_is_absolute (value))
    return g_strdup (value);
  return g_build_filename (config_dir, value, NULL);
}

/* Fills what the command line left unset from the key file. */
static gboolean
load_config (Options  *o,
             GError  **error)
{
  static const char *const known[] = {
    "listen", "tls-cert", "tls-key", "registrar", "domain", "users", "realm",
    "digest-algorithms", "record-route", "nat-helper", "bindings-db", "domain2proxy", NULL
  };
  g_autoptr(GKeyFile) kf = g_key_file_new ();
  g_autofree char *dir = NULL;
  g_auto(GStrv) keys = NULL;
  g_auto(GStrv) groups = NULL;

  if (!g_key_file_load_from_file (kf, o->config, G_KEY_FILE_NONE, error))
    return FALSE;
  groups = g_key_file_get_groups (kf, NULL);
  for (guint i = 0; groups[i]; i++)
    if (!g_str_equal (groups[i], CONFIG_GROUP))
      {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_GROUP_NOT_FOUND,
                     "unknown group [%s] (the settings go into [%s])", groups[i], CONFIG_GROUP);
        return FALSE;
      }
  if (!g_key_file_has_group (kf, CONFIG_GROUP))
    return TRUE;
  keys = g_key_file_get_keys (kf, CONFIG_GROUP, NULL, error);
  if (keys == NULL)
    return FALSE;
  for (guint i = 0; keys[i]; i++)
    if (!g_strv_contains (known, keys[i]))
      {
        g_set_error (error, G_KEY_FILE_ERROR, G_KEY_FILE_ERROR_KEY_NOT_FOUND,
                     "unknown key '%s' in [%s]", keys[i], CONFIG_GROUP);
        return FALSE;
      }
  dir = g_path_get_dirname (o->config);

#define GET_BOOL(field, key)                                                  \
  if (!o->field && g_key_file_has_key (kf, CONFIG_GROUP, key, NULL))          \
    {                                                                         \
      GError *e = NULL;                                                       \
      o->field = g_key_file_get_boolean (kf, CONFIG_GROUP, key, &e);          \
      if (e)                                                                  \
        {                                                                     \
          g_propagate_prefixed_error (error, e, "key '%s': ", key);           \
          return FALSE;                                                       \
        }                                                                     \
    }
#define GET_LIST(field, key)                                                  \
  if (o->field == NULL && g_key_file_has_key (kf, CONFIG_GROUP, key, NULL))   \
    {                                                                         \
      o->field = g_key_file_get_string_list (kf, CONFIG_GROUP, key, NULL, error); \
      if (o->field == NULL)                                                   \
        return FALSE;                                                         \
    }
#define GET_STRING(field, key, is_path)                                       \
  if (o->field == NULL && g_key_file_has_key (kf, CONFIG_GROUP, key, NULL))   \
    {                                                                         \
      g_autofree char *v = g_key_file_get_string (kf, CONFIG_GROUP, key, error); \
      if (v == NULL)                                                          \
        return FALSE;                                                         \
      o->field = is_path ? config_path (dir, v) : g_steal_pointer (&v);       \
    }

  GET_LIST (listen, "listen");
  GET_STRING (tls_cert, "tls-cert", TRUE);
  GET_STRING (tls_key, "tls-key", TRUE);
  GET_BOOL (registrar, "registrar");
  GET_LIST (domains, "domain");
  GET_STRING (users, "users", TRUE);
  GET_STRING (realm, "realm", FALSE);
  GET_STRING (algorithms, "digest-algorithms", FALSE);
  GET_BOOL (record_route, "record-route");
  GET_BOOL (nat_helper, "nat-helper");
  GET_STRING (bindings_db, "bindings-db", TRUE);
  GET_LIST (domain2proxy, "domain2proxy");
#undef GET_BOOL
#undef GET_LIST
#undef GET_STRING
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* --users                                                             */

#define ALG_MD5        (1u << 0)
#define ALG_SHA256     (1u << 1)
#define ALG_SHA512_256 (1u << 2)
#define ALG_ALL        (ALG_MD5 | ALG_SHA256 | ALG_SHA512_256)

static guint
algorithm_bit (NetSipDigestAlgorithm alg)
{
  switch (alg)
    {
    case NET_SIP_DIGEST_MD5:
      return ALG_MD5;
    case NET_SIP_DIGEST_SHA256:
      return ALG_SHA256;
    case NET_SIP_DIGEST_SHA512_256:
      return ALG_SHA512_256;
    default:
      return 0;
    }
}

static gboolean
is_hex (const char *s,
        gsize       len)
{
  if (strlen (s) != len)
    return FALSE;
  for (gsize i = 0; i < len; i++)
    if (!g_ascii_isxdigit (s[i]))
      return FALSE;
  return TRUE;
}

/* Loads @path into @auths; sets the algorithms every user can answer, in
 * the order of @wanted (NULL: SHA-256, MD5). */
static gboolean
load_users (const char         *path,
            const char         *realm,
            const char * const *wanted,
            NetSipAuthorizer  **auths,
            guint               n_auths,
            GError            **error)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GHashTable) algs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  GHashTableIter iter;
  gpointer value;
  guint common = ALG_ALL;
  guint n_users = 0;

  if (!g_file_get_contents (path, &text, NULL, error))
    return FALSE;
  if (!g_utf8_validate (text, -1, NULL))
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not UTF-8 text", path);
      return FALSE;
    }
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      char *line = g_strstrip (lines[i]);
      g_auto(GStrv) f = NULL;
      guint mask;

      if (*line == '\0' || *line == '#')
        continue;
      f = g_strsplit (line, ":", 3);
      if (g_strv_length (f) < 2 || *f[0] == '\0')
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s:%u: expected user:password or user:realm:HA1", path, i + 1);
          return FALSE;
        }
      if (f[2] && (is_hex (f[2], 32) || is_hex (f[2], 64)))
        {
          NetSipDigestAlgorithm alg = strlen (f[2]) == 32 ? NET_SIP_DIGEST_MD5 : NET_SIP_DIGEST_SHA256;
          g_autofree char *ha1 = g_ascii_strdown (f[2], -1);

          if (g_strcmp0 (f[1], realm) != 0)
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s:%u: HA1 for realm '%s', but the realm is '%s' (--realm)",
                           path, i + 1, f[1], realm);
              return FALSE;
            }
          for (guint k = 0; k < n_auths; k++)
            net_sip_authorizer_set_ha1 (auths[k], f[0], alg, ha1);
          mask = alg == NET_SIP_DIGEST_MD5 ? ALG_MD5 : ALG_SHA256;
        }
      else
        {
          /* user:password (the password may hold ':') */
          const char *password = line + strlen (f[0]) + 1;
          for (guint k = 0; k < n_auths; k++)
            net_sip_authorizer_set_password (auths[k], f[0], password);
          mask = ALG_ALL;
        }
      g_hash_table_insert (algs, g_strdup (f[0]),
                           GUINT_TO_POINTER (GPOINTER_TO_UINT (g_hash_table_lookup (algs, f[0])) | mask));
    }
  g_hash_table_iter_init (&iter, algs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      common &= GPOINTER_TO_UINT (value);
      n_users++;
    }
  if (n_users == 0)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no users", path);
      return FALSE;
    }
  if (wanted == NULL)
    {
      /* the default, less what some user's HA1 cannot answer */
      const char *names[3] = { NULL, NULL, NULL };
      guint n = 0;

      if (common & ALG_SHA256)
        names[n++] = "SHA-256";
      if (common & ALG_MD5)
        names[n++] = "MD5";
      if (n == 0)
        {
          g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                       "%s: some users have only an MD5 HA1, others only a SHA-256 HA1: "
                       "no challenge all of them can answer", path);
          return FALSE;
        }
      for (guint k = 0; k < n_auths; k++)
        net_sip_authorizer_set_algorithms (auths[k], names);
    }
  else
    {
      for (guint i = 0; wanted[i]; i++)
        {
          NetSipDigestAlgorithm alg;

          net_sip_digest_algorithm_from_string (wanted[i], &alg);
          if (!(common & algorithm_bit (alg)))
            {
              g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                           "%s: a user has no password or HA1 for %s (--digest-algorithms)",
                           path, wanted[i]);
              return FALSE;
            }
        }
      for (guint k = 0; k < n_auths; k++)
        net_sip_authorizer_set_algorithms (auths[k], wanted);
    }
  g_info ("%u users from %s", n_users, path);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Hooks                                                               */

/* The registrar's best binding (highest q, then most recent: the order of
 * net_sip_registrar_lookup()) becomes the Request-URI: a stateless proxy
 * forwards to one target (RFC 3261 §16.11). */
static char *
on_lookup_aor (NetSipStatelessProxy *proxy,
               const char           *aor,
               NetSipRequest        *request,
               gpointer              user_data)
{
  NetSipRegistrar *registrar = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) bindings = net_sip_registrar_lookup (registrar, aor, &error);
  const char *contact;

  if (bindings == NULL)
    {
      g_warning ("lookup of %s failed: %s", aor, error->message);
      return NULL;
    }
  if (bindings->len == 0)
    return NULL;
  contact = net_sip_binding_get_contact (g_ptr_array_index (bindings, 0));
  g_debug ("%s -> %s", aor, contact);
  return g_strdup (contact);
}

static guint
on_do_nat (NetSipStatelessProxy *proxy,
           NetSipMessage        *message,
           NetSipLeg            *incoming,
           NetSipLeg            *outgoing,
           gpointer              user_data)
{
  NetSipNatHelper *nat = user_data;
  g_autoptr(GError) error = NULL;
  gboolean request = net_sip_message_is_request (message);
  gboolean ok;

  if (request)
    ok = net_sip_nat_helper_rewrite_request (nat, NET_SIP_REQUEST (message), incoming, outgoing, &error);
  else
    ok = net_sip_nat_helper_rewrite_response (nat, NET_SIP_RESPONSE (message), incoming, outgoing, &error);
  if (ok)
    return 0;
  g_message ("media relay refused a %s: %s", request ? "request" : "response", error->message);
  if (!request)
    return 500;   /* the proxy drops the response */
  if (g_error_matches (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_NO_PORTS) ||
      g_error_matches (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS))
    return 503;
  if (g_error_matches (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_INVALID))
    return 400;
  return 488;
}

static void
log_media (const char *call_id,
           GVariant   *session)
{
  g_autoptr(GVariant) media = NULL;
  const char *state = "?";
  GVariantIter iter;
  GVariant *m;

  g_variant_lookup (session, "state", "&s", &state);
  media = g_variant_lookup_value (session, "media", G_VARIANT_TYPE ("aa{sv}"));
  if (media == NULL)
    return;
  g_variant_iter_init (&iter, media);
  while ((m = g_variant_iter_next_value (&iter)))
    {
      guint32 index = 0;
      guint64 pc = 0, bc = 0, pe = 0, be = 0, dropped = 0;

      g_variant_lookup (m, "index", "u", &index);
      g_variant_lookup (m, "packets-from-caller", "t", &pc);
      g_variant_lookup (m, "bytes-from-caller", "t", &bc);
      g_variant_lookup (m, "packets-from-callee", "t", &pe);
      g_variant_lookup (m, "bytes-from-callee", "t", &be);
      g_variant_lookup (m, "dropped-packets", "t", &dropped);
      g_message ("relay call-id=%s state=%s media=%u packets-from-caller=%" G_GUINT64_FORMAT
                 " bytes-from-caller=%" G_GUINT64_FORMAT " packets-from-callee=%" G_GUINT64_FORMAT
                 " bytes-from-callee=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT,
                 call_id, state, index, pc, bc, pe, be, dropped);
      g_variant_unref (m);
    }
}

static void
on_session_closed (NetSipNatHelper *nat,
                   const char      *call_id,
                   GVariant        *stats,
                   gpointer         user_data)
{
  log_media (call_id, stats);
}

static gboolean
on_usr1 (gpointer user_data)
{
  Proxy *p = user_data;
  guint64 requests = 0, responses = 0, rejected = 0, dropped = 0;

  g_object_get (p->proxy, "n-forwarded-requests", &requests, "n-forwarded-responses", &responses,
                "n-rejected", &rejected, "n-dropped", &dropped, NULL);
  g_message ("proxy forwarded-requests=%" G_GUINT64_FORMAT " forwarded-responses=%" G_GUINT64_FORMAT
             " rejected=%" G_GUINT64_FORMAT " dropped=%" G_GUINT64_FORMAT,
             requests, responses, rejected, dropped);
  if (p->registrar)
    {
      guint64 registered = 0, queries = 0, refused = 0;
      g_object_get (p->registrar, "registered-requests", &registered, "query-requests", &queries,
                    "rejected-requests", &refused, NULL);
      g_message ("registrar registered=%" G_GUINT64_FORMAT " queries=%" G_GUINT64_FORMAT
                 " rejected=%" G_GUINT64_FORMAT, registered, queries, refused);
    }
  for (guint i = 0; i < 2; i++)
    {
      NetSipAuthorizer *auth = i == 0 ? p->www_auth : p->proxy_auth;
      guint64 accepted = 0, challenged = 0, refused = 0;

      if (auth == NULL)
        continue;
      g_object_get (auth, "accepted-requests", &accepted, "challenged-requests", &challenged,
                    "rejected-requests", &refused, NULL);
      g_message ("%s accepted=%" G_GUINT64_FORMAT " challenged=%" G_GUINT64_FORMAT
                 " rejected=%" G_GUINT64_FORMAT, i == 0 ? "registrar-auth" : "proxy-auth",
                 accepted, challenged, refused);
    }
  if (p->nat)
    {
      g_autoptr(GVariant) all = net_sip_nat_helper_get_stats (p->nat, NULL);
      GVariantIter iter;
      GVariant *session;

      g_message ("relay sessions=%u sockets=%u", net_sip_nat_helper_get_n_sessions (p->nat),
                 net_sip_nat_helper_get_n_sockets (p->nat));
      g_variant_iter_init (&iter, all);
      while ((session = g_variant_iter_next_value (&iter)))
        {
          const char *call_id = "";
          g_variant_lookup (session, "call-id", "&s", &call_id);
          log_media (call_id, session);
          g_variant_unref (session);
        }
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
on_quit (gpointer user_data)
{
  Proxy *p = user_data;

  g_message ("shutting down");
  g_main_loop_quit (p->loop);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Assembly                                                            */

static int
make_legs (Proxy    *p,
           Options  *o)
{
  g_autoptr(GTlsCertificate) cert = NULL;
  gboolean want_tls = FALSE;

  for (guint i = 0; o->listen[i]; i++)
    if (g_ascii_strncasecmp (o->listen[i], "tls:", 4) == 0)
      want_tls = TRUE;
  if (want_tls || o->tls_cert || o->tls_key)
    {
      g_autoptr(GError) error = NULL;

      if (!o->tls_cert || !o->tls_key)
        return usage_error ("a tls: leg needs --tls-cert and --tls-key");
      if (!want_tls)
        return usage_error ("--tls-cert and --tls-key need a --listen tls:... leg");
      cert = g_tls_certificate_new_from_files (o->tls_cert, o->tls_key, &error);
      if (cert == NULL)
        return usage_error ("TLS certificate %s / key %s: %s", o->tls_cert, o->tls_key, error->message);
    }
  for (guint i = 0; o->listen[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      NetSipLeg *leg;

      if (g_ascii_strncasecmp (o->listen[i], "tls:", 4) == 0)
        leg = net_sip_leg_new_tls (o->listen[i], cert, NULL, &error);
      else
        leg = net_sip_leg_new (o->listen[i], &error);
      if (leg == NULL)
        {
          if (g_error_matches (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS))
            return usage_error ("--listen %s: %s", o->listen[i], error->message);
          g_printerr ("netsip-proxy: cannot listen on %s: %s\n", o->listen[i], error->message);
          return 1;
        }
      g_ptr_array_add (p->legs, leg);
    }
  return 0;
}

static int
assemble (Proxy   *p,
          Options *o)
{
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) algorithms = NULL;
  const char *realm;
  int status;

  p->legs = g_ptr_array_new_with_free_func (g_object_unref);
  if ((status = make_legs (p, o)) != 0)
    return status;
  p->dispatcher = net_sip_dispatcher_new ((NetSipLeg **) p->legs->pdata, p->legs->len);

  if (o->domain2proxy)
    {
      g_autoptr(GHashTable) map = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      for (guint i = 0; o->domain2proxy[i]; i++)
        {
          const char *eq = strchr (o->domain2proxy[i], '=');
          if (eq == NULL || eq == o->domain2proxy[i] || eq[1] == '\0')
            return usage_error ("--domain2proxy %s: expected DOMAIN=PROXY", o->domain2proxy[i]);
          g_hash_table_insert (map, g_strndup (o->domain2proxy[i], eq - o->domain2proxy[i]),
                               g_strdup (eq + 1));
        }
      g_object_set (p->dispatcher, "domain2proxy", map, NULL);
    }

  p->proxy = net_sip_stateless_proxy_new (p->dispatcher);
  net_sip_stateless_proxy_set_record_route (p->proxy, o->record_route);
  if (o->domains)
    net_sip_stateless_proxy_set_domains (p->proxy, (const char * const *) o->domains);

  if (o->registrar)
    {
      g_autoptr(NetSipLocationStore) store = NULL;

      if (o->bindings_db)
        {
          store = NET_SIP_LOCATION_STORE (net_sip_sqlite_store_new (o->bindings_db, &error));
          if (store == NULL)
            return usage_error ("--bindings-db %s: %s", o->bindings_db, error->message);
        }
      else
        store = NET_SIP_LOCATION_STORE (net_sip_memory_store_new ());
      p->registrar = net_sip_registrar_new (p->dispatcher, store);
      if (o->domains)
        net_sip_registrar_set_domains (p->registrar, (const char * const *) o->domains);
      g_signal_connect (p->proxy, "lookup-aor", G_CALLBACK (on_lookup_aor), p->registrar);
    }
  else if (o->bindings_db)
    return usage_error ("--bindings-db needs --registrar");

  if (o->nat_helper)
    {
      p->nat = net_sip_nat_helper_new ();
      g_signal_connect (p->proxy, "do-nat", G_CALLBACK (on_do_nat), p->nat);
      g_signal_connect (p->nat, "session-closed", G_CALLBACK (on_session_closed), NULL);
    }

  realm = o->realm ? o->realm : (o->domains && o->domains[0] ? o->domains[0] : "netsip-proxy");
  if (o->algorithms)
    {
      g_auto(GStrv) names = g_strsplit (o->algorithms, ",", -1);
      guint seen = 0;

      if (!o->users)
        return usage_error ("--digest-algorithms needs --users");
      for (guint i = 0; names[i]; i++)
        {
          NetSipDigestAlgorithm alg;
          g_strstrip (names[i]);
          if (!net_sip_digest_algorithm_from_string (names[i], &alg) || algorithm_bit (alg) == 0)
            return usage_error ("--digest-algorithms: '%s' is not one of MD5, SHA-256, SHA-512-256",
                                names[i]);
          if (seen & algorithm_bit (alg))
            return usage_error ("--digest-algorithms: %s given twice", names[i]);
          seen |= algorithm_bit (alg);
          g_free (names[i]);
          names[i] = g_strdup (net_sip_digest_algorithm_to_string (alg));
        }
      if (seen == 0)
        return usage_error ("--digest-algorithms: no algorithm given");
      algorithms = g_steal_pointer (&names);
    }
  if (o->users)
    {
      NetSipAuthorizer *auths[2];
      guint n = 0;

      p->proxy_auth = net_sip_authorizer_new (p->dispatcher, realm);
      net_sip_authorizer_set_proxy (p->proxy_auth, TRUE);
      auths[n++] = p->proxy_auth;
      if (p->registrar)
        {
          p->www_auth = net_sip_authorizer_new (p->dispatcher, realm);
          auths[n++] = p->www_auth;
        }
      if (!load_users (o->users, realm, (const char * const *) algorithms, auths, n, &error))
        return usage_error ("--users: %s", error->message);
    }
  else if (o->realm)
    return usage_error ("--realm needs --users");

  /* the chain: [REGISTER: (401 authorizer ->) registrar], (407 authorizer ->) proxy */
  p->chain = net_sip_receive_chain_new (NULL, 0);
  if (p->registrar)
    {
      static const char *const register_only[] = { "REGISTER", NULL };
      g_autoptr(NetSipReceiveChain) reg = net_sip_receive_chain_new (NULL, 0);

      net_sip_receive_chain_set_methods (reg, register_only);
      if (p->www_auth)
        net_sip_receive_chain_append (reg, NET_SIP_RECEIVER (p->www_auth));
      net_sip_receive_chain_append (reg, NET_SIP_RECEIVER (p->registrar));
      net_sip_receive_chain_append (p->chain, NET_SIP_RECEIVER (reg));
    }
  if (p->proxy_auth)
    net_sip_receive_chain_append (p->chain, NET_SIP_RECEIVER (p->proxy_auth));
  net_sip_receive_chain_append (p->chain, NET_SIP_RECEIVER (p->proxy));
  net_sip_dispatcher_set_receiver (p->dispatcher, NET_SIP_RECEIVER (p->chain));
  return 0;
}

static void
proxy_clear (Proxy *p)
{
  if (p->dispatcher)
    net_sip_dispatcher_set_receiver (p->dispatcher, NULL);
  if (p->proxy)
    g_signal_handlers_disconnect_by_data (p->proxy, p->registrar);
  if (p->proxy && p->nat)
    g_signal_handlers_disconnect_by_data (p->proxy, p->nat);
  g_clear_object (&p->chain);
  g_clear_object (&p->proxy_auth);
  g_clear_object (&p->www_auth);
  g_clear_object (&p->proxy);
  g_clear_object (&p->registrar);
  g_clear_object (&p->nat);
  g_clear_object (&p->dispatcher);
  g_clear_pointer (&p->legs, g_ptr_array_unref);
  g_clear_pointer (&p->loop, g_main_loop_unref);
}

int
main (int    argc,
      char **argv)
{
  Options o = { 0 };
  Proxy p = { 0 };
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  guint sources[3];
  int status;
  GOptionEntry entries[] = {
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &o.listen,
      "A leg: udp:, tcp: or tls: ADDRESS:PORT (port 0: any free port); repeatable", "SPEC" },
    { "tls-cert", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_cert, "PEM certificate (chain) of tls: legs", "FILE" },
    { "tls-key", 0, 0, G_OPTION_ARG_FILENAME, &o.tls_key, "PEM private key of tls: legs", "FILE" },
    { "registrar", 0, 0, G_OPTION_ARG_NONE, &o.registrar, "Serve REGISTER (RFC 3261 §10.3); calls to registered addresses of record go to their contacts", NULL },
    { "domain", 'd', 0, G_OPTION_ARG_STRING_ARRAY, &o.domains, "A domain served (registrar; 404 for unknown users); repeatable", "DOMAIN" },
    { "users", 'u', 0, G_OPTION_ARG_FILENAME, &o.users, "Demand digest authentication; lines user:password or user:realm:HA1", "FILE" },
    { "realm", 0, 0, G_OPTION_ARG_STRING, &o.realm, "Digest realm (default: the first --domain)", "REALM" },
    { "digest-algorithms", 0, 0, G_OPTION_ARG_STRING, &o.algorithms, "Digest challenges offered, preferred first (default SHA-256,MD5; MD5 for sipp 3.6, which reads the first challenge only)", "A,B" },
    { "record-route", 0, 0, G_OPTION_ARG_NONE, &o.record_route, "Add Record-Route: in-dialog requests pass this proxy", NULL },
    { "nat-helper", 0, 0, G_OPTION_ARG_NONE, &o.nat_helper, "Relay RTP/RTCP of calls crossing legs", NULL },
    { "bindings-db", 0, 0, G_OPTION_ARG_FILENAME, &o.bindings_db, "SQLite file of the registrar's bindings (default: in memory)", "FILE" },
    { "domain2proxy", 0, 0, G_OPTION_ARG_STRING_ARRAY, &o.domain2proxy, "Next hop for a domain (*.example.com, * for all): DOMAIN=PROXY, PROXY like udp:HOST:PORT; repeatable", "D=P" },
    { "config", 'c', 0, G_OPTION_ARG_FILENAME, &o.config, "Key file with the same settings in [netsip-proxy]", "FILE" },
    { NULL }
  };

  setlocale (LC_ALL, "");
  context = g_option_context_new ("- a SIP proxy and registrar");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = usage_error ("%s (see --help)", error->message);
      options_clear (&o);
      return status;
    }
  if (argc > 1)
    {
      status = usage_error ("unexpected argument '%s' (see --help)", argv[1]);
      options_clear (&o);
      return status;
    }
  if (o.config && !load_config (&o, &error))
    {
      status = usage_error ("--config %s: %s", o.config, error->message);
      options_clear (&o);
      return status;
    }
  if (o.listen == NULL || o.listen[0] == NULL)
    {
      status = usage_error ("no --listen leg given (e.g. --listen udp:127.0.0.1:5060)");
      options_clear (&o);
      return status;
    }

  p.loop = g_main_loop_new (NULL, FALSE);
  status = assemble (&p, &o);
  if (status != 0)
    {
      proxy_clear (&p);
      options_clear (&o);
      return status;
    }

  sources[0] = g_unix_signal_add (SIGINT, on_quit, &p);
  sources[1] = g_unix_signal_add (SIGTERM, on_quit, &p);
  sources[2] = g_unix_signal_add (SIGUSR1, on_usr1, &p);
  for (guint i = 0; i < p.legs->len; i++)
    {
      g_autofree char *name = net_sip_leg_to_string (g_ptr_array_index (p.legs, i));
      printf ("listening on %s\n", name);
    }
  fflush (stdout);
  g_info ("registrar %s, authentication %s, record-route %s, media relay %s",
          p.registrar ? (o.bindings_db ? "on (SQLite)" : "on (memory)") : "off",
          o.users ? "on" : "off", o.record_route ? "on" : "off", o.nat_helper ? "on" : "off");

  g_main_loop_run (p.loop);

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  proxy_clear (&p);
  options_clear (&o);
  return 0;
}
