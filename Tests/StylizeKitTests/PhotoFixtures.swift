import Foundation
import XCTest
@testable import StylizeKit

/// The JPEG and WebP test files (Resources/photos, made by tools/make_photo_fixtures.sh; see
/// SOURCES.md there) and what the tests compare them with.
enum PhotoFixtures {
    static func path(_ name: String) throws -> String {
        try XCTUnwrap(Bundle.module.url(forResource: "Resources", withExtension: nil)).appendingPathComponent("photos/\(name)").path
    }

    /// A binary PNM file as djpeg and dwebp write them: P5 (grey), P6 (RGB) or P7 (PAM,
    /// RGB_ALPHA), maxval 255. Returns the samples as stored and the channel count.
    static func pnm(_ name: String) throws -> (width: Int, height: Int, channels: Int, samples: [UInt8]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path(name))))
        var at = 0
        func token() -> String {
            while at < bytes.count, bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09 { at += 1 }
            let start = at
            while at < bytes.count, !(bytes[at] == 0x20 || bytes[at] == 0x0A || bytes[at] == 0x0D || bytes[at] == 0x09) { at += 1 }
            return String(decoding: bytes[start..<at], as: UTF8.self)
        }
        let magic = token()
        var width = 0, height = 0, channels = 0
        if magic == "P7" {
            while true {
                let key = token()
                if key == "ENDHDR" { break }
                let value = token()
                switch key {
                case "WIDTH": width = Int(value) ?? 0
                case "HEIGHT": height = Int(value) ?? 0
                case "DEPTH": channels = Int(value) ?? 0
                default: break
                }
            }
        } else {
            channels = magic == "P5" ? 1 : 3
            width = Int(token()) ?? 0
            height = Int(token()) ?? 0
            XCTAssertEqual(token(), "255")
        }
        at += 1  // the single whitespace byte after the header
        let samples = Array(bytes[at...])
        XCTAssertEqual(samples.count, width * height * channels, name)
        return (width, height, channels, samples)
    }

    /// sRGB's transfer curve (IEC 61966-2-1), 0…1.
    static func srgbDecode(_ v: Double) -> Double { v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4) }
    static func srgbEncode(_ v: Double) -> Double {
        let c = min(max(v, 0), 1)
        return c <= 0.0031308 ? 12.92 * c : 1.055 * pow(c, 1 / 2.4) - 0.055
    }

    /// RGB → XYZ matrix (row-major) of primaries `xy` and white `white`, the usual
    /// construction (as tools/colour_maths.py): columns are each primary's XYZ, scaled so
    /// that RGB = 1 gives the white point.
    static func rgbToXYZ(white: (Double, Double), primaries xy: [(Double, Double)]) -> [Double] {
        let columns = xy.map { [$0.0 / $0.1, 1, (1 - $0.0 - $0.1) / $0.1] }
        let m = [columns[0][0], columns[1][0], columns[2][0], columns[0][1], columns[1][1], columns[2][1],
                 columns[0][2], columns[1][2], columns[2][2]]
        let w = [white.0 / white.1, 1, (1 - white.0 - white.1) / white.1]
        let s = solve(m, w)
        return (0..<9).map { m[$0] * s[$0 % 3] }
    }

    static func invert(_ m: [Double]) -> [Double] {
        let det = m[0] * (m[4] * m[8] - m[5] * m[7]) - m[1] * (m[3] * m[8] - m[5] * m[6]) + m[2] * (m[3] * m[7] - m[4] * m[6])
        let adj = [m[4] * m[8] - m[5] * m[7], m[2] * m[7] - m[1] * m[8], m[1] * m[5] - m[2] * m[4],
                   m[5] * m[6] - m[3] * m[8], m[0] * m[8] - m[2] * m[6], m[2] * m[3] - m[0] * m[5],
                   m[3] * m[7] - m[4] * m[6], m[1] * m[6] - m[0] * m[7], m[0] * m[4] - m[1] * m[3]]
        return adj.map { $0 / det }
    }

    static func apply(_ m: [Double], _ v: [Double]) -> [Double] {
        (0..<3).map { r in m[3 * r] * v[0] + m[3 * r + 1] * v[1] + m[3 * r + 2] * v[2] }
    }

    static func solve(_ m: [Double], _ v: [Double]) -> [Double] { apply(invert(m), v) }

    /// Stored Display P3 values (0…255) taken to sRGB by hand: sRGB curve (P3 uses it), P3
    /// → XYZ → sRGB matrices (both D65, no adaptation), clipped, sRGB-encoded, ×255. The
    /// same maths as tools/profile_reference.py, which made PNGColourProfileTests's values.
    static func displayP3ToSRGB(_ stored: [UInt8]) -> [Float] {
        let d65 = (0.3127, 0.3290)
        let p3 = rgbToXYZ(white: d65, primaries: [(0.680, 0.320), (0.265, 0.690), (0.150, 0.060)])
        let srgbInverse = invert(rgbToXYZ(white: d65, primaries: [(0.64, 0.33), (0.30, 0.60), (0.15, 0.06)]))
        var out: [Float] = []
        for p in 0..<(stored.count / 3) {
            let linear = (0..<3).map { srgbDecode(Double(stored[3 * p + $0]) / 255) }
            out += apply(srgbInverse, apply(p3, linear)).map { Float(255 * srgbEncode($0)) }
        }
        return out
    }
}

extension RGBImage {
    /// The mean colour of the `w × h` block at `(x, y)`.
    func mean(x: Int, y: Int, w: Int, h: Int) -> [Float] {
        var sum: [Float] = [0, 0, 0]
        for j in y..<(y + h) { for i in x..<(x + w) { for c in 0..<3 { sum[c] += self[i, j, c] } } }
        return sum.map { $0 / Float(w * h) }
    }
}

/// Largest |a − b| over paired values.
func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count, "\(a.count) vs \(b.count) values")
    return zip(a, b).map { abs($0 - $1) }.max() ?? 0
}
