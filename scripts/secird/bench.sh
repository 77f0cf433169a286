#!/usr/bin/env bash
# Speed of the `secird` simulator next to scipy, for docs/secird-simulator.md.
#
#   scripts/secird/bench.sh [rounds=3] [min_idle=90]
#
# The machine is shared: before each measurement the script waits (up to 5 min) until the
# CPUs were at least min_idle % idle over 2 s. Each round runs our simulator on 1 and 2
# threads (SECIRDBenchmarkTests.testSpeed, 3 × 2000 simulations each),
# scripts/secird/secird_scipy_reference.py with LSODA, BDF and odeint, and the anchors'
# /work/shared/anchors/secird_scipy.py (LSODA, odeint), 300 simulations each. Output: one line
# per measurement, prefixed with the idle share seen before it and the load average. Needs a
# release build with tests: swift build -c release --build-tests.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-3}
min_idle=${2:-90}
anchor=${ANCHOR:-/work/shared/anchors/secird_scipy.py}
xctest=.build/release/bayesflow-swiftPackageTests.xctest

# Percent idle of all CPUs over the next 2 s (from /proc/stat).
idle() {
  local a b
  a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
  local total=0 i
  for i in 1 2 3 4 5 6 7 8; do total=$((total + b[i] - a[i])); done
  echo $(( 100 * (b[4] - a[4]) / (total > 0 ? total : 1) ))
}
wait_quiet() {
  local seen
  for _ in $(seq 150); do
    seen=$(idle)
    if [ "$seen" -ge "$min_idle" ]; then echo "$seen"; return; fi
  done
  echo "$seen (gave up waiting)"
}
run() {
  local seen
  seen=$(wait_quiet)
  echo "[idle $seen %, load $(cut -d' ' -f1-3 /proc/loadavg)] $*"
  "$@" 2>&1 | grep -E '^SECIRD speed|^\{' || true
}

echo "# $(date -Is) $(uname -n) $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2)"
echo "# swift: $(swift --version 2>&1 | head -1)"
echo "# python: $(python3 -c 'import sys, numpy, scipy; print(sys.version.split()[0], "numpy", numpy.__version__, "scipy", scipy.__version__)')"
for round in $(seq "$rounds"); do
  echo "# round $round"
  run env SECIRD_BENCH=1 SECIRD_BENCH_SETTINGS=adams+restart SECIRD_BENCH_COUNT=2000 SECIRD_BENCH_REPEATS=3 \
    "$xctest" SimulatorsTests.SECIRDBenchmarkTests/testSpeed
  for method in LSODA BDF odeint; do
    run python3 scripts/secird/secird_scipy_reference.py bench --method "$method" --count 300
  done
  run python3 "$anchor" --count 300 --method LSODA
  run python3 "$anchor" --count 300 --method odeint
done
