#!/usr/bin/python3
# test-agent.py: NetSip.Agent and NetSip.Call through PyGObject (the
# typelib, not the C API): two agents on UDP loopback call each other.
#   - alice calls bob, who rings from a Python incoming-call handler and
#     accepts from a timeout; state-changed with the responses; RTP both
#     ways on the calls' sessions; DTMF from alice detected by bob; BYE
#   - bob calls alice, who rejects with 486 from the handler
#   - the error domains (WRONG_STATE, INVALID) as GLib.Error
#   - shutdown_async/shutdown_finish
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-agent.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys
import tempfile
import time

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10


def run_until(cond, what):
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + TIMEOUT_S
    while not cond():
        check(time.monotonic() < deadline, 'in time: ' + what)
        ctx.iteration(False) or time.sleep(0.005)


def run_for(seconds):
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ctx.iteration(False) or time.sleep(0.005)


def make_agent(name):
    agent = NetSip.Agent.new('sip:%s@example.test' % name, ['udp:127.0.0.1:0'])
    agent.get_dispatcher().props.t1 = 50
    return agent


def uri_of(agent, name):
    legs = agent.get_dispatcher().get_legs(None, 0, -1, None, None, None)
    return 'sip:%s@127.0.0.1:%d' % (name, legs[0].get_port())


def shut_down(agent):
    done = []
    agent.shutdown_async(None, lambda a, res: done.append(a.shutdown_finish(res)))
    run_until(lambda: done, 'shutdown')
    eq(done[0], True, 'shutdown_finish')


def state_log(call, log):
    def on_state(c, state, response):
        eq(c.get_state(), state, 'state property during the signal')
        log.append((state, response.get_code() if response else None))
    call.connect('state-changed', on_state)


def test_call():
    alice, bob = make_agent('alice'), make_agent('bob')
    tmp = tempfile.mkdtemp(prefix='netsip-agent-py-')
    clip = os.path.join(tmp, 'clip.pcmu')
    with open(clip, 'wb') as f:
        f.write(bytes((0x20 + (i * 37) % 0x5f) for i in range(8000)))
    incoming, bob_log, digits = [], [], []

    def on_incoming(agent, call):
        check(call.is_incoming(), 'incoming')
        eq(call.get_state(), NetSip.CallState.INCOMING, 'state in the handler')
        incoming.append(call)
        state_log(call, bob_log)
        call.connect('dtmf-received',
                     lambda c, digit, ms, method: digits.append((digit, method)))
        call.get_rtp_session().send_file(clip, NetSip.Codec.PCMU, True)
        call.ring()

        def answer():
            call.accept()
            return GLib.SOURCE_REMOVE
        GLib.timeout_add(200, answer)

    bob.connect('incoming-call', on_incoming)
    bob.listen()

    call = alice.invite(uri_of(bob, 'bob'))
    alice_log = []
    state_log(call, alice_log)
    eq(call.get_state(), NetSip.CallState.CALLING, 'state after invite')
    call.get_rtp_session().send_file(clip, NetSip.Codec.PCMU, True)
    run_until(lambda: call.get_state() == NetSip.CallState.ESTABLISHED, 'established')
    eq(alice_log, [(NetSip.CallState.RINGING, 180), (NetSip.CallState.ESTABLISHED, 200)],
       'alice states')
    eq(len(incoming), 1, 'one incoming call')
    eq(incoming[0].get_call_id(), call.get_call_id(), 'the same Call-ID')
    eq(bob_log, [(NetSip.CallState.RINGING, None), (NetSip.CallState.ESTABLISHED, None)],
       'bob states')

    # RTP both ways
    mine, theirs = call.get_rtp_session(), incoming[0].get_rtp_session()
    run_until(lambda: mine.get_packets_received() > 5 and theirs.get_packets_received() > 5,
              'RTP both ways')
    check(mine.props.packets_sent > 0, 'packets-sent property')

    # DTMF, RFC 4733
    call.send_dtmf('42', NetSip.DtmfMethod.RFC4733, 100)
    run_until(lambda: len(digits) >= 2, 'DTMF')
    eq(digits, [('4', NetSip.DtmfMethod.RFC4733), ('2', NetSip.DtmfMethod.RFC4733)], 'digits')

    # methods that do not apply raise GLib.Error in the call error domain
    try:
        call.accept()
        raise AssertionError('accept on an outgoing call')
    except GLib.Error as e:
        check(e.matches(NetSip.call_error_quark(), NetSip.CallError.WRONG_STATE),
              'WRONG_STATE: %s' % e)

    # hold with a re-INVITE
    held = []
    call.reinvite_async(NetSip.SdpDirection.SENDONLY, None,
                        lambda c, res: held.append(c.reinvite_finish(res)))
    run_until(lambda: held, 're-INVITE')
    eq(held[0], True, 'reinvite_finish')
    eq(theirs.get_direction(), NetSip.SdpDirection.RECVONLY, 'bob is held')

    closed = []
    alice.connect('call-closed', lambda a, c: closed.append(c))
    call.bye()
    run_until(lambda: incoming[0].get_state() == NetSip.CallState.CLOSED, 'bob closed')
    run_until(lambda: closed, 'call-closed')
    eq(alice_log[-1], (NetSip.CallState.CLOSED, 200), 'closed by the 200 to our BYE')
    eq(bob_log[-1], (NetSip.CallState.CLOSED, None), 'closed by the BYE')
    eq(len(alice.get_calls()), 0, 'the agent let go of the call')

    shut_down(alice)
    shut_down(bob)
    os.unlink(clip)
    os.rmdir(tmp)


def test_reject():
    alice, bob = make_agent('alice'), make_agent('bob')
    alice.connect('incoming-call', lambda a, c: c.reject(486, None))
    alice.listen()
    call = bob.invite(uri_of(alice, 'alice'))
    log = []
    state_log(call, log)
    run_until(lambda: call.get_state() == NetSip.CallState.CLOSED, 'rejected')
    eq(log, [(NetSip.CallState.CLOSED, 486)], 'bob states')
    eq(call.props.final_code, 486, 'final-code')
    shut_down(alice)
    shut_down(bob)


def test_errors():
    try:
        NetSip.Agent.new('not a uri', ['udp:127.0.0.1:0'])
        raise AssertionError('a bad from accepted')
    except GLib.Error as e:
        check(e.matches(NetSip.agent_error_quark(), NetSip.AgentError.INVALID),
              'INVALID: %s' % e)
    agent = make_agent('carol')
    eq(agent.props.domain, 'example.test', 'domain from from')
    eq(agent.props.auto_answer, True, 'auto-answer default')
    eq(agent.props.media_timeout, 10, 'media-timeout default')
    shut_down(agent)
    try:
        agent.invite('sip:dave@example.test')
        raise AssertionError('invite after shutdown')
    except GLib.Error as e:
        check(e.matches(NetSip.agent_error_quark(), NetSip.AgentError.SHUT_DOWN),
              'SHUT_DOWN: %s' % e)


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
