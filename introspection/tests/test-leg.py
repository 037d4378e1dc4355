#!/usr/bin/python3
# test-leg.py: NetSip.Leg through PyGObject (the typelib, not the C API).
#
# A UDP leg binds an ephemeral port on loopback and reports it; an OPTIONS
# built in Python and sent with deliver_async from one leg arrives as
# message-received on another, with a source info naming the sender.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-leg.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, Gio, NetSip  # noqa: E402
from tap import eq, check, run_until, run_tests  # noqa: E402

TIMEOUT_S = 10


def new_options(uri, leg_port, call_id):
    req = NetSip.Request.new('OPTIONS', uri)
    req.add_header('Max-Forwards', '70')
    req.add_header('From', '<sip:python@127.0.0.1:%d>;tag=py1' % leg_port)
    req.add_header('To', '<%s>' % uri)
    req.add_header('Call-ID', call_id)
    req.add_header('CSeq', '17 OPTIONS')
    return req


# -- the checks --------------------------------------------------------------

def test_new_binds_and_reports_port():
    leg = NetSip.Leg.new('udp:127.0.0.1:0')
    check(isinstance(leg, NetSip.Leg), 'Leg.new returns a NetSip.Leg')
    port = leg.get_port()
    check(0 < port < 65536, 'get_port() is an ephemeral port, got %r' % port)
    eq(leg.props.port, port, 'port property')
    eq(leg.get_property('port'), port, "get_property('port')")
    eq(leg.get_protocol(), NetSip.Transport.UDP, 'get_protocol')
    eq(leg.get_address(), '127.0.0.1', 'get_address')
    eq(leg.get_family(), Gio.SocketFamily.IPV4, 'get_family')

    # a second leg gets a port of its own
    other = NetSip.Leg.new('udp:127.0.0.1:0')
    check(other.get_port() != port, 'two legs, two ports')


def test_bad_spec_raises():
    for spec in ('udp:not-an-address:0', 'carrier-pigeon:127.0.0.1:0',
                 'udp:127.0.0.1:70000'):
        try:
            NetSip.Leg.new(spec)
        except GLib.Error as e:
            eq(e.domain, 'net-sip-transport-error-quark',
               '%r: error domain' % spec)
        else:
            raise AssertionError('Leg.new(%r) did not raise' % spec)


def test_message_from_one_leg_arrives_on_another():
    sender = NetSip.Leg.new('udp:127.0.0.1:0')
    receiver = NetSip.Leg.new('udp:127.0.0.1:0')
    s_port = sender.get_port()
    r_port = receiver.get_port()

    got = []

    def on_message(leg, message, source):
        got.append((leg, message, source))

    handler = receiver.connect('message-received', on_message)

    call_id = 'py-%d-%d@127.0.0.1' % (s_port, r_port)
    uri = 'sip:bob@127.0.0.1:%d' % r_port
    req = new_options(uri, s_port, call_id)

    sent = []

    def on_delivered(leg, result, user_data):
        try:
            sent.append(leg.deliver_finish(result))
        except GLib.Error as e:  # reported below
            sent.append(e)

    dest = Gio.InetSocketAddress.new_from_string('127.0.0.1', r_port)
    sender.deliver_async(req, dest, None, on_delivered, None)

    check(run_until(lambda: sent and got),
          'within %d s: delivered %r, received %r' % (TIMEOUT_S, sent, got))
    receiver.disconnect(handler)
    eq(sent, [True], 'deliver_finish')
    eq(len(got), 1, 'message-received emissions')

    leg, message, source = got[0]
    eq(leg, receiver, 'signal emitted by the receiving leg')
    check(isinstance(message, NetSip.Request), 'received a NetSip.Request')
    eq(message.get_method(), 'OPTIONS', 'method')
    eq(message.get_uri(), uri, 'Request-URI')
    eq(message.get_call_id(), call_id, 'Call-ID')
    eq(message.get_cseq_number(), 17, 'CSeq number')
    eq(message.get_cseq_method(), 'OPTIONS', 'CSeq method')
    eq(message.get_from_tag(), 'py1', 'From tag')

    # the sender's Via, with a fresh RFC 3261 branch
    via = message.get_top_via()
    eq(via.get_transport(), 'UDP', 'Via transport')
    eq(via.get_port(), s_port, 'Via sent-by port')
    check(via.get_branch().startswith('z9hG4bK')
          and len(via.get_branch()) >= len('z9hG4bK') + 16,
          'Via branch %r is z9hG4bK + 64 random bits or more' % via.get_branch())

    # where it came from
    check(isinstance(source, NetSip.SourceInfo), 'source is a NetSip.SourceInfo')
    eq(source.get_transport(), NetSip.Transport.UDP, 'source transport')
    remote = source.get_remote_address()
    eq(remote.get_address().to_string(), '127.0.0.1', 'source remote address')
    eq(remote.get_port(), s_port, "source remote port = the sender's port")
    local = source.get_local_address()
    if local is not None:
        eq(local.get_port(), r_port, "source local port = the receiver's port")


def test_response_goes_back():
    """The receiver answers with create_response + deliver_async to the
    source; the sender gets the 200 with its branch on top."""
    sender = NetSip.Leg.new('udp:127.0.0.1:0')
    receiver = NetSip.Leg.new('udp:127.0.0.1:0')
    s_port = sender.get_port()
    r_port = receiver.get_port()
    state = {'requests': 0, 'responses': [], 'errors': []}

    def on_delivered(leg, result, user_data):
        try:
            leg.deliver_finish(result)
        except GLib.Error as e:
            state['errors'].append(e)

    def on_request(leg, message, source):
        if not message.is_request():
            return
        state['requests'] += 1
        resp = message.create_response(200, None, 'pytag')
        leg.deliver_async(resp, source.get_remote_address(), None,
                          on_delivered, None)

    def on_response(leg, message, source):
        if not message.is_request():
            state['responses'].append((message, source))

    h1 = receiver.connect('message-received', on_request)
    h2 = sender.connect('message-received', on_response)

    req = new_options('sip:127.0.0.1:%d' % r_port, s_port,
                      'py-response-%d@127.0.0.1' % s_port)
    sender.add_via(req)
    eq(req.count_headers('Via'), 1, 'add_via adds one Via')
    branch = req.get_top_via().get_branch()
    sender.deliver_async(req, Gio.InetSocketAddress.new_from_string('127.0.0.1', r_port),
                         None, on_delivered, None)

    check(run_until(lambda: state['responses'] or state['errors']),
          'no response within %d s' % TIMEOUT_S)
    receiver.disconnect(h1)
    sender.disconnect(h2)
    eq(state['errors'], [], 'deliver errors')
    eq(state['requests'], 1, 'requests seen by the receiver')
    eq(req.count_headers('Via'), 1,
       'deliver_async added no second Via to a request carrying its own')
    resp, source = state['responses'][0]
    check(isinstance(resp, NetSip.Response), 'a NetSip.Response')
    eq(resp.get_code(), 200, 'status')
    eq(resp.get_to_tag(), 'pytag', 'To tag')
    eq(resp.get_top_via().get_branch(), branch, 'response Via branch')
    check(sender.check_via(resp), 'check_via accepts the response')
    eq(source.get_remote_address().get_port(), r_port, 'response source port')


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
