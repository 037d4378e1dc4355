/* netsip-socket-pool-stream.c: the TCP and TLS side of a socket pool: a
 * listening socket, the connections it accepts and opens, their framing,
 * write queues and expiry (RFC 3261 §18, RFC 5626 §3.5.1, RFC 5922)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-transport-private.h"

#include <gio/gio.h>
#include <gio/gnetworking.h>

#include "netsip-socket-pool-private.h"
#include "netsip-message-private.h"
#include "netsip-stream-framer.h"
#include "netsip-error.h"

/* Everything here runs on the pool's main context (self->context): the
 * listening socket's source, one pollable source per connection for
 * reading, g_output_stream_write_all_async() for writing, GSocketClient and
 * the TLS handshake for connecting, and one periodic source per pool that
 * expires idle connections and bounds connects, handshakes and slow
 * senders. No timer per connection: a pool may hold thousands.
 *
 * Reading does not use g_input_stream_read_bytes_async(): that allocates
 * a buffer of tcp-readsize bytes per connection and holds it while the
 * connection is idle. A pollable source reads into one buffer shared by
 * the pool instead, so an idle connection costs its socket, its stream
 * objects and its source, and its framer only while a message is partly
 * received.
 *
 * Reentrancy: completing a GTask or emitting ::message-received runs
 * application code that may send, close a connection or close the whole
 * pool. Connection state is therefore changed first and callbacks run
 * last, with a reference held on what is used afterwards. */

#define ACCEPT_BATCH     64    /* connections accepted per wakeup */
#define LISTEN_BACKLOG   128
#define TICK_SECONDS     1

typedef enum {
  CONN_CONNECTING,   /* outgoing: TCP connect in progress */
  CONN_HANDSHAKING,  /* TLS handshake in progress */
  CONN_OPEN,
  CONN_CLOSING,      /* no more reading: writes what is queued (a 400), then closes */
  CONN_CLOSED,
} ConnState;

typedef struct _Conn Conn;

typedef struct
{
  Conn    *conn;
  GBytes  *data;
  GTask   *task;           /* NULL for pongs and answers to garbage */
  GSource *cancel_source;  /* while queued, when the task has a cancellable */
} WriteOp;

struct _Conn
{
  NetSipStreamSet    *set;             /* NULL once closed */
  ConnState           state;
  gboolean            outgoing;

  GSocketConnection  *tcp;
  GIOStream          *stream;          /* tcp, or the GTlsConnection over it */
  GInetSocketAddress *remote;
  GInetSocketAddress *local;
  char               *server_identity; /* outgoing TLS: what the certificate names */
  GTlsCertificate    *peer_certificate;
  NetSipSourceInfo   *source_info;     /* made on the first message */

  NetSipStreamFramer *framer;          /* dropped while idle */
  GSource            *read_source;
  GCancellable       *cancellable;     /* connect and handshake */

  GQueue              writes;          /* WriteOp, oldest first */
  WriteOp            *writing;         /* in g_output_stream_write_all_async() */
  GQueue              tids;            /* GRefString, oldest first */

  GList               link;            /* in set->conns */
  gint64              started;         /* monotonic µs: connect or accept */
  gint64              last_activity;   /* monotonic µs: last read or write */
  gint64              partial_since;   /* monotonic µs: a message began; 0: none */
};

struct _NetSipStreamSet
{
  NetSipSocketPool *pool;         /* not owned; NULL once closed */
  GQueue            conns;        /* Conn, through Conn.link */
  GHashTable       *by_peer;      /* GInetSocketAddress → Conn, for reuse */
  GHashTable       *by_tid;       /* GRefString → Conn, for responses */
  GSocketClient    *client;
  GSource          *timer;        /* runs while there are connections */
  guint8           *read_buffer;  /* shared by all connections */
  gsize             read_buffer_size;
  gboolean          accept_paused;
};

static void     conn_flush       (Conn *conn);
static void     conn_start_tls   (Conn *conn);
static void     set_ensure_timer (NetSipStreamSet *set);
static gboolean listener_ready   (GSocket *socket, GIOCondition condition, gpointer user_data);

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static gint64
now_us (void)
{
  return g_get_monotonic_time ();
}

static char *
address_to_string (GInetSocketAddress *address)
{
  return address ? g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (address))
                 : g_strdup ("(unknown)");
}

/* Peers are keyed by IP address and port: the same IP on another port is
 * another SIP entity (RFC 3261 §18.1.1 sends to the port of the next hop). */
static guint
peer_hash (gconstpointer key)
{
  GInetSocketAddress *sa = (GInetSocketAddress *) key;
  GInetAddress *ia = g_inet_socket_address_get_address (sa);
  const guint8 *b = g_inet_address_to_bytes (ia);
  gsize n = g_inet_address_get_native_size (ia);
  guint h = g_inet_socket_address_get_port (sa);

  for (gsize i = 0; i < n; i++)
    h = h * 31 + b[i];
  return h;
}

static gboolean
peer_equal (gconstpointer a,
            gconstpointer b)
{
  return net_sip_socket_address_equal ((GInetSocketAddress *) a, (GInetSocketAddress *) b);
}

static void
set_tcp_nodelay (GSocketConnection *connection)
{
  /* One write is one whole message: Nagle's algorithm would only hold a
   * pipelined response back until the peer's delayed ACK. */
  g_socket_set_option (g_socket_connection_get_socket (connection),
                       IPPROTO_TCP, TCP_NODELAY, 1, NULL);
}

/* ------------------------------------------------------------------ */
/* The set                                                             */

