/* test-dns-netns.c: NetSipResolver against a real DNS server
 *
 * As root, the test creates a network namespace (netsip-dns-<pid>) with
 * /etc/netns/<name>/resolv.conf pointing at 127.0.0.1, starts dnsmasq in
 * it with NAPTR, SRV, A and AAAA records for sip.test, and runs the checks
 * inside: each parent test case re-executes this binary as
 * `ip netns exec <name> <this binary> --inside -p <path>` (a GTest run of
 * its own, bounded by INSIDE_TIMEOUT_SECONDS) and asserts it passed.
 *
 * dnsmasq is ended by its PID and the namespace and /etc/netns/<name> are
 * removed on every path: the last test case, atexit(), and a handler for
 * SIGTERM/SIGINT/SIGABRT/SIGTRAP (a failed assertion) that only makes
 * async-signal-safe calls (kill, waitpid, umount2, unlink, rmdir: what
 * `ip netns del` does). dnsmasq and the inside run also get
 * PR_SET_PDEATHSIG. Leftovers of earlier runs whose process is gone are
 * removed at start.
 *
 * Not root: every case is skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <glib/gstdio.h>

#include "netsip.h"
#include "child-process.h"

#define NETNS_PREFIX "netsip-dns-"
#define INSIDE_TIMEOUT_SECONDS 120
#define LOOKUP_TIMEOUT_SECONDS 20
#define DNSMASQ_START_SECONDS 5

/* ====================================================================
 * Inside the namespace: GTest cases that use the system resolver
 * ==================================================================== */

typedef struct
{
  gboolean   done;
  GPtrArray *targets;
  GList     *records;
  GError    *error;
} Result;

static gboolean
inside_timeout (gpointer data)
{
  g_error ("lookup did not finish within %d s", LOOKUP_TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
run_until_done (Result *r)
{
  guint id = g_timeout_add_seconds (LOOKUP_TIMEOUT_SECONDS, inside_timeout, NULL);

  while (!r->done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);
}

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->targets = net_sip_resolver_lookup_finish (NET_SIP_RESOLVER (source), result, &r->error);
  r->done = TRUE;
}

static void
on_naptr_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Result *r = user_data;

  r->records = net_sip_resolver_lookup_naptr_finish (NET_SIP_RESOLVER (source), result, &r->error);
  r->done = TRUE;
}

static NetSipResolver *
system_resolver (void)
{
  /* GLib's default GResolver (getaddrinfo, res_query) and libresolv for
   * NAPTR: both read the resolv.conf `ip netns exec` mounted */
  return net_sip_resolver_new (NULL);
}

static char *
lookup_full (NetSipResolver        *resolver,
             const char            *uri_text,
             const NetSipTransport *allowed,
             guint                  n_allowed,
             GError               **error)
{
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (uri_text, -1, NULL);
  Result r = { 0 };
  GString *s;

  g_assert_nonnull (uri);
  net_sip_resolver_lookup_async (resolver, uri, allowed, n_allowed, NULL, on_lookup_done, &r);
  run_until_done (&r);
  if (r.error)
    {
      g_propagate_error (error, r.error);
      return NULL;
    }
  s = g_string_new (NULL);
  for (guint i = 0; i < r.targets->len; i++)
    {
      g_autofree char *t = net_sip_target_to_string (g_ptr_array_index (r.targets, i));

      g_string_append_printf (s, "%s%s", i ? " " : "", t);
      g_assert_cmpstr (net_sip_target_get_host (g_ptr_array_index (r.targets, i)), ==,
                       net_sip_uri_get_host (uri));
    }
  g_ptr_array_unref (r.targets);
  return g_string_free (s, FALSE);
}

static char *
lookup (NetSipResolver        *resolver,
        const char            *uri_text,
        const NetSipTransport *allowed,
        guint                  n_allowed)
{
  g_autoptr(GError) error = NULL;
  char *s = lookup_full (resolver, uri_text, allowed, n_allowed, &error);

  g_assert_no_error (error);
  g_test_message ("%s -> %s", uri_text, s);
  return s;
}

