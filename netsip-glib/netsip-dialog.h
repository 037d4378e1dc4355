/* netsip-dialog.h: a dialog (RFC 3261 §12): the call context of Net::SIP
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"
#include "netsip-request.h"
#include "netsip-response.h"

G_BEGIN_DECLS

/**
 * NetSipDialogState:
 * @NET_SIP_DIALOG_EARLY: made by a provisional response with a To tag
 *   (RFC 3261 §12.1)
 * @NET_SIP_DIALOG_CONFIRMED: made or confirmed by a 2xx
 * @NET_SIP_DIALOG_TERMINATED: ended (BYE, a final non-2xx for the early
 *   dialog, or net_sip_dialog_terminate())
 *
 * The state of a dialog.
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_DIALOG_EARLY,
  NET_SIP_DIALOG_CONFIRMED,
  NET_SIP_DIALOG_TERMINATED,
} NetSipDialogState;

/**
 * NetSipDialogRequestCheck:
 * @NET_SIP_DIALOG_REQUEST_NEW: a new request in the dialog: its CSeq is
 *   now the remote sequence number
 * @NET_SIP_DIALOG_REQUEST_RETRANSMISSION: the same CSeq and method as the
 *   last request: a retransmission, for the transaction layer
 * @NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER: a CSeq below the last one: answer
 *   500 (RFC 3261 §12.2.2)
 * @NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG: Call-ID or tags are another
 *   dialog's: answer 481
 *
 * What net_sip_dialog_check_request() found.
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_DIALOG_REQUEST_NEW,
  NET_SIP_DIALOG_REQUEST_RETRANSMISSION,
  NET_SIP_DIALOG_REQUEST_OUT_OF_ORDER,
  NET_SIP_DIALOG_REQUEST_NOT_IN_DIALOG,
} NetSipDialogRequestCheck;

#define NET_SIP_TYPE_DIALOG (net_sip_dialog_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipDialog, net_sip_dialog, NET_SIP, DIALOG, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipDialog      *net_sip_dialog_new_uac             (NetSipRequest   *request,
                                                       NetSipResponse  *response,
                                                       GError         **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipDialog      *net_sip_dialog_new_uas             (NetSipRequest   *request,
                                                       const char      *local_tag,
                                                       const char      *local_contact,
                                                       GError         **error);

NET_SIP_AVAILABLE_IN_ALL
NetSipDialogState  net_sip_dialog_get_state           (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dialog_is_caller           (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_call_id         (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_local_tag       (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_remote_tag      (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_local_address   (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_remote_address  (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
guint32            net_sip_dialog_get_local_cseq      (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
guint32            net_sip_dialog_next_local_cseq     (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
guint32            net_sip_dialog_get_remote_cseq     (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_remote_target   (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_dialog_get_local_contact   (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dialog_set_local_contact   (NetSipDialog    *self,
                                                       const char      *contact);
NET_SIP_AVAILABLE_IN_ALL
const char * const *net_sip_dialog_get_route_set      (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dialog_get_secure          (NetSipDialog    *self);
NET_SIP_AVAILABLE_IN_ALL
char              *net_sip_dialog_get_id              (NetSipDialog    *self);

NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dialog_matches             (NetSipDialog    *self,
                                                       NetSipMessage   *message);
NET_SIP_AVAILABLE_IN_ALL
NetSipRequest     *net_sip_dialog_create_request      (NetSipDialog    *self,
                                                       const char      *method);
NET_SIP_AVAILABLE_IN_ALL
NetSipRequest     *net_sip_dialog_create_ack          (NetSipDialog    *self,
                                                       NetSipRequest   *invite);
NET_SIP_AVAILABLE_IN_ALL
NetSipDialogRequestCheck
                   net_sip_dialog_check_request       (NetSipDialog    *self,
                                                       NetSipRequest   *request);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dialog_handle_response     (NetSipDialog    *self,
                                                       NetSipRequest   *request,
                                                       NetSipResponse  *response);
NET_SIP_AVAILABLE_IN_ALL
gboolean           net_sip_dialog_refresh_target      (NetSipDialog    *self,
                                                       NetSipMessage   *message);
NET_SIP_AVAILABLE_IN_ALL
void               net_sip_dialog_terminate           (NetSipDialog    *self);

G_END_DECLS
