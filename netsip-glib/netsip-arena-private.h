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

#include <string.h>
#include <glib.h>

G_BEGIN_DECLS

typedef struct _NetSipArena NetSipArena;
typedef struct _NetSipArenaChunk NetSipArenaChunk;
typedef struct _NetSipArenaCleanup NetSipArenaCleanup;

struct _NetSipArena
{
  gatomicrefcount     ref_count;
  gboolean            cached;    /* a block of the per-thread cache */
  char               *ptr;       /* next free byte of the current chunk */
  char               *limit;     /* end of the current chunk */
  NetSipArenaChunk   *extra;     /* chunks allocated after the first */
  NetSipArenaCleanup *cleanups;
  /* the first chunk's bytes follow */
};

#define NET_SIP_ARENA_ALIGN(n) (((n) + 7) & ~(gsize) 7)

NetSipArena *net_sip_arena_new         (gsize          initial_size);
NetSipArena *net_sip_arena_ref         (NetSipArena   *arena);
void         net_sip_arena_unref       (NetSipArena   *arena);
gpointer     net_sip_arena_alloc_slow  (NetSipArena   *arena,
                                        gsize          size);
char        *net_sip_arena_strdup      (NetSipArena   *arena,
                                        const char    *str);
void         net_sip_arena_add_cleanup (NetSipArena   *arena,
                                        GDestroyNotify func,
                                        gpointer       data);

static inline gpointer
net_sip_arena_alloc (NetSipArena *arena,
                     gsize        size)
{
  size = NET_SIP_ARENA_ALIGN (size ? size : 1);
  if (G_LIKELY ((gsize) (arena->limit - arena->ptr) >= size))
    {
      char *p = arena->ptr;
      arena->ptr += size;
      return p;
    }
  return net_sip_arena_alloc_slow (arena, size);
}

static inline gpointer
net_sip_arena_alloc0 (NetSipArena *arena,
                      gsize        size)
{
  gpointer p = net_sip_arena_alloc (arena, size);
  memset (p, 0, size);
  return p;
}

static inline char *
net_sip_arena_strndup (NetSipArena *arena,
                       const char  *str,
                       gsize        length)
{
  char *p = net_sip_arena_alloc (arena, length + 1);
  /* short strings dominate: a byte loop beats a call to memcpy */
  if (length <= 16)
    for (gsize i = 0; i < length; i++)
      p[i] = str[i];
  else
    memcpy (p, str, length);
  p[length] = '\0';
  return p;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipArena, net_sip_arena_unref)

G_END_DECLS
