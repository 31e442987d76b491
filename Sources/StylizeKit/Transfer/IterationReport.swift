/// What a run reports at the start of every scale and after every iteration.
public struct IterationReport: Sendable {
    /// Iterations done so far over the whole run (every scale); 0 at the start.
    public let iteration: Int
    /// Iterations of the whole schedule.
    public let totalIterations: Int
    /// Loss+gradient evaluations so far over the whole run.
    public let evaluations: Int
    /// Unweighted terms and weighted total. L-BFGS: at the current image. Adam: at the point
    /// where this iteration's gradient was taken (before its update), except the run's last
    /// report, which is always the final image.
    public let terms: LossTerms
    /// Wall time since optimization started (after the images were read).
    public let seconds: Double
    /// 0-based index of the scale in the schedule, and the number of scales.
    public let scale: Int
    public let scaleCount: Int
    /// Size of the generated image at this scale.
    public let width: Int
    public let height: Int
    /// Share of the run's work done, 0…1: iterations weighted by their scale's pixel count
    /// (an evaluation costs in proportion to it), for a time-remaining estimate.
    public let fractionDone: Double
    /// True for the report of a scale's starting image (before its first iteration). A later
    /// scale's start repeats the previous report's `iteration`, at the new size.
    public let startsScale: Bool
    /// Set when the optimizer stopped early at this scale (converged, line search failed).
    public let stopReason: StopReason?
    /// β used at this scale: `--style-weight`, or the one `--style-weight auto` chose.
    public let styleWeight: Double
    /// On the run's first report only: the engine that runs it (`StyleTransfer.engineDescription`).
    public var engine: String? = nil
}

/// The outcome of a finished run.
public struct StyleTransferOutcome: Sendable {
    public let iterations: Int
    public let evaluations: Int
    /// Terms at the final image.
    public let final: LossTerms
    public let seconds: Double
    public let width: Int, height: Int
    /// Why the optimizer stopped before its last iteration at the final scale, if it did.
    public let stopReason: StopReason?
    /// β used at the final scale (see `IterationReport.styleWeight`).
    public let styleWeight: Double
    /// The engine that ran it (`StyleTransfer.engineDescription`).
    public var engine: String = ""
}

public enum StyleTransferError: Error, CustomStringConvertible {
    case nonFinite(iteration: Int, keptAt: String)

    public var description: String {
        switch self {
        case .nonFinite(0, let path):
            return "the loss is NaN or infinite at the starting image (iteration 0), which is in '\(path)' (try smaller weights)"
        case .nonFinite(let i, let path):
            return "the loss became NaN or infinite at iteration \(i); the image from before that step is in '\(path)' (try smaller weights, or Adam as the optimizer)"
        }
    }
}
