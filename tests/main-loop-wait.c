/* main-loop-wait.c: bounded waits on the default main context (see
 * main-loop-wait.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "main-loop-wait.h"

static gboolean
wake_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
netsip_test_run_for (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wake_up, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

/* @cond (@object) or, without it, @cond_full (@object, @data) */
static gboolean
wait_until (NetSipTestCond     cond,
            NetSipTestCondFull cond_full,
            gpointer           object,
            gconstpointer      data,
            guint              limit_ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) limit_ms * 1000;

  while (!(cond ? cond (object) : cond_full (object, data)))
    {
      gboolean tick = FALSE;
      guint id;

      if (g_get_monotonic_time () > deadline)
        return FALSE;
      id = g_timeout_add (50, wake_up, &tick);
      g_main_context_iteration (NULL, TRUE);
      if (!tick)
        g_source_remove (id);
    }
  return TRUE;
}

gboolean
netsip_test_wait_until (NetSipTestCond cond,
                        gpointer       data,
                        guint          limit_ms)
{
  return wait_until (cond, NULL, data, NULL, limit_ms);
}

gboolean
netsip_test_wait_until_full (NetSipTestCondFull cond,
                             gpointer           object,
                             gconstpointer      data,
                             guint              limit_ms)
{
  return wait_until (NULL, cond, object, data, limit_ms);
}

void
netsip_test_run_until_at (NetSipTestCond cond,
                          gpointer       data,
                          guint          limit_ms,
                          int            line)
{
  if (!netsip_test_wait_until (cond, data, limit_ms))
    g_error ("line %d: condition not met within %u ms", line, limit_ms);
}
