/// The `Engine` on the CPU: StylizeKernels' kernels on `[Float]` arrays in main memory, the
/// reference every other engine is checked against.
///
/// Per-run settings, both passed to every kernel it calls: `parallel` (`--threads`: the
/// kernels' own loops and the GEMMs they split; OpenBLAS itself always runs single-threaded,
/// see `BLAS`) and the convolutions' scratch `workspaceBudget`. Two engines with different
/// settings can run at the same time in one process.
///
/// What is kept after `forward`:
/// - the outputs of the stages in `keeping` (`activations[i]`, shape `(C_i, H_i, W_i)`): the
///   layers the caller reads (loss layers, visualized layers). A kept ReLU output is also
///   its own backward mask;
/// - for every other convolution stage, only its ReLU mask as bits (`ReLUMask`, 1/32 of the
///   activation);
/// - for every max-pooling stage, the argmax of each window (`MaxPoolIndices`, one byte per
///   output); average pooling needs only sizes.
/// Outputs of stages not kept live in two scratch tensors that the backward pass reuses as
/// its gradient buffers. A convolution's input gradient needs no activation at all (the
/// weights are frozen), so nothing else is stored. Pre-ReLU values and im2col/Winograd
/// matrices are never kept. All buffers are allocated on the first pass and reused.
///
/// At 512 × 512 with the default loss layers this keeps about 150 MB instead of the
/// 310 MB of every stage's output.
///
/// Backward computes the gradient with respect to the input image only.
public final class CPUEngine: Engine {
    public let network: VGGNetwork
    public let vectors: CPUVectors
    /// The threads every kernel may use.
    public let parallel: Parallel
    /// Scratch budget of the convolutions, in floats (see `Conv3x3.Workspace`).
    public var workspaceBudget: Int { workspace.budget }
    /// Stages whose outputs the last `forward` kept in `activations`.
    public private(set) var kept: Set<Int> = []
    /// `activations[i]` is the output of `network.stages[i]` after the last `forward`, for
    /// `i` in `kept`; empty for the other stages.
    public private(set) var activations: [Tensor3]
    private var masks: [ReLUMask]
    private var poolIndices: [MaxPoolIndices]
    private var inputSizes: [(height: Int, width: Int)]
    /// The deepest stage of the last `forward` (−1 before the first).
    private var depth = -1
    private var workspace: Conv3x3.Workspace
    /// `Gram.maskedStyleLoss`' scratch (`2·N·M` floats of the largest style layer).
    private var maskWorkspace: [Float] = []
    private var scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]

    /// - Parameters:
    ///   - threads: `--threads`, at least 1.
    ///   - workspaceBudget: see `Conv3x3.Workspace.budget`.
    public convenience init(network: VGGNetwork, threads: Int, workspaceBudget: Int = Conv3x3.Workspace.defaultBudget) {
        self.init(network: network, parallel: Parallel(threads: threads), workspaceBudget: workspaceBudget)
    }

    /// With a given `Parallel` (`stylize-bench threads` passes a `ThreadModel`'s).
    public init(network: VGGNetwork, parallel: Parallel, workspaceBudget: Int = Conv3x3.Workspace.defaultBudget) {
        self.network = network
        self.parallel = parallel
        self.vectors = CPUVectors(parallel: parallel)
        self.workspace = Conv3x3.Workspace(budget: workspaceBudget)
        let n = network.stages.count
        self.activations = Array(repeating: Tensor3(zeros: 0, 0, 0), count: n)
        self.masks = Array(repeating: ReLUMask(), count: n)
        self.poolIndices = Array(repeating: MaxPoolIndices(), count: n)
        self.inputSizes = Array(repeating: (0, 0), count: n)
    }

    public func releaseBuffers() {
        let n = network.stages.count
        activations = Array(repeating: Tensor3(zeros: 0, 0, 0), count: n)
        masks = Array(repeating: ReLUMask(), count: n)
        poolIndices = Array(repeating: MaxPoolIndices(), count: n)
        workspace = Conv3x3.Workspace(budget: workspace.budget)
        maskWorkspace = []
        scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]
        depth = -1
    }

    // MARK: - Forward and backward

    public func forward(_ image: [Float], width: Int, height: Int, through last: Int, keeping: Set<Int>) throws {
        try forward(Tensor3(channels: 3, height: height, width: width, data: image), through: last, keeping: keeping)
    }

    /// Runs stages `0...last` on `input` (`(3, H, W)`, BGR, mean-subtracted), keeping the
    /// outputs of `keeping` (nil: every stage). Throws `NetworkError.imageTooSmall` if a
    /// stage would be empty.
    public func forward(_ input: Tensor3, through last: Int, keeping: Set<Int>? = nil) throws {
        let size = network.outputSize(ofStage: last, width: input.width, height: input.height)
        if size.width < 1 || size.height < 1 {
            let minimum = 1 << network.poolings(throughStage: last)
            throw NetworkError.imageTooSmall(width: input.width, height: input.height,
                                             layer: network.stages[last].name, minimum: minimum)
        }
        keep(keeping ?? Set(network.stages.indices))
        var sourceSlot: Int?  // scratch slot holding stage i − 1's output, if it is not kept
        for i in 0...last {
            let keep = kept.contains(i)
            let slot = sourceSlot == 0 ? 1 : 0
            var out: Tensor3
            if keep { out = activations[i]; activations[i] = Tensor3(zeros: 0, 0, 0) }  // keep `out` uniquely referenced
            else { out = scratch[slot]; scratch[slot] = Tensor3(zeros: 0, 0, 0) }
            let source = i == 0 ? input : (sourceSlot.map { scratch[$0] } ?? activations[i - 1])
            inputSizes[i] = (source.height, source.width)
            switch network.stages[i] {
            case .conv(_, _, let conv):
                conv.forward(source, into: &out, fuseReLU: true, workspace: &workspace, parallel: parallel)
                if !keep { masks[i].record(out, parallel: parallel) }
            case .pool:
                if network.pooling == .max {
                    poolIndices[i].forward(source, into: &out, parallel: parallel)
                } else {
                    Pool2x2.forward(source, mode: .average, into: &out, parallel: parallel)
                }
            }
            if keep { activations[i] = out; sourceSlot = nil } else { scratch[slot] = out; sourceSlot = slot }
        }
        depth = last
    }

    /// Keeps the outputs of `stages` from now on; frees what a stage's other role kept.
    private func keep(_ stages: Set<Int>) {
        guard stages != kept else { return }
        for i in network.stages.indices where stages.contains(i) != kept.contains(i) {
            activations[i] = Tensor3(zeros: 0, 0, 0)
            masks[i] = ReLUMask()
        }
        kept = stages
    }

    /// Back-propagates from stage `last` (see `Engine.backward`); overwrites the scratch
    /// outputs of stages not kept. Returns `∂L/∂input`, `(3, H, W)` flat.
    public func backward(from last: Int, inject: (_ stage: Int, _ gradient: inout [Float]?) -> Void) -> [Float] {
        precondition(last <= depth, "backward from stage \(last) needs a forward pass through it")
        var g = scratch[0], prev = scratch[1]
        scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]
        let top = network.outputSize(ofStage: last, width: inputSizes[0].width, height: inputSizes[0].height)
        g.reshape(channels: network.channels(ofStage: last), height: top.height, width: top.width, parallel: parallel)
        VectorMath.fill(&g.data, with: 0)
        for i in stride(from: last, through: 0, by: -1) {
            // Lend the gradient's storage to `inject` (moved, not copied) and take it back.
            var lent: [Float]? = []
            swap(&lent!, &g.data)
            inject(i, &lent)
            precondition(lent?.count == g.count, "inject must leave stage \(i)'s gradient in place")
            swap(&lent!, &g.data)
            switch network.stages[i] {
            case .conv(_, _, let conv):
                if kept.contains(i) {
                    ReLU.backward(&g, activation: activations[i], parallel: parallel)
                } else {
                    masks[i].backward(&g, parallel: parallel)
                }
                conv.backwardInput(g, into: &prev, workspace: &workspace, parallel: parallel)
            case .pool:
                if network.pooling == .max {
                    poolIndices[i].backward(g, into: &prev, parallel: parallel)
                } else {
                    Pool2x2.backwardAverage(g, inputHeight: inputSizes[i].height, inputWidth: inputSizes[i].width,
                                            into: &prev, parallel: parallel)
                }
            }
            swap(&g, &prev)
        }
        // Hand out an exact-size copy: `g` keeps the capacity of the largest layer for reuse.
        let result = VectorMath.copy(g.data)
        scratch = [g, prev]
        return result
    }

    // MARK: - Loss terms

    public func output(ofStage i: Int) -> [Float] { activations[i].data }

    public func gram(ofStage i: Int) -> [Float] { Gram.gram(of: activations[i], parallel: parallel) }

    public func contentLoss(atStage i: Int, target: [Float], positionWeights: [Float]?, scale: Float,
                            gradient: inout [Float]?) -> Double {
        guard gradient != nil else {
            return Gram.contentLoss(activations[i], target: target, positionWeights: positionWeights, parallel: parallel)
        }
        return Gram.contentLoss(activations[i], target: target, positionWeights: positionWeights, scale: scale,
                                grad: &gradient!, parallel: parallel)
    }

    public func styleLoss(atStage i: Int, target: [Float], scale: Float, gradient: inout [Float]?) -> Double {
        guard gradient != nil else { return Gram.styleLoss(activations[i], target: target, parallel: parallel) }
        return Gram.styleLoss(activations[i], target: target, scale: scale, grad: &gradient!, parallel: parallel)
    }

    public func maskedStyleLoss(atStage i: Int, mask: [Float], target: [Float], scale: Float,
                                gradient: inout [Float]?) -> Double {
        let f = activations[i]
        guard gradient != nil else {
            return Gram.maskedStyleLoss(f, mask: mask, target: target, workspace: &maskWorkspace, parallel: parallel)
        }
        return Gram.maskedStyleLoss(f, mask: mask, target: target, scale: scale, grad: &gradient!,
                                    workspace: &maskWorkspace, parallel: parallel)
    }

    public func totalVariation(_ image: [Float], width: Int, height: Int, scale: Float, gradient: inout [Float]?) -> Double {
        let x = Tensor3(channels: 3, height: height, width: width, data: image)
        guard gradient != nil else { return TotalVariation.loss(x, parallel: parallel) }
        return TotalVariation.loss(x, scale: scale, grad: &gradient!, parallel: parallel)
    }

    // MARK: - The optimizer's

    public func smoothingPreconditioner(planes: Int, height: Int, width: Int, refining: Bool) -> (inout [Float]) -> Void {
        let m = SmoothingPreconditioner(planes: planes, height: height, width: width, refining: refining, parallel: parallel)
        return { m.apply(&$0) }
    }

    /// Nothing on the CPU fails without throwing.
    public func check() throws {}
}
