/* netsip-digest.h: HTTP digest computations for SIP (RFC 3261 §22.4,
 * RFC 7616, RFC 8760): algorithms, HA1, the response, credentials for a
 * challenge, their check, and stateless nonces
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"
#include "netsip-auth-params.h"

G_BEGIN_DECLS

/**
 * NetSipDigestAlgorithm:
 * @NET_SIP_DIGEST_MD5: MD5 (RFC 2617; the default when a challenge names none)
 * @NET_SIP_DIGEST_MD5_SESS: MD5-sess
 * @NET_SIP_DIGEST_SHA256: SHA-256 (RFC 7616, RFC 8760)
 * @NET_SIP_DIGEST_SHA256_SESS: SHA-256-sess
 * @NET_SIP_DIGEST_SHA512_256: SHA-512/256 (RFC 7616, RFC 8760)
 * @NET_SIP_DIGEST_SHA512_256_SESS: SHA-512-256-sess
 *
 * The digest algorithms, weakest first: a larger value is a stronger
 * algorithm (RFC 8760 §2.4: a UAC picks the strongest it supports).
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_DIGEST_MD5,
  NET_SIP_DIGEST_MD5_SESS,
  NET_SIP_DIGEST_SHA256,
  NET_SIP_DIGEST_SHA256_SESS,
  NET_SIP_DIGEST_SHA512_256,
  NET_SIP_DIGEST_SHA512_256_SESS,
} NetSipDigestAlgorithm;

/**
 * NetSipDigestQop:
 * @NET_SIP_DIGEST_QOP_NONE: no qop (RFC 2069 compatibility)
 * @NET_SIP_DIGEST_QOP_AUTH: `auth`
 * @NET_SIP_DIGEST_QOP_AUTH_INT: `auth-int`: the body is protected too
 *
 * Quality of protection (RFC 7616 §3.3).
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_DIGEST_QOP_NONE,
  NET_SIP_DIGEST_QOP_AUTH,
  NET_SIP_DIGEST_QOP_AUTH_INT,
} NetSipDigestQop;

/**
 * NetSipDigestNonceStatus:
 * @NET_SIP_DIGEST_NONCE_VALID: made with this secret and within its lifetime
 * @NET_SIP_DIGEST_NONCE_STALE: made with this secret but expired: answer
 *   with a new challenge and `stale=true` (RFC 7616 §3.3)
 * @NET_SIP_DIGEST_NONCE_INVALID: not made with this secret, or malformed
 *
 * What net_sip_digest_nonce_check() found.
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_DIGEST_NONCE_VALID,
  NET_SIP_DIGEST_NONCE_STALE,
  NET_SIP_DIGEST_NONCE_INVALID,
} NetSipDigestNonceStatus;

/**
 * NET_SIP_AUTH_ERROR:
 *
 * Error domain for digest authentication. Errors in this domain are from
 * the #NetSipAuthError enumeration.
 *
 * Since: 1.0
 */
#define NET_SIP_AUTH_ERROR (net_sip_auth_error_quark ())

/**
 * NetSipAuthError:
 * @NET_SIP_AUTH_ERROR_UNSUPPORTED: no challenge offers a scheme, algorithm
 *   or qop this library supports
 * @NET_SIP_AUTH_ERROR_MALFORMED: a challenge or credentials lack a
 *   required parameter or have a bad one
 * @NET_SIP_AUTH_ERROR_MISMATCH: the credentials do not answer the
 *   challenge (realm, nonce, URI, algorithm or response differ)
 * @NET_SIP_AUTH_ERROR_REJECTED: the server challenged again a request
 *   that carried credentials, and no other credentials were given (a
 *   wrong password: the client stops instead of looping)
 *
 * Error codes in the %NET_SIP_AUTH_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_AUTH_ERROR_UNSUPPORTED,
  NET_SIP_AUTH_ERROR_MALFORMED,
  NET_SIP_AUTH_ERROR_MISMATCH,
  NET_SIP_AUTH_ERROR_REJECTED,
} NetSipAuthError;

NET_SIP_AVAILABLE_IN_ALL
GQuark       net_sip_auth_error_quark               (void);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_digest_algorithm_from_string   (const char              *name,
                                                     NetSipDigestAlgorithm   *algorithm);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_digest_algorithm_to_string     (NetSipDigestAlgorithm    algorithm);

NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_digest_hash                    (NetSipDigestAlgorithm    algorithm,
                                                     const guint8            *data,
                                                     gsize                    length);
NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_digest_compute_ha1             (NetSipDigestAlgorithm    algorithm,
                                                     const char              *username,
                                                     const char              *realm,
                                                     const char              *password);
NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_digest_compute_response       (NetSipDigestAlgorithm    algorithm,
                                                     const char              *ha1,
                                                     const char              *nonce,
                                                     const char              *cnonce,
                                                     guint32                  nonce_count,
                                                     NetSipDigestQop          qop,
                                                     const char              *method,
                                                     const char              *digest_uri,
                                                     GBytes                  *body);

NET_SIP_AVAILABLE_IN_ALL
NetSipAuthParams *
             net_sip_digest_choose_challenge        (NetSipAuthParams       **challenges,
                                                     guint                    n_challenges,
                                                     const char              *realm,
                                                     GError                 **error);
NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_digest_build_credentials       (const NetSipAuthParams  *challenge,
                                                     const char              *username,
                                                     const char              *password,
                                                     const char              *ha1,
                                                     const char              *method,
                                                     const char              *digest_uri,
                                                     GBytes                  *body,
                                                     guint32                  nonce_count,
                                                     const char              *cnonce,
                                                     GError                 **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_digest_check_credentials       (const NetSipAuthParams  *credentials,
                                                     const char              *method,
                                                     GBytes                  *body,
                                                     const char              *ha1,
                                                     GError                 **error);

NET_SIP_AVAILABLE_IN_ALL
char        *net_sip_digest_nonce_new               (GBytes                  *secret,
                                                     gint64                   timestamp);
NET_SIP_AVAILABLE_IN_ALL
NetSipDigestNonceStatus
             net_sip_digest_nonce_check             (GBytes                  *secret,
                                                     const char              *nonce,
                                                     gint64                   now,
                                                     guint                    lifetime,
                                                     gint64                  *timestamp);

G_END_DECLS