static void
set_free (NetSipStreamSet *set)
{
  g_assert (g_queue_is_empty (&set->conns));
  g_hash_table_unref (set->by_peer);
  g_hash_table_unref (set->by_tid);
  g_clear_object (&set->client);
  g_free (set->read_buffer);
}

static NetSipStreamSet *
set_ref (NetSipStreamSet *set)
{
  return g_rc_box_acquire (set);
}

static void
set_unref (NetSipStreamSet *set)
{
  g_rc_box_release_full (set, (GDestroyNotify) set_free);
}

static NetSipStreamSet *
set_new (NetSipSocketPool *pool)
{
  NetSipStreamSet *set = g_rc_box_new0 (NetSipStreamSet);

  set->pool = pool;
  g_queue_init (&set->conns);
  set->by_peer = g_hash_table_new (peer_hash, peer_equal);
  set->by_tid = g_hash_table_new_full (g_str_hash, g_str_equal,
                                       (GDestroyNotify) g_ref_string_release, NULL);
  set->client = g_socket_client_new ();
  /* SIP has its own routing (RFC 3263); a desktop proxy setting must not
   * redirect signalling. */
  g_socket_client_set_enable_proxy (set->client, FALSE);
  /* No client timeout: set_tick() enforces connect-timeout by cancelling
   * the connect (and the TLS handshake after it, which the client's
   * timeout would not cover); also, in GLib 2.74 a client timeout that
   * fires leaks the connect's state. */
  g_socket_client_set_timeout (set->client, 0);
  return set;
}

/* ------------------------------------------------------------------ */
/* Connections                                                         */

static void
write_op_free (WriteOp *op)
{
  if (op->cancel_source)
    {
      g_source_destroy (op->cancel_source);
      g_source_unref (op->cancel_source);
    }
  g_clear_object (&op->task);
  g_bytes_unref (op->data);
  g_free (op);
}

static void
conn_free (Conn *conn)
{
  g_assert (conn->state == CONN_CLOSED);
  g_assert (g_queue_is_empty (&conn->writes) && conn->writing == NULL);
  if (conn->stream)
    g_signal_handlers_disconnect_by_data (conn->stream, conn);
  g_clear_object (&conn->framer);
  g_clear_object (&conn->stream);
  g_clear_object (&conn->tcp);
  g_clear_object (&conn->remote);
  g_clear_object (&conn->local);
  g_clear_object (&conn->peer_certificate);
  g_clear_object (&conn->source_info);
  g_clear_object (&conn->cancellable);
  g_free (conn->server_identity);
}

static Conn *
conn_ref (Conn *conn)
{
  return g_rc_box_acquire (conn);
}

static void
conn_unref (Conn *conn)
{
  g_rc_box_release_full (conn, (GDestroyNotify) conn_free);
}

/* A new connection, held by @set (the reference returned is the set's). */
static Conn *
conn_new (NetSipStreamSet    *set,
          GInetSocketAddress *remote,
          ConnState           state)
{
  Conn *conn = g_rc_box_new0 (Conn);

  conn->set = set;
  conn->state = state;
  conn->remote = g_object_ref (remote);
  conn->cancellable = g_cancellable_new ();
  g_queue_init (&conn->writes);
  g_queue_init (&conn->tids);
  conn->started = conn->last_activity = now_us ();
  conn->link.data = conn;
  g_queue_push_tail_link (&set->conns, &conn->link);
  /* the newest connection to a peer is the one to reuse */
  g_hash_table_replace (set->by_peer, conn->remote, conn);
  set_ensure_timer (set);
  return conn;
}

/* Closes @conn at once: unlinks it from its set, shuts the socket down
 * (the peer sees the close now; the descriptor is released with the last
 * reference, so an operation still in flight never meets a reused
 * descriptor) and fails every write not yet done with @code and @message.
 * The tasks are completed last: their callbacks may do anything. */
static void
conn_close_literal (Conn       *conn,
                    gint        code,
                    const char *message)
{
  NetSipStreamSet *set = conn->set;
  GQueue failed = G_QUEUE_INIT;
  GTask *task;
  WriteOp *op;
  char *tid;

  if (conn->state == CONN_CLOSED)
    return;
  if (!g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN))
    {
      g_autofree char *peer = address_to_string (conn->remote);
      g_debug ("closing the connection to %s: %s", peer, message);
    }
  conn->state = CONN_CLOSED;
  conn_ref (conn);

  g_queue_unlink (&set->conns, &conn->link);
  if (g_hash_table_lookup (set->by_peer, conn->remote) == conn)
    g_hash_table_remove (set->by_peer, conn->remote);
  while ((tid = g_queue_pop_head (&conn->tids)))
    {
      if (g_hash_table_lookup (set->by_tid, tid) == conn)
        g_hash_table_remove (set->by_tid, tid);
      g_ref_string_release (tid);
    }
  conn->set = NULL;

  if (conn->read_source)
    {
      g_source_destroy (conn->read_source);
      g_clear_pointer (&conn->read_source, g_source_unref);
    }
  g_cancellable_cancel (conn->cancellable);
  if (conn->tcp)
    g_socket_shutdown (g_socket_connection_get_socket (conn->tcp), TRUE, TRUE, NULL);
  g_clear_object (&conn->framer);

  /* the write in flight keeps its bytes and its task until its callback,
   * which says whether the bytes went out: a peer that reads a response and
   * closes at once must not turn a delivered response into a failure */
  while ((op = g_queue_pop_head (&conn->writes)))
    {
      if (op->task)
        g_queue_push_tail (&failed, g_steal_pointer (&op->task));
      write_op_free (op);
    }
  conn_unref (conn);  /* the set's reference */

  while ((task = g_queue_pop_head (&failed)))
    {
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, code, "%s", message);
      g_object_unref (task);
    }
  conn_unref (conn);
}

