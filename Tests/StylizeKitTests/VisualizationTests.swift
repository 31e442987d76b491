import XCTest
@testable import StylizeKit

/// Visualization: statistics against the direct convolution, montage layout, receptive
/// fields and top patches on synthetic images, activation maximization on the real weights.
final class VisualizationTests: XCTestCase {
    var realWeights: String { packagePath("weights/vgg16.safetensors") }

    /// The engine's activations (im2col/Winograd) summarized by `ActivationStats` agree with
    /// statistics computed here from `Conv3x3Reference`, a hand-written ReLU and max pooling.
    func testStatisticsMatchDirectConvolution() throws {
        let weights = syntheticWeights(c1: 4, c2: 6, seed: 3)
        let network = try VGGNetwork(weights: weights, pooling: .max, through: "relu2_1")
        let engine = testEngine(network)
        let input = randomTensor(3, 14, 18, seed: 9, range: (-120, 120))
        try engine.forward(input, through: network.stages.count - 1)

        func relu(_ t: Tensor3) -> Tensor3 { var o = t; o.data = o.data.map { max($0, 0) }; return o }
        func conv(_ t: Tensor3, _ l: ConvLayerWeights) -> Tensor3 {
            relu(Conv3x3Reference.forward(t, weight: l.weight, bias: l.bias, outChannels: l.outChannels))
        }
        func pool(_ t: Tensor3) -> Tensor3 {
            var o = Tensor3(zeros: t.channels, t.height / 2, t.width / 2)
            for c in 0..<t.channels { for y in 0..<o.height { for x in 0..<o.width {
                o[c, y, x] = max(t[c, 2 * y, 2 * x], t[c, 2 * y + 1, 2 * x], t[c, 2 * y, 2 * x + 1], t[c, 2 * y + 1, 2 * x + 1])
            } } }
            return o
        }
        let r11 = conv(input, weights.layers[0]), r12 = conv(r11, weights.layers[1]), r21 = conv(pool(r12), weights.layers[2])
        for (name, reference) in [("relu1_1", r11), ("relu1_2", r12), ("relu2_1", r21)] {
            let stats = ActivationStats(engine.activations[try XCTUnwrap(network.stageIndex(of: name))])
            XCTAssertEqual(stats.shape, [reference.channels, reference.height, reference.width], name)
            let m = reference.positions
            for c in 0..<reference.channels {
                let values = reference.data[(c * m)..<((c + 1) * m)].map(Double.init)
                let mean = values.reduce(0, +) / Double(m), mx = values.max()!
                let active = Double(values.filter { $0 > 1e-3 * mx }.count) / Double(m)
                XCTAssertEqual(stats.mean[c], mean, accuracy: 1e-4 * max(1, abs(mean)), "\(name) mean \(c)")
                XCTAssertEqual(stats.max[c], mx, accuracy: 1e-4 * max(1, abs(mx)), "\(name) max \(c)")
                XCTAssertEqual(stats.activeFraction[c], active, accuracy: 1.5 / Double(m), "\(name) active \(c)")
            }
        }
    }

    func testColormapEndsAndMonotoneLightness() {
        XCTAssertTrue(Colormap.viridis(0) == (68, 1, 84))
        XCTAssertTrue(Colormap.viridis(1) == (253, 231, 37))
        XCTAssertTrue(Colormap.viridis(-3) == Colormap.viridis(0))
        var previous: Float = -1
        for i in 0...100 {
            let c = Colormap.viridis(Float(i) / 100)
            let luma = 0.2126 * c.0 + 0.7152 * c.1 + 0.0722 * c.2
            XCTAssertGreaterThan(luma, previous)
            previous = luma
        }
    }

