import CKernels
import Foundation

/// The fast path of `Winograd4`'s four tile transforms: `Sources/CKernels/winograd.c`, the
/// Swift reference (`Conv3x3+Winograd4Transforms.swift`) written again in C and compiled for
/// AVX-512F, AVX2 and the baseline, the widest this CPU runs chosen at start. Swift compiles
/// for the baseline x86-64 only (4 lanes), where the transforms took about 24 % of a 512 px run
/// on the AVX-512 development host (docs/EXPERIMENTS.md, *The transforms in C*).
///
/// Same bits as the reference: every kind computes the reference's expressions in its order
/// with nothing fused (`WinogradTransformTests`), so which
/// one runs never changes a result. `STYLIZE_WINOGRAD=reference` runs the Swift reference
/// instead, and `base`, `avx2` or `avx512` fix the C kernel's width (at most the CPU's).
extension Winograd4 {
    /// Which code runs the four transforms.
    enum Transforms: Equatable, Sendable {
        /// The Swift reference.
        case reference
        /// `winograd.c` for kernel kind 0 (baseline), 1 (AVX2) or 2 (AVX-512F).
        case vector(Int32)

        /// Every choice this CPU can run, the reference first.
        static let available: [Transforms] = [.reference] + (0...stylize_winograd_kind()).map { .vector($0) }

        /// `STYLIZE_WINOGRAD` as given, when set and not empty.
        static let setting: String? = ProcessInfo.processInfo.environment["STYLIZE_WINOGRAD"].flatMap { $0.isEmpty ? nil : $0 }

        /// The process's choice: `STYLIZE_WINOGRAD` (`reference`, `base`, `avx2`, `avx512`,
        /// capped at the CPU's widest), else (unset, or a value it does not understand) the widest.
        static let chosen: Transforms = {
            let widest = stylize_winograd_kind()
            switch setting {
            case "reference": return .reference
            case "base": return .vector(0)
            case "avx2": return .vector(min(1, widest))
            default: return .vector(widest)
            }
        }()

        /// The C kernels' vector kind, or nil for the Swift loops: the ReLU masks and max
        /// pooling follow the transforms' choice (`ReLUMask`, `MaxPoolIndices`).
        var kind: Int32? {
            if case .vector(let kind) = self { return kind }
            return nil
        }

        var name: String {
            switch self {
            case .reference: return "the Swift reference"
            case .vector(let kind): return "C, " + (kind == 2 ? "AVX-512F" : kind == 1 ? "AVX2" : "baseline x86-64")
            }
        }
    }

    static func chunk(_ grid: Grid, firstTile: Int, count: Int) -> stylize_winograd_chunk {
        precondition(grid.height <= Int(Int32.max) && grid.width <= Int(Int32.max) && firstTile + count <= Int(Int32.max),
                     "Winograd grid too large")
        return stylize_winograd_chunk(height: Int32(grid.height), width: Int32(grid.width), tiles_wide: Int32(grid.tilesWide),
                                      first_tile: Int32(firstTile), count: Int32(count), stride: grid.stride,
                                      plane_pad: grid.planePad)
    }

    /// `inputTransform` (forward) or `gradientTransform` (backward) with `transforms`.
    static func transformIn(_ input: UnsafePointer<Float>, transposed: Bool, channels: Int, grid: Grid,
                            firstTile: Int, count: Int, into v: UnsafeMutablePointer<Float>,
                            transforms: Transforms, parallel: Parallel) {
        guard case .vector(let kind) = transforms else {
            if transposed {
                gradientTransform(input, channels: channels, grid: grid, firstTile: firstTile, count: count, into: v,
                                  parallel: parallel)
            } else {
                inputTransform(input, channels: channels, grid: grid, firstTile: firstTile, count: count, into: v,
                               parallel: parallel)
            }
            return
        }
        withUnsafePointer(to: chunk(grid, firstTile: firstTile, count: count)) { g in
            parallel.forEachChunk(channels, costPerItem: count * 36) { range in
                let (c, c0, c1) = (Int32(channels), Int32(range.lowerBound), Int32(range.upperBound))
                let status = transposed ? stylize_winograd_gradient(kind, g, c, c0, c1, input, v)
                                        : stylize_winograd_input(kind, g, c, c0, c1, input, v)
                precondition(status == 0, "out of memory for the Winograd transform's scratch")
            }
        }
    }

    /// `outputTransform` (forward, with `bias` and `relu`) or `scatterTransform` (backward,
    /// adding into `out`; with `zeroFirst`, each thread first zeroes the planes it adds into)
    /// with `transforms`.
    static func transformOut(_ mm: UnsafePointer<Float>, transposed: Bool, channels: Int, grid: Grid,
                             firstTile: Int, count: Int, bias: UnsafePointer<Float>?, relu: Bool, zeroFirst: Bool = false,
                             into out: UnsafeMutablePointer<Float>, transforms: Transforms, parallel: Parallel) {
        guard case .vector(let kind) = transforms else {
            if transposed {
                scatterTransform(mm, channels: channels, grid: grid, firstTile: firstTile, count: count,
                                 zeroFirst: zeroFirst, into: out, parallel: parallel)
            } else {
                outputTransform(mm, channels: channels, grid: grid, firstTile: firstTile, count: count, bias: bias!,
                                relu: relu, into: out, parallel: parallel)
            }
            return
        }
        withUnsafePointer(to: chunk(grid, firstTile: firstTile, count: count)) { g in
            parallel.forEachChunk(channels, costPerItem: count * 36) { range in
                let (c, c0, c1) = (Int32(channels), Int32(range.lowerBound), Int32(range.upperBound))
                if transposed && zeroFirst {
                    let plane = grid.height * grid.width
                    (out + range.lowerBound * plane).update(repeating: 0, count: range.count * plane)
                }
                let status = transposed ? stylize_winograd_scatter(kind, g, c, c0, c1, mm, out)
                                        : stylize_winograd_output(kind, g, c, c0, c1, mm, bias!, relu ? 1 : 0, out)
                precondition(status == 0, "out of memory for the Winograd transform's scratch")
            }
        }
    }
}

extension Conv3x3 {
    /// `stylize --version`'s line for the Winograd tile transforms, e.g. `Winograd transforms:
    /// C, AVX-512F`, `…, set by STYLIZE_WINOGRAD`, or with a value it does not understand
    /// `…; STYLIZE_WINOGRAD='x' ignored: use reference, base, avx2 or avx512`.
    public static var winogradTransformsDescription: String {
        let t = Winograd4.Transforms.self
        let line = "Winograd transforms: \(t.chosen.name)"
        guard let setting = t.setting else { return line }
        return ["reference", "base", "avx2", "avx512"].contains(setting)
            ? line + ", set by STYLIZE_WINOGRAD"
            : line + "; STYLIZE_WINOGRAD='\(setting)' ignored: use reference, base, avx2 or avx512"
    }
}