static void conn_close (Conn       *conn,
                        gint        code,
                        const char *format,
                        ...) G_GNUC_PRINTF (3, 4);

static void
conn_close (Conn       *conn,
            gint        code,
            const char *format,
            ...)
{
  g_autofree char *message = NULL;
  va_list args;

  if (conn->state == CONN_CLOSED)
    return;
  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  conn_close_literal (conn, code, message);
}

/* Write queue ------------------------------------------------------- */

static gboolean
write_op_cancelled (GCancellable *cancellable,
                    gpointer      user_data)
{
  WriteOp *op = user_data;
  Conn *conn = op->conn;
  GTask *task;

  /* Only a write not yet started can be taken back: half a message on the
   * stream would break its framing for the peer (RFC 3261 §18.3). */
  g_clear_pointer (&op->cancel_source, g_source_unref);
  if (conn->writing == op || !g_queue_remove (&conn->writes, op))
    return G_SOURCE_REMOVE;
  task = g_steal_pointer (&op->task);
  write_op_free (op);
  g_task_return_error_if_cancelled (task);
  g_object_unref (task);
  return G_SOURCE_REMOVE;
}

/* Queues @data on @conn. @task (nullable) completes when it is written. */
static void
conn_queue (Conn   *conn,
            GBytes *data,
            GTask  *task)
{
  WriteOp *op = g_new0 (WriteOp, 1);
  GCancellable *cancellable = task ? g_task_get_cancellable (task) : NULL;

  op->conn = conn;
  op->data = g_bytes_ref (data);
  op->task = task ? g_object_ref (task) : NULL;
  if (cancellable)
    {
      /* a source, not g_cancellable_connect(): the cancellable may be
       * cancelled from another thread, and the queue is this context's */
      op->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (op->cancel_source, G_SOURCE_FUNC (write_op_cancelled), op, NULL);
      g_source_attach (op->cancel_source, conn->set->pool->context);
    }
  g_queue_push_tail (&conn->writes, op);
  conn_flush (conn);
}

static void
conn_write_done (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  WriteOp *op = conn->writing;
  GTask *task;

  g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error);
  if (conn->state == CONN_CLOSED)
    {
      /* closed while this write was in flight: it succeeded if all of its
       * bytes were written */
      task = g_steal_pointer (&op->task);
      conn->writing = NULL;
      write_op_free (op);
      if (task)
        {
          if (error == NULL)
            g_task_return_boolean (task, TRUE);
          else
            g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR,
                                     NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                                     "the connection closed while writing: %s", error->message);
          g_object_unref (task);
        }
      conn_unref (conn);
      return;
    }
  if (error)
    {
      conn_close (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                  "the connection broke while writing: %s", error->message);
      conn->writing = NULL;
      write_op_free (op);
      conn_unref (conn);
      return;
    }

  conn->writing = NULL;
  conn->last_activity = now_us ();
  task = g_steal_pointer (&op->task);
  write_op_free (op);
  if (task)
    conn->set->pool->n_sent++;
  conn_flush (conn);
  if (task)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  conn_unref (conn);
}

/* Starts the next write: one at a time per connection, so that messages
 * never interleave on the stream. */
static void
conn_flush (Conn *conn)
{
  GQueue cancelled = G_QUEUE_INIT;
  GTask *task;

  while (conn->writing == NULL && (conn->state == CONN_OPEN || conn->state == CONN_CLOSING))
    {
      WriteOp *op = g_queue_pop_head (&conn->writes);
      GOutputStream *out;
      gconstpointer data;
      gsize size;

      if (op == NULL)
        {
          if (conn->state == CONN_CLOSING)
            conn_close_literal (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                                "the connection was closed after bad input");
          break;
        }
      if (op->task && g_cancellable_is_cancelled (g_task_get_cancellable (op->task)))
        {
          g_queue_push_tail (&cancelled, g_steal_pointer (&op->task));
          write_op_free (op);
          continue;
        }
      if (op->cancel_source)
        {
          g_source_destroy (op->cancel_source);
          g_clear_pointer (&op->cancel_source, g_source_unref);
        }
      conn->writing = op;
      out = g_io_stream_get_output_stream (conn->stream);
      data = g_bytes_get_data (op->data, &size);
      g_main_context_push_thread_default (conn->set->pool->context);
      g_output_stream_write_all_async (out, data, size, G_PRIORITY_DEFAULT, NULL,
                                       conn_write_done, conn_ref (conn));
      g_main_context_pop_thread_default (conn->set->pool->context);
    }

  while ((task = g_queue_pop_head (&cancelled)))
    {
      g_task_return_error_if_cancelled (task);
      g_object_unref (task);
    }
}

/* Reading ----------------------------------------------------------- */

/* RFC 5626 §3.5.1: a ping (CRLF CRLF) is answered with a pong (CRLF). */
static void
framer_keepalive (NetSipStreamFramer *framer,
                  gboolean            is_ping,
                  gpointer            user_data)
{
  static const char pong[] = "\r\n";
  Conn *conn = user_data;
  g_autoptr(GBytes) bytes = NULL;

  if (!is_ping || conn->state != CONN_OPEN)
    return;
  bytes = g_bytes_new_static (pong, 2);
  conn_queue (conn, bytes, NULL);
}

