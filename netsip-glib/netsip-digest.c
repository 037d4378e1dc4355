/* netsip-digest.c: HTTP digest computations for SIP (RFC 3261 §22.4,
 * RFC 7616, RFC 8760)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>
#include <nettle/sha2.h>

#include "netsip-digest.h"
#include "netsip-random-private.h"

/* The computations of HTTP digest authentication as SIP uses it: HA1,
 * the request digest with qop `auth` and `auth-int` and the nonce count
 * (RFC 7616 §3.4.1), the `-sess` variants, credentials built for a
 * challenge, their check on the server side, and nonces a server can
 * verify without keeping state. The user agent core and the authorizer
 * build on these; they can also be used on their own.
 *
 * MD5 and SHA-256 are computed with #GChecksum; SHA-512/256 (which is not
 * SHA-512 cut short: it starts from other initial values, FIPS 180-4
 * §5.3.6) with Nettle, the library GnuTLS uses.
 */

/**
 * net_sip_auth_error_quark:
 *
 * The error domain of digest authentication.
 *
 * Returns: the %NET_SIP_AUTH_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-auth-error-quark, net_sip_auth_error)

static const struct
{
  const char *name;
  gboolean    sess;
} algorithms[] = {
  [NET_SIP_DIGEST_MD5] = { "MD5", FALSE },
  [NET_SIP_DIGEST_MD5_SESS] = { "MD5-sess", TRUE },
  [NET_SIP_DIGEST_SHA256] = { "SHA-256", FALSE },
  [NET_SIP_DIGEST_SHA256_SESS] = { "SHA-256-sess", TRUE },
  [NET_SIP_DIGEST_SHA512_256] = { "SHA-512-256", FALSE },
  [NET_SIP_DIGEST_SHA512_256_SESS] = { "SHA-512-256-sess", TRUE },
};

/**
 * net_sip_digest_algorithm_from_string:
 * @name: (nullable): an `algorithm` parameter value, any case, or %NULL
 * @algorithm: (out): the algorithm
 *
 * Reads an `algorithm` parameter (RFC 7616 §3.3). %NULL means the
 * parameter is absent, which is MD5 (RFC 2617 §3.2.1).
 *
 * Returns: %TRUE if @name is an algorithm this library supports
 *
 * Since: 1.0
 */
gboolean
net_sip_digest_algorithm_from_string (const char            *name,
                                      NetSipDigestAlgorithm *algorithm)
{
  g_return_val_if_fail (algorithm != NULL, FALSE);

  if (name == NULL)
    {
      *algorithm = NET_SIP_DIGEST_MD5;
      return TRUE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (algorithms); i++)
    if (g_ascii_strcasecmp (name, algorithms[i].name) == 0)
      {
        *algorithm = i;
        return TRUE;
      }
  return FALSE;
}

/**
 * net_sip_digest_algorithm_to_string:
 * @algorithm: a #NetSipDigestAlgorithm
 *
 * Gets the name of @algorithm in a challenge's `algorithm` parameter.
 *
 * Returns: (transfer none): the name as a challenge writes it, e.g.
 *   `SHA-256` or `MD5-sess`
 *
 * Since: 1.0
 */
const char *
net_sip_digest_algorithm_to_string (NetSipDigestAlgorithm algorithm)
{
  g_return_val_if_fail (algorithm <= NET_SIP_DIGEST_SHA512_256_SESS, NULL);
  return algorithms[algorithm].name;
}

/* An incremental hash of the algorithm's family */
typedef struct
{
  NetSipDigestAlgorithm  algorithm;
  GChecksum             *checksum;   /* MD5, SHA-256 */
  struct sha512_256_ctx  sha512_256;
} Hasher;

static void
hasher_init (Hasher                *h,
             NetSipDigestAlgorithm  algorithm)
{
  h->algorithm = algorithm;
  h->checksum = NULL;
  switch (algorithm)
    {
    case NET_SIP_DIGEST_MD5:
    case NET_SIP_DIGEST_MD5_SESS:
      h->checksum = g_checksum_new (G_CHECKSUM_MD5);
      break;
    case NET_SIP_DIGEST_SHA256:
    case NET_SIP_DIGEST_SHA256_SESS:
      h->checksum = g_checksum_new (G_CHECKSUM_SHA256);
      break;
    case NET_SIP_DIGEST_SHA512_256:
    case NET_SIP_DIGEST_SHA512_256_SESS:
    default:
      sha512_256_init (&h->sha512_256);
      break;
    }
}

