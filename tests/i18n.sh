#!/usr/bin/env bash
# forktop in Korean: the catalog is complete and keeps each text's format
# directives and placeholders; --help, errors, --batch and the screen (in a
# private tmux server, at 80x24 and 120x40) speak Korean under ko_KR.UTF-8
# with the columns lined up; LANGUAGE, LC_ALL, LC_MESSAGES and LANG are
# honoured as gettext honours them; JSON keeps English kinds and keys. The
# ko_KR.UTF-8 locale is made in a private folder (LOCPATH) where the machine
# lacks it. Every tmux server and forktop started here ends on exit.
set -u
forktop=${FORKTOP:-./forktop}
srcdir=${FORKTOP_SRCDIR:-.}
builddir=${FORKTOP_BUILDDIR:-.}
sock=
. "$(dirname "$0")/tmux-lib.sh"
monitors=()
tmp=$(mktemp -d)
trap 'kill_monitors; kill_servers; rm -rf "$tmp"' EXIT

[ "${FORKTOP_NLS:-yes}" = yes ] || { echo "SKIP: built with --disable-nls: English alone"; exit 77; }
for tool in msgfmt xgettext msgmerge msgattrib python3; do
	command -v "$tool" >/dev/null || { echo "SKIP: no $tool (gettext)"; exit 77; }
done

# ---- the locale: the machine's, or one made here
locpath=
if ! locale -a 2>/dev/null | grep -qix 'ko_KR\.utf-\?8'; then
	mkdir -p "$tmp/locales"
	if ! localedef -i ko_KR -f UTF-8 "$tmp/locales/ko_KR.UTF-8" >"$tmp/localedef.out" 2>&1; then
		echo "FAIL: no ko_KR.UTF-8 locale, and localedef could not make one:"
		cat "$tmp/localedef.out"
		exit 1
	fi
	locpath=$tmp/locales
fi
# with_locale VAR=VALUE... -- CMD...: CMD with only the locale variables given (the
# suite's LC_ALL and LANGUAGE are dropped first).
with_locale() {
	local vars=()
	while [ "$1" != -- ]; do vars+=("$1"); shift; done
	shift
	env -u LC_ALL -u LANGUAGE -u LANG -u LC_MESSAGES ${locpath:+LOCPATH=$locpath} "${vars[@]}" "$@"
}
ko() { with_locale LANG=ko_KR.UTF-8 -- "$@"; }
hangul() { LC_ALL=C.UTF-8 grep -qP '[\x{AC00}-\x{D7A3}]'; }
# The Korean of a msgid, from the catalog forktop reads.
tr_ko() { with_locale LANGUAGE=ko LANG=C.UTF-8 TEXTDOMAINDIR="$builddir/locale" -- gettext forktop "$1"; }

[ "$(ko locale charmap 2>/dev/null)" = UTF-8 ] && ok || bad "the ko_KR.UTF-8 locale does not load"

# ---- the catalog: valid, complete, every directive and placeholder kept
msgfmt --check --statistics -o /dev/null "$srcdir/po/ko.po" 2>"$tmp/msgfmt.out" && ok ||
	bad "msgfmt --check po/ko.po" "$(cat "$tmp/msgfmt.out")"
options=$(sed -n '/^XGETTEXT_OPTIONS/,/[^\\]$/p' "$srcdir/po/Makevars" | sed 's/^XGETTEXT_OPTIONS *= *//; s/\\$//' | tr '\n' ' ')
sources=$(grep -v '^#' "$srcdir/po/POTFILES.in")
# shellcheck disable=SC2086 # the options and the sources are words
(cd "$srcdir" && xgettext $options --package-name=forktop -o "$tmp/forktop.pot" $sources) 2>"$tmp/xgettext.out" ||
	bad "xgettext over po/POTFILES.in" "$(cat "$tmp/xgettext.out")"
msgids=$(grep -c '^msgid ' "$tmp/forktop.pot")
[ "$msgids" -ge 300 ] && ok || bad "the sources give $msgids texts to translate: too few (are they marked?)"
msgmerge --quiet --no-fuzzy-matching -o "$tmp/ko.po" "$srcdir/po/ko.po" "$tmp/forktop.pot" 2>/dev/null
untranslated=$(msgattrib --untranslated --no-obsolete "$tmp/ko.po" | grep -c '^msgid ')
fuzzy=$(msgattrib --only-fuzzy --no-obsolete "$tmp/ko.po" | grep -c '^msgid ')
[ "$untranslated" -eq 0 ] && [ "$fuzzy" -eq 0 ] && ok ||
	bad "po/ko.po: $untranslated texts of the sources untranslated, $fuzzy fuzzy (make update-po)" \
		"$(msgattrib --untranslated --only-fuzzy --no-obsolete "$tmp/ko.po" | grep '^msgid' | head -20)"
