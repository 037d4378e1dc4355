/* test-agent.c: NetSipAgent and NetSipCall: two agents on loopback UDP in
 * one process call each other; registration against a NetSipRegistrar
 * behind a digest NetSipAuthorizer
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>

#include <glib/gstdio.h>

#include "netsip.h"
#include "main-loop-wait.h"

/* Every wait is bounded by this. */
#define WAIT_LIMIT_MS 8000
/* T1 of the agents' dispatchers, in ms: RFC 3261 §17 timers in test time */
#define TEST_T1 50
#define DOMAIN "example.test"

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
/* What a call went through: state-changed as "state/code" strings     */

static const char *
state_name (NetSipCallState state)
{
  g_autoptr(GEnumClass) klass = g_type_class_ref (NET_SIP_TYPE_CALL_STATE);
  GEnumValue *v = g_enum_get_value (klass, state);

  return v ? v->value_nick : "?";
}

static void
on_state_changed (NetSipCall      *call,
                  NetSipCallState  state,
                  NetSipResponse  *response,
                  GString         *log)
{
  /* the property is already the new state when the signal comes */
  g_assert_cmpint (net_sip_call_get_state (call), ==, state);
  if (log->len)
    g_string_append_c (log, ' ');
  g_string_append (log, state_name (state));
  if (response)
    g_string_append_printf (log, "/%u", net_sip_response_get_code (response));
}

static void
free_log (gpointer data)
{
  g_string_free (data, TRUE);
}

/* The log of @call (made on first use) */
static GString *
log_of (NetSipCall *call)
{
  GString *log = g_object_get_data (G_OBJECT (call), "test-log");

  if (log == NULL)
    {
      log = g_string_new (NULL);
      g_object_set_data_full (G_OBJECT (call), "test-log", log, free_log);
      g_signal_connect (call, "state-changed", G_CALLBACK (on_state_changed), log);
    }
  return log;
}

static gboolean
call_closed (NetSipCall *call)
{
  return net_sip_call_get_state (call) == NET_SIP_CALL_STATE_CLOSED;
}

static gboolean
call_established (NetSipCall *call)
{
  return net_sip_call_get_state (call) == NET_SIP_CALL_STATE_ESTABLISHED;
}

static gboolean
call_ringing (NetSipCall *call)
{
  return net_sip_call_get_state (call) == NET_SIP_CALL_STATE_RINGING;
}

/* ------------------------------------------------------------------ */
/* Fixture: agents alice and bob; a registrar server                   */

typedef enum
{
  BOB_DEFAULT,        /* auto-answer */
  BOB_REJECT_486,
  BOB_RING,           /* ring, the test decides */
  BOB_ECHO,           /* echo on its session, then auto-answer */
  BOB_SEND_FILE,      /* sends bob_file, then auto-answer */
} BobMode;

typedef struct
{
  NetSipAgent      *alice;
  NetSipAgent      *bob;
  char             *bob_uri;
  BobMode           bob_mode;
  char             *bob_file;
  char             *dir;            /* temporary files */
  GPtrArray        *bob_calls;      /* incoming-call of bob, in order */
  guint             bob_established;
  guint             bob_closed;
  guint             alice_closed;

  /* registrar: dispatcher, authorizer in front of the registrar */
  NetSipLeg        *reg_leg;
  NetSipDispatcher *reg_dispatcher;
  NetSipAuthorizer *authorizer;
  NetSipRegistrar  *registrar;
  char             *registrar_uri;
  GArray           *registrations;  /* RegEvent of alice */
} Fixture;

typedef struct
{
  gboolean registered;
  guint    expires;
  guint    code;
} RegEvent;

static void
on_incoming_call (NetSipAgent *agent,
                  NetSipCall  *call,
                  Fixture     *f)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (net_sip_call_is_incoming (call));
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_INCOMING);
  g_assert_nonnull (net_sip_call_get_dialog (call));
  g_assert_true (g_object_get_data (G_OBJECT (call), "test-log") == NULL);
  log_of (call);
  g_ptr_array_add (f->bob_calls, g_object_ref (call));
  switch (f->bob_mode)
    {
    case BOB_REJECT_486:
      g_assert_true (net_sip_call_reject (call, 486, NULL, &error));
      g_assert_no_error (error);
      break;
    case BOB_RING:
      g_assert_true (net_sip_call_ring (call, &error));
      g_assert_no_error (error);
      break;
    case BOB_ECHO:
      net_sip_rtp_session_set_echo (net_sip_call_get_rtp_session (call), TRUE);
      break;
    case BOB_SEND_FILE:
      g_assert_true (net_sip_rtp_session_send_file (net_sip_call_get_rtp_session (call),
                                                    f->bob_file, NET_SIP_CODEC_PCMU, TRUE,
                                                    &error));
      g_assert_no_error (error);
      break;
    case BOB_DEFAULT:
    default:
      break;
    }
}

static void
on_bob_established (NetSipAgent *agent,
                    NetSipCall  *call,
                    Fixture     *f)
{
  f->bob_established++;
}

static void
on_bob_closed (NetSipAgent *agent,
               NetSipCall  *call,
               Fixture     *f)
{
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_CLOSED);
  f->bob_closed++;
}

static void
on_alice_closed (NetSipAgent *agent,
                 NetSipCall  *call,
                 Fixture     *f)
{
  f->alice_closed++;
}

static void
on_registration_changed (NetSipAgent *agent,
                         gboolean     registered,
                         guint        expires,
                         guint        code,
                         Fixture     *f)
{
  RegEvent e = { registered, expires, code };

  g_assert_cmpint (net_sip_agent_get_registered (agent), ==, registered);
  g_array_append_val (f->registrations, e);
}

static NetSipAgent *
make_agent (const char *from)
{
  g_autoptr(GError) error = NULL;
  const char *legs[] = { "udp:127.0.0.1:0", NULL };
  NetSipAgent *agent = net_sip_agent_new (from, legs, &error);

  g_assert_no_error (error);
  g_assert_nonnull (agent);
  g_object_set (net_sip_agent_get_dispatcher (agent), "t1", TEST_T1, NULL);
  return agent;
}

static guint16
agent_port (NetSipAgent *agent)
{
  g_autoptr(GPtrArray) legs = net_sip_dispatcher_get_legs (net_sip_agent_get_dispatcher (agent),
                                                           NULL, 0, -1, NULL, NULL, NULL);
  g_assert_cmpuint (legs->len, ==, 1);
  return net_sip_leg_get_port (g_ptr_array_index (legs, 0));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  memset (f, 0, sizeof *f);
  f->alice = make_agent ("\"Alice\" <sip:alice@" DOMAIN ">");
  f->bob = make_agent ("sip:bob@" DOMAIN);
  f->bob_uri = g_strdup_printf ("sip:bob@127.0.0.1:%u", agent_port (f->bob));
  f->bob_calls = g_ptr_array_new_with_free_func (g_object_unref);
  f->registrations = g_array_new (FALSE, TRUE, sizeof (RegEvent));
  g_signal_connect (f->bob, "incoming-call", G_CALLBACK (on_incoming_call), f);
  g_signal_connect (f->bob, "call-established", G_CALLBACK (on_bob_established), f);
  g_signal_connect (f->bob, "call-closed", G_CALLBACK (on_bob_closed), f);
  g_signal_connect (f->alice, "call-closed", G_CALLBACK (on_alice_closed), f);
  g_signal_connect (f->alice, "registration-changed", G_CALLBACK (on_registration_changed), f);
  net_sip_agent_listen (f->bob);
}

