/// The four tile transforms of `Winograd4` (matrices in `Conv3x3+Winograd4.swift`): the plain
/// Swift reference. The layers run the same code in C, vectorized for the CPU, with these bits
/// (`Conv3x3+Winograd4Vector.swift`, `Sources/CKernels/winograd.c`).
///
/// Each works on one run of consecutive tiles of a tile row at a time (a chunk may start or
/// end inside a tile row), channel by channel, parallel over channels. To let the compiler
/// vectorize across tiles, image rows are split into 4 "phases" (`p[φ][i] = row[4·i + φ]`,
/// tile `i` starts at phase 0 of index `i`), so every transform step is an elementwise loop
/// over the tiles of the run and only the (de)interleaving touches stride-4 data.
extension Winograd4 {
    /// Image size, tile columns, the chunk stride `T` of the `V` / `M` planes, and the floats
    /// added after each plane (`plane(_:)`).
    struct Grid {
        let height: Int, width: Int, tilesWide: Int, stride: Int
        var planePad = 0

        /// Floats from plane `ξ` of `V` or `M` to plane `ξ + 1`, for `channels` rows of `stride`.
        func plane(_ channels: Int) -> Int { channels * stride + planePad }
    }

    /// Calls `body(ty, txa, n, j)` for each run of tiles `(ty, txa ..< txa + n)` of one tile row
    /// inside tiles `firstTile ..< firstTile + count`; `j` is the run's first column in the chunk.
    @inline(__always)
    static func forEachRun(_ grid: Grid, firstTile: Int, count: Int, _ body: (Int, Int, Int, Int) -> Void) {
        var t = firstTile
        let end = firstTile + count
        while t < end {
            let ty = t / grid.tilesWide, txa = t % grid.tilesWide
            let n = min(grid.tilesWide - txa, end - t)
            body(ty, txa, n, t - firstTile)
            t += n
        }
    }

    /// The 4 phases of a row segment: `p[φ·stride + i] = row[x0 + 4·i + φ]` for `i < count`
    /// and `φ < 4`, zero where `x0 + 4·i + φ` is outside `0 ..< width`. Tiles wholly inside the
    /// row are read in place; only the edge tiles test each column.
    @inline(__always)
    static func loadPhases(_ row: UnsafePointer<Float>, width: Int, from x0: Int, count: Int, stride: Int,
                           into p: UnsafeMutablePointer<Float>) {
        let inLo = min(count, max(0, (3 - x0) / 4))                // first i with x0 + 4·i ≥ 0
        let inHi = max(inLo, min(count, (width - x0) / 4))        // i < inHi ⇒ x0 + 4·i + 3 < width
        let p1 = p + stride, p2 = p1 + stride, p3 = p2 + stride
        @inline(__always) func edge(_ i: Int) {
            for phase in 0..<4 {
                let x = x0 + 4 * i + phase
                p[phase * stride + i] = x >= 0 && x < width ? row[x] : 0
            }
        }
        for i in 0..<inLo { edge(i) }
        let s = row + x0
        for i in inLo..<inHi {
            p[i] = s[4 * i]; p1[i] = s[4 * i + 1]; p2[i] = s[4 * i + 2]; p3[i] = s[4 * i + 3]
        }
        for i in inHi..<count { edge(i) }
    }

