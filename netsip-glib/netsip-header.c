/* netsip-header.c: header names, compact forms and list splitting
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-header-private.h"
#include "netsip-message.h"

typedef struct
{
  const char *name;
  guint8      length;
  char        compact;
  guint8      flags;
} HeaderInfo;

static const HeaderInfo header_info[NET_SIP_HDR_N_KNOWN] = {
  [NET_SIP_HDR_OTHER] = { NULL, 0, 0, 0 },
#define NET_SIP_HEADER(id, name, compact, flags) \
  [NET_SIP_HDR_##id] = { name, sizeof (name) - 1, compact, flags },
#include "netsip-header-list.h"
#undef NET_SIP_HEADER
};

/* Candidates by first letter and length: names the library knows rarely
 * share both (Call-ID and Contact do), so a lookup compares against one or
 * two lower-case names. Built once. */
#define MAX_NAME 32
#define MAX_CANDIDATES 4
static guint8 candidates[26][MAX_NAME][MAX_CANDIDATES];
static guint8 compact_table[26];
static char lower_names[NET_SIP_HDR_N_KNOWN][MAX_NAME];

static void
build_tables (void)
{
  for (guint id = 1; id < NET_SIP_HDR_N_KNOWN; id++)
    {
      const HeaderInfo *hi = &header_info[id];
      guint8 *slot;
      guint k = 0;

      g_assert (hi->length < MAX_NAME);
      for (guint i = 0; i < hi->length; i++)
        lower_names[id][i] = g_ascii_tolower (hi->name[i]);
      slot = candidates[lower_names[id][0] - 'a'][hi->length];
      while (slot[k] != 0)
        k++;
      g_assert (k < MAX_CANDIDATES);
      slot[k] = id;
      if (hi->compact)
        compact_table[hi->compact - 'a'] = id;
    }
}

static inline void
ensure_tables (void)
{
  static gsize once = 0;
  if (g_once_init_enter (&once))
    {
      build_tables ();
      g_once_init_leave (&once, 1);
    }
}

/* Returns the NetSipHeaderId of a header name (any case, long or compact
 * form), or NET_SIP_HDR_OTHER. */
guint
net_sip_header_lookup (const char *name,
                       gsize       length)
{
  const guint8 *slot;
  guchar first;

  ensure_tables ();
  if (length == 0 || length >= MAX_NAME)
    return NET_SIP_HDR_OTHER;
  first = (guchar) name[0] | 0x20;
  if (first < 'a' || first > 'z')
    return NET_SIP_HDR_OTHER;
  if (length == 1)
    return compact_table[first - 'a'];

  slot = candidates[first - 'a'][length];
  for (guint k = 0; k < MAX_CANDIDATES && slot[k] != 0; k++)
    {
      /* Known names hold only letters and '-': c | 0x20 equals their
       * lower-case form exactly for the same letter in either case, and
       * for '-' only for '-' itself (or CR, never in a name). */
      const char *lower = lower_names[slot[k]];
      gsize i = 1;
      while (i < length && ((guchar) name[i] | 0x20) == (guchar) lower[i])
        i++;
      if (i == length)
        return slot[k];
    }
  return NET_SIP_HDR_OTHER;
}

const char *
net_sip_header_id_name (guint id)
{
  return id < NET_SIP_HDR_N_KNOWN ? header_info[id].name : NULL;
}

gsize
net_sip_header_id_name_length (guint id)
{
  return id < NET_SIP_HDR_N_KNOWN ? header_info[id].length : 0;
}

guint
net_sip_header_id_flags (guint id)
{
  return id < NET_SIP_HDR_N_KNOWN ? header_info[id].flags : 0;
}

/**
 * net_sip_header_canonical_name:
 * @name: a header name in any case, long or compact form
 *
 * Maps a header name to the spelling RFC 3261 and its extensions use:
 * `v` and `VIA` become `Via`, `i` becomes `Call-ID` (RFC 3261 §7.3.3 and
 * the compact forms registered since: `o` Event, `u` Allow-Events,
 * `r` Refer-To, `b` Referred-By, `x` Session-Expires, `y` Identity,
 * `a` Accept-Contact, `j` Reject-Contact, `d` Request-Disposition).
 *
 * Returns: (transfer none) (nullable): the canonical name of a header the
 *   library knows, or %NULL for other names
 *
 * Since: 1.0
 */
const char *
net_sip_header_canonical_name (const char *name)
{
  g_return_val_if_fail (name != NULL, NULL);
  return net_sip_header_id_name (net_sip_header_lookup (name, strlen (name)));
}

GPtrArray *
net_sip_header_split_list (const char *value,
                           gsize       length)
{
  GPtrArray *out = g_ptr_array_new_with_free_func (g_free);
  const char *end = value + length;
  const char *start = value;
  gboolean in_quote = FALSE;
  gboolean in_angle = FALSE;

  for (const char *p = value; p <= end; p++)
    {
      if (p < end)
        {
          if (in_quote)
            {
              if (*p == '\\' && p + 1 < end)
                p++;
              else if (*p == '"')
                in_quote = FALSE;
              continue;
            }
          if (*p == '"')
            {
              in_quote = TRUE;
              continue;
            }
          if (*p == '<')
            in_angle = TRUE;
          else if (*p == '>')
            in_angle = FALSE;
          if (*p != ',' || in_angle)
            continue;
        }

      /* at a top-level comma, or at the end */
      {
        const char *s = start, *e = p;
        while (s < e && (*s == ' ' || *s == '\t'))
          s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
          e--;
        if (e > s)
          g_ptr_array_add (out, g_strndup (s, e - s));
        start = p + 1;
      }
    }
  return out;
}
