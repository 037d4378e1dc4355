/* netsip-delivery-options-private.h: the fields, for the dispatcher
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */

#pragma once

#include "netsip-delivery-options.h"

G_BEGIN_DECLS

struct _NetSipDeliveryOptions
{
  gatomicrefcount     ref_count;
  char               *id;
  char               *call_id;
  NetSipLeg          *leg;
  GInetSocketAddress *destination;
  gboolean            do_retransmits;
  gboolean            do_retransmits_set;
};

G_END_DECLS
