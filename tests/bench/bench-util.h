/* bench-util.h: what the C benchmarks share: sorting samples, pipe I/O
 * with the helper processes they start, reading /proc and /etc files,
 * memory figures
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* qsort() order of doubles */
int      bench_compare_doubles   (const void *a,
                                  const void *b);
/* all of @len bytes to @fd (EINTR retried); FALSE on an error */
gboolean bench_write_all         (int          fd,
                                  const void  *data,
                                  gsize        len);
/* exactly @len bytes from @fd, each wait bounded by @timeout_ms */
gboolean bench_read_all_timeout  (int          fd,
                                  void        *data,
                                  gsize        len,
                                  int          timeout_ms);
/* the first line of @path (with @prefix: the text after its colon, as in
 * /proc/cpuinfo's "model name"), stripped; NULL if none */
char    *bench_read_first_line   (const char  *path,
                                  const char  *prefix);
/* this process's resident set (/proc/self/statm), in bytes */
gsize    bench_rss_bytes         (void);
/* heap in use (mallinfo2: arena and mmapped blocks), in bytes */
gsize    bench_heap_bytes        (void);
/* a guint64 property (a counter) of @object */
guint64  bench_get_uint_property (gpointer     object,
                                  const char  *name);

G_END_DECLS
