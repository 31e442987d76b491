import Foundation

/// `--log FILE`: one JSON object per line, at the start of every scale and after every
/// iteration, with `iteration` and `evaluations` (counted over the whole run), `scale`
/// (0-based), `width` and `height` of that scale, the unweighted `content`, `style`, `tv`,
/// the weighted `total`, `style_weight` (the β used at this scale), `style_layers` (E_l per
/// style layer), `seconds` since optimization started and `stop_reason` (null, or why the
/// optimizer stopped early at this scale: `converged`, `line_search_failed`). The last line is the final image.
/// Each line is flushed as it is written, so a killed run leaves a readable log.
final class RunLog {
    private let fd: Int32
    let path: String

    /// Creates (or empties) `path`, which must be a regular file or nothing: a FIFO or a
    /// device there is refused, never opened for writing in a way that blocks (`O_NONBLOCK`,
    /// then `fstat` of what was opened). Throws a `FileSystemError` naming the reason.
    init(path: String) throws {
        self.path = path
        let action = "cannot write the log '\(path)'"
        if let what = OutputLocation.nonRegularKind(path) { throw FileSystemError(action, reason: AtomicFile.refusal(what)) }
        let fd = FileSystem.open(path, O_WRONLY | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(action, reason: FileSystemError.reason(errno: errno)) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileSystemError(action, reason: AtomicFile.refusal("not a regular file"))
        }
        guard ftruncate(fd, 0) == 0 else {
            let code = errno
            close(fd)
            throw FileSystemError(action, reason: FileSystemError.reason(errno: code))
        }
        self.fd = fd
    }

    deinit { close(fd) }

    /// Writes one whole line (continuing short writes).
    func append(_ r: IterationReport) throws {
        let bytes = Array(RunLog.jsonLine(r).utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                throw FileSystemError("cannot write the log '\(path)'", reason: FileSystemError.reason(errno: n < 0 ? errno : ENOSPC))
            }
            offset += n
        }
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
            + "\"stop_reason\":\(stop)" + (r.engine.map { ",\"engine\":\"\(jsonEscaped($0))\"" } ?? "") + "}\n"
    }

    /// JSON has no NaN or infinity: those are written as null.
    static func jsonNumber(_ v: Double) -> String { v.isFinite ? "\(v)" : "null" }

    /// `text` inside a JSON string: quotes, backslashes and control characters escaped.
    static func jsonEscaped(_ text: String) -> String {
        var out = ""
        for u in text.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where u.value < 0x20: out += String(format: "\\u%04x", u.value)
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }
}
