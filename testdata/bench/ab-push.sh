#!/bin/bash
# Push of two pocket binaries, interleaved so that both see the same load
# (the machine is shared): `testdata/bench/ab-push.sh OLD_POCKET
# NEW_POCKET REGISTRY_HOST:PORT [ROUNDS]` (as root). A first push: each
# round makes each binary's store a fresh image as push.sh does (untimed,
# made by OLD for both) and times the two pushes, their order alternating;
# then re-pushes of an unchanged image, alternating. Prints the medians of
# the wall time and, for a first push, of pocket's CPU time (user+sys)
# and of the registry's (REG_PID, its pid, when set).
# Env: BENCH_PUSH_MB (default 64), REG_PID.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh
[[ $# -ge 3 ]] || { echo "usage: $0 OLD_POCKET NEW_POCKET REGISTRY_HOST:PORT [ROUNDS]" >&2; exit 2; }
OLD=$(realpath "$1") NEW=$(realpath "$2") HOST=$3 N=${4:-10}
MB=${BENCH_PUSH_MB:-64} LAYERS=4
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# image BINARY STORE NAME: busybox imported, then LAYERS-1 layers of
# base64 text, each written by a container and committed (as push.sh).
image() {
	local b=$1 s=$2 n=$3 r=$W/rootfs i
	local -a p=("$b" --root "$s" --insecure-registry "$HOST")
	rm -rf "$r"; mkdir -p "$r/bin"
	cp "$(command -v busybox)" "$r/bin/busybox"
	tar -C "$r" -cf "$W/base.tar" .
	"${p[@]}" import "$W/base.tar" "localhost/ab/$n" >/dev/null
	for i in $(seq 2 "$LAYERS"); do
		"${p[@]}" run --name "ab-$n-$i" --network none "localhost/ab/$n" /bin/busybox sh -c \
			"/bin/busybox head -c $((MB * 1048576 / (LAYERS - 1) * 3 / 4)) /dev/urandom | /bin/busybox base64 > /data$i" >/dev/null
		"${p[@]}" commit "ab-$n-$i" "localhost/ab/$n" >/dev/null
		"${p[@]}" rm "ab-$n-$i" >/dev/null
	done
	"${p[@]}" tag "localhost/ab/$n" "$HOST/ab/$n:latest"
}

cpu_ms() { awk '{print ($14 + $15) * 10}' "/proc/$1/stat"; }

# push V NAME: one timed push by binary V (old or new) of its image NAME;
# appends "ns cpu_ms registry_cpu_ms" to $W/res-V.
push() {
	local v=$1 n=$2 b=$OLD t0 t1 r0=0 r1=0
	[[ $v == new ]] && b=$NEW
	sync
	[[ -n ${REG_PID:-} ]] && r0=$(cpu_ms "$REG_PID")
	t0=$(now)
	/usr/bin/time -f "%U %S" -o "$W/time" "$b" --root "$W/store-$v" --insecure-registry "$HOST" push -q "$HOST/ab/$n:latest" >/dev/null
	t1=$(now)
	[[ -n ${REG_PID:-} ]] && r1=$(cpu_ms "$REG_PID")
	echo "$((t1 - t0)) $(awk '{printf "%d", ($1 + $2) * 1000}' "$W/time") $((r1 - r0))" >>"$W/res-$v"
}

for i in $(seq "$N"); do
	image "$OLD" "$W/store-old" "old-$$-$i"
	image "$OLD" "$W/store-new" "new-$$-$i"
	if ((i % 2)); then order="old new"; else order="new old"; fi
	for v in $order; do push "$v" "$v-$$-$i"; done
done
for v in old new; do
	echo "$v first push: median $(awk '{print $1}' "$W/res-$v" | median) s," \
		"pocket CPU $(awk '{print $2 * 1e6}' "$W/res-$v" | median) s, registry CPU $(awk '{print $3 * 1e6}' "$W/res-$v" | median) s (n=$N)"
done
# Re-push of the last image each pushed, 5 times as many rounds.
for _ in $(seq $((5 * N))); do
	for v in old new; do
		b=$OLD; [[ $v == new ]] && b=$NEW
		t0=$(now)
		"$b" --root "$W/store-$v" --insecure-registry "$HOST" push -q "$HOST/ab/$v-$$-$N:latest" >/dev/null
		echo $(($(now) - t0)) >>"$W/re-$v"
	done
done
for v in old new; do
	echo "$v re-push: median $(median <"$W/re-$v") s (n=$((5 * N)))"
done
