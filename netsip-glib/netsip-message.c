/* netsip-message.c: a SIP request or response (RFC 3261 §7)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-message.h"
#include "netsip-message-private.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-error.h"
#include "netsip-header-private.h"
#include "netsip-values-private.h"
#include "netsip-version.h"

/**
 * NetSipMessage:
 *
 * A SIP request ([class@NetSip.Request]) or response
 * ([class@NetSip.Response]).
 *
 * A parsed message keeps the #GBytes it was parsed from and an index of its
 * header lines as slices of it; structured values (Via, CSeq, From, To,
 * Contact...) are parsed the first time they are asked for and kept. All
 * strings a getter returns (transfer none) stay valid as long as the
 * message, even after the message is modified. Serializing an unmodified
 * parsed message gives back the exact bytes it was parsed from; a modified
 * one is written canonically (see [method@NetSip.Message.to_bytes]).
 *
 * Header names are matched case-insensitively, and compact forms are the
 * same header as their long names (RFC 3261 §7.3.3): `get_header ("v")`
 * and `get_header ("Via")` find `v:` and `VIA:` lines alike.
 *
 * Since: 1.0
 */

#define INLINE_HEADERS 64

typedef struct
{
  GBytes          *bytes;        /* what was parsed; NULL for built messages */
  gsize            offset;       /* of the start line in @bytes */
  gsize            size;         /* of the message in @bytes (trailing noise excluded) */
  gsize            body_offset;  /* of the body in @bytes */
  gsize            body_length;
  GBytes          *body;         /* replaced body, or NULL */
  NetSipArena     *arena;

  NetSipHeader    *headers;
  guint            n_headers;
  guint            alloc_headers;

  NetSipStartLine  start;

  guint            modified : 1;
  guint            cl_conflict : 1;
  guint            have_cseq : 1;

  /* caches, cleared when headers change */
  NetSipVia       *top_via;
  const char      *top_via_end;  /* where the top via-parm ends in its line */
  NetSipVia      **vias;
  guint            n_vias;
  NetSipNameAddr  *from;
  NetSipNameAddr  *to;
  guint32          cseq;
  const char      *cseq_method;
  const char      *tid;
} NetSipMessagePrivate;

G_DEFINE_ABSTRACT_TYPE_WITH_PRIVATE (NetSipMessage, net_sip_message, G_TYPE_OBJECT)

#define PRIV(m) ((NetSipMessagePrivate *) net_sip_message_get_instance_private (m))

/* ------------------------------------------------------------------ */
/* GObject boilerplate                                                 */

static void
net_sip_message_finalize (GObject *object)
{
  NetSipMessagePrivate *priv = PRIV (NET_SIP_MESSAGE (object));

  g_clear_pointer (&priv->bytes, g_bytes_unref);
  g_clear_pointer (&priv->body, g_bytes_unref);
  g_clear_pointer (&priv->arena, net_sip_arena_unref);

  G_OBJECT_CLASS (net_sip_message_parent_class)->finalize (object);
}

static void
net_sip_message_class_init (NetSipMessageClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = net_sip_message_finalize;
}

static void
net_sip_message_init (NetSipMessage *self)
{
}

/* ------------------------------------------------------------------ */
/* Private API for the subclasses                                      */

NetSipStartLine *
net_sip_message_get_start_line (NetSipMessage *self)
{
  return &PRIV (self)->start;
}

NetSipArena *
net_sip_message_get_arena (NetSipMessage *self)
{
  NetSipMessagePrivate *priv = PRIV (self);
  if (priv->arena == NULL)
    priv->arena = net_sip_arena_new (1024);
  return priv->arena;
}

static void
invalidate_caches (NetSipMessagePrivate *priv)
{
  priv->top_via = NULL;
  priv->top_via_end = NULL;
  priv->vias = NULL;
  priv->n_vias = 0;
  priv->from = NULL;
  priv->to = NULL;
  priv->have_cseq = FALSE;
  priv->cseq = 0;
  priv->cseq_method = NULL;
  priv->tid = NULL;
}

void
net_sip_message_mark_modified (NetSipMessage *self)
{
  NetSipMessagePrivate *priv = PRIV (self);
  priv->modified = TRUE;
  invalidate_caches (priv);
}

/* ------------------------------------------------------------------ */
/* Parsing                                                             */

static gboolean
set_parse_error (GError     **error,
                 gint         code,
                 const char  *format,
                 ...) G_GNUC_PRINTF (3, 4);

static gboolean
set_parse_error (GError     **error,
                 gint         code,
                 const char  *format,
                 ...)
{
  va_list args;

  if (error)
    {
      va_start (args, format);
      *error = g_error_new_valist (NET_SIP_PARSE_ERROR, code, format, args);
      va_end (args);
    }
  return FALSE;
}

static gboolean
parse_version (const char *p,
               gsize       length)
{
  gsize i = 4;

  /* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT, case-insensitive (§7.1) */
  if (length < 7 || g_ascii_strncasecmp (p, "SIP/", 4) != 0)
    return FALSE;
  if (!g_ascii_isdigit (p[i]))
    return FALSE;
  while (i < length && g_ascii_isdigit (p[i]))
    i++;
  if (i >= length || p[i] != '.')
    return FALSE;
  i++;
  if (i >= length || !g_ascii_isdigit (p[i]))
    return FALSE;
  while (i < length && g_ascii_isdigit (p[i]))
    i++;
  return i == length;
}

static gboolean
line_is_response (const char *p,
                  const char *end)
{
  return end - p > 5 && g_ascii_strncasecmp (p, "SIP/", 4) == 0 && g_ascii_isdigit (p[4]);
}

/* Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2).
 * The Reason-Phrase may be empty and may hold UTF-8 (RFC 4475 unreason,
 * noreason); the status code is exactly three digits, 100 to 699 (RFC 4475
 * bigcode). */
static gboolean
parse_status_line (NetSipArena     *arena,
                   NetSipStartLine *start,
                   const char      *p,
                   const char      *end,
                   GError         **error)
{
  const char *sp = memchr (p, ' ', end - p);
  const char *code;

  if (sp == NULL || !parse_version (p, sp - p))
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: malformed SIP-Version in Status-Line");
  start->version = net_sip_arena_strndup (arena, p, sp - p);
  code = sp + 1;
  if (end - code < 3 || !g_ascii_isdigit (code[0]) || !g_ascii_isdigit (code[1]) ||
      !g_ascii_isdigit (code[2]) || (end - code > 3 && code[3] != ' '))
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: Status-Code must be three digits");
  start->code = (code[0] - '0') * 100 + (code[1] - '0') * 10 + (code[2] - '0');
  if (start->code < 100 || start->code > 699)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: Status-Code %u out of range 100-699", start->code);
  if (end - code > 4)
    start->reason = net_sip_arena_strndup (arena, code + 4, end - (code + 4));
  else
    start->reason = "";
  for (const char *r = start->reason; *r; r++)
    if ((guchar) *r < 0x20 && *r != '\t')
      return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                              "line 1: control character in Reason-Phrase");
  return TRUE;
}

/* Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1).
 * Exactly one SP between the elements: extra or trailing whitespace
 * (RFC 4475 lwsstart, trws, lwsruri) and a Request-URI in <> (ltgtruri)
 * are refused; that is the policy the torture tests pin. */
static gboolean
parse_request_line (NetSipArena     *arena,
                    NetSipStartLine *start,
                    const char      *p,
                    const char      *end,
                    GError         **error)
{
  const char *m_end = net_sip_skip_token (p, end);
  const char *uri, *uri_end, *ver;

  if (m_end == p)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: Request-Line must start with a method token");
  if (m_end >= end || *m_end != ' ')
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: expected a single SP after the method");
  uri = m_end + 1;
  uri_end = uri;
  while (uri_end < end && *uri_end != ' ')
    {
      if ((guchar) *uri_end <= 0x20 || *uri_end == 0x7f)
        return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                                "line 1: control character or whitespace in Request-URI");
      uri_end++;
    }
  if (uri_end == uri)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: empty Request-URI (extra whitespace?)");
  if (*uri == '<')
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: Request-URI must not be enclosed in <>");
  {
    const char *colon = memchr (uri, ':', uri_end - uri);
    if (colon == NULL || colon == uri || !g_ascii_isalpha (*uri))
      return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                              "line 1: Request-URI has no scheme");
  }
  if (uri_end >= end)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                            "line 1: missing SIP-Version in Request-Line");
  ver = uri_end + 1;
  if (!parse_version (ver, end - ver))
    {
      if (memchr (ver, ' ', end - ver) || ver == end)
        return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                                "line 1: extra whitespace in Request-Line");
      return set_parse_error (error, NET_SIP_PARSE_ERROR_START_LINE,
                              "line 1: malformed SIP-Version '%.*s'",
                              (int) MIN (end - ver, 40), ver);
    }
  start->method = net_sip_arena_strndup (arena, p, m_end - p);
  start->uri = net_sip_arena_strndup (arena, uri, uri_end - uri);
  start->version = net_sip_arena_strndup (arena, ver, end - ver);
  return TRUE;
}

static inline const char *
trim_end (const char *start,
          const char *end)
{
  while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
    end--;
  return end;
}

/**
 * net_sip_message_parse_full:
 * @bytes: the message as received
 * @flags: %NET_SIP_PARSE_FLAGS_STREAM when @bytes was cut from a stream
 * @max_header_size: limit in bytes for the start line plus header section,
 *   0 for the default (16384)
 * @max_body_size: limit in bytes for the body, 0 for the default (65536)
 * @error: return location for a #GError
 *
 * Parses one SIP message (RFC 3261 §7) out of @bytes without copying it.
 * CRLFs before the start line are skipped (§7.5). Header lines may be
 * folded (§7.3.1) and end in CRLF or, leniently, a bare LF.
 *
 * With datagram framing (§18.3) the body is bounded by Content-Length and
 * octets after it are ignored (RFC 4475 dblreq); without Content-Length the
 * body is the rest of the datagram. With %NET_SIP_PARSE_FLAGS_STREAM,
 * Content-Length is required and @bytes must hold exactly the message.
 *
 * Structured header values are checked when they are read, or all at once
 * by [method@NetSip.Message.validate].
 *
 * Errors: %NET_SIP_PARSE_ERROR_INCOMPLETE (no end of the header section,
 * body shorter than Content-Length), %NET_SIP_PARSE_ERROR_TOO_LARGE,
 * %NET_SIP_PARSE_ERROR_START_LINE, %NET_SIP_PARSE_ERROR_HEADER,
 * %NET_SIP_PARSE_ERROR_CONTENT_LENGTH. Messages name the line, e.g.
 * `line 4: header line without ':'`.
 *
 * Returns: (transfer full): a #NetSipRequest or #NetSipResponse
 *
 * Since: 1.0
 */
