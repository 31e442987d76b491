/// The direct 3×3 convolution in CUDA C: conv1_1 (3 input
/// channels, where Winograd's products would be 3 deep) runs this way on the GPU, and it is the
/// GPU's plain reference beside the Winograd layers, as `Conv3x3Reference` is the CPU's.
extension CUDAKernelSources {
    static let direct = (name: "direct.cu", source: #"""
        // Direct 3×3 / stride 1 / pad 1 convolution (issue 17), the definitions of
        // Conv3x3Reference: input (C, H, W), weight (OC, C, 3, 3), bias (OC), output (OC, H, W).
        // One thread per output (forward) or input (backward) value, summing in float in a fixed
        // order; grid-stride loops.

        extern "C" {

        // out[o, y, x] = bias[o] + Σ_{c, ky, kx} w[o, c, ky, kx] · in[c, y + ky − 1, x + kx − 1],
        // then max(·, 0) when relu.
        __global__ void conv3x3_forward(const float *in, const float *weight, const float *bias, float *out,
                                        int channels, int outChannels, int h, int w, int relu) {
            long n = (long)outChannels * h * w;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int x = (int)(i % w), y = (int)(i / w % h), o = (int)(i / ((long)w * h));
                float sum = bias[o];
                for (int c = 0; c < channels; c++) {
                    const float *plane = in + (long)c * h * w, *k = weight + ((long)o * channels + c) * 9;
                    for (int ky = 0; ky < 3; ky++) {
                        int sy = y + ky - 1;
                        if (sy < 0 || sy >= h) continue;
                        for (int kx = 0; kx < 3; kx++) {
                            int sx = x + kx - 1;
                            if (sx >= 0 && sx < w) sum += k[3 * ky + kx] * plane[(long)sy * w + sx];
                        }
                    }
                }
                out[i] = relu && sum < 0.0f ? 0.0f : sum;
            }
        }

        // gin[c, sy, sx] = Σ_{o, ky, kx} w[o, c, ky, kx] · gout[o, sy − ky + 1, sx − kx + 1]
        // (the adjoint of the forward without bias); overwrites gin.
        __global__ void conv3x3_backward(const float *gout, const float *weight, float *gin,
                                         int channels, int outChannels, int h, int w) {
            long n = (long)channels * h * w;
            for (long i = blockIdx.x * (long)blockDim.x + threadIdx.x; i < n; i += (long)gridDim.x * blockDim.x) {
                int sx = (int)(i % w), sy = (int)(i / w % h), c = (int)(i / ((long)w * h));
                float sum = 0.0f;
                for (int o = 0; o < outChannels; o++) {
                    const float *plane = gout + (long)o * h * w, *k = weight + ((long)o * channels + c) * 9;
                    for (int ky = 0; ky < 3; ky++) {
                        int y = sy - ky + 1;
                        if (y < 0 || y >= h) continue;
                        for (int kx = 0; kx < 3; kx++) {
                            int x = sx - kx + 1;
                            if (x >= 0 && x < w) sum += k[3 * ky + kx] * plane[(long)y * w + x];
                        }
                    }
                }
                gin[i] = sum;
            }
        }

        }  // extern "C"
        """#)
}
