#ifndef STYLIZE_GEMM_H
#define STYLIZE_GEMM_H

#include <stddef.h>

/* The matrix products of stylize's Winograd convolutions (StylizeKernels/Winograd4.swift is
 * the only caller), in vector kernels chosen at run time by the CPU's features.
 *
 * Index equation, row-major, single precision, overwriting C:
 *     C[i, j] = Σ_p A(i, p) · B[p, j]      0 ≤ i < m, 0 ≤ j < n, 0 ≤ p < k
 * with A(i, p) = a[i·lda + p] (transA == 0: A is m × k) or a[p·lda + i] (transA != 0: A is
 * stored k × m), B[p, j] = b[p·ldb + j] and C[i, j] = c[i·ldc + j]. Only those elements are
 * read or written. Each C[i, j] is summed over p in increasing order, in blocks of 128 (one
 * fused multiply-add per term), so the result does not depend on how the caller splits
 * columns or rows. */

/** The widest kernel this CPU (and its operating system) can run: 2 for AVX-512F, 1 for AVX2
 *  with FMA, 0 for neither. */
int stylize_gemm_kind(void);

/** The product above with kernel `kind` (1 or 2; at most stylize_gemm_kind()). */
void stylize_gemm(int kind, int transA, int m, int n, int k,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float *c, ptrdiff_t ldc);

#endif
