/* netsip-stream-framer.c: cut a byte stream into SIP messages
 * (RFC 3261 §18.3 framing, §7.5 CRLFs between messages,
 * RFC 5626 §3.5.1 CRLF keep-alives)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-stream-framer.h"
#include "netsip-error.h"
#include "netsip-header-private.h"
#include "netsip-scan-private.h"
#include "netsip-version.h"

/**
 * NetSipStreamFramer:
 *
 * Takes the bytes of a TCP or TLS connection as they arrive, in pieces of
 * any size, and hands out whole messages: split reads, several messages in
 * one read (pipelining) and CRLF keep-alives between messages are all
 * handled. A message is complete when its header section has ended and as
 * many body octets as its Content-Length announces have arrived (§18.3).
 *
 * An error from [method@NetSip.StreamFramer.next] means the stream cannot
 * be framed any more (a header section over the limit, a missing or bad
 * Content-Length): the connection should be closed. Further calls return
 * an error as well.
 *
 * Since: 1.0
 */
struct _NetSipStreamFramer
{
  GObject     parent_instance;

  GByteArray *buffer;
  gsize       start;        /* first unconsumed byte */
  gsize       scanned;      /* bytes after @start searched for the header end */
  gsize       max_header_size;
  gsize       max_body_size;
  gboolean    broken;
};

