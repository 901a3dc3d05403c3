#!/usr/bin/env bash
# Lifeboat event-throughput benchmark (issue 4, benchmark 1): health events published to Mosquitto at
# increasing rates; processed events per second and p50/p99/max latency from publish to the resulting
# {"type":"health.changed"} event on <prefix>/events. In the same run, the broker's own ceiling:
#   direct     the same load (same tool, same messages) to a plain subscriber on the input topics, no Lifeboat
#   mosquitto  mosquitto_pub -l | mosquitto_sub moving the same number of messages, unpaced (QoS 1)
#   lifeboat   the Lifeboat daemon jar subscribed to <prefix>/health/+, matched on its health.changed events
# Everything runs on loopback against a Mosquitto this script starts on a free port (and stops).
#
# Usage: bash bench/event-bench.sh            (see bench/README.md)
# Environment (all optional):
#   LIFEBOAT_ROOT    Lifeboat repo top (default: this script's parent dir)
#   BENCH_RATES      events/s to try (default "2000 5000 8000 10000 12000")
#   BENCH_REPEATS    runs of the lifeboat way per rate (default 3); a rate is held when every run lost
#                    nothing and the median run's p99 is under 50 ms (the machines are shared and noisy)
#   BENCH_DAEMON_WARMUP  seconds of unmeasured load at 5000/s right after the daemon starts (default 30):
#                    the daemon is a long-running process, measured after its JIT compiler has settled
#   BENCH_SECONDS    measured seconds per rate (default 10), after BENCH_WARMUP seconds of the same load (default 2)
#   BENCH_SERVICES   distinct services the events are spread over (default 1000)
#   BENCH_WAYS       which ways to run (default "direct mosquitto lifeboat")
#   BENCH_XMX        the daemon's -Xmx (default 256m)
#   BENCH_JAVA_OPTS  more JVM options for the daemon (GC logging, a profiler agent)
#   BENCH_LOAD_OPTS  the load tool's JVM options (default "-Xmx512m -XX:TieredStopAtLevel=1", see LOAD_OPTS)
#   BENCH_NO_BUILD=1 use target/ as it is (else: mvn -o package -DskipTests first)
#   BENCH_KEEP=1     keep the work folder (configs, logs, raw JSON) under bench/work/
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIFEBOAT_ROOT="$(cd "${LIFEBOAT_ROOT:-$SCRIPT_DIR/..}" && pwd)"
RATES="${BENCH_RATES:-2000 5000 8000 10000 12000}"
SECONDS_PER_RATE="${BENCH_SECONDS:-10}"
WARMUP="${BENCH_WARMUP:-2}"
REPEATS="${BENCH_REPEATS:-3}"
DAEMON_WARMUP="${BENCH_DAEMON_WARMUP:-30}"
# The load tool is a new short-lived JVM per run: its C2 compiler would spend a third of a core of the two
# it shares with the broker and Lifeboat compiling the tool itself while it measures. C1 alone compiles
# the little it runs (pace, publish, stamp arrivals) in a moment.
LOAD_OPTS="${BENCH_LOAD_OPTS:--Xmx512m -XX:TieredStopAtLevel=1}"
SERVICES="${BENCH_SERVICES:-1000}"
WAYS="${BENCH_WAYS:-direct mosquitto lifeboat}"
XMX="${BENCH_XMX:-256m}"
RESULTS="$SCRIPT_DIR/results"
DAY="$(date -u +%F)"
WORK="$SCRIPT_DIR/work/event-$(date -u +%Y%m%dT%H%M%S)"
PREFIX=bench