static void
hasher_update (Hasher     *h,
               const void *data,
               gsize       length)
{
  if (h->checksum)
    g_checksum_update (h->checksum, data, length);
  else
    sha512_256_update (&h->sha512_256, length, data);
}

static void
hasher_add (Hasher     *h,
            const char *text)
{
  hasher_update (h, text, strlen (text));
}

/* lower-case hex, as RFC 7616 §3.4 writes digests; frees the hasher */
static char *
hasher_finish (Hasher *h)
{
  char *hex;

  if (h->checksum)
    {
      hex = g_strdup (g_checksum_get_string (h->checksum));
      g_checksum_free (h->checksum);
      h->checksum = NULL;
    }
  else
    {
      guint8 digest[SHA512_256_DIGEST_SIZE];
      sha512_256_digest (&h->sha512_256, sizeof digest, digest);
      hex = g_malloc (2 * sizeof digest + 1);
      for (guint i = 0; i < sizeof digest; i++)
        {
          hex[2 * i] = "0123456789abcdef"[digest[i] >> 4];
          hex[2 * i + 1] = "0123456789abcdef"[digest[i] & 15];
        }
      hex[2 * sizeof digest] = '\0';
    }
  return hex;
}

/**
 * net_sip_digest_hash:
 * @algorithm: the algorithm (its `-sess` variant hashes the same way)
 * @data: (array length=length): the bytes
 * @length: their number
 *
 * The H() of RFC 7616 §3.4: the digest of @data in lower-case hex.
 *
 * Returns: (transfer full): 32 hex digits for MD5, 64 for the others
 *
 * Since: 1.0
 */
char *
net_sip_digest_hash (NetSipDigestAlgorithm  algorithm,
                     const guint8          *data,
                     gsize                  length)
{
  Hasher h;

  g_return_val_if_fail (algorithm <= NET_SIP_DIGEST_SHA512_256_SESS, NULL);
  g_return_val_if_fail (data != NULL || length == 0, NULL);

  hasher_init (&h, algorithm);
  hasher_update (&h, data, length);
  return hasher_finish (&h);
}

/**
 * net_sip_digest_compute_ha1:
 * @algorithm: the algorithm
 * @username: the user name (UTF-8)
 * @realm: the realm of the challenge
 * @password: the password
 *
 * HA1 = H(username ":" realm ":" password) (RFC 7616 §3.4.2). This is
 * what a server may store instead of the password. For a `-sess`
 * algorithm it is the value before the nonces are mixed in;
 * net_sip_digest_compute_response() does that step.
 *
 * Returns: (transfer full): HA1 in lower-case hex
 *
 * Since: 1.0
 */
char *
net_sip_digest_compute_ha1 (NetSipDigestAlgorithm  algorithm,
                            const char            *username,
                            const char            *realm,
                            const char            *password)
{
  Hasher h;

  g_return_val_if_fail (algorithm <= NET_SIP_DIGEST_SHA512_256_SESS, NULL);
  g_return_val_if_fail (username != NULL && realm != NULL && password != NULL, NULL);

  hasher_init (&h, algorithm);
  hasher_add (&h, username);
  hasher_add (&h, ":");
  hasher_add (&h, realm);
  hasher_add (&h, ":");
  hasher_add (&h, password);
  return hasher_finish (&h);
}

/**
 * net_sip_digest_compute_response:
 * @algorithm: the algorithm
 * @ha1: HA1 as net_sip_digest_compute_ha1() gives it
 * @nonce: the server's nonce
 * @cnonce: (nullable): the client nonce; required with a qop or a
 *   `-sess` algorithm
 * @nonce_count: the nonce count (written as 8 hex digits), with a qop
 * @qop: the quality of protection
 * @method: the request method (for an ACK or CANCEL, as the request
 *   carries it: RFC 3261 §22.4)
 * @digest_uri: the `uri` parameter: the Request-URI as sent
 * @body: (nullable): the message body, for %NET_SIP_DIGEST_QOP_AUTH_INT
 *   (%NULL: empty)
 *
 * The request digest of RFC 7616 §3.4.1 (and RFC 2617 §3.2.2.1 without a
 * qop): for `-sess`, HA1 becomes H(HA1 ":" nonce ":" cnonce);
 * HA2 = H(method ":" uri), with `auth-int` H(method ":" uri ":" H(body));
 * then H(HA1 ":" nonce ":" nc ":" cnonce ":" qop ":" HA2), or
 * H(HA1 ":" nonce ":" HA2) without a qop.
 *
 * Returns: (transfer full): the `response` value in lower-case hex
 *
 * Since: 1.0
 */
