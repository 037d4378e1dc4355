/* test-corpus.c: the RFC 4475 / RFC 5118 torture messages and the realistic
 * flows, against the expectations in corpus/expectations.tsv
 *
 * Each row names a message, the outcome this library pins for it and the
 * values that must come out. The check language, one check per column:
 *
 *   key=value    the field @key renders as @value (C escapes \xHH \\ \r \n
 *                \t are decoded first; an absent field renders as "")
 *   error~text   parsing fails with a message containing text
 *   reason~text  validate() refuses with a reason containing text
 *   mode=datagram  the message is only meaningful as a datagram (skip the
 *                stream checks: dblreq, clerr, baddn, mcl01, inv2543)
 *
 * Keys: method ruri ruri.<uri> version status reason size call-id
 * cseq.number cseq.method max-forwards expires content-length content-type
 * body.length body tid.kind validate header[Name] headers[Name].count
 * headers[Name][i] via.count via[i].<via> from.<addr> to.<addr>
 * contact.count contact[i].<addr> route... record-route...
 * auth[Name].count auth[Name][i].<auth>
 * <via>: protocol transport host port branch received rport ipv6
 * <addr>: display uri uri.<uri> tag expires q wildcard params param:NAME
 * <uri>: scheme user password host port opaque params param:NAME header:NAME
 * <auth>: scheme opaque param:NAME
 *
 * Every message is read into an exactly sized heap buffer, so that the
 * sanitizers and valgrind see any read past its end.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"

#include <stdlib.h>

typedef struct
{
  char   *name;
  char   *dir;
  char   *outcome;
  GStrv   checks;
  gboolean datagram_only;
} Row;

static GPtrArray *rows;
static GHashTable *sha256s;  /* name -> sha256 from the MANIFESTs */

/* ------------------------------------------------------------------ */

static GBytes *
unescape (const char *s)
{
  GByteArray *out = g_byte_array_new ();

  for (; *s; s++)
    {
      guint8 c = *s;
      if (*s == '\\' && s[1])
        {
          s++;
          switch (*s)
            {
            case 'x':
              if (g_ascii_isxdigit (s[1]) && g_ascii_isxdigit (s[2]))
                {
                  c = g_ascii_xdigit_value (s[1]) * 16 + g_ascii_xdigit_value (s[2]);
                  s += 2;
                }
              break;
            case 'r': c = '\r'; break;
            case 'n': c = '\n'; break;
            case 't': c = '\t'; break;
            default: c = *s; break;
            }
        }
      g_byte_array_append (out, &c, 1);
    }
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
load_message (const Row *row)
{
  g_autofree char *path = g_strdup_printf ("%s/%s/%s.sip", NETSIP_TEST_CORPUS, row->dir, row->name);
  g_autoptr(GError) error = NULL;
  char *contents;
  gsize len;
  g_autofree char *sum = NULL;
  const char *want;

  g_file_get_contents (path, &contents, &len, &error);
  g_assert_no_error (error);
  sum = g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) contents, len);
  want = g_hash_table_lookup (sha256s, row->name);
  g_assert_nonnull (want);
  /* a checkout that rewrote line ends fails loudly here */
  g_assert_cmpstr (sum, ==, want);
  {
    GBytes *b = g_bytes_new_take (g_memdup2 (contents, len), len);
    g_free (contents);
    return b;
  }
}

/* ------------------------------------------------------------------ */
/* Field rendering                                                     */

static char *
fmt_int (gint64 v)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, v);
}

static gboolean
parse_index (const char **key,
             guint       *index)
{
  char *end;
  if (**key != '[')
    return FALSE;
  *index = strtoul (*key + 1, &end, 10);
  if (*end != ']')
    return FALSE;
  *key = end + 1;
  return TRUE;
}

/* Returns a bracketed name: key points at '[', returns NAME and moves past ']' */
static char *
parse_name (const char **key)
{
  const char *close;
  char *name;
  g_assert_true (**key == '[');
  close = strchr (*key, ']');
  g_assert_nonnull (close);
  name = g_strndup (*key + 1, close - (*key + 1));
  *key = close + 1;
  return name;
}

static GBytes *
str_bytes (const char *v)
{
  return g_bytes_new (v ? v : "", v ? strlen (v) : 0);
}

