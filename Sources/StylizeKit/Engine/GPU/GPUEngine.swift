import Foundation
import StylizeKernels

/// The `Engine` on a GPU (issue 17): VGG's passes, the loss terms and the optimizers' vectors
/// all in device memory, through a `GPUBackend` (`CUDABackend` on an NVIDIA GPU). Only loss
/// values (Doubles), reduction partials and the images to save cross to the host.
///
/// Layers: every convolution but conv1_1 by Winograd F(4×4, 3×3) (`GPUWinograd`, the CPU's
/// transformed kernels), conv1_1 by the direct kernel (3 input channels); ReLU fused into the
/// convolution; 2×2 pooling with its argmax (max) or none (average).
///
/// Memory: unlike `CPUEngine`, the output of every stage through the deepest one is kept
/// (about 310 MB at 512 × 512; 16 times that at 2048 px), because a GPU has it and the ReLU's
/// backward then reads the output itself; plus two gradient buffers of the largest stage and
/// the Winograd scratch of the largest layer. All are allocated on the first pass at a size
/// and reused.
///
/// Errors: device calls that fail inside methods that cannot throw (the loss terms,
/// `backward`, the vector operations) are recorded in `failure`; the next `forward` throws
/// the first of them.
///
public final class GPUEngine: Engine {
    public let network: VGGNetwork
    public let backend: any GPUBackend
    public let failure = GPUFailure()
    public let vectors: GPUVectors

    enum Layer {
        case winograd(GPUWinograd)
        case direct(weight: GPUBuffer, bias: GPUBuffer, inChannels: Int, outChannels: Int)
        case pool
    }
    private let layers: [Layer]
    /// Each stage's output of the last `forward` (sized for its image; nil past `depth`).
    private var outputs: [GPUVector?]
    private var poolIndices: [GPUBuffer?]
    /// Each stage's input size in the last `forward`.
    private var inputSizes: [(height: Int, width: Int)]
    private var depth = -1
    /// Two gradient buffers of the largest stage, for `backward`.
    private var gradients: [GPUBuffer] = []
    /// A Gram's scratch (`N²` floats of the largest style layer).
    private var gramScratch: GPUBuffer?
    /// The masked style term's `F_m` and product (`2·N·M` floats of the largest style layer).
    private var maskScratch: GPUBuffer?
    /// The Winograd layers' shared `V` and `M`.
    private let winogradScratch = GPUWinograd.Workspace()

    /// Uploads the network's weights (the Winograd layers' transformed kernels).
    public init(network: VGGNetwork, backend: any GPUBackend) throws {
        self.network = network
        self.backend = backend
        vectors = GPUVectors(backend: backend, failure: failure)
        let scratch = winogradScratch
        layers = try network.stages.map { stage in
            switch stage {
            case .conv(_, _, let conv):
                if conv.algorithm == .winograd4 { return .winograd(try GPUWinograd(conv, backend: backend, workspace: scratch)) }
                return .direct(weight: try backend.upload(conv.weight), bias: try backend.upload(conv.bias),
                               inChannels: conv.inChannels, outChannels: conv.outChannels)
            case .pool:
                return .pool
            }
        }
        let n = network.stages.count
        outputs = Array(repeating: nil, count: n)
        poolIndices = Array(repeating: nil, count: n)
        inputSizes = Array(repeating: (0, 0), count: n)
    }

    public func releaseBuffers() {
        let n = network.stages.count
        outputs = Array(repeating: nil, count: n)
        poolIndices = Array(repeating: nil, count: n)
        gradients = []
        gramScratch = nil
        maskScratch = nil
        winogradScratch.release()
        depth = -1
    }

    // MARK: - Forward and backward

    /// A vector of `count` floats for stage `i`'s output: the last one when it has that size.
    private func outputBuffer(_ i: Int, count: Int) throws -> GPUVector {
        if let o = outputs[i], o.count == count { return o }
        outputs[i] = nil
        return GPUVector(buffer: try backend.allocate(bytes: 4 * count), count: count)
    }