#define assert_lookup(r, uri, allowed, n, expected)               \
  G_STMT_START {                                                  \
    g_autofree char *got_ = lookup (r, uri, allowed, n);          \
    g_assert_cmpstr (got_, ==, expected);                         \
  } G_STMT_END

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* the default NAPTR step: res_nquery + ns_parserr against dnsmasq */
static void
inside_naptr (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;
  Result r = { 0 };

  net_sip_resolver_lookup_naptr_async (resolver, "sip.test", NULL, on_naptr_done, &r);
  run_until_done (&r);
  g_assert_no_error (r.error);
  for (GList *l = r.records; l; l = l->next)
    {
      g_assert_true (g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qqssss)")));
      g_ptr_array_add (seen, g_variant_print (l->data, FALSE));
    }
  g_list_free_full (r.records, (GDestroyNotify) g_variant_unref);
  g_ptr_array_sort (seen, compare_strings);
  g_ptr_array_add (seen, NULL);
  joined = g_strjoinv ("\n", (char **) seen->pdata);
  g_assert_cmpstr (joined, ==,
                   "(10, 50, 'S', 'SIP+D2T', '', '_sip._tcp.sip.test')\n"
                   "(10, 60, 'S', 'SIPS+D2T', '', '_sips._tcp.sip.test')\n"
                   "(20, 50, 'S', 'SIP+D2U', '', '_sip._udp.sip.test')\n"
                   "(30, 50, 'A', 'SIP+D2U', '', 'wrong.sip.test')");

  /* a name without NAPTR records */
  r = (Result) { 0 };
  net_sip_resolver_lookup_naptr_async (resolver, "plain.sip.test", NULL, on_naptr_done, &r);
  run_until_done (&r);
  g_assert_error (r.error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND);
  g_assert_null (r.records);
  g_clear_error (&r.error);
}

/* NAPTR -> SRV -> A/AAAA, in NAPTR order (RFC 3263 §4.1, §4.2) */
static void
inside_naptr_srv_a (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();
  static const NetSipTransport tls_tcp_udp[] = { NET_SIP_TRANSPORT_TLS, NET_SIP_TRANSPORT_TCP,
                                                 NET_SIP_TRANSPORT_UDP };
  static const NetSipTransport udp_only[] = { NET_SIP_TRANSPORT_UDP };

  /* SIP+D2T (order 10) before SIP+D2U (order 20); SRV priority 10 before
   * 20 inside _sip._tcp; the flag-A record is ignored; TLS not allowed */
  assert_lookup (resolver, "sip:alice@sip.test", NULL, 0,
                 "tcp:127.0.0.2:5072 tcp:127.0.0.3:5073 udp:127.0.0.4:5070");
  assert_lookup (resolver, "sip:sip.test", tls_tcp_udp, 3,
                 "tls:127.0.0.5:5071 tcp:127.0.0.2:5072 tcp:127.0.0.3:5073 udp:127.0.0.4:5070");
  assert_lookup (resolver, "sip:sip.test", udp_only, 1, "udp:127.0.0.4:5070");
  assert_lookup (resolver, "sips:sip.test", NULL, 0, "tls:127.0.0.5:5071");
  /* transport= skips NAPTR; a port skips NAPTR and SRV */
  assert_lookup (resolver, "sip:sip.test;transport=udp", NULL, 0, "udp:127.0.0.4:5070");
  assert_lookup (resolver, "sip:plain.sip.test:5999", NULL, 0, "udp:127.0.0.7:5999 tcp:127.0.0.7:5999");
}

