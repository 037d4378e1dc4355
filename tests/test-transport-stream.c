/* test-transport-stream.c: NetSipLeg and NetSipSocketPool over TCP and TLS
 * on loopback (127.0.0.1 and ::1)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "tls-certs.h"

#include <string.h>

#if defined(__SANITIZE_ADDRESS__)
# define NETSIP_ASAN 1
#elif defined(__has_feature)
# if __has_feature(address_sanitizer)
#  define NETSIP_ASAN 1
# endif
#endif
#ifdef NETSIP_ASAN
/* LeakSanitizer of GCC 12 on glibc 2.36 misreads the dynamic TLS blocks
 * of dlopen()ed libraries (GIO's GnuTLS module and GnuTLS) and crashes at
 * exit ("Tracer caught signal 11"). Without intercepting __tls_get_addr it
 * skips them: GLib's own thread data is in static TLS and still scanned.
 * ASAN_OPTIONS from the environment still apply on top of this. */
const char *__asan_default_options (void);

__attribute__((used)) const char *
__asan_default_options (void)
{
  return "intercept_tls_get_addr=0";
}
#endif

/* Every wait runs a GMainLoop bounded by this many seconds. */
#define TIMEOUT_SECONDS 10

static char            *cert_dir;        /* NULL: no certtool, TLS tests skip */
static char            *cert_problem;
static GTlsCertificate *server_cert;
static GTlsCertificate *client_cert;
static GTlsDatabase    *test_ca;
static gboolean         have_ipv6;

/* ------------------------------------------------------------------ */
/* Waiting                                                             */

typedef gboolean (*Condition) (gpointer data);

typedef struct
{
  GMainLoop *loop;
  Condition  cond;
  gpointer   data;
  gboolean   timed_out;
} Waiter;

