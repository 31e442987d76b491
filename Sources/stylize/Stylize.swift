import Foundation
import ArgumentParser
import StylizeKit

/// `stylize`: the command tree. `stylize CONTENT STYLE…` runs the default `transfer` subcommand.
@main
struct Stylize: ParsableCommand {
    static let version = "0.5.0"

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
        version: "stylize \(version)\n\(BLAS.description)\n\(GEMMKernel.description)\n\(CUDAProbe.run().description)\n\(Conv3x3.winogradTransformsDescription)",
        subcommands: subcommands,
        defaultSubcommand: TransferCommand.self
    )

    static let subcommands: [ParsableCommand.Type] = [TransferCommand.self, BatchCommand.self, ReportCommand.self, VisualizeCommand.self]

    /// Like ArgumentParser's own `main()`, but every error is ONE line on stderr:
    /// `stylize: error: …`, exit 64 for usage errors and 1 for anything else. Signal handlers
    /// are installed first, so a signal at any moment is handled.
    static func main() {
        Signals.install()
        let words = Array(FileName.commandLineArguments().dropFirst())  // exactly: a file name need not be UTF-8
        if let i = words.firstIndex(of: "--generate-completion-script") {
            let shell = i + 1 < words.count ? words[i + 1] : ""
            guard let kind = CompletionShell(rawValue: shell) else {
                usageError("--generate-completion-script needs one of: bash, zsh, fish")
            }
            print(ShellCompletion.script(for: kind), terminator: "")
            Foundation.exit(0)
        }
        if words.first == "help", words.count > 1 {
            let names = subcommands.compactMap { $0.configuration.commandName }
            if !names.contains(words[1]) {
                usageError("help: unknown command '\(words[1])' (commands: \(names.joined(separator: ", ")))")
            }
        }
        if let problem = singleDashLongOption(words) { usageError(problem, help: helpCommand(for: words)) }
        do {
            var command = try parseAsRoot(words)
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
            let hint = code == .validationFailure ? " (see '\(helpCommand(for: words))')" : ""
            Terminal.printError("stylize: error: \(message)\(hint)")
            Foundation.exit(code.rawValue)
        }
    }

    /// `stylize help batch` for a batch command line, `stylize --help` for the default one:
    /// where the options of the command that was typed are listed.
    static func helpCommand(for words: [String]) -> String {
        let names = subcommands.compactMap { $0.configuration.commandName }.filter { $0 != "transfer" }
        return words.first.map { names.contains($0) ? "stylize help \($0)" : "stylize --help" } ?? "stylize --help"
    }

    /// neural-style's habits, `-output_image x.png` or `-style_weight 1e3`: ArgumentParser
    /// would read them as bundles of short options (`-s -t -y …`, and an `h` in the bundle
    /// prints the help). A single-dash word that names a long option (with `_` or `-`) is
    /// refused with the right spelling instead, before parsing.
    static func singleDashLongOption(_ words: [String]) -> String? {
        let aliases = ["output_image": "output", "image_size": "size", "num_iterations": "iterations", "style_image": "style",
                       "content_image": "content", "gpu": "threads", "print_iter": "quiet"]
        let own = ["output", "log", "weights", "threads", "quiet", "out", "content", "style", "sweep", "resume", "shard",
                   "save-every", "dump-every", "dump-layers", "dump-dir", "layers", "top", "maximize"]
        for w in words.prefix(while: { $0 != "--" }) where w.hasPrefix("-") && !w.hasPrefix("--") && w.count > 2 {
            let raw = String(w.dropFirst().prefix { $0 != "=" })
            guard raw.first?.isLetter == true else { continue }  // not a negative number
            let name = aliases[raw] ?? raw.replacingOccurrences(of: "_", with: "-")
            if RunOption.named(name) != nil || own.contains(name) {
                return "unknown option '\(w)': long options take two dashes, '--\(name)'"
            }
        }
        return nil
    }

    static func usageError(_ message: String, help: String = "stylize --help") -> Never {
        Terminal.printError("stylize: error: \(message) (see '\(help)')")
        Foundation.exit(ExitCode.validationFailure.rawValue)
    }
}

/// The command tree as the shell completions see it: the default command's options at the
/// top level (`stylize --po<TAB>` offers `--pooling`), and every subcommand. Never parsed.
/// Its positional arguments are left out, so that a first word such as `batch` still selects
/// the subcommand; `ShellCompletion` completes `stylize photo.png style.png --po<TAB>`.
struct CompletionRoot: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stylize", subcommands: Stylize.subcommands)

    @OptionGroup var transfer: TransferOptions
}

/// Prints `stylize: error: <one line>` on stderr and returns exit status 1 to throw.
/// Foundation errors are described by their path and POSIX reason, never as
/// `NSCocoaErrorDomain Code=…`.
func fail(_ error: Error) -> ExitCode {
    var text = "\(error)"
    let ns = error as NSError
    if ns.domain == NSCocoaErrorDomain || ns.domain == NSPOSIXErrorDomain {
        let path = (ns.userInfo[NSFilePathErrorKey] as? String) ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
        text = (path.map { "'\($0)': " } ?? "") + FileSystemError.reason(of: error)
    }
    Terminal.printError("stylize: error: \(text)")
    return .failure
}

/// Runs `body`: usage errors (exit 64) and exit statuses pass through; any other error
/// becomes one `stylize: error:` line and exit 1.
func oneLineErrors(_ body: () throws -> Void) throws {
    do { try body() } catch let e as ValidationError { throw e } catch let e as ExitCode { throw e } catch { throw fail(error) }
}
