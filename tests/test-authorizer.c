/* test-authorizer.c: NetSipAuthorizer (RFC 3261 §22, RFC 7616, RFC 8760)
 *
 * Dispatcher B (server) has a front receiver that records what the
 * authorizer returns, the authorizer, and behind it a receiver answering
 * 200. Dispatcher A (client) sends requests over UDP on loopback and
 * builds credentials with net_sip_digest_build_credentials().
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>

#include "netsip.h"
#include "main-loop-wait.h"

#define WAIT_LIMIT_MS 5000
#define REALM "test.example"

/* ------------------------------------------------------------------ */
/* Receivers                                                           */

/* Behind the authorizer: answers every request but ACK with 200 and
 * records it. */
#define TEST_TYPE_SERVER (test_server_get_type ())
G_DECLARE_FINAL_TYPE (TestServer, test_server, TEST, SERVER, GObject)

struct _TestServer
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned */
  GPtrArray        *requests;
};

static void test_server_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestServer, test_server, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_server_iface_init))

static void
test_server_finalize (GObject *object)
{
  g_ptr_array_unref (TEST_SERVER (object)->requests);
  G_OBJECT_CLASS (test_server_parent_class)->finalize (object);
}

static void
test_server_class_init (TestServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_server_finalize;
}

static void
test_server_init (TestServer *self)
{
  self->requests = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
answered (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error));
  g_assert_no_error (error);
}

static gboolean
test_server_receive (NetSipReceiver   *receiver,
                     NetSipMessage    *message,
                     NetSipLeg        *leg,
                     NetSipSourceInfo *source)
{
  TestServer *self = TEST_SERVER (receiver);
  g_autoptr(NetSipResponse) response = NULL;

  if (!net_sip_message_is_request (message))
    return FALSE;
  g_ptr_array_add (self->requests, g_object_ref (message));
  if (strcmp (net_sip_message_get_method (message), "ACK") == 0)
    return TRUE;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 200, NULL, "srv");
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    answered, NULL);
  return TRUE;
}

static void
test_server_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_server_receive;
}

/* In front of the authorizer: records what its receive returned (the
 * chain semantics of NetSipReceiver). */
#define TEST_TYPE_FRONT (test_front_get_type ())
G_DECLARE_FINAL_TYPE (TestFront, test_front, TEST, FRONT, GObject)

struct _TestFront
{
  GObject         parent_instance;
  NetSipReceiver *inner;
  GArray         *results;   /* gboolean per request */
};

static void test_front_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestFront, test_front, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_front_iface_init))

static void
test_front_finalize (GObject *object)
{
  TestFront *self = TEST_FRONT (object);
  g_clear_object (&self->inner);
  g_array_unref (self->results);
  G_OBJECT_CLASS (test_front_parent_class)->finalize (object);
}

static void
test_front_class_init (TestFrontClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_front_finalize;
}

static void
test_front_init (TestFront *self)
{
  self->results = g_array_new (FALSE, FALSE, sizeof (gboolean));
}

static gboolean
test_front_receive (NetSipReceiver   *receiver,
                    NetSipMessage    *message,
                    NetSipLeg        *leg,
                    NetSipSourceInfo *source)
{
  TestFront *self = TEST_FRONT (receiver);
  gboolean handled = net_sip_receiver_receive (self->inner, message, leg, source);

  if (net_sip_message_is_request (message))
    g_array_append_val (self->results, handled);
  return handled;
}

static void
test_front_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_front_receive;
}

/* ------------------------------------------------------------------ */
/* Main loop                                                           */

typedef struct
{
  gboolean        done;
  NetSipResponse *response;
  GError         *error;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &r->response, &r->error);
  r->done = TRUE;
}

static gboolean
wake_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (Result *r)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_MS * 1000;
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_LIMIT_MS, wake_up, &timed_out);

  while (!r->done && !timed_out && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r->done);
  if (!timed_out)
    g_source_remove (id);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef struct
{
  NetSipLeg        *leg_a;
  NetSipLeg        *leg_b;
  NetSipDispatcher *a;
  NetSipDispatcher *b;
  NetSipAuthorizer *auth;
  TestServer       *server;
  TestFront        *front;
  char             *ruri;
  guint             n_calls;
} Fixture;

static void
make_authorizer (Fixture *f,
                 GBytes  *secret)
{
  g_clear_object (&f->front);
  g_clear_object (&f->auth);
  f->auth = g_object_new (NET_SIP_TYPE_AUTHORIZER, "dispatcher", f->b, "realm", REALM,
                          "secret", secret, NULL);
  net_sip_authorizer_set_next (f->auth, NET_SIP_RECEIVER (f->server));
  net_sip_authorizer_set_password (f->auth, "alice", "wonderland");
  f->front = g_object_new (TEST_TYPE_FRONT, NULL);
  f->front->inner = g_object_ref (NET_SIP_RECEIVER (f->auth));
  net_sip_dispatcher_set_receiver (f->b, NET_SIP_RECEIVER (f->front));
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->leg_a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->leg_b = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->a = net_sip_dispatcher_new (&f->leg_a, 1);
  f->b = net_sip_dispatcher_new (&f->leg_b, 1);
  f->server = g_object_new (TEST_TYPE_SERVER, NULL);
  f->server->dispatcher = f->b;
  make_authorizer (f, NULL);
  f->ruri = g_strdup_printf ("sip:bob@127.0.0.1:%u", net_sip_leg_get_port (f->leg_b));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  net_sip_dispatcher_set_receiver (f->b, NULL);
  g_assert_finalize_object (f->front);
  g_assert_finalize_object (f->auth);
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_assert_finalize_object (f->server);
  g_clear_object (&f->leg_a);
  g_clear_object (&f->leg_b);
  g_free (f->ruri);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static NetSipRequest *
make_request (Fixture    *f,
              const char *method,
              const char *ruri,
              const char *from_user)
{
  NetSipRequest *req = net_sip_request_new (method, ruri ? ruri : f->ruri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  g_autofree char *call_id = g_strdup_printf ("auth-%u-%u@127.0.0.1", (guint) getpid (), ++f->n_calls);
  g_autofree char *cseq = g_strdup_printf ("1 %s", method);
  g_autofree char *from = g_strdup_printf ("<sip:%s@" REALM ">;tag=a%u",
                                           from_user ? from_user : "alice", f->n_calls);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", "<sip:bob@" REALM ">");
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", cseq);
  if (strcmp (method, "INVITE") == 0)
    net_sip_message_add_header (m, "Contact", "<sip:alice@127.0.0.1>");
  return req;
}

/* Sends @req from A; returns the final response. */
static NetSipResponse *
send_request (Fixture       *f,
              NetSipRequest *req)
{
  Result r = { 0 };

  net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (req), NULL, NULL, on_delivered, &r);
  wait_for (&r);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.response);
  return r.response;
}

