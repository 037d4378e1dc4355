/* bench-dialogs.c: memory per confirmed dialog of a NetSipEndpoint, and
 * calls per second set up and torn down between two endpoints against a
 * sipp pair doing the same calls
 *
 * Memory: 10,000 (--count) concurrent confirmed dialogs between two
 * NetSipEndpoints on loopback UDP, each made by INVITE (with SDP), 200
 * (with SDP), ACK and left up, 64 (--memory-window) set up at a time.  The caller (UAC) and the callee (UAS) are
 * two processes of their own (--memory and --server=netsip), both with
 * G_SLICE=always-malloc; each measures its own heap (mallinfo2 uordblks +
 * hblkhd) against a baseline taken after a warm-up whose transactions ran
 * with T1 = T4 = 20 ms and ended before the baseline.  Two points:
 *   - right after set-up: the last INVITE completed on the caller, every
 *     ACK arrived at the callee; the INVITE transactions are still held
 *     (server: Accepted, Timer L, with the cached 2xx; client: Accepted,
 *     Timer M) for 64*T1;
 *   - after the transactions ended: both dispatchers report
 *     n-transactions = 0; only the dialogs (and whatever the endpoint keeps
 *     per dialog) remain.
 * Before any figure is printed, both sides must report every dialog in
 * state CONFIRMED (net_sip_endpoint_get_dialogs) and no failed call.  Then
 * the caller ends all dialogs with BYE (each must get 200) and, once the
 * BYE transactions ended, the heap left above the baseline is reported.
 *
 * Calls per second: INVITE, 200, ACK, BYE, 200 on loopback UDP with a
 * window of W calls in flight (--window, default 256: with 64 sipp's pair
 * is paced by its event loop at well under a CPU), side by side in one run
 * with alternating rounds:
 *   - netsip-glib: the caller is a NetSipEndpoint in this process
 *     (net_sip_endpoint_invite_async, then a BYE made by
 *     net_sip_endpoint_new_request for the dialog and sent with
 *     net_sip_endpoint_deliver_async); the callee is a NetSipEndpoint in its
 *     own process (--server=netsip) answering every INVITE with
 *     net_sip_endpoint_respond 200 + SDP (the endpoint sends 100 Trying
 *     first, answers the BYE with 200 itself).  6 datagrams per call.
 *   - sipp: `sipp -sn uac` against `sipp -sn uas` (sip-tester), both with
 *     -buff_size 4194304, the uac limited to W calls open (-l W) with a
 *     rate high enough never to be the limit (-r 100000).
 * The netsip legs get the same socket buffers as sipp (SO_RCVBUF and
 * SO_SNDBUF 4 MiB, --buff-size; netsip-glib has no property for them, so the
 * benchmark sets them on the leg's socket, found by its port).  sipp's uas
 *     answers 180 then 200 + SDP: also 6 datagrams per call.
 * A round is R calls (--round-calls); its rate is R divided by the time
 * from the start of the first call to the end of the last (for sipp:
 * StartTime to the final CurrentTime of its -trace_stat file, which also
 * gives SuccessfulCall and FailedCall).  Clients are pinned to the first
 * CPU, servers to the second.  Before timing, a check requires every call
 * of each pair to complete with 200 to INVITE and 200 to BYE (netsip: each
 * response and dialog state checked, and the callee's counts of INVITE,
 * ACK, BYE and closed dialogs; sipp: exit status 0 and SuccessfulCall = all
 * calls, FailedCall = 0, which its scenario gives only for calls that got
 * the 200 to INVITE and the 200 to BYE); otherwise the run exits 1 and
 * prints no numbers.
 *
 * Every wait is bounded; child processes die with this one
 * (PR_SET_PDEATHSIG) and are otherwise ended by their PID; alarm() bounds
 * the whole run.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <gio/gio.h>

#include "netsip-glib/netsip.h"
#include "peer-util.h"
#include "bench-util.h"

#define MAX_WINDOW 4096
#define N_WARMUP_CALLS 32
/* T1 and T4 (ms) of the memory processes during their warm-up, so that
 * its transactions are gone before the baseline */
#define WARMUP_TIMER_MS 20

static const char sdp_text[] =
  "v=0\r\n"
  "o=user1 53655765 2353687637 IN IP4 127.0.0.1\r\n"
  "s=-\r\n"
  "c=IN IP4 127.0.0.1\r\n"
  "t=0 0\r\n"
  "m=audio 6000 RTP/AVP 0\r\n"
  "a=rtpmap:0 PCMU/8000\r\n";

/* ------------------------------------------------------------------------ */
/* Types                                                                    */

typedef enum
{
  CMD_STATS = 1,     /* server and caller: report */
  CMD_QUIT,
  CMD_GO,            /* caller: set up the dialogs */
  CMD_CLOSE_ALL,     /* caller: BYE for every dialog */
  CMD_TIMERS,        /* memory: from the warm-up's T1/T4 to the measured ones */
} CommandOp;

/* child -> parent, once at start */
typedef struct
{
  guint32 ok;
  guint32 port;
  char    message[200];
} Hello;

/* what a process with an endpoint reports (server on CMD_STATS, caller on
 * every command) */
typedef struct
{
  guint32 ok;
  guint64 heap;            /* mallinfo2 uordblks + hblkhd, taken first */
  guint64 heap0;           /* caller: baseline taken at CMD_GO */
  guint64 rss0;            /* caller: RSS at CMD_GO */
  guint64 rss;
  guint64 cpu_ns;
  guint64 n_dialogs;       /* net_sip_endpoint_get_n_dialogs */
  guint64 n_confirmed;     /* dialogs in state CONFIRMED */
  guint64 n_transactions;  /* dispatcher n-transactions */
  guint64 n_pending;       /* dispatcher n-pending */
  guint64 absorbed;        /* dispatcher absorbed-requests: retransmitted requests */
  /* server (acks: every ACK the application saw; the caller puts the ACKs
   * it sent for first 2xx there, counted by ack-prepared) */
  guint64 invites, acks, byes, others, answered, respond_errors, closed;
  /* caller */
  guint64 established, completed, failed;
  double  seconds;
  char    message[240];
} Report;

typedef struct _Caller Caller;

typedef struct
{
  Caller       *caller;
  guint64       seq;
  char          call_id[128];
  NetSipDialog *dialog;
} Slot;

typedef enum
{
  CALLS_FULL,    /* INVITE ... BYE 200: a call per second figure */
  CALLS_HOLD,    /* INVITE, 200, ACK: the dialog stays up */
  CALLS_CLOSE,   /* BYE for the held dialogs */
} CallMode;

struct _Caller
{
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipEndpoint   *endpoint;
  char              from[96];
  char              to[96];
  GBytes           *sdp;

  /* the current run */
  CallMode          mode;
  gboolean          deep_check;
  guint64           limit;
  guint64           started, established, completed, failed;
  guint             outstanding;
  Slot             *slots;
  guint             window;
  GPtrArray        *held;          /* CALLS_HOLD: the confirmed dialogs */
  guint             next_close;
  guint64           acks_prepared;
  guint64           t_start, t_end;
  char              first_failure[300];
  GMainLoop        *done_loop;     /* caller child: quit when the run ended */
};

/* SO_RCVBUF/SO_SNDBUF of the netsip legs, as sipp's -buff_size (0 = leave) */
static int buff_size = 4194304;
static pid_t child_pids[8];
static guint n_child_pids;
static char *tmp_dir;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */

static inline guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * G_GUINT64_CONSTANT (1000000000) + (guint64) ts.tv_nsec;
}

static guint64
cpu_ns (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ((guint64) ru.ru_utime.tv_sec + (guint64) ru.ru_stime.tv_sec) * G_GUINT64_CONSTANT (1000000000) +
         ((guint64) ru.ru_utime.tv_usec + (guint64) ru.ru_stime.tv_usec) * 1000;
}

/* user + system time of another process, from /proc/PID/stat */
static guint64
proc_cpu_ns (pid_t pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *contents = NULL;
  const char *p;
  unsigned long long utime = 0, stime = 0;

  if (!g_file_get_contents (path, &contents, NULL, NULL) || (p = strrchr (contents, ')')) == NULL ||
      sscanf (p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &utime, &stime) != 2)
    return 0;
  return (utime + stime) * (G_GUINT64_CONSTANT (1000000000) / (guint64) sysconf (_SC_CLK_TCK));
}

static void
remove_tmp_dir (void)
{
  g_autoptr(GDir) dir = NULL;
  const char *name;

  if (tmp_dir == NULL)
    return;
  dir = g_dir_open (tmp_dir, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename (tmp_dir, name, NULL);
      g_unlink (path);
    }
  g_rmdir (tmp_dir);
  g_clear_pointer (&tmp_dir, g_free);
}

static void
end_children (void)
{
  for (guint i = 0; i < n_child_pids; i++)
    if (child_pids[i] > 0)
      {
        int status;

        kill (child_pids[i], SIGKILL);
        waitpid (child_pids[i], &status, 0);
        child_pids[i] = -1;
      }
}

