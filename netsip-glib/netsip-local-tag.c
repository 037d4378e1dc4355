/* netsip-local-tag.c: To tags of responses a stateless element makes
 * itself, so that their ACK is recognised without state
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-local-tag-private.h"

/* The ACK of a non-2xx final response goes to whoever sent that response
 * and ends there (RFC 3261 §17.1.1.3, §17.2.1); a stateless element keeps
 * no server transaction to match it with. So the To tag it puts into its
 * own responses is computed from what the ACK repeats: the Call-ID, the
 * From tag and the top Via branch (§17.1.1.3: the ACK of a non-2xx has the
 * request's top Via), keyed with a secret. An ACK whose To tag is that
 * value answers one of our responses (Kamailio's `sl` module does the
 * same). */

#define TAG_PREFIX "nsl"
#define TAG_BYTES  12   /* 96 bits of HMAC-SHA256, 24 hex digits */

static char *
compute (GBytes        *secret,
         NetSipMessage *message)
{
  NetSipVia *via = net_sip_message_get_top_via (message, NULL);
  const char *fields[3] = {
    net_sip_message_get_call_id (message),
    net_sip_message_get_from_tag (message),
    via ? net_sip_via_get_branch (via) : NULL,
  };
  gsize key_len = 0;
  const guint8 *key = g_bytes_get_data (secret, &key_len);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8 digest[32];
  gsize len = sizeof digest;
  GString *s = g_string_new (TAG_PREFIX);

  for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
    {
      /* each field with its length: no two inputs hash alike */
      gsize n = fields[i] ? strlen (fields[i]) : 0;
      char prefix[24];

      g_snprintf (prefix, sizeof prefix, "%" G_GSIZE_FORMAT ":", n);
      g_hmac_update (hmac, (const guchar *) prefix, -1);
      if (n)
        g_hmac_update (hmac, (const guchar *) fields[i], n);
    }
  g_hmac_get_digest (hmac, digest, &len);
  for (guint i = 0; i < TAG_BYTES; i++)
    g_string_append_printf (s, "%02x", digest[i]);
  return g_string_free (s, FALSE);
}

/* The To tag for a response to @request made with @secret. Free with
 * g_free(). */
char *
net_sip_local_tag_new (GBytes        *secret,
                       NetSipMessage *request)
{
  g_return_val_if_fail (secret != NULL, NULL);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (request), NULL);
  return compute (secret, request);
}

/* Whether @ack is the ACK of a response whose To tag
 * net_sip_local_tag_new() made with @secret */
gboolean
net_sip_local_tag_check (GBytes        *secret,
                         NetSipMessage *ack)
{
  const char *tag;
  g_autofree char *expected = NULL;
  guint8 diff = 0;
  gsize len;

  g_return_val_if_fail (secret != NULL, FALSE);
  g_return_val_if_fail (NET_SIP_IS_MESSAGE (ack), FALSE);
  tag = net_sip_message_get_to_tag (ack);
  if (tag == NULL || !g_str_has_prefix (tag, TAG_PREFIX))
    return FALSE;
  expected = compute (secret, ack);
  len = strlen (expected);
  if (strlen (tag) != len)
    return FALSE;
  /* the tag is compared in full whatever differs: no timing hint */
  for (gsize i = 0; i < len; i++)
    diff |= (guint8) (tag[i] ^ expected[i]);
  return diff == 0;
}
