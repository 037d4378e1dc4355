/* netsip-location-store.c: where a registrar keeps its bindings
 * (RFC 3261 §10.3: address of record → contact addresses)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-location-store.h"

/**
 * NetSipBinding:
 *
 * One binding of a location service (RFC 3261 §10.3): an address of
 * record (the canonical `sip:user@host` of a REGISTER's To, §10.3 step
 * 5), a contact URI, when it expires (absolute Unix time in seconds), its
 * `q` preference, and the Call-ID and CSeq number of the REGISTER that
 * made or last refreshed it (§10.3 step 7 orders refreshes by them).
 *
 * `params` keeps the other Contact header parameters of that REGISTER as
 * they came (`;+sip.instance="<urn:...>";reg-id=1`, RFC 5626), so that
 * the registrar can list them again in its 200.
 *
 * Reference counted; not changed once in a store (the store keeps its own
 * copy or reference).
 *
 * Since: 1.0
 */
struct _NetSipBinding
{
  gint     ref_count;
  char    *aor;
  char    *contact;
  gint64   expires;
  gdouble  q;
  char    *call_id;
  guint32  cseq;
  char    *params;
};

G_DEFINE_BOXED_TYPE (NetSipBinding, net_sip_binding, net_sip_binding_ref, net_sip_binding_unref)

/**
 * net_sip_location_store_error_quark:
 *
 * The error domain of [iface@NetSip.LocationStore] implementations.
 *
 * Returns: the %NET_SIP_LOCATION_STORE_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-location-store-error-quark, net_sip_location_store_error)

/**
 * net_sip_binding_new:
 * @aor: the address of record, canonical (`sip:alice@example.com`)
 * @contact: the contact URI (an addr-spec without the `<>`)
 * @expires: when the binding ends: absolute Unix time in seconds
 * @q: the `q` value, 0.0 to 1.0, or -1.0 when the Contact had none
 * @call_id: (nullable): the Call-ID of the REGISTER that made it
 * @cseq: the CSeq number of that REGISTER
 *
 * Creates a binding of @contact to @aor, as a registrar stores it (RFC 3261
 * §10.3).
 *
 * Returns: (transfer full): a new binding
 *
 * Since: 1.0
 */
NetSipBinding *
net_sip_binding_new (const char *aor,
                     const char *contact,
                     gint64      expires,
                     gdouble     q,
                     const char *call_id,
                     guint32     cseq)
{
  NetSipBinding *b;

  g_return_val_if_fail (aor != NULL, NULL);
  g_return_val_if_fail (contact != NULL, NULL);

  b = g_new0 (NetSipBinding, 1);
  b->ref_count = 1;
  b->aor = g_strdup (aor);
  b->contact = g_strdup (contact);
  b->expires = expires;
  b->q = (q < 0.0 || q > 1.0) ? -1.0 : q;
  b->call_id = g_strdup (call_id ? call_id : "");
  b->cseq = cseq;
  return b;
}

/**
 * net_sip_binding_ref:
 * @binding: a #NetSipBinding
 *
 * Takes a reference on @binding.
 *
 * Returns: (transfer full): @binding
 *
 * Since: 1.0
 */
NetSipBinding *
net_sip_binding_ref (NetSipBinding *binding)
{
  g_return_val_if_fail (binding != NULL, NULL);
  g_atomic_int_inc (&binding->ref_count);
  return binding;
}

/**
 * net_sip_binding_unref:
 * @binding: (transfer full): a #NetSipBinding
 *
 * Drops a reference on @binding; the last one frees it.
 *
 * Since: 1.0
 */
void
net_sip_binding_unref (NetSipBinding *binding)
{
  g_return_if_fail (binding != NULL);
  if (!g_atomic_int_dec_and_test (&binding->ref_count))
    return;
  g_free (binding->aor);
  g_free (binding->contact);
  g_free (binding->call_id);
  g_free (binding->params);
  g_free (binding);
}

