import Foundation

/// Where each scale starts: the first from `--init`, each later one from the previous
/// result resized, with the photo's finer detail added; and the box every pixel stays in.
extension StyleTransfer {
    /// The first scale's starting image.
    func initialImage(width: Int, height: Int) -> Tensor3 {
        let mean = network.meanBGR
        switch plan.settings.initialization {
        case .noise:
            return StyleTransfer.noise(channels: 3, height: height, width: width, sigma: RunSettings.noiseSigma, seed: plan.settings.seed)
        case .content:
            return Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: mean)
        case .style:
            return Preprocessing.tensor(from: images.styleCovering(0, width: width, height: height), meanBGR: mean)
        case .file:
            guard let start = images.initial else { return Preprocessing.tensor(from: images.content(width: width, height: height), meanBGR: mean) }
            return Preprocessing.tensor(from: start.resized(width: width, height: height), meanBGR: mean)
        }
    }

    /// The start of a later scale: the current image resized (Lanczos) to it, plus the photo's
    /// detail that the coarser scale could not hold, `up(G) + (P − up(P′))`, where `P` and
    /// `P′` are the content photo as the objective sees it at the new and at the current
    /// size (colour mode applied). A run that stopped at the photo itself therefore starts the
    /// next scale at the photo's finer version, not a blurred one.
    ///
    /// Why: the upsampled result has no texture finer than its old pixels, so the next
    /// scale's first iterations rebuild it at the photo's expense. With the detail added, the
    /// 512 px scale of cameraman × starry night starts at half the style term (1.45e5 against
    /// 2.75e5) and a lower content term; of `make eval`'s eight 512 px pairs seven ended
    /// 0.1–2.8 % lower and one 0.2 % higher, in the same time (docs/EXPERIMENTS.md, *The
    /// photo's detail at each upsampling*).
    func resizedImage(to scale: ScaleSchedule.Scale) -> Tensor3 {
        let current = currentImage
        var start = current.resized(width: scale.width, height: scale.height)
        let fine = images.content(width: scale.width, height: scale.height)
        let coarse = images.content(width: current.width, height: current.height).resized(width: scale.width, height: scale.height)
        for i in start.pixels.indices { start.pixels[i] += fine.pixels[i] - coarse.pixels[i] }
        return Preprocessing.tensor(from: start, meanBGR: network.meanBGR)
    }

    /// N(0, σ²) per value (Box–Muller over SplitMix64), deterministic for a given seed.
    static func noise(channels: Int, height: Int, width: Int, sigma: Float, seed: UInt64) -> Tensor3 {
        var state = seed &+ 0x5151_5151
        func next() -> Double {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return (Double((z ^ (z >> 31)) >> 11) + 0.5) / Double(1 << 53)
        }
        let n = channels * height * width
        var data = [Float](repeating: 0, count: n)
        var i = 0
        while i < n {
            let r = (-2 * log(next())).squareRoot(), t = 2 * Double.pi * next()
            data[i] = sigma * Float(r * cos(t))
            if i + 1 < n { data[i + 1] = sigma * Float(r * sin(t)) }
            i += 2
        }
        return Tensor3(channels: channels, height: height, width: width, data: data)
    }
}

extension Box {
    /// `0 ≤ pixel ≤ 255` in the preprocessed space: `−mean[c] … 255 − mean[c]` on plane c of
    /// a `(3, height, width)` image.
    static func pixels(width: Int, height: Int, meanBGR: [Float]) -> Box {
        let plane = width * height
        var lower = [Float](repeating: 0, count: 3 * plane), upper = lower
        for c in 0..<3 {
            for i in (c * plane)..<((c + 1) * plane) { lower[i] = -meanBGR[c]; upper[i] = 255 - meanBGR[c] }
        }
        return Box(lower: lower, upper: upper)
    }
}
