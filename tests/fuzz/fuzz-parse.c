/* fuzz-parse.c: libFuzzer target for the parsers
 *
 * One input is fed to:
 *   - net_sip_message_parse() (datagram framing); when it parses, every
 *     structured accessor runs, the message is serialized and the bytes are
 *     parsed again (and their accessors run too);
 *   - a NetSipStreamFramer, in three chunks cut at points the input picks,
 *     drained after each push;
 *   - net_sip_uri_parse() and net_sip_sdp_parse().
 * Everything is freed: the fuzzer runs with LeakSanitizer.
 *
 * Built two ways (tests/meson.build, tests/fuzz/meson.build):
 *   - fuzz-parse: clang -fsanitize=fuzzer,address,undefined (-Dfuzzing=true);
 *   - fuzz-replay: with -DNETSIP_FUZZ_REPLAY_MAIN, a main() that runs the
 *     inputs named on the command line (files, or every file of a directory)
 *     once each, so the corpus replays in the unit, ASan and valgrind runs.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>
#include <glib-object.h>

#include "netsip-glib/netsip-error.h"
#include "netsip-glib/netsip-message.h"
#include "netsip-glib/netsip-request.h"
#include "netsip-glib/netsip-response.h"
#include "netsip-glib/netsip-stream-framer.h"
#include "netsip-glib/netsip-uri.h"
#include "netsip-glib/netsip-via.h"
#include "netsip-glib/netsip-name-addr.h"
#include "netsip-glib/netsip-auth-params.h"
#include "netsip-glib/netsip-sdp.h"

int LLVMFuzzerInitialize (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* Folds values into a global the optimizer cannot drop, so every accessor's
 * result is really read (an over-read shows up in ASan/valgrind). */
static volatile guint sink;

static void
touch_string (const char *s)
{
  if (s != NULL)
    sink += (guint) strlen (s);
}

static void
touch_bytes (GBytes *bytes)
{
  gsize len = 0;
  const guint8 *p;

  if (bytes == NULL)
    return;
  p = g_bytes_get_data (bytes, &len);
  if (len > 0)
    sink += p[0] + p[len - 1];
}

static void
exercise_uri (const NetSipUri *uri)
{
  g_autofree char *text = NULL;
  g_autoptr(NetSipUri) copy = NULL;
  const char *value = NULL;
  guint i, n;

  if (uri == NULL)
    return;

  touch_string (net_sip_uri_get_scheme (uri));
  sink += net_sip_uri_is_sip (uri) + net_sip_uri_is_sips (uri);
  touch_string (net_sip_uri_get_user (uri));
  sink += (guint) net_sip_uri_get_user_length (uri);
  touch_string (net_sip_uri_get_password (uri));
  touch_string (net_sip_uri_get_host (uri));
  sink += net_sip_uri_host_is_ipv6 (uri) + net_sip_uri_get_port (uri);
  touch_string (net_sip_uri_get_opaque (uri));
  touch_string (net_sip_uri_get_param (uri, "transport"));
  sink += net_sip_uri_has_param (uri, "lr");

  n = net_sip_uri_get_n_params (uri);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_uri_get_param_nth (uri, i, &value));
      touch_string (value);
    }
  n = net_sip_uri_get_n_headers (uri);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_uri_get_header_nth (uri, i, &value));
      touch_string (value);
    }

  text = net_sip_uri_to_string (uri);
  touch_string (text);
  copy = net_sip_uri_copy (uri);
  sink += net_sip_uri_equal (uri, copy);
}

static void
exercise_via (const NetSipVia *via)
{
  g_autofree char *text = NULL;
  const char *value = NULL;
  guint i, n;

  if (via == NULL)
    return;

  touch_string (net_sip_via_get_protocol (via));
  touch_string (net_sip_via_get_transport (via));
  touch_string (net_sip_via_get_host (via));
  sink += net_sip_via_host_is_ipv6 (via) + net_sip_via_get_port (via);
  touch_string (net_sip_via_get_branch (via));
  touch_string (net_sip_via_get_received (via));
  sink += (guint) net_sip_via_get_rport (via);
  sink += net_sip_via_has_param (via, "maddr");

  n = net_sip_via_get_n_params (via);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_via_get_param_nth (via, i, &value));
      touch_string (value);
    }

  text = net_sip_via_to_string (via);
  touch_string (text);
}

