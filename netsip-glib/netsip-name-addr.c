/* netsip-name-addr.c: name-addr / addr-spec with header parameters
 * (RFC 3261 §20.10 Contact, §20.20 From, §20.39 To, §20.34 Route, §25.1)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <stdlib.h>

#include "netsip-name-addr.h"
#include "netsip-uri.h"
#include "netsip-error.h"
#include "netsip-values-private.h"

/**
 * NetSipNameAddr:
 *
 * An address with an optional display name and header parameters, as
 * written in From, To, Contact, Route, Record-Route, Reply-To, Refer-To:
 * `"Alice" <sip:alice@example.com>;tag=1928301774` (name-addr form) or
 * `sip:alice@example.com;tag=1928301774` (addr-spec form, where every `;`
 * parameter belongs to the header, not the URI: RFC 3261 §20.10).
 * `Contact: *` is the wildcard (see net_sip_name_addr_is_wildcard()).
 *
 * Immutable; values read from a message stay valid while referenced.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (NetSipNameAddr, net_sip_name_addr, net_sip_name_addr_ref, net_sip_name_addr_unref)

NetSipNameAddr *
net_sip_name_addr_parse_in (NetSipArena  *arena,
                            const char  **pp,
                            const char   *end,
                            gboolean      allow_wildcard,
                            const char  **what)
{
  const char *p = net_sip_skip_ws (*pp, end);
  NetSipNameAddr *na = net_sip_arena_alloc0 (arena, sizeof (NetSipNameAddr));
  const NetSipParam *tag;

  na->arena = arena;

  if (p >= end)
    {
      *what = "empty address";
      return NULL;
    }

  if (allow_wildcard && *p == '*')
    {
      const char *q = net_sip_skip_ws (p + 1, end);
      if (q >= end || *q == ';')
        {
          na->wildcard = TRUE;
          na->uri = "*";
          p = q;
          goto params;
        }
    }

  if (*p == '"')
    {
      p = net_sip_parse_quoted (arena, p, end, &na->display_name, &na->display_name_length);
      if (p == NULL)
        {
          *what = "unterminated quoted display name";
          return NULL;
        }
      na->display_quoted = TRUE;
      p = net_sip_skip_ws (p, end);
      if (p >= end || *p != '<')
        {
          *what = "expected '<' after the display name";
          return NULL;
        }
    }
  else
    {
      /* display-name = *(token LWS): tokens up to '<' (LWS before '<' is
       * optional, RFC 4475 lwsdisp); a ':' first means an addr-spec. */
      const char *q = p;
      while (q < end && (net_sip_is_token_char (*q) || net_sip_is_ws (*q)))
        q++;
      if (q < end && *q == '<')
        {
          const char *e = q;
          while (e > p && net_sip_is_ws (e[-1]))
            e--;
          if (e > p)
            {
              na->display_name = net_sip_arena_strndup (arena, p, e - p);
              na->display_name_length = e - p;
            }
          p = q;
        }
      else if (q < end && *q == ':' && q > p && !net_sip_is_ws (q[-1]))
        {
          const char *u = p;
          while (p < end && *p != ';' && *p != ',' && !net_sip_is_ws (*p))
            p++;
          na->uri = net_sip_arena_strndup (arena, u, p - u);
          goto params;
        }
      else
        {
          *what = "display name is neither tokens nor a quoted string";
          return NULL;
        }
    }

  /* p points at '<' */
  {
    const char *u = p + 1;
    const char *close = memchr (u, '>', end - u);
    if (close == NULL)
      {
        *what = "missing '>'";
        return NULL;
      }
    if (close == u)
      {
        *what = "empty <>";
        return NULL;
      }
    for (const char *q = u; q < close; q++)
      if (net_sip_is_ws (*q) || (guchar) *q < 0x20)
        {
          *what = "whitespace inside <addr-spec>";
          return NULL;
        }
    na->uri = net_sip_arena_strndup (arena, u, close - u);
    na->angle = TRUE;
    p = close + 1;
  }

params:
  p = net_sip_parse_params (arena, p, end, ';', &na->params, &na->n_params, what);
  if (p == NULL)
    return NULL;
  for (guint i = 0; i < na->n_params; i++)
    {
      tag = &na->params[i];
      if (!net_sip_param_is (tag, "tag"))
        continue;
      if (tag->value == NULL)
        {
          *what = "'tag' without a value";
          return NULL;
        }
      na->tag = tag->value;
      break;
    }
  *pp = p;
  return na;
}

/**
 * net_sip_name_addr_parse:
 * @text: (array length=length) (element-type guint8): one address, such as
 *   `"Bob" <sip:bob@example.org>;tag=a6c85cf`
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses one name-addr or addr-spec with its header parameters
 * (RFC 3261 §25.1), or the Contact wildcard `*`.
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE when @text is not one address.
 *
 * Returns: (transfer full): the address; free with net_sip_name_addr_unref()
 *
 * Since: 1.0
 */
