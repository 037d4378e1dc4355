/* netsip-transaction.c: one SIP transaction (RFC 3261 §17, RFC 6026)
 *
 * The four state machines of RFC 3261 §17 with the Accepted state of
 * RFC 6026. Timers are deadlines in monotonic microseconds; a transaction
 * sits in its dispatcher's timer heap at the earliest of them, and the
 * dispatcher's one timer source wakes the loop exactly when the first
 * deadline comes, never on a periodic sweep.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#include "config-private.h"

#include "netsip-transaction-private.h"
#include "netsip-dispatcher-private.h"
#include "netsip-error.h"

/**
 * NetSipTransaction:
 *
 * A SIP transaction of a [class@NetSip.Dispatcher] (RFC 3261 §17): a request
 * and the responses to it, with the retransmission and timeout timers of
 * its kind. The dispatcher creates and drives transactions; applications
 * look at them ([method@NetSip.Dispatcher.get_transaction],
 * [signal@NetSip.Dispatcher::message-sent]) and cancel them
 * ([method@NetSip.Dispatcher.cancel_delivery_transaction]).
 *
 * Timers (T1, T2, T4 are the dispatcher's properties):
 *
 * - client INVITE: Timer A retransmits over UDP at T1, 2*T1, 4*T1, ...
 *   after the previous send; Timer B gives up 64*T1 after the first send
 *   while no response came; the ACK for a 300-699 response is built here
 *   with the INVITE's branch; Timer D (32 s over UDP, 0 over TCP/TLS) then
 *   absorbs retransmitted responses. A 2xx leads to Accepted (RFC 6026)
 *   for Timer M = 64*T1, where 2xx retransmissions reach the receiver.
 * - client non-INVITE: Timer E retransmits at T1, 2*T1, ... capped at T2,
 *   at T2 once a provisional response came; Timer F gives up at 64*T1;
 *   Timer K (T4 over UDP, 0 otherwise) absorbs retransmitted responses.
 * - server INVITE: a retransmitted INVITE gets the last response again; a
 *   300-699 response is retransmitted by Timer G (T1 doubling, capped at
 *   T2, UDP only) until the ACK, which is absorbed; Timer H (64*T1) gives
 *   up waiting for it; Timer I (T4 over UDP) absorbs more ACKs. After a
 *   2xx the transaction is Accepted for Timer L = 64*T1 (RFC 6026).
 * - server non-INVITE: the last response answers retransmissions; Timer J
 *   (64*T1 over UDP, 0 otherwise) keeps the final response.
 *
 * Over TCP and TLS nothing is retransmitted (RFC 3261 §17.1.1.2,
 * §17.1.2.2, §17.2.1); the timeouts apply all the same.
 *
 * Since: 1.0
 */

G_DEFINE_FINAL_TYPE (NetSipTransaction, net_sip_transaction, G_TYPE_OBJECT)

/* Timer D: "at least 32 seconds" over unreliable transports (§17.1.1.2) */
#define TIMER_D_US (32 * G_USEC_PER_SEC)
/* A server INVITE transaction the TU never answers finally is dropped
 * after this long since the last provisional response: longer than a
 * proxy's Timer C (more than 3 minutes, §16.6 step 11). */
#define SERVER_INVITE_IDLE_US (200 * G_USEC_PER_SEC)
/* §17.2.1: the transaction sends 100 Trying itself unless the TU sends a
 * provisional response within 200 ms */
#define TRYING_DELAY_US (200 * 1000)

static void
net_sip_transaction_finalize (GObject *object)
{
  NetSipTransaction *self = NET_SIP_TRANSACTION (object);

  /* normally out of the heap since it terminated; not so when the last
   * reference goes first (a stateless entry replaced by a newer one) */
  if (self->heap_index >= 0 && self->dispatcher)
    net_sip_dispatcher_schedule (self->dispatcher, self, -1);
  g_clear_pointer (&self->id, g_ref_string_release);
  g_clear_pointer (&self->key, g_ref_string_release);
  g_free (self->response_key);
  g_free (self->dialog_key);
  g_clear_pointer (&self->call_id, g_ref_string_release);
  g_clear_object (&self->message);
  g_free (self->method);
  g_clear_object (&self->last_response);
  g_clear_object (&self->ack);
  g_clear_object (&self->leg);
  g_clear_object (&self->remote);
  g_clear_object (&self->source);
  G_OBJECT_CLASS (net_sip_transaction_parent_class)->finalize (object);
}

