#ifndef STYLIZE_MAXPOOL_H
#define STYLIZE_MAXPOOL_H

#include <stdint.h>

/* 2×2 max pooling with stride 2 that records each window's argmax as one byte
 * (StylizeKernels/Pool2x2.swift's MaxPoolIndices is the only caller, and its Swift loops are
 * the reference). Compiled for AVX-512F, for AVX2 and for the baseline and chosen by `kind`
 * (stylize_winograd_kind()'s 2, 1, 0); every kind gives the same bits, since a comparison and
 * a select are exact. The input is (C, h, w) planes, the output and the indices
 * (C, h/2, w/2); an odd last row or column is dropped. Each call covers the planes
 * c0 ..< c1, so a parallel loop hands out channel ranges. */

/** out = the maximum of each window, idx = its position 0…3 (row-major in the window): the
 * first maximum in that order, as a chain of strict `>` comparisons (a NaN never wins
 * after the first value). */
void stylize_maxpool_forward(int kind, const float *in, long h, long w, long c0, long c1,
                             float *out, uint8_t *idx);

/** gin (C, h, w) = each gradient value g (C, h/2, w/2) at its window's recorded position
 * and +0 everywhere else, a dropped odd row or column included: every value of the planes
 * c0 ..< c1 of gin is written. */
void stylize_maxpool_backward(int kind, const float *g, const uint8_t *idx, long h, long w,
                              long c0, long c1, float *gin);

#endif
