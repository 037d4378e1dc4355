/* test-dispatcher-perl.c: a NetSipDispatcher UAS against a real UAC, Perl
 * Net::SIP (libnet-sip-perl), over UDP loopback
 *
 * /interop/dispatcher-perl/slow-uas: the UAS is a NetSipDispatcher whose
 * NetSipReceiver (a GObject implementing the interface, below) answers
 * 200 only ANSWER_DELAY_S after the request came, from a timer added with
 * net_sip_dispatcher_add_timer(). tests/interop/dispatcher-uac.pl sends an
 * OPTIONS with Net::SIP::Dispatcher, which retransmits it on its own while
 * the UAS is silent; once the 200 is there, the script sends the same
 * request (same Via branch) once more and must get the cached 200 again.
 *
 * Checked:
 *   - the Perl side sent the request at least twice before the answer
 *     (its own retransmissions: "RESPONSE 200 <tag> <sends>") and exits 0
 *     after "CACHED 200 <tag>" with the same To tag;
 *   - the UAS leg received as many copies of the request as the Perl side
 *     reports sends; the receiver saw exactly one; the dispatcher absorbed
 *     the rest (absorbed-requests = copies - 1);
 *   - the UAS sent the 200 once (attempt 0) and again from its cache
 *     (message-sent attempt >= 1) for the copy that came after it;
 *   - the server transaction is in Completed after the answer.
 *
 * /interop/dispatcher-perl/invite-486: the same with an INVITE that the
 * receiver answers with 486 after ANSWER_DELAY_S. The script then counts
 * the copies of the 486 that the server INVITE transaction retransmits
 * (Timer G) for 1.2 s, sends the ACK (with the INVITE's Via branch), and
 * checks for 2.5 s that no copy comes after it. Checked on our side:
 * the 100 Trying the server transaction sends (the receiver is slower than
 * 200 ms) reached the script as often as it was sent;
 * Net::SIP retransmitted the INVITE; the receiver saw it once and no ACK;
 * the ACK was absorbed (absorbed-acks = 1); the 486 went out as often as
 * the script received it; each later send of the 486 either answers an
 * INVITE copy that just came in (cache) or is on the Timer G schedule (T1,
 * then doubling up to T2, ±50 ms), and there is at least one of those;
 * the server transaction is Confirmed and never failed (no Timer H).
 *
 * The Perl peer is a child process (GSubprocess, PR_SET_PDEATHSIG),
 * bounded by its own --timeout and by ours, ended by its PID in every
 * case. Skips only when perl or Net::SIP is missing (CI installs
 * libnet-sip-perl).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "child-process.h"

#include <string.h>
#ifdef __linux__
#include <signal.h>
#endif

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

#define ANSWER_DELAY_S 2.0
#define PEER_TIMEOUT_S 20
#define TEST_TIMEOUT_S 30

/* ------------------------------------------------------------------ */
/* a slow UAS: a NetSipReceiver that answers after a delay */

#define TEST_TYPE_SLOW_UAS (test_slow_uas_get_type ())
G_DECLARE_FINAL_TYPE (TestSlowUas, test_slow_uas, TEST, SLOW_UAS, GObject)

struct _TestSlowUas
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;     /* not owned */
  double            delay_s;
  guint             code;           /* the answer */
  GPtrArray        *requests;       /* NetSipMessage seen by receive() */
  guint             n_acks;
  guint             n_answers_sent;
  guint             n_answer_errors;
  gint64            answered_us;    /* when the 200 went out, 0 before */
};

static void test_slow_uas_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestSlowUas, test_slow_uas, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      test_slow_uas_receiver_init))

typedef struct
{
  TestSlowUas   *uas;
  NetSipMessage *request;
} Pending;

static void
pending_free (gpointer p)
{
  Pending *pending = p;

  g_object_unref (pending->uas);
  g_object_unref (pending->request);
  g_free (pending);
}

static void
answer_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  TestSlowUas *uas = user_data;
  g_autoptr(GError) error = NULL;

  if (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    uas->n_answers_sent++;
  else
    {
      g_test_message ("UAS: sending the 200: %s", error->message);
      uas->n_answer_errors++;
    }
  g_object_unref (uas);
}

