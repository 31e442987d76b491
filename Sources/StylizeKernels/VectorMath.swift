/// Plain O(n) vector helpers over contiguous arrays; dot products accumulate in Double.
public enum VectorMath {
    public static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count)
        var s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0
        let n = a.count, n4 = n & ~3
        var i = 0
        while i < n4 {
            s0 += Double(a[i] * b[i]); s1 += Double(a[i + 1] * b[i + 1])
            s2 += Double(a[i + 2] * b[i + 2]); s3 += Double(a[i + 3] * b[i + 3])
            i += 4
        }
        while i < n { s0 += Double(a[i] * b[i]); i += 1 }
        return (s0 + s1) + (s2 + s3)
    }

    /// `y += alpha · x`.
    public static func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) {
        precondition(x.count == y.count)
        for i in 0..<x.count { y[i] += alpha * x[i] }
    }

    /// `out = a − b`.
    public static func difference(_ a: [Float], _ b: [Float], into out: inout [Float]) {
        precondition(a.count == b.count)
        if out.count != a.count { out = [Float](repeating: 0, count: a.count) }
        for i in 0..<a.count { out[i] = a[i] - b[i] }
    }

    public static func isFinite(_ a: [Float]) -> Bool {
        var bad = false
        for v in a where !v.isFinite { bad = true; break }
        return !bad
    }
}
