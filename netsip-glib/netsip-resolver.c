/* netsip-resolver.c: where a SIP request goes (RFC 3263 §4: NAPTR, SRV,
 * A/AAAA)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-transport-private.h"

#include <netdb.h>
#include <netinet/in.h>
#include <arpa/nameser.h>
#include <resolv.h>

#include "netsip-resolver.h"

/* ======================================================================
 * NetSipTarget
 * ====================================================================== */

/**
 * NetSipTarget:
 *
 * One place a request can be sent to: a transport, an address and port,
 * and the SIP domain the address was found for (the identity a TLS server
 * must present, RFC 5922 §4.1). [method@NetSip.Resolver.lookup_finish]
 * returns them in the order RFC 3263 §4 says to try them.
 *
 * Immutable and reference counted; safe to share between threads.
 *
 * Since: 1.0
 */
struct _NetSipTarget
{
  gatomicrefcount     ref_count;
  NetSipTransport     transport;
  GInetSocketAddress *address;
  char               *host;
};

G_DEFINE_BOXED_TYPE (NetSipTarget, net_sip_target, net_sip_target_ref, net_sip_target_unref)

/**
 * net_sip_target_new:
 * @transport: the transport to use
 * @address: (transfer none): the address and port to send to
 * @host: (nullable): the SIP domain @address was resolved from, the TLS
 *   identity to check (RFC 5922 §4.1), or %NULL
 *
 * Makes a target by hand, for example for a fixed destination that needs
 * no resolution.
 *
 * Returns: (transfer full): a new #NetSipTarget
 *
 * Since: 1.0
 */
NetSipTarget *
net_sip_target_new (NetSipTransport     transport,
                    GInetSocketAddress *address,
                    const char         *host)
{
  NetSipTarget *self;

  g_return_val_if_fail (G_IS_INET_SOCKET_ADDRESS (address), NULL);

  self = g_new0 (NetSipTarget, 1);
  g_atomic_ref_count_init (&self->ref_count);
  self->transport = transport;
  self->address = g_object_ref (address);
  self->host = g_strdup (host);
  return self;
}

/**
 * net_sip_target_ref:
 * @self: a #NetSipTarget
 *
 * Takes a reference; targets are immutable, so sharing one is safe.
 *
 * Returns: (transfer full): @self, with one more reference
 *
 * Since: 1.0
 */
NetSipTarget *
net_sip_target_ref (NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_atomic_ref_count_inc (&self->ref_count);
  return self;
}

/**
 * net_sip_target_unref:
 * @self: (transfer full): a #NetSipTarget
 *
 * Drops a reference; the last one frees @self.
 *
 * Since: 1.0
 */
void
net_sip_target_unref (NetSipTarget *self)
{
  g_return_if_fail (self != NULL);
  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;
  g_object_unref (self->address);
  g_free (self->host);
  g_free (self);
}

/**
 * net_sip_target_get_transport:
 * @self: a #NetSipTarget
 *
 * Gets the transport: from the NAPTR service or SRV name it was found
 * through, the `transport=` parameter, or the URI scheme.
 *
 * Returns: the transport to use
 *
 * Since: 1.0
 */
NetSipTransport
net_sip_target_get_transport (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NET_SIP_TRANSPORT_UDP);
  return self->transport;
}

/**
 * net_sip_target_get_address:
 * @self: a #NetSipTarget
 *
 * Gets the address and port: the SRV port (RFC 2782), the URI's port, or
 * the default port 5060 (5061 for TLS).
 *
 * Returns: (transfer none): the address and port to send to
 *
 * Since: 1.0
 */
GInetSocketAddress *
net_sip_target_get_address (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->address;
}

/**
 * net_sip_target_get_host:
 * @self: a #NetSipTarget
 *
 * The SIP domain the target was resolved for: the host part of the URI
 * (for a numeric host the address as written, without brackets). Over TLS
 * the server's certificate must name it (RFC 5922 §4.1), not the SRV
 * target host.
 *
 * Returns: (transfer none) (nullable): the SIP domain, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_target_get_host (const NetSipTarget *self)
{
  g_return_val_if_fail (self != NULL, NULL);
  return self->host;
}

/**
 * net_sip_target_to_string:
 * @self: a #NetSipTarget
 *
 * Formats the target as a leg specification does: `udp:192.0.2.1:5060`,
 * `tls:[2001:db8::1]:5061`.
 *
 * Returns: (transfer full): the text
 *
 * Since: 1.0
 */
char *
net_sip_target_to_string (const NetSipTarget *self)
{
  g_autofree char *ip = NULL;
  GInetAddress *addr;

  g_return_val_if_fail (self != NULL, NULL);

  addr = g_inet_socket_address_get_address (self->address);
  ip = g_inet_address_to_string (addr);
  if (g_inet_address_get_family (addr) == G_SOCKET_FAMILY_IPV6)
    return g_strdup_printf ("%s:[%s]:%u", net_sip_transport_to_string (self->transport), ip,
                            g_inet_socket_address_get_port (self->address));
  return g_strdup_printf ("%s:%s:%u", net_sip_transport_to_string (self->transport), ip,
                          g_inet_socket_address_get_port (self->address));
}

/**
 * net_sip_target_equal:
 * @a: a #NetSipTarget
 * @b: another #NetSipTarget
 *
 * Compares two targets field by field.
 *
 * Returns: %TRUE if @a and @b have the same transport, address, port and
 *   host
 *
 * Since: 1.0
 */
gboolean
net_sip_target_equal (const NetSipTarget *a,
                      const NetSipTarget *b)
{
  g_return_val_if_fail (a != NULL && b != NULL, FALSE);

  return a->transport == b->transport &&
         net_sip_socket_address_equal (a->address, b->address) &&
         g_strcmp0 (a->host, b->host) == 0;
}