static gboolean
answer_cb (NetSipDispatcher *dispatcher,
           gpointer          user_data)
{
  Pending *pending = user_data;
  g_autoptr(NetSipResponse) response =
    net_sip_request_create_response (NET_SIP_REQUEST (pending->request), pending->uas->code,
                                     NULL, "slow-uas");

  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Allow",
                              "INVITE, ACK, CANCEL, OPTIONS, BYE");
  pending->uas->answered_us = g_get_monotonic_time ();
  g_test_message ("UAS: answering %u after %.1f s", pending->uas->code, pending->uas->delay_s);
  net_sip_dispatcher_deliver_async (dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    answer_sent_cb, g_object_ref (pending->uas));
  return G_SOURCE_REMOVE;
}

static gboolean
test_slow_uas_receive (NetSipReceiver   *receiver,
                       NetSipMessage    *message,
                       NetSipLeg        *leg,
                       NetSipSourceInfo *source)
{
  TestSlowUas *self = TEST_SLOW_UAS (receiver);
  Pending *pending;

  if (!net_sip_message_is_request (message))
    return FALSE;
  if (strcmp (net_sip_message_get_method (message), "ACK") == 0)
    {
      self->n_acks++;
      return TRUE;
    }
  g_ptr_array_add (self->requests, g_object_ref (message));
  pending = g_new0 (Pending, 1);
  pending->uas = g_object_ref (self);
  pending->request = g_object_ref (message);
  net_sip_dispatcher_add_timer (self->dispatcher, self->delay_s, 0, answer_cb, pending,
                                pending_free);
  return TRUE;
}

static void
test_slow_uas_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_slow_uas_receive;
}

static void
test_slow_uas_finalize (GObject *object)
{
  TestSlowUas *self = TEST_SLOW_UAS (object);

  g_ptr_array_unref (self->requests);
  G_OBJECT_CLASS (test_slow_uas_parent_class)->finalize (object);
}

static void
test_slow_uas_class_init (TestSlowUasClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_slow_uas_finalize;
}

static void
test_slow_uas_init (TestSlowUas *self)
{
  self->requests = g_ptr_array_new_with_free_func (g_object_unref);
}

/* ------------------------------------------------------------------ */

static char *perl_path;
static char *perl_missing;

typedef struct
{
  const char *method;
  guint    n_leg_requests;   /* copies of the request at the UAS leg */
  guint    n_leg_acks;       /* ACKs at the UAS leg */
  guint    n_response_sends; /* message-sent of the final answer */
  guint    n_provisional_sends; /* message-sent of 1xx (100 Trying) */
  guint    max_response_attempt;
  GArray  *response_sent_us; /* gint64: each send of the answer */
  GArray  *request_in_us;    /* gint64: each copy of the request at the leg */
  guint    n_failed;         /* delivery-failed on the UAS */
  NetSipTransaction *server_tx;
} Counts;

static void
leg_message_received (NetSipLeg        *leg,
                      NetSipMessage    *message,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Counts *c = user_data;

  if (!net_sip_message_is_request (message))
    return;
  if (strcmp (net_sip_message_get_method (message), c->method) == 0)
    {
      gint64 now = g_get_monotonic_time ();
      c->n_leg_requests++;
      g_array_append_val (c->request_in_us, now);
    }
  else if (strcmp (net_sip_message_get_method (message), "ACK") == 0)
    c->n_leg_acks++;
}

static void
uas_message_sent (NetSipDispatcher   *dispatcher,
                  NetSipMessage      *message,
                  NetSipLeg          *leg,
                  GInetSocketAddress *destination,
                  NetSipTransaction  *transaction,
                  guint               attempt,
                  gint64              time_us,
                  gpointer            user_data)
{
  Counts *c = user_data;

  if (net_sip_message_is_request (message))
    return;
  {
    g_autofree char *to = g_inet_address_to_string (g_inet_socket_address_get_address (destination));
    g_test_message ("UAS sends %u %s (attempt %u, transaction %s) to %s:%u",
                    net_sip_response_get_code (NET_SIP_RESPONSE (message)),
                    net_sip_message_get_cseq_method (message), attempt,
                    transaction ? net_sip_transaction_get_key (transaction) : "none", to,
                    g_inet_socket_address_get_port (destination));
  }
  if (net_sip_response_get_code (NET_SIP_RESPONSE (message)) < 200)
    {
      c->n_provisional_sends++;
      return;
    }
  g_array_append_val (c->response_sent_us, time_us);
  c->n_response_sends++;
  c->max_response_attempt = MAX (c->max_response_attempt, attempt);
  if (transaction)
    g_set_object (&c->server_tx, transaction);
}

static void
uas_delivery_failed (NetSipDispatcher *dispatcher,
                     const char       *id,
                     const GError     *error,
                     gpointer          user_data)
{
  Counts *c = user_data;

  g_test_message ("UAS: delivery-failed %s: %s", id, error->message);
  c->n_failed++;
}

