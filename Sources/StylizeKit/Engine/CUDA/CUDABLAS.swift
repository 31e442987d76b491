import CCUDA
import Foundation

/// cuBLAS, loaded at run time, with one handle; `use(stream:)` puts its products on the
/// stream the same transfer launches its kernels on, so they run in order with them.
/// Strict float32 (the default math mode) unless made with `.tf32` (`GPUMath`).
public final class CUDABLAS: @unchecked Sendable {
    let library: CUDALibraries.Handle
    let handle: cublasHandle_t
    let destroy: stylize_cublasDestroy_t
    let sgemmStridedBatched: stylize_cublasSgemmStridedBatched_t
    let sgemm: stylize_cublasSgemm_t
    let setStream: stylize_cublasSetStream_t

    public let math: GPUMath

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, math: GPUMath = .fp32) throws {
        self.math = math
        library = try CUDALibraries.open(.cublas, environment: environment)
        let create = try library.function("cublasCreate_v2", as: stylize_cublasCreate_t.self)
        destroy = try library.function("cublasDestroy_v2", as: stylize_cublasDestroy_t.self)
        sgemmStridedBatched = try library.function("cublasSgemmStridedBatched", as: stylize_cublasSgemmStridedBatched_t.self)
        sgemm = try library.function("cublasSgemm_v2", as: stylize_cublasSgemm_t.self)
        setStream = try library.function("cublasSetStream_v2", as: stylize_cublasSetStream_t.self)
        var h: cublasHandle_t?
        let status = create(&h)
        guard status == 0, let h else { throw CUDAError.driver(call: "cublasCreate", code: status, text: "cuBLAS status \(status)") }
        handle = h
        if math == .tf32 {
            let setMath = try library.function("cublasSetMathMode", as: stylize_cublasSetMathMode_t.self)
            let mode = setMath(h, 3)
            guard mode == 0 else { throw CUDAError.driver(call: "cublasSetMathMode", code: mode, text: "cuBLAS status \(mode)") }
        }
    }

    deinit { _ = destroy(handle) }

    /// Runs this handle's products on `stream` (nil: stream 0).
    func use(stream: CUDADevice.Stream?) throws {
        let status = setStream(handle, stream?.handle)
        guard status == 0 else { throw CUDAError.driver(call: "cublasSetStream", code: status, text: "cuBLAS status \(status)") }
    }

    /// Column-major `C = alpha · op(A) · op(B) + beta · C`.
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UInt64, lda: Int,
              b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int) throws {
        var alpha = alpha, beta = beta
        let status = sgemm(handle, transA ? 1 : 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), &alpha,
                           UnsafePointer<Float>(bitPattern: UInt(a)), Int32(lda),
                           UnsafePointer<Float>(bitPattern: UInt(b)), Int32(ldb), &beta,
                           UnsafeMutablePointer<Float>(bitPattern: UInt(c)), Int32(ldc))
        guard status == 0 else { throw CUDAError.driver(call: "cublasSgemm", code: status, text: "cuBLAS status \(status)") }
    }

    /// Column-major `C[i] = A[i] · op(B[i])` for `batch` matrices at the given strides (floats).
    func stridedBatched(transB: Bool, m: Int, n: Int, k: Int, a: UInt64, lda: Int, strideA: Int,
                        b: UInt64, ldb: Int, strideB: Int, c: UInt64, ldc: Int, strideC: Int,
                        batch: Int) throws {
        var alpha: Float = 1, beta: Float = 0
        let pa = UnsafePointer<Float>(bitPattern: UInt(a)), pb = UnsafePointer<Float>(bitPattern: UInt(b))
        let pc = UnsafeMutablePointer<Float>(bitPattern: UInt(c))
        let status = sgemmStridedBatched(handle, 0, transB ? 1 : 0, Int32(m), Int32(n), Int32(k), &alpha,
                                         pa, Int32(lda), Int64(strideA), pb, Int32(ldb), Int64(strideB), &beta,
                                         pc, Int32(ldc), Int64(strideC), Int32(batch))
        guard status == 0 else {
            throw CUDAError.driver(call: "cublasSgemmStridedBatched", code: status, text: "cuBLAS status \(status)")
        }
    }
}
