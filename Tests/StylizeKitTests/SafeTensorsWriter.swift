import Foundation
import XCTest
@testable import StylizeKit

/// A minimal safetensors writer for building valid and deliberately broken
/// weight files inside tests.
enum SafeTensorsWriter {
    /// One tensor to write. `bytes` is the raw data; `offsets` overrides the
    /// `data_offsets` written to the header (to break the file on purpose).
    struct Tensor {
        var name: String
        var dtype: String = "F32"
        var shape: [Int]
        var bytes: [UInt8]
        var offsets: [Int]? = nil

        /// An F32 tensor with `shape` and the given values.
        static func f32(_ name: String, _ shape: [Int], _ values: [Float]) -> Tensor {
            Tensor(name: name, shape: shape, bytes: littleEndianBytes(values))
        }

        /// An F32 tensor with `shape` filled with a recognisable ramp starting at `seed`.
        static func ramp(_ name: String, _ shape: [Int], seed: Float) -> Tensor {
            let count = shape.reduce(1, *)
            return f32(name, shape, (0..<count).map { seed + Float($0 % 97) * 0.001 })
        }
    }

    /// Float32 values as little-endian bytes.
    static func littleEndianBytes(_ values: [Float]) -> [UInt8] {
        values.flatMap { value -> [UInt8] in
            let bits = value.bitPattern.littleEndian
            return (0..<4).map { UInt8(truncatingIfNeeded: bits >> (8 * UInt32($0))) }
        }
    }

    /// A complete file: tensors' data in the given order, header with sorted keys
    /// padded with spaces to a multiple of 8.
    static func file(_ tensors: [Tensor], metadata: [String: String]? = nil) -> Data {
        var header: [String: Any] = [:]
        var data: [UInt8] = []
        for tensor in tensors {
            let offsets = tensor.offsets ?? [data.count, data.count + tensor.bytes.count]
            header[tensor.name] = ["dtype": tensor.dtype, "shape": tensor.shape, "data_offsets": offsets] as [String: Any]
            data += tensor.bytes
        }
        if let metadata { header["__metadata__"] = metadata }
        let json = (try? JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])) ?? Data("{}".utf8)
        return raw(header: String(decoding: json, as: UTF8.self), data: data)
    }

    /// A file with a literal header text (padded to a multiple of 8) and data section.
    static func raw(header: String, data: [UInt8], declaredLength: UInt64? = nil) -> Data {
        var headerBytes = Array(header.utf8)
        while headerBytes.count % 8 != 0 { headerBytes.append(UInt8(ascii: " ")) }
        let length = declaredLength ?? UInt64(headerBytes.count)
        var out = Data((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * UInt64($0))) })
        out.append(contentsOf: headerBytes)
        out.append(contentsOf: data)
        return out
    }

    /// Tensors of a small VGG-like net: `channels[b]` outputs for every conv of
    /// block `b + 1`, `depths[b]` convs in it, 3 input channels.
    static func net(depths: [Int], channels: [Int]) -> [Tensor] {
        var tensors: [Tensor] = []
        var inChannels = 3
        for (b, (depth, width)) in zip(depths, channels).enumerated() {
            for k in 1...depth {
                let name = "conv\(b + 1)_\(k)"
                tensors.append(.ramp(name + ".weight", [width, inChannels, 3, 3], seed: Float(b * 10 + k)))
                tensors.append(.ramp(name + ".bias", [width], seed: -Float(b * 10 + k)))
                inChannels = width
            }
        }
        return tensors
    }
}

/// A fresh temporary directory, removed by `cleanUp()`.
final class TemporaryDirectory {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("stylize-weights-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    /// Writes `data` to `name` inside the directory (creating subdirectories) and returns its path.
    @discardableResult
    func write(_ data: Data, to name: String) throws -> String {
        let file = (path as NSString).appendingPathComponent(name)
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: file))
        return file
    }

    func cleanUp() {
        try? FileManager.default.removeItem(atPath: path)
    }
}
