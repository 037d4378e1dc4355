/* test-registrar.c: NetSipRegistrar (RFC 3261 §10.3) and NetSipRedirect
 *
 * Dispatcher B (server) has a test chain: the registrar, the redirect
 * server, and a fallback that answers 501 to whatever both passed on
 * (and records it). Dispatcher A (client) sends REGISTER, INVITE and
 * OPTIONS requests over UDP on loopback. Most tests run on both stores
 * (memory and SQLite).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <unistd.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "netsip.h"

#define WAIT_LIMIT_MS 5000
#define DOMAIN "example.com"
#define AOR "sip:alice@" DOMAIN

/* ------------------------------------------------------------------ */
/* A chain of receivers for the test (the real NetSipReceiveChain is    */
/* built elsewhere): members tried in order; what none handles gets    */
/* 501 from the chain and is recorded.                                  */

#define TEST_TYPE_CHAIN (test_chain_get_type ())
G_DECLARE_FINAL_TYPE (TestChain, test_chain, TEST, CHAIN, GObject)

struct _TestChain
{
  GObject           parent_instance;
  NetSipDispatcher *dispatcher;   /* not owned */
  GPtrArray        *members;      /* NetSipReceiver */
  GPtrArray        *passed;       /* requests nobody handled */
};

static void test_chain_iface_init (NetSipReceiverInterface *iface);

G_DEFINE_TYPE_WITH_CODE (TestChain, test_chain, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER, test_chain_iface_init))

static void
test_chain_finalize (GObject *object)
{
  TestChain *self = TEST_CHAIN (object);
  g_ptr_array_unref (self->members);
  g_ptr_array_unref (self->passed);
  G_OBJECT_CLASS (test_chain_parent_class)->finalize (object);
}

static void
test_chain_class_init (TestChainClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_chain_finalize;
}

static void
test_chain_init (TestChain *self)
{
  self->members = g_ptr_array_new_with_free_func (g_object_unref);
  self->passed = g_ptr_array_new_with_free_func (g_object_unref);
}

static void
sent (GObject      *source,
      GAsyncResult *result,
      gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error));
}

static gboolean
test_chain_receive (NetSipReceiver   *receiver,
                    NetSipMessage    *message,
                    NetSipLeg        *leg,
                    NetSipSourceInfo *source)
{
  TestChain *self = TEST_CHAIN (receiver);
  g_autoptr(NetSipResponse) response = NULL;

  for (guint i = 0; i < self->members->len; i++)
    if (net_sip_receiver_receive (g_ptr_array_index (self->members, i), message, leg, source))
      return TRUE;
  if (!net_sip_message_is_request (message))
    return FALSE;
  g_ptr_array_add (self->passed, g_object_ref (message));
  if (strcmp (net_sip_message_get_method (message), "ACK") == 0)
    return TRUE;
  response = net_sip_request_create_response (NET_SIP_REQUEST (message), 501, "Passed On", "fallback");
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL, sent, NULL);
  return TRUE;
}

static void
test_chain_iface_init (NetSipReceiverInterface *iface)
{
  iface->receive = test_chain_receive;
}

/* A store that fails every write (a full disk) */
#define TEST_TYPE_FAILING_STORE (test_failing_store_get_type ())
G_DECLARE_FINAL_TYPE (TestFailingStore, test_failing_store, TEST, FAILING_STORE, GObject)

struct _TestFailingStore
{
  GObject parent_instance;
};

static GPtrArray *
failing_lookup (NetSipLocationStore *store, const char *aor, GError **error)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
}

static GPtrArray *
failing_list (NetSipLocationStore *store, GError **error)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
}

static gboolean
failing_write (GError **error)
{
  g_set_error_literal (error, NET_SIP_LOCATION_STORE_ERROR, NET_SIP_LOCATION_STORE_ERROR_IO,
                       "disk full (test)");
  return FALSE;
}

static gboolean
failing_set_binding (NetSipLocationStore *store, NetSipBinding *b, GError **error)
{
  return failing_write (error);
}

static gboolean
failing_remove_binding (NetSipLocationStore *store, const char *aor, const char *contact, GError **error)
{
  return failing_write (error);
}

static gboolean
failing_set_bindings (NetSipLocationStore *store, const char *aor, GPtrArray *b, GError **error)
{
  return failing_write (error);
}

static gint
failing_expire (NetSipLocationStore *store, gint64 now, GError **error)
{
  return failing_write (error) ? 0 : -1;
}

static void
test_failing_store_iface_init (NetSipLocationStoreInterface *iface)
{
  iface->get_bindings = failing_lookup;
  iface->list = failing_list;
  iface->set_binding = failing_set_binding;
  iface->remove_binding = failing_remove_binding;
  iface->set_bindings = failing_set_bindings;
  iface->expire = failing_expire;
}

G_DEFINE_TYPE_WITH_CODE (TestFailingStore, test_failing_store, G_TYPE_OBJECT,
                         G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_LOCATION_STORE, test_failing_store_iface_init))

static void
test_failing_store_class_init (TestFailingStoreClass *klass)
{
}

static void
test_failing_store_init (TestFailingStore *self)
{
}

/* ------------------------------------------------------------------ */
/* Main loop                                                           */

typedef struct
{
  gboolean        done;
  NetSipResponse *response;
  GError         *error;
} Result;

static void
on_delivered (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  Result *r = user_data;

  net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, &r->response, &r->error);
  r->done = TRUE;
}

