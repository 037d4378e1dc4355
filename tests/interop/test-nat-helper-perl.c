/* test-nat-helper-perl.c: NetSipNatHelper between two real phones, Perl
 * Net::SIP (libnet-sip-perl) with RTP
 *
 * tests/interop/nat-phone.pl runs twice: a callee on 127.0.0.2 that
 * echoes RTP, a caller on 127.0.0.1 that calls it through an outgoing
 * proxy, sends 50 PCMU packets, waits for the echoes and hangs up. The
 * proxy is a tiny stateless forwarder in this test: leg A on 127.0.0.1
 * (the caller's side), leg B on 127.0.0.2 (the callee's side), requests
 * and responses passed across with a Via added or removed, Contact set to
 * the outgoing leg (so in-dialog requests come back through it), and the
 * SDP rewritten by net_sip_nat_helper_rewrite_request() /
 * _rewrite_response(). The phones see only the relay's addresses; their
 * RTP must go through it both ways.
 *
 * Checks: the call succeeds; each phone received what the other sent;
 * the relay's counters (from session-closed after the BYE) equal what
 * each phone says it sent, in datagrams and octets; both phones' sources
 * were learned. Variants: offer in the INVITE, and a late offer (offer in
 * the 200, answer in the ACK).
 *
 * The phones are children ended by their PID (g_subprocess_force_exit) in
 * teardown, with PR_SET_PDEATHSIG in case an assertion aborts the test;
 * every wait is bounded. Skipped when perl or Net::SIP is missing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#ifdef __linux__
#include <signal.h>
#endif

#include "netsip.h"
#include "child-process.h"

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

#define READY_TIMEOUT 10     /* s */
#define CALL_TIMEOUT  30     /* s: the whole call, both phones done */
#define N_PACKETS     50

typedef struct
{
  NetSipTestChild  *child;
  guint64           sent_packets, sent_octets, recv_packets, recv_octets;
  char             *call;
} Peer;

typedef struct
{
  gboolean          late_offer;
  gboolean          skip;
  NetSipLeg        *leg_a;
  NetSipLeg        *leg_b;
  NetSipNatHelper  *helper;
  GInetSocketAddress *caller_sip;   /* learned from the first request on leg A */
  GInetSocketAddress *callee_sip;
  Peer              caller;
  Peer              callee;
  GVariant         *closed;         /* session-closed stats */
  guint             n_nat_errors;
  gboolean          timed_out;
} Fixture;

static char *perl_missing;

/* ------------------------------------------------------------------ */
/* helpers */

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until cond(f) or @seconds pass. */
static gboolean
run_until (Fixture  *f,
           gboolean (*cond) (Fixture *),
           guint     seconds)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (seconds, set_flag, &timed_out);

  while (!cond (f) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return cond (f);
}

static void
peer_start (Peer              *p,
            const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "nat-phone.pl", NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  p->child = netsip_test_child_spawn_array ("nat-phone.pl", argv);
}

static void
peer_stop (Peer *p)
{
  /* SIGKILL to its PID if it still runs */
  g_clear_pointer (&p->child, netsip_test_child_free);
  g_free (p->call);
}

static void
peer_parse (Peer *p)
{
  g_auto(GStrv) lines = g_strsplit (p->child->text[0]->str, "\n", -1);

  for (guint i = 0; lines[i]; i++)
    {
      if (sscanf (lines[i], "RTP-SENT %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  &p->sent_packets, &p->sent_octets) == 2)
        continue;
      if (sscanf (lines[i], "RTP-RECEIVED %" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT,
                  &p->recv_packets, &p->recv_octets) == 2)
        continue;
      if (g_str_has_prefix (lines[i], "CALL "))
        p->call = g_strdup (lines[i] + 5);
    }
}

/* ------------------------------------------------------------------ */
/* The forwarder */

static void
delivered_cb (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_leg_deliver_finish (NET_SIP_LEG (source), result, &error))
    g_test_message ("forwarder: send failed: %s", error->message);
}

static void
forward (Fixture          *f,
         NetSipMessage    *message,
         NetSipLeg        *in,
         NetSipLeg        *out,
         GInetSocketAddress *destination)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contact = NULL;
  gboolean ok;

  if (destination == NULL)
    {
      g_test_message ("forwarder: nowhere to send %s", net_sip_message_get_method (message));
      return;
    }
  if (net_sip_message_get_header (message, "Contact") != NULL)
    {
      contact = g_strdup_printf ("<sip:nat@%s:%u>", net_sip_leg_get_address (out),
                                 net_sip_leg_get_port (out));
      net_sip_message_set_header (message, "Contact", contact);
    }

  if (net_sip_message_is_request (message))
    {
      net_sip_leg_add_via (out, message);
      ok = net_sip_nat_helper_rewrite_request (f->helper, NET_SIP_REQUEST (message), in, out, &error);
    }
  else
    {
      if (!net_sip_leg_check_via (in, message))
        {
          g_test_message ("forwarder: response not for us");
          return;
        }
      net_sip_message_remove_first_header (message, "Via");
      ok = net_sip_nat_helper_rewrite_response (f->helper, NET_SIP_RESPONSE (message), in, out, &error);
    }
  if (!ok)
    {
      g_test_message ("forwarder: NAT helper: %s", error->message);
      f->n_nat_errors++;
      return;
    }
  if (g_getenv ("NAT_TEST_TRACE"))
    {
      g_autofree char *text = net_sip_message_to_string (message);
      g_test_message ("forwarding:\n%s", text);
    }
  net_sip_leg_deliver_async (out, message, destination, NULL, delivered_cb, f);
}

