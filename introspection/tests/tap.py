# tap.py: what every Python binding test here shares: the two assertions,
# a bounded wait on the default main context and a TAP runner for the
# module's test_* functions.
#
# A test file does `from tap import eq, check, run_tests` (the test's own
# directory is first on sys.path) and ends with
#   if __name__ == '__main__':
#       sys.exit(run_tests(globals()))
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import traceback

from gi.repository import GLib

TIMEOUT_S = 10


def eq(got, want, what):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def check(cond, what):
    if not cond:
        raise AssertionError(what)


def run_until(done, seconds=TIMEOUT_S):
    """Iterates the default main context until done() or @seconds passed;
    returns done()."""
    loop = GLib.MainLoop()
    state = {'timed_out': False}

    def on_timeout():
        state['timed_out'] = True
        loop.quit()
        return GLib.SOURCE_REMOVE

    def poll():
        if done():
            loop.quit()
            return GLib.SOURCE_REMOVE
        return GLib.SOURCE_CONTINUE

    if done():
        return True
    timeout_id = GLib.timeout_add_seconds(seconds, on_timeout)
    poll_id = GLib.timeout_add(10, poll)
    loop.run()
    if not state['timed_out']:
        GLib.source_remove(timeout_id)
    else:
        GLib.source_remove(poll_id)
    return done()


def run_tests(namespace, after_each=None):
    """Runs the test_* functions of @namespace (a module's globals()) in
    their order, prints TAP (a failure's traceback as comments), calls
    @after_each after each one; returns the exit status (1 on a failure)."""
    tests = [(name[5:], fn) for name, fn in list(namespace.items())
             if name.startswith('test_') and callable(fn)]
    print('1..%d' % len(tests))
    failed = 0
    for i, (name, fn) in enumerate(tests, 1):
        try:
            fn()
        except Exception:  # noqa: BLE001 - report every failure as TAP
            failed += 1
            print('not ok %d - %s' % (i, name))
            for line in traceback.format_exc().rstrip().splitlines():
                print('# ' + line)
        else:
            print('ok %d - %s' % (i, name))
        if after_each:
            after_each()
        sys.stdout.flush()
    return 1 if failed else 0
