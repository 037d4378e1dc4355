/* netsip-stateless-proxy.c: a stateless SIP proxy (RFC 3261 §16, §16.11)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <string.h>

#include "netsip-stateless-proxy.h"
#include "netsip-local-tag-private.h"
#include "netsip-message-private.h"
#include "netsip-random-private.h"

/**
 * NetSipStatelessProxy:
 *
 * A stateless proxy (RFC 3261 §16.11; Net::SIP::StatelessProxy): a
 * [iface@NetSip.Receiver] that forwards each request and each response it
 * gets once, keeping nothing about them. Set it as the receiver of a
 * [class@NetSip.Dispatcher] (or put it last in a [class@NetSip.ReceiveChain],
 * after an authorizer, a registrar, a blocker or a dropper).
 *
 * The proxy sets the dispatcher's [property@NetSip.Dispatcher:do-retransmits]
 * to %FALSE: a stateless proxy keeps no server transactions (every
 * retransmitted request reaches it and is forwarded again, with the same
 * branch) and no client transactions (it never retransmits; the ends do).
 *
 * Requests (§16.3 to §16.6):
 * - checked first (§16.3): a malformed request gets the status
 *   [method@NetSip.Message.validate] gives (400, 505...); Max-Forwards 0
 *   gets `483 Too Many Hops`; a `Proxy-Require` gets `420 Bad Extension`
 *   with `Unsupported`; a request that already passed this proxy with the
 *   same Request-URI, Route set, Call-ID, From tag and CSeq number gets
 *   `482 Loop Detected` (§16.3 step 4; a spiral, with another
 *   Request-URI, is forwarded). ACK is never answered: a bad ACK is dropped.
 * - Route information (§16.4): a Request-URI that is one of our
 *   Record-Route URIs came from a strict router, so the last Route becomes
 *   the Request-URI; our own Route values on top are removed (loose
 *   routing, also the two pushed by double Record-Route).
 * - the target (§16.5): the first remaining Route (when it has no `lr` the
 *   next hop is a strict router: §16.6 step 6 puts the Request-URI at the
 *   end of the Route set and the Route in the Request-URI); else a
 *   Request-URI that is a Contact this proxy rewrote is decoded back; else
 *   [signal@NetSip.StatelessProxy::lookup-aor] is asked (a registrar's
 *   bindings) and the contact it gives becomes the Request-URI; else a
 *   Request-URI in one of our domains gets 404 (one naming the proxy
 *   itself without a user part too; an OPTIONS to it gets 200); else the
 *   Request-URI is
 *   resolved by the dispatcher (`domain2proxy`, outgoing proxy, RFC 3263
 *   DNS). A Request-URI scheme other than sip or sips with no Route gets
 *   `416 Unsupported URI Scheme`.
 * - forwarding (§16.6): Max-Forwards decremented (70 when absent),
 *   `Record-Route: <sip:us;lr>` when [property@NetSip.StatelessProxy:record-route]
 *   is set (two of them, one per leg, when the request leaves on another
 *   leg than it came: RFC 5658), Contact rewriting (below), the NAT helper
 *   hook, and our Via with a branch computed from the request (§16.11):
 *   a retransmission gets the same branch, and so do the CANCEL and the
 *   ACK of a non-2xx for their INVITE. The request goes out once, without
 *   a transaction.
 *
 * The proxy's own responses get a To tag computed from the request's
 * Call-ID, From tag and top Via branch keyed with
 * [property@NetSip.StatelessProxy:secret]; an ACK with such a tag is the
 * ACK of one of them and is absorbed (receive returns %TRUE, nothing is
 * forwarded: §17.2.1).
 *
 * Responses (§16.7): the top Via must be ours (else the receiver returns
 * %FALSE); it is removed and the response goes where the next Via says,
 * by `maddr`, `received` and `rport` (§18.2.2, RFC 3581 §4), over a leg of
 * its transport. A response with no Via left, or addressed to a broadcast,
 * multicast or unspecified address (RFC 4475 `bcast`), is dropped.
 *
 * Contact rewriting (Net::SIP's `rewrite_contact`): when a message leaves on
 * another leg than it came on, or always with
 * [property@NetSip.StatelessProxy:force-rewrite], each Contact URI is
 * replaced by `sip:nsp<data>@<outgoing leg>` where `<data>` holds the
 * original URI and an HMAC-SHA256 over it keyed by
 * [property@NetSip.StatelessProxy:secret] (base64url, 80-bit MAC). A
 * request sent to such a URI is forwarded to the original one; a Contact
 * that is one is turned back. A URI with our prefix and a wrong MAC is
 * refused with `403 Forbidden` (it cannot be used to relay through the
 * proxy to an address of the sender's choice).
 *
 * The proxy changes the message it forwards in place (a receiver before
 * it in a chain that keeps a reference sees the changes) and keeps a weak
 * reference to its dispatcher. All work happens on the dispatcher's main
 * context.
 *
 * When a request leaves on another leg than it came on, our Via carries
 * `nsp-in=<hash of that leg>` so that the response goes back out on it.
 *
 * Limits: one target per request (a stateless proxy forwards to exactly
 * one, §16.11), the first RFC 3263 gives, on the leg the dispatcher's
 * resolution picks.
 *
 * Since: 1.0
 */

/**
 * net_sip_proxy_error_quark:
 *
 * The error domain of [class@NetSip.StatelessProxy].
 *
 * Returns: the quark of %NET_SIP_PROXY_ERROR
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-proxy-error-quark, net_sip_proxy_error)

#define BRANCH_PREFIX "z9hG4bKnsp"
#define CONTACT_PREFIX "nsp"
#define MAC_LEN 10
#define DEFAULT_MAX_FORWARDS 70

struct _NetSipStatelessProxy
{
  GObject           parent_instance;

  NetSipDispatcher *dispatcher;      /* weak */
  gboolean          record_route;
  gboolean          force_rewrite;
  gboolean          rewrite_contact;
  GBytes           *secret;
  GStrv             domains;

  guint64           n_forwarded_requests;
  guint64           n_forwarded_responses;
  guint64           n_rejected;
  guint64           n_dropped;
};

enum
{
  PROP_0,
  PROP_DISPATCHER,
  PROP_RECORD_ROUTE,
  PROP_FORCE_REWRITE,
  PROP_REWRITE_CONTACT,
  PROP_SECRET,
  PROP_DOMAINS,
  PROP_N_FORWARDED_REQUESTS,
  PROP_N_FORWARDED_RESPONSES,
  PROP_N_REJECTED,
  PROP_N_DROPPED,
  N_PROPS
};

static GParamSpec *props[N_PROPS];

