/* netsip-endpoint.c: the user agent core (RFC 3261 §8, §12–§15, §22)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-endpoint.h"
#include "netsip-digest.h"
#include "netsip-enum-types.h"
#include "netsip-error.h"
#include "netsip-name-addr.h"
#include "netsip-uri.h"
#include "netsip-via.h"
#include "netsip-random-private.h"

/**
 * NetSipEndpoint:
 *
 * The user agent core (RFC 3261 §8, §12–§15), what Net::SIP calls the
 * endpoint: a [iface@NetSip.Receiver] on a [class@NetSip.Dispatcher]
 * that makes requests, matches their responses, keeps the dialogs
 * ([class@NetSip.Dialog]), answers what a user agent must answer by
 * itself, authenticates its requests with HTTP digest (RFC 3261 §22,
 * RFC 7616, RFC 8760) and keeps registrations fresh (§10).
 *
 * ## Requests it sends
 *
 * [method@NetSip.Endpoint.new_request] builds a request, in a dialog or
 * for a new one; [method@NetSip.Endpoint.deliver_async] (and
 * [method@NetSip.Endpoint.invite_async] for an INVITE) sends it and
 * completes with the final response. On the way the endpoint
 *
 * - answers 401 and 407 with credentials for each realm of the challenge
 *   (from [method@NetSip.Endpoint.set_credentials] or the
 *   [signal@NetSip.Endpoint::authenticate] signal, which may be answered
 *   later), taking the strongest algorithm offered; a second challenge
 *   for the same credentials ends with %NET_SIP_AUTH_ERROR_REJECTED;
 * - follows a 302 to the first Contact (at most
 *   [property@NetSip.Endpoint:max-redirects] times) and a 305 by putting
 *   its Contact first in the route (§8.1.3.4, §21.3.6);
 * - for a 2xx to an INVITE builds the ACK (§13.2.2.4), hands it to
 *   [signal@NetSip.Endpoint::ack-prepared], sends it, and sends it again
 *   for each retransmission of the 2xx; a 2xx from another fork gets its
 *   own ACK and a BYE (one call per INVITE);
 * - reports each provisional response with
 *   [signal@NetSip.Endpoint::provisional-received].
 *
 * 300, 301 and every other final response go to the caller.
 *
 * ## Requests it receives
 *
 * Each new request is given to [signal@NetSip.Endpoint::request-received];
 * the application returns %TRUE when it answers (now or later) with
 * [method@NetSip.Endpoint.respond]. The endpoint itself sends 100 Trying
 * for an INVITE at once, 200 for BYE and CANCEL (and 487 for the INVITE a
 * CANCEL ends), 481 for a request in an unknown dialog, 500 for a CSeq
 * below the last one in its dialog (§12.2.2), 200 with Allow, Accept and
 * Supported for an OPTIONS nobody answers (§11.2), 405 with Allow for any
 * other method nobody answers (§8.2.1), 480 for an INVITE nobody answers.
 * A 2xx to an INVITE is sent again (T1 doubling up to T2, over every
 * transport) until the ACK comes (§13.3.1.4).
 *
 * ## Lifetime
 *
 * The dispatcher holds the endpoint as its receiver; the endpoint does not
 * hold the dispatcher. Keep the dispatcher while you use the endpoint.
 *
 * Since: 1.0
 */

/**
 * net_sip_endpoint_error_quark:
 *
 * The error domain of [class@NetSip.Endpoint].
 *
 * Returns: the %NET_SIP_ENDPOINT_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-endpoint-error-quark, net_sip_endpoint_error)

#define DEFAULT_MAX_REDIRECTS 5
#define MAX_NONCES 1024

typedef struct _ClientRequest ClientRequest;
typedef struct _ServerRequest ServerRequest;
typedef struct _AckEntry AckEntry;
typedef struct _Registration Registration;

/* One of the endpoint's timers, kept in the record it belongs to: all of
 * them wait in one min-heap under one GSource (no GSource per call) */
typedef struct
{
  gint64       deadline;   /* monotonic µs */
  guint64      serial;     /* equal deadlines: in the order they were set */
  gint         index;      /* in self->timers, -1 when not set */
  GSourceFunc  func;
  gpointer     data;
} Timer;

struct _NetSipEndpoint
{
  GObject           parent_instance;

  NetSipDispatcher *dispatcher;     /* weak: the dispatcher owns us */
  GMainContext     *context;
  char             *contact;
  char             *user_agent;
  GStrv             allow;
  GStrv             supported;
  GStrv             accept;
  guint             max_redirects;
  guint             serial;

  GHashTable       *dialogs;        /* id → NetSipDialog (ref) */
  GHashTable       *clients;        /* message key → ClientRequest */
  GHashTable       *originals;      /* the caller's NetSipRequest → ClientRequest */
  GHashTable       *acks;           /* INVITE key → AckEntry */
  GHashTable       *servers;        /* received NetSipRequest → ServerRequest */
  GHashTable       *invites;        /* "Call-ID\nbranch\nCSeq" → ServerRequest (INVITE), for CANCEL */
  GHashTable       *waiting_acks;   /* "Call-ID\nCSeq" → ServerRequest whose 2xx awaits its ACK */
  GHashTable       *invites_in;     /* Call-ID → ServerRequest: received INVITE without final */
  GHashTable       *invites_out;    /* Call-ID → ClientRequest: our INVITE without final */
  GHashTable       *merge;          /* From tag, Call-ID, CSeq of a request without To tag
                                     * and without final → ServerRequest (§8.2.2.2) */
  GHashTable       *credentials;    /* realm ("" any) → "user\npassword" */
  GHashTable       *nonces;         /* nonce → count */
  GHashTable       *registrations;  /* AOR → Registration */

  /* the endpoint's timers: a binary min-heap by deadline, one source
   * ready at the earliest */
  GPtrArray        *timers;         /* Timer, not owned */
  GSource          *timer_source;
  guint64           timer_serial;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_CONTACT,
  PROP_USER_AGENT,
  PROP_ALLOW,
  PROP_SUPPORTED,
  PROP_ACCEPT,
  PROP_MAX_REDIRECTS,
  PROP_N_DIALOGS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_REQUEST_RECEIVED,
  SIG_PROVISIONAL_RECEIVED,
  SIG_ACK_PREPARED,
  SIG_AUTHENTICATE,
  SIG_DIALOG_CLOSED,
  SIG_REGISTRATION_UPDATED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static const char *const default_allow[] = { "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", NULL };
static const char *const default_accept[] = { "application/sdp", NULL };
static const char *const no_strings[] = { NULL };

/* Methods of the SIP RFCs: an unknown one is answered 501, a known one
 * nobody takes 405 (RFC 3261 §8.2.1, §21.5.2) */
static const char *const known_methods[] = {
  "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE", "NOTIFY",
  "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", NULL
};

/* One request the caller handed to deliver_async: it may go out several
 * times (credentials, redirect), each time a new request. */
struct _ClientRequest
{
  NetSipEndpoint *self;
  GTask          *task;
  NetSipRequest  *original;      /* the caller's: key for cancel and authenticate */
  NetSipRequest  *current;       /* in flight */
  char           *key;           /* of current, in self->clients */
  char           *id;            /* delivery id at the dispatcher */
  NetSipDialog   *dialog;        /* the dialog it is in or made */
  GPtrArray      *early;         /* early dialogs its 1xx made (forks) */
  GCancellable   *cancellable;
  gulong          cancel_handler;
  gboolean        is_invite;
  gboolean        got_provisional;
  gboolean        cancel_wanted;
  gboolean        cancel_sent;
  gboolean        done;
  guint           n_redirects;
  /* digest: realm → AuthState */
  GHashTable     *auth;
  /* a challenge waiting for answers from the authenticate signal */
  NetSipResponse *challenge;
  GHashTable     *waiting;       /* realm → NULL */
  gboolean        in_challenge;
};

typedef struct
{
  char             *realm;
  char             *header;      /* Authorization or Proxy-Authorization */
  NetSipAuthParams *challenge;
  char             *username;
  char             *password;
  gboolean          tried;       /* credentials went out with this challenge's realm */
  gboolean          answered;    /* this round */
  gboolean          retrying;
  gboolean          rejected;
} AuthState;

/* A request we received and answer (or answered) */
struct _ServerRequest
{
  NetSipEndpoint *self;
  NetSipRequest  *request;
  NetSipDialog   *dialog;
  NetSipLeg      *leg;
  char           *invite_key;    /* in self->invites, INVITE only */
  char           *ack_key;       /* in self->waiting_acks */
  char           *to_tag;        /* outside a dialog: the tag of our responses */
  char           *merge_key;     /* in self->merge */
  gboolean        in_invites_in;
  gboolean        final_sent;
  /* 2xx to INVITE sent again until the ACK (§13.3.1.4) */
  NetSipResponse *ok;
  Timer           retransmit;
  guint           interval_ms;
  gint64          give_up_at;
};

struct _AckEntry
{
  NetSipEndpoint *self;
  char           *key;
  /* the ACK as a message until its first send is done, then as it went
   * out (our Via in it): sent as is for each retransmitted 2xx */
  NetSipRequest  *ack;
  GBytes         *ack_bytes;
  char           *to_tag;        /* of the first 2xx (NULL: an RFC 2543 peer) */
  NetSipRequest  *invite;        /* the INVITE it answers */
  GHashTable     *forks;         /* To tag → ACK for the 2xx of another fork */
  Timer           expire;
};

struct _Registration
{
  NetSipEndpoint *self;
  char           *registrar;
  char           *aor;
  char           *contact;
  char           *call_id;
  char           *from_tag;
  guint32         cseq;
  guint           expires;       /* asked for */
  guint           granted;
  Timer           refresh;
  GTask          *task;          /* register_async, until the first result */
  GSource        *cancel_source; /* its cancellable, until then */
  NetSipRequest  *request;       /* the REGISTER in flight */
  GTask          *unregister;    /* unregister_async */
  guint           serial;        /* tells a registration from its replacement */
  GPtrArray      *credentials;   /* CachedCredentials that last got a 2xx */
  gboolean        busy;
  gboolean        retried_423;
};

/* Credentials a request was accepted with, for the next request of the
 * same kind (a registration refresh): RFC 3261 §22.3 lets a UAC answer
 * the realm's last challenge again with the next nonce count */
typedef struct
{
  char             *header;      /* Authorization or Proxy-Authorization */
  NetSipAuthParams *challenge;
  char             *username;
  char             *password;
} CachedCredentials;

static void
cached_credentials_free (gpointer data)
{
  CachedCredentials *c = data;

  g_free (c->header);
  net_sip_auth_params_unref (c->challenge);
  g_free (c->username);
  if (c->password)
    memset (c->password, 0, strlen (c->password));
  g_free (c->password);
  g_free (c);
}

static void net_sip_endpoint_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipEndpoint, net_sip_endpoint, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_endpoint_receiver_init))

/* ------------------------------------------------------------------ */
/* Small helpers                                                       */

static char *
message_key (NetSipMessage *m)
{
  return g_strdup_printf ("%s\n%u\n%s", net_sip_message_get_call_id (m),
                          net_sip_message_get_cseq_number (m),
                          net_sip_message_get_cseq_method (m));
}

static char *
dialog_key (const char *call_id,
            const char *local_tag,
            const char *remote_tag)
{
  return g_strjoin (";", call_id, local_tag ? local_tag : "", remote_tag ? remote_tag : "", NULL);
}

static char *
random_token (void)
{
  return net_sip_random_token (NULL, 2, NULL);
}

static const char *
top_branch (NetSipMessage *m)
{
  NetSipVia *via = net_sip_message_get_top_via (m, NULL);

  return via ? net_sip_via_get_branch (via) : NULL;
}

static NetSipRequest *
copy_request (NetSipRequest *request)
{
  g_autoptr(GBytes) bytes = net_sip_message_to_bytes (NET_SIP_MESSAGE (request));

  return NET_SIP_REQUEST (net_sip_message_parse (bytes, NULL));
}

/* "Name: value" lines into @m; a line without a colon is skipped */
static void
add_header_lines (NetSipMessage      *m,
                  const char * const *headers)
{
  for (guint i = 0; headers && headers[i]; i++)
    {
      const char *colon = strchr (headers[i], ':');
      g_autofree char *name = NULL;

      if (colon == NULL || colon == headers[i])
        {
          g_warning ("header line without a name: '%s'", headers[i]);
          continue;
        }
      name = g_strstrip (g_strndup (headers[i], colon - headers[i]));
      colon++;
      while (*colon == ' ' || *colon == '\t')
        colon++;
      net_sip_message_add_header (m, name, colon);
    }
}

static char *
allow_value (NetSipEndpoint *self)
{
  return g_strjoinv (", ", self->allow);
}

/* The first Contact URI of @m, or NULL */
static char *
first_contact (NetSipMessage *m)
{
  g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (m, NULL);

  if (contacts == NULL || contacts->len == 0 ||
      net_sip_name_addr_is_wildcard (g_ptr_array_index (contacts, 0)))
    return NULL;
  return g_strdup (net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 0)));
}

static const char *
our_contact (NetSipEndpoint *self,
             NetSipLeg      *leg)
{
  if (self->contact)
    return self->contact;
  if (leg)
    return net_sip_leg_get_contact (leg);
  if (self->dispatcher)
    {
      g_autoptr(GPtrArray) legs = net_sip_dispatcher_get_legs (self->dispatcher, NULL, 0, -1,
                                                               NULL, NULL, NULL);
      if (legs && legs->len > 0)
        return net_sip_leg_get_contact (g_ptr_array_index (legs, 0));
    }
  return NULL;
}

/* ---- timers ---- */

#define TIMER_AT(self, i) ((Timer *) g_ptr_array_index ((self)->timers, (i)))

static gboolean
timer_before (const Timer *a,
              const Timer *b)
{
  return a->deadline < b->deadline || (a->deadline == b->deadline && a->serial < b->serial);
}

static void
timer_heap_set (NetSipEndpoint *self,
                guint           i,
                Timer          *t)
{
  self->timers->pdata[i] = t;
  t->index = i;
}

static void
timer_sift_up (NetSipEndpoint *self,
               guint           i)
{
  Timer *t = TIMER_AT (self, i);

  while (i > 0)
    {
      guint parent = (i - 1) / 2;
      if (!timer_before (t, TIMER_AT (self, parent)))
        break;
      timer_heap_set (self, i, TIMER_AT (self, parent));
      i = parent;
    }
  timer_heap_set (self, i, t);
}

static void
timer_sift_down (NetSipEndpoint *self,
                 guint           i)
{
  Timer *t = TIMER_AT (self, i);
  guint n = self->timers->len;

  for (;;)
    {
      guint child = 2 * i + 1;
      if (child >= n)
        break;
      if (child + 1 < n && timer_before (TIMER_AT (self, child + 1), TIMER_AT (self, child)))
        child++;
      if (!timer_before (TIMER_AT (self, child), t))
        break;
      timer_heap_set (self, i, TIMER_AT (self, child));
      i = child;
    }
  timer_heap_set (self, i, t);
}

static void
timer_source_arm (NetSipEndpoint *self)
{
  if (self->timer_source)
    g_source_set_ready_time (self->timer_source,
                             self->timers->len ? TIMER_AT (self, 0)->deadline : -1);
}

static void
timer_unlink (NetSipEndpoint *self,
              Timer          *t)
{
  guint i = t->index;
  Timer *last = g_ptr_array_steal_index_fast (self->timers, self->timers->len - 1);

  t->index = -1;
  if (last == t)
    return;
  timer_heap_set (self, i, last);
  timer_sift_down (self, i);
  timer_sift_up (self, last->index);
}

/* Stops @t if it is set */
static void
timer_stop (NetSipEndpoint *self,
            Timer          *t)
{
  if (t->index < 0)
    return;
  timer_unlink (self, t);
  timer_source_arm (self);
}