static gboolean
waiter_check (gpointer user_data)
{
  Waiter *w = user_data;

  if (w->cond (w->data))
    {
      g_main_loop_quit (w->loop);
      return G_SOURCE_REMOVE;
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
waiter_timeout (gpointer user_data)
{
  Waiter *w = user_data;

  w->timed_out = TRUE;
  g_main_loop_quit (w->loop);
  return G_SOURCE_REMOVE;
}

/* Runs the main loop until @cond holds (checked every 5 ms), failing the
 * test after @seconds. */
static void
wait_for_full (Condition   cond,
               gpointer    data,
               guint       seconds,
               const char *what)
{
  Waiter w = { g_main_loop_new (NULL, FALSE), cond, data, FALSE };
  guint check, timeout;

  if (cond (data))
    {
      g_main_loop_unref (w.loop);
      return;
    }
  check = g_timeout_add (5, waiter_check, &w);
  timeout = g_timeout_add_seconds (seconds, waiter_timeout, &w);
  g_main_loop_run (w.loop);
  if (!w.timed_out)
    g_source_remove (timeout);
  if (w.timed_out || !cond (data))
    g_source_remove (check);
  g_main_loop_unref (w.loop);
  if (w.timed_out)
    g_error ("timed out after %u s waiting for %s", seconds, what);
}

#define wait_for(cond, data, what) wait_for_full ((Condition) (cond), (data), TIMEOUT_SECONDS, (what))

/* Lets pending callbacks run (a closing connection's, a cancelled task's). */
static void
drain_context (void)
{
  for (int i = 0; i < 50; i++)
    {
      while (g_main_context_iteration (NULL, FALSE))
        ;
      g_usleep (1000);
    }
}

/* ------------------------------------------------------------------ */
/* Legs, messages and their results                                    */

typedef struct
{
  GPtrArray *messages;  /* NetSipMessage */
  GPtrArray *sources;   /* NetSipSourceInfo */
} Inbox;

static void
inbox_init (Inbox *in)
{
  in->messages = g_ptr_array_new_with_free_func (g_object_unref);
  in->sources = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
inbox_clear (Inbox *in)
{
  g_clear_pointer (&in->messages, g_ptr_array_unref);
  g_clear_pointer (&in->sources, g_ptr_array_unref);
}

static void
on_message (NetSipLeg        *leg,
            NetSipMessage    *message,
            NetSipSourceInfo *source,
            gpointer          user_data)
{
  Inbox *in = user_data;
  g_ptr_array_add (in->messages, g_object_ref (message));
  g_ptr_array_add (in->sources, g_object_ref (source));
}

typedef struct
{
  gboolean done;
  GError  *error;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;
  g_assert_false (r->done);
  net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
result_done (Result *r)
{
  return r->done;
}

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  r->done = FALSE;
}

typedef struct
{
  Inbox *in;
  guint  n;
} InboxCount;

static gboolean
inbox_has (InboxCount *c)
{
  return c->in->messages->len >= c->n;
}

static void
wait_inbox (Inbox *in,
            guint  n)
{
  InboxCount c = { in, n };
  wait_for (inbox_has, &c, "messages to arrive");
}

static NetSipMessage *
make_options (const char *ruri,
              const char *call_id)
{
  NetSipMessage *m = NET_SIP_MESSAGE (net_sip_request_new ("OPTIONS", ruri));
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", "<sip:bob@sip.test>");
  net_sip_message_add_header (m, "From", "<sip:alice@example.com>;tag=t1");
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
  return m;
}

/* A request as a peer would write it, for the raw-socket tests. */
static char *
raw_request (const char *call_id)
{
  return g_strdup_printf ("OPTIONS sip:bob@sip.test SIP/2.0\r\n"
                          "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-%s\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:alice@example.com>;tag=r1\r\n"
                          "To: <sip:bob@sip.test>\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: 1 OPTIONS\r\n"
                          "Content-Length: 0\r\n"
                          "\r\n", call_id, call_id);
}

static NetSipLeg *
make_leg_full (NetSipTransport  proto,
               gboolean         ipv6,
               GTlsCertificate *certificate,
               GTlsDatabase    *database)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("%s:%s:0", net_sip_transport_to_string (proto),
                                           ipv6 ? "[::1]" : "127.0.0.1");
  NetSipLeg *leg;

  if (proto == NET_SIP_TRANSPORT_TLS)
    leg = net_sip_leg_new_tls (spec, certificate, database, &error);
  else
    leg = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  g_assert_nonnull (leg);
  return leg;
}

static NetSipLeg *
make_leg (NetSipTransport proto,
          gboolean        ipv6)
{
  return make_leg_full (proto, ipv6, server_cert, test_ca);
}

static NetSipSocketPool *
pool_of (NetSipLeg *leg)
{
  return net_sip_leg_get_socket_pool (leg);
}

static GInetSocketAddress *
leg_address (NetSipLeg *leg)
{
  return net_sip_socket_pool_get_local_address (pool_of (leg));
}

static guint64
counter (NetSipLeg  *leg,
         const char *name)
{
  guint64 n = 0;
  g_object_get (pool_of (leg), name, &n, NULL);
  return n;
}

typedef struct
{
  NetSipSocketPool *pool;
  guint             n;
} PoolCount;

static gboolean
pool_has_n (PoolCount *c)
{
  return net_sip_socket_pool_get_n_connections (c->pool) == c->n;
}

static void
wait_connections (NetSipLeg *leg,
                  guint      n)
{
  PoolCount c = { pool_of (leg), n };
  wait_for (pool_has_n, &c, "the number of connections");
}

/* Delivers @message from @leg to @to and waits for the result. */
static void
deliver (NetSipLeg          *leg,
         NetSipMessage      *message,
         GInetSocketAddress *to,
         Result             *r)
{
  result_clear (r);
  net_sip_leg_deliver_async (leg, message, to, NULL, on_delivered, r);
  wait_for (result_done, r, "a delivery");
}

static gboolean
skip_unless (NetSipTransport proto,
             gboolean        ipv6)
{
  if (ipv6 && !have_ipv6)
    {
      g_test_skip ("no IPv6 loopback (::1) here");
      return TRUE;
    }
  if (proto == NET_SIP_TRANSPORT_TLS && cert_dir == NULL)
    {
      g_test_skip (cert_problem);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* A raw peer: a plain TCP connection the test writes to byte by byte   */

typedef struct
{
  GIOStream    *stream;
  GString      *received;
  gboolean      eof;
  GError       *error;
  GCancellable *cancellable;
} Raw;

static void raw_read_next (Raw *raw);

static void
raw_read_done (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Raw *raw = user_data;
  g_autoptr(GBytes) bytes = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result,
                                                              &raw->error);
  if (bytes == NULL || g_bytes_get_size (bytes) == 0)
    {
      raw->eof = TRUE;
      return;
    }
  g_string_append_len (raw->received, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  raw_read_next (raw);
}

static void
raw_read_next (Raw *raw)
{
  g_input_stream_read_bytes_async (g_io_stream_get_input_stream (raw->stream), 4096,
                                   G_PRIORITY_DEFAULT, raw->cancellable, raw_read_done, raw);
}

static Raw *
raw_connect (GInetSocketAddress *to)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  Raw *raw = g_new0 (Raw, 1);

  g_socket_client_set_enable_proxy (client, FALSE);
  raw->stream = G_IO_STREAM (g_socket_client_connect (client, G_SOCKET_CONNECTABLE (to), NULL, &error));
  g_assert_no_error (error);
  raw->received = g_string_new (NULL);
  raw->cancellable = g_cancellable_new ();
  raw_read_next (raw);
  return raw;
}

static void
raw_write (Raw        *raw,
           const char *data,
           gssize      len)
{
  g_autoptr(GError) error = NULL;

  if (len < 0)
    len = strlen (data);
  g_output_stream_write_all (g_io_stream_get_output_stream (raw->stream), data, len,
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
raw_eof (Raw *raw)
{
  return raw->eof;
}

typedef struct
{
  Raw  *raw;
  gsize n;
} RawCount;

static gboolean
raw_has (RawCount *c)
{
  return c->raw->received->len >= c->n || c->raw->eof;
}

static void
raw_free (Raw *raw)
{
  g_cancellable_cancel (raw->cancellable);
  /* the cancelled read completes on the next iterations */
  while (!raw->eof)
    g_main_context_iteration (NULL, TRUE);
  g_io_stream_close (raw->stream, NULL, NULL);
  g_object_unref (raw->stream);
  g_object_unref (raw->cancellable);
  g_string_free (raw->received, TRUE);
  g_clear_error (&raw->error);
  g_free (raw);
}

/* ------------------------------------------------------------------ */
/* Send and receive; the response over the request's connection         */

static void
exchange (NetSipTransport proto,
          gboolean        ipv6)
{
  g_autoptr(NetSipLeg) a = NULL;
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) req = NULL;
  g_autoptr(NetSipResponse) resp = NULL;
  NetSipSourceInfo *src;
  Inbox ia, ib;
  Result r = { 0 };

  if (skip_unless (proto, ipv6))
    return;
  a = make_leg (proto, ipv6);
  b = make_leg (proto, ipv6);
  inbox_init (&ia);
  inbox_init (&ib);
  g_signal_connect (a, "message-received", G_CALLBACK (on_message), &ia);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);

  /* a -> b: a connects from an ephemeral port */
  req = make_options ("sip:bob@sip.test", "stream-exchange");
  deliver (a, req, leg_address (b), &r);
  g_assert_no_error (r.error);
  wait_inbox (&ib, 1);
  g_assert_true (NET_SIP_IS_REQUEST (ib.messages->pdata[0]));
  g_assert_cmpstr (net_sip_message_get_call_id (ib.messages->pdata[0]), ==, "stream-exchange");
  src = ib.sources->pdata[0];
  g_assert_cmpint (net_sip_source_info_get_transport (src), ==, proto);
  g_assert_cmpint (g_socket_address_get_family (G_SOCKET_ADDRESS (net_sip_source_info_get_remote_address (src))),
                   ==, ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (src)),
                    !=, net_sip_leg_get_port (a));
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_local_address (src)),
                    ==, net_sip_leg_get_port (b));
  g_assert_null (net_sip_source_info_get_peer_certificate (src));  /* verify-client 0 */

  /* b -> a, addressed to a's listening port: RFC 3261 §18.2.2 sends it
   * back over the connection the request came in on instead */
  resp = net_sip_request_create_response (NET_SIP_REQUEST (ib.messages->pdata[0]), 200, NULL, "b1");
  deliver (b, NET_SIP_MESSAGE (resp), leg_address (a), &r);
  g_assert_no_error (r.error);
  wait_inbox (&ia, 1);
  g_assert_true (NET_SIP_IS_RESPONSE (ia.messages->pdata[0]));
  g_assert_cmpuint (net_sip_response_get_code (ia.messages->pdata[0]), ==, 200);
  src = ia.sources->pdata[0];
  /* arrived on a's outgoing connection, from b's listening port */
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (src)),
                    ==, net_sip_leg_get_port (b));
  if (proto == NET_SIP_TRANSPORT_TLS)
    {
      GTlsCertificate *peer = net_sip_source_info_get_peer_certificate (src);
      g_assert_nonnull (peer);
      g_assert_true (g_tls_certificate_is_same (peer, server_cert));
    }
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 1);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (b)), ==, 1);
  g_assert_cmpuint (counter (a, "n-sent"), ==, 1);
  g_assert_cmpuint (counter (a, "n-received"), ==, 1);
  g_assert_cmpuint (counter (b, "n-sent"), ==, 1);
  g_assert_cmpuint (counter (b, "n-received"), ==, 1);

  result_clear (&r);
  inbox_clear (&ia);
  inbox_clear (&ib);
}

