import Foundation

/// One swept option and its values, in the order the user gave them (`--sweep style-weight=1e-4,1e-3`).
public struct SweepAxis: Sendable, Equatable {
    /// The run option's long name without dashes, e.g. `style-weight`.
    public let name: String
    /// The values as written on the command line (they also appear in file names).
    public let values: [String]
    public init(name: String, values: [String]) { self.name = name; self.values = values }
}

/// One option value chosen by a sweep, for one job.
public struct SweepSetting: Codable, Sendable, Equatable, Hashable {
    public let name: String
    public let value: String
    public init(name: String, value: String) { self.name = name; self.value = value }
}

/// One run of a batch: a content image, a style image and one combination of swept values.
public struct BatchJob: Sendable, Equatable {
    /// Position in the whole (unsharded) plan, from 0; `--shard K/N` keeps `index % N == K − 1`.
    public let index: Int
    public let content: String
    public let style: String
    public let settings: [SweepSetting]
    /// File name of the output inside the batch folder, e.g. `cat__wave__style-weight-1e-3.png`.
    public let outputName: String
    /// `outputName` without its extension; the per-job log is `logs/<stem>.jsonl`.
    public var stem: String { String(outputName[..<(outputName.lastIndex(of: ".") ?? outputName.endIndex)]) }
}

/// Expands inputs and sweeps into the ordered list of jobs, and names their outputs.
public enum BatchPlan {
    /// Every combination of the axes' values; the last axis varies fastest.
    public static func combinations(_ axes: [SweepAxis]) -> [[SweepSetting]] {
        var result: [[SweepSetting]] = [[]]
        for axis in axes {
            result = result.flatMap { prefix in axis.values.map { prefix + [SweepSetting(name: axis.name, value: $0)] } }
        }
        return result
    }

    /// The longest stem of a job's files, in bytes: the per-job log `logs/<stem>.jsonl` must
    /// fit in the 255 bytes most file systems allow a name (`AtomicFile` keeps its temporary
    /// names within the limit whatever the name).
    public static let maxStemBytes = 255 - ".jsonl".utf8.count

    /// Jobs = content × style × sweep combination, in that nesting order (deterministic).
    /// Output names are made unique by appending `-2`, `-3`… when two inputs share a stem,
    /// and a stem longer than `maxStemBytes` (long input names, many sweeps) is cut to fit
    /// and ends in `~` and a hash of the whole name, which keeps it unique.
    /// Outputs are written as `format` (`batch --format`), named with its first extension.
    public static func jobs(contents: [String], styles: [String], sweeps: [SweepAxis], format: ImageFormat = .png) -> [BatchJob] {
        var jobs: [BatchJob] = []
        var used = Set<String>()
        for content in contents {
            for style in styles {
                let prefix = outputPrefix(content: content, style: style)
                for settings in combinations(sweeps) {
                    let base = outputStem(prefix: prefix, settings: settings)
                    var stem = FileNaming.fitted(base, maxBytes: maxStemBytes), n = 2
                    while used.contains(stem) { stem = FileNaming.fitted("\(base)-\(n)", maxBytes: maxStemBytes); n += 1 }
                    used.insert(stem)
                    jobs.append(BatchJob(index: jobs.count, content: content, style: style,
                                         settings: settings, outputName: stem + "." + format.extensions[0]))
                }
            }
        }
        return jobs
    }

    /// `<content-stem>__<style-stem>[__<option>-<value>…]`, with characters other than
    /// letters, digits, `.`, `_`, `+` and `-` replaced by `-` so names stay shell-friendly.
    public static func outputStem(content: String, style: String, settings: [SweepSetting]) -> String {
        outputStem(prefix: outputPrefix(content: content, style: style), settings: settings)
    }

    /// `<content-stem>__<style-stem>`, the inputs' part of a job's name.
    static func outputPrefix(content: String, style: String) -> String {
        safe(FileNaming.stem(content)) + "__" + safe(FileNaming.stem(style))
    }

    /// `outputStem` with the inputs' part already made (once per pair, not once per sweep value).
    static func outputStem(prefix: String, settings: [SweepSetting]) -> String {
        ([prefix] + settings.map { "\($0.name)-\(safe($0.value))" }).joined(separator: "__")
    }

    static func safe(_ s: String) -> String {
        String(s.map { $0.isASCII && ($0.isLetter || $0.isNumber || "._+-".contains($0)) ? $0 : "-" })
    }

    /// `--shard K/N`: the jobs whose index modulo N is K − 1.
    public static func shard(_ jobs: [BatchJob], k: Int, n: Int) -> [BatchJob] {
        jobs.filter { $0.index % n == k - 1 }
    }
}
