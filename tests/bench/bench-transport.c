/* bench-transport.c: transport throughput and memory, netsip-glib against a
 * plain GSocket loop
 *
 * UDP: SIP requests per second received and answered by one UDP NetSipLeg on
 * loopback (parse, net_sip_request_create_response() 200, deliver back to the
 * source: the whole path an application's OPTIONS responder takes), against
 * a plain GSocket loop on a GSocket source that receives the same datagrams
 * and answers each with a fixed, pre-serialized 200 without parsing.  The
 * plain loop's 200 is the very bytes the netsip leg sent during the check
 * before timing, so both send the same number of bytes.  Both servers live in
 * this process on the default main context; rounds alternate netsip, plain,
 * netsip, plain ... and the median round of each is reported.
 *
 * TCP: N idle connections to one NetSipLeg on tcp:127.0.0.1:0, each after one
 * OPTIONS answered (so the pool knows the connection and remembers its
 * transaction), then the server's memory per connection: resident set
 * (/proc/self/statm) and malloc's bytes in use (mallinfo2: uordblks + hblkhd)
 * before and after, divided by N.  Kernel socket buffers are not in either.
 *
 * The load generator is this same binary started with --load-fd (fork, then
 * exec, so that it is a fresh process that valgrind or perf attached to the
 * server does not follow).  It is told over a socketpair what to do: send
 * OPTIONS requests (about 580 bytes, a distinct branch, Call-ID and From tag
 * each) with a window of W outstanding and count the 200s that come back;
 * or open and hold TCP connections.  With two CPUs or more, the server is
 * pinned to the second CPU and the load generator to the first.
 *
 * Every wait is bounded; the load generator dies with this process
 * (PR_SET_PDEATHSIG) and is otherwise ended by its PID.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#define _GNU_SOURCE

#include <errno.h>
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
#include <gio/gio.h>

#include "netsip-glib/netsip.h"
#include "main-loop-wait.h"
#include "bench-util.h"

/* the To tag of every 200 the netsip server creates */
#define BENCH_TO_TAG "b3nch7a9"

/* the plain loop reads at most this many datagrams per wakeup, as the
 * socket pool does (UDP_BATCH in netsip-socket-pool.c) */
#define PLAIN_BATCH 64

/* load generator: datagrams per sendmmsg()/recvmmsg() call */
#define LOAD_BATCH 64
#define LOAD_MAX_WINDOW 4096
#define REQUEST_MAX 1024
#define REPLY_MAX 4096
/* a window with no reply for this long is taken as lost and refilled */
#define LOAD_STALL_MS 100
/* TCP: connections opened, then answered, per batch */
#define TCP_BATCH 64

/* ------------------------------------------------------------------------ */
/* Types                                                                    */

typedef enum
{
  CMD_UDP_RUN = 1,
  CMD_TCP_OPEN,
  CMD_TCP_CLOSE,
  CMD_QUIT,
} CommandOp;

/* parent -> load generator */
typedef struct
{
  guint32 op;
  guint32 port;
  guint32 duration_ms;    /* CMD_UDP_RUN */
  guint32 window;         /* CMD_UDP_RUN */
  guint32 n_connections;  /* CMD_TCP_OPEN: total to hold afterwards */
} Command;

/* load generator -> parent */
typedef struct
{
  guint32 op;
  guint32 ok;
  guint64 sent;
  guint64 answered;       /* "SIP/2.0 200 " replies */
  guint64 bad;            /* any other reply */
  guint64 stalls;         /* LOAD_STALL_MS without a reply: window refilled */
  guint64 elapsed_ns;
  guint64 cpu_ns;         /* user + system time of the load generator */
  guint32 n_open;         /* TCP connections held */
  guint32 n_answered;     /* of which answered */
  char    message[200];
} Report;

/* An OPTIONS request with room for per-request hex digits */
typedef struct
{
  char  data[REQUEST_MAX];
  gsize len;
  gsize branch_at;        /* 16 hex digits */
  gsize tag_at;           /* 8 hex digits */
  gsize call_id_at;       /* 16 hex digits */
} Template;

typedef enum
{
  SERVER_NETSIP,
  SERVER_NETSIP_NOCB,
  SERVER_PLAIN,
  N_SERVERS
} ServerId;

typedef struct
{
  const char *name;
  const char *option;
  gboolean    enabled;
  guint16     port;
  double     *round_rate;
  double      median, min, max;
  guint64     sent, answered, bad, stalls;
  double      server_cpu_s, load_cpu_s, wall_s;
} Server;

typedef struct
{
  /* netsip UDP server */
  NetSipLeg    *udp_leg;
  NetSipLeg    *udp_leg_nocb;     /* the same, answers sent without a callback */
  guint64       netsip_answered;
  guint64       deliver_errors;

  /* plain GSocket server */
  GSocket      *plain_socket;
  GSource      *plain_source;
  GBytes       *canned_200;
  char         *plain_buffer;
  guint64       plain_answered;
  guint64       plain_send_errors;

  /* load generator */
  GPid          child_pid;
  int           control_fd;
  guint8        report_buffer[sizeof (Report)];
  gsize         report_have;
  gboolean      report_ready;
  gboolean      control_closed;

  Server        servers[N_SERVERS];
} Bench;

static pid_t load_pid = -1;

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

static gboolean
read_all (int fd, void *data, gsize len)
{
  guint8 *p = data;

  while (len > 0)
    {
      ssize_t n = read (fd, p, len);

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return FALSE;
      p += n;
      len -= (gsize) n;
    }
  return TRUE;
}

/* ------------------------------------------------------------------------ */
/* The request the load generator sends                                     */

static inline void
put_hex (char *p, guint64 v, int digits)
{
  for (int i = digits - 1; i >= 0; i--)
    {
      p[i] = "0123456789abcdef"[v & 15];
      v >>= 4;
    }
}

/* An OPTIONS request as a UA sends it to probe a server (RFC 3261 §11),
 * with rport (RFC 3581) as most UAs ask for it, so the leg adds received
 * and rport to the Via it echoes. */
