/// The CUDA C sources of the GPU engine's kernels, one per file of `Kernels/` (each a Swift
/// file holding one `.cu` translation unit as a raw string, so that the binary carries the
/// source NVRTC compiles at run time and the repository holds it once).
public enum CUDAKernelSources {
    /// (file name for NVRTC's messages, source text).
    public static let all: [(name: String, source: String)] = [elementwise, winograd, direct, vectors]

    /// The names of the kernels (`__global__` functions) of file `name`, in source order.
    public static func kernelNames(in name: String) -> [String] {
        guard let source = all.first(where: { $0.name == name })?.source else { return [] }
        return kernelNames(source: source)
    }

    /// The names of the `__global__` functions of `source`, in order.
    public static func kernelNames(source: String) -> [String] {
        var names: [String] = []
        var rest = Substring(source)
        while let r = rest.range(of: "__global__ void ") {
            rest = rest[r.upperBound...]
            names.append(String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" }))
        }
        return names
    }
}
