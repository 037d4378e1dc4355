#!/usr/bin/python3
# test-message.py: NetSip through PyGObject (the typelib, not the C API).
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-message.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.environ.get('NETSIP_TEST_CORPUS',
                        os.path.join(HERE, '..', '..', 'tests', 'corpus'))

INVITE = os.path.join(CORPUS, 'realistic', '06-invite-sdp-uac.sip')
RINGING = os.path.join(CORPUS, 'realistic', '09-180-ringing.sip')
TORTURE_TEST = os.path.join(CORPUS, 'torture', 'test.sip')

ALLOW = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'PRACK', 'UPDATE',
         'REFER', 'NOTIFY', 'SUBSCRIBE', 'MESSAGE', 'INFO']


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def parse_file(path):
    return NetSip.Message.parse(GLib.Bytes.new(read(path)))


# -- the checks --------------------------------------------------------------

def test_parse_request_line():
    m = parse_file(INVITE)
    check(isinstance(m, NetSip.Request),
          'parse() returns a NetSip.Request for a request, got %r' % type(m))
    check(m.is_request(), 'is_request()')
    eq(m.get_method(), 'INVITE', 'Message.get_method')
    eq(m.get_version(), 'SIP/2.0', 'get_version')
    eq(m.get_uri(), 'sip:bob@example.org', 'Request.get_uri')
    uri = m.get_parsed_uri()
    eq(uri.get_user(), 'bob', 'Request-URI user')
    eq(uri.get_host(), 'example.org', 'Request-URI host')


def test_top_via():
    m = parse_file(INVITE)
    via = m.get_top_via()
    check(isinstance(via, NetSip.Via), 'get_top_via returns NetSip.Via')
    eq(via.get_transport(), 'UDP', 'Via transport')
    eq(via.get_host(), '192.0.2.10', 'Via host')
    eq(via.get_port(), 5060, 'Via port')
    eq(via.get_branch(), 'z9hG4bK5972cd84e5eb', 'Via branch')
    check(via.has_param('rport'), 'Via has rport')
    vias = m.get_vias()
    eq(len(vias), 1, 'get_vias length')
    eq(vias[0].get_branch(), 'z9hG4bK5972cd84e5eb', 'get_vias()[0] branch')


def test_cseq():
    m = parse_file(INVITE)
    ok, number, method = m.get_cseq()
    check(ok, 'get_cseq returns TRUE')
    eq(number, 101, 'CSeq number (out)')
    eq(method, 'INVITE', 'CSeq method (out)')
    eq(m.get_cseq_number(), 101, 'get_cseq_number')
    eq(m.get_cseq_method(), 'INVITE', 'get_cseq_method')


def test_from_to_call_id():
    m = parse_file(INVITE)
    frm = m.get_from()
    check(isinstance(frm, NetSip.NameAddr), 'get_from returns NetSip.NameAddr')
    eq(frm.get_display_name(), 'Alice Liddell', 'From display name')
    eq(frm.get_uri_string(), 'sip:alice@example.com', 'From URI')
    eq(frm.get_tag(), 'f52dd20537', 'From tag')
    eq(m.get_from_tag(), 'f52dd20537', 'get_from_tag')
    eq(frm.get_uri().get_user(), 'alice', 'From URI user')
    to = m.get_to()
    eq(to.get_display_name(), 'Bob', 'To display name')
    eq(to.get_tag(), None, 'To tag of an initial INVITE')
    eq(m.get_to_tag(), None, 'get_to_tag')
    eq(m.get_call_id(), '60064fdb8c05a83ad34e6fa2@192.0.2.10', 'Call-ID')
    eq(m.get_max_forwards(), 70, 'Max-Forwards')
    contacts = m.get_contacts()
    eq(len(contacts), 1, 'one Contact')
    eq(contacts[0].get_uri_string(), 'sip:alice@192.0.2.10:5060;transport=udp',
       'Contact URI')
    routes = m.get_routes()
    eq([r.get_uri_string() for r in routes], ['sip:203.0.113.5;lr'], 'Route')


def test_headers():
    m = parse_file(INVITE)
    eq(m.get_header('Allow').split(', '), ALLOW, 'get_header(Allow)')
    eq(list(m.get_headers('Allow')), ALLOW, 'get_headers(Allow)')
    eq(m.count_headers('Allow'), 1, 'count_headers(Allow)')
    eq(m.get_header('session-expires'), '1800;refresher=uac',
       'get_header is case-insensitive')
    eq(m.get_header('X-Nothing'), None, 'get_header of a missing header')
    n = m.get_n_headers()
    eq(n, 15, 'get_n_headers')
    name, value = m.get_header_nth(0)
    eq(name, 'Via', 'get_header_nth(0) name')
    eq(value, 'SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK5972cd84e5eb;rport',
       'get_header_nth(0) value')
    seen = []

    def each(hname, hvalue, *data):
        seen.append(hname)
        return True
    m.foreach_header(each)
    eq(len(seen), n, 'foreach_header calls')
    eq(seen[-1], 'Content-Length', 'foreach_header last name')
    eq(NetSip.header_canonical_name('call-id'), 'Call-ID', 'header_canonical_name')


