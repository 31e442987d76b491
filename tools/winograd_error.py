#!/usr/bin/env python3
"""Float32 error of Winograd F(m×m, 3×3) against exact convolution, on VGG-like data (issue 20:
is F(6×6, 3×3) accurate enough to replace F(4×4, 3×3)?). numpy only:

    python3 tools/winograd_error.py

Builds Aᵀ, G and Bᵀ by the Toom-Cook construction from interpolation points (F(4×4): 0, ±1,
±2 and ∞, the points of Conv3x3+Winograd4.swift; F(6×6): 0, ±1, ±2, ±1/2 and ∞), checks the
1-D identity in float64, then computes one layer's output tiles in float32 (U from float64
kernels rounded once, as Winograd4.init does; V, the channel sums and Aᵀ·M·A in float32) and
prints max |fast − exact| / max |exact| for non-negative (ReLU) inputs and for signed ones
(gradients), with C input channels and He-initialized 3×3 kernels.
"""
from fractions import Fraction

import numpy as np


def matrices(points, m, r=3):
    n = m + r - 1
    a = [Fraction(p) for p in points]
    at = np.zeros((m, n))
    g = np.zeros((n, r))
    for i in range(m):
        for j in range(n - 1):
            at[i, j] = float(a[j] ** i)
    at[m - 1, n - 1] = 1
    for j in range(n - 1):
        den = Fraction(1)
        for l in range(n - 1):
            if l != j:
                den *= a[j] - a[l]
        for k in range(r):
            g[j, k] = float(a[j] ** k / den)
    g[n - 1, r - 1] = 1
    # Bᵀ from Σ_j Aᵀ[i, j]·G[j, k]·Bᵀ[j, s] = [s = i + k] for all i, k, s (exactly solvable)
    rows, rhs = [], []
    for i in range(m):
        for k in range(r):
            for s in range(n):
                row = np.zeros((n, n))
                row[:, s] = at[i, :] * g[:, k]
                rows.append(row.ravel())
                rhs.append(1.0 if s == i + k else 0.0)
    bt = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0].reshape(n, n)
    return at, g, np.round(bt * 8) / 8  # the entries are multiples of 1/8 or finer integers


def identity_error(at, g, bt, m, r=3):
    rng = np.random.default_rng(1)
    d, k = rng.random(m + r - 1), rng.random(r)
    exact = np.array([d[i:i + r] @ k for i in range(m)])
    return np.abs(at @ ((g @ k) * (bt @ d)) - exact).max()


def layer_error(at, g, bt, m, signed, channels=512, out_channels=8, tiles=150, seed=0):
    rng = np.random.default_rng(seed)
    n = m + 2
    d = rng.normal(0, 1, (channels, tiles, n, n)) if signed else rng.random((channels, tiles, n, n)) * 40
    w = rng.normal(0, np.sqrt(2 / (9 * channels)), (out_channels, channels, 3, 3))
    exact = np.zeros((out_channels, tiles, m, m))
    for y in range(m):
        for x in range(m):
            exact[:, :, y, x] = np.einsum("ockl,ctkl->ot", w, d[:, :, y:y + 3, x:x + 3])
    f = np.float32
    u = np.einsum("ik,ockl,jl->ocij", g, w, g).astype(f)
    v = np.einsum("ik,ctkl,jl->ctij", bt.astype(f), d.astype(f), bt.astype(f)).astype(f)
    mm = np.einsum("ocij,ctij->otij", u, v).astype(f)
    y = np.einsum("ik,otkl,jl->otij", at.astype(f), mm, at.astype(f)).astype(f)
    return np.abs(y.astype(np.float64) - exact).max() / np.abs(exact).max()


if __name__ == "__main__":
    for name, points, m in (("F(4x4, 3x3)", [0, 1, -1, 2, -2], 4),
                            ("F(6x6, 3x3)", [0, 1, -1, 2, -2, 0.5, -0.5], 6)):
        at, g, bt = matrices(points, m)
        print(f"{name}: 1-D identity error {identity_error(at, g, bt, m):.1e}; "
              f"relative error, ReLU inputs {layer_error(at, g, bt, m, False):.2e}, "
              f"signed inputs {layer_error(at, g, bt, m, True):.2e}")
