/* netsip-transaction-private.h: the RFC 3261 §17 state machines, for the
 * dispatcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "netsip-transaction.h"
#include "netsip-source-info.h"

G_BEGIN_DECLS

typedef struct _NetSipDispatcher NetSipDispatcher;

/* Timer values in microseconds, copied from the dispatcher when a
 * transaction starts so that changing a property affects new ones only. */
typedef struct
{
  gint64 t1;
  gint64 t2;
  gint64 t4;
  gboolean retransmit_2xx;  /* §13.3.1.4 on behalf of the UAS core */
} NetSipTimerValues;

struct _NetSipTransaction
{
  GObject                 parent_instance;

  /* ordered so that nothing pads: thousands can be pending at once */
  NetSipDispatcher       *dispatcher;   /* not owned: the dispatcher owns us */
  gpointer                owner;        /* the dispatcher's delivery, or NULL */
  char                   *id;           /* GRefString, often the key itself */
  char                   *key;          /* GRefString */
  char                   *response_key; /* server, RFC 2543 key: the key of its responses */
  char                   *dialog_key;   /* server INVITE with a 2xx: Call-ID|CSeq|To tag */
  char                   *call_id;      /* GRefString */
  NetSipMessage          *message;      /* the request; server: until the final response */
  char                   *method;       /* server: the request's, once it went */
  NetSipResponse         *last_response;
  NetSipMessage          *ack;          /* client INVITE: ACK for a non-2xx */
  NetSipLeg              *leg;
  GInetSocketAddress     *remote;
  NetSipSourceInfo       *source;       /* server: where the request came from */
  NetSipTimerValues       t;
  gint64                  interval;     /* current Timer A/E/G interval, µs */
  gint64                  retransmit_at;/* Timer A, E, G: monotonic µs, 0 = off */
  gint64                  timeout_at;   /* Timer B, F, H; server: no final response */
  gint64                  end_at;       /* Timer D, K, I, J, L, M */
  gint64                  trying_at;    /* server INVITE: 100 Trying if the TU is silent */
  gint64                  deadline;     /* the earliest of the above, in the heap */
  NetSipTransactionKind   kind;
  NetSipTransactionState  state;
  guint                   n_sent;       /* sends of the current message: 0 = none yet */
  guint                   n_retransmissions;
  gint                    heap_index;   /* in the dispatcher's timer heap, -1 = not */
  guint                   acked : 1;    /* server INVITE: the ACK for its 2xx came */
  guint                   reliable : 1;
  guint                   finished : 1; /* client: the owner was told the outcome */
  guint                   pending : 1;  /* server: counted until the final response */
};

GSource           *net_sip_timer_source_new              (GMainContext       *context,
                                                          gint64              ready_time,
                                                          GSourceFunc         func,
                                                          gpointer            data,
                                                          GDestroyNotify      notify);

NetSipTransaction *net_sip_transaction_new_client        (NetSipDispatcher   *dispatcher,
                                                          NetSipMessage      *request,
                                                          NetSipLeg          *leg,
                                                          GInetSocketAddress *remote,
                                                          gboolean            stateless,
                                                          const NetSipTimerValues *t);
void               net_sip_transaction_start             (NetSipTransaction  *self);
void               net_sip_transaction_receive_response  (NetSipTransaction  *self,
                                                          NetSipResponse     *response,
                                                          NetSipSourceInfo   *source);

NetSipTransaction *net_sip_transaction_new_server        (NetSipDispatcher   *dispatcher,
                                                          NetSipMessage      *request,
                                                          NetSipLeg          *leg,
                                                          NetSipSourceInfo   *source,
                                                          GInetSocketAddress *remote,
                                                          const NetSipTimerValues *t);
gboolean           net_sip_transaction_receive_request   (NetSipTransaction  *self,
                                                          NetSipMessage      *request,
                                                          NetSipSourceInfo   *source);
gboolean           net_sip_transaction_send_response     (NetSipTransaction  *self,
                                                          NetSipResponse     *response,
                                                          GTask              *task,
                                                          GError            **error);

void               net_sip_transaction_acked             (NetSipTransaction  *self);
void               net_sip_transaction_fire              (NetSipTransaction  *self,
                                                          gint64              now);
void               net_sip_transaction_sent              (NetSipTransaction  *self,
                                                          const GError       *error);
void               net_sip_transaction_terminate         (NetSipTransaction  *self);

G_END_DECLS
