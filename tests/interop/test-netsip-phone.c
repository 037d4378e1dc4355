/* test-netsip-phone.c: the netsip-phone program (examples/netsip-phone.c)
 * run as a child process against real peers on loopback (issue 7).
 *
 * - cli: bad arguments and files end with status 2 and a message naming
 *   the option; `--help` with 0.
 * - call-perl-echo: `netsip-phone call --send F --record R` to a Perl
 *   Net::SIP UAS echoing the RTP (recv_echo): the UAS recorded exactly the
 *   file sent, netsip-phone recorded exactly the file again (the echo), the
 *   packet counts of both sides agree; netsip-phone hung up (BYE) 1 s after
 *   the file was sent and exited 0.
 * - call-perl-dtmf-rfc4733, call-perl-dtmf-inband: `--dtmf 123#` with each
 *   method; the Perl UAS detects only that method (dtmf_methods rfc2833 or
 *   audio) and reports 1, 2, 3, # in this order; its echo of the events or
 *   tones is detected by netsip-phone (`dtmf 1 method=...`).
 * - answer-perl-bye-local, answer-perl-bye-remote: a Perl Net::SIP UAC calls
 *   `netsip-phone answer --echo --record R --max-calls 1` and sends a file:
 *   the echo comes back complete (the UAC's recording equals the file, so
 *   does netsip-phone's), the counts agree; the BYE from the UAC
 *   (netsip-phone: `closed by=remote`, exit 0 after its one call), then
 *   from netsip-phone on SIGTERM (`closed by=local`, the UAC saw the BYE).
 * - answer-perl-hold: the Perl UAC puts the call on hold (re-INVITE with
 *   a=sendonly) and resumes it (a=sendrecv): netsip-phone reports
 *   `media direction=recvonly`, then `sendrecv`, sends nothing back during
 *   the hold and echoes again after it.
 * - answer-perl-hold-2543: the same with Net::SIP's own hold (c=0.0.0.0,
 *   RFC 2543) and resume (its first SDP again, o= version unchanged).
 * - answer-ring-reject: `answer --ring 0.5 --reject 486`: the Perl UAC gets
 *   180 then 486, netsip-phone reports ringing, rejected, closed with no
 *   RTP; `answer --ring 0.5 --echo`: 180 then 200 and the echo.
 * - phone-to-phone: `call --send F --duration 1` to `answer --ring 0.3
 *   --echo`: ringing, established, BYE after 1 s (about 50 packets of the
 *   3 s file), both sides count the same; a call to `answer --reject 603`
 *   ends with status 1, `closed by=remote code=603` and the response on
 *   stderr; SIGTERM while it rings: CANCEL, 487 on both sides, status 1;
 *   SIGINT during the call: BYE, status 0.
 * - sipp-pcap: sipp calls `netsip-phone answer` offering PCMA and
 *   telephone-event, checks the answer chose PCMA, plays the recorded
 *   stream of sipp's package and an RFC 2833 event: netsip-phone recorded
 *   exactly the payload of the capture, counted its packets, echoed each
 *   audio packet and reported the digit with its duration.
 * - sipp-rtp-echo: `netsip-phone call --send F --record R --dtmf 12` to
 *   sipp's built-in uas with -rtp_echo (PCMU, no telephone-event): the
 *   digits go in-band (auto), every packet comes back and is recorded, the
 *   echoed tones are detected as 1 and 2.
 * - baresip-call: `netsip-phone call --dtmf 19# --dtmf-method rfc4733` to
 *   baresip 1.0 (headless, auto-answer, a 440 Hz WAV as its microphone):
 *   what netsip-phone recorded is that tone (Goertzel), baresip logged our
 *   RTP and the end of each of the three events.
 * - baresip-answer: baresip dials `netsip-phone answer --echo` and hangs up
 *   when it quits: `closed by=remote`, every packet echoed, the recording
 *   is the 440 Hz tone.
 * - proxy-registered: netsip-proxy --registrar; `netsip-phone answer
 *   --register` registers bob; a Perl UAC calls bob's address of record
 *   through the proxy: established, the echo complete; at its end (one
 *   call) netsip-phone unregisters: a second call to bob is refused by
 *   the proxy.
 * - register: `netsip-phone register` at netsip-proxy with digest
 *   (--users): 0 and `registered` with the right password, 1 with a wrong
 *   one; with --stay, SIGTERM unregisters (`unregistered`, 0).
 * - register-perl-refresh: `register --stay --expires 2` at a Perl Net::SIP
 *   registrar with digest (tests/interop/ep-registrar.pl): the binding is
 *   refreshed (three `registered ... expires=2` lines within seconds), the
 *   registrar saw four authenticated REGISTERs with the unregistration
 *   that SIGTERM caused.
 *
 * Every child is ended by its PID (SIGTERM or SIGKILL; PR_SET_PDEATHSIG if
 * this process dies); every wait is bounded. Missing sipp, Net::SIP or
 * baresip: the tests that need them are skipped with the reason.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <signal.h>
#include <math.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "child-process.h"
#include "peer-util.h"

#define SIPP_SHARE "/usr/share/sip-tester"

static char *sipp_path;

/* ------------------------------------------------------------------ */
/* Output lines                                                        */

static gboolean
has_line (NetSipTestChild *c,
          const char      *line)
{
  g_autofree char *needle = g_strdup_printf ("\n%s\n", line);
  g_autofree char *text = g_strdup_printf ("\n%s", c->text[0]->str);

  return strstr (text, needle) != NULL;
}

#define assert_line(c, line)                                                  \
  G_STMT_START {                                                              \
    if (!has_line ((c), (line)))                                              \
      g_error ("%s: no line '%s' in its output:\n%s", (c)->name, (line),      \
               (c)->text[0]->str);                                            \
  } G_STMT_END

/* The first stdout line starting with @prefix (without the newline) */
static char *
line_with_prefix (NetSipTestChild *c,
                  const char      *prefix)
{
  g_autofree char *text = g_strdup_printf ("\n%s", c->text[0]->str);
  g_autofree char *needle = g_strdup_printf ("\n%s", prefix);
  const char *p = strstr (text, needle);

  if (p == NULL)
    return NULL;
  p++;
  return g_strndup (p, strcspn (p, "\n"));
}

/* `key=N` in @line; -1 when absent */
static gint64
value_of (const char *line,
          const char *key)
{
  g_autofree char *k = g_strdup_printf (" %s=", key);
  const char *v = line ? strstr (line, k) : NULL;

  return v ? g_ascii_strtoll (v + strlen (k), NULL, 10) : -1;
}

/* `KEY <packets> <octets>` in a Perl peer's output */
static void
peer_counts (NetSipTestChild *c,
             const char      *key,
             gint64          *packets,
             gint64          *octets)
{
  g_autofree char *line = line_with_prefix (c, key);
  char *end = NULL;

  if (line == NULL)
    g_error ("%s: no %s line in:\n%s", c->name, key, c->text[0]->str);
  *packets = g_ascii_strtoll (line + strlen (key) + 1, &end, 10);
  *octets = g_ascii_strtoll (end, NULL, 10);
}

/* The lines of @c's stdout starting with @prefix, in order, the prefix and
 * what follows the first space after the next field cut: "DTMF 1 103" ->
 * "1" */
static char *
fields_after (NetSipTestChild *c,
              const char      *prefix)
{
  g_auto(GStrv) lines = g_strsplit (c->text[0]->str, "\n", -1);
  GString *out = g_string_new (NULL);

  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], prefix))
      {
        const char *f = lines[i] + strlen (prefix);
        g_string_append_len (out, f, strcspn (f, " "));
      }
  return g_string_free (out, FALSE);
}

/* ------------------------------------------------------------------ */
/* Files                                                               */

static GBytes *
read_bytes (const char *path)
{
  g_autoptr(GError) error = NULL;
  char *data = NULL;
  gsize len = 0;

  g_file_get_contents (path, &data, &len, &error);
  g_assert_no_error (error);
  return g_bytes_new_take (data, len);
}

static void
assert_same_file (const char *got,
                  GBytes     *expected)
{
  g_autoptr(GBytes) b = read_bytes (got);

  g_test_message ("%s: %" G_GSIZE_FORMAT " bytes, expected %" G_GSIZE_FORMAT,
                  got, g_bytes_get_size (b), g_bytes_get_size (expected));
  g_assert_cmpuint (g_bytes_get_size (b), ==, g_bytes_get_size (expected));
  g_assert_true (g_bytes_equal (b, expected));
}

