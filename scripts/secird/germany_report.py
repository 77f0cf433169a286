#!/usr/bin/env python3
"""Germany posterior report of the `secird` model (docs/secird.md), standard library only.

Reads the posterior draws of `bayesflow sample --out DRAWS.csv` and the predictive quantiles of
`bayesflow predict --out PRED.csv` for the Germany observation, and writes to OUT/:

  germany_posterior.md    per-parameter median and 95% interval (2.5%, 97.5%) of all 34
                          parameters, with the prior's median and 95% interval (from the
                          /parameters of a `bayesflow simulate` dataset) and the authors' reported
                          notebook medians side by side (specs/secird_covid.md), and the
                          predictive check summary
  germany_posterior.csv   the same numbers, machine-readable
  germany_predictive.csv  date, day, stream, observed, predictive quantiles (next to the data)
  germany_predictive.svg  the three daily series: observed counts (dots), predictive median (line),
                          central 50% and 95% predictive bands (shaded)

Usage:
  python3 scripts/secird/germany_report.py --draws DRAWS.csv --predictive PRED.csv --prior PRIOR.h5 \
      --data Simulators/Resources/covid/germany_daily_2020-03-02_2020-05-21.csv --out docs/secird-results \
      [--label "text for the header"]
"""
import argparse
import csv
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from history_table import h5_numbers  # noqa: E402

# The authors' notebook results on Germany (posterior medians; 95% CI where reported), quoted in
# specs/secird_covid.md ("Notebook results on Germany"). For comparison, not for tuning.
AUTHORS = {
    "alpha": (0.74, "0.13–0.94"), "lambda0": (3.02, None), "lambda1": (0.30, None), "lambda2": (0.33, None),
    "lambda3": (0.081, None), "lambda4": (0.119, None), "beta": (0.25, None), "gamma": (0.159, None),
    "eta": (0.30, None), "theta": (0.24, None), "delta": (0.042, "0.018–0.10"), "d": (0.15, None),
    "mu": (0.13, None), "L_I": (5.7, None), "L_R": (13.3, None), "L_D": (11.6, None),
    "E0": (18, "1.4–74"), "sigma_I": (7.7, None), "sigma_R": (11.0, None), "sigma_D": (2.5, None),
    "t1": (7.2, None), "t2": (15.0, None), "t3": (22.3, None), "t4": (35.1, None),
}

GROUPS = [
    ("Fraction undetected", ["alpha"]),
    ("Contact rates", ["lambda0", "lambda1", "lambda2", "lambda3", "lambda4"]),
    ("Reporting delays (days)", ["L_I", "L_R", "L_D"]),
    ("Disease parameters", ["beta", "gamma", "eta", "theta", "delta", "d", "mu"]),
    ("Change points (day; 0 = 2020-03-02)", ["t1", "t2", "t3", "t4"]),
    ("Ramp lengths (days)", ["dt1", "dt2", "dt3", "dt4"]),
    ("Initial exposed", ["E0"]),
    ("Observation noise scales", ["sigma_I", "sigma_R", "sigma_D"]),
    ("Weekly modulation", ["f_I", "f_R", "f_D", "phi_I", "phi_R", "phi_D"]),
]


