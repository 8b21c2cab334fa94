#!/bin/bash
# A stand-in for Docker Hub's python:3-bookworm, built from Debian's
# archive (Docker Hub is not reachable where the benchmarks run), written
# as a `docker save` archive tagged python:3-bookworm. Its layers follow
# the official image's Dockerfiles, one layer per step, with the same
# package lists:
#   1. debian:bookworm       debootstrap --variant=minbase
#   2. buildpack-deps:bookworm-curl   ca-certificates curl gnupg netbase sq wget
#   3. buildpack-deps:bookworm-scm    git mercurial openssh-client subversion procps
#   4. buildpack-deps:bookworm        compilers and -dev libraries
#   5. python:3-bookworm     Debian's python3 (3.11) with pip, venv and
#                            headers, where the official image builds the
#                            newest Python into /usr/local
# Each step's layer holds what the step created or changed (found by
# change time) and a whiteout for what it removed, as a layer built by a
# Dockerfile does. The official image is about 1 GB uncompressed; this
# one's size is printed (and kept in DIR/python.about).
#
# Usage (as root): pyimage.sh DIR. The archive is DIR/python.tar; it is
# kept and reused while the package lists below are unchanged (delete DIR
# to rebuild). Env: BENCH_DEBIAN_MIRROR (default: the host's apt source
# for bookworm, else http://deb.debian.org/debian). Needs debootstrap
# (testdata/setup.sh bench installs it) and the mirror reachable.
set -euo pipefail
export LC_ALL=C

D=${1:?usage: pyimage.sh DIR}
mkdir -p "$D"
D=$(cd "$D" && pwd)

STEPS=(
	"curl|ca-certificates curl gnupg netbase sq wget"
	"scm|git mercurial openssh-client subversion procps"
	"buildpack-deps|autoconf automake bzip2 default-libmysqlclient-dev dpkg-dev file g++ gcc imagemagick libbz2-dev libc6-dev libcurl4-openssl-dev libdb-dev libevent-dev libffi-dev libgdbm-dev libglib2.0-dev libgmp-dev libjpeg-dev libkrb5-dev liblzma-dev libmagickcore-dev libmagickwand-dev libmaxminddb-dev libncurses5-dev libncursesw5-dev libpng-dev libpq-dev libreadline-dev libsqlite3-dev libssl-dev libtool libwebp-dev libxml2-dev libxslt-dev libyaml-dev make patch unzip xz-utils zlib1g-dev"
	"python|libbluetooth-dev tk-dev uuid-dev python3 python3-pip python3-venv python3-dev"
)
KEY=$(printf '%s\n' v1 "${STEPS[@]}" | sha256sum | cut -c1-16)
if [[ -s $D/python.tar && $(cat "$D/python.key" 2>/dev/null) == "$KEY" ]]; then
	cat "$D/python.about"
	exit 0
fi

