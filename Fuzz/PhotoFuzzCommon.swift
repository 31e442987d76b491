// Shared by the JPEG and WebP harnesses (Fuzz/JPEGFuzz.swift, Fuzz/WebPFuzz.swift): one
// execution decodes the input as the given format, checks what came out, then takes the
// path of a run: the header checks against a working size and, for one valid input in
// eight (by a hash of its bytes, so a finding replays), the resize and the outputs written
// as JPEG and WebP and decoded back. Encoding every valid input took the rate from about
// 1,600 to 600 executions a second; the encoders only ever see decoded pixels, which a
// mutated file cannot make much stranger than one in eight of them already are.

/// Small limits (128×128 pixels) keep each execution fast and every allocation far below
/// libFuzzer's -rss_limit_mb; the checks are the same code as at the default limits. At
/// 512×512 three quarters of the time went to instrumented per-pixel loops (the resize and
/// the 16-bit conversion), not to parsing: 1,000 JPEG and 450 WebP executions a second. The
/// seeds are at most 48×32, so every one still decodes.
let maxPixels = 16_384
let working = WorkingSize(longestSide: 64, minimumSide: 16)

func fuzzPhoto(_ data: UnsafePointer<UInt8>?, _ size: Int, format: ImageFormat) {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let name = "fuzz." + format.extensions[0]
    // The decoder itself (ICC conversion, orientation included), whatever the signature says …
    if let decoded = try? PhotoCodec.decode(bytes, format: format, path: name, maxPixels: maxPixels) {
        let image = decoded.image
        precondition(image.pixels.count == image.width * image.height * 3)
        precondition(image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 })
        if let alpha = decoded.alpha {
            precondition(alpha.width == image.width && alpha.height == image.height)
            precondition(alpha.values.allSatisfy { $0 >= 0 && $0 <= 255 } && !alpha.isOpaque)
        }
        // The header agrees with the decode (upright size).
        let header = try? PhotoCodec.header(bytes, format: format, path: name, maxPixels: maxPixels)
        precondition(header.map { $0.width == image.width && $0.height == image.height } ?? false)
    }
    // … and a run's read: signature, header checks against the working size, decode, resize,
    // then the output in each format, read back.
    guard let decoded = try? ImageFile.decode(bytes, path: name, maxPixels: maxPixels, workingSize: working) else { return }
    let hash = bytes.reduce(UInt32(2_166_136_261)) { ($0 ^ UInt32($1)) &* 16_777_619 }  // FNV-1a
    guard hash % 8 == 0 else { return }
    let small = decoded.image.resized(longestSide: working.longestSide)
    precondition(max(small.width, small.height) == working.longestSide)
    precondition(min(small.width, small.height) >= working.minimumSide)
    let alpha = decoded.alpha?.resized(width: small.width, height: small.height)
    for output in [ImageFormat.jpeg, .webp] {
        guard let format = try? OutputFormat(format: output, quality: 80),
              let encoded = try? ImageFile.encode(small, alpha: alpha, as: format),
              let back = try? ImageFile.decode(encoded.bytes, path: "out", maxPixels: maxPixels) else {
            preconditionFailure("\(output.name) output of a valid image cannot be written or read back")
        }
        precondition(back.image.width == small.width && back.image.height == small.height)
    }
}
