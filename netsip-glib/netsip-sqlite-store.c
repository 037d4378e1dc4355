/* netsip-sqlite-store.c: a NetSipLocationStore in an SQLite file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <sqlite3.h>

#include "netsip-sqlite-store.h"

/**
 * NetSipSqliteStore:
 *
 * A [iface@NetSip.LocationStore] in an SQLite database file, so that
 * bindings survive a restart of the registrar (a crash included).
 *
 * The database runs in write-ahead-log mode with `synchronous=FULL`:
 * every write of the store is one transaction, and a write returns only
 * once its transaction is committed and the log synced to disk. A
 * registrar therefore sends its `200` for a REGISTER only when the
 * bindings it lists are on disk.
 *
 * Opening checks the file: a path that cannot be created or written (a
 * missing directory, a read-only file or file system), a file that is
 * not an SQLite database, or a database with another `bindings` table
 * fail with a #GError (%NET_SIP_LOCATION_STORE_ERROR_OPEN,
 * %NET_SIP_LOCATION_STORE_ERROR_CORRUPT) instead of failing later on the
 * first REGISTER.
 *
 * The store does blocking file I/O on the thread that calls it (usually
 * the main loop's): a commit costs one fsync. One registrar process
 * should own a file: a registrar reads the bindings of an address of
 * record and then replaces them, and another writer in between would be
 * overwritten (a writer that holds the file longer than 2 s makes a write
 * fail with %NET_SIP_LOCATION_STORE_ERROR_IO).
 *
 * Since: 1.0
 */
struct _NetSipSqliteStore
{
  GObject       parent_instance;

  char         *path;
  sqlite3      *db;
  sqlite3_stmt *st_lookup;
  sqlite3_stmt *st_list;
  sqlite3_stmt *st_upsert;
  sqlite3_stmt *st_delete;
  sqlite3_stmt *st_delete_aor;
  sqlite3_stmt *st_expire;
};

enum
{
  PROP_0,
  PROP_PATH,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

static void net_sip_sqlite_store_iface_init  (NetSipLocationStoreInterface *iface);
static void net_sip_sqlite_store_initable_init (GInitableIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipSqliteStore, net_sip_sqlite_store, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_INITABLE,
                                                      net_sip_sqlite_store_initable_init)
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_LOCATION_STORE,
                                                      net_sip_sqlite_store_iface_init))

#define COLUMNS "aor, contact, expires, q, call_id, cseq, params"

static const char schema[] =
  "CREATE TABLE IF NOT EXISTS bindings ("
  " aor TEXT NOT NULL,"
  " contact TEXT NOT NULL,"
  " expires INTEGER NOT NULL,"
  " q REAL NOT NULL,"
  " call_id TEXT NOT NULL,"
  " cseq INTEGER NOT NULL,"
  " params TEXT,"
  " PRIMARY KEY (aor, contact)) WITHOUT ROWID;"
  "CREATE INDEX IF NOT EXISTS bindings_expires ON bindings (expires);";

static void
set_db_error (NetSipSqliteStore  *self,
              GError            **error,
              const char         *what)
{
  int code = sqlite3_errcode (self->db);
  int kind;

  switch (code & 0xff)
    {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_SCHEMA:
      kind = NET_SIP_LOCATION_STORE_ERROR_CORRUPT;
      break;
    default:
      kind = NET_SIP_LOCATION_STORE_ERROR_IO;
      break;
    }
  g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, kind, "%s: %s: %s", self->path, what,
               sqlite3_errmsg (self->db));
}

static gboolean
exec (NetSipSqliteStore  *self,
      const char         *sql,
      GError            **error)
{
  if (sqlite3_exec (self->db, sql, NULL, NULL, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, sql);
      return FALSE;
    }
  return TRUE;
}

static gboolean
prepare (NetSipSqliteStore  *self,
         sqlite3_stmt      **stmt,
         const char         *sql,
         GError            **error)
{
  if (sqlite3_prepare_v3 (self->db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmt, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, "preparing a statement");
      return FALSE;
    }
  return TRUE;
}

