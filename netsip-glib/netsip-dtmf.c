/* netsip-dtmf.c: DTMF dual tones (ITU-T Q.23) generated and detected on
 * 8 kHz linear samples
 *
 * Detection runs the Goertzel algorithm on each received frame (20 ms =
 * 160 samples) at the eight Q.23 frequencies. The Goertzel coefficient
 * 2cos(2πf/8000) is that of the exact frequency, not of the nearest DFT
 * bin, so a tone is measured at its full power whatever the frame length.
 * A frame shows a digit when one row and one column frequency hold most of
 * the frame's energy, each dominates the other frequencies of its group,
 * and the twist between them is bounded (Q.24 asks for 8 dB / 4 dB; we
 * accept 10 dB either way, G.711 adds quantization noise). A digit is
 * reported when it stopped after at least NET_SIP_DTMF_MIN_MS.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-dtmf-private.h"

typedef struct {
  guint  frequency;   /* Hz */
  double coeff;       /* 2 cos (2π f / 8000) */
  double sine;        /* sin (2π f / 8000) */
} DtmfFrequency;

/* rows 697 770 852 941, columns 1209 1336 1477 1633 (Q.23) */
static const DtmfFrequency frequencies[8] = {
  { 697, 1.7077378093489017, 0.52048813015289175 },
  { 770, 1.6452810360417196, 0.56856185073426391 },
  { 852, 1.56868698386682, 0.62032675797655601 },
  { 941, 1.4782045682401759, 0.67359321077967294 },
  { 1209, 1.1641040230273316, 0.81315155776330861 },
  { 1336, 0.99637021067898168, 0.86707070116449003 },
  { 1477, 0.79861838922663619, 0.91681632135191793 },
  { 1633, 0.56853270677520196, 0.95874534696743929 },
};

/* keypad[row][column] */
static const char keypad[4][4] = {
  { '1', '2', '3', 'A' },
  { '4', '5', '6', 'B' },
  { '7', '8', '9', 'C' },
  { '*', '0', '#', 'D' },
};

/* RFC 4733 §3.2: events 0-9, 10 = *, 11 = #, 12-15 = A-D */
static const char events[] = "0123456789*#ABCD";

int
net_sip_dtmf_event_from_digit (char digit)
{
  const char *p;

  if (digit == '\0')
    return -1;
  p = strchr (events, g_ascii_toupper (digit));
  return p ? (int) (p - events) : -1;
}

char
net_sip_dtmf_digit_from_event (guint event)
{
  return event < 16 ? events[event] : '\0';
}

static gboolean
keypad_position (char digit, guint *row, guint *col)
{
  digit = g_ascii_toupper (digit);
  for (guint r = 0; r < 4; r++)
    for (guint c = 0; c < 4; c++)
      if (keypad[r][c] == digit)
        {
          *row = r;
          *col = c;
          return TRUE;
        }
  return FALSE;
}

void
net_sip_dtmf_tone_init (NetSipDtmfTone *tone,
                        char            digit,
                        double          amplitude)
{
  guint pos[2] = { 0, 0 };

  memset (tone, 0, sizeof *tone);
  if (!keypad_position (digit, &pos[0], &pos[1]))
    return;
  pos[1] += 4;
  for (guint i = 0; i < 2; i++)
    {
      const DtmfFrequency *f = &frequencies[pos[i]];
      /* y[n] = A sin (w n): y[-1] = -A sin w, y[-2] = -A sin 2w = -c A sin w */
      tone->coeff[i] = f->coeff;
      tone->s1[i] = -amplitude * f->sine;
      tone->s2[i] = -amplitude * f->sine * f->coeff;
    }
}

void
net_sip_dtmf_tone_fill (NetSipDtmfTone *tone,
                        gint16         *out,
                        gsize           n)
{
  for (gsize k = 0; k < n; k++)
    {
      double v = 0;

      for (guint i = 0; i < 2; i++)
        {
          double y = tone->coeff[i] * tone->s1[i] - tone->s2[i];
          tone->s2[i] = tone->s1[i];
          tone->s1[i] = y;
          v += y;
        }
      out[k] = (gint16) CLAMP (v, -32768.0, 32767.0);
    }
}

void
net_sip_dtmf_detector_init (NetSipDtmfDetector *det)
{
  det->current = '\0';
  det->current_ms = 0;
}

char
net_sip_dtmf_detect_frame (const gint16 *samples,
                           gsize         n)
{
  double power[8];
  double energy = 0;
  guint best[2] = { 0, 4 };

  if (n == 0)
    return '\0';
  for (gsize k = 0; k < n; k++)
    energy += (double) samples[k] * samples[k];
  /* below about -50 dBov RMS (100): silence or line noise */
  if (energy / n < 1.0e4)
    return '\0';

  for (guint i = 0; i < 8; i++)
    {
      double c = frequencies[i].coeff, s1 = 0, s2 = 0;

      for (gsize k = 0; k < n; k++)
        {
          double s0 = samples[k] + c * s1 - s2;
          s2 = s1;
          s1 = s0;
        }
      /* |X(f)|², a tone of amplitude A gives (A n / 2)² */
      power[i] = s1 * s1 + s2 * s2 - c * s1 * s2;
    }

  for (guint g = 0; g < 2; g++)
    for (guint i = g * 4; i < g * 4 + 4; i++)
      if (power[i] > power[best[g]])
        best[g] = i;

  for (guint g = 0; g < 2; g++)
    for (guint i = g * 4; i < g * 4 + 4; i++)
      /* the peak is 8 times (9 dB) the other frequencies of its group */
      if (i != best[g] && power[i] * 8 > power[best[g]])
        return '\0';

  /* twist within 10 dB */
  if (power[best[0]] > 10 * power[best[1]] || power[best[1]] > 10 * power[best[0]])
    return '\0';

  /* the two tones carry most of the energy: a pure tone of amplitude A
   * has energy n A² / 2 and power (A n / 2)², i.e. power = energy * n / 2 */
  if (power[best[0]] + power[best[1]] < 0.6 * energy * n / 2)
    return '\0';

  return keypad[best[0]][best[1] - 4];
}

char
net_sip_dtmf_detector_feed (NetSipDtmfDetector *det,
                            const gint16       *samples,
                            gsize               n,
                            guint              *duration_ms)
{
  char seen = net_sip_dtmf_detect_frame (samples, n);
  guint frame_ms = (guint) (n / 8);
  char ended = '\0';

  if (seen != '\0' && seen == det->current)
    {
      det->current_ms += frame_ms;
      return '\0';
    }
  if (det->current != '\0' && det->current_ms >= NET_SIP_DTMF_MIN_MS)
    {
      ended = det->current;
      *duration_ms = det->current_ms;
    }
  det->current = seen;
  det->current_ms = seen != '\0' ? frame_ms : 0;
  return ended;
}

char
net_sip_dtmf_detector_flush (NetSipDtmfDetector *det,
                             guint              *duration_ms)
{
  char ended = '\0';

  if (det->current != '\0' && det->current_ms >= NET_SIP_DTMF_MIN_MS)
    {
      ended = det->current;
      *duration_ms = det->current_ms;
    }
  net_sip_dtmf_detector_init (det);
  return ended;
}
