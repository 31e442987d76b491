/* The Winograd-domain matrix products (stylize_gemm.h): register-blocked kernels for AVX-512F
 * and for AVX2 with FMA, chosen once at run time, so one x86-64 binary runs the widest kernel
 * each CPU has. Why not OpenBLAS here: each of the 36 products of a tile chunk is small (64…512
 * channels by a few hundred tiles), and OpenBLAS packs both operands on every call and zeroes
 * C first; its AVX-512 kernels also lose to its own AVX2 kernels on these flat shapes on AMD
 * (docs/EXPERIMENTS.md). Here B (the transformed tiles) is read in place, and only an
 * MR × 128 block of A is packed at a time.
 *
 * Blocking (the same for both kernels):
 *   for each block of NB columns of C:            B's NB-column block (≤ 128 × 192 floats) stays in L2
 *     for each block of KC = 128 terms p:         partial sums; the first block overwrites C
 *       for each MR rows of C:                    A's MR × KC block packed contiguously
 *         for each NR columns:                    MR × NR sums in registers over the KC terms
 * Rows left over (m not a multiple of MR) use the same kernel compiled for fewer rows; columns
 * left over use masked loads and stores. */
#include "stylize_gemm.h"

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

#define DRIVER(NAME, ATTR, MR, NR, ROWS)                                                           \
    ATTR static void NAME(int transA, int m, int n, int k, const float *a, ptrdiff_t lda,           \
                          const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc) {                 \
        float ap[KC * MR] __attribute__((aligned(64)));                                            \
        for (int j0 = 0; j0 < n; j0 += NB) {                                                        \
            int j1 = j0 + NB < n ? j0 + NB : n;                                                     \
            for (int p0 = 0; p0 < k; p0 += KC) {                                                    \
                int kc = p0 + KC < k ? KC : k - p0;                                                 \
                for (int i0 = 0; i0 < m; i0 += MR) {                                                \
                    int rows = m - i0 < MR ? m - i0 : MR;                                           \
                    /* ap[p·MR + r] = A(i0 + r, p0 + p) */                                          \
                    if (transA) {                                                                   \
                        for (int p = 0; p < kc; p++)                                                \
                            memcpy(ap + p * MR, a + (ptrdiff_t)(p0 + p) * lda + i0,                 \
                                   sizeof(float) * (size_t)rows);                                   \
                    } else {                                                                        \
                        for (int r = 0; r < rows; r++) {                                            \
                            const float *ar = a + (ptrdiff_t)(i0 + r) * lda + p0;                   \
                            for (int p = 0; p < kc; p++) ap[p * MR + r] = ar[p];                    \
                        }                                                                           \
                    }                                                                               \
                    for (int j = j0; j < j1; j += NR) {                                             \
                        int cols = j1 - j < NR ? j1 - j : NR;                                       \
                        ROWS(rows, kc, ap, b + (ptrdiff_t)p0 * ldb + j, ldb,                        \
                             c + (ptrdiff_t)i0 * ldc + j, ldc, cols, p0 > 0);                       \
                    }                                                                               \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DRIVER(gemm512, T512, 8, 48, rows512)
DRIVER(gemm256, T256, 6, 16, rows256)

void stylize_gemm(int kind, int transA, int m, int n, int k,
                  const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0) return;
    if (k <= 0) {
        for (int i = 0; i < m; i++) memset(c + (ptrdiff_t)i * ldc, 0, sizeof(float) * (size_t)n);
        return;
    }
    if (kind >= 2) gemm512(transA, m, n, k, a, lda, b, ldb, c, ldc);
    else gemm256(transA, m, n, k, a, lda, b, ldb, c, ldc);
}

#else /* not x86: no kernels here; WinogradGEMM uses OpenBLAS */

void stylize_gemm(int kind, int transA, int m, int n, int k,
                  const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc) {
    (void)kind; (void)transA; (void)m; (void)n; (void)k; (void)a; (void)lda; (void)b; (void)ldb; (void)c; (void)ldc;
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