/* The request's method, also once a server transaction let its request
 * go (see drop_request) */
static const char *
transaction_method (NetSipTransaction *self)
{
  return self->message ? net_sip_message_get_method (self->message) : self->method;
}

/* A server transaction with its final response keeps only what answers
 * retransmissions (its key, the response, where it goes): the request
 * and its buffer go, which halves what a busy server holds for Timer J
 * (32 s of every non-INVITE request over UDP). */
static void
drop_request (NetSipTransaction *self)
{
  if (self->message == NULL)
    return;
  self->method = g_strdup (net_sip_message_get_method (self->message));
  g_clear_object (&self->message);
}

static void
net_sip_transaction_class_init (NetSipTransactionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = net_sip_transaction_finalize;
}

static void
net_sip_transaction_init (NetSipTransaction *self)
{
  self->heap_index = -1;
}

/* ------------------------------------------------------------------ */
/* Timers                                                              */

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  if (callback == NULL)
    return G_SOURCE_REMOVE;
  return callback (user_data);
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_source_dispatch,
};

/* A source that fires once at @ready_time (monotonic µs; 0 = at once).
 * The callback re-arms it with g_source_set_ready_time() and returns
 * G_SOURCE_CONTINUE, or returns G_SOURCE_REMOVE. */
GSource *
net_sip_timer_source_new (GMainContext   *context,
                          gint64          ready_time,
                          GSourceFunc     func,
                          gpointer        data,
                          GDestroyNotify  notify)
{
  GSource *source = g_source_new (&timer_source_funcs, sizeof (GSource));

  g_source_set_name (source, "NetSip timer");
  g_source_set_ready_time (source, ready_time);
  g_source_set_callback (source, func, data, notify);
  g_source_attach (source, context);
  return source;
}

static gint64
next_deadline (NetSipTransaction *self)
{
  gint64 next = -1;
  gint64 all[4] = { self->retransmit_at, self->timeout_at, self->end_at, self->trying_at };

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (all[i] > 0 && (next < 0 || all[i] < next))
      next = all[i];
  return next;
}

/* Tells the dispatcher's timer heap when we are next due. */
static void
arm_timer (NetSipTransaction *self)
{
  if (self->dispatcher)
    net_sip_dispatcher_schedule (self->dispatcher, self, next_deadline (self));
}

static void
set_state (NetSipTransaction      *self,
           NetSipTransactionState  state)
{
  self->state = state;
}

/* ------------------------------------------------------------------ */
/* Sending                                                             */

static void
send_message (NetSipTransaction *self,
              NetSipMessage     *message,
              GTask             *task)
{
  guint attempt = self->n_sent++;

  if (attempt > 0)
    self->n_retransmissions++;
  net_sip_dispatcher_send (self->dispatcher, self, message, self->leg, self->remote,
                           attempt, task);
}

/* Stops every timer and tells the dispatcher to forget us. Idempotent. */
void
net_sip_transaction_terminate (NetSipTransaction *self)
{
  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  if (self->state == NET_SIP_TRANSACTION_STATE_TERMINATED)
    return;
  set_state (self, NET_SIP_TRANSACTION_STATE_TERMINATED);
  self->retransmit_at = self->timeout_at = self->end_at = self->trying_at = 0;
  if (self->heap_index >= 0 && self->dispatcher)
    net_sip_dispatcher_schedule (self->dispatcher, self, -1);
  if (self->dispatcher)
    net_sip_dispatcher_transaction_terminated (self->dispatcher, self);
}

/* Client outcome: tells the owner once. */
static gboolean
finish (NetSipTransaction *self,
        NetSipResponse    *response,
        const GError      *error)
{
  if (self->finished || self->dispatcher == NULL)
    return FALSE;
  self->finished = TRUE;
  return net_sip_dispatcher_transaction_finished (self->dispatcher, self, response, error);
}

