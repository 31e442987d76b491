#ifndef STYLIZE_CUDA_H
#define STYLIZE_CUDA_H

/* The few CUDA driver, NVRTC and cuBLAS functions stylize calls, as function-pointer types:
 * the libraries are found and loaded at run time (StylizeKit/Engine/CUDA/CUDALibraries.swift),
 * so the same binary builds and runs on machines without CUDA. Signatures as in cuda.h,
 * nvrtc.h and cublas_api.h of CUDA 12/13 (handles as opaque pointers, enums as int). */

#include <stddef.h>

typedef int CUresult;       /* CUDA_SUCCESS = 0 */
typedef int CUdevice;
typedef void *CUcontext;
typedef void *CUmodule;
typedef void *CUfunction;
typedef int nvrtcResult;    /* NVRTC_SUCCESS = 0 */
typedef void *nvrtcProgram;

/* libcuda.so.1 (the driver) */
typedef CUresult (*stylize_cuInit_t)(unsigned int flags);
typedef CUresult (*stylize_cuDriverGetVersion_t)(int *version);
typedef CUresult (*stylize_cuDeviceGetCount_t)(int *count);
typedef CUresult (*stylize_cuDeviceGet_t)(CUdevice *device, int ordinal);
typedef CUresult (*stylize_cuDeviceGetName_t)(char *name, int length, CUdevice device);
typedef CUresult (*stylize_cuDeviceGetAttribute_t)(int *value, int attribute, CUdevice device);
typedef CUresult (*stylize_cuDeviceTotalMem_t)(size_t *bytes, CUdevice device);
typedef CUresult (*stylize_cuGetErrorString_t)(CUresult error, const char **text);

typedef unsigned long long CUdeviceptr;
typedef void *CUstream;
typedef CUresult (*stylize_cuDevicePrimaryCtxRetain_t)(CUcontext *context, CUdevice device);
typedef CUresult (*stylize_cuDevicePrimaryCtxRelease_t)(CUdevice device);
typedef CUresult (*stylize_cuCtxSetCurrent_t)(CUcontext context);
typedef CUresult (*stylize_cuCtxSynchronize_t)(void);
typedef CUresult (*stylize_cuMemAlloc_t)(CUdeviceptr *pointer, size_t bytes);
typedef CUresult (*stylize_cuMemFree_t)(CUdeviceptr pointer);
typedef CUresult (*stylize_cuMemcpyHtoD_t)(CUdeviceptr destination, const void *source, size_t bytes);
typedef CUresult (*stylize_cuMemcpyDtoH_t)(void *destination, CUdeviceptr source, size_t bytes);
typedef CUresult (*stylize_cuModuleLoadData_t)(CUmodule *module, const void *image);
typedef CUresult (*stylize_cuModuleUnload_t)(CUmodule module);
typedef CUresult (*stylize_cuModuleGetFunction_t)(CUfunction *function, CUmodule module, const char *name);
typedef CUresult (*stylize_cuLaunchKernel_t)(CUfunction function, unsigned int gridX, unsigned int gridY,
                                             unsigned int gridZ, unsigned int blockX, unsigned int blockY,
                                             unsigned int blockZ, unsigned int sharedBytes, CUstream stream,
                                             void **parameters, void **extra);
/* Streams: each transfer (each job of a batch) launches on its own, so that jobs side by side
 * overlap on one GPU; flags 1 = CU_STREAM_NON_BLOCKING (no implicit order with stream 0). */
typedef CUresult (*stylize_cuStreamCreate_t)(CUstream *stream, unsigned int flags);
typedef CUresult (*stylize_cuStreamDestroy_t)(CUstream stream);
typedef CUresult (*stylize_cuStreamSynchronize_t)(CUstream stream);
typedef CUresult (*stylize_cuMemcpyHtoDAsync_t)(CUdeviceptr destination, const void *source, size_t bytes,
                                                CUstream stream);
typedef CUresult (*stylize_cuMemcpyDtoHAsync_t)(void *destination, CUdeviceptr source, size_t bytes,
                                                CUstream stream);
typedef CUresult (*stylize_cuMemGetInfo_t)(size_t *free, size_t *total);

/* CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR / _MINOR */
enum { STYLIZE_CU_CC_MAJOR = 75, STYLIZE_CU_CC_MINOR = 76 };

/* libnvrtc.so */
typedef nvrtcResult (*stylize_nvrtcVersion_t)(int *major, int *minor);
typedef nvrtcResult (*stylize_nvrtcCreateProgram_t)(nvrtcProgram *program, const char *source, const char *name,
                                                     int headers, const char *const *headerSources,
                                                     const char *const *headerNames);
typedef nvrtcResult (*stylize_nvrtcCompileProgram_t)(nvrtcProgram program, int options, const char *const *optionList);
typedef nvrtcResult (*stylize_nvrtcGetProgramLogSize_t)(nvrtcProgram program, size_t *size);
typedef nvrtcResult (*stylize_nvrtcGetProgramLog_t)(nvrtcProgram program, char *log);
typedef nvrtcResult (*stylize_nvrtcGetCUBINSize_t)(nvrtcProgram program, size_t *size);
typedef nvrtcResult (*stylize_nvrtcGetCUBIN_t)(nvrtcProgram program, char *cubin);
typedef nvrtcResult (*stylize_nvrtcDestroyProgram_t)(nvrtcProgram *program);
typedef const char *(*stylize_nvrtcGetErrorString_t)(nvrtcResult result);

/* libcublas.so */
typedef int (*stylize_cublasGetProperty_t)(int type, int *value); /* MAJOR_VERSION 0, MINOR 1, PATCH 2 */
typedef void *cublasHandle_t;
typedef int (*stylize_cublasCreate_t)(cublasHandle_t *handle);
typedef int (*stylize_cublasDestroy_t)(cublasHandle_t handle);
typedef int (*stylize_cublasSetStream_t)(cublasHandle_t handle, CUstream stream);
/* CUBLAS_DEFAULT_MATH 0, CUBLAS_TF32_TENSOR_OP_MATH 3 */
typedef int (*stylize_cublasSetMathMode_t)(cublasHandle_t handle, int mode);
/* column-major; transa/transb: 0 = N, 1 = T; alpha, beta on the host */
typedef int (*stylize_cublasSgemm_t)(cublasHandle_t handle, int transa, int transb, int m, int n, int k,
                                     const float *alpha, const float *a, int lda, const float *b, int ldb,
                                     const float *beta, float *c, int ldc);
typedef int (*stylize_cublasSgemmStridedBatched_t)(cublasHandle_t handle, int transa, int transb, int m, int n, int k,
                                                   const float *alpha, const float *a, int lda, long long strideA,
                                                   const float *b, int ldb, long long strideB, const float *beta,
                                                   float *c, int ldc, long long strideC, int batchCount);

/* A marker so that this target has a translation unit. */
int stylize_cuda_header_version(void);

#endif