enum
{
  SIG_LOOKUP_AOR,
  SIG_DO_NAT,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

static void net_sip_stateless_proxy_receiver_init (NetSipReceiverInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (NetSipStatelessProxy, net_sip_stateless_proxy, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (NET_SIP_TYPE_RECEIVER,
                                                      net_sip_stateless_proxy_receiver_init))

/* ------------------------------------------------------------------ */
/* Helpers                                                             */

static guint16
default_port (NetSipUri *uri)
{
  guint16 port = net_sip_uri_get_port (uri);
  const char *transport;

  if (port)
    return port;
  transport = net_sip_uri_get_param (uri, "transport");
  if (net_sip_uri_is_sips (uri) || (transport && g_ascii_strcasecmp (transport, "tls") == 0))
    return 5061;
  return 5060;
}

static gboolean
same_host (const char *a,
           const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return FALSE;
  /* IPv6 references with or without brackets */
  if (*a == '[')
    a++;
  if (*b == '[')
    b++;
  la = strlen (a);
  lb = strlen (b);
  if (la && a[la - 1] == ']')
    la--;
  if (lb && b[lb - 1] == ']')
    lb--;
  return la == lb && g_ascii_strncasecmp (a, b, la) == 0;
}

static GPtrArray *
all_legs (NetSipStatelessProxy *self)
{
  if (self->dispatcher == NULL)
    return g_ptr_array_new ();
  return net_sip_dispatcher_get_legs (self->dispatcher, NULL, 0, -1, NULL, NULL, NULL);
}

/* The leg whose address and port @uri names, or NULL */
static NetSipLeg *
local_leg_for_uri (NetSipStatelessProxy *self,
                   NetSipUri            *uri)
{
  g_autoptr(GPtrArray) legs = NULL;
  guint16 port;

  if (uri == NULL || !(net_sip_uri_is_sip (uri) || net_sip_uri_is_sips (uri)))
    return NULL;
  port = default_port (uri);
  legs = all_legs (self);
  for (guint i = 0; i < legs->len; i++)
    {
      NetSipLeg *leg = g_ptr_array_index (legs, i);
      if (net_sip_leg_get_port (leg) == port &&
          same_host (net_sip_leg_get_address (leg), net_sip_uri_get_host (uri)))
        return leg;
    }
  return NULL;
}

static gboolean
via_is_ours (NetSipStatelessProxy *self,
             NetSipVia            *via)
{
  g_autoptr(GPtrArray) legs = all_legs (self);
  guint16 port = net_sip_via_get_port (via);

  for (guint i = 0; i < legs->len; i++)
    {
      NetSipLeg *leg = g_ptr_array_index (legs, i);
      guint16 leg_port = net_sip_leg_get_port (leg);

      if ((port ? port : 5060) == leg_port &&
          g_ascii_strcasecmp (net_sip_via_get_transport (via),
                              net_sip_transport_to_string (net_sip_leg_get_protocol (leg))) == 0 &&
          same_host (net_sip_via_get_host (via), net_sip_leg_get_address (leg)))
        return TRUE;
    }
  return FALSE;
}

/* A token naming a leg in our Via (`nsp-in`): 8 hex digits of a hash of
 * its transport, address and port */
static char *
leg_tag (NetSipLeg *leg)
{
  g_autofree char *text = g_strdup_printf ("%s|%s|%u",
                                           net_sip_transport_to_string (net_sip_leg_get_protocol (leg)),
                                           net_sip_leg_get_address (leg), net_sip_leg_get_port (leg));
  return g_strdup_printf ("%08x", g_str_hash (text));
}

/* `sip:host:port` of a leg, with `;transport=` for a stream transport */
static char *
leg_uri (NetSipLeg  *leg,
         const char *user,
         gboolean    lr)
{
  const char *address = net_sip_leg_get_address (leg);
  NetSipTransport protocol = net_sip_leg_get_protocol (leg);
  gboolean v6 = strchr (address, ':') != NULL && *address != '[';
  GString *s = g_string_new (protocol == NET_SIP_TRANSPORT_TLS ? "sips:" : "sip:");

  if (user)
    g_string_append_printf (s, "%s@", user);
  g_string_append_printf (s, v6 ? "[%s]:%u" : "%s:%u", address, net_sip_leg_get_port (leg));
  if (protocol == NET_SIP_TRANSPORT_TCP)
    g_string_append (s, ";transport=tcp");
  if (lr)
    g_string_append (s, ";lr");
  return g_string_free (s, FALSE);
}

/* @addr as text with its URI replaced by @uri: display name and header
 * parameters stay as written (quoted values included) */
static char *
name_addr_with_uri (NetSipNameAddr *addr,
                    const char     *uri)
{
  g_autofree char *text = net_sip_name_addr_to_string (addr);
  const char *old = net_sip_name_addr_get_uri_string (addr);
  const char *at = strstr (text, old);
  GString *s;

  if (at == NULL)
    return g_strdup_printf ("<%s>", uri);
  s = g_string_new_len (text, at - text);
  if (at > text && at[-1] == '<')
    g_string_append (s, uri);
  else
    g_string_append_printf (s, "<%s>", uri);
  g_string_append (s, at + strlen (old));
  return g_string_free (s, FALSE);
}

/* Replaces every Route line by @routes (NameAddr), or removes them */
static void
set_routes (NetSipMessage *message,
            GPtrArray     *routes,
            guint          from,
            guint          to)
{
  GString *s;

  if (from >= to)
    {
      net_sip_message_set_header (message, "Route", NULL);
      return;
    }
  s = g_string_new (NULL);
  for (guint i = from; i < to; i++)
    {
      g_autofree char *text = net_sip_name_addr_to_string (g_ptr_array_index (routes, i));
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", text);
    }
  net_sip_message_set_header (message, "Route", s->str);
  g_string_free (s, TRUE);
}

static void
answer_sent (GObject      *source,
             GAsyncResult *result,
             gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("stateless proxy: send failed: %s", error->message);
}

/* Answers @request as a UAS would (§16.3: the proxy rejects it itself;
 * §11.2: an OPTIONS for the proxy) */
static void
respond (NetSipStatelessProxy *self,
         NetSipMessage        *request,
         NetSipLeg            *leg,
         guint                 code,
         const char           *reason,
         const char           *header,
         const char           *value)
{
  g_autoptr(NetSipResponse) response = NULL;
  g_autoptr(NetSipDeliveryOptions) options = NULL;
  g_autofree char *tag = NULL;

  if (g_strcmp0 (net_sip_message_get_method (request), "ACK") == 0 || self->dispatcher == NULL)
    return;   /* an ACK is never answered (§17) */
  g_debug ("stateless proxy: answering %s with %u", net_sip_message_get_method (request), code);
  /* computed, not random: the ACK of this response (a non-2xx) is
   * recognised without state and absorbed (§17.2.1, §16.11) */
  if (net_sip_message_get_to_tag (request) == NULL)
    tag = net_sip_local_tag_new (self->secret, request);
  response = net_sip_request_create_response (NET_SIP_REQUEST (request), code, reason, tag);
  if (header)
    net_sip_message_set_header (NET_SIP_MESSAGE (response), header, value);
  net_sip_message_set_header (NET_SIP_MESSAGE (response), "Content-Length", "0");
  options = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_leg (options, leg);
  net_sip_dispatcher_deliver_async (self->dispatcher, NET_SIP_MESSAGE (response), options,
                                    NULL, answer_sent, NULL);
}

static void
reject (NetSipStatelessProxy *self,
        NetSipMessage        *request,
        NetSipLeg            *leg,
        guint                 code,
        const char           *reason,
        const char           *header,
        const char           *value)
{
  self->n_rejected++;
  respond (self, request, leg, code, reason, header, value);
}

/* ------------------------------------------------------------------ */
/* Branch (§16.11) and loop detection (§16.3 step 4, §16.6 step 8)     */

static void
checksum_field (GChecksum  *checksum,
                const char *value)
{
  if (value)
    g_checksum_update (checksum, (const guchar *) value, -1);
  g_checksum_update (checksum, (const guchar *) "\n", 1);
}

/* The loop-detection part: what stays the same when a request comes back
 * to us unchanged and changes in a spiral (the Request-URI or the Route
 * set). Fields a CANCEL or a non-2xx ACK share with their INVITE only, so
 * that they get the INVITE's branch. */
static char *
loop_hash (NetSipMessage *request)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_auto(GStrv) routes = net_sip_message_get_headers (request, "Route");
  char cseq[16];
  guint8 digest[32];
  gsize len = sizeof digest;

  checksum_field (checksum, net_sip_request_get_uri (NET_SIP_REQUEST (request)));
  for (guint i = 0; routes && routes[i]; i++)
    checksum_field (checksum, routes[i]);
  checksum_field (checksum, net_sip_message_get_call_id (request));
  checksum_field (checksum, net_sip_message_get_from_tag (request));
  g_snprintf (cseq, sizeof cseq, "%u", net_sip_message_get_cseq_number (request));
  checksum_field (checksum, cseq);
  g_checksum_get_digest (checksum, digest, &len);
  return g_strdup_printf ("%02x%02x%02x%02x%02x%02x%02x%02x", digest[0], digest[1], digest[2],
                          digest[3], digest[4], digest[5], digest[6], digest[7]);
}

static gboolean
detect_loop (NetSipStatelessProxy *self,
             NetSipMessage        *request,
             const char           *loop)
{
  g_autoptr(GPtrArray) vias = net_sip_message_get_vias (request, NULL);

  for (guint i = 0; vias && i < vias->len; i++)
    {
      NetSipVia *via = g_ptr_array_index (vias, i);
      const char *branch = net_sip_via_get_branch (via);
      const char *dot;

      if (branch == NULL || !g_str_has_prefix (branch, BRANCH_PREFIX) ||
          (dot = strchr (branch, '.')) == NULL)
        continue;
      if (g_ascii_strcasecmp (dot + 1, loop) == 0 && via_is_ours (self, via))
        return TRUE;
    }
  return FALSE;
}

static char *
compute_branch (NetSipMessage *request,
                const char    *loop)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  NetSipVia *via = net_sip_message_get_top_via (request, NULL);
  const char *method = net_sip_message_get_method (request);
  const char *branch = via ? net_sip_via_get_branch (via) : NULL;
  char cseq[16];
  guint8 digest[32];
  gsize len = sizeof digest;
  GString *s;