static GBytes *
int_bytes (gint64 n)
{
  char *s = fmt_int (n);
  return g_bytes_new_take (s, strlen (s));
}

static GBytes *
render_uri (const char *text,
            const char *field)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = net_sip_uri_parse (text, -1, &error);
  const char *v = NULL;

  g_assert_no_error (error);
  if (g_str_equal (field, "scheme"))
    v = net_sip_uri_get_scheme (uri);
  else if (g_str_equal (field, "user"))
    {
      v = net_sip_uri_get_user (uri);
      return g_bytes_new (v ? v : "", v ? net_sip_uri_get_user_length (uri) : 0);
    }
  else if (g_str_equal (field, "password"))
    v = net_sip_uri_get_password (uri);
  else if (g_str_equal (field, "host"))
    v = net_sip_uri_get_host (uri);
  else if (g_str_equal (field, "opaque"))
    v = net_sip_uri_get_opaque (uri);
  else if (g_str_equal (field, "port"))
    return int_bytes (net_sip_uri_get_port (uri));
  else if (g_str_equal (field, "params"))
    return int_bytes (net_sip_uri_get_n_params (uri));
  else if (g_str_has_prefix (field, "param:"))
    v = net_sip_uri_get_param (uri, field + 6);
  else if (g_str_has_prefix (field, "header:"))
    v = net_sip_uri_get_header (uri, field + 7);
  else
    g_error ("unknown URI field '%s'", field);
  return g_bytes_new (v ? v : "", v ? strlen (v) : 0);
}

static GBytes *
render_addr (NetSipNameAddr *na,
             const char     *field)
{
  if (na == NULL)
    return str_bytes (NULL);
  if (g_str_equal (field, "display"))
    return g_bytes_new (net_sip_name_addr_get_display_name (na) ? net_sip_name_addr_get_display_name (na) : "",
                        net_sip_name_addr_get_display_name_length (na));
  if (g_str_equal (field, "uri"))
    return str_bytes (net_sip_name_addr_get_uri_string (na));
  if (g_str_has_prefix (field, "uri."))
    return render_uri (net_sip_name_addr_get_uri_string (na), field + 4);
  if (g_str_equal (field, "tag"))
    return str_bytes (net_sip_name_addr_get_tag (na));
  if (g_str_equal (field, "expires"))
    return int_bytes (net_sip_name_addr_get_expires (na));
  if (g_str_equal (field, "q"))
    {
      char *s = g_strdup_printf ("%g", net_sip_name_addr_get_q (na));
      return g_bytes_new_take (s, strlen (s));
    }
  if (g_str_equal (field, "wildcard"))
    return int_bytes (net_sip_name_addr_is_wildcard (na));
  if (g_str_equal (field, "params"))
    return int_bytes (net_sip_name_addr_get_n_params (na));
  if (g_str_has_prefix (field, "param:"))
    return str_bytes (net_sip_name_addr_get_param (na, field + 6));
  g_error ("unknown address field '%s'", field);
}

static GBytes *
render_list_addr (GPtrArray  *list,
                  const char *rest)
{
  guint i = 0;

  g_assert_nonnull (list);
  if (g_str_equal (rest, ".count"))
    return int_bytes (list->len);
  g_assert_true (parse_index (&rest, &i));
  g_assert_true (*rest == '.');
  if (i >= list->len)
    return str_bytes (NULL);
  return render_addr (list->pdata[i], rest + 1);
}

