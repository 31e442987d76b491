/// The optimizers' vector passes (`VectorOperations`, the CPU's `VectorMath`) and the network
/// passes the GPU engine adds to `elementwise.cu`, in CUDA C.
extension CUDAKernelSources {
    static let vectors = (name: "vectors.cu", source: #"""
        // stylize's vector kernels (issue 17): one kernel per VectorOperations pass, with the
        // definitions of StylizeKernels' VectorMath (its reference), and the network passes the
        // GPU engine needs beside elementwise.cu's. 1-D grids of up to 256-thread blocks with
        // grid-stride loops. A reduction writes value k of block b to partial[k·gridDim.x + b]
        // (in double; sums, or maxima where named); the host combines the partials.
        //
        // Bounds: lo and hi are both null (unbounded) or both set. Variable i is active when
        // (x ≤ lo ∧ g > 0) ∨ (x ≥ hi ∧ g < 0).

        #define VBLOCK 256

        extern "C" {

        // One value per thread combined over the block into partial[slot·gridDim.x + blockIdx.x]
        // (a sum, or the maximum when isMax). Every thread of the block must call it.
        __device__ void vec_block_reduce(double v, double *partial, int slot, int isMax) {
            __shared__ double s[VBLOCK];
            s[threadIdx.x] = v;
            __syncthreads();
            for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
                if (threadIdx.x < stride) {
                    double o = s[threadIdx.x + stride];
                    s[threadIdx.x] = isMax ? (o > s[threadIdx.x] ? o : s[threadIdx.x]) : s[threadIdx.x] + o;
                }
                __syncthreads();
            }
            if (threadIdx.x == 0) partial[(long)slot * gridDim.x + blockIdx.x] = s[0];
            __syncthreads();
        }

        __device__ int vec_active(float x, float g, float lo, float hi) {
            return (x <= lo && g > 0.0f) || (x >= hi && g < 0.0f);
        }

        #define VEC_LOOP(i, n) for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < (n); i += (long)gridDim.x * blockDim.x)

        // x[i] = value.
        __global__ void vec_fill(float *x, float value, long n) { VEC_LOOP(i, n) x[i] = value; }

        // y[i] = x[i].
        __global__ void vec_copy(float *y, const float *x, long n) { VEC_LOOP(i, n) y[i] = x[i]; }

        // x[i] *= a.
        __global__ void vec_scale(float *x, float a, long n) { VEC_LOOP(i, n) x[i] *= a; }

        // Maximum of |x[i]| (NaN ignored, as VectorMath.maxAbs), and the count of values that are
        // NaN or infinite: partials 0 (maxima) and 1 (sums).
        __global__ void vec_max_abs(const float *x, double *partial, long n) {
            double m = 0.0, bad = 0.0;
            VEC_LOOP(i, n) {
                float v = fabsf(x[i]);
                if (v > m) m = v;
                if (!isfinite(x[i])) bad += 1.0;
            }
            vec_block_reduce(m, partial, 0, 1);
            vec_block_reduce(bad, partial, 1, 0);
        }

        // ‖P(x − g) − x‖∞ (maxima); ‖g‖∞ without bounds.
        __global__ void vec_projected_gradient_norm(const float *x, const float *g, const float *lo, const float *hi,
                                                    double *partial, long n) {
            double m = 0.0;
            VEC_LOOP(i, n) {
                float gi = g[i], v = fabsf(gi);
                if (lo) {
                    if (gi > 0.0f) v = fminf(v, x[i] - lo[i]); else if (gi < 0.0f) v = fminf(v, hi[i] - x[i]);
                }
                if (v > m) m = v;
            }
            vec_block_reduce(m, partial, 0, 1);
        }

        // q = g with the active components 0.
        __global__ void vec_free_gradient(const float *x, const float *g, const float *lo, const float *hi, float *q, long n) {
            VEC_LOOP(i, n) q[i] = lo && vec_active(x[i], g[i], lo[i], hi[i]) ? 0.0f : g[i];
        }

        // d = sign·d with the active components and those leaving the box at once 0; sums of g·d.
        __global__ void vec_restrict_direction(float *d, float sign, const float *x, const float *g, const float *lo,
                                               const float *hi, double *partial, long n) {
            double slope = 0.0;
            VEC_LOOP(i, n) {
                float v = sign * d[i];
                if (lo) {
                    float xi = x[i], l = lo[i], u = hi[i];
                    if (vec_active(xi, g[i], l, u) || (xi <= l && v < 0.0f) || (xi >= u && v > 0.0f)) v = 0.0f;
                }
                d[i] = v;
                slope += (double)g[i] * (double)v;
            }
            vec_block_reduce(slope, partial, 0, 0);
        }

        // xt = P(x + t·d); sums of g·(xt − x) (partial 0) and of the moved components (partial 1).
        __global__ void vec_projected_point(const float *x, const float *d, float t, const float *lo, const float *hi,
                                            const float *g, float *xt, double *partial, long n) {
            double slope = 0.0, moved = 0.0;
            VEC_LOOP(i, n) {
                float xi = x[i], v = __fadd_rn(xi, __fmul_rn(t, d[i]));
                if (lo) v = fminf(fmaxf(v, lo[i]), hi[i]);
                xt[i] = v;
                if (v != xi) moved += 1.0;
                slope += (double)g[i] * ((double)v - (double)xi);
            }
            vec_block_reduce(slope, partial, 0, 0);
            vec_block_reduce(moved, partial, 1, 0);
        }

        // The curvature pair s = xNew − xOld, y = gNew − gOld (y = 0 where s = 0 and xNew is at a
        // bound), stored when s and y are not null; sums of s·y, y·y, s·s (partials 0, 1, 2).
        __global__ void vec_secant(const float *xNew, const float *xOld, const float *gNew, const float *gOld,
                                   const float *lo, const float *hi, float *s, float *y, double *partial, long n) {
            double sy = 0.0, yy = 0.0, ss = 0.0;
            VEC_LOOP(i, n) {
                float si = xNew[i] - xOld[i], yi = gNew[i] - gOld[i];
                if (si == 0.0f && lo && (xNew[i] <= lo[i] || xNew[i] >= hi[i])) yi = 0.0f;
                if (s) { s[i] = si; y[i] = yi; }
                sy += (double)si * (double)yi; yy += (double)yi * (double)yi; ss += (double)si * (double)si;
            }
            vec_block_reduce(sy, partial, 0, 0);
            vec_block_reduce(yy, partial, 1, 0);
            vec_block_reduce(ss, partial, 2, 0);
        }

        // One Adam update (VectorMath.adamUpdate), clamped into the bounds when given.
        __global__ void vec_adam(float *x, float *saved, const float *g, float *m, float *v, float beta1, float beta2,
                                 float rate, float eps, const float *lo, const float *hi, long n) {
            VEC_LOOP(i, n) {
                float gi = g[i], xi = x[i];
                saved[i] = xi;
                float mi = __fadd_rn(__fmul_rn(beta1, m[i]), __fmul_rn(1.0f - beta1, gi));
                float vi = __fadd_rn(__fmul_rn(beta2, v[i]), __fmul_rn(__fmul_rn(1.0f - beta2, gi), gi));
                m[i] = mi; v[i] = vi;
                float nx = xi - __fdiv_rn(__fmul_rn(rate, mi), sqrtf(vi) + eps);
                x[i] = lo ? fminf(fmaxf(nx, lo[i]), hi[i]) : nx;
            }
        }

        // ReLU's gradient through its kept output (ReLU.backward): g[i] = 0 where out[i] ≤ 0.
        __global__ void relu_backward_output(float *g, const float *out, long n) {
            VEC_LOOP(i, n) if (!(out[i] > 0.0f)) g[i] = 0.0f;
        }

        // Pool2x2's average (2×2, stride 2, floor): out (C, H/2, W/2) = the window's mean.
        __global__ void avgpool2x2_forward(const float *in, float *out, int channels, int h, int w) {
            int ho = h / 2, wo = w / 2;
            VEC_LOOP(o, (long)channels * ho * wo) {
                int x = (int)(o % wo), y = (int)(o / wo % ho);
                long c = o / ((long)wo * ho);
                const float *p = in + (c * h + 2 * y) * w + 2 * x;
                out[o] = 0.25f * ((p[0] + p[1]) + (p[w] + p[w + 1]));
            }
        }

        // Its gradient: gin = gout / 4 over each window, 0 on an odd last row or column (overwrites gin).
        __global__ void avgpool2x2_backward(const float *gout, float *gin, int channels, int h, int w) {
            int ho = h / 2, wo = w / 2;
            VEC_LOOP(i, (long)channels * h * w) {
                int x = (int)(i % w), y = (int)(i / w % h);
                long c = i / ((long)w * h);
                gin[i] = x / 2 < wo && y / 2 < ho ? 0.25f * gout[(c * ho + y / 2) * wo + x / 2] : 0.0f;
            }
        }

        // The guided (masked) style term's elementwise parts (Gram.maskedStyleLoss): out = F·diag(m)
        // for F (n × m) and the mask's m values, and grad += P·diag(m).
        __global__ void mask_columns(const float *f, const float *mask, float *out, int n, long m) {
            VEC_LOOP(i, (long)n * m) out[i] = f[i] * mask[i % m];
        }

        __global__ void add_masked_columns(float *grad, const float *p, const float *mask, int n, long m) {
            VEC_LOOP(i, (long)n * m) grad[i] += p[i] * mask[i % m];
        }

        // BoxBlur (SmoothingPreconditioner's blur, zero padding), in its order of operations so the
        // bits are the CPU's. Rows: one thread per row of every plane, a sliding window sum of
        // `in` into `out`, times norm = 1 / (2r + 1).
        __global__ void box_blur_rows(const float *in, float *out, int planes, int h, int w, int r, float norm) {
            VEC_LOOP(row, (long)planes * h) {
                const float *a = in + row * w;
                float *t = out + row * w;
                float sum = 0.0f;
                for (int x = 0; x < r && x < w; x++) sum += a[x];
                for (int x = 0; x < w; x++) {
                    if (x + r < w) sum += a[x + r];
                    t[x] = __fmul_rn(sum, norm);
                    if (x - r >= 0) sum -= a[x - r];
                }
            }
        }

        // Columns: one thread per column of every plane, the window sum of the rows of `t` into
        // `out`, then times norm.
        __global__ void box_blur_columns(const float *t, float *out, int planes, int h, int w, int r, float norm) {
            VEC_LOOP(col, (long)planes * w) {
                long p = col / w;
                int x = (int)(col % w);
                const float *c = t + p * h * w + x;
                float *o = out + p * h * w + x;
                float sum = 0.0f;
                for (int y = 0; y <= r && y < h; y++) sum += c[(long)y * w];
                o[0] = sum;
                for (int y = 1; y < h; y++) {
                    if (y + r < h) sum += c[(long)(y + r) * w];
                    if (y - r - 1 >= 0) sum -= c[(long)(y - r - 1) * w];
                    o[(long)y * w] = sum;
                }
                for (int y = 0; y < h; y++) o[(long)y * w] = __fmul_rn(o[(long)y * w], norm);
            }
        }

        }  // extern "C"
        """#)
}
