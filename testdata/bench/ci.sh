#!/bin/bash
# A CI job's first step on a fresh runner with a restored cache: the time
# from nothing to `run --rm python:3-bookworm python3 -c 1`, for
#   (a) pocket: untar its saved store into a new --root, then run;
#   (b) docker: `docker load` of a `docker save` tar into a daemon with an
#       empty data root, then run;
#   (c) podman: untar its saved storage into new --root/--runroot, then run.
# Target: (a) <= 0.2x (b).
# The image is a stand-in for python:3-bookworm built from Debian's archive
# (pyimage.sh: its contents and size are printed). Each tool's cache is made
# from the same `docker save` archive, untimed: pocket's store after
# `pocket pull docker-archive:` and one run, docker's own `docker save` of
# the loaded image, podman's storage after `podman load` and one run.
# Every run starts from nothing: new directories, a new docker data root
# and daemon. The daemon is started before the clock (a CI runner's
# docker is already running) and its start is not timed. The runs are
# interleaved, each round in a rotated order, so the peers share the
# machine's load. All run with --network none (the private dockerd has no
# bridge) and --pull never. The page cache is not dropped for any peer by
# default: a restored cache tar has just been written by the cache step,
# so it is warm on a real runner too; BENCH_DROP_CACHES=1 drops it (sync;
# drop_caches=3) before every timed run of every peer.
# Usage (as root, from anywhere): ci.sh. Env: POCKET (default ./pocket of
# the repository), BENCH_RUNS (5), BENCH_OUT (a file the result lines are
# appended to), BENCH_DROP_CACHES, BENCH_DEBIAN_MIRROR (pyimage.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=testdata/bench/lib.sh
. ./testdata/bench/lib.sh

RUNS=${BENCH_RUNS:-5}
POCKET=${POCKET:-$PWD/pocket}
W=$PWD/.bench/ci
IMG=python:3-bookworm
CMD=(python3 -c 1)
[[ $(id -u) -eq 0 ]] || { echo "ci bench: run as root" >&2; exit 1; }
[[ -x $POCKET ]] || { echo "ci bench: build pocket first (make)" >&2; exit 1; }

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a/b}'; }
mb() { echo $(($(stat -c %s "$1") / 1048576)); }

about=$(./testdata/bench/pyimage.sh "$PWD/.bench/pyimage")
ARCHIVE=$PWD/.bench/pyimage/python.tar

# shellcheck source=testdata/bench/dockerd.sh
. ./testdata/bench/dockerd.sh
cleanup() { dockerd_stop; rm -rf "$W"; }
trap cleanup EXIT
rm -rf "$W"; mkdir -p "$W"

# podman: no registry to reach, runc, the ulimits it needs here (lib.sh).
podman_conf "$W"

TAR=(tar --xattrs --xattrs-include='*')

# The caches, untimed.
P=$W/pocket
"$POCKET" --root "$P" pull -q "docker-archive:$ARCHIVE" >/dev/null
"$POCKET" --root "$P" run --rm --network none --pull never "$IMG" "${CMD[@]}"
"${TAR[@]}" -C "$P" -cpf "$W/pocket.tar" .
rm -rf "$P"
PM=$W/podman
podman_ok=1
if podman --root "$PM" --runroot "$PM-run" load -q -i "$ARCHIVE" >/dev/null 2>"$W/podman.err" &&
	podman --root "$PM" --runroot "$PM-run" run --rm --network none --pull never "$IMG" "${CMD[@]}" 2>"$W/podman.err"; then
	podman --root "$PM" --runroot "$PM-run" rm -af >/dev/null 2>&1 || true
	"${TAR[@]}" -C "$PM" -cpf "$W/podman.tar" .
else
	podman_ok=0
	podman_err=$(grep -v '^\s*$' "$W/podman.err" | tail -1)
fi
rm -rf "$PM" "$PM-run"
docker_ok=1
if dockerd_start "$W/dockerd" && "$DOCKER" load -q -i "$ARCHIVE" >/dev/null &&
	"$DOCKER" save -o "$W/docker.tar" "$IMG"; then
	dockerd_stop
else
	docker_ok=0
	dockerd_stop
fi

