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
    ///
    /// Memory: the two pixel buffers and the taps of one output pixel at a time (about
    /// `6·in/out` floats when shrinking). Precomputing every output's taps would cost
    /// `6·in` of them per axis: 300 million for a 50,000,000-pixel-wide image.
    public func resized(width w: Int, height h: Int) -> RGBImage {
        precondition(w > 0 && h > 0)
        if w == width && h == height { return self }
        var taps: [Float] = []
        // Horizontal pass: (height, width) → (height, w); vertical: → (h, w).
        var mid = [Float](repeating: 0, count: height * w * 3)
        for x in 0..<w {
            let first = RGBImage.taps(of: x, from: width, to: w, into: &taps)
            for y in 0..<height {
                var r: Float = 0, g: Float = 0, b: Float = 0
                var p = (y * width + first) * 3
                for wt in taps {
                    r += wt * pixels[p]; g += wt * pixels[p + 1]; b += wt * pixels[p + 2]
                    p += 3
                }
                let o = (y * w + x) * 3
                mid[o] = r; mid[o + 1] = g; mid[o + 2] = b
            }
        }
        var out = [Float](repeating: 0, count: h * w * 3)
        for y in 0..<h {
            let first = RGBImage.taps(of: y, from: height, to: h, into: &taps)
            for x in 0..<w {
                var r: Float = 0, g: Float = 0, b: Float = 0
                var p = (first * w + x) * 3
                for wt in taps {
                    r += wt * mid[p]; g += wt * mid[p + 1]; b += wt * mid[p + 2]
                    p += w * 3
                }
                let o = (y * w + x) * 3
                out[o] = Swift.min(Swift.max(r, 0), 255)
                out[o + 1] = Swift.min(Swift.max(g, 0), 255)
                out[o + 2] = Swift.min(Swift.max(b, 0), 255)
            }
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// The taps of output index `i` when resampling `n` pixels to `m`: returns the first
    /// input index and sets `weights` to the weights (summing to 1) of consecutive input
    /// indices from there. Output pixel i is centred at input coordinate `(i + 0.5)·n/m − 0.5`.
    static func taps(of i: Int, from n: Int, to m: Int, into weights: inout [Float]) -> Int {
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
        let center = (Double(i) + 0.5) / scale - 0.5
        let lo = Swift.max(0, Int((center - support).rounded(.up)))
        let hi = Swift.min(n - 1, Int((center + support).rounded(.down)))
        weights.removeAll(keepingCapacity: true)
        var sum = 0.0
        var raw: [Double] = []
        if lo <= hi {
            raw.reserveCapacity(hi - lo + 1)
            for j in lo...hi {
                let wt = lanczos((Double(j) - center) / stretch)
                raw.append(wt); sum += wt
            }
        }
        if raw.isEmpty || sum == 0 {
            weights.append(1)
            return Swift.min(n - 1, Swift.max(0, Int(center.rounded())))
        }
        for wt in raw { weights.append(Float(wt / sum)) }
        return lo
    }
}
