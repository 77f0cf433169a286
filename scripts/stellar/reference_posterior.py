#!/usr/bin/env python3
"""Reference posterior of one stellar_tracks observation by importance sampling from the prior.

Prior draws θ with their noise-free magnitudes come from `bayesflow simulate` with
`simulator.options.noise = 0` (optionally with a narrower `log_mass` box that still holds all
the posterior mass); each draw gets the Gaussian likelihood weight exp(−χ²/2),
χ² = Σ_b (y_b − m_b(θ))² / σ², which is exact for the simulator's i.i.d. N(0, σ²) noise. The
weighted draws are the posterior restricted to the simulated box; the effective sample size
(ESS = (Σw)²/Σw²) says how many independent draws they are worth.

Reads the raw little-endian dumps of /parameters (float64 [N, 4]) and /observations
(float32 [N, 4]) written by `h5dump -d /parameters -b LE -o FILE.p` and
`h5dump -d /observations -b LE -o FILE.y` (no h5py needed). With --flow, also summarises the
draws of `bayesflow sample … --out draws.csv` the same way, for comparison.

    python3 scripts/stellar/reference_posterior.py --observation=2.6758,1.4125,0.5731,0.0161 \
        --split-age 7 --sims runs/ref/box_1 runs/ref/box_2 … [--flow draws.csv]

Output: ESS, the best χ², the posterior mass below/above log_age = --split-age (if given), and
per mode (or for all draws) the weighted median and 2.5–97.5% range of every parameter.
"""
import argparse
import numpy as np

NAMES = ["log_age", "log_mass", "metallicity", "A_V"]


def weighted_quantiles(x, w, qs):
    order = np.argsort(x)
    x, w = x[order], w[order]
    c = np.cumsum(w)
    c = (c - 0.5 * w) / c[-1]
    return [float(np.interp(q, c, x)) for q in qs]


def summarize(label, theta, w, split):
    w = w / w.sum()
    print(f"{label}: effective sample size {w.sum() ** 2 / (w ** 2).sum():.1f}")
    if split is None:
        modes = (("all", np.ones(len(theta), dtype=bool)),)
    else:
        young = theta[:, 0] < split
        print(f"  P(log_age < {split}) = {w[young].sum():.3f}")
        modes = ((f"log_age < {split}", young), (f"log_age >= {split}", ~young))
    for mode, mask in modes:
        if w[mask].sum() < 1e-3:
            continue
        print(f"  {mode}:")
        for j, name in enumerate(NAMES):
            lo, med, hi = weighted_quantiles(theta[mask, j], w[mask], [0.025, 0.5, 0.975])
            print(f"    {name:12s} median {med:8.3f}   95% [{lo:7.3f}, {hi:7.3f}]")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--observation", required=True, help="comma-separated magnitudes")
    ap.add_argument("--sigma", type=float, default=0.03, help="noise σ (mag) of the simulator")
    ap.add_argument("--split-age", type=float, help="log_age separating two modes (default: one mode)")
    ap.add_argument("--sims", nargs="+", required=True, help="prefixes of .p/.y dumps")
    ap.add_argument("--flow", help="CSV of bayesflow sample (header, parameters first)")
    a = ap.parse_args()
    y = np.array([float(v) for v in a.observation.split(",")])
    kept_theta, kept_chi2, total, best = [], [], 0, np.inf
    for prefix in a.sims:
        theta = np.fromfile(prefix + ".p", dtype="<f8").reshape(-1, 4)
        mags = np.fromfile(prefix + ".y", dtype="<f4").reshape(-1, len(y)).astype(np.float64)
        chi2 = (((mags - y) / a.sigma) ** 2).sum(axis=1)
        keep = chi2 < 60  # weights below e^-30 of the best possible do not matter
        kept_theta.append(theta[keep])
        kept_chi2.append(chi2[keep])
        total += len(theta)
        best = min(best, chi2.min())
    theta = np.concatenate(kept_theta)
    chi2 = np.concatenate(kept_chi2)
    print(f"prior draws {total}, best chi2 {best:.2f}, draws with chi2 < 60: {len(theta)}")
    summarize("reference (importance sampling)", theta, np.exp(-(chi2 - chi2.min()) / 2), a.split_age)
    if a.flow:
        draws = np.loadtxt(a.flow, delimiter=",", skiprows=1)[:, :4]
        summarize(f"flow ({len(draws)} draws)", draws, np.ones(len(draws)), a.split_age)


if __name__ == "__main__":
    main()
