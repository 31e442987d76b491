/* stylize's matrix products (stylize_gemm.h, SGEMM's contract): register-blocked kernels for
 * AVX-512F and for AVX2 with FMA, chosen once at run time, so one x86-64 binary runs the widest
 * kernel each CPU has; StylizeKernels' GEMMKernel.swift times them against OpenBLAS and keeps
 * whichever is faster. Written first for the Winograd-domain products: each of the 36 of a
 * tile chunk is small (64…512 channels by a few hundred tiles), OpenBLAS packs both operands
 * on every call and zeroes C first, and its AVX-512 kernels lose to its own AVX2 kernels on
 * these flat shapes on AMD (docs/EXPERIMENTS.md). Here a row-major B is read in place (a
 * transposed one is packed KC × NB at a time), and A is packed MR × KC at a time, scaled by
 * alpha on the way, unless it was packed once beforehand (stylize_gemm_pack: Winograd's
 * weights, used by every product of a layer) or is transposed with alpha 1 (its MR values for
 * one term are then contiguous and are read in place) or is B itself in a Gram matrix
 * (F · Fᵀ: its rows are then read from B's packed block); beta is applied to C before the terms
 * are added.
 *
 * Blocking (the same for both kernels):
 *   for each block of NB = 768 columns of C:
 *     for each block of KC = 128 terms p:         the first block overwrites C (beta == 0)
 *       (transB: pack B's KC × NB block)
 *       for each MR rows of C:                    A's MR × KC block packed contiguously
 *         for each NR columns:                    MR × NR sums in registers over the KC terms
 *       (with A packed once and at most 256 KB, the AVX2 kernel swaps these two loops:
 *        PANELS_OUTER)
 * Rows left over (m not a multiple of MR) use the same kernel compiled for fewer rows; columns
 * left over use masked loads and stores. */
#include "stylize_gemm.h"

#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

enum { KC = 128, NB = 768 };

/* A transposed B's KC × NB block is packed with its rows LDT floats apart, not NB: rows 3 KB
 * apart fall in 4 of L1's 64 sets, so a 16-column panel (128 rows) could not stay in L1
 * while each row panel of A reads it; 784 floats apart they fall in all 64 (odd multiples of
 * 64 B). AHEAD: the packing transposes ask for each row's next block (KC floats on) while they
 * read this one; the rows are far apart (a layer's positions), which the hardware prefetcher
 * does not follow in time. Measured on the 2-core AVX2 EPYC (Zen 3), one thread, a Gram
 * matrix of 64 channels by 512² positions in two column halves: 63–69 ms before, 47 ms with
 * the transposes, 39 ms with AHEAD, 37 ms with LDT; 512 channels by 64² positions 25 → 22 →
 * 22 → 18.5 ms (docs/EXPERIMENTS.md, *A 2-core AVX2 EPYC (Zen 3), the Gram matrices' packing
 * and the Winograd planes' rows*). */
enum { LDT = NB + 16, AHEAD = KC };

/* A long-strided B (a style gradient's F) copied into panels: each row's copy asks for the
 * same row PANEL_AHEAD floats on (256 B), as the hardware does not follow 64 rows 1 MB apart
 * in time. One thread on the AVX2 EPYC, the five style gradients at 512²: 138–150 ms before,
 * 122 ms after (docs/EXPERIMENTS.md, as above). */
enum { PANEL_AHEAD = 64 };

/* The micro-kernels (AVX-512F: MR = 8, NR = 48; AVX2 + FMA: MR = 6, NR = 16) and the packing. */
#include "sgemm_micro.h"
#include "sgemm_pack.h"

/* ---- the driver, shared ---- */

/* C[i, j − j0] (+)= Σ_p (alpha · A(i, p)) · B(p, j) for the block of columns j0 ..< j1 (at most
 * NB; c points at the block's first column): added to C's values when `add`, else over them;
 * bbuf holds KC × LDT floats for packing B when transB, or, for a row-major B, NULL to read it
 * in place or a buffer to copy it into first (b_panels). A's MR × KC blocks come from `packed`
 * (stylize_gemm_pack's layout, alpha 1) when it is not NULL; a transposed A with alpha 1 is
 * read in place (its MR values for one p are contiguous); otherwise each block is packed
 * here. The sums are the same, term by term, in every case. */
