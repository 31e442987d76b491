import CKernels
import Foundation

/// The matrix products of the Winograd convolutions (`Winograd4`): OpenBLAS (`BLAS.sgemm`) or
/// stylize's own register-blocked kernels (`Sources/CKernels/winograd_gemm.c`, AVX-512F or
/// AVX2 with FMA), whichever is fastest on this CPU.
///
/// Why a kernel of our own: each of a tile chunk's 36 products is small (64…512 channels by
/// at most a few hundred tiles); OpenBLAS packs both operands and zeroes `C` on every call,
/// its kernel choice moves its rate by 1.5× on the same AMD CPU, and on issue 18's 16-core
/// Xeon it ran at a seventh of PyTorch's rate per core. These kernels read the transformed
/// tiles in place and pack only an 8 × 128 (AVX-512) or 6 × 128 (AVX2) block of the weights
/// at a time (docs/EXPERIMENTS.md, *Winograd's products*).
///
/// The choice is made once per process, by measurement: each candidate the CPU can run
/// multiplies one 128 × 128 by 128 × 256 Winograd-domain product (conv2's shape at 512 px),
/// best of 5, about 5 ms in all. Our kernels replace OpenBLAS only when they are at least 20 %
/// faster, so a machine where the two are level keeps OpenBLAS' bits run after run. Set
/// `STYLIZE_GEMM=blas`, `avx2` or `avx512` to fix the choice (a kernel the CPU lacks falls back
/// to the widest it has), e.g. so that separate processes on a machine where the times are
/// close to the 20 % margin give the same bits. `stylize --version` names the choice.
public enum WinogradGEMM {
    public enum Kernel: String, Sendable, CaseIterable {
        case blas = "OpenBLAS"
        case avx2 = "AVX2+FMA"
        case avx512 = "AVX-512F"

        /// The value of `STYLIZE_GEMM` that selects this kernel.
        public var environmentValue: String {
            switch self {
            case .blas: return "blas"
            case .avx2: return "avx2"
            case .avx512: return "avx512"
            }
        }
    }

    /// The widest of stylize's kernels this CPU runs, or `.blas` when it has neither.
    static let widest: Kernel = {
        switch stylize_gemm_kind() {
        case 2: return .avx512
        case 1: return .avx2
        default: return .blas
        }
    }()

    /// The kernels this CPU can run, OpenBLAS first.
    static var available: [Kernel] {
        switch widest {
        case .avx512: return [.blas, .avx2, .avx512]
        case .avx2: return [.blas, .avx2]
        case .blas: return [.blas]
        }
    }

    /// How the kernel was chosen, and the calibration's times (seconds) per candidate.
    public struct Choice: Sendable {
        public let kernel: Kernel
        public let pinned: Bool
        public let seconds: [Kernel: Double]
    }

    /// Decided on first use (Swift's lazy statics are thread-safe).
    public static let choice: Choice = {
        if let pin = ProcessInfo.processInfo.environment["STYLIZE_GEMM"]?.lowercased(), !pin.isEmpty, pin != "auto" {
            let wanted: Kernel = pin == "blas" || pin == "openblas" ? .blas : pin == "avx2" ? .avx2 : .avx512
            let kernel = available.contains(wanted) ? wanted : widest
            return Choice(kernel: kernel, pinned: true, seconds: [:])
        }
        let seconds = calibrate()
        let ours = seconds.filter { $0.key != .blas }.min { $0.value < $1.value }
        if let ours, let blas = seconds[.blas], ours.value < 0.8 * blas {
            return Choice(kernel: ours.key, pinned: false, seconds: seconds)
        }
        return Choice(kernel: .blas, pinned: false, seconds: seconds)
    }()

    public static var kernel: Kernel { choice.kernel }

    /// `stylize --version`'s line, e.g. `Winograd GEMM: AVX2+FMA (stylize's kernels; measured
    /// 0.21 ms against OpenBLAS' 0.35 ms)` or `Winograd GEMM: OpenBLAS (STYLIZE_GEMM)`.
    public static var description: String {
        let c = choice
        let name = c.kernel == .blas ? "OpenBLAS" : "\(c.kernel.rawValue) (stylize's kernels)"
        if c.pinned { return "Winograd GEMM: \(name), set by STYLIZE_GEMM" }
        let times = Kernel.allCases.compactMap { k in c.seconds[k].map { "\(k.rawValue) \(String(format: "%.3f", $0 * 1000)) ms" } }
        return "Winograd GEMM: \(name); calibration \(times.joined(separator: ", "))"
    }

    /// Times one conv2-shaped product (128 × 128 by 128 × 256) with each available kernel.
    static func calibrate() -> [Kernel: Double] {
        let m = 128, k = 128, n = 256
        var a = [Float](repeating: 0, count: m * k), b = [Float](repeating: 0, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        for i in a.indices { a[i] = Float(i % 13) * 0.01 - 0.06 }
        for i in b.indices { b[i] = Float(i % 7) * 0.02 - 0.06 }
        var seconds: [Kernel: Double] = [:]
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            for kernel in available {
                var best = Double.infinity
                for _ in 0..<5 {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    multiply(kernel, transA: false, m: m, n: n, k: k, a: ap.baseAddress!, lda: k,
                             b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                    best = min(best, Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9)
                }
                seconds[kernel] = best
            }
        } } }
        return seconds
    }

    /// `C = op(A) · B`, row-major, overwriting `C`, on the calling thread, with the chosen kernel.
    ///
    /// - `op(A)` is `m × k` (`A` is `m × k` with `lda ≥ k`, or `k × m` with `lda ≥ m` when `transA`).
    /// - `B` is `k × n` with `ldb ≥ n`; `C` is `m × n` with `ldc ≥ n`.
    ///
    /// Index equation: `C[i, j] = Σ_p op(A)[i, p] · B[p, j]`. Stylize's kernels sum over `p` in
    /// increasing order with fused multiply-adds, so splitting the columns or rows among calls
    /// does not change a bit.
    @inline(__always)
    static func multiply(transA: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        multiply(kernel, transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
    }

    /// The same with a given kernel (one of `available`).
    static func multiply(_ kernel: Kernel, transA: Bool, m: Int, n: Int, k: Int,
                         a: UnsafePointer<Float>, lda: Int,
                         b: UnsafePointer<Float>, ldb: Int,
                         c: UnsafeMutablePointer<Float>, ldc: Int) {
        guard kernel != .blas else {
            BLAS.sgemm(transA: transA, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
            return
        }
        precondition(available.contains(kernel), "\(kernel.rawValue) is not available on this CPU")
        precondition(m > 0 && n > 0 && k > 0, "GEMM sizes must be positive (m \(m), n \(n), k \(k))")
        precondition(m <= Int(Int32.max) && n <= Int(Int32.max) && k <= Int(Int32.max), "GEMM sizes too large")
        precondition(lda >= (transA ? m : k), "GEMM lda \(lda) too small")
        precondition(ldb >= n && ldc >= n, "GEMM ldb \(ldb) or ldc \(ldc) too small")
        // C[i, j] = Σ_p op(A)[i, p] · B[p, j]   (M = m, N = n, K = k)
        stylize_gemm(kernel == .avx512 ? 2 : 1, transA ? 1 : 0, Int32(m), Int32(n), Int32(k),
                     a, lda, b, ldb, c, ldc)
    }
}
