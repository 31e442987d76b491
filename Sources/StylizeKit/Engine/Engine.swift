/// Where a run's numbers are computed: VGG's forward and backward passes, the loss terms read
/// from its layers, and (through `vectors`) the optimizers' vector operations. The objective
/// (`StyleTransferObjective`) and the optimizers see only this interface; the algorithm does
/// not know which hardware runs it.
///
/// `CPUEngine` implements it with StylizeKernels and is the reference. A GPU engine would
/// implement the same methods with `Vector` a device buffer: images, activations, targets,
/// gradients and the optimizer's state would then all stay on the device, and only the loss
/// values (Doubles) and the images to save come back.
///
/// Layouts: an image is `(3, H, W)` BGR minus the mean, channels-first, row-major; stage
/// `i`'s output is `(C_i, H_i, W_i)` (`network.channels(ofStage:)`,
/// `network.outputSize(ofStage:width:height:)`); a Gram matrix is `C × C`, row-major. A
/// `Vector` holds one of these, flat.
///
/// Per-run settings (threads, scratch budget, a GPU's device and stream) are properties of
/// the instance, never process globals, so runs with different settings can share a process.
/// One instance holds one pass's buffers: use it from one thread at a time.
public protocol Engine: AnyObject {
    associatedtype Vectors: VectorOperations
    typealias Vector = Vectors.Vector

    /// The network this engine runs: its stages, names and sizes.
    var network: VGGNetwork { get }
    /// The vector operations on this engine's vectors, for the optimizers.
    var vectors: Vectors { get }

    // MARK: - Network

    /// Runs stages `0...last` on `image` (`width × height`), keeping the outputs of the stages
    /// in `keeping` for the loss terms below (and for `backward`). Throws
    /// `NetworkError.imageTooSmall` if a stage would be empty.
    func forward(_ image: Vector, width: Int, height: Int, through last: Int, keeping: Set<Int>) throws

    /// Back-propagates from stage `last` of the last `forward` (which went at least that far)
    /// to its input image and returns `∂L/∂image`.
    ///
    /// `inject(i, &grad)` is called for every stage `i` from `last` down to 0 with `grad` =
    /// `∂L/∂output_i` accumulated so far (zero at `last`; never nil here); it adds the
    /// gradients of the loss terms read at stage `i`.
    func backward(from last: Int, inject: (_ stage: Int, _ gradient: inout Vector?) -> Void) -> Vector

    /// Frees every buffer sized for the last image; the next `forward` allocates again.
    func releaseBuffers()

    /// A copy of stage `i`'s output from the last `forward` (a kept stage).
    func output(ofStage i: Int) -> Vector

    // MARK: - Loss terms
    //
    // Each reads stage `i`'s output from the last `forward` (a kept stage) and returns the
    // term's value; when `gradient` is not nil it also ADDS `scale · ∂term/∂output_i` to it.
    // The definitions are those of the kernels named.

    /// `G = F·Fᵀ` of stage `i`'s output (`Gram.gram`).
    func gram(ofStage i: Int) -> Vector
    /// `Σ_x w_x Σ_c (F − P)² / (4 N M)`, `target` = `P`, `positionWeights` = `w` (one per
    /// position of the stage; nil: all 1) (`Gram.contentLoss`).
    func contentLoss(atStage i: Int, target: Vector, positionWeights: Vector?, scale: Float, gradient: inout Vector?) -> Double
    /// `Σ (G − A)² / (4 N² M²)`, `target` = `A` (`Gram.styleLoss`).
    func styleLoss(atStage i: Int, target: Vector, scale: Float, gradient: inout Vector?) -> Double
    /// The style term of one region, `mask` at the stage's size (`Gram.maskedStyleLoss`).
    func maskedStyleLoss(atStage i: Int, mask: Vector, target: Vector, scale: Float, gradient: inout Vector?) -> Double
    /// `L_tv` of an image (`TotalVariation`).
    func totalVariation(_ image: Vector, width: Int, height: Int, scale: Float, gradient: inout Vector?) -> Double

    // MARK: - The optimizer's

    /// `v ← M·v` of `SmoothingPreconditioner` for a `(planes, height, width)` image, on this
    /// engine's vectors (L-BFGS's `preconditioner`); `refining` at a coarse-to-fine run's final scale.
    func smoothingPreconditioner(planes: Int, height: Int, width: Int, refining: Bool) -> (inout Vector) -> Void

    /// Throws the first failure of a call that could not throw (a device error), if any.
    func check() throws
}
