import Foundation

/// `--log FILE`: one JSON object per line, for iteration 0 and after every iteration, with
/// `iteration`, `evaluations`, the unweighted `content`, `style`, `tv`, the weighted `total`,
/// `style_layers` (E_l per style layer) and `seconds` since optimization started.
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
        return "{\"iteration\":\(r.iteration),\"evaluations\":\(r.evaluations),"
            + "\"content\":\(jsonNumber(r.terms.content)),\"style\":\(jsonNumber(r.terms.style)),"
            + "\"tv\":\(jsonNumber(r.terms.tv)),\"total\":\(jsonNumber(r.terms.total)),"
            + "\"style_layers\":[\(layers)],\"seconds\":\(jsonNumber((r.seconds * 1000).rounded() / 1000))}\n"
    }

    /// JSON has no NaN or infinity: those are written as null.
    static func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }
}

struct LogError: Error, CustomStringConvertible {
    let path: String
    var description: String { "cannot write the log file '\(path)'" }
}
