/* netsip-rtp-offer-answer.c: the SDP offer/answer (RFC 3264) of the one
 * audio medium of a NetSipRtpSession: PCMU, PCMA and telephone-event
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#include "config-private.h"

#include <stdlib.h>

#include "netsip-rtp-session-private.h"

#define OFFER_TE_PT 101

/* what the peer's direction means for ours: it sends = we receive */
static NetSipSdpDirection
reverse_direction (NetSipSdpDirection d)
{
  return (NetSipSdpDirection) (((d & NET_SIP_SDP_DIRECTION_SENDONLY) ? NET_SIP_SDP_DIRECTION_RECVONLY : 0)
                               | ((d & NET_SIP_SDP_DIRECTION_RECVONLY) ? NET_SIP_SDP_DIRECTION_SENDONLY : 0));
}

static const char *
addrtype_of (NetSipRtpSession *self)
{
  return self->family == G_SOCKET_FAMILY_IPV6 ? "IP6" : "IP4";
}

static gboolean
is_rtp_avp (const char *proto)
{
  /* plain RTP profiles only: no SRTP (RTP/SAVP) here */
  return proto != NULL && (g_ascii_strcasecmp (proto, "RTP/AVP") == 0
                           || g_ascii_strcasecmp (proto, "RTP/AVPF") == 0);
}

/* The static G.711 payload types; an rtpmap, if given, must agree. */
static gboolean
format_codec (NetSipSdp *sdp, guint index, const char *fmt, NetSipCodec *codec)
{
  g_autofree char *name = NULL;
  guint rate = 0, channels = 1;

  if (g_strcmp0 (fmt, "0") != 0 && g_strcmp0 (fmt, "8") != 0)
    return FALSE;
  if (!net_sip_sdp_get_media_rtpmap (sdp, index, fmt, &name, &rate, &channels))
    return FALSE;
  if (rate != 8000 || channels != 1)
    return FALSE;
  if (fmt[0] == '0' && g_ascii_strcasecmp (name, "PCMU") == 0)
    *codec = NET_SIP_CODEC_PCMU;
  else if (fmt[0] == '8' && g_ascii_strcasecmp (name, "PCMA") == 0)
    *codec = NET_SIP_CODEC_PCMA;
  else
    return FALSE;
  return TRUE;
}

static int
format_telephone_event (NetSipSdp *sdp, guint index, const char *fmt)
{
  g_autofree char *name = NULL;
  guint rate = 0;
  char *end = NULL;
  gulong pt;

  if (!net_sip_sdp_get_media_rtpmap (sdp, index, fmt, &name, &rate, NULL))
    return -1;
  if (g_ascii_strcasecmp (name, "telephone-event") != 0 || rate != 8000)
    return -1;
  pt = strtoul (fmt, &end, 10);
  /* dynamic payload types (RFC 3551 §6: 96-127) */
  if (end == fmt || *end != '\0' || pt < 96 || pt > 127)
    return -1;
  return (int) pt;
}

typedef struct {
  guint index;
  NetSipCodec codec;
  int te_pt;
  const char *te_fmtp;
} AudioChoice;

/* The first audio medium with a codec we know, the codec in the peer's
 * order of preference (RFC 3264 §6.1) */
static gboolean
find_audio (NetSipSdp *sdp, AudioChoice *choice, gboolean *any_audio)
{
  guint n = net_sip_sdp_get_n_media (sdp);

  *any_audio = FALSE;
  for (guint i = 0; i < n; i++)
    {
      const char * const *formats;
      gboolean have_codec = FALSE;

      if (g_strcmp0 (net_sip_sdp_get_media_type (sdp, i), "audio") != 0
          || !is_rtp_avp (net_sip_sdp_get_media_proto (sdp, i)))
        continue;
      *any_audio = TRUE;
      formats = net_sip_sdp_get_media_formats (sdp, i);
      choice->te_pt = -1;
      choice->te_fmtp = NULL;
      for (guint f = 0; formats != NULL && formats[f] != NULL; f++)
        {
          NetSipCodec codec;
          int te;

          if (!have_codec && format_codec (sdp, i, formats[f], &codec))
            {
              choice->codec = codec;
              have_codec = TRUE;
            }
          else if (choice->te_pt < 0 && (te = format_telephone_event (sdp, i, formats[f])) >= 0)
            {
              choice->te_pt = te;
              choice->te_fmtp = net_sip_sdp_get_media_fmtp (sdp, i, formats[f]);
            }
        }
      if (have_codec)
        {
          choice->index = i;
          return TRUE;
        }
    }
  return FALSE;
}

