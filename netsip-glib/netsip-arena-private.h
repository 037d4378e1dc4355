/* netsip-arena-private.h: a reference-counted bump allocator
 *
 * A parsed message owns one arena. Header indexes, NUL-terminated copies of
 * header values and the structured values parsed from them (Via, From, ...)
 * live in it, so parsing and reading a message costs one allocation besides
 * the object itself. Nothing in an arena is freed before the arena is: a
 * pointer a getter returned stays valid as long as the arena lives, even when
 * the message is modified later. Boxed values (NetSipVia, ...) hold a
 * reference on the arena they live in.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _NetSipArena NetSipArena;

NetSipArena *net_sip_arena_new         (gsize          initial_size);
NetSipArena *net_sip_arena_ref         (NetSipArena   *arena);
void         net_sip_arena_unref       (NetSipArena   *arena);
gpointer     net_sip_arena_alloc       (NetSipArena   *arena,
                                        gsize          size);
gpointer     net_sip_arena_alloc0      (NetSipArena   *arena,
                                        gsize          size);
char        *net_sip_arena_strndup     (NetSipArena   *arena,
                                        const char    *str,
                                        gsize          length);
char        *net_sip_arena_strdup      (NetSipArena   *arena,
                                        const char    *str);
void         net_sip_arena_add_cleanup (NetSipArena   *arena,
                                        GDestroyNotify func,
                                        gpointer       data);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipArena, net_sip_arena_unref)

G_END_DECLS
