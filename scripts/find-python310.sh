#!/usr/bin/env bash
# Prints the path of a Python 3.10 interpreter, or explains how to get one and fails.
# Rasa 3.6 supports Python 3.8-3.10 only; under 3.11 pip silently installs the old Rasa 1.x instead.
set -u
is_310() { [ -x "$1" ] && "$1" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 10))' 2>/dev/null; }

candidates=()
[ -n "${PYTHON310:-}" ] && candidates+=("$PYTHON310")
command -v python3.10 >/dev/null 2>&1 && candidates+=("$(command -v python3.10)")
if command -v pyenv >/dev/null 2>&1; then
  root=$(pyenv root 2>/dev/null)
  for dir in $(ls -d "$root"/versions/3.10* 2>/dev/null | sort -V -r); do candidates+=("$dir/bin/python"); done
fi
for dir in $(ls -d "${HOME:-/root}"/.pyenv/versions/3.10* 2>/dev/null | sort -V -r); do candidates+=("$dir/bin/python"); done
candidates+=(/usr/bin/python3.10 /usr/local/bin/python3.10)

for python in "${candidates[@]}"; do
  if is_310 "$python"; then echo "$python"; exit 0; fi
done

cat >&2 <<'MSG'
ERROR: Python 3.10 was not found, and this project needs it.
Rasa 3.6 runs on Python 3.8-3.10 only; on Python 3.11 pip quietly installs Rasa 1.x instead.
Get Python 3.10 in one of these ways, then run the command again:
  - pyenv:   pyenv install 3.10.13
  - Debian/Ubuntu: apt-get install python3.10 python3.10-venv   (deadsnakes PPA on Ubuntu)
  - or point to an existing interpreter:  make run PYTHON310=/path/to/python3.10
MSG
exit 1
