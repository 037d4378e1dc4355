/* test-netns-util.c: the network namespace helper of the interop tests
 * (tests/netns-util.c) leaves nothing behind
 *
 *   /interop/netns-util/lifecycle: a namespace with a resolv.conf; a
 *     program inside sees that file as /etc/resolv.conf and only lo (up);
 *     a child started inside runs until netsip_netns_free(), which ends it
 *     and deletes /run/netns/NAME and /etc/netns/NAME.
 *   /interop/netns-util/abort: a test subprocess creates a namespace,
 *     starts a child inside and aborts (as a failed g_assert does): the
 *     guardian deletes the namespace and /etc/netns/NAME, and the child
 *     is gone, within a few seconds.
 *   /interop/netns-util/run-self-fails: netsip_netns_run_self() reports a
 *     failing inner test as a failure, and a skipped one too.
 *
 * Not root (or no ip): skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netns-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#define GONE_TIMEOUT_S 5

static char *
run_dir (const char *name)
{
  return g_build_filename ("/run/netns", name, NULL);
}

static char *
etc_dir (const char *name)
{
  return g_build_filename ("/etc/netns", name, NULL);
}

static gboolean
pid_alive (GPid pid)
{
  g_autofree char *stat = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *state;

  if (!g_file_get_contents (stat, &contents, NULL, NULL))
    return FALSE;
  /* a zombie has ended; "pid (comm) S ..." */
  state = strrchr (contents, ')');
  return state && state[1] == ' ' && state[2] != 'Z';
}

/* TRUE once the namespace, its /etc dir and @pid (if not 0) are gone,
 * waiting at most GONE_TIMEOUT_S */
static gboolean
wait_gone (const char *name,
           GPid        pid)
{
  g_autofree char *run = run_dir (name);
  g_autofree char *etc = etc_dir (name);

  for (guint i = 0; i < GONE_TIMEOUT_S * 20; i++)
    {
      if (!g_file_test (run, G_FILE_TEST_EXISTS) && !g_file_test (etc, G_FILE_TEST_EXISTS)
          && (pid == 0 || !pid_alive (pid)))
        return TRUE;
      g_usleep (50 * 1000);
    }
  return FALSE;
}

