#!/usr/bin/env bash
# Sets up what `npm run bench -- arm64` runs on: qemu-user (Debian), an arm64 Node 20 with its libraries unpacked from
# Debian's arm64 packages into ROOT (debootstrap's first stage downloads them; nothing arm64 is executed to install),
# and sharp's arm64 build next to its x64 build in node_modules (onnxruntime-node ships its arm64 build already).
# Run as root from the repository: bash infra/arm64/setup.sh [ROOT] (default /var/tmp/arm64root).
set -euo pipefail
ROOT=${1:-/var/tmp/arm64root}
cd "$(dirname "$0")/../.."
command -v qemu-aarch64 > /dev/null || apt-get install -y -qq qemu-user debootstrap
if [ ! -x "$ROOT/usr/bin/node" ]; then
  # Debian 13's nodejs is Node 20, as here.
  debootstrap --arch=arm64 --foreign --variant=minbase --include=nodejs trixie "$ROOT" http://deb.debian.org/debian
  for deb in "$ROOT"/var/cache/apt/archives/*.deb; do dpkg-deb -x "$deb" "$ROOT"; done
fi
qemu-aarch64 -L "$ROOT" "$ROOT/usr/bin/node" -e 'if (process.arch !== "arm64") process.exit(1)'
# qemu-user (7.2) shows the emulated process this machine's own /proc/cpuinfo and /sys CPU tree, which describe x86
# cores; onnxruntime's cpuinfo library then dereferences a null pointer when it loads (SIGSEGV). qemu-user looks up
# every path under ROOT first, so an ARM description there (two Cortex-A72 cores) is what it reads instead.
mkdir -p "$ROOT/proc" "$ROOT/sys/devices/system/cpu/cpu0/cache" "$ROOT/sys/devices/system/cpu/cpu1/cache"
for i in 0 1; do
  printf 'processor\t: %d\nBogoMIPS\t: 50.00\nFeatures\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 cpuid\nCPU implementer\t: 0x41\nCPU architecture: 8\nCPU variant\t: 0x0\nCPU part\t: 0xd08\nCPU revision\t: 3\n\n' "$i"
done > "$ROOT/proc/cpuinfo"
for f in possible present online; do echo 0-1 > "$ROOT/sys/devices/system/cpu/$f"; done
SHARP=$(node -p "require('./node_modules/sharp/package.json').version")
VIPS=$(node -p "require('./node_modules/sharp/package.json').optionalDependencies['@img/sharp-libvips-linux-arm64']")
TMP=$(mktemp -d)
(cd "$TMP" && npm pack --silent "@img/sharp-linux-arm64@$SHARP" "@img/sharp-libvips-linux-arm64@$VIPS" > /dev/null)
for pkg in sharp-linux-arm64 sharp-libvips-linux-arm64; do
  mkdir -p "node_modules/@img/$pkg"
  tar -xzf "$TMP"/img-$pkg-*.tgz -C "node_modules/@img/$pkg" --strip-components=1
done
rm -rf "$TMP"
ls node_modules/onnxruntime-node/bin/napi-v*/linux/arm64/onnxruntime_binding.node > /dev/null
echo "arm64 ready: Node $(qemu-aarch64 -L "$ROOT" "$ROOT/usr/bin/node" --version) in $ROOT"