/* ======================================================================
 * NetSipResolver
 * ====================================================================== */

/**
 * NetSipResolver:
 *
 * Finds the ordered list of places a request for a SIP or SIPS URI can go,
 * as RFC 3263 §4 describes:
 *
 * 1. A numeric host (`sip:192.0.2.1`, `sip:[2001:db8::1]`) needs no DNS:
 *    one target per usable transport, on the URI's port or the default
 *    port (5060, 5061 for TLS).
 * 2. A port in the URI: A/AAAA records of the host only (§4.2).
 * 3. A `transport=` parameter: SRV for that transport, then A/AAAA on the
 *    default port (§4.1, §4.2).
 * 4. Otherwise NAPTR records of the host (RFC 3403; flag `S`, services
 *    `SIP+D2U`, `SIP+D2T`, `SIPS+D2T`), sorted by order and preference;
 *    each replacement is looked up as SRV; without usable NAPTR records,
 *    SRV `_sip._udp`, `_sip._tcp`, `_sips._tcp` for each usable
 *    transport; SRV targets are tried by priority with a random weighted
 *    choice among equal priorities (RFC 2782); each SRV target is resolved
 *    with A/AAAA. Without any SRV record: A/AAAA of the host on the default
 *    port.
 *
 * The usable transports are: for a `sips:` URI TLS only (a `sips:` URI is
 * never reached over plain UDP or TCP; `transport=tcp` means TLS over TCP,
 * RFC 3261 §26.2.2); for a `transport=` parameter that transport; for a
 * `sip:` URI UDP, then TCP (as Perl's Net::SIP::Dispatcher::resolve_uri),
 * and TLS as well when a NAPTR record offers `SIPS+D2T` and the caller
 * allows TLS. An allowed list given to
 * [method@NetSip.Resolver.lookup_async] restricts these and orders the
 * result: all targets of its first transport come first, then those of the
 * second, and so on; inside one transport the RFC 3263 order is kept.
 *
 * NAPTR is queried with libresolv in a worker thread (GResolver has no NAPTR
 * record type); the subclass vfunc `lookup_naptr_async` replaces it. SRV and
 * A/AAAA go through [property@NetSip.Resolver:resolver].
 *
 * maddr, outgoing proxies and per-domain proxies are the dispatcher's job:
 * the resolver gets the URI to resolve.
 *
 * Since: 1.0
 */

typedef struct
{
  GResolver *resolver;
  guint      max_targets;
} NetSipResolverPrivate;

#define DEFAULT_MAX_TARGETS 16

G_DEFINE_TYPE_WITH_PRIVATE (NetSipResolver, net_sip_resolver, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_RESOLVER,
  PROP_MAX_TARGETS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

#define N_TRANSPORTS 3

/* ---- the default NAPTR step: libresolv in a worker thread ---- */

static gboolean
read_character_string (const guchar **p,
                       const guchar  *end,
                       char         **out)
{
  guint len;

  if (*p >= end)
    return FALSE;
  len = **p;
  if ((gsize) (end - (*p + 1)) < len)
    return FALSE;
  *out = g_strndup ((const char *) *p + 1, len);
  *p += 1 + len;
  return TRUE;
}

/* One NAPTR RR (RFC 3403 §4.1): ORDER PREFERENCE FLAGS SERVICES REGEXP
 * REPLACEMENT, the last a domain name. NULL for a malformed record. */
static GVariant *
parse_naptr_rdata (ns_msg *msg,
                   ns_rr  *rr)
{
  const guchar *p = ns_rr_rdata (*rr);
  const guchar *end = p + ns_rr_rdlen (*rr);
  g_autofree char *flags = NULL, *services = NULL, *regexp = NULL;
  char replacement[NS_MAXDNAME];
  guint16 order, preference;
  int n;

  if (end - p < 4)
    return NULL;
  order = ns_get16 (p);
  preference = ns_get16 (p + 2);
  p += 4;
  if (!read_character_string (&p, end, &flags) ||
      !read_character_string (&p, end, &services) ||
      !read_character_string (&p, end, &regexp))
    return NULL;
  if (p >= end)
    return NULL;
  n = dn_expand (ns_msg_base (*msg), ns_msg_end (*msg), p, replacement, sizeof replacement);
  if (n < 0 || p + n > end)
    return NULL;
  /* GVariant strings are UTF-8; anything else is not a record for us. */
  if (!g_utf8_validate (flags, -1, NULL) || !g_utf8_validate (services, -1, NULL) ||
      !g_utf8_validate (regexp, -1, NULL) || !g_utf8_validate (replacement, -1, NULL))
    return NULL;
  return g_variant_new ("(qqssss)", order, preference, flags, services, regexp, replacement);
}

static void
free_variant_list (gpointer list)
{
  g_list_free_full (list, (GDestroyNotify) g_variant_unref);
}

static void
naptr_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  const char *domain = task_data;
  struct __res_state state;
  g_autofree guchar *answer = NULL;
  const int answer_size = 65535;
  GList *records = NULL;
  ns_msg msg;
  int len, i, count;

  memset (&state, 0, sizeof state);
  if (res_ninit (&state) != 0)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE,
                               "NAPTR %s: cannot read the resolver configuration", domain);
      return;
    }

  answer = g_malloc (answer_size);
  len = res_nquery (&state, domain, ns_c_in, ns_t_naptr, answer, answer_size);
  if (len < 0)
    {
      int herr = state.res_h_errno;

      res_nclose (&state);
      if (herr == HOST_NOT_FOUND || herr == NO_DATA)
        g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                 "NAPTR %s: no records", domain);
      else
        g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_TEMPORARY_FAILURE,
                                 "NAPTR %s: %s", domain, hstrerror (herr));
      return;
    }
  res_nclose (&state);

  if (len > answer_size || ns_initparse (answer, len, &msg) < 0)
    {
      g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_INTERNAL,
                               "NAPTR %s: malformed answer", domain);
      return;
    }

  count = ns_msg_count (msg, ns_s_an);
  for (i = 0; i < count; i++)
    {
      ns_rr rr;
      GVariant *record;

      if (ns_parserr (&msg, ns_s_an, i, &rr) < 0)
        break;
      /* the answer may start with the CNAMEs that led to the records */
      if (ns_rr_type (rr) != ns_t_naptr || ns_rr_class (rr) != ns_c_in)
        continue;
      record = parse_naptr_rdata (&msg, &rr);
      if (record)
        records = g_list_prepend (records, g_variant_ref_sink (record));
    }

  if (!records)
    g_task_return_new_error (task, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                             "NAPTR %s: no records", domain);
  else
    g_task_return_pointer (task, g_list_reverse (records), free_variant_list);
}

