import CKernels
import Foundation

/// Which code computes stylize's matrix products (`BLAS.sgemm`): OpenBLAS, or stylize's own
/// register-blocked kernels (`Sources/CKernels/sgemm.c`, AVX-512F or AVX2 with FMA),
/// whichever is fastest on this CPU.
///
/// Why kernels of our own: the Winograd convolutions' products (about 85 % of an
/// evaluation's multiply-adds) are small (64…512 channels by at most a few hundred tiles);
/// OpenBLAS packs both operands and zeroes `C` on every call, its kernel choice moves its
/// rate by 1.5× on the same AMD CPU, and on issue 18's 16-core Xeon it ran at a seventh of
/// PyTorch's rate per core. Ours read the row-major `B` in place and pack only an 8 × 128
/// (AVX-512) or 6 × 128 (AVX2) block of `A` at a time (docs/EXPERIMENTS.md, *Matrix
/// products in our own kernels*).
///
/// The choice is made once per process and per `Role`, by measurement: each candidate the CPU
/// can run computes a Winograd-domain product forward (conv2's shape at 512 px, the weights
/// packed once for ours) and backward and, separately, a Gram matrix and a style gradient,
/// the candidates taking turns, best of 7 rounds, about 30 ms in all. Each role has a holder:
/// our fastest kernel for the Winograd products, OpenBLAS for the others (`Role.oursByDefault`);
/// the other side takes a role only when it is at least 20 % faster there, so a machine where
/// the two are level keeps the same bits run after run. OpenBLAS is also left out where it
/// gives that role's products other bits when they are computed in pieces
/// (its Haswell and Zen kernels: `keepsBitsInPieces`), which would make results depend on the
/// thread count. Set
/// `STYLIZE_GEMM=blas`, `avx2` or `avx512` to fix the choice (a kernel the CPU lacks falls back
/// to the widest it has; `STYLIZE_GEMM=avx2,blas` sets the Winograd and the other products
/// apart), e.g. so that separate processes on a machine where the times are
/// close to the 20 % margin give the same bits. `stylize --version` names the choice.
public enum GEMMKernel: String, Sendable, CaseIterable {
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

    /// `stylize_gemm`'s `kind` for one of our kernels (2 AVX-512F, 1 AVX2+FMA).
    var kind: Int32 { self == .avx512 ? 2 : 1 }

    /// The widest of stylize's kernels this CPU runs, or `.blas` when it has neither.
    static let widest: GEMMKernel = {
        switch stylize_gemm_kind() {
        case 2: return .avx512
        case 1: return .avx2
        default: return .blas
        }
    }()

    /// The kernels this CPU can run, OpenBLAS first (decided once: `BLAS.sgemm` checks it on
    /// every call).
    public static let available: [GEMMKernel] = {
        switch widest {
        case .avx512: return [.blas, .avx2, .avx512]
        case .avx2: return [.blas, .avx2]
        case .blas: return [.blas]
        }
    }()

    /// The two kinds of product, timed and chosen separately: the Winograd-domain products
    /// (small and square-ish, about 85 % of the multiply-adds) and the rest (the Gram
    /// matrices, long and thin with `B` transposed; the style gradients, accumulating into a
    /// long `C`; conv1_1's im2col and col2im).
    public enum Role: String, Sendable, CaseIterable {
        case winograd = "Winograd"
        case general = "other"

        /// Whether stylize's kernels hold this role unless OpenBLAS beats them by the margin
        /// (`true`, the Winograd products), or OpenBLAS holds it unless ours beat it (`false`).
        /// Ours keep the Winograd products: they use the weights packed once, their bits do not
        /// depend on which kernel OpenBLAS picks for the CPU at run time, and a whole 512 px run
        /// with them was about 5 % faster on the 2-core EPYC where the calibration's pair of
        /// products gives them only 13–14 % (docs/EXPERIMENTS.md, *The held-out squares once more*).
        public var oursByDefault: Bool { self == .winograd }
    }

    /// How much faster the other side must be to take a role from its holder (`oursByDefault`):
    /// 20 %, so a machine where the two are level keeps the same bits run after run.
    static let takeoverRatio = 0.8

