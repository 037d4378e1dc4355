#!/usr/bin/python3
# test-authorizer.py: NetSip.Authorizer and NetSip.Receiver through PyGObject
# (the typelib, not the C API): a receiver written in Python (do_receive
# returning a bool, the chain semantics), the lookup-password signal
# answered by a Python handler (a string return value), the counters, and a
# client dispatcher that answers the 401 with
# NetSip.digest_build_credentials (SHA-256). UDP on loopback.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-authorizer.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, GObject, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10
REALM = 'py.example'


class Server(GObject.Object, NetSip.Receiver):
    """Behind the authorizer: answers every request but ACK with 200."""

    def __init__(self, dispatcher):
        super().__init__()
        self.dispatcher = dispatcher
        self.methods = []

    def do_receive(self, message, leg, source):
        if not message.is_request():
            return False
        self.methods.append(message.get_method())
        if message.get_method() != 'ACK':
            resp = message.create_response(200, None, 'pysrv')
            self.dispatcher.deliver_async(resp, None, None, None)
        return True


class Front(GObject.Object, NetSip.Receiver):
    """In front of the authorizer: records what it returns."""

    def __init__(self, inner):
        super().__init__()
        self.inner = inner
        self.results = []

    def do_receive(self, message, leg, source):
        handled = self.inner.receive(message, leg, source)
        if message.is_request():
            self.results.append(handled)
        return handled


calls = [0]


def new_request(method, uri, port):
    calls[0] += 1
    req = NetSip.Request.new(method, uri)
    req.add_header('Max-Forwards', '70')
    req.add_header('From', '<sip:carol@%s>;tag=py%d' % (REALM, calls[0]))
    req.add_header('To', '<sip:carol@%s>' % REALM)
    req.add_header('Call-ID', 'py-auth-%d-%d@127.0.0.1' % (os.getpid(), calls[0]))
    req.add_header('CSeq', '1 %s' % method)
    return req


def deliver(dispatcher, req):
    loop = GLib.MainLoop()
    state = {}

    def done(source, result):
        try:
            ok, state['response'] = source.deliver_finish(result)
        except GLib.Error as e:
            state['error'] = e
        loop.quit()

    def on_timeout():
        state['timed_out'] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    dispatcher.deliver_async(req, None, None, done)
    timeout_id = GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
    loop.run()
    check('timed_out' not in state, '%s answered' % req.get_method())
    GLib.source_remove(timeout_id)
    check('error' not in state, 'no delivery error: %r' % state.get('error'))
    return state['response']


def test_python_receiver_and_password_signal():
    leg_c = NetSip.Leg.new('udp:127.0.0.1:0')
    leg_s = NetSip.Leg.new('udp:127.0.0.1:0')
    client = NetSip.Dispatcher.new([leg_c])
    server = NetSip.Dispatcher.new([leg_s])
    uas = Server(server)
    auth = NetSip.Authorizer.new(server, REALM)
    auth.set_next(uas)
    front = Front(auth)
    server.set_receiver(front)

    asked = []

    def lookup(authorizer, username, realm):
        asked.append((username, realm))
        return 'py-secret' if username == 'carol' else None

    auth.connect('lookup-password', lookup)
    uri = 'sip:carol@127.0.0.1:%d' % leg_s.get_port()

    r1 = deliver(client, new_request('REGISTER', uri, leg_s.get_port()))
    eq(r1.get_code(), 401, 'no credentials')
    challenges = r1.get_auth_params('WWW-Authenticate')
    eq([c.get_param('algorithm') for c in challenges], ['SHA-256', 'MD5'], 'challenges in order')
    chosen = NetSip.digest_choose_challenge(challenges, None)
    eq(chosen.get_param('algorithm'), 'SHA-256', 'the strongest')
    eq(front.results, [True], 'a challenged request is handled')

    req = new_request('REGISTER', uri, leg_s.get_port())
    creds = NetSip.digest_build_credentials(chosen, 'carol', 'py-secret', None, 'REGISTER',
                                            uri, None, 1, None)
    req.add_header('Authorization', creds)
    r2 = deliver(client, req)
    eq(r2.get_code(), 200, 'right credentials')
    eq(uas.methods, ['REGISTER'], 'the Python receiver got it')
    eq(asked, [('carol', REALM)], 'password asked from Python')
    eq(front.results, [True, True], 'passed on: the next receiver handled it')

    req = new_request('REGISTER', uri, leg_s.get_port())
    bad = NetSip.digest_build_credentials(chosen, 'carol', 'wrong', None, 'REGISTER',
                                          uri, None, 2, None)
    req.add_header('Authorization', bad)
    eq(deliver(client, req).get_code(), 401, 'wrong password')

    eq(auth.props.accepted_requests, 1, 'accepted')
    eq(auth.props.challenged_requests, 1, 'challenged')
    eq(auth.props.rejected_requests, 1, 'rejected')

    # without a next receiver an accepted or exempt request is not handled
    auth.set_next(None)
    auth.props.exempt_methods = ['OPTIONS']
    req = new_request('OPTIONS', uri, leg_s.get_port())
    client.deliver_async(req, None, None, None)
    ctx = GLib.MainContext.default()
    deadline = GLib.get_monotonic_time() + TIMEOUT_S * 1000000
    while len(front.results) < 4 and GLib.get_monotonic_time() < deadline:
        ctx.iteration(True)
    eq(front.results[-1], False, 'nobody handled the exempt OPTIONS')
    client.cancel_delivery_by_call_id(req.get_call_id())
    server.set_receiver(None)


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