static void
exercise_name_addr (const NetSipNameAddr *addr)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = NULL;
  g_autofree char *text = NULL;
  const char *value = NULL;
  guint i, n;

  if (addr == NULL)
    return;

  sink += net_sip_name_addr_is_wildcard (addr);
  touch_string (net_sip_name_addr_get_display_name (addr));
  sink += (guint) net_sip_name_addr_get_display_name_length (addr);
  touch_string (net_sip_name_addr_get_uri_string (addr));
  touch_string (net_sip_name_addr_get_tag (addr));
  sink += (guint) net_sip_name_addr_get_expires (addr);
  /* q is -1 when absent: compare, a float-to-unsigned cast would be UB. */
  sink += net_sip_name_addr_get_q (addr) > 0.5;

  n = net_sip_name_addr_get_n_params (addr);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_name_addr_get_param_nth (addr, i, &value));
      touch_string (value);
    }

  uri = net_sip_name_addr_get_uri (addr, &error);
  exercise_uri (uri);

  text = net_sip_name_addr_to_string (addr);
  touch_string (text);
}

static void
exercise_auth_params (const NetSipAuthParams *params)
{
  const char *value = NULL;
  guint i, n;

  if (params == NULL)
    return;

  touch_string (net_sip_auth_params_get_scheme (params));
  touch_string (net_sip_auth_params_get_param (params, "nonce"));
  touch_string (net_sip_auth_params_get_opaque (params));
  n = net_sip_auth_params_get_n_params (params);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_auth_params_get_param_nth (params, i, &value));
      touch_string (value);
    }
}

static void
exercise_name_addr_array (GPtrArray *array)
{
  guint i;

  if (array == NULL)
    return;
  for (i = 0; i < array->len; i++)
    exercise_name_addr (g_ptr_array_index (array, i));
}

static const char * const auth_headers[] = {
  "Authorization",
  "Proxy-Authorization",
  "WWW-Authenticate",
  "Proxy-Authenticate",
};

static gboolean
count_header (const char *name,
              const char *value,
              gpointer    user_data)
{
  touch_string (name);
  touch_string (value);
  return TRUE;
}

/* Every accessor of a parsed message. @depth 0 is a message from the input;
 * its serialization is parsed once more at depth 1. */
