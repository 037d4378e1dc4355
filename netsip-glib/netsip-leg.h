/* netsip-leg.h: one local SIP address and its sockets (RFC 3261 §18)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "netsip-types.h"
#include "netsip-transport.h"
#include "netsip-message.h"
#include "netsip-socket-pool.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_LEG (net_sip_leg_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (NetSipLeg, net_sip_leg, NET_SIP, LEG, GObject)

struct _NetSipLegClass
{
  GObjectClass parent_class;

  void (* message_received) (NetSipLeg        *self,
                             NetSipMessage    *message,
                             NetSipSourceInfo *source);

  /*< private >*/
  gpointer padding[8];
};

NET_SIP_AVAILABLE_IN_ALL
NetSipLeg          *net_sip_leg_new             (const char          *spec,
                                                 GError             **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipLeg          *net_sip_leg_new_tls         (const char          *spec,
                                                 GTlsCertificate     *certificate,
                                                 GTlsDatabase        *database,
                                                 GError             **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipTransport     net_sip_leg_get_protocol    (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
const char         *net_sip_leg_get_address     (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
guint16             net_sip_leg_get_port        (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
GSocketFamily       net_sip_leg_get_family      (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
const char         *net_sip_leg_get_contact     (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSocketPool   *net_sip_leg_get_socket_pool (NetSipLeg           *self);
NET_SIP_AVAILABLE_IN_ALL
char               *net_sip_leg_to_string       (NetSipLeg           *self);

NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_leg_can_deliver_to  (NetSipLeg           *self,
                                                 NetSipTransport      protocol,
                                                 GInetAddress        *address);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_leg_add_via         (NetSipLeg           *self,
                                                 NetSipMessage       *request);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_leg_check_via       (NetSipLeg           *self,
                                                 NetSipMessage       *response);
NET_SIP_AVAILABLE_IN_ALL
void                net_sip_leg_deliver_async   (NetSipLeg           *self,
                                                 NetSipMessage       *message,
                                                 GInetSocketAddress  *destination,
                                                 GCancellable        *cancellable,
                                                 GAsyncReadyCallback  callback,
                                                 gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean            net_sip_leg_deliver_finish  (NetSipLeg           *self,
                                                 GAsyncResult        *result,
                                                 GError             **error);

NET_SIP_AVAILABLE_IN_ALL
char               *net_sip_leg_new_branch      (void);

G_END_DECLS
