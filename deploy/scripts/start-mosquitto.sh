#!/usr/bin/env bash
# The project's Mosquitto on a bare host (developer machine, CI):
#   start | stop | status | restart | prune-devices | clear-sessions
#
# Runs deploy/mosquitto/mosquitto.conf, rendered for this host into .data/mosquitto/ (only
# the listener address, file locations and plugin path change), on
# 127.0.0.1:${GW_MOSQUITTO_PORT:-1885} — never the machine's own broker on 1883.
# Dynamic security is initialised on first start with a generated admin password kept in
# .data/mosquitto/admin-password (never committed). Device accounts go in the password file
# .data/mosquitto/device-accounts, which the server writes (MQTT_ACCOUNTS_FILE) before
# sending the broker SIGHUP (MQTT_BROKER_PID_FILE = .data/mosquitto/mosquitto.pid).
#
#   GW_MOSQUITTO_PORT   listener port (default 1885)
#   GW_DATA_DIR         data directory (default <repo>/.data)
#   GW_MOSQUITTO_SESSION_EXPIRY  persistent_client_expiration (default 1h, the shortest
#                       Mosquitto accepts): test runs abandon many persistent sessions, each
#                       of which would otherwise queue every device message for a week
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
PORT="${GW_MOSQUITTO_PORT:-1885}"
DATA="${GW_DATA_DIR:-$ROOT/.data}"
DIR="$DATA/mosquitto"
CONF_SRC="$ROOT/deploy/mosquitto/mosquitto.conf"
CONF="$DIR/mosquitto.conf"
PID_FILE="$DIR/mosquitto.pid"
LOG_FILE="$DIR/mosquitto.log"
DYNSEC="$DIR/dynamic-security.json"
# Device accounts: the server writes this password file and sends SIGHUP (the pid file).
ACCOUNTS="$DIR/device-accounts"
ACL="$ROOT/deploy/mosquitto/acl"
SESSION_EXPIRY="${GW_MOSQUITTO_SESSION_EXPIRY:-1h}"
ADMIN_USER="gw-admin"
ADMIN_PW_FILE="$DIR/admin-password"

log() { echo "[mosquitto:$PORT] $*"; }
die() {
  echo "[mosquitto:$PORT] ERROR: $*" >&2
  exit 1
}

[[ "$PORT" =~ ^[0-9]+$ ]] || die "GW_MOSQUITTO_PORT must be a port number, got '$PORT'"
[[ "$PORT" != 1883 ]] || die "port 1883 belongs to the machine's own Mosquitto; choose another GW_MOSQUITTO_PORT"

require() {
  command -v "$1" >/dev/null 2>&1 || die "'$1' not found: install Debian's mosquitto and mosquitto-clients (apt-get install mosquitto mosquitto-clients)"
}

