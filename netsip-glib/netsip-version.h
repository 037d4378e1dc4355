/* netsip-version.h
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

/**
 * NET_SIP_MAJOR_VERSION:
 *
 * The major version of the netsip-glib headers compiled against (the `0`
 * of 0.1.0); meson.build's project version is the same.
 */
#define NET_SIP_MAJOR_VERSION 0

/**
 * NET_SIP_MINOR_VERSION:
 *
 * The minor version of the netsip-glib headers compiled against.
 */
#define NET_SIP_MINOR_VERSION 1

/**
 * NET_SIP_MICRO_VERSION:
 *
 * The micro version of the netsip-glib headers compiled against.
 */
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
