/// `VectorOperations` on `[Float]` arrays in main memory: each is one pass of `VectorMath`
/// (StylizeKernels) over fixed blocks of the vectors, run on `parallel`'s threads, with every
/// sum taken in index order inside a block and the blocks' sums added in block order
/// (`VectorMath+Blocks`), so results do not depend on the engine's thread count. `upload` and
/// `download` share the array's storage (no copy).
public struct CPUVectors: VectorOperations, Sendable {
    public typealias Vector = [Float]
    /// The threads the passes may use (the engine's).
    public let parallel: Parallel

    public init(parallel: Parallel = .serial) { self.parallel = parallel }

    public func upload(_ values: [Float]) -> [Float] { values }
    public func download(_ x: [Float]) -> [Float] { x }
    public func zeros(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }
    public func count(_ x: [Float]) -> Int { x.count }
    public func copy(_ x: [Float], into y: inout [Float]) { VectorMath.copy(x, into: &y, parallel: parallel) }

    public func dot(_ x: [Float], _ y: [Float]) -> Double { VectorMath.dot(x, y, parallel: parallel) }
    public func axpy(_ alpha: Float, _ x: [Float], _ y: inout [Float]) { VectorMath.axpy(alpha, x, &y, parallel: parallel) }
    public func scale(_ alpha: Float, _ x: inout [Float]) { VectorMath.scale(alpha, &x, parallel: parallel) }
    public func maxAbs(_ x: [Float]) -> Double { VectorMath.maxAbs(x, parallel: parallel) }
    public func isFinite(_ x: [Float]) -> Bool { VectorMath.isFinite(x) }

    public func clamp(_ x: inout [Float], to bounds: Bounds<[Float]>) {
        VectorMath.clamp(&x, lower: bounds.lower, upper: bounds.upper, parallel: parallel)
    }

    public func projectedGradientNorm(x: [Float], g: [Float], bounds: Bounds<[Float]>?) -> Double {
        VectorMath.projectedGradientNorm(x: x, g: g, bounds: Self.pair(bounds), parallel: parallel)
    }

    public func freeGradient(x: [Float], g: [Float], bounds: Bounds<[Float]>?, into q: inout [Float]) {
        VectorMath.freeGradient(x: x, g: g, bounds: Self.pair(bounds), into: &q, parallel: parallel)
    }

    public func restrictDirection(_ d: inout [Float], negate: Bool, x: [Float], g: [Float],
                                  bounds: Bounds<[Float]>?) -> Double {
        VectorMath.restrictDirection(&d, negate: negate, x: x, g: g, bounds: Self.pair(bounds), parallel: parallel)
    }

    public func projectedPoint(x: [Float], d: [Float], t: Float, bounds: Bounds<[Float]>?, g: [Float],
                               into xt: inout [Float]) -> (gTimesStep: Double, moved: Bool) {
        VectorMath.projectedPoint(x: x, d: d, t: t, bounds: Self.pair(bounds), g: g, into: &xt, parallel: parallel)
    }

    public func secantProducts(xNew: [Float], xOld: [Float], gNew: [Float], gOld: [Float],
                               bounds: Bounds<[Float]>?) -> (sy: Double, yy: Double, ss: Double) {
        VectorMath.secantProducts(xNew: xNew, xOld: xOld, gNew: gNew, gOld: gOld, bounds: Self.pair(bounds), parallel: parallel)
    }

    public func secantPair(xNew: [Float], xOld: [Float], gNew: [Float], gOld: [Float], bounds: Bounds<[Float]>?,
                           s: inout [Float], y: inout [Float]) -> (sy: Double, yy: Double, ss: Double) {
        VectorMath.secantPair(xNew: xNew, xOld: xOld, gNew: gNew, gOld: gOld, bounds: Self.pair(bounds), s: &s, y: &y,
                              parallel: parallel)
    }

    public func adamUpdate(x: inout [Float], saved: inout [Float], g: [Float], m: inout [Float], v: inout [Float],
                           beta1: Float, beta2: Float, rate: Float, eps: Float, bounds: Bounds<[Float]>?) {
        VectorMath.adamUpdate(x: &x, saved: &saved, g: g, m: &m, v: &v, beta1: beta1, beta2: beta2,
                              rate: rate, eps: eps, bounds: Self.pair(bounds))
    }

    private static func pair(_ b: Bounds<[Float]>?) -> VectorMath.Bounds? { b.map { ($0.lower, $0.upper) } }
}
