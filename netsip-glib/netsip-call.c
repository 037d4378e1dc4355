/* netsip-call.c: one call of a NetSipAgent (Net::SIP::Simple::Call): the
 * INVITE dialog (RFC 3261 §13–§15), its offer/answer (RFC 3264) and its
 * NetSipRtpSession
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-call.h"
#include "netsip-call-private.h"
#include "netsip-agent.h"
#include "netsip-enum-types.h"
#include "netsip-error.h"
#include "netsip-name-addr.h"

/**
 * NetSipCall:
 *
 * One call of a [class@NetSip.Agent], what Net::SIP calls
 * `Net::SIP::Simple::Call`: the INVITE transaction and its dialog
 * (RFC 3261 §13), the SDP offer/answer exchange (RFC 3264) and the
 * [class@NetSip.RtpSession] that carries the audio.
 *
 * Calls are made by [method@NetSip.Agent.invite] (outgoing, state
 * %NET_SIP_CALL_STATE_CALLING) or handed to the application by
 * [signal@NetSip.Agent::incoming-call] (state
 * %NET_SIP_CALL_STATE_INCOMING). Progress is reported by
 * [signal@NetSip.Call::state-changed], each change with the response
 * that caused it. A call ends in %NET_SIP_CALL_STATE_CLOSED, which is
 * final; its RTP session is then stopped, its statistics stay readable.
 *
 * All of it runs on the thread-default main context of the agent's
 * construction; no method blocks.
 *
 * Since: 1.0
 */

struct _NetSipCall
{
  GObject           parent_instance;

  GObject          *agent;            /* weak */
  NetSipEndpoint   *endpoint;
  gulong            h_provisional;
  gulong            h_request;
  gulong            h_closed;

  NetSipCallState   state;
  gboolean          incoming;
  char             *peer;
  char             *call_id;
  NetSipDialog     *dialog;
  NetSipRequest    *invite;           /* ours (caller) or theirs (callee) */

  /* media */
  NetSipRtpSession *session;
  gulong            h_dtmf;
  gulong            h_media_timeout;
  NetSipSdp        *local_sdp;        /* what we sent last */
  NetSipSdp        *remote_sdp;       /* what the peer sent last */
  gboolean          offer_in_ack;     /* we offered in a 2xx: answer in ACK */
  gboolean          media_started;
  NetSipSdpDirection wanted_direction; /* ours: SENDRECV unless we hold */

  guint             final_code;
  gboolean          rung;
  gboolean          cancel_wanted;
  gboolean          bye_in_flight;
  GTask            *reinvite;         /* our pending re-INVITE */
  NetSipSdpDirection reinvite_previous;  /* the session's, to restore */
  NetSipSdpDirection reinvite_wanted;
  NetSipSdp        *reinvite_offer;
};

enum
{
  PROP_0,
  PROP_STATE,
  PROP_INCOMING,
  PROP_PEER,
  PROP_CALL_ID,
  PROP_DIALOG,
  PROP_RTP_SESSION,
  PROP_FINAL_CODE,
  PROP_AGENT,
  PROP_LOCAL_SDP,
  PROP_REMOTE_SDP,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_STATE_CHANGED,
  SIG_DTMF_RECEIVED,
  SIG_MEDIA_TIMEOUT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/**
 * net_sip_call_error_quark:
 *
 * The error domain of [class@NetSip.Call].
 *
 * Returns: the %NET_SIP_CALL_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-call-error-quark, net_sip_call_error)

G_DEFINE_FINAL_TYPE (NetSipCall, net_sip_call, G_TYPE_OBJECT)

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static const char *
state_name (NetSipCallState state)
{
  static const char *const names[] = {
    "incoming", "calling", "ringing", "early", "established", "closing", "closed"
  };

  return state <= NET_SIP_CALL_STATE_CLOSED ? names[state] : "?";
}

static gboolean
wrong_state (NetSipCall *self,
             const char *what,
             GError    **error)
{
  g_set_error (error, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_WRONG_STATE,
               "%s does not apply to %s call in state %s", what,
               self->incoming ? "an incoming" : "an outgoing", state_name (self->state));
  return FALSE;
}

static NetSipSdp *
sdp_of (NetSipMessage *m)
{
  g_autoptr(GBytes) body = net_sip_message_get_body (m);
  g_autofree char *type = NULL;
  g_autoptr(GError) error = NULL;
  NetSipSdp *sdp;

  if (body == NULL || g_bytes_get_size (body) == 0)
    return NULL;
  type = net_sip_message_get_content_type (m);
  if (type && g_ascii_strncasecmp (type, "application/sdp", 15) != 0)
    return NULL;
  sdp = net_sip_sdp_parse (body, &error);
  if (sdp == NULL)
    g_debug ("call: unusable SDP: %s", error->message);
  return sdp;
}

static void
set_sdp (NetSipCall *self,
         NetSipSdp **field,
         NetSipSdp  *sdp,
         guint       prop)
{
  if (*field == sdp)
    return;
  g_set_object (field, sdp);
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void disconnect_endpoint (NetSipCall *self);
static void media_stop (NetSipCall *self);
static void media_start (NetSipCall *self);

/* The one place the state changes: notify, then the signal; entering
 * ESTABLISHED starts the media, CLOSED stops it and lets go of the
 * endpoint's signals. */
static void
set_state (NetSipCall      *self,
           NetSipCallState  state,
           NetSipResponse  *response)
{
  if (self->state == state || self->state == NET_SIP_CALL_STATE_CLOSED)
    return;
  g_object_ref (self);
  self->state = state;
  if (state == NET_SIP_CALL_STATE_ESTABLISHED)
    media_start (self);
  if (state == NET_SIP_CALL_STATE_CLOSED)
    {
      media_stop (self);
      disconnect_endpoint (self);
    }
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_STATE]);
  g_signal_emit (self, signals[SIG_STATE_CHANGED], 0, state, response);
  g_object_unref (self);
}

