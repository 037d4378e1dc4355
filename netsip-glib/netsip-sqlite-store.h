/* netsip-sqlite-store.h: a NetSipLocationStore in an SQLite file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-location-store.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_SQLITE_STORE (net_sip_sqlite_store_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipSqliteStore, net_sip_sqlite_store, NET_SIP, SQLITE_STORE, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipSqliteStore *net_sip_sqlite_store_new      (const char         *path,
                                                  GError            **error);
NET_SIP_AVAILABLE_IN_ALL
const char        *net_sip_sqlite_store_get_path (NetSipSqliteStore  *self);

G_END_DECLS
