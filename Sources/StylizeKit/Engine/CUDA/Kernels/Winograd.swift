/// The Winograd F(4×4, 3×3) tile transforms of the GPU engine, in CUDA C: the same matrices and
/// layouts as the CPU's (`StylizeKernels/Conv3x3+Winograd4.swift` has the definitions), over
/// the whole tile grid at once. The 36 products between the transforms are one batched cuBLAS
/// call (`GPUWinograd`).
extension CUDAKernelSources {
    static let winograd = (name: "winograd.cu", source: #"""
        // Winograd F(4×4, 3×3) transforms (issue 17); layouts as the CPU engine's Winograd4:
        //   image planes (C, H, W); tiles t = ty·tilesWide + tx over the ⌈H/4⌉ × ⌈W/4⌉ grid;
        //   V and M (36, channels, tiles): element (ξ, c, t) at (ξ·channels + c)·tiles + t,
        //   ξ = 6·row + column of the 6×6 transform.
        // One thread per (channel, tile) or per image value; grid-stride loops.

        extern "C" {

        // Bᵀ · (x0 … x5), the CPU's formulas.
        __device__ void bt6(const float *x, int stride, float *y, int ystride) {
            float x0 = x[0], x1 = x[stride], x2 = x[2 * stride], x3 = x[3 * stride], x4 = x[4 * stride], x5 = x[5 * stride];
            y[0] = 4 * x0 - 5 * x2 + x4;
            y[ystride] = (x3 + x4) - 4 * (x1 + x2);
            y[2 * ystride] = (x4 - x3) + 4 * (x1 - x2);
            y[3 * ystride] = (x4 - x2) + 2 * (x3 - x1);
            y[4 * ystride] = (x4 - x2) - 2 * (x3 - x1);
            y[5 * ystride] = 4 * x1 - 5 * x3 + x5;
        }

        // Forward input transform: V[ξ][c, t] = (Bᵀ d B)[ξ], d the 6×6 patch of channel c at
        // (4·ty − 1, 4·tx − 1), zero outside the image.
        __global__ void winograd_input(const float *in, float *v, int channels, int h, int w, int tilesWide, int tiles) {
            long n = (long)channels * tiles;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int t = (int)(i % tiles), c = (int)(i / tiles);
                int y0 = 4 * (t / tilesWide) - 1, x0 = 4 * (t % tilesWide) - 1;
                const float *plane = in + (long)c * h * w;
                float d[36], q[36], r[36];
                for (int a = 0; a < 6; a++) {
                    for (int b = 0; b < 6; b++) {
                        int y = y0 + a, x = x0 + b;
                        d[6 * a + b] = (y >= 0 && y < h && x >= 0 && x < w) ? plane[(long)y * w + x] : 0.0f;
                    }
                }
                for (int b = 0; b < 6; b++) bt6(d + b, 6, q + b, 6);      // Bᵀ down each column
                for (int a = 0; a < 6; a++) bt6(q + 6 * a, 1, r + 6 * a, 1);  // · B along each row
                for (int xi = 0; xi < 36; xi++) v[((long)xi * channels + c) * tiles + t] = r[xi];
            }
        }

        // Aᵀ · (m0 … m5) → 4 values, the CPU's formulas.
        __device__ void at4(const float *m, int stride, float *s, int sstride) {
            float m0 = m[0], m1 = m[stride], m2 = m[2 * stride], m3 = m[3 * stride], m4 = m[4 * stride], m5 = m[5 * stride];
            float a = m1 + m2, b = m1 - m2, e = m3 + m4, d = m3 - m4;
            s[0] = m0 + a + e;
            s[sstride] = b + 2 * d;
            s[2 * sstride] = a + 4 * e;
            s[3 * sstride] = b + 8 * d + m5;
        }

        // Forward output transform: out[c, 4·ty + a, 4·tx + b] = (Aᵀ m A)[a, b] + bias[c], then
        // max(·, 0) when relu, inside the image.
        __global__ void winograd_output(const float *m, const float *bias, float *out, int channels, int h, int w,
                                        int tilesWide, int tiles, int relu) {
            long n = (long)channels * tiles;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int t = (int)(i % tiles), c = (int)(i / tiles);
                float x[36], s[24], o[16];
                for (int xi = 0; xi < 36; xi++) x[xi] = m[((long)xi * channels + c) * tiles + t];
                for (int b = 0; b < 6; b++) at4(x + b, 6, s + b, 6);      // Aᵀ down each column: s (4×6)
                for (int a = 0; a < 4; a++) at4(s + 6 * a, 1, o + 4 * a, 1);  // · A along each row: o (4×4)
                int y0 = 4 * (t / tilesWide), x0 = 4 * (t % tilesWide);
                float bv = bias[c];
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        int y = y0 + a, xx = x0 + b;
                        if (y < h && xx < w) {
                            float v = o[4 * a + b] + bv;
                            out[((long)c * h + y) * w + xx] = relu && v < 0.0f ? 0.0f : v;
                        }
                    }
                }
            }
        }

        // A · (z0 … z3) → 6 values, the CPU's formulas.
        __device__ void a6(const float *z, int stride, float *q, int qstride) {
            float z0 = z[0], z1 = z[stride], z2 = z[2 * stride], z3 = z[3 * stride];
            float a = z0 + z2, b = z1 + z3, g = z0 + 4 * z2, d = 2 * z1 + 8 * z3;
            q[0] = z0; q[qstride] = a + b; q[2 * qstride] = a - b;
            q[3 * qstride] = g + d; q[4 * qstride] = g - d; q[5 * qstride] = z3;
        }

        // Backward input transform: V'[ξ][o, t] = (A dY Aᵀ)[ξ], dY the 4×4 tile of output-gradient
        // channel o at (4·ty, 4·tx), zero outside the image.
        __global__ void winograd_gradient(const float *g, float *v, int channels, int h, int w, int tilesWide, int tiles) {
            long n = (long)channels * tiles;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int t = (int)(i % tiles), c = (int)(i / tiles);
                int y0 = 4 * (t / tilesWide), x0 = 4 * (t % tilesWide);
                const float *plane = g + (long)c * h * w;
                float z[16], q[24], r[36];
                for (int a = 0; a < 4; a++) {
                    for (int b = 0; b < 4; b++) {
                        int y = y0 + a, x = x0 + b;
                        z[4 * a + b] = (y < h && x < w) ? plane[(long)y * w + x] : 0.0f;
                    }
                }
                for (int b = 0; b < 4; b++) a6(z + b, 4, q + b, 4);       // A down each column: q (6×4)
                for (int a = 0; a < 6; a++) a6(q + 4 * a, 1, r + 6 * a, 1);  // · Aᵀ along each row: r (6×6)
                for (int xi = 0; xi < 36; xi++) v[((long)xi * channels + c) * tiles + t] = r[xi];
            }
        }

        // Bᵀ as a table: BT[i][a].
        __constant__ float BT[6][6] = {{4, 0, -5, 0, 1, 0}, {0, -4, -4, 1, 1, 0}, {0, 4, -4, -1, 1, 0},
                                       {0, -2, -1, 2, 1, 0}, {0, 2, -1, -2, 1, 0}, {0, 4, 0, -5, 0, 1}};

        // Backward output transform, gathered: gin[c, y, x] = Σ over the (at most 2 × 2) tiles whose
        // 6×6 input patch covers (y, x) of (B m Bᵀ)[y − 4·ty + 1, x − 4·tx + 1], m = M'[·][c, t].
        // Overwrites gin; each value is summed by one thread, in a fixed order, so no atomics.
        __global__ void winograd_scatter(const float *m, float *gin, int channels, int h, int w, int tilesWide,
                                         int tiles) {
            int tilesHigh = tiles / tilesWide;
            long n = (long)channels * h * w;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int x = (int)(i % w), y = (int)(i / w % h), c = (int)(i / ((long)w * h));
                float sum = 0.0f;
                int tyHi = (y + 1) / 4, txHi = (x + 1) / 4;
                for (int ty = tyHi - 1; ty <= tyHi; ty++) {
                    if (ty < 0 || ty >= tilesHigh || y > 4 * ty + 4) continue;
                    int a = y - 4 * ty + 1;
                    for (int tx = txHi - 1; tx <= txHi; tx++) {
                        if (tx < 0 || tx >= tilesWide || x > 4 * tx + 4) continue;
                        int b = x - 4 * tx + 1, t = ty * tilesWide + tx;
                        // (B m Bᵀ)[a][b] = Σ_i BT[i][a] · Σ_j m[i][j] · BT[j][b]
                        float acc = 0.0f;
                        for (int r = 0; r < 6; r++) {
                            if (BT[r][a] == 0.0f) continue;
                            float u = 0.0f;
                            for (int s = 0; s < 6; s++) u += m[((long)(6 * r + s) * channels + c) * tiles + t] * BT[s][b];
                            acc += BT[r][a] * u;
                        }
                        sum += acc;
                    }
                }
                gin[i] = sum;
            }
        }

        }  // extern "C"
        """#)
}
