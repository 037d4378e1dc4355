/* netsip-uri.c: SIP, SIPS, tel and absolute URIs (RFC 3261 §19.1, RFC 3966)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-uri.h"

#include <gio/gio.h>

#include "netsip-error.h"

/**
 * NetSipUri:
 *
 * A URI as found in a Request-URI, in `To`, `From`, `Contact` and
 * `Route` headers: a SIP or SIPS URI (RFC 3261 §19.1), a tel URI
 * (RFC 3966) or any other absolute URI (RFC 3261 §25.1), which is kept
 * as a scheme plus an opaque part.
 *
 * A #NetSipUri is a plain boxed value: [method@NetSip.Uri.copy] makes a
 * deep copy and the setters modify only the URI they are called on. It
 * is not thread safe; do not modify one URI from several threads at once.
 *
 * The user, password, parameter names and values and header names and
 * values are stored, and returned by the getters, with their `%HH`
 * escapes decoded exactly once: `sip:%2541@example.com` has the user
 * `%41`. [method@NetSip.Uri.to_string] escapes again whatever a
 * component cannot hold literally, so a parsed URI serialises to an
 * equal URI ([method@NetSip.Uri.equal]), though not necessarily to the
 * same bytes: escapes of characters that need none are dropped and
 * the scheme is written in lower case.
 *
 * IPv6 references (RFC 5118): the host is stored and returned without
 * its brackets. Following RFC 5118 §4.10, the form
 * `[2001:db8:::192.0.2.1]` that RFC 3261's ABNF admits (three colons
 * before an embedded IPv4 address) is accepted and normalised to
 * `2001:db8::192.0.2.1`; any other text is stored as written.
 * Zone identifiers (RFC 6874) are not supported.
 *
 * Strings returned by the getters belong to the URI and stay valid
 * until it is modified or freed.
 *
 * Since: 1.0
 */

/* Longest input net_sip_uri_parse() accepts; offsets are 32-bit. */
#define URI_MAX_LENGTH (16 * 1024 * 1024)

/* Longest IPv6 address text we accept (45 characters for
 * ffff:...:255.255.255.255, one more for the RFC 5118 §4.10 colon). */
#define IPV6_TEXT_MAX 48

/* Most pairs a parsed URI holds in its own allocation. */
#define INLINE_PAIRS_MAX 32

#define SPAN_NONE G_MAXUINT32

/* A string in the URI's buffer: buf[off .. off+len) followed by a NUL.
 * Decoded strings may also contain NULs (RFC 4475 escnull), hence len. */
typedef struct {
  guint32 off;
  guint32 len;
} Span;

/* A uri-parameter or a header; value.off == SPAN_NONE for a parameter
 * without "=value" (headers always have a value, possibly empty). */
typedef struct {
  Span name;
  Span value;
} Pair;

typedef enum {
  URI_KIND_SIP,
  URI_KIND_SIPS,
  URI_KIND_TEL,
  URI_KIND_OTHER,
} UriKind;

struct _NetSipUri {
  /* Every string of the URI, one after the other. A parsed or copied URI
   * is a single allocation: the struct, then the pairs, then the
   * strings; the setters move the pairs or the strings to their own
   * allocation once those are full. */
  char    *buf;
  gsize    buf_len;
  gsize    buf_alloc;
  Pair    *pairs;         /* n_params uri-parameters, then n_headers headers */
  guint    n_params;
  guint    n_headers;
  guint    pairs_alloc;

  Span     scheme;        /* URI_KIND_OTHER only, lower case */
  Span     user;          /* SIP/SIPS user, tel number */
  Span     password;
  Span     host;          /* without the brackets of an IPv6 reference */
  Span     opaque;        /* URI_KIND_OTHER only: the text after "scheme:" */
  guint16  port;          /* 0: absent */
  guint8   kind;
  guint    host_is_ipv6 : 1;
  guint    buf_inline : 1;
  guint    pairs_inline : 1;
};

static const Span span_none = { SPAN_NONE, 0 };

/* Character classes of RFC 3261 §25.1, one bit per component: which
 * characters the component may hold unescaped. */
enum {
  C_USER     = 1 << 0,  /* unreserved / user-unreserved */
  C_PASSWORD = 1 << 1,  /* unreserved / "&" "=" "+" "$" "," */
  C_PARAM    = 1 << 2,  /* paramchar: unreserved / param-unreserved */
  C_HEADER   = 1 << 3,  /* unreserved / hnv-unreserved */
  C_TEL      = 1 << 4,  /* RFC 3966 number: unreserved / "+" */
  C_OPAQUE   = 1 << 5,  /* absoluteURI: RFC 2396 uric without "%" */
  C_HOST     = 1 << 6,  /* hostname and IPv4address characters */
  C_SCHEME   = 1 << 7,  /* ALPHA / DIGIT / "+" / "-" / "." */
};

#define C_UNRESERVED (C_USER | C_PASSWORD | C_PARAM | C_HEADER | C_TEL | C_OPAQUE)

/* Non-alphanumeric ASCII; letters and digits belong to every class. */
static const guint8 punct_class[128] = {
  ['-']  = C_UNRESERVED | C_HOST | C_SCHEME,
  ['.']  = C_UNRESERVED | C_HOST | C_SCHEME,
  ['_']  = C_UNRESERVED,
  ['!']  = C_UNRESERVED,
  ['~']  = C_UNRESERVED,
  ['*']  = C_UNRESERVED,
  ['\''] = C_UNRESERVED,
  ['(']  = C_UNRESERVED,
  [')']  = C_UNRESERVED,
  ['+']  = C_UNRESERVED | C_SCHEME,
  ['&']  = C_USER | C_PASSWORD | C_PARAM | C_OPAQUE,
  ['$']  = C_USER | C_PASSWORD | C_PARAM | C_HEADER | C_OPAQUE,
  ['=']  = C_USER | C_PASSWORD | C_OPAQUE,
  [',']  = C_USER | C_PASSWORD | C_OPAQUE,
  [';']  = C_USER | C_OPAQUE,
  ['?']  = C_USER | C_HEADER | C_OPAQUE,
  ['/']  = C_USER | C_PARAM | C_HEADER | C_OPAQUE,
  [':']  = C_PARAM | C_HEADER | C_OPAQUE,
  ['[']  = C_PARAM | C_HEADER | C_OPAQUE,
  [']']  = C_PARAM | C_HEADER | C_OPAQUE,
  ['@']  = C_OPAQUE,
  ['#']  = C_OPAQUE,
};

static inline guint8
char_class (guchar c)
{
  if (c >= 0x80)
    return 0;
  if (g_ascii_isalnum (c))
    return 0xff;
  return punct_class[c];
}

/* The parameters that make two SIP URIs differ when only one of them
 * has it (RFC 3261 §19.1.4; transport as its examples show). */
static const char * const significant_params[] = {
  "user", "ttl", "method", "maddr", "transport",
};

/* --- Buffer ------------------------------------------------------------ */

static inline gboolean
span_present (Span s)
{
  return s.off != SPAN_NONE;
}

static inline const char *
span_str (const NetSipUri *uri,
          Span             s)
{
  return s.off == SPAN_NONE ? NULL : uri->buf + s.off;
}

static gsize
live_size (const NetSipUri *uri)
{
  gsize size = 0;
  guint i;

#define ADD(s) if (span_present (s)) size += (gsize) (s).len + 1
  ADD (uri->scheme);
  ADD (uri->user);
  ADD (uri->password);
  ADD (uri->host);
  ADD (uri->opaque);
  for (i = 0; i < uri->n_params + uri->n_headers; i++)
    {
      ADD (uri->pairs[i].name);
      ADD (uri->pairs[i].value);
    }
#undef ADD

  return size;
}

static Span
move_span (const char *from,
           Span        s,
           char       *to,
           gsize      *pos)
{
  Span moved;

  if (!span_present (s))
    return s;
  memcpy (to + *pos, from + s.off, (gsize) s.len + 1);
  moved.off = (guint32) *pos;
  moved.len = s.len;
  *pos += (gsize) s.len + 1;
  return moved;
}

/* Copies the live strings of @src into @to (at least live_size() bytes)
 * and points the spans of @dst at them. @dst may be @src; its pairs must
 * already be a copy of @src's. Values replaced by setters are dropped. */
static gsize
pack_strings (const NetSipUri *src,
              NetSipUri       *dst,
              char            *to)
{
  const char *from = src->buf;
  gsize pos = 0;
  guint i;

  dst->scheme = move_span (from, src->scheme, to, &pos);
  dst->user = move_span (from, src->user, to, &pos);
  dst->password = move_span (from, src->password, to, &pos);
  dst->host = move_span (from, src->host, to, &pos);
  dst->opaque = move_span (from, src->opaque, to, &pos);
  for (i = 0; i < src->n_params + src->n_headers; i++)
    {
      dst->pairs[i].name = move_span (from, src->pairs[i].name, to, &pos);
      dst->pairs[i].value = move_span (from, src->pairs[i].value, to, &pos);
    }

  return pos;
}

/* Makes room for @extra more bytes of strings. Once the buffer must grow,
 * only the live strings move to the new one, so a URI that is modified
 * over and over does not keep every old value. */
static void
uri_reserve (NetSipUri *uri,
             gsize      extra)
{
  gsize want, alloc;
  char *old, *to;

  if (uri->buf_alloc - uri->buf_len >= extra)
    return;

  want = live_size (uri) + extra;
  if (want > G_MAXUINT32 / 2)
    g_error ("%s: URI larger than %u bytes", G_STRFUNC, G_MAXUINT32 / 2);
  alloc = want + want / 2 + 32;

  old = uri->buf;
  to = g_malloc (alloc);
  uri->buf_len = pack_strings (uri, uri, to);
  uri->buf = to;
  uri->buf_alloc = alloc;
  if (!uri->buf_inline)
    g_free (old);
  uri->buf_inline = FALSE;
}

/* Appends @len bytes and a NUL; the caller reserved the room. */
static Span
buf_append (NetSipUri  *uri,
            const char *s,
            gsize       len)
{
  Span span;

  g_assert (uri->buf_alloc - uri->buf_len >= len + 1);

  span.off = (guint32) uri->buf_len;
  span.len = (guint32) len;
  if (len > 0)
    memcpy (uri->buf + uri->buf_len, s, len);
  uri->buf[uri->buf_len + len] = '\0';
  uri->buf_len += len + 1;

  return span;
}

/* Appends [s, s+len) with its %HH escapes decoded once. The text was
 * checked by check_component(): every '%' starts a valid escape. */
static Span
buf_append_decoded (NetSipUri  *uri,
                    const char *s,
                    gsize       len)
{
  Span span;
  char *out;
  gsize i;

  g_assert (uri->buf_alloc - uri->buf_len >= len + 1);

  span.off = (guint32) uri->buf_len;
  out = uri->buf + uri->buf_len;
  for (i = 0; i < len; i++)
    {
      if (s[i] == '%')
        {
          *out++ = (char) ((g_ascii_xdigit_value (s[i + 1]) << 4) |
                           g_ascii_xdigit_value (s[i + 2]));
          i += 2;
        }
      else
        *out++ = s[i];
    }
  *out = '\0';
  span.len = (guint32) (out - (uri->buf + uri->buf_len));
  uri->buf_len += (gsize) span.len + 1;

  return span;
}

static NetSipUri *
uri_alloc (guint n_pairs,
           gsize buf_size)
{
  NetSipUri *uri;
  gsize pairs_size = (gsize) n_pairs * sizeof (Pair);

  uri = g_malloc (sizeof (NetSipUri) + pairs_size + buf_size);
  memset (uri, 0, sizeof (NetSipUri));
  uri->pairs = n_pairs > 0 ? (Pair *) (uri + 1) : NULL;
  uri->pairs_alloc = n_pairs;
  uri->pairs_inline = TRUE;
  uri->buf = (char *) (uri + 1) + pairs_size;
  uri->buf_alloc = buf_size;
  uri->buf_inline = TRUE;
  uri->scheme = uri->user = uri->password = uri->host = uri->opaque = span_none;

  return uri;
}

static void
pairs_insert (NetSipUri *uri,
              guint      index,
              Pair       pair)
{
  guint n = uri->n_params + uri->n_headers;

  if (n == uri->pairs_alloc)
    {
      guint alloc = MAX (4, uri->pairs_alloc * 2);
      Pair *pairs = g_new (Pair, alloc);

      if (n > 0)
        memcpy (pairs, uri->pairs, n * sizeof (Pair));
      if (!uri->pairs_inline)
        g_free (uri->pairs);
      uri->pairs = pairs;
      uri->pairs_alloc = alloc;
      uri->pairs_inline = FALSE;
    }

  memmove (&uri->pairs[index + 1], &uri->pairs[index], (n - index) * sizeof (Pair));
  uri->pairs[index] = pair;
}

static void
pairs_remove (NetSipUri *uri,
              guint      index)
{
  guint n = uri->n_params + uri->n_headers;

  memmove (&uri->pairs[index], &uri->pairs[index + 1], (n - index - 1) * sizeof (Pair));
}

/* A setter's argument may be a string returned by a getter of the same
 * URI: copy it before the buffer moves. */
static const char *
detach (const NetSipUri  *uri,
        const char       *s,
        char            **tmp)
{
  guintptr p = (guintptr) s, start = (guintptr) uri->buf;

  if (s != NULL && p >= start && p < start + uri->buf_alloc)
    return *tmp = g_strdup (s);
  return s;
}

/* --- Comparison helpers -------------------------------------------------- */

static gboolean
mem_equal_ci (const char *a,
              const char *b,
              gsize       len)
{
  gsize i;

  for (i = 0; i < len; i++)
    if (g_ascii_tolower (a[i]) != g_ascii_tolower (b[i]))
      return FALSE;
  return TRUE;
}

static gboolean
span_equal (const NetSipUri *a,
            Span             sa,
            const NetSipUri *b,
            Span             sb,
            gboolean         ci)
{
  if (span_present (sa) != span_present (sb))
    return FALSE;
  if (!span_present (sa))
    return TRUE;
  if (sa.len != sb.len)
    return FALSE;
  if (ci)
    return mem_equal_ci (a->buf + sa.off, b->buf + sb.off, sa.len);
  return memcmp (a->buf + sa.off, b->buf + sb.off, sa.len) == 0;
}

/* Index of the first pair in [from, to) named @name (case-insensitive),
 * or -1. */
static int
find_pair (const NetSipUri *uri,
           guint            from,
           guint            to,
           const char      *name,
           gsize            len)
{
  guint i;

  for (i = from; i < to; i++)
    {
      Span n = uri->pairs[i].name;

      if (n.len == len && mem_equal_ci (uri->buf + n.off, name, len))
        return (int) i;
    }
  return -1;
}

static gboolean
is_visual_separator (char c)
{
  /* RFC 3966 §3: visual-separator = "-" / "." / "(" / ")" */
  return c == '-' || c == '.' || c == '(' || c == ')';
}

/* Telephone numbers compared as RFC 3966 §4 asks: visual separators
 * ignored, hex digits of local numbers case-insensitive. */
static gboolean
tel_digits_equal (const char *a,
                  gsize       alen,
                  const char *b,
                  gsize       blen)
{
  gsize i = 0, j = 0;

  for (;;)
    {
      while (i < alen && is_visual_separator (a[i]))
        i++;
      while (j < blen && is_visual_separator (b[j]))
        j++;
      if (i == alen || j == blen)
        return i == alen && j == blen;
      if (g_ascii_tolower (a[i]) != g_ascii_tolower (b[j]))
        return FALSE;
      i++;
      j++;
    }
}

static gboolean
ipv6_equal (const char *a,
            const char *b)
{
  g_autoptr(GInetAddress) ia = g_inet_address_new_from_string (a);
  g_autoptr(GInetAddress) ib = g_inet_address_new_from_string (b);

  if (ia != NULL && ib != NULL)
    return g_inet_address_equal (ia, ib);
  return g_ascii_strcasecmp (a, b) == 0;
}

/* --- Validation shared by the parser and the setters --------------------- */

static const char *
ipv4_problem (const char *p,
              gsize       len)
{
  gsize i = 0;
  guint parts = 0;

  /* IPv4address = 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT "." 1*3DIGIT */
  for (;;)
    {
      guint digits = 0, value = 0;

      while (i < len && g_ascii_isdigit (p[i]))
        {
          if (++digits > 3)
            return "invalid IPv4 address";
          value = value * 10 + (guint) (p[i] - '0');
          i++;
        }
      if (digits == 0 || value > 255)
        return "invalid IPv4 address";
      parts++;
      if (i == len)
        break;
      i++;  /* '.' */
    }

  return parts == 4 ? NULL : "invalid IPv4 address";
}

/* Why [p, p+len) is neither a hostname nor an IPv4 address, or NULL
 * (RFC 3261 §25.1: hostname = *( domainlabel "." ) toplabel [ "." ]). */
