/* child-process.c: programs a test runs as child processes, their output
 * read line by line, every wait bounded (see child-process.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "child-process.h"

#include <string.h>
#include <signal.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

void
netsip_test_child_setup (gpointer user_data)
{
#ifdef __linux__
  prctl (PR_SET_PDEATHSIG, SIGKILL);
#endif
}

static gboolean
tick (gpointer data)
{
  return G_SOURCE_CONTINUE;
}

void
netsip_test_iterate (void)
{
  static guint ticker;

  if (ticker == 0)
    ticker = g_timeout_add (20, tick, NULL);
  g_main_context_iteration (NULL, TRUE);
}

static void read_next (NetSipTestChild *c, guint i);

static void
line_read (GObject      *source,
           GAsyncResult *result,
           gpointer      user_data)
{
  NetSipTestChild *c = user_data;
  guint i = G_DATA_INPUT_STREAM (source) == c->streams[0] ? 0 : 1;
  g_autoptr(GError) error = NULL;
  gsize len;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (G_DATA_INPUT_STREAM (source),
                                                                     result, &len, &error);
  if (line == NULL)
    {
      c->eof[i] = TRUE;
      return;
    }
  g_string_append (c->text[i], line);
  g_string_append_c (c->text[i], '\n');
  read_next (c, i);
}

static void
read_next (NetSipTestChild *c,
           guint            i)
{
  g_data_input_stream_read_line_async (c->streams[i], G_PRIORITY_DEFAULT, NULL, line_read, c);
}

static void
exited (GObject      *source,
        GAsyncResult *result,
        gpointer      user_data)
{
  NetSipTestChild *c = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, NULL);
  if (g_subprocess_get_if_exited (c->proc))
    c->status = g_subprocess_get_exit_status (c->proc);
  else if (g_subprocess_get_if_signaled (c->proc))
    c->signal = g_subprocess_get_term_sig (c->proc);
  c->exited = TRUE;
}

NetSipTestChild *
netsip_test_child_spawn (const char        *name,
                         const char *const *argv)
{
  return netsip_test_child_spawn_in (name, NULL, argv);
}

NetSipTestChild *
netsip_test_child_spawn_in (const char        *name,
                            const char        *cwd,
                            const char *const *argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE |
                               G_SUBPROCESS_FLAGS_STDIN_PIPE);
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);
  NetSipTestChild *c = g_new0 (NetSipTestChild, 1);

  g_subprocess_launcher_set_child_setup (launcher, netsip_test_child_setup, NULL, NULL);
  if (cwd)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  c->name = g_strdup (name ? name : argv[0]);
  g_test_message ("starting %s: %s", c->name, joined);
  c->status = -1;
  c->proc = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  c->streams[0] = g_data_input_stream_new (g_subprocess_get_stdout_pipe (c->proc));
  c->streams[1] = g_data_input_stream_new (g_subprocess_get_stderr_pipe (c->proc));
  for (guint i = 0; i < 2; i++)
    {
      c->text[i] = g_string_new (NULL);
      read_next (c, i);
    }
  g_subprocess_wait_async (c->proc, NULL, exited, c);
  return c;
}

NetSipTestChild *
netsip_test_child_spawn_array (const char *name,
                               GPtrArray  *argv)
{
  g_ptr_array_add (argv, NULL);
  return netsip_test_child_spawn (name, (const char *const *) argv->pdata);
}

gboolean
netsip_test_child_done (NetSipTestChild *c)
{
  return c->exited && c->eof[0] && c->eof[1];
}

gboolean
netsip_test_child_wait_text (NetSipTestChild *c,
                             guint            which,
                             const char      *needle,
                             double           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  g_return_val_if_fail (which < 2, FALSE);
  while (strstr (c->text[which]->str, needle) == NULL)
    {
      if (netsip_test_child_done (c) || g_get_monotonic_time () > deadline)
        return FALSE;
      netsip_test_iterate ();
    }
  return TRUE;
}

gboolean
netsip_test_child_wait_exit (NetSipTestChild *c,
                             double           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);
  gboolean in_time = TRUE;

  while (!netsip_test_child_done (c))
    {
      if (in_time && g_get_monotonic_time () > deadline)
        {
          g_test_message ("%s (pid %s) still running: killing it", c->name,
                          g_subprocess_get_identifier (c->proc));
          g_subprocess_force_exit (c->proc);
          in_time = FALSE;
        }
      netsip_test_iterate ();
    }
  return in_time;
}

static guint
count_listening (NetSipTestChild *c)
{
  guint n = 0;

  for (const char *p = c->text[0]->str; (p = strstr (p, "listening on ")) != NULL; p++)
    n++;
  return n;
}

void
netsip_test_child_wait_listening (NetSipTestChild *c,
                                  guint            n_legs,
                                  double           seconds)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  /* whole lines only: the reader appends a line with its newline */
  while (count_listening (c) < n_legs)
    {
      if (netsip_test_child_done (c) || g_get_monotonic_time () > deadline)
        {
          netsip_test_child_log (c);
          g_error ("%s: %u of %u `listening on` lines", c->name, count_listening (c), n_legs);
        }
      netsip_test_iterate ();
    }
}

guint
netsip_test_child_listening_port (NetSipTestChild *c,
                                  const char      *prefix)
{
  g_autofree char *needle = g_strdup_printf ("listening on %s", prefix);
  const char *p = strstr (c->text[0]->str, needle);
  guint port;

  g_assert_nonnull (p);
  port = (guint) g_ascii_strtoull (p + strlen (needle), NULL, 10);
  g_assert_cmpuint (port, >, 0);
  return port;
}

void
netsip_test_child_log (NetSipTestChild *c)
{
  if (c->text[0]->len)
    g_test_message ("%s stdout:\n%.6000s", c->name, c->text[0]->str);
  if (c->text[1]->len)
    g_test_message ("%s stderr:\n%.6000s", c->name, c->text[1]->str);
}

void
netsip_test_child_expect_exit (NetSipTestChild *c,
                               double           seconds,
                               int              status)
{
  gboolean in_time = netsip_test_child_wait_exit (c, seconds);

  netsip_test_child_log (c);
  g_assert_true (in_time);
  g_assert_cmpint (c->signal, ==, 0);
  g_assert_cmpint (c->status, ==, status);
}

void
netsip_test_child_free (NetSipTestChild *c)
{
  if (c == NULL)
    return;
  if (!c->exited)
    g_subprocess_force_exit (c->proc);
  netsip_test_child_wait_exit (c, 10);
  netsip_test_child_log (c);
  for (guint i = 0; i < 2; i++)
    {
      g_object_unref (c->streams[i]);
      g_string_free (c->text[i], TRUE);
    }
  g_object_unref (c->proc);
  g_free (c->name);
  g_free (c);
}

int
netsip_test_child_run (const char        *name,
                       const char        *cwd,
                       const char *const *argv,
                       double             seconds,
                       char             **out)
{
  g_autoptr(NetSipTestChild) c = netsip_test_child_spawn_in (name, cwd, argv);

  netsip_test_child_wait_exit (c, seconds);
  if (out)
    *out = g_strdup (c->text[0]->str);
  return c->status;
}
