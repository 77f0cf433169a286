#!/usr/bin/env python3
"""Regenerates the fixed constants of two sbibm v1.1.0 tasks as compact resource files.

Written from the task definitions in the repository's benchmark spec (sbibm 1.1.0
`tasks/slcp/task.py::_generate_noise_dist_parameters` and
`tasks/bernoulli_glm/task.py::_setup`); only legacy numpy is needed, no torch or sbibm.

Outputs (into --out, default Simulators/Resources/benchmarks):

  slcp_distractors_noise.f64   little-endian float64, no header:
                               loc      [20, 92]                       (1840 values), then
                               scale_tril, packed lower triangles, row-major per component:
                               for k in 0..<20, i in 0..<92, j in 0...i: L_k[i, j]
                               (20 * 92*93/2 = 85560 values).  L_k = 3*(tril(A_k) + diag(exp(b_k))).
  slcp_distractors_permutation.csv   the 100 indices of `perm` (0-based), one line.
  bernoulli_glm_stimulus.csv   I_t = RandomState(42).randn(100) cast to float32, t = 0..99,
                               written as the exact float64 value of each float32 (repr).

Legacy numpy stream, in this order (sbibm): np.random.seed(42);
  loc  = [15 * normal(size=92) for k in range(20)]
  L    = [tril(normal(size=(92, 92))) + diag(exp(normal(size=92))) for k in range(20)]; L *= 3
  perm = permutation(100)

Run:  python3 scripts/benchmarks/export_sbibm_constants.py [--out DIR]
"""
import argparse
import os
import sys

import numpy as np

NOISE_DIM = 92
COMPONENTS = 20
EXPECTED_PERM_HEAD = [87, 47, 39, 9, 25, 21, 26, 94, 41, 30, 34, 44, 12, 27, 89, 20, 6, 13, 51, 40]


def distractor_constants():
    rng = np.random
    rng.seed(42)
    loc = np.array([15 * rng.normal(size=NOISE_DIM) for _ in range(COMPONENTS)])
    factors = [np.tril(rng.normal(size=(NOISE_DIM, NOISE_DIM)))
               + np.diag(np.exp(rng.normal(size=NOISE_DIM))) for _ in range(COMPONENTS)]
    scale_tril = 3 * np.array(factors)
    perm = rng.permutation(NOISE_DIM + 8)
    return loc, scale_tril, perm


def glm_stimulus():
    return np.random.RandomState(42).randn(100).astype(np.float32)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    default_out = os.path.join(here, "..", "..", "Simulators", "Resources", "benchmarks")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=default_out, help="output directory")
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)

    loc, scale_tril, perm = distractor_constants()
    if list(perm[:20]) != EXPECTED_PERM_HEAD:
        sys.exit(f"perm[:20] = {list(perm[:20])} differs from the spec's {EXPECTED_PERM_HEAD}")
    rows, cols = np.tril_indices(NOISE_DIM)
    packed = np.concatenate([scale_tril[k][rows, cols] for k in range(COMPONENTS)])
    blob = np.concatenate([loc.reshape(-1), packed]).astype("<f8")
    blob.tofile(os.path.join(args.out, "slcp_distractors_noise.f64"))
    with open(os.path.join(args.out, "slcp_distractors_permutation.csv"), "w") as f:
        f.write(",".join(str(int(i)) for i in perm) + "\n")

    stimulus = glm_stimulus()
    with open(os.path.join(args.out, "bernoulli_glm_stimulus.csv"), "w") as f:
        f.write("\n".join(repr(float(v)) for v in stimulus) + "\n")

    # Values quoted by the Swift tests.
    print("loc[0][:3]       ", [float(v) for v in loc[0, :3]])
    print("loc[19][91]      ", float(loc[19, 91]))
    print("L[0][0,0], L[0][1,0], L[0][1,1]", float(scale_tril[0, 0, 0]), float(scale_tril[0, 1, 0]),
          float(scale_tril[0, 1, 1]))
    print("L[19][91,91], L[19][91,0]", float(scale_tril[19, 91, 91]), float(scale_tril[19, 91, 0]))
    print("mean of loc over components [:3]", [float(v) for v in loc.mean(axis=0)[:3]])
    print("perm[:20]        ", [int(i) for i in perm[:20]])
    print("stimulus[:3]     ", [repr(float(v)) for v in stimulus[:3]])
    print(f"wrote {blob.size} float64 values ({blob.nbytes} bytes), perm, stimulus to {args.out}")


if __name__ == "__main__":
    main()
