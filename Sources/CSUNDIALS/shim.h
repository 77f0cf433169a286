// SUNDIALS 6.4 CVODE with the serial N_Vector and dense linear solver.
// The accessor macros (NV_DATA_S, flags like CV_BDF) are wrapped so Swift can call them.
#ifndef BAYESFLOW_CSUNDIALS_SHIM_H
#define BAYESFLOW_CSUNDIALS_SHIM_H
#include <cvode/cvode.h>
#include <nvector/nvector_serial.h>
#include <sunmatrix/sunmatrix_dense.h>
#include <sunlinsol/sunlinsol_dense.h>
#include <sunnonlinsol/sunnonlinsol_fixedpoint.h>
#include <sundials/sundials_types.h>
#include <sundials/sundials_context.h>

static inline sunrealtype *bf_nv_data(N_Vector v) { return NV_DATA_S(v); }
static inline sunindextype bf_nv_length(N_Vector v) { return NV_LENGTH_S(v); }
static inline int bf_cv_bdf(void) { return CV_BDF; }
static inline int bf_cv_adams(void) { return CV_ADAMS; }
static inline int bf_cv_normal(void) { return CV_NORMAL; }
static inline int bf_cv_one_step(void) { return CV_ONE_STEP; }
static inline int bf_cv_success(void) { return CV_SUCCESS; }
/// Column-major dense matrix element (i, j) of a SUNDenseMatrix.
static inline sunrealtype *bf_dense_column(SUNMatrix m, sunindextype j) { return SM_COLUMN_D(m, j); }
/// Contiguous column-major storage of a SUNDenseMatrix: element (i, j) at [i + j * rows].
static inline sunrealtype *bf_dense_data(SUNMatrix m) { return SM_DATA_D(m); }
#endif
