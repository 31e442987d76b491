#ifndef STYLIZE_WINOGRAD_H
#define STYLIZE_WINOGRAD_H

#include <stddef.h>

/* The four tile transforms of Winograd F(4×4, 3×3) (StylizeKernels/Conv3x3+Winograd4.swift is
 * the only caller), compiled for AVX-512F, for AVX2 and for the baseline instruction set and
 * chosen at run time. Each is the Swift reference of the same name in
 * StylizeKernels/Conv3x3+Winograd4Transforms.swift, operation for operation: the same
 * additions and multiplications in the same order and nothing fused (this file is compiled
 * with contraction off), so every kind gives the reference's bits; only the vector width
 * differs. Those Swift functions document the index equations; here:
 *
 *   input:    V[ξ][c, j + i]  = (Bᵀ d B)[ξ], d the 6×6 patch of input channel c at
 *             (4·ty − 1, 4·(txa + i) − 1), zero outside the image;
 *   output:   out[c, 4·ty + a, 4·(txa + i) + b] = (Aᵀ m A)[a, b] + bias[c] (then max(·, 0)
 *             when relu), m[ξ] = M[ξ][c, j + i], edge tiles clipped;
 *   gradient: V[ξ][c, j + i]  = (A dY Aᵀ)[ξ], dY the 4×4 tile of channel c at (4·ty, 4·(txa + i));
 *   scatter:  out[c, 4·ty − 1 + a, 4·(txa + i) − 1 + b] += (B m Bᵀ)[a, b] inside the image.
 *
 * for the tiles first_tile ..< first_tile + count of the row-major tile grid (tile t at
 * ty = t / tiles_wide, tx = t % tiles_wide, column j = t − first_tile of the chunk), and the
 * channels c0 ..< c1 of `channels`. Planes: images are (channels, height, width); V and M are
 * (36, channels, stride), plane ξ at ξ·(channels·stride + plane_pad). Scratch is malloc'd per call. */

typedef struct {
    int height, width, tiles_wide; /* the image and its ⌈width/4⌉ tile columns */
    int first_tile, count;         /* the chunk's tiles */
    ptrdiff_t stride;              /* floats per channel row of a V / M plane (≥ count) */
    ptrdiff_t plane_pad;           /* plane ξ + 1 starts channels·stride + plane_pad after plane ξ */
} stylize_winograd_chunk;

/** 2 for AVX-512F, 1 for AVX2, 0 for the baseline: the widest this CPU and its OS can run. */
int stylize_winograd_kind(void);

/** Each returns 0, or −1 when its scratch could not be allocated (nothing written then). */
int stylize_winograd_input(int kind, const stylize_winograd_chunk *g, int channels, int c0, int c1,
                           const float *input, float *v);
int stylize_winograd_output(int kind, const stylize_winograd_chunk *g, int channels, int c0, int c1,
                            const float *m, const float *bias, int relu, float *out);
int stylize_winograd_gradient(int kind, const stylize_winograd_chunk *g, int channels, int c0, int c1,
                              const float *input, float *v);
int stylize_winograd_scatter(int kind, const stylize_winograd_chunk *g, int channels, int c0, int c1,
                             const float *m, float *out);

#endif
