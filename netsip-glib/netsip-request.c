/* netsip-request.c: a SIP request (RFC 3261 §7.1) and the requests and
 * responses built from one (§8.2.6, §9.1, §17.1.1.3)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-message-private.h"
#include "netsip-scan-private.h"

/**
 * NetSipRequest:
 *
 * A SIP request: method, Request-URI and the headers of
 * [class@NetSip.Message].
 *
 * Since: 1.0
 */
struct _NetSipRequest
{
  NetSipMessage parent_instance;
};

G_DEFINE_FINAL_TYPE (NetSipRequest, net_sip_request, NET_SIP_TYPE_MESSAGE)

static void
net_sip_request_class_init (NetSipRequestClass *klass)
{
}

static void
net_sip_request_init (NetSipRequest *self)
{
}

static gboolean
is_token (const char *s)
{
  const char *end = s + strlen (s);
  return *s && net_sip_skip_token (s, end) == end;
}

static gboolean
is_uri_text (const char *s)
{
  if (*s == '\0' || strchr (s, ':') == NULL)
    return FALSE;
  for (; *s; s++)
    if ((guchar) *s <= 0x20 || *s == 0x7f)
      return FALSE;
  return TRUE;
}

/**
 * net_sip_request_new:
 * @method: the method, a token such as `INVITE` (case-sensitive, §7.1)
 * @request_uri: the Request-URI, such as `sip:bob@example.org`
 *
 * Creates a request with an empty header section and no body. Add the
 * headers RFC 3261 §8.1.1 requires (To, From, CSeq, Call-ID,
 * Max-Forwards, Via) with [method@NetSip.Message.add_header]; the
 * transport layer usually adds the Via.
 *
 * Returns: (transfer full): a new request
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_request_new (const char *method,
                     const char *request_uri)
{
  NetSipRequest *self;
  NetSipStartLine *start;
  NetSipArena *arena;

  g_return_val_if_fail (method != NULL && is_token (method), NULL);
  g_return_val_if_fail (request_uri != NULL && is_uri_text (request_uri), NULL);

  self = g_object_new (NET_SIP_TYPE_REQUEST, NULL);
  arena = net_sip_message_get_arena (NET_SIP_MESSAGE (self));
  start = net_sip_message_get_start_line (NET_SIP_MESSAGE (self));
  start->method = net_sip_arena_strdup (arena, method);
  start->uri = net_sip_arena_strdup (arena, request_uri);
  start->version = "SIP/2.0";
  net_sip_message_mark_modified (NET_SIP_MESSAGE (self));
  return self;
}

/**
 * net_sip_request_get_method:
 * @self: a #NetSipRequest
 *
 * Gets the method of the request line.
 *
 * Returns: (transfer none): the method, as written (case-sensitive)
 *
 * Since: 1.0
 */
const char *
net_sip_request_get_method (NetSipRequest *self)
{
  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);
  return net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->method;
}

/**
 * net_sip_request_get_uri:
 * @self: a #NetSipRequest
 *
 * Gets the Request-URI as text.
 *
 * Returns: (transfer none): the Request-URI as written
 *
 * Since: 1.0
 */
const char *
net_sip_request_get_uri (NetSipRequest *self)
{
  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);
  return net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->uri;
}

/**
 * net_sip_request_get_parsed_uri:
 * @self: a #NetSipRequest
 * @error: return location for a #GError
 *
 * Parses the Request-URI (see [func@NetSip.Uri.parse]).
 *
 * Errors: %NET_SIP_PARSE_ERROR_URI when it is malformed, e.g. an IPv6
 *   address without brackets (RFC 5118 §4.2).
 *
 * Returns: (transfer full): the URI; free with net_sip_uri_free()
 *
 * Since: 1.0
 */
NetSipUri *
net_sip_request_get_parsed_uri (NetSipRequest  *self,
                                GError        **error)
{
  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);
  return net_sip_uri_parse (net_sip_request_get_uri (self), -1, error);
}

/**
 * net_sip_request_set_uri:
 * @self: a #NetSipRequest
 * @request_uri: the new Request-URI (no whitespace)
 *
 * Replaces the Request-URI, as a proxy does when it retargets (RFC 3261
 * §16.6 step 2) or a UAC when it follows a route set (§12.2.1.1).
 *
 * Since: 1.0
 */
void
net_sip_request_set_uri (NetSipRequest *self,
                         const char    *request_uri)
{
  NetSipArena *arena;

  g_return_if_fail (NET_SIP_IS_REQUEST (self));
  g_return_if_fail (request_uri != NULL && is_uri_text (request_uri));

  arena = net_sip_message_get_arena (NET_SIP_MESSAGE (self));
  net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->uri =
    net_sip_arena_strdup (arena, request_uri);
  net_sip_message_mark_modified (NET_SIP_MESSAGE (self));
}