static void
on_leg_a (NetSipLeg        *leg,
          NetSipMessage    *message,
          NetSipSourceInfo *source,
          gpointer          user_data)
{
  Fixture *f = user_data;

  if (f->caller_sip == NULL && net_sip_message_is_request (message))
    f->caller_sip = g_object_ref (net_sip_source_info_get_remote_address (source));
  forward (f, message, f->leg_a, f->leg_b, f->callee_sip);
}

static void
on_leg_b (NetSipLeg        *leg,
          NetSipMessage    *message,
          NetSipSourceInfo *source,
          gpointer          user_data)
{
  Fixture *f = user_data;

  forward (f, message, f->leg_b, f->leg_a, f->caller_sip);
}

static void
on_session_closed (NetSipNatHelper *helper,
                   const char      *call_id,
                   GVariant        *stats,
                   gpointer         user_data)
{
  Fixture *f = user_data;

  g_clear_pointer (&f->closed, g_variant_unref);
  f->closed = g_variant_ref (stats);
}

/* ------------------------------------------------------------------ */

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  guint port_min;

  f->late_offer = GPOINTER_TO_INT (data);
  if (perl_missing)
    {
      g_test_skip (perl_missing);
      f->skip = TRUE;
      return;
    }
  f->leg_a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->leg_b = net_sip_leg_new ("udp:127.0.0.2:0", &error);
  g_assert_no_error (error);
  f->helper = net_sip_nat_helper_new ();
  port_min = 42000 + 100 * (getpid () % 200);
  g_object_set (f->helper, "port-min", port_min, "port-max", port_min + 99,
                "closed-timeout", 0.2, NULL);
  g_signal_connect (f->helper, "session-closed", G_CALLBACK (on_session_closed), f);
  g_signal_connect (f->leg_a, "message-received", G_CALLBACK (on_leg_a), f);
  g_signal_connect (f->leg_b, "message-received", G_CALLBACK (on_leg_b), f);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  peer_stop (&f->caller);
  peer_stop (&f->callee);
  g_clear_object (&f->caller_sip);
  g_clear_object (&f->callee_sip);
  g_clear_pointer (&f->closed, g_variant_unref);
  if (f->helper)
    g_assert_finalize_object (f->helper);
  g_clear_object (&f->leg_a);
  g_clear_object (&f->leg_b);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static gboolean
callee_ready (Fixture *f)
{
  return netsip_test_child_done (f->callee.child) ||
         strstr (f->callee.child->text[0]->str, "READY ") != NULL;
}

static gboolean
all_done (Fixture *f)
{
  return netsip_test_child_done (f->caller.child) && netsip_test_child_done (f->callee.child) &&
         f->closed != NULL;
}

static guint64
media_value (GVariant   *session,
             const char *key)
{
  g_autoptr(GVariant) media = g_variant_lookup_value (session, "media", G_VARIANT_TYPE ("aa{sv}"));
  g_autoptr(GVariant) m0 = NULL;
  g_autoptr(GVariant) v = NULL;

  g_assert_nonnull (media);
  g_assert_cmpuint (g_variant_n_children (media), ==, 1);
  m0 = g_variant_get_child_value (media, 0);
  v = g_variant_lookup_value (m0, key, NULL);
  g_assert_nonnull (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_BOOLEAN))
    return g_variant_get_boolean (v);
  if (g_variant_is_of_type (v, G_VARIANT_TYPE_UINT16))
    return g_variant_get_uint16 (v);
  return g_variant_get_uint64 (v);
}

