import Foundation
import XCTest
@testable import StylizeKit
import StylizeKernels

/// The CUDA kernels compiled as C++ for the CPU, once per test process: every source of
/// `CUDAKernelSources` behind a prelude that makes `__global__`/`__device__` plain functions,
/// with a launch trampoline per kernel (`launch_NAME(void **params)`, the argument array of
/// `cuLaunchKernel`, unpacked by the kernel's own parameter types).
enum KernelEmulation {
    static let prelude = """
        #include <math.h>
        #include <stddef.h>
        #include <utility>
        struct EmulatedDim3 { unsigned x, y, z; };
        static EmulatedDim3 blockIdx = {0, 0, 0}, threadIdx = {0, 0, 0};
        static EmulatedDim3 gridDim = {1, 1, 1}, blockDim = {1, 1, 1};
        extern "C" void emulate_thread(unsigned grid, unsigned block, unsigned b, unsigned t) {
            gridDim.x = grid; blockDim.x = block; blockIdx.x = b; threadIdx.x = t;
        }
        #define __global__
        #define __device__
        #define __constant__ static const
        #define __shared__ static
        static inline void __syncthreads() {}
        static inline float __fadd_rn(float a, float b) { return a + b; }
        static inline float __fmul_rn(float a, float b) { return a * b; }
        static inline float __fdiv_rn(float a, float b) { return a / b; }
        template <typename... A, size_t... I>
        static void emulate_call(void (*f)(A...), void **p, std::index_sequence<I...>) { f(*static_cast<A *>(p[I])...); }
        template <typename... A>
        static void emulate_call(void (*f)(A...), void **p) { emulate_call(f, p, std::index_sequence_for<A...>{}); }

        """

    /// The compiled library, or why there is none.
    static let library: Result<UnsafeMutableRawPointer, EmulationError> = compile()

    struct EmulationError: Error, CustomStringConvertible {
        let description: String
        /// No compiler: the tests skip; anything else fails them.
        var missingCompiler: Bool { description.hasPrefix("no clang++") }
    }

    /// Every kernel source behind the prelude, with its launch trampolines.
    static var source: String {
        var source = prelude + CUDAKernelSources.all.map(\.source).joined(separator: "\n")
        for (_, kernel) in CUDAKernelSources.all {
            for k in CUDAKernelSources.kernelNames(source: kernel) {
                source += "extern \"C\" void launch_\(k)(void **p) { emulate_call(\(k), p); }\n"
            }
        }
        return source
    }

