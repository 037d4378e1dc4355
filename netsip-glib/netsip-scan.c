/* netsip-scan.c: lexical helpers shared by the header parsers
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-scan-private.h"

#define T NET_SIP_CC_TOKEN
#define D NET_SIP_CC_DIGIT
#define W NET_SIP_CC_WS
#define V NET_SIP_CC_PVALUE

/* token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~")
 * An unquoted parameter value (token / host / IPv6 reference) may also hold
 * ':' '[' ']' '/' '@' '?' '&' '=' '$' '(' ')' '{' '}' '|' '^' '#'. */
const guint8 net_sip_char_class[256] = {
  [' '] = W, ['\t'] = W,
  ['!'] = T | V, ['%'] = T | V, ['*'] = T | V, ['+'] = T | V, ['-'] = T | V,
  ['.'] = T | V, ['_'] = T | V, ['`'] = T | V, ['\''] = T | V, ['~'] = T | V,
  ['0'] = T | D | V, ['1'] = T | D | V, ['2'] = T | D | V, ['3'] = T | D | V,
  ['4'] = T | D | V, ['5'] = T | D | V, ['6'] = T | D | V, ['7'] = T | D | V,
  ['8'] = T | D | V, ['9'] = T | D | V,
  ['A'] = T | V, ['B'] = T | V, ['C'] = T | V, ['D'] = T | V, ['E'] = T | V,
  ['F'] = T | V, ['G'] = T | V, ['H'] = T | V, ['I'] = T | V, ['J'] = T | V,
  ['K'] = T | V, ['L'] = T | V, ['M'] = T | V, ['N'] = T | V, ['O'] = T | V,
  ['P'] = T | V, ['Q'] = T | V, ['R'] = T | V, ['S'] = T | V, ['T'] = T | V,
  ['U'] = T | V, ['V'] = T | V, ['W'] = T | V, ['X'] = T | V, ['Y'] = T | V,
  ['Z'] = T | V,
  ['a'] = T | V, ['b'] = T | V, ['c'] = T | V, ['d'] = T | V, ['e'] = T | V,
  ['f'] = T | V, ['g'] = T | V, ['h'] = T | V, ['i'] = T | V, ['j'] = T | V,
  ['k'] = T | V, ['l'] = T | V, ['m'] = T | V, ['n'] = T | V, ['o'] = T | V,
  ['p'] = T | V, ['q'] = T | V, ['r'] = T | V, ['s'] = T | V, ['t'] = T | V,
  ['u'] = T | V, ['v'] = T | V, ['w'] = T | V, ['x'] = T | V, ['y'] = T | V,
  ['z'] = T | V,
  [':'] = V, ['['] = V, [']'] = V, ['/'] = V, ['@'] = V, ['?'] = V, ['&'] = V,
  ['='] = V, ['$'] = V, ['('] = V, [')'] = V, ['{'] = V, ['}'] = V, ['|'] = V,
  ['^'] = V, ['#'] = V,
};

#undef T
#undef D
#undef W
#undef V

/* Decimal digits only, leading zeros allowed (RFC 4475 wsinv), range-checked
 * before each step so nothing wraps (RFC 4475 scalar02, bigcode). */
gboolean
net_sip_parse_uint (const char *p,
                    gsize       length,
                    guint64     max,
                    guint64    *out)
{
  guint64 v = 0;
  const guint64 limit = max / 10;
  const guint last = max % 10;

  if (length == 0)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      guint d = (guchar) p[i] - '0';
      if (d > 9)
        return FALSE;
      if (v > limit || (v == limit && d > last))
        return FALSE;
      v = v * 10 + d;
    }
  *out = v;
  return TRUE;
}

/* @p points at the opening DQUOTE. Decodes quoted-pairs ("\x" is x, for any
 * octet x including NUL) into the arena. Returns the position after the
 * closing DQUOTE, or NULL if the string is not terminated. */
const char *
net_sip_parse_quoted (NetSipArena  *arena,
                      const char   *p,
                      const char   *end,
                      const char  **out,
                      gsize        *out_length)
{
  const char *s = p + 1;
  const char *q;
  gboolean escapes = FALSE;
  char *dst;
  gsize n = 0;

  for (q = s; q < end; q++)
    {
      if (*q == '\\')
        {
          if (q + 1 >= end)
            return NULL;
          escapes = TRUE;
          q++;
        }
      else if (*q == '"')
        break;
    }
  if (q >= end)
    return NULL;

  if (!escapes)
    {
      *out = net_sip_arena_strndup (arena, s, q - s);
      *out_length = q - s;
      return q + 1;
    }

  dst = net_sip_arena_alloc (arena, (q - s) + 1);
  for (const char *r = s; r < q; r++)
    {
      if (*r == '\\')
        r++;
      dst[n++] = *r;
    }
  dst[n] = '\0';
  *out = dst;
  *out_length = n;
  return q + 1;
}

