/// The elementwise kernels of the GPU engine (and the reductions of the loss terms), in CUDA C (NVRTC compiles them at run time, so
/// the binary carries their source; see `CUDAKernelSources`).
extension CUDAKernelSources {
    static let elementwise = (name: "elementwise.cu", source: #"""
        // stylize's elementwise GPU kernels (issue 17), compiled at run time by NVRTC for the GPU in
        // front of it (CUDAKernelCompiler). Each mirrors a CPU kernel of StylizeKernels, which is its
        // reference: same layouts, (C, H, W) row-major float32, and the same definitions.
        //
        // Reductions write one partial sum per block (in double) into `partial[blockIdx.x]`; the
        // caller adds the partials. Every kernel uses a 1-D grid of 256-thread blocks over its
        // elements (grid-stride loops, so any grid size is correct).

        #define BLOCK 256

        extern "C" {

        // ReLU.forward with its mask (ReLUMask): x = max(x, 0) in place, mask[i] = x[i] > 0.
        __global__ void relu_forward(float *x, unsigned char *mask, long n) {
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                float v = x[i];
                mask[i] = v > 0.0f;
                x[i] = v > 0.0f ? v : 0.0f;
            }
        }

        // ReLU.backward through a mask: g[i] = mask[i] ? g[i] : 0.
        __global__ void relu_backward(float *g, const unsigned char *mask, long n) {
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                if (!mask[i]) g[i] = 0.0f;
            }
        }

        // MaxPoolIndices.forward (2×2, stride 2, floor): out (C, H/2, W/2) = the window's maximum
        // (the first of equal values in row-major order wins), idx = its position 0…3 in the window.
        __global__ void maxpool2x2_forward(const float *in, float *out, unsigned char *idx, int channels, int h, int w) {
            int ho = h / 2, wo = w / 2;
            long n = (long)channels * ho * wo;
            for (long o = blockIdx.x * (long)blockDim.x + threadIdx.x; o < n; o += (long)gridDim.x * blockDim.x) {
                int x = (int)(o % wo), y = (int)(o / wo % ho);
                long c = o / ((long)wo * ho);
                const float *p = in + (c * h + 2 * y) * w + 2 * x;
                float v[4] = {p[0], p[1], p[w], p[w + 1]};
                int best = 0;
                for (int k = 1; k < 4; k++) if (v[k] > v[best]) best = k;
                out[o] = v[best];
                idx[o] = (unsigned char)best;
            }
        }

        // MaxPoolIndices.backward: gin (C, H, W) = gout at each window's maximum, 0 elsewhere
        // (overwrites gin; the odd last row or column, outside every window, gets 0).
        __global__ void maxpool2x2_backward(const float *gout, const unsigned char *idx, float *gin,
                                            int channels, int h, int w) {
            int ho = h / 2, wo = w / 2;
            long n = (long)channels * h * w;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int x = (int)(i % w), y = (int)(i / w % h);
                long c = i / ((long)w * h);
                float g = 0.0f;
                if (x / 2 < wo && y / 2 < ho) {
                    long o = (c * ho + y / 2) * wo + x / 2;
                    if (idx[o] == (unsigned char)((y % 2) * 2 + x % 2)) g = gout[o];
                }
                gin[i] = g;
            }
        }

        // Block sum of one double per thread into partial[blockIdx.x].
        __device__ void block_sum(double v, double *partial) {
            __shared__ double s[BLOCK];
            s[threadIdx.x] = v;
            __syncthreads();
            for (int stride = blockDim.x / 2; stride > 0; stride /= 2) {
                if (threadIdx.x < stride) s[threadIdx.x] += s[threadIdx.x + stride];
                __syncthreads();
            }
            if (threadIdx.x == 0) partial[blockIdx.x] = s[0];
        }

        // Gram.contentLoss: partial sums of w·(F − P)², and grad += gscale · w · (F − P) when grad
        // is not null (gscale = scale · 2 / (4·N·M) = scale · ∂L/∂F per unit difference); w is the
        // position's weight, w[i % positions], or 1 when w is null.
        __global__ void content_term(const float *f, const float *p, const float *w, long positions, float *grad,
                                     float gscale, double *partial, long n) {
            double sum = 0.0;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                float d = f[i] - p[i];
                float wi = w ? w[i % positions] : 1.0f;
                sum += (double)wi * (double)d * (double)d;
                if (grad) grad[i] += gscale * wi * d;
            }
            block_sum(sum, partial);
        }

        // The style term's elementwise part (Gram.styleLoss): D = G − A in place of G, and partial
        // sums of D² (E = Σ D² / (4 N² M²); its gradient D·F / (N² M²) is a cuBLAS product).
        __global__ void style_difference(float *g, const float *target, double *partial, long n) {
            double sum = 0.0;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                float d = g[i] - target[i];
                g[i] = d;
                sum += (double)d * (double)d;
            }
            block_sum(sum, partial);
        }

        // TotalVariation.loss: partial sums of the squared differences with the lower and right
        // neighbours; with grad, adds gscale · ∂/∂x of them (gscale = 2 · scale / (3·H·W)). Each
        // thread owns one pixel and gathers the terms that touch it, so no two threads write the
        // same gradient value.
        __global__ void tv_term(const float *x, float *grad, float gscale, double *partial, int channels, int h, int w) {
            long n = (long)channels * h * w;
            double sum = 0.0;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int xx = (int)(i % w), y = (int)(i / w % h);
                float v = x[i], g = 0.0f;
                if (y + 1 < h) { float d = x[i + w] - v; sum += (double)d * (double)d; g -= d; }
                if (xx + 1 < w) { float d = x[i + 1] - v; sum += (double)d * (double)d; g -= d; }
                if (y > 0) g += v - x[i - w];
                if (xx > 0) g += v - x[i - 1];
                if (grad) grad[i] += gscale * g;
            }
            block_sum(sum, partial);
        }

        // The optimizers' vector passes (VectorMath): y += a·x, partial sums of x·y, and the
        // projection of x onto the box [lo, hi] of bounded L-BFGS.
        __global__ void axpy(float *y, const float *x, float a, long n) {
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                y[i] += a * x[i];
            }
        }

        __global__ void dot_partial(const float *x, const float *y, double *partial, long n) {
            double sum = 0.0;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                sum += (double)x[i] * (double)y[i];
            }
            block_sum(sum, partial);
        }

        __global__ void project_box(float *x, const float *lo, const float *hi, long n) {
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                x[i] = fminf(fmaxf(x[i], lo[i]), hi[i]);
            }
        }

        }  // extern "C"
        """#)
}
