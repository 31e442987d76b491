// libFuzzer harness: WebP decode (libwebp and its demuxer through webp_decode.c: RIFF
// chunks, VP8, VP8L, ALPH, VP8X with ICCP and EXIF; the profile through LittleCMS, the EXIF
// block through ExifOrientation), then a run's path and the JPEG/WebP outputs
// (PhotoFuzzCommon.swift). Built by `make fuzz` (FUZZ_PHOTO_SOURCES).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebP(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzPhoto(data, size, format: .webp)
    return 0
}