/* no NAPTR: SRV _sip._udp then _sip._tcp; no SRV: A on 5060 / 5061 */
static void
inside_fallbacks (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();
  g_autoptr(GError) error = NULL;
  g_autofree char *none = NULL;

  assert_lookup (resolver, "sip:nonaptr.sip.test", NULL, 0, "udp:127.0.0.8:5080 tcp:127.0.0.8:5082");
  assert_lookup (resolver, "sip:plain.sip.test", NULL, 0, "udp:127.0.0.7:5060 tcp:127.0.0.7:5060");
  assert_lookup (resolver, "sips:plain.sip.test", NULL, 0, "tls:127.0.0.7:5061");

  none = lookup_full (resolver, "sip:nothing.sip.test", NULL, 0, &error);
  g_assert_null (none);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, "NAPTR nothing.sip.test, SRV _sip._udp.nothing.sip.test, "
                                            "SRV _sip._tcp.nothing.sip.test, A/AAAA nothing.sip.test"));
}

/* RFC 2782 priority: whatever order dnsmasq answers in */
static void
inside_srv_priority (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();

  for (int i = 0; i < 20; i++)
    assert_lookup (resolver, "sip:prio.sip.test;transport=udp", NULL, 0,
                   "udp:127.0.1.1:5001 udp:127.0.1.2:5002 udp:127.0.1.3:5003");
}

/* RFC 2782 weight: 60/30/10 over 1000 lookups, bounds about 5 standard
 * deviations wide (see tests/test-resolver.c); ignoring the weights gives
 * 333 each and fails */
static void
inside_srv_weight (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();
  guint first[3] = { 0 };

  for (int i = 0; i < 1000; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *got = lookup_full (resolver, "sip:weight.sip.test;transport=udp", NULL, 0, &error);
      g_auto(GStrv) parts = NULL;

      g_assert_no_error (error);
      parts = g_strsplit (got, " ", -1);
      g_assert_cmpuint (g_strv_length (parts), ==, 4);
      g_assert_cmpstr (parts[3], ==, "udp:127.0.2.9:5009");
      if (g_str_equal (parts[0], "udp:127.0.2.1:5001"))
        first[0]++;
      else if (g_str_equal (parts[0], "udp:127.0.2.2:5002"))
        first[1]++;
      else if (g_str_equal (parts[0], "udp:127.0.2.3:5003"))
        first[2]++;
      else
        g_error ("unexpected first target %s", parts[0]);
    }
  g_test_message ("first target: a %u, b %u, c %u of 1000 (expected 600, 300, 100)",
                  first[0], first[1], first[2]);
  g_assert_cmpuint (first[0], >=, 520);
  g_assert_cmpuint (first[0], <=, 680);
  g_assert_cmpuint (first[1], >=, 230);
  g_assert_cmpuint (first[1], <=, 370);
  g_assert_cmpuint (first[2], >=, 55);
  g_assert_cmpuint (first[2], <=, 150);
}

/* AAAA records: an IPv6-only SRV target, and a host with A and AAAA */
static void
inside_aaaa (void)
{
  g_autoptr(NetSipResolver) resolver = system_resolver ();
  g_autofree char *dual = NULL;
  g_auto(GStrv) parts = NULL;

  assert_lookup (resolver, "sip:v6.sip.test;transport=udp", NULL, 0, "udp:[fd00::6]:5090");
  assert_lookup (resolver, "sips:v6.sip.test", NULL, 0, "tls:[fd00::6]:5091");

  /* getaddrinfo orders the families by RFC 6724; both must be there */
  dual = lookup (resolver, "sip:dual.sip.test:5062;transport=tcp", NULL, 0);
  parts = g_strsplit (dual, " ", -1);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  g_assert_true (g_strv_contains ((const char *const *) parts, "tcp:127.0.0.9:5062"));
  g_assert_true (g_strv_contains ((const char *const *) parts, "tcp:[fd00::9]:5062"));
}

static int
inside_main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/dns-netns/inside/naptr", inside_naptr);
  g_test_add_func ("/dns-netns/inside/naptr-srv-a", inside_naptr_srv_a);
  g_test_add_func ("/dns-netns/inside/fallbacks", inside_fallbacks);
  g_test_add_func ("/dns-netns/inside/srv-priority", inside_srv_priority);
  g_test_add_func ("/dns-netns/inside/srv-weight", inside_srv_weight);
  g_test_add_func ("/dns-netns/inside/aaaa", inside_aaaa);
  return g_test_run ();
}

