/* test-endpoint.c: NetSipEndpoint (the user agent core) between two
 * endpoints on loopback UDP and TCP, and against bare receivers that play
 * the parts an endpoint cannot (a digest challenger, a redirect server, a
 * registrar, a UAS that retransmits its 2xx)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include "netsip.h"
#include "main-loop-wait.h"

/* Every wait is bounded by this. */
#define WAIT_LIMIT_MS 8000
/* T1 for the dispatchers of these tests, in ms: short, so that the
 * timers of RFC 3261 §17 run in test time */
#define TEST_T1 100

/* ------------------------------------------------------------------ */
/* Main loop helpers                                                   */

typedef gboolean (*Cond) (gpointer data);

#define run_until(cond, data) NETSIP_TEST_RUN_UNTIL (cond, data, WAIT_LIMIT_MS)

static gboolean
flag_set (gboolean *flag)
{
  return *flag;
}

/* ------------------------------------------------------------------ */
/* Results of the endpoint's async calls                               */

typedef struct
{
  gboolean        done;
  gboolean        ok;
  NetSipResponse *response;
  NetSipDialog   *dialog;
  GError         *error;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  g_assert_false (r->done);
  r->ok = net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, &r->response,
                                           &r->dialog, &r->error);
  r->done = TRUE;
}

static void
result_clear (Result *r)
{
  g_clear_object (&r->response);
  g_clear_object (&r->dialog);
  g_clear_error (&r->error);
  r->done = r->ok = FALSE;
}

static guint
code_of (Result *r)
{
  g_assert_no_error (r->error);
  g_assert_nonnull (r->response);
  return net_sip_response_get_code (r->response);
}

/* ------------------------------------------------------------------ */
/* A side: leg, dispatcher, endpoint, and what it saw                  */

typedef struct
{
  const char       *name;
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  NetSipEndpoint   *endpoint;
  char             *uri;            /* sip:name@127.0.0.1:port[;transport=tcp] */

  /* UAS behaviour */
  guint             invite_code;    /* final answer to INVITE, 0 = none */
  guint             answer_delay;   /* ms before it */
  gboolean          ringing;        /* 180 first */
  gboolean          handle_info;    /* answer INFO with 200 */
  gboolean          hold_info;      /* take INFO, answer never */

  /* what it saw */
  GPtrArray        *requests;       /* request-received, NetSipRequest */
  GPtrArray        *provisionals;   /* provisional-received, NetSipResponse */
  guint             n_acks_prepared;
  guint             n_closed;
  NetSipDialog     *dialog;         /* last dialog of a received request */
  GPtrArray        *registrations;  /* registration-updated: response codes (0 = none) */
} Side;

static guint
count_requests (Side       *s,
                const char *method)
{
  guint n = 0;

  for (guint i = 0; i < s->requests->len; i++)
    if (strcmp (net_sip_request_get_method (g_ptr_array_index (s->requests, i)), method) == 0)
      n++;
  return n;
}

static NetSipRequest *
last_request (Side       *s,
              const char *method)
{
  for (guint i = s->requests->len; i > 0; i--)
    if (strcmp (net_sip_request_get_method (g_ptr_array_index (s->requests, i - 1)), method) == 0)
      return g_ptr_array_index (s->requests, i - 1);
  return NULL;
}

typedef struct
{
  Side          *side;
  NetSipDialog  *dialog;
  NetSipRequest *request;
} Pending;

static const char sdp_text[] =
  "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
  "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n";

static gboolean
answer_invite (gpointer data)
{
  Pending *p = data;
  g_autoptr(GBytes) body = g_bytes_new_static (sdp_text, strlen (sdp_text));
  g_autoptr(GError) error = NULL;

  /* the CANCEL or BYE may have ended it meanwhile */
  net_sip_endpoint_respond (p->side->endpoint, p->dialog, p->request, p->side->invite_code, NULL,
                            NULL, p->side->invite_code < 300 ? body : NULL, &error);
  g_clear_object (&p->dialog);
  g_clear_object (&p->request);
  g_free (p);
  return G_SOURCE_REMOVE;
}

static gboolean
on_request_received (NetSipEndpoint   *endpoint,
                     NetSipDialog     *dialog,
                     NetSipRequest    *request,
                     NetSipLeg        *leg,
                     NetSipSourceInfo *source,
                     Side             *s)
{
  const char *method = net_sip_request_get_method (request);

  g_assert_true (NET_SIP_IS_LEG (leg));
  g_assert_true (NET_SIP_IS_SOURCE_INFO (source));
  g_ptr_array_add (s->requests, g_object_ref (request));
  if (dialog)
    g_set_object (&s->dialog, dialog);

  if (strcmp (method, "INVITE") == 0)
    {
      g_assert_nonnull (dialog);
      if (s->ringing)
        g_assert_true (net_sip_endpoint_respond (endpoint, dialog, request, 180, NULL, NULL, NULL,
                                                 NULL));
      if (s->invite_code)
        {
          Pending *p = g_new0 (Pending, 1);
          p->side = s;
          p->dialog = g_object_ref (dialog);
          p->request = g_object_ref (request);
          if (s->answer_delay)
            g_timeout_add (s->answer_delay, answer_invite, p);
          else
            answer_invite (p);
        }
      return TRUE;
    }
  if (strcmp (method, "INFO") == 0 && s->hold_info)
    return TRUE;
  if (strcmp (method, "INFO") == 0 && s->handle_info)
    {
      g_assert_true (net_sip_endpoint_respond (endpoint, dialog, request, 200, NULL, NULL, NULL,
                                               NULL));
      return TRUE;
    }
  return FALSE;
}

static void
on_provisional (NetSipEndpoint *endpoint,
                NetSipDialog   *dialog,
                NetSipRequest  *request,
                NetSipResponse *response,
                Side           *s)
{
  g_ptr_array_add (s->provisionals, g_object_ref (response));
}

static void
on_ack_prepared (NetSipEndpoint *endpoint,
                 NetSipDialog   *dialog,
                 NetSipRequest  *ack,
                 NetSipResponse *response,
                 Side           *s)
{
  g_assert_cmpstr (net_sip_request_get_method (ack), ==, "ACK");
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (ack)), ==,
                    net_sip_message_get_cseq_number (NET_SIP_MESSAGE (response)));
  /* the application may change it: a header the peer must see */
  net_sip_message_set_header (NET_SIP_MESSAGE (ack), "X-Ack-Seen", s->name);
  s->n_acks_prepared++;
}

static void
on_dialog_closed (NetSipEndpoint *endpoint,
                  NetSipDialog   *dialog,
                  Side           *s)
{
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_TERMINATED);
  s->n_closed++;
}

static void
on_registration_updated (NetSipEndpoint *endpoint,
                         const char     *aor,
                         NetSipResponse *response,
                         const GError   *error,
                         Side           *s)
{
  g_ptr_array_add (s->registrations,
                   GUINT_TO_POINTER (response ? net_sip_response_get_code (response) : 0));
}

static void
side_init (Side       *s,
           const char *name,
           const char *proto,
           gboolean    with_endpoint)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("%s:127.0.0.1:0", proto);
  NetSipLeg *legs[1];

  memset (s, 0, sizeof *s);
  s->name = name;
  s->leg = net_sip_leg_new (spec, &error);
  g_assert_no_error (error);
  legs[0] = s->leg;
  s->dispatcher = net_sip_dispatcher_new (legs, 1);
  g_object_set (s->dispatcher, "t1", TEST_T1, NULL);
  s->uri = g_strdup_printf ("sip:%s@127.0.0.1:%u%s", name, net_sip_leg_get_port (s->leg),
                            strcmp (proto, "tcp") == 0 ? ";transport=tcp" : "");
  s->requests = g_ptr_array_new_with_free_func (g_object_unref);
  s->provisionals = g_ptr_array_new_with_free_func (g_object_unref);
  s->registrations = g_ptr_array_new ();
  if (!with_endpoint)
    return;
  s->endpoint = net_sip_endpoint_new (s->dispatcher);
  g_assert_true (net_sip_dispatcher_get_receiver (s->dispatcher) == NET_SIP_RECEIVER (s->endpoint));
  g_signal_connect (s->endpoint, "request-received", G_CALLBACK (on_request_received), s);
  g_signal_connect (s->endpoint, "provisional-received", G_CALLBACK (on_provisional), s);
  g_signal_connect (s->endpoint, "ack-prepared", G_CALLBACK (on_ack_prepared), s);
  g_signal_connect (s->endpoint, "dialog-closed", G_CALLBACK (on_dialog_closed), s);
  g_signal_connect (s->endpoint, "registration-updated", G_CALLBACK (on_registration_updated), s);
}

static void
side_clear (Side *s)
{
  /* the dispatcher owns the endpoint (its receiver) */
  g_clear_object (&s->endpoint);
  if (s->dispatcher)
    g_object_run_dispose (G_OBJECT (s->dispatcher));
  g_clear_object (&s->dispatcher);
  g_clear_object (&s->leg);
  g_clear_object (&s->dialog);
  g_clear_pointer (&s->requests, g_ptr_array_unref);
  g_clear_pointer (&s->provisionals, g_ptr_array_unref);
  g_clear_pointer (&s->registrations, g_ptr_array_unref);
  g_free (s->uri);
  /* let sockets close and pending callbacks run */
  netsip_test_run_for (20);
}

/* ------------------------------------------------------------------ */
/* Fixture: A calls B                                                  */

typedef struct
{
  Side a;
  Side b;
} Fixture;

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  const char *proto = data ? data : "udp";

  side_init (&f->a, "alice", proto, TRUE);
  side_init (&f->b, "bob", proto, TRUE);
  f->b.invite_code = 200;
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  side_clear (&f->a);
  side_clear (&f->b);
}

static NetSipRequest *
new_invite (Side *from,
            Side *to)
{
  g_autoptr(GBytes) body = g_bytes_new_static (sdp_text, strlen (sdp_text));
  g_autofree char *f = g_strdup_printf ("<%s>", from->uri);
  g_autofree char *t = g_strdup_printf ("<%s>", to->uri);
  NetSipRequest *invite = net_sip_endpoint_new_request (from->endpoint, NULL, "INVITE", f, t,
                                                        NULL, NULL, body);

  g_assert_nonnull (invite);
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (invite), "Contact"));
  g_assert_nonnull (net_sip_message_get_from_tag (NET_SIP_MESSAGE (invite)));
  return invite;
}

static guint
count_code (GPtrArray *responses,
            guint      code)
{
  guint n = 0;

  for (guint i = 0; i < responses->len; i++)
    if (net_sip_response_get_code (g_ptr_array_index (responses, i)) == code)
      n++;
  return n;
}