static void
net_sip_resolver_real_lookup_naptr_async (NetSipResolver      *self,
                                          const char          *domain,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, net_sip_resolver_real_lookup_naptr_async);
  g_task_set_task_data (task, g_strdup (domain), g_free);
  /* res_nquery cannot be interrupted: a cancelled lookup returns at once
   * and the thread finishes on its own (bounded by resolv.conf timeouts). */
  g_task_set_return_on_cancel (task, TRUE);
  g_task_run_in_thread (task, naptr_thread);
}

static GList *
net_sip_resolver_real_lookup_naptr_finish (NetSipResolver  *self,
                                           GAsyncResult    *result,
                                           GError         **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- one lookup ---- */

typedef struct
{
  NetSipTransport transport;
  char           *name;
} SrvQuery;

typedef struct
{
  char            *uri_text;       /* for error messages */
  char            *host;
  guint16          port;           /* 0: none in the URI */
  gboolean         sips;
  NetSipTransport  usable[N_TRANSPORTS];  /* in preference order */
  guint            n_usable;
  NetSipTransport  allowed[N_TRANSPORTS]; /* the caller's list, deduplicated */
  guint            n_allowed;
  gboolean         naptr_tls;      /* a SIPS+D2T NAPTR may add TLS */

  GArray          *queries;        /* SrvQuery */
  guint            query_index;
  GList           *srv_targets;    /* GSrvTarget, sorted (RFC 2782) */
  GList           *srv_current;
  gboolean         any_srv;

  guint            max_targets;    /* copy of the property at the start */
  GPtrArray       *targets;        /* NetSipTarget */
  GString         *tried;          /* "NAPTR x, SRV y, A/AAAA z" */
} Lookup;

static void
srv_query_clear (gpointer data)
{
  SrvQuery *q = data;

  g_free (q->name);
}

static void
lookup_free (gpointer data)
{
  Lookup *lookup = data;

  g_free (lookup->uri_text);
  g_free (lookup->host);
  if (lookup->queries)
    g_array_unref (lookup->queries);
  g_list_free_full (lookup->srv_targets, (GDestroyNotify) g_srv_target_free);
  g_ptr_array_unref (lookup->targets);
  g_string_free (lookup->tried, TRUE);
  g_free (lookup);
}

static void
note_tried (Lookup     *lookup,
            const char *what,
            const char *name)
{
  if (lookup->tried->len > 0)
    g_string_append (lookup->tried, ", ");
  g_string_append_printf (lookup->tried, "%s %s", what, name);
}

static gboolean
transport_in (NetSipTransport        t,
              const NetSipTransport *set,
              guint                  n)
{
  for (guint i = 0; i < n; i++)
    if (set[i] == t)
      return TRUE;
  return FALSE;
}

static guint16
default_port (NetSipTransport transport)
{
  return transport == NET_SIP_TRANSPORT_TLS ? NET_SIP_DEFAULT_TLS_PORT : NET_SIP_DEFAULT_PORT;
}

static void
add_target (Lookup          *lookup,
            NetSipTransport  transport,
            GInetAddress    *address,
            guint16          port)
{
  g_autoptr(GSocketAddress) sa = g_inet_socket_address_new (address, port);
  g_autoptr(NetSipTarget) target = net_sip_target_new (transport, G_INET_SOCKET_ADDRESS (sa),
                                                       lookup->host);

  if (lookup->targets->len >= lookup->max_targets)
    return;
  /* two SRV targets (or NAPTR records) may lead to the same place */
  for (guint i = 0; i < lookup->targets->len; i++)
    if (net_sip_target_equal (g_ptr_array_index (lookup->targets, i), target))
      return;
  g_ptr_array_add (lookup->targets, g_steal_pointer (&target));
}

static int
compare_by_allowed (gconstpointer a,
                    gconstpointer b,
                    gpointer      user_data)
{
  const Lookup *lookup = user_data;
  const NetSipTarget *ta = *(NetSipTarget * const *) a;
  const NetSipTarget *tb = *(NetSipTarget * const *) b;
  guint ra = N_TRANSPORTS, rb = N_TRANSPORTS;

  for (guint i = 0; i < lookup->n_allowed; i++)
    {
      if (lookup->allowed[i] == ta->transport)
        ra = i;
      if (lookup->allowed[i] == tb->transport)
        rb = i;
    }
  return (int) ra - (int) rb;
}

/* The caller's allowed list orders the result (Net::SIP resolve_uri);
 * g_ptr_array_sort_with_data is stable, so RFC 3263 order is kept inside
 * one transport. */
static void
sort_by_allowed (Lookup *lookup)
{
  if (lookup->n_allowed > 0)
    g_ptr_array_sort_with_data (lookup->targets, compare_by_allowed, lookup);
}

static void
lookup_return (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);

  if (lookup->targets->len == 0)
    {
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                               "%s: no address found (tried %s)", lookup->uri_text,
                               lookup->tried->len ? lookup->tried->str : "nothing");
      return;
    }
  sort_by_allowed (lookup);
  g_task_return_pointer (task, g_ptr_array_ref (lookup->targets),
                         (GDestroyNotify) g_ptr_array_unref);
}