/* ====================================================================
 * Outside: the namespace, dnsmasq, and running the inside cases
 * ==================================================================== */

static const char *const dnsmasq_records[] = {
  "--local=/sip.test/",
  /* sip.test: NAPTR (RFC 3403) prefers TCP; TLS offered; a flag-A record
   * the resolver must ignore */
  "--naptr-record=sip.test,10,50,S,SIP+D2T,,_sip._tcp.sip.test",
  "--naptr-record=sip.test,20,50,S,SIP+D2U,,_sip._udp.sip.test",
  "--naptr-record=sip.test,10,60,S,SIPS+D2T,,_sips._tcp.sip.test",
  "--naptr-record=sip.test,30,50,A,SIP+D2U,,wrong.sip.test",
  "--srv-host=_sip._tcp.sip.test,tcp-b.sip.test,5073,20,0",
  "--srv-host=_sip._tcp.sip.test,tcp-a.sip.test,5072,10,0",
  "--srv-host=_sip._udp.sip.test,udp-a.sip.test,5070,10,0",
  "--srv-host=_sips._tcp.sip.test,tls-a.sip.test,5071,10,0",
  "--host-record=tcp-a.sip.test,127.0.0.2",
  "--host-record=tcp-b.sip.test,127.0.0.3",
  "--host-record=udp-a.sip.test,127.0.0.4",
  "--host-record=tls-a.sip.test,127.0.0.5",
  "--host-record=wrong.sip.test,127.0.0.66",
  /* no NAPTR: SRV only */
  "--srv-host=_sip._udp.nonaptr.sip.test,n.sip.test,5080,10,0",
  "--srv-host=_sip._tcp.nonaptr.sip.test,n.sip.test,5082,10,0",
  "--host-record=n.sip.test,127.0.0.8",
  /* no NAPTR, no SRV: A only */
  "--host-record=plain.sip.test,127.0.0.7",
  /* priority: listed out of order */
  "--srv-host=_sip._udp.prio.sip.test,p3.sip.test,5003,30,0",
  "--srv-host=_sip._udp.prio.sip.test,p1.sip.test,5001,10,0",
  "--srv-host=_sip._udp.prio.sip.test,p2.sip.test,5002,20,0",
  "--host-record=p1.sip.test,127.0.1.1",
  "--host-record=p2.sip.test,127.0.1.2",
  "--host-record=p3.sip.test,127.0.1.3",
  /* weight 60/30/10 inside priority 10, and one target at priority 20 */
  "--srv-host=_sip._udp.weight.sip.test,w1.sip.test,5001,10,60",
  "--srv-host=_sip._udp.weight.sip.test,w2.sip.test,5002,10,30",
  "--srv-host=_sip._udp.weight.sip.test,w3.sip.test,5003,10,10",
  "--srv-host=_sip._udp.weight.sip.test,w9.sip.test,5009,20,100",
  "--host-record=w1.sip.test,127.0.2.1",
  "--host-record=w2.sip.test,127.0.2.2",
  "--host-record=w3.sip.test,127.0.2.3",
  "--host-record=w9.sip.test,127.0.2.9",
  /* AAAA */
  "--srv-host=_sip._udp.v6.sip.test,v6-target.sip.test,5090,10,0",
  "--srv-host=_sips._tcp.v6.sip.test,v6-target.sip.test,5091,10,0",
  "--host-record=v6-target.sip.test,fd00::6",
  "--host-record=dual.sip.test,127.0.0.9,fd00::9",
  NULL
};

