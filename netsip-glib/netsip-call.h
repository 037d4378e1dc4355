/* netsip-call.h: one call of a NetSipAgent (Net::SIP::Simple::Call): the
 * INVITE dialog, its offer/answer and its NetSipRtpSession
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-dialog.h"
#include "netsip-sdp.h"
#include "netsip-rtp-session.h"

G_BEGIN_DECLS

/**
 * NetSipCallState:
 * @NET_SIP_CALL_STATE_INCOMING: an INVITE was received; the application
 *   has not accepted or rejected it yet
 * @NET_SIP_CALL_STATE_CALLING: our INVITE is sent, no provisional
 *   response yet (RFC 3261 §13.2.1)
 * @NET_SIP_CALL_STATE_RINGING: a 180 was received (caller) or sent (callee)
 * @NET_SIP_CALL_STATE_EARLY: a provisional response with a To tag other
 *   than 180, with or without early media (RFC 3261 §13.2.2.4)
 * @NET_SIP_CALL_STATE_ESTABLISHED: a 2xx was received and ACKed (caller)
 *   or sent (callee): the dialog is confirmed
 * @NET_SIP_CALL_STATE_CLOSING: our BYE or CANCEL is sent
 * @NET_SIP_CALL_STATE_CLOSED: the dialog ended (BYE either way, CANCEL,
 *   a failed INVITE, no ACK, media timeout); final
 *
 * States of a [class@NetSip.Call], reported by
 * [signal@NetSip.Call::state-changed].
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_CALL_STATE_INCOMING,
  NET_SIP_CALL_STATE_CALLING,
  NET_SIP_CALL_STATE_RINGING,
  NET_SIP_CALL_STATE_EARLY,
  NET_SIP_CALL_STATE_ESTABLISHED,
  NET_SIP_CALL_STATE_CLOSING,
  NET_SIP_CALL_STATE_CLOSED,
} NetSipCallState;

/**
 * NetSipCallError:
 * @NET_SIP_CALL_ERROR_WRONG_STATE: the method does not apply in the call's
 *   state (accept after the answer, cancel after the final response,
 *   re-INVITE before the call is established or while another is pending)
 * @NET_SIP_CALL_ERROR_REJECTED: the peer answered a re-INVITE with a final
 *   non-2xx response (e.g. 488, 491); the call goes on with the previous
 *   session description (RFC 3261 §14.1)
 *
 * Error codes in the %NET_SIP_CALL_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_CALL_ERROR_WRONG_STATE,
  NET_SIP_CALL_ERROR_REJECTED,
} NetSipCallError;

/**
 * NET_SIP_CALL_ERROR:
 *
 * The error domain of [class@NetSip.Call].
 *
 * Since: 1.0
 */
#define NET_SIP_CALL_ERROR (net_sip_call_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_call_error_quark (void);

#define NET_SIP_TYPE_CALL (net_sip_call_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipCall, net_sip_call, NET_SIP, CALL, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipCallState   net_sip_call_get_state        (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_is_incoming      (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_call_get_peer         (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_call_get_call_id      (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipDialog     *net_sip_call_get_dialog       (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipRtpSession *net_sip_call_get_rtp_session  (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_call_get_final_code   (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp        *net_sip_call_get_local_sdp    (NetSipCall        *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp        *net_sip_call_get_remote_sdp   (NetSipCall        *self);

/* Incoming calls (state INCOMING) */
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_ring             (NetSipCall        *self,
                                                 GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_accept           (NetSipCall        *self,
                                                 GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_reject           (NetSipCall        *self,
                                                 guint              code,
                                                 const char        *reason,
                                                 GError           **error);

/* Established calls */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_call_reinvite_async   (NetSipCall        *self,
                                                 NetSipSdpDirection direction,
                                                 GCancellable      *cancellable,
                                                 GAsyncReadyCallback callback,
                                                 gpointer           user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_reinvite_finish  (NetSipCall        *self,
                                                 GAsyncResult      *result,
                                                 GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_send_dtmf        (NetSipCall        *self,
                                                 const char        *digits,
                                                 NetSipDtmfMethod   method,
                                                 guint              duration_ms,
                                                 GError           **error);

/* Ending */
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_cancel           (NetSipCall        *self,
                                                 GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_call_bye              (NetSipCall        *self,
                                                 GError           **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_call_hangup           (NetSipCall        *self);

G_END_DECLS
