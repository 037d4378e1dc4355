/* netsip-agent.c: the user agent an application embeds (Net::SIP::Simple)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-agent.h"
#include "netsip-call-private.h"
#include "netsip-enum-types.h"
#include "netsip-name-addr.h"
#include "netsip-uri.h"

/**
 * NetSipAgent:
 *
 * The user agent an application embeds, what Net::SIP calls
 * `Net::SIP::Simple`: legs, a [class@NetSip.Dispatcher] and a
 * [class@NetSip.Endpoint] behind a few calls: register
 * ([method@NetSip.Agent.register_async]), call
 * ([method@NetSip.Agent.invite] returns a [class@NetSip.Call]), answer
 * calls ([method@NetSip.Agent.listen] and
 * [signal@NetSip.Agent::incoming-call]) and shut down cleanly
 * ([method@NetSip.Agent.shutdown_async]).
 *
 * ```c
 * NetSipAgent *agent = net_sip_agent_new ("sip:alice@example.test",
 *                                         (const char *[]) { "udp:0.0.0.0:5060", NULL },
 *                                         &error);
 * NetSipCall *call = net_sip_agent_invite (agent, "sip:bob@example.test", &error);
 * g_signal_connect (call, "state-changed", G_CALLBACK (on_state), NULL);
 * ```
 *
 * The properties are those of Net::SIP::Simple's constructor:
 * [property@NetSip.Agent:outgoing-proxy], [property@NetSip.Agent:registrar],
 * [property@NetSip.Agent:domain], [property@NetSip.Agent:route],
 * [property@NetSip.Agent:domain2proxy], credentials and the answer to
 * OPTIONS. The agent also makes the server objects of Net::SIP::Simple
 * (`create_registrar`, `create_stateless_proxy`, `create_chain`) on its
 * dispatcher.
 *
 * Everything runs on the thread-default main context of the
 * construction; no method blocks or iterates the main loop.
 *
 * Since: 1.0
 */

/* how long shutdown_async waits for BYE/CANCEL transactions and the
 * unregistration before it closes the legs anyway, in ms */
#define SHUTDOWN_WAIT_MS 2000

struct _NetSipAgent
{
  GObject           parent_instance;

  GMainContext     *context;
  NetSipDispatcher *dispatcher;
  gboolean          own_dispatcher;   /* made by net_sip_agent_new() */
  NetSipEndpoint   *endpoint;
  gulong            h_request;
  gulong            h_registration;
  GPtrArray        *legs;             /* legs the agent added */

  char             *from;
  char             *aor;              /* the URI of from */
  char             *contact;
  char             *domain;
  char             *outgoing_proxy;
  char             *registrar;
  char            **route;
  char            **domain2proxy;
  char            **options_headers;
  char             *username;
  char             *password;
  char             *user_agent;
  char             *media_address;
  guint             rtp_port_min;
  guint             rtp_port_max;
  guint             media_timeout;
  gboolean          asymmetric_rtp;
  gboolean          auto_answer;

  GPtrArray        *calls;            /* NetSipCall, until CLOSED */
  gboolean          listening;
  gboolean          registered;
  gboolean          registering;      /* a registration is kept */
  gboolean          unregistering;

  gboolean          shutting_down;
  GTask            *shutdown;
  guint             shutdown_pending;
  GSource          *shutdown_timeout;
  GSource          *shutdown_linger;
};

enum
{
  PROP_0,
  PROP_FROM,
  PROP_CONTACT,
  PROP_DOMAIN,
  PROP_OUTGOING_PROXY,
  PROP_REGISTRAR,
  PROP_ROUTE,
  PROP_DOMAIN2PROXY,
  PROP_OPTIONS_HEADERS,
  PROP_USERNAME,
  PROP_PASSWORD,
  PROP_USER_AGENT,
  PROP_MEDIA_ADDRESS,
  PROP_RTP_PORT_MIN,
  PROP_RTP_PORT_MAX,
  PROP_MEDIA_TIMEOUT,
  PROP_ASYMMETRIC_RTP,
  PROP_AUTO_ANSWER,
  PROP_DISPATCHER,
  PROP_ENDPOINT,
  PROP_REGISTERED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_INCOMING_CALL,
  SIG_CALL_ESTABLISHED,
  SIG_CALL_CLOSED,
  SIG_REGISTRATION_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * net_sip_agent_error_quark:
 *
 * The error domain of [class@NetSip.Agent].
 *
 * Returns: the %NET_SIP_AGENT_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-agent-error-quark, net_sip_agent_error)

