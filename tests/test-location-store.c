/* test-location-store.c: NetSipLocationStore implementations alone:
 * NetSipMemoryStore and NetSipSqliteStore (same checks on both), the
 * SQLite file across reopening, and the errors at open
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>
#include <signal.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "netsip.h"

typedef enum { STORE_MEMORY, STORE_SQLITE } StoreKind;

typedef struct
{
  char                *dir;
  char                *path;
  NetSipLocationStore *store;
} Fixture;

static NetSipLocationStore *
open_store (Fixture   *f,
            StoreKind  kind)
{
  g_autoptr(GError) error = NULL;
  NetSipLocationStore *store;

  if (kind == STORE_MEMORY)
    return NET_SIP_LOCATION_STORE (net_sip_memory_store_new ());
  store = NET_SIP_LOCATION_STORE (net_sip_sqlite_store_new (f->path, &error));
  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  f->dir = g_dir_make_tmp ("netsip-store-XXXXXX", &error);
  g_assert_no_error (error);
  f->path = g_build_filename (f->dir, "bindings.db", NULL);
  f->store = open_store (f, GPOINTER_TO_INT (data));
}

static void
remove_dir (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (dir, name, NULL);
      if (g_file_test (p, G_FILE_TEST_IS_DIR))
        remove_dir (p);
      else
        g_assert_cmpint (g_unlink (p), ==, 0);
    }
  g_assert_cmpint (g_rmdir (dir), ==, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  if (f->store)
    g_assert_finalize_object (f->store);
  remove_dir (f->dir);
  g_free (f->dir);
  g_free (f->path);
}

static NetSipBinding *
binding (const char *aor,
         const char *contact,
         gint64      expires,
         gdouble     q,
         const char *call_id,
         guint32     cseq)
{
  return net_sip_binding_new (aor, contact, expires, q, call_id, cseq);
}

static GPtrArray *
lookup (NetSipLocationStore *store,
        const char          *aor,
        gint64               now)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *all = net_sip_location_store_lookup (store, aor, now, &error);

  g_assert_no_error (error);
  g_assert_nonnull (all);
  return all;
}

#define NTH(a, i) ((NetSipBinding *) g_ptr_array_index ((a), (i)))

/* add, update by contact, order by q, lookup filtered by time, remove */
static void
test_basic (Fixture       *f,
            gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  gint64 now = 1700000000;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) list = NULL;
  g_autoptr(NetSipBinding) a = binding ("sip:alice@example.com", "sip:alice@10.0.0.1", now + 60, 0.5, "c1", 1);
  g_autoptr(NetSipBinding) b = binding ("sip:alice@example.com", "sip:alice@10.0.0.2", now + 120, -1, "c2", 7);
  g_autoptr(NetSipBinding) c = binding ("sip:alice@example.com", "sip:alice@10.0.0.3", now - 1, 1.0, "c3", 1);
  g_autoptr(NetSipBinding) d = binding ("sip:bob@example.com", "sip:bob@10.0.0.9", now + 30, 0.1, "c4", 2);
  g_autoptr(NetSipBinding) a2 = binding ("sip:alice@example.com", "sip:alice@10.0.0.1", now + 300, 0.9, "c1", 2);

  net_sip_binding_set_params (a, ";+sip.instance=\"<urn:uuid:1>\";reg-id=1");
  g_assert_true (net_sip_location_store_set_binding (f->store, a, &error));
  g_assert_true (net_sip_location_store_set_binding (f->store, b, &error));
  g_assert_true (net_sip_location_store_set_binding (f->store, c, &error));
  g_assert_true (net_sip_location_store_set_binding (f->store, d, &error));
  g_assert_no_error (error);

  /* now = 0: everything stored, expired c included; no q counts as 1.0 */
  all = lookup (f->store, "sip:alice@example.com", 0);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:alice@10.0.0.2"); /* 1.0, later */
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 1)), ==, "sip:alice@10.0.0.3"); /* 1.0 */
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 2)), ==, "sip:alice@10.0.0.1"); /* 0.5 */
  g_assert_cmpfloat (net_sip_binding_get_q (NTH (all, 0)), ==, -1.0);
  g_assert_cmpfloat (net_sip_binding_get_q (NTH (all, 2)), ==, 0.5);
  g_assert_cmpstr (net_sip_binding_get_params (NTH (all, 2)), ==, ";+sip.instance=\"<urn:uuid:1>\";reg-id=1");
  g_assert_cmpstr (net_sip_binding_get_call_id (NTH (all, 0)), ==, "c2");
  g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, 0)), ==, 7);
  g_assert_cmpint (net_sip_binding_get_expires (NTH (all, 0)), ==, now + 120);
  g_assert_cmpint (net_sip_binding_get_remaining (NTH (all, 0), now), ==, 120);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* with the time: c is expired */
  all = lookup (f->store, "sip:alice@example.com", now);
  g_assert_cmpuint (all->len, ==, 2);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* same contact again: replaced, not added */
  g_assert_true (net_sip_location_store_set_binding (f->store, a2, &error));
  all = lookup (f->store, "sip:alice@example.com", now);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 1)), ==, "sip:alice@10.0.0.1");
  g_assert_cmpfloat (net_sip_binding_get_q (NTH (all, 1)), ==, 0.9);
  g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, 1)), ==, 2);
  g_assert_null (net_sip_binding_get_params (NTH (all, 1)));
  g_clear_pointer (&all, g_ptr_array_unref);

  /* list: by aor */
  list = net_sip_location_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (list->len, ==, 4);
  g_assert_cmpstr (net_sip_binding_get_aor (NTH (list, 0)), ==, "sip:alice@example.com");
  g_assert_cmpstr (net_sip_binding_get_aor (NTH (list, 3)), ==, "sip:bob@example.com");

  /* expire: only c */
  g_assert_cmpint (net_sip_location_store_expire (f->store, now, &error), ==, 1);
  g_assert_no_error (error);
  all = lookup (f->store, "sip:alice@example.com", 0);
  g_assert_cmpuint (all->len, ==, 2);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* remove one, then a missing one (no error) */
  g_assert_true (net_sip_location_store_remove_binding (f->store, "sip:alice@example.com",
                                                        "sip:alice@10.0.0.2", &error));
  g_assert_true (net_sip_location_store_remove_binding (f->store, "sip:alice@example.com",
                                                        "sip:nobody@10.0.0.2", &error));
  g_assert_no_error (error);
  all = lookup (f->store, "sip:alice@example.com", 0);
  g_assert_cmpuint (all->len, ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* remove all of an aor; others stay */
  g_assert_true (net_sip_location_store_remove_aor (f->store, "sip:alice@example.com", &error));
  all = lookup (f->store, "sip:alice@example.com", 0);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = lookup (f->store, "sip:bob@example.com", 0);
  g_assert_cmpuint (all->len, ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = lookup (f->store, "sip:nobody@example.com", 0);
  g_assert_cmpuint (all->len, ==, 0);
}

/* set_bindings replaces an aor's bindings at once; a wrong one changes
 * nothing */
static void
test_set_bindings (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) next = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  g_autoptr(GPtrArray) bad = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(NetSipBinding) old = binding ("sip:a@x", "sip:a@1.1.1.1", 2000000000, -1, "c", 1);

  g_assert_true (net_sip_location_store_set_binding (f->store, old, &error));
  g_ptr_array_add (next, binding ("sip:a@x", "sip:a@2.2.2.2", 2000000000, 0.3, "d", 1));
  g_ptr_array_add (next, binding ("sip:a@x", "sip:a@3.3.3.3", 2000000000, 0.7, "d", 1));
  g_assert_true (net_sip_location_store_set_bindings (f->store, "sip:a@x", next, &error));
  g_assert_no_error (error);
  all = lookup (f->store, "sip:a@x", 0);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:a@3.3.3.3");
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 1)), ==, "sip:a@2.2.2.2");
  g_clear_pointer (&all, g_ptr_array_unref);

  /* a binding of another aor in the set: INVALID, nothing changed */
  g_ptr_array_add (bad, binding ("sip:a@x", "sip:a@4.4.4.4", 2000000000, -1, "e", 1));
  g_ptr_array_add (bad, binding ("sip:b@x", "sip:b@4.4.4.4", 2000000000, -1, "e", 1));
  g_assert_false (net_sip_location_store_set_bindings (f->store, "sip:a@x", bad, &error));
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_INVALID);
  g_clear_error (&error);
  all = lookup (f->store, "sip:a@x", 0);
  g_assert_cmpuint (all->len, ==, 2);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* empty contact */
  {
    g_autoptr(NetSipBinding) empty = binding ("sip:a@x", "", 2000000000, -1, "e", 1);
    g_assert_false (net_sip_location_store_set_binding (f->store, empty, &error));
    g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_INVALID);
    g_clear_error (&error);
  }

  /* NULL: all gone */
  g_assert_true (net_sip_location_store_set_bindings (f->store, "sip:a@x", NULL, &error));
  all = lookup (f->store, "sip:a@x", 0);
  g_assert_cmpuint (all->len, ==, 0);
}