NetSipNameAddr *
net_sip_name_addr_parse (const char  *text,
                         gssize       length,
                         GError     **error)
{
  g_autoptr(NetSipArena) arena = NULL;
  const char *what = NULL;
  const char *p, *end;
  NetSipNameAddr *na;

  g_return_val_if_fail (text != NULL, NULL);
  if (length < 0)
    length = strlen (text);
  arena = net_sip_arena_new (length * 2 + sizeof (NetSipNameAddr) + 64);
  p = text;
  end = text + length;
  na = net_sip_name_addr_parse_in (arena, &p, end, TRUE, &what);
  if (na && net_sip_skip_ws (p, end) != end)
    {
      na = NULL;
      what = "unexpected text after the address";
    }
  if (na == NULL)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE,
                   "address '%.*s': %s", (int) MIN (length, 80), text, what);
      return NULL;
    }
  g_steal_pointer (&arena);
  return na;
}

/**
 * net_sip_name_addr_ref:
 * @addr: a #NetSipNameAddr
 *
 * Takes a reference on @addr.
 *
 * Returns: (transfer full): @addr, with one more reference
 *
 * Since: 1.0
 */
NetSipNameAddr *
net_sip_name_addr_ref (NetSipNameAddr *addr)
{
  g_return_val_if_fail (addr != NULL, NULL);
  net_sip_arena_ref (addr->arena);
  return addr;
}

/**
 * net_sip_name_addr_unref:
 * @addr: (transfer full): a #NetSipNameAddr
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
net_sip_name_addr_unref (NetSipNameAddr *addr)
{
  g_return_if_fail (addr != NULL);
  net_sip_arena_unref (addr->arena);
}

/**
 * net_sip_name_addr_is_wildcard:
 * @addr: a #NetSipNameAddr
 *
 * Tells whether this is the wildcard Contact `*`.
 *
 * Returns: %TRUE for `Contact: *` (RFC 3261 §10.2.2: remove all bindings)
 *
 * Since: 1.0
 */
gboolean
net_sip_name_addr_is_wildcard (const NetSipNameAddr *addr)
{
  return addr->wildcard;
}

/**
 * net_sip_name_addr_get_display_name:
 * @addr: a #NetSipNameAddr
 *
 * The display name with quotes removed and quoted-pairs decoded, so
 * `"J Rosenberg \\\""` gives `J Rosenberg \"`. It may contain a NUL octet
 * (RFC 4475 intmeth): use net_sip_name_addr_get_display_name_length().
 *
 * Returns: (transfer none) (nullable): the display name, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_name_addr_get_display_name (const NetSipNameAddr *addr)
{
  return addr->display_name;
}

/**
 * net_sip_name_addr_get_display_name_length:
 * @addr: a #NetSipNameAddr
 *
 * Gets the length of the display name, which may hold NUL octets.
 *
 * Returns: the length in bytes of the decoded display name, 0 if none
 *
 * Since: 1.0
 */
gsize
net_sip_name_addr_get_display_name_length (const NetSipNameAddr *addr)
{
  return addr->display_name_length;
}

/**
 * net_sip_name_addr_get_uri_string:
 * @addr: a #NetSipNameAddr
 *
 * Gets the URI of the name-addr as text.
 *
 * Returns: (transfer none): the URI as written (without `<>`), `*` for the
 *   wildcard
 *
 * Since: 1.0
 */
const char *
net_sip_name_addr_get_uri_string (const NetSipNameAddr *addr)
{
  return addr->uri;
}

/**
 * net_sip_name_addr_get_uri:
 * @addr: a #NetSipNameAddr
 * @error: return location for a #GError
 *
 * Parses the URI (see net_sip_uri_parse()).
 *
 * Errors: %NET_SIP_PARSE_ERROR_URI if the URI is malformed or @addr is the
 *   wildcard.
 *
 * Returns: (transfer full): a new #NetSipUri; free with net_sip_uri_free()
 *
 * Since: 1.0
 */
NetSipUri *
net_sip_name_addr_get_uri (const NetSipNameAddr  *addr,
                           GError               **error)
{
  if (addr->wildcard)
    {
      g_set_error_literal (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI,
                           "the wildcard '*' is not a URI");
      return NULL;
    }
  return net_sip_uri_parse (addr->uri, -1, error);
}

/**
 * net_sip_name_addr_get_tag:
 * @addr: a #NetSipNameAddr
 *
 * Gets the `tag` parameter.
 *
 * Returns: (transfer none) (nullable): the `tag` parameter of From or To
 *   (RFC 3261 §19.3), or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_name_addr_get_tag (const NetSipNameAddr *addr)
{
  return addr->tag;
}

/**
 * net_sip_name_addr_get_expires:
 * @addr: a #NetSipNameAddr
 *
 * Gets the `expires` parameter of a Contact.
 *
 * Returns: the Contact `expires` parameter in seconds (RFC 3261 §10.2.1.1),
 *   or -1 when absent or not a number up to 2^32-1
 *
 * Since: 1.0
 */
