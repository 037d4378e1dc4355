/* netsip-phone.c: a command-line SIP phone on NetSipAgent, NetSipCall and
 * NetSipRtpSession (Net::SIP::Simple's register, invite and listen).
 *
 *   netsip-phone register --registrar sip:127.0.0.1:5060 --from sip:alice@example.test
 *                [--user alice --password-file F] [--listen udp:127.0.0.1:0]
 *                [--expires 300] [--stay]
 *   netsip-phone call sip:bob@example.test [--proxy sip:127.0.0.1:5060] [--from URI]
 *                [--send FILE.pcmu] [--record FILE] [--dtmf 123#]
 *                [--dtmf-method rfc4733|inband] [--duration SECONDS]
 *                [--user U --password-file F] [--listen SPEC]
 *   netsip-phone answer --listen udp:127.0.0.1:5070 [--register REGISTRAR --from AOR
 *                [--user U --password-file F] [--expires 300]]
 *                [--echo | --send FILE] [--record FILE] [--ring SECONDS]
 *                [--max-calls N] [--reject CODE]
 *
 * register: without --stay, exits 0 after the first successful
 * registration (the binding stays until it expires); with --stay it keeps
 * the binding refreshed until SIGINT/SIGTERM, then unregisters. A final
 * non-2xx response or no response: status 1.
 *
 * call: calls the URI (through --proxy when given), then
 *   - with --duration: hangs up that many seconds after the answer;
 *   - else with --send: hangs up 1 s after the file was sent (the echoes of
 *     the last packets arrive meanwhile) and the digits of --dtmf are out;
 *   - else with --dtmf: hangs up 1 s after the digits are out;
 *   - else: stays until the peer hangs up or SIGINT/SIGTERM.
 *   Status 0 when the call was answered and ended by either side, 1 when it
 *   failed (final non-2xx, no answer, media timeout).
 *
 * answer: listens for calls; each is accepted (after --ring SECONDS with a
 * 180 first) or rejected with --reject CODE. --echo sends every received
 * RTP payload back, --send plays a file, --record appends what arrives.
 * With --register it registers --from at REGISTRAR (refreshed) and
 * unregisters at the end. With --max-calls N it exits 0 after N calls have
 * ended (more calls meanwhile get 486); otherwise it runs until
 * SIGINT/SIGTERM, which end the calls with BYE (or CANCEL/reject).
 *
 * Media files are raw 8 kHz G.711, 160 bytes per 20 ms: PCMU, or PCMA when
 * the name ends in .pcma or .alaw; the session transcodes to the codec
 * negotiated. DTMF digits are 0-9 * # A-D, 100 ms each, --dtmf-method auto
 * (the default) sends RFC 4733 events when the peer negotiated
 * telephone-event, tones otherwise.
 *
 * Output: one line per event on stdout, flushed at once:
 *   listening on udp:127.0.0.1:5070       (answer; the port the system gave)
 *   registered sip:alice@example.test expires=300
 *   registration-failed sip:alice@example.test [code=403]
 *   unregistered sip:alice@example.test
 *   calling sip:bob@example.test
 *   incoming sip:alice@example.test call-id=...
 *   ringing 180 | early 183
 *   rejected 486
 *   established
 *   sending-dtmf 123# method=rfc4733
 *   dtmf 1 method=rfc4733 duration=100ms   (received)
 *   media direction=recvonly               (a re-INVITE changed our direction)
 *   media-timeout
 *   closed by=local|remote code=200 rtp-sent=250 rtp-received=248
 *     [reason=media-timeout | reason=no-response]
 * `code` is the status of the response that ended the call (our BYE's 200,
 * the INVITE's 486), 200 for a BYE the peer sent, or the INVITE's final
 * status otherwise (487 for a CANCEL).
 *
 * Status: 0 success; 1 failure (message on stderr); 2 bad arguments or
 * files (message on stderr).
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <locale.h>
#include <glib-unix.h>

#include "netsip.h"
#include "netsip-rtp-session.h"
#include "netsip-call.h"
#include "netsip-agent.h"

#define EXIT_FAILED     1
#define EXIT_USAGE      2
#define DTMF_DURATION   100   /* ms per digit */
#define ECHO_GRACE_MS   1000  /* after the last media sent, before BYE */
#define SHUTDOWN_GUARD  8     /* s: the longest clean shutdown we wait for */

typedef enum
{
  MODE_REGISTER,
  MODE_CALL,
  MODE_ANSWER,
} Mode;

typedef struct
{
  char    **listen;
  char     *registrar;      /* register: --registrar; answer: --register */
  char     *from;
  char     *user;
  char     *password_file;
  int       expires;
  gboolean  stay;
  char     *proxy;
  char     *send;
  char     *record;
  char     *dtmf;
  char     *dtmf_method;
  double    duration;
  gboolean  echo;
  double    ring;
  int       max_calls;
  int       reject;
  char     *to;
} Options;

typedef struct _Phone Phone;

typedef struct
{
  Phone              *phone;
  NetSipCall         *call;
  NetSipRtpSession   *session;
  NetSipSdpDirection  direction;
  gboolean            established;
  gboolean            local_end;
  gboolean            media_timeout;
  gboolean            file_done;
  gboolean            closed;
  gboolean            taken;          /* answer: counts for --max-calls */
  guint               dtmf_left;      /* digits of --dtmf not out yet */
  guint               hangup_timer;
  guint               ring_timer;
} CallInfo;

struct _Phone
{
  Mode              mode;
  Options          *o;
  GMainLoop        *loop;
  GPtrArray        *legs;
  NetSipDispatcher *dispatcher;
  NetSipAgent      *agent;
  char             *password;
  char             *aor;
  NetSipDtmfMethod  dtmf_method;
  NetSipCodec       file_codec;
  GPtrArray        *calls;          /* CallInfo */
  guint             n_taken;
  guint             n_closed;
  gboolean          registered_once;
  gboolean          is_registered;  /* after the last registration-changed */
  guint             n_registration_lines;
  gboolean          quitting;
  gint64            quit_time;      /* monotonic µs of the first signal */
  gboolean          shutting_down;
  guint             guard_timer;
  int               status;
};

