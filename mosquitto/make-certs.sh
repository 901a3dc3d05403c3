#!/usr/bin/env bash
# Makes a private CA and a server certificate for Mosquitto's TLS listener (port 8883):
#   certs/ca.crt      the CA: give it to clients (Lifeboat: mqtt.caFile; mosquitto_sub --cafile)
#   certs/ca.key      the CA's key: keep it off the broker, it signs new server certificates
#   certs/server.crt  certs/server.key   the broker's certificate and key
# The server certificate names localhost, mosquitto (its compose service name) and every name in
# MQTT_TLS_NAMES (space-separated DNS names or IP addresses clients use to reach the broker).
#
# Usage: mosquitto/make-certs.sh [OUTPUT_DIR]    (default mosquitto/certs, git-ignored)
# Environment: MQTT_TLS_NAMES, MQTT_TLS_DAYS (default 825), MOSQUITTO_UID (default 1883)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
dir="${1:-$here/certs}"
days="${MQTT_TLS_DAYS:-825}"
mkdir -p "$dir"
cd "$dir"

san="DNS:localhost,DNS:mosquitto,IP:127.0.0.1"
for name in ${MQTT_TLS_NAMES:-}; do
  if [[ "$name" =~ ^[0-9.]+$ || "$name" == *:* ]]; then san="$san,IP:$name"; else san="$san,DNS:$name"; fi
done

if [ ! -f ca.key ]; then
  openssl req -x509 -newkey rsa:3072 -sha256 -nodes -days 3650 \
    -subj "/CN=Lifeboat MQTT CA" -keyout ca.key -out ca.crt 2>/dev/null
fi
openssl req -newkey rsa:2048 -sha256 -nodes -subj "/CN=mosquitto" \
  -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=%s\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' "$san" > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -sha256 -days "$days" \
  -extfile server.ext -out server.crt 2>/dev/null
rm -f server.csr server.ext ca.srl
chmod 600 ca.key server.key
chmod 644 ca.crt server.crt
if [ "$(id -u)" = 0 ] && [ -z "${MOSQUITTO_KEEP_OWNER:-}" ]; then
  chown "${MOSQUITTO_UID:-1883}" server.key 2>/dev/null || true
fi
echo "make-certs: $dir/server.crt for $san (CA $dir/ca.crt, $days days)"