/* Everything the async-signal-safe cleanup needs, prepared beforehand. */
static char netns_name[64];
static char netns_run_path[128];     /* /run/netns/NAME */
static char netns_etc_dir[128];      /* /etc/netns/NAME */
static char netns_resolv_conf[160];  /* /etc/netns/NAME/resolv.conf */
static char tmp_files[3][PATH_MAX];  /* dnsmasq.log, dnsmasq.pid, inside.out */
static char tmp_dir_path[PATH_MAX];
static volatile pid_t dnsmasq_pid;
static volatile pid_t inside_pid;
static volatile sig_atomic_t cleaned_up = 1;

static char *skip_reason;            /* not root */
static char *setup_error;            /* as root: why the namespace could not be made */
static char *tmp_dir;
static char *dnsmasq_log;
static char *self_exe;

static void
sleep_ms (long ms)
{
  struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

  nanosleep (&ts, NULL);
}

/* Ends a child by PID: SIGTERM, up to 2 s, then SIGKILL. Async-signal-safe. */
static void
end_child (pid_t pid)
{
  int status;

  if (pid <= 0)
    return;
  kill (pid, SIGTERM);
  for (int i = 0; i < 40; i++)
    {
      if (waitpid (pid, &status, WNOHANG) != 0)
        return;
      sleep_ms (50);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
}

/* Async-signal-safe: only syscalls. Same steps as `ip netns del`. */
static void
cleanup_namespace (void)
{
  if (cleaned_up)
    return;
  cleaned_up = 1;
  end_child (inside_pid);
  inside_pid = 0;
  end_child (dnsmasq_pid);
  dnsmasq_pid = 0;
  umount2 (netns_run_path, MNT_DETACH);
  unlink (netns_run_path);
  unlink (netns_resolv_conf);
  rmdir (netns_etc_dir);
  for (guint i = 0; i < G_N_ELEMENTS (tmp_files); i++)
    if (tmp_files[i][0])
      unlink (tmp_files[i]);
  if (tmp_dir_path[0])
    rmdir (tmp_dir_path);
}

static void
on_fatal_signal (int sig)
{
  cleanup_namespace ();
  signal (sig, SIG_DFL);
  raise (sig);
}

/* Runs a short command (ip ...) synchronously; FALSE with a message. */
static gboolean
run_command (const char *const *argv,
             char              **message)
{
  g_autofree char *out = NULL, *err = NULL, *joined = g_strjoinv (" ", (char **) argv);
  g_autoptr(GError) error = NULL;
  int status;

  g_test_message ("running %s", joined);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, netsip_test_child_setup, NULL,
                     &out, &err, &status, &error))
    {
      *message = g_strdup_printf ("%s: %s", joined, error->message);
      return FALSE;
    }
  if (!g_spawn_check_wait_status (status, &error))
    {
      *message = g_strdup_printf ("%s: %s: %s", joined, error->message, err);
      return FALSE;
    }
  return TRUE;
}

/* netsip-dns-<pid> namespaces of runs whose process is gone */
static void
remove_stale_namespaces (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/run/netns", 0, NULL);
  const char *name;

  if (!dir)
    return;
  while ((name = g_dir_read_name (dir)))
    {
      guint64 pid;
      g_autofree char *run = NULL, *etc = NULL, *conf = NULL;

      if (!g_str_has_prefix (name, NETNS_PREFIX) ||
          !g_ascii_string_to_unsigned (name + strlen (NETNS_PREFIX), 10, 1, G_MAXINT, &pid, NULL))
        continue;
      if (kill ((pid_t) pid, 0) == 0 || errno != ESRCH)
        continue;
      g_test_message ("removing the namespace %s of an earlier run", name);
      run = g_build_filename ("/run/netns", name, NULL);
      etc = g_build_filename ("/etc/netns", name, NULL);
      conf = g_build_filename (etc, "resolv.conf", NULL);
      umount2 (run, MNT_DETACH);
      unlink (run);
      unlink (conf);
      rmdir (etc);
    }
}

