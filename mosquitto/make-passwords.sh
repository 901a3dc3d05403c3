#!/usr/bin/env bash
# Builds Mosquitto's password file (hashed with mosquitto_passwd) for the users mosquitto/acl names:
#   lifeboat       password from LIFEBOAT_MQTT_PASSWORD (Lifeboat reads the same variable)
#   homeassistant  password from HOMEASSISTANT_MQTT_PASSWORD
#   healthcheck    password from MOSQUITTO_HEALTHCHECK_PASSWORD (the broker container's health check)
#   one user per service in MQTT_SERVICES (space-separated, e.g. "db cache"): the service may publish
#   only lifeboat/health/<name>; its password from MQTT_PASSWORD_<NAME> (upper case, - and . as _)
# Values come from the environment, else from ./.env at the top of the repo, else a prompt (on a
# terminal); a missing password without a terminal is an error. No password is written anywhere but
# the hashed file.
#
# Usage: mosquitto/make-passwords.sh [OUTPUT]     (default mosquitto/passwd, git-ignored)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${1:-$here/passwd}"

command -v mosquitto_passwd >/dev/null || {
  echo "make-passwords: mosquitto_passwd not found (Debian/Ubuntu: apt-get install mosquitto)" >&2
  exit 1
}

# .env fills only what the environment does not set
env_file="$here/../.env"
if [ -f "$env_file" ]; then
  while IFS='=' read -r key value; do
    case "$key" in '' | \#*) continue ;; esac
    key="${key// /}"
    [[ "$key" =~ ^[A-Za-z_][A-Za-z0-9_]*$ ]] || continue
    if [ -z "${!key+x}" ]; then
      value="${value%\"}"; value="${value#\"}"
      export "$key=$value"
    fi
  done < "$env_file"
fi

password_for() { # USER VARIABLE -> prints the password
  local user="$1" var="$2" value="${!2:-}"
  if [ -z "$value" ]; then
    if [ -t 0 ]; then
      read -r -s -p "MQTT password for $user ($var): " value
      echo >&2
    fi
    if [ -z "$value" ]; then
      echo "make-passwords: no password for $user: set $var (environment or .env)" >&2
      exit 1
    fi
  fi
  printf '%s' "$value"
}

users=(lifeboat homeassistant healthcheck)
vars=(LIFEBOAT_MQTT_PASSWORD HOMEASSISTANT_MQTT_PASSWORD MOSQUITTO_HEALTHCHECK_PASSWORD)
for service in ${MQTT_SERVICES:-}; do
  if ! [[ "$service" =~ ^[A-Za-z0-9._-]{1,64}$ ]]; then
    echo "make-passwords: bad service name '$service' in MQTT_SERVICES (letters, digits, . _ -)" >&2
    exit 1
  fi
  case " ${users[*]} " in *" $service "*)
    echo "make-passwords: '$service' in MQTT_SERVICES is a reserved user name" >&2
    exit 1 ;;
  esac
  var="MQTT_PASSWORD_$(printf '%s' "$service" | tr 'a-z.-' 'A-Z__')"
  users+=("$service")
  vars+=("$var")
done

tmp="$(mktemp "$out.XXXXXX")"
trap 'rm -f "$tmp"' EXIT
: > "$tmp"
chmod 600 "$tmp"
for i in "${!users[@]}"; do
  pw="$(password_for "${users[$i]}" "${vars[$i]}")"
  mosquitto_passwd -b "$tmp" "${users[$i]}" "$pw"
done
mv "$tmp" "$out"
trap - EXIT
# the eclipse-mosquitto image runs the broker as uid 1883: let it read the file, nobody else
if [ "$(id -u)" = 0 ] && [ -z "${MOSQUITTO_KEEP_OWNER:-}" ]; then
  chown "${MOSQUITTO_UID:-1883}:${MOSQUITTO_UID:-1883}" "$out" 2>/dev/null || true
fi
echo "make-passwords: wrote $out for ${users[*]}"
if [ "$(id -u)" != 0 ]; then
  echo "make-passwords: the broker container runs as uid 1883: sudo chown 1883:1883 $out" >&2
fi
