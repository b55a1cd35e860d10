#!/usr/bin/env bash
# Several Rasa instances run behind Debian's nginx (deploy/nginx.conf); installed here if missing.
set -euo pipefail
if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null; then
  echo "Several instances run behind nginx: install Debian's 'nginx-light' package" \
       "(sudo apt-get install nginx-light), then try again." >&2
  exit 1
fi
echo "Installing Debian's nginx-light package (the proxy in front of several Rasa instances)..."
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends nginx-light >/dev/null
# Debian starts a default site on port 80; this project runs its own nginx with its own configuration.
if command -v service >/dev/null; then service nginx stop >/dev/null 2>&1 || true; fi
/usr/sbin/nginx -v
