/* parse-messages.c: parse SIP messages from files and print one line for each
 *
 *   parse-messages [--verbose] FILE...
 *
 * Each FILE holds one SIP message, read as binary (bodies may be UTF-8 or
 * binary; Content-Length counts octets). Exits 0 when every file parses.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netsip-glib/netsip.h>

static gboolean opt_verbose;
static gboolean opt_validate;
static char **opt_files;

static const GOptionEntry entries[] = {
  { "verbose", 'v', 0, G_OPTION_ARG_NONE, &opt_verbose,
    "Also print every header line and the parsed Via stack", NULL },
  { "validate", 0, 0, G_OPTION_ARG_NONE, &opt_validate,
    "Also check each message against RFC 3261 (status a UAS would answer)", NULL },
  { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_FILENAME_ARRAY, &opt_files,
    NULL, "FILE..." },
  { NULL }
};

/* Long tokens (Call-ID, branch) shortened so a line stays readable. */
static void
append_short (GString    *line,
              const char *value,
              gsize       keep)
{
  if (value == NULL)
    g_string_append (line, "-");
  else if (strlen (value) <= keep + 3)
    g_string_append (line, value);
  else
    g_string_append_printf (line, "%.*s...", (int) keep, value);
}

/* "application/sdp: 1 media, audio 49170" */
static void
append_sdp_summary (GString *line,
                    GBytes  *body)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (body, &error);
  guint n_media;

  if (sdp == NULL)
    {
      g_string_append_printf (line, ": bad SDP: %s", error->message);
      return;
    }

  n_media = net_sip_sdp_get_n_media (sdp);
  g_string_append_printf (line, ": %u media", n_media);
  for (guint i = 0; i < n_media; i++)
    g_string_append_printf (line, "%s %s %u",
                            i == 0 ? "," : ";",
                            net_sip_sdp_get_media_type (sdp, i),
                            (guint) net_sip_sdp_get_media_port (sdp, i));
}

static void
append_body_summary (GString       *line,
                     NetSipMessage *message)
{
  g_autoptr(GBytes) body = net_sip_message_get_body (message);  /* transfer full */
  gsize size = body != NULL ? g_bytes_get_size (body) : 0;
  g_autofree char *content_type = NULL;

  g_string_append_printf (line, "body %" G_GSIZE_FORMAT " octets", size);
  if (size == 0)
    return;

  content_type = net_sip_message_get_content_type (message);
  g_string_append_printf (line, " (%s", content_type ? content_type : "no Content-Type");
  if (content_type != NULL && g_ascii_strcasecmp (content_type, "application/sdp") == 0)
    append_sdp_summary (line, body);
  g_string_append_c (line, ')');
}

static void
append_via_summary (GString       *line,
                    NetSipMessage *message)
{
  g_autoptr(GError) error = NULL;
  NetSipVia *via = net_sip_message_get_top_via (message, &error);

  if (via == NULL)
    {
      g_string_append_printf (line, "Via %s", error ? error->message : "none");
      return;
    }

  g_string_append_printf (line, "Via %s ", net_sip_via_get_transport (via));
  if (net_sip_via_host_is_ipv6 (via))
    g_string_append_printf (line, "[%s]", net_sip_via_get_host (via));
  else
    g_string_append (line, net_sip_via_get_host (via));
  if (net_sip_via_get_port (via) != 0)
    g_string_append_printf (line, ":%u", (guint) net_sip_via_get_port (via));
  g_string_append (line, " branch ");
  append_short (line, net_sip_via_get_branch (via), 11);
}

static void
print_verbose (NetSipMessage *message)
{
  guint n = net_sip_message_get_n_headers (message);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) vias = NULL;

  for (guint i = 0; i < n; i++)
    {
      const char *value = NULL;
      const char *name = net_sip_message_get_header_nth (message, i, &value);

      printf ("    %s: %s\n", name, value);
    }

  vias = net_sip_message_get_vias (message, &error);
  if (vias == NULL)
    printf ("    (Via: %s)\n", error->message);
  else
    for (guint i = 0; i < vias->len; i++)
      {
        g_autofree char *text = net_sip_via_to_string (g_ptr_array_index (vias, i));
        printf ("    via[%u] %s\n", i, text);
      }
}

/* Returns TRUE when @path holds a message that parses. */
static gboolean
summarize_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *basename = g_path_get_basename (path);
  g_autofree char *contents = NULL;
  gsize length = 0;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(NetSipMessage) message = NULL;
  g_autoptr(GString) line = g_string_new (basename);
  guint32 cseq_number = 0;
  const char *cseq_method = NULL;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      printf ("%s  FAILED: %s\n", basename, error->message);
      return FALSE;
    }
  bytes = g_bytes_new_take (g_steal_pointer (&contents), length);

  message = net_sip_message_parse (bytes, &error);
  if (message == NULL)
    {
      printf ("%s  FAILED: %s\n", basename, error->message);
      return FALSE;
    }

  g_string_append (line, "  ");
  if (NET_SIP_IS_REQUEST (message))
    g_string_append_printf (line, "%s %s",
                            net_sip_request_get_method (NET_SIP_REQUEST (message)),
                            net_sip_request_get_uri (NET_SIP_REQUEST (message)));
  else
    g_string_append_printf (line, "%u %s",
                            net_sip_response_get_code (NET_SIP_RESPONSE (message)),
                            net_sip_response_get_reason (NET_SIP_RESPONSE (message)));

  g_string_append (line, "  Call-ID ");
  append_short (line, net_sip_message_get_call_id (message), 8);

  if (net_sip_message_get_cseq (message, &cseq_number, &cseq_method, &error))
    g_string_append_printf (line, "  CSeq %" G_GUINT32_FORMAT " %s", cseq_number, cseq_method);
  else
    {
      g_string_append_printf (line, "  CSeq (%s)", error->message);
      g_clear_error (&error);
    }

  g_string_append (line, "  From tag ");
  append_short (line, net_sip_message_get_from_tag (message), 16);

  if (!NET_SIP_IS_REQUEST (message) && net_sip_message_get_to_tag (message) != NULL)
    {
      g_string_append (line, "  To tag ");
      append_short (line, net_sip_message_get_to_tag (message), 16);
    }

  g_string_append (line, "  ");
  append_via_summary (line, message);
  g_string_append (line, "  ");
  append_body_summary (line, message);

  if (opt_validate)
    {
      g_autofree char *reason = NULL;
      guint status = net_sip_message_validate (message, &reason);

      if (status != 0)
        g_string_append_printf (line, "  INVALID %u %s", status, reason ? reason : "");
    }

  printf ("%s\n", line->str);
  if (opt_verbose)
    print_verbose (message);

  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  guint parsed = 0, failed = 0;

  context = g_option_context_new (NULL);
  g_option_context_set_summary (context,
                                "Parse SIP messages (one per file, read as binary) with netsip-glib\n"
                                "and print a one-line summary of each.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return 2;
    }

  if (opt_files == NULL || opt_files[0] == NULL)
    {
      g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

      g_printerr ("%s", help);
      return 2;
    }

  for (guint i = 0; opt_files[i] != NULL; i++)
    {
      if (summarize_file (opt_files[i]))
        parsed++;
      else
        failed++;
    }

  printf ("%u parsed, %u failed\n", parsed, failed);
  g_strfreev (opt_files);

  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
