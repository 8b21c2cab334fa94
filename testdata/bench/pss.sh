#!/bin/bash
# What detached containers' monitors cost in memory:
# `testdata/bench/pss.sh [POCKET] [N]` (as root) starts N (50) containers
# with `run -d --network none busybox sleep 1000` in a throwaway store and
# sums the Pss of /proc/PID/smaps_rollup over their monitor processes (the
# one pocket process each detached container keeps), then removes them.
# Prints the total and the mean per monitor, in MB.
set -euo pipefail
cd "$(dirname "$0")/../.."
POCKET=$(realpath "${1:-./pocket}") N=${2:-50}
W=$(mktemp -d)
cleanup() {
	"$POCKET" --root "$W/root" rm -f $("$POCKET" --root "$W/root" ps -aq) >/dev/null 2>&1 || true
	rm -rf "$W"
}
trap cleanup EXIT
go run ./internal/cmd/mkimage -o "$W/busybox.tar" busybox
"$POCKET" --root "$W/root" load -q -i "$W/busybox.tar" >/dev/null
for _ in $(seq "$N"); do
	"$POCKET" --root "$W/root" run -d --network none busybox sleep 1000 >/dev/null
done
# A monitor is `pocket monitor ROOT ID` (its argv[0] is /proc/self/exe).
kb=0 n=0
for p in /proc/[0-9]*; do
	args=$( { tr "\0" " " <"$p/cmdline"; } 2>/dev/null) || continue
	[[ $args == *" monitor $W/root "* ]] || continue
	k=$(awk '/^Pss:/ {print $2}' "$p/smaps_rollup" 2>/dev/null) || continue
	kb=$((kb + k)) n=$((n + 1))
done
[[ $n -eq $N ]] || echo "pss: found $n monitors for $N containers" >&2
awk -v kb="$kb" -v n="$n" 'BEGIN {printf "monitors %d: total Pss %.1f MB, %.2f MB each\n", n, kb/1024, kb/1024/n}'