static void phone_shutdown (Phone *p);

/* ------------------------------------------------------------------ */
/* Output                                                              */

static void G_GNUC_PRINTF (1, 2)
emit (const char *format,
      ...)
{
  va_list args;

  va_start (args, format);
  vprintf (format, args);
  va_end (args);
  putchar ('\n');
  fflush (stdout);
}

static void G_GNUC_PRINTF (1, 2)
fail_message (const char *format,
              ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("netsip-phone: %s\n", text);
}

static int G_GNUC_PRINTF (1, 2)
usage_error (const char *format,
             ...)
{
  va_list args;
  g_autofree char *text = NULL;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  g_printerr ("netsip-phone: %s\n", text);
  return EXIT_USAGE;
}

static const char *
dtmf_method_name (NetSipDtmfMethod method)
{
  switch (method)
    {
    case NET_SIP_DTMF_METHOD_RFC4733:
      return "rfc4733";
    case NET_SIP_DTMF_METHOD_INBAND:
      return "inband";
    case NET_SIP_DTMF_METHOD_AUTO:
    default:
      return "auto";
    }
}

/* ------------------------------------------------------------------ */
/* Options                                                             */

static void
options_clear (Options *o)
{
  g_strfreev (o->listen);
  g_free (o->registrar);
  g_free (o->from);
  g_free (o->user);
  g_free (o->password_file);
  g_free (o->proxy);
  g_free (o->send);
  g_free (o->record);
  g_free (o->dtmf);
  g_free (o->dtmf_method);
  g_free (o->to);
}

static const char *
mode_name (Mode mode)
{
  return mode == MODE_REGISTER ? "register" : mode == MODE_CALL ? "call" : "answer";
}

/* Parses the options of @mode from @argv (argv[0] is the subcommand). */
static int
parse_options (Mode      mode,
               int      *argc,
               char   ***argv,
               Options  *o)
{
  g_autoptr(GOptionContext) context = NULL;
  g_autoptr(GError) error = NULL;
  GOptionEntry common[] = {
    { "from", 'f', 0, G_OPTION_ARG_STRING, &o->from, "Our address of record (default: netsip-phone@<local address>)", "URI" },
    { "user", 'u', 0, G_OPTION_ARG_STRING, &o->user, "Digest user name (default: the user of --from)", "USER" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &o->password_file, "File whose first line is the digest password", "FILE" },
    { "listen", 'l', 0, G_OPTION_ARG_STRING_ARRAY, &o->listen, "A leg: udp:, tcp: ADDRESS:PORT (port 0: any free port); repeatable", "SPEC" },
    { NULL }
  };
  GOptionEntry reg[] = {
    { "registrar", 'r', 0, G_OPTION_ARG_STRING, &o->registrar, "The registrar (required)", "URI" },
    { "expires", 'e', 0, G_OPTION_ARG_INT, &o->expires, "Binding lifetime asked for, seconds (default 300)", "SECONDS" },
    { "stay", 's', 0, G_OPTION_ARG_NONE, &o->stay, "Keep the binding refreshed until interrupted, then unregister", NULL },
    { NULL }
  };
  GOptionEntry call[] = {
    { "proxy", 'p', 0, G_OPTION_ARG_STRING, &o->proxy, "Outgoing proxy", "URI" },
    { "send", 0, 0, G_OPTION_ARG_FILENAME, &o->send, "Send this raw G.711 file (PCMU; PCMA when named *.pcma or *.alaw)", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &o->record, "Write the received audio payload to this file", "FILE" },
    { "dtmf", 0, 0, G_OPTION_ARG_STRING, &o->dtmf, "Send these DTMF digits (0-9*#A-D) once the call is answered", "DIGITS" },
    { "dtmf-method", 0, 0, G_OPTION_ARG_STRING, &o->dtmf_method, "rfc4733, inband or auto (default)", "METHOD" },
    { "duration", 'd', 0, G_OPTION_ARG_DOUBLE, &o->duration, "Hang up this long after the answer", "SECONDS" },
    { NULL }
  };
  GOptionEntry answer[] = {
    { "register", 0, 0, G_OPTION_ARG_STRING, &o->registrar, "Register --from at this registrar while listening", "URI" },
    { "expires", 'e', 0, G_OPTION_ARG_INT, &o->expires, "Binding lifetime asked for with --register, seconds (default 300)", "SECONDS" },
    { "echo", 0, 0, G_OPTION_ARG_NONE, &o->echo, "Send every received RTP payload back", NULL },
    { "send", 0, 0, G_OPTION_ARG_FILENAME, &o->send, "Send this raw G.711 file (PCMU; PCMA when named *.pcma or *.alaw)", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &o->record, "Write the received audio payload to this file", "FILE" },
    { "ring", 0, 0, G_OPTION_ARG_DOUBLE, &o->ring, "Send 180 Ringing and answer after this long", "SECONDS" },
    { "max-calls", 'n', 0, G_OPTION_ARG_INT, &o->max_calls, "Exit after this many calls ended", "N" },
    { "reject", 0, 0, G_OPTION_ARG_INT, &o->reject, "Reject every call with this status (400-699)", "CODE" },
    { NULL }
  };
  static const char *const summary[] = {
    "- register an address of record",
    "URI - call a SIP URI",
    "- answer calls",
  };
  g_autofree char *param = g_strdup_printf ("%s %s", mode_name (mode), summary[mode]);

  o->expires = -1;
  o->duration = -1;
  o->ring = -1;
  o->max_calls = -1;
  o->reject = -1;

  context = g_option_context_new (param);
  g_option_context_add_main_entries (context, common, NULL);
  g_option_context_add_main_entries (context, mode == MODE_REGISTER ? reg : mode == MODE_CALL ? call : answer, NULL);
  if (!g_option_context_parse (context, argc, argv, &error))
    return usage_error ("%s: %s (see netsip-phone %s --help)", mode_name (mode), error->message,
                        mode_name (mode));

  /* (*argv)[0] is the subcommand */
  if (mode == MODE_CALL)
    {
      if (*argc < 2)
        return usage_error ("call: no URI to call given (e.g. netsip-phone call sip:bob@example.test)");
      o->to = g_strdup ((*argv)[1]);
      if (*argc > 2)
        return usage_error ("call: unexpected argument '%s'", (*argv)[2]);
    }
  else if (*argc > 1)
    return usage_error ("%s: unexpected argument '%s' (see --help)", mode_name (mode), (*argv)[1]);
  return 0;
}

