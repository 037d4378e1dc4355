/* netsip-dtmf-private.h: DTMF tones (ITU-T Q.23) for NetSipRtpSession:
 * a generator and a Goertzel detector on 8 kHz linear samples
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* `0-9 * # A-D` <-> the RFC 4733 §3.2 event codes 0..15; -1 / '\0' when
 * outside */
int      net_sip_dtmf_event_from_digit (char  digit);
char     net_sip_dtmf_digit_from_event (guint event);

typedef struct {
  /* two sine oscillators y[n] = c*y[n-1] - y[n-2] (no libm on the
   * per-sample path) */
  double coeff[2];
  double s1[2];
  double s2[2];
} NetSipDtmfTone;

/* amplitude: peak of each of the two tones, in 16-bit linear units */
void     net_sip_dtmf_tone_init   (NetSipDtmfTone *tone,
                                   char            digit,
                                   double          amplitude);
void     net_sip_dtmf_tone_fill   (NetSipDtmfTone *tone,
                                   gint16         *out,
                                   gsize           n);

typedef struct {
  char  current;       /* digit seen in the last frames, '\0' none */
  guint current_ms;    /* how long it has been seen */
} NetSipDtmfDetector;

/* Minimum tone length reported, in ms */
#define NET_SIP_DTMF_MIN_MS 40

void     net_sip_dtmf_detector_init  (NetSipDtmfDetector *det);
/* One frame (any length up to 800 samples, normally 160 = 20 ms) of
 * 8 kHz samples: returns the digit of a tone that has just ended (and its
 * length in ms), '\0' otherwise. */
char     net_sip_dtmf_detector_feed  (NetSipDtmfDetector *det,
                                      const gint16       *samples,
                                      gsize               n,
                                      guint              *duration_ms);
/* Ends a tone still sounding (the stream stopped). */
char     net_sip_dtmf_detector_flush (NetSipDtmfDetector *det,
                                      guint              *duration_ms);
/* The digit a single frame shows, '\0' for none (exposed for tests). */
char     net_sip_dtmf_detect_frame   (const gint16       *samples,
                                      gsize               n);

G_END_DECLS