static void test_tcp_ipv4 (void) { exchange (NET_SIP_TRANSPORT_TCP, FALSE); }
static void test_tcp_ipv6 (void) { exchange (NET_SIP_TRANSPORT_TCP, TRUE); }
static void test_tls_ipv4 (void) { exchange (NET_SIP_TRANSPORT_TLS, FALSE); }
static void test_tls_ipv6 (void) { exchange (NET_SIP_TRANSPORT_TLS, TRUE); }

/* Two requests to the same peer share one connection. */
static void
reuse (NetSipTransport proto)
{
  g_autoptr(NetSipLeg) a = NULL;
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) r1 = make_options ("sip:bob@sip.test", "reuse-1");
  g_autoptr(NetSipMessage) r2 = make_options ("sip:bob@sip.test", "reuse-2");
  Result x = { 0 }, y = { 0 };
  Inbox ib;

  if (skip_unless (proto, FALSE))
    return;
  a = make_leg (proto, FALSE);
  b = make_leg (proto, FALSE);
  inbox_init (&ib);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);

  /* the second is queued while the first connection is still opening */
  net_sip_leg_deliver_async (a, r1, leg_address (b), NULL, on_delivered, &x);
  net_sip_leg_deliver_async (a, r2, leg_address (b), NULL, on_delivered, &y);
  wait_for (result_done, &x, "the first delivery");
  wait_for (result_done, &y, "the second delivery");
  g_assert_no_error (x.error);
  g_assert_no_error (y.error);
  wait_inbox (&ib, 2);
  g_assert_cmpstr (net_sip_message_get_call_id (ib.messages->pdata[0]), ==, "reuse-1");
  g_assert_cmpstr (net_sip_message_get_call_id (ib.messages->pdata[1]), ==, "reuse-2");
  g_assert_true (g_inet_address_equal (
    g_inet_socket_address_get_address (net_sip_source_info_get_remote_address (ib.sources->pdata[0])),
    g_inet_socket_address_get_address (net_sip_source_info_get_remote_address (ib.sources->pdata[1]))));
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (ib.sources->pdata[0])),
                    ==, g_inet_socket_address_get_port (net_sip_source_info_get_remote_address (ib.sources->pdata[1])));
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 1);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (b)), ==, 1);

  /* a later one too */
  deliver (a, r1, leg_address (b), &x);
  g_assert_no_error (x.error);
  wait_inbox (&ib, 3);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 1);

  result_clear (&x);
  result_clear (&y);
  inbox_clear (&ib);
}

static void test_tcp_reuse (void) { reuse (NET_SIP_TRANSPORT_TCP); }
static void test_tls_reuse (void) { reuse (NET_SIP_TRANSPORT_TLS); }

/* A response whose request came over a connection from an ephemeral port
 * goes back over it, not to the requester's listening port, even after
 * the requester sent more over other connections. */
static void
test_tcp_response_connection (void)
{
  g_autoptr(NetSipLeg) server = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autofree char *req = raw_request ("resp-conn");
  g_autoptr(NetSipResponse) resp = NULL;
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) listening = NULL;
  g_autoptr(GError) error = NULL;
  Result r = { 0 };
  RawCount rc;
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (server, "message-received", G_CALLBACK (on_message), &in);
  /* the "client's" listening port: nothing may connect to it */
  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &listening, &error);
  g_assert_no_error (error);

  raw = raw_connect (leg_address (server));
  raw_write (raw, req, -1);
  wait_inbox (&in, 1);
  resp = net_sip_request_create_response (NET_SIP_REQUEST (in.messages->pdata[0]), 200, NULL, "s1");
  deliver (server, NET_SIP_MESSAGE (resp), G_INET_SOCKET_ADDRESS (listening), &r);
  g_assert_no_error (r.error);
  rc = (RawCount) { raw, 20 };
  wait_for (raw_has, &rc, "the response on the raw connection");
  g_assert_true (g_str_has_prefix (raw->received->str, "SIP/2.0 200 "));
  g_assert_nonnull (strstr (raw->received->str, "branch=z9hG4bK-resp-conn"));
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (server)), ==, 1);

  raw_free (raw);
  result_clear (&r);
  inbox_clear (&in);
}

