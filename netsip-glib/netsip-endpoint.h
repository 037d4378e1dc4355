/* netsip-endpoint.h: the user agent core (RFC 3261 §8, §12–§15, §22):
 * requests, dialogs, automatic answers, digest authentication (client),
 * registration
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-dialog.h"
#include "netsip-dispatcher.h"

G_BEGIN_DECLS

/**
 * NET_SIP_ENDPOINT_ERROR:
 *
 * Error domain of [class@NetSip.Endpoint]. Errors in this domain are from
 * the #NetSipEndpointError enumeration.
 *
 * Since: 1.0
 */
#define NET_SIP_ENDPOINT_ERROR (net_sip_endpoint_error_quark ())

/**
 * NetSipEndpointError:
 * @NET_SIP_ENDPOINT_ERROR_REJECTED: the peer answered with a final
 *   response that is not a 2xx where the operation needs one (a
 *   registration); the message names the code
 * @NET_SIP_ENDPOINT_ERROR_INVALID: the request cannot be sent by the
 *   endpoint (an ACK or CANCEL given to deliver, a request without
 *   Call-ID or CSeq, a dialog that is terminated)
 * @NET_SIP_ENDPOINT_ERROR_NOT_FOUND: no such request, dialog or
 *   registration is known to the endpoint
 * @NET_SIP_ENDPOINT_ERROR_CLOSED: the dialog was closed, or the endpoint
 *   disposed, while the operation was pending
 *
 * Error codes in the %NET_SIP_ENDPOINT_ERROR domain.
 *
 * Since: 1.0
 */
typedef enum
{
  NET_SIP_ENDPOINT_ERROR_REJECTED,
  NET_SIP_ENDPOINT_ERROR_INVALID,
  NET_SIP_ENDPOINT_ERROR_NOT_FOUND,
  NET_SIP_ENDPOINT_ERROR_CLOSED,
} NetSipEndpointError;

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_endpoint_error_quark (void);

#define NET_SIP_TYPE_ENDPOINT (net_sip_endpoint_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipEndpoint, net_sip_endpoint, NET_SIP, ENDPOINT, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipEndpoint   *net_sip_endpoint_new              (NetSipDispatcher    *dispatcher);
NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher *net_sip_endpoint_get_dispatcher   (NetSipEndpoint      *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_endpoint_get_contact      (NetSipEndpoint      *self);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_set_contact      (NetSipEndpoint      *self,
                                                     const char          *contact);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_endpoint_get_n_dialogs    (NetSipEndpoint      *self);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_endpoint_get_dialogs      (NetSipEndpoint      *self);

/* Requests (UAC) */
NET_SIP_AVAILABLE_IN_ALL
NetSipRequest    *net_sip_endpoint_new_request      (NetSipEndpoint      *self,
                                                     NetSipDialog        *dialog,
                                                     const char          *method,
                                                     const char          *from,
                                                     const char          *to,
                                                     const char          *request_uri,
                                                     const char * const  *headers,
                                                     GBytes              *body);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_deliver_async    (NetSipEndpoint      *self,
                                                     NetSipRequest       *request,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_deliver_finish   (NetSipEndpoint      *self,
                                                     GAsyncResult        *result,
                                                     NetSipResponse     **response,
                                                     NetSipDialog       **dialog,
                                                     GError             **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_invite_async     (NetSipEndpoint      *self,
                                                     NetSipRequest       *invite,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_invite_finish    (NetSipEndpoint      *self,
                                                     GAsyncResult        *result,
                                                     NetSipResponse     **response,
                                                     NetSipDialog       **dialog,
                                                     GError             **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_cancel_invite    (NetSipEndpoint      *self,
                                                     NetSipRequest       *invite);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_close_dialog     (NetSipEndpoint      *self,
                                                     NetSipDialog        *dialog);

/* Client authentication */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_set_credentials  (NetSipEndpoint      *self,
                                                     const char          *realm,
                                                     const char          *username,
                                                     const char          *password);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_authenticate     (NetSipEndpoint      *self,
                                                     NetSipRequest       *request,
                                                     const char          *realm,
                                                     const char          *username,
                                                     const char          *password);

/* Incoming requests (UAS) */
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_respond          (NetSipEndpoint      *self,
                                                     NetSipDialog        *dialog,
                                                     NetSipRequest       *request,
                                                     guint                code,
                                                     const char          *reason,
                                                     const char * const  *headers,
                                                     GBytes              *body,
                                                     GError             **error);

/* Registration (RFC 3261 §10) */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_register_async   (NetSipEndpoint      *self,
                                                     const char          *registrar,
                                                     const char          *aor,
                                                     const char          *contact,
                                                     guint                expires,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_register_finish  (NetSipEndpoint      *self,
                                                     GAsyncResult        *result,
                                                     guint               *granted_expires,
                                                     GError             **error);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_endpoint_get_registration_expires (NetSipEndpoint *self,
                                                             const char     *aor);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_endpoint_unregister_async (NetSipEndpoint      *self,
                                                     const char          *aor,
                                                     GCancellable        *cancellable,
                                                     GAsyncReadyCallback  callback,
                                                     gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_endpoint_unregister_finish (NetSipEndpoint     *self,
                                                      GAsyncResult       *result,
                                                      GError            **error);

G_END_DECLS