/* Checks what GOptionContext cannot. */
static int
check_options (Phone *p)
{
  Options *o = p->o;
  g_autoptr(GError) error = NULL;
  const char *name = mode_name (p->mode);

  if (o->from)
    {
      g_autoptr(NetSipUri) uri = net_sip_uri_parse (o->from, -1, &error);
      if (uri == NULL || !(net_sip_uri_is_sip (uri) || net_sip_uri_is_sips (uri)))
        return usage_error ("%s: --from %s is not a SIP URI%s%s", name, o->from,
                            error ? ": " : "", error ? error->message : "");
    }
  if (o->user && !o->password_file)
    return usage_error ("%s: --user needs --password-file", name);
  if (o->password_file)
    {
      g_autofree char *text = NULL;
      if (!g_file_get_contents (o->password_file, &text, NULL, &error))
        return usage_error ("%s: --password-file: %s", name, error->message);
      text[strcspn (text, "\r\n")] = '\0';
      if (*text == '\0')
        return usage_error ("%s: --password-file %s: the first line is empty", name, o->password_file);
      p->password = g_steal_pointer (&text);
    }
  if (o->expires != -1 && (o->expires < 1 || o->expires > 86400 * 365))
    return usage_error ("%s: --expires %d: expected 1 to %d seconds", name, o->expires, 86400 * 365);

  switch (p->mode)
    {
    case MODE_REGISTER:
      if (o->registrar == NULL)
        return usage_error ("register: --registrar is required (e.g. --registrar sip:127.0.0.1:5060)");
      if (o->from == NULL)
        return usage_error ("register: --from is required (the address of record, e.g. sip:alice@example.test)");
      break;
    case MODE_CALL:
      {
        g_autoptr(NetSipUri) to = net_sip_uri_parse (o->to, -1, &error);
        if (to == NULL || !(net_sip_uri_is_sip (to) || net_sip_uri_is_sips (to)))
          return usage_error ("call: %s is not a SIP URI%s%s", o->to,
                              error ? ": " : "", error ? error->message : "");
      }
      if (o->duration != -1 && !(o->duration > 0 && o->duration <= 86400))
        return usage_error ("call: --duration %g: expected more than 0 and at most 86400 seconds", o->duration);
      if (o->dtmf)
        {
          if (*o->dtmf == '\0' || o->dtmf[strspn (o->dtmf, "0123456789*#ABCDabcd")] != '\0')
            return usage_error ("call: --dtmf %s: digits are 0-9, *, #, A-D", o->dtmf);
          for (char *c = o->dtmf; *c; c++)
            *c = g_ascii_toupper (*c);
        }
      p->dtmf_method = NET_SIP_DTMF_METHOD_AUTO;
      if (o->dtmf_method)
        {
          if (!o->dtmf)
            return usage_error ("call: --dtmf-method needs --dtmf");
          if (g_ascii_strcasecmp (o->dtmf_method, "rfc4733") == 0 || g_ascii_strcasecmp (o->dtmf_method, "rfc2833") == 0)
            p->dtmf_method = NET_SIP_DTMF_METHOD_RFC4733;
          else if (g_ascii_strcasecmp (o->dtmf_method, "inband") == 0)
            p->dtmf_method = NET_SIP_DTMF_METHOD_INBAND;
          else if (g_ascii_strcasecmp (o->dtmf_method, "auto") != 0)
            return usage_error ("call: --dtmf-method %s: expected rfc4733, inband or auto", o->dtmf_method);
        }
      break;
    case MODE_ANSWER:
      if (o->listen == NULL || o->listen[0] == NULL)
        return usage_error ("answer: --listen is required (e.g. --listen udp:127.0.0.1:5070)");
      if (o->registrar && o->from == NULL)
        return usage_error ("answer: --register needs --from (the address of record)");
      if (!o->registrar && (o->password_file || o->expires != -1))
        return usage_error ("answer: --user, --password-file and --expires go with --register");
      if (o->echo && o->send)
        return usage_error ("answer: --echo and --send exclude each other");
      if (o->ring != -1 && !(o->ring >= 0 && o->ring <= 3600))
        return usage_error ("answer: --ring %g: expected 0 to 3600 seconds", o->ring);
      if (o->max_calls != -1 && o->max_calls < 1)
        return usage_error ("answer: --max-calls %d: expected at least 1", o->max_calls);
      if (o->reject != -1 && (o->reject < 400 || o->reject > 699))
        return usage_error ("answer: --reject %d: expected a status from 400 to 699", o->reject);
      break;
    }

  if (o->send)
    {
      g_autoptr(GFile) file = g_file_new_for_commandline_arg (o->send);
      g_autoptr(GFileInfo) info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE ","
                                                     G_FILE_ATTRIBUTE_ACCESS_CAN_READ,
                                                     G_FILE_QUERY_INFO_NONE, NULL, &error);
      if (info == NULL)
        return usage_error ("%s: --send: %s", name, error->message);
      if (!g_file_info_get_attribute_boolean (info, G_FILE_ATTRIBUTE_ACCESS_CAN_READ))
        return usage_error ("%s: --send %s: not readable", name, o->send);
      if (g_file_info_get_size (info) < 160)
        return usage_error ("%s: --send %s: shorter than one 20 ms packet (160 bytes)", name, o->send);
      p->file_codec = (g_str_has_suffix (o->send, ".pcma") || g_str_has_suffix (o->send, ".alaw"))
                        ? NET_SIP_CODEC_PCMA : NET_SIP_CODEC_PCMU;
    }
  if (o->record)
    {
      /* created (emptied) now: a path that cannot be written is a usage error */
      if (!g_file_set_contents (o->record, "", 0, &error))
        return usage_error ("%s: --record: %s", name, error->message);
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Legs                                                                */

/* The host of a URI or of "udp:host:port" / "host:port" */
static char *
host_of (const char *target)
{
  g_autoptr(NetSipUri) uri = NULL;
  g_autofree char *as_uri = NULL;

  if (g_str_has_prefix (target, "sip:") || g_str_has_prefix (target, "sips:"))
    as_uri = g_strdup (target);
  else
    {
      const char *colon = strchr (target, ':');
      if (colon && (g_str_has_prefix (target, "udp:") || g_str_has_prefix (target, "tcp:") ||
                    g_str_has_prefix (target, "tls:")))
        target = colon + 1;
      as_uri = g_strdup_printf ("sip:%s", target);
    }
  uri = net_sip_uri_parse (as_uri, -1, NULL);
  if (uri == NULL)
    return NULL;
  return g_strdup (net_sip_uri_get_host (uri));
}

/* The local address the kernel picks toward @host (a connected UDP socket
 * sends nothing); names are resolved first. NULL when unknown. */
static char *
local_address_toward (const char *host)
{
  g_autoptr(GInetAddress) remote = NULL;
  g_autoptr(GSocket) socket = NULL;
  g_autoptr(GSocketAddress) to = NULL;
  g_autoptr(GSocketAddress) local = NULL;
  g_autofree char *bare = NULL;

  if (host == NULL)
    return NULL;
  bare = (host[0] == '[') ? g_strndup (host + 1, strcspn (host + 1, "]")) : g_strdup (host);
  remote = g_inet_address_new_from_string (bare);
  if (remote == NULL)
    {
      /* before the main loop runs: a blocking lookup is fine here */
      GList *list = g_resolver_lookup_by_name (g_resolver_get_default (), bare, NULL, NULL);
      if (list == NULL)
        return NULL;
      remote = g_object_ref (list->data);
      g_resolver_free_addresses (list);
    }
  socket = g_socket_new (g_inet_address_get_family (remote), G_SOCKET_TYPE_DATAGRAM,
                         G_SOCKET_PROTOCOL_UDP, NULL);
  if (socket == NULL)
    return NULL;
  to = g_inet_socket_address_new (remote, 5060);
  if (!g_socket_connect (socket, to, NULL, NULL))
    return NULL;
  local = g_socket_get_local_address (socket, NULL);
  if (local == NULL)
    return NULL;
  return g_inet_address_to_string (g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local)));
}

