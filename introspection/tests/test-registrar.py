#!/usr/bin/python3
# test-registrar.py: NetSip.Registrar, NetSip.Redirect and NetSip.LocationStore
# through PyGObject (the typelib, not the C API): a registrar on an SQLite
# store (GError from a bad path, bindings as NetSip.Binding boxed values,
# lookup by q), a chain written in Python (registrar, then redirect), the
# redirect's 302, and a location store implemented in Python
# (do_get_bindings / do_set_bindings with binding arrays). UDP on loopback.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-registrar.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import shutil
import sys
import tempfile

import gi
gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, GObject, Gio, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10
DOMAIN = 'py.example'


class Chain(GObject.Object, NetSip.Receiver):
    """Members tried in order; what none handles is recorded."""

    def __init__(self, members):
        super().__init__()
        self.members = members
        self.passed = []

    def do_receive(self, message, leg, source):
        for m in self.members:
            if m.receive(message, leg, source):
                return True
        if message.is_request():
            self.passed.append(message.get_method())
        return False


class PyStore(GObject.Object, NetSip.LocationStore):
    """A location store in a Python dict."""

    def __init__(self):
        super().__init__()
        self.aors = {}
        self.writes = 0

    def do_get_bindings(self, aor):
        return list(self.aors.get(aor, []))

    def do_list(self):
        return [b for aor in sorted(self.aors) for b in self.aors[aor]]

    def do_set_binding(self, binding):
        self.writes += 1
        rest = [b for b in self.aors.get(binding.get_aor(), [])
                if b.get_contact() != binding.get_contact()]
        self.aors[binding.get_aor()] = rest + [binding]
        return True

    def do_remove_binding(self, aor, contact):
        self.writes += 1
        self.aors[aor] = [b for b in self.aors.get(aor, []) if b.get_contact() != contact]
        return True

    def do_set_bindings(self, aor, bindings):
        self.writes += 1
        self.aors[aor] = list(bindings or [])
        return True

    def do_expire(self, now):
        n = 0
        for aor in self.aors:
            keep = [b for b in self.aors[aor] if b.get_expires() > now]
            n += len(self.aors[aor]) - len(keep)
            self.aors[aor] = keep
        return n


calls = [0]


def new_request(method, uri, to, contacts=(), expires=None):
    calls[0] += 1
    req = NetSip.Request.new(method, uri)
    req.add_header('Max-Forwards', '70')
    req.add_header('From', '<%s>;tag=py%d' % (to, calls[0]))
    req.add_header('To', '<%s>' % to)
    req.add_header('Call-ID', 'py-reg-%d-%d@127.0.0.1' % (os.getpid(), calls[0]))
    req.add_header('CSeq', '1 %s' % method)
    for c in contacts:
        req.add_header('Contact', c)
    if expires is not None:
        req.add_header('Expires', str(expires))
    return req


def deliver(dispatcher, req, port):
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

    opts = NetSip.DeliveryOptions.new()
    opts.set_destination(Gio.InetSocketAddress.new_from_string('127.0.0.1', port))
    dispatcher.deliver_async(req, opts, None, done)
    timeout_id = GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
    loop.run()
    check('timed_out' not in state, '%s answered' % req.get_method())
    GLib.source_remove(timeout_id)
    check('error' not in state, 'no delivery error: %r' % state.get('error'))
    return state['response']


def run_servers(store):
    leg_c = NetSip.Leg.new('udp:127.0.0.1:0')
    leg_s = NetSip.Leg.new('udp:127.0.0.1:0')
    client = NetSip.Dispatcher.new([leg_c])
    server = NetSip.Dispatcher.new([leg_s])
    registrar = NetSip.Registrar.new(server, store)
    registrar.set_domains([DOMAIN])
    registrar.props.min_expires = 10
    redirect = NetSip.Redirect.new(server, registrar)
    chain = Chain([registrar, redirect])
    server.set_receiver(chain)
    return client, server, registrar, redirect, chain, leg_s.get_port()


