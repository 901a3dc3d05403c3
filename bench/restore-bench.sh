#!/usr/bin/env bash
# Lifeboat restore benchmark: the backup benchmark's database (lifeboat_bench, >= 1 GB, created with
# pgbench and random text if missing) is backed up once by Lifeboat into a loopback S3 server
# (s3proxy), then restored into a new database two ways, one after the other:
#   A. shell pipeline  createdb NEW && rclone cat s3:bench/<key> | zstd -d | pg_restore -d NEW
#   B. lifeboat        ./lifeboat restore latest:bench-db --into NEW
#                      (also checks the stored object's SHA-256 in the same pass)
#   C. lifeboat        the same with the target's validation query (select count(*) from bench_events),
#                      as a configured drill.validate makes every restore do
# Both run pg_restore with the same options (--no-owner --no-privileges --exit-on-error).
# The wall time of each, from the command's start to a usable database, is the RTO it achieves.
#
# Usage: bash bench/restore-bench.sh            (see bench/README.md)
# Environment (all optional): BENCH_RUNS (measured runs per way after one warm-up, default 3),
#   BENCH_XMX (Lifeboat's -Xmx, default 256m), BENCH_KEEP=1, PGHOST/PGPORT/PGUSER, and the
#   dataset settings of backup-bench.sh (BENCH_TEXT_ROWS, BENCH_PG_SCALE).
set -euo pipefail

# shellcheck source=bench/backup-bench.sh
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/backup-bench.sh" # its functions and settings; its main does not run

RESTORE_ARGS=(--no-owner --no-privileges --exit-on-error -h "$PGHOST" -p "$PGPORT" -U "$PGUSER")

# way_A / way_B take NEW_DB RUN_TAG; GNU time files go to $LOGS/<tag>.*
way_A() {
  createdb "$1" || return 1
  env -u AWS_CA_BUNDLE rclone cat "benchs3:$BUCKET/$ARTIFACT_KEY" 2>>"$LOGS/$2.rclone.err" \
    | /usr/bin/time -v -o "$LOGS/$2.zstd.time" zstd -q -d -c \
    | /usr/bin/time -v -o "$LOGS/$2.pg_restore.time" pg_restore "${RESTORE_ARGS[@]}" -d "$1" 2>>"$LOGS/$2.pg_restore.err"
}
way_B() { lifeboat_restore "$RUN_DIR/lifeboat.yaml" "$@"; }
way_C() { lifeboat_restore "$RUN_DIR/lifeboat-validate.yaml" "$@"; }
lifeboat_restore() { # CONFIG NEW_DB RUN_TAG
  local config="$1"; shift
  ( cd "$LIFEBOAT_ROOT" && LIFEBOAT_CONFIG="$config" BENCH_S3_KEY="$S3_KEY" BENCH_S3_SECRET="$S3_SECRET" \
      LIFEBOAT_JAVA_OPTS="-Xmx$XMX ${LIFEBOAT_JAVA_OPTS:-}" \
      /usr/bin/time -v -o "$LOGS/$2.lifeboat.time" ./lifeboat restore latest:bench-db --into "$1" \
      >"$LOGS/$2.lifeboat.out" 2>"$LOGS/$2.lifeboat.err" ) || {
    log "lifeboat restore failed: see $LOGS/$2.lifeboat.err"; tail -20 "$LOGS/$2.lifeboat.err" >&2; return 1; }
}

# one_run WAY RUN: restore into a new database, time it, check it, drop it (untimed); prints the seconds
one_run() {
  local way="$1" i="$2" t0 t1 db rows
  db="lifeboat_bench_restore_${way,,}_$i"
  dropdb --if-exists "$db" 2>/dev/null
  t0="$(now)"
  "way_$way" "$db" "$way-$i" || die "way $way run $i failed"
  t1="$(now)"
  rows="$(psql -d "$db" -qAtc "select count(*) from bench_events")"
  [ "$rows" = "$EXPECTED_ROWS" ] || die "way $way run $i: $rows rows in bench_events, expected $EXPECTED_ROWS"
  dropdb "$db"
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}'
}

