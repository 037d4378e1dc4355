/* test-dispatcher-loss.c: RFC 3261 §17.1 retransmission timers under real
 * packet loss
 *
 * /interop/dispatcher-loss/udp creates a network namespace (netns-util),
 * makes nftables drop 30% of the UDP datagrams to both SIP ports at random
 * (`udp dport P numgen random mod 10 < 3 counter drop`) and re-executes
 * itself inside the namespace. There two NetSipDispatchers, a UAC on
 * 127.0.0.1:5060 and a UAS on 127.0.0.1:5062, with T1 = 100 ms and
 * T2 = 400 ms, run 50 OPTIONS (non-INVITE) and 20 INVITE transactions,
 * started 20 ms apart. The UAS answers each request once from its
 * message-received handler (200 to OPTIONS, 486 to INVITE, so that the
 * INVITE server transaction retransmits its final response with Timer G
 * and absorbs the ACK the UAC's transaction makes).
 *
 * Checked inside:
 *   - all 70 deliver_async complete with the final response (200 / 486);
 *   - the UAS saw each request exactly once (retransmissions absorbed) and
 *     no ACK (the ACK for a non-2xx belongs to the transaction);
 *   - every send of a request by the UAC (signal message-sent) happened at
 *     its Timer A (INVITE: T1·(2^n − 1)) or Timer E (non-INVITE: sum of
 *     min(T1·2^k, T2)) time after the first send, within ±50 ms, attempts
 *     numbered 0, 1, 2, ... and none at or after 64·T1;
 *   - there were retransmissions, and the UAS answered retransmitted
 *     requests from its cache (absorbed-requests > 0): the loss was real.
 * Checked outside: the nftables counters of both drop rules are non-zero.
 *
 * Not root (or no nft / ip): the test skips with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "netns-util.h"

#include <string.h>

#define TEST_PATH "/interop/dispatcher-loss/udp"

#define UAC_PORT 5060
#define UAS_PORT 5062
#define T1_MS 100
#define T2_MS 400
#define TOLERANCE_MS 50
#define N_NON_INVITE 50
#define N_INVITE 20
#define N_TOTAL (N_NON_INVITE + N_INVITE)
#define START_INTERVAL_MS 20
/* every transaction ends by 64*T1 = 6.4 s after its start; the last one
 * starts at 1.4 s */
#define INNER_TIMEOUT_S 30
#define OUTER_TIMEOUT_S 120

typedef struct
{
  guint   index;
  gboolean invite;
  char   *call_id;
  gboolean done;
  guint   code;
  GError *error;
} Tx;

typedef struct
{
  gint64  first_us;
  GArray *offsets_us;   /* gint64 per attempt, index = attempt */
  gboolean invite;
  guint   bad_attempt_order;
} SendLog;

typedef struct
{
  NetSipDispatcher *uac;
  NetSipDispatcher *uas;
  Tx                txs[N_TOTAL];
  guint             n_started;
  guint             n_done;
  GHashTable       *seen_by_uas;   /* Call-ID -> count */
  guint             acks_seen_by_uas;
  guint             other_seen_by_uas;
  GHashTable       *sends;         /* transaction key -> SendLog */
  guint             n_answer_errors;
  gboolean          timed_out;
} Inner;

static void
send_log_free (gpointer p)
{
  SendLog *l = p;

  g_array_unref (l->offsets_us);
  g_free (l);
}

/* ------------------------------------------------------------------ */
/* the UAS */

static void
answer_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Inner *in = user_data;
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    {
      g_test_message ("UAS: sending the answer: %s", error->message);
      in->n_answer_errors++;
    }
}

static void
uas_message_received (NetSipDispatcher *uas,
                      NetSipMessage    *message,
                      NetSipLeg        *leg,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Inner *in = user_data;
  const char *method;
  const char *call_id;
  g_autoptr(NetSipResponse) response = NULL;
  guint count;

  if (!net_sip_message_is_request (message))
    {
      in->other_seen_by_uas++;
      return;
    }
  method = net_sip_message_get_method (message);
  if (strcmp (method, "ACK") == 0)
    {
      in->acks_seen_by_uas++;
      return;
    }
  call_id = net_sip_message_get_call_id (message);
  count = GPOINTER_TO_UINT (g_hash_table_lookup (in->seen_by_uas, call_id));
  g_hash_table_replace (in->seen_by_uas, g_strdup (call_id), GUINT_TO_POINTER (count + 1));

  response = net_sip_request_create_response (NET_SIP_REQUEST (message),
                                              strcmp (method, "INVITE") == 0 ? 486 : 200,
                                              NULL, "uas-loss");
  net_sip_dispatcher_deliver_async (uas, NET_SIP_MESSAGE (response), NULL, NULL,
                                    answer_sent_cb, in);
}

