#!/usr/bin/env bash
# Builds the worker image from the repository's Dockerfile with podman, on the registry-free Debian base
# (base.sh), and prints its size. CI runs this before the tests that deploy containers.
# Usage: infra/containers/build.sh [image]   (default localhost/tierflow:latest; FORCE=1 rebuilds the base too)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
image="${1:-localhost/tierflow:latest}"
base="${TIERFLOW_BASE_IMAGE:-localhost/tierflow-base:bookworm-node20}"
export TIERFLOW_BASE_IMAGE="$base"

t0=$(date +%s)
bash "$here/base.sh"
t1=$(date +%s)
echo "build: $image from $repo/Dockerfile on $base"
# --network host: this machine has no CNI network, and the build stage reaches apt and npm through the host's.
# The host's CA bundle is mounted for npm, whose registry traffic may pass a TLS proxy only the host trusts.
ca=()
host_ca="${TIERFLOW_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}"
if [[ -f "$host_ca" ]]; then
  ca=(--volume "$host_ca:/run/tierflow-host-ca.crt:ro" --build-arg npm_config_cafile=/run/tierflow-host-ca.crt)
fi
"$here/podman.sh" build --network host "${ca[@]}" --build-arg "NODE_IMAGE=$base" --tag "$image" --file "$repo/Dockerfile" "$repo"
t2=$(date +%s)
bytes="$("$here/podman.sh" image inspect --format '{{.Size}}' "$image")"
echo "build: $image is $((bytes / 1000000)) MB; base $((t1 - t0)) s, image $((t2 - t1)) s"
# Intermediate build-stage images are not needed once the image exists (the build stage alone is ~3 GB).
"$here/podman.sh" image prune --force >/dev/null
