/* netsip-dialog.c: a dialog (RFC 3261 §12)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-dialog.h"
#include "netsip-enum-types.h"
#include "netsip-error.h"
#include "netsip-name-addr.h"
#include "netsip-uri.h"
#include "netsip-random-private.h"

/**
 * NetSipDialog:
 *
 * A dialog: the peer-to-peer relation an INVITE (or another
 * dialog-creating request) sets up between two user agents (RFC 3261
 * §12), what Net::SIP calls the call context. It knows the dialog's
 * identity (Call-ID, local and remote tag), both sequence numbers, the
 * route set and the remote target, and builds the requests that go
 * inside it (§12.2.1.1, with loose and strict routing), the ACK for a
 * 2xx (§13.2.2.4), checks the sequence of requests that come in
 * (§12.2.2), and follows the state through the responses (§12.1,
 * §12.2.1.2, §15).
 *
 * A dialog does not send anything: the user agent core (the endpoint)
 * does, and tells the dialog what it sent and received.
 *
 * Since: 1.0
 */
struct _NetSipDialog
{
  GObject            parent_instance;

  NetSipDialogState  state;
  gboolean           caller;          /* made by our request (UAC side) */
  gboolean           secure;
  char              *call_id;
  char              *local_tag;
  char              *remote_tag;      /* NULL for an RFC 2543 peer without one */
  char              *local_address;   /* From (caller) or To (callee) with our tag */
  char              *remote_address;  /* the other one, with their tag */
  guint32            local_cseq;
  gboolean           have_remote_cseq;
  guint32            remote_cseq;
  char              *remote_method;   /* of the request that set remote_cseq */
  char              *remote_target;
  char              *local_contact;
  GStrv              route_set;       /* name-addr values, first hop first */
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_CALL_ID,
  PROP_LOCAL_TAG,
  PROP_REMOTE_TAG,
  PROP_REMOTE_TARGET,
  PROP_LOCAL_CONTACT,
  PROP_SECURE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

G_DEFINE_FINAL_TYPE (NetSipDialog, net_sip_dialog, G_TYPE_OBJECT)

static void
net_sip_dialog_finalize (GObject *object)
{
  NetSipDialog *self = NET_SIP_DIALOG (object);

  g_free (self->call_id);
  g_free (self->local_tag);
  g_free (self->remote_tag);
  g_free (self->local_address);
  g_free (self->remote_address);
  g_free (self->remote_method);
  g_free (self->remote_target);
  g_free (self->local_contact);
  g_strfreev (self->route_set);
  G_OBJECT_CLASS (net_sip_dialog_parent_class)->finalize (object);
}

static void
net_sip_dialog_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  NetSipDialog *self = NET_SIP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_STATE: g_value_set_enum (value, self->state); break;
    case PROP_CALL_ID: g_value_set_string (value, self->call_id); break;
    case PROP_LOCAL_TAG: g_value_set_string (value, self->local_tag); break;
    case PROP_REMOTE_TAG: g_value_set_string (value, self->remote_tag); break;
    case PROP_REMOTE_TARGET: g_value_set_string (value, self->remote_target); break;
    case PROP_LOCAL_CONTACT: g_value_set_string (value, self->local_contact); break;
    case PROP_SECURE: g_value_set_boolean (value, self->secure); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_dialog_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  NetSipDialog *self = NET_SIP_DIALOG (object);

