#!/bin/bash
# Where a warm start's milliseconds go: `testdata/bench/trace.sh [POCKET]
# [RUNS]` (as root) runs `run --rm --network none busybox true` RUNS times
# (30) with POCKET_TRACE=1 and prints, per phase, the median time since the
# phase before (pocket run's marks and its container init's, "init ...").
# "init main" is the child's exec, Go runtime and package init.
set -euo pipefail
cd "$(dirname "$0")/../.."
POCKET=$(realpath "${1:-./pocket}") N=${2:-30}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
go run ./internal/cmd/mkimage -o "$W/busybox.tar" busybox
"$POCKET" --root "$W/root" load -q -i "$W/busybox.tar" >/dev/null
for i in $(seq "$N"); do
	POCKET_TRACE=1 "$POCKET" --root "$W/root" run --rm --network none busybox true 2>&1 >/dev/null |
		awk '$1 == "pocket-trace:" {
			ph = ""; for (f = 4; f <= NF; f++) ph = ph (f > 4 ? " " : "") $f
			if ($3 == 1 && ph == "main") ph = "init main"
			if (n++ == 0) { first = $2 } else { printf "%s\t%d\t%.3f\n", ph, n, ($2 - prev) / 1000 }
			prev = $2
		} END { printf "total\t999\t%.3f\n", (prev - first) / 1000 }'
done >"$W/phases"
# Phases in the order they first come, each with its median.
sort -t$'\t' -k2,2n "$W/phases" | awk -F'\t' '!seen[$1]++ {print $1}' | while read -r ph; do
	awk -F'\t' -v k="$ph" '$1 == k {print $3}' "$W/phases" | sort -n |
		awk -v k="$ph" '{a[NR] = $1} END {printf "%-22s %8.2f ms\n", k, a[int((NR + 1) / 2)]}'
done
