/* netsip-sdp.c: Session Description Protocol bodies (RFC 4566)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-sdp.h"

#include <stdarg.h>

#include "netsip-error.h"

/**
 * NetSipSdp:
 *
 * A session description (RFC 4566), as carried in the body of an INVITE,
 * its reliable provisional and 2xx responses, ACK, PRACK and UPDATE for
 * the offer/answer model (RFC 3264).
 *
 * [func@NetSip.Sdp.parse] reads a body, [method@NetSip.Sdp.to_bytes] writes
 * one. Media descriptions (`m=` lines and the lines after them) are
 * addressed by their index, starting at 0, in the order they appear; the
 * offer/answer model matches streams by that index (RFC 3264 §6).
 *
 * Every line survives a round trip: the lines this type has no accessor for
 * (`u=`, `e=`, `p=`, `z=`, `k=`, `r=`) are kept as they were, in their order.
 * [method@NetSip.Sdp.to_bytes] writes the lines in the order RFC 4566 §5
 * prescribes (`v o s i u e p c b t r z k a`, then for each medium
 * `m i c b k a`), with CRLF line ends, so a description that was written in
 * another order comes out reordered but otherwise unchanged.
 *
 * Text fields (session name, information, attribute values) are returned as
 * the octets of the body: RFC 4566 §5 makes them UTF-8 unless an
 * `a=charset` attribute says otherwise.
 *
 * A NAT helper rewrites the addresses and ports a peer announced with
 * [method@NetSip.Sdp.get_media_address], [method@NetSip.Sdp.set_media_address],
 * [method@NetSip.Sdp.set_media_port], [method@NetSip.Sdp.set_connection] and
 * [method@NetSip.Sdp.set_origin_address].
 *
 * Since: 1.0
 */

/* c= (RFC 4566 §5.7) */
typedef struct {
  char *addrtype;       /* "IP4" or "IP6" */
  char *address;        /* without the multicast suffix, IPv6 without [] */
  int ttl;              /* IP4 multicast TTL, -1 when not written */
  guint n_addresses;    /* multicast address count, 0 when not written */
} SdpConnection;

/* a= (RFC 4566 §5.13) */
typedef struct {
  char *name;
  char *value;          /* NULL for a property attribute: "a=recvonly" */
} SdpAttribute;

/* b= (RFC 4566 §5.8) */
typedef struct {
  char *bwtype;
  guint64 value;
} SdpBandwidth;

/* Lines kept as text: i= u= e= p= z= k= */
typedef struct {
  char letter;
  char *value;
} SdpLine;

/* t= and the r= lines after it (RFC 4566 §5.9, §5.10) */
typedef struct {
  guint64 start;
  guint64 stop;
  GPtrArray *repeats;   /* char *: r= values */
} SdpTime;

/* What the session and each medium have in common. */
typedef struct {
  GPtrArray *connections;  /* SdpConnection: at most one at session level */
  GPtrArray *bandwidths;   /* SdpBandwidth */
  GPtrArray *attributes;   /* SdpAttribute, in order */
  GPtrArray *lines;        /* SdpLine, in order */
} SdpLevel;

/* m= (RFC 4566 §5.14) */
typedef struct {
  SdpLevel level;
  char *media_type;
  guint16 port;
  guint n_ports;           /* 0 when not written */
  char *proto;
  GStrv formats;
} SdpMedia;

struct _NetSipSdp
{
  GObject parent_instance;

  guint version;

  char *origin_username;
  char *origin_session_id;
  char *origin_session_version;
  char *origin_nettype;
  char *origin_addrtype;
  char *origin_address;

  char *session_name;

  GPtrArray *times;        /* SdpTime */
  SdpLevel session;
  GPtrArray *media;        /* SdpMedia */
};

G_DEFINE_FINAL_TYPE (NetSipSdp, net_sip_sdp, G_TYPE_OBJECT)

/* Indexed by NetSipSdpDirection. */
static const char * const direction_names[] = {
  "inactive", "sendonly", "recvonly", "sendrecv",
};

/* RFC 3551 §6, tables 4 and 5: payload types with a static meaning. */
static const struct {
  guint8 payload_type;
  const char *encoding_name;
  guint clock_rate;
  guint channels;
} static_payload_types[] = {
  { 0, "PCMU", 8000, 1 },   { 3, "GSM", 8000, 1 },    { 4, "G723", 8000, 1 },
  { 5, "DVI4", 8000, 1 },   { 6, "DVI4", 16000, 1 },  { 7, "LPC", 8000, 1 },
  { 8, "PCMA", 8000, 1 },   { 9, "G722", 8000, 1 },   { 10, "L16", 44100, 2 },
  { 11, "L16", 44100, 1 },  { 12, "QCELP", 8000, 1 }, { 13, "CN", 8000, 1 },
  { 14, "MPA", 90000, 1 },  { 15, "G728", 8000, 1 },  { 16, "DVI4", 11025, 1 },
  { 17, "DVI4", 22050, 1 }, { 18, "G729", 8000, 1 },  { 25, "CelB", 90000, 1 },
  { 26, "JPEG", 90000, 1 }, { 28, "nv", 90000, 1 },   { 31, "H261", 90000, 1 },
  { 32, "MPV", 90000, 1 },  { 33, "MP2T", 90000, 1 }, { 34, "H263", 90000, 1 },
};

/* ---------------------------------------------------------------------- */
/* Element helpers                                                         */

static void
connection_free (gpointer data)
{
  SdpConnection *conn = data;

  g_free (conn->addrtype);
  g_free (conn->address);
  g_free (conn);
}

static SdpConnection *
connection_new (const char *addrtype,
                const char *address)
{
  SdpConnection *conn = g_new0 (SdpConnection, 1);

  conn->addrtype = g_strdup (addrtype);
  conn->address = g_strdup (address);
  conn->ttl = -1;
  return conn;
}

static gpointer
connection_copy (gconstpointer src,
                 gpointer      user_data G_GNUC_UNUSED)
{
  const SdpConnection *from = src;
  SdpConnection *conn = connection_new (from->addrtype, from->address);

  conn->ttl = from->ttl;
  conn->n_addresses = from->n_addresses;
  return conn;
}

static void
attribute_free (gpointer data)
{
  SdpAttribute *attr = data;

  g_free (attr->name);
  g_free (attr->value);
  g_free (attr);
}

static SdpAttribute *
attribute_new (const char *name,
               const char *value)
{
  SdpAttribute *attr = g_new (SdpAttribute, 1);

  attr->name = g_strdup (name);
  attr->value = g_strdup (value);
  return attr;
}

static gpointer
attribute_copy (gconstpointer src,
                gpointer      user_data G_GNUC_UNUSED)
{
  const SdpAttribute *from = src;

  return attribute_new (from->name, from->value);
}

static void
bandwidth_free (gpointer data)
{
  SdpBandwidth *bw = data;

  g_free (bw->bwtype);
  g_free (bw);
}

static SdpBandwidth *
bandwidth_new (const char *bwtype,
               guint64     value)
{
  SdpBandwidth *bw = g_new (SdpBandwidth, 1);

  bw->bwtype = g_strdup (bwtype);
  bw->value = value;
  return bw;
}

static gpointer
bandwidth_copy (gconstpointer src,
                gpointer      user_data G_GNUC_UNUSED)
{
  const SdpBandwidth *from = src;

  return bandwidth_new (from->bwtype, from->value);
}

static void
line_free (gpointer data)
{
  SdpLine *line = data;

  g_free (line->value);
  g_free (line);
}

static SdpLine *
line_new (char        letter,
          const char *value)
{
  SdpLine *line = g_new (SdpLine, 1);

  line->letter = letter;
  line->value = g_strdup (value);
  return line;
}

static gpointer
line_copy (gconstpointer src,
           gpointer      user_data G_GNUC_UNUSED)
{
  const SdpLine *from = src;

  return line_new (from->letter, from->value);
}

static void
time_free (gpointer data)
{
  SdpTime *t = data;

  g_ptr_array_unref (t->repeats);
  g_free (t);
}

static SdpTime *
time_new (guint64 start,
          guint64 stop)
{
  SdpTime *t = g_new (SdpTime, 1);

  t->start = start;
  t->stop = stop;
  t->repeats = g_ptr_array_new_with_free_func (g_free);
  return t;
}

static gpointer
time_copy (gconstpointer src,
           gpointer      user_data G_GNUC_UNUSED)
{
  const SdpTime *from = src;
  SdpTime *t = time_new (from->start, from->stop);

  for (guint i = 0; i < from->repeats->len; i++)
    g_ptr_array_add (t->repeats, g_strdup (g_ptr_array_index (from->repeats, i)));
  return t;
}

static void
level_init (SdpLevel *level)
{
  level->connections = g_ptr_array_new_with_free_func (connection_free);
  level->bandwidths = g_ptr_array_new_with_free_func (bandwidth_free);
  level->attributes = g_ptr_array_new_with_free_func (attribute_free);
  level->lines = g_ptr_array_new_with_free_func (line_free);
}

static void
level_clear (SdpLevel *level)
{
  g_clear_pointer (&level->connections, g_ptr_array_unref);
  g_clear_pointer (&level->bandwidths, g_ptr_array_unref);
  g_clear_pointer (&level->attributes, g_ptr_array_unref);
  g_clear_pointer (&level->lines, g_ptr_array_unref);
}

static GPtrArray *
ptr_array_copy (GPtrArray      *src,
                GCopyFunc       copy,
                GDestroyNotify  free_func)
{
  GPtrArray *array = g_ptr_array_copy (src, copy, NULL);

  g_ptr_array_set_free_func (array, free_func);
  return array;
}

static void
level_copy (SdpLevel       *dst,
            const SdpLevel *src)
{
  dst->connections = ptr_array_copy (src->connections, connection_copy, connection_free);
  dst->bandwidths = ptr_array_copy (src->bandwidths, bandwidth_copy, bandwidth_free);
  dst->attributes = ptr_array_copy (src->attributes, attribute_copy, attribute_free);
  dst->lines = ptr_array_copy (src->lines, line_copy, line_free);
}

static void
media_free (gpointer data)
{
  SdpMedia *media = data;

  level_clear (&media->level);
  g_free (media->media_type);
  g_free (media->proto);
  g_strfreev (media->formats);
  g_free (media);
}

static SdpMedia *
media_new (void)
{
  SdpMedia *media = g_new0 (SdpMedia, 1);

  level_init (&media->level);
  return media;
}

static gpointer
media_copy (gconstpointer src,
            gpointer      user_data G_GNUC_UNUSED)
{
  const SdpMedia *from = src;
  SdpMedia *media = g_new0 (SdpMedia, 1);

  level_copy (&media->level, &from->level);
  media->media_type = g_strdup (from->media_type);
  media->port = from->port;
  media->n_ports = from->n_ports;
  media->proto = g_strdup (from->proto);
  media->formats = g_strdupv (from->formats);
  return media;
}

/* ---------------------------------------------------------------------- */
/* Syntax helpers                                                          */

/* RFC 4566 §9: token-char = %x21 / %x23-27 / %x2A-2B / %x2D-2E / %x30-39
 *                           / %x41-5A / %x5E-7E */
