import CCUDA
import Foundation

/// What this machine offers for a GPU engine: the first NVIDIA GPU and the versions of the
/// driver, NVRTC and cuBLAS, or the first thing missing. `stylize --version` prints
/// `description`; nothing here needs a GPU to run (every failure path is a test).
public struct CUDAProbe: Sendable, Equatable {
    public struct GPU: Sendable, Equatable {
        public let name: String
        /// Compute capability, e.g. (9, 0) for an H100 or H200: NVRTC's `sm_90`.
        public let capability: (major: Int, minor: Int)
        public let memoryBytes: Int
        public static func == (a: GPU, b: GPU) -> Bool {
            a.name == b.name && a.capability == b.capability && a.memoryBytes == b.memoryBytes
        }
        /// `sm_90`
        public var architecture: String { "sm_\(capability.major)\(capability.minor)" }
    }

    /// The driver's CUDA version (`cuDriverGetVersion`, e.g. 13000 for 13.0), when it loaded.
    public var driverVersion: Int?
    public var gpu: GPU?
    /// NVRTC's version (major, minor) and the file it came from.
    public var nvrtc: (version: String, path: String)?
    /// cuBLAS's version and file.
    public var cublas: (version: String, path: String)?
    /// The first thing missing for the GPU engine, as one line; nil when everything is there.
    public var problem: String?

    public static func == (a: CUDAProbe, b: CUDAProbe) -> Bool {
        a.driverVersion == b.driverVersion && a.gpu == b.gpu && a.nvrtc?.version == b.nvrtc?.version
            && a.cublas?.version == b.cublas?.version && a.problem == b.problem
    }

    /// Looks, in this order: the driver and its first GPU, NVRTC, cuBLAS. Each library is loaded
    /// once per process (`dlopen` keeps it); the probe itself takes a few milliseconds.
    public static func run(environment: [String: String] = ProcessInfo.processInfo.environment) -> CUDAProbe {
        var probe = CUDAProbe()
        func note(_ line: String) { if probe.problem == nil { probe.problem = line } }
        do {
            let driver = try CUDALibraries.open(.driver, environment: environment)
            probe.driverVersion = try driverVersion(driver)
            probe.gpu = try firstGPU(driver)
        } catch {
            note("\(error)")
        }
        do {
            let lib = try CUDALibraries.open(.nvrtc, environment: environment)
            let version = try lib.function("nvrtcVersion", as: stylize_nvrtcVersion_t.self)
            var major: Int32 = 0, minor: Int32 = 0
            guard version(&major, &minor) == 0 else { throw CUDAError.nvrtc(call: "nvrtcVersion", text: "failed") }
            probe.nvrtc = ("\(major).\(minor)", lib.path)
        } catch {
            note("\(error)")
        }
        do {
            let lib = try CUDALibraries.open(.cublas, environment: environment)
            let property = try lib.function("cublasGetProperty", as: stylize_cublasGetProperty_t.self)
            var parts: [Int32] = [0, 0, 0]
            for i in 0..<3 { _ = property(Int32(i), &parts[i]) }
            probe.cublas = (parts.map(String.init).joined(separator: "."), lib.path)
        } catch {
            note("\(error)")
        }
        return probe
    }

    static func check(_ result: CUresult, _ call: String, _ driver: CUDALibraries.Handle) throws {
        guard result != 0 else { return }
        var text = "error \(result)"
        if let describe = try? driver.function("cuGetErrorString", as: stylize_cuGetErrorString_t.self) {
            var s: UnsafePointer<CChar>?
            if describe(result, &s) == 0, let s { text = String(cString: s) }
        }
        // CUDA_ERROR_NO_DEVICE (100): a driver without a GPU (or with none visible)
        if result == 100 { throw CUDAError.noDevice }
        throw CUDAError.driver(call: call, code: result, text: text)
    }

    static func driverVersion(_ driver: CUDALibraries.Handle) throws -> Int {
        let get = try driver.function("cuDriverGetVersion", as: stylize_cuDriverGetVersion_t.self)
        var v: Int32 = 0
        try check(get(&v), "cuDriverGetVersion", driver)
        return Int(v)
    }

    static func firstGPU(_ driver: CUDALibraries.Handle) throws -> GPU {
        let initialize = try driver.function("cuInit", as: stylize_cuInit_t.self)
        try check(initialize(0), "cuInit", driver)
        var count: Int32 = 0
        try check(try driver.function("cuDeviceGetCount", as: stylize_cuDeviceGetCount_t.self)(&count),
                  "cuDeviceGetCount", driver)
        guard count > 0 else { throw CUDAError.noDevice }
        var device: CUdevice = 0
        try check(try driver.function("cuDeviceGet", as: stylize_cuDeviceGet_t.self)(&device, 0), "cuDeviceGet", driver)
        var name = [CChar](repeating: 0, count: 256)
        try check(try driver.function("cuDeviceGetName", as: stylize_cuDeviceGetName_t.self)(&name, 255, device),
                  "cuDeviceGetName", driver)
        let attribute = try driver.function("cuDeviceGetAttribute", as: stylize_cuDeviceGetAttribute_t.self)
        var major: Int32 = 0, minor: Int32 = 0
        try check(attribute(&major, Int32(STYLIZE_CU_CC_MAJOR), device), "cuDeviceGetAttribute", driver)
        try check(attribute(&minor, Int32(STYLIZE_CU_CC_MINOR), device), "cuDeviceGetAttribute", driver)
        var bytes = 0
        try check(try driver.function("cuDeviceTotalMem_v2", as: stylize_cuDeviceTotalMem_t.self)(&bytes, device),
                  "cuDeviceTotalMem", driver)
        return GPU(name: String(cString: name), capability: (Int(major), Int(minor)), memoryBytes: bytes)
    }

    /// `stylize --version`'s line: `CUDA: NVIDIA H200 (sm_90, 140.4 GB), driver 13.0, NVRTC 13.0,
    /// cuBLAS 13.1.0; the GPU engine can run here` or `CUDA: none (the NVIDIA driver
    /// (libcuda.so.1) not found; …); runs use the CPU`.
    public var description: String {
        var parts: [String] = []
        if let gpu {
            parts.append("\(gpu.name) (\(gpu.architecture), \(String(format: "%.1f", Double(gpu.memoryBytes) / 1e9)) GB)")
        }
        if let driverVersion { parts.append("driver \(driverVersion / 1000).\(driverVersion % 1000 / 10)") }
        if let nvrtc { parts.append("NVRTC \(nvrtc.version)") }
        if let cublas { parts.append("cuBLAS \(cublas.version)") }
        let found = parts.isEmpty ? "none" : parts.joined(separator: ", ")
        return "CUDA: \(found)" + (problem.map { " (\($0)); runs use the CPU" } ?? "; the GPU engine can run here")
    }
}