static GBytes *
render_field (NetSipMessage *m,
              const char    *key)
{
  g_autoptr(GError) error = NULL;

  if (g_str_equal (key, "method"))
    return str_bytes (net_sip_message_get_method (m));
  if (g_str_equal (key, "ruri"))
    return str_bytes (net_sip_request_get_uri (NET_SIP_REQUEST (m)));
  if (g_str_has_prefix (key, "ruri."))
    return render_uri (net_sip_request_get_uri (NET_SIP_REQUEST (m)), key + 5);
  if (g_str_equal (key, "version"))
    return str_bytes (net_sip_message_get_version (m));
  if (g_str_equal (key, "status"))
    return int_bytes (net_sip_response_get_code (NET_SIP_RESPONSE (m)));
  if (g_str_equal (key, "reason"))
    return str_bytes (net_sip_response_get_reason (NET_SIP_RESPONSE (m)));
  if (g_str_equal (key, "size"))
    {
      g_autoptr(GBytes) b = net_sip_message_to_bytes (m);
      return int_bytes (g_bytes_get_size (b));
    }
  if (g_str_equal (key, "call-id"))
    return str_bytes (net_sip_message_get_call_id (m));
  if (g_str_has_prefix (key, "cseq."))
    {
      guint32 n = 0;
      const char *method = NULL;
      if (!net_sip_message_get_cseq (m, &n, &method, NULL))
        return str_bytes (NULL);
      if (g_str_equal (key, "cseq.number"))
        return int_bytes (n);
      return str_bytes (method);
    }
  if (g_str_equal (key, "max-forwards"))
    return int_bytes (net_sip_message_get_max_forwards (m));
  if (g_str_equal (key, "expires"))
    return int_bytes (net_sip_message_get_expires (m));
  if (g_str_equal (key, "content-length"))
    return int_bytes (net_sip_message_get_content_length (m));
  if (g_str_equal (key, "content-type"))
    {
      char *ct = net_sip_message_get_content_type (m);
      return ct ? g_bytes_new_take (ct, strlen (ct)) : str_bytes (NULL);
    }
  if (g_str_equal (key, "body.length"))
    {
      g_autoptr(GBytes) b = net_sip_message_get_body (m);
      return int_bytes (g_bytes_get_size (b));
    }
  if (g_str_equal (key, "body"))
    return net_sip_message_get_body (m);
  if (g_str_equal (key, "tid.kind"))
    {
      const char *tid = net_sip_message_get_tid (m);
      g_assert_nonnull (tid);
      return str_bytes (g_str_has_prefix (tid, "2543|") ? "2543" : "3261");
    }
  if (g_str_equal (key, "validate"))
    return int_bytes (net_sip_message_validate (m, NULL));
  if (g_str_has_prefix (key, "header["))
    {
      const char *k = key + 6;
      g_autofree char *name = parse_name (&k);
      const char *v = net_sip_message_get_header (m, name);
      if (v == NULL)
        return str_bytes ("<absent>");
      /* values may hold NUL octets; the checks here do not */
      return str_bytes (v);
    }
  if (g_str_has_prefix (key, "headers["))
    {
      const char *k = key + 7;
      g_autofree char *name = parse_name (&k);
      g_auto(GStrv) values = net_sip_message_get_headers (m, name);
      guint i = 0;
      if (g_str_equal (k, ".count"))
        return int_bytes (g_strv_length (values));
      g_assert_true (parse_index (&k, &i));
      return str_bytes (i < g_strv_length (values) ? values[i] : NULL);
    }
  if (g_str_has_prefix (key, "via"))
    {
      g_autoptr(GPtrArray) vias = net_sip_message_get_vias (m, &error);
      const char *k = key + 3;
      NetSipVia *via;
      guint i = 0;
      g_assert_no_error (error);
      if (g_str_equal (k, ".count"))
        return int_bytes (vias->len);
      g_assert_true (parse_index (&k, &i));
      g_assert_true (*k == '.');
      k++;
      if (i >= vias->len)
        return str_bytes (NULL);
      via = vias->pdata[i];
      if (g_str_equal (k, "protocol"))
        return str_bytes (net_sip_via_get_protocol (via));
      if (g_str_equal (k, "transport"))
        return str_bytes (net_sip_via_get_transport (via));
      if (g_str_equal (k, "host"))
        return str_bytes (net_sip_via_get_host (via));
      if (g_str_equal (k, "port"))
        return int_bytes (net_sip_via_get_port (via));
      if (g_str_equal (k, "branch"))
        return str_bytes (net_sip_via_get_branch (via));
      if (g_str_equal (k, "received"))
        return str_bytes (net_sip_via_get_received (via));
      if (g_str_equal (k, "rport"))
        return int_bytes (net_sip_via_get_rport (via));
      if (g_str_equal (k, "ipv6"))
        return int_bytes (net_sip_via_host_is_ipv6 (via));
      g_error ("unknown Via field '%s'", k);
    }
  if (g_str_has_prefix (key, "from."))
    {
      NetSipNameAddr *na = net_sip_message_get_from (m, &error);
      g_assert_no_error (error);
      return render_addr (na, key + 5);
    }
  if (g_str_has_prefix (key, "to."))
    {
      NetSipNameAddr *na = net_sip_message_get_to (m, &error);
      g_assert_no_error (error);
      return render_addr (na, key + 3);
    }
  if (g_str_has_prefix (key, "contact"))
    {
      g_autoptr(GPtrArray) l = net_sip_message_get_contacts (m, &error);
      g_assert_no_error (error);
      return render_list_addr (l, key + 7);
    }
  if (g_str_has_prefix (key, "record-route"))
    {
      g_autoptr(GPtrArray) l = net_sip_message_get_record_routes (m, &error);
      g_assert_no_error (error);
      return render_list_addr (l, key + 12);
    }
  if (g_str_has_prefix (key, "route"))
    {
      g_autoptr(GPtrArray) l = net_sip_message_get_routes (m, &error);
      g_assert_no_error (error);
      return render_list_addr (l, key + 5);
    }
  if (g_str_has_prefix (key, "auth["))
    {
      const char *k = key + 4;
      g_autofree char *name = parse_name (&k);
      g_autoptr(GPtrArray) l = net_sip_message_get_auth_params (m, name, &error);
      NetSipAuthParams *ap;
      guint i = 0;
      g_assert_no_error (error);
      if (g_str_equal (k, ".count"))
        return int_bytes (l->len);
      g_assert_true (parse_index (&k, &i));
      g_assert_true (*k == '.');
      k++;
      if (i >= l->len)
        return str_bytes (NULL);
      ap = l->pdata[i];
      if (g_str_equal (k, "scheme"))
        return str_bytes (net_sip_auth_params_get_scheme (ap));
      if (g_str_equal (k, "opaque"))
        return str_bytes (net_sip_auth_params_get_opaque (ap));
      if (g_str_has_prefix (k, "param:"))
        return str_bytes (net_sip_auth_params_get_param (ap, k + 6));
      g_error ("unknown auth field '%s'", k);
    }
  g_error ("unknown check key '%s'", key);
}

