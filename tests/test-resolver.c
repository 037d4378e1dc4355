/* test-resolver.c: NetSipResolver (RFC 3263 §4) against a mock GResolver
 * serving SRV and A/AAAA and a subclass serving NAPTR records
 *
 * The same rules against a real DNS server (dnsmasq in a network
 * namespace) are in tests/interop/test-dns-netns.c.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

#define TIMEOUT_SECONDS 10

/* Every DNS question asked, "NAPTR name", "SRV name", "A name", in order. */
static GPtrArray *query_log;
/* When a question for this name arrives, cancel_this is cancelled first. */
static char *cancel_on;
static GCancellable *cancel_this;

static void
log_query (const char *type,
           const char *name)
{
  g_ptr_array_add (query_log, g_strdup_printf ("%s %s", type, name));
  if (cancel_on && cancel_this && g_ascii_strcasecmp (cancel_on, name) == 0)
    g_cancellable_cancel (cancel_this);
}

/* ---- mock GResolver: SRV and A/AAAA from tables ---- */

#define MOCK_TYPE_RESOLVER (mock_resolver_get_type ())
G_DECLARE_FINAL_TYPE (MockResolver, mock_resolver, MOCK, RESOLVER, GResolver)

struct _MockResolver
{
  GResolver   parent_instance;
  GHashTable *addresses;   /* name -> GList of GInetAddress */
  GHashTable *srv;         /* name -> GList of GVariant (qqqs) */
};

G_DEFINE_TYPE (MockResolver, mock_resolver, G_TYPE_RESOLVER)

static void
free_address_list (gpointer list)
{
  g_list_free_full (list, g_object_unref);
}

static void
free_variant_list (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_variant_unref);
}

static gpointer
copy_ref (gconstpointer src, gpointer data)
{
  return g_object_ref ((gpointer) src);
}

static gpointer
copy_variant (gconstpointer src, gpointer data)
{
  return g_variant_ref ((GVariant *) src);
}

static GList *
mock_lookup_by_name (GResolver     *resolver,
                     const char    *hostname,
                     GCancellable  *cancellable,
                     GError       **error)
{
  MockResolver *self = MOCK_RESOLVER (resolver);
  GList *list;

  log_query ("A", hostname);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  list = g_hash_table_lookup (self->addresses, hostname);
  if (!list)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no A/AAAA for %s", hostname);
      return NULL;
    }
  return g_list_copy_deep (list, copy_ref, NULL);
}

static void
mock_lookup_by_name_async (GResolver           *resolver,
                           const char          *hostname,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list = mock_lookup_by_name (resolver, hostname, cancellable, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_address_list);
}

static GList *
mock_lookup_by_name_finish (GResolver     *resolver,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static GList *
mock_lookup_records (GResolver            *resolver,
                     const char           *rrname,
                     GResolverRecordType   type,
                     GCancellable         *cancellable,
                     GError              **error)
{
  MockResolver *self = MOCK_RESOLVER (resolver);
  GList *list;

  g_assert_cmpint (type, ==, G_RESOLVER_RECORD_SRV);
  log_query ("SRV", rrname);
  if (g_cancellable_set_error_if_cancelled (cancellable, error))
    return NULL;
  list = g_hash_table_lookup (self->srv, rrname);
  if (!list)
    {
      g_set_error (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no SRV for %s", rrname);
      return NULL;
    }
  return g_list_copy_deep (list, copy_variant, NULL);
}

static void
mock_lookup_records_async (GResolver           *resolver,
                           const char          *rrname,
                           GResolverRecordType  type,
                           GCancellable        *cancellable,
                           GAsyncReadyCallback  callback,
                           gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GError *error = NULL;
  GList *list = mock_lookup_records (resolver, rrname, type, cancellable, &error);

  if (error)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, list, free_variant_list);
}

static GList *
mock_lookup_records_finish (GResolver     *resolver,
                            GAsyncResult  *result,
                            GError       **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
mock_resolver_finalize (GObject *object)
{
  MockResolver *self = MOCK_RESOLVER (object);

  g_hash_table_unref (self->addresses);
  g_hash_table_unref (self->srv);
  G_OBJECT_CLASS (mock_resolver_parent_class)->finalize (object);
}

static void
mock_resolver_class_init (MockResolverClass *klass)
{
  GResolverClass *resolver_class = G_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = mock_resolver_finalize;
  resolver_class->lookup_by_name = mock_lookup_by_name;
  resolver_class->lookup_by_name_async = mock_lookup_by_name_async;
  resolver_class->lookup_by_name_finish = mock_lookup_by_name_finish;
  resolver_class->lookup_records = mock_lookup_records;
  resolver_class->lookup_records_async = mock_lookup_records_async;
  resolver_class->lookup_records_finish = mock_lookup_records_finish;
}

static void
mock_resolver_init (MockResolver *self)
{
  self->addresses = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_address_list);
  self->srv = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_variant_list);
}

/* Replaces the list kept for @name by @list, which extends it. */
static void
steal_and_replace (GHashTable *table,
                   const char *name,
                   GList      *list)
{
  gpointer old_key = NULL;

  if (g_hash_table_steal_extended (table, name, &old_key, NULL))
    g_free (old_key);
  g_hash_table_insert (table, g_strdup (name), list);
}

/* "192.0.2.1 2001:db8::1" */
static void
mock_add_host (MockResolver *self,
               const char   *name,
               const char   *addresses)
{
  g_auto(GStrv) parts = g_strsplit (addresses, " ", -1);
  GList *list = NULL;

  for (guint i = 0; parts[i]; i++)
    {
      GInetAddress *a = g_inet_address_new_from_string (parts[i]);
      g_assert_nonnull (a);
      list = g_list_append (list, a);
    }
  g_hash_table_replace (self->addresses, g_strdup (name), list);
}

