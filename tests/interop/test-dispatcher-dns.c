/* test-dispatcher-dns.c: NetSipDispatcher delivery through real DNS
 * (dnsmasq in a network namespace), RFC 3263 failover
 *
 * Outside (root): a network namespace (netns-util) with
 * /etc/netns/NAME/resolv.conf naming 127.0.0.1, dnsmasq inside it serving
 * the records below and logging its queries to a file; each test path then
 * re-executes this program inside the namespace, where GResolver and the
 * NAPTR lookup of NetSipResolver ask that dnsmasq.
 *
 *   /interop/dispatcher-dns/udp-failover: _sip._udp.example.test has two
 *     SRV targets: priority 10 dead.example.test:5070 (127.0.0.2, nothing
 *     listens: ICMP port unreachable) and priority 20
 *     live.example.test:5072 (127.0.0.3, a NetSipDispatcher answering 200).
 *     deliver_async of an OPTIONS to sip:example.test gets that 200
 *     (RFC 3263 §4.3: the next target after a transport error or timeout);
 *     the UAC's message-sent shows the dead target tried first.
 *     resolve_uri_async lists the two targets in priority order.
 *   /interop/dispatcher-dns/tcp-only: tcp-only.test has a NAPTR for
 *     SIP+D2T only, pointing at _sip._tcp.tcp-only.test: priority 10
 *     dead.tcp-only.test:5076 (127.0.0.2, connect refused), priority 20
 *     live.tcp-only.test:5074 (127.0.0.4, a NetSipDispatcher on TCP). Decoys
 *     that a resolver skipping NAPTR would use: an A record for
 *     tcp-only.test itself and a _sip._udp SRV. resolve_uri_async must give
 *     exactly the two TCP targets; the OPTIONS gets the 200 over TCP from
 *     the second, well before 64*T1 (the refused connect moves on at
 *     once); outside, dnsmasq's log must show NAPTR, then SRV _sip._tcp,
 *     then A for the targets, and no query for the decoy SRV.
 *
 * Not root (or no ip / dnsmasq): the tests skip with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "netns-util.h"

#include <glib/gstdio.h>
#include <string.h>

#define INNER_TIMEOUT_S 40
#define OUTER_TIMEOUT_S 60
#define DNSMASQ_START_S 10

static const char *const dnsmasq_records[] = {
  /* answer for these domains only, never ask anyone else */
  "--local=/example.test/",
  "--local=/tcp-only.test/",
  /* udp-failover */
  "--srv-host=_sip._udp.example.test,dead.example.test,5070,10,0",
  "--srv-host=_sip._udp.example.test,live.example.test,5072,20,0",
  "--host-record=dead.example.test,127.0.0.2",
  "--host-record=live.example.test,127.0.0.3",
  /* tcp-only */
  "--naptr-record=tcp-only.test,10,50,S,SIP+D2T,,_sip._tcp.tcp-only.test",
  "--srv-host=_sip._tcp.tcp-only.test,dead.tcp-only.test,5076,10,0",
  "--srv-host=_sip._tcp.tcp-only.test,live.tcp-only.test,5074,20,0",
  "--host-record=dead.tcp-only.test,127.0.0.2",
  "--host-record=live.tcp-only.test,127.0.0.4",
  /* decoys: used only by a resolver that skips the NAPTR */
  "--srv-host=_sip._udp.tcp-only.test,decoy.tcp-only.test,5099,1,0",
  "--host-record=decoy.tcp-only.test,127.0.0.9",
  "--host-record=tcp-only.test,127.0.0.9",
  NULL
};

/* ------------------------------------------------------------------ */
/* inside: a UAS dispatcher and a UAC dispatcher */

typedef struct
{
  NetSipDispatcher *uac;
  NetSipDispatcher *uas;
  NetSipLeg        *uas_leg;
  guint             uas_requests;
  GPtrArray        *sent_to;        /* "udp:ip:port" per request send of the UAC */
  gboolean          done;
  NetSipResponse   *response;
  GError           *error;
  gint64            start_us;
  gint64            end_us;
  gboolean          timed_out;
  GPtrArray        *targets;
  gboolean          resolved;
} Inner;

