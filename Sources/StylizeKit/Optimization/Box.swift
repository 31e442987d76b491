/// Element-wise bounds `lower[i] ≤ x[i] ≤ upper[i]` for an optimizer's variable, in main
/// memory (an optimizer uploads them to its engine's vectors as `Bounds`).
///
/// For an image tensor `(3, H, W)` stored BGR minus the mean, the valid pixels are
/// `Box.planes(lower: meanBGR.map { -$0 }, upper: meanBGR.map { 255 - $0 }, planeSize: H·W)`.
/// Memory: two arrays of `n` floats.
public struct Box: Sendable, Equatable {
    public let lower: [Float]
    public let upper: [Float]

    /// Requires equal counts and `lower[i] ≤ upper[i]` (no NaN); infinite bounds are allowed.
    public init(lower: [Float], upper: [Float]) {
        precondition(lower.count == upper.count, "Box: \(lower.count) lower bounds, \(upper.count) upper bounds")
        for i in 0..<lower.count {
            precondition(lower[i] <= upper[i], "Box: lower[\(i)] = \(lower[i]) is not ≤ upper[\(i)] = \(upper[i])")
        }
        self.lower = lower; self.upper = upper
    }

    /// Constant bounds per plane: value `i` lies in plane `i / planeSize`, bounded by
    /// `lower[plane]` … `upper[plane]` (e.g. one plane per colour channel).
    public static func planes(lower: [Float], upper: [Float], planeSize: Int) -> Box {
        precondition(lower.count == upper.count && planeSize >= 0)
        return Box(lower: lower.flatMap { [Float](repeating: $0, count: planeSize) },
                   upper: upper.flatMap { [Float](repeating: $0, count: planeSize) })
    }

    public var count: Int { lower.count }

    /// Clamps every `x[i]` into `lower[i]…upper[i]` (the Euclidean projection onto the box).
    public func project(_ x: inout [Float]) {
        precondition(x.count == count, "Box: \(count) bounds for \(x.count) variables")
        VectorMath.clamp(&x, lower: lower, upper: upper)
    }

    /// True when every `x[i]` is within its bounds.
    public func contains(_ x: [Float]) -> Bool {
        x.count == count && zip(x.indices, x).allSatisfy { lower[$0] <= $1 && $1 <= upper[$0] }
    }
}