static void
test_call (Fixture       *f,
           gconstpointer  data)
{
  g_autofree char *to = NULL, *proxy = NULL, *packets = NULL;
  g_autofree char *state = NULL;
  guint64 callee_port = 0;
  const char *ready;

  if (f->skip)
    return;

  {
    const char *args[] = { "--role", "callee", "--addr", "127.0.0.2", "--timeout", "25", NULL };
    peer_start (&f->callee, args);
  }
  g_assert_true (run_until (f, callee_ready, READY_TIMEOUT));
  ready = strstr (f->callee.child->text[0]->str, "READY ");
  g_assert_nonnull (ready);
  {
    g_autofree char *number = g_strndup (ready + 6, strcspn (ready + 6, "\n"));
    g_assert_true (g_ascii_string_to_unsigned (number, 10, 1, 65535, &callee_port, NULL));
  }
  g_assert_cmpuint (callee_port, >, 0);
  {
    g_autoptr(GInetAddress) ia = g_inet_address_new_from_string ("127.0.0.2");
    f->callee_sip = G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (ia, (guint16) callee_port));
  }

  to = g_strdup_printf ("sip:callee@127.0.0.2:%u", (guint) callee_port);
  proxy = g_strdup_printf ("127.0.0.1:%u", net_sip_leg_get_port (f->leg_a));
  packets = g_strdup_printf ("%d", N_PACKETS);
  {
    const char *args[] = { "--role", "caller", "--addr", "127.0.0.1", "--proxy", proxy,
                           "--to", to, "--packets", packets, "--timeout", "25",
                           f->late_offer ? "--late-offer" : NULL, NULL };
    peer_start (&f->caller, args);
  }

  if (!run_until (f, all_done, CALL_TIMEOUT))
    {
      g_test_fail_printf ("call not over within %d s (caller %s, callee %s, session %s)", CALL_TIMEOUT,
                          f->caller.child->exited ? "exited" : "running",
                          f->callee.child->exited ? "exited" : "running",
                          f->closed ? "closed" : "open");
      return;
    }
  peer_parse (&f->caller);
  peer_parse (&f->callee);

  g_assert_cmpuint (f->n_nat_errors, ==, 0);
  g_assert_cmpstr (f->caller.call, ==, "OK");
  g_assert_cmpint (f->caller.child->status, ==, 0);
  g_assert_cmpint (f->callee.child->status, ==, 0);

  /* the phones: all sent arrived */
  g_assert_cmpuint (f->caller.sent_packets, ==, N_PACKETS);
  g_assert_cmpuint (f->callee.recv_packets, ==, f->caller.sent_packets);
  g_assert_cmpuint (f->callee.recv_octets, ==, f->caller.sent_octets);
  g_assert_cmpuint (f->caller.recv_packets, ==, f->callee.sent_packets);
  g_assert_cmpuint (f->caller.recv_octets, ==, f->callee.sent_octets);

  /* the relay counted what each phone sent */
  g_assert_true (g_variant_lookup (f->closed, "state", "s", &state));
  g_assert_cmpstr (state, ==, "bye");
  g_assert_cmpuint (media_value (f->closed, "packets-from-caller"), ==, f->caller.sent_packets);
  g_assert_cmpuint (media_value (f->closed, "bytes-from-caller"), ==, f->caller.sent_octets);
  g_assert_cmpuint (media_value (f->closed, "packets-from-callee"), ==, f->callee.sent_packets);
  g_assert_cmpuint (media_value (f->closed, "bytes-from-callee"), ==, f->callee.sent_octets);
  g_assert_cmpuint (media_value (f->closed, "dropped-packets"), ==, 0);
  g_assert_true (media_value (f->closed, "caller-learned"));
  g_assert_true (media_value (f->closed, "callee-learned"));
  g_assert_cmpuint (net_sip_nat_helper_get_n_sockets (f->helper), ==, 0);
  g_test_message ("relay: %" G_GUINT64_FORMAT " octets from the caller, %" G_GUINT64_FORMAT
                  " from the callee", f->caller.sent_octets, f->callee.sent_octets);
}

int
main (int argc, char *argv[])
{
  g_autofree char *perl = NULL;

  g_test_init (&argc, &argv, NULL);

  perl = g_find_program_in_path ("perl");
  if (perl == NULL)
    perl_missing = g_strdup ("perl not found");
  else
    {
      int status = 0;
      const char *check[] = { perl, "-MNet::SIP", "-e", "1", NULL };

      if (!g_spawn_sync (NULL, (char **) check, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL,
                         NULL, NULL, &status, NULL) || !g_spawn_check_wait_status (status, NULL))
        perl_missing = g_strdup ("Perl Net::SIP missing (apt-get install libnet-sip-perl)");
    }

  g_test_add ("/nat-helper-perl/call", Fixture, GINT_TO_POINTER (FALSE),
              fixture_set_up, test_call, fixture_tear_down);
  g_test_add ("/nat-helper-perl/late-offer", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_call, fixture_tear_down);
  return g_test_run ();
}
