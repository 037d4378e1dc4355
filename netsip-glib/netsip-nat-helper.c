/* netsip-nat-helper.c: SDP rewriting and an RTP/RTCP relay between legs
 * (Net::SIP::NATHelper::Local), on the main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "netsip-nat-helper.h"
#include "netsip-sdp.h"
#include "netsip-error.h"
#include "netsip-port-pair-private.h"

/**
 * NetSipNatHelper:
 *
 * A media relay for a proxy between networks that cannot reach each
 * other (two legs, a private and a public one; phones behind NAT), the
 * in-process counterpart of Net::SIP's `Net::SIP::NATHelper::Local`.
 *
 * The proxy calls [method@NetSip.NatHelper.rewrite_request] and
 * [method@NetSip.NatHelper.rewrite_response] for every message it
 * forwards from one leg to another, before it sends it. For a message
 * with an `application/sdp` body (an offer or an answer, RFC 3264) sent
 * by party *k* and going out on leg *O*, the helper:
 *
 * - allocates for each medium (`m=` line with a port other than 0) a
 *   pair of UDP sockets bound to *O*'s address: an even port for RTP and
 *   the next odd one for RTCP (RFC 3550 §11), taken from
 *   [property@NetSip.NatHelper:port-min] .. [property@NetSip.NatHelper:port-max];
 *   the other party sends its media there;
 * - rewrites the medium's port, its `c=` line (and the session-level
 *   `c=`) and an `a=rtcp` attribute (RFC 3605) to that address and those
 *   ports; a `0.0.0.0` connection address (hold, RFC 3264 §8.4) stays;
 * - remembers the address and ports in party *k*'s SDP as where media for
 *   *k* goes, until *k* sends itself.
 *
 * Datagrams that arrive on a socket facing one party are sent on, from the
 * socket of the same medium and kind (RTP or RTCP) facing the other party,
 * so each party sees one address for both directions (symmetric RTP,
 * RFC 4961). The first datagram received from a party fixes where the
 * datagrams for it go from then on: its source address and port, whatever
 * its SDP said (a phone behind NAT does not know its public address). Later
 * datagrams from another source are dropped and counted (they would
 * otherwise let anyone who guesses the port take over the stream). A new
 * SDP of that party with another address or port (a re-INVITE) starts the
 * learning again. Datagrams from the relay's own sockets (an SDP that names
 * a relay port) are dropped too.
 *
 * Sessions are keyed by Call-ID, the two tags of the dialog (the From tag
 * of the message that created it: the *caller*, and the To tag: the
 * *callee*, whichever of them sends later requests) and the index of the
 * medium (RFC 3264 §6: an answer has the offer's `m=` lines in order).
 * Later offers and answers in the dialog (re-INVITE, UPDATE, an answer in
 * an ACK after a late offer) reuse the sockets of a medium, so the relay's
 * ports do not change; a retransmitted message is rewritten the same way.
 * A medium set to port 0 (rejected or removed, RFC 3264 §8.2) loses its
 * sockets.
 *
 * A session ends:
 * - [property@NetSip.NatHelper:unanswered-timeout] seconds (30) after it
 *   was created if only one party has described its media by then;
 * - after [property@NetSip.NatHelper:idle-timeout] seconds (180) without
 *   a datagram in either direction;
 * - [property@NetSip.NatHelper:closed-timeout] seconds (1) after a BYE, a
 *   CANCEL, a final error response to an INVITE that had not been answered
 *   with 2xx, or [method@NetSip.NatHelper.close_session]: the sockets stay
 *   that long for datagrams in transit, and relay them.
 * When it ends its sockets are closed and
 * [signal@NetSip.NatHelper::session-closed] gives its final counters.
 *
 * Counters, per medium and direction: datagrams and octets received from
 * the caller and from the callee (RTP and RTCP together), and datagrams
 * dropped (wrong source, or nowhere to send them yet); see
 * [method@NetSip.NatHelper.get_counters] and
 * [method@NetSip.NatHelper.get_stats].
 *
 * What a caller does when a rewrite fails: the message is left unchanged
 * and nothing is allocated; it must not be forwarded as it is (its SDP
 * names addresses the other side cannot reach). The proxy answers a
 * request it cannot relay with `503 Service Unavailable` and `Retry-After`
 * for %NET_SIP_NAT_ERROR_NO_PORTS and
 * %NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS (RFC 3261 §21.5.4: a temporary
 * overload), with `488 Not Acceptable Here` for %NET_SIP_NAT_ERROR_BAD_SDP
 * and %NET_SIP_NAT_ERROR_FORKED, `400 Bad Request` for
 * %NET_SIP_NAT_ERROR_INVALID, and drops a response (over UDP the UAS
 * repeats a 2xx, RFC 3261 §13.3.1.4; Net::SIP drops both).
 *
 * Not done: ICE candidates (`a=candidate`) are left as they are (an ICE
 * agent may find a path around the relay), TCP media are relayed as UDP
 * would be (use it for RTP), a medium with a port count (`49170/2`) is
 * refused with %NET_SIP_NAT_ERROR_BAD_SDP. A message between two
 * addresses of the same leg is not rewritten (as in Net::SIP). Bodies that
 * are not `application/sdp` (multipart) are left as they are; a body
 * without Content-Type is taken for SDP when it starts with `v=` (Net::SIP
 * sends the answer in an ACK that way). An offer that is refused (a
 * re-INVITE answered with 488 or 491) has still replaced where the
 * offerer's media go if its address or port changed (RFC 3264 §8 wants
 * the old session kept). Learning latches on the first datagram: a
 * stranger who sends to a fresh relay port before the party does takes
 * the stream (the ports come from a range and are not secret).
 *
 * All sockets and timers live on the thread-default [struct@GLib.MainContext]
 * of the thread that created the helper; use it from that thread only.
 *
 * Since: 1.0
 */

#define DEFAULT_PORT_MIN           30000
#define DEFAULT_PORT_MAX           39999
#define DEFAULT_MAX_SESSIONS       1000
#define DEFAULT_UNANSWERED_TIMEOUT 30.0
#define DEFAULT_IDLE_TIMEOUT       180.0
#define DEFAULT_CLOSED_TIMEOUT     1.0
/* datagrams read per socket and dispatch: fairness between streams */
#define MAX_READS_PER_DISPATCH     32
#define MAX_DATAGRAM               65536

typedef struct _NatSession NatSession;
typedef struct _NatMedia   NatMedia;

/* One relay socket and the party it faces: datagrams received on it come
 * from that party; datagrams for that party are sent from it to target. */
typedef struct
{
  NatMedia               *media;
  GSocket                *socket;     /* NULL until allocated */
  GSource                *source;
  guint16                 port;
  guint8                  end;        /* 0 caller, 1 callee */
  guint8                  rtcp;
  struct sockaddr_storage target;     /* where datagrams for the party go */
  socklen_t               target_len; /* 0: not known */
  gboolean                learned;    /* target is the party's real source */
  char                   *bound_key;  /* in NetSipNatHelper.bound */
} RelayPort;

struct _NatMedia
{
  NatSession *session;
  guint       index;
  RelayPort   ports[2][2];        /* [end][0 RTP, 1 RTCP] */
  char       *bind_address[2];    /* where the sockets facing end are bound */
  char       *sdp_address[2];     /* the address end's SDP gave */
  guint16     sdp_port[2];
  guint16     sdp_rtcp_port[2];
  guint64     packets[2];         /* received from end */
  guint64     bytes[2];
  guint64     dropped;
};

typedef enum {
  CLOSE_NONE,
  CLOSE_BYE,
  CLOSE_CANCEL,
  CLOSE_FAILED,
  CLOSE_API,
} CloseReason;