/* ------------------------------------------------------------------ */
/* the UAC */

static void
uac_message_sent (NetSipDispatcher   *uac,
                  NetSipMessage      *message,
                  NetSipLeg          *leg,
                  GInetSocketAddress *destination,
                  NetSipTransaction  *transaction,
                  guint               attempt,
                  gint64              time_us,
                  gpointer            user_data)
{
  Inner *in = user_data;
  const char *method;
  const char *key;
  SendLog *log;

  if (!net_sip_message_is_request (message) || transaction == NULL)
    return;
  method = net_sip_message_get_method (message);
  /* the ACK the INVITE transaction makes for the 486 is counted on as an
   * attempt; it is not a retransmission of the INVITE */
  if (strcmp (method, "ACK") == 0)
    return;
  key = net_sip_transaction_get_key (transaction);
  log = g_hash_table_lookup (in->sends, key);
  if (log == NULL)
    {
      log = g_new0 (SendLog, 1);
      log->offsets_us = g_array_new (FALSE, FALSE, sizeof (gint64));
      log->invite = strcmp (method, "INVITE") == 0;
      log->first_us = time_us;
      g_hash_table_insert (in->sends, g_strdup (key), log);
    }
  if (attempt != log->offsets_us->len)
    log->bad_attempt_order++;
  {
    gint64 offset = time_us - log->first_us;
    g_array_append_val (log->offsets_us, offset);
  }
}

static void
delivered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Tx *tx = user_data;
  Inner *in = g_object_get_data (source, "inner");
  g_autoptr(NetSipResponse) response = NULL;

  if (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &response,
                                         &tx->error))
    tx->code = response ? net_sip_response_get_code (response) : 0;
  tx->done = TRUE;
  in->n_done++;
}