static int
make_legs (Phone *p)
{
  Options *o = p->o;
  g_auto(GStrv) defaults = NULL;
  char **specs = o->listen;

  if (specs == NULL || specs[0] == NULL)
    {
      /* register, call: a UDP leg on the address toward the registrar,
       * the proxy or the callee */
      const char *target = p->mode == MODE_REGISTER ? o->registrar : (o->proxy ? o->proxy : o->to);
      g_autofree char *host = host_of (target);
      g_autofree char *local = local_address_toward (host);

      if (local == NULL)
        return usage_error ("%s: no local address found toward %s: give --listen udp:ADDRESS:0",
                            mode_name (p->mode), host ? host : target);
      defaults = g_new0 (char *, 2);
      defaults[0] = strchr (local, ':') ? g_strdup_printf ("udp:[%s]:0", local)
                                        : g_strdup_printf ("udp:%s:0", local);
      specs = defaults;
    }
  p->legs = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; specs[i]; i++)
    {
      g_autoptr(GError) error = NULL;
      NetSipLeg *leg;

      if (g_ascii_strncasecmp (specs[i], "tls:", 4) == 0)
        return usage_error ("%s: --listen %s: tls: legs are not supported by netsip-phone",
                            mode_name (p->mode), specs[i]);
      leg = net_sip_leg_new (specs[i], &error);
      if (leg == NULL)
        {
          if (g_error_matches (error, NET_SIP_TRANSPORT_ERROR, NET_SIP_TRANSPORT_ERROR_INVALID_ADDRESS))
            return usage_error ("%s: --listen %s: %s", mode_name (p->mode), specs[i], error->message);
          fail_message ("cannot listen on %s: %s", specs[i], error->message);
          return EXIT_FAILED;
        }
      g_ptr_array_add (p->legs, leg);
    }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Agent                                                               */

