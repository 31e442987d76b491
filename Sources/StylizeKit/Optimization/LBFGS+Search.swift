/// The direction, the projected line search and the curvature history of `LBFGS`.
extension LBFGS {
    enum SearchResult {
        /// `move`: the accepted step's largest change of a variable; `firstTrial`: no backtracking.
        case accepted(Evaluation<Info>, move: Double, firstTrial: Bool)
        /// No trial point met the sufficient-decrease condition (some were finite, or the
        /// step fell below Float resolution before any evaluation).
        case failed
        /// Every trial point had a non-finite loss or gradient; the last such loss.
        case allNonFinite(loss: Double)
    }

    /// Armijo's `c₁`, the usual 1e-4 (Nocedal & Wright): almost any decrease is enough.
    static var sufficientDecrease: Double { 1e-4 }

    /// Computes the search direction at `x` into `direction` and searches along the
    /// projected path; on success the accepted point is in `trial`.
    mutating func lineSearch(from x: [Float], evaluate: LossFunction<Info>) throws -> SearchResult {
        var d: [Float] = [], xt: [Float] = [], a: [Double] = []
        swap(&d, &direction); swap(&xt, &trial); swap(&a, &alpha)
        defer { swap(&d, &direction); swap(&xt, &trial); swap(&a, &alpha) }
        let g = current!.gradient, f0 = current!.loss, n = self.n

        // Direction: −H·q on the free variables, or the projected steepest descent.
        var (slope, largest) = Box.withBounds(box) { lo, hi in
            x.withUnsafeBufferPointer { px in
                g.withUnsafeBufferPointer { pg in
                    d.withUnsafeMutableBufferPointer { pd in
                        a.withUnsafeMutableBufferPointer { pa in
                            freeDirection(x: px.baseAddress!, g: pg.baseAddress!, lower: lo, upper: hi,
                                          d: pd.baseAddress!, alpha: pa.baseAddress!)
                        }
                    }
                }
            }
        }
        if !(slope < 0) && stored > 0 {  // not a descent direction: forget the history
            stored = 0; head = 0
            (slope, largest) = Box.withBounds(box) { lo, hi in
                x.withUnsafeBufferPointer { px in
                    g.withUnsafeBufferPointer { pg in
                        d.withUnsafeMutableBufferPointer { pd in
                            freeDirection(x: px.baseAddress!, g: pg.baseAddress!, lower: lo, upper: hi,
                                          d: pd.baseAddress!, alpha: nil)
                        }
                    }
                }
            }
        }
        guard slope < 0, largest > 0 else { return .failed }

        // Backtracking along P(x + t·d).
        var t = stored > 0 ? Float(1) : Float(min(Double(steepestMove) / largest, Double(Float.greatestFiniteMagnitude)))
        var tried = 0, sawFinite = false, lastBad = Double.nan
        while tried < maxLineSearchEvaluations {
            let (gStep, moved) = Box.withBounds(box) { lo, hi in
                x.withUnsafeBufferPointer { px in
                    g.withUnsafeBufferPointer { pg in
                        d.withUnsafeBufferPointer { pd in
                            xt.withUnsafeMutableBufferPointer { pt in
                                VectorMath.projectedPoint(x: px.baseAddress!, d: pd.baseAddress!, t: t, lower: lo, upper: hi,
                                                          g: pg.baseAddress!, into: pt.baseAddress!, count: n)
                            }
                        }
                    }
                }
            }
            if !moved { break }          // the step no longer changes any Float: give up
            if !(gStep < 0) { t *= 0.5; continue }  // projection spoiled descent: shorter
            let e = try evaluate(xt)
            tried += 1
            evaluations += 1
            if e.loss.isFinite && VectorMath.isFinite(e.gradient) {
                sawFinite = true
                if e.loss <= f0 + Self.sufficientDecrease * gStep {
                    return .accepted(e, move: Double(t) * largest, firstTrial: tried == 1)
                }
            } else {
                lastBad = e.loss
            }
            t *= 0.5
        }
        return sawFinite || tried == 0 ? .failed : .allNonFinite(loss: lastBad)
    }