log() { printf '[event-bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

for cmd in java mvn mosquitto mosquitto_pub mosquitto_sub jq python3; do
  command -v "$cmd" >/dev/null 2>&1 || die "$cmd is needed (apt-get install mosquitto mosquitto-clients jq maven)"
done

mkdir -p "$WORK" "$RESULTS"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  if [ -z "${BENCH_KEEP:-}" ]; then rm -rf "$WORK"; else log "work folder kept: $WORK"; fi
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---------------------------------------------------------------- build
cd "$LIFEBOAT_ROOT"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  log "building (mvn -o package -DskipTests)"
  mvn -q -B -o package -DskipTests >&2
fi
[ -f target/lifeboat.jar ] || die "target/lifeboat.jar missing: build first"
[ -f target/test-classes/io/lifeboat/bench/EventLoad.class ] || die "EventLoad not compiled: mvn -o test-compile"
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >&2
CP="target/classes:target/test-classes:$(cat "$WORK/cp.txt")"

# ---------------------------------------------------------------- broker
MQTT_PORT="$(free_port)"
cat > "$WORK/mosquitto.conf" <<CONF
listener $MQTT_PORT 127.0.0.1
allow_anonymous true
# Mosquitto's default of 20 unacknowledged QoS 1 messages per client caps any client at 20 per round trip;
# a larger window lets the broker, not the window, set the ceiling (the same for every way measured)
max_inflight_messages 1000
# room for a burst while a subscriber falls behind (default 1000 would drop messages, counted as missing)
max_queued_messages 1000000
persistence false
CONF
mosquitto -c "$WORK/mosquitto.conf" >"$WORK/mosquitto.log" 2>&1 &
BROKER_PID=$!
PIDS+=("$BROKER_PID")
for _ in $(seq 50); do (echo >"/dev/tcp/127.0.0.1/$MQTT_PORT") 2>/dev/null && break; sleep 0.1; done
BROKER="tcp://127.0.0.1:$MQTT_PORT"
log "mosquitto on $BROKER"

LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
RAW="$WORK/results.jsonl"
: >"$RAW"

load() { # mode prefix rate [measured seconds] [warm-up seconds]
  java $LOAD_OPTS -cp "$CP" io.lifeboat.bench.EventLoad --broker "$BROKER" --prefix "$2" --mode "$1" \
    --rate "$3" --seconds "${4:-$SECONDS_PER_RATE}" --warmup "${5:-$WARMUP}" --services "$SERVICES" \
    --cpu-pids "broker=$BROKER_PID${DAEMON_PID:+,lifeboat=$DAEMON_PID}" 2>>"$WORK/eventload.log"
}

# ---------------------------------------------------------------- lifeboat daemon
DAEMON_PID=
if [[ " $WAYS " == *" lifeboat "* ]]; then
  mkdir -p "$WORK/files" && echo a >"$WORK/files/a.txt"
  cat >"$WORK/lifeboat.yaml" <<YAML
dataDir: $WORK/data
storage: {primary: {type: filesystem, path: $WORK/store}}
mqtt: {url: "$BROKER", prefix: $PREFIX}
# the benchmark measures the event path only: no API, no metrics port
http: {enabled: false}
management: {enabled: false}
# up/degraded never count as faults; set high anyway so Safe Mode cannot change what is measured
safeMode: {faults: 1000, window: 1m}
# every event is a change by design (services alternate); damping would swallow them
health: {flapChanges: 1000, flapWindow: 1s}
targets:
  tiny: {kind: directory, path: $WORK/files, schedule: "0 0 3 1 1 ?", rpo: 3650d}
YAML
  LIFEBOAT_HOME="$LIFEBOAT_ROOT" java "-Xmx$XMX" ${BENCH_JAVA_OPTS:-} -jar target/lifeboat.jar --config "$WORK/lifeboat.yaml" run \
    >"$WORK/daemon.log" 2>&1 &
  DAEMON_PID=$!
  PIDS+=("$DAEMON_PID")
  for _ in $(seq 240); do grep -q "Lifeboat is running" "$WORK/daemon.log" && break; kill -0 "$DAEMON_PID" 2>/dev/null || break; sleep 0.5; done
  grep -q "Lifeboat is running" "$WORK/daemon.log" || { tail -50 "$WORK/daemon.log" >&2; die "the daemon did not start"; }
  sleep 2 # its MQTT subscriptions come up after the start message
  log "lifeboat daemon running (pid $DAEMON_PID, -Xmx$XMX); ${DAEMON_WARMUP} s of unmeasured load at 5000/s"
  load lifeboat "$PREFIX" 5000 1 "$DAEMON_WARMUP" >/dev/null
fi

# ---------------------------------------------------------------- runs
for rate in $RATES; do
  n=$((rate * SECONDS_PER_RATE))
  for way in $WAYS; do
    case "$way" in
      direct)
        log "direct $rate/s"
        load direct "bench-direct-$rate" "$rate" | jq -c '. + {way: "direct"}' >>"$RAW" ;;
      lifeboat)
        for r in $(seq "$REPEATS"); do
          log "lifeboat $rate/s (run $r of $REPEATS)"
          kill -0 "$DAEMON_PID" 2>/dev/null || die "the daemon ended; see $WORK/daemon.log"
          load lifeboat "$PREFIX" "$rate" | jq -c --argjson r "$r" '. + {way: "lifeboat", run: $r}' >>"$RAW"
        done ;;
      mosquitto)
        log "mosquitto_pub/sub $n messages"
        awk -v n="$n" -v s="$SERVICES" 'BEGIN { for (i = 0; i < n; i++)
          printf "{\"status\":\"%s\",\"detail\":\"seq=%d\",\"ts\":\"2026-11-23T00:00:00Z\"}\n", (int(i / s) % 2 ? "up" : "degraded"), i }' \
          >"$WORK/payloads.txt"
        topic="bench-mq-$rate/health"
        mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -t "$topic/#" -q 1 -C "$n" >/dev/null &
        sub=$!
        sleep 1
        (sleep 120; kill "$sub" 2>/dev/null) &
        watchdog=$!
        t0=$(date +%s.%N)
        # stdin stays open until the subscriber has them all: mosquitto_pub -l drops what is still queued
        # when its input ends, so it must not disconnect before then
        { cat "$WORK/payloads.txt"; while kill -0 "$sub" 2>/dev/null; do sleep 0.01; done; } |
          mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -t "$topic/svc-0" -q 1 -l
        t1=$(date +%s.%N)
        wait "$sub" || log "mosquitto_sub did not receive all $n messages within 120 s"
        kill "$watchdog" 2>/dev/null || true
        t_pub=$t1
        jq -nc --argjson n "$n" --argjson t0 "$t0" --argjson tp "$t_pub" --argjson t1 "$t1" --argjson rate "$rate" \
          '{way: "mosquitto", targetRate: $rate, sent: $n, sendRate: (($n / ($tp - $t0)) * 10 | round / 10),
            processedPerSecond: (($n / ($t1 - $t0)) * 10 | round / 10), seconds: (($t1 - $t0) * 1000 | round / 1000)}' >>"$RAW" ;;
      *) die "unknown way $way (direct, mosquitto, lifeboat)" ;;
    esac
    tail -1 "$RAW" >&2
  done