/* (Re)sets @t to call @func (@data) once, @ms milliseconds from now */
static void
timer_start (NetSipEndpoint *self,
             Timer          *t,
             guint           ms,
             GSourceFunc     func,
             gpointer        data)
{
  if (t->index >= 0)
    timer_unlink (self, t);
  t->deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  t->serial = self->timer_serial++;
  t->func = func;
  t->data = data;
  g_ptr_array_add (self->timers, t);
  t->index = self->timers->len - 1;
  timer_sift_up (self, t->index);
  timer_source_arm (self);
}

static void
timer_init (Timer *t)
{
  t->index = -1;
}

typedef struct
{
  GSource         source;
  NetSipEndpoint *endpoint;   /* not owned: the source is destroyed in dispose */
} TimerSource;

static gboolean
timer_source_dispatch (GSource     *source,
                       GSourceFunc  callback,
                       gpointer     user_data)
{
  NetSipEndpoint *self = ((TimerSource *) source)->endpoint;
  gint64 now = g_get_monotonic_time ();

  g_object_ref (self);
  /* everything due, earliest first; a timer is out of the heap when its
   * function runs (which may free the record holding it or set it again,
   * always later than now) */
  while (self->timer_source && self->timers->len > 0 && TIMER_AT (self, 0)->deadline <= now)
    {
      Timer *t = TIMER_AT (self, 0);
      timer_unlink (self, t);
      t->func (t->data);
    }
  timer_source_arm (self);
  g_object_unref (self);
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs timer_source_funcs = {
  .dispatch = timer_source_dispatch,
};

static void
clear_source (GSource **source)
{
  if (*source)
    {
      g_source_destroy (*source);
      g_clear_pointer (source, g_source_unref);
    }
}

static guint
dispatcher_ms (NetSipEndpoint *self,
               const char     *name,
               guint           fallback)
{
  guint v = fallback;

  if (self->dispatcher)
    g_object_get (self->dispatcher, name, &v, NULL);
  return v;
}

/* ------------------------------------------------------------------ */
/* Dialog table                                                        */

static NetSipDialog *
find_dialog (NetSipEndpoint *self,
             const char     *call_id,
             const char     *local_tag,
             const char     *remote_tag)
{
  g_autofree char *key = dialog_key (call_id, local_tag, remote_tag);

  return g_hash_table_lookup (self->dialogs, key);
}

static void
add_dialog (NetSipEndpoint *self,
            NetSipDialog   *dialog)
{
  g_hash_table_replace (self->dialogs, net_sip_dialog_get_id (dialog), g_object_ref (dialog));
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_DIALOGS]);
}

/* Takes the dialog out of the table and tells the application once */
static void
remove_dialog (NetSipEndpoint *self,
               NetSipDialog   *dialog)
{
  g_autofree char *key = net_sip_dialog_get_id (dialog);
  g_autoptr(NetSipDialog) held = NULL;

  if (g_hash_table_lookup (self->dialogs, key) != dialog)
    {
      net_sip_dialog_terminate (dialog);
      return;
    }
  held = g_object_ref (dialog);
  g_hash_table_remove (self->dialogs, key);
  net_sip_dialog_terminate (dialog);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_N_DIALOGS]);
  g_signal_emit (self, signals[SIG_DIALOG_CLOSED], 0, dialog);
}

/* ------------------------------------------------------------------ */
/* Client side                                                         */

static void auth_state_free (gpointer data)
{
  AuthState *a = data;

  g_free (a->realm);
  g_free (a->header);
  g_clear_pointer (&a->challenge, net_sip_auth_params_unref);
  g_free (a->username);
  g_free (a->password);
  g_free (a);
}

static void
client_request_free (ClientRequest *cr)
{
  g_clear_object (&cr->task);
  g_clear_object (&cr->original);
  g_clear_object (&cr->current);
  g_free (cr->key);
  g_free (cr->id);
  g_clear_object (&cr->dialog);
  g_clear_pointer (&cr->early, g_ptr_array_unref);
  if (cr->cancel_handler)
    g_cancellable_disconnect (cr->cancellable, cr->cancel_handler);
  g_clear_object (&cr->cancellable);
  g_clear_pointer (&cr->auth, g_hash_table_unref);
  g_clear_object (&cr->challenge);
  g_clear_pointer (&cr->waiting, g_hash_table_unref);
  g_free (cr);
}

static void
client_unregister (ClientRequest *cr)
{
  NetSipEndpoint *self = cr->self;

  if (cr->key && g_hash_table_lookup (self->clients, cr->key) == cr)
    g_hash_table_remove (self->clients, cr->key);
  if (g_hash_table_lookup (self->originals, cr->original) == cr)
    g_hash_table_remove (self->originals, cr->original);
  if (cr->is_invite)
    {
      const char *call_id = net_sip_message_get_call_id (NET_SIP_MESSAGE (cr->original));
      if (g_hash_table_lookup (self->invites_out, call_id) == cr)
        g_hash_table_remove (self->invites_out, call_id);
    }
}

typedef struct
{
  NetSipResponse *response;
  NetSipDialog   *dialog;
} ClientResult;

static void
client_result_free (gpointer data)
{
  ClientResult *r = data;

  g_clear_object (&r->response);
  g_clear_object (&r->dialog);
  g_free (r);
}

static void
client_complete (ClientRequest  *cr,
                 NetSipResponse *response,
                 GError         *error)
{
  GTask *task;

  if (cr->done)
    {
      g_clear_error (&error);
      return;
    }
  cr->done = TRUE;
  client_unregister (cr);
  task = g_steal_pointer (&cr->task);
  if (error)
    {
      /* the response that ended it, if any (a challenge repeated for
       * the same credentials): net_sip_endpoint_deliver_finish() gives it
       * with the error */
      if (response)
        g_object_set_data_full (G_OBJECT (task), "net-sip-response", g_object_ref (response),
                                g_object_unref);
      g_task_return_error (task, error);
    }
  else
    {
      ClientResult *r = g_new0 (ClientResult, 1);

      /* what answered the challenges, for a registration's refreshes */
      if (cr->auth && response && net_sip_response_get_code (response) < 300)
        {
          GPtrArray *cached = g_ptr_array_new_with_free_func (cached_credentials_free);
          GHashTableIter iter;
          gpointer value;

          g_hash_table_iter_init (&iter, cr->auth);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            {
              AuthState *a = value;
              CachedCredentials *c;

              if (!a->tried || a->username == NULL || a->challenge == NULL)
                continue;
              c = g_new0 (CachedCredentials, 1);
              c->header = g_strdup (a->header);
              c->challenge = net_sip_auth_params_ref (a->challenge);
              c->username = g_strdup (a->username);
              c->password = g_strdup (a->password);
              g_ptr_array_add (cached, c);
            }
          g_object_set_data_full (G_OBJECT (task), "net-sip-credentials", cached,
                                  (GDestroyNotify) g_ptr_array_unref);
        }
      r->response = response ? g_object_ref (response) : NULL;
      r->dialog = cr->dialog ? g_object_ref (cr->dialog) : NULL;
      g_task_return_pointer (task, r, client_result_free);
    }
  g_object_unref (task);
  client_request_free (cr);
}

static void on_client_delivered (GObject      *source,
                                 GAsyncResult *result,
                                 gpointer      user_data);

static void
client_send (ClientRequest *cr)
{
  NetSipEndpoint *self = cr->self;
  g_autoptr(NetSipDeliveryOptions) options = net_sip_delivery_options_new ();

  if (self->dispatcher == NULL)
    {
      client_complete (cr, NULL, g_error_new_literal (NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_CLOSED,
                                                      "the dispatcher is gone"));
      return;
    }
  if (cr->key && g_hash_table_lookup (self->clients, cr->key) == cr)
    g_hash_table_remove (self->clients, cr->key);
  g_free (cr->key);
  cr->key = message_key (NET_SIP_MESSAGE (cr->current));
  g_hash_table_replace (self->clients, cr->key, cr);
  g_free (cr->id);
  cr->id = g_strdup_printf ("endpoint:%u:%s", ++self->serial,
                            net_sip_message_get_call_id (NET_SIP_MESSAGE (cr->current)));
  net_sip_delivery_options_set_id (options, cr->id);
  net_sip_delivery_options_set_call_id (options,
                                        net_sip_message_get_call_id (NET_SIP_MESSAGE (cr->current)));
  cr->got_provisional = FALSE;
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (cr->current), options,
                                    cr->is_invite ? NULL : cr->cancellable,
                                    on_client_delivered, cr);
}

/* The request again as a new transaction (§8.1.3.5, §22.2): a copy of
 * the last one without our Via, with the next CSeq. */
static NetSipRequest *
client_next_request (ClientRequest *cr)
{
  NetSipRequest *next = copy_request (cr->current);
  NetSipMessage *m;
  guint32 cseq;
  g_autofree char *cseq_text = NULL;

  if (next == NULL)
    return NULL;
  m = NET_SIP_MESSAGE (next);
  net_sip_message_remove_header (m, "Via");
  if (cr->dialog && net_sip_message_get_to_tag (m) != NULL)
    cseq = net_sip_dialog_next_local_cseq (cr->dialog);
  else
    cseq = net_sip_message_get_cseq_number (m) + 1;
  cseq_text = g_strdup_printf ("%u %s", cseq, net_sip_request_get_method (next));
  net_sip_message_set_header (m, "CSeq", cseq_text);
  return next;
}

static void
client_resend (ClientRequest *cr,
               NetSipRequest *next)
{
  g_clear_object (&cr->current);
  cr->current = next;
  client_send (cr);
}

static void
send_cancel (ClientRequest *cr)
{
  NetSipEndpoint *self = cr->self;
  g_autoptr(NetSipRequest) cancel = NULL;

  if (cr->cancel_sent || cr->done || self->dispatcher == NULL)
    return;
  cr->cancel_sent = TRUE;
  /* §9.1: same Request-URI, Call-ID, From, To, CSeq number and top Via */
  cancel = net_sip_request_create_cancel (cr->current);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (cancel), NULL, NULL,
                                    NULL, NULL);
}

static void
on_cancellable_cancelled (GCancellable *cancellable,
                          gpointer      user_data)
{
  ClientRequest *cr = user_data;

  /* runs where cancel() was called; the INVITE path only */
  cr->cancel_wanted = TRUE;
  if (cr->got_provisional)
    send_cancel (cr);
}

/* ---- ACK for 2xx ---- */

static void
ack_entry_free (gpointer data)
{
  AckEntry *e = data;

  timer_stop (e->self, &e->expire);
  g_free (e->key);
  g_clear_object (&e->ack);
  g_clear_pointer (&e->ack_bytes, g_bytes_unref);
  g_free (e->to_tag);
  g_clear_object (&e->invite);
  g_clear_pointer (&e->forks, g_hash_table_unref);
  g_free (e);
}

static gboolean
on_ack_expired (gpointer data)
{
  AckEntry *e = data;

  g_hash_table_remove (e->self->acks, e->key);
  return G_SOURCE_REMOVE;
}

static void
send_ack (NetSipEndpoint *self,
          NetSipRequest  *ack)
{
  if (self->dispatcher)
    net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (ack), NULL, NULL,
                                      NULL, NULL);
}

/* Marks the 2xx an AckEntry was made for: the same object reaches
 * receive_response () too, and is no retransmission */
static GQuark
first_2xx_quark (void)
{
  static GQuark q;

  if (G_UNLIKELY (q == 0))
    q = g_quark_from_static_string ("netsip-endpoint-first-2xx");
  return q;
}

typedef struct
{
  NetSipEndpoint *self;
  char           *key;
  NetSipRequest  *ack;
} AckSent;

/* The first send of the ACK is done (the leg put its Via in): from now
 * on the entry keeps only its bytes */
static void
on_ack_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  AckSent *sent = user_data;
  g_autoptr(GError) error = NULL;
  AckEntry *e;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("sending an ACK failed: %s", error->message);
  e = g_hash_table_lookup (sent->self->acks, sent->key);
  if (e && e->ack == sent->ack)
    {
      e->ack_bytes = net_sip_message_to_bytes (NET_SIP_MESSAGE (e->ack));
      g_clear_object (&e->ack);
    }
  g_object_unref (sent->self);
  g_free (sent->key);
  g_object_unref (sent->ack);
  g_free (sent);
}

/* The ACK again for a retransmitted 2xx: the same bytes */
static void
resend_ack (NetSipEndpoint *self,
            AckEntry       *e)
{
  g_autoptr(NetSipMessage) copy = NULL;
  g_autoptr(GError) error = NULL;

  if (e->ack)
    {
      send_ack (self, e->ack);   /* its first send is still on the way */
      return;
    }
  /* unmodified, it serializes to these bytes, and the leg finds its own
   * Via in it and adds none */
  copy = net_sip_message_parse (e->ack_bytes, &error);
  if (copy == NULL)
    {
      g_warning ("cannot read back our own ACK: %s", error->message);
      return;
    }
  send_ack (self, NET_SIP_REQUEST (copy));
}

/* The ACK for the first 2xx (§13.2.2.4): built by the dialog, shown to
 * the application, sent, and kept for 64*T1 to answer retransmissions
 * of the 2xx (the INVITE transaction lives that long in Accepted). The
 * entry keeps the ACK as bytes and the 2xx's To tag only: no message
 * objects for that time. */
static void
client_ack_2xx (ClientRequest  *cr,
                NetSipResponse *response)
{
  NetSipEndpoint *self = cr->self;
  AckEntry *e = g_new0 (AckEntry, 1);
  AckSent *sent;

  e->self = self;
  timer_init (&e->expire);
  e->key = message_key (NET_SIP_MESSAGE (response));
  e->ack = net_sip_dialog_create_ack (cr->dialog, cr->current);
  e->to_tag = g_strdup (net_sip_message_get_to_tag (NET_SIP_MESSAGE (response)));
  e->invite = g_object_ref (cr->current);
  g_object_set_qdata (G_OBJECT (response), first_2xx_quark (), GINT_TO_POINTER (1));
  g_signal_emit (self, signals[SIG_ACK_PREPARED], 0, cr->dialog, e->ack, response);
  timer_start (self, &e->expire, 64 * dispatcher_ms (self, "t1", 500), on_ack_expired, e);
  g_hash_table_replace (self->acks, e->key, e);
  if (self->dispatcher == NULL)
    return;
  sent = g_new0 (AckSent, 1);
  sent->self = g_object_ref (self);
  sent->key = g_strdup (e->key);
  sent->ack = g_object_ref (e->ack);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (e->ack), NULL, NULL,
                                    on_ack_sent, sent);
}

/* ---- digest ---- */

static AuthState *
auth_state_for (ClientRequest *cr,
                const char    *realm)
{
  AuthState *a;

  if (cr->auth == NULL)
    cr->auth = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, auth_state_free);
  a = g_hash_table_lookup (cr->auth, realm);
  if (a == NULL)
    {
      a = g_new0 (AuthState, 1);
      a->realm = g_strdup (realm);
      g_hash_table_insert (cr->auth, a->realm, a);
    }
  return a;
}

static guint32
next_nonce_count (NetSipEndpoint *self,
                  const char     *nonce)
{
  guint n = GPOINTER_TO_UINT (g_hash_table_lookup (self->nonces, nonce)) + 1;

  if (g_hash_table_size (self->nonces) >= MAX_NONCES)
    g_hash_table_remove_all (self->nonces);
  g_hash_table_replace (self->nonces, g_strdup (nonce), GUINT_TO_POINTER (n));
  return n;
}

static void client_finish_challenge (ClientRequest *cr);

/* Adds @header (Authorization or Proxy-Authorization) answering
 * @challenge for @request (RFC 3261 §22.2, §22.3), with the nonce's next
 * count; FALSE (logged) when the challenge cannot be answered */