static const char *
hostname_problem (const char *p,
                  gsize       len)
{
  gboolean numeric = TRUE, digit = FALSE;
  gsize i, label = 0, top = 0;

  if (len == 0)
    return "empty";
  for (i = 0; i < len; i++)
    {
      if (!(char_class ((guchar) p[i]) & C_HOST))
        return "invalid character";
      if (g_ascii_isdigit (p[i]))
        digit = TRUE;
      else if (p[i] != '.')
        numeric = FALSE;
    }
  /* Digits and dots only: no hostname (its top label starts with a
   * letter), so it must be an IPv4 address. */
  if (numeric && digit)
    return ipv4_problem (p, len);

  if (p[len - 1] == '.')
    len--;
  for (i = 0; i <= len; i++)
    {
      if (i < len && p[i] != '.')
        continue;
      if (i == label)
        return "empty label";
      if (p[label] == '-' || p[i - 1] == '-')
        return "label starts or ends with '-'";
      top = label;
      label = i + 1;
    }
  if (!g_ascii_isalpha (p[top]))
    return "top-level label does not start with a letter";

  return NULL;
}

/* Checks the text of an IPv6 address (without brackets) and writes it,
 * NUL-terminated, to @out: as given, except that the RFC 5118 §4.10 form
 * "2001:db8:::192.0.2.1" becomes "2001:db8::192.0.2.1". */
static gboolean
ipv6_normalise (const char *p,
                gsize       len,
                char        out[IPV6_TEXT_MAX],
                gsize      *out_len)
{
  gsize i, n = 0, triple = G_MAXSIZE;

  if (len == 0 || len >= IPV6_TEXT_MAX)
    return FALSE;
  for (i = 0; i < len; i++)
    if (!g_ascii_isxdigit (p[i]) && p[i] != ':' && p[i] != '.')
      return FALSE;

  for (i = 0; i + 2 < len; i++)
    if (p[i] == ':' && p[i + 1] == ':' && p[i + 2] == ':')
      {
        triple = i;
        break;
      }

  if (triple != G_MAXSIZE)
    {
      /* RFC 3261's ABNF admits hexseq "::" followed by ":" IPv4address;
       * RFC 4291 does not. Accept only exactly that: three colons, then
       * a dotted IPv4 address and nothing else. */
      const char *rest = p + triple + 3;
      gsize rest_len = len - triple - 3;

      if (rest_len == 0 || memchr (rest, ':', rest_len) != NULL ||
          memchr (rest, '.', rest_len) == NULL)
        return FALSE;
      memcpy (out, p, triple + 2);
      memcpy (out + triple + 2, rest, rest_len);
      n = triple + 2 + rest_len;
    }
  else
    {
      memcpy (out, p, len);
      n = len;
    }
  out[n] = '\0';

  if (memchr (out, ':', n) == NULL || !g_hostname_is_ip_address (out))
    return FALSE;

  *out_len = n;
  return TRUE;
}

/* Why @s (decoded) is not an RFC 3966 telephone-subscriber number, or
 * NULL. global-number-digits = "+" *phonedigit DIGIT *phonedigit;
 * local-number-digits = *phonedigit-hex (HEXDIG / "*" / "#") *phonedigit-hex */
static const char *
tel_number_problem (const char *s,
                    gsize       len)
{
  gboolean global, have_digit = FALSE;
  gsize i;

  if (len == 0)
    return "empty";
  global = s[0] == '+';
  for (i = global ? 1 : 0; i < len; i++)
    {
      char c = s[i];

      if (is_visual_separator (c))
        continue;
      if (global ? g_ascii_isdigit (c) : (g_ascii_isxdigit (c) || c == '*' || c == '#'))
        have_digit = TRUE;
      else
        return global ? "a global number holds only digits and visual separators"
                      : "a local number holds only hex digits, '*', '#' and visual separators";
    }

  return have_digit ? NULL : "no digits";
}

/* Parses a host given to a setter or to net_sip_uri_new(): a hostname,
 * an IPv4 address or an IPv6 address with or without brackets. */
static gboolean
host_from_string (const char *host,
                  char        out[IPV6_TEXT_MAX],
                  const char **result,
                  gsize       *result_len,
                  gboolean    *ipv6)
{
  gsize len = strlen (host);

  if (len >= 2 && host[0] == '[' && host[len - 1] == ']')
    {
      *ipv6 = TRUE;
      *result = out;
      return ipv6_normalise (host + 1, len - 2, out, result_len);
    }
  if (strchr (host, ':') != NULL)
    {
      *ipv6 = TRUE;
      *result = out;
      return ipv6_normalise (host, len, out, result_len);
    }

  *ipv6 = FALSE;
  *result = host;
  *result_len = len;
  return hostname_problem (host, len) == NULL;
}

static UriKind
kind_from_scheme (const char *scheme,
                  gsize       len)
{
  if (len == 3 && g_ascii_strncasecmp (scheme, "sip", 3) == 0)
    return URI_KIND_SIP;
  if (len == 4 && g_ascii_strncasecmp (scheme, "sips", 4) == 0)
    return URI_KIND_SIPS;
  if (len == 3 && g_ascii_strncasecmp (scheme, "tel", 3) == 0)
    return URI_KIND_TEL;
  return URI_KIND_OTHER;
}

/* --- Parser -------------------------------------------------------------- */

typedef struct {
  const char *text;
  gsize       length;
  GError    **error;
} ParseCtx;

#define QUOTE_MAX 200

static char *
quote_text (const char *text,
            gsize       length)
{
  GString *s = g_string_sized_new (MIN (length, QUOTE_MAX) + 8);
  gsize i;

  for (i = 0; i < length && i < QUOTE_MAX; i++)
    {
      guchar c = (guchar) text[i];

      if (c == '\\')
        g_string_append (s, "\\\\");
      else if (c >= 0x20 && c < 0x7f)
        g_string_append_c (s, (char) c);
      else
        g_string_append_printf (s, "\\x%02x", c);
    }
  if (length > QUOTE_MAX)
    g_string_append (s, "...");

  return g_string_free (s, FALSE);
}

static gboolean parse_fail (ParseCtx   *ctx,
                            const char *format,
                            ...) G_GNUC_PRINTF (2, 3);

/* Sets "URI '<text>': <what>" and returns FALSE. */
static gboolean
parse_fail (ParseCtx   *ctx,
            const char *format,
            ...)
{
  g_autofree char *quoted = NULL;
  g_autofree char *what = NULL;
  va_list args;

  if (ctx->error == NULL)
    return FALSE;

  va_start (args, format);
  what = g_strdup_vprintf (format, args);
  va_end (args);
  quoted = quote_text (ctx->text, ctx->length);
  g_set_error (ctx->error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_URI,
               "URI '%s': %s", quoted, what);
  return FALSE;
}

static gboolean
fail_char (ParseCtx   *ctx,
           const char *at,
           const char *where)
{
  guchar c = (guchar) *at;
  gsize offset = (gsize) (at - ctx->text);

  if (c > 0x20 && c < 0x7f)
    return parse_fail (ctx, "invalid character '%c' at offset %" G_GSIZE_FORMAT " in %s",
                       c, offset, where);
  return parse_fail (ctx, "invalid character 0x%02x at offset %" G_GSIZE_FORMAT " in %s",
                     c, offset, where);
}

/* Checks that [p, end) holds only characters of @cls and valid %HH
 * escapes (RFC 3261 §25.1: escaped = "%" HEXDIG HEXDIG). */
static gboolean
check_component (ParseCtx   *ctx,
                 const char *p,
                 const char *end,
                 guint8      cls,
                 const char *where)
{
  for (; p < end; p++)
    {
      if (*p == '%')
        {
          if (end - p < 3 || !g_ascii_isxdigit (p[1]) || !g_ascii_isxdigit (p[2]))
            return parse_fail (ctx, "invalid escape at offset %" G_GSIZE_FORMAT
                               " in %s ('%%' must be followed by two hex digits)",
                               (gsize) (p - ctx->text), where);
          p += 2;
        }
      else if (!(char_class ((guchar) *p) & cls))
        return fail_char (ctx, p, where);
    }
  return TRUE;
}

