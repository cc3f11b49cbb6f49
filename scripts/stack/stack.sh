#!/usr/bin/env bash
# The local stack: Apache Kafka (KRaft, one combined broker + controller) and Apicurio Registry
# (its Confluent-compatible API at /apis/ccompat/v7), fetched by Maven and run on 127.0.0.1.
#
#   stack.sh fetch            download the binaries once (Maven Central -> .stack/dist)
#   stack.sh up               start both and wait until healthy (idempotent)
#   stack.sh down [--purge]   stop both (--purge also deletes their data)
#   stack.sh status           health of each; exit 0 only when both are healthy
#   stack.sh logs [kafka|registry] [-f]
#
# Environment: STACK_DIR (default <repo>/.stack), STACK_KAFKA_PORT (9092),
# STACK_CONTROLLER_PORT (9093), STACK_KAFKA_SASL_PORT (9094), STACK_KAFKA_TLS_PORT (9095),
# STACK_REGISTRY_PORT (8081), JAVA_HOME.
#
# The broker also listens with SASL_PLAINTEXT on STACK_KAFKA_SASL_PORT (PLAIN, SCRAM-SHA-256,
# SCRAM-SHA-512) for the SASL tests. Its one user, cml-test / cml-test-secret, is a test
# credential for this local broker only.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/stack"
STACK_DIR=${STACK_DIR:-$ROOT/.stack}
KAFKA_VERSION=$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$HERE/pom.xml")
APICURIO_VERSION=3.0.9
KAFKA_PORT=${STACK_KAFKA_PORT:-9092}
CONTROLLER_PORT=${STACK_CONTROLLER_PORT:-9093}
SASL_PORT=${STACK_KAFKA_SASL_PORT:-9094}
# TLS for the TLS test: a self-signed certificate for 127.0.0.1 / localhost, made by keytool on first
# start; its PEM ($TLS_DIR/ca.pem) is what a client trusts. Local development broker only.
TLS_PORT=${STACK_KAFKA_TLS_PORT:-9095}
TLS_STORE_PASSWORD=cml-test-tls
# Test credentials of the SASL listener (local development broker only; not a secret).
SASL_USER=cml-test
SASL_PASSWORD=cml-test-secret
REGISTRY_PORT=${STACK_REGISTRY_PORT:-8081}

KAFKA_HOME="$STACK_DIR/dist/kafka-$KAFKA_VERSION"
APICURIO_HOME="$STACK_DIR/dist/apicurio-registry-$APICURIO_VERSION"
RUN_DIR="$STACK_DIR/run"
TLS_DIR="$STACK_DIR/tls"
LOG_DIR="$STACK_DIR/logs"
DATA_DIR="$STACK_DIR/data"
# Written once the SCRAM user exists in this data dir's cluster metadata.
SCRAM_MARKER="$DATA_DIR/scram-users"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

say() { printf '%s\n' "$*"; }
fail() {
  printf 'stack: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 ||
    fail "java not found. Install Java 17 or newer (Debian: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
  local major
  major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [[ ${major%%.*} -ge 17 ]] || fail "Java $major found at $(command -v "$JAVA"); Kafka $KAFKA_VERSION needs 17 or newer (set JAVA_HOME)."
}

require_maven() {
  command -v mvn >/dev/null 2>&1 || fail "mvn not found: it fetches Kafka and Apicurio Registry from Maven Central. Install Maven (Debian: apt-get install maven)."
}

# Runs Maven quietly; shows its output only when it fails.
maven() {
  local output
  if ! output=$(mvn -B -Dstyle.color=never -f "$HERE/pom.xml" "$@" 2>&1); then
    printf '%s\n' "$output" | tail -n 40 >&2
    return 1
  fi
}

