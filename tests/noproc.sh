#!/usr/bin/env bash
# Without /proc, forktop exits with 1 and says why, in one line on stderr.
# /proc is unmounted in a private mount namespace, which needs root: without
# it the check cannot run, and the script says so with status 77 (a SKIP in
# make check's summary, not a PASS).
set -u
forktop=${FORKTOP:-./forktop}

if ! why=$(unshare --mount --propagation private true 2>&1); then
	echo "SKIP: no private mount namespace here (needs root): $why"
	exit 77
fi
err=$(timeout 10 unshare --mount --propagation private \
	sh -c 'umount -l /proc && exec "$0" --batch --iterations 1' "$forktop" 2>&1 >/dev/null)
status=$?
# Sanitizer runtimes print their own complaints without /proc.
if [ "$status" -eq 1 ] && grep -q '/proc is not mounted' <<<"$err" &&
	{ [ "$(wc -l <<<"$err")" -le 1 ] || [ "${FORKTOP_SANITIZED:-no}" = yes ]; }; then
	echo "noproc: passed"
else
	echo "FAIL no-proc: status $status (want 1), stderr: $err"
	exit 1
fi
