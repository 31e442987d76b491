import ArgumentParser
import Foundation
import StylizeKit

/// Run options as (long name, text) pairs, and sweeps over them, for `stylize batch`.
extension RunOptions {
    /// Every effective option value, defaults included, in `--help` order. Optional options
    /// that are unset are left out. Each pair parses back: `--name text`.
    var params: [(String, String)] {
        var p: [(String, String)] = [
            ("size", "\(size)"), ("min-size", "\(minSize)"), ("scale-factor", "\(scaleFactor)"),
            ("iterations", "\(iterations)"), ("coarse-iterations", "\(coarseIterations)"),
            ("content-weight", "\(contentWeight)"), ("style-weight", styleWeight.text), ("tv-weight", "\(tvWeight)"),
            ("content-layers", contentLayers), ("style-layers", styleLayers),
        ]
        if let w = styleLayerWeights { p.append(("style-layer-weights", w)) }
        if let b = styleBlendWeights { p.append(("style-blend-weights", b)) }
        if let m = styleMasks { p.append(("style-masks", m)) }
        p += [("preserve-colors", preserveColors.rawValue), ("style-scale", "\(styleScale)"),
              ("pooling", pooling.rawValue), ("optimizer", optimizer.rawValue), ("history-size", "\(historySize)"),
              ("learning-rate", "\(learningRate)"), ("init", initialization), ("seed", "\(seed)"),
              ("max-megapixels", "\(maxMegapixels)"), ("bit-depth", "\(bitDepth.rawValue)")]
        return p
    }

    /// Every option's default, as `params` writes it.
    static let defaultParams: [String: String] = Dictionary(uniqueKeysWithValues: (try? RunOptions.parse([]))?.params ?? [])

    /// Whether a batch record's `params` describe the same run as `current`. A record
    /// written before an option existed (e.g. `bit-depth`) lacks its key, which then counts
    /// as that option's default: `--resume` does not rerun an old batch for a new option
    /// left at its default, and does rerun it when the option is set otherwise.
    static func sameRun(recorded: [String: String], current: [String: String]) -> Bool {
        recorded.merging(defaultParams.filter { current[$0.key] != nil }) { kept, _ in kept } == current
    }

    /// Options a sweep may vary: every run option except the per-style blend weights
    /// (a batch job has exactly one style image).
    static let sweepable = ["size", "min-size", "scale-factor", "iterations", "coarse-iterations", "content-weight", "style-weight", "tv-weight", "content-layers",
                            "style-layers", "style-layer-weights", "style-masks", "preserve-colors", "style-scale", "pooling", "optimizer", "history-size",
                            "learning-rate", "init", "seed", "max-megapixels", "bit-depth"]

    /// Options whose value is itself a comma-separated list: in a sweep value, `+` stands
    /// for the comma (`--sweep content-layers=relu4_2,relu3_2+relu4_2`).
    static let listValued: Set<String> = ["content-layers", "style-layers", "style-layer-weights"]

    /// Parses `NAME=V1,V2,…`; unknown names, empty values and values the option would
    /// refuse are usage errors (exit 64), reported before any job runs.
    static func parseSweep(_ text: String, base: RunOptions) throws -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else {
            throw ValidationError("--sweep '\(text)': expected NAME=V1,V2,… (e.g. style-weight=1e-4,1e-3)")
        }
        let name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
            .replacingOccurrences(of: "^--", with: "", options: .regularExpression)
        guard sweepable.contains(name) else {
            throw ValidationError("--sweep: unknown option '\(name)' (sweepable: \(sweepable.joined(separator: ", ")))")
        }
        let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.isEmpty, !values.contains("") else { throw ValidationError("--sweep \(name): empty value in '\(text)'") }
        guard Set(values).count == values.count else { throw ValidationError("--sweep \(name): a value is repeated in '\(text)'") }
        for v in values where DecimalNumber.isNonDecimal(v) {
            throw ValidationError("--sweep \(name): '\(v)' is not a decimal number (numbers are read in decimal only)")
        }
        for v in values { _ = try base.with([SweepSetting(name: name, value: v)]) }
        return SweepAxis(name: name, values: values)
    }

    /// These options with `settings` applied, parsed and validated like the command line.
    func with(_ settings: [SweepSetting]) throws -> RunOptions {
        var args = params.map { "--\($0.0)=\($0.1)" }
        for s in settings {
            let value = Self.listValued.contains(s.name) ? s.value.replacingOccurrences(of: "+", with: ",") : s.value
            args.append("--\(s.name)=\(value)")  // the = form: a negative value is not read as an option
        }
        do {
            return try RunOptions.parse(args)
        } catch {
            let detail = RunOptions.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let names = settings.map { "\($0.name)=\($0.value)" }.joined(separator: " ")
            throw ValidationError("--sweep \(names): \(detail)")
        }
    }
}
