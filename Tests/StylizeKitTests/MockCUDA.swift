import Foundation
import XCTest
@testable import StylizeKit

/// A stand-in NVIDIA driver (`libcuda.so.1`) and cuBLAS (`libcublas.so.13`), written here in C
/// and compiled by the toolchain's clang once per test process, so that `CUDADevice`,
/// `CUDABLAS` and `CUDABackend` (the layer the emulated backend leaves out: library loading,
/// the driver calls, `kernelParams`, cuBLAS's column-major arguments, streams) run on machines
/// without a GPU, in this process and in a `stylize` process of its own. Memory is host memory;
/// a kernel launch calls back into Swift (in a `stylize` process: into the emulation's library
/// that `STYLIZE_MOCK_KERNELS` names), which runs the kernel as `KernelEmulation`'s C++ build,
/// block after block; the products are plain
/// column-major loops written to cuBLAS's definition (`beta = 0` ignores `C`). NVRTC is the
/// real one (its CUBIN must start with ELF's magic, and is otherwise unused). The libraries
/// have no soname, so a plain `dlopen("libcuda.so.1")` elsewhere in the process never finds them.
///
/// The driver counts what the tests check: launches and products by stream (none may go to
/// stream 0: every transfer has its own), streams created with the non-blocking flag and
/// still alive, and device bytes allocated and not freed.
enum MockCUDA {
    static let driverSource = #"""
        #include <stdlib.h>
        #include <string.h>
        #include <stdio.h>
        #include <dlfcn.h>
        #include <pthread.h>
        typedef int CUresult;
        typedef unsigned long long CUdeviceptr;
        typedef void (*mock_launcher)(const char *, unsigned, void **, void *);
        static mock_launcher launcher;
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static long long live_bytes, launches, default_launches, streams_live, blocking_streams;
        static size_t free_bytes = 12ull << 30;
        static int context_token, stream_magic = 0x5757;
        struct stream { int magic; };
        struct block { size_t bytes; };
        void mock_set_launcher(mock_launcher f) { launcher = f; }
        void mock_set_free(size_t bytes) { free_bytes = bytes; }
        void mock_counts(long long *out) {
            pthread_mutex_lock(&lock);
            out[0] = live_bytes; out[1] = launches; out[2] = default_launches; out[3] = streams_live; out[4] = blocking_streams;
            pthread_mutex_unlock(&lock);
        }
        static int valid(void *s) { return s && ((struct stream *)s)->magic == stream_magic; }
        /* Without a launcher (a stylize process, not the test's): the emulation's kernels from
           $STYLIZE_MOCK_KERNELS, block after block, as the test's launcher runs them. */
        static void *kernels;
        static int run_emulated(const char *name, unsigned grid, void **params) {
            if (!kernels) { const char *path = getenv("STYLIZE_MOCK_KERNELS"); kernels = path ? dlopen(path, RTLD_NOW | RTLD_LOCAL) : 0; }
            if (!kernels) return 500;
            char symbol[256];
            snprintf(symbol, sizeof symbol, "launch_%s", name);
            void (*run)(void **) = (void (*)(void **))dlsym(kernels, symbol);
            void (*thread)(unsigned, unsigned, unsigned, unsigned) = (void (*)(unsigned, unsigned, unsigned, unsigned))dlsym(kernels, "emulate_thread");
            if (!run || !thread) return 500;
            for (unsigned b = 0; b < (grid ? grid : 1); b++) { thread(grid, 1, b, 0); run(params); }
            thread(1, 1, 0, 0);
            return 0;
        }
        CUresult cuInit(unsigned flags) { return flags == 0 ? 0 : 1; }
        CUresult cuDriverGetVersion(int *v) { *v = 13000; return 0; }
        CUresult cuDeviceGetCount(int *n) { *n = 1; return 0; }
        CUresult cuDeviceGet(int *d, int ordinal) { *d = 0; return ordinal == 0 ? 0 : 101; }
        CUresult cuDeviceGetName(char *name, int length, int d) { strncpy(name, "Mock GPU", length); return 0; }
        CUresult cuDeviceGetAttribute(int *v, int attribute, int d) { *v = attribute == 75 ? 9 : 0; return attribute == 75 || attribute == 76 ? 0 : 1; }
        CUresult cuDeviceTotalMem_v2(size_t *bytes, int d) { *bytes = 16ull << 30; return 0; }
        CUresult cuGetErrorString(CUresult e, const char **text) { *text = "mock driver error"; return 0; }
        CUresult cuDevicePrimaryCtxRetain(void **c, int d) { *c = &context_token; return 0; }
        CUresult cuDevicePrimaryCtxRelease_v2(int d) { return 0; }
        CUresult cuCtxSetCurrent(void *c) { return c == &context_token ? 0 : 201; }
        CUresult cuCtxSynchronize(void) { return 0; }
        CUresult cuMemGetInfo_v2(size_t *f, size_t *t) {
            const char *e = getenv("STYLIZE_MOCK_FREE_BYTES");  /* a stylize process's free memory */
            *f = e ? strtoull(e, 0, 10) : free_bytes; *t = 16ull << 30;
            return 0;
        }
        CUresult cuMemAlloc_v2(CUdeviceptr *p, size_t bytes) {
            struct block *b = malloc(sizeof(struct block) + (bytes ? bytes : 1));
            if (!b) return 2;
            b->bytes = bytes;
            memset(b + 1, 0xA5, bytes);  /* garbage, as a real allocation */
            pthread_mutex_lock(&lock); live_bytes += bytes; pthread_mutex_unlock(&lock);
            *p = (CUdeviceptr)(b + 1);
            return 0;
        }
        CUresult cuMemFree_v2(CUdeviceptr p) {
            struct block *b = (struct block *)p - 1;
            pthread_mutex_lock(&lock); live_bytes -= b->bytes; pthread_mutex_unlock(&lock);
            free(b);
            return 0;
        }
        CUresult cuMemcpyHtoD_v2(CUdeviceptr d, const void *s, size_t n) { memcpy((void *)d, s, n); return 0; }
        CUresult cuMemcpyDtoH_v2(void *d, CUdeviceptr s, size_t n) { memcpy(d, (const void *)s, n); return 0; }
        CUresult cuMemcpyHtoDAsync_v2(CUdeviceptr d, const void *s, size_t n, void *st) { if (!valid(st)) return 400; memcpy((void *)d, s, n); return 0; }
        CUresult cuMemcpyDtoHAsync_v2(void *d, CUdeviceptr s, size_t n, void *st) { if (!valid(st)) return 400; memcpy(d, (const void *)s, n); return 0; }
        CUresult cuStreamCreate(void **s, unsigned flags) {
            struct stream *st = malloc(sizeof(struct stream));
            st->magic = stream_magic;
            pthread_mutex_lock(&lock); streams_live++; if (flags != 1) blocking_streams++; pthread_mutex_unlock(&lock);
            *s = st;
            return 0;
        }
        CUresult cuStreamDestroy_v2(void *s) {
            if (!valid(s)) return 400;
            ((struct stream *)s)->magic = 0;
            pthread_mutex_lock(&lock); streams_live--; pthread_mutex_unlock(&lock);
            return 0;  /* not freed: a later use of it must still read as invalid */
        }
        CUresult cuStreamSynchronize(void *s) { return valid(s) ? 0 : 400; }
        CUresult cuModuleLoadData(void **m, const void *image) {
            const unsigned char *p = image;
            if (!p || p[0] != 0x7F || p[1] != 'E' || p[2] != 'L' || p[3] != 'F') return 200;  /* not a CUBIN */
            *m = malloc(1);
            return 0;
        }
        CUresult cuModuleUnload(void *m) { free(m); return 0; }
        CUresult cuModuleGetFunction(void **f, void *m, const char *name) { *f = strdup(name); return 0; }
        CUresult cuLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz, unsigned bx, unsigned by, unsigned bz,
                                unsigned shared, void *stream, void **params, void **extra) {
            if (gy != 1 || gz != 1 || by != 1 || bz != 1 || extra) return 1;
            if (stream && !valid(stream)) return 400;
            pthread_mutex_lock(&lock);
            launches++; if (!stream) default_launches++;
            int status = 0;  /* one launch at a time: the emulation has one thread index */
            if (launcher) launcher((const char *)f, gx, params, stream); else status = run_emulated((const char *)f, gx, params);
            pthread_mutex_unlock(&lock);
            return status;
        }
        """#

    static let cublasSource = #"""
        #include <stdlib.h>
        #include <pthread.h>
        struct handle { int magic; void *stream; int math; };
        static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
        static long long products, default_products, handles_live, tf32_products;
        void mock_blas_counts(long long *out) {
            pthread_mutex_lock(&lock);
            out[0] = products; out[1] = default_products; out[2] = handles_live; out[3] = tf32_products;
            pthread_mutex_unlock(&lock);
        }
        int cublasCreate_v2(void **h) {
            struct handle *p = calloc(1, sizeof(struct handle)); p->magic = 0xB1A5; *h = p;
            pthread_mutex_lock(&lock); handles_live++; pthread_mutex_unlock(&lock);
            return 0;
        }
        int cublasDestroy_v2(void *h) {
            ((struct handle *)h)->magic = 0; free(h);
            pthread_mutex_lock(&lock); handles_live--; pthread_mutex_unlock(&lock);
            return 0;
        }
        int cublasSetStream_v2(void *h, void *s) { ((struct handle *)h)->stream = s; return 0; }
        int cublasSetMathMode(void *h, int mode) { ((struct handle *)h)->math = mode; return mode == 0 || mode == 3 ? 0 : 7; }
        int cublasGetProperty(int type, int *v) { *v = type == 0 ? 13 : type == 1 ? 1 : 0; return 0; }
        static void gemm(int ta, int tb, int m, int n, int k, float alpha, const float *a, int lda,
                         const float *b, int ldb, float beta, float *c, int ldc) {
            for (int j = 0; j < n; j++)
                for (int i = 0; i < m; i++) {
                    float s = 0;
                    for (int p = 0; p < k; p++)
                        s += (ta ? a[p + (long)i * lda] : a[i + (long)p * lda]) * (tb ? b[j + (long)p * ldb] : b[p + (long)j * ldb]);
                    c[i + (long)j * ldc] = alpha * s + (beta == 0 ? 0 : beta * c[i + (long)j * ldc]);
                }
        }
        static int count(void *h) {
            struct handle *p = h;
            if (p->magic != 0xB1A5) return 1;
            pthread_mutex_lock(&lock); products++; if (!p->stream) default_products++; if (p->math == 3) tf32_products++; pthread_mutex_unlock(&lock);
            return 0;
        }
        int cublasSgemm_v2(void *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *a, int lda,
                           const float *b, int ldb, const float *beta, float *c, int ldc) {
            if (count(h)) return 1;
            if (lda < (ta ? k : m) || ldb < (tb ? n : k) || ldc < m) return 7;  /* CUBLAS_STATUS_INVALID_VALUE */
            gemm(ta, tb, m, n, k, *alpha, a, lda, b, ldb, *beta, c, ldc);
            return 0;
        }
        int cublasSgemmStridedBatched(void *h, int ta, int tb, int m, int n, int k, const float *alpha, const float *a, int lda,
                                      long long sa, const float *b, int ldb, long long sb, const float *beta, float *c, int ldc,
                                      long long sc, int batch) {
            if (count(h)) return 1;
            if (lda < (ta ? k : m) || ldb < (tb ? n : k) || ldc < m) return 7;
            for (int i = 0; i < batch; i++) gemm(ta, tb, m, n, k, *alpha, a + i * sa, lda, b + i * sb, ldb, *beta, c + i * sc, ldc);
            return 0;
        }
        """#

    /// The folder with both libraries and the emulation's kernels (`kernels.so`, for a
    /// stylize process: `STYLIZE_MOCK_KERNELS`), or why there is none (no compiler: the tests skip).
    static let folder: Result<String, KernelEmulation.EmulationError> = build()

    static func build() -> Result<String, KernelEmulation.EmulationError> {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"
        guard let clang = path.split(separator: ":").map({ "\($0)/clang++" })
            .first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            return .failure(KernelEmulation.EmulationError(description: "no clang++ on PATH"))
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-mock-cuda-\(UUID().uuidString)").path
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for (source, library, language) in [(driverSource, "libcuda.so.1", "c"), (cublasSource, "libcublas.so.13", "c"),
                                            (KernelEmulation.source, "kernels.so", "c++")] {
            try? source.write(toFile: dir + "/\(library).src", atomically: true, encoding: .utf8)
            let p = Process()
            p.executableURL = URL(fileURLWithPath: clang)
            p.arguments = ["-x", language] + (language == "c++" ? ["-std=c++17", "-O1"] : ["-O2"])
                + ["-shared", "-fPIC", "-pthread", "-o", dir + "/" + library, dir + "/\(library).src", "-ldl"]
            let err = Pipe()
            p.standardError = err
            do { try p.run() } catch { return .failure(.init(description: "\(clang): \(error)")) }
            let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            p.waitUntilExit()
            guard p.terminationStatus == 0 else { return .failure(.init(description: "clang failed on the mock \(library): \(message)")) }
        }
        return .success(dir)
    }

    /// The environment that makes `CUDABackend` load the mock libraries (and the real NVRTC
    /// from this process's `STYLIZE_CUDA_PATH`), with the kernel cache in `cache`; skips
    /// without a compiler or NVRTC.
    static func environment(cache: String) throws -> [String: String] {
        let environment = try commandEnvironment(cache: cache)
        try symbol("libcuda.so.1", "mock_set_launcher", as: (@convention(c) (Launcher) -> Void).self)(launch)
        return environment
    }

    /// The environment of a `stylize` process on the mock (its kernels from `kernels.so`):
    /// this process's, with `STYLIZE_CUDA_PATH` led by the mock's folder, the kernel cache in
    /// `cache` and `STYLIZE_MOCK_KERNELS`; skips without a compiler or NVRTC.
    static func commandEnvironment(cache: String) throws -> [String: String] {
        _ = try KernelEmulation.handle()
        let dir: String
        switch folder {
        case .success(let d): dir = d
        case .failure(let e):
            if e.missingCompiler { throw XCTSkip(e.description) }
            XCTFail(e.description)
            throw XCTSkip("no mock")
        }
        var environment = ProcessInfo.processInfo.environment
        environment["STYLIZE_CUDA_PATH"] = dir + ":" + (environment["STYLIZE_CUDA_PATH"] ?? "")
        environment["XDG_CACHE_HOME"] = cache
        environment["STYLIZE_MOCK_KERNELS"] = dir + "/kernels.so"
        do { _ = try CUDAKernelCompiler(environment: environment) } catch {
            throw XCTSkip("no NVRTC (make test installs it in .venv-nvrtc/): \(error)")
        }
        return environment
    }

    typealias Launcher = @convention(c) (UnsafePointer<CChar>?, UInt32, UnsafeMutablePointer<UnsafeMutableRawPointer?>?,
                                         UnsafeMutableRawPointer?) -> Void

    /// Runs a launch as `EmulatedGPUBackend` does (called under the driver's lock).
    static let launch: Launcher = { name, grid, params, _ in
        typealias Trampoline = @convention(c) (UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Void
        guard let name, let library = try? KernelEmulation.handle(),
              let symbol = dlsym(library, "launch_" + String(cString: name)), let threads = dlsym(library, "emulate_thread") else {
            fatalError("the mock driver was asked for a kernel the emulation does not have")
        }
        let run = unsafeBitCast(symbol, to: Trampoline.self)
        let setThread = unsafeBitCast(threads, to: (@convention(c) (UInt32, UInt32, UInt32, UInt32) -> Void).self)
        for b in 0..<max(1, grid) { setThread(grid, 1, b, 0); run(params) }
        setThread(1, 1, 0, 0)
    }

    /// `name` in the mock library `library` (`libcuda.so.1`, `libcublas.so.13`) as `T`.
    static func symbol<T>(_ library: String, _ name: String, as: T.Type) throws -> T {
        let handle = try XCTUnwrap(dlopen(try folder.get() + "/" + library, RTLD_NOW | RTLD_LOCAL))
        return unsafeBitCast(try XCTUnwrap(dlsym(handle, name), "no \(name) in the mock \(library)"), to: T.self)
    }

    typealias Counts = @convention(c) (UnsafeMutablePointer<Int64>) -> Void

    /// The driver's counts: live device bytes, launches, launches on stream 0, streams alive,
    /// streams created without the non-blocking flag.
    static func counts() throws -> [Int64] {
        var out = [Int64](repeating: 0, count: 5)
        try symbol("libcuda.so.1", "mock_counts", as: Counts.self)(&out)
        return out
    }

    /// cuBLAS's counts: products, products on stream 0, handles alive, products in TF32 mode.
    static func blasCounts() throws -> [Int64] {
        var out = [Int64](repeating: 0, count: 4)
        try symbol("libcublas.so.13", "mock_blas_counts", as: Counts.self)(&out)
        return out
    }

    /// Sets the free device memory the mock reports.
    static func setFree(_ bytes: Int) throws {
        try symbol("libcuda.so.1", "mock_set_free", as: (@convention(c) (Int) -> Void).self)(bytes)
    }
}
