/* test-rtp-session.c: NetSipRtpSession on loopback: file playback and
 * recording, transcoding, pacing, offer/answer (RFC 3264), DTMF (RFC 4733
 * and in-band), RTCP statistics (RFC 3550)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "netsip.h"
#include "netsip-g711-private.h"
#include "netsip-dtmf-private.h"
#include "netsip-rtp-event-private.h"
#include "netsip-rtcp-private.h"
#include "netsip-rtp-session-private.h"

#include <glib/gstdio.h>

#define TIMEOUT_SECONDS 20

/* ---------------------------------------------------------------------- */
/* helpers */

static gboolean
flag_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Iterates the default context until *done or ms elapsed; returns *done. */
static gboolean
run_until_flag (gboolean *done, guint ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, flag_cb, &timed_out);

  while (!*done && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return *done;
}

static void
run_for (guint ms)
{
  gboolean never = FALSE;
  run_until_flag (&never, ms);
}

static NetSipSdp *
parse_sdp (const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text, strlen (text));
  g_autoptr(GError) error = NULL;
  NetSipSdp *sdp = net_sip_sdp_parse (bytes, &error);

  g_assert_no_error (error);
  g_assert_nonnull (sdp);
  return sdp;
}

static char *
sdp_text (NetSipSdp *sdp)
{
  g_autoptr(GBytes) bytes = net_sip_sdp_to_bytes (sdp);
  gsize len;
  const char *data = g_bytes_get_data (bytes, &len);

  return g_strndup (data, len);
}

static NetSipRtpSession *
new_session (void)
{
  g_autoptr(GError) error = NULL;
  NetSipRtpSession *s = net_sip_rtp_session_new ("127.0.0.1", 0, 0, &error);

  g_assert_no_error (error);
  g_assert_nonnull (s);
  return s;
}

/* a <-> b by offer/answer */
static void
negotiate (NetSipRtpSession *a, NetSipRtpSession *b)
{
  g_autoptr(NetSipSdp) offer = net_sip_rtp_session_create_offer (a);
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = net_sip_rtp_session_create_answer (b, offer, &error);
  g_assert_no_error (error);
  g_assert_true (net_sip_rtp_session_apply_answer (a, answer, &error));
  g_assert_no_error (error);
}

static char *
write_temp_file (const guint8 *data, gsize len)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("netsip-rtp-XXXXXX.raw", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_file_set_contents (path, (const char *) data, (gssize) len, &error);
  g_assert_no_error (error);
  return path;
}

static char *
temp_path (void)
{
  g_autoptr(GError) error = NULL;
  char *path = NULL;
  int fd = g_file_open_tmp ("netsip-rtp-rec-XXXXXX.raw", &path, &error);

  g_assert_no_error (error);
  close (fd);
  g_unlink (path);
  return path;
}

/* A speech-like test signal: a sweep plus noise, G.711 encoded */
static guint8 *
make_audio (NetSipCodec codec, gsize len)
{
  guint8 *data = g_malloc (len);
  GRand *rand = g_rand_new_with_seed (42);

  for (gsize i = 0; i < len; i++)
    {
      gint16 s = (gint16) (g_rand_int_range (rand, -12000, 12000) / (1 + (gint) (i % 7)));
      data[i] = codec == NET_SIP_CODEC_PCMA ? net_sip_g711_alaw_encode (s)
                                            : net_sip_g711_ulaw_encode (s);
    }
  g_rand_free (rand);
  return data;
}

static void
on_file_finished (NetSipRtpSession *s, gpointer user_data)
{
  (void) s;
  *(gboolean *) user_data = TRUE;
}

static void
on_unexpected_dtmf (NetSipRtpSession *s, const char *digit, guint ms, NetSipDtmfMethod m,
                    gpointer user_data)
{
  (void) s; (void) user_data;
  g_error ("unexpected DTMF '%s' (%u ms, method %d)", digit, ms, m);
}

/* ---------------------------------------------------------------------- */
/* G.711 */

static void
test_g711 (void)
{
  /* reference points of ITU-T G.711 */
  g_assert_cmpint (net_sip_g711_ulaw_decode (0xff), ==, 0);
  g_assert_cmpint (net_sip_g711_ulaw_decode (0x7f), ==, 0);
  g_assert_cmpint (net_sip_g711_ulaw_decode (0x80), ==, 32124);
  g_assert_cmpint (net_sip_g711_ulaw_decode (0x00), ==, -32124);
  g_assert_cmpint (net_sip_g711_alaw_decode (0xd5), ==, 8);
  g_assert_cmpint (net_sip_g711_alaw_decode (0x55), ==, -8);
  g_assert_cmpint (net_sip_g711_alaw_decode (0xaa), ==, 32256);
  g_assert_cmpint (net_sip_g711_alaw_decode (0x2a), ==, -32256);
  g_assert_cmpint (net_sip_g711_ulaw_encode (0), ==, 0xff);
  g_assert_cmpint (net_sip_g711_alaw_encode (0), ==, 0xd5);
  g_assert_cmpint (net_sip_g711_ulaw_encode (32767), ==, 0x80);
  g_assert_cmpint (net_sip_g711_ulaw_encode (-32768), ==, 0x00);
  g_assert_cmpint (net_sip_g711_alaw_encode (32767), ==, 0xaa);
  g_assert_cmpint (net_sip_g711_alaw_encode (-32768), ==, 0x2a);

  /* every code survives decode + encode (µ-law's negative zero 0x7f
   * becomes 0xff) */
  for (guint c = 0; c < 256; c++)
    {
      if (c != 0x7f)
        g_assert_cmpuint (net_sip_g711_ulaw_encode (net_sip_g711_ulaw_decode ((guint8) c)), ==, c);
      g_assert_cmpuint (net_sip_g711_alaw_encode (net_sip_g711_alaw_decode ((guint8) c)), ==, c);
    }

  /* quantization: the error is below half a step (at most 1/32 of the
   * value above the first segments) */
  for (int v = -32768; v <= 32767; v += 7)
    {
      int u = net_sip_g711_ulaw_decode (net_sip_g711_ulaw_encode ((gint16) v));
      int a = net_sip_g711_alaw_decode (net_sip_g711_alaw_encode ((gint16) v));

      g_assert_cmpint (ABS (u - v), <=, MAX (8, ABS (v) / 16 + 4));
      g_assert_cmpint (ABS (a - v), <=, MAX (16, ABS (v) / 16 + 8));
    }

  /* transcoding keeps the value within one A-law step */
  for (guint c = 0; c < 256; c++)
    {
      guint8 in = (guint8) c, out;
      int before, after;

      net_sip_g711_transcode (NET_SIP_CODEC_PCMA, NET_SIP_CODEC_PCMU, &in, &out, 1);
      before = net_sip_g711_alaw_decode (in);
      after = net_sip_g711_ulaw_decode (out);
      g_assert_cmpint (ABS (after - before), <=, MAX (16, ABS (before) / 16 + 8));
    }
}

/* ---------------------------------------------------------------------- */
/* construction */

