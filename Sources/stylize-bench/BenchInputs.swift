import Foundation
import StylizeKit

/// The benchmark's inputs at `width × height`: smooth synthetic photo and painting (BGR,
/// mean-subtracted), and the image evaluated (the photo with a small fixed ripple), so that
/// every benchmark of one evaluation times the same objective.
struct BenchInputs {
    let content: Tensor3
    let style: Tensor3
    let image: Tensor3

    init(width: Int, height: Int, meanBGR: [Float]) {
        let size = max(width, height)
        func synthetic(_ f: (Double, Double, Int) -> Double) -> RGBImage {
            var p = [Float](repeating: 0, count: width * height * 3)
            for y in 0..<height { for x in 0..<width { for c in 0..<3 {
                p[(y * width + x) * 3 + c] = Float(min(255, max(0, f(Double(x) / Double(size), Double(y) / Double(size), c))))
            } } }
            return RGBImage(width: width, height: height, pixels: p)
        }
        let photo = synthetic { x, y, c in 128 + 100 * sin(2 * .pi * (1.5 * x + 0.5 * y + Double(c))) }
        let painting = synthetic { x, y, c in 128 + 110 * sin(2 * .pi * Double(6 + c) * x) * cos(2 * .pi * 4 * y) }
        content = Preprocessing.tensor(from: photo, meanBGR: meanBGR)
        style = Preprocessing.tensor(from: painting, meanBGR: meanBGR)
        var image = content
        for i in 0..<image.count { image.data[i] += Float(i % 7) - 3 }
        self.image = image
    }

    /// The fixed objective every version is compared on (α, β, γ = 5, 1e-3, 1).
    func objective<E: Engine>(on engine: E) throws -> StyleTransferObjective<E> {
        let config = StyleTransferConfiguration(contentPath: "", stylePaths: [], outputPath: "")
        return try StyleTransferObjective(
            engine: engine, content: content, styles: [style],
            contentLayers: config.contentLayers.names, styleLayers: config.styleLayers.names,
            weights: LossWeights(content: 5, style: 1e-3, tv: 1))
    }
}
