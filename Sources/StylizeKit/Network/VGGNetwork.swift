/// A VGG feature extractor (VGG16 or VGG19, as the weights file says), truncated
/// after the deepest layer a caller needs.
///
/// Layer names follow the convention of the VGG papers and neural-style:
/// `conv{B}_{K}` (3×3 convolution of block B), `relu{B}_{K}` (its ReLU, fused into the
/// convolution here) and `pool{B}` (2×2 / stride 2 pooling after block B).
/// Every stage of the network produces one named activation: a convolution stage
/// produces `relu{B}_{K}`, a pooling stage `pool{B}`. Pre-ReLU `conv` outputs are not
/// kept: every loss and visualization in the literature reads the ReLU output.
///
/// Sizes: each pooling halves height and width with floor division (an odd last row or
/// column is dropped, as in PyTorch and Caffe), so `relu5_1` of a 512×384 input is
/// 32×24 and needs the input to be at least 16 px on each side.
public struct VGGNetwork: Sendable {
    public enum Stage: Sendable {
        /// A 3×3 convolution followed by ReLU; `name` is the ReLU's (`relu3_1`).
        case conv(name: String, convName: String, Conv3x3)
        /// 2×2 / stride 2 pooling, `name` is `pool{B}`.
        case pool(name: String)

        public var name: String {
            switch self {
            case .conv(let name, _, _), .pool(let name): return name
            }
        }
    }

    /// The stages in order, up to and including the deepest requested one.
    public let stages: [Stage]
    public let pooling: Pooling
    /// Per-channel mean subtracted from the BGR 0..255 input, as the weights' metadata says.
    public let meanBGR: [Float]

    /// Every layer name the full network defines, in order (for help text and validation).
    public static func allLayerNames(of weights: VGGWeights) -> [String] {
        var names: [String] = []
        var block = 1
        for layer in weights.layers {
            if layer.block != block { names.append("pool\(block)"); block = layer.block }
            names.append("relu\(layer.block)_\(layer.index)")
        }
        names.append("pool\(block)")
        return names
    }

    /// Builds the network up to `deepest` (a `relu…` or `pool…` name).
    /// Throws `NetworkError.unknownLayer` for names the weights do not define. `parallel`
    /// splits the Winograd weight transforms (about 0.3 s of one core through relu5_1); the
    /// network is the same whatever it is.
    public init(weights: VGGWeights, pooling: Pooling, through deepest: String, parallel: Parallel = .serial) throws {
        var stages: [Stage] = []
        var block = 1
        var found = false
        for layer in weights.layers {
            if layer.block != block {
                stages.append(.pool(name: "pool\(block)"))
                if stages.last?.name == deepest { found = true; break }
                block = layer.block
            }
            let conv = Conv3x3(inChannels: layer.inChannels, outChannels: layer.outChannels,
                               weight: layer.weight, bias: layer.bias, parallel: parallel)
            stages.append(.conv(name: "relu\(layer.block)_\(layer.index)", convName: layer.name, conv))
            if stages.last?.name == deepest { found = true; break }
        }
        if !found && deepest == "pool\(block)" {
            stages.append(.pool(name: "pool\(block)"))
            found = true
        }
        guard found else {
            throw NetworkError.unknownLayer(deepest, known: VGGNetwork.allLayerNames(of: weights))
        }
        self.stages = stages
        self.pooling = pooling
        self.meanBGR = weights.meanBGR
    }

    /// Index of the stage producing `layer`, or nil.
    public func stageIndex(of layer: String) -> Int? {
        stages.firstIndex { $0.name == layer }
    }

    /// Channels produced by stage `i`.
    public func channels(ofStage i: Int) -> Int {
        for j in stride(from: i, through: 0, by: -1) {
            if case .conv(_, _, let conv) = stages[j] { return conv.outChannels }
        }
        return 3
    }

    /// Number of poolings applied before (and including) stage `i`.
    public func poolings(throughStage i: Int) -> Int {
        stages[...i].filter { if case .pool = $0 { return true } else { return false } }.count
    }

    /// Spatial size of stage `i`'s output for an input of `width × height`.
    public func outputSize(ofStage i: Int, width: Int, height: Int) -> (width: Int, height: Int) {
        var w = width, h = height
        for _ in 0..<poolings(throughStage: i) { w /= 2; h /= 2 }
        return (w, h)
    }
}

/// Errors about layer names and image sizes; one readable line each.
public enum NetworkError: Error, CustomStringConvertible, Equatable {
    case unknownLayer(String, known: [String])
    case notALossLayer(String)
    case imageTooSmall(width: Int, height: Int, layer: String, minimum: Int)
    case noLayers

    public var description: String {
        switch self {
        case .unknownLayer(let name, let known):
            return "unknown layer '\(name)'; this network has \(known.joined(separator: ", "))"
        case .notALossLayer(let name):
            return "layer '\(name)' cannot be used here; use a relu or pool layer such as 'relu\(name.dropFirst(4))'"
        case .imageTooSmall(let w, let h, let layer, let minimum):
            return "image is too small: \(w)x\(h) leaves \(layer) empty; each side must be at least \(minimum) px"
        case .noLayers:
            return "no layers given"
        }
    }
}