G_DEFINE_FINAL_TYPE (NetSipAgent, net_sip_agent, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

/* The addr-spec of a SIP URI or name-addr, NULL if it is neither */
static char *
uri_of (const char *text)
{
  g_autoptr(NetSipNameAddr) addr = NULL;
  NetSipUri *uri;
  char *result;

  if (text == NULL)
    return NULL;
  addr = net_sip_name_addr_parse (text, -1, NULL);
  if (addr == NULL)
    return NULL;
  uri = net_sip_name_addr_get_uri (addr, NULL);
  if (uri == NULL)
    return NULL;
  if (!net_sip_uri_is_sip (uri) && !net_sip_uri_is_sips (uri))
    {
      net_sip_uri_free (uri);
      return NULL;
    }
  result = g_strdup (net_sip_name_addr_get_uri_string (addr));
  net_sip_uri_free (uri);
  return result;
}

static char *
host_of (const char *uri_text)
{
  g_autoptr(NetSipNameAddr) addr = net_sip_name_addr_parse (uri_text, -1, NULL);
  NetSipUri *uri = addr ? net_sip_name_addr_get_uri (addr, NULL) : NULL;
  char *host;

  if (uri == NULL)
    return NULL;
  host = g_strdup (net_sip_uri_get_host (uri));
  net_sip_uri_free (uri);
  return host;
}

static const char *
domain (NetSipAgent *self)
{
  return self->domain;
}

/* "domain=proxy" entries on the dispatcher: @old ones removed first */
static void
apply_domain2proxy (NetSipAgent  *self,
                    char        **old)
{
  if (self->dispatcher == NULL)
    return;
  for (guint pass = 0; pass < 2; pass++)
    {
      char **list = pass == 0 ? old : self->domain2proxy;

      for (guint i = 0; list && list[i]; i++)
        {
          const char *eq = strchr (list[i], '=');
          g_autofree char *d = NULL;

          if (eq == NULL || eq == list[i] || eq[1] == '\0')
            {
              if (pass == 1)
                g_warning ("NetSipAgent:domain2proxy: '%s' is not domain=proxy", list[i]);
              continue;
            }
          d = g_strndup (list[i], eq - list[i]);
          net_sip_dispatcher_set_domain_proxy (self->dispatcher, g_strstrip (d),
                                               pass == 0 ? NULL : eq + 1);
        }
    }
}

static void
apply_credentials (NetSipAgent *self)
{
  if (self->endpoint && self->username)
    net_sip_endpoint_set_credentials (self->endpoint, NULL, self->username,
                                      self->password ? self->password : "");
}

static NetSipCallMedia
media_of (NetSipAgent *self)
{
  NetSipCallMedia media = { 0 };

  media.address = self->media_address;
  if (media.address == NULL && self->dispatcher)
    {
      g_autoptr(GPtrArray) legs = net_sip_dispatcher_get_legs (self->dispatcher, NULL, 0, -1,
                                                               NULL, NULL, NULL);
      if (legs && legs->len > 0)
        media.address = net_sip_leg_get_address (g_ptr_array_index (legs, 0));
      /* the legs outlive this call: the address stays valid */
    }
  if (media.address == NULL || strcmp (media.address, "0.0.0.0") == 0 ||
      strcmp (media.address, "::") == 0)
    media.address = "127.0.0.1";
  media.port_min = self->rtp_port_min;
  media.port_max = self->rtp_port_max;
  media.media_timeout = self->media_timeout;
  media.asymmetric = self->asymmetric_rtp;
  return media;
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

static void shutdown_check (NetSipAgent *self);

static void
on_call_state_changed (NetSipCall      *call,
                       NetSipCallState  state,
                       NetSipResponse  *response,
                       NetSipAgent     *self)
{
  if (state == NET_SIP_CALL_STATE_ESTABLISHED)
    g_signal_emit (self, signals[SIG_CALL_ESTABLISHED], 0, call);
  else if (state == NET_SIP_CALL_STATE_CLOSED)
    {
      g_object_ref (call);
      g_signal_handlers_disconnect_by_func (call, on_call_state_changed, self);
      g_ptr_array_remove (self->calls, call);
      g_signal_emit (self, signals[SIG_CALL_CLOSED], 0, call);
      g_object_unref (call);
      shutdown_check (self);
    }
}

static void
keep_call (NetSipAgent *self,
           NetSipCall  *call)
{
  g_ptr_array_add (self->calls, g_object_ref (call));
  g_signal_connect (call, "state-changed", G_CALLBACK (on_call_state_changed), self);
}

/* An INVITE outside dialogs, while listening: a new call */
static void
incoming_invite (NetSipAgent   *self,
                 NetSipDialog  *dialog,
                 NetSipRequest *request)
{
  NetSipCallMedia media = media_of (self);
  g_autoptr(NetSipCall) call = NULL;
  g_autoptr(GError) error = NULL;

  call = net_sip_call_new_incoming (G_OBJECT (self), self->endpoint, dialog, request, &media,
                                    &error);
  if (call == NULL)
    {
      g_debug ("agent: incoming call refused: %s", error->message);
      return;
    }
  keep_call (self, call);
  g_signal_emit (self, signals[SIG_INCOMING_CALL], 0, call);
  /* Net::SIP::Simple's listen: answered unless the handler decided or
   * asked for time with ring() */
  if (net_sip_call_get_state (call) == NET_SIP_CALL_STATE_INCOMING &&
      !net_sip_call_was_rung (call))
    {
      if (self->auto_answer)
        {
          if (!net_sip_call_accept (call, &error))
            g_debug ("agent: cannot accept: %s", error->message);
        }
      else
        net_sip_call_reject (call, 480, NULL, NULL);
    }
}

/* §11.2 with the headers of options-headers */
static void
answer_options (NetSipAgent   *self,
                NetSipDialog  *dialog,
                NetSipRequest *request)
{
  g_auto(GStrv) allow = NULL, accept = NULL, supported = NULL;
  g_autoptr(GPtrArray) lines = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *allow_s = NULL, *accept_s = NULL, *supported_s = NULL;

  g_object_get (self->endpoint, "allow", &allow, "accept", &accept, "supported", &supported,
                NULL);
  allow_s = allow ? g_strjoinv (", ", allow) : g_strdup ("");
  accept_s = accept ? g_strjoinv (", ", accept) : g_strdup ("");
  supported_s = supported ? g_strjoinv (", ", supported) : g_strdup ("");
  g_ptr_array_add (lines, g_strconcat ("Allow: ", allow_s, NULL));
  g_ptr_array_add (lines, g_strconcat ("Accept: ", accept_s, NULL));
  if (*supported_s)
    g_ptr_array_add (lines, g_strconcat ("Supported: ", supported_s, NULL));
  for (guint i = 0; self->options_headers[i]; i++)
    g_ptr_array_add (lines, g_strdup (self->options_headers[i]));
  g_ptr_array_add (lines, NULL);
  net_sip_endpoint_respond (self->endpoint, dialog, request, 200, NULL,
                            (const char * const *) lines->pdata, NULL, NULL);
}

static gboolean
on_request_received (NetSipEndpoint   *endpoint,
                     NetSipDialog     *dialog,
                     NetSipRequest    *request,
                     NetSipLeg        *leg,
                     NetSipSourceInfo *source,
                     NetSipAgent      *self)
{
  const char *method = net_sip_request_get_method (request);

  if (strcmp (method, "INVITE") == 0 && dialog &&
      net_sip_message_get_to_tag (NET_SIP_MESSAGE (request)) == NULL)
    {
      /* without listen(), or shutting down: the endpoint's 480 */
      if (!self->listening || self->shutting_down)
        return FALSE;
      incoming_invite (self, dialog, request);
      return TRUE;
    }
  if (strcmp (method, "OPTIONS") == 0 && self->options_headers && self->options_headers[0])
    {
      answer_options (self, dialog, request);
      return TRUE;
    }
  return FALSE;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static void
set_registered (NetSipAgent *self,
                gboolean     registered)
{
  if (self->registered == registered)
    return;
  self->registered = registered;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REGISTERED]);
}

static void
on_registration_updated (NetSipEndpoint *endpoint,
                         const char     *aor,
                         NetSipResponse *response,
                         const GError   *error,
                         NetSipAgent    *self)
{
  guint code = response ? net_sip_response_get_code (response) : 0;
  guint expires = 0;
  gboolean registered;

  if (g_strcmp0 (aor, self->aor) != 0)
    return;
  if (self->unregistering)
    registered = FALSE;
  else
    {
      registered = error == NULL && code >= 200 && code < 300;
      if (registered)
        expires = net_sip_endpoint_get_registration_expires (endpoint, aor);
    }
  set_registered (self, registered);
  g_signal_emit (self, signals[SIG_REGISTRATION_CHANGED], 0, registered, expires, code);
}

/* ------------------------------------------------------------------ */
/* Shutdown                                                            */

/* Every call closed now, without waiting for the network */
static void
close_all_calls (NetSipAgent *self)
{
  g_autoptr(GPtrArray) calls = NULL;

  if (self->calls == NULL || self->calls->len == 0)
    return;
  calls = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < self->calls->len; i++)
    g_ptr_array_add (calls, g_object_ref (g_ptr_array_index (self->calls, i)));
  for (guint i = 0; i < calls->len; i++)
    net_sip_call_close_now (g_ptr_array_index (calls, i));
  /* closing took them out (on_call_state_changed); anything left goes */
  for (guint i = 0; i < self->calls->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (self->calls, i),
                                          on_call_state_changed, self);
  g_ptr_array_set_size (self->calls, 0);
}


static void
shutdown_close_legs (NetSipAgent *self)
{
  if (self->own_dispatcher && self->dispatcher)
    {
      /* the dispatcher owns the legs it was made with and the endpoint
       * (its receiver): dispose closes the sockets */
      g_object_run_dispose (G_OBJECT (self->dispatcher));
      return;
    }
  for (guint i = 0; self->legs && i < self->legs->len; i++)
    net_sip_dispatcher_remove_leg (self->dispatcher, g_ptr_array_index (self->legs, i));
  if (self->legs)
    g_ptr_array_set_size (self->legs, 0);
}