static gboolean
parse_hostport (ParseCtx    *ctx,
                NetSipUri   *uri,
                const char **pp,
                const char  *end)
{
  const char *p = *pp;

  if (p == end || *p == ';' || *p == '?')
    return parse_fail (ctx, "missing host");

  if (*p == '[')
    {
      /* IPv6reference = "[" IPv6address "]"; everything inside the
       * brackets is the address, so "[2001:db8::10:5070]" has no port
       * (RFC 5118 §4.3). */
      const char *close = memchr (p, ']', (gsize) (end - p));
      char text[IPV6_TEXT_MAX];
      gsize len;

      if (close == NULL)
        return parse_fail (ctx, "unterminated IPv6 reference at offset %" G_GSIZE_FORMAT,
                           (gsize) (p - ctx->text));
      if (!ipv6_normalise (p + 1, (gsize) (close - p - 1), text, &len))
        {
          g_autofree char *quoted = quote_text (p, (gsize) (close - p + 1));
          return parse_fail (ctx, "invalid IPv6 reference '%s'", quoted);
        }
      uri_reserve (uri, len + 1);
      uri->host = buf_append (uri, text, len);
      uri->host_is_ipv6 = TRUE;
      p = close + 1;
      if (p < end && *p != ':' && *p != ';' && *p != '?')
        return fail_char (ctx, p, "host (after the IPv6 reference)");
    }
  else
    {
      const char *host = p, *q;
      const char *problem;

      while (p < end && *p != ':' && *p != ';' && *p != '?')
        p++;

      /* RFC 5118 §4.2: an IPv6 address must be in brackets. A second
       * ':' before the parameters means one was written without. */
      if (p < end && *p == ':')
        for (q = p + 1; q < end && *q != ';' && *q != '?'; q++)
          if (*q == ':')
            return parse_fail (ctx, "IPv6 address not enclosed in '[' ']' (RFC 5118 §4.2)");

      if (host == p)
        return parse_fail (ctx, "missing host");
      for (q = host; q < p; q++)
        if (!(char_class ((guchar) *q) & C_HOST))
          return fail_char (ctx, q, "host");
      problem = hostname_problem (host, (gsize) (p - host));
      if (problem != NULL)
        return parse_fail (ctx, "host '%.*s': %s", (int) (p - host), host, problem);

      uri_reserve (uri, (gsize) (p - host) + 1);
      uri->host = buf_append (uri, host, (gsize) (p - host));
    }

  if (p < end && *p == ':')
    {
      const char *digits = ++p;
      guint32 port = 0;

      /* Stop accumulating past 65535 so that no length of digits can
       * overflow. */
      while (p < end && g_ascii_isdigit (*p))
        {
          if (port <= 65535)
            port = port * 10 + (guint32) (*p - '0');
          p++;
        }
      if (p < end && *p != ';' && *p != '?')
        return fail_char (ctx, p, "port");
      if (p == digits)
        return parse_fail (ctx, "missing port number after ':'");
      if (port == 0 || port > 65535)
        return parse_fail (ctx, "port out of range");
      uri->port = (guint16) port;
    }

  *pp = p;
  return TRUE;
}

/* uri-parameters = *( ";" uri-parameter ), the same for tel URIs
 * (RFC 3966 §3 par, with the looser RFC 3261 paramchar). */
static gboolean
parse_params (ParseCtx    *ctx,
              NetSipUri   *uri,
              const char **pp,
              const char  *end)
{
  const char *p = *pp;

  while (p < end && *p == ';')
    {
      const char *name = ++p, *name_end, *value = NULL, *value_end = NULL;
      Pair pair;

      while (p < end && *p != '=' && *p != ';' && *p != '?')
        p++;
      name_end = p;
      if (name == name_end)
        return parse_fail (ctx, "empty parameter name at offset %" G_GSIZE_FORMAT,
                           (gsize) (name - ctx->text));
      if (!check_component (ctx, name, name_end, C_PARAM, "parameter name"))
        return FALSE;

      if (p < end && *p == '=')
        {
          value = ++p;
          while (p < end && *p != ';' && *p != '?')
            p++;
          value_end = p;
          /* pvalue = 1*paramchar */
          if (value == value_end)
            return parse_fail (ctx, "parameter '%.*s' has an empty value",
                               (int) (name_end - name), name);
          if (!check_component (ctx, value, value_end, C_PARAM, "parameter value"))
            return FALSE;
        }

      uri_reserve (uri, (gsize) (name_end - name) + 1 +
                        (value != NULL ? (gsize) (value_end - value) + 1 : 0));
      pair.name = buf_append_decoded (uri, name, (gsize) (name_end - name));
      pair.value = value != NULL ? buf_append_decoded (uri, value, (gsize) (value_end - value))
                                 : span_none;

      /* RFC 3261 §19.1.1: a parameter name must not appear twice. */
      if (find_pair (uri, 0, uri->n_params, uri->buf + pair.name.off, pair.name.len) >= 0)
        return parse_fail (ctx, "duplicate parameter '%.*s'", (int) (name_end - name), name);

      pairs_insert (uri, uri->n_params, pair);
      uri->n_params++;
    }

  *pp = p;
  return TRUE;
}

/* headers = "?" header *( "&" header ); header = hname "=" hvalue */
static gboolean
parse_headers (ParseCtx   *ctx,
               NetSipUri  *uri,
               const char *p,
               const char *end)
{
  for (;;)
    {
      const char *name = p, *name_end, *value;
      Pair pair;

      while (p < end && *p != '=' && *p != '&')
        p++;
      name_end = p;
      if (name == name_end)
        return parse_fail (ctx, "empty header name at offset %" G_GSIZE_FORMAT,
                           (gsize) (name - ctx->text));
      if (!check_component (ctx, name, name_end, C_HEADER, "header name"))
        return FALSE;
      if (p == end || *p != '=')
        return parse_fail (ctx, "header '%.*s' has no '=' and value",
                           (int) (name_end - name), name);

      value = ++p;
      while (p < end && *p != '&')
        p++;
      if (!check_component (ctx, value, p, C_HEADER, "header value"))
        return FALSE;

      uri_reserve (uri, (gsize) (name_end - name) + (gsize) (p - value) + 2);
      pair.name = buf_append_decoded (uri, name, (gsize) (name_end - name));
      pair.value = buf_append_decoded (uri, value, (gsize) (p - value));
      pairs_insert (uri, uri->n_params + uri->n_headers, pair);
      uri->n_headers++;

      if (p == end)
        return TRUE;
      p++;  /* '&' */
    }
}

/* SIP-URI = "sip:" [ userinfo ] hostport uri-parameters [ headers ] */
static gboolean
parse_sip (ParseCtx   *ctx,
           NetSipUri  *uri,
           const char *p,
           const char *end)
{
  /* '@' can appear nowhere but at the end of the userinfo; the user part
   * may hold ';' and '?' (user-unreserved, RFC 4475 §3.1.1.9 semiuri),
   * so the userinfo is everything up to the '@', if there is one. */
  const char *at = memchr (p, '@', (gsize) (end - p));

  if (at != NULL)
    {
      const char *colon = memchr (p, ':', (gsize) (at - p));
      const char *user_end = colon != NULL ? colon : at;

      if (user_end == p)
        return parse_fail (ctx, "empty user part");
      if (!check_component (ctx, p, user_end, C_USER, "user part"))
        return FALSE;
      if (colon != NULL && !check_component (ctx, colon + 1, at, C_PASSWORD, "password"))
        return FALSE;

      uri_reserve (uri, (gsize) (at - p) + 2);
      uri->user = buf_append_decoded (uri, p, (gsize) (user_end - p));
      if (colon != NULL)
        uri->password = buf_append_decoded (uri, colon + 1, (gsize) (at - colon - 1));
      p = at + 1;
    }

  if (!parse_hostport (ctx, uri, &p, end) ||
      !parse_params (ctx, uri, &p, end))
    return FALSE;

  if (p < end)
    {
      g_assert (*p == '?');
      return parse_headers (ctx, uri, p + 1, end);
    }
  return TRUE;
}

/* telephone-uri = "tel:" telephone-subscriber (RFC 3966 §3) */
static gboolean
parse_tel (ParseCtx   *ctx,
           NetSipUri  *uri,
           const char *p,
           const char *end)
{
  const char *number = p;
  const char *problem;

  while (p < end && *p != ';')
    p++;
  if (number == p)
    return parse_fail (ctx, "missing telephone number");
  if (!check_component (ctx, number, p, C_TEL, "telephone number"))
    return FALSE;

  uri_reserve (uri, (gsize) (p - number) + 1);
  uri->user = buf_append_decoded (uri, number, (gsize) (p - number));
  problem = tel_number_problem (uri->buf + uri->user.off, uri->user.len);
  if (problem != NULL)
    return parse_fail (ctx, "invalid telephone number: %s", problem);

  if (!parse_params (ctx, uri, &p, end))
    return FALSE;
  if (p < end)
    return parse_fail (ctx, "tel URIs have no headers ('?' at offset %" G_GSIZE_FORMAT ")",
                       (gsize) (p - ctx->text));
  return TRUE;
}

/* absoluteURI (RFC 3261 §25.1): kept as scheme and opaque text. */
static gboolean
parse_other (ParseCtx   *ctx,
             NetSipUri  *uri,
             const char *scheme,
             gsize       scheme_len,
             const char *p,
             const char *end)
{
  gsize i;

  if (!check_component (ctx, p, end, C_OPAQUE, "URI"))
    return FALSE;

  uri_reserve (uri, scheme_len + (gsize) (end - p) + 2);
  uri->scheme = buf_append (uri, scheme, scheme_len);
  for (i = 0; i < scheme_len; i++)
    uri->buf[uri->scheme.off + i] = g_ascii_tolower (scheme[i]);
  uri->opaque = buf_append (uri, p, (gsize) (end - p));
  return TRUE;
}

