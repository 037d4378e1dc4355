/* netsip-redirect.c: a redirect server (RFC 3261 §8.3) answering from a
 * registrar's bindings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-redirect.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-uri.h"
#include "netsip-local-tag-private.h"
#include "netsip-random-private.h"

/**
 * NetSipRedirect:
 *
 * A redirect server (RFC 3261 §8.3, §21.3.3), Net::SIP's
 * `Net::SIP::Redirect`: a [iface@NetSip.Receiver] that answers requests
 * for an address of record with `302 Moved Temporarily` and its current
 * contacts from a [class@NetSip.Registrar].
 *
 * What [method@NetSip.Receiver.receive] does:
 *
 * - the ACK of one of its own answers to an INVITE (RFC 3261 §17.2.1;
 *   recognised by the To tag, computed from the request with a secret of
 *   the redirect server, so no state is kept): consumed, returns %TRUE;
 * - responses, `REGISTER` (the registrar's), other `ACK`s and `CANCEL`
 *   (they cannot be redirected, RFC 3261 §9.2, §17.2.3): returns %FALSE;
 * - a Request-URI that is not a SIP or SIPS URI, or whose host is not a
 *   domain of the registrar (net_sip_registrar_serves_domain()): returns
 *   %FALSE, so a chain can pass the request on;
 * - bindings found (net_sip_registrar_lookup()): `302` with one Contact
 *   per binding, most preferred first, each with its `q` when it has one
 *   (RFC 3261 §20.10, §8.1.3.4: the client tries them in that order),
 *   and returns %TRUE;
 * - no binding: `404 Not Found` (RFC 3261 §10.3 step 5: the address of
 *   record is not registered), and returns %TRUE; `480 Temporarily
 *   Unavailable` would say the user is known, which a registrar alone
 *   cannot tell.
 *
 * Counters: [property@NetSip.Redirect:redirected-requests] and
 * [property@NetSip.Redirect:not-found-requests].
 *
 * Since: 1.0
 */
struct _NetSipRedirect
{
  GObject           parent_instance;

  NetSipDispatcher *dispatcher;   /* weak */
  NetSipRegistrar  *registrar;
  GBytes           *secret;       /* signs our To tags */
  guint64           n_redirected;
  guint64           n_not_found;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_REGISTRAR,
  PROP_REDIRECTED_REQUESTS,
  PROP_NOT_FOUND_REQUESTS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void net_sip_redirect_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipRedirect, net_sip_redirect, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_redirect_receiver_init))

static void
response_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("redirect: response not sent: %s", error->message);
}

static gboolean
net_sip_redirect_receive (NetSipReceiver   *receiver,
                          NetSipMessage    *message,
                          NetSipLeg        *leg,
                          NetSipSourceInfo *source)
{
  NetSipRedirect *self = NET_SIP_REDIRECT (receiver);
  g_autoptr(NetSipRedirect) keep = g_object_ref (self);
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(GPtrArray) bindings = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tag = NULL;
  g_autoptr(NetSipUri) ruri = NULL;
  const char *method;

  if (!net_sip_message_is_request (message) || self->registrar == NULL)
    return FALSE;
  method = net_sip_message_get_method (message);
  if (strcmp (method, "ACK") == 0 && net_sip_local_tag_check (self->secret, message))
    return TRUE;
  if (strcmp (method, "REGISTER") == 0 || strcmp (method, "ACK") == 0 ||
      strcmp (method, "CANCEL") == 0)
    return FALSE;
  ruri = net_sip_request_get_parsed_uri (NET_SIP_REQUEST (message), NULL);
  if (ruri == NULL || net_sip_uri_get_host (ruri) == NULL ||
      !net_sip_registrar_serves_domain (self->registrar, net_sip_uri_get_host (ruri)))
    return FALSE;

  bindings = net_sip_registrar_lookup (self->registrar,
                                       net_sip_request_get_uri (NET_SIP_REQUEST (message)), &error);
  tag = net_sip_local_tag_new (self->secret, message);
  if (bindings == NULL)
    {
      g_warning ("redirect: lookup of %s failed: %s",
                 net_sip_request_get_uri (NET_SIP_REQUEST (message)), error->message);
      response = net_sip_request_create_response (NET_SIP_REQUEST (message), 500, NULL, tag);
    }
  else if (bindings->len == 0)
    {
      self->n_not_found++;
      response = net_sip_request_create_response (NET_SIP_REQUEST (message), 404, NULL, tag);
    }
  else
    {
      GString *s = g_string_new (NULL);

      self->n_redirected++;
      response = net_sip_request_create_response (NET_SIP_REQUEST (message), 302, NULL, tag);
      for (guint i = 0; i < bindings->len; i++)
        {
          NetSipBinding *b = g_ptr_array_index (bindings, i);
          char buf[G_ASCII_DTOSTR_BUF_SIZE];

          g_string_printf (s, "<%s>", net_sip_binding_get_contact (b));
          if (net_sip_binding_get_q (b) >= 0)
            g_string_append_printf (s, ";q=%s",
                                    g_ascii_formatd (buf, sizeof buf, "%.3g", net_sip_binding_get_q (b)));
          net_sip_message_add_header (NET_SIP_MESSAGE (response), "Contact", s->str);
        }
      g_string_free (s, TRUE);
    }
  net_sip_message_add_header (NET_SIP_MESSAGE (response), "Content-Length", "0");
  if (self->dispatcher)
    net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                      response_sent, NULL);
  return TRUE;
}