/* ------------------------------------------------------------------ */
/* Framing: pipelined, split, keep-alive                                */

static void
test_tcp_pipelined (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autofree char *m1 = raw_request ("pipe-1");
  g_autofree char *m2 = raw_request ("pipe-2");
  g_autofree char *both = g_strconcat (m1, m2, NULL);
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &in);
  raw = raw_connect (leg_address (b));
  raw_write (raw, both, -1);
  wait_inbox (&in, 2);
  g_assert_cmpstr (net_sip_message_get_call_id (in.messages->pdata[0]), ==, "pipe-1");
  g_assert_cmpstr (net_sip_message_get_call_id (in.messages->pdata[1]), ==, "pipe-2");
  g_assert_cmpuint (counter (b, "n-received"), ==, 2);
  raw_free (raw);
  inbox_clear (&in);
}

static void
close_pool_on_message (NetSipLeg        *leg,
                       NetSipMessage    *message,
                       NetSipSourceInfo *source,
                       gpointer          user_data)
{
  Inbox *in = user_data;
  on_message (leg, message, source, user_data);
  if (in->messages->len == 1)
    net_sip_socket_pool_close (net_sip_leg_get_socket_pool (leg));
}

/* A handler that closes the pool while a read holds more messages: the
 * rest is dropped, nothing is touched after the close. */
static void
test_tcp_close_in_handler (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autofree char *m1 = raw_request ("reenter-1");
  g_autofree char *m2 = raw_request ("reenter-2");
  g_autofree char *both = g_strconcat (m1, m2, "\r\n\r\n", NULL);
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (close_pool_on_message), &in);
  raw = raw_connect (leg_address (b));
  raw_write (raw, both, -1);
  wait_for (raw_eof, raw, "the closed pool to drop the connection");
  drain_context ();
  g_assert_cmpuint (in.messages->len, ==, 1);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (b)), ==, 0);
  raw_free (raw);
  inbox_clear (&in);
}

static void
test_tcp_split (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autofree char *m = raw_request ("split-1");
  gsize len = strlen (m);
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &in);
  raw = raw_connect (leg_address (b));
  /* one byte per write, the server reading between them */
  for (gsize i = 0; i < len; i++)
    {
      raw_write (raw, m + i, 1);
      for (int k = 0; k < 3; k++)
        while (g_main_context_iteration (NULL, FALSE))
          ;
      if (i + 1 < len)
        g_assert_cmpuint (in.messages->len, ==, 0);
    }
  wait_inbox (&in, 1);
  g_assert_cmpstr (net_sip_message_get_call_id (in.messages->pdata[0]), ==, "split-1");
  g_assert_cmpuint (counter (b, "n-dropped-malformed"), ==, 0);
  raw_free (raw);
  inbox_clear (&in);
}

/* RFC 5626 §3.5.1: CRLF CRLF is answered with CRLF, and the connection
 * goes on carrying messages. */
static void
test_tcp_keepalive (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autofree char *m = raw_request ("after-ping");
  RawCount rc;
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &in);
  raw = raw_connect (leg_address (b));
  raw_write (raw, "\r\n\r\n", -1);
  rc = (RawCount) { raw, 2 };
  wait_for (raw_has, &rc, "the pong");
  g_assert_cmpstr (raw->received->str, ==, "\r\n");
  raw_write (raw, m, -1);
  wait_inbox (&in, 1);
  g_assert_cmpstr (net_sip_message_get_call_id (in.messages->pdata[0]), ==, "after-ping");
  drain_context ();
  g_assert_cmpstr (raw->received->str, ==, "\r\n");  /* a pong answers no pong */
  g_assert_false (raw->eof);
  raw_free (raw);
  inbox_clear (&in);
}

/* ------------------------------------------------------------------ */
/* Expiry and limits                                                    */

static void
test_tcp_idle_expiry (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "idle");
  Result r = { 0 };
  gint64 start;

  g_object_set (pool_of (b), "min-expire", 1, "max-expire", 1, NULL);
  deliver (a, req, leg_address (b), &r);
  g_assert_no_error (r.error);
  wait_connections (b, 1);
  start = g_get_monotonic_time ();
  /* b closes it; a sees the close */
  wait_connections (b, 0);
  wait_connections (a, 0);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  result_clear (&r);
}

/* Expiry shortens as the pool fills: with max-connections 1, one
 * connection is a full pool and lives min-expire, not max-expire. */
static void
test_tcp_expiry_scaled (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  Raw *raw;

  g_object_set (pool_of (b), "min-expire", 1, "max-expire", 600, "max-connections", 1, NULL);
  raw = raw_connect (leg_address (b));
  wait_connections (b, 1);
  wait_for (raw_eof, raw, "the crowded pool to expire the connection");
  wait_connections (b, 0);
  raw_free (raw);
}

/* A header trickled slower than connect-timeout is cut off (slowloris). */
static void
test_tcp_slowloris (void)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &in);
  g_object_set (pool_of (b), "connect-timeout", 1, NULL);
  raw = raw_connect (leg_address (b));
  raw_write (raw, "OPTIONS sip:bob@sip.test SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1:5999", -1);
  wait_for (raw_eof, raw, "the slow sender to be disconnected");
  g_assert_cmpuint (raw->received->len, ==, 0);
  wait_connections (b, 0);
  g_assert_cmpuint (in.messages->len, ==, 0);
  raw_free (raw);
  inbox_clear (&in);
}