char *
net_sip_digest_compute_response (NetSipDigestAlgorithm  algorithm,
                                 const char            *ha1,
                                 const char            *nonce,
                                 const char            *cnonce,
                                 guint32                nonce_count,
                                 NetSipDigestQop        qop,
                                 const char            *method,
                                 const char            *digest_uri,
                                 GBytes                *body)
{
  g_autofree char *session_ha1 = NULL;
  g_autofree char *ha2 = NULL;
  g_autofree char *body_hash = NULL;
  Hasher h;

  g_return_val_if_fail (algorithm <= NET_SIP_DIGEST_SHA512_256_SESS, NULL);
  g_return_val_if_fail (ha1 != NULL && nonce != NULL && method != NULL && digest_uri != NULL, NULL);
  g_return_val_if_fail (cnonce != NULL || (qop == NET_SIP_DIGEST_QOP_NONE && !algorithms[algorithm].sess), NULL);

  if (algorithms[algorithm].sess)
    {
      hasher_init (&h, algorithm);
      hasher_add (&h, ha1);
      hasher_add (&h, ":");
      hasher_add (&h, nonce);
      hasher_add (&h, ":");
      hasher_add (&h, cnonce);
      ha1 = session_ha1 = hasher_finish (&h);
    }

  hasher_init (&h, algorithm);
  hasher_add (&h, method);
  hasher_add (&h, ":");
  hasher_add (&h, digest_uri);
  if (qop == NET_SIP_DIGEST_QOP_AUTH_INT)
    {
      gsize len = 0;
      const guint8 *data = body ? g_bytes_get_data (body, &len) : NULL;
      body_hash = net_sip_digest_hash (algorithm, data ? data : (const guint8 *) "", len);
      hasher_add (&h, ":");
      hasher_add (&h, body_hash);
    }
  ha2 = hasher_finish (&h);

  hasher_init (&h, algorithm);
  hasher_add (&h, ha1);
  hasher_add (&h, ":");
  hasher_add (&h, nonce);
  hasher_add (&h, ":");
  if (qop != NET_SIP_DIGEST_QOP_NONE)
    {
      char nc[9];
      g_snprintf (nc, sizeof nc, "%08x", nonce_count);
      hasher_add (&h, nc);
      hasher_add (&h, ":");
      hasher_add (&h, cnonce);
      hasher_add (&h, ":");
      hasher_add (&h, qop == NET_SIP_DIGEST_QOP_AUTH ? "auth" : "auth-int");
      hasher_add (&h, ":");
    }
  hasher_add (&h, ha2);
  return hasher_finish (&h);
}

/* ------------------------------------------------------------------ */
/* Challenges and credentials                                          */

/* Whether the comma-separated @list (a qop-options value) names @token */
static gboolean
list_has (const char *list,
          const char *token)
{
  g_auto(GStrv) parts = NULL;

  if (list == NULL)
    return FALSE;
  parts = g_strsplit (list, ",", -1);
  for (guint i = 0; parts[i]; i++)
    if (g_ascii_strcasecmp (g_strstrip (parts[i]), token) == 0)
      return TRUE;
  return FALSE;
}

/* The qop a client uses for @challenge: `auth` when offered (it does not
 * depend on the body, which a proxy may change), else `auth-int`; none
 * when the challenge has no qop. FALSE when qop lists only unknown ones. */
static gboolean
pick_qop (const NetSipAuthParams *challenge,
          NetSipDigestQop        *qop)
{
  const char *options = net_sip_auth_params_get_param (challenge, "qop");

  if (options == NULL)
    *qop = NET_SIP_DIGEST_QOP_NONE;
  else if (list_has (options, "auth"))
    *qop = NET_SIP_DIGEST_QOP_AUTH;
  else if (list_has (options, "auth-int"))
    *qop = NET_SIP_DIGEST_QOP_AUTH_INT;
  else
    return FALSE;
  return TRUE;
}

