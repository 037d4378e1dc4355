/* netsip-message.h: a SIP request or response (RFC 3261 §7)
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include <gio/gio.h>
#include "netsip-types.h"
#include "netsip-uri.h"
#include "netsip-via.h"
#include "netsip-name-addr.h"
#include "netsip-auth-params.h"

G_BEGIN_DECLS

#define NET_SIP_TYPE_MESSAGE (net_sip_message_get_type ())

NET_SIP_AVAILABLE_IN_ALL
G_DECLARE_DERIVABLE_TYPE (NetSipMessage, net_sip_message, NET_SIP, MESSAGE, GObject)

struct _NetSipMessageClass
{
  GObjectClass parent_class;

  /*< private >*/
  gpointer padding[8];
};

/**
 * NetSipParseFlags:
 * @NET_SIP_PARSE_FLAGS_NONE: datagram framing (RFC 3261 §18.3): the body is
 *   bounded by Content-Length and octets after it are discarded; without
 *   Content-Length the body is the rest of the datagram
 * @NET_SIP_PARSE_FLAGS_STREAM: stream framing: Content-Length is mandatory
 *   and the input must hold exactly one message
 *
 * How [func@NetSip.Message.parse_full] frames a message.
 *
 * Since: 1.0
 */
typedef enum /*< flags >*/ {
  NET_SIP_PARSE_FLAGS_NONE   = 0,
  NET_SIP_PARSE_FLAGS_STREAM = 1 << 0,
} NetSipParseFlags;

/**
 * NetSipHeaderFunc:
 * @name: the header name as it appears in the message
 * @value: the header value, unfolded, without leading or trailing whitespace
 * @user_data: the data passed to [method@NetSip.Message.foreach_header]
 *
 * Called for each header line in order.
 *
 * Returns: %TRUE to continue, %FALSE to stop
 *
 * Since: 1.0
 */
typedef gboolean (*NetSipHeaderFunc) (const char *name,
                                      const char *value,
                                      gpointer    user_data);

NET_SIP_AVAILABLE_IN_ALL
NetSipMessage    *net_sip_message_parse               (GBytes            *bytes,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipMessage    *net_sip_message_parse_full          (GBytes            *bytes,
                                                       NetSipParseFlags   flags,
                                                       gsize              max_header_size,
                                                       gsize              max_body_size,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
GBytes           *net_sip_message_to_bytes            (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
char             *net_sip_message_to_string           (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_message_is_request          (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_method          (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_version         (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_message_is_modified         (NetSipMessage     *self);

/* Headers by name */
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_header          (NetSipMessage     *self,
                                                       const char        *name);
NET_SIP_AVAILABLE_IN_ALL
char            **net_sip_message_get_headers         (NetSipMessage     *self,
                                                       const char        *name);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_message_count_headers       (NetSipMessage     *self,
                                                       const char        *name);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_message_set_header          (NetSipMessage     *self,
                                                       const char        *name,
                                                       const char        *value);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_message_add_header          (NetSipMessage     *self,
                                                       const char        *name,
                                                       const char        *value);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_message_prepend_header      (NetSipMessage     *self,
                                                       const char        *name,
                                                       const char        *value);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_message_remove_header       (NetSipMessage     *self,
                                                       const char        *name);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_message_remove_first_header (NetSipMessage     *self,
                                                       const char        *name);
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_message_get_n_headers       (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_header_nth      (NetSipMessage     *self,
                                                       guint              index,
                                                       const char       **value);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_message_foreach_header      (NetSipMessage     *self,
                                                       NetSipHeaderFunc   func,
                                                       gpointer           user_data);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_header_canonical_name       (const char        *name);

/* Body */
NET_SIP_AVAILABLE_IN_ALL
GBytes           *net_sip_message_get_body            (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
void              net_sip_message_set_body            (NetSipMessage     *self,
                                                       GBytes            *body,
                                                       const char        *content_type);

/* Structured values, parsed on first use */
NET_SIP_AVAILABLE_IN_ALL
NetSipVia        *net_sip_message_get_top_via         (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_message_get_vias            (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gboolean          net_sip_message_get_cseq            (NetSipMessage     *self,
                                                       guint32           *number,
                                                       const char       **method,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
guint32           net_sip_message_get_cseq_number     (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_cseq_method     (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
NetSipNameAddr   *net_sip_message_get_from            (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
NetSipNameAddr   *net_sip_message_get_to              (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_from_tag        (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_to_tag          (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_call_id         (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_message_get_contacts        (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_message_get_routes          (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_message_get_record_routes   (NetSipMessage     *self,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
GPtrArray        *net_sip_message_get_auth_params     (NetSipMessage     *self,
                                                       const char        *name,
                                                       GError           **error);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_message_get_max_forwards    (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_message_get_expires         (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_message_get_min_expires     (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
gint64            net_sip_message_get_content_length  (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
char             *net_sip_message_get_content_type    (NetSipMessage     *self);
NET_SIP_AVAILABLE_IN_ALL
const char       *net_sip_message_get_tid             (NetSipMessage     *self);

/* Checks (RFC 3261 §8.2, §16.3) */
NET_SIP_AVAILABLE_IN_ALL
guint             net_sip_message_validate            (NetSipMessage     *self,
                                                       char             **reason);

G_END_DECLS
