#!/usr/bin/python3
# readme-example.py: keeps the examples of README.md true.
#
# README.md marks each example with an HTML comment before its fenced code
# block, and the output it prints the same way:
#
#   <!-- readme-example: c -->        <!-- readme-output: c -->
#   ```c                              ```
#   ...                               200 OK, ...
#   ```                               ```
#
# usage:
#   readme-example.py extract README LANG OUT
#       write the code block of LANG to OUT (the build compiles the C one)
#   readme-example.py run README LANG [--timeout S] -- COMMAND...
#       run COMMAND (with {} replaced by a file holding the code block of
#       LANG, for interpreted examples); pass when it exits 0 within the
#       timeout and its stdout equals the README's output block of LANG,
#       line by line, with every "127.0.0.1:<port>" compared as
#       "127.0.0.1:PORT" (ports are chosen by the kernel).
#
# SPDX-License-Identifier: LGPL-2.1-or-later

import os
import re
import subprocess
import sys
import tempfile


def block(readme, kind, lang):
    text = open(readme, encoding='utf-8').read()
    marker = '<!-- readme-%s: %s -->' % (kind, lang)
    at = text.find(marker)
    if at < 0:
        sys.exit('%s: no "%s" marker' % (readme, marker))
    if text.find(marker, at + 1) >= 0:
        sys.exit('%s: "%s" twice' % (readme, marker))
    m = re.compile(r'\s*```[^\n]*\n(.*?)^```', re.S | re.M).match(text, at + len(marker))
    if not m:
        sys.exit('%s: no fenced code block right after "%s"' % (readme, marker))
    return m.group(1)


def normalize(out):
    lines = [re.sub(r'127\.0\.0\.1:\d+', '127.0.0.1:PORT', line.rstrip())
             for line in out.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def run(readme, lang, timeout, command):
    code = block(readme, 'example', lang)
    want = normalize(block(readme, 'output', lang))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'readme-example.' + lang)
        with open(path, 'w', encoding='utf-8') as f:
            f.write(code)
        argv = [path if a == '{}' else a for a in command]
        try:
            p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, timeout=timeout, cwd=tmp)
        except subprocess.TimeoutExpired:
            print('FAIL: the %s example did not end within %d s' % (lang, timeout))
            return 1
    sys.stderr.write(p.stderr)
    got = normalize(p.stdout)
    print('stdout of the %s example:\n%s' % (lang, p.stdout))
    if p.returncode != 0:
        print('FAIL: the %s example exited %d' % (lang, p.returncode))
        return 1
    if got != want:
        print('FAIL: the %s example printed\n  %s\nthe README says\n  %s' %
              (lang, '\n  '.join(got), '\n  '.join(want)))
        return 1
    print('ok: the %s example of README.md ran and printed what the README says' % lang)
    return 0


def main():
    args = sys.argv[1:]
    if len(args) == 4 and args[0] == 'extract':
        code = block(args[1], 'example', args[2])
        with open(args[3], 'w', encoding='utf-8') as f:
            f.write('/* extracted from README.md by tests/readme-example.py: edit it there */\n'
                    if args[2] == 'c' else '')
            f.write(code)
        return 0
    if len(args) >= 4 and args[0] == 'run' and '--' in args:
        sep = args.index('--')
        opts, command = args[3:sep], args[sep + 1:]
        timeout = 30
        if opts[:1] == ['--timeout']:
            timeout = int(opts[1])
        return run(args[1], args[2], timeout, command)
    sys.exit('usage: readme-example.py extract README LANG OUT | '
             'run README LANG [--timeout S] -- COMMAND...')


if __name__ == '__main__':
    sys.exit(main())
