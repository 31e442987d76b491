import XCTest
@testable import StylizeKit

/// The GPU engine's groundwork that needs no GPU (issue 17): finding and loading the CUDA
/// libraries at run time and its failure paths, the probe behind `stylize --version`, the
/// kernel sources carried in the binary, and compiling every kernel with NVRTC (`make test`
/// installs NVRTC from PyPI into `.venv-nvrtc/` and points STYLIZE_CUDA_PATH at it).
final class CUDATests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-cuda-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Every kernel file has its own name, and its source declares C linkage (the engine looks
    /// kernels up by their unmangled names).
    func testKernelSourcesAreNamedAndUnmangled() {
        XCTAssertEqual(Set(CUDAKernelSources.all.map(\.name)).count, CUDAKernelSources.all.count)
        for (name, source) in CUDAKernelSources.all {
            XCTAssertTrue(name.hasSuffix(".cu"), name)
            XCTAssertTrue(source.contains("extern \"C\" {"), name)
            XCTAssertTrue(source.contains("__global__ void"), name)
        }
    }

    /// The search order: STYLIZE_CUDA_PATH's folders, CUDA_HOME and CUDA_PATH, then the
    /// nvidia/*/lib folders of Python environments (here a fake virtual environment).
    func testLibraryFoldersInOrder() throws {
        let venv = dir + "/venv"
        for part in ["cu13", "cublas"] {
            try FileManager.default.createDirectory(atPath: "\(venv)/lib/python3.11/site-packages/nvidia/\(part)/lib",
                                                    withIntermediateDirectories: true)
        }
        try FileManager.default.createDirectory(atPath: "\(venv)/lib/python3.11/site-packages/nvidia/nolib",
                                                withIntermediateDirectories: true)
        let folders = CUDALibraries.folders(environment: ["STYLIZE_CUDA_PATH": "/a::/b", "CUDA_HOME": "/cuda",
                                                          "VIRTUAL_ENV": venv], home: dir + "/home")
        XCTAssertEqual(Array(folders.prefix(6)), ["/a", "/b", "/cuda/lib64", "/cuda/lib",
                                                  "\(venv)/lib/python3.11/site-packages/nvidia/cu13/lib",
                                                  "\(venv)/lib/python3.11/site-packages/nvidia/cublas/lib"])
        XCTAssertFalse(folders.contains { $0.contains("nolib") })
    }

    /// A file with a library's name that is not a library: the error names the library, the
    /// variable to set, and the loader's reason; nothing crashes.
    func testAFakeLibraryIsReportedNotLoaded() throws {
        try [UInt8]("not an ELF file".utf8).withUnsafeBufferPointer {
            try Data(buffer: $0).write(to: URL(fileURLWithPath: dir + "/libcublas.so.13"))
        }
        let environment = ["STYLIZE_CUDA_PATH": dir!]
        // (cuBLAS, not NVRTC: once a test has loaded NVRTC, dlopen finds it by name.)
        if (try? CUDALibraries.open(.cublas, environment: [:])) != nil {
            throw XCTSkip("the loader finds a cuBLAS of its own here")
        }
        XCTAssertThrowsError(try CUDALibraries.open(.cublas, environment: environment)) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("cuBLAS (libcublas.so) not found; set STYLIZE_CUDA_PATH"), text)
            XCTAssertTrue(text.contains("libcublas.so.13"), text)  // dlerror's reason names the file
            XCTAssertFalse(text.contains("\n"))
        }
    }

    /// Without a driver the probe says so in one line, and `--version`'s line carries it.
    func testTheProbeNamesWhatIsMissing() throws {
        let probe = CUDAProbe.run(environment: ["STYLIZE_CUDA_PATH": dir!])
        if probe.gpu != nil { throw XCTSkip("this machine has a GPU: \(probe.description)") }
        let problem = try XCTUnwrap(probe.problem)
        XCTAssertTrue(problem.contains("NVIDIA driver"), problem)
        XCTAssertTrue(probe.description.hasPrefix("CUDA: "), probe.description)
        XCTAssertTrue(probe.description.contains(problem), probe.description)
        XCTAssertFalse(probe.description.contains("\n"))
    }

    /// The cache's file names: one per source, options, architecture and driver.
    func testCacheKeys() {
        let cache = CUDAKernelCache(directory: "/c")
        let a = cache.path(name: "elementwise.cu", source: "x", architecture: "sm_90", driverVersion: 13000)
        XCTAssertTrue(a.hasPrefix("/c/elementwise-") && a.hasSuffix("-sm_90-driver13000.cubin"), a)
        XCTAssertNotEqual(a, cache.path(name: "elementwise.cu", source: "y", architecture: "sm_90", driverVersion: 13000))
        XCTAssertNotEqual(a, cache.path(name: "elementwise.cu", source: "x", architecture: "sm_80", driverVersion: 13000))
        XCTAssertNotEqual(a, cache.path(name: "elementwise.cu", source: "x", architecture: "sm_90", driverVersion: 12080))
        XCTAssertEqual(CUDAKernelCache.hash(""), "cbf29ce484222325")  // FNV-1a's offset basis
        XCTAssertEqual(CUDAKernelCache.hash("a"), "af63dc4c8601ec8c")  // its published test vector
        XCTAssertEqual(CUDAKernelCache.defaultDirectory(environment: ["XDG_CACHE_HOME": "/x"], home: "/h"), "/x/stylize/cuda")
        XCTAssertEqual(CUDAKernelCache.defaultDirectory(environment: [:], home: "/h"), "/h/.cache/stylize/cuda")
    }

    func compiler() throws -> CUDAKernelCompiler {
        do { return try CUDAKernelCompiler() } catch {
            throw XCTSkip("no NVRTC (make test installs it in .venv-nvrtc/): \(error)")
        }
    }

    /// Every kernel compiles for the H100/H200 (sm_90) and the A100 (sm_80) into an ELF CUBIN.
    func testEveryKernelCompiles() throws {
        let nvrtc = try compiler()
        for (name, source) in CUDAKernelSources.all {
            for arch in ["sm_90", "sm_80"] {
                let cubin = try nvrtc.cubin(name: name, source: source, architecture: arch)
                XCTAssertGreaterThan(cubin.count, 1000, "\(name) \(arch)")
                XCTAssertEqual(Array(cubin.prefix(4)), [0x7F, 0x45, 0x4C, 0x46], "\(name) \(arch): not an ELF file")
            }
        }
    }

    /// A kernel with an error is refused with NVRTC's message, in one line.
    func testACompileErrorIsOneLine() throws {
        let nvrtc = try compiler()
        XCTAssertThrowsError(try nvrtc.cubin(name: "bad.cu", source: "extern \"C\" __global__ void k(float *x) { x[0] = y; }",
                                             architecture: "sm_90")) { error in
            let text = "\(error)"
            XCTAssertTrue(text.hasPrefix("NVRTC could not compile bad.cu: "), text)
            XCTAssertTrue(text.contains("identifier \"y\" is undefined"), text)
            XCTAssertFalse(text.contains("\n"))
        }
    }

    /// The second request for the same kernel comes from the cache, byte for byte.
    func testTheCacheStoresAndReturnsTheCompiledKernel() throws {
        let nvrtc = try compiler()
        let cache = CUDAKernelCache(directory: dir + "/cache")
        let (name, source) = CUDAKernelSources.all[0]
        let first = try cache.cubin(name: name, source: source, architecture: "sm_90", driverVersion: 13000, compiler: nvrtc)
        XCTAssertFalse(first.cached)
        let second = try cache.cubin(name: name, source: source, architecture: "sm_90", driverVersion: 13000, compiler: nvrtc)
        XCTAssertTrue(second.cached)
        XCTAssertEqual(first.bytes, second.bytes)
        XCTAssertTrue(FileManager.default.fileExists(atPath: cache.path(name: name, source: source, architecture: "sm_90",
                                                                        driverVersion: 13000)))
    }
}
