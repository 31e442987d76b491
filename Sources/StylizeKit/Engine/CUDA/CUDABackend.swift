import CCUDA
import Foundation

/// `GPUBackend` on an NVIDIA GPU: `CUDADevice` (driver API), `CUDABLAS` (cuBLAS, strict
/// float32) and the kernels of `CUDAKernelSources` compiled by NVRTC for this GPU (cached,
/// `CUDAKernelCache`). Everything runs in order on the instance's own stream.
///
/// One instance per transfer: its calls come from one thread at a time (jobs side by side
/// each have their own), and each makes the GPU's context current on the calling thread
/// first (a batch's worker threads are not the thread that made it). All instances share
/// the GPU's primary context, but each has its own stream and cuBLAS handle: jobs side by
/// side overlap on the GPU (one job's small kernels and its host's reading of a reduction
/// leave most of an H100 idle), and a download waits only for its own job's work.
public final class CUDABackend: GPUBackend, @unchecked Sendable {
    public let device: CUDADevice
    public let blas: CUDABLAS
    let modules: [String: CUDADevice.Module]
    /// Where this transfer's kernels, products and copies are queued.
    let stream: CUDADevice.Stream
    /// Kernels looked up so far, by name.
    private var functions: [String: CUfunction] = [:]

    /// `NVIDIA H200 (sm_90)`, with `, TF32` when the products use tensor cores.
    public var name: String { "\(device.gpu.name) (\(device.gpu.architecture))" + (blas.math == .tf32 ? ", TF32" : "") }

    /// The first GPU, cuBLAS and the compiled kernels, or a `CUDAError` naming what is missing.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment, math: GPUMath = .fp32) throws {
        device = try CUDADevice(environment: environment)
        blas = try CUDABLAS(environment: environment, math: math)
        let compiler = try CUDAKernelCompiler(environment: environment)
        modules = try device.loadKernels(compiler: compiler, cache: CUDAKernelCache(directory: CUDAKernelCache.defaultDirectory(environment: environment)))
        stream = try device.makeStream()
        try blas.use(stream: stream)
    }

    /// Lets the stream's work finish and detaches cuBLAS from it before either goes.
    deinit {
        try? device.makeCurrent()
        try? stream.synchronize()
        try? blas.use(stream: nil)
    }

    public func allocate(bytes: Int) throws -> GPUBuffer {
        try device.makeCurrent()
        let b = try device.allocate(bytes: bytes)
        return GPUBuffer(address: UInt64(b.address), bytes: bytes, owner: b)
    }

    /// Queued on the stream after everything launched before it, and waited for, so that
    /// `source` may be reused as soon as this returns.
    public func copy(from source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
        try device.makeCurrent()
        try device.check(device.copyInAsync(CUdeviceptr(address), source, bytes, stream.handle), "cuMemcpyHtoDAsync")
        try stream.synchronize()
    }

    /// After everything launched on this transfer's stream (not other jobs' work).
    public func copy(from address: UInt64, to destination: UnsafeMutableRawPointer, bytes: Int) throws {
        try device.makeCurrent()
        try device.check(device.copyOutAsync(destination, CUdeviceptr(address), bytes, stream.handle), "cuMemcpyDtoHAsync")
        try stream.synchronize()
    }

    func function(_ name: String) throws -> CUfunction {
        if let f = functions[name] { return f }
        for (file, module) in modules where CUDAKernelSources.kernelNames(in: file).contains(name) {
            let f = try module.function(name)
            functions[name] = f
            return f
        }
        throw CUDAError.driver(call: "cuModuleGetFunction(\(name))", code: -1, text: "no kernel of that name")
    }

    public func launch(_ name: String, blocks: Int, threads: Int, _ arguments: [GPUArgument]) throws {
        try device.makeCurrent()
        let f = try function(name)
        do { try device.launch(f, blocks: blocks, threads: threads, arguments, on: stream) } catch let CUDAError.driver(call, code, text) {
            throw CUDAError.driver(call: "\(call)(\(name))", code: code, text: text)
        }
    }

    public func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UInt64, lda: Int,
                     b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int) throws {
        try device.makeCurrent()
        try blas.gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                      b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    public func gemmStridedBatched(transB: Bool, m: Int, n: Int, k: Int, a: UInt64, lda: Int, strideA: Int,
                                   b: UInt64, ldb: Int, strideB: Int, c: UInt64, ldc: Int, strideC: Int,
                                   batch: Int) throws {
        try device.makeCurrent()
        try blas.stridedBatched(transB: transB, m: m, n: n, k: k, a: a, lda: lda, strideA: strideA, b: b, ldb: ldb,
                                strideB: strideB, c: c, ldc: ldc, strideC: strideC, batch: batch)
    }
}