static G_GNUC_NORETURN void
fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
fail (const char *format, ...)
{
  va_list args;

  fflush (stdout);
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  g_printerr ("\n");
  end_children ();
  remove_tmp_dir ();
  exit (1);
}

/* sipp gets -buff_size 4194304. netsip-glib has no property for socket
 * buffers, so the benchmark gives the leg's UDP socket the same sizes: it
 * is found among this process's descriptors by its local port.  Returns
 * FALSE if there is no such socket or the sizes cannot be set. */
static gboolean
set_leg_buffers (NetSipLeg *leg)
{
  g_autoptr(GDir) dir = NULL;
  guint16 port = (guint16) net_sip_leg_get_port (leg);
  const char *name;
  gboolean done = FALSE;

  if (buff_size <= 0)
    return TRUE;
  dir = g_dir_open ("/proc/self/fd", 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      int fd = atoi (name);
      struct sockaddr_in addr;
      socklen_t len = sizeof addr;
      int type = 0;
      socklen_t type_len = sizeof type;

      if (getsockname (fd, (struct sockaddr *) &addr, &len) != 0 || addr.sin_family != AF_INET ||
          ntohs (addr.sin_port) != port ||
          getsockopt (fd, SOL_SOCKET, SO_TYPE, &type, &type_len) != 0 || type != SOCK_DGRAM)
        continue;
      if (setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &buff_size, sizeof buff_size) != 0 ||
          setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &buff_size, sizeof buff_size) != 0)
        return FALSE;
      done = TRUE;
    }
  return done;
}