static gboolean
add_credentials (NetSipEndpoint   *self,
                 NetSipRequest    *request,
                 const char       *header,
                 NetSipAuthParams *challenge,
                 const char       *username,
                 const char       *password)
{
  const char *nonce = net_sip_auth_params_get_param (challenge, "nonce");
  g_autoptr(GBytes) body = net_sip_message_get_body (NET_SIP_MESSAGE (request));
  g_autoptr(GError) error = NULL;
  g_autofree char *credentials =
    net_sip_digest_build_credentials (challenge, username, password, NULL,
                                      net_sip_request_get_method (request),
                                      net_sip_request_get_uri (request), body,
                                      next_nonce_count (self, nonce ? nonce : ""), NULL, &error);

  if (credentials == NULL)
    {
      g_debug ("realm %s: %s", net_sip_auth_params_get_param (challenge, "realm"), error->message);
      return FALSE;
    }
  net_sip_message_add_header (NET_SIP_MESSAGE (request), header, credentials);
  return TRUE;
}

/* Credentials from the table for @realm (exact, then the "" entry) */
static gboolean
table_credentials (NetSipEndpoint *self,
                   const char     *realm,
                   char          **username,
                   char          **password)
{
  const char *v = g_hash_table_lookup (self->credentials, realm);
  const char *nl;

  if (v == NULL)
    v = g_hash_table_lookup (self->credentials, "");
  if (v == NULL || (nl = strchr (v, '\n')) == NULL)
    return FALSE;
  *username = g_strndup (v, nl - v);
  *password = g_strdup (nl + 1);
  return TRUE;
}

/* 401 or 407 (§22.2, §22.3): one challenge per realm; each realm gets
 * credentials from the table or from the authenticate signal. */
static void
client_handle_challenge (ClientRequest  *cr,
                         NetSipResponse *response)
{
  NetSipEndpoint *self = cr->self;
  guint code = net_sip_response_get_code (response);
  const char *hname = code == 407 ? "Proxy-Authenticate" : "WWW-Authenticate";
  g_autoptr(GPtrArray) challenges = net_sip_message_get_auth_params (NET_SIP_MESSAGE (response),
                                                                      hname, NULL);
  g_autoptr(GPtrArray) realms = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GError) error = NULL;

  if (challenges == NULL || challenges->len == 0)
    {
      client_complete (cr, response, NULL);
      return;
    }
  for (guint i = 0; i < challenges->len; i++)
    {
      const char *realm = net_sip_auth_params_get_param (g_ptr_array_index (challenges, i), "realm");
      if (realm && !g_ptr_array_find_with_equal_func (realms, realm, g_str_equal, NULL))
        g_ptr_array_add (realms, g_strdup (realm));
    }

  g_set_object (&cr->challenge, response);
  g_clear_pointer (&cr->waiting, g_hash_table_unref);
  cr->waiting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  if (cr->auth)
    {
      GHashTableIter iter;
      gpointer value;
      g_hash_table_iter_init (&iter, cr->auth);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        ((AuthState *) value)->answered = FALSE;
    }

  cr->in_challenge = TRUE;
  for (guint i = 0; i < realms->len; i++)
    {
      const char *realm = g_ptr_array_index (realms, i);
      NetSipAuthParams *chosen;
      AuthState *a;
      const char *stale;
      g_autofree char *user = NULL;
      g_autofree char *pass = NULL;
      gboolean handled = FALSE;

      chosen = net_sip_digest_choose_challenge ((NetSipAuthParams **) challenges->pdata,
                                                challenges->len, realm, &error);
      if (chosen == NULL)
        {
          g_debug ("realm %s: %s", realm, error->message);
          g_clear_error (&error);
          continue;
        }
      a = auth_state_for (cr, realm);
      g_clear_pointer (&a->challenge, net_sip_auth_params_unref);
      a->challenge = chosen;
      g_free (a->header);
      a->header = g_strdup (code == 407 ? "Proxy-Authorization" : "Authorization");
      stale = net_sip_auth_params_get_param (chosen, "stale");
      /* RFC 7616 §3.3: stale=true means the credentials were right and
       * only the nonce was old: the same ones again */
      if (a->tried && stale && g_ascii_strcasecmp (stale, "true") == 0)
        {
          a->answered = TRUE;
          continue;
        }
      a->retrying = a->tried;
      if (!a->retrying && table_credentials (self, realm, &user, &pass))
        {
          g_free (a->username);
          g_free (a->password);
          a->username = g_steal_pointer (&user);
          a->password = g_steal_pointer (&pass);
          a->answered = TRUE;
          continue;
        }
      g_hash_table_add (cr->waiting, g_strdup (realm));
      g_signal_emit (self, signals[SIG_AUTHENTICATE], 0, cr->dialog, cr->original, realm,
                     a->retrying, &handled);
      /* the request cannot complete during the emission: its delivery
       * is over and authenticate() waits for in_challenge to clear */
      if (!handled)
        {
          g_hash_table_remove (cr->waiting, realm);
          if (a->retrying)
            a->rejected = TRUE;
        }
    }
  cr->in_challenge = FALSE;
  if (g_hash_table_size (cr->waiting) == 0)
    client_finish_challenge (cr);
}

static void
client_finish_challenge (ClientRequest *cr)
{
  NetSipEndpoint *self = cr->self;
  g_autoptr(NetSipResponse) challenge = g_steal_pointer (&cr->challenge);
  g_autoptr(NetSipRequest) next = NULL;
  gboolean any = FALSE, rejected = FALSE;
  GHashTableIter iter;
  gpointer value;

  g_clear_pointer (&cr->waiting, g_hash_table_unref);
  if (cr->auth)
    {
      g_hash_table_iter_init (&iter, cr->auth);
      while (g_hash_table_iter_next (&iter, NULL, &value))
        {
          AuthState *a = value;
          any |= a->answered;
          rejected |= a->rejected;
        }
    }
  if (!any)
    {
      if (rejected)
        client_complete (cr, challenge,
                         g_error_new (NET_SIP_AUTH_ERROR, NET_SIP_AUTH_ERROR_REJECTED,
                                      "%s %s: the server refused the credentials (%u %s again)",
                                      net_sip_request_get_method (cr->current),
                                      net_sip_request_get_uri (cr->current),
                                      net_sip_response_get_code (challenge),
                                      net_sip_response_get_reason (challenge)));
      else
        client_complete (cr, challenge, NULL);
      return;
    }

  next = client_next_request (cr);
  if (next == NULL)
    {
      client_complete (cr, challenge, NULL);
      return;
    }
  net_sip_message_remove_header (NET_SIP_MESSAGE (next), "Authorization");
  net_sip_message_remove_header (NET_SIP_MESSAGE (next), "Proxy-Authorization");
  g_hash_table_iter_init (&iter, cr->auth);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      AuthState *a = value;

      if (a->username == NULL || a->challenge == NULL)
        continue;
      if (add_credentials (self, next, a->header, a->challenge, a->username, a->password))
        a->tried = TRUE;
    }
  client_resend (cr, g_steal_pointer (&next));
}

/* ---- final responses ---- */

/* The final response to an initial INVITE ends the early dialogs other
 * forks made (§13.2.2.4 keeps only the ones a 2xx confirms) */
static void
drop_early_dialogs (ClientRequest *cr,
                    NetSipDialog  *keep)
{
  g_autoptr(GPtrArray) early = g_steal_pointer (&cr->early);

  for (guint i = 0; early && i < early->len; i++)
    {
      NetSipDialog *d = g_ptr_array_index (early, i);
      if (d != keep && net_sip_dialog_get_state (d) == NET_SIP_DIALOG_EARLY)
        remove_dialog (cr->self, d);
    }
}

static void
client_handle_2xx_invite (ClientRequest  *cr,
                          NetSipResponse *response)
{
  NetSipEndpoint *self = cr->self;
  NetSipMessage *m = NET_SIP_MESSAGE (response);
  NetSipDialog *dialog;
  g_autoptr(GError) error = NULL;

  dialog = find_dialog (self, net_sip_message_get_call_id (m), net_sip_message_get_from_tag (m),
                        net_sip_message_get_to_tag (m));
  if (dialog)
    {
      net_sip_dialog_handle_response (dialog, cr->current, response);
      g_set_object (&cr->dialog, dialog);
    }
  else
    {
      g_autoptr(NetSipDialog) made = net_sip_dialog_new_uac (cr->current, response, &error);
      if (made == NULL)
        {
          client_complete (cr, NULL, g_error_new (NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_INVALID,
                                                  "%s", error->message));
          return;
        }
      add_dialog (self, made);
      g_set_object (&cr->dialog, made);
    }
  drop_early_dialogs (cr, cr->dialog);
  client_ack_2xx (cr, response);
  /* §9.1: a 2xx that crossed our CANCEL makes a call nobody wants */
  if (cr->cancel_wanted)
    {
      g_autoptr(NetSipDialog) d = g_object_ref (cr->dialog);
      client_complete (cr, response, NULL);
      net_sip_endpoint_close_dialog (self, d);
      return;
    }
  client_complete (cr, response, NULL);
}

/* 302: the Request-URI from Contact; 305: Contact as the first route */
static gboolean
client_redirect (ClientRequest  *cr,
                 NetSipResponse *response)
{
  guint code = net_sip_response_get_code (response);
  g_autofree char *contact = first_contact (NET_SIP_MESSAGE (response));
  g_autoptr(NetSipRequest) next = NULL;

  if (contact == NULL || cr->n_redirects >= cr->self->max_redirects)
    return FALSE;
  next = client_next_request (cr);
  if (next == NULL)
    return FALSE;
  cr->n_redirects++;
  if (code == 302)
    net_sip_request_set_uri (next, contact);
  else
    {
      g_autoptr(NetSipUri) uri = net_sip_uri_parse (contact, -1, NULL);
      g_autofree char *route = NULL;
      g_autofree char *text = NULL;

      if (uri == NULL)
        return FALSE;
      net_sip_uri_set_param (uri, "lr", NULL);
      text = net_sip_uri_to_string (uri);
      route = g_strdup_printf ("<%s>", text);
      net_sip_message_prepend_header (NET_SIP_MESSAGE (next), "Route", route);
    }
  client_resend (cr, g_steal_pointer (&next));
  return TRUE;
}

static void client_delivered (ClientRequest *cr, NetSipDispatcher *dispatcher, GAsyncResult *result);

/* The caller's callback may drop the last reference to the endpoint while
 * the response is handled: hold one meanwhile */
static void
on_client_delivered (GObject      *source,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  ClientRequest *cr = user_data;
  g_autoptr(NetSipEndpoint) self = g_object_ref (cr->self);

  client_delivered (cr, NET_SIP_DISPATCHER (source), result);
}

static void
client_delivered (ClientRequest    *cr,
                  NetSipDispatcher *dispatcher,
                  GAsyncResult     *result)
{
  NetSipEndpoint *self = cr->self;
  g_autoptr(NetSipResponse) response = NULL;
  GError *error = NULL;
  const char *method;
  guint code;

  if (!net_sip_dispatcher_deliver_finish (dispatcher, result, &response, &error))
    {
      if (cr->dialog && net_sip_dialog_get_state (cr->dialog) == NET_SIP_DIALOG_EARLY &&
          cr->is_invite)
        remove_dialog (self, cr->dialog);
      if (cr->cancellable && g_cancellable_is_cancelled (cr->cancellable) &&
          g_error_matches (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_CANCELLED))
        {
          g_clear_error (&error);
          error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "cancelled");
        }
      client_complete (cr, NULL, error);
      return;
    }
  if (response == NULL)
    {
      client_complete (cr, NULL, NULL);
      return;
    }

  method = net_sip_request_get_method (cr->current);
  code = net_sip_response_get_code (response);

  if ((code == 401 || code == 407) && !cr->cancel_wanted)
    {
      client_handle_challenge (cr, response);
      return;
    }
  if ((code == 302 || code == 305) && !cr->cancel_wanted && client_redirect (cr, response))
    return;

  if (cr->is_invite && code >= 200 && code < 300)
    {
      client_handle_2xx_invite (cr, response);
      return;
    }

  if (cr->is_invite && code >= 300)
    drop_early_dialogs (cr, cr->dialog);
  if (cr->dialog)
    {
      net_sip_dialog_handle_response (cr->dialog, cr->current, response);
      if (net_sip_dialog_get_state (cr->dialog) == NET_SIP_DIALOG_TERMINATED)
        {
          remove_dialog (self, cr->dialog);
          /* an INVITE that failed made no dialog */
          if (cr->is_invite)
            g_clear_object (&cr->dialog);
        }
    }
  else if (strcmp (method, "BYE") == 0)
    {
      NetSipMessage *m = NET_SIP_MESSAGE (cr->current);
      NetSipDialog *d = find_dialog (self, net_sip_message_get_call_id (m),
                                     net_sip_message_get_from_tag (m), net_sip_message_get_to_tag (m));
      if (d)
        remove_dialog (self, d);
    }
  client_complete (cr, response, NULL);
}

/* A 1xx from the receiver path: early dialog, CANCEL that waited, signal */
static void
client_handle_provisional (ClientRequest  *cr,
                           NetSipResponse *response)
{
  NetSipEndpoint *self = cr->self;
  NetSipMessage *m = NET_SIP_MESSAGE (response);
  guint code = net_sip_response_get_code (response);
  NetSipDialog *dialog = NULL;

  cr->got_provisional = TRUE;
  if (cr->is_invite && code > 100 && net_sip_message_get_to_tag (m) != NULL)
    {
      dialog = find_dialog (self, net_sip_message_get_call_id (m), net_sip_message_get_from_tag (m),
                            net_sip_message_get_to_tag (m));
      /* each fork's 1xx with its own tag makes its own early dialog
       * (§12.1.2); a re-INVITE's 1xx makes none */
      if (dialog == NULL && net_sip_message_get_to_tag (NET_SIP_MESSAGE (cr->current)) == NULL)
        {
          g_autoptr(NetSipDialog) made = net_sip_dialog_new_uac (cr->current, response, NULL);
          if (made)
            {
              add_dialog (self, made);
              dialog = made;
              if (cr->early == NULL)
                cr->early = g_ptr_array_new_with_free_func (g_object_unref);
              g_ptr_array_add (cr->early, g_object_ref (made));
            }
        }
      if (dialog && cr->dialog == NULL)
        cr->dialog = g_object_ref (dialog);
      else if (dialog && dialog == cr->dialog)
        net_sip_dialog_refresh_target (dialog, m);
    }
  if (cr->cancel_wanted)
    send_cancel (cr);
  g_signal_emit (self, signals[SIG_PROVISIONAL_RECEIVED], 0, dialog ? dialog : cr->dialog,
                 cr->original, response);
}

static void
on_fork_bye_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, NULL, NULL, &error))
    g_debug ("BYE to another fork: %s", error->message);
}

/* §13.2.2.4: a 2xx from another fork than the one the call went to gets
 * its own ACK (sent again for its retransmissions) and, as this endpoint
 * keeps one call per INVITE, a BYE right after. */
static void
ack_and_end_fork (NetSipEndpoint *self,
                  AckEntry       *e,
                  NetSipResponse *response,
                  const char     *tag)
{
  NetSipRequest *ack = e->forks ? g_hash_table_lookup (e->forks, tag) : NULL;
  g_autoptr(NetSipDialog) fork = NULL;
  g_autoptr(NetSipRequest) bye = NULL;

  if (ack)
    {
      send_ack (self, ack);
      return;
    }
  fork = net_sip_dialog_new_uac (e->invite, response, NULL);
  if (fork == NULL)
    return;
  ack = net_sip_dialog_create_ack (fork, e->invite);
  if (e->forks == NULL)
    e->forks = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  g_hash_table_insert (e->forks, g_strdup (tag), ack);
  send_ack (self, ack);
  bye = net_sip_dialog_create_request (fork, "BYE");
  net_sip_endpoint_deliver_async (self, bye, NULL, on_fork_bye_done, NULL);
}

