/* netsip-arena.c: a reference-counted bump allocator
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-arena-private.h"

#define ARENA_ALIGN 8
#define ARENA_MIN_CHUNK 1024

typedef struct _Chunk Chunk;
struct _Chunk
{
  Chunk *next;
  gsize  size;
  gsize  used;
  /* data follows, aligned */
};

typedef struct _Cleanup Cleanup;
struct _Cleanup
{
  Cleanup        *next;
  GDestroyNotify  func;
  gpointer        data;
};

struct _NetSipArena
{
  gatomicrefcount  ref_count;
  Chunk           *current;    /* newest chunk; allocations come from here */
  Chunk           *extra;      /* older chunks beyond the first */
  Cleanup         *cleanups;
  Chunk            first;      /* the first chunk's data follows the arena */
};

#define ALIGN_UP(n) (((n) + (ARENA_ALIGN - 1)) & ~(gsize) (ARENA_ALIGN - 1))
#define CHUNK_DATA(c) ((char *) (c) + ALIGN_UP (sizeof (Chunk)))

NetSipArena *
net_sip_arena_new (gsize initial_size)
{
  gsize head = ALIGN_UP (sizeof (NetSipArena));
  NetSipArena *arena;

  initial_size = ALIGN_UP (MAX (initial_size, 64));
  /* One allocation: the arena header, then the first chunk's data. The
   * first chunk is embedded, so CHUNK_DATA does not apply to it. */
  arena = g_malloc (head + initial_size);
  g_atomic_ref_count_init (&arena->ref_count);
  arena->current = &arena->first;
  arena->extra = NULL;
  arena->cleanups = NULL;
  arena->first.next = NULL;
  arena->first.size = initial_size;
  arena->first.used = 0;
  return arena;
}

static inline char *
chunk_base (NetSipArena *arena,
            Chunk       *chunk)
{
  if (chunk == &arena->first)
    return (char *) arena + ALIGN_UP (sizeof (NetSipArena));
  return CHUNK_DATA (chunk);
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
      Cleanup *c = arena->cleanups;
      arena->cleanups = c->next;
      c->func (c->data);
    }
  while (arena->extra)
    {
      Chunk *c = arena->extra;
      arena->extra = c->next;
      g_free (c);
    }
  g_free (arena);
}

gpointer
net_sip_arena_alloc (NetSipArena *arena,
                     gsize        size)
{
  Chunk *chunk = arena->current;
  gpointer p;

  size = ALIGN_UP (MAX (size, 1));
  if (G_UNLIKELY (chunk->size - chunk->used < size))
    {
      gsize want = MAX (ARENA_MIN_CHUNK, MAX (size, chunk->size * 2));

      chunk = g_malloc (ALIGN_UP (sizeof (Chunk)) + want);
      chunk->size = want;
      chunk->used = 0;
      chunk->next = arena->extra;
      arena->extra = chunk;
      arena->current = chunk;
    }
  p = chunk_base (arena, chunk) + chunk->used;
  chunk->used += size;
  return p;
}

gpointer
net_sip_arena_alloc0 (NetSipArena *arena,
                      gsize        size)
{
  gpointer p = net_sip_arena_alloc (arena, size);
  memset (p, 0, size);
  return p;
}

char *
net_sip_arena_strndup (NetSipArena *arena,
                       const char  *str,
                       gsize        length)
{
  char *p = net_sip_arena_alloc (arena, length + 1);
  if (length)
    memcpy (p, str, length);
  p[length] = '\0';
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
  Cleanup *c = net_sip_arena_alloc (arena, sizeof (Cleanup));
  c->func = func;
  c->data = data;
  c->next = arena->cleanups;
  arena->cleanups = c;
}