static NetSipStreamFramer *
conn_get_framer (Conn *conn)
{
  NetSipSocketPool *pool = conn->set->pool;

  if (conn->framer == NULL)
    {
      conn->framer = net_sip_stream_framer_new ();
      net_sip_stream_framer_set_max_header_size (conn->framer, pool->max_sip_header);
      net_sip_stream_framer_set_max_body_size (conn->framer, pool->max_sip_body);
      g_signal_connect (conn->framer, "keepalive-received", G_CALLBACK (framer_keepalive), conn);
    }
  return conn->framer;
}

static NetSipSourceInfo *
conn_get_source_info (Conn *conn)
{
  if (conn->source_info == NULL)
    conn->source_info = net_sip_source_info_new (conn->set->pool->transport, conn->remote,
                                                 conn->local, conn->peer_certificate);
  return conn->source_info;
}

/* Remembers the transaction of a request received on @conn so that its
 * responses go back over it (RFC 3261 §18.2.2); only the last max-tidlist
 * are kept (Net::SIP's MAX_TIDLIST). */
static void
conn_remember_tid (Conn          *conn,
                   NetSipMessage *request)
{
  NetSipStreamSet *set = conn->set;
  guint max = set->pool->max_tidlist;
  const char *tid;
  char *ref;

  if (max == 0 || (tid = net_sip_message_get_tid (request)) == NULL)
    return;
  if (g_hash_table_lookup (set->by_tid, tid) == conn)
    return;  /* an ACK or a retransmission of a request it holds */
  ref = g_ref_string_new (tid);
  g_hash_table_replace (set->by_tid, g_ref_string_acquire (ref), conn);
  g_queue_push_tail (&conn->tids, ref);
  while (conn->tids.length > max)
    {
      char *old = g_queue_pop_head (&conn->tids);
      if (g_hash_table_lookup (set->by_tid, old) == conn)
        g_hash_table_remove (set->by_tid, old);
      g_ref_string_release (old);
    }
}

/* The stream cannot be framed any more (RFC 3261 §18.3: without framing
 * nothing after the bad message can be trusted): answer 400, or 513 for a
 * message over the limits (§21.5.14), when the bytes show a request with a
 * Via, and close once the answer is written. */
static void
conn_framing_failed (Conn         *conn,
                     const GError *error)
{
  NetSipSocketPool *pool = conn->set->pool;
  gboolean too_large = g_error_matches (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
  g_autoptr(GBytes) reply = NULL;

  if (too_large)
    pool->n_dropped_oversize++;
  else
    pool->n_dropped_malformed++;
  g_debug ("dropping a connection: %s", error->message);

  /* the framer keeps the message it could not frame or parse */
  if (conn->framer)
    {
      g_autoptr(GBytes) bytes = net_sip_stream_framer_peek (conn->framer);
      if (g_bytes_get_size (bytes) > 0)
        reply = net_sip_message_error_response (bytes, too_large ? 513 : 400, error->message);
    }

  conn->state = CONN_CLOSING;
  conn->last_activity = now_us ();
  if (conn->read_source)
    {
      g_source_destroy (conn->read_source);
      g_clear_pointer (&conn->read_source, g_source_unref);
    }
  if (reply)
    conn_queue (conn, reply, NULL);  /* not counted in n-sent, as for UDP */
  else
    conn_flush (conn);
}

/* Hands out every whole message in the framer. */
static void
conn_receive (Conn         *conn,
              const guint8 *data,
              gsize         len)
{
  NetSipStreamSet *set = conn->set;
  NetSipSocketPool *pool = g_object_ref (set->pool);
  NetSipStreamFramer *framer = g_object_ref (conn_get_framer (conn));
  gboolean took = FALSE;

  set_ref (set);
  conn_ref (conn);
  net_sip_stream_framer_push (framer, data, len);
  while (conn->state == CONN_OPEN)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) message = NULL;

      message = net_sip_stream_framer_next (framer, &error);
      if (message == NULL)
        {
          if (error)
            conn_framing_failed (conn, error);
          break;
        }
      took = TRUE;
      pool->n_received++;
      if (net_sip_message_is_request (message))
        conn_remember_tid (conn, message);
      net_sip_socket_pool_dispatch (pool, message, conn_get_source_info (conn));
    }

  /* Slowloris: the clock runs from the start of each message, so a peer
   * that keeps completing messages is never cut off, one that trickles a
   * header is (checked in set_tick). */
  if (conn->state == CONN_OPEN)
    {
      if (net_sip_stream_framer_get_buffered_size (framer) == 0)
        conn->partial_since = 0;
      else if (took || conn->partial_since == 0)
        conn->partial_since = now_us ();
    }
  g_object_unref (framer);
  conn_unref (conn);
  set_unref (set);
  g_object_unref (pool);
}

