/* netsip-call-private.h: what NetSipAgent needs of NetSipCall
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-call.h"
#include "netsip-endpoint.h"

G_BEGIN_DECLS

/* The media settings of the agent a call is made with. */
typedef struct
{
  const char *address;        /* IP literal for RTP */
  guint16     port_min;
  guint16     port_max;
  guint       media_timeout;  /* s, 0 = off */
  gboolean    asymmetric;
} NetSipCallMedia;

/* A new outgoing call in state CALLING: RTP session and offer made, the
 * INVITE built (headers: extra "Name: value" lines, e.g. Route); not sent
 * until net_sip_call_start(). */
NetSipCall *net_sip_call_new_outgoing (GObject               *agent,
                                       NetSipEndpoint        *endpoint,
                                       const char            *from,
                                       const char            *to,
                                       const char * const    *headers,
                                       const NetSipCallMedia *media,
                                       GError               **error);
void        net_sip_call_start        (NetSipCall            *self);

/* A new incoming call in state INCOMING for the INVITE that made @dialog.
 * NULL (and the INVITE answered with 500 or 488) when no RTP session can
 * be made. */
NetSipCall *net_sip_call_new_incoming (GObject               *agent,
                                       NetSipEndpoint        *endpoint,
                                       NetSipDialog          *dialog,
                                       NetSipRequest         *invite,
                                       const NetSipCallMedia *media,
                                       GError               **error);
/* ring() was called (the application decides later) */
gboolean    net_sip_call_was_rung     (NetSipCall            *self);
/* hangup() and CLOSED at once, without waiting for the network */
void        net_sip_call_close_now    (NetSipCall            *self);

G_END_DECLS