static void
exercise_message (NetSipMessage *msg,
                  guint          depth)
{
  g_autoptr(GPtrArray) vias = NULL;
  g_autoptr(GPtrArray) contacts = NULL;
  g_autoptr(GPtrArray) routes = NULL;
  g_autoptr(GPtrArray) record_routes = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GBytes) serialized = NULL;
  g_autofree char *reason = NULL;
  g_autofree char *content_type = NULL;
  g_autofree char *text = NULL;
  const char *cseq_method = NULL;
  const char *value = NULL;
  guint32 cseq_number = 0;
  guint i, n;

  touch_string (net_sip_message_get_method (msg));
  touch_string (net_sip_message_get_version (msg));
  sink += net_sip_message_is_request (msg) + net_sip_message_is_modified (msg);

  if (NET_SIP_IS_REQUEST (msg))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipUri) ruri = NULL;

      touch_string (net_sip_request_get_method (NET_SIP_REQUEST (msg)));
      touch_string (net_sip_request_get_uri (NET_SIP_REQUEST (msg)));
      ruri = net_sip_request_get_parsed_uri (NET_SIP_REQUEST (msg), &error);
      exercise_uri (ruri);
    }
  else if (NET_SIP_IS_RESPONSE (msg))
    {
      sink += net_sip_response_get_code (NET_SIP_RESPONSE (msg));
      touch_string (net_sip_response_get_reason (NET_SIP_RESPONSE (msg)));
    }

  /* Raw header access */
  n = net_sip_message_get_n_headers (msg);
  for (i = 0; i < n; i++)
    {
      touch_string (net_sip_message_get_header_nth (msg, i, &value));
      touch_string (value);
    }
  net_sip_message_foreach_header (msg, count_header, NULL);
  touch_string (net_sip_message_get_header (msg, "Call-ID"));
  sink += net_sip_message_count_headers (msg, "Via");
  {
    g_auto(GStrv) all_vias = net_sip_message_get_headers (msg, "v");
    if (all_vias != NULL)
      sink += g_strv_length (all_vias);
  }

  /* Structured values. Each may fail on a malformed value: the error is
   * dropped; what matters is no crash, no leak, no over-read. */
  {
    g_autoptr(GError) error = NULL;
    exercise_via (net_sip_message_get_top_via (msg, &error));
  }
  {
    g_autoptr(GError) error = NULL;
    vias = net_sip_message_get_vias (msg, &error);
    if (vias != NULL)
      for (i = 0; i < vias->len; i++)
        exercise_via (g_ptr_array_index (vias, i));
  }
  {
    g_autoptr(GError) error = NULL;
    if (net_sip_message_get_cseq (msg, &cseq_number, &cseq_method, &error))
      {
        sink += cseq_number;
        touch_string (cseq_method);
      }
    sink += net_sip_message_get_cseq_number (msg);
    touch_string (net_sip_message_get_cseq_method (msg));
  }
  {
    g_autoptr(GError) error = NULL;
    exercise_name_addr (net_sip_message_get_from (msg, &error));
  }
  {
    g_autoptr(GError) error = NULL;
    exercise_name_addr (net_sip_message_get_to (msg, &error));
  }
  touch_string (net_sip_message_get_from_tag (msg));
  touch_string (net_sip_message_get_to_tag (msg));
  touch_string (net_sip_message_get_call_id (msg));
  {
    g_autoptr(GError) error = NULL;
    contacts = net_sip_message_get_contacts (msg, &error);
    exercise_name_addr_array (contacts);
  }
  {
    g_autoptr(GError) error = NULL;
    routes = net_sip_message_get_routes (msg, &error);
    exercise_name_addr_array (routes);
  }
  {
    g_autoptr(GError) error = NULL;
    record_routes = net_sip_message_get_record_routes (msg, &error);
    exercise_name_addr_array (record_routes);
  }
  for (i = 0; i < G_N_ELEMENTS (auth_headers); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) params = NULL;
      guint j;

      params = net_sip_message_get_auth_params (msg, auth_headers[i], &error);
      if (params != NULL)
        for (j = 0; j < params->len; j++)
          exercise_auth_params (g_ptr_array_index (params, j));
    }
  sink += (guint) net_sip_message_get_max_forwards (msg);
  sink += (guint) net_sip_message_get_expires (msg);
  sink += (guint) net_sip_message_get_min_expires (msg);
  sink += (guint) net_sip_message_get_content_length (msg);
  content_type = net_sip_message_get_content_type (msg);
  touch_string (content_type);
  touch_string (net_sip_message_get_tid (msg));

  sink += net_sip_message_validate (msg, &reason);
  touch_string (reason);

  body = net_sip_message_get_body (msg);
  touch_bytes (body);

  text = net_sip_message_to_string (msg);
  touch_string (text);

  /* Round trip: what we serialize we must be able to read back. */
  serialized = net_sip_message_to_bytes (msg);
  touch_bytes (serialized);
  if (depth == 0 && serialized != NULL)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) again = net_sip_message_parse (serialized, &error);

      if (again != NULL)
        exercise_message (again, depth + 1);
    }
}

static void
fuzz_datagram (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipMessage) msg = net_sip_message_parse (bytes, &error);

  if (msg != NULL)
    exercise_message (msg, 0);
  else
    touch_string (error != NULL ? error->message : NULL);
}

/* Drains every message the framer has; stops at the first error (the
 * connection would be closed). Returns FALSE after an error. */
static gboolean
drain_framer (NetSipStreamFramer *framer)
{
  /* A framer cannot yield more messages than it has octets; the bound only
   * keeps a buggy framer from looping forever. */
  gsize bound = net_sip_stream_framer_get_buffered_size (framer) + 1;

  while (bound-- > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipMessage) msg = net_sip_stream_framer_next (framer, &error);

      if (msg != NULL)
        {
          exercise_message (msg, 1);
          continue;
        }
      if (error != NULL)
        {
          touch_string (error->message);
          return FALSE;
        }
      break;
    }
  return TRUE;
}