static gboolean
receive_response (NetSipEndpoint *self,
                  NetSipResponse *response)
{
  NetSipMessage *m = NET_SIP_MESSAGE (response);
  g_autofree char *key = message_key (m);
  guint code = net_sip_response_get_code (response);

  if (code < 200)
    {
      ClientRequest *cr = g_hash_table_lookup (self->clients, key);

      /* the response must be for the request now in flight (the seed: right
       * transaction, right leg, right CSeq method; the dispatcher checked
       * the leg's Via) */
      if (cr == NULL || cr->done ||
          g_strcmp0 (top_branch (m), top_branch (NET_SIP_MESSAGE (cr->current))) != 0)
        return FALSE;
      client_handle_provisional (cr, response);
      return TRUE;
    }
  if (code < 300 && g_strcmp0 (net_sip_message_get_cseq_method (m), "INVITE") == 0)
    {
      AckEntry *e = g_hash_table_lookup (self->acks, key);

      /* §13.2.2.4: the same ACK for each retransmission of the 2xx; the
       * first 2xx itself is handled where the delivery completes */
      const char *tag = net_sip_message_get_to_tag (m);

      gboolean first = g_object_get_qdata (G_OBJECT (response), first_2xx_quark ()) != NULL;

      if (e && !first && g_strcmp0 (tag, e->to_tag) == 0)
        resend_ack (self, e);
      else if (e && !first && tag)
        ack_and_end_fork (self, e, response, tag);
      if (e)
        return TRUE;
    }
  /* a final response of one of our requests completes it where its
   * delivery ends */
  return g_hash_table_contains (self->clients, key);
}

/* ------------------------------------------------------------------ */
/* Server side                                                         */

static void
server_request_free (ServerRequest *sr)
{
  timer_stop (sr->self, &sr->retransmit);
  g_clear_object (&sr->request);
  g_clear_object (&sr->dialog);
  g_clear_object (&sr->leg);
  g_clear_object (&sr->ok);
  g_free (sr->invite_key);
  g_free (sr->ack_key);
  g_free (sr->to_tag);
  g_free (sr->merge_key);
  g_free (sr);
}

static char *
ack_key (NetSipMessage *m)
{
  return g_strdup_printf ("%s\n%u", net_sip_message_get_call_id (m),
                          net_sip_message_get_cseq_number (m));
}

static void
server_not_pending (ServerRequest *sr)
{
  const char *call_id = net_sip_message_get_call_id (NET_SIP_MESSAGE (sr->request));

  if (sr->in_invites_in && g_hash_table_lookup (sr->self->invites_in, call_id) == sr)
    g_hash_table_remove (sr->self->invites_in, call_id);
  sr->in_invites_in = FALSE;
  if (sr->merge_key && g_hash_table_lookup (sr->self->merge, sr->merge_key) == sr)
    g_hash_table_remove (sr->self->merge, sr->merge_key);
  g_clear_pointer (&sr->merge_key, g_free);
}

static void
server_forget (ServerRequest *sr)
{
  NetSipEndpoint *self = sr->self;

  if (sr->invite_key && g_hash_table_lookup (self->invites, sr->invite_key) == sr)
    g_hash_table_remove (self->invites, sr->invite_key);
  if (sr->ack_key && g_hash_table_lookup (self->waiting_acks, sr->ack_key) == sr)
    g_hash_table_remove (self->waiting_acks, sr->ack_key);
  server_not_pending (sr);
  g_hash_table_remove (self->servers, sr->request);   /* frees sr */
}

static void
on_response_sent (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("sending a response failed: %s", error->message);
}

static void
send_response (NetSipEndpoint *self,
               NetSipResponse *response)
{
  if (self->dispatcher)
    net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                      on_response_sent, NULL);
}

/* A response the endpoint makes by itself, without a dialog tag when
 * there is no dialog */
static void auto_respond_with (NetSipEndpoint *self, NetSipRequest *request, guint code,
                               const char *reason, const char *name, const char *value);

static void
auto_respond (NetSipEndpoint *self,
              NetSipRequest  *request,
              guint           code,
              const char     *reason,
              const char     *to_tag)
{
  /* §8.2.6.2: a final response gets a To tag when the request had none */
  g_autofree char *tag = to_tag == NULL && code > 100 ? random_token () : NULL;
  g_autoptr(NetSipResponse) response = net_sip_request_create_response (request, code, reason,
                                                                         to_tag ? to_tag : tag);

  if (self->user_agent)
    net_sip_message_set_header (NET_SIP_MESSAGE (response), "Server", self->user_agent);
  if (code == 405)
    {
      g_autofree char *allow = allow_value (self);
      net_sip_message_set_header (NET_SIP_MESSAGE (response), "Allow", allow);
    }
  else if (code == 500)
    net_sip_message_set_header (NET_SIP_MESSAGE (response), "Retry-After", "1");
  send_response (self, response);
}

/* §13.3.1.4: no ACK in 64*T1: the session ends with a BYE */
static gboolean
on_2xx_give_up (gpointer data)
{
  ServerRequest *sr = data;
  NetSipEndpoint *self = sr->self;
  g_autoptr(NetSipDialog) dialog = sr->dialog ? g_object_ref (sr->dialog) : NULL;

  timer_stop (sr->self, &sr->retransmit);
  server_forget (sr);
  if (dialog)
    net_sip_endpoint_close_dialog (self, dialog);
  return G_SOURCE_REMOVE;
}

static gboolean
on_2xx_retransmit (gpointer data)
{
  ServerRequest *sr = data;
  NetSipEndpoint *self = sr->self;
  guint t2 = dispatcher_ms (self, "t2", 4000);
  gint64 left = sr->give_up_at - g_get_monotonic_time ();

  if (left <= 0)
    return on_2xx_give_up (sr);
  send_response (self, sr->ok);
  sr->interval_ms = MIN (sr->interval_ms * 2, t2);
  /* the next copy, or the end at 64*T1 if that comes first (rounded up:
   * never before it) */
  timer_start (self, &sr->retransmit, (guint) MIN ((gint64) sr->interval_ms, (left + 999) / 1000),
               on_2xx_retransmit, sr);
  return G_SOURCE_REMOVE;
}

static void
handle_ack (NetSipEndpoint   *self,
            NetSipRequest    *ack,
            NetSipLeg        *leg,
            NetSipSourceInfo *source)
{
  NetSipMessage *m = NET_SIP_MESSAGE (ack);
  NetSipDialog *dialog = find_dialog (self, net_sip_message_get_call_id (m),
                                      net_sip_message_get_to_tag (m),
                                      net_sip_message_get_from_tag (m));
  g_autofree char *key = NULL;
  gboolean handled = FALSE;
  ServerRequest *match;

  if (dialog == NULL)
    return;   /* an ACK is never answered */
  key = ack_key (m);
  match = g_hash_table_lookup (self->waiting_acks, key);
  /* only the ACK that ends a 2xx's wait reaches the application: copies
   * of it (one per retransmitted 2xx, §13.2.2.4) and ACKs that answer no
   * 2xx of ours are absorbed, as the transaction layer absorbs other
   * retransmissions */
  if (match == NULL || match->dialog != dialog)
    return;
  server_forget (match);
  g_object_ref (dialog);
  g_signal_emit (self, signals[SIG_REQUEST_RECEIVED], 0, dialog, ack, leg, source, &handled);
  g_object_unref (dialog);
}

static char *
invite_key (NetSipMessage *m)
{
  return g_strdup_printf ("%s\n%s\n%u", net_sip_message_get_call_id (m),
                          top_branch (m) ? top_branch (m) : "",
                          net_sip_message_get_cseq_number (m));
}

/* §9.2: 200 for the CANCEL, 487 for the INVITE if it has no final
 * response yet; 481 when no INVITE matches */
static void
handle_cancel (NetSipEndpoint   *self,
               NetSipRequest    *cancel,
               NetSipLeg        *leg,
               NetSipSourceInfo *source)
{
  g_autofree char *key = invite_key (NET_SIP_MESSAGE (cancel));
  ServerRequest *sr = g_hash_table_lookup (self->invites, key);
  g_autoptr(NetSipDialog) dialog = NULL;
  gboolean handled = FALSE;

  if (sr == NULL)
    {
      auto_respond (self, cancel, 481, NULL, NULL);
      return;
    }
  auto_respond (self, cancel, 200, NULL, NULL);
  if (sr->final_sent)
    return;
  dialog = sr->dialog ? g_object_ref (sr->dialog) : NULL;
  net_sip_endpoint_respond (self, sr->dialog, sr->request, 487, NULL, NULL, NULL, NULL);
  g_signal_emit (self, signals[SIG_REQUEST_RECEIVED], 0, dialog, cancel, leg, source, &handled);
  if (dialog && net_sip_dialog_get_state (dialog) != NET_SIP_DIALOG_CONFIRMED)
    {
      /* the call is over: what we still send in it goes too */
      if (self->dispatcher)
        net_sip_dispatcher_cancel_delivery_by_call_id (self->dispatcher,
                                                       net_sip_dialog_get_call_id (dialog));
      remove_dialog (self, dialog);
    }
}

static void
auto_respond_with (NetSipEndpoint *self,
                   NetSipRequest  *request,
                   guint           code,
                   const char     *reason,
                   const char     *name,
                   const char     *value)
{
  g_autofree char *tag = random_token ();
  g_autoptr(NetSipResponse) response = net_sip_request_create_response (request, code, reason, tag);

  if (self->user_agent)
    net_sip_message_set_header (NET_SIP_MESSAGE (response), "Server", self->user_agent);
  if (name && value)
    net_sip_message_set_header (NET_SIP_MESSAGE (response), name, value);
  send_response (self, response);
}

static gboolean
strv_has_ci (char      **strv,
             const char *s)
{
  for (guint i = 0; strv && strv[i]; i++)
    if (g_ascii_strcasecmp (strv[i], s) == 0)
      return TRUE;
  return FALSE;
}

/* "type/subtype" of a media-range or Content-Type value, lowercased */
static char *
media_type (const char *value)
{
  const char *semi = strchr (value, ';');
  g_autofree char *t = semi ? g_strndup (value, semi - value) : g_strdup (value);

  return g_ascii_strdown (g_strstrip (t), -1);
}

/* Does an Accept header value allow one of @types? (RFC 3261 §20.1,
 * media ranges with wildcards) */
static gboolean
accept_allows (const char *accept,
               char      **types)
{
  g_auto(GStrv) ranges = g_strsplit (accept, ",", -1);

  if (accept[strspn (accept, " \t")] == '\0')
    return TRUE;   /* an empty Accept: no body wanted; not our concern */
  for (guint i = 0; ranges[i]; i++)
    {
      g_autofree char *range = media_type (ranges[i]);
      for (guint j = 0; types && types[j]; j++)
        {
          g_autofree char *type = g_ascii_strdown (types[j], -1);
          const char *slash = strchr (type, '/');
          if (strcmp (range, "*/*") == 0 || strcmp (range, type) == 0 ||
              (slash && g_str_has_suffix (range, "/*") &&
               strncmp (range, type, slash - type + 1) == 0))
            return TRUE;
        }
    }
  return FALSE;
}

/* What a UAS checks before the application sees a request (RFC 3261
 * §8.2.1-§8.2.3): the message itself, the Request-URI scheme, Require,
 * the body type of an INVITE and what it accepts back. Answers and
 * returns TRUE when the request stops here. */
static gboolean
uas_checks (NetSipEndpoint *self,
            NetSipRequest  *request)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  const char *method = net_sip_request_get_method (request);
  g_autofree char *reason = NULL;
  g_autoptr(NetSipUri) uri = NULL;
  guint code;

  /* §8.2 and RFC 4475: missing or repeated headers, conflicting lengths,
   * a CSeq method that is not the method (501 for an unknown one) */
  code = net_sip_message_validate (m, &reason);
  if (code != 0)
    {
      g_autoptr(GString) warning = g_string_new ("399 netsip \"");
      for (const char *p = reason ? reason : "invalid request"; *p; p++)
        if (*p != '"' && *p != '\\' && (guchar) *p >= 0x20)
          g_string_append_c (warning, *p);
      g_string_append_c (warning, '"');
      auto_respond_with (self, request, code, NULL, "Warning", warning->str);
      return TRUE;
    }

  /* §8.2.2.1: a scheme we do not understand: 416 */
  uri = net_sip_request_get_parsed_uri (request, NULL);
  if (uri == NULL || !(net_sip_uri_is_sip (uri) || net_sip_uri_is_sips (uri) ||
                       g_ascii_strcasecmp (net_sip_uri_get_scheme (uri), "tel") == 0))
    {
      auto_respond (self, request, 416, NULL, NULL);
      return TRUE;
    }

  /* §8.2.2.3: option tags we do not support; not for CANCEL (§9.2) */
  if (strcmp (method, "CANCEL") != 0)
    {
      g_auto(GStrv) require = net_sip_message_get_headers (m, "Require");
      g_autoptr(GString) unsupported = g_string_new (NULL);

      for (guint i = 0; require[i]; i++)
        {
          g_auto(GStrv) tags = g_strsplit (require[i], ",", -1);
          for (guint j = 0; tags[j]; j++)
            {
              char *tag = g_strstrip (tags[j]);
              if (*tag && !strv_has_ci (self->supported, tag))
                {
                  if (unsupported->len)
                    g_string_append (unsupported, ", ");
                  g_string_append (unsupported, tag);
                }
            }
        }
      if (unsupported->len)
        {
          auto_respond_with (self, request, 420, NULL, "Unsupported", unsupported->str);
          return TRUE;
        }
    }

  /* §8.2.3: the body of an INVITE must be of a type we take (415 with
   * Accept), and what it accepts must include what we answer with (406) */
  if (strcmp (method, "INVITE") == 0)
    {
      g_autofree char *type = net_sip_message_get_content_type (m);
      const char *accept = net_sip_message_get_header (m, "Accept");
      g_autoptr(GBytes) body = net_sip_message_get_body (m);

      if (body && g_bytes_get_size (body) > 0 && type)
        {
          g_autofree char *bare = media_type (type);
          if (!strv_has_ci (self->accept, bare))
            {
              g_autofree char *value = g_strjoinv (", ", self->accept);
              auto_respond_with (self, request, 415, NULL, "Accept", value);
              return TRUE;
            }
        }
      if (accept && !accept_allows (accept, self->accept))
        {
          auto_respond (self, request, 406, NULL, NULL);
          return TRUE;
        }
    }
  return FALSE;
}

/* An INVITE of @dialog still without a final response: one we received
 * (*ours FALSE) or one we sent (*ours TRUE) */
static gboolean
invite_pending_in (NetSipEndpoint *self,
                   NetSipDialog   *dialog,
                   gboolean       *ours)
{
  const char *call_id = net_sip_dialog_get_call_id (dialog);
  ServerRequest *sr = g_hash_table_lookup (self->invites_in, call_id);
  ClientRequest *cr = g_hash_table_lookup (self->invites_out, call_id);

  if (sr && sr->dialog == dialog && !sr->final_sent)
    {
      *ours = FALSE;
      return TRUE;
    }
  if (cr && cr->dialog == dialog && !cr->done)
    {
      *ours = TRUE;
      return TRUE;
    }
  return FALSE;
}