static void
mock_add_srv (MockResolver *self,
              const char   *name,
              guint16       priority,
              guint16       weight,
              guint16       port,
              const char   *target)
{
  GList *list = g_hash_table_lookup (self->srv, name);

  list = g_list_append (list, g_variant_ref_sink (g_variant_new ("(qqqs)", priority, weight, port, target)));
  steal_and_replace (self->srv, name, list);
}

/* ---- NetSipResolver subclass: NAPTR from a table ---- */

#define TEST_TYPE_RESOLVER (test_resolver_get_type ())
G_DECLARE_FINAL_TYPE (TestResolver, test_resolver, TEST, RESOLVER, NetSipResolver)

struct _TestResolver
{
  NetSipResolver  parent_instance;
  GHashTable     *naptr;   /* name -> GList of GVariant (qqssss) */
};

G_DEFINE_TYPE (TestResolver, test_resolver, NET_SIP_TYPE_RESOLVER)

static void
test_lookup_naptr_async (NetSipResolver      *resolver,
                         const char          *domain,
                         GCancellable        *cancellable,
                         GAsyncReadyCallback  callback,
                         gpointer             user_data)
{
  TestResolver *self = TEST_RESOLVER (resolver);
  g_autoptr(GTask) task = g_task_new (resolver, cancellable, callback, user_data);
  GList *list;

  log_query ("NAPTR", domain);
  list = g_hash_table_lookup (self->naptr, domain);
  if (!list)
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND, "no NAPTR for %s", domain);
  else
    g_task_return_pointer (task, g_list_copy_deep (list, copy_variant, NULL), free_variant_list);
}

static GList *
test_lookup_naptr_finish (NetSipResolver  *resolver,
                          GAsyncResult    *result,
                          GError         **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_resolver_finalize (GObject *object)
{
  g_hash_table_unref (TEST_RESOLVER (object)->naptr);
  G_OBJECT_CLASS (test_resolver_parent_class)->finalize (object);
}

static void
test_resolver_class_init (TestResolverClass *klass)
{
  NetSipResolverClass *resolver_class = NET_SIP_RESOLVER_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = test_resolver_finalize;
  resolver_class->lookup_naptr_async = test_lookup_naptr_async;
  resolver_class->lookup_naptr_finish = test_lookup_naptr_finish;
}

static void
test_resolver_init (TestResolver *self)
{
  self->naptr = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, free_variant_list);
}

static void
test_add_naptr (TestResolver *self,
                const char   *name,
                guint16       order,
                guint16       preference,
                const char   *flags,
                const char   *services,
                const char   *regexp,
                const char   *replacement)
{
  GList *list = g_hash_table_lookup (self->naptr, name);

  list = g_list_append (list, g_variant_ref_sink (g_variant_new ("(qqssss)", order, preference, flags,
                                                                 services, regexp, replacement)));
  steal_and_replace (self->naptr, name, list);
}

/* ---- fixture ---- */

typedef struct
{
  MockResolver   *dns;
  TestResolver   *naptr;
  NetSipResolver *resolver;
} Fixture;

static void
fixture_setup (Fixture       *f,
               gconstpointer  data)
{
  query_log = g_ptr_array_new_with_free_func (g_free);
  f->dns = g_object_new (MOCK_TYPE_RESOLVER, NULL);
  f->naptr = g_object_new (TEST_TYPE_RESOLVER, "resolver", f->dns, NULL);
  f->resolver = NET_SIP_RESOLVER (f->naptr);

  /* example.test: NAPTR prefers TCP over UDP; TLS offered too */
  test_add_naptr (f->naptr, "example.test", 20, 10, "S", "SIP+D2U", "", "_sip._udp.example.test");
  test_add_naptr (f->naptr, "example.test", 10, 20, "s", "SIP+D2T", "", "_sip._tcp.example.test");
  test_add_naptr (f->naptr, "example.test", 10, 30, "S", "SIPS+D2T", "", "_sips._tcp.example.test");
  /* not for us: another flag, a regexp, SCTP, an unknown service */
  test_add_naptr (f->naptr, "example.test", 1, 1, "A", "SIP+D2U", "", "wrong-a.example.test");
  test_add_naptr (f->naptr, "example.test", 1, 2, "U", "SIP+D2U", "!^.*$!sip:x@wrong.test!", "");
  test_add_naptr (f->naptr, "example.test", 1, 3, "S", "SIP+D2S", "", "_sip._sctp.example.test");
  test_add_naptr (f->naptr, "example.test", 1, 4, "S", "E2U+sip", "", "wrong-e2u.example.test");
  mock_add_srv (f->dns, "_sip._udp.example.test", 10, 0, 5070, "udp1.example.test");
  mock_add_srv (f->dns, "_sip._tcp.example.test", 10, 0, 5072, "tcp1.example.test");
  mock_add_srv (f->dns, "_sips._tcp.example.test", 10, 0, 5071, "tls1.example.test");
  mock_add_srv (f->dns, "_sip._sctp.example.test", 10, 0, 5099, "wrong-sctp.example.test");
  mock_add_host (f->dns, "udp1.example.test", "192.0.2.2");
  mock_add_host (f->dns, "tcp1.example.test", "192.0.2.1 2001:db8::1");
  mock_add_host (f->dns, "tls1.example.test", "192.0.2.3");
  mock_add_host (f->dns, "example.test", "192.0.2.99");

  /* example.net: no NAPTR, SRV for UDP and TCP */
  mock_add_srv (f->dns, "_sip._udp.example.net", 10, 0, 5080, "u.example.net");
  mock_add_srv (f->dns, "_sip._tcp.example.net", 10, 0, 5082, "t.example.net");
  mock_add_srv (f->dns, "_sips._tcp.example.net", 10, 0, 5081, "s.example.net");
  mock_add_host (f->dns, "u.example.net", "198.51.100.1");
  mock_add_host (f->dns, "t.example.net", "198.51.100.2");
  mock_add_host (f->dns, "s.example.net", "198.51.100.3");
  mock_add_host (f->dns, "example.net", "198.51.100.99");

  /* plain.test: only A/AAAA */
  mock_add_host (f->dns, "plain.test", "203.0.113.5 2001:db8::5");
}