  switch (prop_id)
    {
    case PROP_LOCAL_CONTACT: net_sip_dialog_set_local_contact (self, g_value_get_string (value)); break;
    default: G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_dialog_class_init (NetSipDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = net_sip_dialog_finalize;
  object_class->get_property = net_sip_dialog_get_property;
  object_class->set_property = net_sip_dialog_set_property;

  /**
   * NetSipDialog:state:
   *
   * Early, confirmed or terminated (RFC 3261 §12). Notified on change.
   *
   * Since: 1.0
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, NET_SIP_TYPE_DIALOG_STATE, NET_SIP_DIALOG_EARLY,
                       G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:call-id:
   *
   * The Call-ID, part of the dialog ID (§12).
   *
   * Since: 1.0
   */
  props[PROP_CALL_ID] =
    g_param_spec_string ("call-id", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:local-tag:
   *
   * Our tag: the From tag when we are the caller, the To tag otherwise.
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_TAG] =
    g_param_spec_string ("local-tag", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:remote-tag:
   *
   * The peer's tag; %NULL for an RFC 2543 peer that sent none.
   *
   * Since: 1.0
   */
  props[PROP_REMOTE_TAG] =
    g_param_spec_string ("remote-tag", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:remote-target:
   *
   * The URI requests in the dialog go to: the peer's Contact, updated by
   * target refresh requests (§12.2). Notified on change.
   *
   * Since: 1.0
   */
  props[PROP_REMOTE_TARGET] =
    g_param_spec_string ("remote-target", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:local-contact:
   *
   * The Contact URI put into target refresh requests this dialog builds
   * (INVITE, UPDATE, SUBSCRIBE, NOTIFY, REFER), or %NULL.
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_CONTACT] =
    g_param_spec_string ("local-contact", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipDialog:secure:
   *
   * Whether the dialog was set up with a SIPS Request-URI (§12.1.1): its
   * requests must go over TLS all the way.
   *
   * Since: 1.0
   */
  props[PROP_SECURE] =
    g_param_spec_boolean ("secure", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_dialog_init (NetSipDialog *self)
{
}

/* ------------------------------------------------------------------ */

static void
set_state (NetSipDialog      *self,
           NetSipDialogState  state)
{
  if (self->state == state)
    return;
  self->state = state;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
}

/* The URI of the first Contact of @message, or NULL */
static char *
contact_uri (NetSipMessage *message)
{
  g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (message, NULL);

  if (contacts == NULL || contacts->len == 0 ||
      net_sip_name_addr_is_wildcard (g_ptr_array_index (contacts, 0)))
    return NULL;
  return g_strdup (net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 0)));
}

static GStrv
route_set_from (NetSipMessage *message,
                gboolean       reverse)
{
  GStrv routes = net_sip_message_get_headers (message, "Record-Route");
  guint n = g_strv_length (routes);

  if (reverse)
    for (guint i = 0; i < n / 2; i++)
      {
        char *t = routes[i];
        routes[i] = routes[n - 1 - i];
        routes[n - 1 - i] = t;
      }
  return routes;
}

static gboolean
is_sips (NetSipRequest *request)
{
  return g_str_has_prefix (net_sip_request_get_uri (request), "sips:") ||
         g_str_has_prefix (net_sip_request_get_uri (request), "SIPS:");
}

/* @value (a From or To value) with ;tag=@tag when it has no tag yet */
static char *
with_tag (const char *value,
          const char *tag)
{
  g_autoptr(NetSipNameAddr) addr = net_sip_name_addr_parse (value, -1, NULL);

  if (tag == NULL || (addr && net_sip_name_addr_get_tag (addr)))
    return g_strdup (value);
  return g_strconcat (value, ";tag=", tag, NULL);
}

static char *
random_tag (void)
{
  return net_sip_random_token (NULL, 2, NULL);
}

/**
 * net_sip_dialog_new_uac:
 * @request: the dialog-creating request we sent (an INVITE, SUBSCRIBE...),
 *   with its From tag
 * @response: a 101-299 response to it with a To tag
 * @error: return location for a #GError
 *
 * Creates the caller's side of a dialog (RFC 3261 §12.1.2): the route set
 * is the response's Record-Route in reverse order, the remote target its
 * Contact (for a provisional response without one, the Request-URI until
 * the 2xx brings it), the local sequence number the request's CSeq. A 1xx
 * makes an early dialog, a 2xx a confirmed one.
 *
 * Errors: %NET_SIP_PARSE_ERROR_INVALID when @response cannot make a
 *   dialog (code, no To tag, no From tag in @request, another Call-ID, a
 *   2xx without Contact).
 *
 * Returns: (transfer full) (nullable): the dialog, or %NULL
 *
 * Since: 1.0
 */
NetSipDialog *
net_sip_dialog_new_uac (NetSipRequest   *request,
                        NetSipResponse  *response,
                        GError         **error)
{
  NetSipMessage *req = NET_SIP_MESSAGE (request);
  NetSipMessage *resp = NET_SIP_MESSAGE (response);
  guint code;
  NetSipDialog *self;
  char *target;

  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), NULL);
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (response), NULL);

  code = net_sip_response_get_code (response);
  if (code <= 100 || code >= 300 || net_sip_message_get_to_tag (resp) == NULL ||
      net_sip_message_get_from_tag (req) == NULL ||
      g_strcmp0 (net_sip_message_get_call_id (req), net_sip_message_get_call_id (resp)) != 0 ||
      net_sip_message_get_header (resp, "To") == NULL)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INVALID,
                   "a %u response %s does not make a dialog (RFC 3261 §12.1.2 wants a 101-299 response "
                   "with a To tag to a request with a From tag)",
                   code, net_sip_message_get_to_tag (resp) ? "with a To tag" : "without a To tag");
      return NULL;
    }
  target = contact_uri (resp);
  if (target == NULL && code >= 200)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INVALID,
                   "a %u response without Contact does not make a dialog (RFC 3261 §12.1.2)", code);
      return NULL;
    }

  self = g_object_new (NET_SIP_TYPE_DIALOG, NULL);
  self->caller = TRUE;
  self->call_id = g_strdup (net_sip_message_get_call_id (req));
  self->local_tag = g_strdup (net_sip_message_get_from_tag (req));
  self->remote_tag = g_strdup (net_sip_message_get_to_tag (resp));
  self->local_address = g_strdup (net_sip_message_get_header (req, "From"));
  self->remote_address = g_strdup (net_sip_message_get_header (resp, "To"));
  self->local_cseq = net_sip_message_get_cseq_number (req);
  self->remote_target = target ? target : g_strdup (net_sip_request_get_uri (request));
  self->local_contact = contact_uri (req);
  self->route_set = route_set_from (resp, TRUE);
  self->secure = is_sips (request);
  self->state = code >= 200 ? NET_SIP_DIALOG_CONFIRMED : NET_SIP_DIALOG_EARLY;
  return self;
}

