#ifndef STYLIZE_RELU_H
#define STYLIZE_RELU_H

#include <stdint.h>

/* ReLU masks kept as bits (StylizeKernels/ReLU.swift's ReLUMask is the only caller, and its
 * Swift loops are the reference): bit j of words[k] is set when a[64·k + j] > 0 (a NaN
 * clears it). Compiled for AVX-512F, for AVX2 and for the baseline and chosen by `kind`
 * (stylize_winograd_kind()'s 2, 1, 0); every kind gives the same bits, since a comparison and
 * a select are exact. Each call covers the words k0 ..< k1 of an n-float activation (the
 * last word may be partial), so a parallel loop hands out word ranges. */

/** words[k] for k0 ≤ k < k1, from the activation a (n floats). */
void stylize_relu_mask_record(int kind, const float *a, long n, long k0, long k1, uint64_t *words);

/** g[i] = +0 where bit i of words is clear, for 64·k0 ≤ i < min(n, 64·k1); the rest of g is kept. */
void stylize_relu_mask_apply(int kind, const uint64_t *words, long n, long k0, long k1, float *g);

#endif