struct _NatSession
{
  NetSipNatHelper *helper;
  char            *call_id;
  char            *tag[2];        /* From tag of the first message; To tag */
  GPtrArray       *media;         /* NatMedia, NULL where none, by index */
  gboolean         described[2];  /* end has sent SDP */
  gboolean         confirmed;     /* a 2xx to an INVITE went through */
  gint64           created;       /* monotonic µs */
  gint64           last_activity;
  gint64           closed_at;     /* 0 while open */
  CloseReason      close_reason;
  GList            link;          /* in NetSipNatHelper.sessions */
};

struct _NetSipNatHelper
{
  GObject       parent_instance;

  GMainContext *context;
  GSource      *expiry_source;

  GQueue        sessions;          /* NatSession, links embedded */
  GHashTable   *calls;             /* Call-ID → GPtrArray of NatSession */
  guint         n_open_sessions;
  guint         n_sockets;
  GHashTable   *bound;             /* "address port" of every relay socket */
  guint         next_pair;         /* where the next port search starts */
  guint8       *buffer;            /* one datagram */

  guint         port_min;
  guint         port_max;
  guint         max_sessions;
  gdouble       unanswered_timeout; /* s */
  gdouble       idle_timeout;       /* s */
  gdouble       closed_timeout;     /* s */
};

enum
{
  PROP_0,
  PROP_PORT_MIN,
  PROP_PORT_MAX,
  PROP_MAX_SESSIONS,
  PROP_UNANSWERED_TIMEOUT,
  PROP_IDLE_TIMEOUT,
  PROP_CLOSED_TIMEOUT,
  PROP_N_SESSIONS,
  PROP_N_SOCKETS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_SESSION_CLOSED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * net_sip_nat_error_quark:
 *
 * The error domain of [class@NetSip.NatHelper].
 *
 * Returns: the %NET_SIP_NAT_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-nat-error-quark, net_sip_nat_error)

G_DEFINE_FINAL_TYPE (NetSipNatHelper, net_sip_nat_helper, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Expiry timer: one source, ready at the earliest deadline */

static gboolean
expiry_source_dispatch (GSource    *source,
                        GSourceFunc callback,
                        gpointer    user_data)
{
  return callback (user_data);
}

static GSourceFuncs expiry_source_funcs = {
  NULL, NULL, expiry_source_dispatch, NULL, NULL, NULL,
};

static gint64
seconds_to_us (gdouble seconds)
{
  return (gint64) (seconds * G_USEC_PER_SEC);
}

static gint64
session_deadline (NetSipNatHelper *self,
                  NatSession      *s)
{
  if (s->closed_at != 0)
    return s->closed_at + seconds_to_us (self->closed_timeout);
  if (!(s->described[0] && s->described[1]))
    return s->created + seconds_to_us (self->unanswered_timeout);
  return s->last_activity + seconds_to_us (self->idle_timeout);
}

/* Makes the timer fire no later than @deadline. It may fire early (a
 * session got traffic since); then it looks again. */
static void
arm_expiry (NetSipNatHelper *self,
            gint64           deadline)
{
  gint64 ready = g_source_get_ready_time (self->expiry_source);

  if (ready == -1 || deadline < ready)
    g_source_set_ready_time (self->expiry_source, deadline);
}

/* ------------------------------------------------------------------ */
/* Sockets */

static void
relay_port_close (NetSipNatHelper *self,
                  RelayPort       *port)
{
  if (port->source != NULL)
    {
      g_source_destroy (port->source);
      g_clear_pointer (&port->source, g_source_unref);
    }
  if (port->socket != NULL)
    {
      g_socket_close (port->socket, NULL);
      g_clear_object (&port->socket);
      self->n_sockets--;
    }
  if (port->bound_key != NULL)
    {
      g_hash_table_remove (self->bound, port->bound_key);
      g_clear_pointer (&port->bound_key, g_free);
    }
  port->port = 0;
}

static void
media_close_end (NetSipNatHelper *self,
                 NatMedia        *m,
                 guint            end)
{
  relay_port_close (self, &m->ports[end][0]);
  relay_port_close (self, &m->ports[end][1]);
  g_clear_pointer (&m->bind_address[end], g_free);
}

static void
media_free (NatMedia *m)
{
  NetSipNatHelper *self;

  if (m == NULL)   /* a hole in NatSession.media */
    return;
  self = m->session->helper;

  for (guint end = 0; end < 2; end++)
    {
      media_close_end (self, m, end);
      g_free (m->sdp_address[end]);
    }
  g_free (m);
}

static gboolean
sockaddr_equal (const struct sockaddr_storage *a,
                socklen_t                      a_len,
                const struct sockaddr_storage *b,
                socklen_t                      b_len)
{
  if (a->ss_family != b->ss_family)
    return FALSE;
  if (a->ss_family == AF_INET)
    {
      const struct sockaddr_in *x = (const struct sockaddr_in *) a;
      const struct sockaddr_in *y = (const struct sockaddr_in *) b;
      return x->sin_port == y->sin_port && x->sin_addr.s_addr == y->sin_addr.s_addr;
    }
  if (a->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *x = (const struct sockaddr_in6 *) a;
      const struct sockaddr_in6 *y = (const struct sockaddr_in6 *) b;
      return x->sin6_port == y->sin6_port &&
             memcmp (&x->sin6_addr, &y->sin6_addr, sizeof x->sin6_addr) == 0;
    }
  return a_len == b_len && memcmp (a, b, a_len) == 0;
}

static char *
bound_key (const char *address,
           guint       port)
{
  return g_strdup_printf ("%s %u", address, port);
}

/* Whether @sa is one of our relay sockets: a datagram from there is one of
 * our own, sent to a target that names another relay port (an SDP that
 * points at the relay itself). Relaying it would let two relay sockets
 * feed each other for ever. */
static gboolean
is_relay_socket (NetSipNatHelper               *self,
                 const struct sockaddr_storage *sa)
{
  char host[INET6_ADDRSTRLEN];
  g_autofree char *key = NULL;
  guint port;

  if (sa->ss_family == AF_INET)
    {
      const struct sockaddr_in *in = (const struct sockaddr_in *) sa;
      inet_ntop (AF_INET, &in->sin_addr, host, sizeof host);
      port = ntohs (in->sin_port);
    }
  else if (sa->ss_family == AF_INET6)
    {
      const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *) sa;
      inet_ntop (AF_INET6, &in6->sin6_addr, host, sizeof host);
      port = ntohs (in6->sin6_port);
    }
  else
    return FALSE;
  if (port < self->port_min || port > self->port_max)
    return FALSE;
  key = bound_key (host, port);
  return g_hash_table_contains (self->bound, key);
}

/* The hot path reads and writes with recvfrom()/sendto() on the GSocket's
 * descriptor: g_socket_receive_from() makes a GSocketAddress object per
 * datagram, and the relay only compares and copies the address. The
 * sockets themselves, their binding and their sources are GIO's. */
static gboolean
on_relay_readable (GSocket      *socket,
                   GIOCondition  condition,
                   gpointer      user_data)
{
  RelayPort *port = user_data;
  NatMedia *m = port->media;
  NatSession *s = m->session;
  NetSipNatHelper *self = s->helper;
  RelayPort *out = &m->ports[1 - port->end][port->rtcp];
  int fd = g_socket_get_fd (socket);

  for (guint i = 0; i < MAX_READS_PER_DISPATCH; i++)
    {
      struct sockaddr_storage from;
      socklen_t from_len = sizeof from;
      ssize_t n;

      n = recvfrom (fd, self->buffer, MAX_DATAGRAM, MSG_DONTWAIT,
                    (struct sockaddr *) &from, &from_len);
      if (n < 0)
        {
          if (errno == EINTR)
            continue;
          /* EAGAIN: drained; anything else (a queued ICMP error) is
           * dropped with it */
          break;
        }

      if (!port->learned)
        {
          if (is_relay_socket (self, &from))
            {
              m->dropped++;
              continue;
            }
          /* The first datagram from this party fixes where its media go:
           * its real source, behind any NAT (symmetric learning). */
          memcpy (&port->target, &from, from_len);
          port->target_len = from_len;
          port->learned = TRUE;
        }
      else if (!sockaddr_equal (&from, from_len, &port->target, port->target_len))
        {
          m->dropped++;
          continue;
        }

      m->packets[port->end]++;
      m->bytes[port->end] += (guint64) n;
      s->last_activity = g_source_get_time (port->source);

      if (out->socket == NULL || out->target_len == 0)
        {
          m->dropped++;
          continue;
        }
      if (sendto (g_socket_get_fd (out->socket), self->buffer, (size_t) n, MSG_DONTWAIT,
                  (struct sockaddr *) &out->target, out->target_len) < 0)
        g_debug ("NAT relay: send from port %u failed: %s", out->port, g_strerror (errno));
    }

  return G_SOURCE_CONTINUE;
}