static void
record_failure (Caller *c, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
record_failure (Caller *c, const char *format, ...)
{
  va_list args;

  c->failed++;
  if (c->first_failure[0] != '\0')
    return;
  va_start (args, format);
  g_vsnprintf (c->first_failure, sizeof c->first_failure, format, args);
  va_end (args);
}

/* ------------------------------------------------------------------------ */
/* Processes                                                                */

/* fork + exec of @argv (argv[0] NULL = this binary), pinned to @cpu if >= 0,
 * with G_SLICE=always-malloc if asked; @fd_out (if not NULL) gets our end
 * of a socketpair passed as --control-fd; stdout and stderr go to
 * @output_path (NULL: inherited). */
static pid_t
spawn (const char *const *args,
       int                 cpu,
       gboolean            always_malloc,
       int                *fd_out,
       const char         *output_path)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  pid_t parent = getpid ();
  int sv[2] = { -1, -1 };
  int out_fd = -1;
  pid_t pid;

  if (exe == NULL)
    fail ("cannot read /proc/self/exe");
  if (fd_out != NULL && socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    fail ("socketpair: %s", g_strerror (errno));
  if (output_path != NULL &&
      (out_fd = open (output_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) < 0)
    fail ("%s: %s", output_path, g_strerror (errno));
  fflush (stdout);
  fflush (stderr);

  pid = fork ();
  if (pid < 0)
    fail ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      /* only async-signal-safe calls until exec */
      char fd_arg[32];
      const char *argv[48];
      int n = 0;

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (1);
      if (cpu >= 0)
        {
          cpu_set_t set;

          CPU_ZERO (&set);
          CPU_SET (cpu, &set);
          sched_setaffinity (0, sizeof set, &set);
        }
      if (always_malloc)
        setenv ("G_SLICE", "always-malloc", 1);
      if (out_fd >= 0)
        {
          dup2 (out_fd, 1);
          dup2 (out_fd, 2);
        }
      if (args[0] == NULL)
        {
          argv[n++] = exe;
          if (fd_out != NULL)
            {
              int fd = dup (sv[1]);   /* without FD_CLOEXEC */

              snprintf (fd_arg, sizeof fd_arg, "--control-fd=%d", fd);
              argv[n++] = fd_arg;
            }
          args++;
        }
      for (int i = 0; args[i] != NULL && n < 47; i++)
        argv[n++] = args[i];
      argv[n] = NULL;
      execvp (argv[0], (char **) argv);
      _exit (127);
    }
  if (out_fd >= 0)
    close (out_fd);
  if (fd_out != NULL)
    {
      close (sv[1]);
      *fd_out = sv[0];
    }
  if (n_child_pids < G_N_ELEMENTS (child_pids))
    child_pids[n_child_pids++] = pid;
  return pid;
}

static void
forget_child (pid_t pid)
{
  for (guint i = 0; i < n_child_pids; i++)
    if (child_pids[i] == pid)
      child_pids[i] = -1;
}

/* Waits at most @timeout_ms for @pid; kills it after that (-1) */
static int
reap_child (pid_t pid, int timeout_ms, struct rusage *usage)
{
  int status = 0;
  struct rusage ru;

  for (int waited = 0; waited <= timeout_ms; waited += 2)
    {
      if (wait4 (pid, &status, WNOHANG, &ru) == pid)
        {
          forget_child (pid);
          if (usage != NULL)
            *usage = ru;
          return status;
        }
      g_usleep (2000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  forget_child (pid);
  return -1;
}

/* ------------------------------------------------------------------------ */
/* The netsip-glib callee (a process of its own: --server=netsip)           */

typedef struct
{
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipEndpoint   *endpoint;
  GBytes           *sdp;
  Report            stats;
  GMainLoop        *loop;
  guint             t1_ms, t4_ms;   /* after CMD_TIMERS */
  guint             answer_code;
} Callee;

static gboolean
callee_request (NetSipEndpoint   *endpoint,
                NetSipDialog     *dialog,
                NetSipRequest    *request,
                NetSipLeg        *leg,
                NetSipSourceInfo *source,
                Callee           *callee)
{
  const char *method = net_sip_request_get_method (request);

  if (strcmp (method, "INVITE") == 0)
    {
      g_autoptr(GError) error = NULL;

      callee->stats.invites++;
      /* what an application answering a call does: 200 with its SDP */
      if (dialog != NULL &&
          net_sip_endpoint_respond (endpoint, dialog, request, callee->answer_code, NULL, NULL,
                                    callee->answer_code < 300 ? callee->sdp : NULL, &error))
        callee->stats.answered++;
      else if (callee->stats.respond_errors++ == 0)
        g_printerr ("netsip callee: respond 200: %s\n", error ? error->message : "no dialog");
      return TRUE;
    }
  if (strcmp (method, "ACK") == 0)
    callee->stats.acks++;
  else if (strcmp (method, "BYE") == 0)
    callee->stats.byes++;
  else
    callee->stats.others++;
  return FALSE;
}

static void
callee_dialog_closed (NetSipEndpoint *endpoint,
                      NetSipDialog   *dialog,
                      Callee         *callee)
{
  callee->stats.closed++;
}

/* The figures both kinds of process report; the heap first, before this
 * function allocates anything */
static void
fill_report (Report *r, NetSipEndpoint *endpoint, NetSipDispatcher *dispatcher, gboolean count_confirmed)
{
  r->heap = bench_heap_bytes ();
  r->rss = bench_rss_bytes ();
  r->cpu_ns = cpu_ns ();
  r->n_dialogs = net_sip_endpoint_get_n_dialogs (endpoint);
  r->n_transactions = bench_get_uint_property (dispatcher, "n-transactions");
  r->n_pending = bench_get_uint_property (dispatcher, "n-pending");
  r->absorbed = bench_get_uint_property (dispatcher, "absorbed-requests");
  r->n_confirmed = 0;
  if (count_confirmed)
    {
      g_autoptr(GPtrArray) dialogs = net_sip_endpoint_get_dialogs (endpoint);

      for (guint i = 0; i < dialogs->len; i++)
        if (net_sip_dialog_get_state (g_ptr_array_index (dialogs, i)) == NET_SIP_DIALOG_CONFIRMED)
          r->n_confirmed++;
    }
  r->ok = TRUE;
}

static gboolean
callee_control (gint         fd,
                GIOCondition condition,
                gpointer     user_data)
{
  Callee *callee = user_data;
  guint32 op;
  ssize_t n = read (fd, &op, sizeof op);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n != sizeof op || op == CMD_QUIT)
    {
      g_main_loop_quit (callee->loop);
      return G_SOURCE_REMOVE;
    }
  if (op == CMD_TIMERS)
    g_object_set (callee->dispatcher, "t1", callee->t1_ms, "t4", callee->t4_ms, NULL);
  if (op == CMD_STATS || op == CMD_TIMERS)
    {
      Report r = callee->stats;

      fill_report (&r, callee->endpoint, callee->dispatcher, TRUE);
      if (!bench_write_all (fd, &r, sizeof r))
        g_main_loop_quit (callee->loop);
    }
  return G_SOURCE_CONTINUE;
}

static int
callee_main (int fd, guint t1_ms, gboolean warmup_timers, guint answer_code)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  Callee callee = { .loop = loop, .answer_code = answer_code };
  Hello hello = { 0 };

  callee.leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (callee.leg == NULL)
    {
      g_snprintf (hello.message, sizeof hello.message, "udp:127.0.0.1:0: %s", error->message);
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  if (!set_leg_buffers (callee.leg))
    {
      g_snprintf (hello.message, sizeof hello.message, "cannot set the socket buffers of the leg");
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  callee.dispatcher = net_sip_dispatcher_new (&callee.leg, 1);
  callee.t1_ms = t1_ms;
  callee.t4_ms = (guint) bench_get_uint_property (callee.dispatcher, "t4");
  if (warmup_timers)
    g_object_set (callee.dispatcher, "t1", WARMUP_TIMER_MS, "t4", WARMUP_TIMER_MS, NULL);
  else
    g_object_set (callee.dispatcher, "t1", t1_ms, NULL);
  callee.endpoint = net_sip_endpoint_new (callee.dispatcher);
  callee.sdp = g_bytes_new_static (sdp_text, strlen (sdp_text));
  g_signal_connect (callee.endpoint, "request-received", G_CALLBACK (callee_request), &callee);
  g_signal_connect (callee.endpoint, "dialog-closed", G_CALLBACK (callee_dialog_closed), &callee);
  g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, callee_control, &callee);

  hello.ok = TRUE;
  hello.port = net_sip_leg_get_port (callee.leg);
  if (!bench_write_all (fd, &hello, sizeof hello))
    return 1;
  g_main_loop_run (loop);

  /* the dispatcher owns the endpoint */
  g_object_unref (callee.endpoint);
  g_object_run_dispose (G_OBJECT (callee.dispatcher));
  g_object_unref (callee.dispatcher);
  g_object_unref (callee.leg);
  g_bytes_unref (callee.sdp);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* The netsip-glib caller (this process for calls/s; --memory for memory)   */

static void call_start (Caller *c, Slot *slot);

static void
caller_ack_prepared (NetSipEndpoint *endpoint,
                     NetSipDialog   *dialog,
                     NetSipRequest  *ack,
                     NetSipResponse *response,
                     Caller         *c)
{
  c->acks_prepared++;
}

static gboolean
caller_init (Caller *c, guint16 port, guint t1_ms, char *error_text, gsize error_len)
{
  g_autoptr(GError) error = NULL;

  c->leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (c->leg == NULL)
    {
      g_snprintf (error_text, error_len, "udp:127.0.0.1:0: %s", error->message);
      return FALSE;
    }
  if (!set_leg_buffers (c->leg))
    {
      g_snprintf (error_text, error_len, "cannot set the socket buffers of the leg");
      return FALSE;
    }
  c->dispatcher = net_sip_dispatcher_new (&c->leg, 1);
  g_object_set (c->dispatcher, "t1", t1_ms, NULL);
  c->endpoint = net_sip_endpoint_new (c->dispatcher);
  c->sdp = g_bytes_new_static (sdp_text, strlen (sdp_text));
  g_snprintf (c->from, sizeof c->from, "<sip:caller@127.0.0.1:%u>", net_sip_leg_get_port (c->leg));
  g_snprintf (c->to, sizeof c->to, "<sip:service@127.0.0.1:%u>", port);
  c->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_signal_connect (c->endpoint, "ack-prepared", G_CALLBACK (caller_ack_prepared), c);
  return TRUE;
}

static void
caller_clear (Caller *c)
{
  g_clear_pointer (&c->held, g_ptr_array_unref);
  if (c->endpoint != NULL)
    g_object_unref (c->endpoint);   /* the dispatcher holds it too */
  c->endpoint = NULL;
  if (c->dispatcher != NULL)
    g_object_run_dispose (G_OBJECT (c->dispatcher));
  g_clear_object (&c->dispatcher);
  g_clear_object (&c->leg);
  g_clear_pointer (&c->sdp, g_bytes_unref);
}

/* A call (or BYE) on @slot ended; start the next one if the run is not
 * done */
static void
call_next (Caller *c, Slot *slot, gboolean ok)
{
  g_clear_object (&slot->dialog);
  c->outstanding--;
  if (ok)
    {
      if (c->mode == CALLS_HOLD)
        c->established++;
      else
        c->completed++;
    }
  c->t_end = now_ns ();
  if (c->started < c->limit)
    call_start (c, slot);
  else if (c->outstanding == 0 && c->done_loop != NULL)
    g_main_loop_quit (c->done_loop);
}

static void
bye_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  Slot *slot = user_data;
  Caller *c = slot->caller;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  gboolean ok = FALSE;

  if (!net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, &response, &dialog, &error))
    record_failure (c, "BYE of %s: %s", slot->call_id, error->message);
  else if (response == NULL || net_sip_response_get_code (response) != 200)
    record_failure (c, "BYE of %s: %u", slot->call_id, response ? net_sip_response_get_code (response) : 0);
  else if (g_strcmp0 (net_sip_message_get_cseq_method (NET_SIP_MESSAGE (response)), "BYE") != 0 ||
           g_strcmp0 (net_sip_message_get_call_id (NET_SIP_MESSAGE (response)), slot->call_id) != 0)
    record_failure (c, "BYE of %s: 200 for %s %s", slot->call_id,
                    net_sip_message_get_call_id (NET_SIP_MESSAGE (response)),
                    net_sip_message_get_cseq_method (NET_SIP_MESSAGE (response)));
  else if (c->deep_check && net_sip_dialog_get_state (slot->dialog) != NET_SIP_DIALOG_TERMINATED)
    record_failure (c, "BYE of %s: 200, but the dialog is in state %d", slot->call_id,
                    net_sip_dialog_get_state (slot->dialog));
  else
    ok = TRUE;
  call_next (c, slot, ok);
}

static void
send_bye (Caller *c, Slot *slot)
{
  g_autoptr(NetSipRequest) bye = net_sip_endpoint_new_request (c->endpoint, slot->dialog, "BYE", NULL, NULL,
                                                               NULL, NULL, NULL);

  if (bye == NULL)
    {
      record_failure (c, "BYE of %s: new_request returned NULL", slot->call_id);
      call_next (c, slot, FALSE);
      return;
    }
  net_sip_endpoint_deliver_async (c->endpoint, bye, NULL, bye_done, slot);
}

static void
invite_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Slot *slot = user_data;
  Caller *c = slot->caller;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  NetSipMessage *m;

  if (!net_sip_endpoint_invite_finish (NET_SIP_ENDPOINT (source), result, &response, &dialog, &error))
    {
      record_failure (c, "INVITE %s: %s", slot->call_id, error->message);
      call_next (c, slot, FALSE);
      return;
    }
  m = NET_SIP_MESSAGE (response);
  if (net_sip_response_get_code (response) != 200 || dialog == NULL ||
      net_sip_dialog_get_state (dialog) != NET_SIP_DIALOG_CONFIRMED)
    {
      record_failure (c, "INVITE %s: %u %s, dialog %s", slot->call_id, net_sip_response_get_code (response),
                      net_sip_response_get_reason (response),
                      dialog == NULL ? "none"
                      : net_sip_dialog_get_state (dialog) == NET_SIP_DIALOG_CONFIRMED ? "confirmed" : "not confirmed");
      call_next (c, slot, FALSE);
      return;
    }
  if (g_strcmp0 (net_sip_message_get_call_id (m), slot->call_id) != 0 ||
      g_strcmp0 (net_sip_dialog_get_call_id (dialog), slot->call_id) != 0 ||
      g_strcmp0 (net_sip_message_get_cseq_method (m), "INVITE") != 0 ||
      net_sip_message_get_to_tag (m) == NULL ||
      g_strcmp0 (net_sip_dialog_get_remote_tag (dialog), net_sip_message_get_to_tag (m)) != 0)
    {
      record_failure (c, "INVITE %s: 200 for Call-ID %s CSeq %s, To tag %s, dialog %s/%s", slot->call_id,
                      net_sip_message_get_call_id (m), net_sip_message_get_cseq_method (m),
                      net_sip_message_get_to_tag (m), net_sip_dialog_get_call_id (dialog),
                      net_sip_dialog_get_remote_tag (dialog));
      call_next (c, slot, FALSE);
      return;
    }
  if (c->deep_check)
    {
      g_autoptr(GBytes) body = net_sip_message_get_body (m);

      if (body == NULL || g_bytes_get_size (body) == 0 || net_sip_dialog_get_remote_target (dialog) == NULL)
        {
          record_failure (c, "INVITE %s: 200 without SDP or dialog without remote target", slot->call_id);
          call_next (c, slot, FALSE);
          return;
        }
    }
  if (c->mode == CALLS_HOLD)
    {
      g_ptr_array_add (c->held, g_steal_pointer (&dialog));
      call_next (c, slot, TRUE);
      return;
    }
  slot->dialog = g_steal_pointer (&dialog);
  send_bye (c, slot);
}

/* What an application placing a call does: an INVITE with its SDP for a
 * new dialog (the endpoint makes Call-ID, From tag, CSeq, Contact), then
 * invite_async (which sends the ACK for the 2xx) */
