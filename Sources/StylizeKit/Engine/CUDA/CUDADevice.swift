import CCUDA
import Foundation

/// One NVIDIA GPU through the CUDA driver API (loaded at run time): its primary context,
/// device memory, compiled modules and kernel launches. The GPU engine's lowest layer; the
/// GPU tests (CUDATests) check every kernel through it against its CPU counterpart.
///
/// Calls are made on the calling thread after `makeCurrent()` (the context is current per
/// thread); every failure is a `CUDAError` with the call's name and the driver's text.
public final class CUDADevice: @unchecked Sendable {
    let driver: CUDALibraries.Handle
    let device: CUdevice
    let context: CUcontext
    public let gpu: CUDAProbe.GPU
    public let driverVersion: Int

    let setCurrent: stylize_cuCtxSetCurrent_t
    let synchronizeContext: stylize_cuCtxSynchronize_t
    let alloc: stylize_cuMemAlloc_t
    let free: stylize_cuMemFree_t
    let copyIn: stylize_cuMemcpyHtoD_t
    let copyOut: stylize_cuMemcpyDtoH_t
    let loadModule: stylize_cuModuleLoadData_t
    let unloadModule: stylize_cuModuleUnload_t
    let getFunction: stylize_cuModuleGetFunction_t
    let launchKernel: stylize_cuLaunchKernel_t
    let releaseContext: stylize_cuDevicePrimaryCtxRelease_t
    let createStream: stylize_cuStreamCreate_t
    let destroyStream: stylize_cuStreamDestroy_t
    let synchronizeStream: stylize_cuStreamSynchronize_t
    let copyInAsync: stylize_cuMemcpyHtoDAsync_t
    let copyOutAsync: stylize_cuMemcpyDtoHAsync_t
    let memoryInfo: stylize_cuMemGetInfo_t

    /// The first GPU, or `CUDAError` naming what is missing (driver, device).
    public init(environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        driver = try CUDALibraries.open(.driver, environment: environment)
        driverVersion = try CUDAProbe.driverVersion(driver)
        gpu = try CUDAProbe.firstGPU(driver)  // cuInit too
        var d: CUdevice = 0
        try CUDAProbe.check(try driver.function("cuDeviceGet", as: stylize_cuDeviceGet_t.self)(&d, 0), "cuDeviceGet", driver)
        device = d
        let retain = try driver.function("cuDevicePrimaryCtxRetain", as: stylize_cuDevicePrimaryCtxRetain_t.self)
        var c: CUcontext?
        try CUDAProbe.check(retain(&c, d), "cuDevicePrimaryCtxRetain", driver)
        guard let c else { throw CUDAError.driver(call: "cuDevicePrimaryCtxRetain", code: -1, text: "no context") }
        context = c
        setCurrent = try driver.function("cuCtxSetCurrent", as: stylize_cuCtxSetCurrent_t.self)
        synchronizeContext = try driver.function("cuCtxSynchronize", as: stylize_cuCtxSynchronize_t.self)
        alloc = try driver.function("cuMemAlloc_v2", as: stylize_cuMemAlloc_t.self)
        free = try driver.function("cuMemFree_v2", as: stylize_cuMemFree_t.self)
        copyIn = try driver.function("cuMemcpyHtoD_v2", as: stylize_cuMemcpyHtoD_t.self)
        copyOut = try driver.function("cuMemcpyDtoH_v2", as: stylize_cuMemcpyDtoH_t.self)
        loadModule = try driver.function("cuModuleLoadData", as: stylize_cuModuleLoadData_t.self)
        unloadModule = try driver.function("cuModuleUnload", as: stylize_cuModuleUnload_t.self)
        getFunction = try driver.function("cuModuleGetFunction", as: stylize_cuModuleGetFunction_t.self)
        launchKernel = try driver.function("cuLaunchKernel", as: stylize_cuLaunchKernel_t.self)
        releaseContext = try driver.function("cuDevicePrimaryCtxRelease_v2", as: stylize_cuDevicePrimaryCtxRelease_t.self)
        createStream = try driver.function("cuStreamCreate", as: stylize_cuStreamCreate_t.self)
        destroyStream = try driver.function("cuStreamDestroy_v2", as: stylize_cuStreamDestroy_t.self)
        synchronizeStream = try driver.function("cuStreamSynchronize", as: stylize_cuStreamSynchronize_t.self)
        copyInAsync = try driver.function("cuMemcpyHtoDAsync_v2", as: stylize_cuMemcpyHtoDAsync_t.self)
        copyOutAsync = try driver.function("cuMemcpyDtoHAsync_v2", as: stylize_cuMemcpyDtoHAsync_t.self)
        memoryInfo = try driver.function("cuMemGetInfo_v2", as: stylize_cuMemGetInfo_t.self)
        try makeCurrent()
    }

    deinit { _ = releaseContext(device) }

    func check(_ result: CUresult, _ call: String) throws { try CUDAProbe.check(result, call, driver) }

    /// Makes this GPU's context current on the calling thread.
    public func makeCurrent() throws { try check(setCurrent(context), "cuCtxSetCurrent") }

    /// Waits for every launched kernel; a kernel's own failure surfaces here.
    public func synchronize() throws { try check(synchronizeContext(), "cuCtxSynchronize") }

    /// Free and total device memory in bytes, as the driver counts them now (other
    /// processes' and this one's allocations taken).
    public func memory() throws -> (free: Int, total: Int) {
        try makeCurrent()
        var free = 0, total = 0
        try check(memoryInfo(&free, &total), "cuMemGetInfo")
        return (free, total)
    }

    // MARK: - Streams

