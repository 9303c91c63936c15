#!/usr/bin/env bash
# A base image for the Dockerfile without a registry: Debian bookworm from the machine's apt mirror (debootstrap
# minbase), with Node 20 laid out as the official node image does (/usr/local, user `node` uid 1000), imported
# into podman as $TIERFLOW_BASE_IMAGE. Debian bookworm packages only Node 18; the Node in the image is this
# machine's own (the one CI builds and tests with: NodeSource's nodejs 20 here), its binary, headers and npm
# copied from its install prefix. The binary needs only libc, libstdc++ and libgcc from Debian.
# Usage: infra/containers/base.sh   (skips when the image exists; FORCE=1 rebuilds)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
podman=("$here/podman.sh")
image="${TIERFLOW_BASE_IMAGE:-localhost/tierflow-base:bookworm-node20}"
mirror="${DEBIAN_MIRROR:-http://deb.debian.org/debian}"
cache="$here/cache"

if [[ -z "${FORCE:-}" ]] && "${podman[@]}" image exists "$image"; then
  echo "base: $image exists"; exit 0
fi
for tool in debootstrap node; do
  command -v "$tool" >/dev/null || { echo "base: $tool is missing (apt-get install debootstrap)" >&2; exit 1; }
done

mkdir -p "$cache"
rootfs="$cache/rootfs"
if [[ ! -e "$rootfs/.tierflow-debootstrap-done" ]]; then
  rm -rf "$rootfs"
  echo "base: debootstrap bookworm from $mirror"
  debootstrap --variant=minbase --include=ca-certificates,libstdc++6 bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
    || { tail -20 "$cache/debootstrap.log" >&2; exit 1; }
  touch "$rootfs/.tierflow-debootstrap-done"
fi

# Node >= 20: the host's, from its install prefix (/usr for Debian-style packages, /usr/local for tarballs).
node_bin="$(readlink -f "$(command -v node)")"
prefix="$(dirname "$(dirname "$node_bin")")"
version="$("$node_bin" --version)"
[[ "${version#v}" =~ ^(2[0-9]|[3-9][0-9])\. ]] || { echo "base: host node is $version; Node >= 20 is needed" >&2; exit 1; }
for part in include/node lib/node_modules/npm; do
  [[ -e "$prefix/$part" ]] || { echo "base: $prefix/$part is missing (the Node install lacks headers or npm)" >&2; exit 1; }
done
mkdir -p "$rootfs/usr/local/bin" "$rootfs/usr/local/include" "$rootfs/usr/local/lib/node_modules"
cp "$node_bin" "$rootfs/usr/local/bin/node"
rm -rf "$rootfs/usr/local/include/node" "$rootfs/usr/local/lib/node_modules/npm"
cp -a "$prefix/include/node" "$rootfs/usr/local/include/"
cp -a "$prefix/lib/node_modules/npm" "$rootfs/usr/local/lib/node_modules/"
ln -sf ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -sf ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"

# The official image's user and the Debian sources a build stage installs from (updates and security too).
if ! chroot "$rootfs" /usr/bin/id -u node >/dev/null 2>&1; then
  chroot "$rootfs" /usr/sbin/groupadd --gid 1000 node
  chroot "$rootfs" /usr/sbin/useradd --uid 1000 --gid node --shell /bin/bash --create-home node
fi
security="${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}"
cat >"$rootfs/etc/apt/sources.list" <<SOURCES
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb $security bookworm-security main
SOURCES
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*

echo "base: importing as $image (node $version)"
tar -C "$rootfs" --exclude ./.tierflow-debootstrap-done -c . | "${podman[@]}" import --change 'CMD ["node"]' --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' - "$image" >/dev/null
"${podman[@]}" run --rm "$image" node -e 'console.log("base: node " + process.version + " runs in " + require("os").release())'
