@testable import StylizeKit

/// An independent float64 implementation of the network's forward pass and of the loss
/// definitions, written as directly as possible from the formulas. Tests use it as the
/// oracle for values and, through central finite differences, for gradients.
enum DoubleReference {
    struct T { var c: Int, h: Int, w: Int; var v: [Double]
        subscript(c: Int, y: Int, x: Int) -> Double { v[(c * h + y) * w + x] }
    }

    static func from(_ t: Tensor3) -> T { T(c: t.channels, h: t.height, w: t.width, v: t.data.map(Double.init)) }

    static func conv(_ x: T, _ layer: ConvLayerWeights, relu: Bool) -> T {
        var out = T(c: layer.outChannels, h: x.h, w: x.w, v: [Double](repeating: 0, count: layer.outChannels * x.h * x.w))
        for o in 0..<layer.outChannels {
            for y in 0..<x.h {
                for xx in 0..<x.w {
                    var s = Double(layer.bias[o])
                    for c in 0..<x.c {
                        for ky in 0..<3 {
                            for kx in 0..<3 {
                                let sy = y + ky - 1, sx = xx + kx - 1
                                if sy < 0 || sy >= x.h || sx < 0 || sx >= x.w { continue }
                                s += Double(layer.weight[((o * x.c + c) * 3 + ky) * 3 + kx]) * x[c, sy, sx]
                            }
                        }
                    }
                    out.v[(o * x.h + y) * x.w + xx] = relu ? max(s, 0) : s
                }
            }
        }
        return out
    }

    static func pool(_ x: T, _ mode: Pooling) -> T {
        let oh = x.h / 2, ow = x.w / 2
        var out = T(c: x.c, h: oh, w: ow, v: [Double](repeating: 0, count: x.c * oh * ow))
        for c in 0..<x.c { for y in 0..<oh { for xx in 0..<ow {
            let a = x[c, 2 * y, 2 * xx], b = x[c, 2 * y, 2 * xx + 1], d = x[c, 2 * y + 1, 2 * xx], e = x[c, 2 * y + 1, 2 * xx + 1]
            out.v[(c * oh + y) * ow + xx] = mode == .max ? max(max(a, b), max(d, e)) : (a + b + d + e) / 4
        } } }
        return out
    }

    /// Activations of every named layer (`relu…`, `pool…`) up to `deepest`.
    static func features(_ x: T, weights: VGGWeights, pooling: Pooling, deepest: String) -> [String: T] {
        var out: [String: T] = [:]
        var cur = x
        var block = 1
        for layer in weights.layers {
            if layer.block != block {
                cur = pool(cur, pooling); out["pool\(block)"] = cur
                if "pool\(block)" == deepest { return out }
                block = layer.block
            }
            cur = conv(cur, layer, relu: true)
            out["relu\(layer.block)_\(layer.index)"] = cur
            if "relu\(layer.block)_\(layer.index)" == deepest { return out }
        }
        out["pool\(block)"] = pool(cur, pooling)
        return out
    }

    static func gram(_ f: T) -> [Double] {
        let m = f.h * f.w
        var g = [Double](repeating: 0, count: f.c * f.c)
        for i in 0..<f.c { for j in 0..<f.c {
            var s = 0.0
            for p in 0..<m { s += f.v[i * m + p] * f.v[j * m + p] }
            g[i * f.c + j] = s
        } }
        return g
    }

    static func styleTerm(_ f: T, target: [Double]) -> Double {
        let g = gram(f)
        let n = Double(f.c), m = Double(f.h * f.w)
        var s = 0.0
        for k in 0..<g.count { s += (g[k] - target[k]) * (g[k] - target[k]) }
        return s / (4 * n * n * m * m)
    }

    static func contentTerm(_ f: T, target: T) -> Double {
        var s = 0.0
        for k in 0..<f.v.count { s += (f.v[k] - target.v[k]) * (f.v[k] - target.v[k]) }
        return s / (4 * Double(f.c) * Double(f.h * f.w))
    }

    /// `Σ_x w_x Σ_c (F − P)² / (4 N M)`, one weight per position (`ContentFocus.energy`).
    static func weightedContentTerm(_ f: T, target: T, weights: [Double]) -> Double {
        let m = f.h * f.w
        var s = 0.0
        for k in 0..<f.v.count { s += weights[k % m] * (f.v[k] - target.v[k]) * (f.v[k] - target.v[k]) }
        return s / (4 * Double(f.c) * Double(m))
    }

    static func tv(_ x: T) -> Double {
        var s = 0.0
        for c in 0..<x.c { for y in 0..<x.h { for xx in 0..<x.w {
            if y + 1 < x.h { let d = x[c, y + 1, xx] - x[c, y, xx]; s += d * d }
            if xx + 1 < x.w { let d = x[c, y, xx + 1] - x[c, y, xx]; s += d * d }
        } } }
        return s / (3 * Double(x.h * x.w))
    }

    struct Terms { var content: Double, style: Double, tv: Double, total: Double, perLayer: [Double] }

    /// The whole objective in float64 for one generated image `x` (same size as content).
    static func objective(x: T, content: T, style: T, weights: VGGWeights, pooling: Pooling,
                          contentLayers: [String], styleLayers: [String], lossWeights: LossWeights) -> Terms {
        let all = contentLayers + styleLayers
        let order = VGGNetwork.allLayerNames(of: weights)
        let deepest = all.max { order.firstIndex(of: $0)! < order.firstIndex(of: $1)! }!
        let fx = features(x, weights: weights, pooling: pooling, deepest: deepest)
        let fc = features(content, weights: weights, pooling: pooling, deepest: deepest)
        let fs = features(style, weights: weights, pooling: pooling, deepest: deepest)
        let lc = contentLayers.map { contentTerm(fx[$0]!, target: fc[$0]!) }.reduce(0, +) / Double(contentLayers.count)
        var per: [Double] = []
        for l in styleLayers {
            let f = fx[l]!, s = fs[l]!
            let scale = Double(f.h * f.w) / Double(s.h * s.w)
            per.append(styleTerm(f, target: gram(s).map { $0 * scale }))
        }
        let ls = per.reduce(0, +) / Double(styleLayers.count)
        let t = tv(x)
        return Terms(content: lc, style: ls, tv: t,
                     total: lossWeights.content * lc + lossWeights.style * ls + lossWeights.tv * t, perLayer: per)
    }
}
