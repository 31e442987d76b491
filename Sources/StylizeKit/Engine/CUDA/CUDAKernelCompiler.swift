import CCUDA
import Foundation

/// Compiles the CUDA C kernels (`CUDAKernelSources`) with NVRTC, loaded at run time, to a
/// CUBIN for one GPU architecture (`sm_90` for an H100 or H200). No GPU is needed to compile:
/// `make test` compiles every kernel with NVRTC from the PyPI wheel `nvidia-cuda-nvrtc`, so a
/// syntax or type error fails the test suite on machines without a GPU.
public final class CUDAKernelCompiler: @unchecked Sendable {
    let library: CUDALibraries.Handle
    let create: stylize_nvrtcCreateProgram_t
    let compileProgram: stylize_nvrtcCompileProgram_t
    let logSize: stylize_nvrtcGetProgramLogSize_t
    let log: stylize_nvrtcGetProgramLog_t
    let cubinSize: stylize_nvrtcGetCUBINSize_t
    let getCubin: stylize_nvrtcGetCUBIN_t
    let destroy: stylize_nvrtcDestroyProgram_t
    let errorString: stylize_nvrtcGetErrorString_t
    /// NVRTC's version, "13.0".
    public let version: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        library = try CUDALibraries.open(.nvrtc, environment: environment)
        create = try library.function("nvrtcCreateProgram", as: stylize_nvrtcCreateProgram_t.self)
        compileProgram = try library.function("nvrtcCompileProgram", as: stylize_nvrtcCompileProgram_t.self)
        logSize = try library.function("nvrtcGetProgramLogSize", as: stylize_nvrtcGetProgramLogSize_t.self)
        log = try library.function("nvrtcGetProgramLog", as: stylize_nvrtcGetProgramLog_t.self)
        cubinSize = try library.function("nvrtcGetCUBINSize", as: stylize_nvrtcGetCUBINSize_t.self)
        getCubin = try library.function("nvrtcGetCUBIN", as: stylize_nvrtcGetCUBIN_t.self)
        destroy = try library.function("nvrtcDestroyProgram", as: stylize_nvrtcDestroyProgram_t.self)
        errorString = try library.function("nvrtcGetErrorString", as: stylize_nvrtcGetErrorString_t.self)
        let versionOf = try library.function("nvrtcVersion", as: stylize_nvrtcVersion_t.self)
        var major: Int32 = 0, minor: Int32 = 0
        _ = versionOf(&major, &minor)
        version = "\(major).\(minor)"
    }

    /// The options every kernel is compiled with: the architecture, C++17, and IEEE float
    /// arithmetic (no fast-math: the GPU engine must agree with the CPU engine to 1e-4).
    public static func options(architecture: String) -> [String] {
        ["--gpu-architecture=\(architecture)", "--std=c++17", "--fmad=true", "-default-device"]
    }

    /// The CUBIN of `source` (a whole `.cu` file) for `architecture` (`sm_90`), or
    /// `CUDAError.compile` with NVRTC's log.
    public func cubin(name: String, source: String, architecture: String) throws -> [UInt8] {
        var program: nvrtcProgram?
        try check(create(&program, source, name, 0, nil, nil), "nvrtcCreateProgram")
        defer { _ = destroy(&program) }
        let options = Self.options(architecture: architecture)
        let cOptions = options.map { strdup($0) }
        defer { cOptions.forEach { free($0) } }
        let result = cOptions.map { UnsafePointer($0) }.withUnsafeBufferPointer {
            compileProgram(program, Int32(options.count), $0.baseAddress)
        }
        var size = 0
        _ = logSize(program, &size)
        var text = [CChar](repeating: 0, count: max(1, size))
        if size > 0 { _ = log(program, &text) }
        guard result == 0 else { throw CUDAError.compile(name: name, log: String(cString: text)) }
        try check(cubinSize(program, &size), "nvrtcGetCUBINSize")
        var bytes = [CChar](repeating: 0, count: size)
        try check(getCubin(program, &bytes), "nvrtcGetCUBIN")
        return bytes.map { UInt8(bitPattern: $0) }
    }

    func check(_ result: nvrtcResult, _ call: String) throws {
        guard result != 0 else { return }
        throw CUDAError.nvrtc(call: call, text: errorString(result).map { String(cString: $0) } ?? "error \(result)")
    }
}

/// Compiled kernels on disk, so NVRTC runs once per kernel source, GPU architecture and driver:
/// `<cache>/<file>-<hash>-<arch>-driver<version>.cubin`, `<hash>` the FNV-1a 64-bit hash of
/// the source and the compile options. `<cache>` is `$XDG_CACHE_HOME/stylize/cuda` or
/// `~/.cache/stylize/cuda`. Files are written whole (AtomicFile) and read with a size limit.
public struct CUDAKernelCache: Sendable {
    public let directory: String
    /// No CUBIN of stylize's is near this; a larger file is not one of ours.
    static let maxBytes = 64 << 20

    public init(directory: String) { self.directory = directory }

    public static func defaultDirectory(environment: [String: String] = ProcessInfo.processInfo.environment,
                                        home: String = FileManager.default.homeDirectoryForCurrentUser.path) -> String {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? home + "/.cache"
        return base + "/stylize/cuda"
    }

    /// FNV-1a, 64 bits, of the UTF-8 bytes, as 16 hex digits.
    static func hash(_ text: String) -> String {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 { h = (h ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return String(format: "%016llx", h)
    }

    /// The file name for `name`'s `source` compiled for `architecture` under `driverVersion`.
    public func path(name: String, source: String, architecture: String, driverVersion: Int) -> String {
        let stem = name.hasSuffix(".cu") ? String(name.dropLast(3)) : name
        let key = Self.hash(source + "\u{0}" + CUDAKernelCompiler.options(architecture: architecture).joined(separator: " "))
        return "\(directory)/\(stem)-\(key)-\(architecture)-driver\(driverVersion).cubin"
    }

    /// The cached CUBIN, or one compiled now and stored; `cached` says which.
    public func cubin(name: String, source: String, architecture: String, driverVersion: Int,
                      compiler: CUDAKernelCompiler) throws -> (bytes: [UInt8], cached: Bool) {
        let file = path(name: name, source: source, architecture: architecture, driverVersion: driverVersion)
        if FileManager.default.fileExists(atPath: file),
           let bytes = try? BoundedFile.read(file, maxBytes: Self.maxBytes, what: "compiled kernel"), !bytes.isEmpty {
            return (bytes, true)
        }
        let bytes = try compiler.cubin(name: name, source: source, architecture: architecture)
        // A cache that cannot be written (read-only home) only costs a compile next time.
        if (try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)) != nil {
            try? AtomicFile.write(bytes, to: file)
        }
        return (bytes, false)
    }
}
