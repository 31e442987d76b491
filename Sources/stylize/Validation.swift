import ArgumentParser
import StylizeKit

/// Range checks with messages that give the range, for every numeric option.
enum Check {
    static func range<T: Comparable>(_ value: T, _ option: String, _ range: ClosedRange<T>, _ meaning: String = "") throws {
        guard range.contains(value) else {
            throw ValidationError("\(option) must be between \(range.lowerBound) and \(range.upperBound)\(meaning), got \(value)")
        }
    }

    /// Like `range`, and the value must be finite (`inf` and `nan` parse as Doubles).
    static func finite(_ value: Double, _ option: String, _ range: ClosedRange<Double>) throws {
        guard value.isFinite, range.contains(value) else {
            throw ValidationError("\(option) must be a finite number between \(short(range.lowerBound)) and \(short(range.upperBound)), got \(short(value))")
        }
    }

    /// A seed is any 64-bit unsigned number; it is read wider (`Int128`) so that `-1` or
    /// 2^64 get the range rather than a bare "invalid value".
    static func seed(_ value: Int128, _ option: String) throws {
        try range(value, option, 0...Int128(UInt64.max), " (2^64 - 1)")
    }

    /// `1e+15` rather than `1000000000000000.0`.
    static func short(_ v: Double) -> String { String(format: "%g", v) }

    /// Layer names against the network `weights` defines: a usage error (exit 64) naming the
    /// option and listing the layers there are.
    static func layers(_ names: [String], _ option: String, in weights: VGGWeights) throws {
        do { _ = try VGGNetwork.deepestLayer(of: names, in: weights) } catch let e as NetworkError {
            throw ValidationError("\(option): \(e)")
        }
    }

    /// The largest iteration count any option accepts (a day at 128 px is far fewer).
    static let maxIterations = 1_000_000
    /// Loss weights above this are refused: the loss of an 8-bit image would already
    /// overflow Float32 at typical Gram magnitudes (about 1e25).
    static let maxWeight = 1e15
}

/// Options read wider than the library's type (see `Check.seed`).
extension Int128: @retroactive ExpressibleByArgument {}

/// Command-line words before ArgumentParser sees them.
enum Arguments {
    /// `--content-weight -5` → `--content-weight=-5`, so that a negative number reaches the
    /// option's own range check instead of reading as a missing value (ArgumentParser takes
    /// anything starting with `-` for an option). Only a `--long` option that takes a value
    /// is joined, and only with a word that reads as a number: `-5`, `-.5`, `-1e3`, `-inf`, `-nan`.
    static func joiningNegativeNumbers(_ words: [String], flags: Set<String>) -> [String] {
        var result: [String] = []
        for word in words {
            if let previous = result.last, previous.hasPrefix("--"), !previous.contains("="), !flags.contains(previous),
               previous != "--", looksNegative(word) {
                result[result.count - 1] = previous + "=" + word
            } else {
                result.append(word)
            }
        }
        return result
    }

    static func looksNegative(_ word: String) -> Bool {
        guard word.hasPrefix("-"), word.count > 1 else { return false }
        let rest = word.dropFirst().lowercased()
        if rest.hasPrefix("inf") || rest.hasPrefix("nan") { return true }
        guard let first = rest.first else { return false }
        return first.isNumber || (first == "." && rest.dropFirst().first?.isNumber == true)
    }
}