/* A request with @header: @credentials (when not NULL) */
static NetSipResponse *
send_with (Fixture    *f,
           const char *method,
           const char *header,
           const char *credentials)
{
  g_autoptr(NetSipRequest) req = make_request (f, method, NULL, NULL);

  if (credentials)
    net_sip_message_add_header (NET_SIP_MESSAGE (req), header, credentials);
  return send_request (f, req);
}

/* The challenge for @algorithm in @response's @header values */
static NetSipAuthParams *
challenge_for (NetSipResponse        *response,
               const char            *header,
               NetSipDigestAlgorithm  algorithm)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = net_sip_message_get_auth_params (NET_SIP_MESSAGE (response), header, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      NetSipAuthParams *c = g_ptr_array_index (all, i);
      NetSipDigestAlgorithm a;
      g_assert_true (net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (c, "algorithm"), &a));
      if (a == algorithm)
        return net_sip_auth_params_ref (c);
    }
  g_assert_not_reached ();
}

static char *
credentials (NetSipAuthParams *challenge,
             const char       *user,
             const char       *password,
             const char       *method,
             const char       *uri,
             guint32           nc)
{
  g_autoptr(GError) error = NULL;
  char *c = net_sip_digest_build_credentials (challenge, user, password, NULL, method, uri,
                                              NULL, nc, NULL, &error);
  g_assert_no_error (error);
  return c;
}

/* Gets a challenge by sending @method without credentials */
static NetSipAuthParams *
fresh_challenge (Fixture               *f,
                 const char            *method,
                 NetSipDigestAlgorithm  algorithm)
{
  gboolean proxy = net_sip_authorizer_get_proxy (f->auth);
  g_autoptr(NetSipResponse) resp = send_with (f, method, NULL, NULL);

  g_assert_cmpuint (net_sip_response_get_code (resp), ==, proxy ? 407 : 401);
  return challenge_for (resp, proxy ? "Proxy-Authenticate" : "WWW-Authenticate", algorithm);
}

static guint64
counter (NetSipAuthorizer *auth,
         const char       *name)
{
  guint64 v = 0;
  g_object_get (auth, name, &v, NULL);
  return v;
}

static gboolean
last_result (Fixture *f)
{
  g_assert_cmpuint (f->front->results->len, >, 0);
  return g_array_index (f->front->results, gboolean, f->front->results->len - 1);
}

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* No credentials: 401 with a SHA-256 then an MD5 challenge (RFC 8760
 * §2.4), qop auth, one nonce, a To tag; the request does not reach the
 * server; for INVITE the ACK of the 401 is the transaction layer's. */
static void
test_no_credentials (Fixture       *f,
                     gconstpointer  data)
{
  const char *methods[] = { "REGISTER", "INVITE" };

  for (guint k = 0; k < G_N_ELEMENTS (methods); k++)
    {
      g_autoptr(NetSipResponse) resp = send_with (f, methods[k], NULL, NULL);
      g_autoptr(GPtrArray) ch = NULL;
      NetSipAuthParams *sha, *md5;

      g_assert_cmpuint (net_sip_response_get_code (resp), ==, 401);
      g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (resp), "Proxy-Authenticate"), ==, 0);
      g_assert_nonnull (net_sip_message_get_to_tag (NET_SIP_MESSAGE (resp)));
      ch = net_sip_message_get_auth_params (NET_SIP_MESSAGE (resp), "WWW-Authenticate", NULL);
      g_assert_cmpuint (ch->len, ==, 2);
      sha = g_ptr_array_index (ch, 0);
      md5 = g_ptr_array_index (ch, 1);
      g_assert_cmpstr (net_sip_auth_params_get_scheme (sha), ==, "Digest");
      g_assert_cmpstr (net_sip_auth_params_get_param (sha, "algorithm"), ==, "SHA-256");
      g_assert_cmpstr (net_sip_auth_params_get_param (md5, "algorithm"), ==, "MD5");
      for (guint i = 0; i < 2; i++)
        {
          NetSipAuthParams *c = g_ptr_array_index (ch, i);
          g_assert_cmpstr (net_sip_auth_params_get_param (c, "realm"), ==, REALM);
          g_assert_cmpstr (net_sip_auth_params_get_param (c, "qop"), ==, "auth");
          g_assert_null (net_sip_auth_params_get_param (c, "stale"));
          g_assert_cmpuint (strlen (net_sip_auth_params_get_param (c, "nonce")), ==, 64);
        }
      g_assert_cmpstr (net_sip_auth_params_get_param (sha, "nonce"), ==,
                       net_sip_auth_params_get_param (md5, "nonce"));
      g_assert_true (last_result (f));
    }
  g_assert_cmpuint (f->server->requests->len, ==, 0);
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 2);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 0);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 0);
  /* the client's ACK for the 401 is absorbed by B's transaction */
  {
    gboolean later = FALSE;
    g_timeout_add (200, wake_up, &later);
    while (!later)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (f->front->results->len, ==, 2);
  g_assert_cmpuint (f->server->requests->len, ==, 0);
}

