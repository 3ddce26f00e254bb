#!/usr/bin/env python3
"""Checks forktop's output of the family of `tests/hostile --family`.

usage: hostile-check.py MODE LEADER [--width COLUMNS] [--attached] < output

MODE is what stdin holds:
  screen    the pane as text (tmux capture-pane -p), COLUMNS wide
  colours   the pane with its attributes (tmux capture-pane -p -e)
  text      batch text frames (UTF-8 locale)
  ascii     batch text frames with --ascii
  json      batch NDJSON
LEADER is the PID of `hostile --family` (0: the row named "hostile" in the
output, the program forktop started); --attached: forktop watched it with
--attach, so the leader's output is not forktop's to show. Every member must be shown under it,
escaped as data/forktop.1 says, with the PID, PPID, S, DAEMON and EXIT
columns where the header has them. Prints what is wrong; exits 1 if anything.
"""
import argparse
import ctypes
import json
import re
import sys

# (name as shown in a UTF-8 locale, name with --ascii, command line) of each
# member of tests/hostile.c, in its order. The command line is argv[0], then
# the comm, then the arguments, joined by single spaces.
MEMBERS = [
    ("\\x1b[2J\\x1b[31mred", "\\x1b[2J\\x1b[31mred",
     "\\x1b]0;PWNED\\x07 \\x1b[2J\\x1b[31mred  \\x1b[2J  x"),
    ("\\x1b]0;title\\x07", "\\x1b]0;title\\x07",
     "title \\x1b]0;title\\x07 \\x1b]2;PWNED\\x1b\\\\ \\x1b[6n"),
    ("cr\\rlf\\nend", "cr\\rlf\\nend", "cr\\rlf cr\\rlf\\nend \\n \\r\\n"),
    ("a) R 1 (b", "a) R 1 (b", "a) R 1 (b a) R 1 (b ) Z 0 ("),
    ("bad\\xff\\xfe\\xc0\\xafutf", "bad\\xff\\xfe\\xc0\\xafutf",
     "\\xff\\xfe bad\\xff\\xfe\\xc0\\xafutf \\xc0\\xaf \\xed\\xa0\\x80"),
    ("\u6f22\u5b57\U0001F600wide", "\\xe6\\xbc\\xa2\\xe5\\xad\\x97\\xf0\\x9f\\x98\\x80wide",
     "\u6f22\u5b57 \u6f22\u5b57\U0001F600wide \U0001F600"),
    ("cafe\u0301\u0301", "cafe\\xcc\\x81\\xcc\\x81", "cafe\u0301 cafe\u0301\u0301"),
    ("\\u0301lead", "\\xcc\\x81lead", "\\u0301 \u0301lead x\u0301"),
    ("\\u009B2J\\u202Erlo", "\\xc2\\x9b2J\\xe2\\x80\\xaerlo",
     "\\u009B2J \\u009B2J\\u202Erlo \\u202E"),
    ("\U0001F468\\u200D\U0001F469zwj", "\\xf0\\x9f\\x91\\xa8\\xe2\\x80\\x8d\\xf0\\x9f\\x91\\xa9zwj",
     "\\u200D \U0001F468\\u200D\U0001F469zwj"),
    ("\u2764\\uFE0Fvs16", "\\xe2\\x9d\\xa4\\xef\\xb8\\x8fvs16", "\\uFE0F \u2764\\uFE0Fvs16"),
    ("\\x1b[6ndsr", "\\x1b[6ndsr", "\\x1b[6n \\x1b[6ndsr \\x1b[c"),
]
ZOMBIE = "\\x1b[31mzombie"
ZOMBIE_NOTE = "zombie: its parent has not reaped it"
OUTPUT_LINE = "out: \\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\r\\xff\u6f22"
OUTPUT_LINE_ASCII = "out: \\x1b]0;PWNED\\x07\\x1b[2J\\x1b[31mred\\r\\xff\\xe6\\xbc\\xa2"
OUTSIDER = "outsider"  # a process hostile.sh runs beside the family, not in it
SGR = re.compile(r"\x1b\[[0-9;]*m")
# CPU% and TIME+, where the header has them, after EXIT
CPU_COLUMNS = re.compile(r"(?: *(?:-|[0-9]+\.[0-9]) )?(?: *[0-9]+:[0-9]{2}\.[0-9]{2} )?")
HEADER = re.compile(r"    PID    PPID S DAEMON EXIT (?: CPU% )?(?:    TIME\+ )?NAME")
UNSAFE = re.compile("[\x00-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f]")

problems = []


def bad(what):
    problems.append(what)


libc = ctypes.CDLL(None)
libc.setlocale(6, b"C.UTF-8")  # LC_ALL: the widths forktop counts with


def width(s):
    return sum(max(libc.wcwidth(ord(c)), 0) for c in s)


def columns(pid, leader, state, exit_text):
    return f"{pid:>7} {leader:>7} {state} {'-':<6} {exit_text:>4} "


