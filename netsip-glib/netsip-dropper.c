/* netsip-dropper.c: flood protection, drops requests silently (Net::SIP::Dropper)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-dropper.h"

/**
 * NetSipDropper:
 *
 * A [iface@NetSip.Receiver] for flood protection (Net::SIP::Dropper with
 * its ByIPPort and ByField helpers): it drops requests, sending nothing
 * back, when
 *
 * - their source address sends more than [property@NetSip.Dropper:rate]
 *   requests per second on average, with bursts up to
 *   [property@NetSip.Dropper:burst] (a token bucket per source IP address,
 *   ports ignored); or
 * - a header matches a pattern added with
 *   [method@NetSip.Dropper.add_pattern] (e.g. `User-Agent` matching
 *   `^friendly-scanner`).
 *
 * A dropped request is "handled" (receive returns %TRUE) so no receiver
 * after the dropper in a [class@NetSip.ReceiveChain] sees it; other
 * messages pass (receive returns %FALSE). Responses are never dropped.
 *
 * Memory is bounded: at most [property@NetSip.Dropper:max-sources] buckets
 * are kept; past that the least recently seen source is forgotten (a
 * forgotten source starts again with a full bucket, so the bound must be
 * larger than the number of sources flooding at once).
 *
 * Since: 1.0
 */

typedef struct
{
  GList   link;       /* in lru, data = self */
  char   *address;    /* the key */
  double  tokens;
  gint64  updated;    /* monotonic µs */
} Bucket;

typedef struct
{
  char   *header;
  GRegex *regex;
} Pattern;

struct _NetSipDropper
{
  GObject     parent_instance;

  double      rate;         /* requests per second; 0: no rate limit */
  double      burst;
  guint       max_sources;
  GHashTable *buckets;      /* address text -> Bucket */
  GQueue      lru;          /* Bucket.link, most recent at the head */
  GPtrArray  *patterns;     /* Pattern */
  guint64     n_dropped_rate;
  guint64     n_dropped_pattern;
};

enum
{
  PROP_0,
  PROP_RATE,
  PROP_BURST,
  PROP_MAX_SOURCES,
  PROP_N_SOURCES,
  PROP_N_DROPPED,
  PROP_N_DROPPED_RATE,
  PROP_N_DROPPED_PATTERN,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_DROPPED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_dropper_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipDropper, net_sip_dropper, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_dropper_receiver_init))

static void
bucket_free (gpointer data)
{
  Bucket *b = data;
  g_free (b->address);
  g_free (b);
}

static void
pattern_free (gpointer data)
{
  Pattern *p = data;
  g_free (p->header);
  g_regex_unref (p->regex);
  g_free (p);
}

static void
forget_oldest (NetSipDropper *self)
{
  GList *link = g_queue_pop_tail_link (&self->lru);
  Bucket *b = (Bucket *) link;   /* link is the first member */

  g_hash_table_remove (self->buckets, b->address);
}

/* The token bucket of the request's source: TRUE when a token was there */
static gboolean
take_token (NetSipDropper    *self,
            NetSipSourceInfo *source)
{
  GInetSocketAddress *remote = net_sip_source_info_get_remote_address (source);
  GInetAddress *address = remote ? g_inet_socket_address_get_address (remote) : NULL;
  gint64 now = g_get_monotonic_time ();
  g_autofree char *key = NULL;
  Bucket *b;

  if (address == NULL)
    return TRUE;
  key = g_inet_address_to_string (address);
  b = g_hash_table_lookup (self->buckets, key);
  if (b == NULL)
    {
      while (self->max_sources > 0 && g_hash_table_size (self->buckets) >= self->max_sources)
        forget_oldest (self);
      b = g_new0 (Bucket, 1);
      b->link.data = self;
      b->address = g_steal_pointer (&key);
      b->tokens = self->burst;
      b->updated = now;
      g_hash_table_insert (self->buckets, b->address, b);
      g_queue_push_head_link (&self->lru, &b->link);
    }
  else
    {
      b->tokens = MIN (self->burst, b->tokens + (now - b->updated) / 1e6 * self->rate);
      b->updated = now;
      g_queue_unlink (&self->lru, &b->link);
      g_queue_push_head_link (&self->lru, &b->link);
    }
  if (b->tokens < 1.0)
    return FALSE;
  b->tokens -= 1.0;
  return TRUE;
}