static void
handle_request (NetSipEndpoint   *self,
                NetSipRequest    *request,
                NetSipLeg        *leg,
                NetSipSourceInfo *source)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  const char *method = net_sip_request_get_method (request);
  const char *to_tag = net_sip_message_get_to_tag (m);
  g_autoptr(NetSipDialog) dialog = NULL;
  ServerRequest *sr;
  gboolean handled = FALSE;
  gboolean is_invite = strcmp (method, "INVITE") == 0;
  gboolean glare = FALSE;
  g_autofree char *merge_key = NULL;

  if (strcmp (method, "ACK") == 0)
    {
      handle_ack (self, request, leg, source);
      return;
    }
  if (uas_checks (self, request))
    return;
  if (strcmp (method, "CANCEL") == 0)
    {
      handle_cancel (self, request, leg, source);
      return;
    }
  /* validation made sure of Call-ID, From, To, CSeq; a From without a tag
   * is an RFC 2543 peer, whose dialog has an empty remote tag (§12.2.2) */

  if (to_tag)
    {
      NetSipDialog *d = find_dialog (self, net_sip_message_get_call_id (m), to_tag,
                                     net_sip_message_get_from_tag (m));

      /* §12.2.2: a request for a dialog we do not know */
      if (d == NULL)
        {
          auto_respond (self, request, 481, NULL, NULL);
          return;
        }
      switch (net_sip_dialog_check_request (d, request))
        {
        case NET_SIP_DIALOG_REQUEST_NEW:
          break;
        case NET_SIP_DIALOG_REQUEST_RETRANSMISSION:
          return;   /* the transaction layer answers those */
        case NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER:
          auto_respond (self, request, 500, "CSeq out of order", NULL);
          return;
        case NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG:
        default:
          auto_respond (self, request, 481, NULL, NULL);
          return;
        }
      dialog = g_object_ref (d);
      if (is_invite && invite_pending_in (self, dialog, &glare))
        {
          /* §14.2: one INVITE at a time in a dialog: 500 while we still
           * answer theirs, 491 while ours is pending */
          auto_respond (self, request, glare ? 491 : 500, NULL, NULL);
          return;
        }
      if (is_invite || strcmp (method, "UPDATE") == 0)
        net_sip_dialog_refresh_target (dialog, m);
      if (strcmp (method, "BYE") == 0)
        {
          /* §15.1.2: 200, the dialog ends, pending requests of the
           * dialog get 487 (their own transactions answer them) */
          GHashTableIter iter;
          gpointer value;
          g_autoptr(GPtrArray) pending = g_ptr_array_new ();

          auto_respond (self, request, 200, NULL, NULL);
          g_hash_table_iter_init (&iter, self->servers);
          while (g_hash_table_iter_next (&iter, NULL, &value))
            {
              ServerRequest *other = value;
              if (other->dialog == dialog && !other->final_sent)
                g_ptr_array_add (pending, other->request);
            }
          for (guint i = 0; i < pending->len; i++)
            net_sip_endpoint_respond (self, dialog, g_ptr_array_index (pending, i), 487, NULL,
                                      NULL, NULL, NULL);
          if (self->dispatcher)
            net_sip_dispatcher_cancel_delivery_by_call_id (self->dispatcher,
                                                           net_sip_dialog_get_call_id (dialog));
          g_signal_emit (self, signals[SIG_REQUEST_RECEIVED], 0, dialog, request, leg, source,
                         &handled);
          remove_dialog (self, dialog);
          return;
        }
    }
  if (to_tag == NULL)
    {
      /* §8.2.2.2: the same request (From tag, Call-ID, CSeq) on another
       * branch while we answer it: a fork that looped back */
      merge_key = g_strdup_printf ("%s\n%s\n%u %s", net_sip_message_get_from_tag (m) ? net_sip_message_get_from_tag (m) : "",
                                   net_sip_message_get_call_id (m), net_sip_message_get_cseq_number (m), method);
      ServerRequest *other = g_hash_table_lookup (self->merge, merge_key);
      if (other && g_strcmp0 (top_branch (NET_SIP_MESSAGE (other->request)), top_branch (m)) != 0)
        {
          auto_respond (self, request, 482, NULL, NULL);
          return;
        }
    }
  if (to_tag == NULL && is_invite)
    {
      g_autoptr(GError) error = NULL;

      dialog = net_sip_dialog_new_uas (request, NULL, our_contact (self, leg), &error);
      if (dialog == NULL)
        {
          auto_respond (self, request, 400, "Missing Contact", NULL);
          return;
        }
      add_dialog (self, dialog);
    }

  sr = g_new0 (ServerRequest, 1);
  sr->self = self;
  timer_init (&sr->retransmit);
  sr->request = g_object_ref (request);
  sr->dialog = dialog ? g_object_ref (dialog) : NULL;
  sr->leg = g_object_ref (leg);
  g_hash_table_insert (self->servers, sr->request, sr);
  if (merge_key)
    {
      sr->merge_key = g_steal_pointer (&merge_key);
      g_hash_table_replace (self->merge, sr->merge_key, sr);
    }
  if (is_invite)
    {
      sr->invite_key = invite_key (m);
      g_hash_table_replace (self->invites, sr->invite_key, sr);
      sr->in_invites_in = TRUE;
      g_hash_table_replace (self->invites_in, (gpointer) net_sip_message_get_call_id (m), sr);
      /* §8.2.6.1: 100 Trying at once, so that the transaction's own
       * (after 200 ms, §17.2.1) is not needed */
      auto_respond (self, request, 100, NULL, NULL);
    }

  g_object_ref (request);
  g_signal_emit (self, signals[SIG_REQUEST_RECEIVED], 0, dialog, request, leg, source, &handled);
  sr = g_hash_table_lookup (self->servers, request);
  if (!handled && sr && !sr->final_sent)
    {
      if (strcmp (method, "OPTIONS") == 0)
        {
          /* §11.2 */
          g_autofree char *allow = allow_value (self);
          g_autofree char *accept = g_strjoinv (", ", self->accept);
          g_autofree char *supported = g_strjoinv (", ", self->supported);
          g_autofree char *line = g_strconcat ("Allow: ", allow, NULL);
          g_autofree char *accept_line = g_strconcat ("Accept: ", accept, NULL);
          g_autofree char *supported_line = g_strconcat ("Supported: ", supported, NULL);
          const char *headers[] = { line, accept_line, supported_line, NULL };
          net_sip_endpoint_respond (self, dialog, request, 200, NULL, headers, NULL, NULL);
        }
      else if (is_invite)
        net_sip_endpoint_respond (self, dialog, request, 480, NULL, NULL, NULL, NULL);
      else if (!g_strv_contains (known_methods, method))
        net_sip_endpoint_respond (self, dialog, request, 501, NULL, NULL, NULL, NULL);
      else
        {
          g_autofree char *allow = allow_value (self);
          g_autofree char *line = g_strconcat ("Allow: ", allow, NULL);
          const char *headers[] = { line, NULL };
          net_sip_endpoint_respond (self, dialog, request, 405, NULL, headers, NULL, NULL);
        }
    }
  g_object_unref (request);
}

/* Receivers return whether they handled the message (a chain tries the
 * next one otherwise). The endpoint is a user agent: it answers every
 * request it gets, one way or another, and a response is its own when
 * one of its requests is waiting for it. */
static gboolean
net_sip_endpoint_receive (NetSipReceiver   *receiver,
                          NetSipMessage    *message,
                          NetSipLeg        *leg,
                          NetSipSourceInfo *source)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (receiver);
  gboolean handled = TRUE;

  g_object_ref (self);
  if (NET_SIP_IS_REQUEST (message))
    handle_request (self, NET_SIP_REQUEST (message), leg, source);
  else
    handled = receive_response (self, NET_SIP_RESPONSE (message));
  g_object_unref (self);
  return handled;
}

static void
net_sip_endpoint_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_endpoint_receive;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static void registration_send (Registration *reg, guint expires);

static void
registration_free (gpointer data)
{
  Registration *reg = data;
  g_autoptr(GError) error = g_error_new_literal (NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_CLOSED,
                                                 "the registration was dropped");

  timer_stop (reg->self, &reg->refresh);
  clear_source (&reg->cancel_source);
  if (reg->task)
    {
      g_task_return_error (reg->task, g_error_copy (error));
      g_clear_object (&reg->task);
    }
  if (reg->unregister)
    {
      g_task_return_error (reg->unregister, g_error_copy (error));
      g_clear_object (&reg->unregister);
    }
  g_clear_object (&reg->request);
  g_clear_pointer (&reg->credentials, g_ptr_array_unref);
  g_free (reg->registrar);
  g_free (reg->aor);
  g_free (reg->contact);
  g_free (reg->call_id);
  g_free (reg->from_tag);
  g_free (reg);
}

/* register_async cancelled before its first result: the registration
 * stops (a binding the registrar made meanwhile runs out by itself) */
static gboolean
on_register_cancelled (GCancellable *cancellable,
                       gpointer      data)
{
  Registration *reg = data;
  NetSipEndpoint *self = reg->self;
  ClientRequest *cr = reg->request ? g_hash_table_lookup (self->originals, reg->request) : NULL;
  g_autofree char *id = cr && !cr->done ? g_strdup (cr->id) : NULL;

  clear_source (&reg->cancel_source);
  /* frees reg; the task then reports G_IO_ERROR_CANCELLED */
  g_hash_table_remove (self->registrations, reg->aor);
  /* and the REGISTER in flight stops retransmitting */
  if (id && self->dispatcher)
    net_sip_dispatcher_cancel_delivery (self->dispatcher, id);
  return G_SOURCE_REMOVE;
}

static gboolean
on_registration_refresh (gpointer data)
{
  Registration *reg = data;

  timer_stop (reg->self, &reg->refresh);
  registration_send (reg, reg->expires);
  return G_SOURCE_REMOVE;
}

/* What the registrar granted for our contact (§10.2.4): the expires
 * parameter of our Contact in the 2xx, else its Expires header */
static guint
granted_expires (Registration   *reg,
                 NetSipResponse *response,
                 guint           asked)
{
  g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (NET_SIP_MESSAGE (response), NULL);
  g_autoptr(NetSipUri) ours = net_sip_uri_parse (reg->contact, -1, NULL);
  gint64 header;

  for (guint i = 0; contacts && i < contacts->len; i++)
    {
      NetSipNameAddr *c = g_ptr_array_index (contacts, i);
      g_autoptr(NetSipUri) uri = net_sip_name_addr_get_uri (c, NULL);
      gint64 e = net_sip_name_addr_get_expires (c);

      if (uri && ours && net_sip_uri_equal (uri, ours) && e >= 0)
        return (guint) MIN (e, G_MAXUINT);
    }
  header = net_sip_message_get_expires (NET_SIP_MESSAGE (response));
  if (header >= 0)
    return (guint) MIN (header, G_MAXUINT);
  return asked;
}

typedef struct
{
  guint         serial; /* the registration, looked up again by AOR: may be gone */
  char         *aor;
  guint         expires;
} RegisterCall;

static void
on_register_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  RegisterCall *call = user_data;
  NetSipEndpoint *self = NET_SIP_ENDPOINT (source);
  Registration *reg = g_hash_table_lookup (self->registrations, call->aor);
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(GError) error = NULL;
  guint code = 0;

  net_sip_endpoint_deliver_finish (self, result, &response, NULL, &error);
  if (reg == NULL || reg->serial != call->serial)
    {
      g_free (call->aor);
      g_free (call);
      return;
    }
  reg->busy = FALSE;
  if (response)
    {
      code = net_sip_response_get_code (response);
      /* a retry with credentials took more CSeq numbers: §10.2 wants
       * them to grow within the Call-ID */
      reg->cseq = MAX (reg->cseq, net_sip_message_get_cseq_number (NET_SIP_MESSAGE (response)));
    }

  /* §10.2.8: 423 with the smallest interval the registrar takes */
  if (code == 423 && !reg->retried_423 && call->expires > 0)
    {
      gint64 min = net_sip_message_get_min_expires (NET_SIP_MESSAGE (response));
      if (min > 0 && min > call->expires)
        {
          reg->retried_423 = TRUE;
          reg->expires = (guint) MIN (min, G_MAXUINT);
          registration_send (reg, reg->expires);
          g_free (call->aor);
          g_free (call);
          return;
        }
    }
  if (error == NULL && (code < 200 || code >= 300))
    error = g_error_new (NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_REJECTED,
                         "REGISTER %s for %s: %u %s", reg->registrar, reg->aor, code,
                         net_sip_response_get_reason (response));

  if (error == NULL)
    {
      GPtrArray *cached = g_object_get_data (G_OBJECT (result), "net-sip-credentials");

      reg->granted = call->expires == 0 ? 0 : granted_expires (reg, response, call->expires);
      reg->retried_423 = FALSE;
      /* a refresh accepted with the cached credentials keeps them */
      if (cached && cached->len > 0)
        {
          g_clear_pointer (&reg->credentials, g_ptr_array_unref);
          reg->credentials = g_ptr_array_ref (cached);
        }
    }
  else
    g_clear_pointer (&reg->credentials, g_ptr_array_unref);
  g_signal_emit (self, signals[SIG_REGISTRATION_UPDATED], 0, reg->aor, response, error);

  if (call->expires == 0)
    {
      /* unregistered (or failed to): the registration ends */
      GTask *task = g_steal_pointer (&reg->unregister);
      if (task)
        {
          if (error)
            g_task_return_error (task, g_error_copy (error));
          else
            g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
      g_hash_table_remove (self->registrations, call->aor);
      g_free (call->aor);
      g_free (call);
      return;
    }

  if (reg->task)
    {
      GTask *task = g_steal_pointer (&reg->task);
      clear_source (&reg->cancel_source);
      if (error)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_int (task, reg->granted);
      g_object_unref (task);
      if (error)
        {
          /* the first attempt failed: no registration to keep */
          g_hash_table_remove (self->registrations, call->aor);
          g_free (call->aor);
          g_free (call);
          return;
        }
    }

  if (self->dispatcher == NULL)
    {
      /* nothing to send through any more */
      g_hash_table_remove (self->registrations, call->aor);
      g_free (call->aor);
      g_free (call);
      return;
    }

  /* refresh before it expires: at half the granted time, or after 30 s
   * when this attempt failed */
  {
    guint delay_ms = error ? 30000 : MAX (reg->granted * 500, 500);
    timer_stop (reg->self, &reg->refresh);
    timer_start (self, &reg->refresh, delay_ms, on_registration_refresh, reg);
  }
  g_free (call->aor);
  g_free (call);
}

static void
registration_send (Registration *reg,
                   guint         expires)
{
  NetSipEndpoint *self = reg->self;
  g_autoptr(NetSipRequest) request = net_sip_request_new ("REGISTER", reg->registrar);
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=%s", reg->aor, reg->from_tag);
  g_autofree char *to = g_strdup_printf ("<%s>", reg->aor);
  g_autofree char *cseq = g_strdup_printf ("%u REGISTER", ++reg->cseq);
  g_autofree char *contact = g_strdup_printf ("<%s>", reg->contact);
  g_autofree char *exp = g_strdup_printf ("%u", expires);
  RegisterCall *call;

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "To", to);
  net_sip_message_add_header (m, "Call-ID", reg->call_id);
  net_sip_message_add_header (m, "CSeq", cseq);
  net_sip_message_add_header (m, "Contact", contact);
  net_sip_message_add_header (m, "Expires", exp);
  if (self->user_agent)
    net_sip_message_add_header (m, "User-Agent", self->user_agent);
  /* a refresh answers the last challenge again (§22.3): no 401 round
   * trip while the registrar takes the nonce; a stale or unknown nonce
   * is challenged and answered as usual */
  for (guint i = 0; reg->credentials && i < reg->credentials->len; i++)
    {
      CachedCredentials *c = g_ptr_array_index (reg->credentials, i);
      add_credentials (self, request, c->header, c->challenge, c->username, c->password);
    }

  call = g_new0 (RegisterCall, 1);
  call->serial = reg->serial;
  call->aor = g_strdup (reg->aor);
  call->expires = expires;
  reg->busy = TRUE;
  g_set_object (&reg->request, request);
  net_sip_endpoint_deliver_async (self, request, NULL, on_register_done, call);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_endpoint_dispose (GObject *object)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (object);

  if (self->registrations)
    g_hash_table_remove_all (self->registrations);
  /* the indexes first: their keys belong to the records */
  if (self->invites)
    g_hash_table_remove_all (self->invites);
  if (self->waiting_acks)
    g_hash_table_remove_all (self->waiting_acks);
  if (self->invites_in)
    g_hash_table_remove_all (self->invites_in);
  if (self->merge)
    g_hash_table_remove_all (self->merge);
  if (self->servers)
    g_hash_table_remove_all (self->servers);
  if (self->acks)
    g_hash_table_remove_all (self->acks);
  if (self->timer_source)
    {
      g_source_destroy (self->timer_source);
      g_clear_pointer (&self->timer_source, g_source_unref);
    }
  if (self->dispatcher)
    {
      g_object_remove_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
      self->dispatcher = NULL;
    }
  G_OBJECT_CLASS (net_sip_endpoint_parent_class)->dispose (object);
}

