/* netsip-authorizer.c: a receiver that demands digest authentication
 * (RFC 3261 §22, RFC 7616, RFC 8760) before it passes requests on
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-authorizer.h"
#include "netsip-local-tag-private.h"
#include "netsip-uri.h"
#include "netsip-random-private.h"

/**
 * NetSipAuthorizer:
 *
 * The server side of digest authentication (RFC 3261 §22, RFC 7616,
 * RFC 8760), Net::SIP's `Net::SIP::Authorize`: a [iface@NetSip.Receiver]
 * placed in front of another receiver (a user agent, a registrar, a
 * proxy) that lets only authenticated requests through.
 *
 * For each request it gets, the authorizer looks for credentials of its
 * [property@NetSip.Authorizer:realm] in `Authorization` (or, with
 * [property@NetSip.Authorizer:proxy] set, in `Proxy-Authorization`):
 *
 * - none, or not acceptable: it answers the request itself through its
 *   dispatcher with `401 Unauthorized` carrying `WWW-Authenticate`
 *   challenges (`407 Proxy Authentication Required` with
 *   `Proxy-Authenticate` in proxy mode, RFC 3261 §22.3), and
 *   [method@NetSip.Receiver.receive] returns %TRUE: the request is handled;
 * - acceptable: the request goes to the [property@NetSip.Authorizer:next]
 *   receiver and the authorizer returns its result; without a next
 *   receiver it returns %FALSE, so that a receive chain goes on with the
 *   next member.
 *
 * The To tag of a challenge is computed from the Call-ID, the From tag
 * and the top Via branch of the request, keyed with
 * [property@NetSip.Authorizer:secret]: the ACK of a `401` or `407` the
 * authorizer sent repeats them (RFC 3261 §17.1.1.3) and is recognised
 * without state and absorbed (receive returns %TRUE, the ACK goes no
 * further, §17.2.1), also in front of a stateless proxy, which would
 * otherwise forward it.
 *
 * Responses, other `ACK`s and `CANCEL` (RFC 3261 §22.1: they cannot be answered
 * with a challenge; an ACK for a 2xx is not checked either, whatever
 * credentials it carries), the methods in
 * [property@NetSip.Authorizer:exempt-methods] and requests from the users
 * in [property@NetSip.Authorizer:exempt-users] pass unchecked.
 *
 * Challenges: by default one `SHA-256` and one `MD5` challenge, in this
 * order (RFC 8760 §2.4: the server lists the algorithms it prefers first;
 * clients take the first they know, old ones know MD5 only; see
 * [property@NetSip.Authorizer:algorithms]), all with `qop="auth"` and the
 * same nonce. The nonce is stateless
 * (net_sip_digest_nonce_new(): a time stamp and its HMAC with
 * [property@NetSip.Authorizer:secret]), valid for
 * [property@NetSip.Authorizer:nonce-lifetime] seconds; credentials with
 * an expired nonce but a right response get a new challenge with
 * `stale=true` (RFC 7616 §3.3), so the client retries without asking its
 * user again.
 *
 * Checks, in order (RFC 7616 §3.4, §3.5; RFC 3261 §22.4): the realm is
 * ours; username, nonce, uri and response are present; the algorithm is
 * one we offer and a qop (`auth` or `auth-int`) is
 * given, so the nonce count protects against replay; the `uri` parameter
 * names the Request-URI (RFC 7616 §3.4.6); the nonce is ours (its HMAC,
 * before any password lookup); the user is known; the response is right;
 * the nonce is not expired; its nonce count
 * is higher than any seen before with that nonce (a replayed request is
 * refused), or equal to the highest one and the request has the top Via
 * branch the request with that count had: a retransmission of the same
 * request, which reaches the authorizer again when no server transaction
 * absorbs it (in front of a stateless proxy), is accepted again. The
 * highest count per nonce (and that request's branch) is remembered for
 * at most
 * [property@NetSip.Authorizer:max-nonces] nonces; a nonce forgotten to
 * keep that bound is treated as stale.
 *
 * Wrong credentials (wrong password, unknown user, replayed nonce count,
 * another realm, a uri that is not the Request-URI) get `401` (`407`)
 * with a fresh challenge, not `403`: RFC 3261 §21.4.4 keeps 403 for
 * requests that "authorization will not help", while here other
 * credentials would help; a user agent that receives a second 401 for the
 * same credentials knows they were refused (RFC 3261 §22.2) and asks its
 * user or gives up.
 *
 * Passwords come from, in this order: HA1 values stored per user and
 * algorithm (net_sip_authorizer_set_ha1(); a server need not keep the
 * password, RFC 7616 §5.2), passwords set with
 * net_sip_authorizer_set_password(), and the
 * [signal@NetSip.Authorizer::lookup-password] signal.
 *
 * In proxy mode the Proxy-Authorization values of our realm are removed
 * before a request goes on, an unchecked ACK included (RFC 3261 §20.28:
 * credentials are consumed by the proxy whose realm they name, and only
 * by it).
 *
 * Counters: [property@NetSip.Authorizer:accepted-requests],
 * [property@NetSip.Authorizer:challenged-requests] (no credentials for
 * us, or a stale nonce) and [property@NetSip.Authorizer:rejected-requests]
 * (credentials present but refused).
 *
 * The authorizer does not install itself: set it with
 * [method@NetSip.Dispatcher.set_receiver] or put it into a chain. It
 * keeps a weak reference to its dispatcher (the dispatcher usually owns
 * it, through its receiver).
 *
 * Since: 1.0
 */

#define DEFAULT_REALM          "netsip-glib"
#define DEFAULT_NONCE_LIFETIME 300
#define DEFAULT_MAX_NONCES     10000
#define SECRET_LENGTH          32

/* RFC 8760 §2.4: the strongest first; MD5 for the clients of RFC 2617 */
static const char *const default_algorithms[] = { "SHA-256", "MD5", NULL };

typedef struct
{
  char    *nonce;
  gint64   timestamp;   /* when the nonce was made (s) */
  guint32  highest_nc;
  char    *branch;      /* top Via branch of the request accepted with it */
  GList    link;        /* in Authorizer.nonce_order, data = this */
} NonceEntry;

struct _NetSipAuthorizer
{
  GObject           parent_instance;

