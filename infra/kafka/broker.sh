#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) on loopback for tests and benchmarks.
#   broker.sh start|stop|status|resume|restart|cluster-id|install   (install: the jars only, e.g. for MirrorMaker 2)
# Listeners: PLAINTEXT 127.0.0.1:29092, SASL_SSL (SCRAM-SHA-512 over TLS, CA made at start) 127.0.0.1:29093, LINK
# 127.0.0.1:29095 (advertised as 29096, where a link proxy may listen),
# controller 127.0.0.1:29094. The install (jars from Maven Central via pom.xml) is cached in cache/lib; storage,
# certificates and the SCRAM user are made anew at every start so each run begins from an empty cluster.
# resume starts the stopped broker on its existing storage (topics, offsets, certificates kept), and restart is
# stop then resume: what the fault suite's broker outage needs, since a fresh start would lose every record.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE="$HERE/cache"
LIB="$CACHE/lib"
# TIERFLOW_KAFKA_INSTANCE=NAME runs a second, independent broker (a site's own cluster) beside the default one: its
# own storage, pid, log and env file, on the ports the TIERFLOW_KAFKA_*_PORT variables give it.
INSTANCE="${TIERFLOW_KAFKA_INSTANCE:-}"
SUFFIX="${INSTANCE:+-$INSTANCE}"
RUN="$CACHE/run$SUFFIX"
PIDFILE="$CACHE/broker$SUFFIX.pid"
LOG="$CACHE/broker$SUFFIX.log"
ENVFILE="$CACHE/env$SUFFIX"

PLAIN_PORT="${TIERFLOW_KAFKA_PLAIN_PORT:-29092}"
SASL_PORT="${TIERFLOW_KAFKA_SASL_PORT:-29093}"
CONTROLLER_PORT="${TIERFLOW_KAFKA_CONTROLLER_PORT:-29094}"
# A third plaintext listener that advertises a port nobody listens on but a link proxy: clients bootstrapped through
# the proxy stay behind it, which is how the fault suite puts a slow, lossy WAN between tiers.
LINK_PORT="${TIERFLOW_KAFKA_LINK_PORT:-29095}"
LINK_ADVERTISED_PORT="${TIERFLOW_KAFKA_LINK_ADVERTISED_PORT:-29096}"
SASL_USER="tierflow"
SASL_PASSWORD="tierflow-test-secret"
START_TIMEOUT_S="${TIERFLOW_KAFKA_START_TIMEOUT:-90}"

log() { echo "broker.sh: $*" >&2; }