static void
template_init (Template   *t,
               const char *transport,
               guint16     server_port,
               guint16     local_port)
{
  g_autoptr(GString) s = g_string_new (NULL);
  g_autofree char *lower = g_ascii_strdown (transport, -1);

  g_string_append_printf (s, "OPTIONS sip:bench@127.0.0.1:%u SIP/2.0\r\n", server_port);
  g_string_append_printf (s, "Via: SIP/2.0/%s 127.0.0.1:%u;branch=z9hG4bK", transport, local_port);
  t->branch_at = s->len;
  g_string_append (s, "0000000000000000;rport\r\n");
  g_string_append (s, "Max-Forwards: 70\r\n");
  g_string_append (s, "From: \"Load Generator\" <sip:load@127.0.0.1>;tag=");
  t->tag_at = s->len;
  g_string_append (s, "00000000\r\n");
  g_string_append_printf (s, "To: <sip:bench@127.0.0.1:%u>\r\n", server_port);
  g_string_append (s, "Call-ID: ");
  t->call_id_at = s->len;
  g_string_append (s, "0000000000000000@127.0.0.1\r\n");
  g_string_append (s, "CSeq: 1 OPTIONS\r\n");
  g_string_append_printf (s, "Contact: <sip:load@127.0.0.1:%u;transport=%s>\r\n", local_port, lower);
  g_string_append (s, "Accept: application/sdp\r\n");
  g_string_append (s, "Allow: INVITE, ACK, CANCEL, BYE, OPTIONS, PRACK, UPDATE, REFER, NOTIFY, MESSAGE\r\n");
  g_string_append (s, "Supported: replaces, timer, 100rel\r\n");
  g_string_append (s, "User-Agent: netsip-glib bench-transport load generator\r\n");
  g_string_append (s, "Content-Length: 0\r\n\r\n");

  g_assert (s->len < sizeof t->data);
  memcpy (t->data, s->str, s->len);
  t->len = s->len;
}

/* Writes request number @seq into @buf, a copy of the template: branch
 * from the number itself, Call-ID and From tag from a hash of it. */
static inline void
template_stamp (const Template *t,
                char           *buf,
                guint64         seq)
{
  guint64 h = seq * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);

  put_hex (buf + t->branch_at, seq, 16);
  put_hex (buf + t->tag_at, h >> 32, 8);
  put_hex (buf + t->call_id_at, h ^ (h >> 29), 16);
}

/* ------------------------------------------------------------------------ */
/* Load generator (a separate process: --load-fd)                           */

typedef struct
{
  guint16  port;
  int      fd;
  Template request;
} LoadUdpTarget;

typedef struct
{
  int            control_fd;
  guint64        seq;
  LoadUdpTarget  udp[4];
  guint          n_udp;
  GArray        *tcp_fds;
  guint          tcp_answered;
} Load;

static int
load_udp_socket (Load    *load,
                 guint16  port,
                 Template **request)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t addr_len = sizeof addr;
  LoadUdpTarget *target;
  int fd, size = 4 * 1024 * 1024;

  for (guint i = 0; i < load->n_udp; i++)
    if (load->udp[i].port == port)
      {
        *request = &load->udp[i].request;
        return load->udp[i].fd;
      }
  if (load->n_udp == G_N_ELEMENTS (load->udp))
    return -1;

  fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return -1;
  setsockopt (fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  setsockopt (fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &addr_len) < 0)
    {
      close (fd);
      return -1;
    }
  target = &load->udp[load->n_udp++];
  target->port = port;
  target->fd = fd;
  template_init (&target->request, "UDP", port, ntohs (addr.sin_port));

  addr.sin_port = htons (port);
  if (connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    return -1;
  *request = &target->request;
  return fd;
}

static guint
load_udp_drain (int fd, struct mmsghdr *rmsg, guint quiet_ms)
{
  guint n = 0;

  for (;;)
    {
      struct pollfd pfd = { .fd = fd, .events = POLLIN };
      int r;

      if (poll (&pfd, 1, (int) quiet_ms) <= 0)
        return n;
      r = recvmmsg (fd, rmsg, LOAD_BATCH, MSG_DONTWAIT, NULL);
      if (r > 0)
        n += (guint) r;
      else if (r < 0 && errno != EAGAIN && errno != EINTR)
        return n;
    }
}

static void
load_udp_run (Load          *load,
              const Command *cmd,
              Report        *report)
{
  static char send_buf[LOAD_BATCH][REQUEST_MAX];
  static char recv_buf[LOAD_BATCH][REPLY_MAX];
  struct iovec siov[LOAD_BATCH], riov[LOAD_BATCH];
  struct mmsghdr smsg[LOAD_BATCH], rmsg[LOAD_BATCH];
  Template *request = NULL;
  guint64 start, deadline, now, cpu_start, last_reply;
  guint window = CLAMP (cmd->window, 1, LOAD_MAX_WINDOW);
  guint outstanding = 0;
  int fd;

  fd = load_udp_socket (load, (guint16) cmd->port, &request);
  if (fd < 0)
    {
      g_snprintf (report->message, sizeof report->message, "UDP socket: %s", g_strerror (errno));
      return;
    }

  memset (smsg, 0, sizeof smsg);
  memset (rmsg, 0, sizeof rmsg);
  for (guint i = 0; i < LOAD_BATCH; i++)
    {
      memcpy (send_buf[i], request->data, request->len);
      siov[i].iov_base = send_buf[i];
      siov[i].iov_len = request->len;
      smsg[i].msg_hdr.msg_iov = &siov[i];
      smsg[i].msg_hdr.msg_iovlen = 1;
      riov[i].iov_base = recv_buf[i];
      riov[i].iov_len = REPLY_MAX;
      rmsg[i].msg_hdr.msg_iov = &riov[i];
      rmsg[i].msg_hdr.msg_iovlen = 1;
    }

  /* late replies of an earlier round must not count in this one */
  load_udp_drain (fd, rmsg, 20);

  cpu_start = cpu_ns ();
  start = now = last_reply = now_ns ();
  deadline = start + (guint64) cmd->duration_ms * 1000000;
  while (now < deadline)
    {
      int r;

      /* fill the window */
      while (outstanding < window)
        {
          guint k = MIN (LOAD_BATCH, window - outstanding);

          for (guint i = 0; i < k; i++)
            template_stamp (request, send_buf[i], load->seq++);
          r = sendmmsg (fd, smsg, k, MSG_DONTWAIT);
          if (r < 0)
            {
              if (errno == EAGAIN || errno == EINTR || errno == ENOBUFS)
                break;
              g_snprintf (report->message, sizeof report->message, "send: %s", g_strerror (errno));
              return;
            }
          report->sent += (guint) r;
          outstanding += (guint) r;
          if ((guint) r < k)
            break;
        }

      /* Busy-polls rather than sleeping in poll(): on a VM a cross-CPU
       * wakeup costs tens of microseconds, and a load generator that sleeps
       * leaves both sides idle half the time, so that the rate measures
       * wakeup latency instead of the server. */
      r = recvmmsg (fd, rmsg, LOAD_BATCH, MSG_DONTWAIT, NULL);
      now = now_ns ();
      if (r < 0)
        {
          if (errno != EAGAIN && errno != EINTR)
            {
              g_snprintf (report->message, sizeof report->message, "receive: %s", g_strerror (errno));
              return;
            }
          if (now - last_reply > (guint64) LOAD_STALL_MS * 1000000)
            {
              /* datagrams were lost somewhere: send a full window again */
              report->stalls++;
              outstanding = 0;
              last_reply = now;
            }
          continue;
        }
      last_reply = now;
      for (int i = 0; i < r; i++)
        {
          if (rmsg[i].msg_len >= 12 && memcmp (recv_buf[i], "SIP/2.0 200 ", 12) == 0)
            report->answered++;
          else
            report->bad++;
        }
      outstanding -= MIN (outstanding, (guint) r);
    }
  report->elapsed_ns = now - start;
  report->cpu_ns = cpu_ns () - cpu_start;
  load_udp_drain (fd, rmsg, 50);
  report->ok = TRUE;
}

