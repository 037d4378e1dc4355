/* test-netsip-proxy-parts.c: netsip-proxy (examples/netsip-proxy.c) as a
 * child process, checked from outside with real peers and raw datagrams
 * (issue 6, "Real peers in the tests" and "Acceptance").
 *
 * - rfc4475: the RFC 4475 accept-app / reject-validation messages of
 *   tests/corpus/torture/ are sent raw over UDP from a socket of this test
 *   to `netsip-proxy --registrar --bindings-db F`. Only the transport and
 *   sent-by of the top Via are replaced by this socket's address (so the
 *   answer can come back here; unkscm's TCP and bext01's TLS Via become
 *   UDP; the rest of each message is byte-exact). The outcomes asserted are
 *   first checked against MANIFEST.tsv (verdict and must_do).
 *   zeromf 483, unkscm 416, bext01 420 with Unsupported naming the two
 *   Proxy-Require option tags (and not the Require ones), insuf, multi01,
 *   mcl01 400. cparam01, cparam02, regescrt get 200, and a REGISTER query
 *   (no Contact, RFC 3261 §10.2.3) for their address of record lists the
 *   binding with the URI the MANIFEST says: cparam01 without `unknownparam`
 *   in the URI (kept as a contact parameter), cparam02 with it inside <>
 *   (equal to cparam01's URI by RFC 3261 §19.1.4, so it updates that one
 *   binding), regescrt with the escaped Route header. bcast (a 200 whose second Via is 255.255.255.255), its top Via
 *   made the proxy's own: nothing comes back within 2 s, while the same
 *   response with the second Via naming this socket does come back (so the
 *   silence is the broadcast check, not a response the proxy ignores).
 * - restart: `--registrar --domain example.com --bindings-db F`; sipp
 *   registers 1000 addresses of record (tests/interop/sipp-register-csv.xml
 *   with a CSV injection file, -m 1000) whose contacts are a sipp uas;
 *   kill -9 (SIGKILL) of the proxy by PID; a second netsip-proxy on the same
 *   file; the lookups are checked by calls: sipp calls each of the 1000
 *   addresses of record through the new proxy (tests/interop/
 *   sipp-call-csv.xml, -rsa the proxy); all 1000 calls must reach the uas
 *   and complete (an address the proxy cannot look up fails the call; an
 *   INVITE for an address nobody registered gets an error, as a control).
 *   Then a REGISTER query (no Contact) for each of the 1000 returns 200 with
 *   its one contact (the uas) and a remaining expiry in (3000, 3600].
 * - acceptance: exactly `netsip-proxy --listen udp:127.0.0.1:PORT
 *   --registrar --users users.txt` (a free PORT instead of 5060, no other
 *   flag): sipp's REGISTER scenario with [authentication] (MD5,
 *   tests/interop/sipp-auth-register.xml) registers, and sipp calls through
 *   it to a sipp uas (tests/interop/sipp-proxy-auth-call.xml: the proxy
 *   challenges INVITE and BYE with 407).
 *
 * The program is NETSIP_PROXY_PATH (the build's), or $NETSIP_PROXY if set.
 * Every child is ended by its PID (SIGTERM, SIGKILL; PR_SET_PDEATHSIG if
 * this process dies); every wait is bounded. No sipp: the tests needing it
 * are skipped.
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <string.h>
#include <signal.h>

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "child-process.h"
#include "peer-util.h"

static char *sipp_path;
static const char *proxy_path;

/* ------------------------------------------------------------------ */
/* netsip-proxy                                                        */

/* Starts netsip-proxy and waits for its @n_legs `listening on` lines */
static NetSipTestChild *
start_proxy (const char *const *args,
             guint              n_legs)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  NetSipTestChild *c;

  g_ptr_array_add (argv, (char *) proxy_path);
  for (guint i = 0; args[i]; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  c = netsip_test_child_spawn_array (NULL, argv);
  netsip_test_child_wait_listening (c, n_legs, 20);
  return c;
}

static void
stop_proxy (NetSipTestChild *c)
{
  g_subprocess_send_signal (c->proc, SIGTERM);
  g_assert_true (netsip_test_child_wait_exit (c, 20));
  g_assert_cmpint (c->signal, ==, 0);
  g_assert_cmpint (c->status, ==, 0);
}


