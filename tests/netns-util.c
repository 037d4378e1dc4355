/* netns-util.c: network namespaces for tests (see netns-util.h)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netns-util.h"
#include "child-process.h"

#include <glib/gstdio.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <signal.h>
#endif

#define NETNS_ETC_DIR "/etc/netns"
#define IP_TIMEOUT_S 10

struct _NetSipNetns
{
  char        *name;
  char        *etc_dir;     /* /etc/netns/NAME */
  char        *ip;          /* path of ip(8) */
  gboolean     created;     /* `ip netns add` succeeded */
  GSubprocess *guardian;    /* deletes the namespace if we die */
  GPtrArray   *children;    /* GSubprocess, ended in free */
};

static guint netns_counter;

/* ------------------------------------------------------------------ */

static char *
find_program (const char *name)
{
  static const char *const dirs[] = { "/usr/sbin", "/sbin", "/usr/bin", "/bin" };
  char *path = g_find_program_in_path (name);

  if (path)
    return path;
  for (guint i = 0; i < G_N_ELEMENTS (dirs); i++)
    {
      path = g_build_filename (dirs[i], name, NULL);
      if (g_file_test (path, G_FILE_TEST_IS_EXECUTABLE))
        return path;
      g_free (path);
    }
  return NULL;
}

char *
netsip_netns_unavailable_reason (const char *const *programs)
{
  g_autofree char *ip = NULL;

#ifndef __linux__
  return g_strdup ("network namespaces are Linux only");
#endif
  if (geteuid () != 0)
    return g_strdup ("needs root: creates a network namespace (ip netns add)");
  ip = find_program ("ip");
  if (ip == NULL)
    return g_strdup ("ip(8) not found: install iproute2");
  for (guint i = 0; programs && programs[i]; i++)
    {
      g_autofree char *p = find_program (programs[i]);
      if (p == NULL)
        return g_strdup_printf ("%s not found: install it (see DEB_PACKAGES in the Makefile)",
                                programs[i]);
    }
  return NULL;
}

gboolean
netsip_netns_skip_if_unavailable (const char *const *programs)
{
  g_autofree char *reason = netsip_netns_unavailable_reason (programs);

  if (reason == NULL)
    return FALSE;
  g_test_skip (reason);
  return TRUE;
}

const char *
netsip_netns_inside (void)
{
  const char *name = g_getenv (NETSIP_NETNS_ENV);

  return name && *name ? name : NULL;
}

const char *
netsip_netns_get_name (NetSipNetns *self)
{
  return self->name;
}

#ifdef __linux__
static void
child_setup_guardian (gpointer user_data)
{
  /* out of the test's session and process group: meson's kill of the
   * group on a timeout must leave the guardian to clean up */
  setsid ();
}
#endif

/* ------------------------------------------------------------------ */
/* running a process to its end, bounded */

typedef struct
{
  gboolean  done;
  gboolean  timed_out;
  GBytes   *out;
  GBytes   *err;
  GError   *error;
} Communicate;

static void
communicate_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Communicate *c = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &c->out, &c->err,
                                   &c->error);
  c->done = TRUE;
}

static gboolean
communicate_timeout_cb (gpointer user_data)
{
  Communicate *c = ((gpointer *) user_data)[0];
  GCancellable *cancel = ((gpointer *) user_data)[1];

  c->timed_out = TRUE;
  g_cancellable_cancel (cancel);
  return G_SOURCE_REMOVE;
}

static char *
bytes_to_string (GBytes *bytes)
{
  gsize len = 0;
  const char *data = bytes ? g_bytes_get_data (bytes, &len) : NULL;

  return g_utf8_make_valid (data ? data : "", len);
}

/* Reads @proc's stdout/stderr (as its flags say) until it exits, at most
 * @timeout_s seconds on a private main context; on timeout it is killed.
 * Returns FALSE (with @error) on timeout or a read error; the exit status
 * is for the caller to check. */
