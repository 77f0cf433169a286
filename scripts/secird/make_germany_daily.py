#!/usr/bin/env python3
"""Derive the SECIRD observation data: Germany daily new COVID-19 counts, 2020-03-02..2020-05-21.

Input: the cumulative JHU CSSE series for Germany (columns Date, Country, Confirmed, Recovered,
Deaths; one row per day from 2020-03-01), as extracted from datasets/covid-19
data/countries-aggregated.csv (ODC-PDDL). Output: one row per day d of the window with

    new_X(d) = cumulative_X(d) - cumulative_X(d - 1 day)

for X in confirmed, recovered, deceased (81 rows; the 2020-03-01 row supplies the first
difference); differences are kept as they are, negative ones included. Standard library only.
Prints the first and last rows, the column sums and any negative differences (one in this
window: deceased on 2020-04-11, -31) so they can be quoted in docs/secird-data.md.

    python3 scripts/secird/make_germany_daily.py \
        /work/shared/data/germany_jhu_cumulative_2020-03-01_2020-06-11.csv \
        Simulators/Resources/covid/germany_daily_2020-03-02_2020-05-21.csv
"""

import csv
import datetime as dt
import hashlib
import sys

FIRST = dt.date(2020, 3, 2)
LAST = dt.date(2020, 5, 21)


def main(src, dst):
    with open(src, newline="") as f:
        rows = [r for r in csv.DictReader(f)]
    cum = {}
    for r in rows:
        if r["Country"] != "Germany":
            raise SystemExit(f"unexpected country {r['Country']!r}")
        cum[dt.date.fromisoformat(r["Date"])] = (int(r["Confirmed"]), int(r["Recovered"]), int(r["Deaths"]))
    out = []
    day = FIRST
    while day <= LAST:
        prev = day - dt.timedelta(days=1)
        if day not in cum or prev not in cum:
            raise SystemExit(f"missing cumulative row for {prev} or {day}")
        new = tuple(a - b for a, b in zip(cum[day], cum[prev]))
        for name, v in zip(("confirmed", "recovered", "deceased"), new):
            if v < 0:
                print(f"warning: negative new {name} on {day}: {v}", file=sys.stderr)
        out.append((day.isoformat(),) + new)
        day += dt.timedelta(days=1)
    assert len(out) == 81, len(out)
    with open(dst, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["date", "new_confirmed", "new_recovered", "new_deceased"])
        w.writerows(out)
    src_hash = hashlib.sha256(open(src, "rb").read()).hexdigest()
    print(f"source sha256 {src_hash}")
    print(f"wrote {len(out)} rows to {dst}")
    print("first:", out[0], " last:", out[-1])
    print("totals:", [sum(r[i] for r in out) for i in (1, 2, 3)])


if __name__ == "__main__":
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    main(sys.argv[1], sys.argv[2])