static void
client_timer (NetSipTransaction *self,
              gint64             now)
{
  g_autoptr(GError) error = NULL;

  /* Timer B / F: no final response in time (§17.1.1.2, §17.1.2.2). B
   * counts only in Calling; F in Trying and Proceeding. */
  if (self->timeout_at > 0 && now >= self->timeout_at)
    {
      self->timeout_at = 0;
      error = g_error_new (NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT,
                           "no final response to %s (delivery %s) within %" G_GINT64_FORMAT " ms (64*T1)",
                           transaction_method (self), self->id ? self->id : "",
                           64 * self->t.t1 / 1000);
      g_object_ref (self);
      net_sip_transaction_terminate (self);
      finish (self, NULL, error);
      g_object_unref (self);
      return;
    }

  /* Timer D, K, M: the end of Completed or Accepted; the end of a
   * stateless entry. */
  if (self->end_at > 0 && now >= self->end_at)
    {
      net_sip_transaction_terminate (self);
      return;
    }

  /* Timer A / E */
  if (self->retransmit_at > 0 && now >= self->retransmit_at)
    {
      send_message (self, self->message, NULL);
      if (self->kind == NET_SIP_TRANSACTION_KIND_CLIENT_INVITE)
        self->interval *= 2;
      else if (self->state == NET_SIP_TRANSACTION_STATE_PROCEEDING)
        self->interval = self->t.t2;
      else
        self->interval = MIN (self->interval * 2, self->t.t2);
      /* From the previous deadline, not from now: a late wakeup does not
       * shift the rest of the schedule. */
      self->retransmit_at += self->interval;
      if (self->retransmit_at <= now)
        self->retransmit_at = now + 1;
    }
}

static void
server_timer (NetSipTransaction *self,
              gint64             now)
{
  /* Timer H (no ACK) or the TU never answered */
  if (self->timeout_at > 0 && now >= self->timeout_at)
    {
      g_autoptr(GError) error = NULL;

      self->timeout_at = 0;
      if (self->state == NET_SIP_TRANSACTION_STATE_COMPLETED)
        error = g_error_new (NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT,
                             "no ACK for the %u response to INVITE within %" G_GINT64_FORMAT " ms (Timer H)",
                             net_sip_response_get_code (self->last_response), 64 * self->t.t1 / 1000);
      else
        error = g_error_new (NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT,
                             "no final response given to %s in time",
                             transaction_method (self));
      g_object_ref (self);
      net_sip_transaction_terminate (self);
      if (self->dispatcher)
        net_sip_dispatcher_transaction_failed (self->dispatcher, self, error);
      g_object_unref (self);
      return;
    }

  /* §17.2.1: the TU said nothing within 200 ms: 100 Trying (no To tag,
   * §8.2.6.1), which retransmitted INVITEs then get too */
  if (self->trying_at > 0 && now >= self->trying_at)
    {
      self->trying_at = 0;
      if (self->last_response == NULL)
        {
          self->last_response = net_sip_request_create_response (NET_SIP_REQUEST (self->message),
                                                                 100, NULL, NULL);
          self->n_sent = 0;
          send_message (self, NET_SIP_MESSAGE (self->last_response), NULL);
        }
    }

  /* Timer I, J, L */
  if (self->end_at > 0 && now >= self->end_at)
    {
      g_autoptr(GError) error = NULL;

      /* §13.3.1.4: 64*T1 of 2xx retransmissions without an ACK */
      if (self->state == NET_SIP_TRANSACTION_STATE_ACCEPTED && self->t.retransmit_2xx &&
          !self->acked)
        error = g_error_new (NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT,
                             "no ACK for the %u response to INVITE within %" G_GINT64_FORMAT " ms",
                             net_sip_response_get_code (self->last_response), 64 * self->t.t1 / 1000);
      g_object_ref (self);
      net_sip_transaction_terminate (self);
      if (error && self->dispatcher)
        net_sip_dispatcher_transaction_failed (self->dispatcher, self, error);
      g_object_unref (self);
      return;
    }

  /* Timer G; in Accepted the 2xx retransmissions of §13.3.1.4, same
   * schedule */
  if (self->retransmit_at > 0 && now >= self->retransmit_at)
    {
      send_message (self, NET_SIP_MESSAGE (self->last_response), NULL);
      self->interval = MIN (self->interval * 2, self->t.t2);
      self->retransmit_at += self->interval;
      if (self->retransmit_at <= now)
        self->retransmit_at = now + 1;
    }
}