    /// 512 channels of 32×32 (relu5_1 at 512 px): 96 px tiles, 4 pages of 128 in a 16×8 grid.
    func testMontageLayoutOfA512ChannelLayer() {
        let l = MontageLayout(channels: 512, mapWidth: 32, mapHeight: 32)
        XCTAssertEqual(l.enlarge, 3); XCTAssertEqual(l.shrink, 1)
        XCTAssertEqual([l.tileWidth, l.tileHeight], [96, 96])
        XCTAssertEqual(l.pages, 4)
        XCTAssertEqual(l.columns, 16)
        XCTAssertEqual((0..<4).map { l.rows(onPage: $0) }, [8, 8, 8, 8])
        XCTAssertEqual(l.channels(onPage: 3), 384..<512)
        let big = MontageLayout(channels: 64, mapWidth: 512, mapHeight: 384)
        XCTAssertEqual(big.shrink, 6)
        XCTAssertEqual([big.tileWidth, big.tileHeight], [86, 64])
        XCTAssertEqual(big.pages, 1)
    }

    /// Rendered pages: one tile per channel in row-major order, each normalized to its own
    /// range (a channel's maximum is yellow, its minimum dark purple), separators between.
    func testMontageRendersEveryChannelAtItsTile() {
        var f = Tensor3(zeros: 10, 6, 8)
        for c in 0..<10 { f[c, c % 6, c % 8] = Float(c + 1) * 1000 }  // one hot spot per channel, any scale
        let l = MontageLayout(channels: 10, mapWidth: 8, mapHeight: 6, targetTile: 16, maxPerPage: 4, labelHeight: 5, gap: 2)
        XCTAssertEqual(l.enlarge, 2)
        let pages = Montage.render(f, layout: l, text: nil)
        XCTAssertEqual(pages.count, 3)
        XCTAssertEqual(l.columns, 3)
        let size = l.pageSize(0)
        XCTAssertEqual([pages[0].width, pages[0].height], [size.width, size.height])
        XCTAssertEqual([size.width, size.height], [2 + 3 * 18, 2 + 2 * 19])
        XCTAssertEqual([pages[2].width, pages[2].height], [2 + 2 * 18, 2 + 1 * 19])
        func rgb(_ img: RGBImage, _ x: Int, _ y: Int) -> [Float] { (0..<3).map { img[x, y, $0] } }
        let yellow = Colormap.viridis(1), purple = Colormap.viridis(0)
        for c in 0..<10 {
            let o = l.tileOrigin(channel: c)
            XCTAssertEqual(o.page, c / 4)
            let hot = rgb(pages[o.page], o.x + 2 * (c % 8), o.y + 2 * (c % 6))
            XCTAssertEqual(hot, [yellow.0, yellow.1, yellow.2], "channel \(c)")
            let cold = rgb(pages[o.page], o.x + 2 * ((c + 3) % 8), o.y + 2 * ((c + 3) % 6))
            XCTAssertEqual(cold, [purple.0, purple.1, purple.2], "channel \(c)")
            let separator = rgb(pages[o.page], o.x - 1, o.y)
            XCTAssertEqual(separator, [Montage.background.0, Montage.background.1, Montage.background.2])
        }
    }