/* A calls B and waits for the answer; returns A's confirmed dialog */
static NetSipDialog *
set_up_call (Fixture *f)
{
  g_autoptr(NetSipRequest) invite = new_invite (&f->a, &f->b);
  Result r = { 0 };
  NetSipDialog *dialog;

  net_sip_endpoint_invite_async (f->a.endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_nonnull (r.dialog);
  g_assert_cmpint (net_sip_dialog_get_state (r.dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  g_assert_true (net_sip_dialog_is_caller (r.dialog));
  dialog = g_steal_pointer (&r.dialog);
  result_clear (&r);
  return dialog;
}

static gboolean
b_got_ack (Fixture *f)
{
  return count_requests (&f->b, "ACK") > 0;
}

typedef struct
{
  Side  *side;
  guint  n;
} Count;

static gboolean
closed_reached (Count *c)
{
  return c->side->n_closed >= c->n;
}

static gboolean
requests_reached (Count *c)
{
  return c->side->requests->len >= c->n;
}

/* ---- call set-up, re-INVITE, BYE from the caller ---- */

static void
test_call (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(NetSipDialog) dialog = NULL;
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(NetSipRequest) reinvite = NULL;
  NetSipRequest *ack;
  Result r = { 0 };
  Count c;
  guint32 cseq;

  /* B rings, then answers after 400 ms: longer than the 200 ms after
   * which a silent transaction sends its own 100 (§17.2.1) */
  f->b.ringing = TRUE;
  f->b.answer_delay = 400;
  invite = new_invite (&f->a, &f->b);
  net_sip_endpoint_invite_async (f->a.endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  dialog = g_steal_pointer (&r.dialog);
  result_clear (&r);

  /* one 100 Trying only, and the 180 */
  g_assert_cmpuint (count_code (f->a.provisionals, 100), ==, 1);
  g_assert_cmpuint (count_code (f->a.provisionals, 180), ==, 1);
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  g_assert_cmpstr (net_sip_dialog_get_call_id (dialog), ==,
                   net_sip_message_get_call_id (NET_SIP_MESSAGE (invite)));
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 1);
  g_assert_cmpuint (f->a.n_acks_prepared, ==, 1);

  /* B gets the ACK, with what A's ack-prepared handler put in */
  run_until (b_got_ack, f);
  ack = last_request (&f->b, "ACK");
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (ack), "X-Ack-Seen"), ==, "alice");
  g_assert_nonnull (f->b.dialog);
  g_assert_cmpint (net_sip_dialog_get_state (f->b.dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  g_assert_false (net_sip_dialog_is_caller (f->b.dialog));
  g_assert_cmpstr (net_sip_dialog_get_remote_tag (f->b.dialog), ==,
                   net_sip_dialog_get_local_tag (dialog));
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 1);
  /* no retransmission of B's 2xx after the ACK: one INVITE seen, one ACK */
  netsip_test_run_for (3 * TEST_T1);
  g_assert_cmpuint (count_requests (&f->b, "ACK"), ==, 1);

  /* re-INVITE in the dialog */
  f->b.ringing = FALSE;
  f->b.answer_delay = 0;
  cseq = net_sip_dialog_get_local_cseq (dialog);
  reinvite = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INVITE", NULL, NULL, NULL,
                                           NULL, NULL);
  g_assert_cmpuint (net_sip_message_get_cseq_number (NET_SIP_MESSAGE (reinvite)), ==, cseq + 1);
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (reinvite)), ==,
                   net_sip_dialog_get_remote_tag (dialog));
  net_sip_endpoint_invite_async (f->a.endpoint, reinvite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_true (r.dialog == dialog);
  result_clear (&r);
  c.side = &f->b;
  c.n = 4;   /* INVITE, ACK, INVITE, ACK */
  run_until (requests_reached, &c);
  g_assert_cmpuint (count_requests (&f->b, "INVITE"), ==, 2);
  g_assert_cmpuint (net_sip_dialog_get_remote_cseq (f->b.dialog), ==, cseq + 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 1);

  /* BYE from the caller */
  net_sip_endpoint_close_dialog (f->a.endpoint, dialog);
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_TERMINATED);
  g_assert_cmpuint (f->a.n_closed, ==, 1);
  c.side = &f->b;
  c.n = 1;
  run_until (closed_reached, &c);
  g_assert_cmpuint (count_requests (&f->b, "BYE"), ==, 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 0);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 0);
}

/* ---- BYE from the callee ---- */

static gboolean
a_got_bye (Fixture *f)
{
  return count_requests (&f->a, "BYE") > 0;
}

static void
test_bye_from_callee (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipDialog) dialog = set_up_call (f);
  Count c = { &f->a, 1 };

  run_until (b_got_ack, f);
  net_sip_endpoint_close_dialog (f->b.endpoint, f->b.dialog);
  g_assert_cmpuint (f->b.n_closed, ==, 1);
  run_until (a_got_bye, f);
  run_until (closed_reached, &c);
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_TERMINATED);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 0);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 0);
}

/* ---- CANCEL before the answer: 487 ---- */

static gboolean
a_got_180 (Fixture *f)
{
  return count_code (f->a.provisionals, 180) > 0;
}

static void
test_cancel (Fixture       *f,
             gconstpointer  data)
{
  g_autoptr(NetSipRequest) invite = new_invite (&f->a, &f->b);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  Result r = { 0 };
  Count c = { &f->b, 1 };

  f->b.ringing = TRUE;
  f->b.invite_code = 0;   /* rings for ever */
  net_sip_endpoint_invite_async (f->a.endpoint, invite, cancellable, on_delivered, &r);
  run_until (a_got_180, f);
  g_assert_false (r.done);
  /* the early dialog on both sides */
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 1);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 1);
  g_cancellable_cancel (cancellable);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 487);
  g_assert_null (r.dialog);
  g_assert_cmpuint (count_requests (&f->b, "CANCEL"), ==, 1);
  run_until (closed_reached, &c);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 0);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 0);
  g_assert_false (net_sip_endpoint_cancel_invite (f->a.endpoint, invite));
  result_clear (&r);

  /* the same with cancel_invite, B without 180: the CANCEL waits for the
   * 100 (§9.1) */
  {
    g_autoptr(NetSipRequest) again = new_invite (&f->a, &f->b);
    f->b.ringing = FALSE;
    net_sip_endpoint_invite_async (f->a.endpoint, again, NULL, on_delivered, &r);
    g_assert_true (net_sip_endpoint_cancel_invite (f->a.endpoint, again));
    run_until (flag_set, &r.done);
    g_assert_cmpuint (code_of (&r), ==, 487);
    g_assert_cmpuint (count_requests (&f->b, "CANCEL"), ==, 2);
    result_clear (&r);
  }
}

/* ---- automatic answers: 481, 405, OPTIONS ---- */

static NetSipResponse *
send_simple (Fixture    *f,
             const char *method,
             const char *to_suffix)
{
  g_autofree char *from = g_strdup_printf ("<%s>", f->a.uri);
  g_autofree char *to = g_strdup_printf ("<%s>%s", f->b.uri, to_suffix ? to_suffix : "");
  g_autoptr(NetSipRequest) request = net_sip_endpoint_new_request (f->a.endpoint, NULL, method,
                                                                   from, to, f->b.uri, NULL, NULL);
  Result r = { 0 };
  NetSipResponse *response;

  g_assert_nonnull (request);
  net_sip_endpoint_deliver_async (f->a.endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  response = g_steal_pointer (&r.response);
  result_clear (&r);
  return response;
}

static void
test_automatic_answers (Fixture       *f,
                        gconstpointer  data)
{
  static const char *const unhandled[] = { "MESSAGE", "INFO", "SUBSCRIBE", "PUBLISH", "REFER" };
  g_autoptr(NetSipResponse) r481 = NULL;
  g_autoptr(NetSipResponse) options = NULL;

  /* §12.2.2: a To tag of no dialog */
  r481 = send_simple (f, "INFO", ";tag=nosuchdialog");
  g_assert_cmpuint (net_sip_response_get_code (r481), ==, 481);
  /* a BYE too */
  {
    g_autoptr(NetSipResponse) bye = send_simple (f, "BYE", ";tag=nosuchdialog");
    g_assert_cmpuint (net_sip_response_get_code (bye), ==, 481);
  }

  /* §8.2.1: 405 with Allow, never silence */
  for (guint i = 0; i < G_N_ELEMENTS (unhandled); i++)
    {
      g_autoptr(NetSipResponse) response = send_simple (f, unhandled[i], NULL);
      const char *allow;

      g_assert_cmpuint (net_sip_response_get_code (response), ==, 405);
      /* §8.2.6.2: a To tag on the final response */
      g_assert_nonnull (net_sip_message_get_to_tag (NET_SIP_MESSAGE (response)));
      allow = net_sip_message_get_header (NET_SIP_MESSAGE (response), "Allow");
      g_assert_nonnull (allow);
      g_assert_nonnull (strstr (allow, "INVITE"));
      g_assert_nonnull (strstr (allow, "OPTIONS"));
    }
  /* the application saw them first */
  g_assert_cmpuint (count_requests (&f->b, "MESSAGE"), ==, 1);

  /* §11.2: OPTIONS nobody answers */
  options = send_simple (f, "OPTIONS", NULL);
  g_assert_cmpuint (net_sip_response_get_code (options), ==, 200);
  g_assert_nonnull (net_sip_message_get_to_tag (NET_SIP_MESSAGE (options)));
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (options), "Allow"));
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (options), "Accept"), ==,
                   "application/sdp");
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (options), "Supported"));
}

/* the 481 for a CANCEL is seen through A's dispatcher */
static void
on_message_received_count (NetSipDispatcher *dispatcher,
                           NetSipMessage    *message,
                           NetSipLeg        *leg,
                           NetSipSourceInfo *source,
                           GPtrArray        *seen)
{
  g_ptr_array_add (seen, g_object_ref (message));
}

static gboolean
seen_481 (GPtrArray *seen)
{
  for (guint i = 0; i < seen->len; i++)
    {
      NetSipMessage *m = g_ptr_array_index (seen, i);
      if (!net_sip_message_is_request (m) && net_sip_response_get_code (NET_SIP_RESPONSE (m)) == 481)
        return TRUE;
    }
  return FALSE;
}

static void
on_cancel_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->ok = net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &r->response,
                                             &r->error);
  r->done = TRUE;
}

static void
test_cancel_unknown (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipRequest) invite = new_invite (&f->a, &f->b);
  g_autoptr(NetSipRequest) cancel = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_object_unref);
  Result r = { 0 };

  g_signal_connect (f->a.dispatcher, "message-received", G_CALLBACK (on_message_received_count),
                    seen);
  net_sip_leg_add_via (f->a.leg, NET_SIP_MESSAGE (invite));
  cancel = net_sip_request_create_cancel (invite);
  net_sip_dispatcher_deliver_async (f->a.dispatcher, NET_SIP_MESSAGE (cancel), NULL, NULL,
                                    on_cancel_done, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 481);
  g_assert_true (seen_481 (seen));
  result_clear (&r);
}

/* ---- out-of-order CSeq: 500 ---- */

