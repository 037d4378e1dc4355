#!/usr/bin/python3
"""Proxy benchmark (issue 6): `sipp -sn uac` -> proxy -> `sipp -sn uas` at a
fixed concurrency through three stateless proxies in one run, alternating
A B C A B C: netsip-proxy (examples/netsip-proxy.c), Kamailio 5.6 stateless
(tests/bench/kamailio-stateless.cfg; with its default memory manager and
with -x tlsf) and Perl Net::SIP's StatelessProxy
(tests/bench/netsip-perl-proxy.pl). Then REGISTER per second with SHA-256
digest against netsip-proxy's SQLite binding store.

Per proxy: CPU seconds per 1000 calls of the proxy's process group (user +
sys from /proc/PID/stat of every process in the group, before and after
the calls of a round), peak RSS (VmHWM), calls/s. Before any timing, a check
run per proxy must show successful = calls and failed = 0 in sipp's stat
file and sipp's exit status 0; otherwise the benchmark exits 1 with no
figures. The same check is made on every timed round.

Pinning: the proxy on CPU 1, sipp (both) and this script (with the REGISTER
load client) on CPU 0. Every process started is in a process group of its
own and is ended by killing that group by its PID.

Run: meson test -C _build --benchmark --verbose proxy
 or: tests/bench/bench-proxy.py --netsip-proxy _build/examples/netsip-proxy
"""

import argparse
import hashlib
import os
import re
import select
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CLK_TCK = os.sysconf('SC_CLK_TCK')
PROXY_CPU = '1'
# Kamailio variants: its default memory manager (q_malloc with the debug
# bookkeeping Debian builds in, DBG_SR_MEMORY) and TLSF (-x tlsf), which a
# production Kamailio is usually run with: they differ by several times in
# CPU per call.
KAMAILIO_MEMORY = {'kamailio': [], 'kamailio-tlsf': ['-x', 'tlsf']}
LOAD_CPU = '0'


def free_udp_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def group_pids(pgid):
    pids = []
    for d in os.listdir('/proc'):
        if not d.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % d) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(')') + 2:].split()
        # fields[0] is state (field 3); pgrp is field 5
        if int(fields[2]) == pgid:
            pids.append(int(d))
    return pids


def group_cpu_seconds(pgid):
    """user+sys of all live processes in the group (children that ended
    are in cutime/cstime of their parent; a proxy here forks only at start)."""
    total = 0
    for pid in group_pids(pgid):
        try:
            with open('/proc/%d/stat' % pid) as f:
                st = f.read()
        except OSError:
            continue
        fields = st[st.rindex(')') + 2:].split()
        # utime, stime are fields 14, 15 (index 11, 12 here); cutime, cstime 16, 17
        total += sum(int(x) for x in fields[11:15])
    return total / CLK_TCK


def group_hwm_kib(pgid):
    """(sum of VmHWM over the group's processes, largest VmHWM, processes)"""
    hwms = []
    for pid in group_pids(pgid):
        try:
            with open('/proc/%d/status' % pid) as f:
                for line in f:
                    if line.startswith('VmHWM:'):
                        hwms.append(int(line.split()[1]))
        except OSError:
            pass
    return sum(hwms), max(hwms) if hwms else 0, len(hwms)


def start_group(argv, cpu, stdout=subprocess.PIPE, stderr=None, **kw):
    return subprocess.Popen(['taskset', '-c', cpu] + argv, stdout=stdout,
                            stderr=stderr, start_new_session=True, **kw)


