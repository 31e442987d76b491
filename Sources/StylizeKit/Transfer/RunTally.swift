import Foundation

/// The counts of a run in progress (iterations and evaluations over the whole schedule,
/// work done, the latest loss terms) and the reports made from them.
struct RunTally {
    let schedule: ScaleSchedule
    let start = Date()
    var iteration = 0
    var evaluations = 0
    var terms = LossTerms(content: 0, style: 0, tv: 0, total: 0, stylePerLayer: [])
    var stopReason: StopReason?
    private(set) var scale = 0
    private(set) var iterationsThisScale = 0
    /// Iterations done, each weighted by its scale's pixel count (an evaluation costs in
    /// proportion to it), against the whole schedule's: for the time-remaining estimate.
    private var workDone = 0.0
    private let work: Double

    init(schedule: ScaleSchedule) {
        self.schedule = schedule
        work = Double(schedule.scales.reduce(0) { $0 + $1.iterations * $1.pixels })
    }

    mutating func startScale(_ k: Int) {
        scale = k
        iterationsThisScale = 0
        stopReason = nil
    }

    mutating func finishIteration(_ t: LossTerms, stop: StopReason?, pixels: Int) {
        iteration += 1
        iterationsThisScale += 1
        workDone += Double(pixels)
        terms = t
        stopReason = stop
    }

    /// A scale that stopped early counts as done.
    mutating func finishScale() {
        workDone = Double(schedule.scales[...scale].reduce(0) { $0 + $1.iterations * $1.pixels })
    }

    func report(startsScale: Bool, styleWeight: Double) -> IterationReport {
        let s = schedule.scales[scale]
        return IterationReport(iteration: iteration, totalIterations: schedule.totalIterations, evaluations: evaluations,
                               terms: terms, seconds: Date().timeIntervalSince(start), scale: scale,
                               scaleCount: schedule.scales.count, width: s.width, height: s.height,
                               fractionDone: work > 0 ? min(1, workDone / work) : 1, startsScale: startsScale,
                               stopReason: startsScale ? nil : stopReason, styleWeight: styleWeight)
    }

    func outcome(image: Tensor3, styleWeight: Double) -> StyleTransferOutcome {
        StyleTransferOutcome(iterations: iteration, evaluations: evaluations, final: terms,
                             seconds: Date().timeIntervalSince(start), width: image.width, height: image.height,
                             stopReason: stopReason, styleWeight: styleWeight)
    }
}

/// A run stopped on request (a signal) before its schedule ended: the one way cancellation
/// is represented. `iteration` is the number of iterations done; `keptAt` is where the image
/// so far was written, once the file layer has written it (nil on the tensor level), and
/// `size` that image's size (smaller than the output's before the last scale).
public struct RunCancelled: Error, CustomStringConvertible, Equatable {
    public let iteration: Int
    public let keptAt: String?
    public let size: RunPlan.Size?
    public init(iteration: Int, keptAt: String?, size: RunPlan.Size? = nil) {
        self.iteration = iteration; self.keptAt = keptAt; self.size = size
    }
    public var description: String {
        "stopped at iteration \(iteration)" + (keptAt.map { "; the image so far is in '\($0)'" } ?? "")
            + (size.map { " (\($0.width)x\($0.height))" } ?? "")
    }
}
