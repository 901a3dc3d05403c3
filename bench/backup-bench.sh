#!/usr/bin/env bash
# Lifeboat backup benchmark: one PostgreSQL database (>= 1 GB, compresses about like real
# data) backed up four ways, all at zstd level 3, to a loopback S3 server (s3proxy):
#   1. floor              pg_dump -Fc -Z0 > /dev/null
#   2. compression limit  pg_dump -Fc -Z0 | zstd -3 -T2 > file          (no upload)
#   3. shell pipeline     pg_dump -Fc -Z0 | zstd -3 | rclone rcat s3:bucket/key
#   4. lifeboat           ./lifeboat backup bench-db   (includes its verification read-back)
# then Lifeboat again on a ~50 MB database to show its heap does not grow with the size.
#
# Usage: bash bench/backup-bench.sh            (see bench/README.md)
# Environment (all optional):
#   LIFEBOAT_ROOT      Lifeboat repo top holding ./lifeboat   (default: this script's parent dir)
#   BENCH_RUNS         measured runs per way after one warm-up (default 3; the median is reported)
#   BENCH_SKIP_LIFEBOAT=1   measure ways 1-3 only
#   BENCH_WAYS         which ways to run (default "1 2 3 4"; ratios need 1 and 2)
#   BENCH_XMX          Lifeboat's -Xmx (default 256m); LIFEBOAT_JAVA_OPTS is appended to it
#   BENCH_TEXT_ROWS    rows of the random-text table in the big database (default 5000000)
#   BENCH_PG_SCALE     pgbench scale of the big database (default 20)
#   BENCH_NO_BUILD=1   never build: run a snapshot of LIFEBOAT_ROOT/target/lifeboat.jar (+ lib/) with
#                      java -jar, as ./lifeboat would, instead of the launcher (which rebuilds a stale jar)
#   BENCH_KEEP=1       keep this run's work folder (s3 objects, logs) under bench/work/
#   PGHOST/PGPORT/PGUSER   PostgreSQL to use (default 127.0.0.1 / 5432 / postgres, trust auth)
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
LIFEBOAT_ROOT="$(cd "${LIFEBOAT_ROOT:-$SCRIPT_DIR/..}" && pwd)"
WORK="$SCRIPT_DIR/work"
RESULTS="$SCRIPT_DIR/results"
RUNS="${BENCH_RUNS:-3}"
XMX="${BENCH_XMX:-256m}"
PG_SCALE="${BENCH_PG_SCALE:-20}"
TEXT_ROWS="${BENCH_TEXT_ROWS:-5000000}"
BIG_DB=lifeboat_bench
SMALL_DB=lifeboat_bench_small
SMALL_PG_SCALE=1
SMALL_TEXT_ROWS=250000
MIN_BIG_DB_BYTES=$((1000 * 1000 * 1000))
DATASET_VERSION=1
S3PROXY_VERSION=4.1.0
BUCKET=bench

export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-postgres}"
export PGDATABASE=postgres

log() { printf '[bench %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- tools
install_missing() {
  local missing=() cmd pkg
  for pair in zstd:zstd rclone:rclone jq:jq /usr/bin/time:time curl:curl java:openjdk-17-jre-headless \
              mvn:maven psql:postgresql-client pg_ctlcluster:postgresql-common; do
    cmd="${pair%%:*}" pkg="${pair#*:}"
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$pkg")
  done
  ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || missing+=(postgresql)
  ls /usr/lib/postgresql/*/bin/pgbench >/dev/null 2>&1 || missing+=(postgresql-contrib)
  if [ "${#missing[@]}" -gt 0 ]; then
    log "installing missing Debian packages: ${missing[*]}"
    [ "$(id -u)" = 0 ] || die "need root (or: sudo apt-get install -y ${missing[*]})"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  PGBENCH="$(ls /usr/lib/postgresql/*/bin/pgbench 2>/dev/null | sort -V | tail -1)"
  [ -x "$PGBENCH" ] || PGBENCH="$(command -v pgbench)" || die "pgbench not found"
}

# rclone refuses to start while AWS_CA_BUNDLE is set; it is configured only through env vars.
rclone_() { env -u AWS_CA_BUNDLE rclone "$@"; }

