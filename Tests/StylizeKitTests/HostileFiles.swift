import Foundation
import XCTest

/// Builders and measurements for the hostile-input tests: PNG files made chunk by chunk,
/// zlib streams of zeros of any length, and the time and peak memory of one call.
enum HostileFiles {
    /// A PNG: the signature, then each chunk with its length and CRC.
    static func png(_ chunks: [(type: String, data: [UInt8])]) -> [UInt8] {
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        for (type, data) in chunks {
            let body = Array(type.utf8) + data
            bytes += be32(UInt32(data.count)) + body + be32(crc32(body))
        }
        return bytes
    }

    /// IHDR data: `width × height`, bit depth, colour type (0 grey, 2 RGB, 6 RGBA), interlace.
    static func ihdr(_ width: UInt32, _ height: UInt32, depth: UInt8 = 8, color: UInt8 = 2, interlace: UInt8 = 0) -> [UInt8] {
        be32(width) + be32(height) + [depth, color, 0, 0, interlace]
    }

    /// A complete zlib stream of `count` zero bytes, in one fixed-Huffman deflate block: a
    /// literal 0, then matches of length 258 at distance 1 (13 bits each, so ~2,000:1),
    /// then literals for the rest. 50,000,001 zeros take 315 KB.
    static func zlibZeros(count: Int) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var bitBuffer: UInt32 = 0, bitCount = 0
        func bits(_ value: UInt32, _ n: Int) {  // LSB first
            bitBuffer |= value << UInt32(bitCount); bitCount += n
            while bitCount >= 8 { out.append(UInt8(bitBuffer & 0xFF)); bitBuffer >>= 8; bitCount -= 8 }
        }
        func huffman(_ code: UInt32, _ n: Int) {  // Huffman codes go most significant bit first
            var reversed: UInt32 = 0
            for i in 0..<n { reversed |= ((code >> UInt32(i)) & 1) << UInt32(n - 1 - i) }
            bits(reversed, n)
        }
        bits(1, 1); bits(1, 2)  // final block, fixed Huffman
        var left = count
        if left > 0 { huffman(0x30, 8); left -= 1 }  // literal 0
        while left >= 258 { huffman(0xC5, 8); huffman(0, 5); left -= 258 }  // length 258, distance 1
        for _ in 0..<left { huffman(0x30, 8) }
        huffman(0, 7)  // end of block
        if bitCount > 0 { bits(0, 8 - bitCount) }
        let adler = UInt32(count % 65521) << 16 | 1  // zeros leave a = 1; b grows by 1 per byte
        return out + be32(adler)
    }

    /// Peak resident memory of this process, in bytes (VmHWM), after resetting it to the
    /// current RSS when the kernel allows (`/proc/self/clear_refs`, Linux 4.0+).
    static func resetPeak() -> Int {
        if let fd = fopen("/proc/self/clear_refs", "w") { fputs("5", fd); fclose(fd) }
        return peak()
    }

    static func peak() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
}

extension XCTestCase {
    /// Runs `body`, which must throw, and asserts that it did so with a one-line message
    /// containing `text`, within `seconds` and `megabytes` of peak memory growth. If `body`
    /// blocks (a FIFO read), it fails after 5 s and `unblock` is called to release it.
    func assertRefused(_ what: String, containing text: String, seconds: Double = 1, megabytes: Int = 200,
                       unblock: @escaping () -> Void = {}, _ body: @escaping () throws -> Void,
                       file: StaticString = #filePath, line: UInt = #line) {
        let before = HostileFiles.resetPeak()
        let start = Date()
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var message: String?
        Thread.detachNewThread {
            do { try body() } catch { message = "\(error)" }
            done.signal()
        }
        if done.wait(timeout: .now() + 5) == .timedOut {
            XCTFail("\(what): still blocked after 5 s", file: file, line: line)
            unblock()
            done.wait()
        }
        let elapsed = Date().timeIntervalSince(start)
        let grown = (HostileFiles.peak() - before) / 1_000_000
        guard let message else { return XCTFail("\(what): accepted", file: file, line: line) }
        XCTAssertTrue(message.contains(text), "\(what): '\(text)' not in: \(message)", file: file, line: line)
        XCTAssertFalse(message.contains("\n"), "\(what): \(message)", file: file, line: line)
        XCTAssertLessThan(elapsed, seconds, "\(what): took \(elapsed) s", file: file, line: line)
        XCTAssertLessThan(grown, megabytes, "\(what): peak memory grew by \(grown) MB", file: file, line: line)
        print("hostile input: \(what): \(String(format: "%.3f", elapsed)) s, +\(grown) MB: \(message)")
    }
}
