#!/usr/bin/env bash
# Debian's Chromium and CJK fonts for the end-to-end tests and screenshots (playwright-core
# drives /usr/bin/chromium; no browser download works here). Idempotent.
set -euo pipefail

log() { echo "[install-chromium] $*"; }
die() {
  echo "[install-chromium] ERROR: $*" >&2
  exit 1
}

as_root() {
  if [[ "$(id -u)" == 0 ]]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    die "need root for: $*"
  fi
}

PACKAGES=(chromium fonts-noto-cjk)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  log "apt-get install ${missing[*]}"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null ||
    die "apt-get install ${missing[*]} failed"
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium missing after install"
log "$(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed'); fonts-noto-cjk installed"
