/* main-loop-wait.h: a test waiting on the default main context, always
 * bounded: for a while, or until a condition holds
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef gboolean (*NetSipTestCond)     (gpointer      data);
typedef gboolean (*NetSipTestCondFull) (gpointer      object,
                                        gconstpointer data);

/* Iterates the default main context for @ms milliseconds. */
void     netsip_test_run_for          (guint               ms);

/* Iterates the default main context until @cond (@data) holds: TRUE; FALSE
 * once @limit_ms milliseconds passed. @cond is checked after each
 * iteration and at least every 50 ms. */
gboolean netsip_test_wait_until       (NetSipTestCond      cond,
                                       gpointer            data,
                                       guint               limit_ms);

/* The same with a condition on @object (a test's fixture) and @data. */
gboolean netsip_test_wait_until_full  (NetSipTestCondFull  cond,
                                       gpointer            object,
                                       gconstpointer       data,
                                       guint               limit_ms);

/* netsip_test_wait_until(), and a test failure (g_error naming @line, the
 * caller's) if @cond does not hold within @limit_ms. See
 * NETSIP_TEST_RUN_UNTIL(). */
void     netsip_test_run_until_at     (NetSipTestCond      cond,
                                       gpointer            data,
                                       guint               limit_ms,
                                       int                 line);

#define NETSIP_TEST_RUN_UNTIL(cond, data, limit_ms) \
  netsip_test_run_until_at ((NetSipTestCond) (cond), (data), (limit_ms), __LINE__)

G_END_DECLS
