/* netsip-local-tag-private.h: To tags of responses a stateless element
 * makes itself, so that their ACK is recognised without state
 * (RFC 3261 §17.2.1, §16.11)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

#include "netsip-message.h"

G_BEGIN_DECLS

G_GNUC_INTERNAL
char     *net_sip_local_tag_new   (GBytes        *secret,
                                   NetSipMessage *request);
G_GNUC_INTERNAL
gboolean  net_sip_local_tag_check (GBytes        *secret,
                                   NetSipMessage *ack);

G_END_DECLS