  /* §16.11: the top Via's branch (the whole top Via for an RFC 2543
   * client, whose branch is no transaction id), To tag, From tag,
   * Call-ID, CSeq number and Request-URI as received. The To tag is left
   * out for ACK: the ACK of a non-2xx carries the tag of that response
   * and must get its INVITE's branch (§17.1.1.3); the CSeq method is left
   * out so that a CANCEL gets its INVITE's branch (§9.1, §16.11). */
  if (branch && g_str_has_prefix (branch, "z9hG4bK"))
    checksum_field (checksum, branch);
  else
    checksum_field (checksum, net_sip_message_get_header (request, "Via"));
  checksum_field (checksum, g_strcmp0 (method, "ACK") == 0
                              ? NULL : net_sip_message_get_to_tag (request));
  checksum_field (checksum, net_sip_message_get_from_tag (request));
  checksum_field (checksum, net_sip_message_get_call_id (request));
  g_snprintf (cseq, sizeof cseq, "%u", net_sip_message_get_cseq_number (request));
  checksum_field (checksum, cseq);
  checksum_field (checksum, net_sip_request_get_uri (NET_SIP_REQUEST (request)));
  g_checksum_get_digest (checksum, digest, &len);

  s = g_string_new (BRANCH_PREFIX);
  for (guint i = 0; i < 12; i++)
    g_string_append_printf (s, "%02x", digest[i]);
  g_string_append_printf (s, ".%s", loop);
  return g_string_free (s, FALSE);
}

/* Our Via, with the computed branch, on top of @request */
static void
push_via (NetSipLeg     *leg,
          NetSipMessage *request,
          const char    *branch,
          NetSipLeg     *in)
{
  g_autofree char *value = NULL;
  const char *start, *end;
  GString *s;

  net_sip_leg_add_via (leg, request);
  value = g_strdup (net_sip_message_get_header (request, "Via"));
  start = value ? strstr (value, ";branch=") : NULL;
  if (start == NULL)
    return;
  start += strlen (";branch=");
  end = strchr (start, ';');
  s = g_string_new_len (value, start - value);
  g_string_append (s, branch);
  if (end)
    g_string_append (s, end);
  /* the response leaves on the leg the request came on: a stateless
   * proxy notes it in its own Via (a via-extension, RFC 3261 §20.42) */
  if (in != NULL && in != leg)
    {
      g_autofree char *tag = leg_tag (in);
      g_string_append_printf (s, ";nsp-in=%s", tag);
    }
  net_sip_message_remove_first_header (request, "Via");
  net_sip_message_prepend_header (request, "Via", s->str);
  g_string_free (s, TRUE);
}

/* ------------------------------------------------------------------ */
/* Contact rewriting                                                   */

static void
mac_of (NetSipStatelessProxy *self,
        const char           *uri,
        gsize                 uri_len,
        guint8               *mac)
{
  gsize key_len = 0;
  const guint8 *key = g_bytes_get_data (self->secret, &key_len);
  g_autoptr(GHmac) hmac = g_hmac_new (G_CHECKSUM_SHA256, key, key_len);
  guint8 digest[32];
  gsize len = sizeof digest;

  g_hmac_update (hmac, (const guchar *) uri, uri_len);
  g_hmac_get_digest (hmac, digest, &len);
  memcpy (mac, digest, MAC_LEN);
}

static char *
base64url_encode (const guint8 *data,
                  gsize         len)
{
  char *s = g_base64_encode (data, len);
  char *p;

  for (p = s; *p; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }
  return s;
}

static guint8 *
base64url_decode (const char *text,
                  gsize      *out_len)
{
  gsize len = strlen (text);
  g_autoptr(GString) s = g_string_sized_new (len + 4);

  for (gsize i = 0; i < len; i++)
    {
      char c = text[i];
      if (c == '-')
        c = '+';
      else if (c == '_')
        c = '/';
      else if (!g_ascii_isalnum (c))
        return NULL;
      g_string_append_c (s, c);
    }
  if (s->len % 4 == 1)
    return NULL;
  while (s->len % 4)
    g_string_append_c (s, '=');
  return g_base64_decode (s->str, out_len);
}

static gboolean
should_rewrite (NetSipStatelessProxy *self,
                NetSipLeg            *in,
                NetSipLeg            *out)
{
  return self->rewrite_contact && (self->force_rewrite || in != out);
}

/* Each Contact URI: ours turned back, others encoded for @out */
static void
rewrite_contacts (NetSipStatelessProxy *self,
                  NetSipMessage        *message,
                  NetSipLeg            *out)
{
  g_autoptr(GPtrArray) contacts = NULL;
  GString *s;
  gboolean changed = FALSE;

  if (net_sip_message_get_header (message, "Contact") == NULL)
    return;
  contacts = net_sip_message_get_contacts (message, NULL);
  if (contacts == NULL || contacts->len == 0)
    return;
  s = g_string_new (NULL);
  for (guint i = 0; i < contacts->len; i++)
    {
      NetSipNameAddr *addr = g_ptr_array_index (contacts, i);
      const char *uri = net_sip_name_addr_get_uri_string (addr);
      g_autofree char *decoded = NULL;
      g_autofree char *encoded = NULL;
      g_autofree char *text = NULL;

      if (net_sip_name_addr_is_wildcard (addr))
        {
          g_string_free (s, TRUE);
          return;
        }
      decoded = net_sip_stateless_proxy_decode_contact (self, uri, NULL);
      if (decoded == NULL)
        encoded = net_sip_stateless_proxy_encode_contact (self, uri, out);
      text = name_addr_with_uri (addr, decoded ? decoded : encoded);
      g_string_append_printf (s, "%s%s", s->len ? ", " : "", text);
      changed = TRUE;
    }
  if (changed)
    net_sip_message_set_header (message, "Contact", s->str);
  g_string_free (s, TRUE);
}

static guint
emit_do_nat (NetSipStatelessProxy *self,
             NetSipMessage        *message,
             NetSipLeg            *in,
             NetSipLeg            *out)
{
  guint code = 0;

  if (g_signal_has_handler_pending (self, signals[SIG_DO_NAT], 0, TRUE))
    g_signal_emit (self, signals[SIG_DO_NAT], 0, message, in, out, &code);
  return code;
}

/* ------------------------------------------------------------------ */
/* Requests                                                            */

typedef struct
{
  NetSipStatelessProxy *self;
  NetSipMessage        *request;
  NetSipLeg            *in;
  char                 *branch;
} Forward;

static void
forward_free (Forward *f)
{
  g_object_unref (f->self);
  g_object_unref (f->request);
  g_object_unref (f->in);
  g_free (f->branch);
  g_free (f);
}

static void
forward_sent (GObject      *source,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GError) error = NULL;

  if (!net_sip_dispatcher_deliver_finish (NET_SIP_DISPATCHER (source), result, NULL, &error))
    g_debug ("stateless proxy: forwarding failed: %s", error->message);
}

/* Sends f->request to the first of @targets (NULL: the next hop did not
 * resolve, @error says why); frees @f */