static gboolean
is_token_char (guchar c)
{
  return c == 0x21 || (c >= 0x23 && c <= 0x27) || c == 0x2A || c == 0x2B ||
         c == 0x2D || c == 0x2E || (c >= 0x30 && c <= 0x39) ||
         (c >= 0x41 && c <= 0x5A) || (c >= 0x5E && c <= 0x7E);
}

static gboolean
is_token (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!is_token_char ((guchar) *s))
      return FALSE;
  return TRUE;
}

/* proto = token *("/" token) (RFC 4566 §9) */
static gboolean
is_proto (const char *s)
{
  gboolean want_token = TRUE;

  if (s == NULL)
    return FALSE;
  for (; *s; s++)
    {
      if (*s == '/')
        {
          if (want_token)
            return FALSE;
          want_token = TRUE;
        }
      else if (is_token_char ((guchar) *s))
        want_token = FALSE;
      else
        return FALSE;
    }
  return !want_token;
}

/* non-ws-string = 1*(VCHAR/%x80-FF) (RFC 4566 §9) */
static gboolean
is_non_ws_string (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if ((guchar) *s <= 0x20 || (guchar) *s == 0x7F)
      return FALSE;
  return TRUE;
}

/* A text value a setter may store: nothing that ends a line. */
static gboolean
is_text (const char *s)
{
  return s != NULL && strpbrk (s, "\r\n") == NULL;
}

static gboolean
is_digits (const char *s)
{
  if (s == NULL || *s == '\0')
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit (*s))
      return FALSE;
  return TRUE;
}

/* Decimal digits only, checked against @max before each step so nothing
 * wraps around. */
static gboolean
parse_uint (const char *s,
            guint64     max,
            guint64    *out)
{
  guint64 v = 0;

  if (!is_digits (s))
    return FALSE;
  for (; *s; s++)
    {
      guint d = (guint) (*s - '0');

      if (v > (max - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *out = v;
  return TRUE;
}

static gboolean
is_ipv4 (const char *s)
{
  guint parts = 0;

  while (TRUE)
    {
      guint value = 0, digits = 0;

      while (g_ascii_isdigit (*s))
        {
          value = value * 10 + (guint) (*s - '0');
          if (++digits > 3)
            return FALSE;
          s++;
        }
      if (digits == 0 || value > 255)
        return FALSE;
      parts++;
      if (*s == '\0')
        return parts == 4;
      if (*s != '.' || parts == 4)
        return FALSE;
      s++;
    }
}

/* IPv6 in SDP has no brackets (RFC 5118 §4.6); IPv4-mapped and other
 * embedded IPv4 forms are allowed (RFC 4291 §2.2), zone indices are not. */
static gboolean
is_ipv6 (const char *s)
{
  for (const char *p = s; *p; p++)
    if (!g_ascii_isxdigit (*p) && *p != ':' && *p != '.')
      return FALSE;
  return strchr (s, ':') != NULL && g_hostname_is_ip_address (s);
}

static gboolean
is_fqdn (const char *s)
{
  gboolean has_alpha = FALSE;

  if (*s == '\0' || *s == '.' || *s == '-')
    return FALSE;
  for (; *s; s++)
    {
      if (g_ascii_isalpha (*s))
        has_alpha = TRUE;
      else if (!g_ascii_isdigit (*s) && *s != '-' && *s != '.')
        return FALSE;
    }
  return has_alpha;
}

/* unicast-address = IP4-address / IP6-address / FQDN (RFC 4566 §9); the
 * address type must match the syntax when it is a literal. */
static gboolean
is_address (const char *addrtype,
            const char *s)
{
  if (strchr (s, ':') != NULL)
    return strcmp (addrtype, "IP6") == 0 && is_ipv6 (s);
  if (s[strspn (s, "0123456789.")] == '\0')
    return strcmp (addrtype, "IP4") == 0 && is_ipv4 (s);
  return is_fqdn (s);
}

/* "IP4"/"IP6" in any case to the canonical spelling, else NULL. */
static const char *
canonical_addrtype (const char *addrtype)
{
  if (g_ascii_strcasecmp (addrtype, "IP4") == 0)
    return "IP4";
  if (g_ascii_strcasecmp (addrtype, "IP6") == 0)
    return "IP6";
  return NULL;
}

/* For setters: strips the brackets of an IPv6 reference taken from a SIP
 * header, picks the address type from the syntax when @addrtype is NULL,
 * and validates. Returns NULL when the address is not usable. */
static char *
normalize_address (const char  *addrtype,
                   const char  *address,
                   const char **out_addrtype)
{
  gsize len = strlen (address);
  g_autofree char *copy = NULL;
  const char *type;

  if (len >= 2 && address[0] == '[' && address[len - 1] == ']')
    copy = g_strndup (address + 1, len - 2);
  else
    copy = g_strdup (address);

  if (addrtype == NULL)
    type = strchr (copy, ':') != NULL ? "IP6" : "IP4";
  else
    type = canonical_addrtype (addrtype);

  if (type == NULL || !is_address (type, copy))
    return NULL;

  *out_addrtype = type;
  return g_steal_pointer (&copy);
}

/* Next field separated by one or more SP; NUL-terminates it in place. */
static char *
next_field (char **cursor)
{
  char *s = *cursor;
  char *start;

  while (*s == ' ')
    s++;
  if (*s == '\0')
    {
      *cursor = s;
      return NULL;
    }
  start = s;
  while (*s != '\0' && *s != ' ')
    s++;
  if (*s != '\0')
    *s++ = '\0';
  *cursor = s;
  return start;
}

/* Error messages must be valid UTF-8 and short, whatever the input held. */
static char *
quote_for_error (const char *s)
{
  gsize len = strlen (s);
  g_autofree char *cut = g_strndup (s, MIN (len, 40));
  g_autofree char *escaped = g_strescape (cut, NULL);

  return g_strconcat (escaped, len > 40 ? "..." : "", NULL);
}

static gboolean set_line_error (GError    **error,
                                guint       line_no,
                                char        letter,
                                const char *format,
                                ...) G_GNUC_PRINTF (4, 5);

static gboolean
set_line_error (GError    **error,
                guint       line_no,
                char        letter,
                const char *format,
                ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (letter != '\0')
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP line %u: '%c=': %s", line_no, letter, message);
  else
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP line %u: %s", line_no, message);
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Level helpers                                                           */

static SdpConnection *
level_get_connection (const SdpLevel *level)
{
  return level->connections->len > 0 ? g_ptr_array_index (level->connections, 0) : NULL;
}

static void
level_set_connection (SdpLevel   *level,
                      const char *addrtype,
                      const char *address)
{
  g_ptr_array_set_size (level->connections, 0);
  if (address != NULL)
    g_ptr_array_add (level->connections, connection_new (addrtype, address));
}

static gboolean
connection_out (const SdpConnection *conn,
                const char         **addrtype,
                const char         **address,
                int                 *ttl,
                guint               *n_addresses)
{
  if (addrtype)
    *addrtype = conn ? conn->addrtype : NULL;
  if (address)
    *address = conn ? conn->address : NULL;
  if (ttl)
    *ttl = conn ? conn->ttl : -1;
  if (n_addresses)
    *n_addresses = conn && conn->n_addresses > 0 ? conn->n_addresses : (conn ? 1 : 0);
  return conn != NULL;
}

static const char *
level_get_line (const SdpLevel *level,
                char            letter)
{
  for (guint i = 0; i < level->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (level->lines, i);

      if (line->letter == letter)
        return line->value;
    }
  return NULL;
}

static const char *
level_get_bandwidth_nth (const SdpLevel *level,
                         guint           n,
                         guint64        *value)
{
  SdpBandwidth *bw;

  g_return_val_if_fail (n < level->bandwidths->len, NULL);

  bw = g_ptr_array_index (level->bandwidths, n);
  if (value)
    *value = bw->value;
  return bw->bwtype;
}

static gboolean
level_get_bandwidth (const SdpLevel *level,
                     const char     *bwtype,
                     guint64        *value)
{
  for (guint i = 0; i < level->bandwidths->len; i++)
    {
      SdpBandwidth *bw = g_ptr_array_index (level->bandwidths, i);

      if (strcmp (bw->bwtype, bwtype) == 0)
        {
          if (value)
            *value = bw->value;
          return TRUE;
        }
    }
  return FALSE;
}

static void
level_set_bandwidth (SdpLevel   *level,
                     const char *bwtype,
                     guint64     value)
{
  gboolean done = FALSE;

  for (guint i = 0; i < level->bandwidths->len; )
    {
      SdpBandwidth *bw = g_ptr_array_index (level->bandwidths, i);

      if (strcmp (bw->bwtype, bwtype) != 0)
        i++;
      else if (!done)
        {
          bw->value = value;
          done = TRUE;
          i++;
        }
      else
        g_ptr_array_remove_index (level->bandwidths, i);
    }
  if (!done)
    g_ptr_array_add (level->bandwidths, bandwidth_new (bwtype, value));
}

static SdpAttribute *
level_find_attribute (const SdpLevel *level,
                      const char     *name)
{
  for (guint i = 0; i < level->attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);

      if (strcmp (attr->name, name) == 0)
        return attr;
    }
  return NULL;
}

static const char *
level_get_attribute_nth (const SdpLevel *level,
                         guint           n,
                         const char    **value)
{
  SdpAttribute *attr;

  g_return_val_if_fail (n < level->attributes->len, NULL);

  attr = g_ptr_array_index (level->attributes, n);
  if (value)
    *value = attr->value;
  return attr->name;
}

static char **
level_get_attribute_values (const SdpLevel *level,
                            const char     *name)
{
  GPtrArray *values = g_ptr_array_new ();

  for (guint i = 0; i < level->attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);

      if (strcmp (attr->name, name) == 0)
        g_ptr_array_add (values, g_strdup (attr->value ? attr->value : ""));
    }
  g_ptr_array_add (values, NULL);
  return (char **) g_ptr_array_free (values, FALSE);
}

static guint
level_remove_attribute (SdpLevel   *level,
                        const char *name)
{
  guint removed = 0;

  for (guint i = 0; i < level->attributes->len; )
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);

      if (strcmp (attr->name, name) == 0)
        {
          g_ptr_array_remove_index (level->attributes, i);
          removed++;
        }
      else
        i++;
    }
  return removed;
}

static int
direction_from_name (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (direction_names); i++)
    if (strcmp (name, direction_names[i]) == 0)
      return (int) i;
  return -1;
}

/* The first direction attribute of @level, or -1. */
static int
level_get_direction (const SdpLevel *level)
{
  for (guint i = 0; i < level->attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);
      int dir = attr->value == NULL ? direction_from_name (attr->name) : -1;

      if (dir >= 0)
        return dir;
    }
  return -1;
}

