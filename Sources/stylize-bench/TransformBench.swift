import Foundation
import StylizeKit

// `stylize-bench transforms`: the four Winograd tile transforms alone, per VGG16 layer shape,
// with each transform code this CPU runs (the Swift reference and the C kernels), best of
// --rounds, the candidates taking turns.
//
//   stylize-bench transforms SIZE|WxH [--threads 2] [--rounds 7]

func transformBench(_ args: [String]) {
    let o = BenchRunOptions(args)
    let (width, height) = o.size(minimum: 32, usage: "stylize-bench transforms SIZE|WxH [--threads N] [--rounds N]")
    let parallel = Parallel(threads: o.int("--threads", 2))
    // The Winograd layers of VGG16 up to conv5_1: (in, out, scale divisor).
    let layers: [(String, Int, Int, Int)] = [
        ("conv1_2", 64, 64, 1), ("conv2_1", 64, 128, 2), ("conv2_2", 128, 128, 2), ("conv3_1", 128, 256, 4),
        ("conv3_2", 256, 256, 4), ("conv3_3", 256, 256, 4), ("conv4_1", 256, 512, 8), ("conv4_2", 512, 512, 8),
        ("conv4_3", 512, 512, 8), ("conv5_1", 512, 512, 16),
    ]
    var totals: [String: [Double]] = [:]
    var order: [String] = []
    print("| layer | code | input | output | gradient | scatter | ms |")
    print("|---|---|---|---|---|---|---|")
    for (name, c, oc, s) in layers {
        let rows = WinogradTransformTiming.time(inChannels: c, outChannels: oc, height: height / s, width: width / s,
                                                rounds: o.int("--rounds", 7), parallel: parallel)
        for (code, t) in rows {
            if totals[code] == nil { order.append(code); totals[code] = [0, 0, 0, 0] }
            for i in 0..<4 { totals[code]![i] += t[i] }
            print("| \(name) | \(code) | " + t.map { String(format: "%.2f", $0) }.joined(separator: " | ")
                  + String(format: " | %.2f |", t.reduce(0, +)))
        }
    }
    for code in order {
        let t = totals[code]!
        print("| all | \(code) | " + t.map { String(format: "%.2f", $0) }.joined(separator: " | ")
              + String(format: " | %.2f |", t.reduce(0, +)))
    }
}
