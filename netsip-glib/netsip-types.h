/* netsip-types.h: export macros and shared forward declarations
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#if defined(NETSIP_COMPILATION) && defined(__GNUC__)
# define NET_SIP_AVAILABLE_IN_ALL __attribute__((visibility ("default"))) extern
#else
# define NET_SIP_AVAILABLE_IN_ALL extern
#endif

typedef struct _NetSipUri        NetSipUri;
typedef struct _NetSipVia        NetSipVia;
typedef struct _NetSipNameAddr   NetSipNameAddr;
typedef struct _NetSipAuthParams NetSipAuthParams;

G_END_DECLS
