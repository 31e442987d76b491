import Foundation

/// Times `Winograd4`'s four tile transforms alone, for `stylize-bench transforms`: a benchmark,
/// not a test (the tests check bits, `WinogradTests`).
public enum WinogradTransformTiming {
    /// Milliseconds (best of `rounds`) of one layer's four transforms over all its tile chunks
    /// at `height × width`, `inChannels → outChannels`, for each transform code this CPU runs
    /// (`"reference"`, then `"base"`, `"avx2"`, `"avx512"`), the candidates taking turns each
    /// round: `[(name, [input, output, gradient, scatter])]`.
    public static func time(inChannels: Int, outChannels: Int, height: Int, width: Int, rounds: Int,
                            parallel: Parallel) -> [(String, [Double])] {
        let th = (height + 3) / 4, tw = (width + 3) / 4, tiles = th * tw
        let k = inChannels, m = outChannels
        let chunk = Winograd4.chunkTiles(tiles: tiles, k: k, m: m, budget: Conv3x3.Workspace.defaultBudget)
        let grid = Winograd4.chunkGrid(height: height, width: width, tilesWide: tw, chunk: chunk)
        let big = max(k, m)
        var image = (0..<(big * height * width)).map { Float(($0 * 7919) % 1000) / 500 - 1 }
        var planes = (0..<(36 * grid.plane(big))).map { Float(($0 * 104_729) % 1000) / 500 - 1 }
        let bias = [Float](repeating: 0.1, count: big)
        let names = ["base", "avx2", "avx512"]
        let choices = Winograd4.Transforms.available
        var best = [[Double]](repeating: [Double](repeating: .infinity, count: 4), count: choices.count)
        func ms(_ body: () -> Void) -> Double {
            let t0 = DispatchTime.now().uptimeNanoseconds
            body()
            return Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6
        }
        image.withUnsafeMutableBufferPointer { ib in
            planes.withUnsafeMutableBufferPointer { pb in
                bias.withUnsafeBufferPointer { bb in
                    let img = ib.baseAddress!, pl = pb.baseAddress!
                    for _ in 0..<max(1, rounds) {
                        for (ci, t) in choices.enumerated() {
                            func each(_ step: (Int, Int) -> Void) -> Double {
                                ms { var t0 = 0; while t0 < tiles { let n = min(chunk, tiles - t0); step(t0, n); t0 += n } }
                            }
                            let times = [
                                each { Winograd4.transformIn(img, transposed: false, channels: k, grid: grid, firstTile: $0,
                                                             count: $1, into: pl, transforms: t, parallel: parallel) },
                                each { Winograd4.transformOut(pl, transposed: false, channels: m, grid: grid, firstTile: $0,
                                                              count: $1, bias: bb.baseAddress, relu: true, into: img,
                                                              transforms: t, parallel: parallel) },
                                each { Winograd4.transformIn(img, transposed: true, channels: m, grid: grid, firstTile: $0,
                                                             count: $1, into: pl, transforms: t, parallel: parallel) },
                                each { Winograd4.transformOut(pl, transposed: true, channels: k, grid: grid, firstTile: $0,
                                                              count: $1, bias: nil, relu: false, into: img,
                                                              transforms: t, parallel: parallel) },
                            ]
                            for i in 0..<4 { best[ci][i] = min(best[ci][i], times[i]) }
                        }
                    }
                }
            }
        }
        return choices.enumerated().map { ci, t in
            if case .vector(let kind) = t { return (names[Int(kind)], best[ci]) }
            return ("reference", best[ci])
        }
    }
}
