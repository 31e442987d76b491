/// Runs a `VGGNetwork` forward and backward, keeping only what the backward pass needs.
///
/// Forward stores every stage's output (`activations[i]`, shape `(C_i, H_i, W_i)`): a ReLU
/// output is both its layer's feature map and its own backward mask, and a pooling
/// stage's backward reads its input, which is the previous stage's output. Pre-ReLU
/// values and im2col matrices are never kept. All buffers (activations, the two
/// gradient buffers, the im2col workspace) are allocated on the first pass and reused.
///
/// Backward computes the gradient with respect to the input image only.
public final class VGGEngine {
    public let network: VGGNetwork
    /// `activations[i]` is the output of `network.stages[i]` after the last `forward`.
    public private(set) var activations: [Tensor3]
    private var workspace: [Float] = []
    private var gradA = Tensor3(zeros: 0, 0, 0)
    private var gradB = Tensor3(zeros: 0, 0, 0)

    public init(network: VGGNetwork) {
        self.network = network
        self.activations = Array(repeating: Tensor3(zeros: 0, 0, 0), count: network.stages.count)
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
        for i in 0...last {
            var out = activations[i]
            activations[i] = Tensor3(zeros: 0, 0, 0)  // keep `out` uniquely referenced
            let source = i == 0 ? input : activations[i - 1]
            switch network.stages[i] {
            case .conv(_, _, let conv):
                conv.forward(source, into: &out, fuseReLU: true, workspace: &workspace)
            case .pool:
                Pool2x2.forward(source, mode: network.pooling, into: &out)
            }
            activations[i] = out
        }
    }

    /// Back-propagates from stage `last` to the input image.
    ///
    /// `inject(i, grad)` is called for every stage `i` from `last` down to 0 with
    /// `grad` = ∂L/∂activations[i] accumulated so far (zero at `last`); it adds the gradients
    /// of any loss terms read at stage `i` (shape `(C_i, H_i, W_i)`, same layout).
    /// Returns ∂L/∂input, `(3, H, W)`. Requires a preceding `forward(_:through:)` with the
    /// same `last` or deeper.
    public func backward(from last: Int, input: Tensor3,
                         inject: (Int, UnsafeMutablePointer<Float>) -> Void) -> Tensor3 {
        var g = gradA, prev = gradB
        gradA = Tensor3(zeros: 0, 0, 0); gradB = gradA
        let top = activations[last]
        g.reshape(channels: top.channels, height: top.height, width: top.width)
        g.data.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
        for i in stride(from: last, through: 0, by: -1) {
            g.data.withUnsafeMutableBufferPointer { inject(i, $0.baseAddress!) }
            switch network.stages[i] {
            case .conv(_, _, let conv):
                ReLU.backward(&g, activation: activations[i])
                conv.backwardInput(g, into: &prev, workspace: &workspace)
            case .pool:
                Pool2x2.backward(g, input: i == 0 ? input : activations[i - 1],
                                 mode: network.pooling, into: &prev)
            }
            swap(&g, &prev)
        }
        // Hand out an exact-size copy: `g` keeps the capacity of the largest layer for reuse.
        let result = Tensor3(channels: g.channels, height: g.height, width: g.width,
                             data: g.data.withUnsafeBufferPointer { Array($0) })
        gradA = g; gradB = prev
        return result
    }
}
