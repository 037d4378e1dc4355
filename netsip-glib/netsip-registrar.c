/* netsip-registrar.c: a registrar (RFC 3261 §10.3) as a receiver
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-registrar.h"
#include "netsip-memory-store.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-uri.h"
#include "netsip-error.h"
#include "netsip-random-private.h"

/**
 * NetSipRegistrar:
 *
 * A registrar (RFC 3261 §10.3), Net::SIP's `Net::SIP::Registrar`: a
 * [iface@NetSip.Receiver] that answers `REGISTER` requests and keeps the
 * bindings (address of record → contact addresses) in a
 * [iface@NetSip.LocationStore].
 *
 * What [method@NetSip.Receiver.receive] does with a message:
 *
 * - anything but a `REGISTER` request: returns %FALSE (a receive chain
 *   goes on with its next member);
 * - a REGISTER whose address of record (the To URI, RFC 3261 §10.3 step
 *   5) is not in one of the [property@NetSip.Registrar:domains]: returns
 *   %FALSE, or answers `404 Not Found` when
 *   [property@NetSip.Registrar:reject-foreign-domains] is set. The
 *   Request-URI is not compared: clients usually send it to the
 *   registrar's address, not to the domain name (Net::SIP does the same);
 * - otherwise it answers the REGISTER itself and returns %TRUE.
 *
 * The processing of RFC 3261 §10.3:
 *
 * - step 2: a `Require` header names an extension the registrar does not
 *   have: `420 Bad Extension` with `Unsupported`;
 * - step 5: the address of record is the To URI in canonical form
 *   (net_sip_registrar_canonical_aor()); a To that is not a SIP or SIPS
 *   URI gets `404`;
 * - step 6: no Contact: a query, answered with the current bindings; it
 *   never changes them. `Contact: *` is accepted only alone and with
 *   `Expires: 0` (and no `expires` parameter): it removes every binding,
 *   otherwise `400`;
 * - step 7: per contact, the expiry is its `expires` parameter, else the
 *   `Expires` header, else [property@NetSip.Registrar:default-expires];
 *   a non-zero value below [property@NetSip.Registrar:min-expires] (and
 *   below one hour, as §10.3 step 7 allows) gets `423 Interval Too Brief`
 *   with `Min-Expires` (§20.23), one above
 *   [property@NetSip.Registrar:max-expires] is lowered to it. An existing binding (contact URIs compared by §19.1.4)
 *   with the same Call-ID and a CSeq at or above the request's makes the
 *   whole request fail with `500` and change nothing; a new Call-ID
 *   replaces the binding. Expiry 0 removes it. The changes of one
 *   REGISTER are stored at once (net_sip_location_store_set_bindings())
 *   or not at all; more than [property@NetSip.Registrar:max-bindings]
 *   bindings for one address of record get `403`;
 * - step 8: the `200 OK` lists every current binding of the address of
 *   record with its remaining time in an `expires` parameter, its `q` and
 *   its other parameters, and carries a `Date` header (§20.17).
 *
 * A malformed Contact, Expires, `expires` or `q` gets `400`; an expiry
 * of digits beyond 2^32-1 counts as 2^32-1 (and is then lowered to the
 * maximum). A store that
 * fails to write gets `500` and no binding is acknowledged: the `200` is
 * sent only after the store returned (with [class@NetSip.SqliteStore]:
 * after the commit is on disk).
 *
 * Authentication is not the registrar's job: put a
 * [class@NetSip.Authorizer] in front of it.
 *
 * Proxies and [class@NetSip.Redirect] find the contacts of an address of
 * record with net_sip_registrar_lookup(). Expired bindings are never
 * returned, and are removed from the store every
 * [property@NetSip.Registrar:expire-interval] seconds.
 *
 * Counters: [property@NetSip.Registrar:registered-requests],
 * [property@NetSip.Registrar:query-requests],
 * [property@NetSip.Registrar:rejected-requests].
 *
 * The registrar keeps a weak reference to its dispatcher.
 *
 * Since: 1.0
 */

#define DEFAULT_MIN_EXPIRES     60
#define DEFAULT_MAX_EXPIRES     7200
#define DEFAULT_DEFAULT_EXPIRES 3600   /* RFC 3261 §10.2.1.1 suggests one hour */
#define DEFAULT_MAX_BINDINGS    32
#define DEFAULT_EXPIRE_INTERVAL 60

struct _NetSipRegistrar
{
  GObject              parent_instance;

  NetSipDispatcher    *dispatcher;   /* weak */
  NetSipLocationStore *store;
  GStrv                domains;      /* NULL: every domain */
  gboolean             reject_foreign;
  guint                min_expires;
  guint                max_expires;
  guint                default_expires;
  guint                max_bindings;
  guint                expire_interval;
  guint                expire_timer;

