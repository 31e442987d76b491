import Foundation

/// 3×3 matrices and per-image colour statistics, in `Double`, for the colour controls
/// (`ColorPreservation`). Row-major: `m[r][c]`.
public struct Matrix3: Sendable, Equatable {
    public var m: [[Double]]
    public init(_ m: [[Double]]) {
        precondition(m.count == 3 && m.allSatisfy { $0.count == 3 })
        self.m = m
    }
    public static let identity = Matrix3([[1, 0, 0], [0, 1, 0], [0, 0, 1]])
    public subscript(r: Int, c: Int) -> Double { m[r][c] }

    public static func * (a: Matrix3, b: Matrix3) -> Matrix3 {
        Matrix3((0..<3).map { r in (0..<3).map { c in (0..<3).reduce(0.0) { $0 + a[r, $1] * b[$1, c] } } })
    }
    public func apply(_ v: (Double, Double, Double)) -> (Double, Double, Double) {
        (m[0][0] * v.0 + m[0][1] * v.1 + m[0][2] * v.2,
         m[1][0] * v.0 + m[1][1] * v.1 + m[1][2] * v.2,
         m[2][0] * v.0 + m[2][1] * v.1 + m[2][2] * v.2)
    }
    public var transposed: Matrix3 { Matrix3((0..<3).map { r in (0..<3).map { m[$0][r] } }) }

    /// The inverse by cofactors (the matrices inverted here are well conditioned: YIQ).
    public var inverse: Matrix3 {
        func c(_ r: Int, _ k: Int) -> Double {
            let r1 = (r + 1) % 3, r2 = (r + 2) % 3, k1 = (k + 1) % 3, k2 = (k + 2) % 3
            return m[r1][k1] * m[r2][k2] - m[r1][k2] * m[r2][k1]
        }
        let det = (0..<3).reduce(0.0) { $0 + m[0][$1] * c(0, $1) }
        return Matrix3((0..<3).map { r in (0..<3).map { k in c(k, r) / det } })
    }

    /// Eigenvalues and eigenvectors (columns of `vectors`) of a symmetric matrix, by cyclic
    /// Jacobi rotations: exact to rounding for 3×3, no library needed.
    public func symmetricEigen() -> (values: [Double], vectors: Matrix3) {
        var a = m, v = Matrix3.identity.m
        for _ in 0..<50 {
            let off = a[0][1] * a[0][1] + a[0][2] * a[0][2] + a[1][2] * a[1][2]
            if off <= 1e-30 * (a[0][0] * a[0][0] + a[1][1] * a[1][1] + a[2][2] * a[2][2]) + 1e-300 { break }
            for (p, q) in [(0, 1), (0, 2), (1, 2)] where a[p][q] != 0 {
                let theta = (a[q][q] - a[p][p]) / (2 * a[p][q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let c = 1 / (t * t + 1).squareRoot(), s = t * c
                for k in 0..<3 {  // A ← A·J, then A ← Jᵀ·A; V ← V·J
                    let akp = a[k][p], akq = a[k][q]
                    a[k][p] = c * akp - s * akq; a[k][q] = s * akp + c * akq
                }
                for k in 0..<3 {
                    let apk = a[p][k], aqk = a[q][k]
                    a[p][k] = c * apk - s * aqk; a[q][k] = s * apk + c * aqk
                }
                for k in 0..<3 {
                    let vkp = v[k][p], vkq = v[k][q]
                    v[k][p] = c * vkp - s * vkq; v[k][q] = s * vkp + c * vkq
                }
            }
        }
        return ([a[0][0], a[1][1], a[2][2]], Matrix3(v))
    }

    /// `V·diag(f(λ))·Vᵀ` of a symmetric matrix: its symmetric square root (`f = √`) or
    /// inverse square root (`f = 1/√`). Eigenvalues below `floor` are raised to it.
    public func symmetricPower(_ exponent: Double, floor: Double) -> Matrix3 {
        let (values, v) = symmetricEigen()
        let d = values.map { Foundation.pow(Swift.max($0, floor), exponent) }
        return Matrix3((0..<3).map { r in (0..<3).map { c in (0..<3).reduce(0.0) { $0 + v[r, $1] * d[$1] * v[c, $1] } } })
    }
}

/// Mean and covariance of an image's RGB values (0…255 scale), over all pixels.
public struct ColorStatistics: Sendable {
    /// R, G, B means.
    public let mean: [Double]
    /// 3×3 covariance (population, divided by the pixel count), in levels².
    public let covariance: Matrix3

    public init(_ image: RGBImage) {
        let n = image.width * image.height
        var s = [0.0, 0.0, 0.0]
        for p in 0..<n { for c in 0..<3 { s[c] += Double(image.pixels[3 * p + c]) } }
        let mean = s.map { $0 / Double(n) }
        var cov = [[Double]](repeating: [0, 0, 0], count: 3)
        for p in 0..<n {
            let d = (0..<3).map { Double(image.pixels[3 * p + $0]) - mean[$0] }
            for r in 0..<3 { for c in r..<3 { cov[r][c] += d[r] * d[c] } }
        }
        for r in 0..<3 { for c in r..<3 { cov[r][c] /= Double(n); cov[c][r] = cov[r][c] } }
        self.mean = mean
        self.covariance = Matrix3(cov)
    }
}