/* the first column of a one-row statement as text */
static char *
query_text (NetSipSqliteStore  *self,
            const char         *sql,
            GError            **error)
{
  sqlite3_stmt *st = NULL;
  char *out = NULL;

  if (sqlite3_prepare_v2 (self->db, sql, -1, &st, NULL) != SQLITE_OK)
    {
      set_db_error (self, error, sql);
      return NULL;
    }
  if (sqlite3_step (st) == SQLITE_ROW)
    out = g_strdup ((const char *) sqlite3_column_text (st, 0));
  else
    set_db_error (self, error, sql);
  sqlite3_finalize (st);
  return out;
}

static gboolean
net_sip_sqlite_store_initable_init_impl (GInitable     *initable,
                                         GCancellable  *cancellable,
                                         GError       **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (initable);
  g_autofree char *mode = NULL;
  g_autofree char *check = NULL;
  int rc;

  if (self->path == NULL || self->path[0] == '\0')
    {
      g_set_error_literal (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN,
                           "no database path given");
      return FALSE;
    }
  rc = sqlite3_open_v2 (self->path, &self->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX |
                        SQLITE_OPEN_EXRESCODE, NULL);
  if (rc != SQLITE_OK)
    {
      g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN,
                   "%s: cannot open the database: %s", self->path,
                   self->db ? sqlite3_errmsg (self->db) : sqlite3_errstr (rc));
      return FALSE;
    }
  /* SQLite opens a file it may not write read-only without saying so */
  if (sqlite3_db_readonly (self->db, "main") == 1)
    {
      g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN,
                   "%s: the database is not writable", self->path);
      return FALSE;
    }
  /* a busy file (another process writing) waits a little, then fails */
  sqlite3_busy_timeout (self->db, 2000);

  /* The first read of the file: "file is not a database" shows here */
  mode = query_text (self, "PRAGMA journal_mode=WAL", error);
  if (mode == NULL)
    {
      if (error && *error)
        (*error)->code = ((*error)->code == NET_SIP_LOCATION_STORE_ERROR_IO)
                           ? NET_SIP_LOCATION_STORE_ERROR_OPEN : (*error)->code;
      return FALSE;
    }
  if (g_ascii_strcasecmp (mode, "wal") != 0)
    {
      g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN,
                   "%s: cannot use write-ahead logging (journal mode is %s)", self->path, mode);
      return FALSE;
    }
  /* FULL: in WAL mode each commit syncs the log; a binding acknowledged
   * with 200 survives a power cut, not only a crash of the process */
  if (!exec (self, "PRAGMA synchronous=FULL", error))
    return FALSE;
  check = query_text (self, "PRAGMA quick_check", error);
  if (check == NULL)
    return FALSE;
  if (g_ascii_strcasecmp (check, "ok") != 0)
    {
      g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_CORRUPT,
                   "%s: the database is damaged: %s", self->path, check);
      return FALSE;
    }
  /* an existing table of another layout fails here or in prepare () */
  if (sqlite3_exec (self->db, schema, NULL, NULL, NULL) != SQLITE_OK)
    {
      g_set_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_CORRUPT,
                   "%s: not a bindings database of this layout: %s", self->path,
                   sqlite3_errmsg (self->db));
      return FALSE;
    }
  if (!prepare (self, &self->st_lookup,
                "SELECT " COLUMNS " FROM bindings WHERE aor = ?1", error) ||
      !prepare (self, &self->st_list,
                "SELECT " COLUMNS " FROM bindings ORDER BY aor", error) ||
      !prepare (self, &self->st_upsert,
                "INSERT OR REPLACE INTO bindings (" COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                error) ||
      !prepare (self, &self->st_delete,
                "DELETE FROM bindings WHERE aor = ?1 AND contact = ?2", error) ||
      !prepare (self, &self->st_delete_aor,
                "DELETE FROM bindings WHERE aor = ?1", error) ||
      !prepare (self, &self->st_expire,
                "DELETE FROM bindings WHERE expires <= ?1", error))
    {
      if (error && *error)
        (*error)->code = NET_SIP_LOCATION_STORE_ERROR_CORRUPT;
      return FALSE;
    }
  return TRUE;
}