static gboolean
dnsmasq_started (char **message)
{
  for (int i = 0; i < DNSMASQ_START_SECONDS * 20; i++)
    {
      g_autofree char *log = NULL;
      int status;

      if (waitpid (dnsmasq_pid, &status, WNOHANG) == dnsmasq_pid)
        {
          g_file_get_contents (dnsmasq_log, &log, NULL, NULL);
          dnsmasq_pid = 0;
          *message = g_strdup_printf ("dnsmasq exited at start: %s", log ? log : "");
          return FALSE;
        }
      /* dnsmasq logs "started" after it bound its sockets */
      if (g_file_get_contents (dnsmasq_log, &log, NULL, NULL) && strstr (log, "started"))
        return TRUE;
      sleep_ms (50);
    }
  *message = g_strdup_printf ("dnsmasq did not start within %d s", DNSMASQ_START_SECONDS);
  return FALSE;
}

static gboolean
setup_namespace (char **message)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *pid_file = NULL;
  g_autofree char *ip_path = g_find_program_in_path ("ip");
  g_autofree char *dnsmasq_path = g_find_program_in_path ("dnsmasq");
  GPid pid;
  int log_fd;

  if (!ip_path || !dnsmasq_path)
    {
      *message = g_strdup ("ip (iproute2) or dnsmasq (dnsmasq-base) is missing: run `make deps`");
      return FALSE;
    }
  remove_stale_namespaces ();

  g_snprintf (netns_name, sizeof netns_name, NETNS_PREFIX "%d", (int) getpid ());
  g_snprintf (netns_run_path, sizeof netns_run_path, "/run/netns/%s", netns_name);
  g_snprintf (netns_etc_dir, sizeof netns_etc_dir, "/etc/netns/%s", netns_name);
  g_snprintf (netns_resolv_conf, sizeof netns_resolv_conf, "%s/resolv.conf", netns_etc_dir);

  tmp_dir = g_dir_make_tmp ("netsip-dns-XXXXXX", &error);
  if (!tmp_dir)
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  dnsmasq_log = g_build_filename (tmp_dir, "dnsmasq.log", NULL);
  pid_file = g_build_filename (tmp_dir, "dnsmasq.pid", NULL);
  g_strlcpy (tmp_dir_path, tmp_dir, sizeof tmp_dir_path);
  g_strlcpy (tmp_files[0], dnsmasq_log, sizeof tmp_files[0]);
  g_strlcpy (tmp_files[1], pid_file, sizeof tmp_files[1]);
  g_snprintf (tmp_files[2], sizeof tmp_files[2], "%s/inside.out", tmp_dir);

  /* from here on every path removes what it made */
  cleaned_up = 0;
  if (g_mkdir_with_parents (netns_etc_dir, 0755) < 0)
    {
      *message = g_strdup_printf ("mkdir %s: %s", netns_etc_dir, g_strerror (errno));
      return FALSE;
    }
  /* short resolver timeouts: a lookup that fails does so in seconds */
  if (!g_file_set_contents (netns_resolv_conf,
                            "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", -1, &error))
    {
      *message = g_strdup (error->message);
      return FALSE;
    }
  {
    const char *add[] = { "ip", "netns", "add", netns_name, NULL };
    const char *lo[] = { "ip", "netns", "exec", netns_name, "ip", "link", "set", "lo", "up", NULL };

    if (!run_command (add, message) || !run_command (lo, message))
      return FALSE;
  }

  g_ptr_array_add (argv, g_strdup ("ip"));
  g_ptr_array_add (argv, g_strdup ("netns"));
  g_ptr_array_add (argv, g_strdup ("exec"));
  g_ptr_array_add (argv, g_strdup (netns_name));
  g_ptr_array_add (argv, g_strdup ("dnsmasq"));
  g_ptr_array_add (argv, g_strdup ("--keep-in-foreground"));
  g_ptr_array_add (argv, g_strdup ("--conf-file=/dev/null"));
  g_ptr_array_add (argv, g_strdup ("--no-resolv"));
  g_ptr_array_add (argv, g_strdup ("--no-hosts"));
  g_ptr_array_add (argv, g_strdup ("--listen-address=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--bind-interfaces"));
  g_ptr_array_add (argv, g_strdup ("--user=root"));
  g_ptr_array_add (argv, g_strdup ("--log-queries"));
  g_ptr_array_add (argv, g_strdup ("--log-facility=-"));
  g_ptr_array_add (argv, g_strdup_printf ("--pid-file=%s", pid_file));
  for (guint i = 0; dnsmasq_records[i]; i++)
    g_ptr_array_add (argv, g_strdup (dnsmasq_records[i]));
  g_ptr_array_add (argv, NULL);

  log_fd = g_open (dnsmasq_log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (log_fd < 0)
    {
      *message = g_strdup_printf ("%s: %s", dnsmasq_log, g_strerror (errno));
      return FALSE;
    }
  /* `ip netns exec` execs dnsmasq in the same process: pid is dnsmasq's */
  if (!g_spawn_async_with_fds (NULL, (char **) argv->pdata, NULL,
                               G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                               netsip_test_child_setup, NULL, &pid, -1, log_fd, log_fd, &error))
    {
      close (log_fd);
      *message = g_strdup_printf ("starting dnsmasq: %s", error->message);
      return FALSE;
    }
  close (log_fd);
  dnsmasq_pid = pid;
  g_test_message ("dnsmasq pid %d in namespace %s, log %s", (int) pid, netns_name, dnsmasq_log);
  return dnsmasq_started (message);
}

