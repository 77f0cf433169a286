#!/usr/bin/env python3
"""SECIRD simulator in numpy + scipy: the speed and accuracy reference for our `secird`.

Written independently of the Swift code and of ../../shared/anchors/secird_scipy.py, from the
model definition in docs/secird-simulator.md (specs/secird_covid.md): the 9-state SECIRD ODE
(S, E, C, I, R, D, I_cum, R_cum, D_cum, persons) with the piecewise-linear contact rate,
the 34-parameter prior with its constraints (whole vector redrawn), reporting delays, weekly
modulation and Student-t(4) noise. Same tolerances as ours: rtol 1e-6, atol 1e-6 persons.

Time axis: simulation days 0..T+lag (T = 81, lag = 15); observation day k is simulation day
k + lag; new_X[j] = X_cum(j+1) - X_cum(j) (clipped at 0); raw_X[k] = new_X[k + lag - L_X].

Subcommands (each prints one JSON line):

  bench     simulations/s of complete simulations (prior, ODE, observation model, noise) on
            one process, wall clock and per CPU-second:  --method LSODA|BDF|odeint --count 300
  accuracy  max relative error of the noise-free daily means (entries > 1 person) against a
            tight solution (DOP853, rtol 1e-12, atol 1e-9, restarted at every knot of lambda),
            for LSODA, BDF and odeint at the standard tolerances, over --count prior draws.
            --theta-out FILE writes the draws (34 numbers per line, our parameter order) for
            the Swift side (SECIRDBenchmarkTests.testExportMeans); --ours FILE scores the means
            it exported (81*3 numbers per line) against the same tight solution.
"""

import os

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import platform  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy.integrate import odeint, solve_ivp  # noqa: E402

POPULATION = 83e6
DAYS = 81
LAG = 15
SIM_DAYS = DAYS + LAG
RTOL, ATOL = 1e-6, 1e-6

NAMES = (
    "t1 t2 t3 t4 dt1 dt2 dt3 dt4 lambda0 lambda1 lambda2 lambda3 lambda4 mu "
    "f_I f_R f_D phi_I phi_R phi_D L_I L_R L_D E0 sigma_I sigma_R sigma_D "
    "alpha beta gamma eta theta delta d"
).split()
P = {n: i for i, n in enumerate(NAMES)}
BETA_MEAN, BETA_SD = 0.7, 0.17
BETA_A = BETA_MEAN**2 * ((1 - BETA_MEAN) / BETA_SD**2 - (1 - BETA_MEAN))
BETA_B = BETA_A * (1 / BETA_MEAN - 1)


# ----------------------------------------------------------------------------------- prior
def draw_unconstrained(g):
    th = np.empty(34)
    th[0:4] = g.normal((8.0, 15.0, 22.0, 35.0), (3.0, 1.0, 1.0, 1.0))
    th[4:8] = np.exp(g.normal(math.log(3.0), 0.3, 4))
    th[8:13] = np.exp(np.log((1.2, 0.6, 0.3, 0.1, 0.15)) + 0.5 * g.standard_normal(5))
    th[13] = math.exp(g.normal(math.log(1 / 8), 0.2))
    th[14:17] = g.beta(BETA_A, BETA_B, 3)
    th[17:20] = g.vonmises(0.0, 0.01, 3)
    th[20:23] = np.exp(g.normal(math.log(8.0), 0.2, 3))
    th[23] = g.gamma(2.0, 30.0)
    th[24:27] = g.gamma(1.0, 5.0, 3)
    th[27] = g.uniform(0.005, 0.9)
    th[28] = math.exp(g.normal(math.log(0.25), 0.3))
    th[29] = math.exp(g.normal(math.log(1 / 6.5), 0.5))
    th[30] = math.exp(g.normal(math.log(1 / 3.2), 0.3))
    th[31] = g.uniform(1 / 14, 1 / 3)
    th[32] = g.uniform(0.01, 0.3)
    th[33] = g.uniform(1 / 14, 1 / 3)
    return th


def valid(th):
    t = [round(v) for v in th[0:4]]  # Python's round: half to even, like numpy's rint
    dt = [round(v) for v in th[4:8]]
    if not (1 <= t[0] < t[1] < t[2] < t[3]) or min(dt) < 1:
        return False
    if any(t[k + 1] - t[k] < dt[k] for k in range(3)) or DAYS - t[3] < dt[3]:
        return False
    return all(0 <= round(v) <= LAG for v in th[20:23])


def prior(g):
    while True:
        th = draw_unconstrained(g)
        if valid(th):
            return th


# --------------------------------------------------------------------------------- model
def knots(th):
    """Breakpoints (xs, ys) of lambda(t) on simulation days."""
    xs, ys = [], []
    for k in range(4):
        start = round(th[k]) + LAG
        xs += [float(start), float(start + round(th[4 + k]))]
        ys += [th[8 + k], th[9 + k]]
    return xs, ys


def contact_rate(xs, ys):
    def lam(t):
        if t <= xs[0]:
            return ys[0]
        for i in range(1, 8):
            if t < xs[i]:
                return ys[i - 1] + (ys[i] - ys[i - 1]) * (t - xs[i - 1]) / (xs[i] - xs[i - 1])
        return ys[7]

    return lam