/* Bindings survive closing and reopening the file; WAL mode is on */
static void
test_sqlite_reopen (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  g_autoptr(NetSipBinding) a = binding ("sip:alice@example.com", "sip:alice@127.0.0.1:5070;transport=tcp",
                                        2000000000, 0.25, "call-1@h", 42);
  g_autofree char *wal = g_strconcat (f->path, "-wal", NULL);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  net_sip_binding_set_params (a, ";+sip.instance=\"<urn:uuid:abc>\"");
  g_assert_true (net_sip_location_store_set_binding (f->store, a, &error));
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *aor = g_strdup_printf ("sip:u%u@example.com", i);
      g_autofree char *contact = g_strdup_printf ("sip:u%u@127.0.0.1:%u", i, 10000 + i);
      g_ptr_array_set_size (many, 0);
      g_ptr_array_add (many, binding (aor, contact, 2000000000, -1, "c", i));
      g_assert_true (net_sip_location_store_set_bindings (f->store, aor, many, &error));
    }
  g_assert_no_error (error);
  /* write-ahead log in use while open */
  g_assert_true (g_file_test (wal, G_FILE_TEST_EXISTS));

  /* another connection sees the committed rows and WAL mode */
  g_assert_cmpint (sqlite3_open_v2 (f->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM bindings", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpint (sqlite3_column_int (st, 0), ==, 101);
  sqlite3_finalize (st);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "PRAGMA journal_mode", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  g_assert_cmpstr ((const char *) sqlite3_column_text (st, 0), ==, "wal");
  sqlite3_finalize (st);
  sqlite3_close (db);

  g_assert_finalize_object (f->store);
  f->store = open_store (f, STORE_SQLITE);
  all = lookup (f->store, "sip:alice@example.com", 1700000000);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:alice@127.0.0.1:5070;transport=tcp");
  g_assert_cmpint (net_sip_binding_get_expires (NTH (all, 0)), ==, 2000000000);
  g_assert_cmpfloat (net_sip_binding_get_q (NTH (all, 0)), ==, 0.25);
  g_assert_cmpstr (net_sip_binding_get_call_id (NTH (all, 0)), ==, "call-1@h");
  g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, 0)), ==, 42);
  g_assert_cmpstr (net_sip_binding_get_params (NTH (all, 0)), ==, ";+sip.instance=\"<urn:uuid:abc>\"");
  g_clear_pointer (&all, g_ptr_array_unref);
  all = net_sip_location_store_list (f->store, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 101);
}

