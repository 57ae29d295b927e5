#!/usr/bin/env bash
# Print the path of a Python 3.10 interpreter, or explain what to install.
# Rasa 3.6 runs on Python 3.10 only.
set -euo pipefail
is310() { "$1" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 10) else 1)' 2>/dev/null; }
for candidate in "${PYTHON310:-}" "$(command -v python3.10 || true)"; do
  if [ -n "$candidate" ] && is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.10(\.|$)' | sort -V -r); do
    candidate="$(pyenv root)/versions/$version/bin/python3.10"
    if is310 "$candidate"; then echo "$candidate"; exit 0; fi
  done
fi
for candidate in "$HOME"/.pyenv/versions/3.10*/bin/python3.10; do
  if [ -x "$candidate" ] && is310 "$candidate"; then echo "$candidate"; exit 0; fi
done
cat >&2 <<'MSG'
No Python 3.10 found. Rasa 3.6 needs exactly Python 3.10.
Install it with one of:
  sudo apt-get install python3.10 python3.10-venv     (Debian/Ubuntu with 3.10 available)
  pyenv install 3.10                                  (https://github.com/pyenv/pyenv)
or point PYTHON310 at an interpreter: make install PYTHON310=/path/to/python3.10
MSG
exit 1
