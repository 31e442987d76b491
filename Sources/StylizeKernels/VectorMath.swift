/// Plain O(n) passes over vectors in main memory, for the optimizers (`CPUVectors` in
/// StylizeKit calls them). Every vector argument of one call has the same count (checked).
///
/// Dot products multiply in Double (a Float×Float product is exact there) and accumulate
/// in Double; a 786k-element sum in Float would lose about 4 of its 7 digits. The functions
/// here are single-threaded passes in index order: `dot` over a whole vector (the plain
/// reference for the blocked one), and the per-block loops that the optimizers' passes run on
/// every thread (`VectorMath+Blocks`, `VectorMath+Bounds`: the same bits at any thread count).
public enum VectorMath {
    /// `Σ a[i]·b[i]`, in four interleaved Double partial sums `(s₀ + s₁) + (s₂ + s₃)`.
    public static func dot(_ a: [Float], _ b: [Float]) -> Double {
        precondition(a.count == b.count, "dot of \(a.count) and \(b.count) values")
        return a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in dot(pa.baseAddress!, pb.baseAddress!, count: a.count) }
        }
    }

    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count n: Int) -> Double {
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

    /// `max |x[i]|` over `n` values (0 for none).
    static func maxAbs(_ x: UnsafePointer<Float>, count n: Int) -> Double {
        var m: Float = 0
        for i in 0..<n { m = max(m, abs(x[i])) }
        return Double(m)
    }

    /// True when no value is NaN or infinite.
    public static func isFinite(_ a: [Float]) -> Bool {
        a.withUnsafeBufferPointer { p in
            // Summing v·0 propagates NaN and turns ±inf into NaN: one branch-free pass.
            var acc: Float = 0
            for v in p { acc += v * 0 }
            return !acc.isNaN
        }
    }

    /// `x[i] = value`.
    public static func fill(_ x: inout [Float], with value: Float) {
        x.withUnsafeMutableBufferPointer { $0.update(repeating: value) }
    }

    /// A new array with `x`'s values, allocated for exactly `x.count` (never sharing `x`'s
    /// storage or its spare capacity).
    public static func copy(_ x: [Float]) -> [Float] {
        x.withUnsafeBufferPointer { Array($0) }
    }

}