def end_group(p, timeout=5):
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    except ProcessLookupError:
        pass
    # Kamailio's children may outlive the main process for a moment
    deadline = time.time() + timeout
    while group_pids(p.pid) and time.time() < deadline:
        time.sleep(0.05)
    if group_pids(p.pid):
        try:
            os.killpg(p.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def wait_listening(p, want, timeout=10):
    """Read the proxy's stdout until a `listening on udp:127.0.0.1:PORT`
    line; returns the port."""
    deadline = time.time() + timeout
    buf = b''
    fd = p.stdout.fileno()
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            chunk = os.read(fd, 4096)
            if not chunk:
                break
            buf += chunk
            m = re.search(rb'listening on udp:127\.0\.0\.1:(\d+)', buf)
            if m:
                return int(m.group(1))
        if p.poll() is not None:
            break
    raise RuntimeError('%s did not print its listening line: %r' % (want, buf))


def wait_udp_bound(port, timeout=10):
    """For Kamailio, which prints no line: wait until its port is bound."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return
        finally:
            s.close()
        time.sleep(0.1)
    raise RuntimeError('kamailio did not bind udp:127.0.0.1:%d' % port)


class Proxy:
    def __init__(self, name, args, tmp):
        self.name = name
        self.args = args
        self.tmp = tmp
        self.p = None
        self.port = None
        self.version = ''

    def start(self):
        a = self.args
        if self.name == 'netsip':
            self.p = start_group([a.netsip_proxy, '--listen', 'udp:127.0.0.1:0'],
                                 PROXY_CPU, stderr=open(os.path.join(self.tmp, 'netsip.log'), 'w'))
            self.port = wait_listening(self.p, 'netsip-proxy')
            self.version = 'netsip-proxy ' + a.netsip_proxy
        elif self.name in KAMAILIO_MEMORY:
            self.port = free_udp_port()
            self.p = start_group(['kamailio', '-f', os.path.join(HERE, 'kamailio-stateless.cfg'),
                                  '-DD', '-E', '-l', 'udp:127.0.0.1:%d' % self.port,
                                  '-P', os.path.join(self.tmp, self.name + '.pid')]
                                 + KAMAILIO_MEMORY[self.name] + a.kamailio_arg,
                                 PROXY_CPU, stdout=subprocess.DEVNULL,
                                 stderr=open(os.path.join(self.tmp, self.name + '.log'), 'w'))
            wait_udp_bound(self.port)
            time.sleep(0.5)   # its workers fork after the bind
            self.version = subprocess.run(['kamailio', '-v'], capture_output=True,
                                          text=True).stdout.splitlines()[0].replace('version: ', '')
            self.version += ', memory manager %s' % (
                KAMAILIO_MEMORY[self.name][1] if KAMAILIO_MEMORY[self.name] else 'default (qm, debug)')
        elif self.name == 'netsip-perl':
            self.port = free_udp_port()
            self.p = start_group(['perl', os.path.join(HERE, 'netsip-perl-proxy.pl'), str(self.port)],
                                 PROXY_CPU, stderr=open(os.path.join(self.tmp, 'perl.log'), 'w'))
            wait_listening(self.p, 'Net::SIP proxy')
            self.version = 'Net::SIP ' + subprocess.run(
                ['perl', '-MNet::SIP', '-e', 'print $Net::SIP::VERSION'],
                capture_output=True, text=True).stdout
        if self.p.poll() is not None:
            raise RuntimeError('%s ended at start' % self.name)

    def stop(self):
        end_group(self.p)


def read_stat(path):
    with open(path) as f:
        lines = [l.rstrip('\n') for l in f if l.strip()]
    head = lines[0].split(';')
    last = lines[-1].split(';')
    col = {h: i for i, h in enumerate(head)}
    return int(last[col['SuccessfulCall(C)']]), int(last[col['FailedCall(C)']])


def run_calls(proxy, uas_port, calls, a, tag):
    """One sipp uac run through the proxy: returns (cpu s, wall s)."""
    stat = os.path.join(proxy.tmp, 'stat-%s.csv' % tag)
    if os.path.exists(stat):
        os.unlink(stat)
    uac_port = free_udp_port()
    argv = ['sipp', '-sn', 'uac', '-i', '127.0.0.1', '-p', str(uac_port),
            '127.0.0.1:%d' % uas_port, '-rsa', '127.0.0.1:%d' % proxy.port,
            '-m', str(calls), '-l', str(a.concurrency), '-r', str(a.rate),
            '-timeout', str(a.sipp_timeout), '-timeout_error', '-nostdin',
            '-buff_size', '4194304', '-trace_stat', '-stf', stat, '-fd', '3600',
            '-trace_err', '-error_file', os.path.join(proxy.tmp, 'err-%s.log' % tag)]
    cpu0 = group_cpu_seconds(proxy.p.pid)
    t0 = time.monotonic()
    uac = start_group(argv, LOAD_CPU, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        rc = uac.wait(a.sipp_timeout + 30)
    except subprocess.TimeoutExpired:
        end_group(uac)
        raise RuntimeError('%s: sipp uac did not end' % proxy.name)
    t1 = time.monotonic()
    cpu1 = group_cpu_seconds(proxy.p.pid)
    end_group(uac)
    ok, failed = read_stat(stat)
    if rc != 0 or ok != calls or failed != 0:
        raise RuntimeError('%s: sipp uac exit %d, %d successful of %d, %d failed (see %s)'
                           % (proxy.name, rc, ok, calls, failed, proxy.tmp))
    if proxy.p.poll() is not None:
        raise RuntimeError('%s ended during the run' % proxy.name)
    return cpu1 - cpu0, t1 - t0


# ---------------------------------------------------------------- REGISTER

def parse_params(s):
    return {m.group(1).lower(): m.group(2) if m.group(2) is not None else m.group(3)
            for m in re.finditer(r'(\w+)\s*=\s*(?:"([^"]*)"|([^\s,]+))', s)}


class RegisterLoad:
    """A SHA-256 digest REGISTER client on one UDP socket with `window`
    users in flight: REGISTER, 401 with an algorithm=SHA-256 challenge,
    REGISTER with Authorization (RFC 8760, qop=auth), 200 that lists this
    user's Contact. Each user keeps its Call-ID with rising CSeq."""

    def __init__(self, port, users, realm, window):
        self.port = port
        self.users = users      # list of (name, password)
        self.realm = realm
        self.window = min(window, len(users))
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4194304)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4194304)
        self.sock.bind(('127.0.0.1', 0))
        self.lport = self.sock.getsockname()[1]
        self.cseq = [0] * len(users)
        self.branch = 0
        self.algorithms_seen = set()

    def request(self, i, password_override=None, auth=None, contact=True):
        name, _ = self.users[i]
        self.cseq[i] += 1
        self.branch += 1
        lines = ['REGISTER sip:%s SIP/2.0' % self.realm,
                 'Via: SIP/2.0/UDP 127.0.0.1:%d;branch=z9hG4bK-b%d;rport' % (self.lport, self.branch),
                 'Max-Forwards: 70',
                 'From: <sip:%s@%s>;tag=t%d' % (name, self.realm, i),
                 'To: <sip:%s@%s>' % (name, self.realm),
                 'Call-ID: reg-%d-%d@bench' % (i, self.lport),
                 'CSeq: %d REGISTER' % self.cseq[i]]
        if contact:
            lines.append('Contact: <sip:%s@127.0.0.1:%d>;expires=3600' % (name, self.lport))
        if auth:
            lines.append('Authorization: ' + auth)
        lines += ['Content-Length: 0', '', '']
        self.sock.sendto('\r\n'.join(lines).encode(), ('127.0.0.1', self.port))

    def authorization(self, i, msg, password):
        name, _ = self.users[i]
        chal = None
        for m in re.finditer(r'^WWW-Authenticate:\s*Digest\s+(.*)$', msg, re.M | re.I):
            p = parse_params(m.group(1))
            self.algorithms_seen.add(p.get('algorithm', 'MD5').upper())
            if p.get('algorithm', '').upper() == 'SHA-256':
                chal = p
        if chal is None:
            raise RuntimeError('401 without an algorithm=SHA-256 challenge:\n' + msg)
        h = lambda s: hashlib.sha256(s.encode()).hexdigest()
        uri = 'sip:%s' % self.realm
        ha1 = h('%s:%s:%s' % (name, chal['realm'], password))
        ha2 = h('REGISTER:' + uri)
        parts = ['username="%s"' % name, 'realm="%s"' % chal['realm'],
                 'nonce="%s"' % chal['nonce'], 'uri="%s"' % uri, 'algorithm=SHA-256']
        if 'qop' in chal:
            if 'auth' not in [q.strip() for q in chal['qop'].split(',')]:
                raise RuntimeError('challenge without qop=auth: ' + chal['qop'])
            cnonce = '%08x' % self.branch
            resp = h('%s:%s:00000001:%s:auth:%s' % (ha1, chal['nonce'], cnonce, ha2))
            parts += ['qop=auth', 'nc=00000001', 'cnonce="%s"' % cnonce]
        else:
            resp = h('%s:%s:%s' % (ha1, chal['nonce'], ha2))
        parts.append('response="%s"' % resp)
        if 'opaque' in chal:
            parts.append('opaque="%s"' % chal['opaque'])
        return 'Digest ' + ', '.join(parts)

    def recv(self, timeout):
        r, _, _ = select.select([self.sock], [], [], timeout)
        if not r:
            raise RuntimeError('REGISTER: no response within %.0f s' % timeout)
        data = self.sock.recv(65535).decode('utf-8', 'replace')
        m = re.match(r'SIP/2\.0 (\d{3})', data)
        cid = re.search(r'^(?:Call-ID|i):\s*reg-(\d+)-', data, re.M | re.I)
        if not m or not cid:
            raise RuntimeError('REGISTER: unexpected message:\n' + data)
        return int(m.group(1)), int(cid.group(1)), data

    def one(self, i, password, timeout=5):
        """A single REGISTER flow, waiting; returns the final status and message."""
        self.request(i)
        code, j, msg = self.recv(timeout)
        if code != 401 or j != i:
            raise RuntimeError('REGISTER without credentials: expected 401, got:\n' + msg)
        self.request(i, auth=self.authorization(i, msg, password))
        code, j, msg = self.recv(timeout)
        return code, msg

    def run(self, count, timeout=10):
        """count authorized REGISTERs with `window` users in flight."""
        started = done = 0
        state = {}
        nxt = 0
        while started < count and len(state) < self.window:
            self.request(nxt)
            state[nxt] = 1
            nxt = (nxt + 1) % len(self.users)
            started += 1
        while done < count:
            code, i, msg = self.recv(timeout)
            if i not in state:
                raise RuntimeError('REGISTER: response for a user not in flight:\n' + msg)
            if state[i] == 1 and code == 401:
                self.request(i, auth=self.authorization(i, msg, self.users[i][1]))
                state[i] = 2
                continue
            if state[i] != 2 or code != 200:
                raise RuntimeError('REGISTER: unexpected %d:\n%s' % (code, msg))
            if ('<sip:%s@127.0.0.1:%d>' % (self.users[i][0], self.lport)) not in msg:
                raise RuntimeError('REGISTER: 200 without the Contact:\n' + msg)
            del state[i]
            done += 1
            if started < count:
                while nxt in state:
                    nxt = (nxt + 1) % len(self.users)
                self.request(nxt)
                state[nxt] = 1
                nxt = (nxt + 1) % len(self.users)
                started += 1
        return done