/**
 * net_sip_uri_parse:
 * @text: (array length=length) (element-type guint8): the URI
 * @length: length of @text in bytes, or -1 if it is NUL-terminated
 * @error: return location for a #GError
 *
 * Parses a SIP or SIPS URI (RFC 3261 §19.1.1), a tel URI (RFC 3966) or
 * any other absolute URI (RFC 3261 §25.1). The scheme is
 * case-insensitive.
 *
 * When @length is not -1, @text need not be NUL-terminated and no byte
 * past @length is read; a NUL byte in the first @length bytes is an
 * error, like any other control character, space, `<`, `>` or `"`.
 * Escaped NULs (`%00`) are legal in the user part (RFC 4475 §3.1.1.4),
 * see [method@NetSip.Uri.get_user_length].
 *
 * SIP and SIPS URIs follow the grammar strictly: the host is a
 * hostname, an IPv4 address or an IPv6 reference in brackets (a bare
 * IPv6 address is refused, RFC 5118 §4.2), the port is 1 to 65535, a
 * parameter name appears only once (§19.1.1), a parameter has either no
 * value or a non-empty one, every header has `=`, and `%` always starts
 * a two-hex-digit escape. In a tel URI the number is a global
 * (`+1-201-555-0123`) or local number; a local number's `phone-context`
 * parameter is not required. Other URIs are only checked for characters
 * and escapes.
 *
 * Errors: %NET_SIP_PARSE_ERROR_URI, with a message that quotes @text
 * and says what was wrong and where, for example
 * `URI 'sip:a@b:99999': port out of range`.
 *
 * Returns: (transfer full) (nullable): the URI, or %NULL on error
 *
 * Since: 1.0
 */
NetSipUri *
net_sip_uri_parse (const char  *text,
                   gssize       length,
                   GError     **error)
{
  g_autoptr(NetSipUri) uri = NULL;
  ParseCtx ctx;
  const char *p, *end, *colon;
  guint n_pairs = 0;
  gboolean ok;
  UriKind kind;

  g_return_val_if_fail (text != NULL || length == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (length < 0)
    length = (gssize) strlen (text);

  ctx.text = text;
  ctx.length = (gsize) length;
  ctx.error = error;

  if (length == 0)
    {
      parse_fail (&ctx, "empty");
      return NULL;
    }
  if ((gsize) length > URI_MAX_LENGTH)
    {
      parse_fail (&ctx, "longer than %d bytes", URI_MAX_LENGTH);
      return NULL;
    }

  p = text;
  end = text + length;

  /* scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
  if (!g_ascii_isalpha (*p))
    {
      parse_fail (&ctx, "missing scheme");
      return NULL;
    }
  for (colon = p + 1; colon < end && (char_class ((guchar) *colon) & C_SCHEME); colon++)
    ;
  if (colon == end)
    {
      parse_fail (&ctx, "missing ':' after the scheme");
      return NULL;
    }
  if (*colon != ':')
    {
      fail_char (&ctx, colon, "scheme");
      return NULL;
    }
  kind = kind_from_scheme (p, (gsize) (colon - p));

  /* One allocation: room for as many pairs as there are separators (up
   * to a bound; more go to the heap) and for every string, which decoded
   * is never longer than its text. */
  if (kind != URI_KIND_OTHER)
    {
      const char *q;

      for (q = colon; q < end && n_pairs < INLINE_PAIRS_MAX; q++)
        if (*q == ';' || *q == '&' || *q == '?')
          n_pairs++;
    }
  uri = uri_alloc (n_pairs, (gsize) length + 8);
  uri->kind = (guint8) kind;

  switch (kind)
    {
    case URI_KIND_SIP:
    case URI_KIND_SIPS:
      ok = parse_sip (&ctx, uri, colon + 1, end);
      break;
    case URI_KIND_TEL:
      ok = parse_tel (&ctx, uri, colon + 1, end);
      break;
    case URI_KIND_OTHER:
    default:
      ok = parse_other (&ctx, uri, p, (gsize) (colon - p), colon + 1, end);
      break;
    }

  return ok ? g_steal_pointer (&uri) : NULL;
}

/**
 * net_sip_uri_new:
 * @scheme: `"sip"`, `"sips"` or `"tel"`, in any case
 * @user: (nullable): the user part of a SIP or SIPS URI, unescaped (%NULL
 *   or empty for none); for a tel URI, the telephone number, such as
 *   `+1-201-555-0123`
 * @host: (nullable): for a SIP or SIPS URI, a hostname, an IPv4 address
 *   or an IPv6 address with or without brackets; %NULL for a tel URI
 * @port: the port, or 0 for none; 0 for a tel URI
 *
 * Builds a SIP, SIPS or tel URI. Parameters and headers are added with
 * [method@NetSip.Uri.set_param] and [method@NetSip.Uri.set_header].
 * URIs of other schemes come from [func@NetSip.Uri.parse].
 *
 * The arguments are checked: an unknown scheme, an invalid host or
 * telephone number is a programming error that logs a critical warning
 * and returns %NULL.
 *
 * Returns: (transfer full): a new URI
 *
 * Since: 1.0
 */
NetSipUri *
net_sip_uri_new (const char *scheme,
                 const char *user,
                 const char *host,
                 guint16     port)
{
  NetSipUri *uri;
  UriKind kind;

  g_return_val_if_fail (scheme != NULL, NULL);

  kind = kind_from_scheme (scheme, strlen (scheme));
  if (kind == URI_KIND_OTHER)
    {
      g_critical ("%s: scheme '%s' is not sip, sips or tel", G_STRFUNC, scheme);
      return NULL;
    }

  if (kind == URI_KIND_TEL)
    {
      g_return_val_if_fail (host == NULL && port == 0, NULL);
      g_return_val_if_fail (user != NULL, NULL);
      if (tel_number_problem (user, strlen (user)) != NULL)
        {
          g_critical ("%s: invalid telephone number '%s'", G_STRFUNC, user);
          return NULL;
        }
    }
  else
    {
      char text[IPV6_TEXT_MAX];
      const char *h;
      gsize len;
      gboolean ipv6;

      g_return_val_if_fail (host != NULL, NULL);
      if (!host_from_string (host, text, &h, &len, &ipv6))
        {
          g_critical ("%s: invalid host '%s'", G_STRFUNC, host);
          return NULL;
        }
    }

  uri = uri_alloc (0, (user != NULL ? strlen (user) : 0) + (host != NULL ? strlen (host) : 0) + 2);
  uri->kind = (guint8) kind;
  if (host != NULL)
    net_sip_uri_set_host (uri, host);
  net_sip_uri_set_user (uri, user);
  uri->port = port;

  return uri;
}

/**
 * net_sip_uri_copy:
 * @uri: a #NetSipUri
 *
 * Makes a deep copy of @uri.
 *
 * Returns: (transfer full): the copy
 *
 * Since: 1.0
 */
NetSipUri *
net_sip_uri_copy (const NetSipUri *uri)
{
  NetSipUri *copy;
  guint n_pairs;
  gsize live;

  g_return_val_if_fail (uri != NULL, NULL);

  n_pairs = uri->n_params + uri->n_headers;
  live = live_size (uri);
  copy = uri_alloc (n_pairs, live);
  copy->kind = uri->kind;
  copy->host_is_ipv6 = uri->host_is_ipv6;
  copy->port = uri->port;
  copy->n_params = uri->n_params;
  copy->n_headers = uri->n_headers;
  if (n_pairs > 0)
    memcpy (copy->pairs, uri->pairs, n_pairs * sizeof (Pair));
  copy->buf_len = pack_strings (uri, copy, copy->buf);

  return copy;
}

/**
 * net_sip_uri_free:
 * @uri: (nullable) (transfer full): a #NetSipUri
 *
 * Frees @uri. Does nothing if @uri is %NULL.
 *
 * Since: 1.0
 */
void
net_sip_uri_free (NetSipUri *uri)
{
  if (uri == NULL)
    return;
  if (!uri->buf_inline)
    g_free (uri->buf);
  if (!uri->pairs_inline)
    g_free (uri->pairs);
  g_free (uri);
}

G_DEFINE_BOXED_TYPE (NetSipUri, net_sip_uri, net_sip_uri_copy, net_sip_uri_free)

/**
 * net_sip_uri_get_scheme:
 * @uri: a #NetSipUri
 *
 * Gets the scheme of @uri in lower case: `"sip"`, `"sips"`, `"tel"` or
 * any other (`"http"`, `"urn"`, ...).
 *
 * Returns: (transfer none): the scheme
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_scheme (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  switch (uri->kind)
    {
    case URI_KIND_SIP:
      return "sip";
    case URI_KIND_SIPS:
      return "sips";
    case URI_KIND_TEL:
      return "tel";
    default:
      return span_str (uri, uri->scheme);
    }
}

/**
 * net_sip_uri_is_sip:
 * @uri: a #NetSipUri
 *
 * Whether @uri is a SIP or a SIPS URI (RFC 3261 §19.1), the URIs that
 * have a host, a port and headers. Use [method@NetSip.Uri.is_sips] to
 * tell SIPS apart.
 *
 * Returns: %TRUE for the `sip` and `sips` schemes
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_is_sip (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return uri->kind == URI_KIND_SIP || uri->kind == URI_KIND_SIPS;
}

/**
 * net_sip_uri_is_sips:
 * @uri: a #NetSipUri
 *
 * Whether @uri is a SIPS URI (RFC 3261 §19.1): one that asks for TLS on
 * every hop.
 *
 * Returns: %TRUE for the `sips` scheme
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_is_sips (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return uri->kind == URI_KIND_SIPS;
}

/**
 * net_sip_uri_get_user:
 * @uri: a #NetSipUri
 *
 * Gets the user part of a SIP or SIPS URI, or the telephone number of a
 * tel URI, with its escapes decoded once (`%2541` gives `%41`).
 *
 * The user may contain NUL bytes (`%00`, RFC 4475 §3.1.1.4): use
 * [method@NetSip.Uri.get_user_length] for its full length.
 *
 * Returns: (transfer none) (nullable): the user, or %NULL if @uri has
 *   none or is neither a SIP, SIPS nor tel URI
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_user (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return span_str (uri, uri->user);
}

/**
 * net_sip_uri_get_user_length:
 * @uri: a #NetSipUri
 *
 * Gets the length of [method@NetSip.Uri.get_user] in bytes, decoded,
 * counting any NUL bytes it holds.
 *
 * Returns: the length in bytes, 0 if @uri has no user
 *
 * Since: 1.0
 */
gsize
net_sip_uri_get_user_length (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, 0);

  return span_present (uri->user) ? uri->user.len : 0;
}