static gboolean
wake_up (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_for (Result *r)
{
  gint64 deadline = g_get_monotonic_time () + WAIT_LIMIT_MS * 1000;
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (WAIT_LIMIT_MS, wake_up, &timed_out);

  while (!r->done && !timed_out && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (r->done);
  if (!timed_out)
    g_source_remove (id);
}

/* Runs the loop for @ms milliseconds */
static void
run_for (guint ms)
{
  gboolean over = FALSE;
  gint64 deadline = g_get_monotonic_time () + (ms + 1000) * 1000;

  g_timeout_add (ms, wake_up, &over);
  while (!over && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  g_assert_true (over);
}

/* ------------------------------------------------------------------ */
/* Fixture                                                             */

typedef enum { STORE_MEMORY, STORE_SQLITE } StoreKind;

typedef struct
{
  StoreKind         kind;
  char             *dir;
  char             *db_path;
  NetSipLeg        *leg_a;
  NetSipLeg        *leg_b;
  NetSipDispatcher *a;
  NetSipDispatcher *b;
  NetSipRegistrar  *registrar;
  NetSipRedirect   *redirect;
  TestChain        *chain;
  char             *registrar_uri;
  guint             n_calls;
} Fixture;

static NetSipLocationStore *
make_store (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  NetSipLocationStore *store;

  if (f->kind == STORE_MEMORY)
    return NET_SIP_LOCATION_STORE (net_sip_memory_store_new ());
  store = NET_SIP_LOCATION_STORE (net_sip_sqlite_store_new (f->db_path, &error));
  g_assert_no_error (error);
  return store;
}

/* Drops registrar (with its store), redirect and chain */
static void
drop_servers (Fixture *f)
{
  net_sip_dispatcher_set_receiver (f->b, NULL);
  if (f->chain)
    g_assert_finalize_object (f->chain);
  if (f->redirect)
    g_assert_finalize_object (f->redirect);
  if (f->registrar)
    g_assert_finalize_object (f->registrar);
  f->chain = NULL;
  f->redirect = NULL;
  f->registrar = NULL;
}

/* (Re)creates registrar, redirect and chain on B over @store */
static void
make_servers (Fixture             *f,
              NetSipLocationStore *store)
{
  drop_servers (f);
  f->registrar = net_sip_registrar_new (f->b, store);
  f->redirect = net_sip_redirect_new (f->b, f->registrar);
  f->chain = g_object_new (TEST_TYPE_CHAIN, NULL);
  f->chain->dispatcher = f->b;
  g_ptr_array_add (f->chain->members, g_object_ref (f->registrar));
  g_ptr_array_add (f->chain->members, g_object_ref (f->redirect));
  net_sip_dispatcher_set_receiver (f->b, NET_SIP_RECEIVER (f->chain));
  net_sip_registrar_set_domains (f->registrar, (const char *const[]) { DOMAIN, NULL });
}

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipLocationStore) store = NULL;

  f->kind = GPOINTER_TO_INT (data);
  f->dir = g_dir_make_tmp ("netsip-registrar-XXXXXX", &error);
  g_assert_no_error (error);
  f->db_path = g_build_filename (f->dir, "bindings.db", NULL);
  f->leg_a = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->leg_b = net_sip_leg_new ("udp:127.0.0.1:0", &error);
  g_assert_no_error (error);
  f->a = net_sip_dispatcher_new (&f->leg_a, 1);
  f->b = net_sip_dispatcher_new (&f->leg_b, 1);
  store = make_store (f);
  make_servers (f, store);
  f->registrar_uri = g_strdup_printf ("sip:127.0.0.1:%u", net_sip_leg_get_port (f->leg_b));
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  drop_servers (f);
  /* the ACKs of the INVITE tests' non-2xx finals are sent asynchronously */
  while (g_main_context_iteration (NULL, FALSE))
    ;
  g_assert_finalize_object (f->a);
  g_assert_finalize_object (f->b);
  g_clear_object (&f->leg_a);
  g_clear_object (&f->leg_b);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  d = g_dir_open (f->dir, 0, NULL);
  while (d && (name = g_dir_read_name (d)))
    {
      g_autofree char *p = g_build_filename (f->dir, name, NULL);
      g_assert_cmpint (g_unlink (p), ==, 0);
    }
  g_assert_cmpint (g_rmdir (f->dir), ==, 0);
  g_free (f->dir);
  g_free (f->db_path);
  g_free (f->registrar_uri);
}

/* A REGISTER for @to from A; @contacts: Contact values (NULL-terminated,
 * may be NULL for a query); @expires: Expires header value or NULL */
static NetSipRequest *
make_register (Fixture            *f,
               const char         *to,
               const char         *call_id,
               guint32             cseq,
               const char *const  *contacts,
               const char         *expires)
{
  NetSipRequest *req = net_sip_request_new ("REGISTER", f->registrar_uri);
  NetSipMessage *m = NET_SIP_MESSAGE (req);
  g_autofree char *cseq_s = g_strdup_printf ("%u REGISTER", cseq);
  g_autofree char *to_s = g_strdup_printf ("<%s>", to ? to : AOR);
  g_autofree char *from = g_strdup_printf ("<%s>;tag=r%u", to ? to : AOR, ++f->n_calls);

  net_sip_message_add_header (m, "Max-Forwards", "70");
  net_sip_message_add_header (m, "To", to_s);
  net_sip_message_add_header (m, "From", from);
  net_sip_message_add_header (m, "Call-ID", call_id);
  net_sip_message_add_header (m, "CSeq", cseq_s);
  for (guint i = 0; contacts && contacts[i]; i++)
    net_sip_message_add_header (m, "Contact", contacts[i]);
  if (expires)
    net_sip_message_add_header (m, "Expires", expires);
  return req;
}

static NetSipResponse *
send_request (Fixture       *f,
              NetSipRequest *req)
{
  Result r = { 0 };

  net_sip_dispatcher_deliver_async (f->a, NET_SIP_MESSAGE (req), NULL, NULL, on_delivered, &r);
  wait_for (&r);
  g_assert_no_error (r.error);
  g_assert_nonnull (r.response);
  return r.response;
}

static NetSipResponse *
do_register (Fixture            *f,
             const char         *call_id,
             guint32             cseq,
             const char *const  *contacts,
             const char         *expires,
             guint               expected_code)
{
  g_autoptr(NetSipRequest) req = make_register (f, NULL, call_id, cseq, contacts, expires);
  NetSipResponse *resp = send_request (f, req);

  g_assert_cmpuint (net_sip_response_get_code (resp), ==, expected_code);
  return resp;
}

#define CONTACTS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* The Contacts of a 200: uri → expires; checks Date */
static GHashTable *
listed (NetSipResponse *resp)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (NET_SIP_MESSAGE (resp), &error);
  GHashTable *out = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  const char *date = net_sip_message_get_header (NET_SIP_MESSAGE (resp), "Date");

  g_assert_no_error (error);
  /* RFC 3261 §20.17: rfc1123-date in GMT */
  g_assert_nonnull (date);
  g_assert_true (g_regex_match_simple ("^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} "
                                       "(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
                                       "[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$", date, 0, 0));
  for (guint i = 0; i < contacts->len; i++)
    {
      NetSipNameAddr *c = g_ptr_array_index (contacts, i);
      g_assert_cmpint (net_sip_name_addr_get_expires (c), >=, 0);
      g_hash_table_insert (out, g_strdup (net_sip_name_addr_get_uri_string (c)),
                           GINT_TO_POINTER ((gint) net_sip_name_addr_get_expires (c)));
    }
  return out;
}