/**
 * net_sip_dialog_new_uas:
 * @request: the dialog-creating request we received
 * @local_tag: (nullable): our To tag, or %NULL for a random one
 * @local_contact: (nullable): our Contact URI, for target refresh requests
 *   we send in the dialog
 * @error: return location for a #GError
 *
 * Creates the callee's side of a dialog (RFC 3261 §12.1.1): the route set
 * is the request's Record-Route in order, the remote target its Contact,
 * the remote sequence number its CSeq; the local one starts at a random
 * value below 2^31 (§8.1.1.5). The dialog is early until the 2xx we send
 * is passed to net_sip_dialog_handle_response().
 *
 * Errors: %NET_SIP_PARSE_ERROR_INVALID when @request has no Call-ID,
 *   From, To, CSeq or Contact.
 *
 * Returns: (transfer full) (nullable): the dialog, or %NULL
 *
 * Since: 1.0
 */
NetSipDialog *
net_sip_dialog_new_uas (NetSipRequest  *request,
                        const char     *local_tag,
                        const char     *local_contact,
                        GError        **error)
{
  NetSipMessage *req = NET_SIP_MESSAGE (request);
  NetSipDialog *self;
  char *target;

  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), NULL);

  target = contact_uri (req);
  if (target == NULL || net_sip_message_get_call_id (req) == NULL ||
      net_sip_message_get_header (req, "From") == NULL || net_sip_message_get_header (req, "To") == NULL ||
      net_sip_message_get_cseq_number (req) == 0)
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INVALID,
                   "the %s request lacks %s to make a dialog (RFC 3261 §12.1.1)",
                   net_sip_request_get_method (request), target == NULL ? "a Contact" : "Call-ID, From, To or CSeq");
      g_free (target);
      return NULL;
    }

  self = g_object_new (NET_SIP_TYPE_DIALOG, NULL);
  self->caller = FALSE;
  self->call_id = g_strdup (net_sip_message_get_call_id (req));
  self->remote_tag = g_strdup (net_sip_message_get_from_tag (req));
  self->local_tag = local_tag ? g_strdup (local_tag) : random_tag ();
  self->remote_address = g_strdup (net_sip_message_get_header (req, "From"));
  self->local_address = with_tag (net_sip_message_get_header (req, "To"), self->local_tag);
  self->have_remote_cseq = TRUE;
  self->remote_cseq = net_sip_message_get_cseq_number (req);
  self->remote_method = g_strdup (net_sip_request_get_method (request));
  self->local_cseq = g_random_int_range (1, 1 << 30);
  self->remote_target = target;
  self->local_contact = g_strdup (local_contact);
  self->route_set = route_set_from (req, FALSE);
  self->secure = is_sips (request);
  self->state = NET_SIP_DIALOG_EARLY;
  return self;
}

