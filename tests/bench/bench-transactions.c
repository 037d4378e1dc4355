/* bench-transactions.c: non-INVITE transactions per second and memory per
 * pending client transaction, netsip-glib's NetSipDispatcher against
 * sofia-sip's transaction layer (nta)
 *
 * Throughput: OPTIONS transactions between a client and a server on
 * loopback UDP, the server answering every request with 200.  Both sides do
 * full RFC 3261 §17 transactions: the client's response is matched to its
 * client transaction (branch), the server keeps its server transaction in
 * Completed for Timer J, the client keeps its own for Timer K.
 *   - netsip-glib: the client is a NetSipDispatcher on udp:127.0.0.1:0 that
 *     keeps a window of W requests outstanding with
 *     net_sip_dispatcher_deliver_async() (the Request-URI's IP literal is the
 *     destination); the server is a second dispatcher whose NetSipReceiver
 *     answers net_sip_request_create_response() 200 through
 *     net_sip_dispatcher_deliver_async().
 *   - sofia-sip: the client is an nta agent on sip:127.0.0.1:*;transport=udp
 *     that keeps W requests outstanding with nta_outgoing_tcreate() on a
 *     no-dialog leg; the server is a second agent whose default leg answers
 *     nta_incoming_treply() 200.
 * Both clients run in this process (netsip on the default GMainContext, nta
 * on its own su_root); each server runs in a process of its own started
 * with fork + exec (--server=netsip|sofia), on its own event loop, so that a
 * server never waits for the other stack's loop.  With two CPUs or more the
 * clients are pinned to the first, the servers to the second.  Rounds
 * alternate netsip, sofia, netsip, sofia ...; each reports the transactions
 * completed with a 200 before the round's deadline divided by its duration.
 * Before timing, a check runs a number of transactions through each stack
 * and requires every one to complete with a 200 that carries the request's
 * Call-ID, CSeq, branch and the server's To tag, each request to reach the
 * server's application exactly once, and no error; otherwise the run exits
 * 1 and prints no numbers.
 *
 * Memory: in a fresh process (--memory=netsip|sofia) with
 * G_SLICE=always-malloc, N OPTIONS requests are delivered to a bound UDP
 * socket that is never read (the kernel drops what does not fit), with T1 at
 * 60 s so that no retransmission and no timeout happens while measuring.
 * Heap in use (mallinfo2: uordblks + hblkhd) before and after, divided by N,
 * is the cost of one pending client transaction including its request.  The
 * request's own share is measured the same way by building N requests as the
 * application hands them over (no Via, not serialized) and holding them; the
 * difference is what the transaction layer adds: its object, timers, hash
 * entries, the Via it adds, the serialized copy it keeps to retransmit.
 *
 * Every wait is bounded; the server processes die with this one
 * (PR_SET_PDEATHSIG) and are otherwise ended by their PID; alarm() bounds
 * the whole run.
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
#include "netsip-glib/netsip-dispatcher.h"

/* sofia-sip: typed context pointers for its callbacks */
typedef struct _SofiaSide SofiaSide;
typedef struct _Slot Slot;
#define SU_ROOT_MAGIC_T      void
#define SU_WAKEUP_ARG_T      SofiaSide
#define NTA_AGENT_MAGIC_T    void
#define NTA_LEG_MAGIC_T      SofiaSide
#define NTA_OUTGOING_MAGIC_T Slot
#define NTA_INCOMING_MAGIC_T void

#include <sofia-sip/su.h>
#include <sofia-sip/su_wait.h>
#include <sofia-sip/su_log.h>
#include <sofia-sip/msg.h>
#include <sofia-sip/sip.h>
#include <sofia-sip/sip_header.h>
#include <sofia-sip/sip_status.h>
#include <sofia-sip/sip_tag.h>
#include <sofia-sip/nta.h>
#include <sofia-sip/nta_tag.h>
#include "bench-util.h"

/* the To tag of every 200 the servers send */
#define BENCH_TO_TAG "b3nch7a9"
#define MAX_WINDOW 4096
/* T1 of the memory measurement: no retransmission while it runs */
#define MEMORY_T1_MS 60000

/* ------------------------------------------------------------------------ */
/* Types                                                                    */

typedef enum
{
  STACK_NETSIP,
  STACK_SOFIA,
  N_STACKS
} StackId;

typedef enum
{
  CMD_STATS = 1,
  CMD_QUIT,
} CommandOp;

/* server -> parent, once at start */
typedef struct
{
  guint32 ok;
  guint32 port;
  char    message[200];
} Hello;

/* server -> parent, on CMD_STATS */
typedef struct
{
  guint64 requests;        /* new requests the server's application got */
  guint64 not_options;     /* other messages it got */
  guint64 answered;        /* responses the stack took without error */
  guint64 send_errors;
  guint64 retransmissions; /* retransmitted requests the stack absorbed */
  guint64 live;            /* server transactions alive */
  guint64 cpu_ns;          /* user + system time of the server process */
} ServerStats;

/* One outstanding transaction of a client: what it sent, to check what
 * comes back */
struct _Slot
{
  struct _Run *run;
  guint64      seq;
  guint        index;
  char         from[64];
  char         call_id[48];
};

typedef struct _Run
{
  struct _Bench *b;
  StackId   stack;
  /* timed round: start new transactions until the deadline; check: until
   * `limit` are started */
  guint64   deadline_ns;
  guint64   limit;
  gboolean  stopped;
  guint64   started;
  guint64   completed;          /* with a 200 matching the request */
  guint64   completed_in_time;  /* ... before the deadline */
  guint64   failed;             /* error, other status, mismatch */
  guint     outstanding;
  Slot     *slots;
  guint     window;
  gboolean  deep_check;
  char      first_failure[300];
} Run;

/* nta side of this process: the client agent; also used by the sofia
 * server process and the memory measurement */
struct _SofiaSide
{
  su_home_t      home[1];
  su_root_t     *root;
  nta_agent_t   *agent;
  nta_leg_t     *leg;
  guint16        port;
  /* server */
  guint          answer_code;
  ServerStats    stats;
  int            control_fd;
  su_wait_t      control_wait[1];
  /* client */
  char           uri[80];
  char           to[80];
};

typedef struct
{
  const char *name;
  const char *option;
  gboolean    enabled;
  GPid        server_pid;
  int         server_fd;
  guint16     server_port;
  double     *round_rate;
  double      median, min, max;
  guint64     completed, failed;
  double      client_cpu_s, server_cpu_s, wall_s;
  guint64     server_retransmissions;
  guint64     server_requests;
  guint64     server_live;     /* server transactions alive after the last round */
  gsize       request_bytes, response_bytes;
} Stack;

typedef struct _Bench
{
  /* netsip client */
  NetSipLeg        *netsip_leg;
  NetSipDispatcher *netsip;
  char              netsip_uri[80];
  char              netsip_to[80];
  guint64           netsip_retransmitted;   /* check only: message-sent attempt > 0 */
  guint64           netsip_first_sends;     /* check only: message-sent attempt 0 */

  /* sofia client */
  SofiaSide         sofia;
  usize_t           sofia_retry_base;

  Run              *run;
  guint             t1_ms;
  guint64           seq;
  Stack             stacks[N_STACKS];
} Bench;

static pid_t child_pids[4];
static guint n_child_pids;

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

/* Reads exactly @len bytes, waiting at most @timeout_ms for each part */

static inline void
put_hex (char *p, guint64 v, int digits)
{
  for (int i = digits - 1; i >= 0; i--)
    {
      p[i] = "0123456789abcdef"[v & 15];
      v >>= 4;
    }
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
  exit (1);
}

/* The per-transaction values of request @seq: a From tag and a Call-ID that
 * differ from request to request, written into the slot by hand (no printf)
 * for both stacks. */
static void
slot_stamp (Slot *slot, guint64 seq)
{
  static const char from_prefix[] = "<sip:client@127.0.0.1>;tag=";
  guint64 h = seq * G_GUINT64_CONSTANT (0x9E3779B97F4A7C15);
  gsize n = sizeof from_prefix - 1;

  slot->seq = seq;
  memcpy (slot->from, from_prefix, n);
  put_hex (slot->from + n, h >> 32, 8);
  slot->from[n + 8] = '\0';
  put_hex (slot->call_id, h ^ (h >> 29), 16);
  memcpy (slot->call_id + 16, "@127.0.0.1", sizeof "@127.0.0.1");
}

static void
record_failure (Run *run, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
record_failure (Run *run, const char *format, ...)
{
  va_list args;

  run->failed++;
  if (run->first_failure[0] != '\0')
    return;
  va_start (args, format);
  g_vsnprintf (run->first_failure, sizeof run->first_failure, format, args);
  va_end (args);
}

/* ------------------------------------------------------------------------ */
/* netsip-glib server (a process of its own: --server=netsip)               */

#define BENCH_TYPE_RECEIVER (bench_receiver_get_type ())
G_DECLARE_FINAL_TYPE (BenchReceiver, bench_receiver, BENCH, RECEIVER, GObject)

struct _BenchReceiver
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned: it owns us */
  guint             answer_code;
  ServerStats       stats;
};

