#!/usr/bin/env bash
# Lifeboat outbox replay benchmark. With its own Mosquitto and Redis on free loopback ports:
#   1. a persistent-session subscriber (mosquitto_sub -c, QoS 1) is registered, then Mosquitto stops;
#   2. the outbox (OutboxReplayBench, in-process, the real Outbox/RedisBacklog/MqttPublisher) takes
#      N messages of ~SIZE bytes while the broker is down: all go to the Redis stream;
#   3. Mosquitto starts: the outbox drains the stream in order (QoS 1, each entry XDEL'ed after its
#      PUBACK); drain rate = N / (connect -> depth 0); the subscriber counts N arrivals;
#      the heap is sampled every 50 ms (MemoryMXBean) during the drain;
#   4. baseline in the same run: mosquitto_pub -l -q 1 moves the same N lines directly to the same
#      broker while mosquitto_sub counts them (the broker's own ceiling for QoS 1 from one client).
# Usage: bash bench/outbox-replay-bench.sh     env: BENCH_N (default 1000000), BENCH_SIZE (200),
#        BENCH_XMX (the load tool's -Xmx, default 256m), BENCH_INFLIGHT (Mosquitto's max_inflight_messages,
#        default 20 = Mosquitto's default), BENCH_OUT (results file), BENCH_KEEP=1
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
N="${BENCH_N:-1000000}"
SIZE="${BENCH_SIZE:-200}"
XMX="${BENCH_XMX:-256m}"
INFLIGHT="${BENCH_INFLIGHT:-20}" # Mosquitto's max_inflight_messages: the receive maximum each client gets
OUT="${BENCH_OUT:-$ROOT/bench/results/outbox-replay-$(date -u +%F).md}"
WORK="$(mktemp -d /tmp/outbox-bench.XXXXXX)"
log() { echo "[$(date -u +%T)] $*" >&2; }

for tool in mosquitto mosquitto_sub mosquitto_pub redis-server redis-cli; do
  if ! command -v "$tool" >/dev/null; then
    log "installing $tool"
    case "$tool" in
      mosquitto) apt-get install -y -q mosquitto ;;
      mosquitto_*) apt-get install -y -q mosquitto-clients ;;
      redis-*) apt-get install -y -q redis-server ;;
    esac
  fi
done

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
MQ_PORT=$(free_port); RD_PORT=$(free_port)
mkdir -p "$WORK/mq" "$WORK/redis" "$WORK/spool"
cat >"$WORK/mosquitto.conf" <<CONF
listener $MQ_PORT 127.0.0.1
allow_anonymous true
persistence true
persistence_location $WORK/mq/
max_queued_messages 0
max_inflight_messages $INFLIGHT
user $(id -un)
CONF
MQ_PID=""; RD_PID=""; SUB_PID=""
cleanup() {
  for p in $SUB_PID $MQ_PID $RD_PID; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ "${BENCH_KEEP:-0}" = 1 ] || rm -rf "$WORK"
}
trap cleanup EXIT
start_mq() { mosquitto -c "$WORK/mosquitto.conf" >>"$WORK/mosquitto.log" 2>&1 & MQ_PID=$!;
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/$MQ_PORT) 2>/dev/null && return; sleep 0.05; done; log "mosquitto did not start"; exit 1; }
stop_mq() { kill "$MQ_PID"; wait "$MQ_PID" 2>/dev/null || true; MQ_PID=""; }

redis-server --port "$RD_PORT" --bind 127.0.0.1 --dir "$WORK/redis" --save "" --appendonly no >"$WORK/redis.log" 2>&1 & RD_PID=$!
for _ in $(seq 100); do redis-cli -p "$RD_PORT" ping >/dev/null 2>&1 && break; sleep 0.05; done

( cd "$ROOT" && mvn -q -B -o test-compile ) >&2
CP="$ROOT/target/test-classes:$ROOT/target/classes:$(cd "$ROOT" && mvn -q -B -o dependency:build-classpath -Dmdep.outputFile=/dev/stdout)"

# --- 1..3: the outbox
start_mq
mosquitto_sub -p "$MQ_PORT" -V mqttv5 -q 1 -c -i bench-sub -x 3600 -t 'bench/#' -E   # register the session
stop_mq
log "buffering $N messages of ~$SIZE bytes in Redis (broker down)"
java -Xmx"$XMX" -cp "$CP" io.lifeboat.bench.OutboxReplayBench "tcp://127.0.0.1:$MQ_PORT" \
  "redis://127.0.0.1:$RD_PORT" "$N" "$SIZE" "$WORK/spool" >"$WORK/tool.out" 2>"$WORK/tool.err" & TOOL=$!