    /// The rule, on one role's best times (seconds) of our fastest kernel and of OpenBLAS:
    /// whether ours run it. Where ours hold the role, OpenBLAS takes it only at under 0.8 of
    /// our time; where OpenBLAS holds it, ours take it only at under 0.8 of its time.
    static func oursRun(_ role: Role, ours: Double, blas: Double) -> Bool {
        role.oursByDefault ? blas >= takeoverRatio * ours : ours < takeoverRatio * blas
    }

    /// How the kernels were chosen, and the calibration's times (seconds) per role and candidate.
    public struct Choice: Sendable {
        public let kernels: [Role: GEMMKernel]
        public let pinned: Bool
        public let seconds: [Role: [GEMMKernel: Double]]
        /// A `STYLIZE_GEMM` value that was not understood (and so ignored).
        public let ignored: String?
        /// The roles where OpenBLAS gave a product other bits when it was computed in pieces
        /// (`keepsBitsInPieces`), and so was left out: results would have depended on the
        /// thread count.
        public var piecesChangeBits: Set<Role> = []
    }

    /// Decided on first use (Swift's lazy statics are thread-safe).
    public static let choice: Choice = {
        if let pin = ProcessInfo.processInfo.environment["STYLIZE_GEMM"]?.lowercased(), !pin.isEmpty, pin != "auto" {
            // "KERNEL" for both roles, or "WINOGRAD,OTHER"; anything else is ignored (and said so)
            let names = pin.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func kernel(_ name: String) -> GEMMKernel? {
                switch name {
                case "blas", "openblas": return .blas
                case "avx2": return available.contains(.avx2) ? .avx2 : widest
                case "avx512": return widest
                default: return nil
                }
            }
            if names.count <= 2, let w = kernel(names[0]), let g = kernel(names.count > 1 ? names[1] : names[0]) {
                return Choice(kernels: [.winograd: w, .general: g], pinned: true, seconds: [:], ignored: nil)
            }
            return calibrated(ignoring: pin)
        }
        return calibrated(ignoring: nil)
    }()

    /// The choice by timing each candidate. OpenBLAS is a candidate for a role only where it
    /// gives that role's products the same bits in pieces as whole (`keepsBitsInPieces`);
    /// where it does not and this CPU runs one of our kernels, the fastest of ours is taken.
    static func calibrated(ignoring pin: String?) -> Choice {
        var kernels: [Role: GEMMKernel] = [:], seconds: [Role: [GEMMKernel: Double]] = [:]
        var piecesChangeBits: Set<Role> = []
        for role in Role.allCases {
            let times = calibrate(role)
            seconds[role] = times
            kernels[role] = .blas
            guard let ours = times.filter({ $0.key != .blas }).min(by: { $0.value < $1.value }) else { continue }
            if !keepsBitsInPieces(role, kernel: .blas) {
                piecesChangeBits.insert(role)
                kernels[role] = ours.key
            } else if let blas = times[.blas], oursRun(role, ours: ours.value, blas: blas) {
                kernels[role] = ours.key
            }
        }
        return Choice(kernels: kernels, pinned: false, seconds: seconds, ignored: pin, piecesChangeBits: piecesChangeBits)
    }

    /// The kernel this process uses for `role`'s products.
    public static func chosen(for role: Role) -> GEMMKernel { choice.kernels[role] ?? .blas }

    /// Winograd products with at most this many tiles (columns) are "narrow": the deep layers
    /// at the coarse scales (conv4 at 128 px has 16 tiles, conv5_1 4). There OpenBLAS spends
    /// most of each call packing the weights `U[ξ]` (512 × 512) for a product of a few columns
    /// (38 % of a 128 px evaluation's time went to its packing routines), while stylize's
    /// kernels can use `U` packed once (`Winograd4`): conv4_2 at 128 px took 1.8 + 2.5 ms
    /// forward and backward against OpenBLAS' 3.7 + 3.7 (docs/EXPERIMENTS.md, *Weights packed
    /// once*).
    public static let narrowTiles = 64