/* Opens connections until cmd->n_connections are held, TCP_BATCH at a
 * time: connect, send one OPTIONS on each, wait for each 200 (at most 10 s
 * per batch), so the listen backlog never holds more than one batch. */
static void
load_tcp_open (Load          *load,
               const Command *cmd,
               Report        *report)
{
  static char reply[TCP_BATCH][REPLY_MAX];
  struct sockaddr_in server = { .sin_family = AF_INET };
  guint64 start = now_ns (), cpu_start = cpu_ns ();

  server.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  server.sin_port = htons ((guint16) cmd->port);

  while (load->tcp_fds->len < cmd->n_connections)
    {
      guint batch = MIN (TCP_BATCH, cmd->n_connections - load->tcp_fds->len);
      int fds[TCP_BATCH];
      gsize have[TCP_BATCH] = { 0 };
      gboolean done[TCP_BATCH] = { 0 };
      guint n_done = 0;
      guint64 deadline;

      for (guint i = 0; i < batch; i++)
        {
          struct sockaddr_in local;
          socklen_t local_len = sizeof local;
          Template request;

          fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
          if (fds[i] < 0 ||
              connect (fds[i], (struct sockaddr *) &server, sizeof server) < 0 ||
              getsockname (fds[i], (struct sockaddr *) &local, &local_len) < 0)
            {
              g_snprintf (report->message, sizeof report->message,
                          "connection %u: %s", load->tcp_fds->len + i + 1, g_strerror (errno));
              if (fds[i] >= 0)
                close (fds[i]);
              for (guint j = 0; j < i; j++)
                g_array_append_val (load->tcp_fds, fds[j]);
              goto out;
            }
          template_init (&request, "TCP", (guint16) cmd->port, ntohs (local.sin_port));
          template_stamp (&request, request.data, load->seq++);
          if (!bench_write_all (fds[i], request.data, request.len))
            {
              g_snprintf (report->message, sizeof report->message,
                          "connection %u: send: %s", load->tcp_fds->len + i + 1, g_strerror (errno));
              for (guint j = 0; j <= i; j++)
                g_array_append_val (load->tcp_fds, fds[j]);
              goto out;
            }
          report->sent++;
        }

      deadline = now_ns () + 10 * G_GUINT64_CONSTANT (1000000000);
      while (n_done < batch && now_ns () < deadline)
        {
          struct pollfd pfd[TCP_BATCH];
          guint map[TCP_BATCH], n_poll = 0;

          for (guint i = 0; i < batch; i++)
            if (!done[i])
              {
                pfd[n_poll] = (struct pollfd) { .fd = fds[i], .events = POLLIN };
                map[n_poll++] = i;
              }
          if (poll (pfd, n_poll, 100) <= 0)
            continue;
          for (guint k = 0; k < n_poll; k++)
            {
              guint i = map[k];
              ssize_t n;

              if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                continue;
              n = recv (fds[i], reply[i] + have[i], REPLY_MAX - 1 - have[i], MSG_DONTWAIT);
              if (n <= 0)
                {
                  if (n < 0 && (errno == EAGAIN || errno == EINTR))
                    continue;
                  done[i] = TRUE;  /* closed by the server */
                  n_done++;
                  report->bad++;
                  continue;
                }
              have[i] += (gsize) n;
              reply[i][have[i]] = '\0';
              if (strstr (reply[i], "\r\n\r\n") != NULL || have[i] >= REPLY_MAX - 1)
                {
                  done[i] = TRUE;
                  n_done++;
                  if (memcmp (reply[i], "SIP/2.0 200 ", 12) == 0)
                    {
                      report->answered++;
                      load->tcp_answered++;
                    }
                  else
                    report->bad++;
                }
            }
        }
      for (guint i = 0; i < batch; i++)
        g_array_append_val (load->tcp_fds, fds[i]);
      if (n_done < batch)
        {
          g_snprintf (report->message, sizeof report->message,
                      "%u of %u connections got no reply within 10 s", batch - n_done, batch);
          goto out;
        }
    }
  report->ok = TRUE;

out:
  report->n_open = load->tcp_fds->len;
  report->n_answered = load->tcp_answered;
  report->elapsed_ns = now_ns () - start;
  report->cpu_ns = cpu_ns () - cpu_start;
}