/* A resolver error other than cancellation means "nothing here": RFC 3263
 * goes on with the next step. Returns TRUE when the task is done. */
static gboolean
return_if_cancelled (GTask  *task,
                     GError *error)
{
  if (error && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_error_copy (error));
      return TRUE;
    }
  return g_task_return_error_if_cancelled (task);
}

/* -- last step: A/AAAA of the host on the default port(s) -- */

static void
fallback_addresses_done (GObject      *source,
                         GAsyncResult *result,
                         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *addresses, *l;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task, error))
    {
      g_resolver_free_addresses (addresses);
      return;
    }
  /* §4.2: with a port, or without SRV records, the transport order is
   * the usable one, every address for each. */
  for (guint i = 0; i < lookup->n_usable; i++)
    for (l = addresses; l; l = l->next)
      add_target (lookup, lookup->usable[i], l->data,
                  lookup->port ? lookup->port : default_port (lookup->usable[i]));
  g_resolver_free_addresses (addresses);
  lookup_return (task);
}

static void
lookup_fallback_addresses (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  NetSipResolver *self = g_task_get_source_object (task);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  note_tried (lookup, "A/AAAA", lookup->host);
  g_resolver_lookup_by_name_async (priv->resolver, lookup->host, g_task_get_cancellable (task),
                                   fallback_addresses_done, g_object_ref (task));
}

/* -- SRV, then A/AAAA for each SRV target in order -- */

static void lookup_next_srv (GTask *task);
static void lookup_next_srv_target (GTask *task);

static void
srv_target_addresses_done (GObject      *source,
                           GAsyncResult *result,
                           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  SrvQuery *query = &g_array_index (lookup->queries, SrvQuery, lookup->query_index);
  GSrvTarget *srv = lookup->srv_current->data;
  g_autoptr(GError) error = NULL;
  GList *addresses, *l;

  addresses = g_resolver_lookup_by_name_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task, error))
    {
      g_resolver_free_addresses (addresses);
      return;
    }
  for (l = addresses; l; l = l->next)
    add_target (lookup, query->transport, l->data, g_srv_target_get_port (srv));
  g_resolver_free_addresses (addresses);

  lookup->srv_current = lookup->srv_current->next;
  lookup_next_srv_target (task);
}

static void
lookup_next_srv_target (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  NetSipResolver *self = g_task_get_source_object (task);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);
  GSrvTarget *srv;

  if (lookup->targets->len >= lookup->max_targets)
    {
      lookup_return (task);
      return;
    }
  if (!lookup->srv_current)
    {
      lookup->query_index++;
      lookup_next_srv (task);
      return;
    }
  srv = lookup->srv_current->data;
  note_tried (lookup, "A/AAAA", g_srv_target_get_hostname (srv));
  g_resolver_lookup_by_name_async (priv->resolver, g_srv_target_get_hostname (srv),
                                   g_task_get_cancellable (task),
                                   srv_target_addresses_done, g_object_ref (task));
}

static void
srv_done (GObject      *source,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  GList *records, *l, *srv = NULL;

  records = g_resolver_lookup_records_finish (G_RESOLVER (source), result, &error);
  if (return_if_cancelled (task, error))
    {
      g_list_free_full (records, (GDestroyNotify) g_variant_unref);
      return;
    }
  for (l = records; l; l = l->next)
    {
      guint16 priority, weight, port;
      const char *target;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qqqs)")))
        continue;
      g_variant_get (l->data, "(qqq&s)", &priority, &weight, &port, &target);
      srv = g_list_prepend (srv, g_srv_target_new (target, port, priority, weight));
    }
  g_list_free_full (records, (GDestroyNotify) g_variant_unref);

  /* Records exist: no A/AAAA fallback on the host later (RFC 3263 §4.2),
   * even when the only record is "." (RFC 2782: the service is decidedly
   * not available at this domain). */
  if (srv)
    lookup->any_srv = TRUE;
  /* RFC 2782: lowest priority first, a weighted random order inside a
   * priority; a single "." target gives an empty list. */
  srv = g_srv_target_list_sort (srv);
  /* a hostile answer with thousands of targets must not cost thousands
   * of A/AAAA questions: only the first max-targets are resolved */
  if (g_list_length (srv) > lookup->max_targets)
    {
      /* rebuilt rather than cut: g_srv_target_list_sort() does not keep
       * the prev links */
      GList *kept = NULL;
      guint n = 0;

      for (l = srv; l; l = l->next)
        if (n++ < lookup->max_targets)
          kept = g_list_prepend (kept, l->data);
        else
          g_srv_target_free (l->data);
      g_list_free (srv);
      srv = g_list_reverse (kept);
    }
  g_list_free_full (lookup->srv_targets, (GDestroyNotify) g_srv_target_free);
  lookup->srv_targets = srv;
  lookup->srv_current = srv;
  lookup_next_srv_target (task);
}

static void
lookup_next_srv (GTask *task)
{
  Lookup *lookup = g_task_get_task_data (task);
  NetSipResolver *self = g_task_get_source_object (task);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);
  SrvQuery *query;

  if (g_task_return_error_if_cancelled (task))
    return;
  if (lookup->query_index >= lookup->queries->len)
    {
      /* RFC 3263 §4.2: no SRV record at all: A/AAAA of the host itself */
      if (lookup->any_srv)
        lookup_return (task);
      else
        lookup_fallback_addresses (task);
      return;
    }
  query = &g_array_index (lookup->queries, SrvQuery, lookup->query_index);
  note_tried (lookup, "SRV", query->name);
  g_resolver_lookup_records_async (priv->resolver, query->name, G_RESOLVER_RECORD_SRV,
                                   g_task_get_cancellable (task), srv_done, g_object_ref (task));
}

