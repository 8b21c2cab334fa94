#!/bin/bash
# Push of an image whose layers no registry has seen (what a push after
# `pocket build` or `commit` does): pocket push vs podman push and skopeo
# copy (from podman's storage), each from an image imported from the same
# rootfs tar, to a loopback registry.
# Every run pushes a new image (a fresh random payload, made and imported
# untimed), so no peer can skip a layer through a cache or a mount.
# Usage (as root, from anywhere): push.sh [REGISTRY_HOST:PORT]
# Without a host a small benchreg is started here. Env: POCKET (default
# ./pocket of the repository), BENCH_PUSH_MB (payload, default 64),
# BENCH_PUSH_LAYERS (default 4), BENCH_RUNS (default 5), BENCH_OUT (a file
# the result lines are appended to).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh
export PATH="$PATH:/usr/local/go/bin"

RUNS=${BENCH_RUNS:-5}
MB=${BENCH_PUSH_MB:-64}
LAYERS=${BENCH_PUSH_LAYERS:-4}
POCKET=${POCKET:-$PWD/pocket}
W=$PWD/.bench/push
[[ $(id -u) -eq 0 ]] || { echo "push bench: run as root" >&2; exit 1; }
[[ -x $POCKET ]] || { echo "push bench: build pocket first (make)" >&2; exit 1; }
for t in podman skopeo busybox; do
	command -v "$t" >/dev/null || { echo "push bench: $t missing (hint: testdata/setup.sh bench)" >&2; exit 1; }
done

rm -rf "$W"; mkdir -p "$W"
HOST=${1:-}
REG_PID=
cleanup() { if [[ -n $REG_PID ]]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; fi; }
trap cleanup EXIT
if [[ -z $HOST ]]; then
	go build -o "$W/benchreg" ./internal/cmd/benchreg
	"$W/benchreg" -dir "$W/reg" -mb 1 >"$W/benchreg.log" 2>&1 &
	REG_PID=$!
	for _ in $(seq 600); do
		[[ -s $W/reg/registry.host ]] && break
		kill -0 "$REG_PID" 2>/dev/null || { cat "$W/benchreg.log" >&2; exit 1; }
		sleep 0.5
	done
	HOST=$(cat "$W/reg/registry.host")
fi

podman_conf "$W" "$HOST"
P=(--root "$W/pocket" --insecure-registry "$HOST")
PM=(--root "$W/podman" --runroot "$W/podman-run")


# image TOOL N: a base layer (busybox, imported) and LAYERS-1 layers each
# written by a container and committed: text-like random data (base64,
# which compresses to about 3/4, as sources and binaries roughly do).
# Each tool makes its own, of the same sizes.
image() {
	local tool=$1 n=$2 r=$W/rootfs i
	local -a t
	if [[ $tool == pocket ]]; then t=("$POCKET" "${P[@]}"); else t=(podman "${PM[@]}"); fi
	rm -rf "$r"; mkdir -p "$r/bin"
	cp "$(command -v busybox)" "$r/bin/busybox"
	tar -C "$r" -cf "$W/base.tar" .
	"${t[@]}" import "$W/base.tar" "localhost/bench/img-$n" >/dev/null 2>>"$W/prep.err"
	for i in $(seq 2 "$LAYERS"); do
		"${t[@]}" run --name "bench-$n-$i" --network none "localhost/bench/img-$n" /bin/busybox sh -c \
			"/bin/busybox head -c $((MB * 1048576 / (LAYERS - 1) * 3 / 4)) /dev/urandom | /bin/busybox base64 > /data$i" >/dev/null 2>>"$W/prep.err"
		"${t[@]}" commit "bench-$n-$i" "localhost/bench/img-$n" >/dev/null 2>>"$W/prep.err"
		"${t[@]}" rm "bench-$n-$i" >/dev/null 2>>"$W/prep.err"
	done
}

# push_once TOOL N: push image N of TOOL (made untimed first), print ns.
# skopeo copies an image of podman's of its own (N with an s).
push_once() {
	local tool=$1 n=$2 t0 t1
	if [[ $tool == skopeo ]]; then
		n=s$n
		image podman "$n"
	else
		image "$tool" "$n"
	fi
	sync
	if [[ $tool == pocket ]]; then
		"$POCKET" "${P[@]}" tag "localhost/bench/img-$n" "$HOST/bench/pocket-$n:latest"
		t0=$(now)
		"$POCKET" "${P[@]}" push -q "$HOST/bench/pocket-$n:latest" >/dev/null 2>"$W/last.err" || { cat "$W/last.err" >&2; return 1; }
	elif [[ $tool == podman ]]; then
		t0=$(now)
		podman "${PM[@]}" push -q --tls-verify=false "localhost/bench/img-$n" "docker://$HOST/bench/podman-$n:latest" >/dev/null 2>"$W/last.err" || { cat "$W/last.err" >&2; return 1; }
	else
		t0=$(now)
		skopeo copy -q --dest-tls-verify=false "containers-storage:[overlay@$W/podman+$W/podman-run]localhost/bench/img-$n" "docker://$HOST/bench/skopeo-$n:latest" >/dev/null 2>"$W/last.err" || { cat "$W/last.err" >&2; return 1; }
	fi
	t1=$(now)
	echo $((t1 - t0))
}

# The peers take turns within each run, so a change in the machine's load
# (it is shared) falls on both.
for n in $(seq "$RUNS"); do
	push_once pocket "$n" >>"$W/pocket.ns" || { tail -5 "$W/prep.err" >&2; exit 1; }
	push_once podman "$n" >>"$W/podman.ns" || { tail -5 "$W/prep.err" >&2; exit 1; }
	push_once skopeo "$n" >>"$W/skopeo.ns" || { tail -5 "$W/prep.err" >&2; exit 1; }
done

# time_repush N COMMAND...: N pushes of an image the registry has whole.
time_repush() {
	local n=$1 i t0 t1; shift
	for i in $(seq "$n"); do
		t0=$(now)
		"$@" >/dev/null 2>"$W/last.err" || { cat "$W/last.err" >&2; return 1; }
		t1=$(now)
		echo $((t1 - t0))
	done | median
}

p=$(median <"$W/pocket.ns")
pm=$(median <"$W/podman.ns")
sk=$(median <"$W/skopeo.ns")
peer=$(awk -v a="$pm" -v b="$sk" 'BEGIN {print (a < b) ? a : b}')
rp=$(time_repush 10 "$POCKET" "${P[@]}" push -q "$HOST/bench/pocket-$RUNS:latest")
rpm=$(time_repush 10 podman "${PM[@]}" push -q --tls-verify=false "localhost/bench/img-$RUNS" "docker://$HOST/bench/podman-$RUNS:latest")
report "push (${LAYERS} new layers, ${MB} MB of base64 data) pocket median ${p}s"
report "push (${LAYERS} new layers, ${MB} MB of base64 data) podman median ${pm}s"
report "push (${LAYERS} new layers, ${MB} MB of base64 data) skopeo median ${sk}s"
report "push ratio pocket/faster peer $(awk -v a="$p" -v b="$peer" 'BEGIN {printf "%.2f", a/b}') (target <= 0.5)"
report "re-push of an unchanged image pocket median ${rp}s (target <= 0.050 s)"
report "re-push of an unchanged image podman median ${rpm}s"
rm -rf "$W/pocket" "$W/podman" "$W/podman-run" "$W/rootfs"