def right_hand_side(th):
    lam = contact_rate(*knots(th))
    mu, alpha, beta, gamma, eta, theta, delta, d = (
        th[P[n]] for n in ("mu", "alpha", "beta", "gamma", "eta", "theta", "delta", "d")
    )
    k_det, k_und = (1 - alpha) * eta, alpha * theta
    k_rec, k_die = (1 - delta) * mu, delta * d
    inv_n = 1.0 / POPULATION

    def f(t, y):
        s, e, c, i = y[0], y[1], y[2], y[3]
        inf = lam(t) * (c + beta * i) * inv_n * s
        onset, det, und, rec, die = gamma * e, k_det * c, k_und * c, k_rec * i, k_die * i
        return [-inf, inf - onset, onset - det - und, det - rec - die, und + rec, die, det, rec, die]

    return f


def initial(th):
    e0 = max(1.0, float(round(th[P["E0"]])))
    return [POPULATION - e0, e0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]


def solve(th, method, rtol=RTOL, atol=ATOL):
    """States at days 0..SIM_DAYS, shape (SIM_DAYS + 1, 9); None if the solver failed."""
    f = right_hand_side(th)
    days = np.arange(SIM_DAYS + 1, dtype=float)
    if method == "odeint":
        y, info = odeint(f, initial(th), days, tfirst=True, rtol=rtol, atol=atol,
                         mxstep=50_000, full_output=True)
        return y if info["message"] == "Integration successful." else None
    if method == "tight":  # DOP853 restarted at every knot (the knots are integer days)
        cuts = sorted({int(x) for x in knots(th)[0] if 0 < x < SIM_DAYS} | {SIM_DAYS})
        out, y0, a = [np.array(initial(th))[None, :]], initial(th), 0
        for b in cuts:
            r = solve_ivp(f, (a, b), y0, method="DOP853", t_eval=days[a + 1:b + 1],
                          rtol=1e-12, atol=1e-9)
            if r.status != 0:
                return None
            out.append(r.y.T)
            y0, a = r.y[:, -1], b
        return np.concatenate(out)
    r = solve_ivp(f, (0.0, float(SIM_DAYS)), initial(th), method=method, t_eval=days,
                  rtol=rtol, atol=atol)
    return r.y.T if r.status == 0 else None


def reported_means(th, states):
    """Noise-free reported daily counts, shape (DAYS, 3): delays and weekly modulation."""
    new = np.maximum(np.diff(states[:, 6:9], axis=0), 0.0)
    k = np.arange(DAYS)
    out = np.empty((DAYS, 3))
    for x in range(3):
        lag_x = int(round(th[20 + x]))
        f, phi = th[14 + x], th[17 + x]
        modulation = (1 - f) * (1 - np.abs(np.sin(np.pi * k / 7 - phi / 2)))
        out[:, x] = (1 - modulation) * new[k + LAG - lag_x, x]
    return out


def simulate(th, g, method):
    states = solve(th, method)
    if states is None:
        return None
    mean = reported_means(th, states)
    sigma = th[24:27]
    return np.maximum(mean + sigma * np.sqrt(mean) * g.standard_t(4, size=mean.shape), 0.0)


# ---------------------------------------------------------------------------- subcommands
def bench(a):
    g = np.random.default_rng(a.seed)
    simulate(prior(g), g, a.method)  # warm-up
    failed = 0
    start, cpu_start = time.perf_counter(), time.process_time()
    for _ in range(a.count):
        failed += simulate(prior(g), g, a.method) is None
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    return {"mode": "bench", "method": a.method, "count": a.count, "seconds": round(seconds, 3),
            "sims_per_s": round(a.count / seconds, 1), "sims_per_cpu_s": round(a.count / cpu, 1),
            "failed": int(failed)}


def max_rel_err(m, ref):
    big = ref > 1.0
    return float(np.max(np.abs(m[big] - ref[big]) / ref[big])) if big.any() else 0.0


def summary(errs):
    e = np.sort(np.asarray(errs))
    return {"median": float(np.median(e)), "p95": float(np.percentile(e, 95)), "max": float(e[-1])}


def accuracy(a):
    g = np.random.default_rng(a.seed)
    thetas = [prior(g) for _ in range(a.count)]
    refs = [reported_means(th, solve(th, "tight")) for th in thetas]
    res = {"mode": "accuracy", "count": a.count, "reference": "DOP853 rtol 1e-12 atol 1e-9, restarted at knots"}
    for method in ("LSODA", "BDF", "odeint"):
        errs = [max_rel_err(reported_means(th, solve(th, method)), ref) for th, ref in zip(thetas, refs)]
        res[method] = summary(errs)
    if a.theta_out:
        np.savetxt(a.theta_out, np.array(thetas), fmt="%.17g")
    if a.ours:
        ours = np.loadtxt(a.ours, ndmin=2)
        assert ours.shape == (a.count, DAYS * 3), ours.shape
        res["ours"] = summary([max_rel_err(m.reshape(DAYS, 3), ref) for m, ref in zip(ours, refs)])
    return res


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    b = sub.add_parser("bench")
    b.add_argument("--method", default="LSODA", choices=["LSODA", "BDF", "odeint", "RK45", "DOP853"])
    b.add_argument("--count", type=int, default=300)
    b.add_argument("--seed", type=int, default=0)
    c = sub.add_parser("accuracy")
    c.add_argument("--count", type=int, default=100)
    c.add_argument("--seed", type=int, default=1)
    c.add_argument("--theta-out")
    c.add_argument("--ours")
    a = p.parse_args(argv)
    res = bench(a) if a.cmd == "bench" else accuracy(a)
    res.update({"python": platform.python_version(), "numpy": np.__version__, "scipy": scipy.__version__})
    print(json.dumps(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
