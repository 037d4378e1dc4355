/* bench-util.c: what the C benchmarks share (bench-util.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "bench-util.h"

int
bench_compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return x < y ? -1 : x > y ? 1 : 0;
}

gboolean
bench_write_all (int fd, const void *data, gsize len)
{
  const guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = write (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

gboolean
bench_read_all_timeout (int fd, void *data, gsize len, int timeout_ms)
{
  guint8 *p = data;

  while (len > 0)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      ssize_t n;
      int r = poll (&pfd, 1, timeout_ms);

      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return FALSE;
      n = read (fd, p, len);
      if (n < 0 && (errno == EINTR || errno == EAGAIN))
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

char *
bench_read_first_line (const char *path,
                       const char *prefix)
{
  g_autofree char *contents = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return NULL;
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (prefix == NULL || g_str_has_prefix (lines[i], prefix))
      {
        const char *colon = prefix != NULL ? strchr (lines[i], ':') : NULL;

        return g_strdup (g_strstrip (colon != NULL ? (char *) colon + 1 : lines[i]));
      }
  return NULL;
}

gsize
bench_rss_bytes (void)
{
  g_autofree char *statm = NULL;
  unsigned long size = 0, resident = 0;

  if (!g_file_get_contents ("/proc/self/statm", &statm, NULL, NULL) ||
      sscanf (statm, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (gsize) resident * (gsize) sysconf (_SC_PAGESIZE);
}

gsize
bench_heap_bytes (void)
{
  struct mallinfo2 mi = mallinfo2 ();

  return mi.uordblks + mi.hblkhd;
}

guint64
bench_get_uint_property (gpointer object, const char *name)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_auto(GValue) value = G_VALUE_INIT;
  g_auto(GValue) as_u64 = G_VALUE_INIT;

  if (pspec == NULL)
    return 0;
  g_value_init (&value, pspec->value_type);
  g_object_get_property (object, name, &value);
  g_value_init (&as_u64, G_TYPE_UINT64);
  if (!g_value_transform (&value, &as_u64))
    return 0;
  return g_value_get_uint64 (&as_u64);
}
