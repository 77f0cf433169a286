#!/usr/bin/env python3
"""The SECIRD budget study of docs/secird.md: SBC verdicts of the stage checkpoints, one row each.

  python3 scripts/secird/budget_table.py docs/secird-results/budget runs/secird_stages [steps per epoch = 500]

For every METRICS_DIR/eN.json (from `bayesflow calibrate --checkpoint CHECKPOINT_DIR/eN.h5
--metrics METRICS_DIR/eN.json`) the row shows the training budget read from the history of
CHECKPOINT_DIR/eN.h5 (epochs, optimizer steps, training simulations, validation loss, the
cumulative wall time of the training loop, which depends on the machine's load) and the number
of parameters whose rank ECDF stays inside the 95% simultaneous band, with those outside it.
"""
import glob
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from history_table import dataset  # noqa: E402


def main():
    metrics_dir, checkpoint_dir = sys.argv[1], sys.argv[2]
    steps_per_epoch = int(sys.argv[3]) if len(sys.argv) > 3 else 500
    rows = []
    for path in glob.glob(os.path.join(metrics_dir, "e*.json")):
        name = os.path.splitext(os.path.basename(path))[0]
        if not re.fullmatch(r"e\d+", name):
            continue
        m = json.load(open(path))
        ckpt = os.path.join(checkpoint_dir, name + ".h5")
        epochs = dataset(ckpt, "epoch")
        rows.append((int(epochs[-1]), dataset(ckpt, "simulations")[-1], dataset(ckpt, "validation_loss")[-1],
                     dataset(ckpt, "seconds")[-1], m))
    rows.sort(key=lambda r: r[0])
    print("| epoch | steps | training simulations | validation loss | training wall s (cumulative) | in band | outside the band |")
    print("|---|---|---|---|---|---|---|")
    for epoch, sims, val, secs, m in rows:
        failing = [n for n, p in m["parameters"].items() if not p["calibrated"]]
        print(f"| {epoch} | {epoch * steps_per_epoch} | {int(sims)} | {val:.3f} | {secs:.0f} | "
              f"{m['calibrated_parameters']}/{len(m['parameters'])} | {', '.join(failing) or '—'} |")


if __name__ == "__main__":
    main()