def check_row(lines, name, leader, states, exit_text, note, ascii):
    """The row of name: its columns where the header has them, then the
    tree glyphs, then the name (and its note) and nothing else. states: the
    states it may show (a sleeper is R for the moment it runs)."""
    glyphs = r"[ |`+-]*[|`]-" if ascii else r"[ \u2502\u251c\u2514\u2500\u2026]*[\u251c\u2514]\u2500"
    tail = re.escape(name) + (re.escape(note) if note else "")
    rows = [l for l in lines if re.search(glyphs + tail + "$", l)]
    if len(rows) != 1:
        bad(f"{len(rows)} rows end with {name!r}{note or ''}")
        return
    row = rows[0]
    pid = row[:7].strip()
    state = row[16] if len(row) > 16 and row[16] in states else states[0]
    want = columns(pid, leader, state, exit_text)
    if not pid.isdigit() or row[:30] != want:
        bad(f"columns of {name!r}: {row[:30]!r}, want {want!r}")
    cpu = CPU_COLUMNS.match(row, 30)
    if not re.fullmatch(glyphs, row[cpu.end():len(row) - len(name) - len(note or "")]):
        bad(f"between the columns and {name!r}: {row[30:]!r}")


def check_header(lines):
    if not any(HEADER.fullmatch(l.rstrip()) for l in lines):
        bad("no column header")


LIVE = "SR"  # a member sleeps, or runs for the moment it is woken


def check_rows(lines, leader, ascii, note_format):
    check_header(lines)
    for utf8_name, ascii_name, _ in MEMBERS:
        check_row(lines, ascii_name if ascii else utf8_name, leader, LIVE, "-", None, ascii)
    check_row(lines, ZOMBIE, leader, "Z", "3", note_format % ZOMBIE_NOTE, ascii)


def last_frame(text):
    """The last text frame that shows the zombie (every member started before it)."""
    frames = text.split("\nforktop ")
    for frame in reversed(frames):
        if ZOMBIE in frame:
            return frame.split("\nevents:\n")[0].split("\n")
    return []


def program_row_pid(lines):
    """The PID of the row named hostile: the leader forktop started."""
    for l in lines:
        if re.search(r"[\u2500-]hostile$", l):
            return int(l[:7])
    bad("no row named hostile")
    return -1


def check_text(raw, leader, ascii, attached):
    try:
        text = raw.decode("ascii" if ascii else "utf-8")
    except UnicodeDecodeError as e:
        bad(f"output is not {'ASCII' if ascii else 'UTF-8'}: {e}")
        text = raw.decode("utf-8", "replace")
    for l in text.split("\n"):
        if UNSAFE.search(l):
            bad(f"raw control or bidi character in {l!r}")
    frame = last_frame(text)
    check_rows(frame, leader or program_row_pid(frame), ascii, "  (%s)")
    if f"| {OUTPUT_LINE_ASCII if ascii else OUTPUT_LINE}\n" not in text and not attached:
        bad("the program's output line is missing or not escaped")


def check_screen(text, leader, cols):
    lines = text.split("\n")
    for l in lines:
        if width(l) > cols:
            bad(f"wider than the pane ({width(l)} > {cols}): {l!r}")
    check_rows(lines, leader, False, "  %s")


def check_colours(text):
    for l in text.split("\n"):
        plain = SGR.sub("", l)
        if "\x1b" in plain or UNSAFE.search(plain):
            bad(f"a raw escape or control reached the terminal: {l!r}")
        is_member = any(m[0] in plain for m in MEMBERS)
        codes = ";".join(SGR.findall(l))
        if is_member and re.search(r"(\[|;)31(;|m)", codes):
            bad(f"a member's row is red (forktop colours only zombies red): {l!r}")


def check_json(text, leader, attached):
    frames, events = [], []
    for n, line in enumerate(text.split("\n")[:-1], 1):
        try:
            line.encode("ascii")
            obj = json.loads(line)
        except (UnicodeEncodeError, ValueError) as e:
            bad(f"line {n} is not ASCII JSON: {e}: {line!r}")
            continue
        (frames if obj.get("type") == "frame" else events).append(obj)
    if not leader:
        leader = next((p["pid"] for f in frames for p in f["processes"]
                       if p.get("role") == "program"), -1)
    procs = {}
    for frame in frames:
        for p in frame["processes"]:
            if p["ppid"] == leader:
                procs[p["name"]] = p
    for name, _, cmdline in MEMBERS:
        p = procs.get(name)
        if not p:
            bad(f"no process named {name!r} under {leader}")
        elif p["cmdline"] != cmdline or p["state"] not in LIVE or p["exit"] is not None:
            bad(f"{name!r}: cmdline {p['cmdline']!r} (want {cmdline!r}), state {p['state']}, "
                f"exit {p['exit']}")
    z = procs.get(ZOMBIE)
    if not z or z["state"] != "Z" or z["exit"] != 3 or z["note"] != ZOMBIE_NOTE:
        bad(f"the zombie: {z}")
    texts = [e.get("text") for e in events if e.get("kind") == "output"]
    if not attached and OUTPUT_LINE not in texts:
        bad(f"the output event: {texts}")
    strangers = [e for e in events if e.get("name") == OUTSIDER]
    if strangers:
        bad(f"events of a process outside the family: {strangers}")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["screen", "colours", "text", "ascii", "json"])
    parser.add_argument("leader", type=int)
    parser.add_argument("--width", type=int, default=0)
    parser.add_argument("--attached", action="store_true")
    args = parser.parse_args()
    raw = sys.stdin.buffer.read()
    if args.mode in ("text", "ascii"):
        check_text(raw, args.leader, args.mode == "ascii", args.attached)
    elif args.mode == "screen":
        check_screen(raw.decode("utf-8"), args.leader, args.width)
    elif args.mode == "colours":
        check_colours(raw.decode("utf-8"))
    else:
        check_json(raw.decode("utf-8", "replace"), args.leader, args.attached)
    for p in problems:
        print(f"  {args.mode}: {p}")
    sys.exit(1 if problems else 0)


main()
