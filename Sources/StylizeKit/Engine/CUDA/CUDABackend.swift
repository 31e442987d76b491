import CCUDA
import Foundation

/// `GPUBackend` on an NVIDIA GPU: `CUDADevice` (driver API), `CUDABLAS` (cuBLAS, strict
/// float32) and the kernels of `CUDAKernelSources` compiled by NVRTC for this GPU (cached,
/// `CUDAKernelCache`). Everything runs in order on the default stream.
///
/// One instance per transfer: its calls come from one thread at a time (jobs side by side
/// each have their own), and each makes the GPU's context current on the calling thread
/// first (a batch's worker threads are not the thread that made it).
public final class CUDABackend: GPUBackend, @unchecked Sendable {
    public let device: CUDADevice
    public let blas: CUDABLAS
    let modules: [String: CUDADevice.Module]
    /// Kernels looked up so far, by name.
    private var functions: [String: CUfunction] = [:]

    public var name: String { "\(device.gpu.name) (\(device.gpu.architecture))" }

    /// The first GPU, cuBLAS and the compiled kernels, or a `CUDAError` naming what is missing.
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        device = try CUDADevice(environment: environment)
        blas = try CUDABLAS(environment: environment)
        let compiler = try CUDAKernelCompiler(environment: environment)
        modules = try device.loadKernels(compiler: compiler, cache: CUDAKernelCache(directory: CUDAKernelCache.defaultDirectory(environment: environment)))
    }

    public func allocate(bytes: Int) throws -> GPUBuffer {
        try device.makeCurrent()
        let b = try device.allocate(bytes: bytes)
        return GPUBuffer(address: UInt64(b.address), bytes: bytes, owner: b)
    }

    public func copy(from source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
        try device.makeCurrent()
        try device.check(device.copyIn(CUdeviceptr(address), source, bytes), "cuMemcpyHtoD")
    }

    public func copy(from address: UInt64, to destination: UnsafeMutableRawPointer, bytes: Int) throws {
        try device.makeCurrent()
        try device.synchronize()
        try device.check(device.copyOut(destination, CUdeviceptr(address), bytes), "cuMemcpyDtoH")
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
        do { try device.launch(f, blocks: blocks, threads: threads, arguments) } catch let CUDAError.driver(call, code, text) {
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
