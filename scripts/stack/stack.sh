#!/usr/bin/env bash
# The local stack: Apache Kafka (KRaft, one combined broker + controller) and Apicurio Registry
# (its Confluent-compatible API at /apis/ccompat/v7), fetched by Maven and run on 127.0.0.1.
#
#   stack.sh fetch                   download the binaries once (Maven Central -> $STACK_DIR/dist)
#   stack.sh up                      start both and wait until healthy (idempotent)
#   stack.sh down [--purge]          stop both; --purge also deletes their data (topics, schemas)
#   stack.sh reset                   same as down --purge
#   stack.sh status                  health of each; exit 0 only when both are healthy
#   stack.sh logs [kafka|registry] [-f]
#   stack.sh kafka-run CLASS [ARGS]  run a class from the Kafka jars, e.g.
#                                    org.apache.kafka.tools.ProducerPerformance --help
#
# Environment: STACK_DIR (default <repo>/.stack), STACK_KAFKA_PORT (9092), STACK_CONTROLLER_PORT
# (9093), STACK_REGISTRY_PORT (8081), STACK_KAFKA_HEAP (-Xms256m -Xmx768m), STACK_REGISTRY_HEAP
# (-Xms128m -Xmx512m), STACK_TOOLS_HEAP (-Xmx256m, for kafka-run), STACK_KAFKA_VERSION / STACK_APICURIO_VERSION (default: scripts/stack/pom.xml),
# JAVA_HOME (default: the java on PATH; Java 17 or newer).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HERE="$ROOT/scripts/stack"
STACK_DIR=${STACK_DIR:-$ROOT/.stack}
mkdir -p "$STACK_DIR"
STACK_DIR=$(cd "$STACK_DIR" && pwd)
pom_property() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$HERE/pom.xml"; }
KAFKA_VERSION=${STACK_KAFKA_VERSION:-$(pom_property kafka.version)}
APICURIO_VERSION=${STACK_APICURIO_VERSION:-$(pom_property apicurio.version)}
KAFKA_PORT=${STACK_KAFKA_PORT:-9092}
CONTROLLER_PORT=${STACK_CONTROLLER_PORT:-9093}
REGISTRY_PORT=${STACK_REGISTRY_PORT:-8081}
read -ra KAFKA_HEAP <<<"${STACK_KAFKA_HEAP:--Xms256m -Xmx768m}"
read -ra REGISTRY_HEAP <<<"${STACK_REGISTRY_HEAP:--Xms128m -Xmx512m}"
read -ra TOOLS_HEAP <<<"${STACK_TOOLS_HEAP:--Xmx256m}"
KAFKA_START_TIMEOUT=${STACK_KAFKA_TIMEOUT:-90}
REGISTRY_START_TIMEOUT=${STACK_REGISTRY_TIMEOUT:-120}

KAFKA_HOME="$STACK_DIR/dist/kafka-$KAFKA_VERSION"
APICURIO_HOME="$STACK_DIR/dist/apicurio-registry-$APICURIO_VERSION"
RUN_DIR="$STACK_DIR/run"
LOG_DIR="$STACK_DIR/logs"
DATA_DIR="$STACK_DIR/data"
REGISTRY_URL="http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7"
JAVA=${JAVA_HOME:+$JAVA_HOME/bin/}java

say() { printf '%s\n' "$*"; }
fail() {
  printf 'stack: %s\n' "$*" >&2
  exit 1
}
now_ms() { date +%s%3N; }
seconds_since() { # ms timestamp -> "12.3s"
  local ms=$(($(now_ms) - $1))
  printf '%d.%ds' $((ms / 1000)) $((ms % 1000 / 100))
}

require_java() {
  command -v "$JAVA" >/dev/null 2>&1 ||
    fail "java not found. Install Java 17 (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME."
  local major
  major=$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
  [[ ${major%%.*} -ge 17 ]] ||
    fail "Java $major found at $(command -v "$JAVA"); Kafka $KAFKA_VERSION needs Java 17 or newer (apt-get install openjdk-17-jre-headless, or set JAVA_HOME)."
}

require_maven() {
  command -v mvn >/dev/null 2>&1 ||
    fail "mvn not found: it fetches Kafka and Apicurio Registry from Maven Central. Install Maven (Debian/Ubuntu: apt-get install maven)."
}