static void
test_cseq_500 (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(NetSipDialog) dialog = set_up_call (f);
  g_autoptr(NetSipRequest) info = NULL;
  g_autoptr(NetSipRequest) old = NULL;
  g_autofree char *cseq = NULL;
  Result r = { 0 };

  f->b.handle_info = TRUE;
  run_until (b_got_ack, f);
  info = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INFO", NULL, NULL, NULL, NULL, NULL);
  net_sip_endpoint_deliver_async (f->a.endpoint, info, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  result_clear (&r);

  /* a request with a CSeq below the last one */
  old = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INFO", NULL, NULL, NULL, NULL, NULL);
  cseq = g_strdup_printf ("%u INFO", net_sip_message_get_cseq_number (NET_SIP_MESSAGE (info)) - 1);
  net_sip_message_set_header (NET_SIP_MESSAGE (old), "CSeq", cseq);
  net_sip_endpoint_deliver_async (f->a.endpoint, old, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 500);
  g_assert_cmpuint (count_requests (&f->b, "INFO"), ==, 1);
  /* the dialog lives on */
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  result_clear (&r);
}

/* ---- BYE ends what is pending in the dialog ---- */

static void
test_bye_ends_pending (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipDialog) dialog = set_up_call (f);
  g_autoptr(NetSipRequest) info = NULL;
  Count c = { &f->a, 1 };
  Result r = { 0 };

  run_until (b_got_ack, f);
  f->b.hold_info = TRUE;
  info = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INFO", NULL, NULL, NULL, NULL, NULL);
  net_sip_endpoint_deliver_async (f->a.endpoint, info, NULL, on_delivered, &r);
  c.side = &f->b;
  c.n = 3;   /* INVITE, ACK, INFO */
  run_until (requests_reached, &c);
  g_assert_false (r.done);

  /* B hangs up: its pending INFO gets 487 (§15.1.2), A's BYE handling
   * cancels A's pending delivery; either way the INFO ends now */
  net_sip_endpoint_close_dialog (f->b.endpoint, f->b.dialog);
  run_until (flag_set, &r.done);
  if (r.error)
    g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED);
  else
    g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 487);
  c.side = &f->a;
  c.n = 1;
  run_until (closed_reached, &c);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->a.endpoint), ==, 0);
  result_clear (&r);
}

/* ---- one INVITE at a time in a dialog: 500 (§14.2) ---- */

static void
test_reinvite_overlap (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipDialog) dialog = set_up_call (f);
  g_autoptr(NetSipRequest) first = NULL;
  g_autoptr(NetSipRequest) second = NULL;
  Result r1 = { 0 }, r2 = { 0 };

  run_until (b_got_ack, f);
  f->b.answer_delay = 600;
  first = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INVITE", NULL, NULL, NULL, NULL, NULL);
  net_sip_endpoint_invite_async (f->a.endpoint, first, NULL, on_delivered, &r1);
  netsip_test_run_for (100);
  second = net_sip_endpoint_new_request (f->a.endpoint, dialog, "INVITE", NULL, NULL, NULL, NULL, NULL);
  net_sip_endpoint_invite_async (f->a.endpoint, second, NULL, on_delivered, &r2);
  run_until (flag_set, &r2.done);
  g_assert_cmpuint (code_of (&r2), ==, 500);
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (r2.response), "Retry-After"));
  g_assert_false (r1.done);
  run_until (flag_set, &r1.done);
  g_assert_cmpuint (code_of (&r1), ==, 200);
  /* the dialog lives on */
  g_assert_cmpint (net_sip_dialog_get_state (dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  result_clear (&r1);
  result_clear (&r2);
}

/* ---- a request the application took and never answered ---- */

static void
test_unanswered (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(NetSipRequest) info = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *from = g_strdup_printf ("<%s>", f->a.uri);
  g_autofree char *to = g_strdup_printf ("<%s>", f->b.uri);
  NetSipRequest *held;
  Count c = { &f->b, 1 };
  Result r = { 0 };

  /* 64*T1 = 3.2 s on both sides */
  g_object_set (f->a.dispatcher, "t1", 50, NULL);
  g_object_set (f->b.dispatcher, "t1", 50, NULL);
  f->b.hold_info = TRUE;
  info = net_sip_endpoint_new_request (f->a.endpoint, NULL, "INFO", from, to, NULL, NULL, NULL);
  net_sip_endpoint_deliver_async (f->a.endpoint, info, NULL, on_delivered, &r);
  run_until (requests_reached, &c);
  held = last_request (&f->b, "INFO");
  run_until (flag_set, &r.done);
  g_assert_error (r.error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT);
  /* B's transaction gave up too: the endpoint forgot the request */
  netsip_test_run_for (500);
  g_assert_false (net_sip_endpoint_respond (f->b.endpoint, NULL, held, 200, NULL, NULL, NULL, &error));
  g_assert_error (error, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_NOT_FOUND);
  result_clear (&r);
}

/* ---- RFC 4475 messages a UAS must answer (accept-app) ---- */

typedef struct
{
  GSocket *socket;
  char    *reply;
} Raw;

static gboolean
raw_reply (Raw *raw)
{
  char buffer[4096];
  gssize n;

  if (raw->reply)
    return TRUE;
  if (!(g_socket_condition_check (raw->socket, G_IO_IN) & G_IO_IN))
    return FALSE;
  n = g_socket_receive (raw->socket, buffer, sizeof buffer - 1, NULL, NULL);
  if (n <= 0)
    return FALSE;
  buffer[n] = '\0';
  /* a 100 Trying first for an INVITE: wait for the final one */
  if (g_str_has_prefix (buffer, "SIP/2.0 100 "))
    return FALSE;
  raw->reply = g_strdup (buffer);
  return TRUE;
}

static void
test_rfc4475 (Fixture       *f,
              gconstpointer  data)
{
  static const struct { const char *name; guint code; guint alt; const char *header; } cases[] = {
    { "unkscm", 416, 0, NULL },
    { "novelsc", 416, 0, NULL },
    { "bext01", 420, 0, "Unsupported: nothingSupportsThis, nothingSupportsThisEither" },
    { "invut", 415, 0, "Accept: application/sdp" },
    { "sdp01", 406, 400, NULL },
    { "intmeth", 501, 0, NULL },
    { "mismatch02", 501, 0, NULL },
    { "insuf", 400, 0, NULL },
    { "multi01", 400, 0, NULL },
    { "mcl01", 400, 0, NULL },
  };
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) dest = g_inet_socket_address_new (lo, net_sip_leg_get_port (f->b.leg));
  Raw raw = { 0 };

  raw.socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (raw.socket, any, FALSE, &error));
  g_socket_set_blocking (raw.socket, FALSE);

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/torture/%s.sip", NETSIP_TEST_CORPUS, cases[i].name);
      g_autofree char *contents = NULL;
      gsize length;
      guint64 code = 0;

      g_assert_true (g_file_get_contents (path, &contents, &length, &error));
      g_assert_no_error (error);
      g_assert_cmpint (g_socket_send_to (raw.socket, dest, contents, length, NULL, &error), ==, length);
      g_assert_no_error (error);
      run_until (raw_reply, &raw);
      g_test_message ("%s: %.40s", cases[i].name, raw.reply);
      g_assert_true (g_str_has_prefix (raw.reply, "SIP/2.0 "));
      g_assert_true (g_ascii_string_to_unsigned (raw.reply + 8, 10, 100, 699, &code, NULL) ||
                     (raw.reply[11] == ' ' && (code = g_ascii_strtoull (raw.reply + 8, NULL, 10))));
      if (code != cases[i].code)
        g_assert_cmpuint (code, ==, cases[i].alt ? cases[i].alt : cases[i].code);
      if (cases[i].header)
        g_assert_nonnull (strstr (raw.reply, cases[i].header));
      g_clear_pointer (&raw.reply, g_free);
    }
  /* the application saw only the valid one with an extension method,
   * and did not take it */
  g_assert_cmpuint (f->b.requests->len, ==, 1);
  g_assert_true (g_str_has_prefix (net_sip_request_get_method (g_ptr_array_index (f->b.requests, 0)),
                                   "!interesting-Method"));
  g_object_unref (raw.socket);
}

/* ---- an RFC 2543 peer: no From tag, no branch ---- */

static gboolean
raw_any_reply (Raw *raw)
{
  char buffer[4096];
  gssize n;

  if (raw->reply)
    return TRUE;
  if (!(g_socket_condition_check (raw->socket, G_IO_IN) & G_IO_IN))
    return FALSE;
  n = g_socket_receive (raw->socket, buffer, sizeof buffer - 1, NULL, NULL);
  if (n <= 0)
    return FALSE;
  buffer[n] = '\0';
  raw->reply = g_strdup (buffer);
  return TRUE;
}

static void
raw_send (Raw            *raw,
          GSocketAddress *dest,
          const char     *text)
{
  g_autoptr(GError) error = NULL;

  g_assert_cmpint (g_socket_send_to (raw->socket, dest, text, strlen (text), NULL, &error), ==,
                   (gssize) strlen (text));
  g_assert_no_error (error);
}

/* the next response whose status line starts with @prefix */
static NetSipMessage *
raw_expect (Raw        *raw,
            const char *prefix)
{
  for (guint i = 0; i < 10; i++)
    {
      g_autoptr(GBytes) bytes = NULL;
      NetSipMessage *m;

      run_until (raw_any_reply, raw);
      if (!g_str_has_prefix (raw->reply, prefix))
        {
          g_clear_pointer (&raw->reply, g_free);
          continue;
        }
      bytes = g_bytes_new_take (raw->reply, strlen (raw->reply));
      raw->reply = NULL;
      m = net_sip_message_parse (bytes, NULL);
      g_assert_nonnull (m);
      return m;
    }
  g_error ("no %s", prefix);
  return NULL;
}

