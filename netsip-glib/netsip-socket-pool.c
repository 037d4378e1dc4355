/* netsip-socket-pool.c: the sockets behind one leg; the object, its
 * properties and signals, and the datagram (UDP) side. The stream side (TCP,
 * TLS) is in netsip-socket-pool-stream.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <errno.h>
#include <sys/socket.h>
#include <netinet/in.h>
#ifdef __linux__
#include <linux/errqueue.h>
#endif

#include "netsip-socket-pool.h"
#include "netsip-socket-pool-private.h"
#include "netsip-enum-types.h"
#include "netsip-marshal.h"
#include "netsip-message-private.h"
#include "netsip-error.h"
#include "netsip-transport-private.h"
#include "netsip-version.h"

/**
 * NetSipSocketPool:
 *
 * The sockets of one leg, on the GLib main context that was the
 * thread-default when the pool was made (Net::SIP's SocketPool).
 *
 * For UDP one socket sends and receives. For TCP and TLS a listening
 * socket accepts connections and outgoing messages reuse a connection to
 * the same peer before opening one; a response goes back over the
 * connection its request came in on (RFC 3261 §18.2.2). Received messages
 * are announced with [signal@NetSip.SocketPool::message-received].
 *
 * Bad input never reaches the application: datagrams under 13 bytes are
 * keep-alives and ignored; an unparsable message is counted and dropped,
 * answered with 400 (or 513 when too large) when it is a request whose Via
 * can be read; a stream that cannot be framed any more is answered the
 * same way and closed.
 *
 * Since: 1.0
 */

/* RFC 3261 §18.1.1: a UDP message is at most 65,535 bytes; keep-alives
 * (RFC 5626 §4.4.1 CRLF, STUN, a few bytes) are shorter than any message. */
#define UDP_BUFFER_SIZE 65536
#define MIN_MESSAGE_SIZE 13
#define UDP_BATCH 64

enum {
  PROP_0,
  PROP_TRANSPORT,
  PROP_LOCAL_ADDRESS,
  PROP_CERTIFICATE,
  PROP_DATABASE,
  PROP_VERIFY_CLIENT,
  PROP_MAX_SIP_HEADER,
  PROP_MAX_SIP_BODY,
  PROP_MAX_TIDLIST,
  PROP_MIN_EXPIRE,
  PROP_MAX_EXPIRE,
  PROP_CONNECT_TIMEOUT,
  PROP_TCP_READSIZE,
  PROP_MAX_CONNECTIONS,
  PROP_N_RECEIVED,
  PROP_N_SENT,
  PROP_N_DROPPED_MALFORMED,
  PROP_N_DROPPED_OVERSIZE,
  PROP_FIXED_DESTINATION,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIG_MESSAGE_RECEIVED,
  SIG_ACCEPT_CERTIFICATE,
  SIG_SEND_FAILED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct
{
  NetSipSendDone      done;
  gpointer            done_data;
  GCancellable       *cancellable;
  GBytes             *data;
  GInetSocketAddress *destination;
} PendingSend;

static void net_sip_socket_pool_initable_iface_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipSocketPool, net_sip_socket_pool, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      net_sip_socket_pool_initable_iface_init))

/* ------------------------------------------------------------------ */

/* Ends a send: calls its done function, which owns @error. */
static inline void
send_done (NetSipSendDone  done,
           gpointer        done_data,
           GError         *error)
{
  if (done)
    done (error, done_data);
  else if (error)
    {
      g_debug ("a send nobody waits for failed: %s", error->message);
      g_error_free (error);
    }
}

static void
pending_send_free (PendingSend *ps)
{
  g_clear_object (&ps->cancellable);
  g_bytes_unref (ps->data);
  g_object_unref (ps->destination);
  g_free (ps);
}

static void
fail_pending_sends (NetSipSocketPool *self)
{
  PendingSend *ps;

  while ((ps = g_queue_pop_head (&self->pending_sends)))
    {
      send_done (ps->done, ps->done_data,
                 g_error_new_literal (NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                                      "the socket pool was closed before the message was sent"));
      pending_send_free (ps);
    }
}

/**
 * net_sip_socket_pool_close:
 * @self: a #NetSipSocketPool
 *
 * Closes every socket; pending sends fail with
 * %NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED. Also done when the pool is
 * disposed.
 *
 * Since: 1.0
 */
void
net_sip_socket_pool_close (NetSipSocketPool *self)
{
  g_return_if_fail (NET_SIP_IS_SOCKET_POOL (self));

  if (self->closed)
    return;
  self->closed = TRUE;
  if (self->read_source)
    {
      g_source_destroy (self->read_source);
      g_clear_pointer (&self->read_source, g_source_unref);
    }
  if (self->write_source)
    {
      g_source_destroy (self->write_source);
      g_clear_pointer (&self->write_source, g_source_unref);
    }
  fail_pending_sends (self);
  if (self->transport != NET_SIP_TRANSPORT_UDP && self->initialized)
    net_sip_socket_pool_stream_close (self);
  if (self->socket)
    g_socket_close (self->socket, NULL);
}