/* Whether the client can answer @challenge, and with which algorithm */
static gboolean
usable_challenge (const NetSipAuthParams *challenge,
                  NetSipDigestAlgorithm  *algorithm)
{
  NetSipDigestQop qop;

  return g_ascii_strcasecmp (net_sip_auth_params_get_scheme (challenge), "Digest") == 0 &&
         net_sip_auth_params_get_param (challenge, "realm") != NULL &&
         net_sip_auth_params_get_param (challenge, "nonce") != NULL &&
         net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (challenge, "algorithm"),
                                               algorithm) &&
         pick_qop (challenge, &qop);
}

/**
 * net_sip_digest_choose_challenge:
 * @challenges: (array length=n_challenges): the challenges of a 401 or
 *   407 (one per WWW-Authenticate or Proxy-Authenticate value)
 * @n_challenges: their number
 * @realm: (nullable): only challenges of this realm, or %NULL for any
 * @error: return location for a #GError
 *
 * Picks the challenge to answer: a Digest challenge with a realm and a
 * nonce, an algorithm and a qop this library supports, and among those
 * the strongest algorithm (RFC 8760 §2.4: a server offers SHA-256 and MD5
 * side by side, and the client takes the best it knows). A response
 * carries one challenge per realm it needs credentials for (RFC 3261
 * §22.3); call this once per realm.
 *
 * Errors: %NET_SIP_AUTH_ERROR_UNSUPPORTED when none is usable.
 *
 * Returns: (transfer full) (nullable): the challenge, or %NULL
 *
 * Since: 1.0
 */
NetSipAuthParams *
net_sip_digest_choose_challenge (NetSipAuthParams **challenges,
                                 guint              n_challenges,
                                 const char        *realm,
                                 GError           **error)
{
  NetSipAuthParams *best = NULL;
  NetSipDigestAlgorithm best_algorithm = NET_SIP_DIGEST_MD5;

  g_return_val_if_fail (challenges != NULL || n_challenges == 0, NULL);

  for (guint i = 0; i < n_challenges; i++)
    {
      NetSipDigestAlgorithm algorithm;

      if (!usable_challenge (challenges[i], &algorithm))
        continue;
      if (realm && g_strcmp0 (net_sip_auth_params_get_param (challenges[i], "realm"), realm) != 0)
        continue;
      if (best == NULL || algorithm > best_algorithm)
        {
          best = challenges[i];
          best_algorithm = algorithm;
        }
    }
  if (best == NULL)
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "no Digest challenge%s%s%s with a supported algorithm and qop among %u",
                   realm ? " for realm \"" : "", realm ? realm : "", realm ? "\"" : "", n_challenges);
      return NULL;
    }
  return net_sip_auth_params_ref (best);
}

/* Appends @value as a quoted-string (RFC 3261 §25.1: quoted-pair for "
 * and \) */