static void
call_start (Caller *c, Slot *slot)
{
  g_autoptr(NetSipRequest) invite = NULL;

  c->started++;
  c->outstanding++;
  if (c->mode == CALLS_CLOSE)
    {
      NetSipDialog *dialog = g_ptr_array_index (c->held, c->next_close++);

      slot->dialog = g_object_ref (dialog);
      g_strlcpy (slot->call_id, net_sip_dialog_get_call_id (dialog), sizeof slot->call_id);
      send_bye (c, slot);
      return;
    }
  invite = net_sip_endpoint_new_request (c->endpoint, NULL, "INVITE", c->from, c->to, NULL, NULL, c->sdp);
  if (invite == NULL)
    {
      record_failure (c, "new_request INVITE returned NULL");
      call_next (c, slot, FALSE);
      return;
    }
  g_strlcpy (slot->call_id, net_sip_message_get_call_id (NET_SIP_MESSAGE (invite)), sizeof slot->call_id);
  net_sip_endpoint_invite_async (c->endpoint, invite, NULL, invite_done, slot);
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Starts a run of @count calls (or BYEs) with @window in flight.  With
 * @loop == NULL it iterates the default context until the run is over
 * (at most until @guard_ns); otherwise it returns at once and quits @loop
 * at the end. */
static void
caller_run (Caller *c, CallMode mode, guint64 count, guint window, gboolean deep, GMainLoop *loop,
            guint64 guard_ns)
{
  c->mode = mode;
  c->deep_check = deep;
  c->limit = count;
  c->started = c->established = c->completed = c->failed = 0;
  c->first_failure[0] = '\0';
  c->outstanding = 0;
  c->next_close = 0;
  c->done_loop = loop;
  g_free (c->slots);
  c->slots = g_new0 (Slot, window);
  c->window = window;
  c->t_start = c->t_end = now_ns ();
  for (guint i = 0; i < window && c->started < c->limit; i++)
    {
      c->slots[i].caller = c;
      call_start (c, &c->slots[i]);
    }
  if (loop != NULL)
    return;
  {
    guint wake = g_timeout_add (50, wake_up, NULL);

    while (c->outstanding > 0)
      {
        g_main_context_iteration (NULL, TRUE);
        if (now_ns () > guard_ns)
          fail ("netsip caller: %u calls still outstanding at the time limit (%" G_GUINT64_FORMAT
                " started, first failure: %s)", c->outstanding, c->started,
                c->first_failure[0] ? c->first_failure : "none");
      }
    g_source_remove (wake);
  }
}

/* ------------------------------------------------------------------------ */
/* Memory: the caller process (--memory)                                    */

typedef struct
{
  Caller     c;
  GMainLoop *loop;
  int        fd;
  guint      count, window;
  guint      t1_ms, t4_ms;
  guint64    heap0, rss0;
  guint64    t0;
  gboolean   busy;
} MemCaller;

static void
mem_caller_report (MemCaller *mc, gboolean count_confirmed)
{
  Report r = { 0 };

  fill_report (&r, mc->c.endpoint, mc->c.dispatcher, count_confirmed);
  r.heap0 = mc->heap0;
  r.rss0 = mc->rss0;
  r.established = mc->c.established;
  r.completed = mc->c.completed;
  r.failed = mc->c.failed;
  r.acks = mc->c.acks_prepared;
  r.seconds = (now_ns () - mc->t0) / 1e9;
  g_strlcpy (r.message, mc->c.first_failure, sizeof r.message);
  if (!bench_write_all (mc->fd, &r, sizeof r))
    g_main_loop_quit (mc->loop);
}

static gboolean
mem_caller_control (gint         fd,
                    GIOCondition condition,
                    gpointer     user_data)
{
  MemCaller *mc = user_data;
  guint32 op;
  ssize_t n = read (fd, &op, sizeof op);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n != sizeof op || op == CMD_QUIT)
    {
      g_main_loop_quit (mc->loop);
      return G_SOURCE_REMOVE;
    }
  if (mc->busy)
    return G_SOURCE_CONTINUE;
  if (op == CMD_TIMERS)
    g_object_set (mc->c.dispatcher, "t1", mc->t1_ms, "t4", mc->t4_ms, NULL);
  if (op == CMD_STATS || op == CMD_TIMERS)
    mem_caller_report (mc, TRUE);
  else if (op == CMD_GO || op == CMD_CLOSE_ALL)
    {
      g_autoptr(GMainLoop) done = g_main_loop_new (NULL, FALSE);

      if (op == CMD_GO)
        {
          mc->heap0 = bench_heap_bytes ();
          mc->rss0 = bench_rss_bytes ();
          mc->c.acks_prepared = 0;
        }
      mc->t0 = now_ns ();
      mc->busy = TRUE;
      caller_run (&mc->c, op == CMD_GO ? CALLS_HOLD : CALLS_CLOSE,
                  op == CMD_GO ? mc->count : mc->c.held->len, mc->window, TRUE, done, 0);
      if (mc->c.outstanding > 0)
        g_main_loop_run (done);
      mc->busy = FALSE;
      if (op == CMD_CLOSE_ALL)
        g_ptr_array_set_size (mc->c.held, 0);
      /* right after: the heap is read first thing */
      mem_caller_report (mc, FALSE);
    }
  return G_SOURCE_CONTINUE;
}

