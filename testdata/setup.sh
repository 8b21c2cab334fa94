#!/bin/bash
# Install what pocket's tests need on a Debian 12 machine, when missing.
# Idempotent and quiet; run as root (make test calls it).
set -euo pipefail

# docker.io: TestOCIRuntimeDocker starts a private dockerd of its own (the
# package's service is never used) with pocket-runc as a runtime.
pkgs=(docker-registry busybox-static uidmap passt slirp4netns fuse-overlayfs iptables containerd podman docker.io)
[[ "${1:-}" == bench ]] && pkgs+=(skopeo runc hyperfine debootstrap)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -ne 0 ]]; then
	echo "setup: missing packages: ${missing[*]} (hint: run as root, or apt-get install them)" >&2
	exit 1
fi
echo "setup: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# The packages' own services (a registry on :5000, containerd, dockerd) are
# never used: the tests start private ones. Debian's policy-rc.d convention
# keeps apt from starting them (exit 101: action forbidden).
policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
	printf '#!/bin/sh\nexit 101\n' >"$policy"
	chmod 755 "$policy"
	trap 'rm -f "$policy"' EXIT
fi
# Update the package lists only when installing fails on stale ones.
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
	apt-get update -qq >/dev/null
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
