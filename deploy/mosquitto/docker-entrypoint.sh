#!/bin/sh
# Entry point for the eclipse-mosquitto image (deploy/compose.yaml, the tests' containers):
# initialises dynamic security once with the admin account from the environment, then runs
# the broker with deploy/mosquitto/mosquitto.conf. The server creates its own account and
# the devices' accounts through $CONTROL/dynamic-security/v1 with that admin.
set -eu
DYNSEC=/mosquitto/data/dynamic-security.json
if [ ! -f "$DYNSEC" ]; then
  : "${MOSQUITTO_ADMIN_PASSWORD:?set MOSQUITTO_ADMIN_PASSWORD to initialise dynamic security}"
  mosquitto_ctrl dynsec init "$DYNSEC" "${MOSQUITTO_ADMIN_USERNAME:-gw-admin}" "$MOSQUITTO_ADMIN_PASSWORD" >/dev/null
  chown mosquitto:mosquitto "$DYNSEC" 2>/dev/null || true
  chmod 600 "$DYNSEC"
  echo "dynamic security initialised (admin ${MOSQUITTO_ADMIN_USERNAME:-gw-admin})"
fi
exec mosquitto -c /mosquitto/config/mosquitto.conf
