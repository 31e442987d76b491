/// How far a finished image is from each input, in the units `--style-weight auto` balances
/// (`AutomaticStyleWeight`): its content loss against the painting's own, and its style
/// loss against the photo's own. Neither ratio depends on β, so pairs and objectives can be
/// compared: 0 is "all photo" for content and "all painting" for style, 1 is the other input.
public struct PairScores: Sendable, Equatable {
    /// The image's unweighted terms, and the total with the objective's weights.
    public var terms: LossTerms
    /// `L_c` of the painting stretched to the image's size: the content distance of "no photo".
    public var paintingContent: Double
    /// `L_s` of the photo itself: the style distance of "no painting".
    public var photoStyle: Double

    /// `L_c(image) / L_c(painting)`: how much of the photo is gone (at most 0.5 by the default's criterion).
    public var contentRatio: Double { terms.content / paintingContent }
    /// `L_s(image) / L_s(photo)`: how much of the painting is still missing (at most 0.1).
    public var styleRatio: Double { terms.style / photoStyle }
}

extension StyleTransfer {
    /// Scores `image` (RGB 0…255, alpha already dropped) at its own size with this run's
    /// objective: the terms with the plan's weights (β as the plan says: a number, or with
    /// `auto` the β chosen at that size), and the two distances of `PairScores`. With
    /// several paintings `paintingContent` is their blend-weighted mean. The content is
    /// Gatys et al.'s, every position alike, whatever `--content-focus` the run optimized:
    /// the ratios are one yardstick for every objective.
    public func scores(of image: RGBImage) throws -> PairScores {
        let objective = try self.objective(on: engine, width: image.width, height: image.height, uniformContent: true)
        let mean = network.meanBGR
        let terms = try objective.evaluate(Preprocessing.tensor(from: image, meanBGR: mean), gradient: false).terms
        let photo = Preprocessing.tensor(from: images.content(width: image.width, height: image.height), meanBGR: mean)
        let photoStyle = try objective.evaluate(photo, gradient: false).terms.style
        return PairScores(terms: terms, paintingContent: try paintingContent(objective, width: image.width, height: image.height),
                          photoStyle: photoStyle)
    }

    /// `L_c` of the paintings stretched to `width × height` under `objective` (that size's),
    /// blend-weighted: the content distance of "no photo" (`PairScores.paintingContent`).
    func paintingContent<E: Engine>(_ objective: StyleTransferObjective<E>, width: Int, height: Int) throws -> Double {
        var sum = 0.0
        for (i, b) in plan.blend.enumerated() where b > 0 {
            let painting = Preprocessing.tensor(from: images.styleCovering(i, width: width, height: height), meanBGR: network.meanBGR)
            sum += b * (try objective.evaluate(painting, gradient: false).terms.content)
        }
        return sum
    }
}