/* Called by the dispatcher's timer source when our deadline has come
 * (we are out of the heap then): handles what is due, then asks to be
 * woken for the next deadline, if any. */
void
net_sip_transaction_fire (NetSipTransaction *self,
                          gint64             now)
{
  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  g_object_ref (self);
  if (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE ||
      self->kind == NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE)
    server_timer (self, now);
  else
    client_timer (self, now);
  if (self->state != NET_SIP_TRANSACTION_STATE_TERMINATED)
    arm_timer (self);
  g_object_unref (self);
}

/* The ACK for our 2xx came: no more 2xx retransmissions. The transaction
 * stays Accepted until Timer L to absorb INVITE retransmissions. */
void
net_sip_transaction_acked (NetSipTransaction *self)
{
  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  self->acked = TRUE;
  if (self->state == NET_SIP_TRANSACTION_STATE_ACCEPTED && self->retransmit_at > 0)
    {
      self->retransmit_at = 0;
      arm_timer (self);
    }
}

/* A send failed (§17.1.1.2, §17.1.2.2, §17.2.4): the transaction ends and
 * the TU hears of it. */
void
net_sip_transaction_sent (NetSipTransaction *self,
                          const GError      *error)
{
  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  /* A stateless send is done once the transport has it. */
  if (error == NULL)
    {
      if (self->kind == NET_SIP_TRANSACTION_KIND_STATELESS)
        finish (self, NULL, NULL);
      return;
    }
  if (self->state == NET_SIP_TRANSACTION_STATE_TERMINATED)
    return;
  g_object_ref (self);
  net_sip_transaction_terminate (self);
  switch (self->kind)
    {
    case NET_SIP_TRANSACTION_KIND_CLIENT_INVITE:
    case NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE:
    case NET_SIP_TRANSACTION_KIND_STATELESS:
      finish (self, NULL, error);
      break;
    case NET_SIP_TRANSACTION_KIND_SERVER_INVITE:
    case NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE:
      if (self->dispatcher)
        net_sip_dispatcher_transaction_failed (self->dispatcher, self, error);
      break;
    }
  g_object_unref (self);
}

/* ------------------------------------------------------------------ */
/* Client transactions (§17.1)                                         */

NetSipTransaction *
net_sip_transaction_new_client (NetSipDispatcher        *dispatcher,
                                NetSipMessage           *request,
                                NetSipLeg               *leg,
                                GInetSocketAddress      *remote,
                                gboolean                 stateless,
                                const NetSipTimerValues *t)
{
  NetSipTransaction *self = g_object_new (NET_SIP_TYPE_TRANSACTION, NULL);
  const char *method = net_sip_message_get_method (request);

  self->dispatcher = dispatcher;
  if (stateless)
    self->kind = NET_SIP_TRANSACTION_KIND_STATELESS;
  else if (g_strcmp0 (method, "INVITE") == 0)
    self->kind = NET_SIP_TRANSACTION_KIND_CLIENT_INVITE;
  else
    self->kind = NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE;
  self->state = self->kind == NET_SIP_TRANSACTION_KIND_CLIENT_INVITE
                  ? NET_SIP_TRANSACTION_STATE_CALLING : NET_SIP_TRANSACTION_STATE_TRYING;
  self->message = g_object_ref (request);
  self->leg = g_object_ref (leg);
  self->remote = g_object_ref (remote);
  self->key = g_ref_string_new (net_sip_message_get_tid (request));
  self->call_id = net_sip_message_get_call_id (request)
                    ? g_ref_string_new (net_sip_message_get_call_id (request)) : NULL;
  self->t = *t;
  self->reliable = net_sip_leg_get_protocol (leg) != NET_SIP_TRANSPORT_UDP;
  return self;
}