static void
shutdown_complete (NetSipAgent *self)
{
  g_autoptr(GTask) task = g_steal_pointer (&self->shutdown);

  if (self->shutdown_timeout)
    {
      g_source_destroy (self->shutdown_timeout);
      g_clear_pointer (&self->shutdown_timeout, g_source_unref);
    }
  if (self->shutdown_linger)
    {
      g_source_destroy (self->shutdown_linger);
      g_clear_pointer (&self->shutdown_linger, g_source_unref);
    }
  /* what did not end in time ends now */
  close_all_calls (self);
  shutdown_close_legs (self);
  if (task)
    g_task_return_boolean (task, TRUE);
}

static gboolean
on_shutdown_linger (gpointer data)
{
  NetSipAgent *self = data;

  g_clear_pointer (&self->shutdown_linger, g_source_unref);
  shutdown_complete (self);
  return G_SOURCE_REMOVE;
}

/* When the calls are closed and the unregistration answered, the last
 * responses (a 480 or 487 to an INVITE, the 200 to a BYE) are still on
 * their way out and an ACK may still come for them (§17.2.1): the legs
 * stay open for 4*T1 more (at most 500 ms, within the overall bound). */
static void
shutdown_check (NetSipAgent *self)
{
  guint t1 = 500;

  if (self->shutdown == NULL || self->calls->len > 0 || self->shutdown_pending > 0 ||
      self->shutdown_linger)
    return;
  if (self->dispatcher)
    g_object_get (self->dispatcher, "t1", &t1, NULL);
  self->shutdown_linger = g_timeout_source_new (MIN (4 * t1, 500));
  g_source_set_callback (self->shutdown_linger, on_shutdown_linger, self, NULL);
  g_source_attach (self->shutdown_linger, self->context);
}

static gboolean
on_shutdown_timeout (gpointer data)
{
  NetSipAgent *self = data;

  g_debug ("agent: shutdown: %u call(s), %u request(s) left after %d ms", self->calls->len,
           self->shutdown_pending, SHUTDOWN_WAIT_MS);
  g_clear_pointer (&self->shutdown_timeout, g_source_unref);
  shutdown_complete (self);
  return G_SOURCE_REMOVE;
}

static void
on_shutdown_unregistered (GObject      *source,
                          GAsyncResult *result,
                          gpointer      user_data)
{
  g_autoptr(NetSipAgent) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!net_sip_agent_unregister_finish (self, result, &error))
    g_debug ("agent: shutdown: unregister: %s", error->message);
  self->shutdown_pending--;
  shutdown_check (self);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_agent_dispose (GObject *object)
{
  NetSipAgent *self = NET_SIP_AGENT (object);

  if (self->shutdown_timeout)
    {
      g_source_destroy (self->shutdown_timeout);
      g_clear_pointer (&self->shutdown_timeout, g_source_unref);
    }
  if (self->shutdown_linger)
    {
      g_source_destroy (self->shutdown_linger);
      g_clear_pointer (&self->shutdown_linger, g_source_unref);
    }
  close_all_calls (self);
  if (self->endpoint)
    {
      g_clear_signal_handler (&self->h_request, self->endpoint);
      g_clear_signal_handler (&self->h_registration, self->endpoint);
    }
  g_clear_object (&self->endpoint);
  if (self->dispatcher && self->own_dispatcher)
    g_object_run_dispose (G_OBJECT (self->dispatcher));
  g_clear_object (&self->dispatcher);
  g_clear_pointer (&self->legs, g_ptr_array_unref);
  G_OBJECT_CLASS (net_sip_agent_parent_class)->dispose (object);
}

static void
net_sip_agent_finalize (GObject *object)
{
  NetSipAgent *self = NET_SIP_AGENT (object);

  g_clear_pointer (&self->calls, g_ptr_array_unref);
  g_free (self->from);
  g_free (self->aor);
  g_free (self->contact);
  g_free (self->domain);
  g_free (self->outgoing_proxy);
  g_free (self->registrar);
  g_strfreev (self->route);
  g_strfreev (self->domain2proxy);
  g_strfreev (self->options_headers);
  g_free (self->username);
  g_free (self->password);
  g_free (self->user_agent);
  g_free (self->media_address);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (net_sip_agent_parent_class)->finalize (object);
}

