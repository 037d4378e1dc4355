/* netsip-g711.c: G.711 µ-law and A-law conversion (ITU-T G.711)
 *
 * The encoders follow the segment search of the classic Sun reference
 * implementation (16-bit input, bias 0x84 for µ-law); the decoders and the
 * µ-law <-> A-law transcoding tables are built once from them.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-g711-private.h"

#define ULAW_BIAS 0x84
#define SIGN_BIT  0x80
#define QUANT_MASK 0x0f
#define SEG_SHIFT 4
#define SEG_MASK  0x70

static const int seg_end[8] = { 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff, 0x1fff, 0x3fff, 0x7fff };

typedef struct {
  gint16 ulaw_to_linear[256];
  gint16 alaw_to_linear[256];
  guint8 ulaw_to_alaw[256];
  guint8 alaw_to_ulaw[256];
} G711Tables;

static G711Tables tables;

static int
segment_of (int value)
{
  for (int i = 0; i < 8; i++)
    if (value <= seg_end[i])
      return i;
  return 8;
}

guint8
net_sip_g711_ulaw_encode (gint16 sample)
{
  int pcm = sample;
  int mask, seg;

  if (pcm < 0)
    {
      pcm = ULAW_BIAS - pcm;
      mask = 0x7f;
    }
  else
    {
      pcm += ULAW_BIAS;
      mask = 0xff;
    }
  seg = segment_of (pcm);
  if (seg >= 8)
    return 0x7f ^ mask;
  return (guint8) (((seg << 4) | ((pcm >> (seg + 3)) & QUANT_MASK)) ^ mask);
}

guint8
net_sip_g711_alaw_encode (gint16 sample)
{
  int pcm = sample;
  int mask, seg, aval;

  if (pcm >= 0)
    mask = 0xd5;
  else
    {
      mask = 0x55;
      pcm = -pcm - 8;
      if (pcm < 0)
        pcm = 0;
    }
  seg = segment_of (pcm);
  if (seg >= 8)
    return 0x7f ^ mask;
  aval = seg << SEG_SHIFT;
  if (seg < 2)
    aval |= (pcm >> 4) & QUANT_MASK;
  else
    aval |= (pcm >> (seg + 3)) & QUANT_MASK;
  return (guint8) (aval ^ mask);
}

static gint16
ulaw_decode_compute (guint8 code)
{
  int u = (~code) & 0xff;
  int t = ((u & QUANT_MASK) << 3) + ULAW_BIAS;

  t <<= (u & SEG_MASK) >> SEG_SHIFT;
  return (gint16) ((u & SIGN_BIT) ? (ULAW_BIAS - t) : (t - ULAW_BIAS));
}

static gint16
alaw_decode_compute (guint8 code)
{
  int a = code ^ 0x55;
  int t = (a & QUANT_MASK) << 4;
  int seg = (a & SEG_MASK) >> SEG_SHIFT;

  switch (seg)
    {
    case 0:
      t += 8;
      break;
    case 1:
      t += 0x108;
      break;
    default:
      t += 0x108;
      t <<= seg - 1;
    }
  return (gint16) ((a & SIGN_BIT) ? t : -t);
}

static const G711Tables *
get_tables (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      for (int i = 0; i < 256; i++)
        {
          tables.ulaw_to_linear[i] = ulaw_decode_compute ((guint8) i);
          tables.alaw_to_linear[i] = alaw_decode_compute ((guint8) i);
        }
      for (int i = 0; i < 256; i++)
        {
          tables.ulaw_to_alaw[i] = net_sip_g711_alaw_encode (tables.ulaw_to_linear[i]);
          tables.alaw_to_ulaw[i] = net_sip_g711_ulaw_encode (tables.alaw_to_linear[i]);
        }
      g_once_init_leave (&initialized, 1);
    }
  return &tables;
}

gint16
net_sip_g711_ulaw_decode (guint8 code)
{
  return get_tables ()->ulaw_to_linear[code];
}

gint16
net_sip_g711_alaw_decode (guint8 code)
{
  return get_tables ()->alaw_to_linear[code];
}

void
net_sip_g711_decode (guint         payload_type,
                     const guint8 *in,
                     gint16       *out,
                     gsize         n)
{
  const G711Tables *t = get_tables ();
  const gint16 *table = payload_type == 8 ? t->alaw_to_linear : t->ulaw_to_linear;

  for (gsize i = 0; i < n; i++)
    out[i] = table[in[i]];
}

void
net_sip_g711_encode (guint         payload_type,
                     const gint16 *in,
                     guint8       *out,
                     gsize         n)
{
  if (payload_type == 8)
    for (gsize i = 0; i < n; i++)
      out[i] = net_sip_g711_alaw_encode (in[i]);
  else
    for (gsize i = 0; i < n; i++)
      out[i] = net_sip_g711_ulaw_encode (in[i]);
}

void
net_sip_g711_transcode (guint         from_pt,
                        guint         to_pt,
                        const guint8 *in,
                        guint8       *out,
                        gsize         n)
{
  const G711Tables *t = get_tables ();
  const guint8 *table;

  if (from_pt == to_pt)
    {
      if (in != out)
        memmove (out, in, n);
      return;
    }
  table = from_pt == 8 ? t->alaw_to_ulaw : t->ulaw_to_alaw;
  for (gsize i = 0; i < n; i++)
    out[i] = table[in[i]];
}

guint8
net_sip_g711_silence (guint payload_type)
{
  return payload_type == 8 ? 0xd5 : 0xff;
}