  NetSipDispatcher *dispatcher;     /* weak: the dispatcher owns us */
  char             *realm;
  NetSipReceiver   *next;
  gboolean          proxy;
  guint             nonce_lifetime; /* s */
  guint             max_nonces;
  GBytes           *secret;
  char             *opaque;
  GStrv             exempt_methods;
  GStrv             exempt_users;
  GStrv             algorithms;     /* offered, most preferred first */

  GHashTable       *passwords;      /* username → password */
  GHashTable       *ha1s;           /* "algorithm:username" → HA1 */

  /* highest nonce count per nonce (RFC 7616 §3.4: nc replay) */
  GHashTable       *nonces;         /* nonce → NonceEntry (owned) */
  GQueue            nonce_order;    /* oldest first use at the head */
  gint64            forgotten_until; /* nonces made up to then may have been forgotten */

  guint64           n_accepted;
  guint64           n_challenged;
  guint64           n_rejected;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_REALM,
  PROP_NEXT,
  PROP_PROXY,
  PROP_NONCE_LIFETIME,
  PROP_MAX_NONCES,
  PROP_SECRET,
  PROP_OPAQUE,
  PROP_EXEMPT_METHODS,
  PROP_EXEMPT_USERS,
  PROP_ALGORITHMS,
  PROP_ACCEPTED_REQUESTS,
  PROP_CHALLENGED_REQUESTS,
  PROP_REJECTED_REQUESTS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_LOOKUP_PASSWORD,
  SIG_REQUEST_AUTHORIZED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_authorizer_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipAuthorizer, net_sip_authorizer, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_authorizer_receiver_init))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

typedef enum
{
  VERDICT_ACCEPTED,
  VERDICT_CHALLENGED,   /* no credentials for us, or stale: a challenge */
  VERDICT_REJECTED,     /* credentials refused: a fresh challenge */
} Verdict;

static void
nonce_entry_free (gpointer data)
{
  NonceEntry *e = data;
  g_free (e->nonce);
  g_free (e->branch);
  g_free (e);
}

static void
forget_nonce (NetSipAuthorizer *self,
              NonceEntry       *e)
{
  g_queue_unlink (&self->nonce_order, &e->link);
  g_hash_table_remove (self->nonces, e->nonce);
}

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static char *
ha1_key (const char            *username,
         NetSipDigestAlgorithm  algorithm)
{
  return g_strdup_printf ("%s:%s", net_sip_digest_algorithm_to_string (algorithm), username);
}

/* HA1 for @username and @algorithm in our realm, or NULL for an unknown user */
static char *
lookup_ha1 (NetSipAuthorizer      *self,
            const char            *username,
            NetSipDigestAlgorithm  algorithm)
{
  g_autofree char *key = ha1_key (username, algorithm);
  const char *ha1 = g_hash_table_lookup (self->ha1s, key);
  const char *password;
  g_autofree char *looked_up = NULL;

  if (ha1)
    return g_strdup (ha1);
  password = g_hash_table_lookup (self->passwords, username);
  if (password == NULL)
    {
      g_signal_emit (self, signals[SIG_LOOKUP_PASSWORD], 0, username, self->realm, &looked_up);
      password = looked_up;
    }
  if (password == NULL)
    return NULL;
  return net_sip_digest_compute_ha1 (algorithm, username, self->realm, password);
}