void
net_sip_transaction_start (NetSipTransaction *self)
{
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  switch (self->kind)
    {
    case NET_SIP_TRANSACTION_KIND_CLIENT_INVITE:
    case NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE:
      /* Timer A / E only over unreliable transports; B / F always */
      if (!self->reliable)
        {
          self->interval = self->t.t1;
          self->retransmit_at = now + self->t.t1;
        }
      self->timeout_at = now + 64 * self->t.t1;
      break;
    case NET_SIP_TRANSACTION_KIND_STATELESS:
      /* No retransmission and no timeout; the entry only lets responses
       * to this request through to the receiver for 64*T1. */
      self->end_at = now + 64 * self->t.t1;
      break;
    default:
      g_return_if_reached ();
    }
  arm_timer (self);
  send_message (self, self->message, NULL);
}

/* §17.1.1.3: the ACK for a 300-699 response, on the INVITE's branch */
static void
send_ack (NetSipTransaction *self)
{
  if (self->ack == NULL)
    {
      self->ack = NET_SIP_MESSAGE (net_sip_request_create_ack (NET_SIP_REQUEST (self->message),
                                                               self->last_response));
      /* a new message: its first send is attempt 0 */
      self->n_sent = 0;
    }
  send_message (self, self->ack, NULL);
}

void
net_sip_transaction_receive_response (NetSipTransaction *self,
                                      NetSipResponse    *response,
                                      NetSipSourceInfo  *source)
{
  guint code = net_sip_response_get_code (response);
  gboolean pass = FALSE;
  gint64 now = g_get_monotonic_time ();

  g_return_if_fail (NET_SIP_IS_TRANSACTION (self));

  g_object_ref (self);
  switch (self->kind)
    {
    case NET_SIP_TRANSACTION_KIND_STATELESS:
      /* a request sent without a transaction: the receiver decides */
      pass = TRUE;
      break;

    case NET_SIP_TRANSACTION_KIND_CLIENT_INVITE:
      switch (self->state)
        {
        case NET_SIP_TRANSACTION_STATE_CALLING:
        case NET_SIP_TRANSACTION_STATE_PROCEEDING:
          g_set_object (&self->last_response, response);
          if (code < 200)
            {
              /* §17.1.1.2: no more retransmissions, and Timer B no
               * longer applies */
              set_state (self, NET_SIP_TRANSACTION_STATE_PROCEEDING);
              self->retransmit_at = 0;
              self->timeout_at = 0;
              pass = TRUE;
            }
          else if (code < 300)
            {
              /* RFC 6026 §7.2: Accepted; Timer M = 64*T1 */
              set_state (self, NET_SIP_TRANSACTION_STATE_ACCEPTED);
              self->retransmit_at = self->timeout_at = 0;
              self->end_at = now + 64 * self->t.t1;
              arm_timer (self);
              pass = finish (self, response, NULL);
            }
          else
            {
              set_state (self, NET_SIP_TRANSACTION_STATE_COMPLETED);
              self->retransmit_at = self->timeout_at = 0;
              self->end_at = self->reliable ? now : now + TIMER_D_US;
              send_ack (self);
              arm_timer (self);
              pass = finish (self, response, NULL);
            }
          break;
        case NET_SIP_TRANSACTION_STATE_COMPLETED:
          /* a retransmitted final response: ACK again, absorb */
          if (code >= 300)
            send_ack (self);
          break;
        case NET_SIP_TRANSACTION_STATE_ACCEPTED:
          /* RFC 6026 §7.2: 2xx retransmissions go to the TU, which ACKs */
          pass = code >= 200 && code < 300;
          break;
        default:
          break;
        }
      break;

    case NET_SIP_TRANSACTION_KIND_CLIENT_NON_INVITE:
      switch (self->state)
        {
        case NET_SIP_TRANSACTION_STATE_TRYING:
        case NET_SIP_TRANSACTION_STATE_PROCEEDING:
          g_set_object (&self->last_response, response);
          if (code < 200)
            {
              /* §17.1.2.2: keep retransmitting, now every T2 */
              set_state (self, NET_SIP_TRANSACTION_STATE_PROCEEDING);
              pass = TRUE;
            }
          else
            {
              set_state (self, NET_SIP_TRANSACTION_STATE_COMPLETED);
              self->retransmit_at = self->timeout_at = 0;
              /* Timer K */
              self->end_at = self->reliable ? now : now + self->t.t4;
              arm_timer (self);
              pass = finish (self, response, NULL);
            }
          break;
        default:
          /* Completed: retransmitted final responses are absorbed */
          break;
        }
      break;

    default:
      g_warn_if_reached ();
    }

  if (pass && self->dispatcher)
    net_sip_dispatcher_pass_up (self->dispatcher, NET_SIP_MESSAGE (response), self->leg, source);
  g_object_unref (self);
}