    /// A queue of work in this context that does not wait for other streams (non-blocking:
    /// no implicit order with stream 0 either). Each transfer launches on its own, so that a
    /// batch's jobs side by side overlap on the GPU and each waits only for its own work.
    public final class Stream: @unchecked Sendable {
        let handle: CUstream
        let device: CUDADevice
        init(handle: CUstream, device: CUDADevice) {
            self.handle = handle
            self.device = device
        }
        deinit { _ = device.destroyStream(handle) }

        /// Waits for everything queued on this stream; a kernel's failure surfaces here.
        public func synchronize() throws { try device.check(device.synchronizeStream(handle), "cuStreamSynchronize") }
    }

    public func makeStream() throws -> Stream {
        try makeCurrent()
        var h: CUstream?
        try check(createStream(&h, 1), "cuStreamCreate")
        guard let h else { throw CUDAError.driver(call: "cuStreamCreate", code: -1, text: "no stream") }
        return Stream(handle: h, device: self)
    }

    // MARK: - Memory

    /// Device memory, freed when the last reference goes.
    public final class Buffer: @unchecked Sendable {
        public let address: CUdeviceptr
        public let bytes: Int
        let device: CUDADevice
        init(address: CUdeviceptr, bytes: Int, device: CUDADevice) {
            self.address = address
            self.bytes = bytes
            self.device = device
        }
        deinit { _ = device.free(address) }
    }

    /// `bytes` of uninitialized device memory (at least 1 byte is allocated).
    public func allocate(bytes: Int) throws -> Buffer {
        var p: CUdeviceptr = 0
        try check(alloc(&p, max(1, bytes)), "cuMemAlloc (\(bytes) bytes)")
        return Buffer(address: p, bytes: bytes, device: self)
    }

    /// A device copy of `values`.
    public func upload<T>(_ values: [T]) throws -> Buffer {
        let bytes = values.count * MemoryLayout<T>.stride
        let buffer = try allocate(bytes: bytes)
        try values.withUnsafeBytes { try check(copyIn(buffer.address, $0.baseAddress!, bytes), "cuMemcpyHtoD") }
        return buffer
    }

    /// The first `count` values of `buffer`, after every launched kernel has finished.
    public func download<T>(_ buffer: Buffer, count: Int, as type: T.Type) throws -> [T] {
        precondition(count * MemoryLayout<T>.stride <= buffer.bytes, "download past the buffer's end")
        try synchronize()
        var out = [T](unsafeUninitializedCapacity: count) { _, initialized in initialized = count }
        try out.withUnsafeMutableBytes {
            try check(copyOut($0.baseAddress!, buffer.address, count * MemoryLayout<T>.stride), "cuMemcpyDtoH")
        }
        return out
    }

    // MARK: - Modules and launches

    /// A loaded CUBIN; its kernels are found by their (unmangled) names.
    public final class Module: @unchecked Sendable {
        let handle: CUmodule
        let device: CUDADevice
        init(handle: CUmodule, device: CUDADevice) {
            self.handle = handle
            self.device = device
        }
        deinit { _ = device.unloadModule(handle) }

        public func function(_ name: String) throws -> CUfunction {
            var f: CUfunction?
            try device.check(device.getFunction(&f, handle, name), "cuModuleGetFunction(\(name))")
            guard let f else { throw CUDAError.driver(call: "cuModuleGetFunction(\(name))", code: -1, text: "no function") }
            return f
        }
    }

    public func load(cubin: [UInt8]) throws -> Module {
        var m: CUmodule?
        try cubin.withUnsafeBytes { try check(loadModule(&m, $0.baseAddress!), "cuModuleLoadData") }
        guard let m else { throw CUDAError.driver(call: "cuModuleLoadData", code: -1, text: "no module") }
        return Module(handle: m, device: self)
    }

    /// The kernels of `CUDAKernelSources`, compiled for this GPU (through `cache`) and loaded.
    public func loadKernels(compiler: CUDAKernelCompiler, cache: CUDAKernelCache) throws -> [String: Module] {
        var modules: [String: Module] = [:]
        for (name, source) in CUDAKernelSources.all {
            let cubin = try cache.cubin(name: name, source: source, architecture: gpu.architecture,
                                        driverVersion: driverVersion, compiler: compiler)
            modules[name] = try load(cubin: cubin.bytes)
        }
        return modules
    }

    /// A kernel argument, passed by value as the kernel declares it.
    public enum Argument {
        case buffer(Buffer?)  // a device pointer (nil: a null pointer)
        case int32(Int32)
        case int64(Int64)
        case float(Float)
    }

    /// Launches `function` on a 1-D grid of `blocks` × `threads` (the kernels' grid-stride
    /// loops make any grid correct). Asynchronous: `synchronize()` or `download` waits.
    public func launch(_ function: CUfunction, blocks: Int, threads: Int = 256, _ arguments: [Argument]) throws {
        try launch(function, blocks: blocks, threads: threads, arguments.map { a -> GPUArgument in
            switch a {
            case .buffer(let b): return .address(UInt64(b?.address ?? 0))
            case .int32(let v): return .int32(v)
            case .int64(let v): return .int64(v)
            case .float(let v): return .float(v)
            }
        })
    }

    /// The same with `GPUBackend`'s arguments (one packing of `kernelParams` for both), on
    /// `stream` (nil: stream 0).
    func launch(_ function: CUfunction, blocks: Int, threads: Int, _ arguments: [GPUArgument], on stream: Stream? = nil) throws {
        try GPUArgument.withParameters(arguments) { params in
            try check(launchKernel(function, UInt32(max(1, blocks)), 1, 1, UInt32(threads), 1, 1, 0, stream?.handle, params, nil),
                      "cuLaunchKernel")
        }
    }
}