static void
answer_sent_cb (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_test_message ("UAS: sending the 200: %s", error->message);
}

static void
uas_message_received (NetSipDispatcher *uas,
                      NetSipMessage    *message,
                      NetSipLeg        *leg,
                      NetSipSourceInfo *source,
                      gpointer          user_data)
{
  Inner *in = user_data;
  g_autoptr(NetSipResponse) response = NULL;

  if (!net_sip_message_is_request (message)
      || strcmp (net_sip_message_get_method (message), "ACK") == 0)
    return;
  in->uas_requests++;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, "dns-uas");
  net_sip_dispatcher_deliver_async (uas, NET_SIP_MESSAGE (response), NULL, NULL,
                                    answer_sent_cb, in);
}

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
  g_autofree char *ip = NULL;
  static const char *const names[] = { "udp", "tcp", "tls" };
  NetSipTransport proto = net_sip_leg_get_protocol (leg);

  if (!net_sip_message_is_request (message))
    return;
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (destination));
  g_ptr_array_add (in->sent_to,
                   g_strdup_printf ("%s:%s:%u", proto < G_N_ELEMENTS (names) ? names[proto] : "?",
                                    ip, g_inet_socket_address_get_port (destination)));
}

static void
delivered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Inner *in = user_data;

  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &in->response,
                                     &in->error);
  in->end_us = g_get_monotonic_time ();
  in->done = TRUE;
}

static void
resolved_cb (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  Inner *in = user_data;

  if (!net_sip_dispatcher_resolve_uri_finish (NET_SIP_DISPATCHER (source), result,
                                              &in->targets, NULL, &in->error))
    g_test_message ("resolve_uri: %s", in->error->message);
  in->resolved = TRUE;
}

static gboolean
inner_timeout_cb (gpointer user_data)
{
  Inner *in = user_data;

  in->timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static void
run_until (Inner    *in,
           gboolean *flag)
{
  guint id = g_timeout_add_seconds (INNER_TIMEOUT_S, inner_timeout_cb, in);

  while (!*flag && !in->timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!in->timed_out)
    g_source_remove (id);
  g_assert_false (in->timed_out);
}

static NetSipLeg *
new_leg (const char *spec)
{
  g_autoptr(GError) error = NULL;
  NetSipLeg *leg = net_sip_leg_new (spec, &error);

  g_assert_no_error (error);
  return leg;
}

static void
inner_setup (Inner      *in,
             const char *uas_spec,
             guint       t1_ms)
{
  g_autoptr(NetSipLeg) uac_udp = new_leg ("udp:127.0.0.1:0");
  g_autoptr(NetSipLeg) uac_tcp = new_leg ("tcp:127.0.0.1:0");
  NetSipLeg *uac_legs[] = { uac_udp, uac_tcp };

  in->sent_to = g_ptr_array_new_with_free_func (g_free);
  in->uac = net_sip_dispatcher_new (uac_legs, G_N_ELEMENTS (uac_legs));
  g_object_set (in->uac, "t1", t1_ms, NULL);
  in->uas_leg = new_leg (uas_spec);
  in->uas = net_sip_dispatcher_new (&in->uas_leg, 1);
  g_signal_connect (in->uas, "message-received", G_CALLBACK (uas_message_received), in);
  g_signal_connect (in->uac, "message-sent", G_CALLBACK (uac_message_sent), in);
}

static void
inner_teardown (Inner *in)
{
  g_signal_handlers_disconnect_by_data (in->uas, in);
  g_signal_handlers_disconnect_by_data (in->uac, in);
  g_clear_object (&in->uac);
  g_clear_object (&in->uas);
  g_clear_object (&in->uas_leg);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_clear_object (&in->response);
  g_clear_error (&in->error);
  g_clear_pointer (&in->sent_to, g_ptr_array_unref);
  g_clear_pointer (&in->targets, g_ptr_array_unref);
}

static char *
targets_to_string (GPtrArray *targets)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; targets && i < targets->len; i++)
    {
      g_autofree char *t = net_sip_target_to_string (g_ptr_array_index (targets, i));
      g_string_append_printf (s, "%s%s", i ? " " : "", t);
    }
  return g_string_free (s, FALSE);
}

