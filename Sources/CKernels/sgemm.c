/* stylize's matrix products (stylize_gemm.h, SGEMM's contract): register-blocked kernels for
 * AVX-512F and for AVX2 with FMA, chosen once at run time, so one x86-64 binary runs the widest
 * kernel each CPU has; StylizeKernels' GEMMKernel.swift times them against OpenBLAS and keeps
 * whichever is faster. Written first for the Winograd-domain products: each of the 36 of a
 * tile chunk is small (64…512 channels by a few hundred tiles), OpenBLAS packs both operands
 * on every call and zeroes C first, and its AVX-512 kernels lose to its own AVX2 kernels on
 * these flat shapes on AMD (docs/EXPERIMENTS.md). Here a row-major B is read in place (a
 * transposed one is packed KC × NB at a time), and A is packed MR × KC at a time, scaled by
 * alpha on the way; beta is applied to C before the terms are added.
 *
 * Blocking (the same for both kernels):
 *   for each block of NB = 768 columns of C:
 *     for each block of KC = 128 terms p:         the first block overwrites C (beta == 0)
 *       (transB: pack B's KC × NB block)
 *       for each MR rows of C:                    A's MR × KC block packed contiguously
 *         for each NR columns:                    MR × NR sums in registers over the KC terms
 * Rows left over (m not a multiple of MR) use the same kernel compiled for fewer rows; columns
 * left over use masked loads and stores. */
#include "stylize_gemm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

enum { KC = 128, NB = 768 };

/* ---- AVX-512F: MR = 8 rows by NR = 48 columns (24 accumulators, 3 for B, 1 broadcast) ---- */

#define T512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

/* C[r, j] (+)= Σ_p ap[p·8 + r] · B[p, j] for r < R, j < cols (≤ 48). */
T512 INLINE void micro512(const int R, int kc, const float *ap, const float *b, ptrdiff_t ldb,
                          float *c, ptrdiff_t ldc, int cols, int accumulate) {
    __mmask16 mk[3];
    for (int v = 0; v < 3; v++) {
        int n = cols - 16 * v;
        mk[v] = n >= 16 ? 0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
    }
    __m512 acc[8][3];
    for (int r = 0; r < R; r++) {
        for (int v = 0; v < 3; v++)
            acc[r][v] = accumulate ? _mm512_maskz_loadu_ps(mk[v], c + r * ldc + 16 * v) : _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        const float *bp = b + p * ldb;
        __m512 b0 = _mm512_maskz_loadu_ps(mk[0], bp);
        __m512 b1 = _mm512_maskz_loadu_ps(mk[1], bp + 16);
        __m512 b2 = _mm512_maskz_loadu_ps(mk[2], bp + 32);
        for (int r = 0; r < R; r++) {
            __m512 ar = _mm512_set1_ps(ap[p * 8 + r]);
            acc[r][0] = _mm512_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm512_fmadd_ps(ar, b1, acc[r][1]);
            acc[r][2] = _mm512_fmadd_ps(ar, b2, acc[r][2]);
        }
    }
    for (int r = 0; r < R; r++) {
        for (int v = 0; v < 3; v++) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mk[v], acc[r][v]);
    }
}

