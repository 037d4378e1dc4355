#!/usr/bin/python3
# test-phone-examples.py: runs one of the example phones (examples/python,
# examples/gjs, examples/vala) as alice against real processes on loopback:
#
#   netsip-proxy --registrar with digest users (alice, bob) and Record-Route
#   bob: with --netsip-phone BIN, `netsip-phone answer --echo --max-calls 1`
#        registered as sip:bob@example.com; without, the Perl Net::SIP callee
#        tests/interop/proxy-phone.pl (registers through the proxy, answers
#        with an RTP echo, counts what it receives, exits after the BYE)
#   alice: the example phone, which registers, calls sip:bob@example.com
#        through the proxy, plays one second of PCMU, sends DTMF `12`,
#        hangs up after 1.5 s and unregisters
#
# usage: test-phone-examples.py --proxy-bin BIN --perl-phone FILE
#            [--netsip-phone BIN] -- PHONE-COMMAND...
# Passes (exit 0) when alice's output shows the registration, the call
# established and closed, the DTMF sent, her RTP echoed back (at least 40
# packets; all she sent with Net::SIP's echo, which returns DTMF events too;
# with netsip-phone exactly what bob says he sent) and the unregistration,
# and bob's side saw the call, all of alice's packets and (netsip-phone) the
# digits. Exit 77 (meson: skipped)
# when Perl Net::SIP is missing. Every process is ended by its PID; every
# wait is bounded.
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

DOMAIN = 'example.com'


class Child:
    """A child process whose stdout lines are collected by a thread."""

    def __init__(self, name, argv, env=None, cwd=None):
        self.name = name
        self.argv = argv
        self.lines = []
        self.cond = threading.Condition()
        self.proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env, cwd=cwd)
        self.err = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err), daemon=True).start()

    def _read(self, stream, into):
        for line in stream:
            with self.cond:
                into.append(line.rstrip('\n'))
                self.cond.notify_all()

    def wait_line(self, pattern, timeout):
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for line in self.lines:
                    m = rx.search(line)
                    if m:
                        return m
                if self.proc.poll() is not None:
                    # exited: half a second more for the reader thread
                    deadline = min(deadline, time.monotonic() + 0.5)
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.cond.wait(min(left, 0.2))

    def wait_exit(self, timeout):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            if self.wait_exit(5) is None:
                self.proc.kill()
                self.proc.wait(5)

    def report(self):
        time.sleep(0.1)   # let the reader threads take the last lines
        with self.cond:
            return '--- %s (exit %s): %s\n%s\n--- %s stderr:\n%s' % (
                self.name, self.proc.poll(), ' '.join(self.argv), '\n'.join(self.lines),
                self.name, '\n'.join(self.err[-30:]))


