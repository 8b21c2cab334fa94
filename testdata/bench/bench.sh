#!/bin/bash
# pocket's benchmarks (make bench): medians to stdout and bench-results.txt.
#  (a) cold pull + unpack of the Big image from a loopback registry:
#      pocket vs podman pull vs skopeo copy (fresh storage every run)
#  (b) warm start of `true` in busybox: pocket run vs runc run vs podman run
#      (all without a network), then pocket's default bridge vs --network none
#  (d) rootless warm start (rootless.sh)
#  (e) push of an image with new layers, pocket vs podman (push.sh)
#  (f) a CI job's cold start from a restored cache: pocket's untarred store
#      vs docker load of a saved tar vs podman's untarred storage, with a
#      python:3-bookworm built from Debian's archive (ci.sh, pyimage.sh)
#  (g) ctr run --rm busybox true: pocket-runc vs runc as containerd's runtime
#  (h) `exec C true` into a running busybox: pocket exec vs runc exec
#  (j) 50 detached containers: their monitors' total and mean Pss (pss.sh)
#  (i) build of a realistic Dockerfile, cold, unchanged and after one
#      source file changed: pocket vs podman vs docker classic and
#      BuildKit (build.sh)
# docker is a private dockerd started for (f) and (i) (dockerd.sh), never
# the host's.
# Run as root from the repository root after `make`. Env: BENCH_MB (100),
# BENCH_RUNS (5), BENCH_START_RUNS (20).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh
export PATH="$PATH:/usr/local/go/bin"

MB=${BENCH_MB:-100}
RUNS=${BENCH_RUNS:-5}
START_RUNS=${BENCH_START_RUNS:-20}
W=$PWD/.bench
OUT=$PWD/bench-results.txt
BENCH_OUT=$OUT # report (lib.sh) appends there
POCKET=$PWD/pocket

[[ $(id -u) -eq 0 ]] || { echo "bench: run as root" >&2; exit 1; }
[[ -x $POCKET ]] || { echo "bench: build pocket first (make)" >&2; exit 1; }
./testdata/setup.sh bench

mkdir -p "$W"
rm -f "$W/registry.host"
go build -o "$W/benchreg" ./internal/cmd/benchreg
"$W/benchreg" -dir "$W" -mb "$MB" -rootfs "$W/bundle/rootfs" >"$W/benchreg.log" 2>&1 &
REG_PID=$!
cleanup() { kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; }
trap cleanup EXIT
for _ in $(seq 600); do
	[[ -s $W/registry.host ]] && break
	kill -0 "$REG_PID" 2>/dev/null || { cat "$W/benchreg.log" >&2; exit 1; }
	sleep 0.5
done
HOST=$(cat "$W/registry.host")
BYTES=$(cat "$W/big.bytes")

# Peers' configuration (lib.sh): podman is given the loopback registry's
# own references ($HOST/library/...); the host's peer setup does not
# matter either way.
podman_conf "$W" "$HOST"

# time_runs N PREPARE COMMAND...: run PREPARE (untimed) then COMMAND N times.
time_runs() {
	local n=$1 prep=$2; shift 2
	local i t0 t1
	for i in $(seq "$n"); do
		eval "$prep"
		t0=$(now)
		"$@" >/dev/null 2>"$W/last.err" || { echo "bench: $* failed:" >&2; cat "$W/last.err" >&2; return 1; }
		t1=$(now)
		echo $((t1 - t0))
	done | median
}

: >"$OUT"
report "# pocket benchmarks $(date -u +%FT%TZ) $(uname -m) $(nproc) CPUs; big image ${MB} MB (${BYTES} bytes compressed), ${RUNS} runs"

# (a) cold pull + unpack, with every store on the disk and then on tmpfs:
# the disk run is what users get, the tmpfs run shows what is left when
# the filesystem's cost of creating files is taken away.
mbps() { awk -v b="$BYTES" -v s="$1" 'BEGIN {printf "%.1f", b/1048576/s}'; }
cold_pull() { # cold_pull LABEL DIR
	local label=$1 R=$2 fresh p pm sk best
	fresh="rm -rf '$R'; mkdir -p '$R'; sync"
	p=$(time_runs "$RUNS" "$fresh" "$POCKET" --root "$R/pocket" --registry-mirror "http://$HOST" pull -q big)
	pm=$(time_runs "$RUNS" "$fresh" podman --root "$R/podman" --runroot "$R/podman-run" pull -q --tls-verify=false "$HOST/library/big:latest")
	sk=$(time_runs "$RUNS" "$fresh" skopeo copy -q --src-tls-verify=false "docker://$HOST/library/big:latest" "oci:$R/skopeo:latest")
	rm -rf "$R"
	report "cold-pull ($label) pocket  median ${p}s  $(mbps "$p") MB/s"
	report "cold-pull ($label) podman  median ${pm}s  $(mbps "$pm") MB/s"
	report "cold-pull ($label) skopeo  median ${sk}s  $(mbps "$sk") MB/s (copy only, no unpack)"
	report "cold-pull ($label) ratio pocket/podman $(awk -v a="$p" -v b="$pm" 'BEGIN {printf "%.2f", a/b}')"
	best=$(printf '%s\n' "$pm" "$sk" | sort -n | head -1)
	report "cold-pull ($label) ratio pocket/fastest-peer $(awk -v a="$p" -v b="$best" 'BEGIN {printf "%.2f", a/b}')"
}
cold_pull disk "$W/roots"
cold_pull tmpfs /dev/shm/pocket-bench-roots