NetSipMessage *
net_sip_message_parse_full (GBytes            *bytes,
                            NetSipParseFlags   flags,
                            gsize              max_header_size,
                            gsize              max_body_size,
                            GError           **error)
{
  NetSipHeader inline_headers[INLINE_HEADERS];
  NetSipHeader *headers = inline_headers;
  guint n_headers = 0, alloc_headers = INLINE_HEADERS;
  NetSipHeader *cur = NULL;
  const char *data, *p, *end, *line, *line_end, *nl;
  const char *start_line, *start_line_end;
  const char *body_start;
  gsize len, header_size;
  gsize body_length;
  guint line_no = 1;
  gboolean have_cl = FALSE, cl_conflict = FALSE;
  guint64 content_length = 0;
  gboolean is_response;
  NetSipMessage *msg = NULL;
  NetSipMessagePrivate *priv;
  NetSipArena *arena;

  g_return_val_if_fail (bytes != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (max_header_size == 0)
    max_header_size = NET_SIP_DEFAULT_MAX_HEADER_SIZE;
  if (max_body_size == 0)
    max_body_size = NET_SIP_DEFAULT_MAX_BODY_SIZE;

  data = g_bytes_get_data (bytes, &len);
  if (data == NULL)
    data = "";
  p = data;
  end = data + len;

  while (p < end && (*p == '\r' || *p == '\n'))
    p++;
  if (p == end)
    {
      set_parse_error (error, NET_SIP_PARSE_ERROR_INCOMPLETE, "empty message");
      return NULL;
    }

  /* Start line */
  start_line = p;
  nl = memchr (p, '\n', MIN ((gsize) (end - p), max_header_size + 1));
  if (nl == NULL)
    {
      if ((gsize) (end - p) > max_header_size)
        set_parse_error (error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                         "header section exceeds %" G_GSIZE_FORMAT " bytes", max_header_size);
      else
        set_parse_error (error, NET_SIP_PARSE_ERROR_INCOMPLETE,
                         "line 1: no end of line after the start line");
      return NULL;
    }
  start_line_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
  is_response = line_is_response (start_line, start_line_end);

  /* Header lines */
  for (;;)
    {
      const char *colon, *name_end;

      line = nl + 1;
      line_no++;
      if ((gsize) (line - start_line) > max_header_size)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                           "header section exceeds %" G_GSIZE_FORMAT " bytes", max_header_size);
          goto fail;
        }
      if (line >= end)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_INCOMPLETE,
                           "line %u: no empty line after the header section", line_no);
          goto fail;
        }
      nl = memchr (line, '\n', end - line);
      if (nl == NULL)
        {
          if ((gsize) (end - start_line) > max_header_size)
            set_parse_error (error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                             "header section exceeds %" G_GSIZE_FORMAT " bytes", max_header_size);
          else
            set_parse_error (error, NET_SIP_PARSE_ERROR_INCOMPLETE,
                             "line %u: no empty line after the header section", line_no);
          goto fail;
        }
      line_end = (nl > line && nl[-1] == '\r') ? nl - 1 : nl;

      if (line_end == line)
        break;  /* the empty line that ends the header section */

      if (*line == ' ' || *line == '\t')
        {
          /* continuation of the previous header's value (§7.3.1) */
          const char *t = net_sip_skip_ws (line, line_end);
          if (cur == NULL)
            {
              set_parse_error (error, NET_SIP_PARSE_ERROR_HEADER,
                               "line %u: continuation line before the first header", line_no);
              goto fail;
            }
          if (t < line_end)
            {
              if (cur->value_length == 0)
                cur->value = t;
              cur->value_length = trim_end (cur->value, line_end) - cur->value;
              cur->folded = TRUE;
            }
          continue;
        }

      name_end = net_sip_skip_token (line, line_end);
      colon = net_sip_skip_ws (name_end, line_end);
      if (name_end == line || colon >= line_end || *colon != ':')
        {
          if (memchr (line, ':', line_end - line) == NULL)
            set_parse_error (error, NET_SIP_PARSE_ERROR_HEADER,
                             "line %u: header line without ':'", line_no);
          else
            set_parse_error (error, NET_SIP_PARSE_ERROR_HEADER,
                             "line %u: invalid character in header name", line_no);
          goto fail;
        }

      if (n_headers == alloc_headers)
        {
          alloc_headers *= 2;
          if (headers == inline_headers)
            headers = g_memdup2 (inline_headers, sizeof (inline_headers));
          headers = g_renew (NetSipHeader, headers, alloc_headers);
        }
      cur = &headers[n_headers++];
      cur->name = line;
      cur->name_length = name_end - line;
      cur->value = net_sip_skip_ws (colon + 1, line_end);
      cur->value_length = trim_end (cur->value, line_end) - cur->value;
      cur->cstr = NULL;
      cur->cstr_length = 0;
      cur->line = line_no;
      cur->folded = FALSE;
      cur->id = net_sip_header_lookup (line, cur->name_length);
    }

  body_start = nl + 1;
  header_size = body_start - start_line;

  /* Content-Length (§20.14): digits only, range-checked (RFC 4475 ncl) */
  for (guint i = 0; i < n_headers; i++)
    {
      guint64 v;
      if (headers[i].id != NET_SIP_HDR_CONTENT_LENGTH)
        continue;
      if (headers[i].folded ||
          !net_sip_parse_uint (headers[i].value, headers[i].value_length, G_MAXUINT32, &v))
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                           "line %u: header 'Content-Length': '%.*s' is not a number up to 2^32-1",
                           headers[i].line, (int) MIN (headers[i].value_length, 40), headers[i].value);
          goto fail;
        }
      if (have_cl && v != content_length)
        cl_conflict = TRUE;
      have_cl = TRUE;
      content_length = v;
    }

  if (cl_conflict)
    {
      /* RFC 4475 mcl01: a datagram is kept whole so that validate() can
       * answer 400; on a stream the framing is lost. */
      if (flags & NET_SIP_PARSE_FLAGS_STREAM)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                           "conflicting Content-Length values");
          goto fail;
        }
      body_length = end - body_start;
    }
  else if (have_cl)
    {
      if (content_length > max_body_size)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                           "body of %" G_GUINT64_FORMAT " bytes exceeds %" G_GSIZE_FORMAT,
                           content_length, max_body_size);
          goto fail;
        }
      if (content_length > (guint64) (end - body_start))
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_INCOMPLETE,
                           "Content-Length %" G_GUINT64_FORMAT " exceeds the %" G_GSIZE_FORMAT
                           " octets of body present",
                           content_length, (gsize) (end - body_start));
          goto fail;
        }
      body_length = content_length;
      if ((flags & NET_SIP_PARSE_FLAGS_STREAM) && body_length != (gsize) (end - body_start))
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                           "%" G_GSIZE_FORMAT " octets after the body announced by Content-Length",
                           (gsize) (end - body_start) - body_length);
          goto fail;
        }
    }
  else
    {
      if (flags & NET_SIP_PARSE_FLAGS_STREAM)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                           "Content-Length is required on a stream (RFC 3261 §18.3)");
          goto fail;
        }
      body_length = end - body_start;
      if (body_length > max_body_size)
        {
          set_parse_error (error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                           "body of %" G_GSIZE_FORMAT " bytes exceeds %" G_GSIZE_FORMAT,
                           body_length, max_body_size);
          goto fail;
        }
    }

  /* One arena holds the header index, the start line and whatever is read
   * later; sized so that reading the usual headers does not grow it. */
  arena = net_sip_arena_new (n_headers * sizeof (NetSipHeader) + header_size + 256);
  {
    NetSipStartLine start = { 0 };
    gboolean ok = is_response
      ? parse_status_line (arena, &start, start_line, start_line_end, error)
      : parse_request_line (arena, &start, start_line, start_line_end, error);
    if (!ok)
      {
        net_sip_arena_unref (arena);
        goto fail;
      }

    msg = g_object_new (is_response ? NET_SIP_TYPE_RESPONSE : NET_SIP_TYPE_REQUEST, NULL);
    priv = PRIV (msg);
    priv->start = start;
  }
  priv->arena = arena;
  priv->bytes = g_bytes_ref (bytes);
  priv->offset = start_line - data;
  priv->size = (body_start - start_line) + body_length;
  priv->body_offset = body_start - data;
  priv->body_length = body_length;
  priv->cl_conflict = cl_conflict;
  priv->n_headers = n_headers;
  priv->alloc_headers = MAX (n_headers, 1);
  priv->headers = net_sip_arena_alloc (arena, priv->alloc_headers * sizeof (NetSipHeader));
  memcpy (priv->headers, headers, n_headers * sizeof (NetSipHeader));

fail:
  if (headers != inline_headers)
    g_free (headers);
  return msg;
}

/**
 * net_sip_message_parse:
 * @bytes: a datagram holding one message
 * @error: return location for a #GError
 *
 * Parses a message with datagram framing and the default limits; see
 * [func@NetSip.Message.parse_full].
 *
 * Errors: as [func@NetSip.Message.parse_full].
 *
 * Returns: (transfer full): a #NetSipRequest or #NetSipResponse
 *
 * Since: 1.0
 */
NetSipMessage *
net_sip_message_parse (GBytes  *bytes,
                       GError **error)
{
  return net_sip_message_parse_full (bytes, NET_SIP_PARSE_FLAGS_NONE, 0, 0, error);
}

/* ------------------------------------------------------------------ */
/* Header index                                                        */

static const char *
header_cstr (NetSipMessagePrivate *priv,
             NetSipHeader         *h)
{
  char *out, *o;

  if (h->cstr)
    return h->cstr;
  if (!h->folded)
    {
      h->cstr_length = h->value_length;
      return h->cstr = net_sip_arena_strndup (priv->arena, h->value, h->value_length);
    }

  /* Unfold: a line break with the whitespace around it becomes one SP. */
  out = o = net_sip_arena_alloc (priv->arena, h->value_length + 1);
  for (gsize i = 0; i < h->value_length; i++)
    {
      char c = h->value[i];
      if (c == '\r' || c == '\n')
        {
          while (o > out && (o[-1] == ' ' || o[-1] == '\t'))
            o--;
          while (i + 1 < h->value_length &&
                 (h->value[i + 1] == '\r' || h->value[i + 1] == '\n' ||
                  h->value[i + 1] == ' ' || h->value[i + 1] == '\t'))
            i++;
          *o++ = ' ';
          continue;
        }
      *o++ = c;
    }
  *o = '\0';
  h->cstr_length = o - out;
  return h->cstr = out;
}

