/* test-rtp-dtmf-perl.c: NetSipRtpSession's DTMF against Perl Net::SIP's
 * DTMF module (libnet-sip-perl: Net::SIP::DTMF dtmf_generator and
 * dtmf_extractor) over UDP on 127.0.0.1
 *
 * tests/interop/dtmf-peer.pl is the peer: one socket, RTP every 20 ms.
 * Perl -> us: it generates the 16 digits as RFC 2833 events (at payload
 * type 101, and at 96) or as audio tones (PCMU, PCMA); our session must
 * report the same digits with the right method. Us -> Perl: our session
 * sends the 16 digits as RFC 4733 events or in-band tones (PCMU, PCMA);
 * Perl's extractor must find the same digits.
 *
 * The peer is a child process ended by its PID (g_subprocess_force_exit)
 * when the case is done, with PR_SET_PDEATHSIG in case the test aborts;
 * every wait is bounded. Skipped when perl or Net::SIP is missing.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#ifdef __linux__
#include <signal.h>
#endif

#include "netsip.h"
#include "child-process.h"

#include <glib/gstdio.h>
#include <unistd.h>

#ifndef NETSIP_INTEROP_DIR
#error "NETSIP_INTEROP_DIR must name tests/interop in the source tree"
#endif

#define DIGITS "0123456789*#ABCD"
#define PEER_SECONDS 10       /* the peer ends itself after this */
#define CASE_TIMEOUT 15       /* s: the whole case */

typedef struct {
  gboolean         to_perl;   /* we send, Perl extracts */
  NetSipDtmfMethod method;
  NetSipCodec      codec;
  int              pt;        /* telephone-event payload type */
} Case;

static char *perl_missing;