static void
on_authorized (NetSipAuthorizer *auth,
               NetSipRequest    *request,
               const char       *username,
               gpointer          user_data)
{
  GPtrArray *names = user_data;
  g_assert_true (NET_SIP_IS_REQUEST (request));
  g_ptr_array_add (names, g_strdup (username));
}

/* Right credentials with MD5 and with SHA-256 get through (200); the
 * nonce can be used again with a higher nonce count (RFC 7616 §3.4). */
static void
test_right_credentials (Fixture       *f,
                        gconstpointer  data)
{
  NetSipDigestAlgorithm algorithms[] = { NET_SIP_DIGEST_MD5, NET_SIP_DIGEST_SHA256 };
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);

  g_signal_connect (f->auth, "request-authorized", G_CALLBACK (on_authorized), names);
  for (guint k = 0; k < G_N_ELEMENTS (algorithms); k++)
    {
      g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", algorithms[k]);
      g_autofree char *c1 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 1);
      g_autofree char *c2 = credentials (ch, "alice", "wonderland", "OPTIONS", f->ruri, 2);
      g_autoptr(NetSipResponse) r1 = send_with (f, "REGISTER", "Authorization", c1);
      g_autoptr(NetSipResponse) r2 = NULL;

      g_assert_cmpuint (net_sip_response_get_code (r1), ==, 200);
      g_assert_true (last_result (f));
      r2 = send_with (f, "OPTIONS", "Authorization", c2);
      g_assert_cmpuint (net_sip_response_get_code (r2), ==, 200);
    }
  g_assert_cmpuint (f->server->requests->len, ==, 4);
  /* the UAS keeps Authorization (only a proxy consumes its credentials) */
  g_assert_cmpuint (net_sip_message_count_headers (g_ptr_array_index (f->server->requests, 0),
                                                   "Authorization"), ==, 1);
  g_assert_cmpuint (names->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "alice");
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 4);
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 2);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 0);
}

static void
assert_fresh_challenge (NetSipResponse   *resp,
                        const char       *header,
                        NetSipAuthParams *old,
                        gboolean          stale)
{
  g_autoptr(GPtrArray) ch = net_sip_message_get_auth_params (NET_SIP_MESSAGE (resp), header, NULL);

  g_assert_cmpuint (ch->len, ==, 2);
  for (guint i = 0; i < ch->len; i++)
    {
      NetSipAuthParams *c = g_ptr_array_index (ch, i);
      g_assert_cmpstr (net_sip_auth_params_get_param (c, "nonce"), !=,
                       net_sip_auth_params_get_param (old, "nonce"));
      if (stale)
        g_assert_cmpstr (net_sip_auth_params_get_param (c, "stale"), ==, "true");
      else
        g_assert_null (net_sip_auth_params_get_param (c, "stale"));
    }
}

/* Wrong password, unknown user: 401 again with a fresh challenge, not 403
 * (other credentials would help: RFC 3261 §21.4.4 keeps 403 for requests
 * authorization will not help). */
static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_SHA256);
  g_autofree char *bad = credentials (ch, "alice", "looking-glass", "REGISTER", f->ruri, 1);
  g_autofree char *nobody = credentials (ch, "mallory", "wonderland", "REGISTER", f->ruri, 1);
  g_autoptr(NetSipResponse) r1 = send_with (f, "REGISTER", "Authorization", bad);
  g_autoptr(NetSipResponse) r2 = send_with (f, "REGISTER", "Authorization", nobody);

  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 401);
  assert_fresh_challenge (r1, "WWW-Authenticate", ch, FALSE);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 401);
  assert_fresh_challenge (r2, "WWW-Authenticate", ch, FALSE);
  g_assert_true (last_result (f));
  g_assert_cmpuint (f->server->requests->len, ==, 0);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 2);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 0);
}

/* An expired nonce with a right response: 401 with stale=true in both
 * challenges (RFC 7616 §3.3); with a wrong response: no stale. */