  guint64              n_registered;
  guint64              n_queries;
  guint64              n_rejected;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_STORE,
  PROP_DOMAINS,
  PROP_REJECT_FOREIGN_DOMAINS,
  PROP_MIN_EXPIRES,
  PROP_MAX_EXPIRES,
  PROP_DEFAULT_EXPIRES,
  PROP_MAX_BINDINGS,
  PROP_EXPIRE_INTERVAL,
  PROP_REGISTERED_REQUESTS,
  PROP_QUERY_REQUESTS,
  PROP_REJECTED_REQUESTS,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_BINDINGS_CHANGED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_registrar_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipRegistrar, net_sip_registrar, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_registrar_receiver_init))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static gint64
now_seconds (void)
{
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
response_sent (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("registrar: response not sent: %s", error->message);
}

static NetSipResponse *
make_response (NetSipRequest *request,
               guint          code,
               const char    *reason)
{
  g_autofree char *tag = net_sip_random_token (NULL, 2, NULL);

  /* a UAS adds a To tag (RFC 3261 §8.2.6.2) */
  return net_sip_request_create_response (request, code, reason, tag);
}

static void
send_response (NetSipRegistrar *self,
               NetSipResponse  *response)
{
  if (self->dispatcher == NULL)
    return;
  if (net_sip_message_get_header (NET_SIP_MESSAGE (response), "Content-Length") == NULL)
    net_sip_message_add_header (NET_SIP_MESSAGE (response), "Content-Length", "0");
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), NULL, NULL,
                                    response_sent, NULL);
}

static void
reject (NetSipRegistrar *self,
        NetSipRequest   *request,
        guint            code,
        const char      *reason,
        const char      *why)
{
  g_autoptr(NetSipResponse) response = make_response (request, code, reason);

  g_debug ("registrar: %s: answering %u", why, code);
  self->n_rejected++;
  send_response (self, response);
}

/* RFC 3261 §20.17: rfc1123-date, always GMT */
static char *
http_date (gint64 now)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc (now);
  static const char *const days[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
  static const char *const months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };

  /* not %a/%b: those follow the locale */
  return g_strdup_printf ("%s, %02d %s %04d %02d:%02d:%02d GMT",
                          days[g_date_time_get_day_of_week (t) - 1],
                          g_date_time_get_day_of_month (t),
                          months[g_date_time_get_month (t) - 1],
                          g_date_time_get_year (t), g_date_time_get_hour (t),
                          g_date_time_get_minute (t), g_date_time_get_second (t));
}

static void
append_q (GString *s,
          gdouble  q)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  /* qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ) */
  g_ascii_formatd (buf, sizeof buf, "%.3g", q);
  g_string_append_printf (s, ";q=%s", buf);
}

/* 200 OK listing @bindings (RFC 3261 §10.3 step 8) */
static void
send_bindings (NetSipRegistrar *self,
               NetSipRequest   *request,
               GPtrArray       *bindings,
               gint64           now)
{
  g_autoptr(NetSipResponse) response = make_response (request, 200, NULL);
  NetSipMessage *m = NET_SIP_MESSAGE (response);
  g_autofree char *date = http_date (now);
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < bindings->len; i++)
    {
      NetSipBinding *b = g_ptr_array_index (bindings, i);
      g_string_truncate (s, 0);
      g_string_append_printf (s, "<%s>;expires=%" G_GINT64_FORMAT, net_sip_binding_get_contact (b),
                              net_sip_binding_get_remaining (b, now));
      if (net_sip_binding_get_q (b) >= 0)
        append_q (s, net_sip_binding_get_q (b));
      if (net_sip_binding_get_params (b))
        g_string_append (s, net_sip_binding_get_params (b));
      net_sip_message_add_header (m, "Contact", s->str);
    }
  g_string_free (s, TRUE);
  net_sip_message_add_header (m, "Date", date);
  send_response (self, response);
}

/* "=value": as it came when it is a token or host (RFC 3261 §25.1
 * gen-value), quoted again otherwise (the parser returns quoted-strings
 * without their quotes: +sip.instance="<urn:uuid:...>") */
static void
append_gen_value (GString    *s,
                  const char *value)
{
  gboolean plain = value[0] != '\0';

  for (const char *p = value; *p && plain; p++)
    plain = g_ascii_isalnum (*p) || strchr ("-.!%*_+`'~[]:", *p) != NULL;
  g_string_append_c (s, '=');
  if (plain)
    {
      g_string_append (s, value);
      return;
    }
  g_string_append_c (s, '"');
  for (const char *p = value; *p; p++)
    {
      if (*p == '"' || *p == '\\')
        g_string_append_c (s, '\\');
      g_string_append_c (s, *p);
    }
  g_string_append_c (s, '"');
}

/* The Contact parameters other than expires and q, as ";name=value" */
static char *
other_params (const NetSipNameAddr *contact)
{
  GString *s = NULL;
  guint n = net_sip_name_addr_get_n_params (contact);

  for (guint i = 0; i < n; i++)
    {
      const char *value = NULL;
      const char *name = net_sip_name_addr_get_param_nth (contact, i, &value);
      if (g_ascii_strcasecmp (name, "expires") == 0 || g_ascii_strcasecmp (name, "q") == 0)
        continue;
      if (s == NULL)
        s = g_string_new (NULL);
      g_string_append_printf (s, ";%s", name);
      if (value)
        append_gen_value (s, value);
    }
  return s ? g_string_free (s, FALSE) : NULL;
}

