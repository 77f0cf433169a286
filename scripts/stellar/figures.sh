#!/usr/bin/env bash
# Regenerates every figure and number of docs/stellar.md (issue #12, parts 4–5):
#   1. trains Configs/stellar_tracks.json (skipped if runs/stellar_tracks/checkpoint.h5 exists),
#   2. recovery + SBC on 500 held-out simulations × 1000 draws (parameters and derived quantities),
#      a second, independent set of 1000 simulations (seed 77) to show the spread, and a third of
#      4000 simulations (seed 2026) × 250 draws, a more powerful SBC test of the parameters,
#   3. SBC with `bayesflow calibrate`: 1000 fresh simulations × 1000 draws (report in runs/), and
#      the A_V ranks split by the observation (scripts/stellar/sbc_by_observation.py),
#   4. the example stars: pairs plots, summaries and posterior predictive checks,
#   5. reference posteriors of the example stars by importance sampling (NO_REFERENCE=1 skips).
# Outputs: docs/stellar/*.svg and docs/stellar/*.txt|csv|json (small text tables).
# Usage: scripts/stellar/figures.sh [path/to/bayesflow]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-.build/release/bayesflow}
run=runs/stellar_tracks
ck=$run/checkpoint.h5
fig=docs/stellar
mkdir -p "$fig"

if [ ! -f "$ck" ]; then
  echo "== fit Configs/stellar_tracks.json"
  uptime
  "$bin" fit Configs/stellar_tracks.json --out "$run"
  uptime
fi

echo "== recovery and SBC: 500 held-out simulations × 1000 draws"
"$bin" recovery --checkpoint "$ck" --simulations 500 --draws 1000 --derived \
  --quantities log_age,log_mass,metallicity,A_V,mass_current,log_L,log_Teff,log_g \
  --out "$fig/recovery.svg" --sbc-out "$fig/recovery_sbc.svg" --table "$fig/recovery.csv" \
  | tee "$fig/recovery.txt"
echo "== the same on an independent set: 1000 simulations (seed 77) × 500 draws"
"$bin" recovery --checkpoint "$ck" --simulations 1000 --draws 500 --derived --seed 77 \
  --quantities log_age,log_mass,metallicity,A_V,mass_current,log_L,log_Teff,log_g \
  | tee "$fig/recovery_seed77.txt"

echo "== a larger SBC check of the four parameters: 4000 simulations (seed 2026) × 250 draws"
"$bin" recovery --checkpoint "$ck" --simulations 4000 --draws 250 --seed 2026 --sbc-out "$fig/sbc_4000.svg" \
  | tee "$fig/recovery_seed2026.txt"
echo "== SBC: bayesflow calibrate, 1000 simulations × 1000 draws"
"$bin" calibrate --checkpoint "$ck" --simulations 1000 --draws 1000 --seed 1 \
  --report "$run/calibration.html" --metrics "$fig/calibration.json" | sed "s|$PWD/||" | tee "$fig/calibration.txt"

echo "== A_V ranks split by the observation (V, V − H quartiles): 4000 simulations (seed 2026) × 250 draws"
sbc=runs/sbc
mkdir -p "$sbc"
rm -f "$sbc/held.h5" "$sbc/draws.h5"
"$bin" simulate Configs/stellar_tracks.json --count 4000 --seed 2026 --out "$sbc/held.h5" > /dev/null
"$bin" sample --checkpoint "$ck" --observation "$sbc/held.h5" --samples 250 --seed 5 --out "$sbc/draws.h5"
h5dump -d /parameters -b LE -o "$sbc/held.p" "$sbc/held.h5" > /dev/null
h5dump -d /observations -b LE -o "$sbc/held.y" "$sbc/held.h5" > /dev/null
h5dump -d /samples -b LE -o "$sbc/draws.s" "$sbc/draws.h5" > /dev/null
python3 scripts/stellar/sbc_by_observation.py --prefix "$sbc/held" --draws "$sbc/draws.s" --count 4000 --samples 250 \
  | tee "$fig/sbc_by_observation.txt"