static void
test_stale_nonce (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(GBytes) secret = g_bytes_new_static ("0123456789abcdef0123456789abcdef", 32);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;
  g_autofree char *old_nonce = net_sip_digest_nonce_new (secret, now - 400);
  g_autofree char *text = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"",
                                           old_nonce);
  g_autoptr(NetSipAuthParams) ch = net_sip_auth_params_parse (text, -1, NULL);
  g_autofree char *good = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autofree char *bad = credentials (ch, "alice", "nope", "REGISTER", f->ruri, 1);
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL, r3 = NULL;
  g_autofree char *young_nonce = net_sip_digest_nonce_new (secret, now - 100);
  g_autofree char *text2 = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"",
                                            young_nonce);
  g_autoptr(NetSipAuthParams) ch2 = net_sip_auth_params_parse (text2, -1, NULL);
  g_autofree char *young = credentials (ch2, "alice", "wonderland", "REGISTER", f->ruri, 1);

  make_authorizer (f, secret);
  g_assert_cmpuint (net_sip_authorizer_get_nonce_lifetime (f->auth), ==, 300);
  r1 = send_with (f, "REGISTER", "Authorization", good);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 401);
  assert_fresh_challenge (r1, "WWW-Authenticate", ch, TRUE);
  r2 = send_with (f, "REGISTER", "Authorization", bad);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 401);
  assert_fresh_challenge (r2, "WWW-Authenticate", ch, FALSE);
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 1);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 1);

  /* a nonce of 100 s ago made with the shared secret is fine... */
  r3 = send_with (f, "REGISTER", "Authorization", young);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 200);
  /* ...and stale once the lifetime is shorter than its age */
  net_sip_authorizer_set_nonce_lifetime (f->auth, 60);
  g_clear_pointer (&young, g_free);
  young = credentials (ch2, "alice", "wonderland", "REGISTER", f->ruri, 2);
  g_clear_object (&r3);
  r3 = send_with (f, "REGISTER", "Authorization", young);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 401);
  assert_fresh_challenge (r3, "WWW-Authenticate", ch2, TRUE);
  g_assert_cmpuint (f->server->requests->len, ==, 1);
}

static char *
on_lookup_password (NetSipAuthorizer *auth,
                    const char       *username,
                    const char       *realm,
                    gpointer          user_data)
{
  guint *calls = user_data;

  (*calls)++;
  g_assert_cmpstr (realm, ==, REALM);
  return g_strcmp0 (username, "carol") == 0 ? g_strdup ("from-callback") : NULL;
}

/* A nonce made with another secret (another server, a forgery) is
 * refused even with a right response, before any password lookup. */
static void
test_foreign_nonce (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GBytes) other = g_bytes_new_static ("another secret, another server!!", 32);
  g_autofree char *nonce = net_sip_digest_nonce_new (other, g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *text = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"", nonce);
  g_autoptr(NetSipAuthParams) ch = net_sip_auth_params_parse (text, -1, NULL);
  g_autofree char *c = credentials (ch, "carol", "from-callback", "REGISTER", f->ruri, 1);
  g_autoptr(NetSipResponse) r = NULL;
  guint calls = 0;

  g_signal_connect (f->auth, "lookup-password", G_CALLBACK (on_lookup_password), &calls);
  r = send_with (f, "REGISTER", "Authorization", c);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  assert_fresh_challenge (r, "WWW-Authenticate", ch, FALSE);
  g_assert_cmpuint (calls, ==, 0);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 1);
  g_assert_cmpuint (f->server->requests->len, ==, 0);
}

/* In front of a stateless proxy (B keeps no server transactions): the
 * ACK of the authorizer's own 407 (RFC 3261 §17.1.1.3, sent by A's
 * INVITE client transaction) is absorbed by the authorizer (§17.2.1):
 * its To tag is the one computed for the 407. An ACK with another To tag
 * is not for us and goes on. */
static void
test_own_ack (Fixture       *f,
              gconstpointer  data)
{
  g_autoptr(NetSipResponse) resp = NULL;
  g_autoptr(NetSipRequest) ack = NULL;
  NetSipMessage *m;
  guint n_tx = 1;

  g_object_set (f->b, "do-retransmits", FALSE, NULL);
  net_sip_authorizer_set_proxy (f->auth, TRUE);
  resp = send_with (f, "INVITE", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (resp), ==, 407);
  g_assert_true (g_str_has_prefix (net_sip_message_get_to_tag (NET_SIP_MESSAGE (resp)), "nsl"));
  netsip_test_run_for (200);
  g_object_get (f->b, "n-transactions", &n_tx, NULL);
  g_assert_cmpuint (n_tx, ==, 0);
  /* the INVITE and its ACK reached the authorizer; both handled there */
  g_assert_cmpuint (f->front->results->len, ==, 2);
  g_assert_true (g_array_index (f->front->results, gboolean, 0));
  g_assert_true (g_array_index (f->front->results, gboolean, 1));
  g_assert_cmpuint (f->server->requests->len, ==, 0);
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 1);

  /* the same ACK with another To tag (a dialog of the callee's): on */
  ack = net_sip_request_new ("ACK", f->ruri);
  m = NET_SIP_MESSAGE (ack);
  net_sip_message_add_header (m, "Via", net_sip_message_get_header (NET_SIP_MESSAGE (resp), "Via"));
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", net_sip_message_get_header (NET_SIP_MESSAGE (resp), "From"));
  net_sip_message_add_header (m, "To", "<sip:bob@" REALM ">;tag=callee");
  net_sip_message_add_header (m, "Call-ID", net_sip_message_get_call_id (NET_SIP_MESSAGE (resp)));
  net_sip_message_add_header (m, "CSeq", "1 ACK");
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (f->auth), m, f->leg_b, NULL));
  g_assert_cmpuint (f->server->requests->len, ==, 1);
  /* with the 407's To tag it is ours again */
  net_sip_message_set_header (m, "To", net_sip_message_get_header (NET_SIP_MESSAGE (resp), "To"));
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (f->auth), m, f->leg_b, NULL));
  g_assert_cmpuint (f->server->requests->len, ==, 1);
  /* another branch (another INVITE): not the ACK of that 407 */
  net_sip_message_set_header (m, "Via", "SIP/2.0/UDP 127.0.0.1:9;branch=z9hG4bKother");
  g_assert_true (net_sip_receiver_receive (NET_SIP_RECEIVER (f->auth), m, f->leg_b, NULL));
  g_assert_cmpuint (f->server->requests->len, ==, 2);
}

/* The same nonce count twice is a replay (RFC 7616 §3.4): refused; a
 * higher count passes; a lower one is refused. */