static gboolean
communicate_bounded (GSubprocess  *proc,
                     guint         timeout_s,
                     char        **out,
                     char        **err,
                     GError      **error)
{
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  Communicate c = { 0 };
  gpointer data[2] = { &c, cancel };
  gboolean ok = TRUE;

  g_main_context_push_thread_default (ctx);
  g_subprocess_communicate_async (proc, NULL, cancel, communicate_cb, &c);
  timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (timeout, communicate_timeout_cb, data, NULL);
  g_source_attach (timeout, ctx);
  while (!c.done)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (timeout);

  if (c.timed_out || c.error)
    {
      /* by its PID; SIGKILL cannot be ignored, so the wait ends */
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
    }
  else
    {
      /* communicate returns at EOF; the exit status comes with the wait */
      g_subprocess_wait (proc, NULL, NULL);
    }
  /* drain what the cancelled operations left on the context */
  while (g_main_context_iteration (ctx, FALSE))
    ;
  g_main_context_pop_thread_default (ctx);

  if (out)
    *out = bytes_to_string (c.out);
  if (err)
    *err = bytes_to_string (c.err);
  if (c.timed_out)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                   "did not end within %u s (killed)", timeout_s);
      ok = FALSE;
    }
  else if (c.error)
    {
      g_propagate_error (error, g_steal_pointer (&c.error));
      ok = FALSE;
    }
  g_clear_error (&c.error);
  g_clear_pointer (&c.out, g_bytes_unref);
  g_clear_pointer (&c.err, g_bytes_unref);
  return ok;
}

static void
wait_cb (GObject      *source,
         GAsyncResult *result,
         gpointer      user_data)
{
  Communicate *c = user_data;

  g_subprocess_wait_finish (G_SUBPROCESS (source), result, &c->error);
  c->done = TRUE;
}

/* Waits at most @timeout_s seconds for @proc to exit, then kills it. */
static gboolean
wait_bounded (GSubprocess *proc,
              guint        timeout_s)
{
  g_autoptr(GMainContext) ctx = g_main_context_new ();
  g_autoptr(GCancellable) cancel = g_cancellable_new ();
  g_autoptr(GSource) timeout = NULL;
  Communicate c = { 0 };
  gpointer data[2] = { &c, cancel };

  g_main_context_push_thread_default (ctx);
  g_subprocess_wait_async (proc, cancel, wait_cb, &c);
  timeout = g_timeout_source_new_seconds (timeout_s);
  g_source_set_callback (timeout, communicate_timeout_cb, data, NULL);
  g_source_attach (timeout, ctx);
  while (!c.done)
    g_main_context_iteration (ctx, TRUE);
  g_source_destroy (timeout);
  if (c.timed_out)
    {
      g_subprocess_force_exit (proc);
      g_subprocess_wait (proc, NULL, NULL);
    }
  while (g_main_context_iteration (ctx, FALSE))
    ;
  g_main_context_pop_thread_default (ctx);
  g_clear_error (&c.error);
  return !c.timed_out;
}

static GSubprocess *
spawn (GSubprocessFlags    flags,
       GSpawnChildSetupFunc setup,
       const char *const  *env,
       const char *const  *argv,
       GError            **error)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (flags);
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);

#ifdef __linux__
  if (setup)
    g_subprocess_launcher_set_child_setup (launcher, setup, NULL, NULL);
#endif
  for (guint i = 0; env && env[i]; i++)
    {
      g_autofree char *name = g_strdup (env[i]);
      char *eq = strchr (name, '=');

      g_return_val_if_fail (eq != NULL, NULL);
      *eq = '\0';
      g_subprocess_launcher_setenv (launcher, name, eq + 1, TRUE);
    }
  g_test_message ("netns: %s", joined);
  return g_subprocess_launcher_spawnv (launcher, argv, error);
}

/* Runs argv (outside any namespace) to its end; fails on a non-zero exit. */
static gboolean
run_checked (const char *const *argv,
             guint              timeout_s,
             const char        *env_item,
             char             **out,
             GError           **error)
{
  const char *env[] = { env_item, NULL };
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *joined = g_strjoinv (" ", (char **) argv);
  g_autoptr(GError) local = NULL;

  proc = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
#ifdef __linux__
                netsip_test_child_setup,
#else
                NULL,
#endif
                env_item ? env : NULL, argv, error);
  if (proc == NULL)
    return FALSE;
  if (!communicate_bounded (proc, timeout_s, out, &err_text, &local))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", joined, local->message);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s %d: %s", joined,
                   g_subprocess_get_if_exited (proc) ? "exit status" : "killed by signal",
                   g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                                     : g_subprocess_get_term_sig (proc),
                   g_strstrip (err_text));
      return FALSE;
    }
  return TRUE;
}

/* ------------------------------------------------------------------ */

static gboolean
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);

        if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
          rm_rf (child);
        else
          g_unlink (child);
      }
  return g_rmdir (path) == 0 || !g_file_test (path, G_FILE_TEST_EXISTS);
}

