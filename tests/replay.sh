#!/usr/bin/env bash
# Recording and replay: a lab run recorded (--record, plain and gzip, and
# --json on a pipe) replays to the same frames, byte for byte; a stream is
# followed as it comes; old and foreign lines are ignored; and a cut-off,
# damaged, foreign or newer file gets its message and exit status, with
# what came before the damage replayed. Hostile names stay escaped.
set -u
forktop=${FORKTOP:-./forktop}
pass=0 fail=0
tmp=$(mktemp -d)
writer=
cleanup() { # whatever this script started ends with it, pass or fail
	[ -n "$writer" ] && kill -KILL "$writer" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { pass=$((pass + 1)); }
bad() { fail=$((fail + 1)); echo "FAIL $*"; }

# check name status stderr-pattern -- command: its status and its one line.
check() {
	local name=$1 want=$2 pattern=$3 err status
	shift 4
	err=$(timeout 20 "$@" 2>&1 >/dev/null)
	status=$?
	if [ "$status" -eq "$want" ] && grep -qE -- "$pattern" <<<"$err" &&
		[ "$(wc -l <<<"$err")" -le 1 ]; then
		ok
	else
		bad "$name: status $status (want $want), stderr: $err"
	fi
}

# A lab run whose main is killed: orphans re-parented, an exit code known.
# Text on stdout, the same session recorded beside it.
timeout 30 "$forktop" -b -n 5 -d 300 -H --columns sid,elapsed -S '@0.5 kill-main' \
	--record "$tmp/run.ndjson.gz" >"$tmp/live.txt"
[ $? -eq 0 ] || bad "recording a text run"
if grep -q 'orphan: was under' "$tmp/live.txt" && grep -qE 'MainProcess +\(ended\)' "$tmp/live.txt" &&
	[ "$(grep -c '^forktop ' "$tmp/live.txt")" -eq 5 ]; then
	ok
else
	bad "the run did not show what it must (5 frames, orphans, main ended): $(cat "$tmp/live.txt")"
fi
gzip -t "$tmp/run.ndjson.gz" && ok || bad "--record FILE.gz is no gzip file"
head -1 <(zcat "$tmp/run.ndjson.gz") | grep -qE '^\{"type":"recording","format":1,"forktop":"[^"]+","kernel":"Linux [^"]+","interval_ms":300,"hz":[0-9]+,"source":"lab: default"\}$' &&
	ok || bad "first line: $(zcat "$tmp/run.ndjson.gz" | head -1)"
"$forktop" --replay "$tmp/run.ndjson.gz" --batch >"$tmp/again.txt"
[ $? -eq 0 ] && cmp -s "$tmp/live.txt" "$tmp/again.txt" && ok ||
	bad "text replay differs: $(diff "$tmp/live.txt" "$tmp/again.txt" | head -20)"
"$forktop" --replay "$tmp/run.ndjson.gz" --batch -n 2 | grep -c '^forktop ' | grep -qx 2 &&
	ok || bad "-n 2 did not stop after two frames"

# NDJSON on a pipe is a recording; replayed as NDJSON, the same bytes.
timeout 30 "$forktop" -j -n 4 -d 300 -S '@0.5 kill Process-3' --record "$tmp/copy.ndjson" \
	>"$tmp/run.ndjson"
cmp -s "$tmp/run.ndjson" "$tmp/copy.ndjson" && ok || bad "--record and --json wrote different lines"
grep -q '"event":"exited"' "$tmp/run.ndjson" && ok || bad "the NDJSON run logged no exit"
"$forktop" --replay "$tmp/run.ndjson" --json >"$tmp/again.ndjson"
cmp -s "$tmp/run.ndjson" "$tmp/again.ndjson" && ok ||
	bad "NDJSON replay differs: $(diff "$tmp/run.ndjson" "$tmp/again.ndjson" | head -6)"
"$forktop" --replay - --json <"$tmp/run.ndjson" | cmp -s - "$tmp/run.ndjson" && ok ||
	bad "--replay - from a file on stdin"

# A stream is followed as it comes: the first frame is out long before the
# writer ends (it runs for about 4 s).
mkfifo "$tmp/fifo"
"$forktop" -j -n 9 -d 500 >"$tmp/fifo" &
writer=$!
first=$(timeout 3 "$forktop" --replay - -b <"$tmp/fifo" | head -1)
case $first in
"forktop "*) ok ;;
*) bad "no frame from a live stream within 3 s: '$first'" ;;
esac
kill "$writer" 2>/dev/null
wait "$writer" 2>/dev/null
writer=

# Older and newer writers of the same format: unknown keys, kinds of line
# and kinds of event are ignored; a stream without a first line is read.
sed -e 's/^{"type":"frame",/{"type":"frame","future":{"a":[1]},/' \
	-e '3i {"type":"chapter","note":"x"}' -e '4i {"type":"event","event":"teleported","pid":1}' \
	"$tmp/run.ndjson" | tail -n +2 >"$tmp/newer.ndjson"