static GPtrArray *
lookup (Fixture    *f,
        const char *uri)
{
  g_autoptr(GError) error = NULL;
  GPtrArray *all = net_sip_registrar_lookup (f->registrar, uri, &error);

  g_assert_no_error (error);
  g_assert_nonnull (all);
  return all;
}

static guint64
counter (gpointer    object,
         const char *name)
{
  guint64 v = 0;
  g_object_get (object, name, &v, NULL);
  return v;
}

#define NTH(a, i) ((NetSipBinding *) g_ptr_array_index ((a), (i)))

/* ------------------------------------------------------------------ */
/* Tests                                                               */

/* Expires header, Contact expires parameter, default; the 200 lists the
 * remaining time; Date */
static void
test_register_expires (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipResponse) r1 = NULL;
  g_autoptr(NetSipResponse) r2 = NULL;
  g_autoptr(NetSipResponse) r3 = NULL;
  g_autoptr(GHashTable) l1 = NULL;
  g_autoptr(GHashTable) l3 = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_object_set (f->registrar, "default-expires", 1000, NULL);
  r1 = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "600", 200);
  l1 = listed (r1);
  g_assert_cmpuint (g_hash_table_size (l1), ==, 1);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l1, "sip:alice@127.0.0.1:5071")), >=, 599);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l1, "sip:alice@127.0.0.1:5071")), <=, 600);
  /* a To tag: the registrar answers as a UAS */
  g_assert_nonnull (net_sip_message_get_to_tag (NET_SIP_MESSAGE (r1)));

  /* the parameter wins over the header */
  r2 = do_register (f, "c2@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5072>;expires=300"), "600", 200);
  /* neither: the default */
  r3 = do_register (f, "c3@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5073>"), NULL, 200);
  l3 = listed (r3);
  g_assert_cmpuint (g_hash_table_size (l3), ==, 3);   /* every current binding */
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l3, "sip:alice@127.0.0.1:5072")), >=, 299);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l3, "sip:alice@127.0.0.1:5072")), <=, 300);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l3, "sip:alice@127.0.0.1:5073")), >=, 999);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l3, "sip:alice@127.0.0.1:5073")), <=, 1000);

  all = lookup (f, "sip:alice@EXAMPLE.com;transport=udp");
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (net_sip_binding_get_aor (NTH (all, 0)), ==, AOR);
  g_assert_cmpuint (counter (f->registrar, "registered-requests"), ==, 3);
  g_assert_cmpuint (counter (f->registrar, "rejected-requests"), ==, 0);
}

/* min-expires → 423 with Min-Expires, nothing stored; max-expires clamps;
 * 0 for an unknown contact is no error */
static void
test_register_limits (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(NetSipResponse) r1 = NULL;
  g_autoptr(NetSipResponse) r2 = NULL;
  g_autoptr(NetSipResponse) r3 = NULL;
  g_autoptr(NetSipResponse) r4 = NULL;
  g_autoptr(GHashTable) l2 = NULL;
  g_autoptr(GPtrArray) all = NULL;

  g_object_set (f->registrar, "min-expires", 120, "max-expires", 500, NULL);
  r1 = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "60", 423);
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (r1), "Min-Expires"), ==, "120");
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* one contact too brief makes the whole request fail */
  r4 = do_register (f, "c1@a", 2, CONTACTS ("<sip:alice@127.0.0.1:5070>", "<sip:alice@127.0.0.1:5071>;expires=5"),
                    "300", 423);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  r2 = do_register (f, "c1@a", 3, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "10000", 200);
  l2 = listed (r2);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l2, "sip:alice@127.0.0.1:5071")), <=, 500);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l2, "sip:alice@127.0.0.1:5071")), >=, 499);

  /* beyond 2^32-1 is not malformed: the largest value, clamped */
  {
    g_autoptr(NetSipResponse) big = do_register (f, "c1@a", 31, CONTACTS ("<sip:alice@127.0.0.1:5071>;expires=99999999999"),
                                                  NULL, 200);
    g_autoptr(NetSipResponse) big2 = do_register (f, "c1@a", 32, CONTACTS ("<sip:alice@127.0.0.1:5071>"),
                                                   "99999999999", 200);
    g_autoptr(GHashTable) lb = listed (big);
    g_autoptr(GHashTable) lb2 = listed (big2);
    g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (lb, "sip:alice@127.0.0.1:5071")), >=, 499);
    g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (lb, "sip:alice@127.0.0.1:5071")), <=, 500);
    g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (lb2, "sip:alice@127.0.0.1:5071")), >=, 499);
  }
  r3 = do_register (f, "c1@a", 34, CONTACTS ("<sip:alice@127.0.0.1:9999>"), "0", 200);
  /* a minimum above one hour refuses only what is below one hour
   * (§10.3 step 7) */
  g_object_set (f->registrar, "min-expires", 7200, "max-expires", 10000, NULL);
  g_object_unref (do_register (f, "c1@a", 35, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "3599", 423));
  g_object_unref (do_register (f, "c1@a", 36, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "3600", 200));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpuint (counter (f->registrar, "rejected-requests"), ==, 3);
}

