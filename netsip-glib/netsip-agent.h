/* netsip-agent.h: the user agent an application embeds (Net::SIP::Simple):
 * legs, registration, calls out and in, and server conveniences
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-leg.h"
#include "netsip-dispatcher.h"
#include "netsip-endpoint.h"
#include "netsip-call.h"
#include "netsip-location-store.h"
#include "netsip-registrar.h"
#include "netsip-stateless-proxy.h"
#include "netsip-receive-chain.h"
#include "netsip-authorizer.h"

G_BEGIN_DECLS

/**
 * NetSipAgentError:
 * @NET_SIP_AGENT_ERROR_INVALID: a property or argument is unusable: a leg
 *   string that does not parse, a `from` that is not a SIP URI, no
 *   registrar known for register_async
 * @NET_SIP_AGENT_ERROR_SHUT_DOWN: the agent is shut down or shutting down
 *
 * Error codes in the %NET_SIP_AGENT_ERROR domain. Registration failures
 * are the endpoint's (%NET_SIP_ENDPOINT_ERROR_REJECTED,
 * %NET_SIP_AUTH_ERROR_REJECTED, %NET_SIP_TRANSACTION_ERROR_TIMEOUT).
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_AGENT_ERROR_INVALID,
  NET_SIP_AGENT_ERROR_SHUT_DOWN,
} NetSipAgentError;

/**
 * NET_SIP_AGENT_ERROR:
 *
 * The error domain of [class@NetSip.Agent].
 *
 * Since: 1.0
 */
#define NET_SIP_AGENT_ERROR (net_sip_agent_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_agent_error_quark (void);

#define NET_SIP_TYPE_AGENT (net_sip_agent_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipAgent, net_sip_agent, NET_SIP, AGENT, GObject)

/* Construction: `legs` are strings like "udp:127.0.0.1:0",
 * "tcp:[::1]:5070" (NULL-terminated); or a shared dispatcher. */
NET_SIP_AVAILABLE_IN_ALL
NetSipAgent      *net_sip_agent_new                  (const char          *from,
                                                      const char * const  *legs,
                                                      GError             **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipAgent      *net_sip_agent_new_with_dispatcher  (const char          *from,
                                                      NetSipDispatcher    *dispatcher);
NET_SIP_AVAILABLE_IN_ALL
NetSipDispatcher *net_sip_agent_get_dispatcher       (NetSipAgent         *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipEndpoint   *net_sip_agent_get_endpoint         (NetSipAgent         *self);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_add_leg              (NetSipAgent         *self,
                                                      NetSipLeg           *leg);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_set_credentials      (NetSipAgent         *self,
                                                      const char          *realm,
                                                      const char          *username,
                                                      const char          *password);

/* Registration (RFC 3261 §10.2), refreshed until unregistered or shut down */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_register_async       (NetSipAgent         *self,
                                                      guint                expires,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_agent_register_finish      (NetSipAgent         *self,
                                                      GAsyncResult        *result,
                                                      guint               *granted_expires,
                                                      GError             **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_unregister_async     (NetSipAgent         *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_agent_unregister_finish    (NetSipAgent         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_agent_get_registered       (NetSipAgent         *self);

/* Calls */
NET_SIP_AVAILABLE_IN_ALL
NetSipCall       *net_sip_agent_invite               (NetSipAgent         *self,
                                                      const char          *to,
                                                      GError             **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_listen               (NetSipAgent         *self);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_agent_get_calls            (NetSipAgent         *self);

/* Server conveniences on the agent's dispatcher */
NET_SIP_AVAILABLE_IN_ALL
NetSipRegistrar  *net_sip_agent_create_registrar     (NetSipAgent         *self,
                                                      NetSipLocationStore *store);
NET_SIP_AVAILABLE_IN_ALL
NetSipStatelessProxy *net_sip_agent_create_stateless_proxy (NetSipAgent   *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipReceiveChain *net_sip_agent_create_chain       (NetSipAgent         *self,
                                                      NetSipReceiver     **receivers,
                                                      guint                n_receivers);
NET_SIP_AVAILABLE_IN_ALL
NetSipAuthorizer *net_sip_agent_create_authorizer    (NetSipAgent         *self,
                                                      const char          *realm,
                                                      GHashTable          *users);

/* Shutdown: unregisters, ends calls (BYE/CANCEL/reject), closes the legs */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_agent_shutdown_async       (NetSipAgent         *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_agent_shutdown_finish      (NetSipAgent         *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