    func testReceptiveFieldsOfVGG16() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: realWeights), "needs weights/vgg16.safetensors")
        let network = try VGGNetwork(weights: try VGGWeights.load(from: realWeights), pooling: .max, through: "pool5")
        let expected: [String: (Int, Int)] = [
            "relu1_1": (3, 1), "relu1_2": (5, 1), "pool1": (6, 2), "relu2_1": (10, 2), "relu2_2": (14, 2), "pool2": (16, 4),
            "relu3_1": (24, 4), "relu3_3": (40, 4), "pool3": (44, 8), "relu4_1": (60, 8), "relu4_2": (76, 8),
            "pool4": (100, 16), "relu5_1": (132, 16), "relu5_3": (196, 16), "pool5": (212, 32),
        ]
        for (name, (size, jump)) in expected {
            let rf = ReceptiveField(network: network, stage: try XCTUnwrap(network.stageIndex(of: name)))
            XCTAssertEqual(rf.size, size, name); XCTAssertEqual(rf.jump, jump, name)
        }
        // After pool1 unit 0 covers input pixels 0 and 1: centre 0.5; unit 3 of relu2_1 is at 6.5.
        let rf = ReceptiveField(network: network, stage: network.stageIndex(of: "relu2_1")!)
        XCTAssertEqual(rf.centre(x: 3, y: 0).x, 6.5)
    }

    /// One conv layer whose channel 0 fires only on a bright pixel (weights 1 on the centre
    /// tap of every colour, bias −300: the grey-20 background sums to 60 and stays below
    /// zero, a 255 dot gives 465): the top relu1_1 patch sits exactly on the dot.
    func testTopPatchIsCentredOnTheDot() throws {
        var w = [Float](repeating: 0, count: 2 * 3 * 9)
        for ci in 0..<3 { w[ci * 9 + 4] = 1; w[(3 + ci) * 9 + 4] = -1 }
        let weights = VGGWeights(layers: [ConvLayerWeights(block: 1, index: 1, outChannels: 2, inChannels: 3, weight: w, bias: [-300, 0])],
                                 meanBGR: [0, 0, 0])
        let network = try VGGNetwork(weights: weights, pooling: .max, through: "relu1_1")
        let engine = testEngine(network)
        func dotImage(_ dots: [(Int, Int, Float)]) -> RGBImage {
            var img = RGBImage(width: 40, height: 30, fill: (20, 20, 20))
            for (x, y, v) in dots { for c in 0..<3 { img[x, y, c] = v } }
            return img
        }
        // Image 0: the brightest dot, and a nearly as bright neighbour that NMS must skip.
        let images = [dotImage([(17, 11, 255), (18, 11, 250), (33, 25, 150)]), dotImage([(2, 29, 200)])]
        let field = ReceptiveField(network: network, stage: 0)
        var top = TopPatches(k: 3, channels: 2, field: field)
        for (i, img) in images.enumerated() {
            try engine.forward(Preprocessing.tensor(from: img, meanBGR: [0, 0, 0]), through: 0)
            top.add(engine.activations[0], image: i)
        }
        let best = top.best[0]
        XCTAssertEqual(best.map { $0.image }, [0, 1, 0])
        XCTAssertEqual(best.map { [$0.x, $0.y] }, [[17, 11], [2, 29], [33, 25]])
        XCTAssertEqual(best.map { $0.value }, [465, 300, 150])
        // The strip: 3×3 crops enlarged 16× to 48 px; the dot fills each crop's centre cell,
        // and the crop at the image's bottom-left corner is grey outside the image.
        let strip = top.strip(channel: 0, images: images)
        XCTAssertEqual([strip.width, strip.height], [3 * 48 + 2 * 2, 48])
        XCTAssertEqual((0..<3).map { strip[24, 24, $0] }, [255, 255, 255])
        XCTAssertEqual((0..<3).map { strip[16 + 8, 8, $0] }, [20, 20, 20])
        XCTAssertEqual((0..<3).map { strip[50 + 24, 24, $0] }, [200, 200, 200])
        XCTAssertEqual((0..<3).map { strip[50 + 24, 40, $0] }, [128, 128, 128])  // below the image
        XCTAssertTrue(top.best[1].isEmpty)  // channel 1 never fires
    }

    /// Maximizing a relu3_1 channel from noise raises its mean activation far above its value
    /// on the noise.
    func testMaximizationIncreasesTheChannel() throws {
        try XCTSkipUnless(FileManager.default.fileExists(atPath: realWeights), "needs weights/vgg16.safetensors")
        let network = try VGGNetwork(weights: try VGGWeights.load(from: realWeights), pooling: .max, through: "relu3_1")
        let engine = testEngine(network)
        var m = ActivationMaximization()
        m.iterations = 40
        let result = try m.run(engine: engine, stage: network.stages.count - 1, channel: 17, width: 40, height: 40)
        XCTAssertGreaterThan(result.finalActivation, 5 * max(result.initialActivation, 1), "\(result.initialActivation) → \(result.finalActivation)")
    }

    /// Output folders: the file stem, numbered on repeats, never `top` or `maximize`.
    func testUniqueStems() {
        XCTAssertEqual(ImageInputs.uniqueStems(["a/cat.png", "b/cat.png", "top.png", "x/dog.PNG", "cat.png"]),
                       ["cat", "cat-2", "top-2", "dog", "cat-3"])
    }
}
