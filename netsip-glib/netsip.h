/* netsip.h: the umbrella header of netsip-glib
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define __NETSIP_H_INSIDE__

#include "netsip-types.h"
#include "netsip-version.h"
#include "netsip-error.h"
#include "netsip-enum-types.h"
#include "netsip-uri.h"
#include "netsip-sdp.h"
#include "netsip-via.h"
#include "netsip-name-addr.h"
#include "netsip-auth-params.h"
#include "netsip-message.h"
#include "netsip-request.h"
#include "netsip-response.h"
#include "netsip-stream-framer.h"
#include "netsip-transport.h"
#include "netsip-source-info.h"
#include "netsip-socket-pool.h"
#include "netsip-leg.h"
#include "netsip-digest.h"
#include "netsip-dialog.h"
#include "netsip-resolver.h"
#include "netsip-receiver.h"
#include "netsip-delivery-options.h"
#include "netsip-transaction.h"
#include "netsip-dispatcher.h"
#include "netsip-endpoint.h"
#include "netsip-authorizer.h"
#include "netsip-location-store.h"
#include "netsip-memory-store.h"
#include "netsip-sqlite-store.h"
#include "netsip-registrar.h"
#include "netsip-redirect.h"
#include "netsip-receive-chain.h"
#include "netsip-blocker.h"
#include "netsip-dropper.h"
#include "netsip-stateless-proxy.h"
#include "netsip-nat-helper.h"
#include "netsip-rtp-session.h"
#include "netsip-call.h"
#include "netsip-agent.h"

#undef __NETSIP_H_INSIDE__
