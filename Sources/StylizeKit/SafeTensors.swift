import Foundation

/// Element types a safetensors header may name, with their size in bytes.
///
/// Only `F32` can be read as floats (`SafeTensorsFile.floats(_:)`); the others
/// are recognised so that a file using them is validated and reported precisely
/// ("dtype F16, expected F32") rather than rejected as malformed.
public enum SafeTensorsDType: String, Sendable, CaseIterable {
    case bool = "BOOL", u8 = "U8", i8 = "I8", f8e5m2 = "F8_E5M2", f8e4m3 = "F8_E4M3"
    case i16 = "I16", u16 = "U16", f16 = "F16", bf16 = "BF16"
    case i32 = "I32", u32 = "U32", f32 = "F32"
    case i64 = "I64", u64 = "U64", f64 = "F64"

    /// Bytes per element.
    public var byteSize: Int {
        switch self {
        case .bool, .u8, .i8, .f8e5m2, .f8e4m3: return 1
        case .i16, .u16, .f16, .bf16: return 2
        case .i32, .u32, .f32: return 4
        case .i64, .u64, .f64: return 8
        }
    }
}

/// A validated safetensors file, read into memory.
///
/// Format (https://github.com/huggingface/safetensors, "Format"):
///
///     [8 bytes]  N, unsigned 64-bit little-endian: length of the header
///     [N bytes]  UTF-8 JSON object, possibly padded with trailing spaces:
///                  "<tensor name>": {"dtype": "F32", "shape": [d0, d1, ...],
///                                    "data_offsets": [begin, end]}, ...
///                  "__metadata__": {"<key>": "<string value>", ...}   (optional)
///     [rest]     the data section; `begin`/`end` are byte offsets into it, and
///                each tensor's bytes are its elements row-major, little-endian.
///
/// Everything is checked when the file is opened, so later reads cannot fail on
/// layout: header length against file size, JSON syntax, every entry's dtype,
/// shape (non-negative integers) and offsets (`begin <= end`, inside the data
/// section, `end - begin == product(shape) * dtype size`), no two tensors
/// overlapping, and — as the reference implementation requires — the tensors
/// covering the data section exactly, with no gap and nothing after the last one.
public struct SafeTensorsFile: Sendable {
    /// dtype and shape of one tensor.
    public struct TensorInfo: Equatable, Sendable {
        public let dtype: SafeTensorsDType
        /// Dimensions, outermost first; `[]` is a scalar.
        public let shape: [Int]
        /// Number of elements, `product(shape)`.
        public var count: Int { shape.reduce(1, *) }
        /// Byte range inside the data section.
        let byteRange: Range<Int>
    }

    /// Largest header accepted, in bytes: 1 MB. The real VGG16 header is 2,832 bytes and a
    /// VGG19 one would be about 3.5 KB; even 1,000 conv layers with metadata stay far below.
    /// (The reference implementation allows 100 MB, which here would only let a hostile
    /// file make the JSON decoder build a huge object before anything else is checked.)
    static let maxHeaderLength = 1_000_000

    /// Largest file accepted, in bytes: 512 MB. The loader takes only conv layers: VGG16's
    /// are 59 MB and VGG19's 80 MB, so this leaves room for larger conv stacks while a wrong
    /// or runaway file is refused from its size, before anything is read.
    public static let maxFileBytes = 512_000_000

    /// The path the file was opened from (as given).
    public let path: String
    /// Tensor names in the order their data appears in the file.
    public let tensorNames: [String]
    /// The `__metadata__` block (empty if absent).
    public let metadata: [String: String]

    private let tensors: [String: TensorInfo]
    /// The whole file.
    private let bytes: [UInt8]
    /// Offset of the data section within `bytes`.
    private let dataStart: Int

    /// Opens and validates the safetensors file at `path`: a regular file (not a FIFO or a
    /// device) of at most `maxFileBytes`, read whole with `read(2)`. It is not memory-mapped:
    /// a mapped file truncated while in use kills the process with SIGBUS, while a file
    /// truncated during the read only comes out shorter, and then fails validation.
    public init(path: String) throws {
        let bytes: [UInt8]
        do {
            bytes = try BoundedFile.read(path, maxBytes: SafeTensorsFile.maxFileBytes, what: "a weights file")
        } catch let failure as BoundedFile.Failure {
            throw WeightsError(file: path, failure.isMissing ? "does not exist" : failure.reason)
        }
        try self.init(bytes: bytes, path: path)
    }