static void
bench_receiver_answered (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  BenchReceiver *self = user_data;
  g_autoptr(GError) error = NULL;

  if (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    self->stats.answered++;
  else if (self->stats.send_errors++ == 0)
    g_printerr ("netsip server: sending a response failed: %s\n", error->message);
}

/* What an application answering OPTIONS does: a response for the request
 * (200 unless --answer-code says otherwise), handed to the dispatcher,
 * which sends it through the request's server transaction. */
static gboolean
bench_receiver_receive (NetSipReceiver   *receiver,
                        NetSipMessage    *message,
                        NetSipLeg        *leg,
                        NetSipSourceInfo *source)
{
  BenchReceiver *self = BENCH_RECEIVER (receiver);
  g_autoptr(NetSipResponse) response = NULL;

  if (!NET_SIP_IS_REQUEST (message) ||
      g_strcmp0 (net_sip_request_get_method (NET_SIP_REQUEST (message)), "OPTIONS") != 0)
    {
      self->stats.not_options++;
      return FALSE;
    }
  self->stats.requests++;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), self->answer_code,
                                              NULL, BENCH_TO_TAG);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    bench_receiver_answered, self);
  return TRUE;
}

static void
bench_receiver_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = bench_receiver_receive;
}

G_DEFINE_FINAL_TYPE_WITH_CODE (BenchReceiver, bench_receiver, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, bench_receiver_iface_init))

static void
bench_receiver_class_init (BenchReceiverClass *klass)
{
}

static void
bench_receiver_init (BenchReceiver *self)
{
}

/* Reads a property of any integer type as guint64; 0 if there is none
 * (the properties the benchmark reads are named in dispatcher-api). */

/* Sets an integer or double property from an unsigned value, whatever its
 * exact type; FALSE if there is no such property. */
static gboolean
set_uint_property (gpointer object, const char *name, guint value)
{
  GParamSpec *pspec = g_object_class_find_property (G_OBJECT_GET_CLASS (object), name);
  g_auto(GValue) v = G_VALUE_INIT;

  if (pspec == NULL)
    return FALSE;
  g_value_init (&v, G_TYPE_UINT);
  g_value_set_uint (&v, value);
  g_object_set_property (object, name, &v);
  return TRUE;
}

typedef struct
{
  BenchReceiver *receiver;
  GMainLoop     *loop;
} NetsipServer;

static gboolean
netsip_server_control (gint         fd,
                       GIOCondition condition,
                       gpointer     user_data)
{
  NetsipServer *server = user_data;
  guint32 op;
  ssize_t n = read (fd, &op, sizeof op);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return G_SOURCE_CONTINUE;
  if (n != sizeof op || op == CMD_QUIT)
    {
      g_main_loop_quit (server->loop);
      return G_SOURCE_REMOVE;
    }
  if (op == CMD_STATS)
    {
      ServerStats stats = server->receiver->stats;

      stats.retransmissions = bench_get_uint_property (server->receiver->dispatcher, "absorbed-requests");
      stats.live = bench_get_uint_property (server->receiver->dispatcher, "n-transactions");
      stats.cpu_ns = cpu_ns ();
      if (!bench_write_all (fd, &stats, sizeof stats))
        g_main_loop_quit (server->loop);
    }
  return G_SOURCE_CONTINUE;
}

