/// How stylize reads numbers written as text: in decimal only. Swift's `Double(String)` and
/// `Float(String)` also read hexadecimal (`0x10` is 16, `0x1p-3` is 0.125), so a value such
/// as `--style-weight 0x10` was silently taken as 16; every numeric option, sweep value and
/// number list goes through these rules instead.
public enum DecimalNumber {
    /// `text` as a `Double` when it is written in decimal (`5`, `-1.5e-3`, `.5`), or is
    /// `inf` or `nan` (which parse, so that the range checks can refuse them with the
    /// range); nil for anything else, hexadecimal included.
    public static func double(_ text: String) -> Double? {
        isNonDecimal(text) ? nil : Double(text)
    }

    /// Whether `text` is a number Swift's `Double(String)` reads that is not written in
    /// decimal: `0x10`, `-0X1p4`. (Decimal numbers, `inf` and `nan` contain no `x`; integer
    /// parsing never accepts a `0x` prefix.)
    public static func isNonDecimal(_ text: String) -> Bool {
        (text.contains("x") || text.contains("X")) && Double(text) != nil
    }

    /// The first option value in command-line `words` that is a non-decimal number, as
    /// (option, value): `--name=value`, or `--name value` / `-o value` where `--name` is not
    /// one of `flags` (options without a value). Positional arguments are not looked at.
    public static func firstNonDecimalValue(in words: [String], flags: Set<String>) -> (option: String, value: String)? {
        var previous: String?
        for word in words {
            if word == "--" { return nil }
            if word.hasPrefix("--"), let eq = word.firstIndex(of: "=") {
                let value = String(word[word.index(after: eq)...])
                if isNonDecimal(value) { return (String(word[..<eq]), value) }
                previous = nil
            } else if let option = previous, isNonDecimal(word) {
                return (option, word)
            } else {
                previous = word.hasPrefix("-") && word.count > 1 && !flags.contains(word) && word != "-h" ? word : nil
            }
        }
        return nil
    }
}