# Runs Maven quietly; shows the end of its output only when it fails.
maven() {
  local output
  if ! output=$(mvn -B -Dstyle.color=never -f "$HERE/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -Dapicurio.version="$APICURIO_VERSION" "$@" 2>&1); then
    printf '%s\n' "$output" | tail -n 40 >&2
    return 1
  fi
}

fetched() { [[ -f $KAFKA_HOME/.complete && -f $APICURIO_HOME/.complete ]]; }

fetch() {
  if fetched; then
    say "fetch: Kafka $KAFKA_VERSION and Apicurio Registry $APICURIO_VERSION already in $STACK_DIR/dist"
    return 0
  fi
  require_java
  require_maven
  local started
  started=$(now_ms)
  if [[ ! -f $KAFKA_HOME/.complete ]]; then
    say "fetch: Apache Kafka $KAFKA_VERSION (kafka_2.13 + kafka-tools and their dependencies) with Maven..."
    rm -rf "$KAFKA_HOME"
    maven dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_HOME/libs" ||
      fail "Maven could not fetch Kafka $KAFKA_VERSION (the end of its output is above). Check access to Maven Central."
    touch "$KAFKA_HOME/.complete"
  fi
  if [[ ! -f $APICURIO_HOME/.complete ]]; then
    say "fetch: Apicurio Registry $APICURIO_VERSION (apicurio-registry-app, all.tar.gz) with Maven..."
    rm -rf "$APICURIO_HOME"
    maven dependency:unpack -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
      -DoutputDirectory="$APICURIO_HOME" -Dmdep.overWriteReleases=true ||
      fail "Maven could not fetch Apicurio Registry $APICURIO_VERSION (the end of its output is above)."
    [[ -f $APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar ]] ||
      fail "unexpected layout of Apicurio Registry $APICURIO_VERSION in $APICURIO_HOME (no runner jar)"
    touch "$APICURIO_HOME/.complete"
  fi
  say "fetch: done in $(seconds_since "$started") ($STACK_DIR/dist)"
}

pid_of() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }

