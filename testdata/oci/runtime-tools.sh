#!/bin/bash
# Runs the OCI runtime-tools validation suite against pocket-runc and prints
# which of its test programs pass (`make oci-validate`).
#
# The suite is github.com/opencontainers/runtime-tools v0.9.0, the one
# version the Go module proxy serves: validation/* are small programs that
# each write a bundle (rootfs-$GOARCH.tar.gz plus the runtimetest binary,
# which checks the config from inside the container), drive the runtime
# named by $RUNTIME through create/start/state/kill/delete and print TAP.
# The module predates go.mod (it vendored with Godeps), so it is built in a
# scratch module with its dependencies pinned near the Godeps revisions.
#
# Usage: testdata/oci/runtime-tools.sh [TEST...]   (default: every test)
# Env:   POCKET   pocket binary (default ./pocket, built when missing)
#        RUNTIME  runtime to test instead (e.g. /usr/sbin/runc, to compare)
#        WORK     scratch directory (default: a temporary one, removed)
#        KEEP=1   keep WORK and each test's TAP in WORK/out
#
# A test passes when it exits 0, prints its TAP plan, has no "not ok" line,
# and, for the hook tests that print no "ok" at all, no error diagnostic;
# process_*_fail print no TAP and pass by exiting 0.
# Needs root, tar and Go; cgroup tests need the controllers they set.
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
version=v0.9.0
work=${WORK:-$(mktemp -d)}
if [ -z "${WORK:-}" ] && [ -z "${KEEP:-}" ]; then
	trap 'rm -rf "$work"' EXIT
fi
mkdir -p "$work"
export GOFLAGS=-mod=mod CGO_ENABLED=0

runtime=${RUNTIME:-}
if [ -z "$runtime" ]; then
	pocket=${POCKET:-$repo/pocket}
	if [ ! -x "$pocket" ]; then
		(cd "$repo" && go build -o "$work/pocket" .)
		pocket=$work/pocket
	fi
	# pocket speaks runc's command line when it is called pocket-runc.
	ln -sf "$(readlink -f "$pocket")" "$work/pocket-runc"
	runtime=$work/pocket-runc
fi

# The module's source, made writable and given a go.mod.
if [ ! -d "$work/src" ]; then
	mkdir -p "$work/dl"
	(cd "$work/dl" && { [ -f go.mod ] || go mod init dl >/dev/null 2>&1; } &&
		go mod download -json "github.com/opencontainers/runtime-tools@$version" >dl.json)
	dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p' "$work/dl/dl.json")
	cp -r "$dir" "$work/src"
	chmod -R u+w "$work/src"
	rm -rf "$work/src/Godeps"
	cat >"$work/src/go.mod" <<'MOD'
module github.com/opencontainers/runtime-tools

go 1.16

require (
	github.com/blang/semver v3.5.1+incompatible
	github.com/hashicorp/go-multierror v1.0.0
	github.com/mrunalp/fileutils v0.5.0
	github.com/opencontainers/runtime-spec v1.0.2
	github.com/opencontainers/selinux v1.6.0
	github.com/satori/go.uuid v1.2.0
	github.com/sirupsen/logrus v1.0.6
	github.com/urfave/cli v1.19.1
	github.com/xeipuuv/gojsonschema v1.2.0
)
MOD
	(cd "$work/src" && go mod tidy >/dev/null 2>&1)
fi

cd "$work"
if [ $# -gt 0 ]; then
	tests=("$@")
else
	tests=()
	for d in src/validation/*/; do
		n=$(basename "$d")
		[ "$n" = util ] || tests+=("$n")
	done
fi
mkdir -p bin out
[ -x runtimetest ] || (cd src && go build -o ../runtimetest ./cmd/runtimetest)
for n in "${tests[@]}"; do
	[ -x "bin/$n" ] || (cd src && go build -o "../bin/$n" "./validation/$n")
done

arch=$(go env GOARCH)
if [ -f "src/rootfs-$arch.tar.gz" ]; then
	cp "src/rootfs-$arch.tar.gz" .
elif [ ! -f "rootfs-$arch.tar.gz" ]; then
	# Only 386 and amd64 rootfs ship with the suite: elsewhere, the
	# host's busybox-static and its applets.
	rm -rf rootfs && mkdir -p rootfs/bin rootfs/proc rootfs/sys rootfs/dev rootfs/tmp rootfs/etc
	cp /bin/busybox rootfs/bin/busybox
	for a in $(rootfs/bin/busybox --list); do ln -sf busybox "rootfs/bin/$a"; done
	tar -czf "rootfs-$arch.tar.gz" -C rootfs .
fi

pass=0
failed=()
for n in "${tests[@]}"; do
	rc=0
	RUNTIME=$runtime timeout 300 "bin/$n" >"out/$n.tap" 2>&1 || rc=$?
	tap=out/$n.tap
	# process_*_fail print no TAP: they exit 1 when create was not refused.
	if [[ $n == process_*_fail ]]; then
		ok=$([ $rc -eq 0 ] && echo y || true)
	else
		ok=$([ $rc -eq 0 ] && grep -q '^1\.\.' "$tap" && ! grep -q '^not ok' "$tap" &&
			{ grep -q '^ok' "$tap" || ! grep -q '"error"' "$tap"; } && echo y || true)
	fi
	if [ -n "$ok" ]; then
		echo "PASS $n"
		pass=$((pass + 1))
	else
		echo "FAIL $n"
		failed+=("$n")
	fi
done
echo "$pass of ${#tests[@]} pass against $runtime"
[ -n "${KEEP:-}" ] && echo "TAP of each test: $work/out"
[ ${#failed[@]} -eq 0 ]
