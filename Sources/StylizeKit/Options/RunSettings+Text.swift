/// Run settings as text: the (key, value) pairs batch records keep and sweeps set, read and
/// written through each option's own declaration (`RunOption`).
extension RunSettings {
    /// Every option's value, defaults included, in `RunOption.all` order; an optional option
    /// that is unset is left out. Each pair reads back through `setting(_:to:)`.
    public var params: [(key: String, value: String)] {
        RunOption.all.compactMap { o in o.text(in: self).map { (o.key, $0) } }
    }

    /// `params` as a dictionary, as batch records keep them.
    public var paramsByKey: [String: String] { Dictionary(uniqueKeysWithValues: params.map { ($0.key, $0.value) }) }

    /// These settings with option `key` set from `text`, checked like the command line.
    /// Throws `OptionError` (with `key`) for an unknown key, a malformed value or one out of range.
    public func setting(_ key: String, to text: String) throws -> RunSettings {
        guard let option = RunOption.named(key) else {
            throw OptionError(key: key, problem: OptionProblem.predicate("is not a run option"))
        }
        var s = self
        try option.set(text, in: &s)
        return s
    }

    /// Checks every option's value and the options that depend on each other; throws the
    /// first `OptionError`.
    public func validate() throws {
        for option in RunOption.all { try option.validate(self) }
    }

    /// Every option's default, as `params` writes it.
    public static let defaultParams: [String: String] = RunSettings().paramsByKey

    /// What an unset `--iterations` resolves to in this build: the final scale's iterations
    /// after coarser scales and of a single-scale run (`ScaleSchedule`), e.g. `86/150`. Batch
    /// records keep it (`RunRecord.automaticIterations`), because a record's `params` leave the
    /// option out when it was not given, and the counts have changed between versions.
    public static let automaticIterations = "\(ScaleSchedule.defaultIterations)/\(ScaleSchedule.defaultSingleScaleIterations)"

    /// Whether a batch record's `params` describe the same run as `current`. A record
    /// written before an option existed (e.g. `bit-depth`) lacks its key, which then counts
    /// as that option's default: `--resume` does not rerun an old batch for a new option
    /// left at its default, and does rerun it when the option is set otherwise.
    ///
    /// A record without `content-focus` ran the uniform content term, so with an automatic β it
    /// is not the default run (`auto` is `energy` there).
    ///
    /// `--iterations` left unset on both sides is the same run only when the record's
    /// `automaticIterations` (`recordedAutomatic`) is this build's: a record from a build whose
    /// default was, say, 80 final iterations (or one that did not say) is another run, so
    /// `--resume` redoes it rather than keep an output the current defaults would not make.
    /// A record of a coarse-to-fine run (`min-size` below `size`) that gives the count the
    /// automatic default gives there (`ScaleSchedule.defaultIterations`) is the same run.
    public static func sameRun(recorded: [String: String], recordedAutomatic: String? = nil,
                               current: [String: String]) -> Bool {
        var recorded = recorded
        // Builds before `--content-focus` weighed every position alike: the same run as a current
        // setting that resolves to `uniform` (`auto` does only with a fixed β), another otherwise.
        if recorded["content-focus"] == nil, let focus = current["content-focus"].flatMap(ContentFocus.init(rawValue:)) {
            let automatic = current["style-weight"] == StyleWeight.auto.optionText
            recorded["content-focus"] = focus.resolved(automaticStyleWeight: automatic) == .uniform
                ? focus.rawValue : ContentFocus.uniform.rawValue
        }
        if current["iterations"] == nil {
            if recorded["iterations"] == nil {
                guard recordedAutomatic == automaticIterations else { return false }
            } else if recorded["iterations"] == String(ScaleSchedule.defaultIterations),
                      let size = current["size"].flatMap(Int.init), let minSize = current["min-size"].flatMap(Int.init),
                      minSize < size {
                recorded["iterations"] = nil
            }
        }
        return recorded.merging(defaultParams.filter { current[$0.key] != nil }) { kept, _ in kept } == current
    }
}
