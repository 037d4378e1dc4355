/* netsip-scan-private.h: lexical helpers shared by the header parsers
 * (RFC 3261 §25.1 basic rules: token, LWS, quoted-string, generic-param)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "netsip-arena-private.h"

G_BEGIN_DECLS

/* Most elements (Via, Contact...) carry fewer; more is refused as abuse. */
#define NET_SIP_MAX_PARAMS 64

typedef struct
{
  const char *name;
  const char *value;        /* NULL when the parameter has no value */
  guint32     name_length;
  gboolean    quoted;       /* the value was a quoted-string (now decoded) */
} NetSipParam;

extern const guint8 net_sip_char_class[256];

#define NET_SIP_CC_TOKEN  0x01
#define NET_SIP_CC_DIGIT  0x02
#define NET_SIP_CC_WS     0x04
#define NET_SIP_CC_PVALUE 0x08  /* may appear in an unquoted parameter value */

static inline gboolean
net_sip_is_token_char (guchar c)
{
  return (net_sip_char_class[c] & NET_SIP_CC_TOKEN) != 0;
}

static inline gboolean
net_sip_is_ws (guchar c)
{
  return c == ' ' || c == '\t';
}

static inline guchar
net_sip_ascii_lower (guchar c)
{
  return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive equality of @a (length @length) and the NUL-terminated
 * lower-case @lower of the same length. */
static inline gboolean
net_sip_name_is (const char *a,
                 gsize       length,
                 const char *lower,
                 gsize       lower_length)
{
  if (length != lower_length)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (net_sip_ascii_lower (a[i]) != (guchar) lower[i])
      return FALSE;
  return TRUE;
}

static inline gboolean
net_sip_param_is (const NetSipParam *param,
                  const char        *lower)
{
  return net_sip_name_is (param->name, param->name_length, lower, strlen (lower));
}

static inline const char *
net_sip_skip_ws (const char *p,
                 const char *end)
{
  while (p < end && (*p == ' ' || *p == '\t'))
    p++;
  return p;
}

static inline const char *
net_sip_skip_token (const char *p,
                    const char *end)
{
  while (p < end && net_sip_is_token_char ((guchar) *p))
    p++;
  return p;
}

gboolean     net_sip_parse_uint        (const char   *p,
                                        gsize         length,
                                        guint64       max,
                                        guint64      *out);
const char  *net_sip_parse_quoted      (NetSipArena  *arena,
                                        const char   *p,
                                        const char   *end,
                                        const char  **out,
                                        gsize        *out_length);
const char  *net_sip_parse_params      (NetSipArena  *arena,
                                        const char   *p,
                                        const char   *end,
                                        char          separator,
                                        NetSipParam **params,
                                        guint        *n_params,
                                        const char  **error_what);
const NetSipParam *
             net_sip_params_find       (const NetSipParam *params,
                                        guint              n_params,
                                        const char        *name);
void         net_sip_params_append     (GString           *out,
                                        const NetSipParam *params,
                                        guint              n_params,
                                        char               separator);
void         net_sip_append_quoted     (GString           *out,
                                        const char        *str,
                                        gsize              length);

G_END_DECLS