static void
run_checks (const Row     *row,
            NetSipMessage *m,
            const char    *how)
{
  for (guint i = 0; row->checks[i]; i++)
    {
      const char *check = row->checks[i];
      const char *eq;
      g_autofree char *key = NULL;
      g_autoptr(GBytes) want = NULL;
      g_autoptr(GBytes) got = NULL;

      if (g_str_has_prefix (check, "error~") || g_str_has_prefix (check, "mode="))
        continue;
      if (g_str_has_prefix (check, "reason~"))
        {
          g_autofree char *reason = NULL;
          guint code = net_sip_message_validate (m, &reason);
          g_assert_cmpuint (code, !=, 0);
          g_assert_nonnull (reason);
          if (strstr (reason, check + 7) == NULL)
            g_error ("%s (%s): validate() reason '%s' lacks '%s'", row->name, how, reason, check + 7);
          continue;
        }
      /* the key ends at the first '=' outside [...] */
      eq = check;
      {
        int depth = 0;
        for (; *eq; eq++)
          {
            if (*eq == '[')
              depth++;
            else if (*eq == ']')
              depth--;
            else if (*eq == '=' && depth == 0)
              break;
          }
      }
      g_assert_true (*eq == '=');
      key = g_strndup (check, eq - check);
      /* the canonical form is shorter (unfolded) and always has a
       * Content-Length */
      if (g_str_equal (how, "canonical") &&
          (g_str_equal (key, "size") || g_str_equal (key, "content-length")))
        continue;
      want = unescape (eq + 1);
      got = render_field (m, key);
      if (!g_bytes_equal (want, got))
        {
          g_autofree char *raw = g_strndup (g_bytes_get_data (got, NULL), g_bytes_get_size (got));
          g_autofree char *g = g_strescape (raw ? raw : "", NULL);
          g_error ("%s (%s): %s: got '%s' (%" G_GSIZE_FORMAT " bytes), want '%s'",
                   row->name, how, key, g, g_bytes_get_size (got), eq + 1);
        }
    }
}

/* ------------------------------------------------------------------ */

