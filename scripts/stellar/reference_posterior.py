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
With --svg, also a two-panel scatter of two parameters (--pair, default log_age,log_mass):
left the importance-sampling draws, each drawn with opacity w/max w (so the cloud is the
weighted posterior, not the prior), right the flow's draws; --truth marks the true values.

Draws with χ² ≥ 60 are left out: their weight relative to the best draw is below
e^{−(60 − χ²_min)/2}, negligible whenever χ²_min is small (the script prints it).
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


def nice_ticks(lo, hi, count=5):
    """About `count` ticks at multiples of 1, 2 or 5 × 10^k inside [lo, hi]."""
    raw = (hi - lo) / count
    step = min((m * 10 ** np.floor(np.log10(raw)) for m in (1, 2, 5, 10)), key=lambda s: abs(s - raw))
    return [round(t, 10) for t in np.arange(np.ceil(lo / step) * step, hi, step)]


def scatter_svg(path, pair, truth, panels):
    """Side-by-side scatter panels (title, x, y, opacities) of parameters `pair`, as SVG."""
    w, h, m = 330, 300, 48
    xs = np.concatenate([p[1] for p in panels])
    ys = np.concatenate([p[2] for p in panels])
    x0, x1 = np.percentile(xs, [0, 100])
    y0, y1 = np.percentile(ys, [0, 100])
    px, py = 0.05 * (x1 - x0 or 1), 0.05 * (y1 - y0 or 1)
    x0, x1, y0, y1 = x0 - px, x1 + px, y0 - py, y1 + py

    def sx(v, k):
        return k * w + m + (v - x0) / (x1 - x0) * (w - m - 10)

    def sy(v):
        return 30 + (y1 - v) / (y1 - y0) * (h - 30 - m)

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w}" height="{h}" '
           f'font-family="sans-serif" font-size="11">', f'<rect width="{2 * w}" height="{h}" fill="white"/>']
    for k, (title, x, y, alpha) in enumerate(panels):
        left, right, top, bottom = sx(x0, k), sx(x1, k), sy(y1), sy(y0)
        out.append(f'<rect x="{left:.1f}" y="{top:.1f}" width="{right - left:.1f}" height="{bottom - top:.1f}" '
                   'fill="none" stroke="#888"/>')
        out.append(f'<text x="{(left + right) / 2:.1f}" y="18" text-anchor="middle" font-weight="bold">{title}</text>')
        for t in nice_ticks(x0, x1):
            out.append(f'<text x="{sx(t, k):.1f}" y="{bottom + 14:.1f}" text-anchor="middle">{t:g}</text>')
        for t in nice_ticks(y0, y1):
            out.append(f'<text x="{left - 4:.1f}" y="{sy(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
        out.append(f'<text x="{(left + right) / 2:.1f}" y="{h - 8}" text-anchor="middle">{pair[0]}</text>')
        out.append(f'<text x="{left - 38:.1f}" y="{(top + bottom) / 2:.1f}" text-anchor="middle" '
                   f'transform="rotate(-90 {left - 38:.1f} {(top + bottom) / 2:.1f})">{pair[1]}</text>')
        for a, b, o in zip(x, y, alpha):
            if o >= 0.01:
                out.append(f'<circle cx="{sx(a, k):.1f}" cy="{sy(b):.1f}" r="2" fill="#1f77b4" fill-opacity="{o:.2f}"/>')
        if truth is not None:
            out.append(f'<line x1="{sx(truth[0], k):.1f}" x2="{sx(truth[0], k):.1f}" y1="{top:.1f}" y2="{bottom:.1f}" '
                       'stroke="#d62728" stroke-dasharray="4 3"/>')
            out.append(f'<line x1="{left:.1f}" x2="{right:.1f}" y1="{sy(truth[1]):.1f}" y2="{sy(truth[1]):.1f}" '
                       'stroke="#d62728" stroke-dasharray="4 3"/>')
    out.append('</svg>')
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        f.write("\n".join(out) + "\n")
    import os
    os.replace(tmp, path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--observation", required=True, help="comma-separated magnitudes")
    ap.add_argument("--sigma", type=float, default=0.03, help="noise σ (mag) of the simulator")
    ap.add_argument("--split-age", type=float, help="log_age separating two modes (default: one mode)")
    ap.add_argument("--sims", nargs="+", required=True, help="prefixes of .p/.y dumps")
    ap.add_argument("--flow", help="CSV of bayesflow sample (header, parameters first)")
    ap.add_argument("--svg", help="write a scatter of --pair: reference draws beside the flow's (needs --flow)")
    ap.add_argument("--pair", default="log_age,log_mass", help="two parameters for --svg")
    ap.add_argument("--truth", help="comma-separated true parameters, marked in --svg")
    a = ap.parse_args()
    y = np.array([float(v) for v in a.observation.split(",")])
    kept_theta, kept_chi2, total, best = [], [], 0, np.inf
    for prefix in a.sims:
        theta = np.fromfile(prefix + ".p", dtype="<f8").reshape(-1, 4)
        mags = np.fromfile(prefix + ".y", dtype="<f4").reshape(-1, len(y)).astype(np.float64)
        chi2 = (((mags - y) / a.sigma) ** 2).sum(axis=1)
        keep = chi2 < 60  # relative weight < e^{-(60 - best)/2}: negligible
        kept_theta.append(theta[keep])
        kept_chi2.append(chi2[keep])
        total += len(theta)
        best = min(best, chi2.min())
    theta = np.concatenate(kept_theta)
    chi2 = np.concatenate(kept_chi2)
    print(f"prior draws {total}, best chi2 {best:.2f}, draws with chi2 < 60: {len(theta)} "
          f"(left-out weights < e^{-(60 - best) / 2:.1f})")
    weights = np.exp(-(chi2 - chi2.min()) / 2)
    summarize("reference (importance sampling)", theta, weights, a.split_age)
    if a.flow:
        draws = np.loadtxt(a.flow, delimiter=",", skiprows=1)[:, :4]
        summarize(f"flow ({len(draws)} draws)", draws, np.ones(len(draws)), a.split_age)
        if a.svg:
            i, j = (NAMES.index(n) for n in a.pair.split(","))
            truth = None
            if a.truth:
                t = [float(v) for v in a.truth.split(",")]
                truth = (t[i], t[j])
            ess = weights.sum() ** 2 / (weights ** 2).sum()
            scatter_svg(a.svg, (NAMES[i], NAMES[j]), truth, [
                (f"reference: importance sampling (ESS {ess:.0f})", theta[:, i], theta[:, j], weights / weights.max()),
                (f"flow: first {min(len(draws), 1500)} of {len(draws)} draws", draws[:1500, i], draws[:1500, j],
                 np.full(min(len(draws), 1500), 0.35))])


if __name__ == "__main__":
    main()
