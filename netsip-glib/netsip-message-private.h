/* netsip-message-private.h: what NetSipRequest, NetSipResponse and the stream
 * framer share with NetSipMessage
 *
 * SPDX-License-Identifier: LGPL-2.1-or-later
 */
#pragma once

#include "netsip-message.h"
#include "netsip-arena-private.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;       /* as written (not NUL-terminated when parsed) */
  const char *value;      /* raw value, may contain folding */
  const char *cstr;       /* unfolded NUL-terminated copy, made on demand */
  gsize       cstr_length;
  guint32     name_length;
  guint32     value_length;
  guint32     line;       /* 1-based line in the parsed message, 0 if added */
  guint8      id;         /* NetSipHeaderId */
  guint8      folded;
} NetSipHeader;

/* Start line, for the subclasses. For requests: method, Request-URI,
 * version; for responses: version, reason and the code. */
typedef struct
{
  const char *method;
  const char *uri;
  const char *version;
  const char *reason;
  guint       code;
} NetSipStartLine;

NetSipStartLine *net_sip_message_get_start_line (NetSipMessage *self);
NetSipArena     *net_sip_message_get_arena      (NetSipMessage *self);
void             net_sip_message_mark_modified  (NetSipMessage *self);
gboolean         net_sip_message_replace_first_header (NetSipMessage *self,
                                                       const char    *name,
                                                       const char    *value);
gboolean         net_sip_message_set_via_received (NetSipMessage *self,
                                                   const char    *received,
                                                   guint16        rport);
void             net_sip_message_copy_headers   (NetSipMessage *dest,
                                                 NetSipMessage *src,
                                                 const char    *name,
                                                 gboolean       first_only);

G_END_DECLS

G_BEGIN_DECLS

/* A response to bytes that did not parse as a message, for a transport
 * that answers garbage: @code and @reason in the status line, and the Via,
 * From, To, Call-ID and CSeq lines copied from @bytes as they are. NULL
 * when @bytes is not a request or has no Via line. */
GBytes          *net_sip_message_error_response    (GBytes        *bytes,
                                                    guint          code,
                                                    const char    *reason);

G_END_DECLS
