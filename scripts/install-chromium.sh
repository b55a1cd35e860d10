#!/usr/bin/env bash
# The browser test drives Debian's Chromium (a test tool's own browser download does not work here).
set -euo pipefail
if [ -x /usr/bin/chromium ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "The browser test needs Chromium at /usr/bin/chromium: install Debian's 'chromium' package" \
       "(sudo apt-get install chromium), then run make test again." >&2
  exit 1
fi
echo "Installing Debian's chromium package for the browser test..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium >/dev/null
/usr/bin/chromium --version