static void
set_final_code (NetSipCall *self,
                guint       code)
{
  if (self->final_code == code)
    return;
  self->final_code = code;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_FINAL_CODE]);
}

static void
set_dialog (NetSipCall   *self,
            NetSipDialog *dialog)
{
  if (self->dialog == dialog)
    return;
  g_set_object (&self->dialog, dialog);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DIALOG]);
}

/* ------------------------------------------------------------------ */
/* Media: the RTP session's offer/answer (RFC 3264)                    */

static void
on_dtmf_received (NetSipRtpSession *session,
                  const char       *digit,
                  guint             duration_ms,
                  NetSipDtmfMethod  method,
                  NetSipCall       *self)
{
  g_signal_emit (self, signals[SIG_DTMF_RECEIVED], 0, digit, duration_ms, method);
}

static void
on_media_timeout (NetSipRtpSession *session,
                  NetSipCall       *self)
{
  g_object_ref (self);
  g_signal_emit (self, signals[SIG_MEDIA_TIMEOUT], 0);
  /* Net::SIP::Simple::Call: no RTP for rtp_timeout ends the call */
  net_sip_call_hangup (self);
  g_object_unref (self);
}

static gboolean
media_init (NetSipCall            *self,
            const NetSipCallMedia *media,
            GError               **error)
{
  self->session = g_initable_new (NET_SIP_TYPE_RTP_SESSION, NULL, error,
                                  "local-address", media->address,
                                  "port-min", (guint) media->port_min,
                                  "port-max", (guint) media->port_max,
                                  "asymmetric", media->asymmetric,
                                  "media-timeout", media->media_timeout,
                                  NULL);
  if (self->session == NULL)
    return FALSE;
  self->wanted_direction = NET_SIP_SDP_DIRECTION_SENDRECV;
  self->h_dtmf = g_signal_connect (self->session, "dtmf-received",
                                   G_CALLBACK (on_dtmf_received), self);
  self->h_media_timeout = g_signal_connect (self->session, "media-timed-out",
                                            G_CALLBACK (on_media_timeout), self);
  return TRUE;
}

static NetSipSdp *
media_offer (NetSipCall *self)
{
  return net_sip_rtp_session_create_offer (self->session);
}

static NetSipSdp *
media_answer (NetSipCall *self,
              NetSipSdp  *offer,
              GError    **error)
{
  /* the answer is limited by what we want (RFC 3264 §6.1), not by what
   * the last exchange left: after the peer's hold (we were recvonly) its
   * resume offer gets sendrecv again */
  net_sip_rtp_session_set_direction (self->session, self->wanted_direction);
  return net_sip_rtp_session_create_answer (self->session, offer, error);
}

static gboolean
media_apply_answer (NetSipCall *self,
                    NetSipSdp  *answer,
                    GError    **error)
{
  return net_sip_rtp_session_apply_answer (self->session, answer, error);
}

static void
media_start (NetSipCall *self)
{
  if (self->session && !self->media_started)
    {
      self->media_started = TRUE;
      net_sip_rtp_session_start (self->session);
    }
}

static void
media_stop (NetSipCall *self)
{
  if (self->session == NULL)
    return;
  g_clear_signal_handler (&self->h_media_timeout, self->session);
  if (self->media_started)
    net_sip_rtp_session_stop (self->session);
  self->media_started = FALSE;
}

static void
media_dispose (NetSipCall *self)
{
  if (self->session)
    {
      media_stop (self);
      g_clear_signal_handler (&self->h_dtmf, self->session);
    }
  g_clear_object (&self->session);
}

static NetSipSdpDirection
media_get_direction (NetSipCall *self)
{
  NetSipSdpDirection direction = NET_SIP_SDP_DIRECTION_SENDRECV;

  g_object_get (self->session, "direction", &direction, NULL);
  return direction;
}

static void
media_set_direction (NetSipCall        *self,
                     NetSipSdpDirection direction)
{
  g_object_set (self->session, "direction", direction, NULL);
}


static GBytes *
sdp_bytes (NetSipSdp *sdp)
{
  return sdp ? net_sip_sdp_to_bytes (sdp) : NULL;
}

/* An answer (or offer) from the peer in a response or ACK */
static void
take_remote_answer (NetSipCall    *self,
                    NetSipMessage *m)
{
  g_autoptr(NetSipSdp) sdp = sdp_of (m);
  g_autoptr(GError) error = NULL;

  if (sdp == NULL)
    return;
  if (!media_apply_answer (self, sdp, &error))
    {
      g_debug ("call %s: answer not usable: %s", self->call_id, error->message);
      return;
    }
  set_sdp (self, &self->remote_sdp, sdp, PROP_REMOTE_SDP);
}

/* ------------------------------------------------------------------ */
/* The endpoint's signals                                              */

static void send_bye (NetSipCall *self);

static void
on_provisional (NetSipEndpoint *endpoint,
                NetSipDialog   *dialog,
                NetSipRequest  *request,
                NetSipResponse *response,
                NetSipCall     *self)
{
  guint code = net_sip_response_get_code (response);
  gboolean tagged = net_sip_message_get_to_tag (NET_SIP_MESSAGE (response)) != NULL;

  if (request != self->invite || code == 100)
    return;
  if (self->state != NET_SIP_CALL_STATE_CALLING && self->state != NET_SIP_CALL_STATE_RINGING &&
      self->state != NET_SIP_CALL_STATE_EARLY)
    return;
  if (dialog && self->dialog == NULL)
    set_dialog (self, dialog);
  /* early media: the answer in a 183 (no PRACK: the 2xx repeats it) */
  take_remote_answer (self, NET_SIP_MESSAGE (response));
  if (code == 180)
    set_state (self, NET_SIP_CALL_STATE_RINGING, response);
  else if (tagged)
    set_state (self, NET_SIP_CALL_STATE_EARLY, response);
}