    /// `d` = the restricted direction (`alpha` nil: projected steepest descent); returns
    /// the slope `gᵀd` and `‖d‖∞`.
    func freeDirection(x: UnsafePointer<Float>, g: UnsafePointer<Float>,
                       lower: UnsafePointer<Float>?, upper: UnsafePointer<Float>?,
                       d: UnsafeMutablePointer<Float>, alpha: UnsafeMutablePointer<Double>?) -> (Double, Double) {
        _ = VectorMath.freeGradient(x: x, g: g, lower: lower, upper: upper, into: d, count: n)
        if let alpha, stored > 0 { twoLoop(d, alpha: alpha) }
        let slope = VectorMath.restrictDirection(d, negate: true, x: x, g: g, lower: lower, upper: upper, count: n)
        return (slope, VectorMath.maxAbs(d, count: n))
    }

    /// Two-loop recursion, in place: `q ← H·q`.
    func twoLoop(_ q: UnsafeMutablePointer<Float>, alpha: UnsafeMutablePointer<Double>) {
        let m = historySize, n = self.n
        sStore.withUnsafeBufferPointer { sp in
            yStore.withUnsafeBufferPointer { yp in
                let s = sp.baseAddress!, y = yp.baseAddress!
                for j in 0..<stored {  // newest to oldest
                    let k = (head - 1 - j + m) % m
                    let a = rho[k] * VectorMath.dot(s + k * n, q, count: n)
                    alpha[k] = a
                    VectorMath.axpy(Float(-a), y + k * n, q, count: n)
                }
                VectorMath.scale(Float(gamma), q, count: n)
                for j in stride(from: stored - 1, through: 0, by: -1) {  // oldest to newest
                    let k = (head - 1 - j + m) % m
                    let b = rho[k] * VectorMath.dot(y + k * n, q, count: n)
                    VectorMath.axpy(Float(alpha[k] - b), s + k * n, q, count: n)
                }
            }
        }
    }

    /// Adds the pair `s = xNew − x`, `y = gNew − g` (with `y` zeroed on variables held at a
    /// bound, see `VectorMath.secantPair`) to the history if its curvature is positive
    /// enough (see `curvatureTolerance`); the oldest pair makes room.
    mutating func remember(from x: [Float], to xNew: [Float], gradient gNew: [Float]) {
        let g = current!.gradient, n = self.n, slot = head
        func pair(store: Bool) -> (sy: Double, yy: Double, ss: Double) {
            Box.withBounds(box) { lo, hi in
                x.withUnsafeBufferPointer { px in
                    xNew.withUnsafeBufferPointer { pxn in
                        g.withUnsafeBufferPointer { pg in
                            gNew.withUnsafeBufferPointer { pgn in
                                sStore.withUnsafeMutableBufferPointer { sp in
                                    yStore.withUnsafeMutableBufferPointer { yp in
                                        VectorMath.secantPair(
                                            xNew: pxn.baseAddress!, xOld: px.baseAddress!, gNew: pgn.baseAddress!, gOld: pg.baseAddress!,
                                            lower: lo, upper: hi, s: store ? sp.baseAddress! + slot * n : nil,
                                            y: store ? yp.baseAddress! + slot * n : nil, count: n)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Decide first: when the history is full, `slot` still holds the oldest pair.
        let (sy, yy, ss) = pair(store: false)
        guard yy > 0, sy > curvatureTolerance * (ss.squareRoot() * yy.squareRoot()) else { return }
        _ = pair(store: true)
        rho[slot] = 1 / sy
        gamma = sy / yy
        head = (head + 1) % historySize
        stored = min(stored + 1, historySize)
    }
}