/* max-connections bounds accepted connections: one over is closed. */
static void
test_tcp_max_connections (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipLeg) c = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "max-conn");
  Result r = { 0 };
  Raw *first, *second;

  g_object_set (pool_of (b), "max-connections", 1, NULL);
  first = raw_connect (leg_address (b));
  wait_connections (b, 1);
  second = raw_connect (leg_address (b));
  wait_for (raw_eof, second, "the connection over the limit to be closed");
  g_assert_false (first->eof);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (b)), ==, 1);
  raw_free (second);
  raw_free (first);

  /* and outgoing ones */
  g_object_set (pool_of (a), "max-connections", 1, NULL);
  deliver (a, req, leg_address (c), &r);
  g_assert_no_error (r.error);
  deliver (a, req, leg_address (b), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_TOO_MANY_CONNECTIONS);
  result_clear (&r);
}

/* ------------------------------------------------------------------ */
/* Bad input                                                            */

static void
expect_rejected (const char *input,
                 const char *status,
                 const char *counter_name,
                 guint       max_header)
{
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  Inbox in;
  Raw *raw;

  inbox_init (&in);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &in);
  if (max_header)
    g_object_set (pool_of (b), "max-sip-header", max_header, NULL);
  raw = raw_connect (leg_address (b));
  raw_write (raw, input, -1);
  wait_for (raw_eof, raw, "the connection to close after bad input");
  if (status)
    {
      g_assert_true (g_str_has_prefix (raw->received->str, status));
      g_assert_nonnull (strstr (raw->received->str, "\r\nVia: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-bad\r\n"));
      g_assert_true (g_str_has_suffix (raw->received->str, "\r\nContent-Length: 0\r\n\r\n"));
    }
  else
    g_assert_cmpuint (raw->received->len, ==, 0);
  g_assert_cmpuint (counter (b, counter_name), ==, 1);
  g_assert_cmpuint (counter (b, "n-received"), ==, 0);
  g_assert_cmpuint (in.messages->len, ==, 0);
  wait_connections (b, 0);
  raw_free (raw);
  inbox_clear (&in);
}

#define BAD_START \
  "OPTIONS sip:bob@sip.test SIP/2.0\r\n" \
  "Via: SIP/2.0/TCP 127.0.0.1:5999;branch=z9hG4bK-bad\r\n" \
  "From: <sip:alice@example.com>;tag=r1\r\n" \
  "To: <sip:bob@sip.test>\r\n" \
  "Call-ID: bad\r\n" \
  "CSeq: 1 OPTIONS\r\n"

static void
test_tcp_garbage (void)
{
  /* a header line without a colon */
  expect_rejected (BAD_START "This is no header\r\nContent-Length: 0\r\n\r\n",
                   "SIP/2.0 400 ", "n-dropped-malformed", 0);
  /* no Content-Length: a stream cannot be framed (RFC 3261 §18.3) */
  expect_rejected (BAD_START "\r\n", "SIP/2.0 400 ", "n-dropped-malformed", 0);
  /* not SIP at all: nothing to answer */
  expect_rejected ("\x16\x03\x01 this is not SIP\r\n\r\n", NULL, "n-dropped-malformed", 0);
}

static void
test_tcp_oversize (void)
{
  g_autofree char *pad = g_strnfill (2000, 'x');
  g_autofree char *header = g_strdup_printf (BAD_START "X-Pad: %s\r\n", pad);

  /* a header section over max-sip-header, before it even ends */
  expect_rejected (header, "SIP/2.0 513 ", "n-dropped-oversize", 1024);
  /* a body over max-sip-body (65536 by default), refused before it comes */
  expect_rejected (BAD_START "Content-Length: 100000\r\n\r\n", "SIP/2.0 513 ", "n-dropped-oversize", 0);
}

/* ------------------------------------------------------------------ */
/* Failures of the connection                                           */

static void
test_tcp_refused (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "refused");
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) closed = NULL;
  Result r = { 0 };

  /* a port that was free a moment ago, with nothing listening on it */
  g_assert_no_error (error);
  g_socket_bind (s, any, FALSE, &error);
  g_assert_no_error (error);
  closed = g_socket_get_local_address (s, &error);
  g_assert_no_error (error);
  g_socket_close (s, NULL);

  deliver (a, req, G_INET_SOCKET_ADDRESS (closed), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 0);
  g_assert_cmpuint (counter (a, "n-sent"), ==, 0);
  result_clear (&r);
}

/* A listener whose accept queue is full drops further SYNs: the connect
 * hangs until connect-timeout. */
static void
test_tcp_connect_timeout (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "timeout");
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) full = NULL;
  g_autoptr(GSocket) listener = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                              G_SOCKET_PROTOCOL_TCP, &error);
  GPtrArray *fillers = g_ptr_array_new_with_free_func (g_object_unref);
  Result r = { 0 };
  gint64 start;

  g_assert_no_error (error);
  g_socket_bind (listener, any, FALSE, &error);
  g_assert_no_error (error);
  g_socket_set_listen_backlog (listener, 0);
  g_socket_listen (listener, &error);
  g_assert_no_error (error);
  full = g_socket_get_local_address (listener, &error);
  g_assert_no_error (error);
  /* fill the accept queue without blocking the test */
  for (int i = 0; i < 4; i++)
    {
      GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
      g_socket_set_blocking (s, FALSE);
      g_socket_connect (s, full, NULL, NULL);
      g_ptr_array_add (fillers, s);
    }
  g_usleep (G_USEC_PER_SEC / 10);

  g_object_set (pool_of (a), "connect-timeout", 1, NULL);
  start = g_get_monotonic_time ();
  deliver (a, req, G_INET_SOCKET_ADDRESS (full), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_TIMEOUT);
  g_assert_cmpint (g_get_monotonic_time () - start, >=, G_USEC_PER_SEC / 2);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 0);
  drain_context ();
  result_clear (&r);
  g_ptr_array_unref (fillers);
}

