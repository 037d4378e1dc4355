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
 * The Perl peer is a child process (GSubprocess, PR_SET_PDEATHSIG),
 * bounded by its own --timeout and by ours, ended by its PID in every
 * case. Skips only when perl or Net::SIP is missing (CI installs
 * libnet-sip-perl).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

#include <string.h>
#ifdef __linux__
#include <signal.h>
#include <sys/prctl.h>
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
    net_sip_request_create_response (NET_SIP_REQUEST (pending->request), 200, NULL,
                                     "slow-uas");

  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Allow",
                              "INVITE, ACK, CANCEL, OPTIONS, BYE");
  pending->uas->answered_us = g_get_monotonic_time ();
  g_test_message ("UAS: answering 200 after %.1f s", pending->uas->delay_s);
  net_sip_dispatcher_deliver_async (dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    answer_sent_cb, g_object_ref (pending->uas));
  return G_SOURCE_REMOVE;
}

static void
test_slow_uas_receive (NetSipReceiver   *receiver,
                       NetSipMessage    *message,
                       NetSipLeg        *leg,
                       NetSipSourceInfo *source)
{
  TestSlowUas *self = TEST_SLOW_UAS (receiver);
  Pending *pending;

  if (!net_sip_message_is_request (message))
    return;
  if (strcmp (net_sip_message_get_method (message), "ACK") == 0)
    {
      self->n_acks++;
      return;
    }
  g_ptr_array_add (self->requests, g_object_ref (message));
  pending = g_new0 (Pending, 1);
  pending->uas = g_object_ref (self);
  pending->request = g_object_ref (message);
  net_sip_dispatcher_add_timer (self->dispatcher, self->delay_s, 0, answer_cb, pending,
                                pending_free);
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
  gboolean  done;
  GBytes   *out;
  GError   *error;
} PeerResult;

typedef struct
{
  guint    n_leg_requests;   /* copies of the request at the UAS leg */
  guint    n_response_sends; /* message-sent of the 200 */
  guint    max_response_attempt;
  NetSipTransaction *server_tx;
  gboolean timed_out;
} Counts;

#ifdef __linux__
static void
child_setup (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}
#endif

static void
peer_done_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  PeerResult *r = user_data;

  g_subprocess_communicate_finish (G_SUBPROCESS (source), result, &r->out, NULL, &r->error);
  r->done = TRUE;
}