static void
net_sip_redirect_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_redirect_receive;
}

static void
net_sip_redirect_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NetSipRedirect *self = NET_SIP_REDIRECT (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;
    case PROP_REGISTRAR:
      g_value_set_object (value, self->registrar);
      break;
    case PROP_REDIRECTED_REQUESTS:
      g_value_set_uint64 (value, self->n_redirected);
      break;
    case PROP_NOT_FOUND_REQUESTS:
      g_value_set_uint64 (value, self->n_not_found);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_redirect_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NetSipRedirect *self = NET_SIP_REDIRECT (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      self->dispatcher = g_value_get_object (value);
      if (self->dispatcher)
        g_object_add_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
      break;
    case PROP_REGISTRAR:
      self->registrar = g_value_dup_object (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_redirect_dispose (GObject *object)
{
  NetSipRedirect *self = NET_SIP_REDIRECT (object);

  if (self->dispatcher)
    g_object_remove_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
  self->dispatcher = NULL;
  g_clear_object (&self->registrar);
  G_OBJECT_CLASS (net_sip_redirect_parent_class)->dispose (object);
}

static void
net_sip_redirect_finalize (GObject *object)
{
  NetSipRedirect *self = NET_SIP_REDIRECT (object);

  g_bytes_unref (self->secret);
  G_OBJECT_CLASS (net_sip_redirect_parent_class)->finalize (object);
}

static void
net_sip_redirect_class_init (NetSipRedirectClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags co = G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = net_sip_redirect_get_property;
  object_class->set_property = net_sip_redirect_set_property;
  object_class->dispose = net_sip_redirect_dispose;
  object_class->finalize = net_sip_redirect_finalize;

  /**
   * NetSipRedirect:dispatcher:
   *
   * The dispatcher the responses are sent through (a weak reference).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER, co);
  /**
   * NetSipRedirect:registrar:
   *
   * The registrar whose bindings and domains answer the requests.
   *
   * Since: 1.0
   */
  props[PROP_REGISTRAR] =
    g_param_spec_object ("registrar", NULL, NULL, NET_SIP_TYPE_REGISTRAR, co);
  /**
   * NetSipRedirect:redirected-requests:
   *
   * Requests answered with `302` (notify is not emitted).
   *
   * Since: 1.0
   */
  props[PROP_REDIRECTED_REQUESTS] =
    g_param_spec_uint64 ("redirected-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRedirect:not-found-requests:
   *
   * Requests answered with `404` (notify is not emitted).
   *
   * Since: 1.0
   */
  props[PROP_NOT_FOUND_REQUESTS] =
    g_param_spec_uint64 ("not-found-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_redirect_init (NetSipRedirect *self)
{
  self->secret = net_sip_random_secret_new (32);
}

/**
 * net_sip_redirect_new:
 * @dispatcher: the dispatcher that sends the responses
 * @registrar: the registrar to look addresses of record up in
 *
 * Creates a redirect server. It does not install itself: set it with
 * [method@NetSip.Dispatcher.set_receiver] or put it into a chain after the
 * registrar.
 *
 * Returns: (transfer full): a new redirect server
 *
 * Since: 1.0
 */
NetSipRedirect *
net_sip_redirect_new (NetSipDispatcher *dispatcher,
                      NetSipRegistrar  *registrar)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (registrar), NULL);

  return g_object_new (NET_SIP_TYPE_REDIRECT, "dispatcher", dispatcher, "registrar", registrar, NULL);
}

/**
 * net_sip_redirect_get_registrar:
 * @self: a #NetSipRedirect
 *
 * Gets the registrar whose bindings the redirect server answers with.
 *
 * Returns: (transfer none): the registrar
 *
 * Since: 1.0
 */
NetSipRegistrar *
net_sip_redirect_get_registrar (NetSipRedirect *self)
{
  g_return_val_if_fail (NET_SIP_IS_REDIRECT (self), NULL);
  return self->registrar;
}