def have_net_sip():
    return subprocess.run(['perl', '-MNet::SIP', '-e', '1'], stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode == 0


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--proxy-bin', required=True)
    p.add_argument('--perl-phone', required=True)
    p.add_argument('--netsip-phone')
    p.add_argument('phone', nargs=argparse.REMAINDER)
    args = p.parse_args()
    phone = args.phone[1:] if args.phone[:1] == ['--'] else args.phone
    if not phone:
        p.error('no phone command')
    if not args.netsip_phone and not have_net_sip():
        print('SKIP: Perl Net::SIP (Debian libnet-sip-perl) is not installed')
        return 77

    tmp = tempfile.mkdtemp(prefix='netsip-phone-examples-')
    children = []
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print('FAIL: ' + what)
        return cond

    try:
        users = os.path.join(tmp, 'users.txt')
        with open(users, 'w') as f:
            f.write('alice:secret-a\nbob:secret-b\n')
        clip = os.path.join(tmp, 'clip.pcmu')
        with open(clip, 'wb') as f:   # one second of a 500 Hz square wave, PCMU
            f.write(bytes([0x9f if (i // 8) % 2 else 0x1f for i in range(8000)]))

        proxy = Child('netsip-proxy', [args.proxy_bin, '--listen', 'udp:127.0.0.1:0', '--registrar',
                                       '--domain', DOMAIN, '--realm', DOMAIN, '--users', users,
                                       '--record-route'])
        children.append(proxy)
        m = proxy.wait_line(r'^listening on udp:127\.0\.0\.1:(\d+)$', 10)
        if not check(m, 'netsip-proxy listening within 10 s'):
            return 1
        port = int(m.group(1))
        proxy_uri = 'sip:127.0.0.1:%d' % port

        if args.netsip_phone:
            bob = Child('netsip-phone answer', [
                args.netsip_phone, 'answer', '--listen', 'udp:127.0.0.1:0', '--register',
                proxy_uri, '--from', 'sip:bob@' + DOMAIN, '--user', 'bob',
                '--password-file', write(tmp, 'bob.pw', 'secret-b\n'), '--echo',
                '--max-calls', '1'])
            children.append(bob)
            registered = bob.wait_line(r'^registered sip:bob@example\.com expires=300$', 15)
        else:
            bob = Child('proxy-phone.pl callee', [
                'perl', args.perl_phone, '--mode', 'callee', '--proxy', '127.0.0.1:%d' % port,
                '--bind', '127.0.0.1', '--user', 'bob', '--password', 'secret-b',
                '--domain', DOMAIN, '--timeout', '30'])
            children.append(bob)
            registered = bob.wait_line(r'^REGISTER 300$', 15)
        if not check(registered, 'bob registered within 15 s'):
            return 1

        alice = Child('alice (example phone)', phone + [
            '--from', 'sip:alice@' + DOMAIN, '--registrar', proxy_uri, '--proxy', proxy_uri,
            '--user', 'alice', '--password', 'secret-a', '--call', 'sip:bob@' + DOMAIN,
            '--send', clip, '--dtmf', '12', '--duration', '1.5', '--timeout', '30'],
            cwd=tmp)
        children.append(alice)
        status = alice.wait_exit(40)
        check(status == 0, 'the example phone exited 0 (got %s)' % status)
        out = '\n'.join(alice.lines)
        check(re.search(r'^registered 300$', out, re.M), 'alice: registered 300')
        check(re.search(r'^call established 200$', out, re.M), 'alice: call established 200')
        check(re.search(r'^dtmf sent 12$', out, re.M), 'alice: dtmf sent 12')
        check(re.search(r'^call closed', out, re.M), 'alice: call closed')
        check(re.search(r'^unregistered$', out, re.M), 'alice: unregistered')
        m = re.search(r'^rtp sent (\d+) received (\d+) lost (\d+)$', out, re.M)
        sent = received = 0
        if check(m, 'alice: rtp counts'):
            sent, received = int(m.group(1)), int(m.group(2))
            check(sent >= 40, 'alice sent at least 40 RTP packets (%d)' % sent)
            check(received >= 40, 'alice got at least 40 RTP packets back (%d)' % received)
            if not args.netsip_phone:
                # Net::SIP's recv_echo returns every packet, DTMF events too
                check(received == sent, 'alice got her %d packets back from the echo (%d)' %
                      (sent, received))

        if args.netsip_phone:
            bstatus = bob.wait_exit(15)
            check(bstatus == 0, 'netsip-phone answer --max-calls 1 exited 0 after the call (got %s)'
                  % bstatus)
            bout = '\n'.join(bob.lines)
            check(re.search(r'^incoming sip:alice@example\.com', bout, re.M), 'bob: incoming from alice')
            check(re.search(r'^established$', bout, re.M), 'bob: established')
            for digit in '12':
                check(re.search(r'^dtmf %s method=rfc4733' % digit, bout, re.M),
                      'bob: heard DTMF %s as RFC 4733' % digit)
            m = re.search(r'^closed by=remote code=200 rtp-sent=(\d+) rtp-received=(\d+)$', bout, re.M)
            if check(m, 'bob: closed by alice\'s BYE, with RTP counts'):
                # bob counts alice's DTMF event packets as received; his echo
                # returns the audio only, so alice gets fewer than she sent
                check(int(m.group(2)) == sent, 'bob received the %d packets alice sent (%s)' %
                      (sent, m.group(2)))
                check(int(m.group(1)) == received, 'bob sent the %d packets alice received (%s)' %
                      (received, m.group(1)))
            check(re.search(r'^unregistered sip:bob@example\.com$', bout, re.M), 'bob: unregistered')
        else:
            bstatus = bob.wait_exit(15)
            check(bstatus == 0, 'proxy-phone.pl callee exited 0 after the BYE (got %s)' % bstatus)
            bout = '\n'.join(bob.lines)
            check(re.search(r'^INVITE sip:bob@127\.0\.0\.1:\d+$', bout, re.M),
                  'bob: the INVITE reached his registered contact')
            check(re.search(r'^ESTABLISHED$', bout, re.M), 'bob: ESTABLISHED')
            check(re.search(r'^CLOSED$', bout, re.M), 'bob: CLOSED')
            m = re.search(r'^RTP-RECEIVED (\d+) \d+$', bout, re.M)
            if check(m, 'bob: RTP counts'):
                check(int(m.group(1)) == sent, 'bob received the %d packets alice sent (%s)' %
                      (sent, m.group(1)))
        proxy.stop()
        check(proxy.proc.returncode == 0, 'netsip-proxy ended with status 0 on SIGTERM (%s)' %
              proxy.proc.returncode)
    finally:
        for c in reversed(children):
            c.stop()
        for c in children:
            print(c.report())
        shutil.rmtree(tmp, ignore_errors=True)
    if failures:
        print('%d checks failed' % len(failures))
        return 1
    print('ok: the example phone registered, called through netsip-proxy, was echoed and hung up')
    return 0


def write(directory, name, text):
    path = os.path.join(directory, name)
    with open(path, 'w') as f:
        f.write(text)
    return path


if __name__ == '__main__':
    sys.exit(main())
