/* netsip-transport-private.h: helpers the transport layer and the layers
 * above it share
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Whether two socket addresses name the same IP address and port */
gboolean net_sip_socket_address_equal (GInetSocketAddress *a,
                                       GInetSocketAddress *b);

G_END_DECLS