/* ------------------------------------------------------------------ */
/* Server transactions (§17.2)                                         */

NetSipTransaction *
net_sip_transaction_new_server (NetSipDispatcher        *dispatcher,
                                NetSipMessage           *request,
                                NetSipLeg               *leg,
                                NetSipSourceInfo        *source,
                                GInetSocketAddress      *remote,
                                const NetSipTimerValues *t)
{
  NetSipTransaction *self = g_object_new (NET_SIP_TYPE_TRANSACTION, NULL);
  gint64 now = g_get_monotonic_time ();

  self->dispatcher = dispatcher;
  if (g_strcmp0 (net_sip_message_get_method (request), "INVITE") == 0)
    {
      self->kind = NET_SIP_TRANSACTION_KIND_SERVER_INVITE;
      self->state = NET_SIP_TRANSACTION_STATE_PROCEEDING;
    }
  else
    {
      self->kind = NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE;
      self->state = NET_SIP_TRANSACTION_STATE_TRYING;
    }
  self->message = g_object_ref (request);
  self->leg = g_object_ref (leg);
  self->source = g_object_ref (source);
  self->remote = g_object_ref (remote);
  self->key = g_ref_string_new (net_sip_message_get_tid (request));
  self->id = g_ref_string_acquire (self->key);
  self->call_id = net_sip_message_get_call_id (request)
                    ? g_ref_string_new (net_sip_message_get_call_id (request)) : NULL;
  self->t = *t;
  self->reliable = net_sip_leg_get_protocol (leg) != NET_SIP_TRANSPORT_UDP;
  /* The TU must answer; if it never does, the entry must not live for
   * ever. A non-INVITE client gives up at 64*T1 (Timer F). */
  self->timeout_at = now + (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE
                            ? SERVER_INVITE_IDLE_US : 64 * self->t.t1);
  if (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE)
    self->trying_at = now + TRYING_DELAY_US;
  self->pending = TRUE;
  arm_timer (self);
  return self;
}

/* A request that matched this server transaction arrived: a retransmission
 * or an ACK. Returns TRUE if it goes up to the receiver. */
gboolean
net_sip_transaction_receive_request (NetSipTransaction *self,
                                     NetSipMessage     *request,
                                     NetSipSourceInfo  *source)
{
  gboolean is_ack = g_strcmp0 (net_sip_message_get_method (request), "ACK") == 0;
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), FALSE);

  if (is_ack)
    {
      if (self->kind != NET_SIP_TRANSACTION_KIND_SERVER_INVITE)
        return TRUE;
      switch (self->state)
        {
        case NET_SIP_TRANSACTION_STATE_COMPLETED:
          /* §17.2.1: Confirmed; Timer I absorbs further ACKs */
          set_state (self, NET_SIP_TRANSACTION_STATE_CONFIRMED);
          self->retransmit_at = self->timeout_at = 0;
          self->end_at = self->reliable ? now : now + self->t.t4;
          arm_timer (self);
          net_sip_dispatcher_count_absorbed (self->dispatcher, TRUE);
          return FALSE;
        case NET_SIP_TRANSACTION_STATE_CONFIRMED:
          net_sip_dispatcher_count_absorbed (self->dispatcher, TRUE);
          return FALSE;
        case NET_SIP_TRANSACTION_STATE_ACCEPTED:
          /* RFC 6026 §8.7: an ACK matching an Accepted transaction goes
           * to the TU (it acknowledges the 2xx) */
          net_sip_transaction_acked (self);
          return TRUE;
        default:
          /* an ACK before any final response: nothing to acknowledge */
          net_sip_dispatcher_count_absorbed (self->dispatcher, TRUE);
          return FALSE;
        }
    }

  /* A retransmission of the request (§17.2.1, §17.2.2) */
  net_sip_dispatcher_count_absorbed (self->dispatcher, FALSE);
  switch (self->state)
    {
    case NET_SIP_TRANSACTION_STATE_PROCEEDING:
    case NET_SIP_TRANSACTION_STATE_COMPLETED:
      if (self->last_response)
        send_message (self, NET_SIP_MESSAGE (self->last_response), NULL);
      break;
    default:
      /* Trying: the TU has not answered yet; Accepted: the TU retransmits
       * its 2xx itself (RFC 6026 §8.5); Confirmed: nothing to send */
      break;
    }
  return FALSE;
}

