#!/bin/bash
# pocket build against podman build, docker build (classic builder) and
# docker build with BuildKit (issue 12's benchmark, make bench part i), on
# a Dockerfile shaped like a real one: a base image from the loopback
# registry, an install step writing 3,000 small files (what apt-get or pip
# install does), a COPY of a generated source tree of 2,000 files and a
# last RUN that reads it. Every peer builds with --network none.
#  (a) cold build: empty store and cache before every run (the base image
#      is pulled again)
#  (b) rebuild with nothing changed
#  (c) rebuild after one source file changed (its content, so every peer
#      sees it, whatever its cache compares): the COPY and the last RUN
#      run again
# The peers take turns within each run, so load from elsewhere on the
# machine falls on all of them alike. docker is a private dockerd
# (dockerd.sh) started here and stopped at exit. A peer that cannot build
# here is skipped with the reason.
# Usage (as root, from anywhere): build.sh [REGISTRY_HOST:PORT]
# Without a host a small benchreg is started here. Env: POCKET (default
# ./pocket of the repository), BENCH_RUNS (5), BENCH_OUT (a file the
# result lines are appended to), DOCKER (the docker CLI, see dockerd.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh
export PATH="$PATH:/usr/local/go/bin"

RUNS=${BENCH_RUNS:-5}
POCKET=${POCKET:-$PWD/pocket}
W=$PWD/.bench/build
[[ $(id -u) -eq 0 ]] || { echo "build bench: run as root" >&2; exit 1; }
[[ -x $POCKET ]] || { echo "build bench: build pocket first (make)" >&2; exit 1; }
# shellcheck source=testdata/bench/dockerd.sh
. ./testdata/bench/dockerd.sh

rm -rf "$W"; mkdir -p "$W"
HOST=${1:-}
REG_PID=
cleanup() {
	dockerd_stop
	if [[ -n $REG_PID ]]; then kill "$REG_PID" 2>/dev/null || true; wait "$REG_PID" 2>/dev/null || true; fi
	rm -rf "$W"
}
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

# podman: the loopback registry only, the host's drop-ins aside, runc as
# the runtime (lib.sh).
podman_conf "$W" "$HOST"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }

# time_one PEER: one build by PEER, its nanoseconds to stdout. The clock
# is bash's own: a $(date) on each side would add two fork+execs (50 to
# 500 ms each on a loaded machine) to every build's time.
time_one() {
	local peer=$1 t0 t1
	t0=${EPOCHREALTIME//[!0-9]/}
	"build_$peer" >/dev/null 2>"$W/last.err" || { echo "build bench: ${LABEL[$peer]} failed:" >&2; tail -5 "$W/last.err" >&2; return 1; }
	t1=${EPOCHREALTIME//[!0-9]/}
	echo $(((t1 - t0) * 1000))
}

# The build context: 40 packages of 50 modules of about 1.5 kB each.
CTX=$W/ctx
mkdir -p "$CTX/src"
for p in $(seq 40); do
	mkdir -p "$CTX/src/pkg$p"
	for m in $(seq 50); do
		{
			echo "# pkg$p/mod$m.py"
			for f in $(seq 12); do printf 'def f%d(x):\n    return x * %d + %d  # padding padding padding padding padding padding padding\n\n' "$f" "$m" "$p"; done
		} >"$CTX/src/pkg$p/mod$m.py"
	done
done
cat >"$CTX/Dockerfile" <<DOCKERFILE
FROM $HOST/library/busybox:latest
RUN for p in \$(seq 30); do mkdir -p /usr/lib/site/pkg\$p; for m in \$(seq 100); do printf 'def f():\n    return %s\n' "\$p.\$m" > /usr/lib/site/pkg\$p/mod\$m.py; done; done
WORKDIR /app
COPY src/ /app/src/
RUN find /app/src -type f | wc -l > /app/files && cat /app/files
DOCKERFILE
edits=0
touch_src() { edits=$((edits + 1)); echo "# edit $edits" >>"$CTX/src/pkg7/mod13.py"; }

R=$W/roots
build_pocket() { "$POCKET" --root "$R/pocket" --insecure-registry "$HOST" build -q --network none -t bench/build "$CTX"; }
cold_pocket() { rm -rf "$R/pocket"; sync; }
PM=(--root "$R/podman" --runroot "$R/podman-run")
build_podman() { podman "${PM[@]}" build -q --network none --layers --tls-verify=false -t bench/build "$CTX"; }
cold_podman() { rm -rf "$R/podman" "$R/podman-run"; sync; }
build_classic() { DOCKER_BUILDKIT=0 "$DOCKER" build -q --network none -t bench/classic "$CTX"; }
build_buildkit() { DOCKER_BUILDKIT=1 "$DOCKER" build -q --network none -t bench/buildkit "$CTX"; }
# Everything the daemon holds goes, the base image and both builders'
# caches included; a store that is not empty after it would flatter docker.
cold_docker() {
	"$DOCKER" system prune -af >/dev/null
	"$DOCKER" builder prune -af >/dev/null
	# shellcheck disable=SC2046 # one argument per image ID
	if [[ -n $("$DOCKER" images -aq) ]]; then "$DOCKER" rmi -f $("$DOCKER" images -aq) >/dev/null; fi
	[[ -z $("$DOCKER" images -aq) ]] || { echo "build bench: docker images left after prune" >&2; return 1; }
	sync
}

declare -A A B C FAILED
PEERS=(pocket podman classic buildkit)
declare -A LABEL=([pocket]="pocket build" [podman]="podman build" [classic]="docker build (classic)" [buildkit]="docker build (BuildKit)")
declare -A COLD=([pocket]=cold_pocket [podman]=cold_podman [classic]=cold_docker [buildkit]=cold_docker)

docker_ok=
if dockerd_start "$W/dockerd" "$HOST"; then docker_ok=1; fi
active=()
for peer in "${PEERS[@]}"; do
	if [[ $peer == classic || $peer == buildkit ]] && [[ -z $docker_ok ]]; then
		report "build ${LABEL[$peer]} skipped: the private dockerd did not start (see dockerd.sh)"
	elif [[ $peer == podman ]] && ! command -v podman >/dev/null; then
		report "build ${LABEL[$peer]} skipped: podman missing (hint: testdata/setup.sh bench)"
	else
		active+=("$peer")
	fi
done

# measure a|b|c: RUNS rounds, each peer building once per round in turn,
# so that load from elsewhere on the machine falls on every peer alike.
# A peer that fails once is dropped, with its error kept for the report.
T=$W/times
mkdir -p "$T"
measure() {
	local m=$1 i peer ns
	for i in $(seq "$RUNS"); do
		if [[ $m == c ]]; then touch_src; fi
		for peer in "${active[@]}"; do
			[[ -z ${FAILED[$peer]:-} ]] || continue
			if [[ $m == a ]] && ! "${COLD[$peer]}" 2>"$W/last.err"; then
				FAILED[$peer]=$(tail -1 "$W/last.err")
				continue
			fi
			if ns=$(time_one "$peer"); then echo "$ns" >>"$T/$m.$peer"; else FAILED[$peer]=$(tail -1 "$W/last.err"); fi
		done
	done
}
measure a
# The docker builders share a daemon: the last cold run of one pruned
# the other's cache. One untimed build each fills them again.
for peer in "${active[@]}"; do
	if [[ -z ${FAILED[$peer]:-} ]] && ! "build_$peer" >/dev/null 2>"$W/last.err"; then FAILED[$peer]=$(tail -1 "$W/last.err"); fi
done
measure b
measure c
for peer in "${active[@]}"; do
	if [[ -n ${FAILED[$peer]:-} ]]; then
		report "build ${LABEL[$peer]} skipped: ${FAILED[$peer]}"
		continue
	fi
	A[$peer]=$(median <"$T/a.$peer") B[$peer]=$(median <"$T/b.$peer") C[$peer]=$(median <"$T/c.$peer")
	report "build ${LABEL[$peer]} cold ${A[$peer]}s, no change ${B[$peer]}s, one file changed ${C[$peer]}s (medians of $RUNS)"
done

# ratios of pocket to the fastest peer of each measure
[[ -n ${A[pocket]:-} ]] || exit 1
for m in A B C; do
	declare -n v=$m
	best='' bp=''
	for peer in podman classic buildkit; do
		[[ -n ${v[$peer]:-} ]] || continue
		if [[ -z $best ]] || awk -v a="${v[$peer]}" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=${v[$peer]} bp=$peer; fi
	done
	unset -n v
	case $m in
	A) what="cold" target=0.7 ;;
	B) what="no change" target=0.2 ;;
	C) what="one file changed" target=0.7 ;;
	esac
	if [[ -z $best ]]; then
		report "build ratio ($what) no peer ran"
	else
		declare -n v=$m
		report "build ratio ($what) pocket/fastest-peer $(ratio "${v[pocket]}" "$best") (${LABEL[$bp]}; target <= $target)"
		unset -n v
	fi
done