static void
net_sip_endpoint_finalize (GObject *object)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (object);

  g_hash_table_unref (self->dialogs);
  g_hash_table_unref (self->clients);
  g_hash_table_unref (self->originals);
  g_hash_table_unref (self->acks);
  g_hash_table_unref (self->servers);
  g_hash_table_unref (self->invites);
  g_hash_table_unref (self->waiting_acks);
  g_hash_table_unref (self->invites_in);
  g_hash_table_unref (self->invites_out);
  g_hash_table_unref (self->merge);
  g_hash_table_unref (self->credentials);
  g_hash_table_unref (self->nonces);
  g_hash_table_unref (self->registrations);
  g_ptr_array_unref (self->timers);
  g_main_context_unref (self->context);
  g_free (self->contact);
  g_free (self->user_agent);
  g_strfreev (self->allow);
  g_strfreev (self->supported);
  g_strfreev (self->accept);
  G_OBJECT_CLASS (net_sip_endpoint_parent_class)->finalize (object);
}

static void
net_sip_endpoint_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER: g_value_set_object (value, self->dispatcher); break;
    case PROP_CONTACT: g_value_set_string (value, self->contact); break;
    case PROP_USER_AGENT: g_value_set_string (value, self->user_agent); break;
    case PROP_ALLOW: g_value_set_boxed (value, self->allow); break;
    case PROP_SUPPORTED: g_value_set_boxed (value, self->supported); break;
    case PROP_ACCEPT: g_value_set_boxed (value, self->accept); break;
    case PROP_MAX_REDIRECTS: g_value_set_uint (value, self->max_redirects); break;
    case PROP_N_DIALOGS: g_value_set_uint (value, g_hash_table_size (self->dialogs)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_endpoint_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      self->dispatcher = g_value_get_object (value);
      if (self->dispatcher)
        g_object_add_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
      break;
    case PROP_CONTACT:
      net_sip_endpoint_set_contact (self, g_value_get_string (value));
      break;
    case PROP_USER_AGENT:
      if (g_strcmp0 (self->user_agent, g_value_get_string (value)) != 0)
        {
          g_free (self->user_agent);
          self->user_agent = g_value_dup_string (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_ALLOW:
      {
        const char * const *v = g_value_get_boxed (value);
        g_strfreev (self->allow);
        self->allow = g_strdupv ((char **) (v ? v : default_allow));
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_SUPPORTED:
      {
        const char * const *v = g_value_get_boxed (value);
        g_strfreev (self->supported);
        self->supported = g_strdupv ((char **) (v ? v : no_strings));
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_ACCEPT:
      {
        const char * const *v = g_value_get_boxed (value);
        g_strfreev (self->accept);
        self->accept = g_strdupv ((char **) (v ? v : default_accept));
        g_object_notify_by_pspec (object, pspec);
      }
      break;
    case PROP_MAX_REDIRECTS:
      if (self->max_redirects != g_value_get_uint (value))
        {
          self->max_redirects = g_value_get_uint (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

/* A server transaction gave up on a request the application took and
 * never answered (64*T1, or 200 s for an INVITE): forget it, and the
 * early dialog it made. */
static void
on_delivery_failed (NetSipDispatcher *dispatcher,
                    const char       *id,
                    const GError     *error,
                    NetSipEndpoint   *self)
{
  GHashTableIter iter;
  gpointer value;
  ServerRequest *found = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;

  if (id == NULL || g_str_has_prefix (id, "endpoint:"))
    return;
  g_hash_table_iter_init (&iter, self->servers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ServerRequest *sr = value;
      if (!sr->final_sent && g_strcmp0 (net_sip_message_get_tid (NET_SIP_MESSAGE (sr->request)), id) == 0)
        {
          found = sr;
          break;
        }
    }
  if (found == NULL)
    return;
  g_debug ("the %s was never answered: %s", net_sip_request_get_method (found->request),
           error ? error->message : "gave up");
  if (found->dialog && net_sip_dialog_get_state (found->dialog) == NET_SIP_DIALOG_EARLY)
    dialog = g_object_ref (found->dialog);
  server_forget (found);
  if (dialog)
    remove_dialog (self, dialog);
}

static void
net_sip_endpoint_constructed (GObject *object)
{
  NetSipEndpoint *self = NET_SIP_ENDPOINT (object);

  G_OBJECT_CLASS (net_sip_endpoint_parent_class)->constructed (object);
  if (self->dispatcher)
    {
      g_signal_connect_object (self->dispatcher, "delivery-failed",
                               G_CALLBACK (on_delivery_failed), self, 0);
      net_sip_dispatcher_set_receiver (self->dispatcher, NET_SIP_RECEIVER (self));
    }
}

static void
net_sip_endpoint_class_init (NetSipEndpointClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = net_sip_endpoint_dispose;
  object_class->finalize = net_sip_endpoint_finalize;
  object_class->get_property = net_sip_endpoint_get_property;
  object_class->set_property = net_sip_endpoint_set_property;
  object_class->constructed = net_sip_endpoint_constructed;

  /**
   * NetSipEndpoint:dispatcher:
   *
   * The dispatcher the endpoint sends through and receives from; the
   * endpoint installs itself as its receiver. Not owned by the endpoint
   * (the dispatcher owns its receiver).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:contact:
   *
   * The Contact URI the endpoint puts into requests that make dialogs and
   * into its 1xx and 2xx to them; %NULL for the contact of the leg the
   * request came in on, or of the dispatcher's first leg.
   *
   * Since: 1.0
   */
  props[PROP_CONTACT] =
    g_param_spec_string ("contact", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:user-agent:
   *
   * The value of the User-Agent header of requests and the Server header
   * of responses the endpoint makes, or %NULL for none.
   *
   * Since: 1.0
   */
  props[PROP_USER_AGENT] =
    g_param_spec_string ("user-agent", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:allow:
   *
   * The methods named in the Allow header of the endpoint's 405 and
   * OPTIONS answers (RFC 3261 §20.5). Default INVITE, ACK, CANCEL, BYE,
   * OPTIONS; setting %NULL restores it.
   *
   * Since: 1.0
   */
  props[PROP_ALLOW] =
    g_param_spec_boxed ("allow", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:supported:
   *
   * The option tags (RFC 3261 §19.2) the endpoint's application supports:
   * the Supported header of OPTIONS answers; a request that requires
   * (Require) any other gets 420 Bad Extension with Unsupported
   * (§8.2.2.3). Default none; %NULL restores it.
   *
   * Since: 1.0
   */
  props[PROP_SUPPORTED] =
    g_param_spec_boxed ("supported", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:accept:
   *
   * The body types the endpoint takes in an INVITE: the Accept header of
   * OPTIONS and 415 answers; an INVITE with a body of another type gets
   * 415 (§8.2.3), one whose Accept excludes all of them gets 406. Default
   * `application/sdp`; %NULL restores it.
   *
   * Since: 1.0
   */
  props[PROP_ACCEPT] =
    g_param_spec_boxed ("accept", NULL, NULL, G_TYPE_STRV,
                        G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:max-redirects:
   *
   * How many 302 and 305 responses one request follows before the next
   * one goes to the caller.
   *
   * Since: 1.0
   */
  props[PROP_MAX_REDIRECTS] =
    g_param_spec_uint ("max-redirects", NULL, NULL, 0, 100, DEFAULT_MAX_REDIRECTS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipEndpoint:n-dialogs:
   *
   * How many dialogs (early and confirmed) the endpoint keeps.
   *
   * Since: 1.0
   */
  props[PROP_N_DIALOGS] =
    g_param_spec_uint ("n-dialogs", NULL, NULL, 0, G_MAXUINT, 0,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipEndpoint::request-received:
   * @self: the endpoint
   * @dialog: (nullable): the dialog of the request: for a new INVITE the
   *   early dialog just made (UAS side), %NULL outside dialogs
   * @request: the request
   * @leg: the leg it came in on
   * @source: where it came from
   *
   * A new request came in. Return %TRUE when you answer it, now or later,
   * with [method@NetSip.Endpoint.respond]. ACK, BYE and CANCEL are
   * reported too, after the endpoint answered them (BYE, CANCEL) or
   * matched them to the 2xx (ACK): the return value does not matter for
   * them. An ACK is reported once, when it ends the retransmissions of
   * its 2xx (RFC 3261 §13.3.1.4); copies the caller sends for
   * retransmitted 2xx (§13.2.2.4) and ACKs that match no 2xx of this
   * endpoint are absorbed. When no handler returns %TRUE the endpoint answers: OPTIONS with
   * 200 (Allow, Accept, Supported), INVITE with 480, anything else with
   * 405 and Allow.
   *
   * Returns: %TRUE if the application answers the request
   *
   * Since: 1.0
   */
  signals[SIG_REQUEST_RECEIVED] =
    g_signal_new ("request-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 4, NET_SIP_TYPE_DIALOG, NET_SIP_TYPE_REQUEST,
                  NET_SIP_TYPE_LEG, NET_SIP_TYPE_SOURCE_INFO);
  /**
   * NetSipEndpoint::provisional-received:
   * @self: the endpoint
   * @dialog: (nullable): the early dialog the response made (a 101-199
   *   with a To tag to an INVITE), or the request's dialog, or %NULL
   * @request: the request as given to deliver_async or invite_async
   * @response: the provisional response
   *
   * A 1xx arrived for a request the endpoint sends.
   *
   * Since: 1.0
   */
  signals[SIG_PROVISIONAL_RECEIVED] =
    g_signal_new ("provisional-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, NET_SIP_TYPE_DIALOG, NET_SIP_TYPE_REQUEST,
                  NET_SIP_TYPE_RESPONSE);
  /**
   * NetSipEndpoint::ack-prepared:
   * @self: the endpoint
   * @dialog: the dialog the 2xx confirmed
   * @ack: the ACK (RFC 3261 §13.2.2.4): change it here (a body for an
   *   offer in the 2xx); do not send it
   * @response: the 2xx
   *
   * The ACK for a 2xx to an INVITE is built; it is sent when the handlers
   * return, and sent again, unchanged, for each retransmission of the 2xx.
   *
   * Since: 1.0
   */
  signals[SIG_ACK_PREPARED] =
    g_signal_new ("ack-prepared", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, NET_SIP_TYPE_DIALOG, NET_SIP_TYPE_REQUEST,
                  NET_SIP_TYPE_RESPONSE);
  /**
   * NetSipEndpoint::authenticate:
   * @self: the endpoint
   * @dialog: (nullable): the request's dialog, or %NULL
   * @request: the request as given to deliver_async or invite_async
   * @realm: the realm that wants credentials
   * @retrying: %TRUE when credentials for @realm were sent already and
   *   refused (the same ones again end the request with
   *   %NET_SIP_AUTH_ERROR_REJECTED)
   *
   * A 401 or 407 asks for credentials of @realm that the table
   * ([method@NetSip.Endpoint.set_credentials]) does not have, or refused
   * those. Return %TRUE and call [method@NetSip.Endpoint.authenticate],
   * now or later (the request waits; ask the user or a keyring), or
   * %FALSE to give none for @realm. Like libsoup's
   * `SoupSession::authenticate`.
   *
   * Returns: %TRUE if the handler answers with
   *   [method@NetSip.Endpoint.authenticate]
   *
   * Since: 1.0
   */
  signals[SIG_AUTHENTICATE] =
    g_signal_new ("authenticate", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  g_signal_accumulator_true_handled, NULL, NULL,
                  G_TYPE_BOOLEAN, 4, NET_SIP_TYPE_DIALOG, NET_SIP_TYPE_REQUEST, G_TYPE_STRING,
                  G_TYPE_BOOLEAN);
  /**
   * NetSipEndpoint::dialog-closed:
   * @self: the endpoint
   * @dialog: the dialog, now terminated
   *
   * A dialog left the endpoint: BYE sent or received, CANCEL, a final
   * non-2xx for an early dialog, no ACK for a 2xx, or
   * [method@NetSip.Endpoint.close_dialog].
   *
   * Since: 1.0
   */
  signals[SIG_DIALOG_CLOSED] =
    g_signal_new ("dialog-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NET_SIP_TYPE_DIALOG);
  /**
   * NetSipEndpoint::registration-updated:
   * @self: the endpoint
   * @aor: the address of record
   * @response: (nullable): the registrar's final response, %NULL when none
   *   came (timeout, transport error)
   * @error: (nullable): what went wrong, %NULL for a 2xx
   *
   * A REGISTER of [method@NetSip.Endpoint.register_async] (the first, a
   * refresh, or the unregistration) has a result.
   *
   * Since: 1.0
   */
  signals[SIG_REGISTRATION_UPDATED] =
    g_signal_new ("registration-updated", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, NET_SIP_TYPE_RESPONSE,
                  G_TYPE_ERROR);
}

static void
net_sip_endpoint_init (NetSipEndpoint *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->allow = g_strdupv ((char **) default_allow);
  self->supported = g_strdupv ((char **) no_strings);
  self->accept = g_strdupv ((char **) default_accept);
  self->max_redirects = DEFAULT_MAX_REDIRECTS;
  self->dialogs = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->clients = g_hash_table_new (g_str_hash, g_str_equal);
  self->originals = g_hash_table_new (NULL, NULL);
  self->acks = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, ack_entry_free);
  self->servers = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) server_request_free);
  self->invites = g_hash_table_new (g_str_hash, g_str_equal);
  self->waiting_acks = g_hash_table_new (g_str_hash, g_str_equal);
  self->invites_in = g_hash_table_new (g_str_hash, g_str_equal);
  self->invites_out = g_hash_table_new (g_str_hash, g_str_equal);
  self->merge = g_hash_table_new (g_str_hash, g_str_equal);
  self->credentials = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->nonces = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->registrations = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, registration_free);
  self->timers = g_ptr_array_new ();
  self->timer_source = g_source_new (&timer_source_funcs, sizeof (TimerSource));
  ((TimerSource *) self->timer_source)->endpoint = self;
  g_source_set_name (self->timer_source, "NetSip endpoint timers");
  g_source_set_ready_time (self->timer_source, -1);
  g_source_attach (self->timer_source, self->context);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_endpoint_new:
 * @dispatcher: the dispatcher to send through and receive from
 *
 * Creates an endpoint and makes it @dispatcher's receiver
 * ([method@NetSip.Dispatcher.set_receiver]). Timers and callbacks run on
 * the thread-default main context of the caller.
 *
 * Returns: (transfer full): the endpoint
 *
 * Since: 1.0
 */
NetSipEndpoint *
net_sip_endpoint_new (NetSipDispatcher *dispatcher)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);
  return g_object_new (NET_SIP_TYPE_ENDPOINT, "dispatcher", dispatcher, NULL);
}

/**
 * net_sip_endpoint_get_dispatcher:
 * @self: a #NetSipEndpoint
 *
 * Gets the dispatcher the endpoint sends through and receives from.
 *
 * Returns: (transfer none) (nullable): the dispatcher, %NULL once it is gone
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_endpoint_get_dispatcher (NetSipEndpoint *self)
{
  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), NULL);
  return self->dispatcher;
}

/**
 * net_sip_endpoint_get_contact:
 * @self: a #NetSipEndpoint
 *
 * Gets the Contact URI the endpoint puts into its requests and answers.
 *
 * Returns: (transfer none) (nullable): the value of
 *   [property@NetSip.Endpoint:contact]
 *
 * Since: 1.0
 */
const char *
net_sip_endpoint_get_contact (NetSipEndpoint *self)
{
  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), NULL);
  return self->contact;
}

/**
 * net_sip_endpoint_set_contact:
 * @self: a #NetSipEndpoint
 * @contact: (nullable): a SIP URI, or %NULL for the legs' contacts
 *
 * Sets [property@NetSip.Endpoint:contact].
 *
 * Since: 1.0
 */
void
net_sip_endpoint_set_contact (NetSipEndpoint *self,
                              const char     *contact)
{
  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));
  if (g_strcmp0 (self->contact, contact) == 0)
    return;
  g_free (self->contact);
  self->contact = g_strdup (contact);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_CONTACT]);
}

/**
 * net_sip_endpoint_get_n_dialogs:
 * @self: a #NetSipEndpoint
 *
 * Gets how many dialogs, early and confirmed, the endpoint keeps.
 *
 * Returns: the value of [property@NetSip.Endpoint:n-dialogs]
 *
 * Since: 1.0
 */
guint
net_sip_endpoint_get_n_dialogs (NetSipEndpoint *self)
{
  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), 0);
  return g_hash_table_size (self->dialogs);
}

/**
 * net_sip_endpoint_get_dialogs:
 * @self: a #NetSipEndpoint
 *
 * Gets the dialogs the endpoint keeps.
 *
 * Returns: (transfer container) (element-type NetSipDialog): the dialogs
 *   the endpoint keeps, early and confirmed, in no order
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_endpoint_get_dialogs (NetSipEndpoint *self)
{
  GPtrArray *all;
  GHashTableIter iter;
  gpointer value;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), NULL);
  all = g_ptr_array_new_with_free_func (g_object_unref);
  g_hash_table_iter_init (&iter, self->dialogs);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (all, g_object_ref (value));
  return all;
}

static gboolean
makes_dialog_or_refreshes (const char *method)
{
  return strcmp (method, "INVITE") == 0 || strcmp (method, "SUBSCRIBE") == 0 ||
         strcmp (method, "REFER") == 0 || strcmp (method, "UPDATE") == 0 ||
         strcmp (method, "NOTIFY") == 0;
}

/**
 * net_sip_endpoint_new_request:
 * @self: a #NetSipEndpoint
 * @dialog: (nullable): the dialog the request goes in, or %NULL for a
 *   request outside any dialog (a new call, OPTIONS, MESSAGE...)
 * @method: the method, not ACK or CANCEL (the endpoint makes those)
 * @from: (nullable): the From value (name-addr) for a request outside a
 *   dialog; a tag is added. Ignored with @dialog.
 * @to: (nullable): the To value for a request outside a dialog. Ignored
 *   with @dialog.
 * @request_uri: (nullable): the Request-URI for a request outside a
 *   dialog, %NULL for the URI in @to. Ignored with @dialog.
 * @headers: (nullable) (array zero-terminated=1): more header lines,
 *   each `Name: value`
 * @body: (nullable): the body; give its type with a `Content-Type` line
 *   in @headers (`application/sdp` is taken when none is given)
 *
 * Builds a request (RFC 3261 §8.1.1, §12.2.1.1). In @dialog it has the
 * dialog's From, To, Call-ID, route set (loose or strict routing) and the
 * next local CSeq; outside a dialog a new Call-ID, a From tag, CSeq 1 and
 * Max-Forwards 70. Requests that make or refresh a dialog get our
 * Contact ([property@NetSip.Endpoint:contact]).
 *
 * Returns: (transfer full) (nullable): the request, or %NULL when @from,
 *   @to or the Request-URI do not parse
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_endpoint_new_request (NetSipEndpoint     *self,
                              NetSipDialog       *dialog,
                              const char         *method,
                              const char         *from,
                              const char         *to,
                              const char         *request_uri,
                              const char * const *headers,
                              GBytes             *body)
{
  NetSipRequest *request;
  NetSipMessage *m;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), NULL);
  g_return_val_if_fail (dialog == NULL || NET_SIP_IS_DIALOG (dialog), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (strcmp (method, "ACK") != 0 && strcmp (method, "CANCEL") != 0, NULL);

  if (dialog)
    {
      if (net_sip_dialog_get_local_contact (dialog) == NULL && our_contact (self, NULL))
        net_sip_dialog_set_local_contact (dialog, our_contact (self, NULL));
      request = net_sip_dialog_create_request (dialog, method);
      m = NET_SIP_MESSAGE (request);
    }
  else
    {
      g_autoptr(NetSipNameAddr) from_addr = NULL;
      g_autoptr(NetSipNameAddr) to_addr = NULL;
      g_autofree char *tag = NULL;
      g_autofree char *from_value = NULL;
      g_autofree char *call_id = NULL;
      g_autofree char *cseq = NULL;
      const char *contact;

      g_return_val_if_fail (from != NULL && to != NULL, NULL);
      from_addr = net_sip_name_addr_parse (from, -1, NULL);
      to_addr = net_sip_name_addr_parse (to, -1, NULL);
      if (from_addr == NULL || to_addr == NULL)
        return NULL;
      if (request_uri == NULL)
        request_uri = net_sip_name_addr_get_uri_string (to_addr);
      {
        g_autoptr(NetSipUri) uri = net_sip_uri_parse (request_uri, -1, NULL);
        if (uri == NULL)
          return NULL;
      }
      request = net_sip_request_new (method, request_uri);
      m = NET_SIP_MESSAGE (request);
      tag = random_token ();
      from_value = net_sip_name_addr_get_tag (from_addr) ? g_strdup (from)
                                                         : g_strconcat (from, ";tag=", tag, NULL);
      call_id = net_sip_random_token (NULL, 3, "@netsip");
      cseq = g_strdup_printf ("1 %s", method);
      net_sip_message_add_header (m, "Max-Forwards", "70");
      net_sip_message_add_header (m, "From", from_value);
      net_sip_message_add_header (m, "To", to);
      net_sip_message_add_header (m, "Call-ID", call_id);
      net_sip_message_add_header (m, "CSeq", cseq);
      contact = our_contact (self, NULL);
      if (contact && makes_dialog_or_refreshes (method))
        {
          g_autofree char *value = g_strdup_printf ("<%s>", contact);
          net_sip_message_add_header (m, "Contact", value);
        }
    }
  if (self->user_agent)
    net_sip_message_set_header (m, "User-Agent", self->user_agent);
  add_header_lines (m, headers);
  if (body)
    {
      g_autofree char *type = net_sip_message_get_content_type (m);
      net_sip_message_set_body (m, body, type ? NULL : "application/sdp");
    }
  return request;
}

/**
 * net_sip_endpoint_deliver_async:
 * @self: a #NetSipEndpoint
 * @request: (transfer none): a request from
 *   [method@NetSip.Endpoint.new_request] (or one built by hand with
 *   Call-ID, From with a tag, To, CSeq); not ACK or CANCEL
 * @cancellable: (nullable): for an INVITE, cancelling sends a CANCEL
 *   (RFC 3261 §9.1, once a provisional response came) and the result is
 *   the final response (487 normally); for other methods it stops the
 *   transaction and the result is %G_IO_ERROR_CANCELLED
 * @callback: (scope async): called once with the outcome
 * @user_data: data for @callback
 *
 * Sends @request through the dispatcher and follows its responses as the
 * class description says: credentials for 401 and 407 (§22.2, §22.3),
 * 302 and 305 (§8.1.3.4), the ACK for a 2xx to an INVITE (§13.2.2.4),
 * dialogs from 1xx and 2xx (§12.1.2), the end of the dialog for a BYE.
 * Each retry is a new transaction with the next CSeq; @request itself is
 * what the signals name.
 *
 * Since: 1.0
 */
void
net_sip_endpoint_deliver_async (NetSipEndpoint      *self,
                                NetSipRequest       *request,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  NetSipMessage *m;
  const char *method;
  ClientRequest *cr;

  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));
  g_return_if_fail (NET_SIP_IS_REQUEST (request));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  m = NET_SIP_MESSAGE (request);
  method = net_sip_request_get_method (request);
  cr = g_new0 (ClientRequest, 1);
  cr->self = self;
  cr->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (cr->task, net_sip_endpoint_deliver_async);
  cr->original = g_object_ref (request);
  cr->current = g_object_ref (request);
  cr->is_invite = g_strcmp0 (method, "INVITE") == 0;

  if (self->dispatcher == NULL || g_strcmp0 (method, "ACK") == 0 ||
      g_strcmp0 (method, "CANCEL") == 0 || net_sip_message_get_call_id (m) == NULL ||
      net_sip_message_get_cseq_number (m) == 0 || g_hash_table_contains (self->originals, request))
    {
      cr->done = TRUE;
      g_task_return_new_error (cr->task, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_INVALID,
                               "the endpoint cannot deliver this %s (no dispatcher, ACK or CANCEL, "
                               "no Call-ID or CSeq, or already in flight)", method);
      client_request_free (cr);
      return;
    }

  if (net_sip_message_get_to_tag (m))
    {
      NetSipDialog *d = find_dialog (self, net_sip_message_get_call_id (m),
                                     net_sip_message_get_from_tag (m), net_sip_message_get_to_tag (m));
      if (d)
        cr->dialog = g_object_ref (d);
    }
  if (cancellable)
    {
      cr->cancellable = g_object_ref (cancellable);
      if (cr->is_invite)
        cr->cancel_handler = g_cancellable_connect (cancellable, G_CALLBACK (on_cancellable_cancelled),
                                                    cr, NULL);
    }
  g_hash_table_insert (self->originals, cr->original, cr);
  if (cr->is_invite)
    g_hash_table_replace (self->invites_out, (gpointer) net_sip_message_get_call_id (m), cr);
  client_send (cr);
}

