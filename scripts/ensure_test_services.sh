#!/usr/bin/env bash
# Make sure what the test suite needs outside Python is there: Debian's Chromium for the
# browser tests, and a running PostgreSQL for the database tests. Installs or starts them
# when this machine allows it (root with apt-get / pg_ctlcluster); otherwise explains.
set -uo pipefail

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo -n "$@"; else return 1; fi
}

if [ "${WISEMIND_SKIP_E2E:-0}" != "1" ] && [ ! -x "${WISEMIND_CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "Installing Debian's Chromium for the browser tests ..."
  if command -v apt-get >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
  if [ ! -x "${WISEMIND_CHROMIUM:-/usr/bin/chromium}" ]; then
    echo "Chromium is missing: install it (apt-get install chromium) or set WISEMIND_SKIP_E2E=1." >&2
    exit 1
  fi
fi

if ! command -v pdftoppm >/dev/null 2>&1; then
  echo "Installing Debian's poppler-utils (pdftoppm) for the report tests ..."
  if command -v apt-get >/dev/null 2>&1; then
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
      as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null
  fi
  command -v pdftoppm >/dev/null 2>&1 || echo "pdftoppm is missing: the report page tests will be skipped." >&2
fi

pg_host="${WISEMIND_PG_HOST:-127.0.0.1}"
pg_port="${WISEMIND_PG_PORT:-5432}"
pg_up() {
  if command -v pg_isready >/dev/null 2>&1; then
    pg_isready -q -h "$pg_host" -p "$pg_port"
  else
    (exec 3<>"/dev/tcp/$pg_host/$pg_port") 2>/dev/null
  fi
}
if ! pg_up; then
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    echo "Starting PostgreSQL ..."
    for version in $(ls /etc/postgresql); do
      as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1 || true
    done
    for _ in $(seq 1 20); do pg_up && break; sleep 0.5; done
  fi
fi
if pg_up; then
  echo "PostgreSQL is up at $pg_host:$pg_port."
else
  echo "PostgreSQL is not reachable at $pg_host:$pg_port." >&2
  exit 2
fi