/* Replaces every direction attribute by one, where the first one was. */
static void
level_set_direction (SdpLevel           *level,
                     NetSipSdpDirection  direction)
{
  guint position = G_MAXUINT;

  for (guint i = 0; i < level->attributes->len; )
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);

      if (attr->value == NULL && direction_from_name (attr->name) >= 0)
        {
          if (position == G_MAXUINT)
            position = i;
          g_ptr_array_remove_index (level->attributes, i);
        }
      else
        i++;
    }
  if (position == G_MAXUINT)
    position = level->attributes->len;
  g_ptr_array_insert (level->attributes, (int) position,
                      attribute_new (direction_names[direction], NULL));
}

/* ---------------------------------------------------------------------- */
/* Parser                                                                  */

typedef struct {
  NetSipSdp *sdp;
  SdpLevel *level;      /* &sdp->session, or the last medium's */
  SdpMedia *media;      /* NULL at session level */
  guint line_no;
  gboolean seen_v;
  gboolean seen_o;
  gboolean seen_s;
} ParseState;

static gboolean
parse_origin (ParseState  *state,
              char        *value,
              GError     **error)
{
  NetSipSdp *sdp = state->sdp;
  char *cursor = value;
  char *username = next_field (&cursor);
  char *session_id = next_field (&cursor);
  char *session_version = next_field (&cursor);
  char *nettype = next_field (&cursor);
  char *addrtype = next_field (&cursor);
  char *address = next_field (&cursor);

  /* RFC 4566 §5.2 */
  if (address == NULL || next_field (&cursor) != NULL)
    return set_line_error (error, state->line_no, 'o',
                           "expected '<username> <sess-id> <sess-version> "
                           "<nettype> <addrtype> <address>'");
  if (!is_digits (session_id) || !is_digits (session_version))
    return set_line_error (error, state->line_no, 'o',
                           "sess-id and sess-version must be numbers");
  if (!is_non_ws_string (username) || !is_token (nettype) ||
      !is_token (addrtype) || !is_non_ws_string (address))
    return set_line_error (error, state->line_no, 'o',
                           "invalid character in a field");

  sdp->origin_username = g_strdup (username);
  sdp->origin_session_id = g_strdup (session_id);
  sdp->origin_session_version = g_strdup (session_version);
  sdp->origin_nettype = g_strdup (nettype);
  sdp->origin_addrtype = g_strdup (addrtype);
  sdp->origin_address = g_strdup (address);
  return TRUE;
}

static gboolean
parse_connection (ParseState  *state,
                  char        *value,
                  GError     **error)
{
  char *cursor = value;
  char *nettype = next_field (&cursor);
  char *addrtype = next_field (&cursor);
  char *address = next_field (&cursor);
  const char *type;
  SdpConnection *conn;
  char *slash;
  guint64 ttl = 0, n_addresses = 0;
  gboolean has_ttl = FALSE;

  /* RFC 4566 §5.7 */
  if (address == NULL || next_field (&cursor) != NULL ||
      g_ascii_strcasecmp (nettype, "IN") != 0 ||
      (type = canonical_addrtype (addrtype)) == NULL)
    return set_line_error (error, state->line_no, 'c',
                           "expected 'IN IP4 <address>' or 'IN IP6 <address>'");

  slash = strchr (address, '/');
  if (slash != NULL)
    {
      char *second;

      *slash++ = '\0';
      second = strchr (slash, '/');
      if (second != NULL)
        *second++ = '\0';

      /* IPv4 multicast: /<ttl>[/<number of addresses>]; IPv6 multicast has
       * no TTL: /<number of addresses>. */
      if (strcmp (type, "IP4") == 0)
        {
          has_ttl = TRUE;
          if (!parse_uint (slash, 255, &ttl) ||
              (second != NULL && (!parse_uint (second, G_MAXINT, &n_addresses) ||
                                  n_addresses == 0)))
            return set_line_error (error, state->line_no, 'c',
                                   "expected '<address>/<ttl 0..255>[/<number of addresses>]'");
        }
      else if (second != NULL || !parse_uint (slash, G_MAXINT, &n_addresses) ||
               n_addresses == 0)
        return set_line_error (error, state->line_no, 'c',
                               "expected '<IPv6 address>[/<number of addresses>]'");
    }

  if (!is_address (type, address))
    {
      g_autofree char *quoted = quote_for_error (address);

      return set_line_error (error, state->line_no, 'c',
                             "'%s' is not a valid %s address", quoted, type);
    }

  conn = connection_new (type, address);
  conn->ttl = has_ttl ? (int) ttl : -1;
  conn->n_addresses = (guint) n_addresses;
  g_ptr_array_add (state->level->connections, conn);
  return TRUE;
}

static gboolean
parse_bandwidth (ParseState  *state,
                 char        *value,
                 GError     **error)
{
  char *colon = strchr (value, ':');
  guint64 bandwidth;

  /* RFC 4566 §5.8 */
  if (colon == NULL)
    return set_line_error (error, state->line_no, 'b',
                           "expected '<bwtype>:<bandwidth>'");
  *colon = '\0';
  if (!is_token (value) || !parse_uint (colon + 1, G_MAXUINT64, &bandwidth))
    return set_line_error (error, state->line_no, 'b',
                           "expected '<bwtype>:<bandwidth>' with a number "
                           "below 2^64");

  g_ptr_array_add (state->level->bandwidths, bandwidth_new (value, bandwidth));
  return TRUE;
}

static gboolean
parse_time (ParseState  *state,
            char        *value,
            GError     **error)
{
  char *cursor = value;
  char *start = next_field (&cursor);
  char *stop = next_field (&cursor);
  guint64 start_time, stop_time;

  /* RFC 4566 §5.9: NTP seconds, 0 for unbounded */
  if (stop == NULL || next_field (&cursor) != NULL ||
      !parse_uint (start, G_MAXUINT64, &start_time) ||
      !parse_uint (stop, G_MAXUINT64, &stop_time))
    return set_line_error (error, state->line_no, 't',
                           "expected '<start-time> <stop-time>', numbers below 2^64");

  g_ptr_array_add (state->sdp->times, time_new (start_time, stop_time));
  return TRUE;
}

static gboolean
parse_attribute (ParseState  *state,
                 char        *value,
                 GError     **error)
{
  char *colon = strchr (value, ':');

  /* RFC 4566 §5.13: a=<attribute> / a=<attribute>:<value> */
  if (colon != NULL)
    *colon = '\0';
  if (!is_token (value))
    return set_line_error (error, state->line_no, 'a',
                           "expected '<attribute>[:<value>]' with a token name");

  g_ptr_array_add (state->level->attributes,
                   attribute_new (value, colon != NULL ? colon + 1 : NULL));
  return TRUE;
}

static gboolean
parse_media (ParseState  *state,
             char        *value,
             GError     **error)
{
  NetSipSdp *sdp = state->sdp;
  char *cursor = value;
  char *media_type = next_field (&cursor);
  char *port = next_field (&cursor);
  char *proto = next_field (&cursor);
  char *slash;
  guint64 port_number, n_ports = 0;
  g_autoptr(GPtrArray) formats = NULL;
  SdpMedia *media;
  char *format;

  if (sdp->media->len >= NET_SIP_SDP_MAX_MEDIA)
    return set_line_error (error, state->line_no, 'm',
                           "more than %u media descriptions",
                           NET_SIP_SDP_MAX_MEDIA);

  /* RFC 4566 §5.14 */
  if (proto == NULL)
    return set_line_error (error, state->line_no, 'm',
                           "expected '<media> <port> <proto> <fmt> ...'");
  if (!is_token (media_type))
    return set_line_error (error, state->line_no, 'm',
                           "the media type is not a token");

  slash = strchr (port, '/');
  if (slash != NULL)
    {
      *slash++ = '\0';
      if (!parse_uint (slash, G_MAXUINT16, &n_ports) || n_ports == 0)
        {
          g_autofree char *quoted = quote_for_error (slash);

          return set_line_error (error, state->line_no, 'm',
                                 "number of ports '%s' is not in 1..65535", quoted);
        }
    }
  /* 0 is a rejected or disabled stream (RFC 3264 §5.1, §6). */
  if (!parse_uint (port, G_MAXUINT16, &port_number))
    {
      g_autofree char *quoted = quote_for_error (port);

      return set_line_error (error, state->line_no, 'm',
                             "port '%s' is not a number in 0..65535", quoted);
    }
  if (!is_proto (proto))
    return set_line_error (error, state->line_no, 'm',
                           "the transport protocol is not '<token>[/<token>...]'");

  formats = g_ptr_array_new_with_free_func (g_free);
  while ((format = next_field (&cursor)) != NULL)
    {
      if (!is_token (format))
        return set_line_error (error, state->line_no, 'm',
                               "media format %u is not a token", formats->len + 1);
      g_ptr_array_add (formats, g_strdup (format));
    }
  g_ptr_array_add (formats, NULL);

  media = media_new ();
  media->media_type = g_strdup (media_type);
  media->port = (guint16) port_number;
  media->n_ports = (guint) n_ports;
  media->proto = g_strdup (proto);
  g_ptr_array_set_free_func (formats, NULL);
  media->formats = (GStrv) g_ptr_array_free (g_steal_pointer (&formats), FALSE);
  g_ptr_array_add (sdp->media, media);

  state->media = media;
  state->level = &media->level;
  return TRUE;
}

static gboolean
parse_line (ParseState  *state,
            char         letter,
            char        *value,
            GError     **error)
{
  NetSipSdp *sdp = state->sdp;
  gboolean media_level = state->media != NULL;

  /* RFC 4566 §5: which lines may follow an m= line */
  if (media_level && strchr ("vosuepztr", letter) != NULL)
    return set_line_error (error, state->line_no, letter,
                           "not allowed in a media description (after 'm=')");

  switch (letter)
    {
    case 'v':
      return set_line_error (error, state->line_no, letter, "duplicate line");

    case 'o':
      if (state->seen_o)
        return set_line_error (error, state->line_no, letter, "duplicate line");
      state->seen_o = TRUE;
      return parse_origin (state, value, error);

    case 's':
      if (state->seen_s)
        return set_line_error (error, state->line_no, letter, "duplicate line");
      state->seen_s = TRUE;
      sdp->session_name = g_strdup (value);
      return TRUE;

    case 'c':
      if (!media_level && sdp->session.connections->len > 0)
        return set_line_error (error, state->line_no, letter,
                               "only one 'c=' line is allowed at session level");
      return parse_connection (state, value, error);

    case 'b':
      return parse_bandwidth (state, value, error);

    case 't':
      return parse_time (state, value, error);

    case 'r':
      {
        SdpTime *t;

        if (sdp->times->len == 0)
          return set_line_error (error, state->line_no, letter,
                                 "must follow a 't=' line (RFC 4566 §5.10)");
        t = g_ptr_array_index (sdp->times, sdp->times->len - 1);
        g_ptr_array_add (t->repeats, g_strdup (value));
        return TRUE;
      }

    case 'i':
    case 'u':
    case 'e':
    case 'p':
    case 'z':
    case 'k':
      g_ptr_array_add (state->level->lines, line_new (letter, value));
      return TRUE;

    case 'a':
      return parse_attribute (state, value, error);

    case 'm':
      return parse_media (state, value, error);

    default:
      /* RFC 4566 §5: the set of type letters is not extensible; a parser
       * must ignore a description with one it does not understand. */
      return set_line_error (error, state->line_no, '\0',
                             "unknown type letter '%c'", letter);
    }
}