/* The value to parse a structured header from, [*start, return): the
 * bytes in the message when the line is not folded (no copy), else the
 * unfolded copy. Values may hold NUL octets (RFC 4475 intmeth), so they
 * are never strlen()ed. */
static inline const char *
header_span (NetSipMessagePrivate  *priv,
             NetSipHeader          *h,
             const char           **start)
{
  if (!h->folded)
    {
      *start = h->value;
      return h->value + h->value_length;
    }
  *start = header_cstr (priv, h);
  return *start + h->cstr_length;
}

static inline gboolean
header_matches (const NetSipHeader *h,
                guint               id,
                const char         *name,
                gsize               name_length)
{
  if (id != NET_SIP_HDR_OTHER)
    return h->id == id;
  return h->id == NET_SIP_HDR_OTHER && h->name_length == name_length &&
         g_ascii_strncasecmp (h->name, name, name_length) == 0;
}

static NetSipHeader *
find_header (NetSipMessagePrivate *priv,
             guint                 id)
{
  for (guint i = 0; i < priv->n_headers; i++)
    if (priv->headers[i].id == id)
      return &priv->headers[i];
  return NULL;
}

static const char *
header_name (const NetSipHeader *h,
             NetSipArena        *arena)
{
  if (h->id != NET_SIP_HDR_OTHER)
    return net_sip_header_id_name (h->id);
  return net_sip_arena_strndup (arena, h->name, h->name_length);
}

/**
 * net_sip_message_get_header:
 * @self: a #NetSipMessage
 * @name: a header name, any case, long or compact form
 *
 * Returns the value of the first header line called @name, unfolded
 * (RFC 3261 §7.3.1) and without surrounding whitespace. A list header
 * written as `Allow: INVITE, ACK` gives the whole line; see
 * [method@NetSip.Message.get_headers] for the elements.
 *
 * Returns: (transfer none) (nullable): the value, or %NULL if absent
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_header (NetSipMessage *self,
                            const char    *name)
{
  NetSipMessagePrivate *priv;
  gsize len;
  guint id;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  for (guint i = 0; i < priv->n_headers; i++)
    if (header_matches (&priv->headers[i], id, name, len))
      return header_cstr (priv, &priv->headers[i]);
  return NULL;
}

/**
 * net_sip_message_get_headers:
 * @self: a #NetSipMessage
 * @name: a header name, any case, long or compact form
 *
 * Returns every value of the header @name in order. For headers whose
 * grammar is a comma-separated list (Via, Contact, Route, Record-Route,
 * Allow, Supported, Require, Accept...) each line is split at the commas
 * that separate elements, not at commas inside quoted strings or `<>`
 * (§7.3.1). Other headers (unknown ones, Authorization, Date...) give one
 * value per line, unsplit.
 *
 * Returns: (transfer full) (array zero-terminated=1): the values, an empty
 *   array when the header is absent
 *
 * Since: 1.0
 */
char **
net_sip_message_get_headers (NetSipMessage *self,
                             const char    *name)
{
  NetSipMessagePrivate *priv;
  GPtrArray *out;
  gsize len;
  guint id;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  out = g_ptr_array_new ();
  for (guint i = 0; i < priv->n_headers; i++)
    {
      NetSipHeader *h = &priv->headers[i];
      const char *v;
      if (!header_matches (h, id, name, len))
        continue;
      v = header_cstr (priv, h);
      if (net_sip_header_id_flags (id) & NET_SIP_HF_LIST)
        {
          GPtrArray *parts = net_sip_header_split_list (v, h->cstr_length);
          for (guint j = 0; j < parts->len; j++)
            g_ptr_array_add (out, g_steal_pointer (&parts->pdata[j]));
          g_ptr_array_free (parts, TRUE);
        }
      else
        g_ptr_array_add (out, g_strdup (v));
    }
  g_ptr_array_add (out, NULL);
  return (char **) g_ptr_array_free (out, FALSE);
}

/**
 * net_sip_message_count_headers:
 * @self: a #NetSipMessage
 * @name: a header name, any case, long or compact form
 *
 * Counts the header lines called @name.
 *
 * Returns: the number of header lines called @name
 *
 * Since: 1.0
 */
guint
net_sip_message_count_headers (NetSipMessage *self,
                               const char    *name)
{
  NetSipMessagePrivate *priv;
  guint n = 0, id;
  gsize len;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  for (guint i = 0; i < priv->n_headers; i++)
    if (header_matches (&priv->headers[i], id, name, len))
      n++;
  return n;
}

static NetSipHeader *
insert_header_at (NetSipMessagePrivate *priv,
                  guint                 index)
{
  if (priv->n_headers == priv->alloc_headers || priv->headers == NULL)
    {
      guint alloc = MAX (16, priv->alloc_headers * 2);
      NetSipHeader *h = net_sip_arena_alloc (priv->arena, alloc * sizeof (NetSipHeader));
      if (priv->n_headers)
        memcpy (h, priv->headers, priv->n_headers * sizeof (NetSipHeader));
      priv->headers = h;
      priv->alloc_headers = alloc;
    }
  memmove (&priv->headers[index + 1], &priv->headers[index],
           (priv->n_headers - index) * sizeof (NetSipHeader));
  priv->n_headers++;
  return &priv->headers[index];
}

static void
fill_header (NetSipMessagePrivate *priv,
             NetSipHeader         *h,
             guint                 id,
             const char           *name,
             const char           *value)
{
  gsize vlen;
  const char *v = value;
  char *copy;

  /* Header values cannot carry line breaks: fold them into spaces so that
   * nothing a caller passes can inject a header line. */
  while (*v == ' ' || *v == '\t')
    v++;
  vlen = trim_end (v, v + strlen (v)) - v;
  copy = net_sip_arena_strndup (priv->arena, v, vlen);
  for (char *c = copy; *c; c++)
    if (*c == '\r' || *c == '\n')
      *c = ' ';

  h->id = id;
  h->name = id != NET_SIP_HDR_OTHER ? net_sip_header_id_name (id)
                                    : net_sip_arena_strdup (priv->arena, name);
  h->name_length = strlen (h->name);
  h->value = copy;
  h->value_length = vlen;
  h->cstr = copy;
  h->cstr_length = vlen;
  h->line = 0;
  h->folded = FALSE;
}

static gboolean
valid_header_name (const char *name)
{
  const char *end = name + strlen (name);
  return *name && net_sip_skip_token (name, end) == end;
}

static void
remove_header_at (NetSipMessagePrivate *priv,
                  guint                 index)
{
  memmove (&priv->headers[index], &priv->headers[index + 1],
           (priv->n_headers - index - 1) * sizeof (NetSipHeader));
  priv->n_headers--;
}

/**
 * net_sip_message_set_header:
 * @self: a #NetSipMessage
 * @name: a header name (a token, RFC 3261 §25.1)
 * @value: (nullable): the new value, or %NULL to remove the header
 *
 * Replaces every header line called @name with one line holding @value,
 * at the place of the first one (or at the end if there was none).
 * Line breaks in @value are turned into spaces.
 *
 * Since: 1.0
 */
void
net_sip_message_set_header (NetSipMessage *self,
                            const char    *name,
                            const char    *value)
{
  NetSipMessagePrivate *priv;
  gboolean done = FALSE;
  gsize len;
  guint id;

  g_return_if_fail (NET_SIP_IS_MESSAGE (self));
  g_return_if_fail (name != NULL && valid_header_name (name));

  if (value == NULL)
    {
      net_sip_message_remove_header (self, name);
      return;
    }

  priv = PRIV (self);
  net_sip_message_get_arena (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  for (guint i = 0; i < priv->n_headers;)
    {
      if (!header_matches (&priv->headers[i], id, name, len))
        {
          i++;
          continue;
        }
      if (!done)
        {
          fill_header (priv, &priv->headers[i], id, name, value);
          done = TRUE;
          i++;
        }
      else
        remove_header_at (priv, i);
    }
  if (!done)
    fill_header (priv, insert_header_at (priv, priv->n_headers), id, name, value);
  net_sip_message_mark_modified (self);
}

/* Adds a line after the last header called @name (or at the end), or with
 * @before_first before the first one (or at the top). */
static void
insert_header (NetSipMessage *self,
               const char    *name,
               const char    *value,
               gboolean       before_first)
{
  NetSipMessagePrivate *priv = PRIV (self);
  gsize len = strlen (name);
  guint id = net_sip_header_lookup (name, len);
  guint at = before_first ? 0 : priv->n_headers;

  net_sip_message_get_arena (self);
  for (guint k = 0; k < priv->n_headers; k++)
    {
      guint i = before_first ? k : priv->n_headers - 1 - k;
      if (header_matches (&priv->headers[i], id, name, len))
        {
          at = before_first ? i : i + 1;
          break;
        }
    }
  fill_header (priv, insert_header_at (priv, at), id, name, value);
  net_sip_message_mark_modified (self);
}

/**
 * net_sip_message_add_header:
 * @self: a #NetSipMessage
 * @name: a header name (a token)
 * @value: the value
 *
 * Adds a header line after the last one called @name, or at the end.
 *
 * Since: 1.0
 */
void
net_sip_message_add_header (NetSipMessage *self,
                            const char    *name,
                            const char    *value)
{
  g_return_if_fail (NET_SIP_IS_MESSAGE (self));
  g_return_if_fail (name != NULL && valid_header_name (name));
  g_return_if_fail (value != NULL);

  insert_header (self, name, value, FALSE);
}

/**
 * net_sip_message_prepend_header:
 * @self: a #NetSipMessage
 * @name: a header name (a token)
 * @value: the value
 *
 * Adds a header line before the first one called @name, or at the top of
 * the header section: how a proxy or UAC pushes its Via (RFC 3261
 * §16.6 step 8) or a Record-Route (§16.6 step 4).
 *
 * Since: 1.0
 */
void
net_sip_message_prepend_header (NetSipMessage *self,
                                const char    *name,
                                const char    *value)
{
  g_return_if_fail (NET_SIP_IS_MESSAGE (self));
  g_return_if_fail (name != NULL && valid_header_name (name));
  g_return_if_fail (value != NULL);

  insert_header (self, name, value, TRUE);
}

/**
 * net_sip_message_remove_header:
 * @self: a #NetSipMessage
 * @name: a header name, any case, long or compact form
 *
 * Removes every header line called @name.
 *
 * Returns: the number of lines removed
 *
 * Since: 1.0
 */
guint
net_sip_message_remove_header (NetSipMessage *self,
                               const char    *name)
{
  NetSipMessagePrivate *priv;
  guint removed = 0, id;
  gsize len;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), 0);
  g_return_val_if_fail (name != NULL, 0);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  for (guint i = 0; i < priv->n_headers;)
    {
      if (header_matches (&priv->headers[i], id, name, len))
        {
          remove_header_at (priv, i);
          removed++;
        }
      else
        i++;
    }
  if (removed)
    net_sip_message_mark_modified (self);
  return removed;
}