static void
forward_to (Forward   *f,
            GPtrArray *targets,
            GPtrArray *legs,
            GError    *error)
{
  NetSipStatelessProxy *self = f->self;
  g_autoptr(NetSipDeliveryOptions) options = NULL;
  const char *method = net_sip_message_get_method (f->request);
  NetSipLeg *out;
  NetSipTarget *target;
  guint code;

  if (targets == NULL || targets->len == 0)
    {
      g_debug ("stateless proxy: no next hop: %s", error ? error->message : "no target");
      reject (self, f->request, f->in, 404, "No Route To Target", NULL, NULL);
      forward_free (f);
      return;
    }
  if (self->dispatcher == NULL)
    {
      forward_free (f);
      return;
    }
  /* stateless: exactly one target (§16.11), the first RFC 3263 gives */
  target = g_ptr_array_index (targets, 0);
  out = g_ptr_array_index (legs, 0);

  /* §16.6 step 4: Record-Route, one per leg when the legs differ so that
   * each side routes to the address it can reach (RFC 5658) */
  if (self->record_route && g_strcmp0 (method, "REGISTER") != 0 &&
      g_strcmp0 (method, "ACK") != 0 && g_strcmp0 (method, "CANCEL") != 0)
    {
      g_autofree char *rr_in = leg_uri (f->in, NULL, TRUE);
      g_autofree char *value = g_strdup_printf ("<%s>", rr_in);
      net_sip_message_prepend_header (f->request, "Record-Route", value);
      if (out != f->in)
        {
          g_autofree char *rr_out = leg_uri (out, NULL, TRUE);
          g_free (value);
          value = g_strdup_printf ("<%s>", rr_out);
          net_sip_message_prepend_header (f->request, "Record-Route", value);
        }
    }
  if (should_rewrite (self, f->in, out))
    rewrite_contacts (self, f->request, out);
  code = emit_do_nat (self, f->request, f->in, out);
  if (code >= 300)
    {
      reject (self, f->request, f->in, code, NULL, NULL, NULL);
      forward_free (f);
      return;
    }

  /* §16.6 step 8 */
  push_via (out, f->request, f->branch, f->in);
  options = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_leg (options, out);
  net_sip_delivery_options_set_destination (options, net_sip_target_get_address (target));
  net_sip_delivery_options_set_do_retransmits (options, FALSE);
  self->n_forwarded_requests++;
  net_sip_dispatcher_deliver_async (self->dispatcher, f->request, options, NULL,
                                    forward_sent, NULL);
  forward_free (f);
}

static void
forward_resolved (GObject      *source,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GPtrArray) targets = NULL;
  g_autoptr(GPtrArray) legs = NULL;
  g_autoptr(GError) error = NULL;

  net_sip_dispatcher_resolve_uri_finish (NET_SIP_DISPATCHER (source), result, &targets, &legs, &error);
  forward_to (user_data, targets, legs, error);
}

static char *
aor_of (NetSipUri *uri)
{
  const char *user = net_sip_uri_get_user (uri);
  g_autofree char *host = g_ascii_strdown (net_sip_uri_get_host (uri), -1);

  if (user)
    return g_strdup_printf ("%s:%.*s@%s", net_sip_uri_is_sips (uri) ? "sips" : "sip",
                            (int) net_sip_uri_get_user_length (uri), user, host);
  return g_strdup_printf ("%s:%s", net_sip_uri_is_sips (uri) ? "sips" : "sip", host);
}

static gboolean
in_domains (NetSipStatelessProxy *self,
            NetSipUri            *uri)
{
  const char *host = net_sip_uri_get_host (uri);

  for (guint i = 0; self->domains && self->domains[i]; i++)
    if (same_host (self->domains[i], host))
      return TRUE;
  return FALSE;
}

static gboolean
handle_request (NetSipStatelessProxy *self,
                NetSipMessage        *request,
                NetSipLeg            *leg)
{
  NetSipRequest *req = NET_SIP_REQUEST (request);
  g_autofree char *reason = NULL;
  g_autofree char *loop = NULL;
  g_autofree char *branch = NULL;
  g_autoptr(GPtrArray) routes = NULL;
  g_autoptr(NetSipUri) next_hop = NULL;
  g_autoptr(GError) error = NULL;
  guint n_routes, first;
  gint64 max_forwards;
  guint code;
  char mf[8];
  Forward *f;

  /* the ACK of a response we made ourselves (a 404, 483...) ends here:
   * its To tag is the one we computed (§17.2.1, §16.11) */
  if (g_strcmp0 (net_sip_message_get_method (request), "ACK") == 0 &&
      net_sip_local_tag_check (self->secret, request))
    {
      g_debug ("stateless proxy: ACK of our own response absorbed");
      return TRUE;
    }
  /* §16.3 steps 1-2 */
  code = net_sip_message_validate (request, &reason);
  if (code)
    {
      reject (self, request, leg, code, NULL, NULL, NULL);
      return TRUE;
    }
  /* §16.3 step 3 */
  max_forwards = net_sip_message_get_max_forwards (request);
  if (max_forwards == 0)
    {
      reject (self, request, leg, 483, NULL, NULL, NULL);
      return TRUE;
    }
  /* §16.3 step 4 */
  loop = loop_hash (request);
  if (detect_loop (self, request, loop))
    {
      reject (self, request, leg, 482, NULL, NULL, NULL);
      return TRUE;
    }
  /* §16.3 step 5: we support no extension */
  if (net_sip_message_get_header (request, "Proxy-Require"))
    {
      g_auto(GStrv) required = net_sip_message_get_headers (request, "Proxy-Require");
      g_autofree char *list = g_strjoinv (", ", required);
      reject (self, request, leg, 420, NULL, "Unsupported", list);
      return TRUE;
    }
  /* the branch from the request as received (§16.11) */
  branch = compute_branch (request, loop);

  /* §16.4: a strict router sent us a Request-URI that is our
   * Record-Route: the real one is the last Route */
  routes = net_sip_message_get_routes (request, &error);
  if (routes == NULL)
    {
      reject (self, request, leg, 400, "Bad Route", NULL, NULL);
      return TRUE;
    }
  n_routes = routes->len;
  {
    g_autoptr(NetSipUri) ruri = net_sip_request_get_parsed_uri (req, NULL);
    if (ruri && n_routes > 0 && net_sip_uri_get_user (ruri) == NULL &&
        local_leg_for_uri (self, ruri) != NULL)
      {
        NetSipNameAddr *last = g_ptr_array_index (routes, n_routes - 1);
        net_sip_request_set_uri (req, net_sip_name_addr_get_uri_string (last));
        n_routes--;
      }
  }
  /* §16.4: our own Route values on top go (loose routing) */
  first = 0;
  while (first < n_routes)
    {
      g_autoptr(NetSipUri) uri =
        net_sip_name_addr_get_uri (g_ptr_array_index (routes, first), NULL);
      if (uri == NULL || local_leg_for_uri (self, uri) == NULL)
        break;
      first++;
    }
  if (first > 0 || n_routes < routes->len)
    set_routes (request, routes, first, n_routes);

  if (first < n_routes)
    {
      NetSipNameAddr *top = g_ptr_array_index (routes, first);
      g_autoptr(NetSipUri) uri = net_sip_name_addr_get_uri (top, NULL);

      if (uri == NULL)
        {
          reject (self, request, leg, 400, "Bad Route", NULL, NULL);
          return TRUE;
        }
      if (!net_sip_uri_has_param (uri, "lr"))
        {
          /* §16.6 step 6: the next hop is a strict router: it gets the
           * Route in the Request-URI, the Request-URI goes last */
          g_autofree char *old = g_strdup_printf ("<%s>", net_sip_request_get_uri (req));
          g_autoptr(NetSipNameAddr) old_addr = net_sip_name_addr_parse (old, -1, NULL);
          net_sip_request_set_uri (req, net_sip_name_addr_get_uri_string (top));
          if (old_addr)
            g_ptr_array_insert (routes, n_routes, net_sip_name_addr_ref (old_addr));
          set_routes (request, routes, first + 1, n_routes + (old_addr ? 1 : 0));
          next_hop = net_sip_request_get_parsed_uri (req, NULL);
        }
      else
        next_hop = g_steal_pointer (&uri);
    }
  else
    {
      g_autoptr(NetSipUri) ruri = net_sip_request_get_parsed_uri (req, NULL);
      g_autoptr(GError) decode_error = NULL;
      g_autofree char *decoded = NULL;

      if (ruri == NULL || !(net_sip_uri_is_sip (ruri) || net_sip_uri_is_sips (ruri)))
        {
          reject (self, request, leg, 416, NULL, NULL, NULL);
          return TRUE;
        }
      /* addressed to the proxy itself (no user part): an OPTIONS ping is
       * answered as a UAS would (§11.2), anything else has nowhere to go */
      if (net_sip_uri_get_user (ruri) == NULL && local_leg_for_uri (self, ruri) != NULL)
        {
          if (g_strcmp0 (net_sip_message_get_method (request), "OPTIONS") == 0)
            {
              respond (self, request, leg, 200, NULL, "Allow",
                      "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, PRACK, SUBSCRIBE, "
                      "NOTIFY, PUBLISH, INFO, REFER, MESSAGE, UPDATE");
            }
          else
            reject (self, request, leg, 404, NULL, NULL, NULL);
          return TRUE;
        }
      decoded = net_sip_stateless_proxy_decode_contact (self, net_sip_request_get_uri (req),
                                                        &decode_error);
      if (decoded)
        net_sip_request_set_uri (req, decoded);
      else if (g_error_matches (decode_error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_FORGED))
        {
          reject (self, request, leg, 403, "Invalid Contact", NULL, NULL);
          return TRUE;
        }
      else
        {
          /* §16.5: the location service of our domain */
          g_autofree char *aor = aor_of (ruri);
          g_autofree char *contact = NULL;

          g_signal_emit (self, signals[SIG_LOOKUP_AOR], 0, aor, request, &contact);
          if (contact)
            net_sip_request_set_uri (req, contact);
          else if (in_domains (self, ruri) ||
                   (net_sip_uri_get_user (ruri) && local_leg_for_uri (self, ruri)))
            {
              reject (self, request, leg, 404, NULL, NULL, NULL);
              return TRUE;
            }
        }
      next_hop = net_sip_request_get_parsed_uri (req, &error);
      if (next_hop == NULL)
        {
          reject (self, request, leg, 416, NULL, NULL, NULL);
          return TRUE;
        }
    }

  /* §16.6 step 3 */
  g_snprintf (mf, sizeof mf, "%d",
              max_forwards < 0 ? DEFAULT_MAX_FORWARDS : (int) max_forwards - 1);
  net_sip_message_set_header (request, "Max-Forwards", mf);

  f = g_new0 (Forward, 1);
  f->self = g_object_ref (self);
  f->request = g_object_ref (request);
  f->in = g_object_ref (leg);
  f->branch = g_steal_pointer (&branch);
  /* an IP address as next hop (the usual case behind a registrar) needs
   * no DNS: forwarded at once, without a GTask (RFC 3263 §4.2) */
  {
    g_autoptr(GPtrArray) targets = NULL;
    g_autoptr(GPtrArray) legs = NULL;
    g_autoptr(GError) resolve_error = NULL;

    if (net_sip_dispatcher_resolve_uri_numeric (self->dispatcher, next_hop, NULL, 0, NULL, 0,
                                                &targets, &legs, &resolve_error) ||
        resolve_error != NULL)
      {
        forward_to (f, targets, legs, resolve_error);
        return TRUE;
      }
  }
  net_sip_dispatcher_resolve_uri_async (self->dispatcher, next_hop, NULL, 0, NULL, 0, NULL,
                                        forward_resolved, f);
  return TRUE;
}