static guint16
remote_rtcp_port (NetSipSdp *sdp, guint index, guint16 port)
{
  const char *rtcp = net_sip_sdp_get_media_attribute (sdp, index, "rtcp");
  char *end = NULL;
  gulong value;

  /* RFC 3605: a=rtcp:<port> [nettype addrtype address] */
  if (rtcp != NULL)
    {
      value = strtoul (rtcp, &end, 10);
      if (end != rtcp && value > 0 && value < 65536)
        return (guint16) value;
    }
  return (guint16) (port + 1);
}

/* The connection address must be an IP literal of our socket's family
 * (we do not resolve names in c=, RFC 4566 §5.7 allows them); the
 * unspecified address is the RFC 2543 hold and passes. */
static gboolean
check_address (NetSipRtpSession *self, const char *address, guint16 port,
               guint index, GError **error)
{
  g_autoptr(GInetAddress) inet = g_inet_address_new_from_string (address);

  if (inet == NULL)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                   "audio medium %u: connection address '%s' is not an IP address",
                   index, address);
      return FALSE;
    }
  if (port != 0 && !g_inet_address_get_is_any (inet)
      && g_inet_address_get_family (inet) != self->family)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                   "audio medium %u: %s address %s, but the session is bound to %s",
                   index, g_inet_address_get_family (inet) == G_SOCKET_FAMILY_IPV6 ? "IPv6" : "IPv4",
                   address, self->local_address);
      return FALSE;
    }
  return TRUE;
}

/* Our m= line: the codecs, telephone-event, rtpmap/fmtp/ptime and the
 * direction. */
static void
add_our_audio (NetSipRtpSession   *self,
               NetSipSdp          *sdp,
               guint16             port,
               const NetSipCodec  *codecs,
               guint               n_codecs,
               int                 te_pt,
               const char         *te_fmtp,
               NetSipSdpDirection  direction)
{
  const char *formats[4] = { NULL, };
  char pt_buf[3][8];
  guint n = 0, index;

  for (guint i = 0; i < n_codecs; i++)
    {
      g_snprintf (pt_buf[n], sizeof pt_buf[n], "%u", (guint) codecs[i]);
      formats[n] = pt_buf[n];
      n++;
    }
  if (te_pt >= 0)
    {
      g_snprintf (pt_buf[n], sizeof pt_buf[n], "%d", te_pt);
      formats[n] = pt_buf[n];
      n++;
    }
  index = net_sip_sdp_add_media (sdp, "audio", port, "RTP/AVP", formats);
  for (guint i = 0; i < n_codecs; i++)
    {
      g_autofree char *map = g_strdup_printf ("%u %s/8000", (guint) codecs[i],
                                              codecs[i] == NET_SIP_CODEC_PCMA ? "PCMA" : "PCMU");
      net_sip_sdp_add_media_attribute (sdp, index, "rtpmap", map);
    }
  if (te_pt >= 0)
    {
      g_autofree char *map = g_strdup_printf ("%d telephone-event/8000", te_pt);
      g_autofree char *fmtp = g_strdup_printf ("%d %s", te_pt,
                                               te_fmtp != NULL && *te_fmtp != '\0' ? te_fmtp : "0-15");
      net_sip_sdp_add_media_attribute (sdp, index, "rtpmap", map);
      net_sip_sdp_add_media_attribute (sdp, index, "fmtp", fmtp);
    }
  {
    g_autofree char *ptime = g_strdup_printf ("%u", self->ptime);
    net_sip_sdp_add_media_attribute (sdp, index, "ptime", ptime);
  }
  net_sip_sdp_set_media_direction (sdp, index, direction);
}