/* ------------------------------------------------------------------ */
/* Getters                                                             */

/**
 * net_sip_dialog_get_state:
 * @self: a #NetSipDialog
 *
 * Gets the state of the dialog: early, confirmed or terminated (RFC 3261 §12).
 *
 * Returns: the dialog's state
 *
 * Since: 1.0
 */
NetSipDialogState
net_sip_dialog_get_state (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NET_SIP_DIALOG_TERMINATED);
  return self->state;
}

/**
 * net_sip_dialog_is_caller:
 * @self: a #NetSipDialog
 *
 * Tells whether this side sent the request that made the dialog (the UAC side, §12.1.2).
 *
 * Returns: %TRUE on the side whose request made the dialog (the UAC of
 *   the INVITE), %FALSE on the callee's side
 *
 * Since: 1.0
 */
gboolean
net_sip_dialog_is_caller (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), FALSE);
  return self->caller;
}

/**
 * net_sip_dialog_get_call_id:
 * @self: a #NetSipDialog
 *
 * Gets the Call-ID, the first part of the dialog ID (§12).
 *
 * Returns: (transfer none): the Call-ID
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_call_id (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->call_id;
}

/**
 * net_sip_dialog_get_local_tag:
 * @self: a #NetSipDialog
 *
 * Gets our tag: the From tag on the caller's side, the To tag on the callee's.
 *
 * Returns: (transfer none): our tag
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_local_tag (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->local_tag;
}

/**
 * net_sip_dialog_get_remote_tag:
 * @self: a #NetSipDialog
 *
 * Gets the peer's tag.
 *
 * Returns: (transfer none) (nullable): the peer's tag, %NULL when an
 *   RFC 2543 peer sent none
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_remote_tag (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->remote_tag;
}

/**
 * net_sip_dialog_get_local_address:
 * @self: a #NetSipDialog
 *
 * Gets our address with our tag: the From value of requests we send in the dialog (§12.2.1.1).
 *
 * Returns: (transfer none): our From value in requests we send in the
 *   dialog (the local URI with our tag)
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_local_address (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->local_address;
}

/**
 * net_sip_dialog_get_remote_address:
 * @self: a #NetSipDialog
 *
 * Gets the peer's address with its tag: the To value of requests we send in the dialog.
 *
 * Returns: (transfer none): the To value of requests we send in the
 *   dialog (the remote URI with the peer's tag)
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_remote_address (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->remote_address;
}

/**
 * net_sip_dialog_get_local_cseq:
 * @self: a #NetSipDialog
 *
 * Gets the local sequence number: the CSeq of the last request we made in the dialog.
 *
 * Returns: the CSeq number of the last request we made in the dialog
 *
 * Since: 1.0
 */
guint32
net_sip_dialog_get_local_cseq (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), 0);
  return self->local_cseq;
}

/**
 * net_sip_dialog_next_local_cseq:
 * @self: a #NetSipDialog
 *
 * Takes the next local sequence number for a request the user agent
 * builds itself in the dialog, such as a request sent again with
 * credentials after a 401 or 407 (RFC 3261 §22.2: the retry is a new
 * request with a higher CSeq). net_sip_dialog_create_request() takes one
 * the same way.
 *
 * Returns: the local CSeq, now one higher
 *
 * Since: 1.0
 */