/* ------------------------------------------------------------------ */
/* Raw datagrams                                                       */

static GSocket *
udp_socket (guint *port)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) local = NULL;
  GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_DATAGRAM, 0, &error);

  g_assert_no_error (error);
  g_assert_true (g_socket_bind (s, any, FALSE, &error));
  g_assert_no_error (error);
  local = g_socket_get_local_address (s, &error);
  g_assert_no_error (error);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local));
  return s;
}

/* Sends @len octets to 127.0.0.1:@port and waits at most @seconds for one
 * datagram: its text, or NULL when none came. */
static char *
exchange (GSocket    *s,
          guint       port,
          const char *data,
          gsize       len,
          guint       seconds)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) to = g_inet_socket_address_new (lo, port);
  char buffer[65536];
  gssize n;

  g_assert_cmpint (g_socket_send_to (s, to, data, len, NULL, &error), ==, (gssize) len);
  g_assert_no_error (error);
  g_socket_set_timeout (s, seconds);
  n = g_socket_receive (s, buffer, sizeof buffer - 1, NULL, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return NULL;
  g_assert_no_error (error);
  buffer[n] = '\0';
  return g_strdup (buffer);
}

/* The message @text with the transport and sent-by of its @nth Via header
 * (0: the first Via line, `Via:` or `v:`) replaced by `SIP/2.0/UDP @sent_by`;
 * its parameters stay. */
static GString *
rewrite_via (const char *text,
             gsize       len,
             guint       nth,
             const char *sent_by)
{
  GString *out = g_string_new_len (text, len);
  gsize pos = 0;
  guint seen = 0;

  while (pos < out->len)
    {
      const char *line = out->str + pos;
      const char *eol = strstr (line, "\r\n");
      gsize name_len = g_ascii_strncasecmp (line, "Via:", 4) == 0 ? 4 :
                       g_ascii_strncasecmp (line, "v:", 2) == 0 ? 2 : 0;

      g_assert_nonnull (eol);
      if (eol == line)
        break;                  /* end of the headers */
      if (name_len && seen++ == nth)
        {
          const char *semi = memchr (line, ';', eol - line);
          gsize start = pos + name_len;
          gsize end = semi ? (gsize) (semi - out->str) : (gsize) (eol - out->str);
          g_autofree char *value = g_strdup_printf (" SIP/2.0/UDP %s", sent_by);

          g_string_erase (out, start, end - start);
          g_string_insert (out, start, value);
          return out;
        }
      pos = eol + 2 - out->str;
    }
  g_assert_not_reached ();
}

static GString *
torture_message (const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/torture/%s.sip", NETSIP_TEST_CORPUS, name);
  g_autofree char *text = NULL;
  gsize len;

  g_file_get_contents (path, &text, &len, &error);
  g_assert_no_error (error);
  return g_string_new_len (text, len);
}

/* The MANIFEST.tsv row of @name agrees with what this test asserts: its
 * verdict is @verdict and its must_do names @expect (a status code, or
 * words such as "drop") */
static void
check_manifest (const char *name,
                const char *verdict,
                const char *expect)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf ("%s/torture/MANIFEST.tsv", NETSIP_TEST_CORPUS);
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;
  gboolean found = FALSE;

  g_file_get_contents (path, &text, NULL, &error);
  g_assert_no_error (error);
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 1; lines[i]; i++)
    {
      g_auto(GStrv) f = g_strsplit (lines[i], "\t", -1);

      if (g_strv_length (f) < 5 || !g_str_equal (f[0], name))
        continue;
      g_assert_cmpstr (f[3], ==, verdict);
      g_assert_nonnull (strstr (f[4], expect));
      found = TRUE;
    }
  g_assert_true (found);
}

static guint
status_of (const char *response)
{
  g_assert_nonnull (response);
  g_assert_true (g_str_has_prefix (response, "SIP/2.0 "));
  return (guint) g_ascii_strtoull (response + 8, NULL, 10);
}

/* The values of every header @name (or its compact form @compact) of
 * @response, in order, each as one string (a header with several
 * comma-separated values stays one string). */