static char *
read_dnsmasq_log (void)
{
  char *log = NULL;

  g_file_get_contents (dnsmasq_log, &log, NULL, NULL);
  return log ? log : g_strdup ("");
}

/* Runs `ip netns exec NAME self --inside -p PATH`, bounded; returns its
 * output and exit status. */
static void
run_inside (const char *path)
{
  g_autofree char *out_path = g_build_filename (tmp_dir, "inside.out", NULL);
  g_autofree char *output = NULL;
  g_autoptr(GError) error = NULL;
  const char *argv[] = { "ip", "netns", "exec", netns_name, self_exe, "--inside", "-p", path,
                         "--verbose", NULL };
  GPid pid;
  int out_fd, status = 0;
  gboolean exited = FALSE;

  if (skip_reason)
    {
      g_test_skip (skip_reason);
      return;
    }
  if (setup_error)
    {
      /* as root the test must run: a setup failure fails every case */
      g_test_fail_printf ("setting up the DNS namespace failed: %s", setup_error);
      return;
    }

  out_fd = g_open (out_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (out_fd < 0)
    {
      g_test_fail_printf ("%s: %s", out_path, g_strerror (errno));
      return;
    }
  if (!g_spawn_async_with_fds (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_DO_NOT_REAP_CHILD,
                               netsip_test_child_setup, NULL, &pid, -1, out_fd, out_fd, &error))
    {
      close (out_fd);
      g_test_fail_printf ("starting the inside run: %s", error->message);
      return;
    }
  close (out_fd);
  inside_pid = pid;

  for (int i = 0; i < INSIDE_TIMEOUT_SECONDS * 20; i++)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          exited = TRUE;
          break;
        }
      sleep_ms (50);
    }
  if (!exited)
    {
      kill (pid, SIGKILL);
      waitpid (pid, &status, 0);
    }
  inside_pid = 0;

  g_file_get_contents (out_path, &output, NULL, NULL);
  g_test_message ("inside %s:\n%s", path, output ? output : "");
  if (!exited)
    {
      g_test_fail_printf ("%s did not finish within %d s", path, INSIDE_TIMEOUT_SECONDS);
      return;
    }
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* the case ran (not skipped, not filtered away) */
  g_assert_nonnull (output);
  g_assert_nonnull (strstr (output, "\nok 1 "));
}