static void
test_rfc2543_peer (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) dest = g_inet_socket_address_new (lo, net_sip_leg_get_port (f->b.leg));
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(NetSipMessage) ok = NULL;
  g_autoptr(NetSipMessage) bye_ok = NULL;
  g_autofree char *invite = NULL;
  g_autofree char *ack = NULL;
  g_autofree char *bye = NULL;
  g_autofree char *to = NULL;
  Count c = { &f->b, 1 };
  guint port;
  Raw raw = { 0 };

  raw.socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (raw.socket, any, FALSE, &error));
  g_socket_set_blocking (raw.socket, FALSE);
  local = g_socket_get_local_address (raw.socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));

  invite = g_strdup_printf ("INVITE %s SIP/2.0\r\n"
                            "Via: SIP/2.0/UDP 127.0.0.1:%u\r\n"
                            "From: <sip:old@127.0.0.1:%u>\r\n"
                            "To: <%s>\r\n"
                            "Call-ID: rfc2543.%08x@127.0.0.1\r\n"
                            "CSeq: 1 INVITE\r\n"
                            "Contact: <sip:old@127.0.0.1:%u>\r\n"
                            "Content-Length: 0\r\n\r\n",
                            f->b.uri, port, port, f->b.uri, g_random_int (), port);
  raw_send (&raw, dest, invite);
  ok = raw_expect (&raw, "SIP/2.0 200 ");
  g_assert_nonnull (net_sip_message_get_to_tag (ok));
  g_assert_null (net_sip_message_get_from_tag (ok));
  g_assert_nonnull (f->b.dialog);
  g_assert_null (net_sip_dialog_get_remote_tag (f->b.dialog));

  /* ACK and BYE with the To tag of the 200; still no From tag, no branch */
  to = g_strdup (net_sip_message_get_header (ok, "To"));
  ack = g_strdup_printf ("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u\r\n"
                         "From: <sip:old@127.0.0.1:%u>\r\nTo: %s\r\nCall-ID: %s\r\n"
                         "CSeq: 1 ACK\r\nContent-Length: 0\r\n\r\n",
                         f->b.uri, port, port, to, net_sip_message_get_call_id (ok));
  raw_send (&raw, dest, ack);
  run_until (b_got_ack, f);
  bye = g_strdup_printf ("BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u\r\n"
                         "From: <sip:old@127.0.0.1:%u>\r\nTo: %s\r\nCall-ID: %s\r\n"
                         "CSeq: 2 BYE\r\nContent-Length: 0\r\n\r\n",
                         f->b.uri, port, port, to, net_sip_message_get_call_id (ok));
  raw_send (&raw, dest, bye);
  bye_ok = raw_expect (&raw, "SIP/2.0 200 ");
  g_assert_cmpstr (net_sip_message_get_cseq_method (bye_ok), ==, "BYE");
  run_until (closed_reached, &c);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (f->b.endpoint), ==, 0);
  g_free (raw.reply);
  g_object_unref (raw.socket);
}

/* ---- a request looping back on another branch: 482 (§8.2.2.2) ---- */

static void
test_merged_request (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) dest = g_inet_socket_address_new (lo, net_sip_leg_get_port (f->b.leg));
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(NetSipMessage) loop = NULL;
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  Count c = { &f->b, 1 };
  guint port, id = g_random_int ();
  Raw raw = { 0 };

  f->b.hold_info = TRUE;
  raw.socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, &error);
  g_assert_no_error (error);
  g_assert_true (g_socket_bind (raw.socket, any, FALSE, &error));
  g_socket_set_blocking (raw.socket, FALSE);
  local = g_socket_get_local_address (raw.socket, &error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
#define MERGED_INFO(branch) \
  g_strdup_printf ("INFO %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bK" branch "%08x\r\n" \
                   "Max-Forwards: 70\r\nFrom: <sip:x@127.0.0.1>;tag=loop1\r\nTo: <%s>\r\n" \
                   "Call-ID: merged.%08x\r\nCSeq: 7 INFO\r\nContent-Length: 0\r\n\r\n", \
                   f->b.uri, port, id, f->b.uri, id)
  first = MERGED_INFO ("first");
  second = MERGED_INFO ("second");
#undef MERGED_INFO
  raw_send (&raw, dest, first);
  run_until (requests_reached, &c);
  raw_send (&raw, dest, second);
  loop = raw_expect (&raw, "SIP/2.0 482 ");
  g_assert_nonnull (strstr (net_sip_message_get_header (loop, "Via"), "z9hG4bKsecond"));
  /* the application saw the first only, and still holds it */
  g_assert_cmpuint (count_requests (&f->b, "INFO"), ==, 1);
  g_assert_true (net_sip_endpoint_respond (f->b.endpoint, NULL, last_request (&f->b, "INFO"), 200,
                                           NULL, NULL, NULL, &error));
  g_assert_no_error (error);
  g_free (raw.reply);
  g_object_unref (raw.socket);
}

/* ---- behind a NetSipAuthorizer: a call whose INVITE and BYE are
 * challenged (SHA-256), ACK passes unchecked (RFC 3261 §22.1) ---- */

static void
test_call_through_authorizer (Fixture       *f,
                              gconstpointer  data)
{
  g_autoptr(NetSipAuthorizer) auth = net_sip_authorizer_new (f->b.dispatcher, "call.test");
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  g_autoptr(GPtrArray) seen = g_ptr_array_new_with_free_func (g_object_unref);
  const char *sha256[] = { "SHA-256", NULL };
  Count c = { &f->b, 1 };
  Result r = { 0 };
  guint n_invites = 0, n_byes = 0;

  net_sip_authorizer_set_password (auth, "alice", "secret");
  net_sip_authorizer_set_algorithms (auth, sha256);
  net_sip_authorizer_set_next (auth, NET_SIP_RECEIVER (f->b.endpoint));
  net_sip_dispatcher_set_receiver (f->b.dispatcher, NET_SIP_RECEIVER (auth));
  g_signal_connect (f->b.dispatcher, "message-received", G_CALLBACK (on_message_received_count), seen);
  net_sip_endpoint_set_credentials (f->a.endpoint, "call.test", "alice", "secret");

  invite = new_invite (&f->a, &f->b);
  net_sip_endpoint_invite_async (f->a.endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  dialog = g_steal_pointer (&r.dialog);
  result_clear (&r);
  run_until (b_got_ack, f);
  /* the endpoint saw only the INVITE with credentials */
  g_assert_cmpuint (count_requests (&f->b, "INVITE"), ==, 1);
  g_assert_nonnull (net_sip_message_get_header (NET_SIP_MESSAGE (last_request (&f->b, "INVITE")),
                                                "Authorization"));

  net_sip_endpoint_close_dialog (f->a.endpoint, dialog);
  run_until (closed_reached, &c);
  g_assert_cmpuint (count_requests (&f->b, "BYE"), ==, 1);
  for (guint i = 0; i < seen->len; i++)
    {
      NetSipMessage *m = g_ptr_array_index (seen, i);
      if (!net_sip_message_is_request (m))
        continue;
      if (strcmp (net_sip_message_get_method (m), "INVITE") == 0)
        n_invites++;
      else if (strcmp (net_sip_message_get_method (m), "BYE") == 0)
        n_byes++;
    }
  /* each challenged once, then sent again with credentials */
  g_assert_cmpuint (n_invites, ==, 2);
  g_assert_cmpuint (n_byes, ==, 2);
  net_sip_dispatcher_set_receiver (f->b.dispatcher, NULL);
}

/* ------------------------------------------------------------------ */
/* Bare receivers: a dispatcher with a receiver that answers by hand   */

typedef struct _Bare Bare;
typedef void (*BareHandler) (Bare *b, NetSipRequest *request, NetSipLeg *leg);

#define TEST_TYPE_BARE (test_bare_get_type ())
G_DECLARE_FINAL_TYPE (TestBare, test_bare, TEST, BARE, GObject)

struct _TestBare
{
  GObject  parent_instance;
  Bare    *bare;
};

struct _Bare
{
  Side         side;       /* leg and dispatcher; no endpoint */
  BareHandler  handler;
  GPtrArray   *requests;
  /* for the handlers */
  NetSipDigestAlgorithm algorithms[2];
  guint        n_algorithms;
  const char  *password;
  guint        n_challenges;
  char        *target;     /* 302/305 Contact */
  guint        code;       /* 302 or 305 */
  guint        n_2xx_repeats;
  NetSipResponse *last_2xx;  /* ok_repeater: the 2xx it sent */
  guint        expires_granted;
  gboolean     proxy;      /* challenger: 407 and Proxy-Authenticate */
  const char  *fixed_nonce; /* challenger: always this nonce */
  GPtrArray   *ncs;        /* challenger: nc of each accepted credential */
  gint64       times[8];   /* registrar: when the REGISTERs came, µs */
  guint        n_times;
};

static void test_bare_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestBare, test_bare, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_bare_iface_init))

static void test_bare_class_init (TestBareClass *klass) { }
static void test_bare_init (TestBare *self) { }

static gboolean
test_bare_receive (NetSipReceiver   *receiver,
                   NetSipMessage    *message,
                   NetSipLeg        *leg,
                   NetSipSourceInfo *source)
{
  Bare *b = TEST_BARE (receiver)->bare;

  if (!net_sip_message_is_request (message))
    return FALSE;
  g_ptr_array_add (b->requests, g_object_ref (message));
  if (strcmp (net_sip_message_get_method (message), "ACK") != 0)
    b->handler (b, NET_SIP_REQUEST (message), leg);
  return TRUE;
}

static void
test_bare_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_bare_receive;
}

static void
bare_init (Bare        *b,
           BareHandler  handler)
{
  g_autoptr(TestBare) receiver = g_object_new (TEST_TYPE_BARE, NULL);

  memset (b, 0, sizeof *b);
  side_init (&b->side, "bare", "udp", FALSE);
  receiver->bare = b;
  b->handler = handler;
  b->requests = g_ptr_array_new_with_free_func (g_object_unref);
  net_sip_dispatcher_set_receiver (b->side.dispatcher, NET_SIP_RECEIVER (receiver));
}

static void
bare_clear (Bare *b)
{
  g_clear_pointer (&b->ncs, g_ptr_array_unref);
  g_clear_object (&b->last_2xx);
  side_clear (&b->side);
  g_clear_pointer (&b->requests, g_ptr_array_unref);
  g_free (b->target);
}

static void
bare_send (Bare           *b,
           NetSipResponse *response)
{
  net_sip_dispatcher_deliver_async (b->side.dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    NULL, NULL);
}

static guint
bare_count (Bare       *b,
            const char *method)
{
  guint n = 0;

  for (guint i = 0; i < b->requests->len; i++)
    if (strcmp (net_sip_message_get_method (g_ptr_array_index (b->requests, i)), method) == 0)
      n++;
  return n;
}

static GBytes *secret_bytes (void)
{
  static const char secret[] = "test-endpoint-secret";
  return g_bytes_new_static (secret, sizeof secret - 1);
}

/* 401 with one challenge per algorithm; credentials checked with the
 * digest module (HA1 from the password) */
static void
challenger (Bare          *b,
            NetSipRequest *request,
            NetSipLeg     *leg)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autoptr(GPtrArray) creds = net_sip_message_get_auth_params (m, b->proxy ? "Proxy-Authorization"
                                                                            : "Authorization", NULL);
  g_autoptr(NetSipResponse) response = NULL;

  if (creds && creds->len > 0)
    {
      NetSipAuthParams *c = g_ptr_array_index (creds, 0);
      NetSipDigestAlgorithm alg = NET_SIP_DIGEST_MD5;
      const char *name = net_sip_auth_params_get_param (c, "algorithm");
      g_autofree char *ha1 = NULL;
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) body = net_sip_message_get_body (m);

      g_assert_true (name == NULL || net_sip_digest_algorithm_from_string (name, &alg));
      g_assert_cmpstr (net_sip_auth_params_get_param (c, "username"), ==, "alice");
      ha1 = net_sip_digest_compute_ha1 (alg, "alice", "test.realm", b->password);
      if (net_sip_digest_check_credentials (c, net_sip_request_get_method (request),
                                            body, ha1, &error))
        {
          if (b->ncs)
            g_ptr_array_add (b->ncs, g_strdup (net_sip_auth_params_get_param (c, "nc")));
          response = net_sip_request_create_response (request, 200, NULL, "bare");
          bare_send (b, response);
          return;
        }
    }
  b->n_challenges++;
  response = net_sip_request_create_response (request, b->proxy ? 407 : 401, NULL, "bare");
  for (guint i = 0; i < b->n_algorithms; i++)
    {
      g_autoptr(GBytes) secret = secret_bytes ();
      g_autofree char *nonce = b->fixed_nonce ? g_strdup (b->fixed_nonce)
                                              : net_sip_digest_nonce_new (secret, g_get_real_time () / G_USEC_PER_SEC);
      g_autofree char *value =
        g_strdup_printf ("Digest realm=\"test.realm\", nonce=\"%s\", algorithm=%s, qop=\"auth\"",
                         nonce, net_sip_digest_algorithm_to_string (b->algorithms[i]));
      net_sip_message_add_header (NET_SIP_MESSAGE (response),
                                  b->proxy ? "Proxy-Authenticate" : "WWW-Authenticate", value);
    }
  bare_send (b, response);
}