# ---------------------------------------------------------------- PostgreSQL
ensure_postgres() {
  if ! pg_isready -q -h "$PGHOST" -p "$PGPORT"; then
    local ver
    ver="$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1)"
    [ -n "$ver" ] || die "no PostgreSQL cluster under /etc/postgresql"
    log "starting PostgreSQL $ver/main"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start
    for _ in $(seq 1 30); do pg_isready -q -h "$PGHOST" -p "$PGPORT" && break; sleep 1; done
  fi
  psql -qAtc 'select 1' >/dev/null || die "cannot connect to PostgreSQL as $PGUSER@$PGHOST:$PGPORT (trust auth expected)"
}

db_exists() { [ "$(psql -qAtc "select count(*) from pg_database where datname='$1'")" = 1 ]; }
db_bytes() { psql -qAtc "select pg_database_size('$1')"; }

# Random text that compresses about like real data (~2.5:1 with zstd -3 on its own):
# an id, a timestamp, a 32-hex reference and a sentence of 12 tokens from a small vocabulary.
text_insert_sql() { # table from to
  cat <<SQL
insert into $1 (id, created_at, ref, body)
select g,
       timestamptz '2024-01-01 00:00:00+00' + random() * interval '365 days',
       md5(random()::text),
       (select string_agg((array['alpha','bravo','charlie','delta','echo','foxtrot','golf','hotel',
          'india','juliet','kilo','lima','mike','november','oscar','papa','quebec','romeo','sierra',
          'tango','uniform','victor','whiskey','xray','yankee','zulu','order','invoice','customer',
          'shipped','pending','paid','refund','warehouse','berlin','paris','london','tokyo','error',
          'ok'])[1 + floor(random() * 40)::int] || floor(random() * 1000)::int::text, ' ')
        from generate_series(1, 12) where g > 0)
from generate_series($2, $3) g;
SQL
}

# create_db NAME PGBENCH_SCALE TEXT_ROWS MIN_BYTES: (re)creates the database unless it already
# holds this exact dataset (marker table bench_meta) and is at least MIN_BYTES big.
create_db() {
  local db="$1" scale="$2" rows="$3" min="$4"
  local spec="v$DATASET_VERSION pgbench_scale=$scale text_rows=$rows"
  if db_exists "$db"; then
    local have
    have="$(psql -d "$db" -qAtc "select spec from bench_meta" 2>/dev/null || true)"
    if [ "$have" = "$spec" ] && [ "$(db_bytes "$db")" -ge "$min" ]; then
      log "reusing database $db ($(( $(db_bytes "$db") / 1000000 )) MB, $spec)"
      return
    fi
    log "database $db does not hold the expected dataset ($have): recreating"
    dropdb "$db"
  fi
  log "creating database $db ($spec)"
  createdb "$db"
  "$PGBENCH" -i -q -s "$scale" "$db" >/dev/null 2>&1
  psql -d "$db" -qc "create table bench_events (id bigint not null, created_at timestamptz not null,
                       ref text not null, body text not null)"
  # two writers: this machine has two cores
  local half=$(( rows / 2 ))
  psql -d "$db" -qc "$(text_insert_sql bench_events 1 "$half")" &
  local p1=$!
  psql -d "$db" -qc "$(text_insert_sql bench_events $(( half + 1 )) "$rows")" &
  local p2=$!
  wait "$p1"; wait "$p2"
  psql -d "$db" -qc "alter table bench_events add primary key (id)"
  psql -d "$db" -qc "create table bench_meta (spec text not null); insert into bench_meta values ('$spec')"
  psql -d "$db" -qc "vacuum analyze"
  local size; size="$(db_bytes "$db")"
  log "database $db: $(( size / 1000000 )) MB"
  [ "$size" -ge "$min" ] || die "database $db is only $size bytes (wanted >= $min): raise BENCH_TEXT_ROWS"
}

# ---------------------------------------------------------------- s3proxy
free_port() {
  local p
  for _ in $(seq 1 50); do
    p=$(( 20000 + RANDOM % 40000 ))
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  die "no free port found"
}

