import Foundation

/// What the GPU engine needs from a device, and nothing more: memory, kernel launches by
/// name and cuBLAS's two products. `CUDABackend` implements it on an NVIDIA GPU; the tests
/// implement it on the CPU (`EmulatedGPUBackend`: the same CUDA C kernels compiled as C++,
/// the products by BLAS), so that `GPUEngine`'s orchestration — buffer sizes, offsets,
/// leading dimensions, the order of the passes — is checked against `CPUEngine` on every
/// machine, and a GPU session has only the device itself left to check.
///
/// Addresses are device addresses (`CUdeviceptr` on CUDA; host addresses in the emulation),
/// passed to kernels by value. Calls are asynchronous where the device is: `download`
/// waits for everything launched before it.
public protocol GPUBackend: AnyObject {
    /// The device in words, for messages (`NVIDIA H200 (sm_90)`, `emulated on the CPU`).
    var name: String { get }

    /// `bytes` of uninitialized device memory, freed with the buffer.
    func allocate(bytes: Int) throws -> GPUBuffer
    /// `bytes` bytes from `source` (host memory) to `address` (device).
    func copy(from source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws
    /// `bytes` bytes from `address` (device) to `destination` (host), after every launch so far.
    func copy(from address: UInt64, to destination: UnsafeMutableRawPointer, bytes: Int) throws

    /// Launches the kernel `name` (one of `CUDAKernelSources`') on a 1-D grid of `blocks` blocks
    /// of `threads` threads with `arguments` (by value, in the kernel's parameter order). Every
    /// kernel's grid-stride loops make any grid correct; reductions write one partial per block.
    func launch(_ name: String, blocks: Int, threads: Int, _ arguments: [GPUArgument]) throws

    /// cuBLAS's `sgemm`: column-major `C = alpha · op(A) · op(B) + beta · C` (`C` is `m × n`).
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UInt64, lda: Int,
              b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int) throws
    /// cuBLAS's `sgemmStridedBatched` with `alpha = 1`, `beta = 0`, `A` not transposed:
    /// column-major `C[i] = A[i] · op(B[i])` for `i < batch`, matrices `stride` floats apart.
    func gemmStridedBatched(transB: Bool, m: Int, n: Int, k: Int, a: UInt64, lda: Int, strideA: Int,
                            b: UInt64, ldb: Int, strideB: Int, c: UInt64, ldc: Int, strideC: Int, batch: Int) throws
}

/// Device memory: an address and a size, freed (by `owner`) when the last reference goes.
public final class GPUBuffer: @unchecked Sendable {
    public let address: UInt64
    public let bytes: Int
    /// Whatever frees the memory when it is released (a `CUDADevice.Buffer`, host memory).
    let owner: AnyObject

    public init(address: UInt64, bytes: Int, owner: AnyObject) {
        self.address = address
        self.bytes = bytes
        self.owner = owner
    }

    /// The address of float `index`.
    public func float(_ index: Int) -> UInt64 { address + UInt64(index * 4) }
}

/// A kernel argument, passed by value as the kernel declares it.
public enum GPUArgument {
    case buffer(GPUBuffer?)   // its address (nil: a null pointer)
    case address(UInt64)      // an address inside a buffer
    case int32(Int32)
    case int64(Int64)
    case float(Float)

    static func int(_ v: Int) -> GPUArgument { .int32(Int32(v)) }
    static func count(_ v: Int) -> GPUArgument { .int64(Int64(v)) }

    /// The argument's bytes, as `cuLaunchKernel`'s `kernelParams` point at them.
    public func store(into p: UnsafeMutableRawPointer) {
        switch self {
        case .buffer(let b): p.storeBytes(of: b?.address ?? 0, as: UInt64.self)
        case .address(let a): p.storeBytes(of: a, as: UInt64.self)
        case .int32(let v): p.storeBytes(of: v, as: Int32.self)
        case .int64(let v): p.storeBytes(of: v, as: Int64.self)
        case .float(let v): p.storeBytes(of: v, as: Float.self)
        }
    }

    /// `body` with `kernelParams`: one 8-byte slot per argument and an array of pointers to them.
    public static func withParameters<R>(_ arguments: [GPUArgument],
                                         _ body: (UnsafeMutablePointer<UnsafeMutableRawPointer?>) throws -> R) rethrows -> R {
        let slots = UnsafeMutableRawPointer.allocate(byteCount: 8 * max(1, arguments.count), alignment: 8)
        defer { slots.deallocate() }
        var pointers: [UnsafeMutableRawPointer?] = arguments.indices.map { slots + 8 * $0 }
        for (i, a) in arguments.enumerated() { a.store(into: slots + 8 * i) }
        return try pointers.withUnsafeMutableBufferPointer { try body($0.baseAddress!) }
    }
}

extension GPUBackend {
    /// A device copy of `values`.
    public func upload<T>(_ values: [T]) throws -> GPUBuffer {
        let bytes = values.count * MemoryLayout<T>.stride
        let buffer = try allocate(bytes: bytes)
        if bytes > 0 { try values.withUnsafeBytes { try copy(from: $0.baseAddress!, to: buffer.address, bytes: bytes) } }
        return buffer
    }

    /// `count` values from `address`, after every launch so far.
    public func download<T>(_ address: UInt64, count: Int, as type: T.Type) throws -> [T] {
        var out = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        if count > 0 {
            try out.withUnsafeMutableBytes { try copy(from: address, to: $0.baseAddress!, bytes: count * MemoryLayout<T>.stride) }
        }
        return out
    }

    /// The first `count` values of `buffer`.
    public func download<T>(_ buffer: GPUBuffer, count: Int, as type: T.Type) throws -> [T] {
        precondition(count * MemoryLayout<T>.stride <= buffer.bytes, "download past the buffer's end")
        return try download(buffer.address, count: count, as: type)
    }

    /// Blocks for `n` elements at 256 threads a block (at most 65 535; the loops stride).
    static func blocks(_ n: Int) -> Int { min(65535, max(1, (n + 255) / 256)) }

    /// Launches an elementwise kernel over `n` elements with the default geometry.
    public func launch(_ name: String, over n: Int, _ arguments: [GPUArgument]) throws {
        try launch(name, blocks: Self.blocks(n), threads: 256, arguments)
    }

    /// Launches a reduction over `n` elements writing `values` partials per block (at most 1024
    /// blocks) and returns their sums (or, with `maximum`, their largest), one per value,
    /// combined in Double on the host.
    public func reduce(_ name: String, over n: Int, values: Int = 1, maximum: Bool = false, scratch: GPUBuffer? = nil,
                       _ arguments: (GPUBuffer) -> [GPUArgument]) throws -> [Double] {
        let blocks = min(1024, Self.blocks(n))
        let partial = try scratch.flatMap { $0.bytes >= 8 * blocks * values ? $0 : nil } ?? allocate(bytes: 8 * blocks * values)
        try launch(name, blocks: blocks, threads: 256, arguments(partial))
        let p = try download(partial.address, count: blocks * values, as: Double.self)
        return (0..<values).map { v in
            let part = p[(v * blocks)..<((v + 1) * blocks)]
            return maximum ? part.max() ?? 0 : part.reduce(0, +)
        }
    }
}
