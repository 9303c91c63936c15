#!/usr/bin/env bash
# A real RTSP server on loopback for tests and demos (publish with RECORD, read over TCP or UDP):
# lalserver from github.com/q191201771/lal (MIT), built from the Go module proxy into infra/rtsp/cache/.
# Why not mediamtx: the module proxy answers 403 for github.com/bluenviron/mediamtx; go2rtc builds but its
# RTSP server refuses UDP transport (461). lal's go.mod has no replace directives and one dependency.
#
#   server.sh install   build the binary if it is not cached; prints its path
#   server.sh start     install, then run it in the background on 127.0.0.1:$RTSP_PORT (default 28554)
#   server.sh stop      stop the server started by `start`
#   server.sh status    exit 0 if it runs
#   server.sh config    print the config for $RTSP_PORT (test/helpers/rtsp.ts runs its own instance with it)
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CACHE="$HERE/cache"
LAL_MODULE=github.com/q191201771/lal
LAL_VERSION=v0.37.4
BIN="$CACHE/lalserver-$LAL_VERSION"
PORT="${RTSP_PORT:-28554}"
PIDFILE="$CACHE/lalserver.pid"

die() { echo "rtsp server: $*" >&2; exit 1; }

install() {
  if [[ -x "$BIN" ]]; then echo "$BIN"; return; fi
  command -v go >/dev/null || die "Go is needed to build the RTSP server (apt-get install golang-go, or Go 1.18+ on PATH)"
  mkdir -p "$CACHE"
  # Concurrent test runs must not build twice into the same file.
  exec 9>"$CACHE/.install.lock"
  flock 9
  if [[ ! -x "$BIN" ]]; then
    echo "rtsp server: building lalserver $LAL_VERSION from the Go module proxy" >&2
    local dir
    dir=$(GOFLAGS=-mod=mod go mod download -json "$LAL_MODULE@$LAL_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
    [[ -n "$dir" && -d "$dir" ]] || die "could not download $LAL_MODULE@$LAL_VERSION"
    # Built inside the downloaded module so its own go.sum pins every dependency.
    (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$BIN.tmp" ./app/lalserver) || die "go build failed"
    mv "$BIN.tmp" "$BIN"
  fi
  exec 9>&-
  echo "$BIN"
}

config() {
  sed "s/\"addr\": \"127.0.0.1:28554\"/\"addr\": \"127.0.0.1:$PORT\"/" "$HERE/lalserver.json"
}

running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

listening() {
  (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null
}

start() {
  install >/dev/null
  if running; then echo "rtsp server: already running (pid $(cat "$PIDFILE"))"; return; fi
  listening && die "port $PORT is taken by another program (set RTSP_PORT)"
  config >"$CACHE/lalserver.run.json"
  nohup "$BIN" -c "$CACHE/lalserver.run.json" -p "$CACHE" >"$CACHE/lalserver.out" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if listening; then echo "rtsp server: rtsp://127.0.0.1:$PORT/<path> (pid $(cat "$PIDFILE"))"; return; fi
    running || die "lalserver exited: $(tail -n 3 "$CACHE/lalserver.out" "$CACHE/lalserver.log" 2>/dev/null)"
    sleep 0.1
  done
  die "lalserver did not listen on 127.0.0.1:$PORT within 10 s"
}

stop() {
  if running; then
    local pid
    pid=$(cat "$PIDFILE")
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    echo "rtsp server: stopped"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  stop) stop ;;
  status) running ;;
  config) config ;;
  *) echo "usage: $0 install|start|stop|status|config" >&2; exit 2 ;;
esac
