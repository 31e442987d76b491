/// Plain O(n) vector helpers over contiguous arrays and raw buffers, for the optimizers.
/// Dot products multiply in Double (a Float×Float product is exact there) and accumulate
/// in Double; a 786k-element sum in Float would lose about 4 of its 7 digits.
public enum VectorMath {
    public static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, count: a.count) }
        }
    }

    /// `Σ a[i]·b[i]` over `count` values.
    public static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Double {
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        let n4 = n & ~3
        var i = 0
        while i < n4 {
            s0 += Double(a[i]) * Double(b[i]); s1 += Double(a[i + 1]) * Double(b[i + 1])
            s2 += Double(a[i + 2]) * Double(b[i + 2]); s3 += Double(a[i + 3]) * Double(b[i + 3])
            i += 4
        }
        while i < n { s0 += Double(a[i]) * Double(b[i]); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// `y += alpha · x`.
    public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count)
        x.withUnsafeBufferPointer { px in
            y.withUnsafeMutableBufferPointer { py in axpy(alpha, px.baseAddress!, py.baseAddress!, count: px.count) }
        }
    }

    /// `y += alpha · x` over `count` values.
    public static func axpy(_ alpha: Float, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { y[i] += alpha * x[i] }
    }

    /// `x *= alpha` over `count` values.
    public static func scale(_ alpha: Float, _ x: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] *= alpha }
    }

    /// `max |x[i]|` (0 for an empty vector).
    public static func maxAbs(_ x: UnsafePointer<Float>, count n: Int) -> Double {
        var m: Float = 0
        for i in 0..<n { m = max(m, abs(x[i])) }
        return Double(m)
    }

    public static func isFinite(_ a: [Float]) -> Bool {
        a.withUnsafeBufferPointer { p in
            // Summing v·0 propagates NaN and turns ±inf into NaN: one branch-free pass.
            var acc: Float = 0
            for v in p { acc += v * 0 }
            return !acc.isNaN
        }
    }
}

