/* netsip-version.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#define NET_SIP_MAJOR_VERSION 0
#define NET_SIP_MINOR_VERSION 1
#define NET_SIP_MICRO_VERSION 0

/**
 * NET_SIP_DEFAULT_MAX_HEADER_SIZE:
 *
 * Default limit, in bytes, of a message's start line plus header section
 * (Net::SIP's `max-sip-header`).
 */
#define NET_SIP_DEFAULT_MAX_HEADER_SIZE 16384

/**
 * NET_SIP_DEFAULT_MAX_BODY_SIZE:
 *
 * Default limit, in bytes, of a message body (Net::SIP's `max-sip-body`).
 */
#define NET_SIP_DEFAULT_MAX_BODY_SIZE 65536