static void
append_quoted (GString    *s,
               const char *value)
{
  g_string_append_c (s, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

/**
 * net_sip_digest_build_credentials:
 * @challenge: a Digest challenge (see net_sip_digest_choose_challenge())
 * @username: the user name
 * @password: (nullable): the password, or %NULL when @ha1 is given
 * @ha1: (nullable): HA1 for the challenge's realm and algorithm
 *   (net_sip_digest_compute_ha1()), or %NULL to compute it from @password
 * @method: the request's method
 * @digest_uri: the Request-URI of the request, as sent
 * @body: (nullable): the request body, used with qop `auth-int`
 * @nonce_count: how many requests this nonce has answered, this one
 *   included (1 the first time: RFC 7616 §3.4)
 * @cnonce: (nullable): the client nonce, or %NULL for a fresh random one
 * @error: return location for a #GError
 *
 * Builds the value of an Authorization or Proxy-Authorization header
 * answering @challenge (RFC 3261 §22.2, §22.3; RFC 7616 §3.4): username,
 * realm, nonce, uri, response, algorithm, and with a qop the cnonce, qop
 * and nc; the challenge's opaque comes back unchanged.
 *
 * Errors: %NET_SIP_AUTH_ERROR_UNSUPPORTED for a challenge that is not
 *   Digest or names an unknown algorithm or qop;
 *   %NET_SIP_AUTH_ERROR_MALFORMED when it lacks realm or nonce.
 *
 * Returns: (transfer full) (nullable): the header value, or %NULL
 *
 * Since: 1.0
 */
char *
net_sip_digest_build_credentials (const NetSipAuthParams  *challenge,
                                  const char              *username,
                                  const char              *password,
                                  const char              *ha1,
                                  const char              *method,
                                  const char              *digest_uri,
                                  GBytes                  *body,
                                  guint32                  nonce_count,
                                  const char              *cnonce,
                                  GError                 **error)
{
  NetSipDigestAlgorithm algorithm;
  NetSipDigestQop qop;
  const char *realm, *nonce, *opaque;
  g_autofree char *own_ha1 = NULL;
  g_autofree char *own_cnonce = NULL;
  g_autofree char *response = NULL;
  GString *s;

  g_return_val_if_fail (challenge != NULL, NULL);
  g_return_val_if_fail (username != NULL && method != NULL && digest_uri != NULL, NULL);
  g_return_val_if_fail (password != NULL || ha1 != NULL, NULL);

  if (g_ascii_strcasecmp (net_sip_auth_params_get_scheme (challenge), "Digest") != 0)
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "the challenge's scheme is %s, not Digest", net_sip_auth_params_get_scheme (challenge));
      return NULL;
    }
  realm = net_sip_auth_params_get_param (challenge, "realm");
  nonce = net_sip_auth_params_get_param (challenge, "nonce");
  if (realm == NULL || nonce == NULL)
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MALFORMED,
                   "the challenge has no %s", realm == NULL ? "realm" : "nonce");
      return NULL;
    }
  if (!net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (challenge, "algorithm"), &algorithm))
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "unsupported digest algorithm %s", net_sip_auth_params_get_param (challenge, "algorithm"));
      return NULL;
    }
  if (!pick_qop (challenge, &qop))
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "unsupported qop %s", net_sip_auth_params_get_param (challenge, "qop"));
      return NULL;
    }
  if (ha1 == NULL)
    ha1 = own_ha1 = net_sip_digest_compute_ha1 (algorithm, username, realm, password);
  if (cnonce == NULL && (qop != NET_SIP_DIGEST_QOP_NONE || algorithms[algorithm].sess))
    cnonce = own_cnonce = net_sip_random_token (NULL, 3, NULL);
  response = net_sip_digest_compute_response (algorithm, ha1, nonce, cnonce, nonce_count, qop,
                                              method, digest_uri, body);

  s = g_string_new ("Digest username=");
  append_quoted (s, username);
  g_string_append (s, ", realm=");
  append_quoted (s, realm);
  g_string_append (s, ", nonce=");
  append_quoted (s, nonce);
  g_string_append (s, ", uri=");
  append_quoted (s, digest_uri);
  g_string_append (s, ", response=");
  append_quoted (s, response);
  g_string_append_printf (s, ", algorithm=%s", algorithms[algorithm].name);
  if (cnonce && (qop != NET_SIP_DIGEST_QOP_NONE || algorithms[algorithm].sess))
    {
      g_string_append (s, ", cnonce=");
      append_quoted (s, cnonce);
    }
  if (qop != NET_SIP_DIGEST_QOP_NONE)
    g_string_append_printf (s, ", qop=%s, nc=%08x",
                            qop == NET_SIP_DIGEST_QOP_AUTH ? "auth" : "auth-int", nonce_count);
  opaque = net_sip_auth_params_get_param (challenge, "opaque");
  if (opaque)
    {
      g_string_append (s, ", opaque=");
      append_quoted (s, opaque);
    }
  return g_string_free (s, FALSE);
}

/* Compares two strings in time that depends on their lengths only. */
static gboolean
equal_in_constant_time (const char *a,
                        const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  guint8 diff = la != lb;

  for (gsize i = 0; i < MIN (la, lb); i++)
    diff |= (guint8) (g_ascii_tolower (a[i]) ^ g_ascii_tolower (b[i]));
  return diff == 0;
}