/**
 * net_sip_uri_get_password:
 * @uri: a #NetSipUri
 *
 * Gets the password of a SIP or SIPS URI (`sip:user:password@host`),
 * with its escapes decoded once. RFC 3261 §19.1.1 advises against
 * passwords in URIs; they are parsed so that such URIs are not lost.
 *
 * Returns: (transfer none) (nullable): the password, possibly empty, or
 *   %NULL if there is none
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_password (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return span_str (uri, uri->password);
}

/**
 * net_sip_uri_get_host:
 * @uri: a #NetSipUri
 *
 * Gets the host of a SIP or SIPS URI as written (hostnames keep their
 * case). An IPv6 reference is returned without its brackets (see
 * [method@NetSip.Uri.host_is_ipv6]); `[2001:db8:::192.0.2.1]` is returned
 * as `2001:db8::192.0.2.1` (RFC 5118 §4.10).
 *
 * Returns: (transfer none) (nullable): the host, or %NULL for a URI that
 *   is not a SIP or SIPS URI
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_host (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return span_str (uri, uri->host);
}

/**
 * net_sip_uri_host_is_ipv6:
 * @uri: a #NetSipUri
 *
 * Whether the host of @uri is an IPv6 address, written in brackets in
 * the URI (RFC 5118).
 *
 * Returns: %TRUE if the host is an IPv6 address
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_host_is_ipv6 (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, FALSE);

  return uri->host_is_ipv6;
}

/**
 * net_sip_uri_get_port:
 * @uri: a #NetSipUri
 *
 * Gets the port of a SIP or SIPS URI. An absent port is not the same as
 * 5060 or 5061 (RFC 3261 §19.1.4): resolution picks it (RFC 3263).
 *
 * Returns: the port, 1 to 65535, or 0 if the URI has none
 *
 * Since: 1.0
 */
guint16
net_sip_uri_get_port (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, 0);

  return uri->port;
}

/**
 * net_sip_uri_get_opaque:
 * @uri: a #NetSipUri
 *
 * Gets everything after `scheme:` of a URI that is neither a SIP, SIPS
 * nor tel URI, as written (escapes not decoded): `//x/y` for
 * `http://x/y`, `service:sos` for `urn:service:sos`.
 *
 * Returns: (transfer none) (nullable): the opaque part, possibly empty,
 *   or %NULL for a SIP, SIPS or tel URI
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_opaque (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, NULL);

  return span_str (uri, uri->opaque);
}

/**
 * net_sip_uri_has_param:
 * @uri: a #NetSipUri
 * @name: a parameter name, unescaped; case-insensitive
 *
 * Whether @uri has the uri-parameter (RFC 3261 §19.1.1) or tel URI
 * parameter (RFC 3966) @name, with or without a value.
 *
 * Returns: %TRUE if @uri has the parameter
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_has_param (const NetSipUri *uri,
                       const char      *name)
{
  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  return find_pair (uri, 0, uri->n_params, name, strlen (name)) >= 0;
}

/**
 * net_sip_uri_get_param:
 * @uri: a #NetSipUri
 * @name: a parameter name, unescaped; case-insensitive
 *
 * Gets the value of the parameter @name, with its escapes decoded once.
 * A parameter without a value, such as `;lr`, has the value `""`.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if @uri has no
 *   such parameter
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_param (const NetSipUri *uri,
                       const char      *name)
{
  int i;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  i = find_pair (uri, 0, uri->n_params, name, strlen (name));
  if (i < 0)
    return NULL;
  if (!span_present (uri->pairs[i].value))
    return "";
  return span_str (uri, uri->pairs[i].value);
}

/**
 * net_sip_uri_get_n_params:
 * @uri: a #NetSipUri
 *
 * Gets the number of parameters of @uri.
 *
 * Returns: the number of parameters
 *
 * Since: 1.0
 */
guint
net_sip_uri_get_n_params (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, 0);

  return uri->n_params;
}

/**
 * net_sip_uri_get_param_nth:
 * @uri: a #NetSipUri
 * @index: position of the parameter, from 0, in the order of the URI
 * @value: (out) (optional) (nullable) (transfer none): return location for
 *   the value, or %NULL; set to %NULL for a parameter without a value
 *   (unlike [method@NetSip.Uri.get_param], which returns `""`)
 *
 * Gets the parameter at @index. Names and values have their escapes
 * decoded once; names keep the case they were written in.
 *
 * Returns: (transfer none) (nullable): the name, or %NULL if @index is not
 *   less than [method@NetSip.Uri.get_n_params]
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_param_nth (const NetSipUri  *uri,
                           guint             index,
                           const char      **value)
{
  if (value != NULL)
    *value = NULL;
  g_return_val_if_fail (uri != NULL, NULL);

  if (index >= uri->n_params)
    return NULL;
  if (value != NULL)
    *value = span_str (uri, uri->pairs[index].value);
  return span_str (uri, uri->pairs[index].name);
}

/**
 * net_sip_uri_get_header:
 * @uri: a #NetSipUri
 * @name: a header name, unescaped; case-insensitive
 *
 * Gets the value of the first header @name in the headers part of a SIP
 * or SIPS URI (`?name=value&...`, RFC 3261 §19.1.1), with its escapes
 * decoded once: `?Route=%3Csip:p.example.com%3E` gives
 * `<sip:p.example.com>`. Compact header names are not expanded.
 *
 * Returns: (transfer none) (nullable): the value, possibly empty, or
 *   %NULL if there is no such header
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_header (const NetSipUri *uri,
                        const char      *name)
{
  int i;

  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);

  i = find_pair (uri, uri->n_params, uri->n_params + uri->n_headers, name, strlen (name));
  return i < 0 ? NULL : span_str (uri, uri->pairs[i].value);
}

/**
 * net_sip_uri_get_n_headers:
 * @uri: a #NetSipUri
 *
 * Gets the number of headers in the headers part of @uri.
 *
 * Returns: the number of headers
 *
 * Since: 1.0
 */
guint
net_sip_uri_get_n_headers (const NetSipUri *uri)
{
  g_return_val_if_fail (uri != NULL, 0);

  return uri->n_headers;
}

/**
 * net_sip_uri_get_header_nth:
 * @uri: a #NetSipUri
 * @index: position of the header, from 0, in the order of the URI
 * @value: (out) (optional) (transfer none): return location for the value
 *   (possibly empty), or %NULL
 *
 * Gets the header at @index, escapes decoded once.
 *
 * Returns: (transfer none) (nullable): the name, or %NULL if @index is not
 *   less than [method@NetSip.Uri.get_n_headers]
 *
 * Since: 1.0
 */
