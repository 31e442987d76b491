/* 2×2 max pooling with its argmax bytes (stylize_maxpool.h). The Swift loops of
 * StylizeKernels/Pool2x2.swift take one window at a time; here the even and odd columns of
 * two input rows are split into four vectors of 8 or 16 windows, and the window's first
 * maximum is a chain of three compare-and-select steps, as the reference's three `if`s.
 * The backward writes every value of the input's gradient once (the gradient or +0), where
 * the reference zeroes the plane and then scatters. Forward and backward took 1.7 % of a
 * 512 px run in Swift (perf, twenty-first session's profile). */
#include "stylize_maxpool.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define INLINE static inline __attribute__((always_inline))

/* Windows x0 ..< x1 of one output row, one at a time, as the reference. */
INLINE void forward_row_scalar(const float *r0, const float *r1, long x0, long x1, float *o, uint8_t *io) {
    for (long x = x0; x < x1; x++) {
        float best = r0[2 * x];
        uint8_t k = 0;
        if (r0[2 * x + 1] > best) { best = r0[2 * x + 1]; k = 1; }
        if (r1[2 * x] > best) { best = r1[2 * x]; k = 2; }
        if (r1[2 * x + 1] > best) { best = r1[2 * x + 1]; k = 3; }
        o[x] = best;
        io[x] = k;
    }
}

INLINE void backward_row_scalar(const float *gp, const uint8_t *ip, long x0, long x1, float *d0, float *d1) {
    for (long x = x0; x < x1; x++) {
        const float g = gp[x];
        const int k = ip[x];
        d0[2 * x] = k == 0 ? g : 0.0f;
        d0[2 * x + 1] = k == 1 ? g : 0.0f;
        d1[2 * x] = k == 2 ? g : 0.0f;
        d1[2 * x + 1] = k == 3 ? g : 0.0f;
    }
}

/* What every kind does around its vector loop: the planes, the rows, the dropped edges. */
#define FORWARD_PLANES(ROW)                                                                   \
    const long oh = h / 2, ow = w / 2;                                                        \
    for (long c = c0; c < c1; c++)                                                            \
        for (long y = 0; y < oh; y++) {                                                       \
            const float *r0 = in + (c * h + 2 * y) * w;                                       \
            ROW(r0, r0 + w, ow, out + (c * oh + y) * ow, idx + (c * oh + y) * ow);            \
        }

#define BACKWARD_PLANES(ROW)                                                                  \
    const long oh = h / 2, ow = w / 2;                                                        \
    for (long c = c0; c < c1; c++) {                                                          \
        float *plane = gin + c * h * w;                                                       \
        for (long y = 0; y < oh; y++) {                                                       \
            float *d0 = plane + 2 * y * w, *d1 = d0 + w;                                      \
            ROW(g + (c * oh + y) * ow, idx + (c * oh + y) * ow, ow, d0, d1);                  \
            if (w & 1) { d0[w - 1] = 0.0f; d1[w - 1] = 0.0f; }                                \
        }                                                                                     \
        if (h & 1) for (long x = 0; x < w; x++) plane[(h - 1) * w + x] = 0.0f;                \
    }

INLINE void forward_row_base(const float *r0, const float *r1, long ow, float *o, uint8_t *io) {
    forward_row_scalar(r0, r1, 0, ow, o, io);
}

INLINE void backward_row_base(const float *gp, const uint8_t *ip, long ow, float *d0, float *d1) {
    backward_row_scalar(gp, ip, 0, ow, d0, d1);
}

static void forward_base(const float *in, long h, long w, long c0, long c1, float *out, uint8_t *idx) {
    FORWARD_PLANES(forward_row_base)
}

static void backward_base(const float *g, const uint8_t *idx, long h, long w, long c0, long c1, float *gin) {
    BACKWARD_PLANES(backward_row_base)
}

#if defined(__x86_64__) || defined(__i386__)
/* Elements 0, 2, …, 14 (or 1, 3, …, 15) of the 16 floats lo:hi, in order. */
__attribute__((target("avx2"))) INLINE __m256 even_avx2(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0x88)), 0xD8));
}

__attribute__((target("avx2"))) INLINE __m256 odd_avx2(__m256 lo, __m256 hi) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(lo, hi, 0xDD)), 0xD8));
}

