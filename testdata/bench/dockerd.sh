#!/bin/bash
# A private Docker daemon for the benchmarks that compare against docker
# (bench.sh (f), build.sh), since no daemon runs on the machines pocket is
# benchmarked on and the host's, where one runs, must not be touched.
# dockerd runs with its own containerd, data root, exec root, socket and
# pidfile, all under one directory; no iptables rules and no bridge (the
# benchmarks run containers with --network none); the loopback registry
# is insecure to it.
#
# Sourced:  . testdata/bench/dockerd.sh; dockerd_start DIR [REGISTRY_HOST]
#           sets DOCKER_HOST and DOCKER (the Debian docker.io CLI, which
#           has the classic builder and BuildKit built in) and returns 1 if
#           the daemon does not come up (its log is DIR/dockerd.log);
#           dockerd_stop stops it and removes DIR (call it from the
#           caller's EXIT trap).
# Executed: testdata/bench/dockerd.sh DIR REGISTRY_HOST COMMAND...
#           runs COMMAND with DOCKER_HOST set and stops the daemon after.
# Env: DOCKERD (dockerd), DOCKER (/usr/bin/docker when it exists: a docker
# CLI elsewhere on PATH may be one that needs buildx for BuildKit).

DOCKERD_DIR=
DOCKERD_PID=
DOCKERD_CPID=

dockerd_start() {
	local dir=$1 reg=${2:-} i
	local -a insecure=()
	if ! command -v "${DOCKERD:-dockerd}" >/dev/null || ! command -v containerd >/dev/null; then
		echo "dockerd.sh: dockerd or containerd missing (hint: apt-get install docker.io)" >&2
		return 1
	fi
	if [[ -z ${DOCKER:-} ]]; then
		DOCKER=docker
		[[ -x /usr/bin/docker ]] && DOCKER=/usr/bin/docker
	fi
	export DOCKER
	DOCKERD_DIR=$dir
	rm -rf "$dir"; mkdir -p "$dir"
	# dockerd uses the host's containerd whenever
	# /run/containerd/containerd.sock exists: a private one keeps the
	# benchmark's containers and images out of it.
	cat >"$dir/containerd.toml" <<CONF
version = 2
root = "$dir/containerd"
state = "$dir/containerd-state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
CONF
	containerd --config "$dir/containerd.toml" >"$dir/containerd.log" 2>&1 &
	DOCKERD_CPID=$!
	if [[ -n $reg ]]; then insecure=(--insecure-registry "$reg"); fi
	"${DOCKERD:-dockerd}" \
		--containerd "$dir/containerd.sock" \
		--data-root "$dir/data" \
		--exec-root "$dir/exec" \
		--pidfile "$dir/docker.pid" \
		-H "unix://$dir/docker.sock" \
		--iptables=false --ip6tables=false --ip-masq=false --bridge=none \
		"${insecure[@]}" >"$dir/dockerd.log" 2>&1 &
	DOCKERD_PID=$!
	export DOCKER_HOST=unix://$dir/docker.sock
	for i in $(seq 300); do
		"$DOCKER" info >/dev/null 2>&1 && return 0
		kill -0 "$DOCKERD_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "dockerd.sh: private dockerd did not start (attempt $i), log:" >&2
	tail -5 "$dir/dockerd.log" >&2
	dockerd_stop
	return 1
}

dockerd_stop() {
	local p
	for p in "$DOCKERD_PID" "$DOCKERD_CPID"; do
		[[ -n $p ]] || continue
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	DOCKERD_PID='' DOCKERD_CPID=''
	if [[ -n $DOCKERD_DIR && -d $DOCKERD_DIR ]]; then
		# The daemon's overlay mounts and netns files live under its
		# roots; a killed daemon can leave some mounted.
		{ grep -o " $DOCKERD_DIR/[^ ]*" /proc/self/mounts || true; } | sort -r | while read -r m; do umount -l "$m" 2>/dev/null || true; done
		rm -rf "$DOCKERD_DIR"
	fi
	DOCKERD_DIR=''
	unset DOCKER_HOST
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
	set -euo pipefail
	[[ $# -ge 3 ]] || { echo "usage: dockerd.sh DIR REGISTRY_HOST COMMAND..." >&2; exit 2; }
	dir=$1 reg=$2; shift 2
	trap dockerd_stop EXIT
	dockerd_start "$dir" "$reg"
	"$@"
fi