/* ---------------------------------------------------------------------- */
/* Serializer                                                              */

static void
append_lines (GString        *out,
              const SdpLevel *level,
              char            letter)
{
  for (guint i = 0; i < level->lines->len; i++)
    {
      SdpLine *line = g_ptr_array_index (level->lines, i);

      if (line->letter == letter)
        g_string_append_printf (out, "%c=%s\r\n", letter, line->value);
    }
}

static void
append_connections (GString        *out,
                    const SdpLevel *level)
{
  for (guint i = 0; i < level->connections->len; i++)
    {
      SdpConnection *conn = g_ptr_array_index (level->connections, i);

      g_string_append_printf (out, "c=IN %s %s", conn->addrtype, conn->address);
      if (conn->ttl >= 0)
        g_string_append_printf (out, "/%d", conn->ttl);
      if (conn->n_addresses > 0)
        g_string_append_printf (out, "/%u", conn->n_addresses);
      g_string_append (out, "\r\n");
    }
}

static void
append_bandwidths (GString        *out,
                   const SdpLevel *level)
{
  for (guint i = 0; i < level->bandwidths->len; i++)
    {
      SdpBandwidth *bw = g_ptr_array_index (level->bandwidths, i);

      g_string_append_printf (out, "b=%s:%" G_GUINT64_FORMAT "\r\n",
                              bw->bwtype, bw->value);
    }
}

static void
append_attributes (GString        *out,
                   const SdpLevel *level)
{
  for (guint i = 0; i < level->attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (level->attributes, i);

      if (attr->value != NULL)
        g_string_append_printf (out, "a=%s:%s\r\n", attr->name, attr->value);
      else
        g_string_append_printf (out, "a=%s\r\n", attr->name);
    }
}

/* ---------------------------------------------------------------------- */
/* GObject                                                                 */

static void
net_sip_sdp_finalize (GObject *object)
{
  NetSipSdp *self = NET_SIP_SDP (object);

  g_free (self->origin_username);
  g_free (self->origin_session_id);
  g_free (self->origin_session_version);
  g_free (self->origin_nettype);
  g_free (self->origin_addrtype);
  g_free (self->origin_address);
  g_free (self->session_name);
  g_clear_pointer (&self->times, g_ptr_array_unref);
  level_clear (&self->session);
  g_clear_pointer (&self->media, g_ptr_array_unref);

  G_OBJECT_CLASS (net_sip_sdp_parent_class)->finalize (object);
}

static void
net_sip_sdp_class_init (NetSipSdpClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = net_sip_sdp_finalize;
}

static void
net_sip_sdp_init (NetSipSdp *self)
{
  self->times = g_ptr_array_new_with_free_func (time_free);
  level_init (&self->session);
  self->media = g_ptr_array_new_with_free_func (media_free);
}

/* ---------------------------------------------------------------------- */
/* Public API                                                              */

/**
 * net_sip_sdp_new:
 *
 * Creates a session description to fill in, with the lines RFC 4566 §5
 * requires: `v=0`, an origin `o=- <id> <id> IN IP4 127.0.0.1` whose session
 * id and version are the current time in NTP seconds (the format §5.2
 * suggests), `s=-` and `t=0 0` (an unbounded session, §5.9).
 *
 * Set the origin address with [method@NetSip.Sdp.set_origin_address] or
 * [method@NetSip.Sdp.set_origin], the connection with
 * [method@NetSip.Sdp.set_connection], then add media with
 * [method@NetSip.Sdp.add_media].
 *
 * Returns: (transfer full): a new #NetSipSdp
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_sdp_new (void)
{
  NetSipSdp *self = g_object_new (NET_SIP_TYPE_SDP, NULL);
  /* NTP epoch is 1900-01-01, 2208988800 s before the Unix epoch */
  guint64 ntp = (guint64) (g_get_real_time () / G_USEC_PER_SEC) + G_GUINT64_CONSTANT (2208988800);

  self->origin_username = g_strdup ("-");
  self->origin_session_id = g_strdup_printf ("%" G_GUINT64_FORMAT, ntp);
  self->origin_session_version = g_strdup (self->origin_session_id);
  self->origin_nettype = g_strdup ("IN");
  self->origin_addrtype = g_strdup ("IP4");
  self->origin_address = g_strdup ("127.0.0.1");
  self->session_name = g_strdup ("-");
  g_ptr_array_add (self->times, time_new (0, 0));
  return self;
}

/**
 * net_sip_sdp_parse:
 * @bytes: (transfer none): a session description, as the octets of a
 *   message body; it need not end in NUL and nothing past its end is read
 * @error: return location for a #GError
 *
 * Parses a session description (RFC 4566 §5).
 *
 * Lines end in CRLF or, leniently, a bare LF; the last line may lack its
 * line end and empty lines are skipped. Fields are separated by one or
 * more spaces. The first line must be `v=`; `o=`, `s=` (its text may be
 * empty) and at least one `t=` are required. Other lines may come in any
 * order within their level, except that `r=` follows its `t=`, and the
 * session-only lines (`v o s u e p z t r`) may not follow the first `m=`.
 *
 * Checked: numbers are decimal and in range (ports 0..65535, bandwidths
 * and times below 2^64, IPv4 multicast TTL 0..255); `c=` has network type
 * `IN`, address type `IP4` or `IP6` and an address of that family or a
 * domain name (IPv6 without brackets, RFC 5118 §4.6; IPv4-mapped IPv6
 * allowed); names are tokens. A description of more than
 * %NET_SIP_SDP_MAX_LINES lines or %NET_SIP_SDP_MAX_MEDIA media is refused.
 *
 * Attribute values are not interpreted here: a malformed `a=rtpmap` only
 * makes [method@NetSip.Sdp.get_media_rtpmap] fail for that payload type.
 *
 * Errors: %NET_SIP_PARSE_ERROR_SDP, with a message that names the line,
 * for example `SDP line 3: 'c=': expected 'IN IP4 <address>' or 'IN IP6
 * <address>'`.
 *
 * Returns: (transfer full): the parsed description, or %NULL on error
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_sdp_parse (GBytes  *bytes,
                   GError **error)
{
  g_autoptr(NetSipSdp) self = NULL;
  g_autofree char *buffer = NULL;
  ParseState state = { 0, };
  const guint8 *data;
  gsize size, pos = 0;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  data = g_bytes_get_data (bytes, &size);

  /* One copy with a terminating NUL: lines are cut in place from it. */
  buffer = g_malloc (size + 1);
  if (size > 0)
    memcpy (buffer, data, size);
  buffer[size] = '\0';

  self = g_object_new (NET_SIP_TYPE_SDP, NULL);
  state.sdp = self;
  state.level = &self->session;

  while (pos < size)
    {
      char *line = buffer + pos;
      char *newline = memchr (line, '\n', size - pos);
      gsize end = newline != NULL ? (gsize) (newline - buffer) : size;
      gsize next = newline != NULL ? end + 1 : size;
      gsize len;
      char letter;

      if (end > pos && buffer[end - 1] == '\r')
        end--;
      len = end - pos;
      buffer[end] = '\0';
      pos = next;

      if (++state.line_no > NET_SIP_SDP_MAX_LINES)
        {
          g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                       "SDP: more than %u lines", NET_SIP_SDP_MAX_LINES);
          return NULL;
        }

      if (len == 0)
        continue;

      /* RFC 4566 §9: text is byte-string, which excludes NUL, CR and LF */
      if (memchr (line, '\0', len) != NULL)
        {
          set_line_error (error, state.line_no, '\0', "NUL octet in line");
          return NULL;
        }
      if (memchr (line, '\r', len) != NULL)
        {
          set_line_error (error, state.line_no, '\0', "CR octet not followed by LF");
          return NULL;
        }

      if (len < 2 || line[1] != '=' || !g_ascii_islower (line[0]))
        {
          set_line_error (error, state.line_no, '\0',
                          "expected '<type>=<value>' with a lower-case type letter");
          return NULL;
        }
      letter = line[0];

      if (!state.seen_v)
        {
          guint64 version;

          if (letter != 'v')
            {
              set_line_error (error, state.line_no, '\0',
                              "expected 'v=' as the first line, found '%c='", letter);
              return NULL;
            }
          /* RFC 4566 §5.1: "v=0" */
          if (!parse_uint (line + 2, G_MAXUINT32, &version))
            {
              set_line_error (error, state.line_no, 'v', "expected a version number");
              return NULL;
            }
          self->version = (guint) version;
          state.seen_v = TRUE;
          continue;
        }

      if (!parse_line (&state, letter, line + 2, error))
        return NULL;
    }

  if (!state.seen_v)
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP: empty description, expected 'v=' (RFC 4566 §5.1)");
  else if (!state.seen_o)
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP: missing 'o=' line (RFC 4566 §5.2)");
  else if (!state.seen_s)
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP: missing 's=' line (RFC 4566 §5.3)");
  else if (self->times->len == 0)
    g_set_error (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_SDP,
                 "SDP: missing 't=' line (RFC 4566 §5.9)");
  else
    return g_steal_pointer (&self);

  return NULL;
}

/**
 * net_sip_sdp_to_bytes:
 * @self: a #NetSipSdp
 *
 * Writes the description with CRLF line ends, in the order of RFC 4566 §5:
 * `v o s i u e p c b t r z k a` at session level, then for each medium
 * `m i c b k a`. Lines of one kind keep their order.
 *
 * Returns: (transfer full): the body octets
 *
 * Since: 1.0
 */
GBytes *
net_sip_sdp_to_bytes (NetSipSdp *self)
{
  GString *out;

  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  out = g_string_sized_new (512);
  g_string_append_printf (out, "v=%u\r\n", self->version);
  g_string_append_printf (out, "o=%s %s %s %s %s %s\r\n",
                          self->origin_username, self->origin_session_id,
                          self->origin_session_version, self->origin_nettype,
                          self->origin_addrtype, self->origin_address);
  g_string_append_printf (out, "s=%s\r\n", self->session_name);
  append_lines (out, &self->session, 'i');
  append_lines (out, &self->session, 'u');
  append_lines (out, &self->session, 'e');
  append_lines (out, &self->session, 'p');
  append_connections (out, &self->session);
  append_bandwidths (out, &self->session);
  for (guint i = 0; i < self->times->len; i++)
    {
      SdpTime *t = g_ptr_array_index (self->times, i);

      g_string_append_printf (out, "t=%" G_GUINT64_FORMAT " %" G_GUINT64_FORMAT "\r\n",
                              t->start, t->stop);
      for (guint j = 0; j < t->repeats->len; j++)
        g_string_append_printf (out, "r=%s\r\n", (char *) g_ptr_array_index (t->repeats, j));
    }
  if (self->times->len == 0)
    g_string_append (out, "t=0 0\r\n");
  append_lines (out, &self->session, 'z');
  append_lines (out, &self->session, 'k');
  append_attributes (out, &self->session);

  for (guint i = 0; i < self->media->len; i++)
    {
      SdpMedia *media = g_ptr_array_index (self->media, i);

      g_string_append_printf (out, "m=%s %u", media->media_type, media->port);
      if (media->n_ports > 0)
        g_string_append_printf (out, "/%u", media->n_ports);
      g_string_append_printf (out, " %s", media->proto);
      for (guint j = 0; media->formats[j] != NULL; j++)
        g_string_append_printf (out, " %s", media->formats[j]);
      g_string_append (out, "\r\n");
      append_lines (out, &media->level, 'i');
      append_connections (out, &media->level);
      append_bandwidths (out, &media->level);
      append_lines (out, &media->level, 'k');
      append_attributes (out, &media->level);
    }

  return g_string_free_to_bytes (out);
}