typedef struct
{
  GSocketConnection *accepted;
} Accepted;

static void
on_accepted (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Accepted *acc = user_data;
  g_autoptr(GError) error = NULL;

  acc->accepted = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source), result, NULL, &error);
  g_assert_no_error (error);
}

static gboolean
accepted (Accepted *acc)
{
  return acc->accepted != NULL;
}

/* A message bigger than the socket buffers, to a peer that does not read:
 * its write stays in progress. */
static NetSipMessage *
make_huge (const char *call_id)
{
  NetSipMessage *m = make_options ("sip:bob@sip.test", call_id);
  gsize size = 48 * 1024 * 1024;
  g_autoptr(GBytes) body = g_bytes_new_take (g_malloc0 (size), size);
  net_sip_message_set_body (m, body, "application/octet-stream");
  return m;
}

/* A reset connection fails what is pending on it (the write in progress
 * and the queued one) and leaves other connections working; a queued send
 * whose cancellable fires fails with G_IO_ERROR_CANCELLED. */
static void
test_tcp_reset_fails_pending (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipLeg) b = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) hello = make_options ("sip:bob@sip.test", "hello");
  g_autoptr(NetSipMessage) huge = make_huge ("huge");
  g_autoptr(NetSipMessage) queued = make_options ("sip:bob@sip.test", "queued");
  g_autoptr(NetSipMessage) cancelled = make_options ("sip:bob@sip.test", "cancelled");
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) sink = NULL;
  g_autoptr(GError) error = NULL;
  Result r0 = { 0 }, r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
  Accepted acc = { NULL };
  Inbox ib;

  inbox_init (&ib);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);
  deliver (a, hello, leg_address (b), &r0);
  g_assert_no_error (r0.error);
  wait_inbox (&ib, 1);

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &sink, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, on_accepted, &acc);

  net_sip_leg_deliver_async (a, huge, G_INET_SOCKET_ADDRESS (sink), NULL, on_delivered, &r1);
  net_sip_leg_deliver_async (a, queued, G_INET_SOCKET_ADDRESS (sink), NULL, on_delivered, &r2);
  net_sip_leg_deliver_async (a, cancelled, G_INET_SOCKET_ADDRESS (sink), cancellable, on_delivered, &r3);
  wait_for (accepted, &acc, "the sink to accept");
  drain_context ();
  g_assert_false (r1.done);
  g_assert_false (r2.done);
  g_cancellable_cancel (cancellable);
  wait_for (result_done, &r3, "the cancelled send");
  g_assert_error (r3.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_false (r1.done);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 2);

  /* unread data in the receive buffer: closing sends a reset */
  g_io_stream_close (G_IO_STREAM (acc.accepted), NULL, NULL);
  wait_for (result_done, &r1, "the write in progress to fail");
  wait_for (result_done, &r2, "the queued write to fail");
  g_assert_error (r1.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED);
  g_assert_error (r2.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED);
  wait_connections (a, 1);

  /* the connection to b still works */
  deliver (a, hello, leg_address (b), &r0);
  g_assert_no_error (r0.error);
  wait_inbox (&ib, 2);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (b)), ==, 1);
  g_assert_cmpuint (counter (a, "n-sent"), ==, 2);

  g_clear_object (&acc.accepted);
  result_clear (&r0);
  result_clear (&r1);
  result_clear (&r2);
  result_clear (&r3);
  inbox_clear (&ib);
}

/* Closing the pool fails what is pending; closing again is harmless. */
static void
test_tcp_close_fails_pending (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(NetSipMessage) huge = make_huge ("huge-close");
  g_autoptr(NetSipMessage) queued = make_options ("sip:bob@sip.test", "queued-close");
  g_autoptr(GSocketListener) listener = g_socket_listener_new ();
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) sink = NULL;
  g_autoptr(GError) error = NULL;
  Result r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
  Accepted acc = { NULL };

  g_socket_listener_add_address (listener, any, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                 NULL, &sink, &error);
  g_assert_no_error (error);
  g_socket_listener_accept_async (listener, NULL, on_accepted, &acc);
  net_sip_leg_deliver_async (a, huge, G_INET_SOCKET_ADDRESS (sink), NULL, on_delivered, &r1);
  net_sip_leg_deliver_async (a, queued, G_INET_SOCKET_ADDRESS (sink), NULL, on_delivered, &r2);
  wait_for (accepted, &acc, "the sink to accept");
  drain_context ();
  g_assert_false (r1.done);

  net_sip_socket_pool_close (pool_of (a));
  net_sip_socket_pool_close (pool_of (a));
  wait_for (result_done, &r1, "the write in progress to fail");
  wait_for (result_done, &r2, "the queued write to fail");
  g_assert_error (r1.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED);
  g_assert_error (r2.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED);
  g_assert_cmpuint (net_sip_socket_pool_get_n_connections (pool_of (a)), ==, 0);

  /* a closed pool refuses at once */
  net_sip_leg_deliver_async (a, queued, G_INET_SOCKET_ADDRESS (sink), NULL, on_delivered, &r3);
  wait_for (result_done, &r3, "the send on a closed pool");
  g_assert_error (r3.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED);

  g_clear_object (&acc.accepted);
  result_clear (&r1);
  result_clear (&r2);
  result_clear (&r3);
}