static gboolean
matches_pattern (NetSipDropper *self,
                 NetSipMessage *message)
{
  for (guint i = 0; i < self->patterns->len; i++)
    {
      Pattern *p = g_ptr_array_index (self->patterns, i);
      g_auto(GStrv) values = net_sip_message_get_headers (message, p->header);

      for (guint j = 0; values && values[j]; j++)
        if (g_regex_match (p->regex, values[j], 0, NULL))
          return TRUE;
    }
  return FALSE;
}

static gboolean
net_sip_dropper_receive (NetSipReceiver   *receiver,
                         NetSipMessage    *message,
                         NetSipLeg        *leg,
                         NetSipSourceInfo *source)
{
  NetSipDropper *self = NET_SIP_DROPPER (receiver);
  const char *why = NULL;

  if (!net_sip_message_is_request (message))
    return FALSE;
  /* the pattern first: a scanner's requests do not use up its bucket */
  if (self->patterns->len > 0 && matches_pattern (self, message))
    {
      self->n_dropped_pattern++;
      why = "pattern";
    }
  else if (self->rate > 0 && source && !take_token (self, source))
    {
      self->n_dropped_rate++;
      why = "rate";
    }
  if (why == NULL)
    return FALSE;
  if (g_log_writer_default_would_drop (G_LOG_LEVEL_DEBUG, G_LOG_DOMAIN) == FALSE)
    {
      g_autofree char *from = source ? net_sip_source_info_to_string (source) : NULL;
      g_debug ("dropper: dropping %s from %s (%s)", net_sip_message_get_method (message),
               from ? from : "?", why);
    }
  g_signal_emit (self, signals[SIG_DROPPED], 0, message, source, why);
  return TRUE;
}

static void
net_sip_dropper_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_dropper_receive;
}

static void
net_sip_dropper_finalize (GObject *object)
{
  NetSipDropper *self = NET_SIP_DROPPER (object);

  g_hash_table_unref (self->buckets);
  g_ptr_array_unref (self->patterns);
  G_OBJECT_CLASS (net_sip_dropper_parent_class)->finalize (object);
}