const char *
net_sip_uri_get_header_nth (const NetSipUri  *uri,
                            guint             index,
                            const char      **value)
{
  if (value != NULL)
    *value = NULL;
  g_return_val_if_fail (uri != NULL, NULL);

  if (index >= uri->n_headers)
    return NULL;
  index += uri->n_params;
  if (value != NULL)
    *value = span_str (uri, uri->pairs[index].value);
  return span_str (uri, uri->pairs[index].name);
}

/**
 * net_sip_uri_set_user:
 * @uri: a SIP, SIPS or tel #NetSipUri
 * @user: (nullable): the new user, unescaped; for a tel URI, the new
 *   telephone number (not %NULL)
 *
 * Replaces the user part of a SIP or SIPS URI; %NULL or `""` removes it,
 * and the password with it. For a tel URI, replaces the number, which
 * must be a valid RFC 3966 global or local number.
 *
 * Strings previously returned by getters of @uri may be invalidated.
 *
 * Since: 1.0
 */
void
net_sip_uri_set_user (NetSipUri  *uri,
                      const char *user)
{
  g_autofree char *tmp = NULL;
  gsize len;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind != URI_KIND_OTHER);

  if (uri->kind == URI_KIND_TEL)
    {
      g_return_if_fail (user != NULL);
      if (tel_number_problem (user, strlen (user)) != NULL)
        {
          g_critical ("%s: invalid telephone number '%s'", G_STRFUNC, user);
          return;
        }
    }
  else if (user == NULL || *user == '\0')
    {
      uri->user = span_none;
      uri->password = span_none;
      return;
    }

  user = detach (uri, user, &tmp);
  len = strlen (user);
  uri_reserve (uri, len + 1);
  uri->user = buf_append (uri, user, len);
}

/**
 * net_sip_uri_set_host:
 * @uri: a SIP or SIPS #NetSipUri
 * @host: a hostname, an IPv4 address, or an IPv6 address with or
 *   without brackets
 *
 * Replaces the host of @uri. An invalid host is a programming error:
 * it logs a critical warning and leaves @uri unchanged.
 *
 * Strings previously returned by getters of @uri may be invalidated.
 *
 * Since: 1.0
 */
void
net_sip_uri_set_host (NetSipUri  *uri,
                      const char *host)
{
  g_autofree char *tmp = NULL;
  char text[IPV6_TEXT_MAX];
  const char *h;
  gsize len;
  gboolean ipv6;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (host != NULL);
  g_return_if_fail (uri->kind == URI_KIND_SIP || uri->kind == URI_KIND_SIPS);

  host = detach (uri, host, &tmp);
  if (!host_from_string (host, text, &h, &len, &ipv6))
    {
      g_critical ("%s: invalid host '%s'", G_STRFUNC, host);
      return;
    }
  uri_reserve (uri, len + 1);
  uri->host = buf_append (uri, h, len);
  uri->host_is_ipv6 = ipv6;
}

/**
 * net_sip_uri_set_port:
 * @uri: a SIP or SIPS #NetSipUri
 * @port: the port, or 0 to remove it
 *
 * Replaces the port of @uri.
 *
 * Since: 1.0
 */
void
net_sip_uri_set_port (NetSipUri *uri,
                      guint16    port)
{
  g_return_if_fail (uri != NULL);
  g_return_if_fail (uri->kind == URI_KIND_SIP || uri->kind == URI_KIND_SIPS);

  uri->port = port;
}

/**
 * net_sip_uri_set_param:
 * @uri: a SIP, SIPS or tel #NetSipUri
 * @name: the parameter name, unescaped, not empty
 * @value: (nullable): the value, unescaped, or %NULL (or `""`) for a
 *   parameter without a value such as `lr`
 *
 * Sets a parameter. If @uri has a parameter of that name (compared
 * case-insensitively) it is replaced in place, taking the case of
 * @name; otherwise the parameter is added after the others.
 *
 * Strings previously returned by getters of @uri may be invalidated.
 *
 * Since: 1.0
 */
void
net_sip_uri_set_param (NetSipUri  *uri,
                       const char *name,
                       const char *value)
{
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_value = NULL;
  gsize name_len, value_len;
  Pair pair;
  int i;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (uri->kind != URI_KIND_OTHER);

  if (value != NULL && *value == '\0')
    value = NULL;
  name = detach (uri, name, &tmp_name);
  value = detach (uri, value, &tmp_value);
  name_len = strlen (name);
  value_len = value != NULL ? strlen (value) : 0;

  uri_reserve (uri, name_len + 1 + (value != NULL ? value_len + 1 : 0));
  pair.name = buf_append (uri, name, name_len);
  pair.value = value != NULL ? buf_append (uri, value, value_len) : span_none;

  i = find_pair (uri, 0, uri->n_params, name, name_len);
  if (i >= 0)
    uri->pairs[i] = pair;
  else
    {
      pairs_insert (uri, uri->n_params, pair);
      uri->n_params++;
    }
}

/**
 * net_sip_uri_remove_param:
 * @uri: a #NetSipUri
 * @name: the parameter name, unescaped; case-insensitive
 *
 * Removes the parameter @name.
 *
 * Strings previously returned by getters of @uri may be invalidated.
 *
 * Returns: %TRUE if @uri had the parameter
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_remove_param (NetSipUri  *uri,
                          const char *name)
{
  int i;

  g_return_val_if_fail (uri != NULL, FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  i = find_pair (uri, 0, uri->n_params, name, strlen (name));
  if (i < 0)
    return FALSE;
  pairs_remove (uri, (guint) i);
  uri->n_params--;
  return TRUE;
}

/**
 * net_sip_uri_set_header:
 * @uri: a SIP or SIPS #NetSipUri
 * @name: the header name, unescaped, not empty
 * @value: (nullable): the value, unescaped (may be empty), or %NULL to
 *   remove the header
 *
 * Sets a header of the headers part of @uri (RFC 3261 §19.1.1), the
 * fields of a request built from the URI. Every header of that name
 * (compared case-insensitively) is replaced by a single one, at the
 * position of the first; a new header goes last.
 *
 * Strings previously returned by getters of @uri may be invalidated.
 *
 * Since: 1.0
 */
void
net_sip_uri_set_header (NetSipUri  *uri,
                        const char *name,
                        const char *value)
{
  g_autofree char *tmp_name = NULL;
  g_autofree char *tmp_value = NULL;
  guint first, last;
  gsize name_len, value_len;
  Pair pair;
  int i, j;

  g_return_if_fail (uri != NULL);
  g_return_if_fail (name != NULL && *name != '\0');
  g_return_if_fail (uri->kind == URI_KIND_SIP || uri->kind == URI_KIND_SIPS);

  name_len = strlen (name);
  first = uri->n_params;
  last = uri->n_params + uri->n_headers;
  i = find_pair (uri, first, last, name, name_len);

  /* Drop the duplicates after the first, or all of them to remove. */
  j = find_pair (uri, i >= 0 && value != NULL ? (guint) i + 1 : first, last, name, name_len);
  while (j >= 0)
    {
      pairs_remove (uri, (guint) j);
      uri->n_headers--;
      last--;
      j = find_pair (uri, (guint) j, last, name, name_len);
    }
  if (value == NULL)
    return;

  name = detach (uri, name, &tmp_name);
  value = detach (uri, value, &tmp_value);
  value_len = strlen (value);
  uri_reserve (uri, name_len + value_len + 2);
  pair.name = buf_append (uri, name, name_len);
  pair.value = buf_append (uri, value, value_len);
  if (i >= 0)
    uri->pairs[i] = pair;
  else
    {
      pairs_insert (uri, last, pair);
      uri->n_headers++;
    }
}

/* --- Comparison and serialisation ------------------------------------- */

static gboolean
sip_params_equal (const NetSipUri *a,
                  const NetSipUri *b)
{
  guint i, k;

  /* RFC 3261 §19.1.4: a parameter in both must match (case-insensitive);
   * user, ttl, method, maddr and transport must be in both or neither;
   * any other parameter in only one is ignored. */
  for (i = 0; i < a->n_params; i++)
    {
      Span name = a->pairs[i].name;
      int j = find_pair (b, 0, b->n_params, a->buf + name.off, name.len);

      if (j >= 0 && !span_equal (a, a->pairs[i].value, b, b->pairs[j].value, TRUE))
        return FALSE;
    }
  for (k = 0; k < G_N_ELEMENTS (significant_params); k++)
    {
      const char *name = significant_params[k];
      gsize len = strlen (name);

      if ((find_pair (a, 0, a->n_params, name, len) >= 0) !=
          (find_pair (b, 0, b->n_params, name, len) >= 0))
        return FALSE;
    }
  return TRUE;
}