static void
net_sip_agent_get_property (GObject    *object,
                            guint       prop_id,
                            GValue     *value,
                            GParamSpec *pspec)
{
  NetSipAgent *self = NET_SIP_AGENT (object);

  switch (prop_id)
    {
    case PROP_FROM: g_value_set_string (value, self->from); break;
    case PROP_CONTACT: g_value_set_string (value, self->contact); break;
    case PROP_DOMAIN: g_value_set_string (value, self->domain); break;
    case PROP_OUTGOING_PROXY: g_value_set_string (value, self->outgoing_proxy); break;
    case PROP_REGISTRAR: g_value_set_string (value, self->registrar); break;
    case PROP_ROUTE: g_value_set_boxed (value, self->route); break;
    case PROP_DOMAIN2PROXY: g_value_set_boxed (value, self->domain2proxy); break;
    case PROP_OPTIONS_HEADERS: g_value_set_boxed (value, self->options_headers); break;
    case PROP_USERNAME: g_value_set_string (value, self->username); break;
    case PROP_PASSWORD: g_value_set_string (value, self->password); break;
    case PROP_USER_AGENT: g_value_set_string (value, self->user_agent); break;
    case PROP_MEDIA_ADDRESS: g_value_set_string (value, self->media_address); break;
    case PROP_RTP_PORT_MIN: g_value_set_uint (value, self->rtp_port_min); break;
    case PROP_RTP_PORT_MAX: g_value_set_uint (value, self->rtp_port_max); break;
    case PROP_MEDIA_TIMEOUT: g_value_set_uint (value, self->media_timeout); break;
    case PROP_ASYMMETRIC_RTP: g_value_set_boolean (value, self->asymmetric_rtp); break;
    case PROP_AUTO_ANSWER: g_value_set_boolean (value, self->auto_answer); break;
    case PROP_DISPATCHER: g_value_set_object (value, self->dispatcher); break;
    case PROP_ENDPOINT: g_value_set_object (value, self->endpoint); break;
    case PROP_REGISTERED: g_value_set_boolean (value, self->registered); break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
set_string (NetSipAgent  *self,
            char        **field,
            const GValue *value,
            guint         prop)
{
  const char *s = g_value_get_string (value);

  if (g_strcmp0 (*field, s) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (s);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
  return TRUE;
}

static gboolean
set_strv (NetSipAgent  *self,
          char       ***field,
          const GValue *value,
          guint         prop)
{
  char **v = g_value_get_boxed (value);

  if (*field == v || (*field && v && g_strv_equal ((const char * const *) *field,
                                                   (const char * const *) v)))
    return FALSE;
  g_strfreev (*field);
  *field = g_strdupv (v);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
  return TRUE;
}

static void
set_uint (NetSipAgent  *self,
          guint        *field,
          const GValue *value,
          guint         prop)
{
  if (*field == g_value_get_uint (value))
    return;
  *field = g_value_get_uint (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
set_bool (NetSipAgent  *self,
          gboolean     *field,
          const GValue *value,
          guint         prop)
{
  if (*field == g_value_get_boolean (value))
    return;
  *field = g_value_get_boolean (value);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
net_sip_agent_set_property (GObject      *object,
                            guint         prop_id,
                            const GValue *value,
                            GParamSpec   *pspec)
{
  NetSipAgent *self = NET_SIP_AGENT (object);

  switch (prop_id)
    {
    case PROP_FROM:
      {
        g_autofree char *aor = uri_of (g_value_get_string (value));

        if (aor == NULL)
          {
            g_critical ("NetSipAgent:from: '%s' is not a SIP URI or name-addr",
                        g_value_get_string (value));
            return;
          }
        if (set_string (self, &self->from, value, PROP_FROM))
          {
            g_free (self->aor);
            self->aor = g_steal_pointer (&aor);
            if (self->domain == NULL)
              {
                self->domain = host_of (self->aor);
                g_object_notify_by_pspec (object, props[PROP_DOMAIN]);
              }
          }
      }
      break;
    case PROP_CONTACT:
      if (set_string (self, &self->contact, value, PROP_CONTACT) && self->endpoint)
        net_sip_endpoint_set_contact (self->endpoint, self->contact);
      break;
    case PROP_DOMAIN:
      if (g_value_get_string (value) == NULL)
        {
          /* back to the default: the host of from */
          g_autofree char *host = self->aor ? host_of (self->aor) : NULL;
          GValue v = G_VALUE_INIT;
          g_value_init (&v, G_TYPE_STRING);
          g_value_take_string (&v, g_steal_pointer (&host));
          set_string (self, &self->domain, &v, PROP_DOMAIN);
          g_value_unset (&v);
        }
      else
        set_string (self, &self->domain, value, PROP_DOMAIN);
      break;
    case PROP_OUTGOING_PROXY:
      if (set_string (self, &self->outgoing_proxy, value, PROP_OUTGOING_PROXY) &&
          self->dispatcher)
        g_object_set (self->dispatcher, "outgoing-proxy", self->outgoing_proxy, NULL);
      break;
    case PROP_REGISTRAR:
      set_string (self, &self->registrar, value, PROP_REGISTRAR);
      break;
    case PROP_ROUTE:
      set_strv (self, &self->route, value, PROP_ROUTE);
      break;
    case PROP_DOMAIN2PROXY:
      {
        g_auto(GStrv) old = g_strdupv (self->domain2proxy);

        if (set_strv (self, &self->domain2proxy, value, PROP_DOMAIN2PROXY))
          apply_domain2proxy (self, old);
      }
      break;
    case PROP_OPTIONS_HEADERS:
      set_strv (self, &self->options_headers, value, PROP_OPTIONS_HEADERS);
      break;
    case PROP_USERNAME:
      if (set_string (self, &self->username, value, PROP_USERNAME))
        apply_credentials (self);
      break;
    case PROP_PASSWORD:
      if (set_string (self, &self->password, value, PROP_PASSWORD))
        apply_credentials (self);
      break;
    case PROP_USER_AGENT:
      if (set_string (self, &self->user_agent, value, PROP_USER_AGENT) && self->endpoint)
        g_object_set (self->endpoint, "user-agent", self->user_agent, NULL);
      break;
    case PROP_MEDIA_ADDRESS:
      set_string (self, &self->media_address, value, PROP_MEDIA_ADDRESS);
      break;
    case PROP_RTP_PORT_MIN:
      set_uint (self, &self->rtp_port_min, value, PROP_RTP_PORT_MIN);
      break;
    case PROP_RTP_PORT_MAX:
      set_uint (self, &self->rtp_port_max, value, PROP_RTP_PORT_MAX);
      break;
    case PROP_MEDIA_TIMEOUT:
      set_uint (self, &self->media_timeout, value, PROP_MEDIA_TIMEOUT);
      break;
    case PROP_ASYMMETRIC_RTP:
      set_bool (self, &self->asymmetric_rtp, value, PROP_ASYMMETRIC_RTP);
      break;
    case PROP_AUTO_ANSWER:
      set_bool (self, &self->auto_answer, value, PROP_AUTO_ANSWER);
      break;
    case PROP_DISPATCHER:
      self->dispatcher = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_agent_constructed (GObject *object)
{
  NetSipAgent *self = NET_SIP_AGENT (object);
  NetSipReceiver *receiver;

  G_OBJECT_CLASS (net_sip_agent_parent_class)->constructed (object);

  if (self->dispatcher == NULL)
    self->dispatcher = net_sip_dispatcher_new (NULL, 0);
  /* one endpoint per dispatcher: the one installed, else ours */
  receiver = net_sip_dispatcher_get_receiver (self->dispatcher);
  if (receiver && NET_SIP_IS_ENDPOINT (receiver))
    self->endpoint = g_object_ref (NET_SIP_ENDPOINT (receiver));
  else
    self->endpoint = net_sip_endpoint_new (self->dispatcher);
  self->h_request = g_signal_connect (self->endpoint, "request-received",
                                      G_CALLBACK (on_request_received), self);
  self->h_registration = g_signal_connect (self->endpoint, "registration-updated",
                                           G_CALLBACK (on_registration_updated), self);
}

static void
net_sip_agent_class_init (NetSipAgentClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = net_sip_agent_dispose;
  object_class->finalize = net_sip_agent_finalize;
  object_class->get_property = net_sip_agent_get_property;
  object_class->set_property = net_sip_agent_set_property;
  object_class->constructed = net_sip_agent_constructed;

  /**
   * NetSipAgent:from:
   *
   * Who we are: a SIP URI or name-addr (`"Alice" <sip:alice@example.test>`),
   * the From of our requests and the address of record we register
   * (Net::SIP::Simple `from`).
   *
   * Since: 1.0
   */
  props[PROP_FROM] = g_param_spec_string ("from", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:contact:
   *
   * The Contact URI of our requests and registrations; %NULL for the
   * contact of the leg a request goes out on
   * ([property@NetSip.Endpoint:contact]).
   *
   * Since: 1.0
   */
  props[PROP_CONTACT] = g_param_spec_string ("contact", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:domain:
   *
   * Our domain: completes a bare user name given to
   * [method@NetSip.Agent.invite] and is the default registrar
   * (`sip:<domain>`). Defaults to the host of
   * [property@NetSip.Agent:from]; setting %NULL restores that.
   *
   * Since: 1.0
   */
  props[PROP_DOMAIN] = g_param_spec_string ("domain", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:outgoing-proxy:
   *
   * Where every request goes first (a SIP URI or `udp:host:port`), the
   * dispatcher's [property@NetSip.Dispatcher:outgoing-proxy]; %NULL to
   * resolve each Request-URI (RFC 3263).
   *
   * Since: 1.0
   */
  props[PROP_OUTGOING_PROXY] = g_param_spec_string ("outgoing-proxy", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:registrar:
   *
   * The registrar's URI for [method@NetSip.Agent.register_async];
   * %NULL for `sip:` and the [property@NetSip.Agent:domain].
   *
   * Since: 1.0
   */
  props[PROP_REGISTRAR] = g_param_spec_string ("registrar", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:route:
   *
   * A preloaded route set (RFC 3261 §8.1.2): URIs put as Route headers,
   * in order, into the INVITEs of [method@NetSip.Agent.invite] (the
   * dialog's route set then comes from Record-Route, §12.1.2); %NULL for
   * none. REGISTER goes to the registrar without it.
   *
   * Since: 1.0
   */
  props[PROP_ROUTE] = g_param_spec_boxed ("route", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipAgent:domain2proxy:
   *
   * Proxies per target domain, each `domain=proxy` (Net::SIP
   * `domain2proxy`), set on the dispatcher with
   * [method@NetSip.Dispatcher.set_domain_proxy]; `*` matches any domain.
   *
   * Since: 1.0
   */
  props[PROP_DOMAIN2PROXY] = g_param_spec_boxed ("domain2proxy", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipAgent:options-headers:
   *
   * Header lines (`Name: value`) added to our 200 answer to OPTIONS
   * (RFC 3261 §11.2), with Allow, Accept and Supported; %NULL for the
   * endpoint's plain answer.
   *
   * Since: 1.0
   */
  props[PROP_OPTIONS_HEADERS] = g_param_spec_boxed ("options-headers", NULL, NULL, G_TYPE_STRV,
                                                    rw);
  /**
   * NetSipAgent:username:
   *
   * The user name for digest challenges of any realm (RFC 3261 §22.2);
   * with [property@NetSip.Agent:password]. Per realm:
   * [method@NetSip.Agent.set_credentials].
   *
   * Since: 1.0
   */
  props[PROP_USERNAME] = g_param_spec_string ("username", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:password:
   *
   * The password that goes with [property@NetSip.Agent:username].
   *
   * Since: 1.0
   */
  props[PROP_PASSWORD] = g_param_spec_string ("password", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:user-agent:
   *
   * The User-Agent (requests) and Server (responses) header value;
   * %NULL for none.
   *
   * Since: 1.0
   */
  props[PROP_USER_AGENT] = g_param_spec_string ("user-agent", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:media-address:
   *
   * The IP literal the RTP sessions of new calls bind and put in their
   * SDP; %NULL for the address of the first leg (127.0.0.1 when that is
   * a wildcard address).
   *
   * Since: 1.0
   */
  props[PROP_MEDIA_ADDRESS] = g_param_spec_string ("media-address", NULL, NULL, NULL, rw);
  /**
   * NetSipAgent:rtp-port-min:
   *
   * The lowest RTP port of new calls' sessions; 0 with
   * [property@NetSip.Agent:rtp-port-max] 0 for any free port pair.
   *
   * Since: 1.0
   */
  props[PROP_RTP_PORT_MIN] = g_param_spec_uint ("rtp-port-min", NULL, NULL, 0, 65535, 0, rw);
  /**
   * NetSipAgent:rtp-port-max:
   *
   * The highest RTP port of new calls' sessions; see
   * [property@NetSip.Agent:rtp-port-min].
   *
   * Since: 1.0
   */
  props[PROP_RTP_PORT_MAX] = g_param_spec_uint ("rtp-port-max", NULL, NULL, 0, 65535, 0, rw);
  /**
   * NetSipAgent:media-timeout:
   *
   * Seconds without RTP after which a call ends with BYE
   * ([signal@NetSip.Call::media-timeout]); 0 = never. Net::SIP's
   * `rtp_timeout`.
   *
   * Since: 1.0
   */
  props[PROP_MEDIA_TIMEOUT] = g_param_spec_uint ("media-timeout", NULL, NULL, 0, 86400, 10, rw);
  /**
   * NetSipAgent:asymmetric-rtp:
   *
   * Send RTP from a socket other than the receiving one (Net::SIP
   * `asymetric_rtp`), for peers that must not learn our send port.
   *
   * Since: 1.0
   */
  props[PROP_ASYMMETRIC_RTP] = g_param_spec_boolean ("asymmetric-rtp", NULL, NULL, FALSE, rw);
  /**
   * NetSipAgent:auto-answer:
   *
   * What [method@NetSip.Agent.listen] does with an incoming call the
   * [signal@NetSip.Agent::incoming-call] handlers left undecided (no
   * accept, reject or ring): accept it when %TRUE, reject it with 480
   * when %FALSE.
   *
   * Since: 1.0
   */
  props[PROP_AUTO_ANSWER] = g_param_spec_boolean ("auto-answer", NULL, NULL, TRUE, rw);
  /**
   * NetSipAgent:dispatcher:
   *
   * The dispatcher the agent works on; made by
   * [ctor@NetSip.Agent.new], shared with
   * [ctor@NetSip.Agent.new_with_dispatcher].
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipAgent:endpoint:
   *
   * The endpoint of the agent: the dispatcher's receiver.
   *
   * Since: 1.0
   */
  props[PROP_ENDPOINT] = g_param_spec_object ("endpoint", NULL, NULL, NET_SIP_TYPE_ENDPOINT, ro);
  /**
   * NetSipAgent:registered:
   *
   * %TRUE while the registrar's last answer to our REGISTER was a 2xx
   * and we did not unregister.
   *
   * Since: 1.0
   */
  props[PROP_REGISTERED] = g_param_spec_boolean ("registered", NULL, NULL, FALSE, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipAgent::incoming-call:
   * @self: the agent
   * @call: the new call, in %NET_SIP_CALL_STATE_INCOMING
   *
   * An INVITE came in after [method@NetSip.Agent.listen]. Call
   * [method@NetSip.Call.accept], [method@NetSip.Call.reject] or
   * [method@NetSip.Call.ring] (to decide later); set up the media on
   * [method@NetSip.Call.get_rtp_session] before accepting. Left
   * undecided, the call is accepted or rejected by
   * [property@NetSip.Agent:auto-answer]. The agent keeps the call until
   * it is closed.
   *
   * Since: 1.0
   */
  signals[SIG_INCOMING_CALL] =
    g_signal_new ("incoming-call", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NET_SIP_TYPE_CALL);
  /**
   * NetSipAgent::call-established:
   * @self: the agent
   * @call: the call
   *
   * A call of the agent, either way, reached
   * %NET_SIP_CALL_STATE_ESTABLISHED.
   *
   * Since: 1.0
   */
  signals[SIG_CALL_ESTABLISHED] =
    g_signal_new ("call-established", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NET_SIP_TYPE_CALL);
  /**
   * NetSipAgent::call-closed:
   * @self: the agent
   * @call: the call
   *
   * A call of the agent, either way, reached %NET_SIP_CALL_STATE_CLOSED;
   * the agent lets go of it.
   *
   * Since: 1.0
   */
  signals[SIG_CALL_CLOSED] =
    g_signal_new ("call-closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, NET_SIP_TYPE_CALL);
  /**
   * NetSipAgent::registration-changed:
   * @self: the agent
   * @registered: whether we are registered now
   * @expires: the lifetime the registrar granted, in seconds (0 when not
   *   registered)
   * @code: the registrar's final status code, 0 when none came (timeout,
   *   transport error)
   *
   * A REGISTER of the agent has a result: the first, each refresh
   * (at half the granted time, RFC 3261 §10.2.4), the unregistration.
   *
   * Since: 1.0
   */
  signals[SIG_REGISTRATION_CHANGED] =
    g_signal_new ("registration-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_BOOLEAN, G_TYPE_UINT, G_TYPE_UINT);
}

static void
net_sip_agent_init (NetSipAgent *self)
{
  self->context = g_main_context_ref_thread_default ();
  self->calls = g_ptr_array_new_with_free_func (g_object_unref);
  self->legs = g_ptr_array_new_with_free_func (g_object_unref);
  self->media_timeout = 10;
  self->auto_answer = TRUE;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_agent_new:
 * @from: who we are: a SIP URI or name-addr
 * @legs: (array zero-terminated=1) (nullable): the legs to listen on,
 *   each a string like `udp:127.0.0.1:0`, `tcp:[::1]:5070` or
 *   `tls:0.0.0.0:5061` (see [ctor@NetSip.Leg.new])
 * @error: return location for a #GError
 *
 * Makes an agent with its own legs, dispatcher and endpoint
 * (Net::SIP::Simple->new). The legs are bound now; their sockets are on
 * the thread-default main context.
 *
 * Errors: %NET_SIP_AGENT_ERROR_INVALID when @from is not a SIP URI or
 * name-addr; the errors of [ctor@NetSip.Leg.new] (e.g.
 * %NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS for a leg string that does
 * not parse, %G_IO_ERROR_ADDRESS_IN_USE).
 *
 * Returns: (transfer full) (nullable): the agent, or %NULL
 *
 * Since: 1.0
 */
NetSipAgent *
net_sip_agent_new (const char         *from,
                   const char * const *legs,
                   GError            **error)
{
  g_autoptr(GPtrArray) made = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(NetSipDispatcher) dispatcher = NULL;
  g_autofree char *aor = NULL;
  NetSipAgent *self;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  aor = uri_of (from);
  if (aor == NULL)
    {
      g_set_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_INVALID,
                   "from: '%s' is not a SIP URI or name-addr", from ? from : "(null)");
      return NULL;
    }
  for (guint i = 0; legs && legs[i]; i++)
    {
      NetSipLeg *leg = net_sip_leg_new (legs[i], error);

      if (leg == NULL)
        {
          g_prefix_error (error, "leg '%s': ", legs[i]);
          return NULL;
        }
      g_ptr_array_add (made, leg);
    }
  dispatcher = net_sip_dispatcher_new ((NetSipLeg **) made->pdata, made->len);
  self = g_object_new (NET_SIP_TYPE_AGENT, "dispatcher", dispatcher, "from", from, NULL);
  self->own_dispatcher = TRUE;
  return self;
}

/**
 * net_sip_agent_new_with_dispatcher:
 * @from: who we are: a SIP URI or name-addr
 * @dispatcher: the dispatcher to share
 *
 * Makes an agent on an existing dispatcher (Net::SIP::Simple with
 * `leg => $dispatcher`): the dispatcher's receiver is used if it is a
 * [class@NetSip.Endpoint], otherwise a new endpoint is installed as its
 * receiver. The agent does not close the dispatcher's legs on shutdown,
 * only those added with [method@NetSip.Agent.add_leg].
 *
 * Returns: (transfer full): the agent
 *
 * Since: 1.0
 */
NetSipAgent *
net_sip_agent_new_with_dispatcher (const char       *from,
                                   NetSipDispatcher *dispatcher)
{
  g_autofree char *aor = uri_of (from);

  g_return_val_if_fail (aor != NULL, NULL);
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);

  return g_object_new (NET_SIP_TYPE_AGENT, "dispatcher", dispatcher, "from", from, NULL);
}

/**
 * net_sip_agent_get_dispatcher:
 * @self: a #NetSipAgent
 *
 * Gets [property@NetSip.Agent:dispatcher].
 *
 * Returns: (transfer none): the dispatcher
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_agent_get_dispatcher (NetSipAgent *self)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  return self->dispatcher;
}

/**
 * net_sip_agent_get_endpoint:
 * @self: a #NetSipAgent
 *
 * Gets [property@NetSip.Agent:endpoint].
 *
 * Returns: (transfer none): the endpoint
 *
 * Since: 1.0
 */
NetSipEndpoint *
net_sip_agent_get_endpoint (NetSipAgent *self)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  return self->endpoint;
}

/**
 * net_sip_agent_add_leg:
 * @self: a #NetSipAgent
 * @leg: (transfer none): a leg
 *
 * Adds @leg to the agent's dispatcher
 * ([method@NetSip.Dispatcher.add_leg]); it is removed again by
 * [method@NetSip.Agent.shutdown_async].
 *
 * Since: 1.0
 */
void
net_sip_agent_add_leg (NetSipAgent *self,
                       NetSipLeg   *leg)
{
  g_return_if_fail (NET_SIP_IS_AGENT (self));
  g_return_if_fail (NET_SIP_IS_LEG (leg));

  net_sip_dispatcher_add_leg (self->dispatcher, leg);
  g_ptr_array_add (self->legs, g_object_ref (leg));
}

/**
 * net_sip_agent_set_credentials:
 * @self: a #NetSipAgent
 * @realm: (nullable): the realm, %NULL for any realm without its own
 * @username: (nullable): the user name, %NULL to remove the entry
 * @password: (nullable): the password
 *
 * Credentials for digest challenges (RFC 3261 §22.2) of our requests:
 * [method@NetSip.Endpoint.set_credentials].
 *
 * Since: 1.0
 */
void
net_sip_agent_set_credentials (NetSipAgent *self,
                               const char  *realm,
                               const char  *username,
                               const char  *password)
{
  g_return_if_fail (NET_SIP_IS_AGENT (self));

  net_sip_endpoint_set_credentials (self->endpoint, realm, username, password);
}

static void
on_register_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NetSipAgent *self = g_task_get_source_object (task);
  GError *error = NULL;
  guint granted = 0;

  if (!net_sip_endpoint_register_finish (NET_SIP_ENDPOINT (source), result, &granted, &error))
    {
      self->registering = FALSE;
      g_task_return_error (task, error);
      return;
    }
  g_task_return_int (task, granted);
}

/**
 * net_sip_agent_register_async:
 * @self: a #NetSipAgent
 * @expires: the binding's lifetime to ask for, in seconds (> 0)
 * @cancellable: (nullable): cancelling before the first result stops
 *   the registration
 * @callback: (scope async): called with the first result
 * @user_data: data for @callback
 *
 * Registers our contact ([property@NetSip.Agent:contact] or the leg's)
 * for the address of record [property@NetSip.Agent:from] with
 * [property@NetSip.Agent:registrar] (or `sip:` and the domain of
 * `from`), RFC 3261 §10.2, answering digest challenges with the agent's
 * credentials. The binding is refreshed at half the granted time until
 * [method@NetSip.Agent.unregister_async] or shutdown; each result is
 * reported by [signal@NetSip.Agent::registration-changed].
 *
 * Since: 1.0
 */
void
net_sip_agent_register_async (NetSipAgent        *self,
                              guint               expires,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *registrar = NULL;

  g_return_if_fail (NET_SIP_IS_AGENT (self));
  g_return_if_fail (expires > 0);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_agent_register_async);
  if (self->shutting_down)
    {
      g_task_return_new_error (task, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_SHUT_DOWN,
                               "the agent is shut down");
      return;
    }
  if (self->registrar)
    registrar = g_strdup (self->registrar);
  else if (domain (self))
    registrar = g_strconcat ("sip:", domain (self), NULL);
  if (registrar == NULL)
    {
      g_task_return_new_error (task, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_INVALID,
                               "no registrar: set the registrar or domain property");
      return;
    }
  self->registering = TRUE;
  net_sip_endpoint_register_async (self->endpoint, registrar, self->aor, self->contact, expires,
                                   cancellable, on_register_done, g_steal_pointer (&task));
}

/**
 * net_sip_agent_register_finish:
 * @self: a #NetSipAgent
 * @result: the result passed to the callback
 * @granted_expires: (out) (optional): the lifetime the registrar
 *   granted, in seconds
 * @error: return location for a #GError
 *
 * Finishes [method@NetSip.Agent.register_async] with its first result.
 *
 * Errors: %NET_SIP_AGENT_ERROR_INVALID (no registrar known),
 * %NET_SIP_AGENT_ERROR_SHUT_DOWN; %NET_SIP_ENDPOINT_ERROR_REJECTED for a
 * final non-2xx, %NET_SIP_AUTH_ERROR_REJECTED when the credentials were
 * refused, %NET_SIP_TRANSACTION_ERROR_TIMEOUT, %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if registered
 *
 * Since: 1.0
 */
gboolean
net_sip_agent_register_finish (NetSipAgent  *self,
                               GAsyncResult *result,
                               guint        *granted_expires,
                               GError      **error)
{
  gssize granted;

  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == net_sip_agent_register_async,
                        FALSE);

  granted = g_task_propagate_int (G_TASK (result), error);
  if (granted < 0)
    return FALSE;
  if (granted_expires)
    *granted_expires = (guint) granted;
  return TRUE;
}

static void
on_unregister_done (GObject      *source,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NetSipAgent *self = g_task_get_source_object (task);
  GError *error = NULL;

  self->unregistering = FALSE;
  set_registered (self, FALSE);
  if (!net_sip_endpoint_unregister_finish (NET_SIP_ENDPOINT (source), result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * net_sip_agent_unregister_async:
 * @self: a #NetSipAgent
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called with the registrar's answer
 * @user_data: data for @callback
 *
 * Removes our binding (REGISTER with Expires 0, RFC 3261 §10.2.2) and
 * stops refreshing it; [signal@NetSip.Agent::registration-changed]
 * reports it with @registered %FALSE.
 *
 * Since: 1.0
 */
void
net_sip_agent_unregister_async (NetSipAgent        *self,
                                GCancellable       *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer            user_data)
{
  GTask *task;

  g_return_if_fail (NET_SIP_IS_AGENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_agent_unregister_async);
  self->registering = FALSE;
  self->unregistering = TRUE;
  net_sip_endpoint_unregister_async (self->endpoint, self->aor, cancellable, on_unregister_done,
                                     task);
}

/**
 * net_sip_agent_unregister_finish:
 * @self: a #NetSipAgent
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@NetSip.Agent.unregister_async].
 *
 * Errors: %NET_SIP_ENDPOINT_ERROR_NOT_FOUND when nothing was
 * registered; %NET_SIP_ENDPOINT_ERROR_REJECTED,
 * %NET_SIP_TRANSACTION_ERROR_TIMEOUT, %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if the registrar removed the binding
 *
 * Since: 1.0
 */
gboolean
net_sip_agent_unregister_finish (NetSipAgent  *self,
                                 GAsyncResult *result,
                                 GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == net_sip_agent_unregister_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * net_sip_agent_get_registered:
 * @self: a #NetSipAgent
 *
 * Gets [property@NetSip.Agent:registered].
 *
 * Returns: %TRUE if registered
 *
 * Since: 1.0
 */
gboolean
net_sip_agent_get_registered (NetSipAgent *self)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), FALSE);
  return self->registered;
}

/* "bob" → sip:bob@domain, "bob@host" → sip:bob@host, URIs and
 * name-addrs as they are (Net::SIP::Simple::invite) */
static char *
complete_target (NetSipAgent *self,
                 const char  *to)
{
  if (strchr (to, ':') || strchr (to, '<'))
    return g_strdup (to);
  if (strchr (to, '@'))
    return g_strconcat ("sip:", to, NULL);
  if (domain (self) == NULL)
    return g_strdup (to);
  return g_strconcat ("sip:", to, "@", domain (self), NULL);
}

/**
 * net_sip_agent_invite:
 * @self: a #NetSipAgent
 * @to: whom to call: a SIP URI, a name-addr, `user@host`, or a user
 *   name completed with [property@NetSip.Agent:domain]
 * @error: return location for a #GError
 *
 * Calls @to (RFC 3261 §13.2): makes the call's [class@NetSip.RtpSession]
 * and its SDP offer (RFC 3264 §5), and sends the INVITE (with the
 * [property@NetSip.Agent:route] set as Route headers) on the main loop.
 * Progress comes as [signal@NetSip.Call::state-changed]; set up the
 * media (send_file, record, echo) on
 * [method@NetSip.Call.get_rtp_session] right after this returns. The
 * agent keeps the call until it is closed.
 *
 * Errors: %NET_SIP_AGENT_ERROR_INVALID when @to is not a SIP URI,
 * %NET_SIP_AGENT_ERROR_SHUT_DOWN; %NET_SIP_RTP_ERROR_NO_PORTS and
 * socket errors from the RTP session.
 *
 * Returns: (transfer full) (nullable): the call, in
 *   %NET_SIP_CALL_STATE_CALLING, or %NULL
 *
 * Since: 1.0
 */
NetSipCall *
net_sip_agent_invite (NetSipAgent *self,
                      const char  *to,
                      GError     **error)
{
  g_autofree char *target = NULL;
  g_autofree char *uri = NULL;
  g_autoptr(GPtrArray) headers = g_ptr_array_new_with_free_func (g_free);
  NetSipCallMedia media;
  NetSipCall *call;

  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->shutting_down)
    {
      g_set_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_SHUT_DOWN,
                   "the agent is shut down");
      return NULL;
    }
  target = complete_target (self, to);
  uri = uri_of (target);
  if (uri == NULL)
    {
      g_set_error (error, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_INVALID,
                   "to: '%s' is not a SIP URI or name-addr", to);
      return NULL;
    }
  for (guint i = 0; self->route && self->route[i]; i++)
    g_ptr_array_add (headers, g_strdup_printf (self->route[i][0] == '<' ? "Route: %s"
                                                                        : "Route: <%s>",
                                               self->route[i]));
  g_ptr_array_add (headers, NULL);
  media = media_of (self);
  call = net_sip_call_new_outgoing (G_OBJECT (self), self->endpoint, self->from, target,
                                    (const char * const *) headers->pdata, &media, error);
  if (call == NULL)
    return NULL;
  keep_call (self, call);
  net_sip_call_start (call);
  return call;
}

/**
 * net_sip_agent_listen:
 * @self: a #NetSipAgent
 *
 * Takes incoming calls from now on (Net::SIP::Simple::listen): each new
 * INVITE becomes a [class@NetSip.Call] reported by
 * [signal@NetSip.Agent::incoming-call]; what the handlers leave
 * undecided is decided by [property@NetSip.Agent:auto-answer]. Before
 * this, INVITEs are answered 480 Temporarily Unavailable.
 *
 * Since: 1.0
 */
void
net_sip_agent_listen (NetSipAgent *self)
{
  g_return_if_fail (NET_SIP_IS_AGENT (self));
  self->listening = TRUE;
}

/**
 * net_sip_agent_get_calls:
 * @self: a #NetSipAgent
 *
 * The calls of the agent that are not closed yet, both ways.
 *
 * Returns: (transfer container) (element-type NetSipCall): the calls
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_agent_get_calls (NetSipAgent *self)
{
  GPtrArray *calls;

  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);

  calls = g_ptr_array_sized_new (self->calls->len);
  for (guint i = 0; i < self->calls->len; i++)
    g_ptr_array_add (calls, g_ptr_array_index (self->calls, i));
  return calls;
}

/**
 * net_sip_agent_create_registrar:
 * @self: a #NetSipAgent
 * @store: (nullable): where bindings are kept, %NULL for a
 *   [class@NetSip.MemoryStore]
 *
 * Makes a [class@NetSip.Registrar] (RFC 3261 §10.3) on the agent's
 * dispatcher (Net::SIP::Simple::create_registrar). It is not installed:
 * put it in a chain or call [method@NetSip.Dispatcher.set_receiver].
 *
 * Returns: (transfer full): the registrar
 *
 * Since: 1.0
 */
NetSipRegistrar *
net_sip_agent_create_registrar (NetSipAgent         *self,
                                NetSipLocationStore *store)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  return net_sip_registrar_new (self->dispatcher, store);
}

/**
 * net_sip_agent_create_stateless_proxy:
 * @self: a #NetSipAgent
 *
 * Makes a [class@NetSip.StatelessProxy] (RFC 3261 §16.11) on the
 * agent's dispatcher (Net::SIP::Simple::create_stateless_proxy), not
 * installed as receiver.
 *
 * Returns: (transfer full): the proxy
 *
 * Since: 1.0
 */
NetSipStatelessProxy *
net_sip_agent_create_stateless_proxy (NetSipAgent *self)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  return net_sip_stateless_proxy_new (self->dispatcher);
}

/**
 * net_sip_agent_create_chain:
 * @self: a #NetSipAgent
 * @receivers: (array length=n_receivers) (transfer none): the receivers,
 *   tried in order
 * @n_receivers: the length of @receivers
 *
 * Makes a [class@NetSip.ReceiveChain] of @receivers
 * (Net::SIP::Simple::create_chain), not installed as receiver.
 *
 * Returns: (transfer full): the chain
 *
 * Since: 1.0
 */
NetSipReceiveChain *
net_sip_agent_create_chain (NetSipAgent     *self,
                            NetSipReceiver **receivers,
                            guint            n_receivers)
{
  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);
  g_return_val_if_fail (receivers != NULL || n_receivers == 0, NULL);
  return net_sip_receive_chain_new (receivers, n_receivers);
}

/**
 * net_sip_agent_create_authorizer:
 * @self: a #NetSipAgent
 * @realm: (nullable): the digest realm (RFC 3261 §22.1), %NULL for the
 *   authorizer's default
 * @users: (element-type utf8 utf8) (nullable): user name → password
 *
 * Makes a [class@NetSip.Authorizer] on the agent's dispatcher that
 * challenges requests with digest (RFC 3261 §22, RFC 7616) and knows
 * @users. Set what it guards with
 * [method@NetSip.Authorizer.set_next]; it is not installed as receiver.
 *
 * Returns: (transfer full): the authorizer
 *
 * Since: 1.0
 */
NetSipAuthorizer *
net_sip_agent_create_authorizer (NetSipAgent *self,
                                 const char  *realm,
                                 GHashTable  *users)
{
  NetSipAuthorizer *auth;

  g_return_val_if_fail (NET_SIP_IS_AGENT (self), NULL);

  auth = net_sip_authorizer_new (self->dispatcher, realm);
  if (users)
    {
      GHashTableIter iter;
      gpointer key, value;

      g_hash_table_iter_init (&iter, users);
      while (g_hash_table_iter_next (&iter, &key, &value))
        net_sip_authorizer_set_password (auth, key, value);
    }
  return auth;
}

/**
 * net_sip_agent_shutdown_async:
 * @self: a #NetSipAgent
 * @cancellable: (nullable): not used: a shutdown always completes, in
 *   at most 2 seconds
 * @callback: (scope async): called when the agent is shut down
 * @user_data: data for @callback
 *
 * Ends the agent's work without blocking the main loop: new INVITEs are
 * refused (480), every call is hung up ([method@NetSip.Call.hangup]:
 * BYE, CANCEL or 480), the binding is removed if we are registered
 * (§10.2.2); when those transactions are done (and 4*T1, at most
 * 500 ms, later, for the last responses and ACKs), or after 2 seconds
 * at most, calls still open are closed without waiting and the legs are
 * closed (the legs of [ctor@NetSip.Agent.new] with the dispatcher; on a
 * shared dispatcher those of [method@NetSip.Agent.add_leg]).
 *
 * Since: 1.0
 */
void
net_sip_agent_shutdown_async (NetSipAgent        *self,
                              GCancellable       *cancellable,
                              GAsyncReadyCallback callback,
                              gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GPtrArray) calls = NULL;

  g_return_if_fail (NET_SIP_IS_AGENT (self));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_agent_shutdown_async);
  if (self->shutting_down)
    {
      g_task_return_new_error (task, NET_SIP_AGENT_ERROR, NET_SIP_AGENT_ERROR_SHUT_DOWN,
                               "the agent is shut down or shutting down");
      return;
    }
  self->shutting_down = TRUE;
  self->listening = FALSE;
  self->shutdown = g_steal_pointer (&task);

  self->shutdown_timeout = g_timeout_source_new (SHUTDOWN_WAIT_MS);
  g_source_set_callback (self->shutdown_timeout, on_shutdown_timeout, self, NULL);
  g_source_attach (self->shutdown_timeout, self->context);

  if (self->registered || self->registering)
    {
      self->shutdown_pending++;
      net_sip_agent_unregister_async (self, NULL, on_shutdown_unregistered, g_object_ref (self));
    }
  calls = net_sip_agent_get_calls (self);
  for (guint i = 0; i < calls->len; i++)
    {
      NetSipCall *call = g_object_ref (g_ptr_array_index (calls, i));
      net_sip_call_hangup (call);
      g_object_unref (call);
    }
  shutdown_check (self);
}

/**
 * net_sip_agent_shutdown_finish:
 * @self: a #NetSipAgent
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@NetSip.Agent.shutdown_async].
 *
 * Errors: %NET_SIP_AGENT_ERROR_SHUT_DOWN when a shutdown was already
 * under way or done.
 *
 * Returns: %TRUE once the agent is shut down
 *
 * Since: 1.0
 */
gboolean
net_sip_agent_shutdown_finish (NetSipAgent  *self,
                               GAsyncResult *result,
                               GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == net_sip_agent_shutdown_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