typedef struct
{
  GSocket *rtp;
  GSocket *rtcp;
  guint16  port;
} PortPair;

static void
port_pair_clear (PortPair *pair)
{
  if (pair->rtp != NULL)
    g_socket_close (pair->rtp, NULL);
  if (pair->rtcp != NULL)
    g_socket_close (pair->rtcp, NULL);
  g_clear_object (&pair->rtp);
  g_clear_object (&pair->rtcp);
}

/* An even port for RTP and the next one for RTCP (RFC 3550 §11), both
 * free on @address, from the configured range. The search starts after
 * the pair taken last, so a port just released is not handed out again at
 * once (late datagrams of the old stream would land in the new one). */
static gboolean
allocate_pair (NetSipNatHelper *self,
               GInetAddress    *address,
               PortPair        *pair,
               GError         **error)
{
  guint first = self->port_min + (self->port_min & 1);
  guint n_pairs = self->port_max > first ? (self->port_max - first + 1) / 2 : 0;
  g_autofree char *text = g_inet_address_to_string (address);

  for (guint i = 0; i < n_pairs; i++)
    {
      guint slot = (self->next_pair + i) % n_pairs;
      guint16 port = (guint16) (first + 2 * slot);
      g_autofree char *key = bound_key (text, port);
      g_autofree char *key_rtcp = bound_key (text, port + 1);
      GSocket *rtp, *rtcp;

      /* ours already: no system call */
      if (g_hash_table_contains (self->bound, key) || g_hash_table_contains (self->bound, key_rtcp))
        continue;
      if (!net_sip_port_pair_bind (address, port, &rtp, &rtcp))
        continue;
      pair->rtp = rtp;
      pair->rtcp = rtcp;
      pair->port = port;
      self->next_pair = (slot + 1) % n_pairs;
      return TRUE;
    }

  g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_NO_PORTS,
               "no free RTP/RTCP port pair in %u..%u on %s",
               self->port_min, self->port_max, text);
  return FALSE;
}

static void
relay_port_attach (NetSipNatHelper *self,
                   RelayPort       *port,
                   GSocket         *socket,
                   GInetAddress    *address,
                   guint16          number)
{
  g_autofree char *host = g_inet_address_to_string (address);

  port->socket = socket;
  port->port = number;
  port->bound_key = bound_key (host, number);
  g_hash_table_add (self->bound, g_strdup (port->bound_key));
  port->source = g_socket_create_source (socket, G_IO_IN, NULL);
  g_source_set_callback (port->source, (GSourceFunc) (void (*) (void)) on_relay_readable,
                         port, NULL);
  g_source_set_static_name (port->source, "NetSipNatHelper relay");
  g_source_attach (port->source, self->context);
  self->n_sockets++;
}

/* ------------------------------------------------------------------ */
/* Sessions */

static NatMedia *
session_ensure_media (NatSession *s,
                      guint       index)
{
  NatMedia *m;

  if (index >= s->media->len)
    g_ptr_array_set_size (s->media, index + 1);
  m = g_ptr_array_index (s->media, index);
  if (m != NULL)
    return m;

  m = g_new0 (NatMedia, 1);
  m->session = s;
  m->index = index;
  for (guint end = 0; end < 2; end++)
    for (guint c = 0; c < 2; c++)
      {
        m->ports[end][c].media = m;
        m->ports[end][c].end = end;
        m->ports[end][c].rtcp = c;
      }
  g_ptr_array_index (s->media, index) = m;
  return m;
}

static NatSession *
session_new (NetSipNatHelper *self,
             const char      *call_id,
             const char      *tag0,
             const char      *tag1)
{
  NatSession *s = g_new0 (NatSession, 1);
  GPtrArray *list;

  s->helper = self;
  s->call_id = g_strdup (call_id);
  s->tag[0] = g_strdup (tag0);
  s->tag[1] = g_strdup (tag1);
  s->media = g_ptr_array_new_with_free_func ((GDestroyNotify) media_free);
  s->created = s->last_activity = g_get_monotonic_time ();
  s->link.data = s;
  g_queue_push_tail_link (&self->sessions, &s->link);

  list = g_hash_table_lookup (self->calls, call_id);
  if (list == NULL)
    {
      list = g_ptr_array_new ();
      g_hash_table_insert (self->calls, g_strdup (call_id), list);
    }
  g_ptr_array_add (list, s);
  self->n_open_sessions++;
  return s;
}

static void
session_free (NetSipNatHelper *self,
              NatSession      *s)
{
  GPtrArray *list = g_hash_table_lookup (self->calls, s->call_id);

  if (list != NULL)
    {
      g_ptr_array_remove (list, s);
      if (list->len == 0)
        g_hash_table_remove (self->calls, s->call_id);
    }
  g_queue_unlink (&self->sessions, &s->link);
  if (s->closed_at == 0)
    self->n_open_sessions--;
  g_ptr_array_unref (s->media);
  g_free (s->call_id);
  g_free (s->tag[0]);
  g_free (s->tag[1]);
  g_free (s);
}

static gboolean
session_close (NetSipNatHelper *self,
               NatSession      *s,
               CloseReason      reason)
{
  if (s->closed_at != 0)
    return FALSE;
  s->closed_at = g_get_monotonic_time ();
  s->close_reason = reason;
  self->n_open_sessions--;
  arm_expiry (self, session_deadline (self, s));
  return TRUE;
}

static char *
sockaddr_to_string (const struct sockaddr_storage *sa,
                    socklen_t                      len)
{
  g_autoptr(GSocketAddress) address = NULL;
  g_autofree char *host = NULL;

  if (len == 0)
    return g_strdup ("");
  address = g_socket_address_new_from_native ((gpointer) sa, len);
  if (!G_IS_INET_SOCKET_ADDRESS (address))
    return g_strdup ("");
  host = g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (address)));
  if (sa->ss_family == AF_INET6)
    return g_strdup_printf ("[%s]:%u", host,
                            g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
  return g_strdup_printf ("%s:%u", host,
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (address)));
}

static const char *
session_state (NatSession *s)
{
  static const char *const reasons[] = {
    [CLOSE_NONE] = "open", [CLOSE_BYE] = "bye", [CLOSE_CANCEL] = "cancelled",
    [CLOSE_FAILED] = "failed", [CLOSE_API] = "closed",
  };

  if (s->closed_at != 0)
    return reasons[s->close_reason];
  return s->described[0] && s->described[1] ? "open" : "unanswered";
}