S3PROXY_PID=""
start_s3proxy() {
  local jar="$WORK/s3proxy-$S3PROXY_VERSION-jar-with-dependencies.jar"
  if [ ! -f "$jar" ]; then
    log "fetching s3proxy $S3PROXY_VERSION with Maven"
    (cd "$WORK" && mvn -q -B dependency:copy \
        -Dartifact="org.gaul:s3proxy:$S3PROXY_VERSION:jar:jar-with-dependencies" -DoutputDirectory="$WORK") >&2
  fi
  S3_PORT="$(free_port)"
  S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
  S3_KEY="bench-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
  S3_SECRET="$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
  S3_DIR="$RUN_DIR/s3"
  mkdir -p "$S3_DIR/$BUCKET"          # filesystem store: a bucket is a folder
  umask 077
  cat >"$RUN_DIR/s3proxy.properties" <<EOF
s3proxy.endpoint=$S3_ENDPOINT
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_KEY
s3proxy.credential=$S3_SECRET
jclouds.provider=filesystem-nio2
jclouds.filesystem.basedir=$S3_DIR
EOF
  umask 022
  java -Xmx512m -jar "$jar" --properties "$RUN_DIR/s3proxy.properties" >"$RUN_DIR/s3proxy.log" 2>&1 &
  S3PROXY_PID=$!
  for _ in $(seq 1 60); do
    curl -s -o /dev/null "$S3_ENDPOINT/" && { log "s3proxy up on $S3_ENDPOINT (pid $S3PROXY_PID)"; return; }
    kill -0 "$S3PROXY_PID" 2>/dev/null || { cat "$RUN_DIR/s3proxy.log" >&2; die "s3proxy exited"; }
    sleep 0.5
  done
  die "s3proxy did not answer on $S3_ENDPOINT"
}

cleanup() {
  local rc=$?
  if [ -n "$S3PROXY_PID" ] && kill -0 "$S3PROXY_PID" 2>/dev/null; then
    kill "$S3PROXY_PID" 2>/dev/null || true
    wait "$S3PROXY_PID" 2>/dev/null || true
  fi
  if [ -n "${RUN_DIR:-}" ] && [ -d "$RUN_DIR" ]; then
    # keep the logs of the last run for inspection, drop the data
    rm -rf "$WORK/last-run-logs"; mkdir -p "$WORK/last-run-logs"
    cp -r "$RUN_DIR/logs/." "$WORK/last-run-logs/" 2>/dev/null || true
    cp "$RUN_DIR/s3proxy.log" "$WORK/last-run-logs/" 2>/dev/null || true
    if [ "${BENCH_KEEP:-0}" = 1 ]; then log "kept $RUN_DIR"; else rm -rf "$RUN_DIR"; fi
  fi
  exit "$rc"
}

# ---------------------------------------------------------------- measuring
now() { date +%s.%N; }
# peak RSS in MB from a GNU time -v output file
rss_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
minimum() { printf '%s\n' "$@" | sort -g | head -1; }
maximum() { printf '%s\n' "$@" | sort -g | tail -1; }
fdiv() { awk -v a="$1" -v b="$2" -v f="${3:-%.2f}" 'BEGIN {if (b == 0 || a == "" || b == "") print "n/a"; else printf f, a / b}'; }

# Peak heap from a unified GC log (-Xlog:gc*): every collection logs "BEFORE->AFTER(COMMITTED)";
# BEFORE is the heap in use when the collection started, i.e. the high-water mark since the
# previous one; AFTER of a young or full collection is what the program still held; the
# gc+heap+exit block gives the heap in use at exit.
# Prints "peak_used max_after_gc max_committed collections" in MiB (as the JVM logs them).
heap_stats() {
  awk '
    function mb(v, u) { return u == "K" ? v / 1024 : (u == "G" ? v * 1024 : (u == "B" ? v / 1048576 : v)) }
    /\[gc *\]/ && match($0, /[0-9]+[BKMG]->[0-9]+[BKMG]\([0-9]+[BKMG]\)/) {
      s = substr($0, RSTART, RLENGTH)
      split(s, p, /->|\(|\)/)
      b = mb(p[1] + 0, substr(p[1], length(p[1])))
      a = mb(p[2] + 0, substr(p[2], length(p[2])))
      c = mb(p[3] + 0, substr(p[3], length(p[3])))
      # Remark and Cleanup are phases of a concurrent cycle: they free (almost) nothing, so their
      # AFTER is not a post-collection figure; their BEFORE still counts for the peak
      if (b > peak) peak = b; if (c > comm) comm = c
      if ($0 ~ /Pause (Young|Full)/) { if (a > after) after = a; n++ }
    }
    /gc,heap,exit/ && match($0, /total [0-9]+K, used [0-9]+K/) {
      split(substr($0, RSTART, RLENGTH), q, /[ K,]+/); exitused += q[4] / 1024; exitcomm += q[2] / 1024
    }
    END {
      if (exitused > peak) peak = exitused; if (exitcomm > comm) comm = exitcomm
      printf "%.0f %.0f %.0f %d\n", peak, after, comm, n
    }' "$1"
}

