/// The CUDA C sources of the GPU engine's kernels, one per file of `Kernels/` (each a Swift
/// file holding one `.cu` translation unit as a raw string, so that the binary carries the
/// source NVRTC compiles at run time and the repository holds it once).
public enum CUDAKernelSources {
    /// (file name for NVRTC's messages, source text).
    public static let all: [(name: String, source: String)] = [elementwise, winograd, direct]
}