/* The TU sends @response in this transaction. @task completes when the
 * transport has it. */
gboolean
net_sip_transaction_send_response (NetSipTransaction  *self,
                                   NetSipResponse     *response,
                                   GTask              *task,
                                   GError            **error)
{
  guint code = net_sip_response_get_code (response);
  gint64 now = g_get_monotonic_time ();

  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), FALSE);

  switch (self->state)
    {
    case NET_SIP_TRANSACTION_STATE_TRYING:
    case NET_SIP_TRANSACTION_STATE_PROCEEDING:
      break;
    case NET_SIP_TRANSACTION_STATE_ACCEPTED:
      /* RFC 6026 §8.5: the TU retransmits its 2xx through us */
      if (code >= 200 && code < 300)
        {
          send_message (self, NET_SIP_MESSAGE (response), task);
          return TRUE;
        }
      G_GNUC_FALLTHROUGH;
    default:
      g_set_error (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
                   "the transaction for %s has a final response already (%u); "
                   "a %u cannot follow it (RFC 3261 §17.2)",
                   transaction_method (self),
                   self->last_response ? net_sip_response_get_code (self->last_response) : 0,
                   code);
      return FALSE;
    }

  g_set_object (&self->last_response, response);
  /* each response is a first send of a new message */
  self->n_sent = 0;
  self->trying_at = 0;
  if (code >= 200)
    drop_request (self);
  if (code >= 200 && self->dispatcher)
    net_sip_dispatcher_transaction_settled (self->dispatcher, self);
  if (code < 200)
    {
      set_state (self, NET_SIP_TRANSACTION_STATE_PROCEEDING);
      if (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE)
        self->timeout_at = now + SERVER_INVITE_IDLE_US;
    }
  else if (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE && code < 300)
    {
      /* RFC 6026 §8.5: Accepted, Timer L */
      set_state (self, NET_SIP_TRANSACTION_STATE_ACCEPTED);
      self->timeout_at = 0;
      self->end_at = now + 64 * self->t.t1;
      /* §13.3.1.4: the UAS core retransmits the 2xx until the ACK, at T1
       * doubling up to T2, over any transport (the ACK is end to end) */
      if (self->t.retransmit_2xx)
        {
          self->interval = self->t.t1;
          self->retransmit_at = now + self->t.t1;
          if (self->dispatcher)
            net_sip_dispatcher_transaction_accepted (self->dispatcher, self);
        }
    }
  else if (self->kind == NET_SIP_TRANSACTION_KIND_SERVER_INVITE)
    {
      /* §17.2.1: Completed; Timer G over UDP, Timer H always */
      set_state (self, NET_SIP_TRANSACTION_STATE_COMPLETED);
      if (!self->reliable)
        {
          self->interval = self->t.t1;
          self->retransmit_at = now + self->t.t1;
        }
      self->timeout_at = now + 64 * self->t.t1;
    }
  else
    {
      /* §17.2.2: Completed; Timer J */
      set_state (self, NET_SIP_TRANSACTION_STATE_COMPLETED);
      self->timeout_at = 0;
      self->end_at = self->reliable ? now : now + 64 * self->t.t1;
    }
  arm_timer (self);
  send_message (self, NET_SIP_MESSAGE (response), task);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Public getters                                                      */

