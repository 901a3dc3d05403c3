#!/usr/bin/env bash
# Runs every test: fast unit tests, then integration tests against real PostgreSQL, Redis, Mosquitto
# and an S3 API server (s3proxy, which the tests start and stop themselves from the jar Maven fetches).
# Starts what is not running and installs the stock tools the tests call. Usage: bash scripts/test-all.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_pkgs=()
command -v zstd >/dev/null        || need_pkgs+=(zstd)
command -v pg_dump >/dev/null     || need_pkgs+=(postgresql-client)
command -v redis-cli >/dev/null   || need_pkgs+=(redis-tools)
command -v redis-server >/dev/null || need_pkgs+=(redis-server)
command -v mosquitto_sub >/dev/null || need_pkgs+=(mosquitto-clients)
command -v mosquitto >/dev/null || command -v /usr/sbin/mosquitto >/dev/null || need_pkgs+=(mosquitto)   # the broker, mosquitto_passwd (SecuredMosquittoIT)
command -v tar >/dev/null         || need_pkgs+=(tar)
command -v age >/dev/null         || need_pkgs+=(age)
command -v gpg >/dev/null         || need_pkgs+=(gnupg)
command -v chromium >/dev/null || need_pkgs+=(chromium)   # StatusPageIT drives the status page headless
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "test-all: installing ${need_pkgs[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
wait_port() { for _ in $(seq 1 50); do port_open "$1" && return 0; sleep 0.2; done; echo "test-all: nothing answers on 127.0.0.1:$1 ($2)" >&2; return 1; }

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "test-all: starting PostgreSQL"
  pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | sort -V | tail -1)" main start
  for _ in $(seq 1 50); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 0.2; done
fi
if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "test-all: starting Redis"
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
  wait_port 6379 redis
fi
if ! port_open 1883; then
  echo "test-all: starting Mosquitto"
  mosquitto -d -c /etc/mosquitto/mosquitto.conf
  wait_port 1883 mosquitto
fi

exec mvn -B -ntp verify "$@"
