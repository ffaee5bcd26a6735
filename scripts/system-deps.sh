#!/usr/bin/env bash
# Installs the Debian packages the app needs and are missing: `run` for serving, `test` for the
# test suite as well. Runs apt-get only when something is missing (it needs root).
set -euo pipefail
want=(python3 python3-venv libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)
if [ "${1:-run}" = "test" ]; then
  want+=(chromium poppler-utils)
fi
# Python may come from elsewhere than Debian (pyenv…): then only its venv module matters.
if command -v python3 >/dev/null && python3 -c "import venv, ensurepip" 2>/dev/null; then
  want=("${want[@]:2}")
fi
missing=()
for package in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$package")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" -ne 0 ]; then
    echo "Run as root (or install them yourself): apt-get install ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