/* A delta-seconds the parser refused (-1): all digits but beyond 2^32-1
 * is the largest value (RFC 3261 §20.19: "(2**32)-1"; max-expires clamps
 * it anyway), anything else malformed (-1) */
static gint64
large_delta_seconds (const char *text)
{
  gsize n = 0;

  if (text == NULL)
    return -1;
  while (*text == ' ' || *text == '\t')
    text++;
  while (g_ascii_isdigit (text[n]))
    n++;
  if (n == 0)
    return -1;
  for (const char *p = text + n; *p; p++)
    if (*p != ' ' && *p != '\t')
      return -1;
  return G_MAXUINT32;
}

/* The binding in @list whose contact is @uri (RFC 3261 §19.1.4), or -1 */
static gint
find_contact (GPtrArray       *list,
              const NetSipUri *uri)
{
  for (guint i = 0; i < list->len; i++)
    {
      NetSipBinding *b = g_ptr_array_index (list, i);
      g_autoptr(NetSipUri) other = net_sip_uri_parse (net_sip_binding_get_contact (b), -1, NULL);
      if (other && net_sip_uri_equal (other, uri))
        return (gint) i;
    }
  return -1;
}

static gboolean
expire_timer_fired (NetSipDispatcher *dispatcher,
                    gpointer          user_data)
{
  NetSipRegistrar *self = user_data;
  g_autoptr(GError) error = NULL;

  if (net_sip_registrar_expire (self, &error) < 0)
    g_warning ("registrar: removing expired bindings failed: %s", error->message);
  return G_SOURCE_CONTINUE;
}

static void
restart_expire_timer (NetSipRegistrar *self)
{
  if (self->expire_timer && self->dispatcher)
    net_sip_dispatcher_cancel_timer (self->dispatcher, self->expire_timer);
  self->expire_timer = 0;
  if (self->dispatcher && self->expire_interval > 0)
    self->expire_timer = net_sip_dispatcher_add_timer (self->dispatcher, self->expire_interval,
                                                       self->expire_interval, expire_timer_fired,
                                                       self, NULL);
}

/* ------------------------------------------------------------------ */
/* REGISTER (RFC 3261 §10.3)                                           */

/* RFC 3261 §10.3 step 6/7 for a REGISTER with Contacts; answers it */
static void
update_bindings (NetSipRegistrar *self,
                 NetSipRequest   *request,
                 const char      *aor,
                 GPtrArray       *contacts,
                 GPtrArray       *current,
                 gint64           header_expires,
                 gint64           now)
{
  NetSipMessage *m = NET_SIP_MESSAGE (request);
  const char *call_id = net_sip_message_get_call_id (m);
  guint32 cseq = net_sip_message_get_cseq_number (m);
  g_autoptr(GPtrArray) updated = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_binding_unref);
  g_autoptr(GHashTable) from_request = g_hash_table_new (NULL, NULL);
  g_autoptr(GError) error = NULL;

  if (call_id == NULL)
    call_id = "";
  for (guint i = 0; i < current->len; i++)
    g_ptr_array_add (updated, net_sip_binding_ref (g_ptr_array_index (current, i)));

  /* wildcard: alone, with Expires: 0 and no expires parameter (§10.2.2) */
  for (guint i = 0; i < contacts->len; i++)
    {
      NetSipNameAddr *c = g_ptr_array_index (contacts, i);
      if (!net_sip_name_addr_is_wildcard (c))
        continue;
      if (contacts->len != 1 || header_expires != 0 || net_sip_name_addr_has_param (c, "expires"))
        {
          reject (self, request, 400, "Invalid Wildcard Contact",
                  "Contact: * needs to be alone and with Expires: 0");
          return;
        }
      /* §10.3 step 7: a binding of this Call-ID with a CSeq at or above
       * the request's aborts the request */
      for (guint j = 0; j < current->len; j++)
        {
          NetSipBinding *b = g_ptr_array_index (current, j);
          if (strcmp (net_sip_binding_get_call_id (b), call_id) == 0 &&
              cseq <= net_sip_binding_get_cseq (b))
            {
              reject (self, request, 500, "Out of Order", "CSeq not higher than the binding's");
              return;
            }
        }
      g_ptr_array_set_size (updated, 0);
      goto store;
    }

  for (guint i = 0; i < contacts->len; i++)
    {
      NetSipNameAddr *c = g_ptr_array_index (contacts, i);
      g_autoptr(NetSipUri) uri = net_sip_name_addr_get_uri (c, NULL);
      gint64 expires = net_sip_name_addr_get_expires (c);
      gdouble q = net_sip_name_addr_get_q (c);
      g_autofree char *params = NULL;
      NetSipBinding *b;
      gint found;

      if (uri == NULL)
        {
          reject (self, request, 400, "Invalid Contact", "Contact URI not parsed");
          return;
        }
      if (expires < 0 && net_sip_name_addr_has_param (c, "expires"))
        expires = large_delta_seconds (net_sip_name_addr_get_param (c, "expires"));
      if (expires < 0 && net_sip_name_addr_has_param (c, "expires"))
        {
          reject (self, request, 400, "Invalid Contact Expires", "Contact expires parameter");
          return;
        }
      if (q < 0 && net_sip_name_addr_has_param (c, "q"))
        {
          reject (self, request, 400, "Invalid Contact q", "Contact q parameter");
          return;
        }
      if (expires < 0)
        expires = header_expires >= 0 ? header_expires : self->default_expires;
      /* §10.3 step 7: "if and only if the requested expiration interval
       * is greater than zero AND smaller than one hour AND less than a
       * registrar-configured minimum" */
      if (expires > 0 && expires < 3600 && expires < self->min_expires)
        {
          g_autoptr(NetSipResponse) response = make_response (request, 423, NULL);
          g_autofree char *min = g_strdup_printf ("%u", self->min_expires);
          net_sip_message_add_header (NET_SIP_MESSAGE (response), "Min-Expires", min);
          g_debug ("registrar: expires %" G_GINT64_FORMAT " < %u: answering 423", expires,
                   self->min_expires);
          self->n_rejected++;
          send_response (self, response);
          return;
        }
      if (expires > self->max_expires)
        expires = self->max_expires;

      found = find_contact (updated, uri);
      if (found >= 0)
        {
          NetSipBinding *old = g_ptr_array_index (updated, found);
          if (!g_hash_table_contains (from_request, old) &&
              strcmp (net_sip_binding_get_call_id (old), call_id) == 0 &&
              cseq <= net_sip_binding_get_cseq (old))
            {
              reject (self, request, 500, "Out of Order", "CSeq not higher than the binding's");
              return;
            }
          g_hash_table_remove (from_request, old);
          g_ptr_array_remove_index (updated, found);
        }
      if (expires == 0)
        continue;
      b = net_sip_binding_new (aor, net_sip_name_addr_get_uri_string (c), now + expires, q,
                               call_id, cseq);
      params = other_params (c);
      net_sip_binding_set_params (b, params);
      g_ptr_array_add (updated, b);
      g_hash_table_add (from_request, b);
    }

  if (updated->len > self->max_bindings)
    {
      reject (self, request, 403, "Too Many Bindings", "more bindings than max-bindings");
      return;
    }