static GPtrArray *
header_values (const char *response,
               const char *name,
               const char *compact)
{
  GPtrArray *values = g_ptr_array_new_with_free_func (g_free);
  g_auto(GStrv) lines = g_strsplit (response, "\r\n", -1);

  for (guint i = 1; lines[i] && *lines[i]; i++)
    {
      const char *colon = strchr (lines[i], ':');
      g_autofree char *hname = NULL;

      if (colon == NULL)
        continue;
      hname = g_strstrip (g_strndup (lines[i], colon - lines[i]));
      if (g_ascii_strcasecmp (hname, name) == 0 ||
          (compact && g_ascii_strcasecmp (hname, compact) == 0))
        g_ptr_array_add (values, g_strstrip (g_strdup (colon + 1)));
    }
  return values;
}

/* The contacts of a REGISTER 200, one per element, split at the commas
 * between them (none of the URIs here has a comma) */
static GPtrArray *
contacts_of (const char *response)
{
  g_autoptr(GPtrArray) headers = header_values (response, "Contact", "m");
  GPtrArray *contacts = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < headers->len; i++)
    {
      g_auto(GStrv) parts = g_strsplit (g_ptr_array_index (headers, i), ",", -1);
      for (guint j = 0; parts[j]; j++)
        g_ptr_array_add (contacts, g_strstrip (g_strdup (parts[j])));
    }
  return contacts;
}

/* The URI inside <> of a contact (name-addr form), or NULL */
static char *
contact_uri (const char *contact)
{
  const char *lt = strchr (contact, '<');
  const char *gt = lt ? strchr (lt, '>') : NULL;

  return gt ? g_strndup (lt + 1, gt - lt - 1) : NULL;
}

/* A REGISTER query for sip:@user@example.com from this test's socket */
static char *
register_query (GSocket    *s,
                guint       local_port,
                guint       proxy_port_n,
                const char *user)
{
  static guint counter;
  guint n = ++counter;
  g_autofree char *request = g_strdup_printf (
    "REGISTER sip:example.com SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKparts-query-%u\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:%s@example.com>;tag=q%u\r\n"
    "To: <sip:%s@example.com>\r\n"
    "Call-ID: parts-query-%u@127.0.0.1\r\n"
    "CSeq: 1 REGISTER\r\n"
    "Content-Length: 0\r\n\r\n", local_port, n, user, n, user, n);

  return exchange (s, proxy_port_n, request, strlen (request), 3);
}

/* Sends torture message @name (top Via: this socket) and returns the answer */
static char *
send_torture (GSocket    *s,
              guint       local_port,
              guint       proxy_port_n,
              const char *name)
{
  g_autoptr(GString) text = torture_message (name);
  g_autofree char *sent_by = g_strdup_printf ("127.0.0.1:%u", local_port);
  g_autoptr(GString) msg = rewrite_via (text->str, text->len, 0, sent_by);
  char *response = exchange (s, proxy_port_n, msg->str, msg->len, 3);

  g_test_message ("%s -> %s", name, response ? response : "(nothing)");
  return response;
}

static void
expect_status (GSocket    *s,
               guint       local_port,
               guint       proxy_port_n,
               const char *name,
               guint       status)
{
  g_autofree char *response = send_torture (s, local_port, proxy_port_n, name);

  g_assert_nonnull (response);
  g_assert_cmpuint (status_of (response), ==, status);
}

/* The one binding of @user whose URI is @uri, after a REGISTER query */
static void
expect_binding (GSocket    *s,
                guint       local_port,
                guint       proxy_port_n,
                const char *user,
                const char *uri,
                guint       n_bindings,
                char      **contact_out)
{
  g_autofree char *response = register_query (s, local_port, proxy_port_n, user);
  g_autoptr(GPtrArray) contacts = NULL;
  guint found = 0;

  g_test_message ("query %s -> %s", user, response ? response : "(nothing)");
  g_assert_cmpuint (status_of (response), ==, 200);
  contacts = contacts_of (response);
  g_assert_cmpuint (contacts->len, ==, n_bindings);
  for (guint i = 0; i < contacts->len; i++)
    {
      g_autofree char *u = contact_uri (g_ptr_array_index (contacts, i));

      g_assert_nonnull (u);
      /* the escapes may come back in either case (RFC 3986 §2.1) */
      if (g_ascii_strcasecmp (u, uri) == 0)
        {
          found++;
          if (contact_out)
            *contact_out = g_strdup (g_ptr_array_index (contacts, i));
        }
    }
  g_assert_cmpuint (found, ==, 1);
}

