#!/usr/bin/env python3
"""Markdown table of one `bayesflow calibrate --metrics` JSON (docs/secird.md), standard library only.

  python3 scripts/secird/sbc_table.py docs/secird-results/sbc.json [--label TEXT] > docs/secird-results/sbc.md

One row per parameter: inside the 95% simultaneous ECDF band (Säilynoja et al. 2022), the largest
|ECDF − z| of the fractional ranks, the χ² p-value of the 20-bin rank histogram, the empirical
coverage of the central 50% and 95% credible intervals, R² of the posterior median against the
truths, the mean contraction 1 − Var_post/Var_prior, and mean and sd of the z-scores
(posterior mean − truth)/posterior sd. Calibrated: z ~ N(0, 1), coverage = nominal.
"""
import argparse
import json


def level_index(levels, q):
    for i, v in enumerate(levels):
        if abs(v - q) < 1e-9:
            return i
    raise SystemExit(f"coverage level {q} not in {levels}")


def fmt(x, spec):
    return "—" if x is None else format(x, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("metrics")
    ap.add_argument("--label", default="")
    a = ap.parse_args()
    m = json.load(open(a.metrics))
    params = m["parameters"]
    i50, i95 = level_index(m["coverage_levels"], 0.5), level_index(m["coverage_levels"], 0.95)
    failing = [n for n, p in params.items() if not p["calibrated"]]
    band = m["ecdf_band"]
    t = m.get("training", {})
    out = [f"# SBC of `{m['simulator']}`: {m['calibrated_parameters']} of {len(params)} parameters inside the "
           f"95% simultaneous ECDF band", ""]
    if a.label:
        out += [a.label, ""]
    out += [f"M = {m['simulations']} held-out prior simulations, L = {m['draws']} posterior draws each; band: "
            f"{band['evaluation_points']} evaluation points, adjusted pointwise level γ = {band['adjusted_pointwise_level']:.3g}; "
            f"{0.05 * len(params):.1f} parameters expected outside by chance alone. "
            + (f"Checkpoint after {t['epochs']} epochs, final validation loss {t['final_validation_loss']:.3f}. " if t else "")
            + f"Outside the band: {', '.join(failing) if failing else 'none'}.", "",
            "| parameter | in band | max \\|ECDF − z\\| | χ² p | cov. 50% | cov. 95% | R² (median) | contraction | mean z | sd z |",
            "|---|---|---|---|---|---|---|---|---|---|"]
    for n, p in params.items():
        cov = p["coverage"]["empirical"]
        out.append(f"| {n} | {'yes' if p['calibrated'] else '**no**'} | {fmt(p['sbc']['max_ecdf_deviation'], '.3f')} | "
                   f"{fmt(p['sbc']['chi_square_p'], '.3f')} | {fmt(cov[i50], '.3f')} | {fmt(cov[i95], '.3f')} | "
                   f"{fmt(p['recovery']['median']['r2'], '.3f')} | {fmt(p['contraction']['mean'], '.2f')} | "
                   f"{fmt(p['z_score']['mean'], '.2f')} | {fmt(p['z_score']['sd'], '.2f')} |")
    print("\n".join(out))


if __name__ == "__main__":
    main()