static int
mem_caller_main (int fd, guint16 port, guint count, guint window, guint t1_ms)
{
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  MemCaller mc = { .loop = loop, .fd = fd, .count = count, .window = window, .t1_ms = t1_ms };
  Hello hello = { 0 };

  if (!caller_init (&mc.c, port, WARMUP_TIMER_MS, hello.message, sizeof hello.message))
    {
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  mc.t4_ms = (guint) bench_get_uint_property (mc.c.dispatcher, "t4");
  g_object_set (mc.c.dispatcher, "t4", WARMUP_TIMER_MS, NULL);
  /* warm-up: full calls, so that types, hash tables and the like exist */
  caller_run (&mc.c, CALLS_FULL, N_WARMUP_CALLS, MIN (window, N_WARMUP_CALLS), TRUE, NULL,
              now_ns () + 60 * G_GUINT64_CONSTANT (1000000000));
  if (mc.c.failed != 0 || mc.c.completed != N_WARMUP_CALLS)
    {
      g_snprintf (hello.message, sizeof hello.message, "warm-up: %" G_GUINT64_FORMAT " of %d calls failed: %s",
                  mc.c.failed, N_WARMUP_CALLS, mc.c.first_failure);
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  malloc_trim (0);
  hello.ok = TRUE;
  hello.port = net_sip_leg_get_port (mc.c.leg);
  if (!bench_write_all (fd, &hello, sizeof hello))
    return 1;
  g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, mem_caller_control, &mc);
  g_main_loop_run (loop);
  g_free (mc.c.slots);
  caller_clear (&mc.c);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Memory: the parent's side                                                */

static void
send_op (int fd, guint32 op, const char *who)
{
  if (!bench_write_all (fd, &op, sizeof op))
    fail ("memory: cannot send a command to the %s", who);
}

static void
get_report (int fd, guint32 op, Report *r, int timeout_ms, const char *who)
{
  if (op != 0)
    send_op (fd, op, who);
  if (!bench_read_all_timeout (fd, r, sizeof *r, timeout_ms))
    fail ("memory: no report from the %s within %d ms", who, timeout_ms);
  if (!r->ok)
    fail ("memory: the %s: %s", who, r->message);
}

static void
print_mem_row (const char *point, const char *side, const Report *r, guint64 heap0, gsize rss0, guint count)
{
  g_print ("%-26s %-7s %9.0f %9.0f %8" G_GUINT64_FORMAT " %9" G_GUINT64_FORMAT " %7" G_GUINT64_FORMAT "\n",
           point, side, ((double) r->heap - (double) heap0) / count, ((double) r->rss - (double) rss0) / count,
           r->n_dialogs, r->n_confirmed, r->n_transactions);
}

static void
run_memory (guint count, guint window, guint t1_ms, guint answer_code, int client_cpu, int server_cpu)
{
  g_autofree char *code_arg = g_strdup_printf ("--answer-code=%u", answer_code);
  g_autofree char *buff_arg = g_strdup_printf ("--buff-size=%d", buff_size);
  g_autofree char *t1_arg = g_strdup_printf ("--t1=%u", t1_ms);
  g_autofree char *count_arg = g_strdup_printf ("--count=%u", count);
  g_autofree char *window_arg = g_strdup_printf ("--window=%u", window);
  g_autofree char *port_arg = NULL;
  const char *server_args[] = { NULL, "--server=netsip", t1_arg, "--warmup-timers", code_arg, buff_arg, NULL };
  Hello hello;
  Report s0, s1, s2, s3, m1, m2, m3, r;
  int sfd, mfd;
  pid_t spid, mpid;
  guint64 guard;
  guint64 wait_start;
  double ended_after;

  g_print ("\nMemory per confirmed dialog: %u concurrent dialogs (INVITE with SDP, 200 with SDP, ACK) "
           "between two NetSipEndpoints on loopback UDP, window %u, T1 %u ms (Timers L/M %.1f s); "
           "caller and callee each a process of its own, G_SLICE=always-malloc, heap = mallinfo2 "
           "uordblks + hblkhd; baseline after %d full warm-up calls\n",
           count, window, t1_ms, 64 * t1_ms / 1000.0, N_WARMUP_CALLS);

  spid = spawn (server_args, server_cpu, TRUE, &sfd, NULL);
  if (!bench_read_all_timeout (sfd, &hello, sizeof hello, 10000) || !hello.ok)
    fail ("memory: the netsip callee did not start: %s", hello.message);
  port_arg = g_strdup_printf ("--port=%u", hello.port);
  {
    const char *mem_args[] = { NULL, "--memory", count_arg, window_arg, t1_arg, port_arg, buff_arg, NULL };

    mpid = spawn (mem_args, client_cpu, TRUE, &mfd, NULL);
  }
  if (!bench_read_all_timeout (mfd, &hello, sizeof hello, 60000) || !hello.ok)
    fail ("memory: the netsip caller did not start: %s", hello.message);

  /* the warm-up ran with T1 = T4 = WARMUP_TIMER_MS: wait until its
   * transactions are gone on both sides, then set the measured timers */
  guard = now_ns () + 20 * G_GUINT64_CONSTANT (1000000000);
  for (;;)
    {
      get_report (sfd, CMD_STATS, &s0, 5000, "callee");
      get_report (mfd, CMD_STATS, &r, 5000, "caller");
      if ((s0.n_transactions == 0 && r.n_transactions == 0 && s0.n_dialogs == 0 && r.n_dialogs == 0) ||
          now_ns () > guard)
        break;
      g_usleep (50000);
    }
  if (s0.n_transactions != 0 || r.n_transactions != 0 || s0.n_dialogs != 0 || r.n_dialogs != 0)
    fail ("memory: after the warm-up, callee %" G_GUINT64_FORMAT " and caller %" G_GUINT64_FORMAT
          " transactions, %" G_GUINT64_FORMAT " and %" G_GUINT64_FORMAT " dialogs are left after 20 s",
          s0.n_transactions, r.n_transactions, s0.n_dialogs, r.n_dialogs);
  get_report (mfd, CMD_TIMERS, &r, 5000, "caller");
  get_report (sfd, CMD_TIMERS, &s0, 5000, "callee");
  /* baseline of the callee (the caller takes its own at CMD_GO) */
  get_report (sfd, CMD_STATS, &s0, 5000, "callee");
  get_report (mfd, CMD_GO, &m1, 600000, "caller");
  if (m1.failed != 0 || m1.established != count)
    fail ("memory: %" G_GUINT64_FORMAT " of %u calls established, %" G_GUINT64_FORMAT " failed; first: %s",
          m1.established, count, m1.failed, m1.message);
  /* every ACK must have reached the callee */
  guard = now_ns () + 30 * G_GUINT64_CONSTANT (1000000000);
  for (;;)
    {
      get_report (sfd, CMD_STATS, &s1, 5000, "callee");
      if (s1.acks - s0.acks >= count || now_ns () > guard)
        break;
      g_usleep (10000);
    }
  get_report (mfd, CMD_STATS, &r, 5000, "caller");

  /* check before printing: every dialog confirmed on both sides, every
   * INVITE answered, every ACK arrived */
  if (s1.invites - s0.invites != count || s1.answered - s0.answered != count || s1.acks - s0.acks < count ||
      s1.respond_errors != 0 || s1.others != 0)
    fail ("memory: the callee got %" G_GUINT64_FORMAT " INVITEs, answered %" G_GUINT64_FORMAT
          ", %" G_GUINT64_FORMAT " ACKs, %" G_GUINT64_FORMAT " respond errors, %" G_GUINT64_FORMAT
          " other requests, for %u calls", s1.invites - s0.invites, s1.answered - s0.answered,
          s1.acks - s0.acks, s1.respond_errors, s1.others, count);
  if (s1.n_dialogs != count || s1.n_confirmed != count)
    fail ("memory: the callee has %" G_GUINT64_FORMAT " dialogs, %" G_GUINT64_FORMAT " confirmed, expected %u",
          s1.n_dialogs, s1.n_confirmed, count);
  if (r.n_dialogs != count || r.n_confirmed != count || r.acks != count)
    fail ("memory: the caller has %" G_GUINT64_FORMAT " dialogs, %" G_GUINT64_FORMAT " confirmed, sent %"
          G_GUINT64_FORMAT " ACKs, expected %u", r.n_dialogs, r.n_confirmed, r.acks, count);
  g_print ("check: %u calls established in %.2f s; caller and callee each hold %u dialogs, all CONFIRMED; "
           "callee got %u INVITEs, answered each with 200, and %" G_GUINT64_FORMAT " ACKs (%" G_GUINT64_FORMAT
           " of them re-sent for a retransmitted 200)\n",
           count, m1.seconds, count, count, s1.acks - s0.acks, s1.acks - s0.acks - count);
  m1.n_dialogs = r.n_dialogs;
  m1.n_confirmed = r.n_confirmed;

  /* the transactions end: Timer L (server, 2xx), Timer M (client, 2xx) */
  wait_start = now_ns ();
  guard = wait_start + (guint64) (64 * t1_ms + 40000) * 1000000;
  for (;;)
    {
      get_report (sfd, CMD_STATS, &s2, 5000, "callee");
      get_report (mfd, CMD_STATS, &m2, 5000, "caller");
      if ((s2.n_transactions == 0 && m2.n_transactions == 0) || now_ns () > guard)
        break;
      g_usleep (200000);
    }
  ended_after = (now_ns () - wait_start) / 1e9;
  /* again: heap first (the report reads it before counting) */
  if (s2.n_dialogs != count || s2.n_confirmed != count || m2.n_dialogs != count || m2.n_confirmed != count)
    fail ("memory: after the transactions: callee %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
          ", caller %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT " dialogs/confirmed, expected %u",
          s2.n_dialogs, s2.n_confirmed, m2.n_dialogs, m2.n_confirmed, count);

  /* tear down: BYE for each, every one must get 200 */
  get_report (mfd, CMD_CLOSE_ALL, &m3, 600000, "caller");
  if (m3.failed != 0 || m3.completed != count)
    fail ("memory: %" G_GUINT64_FORMAT " of %u BYEs got 200, %" G_GUINT64_FORMAT " failed; first: %s",
          m3.completed, count, m3.failed, m3.message);
  guard = now_ns () + (guint64) (64 * t1_ms + 40000) * 1000000;
  for (;;)
    {
      get_report (sfd, CMD_STATS, &s3, 5000, "callee");
      get_report (mfd, CMD_STATS, &m3, 5000, "caller");
      if ((s3.n_transactions == 0 && m3.n_transactions == 0 && s3.n_dialogs == 0) || now_ns () > guard)
        break;
      g_usleep (200000);
    }
  if (s3.byes - s0.byes != count || s3.n_dialogs != 0 || m3.n_dialogs != 0)
    fail ("memory: teardown: the callee got %" G_GUINT64_FORMAT " BYEs and holds %" G_GUINT64_FORMAT
          " dialogs, the caller %" G_GUINT64_FORMAT, s3.byes - s0.byes, s3.n_dialogs, m3.n_dialogs);

  if (s1.heap == s0.heap || m1.heap == m1.heap0)
    g_print ("  mallinfo2() reports no change of the heap (a sanitizer's or valgrind's allocator?): "
             "the heap figures below mean nothing\n");
  g_print ("%-26s %-7s %9s %9s %8s %9s %7s\n", "point", "side", "heap/dlg", "RSS/dlg", "dialogs", "confirmed",
           "trans");
  g_print ("%-26s %-7s %9s %9s %8s %9s %7s\n", "-----", "----", "--------", "-------", "-------", "---------",
           "-----");
  print_mem_row ("right after set-up", "callee", &s1, s0.heap, s0.rss, count);
  print_mem_row ("right after set-up", "caller", &m1, m1.heap0, m1.rss0, count);
  print_mem_row ("after transactions ended", "callee", &s2, s0.heap, s0.rss, count);
  print_mem_row ("after transactions ended", "caller", &m2, m1.heap0, m1.rss0, count);
  g_print ("(bytes per dialog above the baseline; transactions ended %.1f s after set-up; trans = the "
           "dispatcher's n-transactions; RSS does not shrink when memory is freed)\n", ended_after);
  g_print ("after BYE for all and the end of their transactions: heap above the baseline: callee %+.0f bytes, "
           "caller %+.0f bytes (%+.1f and %+.1f per call)\n",
           (double) s3.heap - (double) s0.heap, (double) m3.heap - (double) m1.heap0,
           ((double) s3.heap - (double) s0.heap) / count, ((double) m3.heap - (double) m1.heap0) / count);
  if (s2.n_transactions != 0 || m2.n_transactions != 0)
    g_print ("  transactions still alive at the time limit: callee %" G_GUINT64_FORMAT ", caller %" G_GUINT64_FORMAT "\n",
             s2.n_transactions, m2.n_transactions);
  {
    double worst = MAX (((double) s2.heap - (double) s0.heap) / count, ((double) m2.heap - (double) m1.heap0) / count);

    g_print ("netsip: %.0f bytes per confirmed dialog after the transactions ended (larger side; goal <= 4096: %s)\n",
             worst, s1.heap == s0.heap || m1.heap == m1.heap0 ? "not measured" : worst <= 4096 ? "met" : "NOT met");
  }

  send_op (mfd, CMD_QUIT, "caller");
  send_op (sfd, CMD_QUIT, "callee");
  if (reap_child (mpid, 10000, NULL) != 0)
    g_print ("  the caller process did not exit cleanly\n");
  if (reap_child (spid, 10000, NULL) != 0)
    g_print ("  the callee process did not exit cleanly\n");
  close (mfd);
  close (sfd);
}

/* ------------------------------------------------------------------------ */
/* Calls per second                                                         */

typedef enum
{
  PAIR_NETSIP,
  PAIR_SIPP,
  N_PAIRS
} PairId;

typedef struct
{
  const char *name;
  const char *option;
  gboolean    enabled;
  pid_t       server_pid;
  int         server_fd;     /* netsip */
  guint16     server_port;
  double     *round_rate;
  double      median, min, max;
  double      client_cpu_s, server_cpu_s, wall_s;
  guint64     calls, failed, retransmissions;
} Pair;

typedef struct
{
  Caller   caller;         /* netsip, this process */
  Pair     pairs[N_PAIRS];
  guint    t1_ms;
  int      client_cpu, server_cpu;
  guint    window;
  guint    answer_code;
  guint16  sipp_uac_port, sipp_uac_cport;
} Bench;

static void
start_netsip_server (Bench *b)
{
  Pair *p = &b->pairs[PAIR_NETSIP];
  g_autofree char *t1_arg = g_strdup_printf ("--t1=%u", b->t1_ms);
  g_autofree char *code_arg = g_strdup_printf ("--answer-code=%u", b->answer_code);
  g_autofree char *buff_arg = g_strdup_printf ("--buff-size=%d", buff_size);
  const char *args[] = { NULL, "--server=netsip", t1_arg, code_arg, buff_arg, NULL };
  Hello hello = { 0 };

  p->server_pid = spawn (args, b->server_cpu, FALSE, &p->server_fd, NULL);
  if (!bench_read_all_timeout (p->server_fd, &hello, sizeof hello, 10000))
    fail ("netsip callee: no start report within 10 s");
  if (!hello.ok)
    fail ("netsip callee: %s", hello.message);
  p->server_port = (guint16) hello.port;
}

static void
netsip_server_stats (Bench *b, Report *r)
{
  get_report (b->pairs[PAIR_NETSIP].server_fd, CMD_STATS, r, 5000, "netsip callee");
}

static void
start_sipp_server (Bench *b)
{
  Pair *p = &b->pairs[PAIR_SIPP];
  g_autofree char *port = NULL;
  g_autofree char *cport = NULL;
  g_autofree char *log = g_build_filename (tmp_dir, "uas.log", NULL);
  g_autofree char *buff_arg = g_strdup_printf ("%d", buff_size > 0 ? buff_size : 4194304);
  guint64 guard;

  p->server_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  port = g_strdup_printf ("%u", p->server_port);
  cport = g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM));
  {
    const char *args[] = { "sipp", "-sn", "uas", "-i", "127.0.0.1", "-p", port, "-cp", cport,
                           "-buff_size", buff_arg, "-nostdin", NULL };

    p->server_pid = spawn (args, b->server_cpu, FALSE, NULL, log);
  }
  guard = now_ns () + 10 * G_GUINT64_CONSTANT (1000000000);
  while (!netsip_test_port_bound (p->server_port, G_SOCKET_TYPE_DATAGRAM))
    {
      int status;

      if (waitpid (p->server_pid, &status, WNOHANG) == p->server_pid)
        {
          g_autofree char *text = NULL;

          forget_child (p->server_pid);
          g_file_get_contents (log, &text, NULL, NULL);
          fail ("sipp uas exited at start (status %d): %s", status, text ? text : "");
        }
      if (now_ns () > guard)
        fail ("sipp uas did not bind 127.0.0.1:%u within 10 s", p->server_port);
      g_usleep (10000);
    }
}