__attribute__((target("avx2"))) INLINE void forward_row_avx2(const float *r0, const float *r1, long ow, float *o, uint8_t *io) {
    const __m256 one = _mm256_castsi256_ps(_mm256_set1_epi32(1)), two = _mm256_castsi256_ps(_mm256_set1_epi32(2)),
                 three = _mm256_castsi256_ps(_mm256_set1_epi32(3));
    /* The low byte of each 32-bit lane to the lane's first four bytes. */
    const __m256i bytes = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                           0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    long x = 0;
    for (; x + 8 <= ow; x += 8) {
        const __m256 t0 = _mm256_loadu_ps(r0 + 2 * x), t1 = _mm256_loadu_ps(r0 + 2 * x + 8);
        const __m256 b0 = _mm256_loadu_ps(r1 + 2 * x), b1 = _mm256_loadu_ps(r1 + 2 * x + 8);
        __m256 best = even_avx2(t0, t1), k = _mm256_setzero_ps(), m;
        const __m256 v1 = odd_avx2(t0, t1), v2 = even_avx2(b0, b1), v3 = odd_avx2(b0, b1);
        m = _mm256_cmp_ps(v1, best, _CMP_GT_OQ); best = _mm256_blendv_ps(best, v1, m); k = _mm256_blendv_ps(k, one, m);
        m = _mm256_cmp_ps(v2, best, _CMP_GT_OQ); best = _mm256_blendv_ps(best, v2, m); k = _mm256_blendv_ps(k, two, m);
        m = _mm256_cmp_ps(v3, best, _CMP_GT_OQ); best = _mm256_blendv_ps(best, v3, m); k = _mm256_blendv_ps(k, three, m);
        _mm256_storeu_ps(o + x, best);
        const __m256i kb = _mm256_shuffle_epi8(_mm256_castps_si256(k), bytes);
        _mm_storel_epi64((__m128i *)(io + x),
                         _mm_unpacklo_epi32(_mm256_castsi256_si128(kb), _mm256_extracti128_si256(kb, 1)));
    }
    forward_row_scalar(r0, r1, x, ow, o, io);
}

/* d[0 ..< 16] = a[0], b[0], a[1], b[1], …, a[7], b[7]. */
__attribute__((target("avx2"))) INLINE void store_interleaved_avx2(float *d, __m256 a, __m256 b) {
    const __m256 lo = _mm256_unpacklo_ps(a, b), hi = _mm256_unpackhi_ps(a, b);
    _mm256_storeu_ps(d, _mm256_permute2f128_ps(lo, hi, 0x20));
    _mm256_storeu_ps(d + 8, _mm256_permute2f128_ps(lo, hi, 0x31));
}

__attribute__((target("avx2"))) INLINE void backward_row_avx2(const float *gp, const uint8_t *ip, long ow, float *d0, float *d1) {
    long x = 0;
    for (; x + 8 <= ow; x += 8) {
        const __m256 g = _mm256_loadu_ps(gp + x);
        const __m256i k = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(ip + x)));
        const __m256 e0 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(0))));
        const __m256 e1 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(1))));
        const __m256 e2 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(2))));
        const __m256 e3 = _mm256_and_ps(g, _mm256_castsi256_ps(_mm256_cmpeq_epi32(k, _mm256_set1_epi32(3))));
        store_interleaved_avx2(d0 + 2 * x, e0, e1);
        store_interleaved_avx2(d1 + 2 * x, e2, e3);
    }
    backward_row_scalar(gp, ip, x, ow, d0, d1);
}

__attribute__((target("avx2"))) static void forward_avx2(const float *in, long h, long w, long c0, long c1, float *out, uint8_t *idx) {
    FORWARD_PLANES(forward_row_avx2)
}

__attribute__((target("avx2"))) static void backward_avx2(const float *g, const uint8_t *idx, long h, long w, long c0, long c1, float *gin) {
    BACKWARD_PLANES(backward_row_avx2)
}