fetch() {
  if [[ -f $KAFKA_HOME/.complete && -f $APICURIO_HOME/.complete ]]; then
    return 0
  fi
  require_java
  require_maven
  local started
  started=$(now_ms)
  if [[ ! -f $KAFKA_HOME/.complete ]]; then
    say "fetching Apache Kafka $KAFKA_VERSION (kafka_2.13, kafka-tools) with Maven..."
    rm -rf "$KAFKA_HOME"
    maven dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" ||
      fail "Maven could not fetch Kafka $KAFKA_VERSION (its output is above). Check access to Maven Central."
    touch "$KAFKA_HOME/.complete"
  fi
  if [[ ! -f $APICURIO_HOME/.complete ]]; then
    say "fetching Apicurio Registry $APICURIO_VERSION with Maven..."
    rm -rf "$APICURIO_HOME" "$STACK_DIR/dist/download"
    maven dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$STACK_DIR/dist/download" ||
      fail "Maven could not fetch Apicurio Registry $APICURIO_VERSION (its output is above)."
    mkdir -p "$APICURIO_HOME"
    tar xzf "$STACK_DIR/dist/download/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$APICURIO_HOME"
    rm -rf "$STACK_DIR/dist/download"
    touch "$APICURIO_HOME/.complete"
  fi
  say "fetched in $(($(now_ms) - started)) ms into $STACK_DIR/dist"
}

# A data dir formatted before the SASL listener existed has no SCRAM user: add it once through the
# PLAINTEXT listener (the same as kafka-configs --alter --entity-type users).
ensure_scram_user() {
  [[ -f $SCRAM_MARKER ]] && return 0
  local mechanism
  # One call per mechanism: the broker refuses two credentials of one user in a single request.
  for mechanism in SCRAM-SHA-256 SCRAM-SHA-512; do
    "$JAVA" -Xmx128m -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
      -cp "$KAFKA_HOME/libs/*" kafka.admin.ConfigCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --alter --entity-type users --entity-name "$SASL_USER" --add-config "$mechanism=[password=$SASL_PASSWORD]" \
      >>"$LOG_DIR/kafka.out" 2>&1 || fail "adding the $mechanism user $SASL_USER failed; see $LOG_DIR/kafka.out"
  done
  echo "$SASL_USER" >"$SCRAM_MARKER"
  say "kafka: added the SCRAM test user $SASL_USER to the existing cluster"
}

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
is_running() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails with what holds the port when a service that is not ours listens on it.
check_port_free() {
  local port=$1 variable=$2
  port_open "$port" || return 0
  local owner=""
  command -v ss >/dev/null 2>&1 && owner=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*users:((\(.*\))).*/\1/p' | head -1)
  fail "port $port is already taken${owner:+ by $owner}. Stop that process, or set $variable to a free port (and KAFKA_BROKERS / SCHEMA_REGISTRY_URL to match)."
}