static int
make_agent (Phone *p)
{
  Options *o = p->o;
  NetSipLeg *first;
  const char *address;
  g_autofree char *from = NULL;
  int status;

  if ((status = make_legs (p)) != 0)
    return status;
  first = g_ptr_array_index (p->legs, 0);
  address = net_sip_leg_get_address (first);
  if (o->from)
    from = g_strdup (o->from);
  else if (strchr (address, ':'))
    from = g_strdup_printf ("sip:netsip-phone@[%s]", address);
  else
    from = g_strdup_printf ("sip:netsip-phone@%s", address);
  p->aor = g_strdup (from);

  p->dispatcher = net_sip_dispatcher_new ((NetSipLeg **) p->legs->pdata, p->legs->len);
  p->agent = net_sip_agent_new_with_dispatcher (from, p->dispatcher);
  if (p->agent == NULL)
    {
      fail_message ("cannot create the agent for %s", from);
      return EXIT_FAILED;
    }
  /* RTP on the address of the first leg, unless that is a wildcard; our
   * Contact there too, given explicitly: the agent then finds our binding
   * among the others of the address of record in a REGISTER's 200 (its
   * granted expires), which it does not when it leaves the Contact to the
   * endpoint */
  {
    g_autoptr(GInetAddress) a = g_inet_address_new_from_string (address);
    if (a && !g_inet_address_get_is_any (a))
      {
        g_autoptr(NetSipUri) uri = net_sip_uri_parse (from, -1, NULL);
        g_autofree char *user = NULL;
        g_autofree char *host = NULL;
        g_autofree char *contact = NULL;

        g_object_set (p->agent, "media-address", address, NULL);
        if (uri && net_sip_uri_get_user (uri))
          user = g_strndup (net_sip_uri_get_user (uri), net_sip_uri_get_user_length (uri));
        host = strchr (address, ':') ? g_strdup_printf ("[%s]", address) : g_strdup (address);
        contact = g_strdup_printf ("sip:%s%s%s:%u%s", user ? user : "", user ? "@" : "", host,
                                   net_sip_leg_get_port (first),
                                   net_sip_leg_get_protocol (first) == NET_SIP_TRANSPORT_TCP
                                     ? ";transport=tcp" : "");
        g_object_set (p->agent, "contact", contact, NULL);
      }
  }
  if (o->proxy)
    g_object_set (p->agent, "outgoing-proxy", o->proxy, NULL);
  if (o->registrar)
    g_object_set (p->agent, "registrar", o->registrar, NULL);
  if (p->password)
    {
      g_autofree char *user = NULL;

      if (o->user)
        user = g_strdup (o->user);
      else
        {
          g_autoptr(NetSipUri) uri = net_sip_uri_parse (from, -1, NULL);
          if (uri && net_sip_uri_get_user (uri))
            user = g_strndup (net_sip_uri_get_user (uri), net_sip_uri_get_user_length (uri));
        }
      if (user == NULL || *user == '\0')
        return usage_error ("%s: --password-file needs --user (--from %s has no user part)",
                            mode_name (p->mode), from);
      /* credentials for any realm */
      net_sip_agent_set_credentials (p->agent, NULL, user, p->password);
    }
  {
    g_autofree char *ua = g_strdup_printf ("netsip-phone/%d.%d.%d", NET_SIP_MAJOR_VERSION,
                                           NET_SIP_MINOR_VERSION, NET_SIP_MICRO_VERSION);
    g_object_set (p->agent, "user-agent", ua, NULL);
  }
  return 0;
}

/* ------------------------------------------------------------------ */
/* Registration                                                        */

static void
on_registration_changed (NetSipAgent *agent,
                         gboolean     registered,
                         guint        expires,
                         guint        code,
                         gpointer     user_data)
{
  Phone *p = user_data;

  p->n_registration_lines++;
  if (registered)
    {
      p->registered_once = TRUE;
      emit ("registered %s expires=%u", p->aor, expires);
    }
  else if (p->is_registered && (code == 0 || (code >= 200 && code < 300)))
    emit ("unregistered %s", p->aor);
  else if (code != 0)
    emit ("registration-failed %s code=%u", p->aor, code);
  else
    emit ("registration-failed %s", p->aor);
  p->is_registered = registered;
}

static void
on_quit_after_shutdown (GObject      *source,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  Phone *p = user_data;
  g_autoptr(GError) error = NULL;

  if (!net_sip_agent_shutdown_finish (NET_SIP_AGENT (source), result, &error))
    g_warning ("shutdown: %s", error->message);
  g_clear_handle_id (&p->guard_timer, g_source_remove);
  g_main_loop_quit (p->loop);
}

static gboolean
on_guard (gpointer user_data)
{
  Phone *p = user_data;

  p->guard_timer = 0;
  fail_message ("the clean shutdown took more than %d s: leaving", SHUTDOWN_GUARD);
  if (p->status == 0)
    p->status = EXIT_FAILED;
  g_main_loop_quit (p->loop);
  return G_SOURCE_REMOVE;
}

/* Unregisters, ends the calls and closes the legs, then leaves the loop */
static void
phone_shutdown (Phone *p)
{
  if (p->shutting_down)
    return;
  p->shutting_down = TRUE;
  for (guint i = 0; p->calls && i < p->calls->len; i++)
    {
      CallInfo *ci = g_ptr_array_index (p->calls, i);
      if (!ci->closed)
        ci->local_end = TRUE;
    }
  if (p->guard_timer == 0)
    p->guard_timer = g_timeout_add_seconds (SHUTDOWN_GUARD, on_guard, p);
  net_sip_agent_shutdown_async (p->agent, NULL, on_quit_after_shutdown, p);
}

static void
on_registered (GObject      *source,
               GAsyncResult *result,
               gpointer      user_data)
{
  Phone *p = user_data;
  g_autoptr(GError) error = NULL;
  guint granted = 0;
  guint lines = p->n_registration_lines;

  if (!net_sip_agent_register_finish (NET_SIP_AGENT (source), result, &granted, &error))
    {
      fail_message ("registration of %s at %s failed: %s", p->aor, p->o->registrar, error->message);
      p->status = EXIT_FAILED;
      if (p->mode == MODE_REGISTER)
        g_main_loop_quit (p->loop);
      else
        phone_shutdown (p);
      return;
    }
  /* the signal normally printed it already */
  if (lines == 0 && !p->registered_once)
    {
      p->registered_once = TRUE;
      emit ("registered %s expires=%u", p->aor, granted);
    }
  if (p->mode == MODE_REGISTER && !p->o->stay)
    g_main_loop_quit (p->loop);   /* the binding stays until it expires */
}

static void
on_unregistered (GObject      *source,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  Phone *p = user_data;
  g_autoptr(GError) error = NULL;

  if (!net_sip_agent_unregister_finish (NET_SIP_AGENT (source), result, &error))
    {
      fail_message ("unregistration of %s failed: %s", p->aor, error->message);
      p->status = EXIT_FAILED;
    }
  phone_shutdown (p);
}

/* ------------------------------------------------------------------ */
/* Calls                                                               */

static void
call_info_free (CallInfo *ci)
{
  g_clear_handle_id (&ci->hangup_timer, g_source_remove);
  g_clear_handle_id (&ci->ring_timer, g_source_remove);
  if (ci->session)
    g_signal_handlers_disconnect_by_data (ci->session, ci);
  g_signal_handlers_disconnect_by_data (ci->call, ci);
  g_clear_object (&ci->session);
  g_clear_object (&ci->call);
  g_free (ci);
}