__attribute__((target("avx512f"))) INLINE void forward_row_avx512(const float *r0, const float *r1, long ow, float *o, uint8_t *io) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    long x = 0;
    for (; x + 16 <= ow; x += 16) {
        const __m512 t0 = _mm512_loadu_ps(r0 + 2 * x), t1 = _mm512_loadu_ps(r0 + 2 * x + 16);
        const __m512 b0 = _mm512_loadu_ps(r1 + 2 * x), b1 = _mm512_loadu_ps(r1 + 2 * x + 16);
        __m512 best = _mm512_permutex2var_ps(t0, even, t1);
        const __m512 v1 = _mm512_permutex2var_ps(t0, odd, t1), v2 = _mm512_permutex2var_ps(b0, even, b1),
                     v3 = _mm512_permutex2var_ps(b0, odd, b1);
        __m512i k = _mm512_setzero_si512();
        __mmask16 m;
        m = _mm512_cmp_ps_mask(v1, best, _CMP_GT_OQ); best = _mm512_mask_mov_ps(best, m, v1); k = _mm512_mask_mov_epi32(k, m, _mm512_set1_epi32(1));
        m = _mm512_cmp_ps_mask(v2, best, _CMP_GT_OQ); best = _mm512_mask_mov_ps(best, m, v2); k = _mm512_mask_mov_epi32(k, m, _mm512_set1_epi32(2));
        m = _mm512_cmp_ps_mask(v3, best, _CMP_GT_OQ); best = _mm512_mask_mov_ps(best, m, v3); k = _mm512_mask_mov_epi32(k, m, _mm512_set1_epi32(3));
        _mm512_storeu_ps(o + x, best);
        _mm_storeu_si128((__m128i *)(io + x), _mm512_cvtepi32_epi8(k));
    }
    forward_row_scalar(r0, r1, x, ow, o, io);
}

__attribute__((target("avx512f"))) INLINE void backward_row_avx512(const float *gp, const uint8_t *ip, long ow, float *d0, float *d1) {
    const __m512i lo = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    const __m512i hi = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
    long x = 0;
    for (; x + 16 <= ow; x += 16) {
        const __m512 g = _mm512_loadu_ps(gp + x);
        const __m512i k = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(ip + x)));
        const __m512 e0 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, _mm512_set1_epi32(0)), g);
        const __m512 e1 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, _mm512_set1_epi32(1)), g);
        const __m512 e2 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, _mm512_set1_epi32(2)), g);
        const __m512 e3 = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(k, _mm512_set1_epi32(3)), g);
        _mm512_storeu_ps(d0 + 2 * x, _mm512_permutex2var_ps(e0, lo, e1));
        _mm512_storeu_ps(d0 + 2 * x + 16, _mm512_permutex2var_ps(e0, hi, e1));
        _mm512_storeu_ps(d1 + 2 * x, _mm512_permutex2var_ps(e2, lo, e3));
        _mm512_storeu_ps(d1 + 2 * x + 16, _mm512_permutex2var_ps(e2, hi, e3));
    }
    backward_row_scalar(gp, ip, x, ow, d0, d1);
}

__attribute__((target("avx512f"))) static void forward_avx512(const float *in, long h, long w, long c0, long c1, float *out, uint8_t *idx) {
    FORWARD_PLANES(forward_row_avx512)
}

__attribute__((target("avx512f"))) static void backward_avx512(const float *g, const uint8_t *idx, long h, long w, long c0, long c1, float *gin) {
    BACKWARD_PLANES(backward_row_avx512)
}
#endif

void stylize_maxpool_forward(int kind, const float *in, long h, long w, long c0, long c1, float *out, uint8_t *idx) {
#if defined(__x86_64__) || defined(__i386__)
    if (kind == 2) { forward_avx512(in, h, w, c0, c1, out, idx); return; }
    if (kind == 1) { forward_avx2(in, h, w, c0, c1, out, idx); return; }
#endif
    (void)kind;
    forward_base(in, h, w, c0, c1, out, idx);
}

void stylize_maxpool_backward(int kind, const float *g, const uint8_t *idx, long h, long w, long c0, long c1, float *gin) {
#if defined(__x86_64__) || defined(__i386__)
    if (kind == 2) { backward_avx512(g, idx, h, w, c0, c1, gin); return; }
    if (kind == 1) { backward_avx2(g, idx, h, w, c0, c1, gin); return; }
#endif
    (void)kind;
    backward_base(g, idx, h, w, c0, c1, gin);
}