static void
net_sip_dropper_get_property (GObject    *object,
                              guint       prop_id,
                              GValue     *value,
                              GParamSpec *pspec)
{
  NetSipDropper *self = NET_SIP_DROPPER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      g_value_set_double (value, self->rate);
      break;
    case PROP_BURST:
      g_value_set_double (value, self->burst);
      break;
    case PROP_MAX_SOURCES:
      g_value_set_uint (value, self->max_sources);
      break;
    case PROP_N_SOURCES:
      g_value_set_uint (value, g_hash_table_size (self->buckets));
      break;
    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped_rate + self->n_dropped_pattern);
      break;
    case PROP_N_DROPPED_RATE:
      g_value_set_uint64 (value, self->n_dropped_rate);
      break;
    case PROP_N_DROPPED_PATTERN:
      g_value_set_uint64 (value, self->n_dropped_pattern);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_dropper_set_property (GObject      *object,
                              guint         prop_id,
                              const GValue *value,
                              GParamSpec   *pspec)
{
  NetSipDropper *self = NET_SIP_DROPPER (object);

  switch (prop_id)
    {
    case PROP_RATE:
      net_sip_dropper_set_rate (self, g_value_get_double (value), self->burst);
      break;
    case PROP_BURST:
      net_sip_dropper_set_rate (self, self->rate, g_value_get_double (value));
      break;
    case PROP_MAX_SOURCES:
      if (self->max_sources != g_value_get_uint (value))
        {
          self->max_sources = g_value_get_uint (value);
          while (g_hash_table_size (self->buckets) > self->max_sources)
            forget_oldest (self);
          g_object_notify_by_pspec (object, pspec);
        }
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_dropper_class_init (NetSipDropperClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->finalize = net_sip_dropper_finalize;
  object_class->get_property = net_sip_dropper_get_property;
  object_class->set_property = net_sip_dropper_set_property;

  /**
   * NetSipDropper:rate:
   *
   * Requests per second a source IP address may send on average; 0 (the
   * default) turns the rate limit off.
   *
   * Since: 1.0
   */
  props[PROP_RATE] = g_param_spec_double ("rate", NULL, NULL, 0, G_MAXDOUBLE, 0, rw);
  /**
   * NetSipDropper:burst:
   *
   * Requests a source may send at once before the rate applies (the size
   * of its token bucket; at least 1). Default 20.
   *
   * Since: 1.0
   */
  props[PROP_BURST] = g_param_spec_double ("burst", NULL, NULL, 1, G_MAXDOUBLE, 20, rw);
  /**
   * NetSipDropper:max-sources:
   *
   * The most source addresses whose buckets are kept (default 10000, about
   * 100 bytes each); the least recently seen is forgotten first. 0: no
   * bound.
   *
   * Since: 1.0
   */
  props[PROP_MAX_SOURCES] = g_param_spec_uint ("max-sources", NULL, NULL, 0, G_MAXUINT, 10000, rw);
  /**
   * NetSipDropper:n-sources:
   *
   * Source addresses with a bucket now. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_SOURCES] = g_param_spec_uint ("n-sources", NULL, NULL, 0, G_MAXUINT, 0, ro);
  /**
   * NetSipDropper:n-dropped:
   *
   * Requests dropped so far, for any reason. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED] = g_param_spec_uint64 ("n-dropped", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipDropper:n-dropped-rate:
   *
   * Requests dropped because their source was over the rate. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED_RATE] =
    g_param_spec_uint64 ("n-dropped-rate", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipDropper:n-dropped-pattern:
   *
   * Requests dropped because a header matched a pattern. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED_PATTERN] =
    g_param_spec_uint64 ("n-dropped-pattern", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipDropper::dropped:
   * @dropper: the dropper
   * @message: the request dropped
   * @source: where it came from
   * @reason: "rate" or "pattern"
   *
   * Emitted for each dropped request (for logging or a ban list).
   *
   * Since: 1.0
   */
  signals[SIG_DROPPED] =
    g_signal_new ("dropped", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                  G_TYPE_NONE, 3, NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_SOURCE_INFO, G_TYPE_STRING);
}

static void
net_sip_dropper_init (NetSipDropper *self)
{
  self->burst = 20;
  self->max_sources = 10000;
  self->buckets = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, bucket_free);
  self->patterns = g_ptr_array_new_with_free_func (pattern_free);
}

/**
 * net_sip_dropper_new:
 *
 * Creates a dropper (Net::SIP::Dropper) for flood protection.
 *
 * Returns: (transfer full): a dropper with no rate limit and no pattern
 *
 * Since: 1.0
 */
NetSipDropper *
net_sip_dropper_new (void)
{
  return g_object_new (NET_SIP_TYPE_DROPPER, NULL);
}

/**
 * net_sip_dropper_add_pattern:
 * @self: a #NetSipDropper
 * @header: a header name, any case, long or compact form ("From", "f")
 * @pattern: a Perl-compatible regular expression (#GRegex)
 * @error: return location for a #GError
 *
 * Drops requests in which a line of @header matches @pattern (Net::SIP's
 * Dropper::ByField), e.g. `User-Agent` and `^friendly-scanner`.
 *
 * Errors: the #G_REGEX_ERROR of a bad @pattern.
 *
 * Returns: %TRUE if @pattern compiled and was added
 *
 * Since: 1.0
 */
gboolean
net_sip_dropper_add_pattern (NetSipDropper *self,
                             const char    *header,
                             const char    *pattern,
                             GError       **error)
{
  GRegex *regex;
  Pattern *p;

  g_return_val_if_fail (NET_SIP_IS_DROPPER (self), FALSE);
  g_return_val_if_fail (header != NULL && pattern != NULL, FALSE);

  regex = g_regex_new (pattern, G_REGEX_OPTIMIZE, 0, error);
  if (regex == NULL)
    return FALSE;
  p = g_new0 (Pattern, 1);
  p->header = g_strdup (header);
  p->regex = regex;
  g_ptr_array_add (self->patterns, p);
  return TRUE;
}

/**
 * net_sip_dropper_clear_patterns:
 * @self: a #NetSipDropper
 *
 * Removes every pattern.
 *
 * Since: 1.0
 */
void
net_sip_dropper_clear_patterns (NetSipDropper *self)
{
  g_return_if_fail (NET_SIP_IS_DROPPER (self));
  g_ptr_array_set_size (self->patterns, 0);
}

/**
 * net_sip_dropper_set_rate:
 * @self: a #NetSipDropper
 * @rate: requests per second per source, 0 for no limit
 * @burst: the bucket size, at least 1
 *
 * Sets [property@NetSip.Dropper:rate] and [property@NetSip.Dropper:burst].
 * Existing buckets keep their tokens (capped at the new @burst).
 *
 * Since: 1.0
 */
void
net_sip_dropper_set_rate (NetSipDropper *self,
                          double         rate,
                          double         burst)
{
  g_return_if_fail (NET_SIP_IS_DROPPER (self));
  g_return_if_fail (rate >= 0 && burst >= 1);

  g_object_freeze_notify (G_OBJECT (self));
  if (self->rate != rate)
    {
      self->rate = rate;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_RATE]);
    }
  if (self->burst != burst)
    {
      self->burst = burst;
      g_object_notify_by_pspec (G_OBJECT (self), props[PROP_BURST]);
    }
  g_object_thaw_notify (G_OBJECT (self));
}

