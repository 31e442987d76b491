/* CCUDA is a header of function-pointer types (include/stylize_cuda.h); nothing links against
 * CUDA. This file only gives the target a translation unit. */
#include "stylize_cuda.h"

int stylize_cuda_header_version(void) { return 1; }
