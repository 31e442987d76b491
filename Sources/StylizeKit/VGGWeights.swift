import Foundation

/// Weights of one 3x3 convolution of a VGG network (stride 1, padding 1,
/// followed by ReLU).
public struct ConvLayerWeights: Sendable, Equatable {
    /// `conv{block}_{index}`, e.g. `conv1_1`.
    public let name: String
    /// Block number, from 1; a 2x2 max-pool separates consecutive blocks.
    public let block: Int
    /// Position within the block, from 1.
    public let index: Int
    /// Number of output channels (filters).
    public let outChannels: Int
    /// Number of input channels (3, in B,G,R order, for `conv1_1`).
    public let inChannels: Int
    /// Kernel, shape `(out, in, 3, 3)` row-major:
    /// `weight[((o * inChannels + i) * 3 + ky) * 3 + kx]`, `ky`/`kx` from the top left.
    /// Applied as cross-correlation (no kernel flip), as Caffe/Keras/ONNX do.
    public let weight: [Float]
    /// Bias, shape `(out)`.
    public let bias: [Float]

    /// Builds a layer; `weight.count` must be `out * in * 9` and `bias.count` `out`
    /// (checked by precondition: callers with untrusted data go through `VGGWeights.load`).
    public init(block: Int, index: Int, outChannels: Int, inChannels: Int, weight: [Float], bias: [Float]) {
        precondition(weight.count == outChannels * inChannels * 9, "conv\(block)_\(index): weight count does not match (\(outChannels), \(inChannels), 3, 3)")
        precondition(bias.count == outChannels, "conv\(block)_\(index): bias count does not match (\(outChannels))")
        self.name = "conv\(block)_\(index)"
        self.block = block
        self.index = index
        self.outChannels = outChannels
        self.inChannels = inChannels
        self.weight = weight
        self.bias = bias
    }
}

/// The convolutional part of a pretrained VGG network (VGG16, or VGG19 and the
/// like: the layer list comes from the file), as used for style transfer.
///
/// Input convention of these weights (Caffe/Keras ImageNet VGG): channels in
/// **B,G,R** order, pixel values in **0...255**, with `meanBGR` subtracted per
/// channel before `conv1_1`. The fully connected layers are not included.
public struct VGGWeights: Sendable {
    /// The ImageNet mean of the Caffe/Keras VGG models, B,G,R, in 0...255 units;
    /// used when a file's metadata has no `mean`.
    public static let defaultMeanBGR: [Float] = [103.939, 116.779, 123.68]

    /// The file the weights came from (`""` for synthetic weights).
    public let path: String
    /// Conv layers in network order: conv1_1, conv1_2, conv2_1, ...
    public let layers: [ConvLayerWeights]
    /// The file's `__metadata__` (empty for synthetic weights).
    public let metadata: [String: String]
    /// Per-channel mean to subtract from 0...255 input, B,G,R order, 3 values.
    public let meanBGR: [Float]

    /// Synthetic weights, e.g. a tiny network for tests. Not validated beyond
    /// `meanBGR` having 3 values (precondition).
    public init(layers: [ConvLayerWeights], meanBGR: [Float]) {
        precondition(meanBGR.count == 3, "meanBGR needs 3 values (B, G, R)")
        self.init(path: "", layers: layers, metadata: [:], meanBGR: meanBGR)
    }

    private init(path: String, layers: [ConvLayerWeights], metadata: [String: String], meanBGR: [Float]) {
        self.path = path
        self.layers = layers
        self.metadata = metadata
        self.meanBGR = meanBGR
    }

    /// Loads and strictly checks a VGG safetensors file (see weights/README.md).
    ///
    /// The file must hold exactly the tensors `conv{B}_{K}.weight` (F32,
    /// `[out, in, 3, 3]`) and `conv{B}_{K}.bias` (F32, `[out]`) for blocks
    /// `B = 1...n` and, within each block, `K = 1...m_B`, with no gaps. `in` is 3
    /// for conv1_1 and the previous layer's `out` otherwise. All values must be
    /// finite. Metadata, when present, must say `channel_order` = `BGR` and
    /// `pixel_scale` = `0..255`; `mean` ("b,g,r") gives `meanBGR`, which
    /// defaults to `defaultMeanBGR` (the Caffe/Keras ImageNet mean) when absent.
    /// Any violation throws a one-line `WeightsError` naming the tensor.
    public static func load(from path: String) throws -> VGGWeights {
        try load(SafeTensorsFile(path: path))
    }