# The cold pulls leave gigabytes of writeback and discards behind; starts
# are measured on a disk that has settled, for every peer alike.
sync; sleep 10

# (b) warm start of `true`
WR=$W/warm
rm -rf "$WR"; mkdir -p "$WR"
"$POCKET" --root "$WR/pocket" --registry-mirror "http://$HOST" pull -q busybox >/dev/null
podman --root "$WR/podman" --runroot "$WR/podman-run" pull -q --tls-verify=false "$HOST/library/busybox:latest" >/dev/null
B=$W/bundle
(cd "$B" && rm -f config.json && runc spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's/^\(\s*\)"sh"$/\1"true"/' "$B/config.json"
ws=$(time_runs "$START_RUNS" : "$POCKET" --root "$WR/pocket" run --rm --network none busybox true)
wr=$(time_runs "$START_RUNS" : runc run --bundle "$B" pocket-bench)
wp=$(time_runs "$START_RUNS" : podman --root "$WR/podman" --runroot "$WR/podman-run" run --rm --network none "$HOST/library/busybox:latest" true)
report "warm-start pocket run --rm --network none median ${ws}s"
report "warm-start runc run (same rootfs)         median ${wr}s"
report "warm-start podman run --rm --network none median ${wp}s"
report "warm-start ratio pocket/runc $(awk -v a="$ws" -v b="$wr" 'BEGIN {printf "%.2f", a/b}')"

# (c) what the default bridge costs a warm start (target: <= 10 ms). The
# first bridged run makes pocket0 and its iptables chains; it is untimed.
"$POCKET" --root "$WR/pocket" run --rm busybox true
wb=$(time_runs "$START_RUNS" : "$POCKET" --root "$WR/pocket" run --rm busybox true)
wn=$(time_runs "$START_RUNS" : "$POCKET" --root "$WR/pocket" run --rm --network none busybox true)
report "warm-start pocket run --rm busybox true (bridge) median ${wb}s"
report "warm-start pocket run --rm --network none        median ${wn}s"
report "warm-start bridge cost $(awk -v a="$wb" -v b="$wn" 'BEGIN {printf "%.0f", (a-b)*1000}') ms (target <= 10 ms)"
"$POCKET" --root "$WR/pocket" network prune >/dev/null
# podman with its own default network, where this host's podman has one.
if wpb=$(time_runs "$START_RUNS" : podman --root "$WR/podman" --runroot "$WR/podman-run" run --rm "$HOST/library/busybox:latest" true 2>/dev/null); then
	report "warm-start podman run --rm busybox true (default network) median ${wpb}s"
else
	report "warm-start podman run --rm busybox true (default network) failed: $(tail -1 "$W/last.err")"
fi

# (h) exec of `true` into a running container: pocket exec vs runc exec
# into a runc container of the same rootfs (target: pocket <= runc).
"$POCKET" --root "$WR/pocket" run -d --name bench-exec --network none busybox sleep 1000 >/dev/null
sed -i 's/^\(\s*\)"true"$/\1"sleep", "1000"/' "$B/config.json"
runc delete -f pocket-bench-exec 2>/dev/null || true
runc run -d --bundle "$B" pocket-bench-exec </dev/null >/dev/null 2>&1
ep=$(time_runs "$START_RUNS" : "$POCKET" --root "$WR/pocket" exec bench-exec true)
er=$(time_runs "$START_RUNS" : runc exec pocket-bench-exec true)
runc delete -f pocket-bench-exec
"$POCKET" --root "$WR/pocket" rm -f bench-exec >/dev/null
report "exec pocket exec C true median ${ep}s"
report "exec runc exec C true   median ${er}s"
report "exec ratio pocket/runc $(awk -v a="$ep" -v b="$er" 'BEGIN {printf "%.2f", a/b}')"
rm -rf "$WR"

# (j) what a detached container's monitor costs in memory
report "detached $(./testdata/bench/pss.sh "$POCKET" 50 | tail -1)"

# (f) A CI job's first step on a fresh runner with a restored cache: from
# nothing to `run --rm python:3-bookworm python3 -c 1`, pocket's untarred
# store vs docker load of a saved tar vs podman's untarred storage, with a
# stand-in for python:3-bookworm built from Debian's archive (ci.sh).
BENCH_OUT=$OUT POCKET=$POCKET ./testdata/bench/ci.sh

# (d) rootless warm start beside rootful pocket and rootless podman.
BENCH_OUT=$OUT ./testdata/bench/rootless.sh "$HOST"

# (e) push of an image with new layers: pocket push vs podman push.
BENCH_OUT=$OUT ./testdata/bench/push.sh "$HOST"

# (g) pocket-runc as containerd's runtime against runc.
BENCH_OUT=$OUT POCKET=$POCKET ./testdata/bench/runtime.sh "$HOST"

# (i) build: pocket build vs podman build vs docker build, classic and
# BuildKit, on its own private dockerd.
BENCH_OUT=$OUT POCKET=$POCKET ./testdata/bench/build.sh "$HOST"
