import Foundation

extension RGBImage {
    /// The image with its longest side equal to `longestSide`, aspect ratio kept (the other
    /// side rounded to the nearest pixel, at least 1). Returns `self` untouched, without any
    /// resampling, when the longest side already has that length.
    public func resized(longestSide: Int) -> RGBImage {
        precondition(longestSide > 0)
        if Swift.max(width, height) == longestSide { return self }
        let d = ScaleSchedule.dimensions(width: width, height: height, longestSide: longestSide)
        return resized(width: d.width, height: d.height)
    }

    /// Resamples to `width × height` with a separable Lanczos-3 filter. When shrinking,
    /// the filter is stretched by the reduction factor (support `3·in/out` input pixels),
    /// so every input pixel contributes and fine patterns average out instead of aliasing,
    /// as Pillow's and ImageMagick's Lanczos do. Results are clamped to 0...255.
    public func resized(width w: Int, height h: Int) -> RGBImage {
        precondition(w > 0 && h > 0)
        if w == width && h == height { return self }
        // Horizontal pass: (height, width) → (height, w); vertical: → (h, w).
        let horizontal = RGBImage.weights(from: width, to: w)
        var mid = [Float](repeating: 0, count: height * w * 3)
        for y in 0..<height {
            for (x, taps) in horizontal.enumerated() {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for (j, wt) in taps {
                    let p = (y * width + j) * 3
                    r += wt * pixels[p]; g += wt * pixels[p + 1]; b += wt * pixels[p + 2]
                }
                let o = (y * w + x) * 3
                mid[o] = r; mid[o + 1] = g; mid[o + 2] = b
            }
        }
        let vertical = RGBImage.weights(from: height, to: h)
        var out = [Float](repeating: 0, count: h * w * 3)
        for (y, taps) in vertical.enumerated() {
            for x in 0..<w {
                var r: Float = 0, g: Float = 0, b: Float = 0
                for (j, wt) in taps {
                    let p = (j * w + x) * 3
                    r += wt * mid[p]; g += wt * mid[p + 1]; b += wt * mid[p + 2]
                }
                let o = (y * w + x) * 3
                out[o] = Swift.min(Swift.max(r, 0), 255)
                out[o + 1] = Swift.min(Swift.max(g, 0), 255)
                out[o + 2] = Swift.min(Swift.max(b, 0), 255)
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// For each output index, the (input index, weight) taps, weights summing to 1.
    /// Output pixel i is centred at input coordinate `(i + 0.5)·in/out − 0.5`.
    static func weights(from n: Int, to m: Int) -> [[(Int, Float)]] {
        let scale = Double(m) / Double(n)
        let stretch = Swift.max(1, 1 / scale)  // filter widening when shrinking
        let support = 3 * stretch
        func lanczos(_ x: Double) -> Double {
            let ax = abs(x)
            if ax < 1e-12 { return 1 }
            if ax >= 3 { return 0 }
            let px = Double.pi * x
            return 3 * sin(px) * sin(px / 3) / (px * px)
        }
        return (0..<m).map { i in
            let center = (Double(i) + 0.5) / scale - 0.5
            let lo = Swift.max(0, Int((center - support).rounded(.up)))
            let hi = Swift.min(n - 1, Int((center + support).rounded(.down)))
            var taps: [(Int, Double)] = []
            var sum = 0.0
            if lo <= hi {
                for j in lo...hi {
                    let wt = lanczos((Double(j) - center) / stretch)
                    if wt != 0 { taps.append((j, wt)); sum += wt }
                }
            }
            if taps.isEmpty || sum == 0 {
                let j = Swift.min(n - 1, Swift.max(0, Int(center.rounded())))
                return [(j, 1)]
            }
            return taps.map { ($0.0, Float($0.1 / sum)) }
        }
    }
}
