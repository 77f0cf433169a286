// HDF5 (serial build). HDF5's property-list defaults, access flags and native type ids are
// macros (often expanding to global variables after H5open), which Swift cannot import:
// each is wrapped in a static inline function here.
#ifndef BAYESFLOW_CHDF5_SHIM_H
#define BAYESFLOW_CHDF5_SHIM_H
#include <hdf5.h>

static inline hid_t bf_h5p_default(void) { return H5P_DEFAULT; }
static inline hid_t bf_h5s_all(void) { return H5S_ALL; }
static inline hid_t bf_h5p_file_create(void) { return H5P_FILE_CREATE; }
static inline hid_t bf_h5p_dataset_create(void) { return H5P_DATASET_CREATE; }
static inline hid_t bf_h5p_link_create(void) { return H5P_LINK_CREATE; }
static inline unsigned bf_h5f_acc_rdonly(void) { return H5F_ACC_RDONLY; }
static inline unsigned bf_h5f_acc_rdwr(void) { return H5F_ACC_RDWR; }
static inline unsigned bf_h5f_acc_trunc(void) { return H5F_ACC_TRUNC; }
static inline unsigned bf_h5f_acc_excl(void) { return H5F_ACC_EXCL; }
static inline hid_t bf_h5t_native_float(void) { return H5T_NATIVE_FLOAT; }
static inline hid_t bf_h5t_native_double(void) { return H5T_NATIVE_DOUBLE; }
static inline hid_t bf_h5t_native_int32(void) { return H5T_NATIVE_INT32; }
static inline hid_t bf_h5t_native_int64(void) { return H5T_NATIVE_INT64; }
static inline hid_t bf_h5t_native_uint64(void) { return H5T_NATIVE_UINT64; }
static inline hid_t bf_h5t_native_uint8(void) { return H5T_NATIVE_UINT8; }
static inline hid_t bf_h5t_c_s1(void) { return H5T_C_S1; }
static inline hid_t bf_h5t_ieee_f32le(void) { return H5T_IEEE_F32LE; }
static inline hid_t bf_h5t_ieee_f64le(void) { return H5T_IEEE_F64LE; }
static inline hid_t bf_h5t_std_i32le(void) { return H5T_STD_I32LE; }
static inline hid_t bf_h5t_std_i64le(void) { return H5T_STD_I64LE; }
static inline hid_t bf_h5t_std_u64le(void) { return H5T_STD_U64LE; }
static inline hid_t bf_h5t_std_u8le(void) { return H5T_STD_U8LE; }
static inline hsize_t bf_h5s_unlimited(void) { return H5S_UNLIMITED; }
static inline size_t bf_h5t_variable(void) { return H5T_VARIABLE; }

/// Silences HDF5's automatic error-stack printing; errors are reported as Swift errors.
static inline void bf_h5_silence_errors(void) { H5Eset_auto2(H5E_DEFAULT, NULL, NULL); }
#endif
