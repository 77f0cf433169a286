#!/usr/bin/env bash
# Reproduces the measurements of docs/benchmarks.md on this machine:
#   1. `bayesflow bench` (all cases), results also as JSON;
#   2. peak memory (RSS) of sampling runs with the anchors' two-moons architecture
#      (Configs/anchor_two_moons.json, the architecture of ../shared/anchors), via /usr/bin/time.
# Usage: scripts/benchmarks.sh [output directory, default runs/bench]
# Run it on an otherwise idle machine: every number is a throughput.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/release/bayesflow
out=${1:-runs/bench}
mkdir -p "$out"
echo "# $(date -u +%FT%TZ) $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); load $(cut -d' ' -f1-3 /proc/loadavg)"
"$bin" bench --json "$out/bench.json"

if [ -x /usr/bin/time ]; then
  ckpt="$out/anchor_two_moons/checkpoint.h5"
  [ -f "$ckpt" ] || "$bin" fit Configs/anchor_two_moons.json --out "$out/anchor_two_moons" --set training.epochs=1 > /dev/null
  echo '{"observation": [0.1, -0.05]}' > "$out/observation.json"
  "$bin" simulate Configs/anchor_two_moons.json --count 100 --seed 5 --out "$out/observations.h5" > /dev/null 2>&1
  peak() { /usr/bin/time -f "%M" "$@" 2>&1 >/dev/null | tail -1; }
  echo "peak RSS, sample 1 x 10,000 draws to CSV: $(peak "$bin" sample --checkpoint "$ckpt" --observation "$out/observation.json" --samples 10000 --out "$out/draws.csv") KiB"
  echo "peak RSS, sample 100 x 1,000 draws to HDF5: $(peak "$bin" sample --checkpoint "$ckpt" --observation "$out/observations.h5" --samples 1000 --out "$out/draws.h5") KiB"
else
  echo "(/usr/bin/time not installed: apt-get install time, for the peak-memory lines)"
fi