static void
test_replayed_nc (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  g_autofree char *c1 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autofree char *c5 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 5);
  g_autofree char *c3 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 3);
  guint expect[] = { 200, 401, 200, 401, 401 };
  const char *creds[] = { c1, c1, c5, c5, c3 };

  for (guint i = 0; i < G_N_ELEMENTS (expect); i++)
    {
      /* each a new request (new Call-ID, branch): not a retransmission */
      g_autoptr(NetSipResponse) r = send_with (f, "REGISTER", "Authorization", creds[i]);
      g_assert_cmpuint (net_sip_response_get_code (r), ==, expect[i]);
      if (expect[i] == 401)
        assert_fresh_challenge (r, "WWW-Authenticate", ch, FALSE);
    }
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 2);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 3);
  g_assert_cmpuint (f->server->requests->len, ==, 2);
}

/* A REGISTER with @creds and top Via @branch, as a UAC's transaction
 * sends it (and retransmits it unchanged) */
static NetSipMessage *
register_with_branch (Fixture    *f,
                      const char *branch,
                      const char *creds)
{
  NetSipRequest *req = make_request (f, "REGISTER", NULL, NULL);
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  g_autofree char *via = g_strdup_printf ("SIP/2.0/UDP 127.0.0.1:%u;branch=%s",
                                          net_sip_leg_get_port (f->leg_a), branch);

  net_sip_message_prepend_header (m, "Via", via);
  net_sip_message_add_header (m, "Authorization", creds);
  return m;
}

/* Behind a stateless proxy each retransmission reaches the authorizer:
 * the request accepted with the highest nonce count, retransmitted (same
 * top Via branch, same credentials), is accepted again; the same count
 * in another transaction (another branch) is still a replay (RFC 7616
 * §3.4.5), and so is an older count with its old branch. A branch
 * without the RFC 3261 cookie identifies no transaction: no exception. */
static void
test_retransmission (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  g_autofree char *c1 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autofree char *c2 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 2);
  g_autofree char *c3 = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 3);
  g_autoptr(NetSipMessage) first = register_with_branch (f, "z9hG4bKretx1", c1);
  g_autoptr(NetSipMessage) other = register_with_branch (f, "z9hG4bKretx2", c1);
  g_autoptr(NetSipMessage) second = register_with_branch (f, "z9hG4bKretx3", c2);
  g_autoptr(NetSipMessage) old = register_with_branch (f, "2543-branch", c3);
  NetSipReceiver *auth = NET_SIP_RECEIVER (f->auth);
  struct { NetSipMessage *m; gboolean accepted; } steps[] = {
    { first, TRUE },     /* nc 1 */
    { first, TRUE },     /* its retransmission */
    { first, TRUE },     /* and another */
    { other, FALSE },    /* nc 1 in another transaction: a replay */
    { first, TRUE },     /* the refused replay changed nothing */
    { second, TRUE },    /* nc 2 */
    { first, FALSE },    /* nc 1 is below the highest now */
    { second, TRUE },    /* nc 2 retransmitted */
    { old, TRUE },       /* nc 3, a branch without the cookie */
    { old, FALSE },      /* ... no retransmission known by it */
  };
  guint accepted = 0, rejected = 0;

  for (guint i = 0; i < G_N_ELEMENTS (steps); i++)
    {
      guint before = f->server->requests->len;

      g_test_message ("step %u", i);
      g_assert_true (net_sip_receiver_receive (auth, steps[i].m, f->leg_b, NULL));
      g_assert_cmpuint (f->server->requests->len, ==, before + (steps[i].accepted ? 1 : 0));
      if (steps[i].accepted)
        accepted++;
      else
        rejected++;
    }
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, accepted);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, rejected);
  netsip_test_run_for (100);
}

/* max-nonces bounds the replay table; a nonce forgotten to keep the
 * bound is stale, never replayable. */
static void
test_nonce_table_bound (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch1 = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  g_autoptr(NetSipAuthParams) ch2 = NULL;
  g_autofree char *a1 = credentials (ch1, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autofree char *b1 = NULL;
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL, r3 = NULL;

  g_object_set (f->auth, "max-nonces", 1, NULL);
  r1 = send_with (f, "REGISTER", "Authorization", a1);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 200);
  ch2 = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  b1 = credentials (ch2, "alice", "wonderland", "REGISTER", f->ruri, 1);
  r2 = send_with (f, "REGISTER", "Authorization", b1);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 200);
  /* the first nonce was forgotten for the second: replaying its nc=1 is
   * answered stale, not accepted */
  r3 = send_with (f, "REGISTER", "Authorization", a1);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 401);
  assert_fresh_challenge (r3, "WWW-Authenticate", ch1, TRUE);
  g_assert_cmpuint (f->server->requests->len, ==, 2);
}

/* Credentials for another realm: not ours, refused with a challenge of
 * our realm. */
static void
test_wrong_realm (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  g_autofree char *text = g_strdup_printf ("Digest realm=\"elsewhere.example\", nonce=\"%s\", algorithm=MD5, qop=\"auth\"",
                                           net_sip_auth_params_get_param (ch, "nonce"));
  g_autoptr(NetSipAuthParams) other = net_sip_auth_params_parse (text, -1, NULL);
  g_autofree char *c = credentials (other, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autoptr(NetSipResponse) r = send_with (f, "REGISTER", "Authorization", c);
  g_autoptr(NetSipAuthParams) again = NULL;

  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  again = challenge_for (r, "WWW-Authenticate", NET_SIP_DIGEST_MD5);
  g_assert_cmpstr (net_sip_auth_params_get_param (again, "realm"), ==, REALM);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 1);
  g_assert_cmpuint (f->server->requests->len, ==, 0);
}

