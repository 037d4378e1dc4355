/* netsip-sdp.h: Session Description Protocol bodies (RFC 4566)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <glib-object.h>
#include "netsip-types.h"

G_BEGIN_DECLS

/**
 * NetSipSdpDirection:
 * @NET_SIP_SDP_DIRECTION_INACTIVE: `a=inactive`: neither send nor receive
 * @NET_SIP_SDP_DIRECTION_SENDONLY: `a=sendonly`: send only
 * @NET_SIP_SDP_DIRECTION_RECVONLY: `a=recvonly`: receive only
 * @NET_SIP_SDP_DIRECTION_SENDRECV: `a=sendrecv`: send and receive, the
 *   default when no direction attribute is present
 *
 * The direction of a media stream, from the point of view of the party
 * that wrote the description (RFC 4566 §6, RFC 3264 §5.1).
 *
 * The values are chosen so that bit 0 means "sends" and bit 1 means
 * "receives": `SENDRECV == (SENDONLY | RECVONLY)`.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_SDP_DIRECTION_INACTIVE = 0,
  NET_SIP_SDP_DIRECTION_SENDONLY = 1,
  NET_SIP_SDP_DIRECTION_RECVONLY = 2,
  NET_SIP_SDP_DIRECTION_SENDRECV = 3,
} NetSipSdpDirection;

/**
 * NET_SIP_SDP_MAX_LINES:
 *
 * The largest number of lines [func@NetSip.Sdp.parse] accepts.
 *
 * Since: 1.0
 */
#define NET_SIP_SDP_MAX_LINES 1000

/**
 * NET_SIP_SDP_MAX_MEDIA:
 *
 * The largest number of media descriptions (`m=` lines)
 * [func@NetSip.Sdp.parse] accepts and [method@NetSip.Sdp.add_media] adds.
 *
 * Since: 1.0
 */
#define NET_SIP_SDP_MAX_MEDIA 256

#define NET_SIP_TYPE_SDP (net_sip_sdp_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipSdp, net_sip_sdp, NET_SIP, SDP, GObject)

NET_SIP_AVAILABLE_IN_ALL
NetSipSdp   *net_sip_sdp_new                       (void);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp   *net_sip_sdp_parse                     (GBytes      *bytes,
                                                    GError     **error);
