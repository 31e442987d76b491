// libFuzzer harness: JPEG decode (libjpeg-turbo through jpeg_decode.c: markers, baseline,
// progressive and arithmetic scans, the scan limit, CMYK/YCCK; APP2 ICC profiles through
// LittleCMS in colour_profile.c; APP1 EXIF through ExifOrientation), then a run's path and
// the JPEG/WebP outputs (PhotoFuzzCommon.swift). Built by `make fuzz` (FUZZ_PHOTO_SOURCES).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJPEG(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzPhoto(data, size, format: .jpeg)
    return 0
}