store:
  if (!net_sip_location_store_set_bindings (self->store, aor, updated, &error))
    {
      g_warning ("registrar: storing the bindings of %s failed: %s", aor, error->message);
      reject (self, request, 500, "Location Store Failed", error->message);
      return;
    }
  self->n_registered++;
  g_ptr_array_sort (updated, net_sip_binding_compare_q);
  send_bindings (self, request, updated, now);
  g_signal_emit (self, signals[SIG_BINDINGS_CHANGED], 0, aor);
}

static gboolean
net_sip_registrar_receive (NetSipReceiver   *receiver,
                           NetSipMessage    *message,
                           NetSipLeg        *leg,
                           NetSipSourceInfo *source)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (receiver);
  g_autoptr(NetSipRegistrar) keep = g_object_ref (self);
  NetSipRequest *request;
  NetSipNameAddr *to;
  g_autoptr(NetSipUri) to_uri = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) current = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *aor = NULL;
  const char *expires_header;
  gint64 header_expires = -1;
  gint64 now;

  if (!net_sip_message_is_request (message) ||
      strcmp (net_sip_message_get_method (message), "REGISTER") != 0)
    return FALSE;
  request = NET_SIP_REQUEST (message);

  to = net_sip_message_get_to (message, &error);
  if (to == NULL)
    {
      reject (self, request, 400, "Invalid To", error ? error->message : "no To header");
      return TRUE;
    }
  to_uri = net_sip_name_addr_get_uri (to, NULL);
  if (to_uri == NULL || net_sip_uri_get_host (to_uri) == NULL)
    {
      /* §10.3 step 5: not a valid address of record */
      reject (self, request, 404, NULL, "To is not a SIP URI");
      return TRUE;
    }
  if (!net_sip_registrar_serves_domain (self, net_sip_uri_get_host (to_uri)))
    {
      if (!self->reject_foreign)
        return FALSE;
      reject (self, request, 404, "Domain Not Served", "foreign domain");
      return TRUE;
    }
  aor = net_sip_registrar_canonical_aor (net_sip_name_addr_get_uri_string (to), NULL);
  if (aor == NULL)
    {
      reject (self, request, 404, NULL, "To is not a SIP URI");
      return TRUE;
    }

  /* §10.3 step 2: we know no extension that a REGISTER may require */
  if (net_sip_message_get_header (message, "Require"))
    {
      g_autoptr(NetSipResponse) response = make_response (request, 420, NULL);
      g_auto(GStrv) required = net_sip_message_get_headers (message, "Require");
      for (guint i = 0; required[i]; i++)
        net_sip_message_add_header (NET_SIP_MESSAGE (response), "Unsupported", required[i]);
      self->n_rejected++;
      send_response (self, response);
      return TRUE;
    }

  contacts = net_sip_message_get_contacts (message, &error);
  if (contacts == NULL)
    {
      reject (self, request, 400, "Invalid Contact", error->message);
      return TRUE;
    }
  expires_header = net_sip_message_get_header (message, "Expires");
  if (expires_header)
    {
      header_expires = net_sip_message_get_expires (message);
      if (header_expires < 0)
        header_expires = large_delta_seconds (expires_header);
      if (header_expires < 0)
        {
          reject (self, request, 400, "Invalid Expires", "Expires header");
          return TRUE;
        }
    }

  now = now_seconds ();
  current = net_sip_location_store_lookup (self->store, aor, now, &error);
  if (current == NULL)
    {
      g_warning ("registrar: reading the bindings of %s failed: %s", aor, error->message);
      reject (self, request, 500, "Location Store Failed", error->message);
      return TRUE;
    }

  if (contacts->len == 0)
    {
      /* §10.3 step 6: a query; it changes nothing */
      self->n_queries++;
      send_bindings (self, request, current, now);
      return TRUE;
    }
  update_bindings (self, request, aor, contacts, current, header_expires, now);
  return TRUE;
}

