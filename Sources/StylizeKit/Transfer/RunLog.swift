import Foundation

/// `--log FILE`: one JSON object per line, at the start of every scale and after every
/// iteration, with `iteration` and `evaluations` (counted over the whole run), `scale`
/// (0-based), `width` and `height` of that scale, the unweighted `content`, `style`, `tv`,
/// the weighted `total`, `style_weight` (the β used at this scale), `style_layers` (E_l per
/// style layer), `seconds` since optimization started and `stop_reason` (null, or why the
/// optimizer stopped early at this scale: `converged`, `line_search_failed`). The last line is the final image.
/// Each line is flushed as it is written, so a killed run leaves a readable log.
struct RunLog {
    private let handle: FileHandle
    let path: String

    init(path: String) throws {
        self.path = path
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw LogError(path: path)
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw LogError(path: path) }
        handle = h
    }

    mutating func append(_ r: IterationReport) throws {
        let line = RunLog.jsonLine(r)
        do { try handle.write(contentsOf: Data(line.utf8)) } catch { throw LogError(path: path) }
    }

    /// Fixed field order, numbers in full precision (`Double.description` round-trips).
    static func jsonLine(_ r: IterationReport) -> String {
        let layers = r.terms.stylePerLayer.map { jsonNumber($0) }.joined(separator: ",")
        let stop = r.stopReason.map { "\"\($0.rawValue)\"" } ?? "null"
        return "{\"iteration\":\(r.iteration),\"evaluations\":\(r.evaluations),"
            + "\"scale\":\(r.scale),\"width\":\(r.width),\"height\":\(r.height),"
            + "\"content\":\(jsonNumber(r.terms.content)),\"style\":\(jsonNumber(r.terms.style)),"
            + "\"tv\":\(jsonNumber(r.terms.tv)),\"total\":\(jsonNumber(r.terms.total)),"
            + "\"style_weight\":\(jsonNumber(r.styleWeight)),"
            + "\"style_layers\":[\(layers)],\"seconds\":\(jsonNumber((r.seconds * 1000).rounded() / 1000)),"
            + "\"stop_reason\":\(stop)}\n"
    }

    /// JSON has no NaN or infinity: those are written as null.
    static func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
}

struct LogError: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot write the log file '\(path)'" }
}