static void
test_naptr (void)
{
  g_autofree char *log = NULL;

  run_inside ("/dns-netns/inside/naptr");
  if (g_test_failed () || skip_reason || setup_error)
    return;
  /* the answer came from dnsmasq, over real DNS */
  log = read_dnsmasq_log ();
  g_assert_nonnull (strstr (log, "query[NAPTR] sip.test"));
}

static void
test_naptr_srv_a (void)
{
  g_autofree char *log = NULL;

  run_inside ("/dns-netns/inside/naptr-srv-a");
  if (g_test_failed () || skip_reason || setup_error)
    return;
  log = read_dnsmasq_log ();
  g_assert_nonnull (strstr (log, "query[SRV] _sip._tcp.sip.test"));
  g_assert_nonnull (strstr (log, "query[A] tcp-a.sip.test"));
}

static void
test_fallbacks (void)
{
  run_inside ("/dns-netns/inside/fallbacks");
}

static void
test_srv_priority (void)
{
  run_inside ("/dns-netns/inside/srv-priority");
}

static void
test_srv_weight (void)
{
  run_inside ("/dns-netns/inside/srv-weight");
}

static void
test_aaaa (void)
{
  g_autofree char *log = NULL;

  run_inside ("/dns-netns/inside/aaaa");
  if (g_test_failed () || skip_reason || setup_error)
    return;
  log = read_dnsmasq_log ();
  g_assert_nonnull (strstr (log, "query[AAAA] v6-target.sip.test"));
}

/* last: dnsmasq ended, namespace and /etc/netns/NAME gone */
static void
test_cleanup (void)
{
  pid_t pid = dnsmasq_pid;

  if (skip_reason)
    {
      g_test_skip (skip_reason);
      return;
    }
  if (setup_error)
    {
      g_test_fail_printf ("setting up the DNS namespace failed: %s", setup_error);
      return;
    }
  cleanup_namespace ();
  g_assert_true (pid > 0);
  g_assert_true (kill (pid, 0) < 0 && errno == ESRCH);
  g_assert_false (g_file_test (netns_run_path, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (netns_etc_dir, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  g_autofree char *message = NULL;
  int rc;

  if (argc > 1 && strcmp (argv[1], "--inside") == 0)
    {
      argv[1] = argv[0];
      return inside_main (argc - 1, argv + 1);
    }

  g_test_init (&argc, &argv, NULL);
  /* a failed check marks the case failed and the next case still runs;
   * the namespace is removed at the end either way */
  g_test_set_nonfatal_assertions ();
  g_test_add_func ("/dns-netns/naptr", test_naptr);
  g_test_add_func ("/dns-netns/naptr-srv-a", test_naptr_srv_a);
  g_test_add_func ("/dns-netns/fallbacks", test_fallbacks);
  g_test_add_func ("/dns-netns/srv-priority", test_srv_priority);
  g_test_add_func ("/dns-netns/srv-weight", test_srv_weight);
  g_test_add_func ("/dns-netns/aaaa", test_aaaa);
  g_test_add_func ("/dns-netns/cleanup", test_cleanup);

  if (geteuid () != 0)
    skip_reason = g_strdup ("needs root (network namespace, dnsmasq); run as root to test "
                            "NAPTR/SRV/A/AAAA against a real DNS server");
  else
    {
      self_exe = g_file_read_link ("/proc/self/exe", NULL);
      signal (SIGTERM, on_fatal_signal);
      signal (SIGINT, on_fatal_signal);
      signal (SIGABRT, on_fatal_signal);
      signal (SIGTRAP, on_fatal_signal);
      atexit (cleanup_namespace);
      if (!self_exe)
        setup_error = g_strdup ("cannot read /proc/self/exe");
      else if (!setup_namespace (&message))
        setup_error = g_steal_pointer (&message);
      if (setup_error)
        cleanup_namespace ();
    }

  rc = g_test_run ();
  cleanup_namespace ();   /* also removes the temporary files */
  g_free (tmp_dir);
  g_free (skip_reason);
  g_free (setup_error);
  g_free (self_exe);
  g_free (dnsmasq_log);
  return rc;
}