static void
load_tcp_close (Load   *load,
                Report *report)
{
  for (guint i = 0; i < load->tcp_fds->len; i++)
    close (g_array_index (load->tcp_fds, int, i));
  g_array_set_size (load->tcp_fds, 0);
  load->tcp_answered = 0;
  report->ok = TRUE;
}

static int
load_main (int control_fd)
{
  Load load = { .control_fd = control_fd };
  Command cmd;

  /* distinct Call-IDs from run to run too */
  load.seq = (guint64) getpid () << 40;
  load.tcp_fds = g_array_new (FALSE, FALSE, sizeof (int));
  signal (SIGPIPE, SIG_IGN);

  while (read_all (control_fd, &cmd, sizeof cmd))
    {
      Report report = { .op = cmd.op };

      switch (cmd.op)
        {
        case CMD_UDP_RUN: load_udp_run (&load, &cmd, &report); break;
        case CMD_TCP_OPEN: load_tcp_open (&load, &cmd, &report); break;
        case CMD_TCP_CLOSE: load_tcp_close (&load, &report); break;
        case CMD_QUIT: return 0;
        default:
          g_snprintf (report.message, sizeof report.message, "unknown command %u", cmd.op);
          break;
        }
      if (!bench_write_all (control_fd, &report, sizeof report))
        return 1;
    }
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Starting and ending the load generator                                   */

static void
end_load (void)
{
  int status;

  if (load_pid <= 0)
    return;
  kill (load_pid, SIGKILL);
  waitpid (load_pid, &status, 0);
  load_pid = -1;
}

static G_GNUC_NORETURN void
fail (const char *format, ...) G_GNUC_PRINTF (1, 2);

static void
fail (const char *format, ...)
{
  va_list args;

  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  g_printerr ("\n");
  end_load ();
  exit (1);
}

static gboolean
control_readable (gint         fd,
                  GIOCondition condition,
                  gpointer     user_data)
{
  Bench *b = user_data;
  ssize_t n;

  n = read (fd, b->report_buffer + b->report_have, sizeof b->report_buffer - b->report_have);
  if (n < 0 && (errno == EAGAIN || errno == EINTR))
    return G_SOURCE_CONTINUE;
  if (n <= 0)
    {
      b->control_closed = TRUE;
      return G_SOURCE_REMOVE;
    }
  b->report_have += (gsize) n;
  if (b->report_have == sizeof b->report_buffer)
    b->report_ready = TRUE;
  return G_SOURCE_CONTINUE;
}

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Runs the main loop (the servers) until the load generator answers
 * @cmd, at most @timeout_ms. */
static void
load_request (Bench         *b,
              const Command *cmd,
              Report        *report,
              guint          timeout_ms)
{
  gboolean timed_out = FALSE;
  guint timeout_id;

  b->report_have = 0;
  b->report_ready = FALSE;
  if (!bench_write_all (b->control_fd, cmd, sizeof *cmd))
    fail ("load generator: cannot send a command: %s", g_strerror (errno));
  timeout_id = g_timeout_add (timeout_ms, set_flag, &timed_out);
  while (!b->report_ready && !b->control_closed && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (timeout_id);
  if (b->control_closed)
    fail ("load generator: ended unexpectedly");
  if (timed_out)
    fail ("load generator: no answer within %u ms (command %u)", timeout_ms, cmd->op);
  memcpy (report, b->report_buffer, sizeof *report);
}

/* Server on the second allowed CPU, load generator on the first. */
static gboolean
pick_cpus (int *server_cpu,
           int *load_cpu)
{
  cpu_set_t set;
  int found = 0;

  *server_cpu = *load_cpu = -1;
  if (sched_getaffinity (0, sizeof set, &set) != 0)
    return FALSE;
  for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
    if (CPU_ISSET (c, &set))
      {
        if (found++ == 0)
          *load_cpu = c;
        else
          *server_cpu = c;
      }
  return found == 2;
}

static void
start_load (Bench *b,
            int    load_cpu)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  int sv[2];
  pid_t parent = getpid ();

  if (exe == NULL)
    fail ("cannot read /proc/self/exe");
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    fail ("socketpair: %s", g_strerror (errno));

  load_pid = fork ();
  if (load_pid < 0)
    fail ("fork: %s", g_strerror (errno));
  if (load_pid == 0)
    {
      /* only async-signal-safe calls until exec */
      char fd_arg[32];
      char *argv[] = { exe, fd_arg, NULL };
      int fd = dup (sv[1]);   /* without FD_CLOEXEC */

      prctl (PR_SET_PDEATHSIG, SIGKILL);
      if (getppid () != parent)
        _exit (1);
      if (load_cpu >= 0)
        {
          cpu_set_t set;

          CPU_ZERO (&set);
          CPU_SET (load_cpu, &set);
          sched_setaffinity (0, sizeof set, &set);
        }
      snprintf (fd_arg, sizeof fd_arg, "--load-fd=%d", fd);
      execv (exe, argv);
      _exit (127);
    }
  close (sv[1]);
  b->control_fd = sv[0];
  g_unix_set_fd_nonblocking (b->control_fd, TRUE, NULL);
  g_unix_fd_add (b->control_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, control_readable, b);
}

static void
quit_load (Bench *b)
{
  Command cmd = { .op = CMD_QUIT };

  if (load_pid <= 0)
    return;
  bench_write_all (b->control_fd, &cmd, sizeof cmd);
  for (int i = 0; i < 200; i++)
    {
      int status;

      if (waitpid (load_pid, &status, WNOHANG) == load_pid)
        {
          load_pid = -1;
          return;
        }
      g_usleep (10000);
    }
  end_load ();
}

/* ------------------------------------------------------------------------ */
/* The servers                                                              */

static void
netsip_delivered (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  Bench *b = user_data;
  g_autoptr(GError) error = NULL;

  if (net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &error))
    b->netsip_answered++;
  else if (b->deliver_errors++ == 0)
    g_printerr ("netsip: delivering a 200 failed: %s\n", error->message);
}

/* What an application answering OPTIONS does: a 200 for the request, sent
 * back to where it came from (over TCP: on its connection). */