static int
netsip_server_main (int fd, guint answer_code, guint t1_ms)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = NULL;
  g_autoptr(NetSipDispatcher) dispatcher = NULL;
  g_autoptr(BenchReceiver) receiver = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  NetsipServer server;
  Hello hello = { 0 };

  leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (leg == NULL)
    {
      g_snprintf (hello.message, sizeof hello.message, "udp:127.0.0.1:0: %s", error->message);
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  dispatcher = net_sip_dispatcher_new (&leg, 1);
  /* max-queue counts the Completed transactions kept for Timer J (32 s):
   * with the default 10000 the server would answer 503 above ~312/s */
  set_uint_property (dispatcher, "max-queue", G_MAXUINT);
  set_uint_property (dispatcher, "t1", t1_ms);
  receiver = g_object_new (BENCH_TYPE_RECEIVER, NULL);
  receiver->dispatcher = dispatcher;
  receiver->answer_code = answer_code;
  net_sip_dispatcher_set_receiver (dispatcher, NET_SIP_RECEIVER (receiver));

  server.receiver = receiver;
  server.loop = loop;
  g_unix_fd_add (fd, G_IO_IN | G_IO_HUP | G_IO_ERR, netsip_server_control, &server);

  hello.ok = TRUE;
  hello.port = net_sip_leg_get_port (leg);
  if (!bench_write_all (fd, &hello, sizeof hello))
    return 1;
  g_main_loop_run (loop);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* sofia-sip server (a process of its own: --server=sofia)                  */

static int
sofia_server_request (SofiaSide            *side,
                      nta_leg_t            *leg,
                      nta_incoming_t       *irq,
                      sip_t const          *sip)
{
  if (sip->sip_request == NULL || sip->sip_request->rq_method != sip_method_options)
    {
      side->stats.not_options++;
      return 501;
    }
  side->stats.requests++;
  nta_incoming_tag (irq, BENCH_TO_TAG);
  if (nta_incoming_treply (irq, (int) side->answer_code, sip_status_phrase ((int) side->answer_code),
                           TAG_END ()) == 0)
    side->stats.answered++;
  else
    side->stats.send_errors++;
  /* the application is done with it; nta keeps it for Timer J */
  nta_incoming_destroy (irq);
  return 0;
}

static int
sofia_server_control (su_root_magic_t *magic,
                      su_wait_t       *wait,
                      SofiaSide       *side)
{
  guint32 op;
  ssize_t n = read (side->control_fd, &op, sizeof op);

  if (n < 0 && (errno == EINTR || errno == EAGAIN))
    return 0;
  if (n != sizeof op || op == CMD_QUIT)
    {
      su_root_break (side->root);
      return 0;
    }
  if (op == CMD_STATS)
    {
      ServerStats stats = side->stats;
      usize_t retry = 0, live = 0;

      nta_agent_get_stats (side->agent,
                           NTATAG_S_RECV_RETRY_REF (retry),
                           NTATAG_S_IRQ_HASH_USED_REF (live),
                           TAG_END ());
      stats.retransmissions = retry;
      stats.live = live;
      stats.cpu_ns = cpu_ns ();
      if (!bench_write_all (side->control_fd, &stats, sizeof stats))
        su_root_break (side->root);
    }
  return 0;
}

static gboolean
sofia_side_init (SofiaSide   *side,
                 guint        t1_ms,
                 char        *error,
                 gsize        error_len)
{
  sip_contact_t const *contact;

  if (su_init () != 0)
    {
      g_snprintf (error, error_len, "su_init failed");
      return FALSE;
    }
  su_home_init (side->home);
  side->root = su_root_create (NULL);
  if (side->root == NULL)
    {
      g_snprintf (error, error_len, "su_root_create failed");
      return FALSE;
    }
  side->agent = nta_agent_create (side->root, URL_STRING_MAKE ("sip:127.0.0.1:*;transport=udp"),
                                  NULL, NULL,
                                  NTATAG_SIP_T1 (t1_ms),
                                  NTATAG_SIP_T1X64 (64 * t1_ms),
                                  TAG_END ());
  if (side->agent == NULL)
    {
      g_snprintf (error, error_len, "nta_agent_create (sip:127.0.0.1:*;transport=udp) failed: %s",
                  g_strerror (errno));
      return FALSE;
    }
  contact = nta_agent_contact (side->agent);
  if (contact == NULL || contact->m_url->url_port == NULL)
    {
      g_snprintf (error, error_len, "nta agent has no contact port");
      return FALSE;
    }
  side->port = (guint16) atoi (contact->m_url->url_port);
  return TRUE;
}

static void
sofia_side_clear (SofiaSide *side)
{
  if (side->leg != NULL)
    nta_leg_destroy (side->leg);
  if (side->agent != NULL)
    nta_agent_destroy (side->agent);
  if (side->root != NULL)
    su_root_destroy (side->root);
  side->leg = NULL;
  side->agent = NULL;
  side->root = NULL;
  su_home_deinit (side->home);
  su_deinit ();
}

static int
sofia_server_main (int fd, guint answer_code, guint t1_ms)
{
  SofiaSide side = { .answer_code = answer_code, .control_fd = fd };
  Hello hello = { 0 };
  int wait_index = -1;

  if (!sofia_side_init (&side, t1_ms, hello.message, sizeof hello.message))
    {
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  /* the default leg: every request outside a dialog */
  side.leg = nta_leg_tcreate (side.agent, sofia_server_request, &side,
                              NTATAG_NO_DIALOG (1), TAG_END ());
  if (side.leg == NULL ||
      su_wait_create (side.control_wait, fd, SU_WAIT_IN | SU_WAIT_HUP) != 0 ||
      (wait_index = su_root_register (side.root, side.control_wait, sofia_server_control, &side, 0)) < 0)
    {
      g_snprintf (hello.message, sizeof hello.message, "nta leg or control registration failed");
      bench_write_all (fd, &hello, sizeof hello);
      return 1;
    }
  hello.ok = TRUE;
  hello.port = side.port;
  if (!bench_write_all (fd, &hello, sizeof hello))
    return 1;
  su_root_run (side.root);
  su_root_deregister (side.root, wait_index);
  sofia_side_clear (&side);
  return 0;
}

/* ------------------------------------------------------------------------ */
/* Clients (this process)                                                   */

/* After a transaction ended on @slot: TRUE if the slot should start the
 * next one.  @ok says whether it completed with the expected 200. */
static gboolean
run_next (Run *run, gboolean ok)
{
  if (ok)
    run->completed++;
  if (run->stopped)
    return FALSE;
  if (run->limit != 0)
    {
      if (run->started < run->limit)
        return TRUE;
      run->stopped = TRUE;
      return FALSE;
    }
  if (now_ns () < run->deadline_ns)
    {
      if (ok)
        run->completed_in_time++;
      return TRUE;
    }
  run->stopped = TRUE;
  return FALSE;
}

static const char *
slot_from_tag (const Slot *slot)
{
  const char *tag = strstr (slot->from, ";tag=");

  return tag != NULL ? tag + 5 : "";
}

/* --- netsip-glib ------------------------------------------------------- */

static void netsip_start (Run *run, Slot *slot);

/* check only: the branch each request went out with, by Call-ID */
static GHashTable *netsip_sent_branches;
static gsize netsip_first_request_bytes;

static void
netsip_message_sent (NetSipDispatcher  *dispatcher,
                     NetSipMessage     *message,
                     NetSipLeg         *leg,
                     GInetSocketAddress *destination,
                     NetSipTransaction *transaction,
                     guint              attempt,
                     gint64             time_us,
                     gpointer           user_data)
{
  Bench *b = user_data;
  NetSipVia *via;

  if (!NET_SIP_IS_REQUEST (message))
    return;
  if (attempt > 0)
    {
      b->netsip_retransmitted++;
      return;
    }
  b->netsip_first_sends++;
  if (netsip_first_request_bytes == 0)
    {
      g_autoptr(GBytes) bytes = net_sip_message_to_bytes (message);

      netsip_first_request_bytes = g_bytes_get_size (bytes);
      b->stacks[STACK_NETSIP].request_bytes = netsip_first_request_bytes;
      if (netsip_sent_branches != NULL && g_getenv ("BENCH_SHOW_MESSAGES") != NULL)
        g_print ("--- netsip request on the wire ---\n%.*s", (int) g_bytes_get_size (bytes),
                 (const char *) g_bytes_get_data (bytes, NULL));
    }
  via = net_sip_message_get_top_via (message, NULL);
  if (netsip_sent_branches != NULL && via != NULL && net_sip_message_get_call_id (message) != NULL)
    g_hash_table_insert (netsip_sent_branches, g_strdup (net_sip_message_get_call_id (message)),
                         g_strdup (net_sip_via_get_branch (via)));
}

/* check only: everything a 200 to the slot's request must carry */
static void
netsip_deep_check (Run *run, Slot *slot, NetSipResponse *response)
{
  NetSipMessage *m = NET_SIP_MESSAGE (response);
  NetSipVia *via = net_sip_message_get_top_via (m, NULL);
  const char *sent_branch = netsip_sent_branches != NULL
    ? g_hash_table_lookup (netsip_sent_branches, slot->call_id) : NULL;

  if (g_strcmp0 (net_sip_message_get_to_tag (m), BENCH_TO_TAG) != 0)
    record_failure (run, "netsip: 200 with To tag %s", net_sip_message_get_to_tag (m));
  else if (g_strcmp0 (net_sip_message_get_from_tag (m), slot_from_tag (slot)) != 0)
    record_failure (run, "netsip: 200 with From tag %s, sent %s", net_sip_message_get_from_tag (m),
                    slot_from_tag (slot));
  else if (net_sip_message_get_cseq_number (m) != 1 ||
           g_strcmp0 (net_sip_message_get_cseq_method (m), "OPTIONS") != 0)
    record_failure (run, "netsip: 200 with CSeq %u %s", net_sip_message_get_cseq_number (m),
                    net_sip_message_get_cseq_method (m));
  else if (via == NULL || sent_branch == NULL ||
           g_strcmp0 (net_sip_via_get_branch (via), sent_branch) != 0)
    record_failure (run, "netsip: 200 with branch %s, the request went out with %s",
                    via != NULL ? net_sip_via_get_branch (via) : "(no Via)",
                    sent_branch != NULL ? sent_branch : "(not seen by message-sent)");
}

static void
netsip_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Slot *slot = user_data;
  Run *run = slot->run;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipResponse) response = NULL;
  gboolean ok = FALSE;

  run->outstanding--;
  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &response, &error))
    record_failure (run, "netsip: transaction %" G_GUINT64_FORMAT ": %s", slot->seq, error->message);
  else if (response == NULL)
    record_failure (run, "netsip: transaction %" G_GUINT64_FORMAT ": completed without a response", slot->seq);
  else if (net_sip_response_get_code (response) != 200)
    record_failure (run, "netsip: transaction %" G_GUINT64_FORMAT ": %u %s", slot->seq,
                    net_sip_response_get_code (response), net_sip_response_get_reason (response));
  else if (g_strcmp0 (net_sip_message_get_call_id (NET_SIP_MESSAGE (response)), slot->call_id) != 0)
    record_failure (run, "netsip: transaction with Call-ID %s got the 200 for Call-ID %s", slot->call_id,
                    net_sip_message_get_call_id (NET_SIP_MESSAGE (response)));
  else
    ok = TRUE;

  if (ok && run->deep_check)
    {
      guint64 failed = run->failed;

      if (run->b->stacks[STACK_NETSIP].response_bytes == 0)
        {
          g_autoptr(GBytes) bytes = net_sip_message_to_bytes (NET_SIP_MESSAGE (response));

          run->b->stacks[STACK_NETSIP].response_bytes = g_bytes_get_size (bytes);
          if (g_getenv ("BENCH_SHOW_MESSAGES") != NULL)
            g_print ("--- netsip 200 as received ---\n%.*s", (int) g_bytes_get_size (bytes),
                     (const char *) g_bytes_get_data (bytes, NULL));
        }
      netsip_deep_check (run, slot, response);
      ok = run->failed == failed;
    }

  if (run_next (run, ok))
    netsip_start (run, slot);
}

static NetSipRequest *
netsip_build_request (const char *uri,
                      const char *to,
                      const Slot *slot)
{
  NetSipRequest *request = net_sip_request_new ("OPTIONS", uri);
  NetSipMessage *m = NET_SIP_MESSAGE (request);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", slot->from);
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", slot->call_id);
  net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
  return request;
}

/* What an application sending OPTIONS does: build the request (the
 * dispatcher adds the Via and finds the destination from the Request-URI)
 * and deliver it. */
static void
netsip_start (Run *run, Slot *slot)
{
  Bench *b = run->b;
  g_autoptr(NetSipRequest) request = NULL;

  slot_stamp (slot, b->seq++);
  request = netsip_build_request (b->netsip_uri, b->netsip_to, slot);
  run->started++;
  run->outstanding++;
  net_sip_dispatcher_deliver_async (b->netsip, NET_SIP_MESSAGE (request), NULL, NULL, netsip_done, slot);
}