static GVariant *
session_stats (NatSession *s,
               const char *state)
{
  GVariantBuilder b, media;

  g_variant_builder_init (&media, G_VARIANT_TYPE ("aa{sv}"));
  for (guint i = 0; i < s->media->len; i++)
    {
      NatMedia *m = g_ptr_array_index (s->media, i);
      GVariantBuilder d;
      g_autofree char *caller = NULL, *callee = NULL;

      if (m == NULL)
        continue;
      caller = sockaddr_to_string (&m->ports[0][0].target, m->ports[0][0].target_len);
      callee = sockaddr_to_string (&m->ports[1][0].target, m->ports[1][0].target_len);
      g_variant_builder_init (&d, G_VARIANT_TYPE_VARDICT);
      g_variant_builder_add (&d, "{sv}", "index", g_variant_new_uint32 (m->index));
      g_variant_builder_add (&d, "{sv}", "caller-relay-port", g_variant_new_uint16 (m->ports[0][0].port));
      g_variant_builder_add (&d, "{sv}", "callee-relay-port", g_variant_new_uint16 (m->ports[1][0].port));
      g_variant_builder_add (&d, "{sv}", "caller-address", g_variant_new_string (caller));
      g_variant_builder_add (&d, "{sv}", "callee-address", g_variant_new_string (callee));
      g_variant_builder_add (&d, "{sv}", "caller-learned", g_variant_new_boolean (m->ports[0][0].learned));
      g_variant_builder_add (&d, "{sv}", "callee-learned", g_variant_new_boolean (m->ports[1][0].learned));
      g_variant_builder_add (&d, "{sv}", "packets-from-caller", g_variant_new_uint64 (m->packets[0]));
      g_variant_builder_add (&d, "{sv}", "bytes-from-caller", g_variant_new_uint64 (m->bytes[0]));
      g_variant_builder_add (&d, "{sv}", "packets-from-callee", g_variant_new_uint64 (m->packets[1]));
      g_variant_builder_add (&d, "{sv}", "bytes-from-callee", g_variant_new_uint64 (m->bytes[1]));
      g_variant_builder_add (&d, "{sv}", "dropped-packets", g_variant_new_uint64 (m->dropped));
      g_variant_builder_add_value (&media, g_variant_builder_end (&d));
    }

  g_variant_builder_init (&b, G_VARIANT_TYPE_VARDICT);
  g_variant_builder_add (&b, "{sv}", "call-id", g_variant_new_string (s->call_id));
  g_variant_builder_add (&b, "{sv}", "caller-tag", g_variant_new_string (s->tag[0] ? s->tag[0] : ""));
  g_variant_builder_add (&b, "{sv}", "callee-tag", g_variant_new_string (s->tag[1] ? s->tag[1] : ""));
  g_variant_builder_add (&b, "{sv}", "state", g_variant_new_string (state));
  g_variant_builder_add (&b, "{sv}", "media", g_variant_builder_end (&media));
  return g_variant_builder_end (&b);
}

static gboolean
on_expiry (gpointer user_data)
{
  NetSipNatHelper *self = user_data;
  gint64 now = g_get_monotonic_time ();
  gint64 next = -1;
  GPtrArray *ended = g_ptr_array_new_with_free_func ((GDestroyNotify) g_variant_unref);
  GPtrArray *ended_ids = g_ptr_array_new_with_free_func (g_free);
  guint n_open = self->n_open_sessions;
  GList *l, *next_l;

  for (l = self->sessions.head; l != NULL; l = next_l)
    {
      NatSession *s = l->data;
      gint64 deadline = session_deadline (self, s);

      next_l = l->next;
      if (deadline <= now)
        {
          const char *state;

          if (s->closed_at != 0)
            state = session_state (s);
          else if (!(s->described[0] && s->described[1]))
            state = "unanswered";
          else
            state = "idle";
          g_ptr_array_add (ended, g_variant_ref_sink (session_stats (s, state)));
          g_ptr_array_add (ended_ids, g_strdup (s->call_id));
          session_free (self, s);
        }
      else if (next == -1 || deadline < next)
        next = deadline;
    }
  g_source_set_ready_time (self->expiry_source, next);

  if (ended->len > 0)
    {
      g_object_ref (self);
      if (self->n_open_sessions != n_open)
        g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_SESSIONS]);
      for (guint i = 0; i < ended->len; i++)
        g_signal_emit (self, signals[SIG_SESSION_CLOSED], 0,
                       (const char *) g_ptr_array_index (ended_ids, i),
                       (GVariant *) g_ptr_array_index (ended, i));
      g_object_unref (self);
    }
  g_ptr_array_unref (ended);
  g_ptr_array_unref (ended_ids);
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */
/* Finding the session of a message */

static gboolean
tag_equal (const char *a,
           const char *b)
{
  return a != NULL && b != NULL && strcmp (a, b) == 0;
}

/* The open session of the dialog (Call-ID, From tag, To tag), in either
 * direction; without a To tag (an initial INVITE, its CANCEL) the one the
 * From tag created. A session whose callee is not known yet matches any To
 * tag of the caller's dialog; *forked is set when the caller's session is
 * bound to another To tag already. */
static NatSession *
find_session (NetSipNatHelper *self,
              const char      *call_id,
              const char      *from_tag,
              const char      *to_tag,
              gboolean        *forked)
{
  GPtrArray *list = g_hash_table_lookup (self->calls, call_id);
  NatSession *half = NULL;

  *forked = FALSE;
  if (list == NULL)
    return NULL;

  for (guint i = 0; i < list->len; i++)
    {
      NatSession *s = g_ptr_array_index (list, i);

      if (s->closed_at != 0)
        continue;
      if (to_tag == NULL)
        {
          if (tag_equal (s->tag[0], from_tag))
            return s;
          continue;
        }
      if ((tag_equal (s->tag[0], from_tag) && tag_equal (s->tag[1], to_tag)) ||
          (tag_equal (s->tag[0], to_tag) && tag_equal (s->tag[1], from_tag)))
        return s;
      if (tag_equal (s->tag[0], from_tag))
        {
          if (s->tag[1] == NULL)
            half = s;
          else
            *forked = TRUE;
        }
    }
  if (half != NULL)
    *forked = FALSE;
  return half;
}

static guint
close_matching (NetSipNatHelper *self,
                const char      *call_id,
                const char      *tag,
                const char      *other_tag,
                gboolean         unconfirmed_only,
                CloseReason      reason)
{
  GPtrArray *list = g_hash_table_lookup (self->calls, call_id);
  guint n = 0;

  if (list == NULL)
    return 0;
  for (guint i = 0; i < list->len; i++)
    {
      NatSession *s = g_ptr_array_index (list, i);

      if (unconfirmed_only && s->confirmed)
        continue;
      if (tag != NULL && !tag_equal (s->tag[0], tag) && !tag_equal (s->tag[1], tag))
        continue;
      if (other_tag != NULL && s->tag[1] != NULL &&
          !(tag_equal (s->tag[0], other_tag) || tag_equal (s->tag[1], other_tag)))
        continue;
      if (session_close (self, s, reason))
        n++;
    }
  if (n > 0)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_SESSIONS]);
  return n;
}

/* ------------------------------------------------------------------ */
/* SDP */

static gboolean
is_unspecified (const char *address)
{
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string (address);

  return a == NULL || g_inet_address_get_is_any (a);
}

static gboolean
native_address (const char              *address,
                guint16                  port,
                struct sockaddr_storage *ss,
                socklen_t               *len)
{
  g_autoptr(GInetAddress) a = g_inet_address_new_from_string (address);
  g_autoptr(GSocketAddress) sa = NULL;

  if (a == NULL || g_inet_address_get_is_any (a) || port == 0)
    {
      *len = 0;
      return FALSE;
    }
  sa = g_inet_socket_address_new (a, port);
  *len = g_socket_address_get_native_size (sa);
  return g_socket_address_to_native (sa, ss, sizeof *ss, NULL);
}

/* a=rtcp:PORT [nettype addrtype address] (RFC 3605 §2.1) */
static gboolean
parse_rtcp_attribute (const char  *value,
                      guint16     *port,
                      char       **address)
{
  g_auto(GStrv) words = NULL;
  guint64 n;

  if (value == NULL)
    return FALSE;
  words = g_strsplit_set (value, " \t", -1);
  if (words[0] == NULL || !g_ascii_string_to_unsigned (words[0], 10, 1, 65535, &n, NULL))
    return FALSE;
  *port = (guint16) n;
  *address = NULL;
  if (g_strv_length (words) >= 4)
    *address = g_strdup (words[3]);
  return TRUE;
}

