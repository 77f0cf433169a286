#!/usr/bin/env bash
# The OutbreakFlow Germany analysis (docs/secird.md): fit or resume the amortized SECIRD posterior,
# report the Germany posterior with the authors' medians, the posterior predictive against the
# data, and simulation-based calibration on held-out simulations.
#
#   scripts/secird_germany.sh                 # fit 40 epochs + 10 annealing epochs (resuming runs/secird_germany if present), then report
#   EPOCHS=60 ANNEAL_EPOCHS= scripts/secird_germany.sh   # extend the first phase to 60 epochs (500 steps each), no annealing
#   STEPS=report scripts/secird_germany.sh    # only the reports of the existing checkpoint
#   STEPS=sbc SBC_OUT=docs/secird-results/sbc_e20 scripts/secird_germany.sh   # only the SBC
#
# Training (docs/secird.md): phase 1 runs the config (exponential decay from lr 5e-4) to EPOCHS
# (default: its training.epochs, 40); phase 2 resumes the same run to ANNEAL_EPOCHS (default 50)
# with the base learning rate ANNEAL_LR (default 1e-4, i.e. ×0.2 at the same point of the decay):
# a low-learning-rate finish that removes most of the epoch-to-epoch jitter of the posterior.
# Both phases resume exactly (bit-for-bit) from the last epoch checkpoint, so the script can be
# interrupted and rerun; a finished phase is skipped.
#
# Environment (defaults): EPOCHS (config), ANNEAL_EPOCHS (50; empty: no phase 2), ANNEAL_LR (1e-4), RUN (runs/secird_germany),
# OUT (docs/secird-results), STEPS ("fit report sbc"), DRAWS (4000 posterior draws for the table),
# PREDICTIVE (1000 predictive simulations), SBC_SIMULATIONS (500), SBC_DRAWS (1000), SEED (1).
# Needs the Swift toolchain and python3 (standard library only).
set -euo pipefail
cd "$(dirname "$0")/.."

CONFIG=Configs/secird_germany.json
OBSERVATION=Configs/data/germany_2020.csv
DATA=Simulators/Resources/covid/germany_daily_2020-03-02_2020-05-21.csv
RUN=${RUN:-runs/secird_germany}
OUT=${OUT:-docs/secird-results}
STEPS=${STEPS:-fit report sbc}
DRAWS=${DRAWS:-4000}
PREDICTIVE=${PREDICTIVE:-1000}
SEED=${SEED:-1}
SBC_OUT=${SBC_OUT:-$OUT/sbc}
BF=.build/release/bayesflow
CKPT=$RUN/checkpoint.h5
mkdir -p "$RUN" "$OUT"

has() { [[ " $STEPS " == *" $1 "* ]]; }

swift build -c release --product bayesflow >&2

if has fit; then
  echo "== fit ($(uptime))" >&2
  extra=()
  [[ -n "${EPOCHS:-}" ]] && extra=(--set "training.epochs=$EPOCHS")
  /usr/bin/time -f "fit: %e s wall, %U s user, %S s sys" \
    "$BF" fit "$CONFIG" --out "$RUN" --resume "${extra[@]}" 2>&1 | tee -a "$RUN/fit.log"
  ANNEAL_EPOCHS=${ANNEAL_EPOCHS-50}
  if [[ -n "$ANNEAL_EPOCHS" ]]; then
    echo "== annealing to epoch $ANNEAL_EPOCHS, base learning rate ${ANNEAL_LR:-0.0001} ($(uptime))" >&2
    /usr/bin/time -f "anneal: %e s wall, %U s user, %S s sys" \
      "$BF" fit "$CONFIG" --out "$RUN" --resume --set "training.epochs=$ANNEAL_EPOCHS" \
      --set "training.learning_rate=${ANNEAL_LR:-0.0001}" 2>&1 | tee -a "$RUN/fit.log"
  fi
  echo "== after fit ($(uptime))" >&2
fi

if has report; then
  echo "== Germany posterior ($DRAWS draws) and posterior predictive ($PREDICTIVE simulations)" >&2
  "$BF" sample --checkpoint "$CKPT" --observation "$OBSERVATION" --samples "$DRAWS" --seed "$SEED" --out "$RUN/germany_draws.csv"
  "$BF" sample --checkpoint "$CKPT" --observation "$OBSERVATION" --samples "$DRAWS" --seed "$SEED" --summary
  "$BF" predict --checkpoint "$CKPT" --observation "$OBSERVATION" --samples "$PREDICTIVE" --seed "$SEED" \
    --out "$RUN/germany_predictive_raw.csv"
  python3 scripts/secird/germany_report.py --draws "$RUN/germany_draws.csv" --predictive "$RUN/germany_predictive_raw.csv" \
    --data "$DATA" --out "$OUT" \
    --label "Checkpoint \`$CKPT\` ($CONFIG${EPOCHS:+, training.epochs=$EPOCHS}); \`bayesflow sample --samples $DRAWS --seed $SEED\`, \`bayesflow predict --samples $PREDICTIVE --seed $SEED\`."
fi

if has sbc; then
  echo "== SBC: ${SBC_SIMULATIONS:-500} held-out simulations × ${SBC_DRAWS:-1000} draws ($(uptime))" >&2
  swift build -c release --build-tests >&2
  SECIRD_SBC_CHECKPOINT="$CKPT" SECIRD_SBC_OUT="$SBC_OUT" SECIRD_SBC_SIMULATIONS="${SBC_SIMULATIONS:-500}" \
    SECIRD_SBC_DRAWS="${SBC_DRAWS:-1000}" SECIRD_SBC_LABEL="${SBC_LABEL:-}" \
    .build/release/bayesflow-swiftPackageTests.xctest SimulatorsTests.SECIRDCalibrationRun/testSBC
  cat "$SBC_OUT.md"
fi