/**
 * net_sip_digest_check_credentials:
 * @credentials: the parsed Authorization or Proxy-Authorization value
 * @method: the method of the request that carried it
 * @body: (nullable): the request's body, for qop `auth-int`
 * @ha1: HA1 of the user named in @credentials for its realm and algorithm
 * @error: return location for a #GError
 *
 * Checks the `response` of Digest credentials (RFC 7616 §3.4; RFC 3261
 * §22.4): recomputes it from @ha1 and the credentials' nonce, cnonce, nc,
 * qop and uri, and compares in constant time. What only the server knows
 * is the caller's to check: that the realm is its own, that the nonce is
 * one it issued and still valid (net_sip_digest_nonce_check()), that the
 * nonce count grows, and that the uri names the Request-URI.
 *
 * Errors: %NET_SIP_AUTH_ERROR_MALFORMED when a required parameter is
 *   missing or bad (username, realm, nonce, uri, response; cnonce and nc
 *   with a qop); %NET_SIP_AUTH_ERROR_UNSUPPORTED for an unknown algorithm
 *   or qop; %NET_SIP_AUTH_ERROR_MISMATCH when the response is wrong.
 *
 * Returns: %TRUE if the response is right
 *
 * Since: 1.0
 */
gboolean
net_sip_digest_check_credentials (const NetSipAuthParams  *credentials,
                                  const char              *method,
                                  GBytes                  *body,
                                  const char              *ha1,
                                  GError                 **error)
{
  static const char *const required[] = { "username", "realm", "nonce", "uri", "response" };
  NetSipDigestAlgorithm algorithm;
  NetSipDigestQop qop = NET_SIP_DIGEST_QOP_NONE;
  const char *qop_text, *cnonce, *nc_text;
  guint64 nc = 0;
  g_autofree char *expected = NULL;

  g_return_val_if_fail (credentials != NULL && method != NULL && ha1 != NULL, FALSE);

  if (g_ascii_strcasecmp (net_sip_auth_params_get_scheme (credentials), "Digest") != 0)
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "the credentials' scheme is %s, not Digest", net_sip_auth_params_get_scheme (credentials));
      return FALSE;
    }
  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    if (net_sip_auth_params_get_param (credentials, required[i]) == NULL)
      {
        g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MALFORMED,
                     "the credentials have no %s", required[i]);
        return FALSE;
      }
  if (!net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (credentials, "algorithm"), &algorithm))
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                   "unsupported digest algorithm %s", net_sip_auth_params_get_param (credentials, "algorithm"));
      return FALSE;
    }
  qop_text = net_sip_auth_params_get_param (credentials, "qop");
  cnonce = net_sip_auth_params_get_param (credentials, "cnonce");
  nc_text = net_sip_auth_params_get_param (credentials, "nc");
  if (qop_text)
    {
      if (g_ascii_strcasecmp (qop_text, "auth") == 0)
        qop = NET_SIP_DIGEST_QOP_AUTH;
      else if (g_ascii_strcasecmp (qop_text, "auth-int") == 0)
        qop = NET_SIP_DIGEST_QOP_AUTH_INT;
      else
        {
          g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_UNSUPPORTED,
                       "unsupported qop %s", qop_text);
          return FALSE;
        }
      if (cnonce == NULL || nc_text == NULL || strlen (nc_text) != 8 ||
          !g_ascii_string_to_unsigned (nc_text, 16, 0, G_MAXUINT32, &nc, NULL))
        {
          g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MALFORMED,
                       "qop %s needs a cnonce and an nc of 8 hex digits", qop_text);
          return FALSE;
        }
    }
  else if (algorithms[algorithm].sess && cnonce == NULL)
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MALFORMED,
                   "algorithm %s needs a cnonce", algorithms[algorithm].name);
      return FALSE;
    }

  expected = net_sip_digest_compute_response (algorithm, ha1,
                                              net_sip_auth_params_get_param (credentials, "nonce"),
                                              cnonce, (guint32) nc, qop, method,
                                              net_sip_auth_params_get_param (credentials, "uri"), body);
  if (!equal_in_constant_time (expected, net_sip_auth_params_get_param (credentials, "response")))
    {
      g_set_error (error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_MISMATCH,
                   "wrong digest response for user \"%s\"",
                   net_sip_auth_params_get_param (credentials, "username"));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Stateless nonces                                                    */

#define NONCE_TIME_HEX   16
#define NONCE_SALT_HEX   16
#define NONCE_MAC_HEX    32
#define NONCE_LENGTH     (NONCE_TIME_HEX + NONCE_SALT_HEX + NONCE_MAC_HEX)
/* a nonce dated this far (seconds) after now is refused as forged */
#define NONCE_CLOCK_SKEW 60

static char *
nonce_mac (GBytes     *secret,
           const char *prefix)
{
  gsize len;
  const guint8 *key = g_bytes_get_data (secret, &len);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, len);

  g_hmac_update (hmac, (const guchar *) prefix, NONCE_TIME_HEX + NONCE_SALT_HEX);
  return g_strndup (g_hmac_get_string (hmac), NONCE_MAC_HEX);
}