typedef struct
{
  gboolean relay;       /* port != 0 */
  gboolean new_pair;
  PortPair pair;
  char    *address;     /* where the sender receives RTP */
  guint16  port;
  char    *rtcp_address;
  guint16  rtcp_port;
} MediaPlan;

static void
media_plan_clear (MediaPlan *plan)
{
  port_pair_clear (&plan->pair);
  g_free (plan->address);
  g_free (plan->rtcp_address);
}

static void
set_target (RelayPort  *port,
            const char *address,
            guint16     number)
{
  port->learned = FALSE;
  if (!native_address (address, number, &port->target, &port->target_len))
    port->target_len = 0;
}

static gboolean
process_sdp (NetSipNatHelper *self,
             NetSipMessage   *message,
             gboolean         is_request,
             NetSipLeg       *outgoing_leg,
             GError         **error)
{
  g_autofree char *content_type = net_sip_message_get_content_type (message);
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) new_body = NULL;
  g_autoptr(NetSipSdp) sdp = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autoptr(GInetAddress) bind_inet = NULL;
  const char *call_id, *from_tag, *to_tag, *sender_tag, *bind_address;
  const char *session_address, *session_addrtype;
  MediaPlan *plans;
  NatSession *s;
  gboolean forked, created = FALSE;
  guint n_media, k;

  body = net_sip_message_get_body (message);
  if (body == NULL || g_bytes_get_size (body) == 0)
    return TRUE;
  /* RFC 3261 §7.4.1 wants a Content-Type with every body, but Net::SIP
   * sends the answer in an ACK (late offer) without one; like Net::SIP's
   * own proxy, a body without Content-Type that starts as SDP does
   * (RFC 4566 §5: "v=" first) is taken for SDP. */
  if (content_type == NULL)
    {
      if (g_bytes_get_size (body) < 2 || memcmp (g_bytes_get_data (body, NULL), "v=", 2) != 0)
        return TRUE;
    }
  else if (g_ascii_strcasecmp (content_type, "application/sdp") != 0)
    return TRUE;

  call_id = net_sip_message_get_call_id (message);
  from_tag = net_sip_message_get_from_tag (message);
  to_tag = net_sip_message_get_to_tag (message);
  if (call_id == NULL || from_tag == NULL)
    {
      g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_INVALID,
                   "message with SDP lacks %s", call_id == NULL ? "a Call-ID" : "a From tag");
      return FALSE;
    }
  sender_tag = is_request ? from_tag : to_tag;
  if (sender_tag == NULL)
    {
      g_set_error_literal (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_INVALID,
                           "response with SDP lacks a To tag");
      return FALSE;
    }

  sdp = net_sip_sdp_parse (body, &local_error);
  if (sdp == NULL)
    {
      g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_BAD_SDP,
                   "SDP body: %s", local_error->message);
      return FALSE;
    }

  bind_address = net_sip_leg_get_address (outgoing_leg);
  bind_inet = bind_address ? g_inet_address_new_from_string (bind_address) : NULL;
  if (bind_inet == NULL || g_inet_address_get_is_any (bind_inet))
    {
      g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_NO_ADDRESS,
                   "outgoing leg address %s cannot be advertised in SDP",
                   bind_address ? bind_address : "(none)");
      return FALSE;
    }

  /* Check every medium before anything is allocated. */
  n_media = net_sip_sdp_get_n_media (sdp);
  for (guint i = 0; i < n_media; i++)
    {
      const char *address;
      g_autoptr(GInetAddress) inet = NULL;

      if (net_sip_sdp_get_media_port (sdp, i) == 0)
        continue;
      if (net_sip_sdp_get_media_n_ports (sdp, i) > 1)
        {
          g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_BAD_SDP,
                       "medium %u: a port count (%u) cannot be relayed", i,
                       net_sip_sdp_get_media_n_ports (sdp, i));
          return FALSE;
        }
      address = net_sip_sdp_get_media_address (sdp, i);
      if (address == NULL || (inet = g_inet_address_new_from_string (address)) == NULL)
        {
          g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_BAD_SDP,
                       "medium %u: %s", i,
                       address == NULL ? "no c= line" : "connection address is not an IP address");
          return FALSE;
        }
    }

  s = find_session (self, call_id, from_tag, to_tag, &forked);
  if (s == NULL && forked && !is_request)
    {
      g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_FORKED,
                   "answer from a second dialog (To tag %s) of call %s", to_tag, call_id);
      return FALSE;
    }
  if (s == NULL)
    {
      if (self->n_open_sessions >= self->max_sessions)
        {
          g_set_error (error, NET_SIP_NAT_ERROR, NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS,
                       "%u sessions relayed already (max-sessions)", self->n_open_sessions);
          return FALSE;
        }
      s = session_new (self, call_id, from_tag, to_tag);
      created = TRUE;
    }
  k = tag_equal (s->tag[0], sender_tag) ? 0 : 1;

  /* Allocate what is missing; on failure undo everything. */
  plans = g_new0 (MediaPlan, n_media ? n_media : 1);
  for (guint i = 0; i < n_media; i++)
    {
      NatMedia *m = i < s->media->len ? g_ptr_array_index (s->media, i) : NULL;
      MediaPlan *plan = &plans[i];
      const char *rtcp_value;

      plan->port = net_sip_sdp_get_media_port (sdp, i);
      if (plan->port == 0)
        continue;
      plan->relay = TRUE;
      plan->address = g_strdup (net_sip_sdp_get_media_address (sdp, i));
      plan->rtcp_port = plan->port + 1;
      rtcp_value = net_sip_sdp_get_media_attribute (sdp, i, "rtcp");
      if (parse_rtcp_attribute (rtcp_value, &plan->rtcp_port, &plan->rtcp_address) &&
          (plan->rtcp_address == NULL || g_hostname_is_ip_address (plan->rtcp_address) == FALSE))
        g_clear_pointer (&plan->rtcp_address, g_free);
      if (m != NULL && m->ports[1 - k][0].socket != NULL &&
          g_strcmp0 (m->bind_address[1 - k], bind_address) == 0)
        continue;
      plan->new_pair = TRUE;
      if (!allocate_pair (self, bind_inet, &plan->pair, error))
        {
          for (guint j = 0; j < n_media; j++)
            media_plan_clear (&plans[j]);
          g_free (plans);
          if (created)
            session_free (self, s);
          return FALSE;
        }
    }

  /* Commit. */
  if (s->tag[1] == NULL && to_tag != NULL)
    s->tag[1] = g_strdup (to_tag);

  for (guint i = 0; i < n_media; i++)
    {
      MediaPlan *plan = &plans[i];
      NatMedia *m;
      const char *own_address = NULL;
      gboolean hold;

      if (!plan->relay)
        {
          /* rejected or removed (RFC 3264 §6, §8.2): no relay */
          if (i < s->media->len && g_ptr_array_index (s->media, i) != NULL)
            {
              media_free (g_ptr_array_index (s->media, i));
              g_ptr_array_index (s->media, i) = NULL;
            }
          continue;
        }

      m = session_ensure_media (s, i);
      if (plan->new_pair)
        {
          media_close_end (self, m, 1 - k);
          relay_port_attach (self, &m->ports[1 - k][0], g_steal_pointer (&plan->pair.rtp),
                             bind_inet, plan->pair.port);
          relay_port_attach (self, &m->ports[1 - k][1], g_steal_pointer (&plan->pair.rtcp),
                             bind_inet, plan->pair.port + 1);
          m->bind_address[1 - k] = g_strdup (bind_address);
        }

      /* Where media for the sender go, unless it keeps what it said
       * before: then what was learned stays. */
      if (g_strcmp0 (m->sdp_address[k], plan->address) != 0 ||
          m->sdp_port[k] != plan->port || m->sdp_rtcp_port[k] != plan->rtcp_port)
        {
          g_free (m->sdp_address[k]);
          m->sdp_address[k] = g_strdup (plan->address);
          m->sdp_port[k] = plan->port;
          m->sdp_rtcp_port[k] = plan->rtcp_port;
          set_target (&m->ports[k][0], plan->address, plan->port);
          set_target (&m->ports[k][1], plan->rtcp_address ? plan->rtcp_address : plan->address,
                      plan->rtcp_port);
        }

      hold = is_unspecified (plan->address);
      net_sip_sdp_set_media_port (sdp, i, m->ports[1 - k][0].port);
      if (net_sip_sdp_get_media_connection (sdp, i, NULL, &own_address, NULL, NULL) &&
          !is_unspecified (own_address))
        net_sip_sdp_set_media_address (sdp, i, NULL, bind_address);
      if (net_sip_sdp_has_media_attribute (sdp, i, "rtcp"))
        {
          g_autofree char *value = NULL;

          net_sip_sdp_remove_media_attribute (sdp, i, "rtcp");
          if (hold)
            value = g_strdup_printf ("%u", m->ports[1 - k][1].port);
          else
            value = g_strdup_printf ("%u IN %s %s", m->ports[1 - k][1].port,
                                     g_inet_address_get_family (bind_inet) == G_SOCKET_FAMILY_IPV6 ? "IP6" : "IP4",
                                     bind_address);
          net_sip_sdp_add_media_attribute (sdp, i, "rtcp", value);
        }
    }
  if (net_sip_sdp_get_connection (sdp, &session_addrtype, &session_address, NULL, NULL) &&
      !is_unspecified (session_address))
    net_sip_sdp_set_connection (sdp, NULL, bind_address);

  for (guint i = 0; i < n_media; i++)
    media_plan_clear (&plans[i]);
  g_free (plans);

  s->described[k] = TRUE;
  s->last_activity = g_get_monotonic_time ();
  arm_expiry (self, session_deadline (self, s));

  new_body = net_sip_sdp_to_bytes (sdp);
  net_sip_message_set_body (message, new_body, NULL);

  if (created)
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_SESSIONS]);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* GObject */

