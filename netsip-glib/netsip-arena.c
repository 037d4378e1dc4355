/* netsip-arena.c: a reference-counted bump allocator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-arena-private.h"

#define ARENA_MIN_CHUNK 1024

struct _NetSipArenaChunk
{
  NetSipArenaChunk *next;
  /* bytes follow */
};

struct _NetSipArenaCleanup
{
  NetSipArenaCleanup *next;
  GDestroyNotify      func;
  gpointer            data;
};

#define HEAD_SIZE(type) NET_SIP_ARENA_ALIGN (sizeof (type))

NetSipArena *
net_sip_arena_new (gsize initial_size)
{
  NetSipArena *arena;

  initial_size = NET_SIP_ARENA_ALIGN (MAX (initial_size, 64));
  /* one allocation: the arena, then the first chunk's bytes */
  arena = g_malloc (HEAD_SIZE (NetSipArena) + initial_size);
  g_atomic_ref_count_init (&arena->ref_count);
  arena->ptr = (char *) arena + HEAD_SIZE (NetSipArena);
  arena->limit = arena->ptr + initial_size;
  arena->extra = NULL;
  arena->cleanups = NULL;
  return arena;
}

NetSipArena *
net_sip_arena_ref (NetSipArena *arena)
{
  g_atomic_ref_count_inc (&arena->ref_count);
  return arena;
}

void
net_sip_arena_unref (NetSipArena *arena)
{
  if (!g_atomic_ref_count_dec (&arena->ref_count))
    return;

  while (arena->cleanups)
    {
      NetSipArenaCleanup *c = arena->cleanups;
      arena->cleanups = c->next;
      c->func (c->data);
    }
  while (arena->extra)
    {
      NetSipArenaChunk *c = arena->extra;
      arena->extra = c->next;
      g_free (c);
    }
  g_free (arena);
}

gpointer
net_sip_arena_alloc_slow (NetSipArena *arena,
                          gsize        size)
{
  gsize current = arena->limit - arena->ptr;
  gsize want = MAX (ARENA_MIN_CHUNK, MAX (size, current * 2));
  NetSipArenaChunk *chunk = g_malloc (HEAD_SIZE (NetSipArenaChunk) + want);
  char *p;

  chunk->next = arena->extra;
  arena->extra = chunk;
  p = (char *) chunk + HEAD_SIZE (NetSipArenaChunk);
  arena->ptr = p + size;
  arena->limit = p + want;
  return p;
}

char *
net_sip_arena_strdup (NetSipArena *arena,
                      const char  *str)
{
  if (str == NULL)
    return NULL;
  return net_sip_arena_strndup (arena, str, strlen (str));
}

void
net_sip_arena_add_cleanup (NetSipArena    *arena,
                           GDestroyNotify  func,
                           gpointer        data)
{
  NetSipArenaCleanup *c = net_sip_arena_alloc (arena, sizeof (NetSipArenaCleanup));
  c->func = func;
  c->data = data;
  c->next = arena->cleanups;
  arena->cleanups = c;
}
