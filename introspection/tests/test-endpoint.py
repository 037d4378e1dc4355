#!/usr/bin/python3
# test-endpoint.py: NetSip.Endpoint through PyGObject (the typelib, not the C
# API), two endpoints on UDP loopback:
#   - a call: invite_async/invite_finish with its out parameters (response,
#     dialog), request-received answered later with respond(), dialog-closed;
#   - a registration with digest SHA-256: the registrar side is an endpoint
#     whose Python handler challenges with the digest module (stateless
#     nonce, check_credentials); the client answers the `authenticate`
#     signal asynchronously (returns True, calls authenticate() from a
#     timeout), libsoup's model.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-endpoint.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import time

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10
SDP = (b'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\n'
       b't=0 0\r\nm=audio 40000 RTP/AVP 0\r\n')


class Side:
    def __init__(self, name):
        self.leg = NetSip.Leg.new('udp:127.0.0.1:0')
        self.dispatcher = NetSip.Dispatcher.new([self.leg])
        self.endpoint = NetSip.Endpoint.new(self.dispatcher)
        self.uri = 'sip:%s@127.0.0.1:%d' % (name, self.leg.get_port())

    def close(self):
        self.dispatcher.run_dispose()


def run_until(cond, what):
    ctx = GLib.MainContext.default()
    deadline = time.monotonic() + TIMEOUT_S
    while not cond():
        check(time.monotonic() < deadline, 'in time: ' + what)
        ctx.iteration(False) or time.sleep(0.005)


def test_call():
    a, b = Side('alice'), Side('bob')
    seen = []
    closed = []

    def on_request(endpoint, dialog, request, leg, source):
        seen.append(request.get_method())
        if request.get_method() == 'INVITE':
            check(dialog is not None, 'an INVITE comes with its dialog')

            def answer():
                endpoint.respond(dialog, request, 200, None, None, GLib.Bytes.new(SDP))
                return GLib.SOURCE_REMOVE
            GLib.timeout_add(50, answer)    # later, from the main loop
            return True
        return False

    b.endpoint.connect('request-received', on_request)
    b.endpoint.connect('dialog-closed', lambda ep, d: closed.append(d))
    invite = a.endpoint.new_request(None, 'INVITE', '<%s>' % a.uri, '<%s>' % b.uri,
                                    None, None, GLib.Bytes.new(SDP))
    state = {}

    def done(source, result):
        state['result'] = source.invite_finish(result)

    a.endpoint.invite_async(invite, None, done)
    run_until(lambda: 'result' in state, 'the INVITE completes')
    ok, response, dialog = state['result']
    check(ok, 'invite_finish')
    eq(response.get_code(), 200, 'final response')
    eq(dialog.get_state(), NetSip.DialogState.CONFIRMED, 'dialog state')
    eq(a.endpoint.props.n_dialogs, 1, 'caller keeps the dialog')
    run_until(lambda: 'ACK' in seen, 'the ACK reaches bob')
    a.endpoint.close_dialog(dialog)
    run_until(lambda: len(closed) == 1, 'bob closes on the BYE')
    eq(seen, ['INVITE', 'ACK', 'BYE'], 'requests bob saw')
    eq(b.endpoint.get_n_dialogs(), 0, 'no dialog left at bob')
    a.close()
    b.close()