static NetSipSdp *
new_description (NetSipRtpSession *self)
{
  NetSipSdp *sdp = net_sip_sdp_new ();

  /* RFC 4566 §5.2: the version grows with each new description */
  self->sdp_version++;
  net_sip_sdp_set_origin (sdp, "-", self->sdp_session_id, self->sdp_version,
                          addrtype_of (self), self->local_address);
  net_sip_sdp_set_connection (sdp, addrtype_of (self), self->local_address);
  return sdp;
}

/**
 * net_sip_rtp_session_create_offer:
 * @self: a #NetSipRtpSession
 *
 * Creates an SDP offer (RFC 3264 §5) for our audio stream: `o=` and `c=`
 * with the local address, `m=audio <local port> RTP/AVP 0 8 101` (the
 * current [property@NetSip.RtpSession:codec] first), the rtpmaps,
 * `a=fmtp:101 0-15`, `a=ptime` and the direction of
 * [property@NetSip.RtpSession:direction] (`a=sendonly` or `a=inactive`
 * hold the peer, RFC 3264 §8.4). Telephone-event uses 101 or the payload
 * type negotiated before. Each offer has a higher `o=` version.
 *
 * Returns: (transfer full): the offer
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_rtp_session_create_offer (NetSipRtpSession *self)
{
  NetSipSdp *sdp;
  NetSipCodec codecs[2];

  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NULL);

  codecs[0] = self->codec;
  codecs[1] = self->codec == NET_SIP_CODEC_PCMU ? NET_SIP_CODEC_PCMA : NET_SIP_CODEC_PCMU;
  sdp = new_description (self);
  add_our_audio (self, sdp, self->local_port, codecs, 2,
                 self->te_pt >= 0 ? self->te_pt : OFFER_TE_PT, NULL,
                 self->wanted_direction);
  self->offered_direction = self->wanted_direction;
  return sdp;
}

/**
 * net_sip_rtp_session_create_answer:
 * @self: a #NetSipRtpSession
 * @offer: (transfer none): the peer's offer
 * @error: return location for a #GError
 *
 * Answers an offer (RFC 3264 §6): the first `audio` medium over RTP/AVP
 * with PCMU or PCMA is accepted with the first of them in the offer's
 * order, plus `telephone-event/8000` at the payload type the offer gives
 * it (any dynamic number); other media are rejected with port 0, in the
 * offer's order (§6). The answer's direction follows §6.1: the offer's
 * sendonly gives recvonly, recvonly gives sendonly, inactive inactive,
 * limited by [method@NetSip.RtpSession.set_direction]. The session takes
 * the remote address from the medium's or the session's `c=` (RTCP from
 * `a=rtcp` (RFC 3605) or port + 1), the codec, the telephone-event
 * payload type and the direction. An offered port 0 or address `0.0.0.0`
 * (RFC 2543 hold, RFC 3264 §8.4) stops our sending.
 *
 * Errors: %NET_SIP_RTP_ERROR_BAD_SDP when there is no such medium or no
 * codec in common, or the connection address is missing, not an IP
 * literal or of the other IP family than ours; the session is unchanged.
 *
 * Returns: (transfer full): the answer, or %NULL with @error set
 *
 * Since: 1.0
 */
