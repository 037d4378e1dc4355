/* netsip-header-private.h: header names, compact forms (RFC 3261 §7.3.3 and
 * extensions) and which headers are comma-separated lists
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
  NET_SIP_HDR_OTHER = 0,
#define NET_SIP_HEADER(id, name, compact, flags) NET_SIP_HDR_##id,
#include "netsip-header-list.h"
#undef NET_SIP_HEADER
  NET_SIP_HDR_N_KNOWN
} NetSipHeaderId;

#define NET_SIP_HF_LIST   0x01  /* value is a comma-separated list (§7.3.1) */
#define NET_SIP_HF_SINGLE 0x02  /* at most one per message (§20) */

guint        net_sip_header_lookup       (const char *name,
                                          gsize       length);
const char  *net_sip_header_id_name      (guint       id);
guint        net_sip_header_id_flags     (guint       id);
gsize        net_sip_header_id_name_length (guint     id);

/* Splits a comma-separated list value at top-level commas (not inside
 * quoted strings or <...>), trimming whitespace around each element. */
GPtrArray   *net_sip_header_split_list   (const char *value,
                                          gsize       length);

G_END_DECLS