def test_sqlite_store_registrar_redirect():
    tmp = tempfile.mkdtemp(prefix='netsip-py-registrar-')
    try:
        try:
            NetSip.SqliteStore.new(os.path.join(tmp, 'missing', 'b.db'))
            raise AssertionError('no error for a missing directory')
        except GLib.Error as e:
            eq(e.domain, 'net-sip-location-store-error-quark', 'error domain')
            eq(e.code, int(NetSip.LocationStoreError.OPEN), 'error code')

        store = NetSip.SqliteStore.new(os.path.join(tmp, 'b.db'))
        client, server, registrar, redirect, chain, port = run_servers(store)
        aor = 'sip:alice@' + DOMAIN
        r = deliver(client, new_request('REGISTER', 'sip:127.0.0.1:%d' % port, aor,
                                        ['<sip:alice@127.0.0.1:5071>;q=0.3',
                                         '<sip:alice@127.0.0.1:5072>;q=0.8'], 120), port)
        eq(r.get_code(), 200, 'registered')
        eq(len(r.get_contacts()), 2, 'both listed')
        check(r.get_header('Date').endswith('GMT'), 'Date in GMT')

        r = deliver(client, new_request('REGISTER', 'sip:127.0.0.1:%d' % port, aor,
                                        ['<sip:alice@127.0.0.1:5073>'], 5), port)
        eq(r.get_code(), 423, 'too brief')
        eq(r.get_header('Min-Expires'), '10', 'Min-Expires')

        found = registrar.lookup('sip:alice@PY.example;transport=udp')
        eq([b.get_contact() for b in found],
           ['sip:alice@127.0.0.1:5072', 'sip:alice@127.0.0.1:5071'], 'by q')
        check(abs(found[0].get_q() - 0.8) < 1e-9, 'q kept')
        check(110 <= found[0].get_remaining(GLib.get_real_time() // 1000000) <= 120, 'remaining')

        r = deliver(client, new_request('INVITE', aor, 'sip:bob@' + DOMAIN,
                                        ['<sip:bob@127.0.0.1:5090>']), port)
        eq(r.get_code(), 302, 'redirected')
        eq([c.get_uri_string() for c in r.get_contacts()],
           ['sip:alice@127.0.0.1:5072', 'sip:alice@127.0.0.1:5071'], '302 contacts by q')
        eq(redirect.props.redirected_requests, 1, 'redirect counter')
        eq(registrar.props.registered_requests, 1, 'registered counter')
        eq(registrar.props.rejected_requests, 1, 'rejected counter')
        eq(chain.passed, [], 'nothing passed on')
        server.set_receiver(None)
        del registrar, redirect, chain, store

        # the file has them after reopening
        again = NetSip.SqliteStore.new(os.path.join(tmp, 'b.db'))
        eq(len(again.lookup(aor, 0)), 2, 'reopened')
    finally:
        shutil.rmtree(tmp)


def test_python_store():
    store = PyStore()
    client, server, registrar, redirect, chain, port = run_servers(store)
    aor = 'sip:carol@' + DOMAIN
    r = deliver(client, new_request('REGISTER', 'sip:127.0.0.1:%d' % port, aor,
                                    ['<sip:carol@127.0.0.1:6001>'], 60), port)
    eq(r.get_code(), 200, 'registered in a Python store')
    eq(store.writes, 1, 'one write per REGISTER')
    eq([b.get_contact() for b in store.aors[aor]], ['sip:carol@127.0.0.1:6001'], 'stored')
    eq([b.get_call_id() for b in registrar.lookup(aor)], [r.get_call_id()], 'lookup')
    r = deliver(client, new_request('REGISTER', 'sip:127.0.0.1:%d' % port, aor, ['*'], 0), port)
    eq(r.get_code(), 200, 'removed all')
    eq(store.aors[aor], [], 'empty')
    server.set_receiver(None)


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
