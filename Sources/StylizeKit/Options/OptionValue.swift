/// A run option's value, as the command line, `--sweep` values and batch records write it.
///
/// Reading text is the only parsing there is: the command line, sweeps and `--resume`'s
/// records all go through `init(optionText:)`, so a value means the same everywhere. Whether
/// a value is in its option's range is the option's business (`RunOption`), not the type's.
public protocol OptionValue: Sendable, Equatable {
    /// The value `text` stands for; throws `OptionProblem` when it is not of this type.
    init(optionText text: String) throws
    /// The text that reads back as this value (`init(optionText:)` round-trips it).
    var optionText: String { get }
}

/// Why a text or value does not fit an option, in words that do not name the option (the
/// caller knows which one it is: see `OptionError`).
public struct OptionProblem: Error, CustomStringConvertible, Equatable {
    public let description: String
    /// What goes between the option's name and `description`: `": "` for a detail
    /// (`--style-layers: 'x' is not a layer name`), `" "` for a predicate (`--size must be …`).
    public let joiner: String
    public init(_ description: String, joiner: String = ": ") { self.description = description; self.joiner = joiner }
    /// A sentence whose subject is the option: `must be between 16 and 8192, got 5`.
    public static func predicate(_ text: String) -> OptionProblem { OptionProblem(text, joiner: " ") }
}

/// A problem with one option's value, carrying the option's key (`style-weight`): the
/// library speaks of keys, and only the command line turns them into flags.
public struct OptionError: Error, CustomStringConvertible, Equatable {
    /// The option's key (`RunOption.key`), or a key of a command's own options.
    public let key: String
    public let problem: OptionProblem
    public init(key: String, problem: OptionProblem) { self.key = key; self.problem = problem }
    /// The key, then the problem: `size must be between 16 and 8192, got 5`.
    public var description: String { key + problem.joiner + problem.description }
}

// MARK: - Numbers

/// Decimal numbers only: `Double("0x10")` is 16 and `Int` takes a leading `+`, which a
/// user who typed `--style-weight 0x10` did not mean. `inf` and `nan` read (and are then
/// refused by the range check, which says why).
enum DecimalText {
    static func isDecimal(_ text: String) -> Bool {
        let lower = text.lowercased()
        let body = lower.hasPrefix("-") || lower.hasPrefix("+") ? String(lower.dropFirst()) : lower
        if ["inf", "infinity", "nan"].contains(body) { return true }
        return !body.isEmpty && body.allSatisfy { $0.isASCII && ($0.isNumber || ".e+-".contains($0)) }
            && body.first.map { $0.isNumber || $0 == "." } == true
    }

    /// `text` as a Double when it is decimal, whatever its range.
    static func number(_ text: String) -> Double? { isDecimal(text) ? Double(text) : nil }
}

extension Int: OptionValue {
    public init(optionText text: String) throws {
        guard DecimalText.isDecimal(text), let v = Int(text) else { throw OptionProblem("'\(text)' is not a whole number") }
        self = v
    }
    public var optionText: String { "\(self)" }
}

extension UInt64: OptionValue {
    public init(optionText text: String) throws {
        guard DecimalText.isDecimal(text), let v = UInt64(text) else { throw OptionProblem("'\(text)' is not a whole number") }
        self = v
    }
    public var optionText: String { "\(self)" }
}

extension Double: OptionValue {
    public init(optionText text: String) throws {
        guard let v = DecimalText.number(text) else { throw OptionProblem("'\(text)' is not a number") }
        self = v
    }
    public var optionText: String { "\(self)" }
}

/// A number of bytes, `4G`, `512M`, `1.5G` or `2000000000`: a decimal number with an
/// optional suffix K, M, G or T (any case), powers of 1000 like the GB the plan line prints.
public struct ByteCount: OptionValue, Comparable {
    public let bytes: Double
    public let optionText: String
    static let suffixes: [Character: Double] = ["k": 1e3, "m": 1e6, "g": 1e9, "t": 1e12]

    public init(optionText text: String) throws {
        let scale = text.last.flatMap { Self.suffixes[Character($0.lowercased())] }
        guard let number = DecimalText.number(scale == nil ? text : String(text.dropLast())) else {
            throw OptionProblem("'\(text)' is not a number of bytes (e.g. 4G, 512M)")
        }
        bytes = number * (scale ?? 1)
        optionText = text
    }

    public static func < (a: ByteCount, b: ByteCount) -> Bool { a.bytes < b.bytes }
    public static func == (a: ByteCount, b: ByteCount) -> Bool { a.bytes == b.bytes }
}

extension Optional: OptionValue where Wrapped: OptionValue {
    /// An optional option is unset when absent; any text given is the wrapped value's.
    public init(optionText text: String) throws { self = .some(try Wrapped(optionText: text)) }
    public var optionText: String { self?.optionText ?? "" }
}

// MARK: - Words

/// A closed set of words (`--pooling max|avg`): enums with string raw values.
public protocol OptionWord: OptionValue, CaseIterable, RawRepresentable where RawValue == String {}

extension OptionWord {
    public init(optionText text: String) throws {
        guard let v = Self(rawValue: text) else {
            throw OptionProblem("'\(text)' is not one of \(Self.words.joined(separator: ", "))")
        }
        self = v
    }
    public var optionText: String { rawValue }
    /// The words, in declaration order (for help, messages and shell completion).
    public static var words: [String] { allCases.map(\.rawValue) }
}

extension Pooling: OptionWord {}
extension ColorPreservation: OptionWord {}
extension ContentFocus: OptionWord {}

/// `--optimizer`: which optimizer runs each scale.
public enum OptimizerKind: String, Sendable, OptionWord {
    /// Projected L-BFGS with a backtracking Armijo search (see `LBFGS`).
    case lbfgs
    /// Adam, clamped to the box after every step (see `Adam`).
    case adam
}

/// `--preconditioner`: L-BFGS's initial inverse Hessian.
public enum Preconditioning: String, Sendable, OptionWord {
    /// `SmoothingPreconditioner`: broad changes scaled up as 1/frequency.
    case smooth
    /// The identity, the classic L-BFGS of Gatys et al. and neural-style.
    case none
}

extension PNGBitDepth: OptionValue {
    public init(optionText text: String) throws {
        guard let bits = Int(text), let depth = PNGBitDepth(rawValue: bits) else {
            throw OptionProblem("'\(text)' is not one of \(PNGBitDepth.allCases.map { "\($0.rawValue)" }.joined(separator: ", "))")
        }
        self = depth
    }
    public var optionText: String { "\(rawValue)" }
}