is_running() {
  [[ -f "$PIDFILE" ]] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

install_jars() {
  if compgen -G "$LIB/kafka_2.13-*.jar" >/dev/null && compgen -G "$LIB/connect-mirror-[0-9]*.jar" >/dev/null; then return 0; fi
  log "installing Kafka jars from Maven Central into $LIB"
  mkdir -p "$LIB"
  mvn -q -f "$HERE/pom.xml" dependency:copy-dependencies -DoutputDirectory="$LIB" -DincludeScope=runtime
}

make_certs() {
  local d="$RUN/tls"
  mkdir -p "$d"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=tierflow-test-ca" \
    -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=localhost" -keyout "$d/broker.key" -out "$d/broker.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >"$d/ext.cnf"
  openssl x509 -req -in "$d/broker.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -days 2 \
    -extfile "$d/ext.cnf" -out "$d/broker.pem" 2>/dev/null
  openssl pkcs12 -export -in "$d/broker.pem" -inkey "$d/broker.key" -certfile "$d/ca.pem" \
    -name broker -passout pass:tierflow-keystore -out "$d/broker.p12"
}

write_config() {
  cat >"$RUN/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$CONTROLLER_PORT
controller.listener.names=CONTROLLER
listeners=PLAINTEXT://127.0.0.1:$PLAIN_PORT,SASL_SSL://127.0.0.1:$SASL_PORT,LINK://127.0.0.1:$LINK_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PLAIN_PORT,SASL_SSL://127.0.0.1:$SASL_PORT,LINK://127.0.0.1:$LINK_ADVERTISED_PORT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,LINK:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
sasl.enabled.mechanisms=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
ssl.keystore.type=PKCS12
ssl.keystore.location=$RUN/tls/broker.p12
ssl.keystore.password=tierflow-keystore
ssl.key.password=tierflow-keystore
log.dirs=$RUN/data
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
group.min.session.timeout.ms=1000
# Frames and 1 MB+ test records: allow up to 16 MB per record batch.
message.max.bytes=16777216
replica.fetch.max.bytes=16777216
socket.request.max.bytes=104857600
# Least privilege (#21): KRaft's authorizer; with no ACL on a resource only super users may use it. ANONYMOUS is
# every PLAINTEXT client (the PLAINTEXT, LINK and CONTROLLER listeners, inter-broker too): super, so tests there run
# unchanged. On SASL_SSL only the provisioning user $SASL_USER is super; node principals get the plan's ACLs.
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:ANONYMOUS;User:$SASL_USER
allow.everyone.if.no.acl.found=false
PROPS
  cat >"$RUN/log4j2.properties" <<PROPS
rootLogger.level=INFO
rootLogger.appenderRef.out.ref=OUT
appender.out.type=Console
appender.out.name=OUT
appender.out.layout.type=PatternLayout
appender.out.layout.pattern=[%d] %p %m (%c)%n
logger.kafka.name=kafka
logger.kafka.level=WARN
logger.apache.name=org.apache.kafka
logger.apache.level=WARN
logger.server.name=kafka.server.KafkaRaftServer
logger.server.level=INFO
PROPS
}

java_opts() {
  JAVA_OPTS=(-Xmx512m -Xms128m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true
    -Dlog4j2.configurationFile="$RUN/log4j2.properties" -cp "$LIB/*")
}

# Readiness without kcat (README lists kcat for the backbone benchmark only): the broker logs "Kafka Server started"
# once every listener serves requests; both ports must also accept a connection.
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
server_started() { tail -c "+$((LOG_OFFSET + 1))" "$LOG" 2>/dev/null | grep -q 'Kafka Server started'; }

# A Kafka cluster id is 16 random bytes in base64url (22 characters). One that begins with '-' is read as an option
# by kafka-storage (about 1 start in 64), so such ids are drawn again; it is also passed as --cluster-id=ID.
new_cluster_id() {
  local id
  while :; do
    id="$(openssl rand 16 | base64 | tr '+/' '-_' | tr -d '=\n')"
    [[ "$id" != -* ]] && { echo "$id"; return 0; }
  done
}

write_env() {
  cat >"$ENVFILE" <<ENV
KAFKA_BROKERS=127.0.0.1:$PLAIN_PORT
KAFKA_SASL_BROKERS=127.0.0.1:$SASL_PORT
KAFKA_SASL_USER=$SASL_USER
KAFKA_SASL_PASSWORD=$SASL_PASSWORD
KAFKA_CA_FILE=$RUN/tls/ca.pem
KAFKA_LINK_LISTENER=127.0.0.1:$LINK_PORT
KAFKA_LINK_ADVERTISED=127.0.0.1:$LINK_ADVERTISED_PORT
ENV
}

start() {
  if is_running; then log "already running (pid $(cat "$PIDFILE"))"; write_env; return 0; fi
  command -v java >/dev/null || { log "java not found: install a JDK 17+ (apt-get install openjdk-17-jre-headless)"; exit 1; }
  install_jars
  rm -rf "$RUN"; mkdir -p "$RUN"
  make_certs
  write_config
  local cluster_id
  cluster_id="$(new_cluster_id)"
  java_opts
  java "${JAVA_OPTS[@]}" kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$RUN/server.properties" \
    --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=\"$SASL_PASSWORD\"]" >"$LOG" 2>&1 \
    || { log "storage format failed, see $LOG"; tail -20 "$LOG" >&2; exit 1; }
  launch
}

# Runs the broker on the storage and configuration in $RUN and waits until both listeners answer.
launch() {
  java_opts
  LOG_OFFSET="$(stat -c %s "$LOG" 2>/dev/null || echo 0)"
  # setsid: the broker gets its own session so the caller's job control and signals do not reach it.
  setsid java "${JAVA_OPTS[@]}" kafka.Kafka "$RUN/server.properties" >>"$LOG" 2>&1 </dev/null &
  echo $! >"$PIDFILE"
  local deadline=$((SECONDS + START_TIMEOUT_S))
  until server_started && port_open "$PLAIN_PORT" && port_open "$SASL_PORT"; do
    if ! is_running; then log "broker exited during start, see $LOG"; tail -20 "$LOG" >&2; exit 1; fi
    if ((SECONDS > deadline)); then log "broker did not answer within ${START_TIMEOUT_S}s, see $LOG"; stop; exit 1; fi
    sleep 0.5
  done
  write_env
  log "running (pid $(cat "$PIDFILE")): PLAINTEXT 127.0.0.1:$PLAIN_PORT, SASL_SSL 127.0.0.1:$SASL_PORT; env in $ENVFILE"
}

stop() {
  if ! is_running; then rm -f "$PIDFILE"; log "not running"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "broker did not stop in 30s, killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  rm -f "$PIDFILE" "$ENVFILE"
  log "stopped"
}

resume() {
  if is_running; then log "already running (pid $(cat "$PIDFILE"))"; write_env; return 0; fi
  [[ -f "$RUN/server.properties" && -d "$RUN/data" ]] || { log "no broker storage in $RUN to resume: use start"; exit 1; }
  launch
}

status() {
  if is_running; then echo "running (pid $(cat "$PIDFILE"))"; else echo "stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  resume) resume ;;
  restart) stop; resume ;;
  install) install_jars ;;
  cluster-id) new_cluster_id ;; # what start formats the storage with; tested for ids kafka-storage accepts
  *) echo "usage: $0 start|stop|status|resume|restart|cluster-id|install" >&2; exit 2 ;;
esac