# The dynamic-security plugin shipped with this machine's Mosquitto.
plugin_path() {
  local p
  for p in /usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so /usr/lib/*/mosquitto_dynamic_security.so \
    /usr/lib/mosquitto_dynamic_security.so /usr/local/lib/mosquitto_dynamic_security.so; do
    [[ -f "$p" ]] && { echo "$p"; return 0; }
  done
  p="$(dpkg -L mosquitto 2>/dev/null | grep -m1 'mosquitto_dynamic_security\.so$' || true)"
  [[ -n "$p" && -f "$p" ]] && { echo "$p"; return 0; }
  die "mosquitto_dynamic_security.so not found (is Debian's mosquitto 2.x installed?)"
}

# Pid of the process listening on 127.0.0.1:$PORT, empty when the port is free.
listener_pid() {
  ss -Hltnp "sport = :$PORT" 2>/dev/null | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2 || true
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

is_ours() {
  local pid="$1"
  [[ -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "-c $CONF"
}

render_config() {
  mkdir -p "$DIR"
  chmod 700 "$DIR"
  local plugin user
  plugin="$(plugin_path)"
  user="$(id -un)"
  {
    echo "# Rendered by deploy/scripts/start-mosquitto.sh from deploy/mosquitto/mosquitto.conf; do not edit."
    echo "pid_file $PID_FILE"
    # Stay the invoking user: as root, Mosquitto would switch to 'mosquitto', which cannot
    # write this checkout's data directory.
    echo "user $user"
    sed -e "s|^listener .*|listener $PORT 127.0.0.1|" \
      -e "s|^persistence_location .*|persistence_location $DIR/|" \
      -e "s|^log_dest .*|log_dest file $LOG_FILE|" \
      -e "s|^plugin .*|plugin $plugin|" \
      -e "s|^plugin_opt_config_file .*|plugin_opt_config_file $DYNSEC|" \
      -e "s|^password_file .*|password_file $ACCOUNTS|" \
      -e "s|^acl_file .*|acl_file $ACL|" \
      -e "s|^persistent_client_expiration .*|persistent_client_expiration $SESSION_EXPIRY|" \
      "$CONF_SRC"
  } >"$CONF.tmp"
  local key
  for key in "listener $PORT 127.0.0.1" "persistence_location $DIR/" "plugin $plugin" \
    "plugin_opt_config_file $DYNSEC" "persistent_client_expiration $SESSION_EXPIRY" \
    "password_file $ACCOUNTS" "acl_file $ACL"; do
    grep -qxF "$key" "$CONF.tmp" || die "rendering $CONF_SRC failed: no line '$key' (was a setting renamed?)"
  done
}

# Renders the configuration; a running broker of ours re-reads a changed one (SIGHUP keeps
# connections and sessions; listener and plugin paths are unchanged by construction).
apply_config() {
  render_config
  init_accounts
  if [[ -f "$CONF" ]] && cmp -s "$CONF.tmp" "$CONF"; then
    rm -f "$CONF.tmp"
    return 0
  fi
  mv "$CONF.tmp" "$CONF"
  local pid
  if pid="$(our_pid)"; then
    kill -HUP "$pid"
    log "configuration changed: reloaded (pid $pid)"
  fi
}

# The broker refuses to start without its password file: an empty one means no devices yet.
init_accounts() {
  [[ -f "$ACCOUNTS" ]] || (umask 077 && : >"$ACCOUNTS")
}

init_dynsec() {
  if [[ -f "$DYNSEC" && -s "$ADMIN_PW_FILE" ]]; then
    return 0
  fi
  if [[ -f "$DYNSEC" ]]; then
    # The admin password is lost: nobody can administer this file any more.
    log "dynamic-security.json has no admin password beside it; moving it aside and starting afresh"
    mv "$DYNSEC" "$DYNSEC.orphan.$(date +%s)"
  fi
  local pw
  pw="$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)"
  (umask 077 && echo "$pw" >"$ADMIN_PW_FILE")
  mosquitto_ctrl dynsec init "$DYNSEC" "$ADMIN_USER" "$pw" >/dev/null ||
    die "mosquitto_ctrl dynsec init failed"
  chmod 600 "$DYNSEC"
  log "dynamic security initialised (admin '$ADMIN_USER', password in $ADMIN_PW_FILE)"
}

stop_pid() {
  local pid="$1" i
  kill -TERM "$pid" 2>/dev/null || return 0
  # A clean stop writes the whole persistence file: give a large one time.
  for i in $(seq 1 600); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.2
  done
  log "pid $pid did not stop in 120 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
  sleep 0.5
}

our_pid() {
  local pid
  [[ -s "$PID_FILE" ]] || return 1
  pid="$(cat "$PID_FILE")"
  if kill -0 "$pid" 2>/dev/null && is_ours "$pid"; then
    echo "$pid"
    return 0
  fi
  return 1
}

cmd_status() {
  local pid
  if pid="$(our_pid)" && port_open; then
    log "running (pid $pid, config $CONF)"
    return 0
  fi
  log "not running"
  return 3
}

cmd_stop() {
  local pid
  if pid="$(our_pid)"; then
    log "stopping pid $pid"
    stop_pid "$pid"
  else
    log "not running"
  fi
  rm -f "$PID_FILE"
}

cmd_start() {
  require mosquitto
  require mosquitto_ctrl
  local pid
  if pid="$(our_pid)" && port_open; then
    log "already running (pid $pid)"
    apply_config
    return 0
  fi
  pid="$(listener_pid)"
  if [[ -n "$pid" ]]; then
    local comm
    comm="$(cat "/proc/$pid/comm" 2>/dev/null || echo '?')"
    if [[ "$comm" == mosquitto ]]; then
      if is_ours "$pid"; then
        log "our broker (pid $pid) answers but its pid file is stale; reusing it"
        echo "$pid" >"$PID_FILE"
        apply_config
        return 0
      fi
      # A broker left on this port by another checkout or an earlier session: it holds
      # other credentials, so it is of no use to this one.
      log "port $PORT is held by another Mosquitto (pid $pid: $(tr '\0' ' ' <"/proc/$pid/cmdline")); stopping it"
      stop_pid "$pid"
    else
      die "port $PORT is in use by '$comm' (pid $pid); free it or set GW_MOSQUITTO_PORT"
    fi
  fi
  rm -f "$PID_FILE"
  apply_config
  init_dynsec
  log "starting: mosquitto -d -c $CONF"
  # 9>&-: the daemon must not inherit (and hold forever) the start/stop lock.
  mosquitto -d -c "$CONF" 9>&- || die "mosquitto failed to start; see $LOG_FILE"
  local i
  for i in $(seq 1 75); do
    if port_open; then
      log "listening on 127.0.0.1:$PORT (pid $(cat "$PID_FILE" 2>/dev/null || echo '?'))"
      return 0
    fi
    sleep 0.2
  done
  tail -n 20 "$LOG_FILE" >&2 2>/dev/null || true
  die "mosquitto did not listen on 127.0.0.1:$PORT within 15 s; see $LOG_FILE"
}

# Removes every device account with the broker stopped: the password file's lines, and the
# dynamic-security accounts earlier versions made (clients holding a gw-device-* role, and
# those roles), which Mosquitto 2.0 rewrites in full after each command.
cmd_prune_devices() {
  [[ -f "$DYNSEC" ]] || { log "no dynamic-security file yet"; return 0; }
  local was_running=0
  if our_pid >/dev/null; then
    was_running=1
    cmd_stop
  fi
  node -e '
    const fs = require("node:fs");
    const file = process.argv[1];
    const config = JSON.parse(fs.readFileSync(file, "utf8"));
    const isDevice = (name) => name.startsWith("gw-device-");
    const before = (config.clients ?? []).length;
    config.clients = (config.clients ?? []).filter((c) => !(c.roles ?? []).some((r) => isDevice(r.rolename)));
    config.roles = (config.roles ?? []).filter((r) => !isDevice(r.rolename));
    fs.writeFileSync(file + ".tmp", JSON.stringify(config, null, 2), { mode: 0o600 });
    fs.renameSync(file + ".tmp", file);
    console.log(`[mosquitto] removed ${before - config.clients.length} device accounts`);
  ' "$DYNSEC" || die "pruning $DYNSEC failed"
  : >"$ACCOUNTS"
  log "device password file emptied"
  if ((was_running)); then cmd_start; fi
}

# Drops every session and queued message (the persistence file), keeping accounts: for a test
# broker swamped by sessions that test runs abandoned. Never on a production broker.
cmd_clear_sessions() {
  local was_running=0
  if our_pid >/dev/null; then
    was_running=1
    cmd_stop
  fi
  rm -f "$DIR/mosquitto.db"
  log "sessions, queued and retained messages cleared"
  if ((was_running)); then cmd_start; fi
}

# Tests start and stop the broker, sometimes from several runs at once: one at a time.
locked() {
  mkdir -p "$DIR"
  exec 9>"$DIR/lock"
  flock -w 180 9 || die "another start/stop has held $DIR/lock for 180 s"
  "$@"
}

case "${1:-}" in
start) locked cmd_start ;;
stop) locked cmd_stop ;;
status) cmd_status ;;
restart) locked eval 'cmd_stop; cmd_start' ;;
prune-devices) locked cmd_prune_devices ;;
clear-sessions) locked cmd_clear_sessions ;;
*)
  echo "usage: $0 start|stop|status|restart|prune-devices|clear-sessions" >&2
  exit 2
  ;;
esac
