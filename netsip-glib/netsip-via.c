/* netsip-via.c: one via-parm of a Via header (RFC 3261 §20.42, §25.1)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-via.h"
#include "netsip-error.h"
#include "netsip-values-private.h"

/**
 * NetSipVia:
 *
 * One via-parm of a Via header: `SIP/2.0/UDP host:port;branch=...;rport`
 * (RFC 3261 §20.42, RFC 3581 for `rport`). A Via list header holds one or
 * more of them; [method@NetSip.Message.get_vias] returns them in order.
 *
 * A #NetSipVia is immutable. Values read from a message live in the
 * message's memory and stay valid while a reference is held.
 *
 * Since: 1.0
 */

G_DEFINE_BOXED_TYPE (NetSipVia, net_sip_via, net_sip_via_ref, net_sip_via_unref)

static inline gboolean
is_host_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || c == '_';
}

NetSipVia *
net_sip_via_parse_in (NetSipArena  *arena,
                      const char  **pp,
                      const char   *end,
                      const char  **what)
{
  const char *p = net_sip_skip_ws (*pp, end);
  const char *name, *name_end, *ver, *ver_end, *tr, *tr_end, *host, *host_end;
  NetSipVia *via;
  const NetSipParam *param;

  /* sent-protocol = protocol-name SLASH protocol-version SLASH transport,
   * SLASH = SWS "/" SWS */
  name = p;
  p = name_end = net_sip_skip_token (p, end);
  p = net_sip_skip_ws (p, end);
  if (name_end == name || p >= end || *p != '/')
    {
      *what = "expected 'SIP/2.0/<transport>'";
      return NULL;
    }
  p = net_sip_skip_ws (p + 1, end);
  ver = p;
  p = ver_end = net_sip_skip_token (p, end);
  p = net_sip_skip_ws (p, end);
  if (ver_end == ver || p >= end || *p != '/')
    {
      *what = "expected 'SIP/2.0/<transport>'";
      return NULL;
    }
  p = net_sip_skip_ws (p + 1, end);
  tr = p;
  p = tr_end = net_sip_skip_token (p, end);
  if (tr_end == tr)
    {
      *what = "missing transport";
      return NULL;
    }
  if (p >= end || !net_sip_is_ws (*p))
    {
      *what = "expected whitespace before sent-by";
      return NULL;
    }
  p = net_sip_skip_ws (p, end);

  via = net_sip_arena_alloc0 (arena, sizeof (NetSipVia));
  via->arena = arena;
  via->rport = -1;
  {
    char *proto = net_sip_arena_alloc (arena, (name_end - name) + (ver_end - ver) + 2);
    memcpy (proto, name, name_end - name);
    proto[name_end - name] = '/';
    memcpy (proto + (name_end - name) + 1, ver, ver_end - ver);
    proto[(name_end - name) + 1 + (ver_end - ver)] = '\0';
    via->protocol = proto;
  }
  via->transport = net_sip_arena_strndup (arena, tr, tr_end - tr);

  /* sent-by = host [ COLON port ] */
  if (p < end && *p == '[')
    {
      const char *close = memchr (p, ']', end - p);
      if (close == NULL || close == p + 1)
        {
          *what = "unterminated IPv6 reference in sent-by";
          return NULL;
        }
      for (const char *q = p + 1; q < close; q++)
        if (!g_ascii_isxdigit (*q) && *q != ':' && *q != '.')
          {
            *what = "invalid IPv6 reference in sent-by";
            return NULL;
          }
      host = p + 1;
      host_end = close;
      via->ipv6 = TRUE;
      p = close + 1;
    }
  else
    {
      host = p;
      while (p < end && is_host_char (*p))
        p++;
      host_end = p;
      if (host_end == host)
        {
          *what = "missing host in sent-by";
          return NULL;
        }
    }
  via->host = net_sip_arena_strndup (arena, host, host_end - host);

  p = net_sip_skip_ws (p, end);
  if (p < end && *p == ':')
    {
      const char *port;
      guint64 v;
      p = net_sip_skip_ws (p + 1, end);
      port = p;
      while (p < end && g_ascii_isdigit (*p))
        p++;
      if (!net_sip_parse_uint (port, p - port, 65535, &v) || v == 0)
        {
          *what = "invalid port in sent-by";
          return NULL;
        }
      via->port = v;
    }

  p = net_sip_parse_params (arena, p, end, ';', &via->params, &via->n_params, what);
  if (p == NULL)
    return NULL;

  /* one pass for the parameters RFC 3261 and RFC 3581 give a meaning */
  for (guint i = 0; i < via->n_params; i++)
    {
      param = &via->params[i];
      if (net_sip_param_is (param, "branch"))
        {
          if (param->value == NULL)
            {
              *what = "'branch' without a value";
              return NULL;
            }
          if (via->branch == NULL)
            via->branch = param->value;
        }
      else if (net_sip_param_is (param, "received"))
        {
          const char *r = param->value;
          gsize len;
          if (r == NULL)
            {
              *what = "'received' without a value";
              return NULL;
            }
          len = strlen (r);
          /* RFC 5118 §4.5: accept received=[IPv6] as well as the bare form */
          if (len >= 2 && r[0] == '[' && r[len - 1] == ']')
            r = net_sip_arena_strndup (arena, r + 1, len - 2);
          if (via->received == NULL)
            via->received = r;
        }
      else if (net_sip_param_is (param, "rport"))
        {
          guint64 v = 0;
          if (param->value && (!net_sip_parse_uint (param->value, strlen (param->value), 65535, &v) || v == 0))
            {
              *what = "invalid 'rport' value";
              return NULL;
            }
          if (via->rport < 0)
            via->rport = (gint) v;
        }
    }

  *pp = p;
  return via;
}