static NetSipMessage *
stream_parse (GBytes  *bytes,
              gsize    split,
              GError **error)
{
  g_autoptr(NetSipStreamFramer) framer = net_sip_stream_framer_new ();
  gsize len;
  const guint8 *d = g_bytes_get_data (bytes, &len);
  NetSipMessage *m;

  if (split > 0 && split < len)
    {
      net_sip_stream_framer_push (framer, d, split);
      m = net_sip_stream_framer_next (framer, error);
      if (m != NULL || (error && *error))
        return m;  /* the caller checks this does not happen */
      net_sip_stream_framer_push (framer, d + split, len - split);
    }
  else
    net_sip_stream_framer_push (framer, d, len);
  m = net_sip_stream_framer_next (framer, error);
  if (m)
    g_assert_cmpuint (net_sip_stream_framer_get_buffered_size (framer), ==, 0);
  return m;
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr(GBytes) bytes = load_message (row);
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) m = NULL;

  m = net_sip_message_parse (bytes, &error);

  if (g_str_has_prefix (row->outcome, "parse-error:"))
    {
      const char *code = row->outcome + 12;
      GEnumClass *klass = g_type_class_ref (NET_SIP_TYPE_PARSE_ERROR);
      g_autofree char *nick = g_ascii_strdown (code, -1);
      GEnumValue *ev;

      for (char *c = nick; *c; c++)
        if (*c == '_')
          *c = '-';
      ev = g_enum_get_value_by_nick (klass, nick);
      g_assert_nonnull (ev);
      g_assert_null (m);
      g_assert_error (error, NET_SIP_PARSE_ERROR, ev->value);
      g_type_class_unref (klass);
      for (guint i = 0; row->checks[i]; i++)
        if (g_str_has_prefix (row->checks[i], "error~") && !strstr (error->message, row->checks[i] + 6))
          g_error ("%s: error '%s' lacks '%s'", row->name, error->message, row->checks[i] + 6);
      g_test_message ("%s: %s", row->name, error->message);

      /* as a stream: an error or "need more", never a message */
      if (!row->datagram_only)
        {
          g_autoptr(GError) e2 = NULL;
          g_autoptr(NetSipMessage) m2 = stream_parse (bytes, 0, &e2);
          g_assert_null (m2);
        }
      return;
    }

  g_assert_no_error (error);
  g_assert_nonnull (m);
  run_checks (row, m, "datagram");

  if (g_str_has_prefix (row->outcome, "validate:"))
    {
      g_autofree char *reason = NULL;
      guint want = atoi (row->outcome + 9);
      g_assert_cmpuint (net_sip_message_validate (m, &reason), ==, want);
      g_assert_nonnull (reason);
      g_test_message ("%s: %u %s", row->name, want, reason);
    }

  /* unmodified: the exact bytes come back */
  {
    g_autoptr(GBytes) out = net_sip_message_to_bytes (m);
    gsize len;
    const char *d = g_bytes_get_data (bytes, &len);
    g_assert_cmpuint (g_bytes_get_size (out), <=, len);
    g_assert_true (memcmp (g_bytes_get_data (out, NULL), d, g_bytes_get_size (out)) == 0);
    if (!row->datagram_only)
      g_assert_cmpuint (g_bytes_get_size (out), ==, len);
  }

  /* modified: canonical form, re-parsed, says the same (accepted ones) */
  if (g_str_equal (row->outcome, "accept"))
    {
      g_autoptr(GBytes) out = NULL;
      g_autoptr(NetSipMessage) again = NULL;
      net_sip_message_add_header (m, "X-Corpus-Test", "modified");
      out = net_sip_message_to_bytes (m);
      again = net_sip_message_parse_full (out, NET_SIP_PARSE_FLAGS_STREAM, 0, 0, &error);
      g_assert_no_error (error);
      g_assert_cmpstr (net_sip_message_get_header (again, "X-Corpus-Test"), ==, "modified");
      /* canonical output is a fixed point */
      {
        g_autoptr(GBytes) out2 = NULL;
        net_sip_message_set_header (again, "X-Corpus-Test", "modified");
        out2 = net_sip_message_to_bytes (again);
        g_assert_true (g_bytes_equal (out, out2));
      }
      net_sip_message_remove_header (again, "X-Corpus-Test");
      run_checks (row, again, "canonical");
    }

  /* as a stream, whole and split at every offset */
  if (!row->datagram_only)
    {
      gsize len = g_bytes_get_size (bytes);
      g_autoptr(GBytes) ref = NULL;
      for (gsize split = 0; split < len; split++)
        {
          g_autoptr(NetSipMessage) sm = stream_parse (bytes, split, &error);
          g_autoptr(GBytes) out = NULL;
          g_assert_no_error (error);
          g_assert_nonnull (sm);
          out = net_sip_message_to_bytes (sm);
          g_assert_true (g_bytes_equal (out, bytes));
          if (split == 0)
            run_checks (row, sm, "stream");
        }
    }
}

