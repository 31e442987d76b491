import Foundation

/// A vector in device memory: `count` floats at the start of `buffer`.
///
/// A reference to device memory, not a value: copying a `GPUVector` shares its storage, so
/// writes through one are seen through the other. The optimizers never rely on a copy (they
/// use `VectorOperations.copy(_:into:)`), and every vector an engine hands out (an output, a
/// Gram, a gradient) is its own.
public struct GPUVector: @unchecked Sendable {
    public let buffer: GPUBuffer
    public let count: Int

    public init(buffer: GPUBuffer, count: Int) {
        precondition(buffer.bytes >= 4 * count, "GPUVector: \(count) floats in \(buffer.bytes) bytes")
        self.buffer = buffer
        self.count = count
    }

    public var address: UInt64 { buffer.address }
}

/// The partial sums of reductions, one buffer reused by every reduction of an engine:
/// allocating device memory per reduction would cost more than the reduction (and freeing it
/// waits for the device).
public final class GPUPartials: @unchecked Sendable {
    private var buffer: GPUBuffer?
    public init() {}

    /// At least `bytes` (grown as needed, never below 32 KB: 1024 blocks × 4 values).
    func buffer(_ backend: any GPUBackend, bytes: Int) throws -> GPUBuffer {
        if let buffer, buffer.bytes >= bytes { return buffer }
        buffer = nil
        let b = try backend.allocate(bytes: max(bytes, 1024 * 4 * 8))
        buffer = b
        return b
    }
}

/// The first device error of calls that cannot throw (`VectorOperations`' and `Engine`'s loss
/// terms): once one failed, the others do nothing and return zeros, and the next call that
/// can throw (`GPUEngine.forward`) throws it, so a run ends with the device's own message.
public final class GPUFailure: @unchecked Sendable {
    public private(set) var error: Error?

    public init() {}

    /// Runs `body` unless an error is already recorded; records the error it throws.
    func attempt<R>(_ fallback: R, _ body: () throws -> R) -> R {
        if error != nil { return fallback }
        do { return try body() } catch {
            self.error = error
            return fallback
        }
    }

    /// Throws the recorded error, if any.
    public func check() throws { if let error { throw error } }
}

/// `VectorOperations` on device vectors: each pass is one kernel of `vectors.cu` (or
/// `elementwise.cu`'s `axpy` and `dot_partial`), reductions summed in Double, with the
/// definitions of `VectorMath` (the CPU's), so L-BFGS and Adam keep their whole state on the
/// device and only scalars come back.
public struct GPUVectors: VectorOperations, @unchecked Sendable {
    public typealias Vector = GPUVector
    let backend: any GPUBackend
    let failure: GPUFailure
    let partials = GPUPartials()

    public init(backend: any GPUBackend, failure: GPUFailure) {
        self.backend = backend
        self.failure = failure
    }

    /// A vector of `count` floats with no memory behind it, what a failed allocation returns.
    func unavailable(_ count: Int) -> GPUVector {
        GPUVector(buffer: GPUBuffer(address: 0, bytes: 4 * count, owner: failure), count: count)
    }

    func allocate(_ count: Int) -> GPUVector {
        failure.attempt(unavailable(count)) { GPUVector(buffer: try backend.allocate(bytes: 4 * count), count: count) }
    }

    public func upload(_ values: [Float]) -> GPUVector {
        failure.attempt(unavailable(values.count)) { GPUVector(buffer: try backend.upload(values), count: values.count) }
    }

    public func download(_ x: GPUVector) -> [Float] {
        failure.attempt([Float](repeating: 0, count: x.count)) { try backend.download(x.buffer, count: x.count, as: Float.self) }
    }

    public func zeros(_ count: Int) -> GPUVector {
        let v = allocate(count)
        fill(v, 0)
        return v
    }

    public func count(_ x: GPUVector) -> Int { x.count }

    func fill(_ x: GPUVector, _ value: Float) {
        run("vec_fill", x.count, [.buffer(x.buffer), .float(value), .count(x.count)])
    }

    public func copy(_ x: GPUVector, into y: inout GPUVector) {
        precondition(x.count == y.count, "copy of \(x.count) values into \(y.count)")
        run("vec_copy", x.count, [.buffer(y.buffer), .buffer(x.buffer), .count(x.count)])
    }

    func run(_ kernel: String, _ n: Int, _ arguments: [GPUArgument]) {
        failure.attempt(()) { try backend.launch(kernel, over: n, arguments) }
    }

    func reduce(_ kernel: String, _ n: Int, values: Int = 1, maximum: Bool = false,
                _ arguments: @escaping (GPUBuffer) -> [GPUArgument]) -> [Double] {
        failure.attempt([Double](repeating: 0, count: values)) {
            try backend.reduce(kernel, over: n, values: values, maximum: maximum,
                               scratch: try partials.buffer(backend, bytes: 8 * 1024 * values), arguments)
        }
    }

    // MARK: Linear algebra

    public func dot(_ x: GPUVector, _ y: GPUVector) -> Double {
        precondition(x.count == y.count, "dot of \(x.count) and \(y.count) values")
        return reduce("dot_partial", x.count) { [.buffer(x.buffer), .buffer(y.buffer), .buffer($0), .count(x.count)] }[0]
    }