static void
test_ports (void)
{
  g_autoptr(NetSipRtpSession) a = NULL;
  g_autoptr(NetSipRtpSession) b = NULL;
  g_autoptr(NetSipRtpSession) c = NULL;
  g_autoptr(NetSipRtpSession) v6 = NULL;
  g_autoptr(GError) error = NULL;
  guint port;

  a = new_session ();
  port = net_sip_rtp_session_get_local_port (a);
  g_assert_cmpuint (port % 2, ==, 0);
  g_assert_cmpuint (port, >=, 10000);
  g_assert_cmpstr (net_sip_rtp_session_get_local_address (a), ==, "127.0.0.1");

  /* a range of exactly one pair: the second session finds it taken */
  b = net_sip_rtp_session_new ("127.0.0.1", 41000, 41001, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_rtp_session_get_local_port (b), ==, 41000);
  c = net_sip_rtp_session_new ("127.0.0.1", 41000, 41001, &error);
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_NO_PORTS);
  g_assert_null (c);
  g_clear_error (&error);

  /* an odd start is rounded up to the next even port */
  c = net_sip_rtp_session_new ("127.0.0.1", 41001, 41010, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_rtp_session_get_local_port (c) % 2, ==, 0);
  g_assert_cmpuint (net_sip_rtp_session_get_local_port (c), >=, 41002);

  g_assert_null (net_sip_rtp_session_new ("not-an-address", 0, 0, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
  g_clear_error (&error);

  v6 = net_sip_rtp_session_new ("::1", 0, 0, &error);
  if (v6 == NULL)
    {
      g_test_message ("no IPv6 loopback: %s", error->message);
      g_clear_error (&error);
    }
  else
    {
      g_autoptr(NetSipSdp) offer = net_sip_rtp_session_create_offer (v6);
      g_autofree char *text = sdp_text (offer);

      g_assert_nonnull (strstr (text, "c=IN IP6 ::1\r\n"));
    }
}

/* ---------------------------------------------------------------------- */
/* file to file */

typedef struct {
  NetSipCodec file_codec;
  NetSipCodec session_codec;
} FileCase;

static void
run_file_exchange (const FileCase *fc)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  const gsize len = 160 * 40 + 77;          /* a short last packet */
  g_autofree guint8 *audio = make_audio (fc->file_codec, len);
  g_autofree char *src = write_temp_file (audio, len);
  g_autofree char *rec = temp_path ();
  g_autofree guint8 *expected = g_malloc (160 * 41);
  g_autofree char *got = NULL;
  gsize got_len = 0;
  gboolean finished = FALSE;
  gint64 t0, elapsed;

  g_object_set (a, "codec", fc->session_codec, NULL);
  negotiate (a, b);
  g_assert_cmpint (net_sip_rtp_session_get_codec (b), ==, fc->session_codec);

  g_assert_true (net_sip_rtp_session_send_file (a, src, fc->file_codec, FALSE, &error));
  g_assert_no_error (error);
  g_assert_true (net_sip_rtp_session_record_to_file (b, rec, &error));
  g_assert_no_error (error);
  g_signal_connect (a, "file-finished", G_CALLBACK (on_file_finished), &finished);
  /* noise-like audio is no DTMF */
  g_signal_connect (b, "dtmf-received", G_CALLBACK (on_unexpected_dtmf), NULL);

  t0 = g_get_monotonic_time ();
  net_sip_rtp_session_start (b);
  net_sip_rtp_session_start (a);
  g_assert_true (run_until_flag (&finished, TIMEOUT_SECONDS * 1000));
  elapsed = g_get_monotonic_time () - t0;
  /* 41 packets: 40 intervals of 20 ms, then the tick that finds the end */
  g_assert_cmpint (elapsed, >=, 800 * 1000);
  g_assert_cmpint (elapsed, <, 1500 * 1000);
  run_for (100);
  net_sip_rtp_session_stop (a);
  net_sip_rtp_session_stop (b);

  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (a), ==, 41);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (b), ==, 41);
  g_assert_cmpint (net_sip_rtp_session_get_packets_lost (b), ==, 0);

  /* what b recorded is the file, in the session's codec, the last packet
   * completed with silence */
  net_sip_g711_transcode (fc->file_codec, fc->session_codec, audio, expected, len);
  memset (expected + len, net_sip_g711_silence (fc->session_codec), 160 * 41 - len);
  g_assert_true (g_file_get_contents (rec, &got, &got_len, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (got, got_len, expected, 160 * 41);
  if (fc->file_codec == fc->session_codec)
    g_assert_cmpmem (got, len, audio, len);

  g_unlink (src);
  g_unlink (rec);
}

static void
test_file_exchange (gconstpointer data)
{
  run_file_exchange (data);
}

/* The packets on the wire: header fields, marker, sequence, timestamps,
 * pacing without drift. */
static void
test_packets (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) local = NULL;
  const gsize n_packets = 50;
  g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, 160 * n_packets);
  g_autofree char *src = write_temp_file (audio, 160 * n_packets);
  guint8 buf[512];
  guint16 first_seq = 0;
  guint32 first_ts = 0, ssrc = 0;
  gint64 first_arrival = 0, last_arrival = 0;

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (sock, any, FALSE, &error));
  local = g_socket_get_local_address (sock, &error);
  g_assert_no_error (error);
  net_sip_rtp_session_set_remote (a, G_INET_SOCKET_ADDRESS (local), NULL);
  g_assert_true (net_sip_rtp_session_send_file (a, src, NET_SIP_CODEC_PCMU, FALSE, &error));
  g_object_set (a, "media-timeout", 0, NULL);
  g_socket_set_timeout (sock, 1);
  net_sip_rtp_session_start (a);

  for (guint i = 0; i < n_packets; i++)
    {
      gssize n;
      guint16 seq;
      guint32 ts, pssrc;
      gboolean got = FALSE;

      /* the session sends from the main loop: iterate it until the
       * packet is there */
      while (!got)
        {
          GIOCondition cond = g_socket_condition_check (sock, G_IO_IN);
          if (cond & G_IO_IN)
            got = TRUE;
          else
            g_main_context_iteration (NULL, TRUE);
        }
      n = g_socket_receive (sock, (char *) buf, sizeof buf, NULL, &error);
      g_assert_no_error (error);
      g_assert_cmpint (n, ==, 12 + 160);
      g_assert_cmpint (buf[0], ==, 0x80);
      /* marker on the first packet only, PT 0 */
      g_assert_cmpint (buf[1], ==, i == 0 ? 0x80 : 0x00);
      seq = (guint16) (buf[2] << 8 | buf[3]);
      ts = (guint32) buf[4] << 24 | (guint32) buf[5] << 16 | (guint32) buf[6] << 8 | buf[7];
      pssrc = (guint32) buf[8] << 24 | (guint32) buf[9] << 16 | (guint32) buf[10] << 8 | buf[11];
      if (i == 0)
        {
          first_seq = seq;
          first_ts = ts;
          ssrc = pssrc;
          first_arrival = g_get_monotonic_time ();
          g_assert_cmpuint (ssrc, ==, net_sip_rtp_session_get_ssrc (a));
        }
      g_assert_cmpuint (seq, ==, (guint16) (first_seq + i));
      g_assert_cmpuint (ts, ==, first_ts + 160 * i);
      g_assert_cmpuint (pssrc, ==, ssrc);
      g_assert_cmpmem (buf + 12, 160, audio + 160 * i, 160);
      last_arrival = g_get_monotonic_time ();
      /* the main loop held up for 70 ms: the missed packets go out at
       * once when it runs again, the schedule stays anchored at the
       * start */
      if (i == 10)
        g_usleep (70 * 1000);
    }
  /* 49 intervals of 20 ms: drift-free scheduling keeps the total within
   * a few ms of 980 ms (the stall and late wake-ups do not delay the
   * rest) */
  g_test_message ("50 packets in %" G_GINT64_FORMAT " µs", last_arrival - first_arrival);
  g_assert_cmpint (last_arrival - first_arrival, >=, 960 * 1000);
  g_assert_cmpint (last_arrival - first_arrival, <=, 1060 * 1000);
  net_sip_rtp_session_stop (a);
  g_unlink (src);
}

/* Symmetric RTP (RFC 4961) sends from the receiving port; the asymmetric
 * option from another one. ptime 40 gives 320-byte packets. */
static void
test_asymmetric_ptime (void)
{
  for (guint asym = 0; asym < 2; asym++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipRtpSession) a = g_initable_new (NET_SIP_TYPE_RTP_SESSION, NULL, &error,
                                                      "local-address", "127.0.0.1",
                                                      "asymmetric", (gboolean) asym,
                                                      "ptime", 40, NULL);
      g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                              G_SOCKET_PROTOCOL_UDP, &error);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) local = NULL;
      g_autoptr(GSocketAddress) from = NULL;
      g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, 320 * 3);
      g_autofree char *src = write_temp_file (audio, 320 * 3);
      guint8 buf[1500];
      gssize n;
      gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
      guint32 ts[2];
      gboolean asym_prop = !asym;

      g_assert_no_error (error);
      g_object_get (a, "asymmetric", &asym_prop, NULL);
      g_assert_cmpint (asym_prop, ==, asym);
      g_assert_true (g_socket_bind (sock, any, FALSE, &error));
      local = g_socket_get_local_address (sock, &error);
      net_sip_rtp_session_set_remote (a, G_INET_SOCKET_ADDRESS (local), NULL);
      g_object_set (a, "media-timeout", 0, NULL);
      g_assert_true (net_sip_rtp_session_send_file (a, src, NET_SIP_CODEC_PCMU, FALSE, &error));
      net_sip_rtp_session_start (a);
      for (guint i = 0; i < 2; i++)
        {
          while (!(g_socket_condition_check (sock, G_IO_IN) & G_IO_IN)
                 && g_get_monotonic_time () < deadline)
            g_main_context_iteration (NULL, TRUE);
          g_clear_object (&from);
          n = g_socket_receive_from (sock, &from, (char *) buf, sizeof buf, NULL, &error);
          g_assert_no_error (error);
          g_assert_cmpint (n, ==, 12 + 320);
          ts[i] = (guint32) buf[4] << 24 | (guint32) buf[5] << 16 | (guint32) buf[6] << 8 | buf[7];
        }
      g_assert_cmpuint (ts[1] - ts[0], ==, 320);
      if (asym)
        g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)), !=,
                          net_sip_rtp_session_get_local_port (a));
      else
        g_assert_cmpuint (g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (from)), ==,
                          net_sip_rtp_session_get_local_port (a));
      net_sip_rtp_session_stop (a);
      g_unlink (src);
    }
}

/* Two sessions with random SSRC, sequence number and timestamp */
static void
test_random_start (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();

  g_assert_cmpuint (net_sip_rtp_session_get_ssrc (a), !=, net_sip_rtp_session_get_ssrc (b));
  g_assert_true (a->seq != b->seq || a->ts_base != b->ts_base);
}

/* ---------------------------------------------------------------------- */
/* echo */

static void
test_echo (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  const gsize len = 160 * 25;
  g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, len);
  g_autofree char *src = write_temp_file (audio, len);
  g_autofree char *rec = temp_path ();
  g_autofree char *got = NULL;
  gsize got_len = 0;
  gboolean finished = FALSE;

  negotiate (a, b);
  net_sip_rtp_session_set_echo (b, TRUE);
  g_assert_true (net_sip_rtp_session_send_file (a, src, NET_SIP_CODEC_PCMU, FALSE, &error));
  g_assert_true (net_sip_rtp_session_record_to_file (a, rec, &error));
  g_signal_connect (a, "file-finished", G_CALLBACK (on_file_finished), &finished);
  net_sip_rtp_session_start (b);
  net_sip_rtp_session_start (a);
  g_assert_true (run_until_flag (&finished, TIMEOUT_SECONDS * 1000));
  run_for (100);

  /* a hears its own audio back, from b's stream */
  g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (b), ==, 25);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (a), ==, 25);
  g_assert_true (g_file_get_contents (rec, &got, &got_len, &error));
  g_assert_cmpmem (got, got_len, audio, len);
  g_assert_cmpuint (a->rx.ssrc, ==, net_sip_rtp_session_get_ssrc (b));
  g_unlink (src);
  g_unlink (rec);
}

/* ---------------------------------------------------------------------- */
/* media timeout */

