import Foundation

/// `--device`: which engine runs a transfer.
public enum Device: String, Sendable, CaseIterable, OptionWord {
    /// The GPU when a usable NVIDIA GPU and its libraries are found, else the CPU (with a
    /// one-line note saying why, once per process).
    case auto
    /// `CPUEngine`, on `--threads` threads (the reference).
    case cpu
    /// `GPUEngine` on the first NVIDIA GPU (`CUDABackend`): the CUDA driver, cuBLAS and NVRTC
    /// are loaded at run time; without them the run stops with the reason, in one line.
    case cuda

    /// The default, `cpu`, until the GPU engine has passed its tests on a GPU (issue 17; it
    /// has not been lent one yet): then `auto`.
    public static let standard = Device.cpu
}

/// `--gpu-math`: how the GPU engine's matrix products (cuBLAS) compute. The kernels of
/// `CUDAKernelSources` are float32 either way.
public enum GPUMath: String, Sendable, CaseIterable, OptionWord {
    /// Strict float32 (cuBLAS's default math mode): the CPU engine's arithmetic.
    case fp32
    /// TF32 tensor cores (`CUBLAS_TF32_TENSOR_OP_MATH`): products with 10-bit mantissas
    /// in, float32 sums, as PyTorch's convolutions by default on NVIDIA GPUs since Ampere.
    case tf32
}

/// Whether this process can use a GPU, found out once (`CUDABackend` is tried on first use)
/// and kept: every `--device auto` transfer of a batch gets the same answer, and the note
/// about falling back to the CPU is given once.
public enum GPUAvailability {
    /// The first GPU's backend, made once, or why there is none. It is kept for the process's
    /// life: it holds the GPU's primary context, which would otherwise be destroyed when one
    /// job's backend goes and created again (a few hundred milliseconds) for the next.
    private static let first: Result<CUDABackend, any Error> = Result { try CUDABackend() }

    /// nil when a GPU and its libraries are usable, else why not.
    public static let problem: String? = {
        if case .failure(let error) = first { return "\(error)" }
        return nil
    }()

    /// Free device memory of the first GPU in bytes when one is usable (asked once, before a
    /// batch's jobs start: what `batch`'s default `--jobs` on a GPU is sized by), else nil.
    public static let freeBytes: Double? = {
        guard case .success(let backend) = first, let memory = try? backend.device.memory() else { return nil }
        return Double(memory.free)
    }()

    nonisolated(unsafe) private static var noted = false
    private static let lock = NSLock()

    /// The engine `device` means here: `.cpu` or `.cuda`, and for `auto` on a machine without
    /// a usable GPU a note (`no usable GPU (…); running on the CPU`), returned only the first time.
    public static func resolve(_ device: Device) -> (device: Device, note: String?) {
        guard device == .auto else { return (device, nil) }
        guard let problem else { return (.cuda, nil) }
        lock.lock(); defer { lock.unlock() }
        let first = !noted
        noted = true
        return (.cpu, first ? "no usable GPU (\(problem)); running on the CPU" : nil)
    }
}