static void
answer_reinvite (NetSipCall    *self,
                 NetSipRequest *request)
{
  g_autoptr(NetSipSdp) offer = sdp_of (NET_SIP_MESSAGE (request));
  g_autoptr(NetSipSdp) reply = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  if (offer)
    {
      /* RFC 3264 §8: a new offer in the dialog; §6.1 directions */
      reply = media_answer (self, offer, &error);
      if (reply == NULL)
        {
          /* §14.2: the session goes on as it was */
          const char *headers[] = { "Warning: 304 - \"media type not available\"", NULL };
          g_debug ("call %s: re-INVITE offer refused: %s", self->call_id, error->message);
          net_sip_endpoint_respond (self->endpoint, self->dialog, request, 488, NULL, headers,
                                    NULL, NULL);
          return;
        }
      set_sdp (self, &self->remote_sdp, offer, PROP_REMOTE_SDP);
      self->offer_in_ack = FALSE;
    }
  else
    {
      /* §14.2: an INVITE without offer: ours in the 2xx, answer in ACK */
      reply = media_offer (self);
      self->offer_in_ack = TRUE;
    }
  body = sdp_bytes (reply);
  set_sdp (self, &self->local_sdp, reply, PROP_LOCAL_SDP);
  net_sip_endpoint_respond (self->endpoint, self->dialog, request, 200, NULL, NULL, body, NULL);
}

static gboolean
on_request (NetSipEndpoint   *endpoint,
            NetSipDialog     *dialog,
            NetSipRequest    *request,
            NetSipLeg        *leg,
            NetSipSourceInfo *source,
            NetSipCall       *self)
{
  const char *method = net_sip_request_get_method (request);

  if (dialog == NULL || dialog != self->dialog || request == self->invite)
    return FALSE;
  if (strcmp (method, "INVITE") == 0)
    {
      if (self->state != NET_SIP_CALL_STATE_ESTABLISHED)
        {
          net_sip_endpoint_respond (endpoint, dialog, request, 491, NULL, NULL, NULL, NULL);
          return TRUE;
        }
      answer_reinvite (self, request);
      return TRUE;
    }
  if (strcmp (method, "ACK") == 0)
    {
      /* §13.2.1: the answer to the offer of our 2xx */
      if (self->offer_in_ack)
        {
          self->offer_in_ack = FALSE;
          take_remote_answer (self, NET_SIP_MESSAGE (request));
        }
      return TRUE;
    }
  return FALSE;
}

static void
on_dialog_closed (NetSipEndpoint *endpoint,
                  NetSipDialog   *dialog,
                  NetSipCall     *self)
{
  if (dialog != self->dialog)
    return;
  /* our BYE's result ends the call (send_bye), not the dialog leaving */
  if (self->bye_in_flight)
    return;
  /* a caller's INVITE still pending (or cancelled) ends with its final
   * response, not with its early dialog; but a 2xx that crossed our
   * CANCEL made this dialog, which the endpoint ends at once */
  if (!self->incoming && self->state != NET_SIP_CALL_STATE_ESTABLISHED &&
      !(self->cancel_wanted && net_sip_dialog_get_state (dialog) == NET_SIP_DIALOG_TERMINATED &&
        self->final_code >= 200 && self->final_code < 300))
    return;
  if (self->incoming && self->final_code == 0)
    set_final_code (self, 487);   /* CANCEL before our answer (§9.2) */
  set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
}

static void
connect_endpoint (NetSipCall *self)
{
  self->h_provisional = g_signal_connect (self->endpoint, "provisional-received",
                                          G_CALLBACK (on_provisional), self);
  self->h_request = g_signal_connect (self->endpoint, "request-received",
                                      G_CALLBACK (on_request), self);
  self->h_closed = g_signal_connect (self->endpoint, "dialog-closed",
                                     G_CALLBACK (on_dialog_closed), self);
}

static void
disconnect_endpoint (NetSipCall *self)
{
  if (self->endpoint == NULL)
    return;
  g_clear_signal_handler (&self->h_provisional, self->endpoint);
  g_clear_signal_handler (&self->h_request, self->endpoint);
  g_clear_signal_handler (&self->h_closed, self->endpoint);
}

/* ------------------------------------------------------------------ */
/* Our requests                                                        */

static void
on_bye_done (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(NetSipCall) self = user_data;
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  if (!net_sip_endpoint_deliver_finish (NET_SIP_ENDPOINT (source), result, &response, NULL,
                                        &error))
    g_debug ("call %s: BYE: %s", self->call_id, error->message);
  self->bye_in_flight = FALSE;
  /* the dialog is over whatever the answer (§15.1.1): out of the
   * endpoint if a timeout left it there */
  if (self->dialog && net_sip_dialog_get_state (self->dialog) != NET_SIP_DIALOG_TERMINATED)
    {
      net_sip_dialog_terminate (self->dialog);
      net_sip_endpoint_close_dialog (self->endpoint, self->dialog);
    }
  set_state (self, NET_SIP_CALL_STATE_CLOSED, response);
}

/* §15.1.1: BYE in the confirmed dialog; CLOSING now, CLOSED with its
 * response */
static void
send_bye (NetSipCall *self)
{
  g_autoptr(NetSipRequest) bye = NULL;

  bye = net_sip_endpoint_new_request (self->endpoint, self->dialog, "BYE", NULL, NULL, NULL,
                                      NULL, NULL);
  if (bye == NULL)
    {
      net_sip_endpoint_close_dialog (self->endpoint, self->dialog);
      set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
      return;
    }
  self->bye_in_flight = TRUE;
  set_state (self, NET_SIP_CALL_STATE_CLOSING, NULL);   /* no-op if CLOSING */
  net_sip_endpoint_deliver_async (self->endpoint, bye, NULL, on_bye_done, g_object_ref (self));
}

