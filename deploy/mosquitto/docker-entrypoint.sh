#!/bin/sh
# Entry point for the eclipse-mosquitto image (deploy/compose.yaml, the tests' containers):
# initialises dynamic security once with the admin account from the environment, then runs
# the broker with deploy/mosquitto/mosquitto.conf. The server creates its own account
# through $CONTROL/dynamic-security/v1 with that admin, and writes the devices' accounts
# into /mosquitto/accounts/device-accounts (a volume it shares with this container); the
# broker re-reads that file on SIGHUP, which this script sends within a second of a change.
set -eu
DYNSEC=/mosquitto/data/dynamic-security.json
ACCOUNTS=/mosquitto/accounts/device-accounts
if [ ! -f "$DYNSEC" ]; then
  : "${MOSQUITTO_ADMIN_PASSWORD:?set MOSQUITTO_ADMIN_PASSWORD to initialise dynamic security}"
  mosquitto_ctrl dynsec init "$DYNSEC" "${MOSQUITTO_ADMIN_USERNAME:-gw-admin}" "$MOSQUITTO_ADMIN_PASSWORD" >/dev/null
  chown mosquitto:mosquitto "$DYNSEC" 2>/dev/null || true
  chmod 600 "$DYNSEC"
  echo "dynamic security initialised (admin ${MOSQUITTO_ADMIN_USERNAME:-gw-admin})"
fi
# The broker does not start without its password file: empty means no devices yet. The
# servers (another user) write it; their files are world-readable inside this volume only.
mkdir -p /mosquitto/accounts
[ -f "$ACCOUNTS" ] || : >"$ACCOUNTS"
chmod 777 /mosquitto/accounts 2>/dev/null || true

mosquitto -c /mosquitto/config/mosquitto.conf &
broker=$!
trap 'kill -TERM "$broker" 2>/dev/null' TERM INT

# Reload on change: the servers replace the file in one rename, so inode, size or mtime move.
(
  last="$(stat -c '%i %s %Y' "$ACCOUNTS" 2>/dev/null || true)"
  while kill -0 "$broker" 2>/dev/null; do
    sleep 1
    now="$(stat -c '%i %s %Y' "$ACCOUNTS" 2>/dev/null || true)"
    if [ "$now" != "$last" ]; then
      kill -HUP "$broker" 2>/dev/null || true
      last="$now"
    fi
  done
) &

wait "$broker"