/* The uri parameter must name the Request-URI (RFC 7616 §3.4.6); an
 * equivalent URI (RFC 3261 §19.1.4: scheme and host case) is fine. */
static void
test_uri_mismatch (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_SHA256);
  g_autofree char *elsewhere = g_strdup_printf ("sip:carol@127.0.0.1:%u", net_sip_leg_get_port (f->leg_b));
  g_autofree char *same = g_strdup_printf ("SIP:bob@127.0.0.1:%u", net_sip_leg_get_port (f->leg_b));
  g_autofree char *c1 = credentials (ch, "alice", "wonderland", "REGISTER", elsewhere, 1);
  g_autofree char *c2 = credentials (ch, "alice", "wonderland", "REGISTER", same, 2);
  g_autoptr(NetSipResponse) r1 = send_with (f, "REGISTER", "Authorization", c1);
  g_autoptr(NetSipResponse) r2 = send_with (f, "REGISTER", "Authorization", c2);

  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 401);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 200);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 1);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 1);
}

/* ACK and CANCEL are never challenged (RFC 3261 §22.1); exempt methods
 * and users pass; without a next receiver the authorizer returns FALSE
 * for what it lets through (a chain goes on). */
static void
test_exempt (Fixture       *f,
             gconstpointer  data)
{
  const char *methods[] = { "OPTIONS", NULL };
  const char *users[] = { "guest", NULL };
  g_autoptr(NetSipRequest) ack = make_request (f, "ACK", NULL, NULL);
  g_autoptr(NetSipRequest) from_guest = make_request (f, "MESSAGE", NULL, "guest");
  g_autoptr(NetSipResponse) r = NULL;
  Result res = { 0 };

  /* CANCEL: the server behind answers it */
  r = send_with (f, "CANCEL", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 200);
  g_clear_object (&r);
  /* ACK (for a 2xx: no transaction matches it), with no credentials */
  net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (ack), NULL, NULL, on_delivered, &res);
  wait_for (&res);
  g_assert_no_error (res.error);
  {
    gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_MS * 1000;
    while (f->server->requests->len < 2 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
  }
  g_assert_cmpuint (f->server->requests->len, ==, 2);
  g_assert_cmpstr (net_sip_message_get_method (g_ptr_array_index (f->server->requests, 1)), ==, "ACK");

  /* OPTIONS is challenged until it is exempt */
  r = send_with (f, "OPTIONS", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  g_clear_object (&r);
  net_sip_authorizer_set_exempt_methods (f->auth, methods);
  r = send_with (f, "OPTIONS", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 200);
  g_clear_object (&r);
  /* the exempt method is case-sensitive (RFC 3261 §7.1) */
  r = send_with (f, "options", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  g_clear_object (&r);

  /* exempt user (From) */
  r = send_request (f, from_guest);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  g_clear_object (&r);
  net_sip_authorizer_set_exempt_users (f->auth, users);
  g_clear_object (&from_guest);
  from_guest = make_request (f, "MESSAGE", NULL, "guest");
  r = send_request (f, from_guest);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 200);
  g_clear_object (&r);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 0);
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 3);
  g_assert_cmpuint (f->server->requests->len, ==, 4);
  g_assert_true (last_result (f));

  /* no next receiver: what passes returns FALSE, what is challenged TRUE */
  net_sip_authorizer_set_next (f->auth, NULL);
  {
    g_autoptr(NetSipRequest) req = make_request (f, "OPTIONS", NULL, NULL);
    Result r2 = { 0 };
    gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_MS * 1000;
    guint before = f->front->results->len;
    net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (req), NULL, NULL, on_delivered, &r2);
    while (f->front->results->len == before && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (f->front->results->len, ==, before + 1);
    g_assert_false (last_result (f));
    /* nobody answers: stop A's transaction */
    net_sip_dispatcher_cancel_delivery_by_call_id (f->a, net_sip_message_get_call_id (NET_SIP_MESSAGE (req)));
    wait_for (&r2);
    g_clear_error (&r2.error);
    g_clear_object (&r2.response);
  }
  r = send_with (f, "REGISTER", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
  g_assert_true (last_result (f));
}

/* Proxy mode: 407 with Proxy-Authenticate; Proxy-Authorization is read
 * (Authorization is not); our realm's credentials are consumed before the
 * request goes on, another realm's stay (RFC 3261 §20.28, §22.3). */