static void
fixture_teardown (Fixture       *f,
                  gconstpointer  data)
{
  g_object_unref (f->resolver);
  g_object_unref (f->dns);
  g_ptr_array_unref (query_log);
  query_log = NULL;
  g_clear_pointer (&cancel_on, g_free);
  g_clear_object (&cancel_this);
}

/* ---- running a lookup ---- */

typedef struct
{
  gboolean   done;
  GPtrArray *targets;
  GError    *error;
} Result;

static gboolean
on_timeout (gpointer data)
{
  g_error ("lookup did not finish within %d s", TIMEOUT_SECONDS);
  return G_SOURCE_REMOVE;
}

static void
on_lookup_done (GObject      *source,
                GAsyncResult *result,
                gpointer      user_data)
{
  Result *r = user_data;

  r->targets = net_sip_resolver_lookup_finish (NET_SIP_RESOLVER (source), result, &r->error);
  g_assert_true ((r->targets == NULL) != (r->error == NULL));
  r->done = TRUE;
}

/* Runs a lookup; returns the targets as "udp:1.2.3.4:5060 tcp:..." or
 * sets @error. */
static char *
targets_text (GPtrArray *targets)
{
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < targets->len; i++)
    {
      g_autofree char *text = net_sip_target_to_string (g_ptr_array_index (targets, i));

      if (i)
        g_string_append_c (s, ' ');
      g_string_append (s, text);
    }
  return g_string_free (s, FALSE);
}

static char *
lookup_full (NetSipResolver        *resolver,
             const char            *uri_text,
             const NetSipTransport *allowed,
             guint                  n_allowed,
             GCancellable          *cancellable,
             GError               **error)
{
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (uri_text, -1, NULL);
  Result r = { 0 };
  guint id;
  g_autoptr(GPtrArray) numeric = NULL;
  g_autoptr(GError) numeric_error = NULL;
  g_autoptr(GInetAddress) literal = NULL;
  g_autofree char *numeric_text = NULL;
  char *text;

  g_assert_nonnull (uri);
  g_ptr_array_set_size (query_log, 0);
  /* the synchronous form first: it must not query anything */
  numeric = net_sip_resolver_lookup_numeric (resolver, uri, allowed, n_allowed, &numeric_error);
  g_assert_cmpuint (query_log->len, ==, 0);
  numeric_text = numeric ? targets_text (numeric) : NULL;

  net_sip_resolver_lookup_async (resolver, uri, allowed, n_allowed, cancellable, on_lookup_done, &r);
  id = g_timeout_add_seconds (TIMEOUT_SECONDS, on_timeout, NULL);
  while (!r.done)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (id);

  /* it agrees with the lookup: the same targets for a numeric host, the
   * same error for a URI nothing can look up, nothing for a name */
  literal = net_sip_uri_get_host (uri) ? g_inet_address_new_from_string (net_sip_uri_get_host (uri)) : NULL;
  if (numeric_error)
    g_assert_error (r.error, numeric_error->domain, numeric_error->code);
  else if (literal == NULL)
    g_assert_null (numeric);

  if (r.error)
    {
      /* the synchronous form takes no cancellable */
      if (!g_error_matches (r.error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_assert_null (numeric);
      g_propagate_error (error, r.error);
      return NULL;
    }
  g_assert_cmpuint (r.targets->len, >, 0);
  text = targets_text (r.targets);
  if (literal)
    g_assert_cmpstr (numeric_text, ==, text);
  g_ptr_array_unref (r.targets);
  return text;
}

static char *
lookup (Fixture               *f,
        const char            *uri_text,
        const NetSipTransport *allowed,
        guint                  n_allowed)
{
  g_autoptr(GError) error = NULL;
  char *result = lookup_full (f->resolver, uri_text, allowed, n_allowed, NULL, &error);

  g_assert_no_error (error);
  return result;
}

static char *
queries (void)
{
  g_ptr_array_add (query_log, NULL);
  char *s = g_strjoinv (", ", (char **) query_log->pdata);
  g_ptr_array_remove_index (query_log, query_log->len - 1);
  return s;
}

#define assert_lookup(f, uri, allowed, n, expected)            \
  G_STMT_START {                                               \
    g_autofree char *got_ = lookup (f, uri, allowed, n);       \
    g_assert_cmpstr (got_, ==, expected);                      \
  } G_STMT_END

#define assert_queries(expected)                               \
  G_STMT_START {                                               \
    g_autofree char *q_ = queries ();                          \
    g_assert_cmpstr (q_, ==, expected);                        \
  } G_STMT_END

static const NetSipTransport udp_tcp[] = { NET_SIP_TRANSPORT_UDP, NET_SIP_TRANSPORT_TCP };
static const NetSipTransport tcp_udp[] = { NET_SIP_TRANSPORT_TCP, NET_SIP_TRANSPORT_UDP };
static const NetSipTransport only_tcp[] = { NET_SIP_TRANSPORT_TCP };
static const NetSipTransport only_tls[] = { NET_SIP_TRANSPORT_TLS };
static const NetSipTransport tls_tcp_udp[] = { NET_SIP_TRANSPORT_TLS, NET_SIP_TRANSPORT_TCP,
                                               NET_SIP_TRANSPORT_UDP };
static const NetSipTransport all_udp_first[] = { NET_SIP_TRANSPORT_UDP, NET_SIP_TRANSPORT_TCP,
                                                 NET_SIP_TRANSPORT_TLS };

static void
assert_no_route (Fixture               *f,
                 const char            *uri,
                 const NetSipTransport *allowed,
                 guint                  n,
                 const char            *message_part)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = lookup_full (f->resolver, uri, allowed, n, NULL, &error);

  g_assert_null (got);
  g_assert_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE);
  if (!strstr (error->message, message_part))
    g_error ("error message '%s' does not contain '%s'", error->message, message_part);
}

