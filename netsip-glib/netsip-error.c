/* netsip-error.c: error domains
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include "netsip-error.h"

G_DEFINE_QUARK (net-sip-parse-error-quark, net_sip_parse_error)
G_DEFINE_QUARK (net-sip-transaction-error-quark, net_sip_transaction_error)
