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

/* Arenas of up to CACHED_BLOCK bytes come from a per-thread cache of free
 * blocks, so that parsing a stream of messages does not call malloc for
 * them once the cache is warm (the way GSlice's magazines work). Set
 * NET_SIP_ARENA_CACHE=0 to turn it off, so that valgrind and AddressSanitizer
 * see every block freed (make check does). */
#define CACHED_BLOCK 4096
#define CACHE_MAX 64

typedef struct
{
  guint    n;
  gpointer blocks[CACHE_MAX];
} BlockCache;

static void
block_cache_free (gpointer data)
{
  BlockCache *cache = data;
  for (guint i = 0; i < cache->n; i++)
    g_free (cache->blocks[i]);
  g_free (cache);
}

static GPrivate block_cache = G_PRIVATE_INIT (block_cache_free);

static gboolean
cache_enabled (void)
{
  static gsize once = 0;
  static gboolean enabled;
  if (g_once_init_enter (&once))
    {
      const char *env = g_getenv ("NET_SIP_ARENA_CACHE");
      enabled = !(env && g_str_equal (env, "0"));
      g_once_init_leave (&once, 1);
    }
  return enabled;
}

static gpointer
block_get (void)
{
  BlockCache *cache = g_private_get (&block_cache);
  if (cache && cache->n > 0)
    return cache->blocks[--cache->n];
  return g_malloc (CACHED_BLOCK);
}

static void
block_put (gpointer block)
{
  BlockCache *cache = g_private_get (&block_cache);
  if (cache == NULL)
    {
      cache = g_new0 (BlockCache, 1);
      g_private_set (&block_cache, cache);
    }
  if (cache->n < CACHE_MAX)
    cache->blocks[cache->n++] = block;
  else
    g_free (block);
}

NetSipArena *
net_sip_arena_new (gsize initial_size)
{
  NetSipArena *arena;
  gboolean cached;

  initial_size = NET_SIP_ARENA_ALIGN (MAX (initial_size, 64));
  cached = HEAD_SIZE (NetSipArena) + initial_size <= CACHED_BLOCK && cache_enabled ();
  /* one allocation: the arena, then the first chunk's bytes */
  if (cached)
    {
      arena = block_get ();
      initial_size = CACHED_BLOCK - HEAD_SIZE (NetSipArena);
    }
  else
    arena = g_malloc (HEAD_SIZE (NetSipArena) + initial_size);
  arena->cached = cached;
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
  if (arena->cached)
    block_put (arena);
  else
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