/* ---- tests ---- */

static void
test_target (void)
{
  g_autoptr(GInetAddress) a4 = g_inet_address_new_from_string ("192.0.2.1");
  g_autoptr(GInetAddress) a6 = g_inet_address_new_from_string ("2001:db8::1");
  g_autoptr(GSocketAddress) sa4 = g_inet_socket_address_new (a4, 5060);
  g_autoptr(GSocketAddress) sa6 = g_inet_socket_address_new (a6, 5061);
  g_autoptr(NetSipTarget) t4 = net_sip_target_new (NET_SIP_TRANSPORT_UDP, G_INET_SOCKET_ADDRESS (sa4), "example.test");
  g_autoptr(NetSipTarget) t6 = net_sip_target_new (NET_SIP_TRANSPORT_TLS, G_INET_SOCKET_ADDRESS (sa6), NULL);
  g_autoptr(NetSipTarget) t4b = net_sip_target_new (NET_SIP_TRANSPORT_UDP, G_INET_SOCKET_ADDRESS (sa4), "example.test");
  g_autoptr(NetSipTarget) t4c = net_sip_target_new (NET_SIP_TRANSPORT_TCP, G_INET_SOCKET_ADDRESS (sa4), "example.test");
  g_autofree char *s4 = net_sip_target_to_string (t4);
  g_autofree char *s6 = net_sip_target_to_string (t6);
  GValue v = G_VALUE_INIT;

  g_assert_cmpstr (s4, ==, "udp:192.0.2.1:5060");
  g_assert_cmpstr (s6, ==, "tls:[2001:db8::1]:5061");
  g_assert_cmpint (net_sip_target_get_transport (t6), ==, NET_SIP_TRANSPORT_TLS);
  g_assert_true (net_sip_target_get_address (t4) == G_INET_SOCKET_ADDRESS (sa4));
  g_assert_cmpstr (net_sip_target_get_host (t4), ==, "example.test");
  g_assert_null (net_sip_target_get_host (t6));
  g_assert_true (net_sip_target_equal (t4, t4b));
  g_assert_false (net_sip_target_equal (t4, t4c));
  g_assert_false (net_sip_target_equal (t4, t6));

  /* boxed: a GValue holds a reference */
  g_value_init (&v, NET_SIP_TYPE_TARGET);
  g_value_set_boxed (&v, t4);
  g_assert_true (g_value_get_boxed (&v) == t4);
  g_value_unset (&v);
  g_assert_cmpstr (net_sip_target_get_host (t4), ==, "example.test");
}

static void
test_default_resolver (void)
{
  g_autoptr(GResolver) def = g_resolver_get_default ();
  g_autoptr(NetSipResolver) r = net_sip_resolver_new (NULL);
  g_autoptr(GResolver) prop = NULL;

  g_assert_true (net_sip_resolver_get_resolver (r) == def);
  g_object_get (r, "resolver", &prop, NULL);
  g_assert_true (prop == def);
}

/* RFC 3263 §4.1: NAPTR order then preference; flag S only; services
 * SIP+D2U, SIP+D2T, SIPS+D2T; each SRV target resolved in turn (§4.2) */
static void
test_naptr_order (Fixture *f, gconstpointer data)
{
  /* default (udp, tcp): the NAPTR order decides, TCP first; TLS not allowed */
  assert_lookup (f, "sip:alice@example.test", NULL, 0,
                 "tcp:192.0.2.1:5072 tcp:[2001:db8::1]:5072 udp:192.0.2.2:5070");
  assert_queries ("NAPTR example.test, SRV _sip._tcp.example.test, A tcp1.example.test, "
                  "SRV _sip._udp.example.test, A udp1.example.test");

  /* with TLS allowed, the SIPS+D2T record (order 10, preference 30) is used
   * in NAPTR order: after SIP+D2T (preference 20), before SIP+D2U (order 20);
   * the allowed list then orders the result (Net::SIP) */
  assert_lookup (f, "sip:example.test", tls_tcp_udp, 3,
                 "tls:192.0.2.3:5071 tcp:192.0.2.1:5072 tcp:[2001:db8::1]:5072 udp:192.0.2.2:5070");
  assert_queries ("NAPTR example.test, SRV _sip._tcp.example.test, A tcp1.example.test, "
                  "SRV _sips._tcp.example.test, A tls1.example.test, "
                  "SRV _sip._udp.example.test, A udp1.example.test");

  /* each target carries the SIP domain (RFC 5922 §4.1), not the SRV target */
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sip:example.test", -1, NULL);
    Result r = { 0 };

    net_sip_resolver_lookup_async (f->resolver, uri, NULL, 0, NULL, on_lookup_done, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (r.error);
    for (guint i = 0; i < r.targets->len; i++)
      g_assert_cmpstr (net_sip_target_get_host (g_ptr_array_index (r.targets, i)), ==, "example.test");
    g_ptr_array_unref (r.targets);
  }
}

