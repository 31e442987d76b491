/* ReLU masks as bits (stylize_relu.h). The Swift loops of StylizeKernels/ReLU.swift compare
 * one float at a time into a 64-bit word; here each word is 4, 8 or 16 lane comparisons
 * folded with a move-mask, and the backward's select is one AND (or masked move) per vector.
 * Recording took 1.7 % of a 512 px run in Swift (perf, eighteenth session's profile). */
#include "stylize_relu.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

#define INLINE static inline __attribute__((always_inline))

/* A word whose 64 floats are not all inside a[0 ..< n]: one at a time, as the reference. */
INLINE uint64_t record_partial(const float *a, long n, long k) {
    uint64_t bits = 0;
    for (long i = 64 * k; i < n; i++)
        if (a[i] > 0) bits |= (uint64_t)1 << (i - 64 * k);
    return bits;
}

INLINE void apply_partial(uint64_t bits, long n, long k, float *g) {
    for (long i = 64 * k; i < n; i++)
        if (!(bits >> (i - 64 * k) & 1)) g[i] = 0;
}

static void record_base(const float *a, long n, long k0, long k1, uint64_t *w) {
    for (long k = k0; k < k1; k++) {
        if (64 * k + 64 > n) { w[k] = record_partial(a, n, k); continue; }
        const float *s = a + 64 * k;
        uint64_t bits = 0;
        for (int j = 0; j < 64; j++) bits |= (uint64_t)(s[j] > 0) << j;
        w[k] = bits;
    }
}

static void apply_base(const uint64_t *w, long n, long k0, long k1, float *g) {
    for (long k = k0; k < k1; k++) {
        const uint64_t bits = w[k];
        if (bits == UINT64_MAX) continue;
        if (64 * k + 64 > n) { apply_partial(bits, n, k, g); continue; }
        float *d = g + 64 * k;
        for (int j = 0; j < 64; j++)
            if (!(bits >> j & 1)) d[j] = 0;
    }
}

#if defined(__x86_64__) || defined(__i386__)
__attribute__((target("avx2"))) static void record_avx2(const float *a, long n, long k0, long k1, uint64_t *w) {
    const __m256 zero = _mm256_setzero_ps();
    for (long k = k0; k < k1; k++) {
        if (64 * k + 64 > n) { w[k] = record_partial(a, n, k); continue; }
        const float *s = a + 64 * k;
        uint64_t bits = 0;
        for (int q = 0; q < 8; q++) {
            const __m256 gt = _mm256_cmp_ps(_mm256_loadu_ps(s + 8 * q), zero, _CMP_GT_OQ);
            bits |= (uint64_t)(uint32_t)_mm256_movemask_ps(gt) << (8 * q);
        }
        w[k] = bits;
    }
}

__attribute__((target("avx2"))) static void apply_avx2(const uint64_t *w, long n, long k0, long k1, float *g) {
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    for (long k = k0; k < k1; k++) {
        const uint64_t bits = w[k];
        if (bits == UINT64_MAX) continue;
        if (64 * k + 64 > n) { apply_partial(bits, n, k, g); continue; }
        float *d = g + 64 * k;
        for (int q = 0; q < 8; q++) {
            const __m256i b = _mm256_set1_epi32((int)(bits >> (8 * q) & 0xff));
            const __m256i keep = _mm256_cmpeq_epi32(_mm256_and_si256(b, lane), lane);
            _mm256_storeu_ps(d + 8 * q, _mm256_and_ps(_mm256_loadu_ps(d + 8 * q), _mm256_castsi256_ps(keep)));
        }
    }
}

__attribute__((target("avx512f"))) static void record_avx512(const float *a, long n, long k0, long k1, uint64_t *w) {
    const __m512 zero = _mm512_setzero_ps();
    for (long k = k0; k < k1; k++) {
        if (64 * k + 64 > n) { w[k] = record_partial(a, n, k); continue; }
        const float *s = a + 64 * k;
        uint64_t bits = 0;
        for (int q = 0; q < 4; q++)
            bits |= (uint64_t)_mm512_cmp_ps_mask(_mm512_loadu_ps(s + 16 * q), zero, _CMP_GT_OQ) << (16 * q);
        w[k] = bits;
    }
}

__attribute__((target("avx512f"))) static void apply_avx512(const uint64_t *w, long n, long k0, long k1, float *g) {
    for (long k = k0; k < k1; k++) {
        const uint64_t bits = w[k];
        if (bits == UINT64_MAX) continue;
        if (64 * k + 64 > n) { apply_partial(bits, n, k, g); continue; }
        float *d = g + 64 * k;
        for (int q = 0; q < 4; q++)
            _mm512_storeu_ps(d + 16 * q, _mm512_maskz_mov_ps((__mmask16)(bits >> (16 * q)), _mm512_loadu_ps(d + 16 * q)));
    }
}
#endif

void stylize_relu_mask_record(int kind, const float *a, long n, long k0, long k1, uint64_t *words) {
#if defined(__x86_64__) || defined(__i386__)
    if (kind == 2) { record_avx512(a, n, k0, k1, words); return; }
    if (kind == 1) { record_avx2(a, n, k0, k1, words); return; }
#endif
    (void)kind;
    record_base(a, n, k0, k1, words);
}

void stylize_relu_mask_apply(int kind, const uint64_t *words, long n, long k0, long k1, float *g) {
#if defined(__x86_64__) || defined(__i386__)
    if (kind == 2) { apply_avx512(words, n, k0, k1, g); return; }
    if (kind == 1) { apply_avx2(words, n, k0, k1, g); return; }
#endif
    (void)kind;
    apply_base(words, n, k0, k1, g);
}