def test_body():
    m = parse_file(INVITE)
    body = m.get_body()
    eq(body.get_size(), 238, 'body size')
    check(body.get_data().startswith(b'v=0\r\n'), 'body starts with v=0')
    eq(m.get_content_length(), 238, 'get_content_length')
    eq(m.get_content_type(), 'application/sdp', 'get_content_type')


def test_response():
    req = parse_file(INVITE)
    resp = req.create_response(180, None, 'totag')
    check(isinstance(resp, NetSip.Response), 'create_response returns NetSip.Response')
    check(not resp.is_request(), 'response is_request() is FALSE')
    eq(resp.get_code(), 180, 'status code')
    eq(resp.get_reason(), 'Ringing', 'default reason phrase')
    eq(resp.get_top_via().get_branch(), 'z9hG4bK5972cd84e5eb', 'response Via branch')
    eq(resp.get_from_tag(), 'f52dd20537', 'response From tag')
    eq(resp.get_to_tag(), 'totag', 'response To tag')
    ok, number, method = resp.get_cseq()
    eq((ok, number, method), (True, 101, 'INVITE'), 'response CSeq')
    eq(resp.get_call_id(), req.get_call_id(), 'response Call-ID')

    data = resp.to_bytes()
    check(isinstance(data, GLib.Bytes), 'to_bytes returns GLib.Bytes')
    raw = data.get_data()
    check(raw.startswith(b'SIP/2.0 180 Ringing\r\n'),
          'serialized status line: %r' % raw[:40])
    eq(resp.to_string().encode(), raw, 'to_string matches to_bytes')

    again = NetSip.Message.parse(data)
    check(isinstance(again, NetSip.Response), 're-parsed response type')
    eq(again.get_code(), 180, 're-parsed code')
    eq(again.get_to_tag(), 'totag', 're-parsed To tag')
    eq(again.get_from_tag(), 'f52dd20537', 're-parsed From tag')
    eq(again.get_cseq()[1:], (101, 'INVITE'), 're-parsed CSeq')
    eq(again.get_top_via().get_branch(), 'z9hG4bK5972cd84e5eb', 're-parsed Via branch')
    eq(again.get_call_id(), '60064fdb8c05a83ad34e6fa2@192.0.2.10', 're-parsed Call-ID')
    eq(again.get_content_length(), 0, 're-parsed Content-Length')


def test_request_round_trip():
    data = read(INVITE)
    m = NetSip.Message.parse(GLib.Bytes.new(data))
    again = NetSip.Message.parse(m.to_bytes())
    eq(again.get_uri(), 'sip:bob@example.org', 're-parsed Request-URI')
    eq(again.get_cseq()[1:], (101, 'INVITE'), 're-parsed CSeq')
    eq(again.get_body().get_data(), m.get_body().get_data(), 're-parsed body')

    # Editing through the binding, then serializing.
    m.set_header('Max-Forwards', '69')
    m.add_header('X-Test', 'one')
    check(m.is_modified(), 'is_modified after set_header')
    edited = NetSip.Message.parse(m.to_bytes())
    eq(edited.get_max_forwards(), 69, 'edited Max-Forwards')
    eq(edited.get_header('X-Test'), 'one', 'added header')


def test_new_request():
    r = NetSip.Request.new('OPTIONS', 'sip:carol@example.net')
    eq(r.get_method(), 'OPTIONS', 'Request.new method')
    eq(r.get_uri(), 'sip:carol@example.net', 'Request.new URI')
    r2 = NetSip.Response.new(404, None)
    eq(r2.get_reason(), 'Not Found', 'Response.new default reason')
    eq(NetSip.Response.default_reason(486), 'Busy Here', 'default_reason')


def test_parse_error():
    try:
        parse_file(TORTURE_TEST)
    except GLib.Error as e:
        eq(e.domain, 'net-sip-parse-error-quark', 'error domain')
        codes = [int(v) for v in NetSip.ParseError.__enum_values__]
        check(e.code in codes, 'code %d is a NetSip.ParseError' % e.code)
        check(e.matches(NetSip.parse_error_quark(), e.code), 'GError.matches')
        check(e.message, 'error has a message')
        print('# test.sip: %s (%s): %s'
              % (NetSip.ParseError(e.code).value_nick, e.code, e.message))
    else:
        raise AssertionError('parsing torture/test.sip did not raise GLib.Error')

    try:
        NetSip.Message.parse(GLib.Bytes.new(b'INVITE sip:a@b SIP/2.0\r\nVia: x'))
    except GLib.Error as e:
        eq(e.domain, 'net-sip-parse-error-quark', 'truncated: error domain')
        eq(e.code, int(NetSip.ParseError.INCOMPLETE), 'truncated: INCOMPLETE')
    else:
        raise AssertionError('a truncated message parsed')