static void
on_invite_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  g_autoptr(NetSipCall) self = user_data;
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipDialog) dialog = NULL;
  g_autoptr(GError) error = NULL;
  guint code;

  if (!net_sip_endpoint_invite_finish (NET_SIP_ENDPOINT (source), result, &response, &dialog,
                                       &error))
    {
      g_debug ("call %s: INVITE: %s", self->call_id, error->message);
      /* a timeout counts as 408 (RFC 3261 §8.1.3.1), a transport
       * failure as 503 (§8.1.3.1, RFC 3263 §4.3) */
      set_final_code (self, response ? net_sip_response_get_code (response) :
                            g_error_matches (error, NET_SIP_TRANSACTION_ERROR,
                                             NET_SIP_TRANSACTION_ERROR_TIMEOUT) ? 408 : 503);
      set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
      return;
    }
  code = net_sip_response_get_code (response);
  set_final_code (self, code);
  if (code >= 200 && code < 300 && dialog)
    {
      set_dialog (self, dialog);
      if (self->state == NET_SIP_CALL_STATE_CLOSED)
        {
          /* closed while the INVITE was out: end the dialog it made */
          net_sip_endpoint_close_dialog (self->endpoint, dialog);
          return;
        }
      take_remote_answer (self, NET_SIP_MESSAGE (response));
      if (self->cancel_wanted)
        {
          /* §9.1: the 2xx crossed our CANCEL: the endpoint ACKs it and
           * ends the dialog with its own BYE; CLOSED when the dialog
           * leaves (on_dialog_closed), or now if it left already */
          if (net_sip_dialog_get_state (dialog) == NET_SIP_DIALOG_TERMINATED)
            set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
          return;
        }
      set_state (self, NET_SIP_CALL_STATE_ESTABLISHED, response);
      return;
    }
  set_state (self, NET_SIP_CALL_STATE_CLOSED, response);
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_call_dispose (GObject *object)
{
  NetSipCall *self = NET_SIP_CALL (object);

  disconnect_endpoint (self);
  media_dispose (self);
  g_clear_object (&self->endpoint);
  g_clear_object (&self->dialog);
  g_clear_object (&self->invite);
  g_clear_object (&self->local_sdp);
  g_clear_object (&self->remote_sdp);
  g_clear_object (&self->reinvite_offer);
  if (self->agent)
    g_object_remove_weak_pointer (self->agent, (gpointer *) &self->agent);
  self->agent = NULL;
  G_OBJECT_CLASS (net_sip_call_parent_class)->dispose (object);
}

static void
net_sip_call_finalize (GObject *object)
{
  NetSipCall *self = NET_SIP_CALL (object);

  g_free (self->peer);
  g_free (self->call_id);
  G_OBJECT_CLASS (net_sip_call_parent_class)->finalize (object);
}

