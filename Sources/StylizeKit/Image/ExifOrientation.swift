/// The EXIF orientation of a photo (TIFF tag 0x0112 in IFD0): how the stored pixels must be
/// turned to be seen upright. Cameras and phones store the sensor's rows as they come and
/// record the camera's rotation here, so a portrait photo is usually stored sideways with
/// orientation 6 or 8. Raw values as in the EXIF 2.3 specification, which names each by
/// where the stored first row and first column belong.
public enum ExifOrientation: Int, Sendable, CaseIterable {
    /// 1: row 0 at the top, column 0 on the left (stored upright).
    case up = 1
    /// 2: row 0 at the top, column 0 on the right (mirrored left to right).
    case upMirrored = 2
    /// 3: row 0 at the bottom, column 0 on the right (upside down).
    case down = 3
    /// 4: row 0 at the bottom, column 0 on the left (mirrored top to bottom).
    case downMirrored = 4
    /// 5: row 0 on the left, column 0 at the top (transposed).
    case leftMirrored = 5
    /// 6: row 0 on the right, column 0 at the top (turn 90° clockwise to view).
    case right = 6
    /// 7: row 0 on the right, column 0 at the bottom (transverse).
    case rightMirrored = 7
    /// 8: row 0 on the left, column 0 at the bottom (turn 90° anticlockwise to view).
    case left = 8

    /// True when the upright image is the stored one turned a quarter: width and height swap.
    public var swapsSides: Bool { rawValue >= 5 }

    /// The upright size of a `width × height` stored image.
    public func uprightSize(width: Int, height: Int) -> (width: Int, height: Int) {
        swapsSides ? (height, width) : (width, height)
    }

    /// The stored pixel `(x, y)` that lands at `(u, v)` of the upright image, for a stored
    /// image of `width × height`.
    @inline(__always)
    func source(u: Int, v: Int, width w: Int, height h: Int) -> (x: Int, y: Int) {
        switch self {
        case .up: return (u, v)
        case .upMirrored: return (w - 1 - u, v)
        case .down: return (w - 1 - u, h - 1 - v)
        case .downMirrored: return (u, h - 1 - v)
        case .leftMirrored: return (v, u)
        case .right: return (v, h - 1 - u)
        case .rightMirrored: return (w - 1 - v, h - 1 - u)
        case .left: return (w - 1 - v, u)
        }
    }

    /// `image` turned upright.
    public func apply(to image: RGBImage) -> RGBImage {
        if self == .up { return image }
        let (w, h) = (image.width, image.height)
        let (ow, oh) = uprightSize(width: w, height: h)
        var out = [Float](repeating: 0, count: ow * oh * 3)
        for v in 0..<oh {
            for u in 0..<ow {
                let (x, y) = source(u: u, v: v, width: w, height: h)
                let s = (y * w + x) * 3, d = (v * ow + u) * 3
                out[d] = image.pixels[s]; out[d + 1] = image.pixels[s + 1]; out[d + 2] = image.pixels[s + 2]
            }
        }
        return RGBImage(width: ow, height: oh, pixels: out)
    }

    /// `plane` turned upright, as `apply(to:)` turns the colours.
    public func apply(to plane: AlphaPlane) -> AlphaPlane {
        if self == .up { return plane }
        let (w, h) = (plane.width, plane.height)
        let (ow, oh) = uprightSize(width: w, height: h)
        var out = [Float](repeating: 0, count: ow * oh)
        for v in 0..<oh {
            for u in 0..<ow {
                let (x, y) = source(u: u, v: v, width: w, height: h)
                out[v * ow + u] = plane.values[y * w + x]
            }
        }
        return AlphaPlane(width: ow, height: oh, values: out)
    }
}

extension DecodedImage {
    /// Turned upright by an EXIF orientation (colours and alpha alike).
    func oriented(_ orientation: ExifOrientation) -> DecodedImage {
        DecodedImage(image: orientation.apply(to: image), alpha: alpha.map { orientation.apply(to: $0) })
    }
}

extension ExifOrientation {
    /// The orientation an EXIF block gives (the TIFF structure: byte order `II` or `MM`,
    /// 42, the offset of IFD0, then IFD0's entries), `.up` when it has none or cannot be
    /// read. Some writers put the `Exif\0\0` header of JPEG's APP1 marker before it (WebP
    /// files made by old tools): it is skipped.
    ///
    /// Bounded by construction: only IFD0 is read, at most its entries that lie inside the
    /// block (`(count − 10) / 12` of them whatever the entry count claims), and no offset is
    /// ever followed a second time, so bad offsets end in `.up` and loops of IFDs (an IFD0
    /// whose next-IFD link points at itself) cannot arise. A value outside 1…8, a wrong type
    /// or count, or a truncated block all give `.up`, as browsers show such files: a broken
    /// tag is no reason to refuse a photo.
    public init(exif bytes: [UInt8]) {
        self = ExifOrientation.read(bytes) ?? .up
    }

    private static func read(_ block: [UInt8]) -> ExifOrientation? {
        var b = block[...]
        if b.starts(with: Array("Exif".utf8) + [0, 0]) { b = b.dropFirst(6) }
        let tiff = Array(b)
        guard tiff.count >= 8 else { return nil }
        let little: Bool
        switch (tiff[0], tiff[1]) {
        case (0x49, 0x49): little = true   // "II"
        case (0x4D, 0x4D): little = false  // "MM"
        default: return nil
        }
        func u16(_ at: Int) -> Int? {
            guard at >= 0, at <= tiff.count - 2 else { return nil }
            let (a, b) = (Int(tiff[at]), Int(tiff[at + 1]))
            return little ? a | b << 8 : a << 8 | b
        }
        func u32(_ at: Int) -> Int? {
            guard let lo = u16(little ? at : at + 2), let hi = u16(little ? at + 2 : at) else { return nil }
            return lo | hi << 16
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        let fitting = min(count, (tiff.count - ifd - 2) / 12)
        for i in 0..<max(0, fitting) {
            let entry = ifd + 2 + 12 * i
            guard u16(entry) == 0x0112 else { continue }
            // SHORT (3), count 1: the value sits in the first two bytes of the value field.
            // LONG (4) is not what the specification says, but costs nothing to accept.
            guard let type = u16(entry + 2), u32(entry + 4) == 1 else { return nil }
            let value = type == 3 ? u16(entry + 8) : (type == 4 ? u32(entry + 8) : nil)
            return value.flatMap(ExifOrientation.init(rawValue:))
        }
        return nil
    }
}