static void
test_rfc4475 (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("netsip-proxy-parts-XXXXXX", &error);
  g_autofree char *db = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(GSocket) s = NULL;
  g_autofree char *response = NULL;
  g_autofree char *contact = NULL;
  g_autoptr(GPtrArray) unsupported = NULL;
  guint port, pport;

  g_assert_no_error (error);
  db = g_build_filename (dir, "bindings.db", NULL);
  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--bindings-db", db, NULL };
    proxy = start_proxy (a, 1);
  }
  pport = netsip_test_child_listening_port (proxy, "udp:127.0.0.1:");
  s = udp_socket (&port);

  /* what MANIFEST.tsv says each message gets */
  check_manifest ("zeromf", "accept-app", "483");
  check_manifest ("unkscm", "accept-app", "416");
  check_manifest ("bext01", "accept-app", "420");
  check_manifest ("bext01", "accept-app", "Proxy-Require (proxy)");
  check_manifest ("insuf", "reject-validation", "400");
  check_manifest ("multi01", "reject-validation", "400");
  /* mcl01: "respond with an error"; reject-validation means 400 (README) */
  check_manifest ("mcl01", "reject-validation", "respond with an error");
  check_manifest ("cparam01", "accept-app", "registration succeeds and the binding URI must not contain unknownparam");
  check_manifest ("cparam02", "accept-app", "stored binding keeps it as a url-parameter");
  check_manifest ("regescrt", "accept-app", "binding keeps the escaped Route header in the contact URI");
  check_manifest ("bcast", "accept-app", "a proxy must NOT forward a response to the broadcast address");

  /* §3.3.11: Max-Forwards 0 at a proxy: 483, not forwarded */
  expect_status (s, port, pport, "zeromf", 483);
  /* §3.3.2: a Request-URI scheme it cannot route: 416 */
  expect_status (s, port, pport, "unkscm", 416);
  /* §3.3.5: a proxy answers 420 with Unsupported listing the Proxy-Require
   * option tags; Require is for the UAS */
  response = send_torture (s, port, pport, "bext01");
  g_assert_cmpuint (status_of (response), ==, 420);
  unsupported = header_values (response, "Unsupported", NULL);
  {
    g_autoptr(GString) all = g_string_new (NULL);
    for (guint i = 0; i < unsupported->len; i++)
      g_string_append_printf (all, "%s,", (char *) g_ptr_array_index (unsupported, i));
    g_assert_nonnull (strstr (all->str, "noProxiesSupportThis"));
    g_assert_nonnull (strstr (all->str, "norDoAnyProxiesSupportThis"));
    g_assert_null (strstr (all->str, "nothingSupportsThis"));
  }
  g_clear_pointer (&response, g_free);

  /* §3.3.1, §3.3.8, §3.3.9: 400 */
  expect_status (s, port, pport, "insuf", 400);
  expect_status (s, port, pport, "multi01", 400);
  expect_status (s, port, pport, "mcl01", 400);

  /* §3.3.12: addr-spec Contact: ;unknownparam is a contact parameter, the
   * binding's URI has no unknownparam */
  expect_status (s, port, pport, "cparam01", 200);
  expect_binding (s, port, pport, "watson", "sip:+19725552222@gw1.example.net", 1, &contact);
  g_test_message ("cparam01 binding: %s", contact);
  /* the contact parameter is kept outside the URI */
  g_assert_true (g_str_has_suffix (contact, ";unknownparam") || strstr (contact, ";unknownparam;"));
  g_clear_pointer (&contact, g_free);
  /* §3.3.13: inside <> it is a URI parameter and stays one. The two URIs
   * are equal by RFC 3261 §19.1.4 (a uri-parameter in only one of them is
   * ignored), so this REGISTER (another Call-ID, §10.3 step 7) updates the
   * one binding, whose URI is now the new one */
  expect_status (s, port, pport, "cparam02", 200);
  expect_binding (s, port, pport, "watson", "sip:+19725552222@gw1.example.net;unknownparam", 1, &contact);
  g_test_message ("cparam02 binding: %s", contact);
  g_assert_true (g_str_has_prefix (contact, "<sip:+19725552222@gw1.example.net;unknownparam>"));
  /* §3.3.14: the escaped Route header stays in the contact URI */
  expect_status (s, port, pport, "regescrt", 200);
  expect_binding (s, port, pport, "user", "sip:user@example.com?Route=%3Csip:sip.example.com%3E", 1, NULL);

  /* §3.3.10: a response whose next Via is 255.255.255.255 is dropped. The
   * top Via is made the proxy's own (as if it had forwarded the request). */
  {
    g_autoptr(GString) text = torture_message ("bcast");
    g_autofree char *proxy_via = g_strdup_printf ("127.0.0.1:%u", pport);
    g_autofree char *own_via = g_strdup_printf ("127.0.0.1:%u", port);
    g_autoptr(GString) bcast = rewrite_via (text->str, text->len, 0, proxy_via);
    g_autoptr(GString) control = rewrite_via (bcast->str, bcast->len, 1, own_via);
    g_autofree char *dropped = NULL;
    g_autofree char *forwarded = NULL;

    g_assert_nonnull (strstr (bcast->str, "Via: SIP/2.0/UDP 255.255.255.255;"));
    dropped = exchange (s, pport, bcast->str, bcast->len, 2);
    g_test_message ("bcast -> %s", dropped ? dropped : "(nothing)");
    g_assert_null (dropped);
    /* control: the same response with the second Via naming this socket is
     * forwarded here (the proxy does forward such responses) */
    forwarded = exchange (s, pport, control->str, control->len, 3);
    g_test_message ("bcast control -> %s", forwarded ? forwarded : "(nothing)");
    g_assert_nonnull (forwarded);
    g_assert_cmpuint (status_of (forwarded), ==, 200);
    g_assert_nonnull (strstr (forwarded, "bcast.0384840201234ksdfak3j2erwedfsASdf"));
    g_assert_null (strstr (forwarded, proxy_via));
  }

  stop_proxy (proxy);
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* sipp                                                                */