static void
net_sip_call_get_property (GObject    *object,
                           guint       prop_id,
                           GValue     *value,
                           GParamSpec *pspec)
{
  NetSipCall *self = NET_SIP_CALL (object);

  switch (prop_id)
    {
    case PROP_STATE:
      g_value_set_enum (value, self->state);
      break;
    case PROP_INCOMING:
      g_value_set_boolean (value, self->incoming);
      break;
    case PROP_PEER:
      g_value_set_string (value, self->peer);
      break;
    case PROP_CALL_ID:
      g_value_set_string (value, self->call_id);
      break;
    case PROP_DIALOG:
      g_value_set_object (value, self->dialog);
      break;
    case PROP_RTP_SESSION:
      g_value_set_object (value, self->session);
      break;
    case PROP_FINAL_CODE:
      g_value_set_uint (value, self->final_code);
      break;
    case PROP_AGENT:
      g_value_set_object (value, self->agent);
      break;
    case PROP_LOCAL_SDP:
      g_value_set_object (value, self->local_sdp);
      break;
    case PROP_REMOTE_SDP:
      g_value_set_object (value, self->remote_sdp);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_call_class_init (NetSipCallClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = net_sip_call_dispose;
  object_class->finalize = net_sip_call_finalize;
  object_class->get_property = net_sip_call_get_property;

  /**
   * NetSipCall:state:
   *
   * Where the call is; changes are also reported, with the response
   * that caused them, by [signal@NetSip.Call::state-changed].
   *
   * Since: 1.0
   */
  props[PROP_STATE] =
    g_param_spec_enum ("state", NULL, NULL, NET_SIP_TYPE_CALL_STATE,
                       NET_SIP_CALL_STATE_CALLING, ro);
  /**
   * NetSipCall:incoming:
   *
   * %TRUE when the peer called us (we are the UAS of the INVITE).
   *
   * Since: 1.0
   */
  props[PROP_INCOMING] = g_param_spec_boolean ("incoming", NULL, NULL, FALSE, ro);
  /**
   * NetSipCall:peer:
   *
   * The other side: the `to` of [method@NetSip.Agent.invite] for an
   * outgoing call, the From of the INVITE (name-addr as received) for an
   * incoming one.
   *
   * Since: 1.0
   */
  props[PROP_PEER] = g_param_spec_string ("peer", NULL, NULL, NULL, ro);
  /**
   * NetSipCall:call-id:
   *
   * The Call-ID of the INVITE and its dialog (RFC 3261 §8.1.1.4).
   *
   * Since: 1.0
   */
  props[PROP_CALL_ID] = g_param_spec_string ("call-id", NULL, NULL, NULL, ro);
  /**
   * NetSipCall:dialog:
   *
   * The dialog (RFC 3261 §12): early for a callee from the INVITE on and
   * for a caller after a provisional response with a To tag, confirmed
   * by the 2xx; %NULL before. After CLOSED it is terminated.
   *
   * Since: 1.0
   */
  props[PROP_DIALOG] = g_param_spec_object ("dialog", NULL, NULL, NET_SIP_TYPE_DIALOG, ro);
  /**
   * NetSipCall:rtp-session:
   *
   * The audio of the call: set up playback, recording or echo on it
   * right after [method@NetSip.Agent.invite] or in the
   * [signal@NetSip.Agent::incoming-call] handler. It starts when the
   * call is established and stops when it closes.
   *
   * Since: 1.0
   */
  props[PROP_RTP_SESSION] =
    g_param_spec_object ("rtp-session", NULL, NULL, NET_SIP_TYPE_RTP_SESSION, ro);
  /**
   * NetSipCall:final-code:
   *
   * The final status code of the INVITE: received (caller) or sent
   * (callee); 408 when our INVITE timed out, 503 when it could not be
   * sent (RFC 3261 §8.1.3.1), 487 when the caller cancelled; 0 before
   * the final response.
   *
   * Since: 1.0
   */
  props[PROP_FINAL_CODE] = g_param_spec_uint ("final-code", NULL, NULL, 0, 699, 0, ro);
  /**
   * NetSipCall:agent:
   *
   * The [class@NetSip.Agent] of the call (a weak reference: %NULL once
   * the agent is gone).
   *
   * Since: 1.0
   */
  props[PROP_AGENT] = g_param_spec_object ("agent", NULL, NULL, NET_SIP_TYPE_AGENT, ro);
  /**
   * NetSipCall:local-sdp:
   *
   * The session description we sent last (offer or answer, RFC 3264),
   * or %NULL.
   *
   * Since: 1.0
   */
  props[PROP_LOCAL_SDP] = g_param_spec_object ("local-sdp", NULL, NULL, NET_SIP_TYPE_SDP, ro);
  /**
   * NetSipCall:remote-sdp:
   *
   * The session description the peer sent last and we accepted (offer
   * or answer, RFC 3264), or %NULL.
   *
   * Since: 1.0
   */
  props[PROP_REMOTE_SDP] = g_param_spec_object ("remote-sdp", NULL, NULL, NET_SIP_TYPE_SDP, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipCall::state-changed:
   * @self: the call
   * @state: the new state
   * @response: (nullable): the response that caused the change: a 180
   *   (RINGING), another provisional with a To tag (EARLY), the 2xx
   *   (ESTABLISHED), the final non-2xx or the response to our BYE
   *   (CLOSED); %NULL when a local action (accept, ring, reject, bye,
   *   cancel), a received request (BYE, CANCEL), a timeout or a media
   *   timeout caused it
   *
   * The call changed its state. %NET_SIP_CALL_STATE_CLOSED is reported
   * once and is the last.
   *
   * Since: 1.0
   */
  signals[SIG_STATE_CHANGED] =
    g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 2, NET_SIP_TYPE_CALL_STATE,
                  NET_SIP_TYPE_RESPONSE);
  /**
   * NetSipCall::dtmf-received:
   * @self: the call
   * @digit: the digit, one of `0-9*#A-D`
   * @duration_ms: how long it lasted, in milliseconds
   * @method: how it came: %NET_SIP_DTMF_METHOD_RFC4733 or
   *   %NET_SIP_DTMF_METHOD_INBAND
   *
   * The peer sent a DTMF digit: forwarded from
   * [signal@NetSip.RtpSession::dtmf-received].
   *
   * Since: 1.0
   */
  signals[SIG_DTMF_RECEIVED] =
    g_signal_new ("dtmf-received", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_UINT,
                  NET_SIP_TYPE_DTMF_METHOD);
  /**
   * NetSipCall::media-timeout:
   * @self: the call
   *
   * No RTP arrived for [property@NetSip.Agent:media-timeout] seconds.
   * The call is then ended with a BYE (or CANCEL / 480 if it was not
   * established), like Net::SIP::Simple::Call's `rtp_timeout`.
   *
   * Since: 1.0
   */
  signals[SIG_MEDIA_TIMEOUT] =
    g_signal_new ("media-timeout", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 0);
}

static void
net_sip_call_init (NetSipCall *self)
{
  self->state = NET_SIP_CALL_STATE_CALLING;
}

/* ------------------------------------------------------------------ */
/* Private construction (netsip-call-private.h)                        */

static NetSipCall *
call_new (GObject        *agent,
          NetSipEndpoint *endpoint)
{
  NetSipCall *self = g_object_new (NET_SIP_TYPE_CALL, NULL);

  self->agent = agent;
  if (agent)
    g_object_add_weak_pointer (agent, (gpointer *) &self->agent);
  self->endpoint = g_object_ref (endpoint);
  return self;
}

NetSipCall *
net_sip_call_new_outgoing (GObject               *agent,
                           NetSipEndpoint        *endpoint,
                           const char            *from,
                           const char            *to,
                           const char * const    *headers,
                           const NetSipCallMedia *media,
                           GError               **error)
{
  g_autoptr(NetSipCall) self = call_new (agent, endpoint);
  g_autoptr(NetSipSdp) offer = NULL;
  g_autoptr(GBytes) body = NULL;

  if (!media_init (self, media, error))
    return NULL;
  offer = media_offer (self);
  body = sdp_bytes (offer);
  self->invite = net_sip_endpoint_new_request (endpoint, NULL, "INVITE", from, to, NULL, headers,
                                               body);
  if (self->invite == NULL)
    {
      g_set_error (error, NET_SIP_ENDPOINT_ERROR, NET_SIP_ENDPOINT_ERROR_INVALID,
                   "cannot make an INVITE from '%s' to '%s'", from, to);
      return NULL;
    }
  self->local_sdp = g_steal_pointer (&offer);
  self->peer = g_strdup (to);
  self->call_id = g_strdup (net_sip_message_get_call_id (NET_SIP_MESSAGE (self->invite)));
  self->state = NET_SIP_CALL_STATE_CALLING;
  return g_steal_pointer (&self);
}

void
net_sip_call_start (NetSipCall *self)
{
  g_return_if_fail (NET_SIP_IS_CALL (self));
  g_return_if_fail (!self->incoming && self->state == NET_SIP_CALL_STATE_CALLING);

  connect_endpoint (self);
  net_sip_endpoint_invite_async (self->endpoint, self->invite, NULL, on_invite_done,
                                 g_object_ref (self));
}

NetSipCall *
net_sip_call_new_incoming (GObject               *agent,
                           NetSipEndpoint        *endpoint,
                           NetSipDialog          *dialog,
                           NetSipRequest         *invite,
                           const NetSipCallMedia *media,
                           GError               **error)
{
  g_autoptr(NetSipCall) self = call_new (agent, endpoint);
  NetSipMessage *m = NET_SIP_MESSAGE (invite);
  const char *from = net_sip_message_get_header (m, "From");
  g_autoptr(NetSipNameAddr) addr = from ? net_sip_name_addr_parse (from, -1, NULL) : NULL;

  self->incoming = TRUE;
  self->state = NET_SIP_CALL_STATE_INCOMING;
  self->dialog = g_object_ref (dialog);
  self->invite = g_object_ref (invite);
  self->call_id = g_strdup (net_sip_message_get_call_id (m));
  self->peer = g_strdup (addr ? net_sip_name_addr_get_uri_string (addr) : from);
  self->remote_sdp = sdp_of (m);
  if (!media_init (self, media, error))
    {
      net_sip_endpoint_respond (endpoint, dialog, invite, 500, NULL, NULL, NULL, NULL);
      return NULL;
    }
  connect_endpoint (self);
  return g_steal_pointer (&self);
}

gboolean
net_sip_call_was_rung (NetSipCall *self)
{
  return self->rung;
}

void
net_sip_call_close_now (NetSipCall *self)
{
  g_object_ref (self);
  net_sip_call_hangup (self);
  set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
  g_object_unref (self);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_call_get_state:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:state].
 *
 * Returns: the state of the call
 *
 * Since: 1.0
 */
NetSipCallState
net_sip_call_get_state (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NET_SIP_CALL_STATE_CLOSED);
  return self->state;
}

/**
 * net_sip_call_is_incoming:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:incoming].
 *
 * Returns: %TRUE if the peer called us
 *
 * Since: 1.0
 */
gboolean
net_sip_call_is_incoming (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  return self->incoming;
}

/**
 * net_sip_call_get_peer:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:peer].
 *
 * Returns: (transfer none): the other side's URI
 *
 * Since: 1.0
 */
const char *
net_sip_call_get_peer (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->peer;
}

/**
 * net_sip_call_get_call_id:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:call-id].
 *
 * Returns: (transfer none): the Call-ID (RFC 3261 §8.1.1.4)
 *
 * Since: 1.0
 */
const char *
net_sip_call_get_call_id (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->call_id;
}

/**
 * net_sip_call_get_dialog:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:dialog].
 *
 * Returns: (transfer none) (nullable): the dialog (RFC 3261 §12), or
 *   %NULL while a caller has none yet
 *
 * Since: 1.0
 */
NetSipDialog *
net_sip_call_get_dialog (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->dialog;
}

/**
 * net_sip_call_get_rtp_session:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:rtp-session].
 *
 * Returns: (transfer none): the RTP session of the call
 *
 * Since: 1.0
 */
NetSipRtpSession *
net_sip_call_get_rtp_session (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->session;
}

/**
 * net_sip_call_get_final_code:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:final-code].
 *
 * Returns: the final status code of the INVITE, 0 before it
 *
 * Since: 1.0
 */
guint
net_sip_call_get_final_code (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), 0);
  return self->final_code;
}

