#!/bin/bash
# What the benchmark scripts share (sourced, from the repository root):
# the clock, the median, the report, and podman's configuration.

now() { date +%s%N; }
# median: the median of nanosecond values on stdin, in seconds.
median() { sort -n | awk '{a[NR]=$1} END {m = (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2; printf "%.3f", m/1e9}'; }
# report LINE: to stdout, and appended to $BENCH_OUT when set.
report() { echo "$*"; if [[ -n ${BENCH_OUT:-} ]]; then echo "$*" >>"$BENCH_OUT"; fi; }

# podman_conf DIR [REGISTRY]: podman's configuration, written to DIR and
# exported. Registries: none to search and, given one, the loopback
# registry, reached insecurely; podman is handed that registry's own
# references, never docker.io names. A host whose
# /etc/containers/registries.conf.d has a docker.io mirror drop-in would
# otherwise send podman there: drop-ins are read even with
# CONTAINERS_REGISTRIES_CONF set. CONTAINERS_REGISTRIES_CONF_DIR moves
# them aside where podman knows it; the full references make them moot
# where it does not. containers.conf: runc as the runtime, and
# default_ulimits, without which podman refuses every run on a host whose
# hard nofile/nproc limits are below its defaults (1048576) (runc: "error
# setting rlimits for ready process: error setting rlimit type 7:
# operation not permitted").
podman_conf() {
	local dir=$1 host=${2:-}
	{
		echo 'unqualified-search-registries = []'
		if [[ -n $host ]]; then
			printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$host"
		fi
	} >"$dir/registries.conf"
	cat >"$dir/containers.conf" <<CONF
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
[engine]
runtime = "runc"
CONF
	export CONTAINERS_REGISTRIES_CONF=$dir/registries.conf CONTAINERS_CONF=$dir/containers.conf
	export CONTAINERS_REGISTRIES_CONF_DIR=$dir/registries.conf.d
	mkdir -p "$CONTAINERS_REGISTRIES_CONF_DIR"
}