/* the words of the first line that starts with @prefix, or NULL */
static char **
find_line (char      **lines,
           const char *prefix)
{
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strsplit (lines[i], " ", -1);
  return NULL;
}

typedef struct
{
  NetSipLeg        *leg;
  NetSipDispatcher *dispatcher;
  TestSlowUas      *uas;
  char             *out;
  char            **lines;
  guint             n_send_lines;   /* SEND lines: the script's sends */
  guint             n_provisional_lines; /* PROVISIONAL lines */
  Counts            c;
} Run;

/* Runs dispatcher-uac.pl --method @method against a slow UAS answering
 * @code; returns FALSE (test skipped) if Perl is missing. */
static gboolean
run_peer (Run        *run,
          const char *method,
          guint       code)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *script = NULL;
  g_autofree char *target = NULL;
  g_autofree char *timeout_arg = g_strdup_printf ("%d", PEER_TIMEOUT_S);
  int status;

  if (perl_missing)
    {
      g_test_skip (perl_missing);
      return FALSE;
    }
  run->c.method = method;
  run->c.response_sent_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->c.request_in_us = g_array_new (FALSE, FALSE, sizeof (gint64));
  run->leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  run->dispatcher = net_sip_dispatcher_new (&run->leg, 1);
  run->uas = g_object_new (TEST_TYPE_SLOW_UAS, NULL);
  run->uas->dispatcher = run->dispatcher;
  run->uas->delay_s = ANSWER_DELAY_S;
  run->uas->code = code;
  net_sip_dispatcher_set_receiver (run->dispatcher, NET_SIP_RECEIVER (run->uas));
  g_signal_connect (run->leg, "message-received", G_CALLBACK (leg_message_received), &run->c);
  g_signal_connect (run->dispatcher, "message-sent", G_CALLBACK (uas_message_sent), &run->c);
  g_signal_connect (run->dispatcher, "delivery-failed", G_CALLBACK (uas_delivery_failed),
                    &run->c);

  script = g_build_filename (NETSIP_INTEROP_DIR, "dispatcher-uac.pl", NULL);
  target = g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (run->leg));
  {
    const char *argv[] = { perl_path, script, "--target", target, "--method", method,
                           "--timeout", timeout_arg, NULL };

    /* the UAS runs on this loop while the peer works; bounded, then the
     * peer is ended by its PID */
    status = netsip_test_child_run ("dispatcher-uac.pl", NULL, argv, TEST_TIMEOUT_S, &run->out);
  }
  run->lines = g_strsplit (run->out, "\n", -1);
  for (guint i = 0; run->lines[i]; i++)
    {
      if (g_str_has_prefix (run->lines[i], "SEND "))
        run->n_send_lines++;
      if (g_str_has_prefix (run->lines[i], "PROVISIONAL "))
        run->n_provisional_lines++;
    }
  g_assert_cmpint (status, ==, 0);
  return TRUE;
}

static void
run_clear (Run *run)
{
  if (run->leg)
    g_signal_handlers_disconnect_by_data (run->leg, &run->c);
  if (run->dispatcher)
    {
      g_signal_handlers_disconnect_by_data (run->dispatcher, &run->c);
      net_sip_dispatcher_set_receiver (run->dispatcher, NULL);
    }
  g_clear_object (&run->c.server_tx);
  g_clear_pointer (&run->c.response_sent_us, g_array_unref);
  g_clear_pointer (&run->c.request_in_us, g_array_unref);
  g_clear_object (&run->dispatcher);
  g_clear_object (&run->leg);
  g_clear_object (&run->uas);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->lines, g_strfreev);
}