/* ------------------------------------------------------------------ */
/* Responses (§16.7)                                                   */

static gboolean
unusable_destination (GInetAddress *address)
{
  g_autoptr(GInetAddress) broadcast = g_inet_address_new_from_string ("255.255.255.255");

  return g_inet_address_get_is_any (address) || g_inet_address_get_is_multicast (address) ||
         g_inet_address_equal (address, broadcast);
}

static GInetSocketAddress *
via_destination (NetSipVia       *via,
                 NetSipTransport *transport)
{
  g_autoptr(GInetAddress) address = NULL;
  g_autofree char *bare = NULL;
  const char *host;
  guint16 port;
  gsize len;

  if (!net_sip_transport_from_string (net_sip_via_get_transport (via), transport))
    return NULL;
  port = net_sip_via_get_port (via);
  if (port == 0)
    port = *transport == NET_SIP_TRANSPORT_TLS ? 5061 : 5060;
  host = net_sip_via_get_param (via, "maddr");
  if (host == NULL)
    {
      host = net_sip_via_get_received (via);
      if (host && net_sip_via_get_rport (via) > 0)
        port = net_sip_via_get_rport (via);
    }
  if (host == NULL)
    host = net_sip_via_get_host (via);
  if (host == NULL)
    return NULL;
  len = strlen (host);
  if (len > 2 && host[0] == '[' && host[len - 1] == ']')
    host = bare = g_strndup (host + 1, len - 2);
  address = g_inet_address_new_from_string (host);
  if (address == NULL)
    return NULL;
  return G_INET_SOCKET_ADDRESS (g_inet_socket_address_new (address, port));
}

static gboolean
handle_response (NetSipStatelessProxy *self,
                 NetSipMessage        *response,
                 NetSipLeg            *leg)
{
  g_autoptr(GPtrArray) vias = net_sip_message_get_vias (response, NULL);
  g_autoptr(GInetSocketAddress) destination = NULL;
  g_autoptr(NetSipDeliveryOptions) options = NULL;
  g_autoptr(GPtrArray) out_legs = NULL;
  NetSipTransport transport;
  NetSipLeg *out = NULL;
  const char *first_line;

  if (vias == NULL || vias->len == 0 || !via_is_ours (self, g_ptr_array_index (vias, 0)))
    return FALSE;

  /* §16.7 step 3: our Via goes; only the first element of its line */
  first_line = net_sip_message_get_header (response, "Via");
  if (first_line && strchr (first_line, ',') != NULL)
    {
      GString *s = g_string_new (NULL);

      /* one line: the elements after ours, then those of the other lines */
      for (guint i = 1; i < vias->len; i++)
        {
          g_autofree char *text = net_sip_via_to_string (g_ptr_array_index (vias, i));
          g_string_append_printf (s, "%s%s", s->len ? ", " : "", text);
        }
      net_sip_message_set_header (response, "Via", s->len ? s->str : NULL);
      g_string_free (s, TRUE);
    }
  else
    net_sip_message_remove_first_header (response, "Via");

  if (vias->len < 2)
    {
      /* a response to a request this proxy sent itself: none */
      self->n_dropped++;
      return TRUE;
    }
  /* §16.7 step 9, §18.2.2 */
  destination = via_destination (g_ptr_array_index (vias, 1), &transport);
  if (destination == NULL ||
      unusable_destination (g_inet_socket_address_get_address (destination)))
    {
      g_debug ("stateless proxy: dropping a response with no usable next Via");
      self->n_dropped++;
      return TRUE;
    }
  if (self->dispatcher == NULL)
    return TRUE;
  /* the leg the request came on: named in our Via when it was not the
   * one the request left on, else the one the response came on; failing
   * both, the first that can reach the destination */
  {
    const char *in_tag = net_sip_via_get_param (g_ptr_array_index (vias, 0), "nsp-in");
    GInetAddress *address = g_inet_socket_address_get_address (destination);

    out_legs = net_sip_dispatcher_get_legs (self->dispatcher, NULL, 0, transport, NULL, NULL, NULL);
    for (guint i = 0; in_tag && out == NULL && i < out_legs->len; i++)
      {
        NetSipLeg *candidate = g_ptr_array_index (out_legs, i);
        g_autofree char *tag = leg_tag (candidate);
        if (g_ascii_strcasecmp (tag, in_tag) == 0 &&
            net_sip_leg_can_deliver_to (candidate, transport, address))
          out = candidate;
      }
    if (out == NULL && in_tag == NULL && net_sip_leg_can_deliver_to (leg, transport, address))
      out = leg;
    for (guint i = 0; out == NULL && i < out_legs->len; i++)
      {
        NetSipLeg *candidate = g_ptr_array_index (out_legs, i);
        if (net_sip_leg_can_deliver_to (candidate, transport, address))
          out = candidate;
      }
  }
  if (out == NULL)
    {
      g_debug ("stateless proxy: no %s leg for a response", net_sip_transport_to_string (transport));
      self->n_dropped++;
      return TRUE;
    }
  if (should_rewrite (self, leg, out))
    rewrite_contacts (self, response, out);
  if (emit_do_nat (self, response, leg, out) >= 300)
    {
      self->n_dropped++;
      return TRUE;
    }
  options = net_sip_delivery_options_new ();
  net_sip_delivery_options_set_leg (options, out);
  net_sip_delivery_options_set_destination (options, destination);
  self->n_forwarded_responses++;
  net_sip_dispatcher_deliver_async (self->dispatcher, response, options, NULL, forward_sent, NULL);
  return TRUE;
}