/* Parses `*( SEMI generic-param )` starting at @p (which must point at the
 * first ';' or at the end of the element). @separator is ';' for Via and
 * name-addr parameters, ',' for auth-params (where the first parameter
 * follows the scheme without a separator: then @p points at its name).
 * Stops at the first character that cannot continue the list and returns
 * its position; NULL on error, with @error_what saying what was wrong. */
const char *
net_sip_parse_params (NetSipArena  *arena,
                      const char   *p,
                      const char   *end,
                      char          separator,
                      NetSipParam **params,
                      guint        *n_params,
                      const char  **error_what)
{
  NetSipParam tmp[NET_SIP_MAX_PARAMS];
  guint n = 0;
  gboolean first = (separator == ',');

  for (;;)
    {
      const char *name, *name_end;

      p = net_sip_skip_ws (p, end);
      if (!first)
        {
          if (p >= end || *p != separator)
            break;
          p = net_sip_skip_ws (p + 1, end);
        }
      first = FALSE;

      name = p;
      p = name_end = net_sip_skip_token (p, end);
      if (name_end == name)
        {
          *error_what = "empty or malformed parameter";
          return NULL;
        }
      if (n == NET_SIP_MAX_PARAMS)
        {
          *error_what = "too many parameters";
          return NULL;
        }
      tmp[n].name = net_sip_arena_strndup (arena, name, name_end - name);
      tmp[n].name_length = name_end - name;
      tmp[n].value = NULL;
      tmp[n].quoted = FALSE;

      p = net_sip_skip_ws (p, end);
      if (p < end && *p == '=')
        {
          p = net_sip_skip_ws (p + 1, end);
          if (p < end && *p == '"')
            {
              gsize len;
              p = net_sip_parse_quoted (arena, p, end, &tmp[n].value, &len);
              if (p == NULL)
                {
                  *error_what = "unterminated quoted string in parameter";
                  return NULL;
                }
              tmp[n].quoted = TRUE;
            }
          else
            {
              const char *v = p;
              if (p < end && *p == '[')
                {
                  const char *close = memchr (p, ']', end - p);
                  if (close == NULL)
                    {
                      *error_what = "unterminated IPv6 reference in parameter";
                      return NULL;
                    }
                  p = close + 1;
                }
              else
                while (p < end && (net_sip_char_class[(guchar) *p] & NET_SIP_CC_PVALUE)
                       && *p != separator && !(separator == ';' && *p == '?'))
                  p++;
              if (p == v)
                {
                  *error_what = "parameter without a value after '='";
                  return NULL;
                }
              tmp[n].value = net_sip_arena_strndup (arena, v, p - v);
            }
        }
      n++;
    }

  *n_params = n;
  if (n > 0)
    {
      *params = net_sip_arena_alloc (arena, n * sizeof (NetSipParam));
      memcpy (*params, tmp, n * sizeof (NetSipParam));
    }
  else
    *params = NULL;
  return p;
}

const NetSipParam *
net_sip_params_find (const NetSipParam *params,
                     guint              n_params,
                     const char        *name)
{
  gsize len = strlen (name);

  for (guint i = 0; i < n_params; i++)
    if (params[i].name_length == len)
      {
        gsize j = 0;
        while (j < len && net_sip_ascii_lower (params[i].name[j]) == net_sip_ascii_lower (name[j]))
          j++;
        if (j == len)
          return &params[i];
      }
  return NULL;
}

void
net_sip_append_quoted (GString    *out,
                       const char *str,
                       gsize       length)
{
  g_string_append_c (out, '"');
  for (gsize i = 0; i < length; i++)
    {
      if (str[i] == '"' || str[i] == '\\' || str[i] == '\0' || str[i] == '\r' || str[i] == '\n')
        g_string_append_c (out, '\\');
      g_string_append_c (out, str[i]);
    }
  g_string_append_c (out, '"');
}

void
net_sip_params_append (GString           *out,
                       const NetSipParam *params,
                       guint              n_params,
                       char               separator)
{
  for (guint i = 0; i < n_params; i++)
    {
      if (separator == ',')
        {
          if (i > 0)
            g_string_append (out, ", ");
        }
      else
        g_string_append_c (out, separator);
      g_string_append (out, params[i].name);
      if (params[i].value)
        {
          g_string_append_c (out, '=');
          if (params[i].quoted)
            net_sip_append_quoted (out, params[i].value, strlen (params[i].value));
          else
            g_string_append (out, params[i].value);
        }
    }
}