/* A process killed (SIGKILL) right after its writes returned, without
 * closing the store or checkpointing the log: the next open has every
 * binding (what the registrar relies on when it sends its 200) */
static void
test_sqlite_crash (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(NetSipSqliteStore) store = NULL;
  g_autoptr(GPtrArray) all = NULL;

  if (g_test_subprocess ())
    {
      const char *child_path = g_getenv ("NETSIP_TEST_DB");
      NetSipSqliteStore *s = net_sip_sqlite_store_new (child_path, &error);
      g_autoptr(GPtrArray) one = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);

      g_assert_no_error (error);
      for (guint i = 0; i < 50; i++)
        {
          g_autofree char *aor = g_strdup_printf ("sip:u%u@example.com", i);
          g_autofree char *contact = g_strdup_printf ("sip:u%u@127.0.0.1:%u", i, 20000 + i);
          g_ptr_array_set_size (one, 0);
          g_ptr_array_add (one, net_sip_binding_new (aor, contact, 2000000000, -1, "crash", i));
          g_assert_true (net_sip_location_store_set_bindings (NET_SIP_LOCATION_STORE (s), aor, one, &error));
        }
      kill (getpid (), SIGKILL);
      g_assert_not_reached ();
    }

  dir = g_dir_make_tmp ("netsip-store-crash-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "bindings.db", NULL);
  g_setenv ("NETSIP_TEST_DB", path, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
  g_test_trap_assert_failed ();   /* it died by SIGKILL */

  store = net_sip_sqlite_store_new (path, &error);
  g_assert_no_error (error);
  all = net_sip_location_store_list (NET_SIP_LOCATION_STORE (store), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (all->len, ==, 50);
  g_clear_pointer (&all, g_ptr_array_unref);
  all = net_sip_location_store_lookup (NET_SIP_LOCATION_STORE (store), "sip:u49@example.com", 0, &error);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (g_ptr_array_index (all, 0)), ==, "sip:u49@127.0.0.1:20049");
  g_assert_cmpuint (net_sip_binding_get_cseq (g_ptr_array_index (all, 0)), ==, 49);
  g_clear_object (&store);
  remove_dir (dir);
}

/* A database file the process may not write: OPEN at open. Root may
 * write anything, so as root the check runs in a child that has become
 * nobody (uid/gid 65534). */
static void
test_sqlite_read_only (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;

  if (g_test_subprocess ())
    {
      const char *child_path = g_getenv ("NETSIP_TEST_DB");
      NetSipSqliteStore *s;

      if (getuid () == 0)
        {
          g_assert_cmpint (setgid (65534), ==, 0);
          g_assert_cmpint (setuid (65534), ==, 0);
        }
      s = net_sip_sqlite_store_new (child_path, &error);
      g_assert_null (s);
      g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN);
      g_assert_nonnull (strstr (error->message, child_path));
      g_printerr ("read-only: %s\n", error->message);
      return;
    }

  dir = g_dir_make_tmp ("netsip-store-ro-XXXXXX", &error);
  g_assert_no_error (error);
  path = g_build_filename (dir, "bindings.db", NULL);
  {
    g_autoptr(NetSipSqliteStore) store = net_sip_sqlite_store_new (path, &error);
    g_assert_no_error (error);
  }
  /* the last close removed the -wal and -shm files */
  g_assert_cmpint (g_chmod (dir, 0755), ==, 0);
  g_assert_cmpint (g_chmod (path, 0444), ==, 0);
  g_setenv ("NETSIP_TEST_DB", path, TRUE);
  g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*read-only:*not writable*");
  g_assert_cmpint (g_chmod (path, 0644), ==, 0);
  remove_dir (dir);
}