static gboolean
timeout_cb (gpointer user_data)
{
  Counts *c = user_data;

  c->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
leg_message_received (NetSipLeg        *leg,
                      NetSipMessage    *message,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Counts *c = user_data;

  if (net_sip_message_is_request (message)
      && strcmp (net_sip_message_get_method (message), "OPTIONS") == 0)
    c->n_leg_requests++;
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
  c->n_response_sends++;
  c->max_response_attempt = MAX (c->max_response_attempt, attempt);
  if (transaction)
    g_set_object (&c->server_tx, transaction);
}

/* the value after "PREFIX " on the line that starts with it, or NULL */
static char **
find_line (char      **lines,
           const char *prefix)
{
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      return g_strsplit (lines[i], " ", -1);
  return NULL;
}

static void
test_slow_uas (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLeg) leg = NULL;
  g_autoptr(NetSipDispatcher) dispatcher = NULL;
  g_autoptr(TestSlowUas) uas = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) peer = NULL;
  g_autofree char *script = NULL;
  g_autofree char *target = NULL;
  g_autofree char *timeout_arg = g_strdup_printf ("%d", PEER_TIMEOUT_S);
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;
  g_auto(GStrv) response = NULL;
  g_auto(GStrv) cached = NULL;
  PeerResult r = { 0 };
  Counts c = { 0 };
  guint timeout_id;
  guint64 absorbed = 0, sends_before_answer;
  guint n_send_lines = 0;
  gsize out_len = 0;
  const char *out_data;

  if (perl_missing)
    {
      g_test_skip (perl_missing);
      return;
    }

  leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  dispatcher = net_sip_dispatcher_new (&leg, 1);
  uas = g_object_new (TEST_TYPE_SLOW_UAS, NULL);
  uas->dispatcher = dispatcher;
  uas->delay_s = ANSWER_DELAY_S;
  net_sip_dispatcher_set_receiver (dispatcher, NET_SIP_RECEIVER (uas));
  g_signal_connect (leg, "message-received", G_CALLBACK (leg_message_received), &c);
  g_signal_connect (dispatcher, "message-sent", G_CALLBACK (uas_message_sent), &c);

  script = g_build_filename (NETSIP_INTEROP_DIR, "dispatcher-uac.pl", NULL);
  target = g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (leg));
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
#ifdef __linux__
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
#endif
  g_test_message ("starting %s %s --target %s --timeout %s", perl_path, script, target,
                  timeout_arg);
  peer = g_subprocess_launcher_spawn (launcher, &error, perl_path, script, "--target", target,
                                      "--timeout", timeout_arg, NULL);
  g_assert_no_error (error);

  /* the UAS runs on this loop while the peer works; bounded */
  timeout_id = g_timeout_add_seconds (TEST_TIMEOUT_S, timeout_cb, &c);
  g_subprocess_communicate_async (peer, NULL, NULL, peer_done_cb, &r);
  while (!r.done && !c.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!c.timed_out)
    g_source_remove (timeout_id);
  /* by its PID, whatever happened */
  if (g_subprocess_get_identifier (peer))
    {
      g_subprocess_force_exit (peer);
      g_subprocess_wait (peer, NULL, NULL);
    }
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_false (c.timed_out);
  g_assert_no_error (r.error);

  out_data = g_bytes_get_data (r.out, &out_len);
  out = g_strndup (out_data ? out_data : "", out_len);
  g_test_message ("dispatcher-uac.pl said:\n%s", out);
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "SEND "))
      n_send_lines++;

  g_assert_true (g_subprocess_get_if_exited (peer));
  g_assert_cmpint (g_subprocess_get_exit_status (peer), ==, 0);

  /* RESPONSE 200 <tag> <sends before it> */
  response = find_line (lines, "RESPONSE ");
  g_assert_nonnull (response);
  g_assert_cmpuint (g_strv_length (response), ==, 4);
  g_assert_cmpstr (response[1], ==, "200");
  g_assert_cmpstr (response[2], ==, "slow-uas");
  sends_before_answer = g_ascii_strtoull (response[3], NULL, 10);
  /* Net::SIP retransmitted while the UAS took 2 s */
  g_assert_cmpuint (sends_before_answer, >=, 2);
  /* CACHED 200 <same tag> after RESEND */
  g_assert_nonnull (strstr (out, "\nRESEND\n"));
  cached = find_line (lines, "CACHED ");
  g_assert_nonnull (cached);
  g_assert_cmpstr (cached[1], ==, "200");
  g_assert_cmpstr (cached[2], ==, "slow-uas");

  /* the UAS side: every copy arrived, the receiver saw one */
  g_assert_cmpuint (c.n_leg_requests, ==, n_send_lines);
  g_assert_cmpuint (c.n_leg_requests, >, sends_before_answer);
  g_assert_cmpuint (uas->requests->len, ==, 1);
  g_assert_cmpuint (uas->n_acks, ==, 0);
  g_assert_cmpuint (uas->n_answer_errors, ==, 0);
  g_assert_cmpuint (uas->n_answers_sent, ==, 1);
  g_object_get (dispatcher, "absorbed-requests", &absorbed, NULL);
  g_assert_cmpuint (absorbed, ==, c.n_leg_requests - 1);
  /* the 200 went out once from the receiver and again from the cache */
  g_assert_cmpuint (c.n_response_sends, >=, 2);
  g_assert_cmpuint (c.max_response_attempt, >=, 1);
  g_assert_nonnull (c.server_tx);
  g_assert_cmpint (net_sip_transaction_get_kind (c.server_tx), ==,
                   NET_SIP_TRANSACTION_KIND_SERVER_NON_INVITE);
  g_assert_cmpint (net_sip_transaction_get_state (c.server_tx), ==,
                   NET_SIP_TRANSACTION_STATE_COMPLETED);
  g_assert_cmpuint (net_sip_response_get_code (net_sip_transaction_get_last_response (c.server_tx)),
                    ==, 200);

  g_signal_handlers_disconnect_by_data (leg, &c);
  g_signal_handlers_disconnect_by_data (dispatcher, &c);
  net_sip_dispatcher_set_receiver (dispatcher, NULL);
  g_clear_object (&c.server_tx);
  g_clear_pointer (&r.out, g_bytes_unref);
  g_clear_object (&dispatcher);
  while (g_main_context_iteration (NULL, FALSE))
    ;
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
  ret = g_test_run ();
  g_free (perl_path);
  g_free (perl_missing);
  return ret;
}