/**
 * net_sip_call_get_local_sdp:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:local-sdp].
 *
 * Returns: (transfer none) (nullable): the session description we sent
 *   last
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_call_get_local_sdp (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->local_sdp;
}

/**
 * net_sip_call_get_remote_sdp:
 * @self: a #NetSipCall
 *
 * Gets [property@NetSip.Call:remote-sdp].
 *
 * Returns: (transfer none) (nullable): the session description the
 *   peer sent last
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_call_get_remote_sdp (NetSipCall *self)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), NULL);
  return self->remote_sdp;
}

static gboolean
is_undecided_incoming (NetSipCall *self)
{
  return self->incoming && (self->state == NET_SIP_CALL_STATE_INCOMING ||
                            self->state == NET_SIP_CALL_STATE_RINGING);
}

/**
 * net_sip_call_ring:
 * @self: a #NetSipCall
 * @error: return location for a #GError
 *
 * Answers the INVITE of an incoming call with 180 Ringing (RFC 3261
 * §13.3.1.1) and moves to %NET_SIP_CALL_STATE_RINGING; the application
 * decides later with [method@NetSip.Call.accept] or
 * [method@NetSip.Call.reject]. Called from the
 * [signal@NetSip.Agent::incoming-call] handler it keeps the agent from
 * answering by itself. Calling it again sends another 180.
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless the call is incoming
 * and not answered yet; %NET_SIP_ENDPOINT_ERROR_NOT_FOUND when the
 * INVITE is gone (cancelled).
 *
 * Returns: %TRUE if the 180 was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_call_ring (NetSipCall *self,
                   GError    **error)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_undecided_incoming (self))
    return wrong_state (self, "ring", error);
  if (!net_sip_endpoint_respond (self->endpoint, self->dialog, self->invite, 180, NULL, NULL,
                                 NULL, error))
    return FALSE;
  self->rung = TRUE;
  set_state (self, NET_SIP_CALL_STATE_RINGING, NULL);
  return TRUE;
}

/**
 * net_sip_call_accept:
 * @self: a #NetSipCall
 * @error: return location for a #GError
 *
 * Answers the INVITE of an incoming call with 200 OK (RFC 3261
 * §13.3.1.4): with the SDP answer to its offer (RFC 3264 §6), or with an
 * offer if the INVITE had none (the answer then comes in the ACK). The
 * call is %NET_SIP_CALL_STATE_ESTABLISHED at once and its RTP session
 * starts; the 2xx is repeated until the ACK (no ACK in 64*T1: BYE and
 * CLOSED).
 *
 * When the offer has no codec in common the INVITE is answered 488 Not
 * Acceptable Here, the call closes and the session's error is returned
 * (%NET_SIP_RTP_ERROR_BAD_SDP).
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless the call is incoming
 * and not answered yet; %NET_SIP_RTP_ERROR_BAD_SDP;
 * %NET_SIP_ENDPOINT_ERROR_NOT_FOUND when the INVITE is gone.
 *
 * Returns: %TRUE if the 200 was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_call_accept (NetSipCall *self,
                     GError    **error)
{
  g_autoptr(NetSipSdp) sdp = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_undecided_incoming (self))
    return wrong_state (self, "accept", error);
  if (self->remote_sdp)
    {
      GError *local = NULL;

      sdp = media_answer (self, self->remote_sdp, &local);
      if (sdp == NULL)
        {
          const char *headers[] = { "Warning: 304 - \"media type not available\"", NULL };

          set_final_code (self, 488);
          net_sip_endpoint_respond (self->endpoint, self->dialog, self->invite, 488, NULL,
                                    headers, NULL, NULL);
          set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
          g_propagate_error (error, local);
          return FALSE;
        }
    }
  else
    {
      sdp = media_offer (self);
      self->offer_in_ack = TRUE;
    }
  body = sdp_bytes (sdp);
  if (!net_sip_endpoint_respond (self->endpoint, self->dialog, self->invite, 200, NULL, NULL,
                                 body, error))
    return FALSE;
  set_sdp (self, &self->local_sdp, sdp, PROP_LOCAL_SDP);
  set_final_code (self, 200);
  set_state (self, NET_SIP_CALL_STATE_ESTABLISHED, NULL);
  return TRUE;
}

/**
 * net_sip_call_reject:
 * @self: a #NetSipCall
 * @code: the final status code, 300-699 (486 Busy Here, 603 Decline...)
 * @reason: (nullable): the reason phrase, %NULL for the usual one
 * @error: return location for a #GError
 *
 * Answers the INVITE of an incoming call with a final non-2xx response
 * (RFC 3261 §13.3.1.3); the call is %NET_SIP_CALL_STATE_CLOSED with
 * [property@NetSip.Call:final-code] @code.
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless the call is incoming
 * and not answered yet; %NET_SIP_ENDPOINT_ERROR_NOT_FOUND when the
 * INVITE is gone.
 *
 * Returns: %TRUE if the response was sent
 *
 * Since: 1.0
 */
