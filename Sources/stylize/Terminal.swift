import Foundation
import StylizeKit

/// stderr output: diagnostics and the progress line. Results go to stdout only.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) == 1

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `iteration 12/300  total 1.234e+05  content 123.4  style 4.56e+07  tv 78.9  1.85 s/it  ETA 9m 12s`,
/// redrawn in place when stderr is a terminal, one line per 10 iterations otherwise.
final class ProgressLine {
    let quiet: Bool
    private var lastSeconds = 0.0

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ r: IterationReport) {
        defer { lastSeconds = r.seconds }
        guard !quiet else { return }
        let perIteration = r.iteration > 0 ? r.seconds / Double(r.iteration) : 0
        let remaining = perIteration * Double(r.totalIterations - r.iteration)
        let t = r.terms
        var line = "iteration \(r.iteration)/\(r.totalIterations)  total \(fmt(t.total))  content \(fmt(t.content))  style \(fmt(t.style))  tv \(fmt(t.tv))"
        if r.iteration > 0 { line += String(format: "  %.2f s/it  ETA %@", perIteration, duration(remaining)) }
        if Terminal.isInteractive {
            Terminal.write("\r\u{1B}[K" + line)
        } else if r.iteration % 10 == 0 || r.iteration == r.totalIterations {
            Terminal.write(line + "\n")
        }
    }

    func finish(_ result: StyleTransferResult) {
        guard !quiet else { return }
        if Terminal.isInteractive { Terminal.write("\n") }
        Terminal.write(String(format: "done: %d iterations, %d evaluations, %.1f s, %dx%d\n",
                              result.iterations, result.evaluations, result.seconds, result.width, result.height))
    }

    private func fmt(_ v: Double) -> String { String(format: abs(v) >= 1e4 || (abs(v) < 1e-2 && v != 0) ? "%.3e" : "%.2f", v) }

    private func duration(_ s: Double) -> String {
        let total = Int(s.rounded())
        return total >= 60 ? "\(total / 60)m \(total % 60)s" : "\(total)s"
    }
}
