import Foundation

/// Folder names for `stylize visualize`'s per-image output (inputs are expanded by `InputExpansion`).
public enum ImageInputs {
    /// A distinct folder name per image: its file stem, with `-2`, `-3`, … for repeats.
    public static func uniqueStems(_ paths: [String]) -> [String] {
        var seen: [String: Int] = ["top": 1, "maximize": 1]  // folders of their own in OUT
        return paths.map { p in
            let stem = FileNaming.stem(p)
            let n = (seen[stem] ?? 0) + 1
            seen[stem] = n
            return n == 1 ? stem : "\(stem)-\(n)"
        }
    }
}

/// A visualization problem (no images, bad channel index, …); one readable line.
public struct VisualizationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}