static void
test_tls_missing_certificate (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(NetSipSocketPool) pool =
    net_sip_socket_pool_new (NET_SIP_TRANSPORT_TLS, G_INET_SOCKET_ADDRESS (any), NULL, &error);

  g_assert_null (pool);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE);
}

static void
test_tcp_address_in_use (void)
{
  g_autoptr(NetSipLeg) a = make_leg (NET_SIP_TRANSPORT_TCP, FALSE);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipSocketPool) pool =
    net_sip_socket_pool_new (NET_SIP_TRANSPORT_TCP, leg_address (a), NULL, &error);

  g_assert_null (pool);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE);
}

/* ------------------------------------------------------------------ */
/* TLS trust                                                            */

typedef struct
{
  gboolean             answer;
  guint                calls;
  GTlsCertificateFlags errors;
} Judge;

static gboolean
on_accept_certificate (NetSipLeg            *leg,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  Judge *j = user_data;
  g_assert_true (g_tls_certificate_is_same (certificate, server_cert));
  j->calls++;
  j->errors = errors;
  return j->answer;
}

/* A server whose CA the client does not trust is refused (the default
 * database, the system's, does not know the test CA) unless the
 * application accepts its certificate. */
static void
test_tls_untrusted (void)
{
  g_autoptr(NetSipLeg) a = NULL;
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "untrusted");
  Judge judge = { FALSE, 0, 0 };
  Result r = { 0 };
  Inbox ib;

  if (skip_unless (NET_SIP_TRANSPORT_TLS, FALSE))
    return;
  a = make_leg_full (NET_SIP_TRANSPORT_TLS, FALSE, server_cert, NULL);
  b = make_leg (NET_SIP_TRANSPORT_TLS, FALSE);
  inbox_init (&ib);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);

  deliver (a, req, leg_address (b), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED);
  wait_connections (a, 0);
  wait_connections (b, 0);

  g_signal_connect (a, "accept-certificate", G_CALLBACK (on_accept_certificate), &judge);
  deliver (a, req, leg_address (b), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED);
  g_assert_cmpuint (judge.calls, ==, 1);
  g_assert_true (judge.errors & G_TLS_CERTIFICATE_UNKNOWN_CA);

  judge.answer = TRUE;
  deliver (a, req, leg_address (b), &r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (judge.calls, ==, 2);
  wait_inbox (&ib, 1);
  g_assert_cmpuint (counter (b, "n-received"), ==, 1);

  result_clear (&r);
  inbox_clear (&ib);
}

/* RFC 5922 §7.2: the certificate must name the SIP domain of the target:
 * trusted but for sip.test, it is refused for other.test. */
static void
test_tls_wrong_identity (void)
{
  g_autoptr(NetSipLeg) a = NULL;
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@other.test", "identity");
  Result r = { 0 };

  if (skip_unless (NET_SIP_TRANSPORT_TLS, FALSE))
    return;
  a = make_leg (NET_SIP_TRANSPORT_TLS, FALSE);
  b = make_leg (NET_SIP_TRANSPORT_TLS, FALSE);
  deliver (a, req, leg_address (b), &r);
  g_assert_error (r.error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_TLS_HANDSHAKE_FAILED);
  result_clear (&r);
}

/* verify-client 1 with a client certificate: accepted, and the server
 * sees the certificate in the source of the message. */
static void
test_tls_client_certificate (void)
{
  g_autoptr(NetSipLeg) a = NULL;
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(NetSipMessage) req = make_options ("sip:bob@sip.test", "client-cert");
  Result r = { 0 };
  Inbox ib;

  if (skip_unless (NET_SIP_TRANSPORT_TLS, FALSE))
    return;
  a = make_leg_full (NET_SIP_TRANSPORT_TLS, FALSE, client_cert, test_ca);
  b = make_leg (NET_SIP_TRANSPORT_TLS, FALSE);
  g_object_set (pool_of (b), "verify-client", 1, NULL);
  inbox_init (&ib);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);
  deliver (a, req, leg_address (b), &r);
  g_assert_no_error (r.error);
  wait_inbox (&ib, 1);
  g_assert_nonnull (net_sip_source_info_get_peer_certificate (ib.sources->pdata[0]));
  g_assert_true (g_tls_certificate_is_same (net_sip_source_info_get_peer_certificate (ib.sources->pdata[0]),
                                            client_cert));
  result_clear (&r);
  inbox_clear (&ib);
}

typedef struct
{
  gboolean done;
  gboolean ok;
} Handshake;

static void
on_handshake (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Handshake *h = user_data;
  g_autoptr(GError) error = NULL;
  h->ok = g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error);
  h->done = TRUE;
}

static gboolean
handshake_done (Handshake *h)
{
  return h->done;
}

/* Without a client certificate: with verify-client 1 the server refuses
 * the handshake and never reads a message; with -1 (optional) it takes
 * the message. */