static gboolean
net_sip_stateless_proxy_receive (NetSipReceiver   *receiver,
                                 NetSipMessage    *message,
                                 NetSipLeg        *leg,
                                 NetSipSourceInfo *source)
{
  NetSipStatelessProxy *self = NET_SIP_STATELESS_PROXY (receiver);
  gboolean handled;

  if (self->dispatcher == NULL)
    return FALSE;
  g_object_ref (self);
  if (net_sip_message_is_request (message))
    handled = handle_request (self, message, leg);
  else
    handled = handle_response (self, message, leg);
  g_object_unref (self);
  return handled;
}

static void
net_sip_stateless_proxy_receiver_init (NetSipReceiverInterface *iface)
{
  iface->receive = net_sip_stateless_proxy_receive;
}

/* ------------------------------------------------------------------ */
/* GObject                                                             */

static void
net_sip_stateless_proxy_dispose (GObject *object)
{
  NetSipStatelessProxy *self = NET_SIP_STATELESS_PROXY (object);

  g_clear_weak_pointer (&self->dispatcher);
  G_OBJECT_CLASS (net_sip_stateless_proxy_parent_class)->dispose (object);
}

static void
net_sip_stateless_proxy_finalize (GObject *object)
{
  NetSipStatelessProxy *self = NET_SIP_STATELESS_PROXY (object);

  g_bytes_unref (self->secret);
  g_strfreev (self->domains);
  G_OBJECT_CLASS (net_sip_stateless_proxy_parent_class)->finalize (object);
}