static void
test_lifecycle (void)
{
  g_autoptr(GError) error = NULL;
  NetSipNetns *ns;
  g_autofree char *name = NULL;
  g_autofree char *run = NULL;
  g_autofree char *out = NULL;
  GSubprocess *sleeper;
  GPid sleeper_pid;

  if (netsip_netns_skip_if_unavailable (NULL))
    return;
  ns = netsip_netns_new ("selftest", "nameserver 127.0.0.53\n", &error);
  g_assert_no_error (error);
  name = g_strdup (netsip_netns_get_name (ns));
  g_assert_true (g_str_has_prefix (name, "netsip-selftest-"));
  {
    g_autofree char *pid_part = g_strdup_printf ("-%d-", (int) getpid ());
    g_assert_nonnull (strstr (name, pid_part));
  }
  run = run_dir (name);
  g_assert_true (g_file_test (run, G_FILE_TEST_EXISTS));

  {
    const char *cat[] = { "cat", "/etc/resolv.conf", NULL };
    netsip_netns_run (ns, cat, 10, &out, &error);
    g_assert_no_error (error);
    g_assert_cmpstr (out, ==, "nameserver 127.0.0.53\n");
    g_clear_pointer (&out, g_free);
  }
  {
    const char *links[] = { "ip", "-o", "link", NULL };
    netsip_netns_run (ns, links, 10, &out, &error);
    g_assert_no_error (error);
    g_test_message ("links inside: %s", out);
    /* only lo, and it is up */
    {
      g_auto(GStrv) lines = g_strsplit (g_strstrip (out), "\n", -1);
      g_assert_cmpuint (g_strv_length (lines), ==, 1);
    }
    g_assert_nonnull (strstr (out, "lo: <LOOPBACK,UP"));
  }
  {
    const char *fails[] = { "sh", "-c", "echo bad >&2; exit 3", NULL };
    g_assert_false (netsip_netns_run (ns, fails, 10, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_nonnull (strstr (error->message, "exit status 3"));
    g_assert_nonnull (strstr (error->message, "bad"));
    g_clear_error (&error);
  }
  {
    const char *slow[] = { "sleep", "30", NULL };
    gint64 start = g_get_monotonic_time ();
    g_assert_false (netsip_netns_run (ns, slow, 1, NULL, &error));
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
    g_assert_cmpint (g_get_monotonic_time () - start, <, 5 * G_USEC_PER_SEC);
    g_clear_error (&error);
  }
  {
    const char *sleep[] = { "sleep", "60", NULL };
    sleeper = netsip_netns_spawn (ns, G_SUBPROCESS_FLAGS_NONE, sleep, &error);
    g_assert_no_error (error);
    sleeper_pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (sleeper), NULL, 10);
    g_assert_true (pid_alive (sleeper_pid));
  }

  netsip_netns_free (ns);
  /* free is synchronous: all of it is gone at once */
  g_assert_true (wait_gone (name, sleeper_pid));
  g_assert_false (g_file_test (run, G_FILE_TEST_EXISTS));
}

static char *
report_path (pid_t parent)
{
  g_autofree char *base = g_strdup_printf ("netsip-netns-selftest-%d", (int) parent);

  return g_build_filename (g_get_tmp_dir (), base, NULL);
}

static void
test_abort_subprocess (void)
{
  g_autoptr(GError) error = NULL;
  /* the parent test named it after its own pid */
  g_autofree char *report = report_path (getppid ());
  const char *sleep[] = { "sleep", "60", NULL };
  NetSipNetns *ns;
  GSubprocess *sleeper;
  g_autofree char *line = NULL;

  ns = netsip_netns_new ("abort", "nameserver 127.0.0.1\n", &error);
  g_assert_no_error (error);
  sleeper = netsip_netns_spawn (ns, G_SUBPROCESS_FLAGS_NONE, sleep, &error);
  g_assert_no_error (error);
  line = g_strdup_printf ("%s %s\n", netsip_netns_get_name (ns),
                          g_subprocess_get_identifier (sleeper));
  g_assert_true (g_file_set_contents (report, line, -1, NULL));
  /* what a failed assertion does, before any teardown */
  abort ();
}

static void
test_abort (void)
{
  g_autofree char *report = NULL;
  g_autofree char *contents = NULL;
  g_auto(GStrv) parts = NULL;
  GPid pid;

  if (g_test_subprocess ())
    {
      test_abort_subprocess ();
      return;
    }
  if (netsip_netns_skip_if_unavailable (NULL))
    return;
  report = report_path (getpid ());
  g_unlink (report);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC,
                          G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_failed ();
  g_assert_true (g_file_get_contents (report, &contents, NULL, NULL));
  g_unlink (report);
  parts = g_strsplit (g_strstrip (contents), " ", 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  pid = (GPid) g_ascii_strtoll (parts[1], NULL, 10);
  g_assert_cmpint (pid, >, 0);
  g_test_message ("the aborted test left %s and child %d", parts[0], (int) pid);
  g_assert_true (g_str_has_prefix (parts[0], "netsip-abort-"));
  g_assert_true (wait_gone (parts[0], pid));
}

static void
test_run_self_fails (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipNetns) ns = NULL;
  const char *mode = g_getenv ("NETSIP_NETNS_SELFTEST_MODE");

  if (netsip_netns_inside ())
    {
      /* the inner run: fail or skip as asked */
      if (g_strcmp0 (mode, "skip") == 0)
        g_test_skip ("skipping inside on purpose");
      else
        g_test_fail_printf ("failing inside on purpose");
      return;
    }
  if (netsip_netns_skip_if_unavailable (NULL))
    return;
  ns = netsip_netns_new ("runself", NULL, &error);
  g_assert_no_error (error);
  {
    const char *env[] = { "NETSIP_NETNS_SELFTEST_MODE=fail", NULL };
    g_assert_false (netsip_netns_run_self (ns, "/interop/netns-util/run-self-fails", env, 30,
                                           &error));
    g_test_message ("inner failure reported as: %s", error->message);
    g_clear_error (&error);
  }
  {
    const char *env[] = { "NETSIP_NETNS_SELFTEST_MODE=skip", NULL };
    g_assert_false (netsip_netns_run_self (ns, "/interop/netns-util/run-self-fails", env, 30,
                                           &error));
    g_assert_nonnull (strstr (error->message, "skipped"));
    g_clear_error (&error);
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/interop/netns-util/lifecycle", test_lifecycle);
  g_test_add_func ("/interop/netns-util/abort", test_abort);
  g_test_add_func ("/interop/netns-util/run-self-fails", test_run_self_fails);
  return g_test_run ();
}