static gboolean
conn_readable (GObject  *stream,
               gpointer  user_data)
{
  Conn *conn = user_data;
  NetSipStreamSet *set = conn->set;
  g_autoptr(GError) error = NULL;
  gsize size = MAX (set->pool->tcp_readsize, 512);
  gssize n;

  if (set->read_buffer_size != size)
    {
      g_free (set->read_buffer);
      set->read_buffer = g_malloc (size);
      set->read_buffer_size = size;
    }
  n = g_pollable_input_stream_read_nonblocking (G_POLLABLE_INPUT_STREAM (stream),
                                                set->read_buffer, size, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return G_SOURCE_CONTINUE;
  if (n < 0)
    {
      conn_close (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                  "the connection broke: %s", error->message);
      return G_SOURCE_REMOVE;
    }
  if (n == 0)
    {
      conn_close_literal (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                          "the peer closed the connection");
      return G_SOURCE_REMOVE;
    }
  conn->last_activity = now_us ();
  conn_receive (conn, set->read_buffer, n);
  return conn->state == CONN_OPEN ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

/* The connection is up (and for TLS, past the handshake). */
static void
conn_opened (Conn *conn)
{
  GInputStream *in = g_io_stream_get_input_stream (conn->stream);

  conn->state = CONN_OPEN;
  conn->last_activity = now_us ();
  conn->read_source = g_pollable_input_stream_create_source (G_POLLABLE_INPUT_STREAM (in), NULL);
  g_source_set_callback (conn->read_source, G_SOURCE_FUNC (conn_readable),
                         conn_ref (conn), (GDestroyNotify) conn_unref);
  g_source_attach (conn->read_source, conn->set->pool->context);
  conn_flush (conn);
}

/* TLS --------------------------------------------------------------- */

/* Called from the handshake on the pool's context (GIO invokes it there
 * from its handshake thread): an application may accept a certificate
 * that does not verify, through the pool's ::accept-certificate; for a
 * client certificate too (verify-client -1 or 1). */
static gboolean
conn_accept_certificate (GTlsConnection       *tls,
                         GTlsCertificate      *peer_certificate,
                         GTlsCertificateFlags  errors,
                         gpointer              user_data)
{
  Conn *conn = user_data;

  if (conn->state == CONN_CLOSED)
    return FALSE;
  /* GIO asks a server about every client certificate, even one that
   * verified against the database; that one is accepted here. */
  if (errors == 0)
    return TRUE;
  g_debug ("the certificate of %s does not verify (GTlsCertificateFlags 0x%x)",
           conn->outgoing ? "a server" : "a client", errors);
  return net_sip_socket_pool_accept_certificate (conn->set->pool, peer_certificate, errors);
}

static void
conn_handshake_done (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  gboolean ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);

  if (conn->state == CONN_CLOSED)
    ;  /* timed out or the pool closed: already reported */
  else if (!ok)
    {
      g_autofree char *peer = address_to_string (conn->remote);
      conn_close (conn, NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED,
                  "TLS handshake with %s failed: %s", peer, error->message);
    }
  else
    {
      g_set_object (&conn->peer_certificate,
                    g_tls_connection_get_peer_certificate (G_TLS_CONNECTION (source)));
      conn_opened (conn);
    }
  conn_unref (conn);
}

/* Wraps the TCP connection in TLS and starts the handshake: as server for
 * an accepted connection (the pool's certificate; a client certificate
 * asked for per verify-client), as client for an outgoing one (the
 * server's certificate must name the SIP domain of the target, RFC 5922
 * §7.2, or its address when there is none; the pool's certificate is
 * offered when the server asks for one). */
static void
conn_start_tls (Conn *conn)
{
  NetSipSocketPool *pool = conn->set->pool;
  g_autoptr(GError) error = NULL;
  GIOStream *tls;

  if (conn->outgoing)
    {
      g_autoptr(GSocketConnectable) identity = NULL;

      if (conn->server_identity)
        {
          guint16 port = g_inet_socket_address_get_port (conn->remote);
          identity = g_network_address_parse (conn->server_identity, port, NULL);
          if (identity == NULL)
            identity = g_network_address_new (conn->server_identity, port);
        }
      else
        identity = g_object_ref (G_SOCKET_CONNECTABLE (conn->remote));
      tls = g_tls_client_connection_new (G_IO_STREAM (conn->tcp), identity, &error);
    }
  else
    {
      tls = g_tls_server_connection_new (G_IO_STREAM (conn->tcp), pool->certificate, &error);
      if (tls)
        g_object_set (tls, "authentication-mode",
                      pool->verify_client > 0 ? G_TLS_AUTHENTICATION_REQUIRED :
                      pool->verify_client < 0 ? G_TLS_AUTHENTICATION_REQUESTED :
                                                G_TLS_AUTHENTICATION_NONE,
                      NULL);
    }
  if (tls == NULL)
    {
      conn_close (conn, NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED,
                  "cannot start TLS: %s", error->message);
      return;
    }
  conn->stream = tls;
  if (pool->database)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), pool->database);
  if (conn->outgoing && pool->certificate)
    g_tls_connection_set_certificate (G_TLS_CONNECTION (tls), pool->certificate);
  g_signal_connect (tls, "accept-certificate", G_CALLBACK (conn_accept_certificate), conn);

  conn->state = CONN_HANDSHAKING;
  g_main_context_push_thread_default (pool->context);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, conn->cancellable,
                                    conn_handshake_done, conn_ref (conn));
  g_main_context_pop_thread_default (pool->context);
}

/* Outgoing connections ---------------------------------------------- */

static void
conn_connected (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Conn *conn = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketConnection) tcp =
    g_socket_client_connect_finish (G_SOCKET_CLIENT (source), result, &error);

  if (conn->state == CONN_CLOSED)
    ;  /* timed out or the pool closed: already reported */
  else if (tcp == NULL)
    {
      g_autofree char *peer = address_to_string (conn->remote);
      conn_close (conn, net_sip_socket_pool_transport_code (error, NET_SIP_TRANSPORT_ERROR_FAILED),
                  "cannot connect to %s: %s", peer, error->message);
    }
  else
    {
      g_autoptr(GSocketAddress) local = g_socket_connection_get_local_address (tcp, NULL);

      conn->tcp = g_steal_pointer (&tcp);
      set_tcp_nodelay (conn->tcp);
      if (G_IS_INET_SOCKET_ADDRESS (local))
        conn->local = G_INET_SOCKET_ADDRESS (g_steal_pointer (&local));
      if (conn->set->pool->transport == NET_SIP_TRANSPORT_TLS)
        conn_start_tls (conn);
      else
        {
          conn->stream = G_IO_STREAM (g_object_ref (conn->tcp));
          conn_opened (conn);
        }
    }
  conn_unref (conn);
}