python3 "$srcdir/tests/po-check.py" "$tmp/ko.po" >"$tmp/pocheck.out" 2>&1 && ok ||
	bad "po/ko.po: a translation lost a directive or a placeholder" "$(head -30 "$tmp/pocheck.out")"

# ---- --help, an error, the honoured variables
ko "$forktop" --help >"$tmp/help" 2>&1; rc=$?
[ $rc -eq 0 ] && hangul <"$tmp/help" && grep -q -- '--batch' "$tmp/help" && ok ||
	bad "--help under LANG=ko_KR.UTF-8 (status $rc)" "$(head -5 "$tmp/help")"
with_locale LC_ALL=C.UTF-8 -- "$forktop" --help | hangul && bad "--help under C.UTF-8 is not English" || ok
ko "$forktop" --no-such-option >"$tmp/err" 2>&1; rc=$?
[ $rc -eq 2 ] && hangul <"$tmp/err" && grep -q -- "--no-such-option" "$tmp/err" && ok ||
	bad "an unknown option under ko_KR.UTF-8: status $rc, $(cat "$tmp/err")"
for vars in "LC_ALL=ko_KR.UTF-8 LANG=C.UTF-8" "LC_MESSAGES=ko_KR.UTF-8 LANG=C.UTF-8" \
	"LANGUAGE=ko LANG=C.UTF-8" "LANGUAGE=fr:ko LANG=ko_KR.UTF-8"; do
	# shellcheck disable=SC2086
	with_locale $vars -- "$forktop" --help | hangul && ok || bad "$vars: --help is not Korean"
done
for vars in "LC_ALL=C.UTF-8 LANG=ko_KR.UTF-8" "LANGUAGE=ko LC_ALL=C" "LC_MESSAGES=C.UTF-8 LANG=ko_KR.UTF-8"; do
	# shellcheck disable=SC2086
	with_locale $vars -- "$forktop" --help | hangul && bad "$vars: --help is Korean, gettext would not be" || ok
done