/* G.711 µ-law of a 16-bit sample (ITU-T G.711, the usual bias method) */
static guint8
ulaw_encode (gint16 sample)
{
  const int bias = 0x84, clip = 32635;
  int sign = (sample >> 8) & 0x80;
  int s = sample, exponent = 7, mantissa;

  if (sign)
    s = -s;
  if (s > clip)
    s = clip;
  s += bias;
  for (int mask = 0x4000; (s & mask) == 0 && exponent > 0; mask >>= 1)
    exponent--;
  mantissa = (s >> (exponent + 3)) & 0x0f;
  return (guint8) ~(sign | (exponent << 4) | mantissa);
}

/* @seconds of PCMU: a tone gliding from 300 to 900 Hz (no DTMF pair) */
static GBytes *
make_audio (double seconds)
{
  gsize n = (gsize) (seconds * 8000);
  guint8 *data = g_malloc (n);
  double phase = 0;

  for (gsize i = 0; i < n; i++)
    {
      double f = 300 + 600 * (double) i / n;
      phase += 2 * G_PI * f / 8000;
      data[i] = ulaw_encode ((gint16) (8000 * sin (phase)));
    }
  return g_bytes_new_take (data, n);
}

static guint32
le32 (const guint8 *p)
{
  guint32 v;

  memcpy (&v, p, sizeof v);   /* records are not aligned */
  return GUINT32_FROM_LE (v);
}

/* The RTP payloads of payload type @pt in a pcap file (Ethernet, IPv4,
 * UDP), concatenated; *n_packets: how many */
static GBytes *
pcap_payloads (const char *path,
               guint       pt,
               guint      *n_packets)
{
  g_autoptr(GBytes) file = read_bytes (path);
  gsize len;
  const guint8 *d = g_bytes_get_data (file, &len);
  GByteArray *out = g_byte_array_new ();
  gsize o = 24;

  *n_packets = 0;
  g_assert_cmpuint (len, >=, 24);
  g_assert_cmphex (le32 (d), ==, 0xa1b2c3d4);
  while (o + 16 <= len)
    {
      guint32 incl = le32 (d + o + 8);
      const guint8 *frame = d + o + 16;
      const guint8 *ip, *rtp;
      gsize ihl, rtp_len;

      g_assert_cmpuint (o + 16 + incl, <=, len);
      ip = frame + 14;
      ihl = (ip[0] & 0x0f) * 4;
      rtp = ip + ihl + 8;
      rtp_len = incl - 14 - ihl - 8;
      if (rtp_len > 12 && (rtp[1] & 0x7f) == pt)
        {
          g_byte_array_append (out, rtp + 12, rtp_len - 12);
          (*n_packets)++;
        }
      o += 16 + incl;
    }
  return g_byte_array_free_to_bytes (out);
}

/* ------------------------------------------------------------------ */
/* Peers                                                               */

static gboolean
have_net_sip (void)
{
  int wait_status = 0;
  return g_spawn_command_line_sync ("perl -MNet::SIP -e 1", NULL, NULL, &wait_status, NULL) &&
         g_spawn_check_wait_status (wait_status, NULL);
}

#define SKIP_WITHOUT_NET_SIP()                                                \
  G_STMT_START {                                                              \
    if (!have_net_sip ())                                                     \
      {                                                                       \
        g_test_skip ("Perl Net::SIP (Debian libnet-sip-perl) is not installed"); \
        return;                                                               \
      }                                                                       \
  } G_STMT_END

static NetSipTestChild *
start_phone (const char *const *args)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (char *) NETSIP_PHONE_PATH);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  return netsip_test_child_spawn ("netsip-phone", (const char *const *) argv->pdata);
}

/* `netsip-phone answer` and the port of its `listening on udp:127.0.0.1:N` */
static NetSipTestChild *
start_answer (const char *const *args,
              guint             *port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  NetSipTestChild *c;

  g_ptr_array_add (argv, (char *) "answer");
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  c = start_phone ((const char *const *) argv->pdata);
  netsip_test_child_wait_listening (c, 1, 20);
  *port = netsip_test_child_listening_port (c, "udp:127.0.0.1:");
  return c;
}

/* perl phone-peer.pl ARGS; for a uas, waits for READY and gives its port */
static NetSipTestChild *
start_peer (const char *const *args,
            guint             *port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  NetSipTestChild *c;

  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "phone-peer.pl", NULL));
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, g_strdup (args[i]));
  g_ptr_array_add (argv, NULL);
  c = netsip_test_child_spawn ("perl", (const char *const *) argv->pdata);
  if (port)
    {
      const char *p;
      if (!netsip_test_child_wait_text (c, 0, "READY 127.0.0.1:", 20) || !netsip_test_child_wait_text (c, 0, "\n", 1))
        {
          netsip_test_child_log (c);
          g_error ("phone-peer.pl did not start");
        }
      p = strstr (c->text[0]->str, "READY 127.0.0.1:");
      *port = (guint) g_ascii_strtoull (p + strlen ("READY 127.0.0.1:"), NULL, 10);
    }
  return c;
}

/* netsip-proxy and the port of its `listening on udp:127.0.0.1:N` */
static NetSipTestChild *
start_proxy (const char *const *args,
             guint             *port)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  NetSipTestChild *c;

  g_ptr_array_add (argv, (char *) NETSIP_PROXY_PATH);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);
  c = netsip_test_child_spawn ("netsip-proxy", (const char *const *) argv->pdata);
  netsip_test_child_wait_listening (c, 1, 20);
  *port = netsip_test_child_listening_port (c, "udp:127.0.0.1:");
  return c;
}

static void
stop_by_signal (NetSipTestChild *c,
                int              signum)
{
  g_subprocess_send_signal (c->proc, signum);
  netsip_test_child_expect_exit (c, 20, 0);
}

/* The `closed ...` line of netsip-phone, with its counts */
static char *
closed_line (NetSipTestChild *phone,
             gint64          *sent,
             gint64          *received)
{
  char *line = line_with_prefix (phone, "closed by=");

  if (line == NULL)
    g_error ("netsip-phone: no closed line in:\n%s", phone->text[0]->str);
  *sent = value_of (line, "rtp-sent");
  *received = value_of (line, "rtp-received");
  g_assert_cmpint (*sent, >=, 0);
  g_assert_cmpint (*received, >=, 0);
  return line;
}

/* ------------------------------------------------------------------ */
/* cli                                                                 */

static void
expect_usage_error (const char *const *args,
                    const char        *message)
{
  g_autoptr(NetSipTestChild) c = start_phone (args);

  g_assert_true (netsip_test_child_wait_exit (c, 20));
  g_test_message ("%s ... -> %d: %s", args[0] ? args[0] : "", c->status, c->text[1]->str);
  g_assert_cmpint (c->status, ==, 2);
  g_assert_true (g_str_has_prefix (c->text[1]->str, "netsip-phone: "));
  if (strstr (c->text[1]->str, message) == NULL)
    g_error ("expected '%s' in: %s", message, c->text[1]->str);
  /* nothing happened */
  g_assert_cmpstr (c->text[0]->str, ==, "");
}