static void
net_sip_sqlite_store_initable_init (GInitableIface *iface)
{
  iface->init = net_sip_sqlite_store_initable_init_impl;
}

static gboolean
ready (NetSipSqliteStore  *self,
       GError            **error)
{
  if (self->st_expire == NULL)
    {
      g_set_error_literal (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN,
                           "the store is not open");
      return FALSE;
    }
  return TRUE;
}

/* Runs a statement without result rows; resets it */
static gboolean
run (NetSipSqliteStore  *self,
     sqlite3_stmt       *st,
     GError            **error)
{
  int rc = sqlite3_step (st);

  /* the message before sqlite3_reset() replaces it */
  if (rc != SQLITE_DONE)
    set_db_error (self, error, "writing");
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return rc == SQLITE_DONE;
}

static GPtrArray *
collect (NetSipSqliteStore  *self,
         sqlite3_stmt       *st,
         GError            **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  int rc;

  while ((rc = sqlite3_step (st)) == SQLITE_ROW)
    {
      NetSipBinding *b = net_sip_binding_new ((const char *) sqlite3_column_text (st, 0),
                                              (const char *) sqlite3_column_text (st, 1),
                                              sqlite3_column_int64 (st, 2),
                                              sqlite3_column_double (st, 3),
                                              (const char *) sqlite3_column_text (st, 4),
                                              (guint32) sqlite3_column_int64 (st, 5));
      net_sip_binding_set_params (b, (const char *) sqlite3_column_text (st, 6));
      g_ptr_array_add (out, b);
    }
  if (rc != SQLITE_DONE)
    {
      set_db_error (self, error, "reading");
      g_clear_pointer (&out, g_ptr_array_unref);
    }
  sqlite3_reset (st);
  sqlite3_clear_bindings (st);
  return out;
}

static GPtrArray *
sqlite_lookup (NetSipLocationStore  *store,
               const char           *aor,
               GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);

  if (!ready (self, error))
    return NULL;
  sqlite3_bind_text (self->st_lookup, 1, aor, -1, SQLITE_TRANSIENT);
  return collect (self, self->st_lookup, error);
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
sqlite_list (NetSipLocationStore  *store,
             GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);
  GPtrArray *out;

  if (!ready (self, error))
    return NULL;
  out = collect (self, self->st_list, error);
  if (out)
    g_ptr_array_sort (out, compare_aor_q);
  return out;
}

static gboolean
upsert (NetSipSqliteStore  *self,
        NetSipBinding      *b,
        GError            **error)
{
  sqlite3_stmt *st = self->st_upsert;

  sqlite3_bind_text (st, 1, net_sip_binding_get_aor (b), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (st, 2, net_sip_binding_get_contact (b), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 3, net_sip_binding_get_expires (b));
  sqlite3_bind_double (st, 4, net_sip_binding_get_q (b));
  sqlite3_bind_text (st, 5, net_sip_binding_get_call_id (b), -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (st, 6, net_sip_binding_get_cseq (b));
  if (net_sip_binding_get_params (b))
    sqlite3_bind_text (st, 7, net_sip_binding_get_params (b), -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null (st, 7);
  return run (self, st, error);
}

static gboolean
sqlite_set_binding (NetSipLocationStore  *store,
                    NetSipBinding        *binding,
                    GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);

  return ready (self, error) && upsert (self, binding, error);
}

static gboolean
sqlite_remove_binding (NetSipLocationStore  *store,
                       const char           *aor,
                       const char           *contact,
                       GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);

  if (!ready (self, error))
    return FALSE;
  sqlite3_bind_text (self->st_delete, 1, aor, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (self->st_delete, 2, contact, -1, SQLITE_TRANSIENT);
  return run (self, self->st_delete, error);
}

/* One transaction: the old bindings of @aor out, the new ones in */
static gboolean
sqlite_set_bindings (NetSipLocationStore  *store,
                     const char           *aor,
                     GPtrArray            *bindings,
                     GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);

  if (!ready (self, error))
    return FALSE;
  if (!exec (self, "BEGIN IMMEDIATE", error))
    return FALSE;
  sqlite3_bind_text (self->st_delete_aor, 1, aor, -1, SQLITE_TRANSIENT);
  if (!run (self, self->st_delete_aor, error))
    goto rollback;
  for (guint i = 0; bindings && i < bindings->len; i++)
    if (!upsert (self, g_ptr_array_index (bindings, i), error))
      goto rollback;
  if (!exec (self, "COMMIT", error))
    goto rollback;
  return TRUE;

rollback:
  sqlite3_exec (self->db, "ROLLBACK", NULL, NULL, NULL);
  return FALSE;
}

static gint
sqlite_expire (NetSipLocationStore  *store,
               gint64                now,
               GError              **error)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (store);

  if (!ready (self, error))
    return -1;
  sqlite3_bind_int64 (self->st_expire, 1, now);
  if (!run (self, self->st_expire, error))
    return -1;
  return sqlite3_changes (self->db);
}

