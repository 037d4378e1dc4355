/* netsip-rtp-session.h: one RTP/RTCP audio stream (RFC 3550) with G.711
 * file playback, recording, echo, DTMF (RFC 4733 and in-band) and the SDP
 * offer/answer of its medium (RFC 3264), on the main loop
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>

#include "netsip-types.h"
#include "netsip-sdp.h"

G_BEGIN_DECLS

/**
 * NetSipCodec:
 * @NET_SIP_CODEC_PCMU: G.711 µ-law, static payload type 0, 8 kHz
 * @NET_SIP_CODEC_PCMA: G.711 A-law, static payload type 8, 8 kHz
 *
 * The audio codecs of [class@NetSip.RtpSession]; the value is the static
 * RTP payload type (RFC 3551 §6).
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_CODEC_PCMU = 0,
  NET_SIP_CODEC_PCMA = 8,
} NetSipCodec;

/**
 * NetSipDtmfMethod:
 * @NET_SIP_DTMF_METHOD_AUTO: RFC 4733 events when the peer negotiated
 *   `telephone-event`, in-band tones otherwise
 * @NET_SIP_DTMF_METHOD_RFC4733: RFC 4733 telephone-event packets
 * @NET_SIP_DTMF_METHOD_INBAND: dual tones mixed into the audio (ITU-T Q.23)
 *
 * How DTMF digits are sent or how they were received.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_DTMF_METHOD_AUTO,
  NET_SIP_DTMF_METHOD_RFC4733,
  NET_SIP_DTMF_METHOD_INBAND,
} NetSipDtmfMethod;

/**
 * NetSipRtpError:
 * @NET_SIP_RTP_ERROR_NO_PORTS: no free even/odd port pair in the range
 * @NET_SIP_RTP_ERROR_BAD_SDP: an offer or answer without a usable audio
 *   medium, or without a codec in common (RFC 3264 §6: the answer then
 *   rejects the medium with port 0)
 * @NET_SIP_RTP_ERROR_INVALID: an argument out of range: a digit outside
 *   `0-9*#A-D`, a duration outside 40..5000 ms, no remote address yet
 * @NET_SIP_RTP_ERROR_NOT_NEGOTIATED: RFC 4733 asked for but the peer did
 *   not offer or accept `telephone-event`
 *
 * Error codes in the %NET_SIP_RTP_ERROR domain. File errors are
 * #GFileError or #GIOErrorEnum, socket errors #GIOErrorEnum.
 *
 * Since: 1.0
 */
typedef enum {
  NET_SIP_RTP_ERROR_NO_PORTS,
  NET_SIP_RTP_ERROR_BAD_SDP,
  NET_SIP_RTP_ERROR_INVALID,
  NET_SIP_RTP_ERROR_NOT_NEGOTIATED,
} NetSipRtpError;

/**
 * NET_SIP_RTP_ERROR:
 *
 * The error domain of [class@NetSip.RtpSession].
 *
 * Since: 1.0
 */
#define NET_SIP_RTP_ERROR (net_sip_rtp_error_quark ())

NET_SIP_AVAILABLE_IN_ALL
GQuark net_sip_rtp_error_quark (void);

#define NET_SIP_TYPE_RTP_SESSION (net_sip_rtp_session_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_FINAL_TYPE (NetSipRtpSession, net_sip_rtp_session, NET_SIP, RTP_SESSION, GObject)

/* Construction: binds an even RTP port and the odd RTCP port above it on
 * local_address (an IP literal) within [port_min, port_max] (0, 0 = any
 * free pair), sources on the thread-default main context. */
NET_SIP_AVAILABLE_IN_ALL
NetSipRtpSession *net_sip_rtp_session_new             (const char          *local_address,
                                                       guint16              port_min,
                                                       guint16              port_max,
                                                       GError             **error);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_rtp_session_get_local_address (NetSipRtpSession  *self);
NET_SIP_AVAILABLE_IN_ALL
guint16           net_sip_rtp_session_get_local_port  (NetSipRtpSession    *self);

/* Offer/answer (RFC 3264) of the one audio medium: PCMU, PCMA and
 * telephone-event/8000 (dynamic payload type, property
 * telephone-event-payload-type, 101 unless the peer chose another). */
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp        *net_sip_rtp_session_create_offer    (NetSipRtpSession    *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdp        *net_sip_rtp_session_create_answer   (NetSipRtpSession    *self,
                                                       NetSipSdp           *offer,
                                                       GError             **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_rtp_session_apply_answer    (NetSipRtpSession    *self,
                                                       NetSipSdp           *answer,
                                                       GError             **error);

/* Remote address set by hand (offer/answer does it otherwise). */
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_rtp_session_set_remote      (NetSipRtpSession    *self,
                                                       GInetSocketAddress  *rtp,
                                                       GInetSocketAddress  *rtcp);
NET_SIP_AVAILABLE_IN_ALL
GInetSocketAddress *net_sip_rtp_session_get_remote    (NetSipRtpSession    *self);

/* Media */
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_rtp_session_send_file       (NetSipRtpSession    *self,
                                                       const char          *path,
                                                       NetSipCodec          file_codec,
                                                       gboolean             repeat,
                                                       GError             **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_rtp_session_record_to_file  (NetSipRtpSession    *self,
                                                       const char          *path,
                                                       GError             **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_rtp_session_set_echo        (NetSipRtpSession    *self,
                                                       gboolean             echo);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_rtp_session_send_dtmf       (NetSipRtpSession    *self,
                                                       const char          *digits,
                                                       NetSipDtmfMethod     method,
                                                       guint                duration_ms,
                                                       GError             **error);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_rtp_session_start           (NetSipRtpSession    *self);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_rtp_session_stop            (NetSipRtpSession    *self);

/* Negotiated state (also properties) */
NET_SIP_AVAILABLE_IN_ALL
NetSipCodec       net_sip_rtp_session_get_codec       (NetSipRtpSession    *self);
NET_SIP_AVAILABLE_IN_ALL
int               net_sip_rtp_session_get_telephone_event_payload_type (NetSipRtpSession *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipSdpDirection net_sip_rtp_session_get_direction  (NetSipRtpSession    *self);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_rtp_session_set_direction   (NetSipRtpSession    *self,
                                                       NetSipSdpDirection   direction);
NET_SIP_AVAILABLE_IN_ALL
guint32           net_sip_rtp_session_get_ssrc        (NetSipRtpSession    *self);

/* Statistics (also properties) */
NET_SIP_AVAILABLE_IN_ALL
guint64           net_sip_rtp_session_get_packets_sent     (NetSipRtpSession *self);
NET_SIP_AVAILABLE_IN_ALL
guint64           net_sip_rtp_session_get_packets_received (NetSipRtpSession *self);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_rtp_session_get_packets_lost     (NetSipRtpSession *self);
NET_SIP_AVAILABLE_IN_ALL
double            net_sip_rtp_session_get_jitter_ms        (NetSipRtpSession *self);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_rtp_session_get_remote_packets_lost (NetSipRtpSession *self);

G_END_DECLS