static char **
ns_argv (NetSipNetns       *self,
         const char *const *argv)
{
  GPtrArray *a = g_ptr_array_new ();

  g_ptr_array_add (a, g_strdup (self->ip));
  g_ptr_array_add (a, g_strdup ("netns"));
  g_ptr_array_add (a, g_strdup ("exec"));
  g_ptr_array_add (a, g_strdup (self->name));
  for (guint i = 0; argv[i]; i++)
    {
      /* a bare program name: ip netns exec looks in PATH, which may lack
       * /usr/sbin (nft, dnsmasq) */
      if (i == 0 && strchr (argv[0], '/') == NULL)
        {
          char *p = find_program (argv[0]);
          g_ptr_array_add (a, p ? p : g_strdup (argv[0]));
        }
      else
        g_ptr_array_add (a, g_strdup (argv[i]));
    }
  g_ptr_array_add (a, NULL);
  return (char **) g_ptr_array_free (a, FALSE);
}

NetSipNetns *
netsip_netns_new (const char  *tag,
                  const char  *resolv_conf,
                  GError     **error)
{
  g_autoptr(NetSipNetns) self = g_new0 (NetSipNetns, 1);
  g_autofree char *guardian_script = NULL;
  g_autofree char *reason = netsip_netns_unavailable_reason (NULL);

  if (reason)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "%s", reason);
      return NULL;
    }
  self->ip = find_program ("ip");
  self->children = g_ptr_array_new_with_free_func (g_object_unref);
  self->name = g_strdup_printf ("netsip-%s-%d-%u", tag, (int) getpid (),
                                g_atomic_int_add (&netns_counter, 1));
  self->etc_dir = g_build_filename (NETNS_ETC_DIR, self->name, NULL);

  /* the guardian first, so that nothing we create can outlive us:
   * it waits for EOF on stdin (our end closes when we exit, however we
   * exit), then deletes what we may have left */
  {
    const char *argv[] = { "/bin/sh", "-c",
                           "cat >/dev/null; \"$1\" netns del \"$2\" 2>/dev/null; rm -rf \"$3\"",
                           "netsip-netns-guardian", self->ip, self->name, self->etc_dir, NULL };

    self->guardian = spawn (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                              | G_SUBPROCESS_FLAGS_STDERR_SILENCE,
#ifdef __linux__
                            child_setup_guardian,
#else
                            NULL,
#endif
                            NULL, argv, error);
    if (self->guardian == NULL)
      return NULL;
  }

  if (resolv_conf)
    {
      g_autofree char *path = g_build_filename (self->etc_dir, "resolv.conf", NULL);

      if (g_mkdir_with_parents (self->etc_dir, 0755) != 0)
        {
          int e = errno;
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (e), "mkdir %s: %s",
                       self->etc_dir, g_strerror (e));
          return NULL;
        }
      if (!g_file_set_contents (path, resolv_conf, -1, error))
        return NULL;
    }

  {
    const char *add[] = { self->ip, "netns", "add", self->name, NULL };
    if (!run_checked (add, IP_TIMEOUT_S, NULL, NULL, error))
      return NULL;
    self->created = TRUE;
  }
  {
    const char *up[] = { "ip", "link", "set", "lo", "up", NULL };
    if (!netsip_netns_run (self, up, IP_TIMEOUT_S, NULL, error))
      return NULL;
  }
  g_test_message ("netns: created %s%s%s", self->name,
                  resolv_conf ? " with " : "", resolv_conf ? self->etc_dir : "");
  return g_steal_pointer (&self);
}

gboolean
netsip_netns_run (NetSipNetns        *self,
                  const char *const  *argv,
                  guint               timeout_s,
                  char              **out,
                  GError            **error)
{
  g_auto(GStrv) full = ns_argv (self, argv);

  return run_checked ((const char *const *) full, timeout_s, NULL, out, error);
}

GSubprocess *
netsip_netns_spawn (NetSipNetns        *self,
                    GSubprocessFlags    flags,
                    const char *const  *argv,
                    GError            **error)
{
  g_auto(GStrv) full = ns_argv (self, argv);
  GSubprocess *child;

  child = spawn (flags,
#ifdef __linux__
                 netsip_test_child_setup,
#else
                 NULL,
#endif
                 NULL, (const char *const *) full, error);
  if (child)
    g_ptr_array_add (self->children, child);
  return child;
}

static void
end_child (GSubprocess *child)
{
  const char *id = g_subprocess_get_identifier (child);

  /* identifier is NULL once it has been reaped */
  if (id)
    {
      g_test_message ("netns: ending child %s", id);
      g_subprocess_force_exit (child);
      g_subprocess_wait (child, NULL, NULL);
    }
}

