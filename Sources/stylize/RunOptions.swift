import ArgumentParser
import StylizeKit

/// The run options on the command line: one property per option of `RunOption.all`, each
/// taking its name, help and completion from that declaration. Values are read as text and
/// set through the declaration too (`settings()`), exactly as sweeps and batch records are,
/// so each option is parsed, range-checked and defaulted in one place: the library.
///
/// The property names are the keys in camel case (ArgumentParser's own naming turns
/// `minSize` into `--min-size`); `OptionsDeclarationTests` checks that every declared option
/// has its property here and every property its declaration. `Command` is the command that
/// reads them: an option it does not take is still parsed (so that the command can refuse it
/// in one line) but appears in none of its help, man page or completions.
struct RunOptions<Command: RunOptionsCommand>: ParsableArguments {
    @Option(parsing: .unconditional, help: .run(.size, in: Command.command)) var size: String?
    @Option(parsing: .unconditional, help: .run(.minSize, in: Command.command)) var minSize: String?
    @Option(parsing: .unconditional, help: .run(.scaleFactor, in: Command.command)) var scaleFactor: String?
    @Option(parsing: .unconditional, help: .run(.iterations, in: Command.command)) var iterations: String?
    @Option(parsing: .unconditional, help: .run(.coarseIterations, in: Command.command)) var coarseIterations: String?
    @Option(parsing: .unconditional, help: .run(.contentWeight, in: Command.command)) var contentWeight: String?
    @Option(parsing: .unconditional, help: .run(.styleWeight, in: Command.command), completion: .run(.styleWeight)) var styleWeight: String?
    @Option(parsing: .unconditional, help: .run(.tvWeight, in: Command.command)) var tvWeight: String?
    @Option(parsing: .unconditional, help: .run(.contentLayers, in: Command.command)) var contentLayers: String?
    @Option(parsing: .unconditional, help: .run(.coarseContentLayers, in: Command.command)) var coarseContentLayers: String?
    @Option(parsing: .unconditional, help: .run(.contentFocus, in: Command.command), completion: .run(.contentFocus)) var contentFocus: String?
    @Option(parsing: .unconditional, help: .run(.styleLayers, in: Command.command)) var styleLayers: String?
    @Option(parsing: .unconditional, help: .run(.styleLayerWeights, in: Command.command)) var styleLayerWeights: String?
    @Option(parsing: .unconditional, help: .run(.styleBlendWeights, in: Command.command)) var styleBlendWeights: String?
    @Option(parsing: .unconditional, help: .run(.styleMasks, in: Command.command), completion: .run(.styleMasks)) var styleMasks: String?
    @Option(parsing: .unconditional, help: .run(.preserveColors, in: Command.command), completion: .run(.preserveColors)) var preserveColors: String?
    @Option(parsing: .unconditional, help: .run(.styleScale, in: Command.command)) var styleScale: String?
    @Option(parsing: .unconditional, help: .run(.pooling, in: Command.command), completion: .run(.pooling)) var pooling: String?
    @Option(parsing: .unconditional, help: .run(.optimizer, in: Command.command), completion: .run(.optimizer)) var optimizer: String?
    @Option(parsing: .unconditional, help: .run(.historySize, in: Command.command)) var historySize: String?
    @Option(parsing: .unconditional, help: .run(.preconditioner, in: Command.command), completion: .run(.preconditioner)) var preconditioner: String?
    @Option(parsing: .unconditional, help: .run(.learningRate, in: Command.command)) var learningRate: String?
    @Option(parsing: .unconditional, help: .run(.initialization, in: Command.command), completion: .run(.initialization)) var `init`: String?
    @Option(parsing: .unconditional, help: .run(.seed, in: Command.command)) var seed: String?
    @Option(parsing: .unconditional, help: .run(.maxMegapixels, in: Command.command)) var maxMegapixels: String?
    @Option(parsing: .unconditional, help: .run(.maxMemory, in: Command.command)) var maxMemory: String?
    @Option(parsing: .unconditional, help: .run(.bitDepth, in: Command.command), completion: .run(.bitDepth)) var bitDepth: String?
    @Option(parsing: .unconditional, help: .run(.quality, in: Command.command)) var quality: String?
    @Option(parsing: .unconditional, help: .run(.device, in: Command.command), completion: .run(.device)) var device: String?
    @Option(parsing: .unconditional, help: .run(.gpuMath, in: Command.command), completion: .run(.gpuMath)) var gpuMath: String?

    /// The options given, as (key, text), in the order they are declared here.
    var given: [(key: String, text: String)] {
        Mirror(reflecting: self).children.compactMap { child in
            guard let label = child.label, let option = child.value as? any GivenText, let text = option.givenText else { return nil }
            return (Self.key(forProperty: String(label.dropFirst())), text)  // "_minSize" → "min-size"
        }
    }

    /// The settings these options give: defaults, then every given option set through its
    /// declaration, then every option checked (usage errors naming the flag, exit 64).
    func settings() throws -> RunSettings {
        do {
            var s = RunSettings()
            for (key, text) in given { s = try s.setting(key, to: text) }
            try s.validate()
            return s
        } catch let e as OptionError { throw ValidationError(e.flagged) }
    }

    mutating func validate() throws { _ = try settings() }

    /// ArgumentParser's naming of a property: `minSize` → `min-size`.
    static func key(forProperty name: String) -> String {
        name.reduce(into: "") { key, c in
            if c.isUppercase { key += "-" + c.lowercased() } else { key.append(c) }
        }
    }
}

/// The command a set of run options belongs to (`RunOptions<TransferRun>`).
protocol RunOptionsCommand { static var command: RunOption.RunCommand { get } }
enum TransferRun: RunOptionsCommand { static let command = RunOption.RunCommand.transfer }
enum BatchRun: RunOptionsCommand { static let command = RunOption.RunCommand.batch }

/// A parsed `@Option` whose value is text: what `RunOptions.given` reads through `Mirror`.
protocol GivenText { var givenText: String? { get } }
extension Option: GivenText where Value == String? {
    var givenText: String? { wrappedValue }
}

extension ArgumentHelp {
    /// A run option's help, with its default, from its declaration; none (`.private`) for
    /// a command that does not take the option.
    static func run(_ option: RunOption, in command: RunOption.RunCommand) -> ArgumentHelp {
        ArgumentHelp(option.help + (option.defaultText.map { " (default: \($0))" } ?? ""), valueName: option.valueName,
                     visibility: option.applies(to: command) ? .default : .private)
    }
}

extension CompletionKind {
    static func run(_ option: RunOption) -> CompletionKind {
        switch option.completion {
        case .none: return .default
        case .words(let words): return .list(words)
        case .files: return .file()
        }
    }
}

extension OptionError {
    /// `--size must be between 16 and 8192 …`: the key as the flag the user typed.
    var flagged: String { "--" + description }
}