static void
netsip_message_received (NetSipLeg        *leg,
                         NetSipMessage    *message,
                         NetSipSourceInfo *source,
                         gpointer          user_data)
{
  g_autoptr(NetSipResponse) response = NULL;

  if (!NET_SIP_IS_REQUEST (message))
    return;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, BENCH_TO_TAG);
  net_sip_leg_deliver_async (leg, NET_SIP_MESSAGE (response),
                             net_sip_source_info_get_remote_address (source),
                             NULL, netsip_delivered, user_data);
}

/* The same, with the answer sent as responses usually are: nobody waits
 * for the send to complete (no callback, so no GTask per answer). */
static void
netsip_nocb_message_received (NetSipLeg        *leg,
                              NetSipMessage    *message,
                              NetSipSourceInfo *source,
                              gpointer          user_data)
{
  g_autoptr(NetSipResponse) response = NULL;

  if (!NET_SIP_IS_REQUEST (message))
    return;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, BENCH_TO_TAG);
  net_sip_leg_deliver_async (leg, NET_SIP_MESSAGE (response),
                             net_sip_source_info_get_remote_address (source),
                             NULL, NULL, NULL);
}

/* The baseline: the same GSocket calls the socket pool makes for a
 * datagram (receive_from, send_to), at most PLAIN_BATCH per wakeup, and a
 * fixed answer instead of parse + create_response + serialize. */
static gboolean
plain_readable (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  Bench *b = user_data;
  gsize len;
  const char *answer = g_bytes_get_data (b->canned_200, &len);

  for (guint i = 0; i < PLAIN_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (socket, &from, b->plain_buffer, 65536, NULL, &error);

      if (n < 0)
        break;
      if (n < 13)
        continue;
      if (g_socket_send_to (socket, from, answer, len, NULL, NULL) < 0)
        b->plain_send_errors++;
      else
        b->plain_answered++;
    }
  return G_SOURCE_CONTINUE;
}

static guint16
udp_port_of (GSocket *socket)
{
  g_autoptr(GSocketAddress) address = g_socket_get_local_address (socket, NULL);

  return address != NULL ? g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)) : 0;
}

static void
start_servers (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);

  b->udp_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (b->udp_leg == NULL)
    fail ("netsip: udp:127.0.0.1:0: %s", error->message);
  g_signal_connect (b->udp_leg, "message-received", G_CALLBACK (netsip_message_received), b);
  b->servers[SERVER_NETSIP].port = net_sip_leg_get_port (b->udp_leg);

  b->udp_leg_nocb = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (b->udp_leg_nocb == NULL)
    fail ("netsip: udp:127.0.0.1:0: %s", error->message);
  g_signal_connect (b->udp_leg_nocb, "message-received", G_CALLBACK (netsip_nocb_message_received), b);
  b->servers[SERVER_NETSIP_NOCB].port = net_sip_leg_get_port (b->udp_leg_nocb);

  b->plain_socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                  G_SOCKET_PROTOCOL_UDP, &error);
  if (b->plain_socket == NULL)
    fail ("plain: %s", error->message);
  g_socket_set_blocking (b->plain_socket, FALSE);
  if (!g_socket_bind (b->plain_socket, any, FALSE, &error))
    fail ("plain: bind: %s", error->message);
  b->plain_buffer = g_malloc (65536);
  b->plain_source = g_socket_create_source (b->plain_socket, G_IO_IN, NULL);
  g_source_set_callback (b->plain_source, G_SOURCE_FUNC (plain_readable), b, NULL);
  g_source_attach (b->plain_source, NULL);
  b->servers[SERVER_PLAIN].port = udp_port_of (b->plain_socket);
}

/* ------------------------------------------------------------------------ */
/* Checks before timing                                                     */

/* Sends one request from a socket of this process to @port and runs the
 * main loop until the answer comes (at most 2 s). */
static GBytes *
ask_once (guint16   port,
          Template *request_out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) server = g_inet_socket_address_new (loopback, port);
  g_autoptr(GSocket) socket = NULL;
  guint64 deadline = now_ns () + 2 * G_GUINT64_CONSTANT (1000000000);
  char buffer[REPLY_MAX];

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  if (socket == NULL || !g_socket_bind (socket, any, FALSE, &error))
    fail ("check: %s", error->message);
  g_socket_set_blocking (socket, FALSE);
  template_init (request_out, "UDP", port, udp_port_of (socket));
  template_stamp (request_out, request_out->data, g_random_int ());
  if (g_socket_send_to (socket, server, request_out->data, request_out->len, NULL, &error) < 0)
    fail ("check: send: %s", error->message);

  while (now_ns () < deadline)
    {
      gssize n;

      g_clear_error (&error);
      n = g_socket_receive (socket, buffer, sizeof buffer, NULL, &error);
      if (n > 0)
        return g_bytes_new (buffer, (gsize) n);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
        fail ("check: receive: %s", error->message);
      netsip_test_run_for (1);
    }
  fail ("check: no answer from 127.0.0.1:%u within 2 s", port);
}

static char *
header_of (NetSipMessage *m,
           const char    *name)
{
  const char *v = net_sip_message_get_header (m, name);

  return g_strdup (v != NULL ? v : "(none)");
}

/* The netsip leg must answer 200 with the request's branch, Call-ID, CSeq
 * and From tag, its own To tag, and received/rport added (RFC 3581 §4);
 * its answer becomes the plain loop's fixed answer. The plain loop must
 * then send exactly those bytes. */