/* A registrar on its own dispatcher, behind digest (realm example.test,
 * alice/secret) */
static void
registrar_set_up (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLocationStore) store = NET_SIP_LOCATION_STORE (net_sip_memory_store_new ());
  NetSipLeg *legs[1];

  f->reg_leg = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  legs[0] = f->reg_leg;
  f->reg_dispatcher = net_sip_dispatcher_new (legs, 1);
  g_object_set (f->reg_dispatcher, "t1", TEST_T1, NULL);
  f->registrar = net_sip_registrar_new (f->reg_dispatcher, store);
  net_sip_registrar_set_domains (f->registrar, (const char * const[]) { DOMAIN, NULL });
  g_object_set (f->registrar, "min-expires", 1, NULL);
  f->authorizer = net_sip_authorizer_new (f->reg_dispatcher, DOMAIN);
  net_sip_authorizer_set_password (f->authorizer, "alice", "secret");
  net_sip_authorizer_set_next (f->authorizer, NET_SIP_RECEIVER (f->registrar));
  net_sip_dispatcher_set_receiver (f->reg_dispatcher, NET_SIP_RECEIVER (f->authorizer));
  f->registrar_uri = g_strdup_printf ("sip:127.0.0.1:%u", net_sip_leg_get_port (f->reg_leg));
}

static void
shut_down (NetSipAgent *agent);

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_pointer (&f->bob_calls, g_ptr_array_unref);
  if (f->alice)
    shut_down (f->alice);
  if (f->bob)
    shut_down (f->bob);
  if (f->alice)
    g_assert_finalize_object (f->alice);
  if (f->bob)
    g_assert_finalize_object (f->bob);
  if (f->reg_dispatcher)
    {
      net_sip_dispatcher_set_receiver (f->reg_dispatcher, NULL);
      g_clear_object (&f->authorizer);
      g_clear_object (&f->registrar);
      g_object_run_dispose (G_OBJECT (f->reg_dispatcher));
      g_clear_object (&f->reg_dispatcher);
      g_clear_object (&f->reg_leg);
    }
  g_free (f->registrar_uri);
  g_free (f->bob_uri);
  g_free (f->bob_file);
  if (f->dir)
    {
      g_autoptr(GDir) d = g_dir_open (f->dir, 0, NULL);
      const char *name;

      while (d && (name = g_dir_read_name (d)))
        {
          g_autofree char *path = g_build_filename (f->dir, name, NULL);
          g_unlink (path);
        }
      g_rmdir (f->dir);
      g_free (f->dir);
    }
  g_array_unref (f->registrations);
  netsip_test_run_for (20);
}

/* ------------------------------------------------------------------ */
/* Async results                                                       */

typedef struct
{
  gboolean done;
  gboolean ok;
  guint    expires;
  GError  *error;
} Result;

