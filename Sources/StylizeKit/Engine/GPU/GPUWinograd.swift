import Foundation
import StylizeKernels

/// One 3×3 convolution layer on a GPU by Winograd F(4×4, 3×3), as the CPU's `Winograd4`: the
/// tile transforms are kernels (`Kernels/Winograd.swift`) and the 36 products one strided
/// batched product over the whole tile grid.
///
/// Not for concurrent calls (its scratch, `Workspace`, may be shared by the layers of one
/// engine); one engine per stream of work.
///
/// cuBLAS is column-major; a row-major `X (r × c)` is its column-major `Xᵀ`. So the forward
/// `M[ξ] (OC × T) = U[ξ] (OC × C) · V[ξ] (C × T)` is computed as `Mᵀ = Vᵀ · Uᵀ` (no
/// transposes, m = T, n = OC, k = C), and the backward `M'[ξ] (C × T) = U[ξ]ᵀ · V'[ξ]` as
/// `M'ᵀ = V'ᵀ · U` (B transposed, m = T, n = C, k = OC).
public final class GPUWinograd: @unchecked Sendable {
    public let inChannels: Int, outChannels: Int
    let backend: any GPUBackend
    let u: GPUBuffer      // (36, OC, C), the CPU's transformed kernels
    let bias: GPUBuffer   // (OC)
    let scratch: Workspace

    /// `V` and `M`, kept and grown on demand (device allocations are slow, and every layer
    /// runs twice per evaluation); one for all the layers of an engine.
    public final class Workspace: @unchecked Sendable {
        var v: GPUBuffer?, m: GPUBuffer?
        public init() {}
        /// Frees both.
        public func release() { v = nil; m = nil }
    }

    public init(_ conv: Conv3x3, backend: any GPUBackend, workspace: Workspace = Workspace()) throws {
        guard let u = conv.winogradKernels else { throw GPUEngineError.notWinograd }
        inChannels = conv.inChannels
        outChannels = conv.outChannels
        self.backend = backend
        self.u = try backend.upload(u)
        bias = try backend.upload(conv.bias)
        scratch = workspace
    }

    /// Scratch of at least `vBytes` and `mBytes`.
    func workspace(_ vBytes: Int, _ mBytes: Int) throws -> (v: GPUBuffer, m: GPUBuffer) {
        if (scratch.v?.bytes ?? 0) < vBytes { scratch.v = nil; scratch.v = try backend.allocate(bytes: vBytes) }
        if (scratch.m?.bytes ?? 0) < mBytes { scratch.m = nil; scratch.m = try backend.allocate(bytes: mBytes) }
        return (scratch.v!, scratch.m!)
    }

    /// `out (OC, H, W) = conv(input (C, H, W)) + bias`, then ReLU when `relu`.
    public func forward(_ input: GPUBuffer, height h: Int, width w: Int, relu: Bool, into out: GPUBuffer) throws {
        let tw = (w + 3) / 4, tiles = tw * ((h + 3) / 4), c = inChannels, oc = outChannels
        precondition(input.bytes >= c * h * w * 4 && out.bytes >= oc * h * w * 4, "GPUWinograd: buffers too small")
        let (v, m) = try workspace(36 * c * tiles * 4, 36 * oc * tiles * 4)
        try backend.launch("winograd_input", over: c * tiles,
                           [.buffer(input), .buffer(v), .int(c), .int(h), .int(w), .int(tw), .int(tiles)])
        // Mᵀ[ξ] (T × OC, col-major) = Vᵀ[ξ] (T × C) · Uᵀ[ξ] (C × OC)
        try backend.gemmStridedBatched(transB: false, m: tiles, n: oc, k: c, a: v.address, lda: tiles, strideA: c * tiles,
                                       b: u.address, ldb: c, strideB: oc * c, c: m.address, ldc: tiles,
                                       strideC: oc * tiles, batch: 36)
        try backend.launch("winograd_output", over: oc * tiles,
                           [.buffer(m), .buffer(bias), .buffer(out), .int(oc), .int(h), .int(w), .int(tw), .int(tiles),
                            .int(relu ? 1 : 0)])
    }

    /// The input gradient `gradInput (C, H, W)` for the output gradient `gradOutput (OC, H, W)`
    /// (the ReLU's mask already applied). Overwrites `gradInput`.
    public func backward(_ gradOutput: GPUBuffer, height h: Int, width w: Int, into gradInput: GPUBuffer) throws {
        let tw = (w + 3) / 4, tiles = tw * ((h + 3) / 4), c = inChannels, oc = outChannels
        precondition(gradOutput.bytes >= oc * h * w * 4 && gradInput.bytes >= c * h * w * 4, "GPUWinograd: buffers too small")
        let (v, m) = try workspace(36 * oc * tiles * 4, 36 * c * tiles * 4)
        try backend.launch("winograd_gradient", over: oc * tiles,
                           [.buffer(gradOutput), .buffer(v), .int(oc), .int(h), .int(w), .int(tw), .int(tiles)])
        // M'ᵀ[ξ] (T × C, col-major) = V'ᵀ[ξ] (T × OC) · U[ξ] (OC × C), U read as the transpose of its
        // col-major (C × OC) view
        try backend.gemmStridedBatched(transB: true, m: tiles, n: c, k: oc, a: v.address, lda: tiles, strideA: oc * tiles,
                                       b: u.address, ldb: c, strideB: oc * c, c: m.address, ldc: tiles,
                                       strideC: c * tiles, batch: 36)
        try backend.launch("winograd_scatter", over: c * h * w,
                           [.buffer(m), .buffer(gradInput), .int(c), .int(h), .int(w), .int(tw), .int(tiles)])
    }
}
