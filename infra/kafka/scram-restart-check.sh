#!/usr/bin/env bash
# Reproduces why tierflow revokes SCRAM credentials instead of deleting them: on Kafka 3.9.1 (KRaft), a broker
# restarted after any SCRAM deletion loads no SCRAM credential at all. Runs its own broker (ports 39092-39096, its
# own copy of broker.sh in a temp folder, the jars from cache/lib), creates users a and b, deletes a, restarts, and
# lists the users before and after. Prints "lost" and exits 1 when the bug shows, "kept" and exit 0 when not.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
WORK="$(mktemp -d)"
trap 'bash "$WORK/broker.sh" stop >/dev/null 2>&1 || true; rm -rf "$WORK"' EXIT
mkdir -p "$WORK/cache" && cp "$HERE/broker.sh" "$WORK/" && ln -s "$HERE/cache/lib" "$WORK/cache/lib"
export TIERFLOW_KAFKA_PLAIN_PORT=39092 TIERFLOW_KAFKA_SASL_PORT=39093 TIERFLOW_KAFKA_CONTROLLER_PORT=39094 \
  TIERFLOW_KAFKA_LINK_PORT=39095 TIERFLOW_KAFKA_LINK_ADVERTISED_PORT=39096
users() { java -cp "$HERE/cache/lib/*" kafka.admin.ConfigCommand --bootstrap-server 127.0.0.1:39092 "$@" 2>/dev/null; }
list() { users --describe --entity-type users | sed -n "s/.*user-principal '\([^']*\)'.*/\1/p" | sort | tr '\n' ' '; }
bash "$WORK/broker.sh" start >/dev/null 2>&1
users --alter --entity-type users --entity-name a --add-config 'SCRAM-SHA-512=[password=a-secret]' >/dev/null
users --alter --entity-type users --entity-name b --add-config 'SCRAM-SHA-512=[password=b-secret]' >/dev/null
users --alter --entity-type users --entity-name a --delete-config SCRAM-SHA-512 >/dev/null
before="$(list)"
bash "$WORK/broker.sh" restart >/dev/null 2>&1
after="$(list)"
echo "users before restart: ${before:-none}; after: ${after:-none}"
if [[ "$before" == "$after" ]]; then echo kept; else echo lost; exit 1; fi