static void
net_sip_nat_helper_init (NetSipNatHelper *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->calls = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                       (GDestroyNotify) g_ptr_array_unref);
  g_queue_init (&self->sessions);
  self->bound = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->buffer = g_malloc (MAX_DATAGRAM);
  self->port_min = DEFAULT_PORT_MIN;
  self->port_max = DEFAULT_PORT_MAX;
  self->max_sessions = DEFAULT_MAX_SESSIONS;
  self->unanswered_timeout = DEFAULT_UNANSWERED_TIMEOUT;
  self->idle_timeout = DEFAULT_IDLE_TIMEOUT;
  self->closed_timeout = DEFAULT_CLOSED_TIMEOUT;

  self->expiry_source = g_source_new (&expiry_source_funcs, sizeof (GSource));
  g_source_set_callback (self->expiry_source, on_expiry, self, NULL);
  g_source_set_static_name (self->expiry_source, "NetSipNatHelper expiry");
  g_source_set_ready_time (self->expiry_source, -1);
  g_source_attach (self->expiry_source, self->context);
}

static void
net_sip_nat_helper_dispose (GObject *object)
{
  NetSipNatHelper *self = NET_SIP_NAT_HELPER (object);

  while (self->sessions.head != NULL)
    session_free (self, self->sessions.head->data);
  if (self->expiry_source != NULL)
    {
      g_source_destroy (self->expiry_source);
      g_clear_pointer (&self->expiry_source, g_source_unref);
    }
  G_OBJECT_CLASS (net_sip_nat_helper_parent_class)->dispose (object);
}

static void
net_sip_nat_helper_finalize (GObject *object)
{
  NetSipNatHelper *self = NET_SIP_NAT_HELPER (object);

  g_hash_table_unref (self->calls);
  g_hash_table_unref (self->bound);
  g_free (self->buffer);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (net_sip_nat_helper_parent_class)->finalize (object);
}