# Example stars: θ = log_age, log_mass, [M/H], A_V; the observation is simulated from θ with
# --data-seed 1 (0.03 mag noise), the posterior drawn with --seed 1.
star() {
  local name=$1 theta=$2 quantities=$3
  echo "== $name: θ = $theta"
  "$bin" pairs --checkpoint "$ck" --theta "$theta" --data-seed 1 --seed 1 --samples 4000 --derived --predictive \
    --quantities "$quantities" --title "$4" --out "$fig/$name.svg" | tee "$fig/$name.txt"
}
P=log_age,log_mass,metallicity,A_V
star solar_twin    9.66,0,0,0.3          $P "Solar twin: 4.6 Gyr, 1 Msun, [M/H] 0, A_V 0.3"
star red_giant     9.6,0.12551,0.05,0.5  $P "Red giant (lower RGB): 4 Gyr, 1.335 Msun, [M/H] 0.05, A_V 0.5"
star young_massive 7.0,1.0,0.05,1.5      $P "Young massive star: 10 Myr, 10 Msun, [M/H] 0.05, A_V 1.5"
star low_mass      9.8,-0.523,-0.5,0.2   $P "Low-mass dwarf: 6.3 Gyr, 0.3 Msun, [M/H] -0.5, A_V 0.2"
star red_clump     9.6,0.13195,0.05,0.5  $P "Red clump star: 4 Gyr, 1.355 Msun, [M/H] 0.05, A_V 0.5"
# The age–mass degeneracy: 2-D posteriors of log_age vs log_mass.
star degeneracy_red_giant 9.6,0.12551,0.05,0.5 log_age,log_mass,log_L,log_Teff "Red giant (4 Gyr, 1.335 Msun): two modes, old RGB star or pre-main-sequence star of ~3 Msun"
star degeneracy_red_clump 9.6,0.13195,0.05,0.5 log_age,log_mass,log_L,log_Teff "Red clump star (4 Gyr, 1.355 Msun): age–mass banana"

# Reference posteriors by importance sampling (scripts/stellar/reference_posterior.py): noise-free
# prior draws weighted by the Gaussian likelihood of the observation as printed by `pairs`
# (rounded to 1e-4 mag; the flow's draws for the comparison are of that same rounded
# observation). Main-sequence stars: 2 million draws from the whole prior box; the evolved stars
# (tiny prior volume): 10 million draws from the box log_mass ∈ [−0.5, 1.0], which holds all
# their posterior mass (the truncated prior is uniform, so this is the same posterior). Needs
# ~0.6 GB in runs/ref (kept between runs) and a few minutes; skip with NO_REFERENCE=1.
if [ -z "${NO_REFERENCE:-}" ]; then
  ref=runs/ref
  mkdir -p "$ref"
  draws() {  # name, log_mass box, seed
    if [ ! -f "$ref/$1.y" ]; then
      echo "{\"simulator\": {\"name\": \"stellar_tracks\", \"options\": {\"noise\": 0, \"log_mass\": [$2]}}}" > "$ref/$1.json"
      "$bin" simulate "$ref/$1.json" --count 2000000 --seed "$3" --out "$ref/$1.h5"
      h5dump -d /parameters -b LE -o "$ref/$1.p" "$ref/$1.h5" > /dev/null
      h5dump -d /observations -b LE -o "$ref/$1.y" "$ref/$1.h5" > /dev/null
      rm "$ref/$1.h5"
    fi
  }
  draws full_1 "-1.0, 2.5" 99
  for k in 1 2 3 4 5; do draws box_$k "-0.5, 1.0" $((1000 + k)); done
  reference() {  # star, sims, extra arguments
    local star=$1 sims=$2; shift 2
    local y
    y=$(sed -n 's/^observation: \[\(.*\)\]$/\1/p' "$fig/$star.txt" | tr -d ' ')
    echo "{\"observation\": [$y]}" > "$ref/${star}_observation.json"
    "$bin" sample --checkpoint "$ck" --observation "$ref/${star}_observation.json" --samples 4000 --seed 1 --out "$ref/${star}_flow.csv"
    echo "== reference posterior: $star"
    # shellcheck disable=SC2086
    python3 scripts/stellar/reference_posterior.py --observation="$y" --sims $sims --flow "$ref/${star}_flow.csv" "$@"
  }
  {
    reference solar_twin "$ref/full_1"
    reference young_massive "$ref/full_1"
    reference low_mass "$ref/full_1"
    reference red_giant "$ref/box_1 $ref/box_2 $ref/box_3 $ref/box_4 $ref/box_5" --split-age 7 \
      --svg "$fig/reference_red_giant.svg" --truth 9.6,0.12551,0.05,0.5
    reference red_clump "$ref/box_1 $ref/box_2 $ref/box_3 $ref/box_4 $ref/box_5" \
      --svg "$fig/reference_red_clump.svg" --truth 9.6,0.13195,0.05,0.5
  } | tee "$fig/reference.txt"
fi
