/* netsip-response.c: a SIP response (RFC 3261 §7.2, §21)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-response.h"
#include "netsip-message-private.h"

/**
 * NetSipResponse:
 *
 * A SIP response: status code, Reason-Phrase and the headers of
 * [class@NetSip.Message].
 *
 * Since: 1.0
 */
struct _NetSipResponse
{
  NetSipMessage parent_instance;
};

G_DEFINE_FINAL_TYPE (NetSipResponse, net_sip_response, NET_SIP_TYPE_MESSAGE)

static void
net_sip_response_class_init (NetSipResponseClass *klass)
{
}

static void
net_sip_response_init (NetSipResponse *self)
{
}

static const struct
{
  guint       code;
  const char *reason;
} reasons[] = {
  /* RFC 3261 §21 and the extensions that registered codes since */
  { 100, "Trying" }, { 180, "Ringing" }, { 181, "Call Is Being Forwarded" },
  { 182, "Queued" }, { 183, "Session Progress" }, { 199, "Early Dialog Terminated" },
  { 200, "OK" }, { 202, "Accepted" }, { 204, "No Notification" },
  { 300, "Multiple Choices" }, { 301, "Moved Permanently" }, { 302, "Moved Temporarily" },
  { 305, "Use Proxy" }, { 380, "Alternative Service" },
  { 400, "Bad Request" }, { 401, "Unauthorized" }, { 402, "Payment Required" },
  { 403, "Forbidden" }, { 404, "Not Found" }, { 405, "Method Not Allowed" },
  { 406, "Not Acceptable" }, { 407, "Proxy Authentication Required" },
  { 408, "Request Timeout" }, { 410, "Gone" }, { 412, "Conditional Request Failed" },
  { 413, "Request Entity Too Large" }, { 414, "Request-URI Too Long" },
  { 415, "Unsupported Media Type" }, { 416, "Unsupported URI Scheme" },
  { 417, "Unknown Resource-Priority" }, { 420, "Bad Extension" },
  { 421, "Extension Required" }, { 422, "Session Interval Too Small" },
  { 423, "Interval Too Brief" }, { 428, "Use Identity Header" },
  { 429, "Provide Referrer Identity" }, { 430, "Flow Failed" },
  { 433, "Anonymity Disallowed" }, { 437, "Unsupported Certificate" },
  { 438, "Invalid Identity Header" }, { 439, "First Hop Lacks Outbound Support" },
  { 470, "Consent Needed" }, { 480, "Temporarily Unavailable" },
  { 481, "Call/Transaction Does Not Exist" }, { 482, "Loop Detected" },
  { 483, "Too Many Hops" }, { 484, "Address Incomplete" }, { 485, "Ambiguous" },
  { 486, "Busy Here" }, { 487, "Request Terminated" }, { 488, "Not Acceptable Here" },
  { 489, "Bad Event" }, { 491, "Request Pending" }, { 493, "Undecipherable" },
  { 494, "Security Agreement Required" },
  { 500, "Server Internal Error" }, { 501, "Not Implemented" }, { 502, "Bad Gateway" },
  { 503, "Service Unavailable" }, { 504, "Server Time-out" },
  { 505, "Version Not Supported" }, { 513, "Message Too Large" },
  { 580, "Precondition Failure" },
  { 600, "Busy Everywhere" }, { 603, "Decline" }, { 604, "Does Not Exist Anywhere" },
  { 606, "Not Acceptable" }, { 607, "Unwanted" },
};

/**
 * net_sip_response_default_reason:
 * @code: a status code
 *
 * Gets the standard Reason-Phrase of a status code.
 *
 * Returns: (transfer none): the usual Reason-Phrase for @code (RFC 3261
 *   §21 and later registrations), or a generic one for its class
 *
 * Since: 1.0
 */
const char *
net_sip_response_default_reason (guint code)
{
  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (reasons[i].code == code)
      return reasons[i].reason;
  switch (code / 100)
    {
    case 1: return "Progress";
    case 2: return "OK";
    case 3: return "Redirection";
    case 4: return "Client Error";
    case 5: return "Server Error";
    default: return "Global Failure";
    }
}

static gboolean
valid_reason (const char *reason)
{
  for (; *reason; reason++)
    if ((guchar) *reason < 0x20 && *reason != '\t')
      return FALSE;
  return TRUE;
}

/**
 * net_sip_response_new:
 * @code: the status code, 100 to 699
 * @reason: (nullable): the Reason-Phrase (UTF-8, no line breaks), or %NULL
 *   for the usual one
 *
 * Creates a response with no headers. To answer a request, use
 * [method@NetSip.Request.create_response], which copies what §8.2.6
 * requires.
 *
 * Returns: (transfer full): a new response
 *
 * Since: 1.0
 */
NetSipResponse *
net_sip_response_new (guint       code,
                      const char *reason)
{
  NetSipResponse *self;

  g_return_val_if_fail (code >= 100 && code <= 699, NULL);
  g_return_val_if_fail (reason == NULL || valid_reason (reason), NULL);

  self = g_object_new (NET_SIP_TYPE_RESPONSE, NULL);
  net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->version = "SIP/2.0";
  net_sip_response_set_status (self, code, reason);
  return self;
}

/**
 * net_sip_response_get_code:
 * @self: a #NetSipResponse
 *
 * Gets the status code of the response.
 *
 * Returns: the status code, 100 to 699
 *
 * Since: 1.0
 */
guint
net_sip_response_get_code (NetSipResponse *self)
{
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (self), 0);
  return net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->code;
}

/**
 * net_sip_response_get_reason:
 * @self: a #NetSipResponse
 *
 * Gets the Reason-Phrase of the response.
 *
 * Returns: (transfer none): the Reason-Phrase, possibly empty (RFC 4475
 *   noreason) and possibly UTF-8 (unreason)
 *
 * Since: 1.0
 */
const char *
net_sip_response_get_reason (NetSipResponse *self)
{
  g_return_val_if_fail (NET_SIP_IS_RESPONSE (self), NULL);
  return net_sip_message_get_start_line (NET_SIP_MESSAGE (self))->reason;
}

/**
 * net_sip_response_set_status:
 * @self: a #NetSipResponse
 * @code: the status code, 100 to 699
 * @reason: (nullable): the Reason-Phrase, or %NULL for the usual one
 *
 * Changes the status line.
 *
 * Since: 1.0
 */
void
net_sip_response_set_status (NetSipResponse *self,
                             guint           code,
                             const char     *reason)
{
  NetSipStartLine *start;

  g_return_if_fail (NET_SIP_IS_RESPONSE (self));
  g_return_if_fail (code >= 100 && code <= 699);
  g_return_if_fail (reason == NULL || valid_reason (reason));

  start = net_sip_message_get_start_line (NET_SIP_MESSAGE (self));
  start->code = code;
  start->reason = net_sip_arena_strdup (net_sip_message_get_arena (NET_SIP_MESSAGE (self)),
                                        reason ? reason : net_sip_response_default_reason (code));
  net_sip_message_mark_modified (NET_SIP_MESSAGE (self));
}