static gboolean
headers_equal (const NetSipUri *a,
               const NetSipUri *b)
{
  guint64 used = 0;
  guint i, j;

  /* Every header must be in both (§19.1.4), in any order. Names are
   * case-insensitive; values are compared as they are, the field's own
   * rules (§20) being beyond a URI. */
  if (a->n_headers != b->n_headers)
    return FALSE;
  if (a->n_headers > 64)
    {
      /* Too many to track which of b are matched; compare in order. */
      for (i = 0; i < a->n_headers; i++)
        {
          const Pair *pa = &a->pairs[a->n_params + i], *pb = &b->pairs[b->n_params + i];

          if (!span_equal (a, pa->name, b, pb->name, TRUE) ||
              !span_equal (a, pa->value, b, pb->value, FALSE))
            return FALSE;
        }
      return TRUE;
    }

  for (i = 0; i < a->n_headers; i++)
    {
      const Pair *pa = &a->pairs[a->n_params + i];

      for (j = 0; j < b->n_headers; j++)
        {
          const Pair *pb = &b->pairs[b->n_params + j];

          if (!(used & (G_GUINT64_CONSTANT (1) << j)) &&
              span_equal (a, pa->name, b, pb->name, TRUE) &&
              span_equal (a, pa->value, b, pb->value, FALSE))
            break;
        }
      if (j == b->n_headers)
        return FALSE;
      used |= G_GUINT64_CONSTANT (1) << j;
    }
  return TRUE;
}

static gboolean
tel_param_value_equal (const NetSipUri *a,
                       Span             va,
                       const NetSipUri *b,
                       Span             vb,
                       gboolean         phone_context)
{
  if (span_present (va) != span_present (vb))
    return FALSE;
  if (!span_present (va))
    return TRUE;
  /* RFC 3966 §4: a phone-context that is a global number is compared
   * without its visual separators. */
  if (phone_context && va.len > 0 && vb.len > 0 &&
      a->buf[va.off] == '+' && b->buf[vb.off] == '+')
    return tel_digits_equal (a->buf + va.off, va.len, b->buf + vb.off, vb.len);
  return span_equal (a, va, b, vb, TRUE);
}

static gboolean
tel_equal (const NetSipUri *a,
           const NetSipUri *b)
{
  guint i;

  /* RFC 3966 §4: same number (global or local alike) once visual
   * separators are dropped, and the same parameters in any order,
   * case-insensitive. */
  if (!tel_digits_equal (a->buf + a->user.off, a->user.len, b->buf + b->user.off, b->user.len))
    return FALSE;
  if (a->n_params != b->n_params)
    return FALSE;
  for (i = 0; i < a->n_params; i++)
    {
      Span name = a->pairs[i].name;
      int j = find_pair (b, 0, b->n_params, a->buf + name.off, name.len);

      if (j < 0 ||
          !tel_param_value_equal (a, a->pairs[i].value, b, b->pairs[j].value,
                                  name.len == 13 && mem_equal_ci (a->buf + name.off, "phone-context", 13)))
        return FALSE;
    }
  return TRUE;
}

/**
 * net_sip_uri_equal:
 * @a: a #NetSipUri
 * @b: a #NetSipUri
 *
 * Compares two URIs by the rules of RFC 3261 §19.1.4 for SIP and SIPS
 * URIs:
 *
 * - a SIP and a SIPS URI are never equal;
 * - user and password are case-sensitive, everything else
 *   case-insensitive, and escaped characters equal their unescaped form
 *   (all components are compared decoded);
 * - IPv6 hosts are compared as addresses, so `[2001:db8::1]` equals
 *   `[2001:DB8:0::1]`; a hostname never equals an address;
 * - a URI with a port never equals one without, even 5060;
 * - the `user`, `ttl`, `method`, `maddr` and `transport` parameters must
 *   be in both or in neither; a parameter in both must have the same
 *   value; other parameters in only one are ignored (so equality is
 *   not transitive);
 * - the headers must be the same in both, in any order.
 *
 * tel URIs are compared by RFC 3966 §4: the numbers without visual
 * separators (`-`, `.`, `(`, `)`) and all parameters, case-insensitive.
 * Other URIs are equal when their schemes (case-insensitive) and opaque
 * parts (byte for byte) are.
 *
 * Returns: %TRUE if @a and @b are equivalent
 *
 * Since: 1.0
 */
gboolean
net_sip_uri_equal (const NetSipUri *a,
                   const NetSipUri *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  if (a->kind != b->kind)
    return FALSE;

  switch (a->kind)
    {
    case URI_KIND_TEL:
      return tel_equal (a, b);

    case URI_KIND_OTHER:
      return span_equal (a, a->scheme, b, b->scheme, FALSE) &&
             span_equal (a, a->opaque, b, b->opaque, FALSE);

    case URI_KIND_SIP:
    case URI_KIND_SIPS:
    default:
      if (!span_equal (a, a->user, b, b->user, FALSE) ||
          !span_equal (a, a->password, b, b->password, FALSE) ||
          a->port != b->port ||
          a->host_is_ipv6 != b->host_is_ipv6)
        return FALSE;
      if (a->host_is_ipv6)
        {
          if (!ipv6_equal (span_str (a, a->host), span_str (b, b->host)))
            return FALSE;
        }
      else if (!span_equal (a, a->host, b, b->host, TRUE))
        return FALSE;
      return sip_params_equal (a, b) && headers_equal (a, b);
    }
}

static void
append_escaped (GString    *s,
                const char *p,
                gsize       len,
                guint8      cls)
{
  static const char hex[] = "0123456789ABCDEF";
  gsize i;

  for (i = 0; i < len; i++)
    {
      guchar c = (guchar) p[i];

      if (char_class (c) & cls)
        g_string_append_c (s, (char) c);
      else
        {
          g_string_append_c (s, '%');
          g_string_append_c (s, hex[c >> 4]);
          g_string_append_c (s, hex[c & 0xf]);
        }
    }
}

static void
append_span_escaped (GString         *s,
                     const NetSipUri *uri,
                     Span             span,
                     guint8           cls)
{
  append_escaped (s, uri->buf + span.off, span.len, cls);
}

/**
 * net_sip_uri_to_string:
 * @uri: a #NetSipUri
 *
 * Serialises @uri. The scheme is written in lower case, an IPv6 host in
 * brackets, and each of user, password, parameters, headers and tel
 * number with `%HH` escapes (upper-case hex) for exactly the characters
 * that component cannot hold as they are (RFC 3261 §25.1). Other URIs
 * are written as parsed. The result parses to a URI equal to @uri
 * ([method@NetSip.Uri.equal]).
 *
 * Returns: (transfer full): the URI text
 *
 * Since: 1.0
 */
char *
net_sip_uri_to_string (const NetSipUri *uri)
{
  GString *s;
  guint i;

  g_return_val_if_fail (uri != NULL, NULL);

  s = g_string_sized_new (uri->buf_len + 16);
  g_string_append (s, net_sip_uri_get_scheme (uri));
  g_string_append_c (s, ':');

  if (uri->kind == URI_KIND_OTHER)
    {
      g_string_append_len (s, span_str (uri, uri->opaque), uri->opaque.len);
      return g_string_free (s, FALSE);
    }

  if (uri->kind == URI_KIND_TEL)
    append_span_escaped (s, uri, uri->user, C_TEL);
  else
    {
      if (span_present (uri->user))
        {
          append_span_escaped (s, uri, uri->user, C_USER);
          if (span_present (uri->password))
            {
              g_string_append_c (s, ':');
              append_span_escaped (s, uri, uri->password, C_PASSWORD);
            }
          g_string_append_c (s, '@');
        }
      if (uri->host_is_ipv6)
        g_string_append_c (s, '[');
      g_string_append_len (s, span_str (uri, uri->host), uri->host.len);
      if (uri->host_is_ipv6)
        g_string_append_c (s, ']');
      if (uri->port != 0)
        g_string_append_printf (s, ":%u", uri->port);
    }

  for (i = 0; i < uri->n_params; i++)
    {
      g_string_append_c (s, ';');
      append_span_escaped (s, uri, uri->pairs[i].name, C_PARAM);
      if (span_present (uri->pairs[i].value))
        {
          g_string_append_c (s, '=');
          append_span_escaped (s, uri, uri->pairs[i].value, C_PARAM);
        }
    }

  for (i = 0; i < uri->n_headers; i++)
    {
      const Pair *pair = &uri->pairs[uri->n_params + i];

      g_string_append_c (s, i == 0 ? '?' : '&');
      append_span_escaped (s, uri, pair->name, C_HEADER);
      g_string_append_c (s, '=');
      append_span_escaped (s, uri, pair->value, C_HEADER);
    }

  return g_string_free (s, FALSE);
}