/* ------------------------------------------------------------------ */

static void
load_manifest (const char *dir)
{
  g_autofree char *path = g_strdup_printf ("%s/%s/MANIFEST.tsv", NETSIP_TEST_CORPUS, dir);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;
  int sha_col = -1;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) cols = g_strsplit (lines[i], "\t", -1);
      if (i == 0)
        {
          for (int c = 0; cols[c]; c++)
            if (g_str_equal (cols[c], "sha256"))
              sha_col = c;
          g_assert_cmpint (sha_col, >=, 0);
          continue;
        }
      if ((int) g_strv_length (cols) > sha_col)
        g_hash_table_insert (sha256s, g_strdup (cols[0]), g_strdup (cols[sha_col]));
    }
}

static void
load_rows (void)
{
  g_autofree char *path = g_strdup_printf ("%s/expectations.tsv", NETSIP_TEST_CORPUS);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  g_autoptr(GError) error = NULL;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    {
      g_auto(GStrv) cols = NULL;
      Row *row;
      if (lines[i][0] == '#' || lines[i][0] == '\0')
        continue;
      cols = g_strsplit (lines[i], "\t", -1);
      g_assert_cmpuint (g_strv_length (cols), >=, 2);
      row = g_new0 (Row, 1);
      row->name = g_strdup (cols[0]);
      row->outcome = g_strdup (cols[1]);
      row->dir = g_strdup (g_ascii_isdigit (row->name[0]) ? "realistic" : "torture");
      row->checks = g_strdupv (cols + 2);
      row->datagram_only = g_strv_contains ((const char * const *) row->checks, "mode=datagram");
      g_ptr_array_add (rows, row);
    }
}

static void
row_free (gpointer p)
{
  Row *row = p;
  g_free (row->name);
  g_free (row->dir);
  g_free (row->outcome);
  g_strfreev (row->checks);
  g_free (row);
}

/* Every message file of the corpus has a row: nothing is skipped. */
static void
test_complete (void)
{
  const char *dirs[] = { "torture", "realistic" };
  guint files = 0;

  for (guint d = 0; d < G_N_ELEMENTS (dirs); d++)
    {
      g_autofree char *path = g_build_filename (NETSIP_TEST_CORPUS, dirs[d], NULL);
      g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
      const char *f;
      g_assert_nonnull (dir);
      while ((f = g_dir_read_name (dir)))
        {
          gboolean found = FALSE;
          g_autofree char *stem = NULL;
          if (!g_str_has_suffix (f, ".sip"))
            continue;
          stem = g_strndup (f, strlen (f) - 4);
          files++;
          for (guint i = 0; i < rows->len && !found; i++)
            found = g_str_equal (((Row *) rows->pdata[i])->name, stem);
          if (!found)
            g_error ("corpus file %s/%s has no expectation row", dirs[d], f);
        }
    }
  g_assert_cmpuint (files, ==, rows->len);
  g_assert_cmpuint (files, ==, 87);
}

int
main (int    argc,
      char **argv)
{
  int ret;

  g_test_init (&argc, &argv, NULL);
  rows = g_ptr_array_new_with_free_func (row_free);
  sha256s = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  load_manifest ("torture");
  load_manifest ("realistic");
  load_rows ();

  g_test_add_func ("/corpus/complete", test_complete);
  for (guint i = 0; i < rows->len; i++)
    {
      Row *row = rows->pdata[i];
      g_autofree char *path = g_strdup_printf ("/corpus/%s/%s", row->dir, row->name);
      g_test_add_data_func (path, row, test_row);
    }
  ret = g_test_run ();
  g_ptr_array_unref (rows);
  g_hash_table_unref (sha256s);
  return ret;
}
