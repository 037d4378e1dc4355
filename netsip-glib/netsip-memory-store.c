/* netsip-memory-store.c: a NetSipLocationStore in memory
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-memory-store.h"

/**
 * NetSipMemoryStore:
 *
 * A [iface@NetSip.LocationStore] in a hash table: address of record →
 * its bindings. Nothing survives the process; for that use
 * [class@NetSip.SqliteStore]. Writes cannot fail.
 *
 * Since: 1.0
 */
struct _NetSipMemoryStore
{
  GObject     parent_instance;
  GHashTable *aors;   /* aor (owned) → GPtrArray of NetSipBinding (owned) */
};

static void net_sip_memory_store_iface_init (NetSipLocationStoreInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipMemoryStore, net_sip_memory_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_LOCATION_STORE,
                                                      net_sip_memory_store_iface_init))

static GPtrArray *
copy_bindings (GPtrArray *from)
{
  GPtrArray *out = g_ptr_array_new_full (from ? from->len : 0, (GDestroyNotify) net_sip_binding_unref);

  for (guint i = 0; from && i < from->len; i++)
    g_ptr_array_add (out, net_sip_binding_ref (g_ptr_array_index (from, i)));
  return out;
}

static GPtrArray *
memory_lookup (NetSipLocationStore  *store,
               const char           *aor,
               GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);

  return copy_bindings (g_hash_table_lookup (self->aors, aor));
}

static gint
compare_aor_q (gconstpointer a,
               gconstpointer b)
{
  int c = g_strcmp0 (net_sip_binding_get_aor (*(NetSipBinding *const *) a),
                     net_sip_binding_get_aor (*(NetSipBinding *const *) b));

  return c != 0 ? c : net_sip_binding_compare_q (a, b);
}

static GPtrArray *
memory_list (NetSipLocationStore  *store,
             GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->aors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;
      for (guint i = 0; i < list->len; i++)
        g_ptr_array_add (out, net_sip_binding_ref (g_ptr_array_index (list, i)));
    }
  g_ptr_array_sort (out, compare_aor_q);
  return out;
}

static gboolean
memory_set_binding (NetSipLocationStore  *store,
                    NetSipBinding        *binding,
                    GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);
  const char *aor = net_sip_binding_get_aor (binding);
  GPtrArray *list = g_hash_table_lookup (self->aors, aor);

  if (list == NULL)
    {
      list = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
      g_hash_table_insert (self->aors, g_strdup (aor), list);
    }
  for (guint i = 0; i < list->len; i++)
    {
      NetSipBinding *old = g_ptr_array_index (list, i);
      if (g_strcmp0 (net_sip_binding_get_contact (old), net_sip_binding_get_contact (binding)) == 0)
        {
          g_ptr_array_index (list, i) = net_sip_binding_ref (binding);
          net_sip_binding_unref (old);
          return TRUE;
        }
    }
  g_ptr_array_add (list, net_sip_binding_ref (binding));
  return TRUE;
}

static gboolean
memory_remove_binding (NetSipLocationStore  *store,
                       const char           *aor,
                       const char           *contact,
                       GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);
  GPtrArray *list = g_hash_table_lookup (self->aors, aor);

  for (guint i = 0; list && i < list->len; i++)
    {
      if (g_strcmp0 (net_sip_binding_get_contact (g_ptr_array_index (list, i)), contact) == 0)
        {
          g_ptr_array_remove_index (list, i);
          break;
        }
    }
  if (list && list->len == 0)
    g_hash_table_remove (self->aors, aor);
  return TRUE;
}

static gboolean
memory_set_bindings (NetSipLocationStore  *store,
                     const char           *aor,
                     GPtrArray            *bindings,
                     GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);

  if (bindings == NULL || bindings->len == 0)
    g_hash_table_remove (self->aors, aor);
  else
    g_hash_table_insert (self->aors, g_strdup (aor), copy_bindings (bindings));
  return TRUE;
}

static gint
memory_expire (NetSipLocationStore  *store,
               gint64                now,
               GError              **error)
{
  NetSipMemoryStore *self = NET_SIP_MEMORY_STORE (store);
  GHashTableIter iter;
  gpointer value;
  gint removed = 0;

  g_hash_table_iter_init (&iter, self->aors);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    {
      GPtrArray *list = value;
      for (guint i = list->len; i > 0; i--)
        {
          if (net_sip_binding_get_expires (g_ptr_array_index (list, i - 1)) <= now)
            {
              g_ptr_array_remove_index (list, i - 1);
              removed++;
            }
        }
      if (list->len == 0)
        g_hash_table_iter_remove (&iter);
    }
  return removed;
}

static void
net_sip_memory_store_iface_init (NetSipLocationStoreInterface *iface)
{
  iface->get_bindings = memory_lookup;
  iface->list = memory_list;
  iface->set_binding = memory_set_binding;
  iface->remove_binding = memory_remove_binding;
  iface->set_bindings = memory_set_bindings;
  iface->expire = memory_expire;
}

static void
net_sip_memory_store_finalize (GObject *object)
{
  g_hash_table_unref (NET_SIP_MEMORY_STORE (object)->aors);
  G_OBJECT_CLASS (net_sip_memory_store_parent_class)->finalize (object);
}

static void
net_sip_memory_store_class_init (NetSipMemoryStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = net_sip_memory_store_finalize;
}

static void
net_sip_memory_store_init (NetSipMemoryStore *self)
{
  self->aors = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                      (GDestroyNotify) g_ptr_array_unref);
}

/**
 * net_sip_memory_store_new:
 *
 * Creates a location store held in memory, lost when the process ends.
 *
 * Returns: (transfer full): a new, empty store
 *
 * Since: 1.0
 */
NetSipMemoryStore *
net_sip_memory_store_new (void)
{
  return g_object_new (NET_SIP_TYPE_MEMORY_STORE, NULL);
}