/**
 * net_sip_request_create_response:
 * @self: a #NetSipRequest
 * @code: the status code, 100 to 699
 * @reason: (nullable): the Reason-Phrase, or %NULL for the usual one
 * @to_tag: (nullable): a tag to add to To when it has none and @code is
 *   above 100, or %NULL
 *
 * Builds a response as RFC 3261 §8.2.6.2 says: Via (all values, in
 * order), From, To, Call-ID and CSeq copied from the request, and a To tag
 * added when given. For a 101-299 response to an INVITE the Record-Route
 * values are copied too (§12.1.1). Other headers and a body are the
 * caller's to add.
 *
 * Returns: (transfer full): the response
 *
 * Since: 1.0
 */
NetSipResponse *
net_sip_request_create_response (NetSipRequest *self,
                                 guint          code,
                                 const char    *reason,
                                 const char    *to_tag)
{
  NetSipMessage *req = NET_SIP_MESSAGE (self);
  NetSipResponse *resp;
  NetSipMessage *m;
  const char *to;

  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);
  g_return_val_if_fail (code >= 100 && code <= 699, NULL);

  resp = net_sip_response_new (code, reason);
  m = NET_SIP_MESSAGE (resp);
  net_sip_message_copy_headers (m, req, "Via", FALSE);
  if (code > 100 && code < 300 && strcmp (net_sip_request_get_method (self), "INVITE") == 0)
    net_sip_message_copy_headers (m, req, "Record-Route", FALSE);
  net_sip_message_copy_headers (m, req, "From", TRUE);

  to = net_sip_message_get_header (req, "To");
  if (to && to_tag && code > 100 && net_sip_message_get_to_tag (req) == NULL)
    {
      g_autofree char *tagged = g_strconcat (to, ";tag=", to_tag, NULL);
      net_sip_message_add_header (m, "To", tagged);
    }
  else if (to)
    net_sip_message_add_header (m, "To", to);
  net_sip_message_copy_headers (m, req, "Call-ID", TRUE);
  net_sip_message_copy_headers (m, req, "CSeq", TRUE);
  return resp;
}

/**
 * net_sip_request_create_ack:
 * @self: the INVITE request
 * @response: the non-2xx final response to it
 *
 * Builds the ACK a client transaction sends for a 300-699 response
 * (RFC 3261 §17.1.1.3): the INVITE's Request-URI, Call-ID, From, CSeq
 * number with method ACK, its top Via (same branch) and Route headers, and
 * the To of @response (with its tag). The ACK for a 2xx is a new
 * transaction built by the dialog (§13.2.2.4), not by this function.
 *
 * Returns: (transfer full): the ACK request
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_request_create_ack (NetSipRequest  *self,
                            NetSipResponse *response)
{
  NetSipMessage *req = NET_SIP_MESSAGE (self);
  NetSipRequest *ack;
  NetSipMessage *m;
  g_autofree char *cseq = NULL;
  const char *to;

  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (response), NULL);

  ack = net_sip_request_new ("ACK", net_sip_request_get_uri (self));
  m = NET_SIP_MESSAGE (ack);
  net_sip_message_copy_headers (m, req, "Via", TRUE);
  net_sip_message_copy_headers (m, req, "Route", FALSE);
  net_sip_message_copy_headers (m, req, "Max-Forwards", TRUE);
  net_sip_message_copy_headers (m, req, "From", TRUE);
  to = net_sip_message_get_header (NET_SIP_MESSAGE (response), "To");
  if (to == NULL)
    to = net_sip_message_get_header (req, "To");
  if (to)
    net_sip_message_add_header (m, "To", to);
  net_sip_message_copy_headers (m, req, "Call-ID", TRUE);
  cseq = g_strdup_printf ("%u ACK", net_sip_message_get_cseq_number (req));
  net_sip_message_add_header (m, "CSeq", cseq);
  return ack;
}

/**
 * net_sip_request_create_cancel:
 * @self: the request to cancel (an INVITE)
 *
 * Builds a CANCEL as RFC 3261 §9.1 says: the same Request-URI, Call-ID,
 * To, From, CSeq number (method CANCEL), the top Via only (same branch, so
 * it matches the INVITE's server transaction) and the Route headers.
 *
 * Returns: (transfer full): the CANCEL request
 *
 * Since: 1.0
 */
NetSipRequest *
net_sip_request_create_cancel (NetSipRequest *self)
{
  NetSipMessage *req = NET_SIP_MESSAGE (self);
  NetSipRequest *cancel;
  NetSipMessage *m;
  g_autofree char *cseq = NULL;

  g_return_val_if_fail (NET_SIP_IS_REQUEST (self), NULL);

  cancel = net_sip_request_new ("CANCEL", net_sip_request_get_uri (self));
  m = NET_SIP_MESSAGE (cancel);
  net_sip_message_copy_headers (m, req, "Via", TRUE);
  net_sip_message_copy_headers (m, req, "Route", FALSE);
  net_sip_message_copy_headers (m, req, "Max-Forwards", TRUE);
  net_sip_message_copy_headers (m, req, "From", TRUE);
  net_sip_message_copy_headers (m, req, "To", TRUE);
  net_sip_message_copy_headers (m, req, "Call-ID", TRUE);
  cseq = g_strdup_printf ("%u CANCEL", net_sip_message_get_cseq_number (req));
  net_sip_message_add_header (m, "CSeq", cseq);
  return cancel;
}