static gboolean
wake_up (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static void
run_netsip (Run *run, guint64 guard_ns)
{
  guint wake = g_timeout_add (50, wake_up, NULL);

  for (guint i = 0; i < run->window && !run->stopped; i++)
    {
      if (run->limit != 0 && run->started >= run->limit)
        break;
      netsip_start (run, &run->slots[i]);
    }
  while (run->outstanding > 0)
    {
      g_main_context_iteration (NULL, TRUE);
      if (now_ns () > guard_ns)
        fail ("netsip: %u transactions still outstanding at the time limit", run->outstanding);
    }
  g_source_remove (wake);
}

/* --- sofia-sip --------------------------------------------------------- */

static void sofia_start (Run *run, Slot *slot);

static char *
sofia_message_text (msg_t *msg, gsize *len)
{
  size_t n = 0;
  char *text;

  if (msg == NULL)
    return NULL;
  text = msg_as_string (NULL, msg, NULL, 0, &n);
  msg_destroy (msg);
  *len = n;
  return text;
}

static void
sofia_deep_check (Run *run, Slot *slot, nta_outgoing_t *orq, sip_t const *sip)
{
  Stack *stack = &run->b->stacks[STACK_SOFIA];
  const char *branch = nta_outgoing_branch (orq);

  if (branch != NULL && g_ascii_strncasecmp (branch, "branch=", 7) == 0)
    branch += 7;
  if (stack->request_bytes == 0)
    {
      gsize n = 0;
      char *request = sofia_message_text (nta_outgoing_getrequest (orq), &n);
      char *response = NULL;

      stack->request_bytes = n;
      response = sofia_message_text (nta_outgoing_getresponse (orq), &n);
      stack->response_bytes = n;
      if (g_getenv ("BENCH_SHOW_MESSAGES") != NULL)
        g_print ("--- sofia request ---\n%s--- sofia 200 ---\n%s", request ? request : "",
                 response ? response : "");
      su_free (NULL, request);
      su_free (NULL, response);
    }

  if (sip->sip_to == NULL || g_strcmp0 (sip->sip_to->a_tag, BENCH_TO_TAG) != 0)
    record_failure (run, "sofia: 200 with To tag %s", sip->sip_to ? sip->sip_to->a_tag : "(no To)");
  else if (sip->sip_from == NULL || g_strcmp0 (sip->sip_from->a_tag, slot_from_tag (slot)) != 0)
    record_failure (run, "sofia: 200 with From tag %s, sent %s",
                    sip->sip_from ? sip->sip_from->a_tag : "(no From)", slot_from_tag (slot));
  else if (sip->sip_cseq == NULL || sip->sip_cseq->cs_seq != 1 ||
           sip->sip_cseq->cs_method != sip_method_options)
    record_failure (run, "sofia: 200 with a wrong CSeq");
  else if (sip->sip_via == NULL || branch == NULL || g_strcmp0 (sip->sip_via->v_branch, branch) != 0)
    record_failure (run, "sofia: 200 with branch %s, the request went out with %s",
                    sip->sip_via ? sip->sip_via->v_branch : "(no Via)", branch ? branch : "(none)");
}

static int
sofia_response (Slot             *slot,
                nta_outgoing_t   *orq,
                sip_t const      *sip)
{
  Run *run = slot->run;
  int status = sip != NULL && sip->sip_status != NULL ? sip->sip_status->st_status : nta_outgoing_status (orq);
  gboolean ok = FALSE;

  if (status < 200)
    return 0;   /* provisional: the transaction goes on */
  run->outstanding--;
  if (status != 200 || sip == NULL)
    record_failure (run, "sofia: transaction %" G_GUINT64_FORMAT ": %d %s", slot->seq, status,
                    sip != NULL && sip->sip_status ? sip->sip_status->st_phrase : "");
  else if (sip->sip_call_id == NULL || strcmp (sip->sip_call_id->i_id, slot->call_id) != 0)
    record_failure (run, "sofia: transaction with Call-ID %s got the 200 for Call-ID %s", slot->call_id,
                    sip->sip_call_id ? sip->sip_call_id->i_id : "(none)");
  else
    ok = TRUE;

  if (ok && run->deep_check)
    {
      guint64 failed = run->failed;

      sofia_deep_check (run, slot, orq, sip);
      ok = run->failed == failed;
    }
  /* the application is done with it; nta keeps it for Timer K */
  nta_outgoing_destroy (orq);
  if (run_next (run, ok))
    sofia_start (run, slot);
  return 0;
}

/* What an nta application sending OPTIONS does: a client transaction made
 * from tags on a no-dialog leg (nta adds the Via and resolves the
 * Request-URI). */
static void
sofia_start (Run *run, Slot *slot)
{
  Bench *b = run->b;
  nta_outgoing_t *orq;

  slot_stamp (slot, b->seq++);
  run->started++;
  run->outstanding++;
  orq = nta_outgoing_tcreate (b->sofia.leg, sofia_response, slot, NULL,
                              SIP_METHOD_OPTIONS, (url_string_t const *) b->sofia.uri,
                              SIPTAG_MAX_FORWARDS_STR ("70"),
                              SIPTAG_FROM_STR (slot->from),
                              SIPTAG_TO_STR (b->sofia.to),
                              SIPTAG_CALL_ID_STR (slot->call_id),
                              SIPTAG_CSEQ_STR ("1 OPTIONS"),
                              TAG_END ());
  if (orq == NULL)
    {
      run->outstanding--;
      record_failure (run, "sofia: nta_outgoing_tcreate failed");
    }
}

static void
run_sofia (Run *run, guint64 guard_ns)
{
  su_root_t *root = run->b->sofia.root;

  for (guint i = 0; i < run->window && !run->stopped; i++)
    {
      if (run->limit != 0 && run->started >= run->limit)
        break;
      sofia_start (run, &run->slots[i]);
    }
  while (run->outstanding > 0)
    {
      su_root_step (root, 50);
      if (now_ns () > guard_ns)
        fail ("sofia: %u transactions still outstanding at the time limit", run->outstanding);
    }
}

/* ------------------------------------------------------------------------ */
/* Server processes                                                         */

/* fork + exec of this binary with @args; @fd_out gets our end of a
 * socketpair whose other end the child finds as --control-fd. */
static pid_t
start_child (const char *const *args,
             int                 cpu,
             gboolean            always_malloc,
             int                *fd_out)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  pid_t parent = getpid ();
  int sv[2];
  pid_t pid;

  if (exe == NULL)
    fail ("cannot read /proc/self/exe");
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    fail ("socketpair: %s", g_strerror (errno));
  fflush (stdout);
  fflush (stderr);

  pid = fork ();
  if (pid < 0)
    fail ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      /* only async-signal-safe calls until exec */
      char fd_arg[32];
      const char *argv[16];
      int n = 0;
      int fd = dup (sv[1]);   /* without FD_CLOEXEC */

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
      snprintf (fd_arg, sizeof fd_arg, "--control-fd=%d", fd);
      argv[n++] = exe;
      argv[n++] = fd_arg;
      for (int i = 0; args[i] != NULL && n < 15; i++)
        argv[n++] = args[i];
      argv[n] = NULL;
      execv (exe, (char **) argv);
      _exit (127);
    }
  close (sv[1]);
  if (n_child_pids < G_N_ELEMENTS (child_pids))
    child_pids[n_child_pids++] = pid;
  *fd_out = sv[0];
  return pid;
}

static void
forget_child (pid_t pid)
{
  for (guint i = 0; i < n_child_pids; i++)
    if (child_pids[i] == pid)
      child_pids[i] = -1;
}

/* Waits at most @timeout_ms for @pid to exit; kills it after that */
static int
reap_child (pid_t pid, int timeout_ms)
{
  int status = 0;

  for (int waited = 0; waited < timeout_ms; waited += 10)
    {
      if (waitpid (pid, &status, WNOHANG) == pid)
        {
          forget_child (pid);
          return status;
        }
      g_usleep (10000);
    }
  kill (pid, SIGKILL);
  waitpid (pid, &status, 0);
  forget_child (pid);
  return -1;
}

static void
start_server (Stack       *stack,
              int          cpu,
              guint        answer_code,
              guint        t1_ms)
{
  g_autofree char *server_arg = g_strdup_printf ("--server=%s", stack->option);
  g_autofree char *code_arg = g_strdup_printf ("--answer-code=%u", answer_code);
  g_autofree char *t1_arg = g_strdup_printf ("--t1=%u", t1_ms);
  const char *args[] = { server_arg, code_arg, t1_arg, NULL };
  Hello hello;

  stack->server_pid = start_child (args, cpu, FALSE, &stack->server_fd);
  if (!bench_read_all_timeout (stack->server_fd, &hello, sizeof hello, 10000))
    fail ("%s server: no start report within 10 s", stack->name);
  if (!hello.ok)
    fail ("%s server: %s", stack->name, hello.message);
  stack->server_port = (guint16) hello.port;
}

static void
server_stats (Stack *stack, ServerStats *stats)
{
  guint32 op = CMD_STATS;

  if (!bench_write_all (stack->server_fd, &op, sizeof op) ||
      !bench_read_all_timeout (stack->server_fd, stats, sizeof *stats, 5000))
    fail ("%s server: no statistics within 5 s", stack->name);
}

static void
quit_server (Stack *stack)
{
  guint32 op = CMD_QUIT;

  if (stack->server_pid <= 0)
    return;
  bench_write_all (stack->server_fd, &op, sizeof op);
  reap_child (stack->server_pid, 2000);
  close (stack->server_fd);
  stack->server_pid = 0;
}

/* ------------------------------------------------------------------------ */
/* Client setup                                                             */

