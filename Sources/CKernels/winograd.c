/* Winograd F(4×4, 3×3) tile transforms, vectorized (stylize_winograd.h). Each body below is
 * written once, as plain loops over the tiles of a run, and inlined into three functions: one
 * compiled for AVX-512F, one for AVX2 and one for the baseline, so the compiler vectorizes the
 * same loops 16, 8 or 4 lanes wide. The Swift reference (StylizeKernels/Conv3x3+Winograd4
 * Transforms.swift) compiles for the baseline only, 4 lanes, and the transforms took a quarter
 * of a 512 px run on an AVX-512 CPU (docs/EXPERIMENTS.md).
 *
 * Bits: the expressions are the reference's, in its order, and nothing is contracted into
 * fused multiply-adds (the pragma below), so the result is the reference's to the bit
 * (WinogradTests). Layout: image rows are split into 4 phases (p[φ][i] = row[4·i + φ]), so
 * every step is an elementwise loop over the tiles of a run; see the reference. */
#include "stylize_winograd.h"

#include <stdlib.h>
#include <string.h>

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#define INLINE static inline __attribute__((always_inline))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))

/* The 4 phases of a row segment: p[φ·stride + i] = row[x0 + 4·i + φ] for i < count, zero
 * outside 0 ..< width. Tiles wholly inside the row are read in place. */
INLINE void load_phases(const float *row, int width, int x0, int count, int stride, float *restrict p) {
    const int in_lo = MIN(count, MAX(0, (3 - x0) / 4));
    const int in_hi = MAX(in_lo, MIN(count, (width - x0) / 4));
    float *restrict p1 = p + stride, *restrict p2 = p1 + stride, *restrict p3 = p2 + stride;
    for (int i = 0; i < in_lo; i++)
        for (int phase = 0; phase < 4; phase++) {
            const int x = x0 + 4 * i + phase;
            p[phase * stride + i] = x >= 0 && x < width ? row[x] : 0;
        }
    const float *s = row + x0;
    for (int i = in_lo; i < in_hi; i++) {
        p[i] = s[4 * i]; p1[i] = s[4 * i + 1]; p2[i] = s[4 * i + 2]; p3[i] = s[4 * i + 3];
    }
    for (int i = in_hi; i < count; i++)
        for (int phase = 0; phase < 4; phase++) {
            const int x = x0 + 4 * i + phase;
            p[phase * stride + i] = x >= 0 && x < width ? row[x] : 0;
        }
}

/* The runs of one tile row inside the chunk: (ty, txa, n, j) per run. */
#define FOR_EACH_RUN(g, ...)                                                                       \
    for (int t_ = (g)->first_tile, end_ = (g)->first_tile + (g)->count; t_ < end_;) {               \
        const int ty = t_ / (g)->tiles_wide, txa = t_ % (g)->tiles_wide;                            \
        const int n = MIN((g)->tiles_wide - txa, end_ - t_), j = t_ - (g)->first_tile;              \
        __VA_ARGS__                                                                                 \
        t_ += n;                                                                                    \
    }

/* The image's size and tile columns, and ps, the floats from one V / M plane to the next. */
#define CHUNK_SIZES(g, channels)                                                                   \
    const int h = (g)->height, w = (g)->width, tw = (g)->tiles_wide;                               \
    const ptrdiff_t ps = (ptrdiff_t)(channels) * (g)->stride + (g)->plane_pad;                     \
    (void)tw