static void
test_slow_uas (void)
{
  Run run = { 0 };
  g_auto(GStrv) response = NULL;
  g_auto(GStrv) cached = NULL;
  guint64 absorbed = 0, sends_before_answer;

  if (!run_peer (&run, "OPTIONS", 200))
    return;

  /* RESPONSE 200 <tag> <sends before it> */
  response = find_line (run.lines, "RESPONSE ");
  g_assert_nonnull (response);
  g_assert_cmpuint (g_strv_length (response), ==, 4);
  g_assert_cmpstr (response[1], ==, "200");
  g_assert_cmpstr (response[2], ==, "slow-uas");
  sends_before_answer = g_ascii_strtoull (response[3], NULL, 10);
  /* Net::SIP retransmitted while the UAS took 2 s */
  g_assert_cmpuint (sends_before_answer, >=, 2);
  /* CACHED 200 <same tag> after RESEND */
  g_assert_nonnull (strstr (run.out, "\nRESEND\n"));
  cached = find_line (run.lines, "CACHED ");
  g_assert_nonnull (cached);
  g_assert_cmpstr (cached[1], ==, "200");
  g_assert_cmpstr (cached[2], ==, "slow-uas");

  /* the UAS side: every copy arrived, the receiver saw one */
  g_assert_cmpuint (run.c.n_leg_requests, ==, run.n_send_lines);
  g_assert_cmpuint (run.c.n_leg_requests, >, sends_before_answer);
  g_assert_cmpuint (run.uas->requests->len, ==, 1);
  g_assert_cmpuint (run.uas->n_acks, ==, 0);
  g_assert_cmpuint (run.uas->n_answer_errors, ==, 0);
  g_assert_cmpuint (run.uas->n_answers_sent, ==, 1);
  g_object_get (run.dispatcher, "absorbed-requests", &absorbed, NULL);
  g_assert_cmpuint (absorbed, ==, run.c.n_leg_requests - 1);
  /* the 200 went out once from the receiver and again from the cache */
  g_assert_cmpuint (run.c.n_response_sends, >=, 2);
  g_assert_cmpuint (run.c.max_response_attempt, >=, 1);
  g_assert_cmpuint (run.c.n_failed, ==, 0);
  g_assert_nonnull (run.c.server_tx);
  g_assert_cmpint (net_sip_transaction_get_kind (run.c.server_tx), ==,
                   NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE);
  g_assert_cmpint (net_sip_transaction_get_state (run.c.server_tx), ==,
                   NET_SIP_TRANSACTION_STATE_COMPLETED);
  g_assert_cmpuint (net_sip_response_get_code (net_sip_transaction_get_last_response (run.c.server_tx)),
                    ==, 200);
  run_clear (&run);
}