typedef struct
{
  Fixture *f;
  Bare     bare;
} BareFixture;

static void
bare_fixture_set_up (BareFixture   *bf,
                     gconstpointer  data)
{
  bf->f = g_new0 (Fixture, 1);
  fixture_set_up (bf->f, NULL);
}

static void
bare_fixture_tear_down (BareFixture   *bf,
                        gconstpointer  data)
{
  fixture_tear_down (bf->f, NULL);
  g_free (bf->f);
  bare_clear (&bf->bare);
}

static NetSipRequest *
request_to_bare (Side       *a,
                 Bare       *b,
                 const char *method)
{
  g_autofree char *from = g_strdup_printf ("<%s>", a->uri);
  g_autofree char *to = g_strdup_printf ("<%s>", b->side.uri);

  return net_sip_endpoint_new_request (a->endpoint, NULL, method, from, to, NULL, NULL, NULL);
}

static void
run_auth (BareFixture           *bf,
          NetSipDigestAlgorithm  expected)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) request = request_to_bare (a, b, "OPTIONS");
  g_autoptr(GPtrArray) creds = NULL;
  NetSipMessage *second;
  NetSipDigestAlgorithm alg;
  Result r = { 0 };

  net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_cmpuint (b->n_challenges, ==, 1);
  g_assert_cmpuint (b->requests->len, ==, 2);
  second = g_ptr_array_index (b->requests, 1);
  /* a new transaction: next CSeq, same Call-ID */
  g_assert_cmpuint (net_sip_message_get_cseq_number (second), ==,
                    net_sip_message_get_cseq_number (NET_SIP_MESSAGE (g_ptr_array_index (b->requests, 0))) + 1);
  creds = net_sip_message_get_auth_params (second, "Authorization", NULL);
  g_assert_cmpuint (creds->len, ==, 1);
  g_assert_true (net_sip_digest_algorithm_from_string (
                   net_sip_auth_params_get_param (g_ptr_array_index (creds, 0), "algorithm"), &alg));
  g_assert_cmpint (alg, ==, expected);
  g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (creds, 0), "nc"), ==,
                   "00000001");
  result_clear (&r);
}

static void
test_auth_md5 (BareFixture   *bf,
               gconstpointer  data)
{
  bare_init (&bf->bare, challenger);
  bf->bare.algorithms[0] = NET_SIP_DIGEST_MD5;
  bf->bare.n_algorithms = 1;
  bf->bare.password = "secret";
  net_sip_endpoint_set_credentials (bf->f->a.endpoint, "test.realm", "alice", "secret");
  run_auth (bf, NET_SIP_DIGEST_MD5);
}

static void
test_auth_sha256 (BareFixture   *bf,
                  gconstpointer  data)
{
  /* SHA-256 and MD5 offered together: the strongest is taken (RFC 8760) */
  bare_init (&bf->bare, challenger);
  bf->bare.algorithms[0] = NET_SIP_DIGEST_MD5;
  bf->bare.algorithms[1] = NET_SIP_DIGEST_SHA256;
  bf->bare.n_algorithms = 2;
  bf->bare.password = "secret";
  net_sip_endpoint_set_credentials (bf->f->a.endpoint, NULL, "alice", "secret");
  run_auth (bf, NET_SIP_DIGEST_SHA256);
}

/* the authenticate signal, answered later */
typedef struct
{
  NetSipEndpoint *endpoint;
  NetSipRequest  *request;
  char           *realm;
  const char     *password;
  guint           n_asked;
  guint           n_retrying;
} AuthAsk;

static gboolean
answer_later (gpointer data)
{
  AuthAsk *ask = data;

  g_assert_true (net_sip_endpoint_authenticate (ask->endpoint, ask->request, ask->realm, "alice",
                                                ask->password));
  g_clear_object (&ask->request);
  g_clear_pointer (&ask->realm, g_free);
  return G_SOURCE_REMOVE;
}

static gboolean
on_authenticate (NetSipEndpoint *endpoint,
                 NetSipDialog   *dialog,
                 NetSipRequest  *request,
                 const char     *realm,
                 gboolean        retrying,
                 AuthAsk        *ask)
{
  g_assert_cmpstr (realm, ==, "test.realm");
  ask->n_asked++;
  if (retrying)
    ask->n_retrying++;
  ask->endpoint = endpoint;
  g_set_object (&ask->request, request);
  g_free (ask->realm);
  ask->realm = g_strdup (realm);
  g_timeout_add (100, answer_later, ask);
  return TRUE;
}

static void
test_auth_signal (BareFixture   *bf,
                  gconstpointer  data)
{
  AuthAsk ask = { 0 };

  bare_init (&bf->bare, challenger);
  bf->bare.algorithms[0] = NET_SIP_DIGEST_SHA256;
  bf->bare.n_algorithms = 1;
  bf->bare.password = "secret";
  ask.password = "secret";
  g_signal_connect (bf->f->a.endpoint, "authenticate", G_CALLBACK (on_authenticate), &ask);
  run_auth (bf, NET_SIP_DIGEST_SHA256);
  g_assert_cmpuint (ask.n_asked, ==, 1);
  g_assert_cmpuint (ask.n_retrying, ==, 0);
}

/* a wrong password: the second 401 ends it, no loop */
static void
test_auth_rejected (BareFixture   *bf,
                    gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) request = NULL;
  g_autoptr(NetSipRequest) request2 = NULL;
  AuthAsk ask = { 0 };
  Result r = { 0 };

  bare_init (b, challenger);
  b->algorithms[0] = NET_SIP_DIGEST_MD5;
  b->n_algorithms = 1;
  b->password = "right";

  /* table: the same credentials again would loop */
  net_sip_endpoint_set_credentials (a->endpoint, "test.realm", "alice", "wrong");
  request = request_to_bare (a, b, "OPTIONS");
  net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_false (r.ok);
  g_assert_error (r.error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_REJECTED);
  g_assert_cmpuint (b->requests->len, ==, 2);
  g_assert_cmpuint (b->n_challenges, ==, 2);
  result_clear (&r);
  /* nothing more comes */
  netsip_test_run_for (3 * TEST_T1);
  g_assert_cmpuint (b->requests->len, ==, 2);

  /* the signal giving the same wrong password twice: asked again with
   * retrying, then the error */
  net_sip_endpoint_set_credentials (a->endpoint, "test.realm", NULL, NULL);
  ask.password = "wrong";
  g_signal_connect (a->endpoint, "authenticate", G_CALLBACK (on_authenticate), &ask);
  request2 = request_to_bare (a, b, "OPTIONS");
  net_sip_endpoint_deliver_async (a->endpoint, request2, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_error (r.error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_REJECTED);
  g_assert_cmpuint (ask.n_asked, ==, 2);
  g_assert_cmpuint (ask.n_retrying, ==, 1);
  g_assert_cmpuint (b->requests->len, ==, 4);
  result_clear (&r);

  /* no credentials at all: the 401 is the result */
  g_signal_handlers_disconnect_by_func (a->endpoint, on_authenticate, &ask);
  {
    g_autoptr(NetSipRequest) request3 = request_to_bare (a, b, "OPTIONS");
    net_sip_endpoint_deliver_async (a->endpoint, request3, NULL, on_delivered, &r);
    run_until (flag_set, &r.done);
    g_assert_cmpuint (code_of (&r), ==, 401);
    result_clear (&r);
  }
  g_clear_object (&ask.request);
  g_free (ask.realm);
}

/* ---- 302 and 305 ---- */

static void
redirector (Bare          *b,
            NetSipRequest *request,
            NetSipLeg     *leg)
{
  g_autoptr(NetSipResponse) response = net_sip_request_create_response (request, b->code, NULL, "bare");
  g_autofree char *contact = g_strdup_printf ("<%s>", b->target);

  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Contact", contact);
  bare_send (b, response);
}

static void
test_redirect (BareFixture   *bf,
               gconstpointer  data)
{
  Side *a = &bf->f->a;
  Side *bob = &bf->f->b;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) request = NULL;
  NetSipRequest *got;
  Result r = { 0 };

  bare_init (b, redirector);
  b->code = GPOINTER_TO_UINT (data);
  b->target = g_strdup (bob->uri);
  request = request_to_bare (a, b, "OPTIONS");
  net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  /* bob's endpoint answers the OPTIONS itself */
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_cmpuint (b->requests->len, ==, 1);
  got = last_request (bob, "OPTIONS");
  g_assert_nonnull (got);
  if (b->code == 302)
    {
      /* the Request-URI from Contact */
      g_assert_cmpstr (net_sip_request_get_uri (got), ==, bob->uri);
      g_assert_null (net_sip_message_get_header (NET_SIP_MESSAGE (got), "Route"));
    }
  else
    {
      /* 305: the Contact is the first route, the Request-URI stays */
      const char *route = net_sip_message_get_header (NET_SIP_MESSAGE (got), "Route");
      g_assert_cmpstr (net_sip_request_get_uri (got), ==, b->side.uri);
      g_assert_nonnull (route);
      g_assert_nonnull (strstr (route, "bob@127.0.0.1"));
      g_assert_nonnull (strstr (route, ";lr"));
    }
  result_clear (&r);

  /* a loop of redirects stops at max-redirects and gives the 3xx */
  g_free (b->target);
  b->target = g_strdup (b->side.uri);
  g_object_set (a->endpoint, "max-redirects", 2, NULL);
  {
    g_autoptr(NetSipRequest) again = request_to_bare (a, b, "OPTIONS");
    guint before = b->requests->len;
    net_sip_endpoint_deliver_async (a->endpoint, again, NULL, on_delivered, &r);
    run_until (flag_set, &r.done);
    g_assert_cmpuint (code_of (&r), ==, b->code);
    g_assert_cmpuint (b->requests->len - before, ==, 3);
    result_clear (&r);
  }
}

/* ---- ACK again for each retransmitted 2xx ---- */