def bench_register(a, tmp):
    realm = 'bench.test'
    users = [('u%04d' % i, 'pw-%d-secret' % i) for i in range(a.reg_users)]
    ufile = os.path.join(tmp, 'users.txt')
    with open(ufile, 'w') as f:
        for n, pw in users:
            f.write('%s:%s\n' % (n, pw))
    db = os.path.join(a.reg_db_dir or tmp, 'bindings-%d.sqlite' % os.getpid())
    for suffix in ('', '-wal', '-shm'):
        if os.path.exists(db + suffix):
            os.unlink(db + suffix)
    argv = [a.netsip_proxy, '--listen', 'udp:127.0.0.1:0', '--registrar', '--domain', realm,
            '--realm', realm, '--users', ufile, '--bindings-db', db]
    p = start_group(argv, PROXY_CPU, stderr=open(os.path.join(tmp, 'registrar.log'), 'w'))
    try:
        port = wait_listening(p, 'netsip-proxy --registrar')
        load = RegisterLoad(port, users, realm, a.reg_window)
        # Checks first: a wrong password gets a fresh 401 (or 403), the right
        # one a 200 that lists the Contact; every user once.
        code, msg = load.one(0, 'wrong-password')
        wrong_code = code
        if code not in (401, 403):
            raise RuntimeError('REGISTER with a wrong password got %d:\n%s' % (code, msg))
        for i in range(len(users)):
            code, msg = load.one(i, users[i][1])
            if code != 200 or ('<sip:%s@127.0.0.1:%d>' % (users[i][0], load.lport)) not in msg:
                raise RuntimeError('REGISTER check for %s got %d:\n%s' % (users[i][0], code, msg))
        if 'SHA-256' not in load.algorithms_seen:
            raise RuntimeError('no SHA-256 challenge seen')
        # The bindings are in the SQLite file (read with the proxy running; WAL)
        con = sqlite3.connect('file:%s?mode=ro' % db, uri=True)
        tables = [r[0] for r in con.execute("select name from sqlite_master where type='table'")]
        rows = sum(con.execute('select count(*) from "%s"' % t).fetchone()[0] for t in tables)
        con.close()
        if rows < len(users):
            raise RuntimeError('SQLite store %s: %d rows in %s, %d users registered'
                               % (db, rows, tables, len(users)))
        print('check: REGISTER %d users with SHA-256 digest -> 200 with the Contact; '
              'wrong password -> %d; %d rows in the SQLite file (tables %s)'
              % (len(users), wrong_code, rows, ', '.join(tables)))
        results = []
        for r in range(a.rounds):
            self_cpu0 = sum(os.times()[:2])
            cpu0 = group_cpu_seconds(p.pid)
            t0 = time.monotonic()
            load.run(a.registers)
            t1 = time.monotonic()
            cpu1 = group_cpu_seconds(p.pid)
            self_cpu1 = sum(os.times()[:2])
            results.append((a.registers / (t1 - t0), (cpu1 - cpu0) * 1000 / a.registers,
                            (self_cpu1 - self_cpu0) / (t1 - t0)))
            print('  REGISTER round %d: %d in %.2f s = %.0f/s, proxy %.3f CPU s per 1000, '
                  'load client busy %.0f%% of its CPU' % (r + 1, a.registers, t1 - t0, results[-1][0],
                                                          results[-1][1], results[-1][2] * 100))
            sys.stdout.flush()
        hwm = group_hwm_kib(p.pid)
        return results, hwm
    finally:
        end_group(p)
        for suffix in ('', '-wal', '-shm'):
            if a.reg_db_dir and os.path.exists(db + suffix):
                os.unlink(db + suffix)


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    ap.add_argument('--netsip-proxy', default=os.environ.get('NETSIP_PROXY', 'netsip-proxy'))
    ap.add_argument('--only', default='netsip,kamailio,kamailio-tlsf,netsip-perl',
                    help='comma-separated subset of netsip,kamailio,kamailio-tlsf,netsip-perl')
    ap.add_argument('--calls', type=int, default=4000, help='calls per round (netsip, kamailio)')
    ap.add_argument('--perl-calls', type=int, default=1000, help='calls per round for Net::SIP')
    ap.add_argument('--check-calls', type=int, default=200)
    ap.add_argument('--concurrency', type=int, default=50, help='sipp -l')
    ap.add_argument('--rate', type=int, default=10000,
                    help='sipp -r (high, so that -l is the limit)')
    ap.add_argument('--rounds', type=int, default=7)
    ap.add_argument('--sipp-timeout', type=int, default=60)
    ap.add_argument('--registers', type=int, default=2000, help='REGISTERs per round, 0 = none')
    ap.add_argument('--reg-users', type=int, default=200)
    ap.add_argument('--reg-window', type=int, default=20)
    ap.add_argument('--reg-db-dir', default=None,
                    help='directory of the SQLite file (default: the run\'s temporary '
                         'directory under $TMPDIR; /dev/shm to take the disk out)')
    ap.add_argument('--kamailio-arg', action='append', default=[],
                    help='extra kamailio argument, repeatable (e.g. --kamailio-arg=-x --kamailio-arg=tlsf)')
    ap.add_argument('--keep', action='store_true',
                    help='keep the temporary directory (logs, stat files) after a good run; '
                         'after a failure it is always kept')
    ap.add_argument('--idle-seconds', type=float, default=2.0,
                    help='CPU of each idle proxy measured over this time before the calls')
    a = ap.parse_args()

    os.sched_setaffinity(0, {int(LOAD_CPU)})
    names = [n for n in a.only.split(',') if n]
    for n in names:
        if n not in ('netsip', 'netsip-perl') and n not in KAMAILIO_MEMORY:
            ap.error('--only: unknown proxy %r' % n)
    tmp = tempfile.mkdtemp(prefix='bench-proxy-')
    print('command: %s' % ' '.join(sys.argv))
    print('bench-proxy: sipp -sn uac -> proxy -> sipp -sn uas, UDP on 127.0.0.1, -l %d -r %d, '
          '%d rounds alternating; proxy on CPU %s, sipp and the REGISTER client on CPU %s; files in %s (removed after a good run unless --keep)'
          % (a.concurrency, a.rate, a.rounds, PROXY_CPU, LOAD_CPU, tmp))
    print('load average at start: %s' % open('/proc/loadavg').read().strip())
    sys.stdout.flush()

    proxies = []
    uas = None
    status = 0
    try:
        uas_port = free_udp_port()
        uas = start_group(['sipp', '-sn', 'uas', '-i', '127.0.0.1', '-p', str(uas_port),
                           '-buff_size', '4194304', '-nostdin'], LOAD_CPU,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for n in names:
            pr = Proxy(n, a, tmp)
            pr.start()
            proxies.append(pr)
            print('%-13s %s, udp:127.0.0.1:%d, %d process(es) in its group'
                  % (n, pr.version, pr.port, len(group_pids(pr.p.pid))))
        time.sleep(0.3)
        if uas.poll() is not None:
            raise RuntimeError('sipp uas ended')

        # What an idle proxy costs (timers): included in the per-call figures
        for pr in proxies:
            c0 = group_cpu_seconds(pr.p.pid)
            time.sleep(a.idle_seconds)
            pr.idle = (group_cpu_seconds(pr.p.pid) - c0) / a.idle_seconds
            print('idle %-13s %.3f CPU s per second' % (pr.name, pr.idle))

        # Checks before timing, against a UAS of their own that logs the
        # messages: every call completes, and the requests reaching the UAS
        # carry the proxy's Via (so its responses go back through the proxy).
        check_port = free_udp_port()
        msgfile = os.path.join(tmp, 'check-uas-messages.log')
        check_uas = start_group(['sipp', '-sn', 'uas', '-i', '127.0.0.1', '-p', str(check_port),
                                 '-buff_size', '4194304', '-nostdin', '-trace_msg',
                                 '-message_file', msgfile], LOAD_CPU,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(0.3)
        try:
            for pr in proxies:
                run_calls(pr, check_port, a.check_calls, a, 'check-' + pr.name)
        finally:
            end_group(check_uas)
        with open(msgfile, errors='replace') as f:
            log = f.read()
        for pr in proxies:
            vias = len(re.findall(r'^(?:Via|v):\s*SIP/2\.0/UDP\s+127\.0\.0\.1:%d\b' % pr.port,
                                  log, re.M | re.I))
            # INVITE, ACK, BYE received and 180, 200, 200 sent per call
            if vias < 6 * a.check_calls:
                raise RuntimeError('%s: %d Via headers of the proxy in the UAS log, '
                                   'expected >= %d' % (pr.name, vias, 6 * a.check_calls))
            print('check %-13s %d calls: %d successful, 0 failed, sipp exit 0; '
                  '%d messages at the UAS with its Via'
                  % (pr.name, a.check_calls, a.check_calls, vias))
        sys.stdout.flush()

        per = {pr.name: [] for pr in proxies}
        for r in range(a.rounds):
            for pr in proxies:
                calls = a.perl_calls if pr.name == 'netsip-perl' else a.calls
                cpu, wall = run_calls(pr, uas_port, calls, a, '%s-%d' % (pr.name, r))
                per[pr.name].append((cpu * 1000 / calls, calls / wall))
                print('  round %d %-13s %5d calls %6.2f s %7.0f calls/s  %.3f CPU s/1000 calls'
                      % (r + 1, pr.name, calls, wall, calls / wall, cpu * 1000 / calls))
                sys.stdout.flush()

        print('\nload average at the end of the calls: %s' % open('/proc/loadavg').read().strip())
        print('\n| proxy         | CPU s / 1000 calls (median, min..max) | calls/s (median) | '
              'peak RSS sum (largest, processes) |')
        print('|---------------|------------------:|---------:|------------------:|')
        med = {}
        for pr in proxies:
            cpus = [c for c, _ in per[pr.name]]
            rates = [x for _, x in per[pr.name]]
            med[pr.name] = statistics.median(cpus)
            s, mx, np_ = group_hwm_kib(pr.p.pid)
            print('| %-13s | %.3f (%.3f..%.3f) | %.0f | %d KiB (%d KiB, %d) |'
                  % (pr.name, med[pr.name], min(cpus), max(cpus), statistics.median(rates), s, mx, np_))
        if 'netsip' in med:
            for other, goal in (('kamailio', 'goal <= 0.5, never > 1.0'),
                                ('kamailio-tlsf', 'goal <= 0.5, never > 1.0'), ('netsip-perl', '')):
                if other in med:
                    print('netsip/%s CPU per call: %.2fx %s' % (other, med['netsip'] / med[other],
                                                                 '(%s)' % goal if goal else ''))
        sys.stdout.flush()
    except RuntimeError as e:
        print('FAILED: %s' % e)
        status = 1
    finally:
        for pr in proxies:
            pr.stop()
        end_group(uas)

    if status == 0 and a.registers > 0 and 'netsip' in names:
        try:
            print('\nREGISTER with SHA-256 digest against netsip-proxy --registrar --users '
                  '--bindings-db (SQLite), %d users, %d in flight, %d per round'
                  % (a.reg_users, a.reg_window, a.registers))
            results, hwm = bench_register(a, tmp)
            print('REGISTER/s median %.0f; proxy CPU s per 1000 REGISTERs median %.3f; '
                  'peak RSS %d KiB' % (statistics.median(x[0] for x in results),
                                       statistics.median(x[1] for x in results), hwm[0]))
            print('load average at the end: %s' % open('/proc/loadavg').read().strip())
        except RuntimeError as e:
            print('FAILED: %s' % e)
            status = 1
    if status == 0 and not a.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == '__main__':
    sys.exit(main())