static void
net_sip_nat_helper_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  NetSipNatHelper *self = NET_SIP_NAT_HELPER (object);

  switch (prop_id)
    {
    case PROP_PORT_MIN:
      g_value_set_uint (value, self->port_min);
      break;
    case PROP_PORT_MAX:
      g_value_set_uint (value, self->port_max);
      break;
    case PROP_MAX_SESSIONS:
      g_value_set_uint (value, self->max_sessions);
      break;
    case PROP_UNANSWERED_TIMEOUT:
      g_value_set_double (value, self->unanswered_timeout);
      break;
    case PROP_IDLE_TIMEOUT:
      g_value_set_double (value, self->idle_timeout);
      break;
    case PROP_CLOSED_TIMEOUT:
      g_value_set_double (value, self->closed_timeout);
      break;
    case PROP_N_SESSIONS:
      g_value_set_uint (value, self->n_open_sessions);
      break;
    case PROP_N_SOCKETS:
      g_value_set_uint (value, self->n_sockets);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint_prop (NetSipNatHelper *self,
               guint           *field,
               guint            value,
               GParamSpec      *pspec)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
set_timeout_prop (NetSipNatHelper *self,
                  gdouble         *field,
                  gdouble          value,
                  GParamSpec      *pspec)
{
  if (*field == value)
    return;
  *field = value;
  /* deadlines moved: look again at once */
  g_source_set_ready_time (self->expiry_source, 0);
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

static void
net_sip_nat_helper_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  NetSipNatHelper *self = NET_SIP_NAT_HELPER (object);

  switch (prop_id)
    {
    case PROP_PORT_MIN:
      set_uint_prop (self, &self->port_min, g_value_get_uint (value), pspec);
      break;
    case PROP_PORT_MAX:
      set_uint_prop (self, &self->port_max, g_value_get_uint (value), pspec);
      break;
    case PROP_MAX_SESSIONS:
      set_uint_prop (self, &self->max_sessions, g_value_get_uint (value), pspec);
      break;
    case PROP_UNANSWERED_TIMEOUT:
      set_timeout_prop (self, &self->unanswered_timeout, g_value_get_double (value), pspec);
      break;
    case PROP_IDLE_TIMEOUT:
      set_timeout_prop (self, &self->idle_timeout, g_value_get_double (value), pspec);
      break;
    case PROP_CLOSED_TIMEOUT:
      set_timeout_prop (self, &self->closed_timeout, g_value_get_double (value), pspec);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_nat_helper_class_init (NetSipNatHelperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = net_sip_nat_helper_get_property;
  object_class->set_property = net_sip_nat_helper_set_property;
  object_class->dispose = net_sip_nat_helper_dispose;
  object_class->finalize = net_sip_nat_helper_finalize;

  /**
   * NetSipNatHelper:port-min:
   *
   * The lowest UDP port relay sockets are bound to (rounded up to an even
   * number: RTP gets even ports, RTCP the odd one above, RFC 3550 §11).
   * Changes apply to later allocations.
   *
   * Since: 1.0
   */
  props[PROP_PORT_MIN] =
    g_param_spec_uint ("port-min", NULL, NULL, 1024, 65535, DEFAULT_PORT_MIN, rw);
  /**
   * NetSipNatHelper:port-max:
   *
   * The highest UDP port relay sockets are bound to (inclusive). Each
   * relayed medium takes two ports on each leg its SDP crosses to; when no
   * pair is free on the outgoing leg's address the rewrite fails with
   * %NET_SIP_NAT_ERROR_NO_PORTS.
   *
   * Since: 1.0
   */
  props[PROP_PORT_MAX] =
    g_param_spec_uint ("port-max", NULL, NULL, 1024, 65535, DEFAULT_PORT_MAX, rw);
  /**
   * NetSipNatHelper:max-sessions:
   *
   * The most sessions (dialogs with relayed media) open at once; closing
   * sessions (after BYE, until [property@NetSip.NatHelper:closed-timeout])
   * do not count. Past it a new session fails with
   * %NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS. Existing sessions keep working.
   *
   * Since: 1.0
   */
  props[PROP_MAX_SESSIONS] =
    g_param_spec_uint ("max-sessions", NULL, NULL, 0, G_MAXUINT, DEFAULT_MAX_SESSIONS, rw);
  /**
   * NetSipNatHelper:unanswered-timeout:
   *
   * Seconds after which a session ends if only one party has sent SDP
   * (an offer never answered). Default 30.
   *
   * Since: 1.0
   */
  props[PROP_UNANSWERED_TIMEOUT] =
    g_param_spec_double ("unanswered-timeout", NULL, NULL, 0.01, 86400.0,
                         DEFAULT_UNANSWERED_TIMEOUT, rw);
  /**
   * NetSipNatHelper:idle-timeout:
   *
   * Seconds without a datagram in either direction (counted from the
   * answer, or the last datagram) after which an answered session ends.
   * Default 180. Keep it above the longest silence media may have (hold
   * without RTCP): the helper does not see the dialog's refreshes.
   *
   * Since: 1.0
   */
  props[PROP_IDLE_TIMEOUT] =
    g_param_spec_double ("idle-timeout", NULL, NULL, 0.01, 86400.0,
                         DEFAULT_IDLE_TIMEOUT, rw);
  /**
   * NetSipNatHelper:closed-timeout:
   *
   * Seconds a session's sockets stay open and relaying after the session
   * was closed (BYE, CANCEL, a failed INVITE,
   * [method@NetSip.NatHelper.close_session]), for datagrams in transit.
   * Default 1.
   *
   * Since: 1.0
   */
  props[PROP_CLOSED_TIMEOUT] =
    g_param_spec_double ("closed-timeout", NULL, NULL, 0.0, 3600.0,
                         DEFAULT_CLOSED_TIMEOUT, rw);
  /**
   * NetSipNatHelper:n-sessions:
   *
   * Sessions open now (closing ones excluded). Notified when it changes.
   *
   * Since: 1.0
   */
  props[PROP_N_SESSIONS] =
    g_param_spec_uint ("n-sessions", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * NetSipNatHelper:n-sockets:
   *
   * Relay sockets open now (two per medium and side). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_SOCKETS] =
    g_param_spec_uint ("n-sockets", NULL, NULL, 0, G_MAXUINT, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipNatHelper::session-closed:
   * @self: the helper
   * @call_id: the session's Call-ID
   * @stats: the session's final state and counters, a `a{sv}` dictionary
   *   as one element of [method@NetSip.NatHelper.get_stats]; its `state` is
   *   why it ended: `bye`, `cancelled`, `failed` (an error response to its
   *   INVITE), `closed` ([method@NetSip.NatHelper.close_session]),
   *   `unanswered` or `idle`
   *
   * Emitted when a session ended and its sockets were closed (not when
   * the helper is disposed).
   *
   * Since: 1.0
   */
  signals[SIG_SESSION_CLOSED] =
    g_signal_new ("session-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                  G_TYPE_STRING, G_TYPE_VARIANT);
}

/* ------------------------------------------------------------------ */
/* Public API */

/**
 * net_sip_nat_helper_new:
 *
 * Creates a NAT helper. Its sockets and timers go on the thread-default
 * main context of the calling thread.
 *
 * Returns: (transfer full): a new #NetSipNatHelper
 *
 * Since: 1.0
 */
NetSipNatHelper *
net_sip_nat_helper_new (void)
{
  return g_object_new (NET_SIP_TYPE_NAT_HELPER, NULL);
}

/**
 * net_sip_nat_helper_rewrite_request:
 * @self: a #NetSipNatHelper
 * @request: (transfer none): a request about to be forwarded; its body is
 *   replaced when it carries SDP
 * @incoming_leg: (transfer none): the leg @request came in on
 * @outgoing_leg: (transfer none): the leg it will be sent out on
 * @error: return location for a #GError in the %NET_SIP_NAT_ERROR domain
 *
 * Prepares @request for the other leg (RFC 3264 offer/answer through a
 * relay):
 *
 * - with an `application/sdp` body (an INVITE, UPDATE or PRACK offer or
 *   answer, an ACK with the answer to a late offer), finds or creates the
 *   session of its dialog and rewrites the SDP to relay sockets on
 *   @outgoing_leg's address (see [class@NetSip.NatHelper]);
 * - a `BYE` closes the dialog's session (RFC 3261 §15), a `CANCEL` the
 *   sessions its INVITE created that were not answered with 2xx
 *   (RFC 3261 §9); they end [property@NetSip.NatHelper:closed-timeout]
 *   seconds later.
 *
 * Nothing happens when @incoming_leg is @outgoing_leg.
 *
 * On failure @request is left unchanged and no state changed; see
 * [class@NetSip.NatHelper] for what the caller should answer.
 * Errors: %NET_SIP_NAT_ERROR_BAD_SDP, %NET_SIP_NAT_ERROR_INVALID,
 * %NET_SIP_NAT_ERROR_NO_PORTS, %NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS,
 * %NET_SIP_NAT_ERROR_NO_ADDRESS.
 *
 * Returns: %TRUE if @request may be forwarded (rewritten or needing no
 *   change), %FALSE with @error set otherwise
 *
 * Since: 1.0
 */
gboolean
net_sip_nat_helper_rewrite_request (NetSipNatHelper *self,
                                    NetSipRequest   *request,
                                    NetSipLeg       *incoming_leg,
                                    NetSipLeg       *outgoing_leg,
                                    GError         **error)
{
  NetSipMessage *message = NET_SIP_MESSAGE (request);
  const char *method, *call_id;

  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (NET_SIP_IS_LEG (incoming_leg), FALSE);
  g_return_val_if_fail (NET_SIP_IS_LEG (outgoing_leg), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (incoming_leg == outgoing_leg)
    return TRUE;

  method = net_sip_request_get_method (request);
  call_id = net_sip_message_get_call_id (message);
  if (g_strcmp0 (method, "BYE") == 0)
    {
      const char *from_tag = net_sip_message_get_from_tag (message);
      const char *to_tag = net_sip_message_get_to_tag (message);

      if (call_id != NULL && from_tag != NULL && to_tag != NULL)
        close_matching (self, call_id, from_tag, to_tag, FALSE, CLOSE_BYE);
      return TRUE;
    }
  if (g_strcmp0 (method, "CANCEL") == 0)
    {
      const char *from_tag = net_sip_message_get_from_tag (message);

      if (call_id != NULL && from_tag != NULL)
        close_matching (self, call_id, from_tag, NULL, TRUE, CLOSE_CANCEL);
      return TRUE;
    }

  return process_sdp (self, message, TRUE, outgoing_leg, error);
}

/**
 * net_sip_nat_helper_rewrite_response:
 * @self: a #NetSipNatHelper
 * @response: (transfer none): a response about to be forwarded; its body
 *   is replaced when it carries SDP
 * @incoming_leg: (transfer none): the leg @response came in on
 * @outgoing_leg: (transfer none): the leg it will be sent out on
 * @error: return location for a #GError in the %NET_SIP_NAT_ERROR domain
 *
 * Prepares @response for the other leg: with an `application/sdp` body
 * (an answer, or a late offer, in a 18x or 2xx), rewrites it like
 * [method@NetSip.NatHelper.rewrite_request] does. A 2xx to an INVITE marks
 * the session confirmed (a CANCEL no longer closes it); a final response
 * of 300 or more to an INVITE closes the sessions of its dialog that were
 * not confirmed (RFC 3261 §13.2.2.3: the INVITE failed; a failed
 * re-INVITE leaves the session as it was).
 *
 * Nothing happens when @incoming_leg is @outgoing_leg. On failure
 * @response is left unchanged and no state changed.
 * Errors: %NET_SIP_NAT_ERROR_BAD_SDP, %NET_SIP_NAT_ERROR_INVALID,
 * %NET_SIP_NAT_ERROR_NO_PORTS, %NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS,
 * %NET_SIP_NAT_ERROR_NO_ADDRESS, %NET_SIP_NAT_ERROR_FORKED.
 *
 * Returns: %TRUE if @response may be forwarded, %FALSE with @error set
 *   otherwise
 *
 * Since: 1.0
 */
gboolean
net_sip_nat_helper_rewrite_response (NetSipNatHelper *self,
                                     NetSipResponse  *response,
                                     NetSipLeg       *incoming_leg,
                                     NetSipLeg       *outgoing_leg,
                                     GError         **error)
{
  NetSipMessage *message = NET_SIP_MESSAGE (response);
  const char *cseq_method, *call_id, *from_tag, *to_tag;
  guint code;

  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (response), FALSE);
  g_return_val_if_fail (NET_SIP_IS_LEG (incoming_leg), FALSE);
  g_return_val_if_fail (NET_SIP_IS_LEG (outgoing_leg), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (incoming_leg == outgoing_leg)
    return TRUE;

  code = net_sip_response_get_code (response);
  cseq_method = net_sip_message_get_cseq_method (message);
  call_id = net_sip_message_get_call_id (message);
  from_tag = net_sip_message_get_from_tag (message);
  to_tag = net_sip_message_get_to_tag (message);

  if (code >= 300)
    {
      if (g_strcmp0 (cseq_method, "INVITE") == 0 && call_id != NULL && from_tag != NULL)
        close_matching (self, call_id, from_tag, to_tag, TRUE, CLOSE_FAILED);
      return TRUE;
    }

  if (!process_sdp (self, message, FALSE, outgoing_leg, error))
    return FALSE;

  if (code >= 200 && g_strcmp0 (cseq_method, "INVITE") == 0 &&
      call_id != NULL && from_tag != NULL && to_tag != NULL)
    {
      gboolean forked;
      NatSession *s = find_session (self, call_id, from_tag, to_tag, &forked);

      if (s != NULL)
        {
          s->confirmed = TRUE;
          if (s->tag[1] == NULL)
            s->tag[1] = g_strdup (to_tag);
        }
    }
  return TRUE;
}

/**
 * net_sip_nat_helper_close_session:
 * @self: a #NetSipNatHelper
 * @call_id: the Call-ID of the sessions to close
 * @tag: (nullable): a tag of the dialog (either party's), or %NULL for
 *   every session of @call_id
 * @other_tag: (nullable): the dialog's other tag, or %NULL for every
 *   session with @tag
 *
 * Closes sessions, as a BYE does: their sockets go on relaying for
 * [property@NetSip.NatHelper:closed-timeout] seconds, then they end with
 * [signal@NetSip.NatHelper::session-closed] (state `closed`). For a proxy
 * that sees the end of a call some other way (a stateful proxy's
 * transaction timeout, a Session-Expires refresh that did not come).
 *
 * Returns: the number of sessions closed (open ones that matched)
 *
 * Since: 1.0
 */
guint
net_sip_nat_helper_close_session (NetSipNatHelper *self,
                                  const char      *call_id,
                                  const char      *tag,
                                  const char      *other_tag)
{
  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), 0);
  g_return_val_if_fail (call_id != NULL, 0);

  return close_matching (self, call_id, tag, tag ? other_tag : NULL, FALSE, CLOSE_API);
}

/**
 * net_sip_nat_helper_get_n_sessions:
 * @self: a #NetSipNatHelper
 *
 * Gets the number of relay sessions.
 *
 * Returns: the value of [property@NetSip.NatHelper:n-sessions]
 *
 * Since: 1.0
 */
guint
net_sip_nat_helper_get_n_sessions (NetSipNatHelper *self)
{
  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), 0);
  return self->n_open_sessions;
}

/**
 * net_sip_nat_helper_get_n_sockets:
 * @self: a #NetSipNatHelper
 *
 * Gets the number of relay sockets open.
 *
 * Returns: the value of [property@NetSip.NatHelper:n-sockets]
 *
 * Since: 1.0
 */
guint
net_sip_nat_helper_get_n_sockets (NetSipNatHelper *self)
{
  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), 0);
  return self->n_sockets;
}