/**
 * net_sip_digest_nonce_new:
 * @secret: the server's secret key (at least 16 random bytes)
 * @timestamp: when the nonce is made, in seconds (any clock the checks
 *   use too, e.g. g_get_real_time() / G_USEC_PER_SEC)
 *
 * Makes a nonce a server can check later without remembering it
 * (RFC 7616 §5.4 suggests a time stamp and a keyed hash): 16 hex digits
 * of @timestamp, 16 of random salt, and 32 of HMAC-SHA-256 over both with
 * @secret.
 *
 * Returns: (transfer full): the nonce, 64 characters
 *
 * Since: 1.0
 */
char *
net_sip_digest_nonce_new (GBytes *secret,
                          gint64  timestamp)
{
  char prefix[NONCE_TIME_HEX + NONCE_SALT_HEX + 1];
  g_autofree char *mac = NULL;

  g_return_val_if_fail (secret != NULL && g_bytes_get_size (secret) > 0, NULL);

  g_snprintf (prefix, sizeof prefix, "%016" G_GINT64_MODIFIER "x%08x%08x",
              (guint64) timestamp, g_random_int (), g_random_int ());
  mac = nonce_mac (secret, prefix);
  return g_strconcat (prefix, mac, NULL);
}

/**
 * net_sip_digest_nonce_check:
 * @secret: the secret the nonce was made with
 * @nonce: a nonce from credentials
 * @now: the current time in seconds, on the clock net_sip_digest_nonce_new() used
 * @lifetime: how long a nonce is valid, in seconds
 * @timestamp: (out) (optional): when the nonce was made
 *
 * Checks a nonce made by net_sip_digest_nonce_new(): its HMAC (in constant
 * time), then its age. A nonce dated more than 60 s in the future is
 * invalid.
 *
 * Returns: whether @nonce is valid, stale (answer with `stale=true`) or
 *   invalid
 *
 * Since: 1.0
 */
NetSipDigestNonceStatus
net_sip_digest_nonce_check (GBytes     *secret,
                            const char *nonce,
                            gint64      now,
                            guint       lifetime,
                            gint64     *timestamp)
{
  g_autofree char *mac = NULL;
  char time_hex[NONCE_TIME_HEX + 1];
  guint64 t;

  g_return_val_if_fail (secret != NULL && g_bytes_get_size (secret) > 0, NET_SIP_DIGEST_NONCE_INVALID);

  if (nonce == NULL || strlen (nonce) != NONCE_LENGTH)
    return NET_SIP_DIGEST_NONCE_INVALID;
  for (guint i = 0; i < NONCE_LENGTH; i++)
    if (!g_ascii_isxdigit (nonce[i]))
      return NET_SIP_DIGEST_NONCE_INVALID;
  mac = nonce_mac (secret, nonce);
  if (!equal_in_constant_time (mac, nonce + NONCE_TIME_HEX + NONCE_SALT_HEX))
    return NET_SIP_DIGEST_NONCE_INVALID;

  memcpy (time_hex, nonce, NONCE_TIME_HEX);
  time_hex[NONCE_TIME_HEX] = '\0';
  t = g_ascii_strtoull (time_hex, NULL, 16);
  if (timestamp)
    *timestamp = (gint64) t;
  if ((gint64) t > now + NONCE_CLOCK_SKEW)
    return NET_SIP_DIGEST_NONCE_INVALID;
  if ((gint64) t + (gint64) lifetime < now)
    return NET_SIP_DIGEST_NONCE_STALE;
  return NET_SIP_DIGEST_NONCE_VALID;
}