static gboolean
on_hangup_timer (gpointer user_data)
{
  CallInfo *ci = user_data;

  ci->hangup_timer = 0;
  if (!ci->closed)
    {
      ci->local_end = TRUE;
      net_sip_call_hangup (ci->call);
    }
  return G_SOURCE_REMOVE;
}

static void
schedule_hangup (CallInfo *ci,
                 guint     ms)
{
  g_clear_handle_id (&ci->hangup_timer, g_source_remove);
  ci->hangup_timer = g_timeout_add (ms, on_hangup_timer, ci);
}

/* call mode without --duration: hang up once the file and the digits are
 * out, after the echoes of the last packets had time to come back */
static void
maybe_schedule_end (CallInfo *ci)
{
  Options *o = ci->phone->o;

  if (ci->phone->mode != MODE_CALL || o->duration > 0 || !ci->established)
    return;
  if (o->send && !ci->file_done)
    return;
  if (!o->send && !o->dtmf)
    return;
  if (ci->dtmf_left > 0)
    return;
  schedule_hangup (ci, ECHO_GRACE_MS);
}

/* a digit of --dtmf is out (its last packet sent) */
static void
on_dtmf_sent (NetSipRtpSession *session,
              const char       *digit,
              NetSipDtmfMethod  method,
              gpointer          user_data)
{
  CallInfo *ci = user_data;

  if (ci->dtmf_left > 0 && --ci->dtmf_left == 0)
    maybe_schedule_end (ci);
}

static void
on_file_finished (NetSipRtpSession *session,
                  gpointer          user_data)
{
  CallInfo *ci = user_data;

  ci->file_done = TRUE;
  maybe_schedule_end (ci);
}

static void
on_direction (GObject    *session,
              GParamSpec *pspec,
              gpointer    user_data)
{
  CallInfo *ci = user_data;
  NetSipSdpDirection direction = NET_SIP_SDP_DIRECTION_SENDRECV;

  g_object_get (session, "direction", &direction, NULL);
  if (direction == ci->direction)
    return;
  ci->direction = direction;
  emit ("media direction=%s", net_sip_sdp_direction_to_string (direction));
}

static void
on_dtmf_received (NetSipCall       *call,
                  const char       *digit,
                  guint             duration_ms,
                  NetSipDtmfMethod  method,
                  gpointer          user_data)
{
  emit ("dtmf %s method=%s duration=%ums", digit, dtmf_method_name (method), duration_ms);
}

static void
on_media_timeout (NetSipCall *call,
                  gpointer    user_data)
{
  CallInfo *ci = user_data;
  guint timeout = 0;

  ci->media_timeout = TRUE;
  ci->local_end = TRUE;
  g_object_get (ci->phone->agent, "media-timeout", &timeout, NULL);
  emit ("media-timeout");
  fail_message ("no RTP from %s for %u s: hanging up", net_sip_call_get_peer (call), timeout);
}

static void
start_dtmf (CallInfo *ci)
{
  Phone *p = ci->phone;
  g_autoptr(GError) error = NULL;
  NetSipDtmfMethod method = p->dtmf_method;

  if (method == NET_SIP_DTMF_METHOD_AUTO)
    {
      int pt = -1;
      g_object_get (ci->session, "telephone-event-payload-type", &pt, NULL);
      method = pt >= 0 ? NET_SIP_DTMF_METHOD_RFC4733 : NET_SIP_DTMF_METHOD_INBAND;
    }
  emit ("sending-dtmf %s method=%s", p->o->dtmf, dtmf_method_name (method));
  if (!net_sip_call_send_dtmf (ci->call, p->o->dtmf, method, DTMF_DURATION, &error))
    {
      fail_message ("cannot send DTMF %s: %s", p->o->dtmf, error->message);
      p->status = EXIT_FAILED;
      ci->local_end = TRUE;
      net_sip_call_hangup (ci->call);
      return;
    }
  /* the hang-up waits for the session's dtmf-sent of each digit */
  ci->dtmf_left = (guint) strlen (p->o->dtmf);
}

static void
call_closed (CallInfo       *ci,
             NetSipResponse *response)
{
  Phone *p = ci->phone;
  guint code;
  guint64 sent = net_sip_rtp_session_get_packets_sent (ci->session);
  guint64 received = net_sip_rtp_session_get_packets_received (ci->session);

  ci->closed = TRUE;
  g_clear_handle_id (&ci->hangup_timer, g_source_remove);
  g_clear_handle_id (&ci->ring_timer, g_source_remove);
  if (response)
    code = net_sip_response_get_code (response);
  else if (ci->established && !ci->local_end)
    code = 200;   /* the BYE of the peer, answered 200 */
  else
    code = net_sip_call_get_final_code (ci->call);
  emit ("closed by=%s code=%u rtp-sent=%" G_GUINT64_FORMAT " rtp-received=%" G_GUINT64_FORMAT "%s",
        ci->local_end ? "local" : "remote", code, sent, received,
        ci->media_timeout ? " reason=media-timeout"
        : (!ci->established && response == NULL && !ci->local_end && !net_sip_call_is_incoming (ci->call))
          ? " reason=no-response" : "");
  if (ci->taken)
    p->n_closed++;

  if (p->mode == MODE_CALL)
    {
      if (!ci->established)
        {
          if (p->quitting)
            fail_message ("call to %s cancelled before it was answered", p->o->to);
          else if (response)
            fail_message ("call to %s failed: %u %s", p->o->to, code, net_sip_response_get_reason (response));
          else
            fail_message ("call to %s failed: no final response (%u)", p->o->to, code);
          p->status = EXIT_FAILED;
        }
      else if (ci->media_timeout)
        p->status = EXIT_FAILED;
      phone_shutdown (p);
    }
  else if (p->mode == MODE_ANSWER && p->o->max_calls > 0 && p->n_closed >= (guint) p->o->max_calls)
    phone_shutdown (p);
}