# the ways take turns (a warm-up of each, then A1 B1 C1 A2 B2 C2 ...), so other work on the machine hits all alike
declare -A MEDIAN MIN MAX WALLS
run_ways() {
  local way i w
  declare -A all
  for way in A B C; do log "way $way warm-up: $(one_run "$way" warmup) s"; done
  for i in $(seq 1 "$RUNS"); do
    for way in A B C; do
      w="$(one_run "$way" "$i")"
      all[$way]="${all[$way]:-} $w"
      log "way $way run $i: $w s"
    done
  done
  for way in A B C; do
    # shellcheck disable=SC2086
    set -- ${all[$way]}
    MEDIAN[$way]="$(median "$@")" MIN[$way]="$(minimum "$@")" MAX[$way]="$(maximum "$@")" WALLS[$way]="$*"
  done
}

restore_main() {
  install_missing
  ensure_postgres
  mkdir -p "$WORK" "$RESULTS"
  RUN_DIR="$WORK/restore-run-$(date -u +%Y%m%dT%H%M%SZ)-$$"
  LOGS="$RUN_DIR/logs"
  mkdir -p "$LOGS" "$RUN_DIR/data"
  trap restore_cleanup EXIT
  trap 'exit 130' INT TERM

  create_db "$BIG_DB" "$PG_SCALE" "$TEXT_ROWS" "$MIN_BIG_DB_BYTES"
  EXPECTED_ROWS="$(psql -d "$BIG_DB" -qAtc "select count(*) from bench_events")"
  start_s3proxy
  export RCLONE_CONFIG_BENCHS3_TYPE=s3 RCLONE_CONFIG_BENCHS3_PROVIDER=Other \
         RCLONE_CONFIG_BENCHS3_ENDPOINT="$S3_ENDPOINT" RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID="$S3_KEY" \
         RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY="$S3_SECRET" RCLONE_CONFIG_BENCHS3_REGION=us-east-1 \
         RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE=true RCLONE_CONFIG=/dev/null
  cat >"$RUN_DIR/lifeboat.yaml" <<EOF
# written by bench/restore-bench.sh for one run; the S3 keys come from the environment
dataDir: $RUN_DIR/data
storage:
  primary: {type: s3, endpoint: "$S3_ENDPOINT", bucket: $BUCKET, accessKey: "\${BENCH_S3_KEY}", secretKey: "\${BENCH_S3_SECRET}"}
targets:
  bench-db:
    kind: postgres
    host: $PGHOST
    port: $PGPORT
    database: $BIG_DB
    user: $PGUSER
    schedule: "0 0 2 * * ?"
    rpo: 26h
EOF
  # the same store and target, with a validation query (way C)
  cp "$RUN_DIR/lifeboat.yaml" "$RUN_DIR/lifeboat-validate.yaml"
  echo '    drill: {validate: [{sql: "select count(*) from bench_events", min: '"$EXPECTED_ROWS"'}]}' \
    >>"$RUN_DIR/lifeboat-validate.yaml"

  log "backing up $BIG_DB with Lifeboat (once; both ways restore this backup)"
  ( cd "$LIFEBOAT_ROOT" && LIFEBOAT_CONFIG="$RUN_DIR/lifeboat.yaml" BENCH_S3_KEY="$S3_KEY" BENCH_S3_SECRET="$S3_SECRET" \
      LIFEBOAT_JAVA_OPTS="-Xmx$XMX" ./lifeboat backup bench-db --reason "restore benchmark" \
      >"$LOGS/backup.out" 2>"$LOGS/backup.err" ) || { tail -20 "$LOGS/backup.err" >&2; die "backup failed"; }
  local id; id="$(tail -1 "$LOGS/backup.out" | tr -d '[:space:]')"
  ARTIFACT_KEY="$(jq -r .artifactKey "$S3_DIR/$BUCKET/bench-db/$id/manifest.json")"
  local stored raw
  stored="$(jq -r .storedBytes "$S3_DIR/$BUCKET/bench-db/$id/manifest.json")"
  raw="$(jq -r .rawBytes "$S3_DIR/$BUCKET/bench-db/$id/manifest.json")"
  log "backup $id: $ARTIFACT_KEY, $(( stored / 1000000 )) MB stored, $(( raw / 1000000 )) MB raw"

  LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
  run_ways
  LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"

  # what Lifeboat's own incident report says of its last run (start to validated)
  local report rto_reported
  report="$(find "$S3_DIR/$BUCKET/bench-db/$id/reports" -name '*-restore.md' | sort | tail -1)"
  rto_reported="$(grep -o 'RTO achieved:\*\* [^(]*(\([0-9]*\) ms)' "$report" | grep -o '([0-9]* ms)' | tr -d '()')"
  local lb_rss; lb_rss="$(rss_mb "$LOGS/C-1.lifeboat.time")"

  local date_tag; date_tag="$(date -u +%Y-%m-%d)"
  local md="$RESULTS/restore-$date_tag.md"
  local cpu; cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  local rev; rev="$(git -C "$LIFEBOAT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  local mbraw; mbraw="$(fdiv "$raw" 1000000 %.0f)"
  {
    echo "# Lifeboat restore benchmark — $date_tag"
    echo
    echo "Machine: $(nproc) cores ($cpu); PostgreSQL $(psql -qAtc 'show server_version' | cut -d' ' -f1)," \
         "zstd $(zstd --version | grep -o 'v[0-9.]*'), rclone $(rclone_ version | head -1 | awk '{print $2}')," \
         "s3proxy $S3PROXY_VERSION (loopback), Lifeboat @ $rev (-Xmx$XMX)."
    echo
    echo "Backup restored: \`$BIG_DB\` ($EXPECTED_ROWS rows in bench_events), $(fdiv "$stored" 1000000 %.1f) MB stored" \
         "(zstd -3), $mbraw MB raw \`pg_dump -Fc\` archive, in the loopback S3 server."
    echo
    echo "1-min load average: $LOAD_BEFORE before the measured runs, $LOAD_AFTER after ($(nproc) cores)." \
         "The ways take turns run by run, so other work on the machine affects them alike."
    echo
    echo "RTO = wall time from the command's start until the new database is restored (and, for Lifeboat,"
    echo "its SHA-256 checked, and for C its validation query passed). Median of $RUNS runs each after one warm-up (min–max)."
    echo
    echo "| way | command | RTO s | MB/s (raw) |"
    echo "|---|---|---|---|"
    echo "| A. shell pipeline | \`createdb NEW && rclone cat … \| zstd -d \| pg_restore -d NEW\` | ${MEDIAN[A]} (${MIN[A]}–${MAX[A]}) | $(fdiv "$mbraw" "${MEDIAN[A]}" %.0f) |"
    echo "| B. lifeboat | \`./lifeboat restore latest:bench-db --into NEW\` | ${MEDIAN[B]} (${MIN[B]}–${MAX[B]}) | $(fdiv "$mbraw" "${MEDIAN[B]}" %.0f) |"
    echo "| C. lifeboat + validation | the same; the target has \`drill.validate: select count(*) from bench_events\` | ${MEDIAN[C]} (${MIN[C]}–${MAX[C]}) | $(fdiv "$mbraw" "${MEDIAN[C]}" %.0f) |"
    echo
    echo "**Lifeboat vs shell pipeline: $(fdiv "${MEDIAN[B]}" "${MEDIAN[A]}")× the wall time** ($(fdiv "${MEDIAN[C]}" "${MEDIAN[A]}")× with the validation query)."
    echo "Lifeboat also resolves the newest verified backup, checks the stored object's SHA-256 in the same"
    echo "pass, and records the run and an incident report; the pipeline does none of that."
    echo "Lifeboat's own report of its last run: RTO $rto_reported (its JVM start and exit are outside it);"
    echo "peak RSS of the Lifeboat process: $lb_rss MB."
    echo
    echo "All runs: A ${WALLS[A]} s; B ${WALLS[B]} s; C ${WALLS[C]} s."
  } >"$md"
  cat "$md"
  log "results: ${md#"$SCRIPT_DIR/"} (under bench/)"
}

restore_cleanup() {
  local rc=$?
  set +e
  for db in $(psql -qAtc "select datname from pg_database where datname like 'lifeboat_bench_restore_%'" 2>/dev/null); do
    dropdb --if-exists "$db" || true
  done
  (exit "$rc")
  cleanup # stops s3proxy, keeps the logs in bench/work/last-run-logs, removes the run folder; exits with rc
}

restore_main "$@"