    /// `load(from:)` for an already opened (validated) safetensors file.
    public static func load(_ file: SafeTensorsFile) throws -> VGGWeights {
        let path = file.path
        func fail(_ reason: String) -> WeightsError {
            WeightsError(file: path, reason)
        }

        // 1. Names -> (block, index) -> which parts are present.
        var present: [LayerID: Set<Part>] = [:]
        for name in file.tensorNames {
            guard let (id, part) = parseTensorName(name) else {
                throw fail("unknown tensor '\(name)' (expected only conv{B}_{K}.weight and conv{B}_{K}.bias)")
            }
            present[id, default: []].insert(part)
        }
        guard !present.isEmpty else { throw fail("contains no conv layers") }

        // 2. Blocks 1...n, and indices 1...m within each block, without gaps.
        let blocks = Set(present.keys.map(\.block))
        let blockCount = blocks.max() ?? 0
        if let missing = (1...blockCount).first(where: { !blocks.contains($0) }) {
            throw fail("has no layers of block \(missing) (missing tensor 'conv\(missing)_1.weight') but has block \(blockCount)")
        }
        var plan: [LayerID] = []
        for block in 1...blockCount {
            let indices = Set(present.keys.filter { $0.block == block }.map(\.index))
            let last = indices.max() ?? 0
            if let missing = (1...last).first(where: { !indices.contains($0) }) {
                throw fail("missing tensor 'conv\(block)_\(missing).weight' (conv\(block)_\(last) is present)")
            }
            plan += (1...last).map { LayerID(block: block, index: $0) }
        }
        for id in plan {
            for part in [Part.weight, .bias] where present[id]?.contains(part) != true {
                let other = part == .weight ? Part.bias : .weight
                throw fail("missing tensor '\(id.name).\(part.rawValue)' (\(id.name).\(other.rawValue) is present)")
            }
        }

        // 3. dtypes, shapes and channel chaining, then the values.
        var layers: [ConvLayerWeights] = []
        var inChannels = 3
        for id in plan {
            let weightName = "\(id.name).weight", biasName = "\(id.name).bias"
            guard let w = file.info(weightName), let b = file.info(biasName) else {
                throw fail("missing tensor '\(weightName)' or '\(biasName)'")
            }
            for (name, info) in [(weightName, w), (biasName, b)] where info.dtype != .f32 {
                throw fail("tensor '\(name)' has dtype \(info.dtype.rawValue), expected F32")
            }
            let out = outputChannels(weightShape: w.shape, biasShape: b.shape, inChannels: inChannels)
            let expectedWeight = [out, inChannels, 3, 3]
            guard w.shape == expectedWeight else {
                throw fail("tensor '\(weightName)' has shape \(w.shape), expected \(expectedWeight)")
            }
            guard out > 0 else {
                throw fail("tensor '\(weightName)' has shape \(w.shape): no output channels")
            }
            guard b.shape == [out] else {
                throw fail("tensor '\(biasName)' has shape \(b.shape), expected [\(out)]")
            }
            let weight = try finiteFloats(file, weightName)
            let bias = try finiteFloats(file, biasName)
            layers.append(ConvLayerWeights(block: id.block, index: id.index, outChannels: out, inChannels: inChannels,
                                           weight: weight, bias: bias))
            inChannels = out
        }

        // 4. Metadata: input convention.
        let metadata = file.metadata
        if let order = metadata["channel_order"], order != "BGR" {
            throw fail("metadata channel_order is '\(order)', expected 'BGR'")
        }
        if let scale = metadata["pixel_scale"], scale != "0..255" {
            throw fail("metadata pixel_scale is '\(scale)', expected '0..255'")
        }
        var mean = defaultMeanBGR
        if let text = metadata["mean"] {
            let values = text.split(separator: ",", omittingEmptySubsequences: false)
                .map { Float($0.trimmingCharacters(in: .whitespaces)) }
            guard values.count == 3, values.allSatisfy({ $0?.isFinite == true }) else {
                throw fail("metadata mean is '\(text)', expected three numbers 'b,g,r'")
            }
            mean = values.compactMap { $0 }
        }
        return VGGWeights(path: path, layers: layers, metadata: metadata, meanBGR: mean)
    }

    /// The weight's `out` dimension, except when the weight looks transposed
    /// (`[in, out, 3, 3]`, recognisable because its second dimension matches the
    /// bias and its first the expected input): then the bias's length, so the
    /// error message shows the shape that was meant.
    private static func outputChannels(weightShape w: [Int], biasShape b: [Int], inChannels: Int) -> Int {
        guard let first = w.first else { return b.first ?? 0 }
        if w.count == 4, b.count == 1, first != b[0], w[1] == b[0], first == inChannels {
            return b[0]
        }
        return first
    }

    /// The tensor's floats, refusing NaN and infinities.
    private static func finiteFloats(_ file: SafeTensorsFile, _ name: String) throws -> [Float] {
        let values = try file.floats(name)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw WeightsError(file: file.path, "tensor '\(name)' has a non-finite value (\(values[bad])) at element \(bad)")
        }
        return values
    }

    /// `conv{B}_{K}.weight` / `.bias` with B, K positive decimal numbers without leading zeros.
    private static func parseTensorName(_ name: String) -> (LayerID, Part)? {
        guard name.hasPrefix("conv"), let dot = name.lastIndex(of: ".") else { return nil }
        guard let part = Part(rawValue: String(name[name.index(after: dot)...])) else { return nil }
        let numbers = name[name.index(name.startIndex, offsetBy: 4)..<dot].split(separator: "_", omittingEmptySubsequences: false)
        guard numbers.count == 2 else { return nil }
        var parsed: [Int] = []
        for digits in numbers {
            guard !digits.isEmpty, digits.count <= 4, digits.first != "0", digits.allSatisfy({ $0.isASCII && $0.isNumber }),
                  let value = Int(digits) else { return nil }
            parsed.append(value)
        }
        return (LayerID(block: parsed[0], index: parsed[1]), part)
    }

    private struct LayerID: Hashable {
        let block: Int
        let index: Int
        var name: String { "conv\(block)_\(index)" }
    }

    private enum Part: String { case weight, bias }
}