static void
net_sip_socket_pool_dispose (GObject *object)
{
  NetSipSocketPool *self = NET_SIP_SOCKET_POOL (object);

  net_sip_socket_pool_close (self);
  g_clear_object (&self->socket);
  g_clear_object (&self->last_from);
  g_clear_object (&self->last_source);
  G_OBJECT_CLASS (net_sip_socket_pool_parent_class)->dispose (object);
}

static void
net_sip_socket_pool_finalize (GObject *object)
{
  NetSipSocketPool *self = NET_SIP_SOCKET_POOL (object);

  g_clear_object (&self->local_address);
  g_clear_object (&self->fixed_destination);
  g_clear_pointer (&self->udp_buffer, g_free);
  g_clear_object (&self->certificate);
  g_clear_object (&self->database);
  g_clear_pointer (&self->context, g_main_context_unref);
  G_OBJECT_CLASS (net_sip_socket_pool_parent_class)->finalize (object);
}

static void
net_sip_socket_pool_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  NetSipSocketPool *self = NET_SIP_SOCKET_POOL (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT: g_value_set_enum (value, self->transport); break;
    case PROP_LOCAL_ADDRESS: g_value_set_object (value, self->local_address); break;
    case PROP_CERTIFICATE: g_value_set_object (value, self->certificate); break;
    case PROP_DATABASE: g_value_set_object (value, self->database); break;
    case PROP_VERIFY_CLIENT: g_value_set_int (value, self->verify_client); break;
    case PROP_MAX_SIP_HEADER: g_value_set_uint (value, self->max_sip_header); break;
    case PROP_MAX_SIP_BODY: g_value_set_uint (value, self->max_sip_body); break;
    case PROP_MAX_TIDLIST: g_value_set_uint (value, self->max_tidlist); break;
    case PROP_MIN_EXPIRE: g_value_set_uint (value, self->min_expire); break;
    case PROP_MAX_EXPIRE: g_value_set_uint (value, self->max_expire); break;
    case PROP_CONNECT_TIMEOUT: g_value_set_uint (value, self->connect_timeout); break;
    case PROP_TCP_READSIZE: g_value_set_uint (value, self->tcp_readsize); break;
    case PROP_MAX_CONNECTIONS: g_value_set_uint (value, self->max_connections); break;
    case PROP_N_RECEIVED: g_value_set_uint64 (value, self->n_received); break;
    case PROP_N_SENT: g_value_set_uint64 (value, self->n_sent); break;
    case PROP_N_DROPPED_MALFORMED: g_value_set_uint64 (value, self->n_dropped_malformed); break;
    case PROP_N_DROPPED_OVERSIZE: g_value_set_uint64 (value, self->n_dropped_oversize); break;
    case PROP_FIXED_DESTINATION: g_value_set_object (value, self->fixed_destination); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (NetSipSocketPool *self,
               guint            *field,
               const GValue     *value,
               GParamSpec       *pspec)
{
  guint v = g_value_get_uint (value);
  if (*field == v)
    return;
  *field = v;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
net_sip_socket_pool_set_property (GObject      *object,
                                  guint         prop_id,
                                  const GValue *value,
                                  GParamSpec   *pspec)
{
  NetSipSocketPool *self = NET_SIP_SOCKET_POOL (object);

  switch (prop_id)
    {
    case PROP_TRANSPORT: self->transport = g_value_get_enum (value); break;
    case PROP_LOCAL_ADDRESS: g_set_object (&self->local_address, g_value_get_object (value)); break;
    case PROP_CERTIFICATE:
      if (g_set_object (&self->certificate, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_DATABASE:
      if (g_set_object (&self->database, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    case PROP_VERIFY_CLIENT:
      if (self->verify_client != g_value_get_int (value))
        {
          self->verify_client = g_value_get_int (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MAX_SIP_HEADER: set_uint_prop (self, &self->max_sip_header, value, pspec); break;
    case PROP_MAX_SIP_BODY: set_uint_prop (self, &self->max_sip_body, value, pspec); break;
    case PROP_MAX_TIDLIST: set_uint_prop (self, &self->max_tidlist, value, pspec); break;
    case PROP_MIN_EXPIRE: set_uint_prop (self, &self->min_expire, value, pspec); break;
    case PROP_MAX_EXPIRE: set_uint_prop (self, &self->max_expire, value, pspec); break;
    case PROP_CONNECT_TIMEOUT: set_uint_prop (self, &self->connect_timeout, value, pspec); break;
    case PROP_TCP_READSIZE: set_uint_prop (self, &self->tcp_readsize, value, pspec); break;
    case PROP_MAX_CONNECTIONS: set_uint_prop (self, &self->max_connections, value, pspec); break;
    case PROP_FIXED_DESTINATION:
      if (g_set_object (&self->fixed_destination, g_value_get_object (value)))
        g_object_notify_by_pspec (object, pspec);
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static GParamSpec *
uint_pspec (const char *name,
            guint       min,
            guint       max,
            guint       def)
{
  return g_param_spec_uint (name, NULL, NULL, min, max, def,
                            G_PARAM_READWRITE | G_PARAM_CONSTRUCT | G_PARAM_STATIC_STRINGS |
                            G_PARAM_EXPLICIT_NOTIFY);
}

static GParamSpec *
counter_pspec (const char *name)
{
  return g_param_spec_uint64 (name, NULL, NULL, 0, G_MAXUINT64, 0,
                              G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);
}

static void
net_sip_socket_pool_class_init (NetSipSocketPoolClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = net_sip_socket_pool_dispose;
  object_class->finalize = net_sip_socket_pool_finalize;
  object_class->get_property = net_sip_socket_pool_get_property;
  object_class->set_property = net_sip_socket_pool_set_property;

  /**
   * NetSipSocketPool:transport:
   *
   * UDP, TCP or TLS.
   *
   * Since: 1.0
   */
  props[PROP_TRANSPORT] =
    g_param_spec_enum ("transport", NULL, NULL, NET_SIP_TYPE_TRANSPORT, NET_SIP_TRANSPORT_UDP,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipSocketPool:local-address:
   *
   * The local address and port; after construction, the bound port (port 0
   * asks for any free one).
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_ADDRESS] =
    g_param_spec_object ("local-address", NULL, NULL, G_TYPE_INET_SOCKET_ADDRESS,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipSocketPool:certificate:
   *
   * The certificate (with its private key) a TLS pool presents, as server
   * and, when a peer asks for one, as client.
   *
   * Since: 1.0
   */
  props[PROP_CERTIFICATE] =
    g_param_spec_object ("certificate", NULL, NULL, G_TYPE_TLS_CERTIFICATE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipSocketPool:database:
   *
   * The trust store for peers' certificates; %NULL for the system's.
   *
   * Since: 1.0
   */
  props[PROP_DATABASE] =
    g_param_spec_object ("database", NULL, NULL, G_TYPE_TLS_DATABASE,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipSocketPool:verify-client:
   *
   * Client certificates on accepted TLS connections: -1 asked for but
   * optional, 0 not asked for, 1 required (Net::SIP's `verify_client`).
   *
   * Since: 1.0
   */
  props[PROP_VERIFY_CLIENT] =
    g_param_spec_int ("verify-client", NULL, NULL, -1, 1, 0,
                      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipSocketPool:max-sip-header:
   *
   * Limit in bytes of a message's start line and header section.
   *
   * Since: 1.0
   */
  props[PROP_MAX_SIP_HEADER] = uint_pspec ("max-sip-header", 64, G_MAXINT32, NET_SIP_DEFAULT_MAX_HEADER_SIZE);
  /**
   * NetSipSocketPool:max-sip-body:
   *
   * Limit in bytes of a message body.
   *
   * Since: 1.0
   */
  props[PROP_MAX_SIP_BODY] = uint_pspec ("max-sip-body", 0, G_MAXINT32, NET_SIP_DEFAULT_MAX_BODY_SIZE);
  /**
   * NetSipSocketPool:max-tidlist:
   *
   * How many request transaction ids a connection remembers, so that
   * their responses go back over it.
   *
   * Since: 1.0
   */
  props[PROP_MAX_TIDLIST] = uint_pspec ("max-tidlist", 1, 100000, 30);
  /**
   * NetSipSocketPool:min-expire:
   *
   * Seconds an idle connection is kept at least.
   *
   * Since: 1.0
   */
  props[PROP_MIN_EXPIRE] = uint_pspec ("min-expire", 1, 86400, 15);
  /**
   * NetSipSocketPool:max-expire:
   *
   * Seconds an idle connection is kept at most; the more connections, the
   * closer to [property@NetSip.SocketPool:min-expire].
   *
   * Since: 1.0
   */
  props[PROP_MAX_EXPIRE] = uint_pspec ("max-expire", 1, 86400, 120);
  /**
   * NetSipSocketPool:connect-timeout:
   *
   * Seconds to establish a TCP or TLS connection, and at most to receive
   * one message's header section.
   *
   * Since: 1.0
   */
  props[PROP_CONNECT_TIMEOUT] = uint_pspec ("connect-timeout", 1, 3600, 10);
  /**
   * NetSipSocketPool:tcp-readsize:
   *
   * Bytes asked for by each read on a connection.
   *
   * Since: 1.0
   */
  props[PROP_TCP_READSIZE] = uint_pspec ("tcp-readsize", 512, 16 * 1024 * 1024, 65536);
  /**
   * NetSipSocketPool:max-connections:
   *
   * Most TCP or TLS connections held at once, accepted and opened.
   *
   * Since: 1.0
   */
  props[PROP_MAX_CONNECTIONS] = uint_pspec ("max-connections", 1, 1000000, 10000);
  /**
   * NetSipSocketPool:n-received:
   *
   * Messages received and announced.
   *
   * Since: 1.0
   */
  props[PROP_N_RECEIVED] = counter_pspec ("n-received");
  /**
   * NetSipSocketPool:n-sent:
   *
   * Messages sent.
   *
   * Since: 1.0
   */
  props[PROP_N_SENT] = counter_pspec ("n-sent");
  /**
   * NetSipSocketPool:n-dropped-malformed:
   *
   * Messages dropped because they did not parse.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED_MALFORMED] = counter_pspec ("n-dropped-malformed");
  /**
   * NetSipSocketPool:n-dropped-oversize:
   *
   * Messages dropped because they exceeded a size limit.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED_OVERSIZE] = counter_pspec ("n-dropped-oversize");
  /**
   * NetSipSocketPool:fixed-destination:
   *
   * When set, the only peer of the pool (Net::SIP's `dst`, e.g. an
   * outbound proxy): every message goes there whatever destination is
   * asked for, and datagrams from anyone else are ignored.
   *
   * Since: 1.0
   */
  props[PROP_FIXED_DESTINATION] =
    g_param_spec_object ("fixed-destination", NULL, NULL, G_TYPE_INET_SOCKET_ADDRESS,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipSocketPool::message-received:
   * @self: the pool
   * @message: the message, parsed
   * @source: where it came from
   *
   * Emitted on the pool's main context for every message received.
   *
   * Since: 1.0
   */
  signals[SIG_MESSAGE_RECEIVED] =
    g_signal_new ("message-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, net_sip_marshal_VOID__OBJECT_OBJECT, G_TYPE_NONE, 2,
                  NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_SOURCE_INFO);
  g_signal_set_va_marshaller (signals[SIG_MESSAGE_RECEIVED], G_TYPE_FROM_CLASS (klass),
                              net_sip_marshal_VOID__OBJECT_OBJECTv);

  /**
   * NetSipSocketPool::accept-certificate:
   * @self: the pool
   * @peer_certificate: the certificate the TLS server presented
   * @errors: why it did not verify
   *
   * Emitted when a TLS peer presents a certificate that does not verify:
   * on an outgoing connection, against [property@NetSip.SocketPool:database]
   * and the SIP domain of the target (RFC 5922 §7.2); on an accepted one,
   * a client certificate when [property@NetSip.SocketPool:verify-client]
   * asks for one. A handler returning %TRUE accepts it.
   *
   * Returns: %TRUE to accept the certificate
   *
   * Since: 1.0
   */
  signals[SIG_ACCEPT_CERTIFICATE] =
    g_signal_new ("accept-certificate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, g_signal_accumulator_true_handled, NULL, NULL, G_TYPE_BOOLEAN, 2,
                  G_TYPE_TLS_CERTIFICATE, G_TYPE_TLS_CERTIFICATE_FLAGS);

  /**
   * NetSipSocketPool::send-failed:
   * @self: the pool
   * @destination: where an earlier datagram went
   * @error: why it did not arrive: %NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED
   *   (ICMP port unreachable) or %NET_SIP_TRANSPORT_ERROR_NO_ROUTE (host or
   *   network unreachable)
   *
   * Over UDP a send completes when the datagram leaves; when the network
   * answers it with an ICMP error later, this signal says so (RFC 3261
   * §18.4: the transport informs its user of a failure in sending), so
   * that a transaction can move on to the next target at once (RFC 3263
   * §4.3) instead of waiting for its timeout. Linux only (`IP_RECVERR`);
   * elsewhere it is never emitted.
   *
   * Since: 1.0
   */
  signals[SIG_SEND_FAILED] =
    g_signal_new ("send-failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_INET_SOCKET_ADDRESS, G_TYPE_ERROR);
}

static void
net_sip_socket_pool_init (NetSipSocketPool *self)
{
  g_queue_init (&self->pending_sends);
  self->verify_client = 0;
}

/* ------------------------------------------------------------------ */
/* Shared with the stream side                                          */

void
net_sip_socket_pool_dispatch (NetSipSocketPool *self,
                              NetSipMessage    *message,
                              NetSipSourceInfo *source)
{
  if (self->receive_hook)
    self->receive_hook (self, message, source, self->receive_hook_data);
  /* the hook may have closed the pool */
  if (!self->closed && g_signal_has_handler_pending (self, signals[SIG_MESSAGE_RECEIVED], 0, FALSE))
    g_signal_emit (self, signals[SIG_MESSAGE_RECEIVED], 0, message, source);
}

void
net_sip_socket_pool_set_receive_hook (NetSipSocketPool  *self,
                                      NetSipReceiveHook  hook,
                                      gpointer           user_data)
{
  self->receive_hook = hook;
  self->receive_hook_data = user_data;
}

gboolean
net_sip_socket_pool_accept_certificate (NetSipSocketPool     *self,
                                        GTlsCertificate      *peer_certificate,
                                        GTlsCertificateFlags  errors)
{
  gboolean accept = FALSE;
  g_signal_emit (self, signals[SIG_ACCEPT_CERTIFICATE], 0, peer_certificate, errors, &accept);
  return accept;
}

/* ------------------------------------------------------------------ */
/* UDP                                                                 */

/* The transport error code for a GIO error, @fallback for the others.
 * Shared with the stream side. */
gint
net_sip_socket_pool_transport_code (const GError *io,
                                    gint          fallback)
{
  if (io->domain != G_IO_ERROR)
    return fallback;
  switch (io->code)
    {
    case G_IO_ERROR_CONNECTION_REFUSED: return NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED;
    case G_IO_ERROR_HOST_UNREACHABLE:
    case G_IO_ERROR_NETWORK_UNREACHABLE: return NET_SIP_TRANSPORT_ERROR_NO_ROUTE;
    case G_IO_ERROR_MESSAGE_TOO_LARGE: return NET_SIP_TRANSPORT_ERROR_MESSAGE_TOO_LARGE;
    case G_IO_ERROR_ADDRESS_IN_USE: return NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE;
    case G_IO_ERROR_TIMED_OUT: return NET_SIP_TRANSPORT_ERROR_TIMEOUT;
    case G_IO_ERROR_CONNECTION_CLOSED: return NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED;
    default: return fallback;
    }
}

static GError *
transport_error_from_io (GError     *io,
                         const char *what)
{
  return g_error_new (NET_SIP_TRANSPORT_ERROR,
                      net_sip_socket_pool_transport_code (io, NET_SIP_TRANSPORT_ERROR_FAILED),
                      "%s: %s", what, io->message);
}

static void
answer_garbage (NetSipSocketPool *self,
                GBytes           *bytes,
                const GError     *error,
                GSocketAddress   *from)
{
  gboolean too_large = g_error_matches (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_TOO_LARGE);
  g_autoptr(GBytes) reply = net_sip_message_error_response (bytes, too_large ? 513 : 400, error->message);

  if (too_large)
    self->n_dropped_oversize++;
  else
    self->n_dropped_malformed++;
  g_debug ("dropped a datagram: %s", error->message);
  if (reply)
    {
      gsize len;
      const char *d = g_bytes_get_data (reply, &len);
      /* best effort: a reply to garbage is never retried */
      g_socket_send_to (self->socket, from, d, len, NULL, NULL);
    }
}

static void
handle_datagram (NetSipSocketPool *self,
                 const char       *data,
                 gsize             len,
                 GSocketAddress   *from)
{
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) message = NULL;
  g_autoptr(NetSipSourceInfo) source = NULL;

  if (len < MIN_MESSAGE_SIZE || !G_IS_INET_SOCKET_ADDRESS (from))
    return;  /* keep-alive (RFC 5626 §4.4.1) or not from an IP peer */
  if (self->fixed_destination && !net_sip_socket_address_equal (self->fixed_destination, G_INET_SOCKET_ADDRESS (from)))
    return;

  bytes = g_bytes_new (data, len);
  message = net_sip_message_parse_full (bytes, NET_SIP_PARSE_FLAGS_NONE,
                                        self->max_sip_header, self->max_sip_body, &error);
  if (message == NULL)
    {
      answer_garbage (self, bytes, error, from);
      return;
    }
  self->n_received++;
  if (from != self->last_from)
    {
      g_set_object (&self->last_from, from);
      g_clear_object (&self->last_source);
      self->last_source = net_sip_source_info_new (NET_SIP_TRANSPORT_UDP, G_INET_SOCKET_ADDRESS (from),
                                                   self->local_address, NULL);
    }
  source = g_object_ref (self->last_source);
  net_sip_socket_pool_dispatch (self, message, source);
}

#ifdef IP_RECVERR
/* Reads the socket's error queue (IP_RECVERR): each entry is an ICMP error
 * for a datagram we sent, with that datagram's destination as the message
 * name. GSocket cannot read MSG_ERRQUEUE, hence the plain recvmsg() on
 * its descriptor. Bounded per wakeup like the datagrams. */
static void
udp_read_errors (NetSipSocketPool *self)
{
  int fd = g_socket_get_fd (self->socket);

  for (guint i = 0; i < UDP_BATCH && !self->closed; i++)
    {
      struct sockaddr_storage name;
      union { char buf[CMSG_SPACE (sizeof (struct sock_extended_err) + sizeof (struct sockaddr_in6))];
              struct cmsghdr align; } control;
      char data[1];
      struct iovec iov = { data, sizeof data };
      struct msghdr msg = { 0 };
      struct cmsghdr *cmsg;
      const struct sock_extended_err *ee = NULL;
      g_autoptr(GSocketAddress) destination = NULL;
      g_autoptr(GError) error = NULL;
      gint code;

      msg.msg_name = &name;
      msg.msg_namelen = sizeof name;
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control.buf;
      msg.msg_controllen = sizeof control.buf;
      if (recvmsg (fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT) < 0)
        return;  /* EAGAIN: the queue is empty */
      for (cmsg = CMSG_FIRSTHDR (&msg); cmsg; cmsg = CMSG_NXTHDR (&msg, cmsg))
        if ((cmsg->cmsg_level == SOL_IP && cmsg->cmsg_type == IP_RECVERR) ||
            (cmsg->cmsg_level == SOL_IPV6 && cmsg->cmsg_type == IPV6_RECVERR))
          ee = (const struct sock_extended_err *) CMSG_DATA (cmsg);
      if (ee == NULL || (ee->ee_origin != SO_EE_ORIGIN_ICMP && ee->ee_origin != SO_EE_ORIGIN_ICMP6) ||
          msg.msg_namelen == 0)
        continue;
      destination = g_socket_address_new_from_native (&name, msg.msg_namelen);
      if (!G_IS_INET_SOCKET_ADDRESS (destination))
        continue;
      code = ee->ee_errno == ECONNREFUSED ? NET_SIP_TRANSPORT_ERROR_CONNECTION_REFUSED
                                          : NET_SIP_TRANSPORT_ERROR_NO_ROUTE;
      {
        g_autofree char *where = g_socket_connectable_to_string (G_SOCKET_CONNECTABLE (destination));
        error = g_error_new (NET_SIP_TRANSPORT_ERROR, code, "UDP to %s: %s", where, g_strerror (ee->ee_errno));
      }
      g_debug ("%s", error->message);
      g_signal_emit (self, signals[SIG_SEND_FAILED], 0, destination, error);
    }
}
#endif

static gboolean
udp_readable (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  NetSipSocketPool *self = user_data;
  char *buffer = self->udp_buffer;

  g_object_ref (self);
#ifdef IP_RECVERR
  if (condition & G_IO_ERR)
    udp_read_errors (self);
#endif
  /* a bounded batch per wakeup keeps other sources on the context served */
  for (guint i = 0; i < UDP_BATCH && !self->closed; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GSocketAddress) from = NULL;
      gssize n = g_socket_receive_from (socket, &from, buffer, UDP_BUFFER_SIZE, NULL, &error);

      if (n < 0)
        {
          /* ICMP errors of earlier sends surface here on Linux: not fatal */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
            g_debug ("UDP receive: %s", error->message);
          break;
        }
      handle_datagram (self, buffer, n, from);
    }
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean udp_writable (GSocket *socket, GIOCondition condition, gpointer user_data);

/* Sends one datagram and ends the send; FALSE (and nothing ended) when
 * the socket would block. */
static gboolean
udp_try_send (NetSipSocketPool   *self,
              GBytes             *data,
              GInetSocketAddress *destination,
              NetSipSendDone      done,
              gpointer            done_data)
{
  g_autoptr(GError) error = NULL;
  gsize len;
  const char *d = g_bytes_get_data (data, &len);
  gssize n = g_socket_send_to (self->socket, G_SOCKET_ADDRESS (destination), d, len, NULL, &error);

  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return FALSE;
  if (n < 0)
    send_done (done, done_data, transport_error_from_io (error, "UDP send"));
  else
    {
      self->n_sent++;
      send_done (done, done_data, NULL);
    }
  return TRUE;
}

static void
udp_flush (NetSipSocketPool *self)
{
  PendingSend *ps;

  while ((ps = g_queue_peek_head (&self->pending_sends)))
    {
      GError *error = NULL;

      /* off the queue before its done function runs: that may send
       * again or close the pool */
      g_queue_pop_head (&self->pending_sends);
      if (g_cancellable_set_error_if_cancelled (ps->cancellable, &error))
        send_done (ps->done, ps->done_data, error);
      else if (!udp_try_send (self, ps->data, ps->destination, ps->done, ps->done_data))
        {
          g_queue_push_head (&self->pending_sends, ps);
          break;
        }
      pending_send_free (ps);
    }
  if (self->closed)
    return;

  if (g_queue_is_empty (&self->pending_sends))
    {
      if (self->write_source)
        {
          g_source_destroy (self->write_source);
          g_clear_pointer (&self->write_source, g_source_unref);
        }
    }
  else if (self->write_source == NULL)
    {
      self->write_source = g_socket_create_source (self->socket, G_IO_OUT, NULL);
      g_source_set_callback (self->write_source, G_SOURCE_FUNC (udp_writable), self, NULL);
      g_source_attach (self->write_source, self->context);
    }
}

static gboolean
udp_writable (GSocket      *socket,
              GIOCondition  condition,
              gpointer      user_data)
{
  NetSipSocketPool *self = user_data;

  g_object_ref (self);
  udp_flush (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static gboolean
udp_init (NetSipSocketPool  *self,
          GError           **error)
{
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GSocketAddress) bound = NULL;
  GSocketFamily family = g_socket_address_get_family (G_SOCKET_ADDRESS (self->local_address));

  self->socket = g_socket_new (family, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &local_error);
  if (self->socket == NULL)
    {
      g_propagate_error (error, transport_error_from_io (local_error, "UDP socket"));
      return FALSE;
    }
  g_socket_set_blocking (self->socket, FALSE);
#ifdef IP_RECVERR
  /* ICMP errors for our datagrams, read from the error queue: the
   * send-failed signal (RFC 3261 §18.4) */
  if (family == G_SOCKET_FAMILY_IPV6)
    g_socket_set_option (self->socket, SOL_IPV6, IPV6_RECVERR, 1, NULL);
  else
    g_socket_set_option (self->socket, SOL_IP, IP_RECVERR, 1, NULL);
#endif
  self->udp_buffer = g_malloc (UDP_BUFFER_SIZE);
  if (!g_socket_bind (self->socket, G_SOCKET_ADDRESS (self->local_address), FALSE, &local_error))
    {
      g_propagate_error (error, transport_error_from_io (local_error, "UDP bind"));
      return FALSE;
    }
  bound = g_socket_get_local_address (self->socket, &local_error);
  if (bound == NULL)
    {
      g_propagate_error (error, transport_error_from_io (local_error, "UDP bind"));
      return FALSE;
    }
  g_set_object (&self->local_address, G_INET_SOCKET_ADDRESS (bound));

  self->read_source = g_socket_create_source (self->socket, G_IO_IN, NULL);
  g_source_set_callback (self->read_source, G_SOURCE_FUNC (udp_readable), self, NULL);
  g_source_attach (self->read_source, self->context);
  return TRUE;
}

static gboolean
net_sip_socket_pool_initable_init (GInitable     *initable,
                                   GCancellable  *cancellable,
                                   GError       **error)
{
  NetSipSocketPool *self = NET_SIP_SOCKET_POOL (initable);

  if (self->initialized)
    return TRUE;
  if (self->local_address == NULL)
    {
      g_set_error_literal (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS,
                           "a socket pool needs a local address");
      return FALSE;
    }
  if (self->transport == NET_SIP_TRANSPORT_TLS && self->certificate == NULL)
    {
      g_set_error_literal (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE,
                           "a TLS leg needs a certificate with its private key");
      return FALSE;
    }
  self->context = g_main_context_ref_thread_default ();
  if (self->transport == NET_SIP_TRANSPORT_UDP)
    {
      if (!udp_init (self, error))
        return FALSE;
    }
  else if (!net_sip_socket_pool_stream_init (self, error))
    return FALSE;
  self->initialized = TRUE;
  return TRUE;
}

static void
net_sip_socket_pool_initable_iface_init (GInitableIface *iface)
{
  iface->init = net_sip_socket_pool_initable_init;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_socket_pool_new:
 * @transport: UDP, TCP or TLS
 * @local_address: where to bind; port 0 for any free port
 * @certificate: (nullable): for TLS, the certificate with its private key
 * @error: return location for a #GError
 *
 * Binds the pool's socket (and for TCP and TLS listens) on the thread-default
 * main context, where it will deliver
 * [signal@NetSip.SocketPool::message-received].
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_ADDRESS_IN_USE,
 *   %NET_SIP_TRANSPORT_ERROR_MISSING_CERTIFICATE for TLS without
 *   @certificate, %NET_SIP_TRANSPORT_ERROR_FAILED for other socket errors.
 *
 * Returns: (transfer full): the pool, or %NULL on error
 *
 * Since: 1.0
 */
NetSipSocketPool *
net_sip_socket_pool_new (NetSipTransport      transport,
                         GInetSocketAddress  *local_address,
                         GTlsCertificate     *certificate,
                         GError             **error)
{
  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (local_address), NULL);
  return g_initable_new (NET_SIP_TYPE_SOCKET_POOL, NULL, error,
                         "transport", transport,
                         "local-address", local_address,
                         "certificate", certificate,
                         NULL);
}

/**
 * net_sip_socket_pool_get_transport:
 * @self: a #NetSipSocketPool
 *
 * Gets the transport of the pool.
 *
 * Returns: the transport
 *
 * Since: 1.0
 */
NetSipTransport
net_sip_socket_pool_get_transport (NetSipSocketPool *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOCKET_POOL (self), NET_SIP_TRANSPORT_UDP);
  return self->transport;
}

/**
 * net_sip_socket_pool_get_local_address:
 * @self: a #NetSipSocketPool
 *
 * Gets the address the pool is bound to.
 *
 * Returns: (transfer none): the bound local address and port
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_socket_pool_get_local_address (NetSipSocketPool *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOCKET_POOL (self), NULL);
  return self->local_address;
}

/**
 * net_sip_socket_pool_get_n_connections:
 * @self: a #NetSipSocketPool
 *
 * Gets the number of open stream connections.
 *
 * Returns: the number of TCP or TLS connections held (0 for UDP)
 *
 * Since: 1.0
 */
guint
net_sip_socket_pool_get_n_connections (NetSipSocketPool *self)
{
  g_return_val_if_fail (NET_SIP_IS_SOCKET_POOL (self), 0);
  if (self->transport == NET_SIP_TRANSPORT_UDP || !self->initialized || self->closed)
    return 0;
  return net_sip_socket_pool_stream_n_connections (self);
}

/* NetSipSendDone for net_sip_socket_pool_send_async(): completes its task */
static void
task_send_done (GError   *error,
                gpointer  user_data)
{
  g_autoptr(GTask) task = user_data;

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

typedef struct
{
  NetSipSendDone done;
  gpointer       done_data;
} StreamSend;

static void
stream_send_finished (GObject      *source,
                      GAsyncResult *result,
                      gpointer      user_data)
{
  StreamSend *ss = user_data;
  GError *error = NULL;

  g_task_propagate_boolean (G_TASK (result), &error);
  send_done (ss->done, ss->done_data, error);
  g_free (ss);
}

void
net_sip_socket_pool_send_internal (NetSipSocketPool   *self,
                                   NetSipMessage      *message,
                                   GInetSocketAddress *destination,
                                   const char         *server_identity,
                                   GCancellable       *cancellable,
                                   NetSipSendDone      done,
                                   gpointer            done_data)
{
  g_autoptr(GBytes) data = NULL;
  GSocketFamily family;
  GError *error = NULL;

  if (self->fixed_destination)
    destination = self->fixed_destination;

  if (self->closed || !self->initialized)
    {
      send_done (done, done_data,
                 g_error_new_literal (NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_CONNECTION_CLOSED,
                                      "the socket pool is closed"));
      return;
    }
  family = g_socket_address_get_family (G_SOCKET_ADDRESS (destination));
  if (family != g_socket_address_get_family (G_SOCKET_ADDRESS (self->local_address)))
    {
      send_done (done, done_data,
                 g_error_new (NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                              "an IPv%d leg cannot send to an IPv%d address",
                              family == G_SOCKET_FAMILY_IPV6 ? 4 : 6,
                              family == G_SOCKET_FAMILY_IPV6 ? 6 : 4));
      return;
    }
  if (g_cancellable_set_error_if_cancelled (cancellable, &error))
    {
      send_done (done, done_data, error);
      return;
    }

  data = net_sip_message_to_bytes (message);
  if (self->transport == NET_SIP_TRANSPORT_UDP)
    {
      PendingSend *ps;

      /* the common case: nothing queued and the socket takes it now */
      if (g_queue_is_empty (&self->pending_sends) &&
          udp_try_send (self, data, destination, done, done_data))
        return;
      ps = g_new0 (PendingSend, 1);
      ps->done = done;
      ps->done_data = done_data;
      ps->cancellable = cancellable ? g_object_ref (cancellable) : NULL;
      ps->data = g_steal_pointer (&data);
      ps->destination = g_object_ref (destination);
      g_queue_push_tail (&self->pending_sends, ps);
      udp_flush (self);
      return;
    }
  else
    {
      StreamSend *ss = g_new (StreamSend, 1);
      GTask *task;

      ss->done = done;
      ss->done_data = done_data;
      task = g_task_new (self, cancellable, stream_send_finished, ss);
      g_task_set_source_tag (task, net_sip_socket_pool_send_internal);
      /* the stream side keeps its own reference until it completes */
      net_sip_socket_pool_stream_send (self, task, data, message, destination, server_identity);
      g_object_unref (task);
    }
}

/**
 * net_sip_socket_pool_send_async:
 * @self: a #NetSipSocketPool
 * @message: the message to send, serialized as it is now
 * @destination: the peer's address and port
 * @server_identity: (nullable): for TLS, the SIP domain the peer's
 *   certificate must name (RFC 5922 §7.2), or %NULL to check @destination
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the datagram is sent or the stream
 *   write completes, or on failure
 * @user_data: data for @callback
 *
 * Sends @message. Over TCP and TLS a response goes over the connection its
 * request came in on (RFC 3261 §18.2.2), other messages over an existing
 * connection to @destination, else a new one.
 *
 * Since: 1.0
 */
void
net_sip_socket_pool_send_async (NetSipSocketPool    *self,
                                NetSipMessage       *message,
                                GInetSocketAddress  *destination,
                                const char          *server_identity,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (NET_SIP_IS_SOCKET_POOL (self));
  g_return_if_fail (NET_SIP_IS_MESSAGE (message));
  g_return_if_fail (G_IS_INET_SOCKET_ADDRESS (destination));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_socket_pool_send_async);
  net_sip_socket_pool_send_internal (self, message, destination, server_identity,
                                     cancellable, task_send_done, task);
}

/**
 * net_sip_socket_pool_send_finish:
 * @self: a #NetSipSocketPool
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR codes (NO_ROUTE, CONNECTION_REFUSED,
 *   CONNECTION_CLOSED, TIMEOUT, TLS_HANDSHAKE_FAILED, TOO_MANY_CONNECTIONS,
 *   MESSAGE_TOO_LARGE), or %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if the message was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_socket_pool_send_finish (NetSipSocketPool  *self,
                                 GAsyncResult      *result,
                                 GError           **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