static Conn *
conn_connect (NetSipStreamSet    *set,
              GInetSocketAddress *destination,
              const char         *server_identity)
{
  NetSipSocketPool *pool = set->pool;
  Conn *conn = conn_new (set, destination, CONN_CONNECTING);
  GInetAddress *local_ip = g_inet_socket_address_get_address (pool->local_address);

  conn->outgoing = TRUE;
  conn->server_identity = g_strdup (server_identity);

  /* From the leg's own address when it has one, so that the source of the
   * connection matches the sent-by of the Via it puts in (RFC 3261 §18.1.1). */
  if (!g_inet_address_get_is_any (local_ip))
    {
      g_autoptr(GSocketAddress) from = g_inet_socket_address_new (local_ip, 0);
      g_socket_client_set_local_address (set->client, from);
    }
  else
    g_socket_client_set_local_address (set->client, NULL);

  g_main_context_push_thread_default (pool->context);
  g_socket_client_connect_async (set->client, G_SOCKET_CONNECTABLE (destination), conn->cancellable,
                                 conn_connected, conn_ref (conn));
  g_main_context_pop_thread_default (pool->context);
  return conn;
}

/* Accepted connections ---------------------------------------------- */

static void
conn_accepted (NetSipStreamSet *set,
               GSocket         *socket)
{
  g_autoptr(GSocketAddress) remote = g_socket_get_remote_address (socket, NULL);
  g_autoptr(GSocketAddress) local = g_socket_get_local_address (socket, NULL);
  Conn *conn;

  if (!G_IS_INET_SOCKET_ADDRESS (remote) || !G_IS_INET_SOCKET_ADDRESS (local))
    {
      g_socket_close (socket, NULL);  /* reset before we got to it */
      return;
    }
  conn = conn_new (set, G_INET_SOCKET_ADDRESS (remote),
                   set->pool->transport == NET_SIP_TRANSPORT_TLS ? CONN_HANDSHAKING : CONN_OPEN);
  conn->local = G_INET_SOCKET_ADDRESS (g_steal_pointer (&local));
  conn->tcp = g_socket_connection_factory_create_connection (socket);
  set_tcp_nodelay (conn->tcp);
  if (set->pool->transport == NET_SIP_TRANSPORT_TLS)
    conn_start_tls (conn);
  else
    {
      conn->stream = G_IO_STREAM (g_object_ref (conn->tcp));
      conn_opened (conn);
    }
}

static void
set_start_accepting (NetSipStreamSet *set)
{
  NetSipSocketPool *pool = set->pool;

  set->accept_paused = FALSE;
  pool->read_source = g_socket_create_source (pool->socket, G_IO_IN, NULL);
  g_source_set_callback (pool->read_source, G_SOURCE_FUNC (listener_ready), set, NULL);
  g_source_attach (pool->read_source, pool->context);
}

static gboolean
listener_ready (GSocket      *socket,
                GIOCondition  condition,
                gpointer      user_data)
{
  NetSipStreamSet *set = user_data;
  NetSipSocketPool *pool = set->pool;

  for (guint i = 0; i < ACCEPT_BATCH; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocket) accepted = g_socket_accept (socket, NULL, &error);

      if (accepted == NULL)
        {
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            break;
          if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
              g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE))
            continue;  /* the peer gave up while queued */
          /* Out of descriptors or memory: the listener stays readable, so
           * waiting on it would spin. Stop for a tick. */
          g_warning ("accepting a TCP connection: %s; pausing for %d s", error->message, TICK_SECONDS);
          set->accept_paused = TRUE;
          set_ensure_timer (set);
          g_source_destroy (pool->read_source);
          g_clear_pointer (&pool->read_source, g_source_unref);
          return G_SOURCE_REMOVE;
        }
      if (set->conns.length >= pool->max_connections)
        {
          /* Closed at once rather than left in the backlog, so the peer
           * learns now and can try elsewhere (RFC 3263 §4.3). */
          g_debug ("refusing a connection: %u held already", set->conns.length);
          g_socket_close (accepted, NULL);
          continue;
        }
      conn_accepted (set, accepted);
    }
  return G_SOURCE_CONTINUE;
}

/* Expiry ------------------------------------------------------------ */

/* How long an idle connection lives: max-expire with no connection,
 * shrinking linearly to min-expire as the pool fills up to
 * max-connections (Net::SIP: "the more sockets the shorter the expiration
 * timeout"), so that a crowded pool frees descriptors sooner. */
static gint64
expire_us (NetSipSocketPool *pool,
           guint             n)
{
  guint lo = MIN (pool->min_expire, pool->max_expire);
  guint hi = MAX (pool->min_expire, pool->max_expire);
  guint max = MAX (pool->max_connections, 1);
  double fill = MIN ((double) n / max, 1.0);

  return (gint64) ((hi - (hi - lo) * fill) * G_USEC_PER_SEC);
}

typedef enum {
  DOOM_NONE,
  DOOM_CONNECT,
  DOOM_SLOW,
  DOOM_IDLE,
  DOOM_LINGER,
} Doom;