static void
net_sip_stateless_proxy_get_property (GObject    *object,
                                      guint       prop_id,
                                      GValue     *value,
                                      GParamSpec *pspec)
{
  NetSipStatelessProxy *self = NET_SIP_STATELESS_PROXY (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_value_set_object (value, self->dispatcher);
      break;
    case PROP_RECORD_ROUTE:
      g_value_set_boolean (value, self->record_route);
      break;
    case PROP_FORCE_REWRITE:
      g_value_set_boolean (value, self->force_rewrite);
      break;
    case PROP_REWRITE_CONTACT:
      g_value_set_boolean (value, self->rewrite_contact);
      break;
    case PROP_DOMAINS:
      g_value_set_boxed (value, self->domains);
      break;
    case PROP_N_FORWARDED_REQUESTS:
      g_value_set_uint64 (value, self->n_forwarded_requests);
      break;
    case PROP_N_FORWARDED_RESPONSES:
      g_value_set_uint64 (value, self->n_forwarded_responses);
      break;
    case PROP_N_REJECTED:
      g_value_set_uint64 (value, self->n_rejected);
      break;
    case PROP_N_DROPPED:
      g_value_set_uint64 (value, self->n_dropped);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
set_bool (NetSipStatelessProxy *self,
          gboolean             *field,
          gboolean              value,
          guint                 prop)
{
  value = !!value;
  if (*field == value)
    return;
  *field = value;
  g_object_notify_by_pspec (G_OBJECT (self), props[prop]);
}

static void
net_sip_stateless_proxy_set_property (GObject      *object,
                                      guint         prop_id,
                                      const GValue *value,
                                      GParamSpec   *pspec)
{
  NetSipStatelessProxy *self = NET_SIP_STATELESS_PROXY (object);

  switch (prop_id)
    {
    case PROP_DISPATCHER:
      g_set_weak_pointer (&self->dispatcher, g_value_get_object (value));
      if (self->dispatcher)
        g_object_set (self->dispatcher, "do-retransmits", FALSE, NULL);
      break;
    case PROP_RECORD_ROUTE:
      set_bool (self, &self->record_route, g_value_get_boolean (value), PROP_RECORD_ROUTE);
      break;
    case PROP_FORCE_REWRITE:
      set_bool (self, &self->force_rewrite, g_value_get_boolean (value), PROP_FORCE_REWRITE);
      break;
    case PROP_REWRITE_CONTACT:
      set_bool (self, &self->rewrite_contact, g_value_get_boolean (value), PROP_REWRITE_CONTACT);
      break;
    case PROP_SECRET:
      net_sip_stateless_proxy_set_secret (self, g_value_get_boxed (value));
      break;
    case PROP_DOMAINS:
      net_sip_stateless_proxy_set_domains (self, g_value_get_boxed (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static gboolean
first_nonzero (GSignalInvocationHint *hint,
               GValue                *accumulated,
               const GValue          *handler_return,
               gpointer               data)
{
  guint code = g_value_get_uint (handler_return);

  g_value_set_uint (accumulated, code);
  return code == 0;
}

static gboolean
first_non_null (GSignalInvocationHint *hint,
                GValue                *accumulated,
                const GValue          *handler_return,
                gpointer               data)
{
  const char *contact = g_value_get_string (handler_return);

  if (contact == NULL)
    return TRUE;
  g_value_set_string (accumulated, contact);
  return FALSE;
}

static void
net_sip_stateless_proxy_class_init (NetSipStatelessProxyClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags rw = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS | G_PARAM_EXPLICIT_NOTIFY;

  object_class->dispose = net_sip_stateless_proxy_dispose;
  object_class->finalize = net_sip_stateless_proxy_finalize;
  object_class->get_property = net_sip_stateless_proxy_get_property;
  object_class->set_property = net_sip_stateless_proxy_set_property;

  /**
   * NetSipStatelessProxy:dispatcher:
   *
   * The dispatcher whose legs the proxy forwards between (held weakly).
   * Setting it sets the dispatcher's
   * [property@NetSip.Dispatcher:do-retransmits] to %FALSE (§16.11).
   *
   * Since: 1.0
   */
  props[PROP_DISPATCHER] =
    g_param_spec_object ("dispatcher", NULL, NULL, NET_SIP_TYPE_DISPATCHER,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipStatelessProxy:record-route:
   *
   * Whether forwarded requests (other than REGISTER, ACK and CANCEL) get a
   * `Record-Route: <sip:leg;lr>` so that the dialog's later requests pass
   * this proxy (RFC 3261 §16.6 step 4, §16.12.1). Default %FALSE.
   *
   * Since: 1.0
   */
  props[PROP_RECORD_ROUTE] = g_param_spec_boolean ("record-route", NULL, NULL, FALSE, rw);
  /**
   * NetSipStatelessProxy:force-rewrite:
   *
   * Rewrite Contact headers also when a message leaves on the leg it came
   * on (Net::SIP's `force_rewrite`). Default %FALSE.
   *
   * Since: 1.0
   */
  props[PROP_FORCE_REWRITE] = g_param_spec_boolean ("force-rewrite", NULL, NULL, FALSE, rw);
  /**
   * NetSipStatelessProxy:rewrite-contact:
   *
   * Whether Contact headers are rewritten at all between legs. Default
   * %TRUE (Net::SIP's behaviour).
   *
   * Since: 1.0
   */
  props[PROP_REWRITE_CONTACT] = g_param_spec_boolean ("rewrite-contact", NULL, NULL, TRUE, rw);
  /**
   * NetSipStatelessProxy:secret:
   *
   * The key of the HMAC-SHA256 that protects rewritten Contacts (write
   * only). By default 32 random bytes from getrandom(2) made at
   * construction: rewritten Contacts then stop working when the process
   * restarts; set the same secret on every start (or on every proxy of a
   * cluster) to keep them valid.
   *
   * Since: 1.0
   */
  props[PROP_SECRET] =
    g_param_spec_boxed ("secret", NULL, NULL, G_TYPE_BYTES,
                        G_PARAM_WRITABLE | G_PARAM_STATIC_STRINGS);
  /**
   * NetSipStatelessProxy:domains:
   *
   * Domains this proxy is responsible for (§16.5): a Request-URI in one of
   * them that [signal@NetSip.StatelessProxy::lookup-aor] finds no contact
   * for is answered `404 Not Found` instead of being resolved by DNS.
   *
   * Since: 1.0
   */
  props[PROP_DOMAINS] = g_param_spec_boxed ("domains", NULL, NULL, G_TYPE_STRV, rw);
  /**
   * NetSipStatelessProxy:n-forwarded-requests:
   *
   * Requests forwarded (retransmissions count again). Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_FORWARDED_REQUESTS] =
    g_param_spec_uint64 ("n-forwarded-requests", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipStatelessProxy:n-forwarded-responses:
   *
   * Responses forwarded. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_FORWARDED_RESPONSES] =
    g_param_spec_uint64 ("n-forwarded-responses", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipStatelessProxy:n-rejected:
   *
   * Requests the proxy answered itself with an error (400, 403, 404, 416,
   * 420, 482, 483...) or dropped as a bad ACK. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_REJECTED] = g_param_spec_uint64 ("n-rejected", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  /**
   * NetSipStatelessProxy:n-dropped:
   *
   * Responses dropped: no Via left, a broadcast or unusable next hop, no
   * leg for it, or refused by the NAT helper. Not notified.
   *
   * Since: 1.0
   */
  props[PROP_N_DROPPED] = g_param_spec_uint64 ("n-dropped", NULL, NULL, 0, G_MAXUINT64, 0, ro);
  g_object_class_install_properties (object_class, N_PROPS, props);

  /**
   * NetSipStatelessProxy::lookup-aor:
   * @proxy: the proxy
   * @aor: the address of record of the Request-URI, `sip:user@host`
   *   (scheme, user and lower-case host; no port, no parameters)
   * @request: the request being routed
   *
   * Asks where @aor goes (the location service of RFC 3261 §16.5): connect
   * a registrar's bindings here, e.g. a handler that calls the registrar's
   * `lookup` and returns its best contact (highest q, then most recent).
   * A stateless proxy forwards to exactly one target (§16.11), so one
   * contact is asked for. Emitted for a request with no Route left whose
   * Request-URI is not a Contact this proxy rewrote. The first handler
   * that returns non-%NULL decides.
   *
   * Returns: (transfer full) (nullable): the contact URI that becomes the
   *   Request-URI, or %NULL to route by the Request-URI as it is (404 in
   *   our [property@NetSip.StatelessProxy:domains])
   *
   * Since: 1.0
   */
  signals[SIG_LOOKUP_AOR] =
    g_signal_new ("lookup-aor", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  first_non_null, NULL, NULL,
                  G_TYPE_STRING, 2, G_TYPE_STRING, NET_SIP_TYPE_REQUEST);

  /**
   * NetSipStatelessProxy::do-nat:
   * @proxy: the proxy
   * @message: the request or response about to be forwarded (change it in
   *   place: SDP `c=`/`m=` lines)
   * @incoming: the leg it came on
   * @outgoing: the leg it leaves on
   *
   * The NAT helper hook (Net::SIP's `do_nat`): emitted for every message
   * forwarded, after Contact rewriting and before our Via goes on. A media
   * relay rewrites the SDP of offers and answers crossing legs here.
   *
   * Returns: 0 to forward the message, or a status code from 300 to 699:
   *   a request is then answered with it, a response dropped. The first
   *   handler returning non-zero decides.
   *
   * Since: 1.0
   */
  signals[SIG_DO_NAT] =
    g_signal_new ("do-nat", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                  first_nonzero, NULL, NULL,
                  G_TYPE_UINT, 3, NET_SIP_TYPE_MESSAGE, NET_SIP_TYPE_LEG, NET_SIP_TYPE_LEG);
}

static void
net_sip_stateless_proxy_init (NetSipStatelessProxy *self)
{
  self->rewrite_contact = TRUE;
  self->secret = net_sip_random_secret_new (32);
}

/* ------------------------------------------------------------------ */
/* Public API                                                          */

/**
 * net_sip_stateless_proxy_new:
 * @dispatcher: the dispatcher to forward through
 *
 * Creates a proxy and sets the dispatcher's
 * [property@NetSip.Dispatcher:do-retransmits] to %FALSE. The proxy is not
 * the dispatcher's receiver yet: pass it to
 * [method@NetSip.Dispatcher.set_receiver] or put it in a chain.
 *
 * Returns: (transfer full): a new stateless proxy
 *
 * Since: 1.0
 */
NetSipStatelessProxy *
net_sip_stateless_proxy_new (NetSipDispatcher *dispatcher)
{
  g_return_val_if_fail (NET_SIP_IS_DISPATCHER (dispatcher), NULL);
  return g_object_new (NET_SIP_TYPE_STATELESS_PROXY, "dispatcher", dispatcher, NULL);
}

/**
 * net_sip_stateless_proxy_get_dispatcher:
 * @self: a #NetSipStatelessProxy
 *
 * Gives the dispatcher the proxy forwards through.
 *
 * Returns: (transfer none) (nullable): the dispatcher, or %NULL once it is
 *   gone
 *
 * Since: 1.0
 */
NetSipDispatcher *
net_sip_stateless_proxy_get_dispatcher (NetSipStatelessProxy *self)
{
  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), NULL);
  return self->dispatcher;
}

/**
 * net_sip_stateless_proxy_set_record_route:
 * @self: a #NetSipStatelessProxy
 * @record_route: whether to Record-Route
 *
 * Sets [property@NetSip.StatelessProxy:record-route].
 *
 * Since: 1.0
 */
void
net_sip_stateless_proxy_set_record_route (NetSipStatelessProxy *self,
                                          gboolean              record_route)
{
  g_return_if_fail (NET_SIP_IS_STATELESS_PROXY (self));
  set_bool (self, &self->record_route, record_route, PROP_RECORD_ROUTE);
}

/**
 * net_sip_stateless_proxy_get_record_route:
 * @self: a #NetSipStatelessProxy
 *
 * Tells whether forwarded requests get a Record-Route.
 *
 * Returns: [property@NetSip.StatelessProxy:record-route]
 *
 * Since: 1.0
 */
gboolean
net_sip_stateless_proxy_get_record_route (NetSipStatelessProxy *self)
{
  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), FALSE);
  return self->record_route;
}

/**
 * net_sip_stateless_proxy_set_force_rewrite:
 * @self: a #NetSipStatelessProxy
 * @force_rewrite: whether to rewrite Contacts on the same leg too
 *
 * Sets [property@NetSip.StatelessProxy:force-rewrite].
 *
 * Since: 1.0
 */
void
net_sip_stateless_proxy_set_force_rewrite (NetSipStatelessProxy *self,
                                           gboolean              force_rewrite)
{
  g_return_if_fail (NET_SIP_IS_STATELESS_PROXY (self));
  set_bool (self, &self->force_rewrite, force_rewrite, PROP_FORCE_REWRITE);
}

/**
 * net_sip_stateless_proxy_get_force_rewrite:
 * @self: a #NetSipStatelessProxy
 *
 * Tells whether Contacts are rewritten on the same leg too.
 *
 * Returns: [property@NetSip.StatelessProxy:force-rewrite]
 *
 * Since: 1.0
 */
gboolean
net_sip_stateless_proxy_get_force_rewrite (NetSipStatelessProxy *self)
{
  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), FALSE);
  return self->force_rewrite;
}

/**
 * net_sip_stateless_proxy_set_secret:
 * @self: a #NetSipStatelessProxy
 * @secret: (transfer none): the HMAC key, at least 16 bytes
 *
 * Sets [property@NetSip.StatelessProxy:secret]. Contacts rewritten with
 * the old secret are refused from now on.
 *
 * Since: 1.0
 */
void
net_sip_stateless_proxy_set_secret (NetSipStatelessProxy *self,
                                    GBytes               *secret)
{
  g_return_if_fail (NET_SIP_IS_STATELESS_PROXY (self));
  g_return_if_fail (secret != NULL && g_bytes_get_size (secret) >= 16);

  g_bytes_unref (self->secret);
  self->secret = g_bytes_ref (secret);
}

/**
 * net_sip_stateless_proxy_set_domains:
 * @self: a #NetSipStatelessProxy
 * @domains: (array zero-terminated=1) (nullable): the domains, or %NULL
 *
 * Sets [property@NetSip.StatelessProxy:domains].
 *
 * Since: 1.0
 */
void
net_sip_stateless_proxy_set_domains (NetSipStatelessProxy *self,
                                     const char * const   *domains)
{
  g_return_if_fail (NET_SIP_IS_STATELESS_PROXY (self));

  if (self->domains == NULL && domains == NULL)
    return;
  if (self->domains && domains && g_strv_equal ((const char * const *) self->domains, domains))
    return;
  g_strfreev (self->domains);
  self->domains = g_strdupv ((char **) domains);
  g_object_notify_by_pspec (G_OBJECT (self), props[PROP_DOMAINS]);
}

/**
 * net_sip_stateless_proxy_compute_branch:
 * @self: a #NetSipStatelessProxy
 * @request: a request as received (before the proxy changes it)
 *
 * The branch the proxy's Via gets when it forwards @request (RFC 3261
 * §16.11): `z9hG4bKnsp`, 24 hex digits of a SHA-256 over the top Via
 * branch, To tag (not for ACK), From tag, Call-ID, CSeq number and
 * Request-URI, a dot, and 16 hex digits of the loop-detection hash over
 * Request-URI, Route, Call-ID, From tag and CSeq number (§16.6 step 8).
 * A retransmission gets the same branch, and so do a CANCEL and the ACK
 * of a non-2xx for their INVITE.
 *
 * Returns: (transfer full): the branch
 *
 * Since: 1.0
 */
char *
net_sip_stateless_proxy_compute_branch (NetSipStatelessProxy *self,
                                        NetSipRequest        *request)
{
  g_autofree char *loop = NULL;

  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), NULL);
  g_return_val_if_fail (NET_SIP_IS_REQUEST (request), NULL);

  loop = loop_hash (NET_SIP_MESSAGE (request));
  return compute_branch (NET_SIP_MESSAGE (request), loop);
}