/* sipp with the common options: scenario @scenario (a file in
 * tests/interop/ or `-sn NAME` when it has no `.xml`), local port @port,
 * -m @calls, statistics in @dir/@name.csv, errors in @dir/@name-errors.log */
static GPtrArray *
sipp_argv (const char *dir,
           const char *name,
           const char *scenario,
           guint       port,
           guint       calls)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (sipp_path));
  if (g_str_has_suffix (scenario, ".xml"))
    {
      g_ptr_array_add (argv, g_strdup ("-sf"));
      g_ptr_array_add (argv, g_build_filename (NETSIP_INTEROP_DIR, scenario, NULL));
    }
  else
    {
      g_ptr_array_add (argv, g_strdup ("-sn"));
      g_ptr_array_add (argv, g_strdup (scenario));
    }
  g_ptr_array_add (argv, g_strdup ("-i"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1"));
  g_ptr_array_add (argv, g_strdup ("-p"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", port));
  g_ptr_array_add (argv, g_strdup ("-mp"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM)));
  g_ptr_array_add (argv, g_strdup ("-m"));
  g_ptr_array_add (argv, g_strdup_printf ("%u", calls));
  g_ptr_array_add (argv, g_strdup ("-timeout"));
  g_ptr_array_add (argv, g_strdup ("90s"));
  g_ptr_array_add (argv, g_strdup ("-timeout_error"));
  g_ptr_array_add (argv, g_strdup ("-recv_timeout"));
  g_ptr_array_add (argv, g_strdup ("10000"));
  g_ptr_array_add (argv, g_strdup ("-nostdin"));
  g_ptr_array_add (argv, g_strdup ("-trace_stat"));
  g_ptr_array_add (argv, g_strdup ("-stf"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s.csv", dir, name));
  g_ptr_array_add (argv, g_strdup ("-fd"));
  g_ptr_array_add (argv, g_strdup ("1"));
  g_ptr_array_add (argv, g_strdup ("-trace_err"));
  g_ptr_array_add (argv, g_strdup ("-error_file"));
  g_ptr_array_add (argv, g_strdup_printf ("%s/%s-errors.log", dir, name));
  return argv;
}

/* sipp ended with 0, its statistics count @n successful calls, none failed
 * and no unexpected message */
static void
check_sipp (NetSipTestChild *c,
            const char      *dir,
            const char      *name,
            gint64           n)
{
  g_autofree char *stat = g_strdup_printf ("%s/%s.csv", dir, name);
  g_autofree char *err_path = g_strdup_printf ("%s/%s-errors.log", dir, name);
  g_autofree char *errors = NULL;

  g_test_message ("%s: exit %d signal %d, successful %" G_GINT64_FORMAT ", failed %" G_GINT64_FORMAT
                  ", unexpected %" G_GINT64_FORMAT, name, c->status, c->signal,
                  netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), netsip_test_sipp_stat (stat, "FailedCall(C)"),
                  netsip_test_sipp_stat (stat, "FailedUnexpectedMessage(C)"));
  if (g_file_get_contents (err_path, &errors, NULL, NULL) && *errors)
    g_test_message ("%s: %.3000s", err_path, errors);
  g_assert_cmpint (c->status, ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "SuccessfulCall(C)"), ==, n);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedCall(C)"), ==, 0);
  g_assert_cmpint (netsip_test_sipp_stat (stat, "FailedUnexpectedMessage(C)"), ==, 0);
}

/* Starts sipp's built-in uas on @port for @calls calls and waits (bounded)
 * until its port is bound */
static NetSipTestChild *
start_uas (const char *dir,
           guint       port,
           guint       calls)
{
  g_autoptr(GPtrArray) argv = sipp_argv (dir, "uas", "uas", port, calls);
  NetSipTestChild *uas = netsip_test_child_spawn_array (NULL, argv);
  gint64 deadline = g_get_monotonic_time () + 15 * G_USEC_PER_SEC;

  while (!netsip_test_port_bound (port, G_SOCKET_TYPE_DATAGRAM))
    {
      g_assert_false (netsip_test_child_done (uas));
      g_assert_cmpint (g_get_monotonic_time (), <, deadline);
      netsip_test_iterate ();
    }
  return uas;
}

/* ------------------------------------------------------------------ */
/* restart                                                             */

#define N_AORS 1000

static void
test_restart (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *db = NULL, *reg_csv = NULL, *call_csv = NULL;
  g_autoptr(GString) reg_lines = g_string_new ("SEQUENTIAL\n");
  g_autoptr(GString) call_lines = g_string_new ("SEQUENTIAL\n");
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) again = NULL;
  g_autoptr(NetSipTestChild) reg = NULL;
  g_autoptr(NetSipTestChild) uas = NULL;
  g_autoptr(NetSipTestChild) uac = NULL;
  guint uas_port;
  GPid pid;

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-restart-XXXXXX", &error);
  g_assert_no_error (error);
  db = g_build_filename (dir, "bindings.db", NULL);
  uas_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  /* the contacts of all users are the uas started after the restart */
  for (guint i = 1; i <= N_AORS; i++)
    {
      g_string_append_printf (reg_lines, "aor%04u;127.0.0.1:%u\n", i, uas_port);
      g_string_append_printf (call_lines, "aor%04u\n", i);
    }
  g_free (netsip_test_write_file (dir, "register.inf", reg_lines->str, -1));
  g_free (netsip_test_write_file (dir, "call.inf", call_lines->str, -1));
  reg_csv = g_build_filename (dir, "register.inf", NULL);
  call_csv = g_build_filename (dir, "call.inf", NULL);

  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.com",
                        "--bindings-db", db, NULL };
    proxy = start_proxy (a, 1);
  }
  argv = sipp_argv (dir, "register", "sipp-register-csv.xml", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM), N_AORS);
  g_ptr_array_add (argv, g_strdup ("-inf"));
  g_ptr_array_add (argv, g_strdup (reg_csv));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup ("250"));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup ("50"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (proxy, "udp:127.0.0.1:")));
  reg = netsip_test_child_spawn_array (NULL, argv);
  g_clear_pointer (&argv, g_ptr_array_unref);
  g_assert_true (netsip_test_child_wait_exit (reg, 120));
  check_sipp (reg, dir, "register", N_AORS);

  /* all 1000 acknowledged with 200: kill -9, by the PID */
  pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (proxy->proc), NULL, 10);
  g_assert_cmpint (pid, >, 1);
  g_test_message ("kill -9 %d", (int) pid);
  g_assert_cmpint (kill (pid, SIGKILL), ==, 0);
  g_assert_true (netsip_test_child_wait_exit (proxy, 20));
  g_assert_cmpint (proxy->signal, ==, SIGKILL);

  {
    const char *a[] = { "--listen", "udp:127.0.0.1:0", "--registrar", "--domain", "example.com",
                        "--bindings-db", db, NULL };
    again = start_proxy (a, 1);
  }
  /* control: an address of record nobody registered is not routed (so a
   * call below completes only through the registrar's lookup) */
  {
    guint local;
    g_autoptr(GSocket) s = udp_socket (&local);
    g_autofree char *invite = g_strdup_printf (
      "INVITE sip:nobody@example.com SIP/2.0\r\n"
      "Via: SIP/2.0/UDP 127.0.0.1:%u;branch=z9hG4bKparts-nobody\r\n"
      "Max-Forwards: 70\r\n"
      "From: <sip:caller@127.0.0.1:%u>;tag=nobody\r\n"
      "To: <sip:nobody@example.com>\r\n"
      "Call-ID: parts-nobody@127.0.0.1\r\n"
      "CSeq: 1 INVITE\r\n"
      "Contact: <sip:caller@127.0.0.1:%u>\r\n"
      "Content-Length: 0\r\n\r\n", local, local, local);
    g_autofree char *response = exchange (s, netsip_test_child_listening_port (again, "udp:127.0.0.1:"), invite,
                                          strlen (invite), 5);

    g_test_message ("INVITE sip:nobody@example.com -> %s", response ? response : "(nothing)");
    g_assert_cmpuint (status_of (response), >=, 400);
  }

  uas = start_uas (dir, uas_port, N_AORS);
  argv = sipp_argv (dir, "call", "sipp-call-csv.xml", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM), N_AORS);
  g_ptr_array_add (argv, g_strdup ("-inf"));
  g_ptr_array_add (argv, g_strdup (call_csv));
  g_ptr_array_add (argv, g_strdup ("-r"));
  g_ptr_array_add (argv, g_strdup ("200"));
  g_ptr_array_add (argv, g_strdup ("-l"));
  g_ptr_array_add (argv, g_strdup ("200"));
  g_ptr_array_add (argv, g_strdup ("-rsa"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (again, "udp:127.0.0.1:")));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", netsip_test_child_listening_port (again, "udp:127.0.0.1:")));
  uac = netsip_test_child_spawn_array (NULL, argv);
  netsip_test_child_wait_exit (uac, 120);
  netsip_test_child_wait_exit (uas, 20);
  /* every address of record was found: 1000 calls through the new proxy
   * reached the uas (its contact) and completed */
  check_sipp (uac, dir, "call", N_AORS);
  check_sipp (uas, dir, "uas", N_AORS);

  /* and each binding, asked by a REGISTER query (no Contact: it changes
   * nothing, RFC 3261 §10.2.3), is the one registered before the kill with
   * its remaining expiry */
  {
    guint local;
    g_autoptr(GSocket) s = udp_socket (&local);
    g_autofree char *uri = NULL;

    for (guint i = 1; i <= N_AORS; i++)
      {
        g_autofree char *user = g_strdup_printf ("aor%04u", i);
        g_autofree char *expected = g_strdup_printf ("sip:%s@127.0.0.1:%u", user, uas_port);
        g_autofree char *response = register_query (s, local, netsip_test_child_listening_port (again, "udp:127.0.0.1:"), user);
        g_autoptr(GPtrArray) contacts = NULL;
        const char *expires;
        gint64 seconds;

        if (response == NULL || !g_str_has_prefix (response, "SIP/2.0 200 "))
          g_test_message ("query %s -> %s", user, response ? response : "(nothing)");
        g_assert_cmpuint (status_of (response), ==, 200);
        contacts = contacts_of (response);
        g_assert_cmpuint (contacts->len, ==, 1);
        g_clear_pointer (&uri, g_free);
        uri = contact_uri (g_ptr_array_index (contacts, 0));
        g_assert_cmpstr (uri, ==, expected);
        expires = strstr (g_ptr_array_index (contacts, 0), ";expires=");
        g_assert_nonnull (expires);
        seconds = g_ascii_strtoll (expires + 9, NULL, 10);
        g_assert_cmpint (seconds, >, 3000);
        g_assert_cmpint (seconds, <=, 3600);
      }
  }
  stop_proxy (again);
  netsip_test_remove_tree (dir);
}