static void
test_cli (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("netsip-phone-cli-XXXXXX", &error);
  g_autofree char *empty = NULL, *tiny = NULL, *missing = NULL, *pw = NULL, *nodir = NULL;

  g_assert_no_error (error);
  empty = netsip_test_write_file (dir, "empty-pw", "\n", -1);
  pw = netsip_test_write_file (dir, "pw", "secret\n", -1);
  tiny = netsip_test_write_file (dir, "tiny.pcmu", "\xff\xff\xff", 3);
  missing = g_build_filename (dir, "missing.pcmu", NULL);
  nodir = g_build_filename (dir, "no-such-dir", "rec.raw", NULL);

  {
    const char *a[] = { NULL };
    g_autoptr(NetSipTestChild) c = start_phone (a);
    g_assert_true (netsip_test_child_wait_exit (c, 20));
    g_assert_cmpint (c->status, ==, 2);
    g_assert_nonnull (strstr (c->text[1]->str, "usage: netsip-phone register"));
  }
  {
    const char *a[] = { "--help", NULL };
    g_autoptr(NetSipTestChild) c = start_phone (a);
    g_assert_true (netsip_test_child_wait_exit (c, 20));
    g_assert_cmpint (c->status, ==, 0);
    g_assert_nonnull (strstr (c->text[1]->str, "netsip-phone answer --listen"));
  }
  {
    const char *a[] = { "call", "--help", NULL };
    g_autoptr(NetSipTestChild) c = start_phone (a);
    g_assert_true (netsip_test_child_wait_exit (c, 20));
    g_assert_cmpint (c->status, ==, 0);
    g_assert_nonnull (strstr (c->text[0]->str, "--dtmf-method"));
  }
  {
    const char *a[] = { "dial", "sip:bob@127.0.0.1", NULL };
    expect_usage_error (a, "unknown command 'dial'");
  }
  {
    const char *a[] = { "call", "--bogus", "sip:bob@127.0.0.1", NULL };
    expect_usage_error (a, "Unknown option --bogus");
  }
  {
    const char *a[] = { "call", NULL };
    expect_usage_error (a, "no URI to call");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "sip:carol@127.0.0.1", NULL };
    expect_usage_error (a, "unexpected argument 'sip:carol@127.0.0.1'");
  }
  {
    const char *a[] = { "call", "bob at home", NULL };
    expect_usage_error (a, "bob at home is not a SIP URI");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--dtmf", "12x", NULL };
    expect_usage_error (a, "--dtmf 12x");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--dtmf", "12", "--dtmf-method", "sms", NULL };
    expect_usage_error (a, "--dtmf-method sms");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--dtmf-method", "inband", NULL };
    expect_usage_error (a, "--dtmf-method needs --dtmf");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--duration", "-3", NULL };
    expect_usage_error (a, "--duration -3");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--duration", "soon", NULL };
    expect_usage_error (a, "--duration");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--send", missing, NULL };
    expect_usage_error (a, "--send");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--send", tiny, NULL };
    expect_usage_error (a, "shorter than one 20 ms packet");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--record", nodir, NULL };
    expect_usage_error (a, "--record");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--from", "alice", NULL };
    expect_usage_error (a, "--from alice is not a SIP URI");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--user", "alice", NULL };
    expect_usage_error (a, "--user needs --password-file");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--user", "alice", "--password-file", missing, NULL };
    expect_usage_error (a, "--password-file");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--user", "alice", "--password-file", empty, NULL };
    expect_usage_error (a, "the first line is empty");
  }
  {
    const char *a[] = { "call", "sip:bob@127.0.0.1", "--listen", "sctp:127.0.0.1:0", NULL };
    expect_usage_error (a, "--listen sctp:127.0.0.1:0");
  }
  {
    const char *a[] = { "register", "--from", "sip:alice@example.test", NULL };
    expect_usage_error (a, "--registrar is required");
  }
  {
    const char *a[] = { "register", "--registrar", "sip:127.0.0.1", NULL };
    expect_usage_error (a, "--from is required");
  }
  {
    const char *a[] = { "register", "--registrar", "sip:127.0.0.1", "--from", "sip:alice@example.test",
                        "--expires", "0", NULL };
    expect_usage_error (a, "--expires 0");
  }
  {
    const char *a[] = { "register", "--registrar", "sip:127.0.0.1", "--from", "sip:alice@example.test",
                        "extra", NULL };
    expect_usage_error (a, "unexpected argument 'extra'");
  }
  {
    const char *a[] = { "answer", "--echo", NULL };
    expect_usage_error (a, "--listen is required");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--echo", "--send", pw, NULL };
    expect_usage_error (a, "--echo and --send exclude each other");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--reject", "200", NULL };
    expect_usage_error (a, "--reject 200");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--max-calls", "0", NULL };
    expect_usage_error (a, "--max-calls 0");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--ring", "-1.5", NULL };
    expect_usage_error (a, "--ring -1.5");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--register", "sip:127.0.0.1", NULL };
    expect_usage_error (a, "--register needs --from");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:0", "--user", "bob", "--password-file", pw, NULL };
    expect_usage_error (a, "go with --register");
  }
  {
    const char *a[] = { "answer", "--listen", "udp:127.0.0.1:99999", NULL };
    expect_usage_error (a, "--listen udp:127.0.0.1:99999");
  }
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* netsip-phone call -> Perl Net::SIP UAS                              */

static void
test_call_perl_echo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *audio_path = NULL, *phone_rec = NULL, *peer_rec = NULL, *to = NULL;
  g_autofree char *closed = NULL;
  g_autoptr(GBytes) audio = make_audio (2.0);   /* 100 packets */
  g_autoptr(NetSipTestChild) peer = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received, peer_p, peer_o;
  guint port = 0;

  SKIP_WITHOUT_NET_SIP ();
  dir = g_dir_make_tmp ("netsip-phone-call-XXXXXX", &error);
  g_assert_no_error (error);
  audio_path = netsip_test_write_file (dir, "audio.pcmu", g_bytes_get_data (audio, NULL),
                                       g_bytes_get_size (audio));
  phone_rec = g_build_filename (dir, "phone.rec", NULL);
  peer_rec = g_build_filename (dir, "peer.rec", NULL);
  {
    const char *a[] = { "--mode", "uas", "--record", peer_rec, "--timeout", "30", NULL };
    peer = start_peer (a, &port);
  }
  to = g_strdup_printf ("sip:echo@127.0.0.1:%u", port);
  {
    const char *a[] = { "call", to, "--listen", "udp:127.0.0.1:0", "--from", "sip:alice@example.test",
                        "--send", audio_path, "--record", phone_rec, NULL };
    phone = start_phone (a);
  }
  netsip_test_child_expect_exit (phone, 40, 0);
  netsip_test_child_expect_exit (peer, 20, 0);

  g_assert_true (g_str_has_prefix (phone->text[0]->str, "calling sip:echo@127.0.0.1:"));
  assert_line (phone, "established");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));
  g_assert_cmpint (sent, ==, 100);
  g_assert_cmpint (received, ==, sent);

  assert_line (peer, "ESTABLISHED");
  assert_line (peer, "BYE received");
  assert_line (peer, "CLOSED");
  peer_counts (peer, "RTP-RECEIVED", &peer_p, &peer_o);
  g_assert_cmpint (peer_p, ==, sent);
  g_assert_cmpint (peer_o, ==, sent * (12 + 160));
  /* what arrived at the peer is the file, and so is what came back */
  assert_same_file (peer_rec, audio);
  assert_same_file (phone_rec, audio);
  netsip_test_remove_tree (dir);
}

/* @data: "rfc4733" or "inband" */
static void
test_call_perl_dtmf (gconstpointer data)
{
  const char *method = data;
  gboolean inband = g_str_equal (method, "inband");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *silence_path = NULL, *to = NULL, *peer_digits = NULL;
  g_autofree char *phone_digits = NULL, *sending = NULL, *closed = NULL, *first = NULL;
  g_autoptr(NetSipTestChild) peer = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_auto(GStrv) lines = NULL;
  gint64 sent, received;
  guint port = 0;

  SKIP_WITHOUT_NET_SIP ();
  dir = g_dir_make_tmp ("netsip-phone-dtmf-XXXXXX", &error);
  g_assert_no_error (error);
  {
    const char *a[] = { "--mode", "uas", "--dtmf-methods", inband ? "audio" : "rfc2833",
                        "--timeout", "30", NULL };
    peer = start_peer (a, &port);
  }
  to = g_strdup_printf ("sip:echo@127.0.0.1:%u", port);
  g_ptr_array_add (args, (char *) "call");
  g_ptr_array_add (args, to);
  g_ptr_array_add (args, (char *) "--listen");
  g_ptr_array_add (args, (char *) "udp:127.0.0.1:0");
  g_ptr_array_add (args, (char *) "--dtmf");
  g_ptr_array_add (args, (char *) "123#");
  g_ptr_array_add (args, (char *) "--dtmf-method");
  g_ptr_array_add (args, (char *) method);
  if (inband)
    {
      /* tones go into a stream: 2 s of µ-law silence carry them, and the
       * silence after the last one lets the peer's detector end it */
      guint8 silence[16000];
      memset (silence, 0xff, sizeof silence);
      silence_path = netsip_test_write_file (dir, "silence.pcmu", silence, sizeof silence);
      g_ptr_array_add (args, (char *) "--send");
      g_ptr_array_add (args, silence_path);
    }
  g_ptr_array_add (args, NULL);
  phone = start_phone ((const char *const *) args->pdata);
  netsip_test_child_expect_exit (phone, 40, 0);
  netsip_test_child_expect_exit (peer, 20, 0);

  assert_line (phone, "established");
  sending = g_strdup_printf ("sending-dtmf 123# method=%s", method);
  assert_line (phone, sending);
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));

  /* the peer detected the digits with the method it was limited to */
  peer_digits = fields_after (peer, "DTMF ");
  g_assert_cmpstr (peer_digits, ==, "123#");
  lines = g_strsplit (peer->text[0]->str, "\n", -1);
  for (guint i = 0; inband && lines[i]; i++)
    if (g_str_has_prefix (lines[i], "DTMF "))
      {
        gint64 ms = g_ascii_strtoll (lines[i] + 7, NULL, 10);
        g_test_message ("peer: %s", lines[i]);
        /* 100 ms tones, measured by the peer's clock and its 60 ms
         * Goertzel windows. (Net::SIP 0.835's RFC 2833 durations are not
         * checked: its extractor stores gettimeofday() in list context,
         * the start second without its microseconds.) */
        g_assert_cmpint (ms, >=, 40);
        g_assert_cmpint (ms, <=, 300);
      }

  /* the peer's echo of them came back and was detected too */
  phone_digits = fields_after (phone, "dtmf ");
  g_assert_cmpstr (phone_digits, ==, "123#");
  first = line_with_prefix (phone, "dtmf 1 ");
  {
    g_autofree char *m = g_strdup_printf (" method=%s ", method);
    g_assert_nonnull (strstr (first, m));
  }
  if (!inband)
    {
      /* the events' own duration, echoed unchanged: 800 samples */
      g_assert_cmpstr (first, ==, "dtmf 1 method=rfc4733 duration=100ms");
    }
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* Perl Net::SIP UAC -> netsip-phone answer                            */

