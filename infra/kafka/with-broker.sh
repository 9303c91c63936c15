#!/usr/bin/env bash
# Runs CMD with a Kafka broker available and KAFKA_BROKERS (and the SASL_SSL variables) exported.
#   with-broker.sh CMD [ARGS...]
# KAFKA_BROKERS already set: the caller's cluster is used as is. Otherwise the local test broker is started and
# stopped afterwards (also when CMD fails or is interrupted); a broker that was already running is left running.
set -uo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [[ $# -eq 0 ]]; then echo "usage: $0 CMD [ARGS...]" >&2; exit 2; fi
if [[ -n "${KAFKA_BROKERS:-}" ]]; then exec "$@"; fi

started=0
if ! "$HERE/broker.sh" status >/dev/null 2>&1; then
  "$HERE/broker.sh" start || exit 1
  started=1
else
  "$HERE/broker.sh" start || exit 1 # refreshes the env file
fi
if [[ $started -eq 1 ]]; then trap '"$HERE/broker.sh" stop' EXIT; trap 'exit 130' INT TERM; fi

set -a
# shellcheck disable=SC1091
source "$HERE/cache/env"
set +a
"$@"
exit $?
