#!/usr/bin/env bash
# Set up and run the whole test suite: lint, migration check, then every test (browser
# tests in the system Chromium included) on SQLite and again on PostgreSQL.
# Extra arguments go to pytest, e.g.  scripts/test.sh -k matrix
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_venv.sh
ensure_venv "dev"

pg_status=0
scripts/ensure_test_services.sh || pg_status=$?
if [ "$pg_status" -eq 1 ]; then exit 1; fi

export WISEMIND_ENV=test
export DJANGO_SETTINGS_MODULE=config.settings_test
workers="${WISEMIND_TEST_WORKERS:-2}"

echo "== Lint (ruff) =="
.venv/bin/ruff check .
.venv/bin/ruff format --check .
echo "== Types (mypy) =="
.venv/bin/mypy
echo "== Migrations match the models =="
.venv/bin/python -m django makemigrations --check --dry-run >/dev/null

echo "== Tests on SQLite =="
DATABASE_URL="sqlite:///$(pwd)/var/test-placeholder.sqlite3" .venv/bin/pytest -q -n "$workers" "$@"

if [ "$pg_status" -eq 0 ]; then
  echo "== Tests on PostgreSQL =="
  DATABASE_URL="${WISEMIND_TEST_PG_URL:-postgres://postgres@${WISEMIND_PG_HOST:-127.0.0.1}:${WISEMIND_PG_PORT:-5432}/test}" \
    .venv/bin/pytest -q -n "$workers" "$@"
elif [ "${WISEMIND_REQUIRE_POSTGRES:-0}" = "1" ]; then
  echo "PostgreSQL is required (WISEMIND_REQUIRE_POSTGRES=1) but not reachable." >&2
  exit 1
else
  echo "WARNING: PostgreSQL is not reachable, so the PostgreSQL run was skipped." >&2
fi