T512 static void rows512(int R, int kc, const float *ap, const float *b, ptrdiff_t ldb, float *c,
                         ptrdiff_t ldc, int cols, int accumulate) {
    switch (R) {
    case 8: micro512(8, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 7: micro512(7, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 6: micro512(6, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 5: micro512(5, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 4: micro512(4, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 3: micro512(3, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    case 2: micro512(2, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    default: micro512(1, kc, ap, b, ldb, c, ldc, cols, accumulate); break;
    }
}

/* ---- AVX2 + FMA: MR = 6 rows by NR = 16 columns (12 accumulators, 2 for B, 1 broadcast:
 * 15 of the 16 registers; 4 × 24 would need all 16 and spills) ---- */

#define T256 __attribute__((target("avx2,fma")))

/* lanes 0 ..< n set (n clamped to 0…8) */
T256 INLINE __m256i mask256(int n) {
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* C[r, j] (+)= Σ_p ap[p·6 + r] · B[p, j] for r < R, j < cols (≤ 16); full panels unmasked. */
T256 INLINE void micro256(const int R, const int masked, int kc, const float *ap, const float *b,
                          ptrdiff_t ldb, float *c, ptrdiff_t ldc, int cols, int accumulate) {
    __m256i m0 = mask256(cols), m1 = mask256(cols - 8);
#define LOAD(ptr, m) (masked ? _mm256_maskload_ps((ptr), (m)) : _mm256_loadu_ps(ptr))
    __m256 acc[6][2];
    for (int r = 0; r < R; r++) {
        acc[r][0] = accumulate ? LOAD(c + r * ldc, m0) : _mm256_setzero_ps();
        acc[r][1] = accumulate ? LOAD(c + r * ldc + 8, m1) : _mm256_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        const float *bp = b + p * ldb;
        __m256 b0 = LOAD(bp, m0), b1 = LOAD(bp + 8, m1);
        for (int r = 0; r < R; r++) {
            __m256 ar = _mm256_broadcast_ss(ap + p * 6 + r);
            acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
            acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
        }
    }
#undef LOAD
    for (int r = 0; r < R; r++) {
        if (masked) {
            _mm256_maskstore_ps(c + r * ldc, m0, acc[r][0]);
            _mm256_maskstore_ps(c + r * ldc + 8, m1, acc[r][1]);
        } else {
            _mm256_storeu_ps(c + r * ldc, acc[r][0]);
            _mm256_storeu_ps(c + r * ldc + 8, acc[r][1]);
        }
    }
}

T256 static void rows256(int R, int kc, const float *ap, const float *b, ptrdiff_t ldb, float *c,
                         ptrdiff_t ldc, int cols, int accumulate) {
    /* R and "masked" become constants of each inlined copy */
#define MICRO256(ROWS, MASKED) micro256(ROWS, MASKED, kc, ap, b, ldb, c, ldc, cols, accumulate); return
#define CASES256(MASKED)                                                                           \
    switch (R) {                                                                                   \
    case 6: MICRO256(6, MASKED);                                                                   \
    case 5: MICRO256(5, MASKED);                                                                   \
    case 4: MICRO256(4, MASKED);                                                                   \
    case 3: MICRO256(3, MASKED);                                                                   \
    case 2: MICRO256(2, MASKED);                                                                   \
    default: MICRO256(1, MASKED);                                                                  \
    }
    if (cols == 16) { CASES256(0) }
    CASES256(1)
#undef CASES256
#undef MICRO256
}

/* ---- the driver, shared ---- */

/* C[i, j − j0] (+)= Σ_p (alpha · A(i, p)) · B(p, j) for the block of columns j0 ..< j1 (at most
 * NB; c points at the block's first column): added to C's values when `add`, else over them;
 * bbuf holds KC × NB floats for packing B when transB. */
#define DRIVER(NAME, ATTR, MR, NR, ROWS)                                                           \
    ATTR static void NAME(int transA, int transB, int m, int j0, int j1, int k, float alpha,        \
                          const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c,   \
                          ptrdiff_t ldc, int add, float *bbuf) {                                    \
        float ap[KC * MR] __attribute__((aligned(64)));                                            \
        for (int p0 = 0; p0 < k; p0 += KC) {                                                        \
            int kc = p0 + KC < k ? KC : k - p0;                                                     \
            const float *bb;                                                                        \
            ptrdiff_t ldbb;                                                                         \
            if (transB) {                                                                           \
                /* bbuf[p·NB + jj] = B(p0 + p, j0 + jj) = b[(j0 + jj)·ldb + p0 + p] */              \
                for (int jj = 0; jj < j1 - j0; jj++) {                                              \
                    const float *bj = b + (ptrdiff_t)(j0 + jj) * ldb + p0;                          \
                    for (int p = 0; p < kc; p++) bbuf[p * NB + jj] = bj[p];                         \
                }                                                                                   \
                bb = bbuf;                                                                          \
                ldbb = NB;                                                                          \
            } else {                                                                                \
                bb = b + (ptrdiff_t)p0 * ldb + j0;                                                  \
                ldbb = ldb;                                                                         \
            }                                                                                       \
            for (int i0 = 0; i0 < m; i0 += MR) {                                                    \
                int rows = m - i0 < MR ? m - i0 : MR;                                               \
                /* ap[p·MR + r] = alpha · A(i0 + r, p0 + p) */                                      \
                if (transA) {                                                                       \
                    for (int p = 0; p < kc; p++) {                                                  \
                        const float *ap0 = a + (ptrdiff_t)(p0 + p) * lda + i0;                      \
                        for (int r = 0; r < rows; r++) ap[p * MR + r] = alpha * ap0[r];             \
                    }                                                                               \
                } else {                                                                            \
                    for (int p = 0; p < kc; p++) {                                                  \
                        for (int r = 0; r < rows; r++)                                              \
                            ap[p * MR + r] = alpha * a[(ptrdiff_t)(i0 + r) * lda + p0 + p];         \
                    }                                                                               \
                }                                                                                   \
                for (int j = j0; j < j1; j += NR) {                                                 \
                    int cols = j1 - j < NR ? j1 - j : NR;                                           \
                    ROWS(rows, kc, ap, bb + (j - j0), ldbb, c + (ptrdiff_t)i0 * ldc + (j - j0), ldc, cols, \
                         add || p0 > 0);                                                            \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DRIVER(gemm512, T512, 8, 48, rows512)
DRIVER(gemm256, T256, 6, 16, rows256)

void stylize_gemm(int kind, int transA, int transB, int m, int n, int k, float alpha,
                  const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                  float beta, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    /* beta: C is scaled first (unless 0 or 1) and the products added to it; alpha scales A as
     * it is packed. */
    int add = beta != 0.0f;
    if (add && beta != 1.0f) {
        for (int i = 0; i < m; i++) {
            float *ci = c + (ptrdiff_t)i * ldc;
            for (int j = 0; j < n; j++) ci[j] *= beta;
        }
    }
    if (k <= 0) {
        if (!add) for (int i = 0; i < m; i++) memset(c + (ptrdiff_t)i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    float *bbuf = transB ? malloc(sizeof(float) * KC * NB) : NULL;
    if (transB && !bbuf) abort(); /* 384 KB */
    for (int j0 = 0; j0 < n; j0 += NB) {
        int j1 = j0 + NB < n ? j0 + NB : n;
        if (kind >= 2) gemm512(transA, transB, m, j0, j1, k, alpha, a, lda, b, ldb, c + j0, ldc, add, bbuf);
        else gemm256(transA, transB, m, j0, j1, k, alpha, a, lda, b, ldb, c + j0, ldc, add, bbuf);
    }
    free(bbuf);
}

#else /* not x86: no kernels here; BLAS.sgemm uses OpenBLAS */

void stylize_gemm(int kind, int transA, int transB, int m, int n, int k, float alpha,
                  const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                  float beta, float *c, ptrdiff_t ldc) {
    (void)kind; (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
}

int stylize_gemm_kind(void) { return 0; }

#endif

#if defined(__x86_64__) || defined(__i386__)
int stylize_gemm_kind(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}
#endif