static void
on_state_changed (NetSipCall      *call,
                  NetSipCallState  state,
                  NetSipResponse  *response,
                  gpointer         user_data)
{
  CallInfo *ci = user_data;

  if (ci->closed)
    return;
  switch (state)
    {
    case NET_SIP_CALL_STATE_RINGING:
      emit ("ringing %u", response ? net_sip_response_get_code (response) : 180);
      break;
    case NET_SIP_CALL_STATE_EARLY:
      emit ("early %u", response ? net_sip_response_get_code (response) : 183);
      break;
    case NET_SIP_CALL_STATE_ESTABLISHED:
      if (ci->established)
        break;
      ci->established = TRUE;
      emit ("established");
      if (ci->phone->mode == MODE_CALL)
        {
          if (ci->phone->o->dtmf)
            start_dtmf (ci);
          if (ci->phone->o->duration > 0)
            schedule_hangup (ci, (guint) (ci->phone->o->duration * 1000));
          else
            maybe_schedule_end (ci);
        }
      break;
    case NET_SIP_CALL_STATE_CLOSED:
      call_closed (ci, response);
      break;
    default:
      break;
    }
}

static CallInfo *
call_info_new (Phone      *p,
               NetSipCall *call)
{
  CallInfo *ci = g_new0 (CallInfo, 1);

  ci->phone = p;
  ci->call = g_object_ref (call);
  ci->session = g_object_ref (net_sip_call_get_rtp_session (call));
  ci->direction = NET_SIP_SDP_DIRECTION_SENDRECV;
  g_signal_connect (call, "state-changed", G_CALLBACK (on_state_changed), ci);
  g_signal_connect (call, "dtmf-received", G_CALLBACK (on_dtmf_received), ci);
  g_signal_connect (call, "media-timeout", G_CALLBACK (on_media_timeout), ci);
  g_signal_connect (ci->session, "notify::direction", G_CALLBACK (on_direction), ci);
  g_signal_connect (ci->session, "file-finished", G_CALLBACK (on_file_finished), ci);
  g_signal_connect (ci->session, "dtmf-sent", G_CALLBACK (on_dtmf_sent), ci);
  g_ptr_array_add (p->calls, ci);
  return ci;
}

/* --send, --record, --echo on the call's session */
static gboolean
setup_media (CallInfo *ci)
{
  Options *o = ci->phone->o;
  g_autoptr(GError) error = NULL;

  if (o->record && !net_sip_rtp_session_record_to_file (ci->session, o->record, &error))
    {
      fail_message ("--record %s: %s", o->record, error->message);
      return FALSE;
    }
  if (o->send && !net_sip_rtp_session_send_file (ci->session, o->send, ci->phone->file_codec, FALSE, &error))
    {
      fail_message ("--send %s: %s", o->send, error->message);
      return FALSE;
    }
  if (o->echo)
    net_sip_rtp_session_set_echo (ci->session, TRUE);
  return TRUE;
}

static void
reject_call (CallInfo *ci,
             guint     code,
             const char *reason)
{
  g_autoptr(GError) error = NULL;

  ci->local_end = TRUE;
  emit ("rejected %u", code);
  if (!net_sip_call_reject (ci->call, code, reason, &error))
    g_warning ("rejecting the call from %s: %s", net_sip_call_get_peer (ci->call), error->message);
}

static void
answer_call (CallInfo *ci)
{
  g_autoptr(GError) error = NULL;

  if (ci->phone->o->reject > 0)
    {
      reject_call (ci, ci->phone->o->reject, NULL);
      return;
    }
  if (!net_sip_call_accept (ci->call, &error))
    {
      fail_message ("accepting the call from %s: %s", net_sip_call_get_peer (ci->call), error->message);
      ci->local_end = TRUE;
      net_sip_call_hangup (ci->call);
    }
}

static gboolean
on_ring_timer (gpointer user_data)
{
  CallInfo *ci = user_data;

  ci->ring_timer = 0;
  if (!ci->closed && net_sip_call_get_state (ci->call) != NET_SIP_CALL_STATE_CLOSED)
    answer_call (ci);
  return G_SOURCE_REMOVE;
}

static void
on_incoming_call (NetSipAgent *agent,
                  NetSipCall  *call,
                  gpointer     user_data)
{
  Phone *p = user_data;
  CallInfo *ci;
  g_autoptr(GError) error = NULL;

  ci = call_info_new (p, call);
  emit ("incoming %s call-id=%s", net_sip_call_get_peer (call), net_sip_call_get_call_id (call));
  if (p->shutting_down || (p->o->max_calls > 0 && p->n_taken >= (guint) p->o->max_calls))
    {
      reject_call (ci, 486, "Busy Here");
      return;
    }
  p->n_taken++;
  ci->taken = TRUE;
  if (!setup_media (ci))
    {
      reject_call (ci, 500, "Media Setup Failed");
      return;
    }
  if (p->o->ring >= 0)
    {
      if (!net_sip_call_ring (call, &error))
        {
          fail_message ("ringing: %s", error->message);
          answer_call (ci);
          return;
        }
      ci->ring_timer = g_timeout_add ((guint) (p->o->ring * 1000), on_ring_timer, ci);
      return;
    }
  answer_call (ci);
}

static int
start_call (Phone *p)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(NetSipCall) call = NULL;
  CallInfo *ci;

  call = net_sip_agent_invite (p->agent, p->o->to, &error);
  if (call == NULL)
    {
      fail_message ("cannot call %s: %s", p->o->to, error->message);
      return EXIT_FAILED;
    }
  ci = call_info_new (p, call);
  if (!setup_media (ci))
    {
      ci->local_end = TRUE;
      net_sip_call_hangup (call);
      p->status = EXIT_FAILED;
      return 0;
    }
  emit ("calling %s", p->o->to);
  return 0;
}

/* ------------------------------------------------------------------ */
/* SIGINT, SIGTERM                                                     */