/* ------------------------------------------------------------------ */
/* acceptance                                                          */

#define N_ACCEPT 20

static void
test_acceptance (void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = NULL, *users = NULL, *listen = NULL, *line = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  g_autoptr(NetSipTestChild) proxy = NULL;
  g_autoptr(NetSipTestChild) reg = NULL;
  g_autoptr(NetSipTestChild) uas = NULL;
  g_autoptr(NetSipTestChild) uac = NULL;
  guint port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);
  guint uas_port = netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM);

  if (sipp_path == NULL)
    {
      g_test_skip ("sipp (Debian sip-tester) is not installed");
      return;
    }
  dir = g_dir_make_tmp ("netsip-proxy-accept-XXXXXX", &error);
  g_assert_no_error (error);
  users = netsip_test_write_file (dir, "users.txt", "alice:secret-a\nbob:secret-b\n", -1);
  listen = g_strdup_printf ("udp:127.0.0.1:%u", port);
  line = g_strdup_printf ("listening on %s\n", listen);
  {
    /* the acceptance command line, nothing more */
    const char *a[] = { "--listen", listen, "--registrar", "--users", users, NULL };
    proxy = start_proxy (a, 1);
  }
  g_assert_nonnull (strstr (proxy->text[0]->str, line));

  /* sipp REGISTER with [authentication] (401, MD5) */
  argv = sipp_argv (dir, "register", "sipp-auth-register.xml", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM), N_ACCEPT);
  g_ptr_array_add (argv, g_strdup ("-au"));
  g_ptr_array_add (argv, g_strdup ("alice"));
  g_ptr_array_add (argv, g_strdup ("-ap"));
  g_ptr_array_add (argv, g_strdup ("secret-a"));
  g_ptr_array_add (argv, g_strdup ("-s"));
  g_ptr_array_add (argv, g_strdup ("alice"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
  reg = netsip_test_child_spawn_array (NULL, argv);
  g_clear_pointer (&argv, g_ptr_array_unref);
  g_assert_true (netsip_test_child_wait_exit (reg, 60));
  check_sipp (reg, dir, "register", N_ACCEPT);

  /* sipp uac -> netsip-proxy (407 for INVITE and BYE) -> sipp uas */
  uas = start_uas (dir, uas_port, N_ACCEPT);
  argv = sipp_argv (dir, "call", "sipp-proxy-auth-call.xml", netsip_test_free_port (G_SOCKET_TYPE_DATAGRAM), N_ACCEPT);
  g_ptr_array_add (argv, g_strdup ("-au"));
  g_ptr_array_add (argv, g_strdup ("bob"));
  g_ptr_array_add (argv, g_strdup ("-ap"));
  g_ptr_array_add (argv, g_strdup ("secret-b"));
  g_ptr_array_add (argv, g_strdup ("-s"));
  g_ptr_array_add (argv, g_strdup ("bob"));
  /* sipp's digest uri is the remote address unless told */
  g_ptr_array_add (argv, g_strdup ("-auth_uri"));
  g_ptr_array_add (argv, g_strdup_printf ("bob@127.0.0.1:%u", uas_port));
  g_ptr_array_add (argv, g_strdup ("-rsa"));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", port));
  g_ptr_array_add (argv, g_strdup_printf ("127.0.0.1:%u", uas_port));
  uac = netsip_test_child_spawn_array (NULL, argv);
  netsip_test_child_wait_exit (uac, 90);
  netsip_test_child_wait_exit (uas, 20);
  check_sipp (uac, dir, "call", N_ACCEPT);
  check_sipp (uas, dir, "uas", N_ACCEPT);
  stop_proxy (proxy);
  netsip_test_remove_tree (dir);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  sipp_path = g_find_program_in_path ("sipp");
  proxy_path = g_getenv ("NETSIP_PROXY");
  if (proxy_path == NULL)
    proxy_path = NETSIP_PROXY_PATH;

  g_test_add_func ("/netsip-proxy-parts/rfc4475", test_rfc4475);
  g_test_add_func ("/netsip-proxy-parts/restart", test_restart);
  g_test_add_func ("/netsip-proxy-parts/acceptance", test_acceptance);
  {
    int status = g_test_run ();
    g_free (sipp_path);
    return status;
  }
}
