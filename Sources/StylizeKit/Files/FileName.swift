import Foundation

/// File names as Swift strings, and back, losing nothing.
///
/// On Linux a path is bytes, not text: `ph\xffoto.png` is a legal name that is not UTF-8.
/// Swift's `String` holds Unicode, and every standard way in (`CommandLine.arguments`,
/// `FileManager`, `String(cString:)`) repairs such bytes to U+FFFD, after which the name
/// reaches another file or none. So stylize reads names with `string(bytes:)`, which keeps
/// each byte that is not part of valid UTF-8 as a private-use scalar, U+10FF00 + the byte
/// (0x80…0xFF: U+10FF80…U+10FFFF; the way Python's `surrogateescape` keeps them), and gives
/// every path to the file system through `bytes(_:)`, which turns those scalars back into
/// their bytes (`FileSystem` wraps each call that takes a path). A valid name that spells
/// one of those scalars in UTF-8 is kept byte by byte too, so the mapping is exact both ways.
///
/// People see such a byte as `\xff` (`display`), in messages, the HTML report and the
/// contact sheet; JSON records escape the scalar (`\udbff\udfff`), which reads back as it was.
public enum FileName {
    /// The first of the 128 scalars that stand for the bytes 0x80…0xFF.
    static let escapeBase: UInt32 = 0x10FF00

    /// Whether `scalar` stands for an undecodable byte.
    @inlinable static func isEscape(_ scalar: Unicode.Scalar) -> Bool { scalar.value >= 0x10FF80 }

    /// The bytes of a name (from `argv`, `readdir`, `realpath`…) as a string that `bytes(_:)` turns back into them.
    public static func string<C: Collection>(bytes: C) -> String where C.Element == UInt8 {
        let bytes = Array(bytes)
        if !bytes.contains(where: { $0 >= 0x80 }) { return String(decoding: bytes, as: UTF8.self) }
        var scalars = String.UnicodeScalarView()
        var i = 0
        while i < bytes.count {
            if let (scalar, length) = decode(bytes, at: i), !isEscape(scalar) {
                scalars.append(scalar)
                i += length
            } else {
                scalars.append(Unicode.Scalar(escapeBase + UInt32(bytes[i]))!)
                i += 1
            }
        }
        return String(scalars)
    }

    /// A C string from the system (`argv[i]`, `d_name`, `realpath`'s result), read exactly.
    public static func string(cString: UnsafePointer<CChar>) -> String {
        string(bytes: UnsafeBufferPointer(start: UnsafeRawPointer(cString).assumingMemoryBound(to: UInt8.self), count: strlen(cString)))
    }

    /// The bytes `name` stands for: UTF-8, with each escape scalar its own byte again.
    public static func bytes(_ name: String) -> [UInt8] {
        guard name.unicodeScalars.contains(where: isEscape) else { return Array(name.utf8) }
        var out: [UInt8] = []
        out.reserveCapacity(name.utf8.count)
        for scalar in name.unicodeScalars {
            if isEscape(scalar) { out.append(UInt8(scalar.value - escapeBase)) } else { out += Array(String(scalar).utf8) }
        }
        return out
    }

    /// Calls `body` with `name`'s bytes as a C string: what every system call taking a path gets.
    public static func withCString<R>(_ name: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        guard name.unicodeScalars.contains(where: isEscape) else { return try name.withCString(body) }
        return try (bytes(name) + [0]).withUnsafeBufferPointer { buffer in
            try buffer.withMemoryRebound(to: CChar.self) { try body($0.baseAddress!) }
        }
    }

    /// `name` for people: each undecodable byte as `\xff`, and control characters (a newline
    /// or an escape sequence in a name) as `\x0a`, so that a message stays one line.
    public static func display(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isEscape($0) || $0.value < 0x20 || $0.value == 0x7F }) else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            if isEscape(scalar) || scalar.value < 0x20 || scalar.value == 0x7F {
                let byte = isEscape(scalar) ? scalar.value - escapeBase : scalar.value
                out += "\\x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// JSON text (as `JSONEncoder` writes it, UTF-8 in strings) with each escape scalar
    /// written as its `\u` surrogate pair: ASCII, valid JSON, and decoded back to the same scalar.
    public static func escapeJSON(_ json: String) -> String {
        guard json.unicodeScalars.contains(where: isEscape) else { return json }
        var out = ""
        for scalar in json.unicodeScalars {
            if isEscape(scalar) {
                out += "\\udbff\\udf" + String(scalar.value & 0xFF, radix: 16)
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    /// The process's arguments, read exactly (`CommandLine.arguments` repairs invalid UTF-8).
    public static func commandLineArguments() -> [String] {
        (0..<Int(CommandLine.argc)).map { i in CommandLine.unsafeArgv[i].map { string(cString: $0) } ?? "" }
    }

    /// An environment variable, read exactly.
    public static func environment(_ name: String) -> String? {
        getenv(name).map { string(cString: $0) }
    }

    /// The scalar of the valid UTF-8 sequence at `bytes[i]` (shortest form, no surrogates,
    /// at most U+10FFFF) and its length, or nil.
    static func decode(_ bytes: [UInt8], at i: Int) -> (Unicode.Scalar, Int)? {
        let b0 = bytes[i]
        let length: Int, lowest: UInt32
        switch b0 {
        case 0x00...0x7F: return (Unicode.Scalar(b0), 1)
        case 0xC2...0xDF: length = 2; lowest = 0x80
        case 0xE0...0xEF: length = 3; lowest = 0x800
        case 0xF0...0xF4: length = 4; lowest = 0x10000
        default: return nil
        }
        guard i + length <= bytes.count else { return nil }
        var value = UInt32(b0) & (0xFF >> (length + 1))
        for k in 1..<length {
            let b = bytes[i + k]
            guard b & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(b & 0x3F)
        }
        guard value >= lowest, let scalar = Unicode.Scalar(value) else { return nil }
        return (scalar, length)
    }
}
