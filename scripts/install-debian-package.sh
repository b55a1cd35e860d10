#!/usr/bin/env bash
# Installs a Debian package that a test or the several-instances mode needs, when its program is missing:
#   scripts/install-debian-package.sh PACKAGE PROGRAM "WHAT NEEDS IT"
# e.g. chromium /usr/bin/chromium "The browser test". A test tool's own browser download does not work here,
# and this project runs its own nginx with its own configuration.
set -euo pipefail
package=$1 program=$2 purpose=$3
if [ -x "$program" ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "$purpose needs $program: install Debian's '$package' package (sudo apt-get install $package)," \
       "then try again." >&2
  exit 1
fi
echo "Installing Debian's $package package ($purpose needs it)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "$package" >/dev/null
# A package may start a service of its own (nginx's default site on port 80): this project does not use it.
if command -v service >/dev/null; then service "${package%%-*}" stop >/dev/null 2>&1 || true; fi
"$program" --version 2>&1 | head -1 || "$program" -v 2>&1 | head -1
