#!/usr/bin/env bash
# Real services for tests and CI on a bare Debian host (no Docker engine), idempotent:
#   a. TimescaleDB (Apache edition) built from Debian trixie's source package into the
#      machine's PostgreSQL 15 on 127.0.0.1:5432, preloaded; checked in a scratch database.
#   b. The project's Mosquitto (deploy/mosquitto/mosquitto.conf, dynamic security) on
#      127.0.0.1:${GW_MOSQUITTO_PORT:-1885}, with the server account.
#   c. Redis on 127.0.0.1:6379.
#   d. .data/test-services.env with the TEST_* variables the tests read.
# Safe to re-run: every step checks first and only does what is missing. Needs root (apt-get,
# pg_ctlcluster) unless everything is already in place.
#
#   GW_MOSQUITTO_PORT   project broker port (default 1885)
#   GW_DATA_DIR         data directory (default <repo>/.data)
#   GW_PG_VERSION       PostgreSQL major version to use (default 15)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export GW_MOSQUITTO_PORT="${GW_MOSQUITTO_PORT:-1885}"
export GW_DATA_DIR="${GW_DATA_DIR:-$ROOT/.data}"
DATA="$GW_DATA_DIR"
PG_VERSION="${GW_PG_VERSION:-15}"
PG_CLUSTER=main
PG_PORT=5432
PG_CONFIG="/usr/lib/postgresql/$PG_VERSION/bin/pg_config"
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"
PSQL=(psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres)
MQTT_PORT="$GW_MOSQUITTO_PORT"
SERVER_USER=gridwatch-server
REDIS_PORT=6379
STARTED=$SECONDS

log() { echo "[ci-services] $*"; }
die() {
  echo "[ci-services] ERROR: $*" >&2
  exit 1
}
trap 'echo "[ci-services] ERROR: failed at line $LINENO: $BASH_COMMAND" >&2' ERR

as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $*"
  fi
}