/* the allowed list restricts and orders (Net::SIP resolve_uri) */
static void
test_allowed (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:example.test", udp_tcp, 2,
                 "udp:192.0.2.2:5070 tcp:192.0.2.1:5072 tcp:[2001:db8::1]:5072");
  assert_lookup (f, "sip:example.test", only_tcp, 1, "tcp:192.0.2.1:5072 tcp:[2001:db8::1]:5072");
  assert_queries ("NAPTR example.test, SRV _sip._tcp.example.test, A tcp1.example.test");

  /* without NAPTR: SRV per transport in the allowed order */
  assert_lookup (f, "sip:example.net", tcp_udp, 2, "tcp:198.51.100.2:5082 udp:198.51.100.1:5080");
  assert_queries ("NAPTR example.net, SRV _sip._tcp.example.net, A t.example.net, "
                  "SRV _sip._udp.example.net, A u.example.net");
  assert_lookup (f, "sip:example.net", only_tcp, 1, "tcp:198.51.100.2:5082");
  assert_queries ("NAPTR example.net, SRV _sip._tcp.example.net, A t.example.net");

  /* a list naming a transport twice counts it once */
  {
    static const NetSipTransport twice[] = { NET_SIP_TRANSPORT_TCP, NET_SIP_TRANSPORT_TCP, NET_SIP_TRANSPORT_UDP };
    assert_lookup (f, "sip:192.0.2.7", twice, 3, "tcp:192.0.2.7:5060 udp:192.0.2.7:5060");
  }

  /* a sip: URI over TLS only through a SIPS+D2T NAPTR record */
  assert_lookup (f, "sip:example.test", only_tls, 1, "tls:192.0.2.3:5071");
  assert_no_route (f, "sip:example.net", only_tls, 1, "no SIPS+D2T NAPTR record at example.net");
  assert_no_route (f, "sip:192.0.2.7", only_tls, 1, "none of the allowed transports");
  assert_no_route (f, "sip:192.0.2.7;transport=udp", only_tcp, 1, "none of the allowed transports");
}

/* RFC 3263 §4.1: no NAPTR: SRV for each transport, udp then tcp by default */
static void
test_no_naptr (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:bob@example.net", NULL, 0, "udp:198.51.100.1:5080 tcp:198.51.100.2:5082");
  assert_queries ("NAPTR example.net, SRV _sip._udp.example.net, A u.example.net, "
                  "SRV _sip._tcp.example.net, A t.example.net");
  /* sips: SRV _sips._tcp only */
  assert_lookup (f, "sips:bob@example.net", NULL, 0, "tls:198.51.100.3:5081");
  assert_queries ("NAPTR example.net, SRV _sips._tcp.example.net, A s.example.net");
}

/* §4.2: no SRV either: A/AAAA of the host on 5060 (5061 for TLS) */
static void
test_address_fallback (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:plain.test", NULL, 0,
                 "udp:203.0.113.5:5060 udp:[2001:db8::5]:5060 tcp:203.0.113.5:5060 tcp:[2001:db8::5]:5060");
  assert_queries ("NAPTR plain.test, SRV _sip._udp.plain.test, SRV _sip._tcp.plain.test, A plain.test");
  assert_lookup (f, "sips:plain.test", NULL, 0, "tls:203.0.113.5:5061 tls:[2001:db8::5]:5061");
  assert_lookup (f, "sip:plain.test", only_tcp, 1, "tcp:203.0.113.5:5060 tcp:[2001:db8::5]:5060");
}

/* RFC 2782: ascending priority, whatever the order of the answer */
static void
test_srv_priority (Fixture *f, gconstpointer data)
{
  mock_add_srv (f->dns, "_sip._udp.prio.test", 30, 0, 5003, "c.prio.test");
  mock_add_srv (f->dns, "_sip._udp.prio.test", 10, 0, 5001, "a.prio.test");
  mock_add_srv (f->dns, "_sip._udp.prio.test", 20, 0, 5002, "b.prio.test");
  mock_add_host (f->dns, "a.prio.test", "192.0.2.11");
  mock_add_host (f->dns, "b.prio.test", "192.0.2.12");
  mock_add_host (f->dns, "c.prio.test", "192.0.2.13");

  for (int i = 0; i < 20; i++)
    assert_lookup (f, "sip:prio.test", (NetSipTransport[]) { NET_SIP_TRANSPORT_UDP }, 1,
                   "udp:192.0.2.11:5001 udp:192.0.2.12:5002 udp:192.0.2.13:5003");
  assert_queries ("NAPTR prio.test, SRV _sip._udp.prio.test, A a.prio.test, A b.prio.test, A c.prio.test");

  /* a target without addresses is skipped, the next one is used */
  g_hash_table_remove (f->dns->addresses, "a.prio.test");
  assert_lookup (f, "sip:prio.test", (NetSipTransport[]) { NET_SIP_TRANSPORT_UDP }, 1,
                 "udp:192.0.2.12:5002 udp:192.0.2.13:5003");
}

/* RFC 2782: inside one priority a random choice weighted by weight. Over
 * 1000 lookups the first target's share must be near 60/30/10 %; uniform
 * choice (weights ignored) gives 33 % each and fails the bounds by more
 * than 15 standard deviations. The bounds are about 5 standard deviations
 * wide (sd = sqrt(1000 p (1-p)): 15.5, 14.5, 9.5), so a correct resolver
 * fails them with a probability below 1e-6. */