    /// Forward input transform: `V[ξ][c, j + i] = (Bᵀ d B)[ξ]` for the 6×6 patch `d` of channel
    /// `c` at `(4·ty − 1, 4·(txa + i) − 1)`. `V` planes are `(channels, stride)`.
    static func inputTransform(_ input: UnsafePointer<Float>, channels: Int, grid: Grid,
                               firstTile: Int, count: Int, into v: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let h = grid.height, w = grid.width, np = grid.tilesWide + 1
        let ps = grid.plane(channels)
        parallel.forEachChunk(channels, costPerItem: count * 36) { range in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: 24 * np)  // p[(6 rows · 4 phases) · n1]
            let q = UnsafeMutablePointer<Float>.allocate(capacity: 24 * np)
            defer { p.deallocate(); q.deallocate() }
            for c in range {
                let plane = input + c * h * w
                forEachRun(grid, firstTile: firstTile, count: count) { ty, txa, n, j in
                    let n1 = n + 1, len = 4 * n1  // a run of n tiles reads 4·n + 2 ≤ 4·(n + 1) columns
                    for r in 0..<6 {
                        let y = 4 * ty - 1 + r, pr = p + r * len
                        if y < 0 || y >= h { pr.update(repeating: 0, count: len); continue }
                        loadPhases(plane + y * w, width: w, from: 4 * txa - 1, count: n1, stride: n1, into: pr)
                    }
                    // Bᵀ down the 6 rows, for all phases and tiles at once.
                    for e in 0..<len {
                        let x0 = p[e], x1 = p[len + e], x2 = p[2 * len + e]
                        let x3 = p[3 * len + e], x4 = p[4 * len + e], x5 = p[5 * len + e]
                        q[e] = 4 * x0 - 5 * x2 + x4
                        q[len + e] = (x3 + x4) - 4 * (x1 + x2)
                        q[2 * len + e] = (x4 - x3) + 4 * (x1 - x2)
                        q[3 * len + e] = (x4 - x2) + 2 * (x3 - x1)
                        q[4 * len + e] = (x4 - x2) - 2 * (x3 - x1)
                        q[5 * len + e] = 4 * x1 - 5 * x3 + x5
                    }
                    // ·B along each row: tile i's columns 0…5 are phases 0…3 of i and 0…1 of i + 1.
                    for k in 0..<6 {
                        let a = q + k * len, b = a + n1, cc = a + 2 * n1, d = a + 3 * n1
                        let o = v + 6 * k * ps + c * grid.stride + j
                        let o1 = o + ps, o2 = o1 + ps, o3 = o2 + ps, o4 = o3 + ps, o5 = o4 + ps
                        for i in 0..<n {
                            let x0 = a[i], x1 = b[i], x2 = cc[i], x3 = d[i], x4 = a[i + 1], x5 = b[i + 1]
                            o[i] = 4 * x0 - 5 * x2 + x4
                            o1[i] = (x3 + x4) - 4 * (x1 + x2)
                            o2[i] = (x4 - x3) + 4 * (x1 - x2)
                            o3[i] = (x4 - x2) + 2 * (x3 - x1)
                            o4[i] = (x4 - x2) - 2 * (x3 - x1)
                            o5[i] = 4 * x1 - 5 * x3 + x5
                        }
                    }
                }
            }
        }
    }

    /// Forward output transform: `out[c, 4·ty + a, 4·(txa + i) + b] = (Aᵀ m A)[a, b] + bias[c]`
    /// with `m[ξ] = M[ξ][c, j + i]`, then `max(·, 0)` when `relu`, for positions inside the
    /// image (edge tiles clipped). Fusing bias and ReLU here saves a pass over the output.
    static func outputTransform(_ mm: UnsafePointer<Float>, channels: Int, grid: Grid,
                                firstTile: Int, count: Int, bias: UnsafePointer<Float>, relu: Bool,
                                into out: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let h = grid.height, w = grid.width, tw = grid.tilesWide
        let ps = grid.plane(channels)
        parallel.forEachChunk(channels, costPerItem: count * 36) { range in
            let s = UnsafeMutablePointer<Float>.allocate(capacity: 24 * tw)  // s[(4 rows · 6 cols) · tw]
            let lin = UnsafeMutablePointer<Float>.allocate(capacity: 4 * tw)
            defer { s.deallocate(); lin.deallocate() }
            for c in range {
                let plane = out + c * h * w
                forEachRun(grid, firstTile: firstTile, count: count) { ty, txa, n, j in
                    let m = mm + c * grid.stride + j
                    // Aᵀ down the 6 rows of m, for each of the 6 columns.
                    for col in 0..<6 {
                        let m0 = m + col * ps, m1 = m0 + 6 * ps, m2 = m1 + 6 * ps
                        let m3 = m2 + 6 * ps, m4 = m3 + 6 * ps, m5 = m4 + 6 * ps
                        let s0 = s + col * tw, s1 = s0 + 6 * tw, s2 = s1 + 6 * tw, s3 = s2 + 6 * tw
                        for i in 0..<n {
                            let a = m1[i] + m2[i], b = m1[i] - m2[i], e = m3[i] + m4[i], d = m3[i] - m4[i]
                            s0[i] = m0[i] + a + e; s1[i] = b + 2 * d; s2[i] = a + 4 * e; s3[i] = b + 8 * d + m5[i]
                        }
                    }
                    // ·A along each of the 4 rows, interleaved into image columns.
                    for r in 0..<4 {
                        let y = 4 * ty + r
                        if y >= h { break }
                        let x0 = s + 6 * r * tw, x1 = x0 + tw, x2 = x1 + tw, x3 = x2 + tw, x4 = x3 + tw, x5 = x4 + tw
                        for i in 0..<n {
                            let a = x1[i] + x2[i], b = x1[i] - x2[i], e = x3[i] + x4[i], d = x3[i] - x4[i]
                            lin[4 * i] = x0[i] + a + e; lin[4 * i + 1] = b + 2 * d
                            lin[4 * i + 2] = a + 4 * e; lin[4 * i + 3] = b + 8 * d + x5[i]
                        }
                        let dst = plane + y * w + 4 * txa, bv = bias[c]
                        if relu {
                            for e in 0..<min(4 * n, w - 4 * txa) { dst[e] = max(lin[e] + bv, 0) }
                        } else {
                            for e in 0..<min(4 * n, w - 4 * txa) { dst[e] = lin[e] + bv }
                        }
                    }
                }
            }
        }
    }

    /// Backward input transform: `V'[ξ][o, j + i] = (A dY Aᵀ)[ξ]` for the 4×4 tile `dY` of
    /// output-gradient channel `o` at `(4·ty, 4·(txa + i))` (zero outside the image).
    static func gradientTransform(_ input: UnsafePointer<Float>, channels: Int, grid: Grid,
                                  firstTile: Int, count: Int, into v: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let h = grid.height, w = grid.width, tw = grid.tilesWide
        let ps = grid.plane(channels)
        parallel.forEachChunk(channels, costPerItem: count * 36) { range in
            let p = UnsafeMutablePointer<Float>.allocate(capacity: 16 * tw)  // p[(4 rows · 4 phases) · n]
            let q = UnsafeMutablePointer<Float>.allocate(capacity: 24 * tw)  // q[(6 rows · 4 phases) · n]
            defer { p.deallocate(); q.deallocate() }
            for c in range {
                let plane = input + c * h * w
                forEachRun(grid, firstTile: firstTile, count: count) { ty, txa, n, j in
                    let len = 4 * n
                    for r in 0..<4 {
                        let y = 4 * ty + r, pr = p + r * len
                        if y >= h { pr.update(repeating: 0, count: len); continue }
                        loadPhases(plane + y * w, width: w, from: 4 * txa, count: n, stride: n, into: pr)
                    }
                    // A down the 4 rows (4 → 6), all phases and tiles at once.
                    for e in 0..<len {
                        let z0 = p[e], z1 = p[len + e], z2 = p[2 * len + e], z3 = p[3 * len + e]
                        let a = z0 + z2, b = z1 + z3, g = z0 + 4 * z2, d = 2 * z1 + 8 * z3
                        q[e] = z0; q[len + e] = a + b; q[2 * len + e] = a - b
                        q[3 * len + e] = g + d; q[4 * len + e] = g - d; q[5 * len + e] = z3
                    }
                    // ·Aᵀ along each of the 6 rows: tile i's 4 columns are its 4 phases.
                    for k in 0..<6 {
                        let z0 = q + k * len, z1 = z0 + n, z2 = z1 + n, z3 = z2 + n
                        let o = v + 6 * k * ps + c * grid.stride + j
                        let o1 = o + ps, o2 = o1 + ps, o3 = o2 + ps, o4 = o3 + ps, o5 = o4 + ps
                        for i in 0..<n {
                            let a = z0[i] + z2[i], b = z1[i] + z3[i], g = z0[i] + 4 * z2[i], d = 2 * z1[i] + 8 * z3[i]
                            o[i] = z0[i]; o1[i] = a + b; o2[i] = a - b; o3[i] = g + d; o4[i] = g - d; o5[i] = z3[i]
                        }
                    }
                }
            }
        }
    }

    /// Backward output transform: adds `(B m Bᵀ)[a, b]`, `m[ξ] = M'[ξ][c, j + i]`, into
    /// `out[c, 4·ty − 1 + a, 4·(txa + i) − 1 + b]` where inside the image. `out` must be zeroed
    /// before the first chunk, or the first chunk passes `zeroFirst`: each plane is then zeroed
    /// by the thread that adds into it, just before. Parallel over channels: each thread adds
    /// only into its own planes.
    static func scatterTransform(_ mm: UnsafePointer<Float>, channels: Int, grid: Grid,
                                 firstTile: Int, count: Int, zeroFirst: Bool = false,
                                 into out: UnsafeMutablePointer<Float>, parallel: Parallel) {
        let h = grid.height, w = grid.width, tw = grid.tilesWide
        let ps = grid.plane(channels)
        parallel.forEachChunk(channels, costPerItem: count * 36) { range in
            let s = UnsafeMutablePointer<Float>.allocate(capacity: 36 * tw)  // s[(6 rows · 6 cols) · tw]
            let d = UnsafeMutablePointer<Float>.allocate(capacity: 6 * tw)
            let lin = UnsafeMutablePointer<Float>.allocate(capacity: 4 * tw + 2)
            defer { s.deallocate(); d.deallocate(); lin.deallocate() }
            for c in range {
                let plane = out + c * h * w
                if zeroFirst { plane.update(repeating: 0, count: h * w) }
                forEachRun(grid, firstTile: firstTile, count: count) { ty, txa, n, j in
                    let m = mm + c * grid.stride + j
                    // B down the 6 rows of m, for each of the 6 columns.
                    for col in 0..<6 {
                        let m0 = m + col * ps, m1 = m0 + 6 * ps, m2 = m1 + 6 * ps
                        let m3 = m2 + 6 * ps, m4 = m3 + 6 * ps, m5 = m4 + 6 * ps
                        let s0 = s + col * tw, s1 = s0 + 6 * tw, s2 = s1 + 6 * tw
                        let s3 = s2 + 6 * tw, s4 = s3 + 6 * tw, s5 = s4 + 6 * tw
                        for i in 0..<n {
                            let a = m1[i] - m2[i], b = m3[i] - m4[i], sp = m1[i] + m2[i], sq = m3[i] + m4[i]
                            s0[i] = 4 * m0[i]; s1[i] = 4 * (m5[i] - a) - 2 * b; s2[i] = -5 * m0[i] - 4 * sp - sq
                            s3[i] = a + 2 * b - 5 * m5[i]; s4[i] = m0[i] + sp + sq; s5[i] = m5[i]
                        }
                    }
                    // ·Bᵀ along each row, then add into the image row 4·ty − 1 + r.
                    for r in 0..<6 {
                        let y = 4 * ty - 1 + r
                        if y < 0 || y >= h { continue }
                        let x0 = s + 6 * r * tw, x1 = x0 + tw, x2 = x1 + tw, x3 = x2 + tw, x4 = x3 + tw, x5 = x4 + tw
                        let d0 = d, d1 = d + tw, d2 = d1 + tw, d3 = d2 + tw, d4 = d3 + tw, d5 = d4 + tw
                        for i in 0..<n {
                            let a = x1[i] - x2[i], b = x3[i] - x4[i], sp = x1[i] + x2[i], sq = x3[i] + x4[i]
                            d0[i] = 4 * x0[i]; d1[i] = 4 * (x5[i] - a) - 2 * b; d2[i] = -5 * x0[i] - 4 * sp - sq
                            d3[i] = a + 2 * b - 5 * x5[i]; d4[i] = x0[i] + sp + sq; d5[i] = x5[i]
                        }
                        // Columns 4, 5 of tile i are columns 0, 1 of tile i + 1.
                        for i in 1..<max(1, n) { d0[i] += d4[i - 1]; d1[i] += d5[i - 1] }
                        for i in 0..<n {
                            lin[4 * i] = d0[i]; lin[4 * i + 1] = d1[i]; lin[4 * i + 2] = d2[i]; lin[4 * i + 3] = d3[i]
                        }
                        lin[4 * n] = d4[n - 1]; lin[4 * n + 1] = d5[n - 1]
                        let x = 4 * txa - 1, len = 4 * n + 2
                        let lo = max(0, -x), hi = min(len, w - x)
                        let row = plane + y * w + x
                        for e in lo..<max(lo, hi) { row[e] += lin[e] }
                    }
                }
            }
        }
    }
}
