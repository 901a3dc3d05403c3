#!/usr/bin/env bash
# Lifeboat alert-storm benchmark (issue 5): 10,000 alerts over 60 s across 50 fingerprints into the real
# alert routing and delivery, towards a Telegram Bot API server on loopback (io.lifeboat.bench.AlertStorm).
# Reports notices per receiver, p99 from a critical alert's change to its Telegram request, and the heap.
# The notice queue is Redis when 127.0.0.1:6379 answers (the production setup), else the catalog.
# Usage: bash bench/alert-storm-bench.sh      env: BENCH_ALERTS (10000), BENCH_SECONDS (60), BENCH_XMX (256m),
#        BENCH_NO_BUILD=1 (use target/ as it is)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ALERTS="${BENCH_ALERTS:-10000}"
SECONDS_="${BENCH_SECONDS:-60}"
XMX="${BENCH_XMX:-256m}"
OUT="$ROOT/bench/results/alert-storm-$(date -u +%F).md"
WORK="$(mktemp -d /tmp/alert-storm.XXXXXX)"
trap 'rm -rf "$WORK"' EXIT
cd "$ROOT"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  mvn -q -B -o test-compile >&2
fi
mvn -q -B -o dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$WORK/cp.txt" >&2
REDIS_ARGS=()
if redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then REDIS_ARGS=(--redis redis://127.0.0.1:6379); fi
echo "[alert-storm] $ALERTS alerts over ${SECONDS_}s, -Xmx$XMX, queue: ${REDIS_ARGS[1]:-catalog}" >&2
java "-Xmx$XMX" -cp "target/classes:target/test-classes:$(cat "$WORK/cp.txt")" io.lifeboat.bench.AlertStorm \
  --alerts "$ALERTS" --seconds "$SECONDS_" "${REDIS_ARGS[@]}" 2>"$WORK/stderr.txt" | tail -1 >"$WORK/result.json"
grep -h 'critical latencies' "$WORK/stderr.txt" >&2 || true
RESULT="$(cat "$WORK/result.json")"
{
  echo "# Alert storm benchmark — $(date -u +%F)"
  echo
  echo "\`bash bench/alert-storm-bench.sh\` at $(date -u +%H:%M) UTC. Machine: $(nproc) cores, load before: $(cut -d' ' -f1-3 /proc/loadavg);"
  echo "$(java -version 2>&1 | head -1); -Xmx$XMX."
  echo
  echo "Storm: $ALERTS alerts over ${SECONDS_} s across 50 fingerprints into AlertRouting (the daemon's code):"
  echo "40 warnings (8 alertnames x 5 targets) to receiver \`phone\` (chat 100), grouped by alertname, group_wait 10s,"
  echo "group_interval 30s; 10 criticals (2 alertnames x 5 targets) to receiver \`pager\` (chat 200), one group each,"
  echo "group_wait 0s, group_interval 0s; each critical starts at a random moment, three resolve and fire again."
  echo "Both receivers are Telegram through camel-telegram at Telegram's 1 message a second per chat."
  echo
  echo "| figure | value |"
  echo "|---|---|"
  echo "$RESULT" | python3 -c 'import json,sys; [print(f"| {k} | {v} |") for k,v in json.load(sys.stdin).items()]'
  echo
  echo "Raw: \`$RESULT\`"
} >"$OUT"
echo "[alert-storm] results in $OUT" >&2
cat "$OUT"
