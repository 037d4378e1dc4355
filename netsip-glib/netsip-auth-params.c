/* netsip-auth-params.c: challenges and credentials (RFC 3261 §22, §25.1;
 * RFC 7616 for the Digest parameters)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-auth-params.h"
#include "netsip-error.h"
#include "netsip-values-private.h"

/**
 * NetSipAuthParams:
 *
 * The value of an Authorization, Proxy-Authorization, WWW-Authenticate or
 * Proxy-Authenticate header: a scheme (`Digest`) followed by
 * comma-separated `name=value` parameters (RFC 3261 §25.1
 * challenge / credentials). Quoted values are returned decoded.
 * A value with an unknown scheme whose parameters do not follow the
 * auth-param grammar is kept whole (see net_sip_auth_params_get_opaque())
 * so that a proxy forwards it untouched (RFC 4475 regaut01).
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (NetSipAuthParams, net_sip_auth_params, net_sip_auth_params_ref, net_sip_auth_params_unref)

NetSipAuthParams *
net_sip_auth_params_parse_in (NetSipArena  *arena,
                              const char   *p,
                              const char   *end,
                              const char  **what)
{
  NetSipAuthParams *ap = net_sip_arena_alloc0 (arena, sizeof (NetSipAuthParams));
  const char *scheme, *q;
  gboolean digest;

  ap->arena = arena;
  p = net_sip_skip_ws (p, end);
  while (end > p && net_sip_is_ws (end[-1]))
    end--;
  scheme = p;
  p = net_sip_skip_token (p, end);
  if (p == scheme)
    {
      *what = "missing authentication scheme";
      return NULL;
    }
  ap->scheme = net_sip_arena_strndup (arena, scheme, p - scheme);
  digest = g_ascii_strcasecmp (ap->scheme, "Digest") == 0;
  if (p < end && !net_sip_is_ws (*p))
    {
      *what = "expected whitespace after the authentication scheme";
      return NULL;
    }
  p = net_sip_skip_ws (p, end);
  ap->opaque = net_sip_arena_strndup (arena, p, end - p);
  if (p == end)
    return ap;

  q = net_sip_parse_params (arena, p, end, ',', &ap->params, &ap->n_params, what);
  if (q == NULL || net_sip_skip_ws (q, end) != end)
    {
      if (digest)
        {
          if (q != NULL)
            *what = "unexpected text in Digest parameters";
          return NULL;
        }
      /* Unknown schemes may use any syntax (e.g. token68): keep it opaque. */
      ap->params = NULL;
      ap->n_params = 0;
    }
  return ap;
}

/**
 * net_sip_auth_params_parse:
 * @text: (array length=length) (element-type guint8): a header value such
 *   as `Digest realm="example.com", nonce="ea9c8e88", qop="auth"`
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses a challenge or credentials (RFC 3261 §25.1).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE when the scheme is missing or Digest
 *   parameters break the auth-param grammar.
 *
 * Returns: (transfer full): the parsed value; free with
 *   net_sip_auth_params_unref()
 *
 * Since: 1.0
 */
NetSipAuthParams *
net_sip_auth_params_parse (const char  *text,
                           gssize       length,
                           GError     **error)
{
  g_autoptr(NetSipArena) arena = NULL;
  const char *what = NULL;
  NetSipAuthParams *ap;

  g_return_val_if_fail (text != NULL, NULL);
  if (length < 0)
    length = strlen (text);
  arena = net_sip_arena_new (length * 2 + sizeof (NetSipAuthParams) + 64);
  ap = net_sip_auth_params_parse_in (arena, text, text + length, &what);
  if (ap == NULL)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE,
                   "authentication header '%.*s': %s", (int) MIN (length, 80), text, what);
      return NULL;
    }
  g_steal_pointer (&arena);
  return ap;
}

/**
 * net_sip_auth_params_ref:
 * @params: a #NetSipAuthParams
 *
 * Takes a reference on @params.
 *
 * Returns: (transfer full): @params, with one more reference
 *
 * Since: 1.0
 */
NetSipAuthParams *
net_sip_auth_params_ref (NetSipAuthParams *params)
{
  g_return_val_if_fail (params != NULL, NULL);
  net_sip_arena_ref (params->arena);
  return params;
}

/**
 * net_sip_auth_params_unref:
 * @params: (transfer full): a #NetSipAuthParams
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
net_sip_auth_params_unref (NetSipAuthParams *params)
{
  g_return_if_fail (params != NULL);
  net_sip_arena_unref (params->arena);
}

/**
 * net_sip_auth_params_get_scheme:
 * @params: a #NetSipAuthParams
 *
 * Gets the authentication scheme, e.g. `Digest`.
 *
 * Returns: (transfer none): the scheme as written, e.g. `Digest`; compare
 *   it case-insensitively
 *
 * Since: 1.0
 */
const char *
net_sip_auth_params_get_scheme (const NetSipAuthParams *params)
{
  return params->scheme;
}

/**
 * net_sip_auth_params_get_param:
 * @params: a #NetSipAuthParams
 * @name: parameter name (`realm`, `nonce`, `response`...), compared
 *   case-insensitively
 *
 * Gets the value of the parameter @name, unquoted.
 *
 * Returns: (transfer none) (nullable): the value with quotes removed, or
 *   %NULL when absent
 *
 * Since: 1.0
 */
const char *
net_sip_auth_params_get_param (const NetSipAuthParams *params,
                               const char             *name)
{
  const NetSipParam *p = net_sip_params_find (params->params, params->n_params, name);
  if (p == NULL)
    return NULL;
  return p->value ? p->value : "";
}

/**
 * net_sip_auth_params_get_n_params:
 * @params: a #NetSipAuthParams
 *
 * Gets the number of parameters.
 *
 * Returns: the number of parameters
 *
 * Since: 1.0
 */
guint
net_sip_auth_params_get_n_params (const NetSipAuthParams *params)
{
  return params->n_params;
}

/**
 * net_sip_auth_params_get_param_nth:
 * @params: a #NetSipAuthParams
 * @index: 0-based position, below net_sip_auth_params_get_n_params()
 * @value: (out) (optional) (transfer none) (nullable): the value
 *
 * Gets the parameter at @index, for walking all of them.
 *
 * Returns: (transfer none): the name of the parameter at @index
 *
 * Since: 1.0
 */
const char *
net_sip_auth_params_get_param_nth (const NetSipAuthParams  *params,
                                   guint                    index,
                                   const char             **value)
{
  g_return_val_if_fail (index < params->n_params, NULL);
  if (value)
    *value = params->params[index].value;
  return params->params[index].name;
}

/**
 * net_sip_auth_params_get_opaque:
 * @params: a #NetSipAuthParams
 *
 * Gets the raw text after the scheme.
 *
 * Returns: (transfer none): everything after the scheme, as written
 *
 * Since: 1.0
 */
const char *
net_sip_auth_params_get_opaque (const NetSipAuthParams *params)
{
  return params->opaque;
}
