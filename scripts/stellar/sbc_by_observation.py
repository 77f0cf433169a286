#!/usr/bin/env python3
"""SBC ranks of one parameter, split by a function of the observation.

Under a calibrated posterior the rank of the true θ*_j among L posterior draws is uniform
on 0…L not only over all data sets but also conditionally on any function of the observation
y (the truth is then one more draw from p(θ | y)). Conditioning on θ* itself would not keep
that property (a truth at the prior edge has an extreme rank by construction), so the groups
here are quartiles of an observed quantity: the V magnitude and the V − H colour.

Per group: the fractional rank r = #{draws < truth} / (L + 1); max |ECDF(r) − r| over 201
points against the asymptotic Kolmogorov–Smirnov 95 % value 1.36/√n (per group, not adjusted
for the 8 groups); the mean rank (0.5 when unbiased; lower = posteriors sit high); the shares of
ranks in the central 50 % and 90 % (the coverage of central intervals) and in each 5 % tail.

Inputs are raw little-endian dumps (no h5py needed) of the held-out simulations and of
`bayesflow sample --out draws.h5` for them:

    bayesflow simulate Configs/stellar_tracks.json --count 4000 --seed 2026 --out held.h5
    bayesflow sample --checkpoint CKPT --observation held.h5 --samples 250 --seed 5 --out draws.h5
    h5dump -d /parameters -b LE -o held.p held.h5;  h5dump -d /observations -b LE -o held.y held.h5
    h5dump -d /samples -b LE -o draws.s draws.h5
    python3 scripts/stellar/sbc_by_observation.py --prefix held --draws draws.s --count 4000 --samples 250
"""
import argparse
import numpy as np

NAMES = ["log_age", "log_mass", "metallicity", "A_V"]


def line(label, ranks):
    n = len(ranks)
    z = np.linspace(0, 1, 201)
    dev = np.abs(np.searchsorted(np.sort(ranks), z, side="right") / n - z).max()
    ks = 1.36 / np.sqrt(n)
    central50 = ((ranks > 0.25) & (ranks < 0.75)).mean()
    central90 = ((ranks > 0.05) & (ranks < 0.95)).mean()
    return (f"{label:34s} n {n:5d}  max|ECDF-U| {dev:.3f}{'*' if dev > ks else ' '} (KS 95% {ks:.3f})  "
            f"mean rank {ranks.mean():.3f}  central 50% {central50:.3f}  central 90% {central90:.3f}  "
            f"below 5% {(ranks < 0.05).mean():.3f}  above 95% {(ranks > 0.95).mean():.3f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--prefix", required=True, help="PREFIX.p (float64 [N, 4]) and PREFIX.y (float32 [N, 4], V I J H)")
    ap.add_argument("--draws", required=True, help="float64 [N, L, 4] dump of /samples")
    ap.add_argument("--count", type=int, required=True, help="N")
    ap.add_argument("--samples", type=int, required=True, help="L")
    ap.add_argument("--parameter", default="A_V", choices=NAMES)
    a = ap.parse_args()
    n, l, j = a.count, a.samples, NAMES.index(a.parameter)
    theta = np.fromfile(a.prefix + ".p", dtype="<f8").reshape(n, 4)
    y = np.fromfile(a.prefix + ".y", dtype="<f4").reshape(n, 4).astype(np.float64)
    draws = np.fromfile(a.draws, dtype="<f8").reshape(n, l, 4)
    ranks = (draws[:, :, j] < theta[:, None, j]).sum(axis=1) / (l + 1)
    print(f"{a.parameter}: {n} held-out simulations x {l} draws; * = outside the group's KS 95% value")
    print(line("all", ranks))
    for name, x in (("V", y[:, 0]), ("V - H", y[:, 0] - y[:, 3])):
        edges = np.quantile(x, [0, 0.25, 0.5, 0.75, 1])
        for k in range(4):
            mask = (x >= edges[k]) & (x <= edges[k + 1]) if k == 3 else (x >= edges[k]) & (x < edges[k + 1])
            print(line(f"{name} in [{edges[k]:.2f}, {edges[k + 1]:.2f}]", ranks[mask]))


if __name__ == "__main__":
    main()