/**
 * net_sip_stateless_proxy_encode_contact:
 * @self: a #NetSipStatelessProxy
 * @uri: a Contact URI (without `<>`)
 * @leg: the leg the rewritten Contact points to
 *
 * Rewrites @uri so that it points to the proxy (Net::SIP's
 * `rewrite_contact`): `sip:nsp<base64url (MAC || uri)>@<leg address>`,
 * where MAC is the first 80 bits of HMAC-SHA256 over @uri keyed by
 * [property@NetSip.StatelessProxy:secret].
 *
 * Returns: (transfer full): the rewritten URI
 *
 * Since: 1.0
 */
char *
net_sip_stateless_proxy_encode_contact (NetSipStatelessProxy *self,
                                        const char           *uri,
                                        NetSipLeg            *leg)
{
  gsize len;
  g_autofree guint8 *data = NULL;
  g_autofree char *b64 = NULL;
  g_autofree char *user = NULL;

  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);
  g_return_val_if_fail (NET_SIP_IS_LEG (leg), NULL);

  len = strlen (uri);
  data = g_malloc (MAC_LEN + len);
  mac_of (self, uri, len, data);
  memcpy (data + MAC_LEN, uri, len);
  b64 = base64url_encode (data, MAC_LEN + len);
  user = g_strconcat (CONTACT_PREFIX, b64, NULL);
  return leg_uri (leg, user, FALSE);
}

/**
 * net_sip_stateless_proxy_decode_contact:
 * @self: a #NetSipStatelessProxy
 * @uri: a URI, e.g. a Request-URI or a Contact URI
 * @error: return location for a #GError
 *
 * Turns a URI made by [method@NetSip.StatelessProxy.encode_contact] back
 * into the original, after checking its MAC.
 *
 * Errors: %NET_SIP_PROXY_ERROR_NOT_REWRITTEN when @uri is not one of ours
 * (another host, or a user part without our prefix);
 * %NET_SIP_PROXY_ERROR_FORGED when it is ours but the data or the MAC is
 * wrong.
 *
 * Returns: (transfer full) (nullable): the original URI, or %NULL
 *
 * Since: 1.0
 */
char *
net_sip_stateless_proxy_decode_contact (NetSipStatelessProxy *self,
                                        const char           *uri,
                                        GError              **error)
{
  g_autoptr(NetSipUri) parsed = NULL;
  g_autofree char *user = NULL;
  g_autofree guint8 *data = NULL;
  guint8 mac[MAC_LEN];
  guint8 diff = 0;
  gsize len = 0;

  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), NULL);
  g_return_val_if_fail (uri != NULL, NULL);

  parsed = net_sip_uri_parse (uri, -1, NULL);
  if (parsed == NULL || net_sip_uri_get_user (parsed) == NULL ||
      local_leg_for_uri (self, parsed) == NULL)
    {
      g_set_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_NOT_REWRITTEN,
                   "'%s' is not a URI of this proxy with a user part", uri);
      return NULL;
    }
  user = g_strndup (net_sip_uri_get_user (parsed), net_sip_uri_get_user_length (parsed));
  if (!g_str_has_prefix (user, CONTACT_PREFIX))
    {
      g_set_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_NOT_REWRITTEN,
                   "the user part of '%s' is not a rewritten Contact", uri);
      return NULL;
    }
  data = base64url_decode (user + strlen (CONTACT_PREFIX), &len);
  if (data == NULL || len <= MAC_LEN || memchr (data + MAC_LEN, '\0', len - MAC_LEN))
    {
      g_set_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_FORGED,
                   "the rewritten Contact '%s' does not decode", uri);
      return NULL;
    }
  mac_of (self, (const char *) data + MAC_LEN, len - MAC_LEN, mac);
  for (guint i = 0; i < MAC_LEN; i++)   /* constant time */
    diff |= mac[i] ^ data[i];
  if (diff != 0)
    {
      g_set_error (error, NET_SIP_PROXY_ERROR, NET_SIP_PROXY_ERROR_FORGED,
                   "the rewritten Contact '%s' has a wrong MAC", uri);
      return NULL;
    }
  return g_strndup ((const char *) data + MAC_LEN, len - MAC_LEN);
}

/**
 * net_sip_stateless_proxy_is_local_uri:
 * @self: a #NetSipStatelessProxy
 * @uri: a SIP URI
 *
 * Tells whether @uri is this proxy.
 *
 * Returns: %TRUE if @uri names one of the dispatcher's legs (address and
 *   port, 5060 or 5061 when absent): a Route or Request-URI that is this
 *   proxy (RFC 3261 §16.4)
 *
 * Since: 1.0
 */
gboolean
net_sip_stateless_proxy_is_local_uri (NetSipStatelessProxy *self,
                                      NetSipUri            *uri)
{
  g_return_val_if_fail (NET_SIP_IS_STATELESS_PROXY (self), FALSE);
  g_return_val_if_fail (uri != NULL, FALSE);
  return local_leg_for_uri (self, uri) != NULL;
}