static void
on_media_timeout (NetSipRtpSession *s, gpointer user_data)
{
  (void) s;
  (*(guint *) user_data)++;
}

static void
test_media_timeout (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  guint fired = 0;
  gboolean done = FALSE;
  gint64 t0;

  negotiate (a, b);
  g_object_set (a, "media-timeout", 1, NULL);
  g_signal_connect (a, "media-timed-out", G_CALLBACK (on_media_timeout), &fired);
  t0 = g_get_monotonic_time ();
  net_sip_rtp_session_start (a);
  /* b sends nothing */
  g_timeout_add (2500, flag_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpuint (fired, ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - t0, >=, 1000 * 1000);

  /* on hold (we only send) the timeout does not run */
  fired = 0;
  net_sip_rtp_session_stop (a);
  net_sip_rtp_session_set_direction (a, NET_SIP_SDP_DIRECTION_SENDONLY);
  net_sip_rtp_session_start (a);
  run_for (1500);
  g_assert_cmpuint (fired, ==, 0);
  net_sip_rtp_session_stop (a);
}

/* ---------------------------------------------------------------------- */
/* offer/answer */

static void
test_offer (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipSdp) offer = net_sip_rtp_session_create_offer (a);
  g_autoptr(NetSipSdp) offer2 = NULL;
  g_autofree char *text = sdp_text (offer);
  g_autofree char *m = g_strdup_printf ("m=audio %u RTP/AVP 0 8 101\r\n",
                                        net_sip_rtp_session_get_local_port (a));
  g_autofree char *text2 = NULL;
  guint64 v1, v2;

  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "c=IN IP4 127.0.0.1\r\n"));
  g_assert_nonnull (strstr (text, " IN IP4 127.0.0.1\r\n"));
  g_assert_nonnull (strstr (text, m));
  g_assert_nonnull (strstr (text, "a=rtpmap:0 PCMU/8000\r\n"));
  g_assert_nonnull (strstr (text, "a=rtpmap:8 PCMA/8000\r\n"));
  g_assert_nonnull (strstr (text, "a=rtpmap:101 telephone-event/8000\r\n"));
  g_assert_nonnull (strstr (text, "a=fmtp:101 0-15\r\n"));
  g_assert_nonnull (strstr (text, "a=ptime:20\r\n"));
  g_assert_nonnull (strstr (text, "a=sendrecv\r\n"));
  /* before negotiation no telephone-event payload type is in use */
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (a), ==, -1);

  net_sip_rtp_session_set_direction (a, NET_SIP_SDP_DIRECTION_SENDONLY);
  offer2 = net_sip_rtp_session_create_offer (a);
  text2 = sdp_text (offer2);
  g_assert_nonnull (strstr (text2, "a=sendonly\r\n"));
  g_assert_cmpstr (net_sip_sdp_get_origin_session_id (offer), ==,
                   net_sip_sdp_get_origin_session_id (offer2));
  v1 = g_ascii_strtoull (net_sip_sdp_get_origin_session_version (offer), NULL, 10);
  v2 = g_ascii_strtoull (net_sip_sdp_get_origin_session_version (offer2), NULL, 10);
  g_assert_cmpuint (v2, >, v1);
}

#define OFFER_HEAD \
  "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"

static void
test_answer_dynamic_pt (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(NetSipSdp) offer = parse_sdp (OFFER_HEAD
    "m=audio 40000 RTP/AVP 8 0 96\r\n"
    "a=rtpmap:96 telephone-event/8000\r\n"
    "a=fmtp:96 0-16\r\n");
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *m = NULL;
  GInetSocketAddress *remote;
  g_autofree char *remote_ip = NULL;

  answer = net_sip_rtp_session_create_answer (b, offer, &error);
  g_assert_no_error (error);
  text = sdp_text (answer);
  g_test_message ("%s", text);
  /* the offer's first codec (PCMA) and its telephone-event number */
  m = g_strdup_printf ("m=audio %u RTP/AVP 8 96\r\n", net_sip_rtp_session_get_local_port (b));
  g_assert_nonnull (strstr (text, m));
  g_assert_nonnull (strstr (text, "a=rtpmap:96 telephone-event/8000\r\n"));
  g_assert_nonnull (strstr (text, "a=fmtp:96 0-16\r\n"));
  g_assert_null (strstr (text, "101"));
  g_assert_nonnull (strstr (text, "a=sendrecv\r\n"));
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (b), ==, 96);
  g_assert_cmpint (net_sip_rtp_session_get_codec (b), ==, NET_SIP_CODEC_PCMA);
  remote = net_sip_rtp_session_get_remote (b);
  g_assert_nonnull (remote);
  g_assert_cmpuint (g_inet_socket_address_get_port (remote), ==, 40000);
  remote_ip = g_inet_address_to_string (g_inet_socket_address_get_address (remote));
  g_assert_cmpstr (remote_ip, ==, "127.0.0.1");
  g_assert_cmpuint (g_inet_socket_address_get_port (b->remote_rtcp), ==, 40001);
}

/* The peer answers our offer (101) with its own number for telephone-event
 * (a peer may not, RFC 3264 §6.1, but some do); it is the one used. */
static void
test_apply_answer_pt (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipSdp) offer = net_sip_rtp_session_create_offer (a);
  g_autoptr(NetSipSdp) answer = parse_sdp ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
    "m=audio 40002 RTP/AVP 0 118\r\n"
    "c=IN IP4 127.0.0.2\r\n"
    "a=rtpmap:118 telephone-event/8000\r\n"
    "a=rtcp:40009\r\n"
    "a=recvonly\r\n");
  g_autoptr(GError) error = NULL;

  net_sip_rtp_session_set_direction (a, NET_SIP_SDP_DIRECTION_SENDONLY);
  g_clear_object (&offer);
  offer = net_sip_rtp_session_create_offer (a);
  g_assert_true (net_sip_rtp_session_apply_answer (a, answer, &error));
  g_assert_no_error (error);
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (a), ==, 118);
  g_assert_cmpint (net_sip_rtp_session_get_codec (a), ==, NET_SIP_CODEC_PCMU);
  g_assert_cmpint (net_sip_rtp_session_get_direction (a), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
  /* media-level c= wins; RTCP port from a=rtcp (RFC 3605) */
  g_assert_cmpuint (g_inet_socket_address_get_port (a->remote_rtcp), ==, 40009);
  {
    g_autofree char *ip = g_inet_address_to_string (
      g_inet_socket_address_get_address (net_sip_rtp_session_get_remote (a)));
    g_assert_cmpstr (ip, ==, "127.0.0.2");
  }

  /* the next offer keeps the negotiated number */
  {
    g_autoptr(NetSipSdp) reoffer = net_sip_rtp_session_create_offer (a);
    g_autofree char *text = sdp_text (reoffer);
    g_assert_nonnull (strstr (text, "a=rtpmap:118 telephone-event/8000\r\n"));
  }
}

static void
test_answer_pcma_only (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(NetSipSdp) offer = parse_sdp (OFFER_HEAD "m=audio 40000 RTP/AVP 8\r\n");
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;
  const char * const *formats;

  answer = net_sip_rtp_session_create_answer (b, offer, &error);
  g_assert_no_error (error);
  text = sdp_text (answer);
  formats = net_sip_sdp_get_media_formats (answer, 0);
  g_assert_cmpstr (formats[0], ==, "8");
  g_assert_null (formats[1]);
  g_assert_nonnull (strstr (text, "a=rtpmap:8 PCMA/8000\r\n"));
  g_assert_null (strstr (text, "telephone-event"));
  g_assert_cmpint (net_sip_rtp_session_get_codec (b), ==, NET_SIP_CODEC_PCMA);
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (b), ==, -1);

  /* RFC 4733 cannot be sent; AUTO falls back to in-band */
  g_assert_false (net_sip_rtp_session_send_dtmf (b, "1", NET_SIP_DTMF_METHOD_RFC4733, 100, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_NOT_NEGOTIATED);
  g_clear_error (&error);
  g_assert_true (net_sip_rtp_session_send_dtmf (b, "1", NET_SIP_DTMF_METHOD_AUTO, 100, &error));
  g_assert_no_error (error);
  g_assert_cmpint (((NetSipRtpDtmfItem *) g_queue_peek_head (&b->dtmf_queue))->method, ==,
                   NET_SIP_DTMF_METHOD_INBAND);
}

static void
test_answer_no_common_codec (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(NetSipSdp) g729 = parse_sdp (OFFER_HEAD
    "m=audio 40000 RTP/AVP 18 97 101\r\n"
    "a=rtpmap:97 speex/8000\r\n"
    "a=rtpmap:101 telephone-event/8000\r\n");
  g_autoptr(NetSipSdp) video = parse_sdp (OFFER_HEAD "m=video 40000 RTP/AVP 31\r\n");
  /* PT 0 mapped to another codec by a broken peer */
  g_autoptr(NetSipSdp) bad_map = parse_sdp (OFFER_HEAD
    "m=audio 40000 RTP/AVP 0\r\na=rtpmap:0 G722/8000\r\n");
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GError) error = NULL;

  answer = net_sip_rtp_session_create_answer (b, g729, &error);
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
  g_assert_null (answer);
  g_clear_error (&error);
  answer = net_sip_rtp_session_create_answer (b, video, &error);
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
  g_clear_error (&error);
  answer = net_sip_rtp_session_create_answer (b, bad_map, &error);
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
  g_clear_error (&error);
  /* nothing was applied */
  g_assert_null (net_sip_rtp_session_get_remote (b));
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (b), ==, -1);

  /* a host name or an IPv6 address for an IPv4 session */
  {
    g_autoptr(NetSipSdp) name = parse_sdp ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                                           "c=IN IP4 media.example.test\r\nt=0 0\r\n"
                                           "m=audio 40000 RTP/AVP 0\r\n");
    g_autoptr(NetSipSdp) v6 = parse_sdp ("v=0\r\no=peer 1 1 IN IP6 ::1\r\ns=-\r\n"
                                         "c=IN IP6 ::1\r\nt=0 0\r\n"
                                         "m=audio 40000 RTP/AVP 0\r\n");
    g_autoptr(NetSipSdp) a1 = net_sip_rtp_session_create_answer (b, name, &error);
    g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
    g_assert_null (a1);
    g_clear_error (&error);
    g_assert_null (net_sip_rtp_session_create_answer (b, v6, &error));
    g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
    g_clear_error (&error);
    g_assert_null (net_sip_rtp_session_get_remote (b));
  }

  /* the same for an answer */
  g_assert_false (net_sip_rtp_session_apply_answer (b, g729, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP);
}