static char *
resolve (Inner      *in,
         const char *uri_text)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (uri_text, -1, &error);

  g_assert_no_error (error);
  in->resolved = FALSE;
  net_sip_dispatcher_resolve_uri_async (in->uac, uri, NULL, 0, NULL, 0, NULL, resolved_cb, in);
  run_until (in, &in->resolved);
  g_assert_no_error (in->error);
  return targets_to_string (in->targets);
}

static NetSipRequest *
new_options (const char *uri)
{
  g_autofree char *to = g_strdup_printf ("<%s>", uri);
  g_autofree char *call_id = g_strdup_printf ("dns-%08x@127.0.0.1", g_random_int ());
  NetSipRequest *req = net_sip_request_new ("OPTIONS", uri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", "<sip:uac@127.0.0.1>;tag=dns-uac");
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
  return req;
}

static void
deliver (Inner      *in,
         const char *uri)
{
  g_autoptr(NetSipRequest) req = new_options (uri);
  g_autofree char *sends = NULL;

  in->start_us = g_get_monotonic_time ();
  net_sip_dispatcher_deliver_async (in->uac, NET_SIP_MESSAGE (req), NULL, NULL, delivered_cb, in);
  run_until (in, &in->done);
  g_ptr_array_add (in->sent_to, NULL);
  sends = g_strjoinv (" ", (char **) in->sent_to->pdata);
  g_ptr_array_remove_index (in->sent_to, in->sent_to->len - 1);
  g_test_message ("%s: %s after %.3f s; sends: %s", uri,
                  in->error ? in->error->message : "response",
                  (in->end_us - in->start_us) / 1e6, sends);
}

static void
test_udp_failover_inside (void)
{
  Inner in = { 0 };
  g_autofree char *targets = NULL;
  gboolean live_tried = FALSE;

  inner_setup (&in, "udp:127.0.0.3:5072", 100);

  /* RFC 2782: priority 10 before 20 */
  targets = resolve (&in, "sip:example.test");
  g_test_message ("sip:example.test resolves to %s", targets);
  g_assert_true (g_str_has_prefix (targets, "udp:127.0.0.2:5070 udp:127.0.0.3:5072"));

  deliver (&in, "sip:example.test");
  g_assert_no_error (in.error);
  g_assert_nonnull (in.response);
  g_assert_cmpuint (net_sip_response_get_code (in.response), ==, 200);
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (in.response)), ==, "dns-uas");
  g_assert_cmpuint (in.uas_requests, ==, 1);
  /* the dead target first, the live one last */
  g_assert_cmpuint (in.sent_to->len, >=, 2);
  g_assert_cmpstr (g_ptr_array_index (in.sent_to, 0), ==, "udp:127.0.0.2:5070");
  g_assert_cmpstr (g_ptr_array_index (in.sent_to, in.sent_to->len - 1), ==, "udp:127.0.0.3:5072");
  /* all sends to the dead target come before the first to the live one */
  for (guint i = 0; i < in.sent_to->len; i++)
    {
      const char *s = g_ptr_array_index (in.sent_to, i);

      if (strcmp (s, "udp:127.0.0.3:5072") == 0)
        live_tried = TRUE;
      else
        {
          g_assert_cmpstr (s, ==, "udp:127.0.0.2:5070");
          g_assert_false (live_tried);
        }
    }
  /* the ICMP port unreachable from the dead target moves on at once
   * (RFC 3261 §18.4): one send to it, no retransmission (T1 = 100 ms), and
   * the whole delivery well before Timer F (6.4 s) */
  g_assert_cmpuint (in.sent_to->len, ==, 2);
  g_assert_cmpint (in.end_us - in.start_us, <, 1000 * 1000);
  inner_teardown (&in);
}