static void
test_srv_weight (Fixture *f, gconstpointer data)
{
  guint first[3] = { 0 }, second_is_last_priority = 0;

  mock_add_srv (f->dns, "_sip._udp.weight.test", 10, 60, 5001, "a.weight.test");
  mock_add_srv (f->dns, "_sip._udp.weight.test", 10, 30, 5002, "b.weight.test");
  mock_add_srv (f->dns, "_sip._udp.weight.test", 10, 10, 5003, "c.weight.test");
  mock_add_srv (f->dns, "_sip._udp.weight.test", 20, 100, 5009, "z.weight.test");
  mock_add_host (f->dns, "a.weight.test", "192.0.2.21");
  mock_add_host (f->dns, "b.weight.test", "192.0.2.22");
  mock_add_host (f->dns, "c.weight.test", "192.0.2.23");
  mock_add_host (f->dns, "z.weight.test", "192.0.2.29");

  for (int i = 0; i < 1000; i++)
    {
      g_autofree char *got = lookup (f, "sip:weight.test;transport=udp", NULL, 0);
      g_auto(GStrv) parts = g_strsplit (got, " ", -1);

      g_assert_cmpuint (g_strv_length (parts), ==, 4);
      /* the priority-20 target is always last */
      g_assert_cmpstr (parts[3], ==, "udp:192.0.2.29:5009");
      if (g_str_equal (parts[0], "udp:192.0.2.21:5001"))
        first[0]++;
      else if (g_str_equal (parts[0], "udp:192.0.2.22:5002"))
        first[1]++;
      else if (g_str_equal (parts[0], "udp:192.0.2.23:5003"))
        first[2]++;
      else
        g_error ("unexpected first target %s", parts[0]);
      second_is_last_priority += g_str_equal (parts[1], "udp:192.0.2.29:5009");
    }
  g_test_message ("first target: a %u, b %u, c %u of 1000 (expected 600, 300, 100)",
                  first[0], first[1], first[2]);
  g_assert_cmpuint (first[0], >=, 520);
  g_assert_cmpuint (first[0], <=, 680);
  g_assert_cmpuint (first[1], >=, 230);
  g_assert_cmpuint (first[1], <=, 370);
  g_assert_cmpuint (first[2], >=, 55);
  g_assert_cmpuint (first[2], <=, 150);
  g_assert_cmpuint (second_is_last_priority, ==, 0);
}

/* §4.2: a numeric host never touches DNS */
static void
test_ip_literal (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:alice@192.0.2.7", NULL, 0, "udp:192.0.2.7:5060 tcp:192.0.2.7:5060");
  assert_queries ("");
  assert_lookup (f, "sip:[2001:db8::7]:5090", NULL, 0, "udp:[2001:db8::7]:5090 tcp:[2001:db8::7]:5090");
  assert_queries ("");
  assert_lookup (f, "sips:192.0.2.7", NULL, 0, "tls:192.0.2.7:5061");
  assert_lookup (f, "sips:[2001:db8::7]:5999", all_udp_first, 3, "tls:[2001:db8::7]:5999");
  assert_lookup (f, "sip:192.0.2.7;transport=tcp", NULL, 0, "tcp:192.0.2.7:5060");
  assert_lookup (f, "sip:192.0.2.7;transport=TLS", NULL, 0, "tls:192.0.2.7:5061");
  assert_lookup (f, "sip:192.0.2.7", tcp_udp, 2, "tcp:192.0.2.7:5060 udp:192.0.2.7:5060");
  assert_queries ("");

  /* the target's host is the literal as written, without brackets */
  {
    g_autoptr(NetSipUri) uri = net_sip_uri_parse ("sip:[2001:db8::7]", -1, NULL);
    Result r = { 0 };

    net_sip_resolver_lookup_async (f->resolver, uri, NULL, 0, NULL, on_lookup_done, &r);
    while (!r.done)
      g_main_context_iteration (NULL, TRUE);
    g_assert_no_error (r.error);
    g_assert_cmpstr (net_sip_target_get_host (g_ptr_array_index (r.targets, 0)), ==, "2001:db8::7");
    g_ptr_array_unref (r.targets);
  }
}

/* §4.2: a port in the URI: A/AAAA only, no NAPTR, no SRV */
static void
test_explicit_port (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:example.test:5080", NULL, 0, "udp:192.0.2.99:5080 tcp:192.0.2.99:5080");
  assert_queries ("A example.test");
  assert_lookup (f, "sips:plain.test:5081", NULL, 0, "tls:203.0.113.5:5081 tls:[2001:db8::5]:5081");
  assert_queries ("A plain.test");
  assert_lookup (f, "sip:example.test:5080;transport=tcp", NULL, 0, "tcp:192.0.2.99:5080");
  assert_queries ("A example.test");
  assert_no_route (f, "sip:nothing.test:5080", NULL, 0, "A/AAAA nothing.test");
}

/* §4.1: transport= selects the transport and skips NAPTR */
static void
test_transport_param (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sip:example.test;transport=tcp", NULL, 0, "tcp:192.0.2.1:5072 tcp:[2001:db8::1]:5072");
  assert_queries ("SRV _sip._tcp.example.test, A tcp1.example.test");
  assert_lookup (f, "sip:example.test;transport=UDP", NULL, 0, "udp:192.0.2.2:5070");
  assert_queries ("SRV _sip._udp.example.test, A udp1.example.test");
  assert_lookup (f, "sip:example.net;transport=tls", NULL, 0, "tls:198.51.100.3:5081");
  assert_queries ("SRV _sips._tcp.example.net, A s.example.net");
  /* no SRV: the default port of that transport */
  assert_lookup (f, "sip:plain.test;transport=tcp", NULL, 0, "tcp:203.0.113.5:5060 tcp:[2001:db8::5]:5060");
  assert_lookup (f, "sip:plain.test;transport=tls", NULL, 0, "tls:203.0.113.5:5061 tls:[2001:db8::5]:5061");

  assert_no_route (f, "sip:example.test;transport=sctp", NULL, 0, "transport=sctp is not supported");
  assert_no_route (f, "sip:example.test;transport=tcp", udp_tcp + 0, 1, "none of the allowed transports");
  assert_queries ("");
}