    /// Validates an in-memory safetensors image; `path` is used only in messages.
    public init(bytes: [UInt8], path: String) throws {
        func fail(_ reason: String) -> WeightsError {
            WeightsError(file: path, reason)
        }
        guard bytes.count >= 8 else {
            throw fail("is \(bytes.count) bytes long, too short for a safetensors header (truncated?)")
        }
        let declared = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        guard declared <= UInt64(bytes.count - 8) else {
            throw fail("header length \(declared) exceeds the \(bytes.count - 8) bytes after the length field (truncated or not safetensors)")
        }
        guard declared >= 2, declared <= UInt64(SafeTensorsFile.maxHeaderLength) else {
            throw fail("header length \(declared) is not plausible (not a safetensors file?)")
        }
        let headerLength = Int(declared)
        let headerBytes = bytes[8..<(8 + headerLength)]
        guard headerBytes.first == UInt8(ascii: "{") else {
            throw fail("header does not start with '{' (not a safetensors file?)")
        }
        guard String(bytes: headerBytes, encoding: .utf8) != nil else {
            throw fail("header is not valid UTF-8")
        }
        let header: RawHeader
        do {
            header = try JSONDecoder().decode(RawHeader.self, from: Data(headerBytes))
        } catch let error as DecodingError {
            let detail = SafeTensorsFile.summary(of: error).map { " (\($0))" } ?? ""
            throw fail("header is not valid safetensors JSON\(detail)")
        } catch {
            throw fail("header is not valid safetensors JSON")
        }

        let dataLength = bytes.count - 8 - headerLength
        var infos: [String: TensorInfo] = [:]
        for (name, entry) in header.entries {
            guard let dtype = SafeTensorsDType(rawValue: entry.dtype) else {
                throw fail("tensor '\(name)' has unknown dtype '\(entry.dtype)'")
            }
            if let bad = entry.shape.first(where: { $0 < 0 }) {
                throw fail("tensor '\(name)' has a negative dimension \(bad) in shape \(entry.shape)")
            }
            guard entry.dataOffsets.count == 2 else {
                throw fail("tensor '\(name)' has data_offsets \(entry.dataOffsets), expected [begin, end]")
            }
            let (begin, end) = (entry.dataOffsets[0], entry.dataOffsets[1])
            guard begin >= 0, begin <= end, end <= dataLength else {
                throw fail("tensor '\(name)' has data_offsets [\(begin), \(end)] outside the \(dataLength)-byte data section")
            }
            var byteCount = dtype.byteSize
            for dim in entry.shape {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: dim)
                guard !overflow else {
                    throw fail("tensor '\(name)' shape \(entry.shape) is too large")
                }
                byteCount = product
            }
            guard end - begin == byteCount else {
                throw fail("tensor '\(name)' spans \(end - begin) bytes but \(dtype.rawValue) \(entry.shape) needs \(byteCount)")
            }
            infos[name] = TensorInfo(dtype: dtype, shape: entry.shape, byteRange: begin..<end)
        }

        // Order by position; require the tensors to tile the data section exactly.
        let ordered = infos.sorted {
            ($0.value.byteRange.lowerBound, $0.value.byteRange.upperBound, $0.key)
                < ($1.value.byteRange.lowerBound, $1.value.byteRange.upperBound, $1.key)
        }
        var cursor = 0
        var previous: String?
        for (name, info) in ordered {
            let range = info.byteRange
            if range.lowerBound < cursor, let previous {
                throw fail("tensor '\(name)' (bytes \(range.lowerBound)..<\(range.upperBound)) overlaps tensor '\(previous)' (ends at \(cursor))")
            }
            if range.lowerBound > cursor {
                throw fail("bytes \(cursor)..<\(range.lowerBound) of the data section belong to no tensor (before '\(name)')")
            }
            cursor = range.upperBound
            previous = name
        }
        guard cursor == dataLength else {
            throw fail("data section is \(dataLength) bytes but the tensors cover only \(cursor) (trailing bytes)")
        }

        self.path = path
        self.tensors = infos
        self.tensorNames = ordered.map(\.key)
        self.metadata = header.metadata
        self.bytes = bytes
        self.dataStart = 8 + headerLength
    }

    /// dtype and shape of tensor `name`, or `nil` if the file has no such tensor.
    public func info(_ name: String) -> TensorInfo? {
        tensors[name]
    }

    /// The elements of F32 tensor `name`, row-major, converted from little-endian.
    /// Throws if the tensor is absent or not F32.
    public func floats(_ name: String) throws -> [Float] {
        guard let info = tensors[name] else {
            throw WeightsError(file: path, "has no tensor '\(name)'")
        }
        guard info.dtype == .f32 else {
            throw WeightsError(file: path, "tensor '\(name)' has dtype \(info.dtype.rawValue), expected F32")
        }
        let count = info.count
        var p = dataStart + info.byteRange.lowerBound
        // Four little-endian bytes per value, assembled with bounds-checked reads (the
        // source may be unaligned; no pointer reinterpretation on file data).
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            values[i] = Float(bitPattern: UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8
                                          | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24)
            p += 4
        }
        return values
    }

    /// One line from a JSON decoding error: where, and what; `nil` when the
    /// decoder gives nothing more specific than "not valid JSON" (it reports a
    /// syntax error and a fractional number in an integer field alike).
    private static func summary(of error: DecodingError) -> String? {
        let context: DecodingError.Context
        var what: String?
        switch error {
        case .keyNotFound(let key, let c): context = c; what = "missing key '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c): context = c
        @unknown default: return nil
        }
        let location = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        if location.isEmpty && what == nil && context.debugDescription.hasPrefix("The given data was not valid JSON") { return nil }
        let text = what ?? context.debugDescription
        return location.isEmpty ? text : "at \(location): \(text)"
    }
}

/// The header as JSON: tensor entries plus an optional `__metadata__` object.
private struct RawHeader: Decodable {
    struct Entry: Decodable {
        let dtype: String
        let shape: [Int]
        let dataOffsets: [Int]
        enum CodingKeys: String, CodingKey { case dtype, shape, dataOffsets = "data_offsets" }
    }

    struct Key: CodingKey {
        let stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    let entries: [String: Entry]
    let metadata: [String: String]

    init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        var entries: [String: Entry] = [:]
        var metadata: [String: String] = [:]
        for key in container.allKeys {
            if key.stringValue == "__metadata__" {
                metadata = try container.decode([String: String].self, forKey: key)
            } else {
                entries[key.stringValue] = try container.decode(Entry.self, forKey: key)
            }
        }
        self.entries = entries
        self.metadata = metadata
    }
}