enum {
  PROP_0,
  PROP_MAX_HEADER_SIZE,
  PROP_MAX_BODY_SIZE,
  PROP_BUFFERED_SIZE,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum {
  SIG_KEEPALIVE_RECEIVED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

G_DEFINE_FINAL_TYPE (NetSipStreamFramer, net_sip_stream_framer, G_TYPE_OBJECT)

static void
net_sip_stream_framer_finalize (GObject *object)
{
  NetSipStreamFramer *self = NET_SIP_STREAM_FRAMER (object);

  g_byte_array_unref (self->buffer);
  G_OBJECT_CLASS (net_sip_stream_framer_parent_class)->finalize (object);
}

static void
net_sip_stream_framer_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  NetSipStreamFramer *self = NET_SIP_STREAM_FRAMER (object);

  switch (prop_id)
    {
    case PROP_MAX_HEADER_SIZE:
      g_value_set_uint (value, self->max_header_size);
      break;
    case PROP_MAX_BODY_SIZE:
      g_value_set_uint (value, self->max_body_size);
      break;
    case PROP_BUFFERED_SIZE:
      g_value_set_uint64 (value, net_sip_stream_framer_get_buffered_size (self));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_stream_framer_set_property (GObject      *object,
                                    guint         prop_id,
                                    const GValue *value,
                                    GParamSpec   *pspec)
{
  NetSipStreamFramer *self = NET_SIP_STREAM_FRAMER (object);

  switch (prop_id)
    {
    case PROP_MAX_HEADER_SIZE:
      net_sip_stream_framer_set_max_header_size (self, g_value_get_uint (value));
      break;
    case PROP_MAX_BODY_SIZE:
      net_sip_stream_framer_set_max_body_size (self, g_value_get_uint (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
net_sip_stream_framer_class_init (NetSipStreamFramerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = net_sip_stream_framer_finalize;
  object_class->get_property = net_sip_stream_framer_get_property;
  object_class->set_property = net_sip_stream_framer_set_property;

  /**
   * NetSipStreamFramer:max-header-size:
   *
   * Limit in bytes of a message's start line and header section
   * (Net::SIP's `max-sip-header`). A stream that exceeds it is broken.
   *
   * Since: 1.0
   */
  props[PROP_MAX_HEADER_SIZE] =
    g_param_spec_uint ("max-header-size", NULL, NULL,
                       64, G_MAXINT32, NET_SIP_DEFAULT_MAX_HEADER_SIZE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * NetSipStreamFramer:max-body-size:
   *
   * Limit in bytes of a message body (Net::SIP's `max-sip-body`). A larger
   * Content-Length breaks the stream.
   *
   * Since: 1.0
   */
  props[PROP_MAX_BODY_SIZE] =
    g_param_spec_uint ("max-body-size", NULL, NULL,
                       0, G_MAXINT32, NET_SIP_DEFAULT_MAX_BODY_SIZE,
                       G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY);

  /**
   * NetSipStreamFramer:buffered-size:
   *
   * Bytes received and not yet handed out as a message.
   *
   * Since: 1.0
   */
  props[PROP_BUFFERED_SIZE] =
    g_param_spec_uint64 ("buffered-size", NULL, NULL,
                         0, G_MAXUINT64, 0,
                         G_PARAM_READABLE | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipStreamFramer::keepalive-received:
   * @self: the framer
   * @is_ping: %TRUE for a ping (CRLF CRLF), which the receiver answers
   *   with a pong (one CRLF); %FALSE for a pong
   *
   * Emitted by [method@NetSip.StreamFramer.next] for each keep-alive found
   * between messages (RFC 5626 §3.5.1).
   *
   * Since: 1.0
   */
  signals[SIG_KEEPALIVE_RECEIVED] =
    g_signal_new ("keepalive-received",
                  G_TYPE_FROM_CLASS (klass),
                  G_SIGNAL_RUN_LAST,
                  0, NULL, NULL, NULL,
                  G_TYPE_NONE, 1, G_TYPE_BOOLEAN);
}

static void
net_sip_stream_framer_init (NetSipStreamFramer *self)
{
  self->buffer = g_byte_array_new ();
  self->max_header_size = NET_SIP_DEFAULT_MAX_HEADER_SIZE;
  self->max_body_size = NET_SIP_DEFAULT_MAX_BODY_SIZE;
}

/**
 * net_sip_stream_framer_new:
 *
 * Creates a framer that cuts a TCP or TLS byte stream into SIP messages (RFC
 * 3261 §18.3).
 *
 * Returns: (transfer full): a framer with the default limits (16384 bytes
 *   of header, 65536 bytes of body)
 *
 * Since: 1.0
 */
NetSipStreamFramer *
net_sip_stream_framer_new (void)
{
  return g_object_new (NET_SIP_TYPE_STREAM_FRAMER, NULL);
}

/**
 * net_sip_stream_framer_push:
 * @self: a #NetSipStreamFramer
 * @data: (array length=length) (element-type guint8): bytes read from the
 *   stream
 * @length: number of bytes in @data
 *
 * Appends bytes as they were read. Call [method@NetSip.StreamFramer.next]
 * until it returns %NULL to take the messages they complete.
 *
 * Since: 1.0
 */
void
net_sip_stream_framer_push (NetSipStreamFramer *self,
                            const guint8       *data,
                            gsize               length)
{
  g_return_if_fail (NET_SIP_IS_STREAM_FRAMER (self));
  g_return_if_fail (data != NULL || length == 0);

  if (length == 0)
    return;
  /* drop consumed bytes before the buffer grows */
  if (self->start > 0 && (self->start == self->buffer->len || self->start >= 4096))
    {
      g_byte_array_remove_range (self->buffer, 0, self->start);
      self->start = 0;
    }
  g_byte_array_append (self->buffer, data, length);
}

/**
 * net_sip_stream_framer_push_bytes:
 * @self: a #NetSipStreamFramer
 * @bytes: bytes read from the stream
 *
 * Like net_sip_stream_framer_push().
 *
 * Since: 1.0
 */
void
net_sip_stream_framer_push_bytes (NetSipStreamFramer *self,
                                  GBytes             *bytes)
{
  gsize len;
  const guint8 *d;

  g_return_if_fail (bytes != NULL);
  d = g_bytes_get_data (bytes, &len);
  net_sip_stream_framer_push (self, d, len);
}

static gboolean
fail (NetSipStreamFramer  *self,
      GError             **error,
      gint                 code,
      const char          *format,
      ...) G_GNUC_PRINTF (4, 5);

static gboolean
fail (NetSipStreamFramer  *self,
      GError             **error,
      gint                 code,
      const char          *format,
      ...)
{
  va_list args;

  self->broken = TRUE;
  if (error)
    {
      va_start (args, format);
      *error = g_error_new_valist (NET_SIP_PARSE_ERROR, code, format, args);
      va_end (args);
    }
  return FALSE;
}

/* Finds Content-Length in the header section [p, end) (which ends with the
 * empty line). Returns FALSE on error. */
static gboolean
find_content_length (NetSipStreamFramer  *self,
                     const char          *p,
                     const char          *end,
                     guint64             *out,
                     GError             **error)
{
  gboolean found = FALSE;
  guint line_no = 0;

  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      const char *line_end, *name_end, *colon;

      if (nl == NULL)
        nl = end;
      line_end = (nl > p && nl[-1] == '\r') ? nl - 1 : nl;
      line_no++;
      name_end = net_sip_skip_token (p, line_end);
      colon = net_sip_skip_ws (name_end, line_end);
      if (line_no > 1 && name_end > p && colon < line_end && *colon == ':' &&
          net_sip_header_lookup (p, name_end - p) == NET_SIP_HDR_CONTENT_LENGTH)
        {
          const char *v = net_sip_skip_ws (colon + 1, line_end);
          const char *ve = line_end;
          guint64 n;
          while (ve > v && net_sip_is_ws (ve[-1]))
            ve--;
          if (!net_sip_parse_uint (v, ve - v, G_MAXUINT32, &n))
            return fail (self, error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                         "line %u: header 'Content-Length': '%.*s' is not a number up to 2^32-1",
                         line_no, (int) MIN (ve - v, 40), v);
          if (found && n != *out)
            return fail (self, error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                         "line %u: conflicting Content-Length values", line_no);
          *out = n;
          found = TRUE;
        }
      p = nl + 1;
    }
  if (!found)
    return fail (self, error, NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
                 "Content-Length is required on a stream (RFC 3261 §18.3)");
  return TRUE;
}

/**
 * net_sip_stream_framer_next:
 * @self: a #NetSipStreamFramer
 * @error: return location for a #GError
 *
 * Takes the next complete message out of the buffer. Keep-alives before it
 * are consumed and reported with
 * [signal@NetSip.StreamFramer::keepalive-received].
 *
 * Errors: %NET_SIP_PARSE_ERROR_TOO_LARGE, %NET_SIP_PARSE_ERROR_CONTENT_LENGTH
 *   and the errors of [func@NetSip.Message.parse_full]; after an error the
 *   stream is broken and should be closed.
 *
 * Returns: (transfer full) (nullable): the next message, or %NULL when more
 *   bytes are needed (without error) or on error
 *
 * Since: 1.0
 */
NetSipMessage *
net_sip_stream_framer_next (NetSipStreamFramer  *self,
                            GError             **error)
{
  const char *base, *p, *end, *hdr_end = NULL;
  gsize header_len;
  guint64 content_length = 0;
  g_autoptr(GBytes) bytes = NULL;
  NetSipMessage *msg;

  g_return_val_if_fail (NET_SIP_IS_STREAM_FRAMER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->broken)
    {
      g_set_error_literal (error, NET_SIP_PARSE_ERROR, NET_SIP_PARSE_ERROR_INCOMPLETE,
                           "the stream cannot be framed after an earlier error");
      return NULL;
    }

  /* Keep-alives: CRLF CRLF is a ping, a lone CRLF a pong (RFC 5626
   * §3.5.1); a stray LF or CRLF before a start line is skipped (§7.5). */
  for (;;)
    {
      gsize avail = self->buffer->len - self->start;
      const char *b;

      if (avail == 0)
        return NULL;
      b = (const char *) self->buffer->data + self->start;

      if (avail >= 4 && memcmp (b, "\r\n\r\n", 4) == 0)
        {
          self->start += 4;
          self->scanned = 0;
          g_signal_emit (self, signals[SIG_KEEPALIVE_RECEIVED], 0, TRUE);
          continue;
        }
      if (avail >= 2 && b[0] == '\r' && b[1] == '\n')
        {
          if (avail == 3 && b[2] == '\r')
            return NULL;  /* maybe the rest of a ping */
          self->start += 2;
          self->scanned = 0;
          g_signal_emit (self, signals[SIG_KEEPALIVE_RECEIVED], 0, FALSE);
          continue;
        }
      if (avail >= 1 && b[0] == '\n')
        {
          self->start += 1;
          self->scanned = 0;
          continue;
        }
      if (avail == 1 && b[0] == '\r')
        return NULL;
      break;
    }

  if (self->start == self->buffer->len)
    return NULL;  /* nothing buffered (the array's data may still be NULL) */
  base = (const char *) self->buffer->data + self->start;
  end = (const char *) self->buffer->data + self->buffer->len;

  /* the end of the header section: an empty line (CRLF CRLF, or LF LF) */
  p = base + (self->scanned > 3 ? self->scanned - 3 : 0);
  while (p < end)
    {
      const char *nl = memchr (p, '\n', end - p);
      if (nl == NULL)
        break;
      if (nl + 1 < end && nl[1] == '\n')
        {
          hdr_end = nl + 2;
          break;
        }
      if (nl + 2 < end && nl[1] == '\r' && nl[2] == '\n')
        {
          hdr_end = nl + 3;
          break;
        }
      p = nl + 1;
    }
  if (hdr_end == NULL)
    {
      self->scanned = end - base;
      if ((gsize) (end - base) > self->max_header_size)
        {
          fail (self, error, NET_SIP_PARSE_ERROR_TOO_LARGE,
                "header section exceeds %" G_GSIZE_FORMAT " bytes", self->max_header_size);
        }
      return NULL;
    }
  header_len = hdr_end - base;
  if (header_len > self->max_header_size)
    {
      fail (self, error, NET_SIP_PARSE_ERROR_TOO_LARGE,
            "header section exceeds %" G_GSIZE_FORMAT " bytes", self->max_header_size);
      return NULL;
    }
  if (!find_content_length (self, base, hdr_end, &content_length, error))
    return NULL;
  if (content_length > self->max_body_size)
    {
      fail (self, error, NET_SIP_PARSE_ERROR_TOO_LARGE,
            "body of %" G_GUINT64_FORMAT " bytes exceeds %" G_GSIZE_FORMAT,
            content_length, self->max_body_size);
      return NULL;
    }
  if ((guint64) (end - hdr_end) < content_length)
    {
      self->scanned = header_len;
      return NULL;  /* wait for the rest of the body */
    }

  bytes = g_bytes_new (base, header_len + content_length);
  msg = net_sip_message_parse_full (bytes, NET_SIP_PARSE_FLAGS_STREAM,
                                    self->max_header_size, self->max_body_size, error);
  if (msg == NULL)
    {
      /* keep the bad message buffered for net_sip_stream_framer_peek() */
      self->broken = TRUE;
      return NULL;
    }
  self->start += header_len + content_length;
  self->scanned = 0;
  return msg;
}

/**
 * net_sip_stream_framer_peek:
 * @self: a #NetSipStreamFramer
 *
 * Returns the bytes received and not yet handed out. After an error from
 * [method@NetSip.StreamFramer.next] they start with the message that could
 * not be framed or parsed, so a transport can answer it (with a 400 built
 * from its Via) before closing the connection.
 *
 * Returns: (transfer full): a copy of the buffered bytes
 *
 * Since: 1.0
 */
GBytes *
net_sip_stream_framer_peek (NetSipStreamFramer *self)
{
  g_return_val_if_fail (NET_SIP_IS_STREAM_FRAMER (self), NULL);
  return g_bytes_new (self->buffer->data ? self->buffer->data + self->start : NULL,
                      self->buffer->len - self->start);
}

/**
 * net_sip_stream_framer_get_buffered_size:
 * @self: a #NetSipStreamFramer
 *
 * Gets the number of bytes waiting in the framer.
 *
 * Returns: bytes pushed and not yet handed out
 *
 * Since: 1.0
 */
gsize
net_sip_stream_framer_get_buffered_size (NetSipStreamFramer *self)
{
  g_return_val_if_fail (NET_SIP_IS_STREAM_FRAMER (self), 0);
  return self->buffer->len - self->start;
}

/**
 * net_sip_stream_framer_get_max_header_size:
 * @self: a #NetSipStreamFramer
 *
 * Gets the largest header section the framer accepts.
 *
 * Returns: the value of [property@NetSip.StreamFramer:max-header-size]
 *
 * Since: 1.0
 */
gsize
net_sip_stream_framer_get_max_header_size (NetSipStreamFramer *self)
{
  g_return_val_if_fail (NET_SIP_IS_STREAM_FRAMER (self), 0);
  return self->max_header_size;
}

/**
 * net_sip_stream_framer_set_max_header_size:
 * @self: a #NetSipStreamFramer
 * @size: the limit in bytes
 *
 * Sets [property@NetSip.StreamFramer:max-header-size].
 *
 * Since: 1.0
 */
void
net_sip_stream_framer_set_max_header_size (NetSipStreamFramer *self,
                                           gsize               size)
{
  g_return_if_fail (NET_SIP_IS_STREAM_FRAMER (self));
  if (self->max_header_size == size)
    return;
  self->max_header_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_HEADER_SIZE]);
}

/**
 * net_sip_stream_framer_get_max_body_size:
 * @self: a #NetSipStreamFramer
 *
 * Gets the largest body the framer accepts.
 *
 * Returns: the value of [property@NetSip.StreamFramer:max-body-size]
 *
 * Since: 1.0
 */
gsize
net_sip_stream_framer_get_max_body_size (NetSipStreamFramer *self)
{
  g_return_val_if_fail (NET_SIP_IS_STREAM_FRAMER (self), 0);
  return self->max_body_size;
}

/**
 * net_sip_stream_framer_set_max_body_size:
 * @self: a #NetSipStreamFramer
 * @size: the limit in bytes
 *
 * Sets [property@NetSip.StreamFramer:max-body-size].
 *
 * Since: 1.0
 */
void
net_sip_stream_framer_set_max_body_size (NetSipStreamFramer *self,
                                         gsize               size)
{
  g_return_if_fail (NET_SIP_IS_STREAM_FRAMER (self));
  if (self->max_body_size == size)
    return;
  self->max_body_size = size;
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_MAX_BODY_SIZE]);
}