guint32
net_sip_dialog_next_local_cseq (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), 0);
  return ++self->local_cseq;
}

/**
 * net_sip_dialog_get_remote_cseq:
 * @self: a #NetSipDialog
 *
 * Gets the remote sequence number: the CSeq of the last request the peer made in the dialog (§12.2.2).
 *
 * Returns: the CSeq number of the last request the peer made in the
 *   dialog, 0 while there was none (§12.1.2: empty on the caller's side)
 *
 * Since: 1.0
 */
guint32
net_sip_dialog_get_remote_cseq (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), 0);
  return self->have_remote_cseq ? self->remote_cseq : 0;
}

/**
 * net_sip_dialog_get_remote_target:
 * @self: a #NetSipDialog
 *
 * Gets the remote target, the Request-URI of requests in the dialog (§12.2.1.1).
 *
 * Returns: (transfer none): the remote target URI
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_remote_target (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->remote_target;
}

/**
 * net_sip_dialog_get_local_contact:
 * @self: a #NetSipDialog
 *
 * Gets the Contact URI put into target refresh requests (§12.2.1.1).
 *
 * Returns: (transfer none) (nullable): our Contact URI, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_dialog_get_local_contact (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return self->local_contact;
}

/**
 * net_sip_dialog_set_local_contact:
 * @self: a #NetSipDialog
 * @contact: (nullable): our Contact URI, or %NULL
 *
 * Sets the Contact of the target refresh requests this dialog builds
 * (e.g. after the local address changed).
 *
 * Since: 1.0
 */
void
net_sip_dialog_set_local_contact (NetSipDialog *self,
                                  const char   *contact)
{
  g_return_if_fail (NET_SIP_IS_DIALOG (self));
  if (g_strcmp0 (self->local_contact, contact) == 0)
    return;
  g_free (self->local_contact);
  self->local_contact = g_strdup (contact);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_LOCAL_CONTACT]);
}

/**
 * net_sip_dialog_get_route_set:
 * @self: a #NetSipDialog
 *
 * Gets the route set (§12.1): the Record-Route values, in the order requests in the dialog visit them.
 *
 * Returns: (transfer none) (array zero-terminated=1): the route set, first
 *   hop first, as name-addr values (`<sip:p1.example.com;lr>`); empty when
 *   no proxy recorded a route
 *
 * Since: 1.0
 */
const char * const *
net_sip_dialog_get_route_set (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return (const char * const *) self->route_set;
}

/**
 * net_sip_dialog_get_secure:
 * @self: a #NetSipDialog
 *
 * Tells whether the dialog was made with a SIPS Request-URI (§12.1.1).
 *
 * Returns: whether the dialog was made with a SIPS Request-URI
 *
 * Since: 1.0
 */
gboolean
net_sip_dialog_get_secure (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), FALSE);
  return self->secure;
}

/**
 * net_sip_dialog_get_id:
 * @self: a #NetSipDialog
 *
 * Gets the dialog ID (§12) as one string.
 *
 * Returns: (transfer full): the dialog ID (§12) as one string,
 *   `Call-ID;local-tag;remote-tag`, for use as a key
 *
 * Since: 1.0
 */
char *
net_sip_dialog_get_id (NetSipDialog *self)
{
  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  return g_strjoin (";", self->call_id, self->local_tag, self->remote_tag ? self->remote_tag : "", NULL);
}

/* ------------------------------------------------------------------ */
/* Matching and checks                                                 */

/**
 * net_sip_dialog_matches:
 * @self: a #NetSipDialog
 * @message: a request or response we received
 *
 * Whether @message belongs to this dialog (RFC 3261 §12.2.2, §12.1.2): the
 * same Call-ID, and for a request our tag in To and the peer's in From,
 * for a response our tag in From and the peer's in To.
 *
 * Returns: %TRUE if it belongs here
 *
 * Since: 1.0
 */