/**
 * net_sip_sdp_copy:
 * @self: a #NetSipSdp
 *
 * Makes an independent copy, for example to derive an answer or a
 * re-offer from a description without changing it.
 *
 * Returns: (transfer full): a copy of @self
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_sdp_copy (NetSipSdp *self)
{
  NetSipSdp *copy;

  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  copy = g_object_new (NET_SIP_TYPE_SDP, NULL);
  copy->version = self->version;
  copy->origin_username = g_strdup (self->origin_username);
  copy->origin_session_id = g_strdup (self->origin_session_id);
  copy->origin_session_version = g_strdup (self->origin_session_version);
  copy->origin_nettype = g_strdup (self->origin_nettype);
  copy->origin_addrtype = g_strdup (self->origin_addrtype);
  copy->origin_address = g_strdup (self->origin_address);
  copy->session_name = g_strdup (self->session_name);

  g_clear_pointer (&copy->times, g_ptr_array_unref);
  copy->times = ptr_array_copy (self->times, time_copy, time_free);
  level_clear (&copy->session);
  level_copy (&copy->session, &self->session);
  g_clear_pointer (&copy->media, g_ptr_array_unref);
  copy->media = ptr_array_copy (self->media, media_copy, media_free);
  return copy;
}

/**
 * net_sip_sdp_direction_to_string:
 * @direction: a #NetSipSdpDirection
 *
 * Gets the attribute name of @direction: `sendrecv`, `sendonly`,
 * `recvonly` or `inactive` (RFC 4566 §6).
 *
 * Returns: (transfer none): the attribute name
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_direction_to_string (NetSipSdpDirection direction)
{
  g_return_val_if_fail ((guint) direction < G_N_ELEMENTS (direction_names), NULL);

  return direction_names[direction];
}

/**
 * net_sip_sdp_get_version:
 * @self: a #NetSipSdp
 *
 * Gets the protocol version of the `v=` line (RFC 4566 §5.1), 0 for every
 * description following RFC 4566.
 *
 * Returns: the version
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_version (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);

  return self->version;
}

/**
 * net_sip_sdp_get_origin_username:
 * @self: a #NetSipSdp
 *
 * Gets the user name of the `o=` line (RFC 4566 §5.2), `-` when the
 * originating host has no notion of users.
 *
 * Returns: (transfer none): the user name
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_username (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_username;
}

/**
 * net_sip_sdp_get_origin_session_id:
 * @self: a #NetSipSdp
 *
 * Gets the session id of the `o=` line (RFC 4566 §5.2): a string of
 * decimal digits, kept as a string because RFC 4566 sets no upper bound.
 *
 * Returns: (transfer none): the session id
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_session_id (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_session_id;
}

/**
 * net_sip_sdp_get_origin_session_version:
 * @self: a #NetSipSdp
 *
 * Gets the session version of the `o=` line (RFC 4566 §5.2), a string of
 * decimal digits. RFC 3264 §8 asks for it to grow with each change of the
 * description; see [method@NetSip.Sdp.increment_origin_version].
 *
 * Returns: (transfer none): the session version
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_session_version (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_session_version;
}

/**
 * net_sip_sdp_get_origin_nettype:
 * @self: a #NetSipSdp
 *
 * Gets the network type of the `o=` line (RFC 4566 §5.2), `IN` on the
 * Internet.
 *
 * Returns: (transfer none): the network type
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_nettype (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_nettype;
}

/**
 * net_sip_sdp_get_origin_addrtype:
 * @self: a #NetSipSdp
 *
 * Gets the address type of the `o=` line (RFC 4566 §5.2), `IP4` or `IP6`.
 *
 * Returns: (transfer none): the address type
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_addrtype (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_addrtype;
}

/**
 * net_sip_sdp_get_origin_address:
 * @self: a #NetSipSdp
 *
 * Gets the address of the `o=` line (RFC 4566 §5.2): an IP address (IPv6
 * without brackets) or a domain name of the host that created the
 * description.
 *
 * Returns: (transfer none): the address
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_origin_address (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->origin_address;
}

/**
 * net_sip_sdp_set_origin:
 * @self: a #NetSipSdp
 * @username: the user name, a string without spaces, `-` for none
 * @session_id: the session id
 * @session_version: the session version
 * @addrtype: (nullable): `IP4` or `IP6`, or %NULL to choose from the
 *   syntax of @address
 * @address: an IPv4 address, an IPv6 address (brackets are removed) or a
 *   domain name
 *
 * Sets the `o=` line (RFC 4566 §5.2), with network type `IN`.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_origin (NetSipSdp  *self,
                        const char *username,
                        guint64     session_id,
                        guint64     session_version,
                        const char *addrtype,
                        const char *address)
{
  const char *type = NULL;
  char *normalized;

  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (is_non_ws_string (username));
  g_return_if_fail (address != NULL);

  normalized = normalize_address (addrtype, address, &type);
  g_return_if_fail (normalized != NULL);

  g_free (self->origin_nettype);
  self->origin_nettype = g_strdup ("IN");
  g_free (self->origin_addrtype);
  self->origin_addrtype = g_strdup (type);
  g_free (self->origin_address);
  self->origin_address = normalized;
  g_free (self->origin_username);
  self->origin_username = g_strdup (username);
  g_free (self->origin_session_id);
  self->origin_session_id = g_strdup_printf ("%" G_GUINT64_FORMAT, session_id);
  g_free (self->origin_session_version);
  self->origin_session_version = g_strdup_printf ("%" G_GUINT64_FORMAT, session_version);
}

/**
 * net_sip_sdp_set_origin_address:
 * @self: a #NetSipSdp
 * @addrtype: (nullable): `IP4` or `IP6`, or %NULL to choose from the
 *   syntax of @address (IPv6 when it contains a colon)
 * @address: an IPv4 address, an IPv6 address (brackets are removed,
 *   RFC 5118 §4.6) or a domain name
 *
 * Replaces the address of the `o=` line (RFC 4566 §5.2) and sets its
 * network type to `IN`, as a NAT helper does for a description that
 * leaves a private network.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_origin_address (NetSipSdp  *self,
                                const char *addrtype,
                                const char *address)
{
  const char *type = NULL;
  char *normalized;

  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (address != NULL);

  normalized = normalize_address (addrtype, address, &type);
  g_return_if_fail (normalized != NULL);

  g_free (self->origin_nettype);
  self->origin_nettype = g_strdup ("IN");
  g_free (self->origin_addrtype);
  self->origin_addrtype = g_strdup (type);
  g_free (self->origin_address);
  self->origin_address = normalized;
}

/**
 * net_sip_sdp_increment_origin_version:
 * @self: a #NetSipSdp
 *
 * Adds one to the session version of the `o=` line, as RFC 3264 §8 asks
 * for each modified offer or answer in a session. The version is a decimal
 * string of any length, so this never wraps around.
 *
 * Since: 1.0
 */
void
net_sip_sdp_increment_origin_version (NetSipSdp *self)
{
  GString *version;
  gssize i;

  g_return_if_fail (NET_SIP_IS_SDP (self));

  version = g_string_new (self->origin_session_version);
  for (i = (gssize) version->len - 1; i >= 0; i--)
    {
      if (version->str[i] != '9')
        {
          version->str[i]++;
          break;
        }
      version->str[i] = '0';
    }
  if (i < 0)
    g_string_prepend_c (version, '1');

  g_free (self->origin_session_version);
  self->origin_session_version = g_string_free (version, FALSE);
}