/**
 * net_sip_binding_get_aor:
 * @binding: a #NetSipBinding
 *
 * Gets the address of record of the binding.
 *
 * Returns: (transfer none): the address of record
 *
 * Since: 1.0
 */
const char *
net_sip_binding_get_aor (const NetSipBinding *binding)
{
  return binding->aor;
}

/**
 * net_sip_binding_get_contact:
 * @binding: a #NetSipBinding
 *
 * Gets the contact URI of the binding.
 *
 * Returns: (transfer none): the contact URI
 *
 * Since: 1.0
 */
const char *
net_sip_binding_get_contact (const NetSipBinding *binding)
{
  return binding->contact;
}

/**
 * net_sip_binding_get_expires:
 * @binding: a #NetSipBinding
 *
 * Gets the absolute time the binding ends.
 *
 * Returns: when the binding ends, absolute Unix time in seconds
 *
 * Since: 1.0
 */
gint64
net_sip_binding_get_expires (const NetSipBinding *binding)
{
  return binding->expires;
}

/**
 * net_sip_binding_get_remaining:
 * @binding: a #NetSipBinding
 * @now: the current Unix time in seconds
 *
 * Gets the seconds left until the binding expires.
 *
 * Returns: the seconds left until the binding expires, 0 when expired
 *   (the `expires` parameter a registrar lists, RFC 3261 §10.3 step 8)
 *
 * Since: 1.0
 */
gint64
net_sip_binding_get_remaining (const NetSipBinding *binding,
                               gint64               now)
{
  return binding->expires > now ? binding->expires - now : 0;
}

/**
 * net_sip_binding_get_q:
 * @binding: a #NetSipBinding
 *
 * Gets the preference of the binding (`q`).
 *
 * Returns: the `q` value (RFC 3261 §20.10), or -1.0 when none was given
 *
 * Since: 1.0
 */
gdouble
net_sip_binding_get_q (const NetSipBinding *binding)
{
  return binding->q;
}

/**
 * net_sip_binding_get_call_id:
 * @binding: a #NetSipBinding
 *
 * Gets the Call-ID of the REGISTER behind the binding.
 *
 * Returns: (transfer none): the Call-ID of the REGISTER that made or last
 *   refreshed the binding (empty when unknown)
 *
 * Since: 1.0
 */
const char *
net_sip_binding_get_call_id (const NetSipBinding *binding)
{
  return binding->call_id;
}

/**
 * net_sip_binding_get_cseq:
 * @binding: a #NetSipBinding
 *
 * Gets the CSeq number of the REGISTER behind the binding.
 *
 * Returns: the CSeq number of that REGISTER
 *
 * Since: 1.0
 */
guint32
net_sip_binding_get_cseq (const NetSipBinding *binding)
{
  return binding->cseq;
}

/**
 * net_sip_binding_get_params:
 * @binding: a #NetSipBinding
 *
 * Gets the other Contact parameters of the binding.
 *
 * Returns: (transfer none) (nullable): the Contact header parameters
 *   other than `expires` and `q`, each with its leading `;`, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_binding_get_params (const NetSipBinding *binding)
{
  return binding->params;
}

/**
 * net_sip_binding_set_params:
 * @binding: a #NetSipBinding not yet in a store
 * @params: (nullable): Contact header parameters other than `expires` and
 *   `q`, each with its leading `;` (`;+sip.instance="<urn:uuid:...>"`)
 *
 * Replaces the other Contact parameters of the binding.
 *
 * Since: 1.0
 */
void
net_sip_binding_set_params (NetSipBinding *binding,
                            const char    *params)
{
  g_return_if_fail (binding != NULL);
  g_free (binding->params);
  binding->params = (params && *params) ? g_strdup (params) : NULL;
}

