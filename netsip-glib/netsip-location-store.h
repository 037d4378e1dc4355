/* netsip-location-store.h: where a registrar keeps its bindings
 * (RFC 3261 §10.3: address of record → contact addresses)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"

G_BEGIN_DECLS

/**
 * NetSipLocationStoreError:
 * @NET_SIP_LOCATION_STORE_ERROR_OPEN: the store could not be opened or
 *   created (missing directory, unwritable or read-only file)
 * @NET_SIP_LOCATION_STORE_ERROR_CORRUPT: the file is not a usable
 *   database (not SQLite, damaged, or a table of another layout)
 * @NET_SIP_LOCATION_STORE_ERROR_IO: reading or writing failed after the
 *   store was opened (disk full, I/O error, database locked)
 * @NET_SIP_LOCATION_STORE_ERROR_INVALID: a binding without an address of
 *   record or contact
 *
 * Errors of a [iface@NetSip.LocationStore].
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_LOCATION_STORE_ERROR_OPEN,
  NET_SIP_LOCATION_STORE_ERROR_CORRUPT,
  NET_SIP_LOCATION_STORE_ERROR_IO,
  NET_SIP_LOCATION_STORE_ERROR_INVALID,
} NetSipLocationStoreError;

/**
 * NET_SIP_LOCATION_STORE_ERROR:
 *
 * The error domain of [iface@NetSip.LocationStore].
 *
 * Since: 1.0
 */
#define NET_SIP_LOCATION_STORE_ERROR (net_sip_location_store_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_location_store_error_quark (void);

/* ------------------------------------------------------------------ */
/* NetSipBinding                                                       */

#define NET_SIP_TYPE_BINDING (net_sip_binding_get_type ())

typedef struct _NetSipBinding NetSipBinding;

NET_SIP_AVAILABLE_IN_ALL
GType           net_sip_binding_get_type      (void) G_GNUC_CONST;
NET_SIP_AVAILABLE_IN_ALL
NetSipBinding  *net_sip_binding_new           (const char          *aor,
                                               const char          *contact,
                                               gint64               expires,
                                               gdouble              q,
                                               const char          *call_id,
                                               guint32              cseq);
NET_SIP_AVAILABLE_IN_ALL
NetSipBinding  *net_sip_binding_ref           (NetSipBinding       *binding);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_binding_unref         (NetSipBinding       *binding);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_binding_get_aor       (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_binding_get_contact   (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
gint64          net_sip_binding_get_expires   (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
gint64          net_sip_binding_get_remaining (const NetSipBinding *binding,
                                               gint64               now);
NET_SIP_AVAILABLE_IN_ALL
gdouble         net_sip_binding_get_q         (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_binding_get_call_id   (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
guint32         net_sip_binding_get_cseq      (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
const char     *net_sip_binding_get_params    (const NetSipBinding *binding);
NET_SIP_AVAILABLE_IN_ALL
void            net_sip_binding_set_params    (NetSipBinding       *binding,
                                               const char          *params);
NET_SIP_AVAILABLE_IN_ALL
gint            net_sip_binding_compare_q     (gconstpointer        a,
                                               gconstpointer        b);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (NetSipBinding, net_sip_binding_unref)

/* ------------------------------------------------------------------ */
/* NetSipLocationStore                                                 */

#define NET_SIP_TYPE_LOCATION_STORE (net_sip_location_store_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_INTERFACE (NetSipLocationStore, net_sip_location_store, NET_SIP, LOCATION_STORE, GObject)

/**
 * NetSipLocationStoreInterface:
 * @g_iface: the parent interface
 * @get_bindings: returns the bindings of an address of record, expired ones
 *   included (the caller filters), in no particular order
 * @list: returns every stored binding
 * @set_binding: adds a binding, or replaces the one with the same address
 *   of record and contact
 * @remove_binding: removes one binding
 * @set_bindings: replaces all bindings of an address of record at once
 *   (atomically: all or nothing)
 * @expire: removes the bindings that expired at or before a time
 *
 * The virtual functions of [iface@NetSip.LocationStore]. Every write
 * returns only when the change is stored (on disk for a file store).
 *
 * Since: 1.0
 */
/**
 * NetSipLocationStoreInterface::get_bindings:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NetSipBinding) (nullable):
 *   every stored binding of @aor, expired ones included; %NULL on error
 */
/**
 * NetSipLocationStoreInterface::list:
 * @self: a #NetSipLocationStore
 * @error: return location for a #GError
 *
 * Returns: (transfer container) (element-type NetSipBinding) (nullable):
 *   every stored binding, ordered by address of record; %NULL on error
 */
/**
 * NetSipLocationStoreInterface::set_bindings:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @bindings: (nullable) (element-type NetSipBinding): the new bindings of
 *   @aor; %NULL or empty removes them all
 * @error: return location for a #GError
 *
 * Returns: %TRUE when stored, all or nothing
 */
struct _NetSipLocationStoreInterface
{
  GTypeInterface g_iface;

  GPtrArray * (* get_bindings)   (NetSipLocationStore  *self,
                                  const char           *aor,
                                  GError              **error);
  GPtrArray * (* list)           (NetSipLocationStore  *self,
                                  GError              **error);
  gboolean    (* set_binding)    (NetSipLocationStore  *self,
                                  NetSipBinding        *binding,
                                  GError              **error);
  gboolean    (* remove_binding) (NetSipLocationStore  *self,
                                  const char           *aor,
                                  const char           *contact,
                                  GError              **error);
  gboolean    (* set_bindings)   (NetSipLocationStore  *self,
                                  const char           *aor,
                                  GPtrArray            *bindings,
                                  GError              **error);
  gint        (* expire)         (NetSipLocationStore  *self,
                                  gint64                now,
                                  GError              **error);

  /*< private >*/
  gpointer padding[8];
};

NET_SIP_AVAILABLE_IN_ALL
GPtrArray *net_sip_location_store_lookup         (NetSipLocationStore  *self,
                                                  const char           *aor,
                                                  gint64                now,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray *net_sip_location_store_list           (NetSipLocationStore  *self,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean   net_sip_location_store_set_binding    (NetSipLocationStore  *self,
                                                  NetSipBinding        *binding,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean   net_sip_location_store_remove_binding (NetSipLocationStore  *self,
                                                  const char           *aor,
                                                  const char           *contact,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean   net_sip_location_store_remove_aor     (NetSipLocationStore  *self,
                                                  const char           *aor,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean   net_sip_location_store_set_bindings   (NetSipLocationStore  *self,
                                                  const char           *aor,
                                                  GPtrArray            *bindings,
                                                  GError              **error);
NET_SIP_AVAILABLE_IN_ALL
gint       net_sip_location_store_expire         (NetSipLocationStore  *self,
                                                  gint64                now,
                                                  GError              **error);

G_END_DECLS