gboolean
net_sip_call_reject (NetSipCall *self,
                     guint       code,
                     const char *reason,
                     GError    **error)
{
  gboolean ok;

  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (code >= 300 && code <= 699, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!is_undecided_incoming (self))
    return wrong_state (self, "reject", error);
  g_object_ref (self);
  set_final_code (self, code);
  ok = net_sip_endpoint_respond (self->endpoint, self->dialog, self->invite, code, reason, NULL,
                                 NULL, error);
  set_state (self, NET_SIP_CALL_STATE_CLOSED, NULL);
  g_object_unref (self);
  return ok;
}

static void
on_reinvite_done (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  NetSipCall *self = g_task_get_source_object (task);
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipSdp) offer = g_steal_pointer (&self->reinvite_offer);
  g_autoptr(GError) error = NULL;
  guint code;

  self->reinvite = NULL;   /* borrowed: the callback holds the task */
  if (!net_sip_endpoint_invite_finish (NET_SIP_ENDPOINT (source), result, &response, NULL,
                                       &error))
    {
      self->wanted_direction = self->reinvite_wanted;
      media_set_direction (self, self->reinvite_previous);
      /* §14.1: a re-INVITE that timed out ends the dialog */
      if (g_error_matches (error, NET_SIP_TRANSACTION_ERROR, NET_SIP_TRANSACTION_ERROR_TIMEOUT) &&
          self->state == NET_SIP_CALL_STATE_ESTABLISHED)
        send_bye (self);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  code = net_sip_response_get_code (response);
  if (code >= 200 && code < 300)
    {
      set_sdp (self, &self->local_sdp, offer, PROP_LOCAL_SDP);
      take_remote_answer (self, NET_SIP_MESSAGE (response));
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->wanted_direction = self->reinvite_wanted;
  media_set_direction (self, self->reinvite_previous);
  /* §14.1: 481 and 408 end the dialog; anything else keeps the session */
  if ((code == 481 || code == 408) && self->state == NET_SIP_CALL_STATE_ESTABLISHED)
    send_bye (self);
  g_task_return_new_error (task, NET_SIP_CALL_ERROR, NET_SIP_CALL_ERROR_REJECTED,
                           "re-INVITE answered %u %s", code,
                           net_sip_response_get_reason (response));
}

/**
 * net_sip_call_reinvite_async:
 * @self: a #NetSipCall
 * @direction: the direction to offer, from our side:
 *   %NET_SIP_SDP_DIRECTION_SENDONLY or %NET_SIP_SDP_DIRECTION_INACTIVE
 *   to put the peer on hold, %NET_SIP_SDP_DIRECTION_SENDRECV to resume
 *   (RFC 3264 §8.4)
 * @cancellable: (nullable): cancelling sends a CANCEL for the re-INVITE
 *   once it had a provisional response (RFC 3261 §9.1)
 * @callback: (scope async): called with the final response
 * @user_data: data for @callback
 *
 * Sends a re-INVITE in the established dialog (RFC 3261 §14.1) with a
 * new offer of the RTP session (its version in `o=` increased) that has
 * @direction; the peer's answer is applied to the session on 2xx.
 *
 * Since: 1.0
 */
void
net_sip_call_reinvite_async (NetSipCall         *self,
                             NetSipSdpDirection  direction,
                             GCancellable       *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer            user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(NetSipRequest) request = NULL;
  g_autoptr(GBytes) body = NULL;

  g_return_if_fail (NET_SIP_IS_CALL (self));
  g_return_if_fail (direction <= NET_SIP_SDP_DIRECTION_SENDRECV);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_call_reinvite_async);
  if (self->state != NET_SIP_CALL_STATE_ESTABLISHED || self->reinvite || self->offer_in_ack)
    {
      g_autoptr(GError) error = NULL;
      wrong_state (self, self->reinvite ? "a second re-INVITE" : "re-INVITE", &error);
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->reinvite_previous = media_get_direction (self);
  self->reinvite_wanted = self->wanted_direction;
  self->wanted_direction = direction;
  media_set_direction (self, direction);
  self->reinvite_offer = media_offer (self);
  body = sdp_bytes (self->reinvite_offer);
  request = net_sip_endpoint_new_request (self->endpoint, self->dialog, "INVITE", NULL, NULL,
                                          NULL, NULL, body);
  self->reinvite = task;
  net_sip_endpoint_invite_async (self->endpoint, request, cancellable, on_reinvite_done,
                                 g_steal_pointer (&task));
}

/**
 * net_sip_call_reinvite_finish:
 * @self: a #NetSipCall
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@NetSip.Call.reinvite_async].
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE (not established, or another
 * re-INVITE pending); %NET_SIP_CALL_ERROR_REJECTED for a final non-2xx
 * (the previous session description stays in force; after 481 or 408
 * the call is ended with BYE, RFC 3261 §14.1);
 * %NET_SIP_TRANSACTION_ERROR_TIMEOUT (the call is then ended with BYE),
 * %NET_SIP_TRANSACTION_ERROR_CANCELLED when the call closed meanwhile.
 *
 * Returns: %TRUE if the peer accepted the new offer
 *
 * Since: 1.0
 */
gboolean
net_sip_call_reinvite_finish (NetSipCall   *self,
                              GAsyncResult *result,
                              GError      **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == net_sip_call_reinvite_async,
                        FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * net_sip_call_send_dtmf:
 * @self: a #NetSipCall
 * @digits: the digits, from `0-9*#A-D`
 * @method: RFC 4733 events, in-band tones, or %NET_SIP_DTMF_METHOD_AUTO
 *   (events if the peer negotiated `telephone-event`)
 * @duration_ms: length of each tone, in milliseconds (40-5000)
 * @error: return location for a #GError
 *
 * Queues @digits on the call's RTP session
 * ([method@NetSip.RtpSession.send_dtmf]; RFC 4733 §2.5, ITU-T Q.23).
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless established;
 * %NET_SIP_RTP_ERROR_INVALID, %NET_SIP_RTP_ERROR_NOT_NEGOTIATED from the
 * session.
 *
 * Returns: %TRUE if the digits were queued
 *
 * Since: 1.0
 */
gboolean
net_sip_call_send_dtmf (NetSipCall       *self,
                        const char       *digits,
                        NetSipDtmfMethod  method,
                        guint             duration_ms,
                        GError          **error)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (digits != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != NET_SIP_CALL_STATE_ESTABLISHED || self->session == NULL)
    return wrong_state (self, "send_dtmf", error);
  return net_sip_rtp_session_send_dtmf (self->session, digits, method, duration_ms, error);
}

/**
 * net_sip_call_cancel:
 * @self: a #NetSipCall
 * @error: return location for a #GError
 *
 * Cancels our INVITE before its final response (RFC 3261 §9.1): the
 * call moves to %NET_SIP_CALL_STATE_CLOSING; the CANCEL is sent once a
 * provisional response has come; the call is
 * %NET_SIP_CALL_STATE_CLOSED with the INVITE's final response (487). If
 * a 2xx crosses the CANCEL the dialog it made is ended with a BYE and the
 * call is CLOSED without a response ([property@NetSip.Call:final-code]
 * 200).
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless an outgoing call in
 * CALLING, RINGING or EARLY.
 *
 * Returns: %TRUE if the cancellation is under way
 *
 * Since: 1.0
 */
gboolean
net_sip_call_cancel (NetSipCall *self,
                     GError    **error)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->incoming || (self->state != NET_SIP_CALL_STATE_CALLING &&
                         self->state != NET_SIP_CALL_STATE_RINGING &&
                         self->state != NET_SIP_CALL_STATE_EARLY))
    return wrong_state (self, "cancel", error);
  self->cancel_wanted = TRUE;
  if (!net_sip_endpoint_cancel_invite (self->endpoint, self->invite))
    return wrong_state (self, "cancel", error);
  set_state (self, NET_SIP_CALL_STATE_CLOSING, NULL);
  return TRUE;
}