GPtrArray *
net_sip_via_list_parse_in (NetSipArena  *arena,
                           const char   *p,
                           const char   *end,
                           GPtrArray    *into,
                           const char  **what)
{
  for (;;)
    {
      NetSipVia *via = net_sip_via_parse_in (arena, &p, end, what);
      if (via == NULL)
        return NULL;
      g_ptr_array_add (into, via);
      p = net_sip_skip_ws (p, end);
      if (p >= end)
        return into;
      if (*p != ',')
        {
          *what = "unexpected character after via-parm";
          return NULL;
        }
      p++;
    }
}

/**
 * net_sip_via_parse:
 * @text: (array length=length) (element-type guint8): one via-parm, such as
 *   `SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds`
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses one via-parm (RFC 3261 §20.42). Whitespace is allowed around the
 * slashes of the sent-protocol and before parameters (§7.3.1); `received`
 * may hold an IPv6 address with or without brackets (RFC 5118 §4.5).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE if @text is not exactly one via-parm.
 *
 * Returns: (transfer full): the Via value; free with net_sip_via_unref()
 *
 * Since: 1.0
 */
NetSipVia *
net_sip_via_parse (const char  *text,
                   gssize       length,
                   GError     **error)
{
  g_autoptr(NetSipArena) arena = NULL;
  const char *what = NULL;
  const char *p, *end;
  NetSipVia *via;

  g_return_val_if_fail (text != NULL, NULL);
  if (length < 0)
    length = strlen (text);
  arena = net_sip_arena_new (length * 2 + sizeof (NetSipVia) + 64);
  p = text;
  end = text + length;
  via = net_sip_via_parse_in (arena, &p, end, &what);
  if (via && net_sip_skip_ws (p, end) != end)
    {
      via = NULL;
      what = "unexpected text after via-parm";
    }
  if (via == NULL)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_VALUE,
                   "Via '%.*s': %s", (int) MIN (length, 80), text, what);
      return NULL;
    }
  g_steal_pointer (&arena);
  return via;
}

/**
 * net_sip_via_ref:
 * @via: a #NetSipVia
 *
 * Takes a reference on @via.
 *
 * Returns: (transfer full): @via, with one more reference
 *
 * Since: 1.0
 */
NetSipVia *
net_sip_via_ref (NetSipVia *via)
{
  g_return_val_if_fail (via != NULL, NULL);
  net_sip_arena_ref (via->arena);
  return via;
}

/**
 * net_sip_via_unref:
 * @via: (transfer full): a #NetSipVia
 *
 * Drops a reference.
 *
 * Since: 1.0
 */
void
net_sip_via_unref (NetSipVia *via)
{
  g_return_if_fail (via != NULL);
  net_sip_arena_unref (via->arena);
}

/**
 * net_sip_via_get_protocol:
 * @via: a #NetSipVia
 *
 * Gets the protocol name and version of the Via.
 *
 * Returns: (transfer none): protocol name and version, `SIP/2.0`
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_protocol (const NetSipVia *via)
{
  return via->protocol;
}

/**
 * net_sip_via_get_transport:
 * @via: a #NetSipVia
 *
 * Gets the transport of the Via.
 *
 * Returns: (transfer none): the transport as written: `UDP`, `TCP`, `TLS`,
 *   `SCTP`, `WS`... (RFC 3261 §20.42 allows any token)
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_transport (const NetSipVia *via)
{
  return via->transport;
}

/**
 * net_sip_via_get_host:
 * @via: a #NetSipVia
 *
 * Gets the host of the Via's sent-by.
 *
 * Returns: (transfer none): the host of sent-by; an IPv6 reference without
 *   its brackets
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_host (const NetSipVia *via)
{
  return via->host;
}

/**
 * net_sip_via_host_is_ipv6:
 * @via: a #NetSipVia
 *
 * Tells whether the sent-by host is an IPv6 reference.
 *
 * Returns: %TRUE if the host was written as an IPv6 reference `[...]`
 *
 * Since: 1.0
 */
