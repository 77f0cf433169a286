#!/usr/bin/env bash
# The OutbreakFlow Germany analysis (docs/secird.md): fit or resume the amortized SECIRD posterior,
# report the Germany posterior next to the authors' medians with the posterior predictive against
# the data, and check calibration (SBC) on held-out simulations.
#
#   scripts/secird_germany.sh                  # fit/resume to epoch 60, report, SBC of the final checkpoint
#   STEPS=report scripts/secird_germany.sh     # only the Germany report of the existing checkpoint
#   STEPS=sbc scripts/secird_germany.sh        # only the SBC of the existing checkpoint
#   STEPS=budget scripts/secird_germany.sh     # SBC of every stage checkpoint (the budget table)
#   STEPS=large scripts/secird_germany.sh      # second opinion: SBC with 2000 simulations, another seed,
#                                              # of the stage checkpoints of LARGE_STAGES
#
# Training, two phases of one run (docs/secird.md, "Training"):
#   1. epochs 1–40: Configs/secird_germany.json as it is (Adam, lr 5e-4 × 0.95 every 1000 steps);
#   2. epochs 41–60: the same run resumed with base learning rate 1e-4 (× 0.2 at the same point
#      of the decay), a low-learning-rate finish.
# The run is advanced to each epoch of STAGES in turn (`fit --resume --set training.epochs=E`) and
# its checkpoint copied to $RUN/../secird_stages/eE.h5 for the budget study. Resuming is exact and
# the exponential schedule does not depend on training.epochs, so the stages give the same weights
# as one uninterrupted run; finished stages are skipped, so the script can be stopped and rerun.
#
# Environment (defaults): RUN (runs/secird_germany), OUT (docs/secird-results),
# STEPS ("fit report sbc"), STAGES ("2 5 10 15 20 25 30 35 40 45 50 55 60"), PHASE1 (40),
# LR2 (0.0001), DRAWS (4000 posterior draws for the table), PREDICTIVE (1000 predictive
# simulations), SBC_SIMULATIONS (500), SBC_DRAWS (1000), SEED (1); for STEPS=large:
# LARGE_SIMULATIONS (2000), LARGE_SEED (2), LARGE_STAGES ("40 50 60").
# Needs the Swift toolchain, python3 (standard library only) and h5dump (hdf5-tools).
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=Configs/secird_germany.json
OBSERVATION=Configs/data/germany_2020.csv
DATES=Simulators/Resources/covid/germany_daily_2020-03-02_2020-05-21.csv
RUN=${RUN:-runs/secird_germany}
STAGE_DIR=$(dirname "$RUN")/secird_stages
OUT=${OUT:-docs/secird-results}
STEPS=${STEPS:-fit report sbc}
STAGES=${STAGES:-2 5 10 15 20 25 30 35 40 45 50 55 60}
PHASE1=${PHASE1:-40}
LR2=${LR2:-0.0001}
DRAWS=${DRAWS:-4000}
PREDICTIVE=${PREDICTIVE:-1000}
SBC_SIMULATIONS=${SBC_SIMULATIONS:-500}
SBC_DRAWS=${SBC_DRAWS:-1000}
SEED=${SEED:-1}
BF=.build/release/bayesflow
CKPT=$RUN/checkpoint.h5
mkdir -p "$RUN" "$OUT" "$STAGE_DIR"

has() { [[ " $STEPS " == *" $1 "* ]]; }

swift build -c release --product bayesflow >&2

if has fit; then
  for e in $STAGES; do
    [[ -f "$STAGE_DIR/e$e.h5" ]] && continue
    if [[ -f "$CKPT" ]] && (( $(python3 scripts/secird/history_table.py "$CKPT" --last-epoch) > e )); then
      echo "scripts/secird_germany.sh: $CKPT is past epoch $e but $STAGE_DIR/e$e.h5 is missing; leave epoch $e out of STAGES or start a new RUN" >&2
      exit 2
    fi
    lr=(); (( e > PHASE1 )) && lr=(--set "training.learning_rate=$LR2")
    echo "== fit to epoch $e ${lr[*]} ($(uptime))" >&2
    /usr/bin/time -f "fit to epoch $e: %e s wall, %U s user, %S s sys" \
      "$BF" fit "$CONFIG" --out "$RUN" --resume --set "training.epochs=$e" "${lr[@]}" 2>&1 | tee -a "$RUN/fit.log"
    cp "$CKPT" "$STAGE_DIR/e$e.h5"
  done
  python3 scripts/secird/history_table.py "$CKPT" --every 5 > "$OUT/training_history.md"