static void
add_srv_query (Lookup          *lookup,
               NetSipTransport  transport,
               const char      *name)
{
  SrvQuery q = { transport, NULL };

  if (lookup->queries->len >= lookup->max_targets)
    return;
  for (guint i = 0; i < lookup->queries->len; i++)
    {
      SrvQuery *old = &g_array_index (lookup->queries, SrvQuery, i);

      if (old->transport == transport && g_ascii_strcasecmp (old->name, name) == 0)
        {
          return;
        }
    }
  q.name = g_strdup (name);
  g_array_append_val (lookup->queries, q);
}

/* RFC 3263 §4.1: without NAPTR, SRV for each transport the client supports */
static void
add_default_srv_queries (Lookup *lookup)
{
  for (guint i = 0; i < lookup->n_usable; i++)
    {
      g_autofree char *name = NULL;

      switch (lookup->usable[i])
        {
        case NET_SIP_TRANSPORT_UDP:
          name = g_strconcat ("_sip._udp.", lookup->host, NULL);
          break;
        case NET_SIP_TRANSPORT_TCP:
          name = g_strconcat ("_sip._tcp.", lookup->host, NULL);
          break;
        case NET_SIP_TRANSPORT_TLS:
          name = g_strconcat ("_sips._tcp.", lookup->host, NULL);
          break;
        default:
          continue;
        }
      add_srv_query (lookup, lookup->usable[i], name);
    }
}

/* -- NAPTR -- */

typedef struct
{
  guint16          order;
  guint16          preference;
  NetSipTransport  transport;
  const char      *replacement;
} Naptr;

static int
compare_naptr (gconstpointer a,
               gconstpointer b)
{
  const Naptr *na = a, *nb = b;

  if (na->order != nb->order)
    return na->order < nb->order ? -1 : 1;
  if (na->preference != nb->preference)
    return na->preference < nb->preference ? -1 : 1;
  return 0;
}

static gboolean
naptr_service_transport (const char      *services,
                         gboolean         sips,
                         NetSipTransport *transport)
{
  /* RFC 3263 §4.1 and the IANA registry: the services of SIP over UDP,
   * TCP and TLS over TCP; a SIPS URI uses SIPS+ services only. */
  if (!sips && g_ascii_strcasecmp (services, "SIP+D2U") == 0)
    *transport = NET_SIP_TRANSPORT_UDP;
  else if (!sips && g_ascii_strcasecmp (services, "SIP+D2T") == 0)
    *transport = NET_SIP_TRANSPORT_TCP;
  else if (g_ascii_strcasecmp (services, "SIPS+D2T") == 0)
    *transport = NET_SIP_TRANSPORT_TLS;
  else
    return FALSE;
  return TRUE;
}

static gboolean
naptr_transport_usable (Lookup          *lookup,
                        NetSipTransport  transport)
{
  if (transport_in (transport, lookup->usable, lookup->n_usable))
    return TRUE;
  return transport == NET_SIP_TRANSPORT_TLS && lookup->naptr_tls;
}

static void
naptr_done (GObject      *source,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  Lookup *lookup = g_task_get_task_data (task);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) naptrs = g_array_new (FALSE, FALSE, sizeof (Naptr));
  GList *records, *l;

  records = net_sip_resolver_lookup_naptr_finish (NET_SIP_RESOLVER (source), result, &error);
  if (return_if_cancelled (task, error))
    {
      free_variant_list (records);
      return;
    }

  for (l = records; l; l = l->next)
    {
      Naptr n;
      const char *flags, *services, *regexp;

      if (!g_variant_is_of_type (l->data, G_VARIANT_TYPE ("(qqssss)")))
        continue;
      g_variant_get (l->data, "(qq&s&s&s&s)", &n.order, &n.preference, &flags, &services,
                     &regexp, &n.replacement);
      /* RFC 3263 §4.1: the flag must be "S" (the replacement is an SRV
       * name) and the regexp empty. */
      if (g_ascii_strcasecmp (flags, "S") != 0 || regexp[0] != '\0')
        continue;
      if (n.replacement[0] == '\0' || strcmp (n.replacement, ".") == 0)
        continue;
      if (!naptr_service_transport (services, lookup->sips, &n.transport))
        continue;
      if (!naptr_transport_usable (lookup, n.transport))
        continue;
      g_array_append_val (naptrs, n);
    }
  g_array_sort (naptrs, compare_naptr);

  for (guint i = 0; i < naptrs->len; i++)
    {
      Naptr *n = &g_array_index (naptrs, Naptr, i);

      add_srv_query (lookup, n->transport, n->replacement);
    }
  free_variant_list (records);

  /* No usable NAPTR record: SRV for every usable transport (§4.1) */
  if (lookup->queries->len == 0 && lookup->n_usable == 0)
    {
      /* a sip: URI with only TLS allowed and no SIPS+D2T record */
      g_task_return_new_error (task, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                               "%s: none of the allowed transports can carry it (no SIPS+D2T "
                               "NAPTR record at %s)", lookup->uri_text, lookup->host);
      return;
    }
  if (lookup->queries->len == 0)
    add_default_srv_queries (lookup);
  lookup_next_srv (task);
}

/* ---- GObject ---- */