static gboolean
set_tick (gpointer user_data)
{
  NetSipStreamSet *set = user_data;
  NetSipSocketPool *pool = set->pool;
  gint64 now = now_us ();
  gint64 expire = expire_us (pool, set->conns.length);
  gint64 limit = (gint64) pool->connect_timeout * G_USEC_PER_SEC;
  GPtrArray *doomed = g_ptr_array_new ();
  GArray *why = g_array_new (FALSE, FALSE, sizeof (Doom));
  gboolean keep;

  for (GList *l = set->conns.head; l; l = l->next)
    {
      Conn *conn = l->data;
      Doom doom = DOOM_NONE;

      switch (conn->state)
        {
        case CONN_CONNECTING:
        case CONN_HANDSHAKING:
          if (now - conn->started > limit)
            doom = DOOM_CONNECT;
          break;
        case CONN_OPEN:
          if (conn->partial_since && now - conn->partial_since > limit)
            doom = DOOM_SLOW;
          else if (now - conn->last_activity > expire)
            doom = DOOM_IDLE;
          else if (conn->framer && net_sip_stream_framer_get_buffered_size (conn->framer) == 0 &&
                   now - conn->last_activity >= G_USEC_PER_SEC)
            g_clear_object (&conn->framer);  /* its buffer may have grown big */
          break;
        case CONN_CLOSING:
          if (now - conn->last_activity > limit)
            doom = DOOM_LINGER;
          break;
        case CONN_CLOSED:
        default:
          g_assert_not_reached ();
        }
      if (doom != DOOM_NONE)
        {
          g_ptr_array_add (doomed, conn_ref (conn));
          g_array_append_val (why, doom);
        }
    }

  /* closing fails tasks, whose callbacks may drop the pool or close it */
  g_object_ref (pool);
  set_ref (set);
  for (guint i = 0; i < doomed->len; i++)
    {
      Conn *conn = doomed->pdata[i];
      g_autofree char *peer = address_to_string (conn->remote);

      switch (g_array_index (why, Doom, i))
        {
        case DOOM_CONNECT:
          conn_close (conn, NET_SIP_TRANSPORT_ERROR_TIMEOUT,
                      "no connection to %s within %u s", peer, pool->connect_timeout);
          break;
        case DOOM_SLOW:
          conn_close (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                      "%s sent no whole message within %u s", peer, pool->connect_timeout);
          break;
        case DOOM_IDLE:
          conn_close (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                      "the connection to %s was idle", peer);
          break;
        case DOOM_LINGER:
        default:
          conn_close (conn, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                      "%s did not take the answer to its bad input", peer);
          break;
        }
      conn_unref (conn);
    }
  g_ptr_array_unref (doomed);
  g_array_unref (why);

  if (set->timer == NULL)
    keep = FALSE;  /* the pool closed meanwhile */
  else
    {
      if (set->accept_paused)
        set_start_accepting (set);
      keep = !g_queue_is_empty (&set->conns);
      if (!keep)
        g_clear_pointer (&set->timer, g_source_unref);
    }
  set_unref (set);
  g_object_unref (pool);
  return keep ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static void
set_ensure_timer (NetSipStreamSet *set)
{
  if (set->timer || set->pool == NULL)
    return;
  set->timer = g_timeout_source_new_seconds (TICK_SECONDS);
  g_source_set_callback (set->timer, set_tick, set, NULL);
  g_source_attach (set->timer, set->pool->context);
}

/* Lookup ------------------------------------------------------------ */

static gboolean
conn_usable (Conn       *conn,
             const char *server_identity)
{
  if (conn == NULL || conn->state == CONN_CLOSING || conn->state == CONN_CLOSED)
    return FALSE;
  /* RFC 5922 §7.2: a TLS connection is only as good as the identity it
   * was checked against; an accepted one was not checked as a server. */
  if (server_identity && conn->set->pool->transport == NET_SIP_TRANSPORT_TLS)
    return conn->outgoing && conn->server_identity &&
           g_ascii_strcasecmp (conn->server_identity, server_identity) == 0;
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* For the datagram side                                               */

/*
 * net_sip_socket_pool_stream_init:
 * @self: a TCP or TLS #NetSipSocketPool, not yet initialized
 * @error: return location for a #GError
 *
 * Binds a listening socket to @self->local_address (port 0: any free
 * port, stored back) and accepts connections on @self->context. An IPv6
 * socket takes IPv6 only: a leg has one address family, and another leg
 * may listen on the same port for IPv4.
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE for TLS without a
 *   certificate, %NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE,
 *   %NET_SIP_TRANSPORT_ERROR_FAILED for other socket errors or when no TLS
 *   backend (glib-networking) is installed.
 *
 * Returns: %TRUE when listening
 */
gboolean
net_sip_socket_pool_stream_init (NetSipSocketPool  *self,
                                 GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  g_autofree char *where = NULL;
  GSocketFamily family;

  g_return_val_if_fail (self->streams == NULL, FALSE);
  g_return_val_if_fail (self->transport != NET_SIP_TRANSPORT_UDP, FALSE);

  if (self->transport == NET_SIP_TRANSPORT_TLS)
    {
      if (self->certificate == NULL)
        {
          g_set_error_literal (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE,
                               "a TLS leg needs a certificate with its private key");
          return FALSE;
        }
      if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
        {
          g_set_error_literal (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_FAILED,
                               "TLS is not available: GIO has no TLS backend (install glib-networking)");
          return FALSE;
        }
    }

  where = address_to_string (self->local_address);
  family = g_socket_address_get_family (G_SOCKET_ADDRESS (self->local_address));
  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &local_error);
  if (socket == NULL)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_FAILED,
                   "cannot make a TCP socket for %s: %s", where, local_error->message);
      return FALSE;
    }
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (socket, IPPROTO_IPV6, IPV6_V6ONLY, 1, NULL);
  g_socket_set_blocking (socket, FALSE);
  /* allow_reuse: SO_REUSEADDR, so a restarted server gets its port back
   * while old connections are in TIME_WAIT; a listener still holds it. */
  if (!g_socket_bind (socket, G_SOCKET_ADDRESS (self->local_address), TRUE, &local_error))
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR,
                   net_sip_socket_pool_transport_code (local_error, NET_SIP_TRANSPORT_ERROR_FAILED),
                   "cannot bind to %s: %s", where, local_error->message);
      return FALSE;
    }
  g_socket_set_listen_backlog (socket, LISTEN_BACKLOG);
  if (!g_socket_listen (socket, &local_error))
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR,
                   net_sip_socket_pool_transport_code (local_error, NET_SIP_TRANSPORT_ERROR_FAILED),
                   "cannot listen on %s: %s", where, local_error->message);
      return FALSE;
    }
  bound = g_socket_get_local_address (socket, &local_error);
  if (bound == NULL)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_FAILED,
                   "cannot read the address bound for %s: %s", where, local_error->message);
      return FALSE;
    }

  g_set_object (&self->local_address, G_INET_SOCKET_ADDRESS (bound));
  g_set_object (&self->socket, socket);
  self->streams = set_new (self);
  set_start_accepting (self->streams);
  return TRUE;
}

