#!/usr/bin/env bash
# Make sure PgBouncer's binary exists for tests/test_pgbouncer.py (the app behind transaction pooling):
# Debian's pgbouncer, installed with apt when we are root. Only the binary is used (the test starts a
# throwaway one of its own), so a service the package starts is stopped again. Never fails: without
# it, the test skips and says why.
set -uo pipefail
for candidate in "${PGBOUNCER:-}" "$(command -v pgbouncer 2>/dev/null)" /usr/sbin/pgbouncer; do
  [ -n "$candidate" ] && [ -x "$candidate" ] && { echo "pgbouncer: $candidate"; exit 0; }
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "pgbouncer: installing Debian's pgbouncer"
  if apt-get install -y -qq pgbouncer >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq pgbouncer >/dev/null 2>&1; }; then
    if [ -d /run/systemd/system ]; then systemctl disable --now pgbouncer >/dev/null 2>&1 || true; fi
    exit 0
  fi
fi
echo "pgbouncer: not installed (apt-get install pgbouncer as root); tests/test_pgbouncer.py will skip"
exit 0
