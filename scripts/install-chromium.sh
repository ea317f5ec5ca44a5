#!/usr/bin/env bash
# Debian's Chromium for the browser tests; Playwright drives it via executable_path=/usr/bin/chromium.
set -eu
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "error: Chromium is missing; install it with: sudo apt-get install chromium" >&2
  exit 1
fi
echo "Installing Debian's chromium for the browser tests"
apt-get update -q
DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium
