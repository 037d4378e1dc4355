#!/usr/bin/python3
# test-nat-helper.py: NetSip.NatHelper through PyGObject (the typelib, not
# the C API): properties, an offer and an answer rewritten between legs on
# 127.0.0.1 and 127.0.0.2, one datagram relayed each way with Python
# sockets, get_counters (out arguments), get_stats (a GVariant unpacked to
# Python), a bad SDP as GLib.Error in the NAT error domain, and the
# session-closed signal after a BYE.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-nat-helper.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import socket
import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10
PORT_MIN = 52000 + 100 * (os.getpid() % 100)


def sdp(address, port):
    return ('v=0\r\no=- 1 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n'
            'm=audio %d RTP/AVP 0\r\n' % (address, address, port))


def message(text):
    return NetSip.Message.parse(GLib.Bytes.new(text.encode()))


def request(method, from_tag, to_tag, body):
    to = ';tag=%s' % to_tag if to_tag else ''
    ct = 'Content-Type: application/sdp\r\n' if body else ''
    return message('%s sip:b@127.0.0.2 SIP/2.0\r\n'
                   'Via: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK%s\r\n'
                   'From: <sip:a@127.0.0.1>;tag=%s\r\nTo: <sip:b@127.0.0.2>%s\r\n'
                   'Call-ID: py@test\r\nCSeq: 1 %s\r\n%sContent-Length: %d\r\n\r\n%s'
                   % (method, method, from_tag, to, method, ct, len(body), body))


def response(body):
    return message('SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bKINVITE\r\n'
                   'From: <sip:a@127.0.0.1>;tag=pa\r\nTo: <sip:b@127.0.0.2>;tag=pb\r\n'
                   'Call-ID: py@test\r\nCSeq: 1 INVITE\r\n'
                   'Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s'
                   % (len(body), body))


def media_port(msg):
    s = NetSip.Sdp.parse(msg.get_body())
    return s.get_media_address(0), s.get_media_port(0)


def receive(sock):
    """Runs the main loop until sock has a datagram (bounded)."""
    ctx = GLib.MainContext.default()
    ready = []
    timeout = GLib.timeout_add_seconds(TIMEOUT_S, lambda: ready.append(False) and False)
    watch = GLib.io_add_watch(sock.fileno(), GLib.PRIORITY_DEFAULT, GLib.IO_IN,
                              lambda *a: ready.append(True) and False)
    while not ready:
        ctx.iteration(True)
    if ready[0]:
        GLib.source_remove(timeout)
    else:
        GLib.source_remove(watch)
        raise AssertionError('no datagram within %d s' % TIMEOUT_S)
    return sock.recvfrom(2048)


def test_relay():
    leg_a = NetSip.Leg.new('udp:127.0.0.1:0')
    leg_b = NetSip.Leg.new('udp:127.0.0.2:0')
    nat = NetSip.NatHelper.new()
    nat.props.port_min = PORT_MIN
    nat.props.port_max = PORT_MIN + 99
    nat.props.closed_timeout = 0.1
    eq(nat.props.idle_timeout, 180.0, 'idle-timeout default')
    closed = []
    nat.connect('session-closed', lambda h, call_id, stats: closed.append((call_id, stats.unpack())))

    caller = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    caller.bind(('127.0.0.1', 0))
    callee = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    callee.bind(('127.0.0.2', 0))

    invite = request('INVITE', 'pa', None, sdp('127.0.0.1', caller.getsockname()[1]))
    check(nat.rewrite_request(invite, leg_a, leg_b), 'offer rewritten')
    addr_b, to_callee = media_port(invite)
    eq(addr_b, '127.0.0.2', 'offer address')
    ok = response(sdp('127.0.0.2', callee.getsockname()[1]))
    check(nat.rewrite_response(ok, leg_b, leg_a), 'answer rewritten')
    addr_a, to_caller = media_port(ok)
    eq(addr_a, '127.0.0.1', 'answer address')
    eq(nat.props.n_sessions, 1, 'n-sessions')

    caller.sendto(b'x' * 100, ('127.0.0.1', to_caller))
    data, src = receive(callee)
    eq((len(data), src), (100, ('127.0.0.2', to_callee)), 'caller to callee')
    callee.sendto(b'y' * 40, ('127.0.0.2', to_callee))
    data, src = receive(caller)
    eq((len(data), src), (40, ('127.0.0.1', to_caller)), 'callee to caller')

    found, p0, b0, p1, b1 = nat.get_counters('py@test', 0)
    eq((found, p0, b0, p1, b1), (True, 1, 100, 1, 40), 'counters')
    stats = nat.get_stats(None).unpack()
    eq(len(stats), 1, 'one session')
    eq(stats[0]['callee-tag'], 'pb', 'callee tag')
    eq(stats[0]['media'][0]['caller-relay-port'], to_caller, 'caller relay port')
    check(stats[0]['media'][0]['caller-learned'], 'caller learned')

    bye = request('BYE', 'pa', 'pb', '')
    check(nat.rewrite_request(bye, leg_a, leg_b), 'BYE')
    ctx = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + TIMEOUT_S * 1000000
    while not closed and GLib.get_monotonic_time() < deadline:
        ctx.iteration(True)
    eq(len(closed), 1, 'session-closed emitted')
    eq(closed[0][0], 'py@test', 'closed Call-ID')
    eq(closed[0][1]['state'], 'bye', 'closed state')
    eq(closed[0][1]['media'][0]['bytes-from-callee'], 40, 'final counter')
    eq(nat.props.n_sockets, 0, 'sockets closed')
    caller.close()
    callee.close()


def test_bad_sdp():
    leg_a = NetSip.Leg.new('udp:127.0.0.1:0')
    leg_b = NetSip.Leg.new('udp:127.0.0.2:0')
    nat = NetSip.NatHelper.new()
    invite = request('INVITE', 'bad', None, 'no sdp here\r\n')
    try:
        nat.rewrite_request(invite, leg_a, leg_b)
    except GLib.Error as e:
        eq(e.domain, 'net-sip-nat-error-quark', 'error domain')
        eq(e.code, int(NetSip.NatError.BAD_SDP), 'error code')
    else:
        raise AssertionError('bad SDP accepted')
    eq(nat.props.n_sessions, 0, 'no session')


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
