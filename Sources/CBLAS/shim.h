// OpenBLAS through its CBLAS interface, plus thread control.
#ifndef BAYESFLOW_CBLAS_SHIM_H
#define BAYESFLOW_CBLAS_SHIM_H
#include <cblas.h>

/// Number of threads OpenBLAS uses for one call (set by `openblas_set_num_threads`).
static inline int bf_blas_threads(void) { return openblas_get_num_threads(); }
static inline void bf_blas_set_threads(int n) { openblas_set_num_threads(n); }
#endif