static gboolean
on_quit_signal (gpointer user_data)
{
  Phone *p = user_data;

  if (p->quitting)
    {
      /* the same signal sent to the process and to its group (timeout(1),
       * service managers) arrives twice at once: only a second one after
       * a second leaves without waiting */
      if (g_get_monotonic_time () - p->quit_time < G_USEC_PER_SEC)
        return G_SOURCE_CONTINUE;
      /* a second signal: leave now */
      fail_message ("interrupted again: leaving without waiting");
      if (p->status == 0)
        p->status = EXIT_FAILED;
      g_main_loop_quit (p->loop);
      return G_SOURCE_CONTINUE;
    }
  p->quitting = TRUE;
  p->quit_time = g_get_monotonic_time ();
  switch (p->mode)
    {
    case MODE_REGISTER:
      if (net_sip_agent_get_registered (p->agent))
        net_sip_agent_unregister_async (p->agent, NULL, on_unregistered, p);
      else
        {
          if (!p->registered_once)
            {
              fail_message ("interrupted before %s was registered", p->aor);
              p->status = EXIT_FAILED;
            }
          phone_shutdown (p);
        }
      break;
    case MODE_CALL:
      {
        gboolean open = FALSE;
        for (guint i = 0; i < p->calls->len; i++)
          {
            CallInfo *ci = g_ptr_array_index (p->calls, i);
            if (!ci->closed)
              {
                open = TRUE;
                ci->local_end = TRUE;
                net_sip_call_hangup (ci->call);
              }
          }
        /* the CLOSED state shuts down; the guard bounds the wait */
        if (!open)
          phone_shutdown (p);
        else if (p->guard_timer == 0)
          p->guard_timer = g_timeout_add_seconds (SHUTDOWN_GUARD, on_guard, p);
      }
      break;
    case MODE_ANSWER:
      phone_shutdown (p);
      break;
    }
  return G_SOURCE_CONTINUE;
}

/* ------------------------------------------------------------------ */

static void
phone_clear (Phone *p)
{
  g_clear_handle_id (&p->guard_timer, g_source_remove);
  g_clear_pointer (&p->calls, g_ptr_array_unref);
  if (p->agent)
    g_signal_handlers_disconnect_by_data (p->agent, p);
  g_clear_object (&p->agent);
  g_clear_object (&p->dispatcher);
  g_clear_pointer (&p->legs, g_ptr_array_unref);
  g_clear_pointer (&p->loop, g_main_loop_unref);
  g_free (p->password);
  g_free (p->aor);
}

static void
print_usage (void)
{
  g_printerr ("usage: netsip-phone register --registrar URI --from URI [--user U --password-file F]\n"
              "                             [--listen SPEC] [--expires SECONDS] [--stay]\n"
              "       netsip-phone call URI [--proxy URI] [--from URI] [--send FILE] [--record FILE]\n"
              "                             [--dtmf DIGITS] [--dtmf-method rfc4733|inband]\n"
              "                             [--duration SECONDS] [--user U --password-file F]\n"
              "       netsip-phone answer --listen SPEC [--register URI --from URI] [--echo | --send FILE]\n"
              "                             [--record FILE] [--ring SECONDS] [--max-calls N]\n"
              "                             [--reject CODE]\n"
              "`netsip-phone COMMAND --help` lists the options of a command.\n");
}

int
main (int    argc,
      char **argv)
{
  Options o = { 0 };
  Phone p = { 0 };
  guint sources[2];
  int status;
  Mode mode;

  setlocale (LC_ALL, "");
  if (argc < 2)
    {
      print_usage ();
      return EXIT_USAGE;
    }
  if (g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h") || g_str_equal (argv[1], "help"))
    {
      print_usage ();
      return 0;
    }
  if (g_str_equal (argv[1], "register"))
    mode = MODE_REGISTER;
  else if (g_str_equal (argv[1], "call"))
    mode = MODE_CALL;
  else if (g_str_equal (argv[1], "answer"))
    mode = MODE_ANSWER;
  else
    {
      status = usage_error ("unknown command '%s': expected register, call or answer", argv[1]);
      print_usage ();
      return status;
    }

  {
    int sub_argc = argc - 1;
    char **sub_argv = argv + 1;

    status = parse_options (mode, &sub_argc, &sub_argv, &o);
  }
  p.mode = mode;
  p.o = &o;
  if (status == 0)
    status = check_options (&p);
  if (status != 0)
    {
      phone_clear (&p);
      options_clear (&o);
      return status;
    }

  p.loop = g_main_loop_new (NULL, FALSE);
  p.calls = g_ptr_array_new_with_free_func ((GDestroyNotify) call_info_free);
  status = make_agent (&p);
  if (status != 0)
    {
      phone_clear (&p);
      options_clear (&o);
      return status;
    }
  g_signal_connect (p.agent, "registration-changed", G_CALLBACK (on_registration_changed), &p);
  sources[0] = g_unix_signal_add (SIGINT, on_quit_signal, &p);
  sources[1] = g_unix_signal_add (SIGTERM, on_quit_signal, &p);

  switch (mode)
    {
    case MODE_REGISTER:
      net_sip_agent_register_async (p.agent, o.expires > 0 ? (guint) o.expires : 300, NULL, on_registered, &p);
      break;
    case MODE_CALL:
      status = start_call (&p);
      break;
    case MODE_ANSWER:
      g_signal_connect (p.agent, "incoming-call", G_CALLBACK (on_incoming_call), &p);
      net_sip_agent_listen (p.agent);
      for (guint i = 0; i < p.legs->len; i++)
        {
          g_autofree char *name = net_sip_leg_to_string (g_ptr_array_index (p.legs, i));
          emit ("listening on %s", name);
        }
      if (o.registrar)
        net_sip_agent_register_async (p.agent, o.expires > 0 ? (guint) o.expires : 300, NULL, on_registered, &p);
      break;
    }

  if (status == 0)
    g_main_loop_run (p.loop);
  else
    p.status = status;

  for (guint i = 0; i < G_N_ELEMENTS (sources); i++)
    g_source_remove (sources[i]);
  status = p.status;
  phone_clear (&p);
  options_clear (&o);
  return status;
}
