/* netsip-random-private.h: random tokens (tags, Call-IDs, branches) and
 * secrets, one place for the formatting and the source of randomness
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Room for net_sip_random_hex() of @n_words words and its NUL */
#define NET_SIP_RANDOM_HEX_SIZE(n_words) ((n_words) * 8 + 1)

G_GNUC_INTERNAL
char   *net_sip_random_hex        (char       *buffer,
                                   guint       n_words);
G_GNUC_INTERNAL
char   *net_sip_random_token      (const char *prefix,
                                   guint       n_words,
                                   const char *suffix);
G_GNUC_INTERNAL
GBytes *net_sip_random_secret_new (gsize       length);

G_END_DECLS
