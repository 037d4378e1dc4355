#!/usr/bin/python3
# test-resolver.py: NetSip.Resolver and NetSip.Target through PyGObject (the
# typelib, not the C API): the allowed-transport array, the array of boxed
# targets the lookup returns (transfer container), the error domain, the
# max-targets property. No DNS: numeric hosts, and `localhost` with a port
# (A/AAAA from /etc/hosts through GResolver).
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-resolver.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, Gio, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10


def lookup(resolver, uri_text, allowed=None, cancellable=None):
    """Runs lookup_async on a main loop; returns (targets, error)."""
    loop = GLib.MainLoop()
    state = {}

    def done(source, result):
        try:
            state['targets'] = source.lookup_finish(result)
        except GLib.Error as e:
            state['error'] = e
        loop.quit()

    def on_timeout():
        state['timed_out'] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    uri = NetSip.Uri.parse(uri_text.encode())
    resolver.lookup_async(uri, allowed, cancellable, done)
    timeout_id = GLib.timeout_add_seconds(TIMEOUT_S, on_timeout)
    loop.run()
    check('timed_out' not in state, 'lookup of %s finished' % uri_text)
    GLib.source_remove(timeout_id)
    return state.get('targets'), state.get('error')


def strings(targets):
    return [t.to_string() for t in targets]


# -- the checks --------------------------------------------------------------

def test_target_boxed():
    addr = Gio.InetSocketAddress.new_from_string('2001:db8::1', 5061)
    t = NetSip.Target.new(NetSip.Transport.TLS, addr, 'example.com')
    eq(t.to_string(), 'tls:[2001:db8::1]:5061', 'to_string')
    eq(t.get_transport(), NetSip.Transport.TLS, 'transport')
    eq(t.get_host(), 'example.com', 'host')
    eq(t.get_address().get_port(), 5061, 'port')
    u = NetSip.Target.new(NetSip.Transport.TLS, addr, 'example.com')
    check(t.equal(u), 'equal targets')


def test_ip_literal_and_allowed_order():
    r = NetSip.Resolver.new(None)
    targets, error = lookup(r, 'sip:192.0.2.1', [NetSip.Transport.TCP, NetSip.Transport.UDP])
    check(error is None, 'no error: %r' % (error,))
    eq(strings(targets), ['tcp:192.0.2.1:5060', 'udp:192.0.2.1:5060'], 'targets')
    eq(targets[0].get_host(), '192.0.2.1', 'host of a numeric URI')
    targets, error = lookup(r, 'sips:[2001:db8::1]')
    eq(strings(targets), ['tls:[2001:db8::1]:5061'], 'sips targets')


def test_sips_never_plain():
    r = NetSip.Resolver.new(None)
    targets, error = lookup(r, 'sips:192.0.2.1', [NetSip.Transport.UDP, NetSip.Transport.TCP])
    check(targets is None, 'no targets')
    check(error is not None and error.matches(NetSip.TransportError.quark(),
                                              NetSip.TransportError.NO_ROUTE),
          'NO_ROUTE error, got %r' % (error,))


def test_cancelled():
    r = NetSip.Resolver.new(None)
    c = Gio.Cancellable()
    c.cancel()
    targets, error = lookup(r, 'sip:example.invalid', None, c)
    check(error is not None and error.matches(Gio.io_error_quark(), Gio.IOErrorEnum.CANCELLED),
          'cancelled, got %r' % (error,))


def test_localhost_with_port():
    r = NetSip.Resolver.new(Gio.Resolver.get_default())
    targets, error = lookup(r, 'sip:localhost:5070;transport=udp')
    check(error is None, 'no error: %r' % (error,))
    check(len(targets) >= 1, 'at least one target')
    for t in targets:
        check(t.get_address().get_address().get_is_loopback(), '%s is loopback' % t.to_string())
        eq(t.get_address().get_port(), 5070, 'port')
        eq(t.get_transport(), NetSip.Transport.UDP, 'transport')
        eq(t.get_host(), 'localhost', 'host')


def test_max_targets_property():
    r = NetSip.Resolver.new(None)
    eq(r.props.max_targets, 16, 'default')
    r.props.max_targets = 1
    eq(r.get_max_targets(), 1, 'set through the property')
    targets, error = lookup(r, 'sip:192.0.2.1')
    eq(strings(targets), ['udp:192.0.2.1:5060'], 'bounded to one')


if __name__ == '__main__':
    sys.exit(run_tests(globals()))