kafka_healthy() {
  port_open "$KAFKA_PORT" || return 1
  port_open "$SASL_PORT" || return 1
  port_open "$TLS_PORT" || return 1
  "$JAVA" -Xmx128m -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_HOME/libs/*" org.apache.kafka.tools.BrokerApiVersionsCommand \
    --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}

registry_healthy() {
  curl -sf -o /dev/null --max-time 3 "$REGISTRY_URL/subjects"
}

# The broker's TLS key and self-signed certificate (PKCS12), and the certificate as PEM for clients.
ensure_tls() {
  [[ -f $TLS_DIR/broker.p12 && -f $TLS_DIR/ca.pem ]] && return 0
  local keytool=${JAVA_HOME:+$JAVA_HOME/bin/}keytool
  command -v "$keytool" >/dev/null 2>&1 || fail "keytool not found (it comes with the JDK/JRE): it makes the broker's TLS certificate."
  mkdir -p "$TLS_DIR"
  rm -f "$TLS_DIR/broker.p12" "$TLS_DIR/ca.pem"
  "$keytool" -genkeypair -alias broker -keyalg RSA -keysize 2048 -validity 3650 -dname "CN=localhost" \
    -ext "SAN=IP:127.0.0.1,DNS:localhost" -keystore "$TLS_DIR/broker.p12" -storetype PKCS12 \
    -storepass "$TLS_STORE_PASSWORD" -keypass "$TLS_STORE_PASSWORD" >>"$LOG_DIR/kafka.out" 2>&1 ||
    fail "keytool could not make the broker's TLS key; see $LOG_DIR/kafka.out"
  "$keytool" -exportcert -rfc -alias broker -keystore "$TLS_DIR/broker.p12" -storetype PKCS12 \
    -storepass "$TLS_STORE_PASSWORD" -file "$TLS_DIR/ca.pem" >>"$LOG_DIR/kafka.out" 2>&1 ||
    fail "keytool could not export the broker's certificate; see $LOG_DIR/kafka.out"
}

write_kafka_config() {
  cat >"$STACK_DIR/server.properties" <<EOF
# Generated by scripts/stack/stack.sh: a single-node KRaft cluster for development and tests.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$TLS_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,SASL_PLAINTEXT://127.0.0.1:$SASL_PORT,SSL://127.0.0.1:$TLS_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SSL:SSL
# TLS for the TLS test: the self-signed key made by ensure_tls (test password, local broker only).
listener.name.ssl.ssl.keystore.type=PKCS12
listener.name.ssl.ssl.keystore.location=$TLS_DIR/broker.p12
listener.name.ssl.ssl.keystore.password=$TLS_STORE_PASSWORD
listener.name.ssl.ssl.key.password=$TLS_STORE_PASSWORD
# SASL for the SASL tests, test credentials only: PLAIN users are listed here, SCRAM users live in
# the cluster metadata (added by format --add-scram, or by ConfigCommand on an older data dir).
listener.name.sasl_plaintext.sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512
listener.name.sasl_plaintext.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required user_$SASL_USER="$SASL_PASSWORD";
listener.name.sasl_plaintext.scram-sha-256.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
log.dirs=$DATA_DIR/kafka
num.partitions=1
auto.create.topics.enable=false
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
min.insync.replicas=1
group.initial.rebalance.delay.ms=0
# Development settings: apply retention within seconds rather than five minutes.
log.retention.check.interval.ms=5000
EOF
}

start_kafka() {
  ensure_tls
  write_kafka_config
  if [[ ! -f $DATA_DIR/kafka/meta.properties ]]; then
    mkdir -p "$DATA_DIR/kafka"
    local cluster_id
    cluster_id=$(cat "$STACK_DIR/cluster-id" 2>/dev/null || true)
    if [[ -z $cluster_id ]]; then
      cluster_id=$("$JAVA" -cp "$KAFKA_HOME/libs/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
      echo "$cluster_id" >"$STACK_DIR/cluster-id"
    fi
    say "formatting Kafka storage (cluster id $cluster_id)"
    "$JAVA" -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" -cp "$KAFKA_HOME/libs/*" \
      kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$STACK_DIR/server.properties" \
      --add-scram "SCRAM-SHA-256=[name=$SASL_USER,password=$SASL_PASSWORD]" \
      --add-scram "SCRAM-SHA-512=[name=$SASL_USER,password=$SASL_PASSWORD]" >>"$LOG_DIR/kafka.out" 2>&1 ||
      fail "formatting Kafka storage failed; see $LOG_DIR/kafka.out"
    echo "$SASL_USER" >"$SCRAM_MARKER"
  fi
  setsid nohup "$JAVA" -Xms256m -Xmx768m -XX:+UseG1GC -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STACK_DIR/server.properties" >>"$LOG_DIR/kafka.out" 2>&1 &
  echo $! >"$RUN_DIR/kafka.pid"
}

start_registry() {
  mkdir -p "$DATA_DIR/registry"
  setsid nohup "$JAVA" -Xms128m -Xmx512m \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.datasource.url="jdbc:h2:file:$DATA_DIR/registry/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -jar "$APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar" >>"$LOG_DIR/registry.log" 2>&1 &
  echo $! >"$RUN_DIR/registry.pid"
}

# wait_healthy NAME CHECK LOG TIMEOUT_S
wait_healthy() {
  local name=$1 check=$2 log=$3 timeout=$4 started
  started=$(now_ms)
  until "$check"; do
    if ! is_running "$name"; then
      tail -n 30 "$log" >&2 || true
      fail "$name exited during start-up; the last lines of $log are above."
    fi
    if (($(now_ms) - started > timeout * 1000)); then
      tail -n 30 "$log" >&2 || true
      fail "$name not healthy after ${timeout}s; the last lines of $log are above."
    fi
    sleep 0.5
  done
}

up() {
  fetch
  require_java
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR"
  local started
  started=$(now_ms)
  local started_kafka=0 started_registry=0
  # Check every port before starting anything, so a conflict leaves nothing half-started.
  if ! is_running kafka; then
    check_port_free "$KAFKA_PORT" STACK_KAFKA_PORT
    check_port_free "$CONTROLLER_PORT" STACK_CONTROLLER_PORT
    check_port_free "$SASL_PORT" STACK_KAFKA_SASL_PORT
    check_port_free "$TLS_PORT" STACK_KAFKA_TLS_PORT
  fi
  is_running registry || check_port_free "$REGISTRY_PORT" STACK_REGISTRY_PORT
  if is_running kafka; then
    say "kafka: already running (pid $(pid_of kafka))"
    if port_open "$KAFKA_PORT" && ! port_open "$SASL_PORT"; then
      fail "the running broker has no SASL listener on :$SASL_PORT (started by an older stack.sh): restart it with stack.sh down && stack.sh up."
    fi
    if port_open "$KAFKA_PORT" && ! port_open "$TLS_PORT"; then
      fail "the running broker has no TLS listener on :$TLS_PORT (started by an older stack.sh): restart it with stack.sh down && stack.sh up."
    fi
  else
    start_kafka
    started_kafka=1
  fi
  if is_running registry; then
    say "registry: already running (pid $(pid_of registry))"
  else
    start_registry
    started_registry=1
  fi
  wait_healthy kafka kafka_healthy "$LOG_DIR/kafka.out" 90
  ensure_scram_user
  ((started_kafka)) && say "kafka: started Apache Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT, SASL on :$SASL_PORT, TLS on :$TLS_PORT (pid $(pid_of kafka))"
  wait_healthy registry registry_healthy "$LOG_DIR/registry.log" 120
  ((started_registry)) && say "registry: started Apicurio Registry $APICURIO_VERSION at $REGISTRY_URL (pid $(pid_of registry))"
  say "stack healthy in $(($(now_ms) - started)) ms: KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT SCHEMA_REGISTRY_URL=$REGISTRY_URL"
}

stop_service() {
  local name=$1 pid
  pid=$(pid_of "$name")
  if [[ -z $pid ]] || ! kill -0 "$pid" 2>/dev/null; then
    rm -f "$RUN_DIR/$name.pid"
    say "$name: not running"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  local waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if ((waited >= 300)); then
      say "$name: still running after 30s, killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  rm -f "$RUN_DIR/$name.pid"
  say "$name: stopped"
}

down() {
  stop_service registry
  stop_service kafka
  if [[ ${1:-} == --purge ]]; then
    rm -rf "$DATA_DIR" "$STACK_DIR/cluster-id"
    say "purged $DATA_DIR"
  fi
}

status() {
  local healthy=0
  if is_running kafka && kafka_healthy; then
    say "kafka:    healthy  pid $(pid_of kafka)  127.0.0.1:$KAFKA_PORT, SASL 127.0.0.1:$SASL_PORT, TLS 127.0.0.1:$TLS_PORT (CA $TLS_DIR/ca.pem)  (Apache Kafka $KAFKA_VERSION)"
  else
    say "kafka:    DOWN$(is_running kafka && echo ' (process up, not answering)')"
    healthy=1
  fi
  if is_running registry && registry_healthy; then
    say "registry: healthy  pid $(pid_of registry)  $REGISTRY_URL  (Apicurio Registry $APICURIO_VERSION)"
  else
    say "registry: DOWN$(is_running registry && echo ' (process up, not answering)')"
    healthy=1
  fi
  return $healthy
}

logs() {
  local service=${1:-} follow=()
  [[ $service == -f ]] && service="" && follow=(-f)
  [[ ${2:-} == -f ]] && follow=(-f)
  case $service in
    kafka) tail -n 100 "${follow[@]}" "$LOG_DIR/kafka.log" ;;
    registry) tail -n 100 "${follow[@]}" "$LOG_DIR/registry.log" ;;
    "") tail -n 50 "${follow[@]}" "$LOG_DIR/kafka.log" "$LOG_DIR/registry.log" ;;
    *) fail "unknown service '$service': use kafka or registry" ;;
  esac
}

case ${1:-} in
  fetch) fetch ;;
  up) up ;;
  down) down "${2:-}" ;;
  status) status ;;
  logs) logs "${2:-}" "${3:-}" ;;
  *)
    sed -n '2,16p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ ${1:-} == -h || ${1:-} == --help || ${1:-} == help ]] || exit 2
    ;;
esac
