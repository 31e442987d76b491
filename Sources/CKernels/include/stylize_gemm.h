#ifndef STYLIZE_GEMM_H
#define STYLIZE_GEMM_H

#include <stddef.h>

/* stylize's matrix products (StylizeKernels/BLAS.swift is the only caller) in vector kernels
 * chosen at run time by the CPU's features: SGEMM's contract, row-major.
 *
 * Index equation, single precision:
 *     C[i, j] = alpha · Σ_p A(i, p) · B(p, j) + beta · C[i, j]    0 ≤ i < m, 0 ≤ j < n, 0 ≤ p < k
 * with A(i, p) = a[i·lda + p] (transA == 0: A is m × k) or a[p·lda + i] (transA != 0: A is
 * stored k × m), B(p, j) = b[p·ldb + j] (transB == 0) or b[j·ldb + p] (transB != 0), and
 * C[i, j] = c[i·ldc + j]; with beta == 0 C's old values are not read. Only those elements are
 * read or written. Computed as: C scaled by beta (unless beta is 0 or 1), then the terms
 * (alpha · A(i, p)) · B(p, j) added over p in increasing order, in blocks of 128, one fused
 * multiply-add each; so the result does not depend on how the caller splits columns or rows.
 * Scratch: with transB (or a B with rows far apart), 128 × 784 floats from malloc for the call. */

/** The widest kernel this CPU (and its operating system) can run: 2 for AVX-512F, 1 for AVX2
 *  with FMA, 0 for neither. */
int stylize_gemm_kind(void);

/** The product above with kernel `kind` (1 or 2; at most stylize_gemm_kind()). */
void stylize_gemm(int kind, int transA, int transB, int m, int n, int k, float alpha,
                  const float *a, ptrdiff_t lda,
                  const float *b, ptrdiff_t ldb,
                  float beta, float *c, ptrdiff_t ldc);

/** Floats of `stylize_gemm_pack`'s copy of an m × k matrix for kernel `kind` (k times m rounded
 *  up to the kernel's panel height: 8 for AVX-512F, 6 for AVX2). */
size_t stylize_gemm_packed_floats(int kind, int m, int k);

/** Copies the m × k matrix A (A(i, p) = a[i·lda + p], or a[p·lda + i] when transA) into
 *  `packed` (stylize_gemm_packed_floats(kind, m, k) floats) in the order kernel `kind` reads it,
 *  so that a matrix used in many products (Winograd's transformed kernels, and their transposes
 *  for the backward products) is packed once. */
void stylize_gemm_pack(int kind, int transA, int m, int k, const float *a, ptrdiff_t lda, float *packed);

/** The inverse of stylize_gemm_pack without transA: the m × k row-major A (a[i·lda + p]) from
 *  `packed`. */
void stylize_gemm_unpack(int kind, int m, int k, const float *packed, float *a, ptrdiff_t lda);

/** C = A · B (+ C when add) with A packed by stylize_gemm_pack for the same kind, m and k, and
 *  B row-major k × n (not transposed): the same terms in the same order as stylize_gemm with
 *  alpha 1 and beta 0 or 1, so the same bits. */
void stylize_gemm_prepacked(int kind, int m, int n, int k, const float *packed, const float *b, ptrdiff_t ldb,
                            int add, float *c, ptrdiff_t ldc);

#endif
