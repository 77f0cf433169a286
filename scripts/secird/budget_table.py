#!/usr/bin/env python3
"""The budget study of docs/secird.md: one row per SBC JSON (SECIRDCalibrationRun output).

  python3 scripts/secird/budget_table.py docs/secird-results/budget/sbc_e*.json
"""
import json
import sys

rows = [json.load(open(p)) for p in sys.argv[1:]]
rows.sort(key=lambda d: d["training_steps"])
print("| epoch | steps | training simulations | validation loss | wall s (cumulative) | in band | outside the band |")
print("|---|---|---|---|---|---|---|")
for d in rows:
    print(f"| {int(d['training_epochs'])} | {int(d['training_steps'])} | {int(d['training_simulations'])} | "
          f"{d['validation_loss']:.3f} | {d['training_seconds']:.0f} | {int(d['inside_band'])}/{int(d['parameters_total'])} | "
          f"{', '.join(d['outside_band']) or '—'} |")