static void
test_answer_media_order (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(NetSipSdp) offer = parse_sdp (OFFER_HEAD
    "m=video 40010 RTP/AVP 31\r\n"
    "m=audio 40000 RTP/AVP 0\r\n"
    "c=IN IP4 127.0.0.3\r\n");
  g_autoptr(NetSipSdp) answer = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *ip = NULL;

  answer = net_sip_rtp_session_create_answer (b, offer, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (net_sip_sdp_get_n_media (answer), ==, 2);
  g_assert_cmpstr (net_sip_sdp_get_media_type (answer, 0), ==, "video");
  g_assert_cmpuint (net_sip_sdp_get_media_port (answer, 0), ==, 0);
  g_assert_cmpstr (net_sip_sdp_get_media_type (answer, 1), ==, "audio");
  g_assert_cmpuint (net_sip_sdp_get_media_port (answer, 1), ==, net_sip_rtp_session_get_local_port (b));
  ip = g_inet_address_to_string (g_inet_socket_address_get_address (net_sip_rtp_session_get_remote (b)));
  g_assert_cmpstr (ip, ==, "127.0.0.3");
}

typedef struct {
  const char *offer_attr;
  NetSipSdpDirection answer;
} DirCase;

static void
test_hold_directions (void)
{
  static const DirCase cases[] = {
    { "a=sendonly\r\n", NET_SIP_SDP_DIRECTION_RECVONLY },
    { "a=inactive\r\n", NET_SIP_SDP_DIRECTION_INACTIVE },
    { "a=recvonly\r\n", NET_SIP_SDP_DIRECTION_SENDONLY },
    { "a=sendrecv\r\n", NET_SIP_SDP_DIRECTION_SENDRECV },
    { "", NET_SIP_SDP_DIRECTION_SENDRECV },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(NetSipRtpSession) b = new_session ();
      g_autofree char *text = g_strdup_printf (OFFER_HEAD "m=audio 40000 RTP/AVP 0 101\r\n"
                                               "a=rtpmap:101 telephone-event/8000\r\n%s",
                                               cases[i].offer_attr);
      g_autoptr(NetSipSdp) offer = parse_sdp (text);
      g_autoptr(GError) error = NULL;
      g_autoptr(NetSipSdp) answer = net_sip_rtp_session_create_answer (b, offer, &error);

      g_assert_no_error (error);
      g_assert_cmpint (net_sip_sdp_get_media_direction (answer, 0), ==, cases[i].answer);
      g_assert_cmpint (net_sip_rtp_session_get_direction (b), ==, cases[i].answer);
    }

  /* we hold the peer (sendonly), it answers recvonly; then resume */
  {
    g_autoptr(NetSipRtpSession) a = new_session ();
    g_autoptr(NetSipRtpSession) b = new_session ();
    g_autoptr(NetSipSdp) offer = NULL;
    g_autoptr(NetSipSdp) answer = NULL;
    g_autoptr(GError) error = NULL;

    negotiate (a, b);
    net_sip_rtp_session_set_direction (a, NET_SIP_SDP_DIRECTION_SENDONLY);
    offer = net_sip_rtp_session_create_offer (a);
    g_assert_cmpint (net_sip_sdp_get_media_direction (offer, 0), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
    answer = net_sip_rtp_session_create_answer (b, offer, &error);
    g_assert_no_error (error);
    g_assert_cmpint (net_sip_sdp_get_media_direction (answer, 0), ==, NET_SIP_SDP_DIRECTION_RECVONLY);
    g_assert_true (net_sip_rtp_session_apply_answer (a, answer, &error));
    g_assert_cmpint (net_sip_rtp_session_get_direction (a), ==, NET_SIP_SDP_DIRECTION_SENDONLY);
    g_assert_cmpint (net_sip_rtp_session_get_direction (b), ==, NET_SIP_SDP_DIRECTION_RECVONLY);

    g_clear_object (&offer);
    g_clear_object (&answer);
    net_sip_rtp_session_set_direction (a, NET_SIP_SDP_DIRECTION_SENDRECV);
    offer = net_sip_rtp_session_create_offer (a);
    answer = net_sip_rtp_session_create_answer (b, offer, &error);
    g_assert_true (net_sip_rtp_session_apply_answer (a, answer, &error));
    g_assert_cmpint (net_sip_rtp_session_get_direction (a), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
    g_assert_cmpint (net_sip_rtp_session_get_direction (b), ==, NET_SIP_SDP_DIRECTION_SENDRECV);
  }
}

/* Held by the peer: sendonly (we receive only), inactive, c=0.0.0.0 and
 * port 0: nothing goes out although a file is playing. */
static void
test_hold_stops_sending (void)
{
  static const char *holds[] = {
    OFFER_HEAD "m=audio %u RTP/AVP 0\r\na=sendonly\r\n",
    OFFER_HEAD "m=audio %u RTP/AVP 0\r\na=inactive\r\n",
    "v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 0.0.0.0\r\nt=0 0\r\nm=audio %u RTP/AVP 0\r\n",
    OFFER_HEAD "m=audio 0 RTP/AVP 0\r\n",
  };
  g_autoptr(NetSipRtpSession) peer = new_session ();
  const gsize len = 160 * 10;
  g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, len);
  g_autofree char *src = write_temp_file (audio, len);

  for (guint i = 0; i < G_N_ELEMENTS (holds); i++)
    {
      g_autoptr(NetSipRtpSession) b = new_session ();
      g_autofree char *text = g_strdup_printf (holds[i], net_sip_rtp_session_get_local_port (peer));
      g_autoptr(NetSipSdp) offer = parse_sdp (text);
      g_autoptr(NetSipSdp) answer = NULL;
      g_autoptr(GError) error = NULL;
      guint64 before = net_sip_rtp_session_get_packets_received (peer);

      answer = net_sip_rtp_session_create_answer (b, offer, &error);
      g_assert_no_error (error);
      if (i == 3)
        g_assert_cmpuint (net_sip_sdp_get_media_port (answer, 0), ==, 0);
      g_assert_true (net_sip_rtp_session_send_file (b, src, NET_SIP_CODEC_PCMU, TRUE, &error));
      g_object_set (b, "media-timeout", 0, NULL);
      net_sip_rtp_session_start (b);
      run_for (150);
      g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (b), ==, 0);
      g_assert_cmpuint (net_sip_rtp_session_get_packets_received (peer), ==, before);
      net_sip_rtp_session_stop (b);
    }

  /* the control: the same with sendrecv does send */
  {
    g_autoptr(NetSipRtpSession) b = new_session ();
    g_autofree char *text = g_strdup_printf (OFFER_HEAD "m=audio %u RTP/AVP 0\r\n",
                                             net_sip_rtp_session_get_local_port (peer));
    g_autoptr(NetSipSdp) offer = parse_sdp (text);
    g_autoptr(NetSipSdp) answer = net_sip_rtp_session_create_answer (b, offer, NULL);
    g_autoptr(GError) error = NULL;

    g_assert_nonnull (answer);
    g_assert_true (net_sip_rtp_session_send_file (b, src, NET_SIP_CODEC_PCMU, TRUE, &error));
    net_sip_rtp_session_start (b);
    run_for (150);
    g_assert_cmpuint (net_sip_rtp_session_get_packets_sent (b), >=, 4);
    g_assert_cmpuint (net_sip_rtp_session_get_packets_received (peer), >=, 4);
    net_sip_rtp_session_stop (b);
  }
  g_unlink (src);
}

static void
test_bad_arguments (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(GError) error = NULL;

  g_assert_false (net_sip_rtp_session_send_file (a, "/nonexistent/file.raw",
                                                 NET_SIP_CODEC_PCMU, FALSE, &error));
  g_assert_error (error, G_FILE_ERROR, G_FILE_ERROR_NOENT);
  g_clear_error (&error);
  g_assert_false (net_sip_rtp_session_record_to_file (a, "/nonexistent/dir/rec.raw", &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_clear_error (&error);
  /* before negotiation: nowhere to send */
  g_assert_false (net_sip_rtp_session_send_dtmf (a, "1", NET_SIP_DTMF_METHOD_INBAND, 100, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID);
  g_clear_error (&error);
  {
    g_autoptr(NetSipRtpSession) b = new_session ();
    negotiate (a, b);
  }
  g_assert_false (net_sip_rtp_session_send_dtmf (a, "12x", NET_SIP_DTMF_METHOD_INBAND, 100, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (net_sip_rtp_session_send_dtmf (a, "", NET_SIP_DTMF_METHOD_INBAND, 100, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (net_sip_rtp_session_send_dtmf (a, "1", NET_SIP_DTMF_METHOD_INBAND, 39, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (net_sip_rtp_session_send_dtmf (a, "1", NET_SIP_DTMF_METHOD_INBAND, 5001, &error));
  g_assert_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_true (g_queue_is_empty (&a->dtmf_queue));
}

/* Malformed datagrams on the RTP and RTCP ports are ignored. */
static void
test_garbage (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) rtp = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (a));
  g_autoptr(GSocketAddress) rtcp = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (a) + 1);
  static const guint8 bad[][16] = {
    { 0x00 },                                                     /* version 0 */
    { 0x8f, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1 },                 /* 15 CSRCs missing */
    { 0x90, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0xff, 0xff }, /* extension past the end */
    { 0xa0, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0x20 },    /* padding larger than payload */
  };
  static const gsize bad_len[] = { 1, 12, 16, 16 };
  GRand *rand = g_rand_new_with_seed (7);
  guint8 junk[300];
  guint64 rtcp_count = 0, before;

  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_socket_send_to (sock, rtp, (const char *) bad[i], bad_len[i], NULL, &error);
      g_assert_no_error (error);
      g_socket_send_to (sock, rtcp, (const char *) bad[i], bad_len[i], NULL, &error);
      g_assert_no_error (error);
    }
  run_for (100);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (a), ==, 0);
  g_object_get (a, "rtcp-received", &rtcp_count, NULL);
  g_assert_cmpuint (rtcp_count, ==, 0);

  for (guint i = 0; i < 200; i++)
    {
      gsize n = (gsize) g_rand_int_range (rand, 1, sizeof junk);
      for (gsize k = 0; k < n; k++)
        junk[k] = (guint8) g_rand_int (rand);
      if (i % 2)
        junk[0] = 0x80 | (junk[0] & 0x3f);    /* look like version 2 */
      if (i % 4 == 1)
        junk[1] = 0xc8 + (junk[1] % 4);         /* and like SR..BYE */
      g_socket_send_to (sock, rtp, (const char *) junk, n, NULL, NULL);
      g_socket_send_to (sock, rtcp, (const char *) junk, n, NULL, NULL);
    }
  g_rand_free (rand);
  run_for (100);

  /* still alive: a valid packet is counted */
  before = net_sip_rtp_session_get_packets_received (a);
  {
    guint8 ok[12 + 160] = { 0x80, 0x00, 0x12, 0x34, 0, 0, 0, 0, 0xde, 0xad, 0xbe, 0xef };
    memset (ok + 12, 0xff, 160);
    g_socket_send_to (sock, rtp, (const char *) ok, sizeof ok, NULL, &error);
    g_assert_no_error (error);
  }
  run_for (100);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (a), ==, before + 1);
}

/* ---------------------------------------------------------------------- */
/* DTMF */

typedef struct {
  GString *digits;
  GArray *durations;
  GArray *methods;
} DtmfLog;

static void
on_dtmf (NetSipRtpSession *s,
         const char       *digit,
         guint             duration_ms,
         NetSipDtmfMethod  method,
         gpointer          user_data)
{
  DtmfLog *log = user_data;

  (void) s;
  g_assert_cmpuint (strlen (digit), ==, 1);
  g_string_append (log->digits, digit);
  g_array_append_val (log->durations, duration_ms);
  g_array_append_val (log->methods, method);
}

static void
dtmf_log_init (DtmfLog *log)
{
  log->digits = g_string_new (NULL);
  log->durations = g_array_new (FALSE, FALSE, sizeof (guint));
  log->methods = g_array_new (FALSE, FALSE, sizeof (NetSipDtmfMethod));
}

static void
dtmf_log_clear (DtmfLog *log)
{
  g_string_free (log->digits, TRUE);
  g_array_unref (log->durations);
  g_array_unref (log->methods);
}

typedef struct {
  NetSipDtmfMethod method;
  NetSipCodec codec;
  guint duration_ms;
} DtmfCase;

/* dtmf-sent: the digits in order, each with the method it went by */
static void
on_dtmf_sent (NetSipRtpSession *s,
              const char       *digit,
              NetSipDtmfMethod  method,
              gpointer          user_data)
{
  DtmfLog *log = user_data;
  guint zero = 0;

  (void) s;
  g_assert_cmpuint (strlen (digit), ==, 1);
  g_string_append (log->digits, digit);
  g_array_append_val (log->durations, zero);
  g_array_append_val (log->methods, method);
}

static gboolean
log_complete (DtmfLog *log, gsize n)
{
  return log->digits->len >= n;
}

/* Every digit, one method, one codec: a sends, b reports. */
static void
test_dtmf_digits (gconstpointer data)
{
  const DtmfCase *dc = data;
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  const char *digits = "0123456789*#ABCD";
  DtmfLog log, sent;
  gint64 deadline;

  dtmf_log_init (&log);
  dtmf_log_init (&sent);
  g_signal_connect (a, "dtmf-sent", G_CALLBACK (on_dtmf_sent), &sent);
  g_object_set (a, "codec", dc->codec, NULL);
  negotiate (a, b);
  g_assert_cmpint (net_sip_rtp_session_get_codec (b), ==, dc->codec);
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (a), ==, 101);
  g_signal_connect (b, "dtmf-received", G_CALLBACK (on_dtmf), &log);
  net_sip_rtp_session_start (b);
  net_sip_rtp_session_start (a);
  /* "11" must come out as two digits: in-band needs the pause */
  g_assert_true (net_sip_rtp_session_send_dtmf (a, digits, dc->method, dc->duration_ms, &error));
  g_assert_true (net_sip_rtp_session_send_dtmf (a, "11", dc->method, dc->duration_ms, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + TIMEOUT_SECONDS * G_USEC_PER_SEC;
  while (!log_complete (&log, 18) && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);
  run_for (200);   /* no duplicates afterwards */
  net_sip_rtp_session_stop (a);
  net_sip_rtp_session_stop (b);

  g_assert_cmpstr (log.digits->str, ==, "0123456789*#ABCD11");
  /* the sender reported each digit out, by the method asked for */
  g_assert_cmpstr (sent.digits->str, ==, "0123456789*#ABCD11");
  for (guint i = 0; i < sent.methods->len; i++)
    g_assert_cmpint (g_array_index (sent.methods, NetSipDtmfMethod, i), ==, dc->method);
  dtmf_log_clear (&sent);
  for (guint i = 0; i < log.durations->len; i++)
    {
      guint d = g_array_index (log.durations, guint, i);
      NetSipDtmfMethod m = g_array_index (log.methods, NetSipDtmfMethod, i);

      g_assert_cmpint (m, ==, dc->method);
      if (dc->method == NET_SIP_DTMF_METHOD_RFC4733)
        g_assert_cmpuint (d, ==, dc->duration_ms);       /* the event's own duration */
      else
        {
          /* detected per 20 ms frame */
          g_assert_cmpuint (d, >=, dc->duration_ms - 20);
          g_assert_cmpuint (d, <=, dc->duration_ms + 20);
        }
    }
  /* b received events, not audio, for RFC 4733 */
  if (dc->method == NET_SIP_DTMF_METHOD_RFC4733)
    g_assert_cmpuint (b->rx.received, >=, 18 * 7);
  dtmf_log_clear (&log);
}

/* Bytes of the RFC 4733 packets on the wire (§2.3, §2.5) at the payload
 * type the peer chose (96). */
static void
test_dtmf_rfc4733_bytes (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) local = NULL;
  g_autoptr(NetSipSdp) offer = NULL;
  g_autoptr(NetSipSdp) answer = NULL;
  g_autofree char *answer_text = NULL;
  struct { guint8 b[64]; gssize n; } pkts[16];
  guint n_pkts = 0;
  gint64 deadline;
  guint32 ts0 = 0, ts_next = 0;
  guint16 seq0 = 0;

  g_assert_true (g_socket_bind (sock, any, FALSE, &error));
  local = g_socket_get_local_address (sock, &error);
  offer = net_sip_rtp_session_create_offer (a);
  answer_text = g_strdup_printf ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                                 "m=audio %u RTP/AVP 0 96\r\na=rtpmap:96 telephone-event/8000\r\n",
                                 g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)));
  answer = parse_sdp (answer_text);
  g_assert_true (net_sip_rtp_session_apply_answer (a, answer, &error));
  g_assert_cmpint (net_sip_rtp_session_get_telephone_event_payload_type (a), ==, 96);
  g_object_set (a, "media-timeout", 0, NULL);
  net_sip_rtp_session_start (a);
  /* 100 ms: updates at 20, 40, 60, 80 ms, the end at 100 ms three times;
   * then "#" after the 40 ms pause */
  g_assert_true (net_sip_rtp_session_send_dtmf (a, "5#", NET_SIP_DTMF_METHOD_RFC4733, 100, &error));
  g_assert_no_error (error);

  deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;
  while (n_pkts < 8 && g_get_monotonic_time () < deadline)
    {
      if (g_socket_condition_check (sock, G_IO_IN) & G_IO_IN)
        {
          pkts[n_pkts].n = g_socket_receive (sock, (char *) pkts[n_pkts].b, sizeof pkts[n_pkts].b,
                                             NULL, &error);
          g_assert_no_error (error);
          n_pkts++;
        }
      else
        g_main_context_iteration (NULL, TRUE);
    }
  net_sip_rtp_session_stop (a);
  g_assert_cmpuint (n_pkts, ==, 8);

  for (guint i = 0; i < 8; i++)
    {
      const guint8 *p = pkts[i].b;
      guint16 seq = (guint16) (p[2] << 8 | p[3]);
      guint32 ts = (guint32) p[4] << 24 | (guint32) p[5] << 16 | (guint32) p[6] << 8 | p[7];
      guint32 ssrc = (guint32) p[8] << 24 | (guint32) p[9] << 16 | (guint32) p[10] << 8 | p[11];
      static const guint durations[7] = { 160, 320, 480, 640, 800, 800, 800 };

      g_assert_cmpint (pkts[i].n, ==, 12 + 4);
      g_assert_cmpint (p[0], ==, 0x80);
      g_assert_cmpuint (ssrc, ==, net_sip_rtp_session_get_ssrc (a));
      if (i == 0)
        {
          seq0 = seq;
          ts0 = ts;
        }
      /* every packet, the repeated end ones too, has its own sequence number */
      g_assert_cmpuint (seq, ==, (guint16) (seq0 + i));
      if (i < 7)
        {
          /* marker only on the first, PT 96 */
          g_assert_cmpint (p[1], ==, i == 0 ? (0x80 | 96) : 96);
          /* one timestamp for the whole event: its start */
          g_assert_cmpuint (ts, ==, ts0);
          /* event 5, E bit on the last three, R 0, volume 10 (-10 dBm0) */
          g_assert_cmpint (p[12], ==, 5);
          g_assert_cmpint (p[13], ==, i >= 4 ? 0x80 | 10 : 10);
          g_assert_cmpuint ((guint) (p[14] << 8 | p[15]), ==, durations[i]);
        }
      else
        {
          /* '#' is event 11, a new event: marker, new timestamp after
           * 7 packets + 40 ms pause = 9 packet times */
          g_assert_cmpint (p[1], ==, 0x80 | 96);
          g_assert_cmpint (p[12], ==, 11);
          g_assert_cmpint (p[13], ==, 10);
          g_assert_cmpuint ((guint) (p[14] << 8 | p[15]), ==, 160);
          ts_next = ts;
        }
    }
  g_assert_cmpuint (ts_next - ts0, ==, 9 * 160);
}

/* stop() in the middle of a long RFC 4733 event ends it: E bit, three
 * times, the duration reached */
static void
test_dtmf_rfc4733_stop (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  DtmfLog log;

  dtmf_log_init (&log);
  negotiate (a, b);
  g_signal_connect (b, "dtmf-received", G_CALLBACK (on_dtmf), &log);
  net_sip_rtp_session_start (b);
  net_sip_rtp_session_start (a);
  g_assert_true (net_sip_rtp_session_send_dtmf (a, "7", NET_SIP_DTMF_METHOD_RFC4733, 2000, &error));
  run_for (200);
  g_assert_cmpuint (log.digits->len, ==, 0);
  net_sip_rtp_session_stop (a);
  run_for (100);
  /* b saw the end (not its own stop: it is still running) */
  g_assert_cmpstr (log.digits->str, ==, "7");
  g_assert_cmpuint (g_array_index (log.durations, guint, 0), >=, 100);
  g_assert_cmpuint (g_array_index (log.durations, guint, 0), <, 2000);
  g_assert_true (b->rx_event_reported);
  net_sip_rtp_session_stop (b);
  g_assert_cmpstr (log.digits->str, ==, "7");
  dtmf_log_clear (&log);
}

static void
send_raw_event (GSocket *sock, GSocketAddress *to, guint16 seq, guint32 ts,
                gboolean marker, guint event, gboolean end, guint duration)
{
  guint8 p[16] = { 0x80, (guint8) ((marker ? 0x80 : 0) | 101), (guint8) (seq >> 8), (guint8) seq,
                   (guint8) (ts >> 24), (guint8) (ts >> 16), (guint8) (ts >> 8), (guint8) ts,
                   0x11, 0x22, 0x33, 0x44 };
  g_autoptr(GError) error = NULL;

  net_sip_rtp_event_write (p + 12, event, end, 10, duration);
  g_socket_send_to (sock, to, (const char *) p, sizeof p, NULL, &error);
  g_assert_no_error (error);
}

/* Receiving RFC 4733: one report per event, repeated end packets
 * ignored, an event whose end packets were all lost reported when the
 * next one starts, and at stop. */
static void
test_dtmf_rfc4733_receive (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (b));
  g_autoptr(NetSipSdp) offer = parse_sdp (OFFER_HEAD "m=audio 40000 RTP/AVP 0 101\r\n"
                                          "a=rtpmap:101 telephone-event/8000\r\n");
  g_autoptr(NetSipSdp) answer = net_sip_rtp_session_create_answer (b, offer, &error);
  DtmfLog log;
  guint16 seq = 100;

  g_assert_no_error (error);
  dtmf_log_init (&log);
  g_signal_connect (b, "dtmf-received", G_CALLBACK (on_dtmf), &log);
  net_sip_rtp_session_start (b);

  /* '7' 60 ms, end sent three times */
  send_raw_event (sock, to, seq++, 1000, TRUE, 7, FALSE, 160);
  send_raw_event (sock, to, seq++, 1000, FALSE, 7, FALSE, 320);
  send_raw_event (sock, to, seq++, 1000, FALSE, 7, TRUE, 480);
  send_raw_event (sock, to, seq++, 1000, FALSE, 7, TRUE, 480);
  send_raw_event (sock, to, seq++, 1000, FALSE, 7, TRUE, 480);
  /* '*' (10) whose end packets are lost */
  send_raw_event (sock, to, seq++, 3000, TRUE, 10, FALSE, 160);
  send_raw_event (sock, to, seq++, 3000, FALSE, 10, FALSE, 400);
  /* 'D' (15) started: reports '*' */
  send_raw_event (sock, to, seq++, 5000, TRUE, 15, FALSE, 160);
  run_for (200);
  g_assert_cmpstr (log.digits->str, ==, "7*");
  g_assert_cmpuint (g_array_index (log.durations, guint, 0), ==, 60);
  g_assert_cmpuint (g_array_index (log.durations, guint, 1), ==, 50);
  /* 'D' still running: reported at stop */
  net_sip_rtp_session_stop (b);
  g_assert_cmpstr (log.digits->str, ==, "7*D");
  g_assert_cmpuint (g_array_index (log.durations, guint, 2), ==, 20);
  g_assert_cmpint (g_array_index (log.methods, NetSipDtmfMethod, 2), ==, NET_SIP_DTMF_METHOD_RFC4733);
  /* events do not count as audio: nothing for the jitter */
  g_assert_false (b->rx.have_transit);
  dtmf_log_clear (&log);
}