static void
net_sip_registrar_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_registrar_receive;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
set_dispatcher (NetSipRegistrar  *self,
                NetSipDispatcher *dispatcher)
{
  if (self->dispatcher)
    {
      if (self->expire_timer)
        net_sip_dispatcher_cancel_timer (self->dispatcher, self->expire_timer);
      self->expire_timer = 0;
      g_object_remove_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
    }
  self->dispatcher = dispatcher;
  if (self->dispatcher)
    g_object_add_weak_pointer (G_OBJECT (self->dispatcher), (gpointer *) &self->dispatcher);
}

static void
net_sip_registrar_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;
    case PROP_STORE:
      g_value_set_object (value, self->store);
      break;
    case PROP_DOMAINS:
      g_value_set_boxed (value, self->domains);
      break;
    case PROP_REJECT_FOREIGN_DOMAINS:
      g_value_set_boolean (value, self->reject_foreign);
      break;
    case PROP_MIN_EXPIRES:
      g_value_set_uint (value, self->min_expires);
      break;
    case PROP_MAX_EXPIRES:
      g_value_set_uint (value, self->max_expires);
      break;
    case PROP_DEFAULT_EXPIRES:
      g_value_set_uint (value, self->default_expires);
      break;
    case PROP_MAX_BINDINGS:
      g_value_set_uint (value, self->max_bindings);
      break;
    case PROP_EXPIRE_INTERVAL:
      g_value_set_uint (value, self->expire_interval);
      break;
    case PROP_REGISTERED_REQUESTS:
      g_value_set_uint64 (value, self->n_registered);
      break;
    case PROP_QUERY_REQUESTS:
      g_value_set_uint64 (value, self->n_queries);
      break;
    case PROP_REJECTED_REQUESTS:
      g_value_set_uint64 (value, self->n_rejected);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_uint (NetSipRegistrar *self,
          guint           *field,
          guint            value,
          guint            prop)
{
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
net_sip_registrar_set_property (GObject      *object,
                                guint         prop_id,
                                const GValue *value,
                                GParamSpec   *pspec)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      set_dispatcher (self, g_value_get_object (value));
      break;
    case PROP_STORE:
      g_clear_object (&self->store);
      self->store = g_value_dup_object (value);
      break;
    case PROP_DOMAINS:
      net_sip_registrar_set_domains (self, g_value_get_boxed (value));
      break;
    case PROP_REJECT_FOREIGN_DOMAINS:
      if (self->reject_foreign != g_value_get_boolean (value))
        {
          self->reject_foreign = g_value_get_boolean (value);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    case PROP_MIN_EXPIRES:
      set_uint (self, &self->min_expires, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_EXPIRES:
      set_uint (self, &self->max_expires, g_value_get_uint (value), prop_id);
      break;
    case PROP_DEFAULT_EXPIRES:
      set_uint (self, &self->default_expires, g_value_get_uint (value), prop_id);
      break;
    case PROP_MAX_BINDINGS:
      set_uint (self, &self->max_bindings, g_value_get_uint (value), prop_id);
      break;
    case PROP_EXPIRE_INTERVAL:
      if (self->expire_interval != g_value_get_uint (value))
        {
          self->expire_interval = g_value_get_uint (value);
          restart_expire_timer (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_registrar_constructed (GObject *object)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (object);

  G_OBJECT_CLASS (net_sip_registrar_parent_class)->constructed (object);
  if (self->store == NULL)
    self->store = NET_SIP_LOCATION_STORE (net_sip_memory_store_new ());
  restart_expire_timer (self);
}

static void
net_sip_registrar_dispose (GObject *object)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (object);

  set_dispatcher (self, NULL);
  G_OBJECT_CLASS (net_sip_registrar_parent_class)->dispose (object);
}

static void
net_sip_registrar_finalize (GObject *object)
{
  NetSipRegistrar *self = NET_SIP_REGISTRAR (object);

  g_clear_object (&self->store);
  g_strfreev (self->domains);
  G_OBJECT_CLASS (net_sip_registrar_parent_class)->finalize (object);
}

static void
net_sip_registrar_class_init (NetSipRegistrarClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  const GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  const GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->get_property = net_sip_registrar_get_property;
  object_class->set_property = net_sip_registrar_set_property;
  object_class->constructed = net_sip_registrar_constructed;
  object_class->dispose = net_sip_registrar_dispose;
  object_class->finalize = net_sip_registrar_finalize;

  /**
   * NetSipRegistrar:dispatcher:
   *
   * The dispatcher the responses are sent through (a weak reference).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipRegistrar:store:
   *
   * Where the bindings are kept; a new [class@NetSip.MemoryStore] when
   * none is given.
   *
   * Since: 1.0
   */
  props[PROP_STORE] =
    g_param_spec_object ("store", NULL, NULL, NET_SIP_TYPE_LOCATION_STORE,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS |
                         G_PARAM_EXPLICIT_NOTIFY);
  /**
   * NetSipRegistrar:domains:
   *
   * The domains whose addresses of record the registrar keeps (host
   * names compared without case); %NULL or empty: every domain.
   *
   * Since: 1.0
   */
  props[PROP_DOMAINS] =
    g_param_spec_boxed ("domains", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipRegistrar:reject-foreign-domains:
   *
   * What a REGISTER for a domain not in
   * [property@NetSip.Registrar:domains] gets: %FALSE (the default, as in
   * Net::SIP): [method@NetSip.Receiver.receive] returns %FALSE, so that a
   * receive chain passes it on (to a proxy); %TRUE: `404 Not Found`
   * (RFC 3261 §10.3 step 5).
   *
   * Since: 1.0
   */
  props[PROP_REJECT_FOREIGN_DOMAINS] =
    g_param_spec_boolean ("reject-foreign-domains", NULL, NULL, FALSE, rw);
  /**
   * NetSipRegistrar:min-expires:
   *
   * The shortest registration in seconds; a non-zero shorter one gets
   * `423 Interval Too Brief` with this value in `Min-Expires` (RFC 3261
   * §10.3 step 7, §20.23).
   *
   * Since: 1.0
   */
  props[PROP_MIN_EXPIRES] =
    g_param_spec_uint ("min-expires", NULL, NULL, 0, G_MAXINT32, DEFAULT_MIN_EXPIRES, rw);
  /**
   * NetSipRegistrar:max-expires:
   *
   * The longest registration in seconds; longer requests are shortened
   * to it (RFC 3261 §10.3 step 7).
   *
   * Since: 1.0
   */
  props[PROP_MAX_EXPIRES] =
    g_param_spec_uint ("max-expires", NULL, NULL, 1, G_MAXINT32, DEFAULT_MAX_EXPIRES, rw);
  /**
   * NetSipRegistrar:default-expires:
   *
   * The registration time in seconds when a Contact has no `expires`
   * parameter and the request no `Expires` header (RFC 3261 §10.3 step
   * 7), then limited by the minimum and maximum.
   *
   * Since: 1.0
   */
  props[PROP_DEFAULT_EXPIRES] =
    g_param_spec_uint ("default-expires", NULL, NULL, 1, G_MAXINT32, DEFAULT_DEFAULT_EXPIRES, rw);
  /**
   * NetSipRegistrar:max-bindings:
   *
   * The most bindings one address of record may have; a REGISTER that
   * would make more gets `403`.
   *
   * Since: 1.0
   */
  props[PROP_MAX_BINDINGS] =
    g_param_spec_uint ("max-bindings", NULL, NULL, 1, G_MAXUINT, DEFAULT_MAX_BINDINGS, rw);
  /**
   * NetSipRegistrar:expire-interval:
   *
   * Every how many seconds expired bindings are removed from the store
   * (a dispatcher timer); 0: never (lookups skip them anyway).
   *
   * Since: 1.0
   */
  props[PROP_EXPIRE_INTERVAL] =
    g_param_spec_uint ("expire-interval", NULL, NULL, 0, G_MAXINT32, DEFAULT_EXPIRE_INTERVAL, rw);
  /**
   * NetSipRegistrar:registered-requests:
   *
   * REGISTER requests with contacts answered with `200` (notify is not
   * emitted).
   *
   * Since: 1.0
   */
  props[PROP_REGISTERED_REQUESTS] =
    g_param_spec_uint64 ("registered-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRegistrar:query-requests:
   *
   * REGISTER requests without Contact (queries) answered with `200`
   * (notify is not emitted).
   *
   * Since: 1.0
   */
  props[PROP_QUERY_REQUESTS] =
    g_param_spec_uint64 ("query-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipRegistrar:rejected-requests:
   *
   * REGISTER requests answered with an error (4xx, 5xx) (notify is not
   * emitted).
   *
   * Since: 1.0
   */
  props[PROP_REJECTED_REQUESTS] =
    g_param_spec_uint64 ("rejected-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipRegistrar::bindings-changed:
   * @self: the registrar
   * @aor: the canonical address of record
   *
   * Emitted after a REGISTER with contacts was stored and its `200`
   * handed to the dispatcher.
   *
   * Since: 1.0
   */
  signals[SIG_BINDINGS_CHANGED] =
    g_signal_new ("bindings-changed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
net_sip_registrar_init (NetSipRegistrar *self)
{
  self->min_expires = DEFAULT_MIN_EXPIRES;
  self->max_expires = DEFAULT_MAX_EXPIRES;
  self->default_expires = DEFAULT_DEFAULT_EXPIRES;
  self->max_bindings = DEFAULT_MAX_BINDINGS;
  self->expire_interval = DEFAULT_EXPIRE_INTERVAL;
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_registrar_new:
 * @dispatcher: the dispatcher that sends the responses
 * @store: (nullable): where to keep the bindings; %NULL for a new
 *   [class@NetSip.MemoryStore]
 *
 * Creates a registrar. It does not install itself: set it with
 * [method@NetSip.Dispatcher.set_receiver] or put it into a chain.
 *
 * Returns: (transfer full): a new registrar
 *
 * Since: 1.0
 */
NetSipRegistrar *
net_sip_registrar_new (NetSipDispatcher    *dispatcher,
                       NetSipLocationStore *store)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);
  g_return_val_if_fail (store == NULL || NET_SIP_IS_LOCATION_STORE (store), NULL);

  return g_object_new (NET_SIP_TYPE_REGISTRAR, "dispatcher", dispatcher, "store", store, NULL);
}

/**
 * net_sip_registrar_get_dispatcher:
 * @self: a #NetSipRegistrar
 *
 * Gets the dispatcher the registrar answers on.
 *
 * Returns: (transfer none) (nullable): the dispatcher, %NULL once it is gone
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_registrar_get_dispatcher (NetSipRegistrar *self)
{
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), NULL);
  return self->dispatcher;
}

/**
 * net_sip_registrar_get_store:
 * @self: a #NetSipRegistrar
 *
 * Gets the location store of the bindings.
 *
 * Returns: (transfer none): the location store
 *
 * Since: 1.0
 */
NetSipLocationStore *
net_sip_registrar_get_store (NetSipRegistrar *self)
{
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), NULL);
  return self->store;
}

/**
 * net_sip_registrar_set_domains:
 * @self: a #NetSipRegistrar
 * @domains: (nullable) (array zero-terminated=1): the served domains, or
 *   %NULL for all
 *
 * Sets [property@NetSip.Registrar:domains].
 *
 * Since: 1.0
 */
void
net_sip_registrar_set_domains (NetSipRegistrar    *self,
                               const char * const *domains)
{
  g_return_if_fail (NET_SIP_IS_REGISTRAR (self));

  if (self->domains == NULL && domains == NULL)
    return;
  if (self->domains && domains && g_strv_equal ((const char * const *) self->domains, domains))
    return;
  g_strfreev (self->domains);
  self->domains = (domains && domains[0]) ? g_strdupv ((char **) domains) : NULL;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DOMAINS]);
}

/**
 * net_sip_registrar_get_domains:
 * @self: a #NetSipRegistrar
 *
 * Gets the domains the registrar serves
 * ([property@NetSip.Registrar:domains]).
 *
 * Returns: (transfer none) (nullable) (array zero-terminated=1): the served
 *   domains, %NULL for all
 *
 * Since: 1.0
 */
const char * const *
net_sip_registrar_get_domains (NetSipRegistrar *self)
{
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), NULL);
  return (const char * const *) self->domains;
}

/**
 * net_sip_registrar_serves_domain:
 * @self: a #NetSipRegistrar
 * @host: a host name or address
 *
 * Tells whether the registrar accepts registrations for @host.
 *
 * Returns: whether @host is one of [property@NetSip.Registrar:domains]
 *   (compared without case), or the registrar serves every domain
 *
 * Since: 1.0
 */
gboolean
net_sip_registrar_serves_domain (NetSipRegistrar *self,
                                 const char      *host)
{
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), FALSE);
  g_return_val_if_fail (host != NULL, FALSE);

  if (self->domains == NULL)
    return TRUE;
  for (guint i = 0; self->domains[i]; i++)
    if (g_ascii_strcasecmp (self->domains[i], host) == 0)
      return TRUE;
  return FALSE;
}

