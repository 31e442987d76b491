// libFuzzer harness: the EXIF orientation reader (ExifOrientation(exif:), the TIFF header
// and IFD0 walk), then the orientation applied to a small image and an alpha plane.
// Built by `make fuzz` (FUZZ_EXIF_SOURCES); pure Swift, so every path is instrumented.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzExif(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    let orientation = ExifOrientation(exif: bytes)
    let image = RGBImage(width: 3, height: 2, pixels: (0..<18).map(Float.init))
    let upright = orientation.apply(to: image)
    let size = orientation.uprightSize(width: 3, height: 2)
    precondition(upright.width == size.width && upright.height == size.height)
    precondition(upright.pixels.sorted() == image.pixels)  // a permutation of whole pixels
    let alpha = orientation.apply(to: AlphaPlane(width: 3, height: 2, values: [0, 1, 2, 3, 4, 5]))
    precondition(alpha.values.sorted() == [0, 1, 2, 3, 4, 5])
    return 0
}