static void
net_sip_resolver_get_property (GObject    *object,
                               guint       prop_id,
                               GValue     *value,
                               GParamSpec *pspec)
{
  NetSipResolver *self = NET_SIP_RESOLVER (object);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_value_set_object (value, priv->resolver);
      break;
    case PROP_MAX_TARGETS:
      g_value_set_uint (value, priv->max_targets);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_resolver_set_property (GObject      *object,
                               guint         prop_id,
                               const GValue *value,
                               GParamSpec   *pspec)
{
  NetSipResolver *self = NET_SIP_RESOLVER (object);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_RESOLVER:
      g_clear_object (&priv->resolver);
      priv->resolver = g_value_dup_object (value);
      break;
    case PROP_MAX_TARGETS:
      net_sip_resolver_set_max_targets (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_resolver_constructed (GObject *object)
{
  NetSipResolver *self = NET_SIP_RESOLVER (object);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  G_OBJECT_CLASS (net_sip_resolver_parent_class)->constructed (object);
  if (!priv->resolver)
    priv->resolver = g_resolver_get_default ();
}

static void
net_sip_resolver_dispose (GObject *object)
{
  NetSipResolver *self = NET_SIP_RESOLVER (object);
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  g_clear_object (&priv->resolver);
  G_OBJECT_CLASS (net_sip_resolver_parent_class)->dispose (object);
}

static void
net_sip_resolver_class_init (NetSipResolverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->get_property = net_sip_resolver_get_property;
  object_class->set_property = net_sip_resolver_set_property;
  object_class->constructed = net_sip_resolver_constructed;
  object_class->dispose = net_sip_resolver_dispose;

  klass->lookup_naptr_async = net_sip_resolver_real_lookup_naptr_async;
  klass->lookup_naptr_finish = net_sip_resolver_real_lookup_naptr_finish;

  /**
   * NetSipResolver:resolver:
   *
   * The #GResolver for SRV and A/AAAA records. Set at construction;
   * %NULL there means g_resolver_get_default() at that time.
   *
   * Since: 1.0
   */
  props[PROP_RESOLVER] =
    g_param_spec_object ("resolver", NULL, NULL, G_TYPE_RESOLVER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY |
                         G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * NetSipResolver:max-targets:
   *
   * The most targets one lookup returns, and the most SRV names and SRV
   * targets per name it asks about: a bound on the DNS questions a hostile
   * or broken zone can cause (each may take the resolv.conf timeout).
   * Lookups started after a change use the new value.
   *
   * Since: 1.0
   */
  props[PROP_MAX_TARGETS] =
    g_param_spec_uint ("max-targets", NULL, NULL, 1, 1024, DEFAULT_MAX_TARGETS,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, props);
}

static void
net_sip_resolver_init (NetSipResolver *self)
{
  NetSipResolverPrivate *priv = net_sip_resolver_get_instance_private (self);

  priv->max_targets = DEFAULT_MAX_TARGETS;
}

/* ---- public ---- */

/**
 * net_sip_resolver_new:
 * @resolver: (nullable): the #GResolver for SRV and A/AAAA records, or
 *   %NULL for g_resolver_get_default()
 *
 * Makes a resolver. It keeps no state between lookups and may serve any
 * number of them at once.
 *
 * Returns: (transfer full): a new #NetSipResolver
 *
 * Since: 1.0
 */
NetSipResolver *
net_sip_resolver_new (GResolver *resolver)
{
  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);

  return g_object_new (NET_SIP_TYPE_RESOLVER, "resolver", resolver, NULL);
}

/**
 * net_sip_resolver_get_resolver:
 * @self: a #NetSipResolver
 *
 * Gets [property@NetSip.Resolver:resolver].
 *
 * Returns: (transfer none): the #GResolver used for SRV and A/AAAA records
 *
 * Since: 1.0
 */
GResolver *
net_sip_resolver_get_resolver (NetSipResolver *self)
{
  NetSipResolverPrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_RESOLVER (self), NULL);
  priv = net_sip_resolver_get_instance_private (self);
  return priv->resolver;
}

/**
 * net_sip_resolver_get_max_targets:
 * @self: a #NetSipResolver
 *
 * Gets [property@NetSip.Resolver:max-targets].
 *
 * Returns: the most targets one lookup returns
 *
 * Since: 1.0
 */
guint
net_sip_resolver_get_max_targets (NetSipResolver *self)
{
  NetSipResolverPrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_RESOLVER (self), 0);
  priv = net_sip_resolver_get_instance_private (self);
  return priv->max_targets;
}

/**
 * net_sip_resolver_set_max_targets:
 * @self: a #NetSipResolver
 * @max_targets: at least 1
 *
 * Sets [property@NetSip.Resolver:max-targets].
 *
 * Since: 1.0
 */
void
net_sip_resolver_set_max_targets (NetSipResolver *self,
                                  guint           max_targets)
{
  NetSipResolverPrivate *priv;

  g_return_if_fail (NET_SIP_IS_RESOLVER (self));
  g_return_if_fail (max_targets >= 1);
  priv = net_sip_resolver_get_instance_private (self);
  if (priv->max_targets == max_targets)
    return;
  priv->max_targets = max_targets;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_TARGETS]);
}

/* Which transports the URI can use (RFC 3263 §4.1, Net::SIP resolve_uri),
 * restricted and ordered by the caller's list. FALSE with @error if none. */
