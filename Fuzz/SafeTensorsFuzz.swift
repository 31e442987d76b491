// libFuzzer harness: safetensors parse, then VGG weight loading, as `--weights` does.
// Built by `make fuzz` from the real sources (see the Makefile's FUZZ_WEIGHTS_SOURCES).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSafeTensors(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    guard let file = try? SafeTensorsFile(bytes: bytes, path: "fuzz.safetensors") else { return 0 }
    // Every tensor the header validated must be readable as its dtype says.
    for name in file.tensorNames {
        guard let info = file.info(name) else { preconditionFailure("listed tensor \(name) has no info") }
        if info.dtype == .f32 {
            guard let values = try? file.floats(name) else { preconditionFailure("F32 tensor \(name) unreadable") }
            precondition(values.count == info.count)
        }
    }
    if let weights = try? VGGWeights.load(file) {
        precondition(!weights.layers.isEmpty && weights.meanBGR.count == 3)
        precondition(weights.layers.allSatisfy { $0.weight.allSatisfy(\.isFinite) && $0.bias.allSatisfy(\.isFinite) })
    }
    return 0
}