def quantile(sorted_values, q):
    """Type-7 sample quantile (as the Swift library's ParameterSummary)."""
    h = q * (len(sorted_values) - 1)
    lo = math.floor(h)
    hi = min(lo + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (h - lo) * (sorted_values[hi] - sorted_values[lo])


def fmt(x):
    if x == 0:
        return "0"
    a = abs(x)
    if a >= 100:
        return f"{x:.0f}"
    if a >= 10:
        return f"{x:.1f}"
    if a >= 1:
        return f"{x:.2f}"
    return f"{x:.3g}"


def nice_ticks(top, count=5):
    """Round tick values 0, step, 2·step, … ≤ top with step in {1, 2, 5}·10^k."""
    raw = top / count
    mag = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1
    step = next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)
    return [i * step for i in range(int(top // step) + 1)]


def predictive_svg(pred, dates, streams, qcols):
    """Three stacked panels (one per stream) of the posterior predictive against the data."""
    lo95, lo50, med, hi50, hi95 = "q0.025", "q0.25", "q0.5", "q0.75", "q0.975"
    for q in (lo95, lo50, med, hi50, hi95):
        assert q in qcols, f"the plot needs quantile {q}"
    width, panel, left, right, top, gap = 760, 190, 64, 16, 44, 46
    height = top + len(streams) * (panel + gap) - 8
    days = len(dates)
    def x(day):
        return left + (width - left - right) * day / (days - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             'font-family="sans-serif" font-size="11">',
             f'<rect width="{width}" height="{height}" fill="white"/>',
             f'<text x="{left}" y="14" font-size="12">Germany, daily new counts (dots; red: outside the 95% band)</text>',
             f'<text x="{left}" y="29" font-size="12">posterior predictive: median (line), central 50% and 95% bands (shaded)</text>']
    for k, s in enumerate(streams):
        rs = sorted((r for r in pred if r["channel"] == s), key=lambda r: int(r["row"]))
        y0 = top + k * (panel + gap) + 14
        vmax = max(max(float(r[hi95]), float(r["observed"])) for r in rs) * 1.05 or 1
        def y(v):
            return y0 + panel - panel * v / vmax
        def band(a, b):
            pts = [f"{x(int(r['row'])):.1f},{y(float(r[a])):.1f}" for r in rs]
            pts += [f"{x(int(r['row'])):.1f},{y(float(r[b])):.1f}" for r in reversed(rs)]
            return " ".join(pts)
        parts.append(f'<text x="{left}" y="{y0 - 4}" font-size="12" font-weight="bold">{s}</text>')
        for t in nice_ticks(vmax / 1.05):
            parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y(t):.1f}" y2="{y(t):.1f}" stroke="#e4e4e4"/>')
            parts.append(f'<text x="{left - 6}" y="{y(t) + 4:.1f}" text-anchor="end">{t:g}</text>')
        parts.append(f'<polygon points="{band(lo95, hi95)}" fill="#c6dbef"/>')
        parts.append(f'<polygon points="{band(lo50, hi50)}" fill="#6baed6"/>')
        line = " ".join(f"{x(int(r['row'])):.1f},{y(float(r[med])):.1f}" for r in rs)
        parts.append(f'<polyline points="{line}" fill="none" stroke="#08519c" stroke-width="1.5"/>')
        for r in rs:
            v = float(r["observed"])
            outside = not (float(r[lo95]) <= v <= float(r[hi95]))
            parts.append(f'<circle cx="{x(int(r["row"])):.1f}" cy="{y(v):.1f}" r="2.2" '
                         f'fill="{"#d62728" if outside else "black"}"/>')
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y0 + panel}" y2="{y0 + panel}" stroke="black"/>')
        for day in range(0, days, 14):
            parts.append(f'<line x1="{x(day):.1f}" x2="{x(day):.1f}" y1="{y0 + panel}" y2="{y0 + panel + 4}" stroke="black"/>')
            parts.append(f'<text x="{x(day):.1f}" y="{y0 + panel + 16}" text-anchor="middle">{dates[day]}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--draws", required=True)
    ap.add_argument("--predictive", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--prior", required=True, help="a bayesflow simulate dataset: its /parameters are prior draws")
    ap.add_argument("--out", required=True)
    ap.add_argument("--label", default="")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)

    with open(args.draws) as f:
        rows = list(csv.reader(f))
    names, draws = rows[0], [[float(v) for v in r] for r in rows[1:] if r]
    columns = {n: sorted(r[j] for r in draws) for j, n in enumerate(names)}
    summary = {}
    for n, col in columns.items():
        m = sum(col) / len(col)
        sd = math.sqrt(sum((v - m) ** 2 for v in col) / (len(col) - 1))
        summary[n] = dict(median=quantile(col, 0.5), q025=quantile(col, 0.025), q975=quantile(col, 0.975), mean=m, sd=sd)

    flat = h5_numbers(args.prior, "/parameters")
    p = len(names)
    assert len(flat) % p == 0, f"{args.prior}: /parameters does not have {p} columns"
    prior = {n: sorted(flat[i * p + j] for i in range(len(flat) // p)) for j, n in enumerate(names)}
    prior_count = len(flat) // p

    with open(args.data) as f:
        dates = [r["date"] for r in csv.DictReader(f)]
    with open(args.predictive) as f:
        pred = list(csv.DictReader(f))
    qcols = [c for c in pred[0].keys() if c.startswith("q")]
    streams = []
    for r in pred:
        if r["channel"] not in streams:
            streams.append(r["channel"])

    # Predictive CSV next to the data, with dates.
    with open(os.path.join(args.out, "germany_predictive.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "day", "stream", "observed"] + qcols)
        for r in pred:
            day = int(r["row"])
            w.writerow([dates[day], day, r["channel"], r["observed"]] + [f"{float(r[c]):.6g}" for c in qcols])

    with open(os.path.join(args.out, "germany_predictive.svg"), "w") as f:
        f.write(predictive_svg(pred, dates, streams, qcols))

    # Predictive check: fraction of observed days inside the central 50% and 95% bands.
    check = {}
    for s in streams:
        rs = [r for r in pred if r["channel"] == s]
        inside95 = sum(float(r["q0.025"]) <= float(r["observed"]) <= float(r["q0.975"]) for r in rs)
        inside50 = sum(float(r["q0.25"]) <= float(r["observed"]) <= float(r["q0.75"]) for r in rs)
        below = [dates[int(r["row"])] for r in rs if float(r["observed"]) < float(r["q0.025"])]
        above = [dates[int(r["row"])] for r in rs if float(r["observed"]) > float(r["q0.975"])]
        obs_total = sum(float(r["observed"]) for r in rs)
        med_total = sum(float(r["q0.5"]) for r in rs)
        check[s] = dict(days=len(rs), inside95=inside95, inside50=inside50, below=below, above=above,
                        obs_total=obs_total, med_total=med_total)

    with open(os.path.join(args.out, "germany_posterior.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["parameter", "median", "q2.5", "q97.5", "mean", "sd", "prior_median", "prior_q2.5", "prior_q97.5",
                    "authors_median"])
        for n in names:
            s = summary[n]
            a = AUTHORS.get(n)
            w.writerow([n] + [f"{s[k]:.6g}" for k in ("median", "q025", "q975", "mean", "sd")]
                       + [f"{quantile(prior[n], q):.6g}" for q in (0.5, 0.025, 0.975)] + [a[0] if a else ""])

    md = ["# Germany posterior of `secird` (2020-03-02 … 2020-05-21)", ""]
    if args.label:
        md += [args.label, ""]
    md += [f"{len(draws)} posterior draws; prior: {prior_count} draws of `bayesflow simulate`. Authors: the notebook's posterior medians (and 95% CI where reported) "
           "quoted in specs/secird_covid.md, from a discrete-time version of the model with a different "
           "network and training; *inside* = the authors' median lies inside our 95% interval.", ""]
    listed = set()
    for title, group in GROUPS:
        md += [f"**{title}**", "", "| parameter | median | 95% interval | prior median [95%] | authors' median | inside |",
               "|---|---|---|---|---|---|"]
        for n in group:
            listed.add(n)
            s = summary[n]
            a = AUTHORS.get(n)
            auth, inside = "—", ""
            if a:
                auth = fmt(a[0]) + (f" [{a[1]}]" if a[1] else "")
                inside = "yes" if s["q025"] <= a[0] <= s["q975"] else "**no**"
            pr = prior[n]
            md.append(f"| {n} | {fmt(s['median'])} | [{fmt(s['q025'])}, {fmt(s['q975'])}] | "
                      f"{fmt(quantile(pr, 0.5))} [{fmt(quantile(pr, 0.025))}, {fmt(quantile(pr, 0.975))}] | {auth} | {inside} |")
        md.append("")
    missing = [n for n in names if n not in listed]
    assert not missing, f"parameters not in a group: {missing}"
    n_auth = sum(1 for n in AUTHORS if n in summary)
    n_in = sum(1 for n, a in AUTHORS.items() if summary[n]["q025"] <= a[0] <= summary[n]["q975"])
    md += [f"The authors' median lies inside our 95% interval for {n_in} of the {n_auth} parameters they report.", ""]
    md += ["## Posterior predictive check", "",
           f"Simulations at posterior draws; quantiles per day and stream in germany_predictive.csv "
           f"({', '.join(qcols)}).", "",
           "| stream | days inside 95% band | inside 50% band | observed total | sum of predictive medians | days below / above the 95% band |",
           "|---|---|---|---|---|---|"]
    for s, c in check.items():
        def days(lst):
            return f"{len(lst)}" + (f" ({', '.join(d[5:] for d in lst[:6])}{', …' if len(lst) > 6 else ''})" if lst else "")
        md.append(f"| {s} | {c['inside95']}/{c['days']} ({c['inside95'] / c['days']:.0%}) | "
                  f"{c['inside50']}/{c['days']} ({c['inside50'] / c['days']:.0%}) | {c['obs_total']:.0f} | "
                  f"{c['med_total']:.0f} | {days(c['below'])} / {days(c['above'])} |")
    md.append("")
    with open(os.path.join(args.out, "germany_posterior.md"), "w") as f:
        f.write("\n".join(md))
    print("\n".join(md))


if __name__ == "__main__":
    main()