static void
fuzz_stream (const uint8_t *data,
             size_t         size)
{
  g_autoptr(NetSipStreamFramer) framer = net_sip_stream_framer_new ();
  size_t cut1, cut2;

  /* Cut points depend on the input so the fuzzer explores splits inside
   * the start line, a header, the empty line and the body. */
  if (size >= 2)
    {
      cut1 = data[size - 1] % (size + 1);
      cut2 = cut1 + (data[size - 2] % (size - cut1 + 1));
    }
  else
    {
      cut1 = cut2 = size;
    }

  net_sip_stream_framer_push (framer, data, cut1);
  if (!drain_framer (framer))
    return;
  net_sip_stream_framer_push (framer, data + cut1, cut2 - cut1);
  if (!drain_framer (framer))
    return;
  net_sip_stream_framer_push (framer, data + cut2, size - cut2);
  drain_framer (framer);
}

static void
fuzz_uri (const uint8_t *data,
          size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipUri) uri = net_sip_uri_parse ((const char *) data, (gssize) size, &error);

  exercise_uri (uri);
}

static void
fuzz_sdp (GBytes *bytes)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipSdp) sdp = net_sip_sdp_parse (bytes, &error);

  if (sdp != NULL)
    {
      g_autoptr(GBytes) out = net_sip_sdp_to_bytes (sdp);
      touch_bytes (out);
      if (out != NULL)
        {
          g_autoptr(GError) error2 = NULL;
          g_autoptr(NetSipSdp) again = net_sip_sdp_parse (out, &error2);
          sink += (again != NULL);
        }
    }
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  /* A critical is a bug in the library (or in this harness): crash on it
   * so the fuzzer keeps the input. */
  g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL);
  return 0;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr(GBytes) bytes = g_bytes_new (data, size);

  fuzz_datagram (bytes);
  fuzz_stream (data, size);
  fuzz_uri (data, size);
  fuzz_sdp (bytes);
  return 0;
}

#ifdef NETSIP_FUZZ_REPLAY_MAIN
/* fuzz-replay FILE-OR-DIR...: each file once through LLVMFuzzerTestOneInput. */

static gboolean
replay_file (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_printerr ("fuzz-replay: %s\n", error->message);
      return FALSE;
    }
  LLVMFuzzerTestOneInput ((const uint8_t *) contents, length);
  return TRUE;
}

static gint
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

int
main (int argc, char **argv)
{
  guint n_files = 0;
  gboolean ok = TRUE;
  int i;

  if (argc < 2)
    {
      g_printerr ("usage: %s FILE-OR-DIRECTORY...\n", argv[0]);
      return 2;
    }

  LLVMFuzzerInitialize (&argc, &argv);

  for (i = 1; i < argc; i++)
    {
      if (g_file_test (argv[i], G_FILE_TEST_IS_DIR))
        {
          g_autoptr(GError) error = NULL;
          g_autoptr(GDir) dir = g_dir_open (argv[i], 0, &error);
          g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
          const char *name;
          guint j;

          if (dir == NULL)
            {
              g_printerr ("fuzz-replay: %s\n", error->message);
              ok = FALSE;
              continue;
            }
          while ((name = g_dir_read_name (dir)) != NULL)
            g_ptr_array_add (names, g_build_filename (argv[i], name, NULL));
          g_ptr_array_sort (names, compare_strings);
          for (j = 0; j < names->len; j++)
            {
              const char *path = g_ptr_array_index (names, j);

              if (!g_file_test (path, G_FILE_TEST_IS_REGULAR))
                continue;
              ok &= replay_file (path);
              n_files++;
            }
        }
      else
        {
          ok &= replay_file (argv[i]);
          n_files++;
        }
    }

  g_print ("fuzz-replay: %u inputs replayed\n", n_files);
  if (n_files == 0)
    {
      g_printerr ("fuzz-replay: no input found\n");
      return 1;
    }
  return ok ? 0 : 1;
}
#endif