/* @data: "local" (the UAC hangs up) or "remote" (netsip-phone on SIGTERM) */
static void
test_answer_perl_bye (gconstpointer data)
{
  gboolean bye_by_peer = g_str_equal (data, "local");
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *audio_path = NULL, *phone_rec = NULL, *peer_rec = NULL, *to = NULL;
  g_autofree char *closed = NULL, *incoming = NULL;
  g_autoptr(GBytes) audio = make_audio (2.0);
  g_autoptr(NetSipTestChild) peer = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received, tx_p, tx_o, rx_p, rx_o;
  guint port = 0;

  SKIP_WITHOUT_NET_SIP ();
  dir = g_dir_make_tmp ("netsip-phone-answer-XXXXXX", &error);
  g_assert_no_error (error);
  audio_path = netsip_test_write_file (dir, "audio.pcmu", g_bytes_get_data (audio, NULL),
                                       g_bytes_get_size (audio));
  phone_rec = g_build_filename (dir, "phone.rec", NULL);
  peer_rec = g_build_filename (dir, "peer.rec", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--echo", "--record", phone_rec,
                        "--max-calls", "1", NULL };
    phone = start_answer (a, &port);
  }
  to = g_strdup_printf ("sip:phone@127.0.0.1:%u", port);
  {
    const char *a[] = { "--mode", "uac", "--to", to, "--file", audio_path, "--record", peer_rec,
                        "--bye", bye_by_peer ? "local" : "remote", "--timeout", "20", NULL };
    peer = start_peer (a, NULL);
  }
  if (bye_by_peer)
    {
      netsip_test_child_expect_exit (peer, 40, 0);
      /* one call and it ended: netsip-phone leaves by itself */
      netsip_test_child_expect_exit (phone, 20, 0);
      assert_line (peer, "BYE done");
    }
  else
    {
      /* everything sent; the echoes are back within a few ms on loopback */
      g_assert_true (netsip_test_child_wait_text (peer, 0, "SENT-ALL\n", 40));
      g_assert_true (netsip_test_child_wait_text (phone, 0, "established\n", 1));
      {
        gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC / 2;
        while (g_get_monotonic_time () < until)
          netsip_test_iterate ();
      }
      stop_by_signal (phone, SIGTERM);
      netsip_test_child_expect_exit (peer, 20, 0);
      assert_line (peer, "BYE received");
    }

  incoming = line_with_prefix (phone, "incoming ");
  g_assert_nonnull (incoming);
  g_assert_true (g_str_has_prefix (incoming, "incoming sip:perl@127.0.0.1"));
  g_assert_nonnull (strstr (incoming, " call-id="));
  assert_line (phone, "established");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, bye_by_peer ? "closed by=remote code=200 "
                                                       : "closed by=local code=200 "));
  assert_line (peer, "INVITE 200");
  peer_counts (peer, "RTP-SENT", &tx_p, &tx_o);
  peer_counts (peer, "RTP-RECEIVED", &rx_p, &rx_o);
  g_assert_cmpint (tx_p, ==, 100);
  /* the peer -> netsip-phone -> the peer: every packet, every octet */
  g_assert_cmpint (received, ==, tx_p);
  g_assert_cmpint (sent, ==, received);
  g_assert_cmpint (rx_p, ==, sent);
  g_assert_cmpint (rx_o, ==, tx_o);
  assert_same_file (phone_rec, audio);
  assert_same_file (peer_rec, audio);
  netsip_test_remove_tree (dir);
}

/* @data: "sendonly" (RFC 3264 hold) or "2543" (Net::SIP's call_on_hold:
 * c=0.0.0.0, RFC 2543) */
static void
test_answer_perl_hold (gconstpointer data)
{
  gboolean rfc2543 = g_str_equal (data, "2543");
  g_autofree char *to = NULL, *closed = NULL, *held = NULL, *resumed = NULL;
  g_autoptr(NetSipTestChild) peer = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received, tx_p, tx_o, rx_p, rx_o;
  const char *recvonly, *sendrecv;
  guint port = 0;

  SKIP_WITHOUT_NET_SIP ();
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--echo", "--max-calls", "1", NULL };
    phone = start_answer (a, &port);
  }
  to = g_strdup_printf ("sip:phone@127.0.0.1:%u", port);
  {
    /* 4 s: hold after 1.3 s, resumed 1 s later */
    const char *a[] = { "--mode", "uac", "--to", to, "--packets", "200",
                        rfc2543 ? "--hold-2543" : "--hold", "--timeout", "20", NULL };
    peer = start_peer (a, NULL);
  }
  netsip_test_child_expect_exit (peer, 40, 0);
  netsip_test_child_expect_exit (phone, 20, 0);

  assert_line (peer, "INVITE 200");
  assert_line (peer, "HOLD 200");
  assert_line (peer, "RESUME 200");
  /* netsip-phone answered the hold with recvonly and sent nothing */
  assert_line (peer, "RECEIVED-DURING-HOLD 0");
  held = line_with_prefix (peer, "RECEIVED-AFTER-RESUME ");
  g_assert_nonnull (held);
  /* resumed after ~2.3 s of 4: the echo of ~80 packets */
  g_assert_cmpint (g_ascii_strtoll (held + strlen ("RECEIVED-AFTER-RESUME "), NULL, 10), >=, 50);

  if (!rfc2543)
    {
      /* RFC 3264 §6.1: their sendonly, our recvonly; then sendrecv again */
      recvonly = strstr (phone->text[0]->str, "\nmedia direction=recvonly\n");
      g_assert_nonnull (recvonly);
      sendrecv = strstr (recvonly, "\nmedia direction=sendrecv\n");
      g_assert_nonnull (sendrecv);
    }

  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
  peer_counts (peer, "RTP-SENT", &tx_p, &tx_o);
  peer_counts (peer, "RTP-RECEIVED", &rx_p, &rx_o);
  g_assert_cmpint (tx_p, ==, 200);
  g_assert_cmpint (received, ==, tx_p);      /* the peer sent during the hold too */
  g_assert_cmpint (rx_p, ==, sent);          /* all netsip-phone sent arrived */
  g_assert_cmpint (sent, <, received - 30);  /* ~1 s of the echo was held back */
}

/* answer --ring, --reject with a Perl UAC: 180 then 486; 180 then 200 */
static void
test_answer_ring_reject (void)
{
  g_autofree char *to = NULL, *closed = NULL;
  gint64 sent, received;
  guint port = 0;

  SKIP_WITHOUT_NET_SIP ();
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--ring", "0.5", "--reject", "486",
                        "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) phone = start_answer (a, &port);
    g_autoptr(NetSipTestChild) peer = NULL;

    to = g_strdup_printf ("sip:phone@127.0.0.1:%u", port);
    {
      const char *b[] = { "--mode", "uac", "--to", to, "--packets", "10", "--timeout", "20", NULL };
      peer = start_peer (b, NULL);
    }
    netsip_test_child_expect_exit (peer, 40, 1);
    netsip_test_child_expect_exit (phone, 20, 0);
    assert_line (peer, "PROVISIONAL 180");
    assert_line (peer, "INVITE 486");
    assert_line (phone, "ringing 180");
    assert_line (phone, "rejected 486");
    g_assert_null (line_with_prefix (phone, "established"));
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=local code=486 "));
    g_assert_cmpint (sent, ==, 0);
    g_assert_cmpint (received, ==, 0);
  }
  g_clear_pointer (&to, g_free);
  g_clear_pointer (&closed, g_free);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--ring", "0.5", "--echo", "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) phone = start_answer (a, &port);
    g_autoptr(NetSipTestChild) peer = NULL;
    gint64 tx_p, tx_o;

    to = g_strdup_printf ("sip:phone@127.0.0.1:%u", port);
    {
      const char *b[] = { "--mode", "uac", "--to", to, "--packets", "25", "--timeout", "20", NULL };
      peer = start_peer (b, NULL);
    }
    netsip_test_child_expect_exit (peer, 40, 0);
    netsip_test_child_expect_exit (phone, 20, 0);
    assert_line (peer, "PROVISIONAL 180");
    assert_line (peer, "INVITE 200");
    assert_line (phone, "ringing 180");
    assert_line (phone, "established");
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
    peer_counts (peer, "RTP-SENT", &tx_p, &tx_o);
    g_assert_cmpint (received, ==, tx_p);
  }
}

