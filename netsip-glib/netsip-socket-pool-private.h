/* netsip-socket-pool-private.h: what the datagram side (netsip-socket-pool.c)
 * and the stream side (netsip-socket-pool-stream.c: TCP and TLS) of a socket
 * pool share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-socket-pool.h"

G_BEGIN_DECLS

typedef struct _NetSipStreamSet NetSipStreamSet;

/* How a send ends: @error is %NULL when the datagram went out or the
 * stream write completed; otherwise it is the reason (transfer full: the
 * function owns it). */
typedef void (*NetSipSendDone)     (GError           *error,
                                    gpointer          user_data);

/* The leg that owns a pool gets received messages through this hook, not
 * through a signal emission per message. */
typedef void (*NetSipReceiveHook)  (NetSipSocketPool *pool,
                                    NetSipMessage    *message,
                                    NetSipSourceInfo *source,
                                    gpointer          user_data);

struct _NetSipSocketPool
{
  GObject             parent_instance;

  NetSipTransport     transport;
  GInetSocketAddress *local_address;   /* with the bound port */
  GMainContext       *context;         /* thread-default at construction */
  gboolean            initialized;
  gboolean            closed;
  GInetSocketAddress *fixed_destination; /* the only peer, or NULL */

  /* TLS */
  GTlsCertificate    *certificate;
  GTlsDatabase       *database;        /* NULL: the system's */
  gint                verify_client;   /* -1 optional, 0 none, 1 required */

  /* limits (properties) */
  guint               max_sip_header;  /* bytes */
  guint               max_sip_body;    /* bytes */
  guint               max_tidlist;
  guint               min_expire;      /* seconds */
  guint               max_expire;      /* seconds */
  guint               connect_timeout; /* seconds */
  guint               tcp_readsize;    /* bytes */
  guint               max_connections;

  /* counters (read-only properties) */
  guint64             n_received;
  guint64             n_sent;
  guint64             n_dropped_malformed;
  guint64             n_dropped_oversize;

  /* UDP: the master socket; TCP/TLS: the listening socket */
  GSocket            *socket;
  GSource            *read_source;
  char               *udp_buffer;      /* one datagram, reused */

  /* UDP sends waiting for the socket to become writable */
  GQueue              pending_sends;
  GSource            *write_source;

  /* UDP: the source of the last datagram. GSocket hands out the same
   * GSocketAddress for a peer it has seen lately, so a run of datagrams
   * from one peer shares one NetSipSourceInfo. */
  GSocketAddress     *last_from;
  NetSipSourceInfo   *last_source;

  /* the owner's hook (net_sip_socket_pool_set_receive_hook) */
  NetSipReceiveHook   receive_hook;
  gpointer            receive_hook_data;

  /* TCP/TLS connections, owned by netsip-socket-pool-stream.c */
  NetSipStreamSet    *streams;
};

/* netsip-socket-pool.c, for the leg: send without a GTask of the pool's
 * own. @done (nullable) is called exactly once, possibly before this
 * returns (a datagram the socket took at once). */
void      net_sip_socket_pool_send_internal        (NetSipSocketPool   *self,
                                                    NetSipMessage      *message,
                                                    GInetSocketAddress *destination,
                                                    const char         *server_identity,
                                                    GCancellable       *cancellable,
                                                    NetSipSendDone      done,
                                                    gpointer            done_data);
void      net_sip_socket_pool_set_receive_hook     (NetSipSocketPool   *self,
                                                    NetSipReceiveHook   hook,
                                                    gpointer            user_data);

/* netsip-socket-pool.c, for the stream side */
void      net_sip_socket_pool_dispatch             (NetSipSocketPool   *self,
                                                    NetSipMessage      *message,
                                                    NetSipSourceInfo   *source);
gint      net_sip_socket_pool_transport_code       (const GError       *io,
                                                    gint                fallback);
gboolean  net_sip_socket_pool_accept_certificate   (NetSipSocketPool   *self,
                                                    GTlsCertificate    *peer_certificate,
                                                    GTlsCertificateFlags errors);

/* netsip-socket-pool-stream.c, for the datagram side. stream_init binds and
 * listens on self->local_address (port 0: any; it then stores the bound
 * address back) and starts accepting on self->context. stream_send
 * completes @task (a GTask whose source object is @self) with TRUE or a
 * NET_SIP_TRANSPORT_ERROR. */
gboolean  net_sip_socket_pool_stream_init          (NetSipSocketPool   *self,
                                                    GError            **error);
void      net_sip_socket_pool_stream_send          (NetSipSocketPool   *self,
                                                    GTask              *task,
                                                    GBytes             *data,
                                                    NetSipMessage      *message,
                                                    GInetSocketAddress *destination,
                                                    const char         *server_identity);
guint     net_sip_socket_pool_stream_n_connections (NetSipSocketPool   *self);
void      net_sip_socket_pool_stream_close         (NetSipSocketPool   *self);

G_END_DECLS