/**
 * net_sip_binding_compare_q:
 * @a: (type NetSipBinding*): a pointer to a #NetSipBinding pointer (as
 *   g_ptr_array_sort() passes)
 * @b: (type NetSipBinding*): another
 *
 * Orders bindings by preference: higher `q` first (a binding without `q`
 * counts as 1.0), then the later expiry first, then by contact, so that
 * the order is stable.
 *
 * Returns: negative when @a comes first
 *
 * Since: 1.0
 */
gint
net_sip_binding_compare_q (gconstpointer a,
                           gconstpointer b)
{
  const NetSipBinding *x = *(NetSipBinding *const *) a;
  const NetSipBinding *y = *(NetSipBinding *const *) b;
  gdouble qx = x->q < 0 ? 1.0 : x->q;
  gdouble qy = y->q < 0 ? 1.0 : y->q;

  if (qx != qy)
    return qx > qy ? -1 : 1;
  if (x->expires != y->expires)
    return x->expires > y->expires ? -1 : 1;
  return g_strcmp0 (x->contact, y->contact);
}

/* ------------------------------------------------------------------ */
/* NetSipLocationStore                                                 */

/**
 * NetSipLocationStore:
 *
 * Where a [class@NetSip.Registrar] keeps its bindings (RFC 3261 §10.3
 * calls it the location service): per address of record, the contact
 * addresses with their expiry, `q` and the Call-ID and CSeq of the
 * REGISTER that set them.
 *
 * Implementations: [class@NetSip.MemoryStore] (a hash table, lost on
 * exit) and [class@NetSip.SqliteStore] (an SQLite file: bindings survive
 * a restart). The API is synchronous: a write returns when the change is
 * stored, so that a registrar sends its `200` only for bindings that are
 * already kept.
 *
 * A binding is identified by its address of record and its contact
 * string. Writers pass contacts as the registrar compares them (the
 * registrar matches contact URIs by RFC 3261 §19.1.4 before it writes).
 *
 * Since: 1.0
 */
G_DEFINE_INTERFACE (NetSipLocationStore, net_sip_location_store, G_TYPE_OBJECT)

static void
net_sip_location_store_default_init (NetSipLocationStoreInterface *iface)
{
}

/**
 * net_sip_location_store_lookup:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @now: Unix time in seconds: only bindings expiring after it are returned;
 *   0 for all stored ones, expired included
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: (transfer container) (element-type NetSipBinding) (nullable):
 *   the bindings of @aor, most preferred first
 *   (net_sip_binding_compare_q()); empty when none; %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_location_store_lookup (NetSipLocationStore  *self,
                               const char           *aor,
                               gint64                now,
                               GError              **error)
{
  GPtrArray *all;

  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), NULL);
  g_return_val_if_fail (aor != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  all = NET_SIP_LOCATION_STORE_GET_IFACE (self)->get_bindings (self, aor, error);
  if (all == NULL)
    return NULL;
  for (guint i = all->len; i > 0; i--)
    {
      NetSipBinding *b = g_ptr_array_index (all, i - 1);
      if (now > 0 && b->expires <= now)
        g_ptr_array_remove_index (all, i - 1);
    }
  g_ptr_array_sort (all, net_sip_binding_compare_q);
  return all;
}

/**
 * net_sip_location_store_list:
 * @self: a #NetSipLocationStore
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: (transfer container) (element-type NetSipBinding) (nullable):
 *   every stored binding, expired ones not yet removed included, ordered
 *   by address of record and then by preference; %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_location_store_list (NetSipLocationStore  *self,
                             GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->list (self, error);
}

static gboolean
check_binding (NetSipBinding  *binding,
               GError        **error)
{
  if (binding->aor[0] == '\0' || binding->contact[0] == '\0')
    {
      g_set_error_literal (error, NET_SIP_LOCATION_STORE_ERROR,
                           NET_SIP_LOCATION_STORE_ERROR_INVALID,
                           "a binding needs an address of record and a contact");
      return FALSE;
    }
  return TRUE;
}

/**
 * net_sip_location_store_set_binding:
 * @self: a #NetSipLocationStore
 * @binding: (transfer none): the binding to add, or to put in place of
 *   the one with the same address of record and contact
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO,
 * %NET_SIP_LOCATION_STORE_ERROR_INVALID.
 *
 * Returns: %TRUE when stored
 *
 * Since: 1.0
 */
