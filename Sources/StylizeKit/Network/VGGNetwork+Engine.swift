/// Runs a `VGGNetwork` forward and backward, keeping only what the backward pass needs.
///
/// What is kept after `forward`:
/// - the outputs of the stages in `kept` (`activations[i]`, shape `(C_i, H_i, W_i)`): the
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
public final class VGGEngine {
    public let network: VGGNetwork
    /// Stage indices whose outputs are kept in `activations`.
    public let kept: Set<Int>
    /// `activations[i]` is the output of `network.stages[i]` after the last `forward`, for
    /// `i` in `kept`; empty for the other stages.
    public private(set) var activations: [Tensor3]
    private var masks: [ReLUMask]
    private var poolIndices: [MaxPoolIndices]
    private var inputSizes: [(height: Int, width: Int)]
    private var workspace: [Float] = []
    private var scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]

    /// `keeping`: the stages whose outputs the caller reads; nil keeps every stage's output.
    public init(network: VGGNetwork, keeping: Set<Int>? = nil) {
        self.network = network
        let n = network.stages.count
        self.kept = keeping ?? Set(0..<n)
        self.activations = Array(repeating: Tensor3(zeros: 0, 0, 0), count: n)
        self.masks = Array(repeating: ReLUMask(), count: n)
        self.poolIndices = Array(repeating: MaxPoolIndices(), count: n)
        self.inputSizes = Array(repeating: (0, 0), count: n)
    }

    /// Frees every buffer (activations, masks, scratch, workspace); the next `forward`
    /// allocates them again at its input's size.
    public func releaseBuffers() {
        let n = network.stages.count
        activations = Array(repeating: Tensor3(zeros: 0, 0, 0), count: n)
        masks = Array(repeating: ReLUMask(), count: n)
        poolIndices = Array(repeating: MaxPoolIndices(), count: n)
        workspace = []
        scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]
    }

    /// Runs stages `0...last` on `input` (`(3, H, W)`, BGR, mean-subtracted).
    /// Throws `NetworkError.imageTooSmall` if a stage would be empty.
    public func forward(_ input: Tensor3, through last: Int) throws {
        let size = network.outputSize(ofStage: last, width: input.width, height: input.height)
        if size.width < 1 || size.height < 1 {
            let minimum = 1 << network.poolings(throughStage: last)
            throw NetworkError.imageTooSmall(width: input.width, height: input.height,
                                             layer: network.stages[last].name, minimum: minimum)
        }
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
                conv.forward(source, into: &out, fuseReLU: true, workspace: &workspace)
                if !keep { masks[i].record(out) }
            case .pool:
                if network.pooling == .max {
                    poolIndices[i].forward(source, into: &out)
                } else {
                    Pool2x2.forward(source, mode: .average, into: &out)
                }
            }
            if keep { activations[i] = out; sourceSlot = nil } else { scratch[slot] = out; sourceSlot = slot }
        }
    }

    /// Back-propagates from stage `last` to the input image.
    ///
    /// `inject(i, grad)` is called for every stage `i` from `last` down to 0 with
    /// `grad` = ∂L/∂activations[i] accumulated so far (zero at `last`); it adds the gradients
    /// of any loss terms read at stage `i` (shape `(C_i, H_i, W_i)`, same layout).
    /// Returns ∂L/∂input, `(3, H, W)`. Requires a preceding `forward(_:through:)` with the
    /// same `last` or deeper. Overwrites the scratch outputs of stages not kept.
    public func backward(from last: Int, input: Tensor3,
                         inject: (Int, UnsafeMutablePointer<Float>) -> Void) -> Tensor3 {
        var g = scratch[0], prev = scratch[1]
        scratch = [Tensor3(zeros: 0, 0, 0), Tensor3(zeros: 0, 0, 0)]
        let top = network.outputSize(ofStage: last, width: input.width, height: input.height)
        g.reshape(channels: network.channels(ofStage: last), height: top.height, width: top.width)
        g.data.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for i in stride(from: last, through: 0, by: -1) {
            g.data.withUnsafeMutableBufferPointer { inject(i, $0.baseAddress!) }
            switch network.stages[i] {
            case .conv(_, _, let conv):
                if kept.contains(i) { ReLU.backward(&g, activation: activations[i]) } else { masks[i].backward(&g) }
                conv.backwardInput(g, into: &prev, workspace: &workspace)
            case .pool:
                if network.pooling == .max {
                    poolIndices[i].backward(g, into: &prev)
                } else {
                    Pool2x2.backwardAverage(g, inputHeight: inputSizes[i].height, inputWidth: inputSizes[i].width, into: &prev)
                }
            }
            swap(&g, &prev)
        }
        // Hand out an exact-size copy: `g` keeps the capacity of the largest layer for reuse.
        let result = Tensor3(channels: g.channels, height: g.height, width: g.width,
                             data: g.data.withUnsafeBufferPointer { Array($0) })
        scratch = [g, prev]
        return result
    }
}