/* A clear GError at open, never later */
static void
test_sqlite_bad_files (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *missing = g_build_filename (f->dir, "no-such-dir", "b.db", NULL);
  g_autofree char *garbage = g_build_filename (f->dir, "garbage.db", NULL);
  g_autofree char *other = g_build_filename (f->dir, "other.db", NULL);
  g_autofree char *subdir = g_build_filename (f->dir, "a-directory", NULL);
  NetSipSqliteStore *store;
  char junk[8192];
  sqlite3 *db = NULL;

  /* a directory that does not exist */
  store = net_sip_sqlite_store_new (missing, &error);
  g_assert_null (store);
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN);
  g_assert_nonnull (strstr (error->message, missing));
  g_test_message ("missing directory: %s", error->message);
  g_clear_error (&error);

  /* a directory as the file */
  g_assert_cmpint (g_mkdir (subdir, 0700), ==, 0);
  store = net_sip_sqlite_store_new (subdir, &error);
  g_assert_null (store);
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN);
  g_test_message ("directory: %s", error->message);
  g_clear_error (&error);

  /* not a database */
  for (gsize i = 0; i < sizeof junk; i++)
    junk[i] = (char) (i * 7 + 3);
  g_assert_true (g_file_set_contents (garbage, junk, sizeof junk, NULL));
  store = net_sip_sqlite_store_new (garbage, &error);
  g_assert_null (store);
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_CORRUPT);
  g_test_message ("garbage: %s", error->message);
  g_clear_error (&error);

  /* an SQLite database with another bindings table */
  g_assert_cmpint (sqlite3_open (other, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, "CREATE TABLE bindings (x INTEGER)", NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  store = net_sip_sqlite_store_new (other, &error);
  g_assert_null (store);
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_CORRUPT);
  g_test_message ("other layout: %s", error->message);
  g_clear_error (&error);

  /* an empty path */
  store = net_sip_sqlite_store_new ("", &error);
  g_assert_null (store);
  g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_OPEN);
  g_clear_error (&error);

  /* a damaged database: a good one with its pages overwritten */
  {
    g_autofree char *damaged = g_build_filename (f->dir, "damaged.db", NULL);
    g_autofree char *contents = NULL;
    gsize length = 0;
    NetSipSqliteStore *good = net_sip_sqlite_store_new (damaged, &error);
    g_autoptr(GPtrArray) many = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);

    g_assert_no_error (error);
    for (guint i = 0; i < 200; i++)
      {
        g_autofree char *aor = g_strdup_printf ("sip:u%u@example.com", i);
        g_ptr_array_set_size (many, 0);
        g_ptr_array_add (many, binding (aor, "sip:somebody@127.0.0.1", 2000000000, -1, "c", i));
        g_assert_true (net_sip_location_store_set_bindings (NET_SIP_LOCATION_STORE (good), aor, many, &error));
      }
    g_assert_finalize_object (good);   /* the last close checkpoints the log into the file */
    g_assert_true (g_file_get_contents (damaged, &contents, &length, NULL));
    g_assert_cmpuint (length, >, 8192);
    /* keep the 100-byte header, overwrite the rest of page 1 and page 2 */
    memset (contents + 100, 0xA5, 8192 - 100);
    g_assert_true (g_file_set_contents (damaged, contents, length, NULL));
    store = net_sip_sqlite_store_new (damaged, &error);
    g_assert_null (store);
    g_assert_error (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_CORRUPT);
    g_test_message ("damaged: %s", error->message);
    g_clear_error (&error);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/location-store/memory/basic", Fixture, GINT_TO_POINTER (STORE_MEMORY),
              fixture_set_up, test_basic, fixture_tear_down);
  g_test_add ("/location-store/memory/set-bindings", Fixture, GINT_TO_POINTER (STORE_MEMORY),
              fixture_set_up, test_set_bindings, fixture_tear_down);
  g_test_add ("/location-store/sqlite/basic", Fixture, GINT_TO_POINTER (STORE_SQLITE),
              fixture_set_up, test_basic, fixture_tear_down);
  g_test_add ("/location-store/sqlite/set-bindings", Fixture, GINT_TO_POINTER (STORE_SQLITE),
              fixture_set_up, test_set_bindings, fixture_tear_down);
  g_test_add ("/location-store/sqlite/reopen", Fixture, GINT_TO_POINTER (STORE_SQLITE),
              fixture_set_up, test_sqlite_reopen, fixture_tear_down);
  g_test_add_func ("/location-store/sqlite/crash", test_sqlite_crash);
  g_test_add_func ("/location-store/sqlite/read-only", test_sqlite_read_only);
  g_test_add ("/location-store/sqlite/bad-files", Fixture, GINT_TO_POINTER (STORE_MEMORY),
              fixture_set_up, test_sqlite_bad_files, fixture_tear_down);
  return g_test_run ();
}
