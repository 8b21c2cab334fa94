#!/bin/bash
# pocket as containerd's OCI runtime (make bench, part e): `ctr run --rm` of
# busybox true through containerd's runc v2 shim, with pocket-runc against
# runc as the runtime binary. containerd runs in its own root, state and
# socket, never the host's. Args: the loopback registry HOST:PORT.
# Env: BENCH_START_RUNS (20), BENCH_OUT (bench-results.txt), POCKET.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh
HOST=$1
RUNS=${BENCH_START_RUNS:-20}
OUT=${BENCH_OUT:-$PWD/bench-results.txt}
POCKET=${POCKET:-$PWD/pocket}
W=$(mktemp -d /tmp/pocket-bench-ctr.XXXXXX)
NS=pocket-bench-$$
CTR=(ctr --address "$W/c.sock" -n "$NS")

"$POCKET" --root "$W/pocket" --registry-mirror "http://$HOST" pull -q busybox >/dev/null
"$POCKET" --root "$W/pocket" save -o "$W/busybox.tar" busybox
ln -s "$POCKET" "$W/pocket-runc"
cat >"$W/config.toml" <<CONF
version = 2
root = "$W/root"
state = "$W/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$W/c.sock"
[ttrpc]
  address = "$W/c.sock.ttrpc"
CONF
containerd --config "$W/config.toml" >"$W/containerd.log" 2>&1 &
CPID=$!
cleanup() {
	kill "$CPID" 2>/dev/null || true
	wait "$CPID" 2>/dev/null || true
	rm -rf "$W" "/run/containerd/runc/$NS"
}
trap cleanup EXIT
for _ in $(seq 100); do "${CTR[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
"${CTR[@]}" image import "$W/busybox.tar" >/dev/null

# ctr_runs RUNTIME: medians of ctr run --rm busybox true, interleaving is
# left to the caller; one warm-up run first.
ctr_runs() {
	local bin=$1 i t0 t1
	"${CTR[@]}" run --rm --runc-binary "$bin" docker.io/library/busybox:latest warm true >/dev/null
	for i in $(seq "$RUNS"); do
		t0=$(now)
		"${CTR[@]}" run --rm --runc-binary "$bin" docker.io/library/busybox:latest "b$i" true >/dev/null
		t1=$(now)
		echo $((t1 - t0))
	done | median
}
p=$(ctr_runs "$W/pocket-runc")
r=$(ctr_runs "$(command -v runc)")
echo "ctr run --rm busybox true, pocket-runc median ${p}s" | tee -a "$OUT"
echo "ctr run --rm busybox true, runc median ${r}s" | tee -a "$OUT"
echo "ctr run --rm ratio pocket-runc/runc $(awk -v a="$p" -v b="$r" 'BEGIN {printf "%.2f", a/b}') (target <= 1.0)" | tee -a "$OUT"