done
LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"
RSS=
if [ -n "$DAEMON_PID" ] && [ -r "/proc/$DAEMON_PID/status" ]; then
  RSS="$(awk '/VmHWM/ {printf "%.0f MB", $2 / 1024}' "/proc/$DAEMON_PID/status")"
fi

# ---------------------------------------------------------------- report
OUT="$RESULTS/event-throughput-$DAY.md"
COMMIT="$(git -C "$LIFEBOAT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
{
  echo "# Lifeboat event-throughput benchmark — $DAY"
  echo
  echo "Machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(mosquitto -h 2>/dev/null | head -1 | sed 's/ is .*//');"
  echo "$(java -version 2>&1 | head -1); Lifeboat @ $COMMIT (-Xmx$XMX)${RSS:+, daemon peak RSS $RSS}."
  echo "1-min load average: $LOAD_BEFORE before, $LOAD_AFTER after (the machine is shared)."
  echo
  echo "Each rate: ${WARMUP} s of the same load unmeasured, then ${SECONDS_PER_RATE} s measured; events spread over $SERVICES services"
  echo "(\`$PREFIX/health/svc-<n>\`), each alternating degraded/up so every event is a change; QoS 1 in and out;"
  echo "Mosquitto on loopback with max_inflight_messages 1000. Latency = publish → arrival, one clock (one process)."
  echo "Before the first rate the daemon had ${DAEMON_WARMUP} s of unmeasured load at 5000/s; each rate runs $REPEATS time(s) through"
  echo "Lifeboat. Load tool: HiveMQ client, JVM options \`$LOAD_OPTS\`. CPU columns: /proc/<pid>/stat over each measured window."
  echo "**lifeboat**: arrival of the matching \`{\"type\":\"health.changed\"}\` on \`$PREFIX/events\`."
  echo "**direct**: the same messages to a plain subscriber on the input topics (no Lifeboat): the broker's and client's ceiling."
  echo "**mosquitto**: \`mosquitto_pub -l -q 1\` → \`mosquitto_sub -q 1 -C N\`, the same number of messages, unpaced (throughput only:
from the first line sent until the subscriber has the last; its send rate column is the same figure)."
  echo
  echo "| rate/s | way | run | sent | send rate/s | processed/s | missing | p50 ms | p99 ms | max ms | Lifeboat CPU µs/event | cores: Lifeboat / broker / load tool |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  jq -r '[.targetRate, .way, (.run // "-"), .sent, .sendRate, .processedPerSecond, (.missing // "-"),
          (.p50Ms // "-"), (.p99Ms // "-"), (.maxMs // "-"),
          (if .way == "lifeboat" then (.cpu_lifeboat_usPerEvent // "-") else "-" end),
          (if .cpu_load_cores then "\(.cpu_lifeboat_cores // "-") / \(.cpu_broker_cores // "-") / \(.cpu_load_cores)" else "-" end)]
         | "| " + (map(tostring) | join(" | ")) + " |"' "$RAW"
  echo
  # per rate: the median run of the lifeboat way (by p99), and whether every run lost nothing
  jq -s -r 'map(select(.way == "lifeboat")) | group_by(.targetRate)[]
            | (sort_by(.p99Ms)) as $runs | $runs[(($runs | length) - 1) / 2 | floor] as $m
            | "\(.[0].targetRate) \($m.p99Ms) \($m.p50Ms) \(map(.missing) | add) \(map(.processedPerSecond / .targetRate) | min) \($runs | map(.p99Ms) | join(", "))"' "$RAW" \
    >"$WORK/medians.txt"
  if [ -s "$WORK/medians.txt" ]; then
    echo "Median run per rate (lifeboat way, $REPEATS run(s) each):"
    echo
    echo "| rate/s | median p99 ms | its p50 ms | missing (all runs) | p99 of each run, ms |"
    echo "|---|---|---|---|---|"
    while read -r rt p99 p50 miss _ all; do echo "| $rt | $p99 | $p50 | $miss | $all |"; done <"$WORK/medians.txt"
    echo
  fi
  best="$(awk '$4 == 0 && $5 >= 0.98 && $2 >= 0 && $2 < 50 {print $1}' "$WORK/medians.txt" 2>/dev/null | sort -n | tail -1)"
  if jq -e 'select(.way == "lifeboat")' "$RAW" >/dev/null 2>&1; then
    if [ -z "$(jq -r 'select(.way == "lifeboat" and .matched > 0) | .way' "$RAW")" ]; then
      echo "**No health.changed event came back**: this build does not publish them (the inbound health route is not in it)."
    elif [ -n "$best" ]; then
      echo "**Highest rate held (every run processed it with nothing missing, median run's p99 < 50 ms): $best events/s** (target: ≥ 10000 events/s)."
    else
      echo "**No rate was held (nothing missing in any run, median run's p99 < 50 ms)** (target: ≥ 10000 events/s)."
    fi
  fi
  echo
  echo "Raw figures (one JSON line per run):"
  echo
  echo '```'
  cat "$RAW"
  echo '```'
} >"$OUT"
log "wrote $OUT"
cat "$OUT"