NET_SIP_AVAILABLE_IN_ALL
GBytes      *net_sip_sdp_to_bytes                  (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp   *net_sip_sdp_copy                      (NetSipSdp   *self);

NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_direction_to_string       (NetSipSdpDirection direction);

/* Session level: v=, o=, s=, i=, c=, b=, t=, a= */
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_version               (NetSipSdp   *self);

NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_username       (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_session_id     (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_session_version (NetSipSdp  *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_nettype        (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_addrtype       (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_origin_address        (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_origin                (NetSipSdp   *self,
                                                    const char  *username,
                                                    guint64      session_id,
                                                    guint64      session_version,
                                                    const char  *addrtype,
                                                    const char  *address);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_origin_address        (NetSipSdp   *self,
                                                    const char  *addrtype,
                                                    const char  *address);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_increment_origin_version  (NetSipSdp   *self);

NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_session_name          (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_session_name          (NetSipSdp   *self,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_information           (NetSipSdp   *self);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_get_connection            (NetSipSdp   *self,
                                                    const char **addrtype,
                                                    const char **address,
                                                    int         *ttl,
                                                    guint       *n_addresses);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_connection            (NetSipSdp   *self,
                                                    const char  *addrtype,
                                                    const char  *address);

NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_n_bandwidths          (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_bandwidth_nth         (NetSipSdp   *self,
                                                    guint        n,
                                                    guint64     *value);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_get_bandwidth             (NetSipSdp   *self,
                                                    const char  *bwtype,
                                                    guint64     *value);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_bandwidth             (NetSipSdp   *self,
                                                    const char  *bwtype,
                                                    guint64      value);

NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_n_times               (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_get_time                  (NetSipSdp   *self,
                                                    guint        n,
                                                    guint64     *start,
                                                    guint64     *stop);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_time                  (NetSipSdp   *self,
                                                    guint64      start,
                                                    guint64      stop);

NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_n_attributes          (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_attribute_nth         (NetSipSdp   *self,
                                                    guint        n,
                                                    const char **value);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_has_attribute             (NetSipSdp   *self,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_attribute             (NetSipSdp   *self,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
char       **net_sip_sdp_get_attribute_values      (NetSipSdp   *self,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_add_attribute             (NetSipSdp   *self,
                                                    const char  *name,
                                                    const char  *value);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_remove_attribute          (NetSipSdp   *self,
                                                    const char  *name);

NET_SIP_AVAILABLE_IN_ALL
NetSipSdpDirection net_sip_sdp_get_direction       (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_direction             (NetSipSdp   *self,
                                                    NetSipSdpDirection direction);

/* Media descriptions: m= and the lines after it, addressed by index */
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_n_media               (NetSipSdp   *self);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_add_media                 (NetSipSdp   *self,
                                                    const char  *media_type,
                                                    guint16      port,
                                                    const char  *proto,
                                                    const char * const *formats);

NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_type            (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
guint16      net_sip_sdp_get_media_port            (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_media_port            (NetSipSdp   *self,
                                                    guint        index,
                                                    guint16      port);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_media_n_ports         (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_proto           (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
const char * const *net_sip_sdp_get_media_formats  (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_media_formats         (NetSipSdp   *self,
                                                    guint        index,
                                                    const char * const *formats);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_information     (NetSipSdp   *self,
                                                    guint        index);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_get_media_connection      (NetSipSdp   *self,
                                                    guint        index,
                                                    const char **addrtype,
                                                    const char **address,
                                                    int         *ttl,
                                                    guint       *n_addresses);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_address         (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_addrtype        (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_media_address         (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *addrtype,
                                                    const char  *address);

NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_media_n_bandwidths    (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_bandwidth_nth   (NetSipSdp   *self,
                                                    guint        index,
                                                    guint        n,
                                                    guint64     *value);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_get_media_bandwidth       (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *bwtype,
                                                    guint64     *value);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_media_bandwidth       (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *bwtype,
                                                    guint64      value);

NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_get_media_n_attributes    (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_attribute_nth   (NetSipSdp   *self,
                                                    guint        index,
                                                    guint        n,
                                                    const char **value);
NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_has_media_attribute       (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_attribute       (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
char       **net_sip_sdp_get_media_attribute_values (NetSipSdp  *self,
                                                    guint        index,
                                                    const char  *name);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_add_media_attribute       (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *name,
                                                    const char  *value);
NET_SIP_AVAILABLE_IN_ALL
guint        net_sip_sdp_remove_media_attribute    (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *name);

NET_SIP_AVAILABLE_IN_ALL
gboolean     net_sip_sdp_get_media_rtpmap          (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *payload_type,
                                                    char       **encoding_name,
                                                    guint       *clock_rate,
                                                    guint       *channels);
NET_SIP_AVAILABLE_IN_ALL
const char  *net_sip_sdp_get_media_fmtp            (NetSipSdp   *self,
                                                    guint        index,
                                                    const char  *payload_type);

NET_SIP_AVAILABLE_IN_ALL
NetSipSdpDirection net_sip_sdp_get_media_direction (NetSipSdp   *self,
                                                    guint        index);
NET_SIP_AVAILABLE_IN_ALL
void         net_sip_sdp_set_media_direction       (NetSipSdp   *self,
                                                    guint        index,
                                                    NetSipSdpDirection direction);

/* G_DECLARE_FINAL_TYPE above already defines the g_autoptr() cleanup
 * function for NetSipSdp (g_object_unref); a second
 * G_DEFINE_AUTOPTR_CLEANUP_FUNC would be a redefinition. */

G_END_DECLS
