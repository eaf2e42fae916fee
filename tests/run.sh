#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what the tests need (Debian's Chromium and
# CJK fonts for the browser tests, the Python packages), then runs every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-test.txt

# DuckDB's binding lists "leaked" objects on stderr as the interpreter exits, after pytest's
# summary; drop those lines so the summary stays the last thing printed (pipefail keeps the status).
python3 -m pytest -q "$@" 2>&1 | grep -v -E 'leaked (function|type|instance)|nanobind|skipped remainder'