/* The detector alone: every digit in both laws, through G.711, with
 * a quiet tone (-30 dB) too; no digit in
 * silence, a single tone, or noise. */
static void
test_dtmf_detector (void)
{
  const char *digits = "0123456789*#ABCD";
  gint16 pcm[160];
  guint8 enc[160];
  GRand *rand = g_rand_new_with_seed (3);

  for (const char *d = digits; *d; d++)
    for (guint law = 0; law < 2; law++)
      {
        NetSipDtmfTone tone;
        guint pt = law ? NET_SIP_CODEC_PCMA : NET_SIP_CODEC_PCMU;

        net_sip_dtmf_tone_init (&tone, *d, 7000);
        net_sip_dtmf_tone_fill (&tone, pcm, 160);
        net_sip_g711_encode (pt, pcm, enc, 160);
        net_sip_g711_decode (pt, enc, pcm, 160);
        g_assert_cmpint (net_sip_dtmf_detect_frame (pcm, 160), ==, *d);
        /* quieter (-30 dB) still detected */
        net_sip_dtmf_tone_init (&tone, *d, 250);
        net_sip_dtmf_tone_fill (&tone, pcm, 160);
        g_assert_cmpint (net_sip_dtmf_detect_frame (pcm, 160), ==, *d);
      }

  /* silence, noise, one frequency */
  memset (pcm, 0, sizeof pcm);
  g_assert_cmpint (net_sip_dtmf_detect_frame (pcm, 160), ==, '\0');
  for (guint i = 0; i < 160; i++)
    pcm[i] = (gint16) g_rand_int_range (rand, -8000, 8000);
  g_assert_cmpint (net_sip_dtmf_detect_frame (pcm, 160), ==, '\0');
  {
    NetSipDtmfTone tone;
    net_sip_dtmf_tone_init (&tone, '5', 7000);
    tone.s1[1] = tone.s2[1] = 0;        /* the column oscillator silenced */
    net_sip_dtmf_tone_fill (&tone, pcm, 160);
    g_assert_cmpint (net_sip_dtmf_detect_frame (pcm, 160), ==, '\0');
  }
  g_rand_free (rand);

  /* durations: 3 frames of '9', then silence */
  {
    NetSipDtmfDetector det;
    NetSipDtmfTone tone;
    guint ms = 0;

    net_sip_dtmf_detector_init (&det);
    net_sip_dtmf_tone_init (&tone, '9', 7000);
    for (guint f = 0; f < 3; f++)
      {
        net_sip_dtmf_tone_fill (&tone, pcm, 160);
        g_assert_cmpint (net_sip_dtmf_detector_feed (&det, pcm, 160, &ms), ==, '\0');
      }
    memset (pcm, 0, sizeof pcm);
    g_assert_cmpint (net_sip_dtmf_detector_feed (&det, pcm, 160, &ms), ==, '9');
    g_assert_cmpuint (ms, ==, 60);
    /* one frame (20 ms) is below the minimum */
    net_sip_dtmf_tone_fill (&tone, pcm, 160);
    g_assert_cmpint (net_sip_dtmf_detector_feed (&det, pcm, 160, &ms), ==, '\0');
    memset (pcm, 0, sizeof pcm);
    g_assert_cmpint (net_sip_dtmf_detector_feed (&det, pcm, 160, &ms), ==, '\0');
  }
}

