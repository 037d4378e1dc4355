/* peer-util.h: what tests that run real peers (sipp, Perl Net::SIP,
 * netsip-proxy) need around them: free ports on 127.0.0.1, scratch
 * directories with files, sipp's -trace_stat results
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A port of 127.0.0.1 that was free a moment ago for @type (UDP: datagram,
 * TCP: stream): the kernel's choice for port 0. For peers that cannot be
 * told to take port 0 and report it (sipp's -p 0 means 5060). */
guint    netsip_test_free_port   (GSocketType  type);

/* TRUE if something is bound to 127.0.0.1:@port for @type (our own bind
 * fails). */
gboolean netsip_test_port_bound  (guint        port,
                                  GSocketType  type);

/* Writes @len bytes of @contents (-1: a NUL-terminated string) to
 * @dir/@name; a failure is a test failure. Returns the path (g_free). */
char    *netsip_test_write_file  (const char  *dir,
                                  const char  *name,
                                  const void  *contents,
                                  gssize       len);

/* Removes the files of the directory @path (one level, as the tests make
 * them) and the directory. */
void     netsip_test_remove_tree (const char  *path);

/* The value of @column in the last row of a sipp -trace_stat file (';'
 * separated, a header row first); -1 if the file, the row or the column is
 * missing. */
gint64   netsip_test_sipp_stat   (const char  *path,
                                  const char  *column);

/* Logs (g_test_message) each non-empty `*_errors.log` sipp wrote into
 * @dir with -trace_err, up to 4000 bytes of each. */
void     netsip_test_log_sipp_errors (const char *dir);

G_END_DECLS
