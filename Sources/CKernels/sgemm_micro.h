/* stylize's GEMM micro-kernels, included by sgemm.c only (after its blocking constants):
 * MR × NR blocks of C summed in registers over KC terms, for AVX-512F and for AVX2 with FMA.
 * Compiled inside sgemm.c's x86 block with the target attributes below, so one binary holds
 * both; the `kind` each stylize_gemm call passes (GEMMKernel.swift's choice, from the CPU's
 * features and its calibration) picks one at run time. */
#ifndef STYLIZE_SGEMM_MICRO_H
#define STYLIZE_SGEMM_MICRO_H

/* ---- AVX-512F: MR = 8 rows by NR = 48 columns (24 accumulators, 3 for B, 1 broadcast) ---- */

#define T512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

/* C[r, j] (+)= Σ_p ap[p·as + r] · B[p, j] for r < R, j < cols (≤ 16·NV); as = 8 for a packed
 * panel, or A's row stride when a transposed A is read in place. NV (1…3) vectors of 16
 * columns: a product with few columns (the deep layers' few tiles at small sizes) does not
 * spend multiply-adds on masked-off lanes. */
T512 INLINE void micro512(const int R, const int NV, int kc, const float *ap, ptrdiff_t as, const float *b,
                          ptrdiff_t ldb, float *c, ptrdiff_t ldc, int cols, int accumulate) {
    __mmask16 mk[3];
    for (int v = 0; v < NV; v++) {
        int n = cols - 16 * v;
        mk[v] = n >= 16 ? 0xFFFF : n <= 0 ? 0 : (__mmask16)((1u << n) - 1);
    }
    __m512 acc[8][3];
    for (int r = 0; r < R; r++) {
        for (int v = 0; v < NV; v++)
            acc[r][v] = accumulate ? _mm512_maskz_loadu_ps(mk[v], c + r * ldc + 16 * v) : _mm512_setzero_ps();
    }
    for (int p = 0; p < kc; p++) {
        const float *bp = b + p * ldb;
        __m512 bv[3];
        for (int v = 0; v < NV; v++) bv[v] = _mm512_maskz_loadu_ps(mk[v], bp + 16 * v);
        for (int r = 0; r < R; r++) {
            __m512 ar = _mm512_set1_ps(ap[p * as + r]);
            for (int v = 0; v < NV; v++) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < R; r++) {
        for (int v = 0; v < NV; v++) _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mk[v], acc[r][v]);
    }
}

T512 static void rows512(int R, int kc, const float *ap, ptrdiff_t as, const float *b, ptrdiff_t ldb, float *c,
                         ptrdiff_t ldc, int cols, int accumulate) {
    /* R and NV become constants of each inlined copy */
#define MICRO512(ROWS, NV) micro512(ROWS, NV, kc, ap, as, b, ldb, c, ldc, cols, accumulate); return
#define CASES512(NV)                                                                               \
    switch (R) {                                                                                   \
    case 8: MICRO512(8, NV);                                                                       \
    case 7: MICRO512(7, NV);                                                                       \
    case 6: MICRO512(6, NV);                                                                       \
    case 5: MICRO512(5, NV);                                                                       \
    case 4: MICRO512(4, NV);                                                                       \
    case 3: MICRO512(3, NV);                                                                       \
    case 2: MICRO512(2, NV);                                                                       \
    default: MICRO512(1, NV);                                                                      \
    }
    if (cols > 32) { CASES512(3) }
    if (cols > 16) { CASES512(2) }
    CASES512(1)
#undef CASES512
#undef MICRO512
}

/* ---- AVX2 + FMA: MR = 6 rows by NR = 16 columns (12 accumulators, 2 for B, 1 broadcast:
 * 15 of the 16 registers; 4 × 24 would need all 16 and spills) ---- */

#define T256 __attribute__((target("avx2,fma")))

/* lanes 0 ..< n set (n clamped to 0…8) */
T256 INLINE __m256i mask256(int n) {
    n = n < 0 ? 0 : n > 8 ? 8 : n;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

/* C[r, j] (+)= Σ_p ap[p·as + r] · B[p, j] for r < R, j < cols (≤ 16); full panels unmasked;
 * as as for micro512 (6 for a packed panel). */
T256 INLINE void micro256(const int R, const int masked, int kc, const float *ap, ptrdiff_t as, const float *b,
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
            __m256 ar = _mm256_broadcast_ss(ap + p * as + r);
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

T256 static void rows256(int R, int kc, const float *ap, ptrdiff_t as, const float *b, ptrdiff_t ldb, float *c,
                         ptrdiff_t ldc, int cols, int accumulate) {
    /* R and "masked" become constants of each inlined copy */
#define MICRO256(ROWS, MASKED) micro256(ROWS, MASKED, kc, ap, as, b, ldb, c, ldc, cols, accumulate); return
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

#endif