typedef struct
{
  guint64 successful, failed, retransmissions;
  double  seconds;     /* StartTime to the last CurrentTime */
  double  cpu_s;       /* user + system of the sipp uac */
  int     status;
  char    message[300];
} SippRound;

/* the epoch seconds at the end of a sipp date field "date\ttime\tepoch" */
static double
sipp_epoch (const char *field)
{
  const char *tab = strrchr (field, '\t');

  return g_ascii_strtod (tab != NULL ? tab + 1 : field, NULL);
}

static gboolean
parse_sipp_stats (const char *path, SippRound *out)
{
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) head = NULL;
  g_auto(GStrv) last = NULL;
  int i_start = -1, i_current = -1, i_ok = -1, i_failed = -1, i_retrans = -1;
  guint n = 0;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit (text, "\n", -1);
  while (lines[n] != NULL)
    n++;
  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  if (n < 2)
    return FALSE;
  head = g_strsplit (lines[0], ";", -1);
  last = g_strsplit (lines[n - 1], ";", -1);
  for (int i = 0; head[i] != NULL; i++)
    {
      if (strcmp (head[i], "StartTime") == 0)
        i_start = i;
      else if (strcmp (head[i], "CurrentTime") == 0)
        i_current = i;
      else if (strcmp (head[i], "SuccessfulCall(C)") == 0)
        i_ok = i;
      else if (strcmp (head[i], "FailedCall(C)") == 0)
        i_failed = i;
      else if (strcmp (head[i], "Retransmissions(C)") == 0)
        i_retrans = i;
    }
  if (i_start < 0 || i_current < 0 || i_ok < 0 || i_failed < 0 ||
      g_strv_length (last) <= (guint) MAX (MAX (i_start, i_current), MAX (i_ok, i_failed)))
    return FALSE;
  out->successful = g_ascii_strtoull (last[i_ok], NULL, 10);
  out->failed = g_ascii_strtoull (last[i_failed], NULL, 10);
  if (i_retrans >= 0 && i_retrans < (int) g_strv_length (last))
    out->retransmissions = g_ascii_strtoull (last[i_retrans], NULL, 10);
  out->seconds = sipp_epoch (last[i_current]) - sipp_epoch (last[i_start]);
  return TRUE;
}

/* One sipp uac run of @calls calls with at most W open */
static void
sipp_round (Bench *b, guint calls, SippRound *out)
{
  Pair *p = &b->pairs[PAIR_SIPP];
  g_autofree char *stat_path = g_build_filename (tmp_dir, "uac.csv", NULL);
  g_autofree char *log = g_build_filename (tmp_dir, "uac.log", NULL);
  g_autofree char *target = g_strdup_printf ("127.0.0.1:%u", p->server_port);
  g_autofree char *port = g_strdup_printf ("%u", b->sipp_uac_port);
  g_autofree char *cport = g_strdup_printf ("%u", b->sipp_uac_cport);
  g_autofree char *m = g_strdup_printf ("%u", calls);
  g_autofree char *l = g_strdup_printf ("%u", b->window);
  g_autofree char *buff_arg = g_strdup_printf ("%d", buff_size > 0 ? buff_size : 4194304);
  const char *args[] = { "sipp", "-sn", "uac", target, "-i", "127.0.0.1", "-p", port, "-cp", cport,
                         "-m", m, "-l", l, "-r", "100000", "-rp", "1000",
                         "-buff_size", buff_arg, "-nostdin",
                         "-trace_stat", "-stf", stat_path, "-fd", "60",
                         "-timeout", "120s", "-timeout_error", NULL };
  struct rusage ru = { 0 };
  pid_t pid;

  memset (out, 0, sizeof *out);
  g_unlink (stat_path);
  pid = spawn (args, b->client_cpu, FALSE, NULL, log);
  out->status = reap_child (pid, 130000, &ru);
  out->cpu_s = ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
  if (!parse_sipp_stats (stat_path, out))
    {
      g_autofree char *text = NULL;

      g_file_get_contents (log, &text, NULL, NULL);
      g_snprintf (out->message, sizeof out->message, "no statistics in %s; sipp exit status %d; log: %.200s",
                  stat_path, out->status, text ? text : "");
      out->successful = 0;
      out->failed = calls;
    }
  else if (out->status != 0)
    {
      g_autofree char *text = NULL;

      g_file_get_contents (log, &text, NULL, NULL);
      g_snprintf (out->message, sizeof out->message, "sipp exit status %d; log tail: %.200s", out->status,
                  text ? text + (strlen (text) > 200 ? strlen (text) - 200 : 0) : "");
    }
}

