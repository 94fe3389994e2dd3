#!/usr/bin/env bash
# The README's second command: install test dependencies (Debian and npm) and run every test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
npm ci --no-audit --no-fund
npm test
