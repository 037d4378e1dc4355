/* netsip-error.c: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-error.h"

/**
 * net_sip_parse_error_quark:
 *
 * The error domain of parsing SIP messages, URIs and headers.
 *
 * Returns: the %NET_SIP_PARSE_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-parse-error-quark, net_sip_parse_error)
/**
 * net_sip_transaction_error_quark:
 *
 * The error domain of transactions and deliveries of the dispatcher.
 *
 * Returns: the %NET_SIP_TRANSACTION_ERROR quark
 *
 * Since: 1.0
 */
G_DEFINE_QUARK (net-sip-transaction-error-quark, net_sip_transaction_error)