    public func forward(_ image: GPUVector, width: Int, height: Int, through last: Int, keeping: Set<Int>) throws {
        try failure.check()
        let size = network.outputSize(ofStage: last, width: width, height: height)
        if size.width < 1 || size.height < 1 {
            throw NetworkError.imageTooSmall(width: width, height: height, layer: network.stages[last].name,
                                             minimum: 1 << network.poolings(throughStage: last))
        }
        precondition(image.count == 3 * width * height, "GPUEngine: the image has \(image.count) values for 3×\(height)×\(width)")
        var source = image, h = height, w = width
        for i in 0...last {
            inputSizes[i] = (h, w)
            switch layers[i] {
            case .winograd(let conv):
                let out = try outputBuffer(i, count: conv.outChannels * h * w)
                try conv.forward(source.buffer, height: h, width: w, relu: true, into: out.buffer)
                outputs[i] = out; source = out
            case .direct(let weight, let bias, let c, let oc):
                let out = try outputBuffer(i, count: oc * h * w)
                try backend.launch("conv3x3_forward", over: oc * h * w,
                                   [.buffer(source.buffer), .buffer(weight), .buffer(bias), .buffer(out.buffer),
                                    .int(c), .int(oc), .int(h), .int(w), .int(1)])
                outputs[i] = out; source = out
            case .pool:
                let c = network.channels(ofStage: i)
                let out = try outputBuffer(i, count: c * (h / 2) * (w / 2))
                if network.pooling == .max {
                    let count = c * (h / 2) * (w / 2)
                    if (poolIndices[i]?.bytes ?? -1) != count { poolIndices[i] = try backend.allocate(bytes: count) }
                    try backend.launch("maxpool2x2_forward", over: count,
                                       [.buffer(source.buffer), .buffer(out.buffer), .buffer(poolIndices[i]), .int(c), .int(h), .int(w)])
                } else {
                    try backend.launch("avgpool2x2_forward", over: out.count,
                                       [.buffer(source.buffer), .buffer(out.buffer), .int(c), .int(h), .int(w)])
                }
                outputs[i] = out; source = out
                h /= 2; w /= 2
            }
        }
        for i in (last + 1)..<max(last + 1, network.stages.count) { outputs[i] = nil }
        depth = last
        try failure.check()
    }

    /// The two gradient buffers, grown to `count` floats.
    private func gradientBuffers(_ count: Int) throws -> (GPUBuffer, GPUBuffer) {
        if gradients.count != 2 || gradients[0].bytes < 4 * count {
            gradients = []
            gradients = [try backend.allocate(bytes: 4 * count), try backend.allocate(bytes: 4 * count)]
        }
        return (gradients[0], gradients[1])
    }