/* Contact: * with Expires: 0 removes all, anything else with * is 400 */
static void
test_register_wildcard (Fixture       *f,
                        gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(NetSipResponse) r = NULL;
  g_autoptr(GHashTable) l = NULL;
  struct { const char *const *contacts; const char *expires; } bad[] = {
    { CONTACTS ("*"), "10" },
    { CONTACTS ("*"), NULL },
    { CONTACTS ("*", "<sip:alice@127.0.0.1:5075>"), "0" },
    { CONTACTS ("*;expires=0"), "0" },
  };

  g_clear_object (&r);
  r = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>", "<sip:alice@127.0.0.1:5072>"), "300", 200);
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr(NetSipResponse) rb = do_register (f, "c9@a", 1 + i, bad[i].contacts, bad[i].expires, 400);
      all = lookup (f, AOR);
      g_assert_cmpuint (all->len, ==, 2);
      g_clear_pointer (&all, g_ptr_array_unref);
    }

  /* another Call-ID: removes everything */
  g_clear_object (&r);
  r = do_register (f, "c2@a", 1, CONTACTS ("*"), "0", 200);
  l = listed (r);
  g_assert_cmpuint (g_hash_table_size (l), ==, 0);
  g_assert_null (net_sip_message_get_header (NET_SIP_MESSAGE (r), "Contact"));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* same Call-ID, CSeq not higher than the binding's: 500, nothing removed */
  g_clear_object (&r);
  r = do_register (f, "c3@a", 5, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300", 200);
  g_clear_object (&r);
  r = do_register (f, "c3@a", 5, CONTACTS ("*"), "0", 500);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);
  g_clear_object (&r);
  r = do_register (f, "c3@a", 6, CONTACTS ("*"), "0", 200);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 0);
}

/* No Contact: a query that lists and never changes */
static void
test_register_query (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(NetSipResponse) r1 = NULL;
  g_autoptr(NetSipResponse) q0 = NULL;
  g_autoptr(NetSipResponse) q1 = NULL;
  g_autoptr(NetSipResponse) q2 = NULL;
  g_autoptr(GHashTable) l0 = NULL;
  g_autoptr(GHashTable) l1 = NULL;
  g_autoptr(GPtrArray) all = NULL;

  q0 = do_register (f, "q0@a", 1, NULL, NULL, 200);
  l0 = listed (q0);
  g_assert_cmpuint (g_hash_table_size (l0), ==, 0);

  r1 = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>", "<sip:alice@127.0.0.1:5072>"), "300", 200);
  /* a query with Expires: 0 still wipes nothing */
  q1 = do_register (f, "q1@a", 1, NULL, "0", 200);
  l1 = listed (q1);
  g_assert_cmpuint (g_hash_table_size (l1), ==, 2);
  g_assert_true (g_hash_table_contains (l1, "sip:alice@127.0.0.1:5071"));
  g_assert_true (g_hash_table_contains (l1, "sip:alice@127.0.0.1:5072"));
  /* the query used the same Call-ID as the registration, lower CSeq: no 500 */
  q2 = do_register (f, "c1@a", 1, NULL, NULL, 200);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpuint (counter (f->registrar, "query-requests"), ==, 3);
  g_assert_cmpuint (counter (f->registrar, "registered-requests"), ==, 1);
}

/* q-values: lookup and the 200 by preference */
static void
test_register_q (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(NetSipResponse) r = NULL;
  g_autoptr(NetSipResponse) bad = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GError) error = NULL;

  r = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>;q=0.1",
                                            "<sip:alice@127.0.0.1:5072>;q=0.9",
                                            "<sip:alice@127.0.0.1:5073>"), "300", 200);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 3);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:alice@127.0.0.1:5073");
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 1)), ==, "sip:alice@127.0.0.1:5072");
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 2)), ==, "sip:alice@127.0.0.1:5071");
  g_assert_cmpfloat_with_epsilon (net_sip_binding_get_q (NTH (all, 1)), 0.9, 1e-9);

  {
    g_auto(GStrv) uris = net_sip_registrar_lookup_contacts (f->registrar, "sip:alice@example.com:5060", &error);
    g_assert_no_error (error);
    g_assert_cmpuint (g_strv_length (uris), ==, 0);   /* another address of record (port) */
  }
  {
    g_auto(GStrv) uris = net_sip_registrar_lookup_contacts (f->registrar, AOR ";user=phone", &error);
    const char *const want[] = { "sip:alice@127.0.0.1:5073", "sip:alice@127.0.0.1:5072",
                                 "sip:alice@127.0.0.1:5071", NULL };
    g_assert_no_error (error);
    g_assert_true (g_strv_equal ((const char *const *) uris, want));
  }
  {
    g_auto(GStrv) uris = net_sip_registrar_lookup_contacts (f->registrar, "mailto:alice@example.com", &error);
    g_assert_null (uris);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
    g_clear_error (&error);
  }

  contacts = net_sip_message_get_contacts (NET_SIP_MESSAGE (r), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (contacts->len, ==, 3);
  g_assert_cmpfloat (net_sip_name_addr_get_q (g_ptr_array_index (contacts, 0)), ==, -1.0);
  g_assert_cmpfloat_with_epsilon (net_sip_name_addr_get_q (g_ptr_array_index (contacts, 1)), 0.9, 1e-9);
  g_assert_cmpfloat_with_epsilon (net_sip_name_addr_get_q (g_ptr_array_index (contacts, 2)), 0.1, 1e-9);

  bad = do_register (f, "c1@a", 2, CONTACTS ("<sip:alice@127.0.0.1:5071>;q=2"), "300", 400);
}

/* §10.3 step 7: same Call-ID needs a higher CSeq; another Call-ID
 * replaces; expires=0 removes one binding */