/**
 * net_sip_registrar_canonical_aor:
 * @uri: a SIP or SIPS URI (a To URI, a Request-URI)
 * @error: return location for a #GError
 *
 * The canonical address of record of @uri (RFC 3261 §10.3 step 5): scheme,
 * user and host (and port when given) without URI parameters or headers,
 * the user part unescaped, scheme and host in lower case:
 * `sip:Alice@Example.COM;transport=tcp` → `sip:Alice@example.com`. The
 * registrar indexes its bindings by it.
 *
 * Errors: %NET_SIP_PARSE_ERROR_URI (not parsed, or not a SIP or SIPS URI).
 *
 * Returns: (transfer full) (nullable): the address of record, or %NULL
 *
 * Since: 1.0
 */
char *
net_sip_registrar_canonical_aor (const char  *uri,
                                 GError     **error)
{
  g_autoptr(NetSipUri) parsed = NULL;
  g_autofree char *scheme = NULL;
  g_autofree char *host = NULL;
  g_autofree char *user = NULL;
  GString *s;

  g_return_val_if_fail (uri != NULL, NULL);

  parsed = net_sip_uri_parse (uri, -1, error);
  if (parsed == NULL)
    return NULL;
  if (!net_sip_uri_is_sip (parsed) && !net_sip_uri_is_sips (parsed))
    {
      g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI,
                   "'%s' is not a SIP or SIPS URI", uri);
      return NULL;
    }
  scheme = g_ascii_strdown (net_sip_uri_get_scheme (parsed), -1);
  host = g_ascii_strdown (net_sip_uri_get_host (parsed), -1);
  if (net_sip_uri_get_user (parsed))
    {
      g_autofree char *raw = g_strndup (net_sip_uri_get_user (parsed),
                                        net_sip_uri_get_user_length (parsed));
      user = g_uri_unescape_string (raw, NULL);
      if (user == NULL)
        user = g_steal_pointer (&raw);
    }
  s = g_string_new (scheme);
  g_string_append_c (s, ':');
  if (user)
    g_string_append_printf (s, "%s@", user);
  if (net_sip_uri_host_is_ipv6 (parsed) && host[0] != '[')
    g_string_append_printf (s, "[%s]", host);
  else
    g_string_append (s, host);
  if (net_sip_uri_get_port (parsed))
    g_string_append_printf (s, ":%u", net_sip_uri_get_port (parsed));
  return g_string_free (s, FALSE);
}

