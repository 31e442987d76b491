import CCUDA
import Foundation
import StylizeKernels

/// One 3×3 convolution layer on the GPU by Winograd F(4×4, 3×3), as the CPU's `Winograd4`:
/// the tile transforms are CUDA kernels (`Kernels/Winograd.swift`) and the 36 products one
/// batched cuBLAS call (`cublasSgemmStridedBatched`) over the whole tile grid.
///
/// Not for concurrent calls (it keeps its scratch); one instance per stream of work.
///
/// cuBLAS is column-major; a row-major `X (r × c)` is its column-major `Xᵀ`. So the forward
/// `M[ξ] (OC × T) = U[ξ] (OC × C) · V[ξ] (C × T)` is computed as `Mᵀ = Vᵀ · Uᵀ` (no
/// transposes, m = T, n = OC, k = C), and the backward `M'[ξ] (C × T) = U[ξ]ᵀ · V'[ξ]` as
/// `M'ᵀ = V'ᵀ · U` (B transposed, m = T, n = C, k = OC).
public final class CUDAWinograd: @unchecked Sendable {
    public let inChannels: Int, outChannels: Int
    let device: CUDADevice
    let u: CUDADevice.Buffer      // (36, OC, C), the CPU's transformed kernels
    let bias: CUDADevice.Buffer   // (OC)
    let kernels: CUDADevice.Module
    let blas: CUDABLAS
    /// `V` and `M` of the last call, kept and grown on demand: device allocations are slow,
    /// and a layer runs twice per evaluation.
    var scratch: (v: CUDADevice.Buffer, m: CUDADevice.Buffer)?

    /// Scratch of at least `vBytes` and `mBytes`.
    func workspace(_ vBytes: Int, _ mBytes: Int) throws -> (v: CUDADevice.Buffer, m: CUDADevice.Buffer) {
        if let s = scratch, s.v.bytes >= vBytes, s.m.bytes >= mBytes { return s }
        let s = (v: try device.allocate(bytes: max(vBytes, scratch?.v.bytes ?? 0)),
                 m: try device.allocate(bytes: max(mBytes, scratch?.m.bytes ?? 0)))
        scratch = s
        return s
    }

    public init(_ conv: Conv3x3, device: CUDADevice, kernels: CUDADevice.Module, blas: CUDABLAS) throws {
        guard let u = conv.winogradKernels else {
            throw CUDAError.driver(call: "CUDAWinograd", code: -1, text: "the layer is not a Winograd layer")
        }
        inChannels = conv.inChannels
        outChannels = conv.outChannels
        self.device = device
        self.u = try device.upload(u)
        bias = try device.upload(conv.bias)
        self.kernels = kernels
        self.blas = blas
    }

    static func blocks(_ n: Int) -> Int { min(65535, max(1, (n + 255) / 256)) }

    /// `out (OC, H, W) = conv(input (C, H, W)) + bias`, then ReLU when `relu`.
    public func forward(_ input: CUDADevice.Buffer, height h: Int, width w: Int, relu: Bool) throws -> CUDADevice.Buffer {
        let tw = (w + 3) / 4, tiles = tw * ((h + 3) / 4), c = inChannels, oc = outChannels
        let (v, m) = try workspace(36 * c * tiles * 4, 36 * oc * tiles * 4)
        let out = try device.allocate(bytes: oc * h * w * 4)
        try device.launch(try kernels.function("winograd_input"), blocks: Self.blocks(c * tiles),
                          [.buffer(input), .buffer(v), .int32(Int32(c)), .int32(Int32(h)), .int32(Int32(w)),
                           .int32(Int32(tw)), .int32(Int32(tiles))])
        // Mᵀ[ξ] (T × OC, col-major) = Vᵀ[ξ] (T × C) · Uᵀ[ξ] (C × OC)
        try blas.stridedBatched(transB: false, m: tiles, n: oc, k: c, a: v, lda: tiles, strideA: c * tiles,
                                b: u, ldb: c, strideB: oc * c, c: m, ldc: tiles, strideC: oc * tiles, batch: 36)
        try device.launch(try kernels.function("winograd_output"), blocks: Self.blocks(oc * tiles),
                          [.buffer(m), .buffer(bias), .buffer(out), .int32(Int32(oc)), .int32(Int32(h)),
                           .int32(Int32(w)), .int32(Int32(tw)), .int32(Int32(tiles)), .int32(relu ? 1 : 0)])
        return out
    }

    /// The input gradient `(C, H, W)` for the output gradient `gradOutput (OC, H, W)` (the ReLU's
    /// mask already applied).
    public func backward(_ gradOutput: CUDADevice.Buffer, height h: Int, width w: Int) throws -> CUDADevice.Buffer {
        let tw = (w + 3) / 4, tiles = tw * ((h + 3) / 4), c = inChannels, oc = outChannels
        let (v, m) = try workspace(36 * oc * tiles * 4, 36 * c * tiles * 4)
        let gin = try device.allocate(bytes: c * h * w * 4)
        try device.launch(try kernels.function("winograd_gradient"), blocks: Self.blocks(oc * tiles),
                          [.buffer(gradOutput), .buffer(v), .int32(Int32(oc)), .int32(Int32(h)), .int32(Int32(w)),
                           .int32(Int32(tw)), .int32(Int32(tiles))])
        // M'ᵀ[ξ] (T × C, col-major) = V'ᵀ[ξ] (T × OC) · U[ξ] (OC × C), U read as the transpose of its
        // col-major (C × OC) view
        try blas.stridedBatched(transB: true, m: tiles, n: c, k: oc, a: v, lda: tiles, strideA: oc * tiles,
                                b: u, ldb: c, strideB: oc * c, c: m, ldc: tiles, strideC: c * tiles, batch: 36)
        try device.launch(try kernels.function("winograd_scatter"), blocks: Self.blocks(c * h * w),
                          [.buffer(m), .buffer(gin), .int32(Int32(c)), .int32(Int32(h)), .int32(Int32(w)),
                           .int32(Int32(tw)), .int32(Int32(tiles))])
        return gin
    }
}