static void
start_clients (Bench *b)
{
  g_autoptr(GError) error = NULL;
  char message[200];

  if (b->stacks[STACK_NETSIP].enabled)
    {
      Stack *s = &b->stacks[STACK_NETSIP];

      b->netsip_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
      if (b->netsip_leg == NULL)
        fail ("netsip client: udp:127.0.0.1:0: %s", error->message);
      b->netsip = net_sip_dispatcher_new (&b->netsip_leg, 1);
      if (!set_uint_property (b->netsip, "t1", b->t1_ms))
        fail ("netsip client: the dispatcher has no t1 property");
      /* Timer K keeps each completed client transaction 5 s (T4): with
       * the default max-queue 10000 the client fails above 2000/s */
      set_uint_property (b->netsip, "max-queue", G_MAXUINT);
      g_snprintf (b->netsip_uri, sizeof b->netsip_uri, "sip:bench@127.0.0.1:%u", s->server_port);
      g_snprintf (b->netsip_to, sizeof b->netsip_to, "<sip:bench@127.0.0.1:%u>", s->server_port);
    }
  if (b->stacks[STACK_SOFIA].enabled)
    {
      Stack *s = &b->stacks[STACK_SOFIA];

      if (!sofia_side_init (&b->sofia, b->t1_ms, message, sizeof message))
        fail ("sofia client: %s", message);
      b->sofia.leg = nta_leg_tcreate (b->sofia.agent, NULL, NULL, NTATAG_NO_DIALOG (1), TAG_END ());
      if (b->sofia.leg == NULL)
        fail ("sofia client: nta_leg_tcreate failed");
      g_snprintf (b->sofia.uri, sizeof b->sofia.uri, "sip:bench@127.0.0.1:%u", s->server_port);
      g_snprintf (b->sofia.to, sizeof b->sofia.to, "<sip:bench@127.0.0.1:%u>", s->server_port);
    }
}

static usize_t
sofia_client_retries (Bench *b)
{
  usize_t retry = 0;

  nta_agent_get_stats (b->sofia.agent, NTATAG_S_RETRY_REQUEST_REF (retry), TAG_END ());
  return retry;
}

/* ------------------------------------------------------------------------ */
/* Check before timing                                                      */

static void
check_stack (Bench *b, StackId id, guint count, guint window)
{
  Stack *stack = &b->stacks[id];
  Run run = { .b = b, .stack = id, .limit = count, .window = window, .deep_check = TRUE };
  ServerStats before, after;
  guint64 retransmitted = 0;
  gulong handler = 0;

  run.slots = g_new0 (Slot, window);
  for (guint i = 0; i < window; i++)
    {
      run.slots[i].run = &run;
      run.slots[i].index = i;
    }
  server_stats (stack, &before);
  if (id == STACK_NETSIP)
    {
      netsip_sent_branches = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      b->netsip_retransmitted = b->netsip_first_sends = 0;
      handler = g_signal_connect (b->netsip, "message-sent", G_CALLBACK (netsip_message_sent), b);
      run_netsip (&run, now_ns () + (guint64) (64 * b->t1_ms + 30000) * 1000000);
      g_signal_handler_disconnect (b->netsip, handler);
      g_clear_pointer (&netsip_sent_branches, g_hash_table_unref);
      retransmitted = b->netsip_retransmitted;
      if (b->netsip_first_sends != count)
        fail ("check: netsip: message-sent reported %" G_GUINT64_FORMAT " first sends of requests for %u transactions",
              b->netsip_first_sends, count);
    }
  else
    {
      usize_t retry0 = sofia_client_retries (b);

      run_sofia (&run, now_ns () + (guint64) (64 * b->t1_ms + 30000) * 1000000);
      retransmitted = sofia_client_retries (b) - retry0;
    }
  /* the server may still be finishing its last answers */
  g_usleep (50000);
  server_stats (stack, &after);
  g_free (run.slots);

  if (run.failed != 0)
    fail ("check: %s: %" G_GUINT64_FORMAT " of %u transactions did not complete with the expected 200; first: %s",
          stack->name, run.failed, count, run.first_failure);
  if (run.completed != count || run.started != count)
    fail ("check: %s: %" G_GUINT64_FORMAT " started, %" G_GUINT64_FORMAT " completed, expected %u",
          stack->name, run.started, run.completed, count);
  if (after.requests - before.requests != count)
    fail ("check: %s: the server's application got %" G_GUINT64_FORMAT " requests for %u transactions",
          stack->name, after.requests - before.requests, count);
  if (after.not_options != before.not_options || after.send_errors != before.send_errors ||
      after.answered - before.answered != count)
    fail ("check: %s server: %" G_GUINT64_FORMAT " other messages, %" G_GUINT64_FORMAT " send errors, "
          "%" G_GUINT64_FORMAT " answered", stack->name, after.not_options - before.not_options,
          after.send_errors - before.send_errors, after.answered - before.answered);
  g_print ("check %-11s %u transactions, window %u: all completed with the request's 200 "
           "(Call-ID, CSeq, From tag, branch, To tag); server got each request once; "
           "%" G_GUINT64_FORMAT " retransmissions, server absorbed %" G_GUINT64_FORMAT "; "
           "request %" G_GSIZE_FORMAT " bytes, 200 %" G_GSIZE_FORMAT " bytes\n",
           stack->name, count, window, retransmitted, after.retransmissions - before.retransmissions,
           stack->request_bytes, stack->response_bytes);
}

/* ------------------------------------------------------------------------ */
/* Timed rounds                                                             */

static void
timed_round (Bench *b, StackId id, guint round_ms, guint window, double *rate_out)
{
  Stack *stack = &b->stacks[id];
  Run run = { .b = b, .stack = id, .window = window };
  ServerStats before, after;
  guint64 t0, t1, cpu0, cpu1, guard;

  run.slots = g_new0 (Slot, window);
  for (guint i = 0; i < window; i++)
    {
      run.slots[i].run = &run;
      run.slots[i].index = i;
    }
  server_stats (stack, &before);
  cpu0 = cpu_ns ();
  t0 = now_ns ();
  run.deadline_ns = t0 + (guint64) round_ms * 1000000;
  guard = run.deadline_ns + (guint64) (64 * b->t1_ms + 10000) * 1000000;
  if (id == STACK_NETSIP)
    run_netsip (&run, guard);
  else
    run_sofia (&run, guard);
  t1 = now_ns ();
  cpu1 = cpu_ns ();
  server_stats (stack, &after);
  g_free (run.slots);

  if (rate_out == NULL)
    return;   /* warm-up */
  *rate_out = (double) run.completed_in_time * 1e9 / (double) (run.deadline_ns - t0);
  stack->completed += run.completed;
  stack->failed += run.failed;
  if (run.failed != 0)
    g_print ("  %s round: %" G_GUINT64_FORMAT " transactions failed; first: %s\n",
             stack->name, run.failed, run.first_failure);
  stack->client_cpu_s += (cpu1 - cpu0) / 1e9;
  stack->server_cpu_s += (after.cpu_ns - before.cpu_ns) / 1e9;
  stack->wall_s += (t1 - t0) / 1e9;
  stack->server_retransmissions += after.retransmissions - before.retransmissions;
  stack->server_requests += after.requests - before.requests;
  stack->server_live = after.live;
}

static void
run_rounds (Bench *b, guint n_rounds, guint round_ms, guint window, guint warmup_ms)
{
  for (int s = 0; s < N_STACKS; s++)
    if (b->stacks[s].enabled)
      {
        b->stacks[s].round_rate = g_new0 (double, n_rounds);
        timed_round (b, (StackId) s, warmup_ms, window, NULL);
      }
  for (guint r = 0; r < n_rounds; r++)
    for (int s = 0; s < N_STACKS; s++)
      if (b->stacks[s].enabled)
        timed_round (b, (StackId) s, round_ms, window, &b->stacks[s].round_rate[r]);

  for (int s = 0; s < N_STACKS; s++)
    {
      Stack *stack = &b->stacks[s];
      double *sorted;

      if (!stack->enabled)
        continue;
      sorted = g_memdup2 (stack->round_rate, n_rounds * sizeof (double));
      qsort (sorted, n_rounds, sizeof (double), bench_compare_doubles);
      stack->min = sorted[0];
      stack->max = sorted[n_rounds - 1];
      stack->median = n_rounds % 2 == 1
        ? sorted[n_rounds / 2]
        : (sorted[n_rounds / 2 - 1] + sorted[n_rounds / 2]) / 2;
      g_free (sorted);
    }
}