    /// `STYLIZE_GEMM_NARROW=1`: run the narrow Winograd products in our widest kernel even where
    /// the calibration keeps OpenBLAS for the others. Not the default: it changes every run's
    /// bits (the coarse scales' products round differently), and with it `make eval`'s
    /// coffee × te fare, 0.4 % below PyTorch's score by default, ended 0.05 % above it
    /// (docs/EXPERIMENTS.md, *Weights packed once*).
    static let narrowInOurs = ProcessInfo.processInfo.environment["STYLIZE_GEMM_NARROW"] == "1"

    /// The kernel for narrow Winograd products when `wide` runs the others: `wide`, unless
    /// `STYLIZE_GEMM_NARROW=1` (and `STYLIZE_GEMM` does not pin the choice) moves them from
    /// OpenBLAS to the widest of ours this CPU has.
    public static func narrow(besides wide: GEMMKernel) -> GEMMKernel {
        wide != .blas || choice.pinned || !narrowInOurs ? wide : widest
    }

    /// Whether the Winograd layers keep a copy of their weights packed for our kernels (as
    /// large as the transformed weights: 156 MB for VGG16), i.e. whether any of their products
    /// runs in our kernels with this process's choice.
    public static var packsWinogradWeights: Bool { narrow(besides: chosen(for: .winograd)) != .blas }

    /// `stylize --version`'s line, e.g. `GEMM: AVX-512F (stylize's kernels) for Winograd
    /// products (OpenBLAS 0.174 ms, AVX2+FMA 0.216 ms, AVX-512F 0.151 ms); OpenBLAS for other
    /// products (…)`, or
    /// `GEMM: OpenBLAS, set by STYLIZE_GEMM`.
    public static var description: String {
        let c = choice
        func name(_ k: GEMMKernel) -> String { k == .blas ? "OpenBLAS" : "\(k.rawValue) (stylize's kernels)" }
        if c.pinned {
            let w = chosen(for: .winograd), g = chosen(for: .general)
            return w == g ? "GEMM: \(name(w)), set by STYLIZE_GEMM"
                : "GEMM: \(name(w)) for Winograd products, \(name(g)) for other products, set by STYLIZE_GEMM"
        }
        let parts = Role.allCases.map { role -> String in
            let times = allCases.compactMap { k in c.seconds[role]?[k].map { "\(k.rawValue) \(String(format: "%.3f", $0 * 1000)) ms" } }
            let pieces = c.piecesChangeBits.contains(role) ? "; OpenBLAS left out: here it rounds a product computed in pieces differently" : ""
            return "\(name(chosen(for: role))) for \(role.rawValue) products (\(times.joined(separator: ", "))\(pieces))"
        }
        let note = c.ignored.map { "; STYLIZE_GEMM='\($0)' ignored: use blas, avx2, avx512 or WINOGRAD,OTHER" } ?? ""
        return "GEMM: " + parts.joined(separator: "; ") + note
    }

