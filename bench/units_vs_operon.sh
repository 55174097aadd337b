#!/usr/bin/env bash
# The dimensioned recovery benchmark of issue 12 in one run: sdl without and with units, then
# Operon (pyoperon, which has no units) on the same data, budget and operators.
# Usage: bench/units_vs_operon.sh [BUDGET_SECONDS] [OUT_DIR]    (default 15 s, bench/results)
set -euo pipefail
cd "$(dirname "$0")/.."
budget=${1:-15}
out=${2:-bench/results}
data=$(mktemp -d)
mkdir -p "$out"
stamp=$(date +%Y-%m-%d)
cargo build --release --locked -p sdl-search --example recover_units
bin=target/release/examples/recover_units
"$bin" --export "$data"
{
  echo "# $(date -u) on $(nproc) cores; sdl $(git rev-parse --short HEAD)"
  "$bin" --budget "$budget" -v
  echo
  echo "# Operon (pyoperon $(pip show pyoperon 2>/dev/null | awk '/^Version/ {print $2}')), same data, ${budget} s, 2 threads"
  python3 bench/operon_recover.py "$data" --budget "$budget" --threads 2
} 2>&1 | tee "$out/units-vs-operon-$stamp.txt"
rm -rf "$data"