/* Scratch: p (6 rows · 4 phases) · (tiles_wide + 1) and q likewise. */
INLINE void input_body(const stylize_winograd_chunk *g, int channels, int c0, int c1, const float *input,
                       float *v, float *restrict p, float *restrict q) {
    CHUNK_SIZES(g, channels);
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (ptrdiff_t)c * h * w;
        FOR_EACH_RUN(g, {
            const int n1 = n + 1, len = 4 * n1;
            for (int r = 0; r < 6; r++) {
                const int y = 4 * ty - 1 + r;
                float *pr = p + r * len;
                if (y < 0 || y >= h) { memset(pr, 0, sizeof(float) * (size_t)len); continue; }
                load_phases(plane + (ptrdiff_t)y * w, w, 4 * txa - 1, n1, n1, pr);
            }
            for (int e = 0; e < len; e++) {
                const float x0 = p[e], x1 = p[len + e], x2 = p[2 * len + e];
                const float x3 = p[3 * len + e], x4 = p[4 * len + e], x5 = p[5 * len + e];
                q[e] = 4 * x0 - 5 * x2 + x4;
                q[len + e] = (x3 + x4) - 4 * (x1 + x2);
                q[2 * len + e] = (x4 - x3) + 4 * (x1 - x2);
                q[3 * len + e] = (x4 - x2) + 2 * (x3 - x1);
                q[4 * len + e] = (x4 - x2) - 2 * (x3 - x1);
                q[5 * len + e] = 4 * x1 - 5 * x3 + x5;
            }
            for (int k = 0; k < 6; k++) {
                const float *a = q + k * len, *b = a + n1, *cc = a + 2 * n1, *d = a + 3 * n1;
                float *restrict o = v + 6 * k * ps + (ptrdiff_t)c * g->stride + j;
                float *restrict o1 = o + ps, *restrict o2 = o1 + ps, *restrict o3 = o2 + ps;
                float *restrict o4 = o3 + ps, *restrict o5 = o4 + ps;
                for (int i = 0; i < n; i++) {
                    const float x0 = a[i], x1 = b[i], x2 = cc[i], x3 = d[i], x4 = a[i + 1], x5 = b[i + 1];
                    o[i] = 4 * x0 - 5 * x2 + x4;
                    o1[i] = (x3 + x4) - 4 * (x1 + x2);
                    o2[i] = (x4 - x3) + 4 * (x1 - x2);
                    o3[i] = (x4 - x2) + 2 * (x3 - x1);
                    o4[i] = (x4 - x2) - 2 * (x3 - x1);
                    o5[i] = 4 * x1 - 5 * x3 + x5;
                }
            }
        })
    }
}

/* m0 … m5: rows 0 … 5 of column `col` of the 6×6 tiles whose (0, 0) entries start at `m`. */
#define COLUMN_OF_M(m, col, ps)                                                                    \
    const float *m0 = (m) + (col) * (ps), *m1 = m0 + 6 * (ps), *m2 = m1 + 6 * (ps);               \
    const float *m3 = m2 + 6 * (ps), *m4 = m3 + 6 * (ps), *m5 = m4 + 6 * (ps)

/* Scratch: s (4 rows · 6 cols) · tiles_wide and lin 4 · tiles_wide. */
INLINE void output_body(const stylize_winograd_chunk *g, int channels, int c0, int c1, const float *mm,
                        const float *bias, int relu, float *out, float *restrict s, float *restrict lin) {
    CHUNK_SIZES(g, channels);
    for (int c = c0; c < c1; c++) {
        float *plane = out + (ptrdiff_t)c * h * w;
        FOR_EACH_RUN(g, {
            const float *m = mm + (ptrdiff_t)c * g->stride + j;
            for (int col = 0; col < 6; col++) {
                COLUMN_OF_M(m, col, ps);
                float *s0 = s + col * tw, *s1 = s0 + 6 * tw, *s2 = s1 + 6 * tw, *s3 = s2 + 6 * tw;
                for (int i = 0; i < n; i++) {
                    const float a = m1[i] + m2[i], b = m1[i] - m2[i], e = m3[i] + m4[i], d = m3[i] - m4[i];
                    s0[i] = m0[i] + a + e; s1[i] = b + 2 * d; s2[i] = a + 4 * e; s3[i] = b + 8 * d + m5[i];
                }
            }
            for (int r = 0; r < 4; r++) {
                const int y = 4 * ty + r;
                if (y >= h) break;
                const float *x0 = s + 6 * r * tw, *x1 = x0 + tw, *x2 = x1 + tw, *x3 = x2 + tw, *x4 = x3 + tw,
                            *x5 = x4 + tw;
                for (int i = 0; i < n; i++) {
                    const float a = x1[i] + x2[i], b = x1[i] - x2[i], e = x3[i] + x4[i], d = x3[i] - x4[i];
                    lin[4 * i] = x0[i] + a + e; lin[4 * i + 1] = b + 2 * d;
                    lin[4 * i + 2] = a + 4 * e; lin[4 * i + 3] = b + 8 * d + x5[i];
                }
                float *restrict dst = plane + (ptrdiff_t)y * w + 4 * txa;
                const float bv = bias[c];
                const int last = MIN(4 * n, w - 4 * txa);
                if (relu) {
                    for (int e = 0; e < last; e++) { const float t = lin[e] + bv; dst[e] = 0 >= t ? 0 : t; }
                } else {
                    for (int e = 0; e < last; e++) dst[e] = lin[e] + bv;
                }
            }
        })
    }
}

