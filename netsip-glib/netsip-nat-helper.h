/* netsip-nat-helper.h: SDP rewriting and an RTP/RTCP relay between legs
 * (Net::SIP::NATHelper::Local), on the main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-message.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-leg.h"

G_BEGIN_DECLS

/**
 * NetSipNatError:
 * @NET_SIP_NAT_ERROR_BAD_SDP: the `application/sdp` body does not parse
 *   (RFC 4566), or a medium in it cannot be relayed (a port range
 *   `m=audio 49170/2`, an address that is neither IPv4 nor IPv6)
 * @NET_SIP_NAT_ERROR_INVALID: the message lacks what a session is keyed
 *   by: a Call-ID or a From tag (RFC 3261 §8.1.1.3)
 * @NET_SIP_NAT_ERROR_NO_PORTS: no free pair of ports (even RTP port, odd
 *   RTCP port) is left in [property@NetSip.NatHelper:port-min] ..
 *   [property@NetSip.NatHelper:port-max] on the leg's address
 * @NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS: a new session would pass
 *   [property@NetSip.NatHelper:max-sessions]
 * @NET_SIP_NAT_ERROR_NO_ADDRESS: the outgoing leg is bound to a wildcard
 *   address (`0.0.0.0`, `::`), which cannot be written into SDP
 * @NET_SIP_NAT_ERROR_FORKED: an answer comes from a second dialog (another
 *   To tag) of an offer that is relayed for a first one already (a fork
 *   downstream, RFC 3261 §16.7): the helper relays one dialog per offer
 *
 * Error codes in the %NET_SIP_NAT_ERROR domain, set by
 * [method@NetSip.NatHelper.rewrite_request] and
 * [method@NetSip.NatHelper.rewrite_response]. Whatever the code, the
 * message is left unchanged and no session state changed.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_NAT_ERROR_BAD_SDP,
  NET_SIP_NAT_ERROR_INVALID,
  NET_SIP_NAT_ERROR_NO_PORTS,
  NET_SIP_NAT_ERROR_TOO_MANY_SESSIONS,
  NET_SIP_NAT_ERROR_NO_ADDRESS,
  NET_SIP_NAT_ERROR_FORKED,
} NetSipNatError;

/**
 * NET_SIP_NAT_ERROR:
 *
 * The error domain of [class@NetSip.NatHelper].
 *
 * Since: 1.0
 */
#define NET_SIP_NAT_ERROR (net_sip_nat_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_nat_error_quark (void);

#define NET_SIP_TYPE_NAT_HELPER (net_sip_nat_helper_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipNatHelper, net_sip_nat_helper, NET_SIP, NAT_HELPER, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipNatHelper *net_sip_nat_helper_new              (void);

NET_SIP_AVAILABLE_IN_ALL
gboolean         net_sip_nat_helper_rewrite_request  (NetSipNatHelper *self,
                                                      NetSipRequest   *request,
                                                      NetSipLeg       *incoming_leg,
                                                      NetSipLeg       *outgoing_leg,
                                                      GError         **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean         net_sip_nat_helper_rewrite_response (NetSipNatHelper *self,
                                                      NetSipResponse  *response,
                                                      NetSipLeg       *incoming_leg,
                                                      NetSipLeg       *outgoing_leg,
                                                      GError         **error);
NET_SIP_AVAILABLE_IN_ALL
guint            net_sip_nat_helper_close_session    (NetSipNatHelper *self,
                                                      const char      *call_id,
                                                      const char      *tag,
                                                      const char      *other_tag);

NET_SIP_AVAILABLE_IN_ALL
guint            net_sip_nat_helper_get_n_sessions   (NetSipNatHelper *self);
NET_SIP_AVAILABLE_IN_ALL
guint            net_sip_nat_helper_get_n_sockets    (NetSipNatHelper *self);
NET_SIP_AVAILABLE_IN_ALL
GVariant        *net_sip_nat_helper_get_stats        (NetSipNatHelper *self,
                                                      const char      *call_id);
NET_SIP_AVAILABLE_IN_ALL
gboolean         net_sip_nat_helper_get_counters     (NetSipNatHelper *self,
                                                      const char      *call_id,
                                                      guint            media_index,
                                                      guint64         *packets_from_caller,
                                                      guint64         *bytes_from_caller,
                                                      guint64         *packets_from_callee,
                                                      guint64         *bytes_from_callee);

G_END_DECLS
