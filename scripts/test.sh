#!/usr/bin/env bash
# Install what the tests need, start the services they use, and run every check CI runs.
set -euo pipefail
UPDRAFT_EXTRAS=test source "$(dirname "$0")/_venv.sh"

# PostgreSQL: the store's tests run against the real server on 127.0.0.1:5432.
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null 2>&1; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
  fi
fi

# Chromium: the console's tests drive Debian's browser (never a downloaded one).
if [ ! -x /usr/bin/chromium ] && command -v apt-get >/dev/null 2>&1; then
  echo "== installing chromium (Debian) for the console's browser tests"
  { apt-get install -y -q chromium >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q chromium >/dev/null 2>&1; }; } \
    || echo "could not install chromium; the console's browser tests will be skipped"
fi

echo "== ruff";          ruff check updraft tests bench examples
echo "== mypy --strict"; mypy updraft
echo "== import layers"; lint-imports
echo "== pytest";        pytest -q -p no:cacheprovider "$@"