/**
 * net_sip_registrar_lookup:
 * @self: a #NetSipRegistrar
 * @uri: an address of record, in any form net_sip_registrar_canonical_aor()
 *   takes (a Request-URI for a proxy)
 * @error: return location for a #GError
 *
 * The current bindings of @uri for a proxy or redirect server (RFC 3261
 * §16.5: the targets of a request for a domain the proxy is responsible
 * for), most preferred first: higher `q` first, a binding without `q`
 * counting as 1.0. Expired bindings are not returned. Domains are not
 * checked: a URI of another domain has no bindings.
 *
 * Errors: %NET_SIP_PARSE_ERROR_URI (not a SIP or SIPS URI),
 * %NET_SIP_LOCATION_STORE_ERROR_IO (the store failed).
 *
 * Returns: (transfer container) (element-type NetSipBinding) (nullable):
 *   the bindings, empty when none, %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_registrar_lookup (NetSipRegistrar  *self,
                          const char       *uri,
                          GError          **error)
{
  g_autofree char *aor = NULL;

  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  aor = net_sip_registrar_canonical_aor (uri, error);
  if (aor == NULL)
    return NULL;
  return net_sip_location_store_lookup (self->store, aor, now_seconds (), error);
}

/**
 * net_sip_registrar_lookup_contacts:
 * @self: a #NetSipRegistrar
 * @uri: an address of record, in any form net_sip_registrar_canonical_aor()
 *   takes
 * @error: return location for a #GError
 *
 * The contact URIs of net_sip_registrar_lookup(), in the same order (most
 * preferred first): the targets a proxy forwards to (RFC 3261 §16.5).
 *
 * Errors: as net_sip_registrar_lookup().
 *
 * Returns: (transfer full) (array zero-terminated=1) (nullable): the
 *   contacts, empty when none, %NULL on error
 *
 * Since: 1.0
 */
char **
net_sip_registrar_lookup_contacts (NetSipRegistrar  *self,
                                   const char       *uri,
                                   GError          **error)
{
  g_autoptr(GPtrArray) bindings = net_sip_registrar_lookup (self, uri, error);
  GStrvBuilder *builder;
  char **out;

  if (bindings == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; i < bindings->len; i++)
    g_strv_builder_add (builder, net_sip_binding_get_contact (g_ptr_array_index (bindings, i)));
  out = g_strv_builder_end (builder);
  g_strv_builder_unref (builder);
  return out;
}

/**
 * net_sip_registrar_expire:
 * @self: a #NetSipRegistrar
 * @error: return location for a #GError
 *
 * Removes the expired bindings from the store now (the registrar does it
 * every [property@NetSip.Registrar:expire-interval] seconds by itself).
 *
 * Errors: %NET_SIP_LOCATION_STORE_ERROR_IO.
 *
 * Returns: how many bindings were removed, or -1 on error
 *
 * Since: 1.0
 */
gint
net_sip_registrar_expire (NetSipRegistrar  *self,
                          GError          **error)
{
  g_return_val_if_fail (NET_SIP_IS_REGISTRAR (self), -1);
  return net_sip_location_store_expire (self->store, now_seconds (), error);
}
