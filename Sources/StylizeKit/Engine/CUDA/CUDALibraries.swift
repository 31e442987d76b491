import CCUDA
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Finding and loading the CUDA driver, NVRTC and cuBLAS at run time (issue 17: no build-time
/// CUDA dependency; one binary for machines with and without a GPU).
///
/// Each library is looked for, in this order, under its usual file names (`libcuda.so.1`;
/// `libnvrtc.so.13`, `.12`, `libnvrtc.so`; `libcublas.so.13`, `.12`, `libcublas.so`):
/// 1. the folders of `$STYLIZE_CUDA_PATH` (colon-separated), the one variable to point stylize
///    elsewhere;
/// 2. `$CUDA_HOME` and `$CUDA_PATH`, each with `lib64` and `lib`;
/// 3. the `nvidia/*/lib` folders of Python environments, where PyTorch's and the PyPI CUDA
///    wheels (`nvidia-cuda-nvrtc`, `nvidia-cublas`) install them: `$VIRTUAL_ENV`,
///    `$CONDA_PREFIX`, `~/.local`, `/usr/local` and `/usr` (their `lib/python3*/site-packages`
///    and `dist-packages`);
/// 4. `/usr/local/cuda/lib64` (the toolkit's default place) and `/usr/local/nvidia/lib64` (the
///    driver's, in containers);
/// 5. the dynamic loader's own search (`ld.so.conf`, `LD_LIBRARY_PATH`), by file name alone.
public enum CUDALibraries {
    public static let environmentVariable = "STYLIZE_CUDA_PATH"

    /// A library stylize loads, with the file names tried in each folder.
    public enum Library: String, CaseIterable, Sendable {
        case driver = "the NVIDIA driver (libcuda.so.1)"
        case nvrtc = "NVRTC (libnvrtc.so)"
        case cublas = "cuBLAS (libcublas.so)"

        public var fileNames: [String] {
            switch self {
            case .driver: return ["libcuda.so.1", "libcuda.so"]
            case .nvrtc: return ["libnvrtc.so.13", "libnvrtc.so.12", "libnvrtc.so"]
            case .cublas: return ["libcublas.so.13", "libcublas.so.12", "libcublas.so"]
            }
        }
    }

    /// The folders searched before the loader's own paths, in order, from `environment`.
    public static func folders(environment: [String: String],
                               home: String = FileManager.default.homeDirectoryForCurrentUser.path) -> [String] {
        var out: [String] = []
        if let list = environment[environmentVariable], !list.isEmpty {
            out += list.split(separator: ":").map(String.init).filter { !$0.isEmpty }
        }
        for key in ["CUDA_HOME", "CUDA_PATH"] {
            if let root = environment[key], !root.isEmpty { out += [root + "/lib64", root + "/lib"] }
        }
        var prefixes: [String] = []
        for key in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
            if let p = environment[key], !p.isEmpty { prefixes.append(p) }
        }
        prefixes += [home + "/.local", "/usr/local", "/usr"]
        for prefix in prefixes { out += pythonNVIDIAFolders(prefix: prefix) }
        // where the CUDA toolkit and, in containers, the driver usually are
        out += ["/usr/local/cuda/lib64", "/usr/local/nvidia/lib64"]
        var seen = Set<String>()
        return out.filter { seen.insert($0).inserted }
    }

    /// `<prefix>/lib/python3*/{site,dist}-packages/nvidia/*/lib` that exist, sorted.
    static func pythonNVIDIAFolders(prefix: String) -> [String] {
        let fm = FileManager.default
        let lib = prefix + "/lib"
        guard let pythons = try? fm.contentsOfDirectory(atPath: lib) else { return [] }
        var out: [String] = []
        for python in pythons.sorted() where python.hasPrefix("python3") {
            for packages in ["site-packages", "dist-packages"] {
                let nvidia = "\(lib)/\(python)/\(packages)/nvidia"
                guard let parts = try? fm.contentsOfDirectory(atPath: nvidia) else { continue }
                for part in parts.sorted() {
                    var isDirectory: ObjCBool = false
                    let folder = "\(nvidia)/\(part)/lib"
                    if fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue { out.append(folder) }
                }
            }
        }
        return out
    }

    /// A library opened with `dlopen`; kept open for the life of the process.
    public final class Handle: @unchecked Sendable {
        public let library: Library
        /// The file that was opened (a full path, or a bare file name the loader resolved).
        public let path: String
        let handle: UnsafeMutableRawPointer

        init(library: Library, path: String, handle: UnsafeMutableRawPointer) {
            self.library = library
            self.path = path
            self.handle = handle
        }

        /// The function `name`, as the C function-pointer type `T` of stylize_cuda.h.
        public func function<T>(_ name: String, as type: T.Type) throws -> T {
            guard let symbol = dlsym(handle, name) else { throw CUDAError.missingFunction(name, in: path) }
            return unsafeBitCast(symbol, to: type)
        }
    }

    /// Opens `library` from the first folder that has one of its file names, then by file name
    /// through the loader. Throws `CUDAError.libraryNotFound` naming what was searched.
    public static func open(_ library: Library, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Handle {
        let fm = FileManager.default
        var failures: [String] = []
        for folder in folders(environment: environment) {
            for name in library.fileNames where fm.fileExists(atPath: folder + "/" + name) {
                let path = folder + "/" + name
                if let h = dlopen(path, RTLD_NOW | RTLD_LOCAL) { return Handle(library: library, path: path, handle: h) }
                failures.append(String(cString: dlerror()))
            }
        }
        for name in library.fileNames {
            if let h = dlopen(name, RTLD_NOW | RTLD_LOCAL) { return Handle(library: library, path: name, handle: h) }
        }
        throw CUDAError.libraryNotFound(library, failures: failures)
    }
}

/// What went wrong finding or using CUDA, as one readable line.
public enum CUDAError: Error, CustomStringConvertible, Equatable {
    case libraryNotFound(CUDALibraries.Library, failures: [String])
    case missingFunction(String, in: String)
    case driver(call: String, code: Int32, text: String)
    case noDevice
    case nvrtc(call: String, text: String)
    case compile(name: String, log: String)

    public var description: String {
        switch self {
        case let .libraryNotFound(library, failures):
            let tail = failures.first.map { " (\($0))" } ?? ""
            return "\(library.rawValue) not found; set \(CUDALibraries.environmentVariable) to the folder that has it\(tail)"
        case let .missingFunction(name, path):
            return "\(path) has no function \(name) (too old a version?)"
        case let .driver(call, code, text):
            return "the NVIDIA driver failed: \(call) returned \(code) (\(text))"
        case .noDevice:
            return "the NVIDIA driver found no GPU"
        case let .nvrtc(call, text):
            return "NVRTC failed: \(call): \(text)"
        case let .compile(name, log):
            let first = log.split(separator: "\n").first { $0.contains("error") } ?? log.split(separator: "\n").first ?? ""
            return "NVRTC could not compile \(name): \(first)"
        }
    }
}