DUMP_ARGS=(-Fc -Z0 -h "$PGHOST" -p "$PGPORT" -U "$PGUSER")

# Each way_N takes DB RUN_TAG; writes GNU time files into $LOGS/<tag>.*; prints the stored object path or "-".
way_1() { /usr/bin/time -v -o "$LOGS/$2.pg_dump.time" pg_dump "${DUMP_ARGS[@]}" "$1" >/dev/null || return 1; echo -; }
way_2() {
  local out="$RUN_DIR/local/$2.dump.zst"
  /usr/bin/time -v -o "$LOGS/$2.pg_dump.time" pg_dump "${DUMP_ARGS[@]}" "$1" \
    | /usr/bin/time -v -o "$LOGS/$2.zstd.time" zstd -q -3 -T2 -c >"$out" || return 1
  echo "$out"
}
way_3() {
  local key="shell/$2.dump.zst"
  /usr/bin/time -v -o "$LOGS/$2.pg_dump.time" pg_dump "${DUMP_ARGS[@]}" "$1" \
    | /usr/bin/time -v -o "$LOGS/$2.zstd.time" zstd -q -3 -c \
    | /usr/bin/time -v -o "$LOGS/$2.rclone.time" env -u AWS_CA_BUNDLE rclone rcat "benchs3:$BUCKET/$key" 2>>"$LOGS/$2.rclone.err" || return 1
  echo "$S3_DIR/$BUCKET/$key"
}
way_4() { # DB is the Lifeboat target name here
  local target="$1" LIFEBOAT_CMD=(./lifeboat)
  # shellcheck disable=SC2206  # the launcher splits LIFEBOAT_JAVA_OPTS the same way
  [ -z "${LIFEBOAT_JAR:-}" ] || LIFEBOAT_CMD=(env LIFEBOAT_HOME="$LIFEBOAT_ROOT" java
      "-Xmx$XMX" "-Xlog:gc*:file=$LOGS/$2.gc.log:uptime,level,tags" ${LIFEBOAT_JAVA_OPTS:-} -jar "$LIFEBOAT_JAR")
  ( cd "$LIFEBOAT_ROOT" && LIFEBOAT_CONFIG="$RUN_DIR/lifeboat.yaml" BENCH_S3_KEY="$S3_KEY" BENCH_S3_SECRET="$S3_SECRET" \
      LIFEBOAT_JAVA_OPTS="-Xmx$XMX -Xlog:gc*:file=$LOGS/$2.gc.log:uptime,level,tags ${LIFEBOAT_JAVA_OPTS:-}" \
      /usr/bin/time -v -o "$LOGS/$2.lifeboat.time" "${LIFEBOAT_CMD[@]}" backup "$target" --reason benchmark \
      >"$LOGS/$2.lifeboat.out" 2>"$LOGS/$2.lifeboat.err" ) || {
    log "lifeboat backup $target failed (exit $?): see $LOGS/$2.lifeboat.err"; tail -20 "$LOGS/$2.lifeboat.err" >&2; return 1; }
  local id; id="$(grep -v '^\s*$' "$LOGS/$2.lifeboat.out" | tail -1 | tr -d '[:space:]')"
  if [ ! -d "$S3_DIR/$BUCKET/$target/$id" ]; then
    # backup ids sort by time: fall back to the newest backup folder of the target
    local newest; newest="$(ls -1 "$S3_DIR/$BUCKET/$target" 2>/dev/null | sort | tail -1)"
    [ -n "$newest" ] || { log "lifeboat printed '$id' and there is no backup of $target in the bucket"; return 1; }
    log "warning: lifeboat's last stdout line '$id' is not a backup folder; using the newest, $newest"
    id="$newest"
  fi
  local obj; obj="$(find "$S3_DIR/$BUCKET/$target/$id" -maxdepth 1 -type f -name 'data.*' 2>/dev/null | head -1)"
  [ -n "$obj" ] || { log "no data.* object under $target/$id in the bucket"; return 1; }
  [ -f "$S3_DIR/$BUCKET/$target/$id/manifest.json" ] || log "warning: no manifest.json next to $obj"
  echo "$obj"
}