/**
 * net_sip_sdp_get_session_name:
 * @self: a #NetSipSdp
 *
 * Gets the text of the `s=` line (RFC 4566 §5.3). SIP user agents
 * commonly write `-`; an empty name is accepted on input.
 *
 * Returns: (transfer none): the session name
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_session_name (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return self->session_name;
}

/**
 * net_sip_sdp_set_session_name:
 * @self: a #NetSipSdp
 * @name: the session name: text without CR or LF
 *
 * Sets the text of the `s=` line (RFC 4566 §5.3).
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_session_name (NetSipSdp  *self,
                              const char *name)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (is_text (name));

  g_free (self->session_name);
  self->session_name = g_strdup (name);
}

/**
 * net_sip_sdp_get_information:
 * @self: a #NetSipSdp
 *
 * Gets the text of the session-level `i=` line (RFC 4566 §5.4).
 *
 * Returns: (transfer none) (nullable): the session information, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_information (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return level_get_line (&self->session, 'i');
}

/**
 * net_sip_sdp_get_connection:
 * @self: a #NetSipSdp
 * @addrtype: (out) (optional) (transfer none) (nullable): return location
 *   for the address type, `IP4` or `IP6`
 * @address: (out) (optional) (transfer none) (nullable): return location
 *   for the address, without the multicast suffix
 * @ttl: (out) (optional): return location for the IPv4 multicast TTL,
 *   -1 when the line has none
 * @n_addresses: (out) (optional): return location for the number of
 *   multicast addresses, 1 when the line gives none
 *
 * Gets the session-level `c=` line (RFC 4566 §5.7), which applies to every
 * medium without a `c=` line of its own.
 *
 * Returns: %TRUE if there is a session-level `c=` line; otherwise the out
 *   values are %NULL, -1 and 0
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_get_connection (NetSipSdp   *self,
                            const char **addrtype,
                            const char **address,
                            int         *ttl,
                            guint       *n_addresses)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), FALSE);

  return connection_out (level_get_connection (&self->session),
                         addrtype, address, ttl, n_addresses);
}

/**
 * net_sip_sdp_set_connection:
 * @self: a #NetSipSdp
 * @addrtype: (nullable): `IP4` or `IP6`, or %NULL to choose from the
 *   syntax of @address (IPv6 when it contains a colon)
 * @address: (nullable): a unicast IPv4 or IPv6 address (brackets are
 *   removed, RFC 5118 §4.6) or a domain name; %NULL removes the line
 *
 * Sets the session-level `c=` line to `IN <addrtype> <address>`
 * (RFC 4566 §5.7). Media with a `c=` line of their own keep it; use
 * [method@NetSip.Sdp.set_media_address] for those.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_connection (NetSipSdp  *self,
                            const char *addrtype,
                            const char *address)
{
  const char *type = NULL;
  g_autofree char *normalized = NULL;

  g_return_if_fail (NET_SIP_IS_SDP (self));

  if (address != NULL)
    {
      normalized = normalize_address (addrtype, address, &type);
      g_return_if_fail (normalized != NULL);
    }
  level_set_connection (&self->session, type, normalized);
}

/**
 * net_sip_sdp_get_n_bandwidths:
 * @self: a #NetSipSdp
 *
 * Gets the number of session-level `b=` lines (RFC 4566 §5.8).
 *
 * Returns: the number of bandwidth lines
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_n_bandwidths (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);

  return self->session.bandwidths->len;
}

/**
 * net_sip_sdp_get_bandwidth_nth:
 * @self: a #NetSipSdp
 * @n: the index of the `b=` line, below [method@NetSip.Sdp.get_n_bandwidths]
 * @value: (out) (optional): return location for the bandwidth, in kilobits
 *   per second for `CT` and `AS` (RFC 4566 §5.8), in bits per second for
 *   `TIAS` (RFC 3890)
 *
 * Gets the @n-th session-level `b=` line.
 *
 * Returns: (transfer none): the bandwidth type, such as `AS` or `CT`
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_bandwidth_nth (NetSipSdp *self,
                               guint      n,
                               guint64   *value)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return level_get_bandwidth_nth (&self->session, n, value);
}

/**
 * net_sip_sdp_get_bandwidth:
 * @self: a #NetSipSdp
 * @bwtype: the bandwidth type, such as `AS` or `CT` (compared exactly)
 * @value: (out) (optional): return location for the bandwidth, in the unit
 *   of @bwtype (kilobits per second for `CT` and `AS`)
 *
 * Looks up the first session-level `b=` line of type @bwtype
 * (RFC 4566 §5.8).
 *
 * Returns: %TRUE if there is one
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_get_bandwidth (NetSipSdp  *self,
                           const char *bwtype,
                           guint64    *value)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), FALSE);
  g_return_val_if_fail (bwtype != NULL, FALSE);

  return level_get_bandwidth (&self->session, bwtype, value);
}

/**
 * net_sip_sdp_set_bandwidth:
 * @self: a #NetSipSdp
 * @bwtype: the bandwidth type, a token such as `AS` or `CT`
 * @value: the bandwidth, in the unit of @bwtype (kilobits per second for
 *   `CT` and `AS`)
 *
 * Sets the session-level `b=<bwtype>:<value>` line (RFC 4566 §5.8),
 * replacing those of the same type or adding one.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_bandwidth (NetSipSdp  *self,
                           const char *bwtype,
                           guint64     value)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (is_token (bwtype));

  level_set_bandwidth (&self->session, bwtype, value);
}

/**
 * net_sip_sdp_get_n_times:
 * @self: a #NetSipSdp
 *
 * Gets the number of `t=` lines (RFC 4566 §5.9), at least 1 in a parsed
 * description.
 *
 * Returns: the number of time descriptions
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_n_times (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);

  return self->times->len;
}

/**
 * net_sip_sdp_get_time:
 * @self: a #NetSipSdp
 * @n: the index of the `t=` line, below [method@NetSip.Sdp.get_n_times]
 * @start: (out) (optional): return location for the start time, in seconds
 *   since 1900 (NTP), 0 for a session without a start
 * @stop: (out) (optional): return location for the stop time, in seconds
 *   since 1900 (NTP), 0 for an unbounded session
 *
 * Gets the @n-th `t=` line (RFC 4566 §5.9). SIP sessions use `t=0 0`
 * (RFC 3264 §5).
 *
 * Since: 1.0
 */
void
net_sip_sdp_get_time (NetSipSdp *self,
                      guint      n,
                      guint64   *start,
                      guint64   *stop)
{
  SdpTime *t;

  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (n < self->times->len);

  t = g_ptr_array_index (self->times, n);
  if (start)
    *start = t->start;
  if (stop)
    *stop = t->stop;
}

/**
 * net_sip_sdp_set_time:
 * @self: a #NetSipSdp
 * @start: the start time, in seconds since 1900 (NTP), or 0
 * @stop: the stop time, in seconds since 1900 (NTP), or 0 for unbounded
 *
 * Replaces every `t=` line, and the `r=` lines after them, by one
 * `t=<start> <stop>` line (RFC 4566 §5.9).
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_time (NetSipSdp *self,
                      guint64    start,
                      guint64    stop)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));

  g_ptr_array_set_size (self->times, 0);
  g_ptr_array_add (self->times, time_new (start, stop));
}

/**
 * net_sip_sdp_get_n_attributes:
 * @self: a #NetSipSdp
 *
 * Gets the number of session-level `a=` lines (RFC 4566 §5.13).
 *
 * Returns: the number of session attributes
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_n_attributes (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);

  return self->session.attributes->len;
}

/**
 * net_sip_sdp_get_attribute_nth:
 * @self: a #NetSipSdp
 * @n: the index of the attribute, below
 *   [method@NetSip.Sdp.get_n_attributes]
 * @value: (out) (optional) (transfer none) (nullable): return location for
 *   the value, %NULL for a property attribute such as `a=recvonly`
 *
 * Gets the @n-th session-level attribute, in the order of the description.
 *
 * Returns: (transfer none): the attribute name
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_attribute_nth (NetSipSdp   *self,
                               guint        n,
                               const char **value)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);

  return level_get_attribute_nth (&self->session, n, value);
}

/**
 * net_sip_sdp_has_attribute:
 * @self: a #NetSipSdp
 * @name: the attribute name (compared exactly)
 *
 * Checks for a session-level attribute, with or without a value.
 *
 * Returns: %TRUE if there is an `a=<name>` or `a=<name>:<value>` line at
 *   session level
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_has_attribute (NetSipSdp  *self,
                           const char *name)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return level_find_attribute (&self->session, name) != NULL;
}

/**
 * net_sip_sdp_get_attribute:
 * @self: a #NetSipSdp
 * @name: the attribute name (compared exactly)
 *
 * Gets the value of the first session-level attribute called @name
 * (RFC 4566 §5.13). Use [method@NetSip.Sdp.has_attribute] for property
 * attributes, which have no value.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if there is no
 *   such attribute or it has no value
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_attribute (NetSipSdp  *self,
                           const char *name)
{
  SdpAttribute *attr;

  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  attr = level_find_attribute (&self->session, name);
  return attr ? attr->value : NULL;
}

/**
 * net_sip_sdp_get_attribute_values:
 * @self: a #NetSipSdp
 * @name: the attribute name (compared exactly)
 *
 * Gets the values of every session-level attribute called @name, in
 * order; a property attribute gives an empty string.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values, an empty
 *   array if there are none
 *
 * Since: 1.0
 */
char **
net_sip_sdp_get_attribute_values (NetSipSdp  *self,
                                  const char *name)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return level_get_attribute_values (&self->session, name);
}

/**
 * net_sip_sdp_add_attribute:
 * @self: a #NetSipSdp
 * @name: the attribute name, a token
 * @value: (nullable): the value, text without CR or LF, or %NULL for a
 *   property attribute
 *
 * Appends a session-level `a=<name>[:<value>]` line (RFC 4566 §5.13).
 *
 * Since: 1.0
 */
void
net_sip_sdp_add_attribute (NetSipSdp  *self,
                           const char *name,
                           const char *value)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (is_token (name));
  g_return_if_fail (value == NULL || is_text (value));

  g_ptr_array_add (self->session.attributes, attribute_new (name, value));
}

/**
 * net_sip_sdp_remove_attribute:
 * @self: a #NetSipSdp
 * @name: the attribute name (compared exactly)
 *
 * Removes every session-level attribute called @name.
 *
 * Returns: the number of attributes removed
 *
 * Since: 1.0
 */
guint
net_sip_sdp_remove_attribute (NetSipSdp  *self,
                              const char *name)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  return level_remove_attribute (&self->session, name);
}

/**
 * net_sip_sdp_get_direction:
 * @self: a #NetSipSdp
 *
 * Gets the session-level direction: the first `a=sendrecv`, `a=sendonly`,
 * `a=recvonly` or `a=inactive` at session level (RFC 4566 §6), or
 * %NET_SIP_SDP_DIRECTION_SENDRECV when there is none (RFC 3264 §5.1).
 *
 * Returns: the session-level direction
 *
 * Since: 1.0
 */
NetSipSdpDirection
net_sip_sdp_get_direction (NetSipSdp *self)
{
  int dir;

  g_return_val_if_fail (NET_SIP_IS_SDP (self), NET_SIP_SDP_DIRECTION_SENDRECV);

  dir = level_get_direction (&self->session);
  return dir >= 0 ? (NetSipSdpDirection) dir : NET_SIP_SDP_DIRECTION_SENDRECV;
}

/**
 * net_sip_sdp_set_direction:
 * @self: a #NetSipSdp
 * @direction: the direction
 *
 * Replaces the session-level direction attributes by one for @direction,
 * where the first one was (or at the end). Media with a direction
 * attribute of their own keep it.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_direction (NetSipSdp          *self,
                           NetSipSdpDirection  direction)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail ((guint) direction < G_N_ELEMENTS (direction_names));

  level_set_direction (&self->session, direction);
}

/**
 * net_sip_sdp_get_n_media:
 * @self: a #NetSipSdp
 *
 * Gets the number of media descriptions (`m=` lines, RFC 4566 §5.14).
 *
 * Returns: the number of media
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_n_media (NetSipSdp *self)
{
  g_return_val_if_fail (NET_SIP_IS_SDP (self), 0);

  return self->media->len;
}

/**
 * net_sip_sdp_add_media:
 * @self: a #NetSipSdp
 * @media_type: the media type, a token such as `audio`, `video`,
 *   `application` or `image`
 * @port: the transport port, 0 for a rejected or disabled stream
 *   (RFC 3264 §5.1)
 * @proto: the transport protocol, such as `RTP/AVP`, `RTP/SAVP` or
 *   `udptl`
 * @formats: (nullable) (array zero-terminated=1): the media formats, for
 *   RTP the payload types as decimal strings, in order of preference
 *
 * Appends an `m=<media> <port> <proto> <fmt> ...` line (RFC 4566 §5.14).
 * At most %NET_SIP_SDP_MAX_MEDIA media can be added.
 *
 * Returns: the index of the new medium (%G_MAXUINT if an argument was
 *   invalid)
 *
 * Since: 1.0
 */
guint
net_sip_sdp_add_media (NetSipSdp          *self,
                       const char         *media_type,
                       guint16             port,
                       const char         *proto,
                       const char * const *formats)
{
  SdpMedia *media;

  g_return_val_if_fail (NET_SIP_IS_SDP (self), G_MAXUINT);
  g_return_val_if_fail (is_token (media_type), G_MAXUINT);
  g_return_val_if_fail (is_proto (proto), G_MAXUINT);
  g_return_val_if_fail (self->media->len < NET_SIP_SDP_MAX_MEDIA, G_MAXUINT);
  for (guint i = 0; formats != NULL && formats[i] != NULL; i++)
    g_return_val_if_fail (is_token (formats[i]), G_MAXUINT);

  media = media_new ();
  media->media_type = g_strdup (media_type);
  media->port = port;
  media->proto = g_strdup (proto);
  media->formats = formats ? g_strdupv ((char **) formats) : g_new0 (char *, 1);
  g_ptr_array_add (self->media, media);
  return self->media->len - 1;
}