gboolean
net_sip_dialog_matches (NetSipDialog  *self,
                        NetSipMessage *message)
{
  const char *ours, *theirs;

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (message), FALSE);

  if (g_strcmp0 (net_sip_message_get_call_id (message), self->call_id) != 0)
    return FALSE;
  if (NET_SIP_IS_REQUEST (message))
    {
      ours = net_sip_message_get_to_tag (message);
      theirs = net_sip_message_get_from_tag (message);
    }
  else
    {
      ours = net_sip_message_get_from_tag (message);
      theirs = net_sip_message_get_to_tag (message);
    }
  return g_strcmp0 (ours, self->local_tag) == 0 && g_strcmp0 (theirs, self->remote_tag) == 0;
}

/**
 * net_sip_dialog_check_request:
 * @self: a #NetSipDialog
 * @request: a request received for the dialog
 *
 * Checks the CSeq of a request inside the dialog (RFC 3261 §12.2.2): a
 * number below the last one means out of order (answer 500, never drop it
 * silently); the same number and method is a retransmission; a higher one
 * is new and becomes the remote sequence number. ACK and CANCEL carry the
 * number of the INVITE they belong to and are always new here: their
 * transaction decides.
 *
 * Returns: what the request is
 *
 * Since: 1.0
 */
NetSipDialogRequestCheck
net_sip_dialog_check_request (NetSipDialog  *self,
                              NetSipRequest *request)
{
  const char *method;
  guint32 cseq;

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG);

  if (!net_sip_dialog_matches (self, NET_SIP_MESSAGE (request)))
    return NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG;
  method = net_sip_request_get_method (request);
  if (strcmp (method, "ACK") == 0 || strcmp (method, "CANCEL") == 0)
    return NET_SIP_DIALOG_REQUEST_NEW;
  cseq = net_sip_message_get_cseq_number (NET_SIP_MESSAGE (request));
  if (self->have_remote_cseq)
    {
      if (cseq < self->remote_cseq)
        return NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER;
      if (cseq == self->remote_cseq)
        return g_strcmp0 (method, self->remote_method) == 0 ? NET_SIP_DIALOG_REQUEST_RETRANSMISSION
                                                             : NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER;
    }
  self->have_remote_cseq = TRUE;
  self->remote_cseq = cseq;
  g_free (self->remote_method);
  self->remote_method = g_strdup (method);
  return NET_SIP_DIALOG_REQUEST_NEW;
}

/**
 * net_sip_dialog_refresh_target:
 * @self: a #NetSipDialog
 * @message: a target refresh request (re-INVITE, UPDATE) we accepted, or
 *   the 2xx to one we sent
 *
 * Takes the remote target from the Contact of @message (RFC 3261
 * §12.2.1.2, §12.2.2).
 *
 * Returns: %TRUE if the remote target changed
 *
 * Since: 1.0
 */
gboolean
net_sip_dialog_refresh_target (NetSipDialog  *self,
                               NetSipMessage *message)
{
  g_autofree char *target = NULL;

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (message), FALSE);

  target = contact_uri (message);
  if (target == NULL || g_strcmp0 (target, self->remote_target) == 0)
    return FALSE;
  g_free (self->remote_target);
  self->remote_target = g_steal_pointer (&target);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_REMOTE_TARGET]);
  return TRUE;
}

/**
 * net_sip_dialog_handle_response:
 * @self: a #NetSipDialog
 * @request: the request @response answers (sent by us on the caller's
 *   side of a transaction, received on the callee's)
 * @response: a response in the dialog, received or sent
 *
 * Moves the dialog along (RFC 3261 §12.1, §12.2.1.2, §13.2.2.4, §15):
 * a 2xx to the INVITE of an early dialog confirms it, and on the caller's
 * side the route set is recomputed from the 2xx and the remote target
 * taken from its Contact; a 2xx to a re-INVITE or UPDATE refreshes the
 * target; a final non-2xx to the INVITE of an early dialog ends it; a 481
 * or 408 to any request ends it; a final response to BYE ends it.
 *
 * Returns: %TRUE if the state changed
 *
 * Since: 1.0
 */