/* ---------------------------------------------------------------------- */
/* RTCP and statistics */

static gboolean
skip_cb (gpointer user_data)
{
  net_sip_rtp_session_skip_sequence_numbers (user_data, 3);
  return G_SOURCE_REMOVE;
}

/* a -> b with 3 sequence numbers left out: b counts 3 lost (RFC 3550
 * A.3), reports it in its RR, a reads it back. */
static void
test_rtcp_loss (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  const gsize len = 160 * 10;
  g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, len);
  g_autofree char *src = write_temp_file (audio, len);
  guint64 a_rtcp_sent, b_rtcp_sent, a_rtcp_received, b_rtcp_received;
  gint64 deadline;
  double jitter;

  negotiate (a, b);
  g_object_set (a, "rtcp-interval", 200, NULL);
  g_object_set (b, "rtcp-interval", 200, NULL);
  g_assert_true (net_sip_rtp_session_send_file (a, src, NET_SIP_CODEC_PCMU, TRUE, &error));
  net_sip_rtp_session_start (b);
  net_sip_rtp_session_start (a);
  g_timeout_add (300, skip_cb, a);

  deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
  while ((net_sip_rtp_session_get_remote_packets_lost (a) != 3
          || net_sip_rtp_session_get_packets_lost (b) != 3)
         && g_get_monotonic_time () < deadline)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (net_sip_rtp_session_get_packets_lost (b), ==, 3);
  g_assert_cmpint (net_sip_rtp_session_get_remote_packets_lost (a), ==, 3);
  g_object_get (a, "rtcp-sent", &a_rtcp_sent, "rtcp-received", &a_rtcp_received, NULL);
  g_object_get (b, "rtcp-sent", &b_rtcp_sent, "rtcp-received", &b_rtcp_received, NULL);
  g_assert_cmpuint (a_rtcp_sent, >=, 1);
  g_assert_cmpuint (b_rtcp_sent, >=, 1);
  g_assert_cmpuint (a_rtcp_received, >=, 1);
  g_assert_cmpuint (b_rtcp_received, >=, 1);
  /* b received what a sent but the 3 */
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (b), <=,
                    net_sip_rtp_session_get_packets_sent (a));
  /* a paced stream on loopback: little jitter */
  g_object_get (b, "jitter-ms", &jitter, NULL);
  g_test_message ("jitter on loopback %.3f ms", jitter);
  g_assert_cmpfloat (jitter, >=, 0.0);
  g_assert_cmpfloat (jitter, <, 20.0);
  net_sip_rtp_session_stop (a);
  net_sip_rtp_session_stop (b);
  g_unlink (src);
}

