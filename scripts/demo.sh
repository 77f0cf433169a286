#!/usr/bin/env bash
# make demo: the whole workflow on the built-in two-moons example, in a couple of minutes.
#   1. train an amortized posterior (coupling flow) on simulations,
#   2. query the posterior of one observation (summary and draws),
#   3. check calibration on fresh simulations and write the HTML report.
set -euo pipefail
bin=${1:-.build/release/bayesflow}
out=runs/demo
mkdir -p "$out"
echo "== 1. fit: Configs/two_moons.json (10^5 simulations, 10 epochs)"
"$bin" fit Configs/two_moons.json --out "$out" --set training.epochs=10
echo
echo "== 2. posterior for the observation y = (0.1, -0.05)"
echo '{"observation": [0.1, -0.05]}' > "$out/observation.json"
"$bin" sample --checkpoint "$out/checkpoint.h5" --observation "$out/observation.json" --samples 20000 --summary
"$bin" sample --checkpoint "$out/checkpoint.h5" --observation "$out/observation.json" --samples 20000 --out "$out/posterior.csv"
echo "20,000 draws written to $out/posterior.csv"
echo
echo "== 3. calibration on 500 fresh simulations"
"$bin" calibrate --checkpoint "$out/checkpoint.h5" --simulations 500 --observation "$out/observation.json" \
  --report "$out/calibration.html" --metrics "$out/calibration.json"
echo "calibration report: $PWD/$out/calibration.html"