static void
print_rounds (Bench *b, guint n_rounds, guint round_ms, guint window, guint warmup_ms)
{
  Stack *netsip = &b->stacks[STACK_NETSIP];
  Stack *sofia = &b->stacks[STACK_SOFIA];

  g_print ("\nOPTIONS transactions on loopback UDP, window %u outstanding, T1 %u ms (Timer J %.1f s), "
           "warm-up %u ms per stack, median of %u rounds of %u ms, stacks alternating round by round\n",
           window, b->t1_ms, 64 * b->t1_ms / 1000.0, warmup_ms, n_rounds, round_ms);
  g_print ("%-12s %10s %8s %16s %10s %10s %7s %8s\n",
           "stack", "trans/s", "us/tr", "round min..max", "client CPU", "server CPU", "failed", "retrans");
  g_print ("%-12s %10s %8s %16s %10s %10s %7s %8s\n",
           "-----", "-------", "-----", "--------------", "----------", "----------", "------", "-------");
  for (int s = 0; s < N_STACKS; s++)
    {
      Stack *stack = &b->stacks[s];
      g_autofree char *spread = NULL;

      if (!stack->enabled)
        continue;
      spread = g_strdup_printf ("%.1fk..%.1fk", stack->min / 1000, stack->max / 1000);
      g_print ("%-12s %10.0f %8.2f %16s %9.0f%% %9.0f%% %7" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT "\n",
               stack->name, stack->median, 1e6 / stack->median, spread,
               100 * stack->client_cpu_s / stack->wall_s, 100 * stack->server_cpu_s / stack->wall_s,
               stack->failed, stack->server_retransmissions);
    }
  for (int s = 0; s < N_STACKS; s++)
    if (b->stacks[s].enabled)
      {
        g_print ("rounds %-7s", b->stacks[s].option);
        for (guint r = 0; r < n_rounds; r++)
          g_print (" %.1fk", b->stacks[s].round_rate[r] / 1000);
        g_print ("\n");
      }
  for (int s = 0; s < N_STACKS; s++)
    if (b->stacks[s].enabled)
      g_print ("%s server: %" G_GUINT64_FORMAT " requests in the rounds, %" G_GUINT64_FORMAT
               " server transactions alive after the last (Timer J keeps each 64*T1)\n",
               b->stacks[s].name, b->stacks[s].server_requests, b->stacks[s].server_live);
  g_print ("(retrans: retransmitted requests the server absorbed; CPU: over the rounds including the\n"
           " drain of the window after each deadline; the client process runs both clients)\n");
  if (netsip->enabled && sofia->enabled)
    g_print ("\nnetsip/sofia: %.2f\n", netsip->median / sofia->median);
}

/* ------------------------------------------------------------------------ */
/* Memory per pending client transaction (a fresh process: --memory=STACK)  */

typedef struct
{
  guint32 ok;
  guint32 count;
  double  heap_per;        /* per pending transaction, request included */
  double  request_per;     /* per request as the application hands it over */
  double  rss_per;
  double  after_cleanup;   /* heap above the baseline once all are gone, total bytes */
  guint64 pending;         /* transactions the stack holds */
  guint64 sent;            /* requests sent once */
  guint64 retransmitted;
  guint64 wire_bytes;      /* one request as sent */
  double  seconds;         /* to create and send them all */
  char    message[200];
} MemResult;

static int
dropping_socket (guint16 *port)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  socklen_t len = sizeof addr;
  int fd = socket (AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  if (fd < 0 || bind (fd, (struct sockaddr *) &addr, sizeof addr) < 0 ||
      getsockname (fd, (struct sockaddr *) &addr, &len) < 0)
    return -1;
  *port = ntohs (addr.sin_port);
  return fd;
}

typedef struct
{
  guint64 completed;
  guint64 cancelled;
  guint64 other;
} MemCounts;

static void
netsip_memory_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  MemCounts *counts = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipResponse) response = NULL;

  counts->completed++;
  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &response, &error) &&
      (g_error_matches (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED) ||
       g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)))
    counts->cancelled++;
  else
    counts->other++;
}

static void
iterate_for (guint ms)
{
  guint64 end = now_ns () + (guint64) ms * 1000000;
  guint wake = g_timeout_add (ms, wake_up, NULL);

  while (now_ns () < end)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
}

static void
netsip_memory (guint count, MemResult *res)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = NULL;
  g_autoptr(NetSipDispatcher) dispatcher = NULL;
  g_autoptr(GPtrArray) held = NULL;
  g_autofree Slot *slots = g_new0 (Slot, count);
  Bench counters = { 0 };
  MemCounts counts = { 0 };
  char uri[80], to[80];
  guint16 port = 0;
  gsize heap0, heap1, rss0, rss1;
  guint64 start, deadline, seq = 1;
  guint wake;
  int drop_fd = dropping_socket (&port);

  if (drop_fd < 0)
    {
      g_snprintf (res->message, sizeof res->message, "dropping socket: %s", g_strerror (errno));
      return;
    }
  leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  if (leg == NULL)
    {
      g_snprintf (res->message, sizeof res->message, "udp:127.0.0.1:0: %s", error->message);
      return;
    }
  dispatcher = net_sip_dispatcher_new (&leg, 1);
  set_uint_property (dispatcher, "t1", MEMORY_T1_MS);
  set_uint_property (dispatcher, "max-queue", count + 1000);
  g_signal_connect (dispatcher, "message-sent", G_CALLBACK (netsip_message_sent), &counters);
  g_snprintf (uri, sizeof uri, "sip:drop@127.0.0.1:%u", port);
  g_snprintf (to, sizeof to, "<sip:drop@127.0.0.1:%u>", port);

  /* warm-up: lazily made types, the leg's buffers, the GTask machinery */
  for (guint i = 0; i < 64; i++)
    {
      g_autoptr(NetSipRequest) request = NULL;

      slot_stamp (&slots[i], seq++);
      request = netsip_build_request (uri, to, &slots[i]);
      net_sip_dispatcher_deliver_async (dispatcher, NET_SIP_MESSAGE (request), NULL, NULL,
                                        netsip_memory_done, &counts);
    }
  iterate_for (100);
  for (guint i = 0; i < 64; i++)
    net_sip_dispatcher_cancel_delivery_by_call_id (dispatcher, slots[i].call_id);
  deadline = now_ns () + 5 * G_GUINT64_CONSTANT (1000000000);
  while (counts.completed < 64 && now_ns () < deadline)
    iterate_for (10);
  if (counts.cancelled != 64)
    {
      g_snprintf (res->message, sizeof res->message,
                  "warm-up: %" G_GUINT64_FORMAT " of 64 transactions ended as cancelled (%" G_GUINT64_FORMAT " otherwise)",
                  counts.cancelled, counts.other);
      return;
    }
  counts = (MemCounts) { 0 };
  counters.netsip_first_sends = counters.netsip_retransmitted = 0;
  netsip_first_request_bytes = 0;
  iterate_for (100);

  /* the requests themselves, as the application hands them over */
  heap0 = bench_heap_bytes ();
  held = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < count; i++)
    {
      slot_stamp (&slots[i], seq + i);
      g_ptr_array_add (held, netsip_build_request (uri, to, &slots[i]));
    }
  heap1 = bench_heap_bytes ();
  res->request_per = ((double) heap1 - (double) heap0) / count;
  g_clear_pointer (&held, g_ptr_array_unref);

  /* the pending transactions */
  iterate_for (50);
  malloc_trim (0);
  heap0 = bench_heap_bytes ();
  rss0 = bench_rss_bytes ();
  start = now_ns ();
  for (guint i = 0; i < count; i++)
    {
      g_autoptr(NetSipRequest) request = NULL;

      slot_stamp (&slots[i], seq++);
      request = netsip_build_request (uri, to, &slots[i]);
      net_sip_dispatcher_deliver_async (dispatcher, NET_SIP_MESSAGE (request), NULL, NULL,
                                        netsip_memory_done, &counts);
    }
  deadline = now_ns () + 30 * G_GUINT64_CONSTANT (1000000000);
  wake = g_timeout_add (10, wake_up, NULL);
  while (counters.netsip_first_sends < count && now_ns () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake);
  res->seconds = (now_ns () - start) / 1e9;
  iterate_for (200);
  heap1 = bench_heap_bytes ();
  rss1 = bench_rss_bytes ();
  res->heap_per = ((double) heap1 - (double) heap0) / count;
  res->rss_per = ((double) rss1 - (double) rss0) / count;
  res->pending = bench_get_uint_property (dispatcher, "n-transactions");
  res->sent = counters.netsip_first_sends;
  res->retransmitted = counters.netsip_retransmitted;
  res->wire_bytes = netsip_first_request_bytes;
  if (counts.completed != 0)
    {
      g_snprintf (res->message, sizeof res->message,
                  "%" G_GUINT64_FORMAT " transactions ended while they should be pending", counts.completed);
      return;
    }

  /* and all of them gone again */
  for (guint i = 0; i < count; i++)
    net_sip_dispatcher_cancel_delivery_by_call_id (dispatcher, slots[i].call_id);
  deadline = now_ns () + 10 * G_GUINT64_CONSTANT (1000000000);
  while (counts.completed < count && now_ns () < deadline)
    iterate_for (10);
  iterate_for (100);
  res->after_cleanup = (double) bench_heap_bytes () - (double) heap0;
  if (counts.cancelled != count)
    {
      g_snprintf (res->message, sizeof res->message,
                  "cancelling: %" G_GUINT64_FORMAT " of %u ended as cancelled, %" G_GUINT64_FORMAT " otherwise",
                  counts.cancelled, count, counts.other);
      return;
    }
  res->count = count;
  res->ok = TRUE;
  close (drop_fd);
}

