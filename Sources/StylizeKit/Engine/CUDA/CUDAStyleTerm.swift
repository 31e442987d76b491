import Foundation
import StylizeKernels

/// One layer's style term on the GPU, as `Gram.styleLoss`: `G = F·Fᵀ` (cuBLAS),
/// `E = Σ (G − A)² / (4 N² M²)` (the `style_difference` kernel), and with a gradient buffer
/// `grad += scale · (G − A)·F / (N² M²)` (cuBLAS, accumulating).
///
/// Row-major `F (N × M)` is cuBLAS's column-major `F_c (M × N)`, so `G = F_cᵀ · F_c` (T, N) and
/// the gradient's column-major view `gradᵀ += α · F_c · Dᵀ`, where `D`'s row-major storage is
/// exactly its transpose's column-major one (N, N).
public struct CUDAStyleTerm {
    let device: CUDADevice
    let blas: CUDABLAS
    let elementwise: CUDADevice.Module

    public init(device: CUDADevice, blas: CUDABLAS, elementwise: CUDADevice.Module) {
        self.device = device
        self.blas = blas
        self.elementwise = elementwise
    }

    /// `E` for the features `f` (`channels` × `positions`, row-major) against the Gram `target`
    /// (N × N); adds `scale · ∂E/∂F` into `grad` when given.
    public func loss(_ f: CUDADevice.Buffer, channels n: Int, positions m: Int, target: CUDADevice.Buffer,
                     scale: Float, grad: CUDADevice.Buffer?) throws -> Double {
        let g = try device.allocate(bytes: n * n * 4)
        // G (N × N) = F_cᵀ (N × M) · F_c (M × N)
        try blas.gemm(transA: true, transB: false, m: n, n: n, k: m, alpha: 1, a: f, lda: m, b: f, ldb: m,
                      beta: 0, c: g, ldc: n)
        let blocks = min(1024, max(1, (n * n + 255) / 256))
        let partial = try device.allocate(bytes: blocks * 8)
        try device.launch(try elementwise.function("style_difference"), blocks: blocks,
                          [.buffer(g), .buffer(target), .buffer(partial), .int64(Int64(n * n))])
        let sum = try device.download(partial, count: blocks, as: Double.self).reduce(0, +)
        let norm = 4.0 * Double(n) * Double(n) * Double(m) * Double(m)
        if let grad {
            // gradᵀ (M × N) += α · F_c (M × N) · D (N × N, as stored)
            try blas.gemm(transA: false, transB: false, m: m, n: n, k: n, alpha: Float(Double(scale) * 4 / norm),
                          a: f, lda: m, b: g, ldb: n, beta: 1, c: grad, ldc: m)
        }
        return sum / norm
    }
}