/**
 * net_sip_endpoint_deliver_finish:
 * @self: a #NetSipEndpoint
 * @result: the result given to the callback
 * @response: (out) (optional) (nullable) (transfer full): the final
 *   response (any code: check it; a 401 or 407 when no credentials were
 *   given for any of its realms); with %NET_SIP_AUTH_ERROR_REJECTED, the
 *   401 or 407 that came again; %NULL with the other errors
 * @dialog: (out) (optional) (nullable) (transfer full): the dialog the
 *   request is in or made (confirmed for a 2xx to an INVITE), or %NULL
 * @error: return location for a #GError
 *
 * Errors: the dispatcher's (%NET_SIP_TRANSACTION_ERROR_TIMEOUT after
 * 64*T1, %NET_SIP_TRANSACTION_ERROR_CANCELLED when the dialog was closed,
 * the %NET_SIP_TRANSPORT_ERROR codes), %G_IO_ERROR_CANCELLED,
 * %NET_SIP_AUTH_ERROR_REJECTED (challenged again for the same
 * credentials; @response is that challenge), %NET_SIP_ENDPOINT_ERROR_INVALID.
 *
 * Returns: %TRUE if a final response came
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_deliver_finish (NetSipEndpoint  *self,
                                 GAsyncResult    *result,
                                 NetSipResponse **response,
                                 NetSipDialog   **dialog,
                                 GError         **error)
{
  ClientResult *r;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  if (response)
    *response = NULL;
  if (dialog)
    *dialog = NULL;
  r = g_task_propagate_pointer (G_TASK (result), error);
  if (r == NULL)
    {
      NetSipResponse *last = g_object_get_data (G_OBJECT (result), "net-sip-response");
      if (response && last)
        *response = g_object_ref (last);
      return FALSE;
    }
  if (response)
    *response = g_steal_pointer (&r->response);
  if (dialog)
    *dialog = g_steal_pointer (&r->dialog);
  client_result_free (r);
  return TRUE;
}

/**
 * net_sip_endpoint_invite_async:
 * @self: a #NetSipEndpoint
 * @invite: (transfer none): an INVITE from
 *   [method@NetSip.Endpoint.new_request]: without a dialog for a new
 *   call, with one for a re-INVITE
 * @cancellable: (nullable): cancelling sends a CANCEL (§9.1) once a
 *   provisional response came; the result is then the final response,
 *   487 normally (a 2xx that crossed the CANCEL is ACKed and the dialog
 *   closed with a BYE)
 * @callback: (scope async): called with the final response
 * @user_data: data for @callback
 *
 * Sends an INVITE: [method@NetSip.Endpoint.deliver_async] for INVITE.
 * Provisional responses come as
 * [signal@NetSip.Endpoint::provisional-received]; for the 2xx the ACK is
 * built, shown in [signal@NetSip.Endpoint::ack-prepared] and sent.
 *
 * Since: 1.0
 */
void
net_sip_endpoint_invite_async (NetSipEndpoint      *self,
                               NetSipRequest       *invite,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_return_if_fail (NET_SIP_IS_REQUEST (invite));
  g_return_if_fail (g_strcmp0 (net_sip_request_get_method (invite), "INVITE") == 0);
  net_sip_endpoint_deliver_async (self, invite, cancellable, callback, user_data);
}

/**
 * net_sip_endpoint_invite_finish:
 * @self: a #NetSipEndpoint
 * @result: the result given to the callback
 * @response: (out) (optional) (nullable) (transfer full): the final response
 * @dialog: (out) (optional) (nullable) (transfer full): the confirmed
 *   dialog for a 2xx, else %NULL or the re-INVITE's dialog
 * @error: return location for a #GError
 *
 * Errors: as [method@NetSip.Endpoint.deliver_finish].
 *
 * Returns: %TRUE if a final response came
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_invite_finish (NetSipEndpoint  *self,
                                GAsyncResult    *result,
                                NetSipResponse **response,
                                NetSipDialog   **dialog,
                                GError         **error)
{
  return net_sip_endpoint_deliver_finish (self, result, response, dialog, error);
}

/**
 * net_sip_endpoint_cancel_invite:
 * @self: a #NetSipEndpoint
 * @invite: an INVITE given to [method@NetSip.Endpoint.invite_async]
 *
 * Cancels a pending INVITE (RFC 3261 §9.1): sends a CANCEL now if a
 * provisional response came, else as soon as one comes. The INVITE then
 * completes with its final response (487 normally).
 *
 * Returns: %TRUE if @invite was pending
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_cancel_invite (NetSipEndpoint *self,
                                NetSipRequest  *invite)
{
  ClientRequest *cr;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (invite), FALSE);

  cr = g_hash_table_lookup (self->originals, invite);
  if (cr == NULL || !cr->is_invite || cr->done)
    return FALSE;
  cr->cancel_wanted = TRUE;
  if (cr->got_provisional)
    send_cancel (cr);
  return TRUE;
}

static void
on_bye_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, NULL, NULL, &error))
    g_debug ("BYE: %s", error->message);
}

/**
 * net_sip_endpoint_close_dialog:
 * @self: a #NetSipEndpoint
 * @dialog: a dialog of @self
 *
 * Ends @dialog (RFC 3261 §15): every pending delivery with its Call-ID is
 * cancelled (they complete with %NET_SIP_TRANSACTION_ERROR_CANCELLED),
 * a confirmed dialog gets a BYE, an early one we called gets a CANCEL for
 * its INVITE, an early one we were called in gets 487 for the INVITE;
 * then [signal@NetSip.Endpoint::dialog-closed] is emitted.
 *
 * Since: 1.0
 */