    public func backward(from last: Int, inject: (_ stage: Int, _ gradient: inout GPUVector?) -> Void) -> GPUVector {
        precondition(last <= depth, "backward from stage \(last) needs a forward pass through it")
        let input = 3 * inputSizes[0].height * inputSizes[0].width
        return failure.attempt(vectors.unavailable(input)) {
            let largest = (0...last).map { outputs[$0]!.count }.max() ?? 0
            var (g, prev) = try gradientBuffers(max(largest, input))
            try backend.launch("vec_fill", over: outputs[last]!.count, [.buffer(g), .float(0), .count(outputs[last]!.count)])
            for i in stride(from: last, through: 0, by: -1) {
                let out = outputs[i]!
                var lent: GPUVector? = GPUVector(buffer: g, count: out.count)
                inject(i, &lent)
                precondition(lent?.buffer === g && lent?.count == out.count, "inject must leave stage \(i)'s gradient in place")
                let (h, w) = inputSizes[i]
                switch layers[i] {
                case .winograd(let conv):
                    try backend.launch("relu_backward_output", over: out.count, [.buffer(g), .buffer(out.buffer), .count(out.count)])
                    try conv.backward(g, height: h, width: w, into: prev)
                case .direct(let weight, _, let c, let oc):
                    try backend.launch("relu_backward_output", over: out.count, [.buffer(g), .buffer(out.buffer), .count(out.count)])
                    try backend.launch("conv3x3_backward", over: c * h * w,
                                       [.buffer(g), .buffer(weight), .buffer(prev), .int(c), .int(oc), .int(h), .int(w)])
                case .pool:
                    let c = network.channels(ofStage: i)
                    if network.pooling == .max {
                        try backend.launch("maxpool2x2_backward", over: c * h * w,
                                           [.buffer(g), .buffer(poolIndices[i]), .buffer(prev), .int(c), .int(h), .int(w)])
                    } else {
                        try backend.launch("avgpool2x2_backward", over: c * h * w,
                                           [.buffer(g), .buffer(prev), .int(c), .int(h), .int(w)])
                    }
                }
                swap(&g, &prev)
            }
            // A vector of its own: the optimizer keeps gradients across evaluations.
            var result = GPUVector(buffer: try backend.allocate(bytes: 4 * input), count: input)
            vectors.copy(GPUVector(buffer: g, count: input), into: &result)
            return result
        }
    }

    // MARK: - Loss terms

    private func kept(_ i: Int) -> GPUVector {
        precondition(i <= depth, "stage \(i) was not computed by the last forward")
        return outputs[i]!
    }

    public func output(ofStage i: Int) -> GPUVector {
        let o = kept(i)
        var copy = vectors.allocate(o.count)
        vectors.copy(o, into: &copy)
        return copy
    }

    private func positions(_ i: Int) -> Int {
        let (h, w) = inputSizes[i]
        if case .pool = layers[i] { return (h / 2) * (w / 2) }
        return h * w
    }

    public func gram(ofStage i: Int) -> GPUVector {
        let n = network.channels(ofStage: i)
        let g = vectors.allocate(n * n)
        failure.attempt(()) { try GPUStyleTerm.gram(backend, kept(i).address, channels: n, positions: positions(i), into: g.buffer) }
        return g
    }

    public func contentLoss(atStage i: Int, target: GPUVector, positionWeights: GPUVector?, scale: Float,
                            gradient: inout GPUVector?) -> Double {
        let f = kept(i), m = positions(i)
        precondition(target.count == f.count, "content target does not match stage \(i)")
        precondition(positionWeights.map { $0.count == m } ?? true, "content position weights must be \(m) values")
        let norm = 4.0 * Double(network.channels(ofStage: i)) * Double(m)
        let gscale = Float(Double(scale) * 2.0 / norm)
        let grad = gradient
        let sum = vectors.reduce("content_term", f.count) {
            [.buffer(f.buffer), .buffer(target.buffer), .buffer(positionWeights?.buffer), .count(m), .buffer(grad?.buffer),
             .float(gscale), .buffer($0), .count(f.count)]
        }[0]
        return sum / norm
    }

    public func styleLoss(atStage i: Int, target: GPUVector, scale: Float, gradient: inout GPUVector?) -> Double {
        let n = network.channels(ofStage: i), f = kept(i)
        precondition(target.count == n * n, "style target must be \(n)×\(n)")
        let grad = gradient?.address
        return failure.attempt(0) {
            if (gramScratch?.bytes ?? 0) < 4 * n * n { gramScratch = nil; gramScratch = try backend.allocate(bytes: 4 * n * n) }
            return try GPUStyleTerm.loss(backend, f.address, channels: n, positions: positions(i), target: target.buffer,
                                         scale: scale, grad: grad, scratch: gramScratch!,
                                         partials: try vectors.partials.buffer(backend, bytes: 8 * 1024))
        }
    }