def test_register_sha256_async_authenticate():
    a, reg = Side('alice'), Side('registrar')
    secret = GLib.Bytes.new(b'python-test-secret')
    realm = 'py.test'
    ha1 = NetSip.digest_compute_ha1(NetSip.DigestAlgorithm.SHA256, 'alice', realm, 'secret')
    registers = []

    def on_request(endpoint, dialog, request, leg, source):
        if request.get_method() != 'REGISTER':
            return False
        registers.append(request)
        creds = request.get_auth_params('Authorization')
        if creds:
            try:
                NetSip.digest_check_credentials(creds[0], 'REGISTER', request.get_body(), ha1)
                endpoint.respond(None, request, 200, None, None, None)
                return True
            except GLib.Error:
                pass
        nonce = NetSip.digest_nonce_new(secret, int(time.time()))
        challenge = ('WWW-Authenticate: Digest realm="%s", nonce="%s", algorithm=SHA-256, '
                     'qop="auth"' % (realm, nonce))
        endpoint.respond(None, request, 401, None, [challenge], None)
        return True

    asked = []

    def on_authenticate(endpoint, dialog, request, realm_asked, retrying):
        asked.append((realm_asked, retrying))

        def answer():
            check(endpoint.authenticate(request, realm_asked, 'alice', 'secret'),
                  'the request was waiting')
            return GLib.SOURCE_REMOVE
        GLib.timeout_add(100, answer)
        return True

    reg.endpoint.connect('request-received', on_request)
    a.endpoint.connect('authenticate', on_authenticate)
    updates = []
    a.endpoint.connect('registration-updated',
                       lambda ep, aor, resp, err: updates.append(resp.get_code() if resp else 0))
    state = {}

    def done(source, result):
        try:
            state['result'] = source.register_finish(result)
        except GLib.Error as e:
            state['error'] = e

    a.endpoint.register_async(reg.uri, 'sip:alice@py.test', a.uri, 120, None, done)
    run_until(lambda: state, 'the REGISTER completes')
    check('error' not in state, 'no error: %r' % state.get('error'))
    ok, granted = state['result']
    check(ok, 'register_finish')
    eq(granted, 120, 'granted what was asked (no expires in the 200)')
    eq(asked, [(realm, False)], 'authenticate asked once, not retrying')
    eq(len(registers), 2, 'one challenge, one retry')
    creds = registers[1].get_auth_params('Authorization')
    eq(creds[0].get_param('algorithm'), 'SHA-256', 'algorithm')
    eq(updates, [200], 'registration-updated')

    state.clear()

    def undone(source, result):
        try:
            state['ok'] = source.unregister_finish(result)
        except GLib.Error as e:
            state['error'] = e

    a.endpoint.unregister_async('sip:alice@py.test', None, undone)
    run_until(lambda: state, 'the unregistration completes')
    check(state.get('ok'), 'unregistered: %r' % state.get('error'))
    eq(registers[-1].get_expires(), 0, 'Expires: 0')
    a.close()
    reg.close()


def test_rejected_error_domain():
    a, reg = Side('alice'), Side('registrar')

    def on_request(endpoint, dialog, request, leg, source):
        nonce = NetSip.digest_nonce_new(GLib.Bytes.new(b's'), int(time.time()))
        endpoint.respond(None, request, 401, None,
                         ['WWW-Authenticate: Digest realm="r", nonce="%s"' % nonce], None)
        return True

    reg.endpoint.connect('request-received', on_request)
    a.endpoint.set_credentials(None, 'alice', 'wrong')
    request = a.endpoint.new_request(None, 'OPTIONS', '<%s>' % a.uri, '<%s>' % reg.uri,
                                     None, None, None)
    state = {}

    def done(source, result):
        try:
            source.deliver_finish(result)
        except GLib.Error as e:
            state['error'] = e

    a.endpoint.deliver_async(request, None, done)
    run_until(lambda: state, 'the OPTIONS completes')
    check(state['error'].matches(NetSip.AuthError.quark(), NetSip.AuthError.REJECTED),
          'NET_SIP_AUTH_ERROR_REJECTED: %r' % state['error'])
    a.close()
    reg.close()


def test_register_at_authorizer_sha256():
    """The acceptance case of issue 5: a netsip-glib registrar side behind a
    NetSip.Authorizer (SHA-256 only), a client answering `authenticate`
    asynchronously."""
    a, reg = Side('alice'), Side('registrar')
    auth = NetSip.Authorizer.new(reg.dispatcher, 'auth.test')
    auth.set_password('alice', 'secret')
    auth.set_algorithms(['SHA-256'])
    auth.set_next(reg.endpoint)
    reg.dispatcher.set_receiver(auth)
    registers = []

    def on_request(endpoint, dialog, request, leg, source):
        if request.get_method() != 'REGISTER':
            return False
        registers.append(request)
        endpoint.respond(None, request, 200, None, None, None)
        return True

    reg.endpoint.connect('request-received', on_request)
    asked = []

    def on_authenticate(endpoint, dialog, request, realm, retrying):
        asked.append((realm, retrying))
        GLib.timeout_add(50, lambda: endpoint.authenticate(request, realm, 'alice', 'secret')
                         and GLib.SOURCE_REMOVE)
        return True

    a.endpoint.connect('authenticate', on_authenticate)
    state = {}

    def done(source, result):
        try:
            state['result'] = source.register_finish(result)
        except GLib.Error as e:
            state['error'] = e

    a.endpoint.register_async(reg.uri, 'sip:alice@auth.test', a.uri, 60, None, done)
    run_until(lambda: state, 'the REGISTER completes')
    check('error' not in state, 'no error: %r' % state.get('error'))
    eq(state['result'][1], 60, 'granted')
    eq(asked, [('auth.test', False)], 'asked once')
    eq(len(registers), 1, 'only the authorized REGISTER reached the registrar')
    creds = registers[0].get_auth_params('Authorization')
    eq(creds[0].get_param('algorithm'), 'SHA-256', 'algorithm')
    a.close()
    reg.close()


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
