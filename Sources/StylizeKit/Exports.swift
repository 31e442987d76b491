// The kernels (Tensor3, Conv3x3, Pool2x2, ReLU, Gram, TotalVariation, BLAS, Parallel, VectorMath) are part
// of StylizeKit's public surface: a client imports StylizeKit alone.
@_exported import StylizeKernels