gboolean
net_sip_dialog_handle_response (NetSipDialog   *self,
                                NetSipRequest  *request,
                                NetSipResponse *response)
{
  NetSipDialogState before;
  const char *method;
  guint code;
  gboolean received;

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), FALSE);
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (response), FALSE);

  before = self->state;
  if (before == NET_SIP_DIALOG_TERMINATED)
    return FALSE;
  method = net_sip_request_get_method (request);
  code = net_sip_response_get_code (response);
  /* the caller's side receives the responses to its own requests */
  received = g_strcmp0 (net_sip_message_get_from_tag (NET_SIP_MESSAGE (request)), self->local_tag) == 0;

  if (code < 200)
    return FALSE;
  if (code == 481 || code == 408)
    set_state (self, NET_SIP_DIALOG_TERMINATED);
  else if (strcmp (method, "BYE") == 0)
    set_state (self, NET_SIP_DIALOG_TERMINATED);
  else if (strcmp (method, "INVITE") == 0 && code >= 300)
    {
      if (before == NET_SIP_DIALOG_EARLY)
        set_state (self, NET_SIP_DIALOG_TERMINATED);
    }
  else if (code < 300 && (strcmp (method, "INVITE") == 0 || strcmp (method, "UPDATE") == 0))
    {
      if (before == NET_SIP_DIALOG_EARLY && strcmp (method, "INVITE") == 0)
        {
          if (received)
            {
              g_strfreev (self->route_set);
              self->route_set = route_set_from (NET_SIP_MESSAGE (response), TRUE);
            }
          set_state (self, NET_SIP_DIALOG_CONFIRMED);
        }
      if (received)
        net_sip_dialog_refresh_target (self, NET_SIP_MESSAGE (response));
    }
  return self->state != before;
}

/**
 * net_sip_dialog_terminate:
 * @self: a #NetSipDialog
 *
 * Ends the dialog (after a BYE was answered, or when the application
 * gives up on it).
 *
 * Since: 1.0
 */
void
net_sip_dialog_terminate (NetSipDialog *self)
{
  g_return_if_fail (NET_SIP_IS_DIALOG (self));
  set_state (self, NET_SIP_DIALOG_TERMINATED);
}

/* ------------------------------------------------------------------ */
/* Requests inside the dialog                                          */

/* The URI inside a route value (a name-addr) */
static char *
route_uri (const char *route)
{
  g_autoptr(NetSipNameAddr) addr = net_sip_name_addr_parse (route, -1, NULL);

  return addr ? g_strdup (net_sip_name_addr_get_uri_string (addr)) : NULL;
}

/* A URI as a Request-URI may hold it: without the method parameter and
 * without headers (RFC 3261 §19.1.1, table 1) */
static char *
request_uri_from (const char *uri_text)
{
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (uri_text, -1, NULL);
  char *text, *q;

  if (uri == NULL)
    return g_strdup (uri_text);
  net_sip_uri_remove_param (uri, "method");
  text = net_sip_uri_to_string (uri);
  q = strchr (text, '?');
  if (q)
    *q = '\0';
  return text;
}

static gboolean
is_target_refresh (const char *method)
{
  return strcmp (method, "INVITE") == 0 || strcmp (method, "UPDATE") == 0 ||
         strcmp (method, "SUBSCRIBE") == 0 || strcmp (method, "NOTIFY") == 0 ||
         strcmp (method, "REFER") == 0;
}

/* Request-URI and Route headers from the route set (§12.2.1.1), then
 * Max-Forwards, From, To, Call-ID, CSeq */
