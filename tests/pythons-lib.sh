# Sourced by the tests that run real CPython (facts.sh, pyhook.sh).
#
# pythons [ends]: /usr/bin/python3, then every pyenv Python 3.8 or later
# that is installed, oldest first (ends: only the oldest and the newest).
# kill_sessions: ends every session whose leader's PID is in $pgids (each
# Python run is started with setsid, its PID added there), for an EXIT trap.
pgids=()

pythons() {
	[ -x /usr/bin/python3 ] && echo /usr/bin/python3
	command -v pyenv >/dev/null 2>&1 || return 0
	local root pick='p'
	[ "${1:-}" = ends ] && pick='1p;$p'
	root=$(pyenv root 2>/dev/null) || return 0
	ls -d "$root"/versions/3.* 2>/dev/null | sed 's,.*/,,' | grep -E '^3\.([89]|[1-9][0-9])\.' |
		sort -t. -k2,2n -k3,3n | sed -n "$pick" | uniq |
		sed "s,^,$root/versions/,;s,$,/bin/python3,"
}

kill_sessions() { local g; for g in "${pgids[@]}"; do kill -KILL -- "-$g" 2>/dev/null; done; }