# True when the pid file names a live process that is this stack's (its command line mentions
# STACK_DIR), so a recycled pid or another stack's process is never taken for ours.
is_running() {
  local pid
  pid=$(pid_of "$1")
  [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "$STACK_DIR/"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Fails, naming what holds the port, when something that is not this stack listens on it.
check_port_free() {
  local port=$1 variable=$2 owner="" pid
  port_open "$port" || return 0
  if command -v ss >/dev/null 2>&1; then
    pid=$(ss -ltnpH "sport = :$port" 2>/dev/null | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -1)
    [[ -n $pid ]] && owner="pid $pid: $(ps -o args= -p "$pid" 2>/dev/null | cut -c1-160)"
  fi
  fail "port $port is already in use${owner:+ by $owner}.
  Stop that process, or choose another port: $variable=<port> (then point KAFKA_BROKERS / SCHEMA_REGISTRY_URL at it).
  Another checkout's stack? Run its 'stack.sh down', or give this one other ports and its own STACK_DIR."
}

# The Kafka jars' tools, logging to stderr rather than into the broker's log.
kafka_run() {
  "$JAVA" "${TOOLS_HEAP[@]}" -Dlog4j2.configurationFile="$HERE/log4j2-tools.xml" -cp "$KAFKA_HOME/libs/*" "$@"
}

# Healthy = the broker answers an ApiVersions request on its client listener.
kafka_healthy() {
  port_open "$KAFKA_PORT" || return 1
  kafka_run org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "127.0.0.1:$KAFKA_PORT" >/dev/null 2>&1
}

registry_healthy() {
  curl -sf -o /dev/null --max-time 3 "$REGISTRY_URL/subjects"
}

write_kafka_config() {
  cat >"$STACK_DIR/server.properties" <<EOF
# Generated by scripts/stack/stack.sh at each start: a single-node KRaft cluster for development and tests.
process.roles=broker,controller
node.id=1
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
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
  write_kafka_config
  if [[ ! -f $DATA_DIR/kafka/meta.properties ]]; then
    mkdir -p "$DATA_DIR/kafka"
    local cluster_id
    cluster_id=$(cat "$STACK_DIR/cluster-id" 2>/dev/null || true)
    if [[ -z $cluster_id ]]; then
      cluster_id=$(kafka_run kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)
      [[ -n $cluster_id ]] || fail "could not generate a Kafka cluster id (kafka.tools.StorageTool random-uuid)"
      echo "$cluster_id" >"$STACK_DIR/cluster-id"
    fi
    say "kafka: formatting storage in $DATA_DIR/kafka (cluster id $cluster_id)"
    kafka_run kafka.tools.StorageTool format --standalone -t "$cluster_id" -c "$STACK_DIR/server.properties" \
      >>"$LOG_DIR/kafka.out" 2>&1 || {
      tail -n 20 "$LOG_DIR/kafka.out" >&2
      fail "formatting Kafka storage failed (the end of $LOG_DIR/kafka.out is above)"
    }
  fi
  setsid nohup "$JAVA" "${KAFKA_HEAP[@]}" -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -Djava.awt.headless=true \
    -Dlog4j2.configurationFile="$HERE/log4j2.xml" -Dkafka.logs.dir="$LOG_DIR" \
    -cp "$KAFKA_HOME/libs/*" kafka.Kafka "$STACK_DIR/server.properties" \
    </dev/null >>"$LOG_DIR/kafka.out" 2>&1 &
  echo $! >"$RUN_DIR/kafka.pid"
}

# H2 in a file under $DATA_DIR/registry: schemas and their ids survive restarts (down --purge wipes them).
# use-canonical-hash: a schema that differs only in formatting is found as the version already
# registered (as Confluent's registry does), whichever client serialised it.
start_registry() {
  mkdir -p "$DATA_DIR/registry"
  setsid nohup "$JAVA" "${REGISTRY_HEAP[@]}" \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dapicurio.datasource.url="jdbc:h2:file:$DATA_DIR/registry/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.ccompat.use-canonical-hash=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -Dapicurio.rest.deletion.artifact.enabled=true \
    -Dapicurio.rest.deletion.artifact-version.enabled=true \
    '-Dquarkus.log.console.format=%d{yyyy-MM-dd HH:mm:ss,SSS} %p [%c{3.}] (%t) %s%e%n' \
    -jar "$APICURIO_HOME/apicurio-registry-app-$APICURIO_VERSION-runner.jar" \
    </dev/null >>"$LOG_DIR/registry.log" 2>&1 &
  echo $! >"$RUN_DIR/registry.pid"
}

# wait_healthy NAME CHECK TIMEOUT_S LOG...
wait_healthy() {
  local name=$1 check=$2 timeout=$3 started log
  shift 3
  started=$(now_ms)
  until "$check"; do
    if ! is_running "$name" || (($(now_ms) - started > timeout * 1000)); then
      for log in "$@"; do
        [[ -s $log ]] && printf '\n--- last lines of %s ---\n' "$log" >&2 && tail -n 25 "$log" >&2
      done
      is_running "$name" && fail "$name not healthy after ${timeout}s (logs above: $*). Stop the stack with 'stack.sh down'."
      fail "$name exited during start-up (logs above: $*). Stop the rest with 'stack.sh down'."
    fi
    sleep 0.3
  done
}

up() {
  local started
  started=$(now_ms)
  fetched || fetch
  require_java
  mkdir -p "$RUN_DIR" "$LOG_DIR" "$DATA_DIR"
  if is_running kafka && is_running registry && kafka_healthy && registry_healthy; then
    say "stack: already up (kafka pid $(pid_of kafka) on 127.0.0.1:$KAFKA_PORT, registry pid $(pid_of registry) at $REGISTRY_URL)"
    return 0
  fi
  # Check every port before starting anything, so a conflict leaves nothing half-started.
  if ! is_running kafka; then
    check_port_free "$KAFKA_PORT" STACK_KAFKA_PORT
    check_port_free "$CONTROLLER_PORT" STACK_CONTROLLER_PORT
  fi
  is_running registry || check_port_free "$REGISTRY_PORT" STACK_REGISTRY_PORT
  local service
  for service in kafka registry; do
    if is_running "$service"; then
      say "$service: already running (pid $(pid_of "$service"))"
    else
      rm -f "$RUN_DIR/$service.pid"
      "start_$service"
      say "$service: starting (pid $(pid_of "$service"))"
    fi
  done
  wait_healthy kafka kafka_healthy "$KAFKA_START_TIMEOUT" "$LOG_DIR/kafka.out" "$LOG_DIR/kafka.log"
  say "kafka: healthy after $(seconds_since "$started"): Apache Kafka $KAFKA_VERSION on 127.0.0.1:$KAFKA_PORT"
  wait_healthy registry registry_healthy "$REGISTRY_START_TIMEOUT" "$LOG_DIR/registry.log"
  say "registry: healthy after $(seconds_since "$started"): Apicurio Registry $APICURIO_VERSION at $REGISTRY_URL"
  say "stack: up in $(seconds_since "$started"): KAFKA_BROKERS=127.0.0.1:$KAFKA_PORT SCHEMA_REGISTRY_URL=$REGISTRY_URL"
}

# Sends SIGTERM to each named running service, waits up to 30 s, then SIGKILLs what is left.
stop_services() {
  local name pid waited=0 pending=()
  for name in "$@"; do
    if is_running "$name"; then
      pid=$(pid_of "$name")
      kill -TERM "$pid" 2>/dev/null || true
      pending+=("$name:$pid")
    else
      if [[ -f $RUN_DIR/$name.pid ]]; then say "$name: not running (removed a stale pid file)"; else say "$name: not running"; fi
      rm -f "$RUN_DIR/$name.pid"
    fi
  done
  local entry left
  while ((${#pending[@]} > 0)); do
    left=()
    for entry in "${pending[@]}"; do
      if kill -0 "${entry#*:}" 2>/dev/null; then
        left+=("$entry")
      else
        rm -f "$RUN_DIR/${entry%%:*}.pid"
        say "${entry%%:*}: stopped (pid ${entry#*:}, after $((waited / 10)).$((waited % 10))s)"
      fi
    done
    pending=("${left[@]+"${left[@]}"}")
    ((${#pending[@]} > 0)) || break
    if ((waited >= 300)); then
      for entry in "${pending[@]}"; do
        say "${entry%%:*}: still running after 30s, sending SIGKILL to pid ${entry#*:}"
        kill -KILL "${entry#*:}" 2>/dev/null || true
        rm -f "$RUN_DIR/${entry%%:*}.pid"
      done
      break
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
}

down() {
  case ${1:-} in
    "" | --purge) ;;
    *) fail "unknown option '$1' for down: use --purge to also delete the data" ;;
  esac
  stop_services registry kafka
  if [[ ${1:-} == --purge ]]; then
    rm -rf "$DATA_DIR" "$STACK_DIR/cluster-id"
    say "purged $DATA_DIR (Kafka topics and registry schemas)"
  fi
}

status() {
  local healthy=0
  if is_running kafka && kafka_healthy; then
    say "kafka:    healthy  pid $(pid_of kafka)  127.0.0.1:$KAFKA_PORT (controller :$CONTROLLER_PORT)  Apache Kafka $KAFKA_VERSION"
  elif is_running kafka; then
    say "kafka:    UNHEALTHY  pid $(pid_of kafka) runs but does not answer on 127.0.0.1:$KAFKA_PORT (see stack.sh logs kafka)"
    healthy=1
  else
    say "kafka:    down  (127.0.0.1:$KAFKA_PORT)"
    healthy=1
  fi
  if is_running registry && registry_healthy; then
    say "registry: healthy  pid $(pid_of registry)  $REGISTRY_URL  Apicurio Registry $APICURIO_VERSION"
  elif is_running registry; then
    say "registry: UNHEALTHY  pid $(pid_of registry) runs but $REGISTRY_URL/subjects does not answer 200 (see stack.sh logs registry)"
    healthy=1
  else
    say "registry: down  ($REGISTRY_URL)"
    healthy=1
  fi
  return $healthy
}

logs() {
  local service="" follow=() arg files=()
  for arg in "$@"; do
    case $arg in
      -f | --follow) follow=(-F) ;;
      kafka | registry) service=$arg ;;
      *) fail "logs: unknown argument '$arg': use [kafka|registry] [-f]" ;;
    esac
  done
  case $service in
    kafka) files=("$LOG_DIR/kafka.log") ;;
    registry) files=("$LOG_DIR/registry.log") ;;
    "") files=("$LOG_DIR/kafka.log" "$LOG_DIR/registry.log") ;;
  esac
  for arg in "${files[@]}"; do
    [[ -f $arg ]] || fail "no log yet: $arg (has the stack been started?)"
  done
  tail -n 100 "${follow[@]}" "${files[@]}"
}

case ${1:-} in
  fetch) fetch ;;
  up) up ;;
  down) down "${2:-}" ;;
  reset) down --purge ;;
  status) status ;;
  logs) logs "${@:2}" ;;
  kafka-run)
    [[ -n ${2:-} ]] || fail "kafka-run: give a main class, e.g. org.apache.kafka.tools.ProducerPerformance"
    fetched || fetch >&2
    require_java
    kafka_run "${@:2}"
    ;;
  *)
    sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ ${1:-} == -h || ${1:-} == --help || ${1:-} == help ]] || exit 2
    ;;
esac