static void
test_invite_486 (void)
{
  Run run = { 0 };
  g_auto(GStrv) response = NULL;
  g_auto(GStrv) ack = NULL;
  g_auto(GStrv) after = NULL;
  guint64 absorbed = 0, absorbed_acks = 0, sends_before_answer, copies;
  guint t1 = 0, t2 = 0, n_timer_g = 0, n_cache = 0;
  gint64 first, next_g, interval;
  guint used = 0;

  if (!run_peer (&run, "INVITE", 486))
    return;
  g_object_get (run.dispatcher, "t1", &t1, "t2", &t2, NULL);

  response = find_line (run.lines, "RESPONSE ");
  g_assert_nonnull (response);
  g_assert_cmpuint (g_strv_length (response), ==, 4);
  g_assert_cmpstr (response[1], ==, "486");
  g_assert_cmpstr (response[2], ==, "slow-uas");
  sends_before_answer = g_ascii_strtoull (response[3], NULL, 10);
  g_assert_cmpuint (sends_before_answer, >=, 2);
  ack = find_line (run.lines, "ACK ");
  g_assert_nonnull (ack);
  copies = g_ascii_strtoull (ack[1], NULL, 10);
  /* Timer G: T1 after the 486, before the ACK at 1.2 s */
  g_assert_cmpuint (copies, >=, 1);
  after = find_line (run.lines, "AFTER-ACK ");
  g_assert_nonnull (after);
  g_assert_cmpstr (after[1], ==, "0");

  /* our side */
  g_assert_cmpuint (run.c.n_leg_requests, ==, run.n_send_lines);
  g_assert_cmpuint (run.uas->requests->len, ==, 1);
  g_assert_cmpuint (run.uas->n_acks, ==, 0);
  g_assert_cmpuint (run.c.n_leg_acks, ==, 1);
  g_object_get (run.dispatcher, "absorbed-requests", &absorbed, "absorbed-acks", &absorbed_acks,
                NULL);
  g_assert_cmpuint (absorbed, ==, run.c.n_leg_requests - 1);
  g_assert_cmpuint (absorbed_acks, ==, 1);
  /* every 486 we sent reached the script: the first and its copies */
  g_assert_cmpuint (run.c.n_response_sends, ==, 1 + copies);
  /* RFC 3261 §17.2.1: the receiver took 2 s, so the server transaction
   * sent 100 Trying (again for each INVITE copy in Proceeding), and the
   * script got each */
  g_assert_cmpuint (run.c.n_provisional_sends, >=, 1);
  g_assert_cmpuint (run.n_provisional_lines, ==, run.c.n_provisional_sends);
  {
    g_auto(GStrv) provisional = find_line (run.lines, "PROVISIONAL ");
    g_assert_nonnull (provisional);
    g_assert_cmpstr (provisional[1], ==, "100");
  }
  /* Each later send of the 486 is either the cache answering an INVITE
   * retransmission that just came in (Net::SIP may have sent one before
   * the 486 reached it) or Timer G: T1, then doubling up to T2, after the
   * first send (RFC 3261 §17.2.1). */
  first = g_array_index (run.c.response_sent_us, gint64, 0);
  next_g = first + (gint64) t1 * 1000;
  interval = (gint64) t1 * 1000;
  for (guint i = 1; i < run.c.response_sent_us->len; i++)
    {
      gint64 sent = g_array_index (run.c.response_sent_us, gint64, i);
      gboolean cache = FALSE;

      /* on the Timer G schedule (±50 ms): a retransmission by the timer */
      if (ABS (sent - next_g) <= 50 * 1000)
        {
          g_test_message ("Timer G: 486 sent again %" G_GINT64_FORMAT " ms after the first, "
                          "expected at %" G_GINT64_FORMAT " ms", (sent - first) / 1000,
                          (next_g - first) / 1000);
          n_timer_g++;
          interval = MIN (interval * 2, (gint64) t2 * 1000);
          next_g += interval;
          continue;
        }
      /* otherwise it must answer an INVITE retransmission that came in
       * shortly before (the bound allows for a loaded machine: make check
       * runs other suites at the same time) */
      for (; used < run.c.request_in_us->len; used++)
        {
          gint64 in = g_array_index (run.c.request_in_us, gint64, used);
          /* the INVITE's arrival is stamped when it is passed up, which
           * may be just after the cache already answered it */
          if (in > sent + 20 * 1000)
            break;
          /* also one that arrived just before the first 486 went out
           * but was handled just after it: it gets the 486 at once */
          if (sent - in <= 200 * 1000 && in - sent <= 20 * 1000)
            {
              cache = TRUE;
              used++;
              break;
            }
        }
      if (!cache)
        {
          g_autoptr(GString) times = g_string_new ("INVITEs in at (ms from the first 486):");
          for (guint k = 0; k < run.c.request_in_us->len; k++)
            g_string_append_printf (times, " %" G_GINT64_FORMAT,
                                    (g_array_index (run.c.request_in_us, gint64, k) - first) / 1000);
          g_string_append (times, "; 486 out at:");
          for (guint k = 0; k < run.c.response_sent_us->len; k++)
            g_string_append_printf (times, " %" G_GINT64_FORMAT,
                                    (g_array_index (run.c.response_sent_us, gint64, k) - first) / 1000);
          g_error ("the 486 went out %" G_GINT64_FORMAT " ms after the first: neither Timer G "
                   "(expected at %" G_GINT64_FORMAT " ms) nor an answer to a retransmitted INVITE (%s)",
                   (sent - first) / 1000, (next_g - first) / 1000, times->str);
        }
      n_cache++;
    }
  g_test_message ("486 sends: 1 + %u by Timer G + %u from the cache", n_timer_g, n_cache);
  g_assert_cmpuint (n_timer_g, >=, 1);
  g_assert_nonnull (run.c.server_tx);
  g_assert_cmpint (net_sip_transaction_get_kind (run.c.server_tx), ==,
                   NET_SIP_TRANSACTION_KIND_SERVER_INVITE);
  /* ACK absorbed 2.5 s ago; Timer I (T4 = 5 s over UDP) still runs */
  g_assert_cmpint (net_sip_transaction_get_state (run.c.server_tx), ==,
                   NET_SIP_TRANSACTION_STATE_CONFIRMED);
  /* no Timer H */
  g_assert_cmpuint (run.c.n_failed, ==, 0);
  run_clear (&run);
}

static void
find_perl (void)
{
  g_autofree char *out = NULL;
  gint status = 0;
  const char *check[] = { NULL, "-MNet::SIP", "-e", "1", NULL };

  perl_path = g_find_program_in_path ("perl");
  if (perl_path == NULL)
    {
      perl_missing = g_strdup ("perl not found (install perl and libnet-sip-perl)");
      return;
    }
  check[0] = perl_path;
  if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                     &out, NULL, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    perl_missing = g_strdup ("Perl module Net::SIP not found (install libnet-sip-perl)");
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  find_perl ();
  g_test_add_func ("/interop/dispatcher-perl/slow-uas", test_slow_uas);
  g_test_add_func ("/interop/dispatcher-perl/invite-486", test_invite_486);
  ret = g_test_run ();
  g_free (perl_path);
  g_free (perl_missing);
  return ret;
}
