/* netsip-memory-store.h: a NetSipLocationStore in memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-location-store.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_MEMORY_STORE (net_sip_memory_store_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipMemoryStore, net_sip_memory_store, NET_SIP, MEMORY_STORE, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipMemoryStore *net_sip_memory_store_new (void);

G_END_DECLS