/* netsip-phone call -> netsip-phone answer: ringing, --duration; a
 * rejected call ends with status 1 and the response on stderr */
static void
test_phone_to_phone (void)
{
  g_autofree char *to = NULL, *closed = NULL;
  gint64 sent, received, a_sent, a_received;
  guint port = 0;

  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--ring", "0.3", "--echo", "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) answer = start_answer (a, &port);
    g_autoptr(NetSipTestChild) phone = NULL;
    gint64 start, took;

    to = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
    {
      g_autoptr(GBytes) audio = make_audio (3.0);
      g_autoptr(GError) error = NULL;
      g_autofree char *dir = g_dir_make_tmp ("netsip-phone-p2p-XXXXXX", &error);
      g_autofree char *path = netsip_test_write_file (dir, "audio.pcmu", g_bytes_get_data (audio, NULL),
                                                      g_bytes_get_size (audio));
      const char *b[] = { "call", to, "--listen", "udp:127.0.0.1:0", "--send", path,
                          "--duration", "1", NULL };

      start = g_get_monotonic_time ();
      phone = start_phone (b);
      netsip_test_child_expect_exit (phone, 30, 0);
      took = g_get_monotonic_time () - start;
      netsip_test_remove_tree (dir);
    }
    netsip_test_child_expect_exit (answer, 20, 0);
    assert_line (phone, "ringing 180");
    assert_line (phone, "established");
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));
    /* --duration 1 after the answer, of a 3 s file: about 50 packets */
    g_assert_cmpint (sent, >=, 40);
    g_assert_cmpint (sent, <=, 60);
    g_assert_cmpint (took, <, 5 * G_USEC_PER_SEC);
    g_clear_pointer (&closed, g_free);
    closed = closed_line (answer, &a_sent, &a_received);
    g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
    g_assert_cmpint (a_received, ==, sent);
  }
  g_clear_pointer (&to, g_free);
  g_clear_pointer (&closed, g_free);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--reject", "603", "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) answer = start_answer (a, &port);
    g_autoptr(NetSipTestChild) phone = NULL;

    to = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
    {
      const char *b[] = { "call", to, "--listen", "udp:127.0.0.1:0", NULL };
      phone = start_phone (b);
    }
    netsip_test_child_expect_exit (phone, 30, 1);
    netsip_test_child_expect_exit (answer, 20, 0);
    assert_line (answer, "rejected 603");
    g_assert_null (line_with_prefix (phone, "established"));
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=remote code=603 "));
    if (strstr (phone->text[1]->str, "netsip-phone: call to ") == NULL ||
        strstr (phone->text[1]->str, " failed: 603 ") == NULL)
      g_error ("no failure message with the status on stderr: %s", phone->text[1]->str);
  }
  g_clear_pointer (&to, g_free);
  g_clear_pointer (&closed, g_free);
  /* SIGTERM while it rings: CANCEL (487), status 1 */
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--ring", "30", "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) answer = start_answer (a, &port);
    g_autoptr(NetSipTestChild) phone = NULL;

    to = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
    {
      const char *b[] = { "call", to, "--listen", "udp:127.0.0.1:0", NULL };
      phone = start_phone (b);
    }
    g_assert_true (netsip_test_child_wait_text (phone, 0, "ringing 180\n", 20));
    g_subprocess_send_signal (phone->proc, SIGTERM);
    netsip_test_child_expect_exit (phone, 20, 1);
    netsip_test_child_expect_exit (answer, 20, 0);
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=local code=487 "));
    g_assert_nonnull (strstr (phone->text[1]->str, "cancelled before it was answered"));
    g_clear_pointer (&closed, g_free);
    closed = closed_line (answer, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=remote code=487 "));
    g_assert_null (line_with_prefix (answer, "established"));
  }
  g_clear_pointer (&to, g_free);
  g_clear_pointer (&closed, g_free);
  /* SIGINT during the call: BYE, status 0 */
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--echo", "--max-calls", "1", NULL };
    g_autoptr(NetSipTestChild) answer = start_answer (a, &port);
    g_autoptr(NetSipTestChild) phone = NULL;

    to = g_strdup_printf ("sip:bob@127.0.0.1:%u", port);
    {
      const char *b[] = { "call", to, "--listen", "udp:127.0.0.1:0", NULL };
      phone = start_phone (b);
    }
    g_assert_true (netsip_test_child_wait_text (phone, 0, "established\n", 20));
    g_subprocess_send_signal (phone->proc, SIGINT);
    netsip_test_child_expect_exit (phone, 20, 0);
    netsip_test_child_expect_exit (answer, 20, 0);
    closed = closed_line (phone, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));
    g_clear_pointer (&closed, g_free);
    closed = closed_line (answer, &sent, &received);
    g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
  }
}

/* ------------------------------------------------------------------ */
/* sipp -> netsip-phone answer                                         */

/* A UDP port of 127.0.0.1 free at this moment (@even: and the next one) */
static guint
free_udp_port (gboolean even)
{
  for (guint attempt = 0; attempt < 100; attempt++)
    {
      g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, NULL);
      g_autoptr(GSocket) s2 = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, NULL);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      g_autoptr(GSocketAddress) next = NULL;
      guint port;

      g_assert_true (g_socket_bind (s, any, FALSE, NULL));
      bound = g_socket_get_local_address (s, NULL);
      port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
      if (!even)
        return port;
      if (port % 2 != 0 || port > 65000)
        continue;
      next = g_inet_socket_address_new (lo, port + 2);
      if (g_socket_bind (s2, next, FALSE, NULL))
        return port;
    }
  g_error ("no free UDP port pair found");
  return 0;
}

static void
test_sipp_pcap (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *phone_rec = NULL, *scenario = NULL, *remote = NULL, *closed = NULL;
  g_autofree char *pcap = NULL, *dtmf_pcap = NULL, *err_file = NULL;
  g_autoptr(GBytes) payload = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  g_autoptr(NetSipTestChild) sipp = NULL;
  gint64 sent, received;
  guint port = 0, n_audio = 0, n_dtmf = 0;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  pcap = g_build_filename (SIPP_SHARE, "g711a.pcap", NULL);
  dtmf_pcap = g_build_filename (SIPP_SHARE, "dtmf_2833_1.pcap", NULL);
  if (!g_file_test (pcap, G_FILE_TEST_EXISTS) || !g_file_test (dtmf_pcap, G_FILE_TEST_EXISTS))
    {
      g_test_skip ("sipp's captures " SIPP_SHARE "/g711a.pcap, dtmf_2833_1.pcap are missing");
      return;
    }
  payload = pcap_payloads (pcap, 8, &n_audio);
  {
    g_autoptr(GBytes) events = pcap_payloads (dtmf_pcap, 101, &n_dtmf);
  }
  g_assert_cmpuint (n_audio, ==, 236);
  g_assert_cmpuint (n_dtmf, ==, 10);

  dir = g_dir_make_tmp ("netsip-phone-sipp-XXXXXX", &error);
  g_assert_no_error (error);
  phone_rec = g_build_filename (dir, "phone.rec", NULL);
  err_file = g_build_filename (dir, "sipp-errors.log", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--echo", "--record", phone_rec,
                        "--max-calls", "1", NULL };
    phone = start_answer (a, &port);
  }
  scenario = g_build_filename (NETSIP_INTEROP_DIR, "sipp-phone-pcap.xml", NULL);
  remote = g_strdup_printf ("127.0.0.1:%u", port);
  {
    /* ports free at this moment: sipp's SIP port (its -p 0 means 5060),
     * its even media port (it binds it and +2) */
    g_autofree char *mp = g_strdup_printf ("%u", free_udp_port (TRUE));
    g_autofree char *sp = g_strdup_printf ("%u", free_udp_port (FALSE));
    {
      const char *a[] = { sipp_path, "-sf", scenario, "-i", "127.0.0.1", "-p", sp,
                          "-mi", "127.0.0.1", "-mp", mp, "-m", "1", "-timeout", "40",
                          "-timeout_error", "-nostdin", "-trace_err", "-error_file", err_file,
                          remote, NULL };
      sipp = netsip_test_child_spawn ("sipp", a);
    }
  }
  if (!netsip_test_child_wait_exit (sipp, 60))
    g_error ("sipp did not finish in 60 s");
  if (sipp->status != 0)
    {
      g_autofree char *errors = NULL;
      g_file_get_contents (err_file, &errors, NULL, NULL);
      netsip_test_child_log (phone);
      g_error ("sipp exited with %d; its errors:\n%s", sipp->status, errors ? errors : "(none)");
    }
  netsip_test_child_expect_exit (phone, 20, 0);

  assert_line (phone, "established");
  /* the RFC 2833 event of the capture: digit 1, 2240 samples */
  assert_line (phone, "dtmf 1 method=rfc4733 duration=280ms");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
  /* every packet of both captures */
  g_assert_cmpint (received, ==, n_audio + n_dtmf);
  /* --echo: each audio packet (30 ms of PCMA) back, the events not */
  g_assert_cmpint (sent, ==, n_audio);
  /* the audio payload as sent, the events not written */
  assert_same_file (phone_rec, payload);
  netsip_test_remove_tree (dir);
}