    public func axpy(_ alpha: Float, _ x: GPUVector, _ y: inout GPUVector) {
        precondition(x.count == y.count, "axpy of \(x.count) values into \(y.count)")
        run("axpy", x.count, [.buffer(y.buffer), .buffer(x.buffer), .float(alpha), .count(x.count)])
    }

    public func scale(_ alpha: Float, _ x: inout GPUVector) {
        run("vec_scale", x.count, [.buffer(x.buffer), .float(alpha), .count(x.count)])
    }

    public func maxAbs(_ x: GPUVector) -> Double {
        reduce("vec_max_abs", x.count, values: 2, maximum: true) { [.buffer(x.buffer), .buffer($0), .count(x.count)] }[0]
    }

    public func isFinite(_ x: GPUVector) -> Bool {
        // The second value (the count of non-finite values) is a sum; combine it by hand.
        let counts = failure.attempt([1.0]) {
            try backend.reduce("vec_max_abs", over: x.count, values: 2, scratch: try partials.buffer(backend, bytes: 8 * 1024 * 2)) {
                [.buffer(x.buffer), .buffer($0), .count(x.count)]
            }
        }
        return failure.error == nil && counts.count == 2 && counts[1] == 0
    }

    // MARK: Bounds

    func bounds(_ b: Bounds<GPUVector>?) -> [GPUArgument] {
        [.buffer(b?.lower.buffer), .buffer(b?.upper.buffer)]
    }

    public func clamp(_ x: inout GPUVector, to bounds: Bounds<GPUVector>) {
        run("project_box", x.count, [.buffer(x.buffer), .buffer(bounds.lower.buffer), .buffer(bounds.upper.buffer), .count(x.count)])
    }

    public func projectedGradientNorm(x: GPUVector, g: GPUVector, bounds b: Bounds<GPUVector>?) -> Double {
        reduce("vec_projected_gradient_norm", x.count, maximum: true) {
            [.buffer(x.buffer), .buffer(g.buffer)] + bounds(b) + [.buffer($0), .count(x.count)]
        }[0]
    }

    public func freeGradient(x: GPUVector, g: GPUVector, bounds b: Bounds<GPUVector>?, into q: inout GPUVector) {
        run("vec_free_gradient", x.count, [.buffer(x.buffer), .buffer(g.buffer)] + bounds(b) + [.buffer(q.buffer), .count(x.count)])
    }

    public func restrictDirection(_ d: inout GPUVector, negate: Bool, x: GPUVector, g: GPUVector,
                                  bounds b: Bounds<GPUVector>?) -> Double {
        let d = d
        return reduce("vec_restrict_direction", x.count) {
            [.buffer(d.buffer), .float(negate ? -1 : 1), .buffer(x.buffer), .buffer(g.buffer)] + bounds(b)
                + [.buffer($0), .count(x.count)]
        }[0]
    }

    public func projectedPoint(x: GPUVector, d: GPUVector, t: Float, bounds b: Bounds<GPUVector>?, g: GPUVector,
                               into xt: inout GPUVector) -> (gTimesStep: Double, moved: Bool) {
        let xt = xt
        let r = reduce("vec_projected_point", x.count, values: 2) {
            [.buffer(x.buffer), .buffer(d.buffer), .float(t)] + bounds(b)
                + [.buffer(g.buffer), .buffer(xt.buffer), .buffer($0), .count(x.count)]
        }
        return (r[0], r[1] > 0)
    }

    public func secantProducts(xNew: GPUVector, xOld: GPUVector, gNew: GPUVector, gOld: GPUVector,
                               bounds b: Bounds<GPUVector>?) -> (sy: Double, yy: Double, ss: Double) {
        secant(xNew, xOld, gNew, gOld, b, nil, nil)
    }

    public func secantPair(xNew: GPUVector, xOld: GPUVector, gNew: GPUVector, gOld: GPUVector, bounds b: Bounds<GPUVector>?,
                           s: inout GPUVector, y: inout GPUVector) -> (sy: Double, yy: Double, ss: Double) {
        secant(xNew, xOld, gNew, gOld, b, s, y)
    }

    func secant(_ xNew: GPUVector, _ xOld: GPUVector, _ gNew: GPUVector, _ gOld: GPUVector, _ b: Bounds<GPUVector>?,
                _ s: GPUVector?, _ y: GPUVector?) -> (sy: Double, yy: Double, ss: Double) {
        let r = reduce("vec_secant", xNew.count, values: 3) {
            [.buffer(xNew.buffer), .buffer(xOld.buffer), .buffer(gNew.buffer), .buffer(gOld.buffer)] + bounds(b)
                + [.buffer(s?.buffer), .buffer(y?.buffer), .buffer($0), .count(xNew.count)]
        }
        return (r[0], r[1], r[2])
    }

    public func adamUpdate(x: inout GPUVector, saved: inout GPUVector, g: GPUVector, m: inout GPUVector, v: inout GPUVector,
                           beta1: Float, beta2: Float, rate: Float, eps: Float, bounds b: Bounds<GPUVector>?) {
        run("vec_adam", x.count, [.buffer(x.buffer), .buffer(saved.buffer), .buffer(g.buffer), .buffer(m.buffer),
                                  .buffer(v.buffer), .float(beta1), .float(beta2), .float(rate), .float(eps)]
            + bounds(b) + [.count(x.count)])
    }
}