/* sips: never yields UDP or plain TCP (RFC 3261 §26.2.2, RFC 3263 §4.1) */
static void
test_sips (Fixture *f, gconstpointer data)
{
  assert_lookup (f, "sips:example.test", NULL, 0, "tls:192.0.2.3:5071");
  assert_queries ("NAPTR example.test, SRV _sips._tcp.example.test, A tls1.example.test");
  assert_lookup (f, "sips:example.test", all_udp_first, 3, "tls:192.0.2.3:5071");
  /* transport=tcp in a SIPS URI means TLS over TCP */
  assert_lookup (f, "sips:example.test;transport=tcp", NULL, 0, "tls:192.0.2.3:5071");
  assert_queries ("SRV _sips._tcp.example.test, A tls1.example.test");
  assert_no_route (f, "sips:example.test;transport=udp", NULL, 0, "cannot carry a sips: URI");
  assert_no_route (f, "sips:example.test", udp_tcp, 2, "none of the allowed transports");
  assert_no_route (f, "sips:192.0.2.7", udp_tcp, 2, "none of the allowed transports");
  assert_queries ("");

  /* NAPTR offering only SIP+D2U/SIP+D2T: no SIPS service, so SRV
   * _sips._tcp (§4.1), then A/AAAA on 5061 */
  test_add_naptr (f->naptr, "plain.test", 10, 10, "S", "SIP+D2U", "", "_sip._udp.example.test");
  assert_lookup (f, "sips:plain.test", NULL, 0, "tls:203.0.113.5:5061 tls:[2001:db8::5]:5061");
  assert_queries ("NAPTR plain.test, SRV _sips._tcp.plain.test, A plain.test");
}

/* RFC 2782 "." target: the service is not available; no A fallback */
static void
test_srv_dot (Fixture *f, gconstpointer data)
{
  mock_add_srv (f->dns, "_sip._udp.dot.test", 0, 0, 0, ".");
  mock_add_srv (f->dns, "_sip._tcp.dot.test", 10, 0, 5090, "t.dot.test");
  mock_add_host (f->dns, "t.dot.test", "192.0.2.40");
  mock_add_host (f->dns, "dot.test", "192.0.2.41");
  assert_lookup (f, "sip:dot.test", NULL, 0, "tcp:192.0.2.40:5090");
  assert_no_route (f, "sip:dot.test;transport=udp", NULL, 0, "SRV _sip._udp.dot.test");
  assert_queries ("SRV _sip._udp.dot.test");
}

static void
test_no_records (Fixture *f, gconstpointer data)
{
  assert_no_route (f, "sip:nothing.test", NULL, 0,
                   "sip:nothing.test: no address found (tried NAPTR nothing.test, SRV _sip._udp.nothing.test, "
                   "SRV _sip._tcp.nothing.test, A/AAAA nothing.test)");
  /* SRV targets that do not resolve */
  mock_add_srv (f->dns, "_sip._udp.broken.test", 10, 0, 5060, "gone.broken.test");
  assert_no_route (f, "sip:broken.test", NULL, 0, "A/AAAA gone.broken.test");
  /* not a SIP URI */
  assert_no_route (f, "tel:+1-201-555-0123", NULL, 0, "not a sip: or sips: URI");
  assert_no_route (f, "mailto:bob@example.test", NULL, 0, "not a sip: or sips: URI");
}

static void
assert_cancelled (Fixture    *f,
                  const char *uri,
                  const char *at)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  g_clear_object (&cancel_this);
  g_free (cancel_on);
  cancel_this = g_cancellable_new ();
  cancel_on = g_strdup (at);
  got = lookup_full (f->resolver, uri, NULL, 0, cancel_this, &error);
  g_assert_null (got);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
}