/* netsip-phone call -> sipp's built-in uas with -rtp_echo: its answer has
 * PCMU only, so --dtmf (auto) goes in-band; the echo comes back complete
 * and the echoed tones are detected */
/* Waits until @peer has bound UDP @port on 127.0.0.1 (peers that print
 * nothing when they are ready); fails after 10 s or if it ended */
static void
wait_port_taken (NetSipTestChild *peer,
                 guint            port)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  for (;;)
    {
      g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, NULL);
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) addr = g_inet_socket_address_new (lo, port);

      if (!g_socket_bind (s, addr, FALSE, NULL))
        return;   /* taken: the peer is there */
      g_clear_object (&s);
      if (netsip_test_child_done (peer))
        netsip_test_child_log (peer);
      g_assert_false (netsip_test_child_done (peer));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_iterate ();
    }
}

static void
test_sipp_rtp_echo (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *audio_path = NULL, *phone_rec = NULL, *to = NULL, *closed = NULL;
  g_autofree char *sp = NULL, *mp = NULL, *digits = NULL;
  g_autoptr(GBytes) audio = make_audio (2.0);
  g_autoptr(GBytes) rec = NULL;
  g_autoptr(NetSipTestChild) sipp = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received;
  guint sip_port;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-phone-sipp-echo-XXXXXX", &error);
  g_assert_no_error (error);
  audio_path = netsip_test_write_file (dir, "audio.pcmu", g_bytes_get_data (audio, NULL),
                                       g_bytes_get_size (audio));
  phone_rec = g_build_filename (dir, "phone.rec", NULL);
  sip_port = free_udp_port (FALSE);
  sp = g_strdup_printf ("%u", sip_port);
  mp = g_strdup_printf ("%u", free_udp_port (TRUE));
  {
    const char *a[] = { sipp_path, "-sn", "uas", "-rtp_echo", "-i", "127.0.0.1", "-p", sp,
                        "-mi", "127.0.0.1", "-mp", mp, "-m", "1", "-timeout", "40",
                        "-timeout_error", "-nostdin", NULL };
    sipp = netsip_test_child_spawn ("sipp", a);
  }
  /* sipp prints nothing when it is ready: wait for its SIP port */
  wait_port_taken (sipp, sip_port);
  to = g_strdup_printf ("sip:sipp@127.0.0.1:%u", sip_port);
  {
    const char *a[] = { "call", to, "--listen", "udp:127.0.0.1:0", "--send", audio_path,
                        "--record", phone_rec, "--dtmf", "12", NULL };
    phone = start_phone (a);
  }
  netsip_test_child_expect_exit (phone, 40, 0);
  netsip_test_child_expect_exit (sipp, 20, 0);

  assert_line (phone, "established");
  assert_line (phone, "sending-dtmf 12 method=inband");
  digits = fields_after (phone, "dtmf ");
  g_assert_cmpstr (digits, ==, "12");
  g_assert_nonnull (strstr (phone->text[0]->str, "\ndtmf 1 method=inband "));
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));
  /* the file's 100 packets at least (the tones may add theirs) */
  g_assert_cmpint (sent, >=, 100);
  g_assert_cmpint (received, ==, sent);
  rec = read_bytes (phone_rec);
  g_assert_cmpuint (g_bytes_get_size (rec), ==, (gsize) received * 160);
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* baresip (Debian baresip-core), a softphone, headless                */

static char *baresip_path;

/* G.711 µ-law to linear (ITU-T G.711) */
static gint16
ulaw_decode (guint8 u)
{
  int t;

  u = ~u;
  t = ((u & 0x0f) << 3) + 0x84;
  t <<= (u & 0x70) >> 4;
  return (gint16) ((u & 0x80) ? 0x84 - t : t - 0x84);
}

/* The power of @freq Hz in @pcmu (8 kHz), Goertzel over the whole of it,
 * relative to the signal's total power: about 1 for a pure tone at @freq,
 * near 0 when it is absent */
static double
tone_share (GBytes *pcmu,
            double  freq)
{
  gsize n = 0;
  const guint8 *u = g_bytes_get_data (pcmu, &n);
  double coeff = 2 * cos (2 * G_PI * freq / 8000), s1 = 0, s2 = 0, total = 0;

  if (n == 0)
    return 0;
  for (gsize i = 0; i < n; i++)
    {
      double x = ulaw_decode (u[i]);
      double s0 = x + coeff * s1 - s2;
      s2 = s1;
      s1 = s0;
      total += x * x;
    }
  if (total == 0)
    return 0;
  return (s1 * s1 + s2 * s2 - coeff * s1 * s2) / (total * n / 2.0);
}

/* A 440 Hz tone as an 8 kHz mono 16-bit WAV file: baresip's audio source */
static char *
write_tone_wav (const char *dir,
                double      seconds)
{
  guint32 n = (guint32) (seconds * 8000), data_len = n * 2;
  g_autoptr(GByteArray) wav = g_byte_array_new ();
  guint32 v32;
  guint16 v16;

#define PUT(p, len) g_byte_array_append (wav, (const guint8 *) (p), (len))
  PUT ("RIFF", 4); v32 = GUINT32_TO_LE (36 + data_len); PUT (&v32, 4);
  PUT ("WAVEfmt ", 8); v32 = GUINT32_TO_LE (16); PUT (&v32, 4);
  v16 = GUINT16_TO_LE (1); PUT (&v16, 2);            /* PCM */
  v16 = GUINT16_TO_LE (1); PUT (&v16, 2);            /* mono */
  v32 = GUINT32_TO_LE (8000); PUT (&v32, 4);
  v32 = GUINT32_TO_LE (16000); PUT (&v32, 4);         /* bytes per second */
  v16 = GUINT16_TO_LE (2); PUT (&v16, 2);            /* block align */
  v16 = GUINT16_TO_LE (16); PUT (&v16, 2);           /* bits */
  PUT ("data", 4); v32 = GUINT32_TO_LE (data_len); PUT (&v32, 4);
  for (guint32 i = 0; i < n; i++)
    {
      gint16 x = (gint16) (8000 * sin (2 * G_PI * 440 * i / 8000.0));
      v16 = GUINT16_TO_LE ((guint16) x);
      PUT (&v16, 2);
    }
#undef PUT
  return netsip_test_write_file (dir, "tone.wav", wav->data, wav->len);
}

/* baresip with its configuration in @dir: SIP on 127.0.0.1:@sip_port, the
 * account bob answering every call at once, a 440 Hz WAV as microphone,
 * G.711 only; it quits by itself after @seconds */
