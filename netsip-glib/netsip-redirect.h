/* netsip-redirect.h: a redirect server (RFC 3261 §8.3) answering from a
 * registrar's bindings
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-receiver.h"
#include "netsip-dispatcher.h"
#include "netsip-registrar.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_REDIRECT (net_sip_redirect_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipRedirect, net_sip_redirect, NET_SIP, REDIRECT, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipRedirect   *net_sip_redirect_new            (NetSipDispatcher *dispatcher,
                                                   NetSipRegistrar  *registrar);
NET_SIP_AVAILABLE_IN_ALL
NetSipRegistrar  *net_sip_redirect_get_registrar  (NetSipRedirect   *self);

G_END_DECLS
