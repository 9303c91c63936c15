#!/usr/bin/env bash
# podman with the settings this machine needs (README.md here): runc, overlay storage, cgroupfs, host network,
# and containers.conf without podman's default ulimits. Usage: infra/containers/podman.sh <podman args…>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$here/containers.conf}"
exec podman --runtime runc --storage-driver "${TIERFLOW_PODMAN_STORAGE:-overlay}" --cgroup-manager cgroupfs "$@"