static NetSipRequest *
new_request (Tx *tx)
{
  const char *method = tx->invite ? "INVITE" : "OPTIONS";
  g_autofree char *uri = g_strdup_printf ("sip:uas@127.0.0.1:%d", UAS_PORT);
  g_autofree char *from = g_strdup_printf ("<sip:uac@127.0.0.1:%d>;tag=uac%u", UAC_PORT,
                                           tx->index);
  g_autofree char *to = g_strdup_printf ("<%s>", uri);
  g_autofree char *cseq = g_strdup_printf ("1 %s", method);
  NetSipRequest *req = net_sip_request_new (method, uri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", tx->call_id);
  net_sip_message_add_header (m, "CSeq", cseq);
  if (tx->invite)
    {
      g_autofree char *contact = g_strdup_printf ("<sip:uac@127.0.0.1:%d>", UAC_PORT);
      net_sip_message_add_header (m, "Contact", contact);
    }
  return req;
}

static gboolean
start_next_cb (gpointer user_data)
{
  Inner *in = user_data;
  Tx *tx;
  g_autoptr(NetSipRequest) req = NULL;

  if (in->n_started == N_TOTAL)
    return G_SOURCE_REMOVE;
  tx = &in->txs[in->n_started++];
  req = new_request (tx);
  net_sip_dispatcher_deliver_async (in->uac, NET_SIP_MESSAGE (req), NULL, NULL,
                                    delivered_cb, tx);
  return in->n_started == N_TOTAL ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static gboolean
inner_timeout_cb (gpointer user_data)
{
  Inner *in = user_data;

  in->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

/* Expected offset of send @attempt after the first, in ms. */
static gint64
expected_offset_ms (gboolean invite,
                    guint    attempt)
{
  gint64 t = 0, interval = T1_MS;

  for (guint k = 0; k < attempt; k++)
    {
      t += invite ? interval : MIN (interval, T2_MS);
      interval *= 2;
    }
  return t;
}

static NetSipDispatcher *
new_dispatcher (guint16 port)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *spec = g_strdup_printf ("udp:127.0.0.1:%u", port);
  g_autoptr(NetSipLeg) leg = net_sip_leg_new (spec, &error);
  NetSipDispatcher *d;

  g_assert_no_error (error);
  d = net_sip_dispatcher_new (&leg, 1);
  g_object_set (d, "t1", (guint) T1_MS, "t2", (guint) T2_MS, NULL);
  return d;
}

static void
test_loss_inside (void)
{
  Inner in = { 0 };
  guint timeout_id;
  guint n_sends = 0, n_retransmissions = 0, n_bad_timing = 0;
  guint n_invite_retransmissions = 0, n_max_attempt = 0;
  guint64 absorbed = 0;
  GHashTableIter iter;
  gpointer key, value;

  in.seen_by_uas = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  in.sends = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, send_log_free);
  in.uac = new_dispatcher (UAC_PORT);
  in.uas = new_dispatcher (UAS_PORT);
  g_object_set_data (G_OBJECT (in.uac), "inner", &in);
  g_signal_connect (in.uas, "message-received", G_CALLBACK (uas_message_received), &in);
  g_signal_connect (in.uac, "message-sent", G_CALLBACK (uac_message_sent), &in);

  for (guint i = 0; i < N_TOTAL; i++)
    {
      in.txs[i].index = i;
      /* INVITEs spread among the OPTIONS: two in every seven */
      in.txs[i].invite = (i % 7 == 3 || i % 7 == 6);
      in.txs[i].call_id = g_strdup_printf ("loss-%u-%08x@127.0.0.1", i, g_random_int ());
    }
  {
    guint n_inv = 0;
    for (guint i = 0; i < N_TOTAL; i++)
      n_inv += in.txs[i].invite;
    g_assert_cmpuint (n_inv, ==, N_INVITE);
  }

  timeout_id = g_timeout_add_seconds (INNER_TIMEOUT_S, inner_timeout_cb, &in);
  g_timeout_add (START_INTERVAL_MS, start_next_cb, &in);
  start_next_cb (&in);
  while (in.n_done < N_TOTAL && !in.timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!in.timed_out)
    g_source_remove (timeout_id);
  g_test_message ("%u of %u transactions done%s", in.n_done, N_TOTAL,
                  in.timed_out ? " (timed out)" : "");
  g_assert_false (in.timed_out);

  /* every transaction completed with the UAS's answer */
  for (guint i = 0; i < N_TOTAL; i++)
    {
      Tx *tx = &in.txs[i];
      guint seen = GPOINTER_TO_UINT (g_hash_table_lookup (in.seen_by_uas, tx->call_id));

      if (tx->error)
        g_test_message ("transaction %u (%s): %s", i, tx->invite ? "INVITE" : "OPTIONS",
                        tx->error->message);
      g_assert_no_error (tx->error);
      g_assert_cmpuint (tx->code, ==, tx->invite ? 486 : 200);
      /* the receiver saw the request once, whatever was retransmitted */
      g_assert_cmpuint (seen, ==, 1);
    }
  g_assert_cmpuint (g_hash_table_size (in.seen_by_uas), ==, N_TOTAL);
  g_assert_cmpuint (in.acks_seen_by_uas, ==, 0);
  g_assert_cmpuint (in.other_seen_by_uas, ==, 0);
  g_assert_cmpuint (in.n_answer_errors, ==, 0);

  /* the send times against Timer A / Timer E */
  g_assert_cmpuint (g_hash_table_size (in.sends), ==, N_TOTAL);
  g_hash_table_iter_init (&iter, in.sends);
  while (g_hash_table_iter_next (&iter, &key, &value))
    {
      SendLog *log = value;

      g_assert_cmpuint (log->bad_attempt_order, ==, 0);
      g_assert_cmpuint (log->offsets_us->len, >=, 1);
      n_sends += log->offsets_us->len;
      n_retransmissions += log->offsets_us->len - 1;
      if (log->invite)
        n_invite_retransmissions += log->offsets_us->len - 1;
      n_max_attempt = MAX (n_max_attempt, log->offsets_us->len - 1);
      for (guint n = 1; n < log->offsets_us->len; n++)
        {
          gint64 got_ms = g_array_index (log->offsets_us, gint64, n) / 1000;
          gint64 want_ms = expected_offset_ms (log->invite, n);

          if (ABS (got_ms - want_ms) > TOLERANCE_MS)
            {
              g_test_message ("%s %s: send %u at %" G_GINT64_FORMAT " ms, Timer %s says %"
                              G_GINT64_FORMAT " ms", log->invite ? "INVITE" : "OPTIONS",
                              (char *) key, n, got_ms, log->invite ? "A" : "E", want_ms);
              n_bad_timing++;
            }
          /* Timer B / F end the transaction at 64*T1 */
          g_assert_cmpint (got_ms, <, 64 * T1_MS + TOLERANCE_MS);
        }
    }
  g_object_get (in.uas, "absorbed-requests", &absorbed, NULL);
  g_test_message ("%u sends, %u retransmissions by the UAC (%u of INVITEs, at most %u in one "
                  "transaction); the UAS answered %" G_GUINT64_FORMAT
                  " retransmitted requests from its cache", n_sends, n_retransmissions,
                  n_invite_retransmissions, n_max_attempt, absorbed);
  g_assert_cmpuint (n_bad_timing, ==, 0);
  /* with 30% of the datagrams dropped, some requests and some answers were
   * lost: retransmissions happened and some reached the UAS's cache */
  g_assert_cmpuint (n_retransmissions, >, 0);
  /* Timer A was exercised, not only Timer E */
  g_assert_cmpuint (n_invite_retransmissions, >, 0);
  g_assert_cmpuint (absorbed, >, 0);

  g_signal_handlers_disconnect_by_data (in.uas, &in);
  g_signal_handlers_disconnect_by_data (in.uac, &in);
  g_clear_object (&in.uac);
  g_clear_object (&in.uas);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  for (guint i = 0; i < N_TOTAL; i++)
    {
      g_free (in.txs[i].call_id);
      g_clear_error (&in.txs[i].error);
    }
  g_hash_table_unref (in.seen_by_uas);
  g_hash_table_unref (in.sends);
}

/* ------------------------------------------------------------------ */
/* outside: the namespace and the loss */

static guint64
drop_counter (const char *ruleset,
              guint       port)
{
  g_autofree char *needle = g_strdup_printf ("udp dport %u ", port);
  const char *line = strstr (ruleset, needle);
  const char *packets;

  if (line == NULL)
    return 0;
  packets = strstr (line, "counter packets ");
  if (packets == NULL)
    return 0;
  return g_ascii_strtoull (packets + strlen ("counter packets "), NULL, 10);
}

static void
test_loss (void)
{
  static const char *const programs[] = { "nft", NULL };
  g_autoptr(NetSipNetns) ns = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ruleset = NULL;
  const guint ports[] = { UAC_PORT, UAS_PORT };

  if (netsip_netns_inside ())
    {
      test_loss_inside ();
      return;
    }
  if (netsip_netns_skip_if_unavailable (programs))
    return;

  ns = netsip_netns_new ("loss", NULL, &error);
  g_assert_no_error (error);
  {
    const char *table[] = { "nft", "add", "table", "inet", "t", NULL };
    const char *chain[] = { "nft", "add chain inet t in { type filter hook input priority 0 ; }",
                            NULL };
    netsip_netns_run (ns, table, 10, NULL, &error);
    g_assert_no_error (error);
    netsip_netns_run (ns, chain, 10, NULL, &error);
    g_assert_no_error (error);
  }
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      g_autofree char *port = g_strdup_printf ("%u", ports[i]);
      const char *rule[] = { "nft", "add", "rule", "inet", "t", "in", "udp", "dport", port,
                             "numgen", "random", "mod", "10", "<", "3", "counter", "drop",
                             NULL };
      netsip_netns_run (ns, rule, 10, NULL, &error);
      g_assert_no_error (error);
    }

  if (!netsip_netns_run_self (ns, TEST_PATH, NULL, OUTER_TIMEOUT_S - 20, &error))
    {
      g_test_fail_printf ("%s", error->message);
      return;
    }

  {
    const char *list[] = { "nft", "list", "ruleset", NULL };
    netsip_netns_run (ns, list, 10, &ruleset, &error);
    g_assert_no_error (error);
  }
  g_test_message ("ruleset after the run:\n%s", ruleset);
  for (guint i = 0; i < G_N_ELEMENTS (ports); i++)
    {
      guint64 dropped = drop_counter (ruleset, ports[i]);

      g_test_message ("nftables dropped %" G_GUINT64_FORMAT " datagrams to port %u", dropped,
                      ports[i]);
      g_assert_cmpuint (dropped, >, 0);
    }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func (TEST_PATH, test_loss);
  return g_test_run ();
}