static gboolean
strv_has (GStrv       strv,
          const char *s,
          gboolean    ignore_case)
{
  if (strv == NULL || s == NULL)
    return FALSE;
  for (guint i = 0; strv[i]; i++)
    if (ignore_case ? g_ascii_strcasecmp (strv[i], s) == 0 : strcmp (strv[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* ACK and CANCEL are never challenged (RFC 3261 §22.1); nor the exempt
 * methods (RFC 3261 §7.1: method names are case-sensitive) and users */
static gboolean
is_exempt (NetSipAuthorizer *self,
           NetSipMessage    *request)
{
  const char *method = net_sip_message_get_method (request);
  NetSipNameAddr *from;
  g_autoptr(NetSipUri) uri = NULL;
  g_autofree char *user = NULL;

  if (strcmp (method, "ACK") == 0 || strcmp (method, "CANCEL") == 0)
    return TRUE;
  if (strv_has (self->exempt_methods, method, FALSE))
    return TRUE;
  if (self->exempt_users == NULL || self->exempt_users[0] == NULL)
    return FALSE;
  from = net_sip_message_get_from (request, NULL);
  if (from == NULL)
    return FALSE;
  uri = net_sip_name_addr_get_uri (from, NULL);
  if (uri == NULL || net_sip_uri_get_user (uri) == NULL)
    return FALSE;
  user = g_strndup (net_sip_uri_get_user (uri), net_sip_uri_get_user_length (uri));
  return strv_has (self->exempt_users, user, FALSE);
}

/* RFC 7616 §3.4.6: the uri parameter must name the Request-URI; equal as
 * strings, or as SIP URIs by RFC 3261 §19.1.4 */
static gboolean
uri_matches (NetSipRequest *request,
             const char    *digest_uri)
{
  const char *ruri = net_sip_request_get_uri (request);
  g_autoptr(NetSipUri) a = NULL;
  g_autoptr(NetSipUri) b = NULL;

  if (strcmp (ruri, digest_uri) == 0)
    return TRUE;
  a = net_sip_uri_parse (ruri, -1, NULL);
  b = net_sip_uri_parse (digest_uri, -1, NULL);
  return a && b && net_sip_uri_equal (a, b);
}

static const char *
credentials_header (NetSipAuthorizer *self)
{
  return self->proxy ? "Proxy-Authorization" : "Authorization";
}

/* The replay check (RFC 7616 §3.4: "if the same nc-value is seen twice,
 * then the request is a replay"). The entries are bounded by max-nonces;
 * to stay sound, a nonce made before the newest one forgotten early is
 * stale unless we still know it.
 *
 * A retransmission is not a replay: behind a stateless proxy no server
 * transaction absorbs it, so the request the highest count was accepted
 * with comes again, with the same top Via branch (RFC 3261 §17.1.1.3,
 * §17.1.2.2: a retransmission is the same request). That count with that
 * branch (an RFC 3261 branch, unique per transaction, §8.1.1.7) is
 * accepted again; with any other branch it is a new request and a replay
 * (RFC 7616 §3.4.5). */
static Verdict
check_nonce_count (NetSipAuthorizer *self,
                   const char       *nonce,
                   gint64            timestamp,
                   guint32           nc,
                   const char       *branch,
                   const char      **why)
{
  NonceEntry *e = g_hash_table_lookup (self->nonces, nonce);
  gint64 now = now_seconds ();

  if (branch && !g_str_has_prefix (branch, "z9hG4bK"))
    branch = NULL;
  if (e)
    {
      if (nc == e->highest_nc && branch && g_strcmp0 (branch, e->branch) == 0)
        {
          *why = "a retransmission";
          return VERDICT_ACCEPTED;
        }
      if (nc <= e->highest_nc)
        {
          *why = "nonce count not higher than before: a replay";
          return VERDICT_REJECTED;
        }
      e->highest_nc = nc;
      g_free (e->branch);
      e->branch = g_strdup (branch);
      return VERDICT_ACCEPTED;
    }
  if (timestamp <= self->forgotten_until)
    {
      *why = "nonce forgotten to bound the replay table";
      return VERDICT_CHALLENGED;
    }

  /* expired entries go first: their nonce is stale anyway */
  while (self->nonce_order.head)
    {
      NonceEntry *old = self->nonce_order.head->data;
      if (old->timestamp + (gint64) self->nonce_lifetime >= now &&
          g_hash_table_size (self->nonces) < self->max_nonces)
        break;
      if (old->timestamp + (gint64) self->nonce_lifetime >= now)
        self->forgotten_until = MAX (self->forgotten_until, old->timestamp);
      forget_nonce (self, old);
    }
  e = g_new0 (NonceEntry, 1);
  e->nonce = g_strdup (nonce);
  e->timestamp = timestamp;
  e->highest_nc = nc;
  e->branch = g_strdup (branch);
  e->link.data = e;
  g_hash_table_insert (self->nonces, e->nonce, e);
  g_queue_push_tail_link (&self->nonce_order, &e->link);
  return VERDICT_ACCEPTED;
}

/* Decides about @request; @username gets the authenticated user. */
static Verdict
check_request (NetSipAuthorizer  *self,
               NetSipRequest     *request,
               gboolean          *stale,
               char             **username,
               const char       **why)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  NetSipAuthParams *creds = NULL;
  NetSipDigestAlgorithm algorithm;
  const char *user, *nonce, *uri, *qop, *nc_text;
  g_autofree char *ha1 = NULL;
  g_autoptr(GBytes) body = NULL;
  guint64 nc = 0;
  gint64 timestamp = 0;
  NetSipDigestNonceStatus status;
  NetSipVia *via;
  Verdict verdict;

  *stale = FALSE;
  all = net_sip_message_get_auth_params (m, credentials_header (self), &error);
  if (all == NULL)
    {
      *why = "malformed credentials";
      return VERDICT_REJECTED;
    }
  /* RFC 3261 §22.3, §20.28: only the credentials naming our realm are ours */
  for (guint i = 0; i < all->len && creds == NULL; i++)
    {
      NetSipAuthParams *c = g_ptr_array_index (all, i);
      if (g_ascii_strcasecmp (net_sip_auth_params_get_scheme (c), "Digest") == 0 &&
          g_strcmp0 (net_sip_auth_params_get_param (c, "realm"), self->realm) == 0)
        creds = c;
    }
  if (creds == NULL)
    {
      /* a proxy sees credentials for proxies further on; a UAS sees
       * credentials for another realm as refused ones */
      *why = all->len == 0 ? "no credentials" : "no credentials for our realm";
      return all->len == 0 || self->proxy ? VERDICT_CHALLENGED : VERDICT_REJECTED;
    }

  user = net_sip_auth_params_get_param (creds, "username");
  nonce = net_sip_auth_params_get_param (creds, "nonce");
  uri = net_sip_auth_params_get_param (creds, "uri");
  qop = net_sip_auth_params_get_param (creds, "qop");
  nc_text = net_sip_auth_params_get_param (creds, "nc");
  if (user == NULL || nonce == NULL || uri == NULL ||
      net_sip_auth_params_get_param (creds, "response") == NULL)
    {
      *why = "credentials lack username, nonce, uri or response";
      return VERDICT_REJECTED;
    }
  if (!net_sip_digest_algorithm_from_string (net_sip_auth_params_get_param (creds, "algorithm"), &algorithm) ||
      !strv_has (self->algorithms, net_sip_digest_algorithm_to_string (algorithm), TRUE))
    {
      *why = "an algorithm we did not offer";
      return VERDICT_REJECTED;
    }
  /* we offered qop=auth: without a qop there is no nonce count, so no
   * replay protection (RFC 7616 §3.4 makes qop mandatory) */
  if (qop == NULL || nc_text == NULL ||
      !g_ascii_string_to_unsigned (nc_text, 16, 1, G_MAXUINT32, &nc, NULL))
    {
      *why = "no qop or no valid nonce count";
      return VERDICT_REJECTED;
    }
  if (!uri_matches (request, uri))
    {
      g_debug ("authorizer: uri parameter \"%s\", Request-URI \"%s\"", uri,
               net_sip_request_get_uri (request));
      *why = "the uri parameter is not the Request-URI";
      return VERDICT_REJECTED;
    }
  /* the nonce's HMAC first: it is cheap, and a forged nonce must not
   * cost a password lookup (a database, a signal handler) */
  status = net_sip_digest_nonce_check (self->secret, nonce, now_seconds (),
                                       self->nonce_lifetime, &timestamp);
  if (status == NET_SIP_DIGEST_NONCE_INVALID)
    {
      *why = "a nonce we did not make";
      return VERDICT_REJECTED;
    }
  ha1 = lookup_ha1 (self, user, algorithm);
  if (ha1 == NULL)
    {
      *why = "unknown user";
      return VERDICT_REJECTED;
    }
  body = net_sip_message_get_body (m);
  if (!net_sip_digest_check_credentials (creds, net_sip_message_get_method (m), body, ha1, &error))
    {
      *why = "wrong response (password)";
      return VERDICT_REJECTED;
    }
  /* the response is right: only now may the nonce be called stale
   * (RFC 7616 §3.3, stale) */
  if (status == NET_SIP_DIGEST_NONCE_STALE)
    {
      *why = "stale nonce";
      *stale = TRUE;
      return VERDICT_CHALLENGED;
    }
  via = net_sip_message_get_top_via (m, NULL);
  verdict = check_nonce_count (self, nonce, timestamp, (guint32) nc,
                               via ? net_sip_via_get_branch (via) : NULL, why);
  if (verdict == VERDICT_CHALLENGED)
    *stale = TRUE;
  if (verdict == VERDICT_ACCEPTED)
    *username = g_strdup (user);
  return verdict;
}

static void
challenge_sent (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("authorizer: challenge not sent: %s", error->message);
}

static void
append_challenge (NetSipAuthorizer      *self,
                  GString               *s,
                  NetSipDigestAlgorithm  algorithm,
                  const char            *nonce,
                  gboolean               stale)
{
  g_string_truncate (s, 0);
  /* realm and opaque are quoted-strings (RFC 3261 §25.1): escape " and \ */
  g_string_append (s, "Digest realm=\"");
  for (const char *p = self->realm; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_printf (s, "\", nonce=\"%s\", algorithm=%s, qop=\"auth\"",
                          nonce, net_sip_digest_algorithm_to_string (algorithm));
  if (self->opaque)
    {
      g_string_append (s, ", opaque=\"");
      for (const char *p = self->opaque; *p; p++)
        {
          if (*p == '"' || *p == '\\')
            g_string_append_c (s, '\\');
          g_string_append_c (s, *p);
        }
      g_string_append_c (s, '"');
    }
  if (stale)
    g_string_append (s, ", stale=true");
}

/* 401 with WWW-Authenticate, or 407 with Proxy-Authenticate (RFC 3261
 * §22.2, §22.3): one challenge per algorithm, most preferred first
 * (RFC 8760 §2.4) */
static void
send_challenge (NetSipAuthorizer *self,
                NetSipRequest    *request,
                gboolean          stale)
{
  g_autoptr(NetSipResponse) response = NULL;
  g_autofree char *nonce = net_sip_digest_nonce_new (self->secret, now_seconds ());
  g_autofree char *tag = NULL;
  const char *header = self->proxy ? "Proxy-Authenticate" : "WWW-Authenticate";
  GString *s = g_string_new (NULL);

  if (self->dispatcher == NULL)
    {
      g_string_free (s, TRUE);
      return;
    }
  /* a UAS (or a proxy answering as one) adds a To tag (RFC 3261
   * §8.2.6.2); ours is computed, so that the ACK of this response is
   * recognised without state (§17.2.1) */
  if (net_sip_message_get_to_tag (NET_SIP_MESSAGE (request)) == NULL)
    tag = net_sip_local_tag_new (self->secret, NET_SIP_MESSAGE (request));
  response = net_sip_request_create_response (request, self->proxy ? 407 : 401, NULL, tag);
  for (guint i = 0; self->algorithms[i]; i++)
    {
      NetSipDigestAlgorithm algorithm = NET_SIP_DIGEST_MD5;
      net_sip_digest_algorithm_from_string (self->algorithms[i], &algorithm);
      append_challenge (self, s, algorithm, nonce, stale);
      net_sip_message_add_header (NET_SIP_MESSAGE (response), header, s->str);
    }
  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Content-Length", "0");
  g_string_free (s, TRUE);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    challenge_sent, NULL);
}

/* RFC 3261 §20.28: a proxy consumes the Proxy-Authorization values of its
 * own realm and leaves the others to the proxies they are for */
static void
consume_credentials (NetSipAuthorizer *self,
                     NetSipMessage    *request)
{
  g_auto(GStrv) values = NULL;
  g_autoptr(GPtrArray) parsed = NULL;

  if (net_sip_message_get_header (request, "Proxy-Authorization") == NULL)
    return;
  values = net_sip_message_get_headers (request, "Proxy-Authorization");
  parsed = net_sip_message_get_auth_params (request, "Proxy-Authorization", NULL);
  if (values == NULL || parsed == NULL || g_strv_length (values) != parsed->len)
    return;
  net_sip_message_remove_header (request, "Proxy-Authorization");
  for (guint i = 0; values[i]; i++)
    {
      NetSipAuthParams *c = g_ptr_array_index (parsed, i);
      if (g_strcmp0 (net_sip_auth_params_get_param (c, "realm"), self->realm) != 0)
        net_sip_message_add_header (request, "Proxy-Authorization", values[i]);
    }
}

static gboolean
pass_on (NetSipAuthorizer *self,
         NetSipMessage    *message,
         NetSipLeg        *leg,
         NetSipSourceInfo *source)
{
  g_autoptr(NetSipReceiver) next = self->next ? g_object_ref (self->next) : NULL;

  if (next == NULL)
    return FALSE;
  return net_sip_receiver_receive (next, message, leg, source);
}

static gboolean
net_sip_authorizer_receive (NetSipReceiver   *receiver,
                            NetSipMessage    *message,
                            NetSipLeg        *leg,
                            NetSipSourceInfo *source)
{
  NetSipAuthorizer *self = NET_SIP_AUTHORIZER (receiver);
  g_autoptr(NetSipAuthorizer) keep = g_object_ref (self);
  g_autofree char *username = NULL;
  const char *why = NULL;
  gboolean stale = FALSE;
  Verdict verdict;

  if (!net_sip_message_is_request (message))
    return pass_on (self, message, leg, source);
  /* the ACK of our own 401/407 ends here (RFC 3261 §17.2.1): its To tag
   * is the one we computed for the challenge */
  if (g_strcmp0 (net_sip_message_get_method (message), "ACK") == 0 &&
      net_sip_local_tag_check (self->secret, message))
    {
      g_debug ("authorizer: ACK of our %u absorbed", self->proxy ? 407 : 401);
      return TRUE;
    }
  if (is_exempt (self, message))
    {
      /* the ACK for a 2xx carries the INVITE's credentials (RFC 3261
       * §13.2.2.4): unchecked, but ours are consumed all the same */
      if (self->proxy)
        consume_credentials (self, message);
      return pass_on (self, message, leg, source);
    }

  verdict = check_request (self, NET_SIP_REQUEST (message), &stale, &username, &why);
  switch (verdict)
    {
    case VERDICT_ACCEPTED:
      self->n_accepted++;
      if (self->proxy)
        consume_credentials (self, message);
      g_signal_emit (self, signals[SIG_REQUEST_AUTHORIZED], 0, message, username);
      return pass_on (self, message, leg, source);
    case VERDICT_CHALLENGED:
      self->n_challenged++;
      break;
    case VERDICT_REJECTED:
    default:
      self->n_rejected++;
      break;
    }
  g_debug ("authorizer: %s %s: %s: answering %u%s", net_sip_message_get_method (message),
           net_sip_request_get_uri (NET_SIP_REQUEST (message)), why,
           self->proxy ? 407 : 401, stale ? " stale=true" : "");
  send_challenge (self, NET_SIP_REQUEST (message), stale);
  return TRUE;
}

static void
net_sip_authorizer_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_authorizer_receive;
}

/* lookup-password: the first handler that knows the user wins */
static gboolean
first_non_null (GSignalInvocationHint *ihint,
                GValue                *return_accu,
                const GValue          *handler_return,
                gpointer               data)
{
  const char *s = g_value_get_string (handler_return);

  if (s == NULL)
    return TRUE;
  g_value_set_string (return_accu, s);
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_authorizer_get_property (GObject    *object,
                                 guint       prop_id,
                                 GValue     *value,
                                 GParamSpec *pspec)
{
  NetSipAuthorizer *self = NET_SIP_AUTHORIZER (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;
    case PROP_REALM:
      g_value_set_string (value, self->realm);
      break;
    case PROP_NEXT:
      g_value_set_object (value, self->next);
      break;
    case PROP_PROXY:
      g_value_set_boolean (value, self->proxy);
      break;
    case PROP_NONCE_LIFETIME:
      g_value_set_uint (value, self->nonce_lifetime);
      break;
    case PROP_MAX_NONCES:
      g_value_set_uint (value, self->max_nonces);
      break;
    case PROP_OPAQUE:
      g_value_set_string (value, self->opaque);
      break;
    case PROP_EXEMPT_METHODS:
      g_value_set_boxed (value, self->exempt_methods);
      break;
    case PROP_EXEMPT_USERS:
      g_value_set_boxed (value, self->exempt_users);
      break;
    case PROP_ALGORITHMS:
      g_value_set_boxed (value, self->algorithms);
      break;
    case PROP_ACCEPTED_REQUESTS:
      g_value_set_uint64 (value, self->n_accepted);
      break;
    case PROP_CHALLENGED_REQUESTS:
      g_value_set_uint64 (value, self->n_challenged);
      break;
    case PROP_REJECTED_REQUESTS:
      g_value_set_uint64 (value, self->n_rejected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_authorizer_set_property (GObject      *object,
                                 guint         prop_id,
                                 const GValue *value,
                                 GParamSpec   *pspec)
{
  NetSipAuthorizer *self = NET_SIP_AUTHORIZER (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      self->dispatcher = g_value_get_object (value);
      if (self->dispatcher)
        g_object_add_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
      break;
    case PROP_REALM:
      net_sip_authorizer_set_realm (self, g_value_get_string (value));
      break;
    case PROP_NEXT:
      net_sip_authorizer_set_next (self, g_value_get_object (value));
      break;
    case PROP_PROXY:
      net_sip_authorizer_set_proxy (self, g_value_get_boolean (value));
      break;
    case PROP_NONCE_LIFETIME:
      net_sip_authorizer_set_nonce_lifetime (self, g_value_get_uint (value));
      break;
    case PROP_MAX_NONCES:
      if (self->max_nonces != g_value_get_uint (value))
        {
          self->max_nonces = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_SECRET:
      {
        GBytes *secret = g_value_get_boxed (value);
        g_clear_pointer (&self->secret, g_bytes_unref);
        self->secret = secret && g_bytes_get_size (secret) > 0 ? g_bytes_ref (secret) : net_sip_random_secret_new (SECRET_LENGTH);
      }
      break;
    case PROP_OPAQUE:
      if (g_strcmp0 (self->opaque, g_value_get_string (value)) != 0)
        {
          g_free (self->opaque);
          self->opaque = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_EXEMPT_METHODS:
      net_sip_authorizer_set_exempt_methods (self, g_value_get_boxed (value));
      break;
    case PROP_EXEMPT_USERS:
      net_sip_authorizer_set_exempt_users (self, g_value_get_boxed (value));
      break;
    case PROP_ALGORITHMS:
      net_sip_authorizer_set_algorithms (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_authorizer_dispose (GObject *object)
{
  NetSipAuthorizer *self = NET_SIP_AUTHORIZER (object);

  if (self->dispatcher)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
      self->dispatcher = NULL;
    }
  g_clear_object (&self->next);
  G_OBJECT_CLASS (net_sip_authorizer_parent_class)->dispose (object);
}

static void
net_sip_authorizer_finalize (GObject *object)
{
  NetSipAuthorizer *self = NET_SIP_AUTHORIZER (object);

  g_free (self->realm);
  g_free (self->opaque);
  g_clear_pointer (&self->secret, g_bytes_unref);
  g_strfreev (self->exempt_methods);
  g_strfreev (self->exempt_users);
  g_strfreev (self->algorithms);
  g_hash_table_unref (self->passwords);
  g_hash_table_unref (self->ha1s);
  g_queue_init (&self->nonce_order);   /* the links live in the entries: not freed */
  g_hash_table_unref (self->nonces);
  G_OBJECT_CLASS (net_sip_authorizer_parent_class)->finalize (object);
}

static void
net_sip_authorizer_class_init (NetSipAuthorizerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = net_sip_authorizer_get_property;
  object_class->set_property = net_sip_authorizer_set_property;
  object_class->dispose = net_sip_authorizer_dispose;
  object_class->finalize = net_sip_authorizer_finalize;

  /**
   * NetSipAuthorizer:dispatcher:
   *
   * The dispatcher the challenges are sent through (a weak reference).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipAuthorizer:realm:
   *
   * The realm of the challenges (RFC 3261 §22.1: e.g. the host or domain
   * name); credentials for another realm are not ours. Stored HA1 values
   * depend on it: change them when it changes.
   *
   * Since: 1.0
   */
  props[PROP_REALM] =
    g_param_spec_string ("realm", NULL, NULL, DEFAULT_REALM, rw | G_PARAM_CONSTRUCT);
  /**
   * NetSipAuthorizer:next:
   *
   * The receiver that gets the requests that passed (and responses, ACK,
   * CANCEL, exempt requests), or %NULL: then
   * [method@NetSip.Receiver.receive] returns %FALSE for them, and a chain
   * goes on.
   *
   * Since: 1.0
   */
  props[PROP_NEXT] =
    g_param_spec_object ("next", NULL, NULL, NET_SIP_TYPE_RECEIVER, rw);
  /**
   * NetSipAuthorizer:proxy:
   *
   * Whether the authorizer acts for a proxy (RFC 3261 §22.3): it reads
   * `Proxy-Authorization`, answers `407 Proxy Authentication Required`
   * with `Proxy-Authenticate`, and removes the credentials of its realm
   * before passing a request on. Otherwise (a user agent, a registrar)
   * `Authorization` and `401 Unauthorized` with `WWW-Authenticate`
   * (RFC 3261 §22.2).
   *
   * Since: 1.0
   */
  props[PROP_PROXY] =
    g_param_spec_boolean ("proxy", NULL, NULL, FALSE, rw);
  /**
   * NetSipAuthorizer:nonce-lifetime:
   *
   * How long a nonce is accepted, in seconds (1 to 86400). Credentials with
   * an older nonce get a new challenge with `stale=true`.
   *
   * Since: 1.0
   */
  props[PROP_NONCE_LIFETIME] =
    g_param_spec_uint ("nonce-lifetime", NULL, NULL, 1, 86400, DEFAULT_NONCE_LIFETIME, rw);
  /**
   * NetSipAuthorizer:max-nonces:
   *
   * How many nonces the replay check remembers (their highest nonce
   * count), the bound of its memory. When it is full, the nonce used
   * longest ago is forgotten, and so is every nonce made no later than
   * it: they are treated as stale (the client gets a fresh nonce without
   * asking its user). At least 1.
   *
   * Since: 1.0
   */
  props[PROP_MAX_NONCES] =
    g_param_spec_uint ("max-nonces", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_NONCES, rw);
  /**
   * NetSipAuthorizer:secret:
   *
   * The key of the nonces' HMAC (write-only, construct-only). %NULL (the
   * default) makes 32 random bytes; give the same secret to several
   * authorizers (servers behind one address) so each accepts the others'
   * nonces. Nonces made with another secret are refused.
   *
   * Since: 1.0
   */
  props[PROP_SECRET] =
    g_param_spec_boxed ("secret", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_WRITABLE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipAuthorizer:opaque:
   *
   * The `opaque` parameter of the challenges (RFC 7616 §3.3), or %NULL for
   * none.
   *
   * Since: 1.0
   */
  props[PROP_OPAQUE] =
    g_param_spec_string ("opaque", NULL, NULL, NULL, rw);
  /**
   * NetSipAuthorizer:exempt-methods:
   *
   * Methods passed on without a check (case-sensitive, RFC 3261 §7.1),
   * besides `ACK` and `CANCEL`, which are never challenged (RFC 3261
   * §22.1). E.g. `OPTIONS` for keep-alive probes.
   *
   * Since: 1.0
   */
  props[PROP_EXEMPT_METHODS] =
    g_param_spec_boxed ("exempt-methods", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipAuthorizer:exempt-users:
   *
   * User names (the user part of the From URI) whose requests pass without
   * a check. From is not authenticated: anyone can claim to be these
   * users; use it for guest or anonymous accounts, not to trust peers.
   *
   * Since: 1.0
   */
  props[PROP_EXEMPT_USERS] =
    g_param_spec_boxed ("exempt-users", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipAuthorizer:algorithms:
   *
   * The digest algorithms offered, one challenge each, most preferred
   * first (RFC 8760 §2.4), and the only ones accepted in credentials:
   * names as net_sip_digest_algorithm_to_string() writes them, among
   * `SHA-512-256`, `SHA-256` and `MD5`. Default: `SHA-256`, `MD5`.
   *
   * Clients that look at the first challenge only fail when it names an
   * algorithm they lack: sipp 3.6 (MD5 only) gives up on a SHA-256 first
   * challenge. For such clients offer `MD5` alone.
   *
   * Since: 1.0
   */
  props[PROP_ALGORITHMS] =
    g_param_spec_boxed ("algorithms", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipAuthorizer:accepted-requests:
   *
   * Requests with acceptable credentials (passed on). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_ACCEPTED_REQUESTS] =
    g_param_spec_uint64 ("accepted-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipAuthorizer:challenged-requests:
   *
   * Requests answered with a challenge because they had no credentials
   * for our realm or a stale nonce. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_CHALLENGED_REQUESTS] =
    g_param_spec_uint64 ("challenged-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipAuthorizer:rejected-requests:
   *
   * Requests whose credentials were refused (wrong password, unknown
   * user, replayed nonce count, nonce not ours, uri not the Request-URI,
   * another realm, an algorithm not offered, no qop, malformed), answered
   * with a fresh challenge. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_REJECTED_REQUESTS] =
    g_param_spec_uint64 ("rejected-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipAuthorizer::lookup-password:
   * @self: the authorizer
   * @username: the user named in the credentials
   * @realm: the authorizer's realm
   *
   * Emitted for a user with neither a stored HA1 nor a password set with
   * [method@NetSip.Authorizer.set_password], while the request is being
   * checked (the answer is needed now). The first handler that returns a
   * password wins.
   *
   * Returns: (transfer full) (nullable): the user's password, or %NULL
   *   for an unknown user (the request is refused)
   *
   * Since: 1.0
   */
  signals[SIG_LOOKUP_PASSWORD] =
    g_signal_new ("lookup-password", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  first_non_null, NULL, NULL, G_TYPE_STRING, 2, G_TYPE_STRING, G_TYPE_STRING);
  /**
   * NetSipAuthorizer::request-authorized:
   * @self: the authorizer
   * @request: the request whose credentials were accepted
   * @username: the authenticated user
   *
   * Emitted before an authenticated request goes to the next receiver, so
   * that an application (a registrar) learns who sent it.
   *
   * Since: 1.0
   */
  signals[SIG_REQUEST_AUTHORIZED] =
    g_signal_new ("request-authorized", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, NET_SIP_TYPE_REQUEST, G_TYPE_STRING);
}

static void
net_sip_authorizer_init (NetSipAuthorizer *self)
{
  self->nonce_lifetime = DEFAULT_NONCE_LIFETIME;
  self->max_nonces = DEFAULT_MAX_NONCES;
  self->passwords = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->ha1s = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->nonces = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, nonce_entry_free);
  g_queue_init (&self->nonce_order);
  self->forgotten_until = G_MININT64;
  self->algorithms = g_strdupv ((char **) default_algorithms);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_authorizer_new:
 * @dispatcher: the dispatcher the challenges go out through
 * @realm: (nullable): the realm (RFC 3261 §22.1), or %NULL for
 *   `netsip-glib`
 *
 * Creates an authorizer. Set its [property@NetSip.Authorizer:next]
 * receiver and install it with [method@NetSip.Dispatcher.set_receiver]
 * (or put it into a chain); give it passwords
 * ([method@NetSip.Authorizer.set_password],
 * [method@NetSip.Authorizer.set_ha1] or
 * [signal@NetSip.Authorizer::lookup-password]).
 *
 * Returns: (transfer full): a new #NetSipAuthorizer
 *
 * Since: 1.0
 */
NetSipAuthorizer *
net_sip_authorizer_new (NetSipDispatcher *dispatcher,
                        const char       *realm)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);

  return g_object_new (NET_SIP_TYPE_AUTHORIZER, "dispatcher", dispatcher,
                       "realm", realm ? realm : DEFAULT_REALM, NULL);
}

/**
 * net_sip_authorizer_get_dispatcher:
 * @self: a #NetSipAuthorizer
 *
 * Gets the dispatcher the authorizer answers on.
 *
 * Returns: (transfer none) (nullable): the dispatcher, or %NULL once it
 *   is gone
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_authorizer_get_dispatcher (NetSipAuthorizer *self)
{
  g_return_val_if_fail (NET_SIP_IS_AUTHORIZER (self), NULL);
  return self->dispatcher;
}

/**
 * net_sip_authorizer_get_realm:
 * @self: a #NetSipAuthorizer
 *
 * Gets the realm of the challenges ([property@NetSip.Authorizer:realm]).
 *
 * Returns: (transfer none): the realm of the challenges
 *
 * Since: 1.0
 */
const char *
net_sip_authorizer_get_realm (NetSipAuthorizer *self)
{
  g_return_val_if_fail (NET_SIP_IS_AUTHORIZER (self), NULL);
  return self->realm;
}

/**
 * net_sip_authorizer_set_realm:
 * @self: a #NetSipAuthorizer
 * @realm: (nullable): the realm, or %NULL for `netsip-glib`
 *
 * Sets [property@NetSip.Authorizer:realm]. Credentials answering a
 * challenge of the old realm are refused from now on.
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_realm (NetSipAuthorizer *self,
                              const char       *realm)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));

  if (realm == NULL)
    realm = DEFAULT_REALM;
  if (g_strcmp0 (self->realm, realm) == 0)
    return;
  g_free (self->realm);
  self->realm = g_strdup (realm);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REALM]);
}

/**
 * net_sip_authorizer_get_next:
 * @self: a #NetSipAuthorizer
 *
 * Gets the receiver that authenticated requests are passed to
 * ([property@NetSip.Authorizer:next]).
 *
 * Returns: (transfer none) (nullable): the receiver authenticated
 *   requests go to
 *
 * Since: 1.0
 */
NetSipReceiver *
net_sip_authorizer_get_next (NetSipAuthorizer *self)
{
  g_return_val_if_fail (NET_SIP_IS_AUTHORIZER (self), NULL);
  return self->next;
}

/**
 * net_sip_authorizer_set_next:
 * @self: a #NetSipAuthorizer
 * @next: (nullable) (transfer none): the receiver for authenticated
 *   requests, or %NULL
 *
 * Sets [property@NetSip.Authorizer:next]; the authorizer keeps a
 * reference.
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_next (NetSipAuthorizer *self,
                             NetSipReceiver   *next)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  g_return_if_fail (next == NULL || NET_SIP_IS_RECEIVER (next));
  g_return_if_fail (next != NET_SIP_RECEIVER (self));

  if (g_set_object (&self->next, next))
    g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NEXT]);
}

/**
 * net_sip_authorizer_get_proxy:
 * @self: a #NetSipAuthorizer
 *
 * Tells whether the authorizer challenges as a proxy
 * ([property@NetSip.Authorizer:proxy]).
 *
 * Returns: whether the authorizer acts for a proxy (407,
 *   Proxy-Authorization)
 *
 * Since: 1.0
 */
gboolean
net_sip_authorizer_get_proxy (NetSipAuthorizer *self)
{
  g_return_val_if_fail (NET_SIP_IS_AUTHORIZER (self), FALSE);
  return self->proxy;
}

/**
 * net_sip_authorizer_set_proxy:
 * @self: a #NetSipAuthorizer
 * @proxy: %TRUE to act for a proxy (RFC 3261 §22.3)
 *
 * Sets [property@NetSip.Authorizer:proxy].
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_proxy (NetSipAuthorizer *self,
                              gboolean          proxy)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));

  proxy = !!proxy;
  if (self->proxy == proxy)
    return;
  self->proxy = proxy;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_PROXY]);
}

/**
 * net_sip_authorizer_get_nonce_lifetime:
 * @self: a #NetSipAuthorizer
 *
 * Gets how long a nonce stays valid ([property@NetSip.Authorizer:nonce-
 * lifetime]).
 *
 * Returns: how long a nonce is accepted, in seconds
 *
 * Since: 1.0
 */
guint
net_sip_authorizer_get_nonce_lifetime (NetSipAuthorizer *self)
{
  g_return_val_if_fail (NET_SIP_IS_AUTHORIZER (self), 0);
  return self->nonce_lifetime;
}

/**
 * net_sip_authorizer_set_nonce_lifetime:
 * @self: a #NetSipAuthorizer
 * @seconds: how long a nonce is accepted, 1 to 86400 seconds
 *
 * Sets [property@NetSip.Authorizer:nonce-lifetime]. It applies to the
 * nonces already given out too (their age is checked, not a stored
 * deadline).
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_nonce_lifetime (NetSipAuthorizer *self,
                                       guint             seconds)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  g_return_if_fail (seconds >= 1 && seconds <= 86400);

  if (self->nonce_lifetime == seconds)
    return;
  self->nonce_lifetime = seconds;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_NONCE_LIFETIME]);
}

static void
set_strv (NetSipAuthorizer   *self,
          GStrv              *field,
          const char * const *value,
          GParamSpec         *pspec)
{
  if (*field == NULL && (value == NULL || value[0] == NULL))
    return;
  if (*field && value && g_strv_equal ((const char * const *) *field, value))
    return;
  g_strfreev (*field);
  *field = value && value[0] ? g_strdupv ((char **) value) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), pspec);
}

/**
 * net_sip_authorizer_set_exempt_methods:
 * @self: a #NetSipAuthorizer
 * @methods: (nullable) (array zero-terminated=1): method names, or %NULL
 *
 * Sets [property@NetSip.Authorizer:exempt-methods]: requests with these
 * methods pass without a check. ACK and CANCEL always do (RFC 3261 §22.1).
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_exempt_methods (NetSipAuthorizer   *self,
                                       const char * const *methods)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  set_strv (self, &self->exempt_methods, methods, props[PROP_EXEMPT_METHODS]);
}

/**
 * net_sip_authorizer_set_exempt_users:
 * @self: a #NetSipAuthorizer
 * @users: (nullable) (array zero-terminated=1): user names, or %NULL
 *
 * Sets [property@NetSip.Authorizer:exempt-users]: requests whose From URI
 * names one of these users pass without a check.
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_exempt_users (NetSipAuthorizer   *self,
                                     const char * const *users)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  set_strv (self, &self->exempt_users, users, props[PROP_EXEMPT_USERS]);
}

/**
 * net_sip_authorizer_set_algorithms:
 * @self: a #NetSipAuthorizer
 * @algorithms: (nullable) (array zero-terminated=1): algorithm names,
 *   most preferred first (`SHA-512-256`, `SHA-256`, `MD5`), or %NULL for
 *   the default (`SHA-256`, `MD5`)
 *
 * Sets [property@NetSip.Authorizer:algorithms]: which challenges a 401
 * (407) carries, in this order (RFC 8760 §2.4), and which algorithms
 * credentials may use. An unknown or `-sess` name is a programming error.
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_algorithms (NetSipAuthorizer   *self,
                                   const char * const *algorithms)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));

  if (algorithms == NULL || algorithms[0] == NULL)
    algorithms = default_algorithms;
  for (guint i = 0; algorithms[i]; i++)
    {
      NetSipDigestAlgorithm a;
      g_return_if_fail (net_sip_digest_algorithm_from_string (algorithms[i], &a));
      g_return_if_fail (a == NET_SIP_DIGEST_MD5 || a == NET_SIP_DIGEST_SHA256 ||
                        a == NET_SIP_DIGEST_SHA512_256);
    }
  if (self->algorithms && g_strv_equal ((const char * const *) self->algorithms, algorithms))
    return;
  g_strfreev (self->algorithms);
  /* stored as written by net_sip_digest_algorithm_to_string() */
  self->algorithms = g_new0 (char *, g_strv_length ((char **) algorithms) + 1);
  for (guint i = 0; algorithms[i]; i++)
    {
      NetSipDigestAlgorithm a = NET_SIP_DIGEST_MD5;
      net_sip_digest_algorithm_from_string (algorithms[i], &a);
      self->algorithms[i] = g_strdup (net_sip_digest_algorithm_to_string (a));
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_ALGORITHMS]);
}

/**
 * net_sip_authorizer_set_password:
 * @self: a #NetSipAuthorizer
 * @username: the user name, as clients put it into `username`
 * @password: (nullable): the password, or %NULL to remove the user
 *
 * Sets the password of @username (the user → password table; HA1 values
 * from net_sip_authorizer_set_ha1() take precedence).
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_password (NetSipAuthorizer *self,
                                 const char       *username,
                                 const char       *password)
{
  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  g_return_if_fail (username != NULL);

  if (password)
    g_hash_table_replace (self->passwords, g_strdup (username), g_strdup (password));
  else
    g_hash_table_remove (self->passwords, username);
}

/**
 * net_sip_authorizer_set_ha1:
 * @self: a #NetSipAuthorizer
 * @username: the user name
 * @algorithm: %NET_SIP_DIGEST_MD5, %NET_SIP_DIGEST_SHA256 or
 *   %NET_SIP_DIGEST_SHA512_256 (see [property@NetSip.Authorizer:algorithms])
 * @ha1: (nullable): H(username ":" realm ":" password) in hex for
 *   @algorithm and the authorizer's realm (see
 *   net_sip_digest_compute_ha1(); RFC 7616 §3.4.2), or %NULL to remove it
 *
 * Stores HA1 instead of a password (RFC 7616 §5.2), as a registrar
 * database does. A user with an HA1 for only one algorithm can
 * authenticate with that one only (unless a password is known too).
 *
 * Since: 1.0
 */
void
net_sip_authorizer_set_ha1 (NetSipAuthorizer      *self,
                            const char            *username,
                            NetSipDigestAlgorithm  algorithm,
                            const char            *ha1)
{
  g_autofree char *key = NULL;

  g_return_if_fail (NET_SIP_IS_AUTHORIZER (self));
  g_return_if_fail (username != NULL);
  g_return_if_fail (algorithm == NET_SIP_DIGEST_MD5 || algorithm == NET_SIP_DIGEST_SHA256 ||
                    algorithm == NET_SIP_DIGEST_SHA512_256);

  key = ha1_key (username, algorithm);
  if (ha1)
    g_hash_table_replace (self->ha1s, g_steal_pointer (&key), g_ascii_strdown (ha1, -1));
  else
    g_hash_table_remove (self->ha1s, key);
}