/*
 * net_sip_socket_pool_stream_send:
 * @self: a TCP or TLS #NetSipSocketPool
 * @task: completed with %TRUE once @data is written, or with an error
 * @data: @message serialized
 * @message: the message, to tell a response and find its transaction
 * @destination: the next hop
 * @server_identity: (nullable): for TLS, the SIP domain the server's
 *   certificate must name (RFC 5922 §7.2); %NULL checks @destination
 *
 * Picks the connection: for a response, the one its request came in on
 * (RFC 3261 §18.2.2); otherwise one open or opening to @destination
 * (Net::SIP reuses a connected socket before making one); otherwise a new
 * one, within max-connections and connect-timeout.
 *
 * Errors (on @task): %NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED,
 *   %NET_SIP_TRANSPORT_ERROR_TIMEOUT, %NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
 *   %NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED,
 *   %NET_SIP_TRANSPORT_ERROR_TOO_MANY_CONNECTIONS,
 *   %NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED when the connection closes
 *   or resets before @data is written, %G_IO_ERROR_CANCELLED when the
 *   task's cancellable fires before the write starts.
 */
void
net_sip_socket_pool_stream_send (NetSipSocketPool   *self,
                                 GTask              *task,
                                 GBytes             *data,
                                 NetSipMessage      *message,
                                 GInetSocketAddress *destination,
                                 const char         *server_identity)
{
  NetSipStreamSet *set = self->streams;
  Conn *conn = NULL;

  if (set == NULL || self->closed)
    {
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                               "the socket pool is closed");
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;

  if (message && !net_sip_message_is_request (message))
    {
      const char *tid = net_sip_message_get_tid (message);
      if (tid)
        {
          conn = g_hash_table_lookup (set->by_tid, tid);
          if (conn && conn->state != CONN_OPEN)
            conn = NULL;
        }
    }
  if (conn == NULL && destination)
    {
      conn = g_hash_table_lookup (set->by_peer, destination);
      if (!conn_usable (conn, server_identity))
        conn = NULL;
    }
  if (conn == NULL)
    {
      if (destination == NULL)
        {
          g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                                   "no connection for this response and no destination");
          return;
        }
      if (g_socket_address_get_family (G_SOCKET_ADDRESS (destination)) !=
          g_socket_address_get_family (G_SOCKET_ADDRESS (self->local_address)))
        {
          g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                                   "the destination is of another address family than the leg");
          return;
        }
      if (set->conns.length >= self->max_connections)
        {
          g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR,
                                   NET_SIP_TRANSPORT_ERROR_TOO_MANY_CONNECTIONS,
                                   "the socket pool holds %u connections already (max-connections)",
                                   set->conns.length);
          return;
        }
      conn = conn_connect (set, destination, server_identity);
    }
  conn->last_activity = now_us ();
  conn_queue (conn, data, task);
}

/*
 * net_sip_socket_pool_stream_n_connections:
 * @self: a TCP or TLS #NetSipSocketPool
 *
 * Returns: connections held: opening, open and closing after bad input
 */
guint
net_sip_socket_pool_stream_n_connections (NetSipSocketPool *self)
{
  return self->streams ? self->streams->conns.length : 0;
}

/*
 * net_sip_socket_pool_stream_close:
 * @self: a TCP or TLS #NetSipSocketPool
 *
 * Stops listening, closes every connection and fails the writes not done
 * with %NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED. Safe to call again.
 */
void
net_sip_socket_pool_stream_close (NetSipSocketPool *self)
{
  NetSipStreamSet *set = g_steal_pointer (&self->streams);
  GList *head;

  if (set == NULL)
    return;
  if (self->read_source)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  if (self->socket)
    g_socket_close (self->socket, NULL);
  if (set->timer)
    {
      g_source_destroy (set->timer);
      g_clear_pointer (&set->timer, g_source_unref);
    }
  /* conn_close_literal unlinks before it calls back, so the head moves on
   * even when a callback sends (it fails: self->streams is NULL now) */
  while ((head = set->conns.head))
    conn_close_literal (head->data, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                        "the socket pool was closed");
  set->pool = NULL;
  set_unref (set);
}
