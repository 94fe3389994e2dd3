#!/usr/bin/env bash
# Runs one benchmark inside the lab's scanner namespace: bench/run.sh sweep-bulk [--runs N]
set -euo pipefail
name="${1:?usage: bench/run.sh <sweep-bulk|sweep-drop|sweep-rss> [--runs N]}"
shift
cd "$(dirname "$0")/.."
ns="${NOPESIGHT_BENCH_NS:-${LAB_PREFIX:-nsl}-scan}"
# Connect sweeps hold thousands of sockets: make sure the descriptor limit is not the bottleneck.
ulimit -n 65536 2>/dev/null || true
exec ip netns exec "$ns" node --import tsx "bench/$name.ts" "$@"
