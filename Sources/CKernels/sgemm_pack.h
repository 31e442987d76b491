/* The packing of stylize's GEMM (8 × 8 transposes with AVX), included by sgemm.c only, after
 * its blocking constants (LDT, AHEAD) and micro-kernels (INLINE). Data moves only: the packed
 * values are the scalar packing's, so the products keep their bits. */
#ifndef STYLIZE_SGEMM_PACK_H
#define STYLIZE_SGEMM_PACK_H

/* ---- packing: 8 × 8 transposes (AVX, so both drivers inline them) ---- */

#define TAVX __attribute__((target("avx")))

/* dst[q·ldd + r] = scale · src[r·lds + q] for q < 8, r < 8, with rows r ≥ nrows read as 0
 * (not read): eight rows in, eight columns out, stored in increasing q. The products scale · x
 * are the scalar packing's, one rounding each, so the bits are the same. */
TAVX INLINE void transpose8x8(const float *src, ptrdiff_t lds, int nrows, float *dst, ptrdiff_t ldd, float scale,
                               int ahead) {
    __m256 r[8], t[8], u[8];
    for (int i = 0; i < 8; i++) r[i] = i < nrows ? _mm256_loadu_ps(src + i * lds) : _mm256_setzero_ps();
    if (ahead) for (int i = 0; i < nrows; i++) _mm_prefetch((const char *)(src + i * lds + ahead), _MM_HINT_T0);
    if (scale != 1.0f) {
        __m256 s = _mm256_set1_ps(scale);
        for (int i = 0; i < 8; i++) r[i] = _mm256_mul_ps(r[i], s);
    }
    for (int i = 0; i < 8; i += 2) {
        t[i] = _mm256_unpacklo_ps(r[i], r[i + 1]);     /* columns 0, 1 | 4, 5 of rows i, i+1 */
        t[i + 1] = _mm256_unpackhi_ps(r[i], r[i + 1]); /* columns 2, 3 | 6, 7 */
    }
    for (int i = 0; i < 8; i += 4) {
        u[i] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(1, 0, 1, 0));         /* column 0 | 4 of rows i … i+3 */
        u[i + 1] = _mm256_shuffle_ps(t[i], t[i + 2], _MM_SHUFFLE(3, 2, 3, 2));     /* column 1 | 5 */
        u[i + 2] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(1, 0, 1, 0)); /* column 2 | 6 */
        u[i + 3] = _mm256_shuffle_ps(t[i + 1], t[i + 3], _MM_SHUFFLE(3, 2, 3, 2)); /* column 3 | 7 */
    }
    for (int q = 0; q < 4; q++) r[q] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x20);     /* columns 0 … 3 */
    for (int q = 0; q < 4; q++) r[q + 4] = _mm256_permute2f128_ps(u[q], u[q + 4], 0x31); /* columns 4 … 7 */
    for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + q * ldd, r[q]);
}

/* bbuf[p·LDT + jj] = B(p0 + p, j0 + jj) = b[(j0 + jj)·ldb + p0 + p] for p < kc, jj < w: a
 * transposed B's block, 8 × 8 at a time. */
TAVX INLINE void pack_bt(const float *b, ptrdiff_t ldb, int p0, int j0, int w, int kc, float *bbuf) {
    for (int jb = 0; jb < w; jb += 8) {
        int je = jb + 8 < w ? jb + 8 : w;
        for (int pb = 0; pb < kc; pb += 8) {
            int pe = pb + 8 < kc ? pb + 8 : kc;
            const float *src = b + (ptrdiff_t)(j0 + jb) * ldb + p0 + pb;
            if (je - jb == 8 && pe - pb == 8) {
                transpose8x8(src, ldb, 8, bbuf + (ptrdiff_t)pb * LDT + jb, LDT, 1.0f, AHEAD);
                continue;
            }
            for (int jj = jb; jj < je; jj++)
                for (int p = pb; p < pe; p++) bbuf[p * LDT + jj] = b[(ptrdiff_t)(j0 + jj) * ldb + p0 + p];
        }
    }
}

/* ap[p·mr + r] = alpha · A(i0 + r, p0 + p) = alpha · a[(i0 + r)·lda + p0 + p] for r < rows,
 * p < kc (mr 6 or 8), 8 p at a time through an 8 × 8 transpose (rows past `rows` come out as
 * zeros, which the kernel does not read): for mr = 6 each column's 8 values are stored at p·6,
 * and the two past the panel's are overwritten by the next column (ap has 8 floats to spare). */
TAVX INLINE void pack_a(const float *a, ptrdiff_t lda, int i0, int p0, int rows, int mr, int kc, float alpha,
                        float *ap) {
    int pb = 0;
    for (; pb + 8 <= kc; pb += 8) transpose8x8(a + (ptrdiff_t)i0 * lda + p0 + pb, lda, rows, ap + pb * mr, mr, alpha, AHEAD);
    for (int p = pb; p < kc; p++)
        for (int r = 0; r < rows; r++) ap[p * mr + r] = alpha * a[(ptrdiff_t)(i0 + r) * lda + p0 + p];
}

#endif