/**
 * net_sip_message_remove_first_header:
 * @self: a #NetSipMessage
 * @name: a header name, any case, long or compact form
 *
 * Removes the first header line called @name, e.g. the top Via of a
 * response a proxy forwards (RFC 3261 §16.7 step 3). Only the whole line
 * goes: to drop one element of a comma-separated line, read the line,
 * remove it and prepend the rest.
 *
 * Returns: %TRUE if a line was removed
 *
 * Since: 1.0
 */
gboolean
net_sip_message_remove_first_header (NetSipMessage *self,
                                     const char    *name)
{
  NetSipMessagePrivate *priv;
  guint id;
  gsize len;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), FALSE);
  g_return_val_if_fail (name != NULL, FALSE);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  for (guint i = 0; i < priv->n_headers; i++)
    if (header_matches (&priv->headers[i], id, name, len))
      {
        remove_header_at (priv, i);
        net_sip_message_mark_modified (self);
        return TRUE;
      }
  return FALSE;
}

/* Replaces the value of the first line called @name in place (the Via a
 * leg marks with received/rport). FALSE when there is none. */
gboolean
net_sip_message_replace_first_header (NetSipMessage *self,
                                      const char    *name,
                                      const char    *value)
{
  NetSipMessagePrivate *priv = PRIV (self);
  gsize len = strlen (name);
  guint id = net_sip_header_lookup (name, len);

  for (guint i = 0; i < priv->n_headers; i++)
    if (header_matches (&priv->headers[i], id, name, len))
      {
        fill_header (priv, &priv->headers[i], id, name, value);
        net_sip_message_mark_modified (self);
        return TRUE;
      }
  return FALSE;
}

/**
 * net_sip_message_get_n_headers:
 * @self: a #NetSipMessage
 *
 * Gets the number of header lines of the message.
 *
 * Returns: the number of header lines (a folded line counts once)
 *
 * Since: 1.0
 */
guint
net_sip_message_get_n_headers (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), 0);
  return PRIV (self)->n_headers;
}

/**
 * net_sip_message_get_header_nth:
 * @self: a #NetSipMessage
 * @index: 0-based position, below net_sip_message_get_n_headers()
 * @value: (out) (optional) (transfer none): the unfolded value
 *
 * Iterates the header lines in order.
 *
 * Returns: (transfer none): the name of the header at @index: the
 *   canonical spelling for headers the library knows (`v` gives `Via`),
 *   else as written
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_header_nth (NetSipMessage  *self,
                                guint           index,
                                const char    **value)
{
  NetSipMessagePrivate *priv;
  NetSipHeader *h;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  g_return_val_if_fail (index < priv->n_headers, NULL);

  h = &priv->headers[index];
  if (value)
    *value = header_cstr (priv, h);
  if (h->id != NET_SIP_HDR_OTHER)
    return net_sip_header_id_name (h->id);
  if (h->name[h->name_length] != '\0')
    {
      /* keep a NUL-terminated copy of the name in the index */
      h->name = net_sip_arena_strndup (priv->arena, h->name, h->name_length);
    }
  return h->name;
}

/**
 * net_sip_message_foreach_header:
 * @self: a #NetSipMessage
 * @func: (scope call): called for each header line in order
 * @user_data: data for @func
 *
 * Calls @func with each header name (as in
 * net_sip_message_get_header_nth()) and unfolded value until it returns
 * %FALSE.
 *
 * Since: 1.0
 */
void
net_sip_message_foreach_header (NetSipMessage    *self,
                                NetSipHeaderFunc  func,
                                gpointer          user_data)
{
  g_return_if_fail (NET_SIP_IS_MESSAGE (self));
  g_return_if_fail (func != NULL);

  for (guint i = 0; i < PRIV (self)->n_headers; i++)
    {
      const char *value;
      const char *name = net_sip_message_get_header_nth (self, i, &value);
      if (!func (name, value, user_data))
        break;
    }
}

void
net_sip_message_copy_headers (NetSipMessage *dest,
                              NetSipMessage *src,
                              const char    *name,
                              gboolean       first_only)
{
  NetSipMessagePrivate *spriv = PRIV (src);
  NetSipMessagePrivate *dpriv = PRIV (dest);
  gsize len = strlen (name);
  guint id = net_sip_header_lookup (name, len);
  gboolean list = (net_sip_header_id_flags (id) & NET_SIP_HF_LIST) != 0;
  guint at = G_MAXUINT;
  gboolean copied = FALSE;

  net_sip_message_get_arena (dest);
  for (guint i = 0; i < spriv->n_headers; i++)
    {
      NetSipHeader *h = &spriv->headers[i];
      NetSipHeader *d;
      const char *v;
      gsize vlen;

      if (!header_matches (h, id, name, len))
        continue;
      if (first_only && list)
        {
          /* the first element of a list line, e.g. the top Via */
          g_autoptr(GPtrArray) parts = NULL;
          v = header_cstr (spriv, h);
          parts = net_sip_header_split_list (v, h->cstr_length);
          if (parts->len > 0)
            net_sip_message_add_header (dest, header_name (h, spriv->arena), parts->pdata[0]);
          return;
        }

      /* A header of a message that parsed or was built through the API
       * holds a valid, trimmed value without line breaks once unfolded:
       * copy it as it is, after the last line of that name in @dest (or
       * at the end), as net_sip_message_add_header() would. */
      if (at == G_MAXUINT)
        {
          at = dpriv->n_headers;
          for (guint k = dpriv->n_headers; k > 0; k--)
            if (header_matches (&dpriv->headers[k - 1], id, name, len))
              {
                at = k;
                break;
              }
        }
      if (h->folded)
        {
          v = header_cstr (spriv, h);
          vlen = h->cstr_length;
        }
      else
        {
          v = h->value;
          vlen = h->value_length;
        }
      d = insert_header_at (dpriv, at++);
      d->id = h->id;
      if (h->id != NET_SIP_HDR_OTHER)
        {
          d->name = net_sip_header_id_name (h->id);
          d->name_length = net_sip_header_id_name_length (h->id);
        }
      else
        {
          d->name = net_sip_arena_strndup (dpriv->arena, h->name, h->name_length);
          d->name_length = h->name_length;
        }
      d->cstr = d->value = net_sip_arena_strndup (dpriv->arena, v, vlen);
      d->cstr_length = d->value_length = vlen;
      d->line = 0;
      d->folded = FALSE;
      copied = TRUE;
      if (first_only)
        break;
    }
  if (copied)
    net_sip_message_mark_modified (dest);
}

/* ------------------------------------------------------------------ */
/* Start line and serialization                                        */

/**
 * net_sip_message_is_request:
 * @self: a #NetSipMessage
 *
 * Tells a request from a response.
 *
 * Returns: %TRUE for a #NetSipRequest, %FALSE for a #NetSipResponse
 *
 * Since: 1.0
 */
gboolean
net_sip_message_is_request (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), FALSE);
  return NET_SIP_IS_REQUEST (self);
}

/**
 * net_sip_message_get_method:
 * @self: a #NetSipMessage
 *
 * Returns the method of a request, or, for a response, the method of its
 * CSeq, which names the request it answers (RFC 3261 §8.1.3.1). Methods
 * are case-sensitive (§7.1); `RE%47IST%45R` is not REGISTER.
 *
 * Returns: (transfer none) (nullable): the method, or %NULL for a
 *   response without a valid CSeq
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_method (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  if (NET_SIP_IS_REQUEST (self))
    return PRIV (self)->start.method;
  return net_sip_message_get_cseq_method (self);
}

/**
 * net_sip_message_get_version:
 * @self: a #NetSipMessage
 *
 * Gets the SIP version of the start line.
 *
 * Returns: (transfer none): the SIP-Version of the start line, `SIP/2.0`
 *   for any message [method@NetSip.Message.validate] accepts
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_version (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  return PRIV (self)->start.version;
}

/**
 * net_sip_message_is_modified:
 * @self: a #NetSipMessage
 *
 * Tells whether the message still serializes to the octets it was parsed
 * from.
 *
 * Returns: %TRUE if the message was built or changed since it was parsed,
 *   so [method@NetSip.Message.to_bytes] writes it canonically
 *
 * Since: 1.0
 */
gboolean
net_sip_message_is_modified (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), FALSE);
  return PRIV (self)->modified || PRIV (self)->bytes == NULL;
}

/**
 * net_sip_message_get_body:
 * @self: a #NetSipMessage
 *
 * Gets the body of the message.
 *
 * Returns: (transfer full): the body, as many octets as Content-Length
 *   says (it may hold NUL octets); empty when there is none
 *
 * Since: 1.0
 */
GBytes *
net_sip_message_get_body (NetSipMessage *self)
{
  NetSipMessagePrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  if (priv->body)
    return g_bytes_ref (priv->body);
  if (priv->bytes)
    return g_bytes_new_from_bytes (priv->bytes, priv->body_offset, priv->body_length);
  return g_bytes_new_static ("", 0);
}

/**
 * net_sip_message_set_body:
 * @self: a #NetSipMessage
 * @body: (nullable): the new body, or %NULL for none
 * @content_type: (nullable): the media type for Content-Type, e.g.
 *   `application/sdp`, or %NULL to keep the current one (it is removed
 *   when @body is empty)
 *
 * Replaces the body and sets Content-Length to its size (RFC 3261 §20.14).
 *
 * Since: 1.0
 */
