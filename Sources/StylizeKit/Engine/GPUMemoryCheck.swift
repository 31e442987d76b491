/// Whether a GPU run fits in the device's free memory, decided before it starts: a run that
/// does not fit stops with one line (`--device cuda`) or runs on the CPU after that line
/// (`--device auto`), instead of failing at an allocation halfway through a scale.
public enum GPUMemoryCheck {
    /// The share of the free memory a run may plan on: the estimate
    /// (`CostEstimate.gpuPeakBytes`) is within 3 % of the emulated count, and the driver's
    /// allocator rounds every buffer up.
    public static let usableShare = 0.95

    /// nil when `needed` bytes fit in `usableShare` of `free`; otherwise the reason, in words:
    /// `a 4096x4096 px run needs about 63 GB of GPU memory; the NVIDIA H100 has 40 GB free`.
    public static func problem(needed: Double, free: Double, gpu: String, width: Int, height: Int) -> String? {
        guard needed > usableShare * free else { return nil }
        return "a \(width)x\(height) px run needs about \(gigabytes(needed)) of GPU memory; the \(gpu) has \(gigabytes(free)) free"
    }

    static func gigabytes(_ bytes: Double) -> String {
        let g = bytes / 1e9
        return g >= 10 ? "\(Int(g.rounded())) GB" : "\((g * 10).rounded() / 10) GB"
    }
}
