import Foundation
import StylizeKit

/// stderr output: diagnostics and the progress line. Results go to stdout only.
///
/// A file name that is not UTF-8 shows its odd bytes as `\xff` on stderr (`FileName.display`,
/// which also keeps a message with a newline in a name on one line), and is written on stdout
/// as its exact bytes, so that `out=$(stylize …)` names the file.
enum Terminal {
    static let isInteractive = isatty(STDERR_FILENO) == 1

    static func printError(_ line: String) {
        FileHandle.standardError.write(Data((FileName.display(line) + "\n").utf8))
    }

    /// A result's path on stdout, one line of the name's exact bytes.
    static func printPath(_ path: String) {
        FileHandle.standardOutput.write(Data(FileName.bytes(path) + [UInt8(ascii: "\n")]))
    }

    /// `stylize: warning: <line>`: a problem that does not stop the command.
    static func warn(_ line: String) { printError("stylize: warning: \(line)") }

    static func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// `scale 2/5 181x128  iteration 112/500  total 1.234e+05  content 123.4  style 4.56e+07  tv 78.9  0.15 s/it`,
/// redrawn in place when stderr is a terminal, one line per 10 iterations (and one per scale
/// start and early stop) otherwise. Seconds per iteration are those of the current scale.
final class ProgressLine {
    let quiet: Bool
    private var scaleStart: (iteration: Int, seconds: Double) = (0, 0)

    init(quiet: Bool) { self.quiet = quiet }

    func show(_ r: IterationReport) {
        guard !quiet else { return }
        if let p = plan { plan = nil; printPlan(p) }
        if r.startsScale { scaleStart = (r.iteration, r.seconds) }
        let done = r.iteration - scaleStart.iteration
        let perIteration = done > 0 ? (r.seconds - scaleStart.seconds) / Double(done) : 0
        let t = r.terms
        var line = "scale \(r.scale + 1)/\(r.scaleCount) \(r.width)x\(r.height)  iteration \(r.iteration)/\(r.totalIterations)"
            + "  total \(fmt(t.total))  content \(fmt(t.content))  style \(fmt(t.style))  tv \(fmt(t.tv))"
        if done > 0 { line += String(format: "  %.2f s/it", perIteration) }
        if r.fractionDone > 0 && r.fractionDone < 1 {
            line += "  ETA " + duration(r.seconds * (1 - r.fractionDone) / r.fractionDone)
        }
        if let stop = r.stopReason { line += "  stopped at this scale: \(stop.rawValue.replacingOccurrences(of: "_", with: " "))" }
        if Terminal.isInteractive {
            Terminal.write("\r\u{1B}[K" + line + (r.stopReason != nil ? "\n" : ""))
        } else if r.iteration % 10 == 0 || r.iteration == r.totalIterations || r.startsScale || r.stopReason != nil {
            Terminal.write(line + "\n")
        }
    }

    /// The run's plan, printed in one line with the first report (once the images are read,
    /// so that a bad input still ends in one line): the scales, the iterations at each and in
    /// all (what `--iterations` and `--coarse-iterations` add up to), β, and the memory.
    var plan: RunPlan?

    private func printPlan(_ plan: RunPlan) {
        let scales = plan.schedule.scales
        let beta: String
        switch plan.styleWeight {
        case .fixed(let b): beta = "β \(NumberText.loss(b))"
        case .automatic: beta = "β auto"
        }
        Terminal.printError("plan: \(scales.count) scale\(scales.count == 1 ? "" : "s") of "
                            + scales.map { "\($0.width)x\($0.height)" }.joined(separator: ", ")
                            + "; iterations " + scales.map { "\($0.iterations)" }.joined(separator: " + ")
                            + (scales.count > 1 ? " = \(plan.schedule.totalIterations)" : "")
                            + String(format: "; %@; about %.1f GB peak", beta, plan.peakBytes / 1e9))
    }

    func finish(_ result: StyleTransferOutcome) {
        guard !quiet else { return }
        if Terminal.isInteractive { Terminal.write("\n") }
        Terminal.write(String(format: "done: %d iterations, %d evaluations, %.1f s, %dx%d, final loss %@\n",
                              result.iterations, result.evaluations, result.seconds, result.width, result.height,
                              fmt(result.final.total)))
    }

    /// A problem that does not stop the run (a log that cannot be written): its own line,
    /// also with `--quiet`.
    func warn(_ message: String) {
        if !quiet && Terminal.isInteractive { Terminal.write("\r\u{1B}[K") }
        Terminal.printError("stylize: warning: \(message)")
    }

    /// Ends a redrawn line before the interruption note.
    func interrupted() {
        if !quiet && Terminal.isInteractive { Terminal.write("\n") }
    }

    private func fmt(_ v: Double) -> String { NumberText.loss(v) }

    private func duration(_ s: Double) -> String { NumberText.duration(s) }
}