void
net_sip_message_set_body (NetSipMessage *self,
                          GBytes        *body,
                          const char    *content_type)
{
  NetSipMessagePrivate *priv;
  gsize size;
  char buf[24];

  g_return_if_fail (NET_SIP_IS_MESSAGE (self));
  priv = PRIV (self);

  g_clear_pointer (&priv->body, g_bytes_unref);
  priv->body = body ? g_bytes_ref (body) : g_bytes_new_static ("", 0);
  size = g_bytes_get_size (priv->body);
  if (content_type)
    net_sip_message_set_header (self, "Content-Type", content_type);
  else if (size == 0)
    net_sip_message_remove_header (self, "Content-Type");
  g_snprintf (buf, sizeof buf, "%" G_GSIZE_FORMAT, size);
  net_sip_message_set_header (self, "Content-Length", buf);
  priv->cl_conflict = FALSE;
  net_sip_message_mark_modified (self);
}

/**
 * net_sip_message_to_bytes:
 * @self: a #NetSipMessage
 *
 * Serializes the message. An unmodified parsed message gives back exactly
 * the octets it was parsed from (without CRLFs before the start line or
 * octets after the body of a datagram). A built or modified one is written
 * canonically: CRLF line ends, `Name: value` with the long form of known
 * header names, folded values unfolded, and a Content-Length equal to the
 * body size (added if missing).
 *
 * Returns: (transfer full): the message
 *
 * Since: 1.0
 */
/* Appends @len bytes at @o; returns the end. */
static inline char *
put (char       *o,
     const char *s,
     gsize       len)
{
  memcpy (o, s, len);
  return o + len;
}

/* Writes @v in decimal at @o; returns the end. */
static inline char *
put_uint (char  *o,
          gsize  v)
{
  char tmp[24];
  guint n = 0;

  do
    tmp[n++] = '0' + v % 10;
  while ((v /= 10) > 0);
  while (n > 0)
    *o++ = tmp[--n];
  return o;
}

GBytes *
net_sip_message_to_bytes (NetSipMessage *self)
{
  NetSipMessagePrivate *priv;
  g_autoptr(GBytes) body = NULL;
  const char *version, *body_data;
  gboolean is_request;
  gsize body_size, size, version_len, reason_len = 0;
  char *out, *o;
  gboolean wrote_cl = FALSE;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);

  if (!priv->modified && priv->bytes)
    {
      if (priv->offset == 0 && priv->size == g_bytes_get_size (priv->bytes))
        return g_bytes_ref (priv->bytes);
      return g_bytes_new_from_bytes (priv->bytes, priv->offset, priv->size);
    }

  body = net_sip_message_get_body (self);
  body_data = g_bytes_get_data (body, &body_size);
  is_request = NET_SIP_IS_REQUEST (self);
  version = priv->start.version ? priv->start.version : "SIP/2.0";
  version_len = strlen (version);

  /* The size first, then one allocation and plain copies: no printf and
   * no growing buffer on the path every response takes. */
  if (is_request)
    size = strlen (priv->start.method) + 1 + strlen (priv->start.uri) + 1 + version_len + 2;
  else
    {
      reason_len = priv->start.reason ? strlen (priv->start.reason) : 0;
      size = version_len + 5 + reason_len + 2;
    }
  for (guint i = 0; i < priv->n_headers; i++)
    {
      NetSipHeader *h = &priv->headers[i];
      if (h->id == NET_SIP_HDR_CONTENT_LENGTH)
        continue;
      header_cstr (priv, h);
      size += (h->id != NET_SIP_HDR_OTHER ? net_sip_header_id_name_length (h->id) : h->name_length) +
              2 + h->cstr_length + 2;
    }
  size += sizeof "Content-Length: \r\n" - 1 + 20 + 2 + body_size;

  out = o = g_malloc (size);
  if (is_request)
    {
      o = put (o, priv->start.method, strlen (priv->start.method));
      *o++ = ' ';
      o = put (o, priv->start.uri, strlen (priv->start.uri));
      *o++ = ' ';
      o = put (o, version, version_len);
    }
  else
    {
      o = put (o, version, version_len);
      *o++ = ' ';
      *o++ = '0' + priv->start.code / 100;
      *o++ = '0' + priv->start.code / 10 % 10;
      *o++ = '0' + priv->start.code % 10;
      *o++ = ' ';
      if (reason_len)
        o = put (o, priv->start.reason, reason_len);
    }
  *o++ = '\r';
  *o++ = '\n';
  for (guint i = 0; i <= priv->n_headers; i++)
    {
      NetSipHeader *h = i < priv->n_headers ? &priv->headers[i] : NULL;

      /* one Content-Length with the real body size, where the first one
       * was, or at the end */
      if (h == NULL || h->id == NET_SIP_HDR_CONTENT_LENGTH)
        {
          if (!wrote_cl)
            {
              o = put (o, "Content-Length: ", 16);
              o = put_uint (o, body_size);
              *o++ = '\r';
              *o++ = '\n';
            }
          wrote_cl = TRUE;
          continue;
        }
      if (h->id != NET_SIP_HDR_OTHER)
        o = put (o, net_sip_header_id_name (h->id), net_sip_header_id_name_length (h->id));
      else
        o = put (o, h->name, h->name_length);
      *o++ = ':';
      *o++ = ' ';
      o = put (o, h->cstr, h->cstr_length);
      *o++ = '\r';
      *o++ = '\n';
    }
  *o++ = '\r';
  *o++ = '\n';
  if (body_size)
    o = put (o, body_data, body_size);
  g_assert ((gsize) (o - out) <= size);
  return g_bytes_new_take (out, o - out);
}

/**
 * net_sip_message_to_string:
 * @self: a #NetSipMessage
 *
 * Like [method@NetSip.Message.to_bytes], as a string for logs and tests. A
 * body with NUL octets is cut at the first one.
 *
 * Returns: (transfer full): the message as text
 *
 * Since: 1.0
 */
char *
net_sip_message_to_string (NetSipMessage *self)
{
  g_autoptr(GBytes) b = net_sip_message_to_bytes (self);
  gsize len;
  const char *d = g_bytes_get_data (b, &len);
  return g_strndup (d ? d : "", len);
}

/* ------------------------------------------------------------------ */
/* Structured values                                                   */

static gboolean
header_value_error (GError             **error,
                    const NetSipHeader  *h,
                    const char          *what)
{
  const char *name = h->id != NET_SIP_HDR_OTHER ? net_sip_header_id_name (h->id) : "?";
  if (h->line)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_VALUE,
                            "line %u: header '%s': %s", h->line, name, what);
  return set_parse_error (error, NET_SIP_PARSE_ERROR_VALUE, "header '%s': %s", name, what);
}

static NetSipVia *parse_top_via (NetSipMessagePrivate *priv, GError **error);

/**
 * net_sip_message_get_top_via:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Returns the first via-parm of the first Via header: the one a UAS sends
 * the response to and a UAC checks (RFC 3261 §8.1.3.3, §18.2.2).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE if it is malformed.
 *
 * Returns: (transfer none) (nullable): the top Via, or %NULL if there is
 *   none (without error) or it is malformed (with @error set)
 *
 * Since: 1.0
 */
NetSipVia *
net_sip_message_get_top_via (NetSipMessage  *self,
                             GError        **error)
{
  NetSipMessagePrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  if (priv->top_via)
    return priv->top_via;
  if (priv->vias)
    return priv->top_via = priv->n_vias ? priv->vias[0] : NULL;
  return parse_top_via (priv, error);
}

static NetSipVia *
parse_top_via (NetSipMessagePrivate  *priv,
               GError               **error)
{
  NetSipHeader *h;
  const char *what = NULL, *p, *end;

  h = find_header (priv, NET_SIP_HDR_VIA);
  if (h == NULL)
    return NULL;
  end = header_span (priv, h, &p);
  priv->top_via = net_sip_via_parse_in (priv->arena, &p, end, &what);
  if (priv->top_via == NULL)
    header_value_error (error, h, what);
  else
    {
      priv->top_via_end = p;
      p = net_sip_skip_ws (p, end);
      if (p < end && *p != ',')
        {
          priv->top_via = NULL;
          header_value_error (error, h, "unexpected character after via-parm");
        }
    }
  return priv->top_via;
}

/* The top via-parm again, written from its parsed form with received and
 * rport set, followed by the rest of its line: the general way, for what
 * the splice in net_sip_message_set_via_received() does not handle. */
static void
rebuild_top_via (NetSipMessage *self,
                 NetSipVia     *via,
                 const char    *received,
                 const char    *rport_text,
                 const char    *rest,
                 gsize          rest_length)
{
  NetSipParam *params = g_newa (NetSipParam, via->n_params + 1);
  g_autoptr(GString) text = g_string_sized_new (128);
  guint n = 0;

  for (guint i = 0; i < via->n_params; i++)
    {
      if (net_sip_param_is (&via->params[i], "received"))
        continue;
      params[n] = via->params[i];
      if (rport_text && net_sip_param_is (&via->params[i], "rport"))
        params[n].value = rport_text;
      n++;
    }
  params[n].name = "received";
  params[n].name_length = 8;
  params[n].value = received;
  params[n].quoted = FALSE;
  n++;

  g_string_append (text, via->protocol);
  g_string_append_c (text, '/');
  g_string_append (text, via->transport);
  g_string_append_c (text, ' ');
  if (via->ipv6)
    {
      g_string_append_c (text, '[');
      g_string_append (text, via->host);
      g_string_append_c (text, ']');
    }
  else
    g_string_append (text, via->host);
  if (via->port)
    g_string_append_printf (text, ":%u", via->port);
  net_sip_params_append (text, params, n, ';');
  g_string_append_len (text, rest, rest_length);
  net_sip_message_replace_first_header (self, "Via", text->str);
}

/* RFC 3261 §18.2.1 and RFC 3581 §4, for a received request: sets
 * received=@received on the top via-parm (replacing one already there)
 * and, when @rport is not 0, gives the valueless rport parameter that
 * value. The common case (no received yet, a bare rport) is a splice into
 * the line as written; the parsed top Via and the other parsed values
 * stay cached. FALSE when there is no readable Via. */