static NetSipRequest *
build_request (NetSipDialog *self,
               const char   *method,
               guint32       cseq)
{
  NetSipRequest *request;
  NetSipMessage *m;
  g_autofree char *first_uri = NULL;
  g_autofree char *ruri = NULL;
  g_autofree char *cseq_text = NULL;
  gboolean strict = FALSE;
  guint n_routes = g_strv_length (self->route_set);

  if (n_routes > 0)
    {
      g_autoptr(NetSipUri) uri = NULL;
      first_uri = route_uri (self->route_set[0]);
      uri = first_uri ? net_sip_uri_parse (first_uri, -1, NULL) : NULL;
      strict = uri != NULL && !net_sip_uri_has_param (uri, "lr");
    }
  /* strict routing: the first route becomes the Request-URI and the
   * remote target goes to the end of the Route headers */
  ruri = strict ? request_uri_from (first_uri) : g_strdup (self->remote_target);
  request = net_sip_request_new (method, ruri);
  m = NET_SIP_MESSAGE (request);
  for (guint i = strict ? 1 : 0; i < n_routes; i++)
    net_sip_message_add_header (m, "Route", self->route_set[i]);
  if (strict)
    {
      g_autofree char *last = g_strdup_printf ("<%s>", self->remote_target);
      net_sip_message_add_header (m, "Route", last);
    }
  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "From", self->local_address);
  net_sip_message_add_header (m, "To", self->remote_address);
  net_sip_message_add_header (m, "Call-ID", self->call_id);
  cseq_text = g_strdup_printf ("%u %s", cseq, method);
  net_sip_message_add_header (m, "CSeq", cseq_text);
  return request;
}

/**
 * net_sip_dialog_create_request:
 * @self: a #NetSipDialog
 * @method: the method: BYE, INFO, a re-INVITE, UPDATE, NOTIFY...; not
 *   ACK (see net_sip_dialog_create_ack()) nor CANCEL (it belongs to the
 *   INVITE transaction: net_sip_request_create_cancel())
 *
 * Builds a request inside the dialog (RFC 3261 §12.2.1.1): To, From and
 * Call-ID of the dialog, the next local CSeq number, Max-Forwards 70, the
 * Request-URI and Route headers from the route set and the remote target
 * (loose routing when the first route has `lr`, strict routing
 * otherwise), and for target refresh requests the local Contact. The
 * transport adds the Via; the caller adds a body and other headers.
 *
 * Returns: (transfer full): the request
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_dialog_create_request (NetSipDialog *self,
                               const char   *method)
{
  NetSipRequest *request;

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  g_return_val_if_fail (method != NULL, NULL);
  g_return_val_if_fail (strcmp (method, "ACK") != 0 && strcmp (method, "CANCEL") != 0, NULL);

  request = build_request (self, method, ++self->local_cseq);
  if (self->local_contact && is_target_refresh (method))
    {
      g_autofree char *contact = g_strdup_printf ("<%s>", self->local_contact);
      net_sip_message_add_header (NET_SIP_MESSAGE (request), "Contact", contact);
    }
  return request;
}

/**
 * net_sip_dialog_create_ack:
 * @self: a #NetSipDialog
 * @invite: the INVITE the 2xx answered
 *
 * Builds the ACK for a 2xx to @invite (RFC 3261 §13.2.2.4): a request of
 * the dialog with the INVITE's CSeq number and method ACK, and the
 * INVITE's Authorization and Proxy-Authorization headers. Call it after
 * net_sip_dialog_handle_response() took the 2xx, so that the route set
 * and remote target are the 2xx's. A body (an answer to an offer in the
 * 2xx) is the caller's to add.
 *
 * Returns: (transfer full): the ACK
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_dialog_create_ack (NetSipDialog  *self,
                           NetSipRequest *invite)
{
  NetSipRequest *ack;
  static const char *const copied[] = { "Authorization", "Proxy-Authorization" };

  g_return_val_if_fail (NET_SIP_IS_DIALOG (self), NULL);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (invite), NULL);

  ack = build_request (self, "ACK", net_sip_message_get_cseq_number (NET_SIP_MESSAGE (invite)));
  for (guint i = 0; i < G_N_ELEMENTS (copied); i++)
    {
      g_auto(GStrv) values = net_sip_message_get_headers (NET_SIP_MESSAGE (invite), copied[i]);
      for (guint j = 0; values[j]; j++)
        net_sip_message_add_header (NET_SIP_MESSAGE (ack), copied[i], values[j]);
    }
  return ack;
}