static void
test_register_cseq (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  const char *const *one = CONTACTS ("<sip:alice@127.0.0.1:5071>");
  guint32 cseqs[] = { 5, 4 };

  g_object_unref (do_register (f, "c1@a", 5, one, "300", 200));
  g_object_unref (do_register (f, "c1@a", 5, CONTACTS ("<sip:alice@127.0.0.1:5072>"), "300", 200));
  for (guint i = 0; i < G_N_ELEMENTS (cseqs); i++)
    {
      g_object_unref (do_register (f, "c1@a", cseqs[i], one, "100", 500));
      all = lookup (f, AOR);
      g_assert_cmpuint (all->len, ==, 2);
      for (guint j = 0; j < all->len; j++)
        g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, j)), ==, 5);
      g_clear_pointer (&all, g_ptr_array_unref);
    }
  /* URI comparison (§19.1.4): transport=udp makes another URI, so CSeq 4
   * is a new binding of this Call-ID, not an old refresh */
  g_object_unref (do_register (f, "c1@a", 4, CONTACTS ("<sip:alice@127.0.0.1:5071;transport=udp>"), "100", 200));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 3);
  g_clear_pointer (&all, g_ptr_array_unref);
  /* ... while the host's case does not matter: the same binding, refreshed */
  g_object_unref (do_register (f, "c3@c", 1, CONTACTS ("<sip:alice@PC.Example.COM>"), "100", 200));
  g_object_unref (do_register (f, "c3@c", 2, CONTACTS ("<sip:alice@pc.example.com>"), "100", 200));
  g_object_unref (do_register (f, "c3@c", 2, CONTACTS ("<sip:alice@pc.EXAMPLE.com>"), "100", 500));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 4);
  g_clear_pointer (&all, g_ptr_array_unref);
  g_object_unref (do_register (f, "c3@c", 3, CONTACTS ("<sip:alice@pc.example.com>;expires=0"), NULL, 200));

  g_object_unref (do_register (f, "c1@a", 6, one, "100", 200));
  all = lookup (f, AOR);
  for (guint j = 0; j < all->len; j++)
    if (strcmp (net_sip_binding_get_contact (NTH (all, j)), "sip:alice@127.0.0.1:5071") == 0)
      g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, j)), ==, 6);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* another Call-ID, lower CSeq: the binding moves to it */
  g_object_unref (do_register (f, "c2@b", 1, one, "200", 200));
  all = lookup (f, AOR);
  for (guint j = 0; j < all->len; j++)
    if (strcmp (net_sip_binding_get_contact (NTH (all, j)), "sip:alice@127.0.0.1:5071") == 0)
      g_assert_cmpstr (net_sip_binding_get_call_id (NTH (all, j)), ==, "c2@b");
  g_clear_pointer (&all, g_ptr_array_unref);

  /* expires=0 removes that one only */
  g_object_unref (do_register (f, "c2@b", 2, CONTACTS ("<sip:alice@127.0.0.1:5071>;expires=0"), NULL, 200));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 2);
  for (guint j = 0; j < all->len; j++)
    g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, j)), !=, "sip:alice@127.0.0.1:5071");
}

/* Domains: foreign ones passed on (FALSE) or 404; other methods passed
 * on; Require → 420; malformed Expires → 400; max-bindings → 403;
 * parameters echoed */
static void
test_register_misc (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(NetSipRequest) foreign = make_register (f, "sip:alice@other.org", "f1@a", 1,
                                                    CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300");
  g_autoptr(NetSipRequest) foreign2 = make_register (f, "sip:alice@other.org", "f2@a", 1,
                                                     CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300");
  g_autoptr(NetSipRequest) upper = make_register (f, "sip:alice@EXAMPLE.COM", "u1@a", 1,
                                                  CONTACTS ("<sip:alice@127.0.0.1:5079>"), "300");
  g_autoptr(NetSipRequest) options = make_register (f, NULL, "o1@a", 1, NULL, NULL);
  g_autoptr(NetSipRequest) require = make_register (f, NULL, "r1@a", 1,
                                                    CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300");
  g_autoptr(NetSipRequest) tel = make_register (f, "tel:+12345", "t1@a", 1,
                                                CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300");
  g_autoptr(NetSipResponse) r = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  gboolean found_params = FALSE;

  r = send_request (f, foreign);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 501);   /* passed on to the fallback */
  g_assert_cmpuint (f->chain->passed->len, ==, 1);
  g_clear_object (&r);
  g_object_set (f->registrar, "reject-foreign-domains", TRUE, NULL);
  r = send_request (f, foreign2);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 404);
  g_assert_cmpuint (f->chain->passed->len, ==, 1);
  g_clear_object (&r);
  all = lookup (f, "sip:alice@other.org");
  g_assert_cmpuint (all->len, ==, 0);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* domains compare without case; the aor is canonical */
  r = send_request (f, upper);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 200);
  g_clear_object (&r);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* not a SIP URI in To */
  r = send_request (f, tel);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 404);
  g_clear_object (&r);

  /* OPTIONS: not the registrar's (nor the redirect's: no host) */
  net_sip_request_set_uri (options, "sip:" DOMAIN);
  {
    g_autoptr(NetSipRequest) o = net_sip_request_new ("OPTIONS", f->registrar_uri);
    NetSipMessage *m = NET_SIP_MESSAGE (o);
    net_sip_message_add_header (m, "Max-Forwards", "70");
    net_sip_message_add_header (m, "To", "<" AOR ">");
    net_sip_message_add_header (m, "From", "<" AOR ">;tag=x");
    net_sip_message_add_header (m, "Call-ID", "opt@a");
    net_sip_message_add_header (m, "CSeq", "1 OPTIONS");
    r = send_request (f, o);
    g_assert_cmpuint (net_sip_response_get_code (r), ==, 501);
    g_assert_cmpuint (f->chain->passed->len, ==, 2);
    g_clear_object (&r);
  }

  net_sip_message_add_header (NET_SIP_MESSAGE (require), "Require", "gruu");
  r = send_request (f, require);
  g_assert_cmpuint (net_sip_response_get_code (r), ==, 420);
  g_assert_cmpstr (net_sip_message_get_header (NET_SIP_MESSAGE (r), "Unsupported"), ==, "gruu");
  g_clear_object (&r);

  g_object_unref (do_register (f, "e1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "soon", 400));
  g_object_unref (do_register (f, "e1@a", 2, CONTACTS ("<sip:alice@127.0.0.1:5071>;expires=x"), NULL, 400));

  /* max-bindings */
  g_object_set (f->registrar, "max-bindings", 2, NULL);
  g_object_unref (do_register (f, "m1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5081>", "<sip:alice@127.0.0.1:5082>"),
                               "300", 403));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 1);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* other Contact parameters are kept and listed */
  r = do_register (f, "p1@a", 1,
                   CONTACTS ("<sip:alice@127.0.0.1:5090>;+sip.instance=\"<urn:uuid:00000000-0000-0000-0000-000000000001>\";reg-id=1"),
                   "300", 200);
  contacts = net_sip_message_get_contacts (NET_SIP_MESSAGE (r), NULL);
  g_assert_nonnull (contacts);
  for (guint i = 0; i < contacts->len; i++)
    {
      NetSipNameAddr *c = g_ptr_array_index (contacts, i);
      if (strcmp (net_sip_name_addr_get_uri_string (c), "sip:alice@127.0.0.1:5090") != 0)
        continue;
      g_assert_cmpstr (net_sip_name_addr_get_param (c, "reg-id"), ==, "1");
      g_assert_cmpstr (net_sip_name_addr_get_param (c, "+sip.instance"), ==,
                       "<urn:uuid:00000000-0000-0000-0000-000000000001>");
      found_params = TRUE;
    }
  g_assert_true (found_params);
}