static void
ok_repeater (Bare          *b,
             NetSipRequest *request,
             NetSipLeg     *leg)
{
  g_autoptr(NetSipResponse) response = net_sip_request_create_response (request, 200, NULL, "bare");
  g_autofree char *contact = g_strdup_printf ("<%s>", b->side.uri);

  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Contact", contact);
  /* the first and n more copies, through the server transaction
   * (Accepted, RFC 6026 §8.5) */
  for (guint i = 0; i <= b->n_2xx_repeats; i++)
    bare_send (b, response);
  g_set_object (&b->last_2xx, response);
}

static gboolean
bare_has_acks (Bare *b)
{
  return bare_count (b, "ACK") >= 3;
}

static gboolean
bare_has_4_acks (Bare *b)
{
  return bare_count (b, "ACK") >= 4;
}

static void
test_ack_retransmission (BareFixture   *bf,
                         gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) invite = NULL;
  NetSipMessage *first = NULL;
  Result r = { 0 };

  bare_init (b, ok_repeater);
  b->n_2xx_repeats = 2;
  invite = request_to_bare (a, b, "INVITE");
  net_sip_endpoint_invite_async (a->endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  run_until (bare_has_acks, b);
  netsip_test_run_for (3 * TEST_T1);
  g_assert_cmpuint (bare_count (b, "ACK"), ==, 3);
  /* one more copy of the 2xx, long after the first ACK went out: the
   * endpoint now holds that ACK as bytes only */
  bare_send (b, b->last_2xx);
  run_until (bare_has_4_acks, b);
  netsip_test_run_for (3 * TEST_T1);
  /* one ACK per 2xx, all the same message, byte for byte (built once,
   * §13.2.2.4) */
  g_assert_cmpuint (bare_count (b, "ACK"), ==, 4);
  g_assert_cmpuint (a->n_acks_prepared, ==, 1);
  for (guint i = 0; i < b->requests->len; i++)
    {
      NetSipMessage *m = g_ptr_array_index (b->requests, i);
      if (strcmp (net_sip_message_get_method (m), "ACK") != 0)
        continue;
      g_assert_cmpuint (net_sip_message_get_cseq_number (m), ==,
                        net_sip_message_get_cseq_number (NET_SIP_MESSAGE (invite)));
      g_assert_cmpstr (net_sip_message_get_header (m, "X-Ack-Seen"), ==, "alice");
      if (first == NULL)
        first = m;
      else
        {
          g_autoptr(GBytes) a_bytes = net_sip_message_to_bytes (first);
          g_autoptr(GBytes) b_bytes = net_sip_message_to_bytes (m);

          g_assert_cmpstr (net_sip_via_get_branch (net_sip_message_get_top_via (m, NULL)), ==,
                           net_sip_via_get_branch (net_sip_message_get_top_via (first, NULL)));
          g_assert_true (g_bytes_equal (a_bytes, b_bytes));
        }
    }
  result_clear (&r);
}

/* ---- registration: refresh, unregister ---- */

static void
registrar (Bare          *b,
           NetSipRequest *request,
           NetSipLeg     *leg)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autoptr(NetSipResponse) response = net_sip_request_create_response (request, 200, NULL, "reg");
  gint64 expires = net_sip_message_get_expires (m);
  g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (m, NULL);

  g_assert_cmpstr (net_sip_request_get_method (request), ==, "REGISTER");
  if (b->n_times < G_N_ELEMENTS (b->times))
    b->times[b->n_times++] = g_get_monotonic_time ();
  g_assert_nonnull (contacts);
  g_assert_cmpuint (contacts->len, ==, 1);
  if (expires > 0)
    {
      g_autofree char *value = g_strdup_printf ("<%s>;expires=%u",
                                                net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 0)),
                                                b->expires_granted);
      net_sip_message_add_header (NET_SIP_MESSAGE (response), "Contact", value);
    }
  bare_send (b, response);
}

typedef struct
{
  gboolean  done;
  gboolean  ok;
  guint     granted;
  GError   *error;
} RegResult;

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  RegResult *r = user_data;

  r->ok = net_sip_endpoint_register_finish (NET_SIP_ENDPOINT (source), result, &r->granted, &r->error);
  r->done = TRUE;
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  RegResult *r = user_data;

  r->ok = net_sip_endpoint_unregister_finish (NET_SIP_ENDPOINT (source), result, &r->error);
  r->done = TRUE;
}

static gboolean
three_registers (Bare *b)
{
  return bare_count (b, "REGISTER") >= 3;
}

static void
test_register (BareFixture   *bf,
               gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autofree char *aor = g_strdup_printf ("sip:alice@%s", "test.realm");
  RegResult r = { 0 };
  const char *call_id;

  bare_init (b, registrar);
  b->expires_granted = 2;   /* seconds: refreshed after 1 s */
  net_sip_endpoint_register_async (a->endpoint, b->side.uri, aor, a->uri, 3600, NULL,
                                   on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.granted, ==, 2);
  g_assert_cmpuint (a->registrations->len, ==, 1);
  g_assert_cmpuint (GPOINTER_TO_UINT (g_ptr_array_index (a->registrations, 0)), ==, 200);

  /* two refreshes, about a second apart, before the binding expires */
  run_until (three_registers, b);
  /* each refresh at half the granted 2 s, well before the binding expires */
  for (guint i = 1; i < 3; i++)
    {
      gint64 gap = b->times[i] - b->times[i - 1];
      g_assert_cmpint (gap, >=, 900 * 1000);
      g_assert_cmpint (gap, <, 1800 * 1000);
    }
  netsip_test_run_for (50);
  g_assert_cmpuint (a->registrations->len, ==, 3);
  call_id = net_sip_message_get_call_id (g_ptr_array_index (b->requests, 0));
  for (guint i = 1; i < 3; i++)
    {
      NetSipMessage *m = g_ptr_array_index (b->requests, i);
      NetSipMessage *prev = g_ptr_array_index (b->requests, i - 1);
      /* §10.2: same Call-ID, growing CSeq */
      g_assert_cmpstr (net_sip_message_get_call_id (m), ==, call_id);
      g_assert_cmpuint (net_sip_message_get_cseq_number (m), >, net_sip_message_get_cseq_number (prev));
    }

  /* unregister: Expires 0, no more refreshes */
  memset (&r, 0, sizeof r);
  net_sip_endpoint_unregister_async (a->endpoint, aor, NULL, on_unregistered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (net_sip_message_get_expires (g_ptr_array_index (b->requests, b->requests->len - 1)),
                   ==, 0);
  {
    guint n = b->requests->len;
    netsip_test_run_for (1500);
    g_assert_cmpuint (b->requests->len, ==, n);
  }
  /* unknown AOR */
  memset (&r, 0, sizeof r);
  net_sip_endpoint_unregister_async (a->endpoint, aor, NULL, on_unregistered, &r);
  run_until (flag_set, &r.done);
  g_assert_error (r.error, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_NOT_FOUND);
  g_clear_error (&r.error);
}

/* registration behind digest: the challenger as registrar */
static void
test_register_auth (BareFixture   *bf,
                    gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  RegResult r = { 0 };

  bare_init (b, challenger);
  b->algorithms[0] = NET_SIP_DIGEST_SHA256;
  b->n_algorithms = 1;
  b->password = "secret";
  net_sip_endpoint_set_credentials (a->endpoint, "test.realm", "alice", "secret");
  net_sip_endpoint_register_async (a->endpoint, b->side.uri, "sip:alice@test.realm", NULL, 60, NULL,
                                   on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  /* no Contact expires nor Expires in the 200: what we asked for */
  g_assert_cmpuint (r.granted, ==, 60);
  g_assert_cmpuint (bare_count (b, "REGISTER"), ==, 2);
}

/* 300 and 301 go to the application (the seed: it cannot choose) */
static void
test_redirect_to_app (BareFixture   *bf,
                      gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) request = NULL;
  Result r = { 0 };

  bare_init (b, redirector);
  b->code = GPOINTER_TO_UINT (data);
  b->target = g_strdup (bf->f->b.uri);
  request = request_to_bare (a, b, "OPTIONS");
  net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, b->code);
  g_assert_cmpuint (b->requests->len, ==, 1);
  g_assert_null (last_request (&bf->f->b, "OPTIONS"));
  result_clear (&r);
}

/* ---- forks: an early dialog from one, the 2xx from another ---- */

static void
forker (Bare          *b,
        NetSipRequest *request,
        NetSipLeg     *leg)
{
  g_autoptr(NetSipResponse) ringing = net_sip_request_create_response (request, 180, NULL, "fork1");
  g_autoptr(NetSipResponse) ok = net_sip_request_create_response (request, 200, NULL, "fork2");
  g_autofree char *contact = g_strdup_printf ("<%s>", b->side.uri);

  g_autoptr(NetSipResponse) ringing3 = net_sip_request_create_response (request, 180, NULL, "fork3");

  net_sip_message_add_header (NET_SIP_MESSAGE (ringing), "Contact", contact);
  net_sip_message_add_header (NET_SIP_MESSAGE (ringing3), "Contact", contact);
  net_sip_message_add_header (NET_SIP_MESSAGE (ok), "Contact", contact);
  bare_send (b, ringing);
  bare_send (b, ringing3);
  bare_send (b, ok);
}

static gboolean
a_got_1xx_180 (Side *a)
{
  return count_code (a->provisionals, 180) >= 2;
}

static void
count_early (NetSipEndpoint *endpoint,
             NetSipDialog   *dialog,
             NetSipRequest  *request,
             NetSipResponse *response,
             guint          *n_early)
{
  if (dialog && net_sip_dialog_get_state (dialog) == NET_SIP_DIALOG_EARLY)
    {
      g_assert_cmpstr (net_sip_dialog_get_remote_tag (dialog), ==,
                       net_sip_message_get_to_tag (NET_SIP_MESSAGE (response)));
      (*n_early)++;
    }
}

static void
test_forked_early_dialog (BareFixture   *bf,
                          gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) invite = NULL;
  Result r = { 0 };
  guint n_early = 0;

  bare_init (b, forker);
  g_signal_connect (a->endpoint, "provisional-received", G_CALLBACK (count_early), &n_early);
  invite = request_to_bare (a, b, "INVITE");
  net_sip_endpoint_invite_async (a->endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  run_until (a_got_1xx_180, a);
  /* one early dialog per fork, each named with its 180 */
  g_assert_cmpuint (n_early, ==, 2);
  /* the 2xx's dialog only; fork1's and fork3's early dialogs are gone */
  g_assert_cmpstr (net_sip_dialog_get_remote_tag (r.dialog), ==, "fork2");
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (a->endpoint), ==, 1);
  result_clear (&r);
}