static gboolean
select_transports (Lookup                 *lookup,
                   NetSipUri              *uri,
                   const NetSipTransport  *allowed,
                   guint                   n_allowed,
                   GError                **error)
{
  NetSipTransport candidates[N_TRANSPORTS];
  guint n_candidates = 0;
  const char *param = net_sip_uri_get_param (uri, "transport");
  NetSipTransport t;

  for (guint i = 0; i < n_allowed; i++)
    if (!transport_in (allowed[i], lookup->allowed, lookup->n_allowed) &&
        lookup->n_allowed < N_TRANSPORTS &&
        (guint) allowed[i] <= NET_SIP_TRANSPORT_TLS)
      lookup->allowed[lookup->n_allowed++] = allowed[i];

  if (lookup->sips)
    {
      /* RFC 3261 §26.2.2: transport=tcp in a SIPS URI means TLS over TCP
       * (transport=tls is the deprecated spelling); anything else cannot
       * carry SIPS. */
      if (param && g_ascii_strcasecmp (param, "tcp") != 0 && g_ascii_strcasecmp (param, "tls") != 0)
        {
          g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                       "%s: transport=%s cannot carry a sips: URI (RFC 3261 §26.2.2)",
                       lookup->uri_text, param);
          return FALSE;
        }
      candidates[n_candidates++] = NET_SIP_TRANSPORT_TLS;
    }
  else if (param)
    {
      if (!net_sip_transport_from_string (param, &t))
        {
          g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                       "%s: transport=%s is not supported", lookup->uri_text, param);
          return FALSE;
        }
      candidates[n_candidates++] = t;
    }
  else
    {
      candidates[n_candidates++] = NET_SIP_TRANSPORT_UDP;
      candidates[n_candidates++] = NET_SIP_TRANSPORT_TCP;
      /* RFC 3263 §4.1: a SIP URI may be reached over TLS when NAPTR offers
       * SIPS+D2T, if the caller can do TLS */
      lookup->naptr_tls = transport_in (NET_SIP_TRANSPORT_TLS, lookup->allowed, lookup->n_allowed);
    }

  if (lookup->n_allowed == 0)
    {
      memcpy (lookup->usable, candidates, n_candidates * sizeof (NetSipTransport));
      lookup->n_usable = n_candidates;
    }
  else
    for (guint i = 0; i < lookup->n_allowed; i++)
      if (transport_in (lookup->allowed[i], candidates, n_candidates))
        lookup->usable[lookup->n_usable++] = lookup->allowed[i];

  /* a SIP URI with only TLS allowed can still be reached through a
   * SIPS+D2T NAPTR record; the numeric and port cases check again */
  if (lookup->n_usable == 0 && !lookup->naptr_tls)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                   "%s: none of the allowed transports can carry it", lookup->uri_text);
      return FALSE;
    }
  return TRUE;
}

/* A lookup of @uri: checks it and picks the transports (RFC 3263 §4.1);
 * a numeric host (§4.2) gets its targets at once and *numeric set. FALSE
 * with @error when @uri cannot be looked up at all. */
static gboolean
lookup_start (Lookup                *lookup,
              NetSipUri             *uri,
              const NetSipTransport *allowed,
              guint                  n_allowed,
              gboolean              *numeric,
              GError               **error)
{
  g_autoptr(GInetAddress) literal = NULL;
  const char *host = net_sip_uri_get_host (uri);

  *numeric = FALSE;
  if (!(net_sip_uri_is_sip (uri) || net_sip_uri_is_sips (uri)) || !host || !*host)
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                   "%s: not a sip: or sips: URI", lookup->uri_text);
      return FALSE;
    }
  lookup->host = g_strdup (host);
  lookup->port = net_sip_uri_get_port (uri);
  lookup->sips = net_sip_uri_is_sips (uri);

  if (!select_transports (lookup, uri, allowed, n_allowed, error))
    return FALSE;

  /* RFC 3263 §4.2: a numeric host is used as it is */
  literal = g_inet_address_new_from_string (host);
  if (lookup->n_usable == 0 && (literal || lookup->port != 0))
    {
      g_set_error (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_NO_ROUTE,
                   "%s: none of the allowed transports can carry it (TLS only "
                   "through a SIPS+D2T NAPTR record)", lookup->uri_text);
      return FALSE;
    }
  if (literal)
    {
      *numeric = TRUE;
      for (guint i = 0; i < lookup->n_usable; i++)
        add_target (lookup, lookup->usable[i], literal,
                    lookup->port ? lookup->port : default_port (lookup->usable[i]));
      note_tried (lookup, "numeric host", host);
    }
  return TRUE;
}

static Lookup *
lookup_new (NetSipResolver *self,
            NetSipUri      *uri)
{
  Lookup *lookup = g_new0 (Lookup, 1);

  lookup->max_targets = net_sip_resolver_get_max_targets (self);
  lookup->uri_text = net_sip_uri_to_string (uri);
  lookup->targets = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_target_unref);
  lookup->tried = g_string_new (NULL);
  return lookup;
}

/**
 * net_sip_resolver_lookup_numeric:
 * @self: a #NetSipResolver
 * @uri: (transfer none): a `sip:` or `sips:` URI
 * @allowed: (array length=n_allowed) (nullable): the transports the caller
 *   can use, most preferred first, or %NULL for UDP then TCP (TLS for a
 *   `sips:` URI)
 * @n_allowed: the length of @allowed
 * @error: return location for a #GError
 *
 * The targets of a URI whose host is an IP address, found without DNS and
 * without waiting (RFC 3263 §4.2: a numeric host is used as it is, with
 * the URI's port or the transport's default, 5060 or 5061): the same list
 * net_sip_resolver_lookup_async() would give, at once. For a host name it
 * returns %NULL and leaves @error unset: the caller then looks it up
 * asynchronously.
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_NO_ROUTE when @uri is not a SIP or SIPS
 * URI or no allowed transport can carry it (the asynchronous lookup would
 * fail the same way).
 *
 * Returns: (transfer container) (element-type NetSipTarget) (nullable):
 *   the targets in the order to try them, or %NULL (a host name, or
 *   @error set)
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_resolver_lookup_numeric (NetSipResolver        *self,
                                 NetSipUri             *uri,
                                 const NetSipTransport *allowed,
                                 guint                  n_allowed,
                                 GError               **error)
{
  Lookup *lookup;
  GPtrArray *targets = NULL;
  gboolean numeric = FALSE;

  g_return_val_if_fail (NET_SIP_IS_RESOLVER (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (allowed != NULL || n_allowed == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  lookup = lookup_new (self, uri);
  if (lookup_start (lookup, uri, allowed, n_allowed, &numeric, error) && numeric &&
      lookup->targets->len > 0)
    {
      sort_by_allowed (lookup);
      targets = g_ptr_array_ref (lookup->targets);
    }
  lookup_free (lookup);
  return targets;
}

/**
 * net_sip_resolver_lookup_async:
 * @self: a #NetSipResolver
 * @uri: (transfer none): a `sip:` or `sips:` URI: the Request-URI, or a
 *   proxy's URI (maddr, outgoing proxies and domain proxies are the
 *   caller's)
 * @allowed: (array length=n_allowed) (nullable): the transports the caller
 *   can use, most preferred first, or %NULL for UDP then TCP (TLS for a
 *   `sips:` URI)
 * @n_allowed: the length of @allowed
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the lookup is done
 * @user_data: data for @callback
 *
 * Finds where a request for @uri can go, in the order to try them (RFC
 * 3263 §4; see #NetSipResolver for the steps). @callback runs on the
 * thread-default main context of the caller; get the result with
 * net_sip_resolver_lookup_finish(). DNS lookups are bounded by the system
 * resolver's timeouts (resolv.conf) and by @cancellable. A caller that
 * cannot wait for a numeric host tries net_sip_resolver_lookup_numeric()
 * first.
 *
 * Since: 1.0
 */
