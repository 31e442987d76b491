import Foundation

/// One run option, declared once: its key (the command line's `--key`, a sweep's `key=…`,
/// a batch record's `params` key), what it means, its value's name and range, and whether a
/// sweep may vary it. The value itself lives in `RunSettings`, with its default.
///
/// Everything that lists options reads `RunOption.all`: the command line (its help, man
/// page and completions), `--sweep`, batch records and `--resume`, and the report. Adding an
/// option is a field in `RunSettings`, a declaration here, and the code that uses it.
public struct RunOption: Sendable {
    /// `style-weight`: the long flag without dashes.
    public let key: String
    /// The value's name in help (`N`, `beta|auto`, `layers`).
    public let valueName: String
    /// One or two sentences for `--help` (the default is appended by the command line).
    public let help: String
    /// The commands that take it. Every run option shapes a single run; `batch` takes (on
    /// its command line, in its help and in `--sweep`) those that fit a job of one content and
    /// one style image.
    public let commands: Set<RunCommand>
    /// False for a limit of the machine rather than a property of the picture
    /// (`max-memory`): batch takes it, the same for every job, but `--sweep` does not vary it.
    var variesInSweeps = true
    /// A comma-separated list: in a sweep value, `+` stands for the comma.
    public let isList: Bool
    /// What a shell may complete the value with.
    public let completion: Completion
    let read: @Sendable (inout RunSettings, String) throws -> Void
    let write: @Sendable (RunSettings) -> String?
    let check: @Sendable (RunSettings) throws -> Void

    /// The commands that take run options.
    public enum RunCommand: String, Sendable, CaseIterable {
        /// `stylize [transfer]`: one content image, one or more styles.
        case transfer
        /// `stylize batch`: jobs of one content and one style image each.
        case batch
        public static let every = Set(allCases)
    }

    public enum Completion: Sendable, Equatable {
        case none
        case words([String])
        case files
    }

    /// Sets this option in `settings` from `text`, as typed on the command line; throws
    /// `OptionError` when the text is not a value of the option or is out of its range.
    public func set(_ text: String, in settings: inout RunSettings) throws {
        do {
            try read(&settings, text)
            try check(settings)
        } catch let p as OptionProblem { throw OptionError(key: key, problem: p) }
    }

    /// The value in `settings` as text that `set` reads back; nil for an unset optional one.
    public func text(in settings: RunSettings) -> String? { write(settings) }

    /// Checks the value in `settings` against the option's range (and against the options it
    /// depends on, such as one style-layer weight per style layer).
    public func validate(_ settings: RunSettings) throws {
        do { try check(settings) } catch let p as OptionProblem { throw OptionError(key: key, problem: p) }
    }

    /// Whether `command` takes it.
    public func applies(to command: RunCommand) -> Bool { commands.contains(command) }

    /// Whether `batch --sweep key=…` may vary it: every option `batch` takes, but the
    /// machine's limits.
    public var sweepable: Bool { applies(to: .batch) && variesInSweeps }

    /// The default, as text, or nil when the option is unset by default.
    public var defaultText: String? { write(RunSettings()) }

    /// The option with this key, if any.
    public static func named(_ key: String) -> RunOption? { all.first { $0.key == key } }

    // MARK: - Declaring options

    /// An option whose value is `settings[keyPath: path]`, checked by `check`.
    static func value<V: OptionValue>(_ key: String, _ path: WritableKeyPath<RunSettings, V> & Sendable, _ valueName: String,
                                      _ help: String, commands: Set<RunCommand> = RunCommand.every, isList: Bool = false,
                                      completion: Completion = .none,
                                      check: @escaping @Sendable (V, RunSettings) throws -> Void = { _, _ in }) -> RunOption {
        RunOption(key: key, valueName: valueName, help: help, commands: commands, isList: isList, completion: completion,
                  read: { $0[keyPath: path] = try V(optionText: $1) },
                  write: { $0[keyPath: path].optionText },
                  check: { try check($0[keyPath: path], $0) })
    }

    /// An option that is unset (nil) unless given.
    static func optional<V: OptionValue>(_ key: String, _ path: WritableKeyPath<RunSettings, V?> & Sendable, _ valueName: String,
                                         _ help: String, commands: Set<RunCommand> = RunCommand.every, isList: Bool = false,
                                         completion: Completion = .none,
                                         check: @escaping @Sendable (V, RunSettings) throws -> Void = { _, _ in }) -> RunOption {
        RunOption(key: key, valueName: valueName, help: help, commands: commands, isList: isList, completion: completion,
                  read: { $0[keyPath: path] = try V(optionText: $1) },
                  write: { $0[keyPath: path]?.optionText },
                  check: { s in if let v = s[keyPath: path] { try check(v, s) } })
    }

    /// A whole number in `range`; `meaning` follows the range in the message.
    static func whole(_ range: ClosedRange<Int>, _ meaning: String = "") -> @Sendable (Int, RunSettings) throws -> Void {
        { v, _ in
            guard range.contains(v) else {
                throw OptionProblem.predicate("must be between \(range.lowerBound) and \(range.upperBound)\(meaning), got \(v)")
            }
        }
    }

    /// A finite number in `range` (`inf` and `nan` read as numbers and are refused here).
    static func finite(_ range: ClosedRange<Double>) -> @Sendable (Double, RunSettings) throws -> Void {
        { v, _ in
            guard v.isFinite, range.contains(v) else {
                throw OptionProblem.predicate("must be a finite number between \(short(range.lowerBound)) and \(short(range.upperBound)), got \(short(v))")
            }
        }
    }

    /// `1e+15` rather than `1000000000000000.0`.
    static func short(_ v: Double) -> String { String(format: "%g", v) }

    /// The largest iteration count any option accepts (a day at 128 px is far fewer).
    public static let maxIterations = 1_000_000
    /// Loss weights above this are refused: the loss of an 8-bit image would already
    /// overflow Float32 at typical Gram magnitudes (about 1e25).
    public static let maxWeight = 1e15
}