static void
test_tcp_only_inside (void)
{
  Inner in = { 0 };
  g_autofree char *targets = NULL;

  /* T1 = 500 ms: Timer F would take 32 s; the refused connect must move
   * on at once */
  inner_setup (&in, "tcp:127.0.0.4:5074", 500);

  targets = resolve (&in, "sip:tcp-only.test");
  g_test_message ("sip:tcp-only.test resolves to %s", targets);
  g_assert_cmpstr (targets, ==, "tcp:127.0.0.2:5076 tcp:127.0.0.4:5074");

  deliver (&in, "sip:tcp-only.test");
  g_assert_no_error (in.error);
  g_assert_nonnull (in.response);
  g_assert_cmpuint (net_sip_response_get_code (in.response), ==, 200);
  g_assert_cmpstr (net_sip_message_get_to_tag (NET_SIP_MESSAGE (in.response)), ==, "dns-uas");
  g_assert_cmpuint (in.uas_requests, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (in.sent_to, in.sent_to->len - 1), ==, "tcp:127.0.0.4:5074");
  for (guint i = 0; i < in.sent_to->len; i++)
    g_assert_true (g_str_has_prefix (g_ptr_array_index (in.sent_to, i), "tcp:"));
  g_assert_cmpint (in.end_us - in.start_us, <, 5 * G_USEC_PER_SEC);
  inner_teardown (&in);
}

/* ------------------------------------------------------------------ */
/* outside: the namespace and dnsmasq, shared by the tests */

static NetSipNetns *ns;
static char *tmp_dir;
static char *dnsmasq_log;
static char *setup_failed;

static void
rm_rf (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir)
    while ((name = g_dir_read_name (dir)))
      {
        g_autofree char *child = g_build_filename (path, name, NULL);
        g_unlink (child);
      }
  g_rmdir (path);
}

static gboolean
setup_namespace (GError **error)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  GSubprocess *dnsmasq;

  tmp_dir = g_dir_make_tmp ("netsip-dispatcher-dns-XXXXXX", error);
  if (tmp_dir == NULL)
    return FALSE;
  dnsmasq_log = g_build_filename (tmp_dir, "dnsmasq.log", NULL);
  ns = netsip_netns_new ("dns", "nameserver 127.0.0.1\noptions timeout:1 attempts:2\n", error);
  if (ns == NULL)
    return FALSE;

  g_ptr_array_add (argv, g_strdup ("dnsmasq"));
  g_ptr_array_add (argv, g_strdup ("--keep-in-foreground"));
  g_ptr_array_add (argv, g_strdup ("--conf-file=/dev/null"));
  g_ptr_array_add (argv, g_strdup ("--no-resolv"));
  g_ptr_array_add (argv, g_strdup ("--no-hosts"));
  g_ptr_array_add (argv, g_strdup ("--listen-address=127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("--bind-interfaces"));
  g_ptr_array_add (argv, g_strdup ("--user=root"));
  g_ptr_array_add (argv, g_strdup ("--pid-file="));
  g_ptr_array_add (argv, g_strdup ("--log-queries"));
  g_ptr_array_add (argv, g_strdup_printf ("--log-facility=%s", dnsmasq_log));
  for (guint i = 0; dnsmasq_records[i]; i++)
    g_ptr_array_add (argv, g_strdup (dnsmasq_records[i]));
  g_ptr_array_add (argv, NULL);
  dnsmasq = netsip_netns_spawn (ns, G_SUBPROCESS_FLAGS_NONE, (const char *const *) argv->pdata,
                                error);
  if (dnsmasq == NULL)
    return FALSE;

  /* dnsmasq logs "started" once its sockets are bound */
  for (guint i = 0; i < DNSMASQ_START_S * 20; i++)
    {
      g_autofree char *log = NULL;

      if (g_subprocess_get_identifier (dnsmasq) == NULL)
        break;
      if (g_file_get_contents (dnsmasq_log, &log, NULL, NULL) && strstr (log, "started"))
        return TRUE;
      g_usleep (50 * 1000);
      /* lets GSubprocess notice an exit */
      g_main_context_iteration (NULL, FALSE);
    }
  {
    g_autofree char *log = NULL;
    g_file_get_contents (dnsmasq_log, &log, NULL, NULL);
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "dnsmasq did not start within %d s: %s",
                 DNSMASQ_START_S, log ? log : "(no log)");
  }
  return FALSE;
}

