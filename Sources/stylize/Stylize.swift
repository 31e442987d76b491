import Foundation
import ArgumentParser
import StylizeKit

/// `stylize`: the command tree. `stylize CONTENT STYLE…` runs the default `transfer` subcommand.
@main
struct Stylize: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stylize",
        abstract: "Neural style transfer (Gatys et al. 2016) on a pretrained VGG16, on the CPU.",
        usage: """
        stylize CONTENT STYLE [STYLE…] [options]   (see 'stylize help transfer')
          stylize <subcommand>
        """,
        discussion: """
        Paints CONTENT in the style of STYLE by optimizing an image, starting from noise, \
        so that its VGG16 features match the content photo and its feature correlations \
        (Gram matrices) match the painting. The result path is printed on stdout; \
        progress goes to stderr.
        """,
        subcommands: [TransferCommand.self, BatchCommand.self, ReportCommand.self, VisualizeCommand.self],
        defaultSubcommand: TransferCommand.self
    )

    /// Like ArgumentParser's own `main()`, but every error is ONE line on stderr:
    /// `stylize: error: …`, exit 64 for usage errors and 1 for anything else.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)  // already reported
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))  // --help, --version
                Foundation.exit(0)
            }
            let message = self.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            let hint = code == .validationFailure ? " (see 'stylize --help')" : ""
            Terminal.printError("stylize: error: \(message)\(hint)")
            Foundation.exit(code.rawValue)
        }
    }
}

/// Prints `stylize: error: <one line>` on stderr and exits with status 1.
func fail(_ error: Error) -> ExitCode {
    Terminal.printError("stylize: error: \(error)")
    return .failure
}