/**
 * net_sip_transaction_get_kind:
 * @self: a #NetSipTransaction
 *
 * Gets the kind.
 *
 * Returns: client or server, INVITE or not, or stateless
 *
 * Since: 1.0
 */
NetSipTransactionKind
net_sip_transaction_get_kind (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NET_SIP_TRANSACTION_KIND_STATELESS);
  return self->kind;
}

/**
 * net_sip_transaction_get_state:
 * @self: a #NetSipTransaction
 *
 * Gets the state.
 *
 * Returns: the state (RFC 3261 §17, RFC 6026)
 *
 * Since: 1.0
 */
NetSipTransactionState
net_sip_transaction_get_state (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NET_SIP_TRANSACTION_STATE_TERMINATED);
  return self->state;
}

/**
 * net_sip_transaction_get_id:
 * @self: a #NetSipTransaction
 *
 * Gets the id.
 *
 * Returns: (nullable): the delivery id: the one given in
 *   [struct@NetSip.DeliveryOptions] or the key of the first transaction
 *   of the delivery; for a server transaction its key
 *
 * Since: 1.0
 */
const char *
net_sip_transaction_get_id (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->id;
}

/**
 * net_sip_transaction_get_key:
 * @self: a #NetSipTransaction
 *
 * Gets the key.
 *
 * Returns: (nullable): the matching key (net_sip_message_get_tid() of the
 *   request: branch, sent-by and method, RFC 3261 §17.1.3, §17.2.3)
 *
 * Since: 1.0
 */
const char *
net_sip_transaction_get_key (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->key;
}

/**
 * net_sip_transaction_get_call_id:
 * @self: a #NetSipTransaction
 *
 * Gets the call id.
 *
 * Returns: (nullable): the Call-ID the delivery can be cancelled by
 *
 * Since: 1.0
 */
const char *
net_sip_transaction_get_call_id (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->call_id;
}

/**
 * net_sip_transaction_get_message:
 * @self: a #NetSipTransaction
 *
 * Gets the message.
 *
 * Returns: (transfer none) (nullable): the request of the transaction; a
 *   server transaction lets it go once it sent its final response (it
 *   keeps the response for retransmitted requests), and returns %NULL
 *   from then on
 *
 * Since: 1.0
 */
NetSipMessage *
net_sip_transaction_get_message (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->message;
}

/**
 * net_sip_transaction_get_last_response:
 * @self: a #NetSipTransaction
 *
 * Gets the last response.
 *
 * Returns: (transfer none) (nullable): the last response received (client)
 *   or sent (server)
 *
 * Since: 1.0
 */
NetSipResponse *
net_sip_transaction_get_last_response (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->last_response;
}

/**
 * net_sip_transaction_get_leg:
 * @self: a #NetSipTransaction
 *
 * Gets the leg.
 *
 * Returns: (transfer none): the leg the transaction sends through
 *
 * Since: 1.0
 */
NetSipLeg *
net_sip_transaction_get_leg (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->leg;
}

/**
 * net_sip_transaction_get_remote_address:
 * @self: a #NetSipTransaction
 *
 * Gets the remote address.
 *
 * Returns: (transfer none): where requests (client) or responses (server)
 *   go
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_transaction_get_remote_address (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), NULL);
  return self->remote;
}

/**
 * net_sip_transaction_get_n_retransmissions:
 * @self: a #NetSipTransaction
 *
 * Gets the n retransmissions.
 *
 * Returns: how many times a message was sent again by this transaction:
 *   Timer A/E/G retransmissions, ACKs re-sent for retransmitted responses,
 *   cached responses re-sent for retransmitted requests
 *
 * Since: 1.0
 */
guint
net_sip_transaction_get_n_retransmissions (NetSipTransaction *self)
{
  g_return_val_if_fail (NET_SIP_IS_TRANSACTION (self), 0);
  return self->n_retransmissions;
}