drop() {
	sync
	if [[ ${BENCH_DROP_CACHES:-0} == 1 ]]; then echo 3 >/proc/sys/vm/drop_caches; fi
}
# one PEER: prepare untimed, then append to $W/PEER.times the time from
# nothing to the run's exit, the untar's or load's part and the run's, in
# nanoseconds (or fail with the error in $W/PEER.err).
one() {
	local peer=$1 t0 tm t1
	case $peer in
	pocket)
		rm -rf "$P"; drop
		t0=$(now)
		mkdir -p "$P" &&
			"${TAR[@]}" -C "$P" -xpf "$W/pocket.tar" && tm=$(now) &&
			"$POCKET" --root "$P" run --rm --network none --pull never "$IMG" "${CMD[@]}"
		;;
	docker)
		dockerd_start "$W/dockerd" || return 1
		drop
		t0=$(now)
		"$DOCKER" load -q -i "$W/docker.tar" >/dev/null && tm=$(now) &&
			"$DOCKER" run --rm --network none --pull never "$IMG" "${CMD[@]}"
		;;
	podman)
		rm -rf "$PM" "$PM-run"; drop
		t0=$(now)
		mkdir -p "$PM" &&
			"${TAR[@]}" -C "$PM" -xpf "$W/podman.tar" && tm=$(now) &&
			podman --root "$PM" --runroot "$PM-run" run --rm --network none --pull never "$IMG" "${CMD[@]}"
		;;
	esac >/dev/null 2>"$W/$peer.err" || return 1
	t1=$(now)
	echo $((t1 - t0)) $((tm - t0)) $((t1 - tm)) >>"$W/$peer.times"
	case $peer in
	docker) dockerd_stop ;;
	pocket) rm -rf "$P" ;;
	podman) rm -rf "$PM" "$PM-run" ;;
	esac
}

peers=(pocket)
[[ $docker_ok == 1 ]] && peers+=(docker)
[[ $podman_ok == 1 ]] && peers+=(podman)
declare -A failed=()
for i in $(seq "$RUNS"); do
	n=${#peers[@]}
	for j in $(seq 0 $((n - 1))); do
		peer=${peers[$(((i + j) % n))]}
		[[ -n ${failed[$peer]:-} ]] && continue
		if ! one "$peer"; then
			failed[$peer]=$(grep -v '^\s*$' "$W/$peer.err" | tail -1)
			[[ $peer == docker ]] && dockerd_stop
		fi
	done
done
load=$(uptime | sed 's/.*load average: //')

report "ci-cold-start image: $about"
sizes="pocket store tar $(mb "$W/pocket.tar") MB"
[[ $docker_ok == 1 ]] && sizes+=", docker save tar $(mb "$W/docker.tar") MB"
[[ $podman_ok == 1 ]] && sizes+=", podman storage tar $(mb "$W/podman.tar") MB"
report "ci-cold-start caches: $sizes; ${RUNS} interleaved runs, page cache $([[ ${BENCH_DROP_CACHES:-0} == 1 ]] && echo dropped || echo kept) for every peer, load average $load"
# col PEER N: the median of column N of PEER's times (1 whole, 2 untar or
# load, 3 run).
col() { awk -v n="$2" '{print $n}' "$W/$1.times" | median; }
cp=
if [[ -n ${failed[pocket]:-} ]]; then
	report "ci-cold-start pocket untar store + run    failed: ${failed[pocket]}"
else
	cp=$(col pocket 1) cpr=$(col pocket 3)
	report "ci-cold-start pocket untar store + run    median ${cp}s (untar $(col pocket 2)s, run ${cpr}s)"
fi
if [[ $docker_ok == 0 ]]; then
	report "ci-cold-start docker load + run           skipped: the private dockerd did not start or load the image (see dockerd.sh)"
elif [[ -n ${failed[docker]:-} ]]; then
	report "ci-cold-start docker load + run           failed: ${failed[docker]}"
else
	cd_=$(col docker 1)
	report "ci-cold-start docker load + run           median ${cd_}s (load $(col docker 2)s, run $(col docker 3)s; dockerd already running)"
fi
if [[ $podman_ok == 0 ]]; then
	report "ci-cold-start podman untar storage + run  failed: $podman_err"
elif [[ -n ${failed[podman]:-} ]]; then
	report "ci-cold-start podman untar storage + run  failed: ${failed[podman]}"
else
	cpm=$(col podman 1)
	report "ci-cold-start podman untar storage + run  median ${cpm}s (untar $(col podman 2)s, run $(col podman 3)s)"
fi
if [[ -n $cp && -n ${cd_:-} ]]; then
	report "ci-cold-start ratio pocket/docker $(ratio "$cp" "$cd_") (target <= 0.2)"
	# Where the CI cache step itself unpacks the store (actions/cache
	# untars what it restores), the job's step is the run alone, as
	# docker's is load + run of a tar the cache step wrote.
	report "ci-cold-start ratio pocket/docker, the job's step alone (pocket run vs docker load + run) $(ratio "$cpr" "$cd_")"
fi
if [[ -n ${cpm:-} && -n ${cd_:-} ]]; then report "ci-cold-start ratio podman/docker $(ratio "$cpm" "$cd_")"; fi
if [[ -n $cp && -n ${cpm:-} ]]; then report "ci-cold-start ratio pocket/podman $(ratio "$cp" "$cpm")"; fi