gboolean
net_sip_message_set_via_received (NetSipMessage *self,
                                  const char    *received,
                                  guint16        rport)
{
  NetSipMessagePrivate *priv = PRIV (self);
  NetSipHeader *h;
  NetSipVia *via, *nv;
  NetSipParam *params;
  const char *start, *end, *elem_end, *rport_at = NULL;
  char rport_text[24];
  gsize rport_len = 0, received_len = strlen (received), size;
  gboolean has_received = FALSE;
  char *out, *o;

  if (priv->top_via == NULL || priv->top_via_end == NULL)
    {
      priv->top_via = NULL;
      if (parse_top_via (priv, NULL) == NULL)
        return FALSE;
    }
  via = priv->top_via;
  h = find_header (priv, NET_SIP_HDR_VIA);
  end = header_span (priv, h, &start);
  elem_end = priv->top_via_end;
  if (rport)
    {
      char *r = put_uint (rport_text, rport);
      *r = '\0';
      rport_len = r - rport_text;
    }

  /* find ";rport" without a value and any ";received" in the element as
   * written; quoted strings can only be parameter values */
  for (const char *p = start; p < elem_end; p++)
    {
      if (*p == '"')
        {
          for (p++; p < elem_end && *p != '"'; p++)
            if (*p == '\\')
              p++;
          continue;
        }
      if (*p == ';')
        {
          const char *name = net_sip_skip_ws (p + 1, elem_end);
          const char *name_end = net_sip_skip_token (name, elem_end);
          if (net_sip_name_is (name, name_end - name, "received", 8))
            has_received = TRUE;
          else if (rport && net_sip_name_is (name, name_end - name, "rport", 5))
            {
              const char *q = net_sip_skip_ws (name_end, elem_end);
              if (q >= elem_end || *q != '=')
                rport_at = name_end;
            }
        }
    }
  if (has_received || (rport && rport_at == NULL))
    {
      rebuild_top_via (self, via, received, rport ? rport_text : NULL, elem_end, end - elem_end);
      return TRUE;
    }

  /* start..rport_at "=PORT" rport_at..elem_end ";received=IP" elem_end..end */
  if (rport_at == NULL)
    rport_at = elem_end;
  size = (end - start) + (rport ? 1 + rport_len : 0) + 10 + received_len;
  out = o = net_sip_arena_alloc (priv->arena, size + 1);
  memcpy (o, start, rport_at - start);
  o += rport_at - start;
  if (rport)
    {
      *o++ = '=';
      memcpy (o, rport_text, rport_len);
      o += rport_len;
    }
  memcpy (o, rport_at, elem_end - rport_at);
  o += elem_end - rport_at;
  memcpy (o, ";received=", 10);
  o += 10;
  memcpy (o, received, received_len);
  o += received_len;
  priv->top_via_end = o;
  memcpy (o, elem_end, end - elem_end);
  o += end - elem_end;
  *o = '\0';

  h->value = h->cstr = out;
  h->value_length = h->cstr_length = o - out;
  h->folded = FALSE;

  /* the cached top Via, updated the same way */
  nv = net_sip_arena_alloc (priv->arena, sizeof (NetSipVia));
  *nv = *via;
  params = net_sip_arena_alloc (priv->arena, (via->n_params + 1) * sizeof (NetSipParam));
  memcpy (params, via->params, via->n_params * sizeof (NetSipParam));
  nv->params = params;
  nv->received = net_sip_arena_strndup (priv->arena, received, received_len);
  if (rport)
    {
      nv->rport = rport;
      for (guint i = 0; i < nv->n_params; i++)
        if (net_sip_param_is (&params[i], "rport"))
          params[i].value = net_sip_arena_strndup (priv->arena, rport_text, rport_len);
    }
  params[nv->n_params].name = "received";
  params[nv->n_params].name_length = 8;
  params[nv->n_params].value = nv->received;
  params[nv->n_params].quoted = FALSE;
  nv->n_params++;

  priv->top_via = nv;
  priv->vias = NULL;
  priv->n_vias = 0;
  priv->modified = TRUE;
  return TRUE;
}

/**
 * net_sip_message_get_vias:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Returns every via-parm of every Via header in order, top first, whether
 * written one per line or comma-separated (RFC 3261 §7.3.1).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE naming the line of a malformed Via
 *   (RFC 4475 badinv01: empty parameters or elements).
 *
 * Returns: (transfer container) (element-type NetSipVia) (nullable): the
 *   Via values (an empty array when there is none), or %NULL on error;
 *   free with g_ptr_array_unref()
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_message_get_vias (NetSipMessage  *self,
                          GError        **error)
{
  NetSipMessagePrivate *priv;
  GPtrArray *out;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);

  if (priv->vias == NULL)
    {
      g_autoptr(GPtrArray) tmp = g_ptr_array_new ();
      for (guint i = 0; i < priv->n_headers; i++)
        {
          NetSipHeader *h = &priv->headers[i];
          const char *v, *what = NULL;
          if (h->id != NET_SIP_HDR_VIA)
            continue;
          const char *end = header_span (priv, h, &v);
          if (!net_sip_via_list_parse_in (priv->arena, v, end, tmp, &what))
            {
              header_value_error (error, h, what);
              return NULL;
            }
        }
      priv->n_vias = tmp->len;
      priv->vias = net_sip_arena_alloc (priv->arena, (tmp->len + 1) * sizeof (NetSipVia *));
      if (tmp->len)
        memcpy (priv->vias, tmp->pdata, tmp->len * sizeof (NetSipVia *));
    }

  out = g_ptr_array_new_full (priv->n_vias, (GDestroyNotify) net_sip_via_unref);
  for (guint i = 0; i < priv->n_vias; i++)
    g_ptr_array_add (out, net_sip_via_ref (priv->vias[i]));
  return out;
}

static gboolean
ensure_cseq (NetSipMessagePrivate  *priv,
             GError               **error)
{
  NetSipHeader *h;
  const char *v, *p, *end, *digits, *m;
  guint64 n;

  if (priv->have_cseq)
    return TRUE;
  h = find_header (priv, NET_SIP_HDR_CSEQ);
  if (h == NULL)
    return set_parse_error (error, NET_SIP_PARSE_ERROR_VALUE, "no CSeq header");
  end = header_span (priv, h, &v);
  /* CSeq = 1*DIGIT LWS Method (§20.16), number < 2^31 for requests a UAC
   * sends but up to 2^32-1 accepted (§8.1.1.5) */
  digits = p = v;
  while (p < end && g_ascii_isdigit (*p))
    p++;
  if (p == digits || p >= end || !net_sip_is_ws (*p))
    return header_value_error (error, h, "expected '<number> <method>'");
  if (!net_sip_parse_uint (digits, p - digits, G_MAXUINT32, &n))
    return header_value_error (error, h, "sequence number exceeds 2^32-1");
  p = net_sip_skip_ws (p, end);
  m = p;
  p = net_sip_skip_token (p, end);
  if (p == m || p != end)
    return header_value_error (error, h, "expected '<number> <method>'");
  priv->cseq = (guint32) n;
  priv->cseq_method = net_sip_arena_strndup (priv->arena, m, p - m);
  priv->have_cseq = TRUE;
  return TRUE;
}

/**
 * net_sip_message_get_cseq:
 * @self: a #NetSipMessage
 * @number: (out) (optional): the sequence number, 0 to 2^32-1
 * @method: (out) (optional) (transfer none): the method
 * @error: return location for a #GError
 *
 * Reads CSeq (RFC 3261 §20.16). Leading zeros are allowed; a number
 * above 2^32-1 is an error, never wrapped (RFC 4475 scalar02).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE when CSeq is absent or malformed,
 *   e.g. `line 4: header 'CSeq': sequence number exceeds 2^32-1`.
 *
 * Returns: %TRUE on success
 *
 * Since: 1.0
 */
gboolean
net_sip_message_get_cseq (NetSipMessage  *self,
                          guint32        *number,
                          const char    **method,
                          GError        **error)
{
  NetSipMessagePrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), FALSE);
  priv = PRIV (self);
  if (!ensure_cseq (priv, error))
    return FALSE;
  if (number)
    *number = priv->cseq;
  if (method)
    *method = priv->cseq_method;
  return TRUE;
}

/**
 * net_sip_message_get_cseq_number:
 * @self: a #NetSipMessage
 *
 * Gets the sequence number of the CSeq header.
 *
 * Returns: the CSeq number, or 0 when CSeq is absent or malformed
 *
 * Since: 1.0
 */
guint32
net_sip_message_get_cseq_number (NetSipMessage *self)
{
  guint32 n = 0;
  net_sip_message_get_cseq (self, &n, NULL, NULL);
  return n;
}

/**
 * net_sip_message_get_cseq_method:
 * @self: a #NetSipMessage
 *
 * Gets the method of the CSeq header.
 *
 * Returns: (transfer none) (nullable): the CSeq method, or %NULL when CSeq
 *   is absent or malformed
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_cseq_method (NetSipMessage *self)
{
  const char *m = NULL;
  net_sip_message_get_cseq (self, NULL, &m, NULL);
  return m;
}

static NetSipNameAddr *
parse_single_addr (NetSipMessagePrivate  *priv,
                   guint                  id,
                   GError               **error)
{
  NetSipHeader *h = find_header (priv, id);
  const char *p, *end, *what = NULL;
  NetSipNameAddr *na;

  if (h == NULL)
    return NULL;
  end = header_span (priv, h, &p);
  na = net_sip_name_addr_parse_in (priv->arena, &p, end, FALSE, &what);
  if (na && net_sip_skip_ws (p, end) != end)
    {
      na = NULL;
      what = "unexpected text after the address";
    }
  if (na == NULL)
    header_value_error (error, h, what);
  return na;
}

/**
 * net_sip_message_get_from:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Gets the parsed From header.
 *
 * Returns: (transfer none) (nullable): the From address (RFC 3261
 *   §20.20), or %NULL when absent (no error) or malformed (@error set)
 *
 * Since: 1.0
 */
NetSipNameAddr *
net_sip_message_get_from (NetSipMessage  *self,
                          GError        **error)
{
  NetSipMessagePrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  if (priv->from == NULL)
    priv->from = parse_single_addr (priv, NET_SIP_HDR_FROM, error);
  return priv->from;
}

/**
 * net_sip_message_get_to:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Gets the parsed To header.
 *
 * Returns: (transfer none) (nullable): the To address (RFC 3261 §20.39),
 *   or %NULL when absent (no error) or malformed (@error set)
 *
 * Since: 1.0
 */
NetSipNameAddr *
net_sip_message_get_to (NetSipMessage  *self,
                        GError        **error)
{
  NetSipMessagePrivate *priv;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  if (priv->to == NULL)
    priv->to = parse_single_addr (priv, NET_SIP_HDR_TO, error);
  return priv->to;
}