/**
 * net_sip_dropper_get_n_sources:
 * @self: a #NetSipDropper
 *
 * Counts the source addresses that have a token bucket now.
 *
 * Returns: [property@NetSip.Dropper:n-sources]
 *
 * Since: 1.0
 */
guint
net_sip_dropper_get_n_sources (NetSipDropper *self)
{
  g_return_val_if_fail (NET_SIP_IS_DROPPER (self), 0);
  return g_hash_table_size (self->buckets);
}

/**
 * net_sip_dropper_get_n_dropped:
 * @self: a #NetSipDropper
 *
 * Counts the requests dropped so far, for any reason.
 *
 * Returns: [property@NetSip.Dropper:n-dropped]
 *
 * Since: 1.0
 */
guint64
net_sip_dropper_get_n_dropped (NetSipDropper *self)
{
  g_return_val_if_fail (NET_SIP_IS_DROPPER (self), 0);
  return self->n_dropped_rate + self->n_dropped_pattern;
}

/**
 * net_sip_dropper_get_n_dropped_rate:
 * @self: a #NetSipDropper
 *
 * Counts the requests dropped because their source was over the rate.
 *
 * Returns: [property@NetSip.Dropper:n-dropped-rate]
 *
 * Since: 1.0
 */
guint64
net_sip_dropper_get_n_dropped_rate (NetSipDropper *self)
{
  g_return_val_if_fail (NET_SIP_IS_DROPPER (self), 0);
  return self->n_dropped_rate;
}

/**
 * net_sip_dropper_get_n_dropped_pattern:
 * @self: a #NetSipDropper
 *
 * Counts the requests dropped because a header matched a pattern.
 *
 * Returns: [property@NetSip.Dropper:n-dropped-pattern]
 *
 * Since: 1.0
 */
guint64
net_sip_dropper_get_n_dropped_pattern (NetSipDropper *self)
{
  g_return_val_if_fail (NET_SIP_IS_DROPPER (self), 0);
  return self->n_dropped_pattern;
}