fi

calibrate() {  # calibrate CHECKPOINT METRICS.json REPORT.html [SIMULATIONS SEED]
  "$BF" calibrate --checkpoint "$1" --simulations "${4:-$SBC_SIMULATIONS}" --draws "$SBC_DRAWS" --seed "${5:-$SEED}" \
    --observation "$OBSERVATION" --metrics "$2" --report "$3"
}

if has report; then
  echo "== Germany posterior ($DRAWS draws) and posterior predictive ($PREDICTIVE simulations)" >&2
  "$BF" sample --checkpoint "$CKPT" --observation "$OBSERVATION" --samples "$DRAWS" --seed "$SEED" --out "$RUN/germany_draws.csv"
  "$BF" predict --checkpoint "$CKPT" --observation "$OBSERVATION" --samples "$PREDICTIVE" --seed "$SEED" \
    --out "$RUN/germany_predictive_raw.csv"
  "$BF" simulate "$CONFIG" --count "$DRAWS" --seed "$SEED" --out "$RUN/prior.h5"
  python3 scripts/secird/germany_report.py --draws "$RUN/germany_draws.csv" --predictive "$RUN/germany_predictive_raw.csv" \
    --prior "$RUN/prior.h5" \
    --data "$DATES" --out "$OUT" \
    --label "Checkpoint \`$CKPT\` (scripts/secird_germany.sh); \`bayesflow sample --samples $DRAWS --seed $SEED\`, \`bayesflow predict --samples $PREDICTIVE --seed $SEED\`, \`bayesflow simulate $CONFIG --count $DRAWS --seed $SEED\`."
fi

if has sbc; then
  echo "== SBC: $SBC_SIMULATIONS held-out simulations × $SBC_DRAWS draws ($(uptime))" >&2
  calibrate "$CKPT" "$OUT/sbc.json" "$RUN/calibration.html"
  python3 scripts/secird/sbc_table.py "$OUT/sbc.json" \
    --label "\`bayesflow calibrate --checkpoint $CKPT --simulations $SBC_SIMULATIONS --draws $SBC_DRAWS --seed $SEED --observation $OBSERVATION\`" \
    > "$OUT/sbc.md"
  cat "$OUT/sbc.md"
fi

if has budget; then
  mkdir -p "$OUT/budget"
  for ckpt in "$STAGE_DIR"/e*.h5; do
    name=$(basename "$ckpt" .h5)
    [[ -f "$OUT/budget/$name.json" ]] && continue
    echo "== SBC of $ckpt ($(uptime))" >&2
    calibrate "$ckpt" "$OUT/budget/$name.json" "$STAGE_DIR/$name.html"
  done
  python3 scripts/secird/budget_table.py "$OUT/budget" "$STAGE_DIR" > "$OUT/budget.md"
  cat "$OUT/budget.md"
fi

if has large; then
  LARGE_SIMULATIONS=${LARGE_SIMULATIONS:-2000}
  LARGE_SEED=${LARGE_SEED:-2}
  mkdir -p "$OUT/budget_m$LARGE_SIMULATIONS"
  for e in ${LARGE_STAGES:-40 50 60}; do
    echo "== SBC ($LARGE_SIMULATIONS simulations, seed $LARGE_SEED) of $STAGE_DIR/e$e.h5 ($(uptime))" >&2
    calibrate "$STAGE_DIR/e$e.h5" "$OUT/budget_m$LARGE_SIMULATIONS/e$e.json" "$STAGE_DIR/e${e}_m$LARGE_SIMULATIONS.html" \
      "$LARGE_SIMULATIONS" "$LARGE_SEED"
  done
  python3 scripts/secird/budget_table.py "$OUT/budget_m$LARGE_SIMULATIONS" "$STAGE_DIR" > "$OUT/budget_m$LARGE_SIMULATIONS.md"
  last=$(ls "$OUT/budget_m$LARGE_SIMULATIONS"/e*.json | sort -V | tail -1)
  python3 scripts/secird/sbc_table.py "$last" \
    --label "\`bayesflow calibrate --checkpoint $STAGE_DIR/$(basename "$last" .json).h5 --simulations $LARGE_SIMULATIONS --draws $SBC_DRAWS --seed $LARGE_SEED --observation $OBSERVATION\`" \
    > "$OUT/sbc_m$LARGE_SIMULATIONS.md"
  cat "$OUT/budget_m$LARGE_SIMULATIONS.md" "$OUT/sbc_m$LARGE_SIMULATIONS.md"
fi