static void
net_sip_sqlite_store_iface_init (NetSipLocationStoreInterface *iface)
{
  iface->get_bindings = sqlite_lookup;
  iface->list = sqlite_list;
  iface->set_binding = sqlite_set_binding;
  iface->remove_binding = sqlite_remove_binding;
  iface->set_bindings = sqlite_set_bindings;
  iface->expire = sqlite_expire;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_sqlite_store_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_value_set_string (value, self->path);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_sqlite_store_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (object);

  switch (prop_id)
    {
    case PROP_PATH:
      g_free (self->path);
      self->path = g_value_dup_string (value);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_sqlite_store_finalize (GObject *object)
{
  NetSipSqliteStore *self = NET_SIP_SQLITE_STORE (object);

  sqlite3_finalize (self->st_lookup);
  sqlite3_finalize (self->st_list);
  sqlite3_finalize (self->st_upsert);
  sqlite3_finalize (self->st_delete);
  sqlite3_finalize (self->st_delete_aor);
  sqlite3_finalize (self->st_expire);
  if (self->db)
    sqlite3_close (self->db);
  g_free (self->path);
  G_OBJECT_CLASS (net_sip_sqlite_store_parent_class)->finalize (object);
}

static void
net_sip_sqlite_store_class_init (NetSipSqliteStoreClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = net_sip_sqlite_store_get_property;
  object_class->set_property = net_sip_sqlite_store_set_property;
  object_class->finalize = net_sip_sqlite_store_finalize;

  /**
   * NetSipSqliteStore:path:
   *
   * The database file (created when missing; its directory must exist).
   *
   * Since: 1.0
   */
  props[PROP_PATH] =
    g_param_spec_string ("path", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_sqlite_store_init (NetSipSqliteStore *self)
{
}

/**
 * net_sip_sqlite_store_new:
 * @path: (type filename): the database file; created with its tables
 *   when missing
 * @error: return location for a #GError
 *
 * Opens (or creates) the bindings database at @path, in write-ahead-log
 * mode with `synchronous=FULL`, and checks it (`PRAGMA quick_check`).
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_OPEN (cannot be created, opened
 * or written), %NET_SIP_LOCATION_STORE_ERROR_CORRUPT (not an SQLite
 * database, damaged, or a `bindings` table of another layout).
 *
 * Returns: (transfer full) (nullable): the store, or %NULL on error
 *
 * Since: 1.0
 */
NetSipSqliteStore *
net_sip_sqlite_store_new (const char  *path,
                          GError     **error)
{
  g_return_val_if_fail (path != NULL, NULL);
  return g_initable_new (NET_SIP_TYPE_SQLITE_STORE, NULL, error, "path", path, NULL);
}

/**
 * net_sip_sqlite_store_get_path:
 * @self: a #NetSipSqliteStore
 *
 * Gets the path of the SQLite database.
 *
 * Returns: (transfer none) (type filename): the database file
 *
 * Since: 1.0
 */
const char *
net_sip_sqlite_store_get_path (NetSipSqliteStore *self)
{
  g_return_val_if_fail (NET_SIP_IS_SQLITE_STORE (self), NULL);
  return self->path;
}