static void
check_servers (Bench *b)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(NetSipMessage) response = NULL;
  g_autoptr(NetSipMessage) request = NULL;
  g_autoptr(GBytes) request_bytes = NULL;
  Template sent;
  NetSipVia *via, *sent_via;

  reply = ask_once (b->servers[SERVER_NETSIP].port, &sent);
  request_bytes = g_bytes_new (sent.data, sent.len);
  request = net_sip_message_parse (request_bytes, &error);
  if (request == NULL)
    fail ("check: the load generator's request does not parse: %s", error->message);
  response = net_sip_message_parse (reply, &error);
  if (response == NULL)
    fail ("check: the netsip answer does not parse: %s", error->message);
  if (!NET_SIP_IS_RESPONSE (response) ||
      net_sip_response_get_code (NET_SIP_RESPONSE (response)) != 200)
    fail ("check: the netsip answer is not a 200:\n%.*s", (int) g_bytes_get_size (reply),
          (const char *) g_bytes_get_data (reply, NULL));
  via = net_sip_message_get_top_via (response, NULL);
  sent_via = net_sip_message_get_top_via (request, NULL);
  if (via == NULL || sent_via == NULL ||
      g_strcmp0 (net_sip_via_get_branch (via), net_sip_via_get_branch (sent_via)) != 0 ||
      g_strcmp0 (net_sip_message_get_call_id (response), net_sip_message_get_call_id (request)) != 0 ||
      g_strcmp0 (net_sip_message_get_from_tag (response), net_sip_message_get_from_tag (request)) != 0 ||
      g_strcmp0 (net_sip_message_get_to_tag (response), BENCH_TO_TAG) != 0 ||
      net_sip_message_get_cseq_number (response) != 1 ||
      g_strcmp0 (net_sip_message_get_cseq_method (response), "OPTIONS") != 0)
    {
      g_autofree char *v = header_of (response, "Via");
      fail ("check: the netsip 200 does not match the request (Via: %s)", v);
    }
  if (strstr (net_sip_message_get_header (response, "Via"), "received=") == NULL)
    {
      g_autofree char *v = header_of (response, "Via");
      fail ("check: the netsip 200 has no received/rport (Via: %s)", v);
    }
  b->canned_200 = g_bytes_ref (reply);
  g_print ("request: %" G_GSIZE_FORMAT " bytes (OPTIONS, distinct branch, Call-ID and From tag each);"
           " 200: %" G_GSIZE_FORMAT " bytes\n", sent.len, g_bytes_get_size (reply));

  /* the no-callback leg sends the same 200 but for the rport of the
   * asking socket */
  g_clear_pointer (&reply, g_bytes_unref);
  g_clear_object (&response);
  reply = ask_once (b->servers[SERVER_NETSIP_NOCB].port, &sent);
  response = net_sip_message_parse (reply, &error);
  if (response == NULL || !NET_SIP_IS_RESPONSE (response) ||
      net_sip_response_get_code (NET_SIP_RESPONSE (response)) != 200 ||
      g_bytes_get_size (reply) != g_bytes_get_size (b->canned_200) ||
      g_strcmp0 (net_sip_message_get_to_tag (response), BENCH_TO_TAG) != 0)
    fail ("check: the no-callback leg's answer is not the same 200:\n%.*s", (int) g_bytes_get_size (reply),
          (const char *) g_bytes_get_data (reply, NULL));

  g_clear_pointer (&reply, g_bytes_unref);
  reply = ask_once (b->servers[SERVER_PLAIN].port, &sent);
  if (!g_bytes_equal (reply, b->canned_200))
    fail ("check: the plain loop's answer differs from the netsip 200");
  b->netsip_answered = b->plain_answered = 0;
}

/* ------------------------------------------------------------------------ */
/* UDP rounds                                                               */

static void
udp_round (Bench    *b,
           Server   *server,
           guint     duration_ms,
           guint     window,
           double   *rate_out)
{
  Command cmd = { .op = CMD_UDP_RUN, .port = server->port,
                  .duration_ms = duration_ms, .window = window };
  Report report;
  guint64 cpu = cpu_ns ();

  load_request (b, &cmd, &report, duration_ms + 10000);
  if (!report.ok)
    fail ("load generator (%s): %s", server->name, report.message);
  cpu = cpu_ns () - cpu;
  if (rate_out == NULL)
    return;  /* warm-up */

  *rate_out = (double) report.answered * 1e9 / (double) report.elapsed_ns;
  server->sent += report.sent;
  server->answered += report.answered;
  server->bad += report.bad;
  server->stalls += report.stalls;
  /* over the load generator's timed window: the drains before and after
   * are idle time that says nothing about saturation */
  server->server_cpu_s += cpu / 1e9;
  server->wall_s += report.elapsed_ns / 1e9;
  server->load_cpu_s += report.cpu_ns / 1e9;
}

static void
run_udp (Bench *b,
         guint  n_rounds,
         guint  round_ms,
         guint  window)
{
  /* warm-up: caches, lazily made types, the socket buffers' sizes */
  for (int s = 0; s < N_SERVERS; s++)
    if (b->servers[s].enabled)
      {
        b->servers[s].round_rate = g_new0 (double, n_rounds);
        udp_round (b, &b->servers[s], 300, window, NULL);
      }

  for (guint r = 0; r < n_rounds; r++)
    for (int s = 0; s < N_SERVERS; s++)
      if (b->servers[s].enabled)
        udp_round (b, &b->servers[s], round_ms, window, &b->servers[s].round_rate[r]);

  for (int s = 0; s < N_SERVERS; s++)
    {
      Server *server = &b->servers[s];
      double *sorted;

      if (!server->enabled)
        continue;
      sorted = g_memdup2 (server->round_rate, n_rounds * sizeof (double));
      qsort (sorted, n_rounds, sizeof (double), bench_compare_doubles);
      server->min = sorted[0];
      server->max = sorted[n_rounds - 1];
      server->median = n_rounds % 2 == 1
        ? sorted[n_rounds / 2]
        : (sorted[n_rounds / 2 - 1] + sorted[n_rounds / 2]) / 2;
      g_free (sorted);
    }
}