static void
check_netsip (Bench *b, guint count)
{
  Caller *c = &b->caller;
  Report before, after;

  netsip_server_stats (b, &before);
  c->acks_prepared = 0;
  caller_run (c, CALLS_FULL, count, b->window, TRUE, NULL,
              now_ns () + (guint64) (64 * b->t1_ms + 60000) * 1000000);
  if (c->failed != 0 || c->completed != count)
    fail ("check: netsip: %" G_GUINT64_FORMAT " of %u calls completed with 200 to INVITE and 200 to BYE, %"
          G_GUINT64_FORMAT " failed; first: %s", c->completed, count, c->failed, c->first_failure);
  if (c->acks_prepared != count)
    fail ("check: netsip: %" G_GUINT64_FORMAT " ACKs for %u calls", c->acks_prepared, count);
  /* the callee may still be finishing */
  {
    guint64 guard = now_ns () + 5 * G_GUINT64_CONSTANT (1000000000);

    do
      {
        g_usleep (20000);
        netsip_server_stats (b, &after);
      }
    while ((after.closed - before.closed < count || after.acks - before.acks < count) && now_ns () < guard);
  }
  if (after.invites - before.invites != count || after.answered - before.answered != count ||
      after.byes - before.byes != count ||
      after.closed - before.closed != count || after.others != before.others ||
      after.respond_errors != before.respond_errors || after.n_dialogs != 0)
    fail ("check: netsip callee: %" G_GUINT64_FORMAT " INVITEs, %" G_GUINT64_FORMAT " answered, %" G_GUINT64_FORMAT
          " ACKs, %" G_GUINT64_FORMAT " BYEs, %" G_GUINT64_FORMAT " dialogs closed, %" G_GUINT64_FORMAT
          " other requests, %" G_GUINT64_FORMAT " respond errors, %" G_GUINT64_FORMAT " dialogs left, for %u calls",
          after.invites - before.invites, after.answered - before.answered, after.acks - before.acks,
          after.byes - before.byes, after.closed - before.closed, after.others - before.others,
          after.respond_errors - before.respond_errors, after.n_dialogs, count);
  /* sipp's uas scenario has the ACK optional; a lost ACK does not fail a
   * call that got its 200 to BYE, but it means datagrams were lost */
  if (after.acks - before.acks < count)
    g_print ("  netsip: %" G_GUINT64_FORMAT " ACKs did not reach the callee (lost datagrams: socket buffers? "
             "see --buff-size)\n", count - (after.acks - before.acks));
  if (net_sip_endpoint_get_n_dialogs (c->endpoint) != 0)
    fail ("check: netsip caller: %u dialogs left after all calls ended", net_sip_endpoint_get_n_dialogs (c->endpoint));
  g_print ("check netsip-glib %u calls, window %u: every INVITE got 200 with SDP (dialog CONFIRMED, Call-ID, "
           "CSeq, To tag), ACK sent, BYE got 200 (dialog TERMINATED); callee got each INVITE and BYE once, "
           "%" G_GUINT64_FORMAT " ACKs (%" G_GUINT64_FORMAT " re-sent), closed every dialog; no dialog left on "
           "either side\n", count, b->window, after.acks - before.acks,
           after.acks - before.acks > count ? after.acks - before.acks - count : 0);
}

static void
check_sipp (Bench *b, guint count)
{
  SippRound r;

  sipp_round (b, count, &r);
  if (r.status != 0 || r.successful != count || r.failed != 0)
    fail ("check: sipp: %" G_GUINT64_FORMAT " of %u calls successful, %" G_GUINT64_FORMAT " failed, exit status %d; %s",
          r.successful, count, r.failed, r.status, r.message);
  g_print ("check sipp        %u calls, -l %u: exit status 0, SuccessfulCall %" G_GUINT64_FORMAT
           ", FailedCall 0 (the uac scenario requires 200 to INVITE and 200 to BYE)\n", count, b->window,
           r.successful);
}

static void
timed_round (Bench *b, PairId id, guint calls, double *rate_out)
{
  Pair *p = &b->pairs[id];
  guint64 scpu0 = proc_cpu_ns (p->server_pid), scpu1;
  double rate, seconds, client_cpu;
  guint64 ok, failed, retrans = 0;
  Report before = { 0 }, after = { 0 };

  if (id == PAIR_NETSIP)
    {
      Caller *c = &b->caller;
      guint64 cpu0;

      netsip_server_stats (b, &before);
      cpu0 = cpu_ns ();

      caller_run (c, CALLS_FULL, calls, b->window, FALSE, NULL,
                  now_ns () + (guint64) (64 * b->t1_ms + 120000) * 1000000);
      client_cpu = (cpu_ns () - cpu0) / 1e9;
      seconds = (c->t_end - c->t_start) / 1e9;
      ok = c->completed;
      failed = c->failed;
      netsip_server_stats (b, &after);
      retrans = after.absorbed - before.absorbed;
      if (failed != 0)
        g_print ("  netsip round: %" G_GUINT64_FORMAT " calls failed; first: %s\n", failed, c->first_failure);
    }
  else
    {
      SippRound r;

      sipp_round (b, calls, &r);
      client_cpu = r.cpu_s;
      seconds = r.seconds;
      ok = r.successful;
      failed = r.failed;
      retrans = r.retransmissions;
      if (failed != 0 || r.status != 0)
        g_print ("  sipp round: %" G_GUINT64_FORMAT " calls failed, exit status %d; %s\n", failed, r.status,
                 r.message);
    }
  scpu1 = proc_cpu_ns (p->server_pid);
  rate = seconds > 0 ? ok / seconds : 0;
  if (rate_out == NULL)
    return;
  *rate_out = rate;
  p->calls += ok;
  p->failed += failed;
  p->retransmissions += retrans;
  p->client_cpu_s += client_cpu;
  p->server_cpu_s += (scpu1 - scpu0) / 1e9;
  p->wall_s += seconds;
}

static void
run_cps (Bench *b, guint n_rounds, guint round_calls, guint warmup_calls, guint check_count)
{
  if (b->pairs[PAIR_NETSIP].enabled)
    {
      char message[200];

      start_netsip_server (b);
      if (!caller_init (&b->caller, b->pairs[PAIR_NETSIP].server_port, b->t1_ms, message, sizeof message))
        fail ("netsip caller: %s", message);
    }
  if (b->pairs[PAIR_SIPP].enabled)
    {
      start_sipp_server (b);
      b->sipp_uac_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
      b->sipp_uac_cport = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
    }

  if (b->pairs[PAIR_NETSIP].enabled)
    check_netsip (b, check_count);
  if (b->pairs[PAIR_SIPP].enabled)
    check_sipp (b, check_count);

  for (int i = 0; i < N_PAIRS; i++)
    if (b->pairs[i].enabled)
      {
        b->pairs[i].round_rate = g_new0 (double, n_rounds);
        timed_round (b, (PairId) i, warmup_calls, NULL);
      }
  for (guint r = 0; r < n_rounds; r++)
    for (int i = 0; i < N_PAIRS; i++)
      if (b->pairs[i].enabled)
        timed_round (b, (PairId) i, round_calls, &b->pairs[i].round_rate[r]);

  for (int i = 0; i < N_PAIRS; i++)
    {
      Pair *p = &b->pairs[i];
      double *sorted;

      if (!p->enabled)
        continue;
      sorted = g_memdup2 (p->round_rate, n_rounds * sizeof (double));
      qsort (sorted, n_rounds, sizeof (double), bench_compare_doubles);
      p->min = sorted[0];
      p->max = sorted[n_rounds - 1];
      p->median = n_rounds % 2 == 1 ? sorted[n_rounds / 2] : (sorted[n_rounds / 2 - 1] + sorted[n_rounds / 2]) / 2;
      g_free (sorted);
    }

  g_print ("\nCalls (INVITE, 200, ACK, BYE, 200) on loopback UDP, window %u, T1 %u ms, warm-up %u calls per pair, "
           "median of %u rounds of %u calls, pairs alternating round by round\n",
           b->window, b->t1_ms, warmup_calls, n_rounds, round_calls);
  g_print ("%-12s %9s %8s %16s %10s %10s %7s %8s\n", "pair", "calls/s", "us/call", "round min..max", "client CPU",
           "server CPU", "failed", "retrans");
  g_print ("%-12s %9s %8s %16s %10s %10s %7s %8s\n", "----", "-------", "-------", "--------------", "----------",
           "----------", "------", "-------");
  for (int i = 0; i < N_PAIRS; i++)
    {
      Pair *p = &b->pairs[i];
      g_autofree char *spread = NULL;

      if (!p->enabled)
        continue;
      spread = g_strdup_printf ("%.0f..%.0f", p->min, p->max);
      g_print ("%-12s %9.0f %8.1f %16s %9.0f%% %9.0f%% %7" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT "\n", p->name,
               p->median, 1e6 / p->median, spread, 100 * p->client_cpu_s / p->wall_s,
               100 * p->server_cpu_s / p->wall_s, p->failed, p->retransmissions);
    }
  for (int i = 0; i < N_PAIRS; i++)
    if (b->pairs[i].enabled)
      {
        g_print ("rounds %-7s", b->pairs[i].option);
        for (guint r = 0; r < n_rounds; r++)
          g_print (" %.0f", b->pairs[i].round_rate[r]);
        g_print ("\n");
      }
  g_print ("(a round's rate: its calls / time from the first INVITE to the last 200 to BYE; sipp: StartTime to\n"
           " the final CurrentTime of its stat file; CPU: user+system over the rounds; the sipp client is a new\n"
           " process per round, its start-up is in its CPU figure but not in the time; retrans: netsip:\n"
           " retransmitted requests the callee absorbed, sipp: the uac's Retransmissions(C))\n");
  if (b->pairs[PAIR_NETSIP].enabled && b->pairs[PAIR_SIPP].enabled)
    g_print ("\nnetsip/sipp: %.2f\n", b->pairs[PAIR_NETSIP].median / b->pairs[PAIR_SIPP].median);

  if (b->pairs[PAIR_NETSIP].enabled)
    {
      Pair *p = &b->pairs[PAIR_NETSIP];
      guint32 op = CMD_QUIT;

      caller_clear (&b->caller);
      g_free (b->caller.slots);
      bench_write_all (p->server_fd, &op, sizeof op);
      if (reap_child (p->server_pid, 10000, NULL) != 0)
        g_print ("  the netsip callee process did not exit cleanly\n");
      close (p->server_fd);
    }
  if (b->pairs[PAIR_SIPP].enabled)
    {
      /* sipp takes SIGTERM as a request to end its calls first */
      kill (b->pairs[PAIR_SIPP].server_pid, SIGKILL);
      reap_child (b->pairs[PAIR_SIPP].server_pid, 5000, NULL);
    }
  for (int i = 0; i < N_PAIRS; i++)
    g_free (b->pairs[i].round_rate);
}