apt_updated=0
# Installs the Debian packages among "$@" that are missing.
apt_install() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  ((${#missing[@]})) || return 0
  log "apt-get install ${missing[*]}"
  if ((!apt_updated)); then
    as_root apt-get update -qq || die "apt-get update failed"
    apt_updated=1
  fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
}

# The Debian mirror this machine already uses (its main archive, not the security one).
debian_mirror() {
  local files=() f uri
  shopt -s nullglob
  files=(/etc/apt/sources.list.d/*.sources)
  shopt -u nullglob
  for f in "${files[@]}"; do
    uri="$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f" | grep -v -e security -e '^$' | grep -m1 '/debian/\?$' || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return 0; }
  done
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [[ -f "$f" ]] || continue
    uri="$(sed -e 's/\[[^]]*\]//' "$f" | awk '$1 == "deb" || $1 == "deb-src" { print $2 }' |
      grep -v security | grep -m1 '/debian/\?$' || true)"
    [[ -n "$uri" ]] && { echo "${uri%/}"; return 0; }
  done
  die "no Debian mirror found in /etc/apt/sources.list{,.d}"
}

pg_ready() { pg_isready -q -h 127.0.0.1 -p "$PG_PORT" -t 2; }

wait_pg() {
  local i
  for i in $(seq 1 60); do
    pg_ready && return 0
    sleep 1
  done
  die "PostgreSQL $PG_VERSION did not answer on 127.0.0.1:$PG_PORT within 60 s (see /var/log/postgresql/)"
}

pg_ctl_cluster() { as_root pg_ctlcluster --skip-systemctl-redirect "$PG_VERSION" "$PG_CLUSTER" "$@"; }

# ---------------------------------------------------------------------------------------
# a. PostgreSQL + TimescaleDB
# ---------------------------------------------------------------------------------------
timescaledb_installed() {
  [[ -x "$PG_CONFIG" ]] || return 1
  [[ -f "$("$PG_CONFIG" --sharedir)/extension/timescaledb.control" ]] &&
    compgen -G "$("$PG_CONFIG" --pkglibdir)/timescaledb*.so" >/dev/null
}

build_timescaledb() {
  apt_install "postgresql-server-dev-$PG_VERSION" cmake make gcc libc6-dev libssl-dev dpkg-dev
  [[ -x "$PG_CONFIG" ]] || die "$PG_CONFIG not found after installing postgresql-server-dev-$PG_VERSION"
  local mirror work apt_opts
  mirror="$(debian_mirror)"
  work="$DATA/build/timescaledb"
  rm -rf "$work"
  mkdir -p "$work/apt/lists/partial" "$work/apt/cache/archives/partial" "$work/src"
  # A private apt state for trixie's sources only: the machine's own apt configuration is
  # left untouched.
  echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror trixie main" \
    >"$work/apt/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$work/apt/sources.list" -o "Dir::Etc::SourceParts=/nonexistent"
    -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root"
    -o "Debug::NoLocking=1")
  log "fetching Debian trixie source package 'timescaledb' from $mirror"
  apt-get "${apt_opts[@]}" -qq update || die "apt-get update of trixie sources from $mirror failed"
  (cd "$work/src" && apt-get "${apt_opts[@]}" -qq source timescaledb >/dev/null) ||
    die "apt-get source timescaledb (trixie) failed"
  local srcdir
  srcdir="$(find "$work/src" -mindepth 1 -maxdepth 1 -type d -name 'timescaledb-*' | head -1)"
  [[ -n "$srcdir" ]] || die "timescaledb sources not unpacked in $work/src"
  log "building $(basename "$srcdir") against $("$PG_CONFIG" --version) (Apache edition)"
  (
    cd "$srcdir"
    ./bootstrap -DAPACHE_ONLY=1 -DREGRESS_CHECKS=OFF -DTAP_CHECKS=OFF -DWARNINGS_AS_ERRORS=OFF \
      -DPG_CONFIG="$PG_CONFIG" >"$work/bootstrap.log" 2>&1 ||
      { tail -n 30 "$work/bootstrap.log" >&2; exit 1; }
    as_root make -C build -j"$(nproc)" install >"$work/make.log" 2>&1 ||
      { tail -n 30 "$work/make.log" >&2; exit 1; }
  ) || die "building TimescaleDB failed (logs in $work)"
  timescaledb_installed || die "TimescaleDB built but its files are not in $("$PG_CONFIG" --pkglibdir)"
  log "TimescaleDB installed"
}

setup_postgres() {
  [[ -d "/etc/postgresql/$PG_VERSION/$PG_CLUSTER" ]] ||
    die "PostgreSQL $PG_VERSION cluster '$PG_CLUSTER' not found (/etc/postgresql/$PG_VERSION/$PG_CLUSTER)"
  # Build first: a cluster that preloads timescaledb does not start without it.
  if timescaledb_installed; then
    log "TimescaleDB already installed in PostgreSQL $PG_VERSION ($("$PG_CONFIG" --pkglibdir)); skipping the build"
  else
    build_timescaledb
  fi
  if ! pg_ready; then
    log "PostgreSQL $PG_VERSION is not answering; starting it"
    pg_ctl_cluster start || true
    wait_pg
  fi

  local preload restart=0 max_conn
  preload="$("${PSQL[@]}" -Atc 'SHOW shared_preload_libraries')"
  if [[ ",${preload// /}," != *,timescaledb,* ]]; then
    local want="timescaledb"
    [[ -n "${preload// /}" ]] && want="${preload// /},timescaledb"
    log "setting shared_preload_libraries = '$want'"
    "${PSQL[@]}" -c "ALTER SYSTEM SET shared_preload_libraries = '$want'"
    restart=1
  fi
  # Test servers each take a small pool on their own database; several test runs at once
  # exhaust PostgreSQL's default 100 connections.
  max_conn="$("${PSQL[@]}" -Atc 'SHOW max_connections')"
  if ((max_conn < 300)); then
    log "raising max_connections from $max_conn to 300"
    "${PSQL[@]}" -c "ALTER SYSTEM SET max_connections = 300"
    restart=1
  fi
  if ((restart)); then
    log "restarting PostgreSQL $PG_VERSION: pg_ctlcluster --skip-systemctl-redirect $PG_VERSION $PG_CLUSTER restart"
    pg_ctl_cluster restart || die "PostgreSQL restart failed (see /var/log/postgresql/postgresql-$PG_VERSION-$PG_CLUSTER.log)"
    wait_pg
  fi
  # No network here, and telemetry is not ours to send.
  # (the Apache edition has no telemetry setting at all).
  if [[ "$("${PSQL[@]}" -Atc "SELECT setting FROM pg_settings WHERE name = 'timescaledb.telemetry_level'")" == basic ]]; then
    "${PSQL[@]}" -c "ALTER SYSTEM SET timescaledb.telemetry_level = 'off'" -c 'SELECT pg_reload_conf()' >/dev/null ||
      log "warning: could not set timescaledb.telemetry_level = off"
  fi

  local scratch="gw_tsdb_check_$$" version
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $scratch" -c "CREATE DATABASE $scratch" >/dev/null
  version="$("${PSQL[@]}" -d "$scratch" -Atc 'CREATE EXTENSION IF NOT EXISTS timescaledb' \
    -c "SELECT extversion FROM pg_extension WHERE extname = 'timescaledb'" 2>&1 | tail -1)" || {
    "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $scratch" >/dev/null 2>&1 || true
    die "CREATE EXTENSION timescaledb failed in a scratch database: $version"
  }
  "${PSQL[@]}" -c "DROP DATABASE IF EXISTS $scratch WITH (FORCE)" >/dev/null
  log "PostgreSQL $PG_VERSION on 127.0.0.1:$PG_PORT: CREATE EXTENSION timescaledb works (version $version)"
}

# ---------------------------------------------------------------------------------------
# b. Mosquitto with dynamic security
# ---------------------------------------------------------------------------------------
MQ_DIR="$DATA/mosquitto"

# mosquitto_ctrl exits 0 even on errors and prints them on stderr: read them.
dynsec() {
  local out
  out="$(mosquitto_ctrl -h 127.0.0.1 -p "$MQTT_PORT" -u gw-admin -P "$(cat "$MQ_DIR/admin-password")" dynsec "$@" 2>&1 |
    grep -v -e 'without encryption' -e 'configuration changes you are making' -e '^$' || true)"
  if grep -qi -e 'error' -e 'not authorized' <<<"$out"; then
    if grep -qi 'already exists' <<<"$out"; then return 0; fi
    echo "$out" >&2
    return 1
  fi
  [[ -z "$out" ]] || echo "$out"
}

setup_mosquitto() {
  apt_install mosquitto mosquitto-clients
  bash "$ROOT/deploy/scripts/start-mosquitto.sh" start || die "the project Mosquitto did not start"
  dynsec listClients >/dev/null ||
    die "the dynamic-security admin cannot log in to 127.0.0.1:$MQTT_PORT (stale broker or lost password in $MQ_DIR)"

  local pw_file="$MQ_DIR/server-password"
  if [[ ! -s "$pw_file" ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32 >"$pw_file")
  fi
  if dynsec getClient "$SERVER_USER" >/dev/null 2>&1; then
    dynsec setClientPassword "$SERVER_USER" "$(cat "$pw_file")" >/dev/null || die "setting the server account's password failed"
  else
    log "creating the server account '$SERVER_USER'"
    dynsec createClient "$SERVER_USER" -p "$(cat "$pw_file")" >/dev/null || die "creating the server account failed"
  fi
  # The server reads every device's topics (also as a shared-subscription group), may
  # publish on gw/# (commands, tests) and reads the broker's $SYS figures.
  dynsec createRole "$SERVER_USER" >/dev/null || die "creating role $SERVER_USER failed"
  local acl
  for acl in 'subscribePattern gw/# allow' 'subscribePattern $share/# allow' 'subscribePattern $SYS/# allow' \
    'publishClientSend gw/# allow' 'publishClientReceive gw/# allow' 'publishClientReceive $SYS/# allow'; do
    # shellcheck disable=SC2086
    dynsec addRoleACL "$SERVER_USER" $acl >/dev/null || die "adding ACL '$acl' to role $SERVER_USER failed"
  done
  # (Mosquitto 2.0.11 answers "Internal error" when the client already has the role.)
  if ! dynsec getClient "$SERVER_USER" | grep -qF " $SERVER_USER (priority"; then
    dynsec addClientRole "$SERVER_USER" "$SERVER_USER" >/dev/null || die "giving role $SERVER_USER to the server account failed"
  fi

  # Prove the account works: subscribe, publish, receive.
  local topic="gw/ci-check/$$" got
  got="$(timeout 10 mosquitto_sub -h 127.0.0.1 -p "$MQTT_PORT" -u "$SERVER_USER" -P "$(cat "$pw_file")" \
    -t "$topic" -C 1 -W 8 2>&1 &
    sleep 0.5
    mosquitto_pub -h 127.0.0.1 -p "$MQTT_PORT" -u "$SERVER_USER" -P "$(cat "$pw_file")" -t "$topic" -m ok -q 1
    wait)" || true
  [[ "$got" == *ok* ]] || die "the server account could not publish and receive on 127.0.0.1:$MQTT_PORT: $got"
  log "Mosquitto on 127.0.0.1:$MQTT_PORT: dynamic security, server account '$SERVER_USER' checked"
}

# ---------------------------------------------------------------------------------------
# c. Redis
# ---------------------------------------------------------------------------------------
setup_redis() {
  if [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]]; then
    log "Redis on 127.0.0.1:$REDIS_PORT answers"
    return 0
  fi
  apt_install redis-server
  log "starting Redis on 127.0.0.1:$REDIS_PORT"
  as_root mkdir -p /var/lib/redis /var/log/redis
  as_root redis-server --daemonize yes --bind 127.0.0.1 -::1 --port "$REDIS_PORT" --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log >/dev/null || die "redis-server failed to start"
  local i
  for i in $(seq 1 50); do
    [[ "$(redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping 2>/dev/null || true)" == PONG ]] && {
      log "Redis on 127.0.0.1:$REDIS_PORT answers"
      return 0
    }
    sleep 0.2
  done
  die "Redis did not answer on 127.0.0.1:$REDIS_PORT (see /var/log/redis/ci.log)"
}

# ---------------------------------------------------------------------------------------
# d. Environment for the tests
# ---------------------------------------------------------------------------------------
write_env() {
  local env_file="$DATA/test-services.env" q_root
  q_root="$(printf '%q' "$ROOT")"
  {
    echo "# Written by deploy/scripts/ci-services.sh on $(date -u +%FT%TZ); holds generated secrets, never commit."
    echo "TEST_DATABASE_URL=postgres://postgres@127.0.0.1:$PG_PORT/postgres"
    echo "TEST_MQTT_URL=mqtt://127.0.0.1:$MQTT_PORT"
    echo "TEST_MQTT_SERVER_USERNAME=$SERVER_USER"
    echo "TEST_MQTT_SERVER_PASSWORD=$(cat "$MQ_DIR/server-password")"
    echo "TEST_MQTT_ADMIN_USERNAME=gw-admin"
    echo "TEST_MQTT_ADMIN_PASSWORD=$(cat "$MQ_DIR/admin-password")"
    echo "TEST_MQTT_ACCOUNTS_FILE=$(printf '%q' "$MQ_DIR/device-accounts")"
    echo "TEST_MQTT_PID_FILE=$(printf '%q' "$MQ_DIR/mosquitto.pid")"
    echo "TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
    echo "TEST_PG_STOP_CMD='pg_ctlcluster --skip-systemctl-redirect $PG_VERSION $PG_CLUSTER stop'"
    echo "TEST_PG_START_CMD='pg_ctlcluster --skip-systemctl-redirect $PG_VERSION $PG_CLUSTER start'"
    echo "TEST_MQTT_STOP_CMD='GW_MOSQUITTO_PORT=$MQTT_PORT GW_DATA_DIR=$(printf '%q' "$DATA") bash $q_root/deploy/scripts/start-mosquitto.sh stop'"
    echo "TEST_MQTT_START_CMD='GW_MOSQUITTO_PORT=$MQTT_PORT GW_DATA_DIR=$(printf '%q' "$DATA") bash $q_root/deploy/scripts/start-mosquitto.sh start'"
  } >"$env_file.tmp"
  chmod 600 "$env_file.tmp"
  mv "$env_file.tmp" "$env_file"
  log "wrote $env_file (load it with: set -a; . $env_file; set +a)"
}

mkdir -p "$DATA"
log "repository $ROOT, data $DATA"
setup_postgres
setup_mosquitto
setup_redis
write_env
log "services ready in $((SECONDS - STARTED)) s"