# every example's summary in Korean (data/examples/ko/NAME.txt)
ko "$forktop" --example list >"$tmp/examples" 2>&1
examples=$(ls "$srcdir"/data/examples/*.py | wc -l)
[ "$(grep -c '^  [a-z_]' "$tmp/examples")" -eq "$examples" ] &&
	[ "$(grep '^  [a-z_]' "$tmp/examples" | LC_ALL=C.UTF-8 grep -cP '[\x{AC00}-\x{D7A3}]')" -eq "$examples" ] && ok ||
	bad "--example list: not every example's summary is Korean" "$(cat "$tmp/examples")"

# A Korean locale that is not UTF-8 (EUC-KR): forktop stays English whole
# rather than mix the catalog's codeset with its UTF-8 files and screen.
mkdir -p "$tmp/euc"
if localedef -i ko_KR -f EUC-KR "$tmp/euc/ko_KR.EUC-KR" >/dev/null 2>&1; then
	env -u LANGUAGE LOCPATH="$tmp/euc" LC_ALL=ko_KR.EUC-KR "$forktop" --example list >"$tmp/euc.out" 2>&1
	env -u LANGUAGE LOCPATH="$tmp/euc" LC_ALL=ko_KR.EUC-KR "$forktop" --help >>"$tmp/euc.out" 2>&1
	! LC_ALL=C grep -q $'[\x80-\xff]' "$tmp/euc.out" && grep -q 'Daemon or not' "$tmp/euc.out" && ok ||
		bad "ko_KR.EUC-KR: forktop is not English whole" "$(head -5 "$tmp/euc.out")"
else
	bad "localedef could not make ko_KR.EUC-KR"
fi

# CPython's own log lines stay English, as Python prints them; the lab's
# Unix daemon's line is forktop's own words, translated.
ko "$forktop" --json -n 3 -d 300 --scenario unixdaemon >"$tmp/unixdaemon" 2>&1; rc=$?
python3 - "$tmp/unixdaemon" <<'EOF' >"$tmp/unixdaemon.out" 2>&1 && [ $rc -eq 0 ] && ok ||
import json, re, sys
hangul = re.compile('[\uac00-\ud7a3]')
texts = {}
for line in open(sys.argv[1], encoding='utf-8'):
    obj = json.loads(line)
    if obj.get('type') == 'event':
        texts.setdefault(obj['event'], obj['text'])
assert 'run' in texts and 'daemonizing' in texts, sorted(texts)
assert texts['run'].endswith('] child process calling self.run()'), texts['run']
assert hangul.search(texts['daemonizing']) and 'fork, setsid, fork' in texts['daemonizing'], texts['daemonizing']
EOF
	bad "the unixdaemon scenario's log lines under ko_KR.UTF-8 (status $rc)" "$(cat "$tmp/unixdaemon.out")"

# A file that is no recording: why, in forktop's words and translated
# (jansson's own text is English in every locale).
printf '{"type":recording}\n' >"$tmp/damaged.rec"
ko "$forktop" --replay "$tmp/damaged.rec" --batch >"$tmp/damaged.out" 2>&1; rc=$?
[ $rc -eq 2 ] && grep -qF "$(tr_ko 'a syntax error')" "$tmp/damaged.out" && hangul <"$tmp/damaged.out" &&
	! grep -q 'expected\|invalid token' "$tmp/damaged.out" && ok ||
	bad "a recording that is no JSON, under ko_KR.UTF-8 (status $rc)" "$(cat "$tmp/damaged.out")"

# ---- --batch: Korean sentences; JSON: English kinds and keys, Korean text
ko "$forktop" --batch -n 2 -d 300 >"$tmp/batch" 2>&1; rc=$?
[ $rc -eq 0 ] && hangul <"$tmp/batch" && grep -q 'MainProcess' "$tmp/batch" && ok ||
	bad "--batch under ko_KR.UTF-8 (status $rc)" "$(head -20 "$tmp/batch")"
ko "$forktop" --json -n 2 -d 300 >"$tmp/json" 2>&1; rc=$?
python3 - "$tmp/json" <<'EOF' >"$tmp/json.out" 2>&1 && [ $rc -eq 0 ] && ok || bad "--json under ko_KR.UTF-8" "$(cat "$tmp/json.out")"
import json, re, sys
hangul = re.compile('[\uac00-\ud7a3]')
kinds, korean = set(), 0
for line in open(sys.argv[1], encoding='utf-8'):
    obj = json.loads(line)
    for key in obj:
        assert key.isascii() and not hangul.search(key), key
    if obj.get('type') == 'event':
        assert obj['event'].isascii() and obj['kind'].isascii(), obj
        kinds.add(obj['event'])
        korean += bool(hangul.search(obj.get('text', '')))
assert 'lab_started' in kinds and 'started' in kinds, kinds
assert korean >= 3, f'{korean} events with Korean text'
EOF

# Hostile names are escaped alike in Korean and in C.UTF-8: one recording of
# a hostile family, replayed in both, gives the same NAME column, and no
# escape byte reaches the terminal.
hostile=${FORKTOP_HOSTILE:-./tests/hostile}
if [ -x "$hostile" ]; then
	names() { grep -aE '^ +[0-9]+ ' | sed -E 's/^ *[0-9]+ +[0-9]+ . +\S+ +\S+ +\S+ +\S+ +//; s/  .*//'; }
	with_locale LC_ALL=C.UTF-8 -- "$forktop" --batch -n 3 -d 300 --record "$tmp/hostile.rec" \
		-- "$hostile" --family 3 >/dev/null 2>&1
	ko "$forktop" --replay "$tmp/hostile.rec" --batch >"$tmp/hostile.ko" 2>&1
	with_locale LC_ALL=C.UTF-8 -- "$forktop" --replay "$tmp/hostile.rec" --batch >"$tmp/hostile.c" 2>&1
	if [ "$(names <"$tmp/hostile.ko")" = "$(names <"$tmp/hostile.c")" ] && [ "$(names <"$tmp/hostile.c" | wc -l)" -ge 8 ] &&
		! grep -aq $'\e' "$tmp/hostile.ko" && hangul <"$tmp/hostile.ko"; then
		ok
	else
		bad "hostile names are escaped otherwise in Korean" "$(diff <(names <"$tmp/hostile.c") <(names <"$tmp/hostile.ko"))"
	fi
else
	bad "no $hostile to start processes with hostile names"
fi

# A locale that writes 1,5 (made here): JSON keeps 1.5, or it would not parse.
if localedef -i de_DE -f UTF-8 "$tmp/de/de_DE.UTF-8" >/dev/null 2>&1 || { mkdir -p "$tmp/de" &&
	localedef -i de_DE -f UTF-8 "$tmp/de/de_DE.UTF-8" >/dev/null 2>&1; }; then
	env -u LANGUAGE LOCPATH="$tmp/de" LC_ALL=de_DE.UTF-8 "$forktop" --json -n 2 -d 300 >"$tmp/de.json" 2>&1
	python3 - "$tmp/de.json" <<'EOF' >"$tmp/de.out" 2>&1 && ok || bad "--json under de_DE.UTF-8" "$(cat "$tmp/de.out")"
import json, sys
times = [p['cpu_time'] for line in open(sys.argv[1]) for p in json.loads(line).get('processes', [])
         if p.get('cpu_time') is not None]
assert times, 'no cpu_time in the frames'
assert all(isinstance(t, float) for t in times), f'cpu_time written without its decimals: {times[:5]}'
EOF
else
	bad "localedef could not make de_DE.UTF-8"
fi

# ---- the screen in Korean, at 80x24 and 120x40
# start COLSxLINES ARGS...: forktop in Korean in a fresh server's shell.
start() {
	local size=$1 p i
	shift
	[ -n "$sock" ] && T kill-server 2>/dev/null
	use_server "forktop-i18n-$$-${#sockets[@]}"
	T new-session -d -x "${size%x*}" -y "${size#*x}" "bash --norc --noprofile"
	T send-keys "PS1='$ '; cd '$PWD'; env -u LC_ALL -u LANGUAGE ${locpath:+LOCPATH=$locpath} LANG=ko_KR.UTF-8 $forktop $* ; echo FORKTOP-EXIT=\$?" Enter
	for ((i = 0; i < 50; i++)); do
		p=$(T list-panes -F '#{pane_pid}' | head -1)
		p=$(pgrep -P "$p" -x forktop | head -1)
		[ -n "$p" ] && monitors+=("$p") && break
		sleep 0.1
	done
}
# The display width of the pane's widest line (Hangul is two columns).
widest() { pane | python3 "$srcdir/tests/po-check.py" --widest; }
# Every tree row's PID ends where the PID heading ends, and its NAME starts
# where NAME does (in display columns).
lined_up() { pane | python3 "$srcdir/tests/po-check.py" --columns; }

bar_label() { tr_ko "$1"; }
for size in 80x24 120x40; do
	w=${size%x*}
	start "$size" --delay 300
	if wait_for 'Process-3:1' 8; then
		quit_label=$(bar_label "q Quit")
		[ "$quit_label" != "q Quit" ] && pane | tail -n 1 | grep -qF "$quit_label" && ok ||
			bad "$size: the key bar does not say '$quit_label'"
		pane | tail -n 1 | hangul && ok || bad "$size: the key bar is not Korean"
		[ "$(widest)" -le "$w" ] && ok || bad "$size: a line is wider than $w columns"
		lined_up >"$tmp/cols" 2>&1 && ok || bad "$size: the columns are not lined up" "$(cat "$tmp/cols")"
		# a refusal: J on MainProcess, which has no creator in the lab
		T send-keys / M a i n P r o c e s s Enter
		wait_for "$(tr_ko "found '%s'" | sed "s/'%s'//; s/^ *//")" 3 || bad "$size: /MainProcess: not found"
		T send-keys J
		refusal=$(tr_ko "MainProcess has no creator in the lab to join it")
		wait_for "${refusal:0:12}" 3 && ok || bad "$size: J on MainProcess: no Korean refusal ('$refusal')"
		# the lessons pane: X, then the lesson of the orphans in Korean
		T send-keys l
		wait_for "$(tr_ko "Lesson: %s" | sed 's/%s.*//')" 3 && ok || bad "$size: l: no Korean lessons pane"
		T send-keys X
		wait_for '고아 프로세스' 8 && ok || bad "$size: X: the lesson does not say 고아 프로세스"
		[ "$(widest)" -le "$w" ] && ok || bad "$size: with the lesson, a line is wider than $w"
		# the help: Korean, every line within the width
		T send-keys '?'
		wait_for "forktop: $(tr_ko "keys")" 3 && ok || bad "$size: ?: the help title is not Korean"
		pane | grep -q 'Tab' && [ "$(pane | LC_ALL=C.UTF-8 grep -cP '[\x{AC00}-\x{D7A3}]')" -ge 10 ] && ok ||
			bad "$size: the help is not Korean"
		[ "$(widest)" -le "$w" ] && ok || bad "$size: help: a line is wider than $w columns"
		T send-keys Escape
		T send-keys q
		wait_for 'FORKTOP-EXIT=0' 5 && ok || bad "$size: q: forktop did not end with status 0"
	else
		bad "$size: the lab did not show"
	fi
done

# ---- the tour in Korean
start 120x40 --tour
title=$(python3 - "$srcdir/data/lessons/ko/tour.conf" <<'EOF'
import sys
titles = [line.split('=', 1)[1].strip() for line in open(sys.argv[1], encoding='utf-8')
          if line.startswith('title')]
print(titles[1][:10])  # the first step's: the tour's own is titles[0]
EOF
)
wait_for "$title" 8 && ok || bad "--tour: the first step's title '$title' is not shown"
T send-keys q
wait_for 'FORKTOP-EXIT=0' 5 && ok || bad "--tour: q"

echo "i18n: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
