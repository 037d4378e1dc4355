/* netsip-random.c: random tokens and secrets
 *
 * Tags (RFC 3261 §19.3), Call-IDs (§8.1.1.4) and branches (§8.1.1.7) need
 * to be unique, not secret: GLib's generator (a Mersenne Twister seeded
 * from /dev/urandom) gives 32 bits a word. Secrets that sign nonces and
 * tags come from the kernel's CSPRNG.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>
#include <sys/random.h>

#include "netsip-random-private.h"

static const char hex_digits[] = "0123456789abcdef";

/* Writes @n_words random 32-bit words as 8 lowercase hex digits each into
 * @buffer (NET_SIP_RANDOM_HEX_SIZE(n_words) bytes) and NUL-terminates it.
 * Returns the end (the NUL). */
char *
net_sip_random_hex (char  *buffer,
                    guint  n_words)
{
  char *p = buffer;

  for (guint w = 0; w < n_words; w++)
    {
      guint32 r = g_random_int ();

      for (int shift = 28; shift >= 0; shift -= 4)
        *p++ = hex_digits[(r >> shift) & 0xf];
    }
  *p = '\0';
  return p;
}

/* @prefix, @n_words random words in hex, @suffix; free with g_free() */
char *
net_sip_random_token (const char *prefix,
                      guint       n_words,
                      const char *suffix)
{
  gsize prefix_len = prefix ? strlen (prefix) : 0;
  gsize suffix_len = suffix ? strlen (suffix) : 0;
  char *token = g_malloc (prefix_len + n_words * 8 + suffix_len + 1);
  char *end;

  if (prefix_len)
    memcpy (token, prefix, prefix_len);
  end = net_sip_random_hex (token + prefix_len, n_words);
  if (suffix_len)
    memcpy (end, suffix, suffix_len + 1);
  return token;
}

/* @length bytes from getrandom(2); GRand if the kernel fails (logged) */
GBytes *
net_sip_random_secret_new (gsize length)
{
  guint8 *key = g_malloc (length);
  gsize got = 0;

  while (got < length)
    {
      gssize n = getrandom (key + got, length - got, 0);
      if (n <= 0)
        break;
      got += n;
    }
  if (got < length)
    {
      g_warning ("getrandom() failed; a secret comes from GRand");
      for (gsize i = 0; i < length; i++)
        key[i] = g_random_int_range (0, 256);
    }
  return g_bytes_new_take (key, length);
}
