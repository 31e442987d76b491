import Foundation

/// One line of `OUT/runs.jsonl`: what one batch job did.
///
/// Records are appended, never rewritten: a job that is run again (after a failure or an
/// interruption) gets a new line, and readers keep the last line per output (`latest`).
public struct RunRecord: Codable, Sendable, Equatable {
    /// Unweighted loss terms and the weighted total at the final image; nil when not finite.
    /// `style_weight` is the β the total used (chosen by `--style-weight auto`, or given).
    public struct Final: Codable, Sendable, Equatable {
        public var content: Double?, style: Double?, tv: Double?, total: Double?
        public var styleWeight: Double?
        enum CodingKeys: String, CodingKey { case content, style, tv, total, styleWeight = "style_weight" }
        public init(_ t: LossTerms, styleWeight: Double? = nil) {
            func f(_ v: Double) -> Double? { v.isFinite ? v : nil }
            content = f(t.content); style = f(t.style); tv = f(t.tv); total = f(t.total)
            self.styleWeight = styleWeight.flatMap(f)
        }
    }

    public enum Status: String, Codable, Sendable { case done, failed, interrupted }

    /// Position of the job in the whole plan.
    public var job: Int
    /// Input paths (absolute when written by `stylize batch`).
    public var content: String
    public var style: String
    /// Output path, relative to the batch folder (e.g. `cat__wave.png`).
    public var output: String
    /// An interrupted job's image so far, relative to the batch folder
    /// (`cat__wave.partial.png`, see `StyleTransfer.partialPath`); never the output itself.
    public var partial: String?
    /// Per-job log, relative to the batch folder (`logs/<stem>.jsonl`).
    public var log: String
    /// Every effective run option (defaults included), by long option name, as text.
    public var params: [String: String]
    /// The swept options of this job, in axis order (empty without `--sweep`).
    public var sweep: [SweepSetting]
    public var status: Status
    /// One line, when `status` is failed or interrupted.
    public var error: String?
    public var final: Final?
    public var iterations: Int
    public var evaluations: Int
    /// Wall time of the job in seconds, loading included.
    public var seconds: Double
    /// The engine that ran it (`cpu`, `cuda, NVIDIA H200 (sm_90)`), when it finished.
    public var engine: String? = nil
    /// What an unset `--iterations` meant for the build that ran it
    /// (`RunSettings.automaticIterations`); nil in records of builds before the fourteenth
    /// session. `--resume` keeps a job run with automatic iterations only when this matches.
    public var automaticIterations: String? = nil

    enum CodingKeys: String, CodingKey {
        case job, content, style, output, partial, log, params, sweep, status, error, final, iterations, evaluations
        case seconds, engine, automaticIterations = "automatic_iterations"
    }

    public init(job: Int, content: String, style: String, output: String, log: String,
                params: [String: String], sweep: [SweepSetting], status: Status, error: String? = nil,
                final: Final? = nil, iterations: Int = 0, evaluations: Int = 0, seconds: Double = 0) {
        self.job = job; self.content = content; self.style = style; self.output = output; self.log = log
        self.params = params; self.sweep = sweep; self.status = status
        self.error = error.map { $0.split(whereSeparator: \.isNewline).joined(separator: " ") }
        self.final = final; self.iterations = iterations; self.evaluations = evaluations
        self.seconds = (seconds * 1000).rounded() / 1000
    }

    /// The record as one JSON line ending in `\n` (keys sorted, slashes unescaped; a byte of
    /// a name that is not UTF-8 escaped as `\udbff\udfff`, see `FileName`).
    public func jsonLine() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return FileName.escapeJSON(String(decoding: try encoder.encode(self), as: UTF8.self)) + "\n"
    }

    /// Appends `record` to `path` as one line, on an `O_APPEND` descriptor, then `fsync`s.
    ///
    /// - The line goes out in one `write(2)`, so even concurrent writers would never
    ///   interleave (a batch holds its folder's lock, `BatchFolderLock`, so there is one); a short write (a signal, a full disk) is continued until the line
    ///   is whole, and if it cannot be, the fragment is ended with `\n` so the next record
    ///   starts a line of its own (readers skip the broken one).
    /// - If the file ends in a partial line (a writer killed mid-line), the record starts
    ///   with `\n`, in the same `write(2)`.
    /// - Errors of `write`, `fsync` and `close` are all thrown: on NFS, quota and
    ///   out-of-space errors often show up only at `fsync` or `close`.
    public static func append(_ record: RunRecord, to path: String) throws {
        let line = Array(try record.jsonLine().utf8)
        let fd = FileSystem.open(path, O_RDWR | O_APPEND | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0o644)  // a FIFO must not block
        guard fd >= 0 else { throw appendError(path, errno) }
        var closed = false
        defer { if !closed { close(fd) } }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            throw FileSystemError("cannot append to '\(path)'", reason: AtomicFile.refusal("not a regular file"))
        }
        let bytes = (endsInPartialLine(fd) ? [UInt8(ascii: "\n")] : []) + line
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                let code = n < 0 ? errno : ENOSPC
                if offset > 0 { var nl = UInt8(ascii: "\n"); _ = Glibc.write(fd, &nl, 1) }
                throw appendError(path, code)
            }
            offset += n
        }
        if fsync(fd) != 0 && errno != EINVAL { throw appendError(path, errno) }  // EINVAL: a file system without fsync
        closed = true
        if close(fd) != 0 { throw appendError(path, errno) }
    }

    /// Whether the open file's last byte is something other than `\n`.
    static func endsInPartialLine(_ fd: Int32) -> Bool {
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return false }
        var last: UInt8 = 0
        return pread(fd, &last, 1, off_t(st.st_size - 1)) == 1 && last != UInt8(ascii: "\n")
    }

    static func appendError(_ path: String, _ code: Int32) -> FileSystemError {
        FileSystemError("cannot append to '\(path)'", reason: FileSystemError.reason(errno: code))
    }

    /// Every complete, decodable line of `path`, in file order. A trailing line without
    /// `\n` (cut short by a kill) and undecodable lines are skipped. A missing file reads as empty.
    public static func read(path: String) -> [RunRecord] {
        guard let data = FileSystem.contents(path) else { return [] }
        var lines = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        lines.removeLast()  // after the last "\n": empty, or a partial line
        let decoder = JSONDecoder()
        return lines.compactMap { try? decoder.decode(RunRecord.self, from: Data($0)) }
    }

    /// Records of every `runs*.jsonl` in `folder` (sorted by file name): a batch writes
    /// `runs.jsonl`; copies from other folders can be dropped in as `runs-2.jsonl` and so on
    /// (merging shard folders in place: `BatchReport.write(folder:merging:)`).
    public static func read(folder: String) -> [RunRecord] {
        let names = (FileSystem.names(in: folder) ?? [])
            .filter { $0.hasPrefix("runs") && $0.hasSuffix(".jsonl") }.sorted()
        return names.flatMap { read(path: folder + "/" + $0) }
    }

    /// The image the record shows: the output, or an interrupted job's image so far.
    public var image: String { status == .interrupted ? partial ?? output : output }

    /// The last record per output, ordered by job index: what the report shows.
    public static func latest(_ records: [RunRecord]) -> [RunRecord] {
        var byOutput: [String: RunRecord] = [:]
        for r in records { byOutput[r.output] = r }
        return byOutput.values.sorted { ($0.job, $0.output) < ($1.job, $1.output) }
    }
}