void
netsip_netns_kill (NetSipNetns *self,
                   GSubprocess *child)
{
  end_child (child);
  g_ptr_array_remove (self->children, child);
}

gboolean
netsip_netns_run_self (NetSipNetns        *self,
                       const char         *test_path,
                       const char *const  *extra_env,
                       guint               timeout_s,
                       GError            **error)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", error);
  g_autoptr(GPtrArray) env = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GSubprocess) proc = NULL;
  g_autofree char *out = NULL;
  g_autoptr(GError) local = NULL;
  g_auto(GStrv) full = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean ran = FALSE, skipped = FALSE, failed_line = FALSE;

  if (exe == NULL)
    return FALSE;
  {
    const char *argv[] = { exe, "--tap", "-p", test_path, NULL };
    full = ns_argv (self, argv);
  }
  g_ptr_array_add (env, g_strdup_printf ("%s=%s", NETSIP_NETNS_ENV, self->name));
  for (guint i = 0; extra_env && extra_env[i]; i++)
    g_ptr_array_add (env, g_strdup (extra_env[i]));
  g_ptr_array_add (env, NULL);

  proc = spawn (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_MERGE,
#ifdef __linux__
                netsip_test_child_setup,
#else
                NULL,
#endif
                (const char *const *) env->pdata, (const char *const *) full, error);
  if (proc == NULL)
    return FALSE;
  g_ptr_array_add (self->children, g_object_ref (proc));
  if (!communicate_bounded (proc, timeout_s, &out, NULL, &local))
    {
      g_test_message ("inside %s (cut off):\n%s", self->name, out);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "%s inside %s: %s",
                   test_path, self->name, local->message);
      return FALSE;
    }

  /* pass the child's TAP on as diagnostics; judge it */
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      const char *l = lines[i];

      if (*l == '\0')
        continue;
      g_test_message ("| %s", l);
      if (g_str_has_prefix (l, "ok ") && strstr (l, test_path))
        {
          ran = TRUE;
          if (strstr (l, "# SKIP"))
            skipped = TRUE;
        }
      if (g_str_has_prefix (l, "not ok"))
        failed_line = TRUE;
    }

  if (!g_subprocess_get_if_exited (proc) || g_subprocess_get_exit_status (proc) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s inside %s: %s %d", test_path,
                   self->name,
                   g_subprocess_get_if_exited (proc) ? "exit status" : "killed by signal",
                   g_subprocess_get_if_exited (proc) ? g_subprocess_get_exit_status (proc)
                                                     : g_subprocess_get_term_sig (proc));
      return FALSE;
    }
  if (failed_line || !ran)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s inside %s: %s", test_path,
                   self->name, failed_line ? "failed" : "did not report the test as run");
      return FALSE;
    }
  if (skipped)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   "%s inside %s was skipped; it must run", test_path, self->name);
      return FALSE;
    }
  return TRUE;
}

void
netsip_netns_free (NetSipNetns *self)
{
  if (self == NULL)
    return;

  if (self->children)
    {
      for (guint i = 0; i < self->children->len; i++)
        end_child (g_ptr_array_index (self->children, i));
      g_ptr_array_unref (self->children);
    }
  if (self->created)
    {
      const char *del[] = { self->ip, "netns", "del", self->name, NULL };
      g_autoptr(GError) error = NULL;

      if (!run_checked (del, IP_TIMEOUT_S, NULL, NULL, &error))
        g_test_message ("netns: deleting %s: %s", self->name, error->message);
      else
        g_test_message ("netns: deleted %s", self->name);
    }
  if (self->etc_dir && !rm_rf (self->etc_dir))
    g_test_message ("netns: could not remove %s", self->etc_dir);

  if (self->guardian)
    {
      g_autoptr(GError) error = NULL;

      /* EOF: the guardian finds nothing left to delete and exits */
      if (!g_output_stream_close (g_subprocess_get_stdin_pipe (self->guardian), NULL, &error))
        g_test_message ("netns: closing the guardian's pipe: %s", error->message);
      if (!wait_bounded (self->guardian, IP_TIMEOUT_S))
        g_test_message ("netns: the guardian did not exit within %d s (killed)", IP_TIMEOUT_S);
      g_clear_object (&self->guardian);
    }
  g_free (self->name);
  g_free (self->etc_dir);
  g_free (self->ip);
  g_free (self);
}