static int
sofia_memory_response (Slot *slot, nta_outgoing_t *orq, sip_t const *sip)
{
  /* nothing answers; only a local error or timeout would get here */
  slot->index = G_MAXUINT;
  return 0;
}

static void
sofia_memory (guint count, MemResult *res)
{
  SofiaSide side = { 0 };
  g_autofree Slot *slots = g_new0 (Slot, count);
  g_autofree nta_outgoing_t **orqs = g_new0 (nta_outgoing_t *, count);
  g_autofree msg_t **msgs = g_new0 (msg_t *, count);
  char uri[80], to[80], request_line[120];
  guint16 port = 0;
  gsize heap0, heap1, rss0, rss1;
  guint64 start, seq = 1;
  usize_t sent0 = 0, sent1 = 0, retry = 0, live = 0;
  int drop_fd = dropping_socket (&port);

  if (drop_fd < 0)
    {
      g_snprintf (res->message, sizeof res->message, "dropping socket: %s", g_strerror (errno));
      return;
    }
  if (!sofia_side_init (&side, MEMORY_T1_MS, res->message, sizeof res->message))
    return;
  side.leg = nta_leg_tcreate (side.agent, NULL, NULL, NTATAG_NO_DIALOG (1), TAG_END ());
  g_snprintf (uri, sizeof uri, "sip:drop@127.0.0.1:%u", port);
  g_snprintf (to, sizeof to, "<sip:drop@127.0.0.1:%u>", port);
  g_snprintf (request_line, sizeof request_line, "OPTIONS %s SIP/2.0", uri);

#define SOFIA_REQUEST_TAGS(slot)                  \
  SIPTAG_MAX_FORWARDS_STR ("70"),                 \
  SIPTAG_FROM_STR ((slot)->from),                 \
  SIPTAG_TO_STR (to),                             \
  SIPTAG_CALL_ID_STR ((slot)->call_id),           \
  SIPTAG_CSEQ_STR ("1 OPTIONS")

  /* warm-up */
  for (guint i = 0; i < 64; i++)
    {
      slot_stamp (&slots[i], seq++);
      orqs[i] = nta_outgoing_tcreate (side.leg, sofia_memory_response, &slots[i], NULL,
                                      SIP_METHOD_OPTIONS, (url_string_t const *) uri,
                                      SOFIA_REQUEST_TAGS (&slots[i]), TAG_END ());
    }
  for (int i = 0; i < 10; i++)
    su_root_step (side.root, 10);
  for (guint i = 0; i < 64; i++)
    if (orqs[i] != NULL)
      nta_outgoing_destroy (orqs[i]);
  for (int i = 0; i < 10; i++)
    su_root_step (side.root, 10);

  /* the requests themselves: the message nta_outgoing_tcreate() makes from
   * the same tags before it adds its Via and serializes */
  heap0 = bench_heap_bytes ();
  for (guint i = 0; i < count; i++)
    {
      slot_stamp (&slots[i], seq + i);
      msgs[i] = nta_msg_create (side.agent, 0);
      sip_add_tl (msgs[i], sip_object (msgs[i]), SIPTAG_REQUEST_STR (request_line),
                  SOFIA_REQUEST_TAGS (&slots[i]), TAG_END ());
    }
  heap1 = bench_heap_bytes ();
  res->request_per = ((double) heap1 - (double) heap0) / count;
  for (guint i = 0; i < count; i++)
    msg_destroy (msgs[i]);

  for (int i = 0; i < 5; i++)
    su_root_step (side.root, 10);
  malloc_trim (0);
  nta_agent_get_stats (side.agent, NTATAG_S_SENT_REQUEST_REF (sent0), TAG_END ());
  heap0 = bench_heap_bytes ();
  rss0 = bench_rss_bytes ();
  start = now_ns ();
  for (guint i = 0; i < count; i++)
    {
      slot_stamp (&slots[i], seq++);
      slots[i].index = i;
      orqs[i] = nta_outgoing_tcreate (side.leg, sofia_memory_response, &slots[i], NULL,
                                      SIP_METHOD_OPTIONS, (url_string_t const *) uri,
                                      SOFIA_REQUEST_TAGS (&slots[i]), TAG_END ());
      if (orqs[i] == NULL)
        {
          g_snprintf (res->message, sizeof res->message, "nta_outgoing_tcreate failed at %u", i);
          return;
        }
    }
  for (guint64 end = now_ns () + 200000000; now_ns () < end;)
    su_root_step (side.root, 10);
  res->seconds = (now_ns () - start) / 1e9;
  heap1 = bench_heap_bytes ();
  rss1 = bench_rss_bytes ();
  nta_agent_get_stats (side.agent,
                       NTATAG_S_SENT_REQUEST_REF (sent1),
                       NTATAG_S_RETRY_REQUEST_REF (retry),
                       NTATAG_S_ORQ_HASH_USED_REF (live),
                       TAG_END ());
  res->heap_per = ((double) heap1 - (double) heap0) / count;
  res->rss_per = ((double) rss1 - (double) rss0) / count;
  res->sent = sent1 - sent0;
  res->retransmitted = retry;
  res->pending = live;
  {
    gsize n = 0;
    char *text = sofia_message_text (nta_outgoing_getrequest (orqs[0]), &n);

    res->wire_bytes = n;
    su_free (NULL, text);
  }
  for (guint i = 0; i < count; i++)
    if (slots[i].index == G_MAXUINT)
      {
        g_snprintf (res->message, sizeof res->message, "a transaction ended while it should be pending");
        return;
      }

  for (guint i = 0; i < count; i++)
    nta_outgoing_destroy (orqs[i]);
  for (int i = 0; i < 20; i++)
    su_root_step (side.root, 10);
  res->after_cleanup = (double) bench_heap_bytes () - (double) heap0;
  res->count = count;
  res->ok = TRUE;
#undef SOFIA_REQUEST_TAGS
  sofia_side_clear (&side);
  close (drop_fd);
}

static int
memory_main (int fd, const char *stack, guint count)
{
  MemResult res = { 0 };

  if (g_strcmp0 (stack, "netsip") == 0)
    netsip_memory (count, &res);
  else if (g_strcmp0 (stack, "sofia") == 0)
    sofia_memory (count, &res);
  else
    g_snprintf (res.message, sizeof res.message, "unknown stack %s", stack);
  return bench_write_all (fd, &res, sizeof res) ? 0 : 1;
}

static void
run_memory (Bench *b, guint count, int cpu)
{
  g_print ("\nMemory per pending client transaction: %u OPTIONS to a UDP socket that never answers, "
           "T1 %u s, a fresh process each, G_SLICE=always-malloc, heap = mallinfo2 uordblks + hblkhd\n",
           count, MEMORY_T1_MS / 1000);
  g_print ("%-12s %9s %9s %12s %10s %9s %8s %8s %7s %14s\n",
           "stack", "heap/tr", "request", "besides req", "wire req", "RSS/tr", "pending", "sent", "retrans",
           "left after end");
  g_print ("%-12s %9s %9s %12s %10s %9s %8s %8s %7s %14s\n",
           "-----", "-------", "-------", "-----------", "--------", "------", "-------", "----", "-------",
           "--------------");
  for (int s = 0; s < N_STACKS; s++)
    {
      Stack *stack = &b->stacks[s];
      g_autofree char *memory_arg = NULL;
      g_autofree char *count_arg = NULL;
      const char *args[3];
      MemResult res;
      int fd, status;
      pid_t pid;

      if (!stack->enabled)
        continue;
      memory_arg = g_strdup_printf ("--memory=%s", stack->option);
      count_arg = g_strdup_printf ("--count=%u", count);
      args[0] = memory_arg;
      args[1] = count_arg;
      args[2] = NULL;
      pid = start_child (args, cpu, TRUE, &fd);
      if (!bench_read_all_timeout (fd, &res, sizeof res, 120000))
        fail ("memory %s: no result within 120 s", stack->name);
      status = reap_child (pid, 10000);
      close (fd);
      if (!res.ok)
        fail ("memory %s: %s", stack->name, res.message);
      if (status != 0)
        fail ("memory %s: the measuring process exited with status %d", stack->name, status);
      if (res.heap_per == 0 && res.request_per == 0)
        g_print ("  %s: mallinfo2() reports no heap in use (a sanitizer's allocator?): "
                 "the heap figures below mean nothing\n", stack->name);
      g_print ("%-12s %9.0f %9.0f %12.0f %10" G_GUINT64_FORMAT " %9.0f %8" G_GUINT64_FORMAT " %8" G_GUINT64_FORMAT
               " %7" G_GUINT64_FORMAT " %+14.0f\n",
               stack->name, res.heap_per, res.request_per, res.heap_per - res.request_per, res.wire_bytes,
               res.rss_per, res.pending, res.sent, res.retransmitted, res.after_cleanup);
      if (res.sent != count || res.retransmitted != 0)
        g_print ("  %s: %" G_GUINT64_FORMAT " of %u requests sent, %" G_GUINT64_FORMAT " retransmitted\n",
                 stack->name, res.sent, count, res.retransmitted);
      if (s == STACK_NETSIP)
        g_print ("  netsip: %.0f bytes per pending transaction besides the request (goal <= 1024: %s)\n",
                 res.heap_per - res.request_per, res.heap_per - res.request_per <= 1024 ? "met" : "NOT met");
      else
        g_print ("  sofia: \"left after end\": nta_outgoing_destroy() does not end a pending non-INVITE\n"
                 "  transaction; nta keeps it until a final response or Timer F (64*T1); \"pending\"\n"
                 "  includes the 64 of the warm-up\n");
    }
  g_print ("(bytes; heap/tr: everything per pending transaction; request: the request as the application\n"
           " hands it over, built and held alone the same way; besides req = heap/tr - request: the\n"
           " transaction layer's share, including the Via it adds and the serialized copy it keeps\n"
           " for retransmission (wire req bytes); left after end: heap above the baseline once every\n"
           " transaction was cancelled or destroyed)\n");
}

