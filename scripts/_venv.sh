# Sourced by run.sh and test.sh: make .venv with Python >= 3.11 and install wisemind into it.
# Usage: ensure_venv "<extras>"   (e.g. "" for the product, "dev" for the test suite)

find_python() {
  for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
      "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"
      return 0
    fi
  done
  echo "wisemind needs Python 3.11 or newer; none was found on PATH." >&2
  return 1
}

ensure_venv() {
  local extras="$1"
  local spec="."
  [ -n "$extras" ] && spec=".[${extras}]"
  if [ ! -x .venv/bin/python ]; then
    local python
    python="$(find_python)"
    echo "Creating the virtual environment in .venv with $python ..."
    "$python" -m venv .venv
  fi
  local stamp=".venv/.wisemind-installed-${extras:-base}"
  local digest
  digest="$(cat pyproject.toml | .venv/bin/python -c 'import hashlib,sys; print(hashlib.sha256(sys.stdin.buffer.read()).hexdigest())')"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$digest" ]; then
    echo "Installing wisemind and its dependencies into .venv ..."
    .venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
    .venv/bin/python -m pip install --quiet -e "$spec"
    echo "$digest" >"$stamp"
  fi
}
