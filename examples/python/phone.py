#!/usr/bin/python3
# phone.py: a small phone on NetSip.Agent and NetSip.Call (PyGObject).
#
#   phone.py --from sip:alice@example.com --registrar sip:127.0.0.1:5060
#            [--proxy sip:127.0.0.1:5060] [--user alice --password secret]
#            [--listen udp:127.0.0.1:0] [--call sip:bob@example.com
#            [--send FILE.pcmu] [--dtmf 123#] [--duration SECONDS]]
#            [--timeout SECONDS]
#
# Registers --from at the registrar (digest with --user/--password when
# challenged); with --call, calls that address through --proxy, plays
# FILE (raw 8 kHz PCMU) to it, sends the DTMF digits (RFC 4733 when the
# peer accepts telephone-event, in-band otherwise), hangs up after
# --duration seconds, then unregisters. One line per event on stdout:
#
#   registered 300
#   call calling | ringing | early | established | closing | closed [code]
#   dtmf sent 123#
#   dtmf received 1 (rfc4733)
#   rtp sent 50 received 50 lost 0
#   unregistered
#
# Exit status 0 when the registration (and the call, with --call) worked,
# 1 otherwise, 2 on bad arguments. Everything is bounded by --timeout.
# From the build tree:
#   GI_TYPELIB_PATH=_build/netsip-glib LD_LIBRARY_PATH=_build/netsip-glib \
#     /usr/bin/python3 examples/python/phone.py --from ... --registrar ...
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import sys

import gi
gi.require_version('GLib', '2.0')
gi.require_version('NetSip', '1.0')
from gi.repository import GLib, NetSip  # noqa: E402


def say(*words):
    print(*words, flush=True)


class Phone:
    def __init__(self, args):
        self.args = args
        self.loop = GLib.MainLoop()
        self.status = 1
        self.established = False
        self.agent = NetSip.Agent.new(args.from_, [args.listen])
        self.agent.props.registrar = args.registrar
        if args.proxy:
            self.agent.props.outgoing_proxy = args.proxy
        if args.user:
            self.agent.props.username = args.user
            self.agent.props.password = args.password
        self.call = None

    def run(self):
        GLib.timeout_add_seconds(self.args.timeout, self.on_timeout)
        self.agent.register_async(300, None, self.on_registered)
        self.loop.run()
        return self.status

    def on_timeout(self):
        say('timeout after %d s' % self.args.timeout)
        self.status = 1
        self.loop.quit()
        return GLib.SOURCE_REMOVE

    def on_registered(self, agent, result):
        try:
            ok, expires = agent.register_finish(result)
        except GLib.Error as e:
            say('registration failed:', e.message)
            self.finish(1)
            return
        say('registered', expires)
        if not self.args.call:
            self.finish(0)
            return
        self.call = agent.invite(self.args.call)
        session = self.call.get_rtp_session()
        if self.args.send:
            session.send_file(self.args.send, NetSip.Codec.PCMU, False)
        self.call.connect('state-changed', self.on_state)
        self.call.connect('dtmf-received', self.on_dtmf)

    def on_state(self, call, state, response):
        name = state.value_nick
        say('call', name, response.get_code() if response else '')
        if state == NetSip.CallState.ESTABLISHED:
            self.established = True
            if self.args.dtmf:
                call.send_dtmf(self.args.dtmf, NetSip.DtmfMethod.AUTO, 100)
                say('dtmf sent', self.args.dtmf)
            GLib.timeout_add(int(self.args.duration * 1000), self.hang_up)
        elif state == NetSip.CallState.CLOSED:
            session = call.get_rtp_session()
            say('rtp sent %d received %d lost %d' % (
                session.get_packets_sent(), session.get_packets_received(),
                session.get_packets_lost()))
            self.finish(0 if self.established else 1)

    def on_dtmf(self, call, digit, duration_ms, method):
        say('dtmf received %s (%s)' % (digit, method.value_nick))

    def hang_up(self):
        self.call.hangup()
        return GLib.SOURCE_REMOVE

    def finish(self, status):
        # unregisters, ends what is left, closes the legs
        def done(agent, result):
            agent.shutdown_finish(result)
            if self.agent.props.registered is False and status == 0:
                say('unregistered')
            self.status = status
            self.loop.quit()
        self.agent.shutdown_async(None, done)


def main():
    p = argparse.ArgumentParser(description='A small SIP phone on NetSip.Agent')
    p.add_argument('--from', dest='from_', required=True, help='our address of record')
    p.add_argument('--registrar', required=True, help='registrar URI')
    p.add_argument('--proxy', help='outgoing proxy URI')
    p.add_argument('--user')
    p.add_argument('--password', default='')
    p.add_argument('--listen', default='udp:127.0.0.1:0', help='our leg')
    p.add_argument('--call', help='the address to call')
    p.add_argument('--send', help='raw 8 kHz PCMU file to play to the peer')
    p.add_argument('--dtmf', help='digits to send once established')
    p.add_argument('--duration', type=float, default=2.0, help='seconds before hanging up')
    p.add_argument('--timeout', type=int, default=30)
    args = p.parse_args()
    try:
        return Phone(args).run()
    except GLib.Error as e:
        print('phone.py:', e.message, file=sys.stderr)
        return 2


if __name__ == '__main__':
    sys.exit(main())
