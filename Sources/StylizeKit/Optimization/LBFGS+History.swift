/// The curvature history of `LBFGS`: the two-loop recursion that turns a gradient into a
/// direction, and the pairs it reads.
extension LBFGS {
    /// Two-loop recursion, in place: `q ← H·q`.
    func twoLoop(_ q: inout Vector, alpha: inout [Double]) {
        let m = historySize
        for j in 0..<stored {  // newest to oldest
            let k = (head - 1 - j + m) % m
            let a = rho[k] * vectors.dot(sHistory[k], q)
            alpha[k] = a
            vectors.axpy(Float(-a), yHistory[k], &q)
        }
        if let preconditioner { preconditioner(&q) }
        vectors.scale(Float(gamma * gammaScale), &q)
        for j in stride(from: stored - 1, through: 0, by: -1) {  // oldest to newest
            let k = (head - 1 - j + m) % m
            let b = rho[k] * vectors.dot(yHistory[k], q)
            vectors.axpy(Float(alpha[k] - b), sHistory[k], &q)
        }
    }

    /// Adds the pair `s = xNew − x`, `y = gNew − g` (with `y` zeroed on variables held at a
    /// bound, see `VectorOperations.secantProducts`) to the history if its curvature is
    /// positive enough (see `curvatureTolerance`); the oldest pair makes room.
    mutating func remember(from x: Vector, to xNew: Vector, gradient gNew: Vector) {
        let g = current!.gradient, slot = head
        // Decide first: when the history is full, `slot` still holds the oldest pair.
        let (sy, yy, ss) = vectors.secantProducts(xNew: xNew, xOld: x, gNew: gNew, gOld: g, bounds: bounds)
        guard yy > 0, sy > curvatureTolerance * (ss.squareRoot() * yy.squareRoot()) else { return }
        _ = vectors.secantPair(xNew: xNew, xOld: x, gNew: gNew, gOld: g, bounds: bounds,
                               s: &sHistory[slot], y: &yHistory[slot])
        rho[slot] = 1 / sy
        if let preconditioner {
            var my = preconditioned.take() ?? vectors.zeros(n)
            vectors.copy(yHistory[slot], into: &my)
            preconditioner(&my)
            let ymy = vectors.dot(yHistory[slot], my)
            preconditioned = my
            gamma = ymy > 0 ? sy / ymy : sy / yy
        } else {
            gamma = sy / yy
        }
        head = (head + 1) % historySize
        stored = min(stored + 1, historySize)
    }
}
