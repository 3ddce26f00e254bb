#!/usr/bin/env python3
"""Checks for tests/i18n.sh.

po-check.py FILE.po   every translation keeps its msgid's printf directives
                      (in order) and {placeholders} (as a set), and says
                      something other than the msgid where the msgid has a
                      word of English.
po-check.py --widest  the display width of stdin's widest line.
po-check.py --columns the tree's rows on stdin line up under the headings.
"""
import re
import sys
import unicodedata

DIRECTIVE = re.compile(r'%(?:%|[-+ #0]*(?:\*|\d+)?(?:\.(?:\*|\d+))?(?:hh|h|ll|l|z|j|t|L)?[diouxXeEfgGcspn])')
PLACEHOLDER = re.compile(r'\{[a-z_]+\}')


def width(text):
    return sum(2 if unicodedata.east_asian_width(c) in 'WF' else
               0 if unicodedata.combining(c) else 1 for c in text)


def unquote(lines):
    return ''.join(eval(l) for l in lines)  # a po string is a C string literal


def entries(path):
    entry, key = {}, None
    for line in open(path, encoding='utf-8'):
        line = line.rstrip('\n')
        if line.startswith('#~'):
            continue
        if not line.strip():
            if entry:
                yield entry
            entry, key = {}, None
            continue
        if line.startswith('#,'):
            entry['flags'] = line[2:]
        elif line.startswith('msgid ') or line.startswith('msgstr '):
            key, rest = line.split(' ', 1)
            entry[key] = [rest]
        elif line.startswith('"') and key:
            entry[key].append(line)
    if entry:
        yield entry


def check_po(path):
    bad = 0
    for e in entries(path):
        if 'msgid' not in e or 'msgstr' not in e:
            continue
        msgid, msgstr = unquote(e['msgid']), unquote(e['msgstr'])
        if not msgid:
            continue
        problems = []
        if DIRECTIVE.findall(msgid.replace('%%', '')) != DIRECTIVE.findall(msgstr.replace('%%', '')):
            problems.append('directives differ')
        if set(PLACEHOLDER.findall(msgid)) != set(PLACEHOLDER.findall(msgstr)):
            problems.append('placeholders differ')
        if not msgstr:
            problems.append('untranslated')
        elif msgstr == msgid and re.search(r'[a-z]{3,} [a-z]{3,}', msgid):
            problems.append('left in English')
        if problems:
            bad += 1
            print(f'{", ".join(problems)}:\n  msgid  {msgid!r}\n  msgstr {msgstr!r}')
    return 1 if bad else 0


def widest():
    print(max((width(l.rstrip('\n')) for l in sys.stdin), default=0))
    return 0


def columns():
    lines = [l.rstrip('\n') for l in sys.stdin]
    head = next((l for l in lines if re.match(r'^ *PID +PPID ', l)), None)
    if head is None:
        print('no heading line (PID PPID ...)')
        return 1
    pid_end = width(head[:head.index('PID') + 3])
    name_at = width(head[:head.index('NAME')])
    rows, bad = 0, 0
    for l in lines:
        m = re.match(r'^( *\d+) +\d+ [RSDZTXIt] ', l)
        if not m:
            continue
        rows += 1
        name = re.search(r'[─└├│ ]((?:MainProcess|Process-[0-9:]+|forktop|python3?)\b)', l)
        problems = []
        if width(m.group(1)) != pid_end:
            problems.append(f'PID ends at {width(m.group(1))}, its heading at {pid_end}')
        if name and width(l[:name.start(1)]) < name_at:
            problems.append(f'NAME at {width(l[:name.start(1)])}, before its heading at {name_at}')
        if problems:
            bad += 1
            print(f'{"; ".join(problems)}: {l}')
    if rows < 3:
        print(f'only {rows} tree rows')
        return 1
    return 1 if bad else 0


if __name__ == '__main__':
    if sys.argv[1:] == ['--widest']:
        sys.exit(widest())
    if sys.argv[1:] == ['--columns']:
        sys.exit(columns())
    sys.exit(check_po(sys.argv[1]))