gboolean
net_sip_location_store_set_binding (NetSipLocationStore  *self,
                                    NetSipBinding        *binding,
                                    GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), FALSE);
  g_return_val_if_fail (binding != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!check_binding (binding, error))
    return FALSE;
  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->set_binding (self, binding, error);
}

/**
 * net_sip_location_store_remove_binding:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @contact: the contact of the binding
 * @error: return location for a #GError
 *
 * Removes one binding; removing one that is not there is no error.
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: %TRUE unless the store failed
 *
 * Since: 1.0
 */
gboolean
net_sip_location_store_remove_binding (NetSipLocationStore  *self,
                                       const char           *aor,
                                       const char           *contact,
                                       GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), FALSE);
  g_return_val_if_fail (aor != NULL && contact != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->remove_binding (self, aor, contact, error);
}

/**
 * net_sip_location_store_remove_aor:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @error: return location for a #GError
 *
 * Removes every binding of @aor (what `Contact: *` with `Expires: 0`
 * asks for, RFC 3261 §10.2.2).
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: %TRUE unless the store failed
 *
 * Since: 1.0
 */
gboolean
net_sip_location_store_remove_aor (NetSipLocationStore  *self,
                                   const char           *aor,
                                   GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), FALSE);
  g_return_val_if_fail (aor != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->set_bindings (self, aor, NULL, error);
}

/**
 * net_sip_location_store_set_bindings:
 * @self: a #NetSipLocationStore
 * @aor: the canonical address of record
 * @bindings: (nullable) (element-type NetSipBinding): the new bindings of
 *   @aor, all with that address of record; %NULL or empty removes them all
 * @error: return location for a #GError
 *
 * Replaces the bindings of @aor at once: either all of @bindings are
 * stored and the old ones gone, or (on error) nothing changed. A
 * registrar applies one REGISTER this way (RFC 3261 §10.3 step 7: "the
 * binding updates MUST be committed ... only if all binding updates and
 * additions succeed").
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO,
 * %NET_SIP_LOCATION_STORE_ERROR_INVALID.
 *
 * Returns: %TRUE when stored
 *
 * Since: 1.0
 */
gboolean
net_sip_location_store_set_bindings (NetSipLocationStore  *self,
                                     const char           *aor,
                                     GPtrArray            *bindings,
                                     GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), FALSE);
  g_return_val_if_fail (aor != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  for (guint i = 0; bindings && i < bindings->len; i++)
    {
      NetSipBinding *b = g_ptr_array_index (bindings, i);
      if (!check_binding (b, error))
        return FALSE;
      if (g_strcmp0 (b->aor, aor) != 0)
        {
          g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_INVALID,
                       "binding of '%s' given for '%s'", b->aor, aor);
          return FALSE;
        }
    }
  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->set_bindings (self, aor, bindings, error);
}

/**
 * net_sip_location_store_expire:
 * @self: a #NetSipLocationStore
 * @now: Unix time in seconds
 * @error: return location for a #GError
 *
 * Removes the bindings whose expiry is at or before @now.
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: the number of bindings removed, or -1 on error
 *
 * Since: 1.0
 */
gint
net_sip_location_store_expire (NetSipLocationStore  *self,
                               gint64                now,
                               GError              **error)
{
  g_return_val_if_fail (NET_SIP_IS_LOCATION_STORE (self), -1);
  g_return_val_if_fail (error == NULL || *error == NULL, -1);

  return NET_SIP_LOCATION_STORE_GET_IFACE (self)->expire (self, now, error);
}