static void
print_udp (Bench *b,
           guint  n_rounds,
           guint  round_ms,
           guint  window)
{
  Server *netsip = &b->servers[SERVER_NETSIP];
  Server *nocb = &b->servers[SERVER_NETSIP_NOCB];
  Server *plain = &b->servers[SERVER_PLAIN];

  g_print ("\nUDP: OPTIONS answered with 200 on loopback, window %u outstanding, "
           "median of %u rounds of %u ms, servers alternating round by round\n",
           window, n_rounds, round_ms);
  g_print ("%-14s %10s %8s %16s %11s %9s %12s %7s\n",
           "server", "msgs/s", "us/msg", "round min..max", "server CPU", "load CPU", "answered", "stalls");
  g_print ("%-14s %10s %8s %16s %11s %9s %12s %7s\n",
           "------", "------", "------", "--------------", "----------", "--------", "--------", "------");
  for (int s = 0; s < N_SERVERS; s++)
    {
      Server *server = &b->servers[s];
      g_autofree char *spread = NULL;
      g_autofree char *answered = NULL;

      if (!server->enabled)
        continue;
      spread = g_strdup_printf ("%.1fk..%.1fk", server->min / 1000, server->max / 1000);
      answered = g_strdup_printf ("%.2f%%", server->sent ? 100.0 * server->answered / server->sent : 0);
      g_print ("%-14s %10.0f %8.2f %16s %10.0f%% %8.0f%% %12s %7" G_GUINT64_FORMAT "\n",
               server->name, server->median, 1e6 / server->median, spread,
               100 * server->server_cpu_s / server->wall_s,
               100 * server->load_cpu_s / server->wall_s, answered, server->stalls);
      if (server->bad != 0)
        g_print ("  %s: %" G_GUINT64_FORMAT " replies were not a 200\n", server->name, server->bad);
    }
  for (int s = 0; s < N_SERVERS; s++)
    if (b->servers[s].enabled)
      {
        g_print ("rounds %-8s", b->servers[s].option);
        for (guint r = 0; r < n_rounds; r++)
          g_print (" %.1fk", b->servers[s].round_rate[r] / 1000);
        g_print ("\n");
      }
  if (b->deliver_errors != 0 || b->plain_send_errors != 0)
    g_print ("send errors: netsip %" G_GUINT64_FORMAT ", plain %" G_GUINT64_FORMAT "\n",
             b->deliver_errors, b->plain_send_errors);
  if (netsip->enabled && plain->enabled)
    g_print ("\nnetsip/plain: %.2f (goal >= 0.80: %s)\n", netsip->median / plain->median,
             netsip->median >= 0.8 * plain->median ? "met" : "NOT met");
  if (nocb->enabled && plain->enabled)
    g_print ("netsip without a callback/plain: %.2f (goal >= 0.80: %s)\n", nocb->median / plain->median,
             nocb->median >= 0.8 * plain->median ? "met" : "NOT met");
}

/* ------------------------------------------------------------------------ */
/* TCP                                                                      */

static void
run_tcp (Bench        *b,
         const guint  *counts,
         guint         n_counts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = NULL;
  NetSipSocketPool *pool;
  struct rlimit rl;

  g_print ("\nTCP: idle connections held by one leg, memory of the server process\n");
  leg = net_sip_leg_new ("tcp:127.0.0.1:0", &error);
  if (leg == NULL)
    {
      g_print ("TCP: not available (tcp:127.0.0.1:0: %s)\n", error->message);
      return;
    }
  pool = net_sip_leg_get_socket_pool (leg);
  g_signal_connect (leg, "message-received", G_CALLBACK (netsip_message_received), b);
  getrlimit (RLIMIT_NOFILE, &rl);
  g_print ("RLIMIT_NOFILE %lu; G_SLICE=%s; RSS from /proc/self/statm after malloc_trim(0), "
           "heap = mallinfo2 uordblks + hblkhd\n",
           (unsigned long) rl.rlim_cur, g_getenv ("G_SLICE") ? g_getenv ("G_SLICE") : "(unset)");
  g_print ("%11s %9s %9s %9s %14s %14s %16s\n",
           "connections", "in pool", "answered", "open s", "RSS/conn", "heap/conn", "heap after close");
  g_print ("%11s %9s %9s %9s %14s %14s %16s\n",
           "-----------", "-------", "--------", "------", "--------", "---------", "----------------");

  for (guint i = 0; i < n_counts; i++)
    {
      Command open = { .op = CMD_TCP_OPEN, .port = net_sip_leg_get_port (leg), .n_connections = counts[i] };
      Command close = { .op = CMD_TCP_CLOSE };
      Report report, closed;
      gsize rss0, heap0, rss1, heap1, heap2;
      guint in_pool, left;
      double rss_per, heap_per;
      guint64 deadline;

      if ((rlim_t) counts[i] + 64 > rl.rlim_cur)
        {
          g_print ("%11u   skipped: RLIMIT_NOFILE %lu is too low\n", counts[i], (unsigned long) rl.rlim_cur);
          continue;
        }

      netsip_test_run_for (100);
      malloc_trim (0);
      rss0 = bench_rss_bytes ();
      heap0 = bench_heap_bytes ();

      load_request (b, &open, &report, 120000);
      netsip_test_run_for (300);   /* let the server finish whatever the last batch started */
      rss1 = bench_rss_bytes ();
      heap1 = bench_heap_bytes ();
      in_pool = net_sip_socket_pool_get_n_connections (pool);

      rss_per = ((double) rss1 - (double) rss0) / counts[i];
      heap_per = ((double) heap1 - (double) heap0) / counts[i];
      g_print ("%11u %9u %9u %9.2f %9.0f bytes %9.0f bytes",
               counts[i], in_pool, report.n_answered, report.elapsed_ns / 1e9, rss_per, heap_per);

      load_request (b, &close, &closed, 10000);
      deadline = now_ns () + 5 * G_GUINT64_CONSTANT (1000000000);
      while (net_sip_socket_pool_get_n_connections (pool) > 0 && now_ns () < deadline)
        netsip_test_run_for (10);
      netsip_test_run_for (100);
      left = net_sip_socket_pool_get_n_connections (pool);
      heap2 = bench_heap_bytes ();
      g_print (" %+10.0f bytes\n", (double) heap2 - (double) heap0);
      if (left != 0)
        g_print ("  %u connections still in the pool 5 s after the peer closed them all\n", left);

      if (!report.ok && report.message[0] != '\0')
        g_print ("  load generator: %s\n", report.message);
      if (in_pool != counts[i] || report.n_answered != counts[i])
        g_print ("  %u connections opened, %u answered, %u in the pool: per-connection figures are over %u\n",
                 report.n_open, report.n_answered, in_pool, counts[i]);
      else
        g_print ("  %.2f KiB RSS, %.2f KiB heap per idle connection (goal <= 8 KiB: %s)\n",
                 rss_per / 1024, heap_per / 1024,
                 MAX (rss_per, heap_per) <= 8192 ? "met" : "NOT met");
    }
  if (g_strcmp0 (g_getenv ("G_SLICE"), "always-malloc") != 0)
    g_print ("(G_SLICE unset: GSlice keeps freed chunks for reuse, hence \"heap after close\"; a later row\n"
             " reuses them, so the first row is the conservative one; G_SLICE=always-malloc gives exact heap)\n");
}

