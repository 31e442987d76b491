// libFuzzer harness: PNG decode, then the resize to a working size, as a run does.
// Built by `make fuzz` from the real sources (see the Makefile's FUZZ_PNG_SOURCES).

/// Small limits (512×512 pixels) keep each execution fast and every allocation far below libFuzzer's
/// -rss_limit_mb; the checks are the same code as at the default limits.
private let maxPixels = 262_144
private let working = WorkingSize(longestSide: 64, minimumSide: 16)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPNG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    // Bare decode (what the contact sheet and `stylize-bench score` do) …
    if let image = try? PNGCodec.decode(bytes, path: "fuzz.png", maxPixels: maxPixels) {
        precondition(image.pixels.count == image.width * image.height * 3)
        precondition(image.pixels.allSatisfy { $0 >= 0 && $0 <= 255 })
    }
    // … and a run's read: header checks against the working size, decode, resize.
    if let image = try? PNGCodec.decode(bytes, path: "fuzz.png", maxPixels: maxPixels, workingSize: working) {
        let small = image.resized(longestSide: working.longestSide)
        precondition(max(small.width, small.height) == working.longestSide)
        precondition(min(small.width, small.height) >= working.minimumSide)
    }
    return 0
}