/* RFC 4475 §3.1.2.6 (cparam01, cparam02) and §3.1.2.11 (regescrt): the
 * torture REGISTERs are stored with the right contact and parameters */
static NetSipResponse *
send_torture (Fixture    *f,
              const char *name)
{
  g_autofree char *path = g_build_filename (NETSIP_TEST_CORPUS, "torture", name, NULL);
  g_autofree char *text = NULL;
  gsize length = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) m = NULL;
  g_autoptr(NetSipDeliveryOptions) opts = net_sip_delivery_options_new ();
  g_autoptr(GInetSocketAddress) to = G_INET_SOCKET_ADDRESS (
    g_inet_socket_address_new_from_string ("127.0.0.1", net_sip_leg_get_port (f->leg_b)));
  Result r = { 0 };

  g_assert_true (g_file_get_contents (path, &text, &length, &error));
  bytes = g_bytes_new_take (g_steal_pointer (&text), length);
  m = net_sip_message_parse (bytes, &error);
  g_assert_no_error (error);
  /* their Via names hosts of example.com: the client's own Via replaces it */
  net_sip_message_remove_header (m, "Via");
  net_sip_delivery_options_set_destination (opts, to);
  net_sip_dispatcher_deliver_async (f->a, m, opts, NULL, on_delivered, &r);
  wait_for (&r);
  g_assert_no_error (r.error);
  g_assert_cmpuint (net_sip_response_get_code (r.response), ==, 200);
  return r.response;
}

static void
test_register_torture (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(NetSipResponse) r1 = NULL;
  g_autoptr(NetSipResponse) r2 = NULL;
  g_autoptr(NetSipResponse) r3 = NULL;
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) c1 = NULL;
  g_autoptr(GPtrArray) c3 = NULL;

  /* cparam01: unknownparam is a Contact header parameter */
  r1 = send_torture (f, "cparam01.sip");
  all = lookup (f, "sip:watson@example.com");
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:+19725552222@gw1.example.net");
  g_assert_cmpstr (net_sip_binding_get_params (NTH (all, 0)), ==, ";unknownparam");
  c1 = net_sip_message_get_contacts (NET_SIP_MESSAGE (r1), NULL);
  g_assert_cmpuint (c1->len, ==, 1);
  g_assert_true (net_sip_name_addr_has_param (g_ptr_array_index (c1, 0), "unknownparam"));
  g_clear_pointer (&all, g_ptr_array_unref);

  /* cparam02: inside <>, a URI parameter. A URI parameter present in
   * only one of two URIs is ignored when comparing (§19.1.4): the same
   * contact, now bound by another Call-ID, with the URI as registered last
   * and no header parameters */
  r2 = send_torture (f, "cparam02.sip");
  all = lookup (f, "sip:watson@example.com");
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:+19725552222@gw1.example.net;unknownparam");
  g_assert_null (net_sip_binding_get_params (NTH (all, 0)));
  g_assert_cmpstr (net_sip_binding_get_call_id (NTH (all, 0)), ==, "cparam02.70710@saturn.example.com");
  g_assert_cmpuint (net_sip_binding_get_cseq (NTH (all, 0)), ==, 3);
  g_clear_pointer (&all, g_ptr_array_unref);

  /* regescrt: the escaped header in the contact URI is kept as it came */
  r3 = send_torture (f, "regescrt.sip");
  all = lookup (f, "sip:user@example.com");
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==,
                   "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
  c3 = net_sip_message_get_contacts (NET_SIP_MESSAGE (r3), NULL);
  g_assert_cmpuint (c3->len, ==, 1);
  g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (c3, 0)), ==,
                   "sip:user@example.com?Route=%3Csip:sip.example.com%3E");
}

/* A store that cannot write: 500, never 200 */
static void
test_register_store_failure (Fixture       *f,
                             gconstpointer  data)
{
  g_autoptr(NetSipLocationStore) failing = NET_SIP_LOCATION_STORE (g_object_new (TEST_TYPE_FAILING_STORE, NULL));
  g_autoptr(NetSipResponse) r = NULL;

  make_servers (f, failing);
  g_test_expect_message ("NetSip", G_LOG_LEVEL_WARNING, "*disk full (test)*");
  r = do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300", 500);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (counter (f->registrar, "registered-requests"), ==, 0);
}