    /// Times `role`'s products with each available kernel, best of `calibrationRounds`
    /// (`bestTimes`), as the network runs them: for `.winograd` one conv2-shaped forward
    /// product (128 × 128 by 128 × 256) and the backward product with `A` transposed, `A` and
    /// `Aᵀ` packed once beforehand for our kernels as `Winograd4` packs its weights; for
    /// `.general` a Gram matrix (64 × 4096 by its transpose) and a style gradient (64 × 64 by
    /// 64 × 4096, added into C), together.
    ///
    /// Timed this way our AVX-512 kernels take 13–14 % less time than OpenBLAS for the Winograd
    /// pair on the 2-core EPYC (0.145–0.152 ms against 0.168–0.175), the forward product alone
    /// 26 % less (at this size `A` stays in cache, so packing `Aᵀ` hardly shows here);
    /// a whole 512 px run with them is about 5 % faster, as the products there come from
    /// memory rather than cache (docs/EXPERIMENTS.md, *The held-out squares once more*).
    static func calibrate(_ role: Role) -> [GEMMKernel: Double] {
        let (m, k, n) = role == .winograd ? (128, 128, 256) : (64, 64, 4096)
        var a = [Float](repeating: 0, count: m * max(k, n)), b = [Float](repeating: 0, count: k * n)
        var c = [Float](repeating: 0, count: m * n)
        for i in a.indices { a[i] = Float(i % 13) * 0.01 - 0.06 }
        for i in b.indices { b[i] = Float(i % 7) * 0.02 - 0.06 }
        var packed: [GEMMKernel: (forward: [Float], backward: [Float])] = [:]
        if role == .winograd {
            for kernel in available where kernel != .blas {
                packed[kernel] = a.withUnsafeBufferPointer {
                    (BLAS.pack(kernel: kernel, m: m, k: k, a: $0.baseAddress!, lda: k),
                     BLAS.pack(kernel: kernel, transA: true, m: m, k: k, a: $0.baseAddress!, lda: m))
                }
            }
        }
        return a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in c.withUnsafeMutableBufferPointer { cp in
            bestTimes(available, rounds: calibrationRounds) { kernel in
                let t0 = DispatchTime.now().uptimeNanoseconds
                if role == .winograd {
                    // forward:  M[ξ] = U[ξ] · V[ξ]    (M = 128, N = 256, K = 128)
                    // backward: M[ξ] = U[ξ]ᵀ · V[ξ]   (the same sizes)
                    // Ours read U and Uᵀ packed once, as `Winograd4` keeps them; OpenBLAS packs on each call.
                    if let p = packed[kernel] {
                        for plane in [p.forward, p.backward] {
                            plane.withUnsafeBufferPointer { pp in
                                BLAS.sgemm(kernel: kernel, m: m, n: n, k: k, packedA: pp.baseAddress!, packedCount: pp.count,
                                           b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                            }
                        }
                    } else {
                        BLAS.sgemm(kernel: kernel, m: m, n: n, k: k, a: ap.baseAddress!, lda: k,
                                   b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                        BLAS.sgemm(kernel: kernel, transA: true, m: m, n: n, k: k, a: ap.baseAddress!, lda: m,
                                   b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: n)
                    }
                } else {
                    // G[i, j] = Σ_p F[i, p] · F[j, p]   (M = 64, N = 64, K = 4096; F = b as 64 × 4096)
                    BLAS.sgemm(kernel: kernel, transB: true, m: m, n: m, k: n, a: bp.baseAddress!, lda: n,
                               b: bp.baseAddress!, ldb: n, c: cp.baseAddress!, ldc: m)
                    // grad[i, p] += 0.5 · Σ_j D[i, j] · F[j, p]   (M = 64, N = 4096, K = 64)
                    BLAS.sgemm(kernel: kernel, m: m, n: n, k: k, alpha: 0.5, a: ap.baseAddress!, lda: k,
                               b: bp.baseAddress!, ldb: n, beta: 1, c: cp.baseAddress!, ldc: n)
                }
                return Double(DispatchTime.now().uptimeNanoseconds - t0) * 1e-9
            }
        } } }
    }

    /// Timed rounds per calibration (after one untimed call of each candidate).
    static let calibrationRounds = 7

    /// The best of `rounds` times of each candidate (`measure` runs one call and returns its
    /// seconds), the candidates taking turns within each round after one untimed call each.
    /// Taking turns matters on a shared or throttled host: a stretch of slow calls (another
    /// process, a frequency change) then falls on every candidate alike instead of on whichever
    /// was being timed, and the best round of each decides. Timed one candidate at a time, a
    /// slow 2 ms on the 2-core EPYC once gave OpenBLAS 0.103 ms against its usual 0.084 and
    /// handed the Winograd products to our kernels for that process, with other bits.
    static func bestTimes(_ candidates: [GEMMKernel], rounds: Int,
                          measure: (GEMMKernel) -> Double) -> [GEMMKernel: Double] {
        for kernel in candidates { _ = measure(kernel) }
        var best = Dictionary(uniqueKeysWithValues: candidates.map { ($0, Double.infinity) })
        for _ in 0..<rounds {
            for kernel in candidates { best[kernel] = min(best[kernel]!, measure(kernel)) }
        }
        return best
    }
}
