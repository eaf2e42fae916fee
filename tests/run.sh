#!/usr/bin/env bash
# The whole test suite on a fresh Debian machine: installs what the tests need (Debian's Chromium and
# CJK fonts for the browser tests and the PDF report, poppler-utils to read the PDFs back, PostgreSQL
# for team mode's tests, which start a throwaway cluster of their own, nginx for team mode's
# load balancer, the Python packages), then
# runs every test. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK" \
   || ! command -v pdftoppm >/dev/null 2>&1 || ! compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null \
   || ! [ -x /usr/sbin/nginx ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium fonts-noto-cjk poppler-utils postgresql nginx >/dev/null
fi
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-test.txt

# Compiled modules kept (__pycache__, ignored by git) even where the environment sets
# PYTHONDONTWRITEBYTECODE: the suite starts many Python processes (streamlit servers, the
# command line, the crash tests' children), and each compiled the project's modules again (~0.4 s).
unset PYTHONDONTWRITEBYTECODE

# Two workers (pytest-xdist): the machines have 2 cores, and the suite's many subprocesses (servers,
# Chromium, the CLI) wait on I/O; measured with 1,384 tests: 5:18 with two workers against 8:34 in one.
# DuckDB's binding lists "leaked" objects on stderr as the interpreter exits, after pytest's
# summary; drop those lines so the summary stays the last thing printed (pipefail keeps the status).
python3 -m pytest -q -n 2 "$@" 2>&1 | grep -v -E 'leaked (function|type|instance)|nanobind|skipped remainder'