static void
no_client_certificate (gint verify_client)
{
  g_autoptr(NetSipLeg) b = NULL;
  g_autoptr(GSocketClient) client = g_socket_client_new ();
  g_autoptr(GSocketConnection) tcp = NULL;
  g_autoptr(GIOStream) tls = NULL;
  g_autoptr(GSocketConnectable) identity = g_network_address_new ("sip.test", 5061);
  g_autoptr(GError) error = NULL;
  g_autofree char *m = raw_request ("no-client-cert");
  Handshake h = { FALSE, FALSE };
  Inbox ib;

  if (skip_unless (NET_SIP_TRANSPORT_TLS, FALSE))
    return;
  b = make_leg (NET_SIP_TRANSPORT_TLS, FALSE);
  g_object_set (pool_of (b), "verify-client", verify_client, NULL);
  inbox_init (&ib);
  g_signal_connect (b, "message-received", G_CALLBACK (on_message), &ib);

  g_socket_client_set_enable_proxy (client, FALSE);
  tcp = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (leg_address (b)), NULL, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (G_IO_STREAM (tcp), identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), test_ca);
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, NULL, on_handshake, &h);
  wait_for (handshake_done, &h, "the client's handshake");
  if (verify_client < 0)
    {
      g_assert_true (h.ok);
      g_output_stream_write_all (g_io_stream_get_output_stream (tls), m, strlen (m), NULL, NULL, &error);
      g_assert_no_error (error);
      wait_inbox (&ib, 1);
      g_assert_null (net_sip_source_info_get_peer_certificate (ib.sources->pdata[0]));
    }
  else
    {
      if (h.ok)
        {
          /* TLS 1.3: the client finishes first; the server's refusal comes
           * after, so this write may fail or not. (A GError, not NULL:
           * glib-networking 2.74 leaks the error when given NULL.) */
          g_output_stream_write_all (g_io_stream_get_output_stream (tls), m, strlen (m), NULL, NULL, &error);
          g_clear_error (&error);
        }
      wait_connections (b, 0);
      drain_context ();
      g_assert_cmpuint (ib.messages->len, ==, 0);
      g_assert_cmpuint (counter (b, "n-received"), ==, 0);
    }
  g_io_stream_close (tls, NULL, NULL);
  inbox_clear (&ib);
}

static void test_tls_client_certificate_missing (void) { no_client_certificate (1); }
static void test_tls_client_certificate_optional (void) { no_client_certificate (-1); }

/* ------------------------------------------------------------------ */

static void
make_certificates (void)
{
  g_autoptr(GError) error = NULL;

  if (!g_tls_backend_supports_tls (g_tls_backend_get_default ()))
    {
      cert_problem = g_strdup ("GIO has no TLS backend (install glib-networking)");
      return;
    }
  if (!netsip_test_have_certtool ())
    {
      cert_problem = g_strdup ("certtool not found: install gnutls-bin to run the TLS tests");
      return;
    }
  cert_dir = netsip_test_make_cert_dir (&error);
  g_assert_no_error (error);
  if (!netsip_test_make_certs (cert_dir, &error))
    g_error ("making test certificates: %s", error->message);
  server_cert = netsip_test_load_certificate (cert_dir, "server", &error);
  g_assert_no_error (error);
  client_cert = netsip_test_load_certificate (cert_dir, "client", &error);
  g_assert_no_error (error);
  test_ca = netsip_test_load_ca (cert_dir, &error);
  g_assert_no_error (error);
}

static gboolean
probe_ipv6 (void)
{
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV6, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (lo, 0);
  return s && g_socket_bind (s, sa, FALSE, NULL);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  have_ipv6 = probe_ipv6 ();
  make_certificates ();

  g_test_add_func ("/transport-stream/tcp/ipv4", test_tcp_ipv4);
  g_test_add_func ("/transport-stream/tcp/ipv6", test_tcp_ipv6);
  g_test_add_func ("/transport-stream/tcp/reuse", test_tcp_reuse);
  g_test_add_func ("/transport-stream/tcp/response-connection", test_tcp_response_connection);
  g_test_add_func ("/transport-stream/tcp/pipelined", test_tcp_pipelined);
  g_test_add_func ("/transport-stream/tcp/split", test_tcp_split);
  g_test_add_func ("/transport-stream/tcp/close-in-handler", test_tcp_close_in_handler);
  g_test_add_func ("/transport-stream/tcp/keepalive", test_tcp_keepalive);
  g_test_add_func ("/transport-stream/tcp/idle-expiry", test_tcp_idle_expiry);
  g_test_add_func ("/transport-stream/tcp/expiry-scaled", test_tcp_expiry_scaled);
  g_test_add_func ("/transport-stream/tcp/slowloris", test_tcp_slowloris);
  g_test_add_func ("/transport-stream/tcp/max-connections", test_tcp_max_connections);
  g_test_add_func ("/transport-stream/tcp/garbage", test_tcp_garbage);
  g_test_add_func ("/transport-stream/tcp/oversize", test_tcp_oversize);
  g_test_add_func ("/transport-stream/tcp/refused", test_tcp_refused);
  g_test_add_func ("/transport-stream/tcp/address-in-use", test_tcp_address_in_use);
  g_test_add_func ("/transport-stream/tcp/connect-timeout", test_tcp_connect_timeout);
  g_test_add_func ("/transport-stream/tcp/reset-fails-pending", test_tcp_reset_fails_pending);
  g_test_add_func ("/transport-stream/tcp/close-fails-pending", test_tcp_close_fails_pending);
  g_test_add_func ("/transport-stream/tls/ipv4", test_tls_ipv4);
  g_test_add_func ("/transport-stream/tls/ipv6", test_tls_ipv6);
  g_test_add_func ("/transport-stream/tls/reuse", test_tls_reuse);
  g_test_add_func ("/transport-stream/tls/missing-certificate", test_tls_missing_certificate);
  g_test_add_func ("/transport-stream/tls/untrusted", test_tls_untrusted);
  g_test_add_func ("/transport-stream/tls/wrong-identity", test_tls_wrong_identity);
  g_test_add_func ("/transport-stream/tls/client-certificate", test_tls_client_certificate);
  g_test_add_func ("/transport-stream/tls/client-certificate-missing", test_tls_client_certificate_missing);
  g_test_add_func ("/transport-stream/tls/client-certificate-optional", test_tls_client_certificate_optional);

  ret = g_test_run ();

  g_clear_object (&server_cert);
  g_clear_object (&client_cert);
  g_clear_object (&test_ca);
  netsip_test_remove_cert_dir (cert_dir);
  g_free (cert_dir);
  g_free (cert_problem);
  return ret;
}