[[ $(id -u) -eq 0 ]] || { echo "pyimage: run as root" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "pyimage: debootstrap missing (hint: testdata/setup.sh bench)" >&2; exit 1; }
MIRROR=${BENCH_DEBIAN_MIRROR:-}
if [[ -z $MIRROR ]]; then
	MIRROR=$( { grep -hs '^URIs:' /etc/apt/sources.list.d/*.sources | awk '{print $2}'
		grep -hs '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list | awk '{print $2}'; } |
		grep -m1 -E '/debian/?$' || true)
	MIRROR=${MIRROR:-http://deb.debian.org/debian}
fi
ARCH=$(dpkg --print-architecture)

R=$D/rootfs L=$D/layers
rm -rf "$R" "$L" "$D/python.tar" "$D/archive"
mkdir -p "$L"
echo "pyimage: debootstrap --variant=minbase bookworm from $MIRROR" >&2
debootstrap --variant=minbase bookworm "$R" "$MIRROR" >"$D/debootstrap.log" 2>&1 ||
	{ tail -5 "$D/debootstrap.log" >&2; exit 1; }
# As debian:bookworm ships: no package lists, no apt caches, an empty /dev.
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/apt/archives/*.deb "${R:?}"/dev/*
printf 'deb %s bookworm main\ndeb %s bookworm-updates main\n' "$MIRROR" "$MIRROR" >"$R/etc/apt/sources.list"
# Layer 1 is the whole tree; its list of paths is what the next step's
# removals are found against.
(cd "$R" && find . -mindepth 1 | sort >"$L/1.paths")
tar -C "$R" --numeric-owner -cf "$L/1.tar" .

# step N NAME PACKAGES: apt-get install in the tree (in a mount namespace
# of its own: /proc and /dev for the maintainer scripts), then layer N.tar
# of what changed and whiteouts for what went.
step() {
	local n=$1 name=$2 pkgs=$3 wh=$D/wh
	echo "pyimage: layer $n ($name)" >&2
	touch "$D/mark"
	sleep 1.1
	cp /etc/resolv.conf "$R/etc/resolv.conf"
	# shellcheck disable=SC2016 # expanded by the inner shell
	unshare -m sh -ec 'mount -t proc proc "$1/proc"; mount --rbind /dev "$1/dev"
		shift; chroot "$@"' sh "$R" "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive \
		sh -ec "apt-get update -qq; apt-get install -y -qq --no-install-recommends $pkgs; apt-get clean; rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin" \
		>"$D/step-$n.log" 2>&1 || { tail -5 "$D/step-$n.log" >&2; return 1; }
	: >"$R/etc/resolv.conf"
	(cd "$R" && find . -mindepth 1 | sort >"$L/$n.paths")
	(cd "$R" && find . -mindepth 1 -cnewer "$D/mark" ! -path './dev/*' ! -path './proc/*' | sort >"$L/$n.changed")
	tar -C "$R" --numeric-owner --no-recursion -cf "$L/$n.tar" -T "$L/$n.changed"
	# Whiteouts: the topmost of each removed path.
	rm -rf "$wh"; mkdir -p "$wh"
	comm -23 "$L/$((n - 1)).paths" "$L/$n.paths" | awk '{for (a = $0; sub(/\/[^\/]*$/, "", a);) if (a in gone) next; gone[$0]; print}' >"$L/$n.removed"
	if [[ -s $L/$n.removed ]]; then
		while read -r p; do
			mkdir -p "$wh/$(dirname "$p")"
			: >"$wh/$(dirname "$p")/.wh.$(basename "$p")"
		done <"$L/$n.removed"
		(cd "$wh" && find . -type f -name '.wh.*') | tar -C "$wh" --numeric-owner --no-recursion -rf "$L/$n.tar" -T -
	fi
	rm -rf "$wh"
}
n=1
for s in "${STEPS[@]}"; do
	n=$((n + 1))
	step "$n" "${s%%|*}" "${s#*|}"
done

# The `docker save` archive: manifest.json, the config and each layer
# under its diffID.
A=$D/archive
mkdir -p "$A"
diffids=() layers=() hist=()
for i in $(seq "$n"); do
	h=$(sha256sum "$L/$i.tar" | cut -d' ' -f1)
	mkdir -p "$A/$h"
	mv "$L/$i.tar" "$A/$h/layer.tar"
	diffids+=("\"sha256:$h\"") layers+=("\"$h/layer.tar\"")
done
for s in "debian:bookworm (debootstrap --variant=minbase)" "${STEPS[@]}"; do
	hist+=("{\"created\":\"2025-05-20T00:00:00Z\",\"created_by\":\"${s/|/: apt-get install }\"}")
done
join() { local IFS=,; echo "$*"; }
cat >"$A/config.json" <<JSON
{"architecture":"$ARCH","os":"linux","created":"2025-05-20T00:00:00Z","config":{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","LANG=C.UTF-8"],"Cmd":["python3"]},"rootfs":{"type":"layers","diff_ids":[$(join "${diffids[@]}")]},"history":[$(join "${hist[@]}")]}
JSON
c=$(sha256sum "$A/config.json" | cut -d' ' -f1)
mv "$A/config.json" "$A/$c.json"
echo "[{\"Config\":\"$c.json\",\"RepoTags\":[\"python:3-bookworm\"],\"Layers\":[$(join "${layers[@]}")]}]" >"$A/manifest.json"
tar -C "$A" -cf "$D/python.tar" .
py=$(chroot "$R" python3 --version 2>&1)
echo "python:3-bookworm stand-in: Debian bookworm ($ARCH) + buildpack-deps' packages + $py (pip, venv, headers); $n layers, $(du -sm --apparent-size "$R" | cut -f1) MB unpacked, $(($(stat -c %s "$D/python.tar") / 1048576)) MB archive" >"$D/python.about"
rm -rf "$A" "$R" "$L" "$D/mark"
echo "$KEY" >"$D/python.key"
cat "$D/python.about"