/* Irregular arrival (10/30 ms gaps for 20 ms of audio each) gives
 * jitter (RFC 3550 A.8); sequence gaps give loss. */
static void
test_rtp_receive_stats (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocket) sock = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (b));
  guint8 p[12 + 160];
  guint sent = 0;
  double jitter;

  memset (p, 0xff, sizeof p);
  for (guint i = 0; i < 40; i++)
    {
      guint16 seq = (guint16) (65530 + i);      /* wraps around */
      guint32 ts = 1000 + 160 * i;

      if (i == 5 || i == 6 || i == 20)
        continue;                               /* lost */
      p[0] = 0x80;
      p[1] = 0;
      p[2] = (guint8) (seq >> 8);
      p[3] = (guint8) seq;
      p[4] = (guint8) (ts >> 24);
      p[5] = (guint8) (ts >> 16);
      p[6] = (guint8) (ts >> 8);
      p[7] = (guint8) ts;
      p[8] = 1; p[9] = 2; p[10] = 3; p[11] = 4;
      g_socket_send_to (sock, to, (const char *) p, sizeof p, NULL, &error);
      g_assert_no_error (error);
      sent++;
      run_for (i % 2 ? 30 : 10);
    }
  run_for (50);
  g_assert_cmpuint (net_sip_rtp_session_get_packets_received (b), ==, sent);
  g_assert_cmpint (net_sip_rtp_session_get_packets_lost (b), ==, 3);
  g_object_get (b, "jitter-ms", &jitter, NULL);
  g_test_message ("jitter %.3f ms", jitter);
  /* |D| = 10 ms each packet: the estimate approaches 10 ms */
  g_assert_cmpfloat (jitter, >, 3.0);
  g_assert_cmpfloat (jitter, <, 25.0);
}

static guint32
rd32 (const guint8 *p)
{
  return (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3];
}

/* Walks a compound RTCP packet: the types in order into types[], returns
 * their number; offsets[] where each starts. */
static guint
rtcp_walk (const guint8 *buf, gsize len, guint *types, gsize *offsets, guint max)
{
  gsize off = 0;
  guint n = 0;

  while (off + 4 <= len && n < max)
    {
      gsize plen = ((gsize) (buf[off + 2] << 8 | buf[off + 3]) + 1) * 4;

      g_assert_cmpint (buf[off] >> 6, ==, 2);
      g_assert_cmpuint (off + plen, <=, len);
      types[n] = buf[off + 1];
      offsets[n] = off;
      n++;
      off += plen;
    }
  g_assert_cmpuint (off, ==, len);
  return n;
}

static gssize
receive_bounded (GSocket *sock, guint8 *buf, gsize size, guint ms)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) ms * 1000;
  g_autoptr(GError) error = NULL;

  while (g_get_monotonic_time () < deadline)
    {
      if (g_socket_condition_check (sock, G_IO_IN) & G_IO_IN)
        {
          gssize n = g_socket_receive (sock, (char *) buf, size, NULL, &error);
          g_assert_no_error (error);
          return n;
        }
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  return -1;
}

/* Our SR (RFC 3550 §6.4.1) with sender counts and SDES CNAME, the peer's
 * RR read back, LSR echoed from its SR, BYE (§6.6) on stop. */
static void
test_rtcp_packets (void)
{
  g_autoptr(NetSipRtpSession) a = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocket) rtp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                         G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GSocket) rtcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) rtp_addr = NULL;
  g_autoptr(GSocketAddress) rtcp_addr = NULL;
  g_autoptr(GSocketAddress) a_rtcp = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (a) + 1);
  const gsize len = 160 * 10;
  g_autofree guint8 *audio = make_audio (NET_SIP_CODEC_PCMU, len);
  g_autofree char *src = write_temp_file (audio, len);
  guint8 buf[1500];
  guint types[8];
  gsize offs[8];
  gssize n;
  guint np;
  guint32 ssrc = net_sip_rtp_session_get_ssrc (a);
  guint32 packets, octets;

  g_assert_true (g_socket_bind (rtp, any, FALSE, &error));
  g_assert_true (g_socket_bind (rtcp, any, FALSE, &error));
  rtp_addr = g_socket_get_local_address (rtp, &error);
  rtcp_addr = g_socket_get_local_address (rtcp, &error);
  net_sip_rtp_session_set_remote (a, G_INET_SOCKET_ADDRESS (rtp_addr), G_INET_SOCKET_ADDRESS (rtcp_addr));
  g_object_set (a, "rtcp-interval", 300, "media-timeout", 0, NULL);
  g_assert_true (net_sip_rtp_session_send_file (a, src, NET_SIP_CODEC_PCMU, TRUE, &error));
  net_sip_rtp_session_start (a);

  /* the first report: SR (a sent), no report block (nothing received) */
  n = receive_bounded (rtcp, buf, sizeof buf, 3000);
  g_assert_cmpint (n, >, 0);
  np = rtcp_walk (buf, (gsize) n, types, offs, 8);
  g_assert_cmpuint (np, ==, 2);
  g_assert_cmpuint (types[0], ==, 200);
  g_assert_cmpuint (buf[0] & 0x1f, ==, 0);
  g_assert_cmpuint (rd32 (buf + 4), ==, ssrc);
  packets = rd32 (buf + 20);
  octets = rd32 (buf + 24);
  g_assert_cmpuint (packets, >=, 1);
  g_assert_cmpuint (octets, ==, packets * 160);
  /* NTP seconds near now (since 1900) */
  g_assert_cmpint (ABS ((gint64) rd32 (buf + 8) - (g_get_real_time () / G_USEC_PER_SEC + 2208988800LL)), <, 5);
  /* SDES CNAME of a */
  g_assert_cmpuint (types[1], ==, 202);
  g_assert_cmpuint (rd32 (buf + offs[1] + 4), ==, ssrc);
  g_assert_cmpuint (buf[offs[1] + 8], ==, 1);
  g_assert_cmpmem (buf + offs[1] + 10, buf[offs[1] + 9], a->cname, strlen (a->cname));

  /* the peer's SR with a report block about a: 7 lost, fraction 1/4 */
  {
    guint8 sr[52] = { 0x81, 200, 0, 12,  9, 9, 9, 9,
                      0xaa, 0xbb, 0xcc, 0xdd, 0x11, 0x22, 0x33, 0x44,  0, 0, 0, 0,
                      0, 0, 0, 5,  0, 0, 3, 0x20,
                      (guint8) (ssrc >> 24), (guint8) (ssrc >> 16), (guint8) (ssrc >> 8), (guint8) ssrc,
                      64, 0, 0, 7,  0, 0, 0, 50,  0, 0, 0, 3,  0, 0, 0, 0,  0, 0, 0, 0 };
    guint64 received = 0;

    g_socket_send_to (rtcp, a_rtcp, (const char *) sr, sizeof sr, NULL, &error);
    g_assert_no_error (error);
    run_for (100);
    g_object_get (a, "rtcp-received", &received, NULL);
    g_assert_cmpuint (received, ==, 1);
    g_assert_cmpint (net_sip_rtp_session_get_remote_packets_lost (a), ==, 7);
  }
  /* a negative cumulative loss (duplicates) is sign-extended */
  {
    guint8 rr[32] = { 0x81, 201, 0, 7,  9, 9, 9, 9,
                      (guint8) (ssrc >> 24), (guint8) (ssrc >> 16), (guint8) (ssrc >> 8), (guint8) ssrc,
                      0, 0xff, 0xff, 0xfe,  0, 0, 0, 50,  0, 0, 0, 3,  0, 0, 0, 0,  0, 0, 0, 0 };
    g_socket_send_to (rtcp, a_rtcp, (const char *) rr, sizeof rr, NULL, &error);
    run_for (100);
    g_assert_cmpint (net_sip_rtp_session_get_remote_packets_lost (a), ==, -2);
  }

  /* stop: a compound with BYE for a's SSRC (reports before it may be
   * queued: read until the BYE) */
  net_sip_rtp_session_stop (a);
  for (;;)
    {
      gboolean bye = FALSE;

      n = receive_bounded (rtcp, buf, sizeof buf, 2000);
      g_assert_cmpint (n, >, 0);
      np = rtcp_walk (buf, (gsize) n, types, offs, 8);
      for (guint i = 0; i < np; i++)
        if (types[i] == 203)
          {
            g_assert_cmpuint (buf[offs[i]] & 0x1f, ==, 1);
            g_assert_cmpuint (rd32 (buf + offs[i] + 4), ==, ssrc);
            g_assert_cmpuint (i, ==, np - 1);
            bye = TRUE;
          }
      if (bye)
        {
          /* first SR or RR, then SDES (§6.1) */
          g_assert_true (types[0] == 200 || types[0] == 201);
          g_assert_cmpuint (types[1], ==, 202);
          break;
        }
    }
  g_unlink (src);
}