/* cancellation at every step */
static void
test_cancel (Fixture *f, gconstpointer data)
{
  g_autoptr(GCancellable) pre = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *got = NULL;

  g_cancellable_cancel (pre);
  got = lookup_full (f->resolver, "sip:example.test", NULL, 0, pre, &error);
  g_assert_null (got);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  assert_queries ("");
  g_clear_error (&error);
  got = lookup_full (f->resolver, "sip:192.0.2.1", NULL, 0, pre, &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  assert_cancelled (f, "sip:example.test", "example.test");            /* NAPTR */
  assert_queries ("NAPTR example.test");
  assert_cancelled (f, "sip:example.test", "_sip._tcp.example.test");  /* first SRV */
  assert_queries ("NAPTR example.test, SRV _sip._tcp.example.test");
  assert_cancelled (f, "sip:example.test", "tcp1.example.test");       /* A of an SRV target */
  assert_queries ("NAPTR example.test, SRV _sip._tcp.example.test, A tcp1.example.test");
  assert_cancelled (f, "sip:example.test", "udp1.example.test");       /* later in the chain */
  assert_cancelled (f, "sip:plain.test", "plain.test");                /* NAPTR of plain */
  assert_cancelled (f, "sip:plain.test:5060", "plain.test");           /* A only */
  assert_queries ("A plain.test");
  assert_cancelled (f, "sip:plain.test;transport=udp", "_sip._udp.plain.test");

  /* the real NAPTR step (libresolv in a thread) with a cancelled
   * cancellable returns at once, without a DNS question */
  {
    g_autoptr(NetSipResolver) real = net_sip_resolver_new (G_RESOLVER (f->dns));

    g_clear_error (&error);
    g_clear_pointer (&got, g_free);
    got = lookup_full (real, "sip:example.invalid", NULL, 0, pre, &error);
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  }
}

/* NAPTR records whose SRV names have no records: A/AAAA of the host (§4.2);
 * two records naming one SRV name ask for it once */
static void
test_naptr_without_srv (Fixture *f, gconstpointer data)
{
  test_add_naptr (f->naptr, "plain.test", 10, 10, "S", "SIP+D2T", "", "_sip._tcp.plain.test");
  test_add_naptr (f->naptr, "plain.test", 10, 20, "S", "SIP+D2T", "", "_SIP._TCP.plain.test");
  assert_lookup (f, "sip:plain.test", NULL, 0,
                 "udp:203.0.113.5:5060 udp:[2001:db8::5]:5060 tcp:203.0.113.5:5060 tcp:[2001:db8::5]:5060");
  assert_queries ("NAPTR plain.test, SRV _sip._tcp.plain.test, A plain.test");
}

static void
on_notify (GObject *object, GParamSpec *pspec, gpointer data)
{
  (*(guint *) data)++;
}

/* max-targets bounds the result and the DNS questions */
static void
test_max_targets (Fixture *f, gconstpointer data)
{
  guint notified = 0, n_a = 0;

  for (guint i = 0; i < 40; i++)
    {
      g_autofree char *name = g_strdup_printf ("t%u.many.test", i);
      g_autofree char *addr = g_strdup_printf ("192.0.2.%u", 100 + i);

      mock_add_srv (f->dns, "_sip._udp.many.test", (guint16) (i + 1), 0, 5060, name);
      mock_add_host (f->dns, name, addr);
    }

  g_assert_cmpuint (net_sip_resolver_get_max_targets (f->resolver), ==, 16);
  {
    g_autofree char *all = lookup (f, "sip:many.test;transport=udp", NULL, 0);
    g_auto(GStrv) parts = g_strsplit (all, " ", -1);
    g_assert_cmpuint (g_strv_length (parts), ==, 16);
  }

  g_signal_connect (f->resolver, "notify::max-targets", G_CALLBACK (on_notify), &notified);
  net_sip_resolver_set_max_targets (f->resolver, 3);
  net_sip_resolver_set_max_targets (f->resolver, 3);
  g_assert_cmpuint (notified, ==, 1);
  assert_lookup (f, "sip:many.test;transport=udp", NULL, 0,
                 "udp:192.0.2.100:5060 udp:192.0.2.101:5060 udp:192.0.2.102:5060");
  for (guint i = 0; i < query_log->len; i++)
    n_a += g_str_has_prefix (g_ptr_array_index (query_log, i), "A ");
  g_assert_cmpuint (n_a, ==, 3);

  /* a numeric host: one target per transport, still bounded */
  net_sip_resolver_set_max_targets (f->resolver, 1);
  assert_lookup (f, "sip:192.0.2.7", NULL, 0, "udp:192.0.2.7:5060");
}

/* bad arguments: the lookup fails with an error, never crashes */
static void
test_bad_input (Fixture *f, gconstpointer data)
{
  static const NetSipTransport bogus[] = { (NetSipTransport) 42, NET_SIP_TRANSPORT_UDP };

  /* an out-of-range transport in the allowed list is ignored */
  assert_lookup (f, "sip:192.0.2.7", bogus, 2, "udp:192.0.2.7:5060");
  /* NAPTR records of the wrong type or with an empty replacement */
  {
    GList *list = NULL;

    list = g_list_append (list, g_variant_ref_sink (g_variant_new ("(qq)", 1, 2)));
    g_hash_table_replace (f->naptr->naptr, g_strdup ("odd.test"), list);
    test_add_naptr (f->naptr, "odd.test", 1, 1, "S", "SIP+D2U", "", "");
    test_add_naptr (f->naptr, "odd.test", 1, 1, "S", "SIP+D2U", "", ".");
    mock_add_host (f->dns, "odd.test", "192.0.2.50");
    assert_lookup (f, "sip:odd.test", NULL, 0, "udp:192.0.2.50:5060 tcp:192.0.2.50:5060");
    assert_queries ("NAPTR odd.test, SRV _sip._udp.odd.test, SRV _sip._tcp.odd.test, A odd.test");
  }
  /* SRV records of the wrong type */
  {
    GList *list = g_list_append (NULL, g_variant_ref_sink (g_variant_new ("(s)", "x")));

    g_hash_table_replace (f->dns->srv, g_strdup ("_sip._udp.odd2.test"), list);
    mock_add_host (f->dns, "odd2.test", "192.0.2.51");
    assert_lookup (f, "sip:odd2.test;transport=udp", NULL, 0, "udp:192.0.2.51:5060");
  }
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/resolver/target", test_target);
  g_test_add_func ("/resolver/default-resolver", test_default_resolver);
#define ADD(path, fn) \
  g_test_add ("/resolver/" path, Fixture, NULL, fixture_setup, fn, fixture_teardown)
  ADD ("naptr-order", test_naptr_order);
  ADD ("allowed", test_allowed);
  ADD ("no-naptr", test_no_naptr);
  ADD ("address-fallback", test_address_fallback);
  ADD ("srv-priority", test_srv_priority);
  ADD ("srv-weight", test_srv_weight);
  ADD ("srv-dot", test_srv_dot);
  ADD ("ip-literal", test_ip_literal);
  ADD ("explicit-port", test_explicit_port);
  ADD ("transport-param", test_transport_param);
  ADD ("sips", test_sips);
  ADD ("no-records", test_no_records);
  ADD ("cancel", test_cancel);
  ADD ("bad-input", test_bad_input);
  ADD ("naptr-without-srv", test_naptr_without_srv);
  ADD ("max-targets", test_max_targets);
#undef ADD

  return g_test_run ();
}