static void
test_proxy_mode (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = NULL;
  g_autofree char *c = NULL;
  g_autofree char *c2 = NULL;
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL;
  g_autoptr(NetSipRequest) req = NULL;
  NetSipMessage *seen;
  const char *downstream = "Digest username=\"alice\", realm=\"next-hop.example\", nonce=\"abc\", "
                           "uri=\"sip:bob@next-hop.example\", response=\"0123456789abcdef0123456789abcdef\"";

  net_sip_authorizer_set_proxy (f->auth, TRUE);
  ch = fresh_challenge (f, "INVITE", NET_SIP_DIGEST_SHA256);
  c = credentials (ch, "alice", "wonderland", "INVITE", f->ruri, 1);
  c2 = credentials (ch, "alice", "wonderland", "INVITE", f->ruri, 2);

  /* right credentials in the wrong header: 407 again */
  r1 = send_with (f, "INVITE", "Authorization", c);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 407);
  g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (r1), "Proxy-Authenticate"), ==, 2);
  g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (r1), "WWW-Authenticate"), ==, 0);

  req = make_request (f, "INVITE", NULL, NULL);
  net_sip_message_add_header (NET_SIP_MESSAGE (req), "Proxy-Authorization", downstream);
  net_sip_message_add_header (NET_SIP_MESSAGE (req), "Proxy-Authorization", c2);
  r2 = send_request (f, req);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 200);
  g_assert_cmpuint (f->server->requests->len, ==, 1);
  seen = g_ptr_array_index (f->server->requests, 0);
  g_assert_cmpuint (net_sip_message_count_headers (seen, "Proxy-Authorization"), ==, 1);
  g_assert_cmpstr (net_sip_message_get_header (seen, "Proxy-Authorization"), ==, downstream);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 1);
  /* the first 407 was a challenge (no credentials), the second too: a
   * proxy sees Authorization as someone else's */
  g_assert_cmpuint (counter (f->auth, "challenged-requests"), ==, 2);

  /* the ACK for the 2xx repeats the INVITE's credentials (RFC 3261
   * §13.2.2.4): not checked, ours consumed, the others' kept */
  {
    g_autoptr(NetSipRequest) ack = make_request (f, "ACK", NULL, NULL);
    Result res = { 0 };
    gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_MS * 1000;

    net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Proxy-Authorization", c2);
    net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Proxy-Authorization", downstream);
    net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (ack), NULL, NULL, on_delivered, &res);
    wait_for (&res);
    g_assert_no_error (res.error);
    while (f->server->requests->len < 2 && g_get_monotonic_time () < deadline)
      g_main_context_iteration (NULL, TRUE);
    g_assert_cmpuint (f->server->requests->len, ==, 2);
    seen = g_ptr_array_index (f->server->requests, 1);
    g_assert_cmpstr (net_sip_message_get_method (seen), ==, "ACK");
    g_assert_cmpuint (net_sip_message_count_headers (seen, "Proxy-Authorization"), ==, 1);
    g_assert_cmpstr (net_sip_message_get_header (seen, "Proxy-Authorization"), ==, downstream);
    g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 1);
  }
}

/* Stored HA1 values (per algorithm) instead of passwords */
static void
test_ha1_table (Fixture       *f,
                gconstpointer  data)
{
  g_autofree char *ha1 = net_sip_digest_compute_ha1 (NET_SIP_DIGEST_MD5, "dave", REALM, "secret-d");
  g_autoptr(NetSipAuthParams) md5 = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  g_autoptr(NetSipAuthParams) sha = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_SHA256);
  g_autofree char *c_md5 = credentials (md5, "dave", "secret-d", "REGISTER", f->ruri, 1);
  g_autofree char *c_sha = credentials (sha, "dave", "secret-d", "REGISTER", f->ruri, 1);
  g_autofree char *c_md5_2 = credentials (md5, "dave", "secret-d", "REGISTER", f->ruri, 2);
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL, r3 = NULL;
  char *upper = g_ascii_strup (ha1, -1);

  /* stored in upper case: hex compares without case */
  net_sip_authorizer_set_ha1 (f->auth, "dave", NET_SIP_DIGEST_MD5, upper);
  g_free (upper);
  r1 = send_with (f, "REGISTER", "Authorization", c_md5);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 200);
  /* no SHA-256 HA1 and no password for dave */
  r2 = send_with (f, "REGISTER", "Authorization", c_sha);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 401);
  /* removed: unknown again */
  net_sip_authorizer_set_ha1 (f->auth, "dave", NET_SIP_DIGEST_MD5, NULL);
  r3 = send_with (f, "REGISTER", "Authorization", c_md5_2);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 401);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 1);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 2);
}

/* Passwords from the lookup-password signal */
static void
test_callback (Fixture       *f,
               gconstpointer  data)
{
  guint calls = 0;
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_SHA256);
  g_autofree char *good = credentials (ch, "carol", "from-callback", "REGISTER", f->ruri, 1);
  g_autofree char *bad = credentials (ch, "carol", "guess", "REGISTER", f->ruri, 2);
  g_autofree char *unknown = credentials (ch, "erin", "from-callback", "REGISTER", f->ruri, 1);
  g_autofree char *table = credentials (ch, "alice", "wonderland", "REGISTER", f->ruri, 3);
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;

  g_signal_connect (f->auth, "lookup-password", G_CALLBACK (on_lookup_password), &calls);
  r1 = send_with (f, "REGISTER", "Authorization", good);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 200);
  r2 = send_with (f, "REGISTER", "Authorization", bad);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 401);
  r3 = send_with (f, "REGISTER", "Authorization", unknown);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 401);
  g_assert_cmpuint (calls, ==, 3);
  /* a user of the table does not reach the signal */
  r4 = send_with (f, "REGISTER", "Authorization", table);
  g_assert_cmpuint (net_sip_response_get_code (r4), ==, 200);
  g_assert_cmpuint (calls, ==, 3);
}

/* Malformed or unacceptable credentials: no qop, an algorithm not
 * offered, garbage; a 401, never a crash. */
