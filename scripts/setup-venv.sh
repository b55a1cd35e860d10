#!/usr/bin/env bash
# Creates .venv with Python 3.10 and installs the pinned dependencies from requirements.lock.
set -euo pipefail
cd "$(dirname "$0")/.."
python=$(scripts/find-python310.sh)
if [ ! -x .venv/bin/python ] || ! .venv/bin/python -c 'import sys; sys.exit(sys.version_info[:2] != (3, 10))'; then
  rm -rf .venv
  echo "Creating .venv with $python"
  "$python" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check "pip==24.0"
echo "Installing pinned dependencies (requirements.lock); the first time takes about 5 minutes"
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
.venv/bin/python -m pip check