static gboolean
set_flag (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* dtmf-peer.pl with @args */
static NetSipTestChild *
peer_start (GPtrArray *args)
{
  g_ptr_array_insert (args, 0, g_build_filename (NETSIP_INTEROP_DIR, "dtmf-peer.pl", NULL));
  g_ptr_array_insert (args, 0, g_strdup ("perl"));
  return netsip_test_child_spawn_array ("dtmf-peer.pl", args);
}

/* The port of the peer's `PORT n` line; 0 before it */
static guint
peer_port (NetSipTestChild *p)
{
  g_autofree char *text = g_strconcat ("\n", p->text[0]->str, NULL);
  const char *line = strstr (text, "\nPORT ");

  return line ? (guint) g_ascii_strtoull (line + 6, NULL, 10) : 0;
}

/* The peer's DTMF lines: digits into @digits, media into @media */
static guint
peer_dtmf (NetSipTestChild *p, GString *digits, GString *media)
{
  g_auto(GStrv) lines = g_strsplit (p->text[0]->str, "\n", -1);
  guint n = 0;

  g_string_truncate (digits, 0);
  g_string_truncate (media, 0);
  for (guint i = 0; lines[i]; i++)
    {
      char digit[8], kind[16];
      guint ms;

      if (sscanf (lines[i], "DTMF %7s %u %15s", digit, &ms, kind) == 3)
        {
          g_string_append (digits, digit);
          g_string_append_printf (media, "%s ", kind);
          n++;
        }
    }
  return n;
}

typedef struct {
  GString *digits;
  GArray  *durations;
  GArray  *methods;
} Log;

static void
on_dtmf (NetSipRtpSession *s,
         const char       *digit,
         guint             duration_ms,
         NetSipDtmfMethod  method,
         gpointer          user_data)
{
  Log *log = user_data;

  (void) s;
  g_test_message ("netsip: %s %u ms method %d", digit, duration_ms, method);
  g_string_append (log->digits, digit);
  g_array_append_val (log->durations, duration_ms);
  g_array_append_val (log->methods, method);
}

static void
test_case (gconstpointer data)
{
  const Case *c = data;
  g_autoptr(NetSipRtpSession) session = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) remote = NULL;
  g_autoptr(GString) digits = g_string_new (NULL);
  g_autoptr(GString) media = g_string_new (NULL);
  NetSipTestChild *peer;
  guint port;
  Log log;
  gboolean timed_out = FALSE;
  guint id;

  if (perl_missing)
    {
      g_test_skip (perl_missing);
      return;
    }

  log.digits = g_string_new (NULL);
  log.durations = g_array_new (FALSE, FALSE, sizeof (guint));
  log.methods = g_array_new (FALSE, FALSE, sizeof (NetSipDtmfMethod));

  session = net_sip_rtp_session_new ("127.0.0.1", 0, 0, &error);
  g_assert_no_error (error);
  g_object_set (session, "codec", c->codec, "telephone-event-payload-type", c->pt,
                "media-timeout", 0, NULL);
  g_signal_connect (session, "dtmf-received", G_CALLBACK (on_dtmf), &log);

  g_ptr_array_add (args, g_strdup_printf ("--remote=%u", net_sip_rtp_session_get_local_port (session)));
  g_ptr_array_add (args, g_strdup_printf ("--codec=%d", (int) c->codec));
  g_ptr_array_add (args, g_strdup_printf ("--pt=%d", c->pt));
  g_ptr_array_add (args, g_strdup_printf ("--time=%d", PEER_SECONDS));
  if (!c->to_perl)
    {
      g_ptr_array_add (args, g_strdup ("--send=" DIGITS));
      g_ptr_array_add (args, g_strdup_printf ("--method=%s",
                                              c->method == NET_SIP_DTMF_METHOD_RFC4733 ? "rfc2833" : "audio"));
    }
  peer = peer_start (args);

  id = g_timeout_add_seconds (CASE_TIMEOUT, set_flag, &timed_out);
  while (peer_port (peer) == 0 && !peer->exited && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  port = peer_port (peer);
  g_assert_cmpuint (port, !=, 0);

  remote = g_inet_socket_address_new (lo, (guint16) port);
  net_sip_rtp_session_set_remote (session, G_INET_SOCKET_ADDRESS (remote), NULL);
  net_sip_rtp_session_start (session);

  if (c->to_perl)
    {
      /* the call's audio: silence, which the tones replace while they
       * sound. Perl's audio extractor closes a digit only when it sees
       * a few packets (60 ms windows) without it. */
      guint8 silence[1600];
      g_autofree char *path = NULL;
      int fd = g_file_open_tmp ("netsip-silence-XXXXXX.raw", &path, &error);

      g_assert_no_error (error);
      close (fd);
      memset (silence, c->codec == NET_SIP_CODEC_PCMA ? 0xd5 : 0xff, sizeof silence);
      g_file_set_contents (path, (const char *) silence, sizeof silence, &error);
      g_assert_no_error (error);
      g_assert_true (net_sip_rtp_session_send_file (session, path, c->codec, TRUE, &error));
      g_unlink (path);
      g_assert_true (net_sip_rtp_session_send_dtmf (session, DIGITS, c->method, 100, &error));
      g_assert_no_error (error);
      while (peer_dtmf (peer, digits, media) < strlen (DIGITS) && !peer->exited && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    }
  else
    {
      while (log.digits->len < strlen (DIGITS) && !peer->exited && !timed_out)
        g_main_context_iteration (NULL, TRUE);
    }
  if (!timed_out)
    g_source_remove (id);

  net_sip_rtp_session_stop (session);
  netsip_test_child_free (peer);   /* SIGKILL to its PID if it still runs */

  if (c->to_perl)
    {
      /* Perl's extractor names the media it found it in */
      const char *kind = c->method == NET_SIP_DTMF_METHOD_RFC4733 ? "rfc2833 " : "audio ";
      g_autoptr(GString) kinds = g_string_new (NULL);

      for (guint i = 0; i < strlen (DIGITS); i++)
        g_string_append (kinds, kind);
      g_assert_cmpstr (digits->str, ==, DIGITS);
      g_assert_cmpstr (media->str, ==, kinds->str);
    }
  else
    {
      g_assert_cmpstr (log.digits->str, ==, DIGITS);
      for (guint i = 0; i < log.methods->len; i++)
        {
          guint ms = g_array_index (log.durations, guint, i);

          g_assert_cmpint (g_array_index (log.methods, NetSipDtmfMethod, i), ==,
                           c->method == NET_SIP_DTMF_METHOD_RFC4733 ? NET_SIP_DTMF_METHOD_RFC4733
                                                                    : NET_SIP_DTMF_METHOD_INBAND);
          /* 100 ms tones sent on a 20 ms tick by a script: a generous
           * window */
          g_assert_cmpuint (ms, >=, 60);
          g_assert_cmpuint (ms, <=, 200);
        }
    }

  g_string_free (log.digits, TRUE);
  g_array_unref (log.durations);
  g_array_unref (log.methods);
}

int
main (int argc, char *argv[])
{
  static const Case cases[] = {
    { FALSE, NET_SIP_DTMF_METHOD_RFC4733, NET_SIP_CODEC_PCMU, 101 },
    { FALSE, NET_SIP_DTMF_METHOD_RFC4733, NET_SIP_CODEC_PCMU, 96 },
    { FALSE, NET_SIP_DTMF_METHOD_INBAND, NET_SIP_CODEC_PCMU, 101 },
    { FALSE, NET_SIP_DTMF_METHOD_INBAND, NET_SIP_CODEC_PCMA, 101 },
    { TRUE, NET_SIP_DTMF_METHOD_RFC4733, NET_SIP_CODEC_PCMU, 101 },
    { TRUE, NET_SIP_DTMF_METHOD_RFC4733, NET_SIP_CODEC_PCMA, 118 },
    { TRUE, NET_SIP_DTMF_METHOD_INBAND, NET_SIP_CODEC_PCMU, 101 },
    { TRUE, NET_SIP_DTMF_METHOD_INBAND, NET_SIP_CODEC_PCMA, 101 },
  };
  int status = 0;
  g_autofree char *err = NULL;

  g_test_init (&argc, &argv, NULL);

  if (!g_spawn_command_line_sync ("perl -MNet::SIP::DTMF -e 1", NULL, &err, &status, NULL)
      || !g_spawn_check_wait_status (status, NULL))
    perl_missing = g_strdup_printf ("perl with Net::SIP::DTMF (libnet-sip-perl) not available: %s",
                                    err ? err : "");

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      const Case *c = &cases[i];
      g_autofree char *path = g_strdup_printf ("/rtp-dtmf-perl/%s/%s/%s/pt%d",
                                               c->to_perl ? "netsip-to-perl" : "perl-to-netsip",
                                               c->method == NET_SIP_DTMF_METHOD_RFC4733 ? "rfc4733" : "inband",
                                               c->codec == NET_SIP_CODEC_PCMA ? "pcma" : "pcmu",
                                               c->pt);
      g_test_add_data_func (path, c, test_case);
    }
  return g_test_run ();
}
