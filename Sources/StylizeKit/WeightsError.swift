import Foundation

/// Why a weights file could not be found, read or accepted.
///
/// `description` is always exactly one line, meant to be printed as-is after
/// `error: `; it names the file and, where one is involved, the tensor (in the text), e.g.
/// `weights file 'w.safetensors': tensor 'conv2_1.weight' has shape [128, 32, 3, 3], expected [128, 64, 3, 3]`.
public struct WeightsError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file concerned, as the caller named it; `nil` when no file was found at all.
    public let file: String?
    /// The whole one-line message.
    public let description: String

    /// A problem with `file`; `reason` mentions the tensor where one is concerned.
    init(file: String, _ reason: String) {
        self.file = file
        self.description = WeightsError.oneLine("weights file '\(file)': \(reason)")
    }

    /// A problem not tied to one file (e.g. nothing found by the locator).
    init(message: String) {
        self.file = nil
        self.description = WeightsError.oneLine(message)
    }

    /// Collapses any line breaks a wrapped system message might carry.
    private static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: { $0.isNewline })
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .joined(separator: " ")
    }
}
