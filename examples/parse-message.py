#!/usr/bin/python3
# parse-message.py: parse a SIP message with netsip-glib from Python.
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 examples/parse-message.py tests/corpus/realistic/06-invite-sdp-uac.sip
import sys
import gi
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip

for path in sys.argv[1:]:
    with open(path, 'rb') as f:        # binary: Content-Length counts octets
        data = f.read()
    try:
        msg = NetSip.Message.parse(GLib.Bytes.new(data))
    except GLib.Error as e:            # domain NetSip.parse_error_quark()
        print(f'{path}: {NetSip.ParseError(e.code).value_nick}: {e.message}')
        continue
    first = (f'{msg.get_method()} {msg.get_uri()}' if msg.is_request()
             else f'{msg.get_code()} {msg.get_reason()}')
    ok, number, method = msg.get_cseq()
    via = msg.get_top_via()
    print(f'{path}: {first}  CSeq {number} {method}  From tag {msg.get_from_tag()}  '
          f'Via {via.get_transport()} {via.get_host()}:{via.get_port()} {via.get_branch()}')
    if msg.is_request():               # answer it, as a UAS would
        print(msg.create_response(180, None, 'as83kd9bs').to_string())
