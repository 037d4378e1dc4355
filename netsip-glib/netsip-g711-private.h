/* netsip-g711-private.h: G.711 µ-law and A-law (ITU-T G.711) sample
 * conversion for NetSipRtpSession
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* 16-bit linear PCM <-> 8-bit G.711. The decode direction and the
 * µ-law <-> A-law transcoding are 256-entry tables built once. */
guint8  net_sip_g711_ulaw_encode (gint16 sample);
guint8  net_sip_g711_alaw_encode (gint16 sample);
gint16  net_sip_g711_ulaw_decode (guint8 code);
gint16  net_sip_g711_alaw_decode (guint8 code);

/* payload type 0 (PCMU) or 8 (PCMA) */
void    net_sip_g711_decode      (guint         payload_type,
                                  const guint8 *in,
                                  gint16       *out,
                                  gsize         n);
void    net_sip_g711_encode      (guint         payload_type,
                                  const gint16 *in,
                                  guint8       *out,
                                  gsize         n);
/* from_pt -> to_pt, in may equal out */
void    net_sip_g711_transcode   (guint         from_pt,
                                  guint         to_pt,
                                  const guint8 *in,
                                  guint8       *out,
                                  gsize         n);
/* the code of linear 0 */
guint8  net_sip_g711_silence     (guint         payload_type);

G_END_DECLS