static NetSipTestChild *
start_baresip (const char        *dir,
               guint              sip_port,
               guint              seconds,
               const char *const *commands)
{
  g_autofree char *tone = write_tone_wav (dir, 10);
  guint rtp = free_udp_port (TRUE);
  g_autofree char *config = g_strdup_printf (
    "poll_method epoll\n"
    "sip_listen 127.0.0.1:%u\n"
    "net_interface 127.0.0.1\n"
    "rtp_ports %u-%u\n"
    "audio_source aufile,%s\n"
    "audio_player aufile,/dev/null\n"
    "audio_alert aufile,/dev/null\n"
    "module_path /usr/lib/baresip/modules\n"
    "module g711.so\n"
    "module aufile.so\n"
    "module_app account.so\n"
    "module_app menu.so\n"
    "module_tmp uuid.so\n", sip_port, rtp, rtp + 20, tone);
  g_autofree char *accounts = g_strdup_printf (
    "<sip:bob@127.0.0.1:%u>;regint=0;answermode=auto;audio_codecs=PCMU/8000/1,PCMA/8000/1\n",
    sip_port);
  g_autofree char *t = g_strdup_printf ("%u", seconds);
  g_autofree char *p1 = netsip_test_write_file (dir, "config", config, strlen (config));
  g_autofree char *p2 = netsip_test_write_file (dir, "accounts", accounts, strlen (accounts));
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  NetSipTestChild *c;

  g_ptr_array_add (argv, baresip_path);
  g_ptr_array_add (argv, (char *) "-f");
  g_ptr_array_add (argv, (char *) dir);
  g_ptr_array_add (argv, (char *) "-t");
  g_ptr_array_add (argv, t);
  for (guint i = 0; commands && commands[i]; i++)
    {
      g_ptr_array_add (argv, (char *) "-e");
      g_ptr_array_add (argv, (char *) commands[i]);
    }
  g_ptr_array_add (argv, NULL);
  c = netsip_test_child_spawn ("baresip", (const char *const *) argv->pdata);
  if (commands == NULL)
    wait_port_taken (c, sip_port);
  return c;
}

#define SKIP_WITHOUT_BARESIP()                                                \
  G_STMT_START {                                                              \
    if (baresip_path == NULL)                                                 \
      {                                                                       \
        g_test_skip ("baresip (Debian baresip-core) is not installed");       \
        return;                                                               \
      }                                                                       \
  } G_STMT_END

/* netsip-phone calls baresip: baresip answers, sends its 440 Hz tone and
 * reports our RFC 4733 digits; we record the tone */
static void
test_baresip_call (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *audio_path = NULL, *rec_path = NULL, *to = NULL, *closed = NULL;
  g_autoptr(GBytes) audio = make_audio (2.0);
  g_autoptr(GBytes) rec = NULL;
  g_autoptr(NetSipTestChild) baresip = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received;
  guint sip_port;
  double share;

  SKIP_WITHOUT_BARESIP ();
  dir = g_dir_make_tmp ("netsip-phone-baresip-XXXXXX", &error);
  g_assert_no_error (error);
  audio_path = netsip_test_write_file (dir, "audio.pcmu", g_bytes_get_data (audio, NULL),
                                       g_bytes_get_size (audio));
  rec_path = g_build_filename (dir, "phone.rec", NULL);
  sip_port = free_udp_port (FALSE);
  baresip = start_baresip (dir, sip_port, 30, NULL);

  to = g_strdup_printf ("sip:bob@127.0.0.1:%u", sip_port);
  {
    const char *a[] = { "call", to, "--listen", "udp:127.0.0.1:0", "--send", audio_path,
                        "--record", rec_path, "--dtmf", "19#", "--dtmf-method", "rfc4733",
                        "--duration", "3", NULL };
    phone = start_phone (a);
  }
  netsip_test_child_expect_exit (phone, 30, 0);
  assert_line (phone, "established");
  assert_line (phone, "sending-dtmf 19# method=rfc4733");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=local code=200 "));
  /* our file (100 packets) and the events went out; baresip's tone came
   * for the 3 s of the call */
  g_assert_cmpint (sent, >=, 100);
  g_assert_cmpint (received, >=, 100);
  rec = read_bytes (rec_path);
  g_assert_cmpuint (g_bytes_get_size (rec), ==, (gsize) received * 160);
  share = tone_share (rec, 440);
  g_test_message ("440 Hz share of what baresip sent: %.3f (500 Hz: %.3f)", share, tone_share (rec, 500));
  g_assert_cmpfloat (share, >, 0.3);
  g_assert_cmpfloat (tone_share (rec, 500), <, 0.05);

  /* baresip saw the call, our RTP and each digit's end (it logs on
   * stdout or stderr depending on the line) */
  {
    gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;
    while (!strstr (baresip->text[0]->str, "terminated") && !strstr (baresip->text[1]->str, "terminated"))
      {
        g_assert_false (netsip_test_child_done (baresip));
        g_assert_cmpint (g_get_monotonic_time (), <, deadline);
        netsip_test_iterate ();
      }
  }
  {
    g_autofree char *all = g_strconcat (baresip->text[0]->str, baresip->text[1]->str, NULL);
    g_assert_nonnull (strstr (all, "Call established"));
    g_assert_nonnull (strstr (all, "incoming rtp for 'audio' established"));
    g_assert_nonnull (strstr (all, "received event: '1' (end=1)"));
    g_assert_nonnull (strstr (all, "received event: '9' (end=1)"));
    g_assert_nonnull (strstr (all, "received event: '#' (end=1)"));
  }
  netsip_test_remove_tree (dir);
}

/* baresip calls `netsip-phone answer --echo`, and hangs up when it quits
 * (BYE): the tone is recorded and echoed packet for packet */
static void
test_baresip_answer (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *rec_path = NULL, *dial = NULL, *closed = NULL;
  g_autoptr(GBytes) rec = NULL;
  g_autoptr(NetSipTestChild) baresip = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  gint64 sent, received;
  guint port;

  SKIP_WITHOUT_BARESIP ();
  dir = g_dir_make_tmp ("netsip-phone-baresip-answer-XXXXXX", &error);
  g_assert_no_error (error);
  rec_path = g_build_filename (dir, "phone.rec", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--echo", "--record", rec_path,
                        "--max-calls", "1", NULL };
    phone = start_answer (a, &port);
  }
  dial = g_strdup_printf ("/dial sip:alice@127.0.0.1:%u", port);
  {
    const char *commands[] = { dial, NULL };
    baresip = start_baresip (dir, free_udp_port (FALSE), 4, commands);
  }
  netsip_test_child_expect_exit (baresip, 20, 0);
  netsip_test_child_expect_exit (phone, 20, 0);
  g_assert_nonnull (strstr (phone->text[0]->str, "\nincoming sip:bob@127.0.0.1:"));
  assert_line (phone, "established");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
  /* 4 s of 20 ms packets, every one echoed */
  g_assert_cmpint (received, >=, 100);
  g_assert_cmpint (sent, ==, received);
  rec = read_bytes (rec_path);
  g_assert_cmpuint (g_bytes_get_size (rec), ==, (gsize) received * 160);
  g_assert_cmpfloat (tone_share (rec, 440), >, 0.3);
  {
    g_autofree char *all = g_strconcat (baresip->text[0]->str, baresip->text[1]->str, NULL);
    g_assert_nonnull (strstr (all, "incoming rtp for 'audio' established"));
  }
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* through netsip-proxy                                                */

static void
test_proxy_registered (void)
{
  g_autofree char *registrar = NULL, *proxy_addr = NULL, *closed = NULL, *invite = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  g_autoptr(NetSipTestChild) peer = NULL;
  g_autoptr(NetSipTestChild) again = NULL;
  gint64 sent, received, tx_p, tx_o, rx_p, rx_o;
  guint proxy_port = 0, phone_port = 0;

  SKIP_WITHOUT_NET_SIP ();
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.test", NULL };
    proxy = start_proxy (a, &proxy_port);
  }
  registrar = g_strdup_printf ("sip:127.0.0.1:%u", proxy_port);
  proxy_addr = g_strdup_printf ("127.0.0.1:%u", proxy_port);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--register", registrar,
                        "--from", "sip:bob@example.test", "--echo", "--max-calls", "1", NULL };
    phone = start_answer (a, &phone_port);
  }
  if (!netsip_test_child_wait_text (phone, 0, "registered sip:bob@example.test expires=", 20))
    {
      netsip_test_child_log (phone);
      g_error ("netsip-phone did not register");
    }
  {
    const char *a[] = { "--mode", "uac", "--proxy", proxy_addr, "--to", "sip:bob@example.test",
                        "--packets", "100", "--timeout", "20", NULL };
    peer = start_peer (a, NULL);
  }
  netsip_test_child_expect_exit (peer, 40, 0);
  /* its one call ended: netsip-phone unregisters and leaves */
  netsip_test_child_expect_exit (phone, 20, 0);

  assert_line (peer, "INVITE 200");
  assert_line (peer, "BYE done");
  assert_line (phone, "registered sip:bob@example.test expires=300");
  assert_line (phone, "established");
  assert_line (phone, "unregistered sip:bob@example.test");
  closed = closed_line (phone, &sent, &received);
  g_assert_true (g_str_has_prefix (closed, "closed by=remote code=200 "));
  peer_counts (peer, "RTP-SENT", &tx_p, &tx_o);
  peer_counts (peer, "RTP-RECEIVED", &rx_p, &rx_o);
  g_assert_cmpint (tx_p, ==, 100);
  g_assert_cmpint (received, ==, tx_p);
  g_assert_cmpint (sent, ==, received);
  g_assert_cmpint (rx_p, ==, sent);
  g_assert_cmpint (rx_o, ==, tx_o);

  /* unregistered: the proxy knows bob no more */
  {
    const char *a[] = { "--mode", "uac", "--proxy", proxy_addr, "--to", "sip:bob@example.test",
                        "--packets", "10", "--timeout", "20", NULL };
    again = start_peer (a, NULL);
  }
  netsip_test_child_expect_exit (again, 40, 1);
  invite = line_with_prefix (again, "INVITE ");
  g_assert_nonnull (invite);
  g_assert_true (g_str_has_prefix (invite, "INVITE 4"));
  stop_by_signal (proxy, SIGTERM);
}

