import ArgumentParser
import StylizeKit

/// Checks of the options that are not run options (`--threads`, `--save-every`, visualize's
/// own), in the words of the run options' checks (`RunOption`).
enum Check {
    static func range<T: Comparable>(_ value: T, _ option: String, _ range: ClosedRange<T>, _ meaning: String = "") throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound)\(meaning), got \(value)")
        }
    }

    /// A comma-separated layer list, read as a run option's would be.
    static func layers(_ text: String, _ option: String) throws -> [String] {
        do { return try LayerList(optionText: text).names } catch let p as OptionProblem {
            throw ValidationError(option + p.joiner + p.description)
        }
    }

    /// Layer names against the network `weights` defines: a usage error (exit 64) naming the
    /// option and listing the layers there are.
    static func layers(_ names: [String], _ option: String, in weights: VGGWeights) throws {
        do { _ = try VGGNetwork.deepestLayer(of: names, in: weights) } catch let e as NetworkError {
            throw ValidationError("\(option): \(e)")
        }
    }
}
