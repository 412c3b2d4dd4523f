#!/usr/bin/env bash
# Installs what the test suite needs on a fresh Debian machine, then the npm dependencies.
# Only what the tests use: the DKIM peers for interop (dkimpy with PyNaCl for Ed25519, Mail::DKIM,
# OpenDKIM, openssl) and Chromium for the UI end-to-end tests.
set -euo pipefail
cd "$(dirname "$0")/.."
packages=(python3-dkim python3-nacl libmail-dkim-perl opendkim-tools openssl chromium)
missing=()
for p in "${packages[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "setup: installing ${missing[*]} from Debian"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# Electron's own download is not reachable here; the app falls back to the web host.
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
npm ci --no-audit --no-fund