void
net_sip_resolver_lookup_async (NetSipResolver        *self,
                               NetSipUri             *uri,
                               const NetSipTransport *allowed,
                               guint                  n_allowed,
                               GCancellable          *cancellable,
                               GAsyncReadyCallback    callback,
                               gpointer               user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autoptr(GError) error = NULL;
  Lookup *lookup;
  const char *host;
  gboolean numeric = FALSE;

  g_return_if_fail (NET_SIP_IS_RESOLVER (self));
  g_return_if_fail (uri != NULL);
  g_return_if_fail (allowed != NULL || n_allowed == 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, net_sip_resolver_lookup_async);

  lookup = lookup_new (self, uri);
  g_task_set_task_data (task, lookup, lookup_free);

  if (!lookup_start (lookup, uri, allowed, n_allowed, &numeric, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  if (numeric)
    {
      lookup_return (task);
      return;
    }
  host = lookup->host;

  /* §4.2: a port in the URI: A/AAAA only */
  if (lookup->port != 0)
    {
      lookup_fallback_addresses (task);
      return;
    }

  lookup->queries = g_array_new (FALSE, FALSE, sizeof (SrvQuery));
  g_array_set_clear_func (lookup->queries, srv_query_clear);

  /* §4.1: a transport parameter skips NAPTR */
  if (net_sip_uri_get_param (uri, "transport") != NULL)
    {
      add_default_srv_queries (lookup);
      lookup_next_srv (task);
      return;
    }

  note_tried (lookup, "NAPTR", host);
  net_sip_resolver_lookup_naptr_async (self, host, cancellable, naptr_done, g_object_ref (task));
}

/**
 * net_sip_resolver_lookup_finish:
 * @self: a #NetSipResolver
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Errors: %NET_SIP_TRANSPORT_ERROR_NO_ROUTE when the URI is not a SIP or
 * SIPS URI, when no allowed transport can carry it, or when no name
 * resolves (the message lists every name looked up);
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer container) (element-type NetSipTarget): the targets
 *   in the order to try them (RFC 3263 §4.3), never empty, or %NULL with
 *   @error set. The array owns its elements: g_ptr_array_unref() frees
 *   them (annotated transfer container, as the project's other arrays,
 *   so that bindings take their own references).
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_resolver_lookup_finish (NetSipResolver  *self,
                                GAsyncResult    *result,
                                GError         **error)
{
  g_return_val_if_fail (NET_SIP_IS_RESOLVER (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == net_sip_resolver_lookup_async, NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/**
 * net_sip_resolver_lookup_naptr_async: (virtual lookup_naptr_async)
 * @self: a #NetSipResolver
 * @domain: the domain to query
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the query is done
 * @user_data: data for @callback
 *
 * Queries the NAPTR records of @domain (RFC 3403) through the class's
 * `lookup_naptr_async` vfunc: by default libresolv's res_nquery() in a
 * worker thread, bounded by the resolv.conf timeouts; a cancelled query
 * returns at once.
 *
 * Since: 1.0
 */
void
net_sip_resolver_lookup_naptr_async (NetSipResolver      *self,
                                     const char          *domain,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  g_return_if_fail (NET_SIP_IS_RESOLVER (self));
  g_return_if_fail (domain != NULL);

  NET_SIP_RESOLVER_GET_CLASS (self)->lookup_naptr_async (self, domain, cancellable,
                                                         callback, user_data);
}

/**
 * net_sip_resolver_lookup_naptr_finish: (virtual lookup_naptr_finish)
 * @self: a #NetSipResolver
 * @result: the #GAsyncResult passed to the callback
 * @error: return location for a #GError
 *
 * Errors: %G_RESOLVER_ERROR_NOT_FOUND when @domain has no NAPTR records,
 * %G_RESOLVER_ERROR_TEMPORARY_FAILURE when the DNS server did not answer,
 * %G_RESOLVER_ERROR_INTERNAL for a malformed answer, %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (element-type GVariant): the records as
 *   `(qqssss)` tuples (order, preference, flags, services, regexp,
 *   replacement) in the order of the answer, or %NULL with @error set
 *
 * Since: 1.0
 */
GList *
net_sip_resolver_lookup_naptr_finish (NetSipResolver  *self,
                                      GAsyncResult    *result,
                                      GError         **error)
{
  g_return_val_if_fail (NET_SIP_IS_RESOLVER (self), NULL);

  return NET_SIP_RESOLVER_GET_CLASS (self)->lookup_naptr_finish (self, result, error);
}