/* Short expiry: gone from lookup and the 200 after it passed, and
 * removed from the store by the expire timer */
static void
test_register_expiry (Fixture       *f,
                      gconstpointer  data)
{
  g_autoptr(GPtrArray) all = NULL;
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(NetSipResponse) q = NULL;
  g_autoptr(GHashTable) l = NULL;
  g_autoptr(GError) error = NULL;

  g_object_set (f->registrar, "min-expires", 1, "expire-interval", 1, NULL);
  /* expiry times are whole seconds: 1 s could be over before the first
   * lookup on a slow (sanitizer) run, 3 s cannot */
  g_object_unref (do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>;expires=3",
                                                       "<sip:alice@127.0.0.1:5072>;expires=60"), NULL, 200));
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 2);
  g_clear_pointer (&all, g_ptr_array_unref);

  run_for (4200);
  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 1);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:alice@127.0.0.1:5072");
  q = do_register (f, "q@a", 1, NULL, NULL, 200);
  l = listed (q);
  g_assert_cmpuint (g_hash_table_size (l), ==, 1);
  /* the timer removed it from the store too */
  stored = net_sip_location_store_list (net_sip_registrar_get_store (f->registrar), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (stored->len, ==, 1);
}

/* SQLite: a binding is committed before its 200 is handed to the leg,
 * and bindings survive a new registrar on the reopened file */
typedef struct
{
  const char *path;
  gint        rows_at_200;
} CommitCheck;

static void
on_message_sent (NetSipDispatcher  *d,
                 NetSipMessage     *message,
                 NetSipLeg         *leg,
                 GInetSocketAddress *destination,
                 NetSipTransaction *transaction,
                 guint              attempt,
                 gint64             time_us,
                 CommitCheck       *check)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;

  if (net_sip_message_is_request (message) ||
      net_sip_response_get_code (NET_SIP_RESPONSE (message)) != 200 || attempt != 0)
    return;
  /* another connection sees only committed data */
  g_assert_cmpint (sqlite3_open_v2 (check->path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT count(*) FROM bindings", -1, &st, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_step (st), ==, SQLITE_ROW);
  check->rows_at_200 = sqlite3_column_int (st, 0);
  sqlite3_finalize (st);
  sqlite3_close (db);
}

static void
test_register_persistence (Fixture       *f,
                           gconstpointer  data)
{
  CommitCheck check = { f->db_path, -1 };
  g_autoptr(NetSipLocationStore) store = NULL;
  g_autoptr(NetSipResponse) q = NULL;
  g_autoptr(GHashTable) l = NULL;
  g_autoptr(GPtrArray) all = NULL;
  gulong id;

  id = g_signal_connect (f->b, "message-sent", G_CALLBACK (on_message_sent), &check);
  g_object_unref (do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>;q=0.4",
                                                       "<sip:alice@127.0.0.1:5072>;q=0.8"), "300", 200));
  g_assert_cmpint (check.rows_at_200, ==, 2);
  g_signal_handler_disconnect (f->b, id);

  /* a new registrar over the reopened file */
  drop_servers (f);   /* the old registrar and its store: the file is closed */
  store = make_store (f);
  make_servers (f, store);
  g_clear_object (&store);

  all = lookup (f, AOR);
  g_assert_cmpuint (all->len, ==, 2);
  g_assert_cmpstr (net_sip_binding_get_contact (NTH (all, 0)), ==, "sip:alice@127.0.0.1:5072");
  g_assert_cmpstr (net_sip_binding_get_call_id (NTH (all, 0)), ==, "c1@a");
  q = do_register (f, "q@a", 1, NULL, NULL, 200);
  l = listed (q);
  g_assert_cmpuint (g_hash_table_size (l), ==, 2);
  g_assert_cmpint (GPOINTER_TO_INT (g_hash_table_lookup (l, "sip:alice@127.0.0.1:5071")), >=, 290);
  /* and the Call-ID/CSeq order survived too */
  g_object_unref (do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>"), "300", 500));
}

/* NetSipRedirect: 302 with the contacts by q, 404 when none, passed on
 * for other domains, REGISTER, ACK */
