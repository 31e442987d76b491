// libFuzzer harness: PNG decode (colour profiles included: iCCP, gAMA, cHRM through
// LittleCMS), then the resize to a working size and the output's encode, as a run does.
// Built by `make fuzz` from the real sources (see the Makefile's FUZZ_PNG_SOURCES).

/// Small limits (512×512 pixels) keep each execution fast and every allocation far below libFuzzer's
/// -rss_limit_mb; the checks are the same code as at the default limits.
private let maxPixels = 262_144
private let working = WorkingSize(longestSide: 64, minimumSide: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Bare decode (what the contact sheet and `stylize-bench score` do) …
    if let decoded = try? PNGCodec.decodeWithAlpha(bytes, path: "fuzz.png", maxPixels: maxPixels) {
        let image = decoded.image
        precondition(image.pixels.count == image.width * image.height * 3)
        precondition(image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 })
        if let alpha = decoded.alpha {
            precondition(alpha.values.count == image.width * image.height)
            precondition(alpha.values.allSatisfy { $0 >= 0 && $0 <= 255 } && !alpha.isOpaque)
        }
    }
    // … and a run's read: header checks against the working size, decode, resize.
    if let image = try? PNGCodec.decode(bytes, path: "fuzz.png", maxPixels: maxPixels, workingSize: working) {
        let small = image.resized(longestSide: working.longestSide)
        precondition(max(small.width, small.height) == working.longestSide)
        precondition(min(small.width, small.height) >= working.minimumSide)
        // … and what a run writes: 16-bit RGBA (alpha resized like the colours).
        let alpha = AlphaPlane(width: image.width, height: image.height, values: image.pixels.enumerated().compactMap { $0.offset % 3 == 0 ? $0.element : nil })
            .resized(width: small.width, height: small.height)
        precondition((try? PNGCodec.encode(small, alpha: alpha, bitDepth: .sixteen)) != nil)
    }
    return 0
}
