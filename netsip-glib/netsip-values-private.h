/* netsip-values-private.h: layouts of the structured header values and their
 * in-arena parsers, shared by the message
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-arena-private.h"
#include "netsip-scan-private.h"
#include "netsip-via.h"
#include "netsip-name-addr.h"
#include "netsip-auth-params.h"

G_BEGIN_DECLS

struct _NetSipVia
{
  NetSipArena *arena;
  const char  *protocol;   /* "SIP/2.0" */
  const char  *transport;  /* "UDP", "TCP", ... as written */
  const char  *host;       /* IPv6 without brackets */
  gboolean     ipv6;
  guint16      port;       /* 0 when absent */
  gint         rport;      /* -1 absent, 0 without value */
  const char  *branch;
  const char  *received;   /* brackets removed */
  NetSipParam *params;
  guint        n_params;
};

struct _NetSipNameAddr
{
  NetSipArena *arena;
  gboolean     wildcard;
  gboolean     angle;       /* written as name-addr, with <> */
  const char  *display_name;
  gsize        display_name_length;
  gboolean     display_quoted;
  const char  *uri;
  const char  *tag;
  NetSipParam *params;
  guint        n_params;
};

struct _NetSipAuthParams
{
  NetSipArena *arena;
  const char  *scheme;
  const char  *opaque;      /* everything after the scheme, trimmed */
  NetSipParam *params;
  guint        n_params;
};

/* Each parses one element at *pp (up to @end) into @arena, advances *pp past
 * it and returns it; on error returns NULL and sets *what. The caller holds
 * the arena reference the value will keep. */
NetSipVia        *net_sip_via_parse_in         (NetSipArena  *arena,
                                                const char  **pp,
                                                const char   *end,
                                                const char  **what);
NetSipNameAddr   *net_sip_name_addr_parse_in   (NetSipArena  *arena,
                                                const char  **pp,
                                                const char   *end,
                                                gboolean      allow_wildcard,
                                                const char  **what);
NetSipAuthParams *net_sip_auth_params_parse_in (NetSipArena  *arena,
                                                const char   *p,
                                                const char   *end,
                                                const char  **what);

/* Parses a whole comma-separated list value; NULL on error. */
GPtrArray        *net_sip_via_list_parse_in    (NetSipArena  *arena,
                                                const char   *p,
                                                const char   *end,
                                                GPtrArray    *into,
                                                const char  **what);

G_END_DECLS
