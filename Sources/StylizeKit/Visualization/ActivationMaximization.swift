/// Synthesizes an image that maximizes one channel's mean activation (Erhan et al. 2009;
/// regularized as in Olah et al., "Feature Visualization", Distill 2017).
///
/// Objective, minimized with Adam through the same `CPUEngine.backward` as style transfer,
/// on the preprocessed image `x` (BGR, minus mean, 0…255 scale):
///
///     L(x) = −mean_(y,x) F_c(shift(x)) + tvWeight · L_tv(x)
///
/// - jitter: every evaluation shifts the image by a random (dx, dy) in ±`jitter` px
///   (circularly) before the forward pass and shifts the gradient back, so the optimizer
///   cannot exploit pixel-exact high-frequency patterns;
/// - total variation (same `L_tv` as style transfer) keeps the result smooth;
/// - after every step pixel values are clamped to the displayable 0…255 range.
/// Starts from the same seeded Gaussian noise (σ = 16 levels) as style transfer.
public struct ActivationMaximization: Sendable {
    public var iterations = 200
    public var learningRate: Float = 4
    public var tvWeight: Float = 0.05
    public var jitter = 4
    public var seed: UInt64 = 0

    public init() {}

    public struct Result {
        public let image: Tensor3
        /// Mean activation of the channel (no jitter) on the starting noise and at the end.
        public let initialActivation: Double
        public let finalActivation: Double
    }

    /// Mean activation of `channel` at `network.stages[stage]` for image `x`.
    public static func meanActivation(engine: CPUEngine, stage: Int, channel: Int, x: Tensor3) throws -> Double {
        try engine.forward(x, through: stage)
        let f = engine.activations[stage], m = f.positions
        var sum = 0.0
        for p in 0..<m { sum += Double(f.data[channel * m + p]) }
        return sum / Double(m)
    }

    /// Optimizes a `width × height` image for `channel` of `network.stages[stage]`.
    /// `progress(iteration, meanActivation)` is called after every step.
    public func run(engine: CPUEngine, stage: Int, channel: Int, width: Int, height: Int,
                    progress: (Int, Double) -> Void = { _, _ in }) throws -> Result {
        let mean = engine.network.meanBGR
        var x = StyleTransfer.noise(channels: 3, height: height, width: width, sigma: 16, seed: seed)
        let initial = try Self.meanActivation(engine: engine, stage: stage, channel: channel, x: x)
        var rng = seed &* 0x2545_F491_4F6C_DD1D &+ 1
        func nextShift() -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return jitter > 0 ? Int(rng % UInt64(2 * jitter + 1)) - jitter : 0
        }
        let evaluate: LossFunction<[Float], Void> = { data in
            let dx = nextShift(), dy = nextShift()
            let input = Tensor3(channels: 3, height: height, width: width, data: data).rolled(dx: dx, dy: dy)
            try engine.forward(input, through: stage)
            let f = engine.activations[stage], m = f.positions
            var sum = 0.0
            for p in 0..<m { sum += Double(f.data[channel * m + p]) }
            let g = -1 / Float(m)
            var grad: [Float]? = Tensor3(channels: 3, height: height, width: width, data: engine.backward(from: stage) { i, gradient in
                guard i == stage else { return }
                for p in 0..<m { gradient![channel * m + p] += g }
            }).rolled(dx: -dx, dy: -dy).data
            let tv = engine.totalVariation(data, width: width, height: height, scale: tvWeight, gradient: &grad)
            return Evaluation(loss: -sum / Double(m) + Double(tvWeight) * tv, gradient: grad!)
        }
        // Adam clamps into the valid pixels (0…255 before the mean was subtracted) after each update.
        let box = Box.planes(lower: mean.map { -$0 }, upper: mean.map { 255 - $0 }, planeSize: width * height)
        var adam = Adam<CPUVectors, Void>(learningRate: learningRate, box: box, vectors: engine.vectors)
        for i in 1...max(1, iterations) {
            _ = try adam.step(&x.data, evaluate: evaluate)
            if i % 10 == 0 || i == iterations {
                progress(i, try Self.meanActivation(engine: engine, stage: stage, channel: channel, x: x))
            }
        }
        let final = try Self.meanActivation(engine: engine, stage: stage, channel: channel, x: x)
        return Result(image: x, initialActivation: initial, finalActivation: final)
    }
}

extension Tensor3 {
    /// Circular shift: `out[c, y, x] = self[c, (y − dy) mod H, (x − dx) mod W]`.
    public func rolled(dx: Int, dy: Int) -> Tensor3 {
        if dx == 0 && dy == 0 { return self }
        var out = self
        let h = height, w = width
        for c in 0..<channels {
            for y in 0..<h {
                let sy = ((y - dy) % h + h) % h
                for x in 0..<w {
                    let sx = ((x - dx) % w + w) % w
                    out.data[(c * h + y) * w + x] = data[(c * h + sy) * w + sx]
                }
            }
        }
        return out
    }
}