/**
 * net_sip_message_get_from_tag:
 * @self: a #NetSipMessage
 *
 * Gets the tag of the From header.
 *
 * Returns: (transfer none) (nullable): the From tag, or %NULL when there
 *   is none or From is malformed
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_from_tag (NetSipMessage *self)
{
  NetSipNameAddr *na = net_sip_message_get_from (self, NULL);
  return na ? na->tag : NULL;
}

/**
 * net_sip_message_get_to_tag:
 * @self: a #NetSipMessage
 *
 * Gets the tag of the To header.
 *
 * Returns: (transfer none) (nullable): the To tag, or %NULL when there is
 *   none (outside a dialog, RFC 3261 §8.1.1.2) or To is malformed
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_to_tag (NetSipMessage *self)
{
  NetSipNameAddr *na = net_sip_message_get_to (self, NULL);
  return na ? na->tag : NULL;
}

/**
 * net_sip_message_get_call_id:
 * @self: a #NetSipMessage
 *
 * Gets the Call-ID of the message.
 *
 * Returns: (transfer none) (nullable): the Call-ID (RFC 3261 §20.8), as
 *   written (`%` is not an escape here), or %NULL when absent
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_call_id (NetSipMessage *self)
{
  NetSipMessagePrivate *priv;
  NetSipHeader *h;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  h = find_header (priv, NET_SIP_HDR_CALL_ID);
  return h ? header_cstr (priv, h) : NULL;
}

static GPtrArray *
parse_addr_list (NetSipMessagePrivate  *priv,
                 guint                  id,
                 gboolean               allow_wildcard,
                 GError               **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_name_addr_unref);

  for (guint i = 0; i < priv->n_headers; i++)
    {
      NetSipHeader *h = &priv->headers[i];
      const char *p, *end, *what = NULL;
      if (h->id != id)
        continue;
      end = header_span (priv, h, &p);
      for (;;)
        {
          NetSipNameAddr *na = net_sip_name_addr_parse_in (priv->arena, &p, end, allow_wildcard, &what);
          if (na == NULL)
            {
              header_value_error (error, h, what);
              g_ptr_array_unref (out);
              return NULL;
            }
          g_ptr_array_add (out, net_sip_name_addr_ref (na));
          p = net_sip_skip_ws (p, end);
          if (p >= end)
            break;
          if (*p != ',')
            {
              header_value_error (error, h, "unexpected text after the address");
              g_ptr_array_unref (out);
              return NULL;
            }
          p++;
        }
    }
  return out;
}

/**
 * net_sip_message_get_contacts:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Returns every Contact (RFC 3261 §20.10), whether one per line or
 * comma-separated, including the wildcard `*` of a REGISTER that removes
 * all bindings.
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE for a malformed Contact.
 *
 * Returns: (transfer container) (element-type NetSipNameAddr) (nullable):
 *   the contacts (empty when none), or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_message_get_contacts (NetSipMessage  *self,
                              GError        **error)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  return parse_addr_list (PRIV (self), NET_SIP_HDR_CONTACT, TRUE, error);
}

/**
 * net_sip_message_get_routes:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Gets the parsed Route headers.
 *
 * Returns: (transfer container) (element-type NetSipNameAddr) (nullable):
 *   the Route set in order (RFC 3261 §20.34), empty when none, or %NULL
 *   on error (%NET_SIP_PARSE_ERROR_VALUE)
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_message_get_routes (NetSipMessage  *self,
                            GError        **error)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  return parse_addr_list (PRIV (self), NET_SIP_HDR_ROUTE, FALSE, error);
}

/**
 * net_sip_message_get_record_routes:
 * @self: a #NetSipMessage
 * @error: return location for a #GError
 *
 * Gets the parsed Record-Route headers.
 *
 * Returns: (transfer container) (element-type NetSipNameAddr) (nullable):
 *   the Record-Route values in order (RFC 3261 §20.30), empty when none,
 *   or %NULL on error (%NET_SIP_PARSE_ERROR_VALUE)
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_message_get_record_routes (NetSipMessage  *self,
                                   GError        **error)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  return parse_addr_list (PRIV (self), NET_SIP_HDR_RECORD_ROUTE, FALSE, error);
}

/**
 * net_sip_message_get_auth_params:
 * @self: a #NetSipMessage
 * @name: `Authorization`, `Proxy-Authorization`, `WWW-Authenticate` or
 *   `Proxy-Authenticate` (or another header of the same grammar)
 * @error: return location for a #GError
 *
 * Parses every header line called @name as a challenge or credentials
 * (RFC 3261 §22.2, §22.3, §25.1). A 401 may carry several
 * WWW-Authenticate lines, e.g. for SHA-256 and MD5 (RFC 8760).
 *
 * Errors: %NET_SIP_PARSE_ERROR_VALUE for malformed Digest parameters.
 *
 * Returns: (transfer container) (element-type NetSipAuthParams) (nullable):
 *   the values in order (empty when none), or %NULL on error
 *
 * Since: 1.0
 */
GPtrArray *
net_sip_message_get_auth_params (NetSipMessage  *self,
                                 const char     *name,
                                 GError        **error)
{
  NetSipMessagePrivate *priv;
  GPtrArray *out;
  gsize len;
  guint id;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  priv = PRIV (self);
  len = strlen (name);
  id = net_sip_header_lookup (name, len);
  out = g_ptr_array_new_with_free_func ((GDestroyNotify) net_sip_auth_params_unref);
  for (guint i = 0; i < priv->n_headers; i++)
    {
      NetSipHeader *h = &priv->headers[i];
      const char *v, *what = NULL;
      NetSipAuthParams *ap;
      if (!header_matches (h, id, name, len))
        continue;
      const char *end = header_span (priv, h, &v);
      ap = net_sip_auth_params_parse_in (priv->arena, v, end, &what);
      if (ap == NULL)
        {
          header_value_error (error, h, what);
          g_ptr_array_unref (out);
          return NULL;
        }
      g_ptr_array_add (out, net_sip_auth_params_ref (ap));
    }
  return out;
}

static gint64
header_uint (NetSipMessagePrivate *priv,
             guint                 id,
             guint64               max)
{
  NetSipHeader *h = find_header (priv, id);
  const char *v, *end;
  guint64 n;

  if (h == NULL)
    return -1;
  end = header_span (priv, h, &v);
  if (!net_sip_parse_uint (v, end - v, max, &n))
    return -1;
  return (gint64) n;
}

/**
 * net_sip_message_get_max_forwards:
 * @self: a #NetSipMessage
 *
 * Gets the value of the Max-Forwards header.
 *
 * Returns: Max-Forwards, 0 to 255 (RFC 3261 §20.22), or -1 when absent or
 *   not a number in that range
 *
 * Since: 1.0
 */
gint64
net_sip_message_get_max_forwards (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), -1);
  return header_uint (PRIV (self), NET_SIP_HDR_MAX_FORWARDS, 255);
}

/**
 * net_sip_message_get_expires:
 * @self: a #NetSipMessage
 *
 * Gets the value of the Expires header.
 *
 * Returns: the Expires header in seconds, 0 to 2^32-1 (RFC 3261 §20.19),
 *   or -1 when absent or malformed
 *
 * Since: 1.0
 */
gint64
net_sip_message_get_expires (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), -1);
  return header_uint (PRIV (self), NET_SIP_HDR_EXPIRES, G_MAXUINT32);
}

/**
 * net_sip_message_get_min_expires:
 * @self: a #NetSipMessage
 *
 * Gets the value of the Min-Expires header.
 *
 * Returns: Min-Expires in seconds (RFC 3261 §20.23), or -1 when absent or
 *   malformed
 *
 * Since: 1.0
 */
gint64
net_sip_message_get_min_expires (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), -1);
  return header_uint (PRIV (self), NET_SIP_HDR_MIN_EXPIRES, G_MAXUINT32);
}

/**
 * net_sip_message_get_content_length:
 * @self: a #NetSipMessage
 *
 * Gets the value of the Content-Length header.
 *
 * Returns: the Content-Length header in bytes, or -1 when absent
 *
 * Since: 1.0
 */
gint64
net_sip_message_get_content_length (NetSipMessage *self)
{
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), -1);
  return header_uint (PRIV (self), NET_SIP_HDR_CONTENT_LENGTH, G_MAXUINT32);
}

/**
 * net_sip_message_get_content_type:
 * @self: a #NetSipMessage
 *
 * Returns the media type of Content-Type (RFC 3261 §20.15) in lower case
 * without parameters: `application/sdp` for
 * `Content-Type: Application/SDP; charset=x`. Parameters are in
 * net_sip_message_get_header().
 *
 * Returns: (transfer full) (nullable): the media type, or %NULL when absent
 *
 * Since: 1.0
 */
char *
net_sip_message_get_content_type (NetSipMessage *self)
{
  const char *v, *e;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  v = net_sip_message_get_header (self, "Content-Type");
  if (v == NULL)
    return NULL;
  e = strchr (v, ';');
  if (e == NULL)
    e = v + strlen (v);
  e = trim_end (v, e);
  {
    g_autofree char *t = g_strndup (v, e - v);
    char *out = g_ascii_strdown (t, -1);
    /* "type / subtype" with LWS around the slash (§7.3.1) */
    char *o = out;
    for (char *c = out; *c; c++)
      if (*c != ' ' && *c != '\t')
        *o++ = *c;
    *o = '\0';
    return out;
  }
}

/**
 * net_sip_message_get_tid:
 * @self: a #NetSipMessage
 *
 * Returns the key that matches a request to its transaction and a response
 * to the transaction it answers (RFC 3261 §17.1.3, §17.2.3).
 *
 * With an RFC 3261 branch (starting with the magic cookie `z9hG4bK` and
 * longer than it) the key is the branch, the sent-by of the top Via and the
 * CSeq method, where ACK counts as INVITE so that the ACK for a non-2xx
 * final response finds its INVITE transaction; a CANCEL has its own.
 *
 * Otherwise (RFC 2543 peers, §17.2.3 last paragraphs) the key is made of
 * the Request-URI (requests only), From tag, Call-ID, CSeq number and
 * method (ACK counting as INVITE) and the whole top Via. The To tag is left
 * out so that the ACK, which carries the tag of the response, matches.
 *
 * Returns: (transfer none) (nullable): the transaction key, or %NULL when
 *   the message lacks a valid Via or CSeq
 *
 * Since: 1.0
 */