#define GET_MEDIA_OR_RETURN(self, index, val)                      \
  G_STMT_START {                                                   \
    g_return_val_if_fail (NET_SIP_IS_SDP (self), val);             \
    g_return_val_if_fail ((index) < (self)->media->len, val);      \
  } G_STMT_END

#define MEDIA(self, index) ((SdpMedia *) g_ptr_array_index ((self)->media, (index)))

/**
 * net_sip_sdp_get_media_type:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the media type of the `m=` line (RFC 4566 §5.14): `audio`,
 * `video`, `text`, `application`, `message` or `image` (T.38, RFC 6466).
 *
 * Returns: (transfer none): the media type
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_type (NetSipSdp *self,
                            guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return MEDIA (self, index)->media_type;
}

/**
 * net_sip_sdp_get_media_port:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the transport port of the `m=` line (RFC 4566 §5.14). Port 0 marks
 * a rejected or disabled stream (RFC 3264 §5.1, §6).
 *
 * Returns: the port, 0..65535
 *
 * Since: 1.0
 */
guint16
net_sip_sdp_get_media_port (NetSipSdp *self,
                            guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, 0);

  return MEDIA (self, index)->port;
}

/**
 * net_sip_sdp_set_media_port:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @port: the new port, 0 to reject or disable the stream
 *
 * Sets the transport port of the `m=` line (RFC 4566 §5.14), for example
 * to the port a media relay allocated.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_media_port (NetSipSdp *self,
                            guint      index,
                            guint16    port)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);

  MEDIA (self, index)->port = port;
}

/**
 * net_sip_sdp_get_media_n_ports:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the number of ports of the `m=` line, the `/2` of
 * `m=video 49170/2 RTP/AVP 31` (RFC 4566 §5.14), for layered encodings.
 *
 * Returns: the number of ports, 1 when the line gives none
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_media_n_ports (NetSipSdp *self,
                               guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, 0);

  return MAX (MEDIA (self, index)->n_ports, 1);
}

/**
 * net_sip_sdp_get_media_proto:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the transport protocol of the `m=` line (RFC 4566 §5.14), such as
 * `RTP/AVP`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF` or `udptl`.
 *
 * Returns: (transfer none): the transport protocol
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_proto (NetSipSdp *self,
                             guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return MEDIA (self, index)->proto;
}

/**
 * net_sip_sdp_get_media_formats:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the media formats of the `m=` line (RFC 4566 §5.14), in order of
 * preference: for RTP the payload types, such as `0`, `8`, `101`.
 *
 * Returns: (transfer none) (array zero-terminated=1): the formats, valid
 *   until the medium is changed or @self is finalized
 *
 * Since: 1.0
 */
const char * const *
net_sip_sdp_get_media_formats (NetSipSdp *self,
                               guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return (const char * const *) MEDIA (self, index)->formats;
}

/**
 * net_sip_sdp_set_media_formats:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @formats: (array zero-terminated=1): the media formats, tokens, in
 *   order of preference
 *
 * Replaces the media formats of the `m=` line (RFC 4566 §5.14), for
 * example to keep only the payload types of an answer (RFC 3264 §6.1).
 * The `a=rtpmap` and `a=fmtp` lines are left as they are.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_media_formats (NetSipSdp          *self,
                               guint               index,
                               const char * const *formats)
{
  SdpMedia *media;

  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);
  g_return_if_fail (formats != NULL);
  for (guint i = 0; formats[i] != NULL; i++)
    g_return_if_fail (is_token (formats[i]));

  media = MEDIA (self, index);
  g_strfreev (media->formats);
  media->formats = g_strdupv ((char **) formats);
}

/**
 * net_sip_sdp_get_media_information:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the text of the media-level `i=` line (RFC 4566 §5.4), the title
 * of the stream.
 *
 * Returns: (transfer none) (nullable): the media information, or %NULL
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_information (NetSipSdp *self,
                                   guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return level_get_line (&MEDIA (self, index)->level, 'i');
}

/**
 * net_sip_sdp_get_media_connection:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @addrtype: (out) (optional) (transfer none) (nullable): return location
 *   for the address type, `IP4` or `IP6`
 * @address: (out) (optional) (transfer none) (nullable): return location
 *   for the address, without the multicast suffix
 * @ttl: (out) (optional): return location for the IPv4 multicast TTL,
 *   -1 when the line has none
 * @n_addresses: (out) (optional): return location for the number of
 *   multicast addresses, 1 when the line gives none
 *
 * Gets the first media-level `c=` line (RFC 4566 §5.7) of a medium; this
 * does not fall back to the session level (see
 * [method@NetSip.Sdp.get_media_address] for that). A medium may have
 * several `c=` lines (layered multicast); they are kept on a round trip.
 *
 * Returns: %TRUE if the medium has its own `c=` line; otherwise the out
 *   values are %NULL, -1 and 0
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_get_media_connection (NetSipSdp   *self,
                                  guint        index,
                                  const char **addrtype,
                                  const char **address,
                                  int         *ttl,
                                  guint       *n_addresses)
{
  GET_MEDIA_OR_RETURN (self, index, FALSE);

  return connection_out (level_get_connection (&MEDIA (self, index)->level),
                         addrtype, address, ttl, n_addresses);
}

static SdpConnection *
effective_connection (NetSipSdp *self,
                      guint      index)
{
  SdpConnection *conn = level_get_connection (&MEDIA (self, index)->level);

  return conn ? conn : level_get_connection (&self->session);
}

/**
 * net_sip_sdp_get_media_address:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the address the stream's peer sends media to: that of the medium's
 * own `c=` line, else that of the session-level `c=` line (RFC 4566 §5.7).
 * IPv6 addresses come without brackets (RFC 5118 §4.6); different media
 * may have addresses of different families (RFC 5118 §4.8). `0.0.0.0`
 * is the RFC 2543 way of putting a stream on hold (RFC 3264 §8.4).
 *
 * Returns: (transfer none) (nullable): the address, or %NULL if neither
 *   the medium nor the session has a `c=` line
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_address (NetSipSdp *self,
                               guint      index)
{
  SdpConnection *conn;

  GET_MEDIA_OR_RETURN (self, index, NULL);

  conn = effective_connection (self, index);
  return conn ? conn->address : NULL;
}

/**
 * net_sip_sdp_get_media_addrtype:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the address type, `IP4` or `IP6`, that goes with
 * [method@NetSip.Sdp.get_media_address].
 *
 * Returns: (transfer none) (nullable): the address type, or %NULL if
 *   neither the medium nor the session has a `c=` line
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_addrtype (NetSipSdp *self,
                                guint      index)
{
  SdpConnection *conn;

  GET_MEDIA_OR_RETURN (self, index, NULL);

  conn = effective_connection (self, index);
  return conn ? conn->addrtype : NULL;
}

/**
 * net_sip_sdp_set_media_address:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @addrtype: (nullable): `IP4` or `IP6`, or %NULL to choose from the
 *   syntax of @address (IPv6 when it contains a colon)
 * @address: (nullable): a unicast IPv4 or IPv6 address (brackets are
 *   removed, RFC 5118 §4.6) or a domain name; %NULL removes the medium's
 *   `c=` lines so that it uses the session-level one again
 *
 * Replaces the medium's `c=` lines by one `c=IN <addrtype> <address>`
 * line (RFC 4566 §5.7), leaving the session level and other media alone,
 * as a NAT helper or media relay does for one stream. The medium may end
 * up in a different address family from the session (RFC 5118 §4.8).
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_media_address (NetSipSdp  *self,
                               guint       index,
                               const char *addrtype,
                               const char *address)
{
  const char *type = NULL;
  g_autofree char *normalized = NULL;

  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);

  if (address != NULL)
    {
      normalized = normalize_address (addrtype, address, &type);
      g_return_if_fail (normalized != NULL);
    }
  level_set_connection (&MEDIA (self, index)->level, type, normalized);
}

/**
 * net_sip_sdp_get_media_n_bandwidths:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the number of the medium's `b=` lines (RFC 4566 §5.8).
 *
 * Returns: the number of bandwidth lines
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_media_n_bandwidths (NetSipSdp *self,
                                    guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, 0);

  return MEDIA (self, index)->level.bandwidths->len;
}

/**
 * net_sip_sdp_get_media_bandwidth_nth:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @n: the index of the `b=` line, below
 *   [method@NetSip.Sdp.get_media_n_bandwidths]
 * @value: (out) (optional): return location for the bandwidth, in the unit
 *   of its type (kilobits per second for `CT` and `AS`)
 *
 * Gets the medium's @n-th `b=` line (RFC 4566 §5.8).
 *
 * Returns: (transfer none): the bandwidth type
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_bandwidth_nth (NetSipSdp *self,
                                     guint      index,
                                     guint      n,
                                     guint64   *value)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return level_get_bandwidth_nth (&MEDIA (self, index)->level, n, value);
}

/**
 * net_sip_sdp_get_media_bandwidth:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @bwtype: the bandwidth type, such as `AS` or `TIAS` (compared exactly)
 * @value: (out) (optional): return location for the bandwidth, in the unit
 *   of @bwtype (kilobits per second for `CT` and `AS`)
 *
 * Looks up the medium's first `b=` line of type @bwtype (RFC 4566 §5.8);
 * this does not fall back to the session level.
 *
 * Returns: %TRUE if there is one
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_get_media_bandwidth (NetSipSdp  *self,
                                 guint       index,
                                 const char *bwtype,
                                 guint64    *value)
{
  GET_MEDIA_OR_RETURN (self, index, FALSE);
  g_return_val_if_fail (bwtype != NULL, FALSE);

  return level_get_bandwidth (&MEDIA (self, index)->level, bwtype, value);
}

/**
 * net_sip_sdp_set_media_bandwidth:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @bwtype: the bandwidth type, a token such as `AS` or `TIAS`
 * @value: the bandwidth, in the unit of @bwtype (kilobits per second for
 *   `CT` and `AS`)
 *
 * Sets the medium's `b=<bwtype>:<value>` line (RFC 4566 §5.8), replacing
 * those of the same type or adding one.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_media_bandwidth (NetSipSdp  *self,
                                 guint       index,
                                 const char *bwtype,
                                 guint64     value)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);
  g_return_if_fail (is_token (bwtype));

  level_set_bandwidth (&MEDIA (self, index)->level, bwtype, value);
}

/**
 * net_sip_sdp_get_media_n_attributes:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the number of the medium's `a=` lines (RFC 4566 §5.13).
 *
 * Returns: the number of media attributes
 *
 * Since: 1.0
 */
guint
net_sip_sdp_get_media_n_attributes (NetSipSdp *self,
                                    guint      index)
{
  GET_MEDIA_OR_RETURN (self, index, 0);

  return MEDIA (self, index)->level.attributes->len;
}