/* Scratch: p (4 rows · 4 phases) · tiles_wide and q (6 rows · 4 phases) · tiles_wide. */
INLINE void gradient_body(const stylize_winograd_chunk *g, int channels, int c0, int c1, const float *input,
                          float *v, float *restrict p, float *restrict q) {
    CHUNK_SIZES(g, channels);
    for (int c = c0; c < c1; c++) {
        const float *plane = input + (ptrdiff_t)c * h * w;
        FOR_EACH_RUN(g, {
            const int len = 4 * n;
            for (int r = 0; r < 4; r++) {
                const int y = 4 * ty + r;
                float *pr = p + r * len;
                if (y >= h) { memset(pr, 0, sizeof(float) * (size_t)len); continue; }
                load_phases(plane + (ptrdiff_t)y * w, w, 4 * txa, n, n, pr);
            }
            for (int e = 0; e < len; e++) {
                const float z0 = p[e], z1 = p[len + e], z2 = p[2 * len + e], z3 = p[3 * len + e];
                const float a = z0 + z2, b = z1 + z3, gg = z0 + 4 * z2, d = 2 * z1 + 8 * z3;
                q[e] = z0; q[len + e] = a + b; q[2 * len + e] = a - b;
                q[3 * len + e] = gg + d; q[4 * len + e] = gg - d; q[5 * len + e] = z3;
            }
            for (int k = 0; k < 6; k++) {
                const float *z0 = q + k * len, *z1 = z0 + n, *z2 = z1 + n, *z3 = z2 + n;
                float *restrict o = v + 6 * k * ps + (ptrdiff_t)c * g->stride + j;
                float *restrict o1 = o + ps, *restrict o2 = o1 + ps, *restrict o3 = o2 + ps;
                float *restrict o4 = o3 + ps, *restrict o5 = o4 + ps;
                for (int i = 0; i < n; i++) {
                    const float a = z0[i] + z2[i], b = z1[i] + z3[i], gg = z0[i] + 4 * z2[i], d = 2 * z1[i] + 8 * z3[i];
                    o[i] = z0[i]; o1[i] = a + b; o2[i] = a - b; o3[i] = gg + d; o4[i] = gg - d; o5[i] = z3[i];
                }
            }
        })
    }
}

/* Scratch: s (6 rows · 6 cols) · tiles_wide, d 6 · tiles_wide and lin 4 · tiles_wide + 2. */
INLINE void scatter_body(const stylize_winograd_chunk *g, int channels, int c0, int c1, const float *mm,
                         float *out, float *restrict s, float *restrict d, float *restrict lin) {
    CHUNK_SIZES(g, channels);
    for (int c = c0; c < c1; c++) {
        float *plane = out + (ptrdiff_t)c * h * w;
        FOR_EACH_RUN(g, {
            const float *m = mm + (ptrdiff_t)c * g->stride + j;
            for (int col = 0; col < 6; col++) {
                COLUMN_OF_M(m, col, ps);
                float *s0 = s + col * tw, *s1 = s0 + 6 * tw, *s2 = s1 + 6 * tw;
                float *s3 = s2 + 6 * tw, *s4 = s3 + 6 * tw, *s5 = s4 + 6 * tw;
                for (int i = 0; i < n; i++) {
                    const float a = m1[i] - m2[i], b = m3[i] - m4[i], sp = m1[i] + m2[i], sq = m3[i] + m4[i];
                    s0[i] = 4 * m0[i]; s1[i] = 4 * (m5[i] - a) - 2 * b; s2[i] = -5 * m0[i] - 4 * sp - sq;
                    s3[i] = a + 2 * b - 5 * m5[i]; s4[i] = m0[i] + sp + sq; s5[i] = m5[i];
                }
            }
            for (int r = 0; r < 6; r++) {
                const int y = 4 * ty - 1 + r;
                if (y < 0 || y >= h) continue;
                const float *x0 = s + 6 * r * tw, *x1 = x0 + tw, *x2 = x1 + tw, *x3 = x2 + tw, *x4 = x3 + tw,
                            *x5 = x4 + tw;
                float *d0 = d, *d1 = d + tw, *d2 = d1 + tw, *d3 = d2 + tw, *d4 = d3 + tw, *d5 = d4 + tw;
                for (int i = 0; i < n; i++) {
                    const float a = x1[i] - x2[i], b = x3[i] - x4[i], sp = x1[i] + x2[i], sq = x3[i] + x4[i];
                    d0[i] = 4 * x0[i]; d1[i] = 4 * (x5[i] - a) - 2 * b; d2[i] = -5 * x0[i] - 4 * sp - sq;
                    d3[i] = a + 2 * b - 5 * x5[i]; d4[i] = x0[i] + sp + sq; d5[i] = x5[i];
                }
                /* columns 4, 5 of tile i are columns 0, 1 of tile i + 1 */
                for (int i = 1; i < n; i++) { d0[i] += d4[i - 1]; d1[i] += d5[i - 1]; }
                for (int i = 0; i < n; i++) {
                    lin[4 * i] = d0[i]; lin[4 * i + 1] = d1[i]; lin[4 * i + 2] = d2[i]; lin[4 * i + 3] = d3[i];
                }
                lin[4 * n] = d4[n - 1]; lin[4 * n + 1] = d5[n - 1];
                const int x = 4 * txa - 1, len = 4 * n + 2;
                const int lo = MAX(0, -x), hi = MIN(len, w - x);
                float *restrict row = plane + (ptrdiff_t)y * w + x;
                for (int e = lo; e < hi; e++) row[e] += lin[e];
            }
        })
    }
}