until grep -q BUFFERED "$WORK/tool.out"; do
  kill -0 $TOOL 2>/dev/null || { cat "$WORK/tool.err" >&2; exit 1; }; sleep 0.5; done
XLEN=$(redis-cli -p "$RD_PORT" XLEN lifeboat:outbox)
log "stream holds $XLEN entries; starting the broker"
start_mq
S0=$(date +%s.%N)
mosquitto_sub -p "$MQ_PORT" -V mqttv5 -q 1 -c -i bench-sub -x 3600 -t 'bench/#' -C "$N" -W 900 >/dev/null & SUB_PID=$!
wait $TOOL
wait $SUB_PID; SUB_PID=""
S1=$(date +%s.%N)
cat "$WORK/tool.out" >&2
XLEN_AFTER=$(redis-cli -p "$RD_PORT" XLEN lifeboat:outbox)
val() { grep "^$1=" "$WORK/tool.out" | cut -d= -f2; }
DRAIN_RATE=$(val drain_rate); DRAIN_S=$(val drain_seconds)
SUB_S=$(python3 -c "print(f'{$S1-$S0:.2f}')"); SUB_RATE=$(python3 -c "print(round($N/($S1-$S0)))")
stop_mq

# --- 4: the broker's ceiling, same broker config, same N, same size
python3 - "$N" "$SIZE" >"$WORK/lines.txt" <<'PY'
import sys
n, size = int(sys.argv[1]), int(sys.argv[2])
pad = "x" * (size - 40)
out = sys.stdout
for i in range(n):
    out.write('{"n":%d,"pad":"%s"}\n' % (i, pad))
PY
rm -rf "$WORK/mq"/*; start_mq
mosquitto_sub -p "$MQ_PORT" -V mqttv5 -q 1 -i base-sub -t 'base/#' -C "$N" -W 900 >/dev/null & SUB_PID=$!
sleep 0.5
# in files of 20,000 lines: one mosquitto_pub -l with 1,000,000 or 100,000 lines was cut off by Mosquitto 2.0.11
# ("disconnected due to out of memory") in a first run
split -l 20000 "$WORK/lines.txt" "$WORK/part."
P0=$(date +%s.%N)
for part in "$WORK"/part.*; do
  mosquitto_pub -p "$MQ_PORT" -V mqttv5 -q 1 -i base-pub -t base/events -l <"$part"
done
P1=$(date +%s.%N)
wait $SUB_PID; SUB_PID=""
B1=$(date +%s.%N)
PUB_RATE=$(python3 -c "print(round($N/($P1-$P0)))"); PUB_S=$(python3 -c "print(f'{$P1-$P0:.2f}')")
BSUB_RATE=$(python3 -c "print(round($N/($B1-$P0)))")
RATIO=$(python3 -c "print(f'{$DRAIN_RATE/$PUB_RATE:.2f}')")
stop_mq

cat >"$OUT" <<MD
# Outbox replay benchmark, $(date -u +%F)

Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), shared with other work;
$(mosquitto -h 2>/dev/null | head -1 | xargs), $(redis-server --version | cut -d' ' -f3), $(java -version 2>&1 | head -1).
Commit: $(cd "$ROOT" && git rev-parse --short HEAD). Script: bench/outbox-replay-bench.sh (N=$N, ~$SIZE-byte JSON payloads,
load tool -Xmx$XMX). Mosquitto with the test config (persistence, max_queued_messages 0) and
max_inflight_messages $INFLIGHT (the receive maximum it grants each client, publisher and subscriber alike).

| what | messages | seconds | msg/s |
|---|---:|---:|---:|
| outbox buffering into Redis (broker down; XADD pipelined in batches of 1000) | $N | $(val buffer_seconds) | $(val buffer_rate) |
| **outbox drain** on reconnect (connect -> depth 0, every entry PUBACKed then XDEL'ed) | $N | $DRAIN_S | **$DRAIN_RATE** |
| subscriber (mosquitto_sub -c, QoS 1) receiving the drain | $N | $SUB_S | $SUB_RATE |
| baseline: mosquitto_pub -l -q 1 (runs of 20,000 lines), same broker, same lines | $N | $PUB_S | $PUB_RATE |
| baseline subscriber (pub start -> last arrival) | $N | | $BSUB_RATE |

Drain rate / mosquitto_pub rate: **$RATIO**. Stream length before the drain: $XLEN; after: $XLEN_AFTER.
Replayed counter: $(val replayed).

Heap of the load tool (MemoryMXBean used heap, sampled every 50 ms): after buffering $(val heap_after_buffering_mb) MB,
peak during the drain $(val peak_heap_during_drain_mb) MB, of max $(val max_heap_mb) MB. The outbox holds at most
1000 read-ahead entries and the in-flight window in memory, whatever the backlog length.
MD
log "results in $OUT"
cat "$OUT"