/* ------------------------------------------------------------------------ */

/* Clients on the first allowed CPU, servers on the second. */
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
  g_autofree char *stacks = NULL;
  g_autofree char *server = NULL;
  g_autofree char *memory = NULL;
  g_autofree char *cpu = bench_read_first_line ("/proc/cpuinfo", "model name");
  g_autofree char *load_avg = NULL;
  int control_fd = -1;
  int n_rounds = 7;
  int round_ms = 1000;
  int warmup_ms = 300;
  int window = 64;
  int check_count = 2000;
  int count = 10000;
  int t1_ms = 500;
  int answer_code = 200;
  int max_seconds = 280;
  gboolean no_pin = FALSE;
  gboolean do_throughput = TRUE, do_memory = TRUE;
  GOptionEntry entries[] = {
    { "only", 0, 0, G_OPTION_ARG_STRING, &only, "Run only these parts (comma-separated: throughput, memory)", "LIST" },
    { "stacks", 0, 0, G_OPTION_ARG_STRING, &stacks, "Stacks to measure (comma-separated: netsip, sofia; default both)", "LIST" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &n_rounds, "Timed rounds per stack (default 7)", "N" },
    { "round-ms", 0, 0, G_OPTION_ARG_INT, &round_ms, "Duration of one round in ms (default 1000)", "MS" },
    { "warmup-ms", 0, 0, G_OPTION_ARG_INT, &warmup_ms,
      "Untimed round per stack before the timed ones, in ms (default 300; "
      "more than 64*T1 reaches the steady state where Timer J frees as much as arrives)", "MS" },
    { "window", 0, 0, G_OPTION_ARG_INT, &window, "Transactions outstanding per client (default 64)", "N" },
    { "check-count", 0, 0, G_OPTION_ARG_INT, &check_count, "Transactions per stack in the check before timing (default 2000)", "N" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Pending transactions in the memory measurement (default 10000)", "N" },
    { "t1", 0, 0, G_OPTION_ARG_INT, &t1_ms, "T1 in ms of all four agents in the throughput part (default 500)", "MS" },
    { "answer-code", 0, 0, G_OPTION_ARG_INT, &answer_code,
      "Status code the servers answer (default 200; anything else must make the check fail)", "CODE" },
    { "no-pin", 0, 0, G_OPTION_ARG_NONE, &no_pin, "Do not pin clients and servers to CPUs", NULL },
    { "max-seconds", 0, 0, G_OPTION_ARG_INT, &max_seconds, "Abort after this many seconds (default 280)", "S" },
    { "server", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &server, "Run as a server process", "STACK" },
    { "memory", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &memory, "Run as a memory measurement", "STACK" },
    { "control-fd", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_INT, &control_fd, "Talk to the parent on this fd", "FD" },
    G_OPTION_ENTRY_NULL
  };
  Bench b = {
    .stacks = {
      [STACK_NETSIP] = { .name = "netsip-glib", .option = "netsip", .enabled = TRUE },
      [STACK_SOFIA] = { .name = "sofia-sip", .option = "sofia", .enabled = TRUE },
    },
  };
  int client_cpu = -1, server_cpu = -1;

  context = g_option_context_new ("- non-INVITE transactions/s and memory per pending client transaction, "
                                  "netsip-glib vs sofia-sip nta");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (n_rounds < 1 || round_ms < 1 || warmup_ms < 1 || window < 1 || window > MAX_WINDOW || check_count < 1 ||
      count < 1 || t1_ms < 1 || t1_ms > 60000 || max_seconds < 1 || answer_code < 100 || answer_code > 699)
    {
      g_printerr ("--rounds, --round-ms, --warmup-ms, --check-count, --count, --max-seconds must be positive, "
                  "--window 1..%d, --t1 1..60000, --answer-code 100..699\n", MAX_WINDOW);
      return 2;
    }
  signal (SIGPIPE, SIG_IGN);

  if (server != NULL || memory != NULL)
    {
      if (control_fd < 0)
        {
          g_printerr ("--server and --memory need --control-fd\n");
          return 2;
        }
      /* a hung child ends by itself too */
      alarm ((unsigned) max_seconds);
      if (memory != NULL)
        return memory_main (control_fd, memory, (guint) count);
      if (g_strcmp0 (server, "netsip") == 0)
        return netsip_server_main (control_fd, (guint) answer_code, (guint) t1_ms);
      if (g_strcmp0 (server, "sofia") == 0)
        return sofia_server_main (control_fd, (guint) answer_code, (guint) t1_ms);
      g_printerr ("--server: unknown stack %s\n", server);
      return 2;
    }

  if (only != NULL)
    {
      do_throughput = strstr (only, "throughput") != NULL;
      do_memory = strstr (only, "memory") != NULL;
    }
  if (stacks != NULL)
    {
      b.stacks[STACK_NETSIP].enabled = strstr (stacks, "netsip") != NULL;
      b.stacks[STACK_SOFIA].enabled = strstr (stacks, "sofia") != NULL;
    }
  b.t1_ms = (guint) t1_ms;
  /* distinct Call-IDs from run to run */
  b.seq = (guint64) getpid () << 40;

  /* A hung run ends here; the children die with us (PR_SET_PDEATHSIG) */
  alarm ((unsigned) max_seconds);

  if (!no_pin && pick_cpus (&client_cpu, &server_cpu))
    {
      cpu_set_t set;

      CPU_ZERO (&set);
      CPU_SET (client_cpu, &set);
      if (sched_setaffinity (0, sizeof set, &set) != 0)
        client_cpu = server_cpu = -1;
    }
  else
    client_cpu = server_cpu = -1;

  load_avg = bench_read_first_line ("/proc/loadavg", NULL);
  g_print ("machine: %s, %u CPUs, load average %s; G_SLICE=%s in this process\n",
           cpu != NULL ? cpu : "?", g_get_num_processors (), load_avg != NULL ? load_avg : "?",
           g_getenv ("G_SLICE") != NULL ? g_getenv ("G_SLICE") : "(unset)");
  if (client_cpu >= 0)
    g_print ("pinned: clients (this process) on CPU %d, servers on CPU %d\n", client_cpu, server_cpu);
  else
    g_print ("not pinned%s\n", no_pin ? " (--no-pin)" : " (fewer than 2 CPUs allowed)");

  if (do_throughput)
    {
      for (int s = 0; s < N_STACKS; s++)
        if (b.stacks[s].enabled)
          start_server (&b.stacks[s], server_cpu, (guint) answer_code, (guint) t1_ms);
      start_clients (&b);
      for (int s = 0; s < N_STACKS; s++)
        if (b.stacks[s].enabled)
          check_stack (&b, (StackId) s, (guint) check_count, (guint) window);
      run_rounds (&b, (guint) n_rounds, (guint) round_ms, (guint) window, (guint) warmup_ms);
      print_rounds (&b, (guint) n_rounds, (guint) round_ms, (guint) window, (guint) warmup_ms);
      for (int s = 0; s < N_STACKS; s++)
        if (b.stacks[s].enabled)
          quit_server (&b.stacks[s]);
    }
  if (do_memory)
    run_memory (&b, (guint) count, client_cpu);

  g_clear_object (&b.netsip);
  g_clear_object (&b.netsip_leg);
  if (b.sofia.agent != NULL)
    sofia_side_clear (&b.sofia);
  for (int s = 0; s < N_STACKS; s++)
    g_free (b.stacks[s].round_rate);
  return 0;
}
