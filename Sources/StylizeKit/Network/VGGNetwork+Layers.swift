/// Layer-name validation, in one place for the transfer run, the objective, the
/// visualizer and the activation dumps.
///
/// A usable name is `relu{B}_{K}` or `pool{B}` of a layer the weights file defines.
/// `conv…` names are refused with a hint (every loss and visualization reads the ReLU
/// output), anything else with the list of names the network has.
extension VGGNetwork {
    /// Checks every name in `names` against `weights` and returns the deepest one, the
    /// layer the network must be built through. Throws `NetworkError` (one line).
    public static func deepestLayer(of names: [String], in weights: VGGWeights) throws -> String {
        let order = allLayerNames(of: weights)
        var deepest: (index: Int, name: String)?
        for name in names {
            guard let i = order.firstIndex(of: name) else {
                if name.hasPrefix("conv"), order.contains("relu" + name.dropFirst(4)) { throw NetworkError.notALossLayer(name) }
                throw NetworkError.unknownLayer(name, known: order)
            }
            if deepest == nil || i > deepest!.index { deepest = (i, name) }
        }
        guard let deepest else { throw NetworkError.noLayers }
        return deepest.name
    }

    /// The smallest image side the layers `names` accept, `2^n` for n poolings before the
    /// deepest of them (16 for `relu5_1`): the one place this is worked out. Checks every
    /// name as `deepestLayer(of:in:)` does.
    public static func minimumSide(of names: [String], in weights: VGGWeights) throws -> Int {
        let deepest = try deepestLayer(of: names, in: weights)
        let order = allLayerNames(of: weights)
        let through = order.prefix { $0 != deepest } + [deepest]
        return 1 << through.filter { $0.hasPrefix("pool") }.count
    }

    /// The smallest image side this network accepts (see `minimumSide(of:in:)`).
    public var minimumSide: Int { 1 << poolings(throughStage: stages.count - 1) }

    /// The network through the deepest of `names`, after checking every name.
    public init(weights: VGGWeights, pooling: Pooling, covering names: [String]) throws {
        try self.init(weights: weights, pooling: pooling, through: VGGNetwork.deepestLayer(of: names, in: weights))
    }

    /// The index of the stage producing `name`, which must be a layer of this (possibly
    /// truncated) network. Throws the same one-line errors as `deepestLayer(of:in:)`.
    public func lossStage(_ name: String) throws -> Int {
        if let i = stageIndex(of: name) { return i }
        if name.hasPrefix("conv"), stageIndex(of: "relu" + name.dropFirst(4)) != nil { throw NetworkError.notALossLayer(name) }
        throw NetworkError.unknownLayer(name, known: stages.map(\.name))
    }
}