"$forktop" --replay "$tmp/newer.ndjson" -j | grep -v '"type":"recording"' >"$tmp/newer.out"
cmp -s <(tail -n +2 "$tmp/run.ndjson") "$tmp/newer.out" && ok ||
	bad "unknown fields or lines changed the replay: $(diff <(tail -n +2 "$tmp/run.ndjson") "$tmp/newer.out" | head -4)"

# Damage. A recorder killed mid-line: the line is skipped with a note.
head -c -40 "$tmp/run.ndjson" >"$tmp/cut.ndjson"
lines=$(wc -l <"$tmp/cut.ndjson")
check cut-off 0 "cut.ndjson line $((lines + 1)) is cut off \(the recorder stopped in the middle of it\): skipped" -- \
	"$forktop" --replay "$tmp/cut.ndjson" -b
zcat "$tmp/run.ndjson.gz" | head -c 3000 | gzip >"$tmp/short.gz"
head -c 200 "$tmp/run.ndjson.gz" >"$tmp/cutgz.ndjson.gz"
check cut-gzip 0 "cutgz.ndjson.gz line [0-9]+ is cut off|^$" -- "$forktop" --replay "$tmp/cutgz.ndjson.gz" -b
# Damaged in the middle: replayed up to it, the line named, status 1.
{ head -3 "$tmp/run.ndjson"; echo '{"type":"frame","processes":[{"pid":1,"ppid":0,"state":7}]}'; tail -2 "$tmp/run.ndjson"; } >"$tmp/damaged.ndjson"
check damaged 1 "damaged.ndjson line 4 is damaged \(\"state\" is not a string\): replayed up to line 3" -- \
	"$forktop" --replay "$tmp/damaged.ndjson" -j
[ "$("$forktop" --replay "$tmp/damaged.ndjson" -j 2>/dev/null | wc -l)" -eq 3 ] && ok ||
	bad "the lines before the damage were not all replayed"
printf 'PID TTY TIME CMD\n' >"$tmp/ps.txt"
check not-a-recording 2 "ps.txt is not a forktop recording: line 1: not JSON" -- "$forktop" --replay "$tmp/ps.txt" -b
printf '{"name":"package.json"}\n' >"$tmp/other.json"
check other-json 2 "other.json is not a forktop recording: line 1: no \"type\"" -- "$forktop" --replay "$tmp/other.json" -b
head -c 4096 "$forktop" >"$tmp/binary"
check binary 2 "binary is not a forktop recording" -- "$forktop" --replay "$tmp/binary" -b
: >"$tmp/empty"
check empty 2 "empty is empty: not a forktop recording" -- "$forktop" --replay "$tmp/empty" -b
printf '{"type":"recording","format":2,"forktop":"9.1"}\n' >"$tmp/future.ndjson"
check newer-format 2 "future.ndjson: it was written in recording format 2 by forktop 9.1; this forktop \(.*\) reads format 1 and older" -- \
	"$forktop" --replay "$tmp/future.ndjson" -b
check missing 2 "--replay .*/nope: No such file or directory" -- "$forktop" --replay "$tmp/nope" -b
check directory 2 "--replay .*: is a directory" -- "$forktop" --replay "$tmp" -b
check replay-no-terminal 2 "not a terminal: use --batch" -- sh -c 'exec "$0" --replay "$1" </dev/null' "$forktop" "$tmp/run.ndjson"
check replay-lab 2 "--replay shows a recording: with --batch, --json, --ascii and --iterations only" -- \
	"$forktop" --replay "$tmp/run.ndjson" -b --scenario stubborn
check record-no-terminal 2 "not a terminal: use --batch" -- sh -c 'exec "$0" --record "$1" </dev/null' "$forktop" "$tmp/x.ndjson"
check record-unwritable 1 "--record $tmp/no/x: No such file or directory" -- "$forktop" -b -n 1 --record "$tmp/no/x"

# Hostile names in a recording stay escaped on the way out: no terminal
# escape gets through, and NDJSON keeps them as they were.
esc='{"type":"frame","frame":1,"time":1.5,"processes":[{"pid":9,"ppid":0,"state":"S","name":"\u001b]0;owned\u0007\\x80","lab_name":"a\u202eb"}]}'
printf '%s\n' "$esc" >"$tmp/hostile.ndjson"
out=$("$forktop" --replay "$tmp/hostile.ndjson" -b)
if ! grep -q $'\x1b' <<<"$out" && ! grep -q $'\x07' <<<"$out" && grep -qF 'a\u202Eb' <<<"$out"; then
	ok
else
	bad "a hostile name got through: $(cat -v <<<"$out")"
fi
out=$("$forktop" --replay "$tmp/hostile.ndjson" -j | tail -1)
grep -qF '"name":"\\x1b]0;owned\\x07\\x80"' <<<"$out" && ok || bad "hostile NDJSON: $out"

echo "replay: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
