import Foundation

/// `SmoothingPreconditioner` on device vectors: `v ← M·v`, `M = I + Σₖ cₖ·Bₖ²`, with the same
/// radii and weights and the same box blur (`box_blur_rows`, `box_blur_columns`: the CPU's
/// order of operations), so L-BFGS on the GPU takes the CPU's steps.
public final class GPUSmoothingPreconditioner {
    public let planes: Int, height: Int, width: Int
    public let radii: [Int]
    public let weights: [Float]
    let vectors: GPUVectors
    private var original: GPUVector, blurred: GPUVector, scratch: GPUVector

    /// The standard operator (`SmoothingPreconditioner.standard`, or `.refining` at a
    /// coarse-to-fine run's final scale) for a `(planes, height, width)` image.
    public init(planes: Int, height: Int, width: Int, refining: Bool = false, vectors: GPUVectors) {
        radii = SmoothingPreconditioner.standardRadii(height: height, width: width, refining: refining)
        weights = SmoothingPreconditioner.standard.map(\.weight)
        self.planes = planes; self.height = height; self.width = width
        self.vectors = vectors
        let n = planes * height * width
        original = vectors.zeros(n); blurred = vectors.zeros(n); scratch = vectors.zeros(n)
    }

    /// `v ← M·v`.
    public func apply(_ v: inout GPUVector) {
        precondition(v.count == original.count, "GPUSmoothingPreconditioner: \(v.count) values for a \(planes)×\(height)×\(width) image")
        vectors.copy(v, into: &original)
        for (r, c) in zip(radii, weights) where c > 0 {
            vectors.copy(original, into: &blurred)
            blur(r)
            blur(r)
            vectors.axpy(c, blurred, &v)
        }
    }

    /// `blurred ← B·blurred` (through `scratch`).
    private func blur(_ r: Int) {
        let norm = 1 / Float(2 * r + 1)
        let shape: [GPUArgument] = [.int(planes), .int(height), .int(width), .int(r), .float(norm)]
        vectors.run("box_blur_rows", planes * height, [.buffer(blurred.buffer), .buffer(scratch.buffer)] + shape)
        vectors.run("box_blur_columns", planes * width, [.buffer(scratch.buffer), .buffer(blurred.buffer)] + shape)
    }
}