gboolean
net_sip_via_host_is_ipv6 (const NetSipVia *via)
{
  return via->ipv6;
}

/**
 * net_sip_via_get_port:
 * @via: a #NetSipVia
 *
 * Gets the port of the Via's sent-by.
 *
 * Returns: the port of sent-by, or 0 when absent (the transport's default
 *   applies, RFC 3261 §18.2.2)
 *
 * Since: 1.0
 */
guint16
net_sip_via_get_port (const NetSipVia *via)
{
  return via->port;
}

/**
 * net_sip_via_get_branch:
 * @via: a #NetSipVia
 *
 * Gets the `branch` parameter of the Via.
 *
 * Returns: (transfer none) (nullable): the `branch` parameter (RFC 3261
 *   §8.1.1.7), or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_branch (const NetSipVia *via)
{
  return via->branch;
}

/**
 * net_sip_via_get_received:
 * @via: a #NetSipVia
 *
 * Gets the `received` parameter of the Via.
 *
 * Returns: (transfer none) (nullable): the `received` parameter (RFC 3261
 *   §18.2.1) without brackets, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_received (const NetSipVia *via)
{
  return via->received;
}

/**
 * net_sip_via_get_rport:
 * @via: a #NetSipVia
 *
 * Gets the `rport` parameter of the Via.
 *
 * Returns: the `rport` parameter (RFC 3581): -1 when absent, 0 when present
 *   without a value (a request asking for it), else the port
 *
 * Since: 1.0
 */
gint
net_sip_via_get_rport (const NetSipVia *via)
{
  return via->rport;
}

/**
 * net_sip_via_has_param:
 * @via: a #NetSipVia
 * @name: parameter name, compared case-insensitively
 *
 * Tells whether the Via has the parameter @name.
 *
 * Returns: %TRUE if the parameter is present, with or without a value
 *
 * Since: 1.0
 */
gboolean
net_sip_via_has_param (const NetSipVia *via,
                       const char      *name)
{
  return net_sip_params_find (via->params, via->n_params, name) != NULL;
}

/**
 * net_sip_via_get_param:
 * @via: a #NetSipVia
 * @name: parameter name, compared case-insensitively
 *
 * Gets the value of the Via parameter @name.
 *
 * Returns: (transfer none) (nullable): the value (a quoted-string is
 *   returned decoded), "" for a parameter without value, %NULL if absent
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_param (const NetSipVia *via,
                       const char      *name)
{
  const NetSipParam *p = net_sip_params_find (via->params, via->n_params, name);
  if (p == NULL)
    return NULL;
  return p->value ? p->value : "";
}

/**
 * net_sip_via_get_n_params:
 * @via: a #NetSipVia
 *
 * Gets the number of Via parameters.
 *
 * Returns: the number of parameters, `branch`, `received` and `rport`
 *   included
 *
 * Since: 1.0
 */
guint
net_sip_via_get_n_params (const NetSipVia *via)
{
  return via->n_params;
}

/**
 * net_sip_via_get_param_nth:
 * @via: a #NetSipVia
 * @index: 0-based position, below net_sip_via_get_n_params()
 * @value: (out) (optional) (transfer none) (nullable): the value, %NULL for
 *   a parameter without one
 *
 * Gets the Via parameter at @index, for walking all of them.
 *
 * Returns: (transfer none): the name of the parameter at @index, in order
 *
 * Since: 1.0
 */
const char *
net_sip_via_get_param_nth (const NetSipVia  *via,
                           guint             index,
                           const char      **value)
{
  g_return_val_if_fail (index < via->n_params, NULL);
  if (value)
    *value = via->params[index].value;
  return via->params[index].name;
}

/**
 * net_sip_via_to_string:
 * @via: a #NetSipVia
 *
 * Formats the Via value.
 *
 * Returns: (transfer full): the via-parm in canonical form
 *
 * Since: 1.0
 */
char *
net_sip_via_to_string (const NetSipVia *via)
{
  GString *s = g_string_sized_new (64);

  g_string_append_printf (s, "%s/%s ", via->protocol, via->transport);
  if (via->ipv6)
    g_string_append_printf (s, "[%s]", via->host);
  else
    g_string_append (s, via->host);
  if (via->port)
    g_string_append_printf (s, ":%u", via->port);
  net_sip_params_append (s, via->params, via->n_params, ';');
  return g_string_free (s, FALSE);
}
