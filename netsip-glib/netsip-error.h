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

/**
 * NetSipTransactionError:
 * @NET_SIP_TRANSACTION_ERROR_TIMEOUT: no final response before Timer B
 *   (INVITE) or Timer F (other methods) fired, 64*T1 after the request was
 *   first sent (RFC 3261 §17.1.1.2, §17.1.2.2), on the last target tried
 * @NET_SIP_TRANSACTION_ERROR_CANCELLED: the delivery was stopped with
 *   [method@NetSip.Dispatcher.cancel_delivery] or one of its variants
 * @NET_SIP_TRANSACTION_ERROR_QUEUE_FULL: the dispatcher holds
 *   [property@NetSip.Dispatcher:max-queue] transactions already
 * @NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE: the message cannot be sent
 *   as it is: a request without Call-ID, CSeq or Request-URI, a response
 *   without a Via, an unknown destination
 * @NET_SIP_TRANSACTION_ERROR_NO_LEG: no leg of the dispatcher can reach the
 *   destination with the transport it needs
 *
 * Error codes in the %NET_SIP_TRANSACTION_ERROR domain, set by
 * [method@NetSip.Dispatcher.deliver_finish] and
 * [signal@NetSip.Dispatcher::delivery-failed]. Transport failures keep
 * their %NET_SIP_TRANSPORT_ERROR codes; a #GCancellable gives
 * %G_IO_ERROR_CANCELLED.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_TRANSACTION_ERROR_TIMEOUT,
  NET_SIP_TRANSACTION_ERROR_CANCELLED,
  NET_SIP_TRANSACTION_ERROR_QUEUE_FULL,
  NET_SIP_TRANSACTION_ERROR_INVALID_MESSAGE,
  NET_SIP_TRANSACTION_ERROR_NO_LEG,
} NetSipTransactionError;

/**
 * NET_SIP_TRANSACTION_ERROR:
 *
 * Error domain for SIP transactions and deliveries (RFC 3261 §17). Errors
 * in this domain are from the #NetSipTransactionError enumeration.
 *
 * Since: 1.0
 */
#define NET_SIP_TRANSACTION_ERROR (net_sip_transaction_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_transaction_error_quark (void);

G_END_DECLS