/* Two realms in one 401 (RFC 3261 §22.3: one credential per realm) */
static void
two_realm_challenger (Bare          *b,
                      NetSipRequest *request,
                      NetSipLeg     *leg)
{
  static const char *const realms[] = { "test.realm", "other.realm" };
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autoptr(GPtrArray) creds = net_sip_message_get_auth_params (m, "Authorization", NULL);
  g_autoptr(NetSipResponse) response = NULL;
  guint good = 0;

  for (guint i = 0; creds && i < creds->len; i++)
    {
      NetSipAuthParams *c = g_ptr_array_index (creds, i);
      const char *realm = net_sip_auth_params_get_param (c, "realm");
      g_autofree char *ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "alice", realm,
                                                        strcmp (realm, "test.realm") == 0 ? "one" : "two");
      if (net_sip_digest_check_credentials (c, net_sip_request_get_method (request), NULL, ha1, NULL))
        good++;
    }
  if (good == 2)
    {
      response = net_sip_request_create_response (request, 200, NULL, "bare");
      bare_send (b, response);
      return;
    }
  b->n_challenges++;
  response = net_sip_request_create_response (request, 401, NULL, "bare");
  for (guint i = 0; i < G_N_ELEMENTS (realms); i++)
    {
      g_autofree char *value = g_strdup_printf ("Digest realm=\"%s\", nonce=\"n%u-%u\", qop=\"auth\"",
                                                realms[i], i, g_random_int ());
      net_sip_message_add_header (NET_SIP_MESSAGE (response), "WWW-Authenticate", value);
    }
  bare_send (b, response);
}

static void
test_auth_two_realms (BareFixture   *bf,
                      gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) request = NULL;
  g_autoptr(GPtrArray) creds = NULL;
  Result r = { 0 };

  bare_init (b, two_realm_challenger);
  net_sip_endpoint_set_credentials (a->endpoint, "test.realm", "alice", "one");
  net_sip_endpoint_set_credentials (a->endpoint, "other.realm", "alice", "two");
  request = request_to_bare (a, b, "OPTIONS");
  net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_cmpuint (b->n_challenges, ==, 1);
  creds = net_sip_message_get_auth_params (g_ptr_array_index (b->requests, 1), "Authorization", NULL);
  g_assert_cmpuint (creds->len, ==, 2);
  result_clear (&r);
}

/* register_async cancelled before the registrar answers */
static void
silent (Bare          *b,
        NetSipRequest *request,
        NetSipLeg     *leg)
{
}

static gboolean
cancel_later (gpointer data)
{
  g_cancellable_cancel (data);
  return G_SOURCE_REMOVE;
}

static void
test_register_cancel (BareFixture   *bf,
                      gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  RegResult r = { 0 };
  guint64 before = 0, after = 0;

  bare_init (b, silent);
  net_sip_endpoint_register_async (a->endpoint, b->side.uri, "sip:alice@test.realm", NULL, 60,
                                   cancellable, on_registered, &r);
  g_timeout_add (3 * TEST_T1, cancel_later, cancellable);
  run_until (flag_set, &r.done);
  g_assert_error (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&r.error);
  /* the REGISTER stopped: no more retransmissions reach the registrar
   * (its dispatcher absorbs them, and counts them) */
  g_assert_cmpuint (b->requests->len, ==, 1);
  netsip_test_run_for (TEST_T1);
  g_object_get (b->side.dispatcher, "absorbed-requests", &before, NULL);
  g_assert_cmpuint (before, >=, 1);   /* it was retransmitting */
  netsip_test_run_for (6 * TEST_T1);
  g_object_get (b->side.dispatcher, "absorbed-requests", &after, NULL);
  g_assert_cmpuint (after, ==, before);
  /* and nothing to unregister */
  memset (&r, 0, sizeof r);
  net_sip_endpoint_unregister_async (a->endpoint, "sip:alice@test.realm", NULL, on_unregistered, &r);
  run_until (flag_set, &r.done);
  g_assert_error (r.error, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_NOT_FOUND);
  g_clear_error (&r.error);
}

/* 407 from a proxy (Proxy-Authorization, §22.3), and the nonce count
 * growing for a nonce the server keeps using (RFC 7616 §3.4) */
static void
test_auth_407_nonce_count (BareFixture   *bf,
                           gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;

  bare_init (b, challenger);
  b->algorithms[0] = NET_SIP_DIGEST_SHA256;
  b->n_algorithms = 1;
  b->password = "secret";
  b->proxy = TRUE;
  b->fixed_nonce = "the-same-nonce";
  b->ncs = g_ptr_array_new_with_free_func (g_free);
  net_sip_endpoint_set_credentials (a->endpoint, "test.realm", "alice", "secret");
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr(NetSipRequest) request = request_to_bare (a, b, "OPTIONS");
      Result r = { 0 };

      net_sip_endpoint_deliver_async (a->endpoint, request, NULL, on_delivered, &r);
      run_until (flag_set, &r.done);
      g_assert_cmpuint (code_of (&r), ==, 200);
      result_clear (&r);
    }
  g_assert_cmpuint (b->n_challenges, ==, 3);
  g_assert_cmpuint (b->ncs->len, ==, 3);
  g_assert_cmpstr (g_ptr_array_index (b->ncs, 0), ==, "00000001");
  g_assert_cmpstr (g_ptr_array_index (b->ncs, 1), ==, "00000002");
  g_assert_cmpstr (g_ptr_array_index (b->ncs, 2), ==, "00000003");
}

/* Two forks answer 200: the call goes to the first, the second gets its
 * ACK and a BYE (§13.2.2.4) */
static void
two_answers (Bare          *b,
             NetSipRequest *request,
             NetSipLeg     *leg)
{
  g_autofree char *contact = g_strdup_printf ("<%s>", b->side.uri);

  if (strcmp (net_sip_request_get_method (request), "INVITE") == 0)
    {
      g_autoptr(NetSipResponse) ok2 = net_sip_request_create_response (request, 200, NULL, "fork2");
      g_autoptr(NetSipResponse) ok3 = net_sip_request_create_response (request, 200, NULL, "fork3");
      net_sip_message_add_header (NET_SIP_MESSAGE (ok2), "Contact", contact);
      net_sip_message_add_header (NET_SIP_MESSAGE (ok3), "Contact", contact);
      bare_send (b, ok2);
      bare_send (b, ok3);
      /* fork3's 2xx once more: its ACK again, no second BYE */
      bare_send (b, ok3);
    }
  else
    {
      g_autoptr(NetSipResponse) ok = net_sip_request_create_response (request, 200, NULL, NULL);
      bare_send (b, ok);
    }
}

static gboolean
fork_ended (Bare *b)
{
  return bare_count (b, "BYE") >= 1 && bare_count (b, "ACK") >= 3;
}

static void
test_two_forks_answer (BareFixture   *bf,
                       gconstpointer  data)
{
  Side *a = &bf->f->a;
  Bare *b = &bf->bare;
  g_autoptr(NetSipRequest) invite = NULL;
  guint acks2 = 0, acks3 = 0;
  Result r = { 0 };

  bare_init (b, two_answers);
  invite = request_to_bare (a, b, "INVITE");
  net_sip_endpoint_invite_async (a->endpoint, invite, NULL, on_delivered, &r);
  run_until (flag_set, &r.done);
  g_assert_cmpuint (code_of (&r), ==, 200);
  g_assert_cmpstr (net_sip_dialog_get_remote_tag (r.dialog), ==, "fork2");
  run_until (fork_ended, b);
  netsip_test_run_for (3 * TEST_T1);
  for (guint i = 0; i < b->requests->len; i++)
    {
      NetSipMessage *m = g_ptr_array_index (b->requests, i);
      const char *method = net_sip_message_get_method (m);
      if (strcmp (method, "ACK") == 0)
        {
          if (g_strcmp0 (net_sip_message_get_to_tag (m), "fork2") == 0)
            acks2++;
          else if (g_strcmp0 (net_sip_message_get_to_tag (m), "fork3") == 0)
            acks3++;
        }
      else if (strcmp (method, "BYE") == 0)
        g_assert_cmpstr (net_sip_message_get_to_tag (m), ==, "fork3");
    }
  g_assert_cmpuint (acks2, ==, 1);
  g_assert_cmpuint (acks3, ==, 2);
  g_assert_cmpuint (bare_count (b, "BYE"), ==, 1);
  /* the call itself lives on */
  g_assert_cmpint (net_sip_dialog_get_state (r.dialog), ==, NET_SIP_DIALOG_CONFIRMED);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (a->endpoint), ==, 1);
  result_clear (&r);
}


/* ------------------------------------------------------------------ */
/* A raw caller: a dispatcher without endpoint, INVITEs and ACKs made  */
/* by hand, and the time each response copy arrived                    */

#define RAW_T1 20

typedef struct
{
  Side        raw;         /* no endpoint */
  Side        bob;         /* endpoint, T1 = RAW_T1 */
  GHashTable *oks;         /* Call-ID → GArray of gint64 arrival (µs) of each 200 */
  GHashTable *byes;        /* Call-ID → arrival (µs) of bob's BYE, boxed */
  GHashTable *last_ok;     /* Call-ID → NetSipResponse (the last 200) */
  guint       n_acks;      /* ACKs in bob's request-received */
} RawFixture;

static void
raw_on_message (NetSipDispatcher *dispatcher,
                NetSipMessage    *message,
                NetSipLeg        *leg,
                NetSipSourceInfo *source,
                RawFixture       *rf)
{
  const char *call_id = net_sip_message_get_call_id (message);
  gint64 now = g_get_monotonic_time ();

  if (net_sip_message_is_request (message))
    {
      g_autoptr(NetSipResponse) ok = NULL;

      g_assert_cmpstr (net_sip_message_get_method (message), ==, "BYE");
      g_assert_false (g_hash_table_contains (rf->byes, call_id));
      g_hash_table_insert (rf->byes, g_strdup (call_id), g_memdup2 (&now, sizeof now));
      ok = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, NULL);
      net_sip_dispatcher_deliver_async (dispatcher, NET_SIP_MESSAGE (ok), NULL, NULL, NULL, NULL);
      return;
    }
  if (net_sip_response_get_code (NET_SIP_RESPONSE (message)) == 200 &&
      g_strcmp0 (net_sip_message_get_cseq_method (message), "INVITE") == 0)
    {
      GArray *times = g_hash_table_lookup (rf->oks, call_id);

      if (times == NULL)
        {
          times = g_array_new (FALSE, FALSE, sizeof (gint64));
          g_hash_table_insert (rf->oks, g_strdup (call_id), times);
        }
      g_array_append_val (times, now);
      g_hash_table_insert (rf->last_ok, g_strdup (call_id), g_object_ref (message));
    }
}

static gboolean
raw_count_acks (NetSipEndpoint   *endpoint,
                NetSipDialog     *dialog,
                NetSipRequest    *request,
                NetSipLeg        *leg,
                NetSipSourceInfo *source,
                RawFixture       *rf)
{
  if (strcmp (net_sip_request_get_method (request), "ACK") == 0)
    rf->n_acks++;
  return FALSE;
}

static void
raw_fixture_set_up (RawFixture    *rf,
                    gconstpointer  data)
{
  side_init (&rf->raw, "raw", "udp", FALSE);
  side_init (&rf->bob, "bob", "udp", TRUE);
  g_object_set (rf->bob.dispatcher, "t1", RAW_T1, NULL);
  rf->bob.invite_code = 200;
  rf->oks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                   (GDestroyNotify) g_array_unref);
  rf->byes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  rf->last_ok = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_signal_connect (rf->raw.dispatcher, "message-received", G_CALLBACK (raw_on_message), rf);
  g_signal_connect (rf->bob.endpoint, "request-received", G_CALLBACK (raw_count_acks), rf);
}