static gboolean
prepare (void)
{
  static const char *const programs[] = { "dnsmasq", NULL };
  g_autoptr(GError) error = NULL;

  if (netsip_netns_skip_if_unavailable (programs))
    return FALSE;
  if (setup_failed)
    {
      g_test_fail_printf ("%s", setup_failed);
      return FALSE;
    }
  if (ns == NULL && !setup_namespace (&error))
    {
      setup_failed = g_strdup (error->message);
      g_test_fail_printf ("%s", setup_failed);
      return FALSE;
    }
  return TRUE;
}

static void
run_inside (const char *path)
{
  g_autoptr(GError) error = NULL;

  if (!netsip_netns_run_self (ns, path, NULL, OUTER_TIMEOUT_S, &error))
    g_test_fail_printf ("%s", error->message);
}

static void
test_udp_failover (void)
{
  if (netsip_netns_inside ())
    {
      test_udp_failover_inside ();
      return;
    }
  if (prepare ())
    run_inside ("/interop/dispatcher-dns/udp-failover");
}

/* index of the first log line at or after @from with the query, or -1 */
static gint
find_query (char      **lines,
            gint        from,
            const char *type,
            const char *name)
{
  g_autofree char *needle = g_strdup_printf ("query[%s] %s ", type, name);

  for (gint i = MAX (from, 0); lines[i]; i++)
    if (strstr (lines[i], needle))
      return i;
  return -1;
}

static void
test_tcp_only (void)
{
  g_autofree char *log = NULL;
  g_auto(GStrv) lines = NULL;
  gint naptr, srv, a_dead, a_live, start = 0;

  if (netsip_netns_inside ())
    {
      test_tcp_only_inside ();
      return;
    }
  if (!prepare ())
    return;
  /* only the queries of this run count */
  if (g_file_get_contents (dnsmasq_log, &log, NULL, NULL))
    {
      g_auto(GStrv) before = g_strsplit (log, "\n", -1);
      start = (gint) g_strv_length (before) - 1;
    }
  g_clear_pointer (&log, g_free);
  run_inside ("/interop/dispatcher-dns/tcp-only");
  if (g_test_failed ())
    return;

  g_assert_true (g_file_get_contents (dnsmasq_log, &log, NULL, NULL));
  lines = g_strsplit (log, "\n", -1);
  {
    g_autofree char *tail = g_strjoinv ("\n", lines + MIN ((guint) start, g_strv_length (lines)));
    g_test_message ("dnsmasq queries:\n%s", tail);
  }
  /* RFC 3263 §4.1, §4.2: NAPTR, then the SRV it names, then A/AAAA */
  naptr = find_query (lines, start, "NAPTR", "tcp-only.test");
  srv = find_query (lines, naptr, "SRV", "_sip._tcp.tcp-only.test");
  a_dead = find_query (lines, srv, "A", "dead.tcp-only.test");
  a_live = find_query (lines, srv, "A", "live.tcp-only.test");
  g_assert_cmpint (naptr, >=, start);
  g_assert_cmpint (srv, >, naptr);
  g_assert_cmpint (a_dead, >, srv);
  g_assert_cmpint (a_live, >, srv);
  /* the NAPTR named TCP only: the decoys were never asked for */
  g_assert_cmpint (find_query (lines, start, "SRV", "_sip._udp.tcp-only.test"), ==, -1);
  g_assert_cmpint (find_query (lines, start, "A", "tcp-only.test"), ==, -1);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/interop/dispatcher-dns/udp-failover", test_udp_failover);
  g_test_add_func ("/interop/dispatcher-dns/tcp-only", test_tcp_only);
  ret = g_test_run ();
  g_clear_pointer (&ns, netsip_netns_free);
  if (tmp_dir)
    rm_rf (tmp_dir);
  g_free (tmp_dir);
  g_free (dnsmasq_log);
  g_free (setup_failed);
  return ret;
}