static void
test_register (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *users = NULL, *pw = NULL, *bad_pw = NULL, *registrar = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  guint proxy_port = 0;

  dir = g_dir_make_tmp ("netsip-phone-register-XXXXXX", &error);
  g_assert_no_error (error);
  users = netsip_test_write_file (dir, "users.txt", "alice:secret-a\n", -1);
  pw = netsip_test_write_file (dir, "pw", "secret-a\n", -1);
  bad_pw = netsip_test_write_file (dir, "bad-pw", "guessed\n", -1);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.test",
                        "--users", users, "--realm", "example.test", NULL };
    proxy = start_proxy (a, &proxy_port);
  }
  registrar = g_strdup_printf ("sip:127.0.0.1:%u", proxy_port);

  /* digest (401) answered: registered, status 0 */
  {
    const char *a[] = { "register", "--registrar", registrar, "--from", "sip:alice@example.test",
                        "--user", "alice", "--password-file", pw, "--expires", "120", NULL };
    g_autoptr(NetSipTestChild) phone = start_phone (a);
    netsip_test_child_expect_exit (phone, 40, 0);
    assert_line (phone, "registered sip:alice@example.test expires=120");
  }
  /* a wrong password: status 1 and why */
  {
    const char *a[] = { "register", "--registrar", registrar, "--from", "sip:alice@example.test",
                        "--user", "alice", "--password-file", bad_pw, NULL };
    g_autoptr(NetSipTestChild) phone = start_phone (a);
    g_autofree char *failed = NULL;

    netsip_test_child_expect_exit (phone, 40, 1);
    failed = line_with_prefix (phone, "registration-failed sip:alice@example.test");
    g_assert_null (line_with_prefix (phone, "registered "));
    g_assert_nonnull (failed);
    g_assert_nonnull (strstr (phone->text[1]->str, "netsip-phone: registration of sip:alice@example.test"));
  }
  /* --stay: refreshed until SIGTERM, then unregistered */
  {
    const char *a[] = { "register", "--registrar", registrar, "--from", "sip:alice@example.test",
                        "--user", "alice", "--password-file", pw, "--stay", NULL };
    g_autoptr(NetSipTestChild) phone = start_phone (a);
    g_assert_true (netsip_test_child_wait_text (phone, 0, "registered sip:alice@example.test expires=300\n", 20));
    stop_by_signal (phone, SIGTERM);
    assert_line (phone, "unregistered sip:alice@example.test");
  }
  stop_by_signal (proxy, SIGTERM);
  netsip_test_remove_tree (dir);
}

/* register --stay --expires 2 at a Perl Net::SIP registrar with digest:
 * refreshed every second (half the granted time), unregistered on SIGTERM */
static void
test_register_perl_refresh (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *pw = NULL, *registrar_uri = NULL;
  g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(NetSipTestChild) registrar = NULL;
  g_autoptr(NetSipTestChild) phone = NULL;
  g_auto(GStrv) lines = NULL;
  guint n_registered = 0, n_auth = 0, port;
  const char *ready;
  /* the REGISTER, two refreshes and the unregistration, with credentials */
  const char *const reg_args[] = { "--port", "0", "--user", "alice", "--password", "secret-a",
                                   "--count", "4", "--timeout", "30", NULL };

  SKIP_WITHOUT_NET_SIP ();
  dir = g_dir_make_tmp ("netsip-phone-refresh-XXXXXX", &error);
  g_assert_no_error (error);
  pw = netsip_test_write_file (dir, "pw", "secret-a\n", -1);
  g_ptr_array_add (argv, g_strdup ("perl"));
  g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, "ep-registrar.pl", NULL));
  for (guint i = 0; reg_args[i]; i++)
    g_ptr_array_add (argv, g_strdup (reg_args[i]));
  g_ptr_array_add (argv, NULL);
  registrar = netsip_test_child_spawn ("perl registrar", (const char *const *) argv->pdata);
  g_assert_true (netsip_test_child_wait_text (registrar, 0, "READY ", 20));
  g_assert_true (netsip_test_child_wait_text (registrar, 0, "\n", 1));
  ready = strstr (registrar->text[0]->str, "READY ");
  port = (guint) g_ascii_strtoull (ready + 6, NULL, 10);
  registrar_uri = g_strdup_printf ("sip:127.0.0.1:%u", port);
  {
    const char *a[] = { "register", "--registrar", registrar_uri, "--from", "sip:alice@netsip.test",
                        "--user", "alice", "--password-file", pw, "--expires", "2", "--stay",
                        "--listen", "udp:127.0.0.1:0", NULL };
    phone = start_phone (a);
  }
  {
    gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;
    const char *line = "registered sip:alice@netsip.test expires=2\n";

    for (;;)
      {
        guint n = 0;
        for (const char *p = phone->text[0]->str; (p = strstr (p, line)); p++)
          n++;
        if (n >= 3)
          break;
        if (netsip_test_child_done (phone) || g_get_monotonic_time () > deadline)
          {
            netsip_test_child_log (phone);
            netsip_test_child_log (registrar);
            g_error ("netsip-phone did not refresh its binding twice");
          }
        netsip_test_iterate ();
      }
  }
  stop_by_signal (phone, SIGTERM);
  netsip_test_child_expect_exit (registrar, 20, 0);

  lines = g_strsplit (phone->text[0]->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_equal (lines[i], "registered sip:alice@netsip.test expires=2"))
      n_registered++;
  g_assert_cmpuint (n_registered, >=, 3);
  assert_line (phone, "unregistered sip:alice@netsip.test");
  g_clear_pointer (&lines, g_strfreev);
  lines = g_strsplit (registrar->text[0]->str, "\n", -1);
  for (guint i = 0; lines[i]; i++)
    if (g_str_has_prefix (lines[i], "REQUEST REGISTER ") && strstr (lines[i], " auth "))
      n_auth++;
  g_assert_cmpuint (n_auth, ==, 4);
  assert_line (registrar, "DONE 4");
  netsip_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sipp_path = g_find_program_in_path ("sipp");
  baresip_path = g_find_program_in_path ("baresip");

  g_test_add_func ("/netsip-phone/cli", test_cli);
  g_test_add_func ("/netsip-phone/call-perl-echo", test_call_perl_echo);
  g_test_add_data_func ("/netsip-phone/call-perl-dtmf-rfc4733", "rfc4733", test_call_perl_dtmf);
  g_test_add_data_func ("/netsip-phone/call-perl-dtmf-inband", "inband", test_call_perl_dtmf);
  g_test_add_data_func ("/netsip-phone/answer-perl-bye-local", "local", test_answer_perl_bye);
  g_test_add_data_func ("/netsip-phone/answer-perl-bye-remote", "remote", test_answer_perl_bye);
  g_test_add_data_func ("/netsip-phone/answer-perl-hold", "sendonly", test_answer_perl_hold);
  g_test_add_data_func ("/netsip-phone/answer-perl-hold-2543", "2543", test_answer_perl_hold);
  g_test_add_func ("/netsip-phone/answer-ring-reject", test_answer_ring_reject);
  g_test_add_func ("/netsip-phone/phone-to-phone", test_phone_to_phone);
  g_test_add_func ("/netsip-phone/sipp-pcap", test_sipp_pcap);
  g_test_add_func ("/netsip-phone/sipp-rtp-echo", test_sipp_rtp_echo);
  g_test_add_func ("/netsip-phone/baresip-call", test_baresip_call);
  g_test_add_func ("/netsip-phone/baresip-answer", test_baresip_answer);
  g_test_add_func ("/netsip-phone/proxy-registered", test_proxy_registered);
  g_test_add_func ("/netsip-phone/register", test_register);
  g_test_add_func ("/netsip-phone/register-perl-refresh", test_register_perl_refresh);
  {
    int status = g_test_run ();
    g_free (sipp_path);
    return status;
  }
}