/* PANELS_OUTER: with A packed once beforehand (the Winograd products: A is a layer's
 * transformed weights, B a tile chunk's V plane read in place), loop over B's NR-column panels
 * outside and A's MR-row panels inside, as BLIS does: a KC × NR panel of B (8 KB for the AVX2
 * kernel) then stays in L1 while the packed A streams from L2, 6 floats a term instead of 16.
 * Each element of C gets the same terms in the same order, so the same bits. On the 2-core
 * AVX2 EPYC (Zen 3), one thread, the 36 products of a 256-tile chunk (M × K = channels
 * produced × summed), old and new taking turns in one process, best of 60, three processes:
 * 64 × 64 0.85 → 0.82 ms, 128 × 64 1.81–1.94 → 1.66–1.77, 64 × 128 1.98–2.04 → 1.91–1.98,
 * 128 × 128 3.84–3.92 → 3.69–3.76, 256 × 128 7.13–7.25 → 6.87–6.89, 256 × 256 14.3–14.4 →
 * 13.7–14.0 ms, 128 × 256 7.74–7.92 → 7.30–7.51 (docs/EXPERIMENTS.md, *B's panels outside,
 * and four levers that did not pay*).
 * Only where the packed A holds at most PANELS_OUTER_FLOATS (256 KB, half of Zen 3's L2),
 * since it is read again for every panel of B: 512 × 256 and 512 × 512 took 0.3–0.5 % longer,
 * 256 × 512 1–2 %. Not measured with the AVX-512 kernel, whose B panel (KC × 48, 24 KB) would
 * fill most of a 32 KB L1, so it keeps the loop order it had. */
enum { PANELS_OUTER_FLOATS = 1 << 16 };
#define DRIVER(NAME, ATTR, MR, NR, ROWS, PANELS_OUTER)                                             \
    ATTR static void NAME(int transA, int transB, int m, int j0, int j1, int k, float alpha,        \
                          const float *a, ptrdiff_t lda, const float *packed, const float *b,       \
                          ptrdiff_t ldb, float *c, ptrdiff_t ldc, int add, float *bbuf) {           \
        float ap[KC * MR + 8] __attribute__((aligned(64)));                                        \
        /* A Gram matrix's block (F · Fᵀ, or a strip of it): A's rows are B's first columns */     \
        const int gram = !packed && transB && !transA && alpha == 1.0f && a == b && lda == ldb &&   \
                         j0 == 0 && m <= j1;                                                        \
        const ptrdiff_t mp = (ptrdiff_t)(m + MR - 1) / MR * MR;                                     \
        for (int p0 = 0; p0 < k; p0 += KC) {                                                        \
            int kc = p0 + KC < k ? KC : k - p0;                                                     \
            const float *bb;                                                                        \
            ptrdiff_t ldbb;                                                                         \
            if (transB) {                                                                           \
                pack_bt(b, ldb, p0, j0, j1 - j0, kc, bbuf);                                         \
                bb = bbuf;                                                                          \
                ldbb = LDT;                                                                         \
            } else if (bbuf) {                                                                      \
                /* a long-strided B: its kc × (j1 − j0) block copied as NR-wide panels, panel q   \
                 * at bbuf + q·kc·NR with rows NR apart (see b_panels) */                           \
                for (int q0 = 0; q0 < j1 - j0; q0 += NR) {                                          \
                    int w = j1 - j0 - q0 < NR ? j1 - j0 - q0 : NR;                                  \
                    float *panel = bbuf + (ptrdiff_t)(q0 / NR) * kc * NR;                           \
                    for (int p = 0; p < kc; p++) {                                                  \
                        _mm_prefetch((const char *)(b + (ptrdiff_t)(p0 + p) * ldb + j0 + q0 + PANEL_AHEAD), \
                                     _MM_HINT_T0);                                                  \
                        if (w == NR) /* a constant size: inlined as vector moves */                 \
                            memcpy(panel + p * NR, b + (ptrdiff_t)(p0 + p) * ldb + j0 + q0, sizeof(float) * NR); \
                        else                                                                        \
                            memcpy(panel + p * NR, b + (ptrdiff_t)(p0 + p) * ldb + j0 + q0, sizeof(float) * (size_t)w); \
                    }                                                                               \
                }                                                                                   \
                bb = bbuf;                                                                          \
                ldbb = NR;                                                                          \
            } else {                                                                                \
                bb = b + (ptrdiff_t)p0 * ldb + j0;                                                  \
                ldbb = ldb;                                                                         \
            }                                                                                       \
            if (packed && !bbuf && PANELS_OUTER && mp * k <= PANELS_OUTER_FLOATS) {             \
                /* each NR-column panel of B (read in place) stays in L1 while every MR-row     \
                 * panel of A, packed once, streams past it (see PANELS_OUTER) */                  \
                for (int j = j0; j < j1; j += NR) {                                                 \
                    int cols = j1 - j < NR ? j1 - j : NR;                                           \
                    for (int i0 = 0; i0 < m; i0 += MR) {                                            \
                        int rows = m - i0 < MR ? m - i0 : MR;                                       \
                        ROWS(rows, kc, packed + (ptrdiff_t)p0 * mp + (ptrdiff_t)i0 * kc, MR,        \
                             bb + (j - j0), ldbb, c + (ptrdiff_t)i0 * ldc + (j - j0), ldc, cols,    \
                             add || p0 > 0);                                                        \
                    }                                                                               \
                }                                                                                   \
                continue;                                                                           \
            }                                                                                       \
            for (int i0 = 0; i0 < m; i0 += MR) {                                                    \
                int rows = m - i0 < MR ? m - i0 : MR;                                               \
                const float *pa = ap;                                                               \
                ptrdiff_t as = MR;                                                                  \
                if (packed) {                                                                       \
                    pa = packed + (ptrdiff_t)p0 * mp + (ptrdiff_t)i0 * kc;                          \
                } else if (gram) {                                                                  \
                    /* A(i0 + r, p0 + p) = B(p0 + p, i0 + r), already in bbuf */                    \
                    pa = bbuf + i0;                                                                 \
                    as = LDT;                                                                       \
                } else if (transA && alpha == 1.0f) {                                               \
                    /* A(i0 + r, p0 + p) = a[(p0 + p)·lda + i0 + r] */                              \
                    pa = a + (ptrdiff_t)p0 * lda + i0;                                              \
                    as = lda;                                                                       \
                } else if (transA) {                                                                \
                    /* ap[p·MR + r] = alpha · A(i0 + r, p0 + p) */                                  \
                    for (int p = 0; p < kc; p++) {                                                  \
                        const float *ap0 = a + (ptrdiff_t)(p0 + p) * lda + i0;                      \
                        for (int r = 0; r < rows; r++) ap[p * MR + r] = alpha * ap0[r];             \
                    }                                                                               \
                } else {                                                                            \
                    pack_a(a, lda, i0, p0, rows, MR, kc, alpha, ap);                                \
                }                                                                                   \
                for (int j = j0; j < j1; j += NR) {                                                 \
                    int cols = j1 - j < NR ? j1 - j : NR;                                           \
                    const float *bj = !transB && bbuf ? bb + (ptrdiff_t)((j - j0) / NR) * kc * NR : bb + (j - j0); \
                    ROWS(rows, kc, pa, as, bj, ldbb, c + (ptrdiff_t)i0 * ldc + (j - j0), ldc,        \
                         cols, add || p0 > 0);                                                      \
                }                                                                                   \
            }                                                                                       \
        }                                                                                           \
    }