    static func compile() -> Result<UnsafeMutableRawPointer, EmulationError> {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        guard let clang = path.split(separator: ":").map({ "\($0)/clang++" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return .failure(EmulationError(description: "no clang++ on PATH"))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-cuda-emu-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try? source.write(toFile: dir + "/kernels.cpp", atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: clang)
        p.arguments = ["-x", "c++", "-std=c++17", "-O1", "-shared", "-fPIC", "-o", dir + "/kernels.so", dir + "/kernels.cpp"]
        let err = Pipe()
        p.standardError = err
        do { try p.run() } catch { return .failure(EmulationError(description: "\(clang): \(error)")) }
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { return .failure(EmulationError(description: "clang++ failed: \(message)")) }
        guard let handle = dlopen(dir + "/kernels.so", RTLD_NOW | RTLD_LOCAL) else {
            return .failure(EmulationError(description: String(cString: dlerror())))
        }
        return .success(handle)
    }

    /// The library; skips the test without a compiler and fails it when compiling failed.
    static func handle() throws -> UnsafeMutableRawPointer {
        switch library {
        case .success(let h): return h
        case .failure(let e):
            if e.missingCompiler { throw XCTSkip(e.description) }
            XCTFail(e.description)
            throw XCTSkip("kernels not compiled")
        }
    }

    static func symbol<T>(_ name: String, as: T.Type) throws -> T {
        let symbol = try XCTUnwrap(dlsym(try handle(), name), "no symbol \(name)")
        return unsafeBitCast(symbol, to: T.self)
    }
}

/// `GPUBackend` on the CPU, for tests: memory is host memory (addresses are host addresses),
/// kernels are `KernelEmulation`'s, run block after block with one thread per block (the
/// grid-stride loops cover every element; each block writes its own reduction partial), and
/// the products are column-major calls translated to row-major `BLAS.sgemm`.
final class EmulatedGPUBackend: GPUBackend, @unchecked Sendable {
    var name: String { "emulated on the CPU" }
    /// Bytes allocated and not yet freed, the most there have been at once since `peak` was
    /// last set (to `live`, say), and the number of launches so far.
    nonisolated(unsafe) static var live = 0
    nonisolated(unsafe) static var peak = 0
    var launches = 0

    final class HostMemory {
        let pointer: UnsafeMutableRawPointer, bytes: Int
        init(bytes: Int) {
            self.bytes = bytes
            pointer = UnsafeMutableRawPointer.allocate(byteCount: max(1, bytes), alignment: 64)
            // Garbage, not zeros: a kernel that reads memory nobody wrote shows up.
            pointer.initializeMemory(as: UInt8.self, repeating: 0xA5, count: max(1, bytes))
            EmulatedGPUBackend.live += bytes
            EmulatedGPUBackend.peak = max(EmulatedGPUBackend.peak, EmulatedGPUBackend.live)
        }
        deinit { pointer.deallocate(); EmulatedGPUBackend.live -= bytes }
    }

    func allocate(bytes: Int) throws -> GPUBuffer {
        let m = HostMemory(bytes: bytes)
        return GPUBuffer(address: UInt64(UInt(bitPattern: m.pointer)), bytes: bytes, owner: m)
    }

    static func pointer(_ address: UInt64) -> UnsafeMutableRawPointer { UnsafeMutableRawPointer(bitPattern: UInt(address))! }

    func copy(from source: UnsafeRawPointer, to address: UInt64, bytes: Int) throws {
        Self.pointer(address).copyMemory(from: source, byteCount: bytes)
    }

    func copy(from address: UInt64, to destination: UnsafeMutableRawPointer, bytes: Int) throws {
        destination.copyMemory(from: Self.pointer(address), byteCount: bytes)
    }

    private var trampolines: [String: @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Void] = [:]

    func launch(_ name: String, blocks: Int, threads: Int, _ arguments: [GPUArgument]) throws {
        typealias Trampoline = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>) -> Void
        let run: Trampoline
        if let t = trampolines[name] { run = t } else {
            run = try KernelEmulation.symbol("launch_\(name)", as: Trampoline.self)
            trampolines[name] = run
        }
        let setThread = try KernelEmulation.symbol("emulate_thread", as: (@convention(c) (UInt32, UInt32, UInt32, UInt32) -> Void).self)
        launches += 1
        GPUArgument.withParameters(arguments) { params in
            let grid = UInt32(max(1, blocks))
            for b in 0..<grid { setThread(grid, 1, b, 0); run(params) }
            setThread(1, 1, 0, 0)
        }
    }

    /// Column-major `C = op(A)·op(B)` is row-major `Cᵀ = op(B)ᵀ·op(A)ᵀ`, and a column-major
    /// matrix is the row-major storage of its transpose. The products run in the kernel the
    /// CPU engine uses for the same role in this process (`GEMMKernel.chosen(for:)`: the
    /// strided batches are the Winograd products, the single products the Gram matrices and
    /// style gradients), so that the choice of kernel is not one more difference between the
    /// engines on a host whose calibration picks stylize's kernels (`GPURunTests`).
    func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float, a: UInt64, lda: Int,
              b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int) throws {
        product(.general, transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a: a, lda: lda,
                b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
    }

    func product(_ role: GEMMKernel.Role, transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                 a: UInt64, lda: Int, b: UInt64, ldb: Int, beta: Float, c: UInt64, ldc: Int) {
        BLAS.sgemm(kernel: GEMMKernel.chosen(for: role), transA: transB, transB: transA, m: n, n: m, k: k, alpha: alpha,
                   a: Self.pointer(b).assumingMemoryBound(to: Float.self), lda: ldb,
                   b: Self.pointer(a).assumingMemoryBound(to: Float.self), ldb: lda, beta: beta,
                   c: Self.pointer(c).assumingMemoryBound(to: Float.self), ldc: ldc)
    }

    func gemmStridedBatched(transB: Bool, m: Int, n: Int, k: Int, a: UInt64, lda: Int, strideA: Int,
                            b: UInt64, ldb: Int, strideB: Int, c: UInt64, ldc: Int, strideC: Int, batch: Int) throws {
        for i in 0..<batch {
            product(.winograd, transA: false, transB: transB, m: m, n: n, k: k, alpha: 1, a: a + UInt64(4 * i * strideA),
                    lda: lda, b: b + UInt64(4 * i * strideB), ldb: ldb, beta: 0, c: c + UInt64(4 * i * strideC), ldc: ldc)
        }
    }
}
