/// `batch --sweep NAME=V1,V2,…`: which run option a sweep varies and its values, read and
/// checked through the option's own declaration (`RunOption`), before any job runs.
extension SweepAxis {
    /// Parses `NAME=V1,V2,…` (a leading `--` on NAME is allowed). Every value is set on
    /// `base` and checked as the command line would check it. Throws `SweepError`.
    public static func parse(_ text: String, base: RunSettings) throws -> SweepAxis {
        guard let eq = text.firstIndex(of: "=") else { throw SweepError.malformed(text) }
        var name = String(text[..<eq]).trimmingCharacters(in: .whitespaces)
        if name.hasPrefix("--") { name.removeFirst(2) }
        guard let option = RunOption.named(name), option.sweepable else { throw SweepError.unknown(name) }
        let values = text[text.index(after: eq)...].split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        guard !values.contains("") else { throw SweepError.emptyValue(name: name, text: text) }
        guard Set(values).count == values.count else { throw SweepError.repeatedValue(name: name, text: text) }
        let axis = SweepAxis(name: name, values: values)
        for v in values { _ = try base.applying([SweepSetting(name: name, value: v)]) }
        return axis
    }

    /// The options a sweep may vary, in help order.
    public static var sweepable: [String] { RunOption.all.filter(\.sweepable).map(\.key) }
}

extension RunSettings {
    /// These settings with a job's swept values applied (in list values `+` stands for the
    /// comma) and every option checked again. Throws `SweepError.value`.
    public func applying(_ settings: [SweepSetting]) throws -> RunSettings {
        var s = self
        do {
            for setting in settings {
                let list = RunOption.named(setting.name)?.isList ?? false
                s = try s.setting(setting.name, to: list ? setting.value.replacingOccurrences(of: "+", with: ",") : setting.value)
            }
            try s.validate()
        } catch let e as OptionError {
            throw SweepError.value(settings, e)
        }
        return s
    }
}

/// A `--sweep` the batch cannot run; the command line words each case with its flags.
public enum SweepError: Error, Equatable {
    /// No `=` in the text.
    case malformed(String)
    /// Not a run option, or one a sweep may not vary.
    case unknown(String)
    case emptyValue(name: String, text: String)
    case repeatedValue(name: String, text: String)
    /// The same option swept twice.
    case twice(String)
    /// A value the option refuses, with the job's swept settings.
    case value([SweepSetting], OptionError)
}