/**
 * net_sip_nat_helper_get_stats:
 * @self: a #NetSipNatHelper
 * @call_id: (nullable): the Call-ID of the sessions, or %NULL for all
 *
 * Describes sessions (open and closing ones), for logs, monitoring and
 * accounting. The result has the type `aa{sv}`, one dictionary per
 * session with the keys `call-id` (s), `caller-tag` (s), `callee-tag` (s,
 * empty until known), `state` (s: `unanswered`, `open`, or why it was
 * closed) and `media` (`aa{sv}`, one per relayed medium: `index` (u, of
 * the `m=` line), `caller-relay-port` and `callee-relay-port` (q: the RTP
 * port of the socket facing that party; 0 before it is allocated),
 * `caller-address` and `callee-address` (s: where that party's media are
 * sent, `host:port`, empty when unknown), `caller-learned` and
 * `callee-learned` (b: the address is the party's real source),
 * `packets-from-caller`, `bytes-from-caller`, `packets-from-callee`,
 * `bytes-from-callee` (t: datagrams and UDP payload octets received from
 * that party, RTP and RTCP) and `dropped-packets` (t)).
 *
 * Returns: (transfer full): a new `aa{sv}` #GVariant (not floating)
 *
 * Since: 1.0
 */
GVariant *
net_sip_nat_helper_get_stats (NetSipNatHelper *self,
                              const char      *call_id)
{
  GVariantBuilder b;

  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), NULL);

  g_variant_builder_init (&b, G_VARIANT_TYPE ("aa{sv}"));
  for (GList *l = self->sessions.head; l != NULL; l = l->next)
    {
      NatSession *s = l->data;

      if (call_id == NULL || strcmp (call_id, s->call_id) == 0)
        g_variant_builder_add_value (&b, session_stats (s, session_state (s)));
    }
  return g_variant_ref_sink (g_variant_builder_end (&b));
}

/**
 * net_sip_nat_helper_get_counters:
 * @self: a #NetSipNatHelper
 * @call_id: the Call-ID
 * @media_index: the index of the `m=` line
 * @packets_from_caller: (out) (optional): datagrams received from the caller
 * @bytes_from_caller: (out) (optional): their UDP payload octets
 * @packets_from_callee: (out) (optional): datagrams received from the callee
 * @bytes_from_callee: (out) (optional): their UDP payload octets
 *
 * Reads the counters of one medium, summed over the sessions (open and
 * closing) of @call_id; RTP and RTCP together. The caller is the party
 * whose From tag created the session. Datagrams from an unexpected source
 * are not counted here (see [method@NetSip.NatHelper.get_stats]).
 *
 * Returns: %TRUE if a session of @call_id relays medium @media_index
 *
 * Since: 1.0
 */
gboolean
net_sip_nat_helper_get_counters (NetSipNatHelper *self,
                                 const char      *call_id,
                                 guint            media_index,
                                 guint64         *packets_from_caller,
                                 guint64         *bytes_from_caller,
                                 guint64         *packets_from_callee,
                                 guint64         *bytes_from_callee)
{
  GPtrArray *list;
  guint64 p0 = 0, b0 = 0, p1 = 0, b1 = 0;
  gboolean found = FALSE;

  g_return_val_if_fail (NET_SIP_IS_NAT_HELPER (self), FALSE);
  g_return_val_if_fail (call_id != NULL, FALSE);

  list = g_hash_table_lookup (self->calls, call_id);
  for (guint i = 0; list != NULL && i < list->len; i++)
    {
      NatSession *s = g_ptr_array_index (list, i);
      NatMedia *m = media_index < s->media->len ? g_ptr_array_index (s->media, media_index) : NULL;

      if (m == NULL)
        continue;
      found = TRUE;
      p0 += m->packets[0];
      b0 += m->bytes[0];
      p1 += m->packets[1];
      b1 += m->bytes[1];
    }
  if (packets_from_caller)
    *packets_from_caller = p0;
  if (bytes_from_caller)
    *bytes_from_caller = b0;
  if (packets_from_callee)
    *packets_from_callee = p1;
  if (bytes_from_callee)
    *bytes_from_callee = b1;
  return found;
}
