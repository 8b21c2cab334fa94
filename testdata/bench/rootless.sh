#!/bin/bash
# Warm start of `true` in busybox, rootless vs rootful (medians of
# BENCH_START_RUNS, default 20, with hyperfine):
#   pocket rootless (as BENCH_USER)  vs  pocket as root
#   vs rootless `podman run --rm --network none`
# Usage (as root, from anywhere): rootless.sh [REGISTRY_HOST:PORT]
# With a host (bench.sh passes its loopback registry) busybox is pulled from
# it as the docker.io mirror; without one a small benchreg is started here.
# Env: POCKET (default ./pocket of the repository), BENCH_USER (pocketuser,
# created with subordinate ids 200000-265535 if missing), BENCH_OUT (a file
# the result lines are appended to).
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$PATH:/usr/local/go/bin"

RUNS=${BENCH_START_RUNS:-20}
POCKET=${POCKET:-$PWD/pocket}
U=${BENCH_USER:-pocketuser}
W=$PWD/.bench/rootless
[[ $(id -u) -eq 0 ]] || { echo "rootless bench: run as root (it runs pocket as $U)" >&2; exit 1; }
[[ -x $POCKET ]] || { echo "rootless bench: build pocket first (make)" >&2; exit 1; }
for t in hyperfine podman setpriv newuidmap python3; do
	command -v "$t" >/dev/null || { echo "rootless bench: $t missing (hint: testdata/setup.sh bench)" >&2; exit 1; }
done

rm -rf "$W"; mkdir -p "$W"; chmod 755 "$PWD/.bench" "$W"
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

# The user, as the rootless e2e tests make it: subordinate ids, no others.
if ! id -u "$U" >/dev/null 2>&1; then
	useradd -m -K SUB_UID_COUNT=0 -K SUB_GID_COUNT=0 "$U"
fi
grep -q "^$U:" /etc/subuid || usermod --add-subuids 200000-265535 "$U"
grep -q "^$U:" /etc/subgid || usermod --add-subgids 200000-265535 "$U"
UID_=$(id -u "$U"); GID_=$(id -g "$U"); HOME_=$(getent passwd "$U" | cut -d: -f6)

# Everything the user touches lives in $W/user, which it owns.
UW=$W/user
mkdir -p "$UW/run"
install -m 0755 "$POCKET" "$W/pocket"
# podman gets the loopback registry's own references, never docker.io
# names, so no docker.io mirror drop-in on the host can redirect it.
cat >"$UW/registries.conf" <<CONF
unqualified-search-registries = []
[[registry]]
location = "$HOST"
insecure = true
CONF
mkdir -p "$UW/registries.conf.d"
cat >"$UW/containers.conf" <<CONF
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
chown -R "$UID_:$GID_" "$UW"; chmod 700 "$UW/run"

# as_user CMD...: CMD as the user, with a clean environment.
as_user() {
	setpriv --reuid="$UID_" --regid="$GID_" --init-groups -- env -i \
		HOME="$HOME_" USER="$U" LOGNAME="$U" PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin \
		XDG_DATA_HOME="$UW/data" XDG_RUNTIME_DIR="$UW/run" \
		CONTAINERS_REGISTRIES_CONF="$UW/registries.conf" CONTAINERS_REGISTRIES_CONF_DIR="$UW/registries.conf.d" CONTAINERS_CONF="$UW/containers.conf" "$@"
}
PODMAN="podman --root $UW/podman --runroot $UW/run/podman"
as_user "$W/pocket" --registry-mirror "http://$HOST" pull -q busybox >/dev/null
"$W/pocket" --root "$W/rootful" --registry-mirror "http://$HOST" pull -q busybox >/dev/null
as_user $PODMAN pull -q --tls-verify=false "$HOST/library/busybox:latest" >/dev/null 2>"$W/podman-pull.log"

# hyperfine runs each command through `env` so the user-side ones can be
# quoted as one string; medians come from its JSON export.
USERCMD="setpriv --reuid=$UID_ --regid=$GID_ --init-groups -- env -i HOME=$HOME_ USER=$U PATH=/usr/bin:/bin:/usr/sbin:/sbin XDG_DATA_HOME=$UW/data XDG_RUNTIME_DIR=$UW/run CONTAINERS_REGISTRIES_CONF=$UW/registries.conf CONTAINERS_REGISTRIES_CONF_DIR=$UW/registries.conf.d CONTAINERS_CONF=$UW/containers.conf"
hyperfine -N --runs "$RUNS" --warmup 2 --export-json "$W/start.json" \
	-n pocket-rootless "$USERCMD $W/pocket run --rm --network none busybox true" \
	-n pocket-rootful "$W/pocket --root $W/rootful run --rm --network none busybox true" \
	-n podman-rootless "$USERCMD $PODMAN run --rm --network none $HOST/library/busybox:latest true" >"$W/hyperfine.log" 2>&1 ||
	{ cat "$W/hyperfine.log" >&2; exit 1; }

python3 - "$W/start.json" <<'PY' | tee -a "${BENCH_OUT:-/dev/null}"
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
for name, label in [("pocket-rootless", "pocket run --rm --network none (rootless)"),
                    ("pocket-rootful", "pocket run --rm --network none (root)    "),
                    ("podman-rootless", "podman run --rm --network none (rootless)")]:
    print(f"warm-start {label} median {r[name]:.3f}s")
print(f"warm-start ratio pocket rootless/root {r['pocket-rootless']/r['pocket-rootful']:.2f}")
print(f"warm-start ratio pocket/podman rootless {r['pocket-rootless']/r['podman-rootless']:.2f}")
PY
