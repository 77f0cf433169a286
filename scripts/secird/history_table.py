#!/usr/bin/env python3
"""Training history of a bayesflow checkpoint as a Markdown table (via h5dump, hdf5-tools).

  python3 scripts/secird/history_table.py runs/secird_germany/checkpoint.h5 [--every 5]
  python3 scripts/secird/history_table.py runs/secird_germany/checkpoint.h5 --last-epoch

Columns: epoch, optimizer steps, training simulations, training loss, validation loss, learning
rate, cumulative training wall time (s). `seconds` is wall-clock time of the training loop
summed over resumed runs, so it depends on the machine's load.
"""
import argparse
import re
import subprocess


def h5_numbers(path, name):
    """All numbers of the HDF5 dataset `name` (e.g. /history/loss), flattened in row-major order."""
    text = subprocess.run(["h5dump", "-y", "-w", "0", "-d", name, path],
                          check=True, capture_output=True, text=True).stdout
    body = text[text.index("DATA {") + 6:text.rindex("}")]
    body = body[:body.rindex("}")] if body.count("}") else body
    return [float(x) for x in re.findall(r"[-+]?(?:\d+\.?\d*(?:e[-+]?\d+)?|nan|inf)", body)]


def dataset(path, name):
    """The training history column /history/NAME of a checkpoint."""
    return h5_numbers(path, f"/history/{name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("checkpoint")
    ap.add_argument("--every", type=int, default=1, help="print every k-th epoch (and the last)")
    ap.add_argument("--steps-per-epoch", type=int, default=500)
    ap.add_argument("--last-epoch", action="store_true", help="print only the number of the last trained epoch")
    a = ap.parse_args()
    if a.last_epoch:
        print(int(dataset(a.checkpoint, "epoch")[-1]))
        return
    cols = {n: dataset(a.checkpoint, n) for n in ["epoch", "loss", "validation_loss", "learning_rate", "seconds", "simulations"]}
    print("| epoch | steps | simulations | loss | validation loss | learning rate | wall s |")
    print("|---|---|---|---|---|---|---|")
    n = len(cols["epoch"])
    for i in range(n):
        e = int(cols["epoch"][i])
        if e % a.every and i != n - 1:
            continue
        print(f"| {e} | {e * a.steps_per_epoch} | {int(cols['simulations'][i])} | {cols['loss'][i]:.3f} | "
              f"{cols['validation_loss'][i]:.3f} | {cols['learning_rate'][i]:.2e} | {cols['seconds'][i]:.0f} |")


if __name__ == "__main__":
    main()
