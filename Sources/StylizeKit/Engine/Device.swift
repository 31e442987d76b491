/// `--device`: which engine runs a transfer.
public enum Device: String, Sendable, CaseIterable {
    /// `CPUEngine`, on `--threads` threads (the default, and the reference).
    case cpu
    /// `GPUEngine` on the first NVIDIA GPU (`CUDABackend`): the CUDA driver, cuBLAS and NVRTC
    /// are loaded at run time; without them the run stops with the reason.
    case gpu

    public static var words: [String] { allCases.map(\.rawValue) }
}
