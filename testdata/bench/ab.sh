#!/bin/bash
# Warm start of two pocket binaries, interleaved so that both see the same
# load: `testdata/bench/ab.sh OLD_POCKET NEW_POCKET [ROUNDS]` (as root).
# Each gets a throwaway store with the busybox test image; prints the
# median wall time of `run --rm --network none busybox true` for each.
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ $# -ge 2 ]] || { echo "usage: $0 OLD_POCKET NEW_POCKET [ROUNDS]" >&2; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2") N=${3:-100}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
go run ./internal/cmd/mkimage -o "$W/busybox.tar" busybox
for v in old new; do
	bin=$OLD; [[ $v == new ]] && bin=$NEW
	"$bin" --root "$W/$v" load -q -i "$W/busybox.tar" >/dev/null
done
now() { date +%s%N; }
for _ in $(seq "$N"); do
	for v in old new; do
		bin=$OLD; [[ $v == new ]] && bin=$NEW
		t0=$(now)
		"$bin" --root "$W/$v" run --rm --network none busybox true
		echo "$v $(( $(now) - t0 ))"
	done
done >"$W/times"
for v in old new; do
	grep "^$v " "$W/times" | awk '{print $2}' | sort -n |
		awk -v v="$v" '{a[NR]=$1} END {printf "%s median %.1f ms (n=%d)\n", v, a[int((NR+1)/2)]/1e6, NR}'
done