DRIVER(gemm512, T512, 8, 48, rows512, 0)
DRIVER(gemm256, T256, 6, 16, rows256, 1)

static int panel_rows(int kind) { return kind >= 2 ? 8 : 6; }

/* Whether stylize_gemm copies a row-major B's KC × NB blocks into NR-wide panels before use: when
 * its rows are far apart (a style gradient's F, a row of H·W floats) and several row panels of
 * A will read each block. Rows a multiple of 4 KB apart (every 512 px layer) all fall in one
 * L1 set, so reading a column block in place missed L1 on every row: the AVX2 kernel ran a
 * 64 × 4096 × 64 style gradient at 50 GFLOP/s with 16 KB between rows and 86 with 16.06 KB
 * (2-core EPYC, docs/EXPERIMENTS.md, *The transforms in C*). The same terms in the same order,
 * so the same bits. */
static int b_panels(int kind, int m, ptrdiff_t ldb) { return m > panel_rows(kind) && ldb >= 1024; }

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
    const int pack = transB || b_panels(kind, m, ldb);
    float *bbuf = pack ? malloc(sizeof(float) * KC * LDT) : NULL;
    if (pack && !bbuf) abort(); /* 392 KB */
    for (int j0 = 0; j0 < n; j0 += NB) {
        int j1 = j0 + NB < n ? j0 + NB : n;
        if (kind >= 2) gemm512(transA, transB, m, j0, j1, k, alpha, a, lda, NULL, b, ldb, c + j0, ldc, add, bbuf);
        else gemm256(transA, transB, m, j0, j1, k, alpha, a, lda, NULL, b, ldb, c + j0, ldc, add, bbuf);
    }
    free(bbuf);
}