/**
 * net_sip_sdp_get_media_attribute_nth:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @n: the index of the attribute, below
 *   [method@NetSip.Sdp.get_media_n_attributes]
 * @value: (out) (optional) (transfer none) (nullable): return location for
 *   the value, %NULL for a property attribute such as `a=recvonly`
 *
 * Gets the medium's @n-th attribute, in the order of the description.
 *
 * Returns: (transfer none): the attribute name
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_attribute_nth (NetSipSdp   *self,
                                     guint        index,
                                     guint        n,
                                     const char **value)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);

  return level_get_attribute_nth (&MEDIA (self, index)->level, n, value);
}

/**
 * net_sip_sdp_has_media_attribute:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @name: the attribute name (compared exactly)
 *
 * Checks for a media-level attribute, with or without a value; the
 * session level is not consulted.
 *
 * Returns: %TRUE if the medium has an `a=<name>` or `a=<name>:<value>`
 *   line
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_has_media_attribute (NetSipSdp  *self,
                                 guint       index,
                                 const char *name)
{
  GET_MEDIA_OR_RETURN (self, index, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return level_find_attribute (&MEDIA (self, index)->level, name) != NULL;
}

/**
 * net_sip_sdp_get_media_attribute:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @name: the attribute name (compared exactly)
 *
 * Gets the value of the medium's first attribute called @name
 * (RFC 4566 §5.13), such as `ptime` or `rtcp`; the session level is not
 * consulted.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if there is no
 *   such attribute or it has no value
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_attribute (NetSipSdp  *self,
                                 guint       index,
                                 const char *name)
{
  SdpAttribute *attr;

  GET_MEDIA_OR_RETURN (self, index, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  attr = level_find_attribute (&MEDIA (self, index)->level, name);
  return attr ? attr->value : NULL;
}

/**
 * net_sip_sdp_get_media_attribute_values:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @name: the attribute name (compared exactly)
 *
 * Gets the values of every attribute of the medium called @name, in order,
 * for example all `rtpmap` or `candidate` values; a property attribute
 * gives an empty string.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values, an empty
 *   array if there are none
 *
 * Since: 1.0
 */
char **
net_sip_sdp_get_media_attribute_values (NetSipSdp  *self,
                                        guint       index,
                                        const char *name)
{
  GET_MEDIA_OR_RETURN (self, index, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return level_get_attribute_values (&MEDIA (self, index)->level, name);
}

/**
 * net_sip_sdp_add_media_attribute:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @name: the attribute name, a token
 * @value: (nullable): the value, text without CR or LF, or %NULL for a
 *   property attribute
 *
 * Appends an `a=<name>[:<value>]` line to the medium (RFC 4566 §5.13),
 * for example `rtpmap` with `101 telephone-event/8000`.
 *
 * Since: 1.0
 */
void
net_sip_sdp_add_media_attribute (NetSipSdp  *self,
                                 guint       index,
                                 const char *name,
                                 const char *value)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);
  g_return_if_fail (is_token (name));
  g_return_if_fail (value == NULL || is_text (value));

  g_ptr_array_add (MEDIA (self, index)->level.attributes, attribute_new (name, value));
}

/**
 * net_sip_sdp_remove_media_attribute:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @name: the attribute name (compared exactly)
 *
 * Removes every attribute of the medium called @name, for example the
 * `rtcp` or `candidate` lines a NAT helper has made stale.
 *
 * Returns: the number of attributes removed
 *
 * Since: 1.0
 */
guint
net_sip_sdp_remove_media_attribute (NetSipSdp  *self,
                                    guint       index,
                                    const char *name)
{
  GET_MEDIA_OR_RETURN (self, index, 0);
  g_return_val_if_fail (name != NULL, 0);

  return level_remove_attribute (&MEDIA (self, index)->level, name);
}

/* Reads "<pt> <encoding name>[/<clock rate>[/<encoding parameters>]]"
 * (RFC 4566 §6). A missing clock rate gives 0, missing parameters 1. */
static gboolean
parse_rtpmap (const char  *value,
              const char  *payload_type,
              char       **encoding_name,
              guint       *clock_rate,
              guint       *channels)
{
  gsize pt_len = strlen (payload_type);
  const char *p, *name;
  gsize name_len;
  guint64 clock = 0, n_channels = 1;

  if (strncmp (value, payload_type, pt_len) != 0 || value[pt_len] != ' ')
    return FALSE;
  p = value + pt_len;
  while (*p == ' ')
    p++;

  name = p;
  while (*p != '\0' && *p != '/' && *p != ' ')
    p++;
  name_len = (gsize) (p - name);
  if (name_len == 0)
    return FALSE;

  if (*p == '/')
    {
      char digits[21];
      gsize len;

      p++;
      len = strspn (p, "0123456789");
      if (len == 0 || len >= sizeof digits)
        return FALSE;
      memcpy (digits, p, len);
      digits[len] = '\0';
      if (!parse_uint (digits, G_MAXUINT32, &clock))
        return FALSE;
      p += len;

      if (*p == '/')
        {
          p++;
          len = strspn (p, "0123456789");
          if (len == 0 || len >= sizeof digits)
            return FALSE;
          memcpy (digits, p, len);
          digits[len] = '\0';
          if (!parse_uint (digits, G_MAXUINT32, &n_channels) || n_channels == 0)
            return FALSE;
          p += len;
        }
    }
  while (*p == ' ')
    p++;
  if (*p != '\0')
    return FALSE;

  if (encoding_name)
    *encoding_name = g_strndup (name, name_len);
  if (clock_rate)
    *clock_rate = (guint) clock;
  if (channels)
    *channels = (guint) n_channels;
  return TRUE;
}

/**
 * net_sip_sdp_get_media_rtpmap:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @payload_type: the payload type, as written in the `m=` line (`101`)
 * @encoding_name: (out) (optional) (transfer full): return location for
 *   the encoding name, such as `PCMU` or `telephone-event`
 * @clock_rate: (out) (optional): return location for the clock rate, in
 *   Hz; 0 if the attribute lacks it
 * @channels: (out) (optional): return location for the encoding
 *   parameters, for audio the number of channels; 1 if not given
 *
 * Looks up the medium's `a=rtpmap:<payload type> <encoding name>/<clock
 * rate>[/<encoding parameters>]` attribute (RFC 4566 §6). If there is none
 * and the medium is RTP with @payload_type in its format list, a static
 * payload type of RFC 3551 §6 (0 PCMU/8000, 8 PCMA/8000, 9 G722/8000, 18
 * G729/8000, ...) is reported.
 *
 * Returns: %TRUE if a well-formed rtpmap or a static payload type matched;
 *   the out values are left alone otherwise
 *
 * Since: 1.0
 */
gboolean
net_sip_sdp_get_media_rtpmap (NetSipSdp   *self,
                              guint        index,
                              const char  *payload_type,
                              char       **encoding_name,
                              guint       *clock_rate,
                              guint       *channels)
{
  SdpMedia *media;
  guint64 pt;

  GET_MEDIA_OR_RETURN (self, index, FALSE);
  g_return_val_if_fail (payload_type != NULL, FALSE);

  media = MEDIA (self, index);
  for (guint i = 0; i < media->level.attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (media->level.attributes, i);

      if (strcmp (attr->name, "rtpmap") == 0 && attr->value != NULL &&
          parse_rtpmap (attr->value, payload_type, encoding_name, clock_rate, channels))
        return TRUE;
    }

  /* RFC 3551 §6: static payload types need no rtpmap */
  if (!g_str_has_prefix (media->proto, "RTP/") ||
      !g_strv_contains ((const char * const *) media->formats, payload_type) ||
      !parse_uint (payload_type, 127, &pt))
    return FALSE;
  for (guint i = 0; i < G_N_ELEMENTS (static_payload_types); i++)
    {
      if (static_payload_types[i].payload_type != pt)
        continue;
      if (encoding_name)
        *encoding_name = g_strdup (static_payload_types[i].encoding_name);
      if (clock_rate)
        *clock_rate = static_payload_types[i].clock_rate;
      if (channels)
        *channels = static_payload_types[i].channels;
      return TRUE;
    }
  return FALSE;
}

/**
 * net_sip_sdp_get_media_fmtp:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @payload_type: the format, as written in the `m=` line (`101`)
 *
 * Looks up the medium's `a=fmtp:<format> <format specific parameters>`
 * attribute (RFC 4566 §6) and returns the parameters, such as `0-16` for
 * telephone-event (RFC 4733) or `annexb=no` for G.729.
 *
 * Returns: (transfer none) (nullable): the parameters, possibly empty, or
 *   %NULL if there is no fmtp attribute for @payload_type
 *
 * Since: 1.0
 */
const char *
net_sip_sdp_get_media_fmtp (NetSipSdp  *self,
                            guint       index,
                            const char *payload_type)
{
  SdpMedia *media;
  gsize pt_len;

  GET_MEDIA_OR_RETURN (self, index, NULL);
  g_return_val_if_fail (payload_type != NULL, NULL);

  media = MEDIA (self, index);
  pt_len = strlen (payload_type);
  for (guint i = 0; i < media->level.attributes->len; i++)
    {
      SdpAttribute *attr = g_ptr_array_index (media->level.attributes, i);
      const char *p;

      if (strcmp (attr->name, "fmtp") != 0 || attr->value == NULL ||
          strncmp (attr->value, payload_type, pt_len) != 0)
        continue;
      p = attr->value + pt_len;
      if (*p != ' ' && *p != '\0')
        continue;
      while (*p == ' ')
        p++;
      return p;
    }
  return NULL;
}

/**
 * net_sip_sdp_get_media_direction:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 *
 * Gets the direction of a stream: the medium's first `a=sendrecv`,
 * `a=sendonly`, `a=recvonly` or `a=inactive` attribute, else the session
 * level's (RFC 4566 §6), else %NET_SIP_SDP_DIRECTION_SENDRECV
 * (RFC 3264 §5.1).
 *
 * Returns: the effective direction
 *
 * Since: 1.0
 */
NetSipSdpDirection
net_sip_sdp_get_media_direction (NetSipSdp *self,
                                 guint      index)
{
  int dir;

  GET_MEDIA_OR_RETURN (self, index, NET_SIP_SDP_DIRECTION_SENDRECV);

  dir = level_get_direction (&MEDIA (self, index)->level);
  if (dir < 0)
    dir = level_get_direction (&self->session);
  return dir >= 0 ? (NetSipSdpDirection) dir : NET_SIP_SDP_DIRECTION_SENDRECV;
}

/**
 * net_sip_sdp_set_media_direction:
 * @self: a #NetSipSdp
 * @index: the index of the medium, below [method@NetSip.Sdp.get_n_media]
 * @direction: the direction
 *
 * Replaces the medium's direction attributes by one for @direction, where
 * the first one was (or at the end), as when putting a stream on hold
 * with `a=sendonly` (RFC 3264 §8.4). The attribute is written even when it
 * repeats the session level, so that the medium's direction stays as set
 * if the session-level one changes.
 *
 * Since: 1.0
 */
void
net_sip_sdp_set_media_direction (NetSipSdp          *self,
                                 guint               index,
                                 NetSipSdpDirection  direction)
{
  g_return_if_fail (NET_SIP_IS_SDP (self));
  g_return_if_fail (index < self->media->len);
  g_return_if_fail ((guint) direction < G_N_ELEMENTS (direction_names));

  level_set_direction (&MEDIA (self, index)->level, direction);
}