    /// `Gram.maskedStyleLoss` (its definitions): `F_m = F·diag(m)` and `grad += P·diag(m)` are
    /// kernels, `G_m/a` and `P = α·D·F_m` products, `D = G_m/a − S` and `Σ D²` the style
    /// term's difference kernel; `a = Σ m²` a dot product.
    public func maskedStyleLoss(atStage i: Int, mask: GPUVector, target: GPUVector, scale: Float,
                                gradient: inout GPUVector?) -> Double {
        let n = network.channels(ofStage: i), f = kept(i), m = positions(i)
        precondition(mask.count == m, "mask must have the layer's \(m) positions")
        precondition(target.count == n * n, "style target must be \(n)×\(n)")
        let area = vectors.dot(mask, mask)
        guard area > 1e-6 else { return 0 }
        let grad = gradient?.address
        return failure.attempt(0) {
            if (gramScratch?.bytes ?? 0) < 4 * n * n { gramScratch = nil; gramScratch = try backend.allocate(bytes: 4 * n * n) }
            if (maskScratch?.bytes ?? 0) < 8 * n * m { maskScratch = nil; maskScratch = try backend.allocate(bytes: 8 * n * m) }
            let d = gramScratch!, fm = maskScratch!.address, product = maskScratch!.float(n * m)
            try backend.launch("mask_columns", over: n * m, [.buffer(f.buffer), .buffer(mask.buffer), .address(fm), .int(n), .count(m)])
            // D (N × N) = F_mcᵀ · F_mc / a, F_mc = F_m's column-major (M × N) view
            try backend.gemm(transA: true, transB: false, m: n, n: n, k: m, alpha: Float(1 / area), a: fm, lda: m, b: fm, ldb: m,
                             beta: 0, c: d.address, ldc: n)
            let sum = try backend.reduce("style_difference", over: n * n,
                                         scratch: try vectors.partials.buffer(backend, bytes: 8 * 1024)) { partial in
                [.buffer(d), .buffer(target.buffer), .buffer(partial), .count(n * n)]
            }[0]
            if let grad {
                // Pᵀ (M × N, column-major) = α · F_mc · D (D symmetric, as stored)
                try backend.gemm(transA: false, transB: false, m: m, n: n, k: n,
                                 alpha: Float(Double(scale) / (Double(n) * Double(n) * area)), a: fm, lda: m,
                                 b: d.address, ldb: n, beta: 0, c: product, ldc: m)
                try backend.launch("add_masked_columns", over: n * m,
                                   [.address(grad), .address(product), .buffer(mask.buffer), .int(n), .count(m)])
            }
            return sum / (4.0 * Double(n) * Double(n))
        }
    }

    public func totalVariation(_ image: GPUVector, width: Int, height: Int, scale: Float, gradient: inout GPUVector?) -> Double {
        precondition(image.count == 3 * width * height, "TV of \(image.count) values for 3×\(height)×\(width)")
        let norm = 3.0 * Double(height) * Double(width)
        let gscale = Float(2.0 * Double(scale) / norm)
        let grad = gradient
        let sum = vectors.reduce("tv_term", image.count) {
            [.buffer(image.buffer), .buffer(grad?.buffer), .float(gscale), .buffer($0), .int(3), .int(height), .int(width)]
        }[0]
        return sum / norm
    }

    // MARK: - The optimizer's

    public func smoothingPreconditioner(planes: Int, height: Int, width: Int, refining: Bool) -> (inout GPUVector) -> Void {
        let m = GPUSmoothingPreconditioner(planes: planes, height: height, width: width, refining: refining, vectors: vectors)
        return { m.apply(&$0) }
    }

    public func check() throws { try failure.check() }
}

/// Why the GPU engine cannot do something asked of it.
public enum GPUEngineError: Error, CustomStringConvertible, Equatable {
    case notWinograd

    public var description: String {
        switch self {
        case .notWinograd: return "the GPU engine's Winograd layer was given a layer that does not use Winograd"
        }
    }
}