/* ------------------------------------------------------------------------ */

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *only = NULL;
  g_autofree char *servers = NULL;
  g_autofree char *connections = NULL;
  g_autofree char *cpu = bench_read_first_line ("/proc/cpuinfo", "model name");
  g_autofree char *load_avg = NULL;
  int load_fd = -1;
  int n_rounds = 7;
  int round_ms = 1000;
  int window = 64;
  int max_seconds = 280;
  gboolean no_pin = FALSE;
  gboolean do_udp = TRUE, do_tcp = TRUE;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run only these parts (comma-separated: udp, tcp)", "LIST" },
    { "servers", 0, 0, G_OPTION_ARG_STRING, &servers,
      "UDP servers to measure (comma-separated: netsip, nocb, plain; default all)", "LIST" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &n_rounds, "Timed UDP rounds per server (default 7)", "N" },
    { "round-ms", 0, 0, G_OPTION_ARG_INT, &round_ms, "Duration of one UDP round in ms (default 1000)", "MS" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "UDP requests outstanding (default 64)", "N" },
    { "connections", 0, 0, G_OPTION_ARG_STRING, &connections,
      "TCP connection counts to measure (default 1000,5000)", "LIST" },
    { "no-pin", 0, 0, G_OPTION_ARG_NONE, &no_pin, "Do not pin server and load generator to CPUs", NULL },
    { "max-seconds", 0, 0, G_OPTION_ARG_INT, &max_seconds, "Abort after this many seconds (default 280)", "S" },
    { "load-fd", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &load_fd, "Run as the load generator", "FD" },
    G_OPTION_ENTRY_NULL
  };
  Bench b = {
    .servers = {
      [SERVER_NETSIP] = { .name = "netsip-glib", .option = "netsip", .enabled = TRUE },
      [SERVER_NETSIP_NOCB] = { .name = "netsip no cb", .option = "nocb", .enabled = TRUE },
      [SERVER_PLAIN] = { .name = "plain GSocket", .option = "plain", .enabled = TRUE },
    },
    .control_fd = -1,
  };
  guint counts[8];
  guint n_counts = 0;
  int server_cpu = -1, load_cpu = -1;
  struct rlimit rl;

  context = g_option_context_new ("- UDP messages/s and TCP memory per connection, netsip-glib vs plain GSocket");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (load_fd >= 0)
    return load_main (load_fd);
  if (n_rounds < 1 || round_ms < 1 || window < 1 || window > LOAD_MAX_WINDOW || max_seconds < 1)
    {
      g_printerr ("--rounds, --round-ms, --max-seconds must be positive, --window 1..%d\n", LOAD_MAX_WINDOW);
      return 2;
    }
  if (only != NULL)
    {
      do_udp = strstr (only, "udp") != NULL;
      do_tcp = strstr (only, "tcp") != NULL;
    }
  if (servers != NULL)
    {
      g_auto(GStrv) names = g_strsplit (servers, ",", -1);

      for (int s = 0; s < N_SERVERS; s++)
        b.servers[s].enabled = g_strv_contains ((const char * const *) names, b.servers[s].option);
    }
  {
    g_auto(GStrv) parts = g_strsplit (connections != NULL ? connections : "1000,5000", ",", -1);

    for (guint i = 0; parts[i] != NULL && n_counts < G_N_ELEMENTS (counts); i++)
      {
        guint64 v;

        if (!g_ascii_string_to_unsigned (g_strstrip (parts[i]), 10, 1, 1000000, &v, &error))
          {
            g_printerr ("--connections: %s\n", error->message);
            return 2;
          }
        counts[n_counts++] = (guint) v;
      }
  }

  /* A hung run ends here; the load generator dies with us (PR_SET_PDEATHSIG) */
  alarm ((unsigned) max_seconds);
  signal (SIGPIPE, SIG_IGN);

  /* one descriptor per TCP connection, in both processes */
  if (getrlimit (RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max)
    {
      rl.rlim_cur = rl.rlim_max;
      setrlimit (RLIMIT_NOFILE, &rl);
    }

  if (!no_pin && pick_cpus (&server_cpu, &load_cpu))
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (server_cpu, &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        server_cpu = load_cpu = -1;
    }
  else
    server_cpu = load_cpu = -1;

  start_load (&b, load_cpu);
  start_servers (&b);

  load_avg = bench_read_first_line ("/proc/loadavg", NULL);
  g_print ("machine: %s, %u CPUs, load average %s\n",
           cpu != NULL ? cpu : "?", g_get_num_processors (), load_avg != NULL ? load_avg : "?");
  if (server_cpu >= 0)
    g_print ("pinned: server (this process) on CPU %d, load generator (pid %d) on CPU %d\n",
             server_cpu, (int) load_pid, load_cpu);
  else
    g_print ("not pinned%s\n", no_pin ? " (--no-pin)" : " (fewer than 2 CPUs allowed)");

  if (do_udp)
    {
      check_servers (&b);
      run_udp (&b, (guint) n_rounds, (guint) round_ms, (guint) window);
      print_udp (&b, (guint) n_rounds, (guint) round_ms, (guint) window);
    }
  if (do_tcp)
    run_tcp (&b, counts, n_counts);

  quit_load (&b);

  g_clear_object (&b.udp_leg);
  g_clear_object (&b.udp_leg_nocb);
  if (b.plain_source != NULL)
    {
      g_source_destroy (b.plain_source);
      g_source_unref (b.plain_source);
    }
  g_clear_object (&b.plain_socket);
  g_clear_pointer (&b.canned_200, g_bytes_unref);
  g_free (b.plain_buffer);
  for (int s = 0; s < N_SERVERS; s++)
    g_free (b.servers[s].round_rate);
  close (b.control_fd);
  return 0;
}
