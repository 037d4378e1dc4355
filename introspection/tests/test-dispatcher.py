#!/usr/bin/python3
# test-dispatcher.py: NetSip.Dispatcher through PyGObject (the typelib, not
# the C API), over UDP loopback.
#
# - timeout_after_64_t1 (issue 4 acceptance): an OPTIONS delivered with
#   deliver_async to a leg that never answers fails with
#   NetSip.TransactionError.TIMEOUT after 64*T1; with t1 = 50 ms that is
#   3.2 s, measured with GLib.get_monotonic_time, within 10%. The request
#   was sent on the Timer E schedule (message-sent) and the silent leg got
#   every send.
# - options_exchange: two dispatchers; the UAS has a NetSip.Receiver
#   written in Python (do_receive) that answers 200 through deliver_async;
#   the UAC's deliver_finish returns that 200. message-received,
#   delivery-done, DeliveryOptions (id, leg), get_transaction and the
#   counters are used from Python.
# - cancel_delivery: a pending delivery cancelled by its id fails with
#   NetSip.TransactionError.CANCELLED.
# - add_timer: a timer added from Python fires on the main context.
# - resolve_uri_and_domain2proxy: resolve_uri_async with arrays of
#   transports and legs, the PtrArrays of resolve_uri_finish, domain2proxy
#   as a dict.
#
# Run by `meson test --suite gi`, or by hand:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 introspection/tests/test-dispatcher.py
# Prints TAP; exits 1 when a check fails.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('GObject', '2.0')
gi.require_version('Gio', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, GObject, Gio, NetSip  # noqa: E402
from tap import eq, check, run_tests  # noqa: E402

TIMEOUT_S = 10


def run_until(done, seconds=TIMEOUT_S):
    """Iterates the default main context until done() or the timeout."""
    ctx = GLib.MainContext.default()
    state = {'timed_out': False}

    def on_timeout():
        state['timed_out'] = True
        return GLib.SOURCE_REMOVE

    if done():
        return True
    timeout_id = GLib.timeout_add_seconds(seconds, on_timeout)
    while not done() and not state['timed_out']:
        ctx.iteration(True)
    if not state['timed_out']:
        GLib.source_remove(timeout_id)
    return done()


def drain():
    ctx = GLib.MainContext.default()
    while ctx.iteration(False):
        pass


def new_options(uri, from_port, call_id, cseq=1):
    req = NetSip.Request.new('OPTIONS', uri)
    req.add_header('Max-Forwards', '70')
    req.add_header('From', '<sip:python@127.0.0.1:%d>;tag=py%d' % (from_port, cseq))
    req.add_header('To', '<%s>' % uri)
    req.add_header('Call-ID', call_id)
    req.add_header('CSeq', '%d OPTIONS' % cseq)
    return req


def new_dispatcher(t1=None):
    leg = NetSip.Leg.new('udp:127.0.0.1:0')
    disp = NetSip.Dispatcher.new([leg])
    if t1 is not None:
        disp.props.t1 = t1
    return disp, leg


def finish_delivery(disp, result):
    """deliver_finish as PyGObject maps it: (ok, response); raises on error."""
    ret = disp.deliver_finish(result)
    if isinstance(ret, tuple):
        ok, response = ret
    else:  # a binding that dropped the boolean
        ok, response = True, ret
    return ok, response


# -- the checks --------------------------------------------------------------

def test_timeout_after_64_t1():
    t1 = 50
    uac, uac_leg = new_dispatcher(t1=t1)
    eq(uac.props.t1, t1, 't1 property')
    silent = NetSip.Leg.new('udp:127.0.0.1:0')   # bound, never answers
    got_at_silent = []
    h_silent = silent.connect('message-received',
                              lambda leg, msg, src: got_at_silent.append(msg))
    sends = []

    def on_sent(disp, message, leg, destination, transaction, attempt, time_us):
        if message.is_request():
            sends.append((attempt, time_us, destination.get_port()))

    h_sent = uac.connect('message-sent', on_sent)

    uri = 'sip:nobody@127.0.0.1:%d' % silent.get_port()
    req = new_options(uri, uac_leg.get_port(),
                      'py-timeout-%d@127.0.0.1' % uac_leg.get_port())
    state = {}

    def on_done(disp, result, user_data):
        state['end'] = GLib.get_monotonic_time()
        try:
            state['ret'] = finish_delivery(disp, result)
        except GLib.Error as e:
            state['error'] = e

    start = GLib.get_monotonic_time()
    uac.deliver_async(req, None, None, on_done, None)
    check(run_until(lambda: 'end' in state, seconds=64 * t1 // 1000 + 5),
          'deliver_async did not complete within %d s' % (64 * t1 // 1000 + 5))
    uac.disconnect(h_sent)
    silent.disconnect(h_silent)

    check('error' in state, 'delivery to a silent leg succeeded: %r' % (state.get('ret'),))
    err = state['error']
    eq(err.domain, 'net-sip-transaction-error-quark', 'error domain')
    eq(err.code, int(NetSip.TransactionError.TIMEOUT), 'error code (TIMEOUT)')
    elapsed_ms = (state['end'] - start) / 1000.0
    want_ms = 64 * t1
    print('# timeout after %.1f ms (64*T1 = %d ms), %d sends' % (elapsed_ms, want_ms, len(sends)))
    check(abs(elapsed_ms - want_ms) <= want_ms * 0.10,
          'timeout after %.1f ms, want %d ms +-10%%' % (elapsed_ms, want_ms))

    # Timer E over UDP: sends at 0, T1, 3T1, 7T1, 15T1, 31T1, 63T1 (T2 = 4 s
    # is not reached), all to the silent leg, attempts numbered in order
    eq([a for a, _, _ in sends], list(range(len(sends))), 'attempt numbers')
    eq(len(sends), 7, 'sends of the OPTIONS before Timer F')
    first = sends[0][1]
    for n, (attempt, t, port) in enumerate(sends):
        eq(port, silent.get_port(), 'destination port of send %d' % n)
        want = t1 * (2 ** n - 1)
        got = (t - first) / 1000.0
        check(abs(got - want) <= 50, 'send %d at %.1f ms, Timer E says %d ms' % (n, got, want))
    eq(len(got_at_silent), len(sends), 'requests that reached the silent leg')
    eq(uac.props.n_transactions, 0, 'n-transactions after the timeout')


class PyUas(GObject.Object, NetSip.Receiver):
    """A NetSip.Receiver in Python: answers every request but ACK with 200."""

    def __init__(self, dispatcher):
        super().__init__()
        self.dispatcher = dispatcher
        self.requests = []
        self.errors = []

    def do_receive(self, message, leg, source):
        if not message.is_request() or message.get_method() == 'ACK':
            return False
        self.requests.append((message, leg, source))
        resp = message.create_response(200, None, 'pyuas')
        resp.add_header('Allow', 'INVITE, ACK, CANCEL, OPTIONS, BYE')

        def sent(disp, result, user_data):
            try:
                finish_delivery(disp, result)
            except GLib.Error as e:
                self.errors.append(e)

        self.dispatcher.deliver_async(resp, None, None, sent, None)
        return True


def test_options_exchange():
    uac, uac_leg = new_dispatcher()
    uas, uas_leg = new_dispatcher()
    receiver = PyUas(uas)
    uas.set_receiver(receiver)
    check(uas.get_receiver() == receiver, 'get_receiver returns the Python receiver')
    signalled = []
    h_recv = uas.connect('message-received',
                         lambda d, msg, leg, src: signalled.append((msg, leg, src)))
    done_ids = []
    h_done = uac.connect('delivery-done', lambda d, id_, resp: done_ids.append((id_, resp)))

    uri = 'sip:uas@127.0.0.1:%d' % uas_leg.get_port()
    call_id = 'py-exchange-%d@127.0.0.1' % uac_leg.get_port()
    req = new_options(uri, uac_leg.get_port(), call_id, cseq=5)
    opts = NetSip.DeliveryOptions.new()
    opts.set_id('py-options-1')
    opts.set_leg(uac_leg)
    eq(opts.get_id(), 'py-options-1', 'DeliveryOptions.get_id')
    state = {}

    def on_done(disp, result, user_data):
        try:
            state['ret'] = finish_delivery(disp, result)
        except GLib.Error as e:
            state['error'] = e

    # while the UAS has the request, the UAC's transaction is pending
    pending = []
    h_at_uas = uas.connect('message-received',
                           lambda d, msg, leg, src: pending.append(uac.get_transaction('py-options-1')))
    uac.deliver_async(req, opts, None, on_done, None)

    check(run_until(lambda: state), 'no answer within %d s' % TIMEOUT_S)
    uas.disconnect(h_at_uas)
    eq(len(pending), 1, 'get_transaction calls')
    tx = pending[0]
    check(tx is not None, 'get_transaction finds the pending delivery by its id')
    eq(tx.get_kind(), NetSip.TransactionKind.CLIENT_NON_INVITE, 'transaction kind')
    eq(tx.get_id(), 'py-options-1', 'transaction id')
    eq(tx.get_leg(), uac_leg, 'transaction leg')
    eq(tx.get_remote_address().get_port(), uas_leg.get_port(), 'transaction remote port')
    uas.disconnect(h_recv)
    uac.disconnect(h_done)
    check('error' not in state, 'deliver_async failed: %r' % state.get('error'))
    ok, response = state['ret']
    check(ok, 'deliver_finish returned FALSE')
    check(isinstance(response, NetSip.Response), 'the final response is a NetSip.Response')
    eq(response.get_code(), 200, 'status code')
    eq(response.get_to_tag(), 'pyuas', 'To tag set by the Python receiver')
    eq(response.get_call_id(), call_id, 'Call-ID')
    eq(response.get_cseq_number(), 5, 'CSeq')
    eq(response.get_header('Allow'), 'INVITE, ACK, CANCEL, OPTIONS, BYE', 'Allow header')

    eq(len(receiver.requests), 1, 'requests seen by the Python receiver')
    msg, leg, source = receiver.requests[0]
    eq(msg.get_method(), 'OPTIONS', 'method at the UAS')
    eq(msg.get_call_id(), call_id, 'Call-ID at the UAS')
    eq(leg, uas_leg, 'the leg the request came in on')
    eq(source.get_remote_address().get_port(), uac_leg.get_port(), 'source port')
    eq(len(signalled), 1, 'message-received emissions')
    eq(signalled[0][0].get_call_id(), call_id, 'message-received carries the request')
    eq(receiver.errors, [], 'errors sending the 200')
    eq([i for i, _ in done_ids], ['py-options-1'], 'delivery-done ids')
    eq(done_ids[0][1].get_code(), 200, 'delivery-done response')

    # the legs from Python: get_legs with a filter on the port
    legs = uas.get_legs(None, uas_leg.get_port(), -1, None, None, None)
    eq(list(legs), [uas_leg], 'get_legs by port')
    eq(uas.props.absorbed_requests, 0, 'absorbed-requests (no loss on loopback)')
    uas.set_receiver(None)


def test_cancel_delivery():
    uac, uac_leg = new_dispatcher()
    silent = NetSip.Leg.new('udp:127.0.0.1:0')
    req = new_options('sip:x@127.0.0.1:%d' % silent.get_port(), uac_leg.get_port(),
                      'py-cancel-%d@127.0.0.1' % uac_leg.get_port())
    opts = NetSip.DeliveryOptions.new()
    opts.set_id('py-cancel-me')
    state = {}
    failed = []
    h = uac.connect('delivery-failed', lambda d, id_, err: failed.append((id_, err)))

    def on_done(disp, result, user_data):
        try:
            state['ret'] = finish_delivery(disp, result)
        except GLib.Error as e:
            state['error'] = e

    uac.deliver_async(req, opts, None, on_done, None)
    eq(uac.cancel_delivery('no-such-id'), False, 'cancel_delivery of an unknown id')
    eq(uac.cancel_delivery('py-cancel-me'), True, 'cancel_delivery of the pending one')
    check(run_until(lambda: state), 'no completion after cancel_delivery')
    uac.disconnect(h)
    check('error' in state, 'cancelled delivery succeeded: %r' % (state.get('ret'),))
    eq(state['error'].domain, 'net-sip-transaction-error-quark', 'error domain')
    eq(state['error'].code, int(NetSip.TransactionError.CANCELLED), 'error code (CANCELLED)')
    eq([i for i, _ in failed], ['py-cancel-me'], 'delivery-failed ids')


def test_add_timer():
    disp, _ = new_dispatcher()
    fired = []

    def on_timer(d, user_data):
        fired.append((GLib.get_monotonic_time(), user_data))
        return GLib.SOURCE_REMOVE

    start = GLib.get_monotonic_time()
    tid = disp.add_timer(0.2, 0, on_timer, 'data')
    check(tid > 0, 'add_timer returns an id')
    check(run_until(lambda: fired, seconds=5), 'the timer did not fire')
    t, data = fired[0]
    eq(data, 'data', 'user data')
    elapsed = (t - start) / 1000.0
    check(180 <= elapsed <= 400, 'timer fired after %.1f ms, want 200' % elapsed)
    eq(disp.cancel_timer(tid), False, 'cancel_timer of a one-shot timer that fired')


def test_resolve_uri_and_domain2proxy():
    """Arrays in (transports, legs) and PtrArrays out through the typelib."""
    udp = NetSip.Leg.new('udp:127.0.0.1:0')
    tcp = NetSip.Leg.new('tcp:127.0.0.1:0')
    disp = NetSip.Dispatcher.new([udp, tcp])

    def resolve(uri, protocols, legs):
        res = {}

        def cb(d, result, user_data):
            try:
                res['v'] = d.resolve_uri_finish(result)
            except GLib.Error as e:
                res['e'] = e

        disp.resolve_uri_async(NetSip.Uri.parse(uri.encode()), protocols, legs, None, cb, None)
        check(run_until(lambda: res), 'resolve_uri_async %s did not complete' % uri)
        check('e' not in res, 'resolve_uri %s: %r' % (uri, res.get('e')))
        ok, targets, legs_out = res['v']
        check(ok, 'resolve_uri_finish returned FALSE')
        return [t.to_string() for t in targets], list(legs_out)

    # allowed protocols give the order; each target gets a leg that reaches it
    targets, legs = resolve('sip:127.0.0.1:5099', [NetSip.Transport.TCP, NetSip.Transport.UDP],
                            [udp, tcp])
    eq(targets, ['tcp:127.0.0.1:5099', 'udp:127.0.0.1:5099'], 'targets, TCP first')
    eq(legs, [tcp, udp], 'legs for the targets')
    targets, legs = resolve('sip:127.0.0.1:5099', None, None)
    eq(targets, ['udp:127.0.0.1:5099', 'tcp:127.0.0.1:5099'], 'default order: UDP, TCP')
    targets, legs = resolve('sip:127.0.0.1:5099', None, [tcp])
    eq(targets, ['tcp:127.0.0.1:5099'], 'only what the allowed legs reach')
    eq(legs, [tcp], 'the one allowed leg')

    # domain2proxy as a Python dict; "*.domain" covers the domain and below
    disp.props.domain2proxy = {'*.py.test': 'udp:127.0.0.1:5098'}
    eq(disp.get_domain_proxy('a.b.py.test'), 'udp:127.0.0.1:5098', 'get_domain_proxy')
    disp.set_domain_proxy('exact.test', 'tcp:127.0.0.1:5097')
    eq(dict(disp.props.domain2proxy),
       {'*.py.test': 'udp:127.0.0.1:5098', 'exact.test': 'tcp:127.0.0.1:5097'},
       'domain2proxy property')
    targets, _ = resolve('sip:alice@www.py.test', None, None)
    eq(targets[0], 'udp:127.0.0.1:5098', 'resolution through domain2proxy')


if __name__ == '__main__':
    sys.exit(run_tests(globals(), after_each=drain))
