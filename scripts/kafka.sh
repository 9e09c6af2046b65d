#!/usr/bin/env bash
# A real Apache Kafka broker for development, tests and benchmarks.
#
#   bash scripts/kafka.sh fetch            download the broker jars from Maven Central (cached)
#   bash scripts/kafka.sh start [--port N] [--dir DIR] [--foreground]
#                                          single-node KRaft broker on 127.0.0.1, prints host:port
#   bash scripts/kafka.sh stop  [--dir DIR] stops the broker started from DIR
#
# Jars are fetched with Maven (org.apache.kafka:kafka_2.13 and its runtime
# dependencies) into .cache/kafka/libs; nothing else is downloaded. The
# default run directory is .cache/kafka/run-default; tests pass their own.
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-3.9.1}"
CACHE="$ROOT/.cache/kafka"
LIBS="$CACHE/libs"
STAMP="$LIBS/.kafka-$KAFKA_VERSION"
HEAP="${KAFKA_HEAP:-512m}"

die() { echo "kafka.sh: $*" >&2; exit 1; }

need_tools() {
  command -v java >/dev/null 2>&1 || die "java not found (install a JDK 17: apt-get install openjdk-17-jre-headless) / Java が見つかりません"
}

fetch() {
  need_tools
  if [ -f "$STAMP" ]; then return 0; fi
  command -v mvn >/dev/null 2>&1 || die "mvn not found (apt-get install maven) / Maven が見つかりません"
  mkdir -p "$CACHE"
  local pom="$CACHE/pom.xml"
  cat >"$pom" <<EOF
<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kansa</groupId>
  <artifactId>kansa-kafka-broker</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-storage</artifactId><version>$KAFKA_VERSION</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>
  </dependencies>
</project>
EOF
  rm -rf "$LIBS.tmp"
  echo "kafka.sh: fetching Apache Kafka $KAFKA_VERSION from Maven Central …" >&2
  mvn -q -B -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS.tmp" >&2 \
    || die "mvn could not fetch kafka_2.13:$KAFKA_VERSION from Maven Central"
  rm -rf "$LIBS"
  mv "$LIBS.tmp" "$LIBS"
  touch "$STAMP"
}

free_port() {
  node -e 'const s=require("net").createServer();s.listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close();})'
}

start() {
  local port="" dir="$CACHE/run-default" foreground=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --port) port="$2"; shift 2 ;;
      --dir) dir="$2"; shift 2 ;;
      --foreground) foreground=1; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  fetch
  mkdir -p "$dir"
  dir="$(cd "$dir" && pwd)"
  if [ -f "$dir/broker.pid" ] && kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
    cat "$dir/bootstrap"
    return 0
  fi
  # Keep the port across restarts of the same directory (clients reconnect to it).
  if [ -z "$port" ] && [ -f "$dir/port" ]; then port="$(cat "$dir/port")"; fi
  [ -n "$port" ] || port="$(free_port)"
  local cport
  if [ -f "$dir/controller.port" ]; then cport="$(cat "$dir/controller.port")"; else cport="$(free_port)"; fi
  echo "$port" >"$dir/port"
  echo "$cport" >"$dir/controller.port"
  echo "127.0.0.1:$port" >"$dir/bootstrap"

  cat >"$dir/server.properties" <<EOF
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$dir/data
num.partitions=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
num.network.threads=2
num.io.threads=2
log.retention.hours=168
message.max.bytes=10485760
EOF
  cat >"$dir/log4j.properties" <<EOF
log4j.rootLogger=WARN, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=$dir/broker.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.kafka.server.KafkaServer=INFO
log4j.logger.kafka.server.BrokerServer=INFO
EOF
  local jvm=(-Xms128m "-Xmx$HEAP" -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xshare:auto
    "-Dlog4j.configuration=file:$dir/log4j.properties" -Djava.awt.headless=true)
  if [ ! -f "$dir/data/meta.properties" ]; then
    java "${jvm[@]}" -cp "$LIBS/*" kafka.tools.StorageTool format \
      -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null)" \
      -c "$dir/server.properties" >"$dir/format.log" 2>&1 || { cat "$dir/format.log" >&2; die "storage format failed"; }
  fi
  if [ "$foreground" = 1 ]; then
    exec java "${jvm[@]}" -cp "$LIBS/*" kafka.Kafka "$dir/server.properties"
  fi
  nohup java "${jvm[@]}" -cp "$LIBS/*" kafka.Kafka "$dir/server.properties" >"$dir/stdout.log" 2>&1 &
  echo $! >"$dir/broker.pid"
  # Ready when the port accepts connections.
  for _ in $(seq 1 120); do
    if ! kill -0 "$(cat "$dir/broker.pid")" 2>/dev/null; then
      tail -20 "$dir/stdout.log" "$dir/broker.log" >&2 2>/dev/null || true
      die "broker exited during start (see $dir/broker.log)"
    fi
    if node -e 'const s=require("net").connect(+process.argv[1],"127.0.0.1");s.on("connect",()=>process.exit(0));s.on("error",()=>process.exit(1))' "$port"; then
      echo "127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  die "broker did not open 127.0.0.1:$port within 60 s (see $dir/broker.log)"
}

stop() {
  local dir="$CACHE/run-default" hard=0
  while [ $# -gt 0 ]; do
    case "$1" in
      --dir) dir="$2"; shift 2 ;;
      --kill) hard=1; shift ;;
      *) die "unknown option $1" ;;
    esac
  done
  [ -f "$dir/broker.pid" ] || { echo "kafka.sh: no broker running in $dir" >&2; return 0; }
  local pid
  pid="$(cat "$dir/broker.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    if [ "$hard" = 1 ]; then kill -9 "$pid"; else kill "$pid"; fi
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  fi
  rm -f "$dir/broker.pid"
}

cmd="${1:-}"
shift || true
case "$cmd" in
  fetch) fetch ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  *) echo "usage: bash scripts/kafka.sh fetch | start [--port N] [--dir DIR] | stop [--dir DIR] [--kill]" >&2; exit 2 ;;
esac
