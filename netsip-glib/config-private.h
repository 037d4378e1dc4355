/* config-private.h: included first by every library source file
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#ifndef NETSIP_COMPILATION
# error "config-private.h is for the library's own sources"
#endif

#include <string.h>
#include <glib.h>