/* An RR from a receiving-only session: a report block about the sender
 * with the LSR of its SR (RFC 3550 §6.4.1). */
static void
test_rtcp_receiver_report (void)
{
  g_autoptr(NetSipRtpSession) b = new_session ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocket) rtcp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                          G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GSocket) rtp = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM,
                                         G_SOCKET_PROTOCOL_UDP, &error);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) rtcp_addr = NULL;
  g_autoptr(GSocketAddress) rtp_addr = NULL;
  g_autoptr(GSocketAddress) b_rtp = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (b));
  g_autoptr(GSocketAddress) b_rtcp = g_inet_socket_address_new (lo, net_sip_rtp_session_get_local_port (b) + 1);
  guint8 buf[1500], pkt[12 + 160];
  guint types[8];
  gsize offs[8];
  gssize n;
  guint np;

  g_assert_true (g_socket_bind (rtcp, any, FALSE, &error));
  g_assert_true (g_socket_bind (rtp, any, FALSE, &error));
  rtcp_addr = g_socket_get_local_address (rtcp, &error);
  rtp_addr = g_socket_get_local_address (rtp, &error);
  net_sip_rtp_session_set_remote (b, G_INET_SOCKET_ADDRESS (rtp_addr), G_INET_SOCKET_ADDRESS (rtcp_addr));
  net_sip_rtp_session_set_direction (b, NET_SIP_SDP_DIRECTION_RECVONLY);
  g_object_set (b, "rtcp-interval", 300, NULL);
  net_sip_rtp_session_start (b);

  /* 10 packets from SSRC 0x01020304, seq 100..109 without 104 */
  memset (pkt, 0xff, sizeof pkt);
  for (guint i = 0; i < 10; i++)
    {
      guint16 seq = (guint16) (100 + i);
      if (i == 4)
        continue;
      pkt[0] = 0x80; pkt[1] = 0;
      pkt[2] = (guint8) (seq >> 8); pkt[3] = (guint8) seq;
      pkt[4] = 0; pkt[5] = 0; pkt[6] = (guint8) ((160 * i) >> 8); pkt[7] = (guint8) (160 * i);
      pkt[8] = 1; pkt[9] = 2; pkt[10] = 3; pkt[11] = 4;
      g_socket_send_to (rtp, b_rtp, (const char *) pkt, sizeof pkt, NULL, &error);
    }
  /* and an SR of that source: NTP 0x00001234:0x56780000 -> LSR 0x12345678 */
  {
    guint8 sr[28] = { 0x80, 200, 0, 6,  1, 2, 3, 4,  0, 0, 0x12, 0x34, 0x56, 0x78, 0, 0,
                      0, 0, 0, 0,  0, 0, 0, 9,  0, 0, 5, 0xa0 };
    g_socket_send_to (rtcp, b_rtcp, (const char *) sr, sizeof sr, NULL, &error);
  }
  run_for (50);
  g_assert_cmpint (net_sip_rtp_session_get_packets_lost (b), ==, 1);

  n = receive_bounded (rtcp, buf, sizeof buf, 3000);
  g_assert_cmpint (n, >, 0);
  np = rtcp_walk (buf, (gsize) n, types, offs, 8);
  g_assert_cmpuint (np, ==, 2);
  /* RR with one block: b did not send */
  g_assert_cmpuint (types[0], ==, 201);
  g_assert_cmpuint (buf[0] & 0x1f, ==, 1);
  g_assert_cmpuint (rd32 (buf + 4), ==, net_sip_rtp_session_get_ssrc (b));
  g_assert_cmpuint (rd32 (buf + 8), ==, 0x01020304);
  /* fraction lost 1/10 * 256 = 25, cumulative 1 */
  g_assert_cmpuint (buf[12], ==, 25);
  g_assert_cmpuint (rd32 (buf + 12) & 0xffffff, ==, 1);
  /* extended highest sequence number 109 */
  g_assert_cmpuint (rd32 (buf + 16), ==, 109);
  g_assert_cmpuint (rd32 (buf + 24), ==, 0x12345678);
  /* DLSR: the report came within 0..2 s of the SR (units of 1/65536 s) */
  g_assert_cmpuint (rd32 (buf + 28), <, 2 * 65536);
  net_sip_rtp_session_stop (b);
}

/* ---------------------------------------------------------------------- */

int
main (int argc, char *argv[])
{
  static const FileCase same_u = { NET_SIP_CODEC_PCMU, NET_SIP_CODEC_PCMU };
  static const FileCase same_a = { NET_SIP_CODEC_PCMA, NET_SIP_CODEC_PCMA };
  static const FileCase a_to_u = { NET_SIP_CODEC_PCMA, NET_SIP_CODEC_PCMU };
  static const FileCase u_to_a = { NET_SIP_CODEC_PCMU, NET_SIP_CODEC_PCMA };

  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/rtp/g711", test_g711);
  g_test_add_func ("/rtp/ports", test_ports);
  g_test_add_func ("/rtp/random-start", test_random_start);
  g_test_add_func ("/rtp/bad-arguments", test_bad_arguments);
  g_test_add_func ("/rtp/garbage", test_garbage);
  g_test_add_data_func ("/rtp/file/pcmu", &same_u, test_file_exchange);
  g_test_add_data_func ("/rtp/file/pcma", &same_a, test_file_exchange);
  g_test_add_data_func ("/rtp/file/pcma-to-pcmu", &a_to_u, test_file_exchange);
  g_test_add_data_func ("/rtp/file/pcmu-to-pcma", &u_to_a, test_file_exchange);
  g_test_add_func ("/rtp/packets", test_packets);
  g_test_add_func ("/rtp/asymmetric-ptime", test_asymmetric_ptime);
  g_test_add_func ("/rtp/echo", test_echo);
  g_test_add_func ("/rtp/media-timeout", test_media_timeout);
  g_test_add_func ("/rtp/sdp/offer", test_offer);
  g_test_add_func ("/rtp/sdp/answer-dynamic-pt", test_answer_dynamic_pt);
  g_test_add_func ("/rtp/sdp/apply-answer-pt", test_apply_answer_pt);
  g_test_add_func ("/rtp/sdp/pcma-only", test_answer_pcma_only);
  g_test_add_func ("/rtp/sdp/no-common-codec", test_answer_no_common_codec);
  g_test_add_func ("/rtp/sdp/media-order", test_answer_media_order);
  g_test_add_func ("/rtp/sdp/hold-directions", test_hold_directions);
  g_test_add_func ("/rtp/sdp/hold-stops-sending", test_hold_stops_sending);

  g_test_add_func ("/rtp/rtcp/loss", test_rtcp_loss);
  g_test_add_func ("/rtp/rtcp/receive-stats", test_rtp_receive_stats);
  g_test_add_func ("/rtp/rtcp/packets", test_rtcp_packets);
  g_test_add_func ("/rtp/rtcp/receiver-report", test_rtcp_receiver_report);

  g_test_add_func ("/rtp/dtmf/detector", test_dtmf_detector);
  g_test_add_func ("/rtp/dtmf/rfc4733-bytes", test_dtmf_rfc4733_bytes);
  g_test_add_func ("/rtp/dtmf/rfc4733-receive", test_dtmf_rfc4733_receive);
  g_test_add_func ("/rtp/dtmf/rfc4733-stop", test_dtmf_rfc4733_stop);
  for (guint m = 0; m < 2; m++)
    for (guint c = 0; c < 2; c++)
      {
        static DtmfCase cases[4];
        DtmfCase *dc = &cases[m * 2 + c];
        g_autofree char *path = NULL;

        dc->method = m ? NET_SIP_DTMF_METHOD_INBAND : NET_SIP_DTMF_METHOD_RFC4733;
        dc->codec = c ? NET_SIP_CODEC_PCMA : NET_SIP_CODEC_PCMU;
        dc->duration_ms = 100;
        path = g_strdup_printf ("/rtp/dtmf/digits/%s/%s", m ? "inband" : "rfc4733",
                                c ? "pcma" : "pcmu");
        g_test_add_data_func (path, dc, test_dtmf_digits);
      }

  return g_test_run ();
}
