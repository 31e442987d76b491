import CKernels

/// ReLU's backward: `grad[i] = 0` wherever the ReLU output `activation[i]` is 0.
/// (The forward is fused into `Conv3x3.forward`.) Modifies `grad` in place.
public enum ReLU {
    public static func backward(_ grad: inout Tensor3, activation: Tensor3, parallel: Parallel) {
        precondition(grad.count == activation.count, "ReLU gradient shape does not match")
        let n = grad.count
        activation.data.withUnsafeBufferPointer { aBuf in
            grad.data.withUnsafeMutableBufferPointer { gBuf in
                let a = aBuf.baseAddress!, g = gBuf.baseAddress!
                parallel.forEachChunk(n / 4096 + 1, costPerItem: 4096) { range in
                    let lo = range.lowerBound * 4096, hi = min(n, range.upperBound * 4096)
                    var i = lo
                    while i + 16 <= hi {  // 16 at a time: the compiler leaves the scalar loop scalar
                        let av = UnsafeRawPointer(a + i).loadUnaligned(as: SIMD16<Float>.self)
                        var gv = UnsafeRawPointer(g + i).loadUnaligned(as: SIMD16<Float>.self)
                        gv.replace(with: 0, where: av .<= 0)
                        UnsafeMutableRawPointer(g + i).storeBytes(of: gv, as: SIMD16<Float>.self)
                        i += 16
                    }
                    while i < hi { g[i] = a[i] <= 0 ? 0 : g[i]; i += 1 }  // as the lanes above (a NaN keeps g)
                }
            }
        }
    }
}

/// A ReLU's backward mask kept as bits: bit `i` of `words[i / 64]` is set when the ReLU
/// output at flat index `i` (layout `(C, H, W)`) is positive. 1/32 of the activation's
/// memory, for layers whose values no loss reads (the engine keeps their mask only).
public struct ReLUMask: Sendable {
    public private(set) var count = 0
    public private(set) var words: [UInt64] = []

    public init() {}

    /// The C kernels' vector kind (`stylize_relu.h`), or nil for the Swift loops below: as the
    /// Winograd transforms choose (`STYLIZE_WINOGRAD`, `Winograd4.Transforms.chosen`). Every
    /// choice gives the same bits.
    static let kind: Int32? = Winograd4.Transforms.chosen.kind

    /// Sets the mask from `activation` (reusing storage).
    public mutating func record(_ activation: Tensor3, parallel: Parallel) {
        record(activation, kind: ReLUMask.kind, parallel: parallel)
    }

    /// `record` with the C kernels of vector kind `kind` (0, 1, 2), or the Swift loops (nil).
    mutating func record(_ activation: Tensor3, kind: Int32?, parallel: Parallel) {
        let n = activation.count, nWords = (n + 63) / 64
        count = n
        words.resizeKeepingCapacity(to: nWords, parallel: parallel)  // every word is written below
        activation.data.withUnsafeBufferPointer { aBuf in
            words.withUnsafeMutableBufferPointer { wBuf in
                let a = aBuf.baseAddress!, w = wBuf.baseAddress!
                parallel.forEachChunk(nWords, costPerItem: 64) { range in
                    if let kind {
                        stylize_relu_mask_record(kind, a, n, range.lowerBound, range.upperBound, w)
                        return
                    }
                    for k in range {
                        let base = k * 64, end = min(n, base + 64)
                        var bits: UInt64 = 0
                        if end - base == 64 {  // branch-free with a fixed count, so it vectorizes
                            for j in 0..<64 { bits |= UInt64(a[base + j] > 0 ? 1 : 0) << UInt64(j) }
                        } else {
                            for i in base..<end where a[i] > 0 { bits |= 1 << UInt64(i - base) }
                        }
                        w[k] = bits
                    }
                }
            }
        }
    }

    /// `grad[i] = 0` wherever the recorded activation was not positive. Modifies `grad` in place.
    public func backward(_ grad: inout Tensor3, parallel: Parallel) {
        backward(&grad, kind: ReLUMask.kind, parallel: parallel)
    }

    /// `backward` with the C kernels of vector kind `kind` (0, 1, 2), or the Swift loops (nil).
    func backward(_ grad: inout Tensor3, kind: Int32?, parallel: Parallel) {
        precondition(grad.count == count, "ReLU mask has \(count) entries, gradient \(grad.count)")
        let n = count
        words.withUnsafeBufferPointer { wBuf in
            grad.data.withUnsafeMutableBufferPointer { gBuf in
                ReLUMask.nibbleMasks.withUnsafeBufferPointer { tBuf in
                    let w = wBuf.baseAddress!, g = gBuf.baseAddress!, table = tBuf.baseAddress!
                    parallel.forEachChunk(wBuf.count, costPerItem: 64) { range in
                        if let kind {
                            stylize_relu_mask_apply(kind, w, n, range.lowerBound, range.upperBound, g)
                            return
                        }
                        for k in range {
                            let bits = w[k]
                            if bits == .max { continue }
                            let base = k * 64, end = min(n, base + 64)
                            if end - base == 64 {
                                // 4 values at a time: their 4 bits select a lane mask, ANDed into the floats' bits.
                                let raw = UnsafeMutableRawPointer(g + base)
                                for q in 0..<16 {
                                    let lanes = table[Int(truncatingIfNeeded: (bits >> UInt64(4 * q)) & 15)]
                                    let v = raw.loadUnaligned(fromByteOffset: 16 * q, as: SIMD4<UInt32>.self)
                                    raw.storeBytes(of: v & lanes, toByteOffset: 16 * q, as: SIMD4<UInt32>.self)
                                }
                            } else {
                                for i in base..<end where bits & (1 << UInt64(i - base)) == 0 { g[i] = 0 }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Lane `j` of entry `b` is all ones when bit `j` of `b` is set, else zero (a bit-by-bit
    /// select did not vectorize and took 3 % of an evaluation at 512², perf).
    static let nibbleMasks: [SIMD4<UInt32>] = (0..<16).map { b in
        SIMD4((0..<4).map { b >> $0 & 1 != 0 ? UInt32.max : 0 })
    }
}