size_t stylize_gemm_packed_floats(int kind, int m, int k) {
    int mr = panel_rows(kind);
    return m <= 0 || k <= 0 ? 0 : (size_t)((m + mr - 1) / mr * mr) * (size_t)k;
}

void stylize_gemm_pack(int kind, int transA, int m, int k, const float *a, ptrdiff_t lda, float *packed) {
    const ptrdiff_t mr = panel_rows(kind), mp = (ptrdiff_t)(m + mr - 1) / mr * mr;
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = p0 + KC < k ? KC : k - p0;
        for (int i0 = 0; i0 < m; i0 += (int)mr) {
            /* packed[p0·mp + i0·kc + p·MR + r] = A(i0 + r, p0 + p), 0 past the last row */
            float *panel = packed + (ptrdiff_t)p0 * mp + (ptrdiff_t)i0 * kc;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr; r++) {
                    ptrdiff_t at = transA ? (ptrdiff_t)(p0 + p) * lda + i0 + r : (ptrdiff_t)(i0 + r) * lda + p0 + p;
                    panel[p * mr + r] = i0 + r < m ? a[at] : 0.0f;
                }
            }
        }
    }
}

void stylize_gemm_unpack(int kind, int m, int k, const float *packed, float *a, ptrdiff_t lda) {
    const ptrdiff_t mr = panel_rows(kind), mp = (ptrdiff_t)(m + mr - 1) / mr * mr;
    for (int p0 = 0; p0 < k; p0 += KC) {
        int kc = p0 + KC < k ? KC : k - p0;
        for (int i0 = 0; i0 < m; i0 += (int)mr) {
            const float *panel = packed + (ptrdiff_t)p0 * mp + (ptrdiff_t)i0 * kc;
            for (int p = 0; p < kc; p++) {
                for (int r = 0; r < mr && i0 + r < m; r++) a[(ptrdiff_t)(i0 + r) * lda + p0 + p] = panel[p * mr + r];
            }
        }
    }
}

void stylize_gemm_prepacked(int kind, int m, int n, int k, const float *packed, const float *b, ptrdiff_t ldb,
                            int add, float *c, ptrdiff_t ldc) {
    if (m <= 0 || n <= 0 || k <= 0) return;
    for (int j0 = 0; j0 < n; j0 += NB) {
        int j1 = j0 + NB < n ? j0 + NB : n;
        if (kind >= 2) gemm512(0, 0, m, j0, j1, k, 1.0f, NULL, 0, packed, b, ldb, c + j0, ldc, add, NULL);
        else gemm256(0, 0, m, j0, j1, k, 1.0f, NULL, 0, packed, b, ldb, c + j0, ldc, add, NULL);
    }
}

#else /* not x86: no kernels here; BLAS.sgemm uses OpenBLAS */

void stylize_gemm(int kind, int transA, int transB, int m, int n, int k, float alpha,
                  const float *a, ptrdiff_t lda, const float *b, ptrdiff_t ldb,
                  float beta, float *c, ptrdiff_t ldc) {
    (void)kind; (void)transA; (void)transB; (void)m; (void)n; (void)k; (void)alpha; (void)a; (void)lda;
    (void)b; (void)ldb; (void)beta; (void)c; (void)ldc;
}

int stylize_gemm_kind(void) { return 0; }

size_t stylize_gemm_packed_floats(int kind, int m, int k) { (void)kind; (void)m; (void)k; return 0; }

void stylize_gemm_pack(int kind, int transA, int m, int k, const float *a, ptrdiff_t lda, float *packed) {
    (void)kind; (void)transA; (void)m; (void)k; (void)a; (void)lda; (void)packed;
}

void stylize_gemm_unpack(int kind, int m, int k, const float *packed, float *a, ptrdiff_t lda) {
    (void)kind; (void)m; (void)k; (void)packed; (void)a; (void)lda;
}

void stylize_gemm_prepacked(int kind, int m, int n, int k, const float *packed, const float *b, ptrdiff_t ldb,
                            int add, float *c, ptrdiff_t ldc) {
    (void)kind; (void)m; (void)n; (void)k; (void)packed; (void)b; (void)ldb; (void)add; (void)c; (void)ldc;
}

#endif

#if defined(__x86_64__) || defined(__i386__)
int stylize_gemm_kind(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f")) return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
    return 0;
}
#endif
