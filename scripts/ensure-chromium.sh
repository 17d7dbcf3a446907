#!/usr/bin/env bash
# Make sure a Chromium exists for the end-to-end tests: Debian's /usr/bin/chromium
# when present or installable with apt (as root), otherwise Playwright's own download.
set -euo pipefail
PYTHON=${1:-python3}
for candidate in /usr/bin/chromium /usr/lib/chromium/chromium; do
  [ -x "$candidate" ] && { echo "chromium: $candidate"; exit 0; }
done
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "chromium: installing Debian's chromium"
  (apt-get install -y -qq chromium >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq chromium; }) \
    && [ -x /usr/bin/chromium ] && exit 0
fi
echo "chromium: no system Chromium; downloading Playwright's"
"$PYTHON" -m playwright install chromium