# measure WAY_NO NAME DB: one warm-up, then $RUNS runs; sets globals R_* describing the median run.
measure() {
  local no="$1" name="$2" db="$3" i t0 t1 obj walls=() stored=() tags=()
  log "way $no ($name) on $db: warm-up"
  way_"$no" "$db" "w$no-$db-warmup" >/dev/null || return 1
  for i in $(seq 1 "$RUNS"); do
    t0="$(now)"
    obj="$(way_"$no" "$db" "w$no-$db-r$i")" || return 1
    t1="$(now)"
    walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
    if [ "$obj" = - ]; then stored+=(0); else stored+=("$(stat -c %s "$obj")"); fi
    tags+=("w$no-$db-r$i")
    log "way $no run $i: ${walls[-1]} s"
  done
  R_WALLS="${walls[*]}"
  R_MEDIAN="$(median "${walls[@]}")"
  R_MIN="$(minimum "${walls[@]}")"
  R_MAX="$(maximum "${walls[@]}")"
  R_STORED="$(maximum "${stored[@]}")"
  # the run whose time is the median (for RSS / heap figures)
  R_TAG="${tags[0]}"
  for i in "${!walls[@]}"; do [ "${walls[$i]}" = "$R_MEDIAN" ] && R_TAG="${tags[$i]}"; done
  local f rss=()
  for f in "$LOGS/$R_TAG".*.time; do rss+=("$(basename "$f" .time | sed "s/^$R_TAG\.//")=$(rss_mb "$f")"); done
  R_RSS="${rss[*]}"
}

# ---------------------------------------------------------------- main
main() {
  install_missing
  ensure_postgres
  mkdir -p "$WORK" "$RESULTS"
  RUN_DIR="$WORK/run-$(date -u +%Y%m%dT%H%M%SZ)-$$"
  LOGS="$RUN_DIR/logs"
  mkdir -p "$LOGS" "$RUN_DIR/local" "$RUN_DIR/data"
  trap cleanup EXIT
  trap 'exit 130' INT TERM

  create_db "$BIG_DB" "$PG_SCALE" "$TEXT_ROWS" "$MIN_BIG_DB_BYTES"
  create_db "$SMALL_DB" "$SMALL_PG_SCALE" "$SMALL_TEXT_ROWS" 1

  # raw dump size (what all MB/s figures are of) and compressibility, also warms the page cache
  log "measuring the raw dump sizes"
  local raw_big raw_small
  raw_big="$(pg_dump "${DUMP_ARGS[@]}" "$BIG_DB" | wc -c)"
  raw_small="$(pg_dump "${DUMP_ARGS[@]}" "$SMALL_DB" | wc -c)"
  local db_big db_small; db_big="$(db_bytes "$BIG_DB")"; db_small="$(db_bytes "$SMALL_DB")"
  # compressibility of the random-text table alone (COPY text), for the record
  local text_raw text_zst
  text_raw="$(psql -d "$BIG_DB" -qAtc "copy (select * from bench_events limit 200000) to stdout" | tee "$RUN_DIR/local/text-sample" | wc -c)"
  text_zst="$(zstd -q -3 -c "$RUN_DIR/local/text-sample" | wc -c)"; rm -f "$RUN_DIR/local/text-sample"

  start_s3proxy
  LOAD_BEFORE="$(cut -d' ' -f1 /proc/loadavg)"
  export RCLONE_CONFIG_BENCHS3_TYPE=s3 RCLONE_CONFIG_BENCHS3_PROVIDER=Other \
         RCLONE_CONFIG_BENCHS3_ENDPOINT="$S3_ENDPOINT" RCLONE_CONFIG_BENCHS3_ACCESS_KEY_ID="$S3_KEY" \
         RCLONE_CONFIG_BENCHS3_SECRET_ACCESS_KEY="$S3_SECRET" RCLONE_CONFIG_BENCHS3_REGION=us-east-1 \
         RCLONE_CONFIG_BENCHS3_FORCE_PATH_STYLE=true RCLONE_CONFIG=/dev/null

  cat >"$RUN_DIR/lifeboat.yaml" <<EOF
# written by bench/backup-bench.sh for one run; the S3 keys come from the environment
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
  bench-small:
    kind: postgres
    host: $PGHOST
    port: $PGPORT
    database: $SMALL_DB
    user: $PGUSER
    schedule: "0 0 2 * * ?"
    rpo: 26h
EOF

  local lifeboat_ok=1 lifeboat_note=""
  if [ "${BENCH_SKIP_LIFEBOAT:-0}" = 1 ]; then
    lifeboat_ok=0 lifeboat_note="skipped (BENCH_SKIP_LIFEBOAT=1)"
  elif [ ! -x "$LIFEBOAT_ROOT/lifeboat" ]; then
    lifeboat_ok=0 lifeboat_note="no ./lifeboat launcher in $LIFEBOAT_ROOT"
  elif [ "${BENCH_NO_BUILD:-0}" = 1 ]; then
    if [ ! -f "$LIFEBOAT_ROOT/target/lifeboat.jar" ]; then
      lifeboat_ok=0 lifeboat_note="no target/lifeboat.jar and BENCH_NO_BUILD=1"
    else
      # a consistent copy, in case the checkout is rebuilt while the benchmark runs
      mkdir -p "$RUN_DIR/jar"
      cp "$LIFEBOAT_ROOT/target/lifeboat.jar" "$RUN_DIR/jar/"
      [ ! -d "$LIFEBOAT_ROOT/target/lib" ] || cp -r "$LIFEBOAT_ROOT/target/lib" "$RUN_DIR/jar/"
      LIFEBOAT_JAR="$RUN_DIR/jar/lifeboat.jar"
      if [ -n "$(find "$LIFEBOAT_ROOT/src/main" "$LIFEBOAT_ROOT/pom.xml" -newer "$LIFEBOAT_ROOT/target/lifeboat.jar" -print -quit 2>/dev/null)" ]; then
        lifeboat_note="ran target/lifeboat.jar as built, which is older than some sources (BENCH_NO_BUILD=1)"
      fi
    fi
  fi

  declare -A W M MN MX S RSS TAG ALL
  local no names=([1]="floor" [2]="compression limit" [3]="shell pipeline" [4]="lifeboat")
  for no in ${BENCH_WAYS:-1 2 3 4}; do
    if [ "$no" = 4 ]; then
      [ "$lifeboat_ok" = 1 ] || { log "way 4: $lifeboat_note"; continue; }
      measure 4 "${names[4]}" bench-db || { lifeboat_ok=0 lifeboat_note="lifeboat backup failed (see bench/work/last-run-logs)"; continue; }
    else
      measure "$no" "${names[$no]}" "$BIG_DB"
    fi
    M[$no]="$R_MEDIAN" MN[$no]="$R_MIN" MX[$no]="$R_MAX" S[$no]="$R_STORED" RSS[$no]="$R_RSS" TAG[$no]="$R_TAG" ALL[$no]="$R_WALLS"
  done

  # Lifeboat's heap on the big and the small database
  local heap_big="" heap_small="" small_median="" small_stored="" small_rss=""
  if [ "$lifeboat_ok" = 1 ]; then
    heap_big="$(heap_stats "$LOGS/${TAG[4]}.gc.log")"
    if measure 4 "lifeboat (small db)" bench-small; then
      small_median="$R_MEDIAN" small_stored="$R_STORED" small_rss="$R_RSS"
      heap_small="$(heap_stats "$LOGS/$R_TAG.gc.log")"
    else
      lifeboat_note="small-database run failed"
    fi
  fi

  # ---------------------------------------------------------------- report
  LOAD_AFTER="$(cut -d' ' -f1 /proc/loadavg)"
  local load_note=""
  if awk -v a="$LOAD_BEFORE" -v b="$LOAD_AFTER" -v c="$(nproc)" 'BEGIN {exit !(a > c / 2 || b > c * 1.5)}'; then
    load_note="**Warning: the machine was busy with other work (1-min load average $LOAD_BEFORE before the measured runs, $LOAD_AFTER after, on $(nproc) cores): absolute figures are pessimistic and noisy; compare ratios.**"
    log "warning: load average $LOAD_BEFORE / $LOAD_AFTER on $(nproc) cores: other work was running"
  fi
  local date_tag; date_tag="$(date -u +%Y-%m-%d)"
  local md="$RESULTS/backup-$date_tag.md" json="$RESULTS/backup-latest.json"
  local mbraw; mbraw="$(fdiv "$raw_big" 1000000 %.0f)"
  local cpu; cpu="$(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo)"
  local rev; rev="$(git -C "$LIFEBOAT_ROOT" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  {
    echo "# Lifeboat backup benchmark — $date_tag"
    echo
    echo "Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo) RAM;" \
         "PostgreSQL $(psql -qAtc 'show server_version' | cut -d' ' -f1), zstd $(zstd --version | grep -o 'v[0-9.]*'), rclone $(rclone_ version | head -1 | awk '{print $2}'), s3proxy $S3PROXY_VERSION (filesystem-nio2, loopback), Lifeboat @ $rev."
    echo
    echo "Dataset \`$BIG_DB\`: database $(fdiv "$db_big" 1000000 %.0f) MB, raw dump (\`pg_dump -Fc -Z0\`) $mbraw MB;" \
         "pgbench scale $PG_SCALE + \`bench_events\` ($TEXT_ROWS rows of random text, which alone compresses $(fdiv "$text_raw" "$text_zst"):1 with zstd -3)."
    echo "Whole dump with zstd -3: $(fdiv "$raw_big" "${S[2]:-}"):1."
    echo
    echo "1-min load average: $LOAD_BEFORE before the measured runs, $LOAD_AFTER after."
    [ -z "$load_note" ] || { echo; echo "$load_note"; }
    echo
    echo "Wall time: median of $RUNS runs after one warm-up (min–max in brackets). MB = 10^6 bytes; MB/s is of the raw dump size."
    echo "Slowdown = wall time / wall time of the floor (way 1) or of the compression limit (way 2)."
    echo
    echo "| # | way | wall s | MB/s | stored MB | ratio | vs floor | vs compression limit | peak RSS MB |"
    echo "|---|-----|--------|------|-----------|-------|----------|----------------------|-------------|"
    for no in 1 2 3 4; do
      if [ -z "${M[$no]:-}" ]; then
        local why="not run"; [ "$no" != 4 ] || [ -z "$lifeboat_note" ] || why="$lifeboat_note"
        echo "| $no | ${names[$no]}: $why | — | — | — | — | — | — | — |"; continue
      fi
      local stored_mb ratio
      if [ "${S[$no]}" = 0 ]; then stored_mb="—" ratio="—"; else stored_mb="$(fdiv "${S[$no]}" 1000000 %.1f)" ratio="$(fdiv "$raw_big" "${S[$no]}"):1"; fi
      echo "| $no | ${names[$no]} | ${M[$no]} (${MN[$no]}–${MX[$no]}) | $(fdiv "$mbraw" "${M[$no]}" %.0f) | $stored_mb | $ratio |" \
           "$(fdiv "${M[$no]}" "${M[1]:-}")× | $(fdiv "${M[$no]}" "${M[2]:-}")× | ${RSS[$no]} |"
    done
    echo
    if [ -n "${M[4]:-}" ]; then
      [ -z "$lifeboat_note" ] || { echo "Note on way 4: $lifeboat_note."; echo; }
      echo "**Lifeboat vs shell pipeline: $(fdiv "${M[4]}" "${M[3]:-}")× the wall time** (Lifeboat's time includes its verification read-back of the stored object; the pipeline verifies nothing)."
      echo
      read -r pk af cm n <<<"$heap_big"
      echo "Lifeboat heap (-Xmx$XMX, from -Xlog:gc*; peak = heap in use when a collection started or at exit; after GC = the most still held after a young or full collection; the median run of each):"
      echo
      echo "| database | raw dump MB | wall s | peak heap used MiB | max heap after GC MiB | young/full GCs | peak RSS MB |"
      echo "|---|---|---|---|---|---|---|"
      echo "| $BIG_DB | $mbraw | ${M[4]} | $pk | $af | $n | ${RSS[4]#lifeboat=} |"
      if [ -n "$heap_small" ]; then
        read -r pk af cm n <<<"$heap_small"
        echo "| $SMALL_DB | $(fdiv "$raw_small" 1000000 %.0f) | $small_median | $pk | $af | $n | ${small_rss#lifeboat=} |"
      fi
    else
      echo "Way 4 (Lifeboat): $lifeboat_note."
    fi
  } >"$md"

  local ways_json="[]"
  for no in 1 2 3 4; do
    [ -n "${M[$no]:-}" ] || continue
    ways_json="$(jq -c --argjson no "$no" --arg name "${names[$no]}" --argjson median "${M[$no]}" \
      --argjson min "${MN[$no]}" --argjson max "${MX[$no]}" --arg walls "${ALL[$no]}" --argjson stored "${S[$no]}" \
      --argjson raw "$raw_big" --argjson floor "${M[1]:-0}" --argjson lim "${M[2]:-0}" --arg rss "${RSS[$no]}" '
      . + [{way: $no, name: $name, wall_s_median: $median, wall_s_min: $min, wall_s_max: $max,
            wall_s_runs: ($walls | split(" ") | map(tonumber)),
            mb_per_s: ($raw / 1e6 / $median), stored_bytes: (if $stored == 0 then null else $stored end),
            compression_ratio: (if $stored == 0 then null else $raw / $stored end),
            vs_floor: (if $floor == 0 then null else $median / $floor end), vs_compression_limit: (if $lim == 0 then null else $median / $lim end),
            peak_rss_mb: ($rss | split(" ") | map(split("=") | {(.[0]): (.[1] | tonumber)}) | add)}]' <<<"$ways_json")"
  done
  heap_obj() { [ -n "$1" ] || { echo null; return; }; read -r a b c d <<<"$1"; jq -nc --argjson a "$a" --argjson b "$b" --argjson c "$c" --argjson d "$d" '{peak_used_mib: $a, max_after_gc_mib: $b, max_committed_mib: $c, young_full_gc_count: $d}'; }
  jq -n --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg rev "$rev" --argjson cores "$(nproc)" --arg cpu "$cpu" \
     --argjson runs "$RUNS" --arg xmx "$XMX" --argjson raw "$raw_big" --argjson rawsmall "$raw_small" \
     --argjson dbbig "$db_big" --argjson dbsmall "$db_small" --argjson traw "$text_raw" --argjson tzst "$text_zst" \
     --argjson ways "$ways_json" --argjson hb "$(heap_obj "$heap_big")" --argjson hs "$(heap_obj "$heap_small")" \
     --arg smallwall "${small_median:-}" --arg smallstored "${small_stored:-}" --arg note "$lifeboat_note" \
     --arg scale "$PG_SCALE" --arg rows "$TEXT_ROWS" --arg l0 "$LOAD_BEFORE" --arg l1 "$LOAD_AFTER" '
    {date: $date, lifeboat_rev: $rev, cores: $cores, cpu: $cpu, runs_per_way: $runs, statistic: "median",
     loadavg_1min: {before: ($l0 | tonumber), after: ($l1 | tonumber)},
     dataset: {database: "lifeboat_bench", pgbench_scale: ($scale | tonumber), text_rows: ($rows | tonumber),
               database_bytes: $dbbig, raw_dump_bytes: $raw, text_table_zstd3_ratio: ($traw / $tzst)},
     ways: $ways,
     lifeboat: {xmx: $xmx, note: (if $note == "" then null else $note end), heap_big: $hb,
                small: {database: "lifeboat_bench_small", database_bytes: $dbsmall, raw_dump_bytes: $rawsmall,
                        wall_s_median: (if $smallwall == "" then null else ($smallwall | tonumber) end),
                        stored_bytes: (if $smallstored == "" then null else ($smallstored | tonumber) end),
                        heap: $hs}}}' >"$json"

  cat "$md"
  log "results: ${md#"$SCRIPT_DIR/"} and ${json#"$SCRIPT_DIR/"} (under bench/)"
}

# run only when executed, not when sourced (bench/restore-bench.sh reuses the functions above)
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  main "$@"
fi
