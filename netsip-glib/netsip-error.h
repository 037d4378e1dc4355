/* netsip-error.h: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>
#include "netsip-types.h"

G_BEGIN_DECLS

/**
 * NetSipParseError:
 * @NET_SIP_PARSE_ERROR_INCOMPLETE: the input ends before the message does: no
 *   empty line after the header section, or fewer body octets than
 *   Content-Length announces
 * @NET_SIP_PARSE_ERROR_TOO_LARGE: the header section or the body exceeds the
 *   configured limit
 * @NET_SIP_PARSE_ERROR_START_LINE: the Request-Line or Status-Line is malformed
 *   (RFC 3261 §7.1, §7.2)
 * @NET_SIP_PARSE_ERROR_HEADER: a header line is malformed (RFC 3261 §7.3)
 * @NET_SIP_PARSE_ERROR_CONTENT_LENGTH: Content-Length is missing on a stream,
 *   not a number, or out of range (RFC 3261 §18.3, §20.14)
 * @NET_SIP_PARSE_ERROR_VALUE: a structured header value (Via, CSeq, From,
 *   To, Contact, ...) does not follow its grammar
 * @NET_SIP_PARSE_ERROR_URI: a URI is malformed (RFC 3261 §19.1, §25.1)
 * @NET_SIP_PARSE_ERROR_SDP: an SDP body is malformed (RFC 4566)
 * @NET_SIP_PARSE_ERROR_INVALID: the message parsed but breaks a rule of
 *   RFC 3261 that [method@NetSip.Message.validate] checks
 *
 * Error codes in the %NET_SIP_PARSE_ERROR domain. The error message says
 * what was wrong and where, for example
 * `line 4: header 'CSeq': sequence number exceeds 2^32-1`.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_PARSE_ERROR_INCOMPLETE,
  NET_SIP_PARSE_ERROR_TOO_LARGE,
  NET_SIP_PARSE_ERROR_START_LINE,
  NET_SIP_PARSE_ERROR_HEADER,
  NET_SIP_PARSE_ERROR_CONTENT_LENGTH,
  NET_SIP_PARSE_ERROR_VALUE,
  NET_SIP_PARSE_ERROR_URI,
  NET_SIP_PARSE_ERROR_SDP,
  NET_SIP_PARSE_ERROR_INVALID,
} NetSipParseError;

/**
 * NET_SIP_PARSE_ERROR:
 *
 * Error domain for parsing SIP messages, URIs and SDP. Errors in this domain
 * are from the #NetSipParseError enumeration.
 *
 * Since: 1.0
 */
#define NET_SIP_PARSE_ERROR (net_sip_parse_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_parse_error_quark (void);

G_END_DECLS