NetSipSdp *
net_sip_rtp_session_create_answer (NetSipRtpSession  *self,
                                   NetSipSdp         *offer,
                                   GError           **error)
{
  g_autoptr(NetSipSdp) sdp = NULL;
  AudioChoice choice = { 0, };
  gboolean any_audio;
  const char *address;
  guint16 port;
  NetSipSdpDirection direction;
  guint n;

  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), NULL);
  g_return_val_if_fail (NET_SIP_IS_SDP (offer), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!find_audio (offer, &choice, &any_audio))
    {
      g_set_error_literal (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                           any_audio ? "no codec in common: the offer has neither PCMU nor PCMA"
                                     : "the offer has no RTP/AVP audio medium");
      return NULL;
    }
  address = net_sip_sdp_get_media_address (offer, choice.index);
  if (address == NULL)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                   "audio medium %u has no connection address (c=)", choice.index);
      return NULL;
    }
  port = net_sip_sdp_get_media_port (offer, choice.index);
  if (!check_address (self, address, port, choice.index, error))
    return NULL;
  direction = reverse_direction (net_sip_sdp_get_media_direction (offer, choice.index))
              & self->wanted_direction;

  sdp = new_description (self);
  n = net_sip_sdp_get_n_media (offer);
  for (guint i = 0; i < n; i++)
    {
      if (i == choice.index)
        {
          /* an offered port 0 is answered with port 0 (§6) */
          add_our_audio (self, sdp, port == 0 ? 0 : self->local_port, &choice.codec, 1,
                         choice.te_pt, choice.te_fmtp, direction);
        }
      else
        {
          /* rejected: same type, proto and formats, port 0 (§6) */
          net_sip_sdp_add_media (sdp, net_sip_sdp_get_media_type (offer, i), 0,
                                 net_sip_sdp_get_media_proto (offer, i),
                                 net_sip_sdp_get_media_formats (offer, i));
        }
    }

  net_sip_rtp_session_apply_negotiation (self, address, port,
                                         remote_rtcp_port (offer, choice.index, port),
                                         choice.codec, choice.te_pt, direction);
  return g_steal_pointer (&sdp);
}

/**
 * net_sip_rtp_session_apply_answer:
 * @self: a #NetSipRtpSession
 * @answer: (transfer none): the peer's answer to our last offer
 * @error: return location for a #GError
 *
 * Applies the answer to [method@NetSip.RtpSession.create_offer]
 * (RFC 3264 §7): the remote address and port of the first audio medium,
 * the codec the answer lists first, the payload type the peer chose for
 * `telephone-event` (-1 when it left it out) and our direction: the
 * reverse of the answer's, within what we offered. Port 0 or address
 * `0.0.0.0` in the answer stops our sending.
 *
 * Errors: %NET_SIP_RTP_ERROR_BAD_SDP when the answer has no audio medium,
 * no codec we offered (with a port other than 0), or the connection
 * address is missing, not an IP literal or of the other IP family than
 * ours; the session is unchanged.
 *
 * Returns: %TRUE when applied
 *
 * Since: 1.0
 */
gboolean
net_sip_rtp_session_apply_answer (NetSipRtpSession  *self,
                                  NetSipSdp         *answer,
                                  GError           **error)
{
  AudioChoice choice = { 0, };
  gboolean any_audio;
  const char *address;
  guint16 port;
  NetSipSdpDirection direction;

  g_return_val_if_fail (NET_SIP_IS_RTP_SESSION (self), FALSE);
  g_return_val_if_fail (NET_SIP_IS_SDP (answer), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!find_audio (answer, &choice, &any_audio))
    {
      guint n = net_sip_sdp_get_n_media (answer);

      /* a rejected stream (port 0) need not list a codec we know */
      for (guint i = 0; i < n; i++)
        if (g_strcmp0 (net_sip_sdp_get_media_type (answer, i), "audio") == 0
            && net_sip_sdp_get_media_port (answer, i) == 0)
          {
            net_sip_rtp_session_apply_negotiation (self, NULL, 0, 0, self->codec, self->te_pt,
                                                   NET_SIP_SDP_DIRECTION_INACTIVE);
            return TRUE;
          }
      g_set_error_literal (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                           any_audio ? "no codec in common: the answer has neither PCMU nor PCMA"
                                     : "the answer has no RTP/AVP audio medium");
      return FALSE;
    }
  address = net_sip_sdp_get_media_address (answer, choice.index);
  if (address == NULL)
    {
      g_set_error (error, NET_SIP_RTP_ERROR, NET_SIP_RTP_ERROR_BAD_SDP,
                   "audio medium %u has no connection address (c=)", choice.index);
      return FALSE;
    }
  port = net_sip_sdp_get_media_port (answer, choice.index);
  if (!check_address (self, address, port, choice.index, error))
    return FALSE;
  direction = reverse_direction (net_sip_sdp_get_media_direction (answer, choice.index))
              & self->offered_direction;
  net_sip_rtp_session_apply_negotiation (self, address, port,
                                         remote_rtcp_port (answer, choice.index, port),
                                         choice.codec, choice.te_pt, direction);
  return TRUE;
}
