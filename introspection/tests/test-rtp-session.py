#!/usr/bin/python3
# test-rtp-session.py: NetSip.RtpSession through PyGObject (the typelib,
# not the C API).
#
# Two sessions on 127.0.0.1 negotiate by offer/answer (NetSip.Sdp objects
# passed between them), one plays a raw PCMU file and the other records
# it: the recording equals the file, the packet counters agree. DTMF from
# one reaches the other's dtmf-received signal; bad arguments raise
# GLib.Error in the net-sip-rtp-error domain.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-rtp-session.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import random
import sys
import tempfile

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, Gio, NetSip  # noqa: E402,F401
from tap import eq, check, run_until, run_tests  # noqa: E402

TIMEOUT_S = 10


def run_for(ms):
    state = {'done': False}

    def stop():
        state['done'] = True
        return GLib.SOURCE_REMOVE
    GLib.timeout_add(ms, stop)
    run_until(lambda: state['done'])


def pair():
    a = NetSip.RtpSession.new('127.0.0.1', 0, 0)
    b = NetSip.RtpSession.new('127.0.0.1', 0, 0)
    offer = a.create_offer()
    check(isinstance(offer, NetSip.Sdp), 'create_offer returns a NetSip.Sdp')
    answer = b.create_answer(offer)
    check(a.apply_answer(answer), 'apply_answer')
    return a, b


# -- the checks --------------------------------------------------------------

def test_ports_and_properties():
    s = NetSip.RtpSession.new('127.0.0.1', 0, 0)
    port = s.get_local_port()
    eq(port % 2, 0, 'RTP port is even')
    eq(s.props.local_port, port, 'local-port property')
    eq(s.props.local_address, '127.0.0.1', 'local-address property')
    eq(s.props.codec, NetSip.Codec.PCMU, 'default codec')
    eq(s.props.telephone_event_payload_type, -1, 'no telephone-event yet')
    eq(s.props.ptime, 20, 'ptime')
    eq(s.props.direction, NetSip.SdpDirection.SENDRECV, 'direction')
    eq(s.props.media_timeout, 10, 'media-timeout')
    eq(s.get_ssrc(), s.props.ssrc, 'ssrc')


def test_exchange_file():
    a, b = pair()
    eq(a.props.telephone_event_payload_type, 101, 'negotiated PT (a)')
    eq(b.props.telephone_event_payload_type, 101, 'negotiated PT (b)')
    rnd = random.Random(5)
    data = bytes(rnd.randrange(256) for _ in range(160 * 10))
    with tempfile.TemporaryDirectory() as d:
        src = os.path.join(d, 'in.pcmu')
        rec = os.path.join(d, 'rec.pcmu')
        with open(src, 'wb') as f:
            f.write(data)
        finished = []
        a.connect('file-finished', lambda s: finished.append(True))
        check(a.send_file(src, NetSip.Codec.PCMU, False), 'send_file')
        check(b.record_to_file(rec), 'record_to_file')
        b.start()
        a.start()
        check(run_until(lambda: finished), 'file-finished within %d s' % TIMEOUT_S)
        run_for(100)
        a.stop()
        b.stop()
        b.record_to_file(None)
        with open(rec, 'rb') as f:
            got = f.read()
    eq(a.get_packets_sent(), 10, 'packets sent')
    eq(b.get_packets_received(), 10, 'packets received')
    eq(b.props.octets_received, 1600, 'octets received')
    eq(b.get_packets_lost(), 0, 'packets lost')
    eq(got, data, 'recording')


def test_dtmf():
    a, b = pair()
    got = []
    b.connect('dtmf-received',
              lambda s, digit, ms, method: got.append((digit, ms, method)))
    b.start()
    a.start()
    check(a.send_dtmf('1#', NetSip.DtmfMethod.RFC4733, 100), 'send_dtmf rfc4733')
    check(a.send_dtmf('9', NetSip.DtmfMethod.INBAND, 100), 'send_dtmf inband')
    check(run_until(lambda: len(got) >= 3), 'three digits within %d s' % TIMEOUT_S)
    a.stop()
    b.stop()
    eq([g[0] for g in got], ['1', '#', '9'], 'digits')
    eq(got[0][1], 100, 'RFC 4733 duration')
    eq(got[0][2], NetSip.DtmfMethod.RFC4733, 'method of 1')
    eq(got[2][2], NetSip.DtmfMethod.INBAND, 'method of 9')


def test_media_timeout():
    # the property media-timeout, the signal media-timed-out
    a, b = pair()
    fired = []
    a.props.media_timeout = 1
    a.connect('media-timed-out', lambda s: fired.append(GLib.get_monotonic_time()))
    t0 = GLib.get_monotonic_time()
    a.start()
    check(run_until(lambda: fired, 5), 'media-timeout within 5 s')
    a.stop()
    check(fired[0] - t0 >= 1000000, 'not before 1 s: %d us' % (fired[0] - t0))
    eq(len(fired), 1, 'emitted once')


def test_errors():
    s, _peer = pair()
    try:
        s.send_dtmf('x', NetSip.DtmfMethod.INBAND, 100)
    except GLib.Error as e:
        eq(e.domain, 'net-sip-rtp-error-quark', 'error domain')
        eq(e.code, NetSip.RtpError.INVALID, 'error code')
    else:
        raise AssertionError('send_dtmf("x") did not raise')
    offer = NetSip.Sdp.parse(GLib.Bytes.new(
        b'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n'
        b't=0 0\r\nm=audio 4000 RTP/AVP 18\r\n'))
    try:
        s.create_answer(offer)
    except GLib.Error as e:
        eq(e.code, NetSip.RtpError.BAD_SDP, 'no common codec')
    else:
        raise AssertionError('create_answer without a common codec did not raise')


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