static void
result_clear (Result *r)
{
  g_clear_error (&r->error);
  r->done = r->ok = FALSE;
  r->expires = 0;
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Result *r = user_data;

  r->ok = net_sip_agent_register_finish (NET_SIP_AGENT (source), result, &r->expires, &r->error);
  r->done = TRUE;
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Result *r = user_data;

  r->ok = net_sip_agent_unregister_finish (NET_SIP_AGENT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_shut_down (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->ok = net_sip_agent_shutdown_finish (NET_SIP_AGENT (source), result, &r->error);
  r->done = TRUE;
}

static void
on_reinvited (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  r->ok = net_sip_call_reinvite_finish (NET_SIP_CALL (source), result, &r->error);
  r->done = TRUE;
}

static void
shut_down (NetSipAgent *agent)
{
  Result r = { 0 };

  net_sip_agent_shutdown_async (agent, NULL, on_shut_down, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

/* alice calls bob; returns alice's call (its log started) */
static NetSipCall *
alice_calls_bob (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  NetSipCall *call = net_sip_agent_invite (f->alice, f->bob_uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (call);
  g_assert_false (net_sip_call_is_incoming (call));
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_CALLING);
  g_assert_cmpstr (net_sip_call_get_peer (call), ==, f->bob_uri);
  g_assert_nonnull (net_sip_call_get_call_id (call));
  g_assert_nonnull (net_sip_call_get_local_sdp (call));
  log_of (call);
  return call;
}

static gboolean
bob_has_call (Fixture *f)
{
  return f->bob_calls->len > 0;
}

static NetSipCall *
bob_call (Fixture *f)
{
  g_assert_cmpuint (f->bob_calls->len, >, 0);
  return g_ptr_array_index (f->bob_calls, f->bob_calls->len - 1);
}

static const char *
log_str (NetSipCall *call)
{
  return log_of (call)->str;
}

static NetSipSdpDirection
direction_of (NetSipSdp *sdp)
{
  g_assert_nonnull (sdp);
  g_assert_cmpuint (net_sip_sdp_get_n_media (sdp), >=, 1);
  return net_sip_sdp_get_media_direction (sdp, 0);
}

/* alice calls bob, bob answers by itself; both established */
static NetSipCall *
established_call (Fixture *f)
{
  NetSipCall *call = alice_calls_bob (f);

  run_until (call_established, call);
  run_until (bob_has_call, f);
  run_until (call_established, bob_call (f));
  return call;
}

static void
test_call_accepted (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GPtrArray) calls = NULL;
  g_autoptr(GError) error = NULL;
  NetSipCall *in;

  call = established_call (f);
  in = bob_call (f);
  g_assert_cmpstr (log_str (call), ==, "established/200");
  g_assert_cmpstr (log_str (in), ==, "established");
  g_assert_cmpuint (f->bob_established, ==, 1);
  g_assert_cmpuint (net_sip_call_get_final_code (call), ==, 200);
  g_assert_cmpuint (net_sip_call_get_final_code (in), ==, 200);
  g_assert_cmpstr (net_sip_call_get_call_id (call), ==, net_sip_call_get_call_id (in));
  g_assert_true (g_str_has_prefix (net_sip_call_get_peer (in), "sip:alice@" DOMAIN));
  {
    g_autoptr(NetSipAgent) agent = NULL;
    g_object_get (in, "agent", &agent, NULL);
    g_assert_true (agent == f->bob);
  }
  g_assert_nonnull (net_sip_call_get_dialog (call));
  g_assert_cmpint (net_sip_dialog_get_state (net_sip_call_get_dialog (call)), ==,
                   NET_SIP_DIALOG_CONFIRMED);
  /* offer/answer: each side has the other's description */
  g_assert_nonnull (net_sip_call_get_remote_sdp (call));
  g_assert_nonnull (net_sip_call_get_remote_sdp (in));
  g_assert_cmpint (direction_of (net_sip_call_get_remote_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  calls = net_sip_agent_get_calls (f->alice);
  g_assert_cmpuint (calls->len, ==, 1);
  g_assert_true (g_ptr_array_index (calls, 0) == call);

  /* methods that do not apply */
  g_assert_false (net_sip_call_accept (call, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_false (net_sip_call_cancel (call, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  g_clear_error (&error);
  g_assert_false (net_sip_call_ring (in, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  g_clear_error (&error);

  /* BYE from the caller */
  g_assert_true (net_sip_call_bye (call, &error));
  g_assert_no_error (error);
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_CLOSING);
  run_until (call_closed, call);
  run_until (call_closed, in);
  g_assert_cmpstr (log_str (call), ==, "established/200 closing closed/200");
  g_assert_cmpstr (log_str (in), ==, "established closed");
  g_assert_cmpuint (f->alice_closed, ==, 1);
  g_assert_cmpuint (f->bob_closed, ==, 1);
  g_ptr_array_unref (calls);
  calls = net_sip_agent_get_calls (f->alice);
  g_assert_cmpuint (calls->len, ==, 0);
  g_assert_cmpint (net_sip_dialog_get_state (net_sip_call_get_dialog (call)), ==,
                   NET_SIP_DIALOG_TERMINATED);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (net_sip_agent_get_endpoint (f->alice)), ==, 0);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (net_sip_agent_get_endpoint (f->bob)), ==, 0);
  /* hangup on a closed call does nothing */
  net_sip_call_hangup (call);
  g_assert_false (net_sip_call_bye (call, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
}

static void
test_bye_from_callee (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipCall) call = established_call (f);
  g_autoptr(GError) error = NULL;
  NetSipCall *in = bob_call (f);

  g_assert_true (net_sip_call_bye (in, &error));
  g_assert_no_error (error);
  run_until (call_closed, in);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (in), ==, "established closing closed/200");
  g_assert_cmpstr (log_str (call), ==, "established/200 closed");
  g_assert_cmpuint (f->alice_closed, ==, 1);
}

static void
test_call_rejected (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;

  f->bob_mode = BOB_REJECT_486;
  call = alice_calls_bob (f);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (call), ==, "closed/486");
  g_assert_cmpuint (net_sip_call_get_final_code (call), ==, 486);
  g_assert_cmpuint (f->bob_calls->len, ==, 1);
  g_assert_cmpstr (log_str (bob_call (f)), ==, "closed");
  g_assert_cmpuint (net_sip_call_get_final_code (bob_call (f)), ==, 486);
  g_assert_cmpuint (f->bob_established, ==, 0);
  g_assert_cmpuint (f->bob_closed, ==, 1);
  g_assert_cmpuint (f->alice_closed, ==, 1);
}

static void
test_ringing_then_accepted (Fixture       *f,
                            gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  NetSipCall *in;

  f->bob_mode = BOB_RING;
  call = alice_calls_bob (f);
  run_until (call_ringing, call);
  in = bob_call (f);
  g_assert_cmpint (net_sip_call_get_state (in), ==, NET_SIP_CALL_STATE_RINGING);
  /* bob decides later: nothing happens meanwhile */
  netsip_test_run_for (300);
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_RINGING);
  g_assert_true (net_sip_call_accept (in, &error));
  g_assert_no_error (error);
  run_until (call_established, call);
  g_assert_cmpstr (log_str (call), ==, "ringing/180 established/200");
  g_assert_cmpstr (log_str (in), ==, "ringing established");
  net_sip_call_hangup (call);
  run_until (call_closed, in);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (call), ==, "ringing/180 established/200 closing closed/200");
}

static void
test_cancel_while_ringing (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  NetSipCall *in;

  f->bob_mode = BOB_RING;
  call = alice_calls_bob (f);
  run_until (call_ringing, call);
  in = bob_call (f);
  g_assert_true (net_sip_call_cancel (call, &error));
  g_assert_no_error (error);
  run_until (call_closed, call);
  run_until (call_closed, in);
  g_assert_cmpstr (log_str (call), ==, "ringing/180 closing closed/487");
  g_assert_cmpuint (net_sip_call_get_final_code (call), ==, 487);
  g_assert_cmpstr (log_str (in), ==, "ringing closed");
  g_assert_cmpuint (net_sip_call_get_final_code (in), ==, 487);
  g_assert_cmpuint (f->bob_established, ==, 0);
  /* too late for bob */
  g_assert_false (net_sip_call_accept (in, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (net_sip_agent_get_endpoint (f->bob)), ==, 0);
}

/* the 2xx crosses our CANCEL (RFC 3261 §9.1): the call is made and
 * ended with BYE at once (the endpoint's) */
static void
test_cancel_crossing_2xx (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  NetSipCall *in;

  f->bob_mode = BOB_RING;
  call = alice_calls_bob (f);
  run_until (call_ringing, call);
  in = bob_call (f);
  /* both in the same main loop iteration: the 200 leaves before the
   * CANCEL arrives */
  g_assert_true (net_sip_call_accept (in, &error));
  g_assert_true (net_sip_call_cancel (call, &error));
  g_assert_no_error (error);
  run_until (call_closed, call);
  run_until (call_closed, in);
  g_assert_cmpstr (log_str (call), ==, "ringing/180 closing closed");
  g_assert_cmpuint (net_sip_call_get_final_code (call), ==, 200);
  g_assert_cmpstr (log_str (in), ==, "ringing established closed");
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (net_sip_agent_get_endpoint (f->alice)), ==, 0);
  g_assert_cmpuint (net_sip_endpoint_get_n_dialogs (net_sip_agent_get_endpoint (f->bob)), ==, 0);
}

static void
test_hold_resume (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(NetSipCall) call = established_call (f);
  NetSipCall *in = bob_call (f);
  Result r = { 0 };
  const char *version_before;
  g_autofree char *version_copy = NULL;

  version_copy = g_strdup (net_sip_sdp_get_origin_session_version (net_sip_call_get_local_sdp (call)));
  version_before = version_copy;

  /* hold: we offer sendonly, the peer answers recvonly (RFC 3264 §8.4) */
  net_sip_call_reinvite_async (call, NET_SIP_SDP_DIRECTION_SENDONLY, NULL, on_reinvited, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpint (direction_of (net_sip_call_get_local_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDONLY);
  g_assert_cmpstr (net_sip_sdp_get_origin_session_version (net_sip_call_get_local_sdp (call)), !=,
                   version_before);
  g_assert_cmpint (direction_of (net_sip_call_get_remote_sdp (in)), ==,
                   NET_SIP_SDP_DIRECTION_SENDONLY);
  g_assert_cmpint (direction_of (net_sip_call_get_local_sdp (in)), ==,
                   NET_SIP_SDP_DIRECTION_RECVONLY);
  g_assert_cmpint (direction_of (net_sip_call_get_remote_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_RECVONLY);
  /* the sessions follow: alice only sends, bob only receives */
  g_assert_cmpint (net_sip_rtp_session_get_direction (net_sip_call_get_rtp_session (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDONLY);
  g_assert_cmpint (net_sip_rtp_session_get_direction (net_sip_call_get_rtp_session (in)), ==,
                   NET_SIP_SDP_DIRECTION_RECVONLY);
  /* still the same call, no state change */
  g_assert_cmpstr (log_str (call), ==, "established/200");
  g_assert_cmpstr (log_str (in), ==, "established");
  result_clear (&r);

  /* resume */
  net_sip_call_reinvite_async (call, NET_SIP_SDP_DIRECTION_SENDRECV, NULL, on_reinvited, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_cmpint (direction_of (net_sip_call_get_local_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (direction_of (net_sip_call_get_local_sdp (in)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (direction_of (net_sip_call_get_remote_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (net_sip_rtp_session_get_direction (net_sip_call_get_rtp_session (call)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  g_assert_cmpint (net_sip_rtp_session_get_direction (net_sip_call_get_rtp_session (in)), ==,
                   NET_SIP_SDP_DIRECTION_SENDRECV);
  result_clear (&r);

  /* the callee's re-INVITE is answered by the caller: inactive both ways */
  net_sip_call_reinvite_async (in, NET_SIP_SDP_DIRECTION_INACTIVE, NULL, on_reinvited, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_cmpint (direction_of (net_sip_call_get_local_sdp (call)), ==,
                   NET_SIP_SDP_DIRECTION_INACTIVE);
  g_assert_cmpint (direction_of (net_sip_call_get_remote_sdp (in)), ==,
                   NET_SIP_SDP_DIRECTION_INACTIVE);
  g_assert_cmpint (net_sip_rtp_session_get_direction (net_sip_call_get_rtp_session (call)), ==,
                   NET_SIP_SDP_DIRECTION_INACTIVE);
  result_clear (&r);

  net_sip_call_hangup (in);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (call), ==, "established/200 closed");
}

/* a second re-INVITE while one is pending, and re-INVITE before the
 * answer: WRONG_STATE */
static void
test_reinvite_wrong_state (Fixture       *f,
                           gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  Result r1 = { 0 }, r2 = { 0 };

  f->bob_mode = BOB_RING;
  call = alice_calls_bob (f);
  run_until (call_ringing, call);
  net_sip_call_reinvite_async (call, NET_SIP_SDP_DIRECTION_SENDONLY, NULL, on_reinvited, &r1);
  run_until (flag_set, &r1.done);
  g_assert_error (r1.error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  result_clear (&r1);
  g_assert_true (net_sip_call_accept (bob_call (f), NULL));
  run_until (call_established, call);
  net_sip_call_reinvite_async (call, NET_SIP_SDP_DIRECTION_SENDONLY, NULL, on_reinvited, &r1);
  net_sip_call_reinvite_async (call, NET_SIP_SDP_DIRECTION_INACTIVE, NULL, on_reinvited, &r2);
  run_until (flag_set, &r2.done);
  g_assert_error (r2.error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  run_until (flag_set, &r1.done);
  g_assert_no_error (r1.error);
  result_clear (&r1);
  result_clear (&r2);
  net_sip_call_hangup (call);
  run_until (call_closed, call);
}

/* auto-answer FALSE: an undecided call is rejected 480; without listen()
 * the endpoint answers 480 too */
static void
test_auto_answer_off (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(NetSipCall) call2 = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *alice_uri = g_strdup_printf ("sip:alice@127.0.0.1:%u", agent_port (f->alice));

  g_object_set (f->bob, "auto-answer", FALSE, NULL);
  call = alice_calls_bob (f);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (call), ==, "closed/480");
  g_assert_cmpuint (f->bob_calls->len, ==, 1);
  g_assert_cmpuint (net_sip_call_get_final_code (bob_call (f)), ==, 480);

  /* alice does not listen */
  call2 = net_sip_agent_invite (f->bob, alice_uri, &error);
  g_assert_no_error (error);
  log_of (call2);
  run_until (call_closed, call2);
  g_assert_cmpstr (log_str (call2), ==, "closed/480");
}

/* a target without a host gets the agent's domain; garbage is refused */
static void
test_invite_targets (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipAgent) agent = NULL;
  NetSipCall *call;
  const char *no_legs[] = { NULL };

  call = net_sip_agent_invite (f->alice, "sip:", &error);
  g_assert_null (call);
  g_assert_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_INVALID);
  g_clear_error (&error);

  agent = net_sip_agent_new ("not a uri", no_legs, &error);
  g_assert_null (agent);
  g_assert_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_INVALID);
  g_clear_error (&error);
  agent = net_sip_agent_new ("sip:carol@" DOMAIN, (const char *[]) { "udp:nonsense", NULL },
                             &error);
  g_assert_null (agent);
  g_assert_nonnull (error);
  g_clear_error (&error);

  /* domain from `from`, overridable */
  {
    g_autofree char *d = NULL;
    g_object_get (f->alice, "domain", &d, NULL);
    g_assert_cmpstr (d, ==, DOMAIN);
  }
  /* "bob" → sip:bob@<domain>; 127.0.0.1:port as the domain reaches bob */
  {
    g_autofree char *d = g_strdup_printf ("127.0.0.1:%u", agent_port (f->bob));
    g_autoptr(NetSipCall) c = NULL;
    g_object_set (f->alice, "domain", d, NULL);
    c = net_sip_agent_invite (f->alice, "bob", &error);
    g_assert_no_error (error);
    g_assert_cmpstr (net_sip_call_get_peer (c), ==, f->bob_uri);
    run_until (call_established, c);
    net_sip_call_hangup (c);
    run_until (call_closed, c);
  }
}

/* OPTIONS answered with options-headers */
static void
on_options_answered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  NetSipResponse **response = user_data;
  g_autoptr(GError) error = NULL;

  g_assert_true (net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, response,
                                                  NULL, &error));
  g_assert_no_error (error);
}

static gboolean
response_set (NetSipResponse **response)
{
  return *response != NULL;
}

static void
test_options (Fixture       *f,
              gconstpointer  data)
{
  NetSipEndpoint *ep = net_sip_agent_get_endpoint (f->alice);
  g_autoptr(NetSipRequest) options = NULL;
  g_autoptr(NetSipResponse) response = NULL;
  NetSipMessage *m;

  g_object_set (f->bob, "options-headers",
                (const char * const[]) { "X-Test: bob here", NULL }, NULL);
  options = net_sip_endpoint_new_request (ep, NULL, "OPTIONS", "sip:alice@" DOMAIN, f->bob_uri,
                                          NULL, NULL, NULL);
  net_sip_endpoint_deliver_async (ep, options, NULL, on_options_answered, &response);
  run_until (response_set, &response);
  m = NET_SIP_MESSAGE (response);
  g_assert_cmpuint (net_sip_response_get_code (response), ==, 200);
  g_assert_cmpstr (net_sip_message_get_header (m, "X-Test"), ==, "bob here");
  g_assert_nonnull (strstr (net_sip_message_get_header (m, "Allow"), "INVITE"));
  g_assert_cmpstr (net_sip_message_get_header (m, "Accept"), ==, "application/sdp");
}

/* outgoing-proxy and domain2proxy take a call for sip:bob@example.test
 * to bob's leg (Net::SIP::Simple outgoing_proxy, domain2proxy) */
static void
test_proxies (Fixture       *f,
              gconstpointer  data)
{
  g_autofree char *hop = g_strdup_printf ("udp:127.0.0.1:%u", agent_port (f->bob));
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipCall) c1 = NULL;
  g_autoptr(NetSipCall) c2 = NULL;
  g_autofree char *map = g_strdup_printf ("example.test=%s", hop);
  const char *d2p[] = { map, NULL };

  g_object_set (f->alice, "outgoing-proxy", hop, NULL);
  c1 = net_sip_agent_invite (f->alice, "sip:bob@" DOMAIN, &error);
  g_assert_no_error (error);
  log_of (c1);
  run_until (call_established, c1);
  net_sip_call_hangup (c1);
  run_until (call_closed, c1);
  g_assert_cmpstr (log_str (c1), ==, "established/200 closing closed/200");

  g_object_set (f->alice, "outgoing-proxy", NULL, "domain2proxy", d2p, NULL);
  c2 = net_sip_agent_invite (f->alice, "bob", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (net_sip_call_get_peer (c2), ==, "sip:bob@" DOMAIN);
  log_of (c2);
  run_until (call_established, c2);
  net_sip_call_hangup (c2);
  run_until (call_closed, c2);
  g_assert_cmpuint (f->bob_calls->len, ==, 2);

  /* a preloaded route set (§8.1.2): the INVITE goes to its first entry
   * (example.test itself does not resolve: domain2proxy is gone) */
  {
    g_autofree char *route = g_strdup_printf ("sip:127.0.0.1:%u;lr", agent_port (f->bob));
    const char *routes[] = { route, NULL };
    g_autoptr(NetSipCall) c3 = NULL;

    g_autoptr(NetSipCall) c0 = NULL;

    /* without the mapping the domain leads nowhere */
    g_object_set (f->alice, "domain2proxy", NULL, NULL);
    c0 = net_sip_agent_invite (f->alice, "sip:bob@" DOMAIN, &error);
    g_assert_no_error (error);
    run_until (call_closed, c0);
    g_assert_cmpuint (net_sip_call_get_final_code (c0), !=, 200);
    g_assert_cmpuint (f->bob_calls->len, ==, 2);

    g_object_set (f->alice, "route", routes, NULL);
    c3 = net_sip_agent_invite (f->alice, "sip:bob@" DOMAIN, &error);
    g_assert_no_error (error);
    run_until (call_established, c3);
    g_assert_cmpuint (f->bob_calls->len, ==, 3);
    net_sip_call_hangup (c3);
    run_until (call_closed, c3);
  }
}

/* an INVITE without offer (RFC 3261 §13.2.1): bob's 200 carries the
 * offer, alice's ACK the answer; a re-INVITE without offer likewise */
typedef struct
{
  NetSipRtpSession *session;     /* alice's side, made by hand */
  guint             n_acks;
} NoOffer;

static void
on_ack_prepared (NetSipEndpoint *endpoint,
                 NetSipDialog   *dialog,
                 NetSipRequest  *ack,
                 NetSipResponse *response,
                 NoOffer        *n)
{
  g_autoptr(GBytes) body = net_sip_message_get_body (NET_SIP_MESSAGE (response));
  g_autoptr(NetSipSdp) offer = NULL;
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GBytes) answer_bytes = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (body);
  offer = net_sip_sdp_parse (body, &error);
  g_assert_no_error (error);
  answer = net_sip_rtp_session_create_answer (n->session, offer, &error);
  g_assert_no_error (error);
  answer_bytes = net_sip_sdp_to_bytes (answer);
  net_sip_message_set_body (NET_SIP_MESSAGE (ack), answer_bytes, "application/sdp");
  n->n_acks++;
}

static void
on_raw_invited (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  NetSipDialog **dialog = user_data;
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_true (net_sip_endpoint_invite_finish (NET_SIP_ENDPOINT (source), result, &response,
                                                 dialog, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_response_get_code (response), ==, 200);
}

static gboolean
dialog_set (NetSipDialog **dialog)
{
  return *dialog != NULL;
}

/* the call's remote description is not @before any more */
static gboolean
remote_sdp_changed (NetSipCall *call)
{
  NetSipSdp *sdp = net_sip_call_get_remote_sdp (call);
  return sdp && sdp != g_object_get_data (G_OBJECT (call), "before");
}

static void
test_invite_without_offer (Fixture       *f,
                           gconstpointer  data)
{
  NetSipEndpoint *ep = net_sip_agent_get_endpoint (f->alice);
  g_autoptr(NetSipRequest) invite = NULL;
  g_autoptr(NetSipRequest) reinvite = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  g_autoptr(NetSipDialog) dialog2 = NULL;
  g_autoptr(GError) error = NULL;
  NoOffer n = { 0 };
  NetSipCall *in;
  gulong id;

  n.session = net_sip_rtp_session_new ("127.0.0.1", 0, 0, &error);
  g_assert_no_error (error);
  id = g_signal_connect (ep, "ack-prepared", G_CALLBACK (on_ack_prepared), &n);
  invite = net_sip_endpoint_new_request (ep, NULL, "INVITE", "sip:alice@" DOMAIN, f->bob_uri,
                                         NULL, NULL, NULL);
  net_sip_endpoint_invite_async (ep, invite, NULL, on_raw_invited, &dialog);
  run_until (dialog_set, &dialog);
  run_until (bob_has_call, f);
  in = bob_call (f);
  g_assert_cmpuint (n.n_acks, ==, 1);
  /* bob offered in the 200 and took the answer from the ACK */
  {
    g_autoptr(GBytes) body = net_sip_message_get_body (NET_SIP_MESSAGE (invite));
    g_assert_cmpuint (body ? g_bytes_get_size (body) : 0, ==, 0);
  }
  g_assert_nonnull (net_sip_call_get_local_sdp (in));
  run_until (remote_sdp_changed, in);
  g_assert_cmpuint (net_sip_sdp_get_media_port (net_sip_call_get_remote_sdp (in), 0), ==,
                    net_sip_rtp_session_get_local_port (n.session));
  g_assert_nonnull (net_sip_rtp_session_get_remote (net_sip_call_get_rtp_session (in)));
  g_assert_cmpuint (g_inet_socket_address_get_port (net_sip_rtp_session_get_remote (net_sip_call_get_rtp_session (in))),
                    ==, net_sip_rtp_session_get_local_port (n.session));

  /* a re-INVITE without offer: the same again inside the dialog */
  reinvite = net_sip_endpoint_new_request (ep, dialog, "INVITE", NULL, NULL, NULL, NULL, NULL);
  net_sip_endpoint_invite_async (ep, reinvite, NULL, on_raw_invited, &dialog2);
  run_until (dialog_set, &dialog2);
  g_assert_true (dialog2 == dialog);
  g_assert_cmpuint (n.n_acks, ==, 2);
  g_object_set_data (G_OBJECT (in), "before", net_sip_call_get_remote_sdp (in));
  run_until (remote_sdp_changed, in);
  g_signal_handler_disconnect (ep, id);
  g_assert_cmpint (net_sip_call_get_state (in), ==, NET_SIP_CALL_STATE_ESTABLISHED);

  net_sip_endpoint_close_dialog (ep, dialog);
  run_until (call_closed, in);
  g_assert_cmpstr (log_str (in), ==, "established closed");
  g_object_unref (n.session);
}

/* the agent goes away with a call up (no shutdown): the call is closed,
 * stays usable as an object, and nothing is left running */
static void
test_dispose_with_call (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(NetSipCall) call = established_call (f);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipAgent) agent = NULL;

  g_clear_object (&f->alice);
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_CLOSED);
  g_object_get (call, "agent", &agent, NULL);
  g_assert_null (agent);
  g_assert_false (net_sip_call_bye (call, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  net_sip_call_hangup (call);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (net_sip_call_get_rtp_session (call)), ==, 0);
  /* bob's side ends by itself: its BYE gets no answer (Timer F, 64*T1) */
  net_sip_call_hangup (bob_call (f));
  run_until (call_closed, bob_call (f));
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static gboolean
registrations_reached (Fixture *f)
{
  return f->registrations->len >= GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (f->alice),
                                                                        "want"));
}

static void
wait_registrations (Fixture *f,
                    guint    n)
{
  g_object_set_data (G_OBJECT (f->alice), "want", GUINT_TO_POINTER (n));
  run_until (registrations_reached, f);
}

static void
test_register (Fixture       *f,
               gconstpointer  data)
{
  Result r = { 0 };
  g_auto(GStrv) contacts = NULL;
  g_autoptr(GError) error = NULL;
  RegEvent *e;

  registrar_set_up (f);
  g_object_set (f->alice, "registrar", f->registrar_uri, NULL);

  /* wrong password: refused, not registered */
  g_object_set (f->alice, "username", "alice", "password", "wrong", NULL);
  net_sip_agent_register_async (f->alice, 60, NULL, on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_false (r.ok);
  g_assert_error (r.error, NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_REJECTED);
  g_assert_false (net_sip_agent_get_registered (f->alice));
  wait_registrations (f, 1);
  e = &g_array_index (f->registrations, RegEvent, 0);
  g_assert_false (e->registered);
  g_assert_cmpuint (e->code, ==, 401);   /* the challenge that came again */
  result_clear (&r);
  contacts = net_sip_registrar_lookup_contacts (f->registrar, "sip:alice@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts ? g_strv_length (contacts) : 0, ==, 0);
  g_clear_pointer (&contacts, g_strfreev);

  /* the right one: registered, the binding is at the registrar */
  g_object_set (f->alice, "password", "secret", NULL);
  net_sip_agent_register_async (f->alice, 60, NULL, on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_cmpuint (r.expires, >, 0);
  g_assert_cmpuint (r.expires, <=, 60);
  g_assert_true (net_sip_agent_get_registered (f->alice));
  wait_registrations (f, 2);
  e = &g_array_index (f->registrations, RegEvent, 1);
  g_assert_true (e->registered);
  g_assert_cmpuint (e->code, ==, 200);
  g_assert_cmpuint (e->expires, ==, r.expires);
  result_clear (&r);
  contacts = net_sip_registrar_lookup_contacts (f->registrar, "sip:alice@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_nonnull (contacts);
  g_assert_cmpuint (g_strv_length (contacts), ==, 1);
  {
    g_autofree char *port = g_strdup_printf ("127.0.0.1:%u", agent_port (f->alice));
    g_assert_nonnull (strstr (contacts[0], port));
  }
  g_clear_pointer (&contacts, g_strfreev);

  /* unregistered: the binding is gone */
  net_sip_agent_unregister_async (f->alice, NULL, on_unregistered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  g_assert_false (net_sip_agent_get_registered (f->alice));
  wait_registrations (f, 3);
  e = &g_array_index (f->registrations, RegEvent, 2);
  g_assert_false (e->registered);
  g_assert_cmpuint (e->expires, ==, 0);
  g_assert_cmpuint (e->code, ==, 200);
  result_clear (&r);
  contacts = net_sip_registrar_lookup_contacts (f->registrar, "sip:alice@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts ? g_strv_length (contacts) : 0, ==, 0);
}

/* the binding is refreshed before it runs out: registration-changed
 * again with registered TRUE */
static void
test_register_refresh (Fixture       *f,
                       gconstpointer  data)
{
  Result r = { 0 };

  registrar_set_up (f);
  g_object_set (f->alice, "registrar", f->registrar_uri, "username", "alice",
                "password", "secret", NULL);
  net_sip_agent_register_async (f->alice, 2, NULL, on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_cmpuint (r.expires, ==, 2);
  /* refresh at half the granted time: 1 s, twice */
  wait_registrations (f, 3);
  for (guint i = 1; i < 3; i++)
    {
      g_assert_true (g_array_index (f->registrations, RegEvent, i).registered);
      g_assert_cmpuint (g_array_index (f->registrations, RegEvent, i).code, ==, 200);
    }
  /* the refreshes answered the last challenge again (RFC 3261 §22.3):
   * only the first REGISTER was challenged */
  {
    guint64 challenged = 0, accepted = 0;

    g_object_get (f->authorizer, "challenged-requests", &challenged,
                  "accepted-requests", &accepted, NULL);
    g_assert_cmpuint (challenged, ==, 1);
    g_assert_cmpuint (accepted, ==, 3);
  }
  result_clear (&r);
}

/* shutdown: the call ends with BYE, the binding is removed, the legs
 * are closed, and all of it in bounded time */
static void
test_shutdown (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) contacts = NULL;
  Result r = { 0 };
  gint64 start;
  NetSipCall *in;

  registrar_set_up (f);
  g_object_set (f->alice, "registrar", f->registrar_uri, "username", "alice",
                "password", "secret", NULL);
  net_sip_agent_register_async (f->alice, 60, NULL, on_registered, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  result_clear (&r);
  call = established_call (f);
  in = bob_call (f);

  start = g_get_monotonic_time ();
  net_sip_agent_shutdown_async (f->alice, NULL, on_shut_down, &r);
  /* refused at once while shutting down */
  g_assert_null (net_sip_agent_invite (f->alice, f->bob_uri, &error));
  g_assert_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_SHUT_DOWN);
  g_clear_error (&error);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
  /* the BYE and the unregistration were answered: no waiting for the
   * 2 s bound */
  g_assert_cmpint (g_get_monotonic_time () - start, <, 1500 * 1000);
  g_assert_cmpint (net_sip_call_get_state (call), ==, NET_SIP_CALL_STATE_CLOSED);
  g_assert_cmpstr (log_str (call), ==, "established/200 closing closed/200");
  run_until (call_closed, in);
  g_assert_false (net_sip_agent_get_registered (f->alice));
  g_assert_false (g_array_index (f->registrations, RegEvent, f->registrations->len - 1).registered);
  contacts = net_sip_registrar_lookup_contacts (f->registrar, "sip:alice@" DOMAIN, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts ? g_strv_length (contacts) : 0, ==, 0);
  /* the legs are closed */
  {
    g_autoptr(GPtrArray) legs = net_sip_dispatcher_get_legs (net_sip_agent_get_dispatcher (f->alice),
                                                             NULL, 0, -1, NULL, NULL, NULL);
    g_assert_cmpuint (legs ? legs->len : 0, ==, 0);
  }
  /* a second shutdown is refused */
  result_clear (&r);
  net_sip_agent_shutdown_async (f->alice, NULL, on_shut_down, &r);
  run_until (flag_set, &r.done);
  g_assert_error (r.error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_SHUT_DOWN);
  result_clear (&r);
  g_clear_object (&call);
  g_assert_finalize_object (g_steal_pointer (&f->alice));
}

/* shutdown of the callee while the caller's INVITE rings: 480 */
static void
test_shutdown_ringing (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  Result r = { 0 };

  f->bob_mode = BOB_RING;
  call = alice_calls_bob (f);
  run_until (call_ringing, call);
  net_sip_agent_shutdown_async (f->bob, NULL, on_shut_down, &r);
  run_until (flag_set, &r.done);
  g_assert_no_error (r.error);
  run_until (call_closed, call);
  g_assert_cmpstr (log_str (call), ==, "ringing/180 closed/480");
  g_assert_cmpuint (f->bob_closed, ==, 1);
  result_clear (&r);
  g_assert_finalize_object (g_steal_pointer (&f->bob));
}

static void
test_server_conveniences (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(NetSipRegistrar) registrar = net_sip_agent_create_registrar (f->alice, NULL);
  g_autoptr(NetSipStatelessProxy) proxy = net_sip_agent_create_stateless_proxy (f->alice);
  g_autoptr(GHashTable) users = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(NetSipAuthorizer) auth = NULL;
  g_autoptr(NetSipReceiveChain) chain = NULL;
  NetSipReceiver *members[2];

  g_hash_table_insert (users, "alice", "secret");
  auth = net_sip_agent_create_authorizer (f->alice, "r.test", users);
  g_assert_true (net_sip_registrar_get_dispatcher (registrar) == net_sip_agent_get_dispatcher (f->alice));
  g_assert_true (net_sip_stateless_proxy_get_dispatcher (proxy) == net_sip_agent_get_dispatcher (f->alice));
  g_assert_true (net_sip_authorizer_get_dispatcher (auth) == net_sip_agent_get_dispatcher (f->alice));
  g_assert_cmpstr (net_sip_authorizer_get_realm (auth), ==, "r.test");
  members[0] = NET_SIP_RECEIVER (registrar);
  members[1] = NET_SIP_RECEIVER (proxy);
  chain = net_sip_agent_create_chain (f->alice, members, 2);
  g_assert_cmpuint (net_sip_receive_chain_get_n_receivers (chain), ==, 2);
  /* not installed: the endpoint is still the receiver */
  g_assert_true (net_sip_dispatcher_get_receiver (net_sip_agent_get_dispatcher (f->alice)) ==
                 NET_SIP_RECEIVER (net_sip_agent_get_endpoint (f->alice)));
}


/* ------------------------------------------------------------------ */
/* Media: the calls' RTP sessions                                      */

/* A raw PCMU file of @ms milliseconds in the fixture's directory: a
 * pattern that is not silence, so that an echo can be recognised */
static char *
make_pcmu (Fixture    *f,
           const char *name,
           guint       ms)
{
  g_autoptr(GError) error = NULL;
  gsize n = 8 * ms;
  g_autofree guint8 *data = g_malloc (n);
  char *path;

  if (f->dir == NULL)
    {
      f->dir = g_dir_make_tmp ("netsip-agent-XXXXXX", &error);
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < n; i++)
    data[i] = (guint8) (0x20 + (i * 37 + i / 160) % 0x5f);
  path = g_build_filename (f->dir, name, NULL);
  g_assert_true (g_file_set_contents (path, (const char *) data, n, &error));
  g_assert_no_error (error);
  return path;
}

static gboolean
both_received (NetSipCall **calls)
{
  return net_sip_rtp_session_get_packets_received (net_sip_call_get_rtp_session (calls[0])) > 10 &&
         net_sip_rtp_session_get_packets_received (net_sip_call_get_rtp_session (calls[1])) > 10;
}

static void
test_rtp_both_ways (Fixture       *f,
                    gconstpointer  data)
{
  gboolean asymmetric = GPOINTER_TO_INT (data);
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = make_pcmu (f, "a.pcmu", 1000);
  NetSipRtpSession *session;
  NetSipCall *calls[2];
  guint64 sent_before;

  f->bob_file = make_pcmu (f, "b.pcmu", 1000);
  f->bob_mode = BOB_SEND_FILE;
  /* Net::SIP asymetric_rtp: alice sends from another socket */
  g_object_set (f->alice, "asymmetric-rtp", asymmetric, NULL);
  call = alice_calls_bob (f);
  session = net_sip_call_get_rtp_session (call);
  g_assert_nonnull (session);
  {
    gboolean a;
    g_object_get (session, "asymmetric", &a, NULL);
    g_assert_cmpint (a, ==, asymmetric);
  }
  /* media set up right after invite() */
  g_assert_true (net_sip_rtp_session_send_file (session, file, NET_SIP_CODEC_PCMU, TRUE, &error));
  g_assert_no_error (error);
  run_until (call_established, call);
  run_until (bob_has_call, f);
  calls[0] = call;
  calls[1] = bob_call (f);
  run_until (both_received, calls);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (session), >, 0);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (net_sip_call_get_rtp_session (calls[1])),
                    >, 0);
  /* the negotiated address is the peer's session */
  {
    GInetSocketAddress *remote = net_sip_rtp_session_get_remote (session);
    g_assert_nonnull (remote);
    g_assert_cmpuint (g_inet_socket_address_get_port (remote), ==,
                      net_sip_rtp_session_get_local_port (net_sip_call_get_rtp_session (calls[1])));
  }

  /* closed: the sessions stop, their statistics stay */
  net_sip_call_hangup (call);
  run_until (call_closed, call);
  run_until (call_closed, calls[1]);
  sent_before = net_sip_rtp_session_get_packets_sent (session);
  netsip_test_run_for (200);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (session), ==, sent_before);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (session), >, 10);
}

static void
on_file_finished (NetSipRtpSession *session,
                  gboolean         *done)
{
  *done = TRUE;
}

/* alice sends a file, bob echoes, alice records: what comes back is
 * what was sent */
static void
test_echo (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = make_pcmu (f, "clip.pcmu", 600);
  g_autofree char *rec = g_build_filename (f->dir, "back.pcmu", NULL);
  g_autofree char *sent = NULL, *got = NULL;
  gsize sent_len, got_len;
  NetSipRtpSession *session;
  gboolean finished = FALSE;

  f->bob_mode = BOB_ECHO;
  call = alice_calls_bob (f);
  session = net_sip_call_get_rtp_session (call);
  g_assert_true (net_sip_rtp_session_send_file (session, file, NET_SIP_CODEC_PCMU, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (net_sip_rtp_session_record_to_file (session, rec, &error));
  g_assert_no_error (error);
  g_signal_connect (session, "file-finished", G_CALLBACK (on_file_finished), &finished);
  run_until (call_established, call);
  run_until (flag_set, &finished);
  /* the last echoes are on their way */
  netsip_test_run_for (200);
  g_assert_true (net_sip_rtp_session_record_to_file (session, NULL, &error));
  net_sip_call_hangup (call);
  run_until (call_closed, call);

  g_assert_true (g_file_get_contents (file, &sent, &sent_len, NULL));
  g_assert_true (g_file_get_contents (rec, &got, &got_len, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (sent_len, ==, 600 * 8);
  g_assert_cmpuint (got_len, ==, sent_len);
  g_assert_true (memcmp (sent, got, sent_len) == 0);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (net_sip_call_get_rtp_session (bob_call (f))),
                    ==, 600 / 20);
}

typedef struct
{
  GString *digits;
  guint    n_rfc4733;
  guint    n_inband;
} Dtmf;

static void
on_dtmf (NetSipCall       *call,
         const char       *digit,
         guint             duration_ms,
         NetSipDtmfMethod  method,
         Dtmf             *d)
{
  g_string_append (d->digits, digit);
  if (method == NET_SIP_DTMF_METHOD_RFC4733)
    d->n_rfc4733++;
  else if (method == NET_SIP_DTMF_METHOD_INBAND)
    d->n_inband++;
  g_assert_cmpuint (duration_ms, >=, 40);
}

static gboolean
dtmf_reached_4 (Dtmf *d)
{
  return d->digits->len >= 4;
}

static gboolean
dtmf_reached_6 (Dtmf *d)
{
  return d->digits->len >= 6;
}

/* DTMF from alice to bob through the call: RFC 4733 events on the
 * negotiated payload type, then in-band tones */
static void
test_dtmf (Fixture       *f,
           gconstpointer  data)
{
  g_autoptr(NetSipCall) call = established_call (f);
  g_autoptr(GError) error = NULL;
  NetSipCall *in = bob_call (f);
  Dtmf d = { g_string_new (NULL), 0, 0 };

  g_signal_connect (in, "dtmf-received", G_CALLBACK (on_dtmf), &d);
  g_assert_true (net_sip_call_send_dtmf (call, "123#", NET_SIP_DTMF_METHOD_RFC4733, 100, &error));
  g_assert_no_error (error);
  run_until (dtmf_reached_4, &d);
  g_assert_cmpstr (d.digits->str, ==, "123#");
  g_assert_cmpuint (d.n_rfc4733, ==, 4);
  g_assert_true (net_sip_call_send_dtmf (call, "*9", NET_SIP_DTMF_METHOD_INBAND, 100, &error));
  g_assert_no_error (error);
  run_until (dtmf_reached_6, &d);
  g_assert_cmpstr (d.digits->str, ==, "123#*9");
  g_assert_cmpuint (d.n_inband, ==, 2);
  /* not in a closed call */
  net_sip_call_hangup (call);
  run_until (call_closed, call);
  g_assert_false (net_sip_call_send_dtmf (call, "1", NET_SIP_DTMF_METHOD_AUTO, 100, &error));
  g_assert_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE);
  g_string_free (d.digits, TRUE);
}

static void
on_media_timeout (NetSipCall *call,
                  guint      *n)
{
  (*n)++;
}

/* no RTP from bob for alice's media-timeout: alice ends the call */
static void
test_media_timeout (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(NetSipCall) call = NULL;
  guint n = 0;

  g_object_set (f->alice, "media-timeout", 1, NULL);
  call = alice_calls_bob (f);
  g_signal_connect (call, "media-timeout", G_CALLBACK (on_media_timeout), &n);
  run_until (call_established, call);
  run_until (call_closed, call);
  g_assert_cmpuint (n, ==, 1);
  g_assert_cmpstr (log_str (call), ==, "established/200 closing closed/200");
  run_until (call_closed, bob_call (f));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)
  ADD ("/agent/call/accepted", test_call_accepted);
  ADD ("/agent/call/bye-from-callee", test_bye_from_callee);
  ADD ("/agent/call/rejected-486", test_call_rejected);
  ADD ("/agent/call/ringing-then-accepted", test_ringing_then_accepted);
  ADD ("/agent/call/cancel-while-ringing", test_cancel_while_ringing);
  ADD ("/agent/call/cancel-crossing-2xx", test_cancel_crossing_2xx);
  ADD ("/agent/call/hold-resume", test_hold_resume);
  ADD ("/agent/call/reinvite-wrong-state", test_reinvite_wrong_state);
  ADD ("/agent/call/auto-answer-off", test_auto_answer_off);
  ADD ("/agent/invite-targets", test_invite_targets);
  ADD ("/agent/options", test_options);
  ADD ("/agent/proxies", test_proxies);
  ADD ("/agent/dispose-with-call", test_dispose_with_call);
  ADD ("/agent/call/invite-without-offer", test_invite_without_offer);
  ADD ("/agent/register", test_register);
  ADD ("/agent/register-refresh", test_register_refresh);
  ADD ("/agent/shutdown", test_shutdown);
  ADD ("/agent/shutdown-ringing", test_shutdown_ringing);
  ADD ("/agent/server-conveniences", test_server_conveniences);
  ADD ("/agent/media/rtp-both-ways", test_rtp_both_ways);
  g_test_add ("/agent/media/rtp-both-ways-asymmetric", Fixture, GINT_TO_POINTER (TRUE),
              fixture_set_up, test_rtp_both_ways, fixture_tear_down);
  ADD ("/agent/media/echo", test_echo);
  ADD ("/agent/media/dtmf", test_dtmf);
  ADD ("/agent/media/media-timeout", test_media_timeout);
#undef ADD

  return g_test_run ();
}
