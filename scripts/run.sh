#!/usr/bin/env bash
# Set up and run wisemind with its demo organisation on an embedded SQLite database.
# Creates .venv, installs, migrates, loads the demo (idempotent), starts the background
# worker and serves on http://127.0.0.1:8000/ in the foreground. Ctrl+C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv ""
export WISEMIND_ENV="${WISEMIND_ENV:-development}"
export WISEMIND_DEMO_RELAX_STAFF_2FA="${WISEMIND_DEMO_RELAX_STAFF_2FA:-1}"
exec .venv/bin/wisemind run --demo --port "${PORT:-8000}" "$@"