void
net_sip_endpoint_close_dialog (NetSipEndpoint *self,
                               NetSipDialog   *dialog)
{
  g_autoptr(NetSipDialog) held = NULL;
  NetSipDialogState state;
  GHashTableIter iter;
  gpointer value;
  ClientRequest *invite;
  g_autoptr(GPtrArray) pending = g_ptr_array_new ();

  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));
  g_return_if_fail (NET_SIP_IS_DIALOG (dialog));

  held = g_object_ref (dialog);
  state = net_sip_dialog_get_state (dialog);
  if (state == NET_SIP_DIALOG_TERMINATED)
    {
      remove_dialog (self, dialog);
      return;
    }

  /* our pending INVITE of an early dialog: CANCEL, not BYE (§15) */
  invite = g_hash_table_lookup (self->invites_out, net_sip_dialog_get_call_id (dialog));
  if (state == NET_SIP_DIALOG_EARLY && net_sip_dialog_is_caller (dialog) && invite && !invite->done)
    {
      net_sip_endpoint_cancel_invite (self, invite->original);
      remove_dialog (self, dialog);
      return;
    }

  /* requests we were sent in the dialog and did not answer yet */
  g_hash_table_iter_init (&iter, self->servers);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      ServerRequest *sr = value;
      if (sr->dialog == dialog && !sr->final_sent)
        g_ptr_array_add (pending, g_object_ref (sr->request));
    }
  for (guint i = 0; i < pending->len; i++)
    {
      net_sip_endpoint_respond (self, dialog, g_ptr_array_index (pending, i),
                                487, NULL, NULL, NULL, NULL);
      g_object_unref (g_ptr_array_index (pending, i));
    }

  if (self->dispatcher)
    net_sip_dispatcher_cancel_delivery_by_call_id (self->dispatcher,
                                                   net_sip_dialog_get_call_id (dialog));
  if (state == NET_SIP_DIALOG_CONFIRMED && self->dispatcher)
    {
      g_autoptr(NetSipRequest) bye = net_sip_endpoint_new_request (self, dialog, "BYE", NULL, NULL,
                                                                   NULL, NULL, NULL);
      /* out of the table first, so that the BYE's response finds no
       * dialog and a BYE crossing ours gets 481 */
      remove_dialog (self, dialog);
      net_sip_endpoint_deliver_async (self, bye, NULL, on_bye_done, NULL);
      return;
    }
  remove_dialog (self, dialog);
}

/**
 * net_sip_endpoint_set_credentials:
 * @self: a #NetSipEndpoint
 * @realm: (nullable): the realm, or %NULL for any realm without its own
 * @username: (nullable): the user name, or %NULL to remove the entry
 * @password: (nullable): the password
 *
 * Stores credentials used to answer 401 and 407 challenges of @realm
 * (RFC 3261 §22.2). A realm without an entry asks
 * [signal@NetSip.Endpoint::authenticate].
 *
 * Since: 1.0
 */
void
net_sip_endpoint_set_credentials (NetSipEndpoint *self,
                                  const char     *realm,
                                  const char     *username,
                                  const char     *password)
{
  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));

  if (username == NULL)
    g_hash_table_remove (self->credentials, realm ? realm : "");
  else
    g_hash_table_replace (self->credentials, g_strdup (realm ? realm : ""),
                          g_strconcat (username, "\n", password ? password : "", NULL));
}

/**
 * net_sip_endpoint_authenticate:
 * @self: a #NetSipEndpoint
 * @request: the request named by [signal@NetSip.Endpoint::authenticate]
 * @realm: the realm named by the signal
 * @username: (nullable): the user name, or %NULL to give no credentials
 *   for @realm
 * @password: (nullable): the password
 *
 * Answers [signal@NetSip.Endpoint::authenticate], during the emission or
 * later. When every realm of the challenge is answered the request goes
 * out again with credentials (or, when none were given, completes with
 * the 401 or 407; when the refused ones were given again, with
 * %NET_SIP_AUTH_ERROR_REJECTED).
 *
 * Returns: %TRUE if @request was waiting for credentials of @realm
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_authenticate (NetSipEndpoint *self,
                               NetSipRequest  *request,
                               const char     *realm,
                               const char     *username,
                               const char     *password)
{
  ClientRequest *cr;
  AuthState *a;
  g_autoptr(NetSipEndpoint) held = NULL;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (realm != NULL, FALSE);

  cr = g_hash_table_lookup (self->originals, request);
  if (cr == NULL || cr->waiting == NULL || !g_hash_table_contains (cr->waiting, realm))
    return FALSE;
  g_hash_table_remove (cr->waiting, realm);
  held = g_object_ref (self);
  a = auth_state_for (cr, realm);
  if (username == NULL)
    {
      if (a->retrying)
        a->rejected = TRUE;
    }
  else if (a->retrying && g_strcmp0 (a->username, username) == 0 &&
           g_strcmp0 (a->password, password ? password : "") == 0)
    a->rejected = TRUE;   /* the refused credentials again: not a loop */
  else
    {
      g_free (a->username);
      g_free (a->password);
      a->username = g_strdup (username);
      a->password = g_strdup (password ? password : "");
      a->answered = TRUE;
    }
  if (!cr->in_challenge && g_hash_table_size (cr->waiting) == 0)
    client_finish_challenge (cr);
  return TRUE;
}

/**
 * net_sip_endpoint_respond:
 * @self: a #NetSipEndpoint
 * @dialog: (nullable): the dialog given with the request by
 *   [signal@NetSip.Endpoint::request-received]
 * @request: the request to answer
 * @code: the status code, 101-699 (100 is sent by the endpoint)
 * @reason: (nullable): the reason phrase, %NULL for the usual one
 * @headers: (nullable) (array zero-terminated=1): more header lines,
 *   each `Name: value`
 * @body: (nullable): the body (with a `Content-Type` line in @headers;
 *   `application/sdp` when none is given)
 * @error: return location for a #GError
 *
 * Answers a request the endpoint passed up (RFC 3261 §8.2.6, §12.1.1,
 * §13.3.1). The response gets the dialog's To tag and, for a 101-299 to
 * an INVITE, our Contact. A 2xx to an INVITE confirms the dialog and is
 * sent again (after T1, doubling up to T2) until the ACK comes, for
 * at most 64*T1, after which the dialog is closed with a BYE (the
 * dispatcher retransmits instead when its
 * [property@NetSip.Dispatcher:retransmit-2xx] is set); a final
 * non-2xx to the INVITE that made the dialog ends it. Any number of
 * provisional responses may come before the final one.
 *
 * Errors: %NET_SIP_ENDPOINT_ERROR_NOT_FOUND when @request is not waiting
 * for an answer (answered finally already, or unknown).
 *
 * Returns: %TRUE if the response was handed to the dispatcher
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_respond (NetSipEndpoint     *self,
                          NetSipDialog       *dialog,
                          NetSipRequest      *request,
                          guint               code,
                          const char         *reason,
                          const char * const *headers,
                          GBytes             *body,
                          GError            **error)
{
  ServerRequest *sr;
  g_autoptr(NetSipResponse) response = NULL;
  NetSipMessage *m;
  gboolean is_invite;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (code >= 100 && code <= 699, FALSE);

  sr = g_hash_table_lookup (self->servers, request);
  if (sr == NULL || sr->final_sent)
    {
      g_set_error (error, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_NOT_FOUND,
                   "the %s is not waiting for an answer (answered already or unknown)",
                   net_sip_request_get_method (request));
      return FALSE;
    }
  if (dialog == NULL)
    dialog = sr->dialog;
  is_invite = strcmp (net_sip_request_get_method (request), "INVITE") == 0;

  /* §8.2.6.2: the dialog's tag, or one tag for all responses to a
   * request outside dialogs */
  if (dialog == NULL && sr->to_tag == NULL)
    sr->to_tag = random_token ();
  response = net_sip_request_create_response (request, code, reason,
                                              dialog ? net_sip_dialog_get_local_tag (dialog) : sr->to_tag);
  m = NET_SIP_MESSAGE (response);
  if (self->user_agent)
    net_sip_message_set_header (m, "Server", self->user_agent);
  add_header_lines (m, headers);
  if (is_invite && code > 100 && code < 300 && net_sip_message_get_header (m, "Contact") == NULL)
    {
      const char *contact = dialog && net_sip_dialog_get_local_contact (dialog)
                            ? net_sip_dialog_get_local_contact (dialog)
                            : our_contact (self, sr->leg);
      if (contact)
        {
          g_autofree char *value = g_strdup_printf ("<%s>", contact);
          net_sip_message_add_header (m, "Contact", value);
        }
    }
  if (body)
    {
      g_autofree char *type = net_sip_message_get_content_type (m);
      net_sip_message_set_body (m, body, type ? NULL : "application/sdp");
    }

  if (code >= 200)
    {
      sr->final_sent = TRUE;
      server_not_pending (sr);
    }
  if (dialog && code >= 200)
    {
      net_sip_dialog_handle_response (dialog, request, response);
      if (net_sip_dialog_get_state (dialog) == NET_SIP_DIALOG_TERMINATED)
        remove_dialog (self, dialog);
    }
  send_response (self, response);

  if (code < 200)
    return TRUE;
  if (is_invite && code < 300 && dialog)
    {
      /* §13.3.1.4: until the ACK */
      guint t1 = dispatcher_ms (self, "t1", 500);
      gboolean dispatcher_does = FALSE;

      /* over every transport: the ACK is end to end and a hop on the way
       * may be UDP (§13.3.1.4); unless the dispatcher does it for us */
      if (self->dispatcher)
        g_object_get (self->dispatcher, "retransmit-2xx", &dispatcher_does, NULL);
      sr->ok = g_object_ref (response);
      sr->ack_key = ack_key (NET_SIP_MESSAGE (request));
      g_hash_table_replace (self->waiting_acks, sr->ack_key, sr);
      sr->give_up_at = g_get_monotonic_time () + (gint64) 64 * t1 * 1000;
      sr->interval_ms = t1;
      timer_start (self, &sr->retransmit, dispatcher_does ? 64 * t1 : t1,
                   dispatcher_does ? on_2xx_give_up : on_2xx_retransmit, sr);
      if (sr->invite_key && g_hash_table_lookup (self->invites, sr->invite_key) == sr)
        g_hash_table_remove (self->invites, sr->invite_key);
      g_clear_pointer (&sr->invite_key, g_free);
      return TRUE;
    }
  server_forget (sr);
  return TRUE;
}

/**
 * net_sip_endpoint_register_async:
 * @self: a #NetSipEndpoint
 * @registrar: the registrar's URI (the Request-URI, RFC 3261 §10.2)
 * @aor: the address of record (From and To)
 * @contact: (nullable): the contact URI to bind, %NULL for
 *   [property@NetSip.Endpoint:contact] or the first leg's
 * @expires: the binding's lifetime asked for, in seconds (> 0)
 * @cancellable: (nullable): cancelling it before the first result stops
 *   the registration (no refresh; a binding already made runs out) and
 *   the result is %G_IO_ERROR_CANCELLED
 * @callback: (scope async): called with the first result
 * @user_data: data for @callback
 *
 * Registers @contact for @aor (§10.2) and keeps the binding: the REGISTER
 * is sent again, with the same Call-ID and the next CSeq, at half the
 * time the registrar granted, until
 * [method@NetSip.Endpoint.unregister_async]. 401/407 are answered with
 * credentials as for any request; a 423 is retried once with its
 * Min-Expires. Each result, the first included, is reported by
 * [signal@NetSip.Endpoint::registration-updated]; a failed refresh is
 * tried again after 30 s. Registering an AOR again replaces its
 * registration.
 *
 * Since: 1.0
 */
void
net_sip_endpoint_register_async (NetSipEndpoint      *self,
                                 const char          *registrar,
                                 const char          *aor,
                                 const char          *contact,
                                 guint                expires,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  Registration *reg;
  GTask *task;

  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));
  g_return_if_fail (registrar != NULL && aor != NULL);
  g_return_if_fail (expires > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_endpoint_register_async);
  if (contact == NULL)
    contact = our_contact (self, NULL);
  if (contact == NULL || self->dispatcher == NULL)
    {
      g_task_return_new_error (task, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_INVALID,
                               "no contact to register for %s", aor);
      g_object_unref (task);
      return;
    }
  g_hash_table_remove (self->registrations, aor);
  reg = g_new0 (Registration, 1);
  reg->self = self;
  timer_init (&reg->refresh);
  reg->registrar = g_strdup (registrar);
  reg->aor = g_strdup (aor);
  reg->contact = g_strdup (contact);
  reg->call_id = net_sip_random_token (NULL, 3, "@netsip");
  reg->from_tag = random_token ();
  reg->expires = expires;
  reg->serial = ++self->serial;
  reg->task = task;
  g_hash_table_insert (self->registrations, reg->aor, reg);
  if (cancellable)
    {
      reg->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (reg->cancel_source, G_SOURCE_FUNC (on_register_cancelled), reg, NULL);
      g_source_attach (reg->cancel_source, self->context);
    }
  registration_send (reg, expires);
}

/**
 * net_sip_endpoint_register_finish:
 * @self: a #NetSipEndpoint
 * @result: the result given to the callback
 * @granted_expires: (out) (optional): the lifetime the registrar granted,
 *   in seconds
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_ENDPOINT_ERROR_REJECTED for a final non-2xx (the code
 * is in the message), %NET_SIP_AUTH_ERROR_REJECTED for refused
 * credentials, the dispatcher's errors (timeout, transport),
 * %NET_SIP_ENDPOINT_ERROR_CLOSED when the registration was replaced or
 * the endpoint disposed, %NET_SIP_ENDPOINT_ERROR_INVALID without a
 * contact. After an error the registration is not kept.
 *
 * Returns: %TRUE if the registrar accepted the binding
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_register_finish (NetSipEndpoint  *self,
                                  GAsyncResult    *result,
                                  guint           *granted_expires,
                                  GError         **error)
{
  gssize v;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  v = g_task_propagate_int (G_TASK (result), error);
  if (v < 0)
    return FALSE;
  if (granted_expires)
    *granted_expires = (guint) v;
  return TRUE;
}

/**
 * net_sip_endpoint_get_registration_expires:
 * @self: a #NetSipEndpoint
 * @aor: the address of record given to
 *   [method@NetSip.Endpoint.register_async]
 *
 * The lifetime, in seconds, the registrar granted our binding for @aor in
 * its last 2xx (RFC 3261 §10.2.4: the `expires` parameter of our Contact
 * in the response, else its Expires header, else what we asked for). It
 * is what [method@NetSip.Endpoint.register_finish] gave, and is up to date
 * when [signal@NetSip.Endpoint::registration-updated] is emitted.
 *
 * Returns: the granted lifetime in seconds; 0 when @aor is not registered
 *   (never, unregistered, or the last attempt failed before any 2xx)
 *
 * Since: 1.0
 */
guint
net_sip_endpoint_get_registration_expires (NetSipEndpoint *self,
                                           const char     *aor)
{
  Registration *reg;

  g_return_val_if_fail (NET_SIP_IS_ENDPOINT (self), 0);
  g_return_val_if_fail (aor != NULL, 0);

  reg = g_hash_table_lookup (self->registrations, aor);
  return reg ? reg->granted : 0;
}

/**
 * net_sip_endpoint_unregister_async:
 * @self: a #NetSipEndpoint
 * @aor: an address of record given to
 *   [method@NetSip.Endpoint.register_async]
 * @cancellable: (nullable): not used yet; pass %NULL
 * @callback: (scope async): called with the registrar's answer
 * @user_data: data for @callback
 *
 * Stops refreshing the registration of @aor and removes its binding
 * (REGISTER with Expires: 0, RFC 3261 §10.2.2).
 *
 * Since: 1.0
 */
void
net_sip_endpoint_unregister_async (NetSipEndpoint      *self,
                                   const char          *aor,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  Registration *reg;
  GTask *task;

  g_return_if_fail (NET_SIP_IS_ENDPOINT (self));
  g_return_if_fail (aor != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_endpoint_unregister_async);
  reg = g_hash_table_lookup (self->registrations, aor);
  if (reg == NULL || reg->unregister)
    {
      g_task_return_new_error (task, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_NOT_FOUND,
                               "no registration for %s", aor);
      g_object_unref (task);
      return;
    }
  timer_stop (reg->self, &reg->refresh);
  reg->unregister = task;
  registration_send (reg, 0);
}

/**
 * net_sip_endpoint_unregister_finish:
 * @self: a #NetSipEndpoint
 * @result: the result given to the callback
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_ENDPOINT_ERROR_NOT_FOUND (no such registration),
 * %NET_SIP_ENDPOINT_ERROR_REJECTED, the dispatcher's errors.
 *
 * Returns: %TRUE if the registrar removed the binding
 *
 * Since: 1.0
 */
gboolean
net_sip_endpoint_unregister_finish (NetSipEndpoint  *self,
                                    GAsyncResult    *result,
                                    GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
