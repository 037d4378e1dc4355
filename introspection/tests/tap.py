# tap.py: what every Python binding test here shares: the two assertions
# and a TAP runner for the module's test_* functions.
#
# A test file does `from tap import eq, check, run_tests` (the test's own
# directory is first on sys.path) and ends with
#   if __name__ == '__main__':
#       sys.exit(run_tests(globals()))
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import sys
import traceback


def eq(got, want, what):
    if got != want:
        raise AssertionError('%s: got %r, want %r' % (what, got, want))


def check(cond, what):
    if not cond:
        raise AssertionError(what)


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