/* One function per body and kind; the bodies are inlined, so each is vectorized for its kind. */
#define KINDS(NAME, PARAMS, ARGS)                                                                  \
    static void NAME##_base PARAMS { NAME##_body ARGS; }                                            \
    KIND_X86(NAME, PARAMS, ARGS)

#if defined(__x86_64__) || defined(__i386__)
#define KIND_X86(NAME, PARAMS, ARGS)                                                               \
    __attribute__((target("avx2"))) static void NAME##_avx2 PARAMS { NAME##_body ARGS; }           \
    __attribute__((target("avx512f"))) static void NAME##_avx512 PARAMS { NAME##_body ARGS; }
#define DISPATCH(NAME, ARGS)                                                                       \
    switch (kind) {                                                                                \
    case 2: NAME##_avx512 ARGS; break;                                                             \
    case 1: NAME##_avx2 ARGS; break;                                                               \
    default: NAME##_base ARGS;                                                                     \
    }

int stylize_winograd_kind(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2")) return 1;
    return 0;
}
#else
#define KIND_X86(NAME, PARAMS, ARGS)
#define DISPATCH(NAME, ARGS) (void)kind; NAME##_base ARGS;

int stylize_winograd_kind(void) { return 0; }
#endif

#define G const stylize_winograd_chunk *g, int channels, int c0, int c1
KINDS(input, (G, const float *input, float *v, float *p, float *q), (g, channels, c0, c1, input, v, p, q))
KINDS(output, (G, const float *m, const float *bias, int relu, float *out, float *s, float *lin),
      (g, channels, c0, c1, m, bias, relu, out, s, lin))
KINDS(gradient, (G, const float *input, float *v, float *p, float *q), (g, channels, c0, c1, input, v, p, q))
KINDS(scatter, (G, const float *m, float *out, float *s, float *d, float *lin), (g, channels, c0, c1, m, out, s, d, lin))

int stylize_winograd_input(int kind, G, const float *input, float *v) {
    const size_t each = 24 * ((size_t)g->tiles_wide + 1);
    float *p = malloc(sizeof(float) * 2 * each);
    if (!p) return -1;
    DISPATCH(input, (g, channels, c0, c1, input, v, p, p + each))
    free(p);
    return 0;
}

int stylize_winograd_output(int kind, G, const float *m, const float *bias, int relu, float *out) {
    const size_t tw = (size_t)g->tiles_wide;
    float *s = malloc(sizeof(float) * 28 * tw);
    if (!s) return -1;
    DISPATCH(output, (g, channels, c0, c1, m, bias, relu, out, s, s + 24 * tw))
    free(s);
    return 0;
}

int stylize_winograd_gradient(int kind, G, const float *input, float *v) {
    const size_t tw = (size_t)g->tiles_wide;
    float *p = malloc(sizeof(float) * 40 * tw);
    if (!p) return -1;
    DISPATCH(gradient, (g, channels, c0, c1, input, v, p, p + 16 * tw))
    free(p);
    return 0;
}

int stylize_winograd_scatter(int kind, G, const float *m, float *out) {
    const size_t tw = (size_t)g->tiles_wide;
    float *s = malloc(sizeof(float) * (46 * tw + 2));
    if (!s) return -1;
    DISPATCH(scatter, (g, channels, c0, c1, m, out, s, s + 36 * tw, s + 42 * tw))
    free(s);
    return 0;
}
#undef G