const char *
net_sip_message_get_tid (NetSipMessage *self)
{
  NetSipMessagePrivate *priv;
  NetSipVia *via;
  const char *method;
  char *tid;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), NULL);
  priv = PRIV (self);
  if (priv->tid)
    return priv->tid;

  via = net_sip_message_get_top_via (self, NULL);
  if (via == NULL || !ensure_cseq (priv, NULL))
    return NULL;
  method = priv->cseq_method;
  if (strcmp (method, "ACK") == 0)
    method = "INVITE";

  if (via->branch && g_str_has_prefix (via->branch, "z9hG4bK") && strlen (via->branch) > 7)
    tid = g_strdup_printf ("%s|%s%s%s:%u|%s", via->branch,
                           via->ipv6 ? "[" : "", via->host, via->ipv6 ? "]" : "",
                           via->port, method);
  else
    {
      g_autofree char *via_text = net_sip_via_to_string (via);
      const char *from_tag = net_sip_message_get_from_tag (self);
      tid = g_strdup_printf ("2543|%s|%s|%s|%u|%s|%s",
                             NET_SIP_IS_REQUEST (self) ? priv->start.uri : "",
                             from_tag ? from_tag : "",
                             net_sip_message_get_call_id (self) ? net_sip_message_get_call_id (self) : "",
                             priv->cseq, method, via_text);
    }
  priv->tid = net_sip_arena_strdup (priv->arena, tid);
  g_free (tid);
  return priv->tid;
}

/* ------------------------------------------------------------------ */
/* Validation                                                          */

static guint
invalid (char       **reason,
         guint        code,
         const char  *format,
         ...) G_GNUC_PRINTF (3, 4);

static guint
invalid (char       **reason,
         guint        code,
         const char  *format,
         ...)
{
  if (reason)
    {
      va_list args;
      va_start (args, format);
      *reason = g_strdup_vprintf (format, args);
      va_end (args);
    }
  return code;
}

static gboolean
is_known_method (const char *m)
{
  static const char *const methods[] = {
    "INVITE", "ACK", "BYE", "CANCEL", "OPTIONS", "REGISTER", "PRACK", "SUBSCRIBE",
    "NOTIFY", "PUBLISH", "INFO", "REFER", "MESSAGE", "UPDATE", NULL
  };
  return g_strv_contains (methods, m);
}

/**
 * net_sip_message_validate:
 * @self: a #NetSipMessage
 * @reason: (out) (optional) (transfer full): why the message is invalid,
 *   naming the header and line, or %NULL when it is valid
 *
 * Checks what a UAS or proxy must check before acting on a message
 * (RFC 3261 §8.2, §16.3) and returns the status code to answer a bad
 * request with:
 * - 505 when the SIP-Version is not SIP/2.0 (§8.2.1 is silent, §21.5.20);
 * - 400 when Via, From, To, Call-ID or CSeq is missing (§8.1.1, RFC 4475
 *   insuf), when one of From, To, Call-ID, CSeq, Max-Forwards,
 *   Content-Type appears more than once (multi01), when Content-Length
 *   values conflict (mcl01), when a Via, From, To, CSeq, Contact, Route or
 *   Record-Route is malformed (badinv01, scalar02, quotbal), when
 *   Max-Forwards is not a number from 0 to 255, when the Request-URI is
 *   malformed or carries headers (escruri, ipv6-bad), or when the CSeq
 *   method differs from the request method (mismatch01);
 * - 501 for that mismatch when the request method is not one the library
 *   knows (mismatch02).
 *
 * Responses are checked the same way; a client transaction drops an
 * invalid response instead of answering.
 *
 * Returns: 0 when the message is valid, else the status code
 *
 * Since: 1.0
 */
guint
net_sip_message_validate (NetSipMessage  *self,
                          char          **reason)
{
  static const guint mandatory[] = {
    NET_SIP_HDR_VIA, NET_SIP_HDR_FROM, NET_SIP_HDR_TO, NET_SIP_HDR_CALL_ID, NET_SIP_HDR_CSEQ,
  };
  static const guint single[] = {
    NET_SIP_HDR_FROM, NET_SIP_HDR_TO, NET_SIP_HDR_CALL_ID, NET_SIP_HDR_CSEQ,
    NET_SIP_HDR_MAX_FORWARDS, NET_SIP_HDR_CONTENT_TYPE,
  };
  NetSipMessagePrivate *priv;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list = NULL;
  gboolean is_request;

  g_return_val_if_fail (NET_SIP_IS_MESSAGE (self), 400);
  priv = PRIV (self);
  is_request = NET_SIP_IS_REQUEST (self);
  if (reason)
    *reason = NULL;

  if (priv->start.version && g_ascii_strcasecmp (priv->start.version, "SIP/2.0") != 0)
    return invalid (reason, 505, "SIP-Version '%s' is not supported", priv->start.version);

  for (guint i = 0; i < G_N_ELEMENTS (mandatory); i++)
    if (find_header (priv, mandatory[i]) == NULL)
      return invalid (reason, 400, "missing header '%s'", net_sip_header_id_name (mandatory[i]));

  for (guint i = 0; i < G_N_ELEMENTS (single); i++)
    {
      guint n = 0, first_line = 0;
      for (guint j = 0; j < priv->n_headers; j++)
        if (priv->headers[j].id == single[i] && n++ == 0)
          first_line = priv->headers[j].line;
      if (n > 1)
        return invalid (reason, 400, "header '%s' appears %u times (first on line %u)",
                        net_sip_header_id_name (single[i]), n, first_line);
    }

  if (priv->cl_conflict)
    return invalid (reason, 400, "conflicting Content-Length values");

  if (!(list = net_sip_message_get_vias (self, &error)))
    return invalid (reason, 400, "%s", error->message);
  g_clear_pointer (&list, g_ptr_array_unref);
  if (!net_sip_message_get_from (self, &error))
    return invalid (reason, 400, "%s", error->message);
  if (!net_sip_message_get_to (self, &error))
    return invalid (reason, 400, "%s", error->message);
  if (!ensure_cseq (priv, &error))
    return invalid (reason, 400, "%s", error->message);
  if (!(list = net_sip_message_get_contacts (self, &error)))
    return invalid (reason, 400, "%s", error->message);
  g_clear_pointer (&list, g_ptr_array_unref);
  if (!(list = net_sip_message_get_routes (self, &error)))
    return invalid (reason, 400, "%s", error->message);
  g_clear_pointer (&list, g_ptr_array_unref);
  if (!(list = net_sip_message_get_record_routes (self, &error)))
    return invalid (reason, 400, "%s", error->message);
  g_clear_pointer (&list, g_ptr_array_unref);

  {
    NetSipHeader *mf = find_header (priv, NET_SIP_HDR_MAX_FORWARDS);
    if (mf && net_sip_message_get_max_forwards (self) < 0)
      return invalid (reason, 400, "line %u: header 'Max-Forwards': not a number from 0 to 255",
                      mf->line);
  }

  if (is_request)
    {
      g_autoptr(NetSipUri) uri = net_sip_uri_parse (priv->start.uri, -1, &error);
      if (uri == NULL)
        return invalid (reason, 400, "Request-URI: %s", error->message);
      if (net_sip_uri_is_sip (uri) && net_sip_uri_get_n_headers (uri) > 0)
        return invalid (reason, 400, "Request-URI must not carry headers (RFC 3261 §19.1.5)");
      if (strcmp (priv->cseq_method, priv->start.method) != 0)
        {
          if (!is_known_method (priv->start.method))
            return invalid (reason, 501, "method '%s' is not implemented and differs from the CSeq method '%s'",
                            priv->start.method, priv->cseq_method);
          return invalid (reason, 400, "CSeq method '%s' differs from the request method '%s'",
                          priv->cseq_method, priv->start.method);
        }
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Answers to garbage                                                  */

GBytes *
net_sip_message_error_response (GBytes     *bytes,
                                guint       code,
                                const char *reason)
{
  static const guint copied[] = {
    NET_SIP_HDR_VIA, NET_SIP_HDR_FROM, NET_SIP_HDR_TO, NET_SIP_HDR_CALL_ID, NET_SIP_HDR_CSEQ,
  };
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);
  const char *p, *end;
  GString *out;
  gboolean have_via = FALSE;

  g_return_val_if_fail (code >= 300 && code <= 699, NULL);
  if (data == NULL || len == 0)
    return NULL;
  p = data;
  end = data + MIN (len, (gsize) NET_SIP_DEFAULT_MAX_HEADER_SIZE);
  while (p < end && (*p == '\r' || *p == '\n'))
    p++;
  /* a request starts with a method token and a space, a response with SIP/ */
  {
    const char *t = net_sip_skip_token (p, end);
    if (t == p || t >= end || *t != ' ' || (end - p > 4 && g_ascii_strncasecmp (p, "SIP/", 4) == 0))
      return NULL;
  }

  out = g_string_new (NULL);
  g_string_append_printf (out, "SIP/2.0 %u ", code);
  /* the reason is one line of printable text */
  for (const char *r = reason ? reason : net_sip_response_default_reason (code); *r; r++)
    g_string_append_c (out, ((guchar) *r < 0x20 || *r == 0x7f) ? ' ' : *r);
  g_string_append (out, "\r\n");

  /* copy the lines that a response needs, as they are (§8.2.6.2) */
  for (guint k = 0; k < G_N_ELEMENTS (copied); k++)
    {
      const char *q = memchr (p, '\n', end - p);
      while (q && q + 1 < end)
        {
          const char *line = q + 1;
          const char *nl = memchr (line, '\n', end - line);
          const char *line_end = nl ? nl : end;
          const char *name_end = net_sip_skip_token (line, line_end);
          const char *colon = net_sip_skip_ws (name_end, line_end);

          if (line_end > line && line_end[-1] == '\r')
            line_end--;
          if (line_end == line)
            break;  /* end of the header section */
          if (name_end > line && colon < line_end && *colon == ':' &&
              net_sip_header_lookup (line, name_end - line) == copied[k] &&
              memchr (line, '\0', line_end - line) == NULL)
            {
              g_string_append (out, net_sip_header_id_name (copied[k]));
              g_string_append (out, ":");
              g_string_append_len (out, colon + 1, line_end - (colon + 1));
              g_string_append (out, "\r\n");
              if (copied[k] == NET_SIP_HDR_VIA)
                have_via = TRUE;
            }
          q = nl;
        }
    }
  if (!have_via)
    {
      g_string_free (out, TRUE);
      return NULL;
    }
  g_string_append (out, "Content-Length: 0\r\n\r\n");
  return g_string_free_to_bytes (out);
}