static void
raw_fixture_tear_down (RawFixture    *rf,
                       gconstpointer  data)
{
  side_clear (&rf->raw);
  side_clear (&rf->bob);
  g_hash_table_unref (rf->oks);
  g_hash_table_unref (rf->byes);
  g_hash_table_unref (rf->last_ok);
}

static NetSipRequest *
raw_request (RawFixture *rf,
             const char *method,
             const char *call_id,
             const char *to)
{
  NetSipRequest *request = net_sip_request_new (method, rf->bob.uri);
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=raw-%s", rf->raw.uri, call_id);
  g_autofree char *contact = g_strdup_printf ("<%s>", rf->raw.uri);
  g_autofree char *cseq = g_strdup_printf ("1 %s", method);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", cseq);
  net_sip_message_add_header (m, "Contact", contact);
  return request;
}

static void
raw_deliver (RawFixture    *rf,
          NetSipRequest *request)
{
  net_sip_dispatcher_deliver_async (rf->raw.dispatcher, NET_SIP_MESSAGE (request), NULL, NULL,
                                    NULL, NULL);
}

typedef struct
{
  RawFixture *rf;
  guint       n;
} RawWait;

static gboolean
raw_all_byes (RawWait *w)
{
  return g_hash_table_size (w->rf->byes) >= w->n;
}

/* ---- the endpoint's timers: many calls, one source, each on time ---- */

#define MANY_CALLS 60

static void
test_timers_many_calls (RawFixture    *rf,
                        gconstpointer  data)
{
  /* copies of the 2xx at T1, 2T1, 4T1 ... (T2 = 4 s not reached), then
   * the BYE at 64*T1 (§13.3.1.4), all from the first copy */
  static const guint expected_ms[] = { 0, 20, 60, 140, 300, 620, 1260 };
  guint n_late = 0;
  RawWait w = { rf, MANY_CALLS };

  g_object_set (rf->raw.dispatcher, "t1", 2000, NULL);   /* the caller sends no copy */
  for (guint i = 0; i < MANY_CALLS; i++)
    {
      g_autofree char *call_id = g_strdup_printf ("many-%u", i);
      g_autofree char *to = g_strdup_printf ("<%s>", rf->bob.uri);
      g_autoptr(NetSipRequest) invite = raw_request (rf, "INVITE", call_id, to);

      raw_deliver (rf, invite);
      /* spread the calls: timers of all ages in the heap at once */
      netsip_test_run_for (5);
    }
  run_until (raw_all_byes, &w);
  netsip_test_run_for (3 * RAW_T1);

  for (guint i = 0; i < MANY_CALLS; i++)
    {
      g_autofree char *call_id = g_strdup_printf ("many-%u", i);
      GArray *times = g_hash_table_lookup (rf->oks, call_id);
      gint64 *bye = g_hash_table_lookup (rf->byes, call_id);
      gint64 t0;

      g_assert_nonnull (times);
      g_assert_nonnull (bye);
      /* no copy after the end, none missing but the last: it is due
       * 20 ms before the BYE, and on a loaded machine both can fire in
       * one late wakeup, the BYE ending the copies first (counted late) */
      g_assert_cmpuint (times->len, <=, G_N_ELEMENTS (expected_ms));
      g_assert_cmpuint (times->len, >=, G_N_ELEMENTS (expected_ms) - 1);
      if (times->len < G_N_ELEMENTS (expected_ms))
        n_late++;
      t0 = g_array_index (times, gint64, 0);
      for (guint k = 1; k < times->len; k++)
        {
          gint64 at_ms = (g_array_index (times, gint64, k) - t0) / 1000;
          /* never early (1 ms for rounding and the first copy's own
           * delay); late only by what the machine makes it */
          g_assert_cmpint (at_ms, >=, (gint64) expected_ms[k] - 1);
          g_assert_cmpint (at_ms, <=, (gint64) expected_ms[k] + 1000);
          if (at_ms > (gint64) expected_ms[k] + 15)
            n_late++;
        }
      g_assert_cmpint ((*bye - t0) / 1000, >=, 64 * RAW_T1 - 1);
      g_assert_cmpint ((*bye - t0) / 1000, <=, 64 * RAW_T1 + 1000);
    }
  /* late by more than 15 ms: an exception, not the rule (the bounds are
   * loose for a shared, loaded machine) */
  g_test_message ("%u of %u copies more than 15 ms late", n_late,
                  MANY_CALLS * (guint) (G_N_ELEMENTS (expected_ms) - 1));
  g_assert_cmpuint (n_late, <=, MANY_CALLS * (G_N_ELEMENTS (expected_ms) - 1) / 2);
  g_assert_cmpuint (rf->n_acks, ==, 0);
  g_assert_cmpuint (rf->bob.n_closed, ==, MANY_CALLS);
}

/* ---- request-received once per ACK for a 2xx, not for its copies ---- */

static gboolean
raw_has_oks (RawWait *w)
{
  GArray *times = g_hash_table_lookup (w->rf->oks, "ack-once");
  return times && times->len >= w->n;
}

static gboolean
raw_got_ack (RawFixture *rf)
{
  return rf->n_acks > 0;
}

static void
test_ack_once (RawFixture    *rf,
               gconstpointer  data)
{
  g_autofree char *to = g_strdup_printf ("<%s>", rf->bob.uri);
  g_autoptr(NetSipRequest) invite = raw_request (rf, "INVITE", "ack-once", to);
  g_autoptr(NetSipRequest) ack = NULL;
  g_autoptr(NetSipRequest) stray = NULL;
  NetSipResponse *ok;
  g_autofree char *to_tagged = NULL;
  RawWait w = { rf, 3 };
  guint n_oks;

  g_object_set (rf->raw.dispatcher, "t1", 2000, NULL);
  raw_deliver (rf, invite);
  /* the 2xx and two retransmissions: the caller was "slow" */
  run_until (raw_has_oks, &w);
  ok = g_hash_table_lookup (rf->last_ok, "ack-once");
  to_tagged = g_strdup_printf ("<%s>;tag=%s", rf->bob.uri,
                               net_sip_message_get_to_tag (NET_SIP_MESSAGE (ok)));
  ack = raw_request (rf, "ACK", "ack-once", to_tagged);
  /* one ACK per 2xx copy, as a caller sends them (§13.2.2.4): the same
   * message three times */
  for (guint i = 0; i < 3; i++)
    raw_deliver (rf, ack);
  run_until (raw_got_ack, rf);
  netsip_test_run_for (6 * RAW_T1);
  g_assert_cmpuint (rf->n_acks, ==, 1);
  /* the retransmissions stopped */
  n_oks = ((GArray *) g_hash_table_lookup (rf->oks, "ack-once"))->len;
  netsip_test_run_for (20 * RAW_T1);
  g_assert_cmpuint (((GArray *) g_hash_table_lookup (rf->oks, "ack-once"))->len, ==, n_oks);
  /* an ACK in the dialog that answers no 2xx (CSeq 1 was acknowledged):
   * not for the application either */
  stray = raw_request (rf, "ACK", "ack-once", to_tagged);
  raw_deliver (rf, stray);
  netsip_test_run_for (4 * RAW_T1);
  g_assert_cmpuint (rf->n_acks, ==, 1);
  /* the call lives on: no BYE */
  g_assert_cmpuint (g_hash_table_size (rf->byes), ==, 0);
  g_assert_cmpuint (rf->bob.n_closed, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_set_up, func, fixture_tear_down)
#define ADD_BARE(path, data, func) \
  g_test_add (path, BareFixture, data, bare_fixture_set_up, func, bare_fixture_tear_down)

  ADD ("/endpoint/udp/call", "udp", test_call);
  ADD ("/endpoint/tcp/call", "tcp", test_call);
  ADD ("/endpoint/udp/bye-from-callee", "udp", test_bye_from_callee);
  ADD ("/endpoint/tcp/bye-from-callee", "tcp", test_bye_from_callee);
  ADD ("/endpoint/udp/cancel", "udp", test_cancel);
  ADD ("/endpoint/udp/automatic-answers", "udp", test_automatic_answers);
  ADD ("/endpoint/udp/cancel-unknown", "udp", test_cancel_unknown);
  ADD ("/endpoint/udp/cseq-500", "udp", test_cseq_500);
  ADD ("/endpoint/udp/bye-ends-pending", "udp", test_bye_ends_pending);
  ADD ("/endpoint/udp/reinvite-overlap", "udp", test_reinvite_overlap);
  ADD ("/endpoint/udp/unanswered", "udp", test_unanswered);
  ADD ("/endpoint/udp/rfc4475", "udp", test_rfc4475);
  ADD ("/endpoint/udp/rfc2543-peer", "udp", test_rfc2543_peer);
  ADD ("/endpoint/udp/merged-request", "udp", test_merged_request);
  ADD ("/endpoint/udp/call-through-authorizer", "udp", test_call_through_authorizer);
  ADD_BARE ("/endpoint/ack-retransmission", NULL, test_ack_retransmission);
  ADD_BARE ("/endpoint/auth/md5", NULL, test_auth_md5);
  ADD_BARE ("/endpoint/auth/sha256", NULL, test_auth_sha256);
  ADD_BARE ("/endpoint/auth/signal", NULL, test_auth_signal);
  ADD_BARE ("/endpoint/auth/rejected", NULL, test_auth_rejected);
  ADD_BARE ("/endpoint/auth/two-realms", NULL, test_auth_two_realms);
  ADD_BARE ("/endpoint/auth/407-nonce-count", NULL, test_auth_407_nonce_count);
  ADD_BARE ("/endpoint/redirect/302", GUINT_TO_POINTER (302), test_redirect);
  ADD_BARE ("/endpoint/redirect/305", GUINT_TO_POINTER (305), test_redirect);
  ADD_BARE ("/endpoint/redirect/300", GUINT_TO_POINTER (300), test_redirect_to_app);
  ADD_BARE ("/endpoint/redirect/301", GUINT_TO_POINTER (301), test_redirect_to_app);
  ADD_BARE ("/endpoint/forked-early-dialog", NULL, test_forked_early_dialog);
  ADD_BARE ("/endpoint/two-forks-answer", NULL, test_two_forks_answer);
  ADD_BARE ("/endpoint/register", NULL, test_register);
  ADD_BARE ("/endpoint/register-auth", NULL, test_register_auth);
  ADD_BARE ("/endpoint/register-cancel", NULL, test_register_cancel);
  g_test_add ("/endpoint/timers-many-calls", RawFixture, NULL, raw_fixture_set_up,
              test_timers_many_calls, raw_fixture_tear_down);
  g_test_add ("/endpoint/ack-once", RawFixture, NULL, raw_fixture_set_up, test_ack_once,
              raw_fixture_tear_down);

  return g_test_run ();
}