def framer_collect(framer):
    out = []
    while True:
        msg = framer.next()
        if msg is None:
            return out
        out.append(msg)


def test_stream_framer_bytes():
    stream = read(INVITE) + read(RINGING)
    framer = NetSip.StreamFramer.new()
    got = []
    for i in range(0, len(stream), 97):
        framer.push_bytes(GLib.Bytes.new(stream[i:i + 97]))
        got += framer_collect(framer)
    eq(len(got), 2, 'messages from the stream')
    eq(got[0].get_method(), 'INVITE', 'first message')
    eq(got[0].get_body().get_size(), 238, 'first message body')
    eq(got[1].get_code(), 180, 'second message')
    eq(framer.get_buffered_size(), 0, 'nothing left buffered')


def test_stream_framer_push():
    # push() takes (data, length): needs (array length=length) on @data.
    stream = read(INVITE) + read(RINGING)
    framer = NetSip.StreamFramer.new()
    got = []
    for i in range(0, len(stream), 13):
        framer.push(stream[i:i + 13])
        got += framer_collect(framer)
    eq([m.get_method() if m.is_request() else m.get_code() for m in got],
       ['INVITE', 180], 'messages pushed as Python bytes')


def test_uri():
    # Uri.parse takes (text, length) in C; @text is annotated
    # (array length=length) (element-type guint8), so Python passes bytes.
    a = NetSip.Uri.parse(b'sip:alice@example.com;transport=udp')
    eq(a.get_scheme(), 'sip', 'scheme')
    check(a.is_sip() and not a.is_sips(), 'is_sip')
    eq(a.get_user(), 'alice', 'user')
    eq(a.get_host(), 'example.com', 'host')
    eq(a.get_port(), 0, 'no port')
    eq(a.get_param('transport'), 'udp', 'transport param')
    # RFC 3261 §19.1.4: host and transport compare case-insensitively,
    # the user part does not; an explicit default port is not "no port".
    b = NetSip.Uri.parse(b'sip:alice@EXAMPLE.com;Transport=UDP')
    check(a.equal(b), 'host and transport compare case-insensitively')
    check(not a.equal(NetSip.Uri.parse(b'sip:ALICE@example.com;transport=udp')),
          'user compares case-sensitively')
    check(not a.equal(NetSip.Uri.parse(b'sip:alice@example.com:5060;transport=udp')),
          'port 5060 differs from no port')
    c = a.copy()
    c.set_port(5070)
    eq(c.to_string(), 'sip:alice@example.com:5070;transport=udp', 'to_string after set_port')
    eq(a.get_port(), 0, 'copy is independent')
    u = NetSip.Uri.new('sips', 'bob', 'example.org', 5061)
    eq(u.to_string(), 'sips:bob@example.org:5061', 'Uri.new')
    try:
        NetSip.Uri.parse(b'sip:')
    except GLib.Error as e:
        eq(e.domain, 'net-sip-parse-error-quark', 'bad URI error domain')
    else:
        raise AssertionError("'sip:' parsed as a URI")


def test_sdp():
    m = parse_file(INVITE)
    sdp = NetSip.Sdp.parse(m.get_body())
    check(isinstance(sdp, NetSip.Sdp), 'Sdp.parse returns NetSip.Sdp')
    eq(sdp.get_version(), 0, 'v=')
    eq(sdp.get_origin_username(), 'alice', 'o= username')
    eq(sdp.get_session_name(), '-', 's=')
    ok, addrtype, address, ttl, n_addresses = sdp.get_connection()
    check(ok, 'session-level c= line')
    eq((addrtype, address), ('IP4', '192.0.2.10'), 'c= address')
    eq(sdp.get_n_media(), 1, 'one m= line')
    eq(sdp.get_media_type(0), 'audio', 'media type')
    eq(sdp.get_media_port(0), 49170, 'media port')
    eq(sdp.get_media_proto(0), 'RTP/AVP', 'media proto')
    eq(list(sdp.get_media_formats(0)), ['0', '8', '101'], 'media formats')
    ok, encoding, clock_rate, channels = sdp.get_media_rtpmap(0, '101')
    eq((ok, encoding, clock_rate), (True, 'telephone-event', 8000), 'rtpmap 101')
    eq(sdp.get_media_fmtp(0, '101'), '0-16', 'fmtp 101')
    eq(sdp.get_media_direction(0), NetSip.SdpDirection.SENDRECV, 'a=sendrecv')

    # Edit and serialize: the port a NAT helper would rewrite.
    sdp.set_media_port(0, 40000)
    again = NetSip.Sdp.parse(sdp.to_bytes())
    eq(again.get_media_port(0), 40000, 're-parsed media port')
    try:
        NetSip.Sdp.parse(GLib.Bytes.new(b'this is not SDP\r\n'))
    except GLib.Error as e:
        eq(e.domain, 'net-sip-parse-error-quark', 'bad SDP: error domain')
        eq(e.code, int(NetSip.ParseError.SDP), 'bad SDP: code SDP')
    else:
        raise AssertionError('garbage parsed as SDP')


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
