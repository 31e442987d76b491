/// A problem with an image file: `description` is one line naming the file and the problem.
public struct ImageError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "cannot read '\(path)': \(reason)" }

    /// The error for an image whose header claims more than `maxPixels` pixels.
    static func tooLarge(path: String, width: Int, height: Int, maxPixels: Int) -> ImageError {
        let mp = Double(width) * Double(height) / 1e6
        return ImageError(path: path, reason: String(format: "image is %dx%d (%.0f megapixels), above the limit of %.0f megapixels; raise it with --max-megapixels",
                                                     width, height, mp, Double(maxPixels) / 1e6))
    }
}

/// A file that could not be written; `description` is one line.
public struct FileWriteError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public var description: String { "cannot write '\(path)': \(reason)" }
}