static void
test_malformed (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(NetSipAuthParams) ch = fresh_challenge (f, "REGISTER", NET_SIP_DIGEST_MD5);
  const char *nonce = net_sip_auth_params_get_param (ch, "nonce");
  g_autofree char *noqop_text = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", algorithm=MD5", nonce);
  g_autofree char *sess_text = g_strdup_printf ("Digest realm=\"" REALM "\", nonce=\"%s\", algorithm=MD5-sess, qop=\"auth\"", nonce);
  g_autoptr(NetSipAuthParams) noqop = net_sip_auth_params_parse (noqop_text, -1, NULL);
  g_autoptr(NetSipAuthParams) sess = net_sip_auth_params_parse (sess_text, -1, NULL);
  g_autofree char *c1 = credentials (noqop, "alice", "wonderland", "REGISTER", f->ruri, 1);
  g_autofree char *c2 = credentials (sess, "alice", "wonderland", "REGISTER", f->ruri, 1);
  const char *garbage[] = { c1, c2, "Digest", "Digest realm=\"" REALM "\"", "Basic YWxpY2U6d29uZGVybGFuZA==",
                            "Digest realm=\"" REALM "\", username=\"alice\", nonce=\"x\", uri=\"sip:a\", "
                            "response=\"00\", qop=auth, nc=zz, cnonce=\"c\"" };

  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    {
      g_autoptr(NetSipResponse) r = send_with (f, "REGISTER", "Authorization", garbage[i]);
      g_assert_cmpuint (net_sip_response_get_code (r), ==, 401);
    }
  g_assert_cmpuint (f->server->requests->len, ==, 0);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 0);
}

/* The algorithms property: the challenges offered, in order (RFC 8760
 * §2.4), and the only algorithms accepted. */
static void
test_algorithms (Fixture       *f,
                 gconstpointer  data)
{
  const char *three[] = { "SHA-512-256", "sha-256", "MD5", NULL };
  const char *md5_only[] = { "MD5", NULL };
  g_auto(GStrv) got = NULL;
  g_autoptr(NetSipResponse) r1 = NULL, r2 = NULL, r3 = NULL, r4 = NULL;
  g_autoptr(GPtrArray) ch = NULL;
  g_autoptr(NetSipAuthParams) strongest = NULL;
  g_autoptr(NetSipAuthParams) sha = NULL;
  g_autofree char *c1 = NULL, *c2 = NULL;

  g_object_get (f->auth, "algorithms", &got, NULL);
  g_assert_cmpstrv (got, ((const char *[]) { "SHA-256", "MD5", NULL }));
  g_clear_pointer (&got, g_strfreev);

  net_sip_authorizer_set_algorithms (f->auth, three);
  g_object_get (f->auth, "algorithms", &got, NULL);
  g_assert_cmpstrv (got, ((const char *[]) { "SHA-512-256", "SHA-256", "MD5", NULL }));
  r1 = send_with (f, "REGISTER", NULL, NULL);
  g_assert_cmpuint (net_sip_response_get_code (r1), ==, 401);
  ch = net_sip_message_get_auth_params (NET_SIP_MESSAGE (r1), "WWW-Authenticate", NULL);
  g_assert_cmpuint (ch->len, ==, 3);
  g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (ch, 0), "algorithm"), ==, "SHA-512-256");
  g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (ch, 1), "algorithm"), ==, "SHA-256");
  g_assert_cmpstr (net_sip_auth_params_get_param (g_ptr_array_index (ch, 2), "algorithm"), ==, "MD5");
  /* a client picking the strongest (the digest module's choice) */
  strongest = net_sip_digest_choose_challenge ((NetSipAuthParams **) ch->pdata, ch->len, NULL, NULL);
  g_assert_cmpstr (net_sip_auth_params_get_param (strongest, "algorithm"), ==, "SHA-512-256");
  c1 = credentials (strongest, "alice", "wonderland", "REGISTER", f->ruri, 1);
  r2 = send_with (f, "REGISTER", "Authorization", c1);
  g_assert_cmpuint (net_sip_response_get_code (r2), ==, 200);

  /* MD5 only: one challenge; SHA-256 credentials for our nonce refused */
  sha = challenge_for (r1, "WWW-Authenticate", NET_SIP_DIGEST_SHA256);
  c2 = credentials (sha, "alice", "wonderland", "REGISTER", f->ruri, 2);
  net_sip_authorizer_set_algorithms (f->auth, md5_only);
  r3 = send_with (f, "REGISTER", "Authorization", c2);
  g_assert_cmpuint (net_sip_response_get_code (r3), ==, 401);
  g_assert_cmpuint (net_sip_message_count_headers (NET_SIP_MESSAGE (r3), "WWW-Authenticate"), ==, 1);
  g_assert_nonnull (strstr (net_sip_message_get_header (NET_SIP_MESSAGE (r3), "WWW-Authenticate"),
                            "algorithm=MD5"));
  /* NULL: back to the default */
  net_sip_authorizer_set_algorithms (f->auth, NULL);
  r4 = send_with (f, "REGISTER", "Authorization", c2);
  g_assert_cmpuint (net_sip_response_get_code (r4), ==, 200);
  g_assert_cmpuint (counter (f->auth, "accepted-requests"), ==, 2);
  g_assert_cmpuint (counter (f->auth, "rejected-requests"), ==, 1);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

#define ADD(name, fn) \
  g_test_add ("/authorizer/" name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD ("no-credentials", test_no_credentials);
  ADD ("right-credentials", test_right_credentials);
  ADD ("wrong-password", test_wrong_password);
  ADD ("stale-nonce", test_stale_nonce);
  ADD ("foreign-nonce", test_foreign_nonce);
  ADD ("replayed-nc", test_replayed_nc);
  ADD ("retransmission", test_retransmission);
  ADD ("nonce-table-bound", test_nonce_table_bound);
  ADD ("wrong-realm", test_wrong_realm);
  ADD ("uri-mismatch", test_uri_mismatch);
  ADD ("exempt", test_exempt);
  ADD ("proxy-mode", test_proxy_mode);
  ADD ("own-ack", test_own_ack);
  ADD ("ha1-table", test_ha1_table);
  ADD ("callback", test_callback);
  ADD ("malformed", test_malformed);
  ADD ("algorithms", test_algorithms);
#undef ADD

  return g_test_run ();
}