/* ------------------------------------------------------------------------ */

static gboolean
pick_cpus (int *client_cpu,
           int *server_cpu)
{
  cpu_set_t set;
  int found = 0;

  *client_cpu = *server_cpu = -1;
  if (sched_getaffinity (0, sizeof set, &set) != 0)
    return FALSE;
  for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
    if (CPU_ISSET (c, &set))
      {
        if (found++ == 0)
          *client_cpu = c;
        else
          *server_cpu = c;
      }
  return found == 2;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *only = NULL;
  g_autofree char *pairs = NULL;
  g_autofree char *server = NULL;
  g_autofree char *cpu = bench_read_first_line ("/proc/cpuinfo", "model name");
  g_autofree char *load_avg = NULL;
  gboolean memory = FALSE;
  gboolean warmup_timers = FALSE;
  int control_fd = -1;
  int n_rounds = 7;
  int round_calls = 3000;
  int warmup_calls = 500;
  int window = 256;
  int memory_window = 64;
  int check_count = 1000;
  int count = 10000;
  int t1_ms = 500;
  int memory_t1_ms = 500;
  int port = 0;
  int max_seconds = 290;
  int answer_code = 200;
  gboolean no_pin = FALSE;
  gboolean do_cps = TRUE, do_memory = TRUE;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run only these parts (comma-separated: cps, memory)", "LIST" },
    { "pairs", 0, 0, G_OPTION_ARG_STRING, &pairs, "Pairs for calls/s (comma-separated: netsip, sipp; default both)", "LIST" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &n_rounds, "Timed rounds per pair (default 7)", "N" },
    { "round-calls", 0, 0, G_OPTION_ARG_INT, &round_calls, "Calls per round (default 3000)", "N" },
    { "warmup-calls", 0, 0, G_OPTION_ARG_INT, &warmup_calls, "Untimed calls per pair before the rounds (default 500)", "N" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "Calls in flight for calls/s (default 256; sipp -l)", "N" },
    { "memory-window", 0, 0, G_OPTION_ARG_INT, &memory_window, "Calls in flight while setting up the dialogs (default 64)", "N" },
    { "check-count", 0, 0, G_OPTION_ARG_INT, &check_count, "Calls per pair in the check before timing (default 1000)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Concurrent dialogs in the memory measurement (default 10000)", "N" },
    { "t1", 0, 0, G_OPTION_ARG_INT, &t1_ms, "T1 in ms of the netsip endpoints for calls/s (default 500)", "MS" },
    { "memory-t1", 0, 0, G_OPTION_ARG_INT, &memory_t1_ms,
      "T1 in ms in the memory measurement (default 500; the transactions end 64*T1 after set-up)", "MS" },
    { "answer-code", 0, 0, G_OPTION_ARG_INT, &answer_code,
      "Final response of the netsip callee to INVITE (default 200; anything else must make the check fail)", "CODE" },
    { "buff-size", 0, 0, G_OPTION_ARG_INT, &buff_size,
      "SO_RCVBUF and SO_SNDBUF of the netsip legs, as sipp's -buff_size (default 4194304; 0 = the system's)", "BYTES" },
    { "no-pin", 0, 0, G_OPTION_ARG_NONE, &no_pin, "Do not pin clients and servers to CPUs", NULL },
    { "max-seconds", 0, 0, G_OPTION_ARG_INT, &max_seconds, "Abort after this many seconds (default 290)", "S" },
    { "server", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &server, "Run as the callee process", "STACK" },
    { "memory", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &memory, "Run as the memory caller process", NULL },
    { "warmup-timers", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_NONE, &warmup_timers,
      "Callee: short T1/T4 until told otherwise (memory)", NULL },
    { "port", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &port, "The callee's port (--memory)", "PORT" },
    { "control-fd", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &control_fd, "Talk to the parent on this fd", "FD" },
    G_OPTION_ENTRY_NULL
  };
  Bench b = {
    .pairs = {
      [PAIR_NETSIP] = { .name = "netsip-glib", .option = "netsip", .enabled = TRUE },
      [PAIR_SIPP] = { .name = "sipp", .option = "sipp", .enabled = TRUE },
    },
  };

  context = g_option_context_new ("- memory per confirmed dialog and calls/s of NetSipEndpoint, "
                                  "against sipp -sn uac / -sn uas");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_rounds < 1 || round_calls < 1 || warmup_calls < 1 || window < 1 || window > MAX_WINDOW ||
      memory_window < 1 || memory_window > MAX_WINDOW ||
      check_count < 1 || count < 1 || t1_ms < 1 || t1_ms > 60000 || memory_t1_ms < 1 || memory_t1_ms > 60000 ||
      max_seconds < 1 || answer_code < 200 || answer_code > 699)
    {
      g_printerr ("--rounds, --round-calls, --warmup-calls, --check-count, --count, --max-seconds must be positive, "
                  "--window and --memory-window 1..%d, --t1 and --memory-t1 1..60000, --answer-code 200..699\n",
                  MAX_WINDOW);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);

  if (server != NULL || memory)
    {
      if (control_fd < 0)
        {
          g_printerr ("--server and --memory need --control-fd\n");
          return 2;
        }
      alarm ((unsigned) max_seconds);
      if (memory)
        return mem_caller_main (control_fd, (guint16) port, (guint) count, (guint) window, (guint) t1_ms);
      if (g_strcmp0 (server, "netsip") == 0)
        return callee_main (control_fd, (guint) t1_ms, warmup_timers, (guint) answer_code);
      g_printerr ("--server: unknown stack %s\n", server);
      return 2;
    }

  if (only != NULL)
    {
      do_cps = strstr (only, "cps") != NULL;
      do_memory = strstr (only, "memory") != NULL;
    }
  if (pairs != NULL)
    {
      b.pairs[PAIR_NETSIP].enabled = strstr (pairs, "netsip") != NULL;
      b.pairs[PAIR_SIPP].enabled = strstr (pairs, "sipp") != NULL;
    }
  b.t1_ms = (guint) t1_ms;
  b.window = (guint) window;
  b.answer_code = (guint) answer_code;
  tmp_dir = g_dir_make_tmp ("bench-dialogs-XXXXXX", &error);
  if (tmp_dir == NULL)
    fail ("%s", error->message);

  alarm ((unsigned) max_seconds);

  if (!no_pin && pick_cpus (&b.client_cpu, &b.server_cpu))
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (b.client_cpu, &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        b.client_cpu = b.server_cpu = -1;
    }
  else
    b.client_cpu = b.server_cpu = -1;

  load_avg = bench_read_first_line ("/proc/loadavg", NULL);
  g_print ("machine: %s, %u CPUs, load average %s; G_SLICE=%s in this process\n",
           cpu != NULL ? cpu : "?", g_get_num_processors (), load_avg != NULL ? load_avg : "?",
           g_getenv ("G_SLICE") != NULL ? g_getenv ("G_SLICE") : "(unset)");
  if (b.client_cpu >= 0)
    g_print ("pinned: clients (this process, sipp uac, memory caller) on CPU %d, servers (netsip callee, "
             "sipp uas) on CPU %d\n", b.client_cpu, b.server_cpu);
  else
    g_print ("not pinned%s\n", no_pin ? " (--no-pin)" : " (fewer than 2 CPUs allowed)");

  if (do_cps)
    {
      g_autofree char *sipp_path = g_find_program_in_path ("sipp");

      if (b.pairs[PAIR_SIPP].enabled && sipp_path == NULL)
        {
          g_print ("sipp: not found (Debian sip-tester); calls/s of netsip-glib alone\n");
          b.pairs[PAIR_SIPP].enabled = FALSE;
        }
      run_cps (&b, (guint) n_rounds, (guint) round_calls, (guint) warmup_calls, (guint) check_count);
    }
  if (do_memory)
    run_memory ((guint) count, (guint) memory_window, (guint) memory_t1_ms, (guint) answer_code, b.client_cpu, b.server_cpu);

  remove_tmp_dir ();
  return 0;
}