/**
 * net_sip_call_bye:
 * @self: a #NetSipCall
 * @error: return location for a #GError
 *
 * Ends an established call with BYE (RFC 3261 §15.1.1): the call moves
 * to %NET_SIP_CALL_STATE_CLOSING and is %NET_SIP_CALL_STATE_CLOSED with
 * the BYE's response (or %NULL after a timeout, 64*T1).
 *
 * Errors: %NET_SIP_CALL_ERROR_WRONG_STATE unless established.
 *
 * Returns: %TRUE if the BYE is under way
 *
 * Since: 1.0
 */
gboolean
net_sip_call_bye (NetSipCall *self,
                  GError    **error)
{
  g_return_val_if_fail (NET_SIP_IS_CALL (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (self->state != NET_SIP_CALL_STATE_ESTABLISHED)
    return wrong_state (self, "bye", error);
  send_bye (self);
  return TRUE;
}

/**
 * net_sip_call_hangup:
 * @self: a #NetSipCall
 *
 * Ends the call whatever its state: BYE when established, CANCEL for
 * our INVITE before its final response, 480 Temporarily Unavailable for
 * an incoming call not answered yet; nothing once CLOSING or CLOSED.
 * Never fails.
 *
 * Since: 1.0
 */
void
net_sip_call_hangup (NetSipCall *self)
{
  g_return_if_fail (NET_SIP_IS_CALL (self));

  switch (self->state)
    {
    case NET_SIP_CALL_STATE_INCOMING:
    case NET_SIP_CALL_STATE_RINGING:
    case NET_SIP_CALL_STATE_EARLY:
    case NET_SIP_CALL_STATE_CALLING:
      if (self->incoming)
        net_sip_call_reject (self, 480, NULL, NULL);
      else
        net_sip_call_cancel (self, NULL);
      break;
    case NET_SIP_CALL_STATE_ESTABLISHED:
      send_bye (self);
      break;
    case NET_SIP_CALL_STATE_CLOSING:
    case NET_SIP_CALL_STATE_CLOSED:
    default:
      break;
    }
}