gint64
net_sip_name_addr_get_expires (const NetSipNameAddr *addr)
{
  const NetSipParam *p = net_sip_params_find (addr->params, addr->n_params, "expires");
  guint64 v;

  if (p == NULL || p->value == NULL ||
      !net_sip_parse_uint (p->value, strlen (p->value), G_MAXUINT32, &v))
    return -1;
  return (gint64) v;
}

/**
 * net_sip_name_addr_get_q:
 * @addr: a #NetSipNameAddr
 *
 * Gets the `q` parameter of a Contact.
 *
 * Returns: the Contact `q` parameter, 0.0 to 1.0 (RFC 3261 §20.10), or -1.0
 *   when absent or malformed
 *
 * Since: 1.0
 */
gdouble
net_sip_name_addr_get_q (const NetSipNameAddr *addr)
{
  const NetSipParam *p = net_sip_params_find (addr->params, addr->n_params, "q");
  char *endp = NULL;
  gdouble q;

  if (p == NULL || p->value == NULL || !g_ascii_isdigit (p->value[0]))
    return -1.0;
  q = g_ascii_strtod (p->value, &endp);
  if (endp == NULL || *endp != '\0' || q < 0.0 || q > 1.0)
    return -1.0;
  return q;
}

/**
 * net_sip_name_addr_has_param:
 * @addr: a #NetSipNameAddr
 * @name: header parameter name, compared case-insensitively
 *
 * Tells whether the header parameter @name is present.
 *
 * Returns: %TRUE if the header parameter is present
 *
 * Since: 1.0
 */
gboolean
net_sip_name_addr_has_param (const NetSipNameAddr *addr,
                             const char           *name)
{
  return net_sip_params_find (addr->params, addr->n_params, name) != NULL;
}

/**
 * net_sip_name_addr_get_param:
 * @addr: a #NetSipNameAddr
 * @name: header parameter name, compared case-insensitively
 *
 * Header parameters follow the address (`;tag=`, `;expires=`, `;q=`,
 * `;+sip.instance=`); URI parameters inside `<>` are the URI's.
 *
 * Returns: (transfer none) (nullable): the value (a quoted-string decoded),
 *   "" for a parameter without value, %NULL when absent
 *
 * Since: 1.0
 */
const char *
net_sip_name_addr_get_param (const NetSipNameAddr *addr,
                             const char           *name)
{
  const NetSipParam *p = net_sip_params_find (addr->params, addr->n_params, name);
  if (p == NULL)
    return NULL;
  return p->value ? p->value : "";
}

/**
 * net_sip_name_addr_get_n_params:
 * @addr: a #NetSipNameAddr
 *
 * Gets the number of header parameters.
 *
 * Returns: the number of header parameters
 *
 * Since: 1.0
 */
guint
net_sip_name_addr_get_n_params (const NetSipNameAddr *addr)
{
  return addr->n_params;
}

/**
 * net_sip_name_addr_get_param_nth:
 * @addr: a #NetSipNameAddr
 * @index: 0-based position, below net_sip_name_addr_get_n_params()
 * @value: (out) (optional) (transfer none) (nullable): the value, %NULL
 *   for a parameter without one
 *
 * Gets the header parameter at @index, for walking all of them.
 *
 * Returns: (transfer none): the name of the parameter at @index
 *
 * Since: 1.0
 */
const char *
net_sip_name_addr_get_param_nth (const NetSipNameAddr  *addr,
                                 guint                  index,
                                 const char           **value)
{
  g_return_val_if_fail (index < addr->n_params, NULL);
  if (value)
    *value = addr->params[index].value;
  return addr->params[index].name;
}

/**
 * net_sip_name_addr_to_string:
 * @addr: a #NetSipNameAddr
 *
 * Serializes in name-addr form (`"Name" <uri>;params`), which is always
 * safe (RFC 3261 §20: a URI with `,`, `;` or `?` must be enclosed in `<>`).
 *
 * Returns: (transfer full): the address as a string
 *
 * Since: 1.0
 */
char *
net_sip_name_addr_to_string (const NetSipNameAddr *addr)
{
  GString *s = g_string_sized_new (64);

  if (addr->wildcard)
    g_string_append_c (s, '*');
  else
    {
      if (addr->display_name)
        {
          net_sip_append_quoted (s, addr->display_name, addr->display_name_length);
          g_string_append_c (s, ' ');
        }
      g_string_append_printf (s, "<%s>", addr->uri);
    }
  net_sip_params_append (s, addr->params, addr->n_params, ';');
  return g_string_free (s, FALSE);
}