static void
test_redirect (Fixture       *f,
               gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  const char *targets[] = { "sip:alice@" DOMAIN, "sip:nobody@" DOMAIN, "sip:alice@other.org" };
  guint codes[] = { 302, 404, 501 };

  g_object_unref (do_register (f, "c1@a", 1, CONTACTS ("<sip:alice@127.0.0.1:5071>;q=0.2",
                                                       "<sip:alice@127.0.0.1:5072;transport=tcp>;q=0.7"), "300", 200));
  for (guint i = 0; i < G_N_ELEMENTS (targets); i++)
    {
      g_autoptr(NetSipRequest) inv = net_sip_request_new ("INVITE", targets[i]);
      NetSipMessage *m = NET_SIP_MESSAGE (inv);
      g_autoptr(NetSipDeliveryOptions) opts = net_sip_delivery_options_new ();
      g_autoptr(GInetSocketAddress) to = G_INET_SOCKET_ADDRESS (
        g_inet_socket_address_new_from_string ("127.0.0.1", net_sip_leg_get_port (f->leg_b)));
      g_autofree char *call_id = g_strdup_printf ("inv%u@a", i);
      Result r = { 0 };

      net_sip_message_add_header (m, "Max-Forwards", "70");
      net_sip_message_add_header (m, "To", "<sip:alice@" DOMAIN ">");
      net_sip_message_add_header (m, "From", "<sip:carol@" DOMAIN ">;tag=c");
      net_sip_message_add_header (m, "Call-ID", call_id);
      net_sip_message_add_header (m, "CSeq", "1 INVITE");
      net_sip_message_add_header (m, "Contact", "<sip:carol@127.0.0.1>");
      net_sip_delivery_options_set_destination (opts, to);
      net_sip_dispatcher_deliver_async (f->a, m, opts, NULL, on_delivered, &r);
      wait_for (&r);
      g_assert_no_error (r.error);
      g_assert_cmpuint (net_sip_response_get_code (r.response), ==, codes[i]);
      if (codes[i] == 302)
        {
          g_autoptr(GPtrArray) contacts = net_sip_message_get_contacts (NET_SIP_MESSAGE (r.response), &error);
          g_assert_no_error (error);
          g_assert_cmpuint (contacts->len, ==, 2);
          g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 0)), ==,
                           "sip:alice@127.0.0.1:5072;transport=tcp");
          g_assert_cmpfloat_with_epsilon (net_sip_name_addr_get_q (g_ptr_array_index (contacts, 0)), 0.7, 1e-9);
          g_assert_cmpstr (net_sip_name_addr_get_uri_string (g_ptr_array_index (contacts, 1)), ==,
                           "sip:alice@127.0.0.1:5071");
          g_assert_cmpfloat_with_epsilon (net_sip_name_addr_get_q (g_ptr_array_index (contacts, 1)), 0.2, 1e-9);
        }
      if (codes[i] != 501)
        {
          /* the ACK of its answer (RFC 3261 §17.1.1.3: the INVITE's top Via,
           * the answer's To tag) is the redirect's own, known by the tag
           * even where no server transaction absorbs it (a stateless
           * element); another tag is not */
          const char *tags[] = { net_sip_message_get_to_tag (NET_SIP_MESSAGE (r.response)), "nsl00" };

          for (guint k = 0; k < G_N_ELEMENTS (tags); k++)
            {
              g_autoptr(NetSipRequest) ack = net_sip_request_new ("ACK", targets[i]);
              g_autofree char *to = g_strdup_printf ("<sip:alice@" DOMAIN ">;tag=%s", tags[k]);

              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Via", net_sip_message_get_header (m, "Via"));
              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Max-Forwards", "70");
              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "To", to);
              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "From", "<sip:carol@" DOMAIN ">;tag=c");
              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "Call-ID", call_id);
              net_sip_message_add_header (NET_SIP_MESSAGE (ack), "CSeq", "1 ACK");
              g_assert_cmpint (net_sip_receiver_receive (NET_SIP_RECEIVER (f->redirect), NET_SIP_MESSAGE (ack),
                                                         f->leg_b, NULL), ==, k == 0);
            }
        }
      g_object_unref (r.response);
    }
  g_assert_cmpuint (counter (f->redirect, "redirected-requests"), ==, 1);
  g_assert_cmpuint (counter (f->redirect, "not-found-requests"), ==, 1);
  /* the INVITE for another domain reached the fallback, and only it */
  g_assert_cmpuint (f->chain->passed->len, ==, 1);
  g_assert_cmpstr (net_sip_request_get_uri (g_ptr_array_index (f->chain->passed, 0)), ==, "sip:alice@other.org");

  /* directly: REGISTER, ACK and responses are not the redirect's */
  {
    g_autoptr(NetSipRequest) reg = make_register (f, NULL, "x@a", 1, NULL, NULL);
    g_autoptr(NetSipRequest) ack = net_sip_request_new ("ACK", "sip:alice@" DOMAIN);
    g_autoptr(NetSipResponse) resp = net_sip_response_new (200, NULL);
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (f->redirect), NET_SIP_MESSAGE (reg), f->leg_b, NULL));
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (f->redirect), NET_SIP_MESSAGE (ack), f->leg_b, NULL));
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (f->redirect), NET_SIP_MESSAGE (resp), f->leg_b, NULL));
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (f->registrar), NET_SIP_MESSAGE (ack), f->leg_b, NULL));
    g_assert_false (net_sip_receiver_receive (NET_SIP_RECEIVER (f->registrar), NET_SIP_MESSAGE (resp), f->leg_b, NULL));
  }
}

/* canonical_aor */
static void
test_canonical_aor (void)
{
  struct { const char *in, *out; } cases[] = {
    { "sip:alice@example.com", "sip:alice@example.com" },
    { "SIP:Alice@Example.COM;transport=tcp?subject=x", "sip:Alice@example.com" },
    { "sip:al%69ce@example.com:5070;user=phone", "sip:alice@example.com:5070" },
    { "sips:bob@[::1]:5061", "sips:bob@[::1]:5061" },
    { "sip:example.com", "sip:example.com" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autofree char *aor = net_sip_registrar_canonical_aor (cases[i].in, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (aor, ==, cases[i].out);
    }
  {
    g_autoptr(GError) error = NULL;
    g_autofree char *aor = net_sip_registrar_canonical_aor ("tel:+1234", &error);
    g_assert_null (aor);
    g_assert_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI);
  }
}

int
main (int argc, char **argv)
{
  static const struct { const char *name; void (*func) (Fixture *, gconstpointer); } tests[] = {
    { "expires", test_register_expires },
    { "limits", test_register_limits },
    { "wildcard", test_register_wildcard },
    { "query", test_register_query },
    { "q", test_register_q },
    { "cseq", test_register_cseq },
    { "misc", test_register_misc },
    { "expiry", test_register_expiry },
    { "redirect", test_redirect },
    { "torture", test_register_torture },
  };
  static const char *const kinds[] = { "memory", "sqlite" };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/registrar/canonical-aor", test_canonical_aor);
  for (guint k = 0; k < G_N_ELEMENTS (kinds); k++)
    for (guint i = 0; i < G_N_ELEMENTS (tests); i++)
      {
        g_autofree char *path = g_strdup_printf ("/registrar/%s/%s", kinds[k], tests[i].name);
        g_test_add (path, Fixture, GINT_TO_POINTER (k), fixture_set_up, tests[i].func, fixture_tear_down);
      }
  g_test_add ("/registrar/memory/store-failure", Fixture, GINT_TO_POINTER (STORE_MEMORY),
              fixture_set_up, test_register_store_failure, fixture_tear_down);
  g_test_add ("/registrar/sqlite/persistence", Fixture, GINT_TO_POINTER (STORE_SQLITE),
              fixture_set_up, test_register_persistence, fixture_tear_down);
  return g_test_run ();
}
