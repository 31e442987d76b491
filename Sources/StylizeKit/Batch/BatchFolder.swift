import Foundation

/// The rules of a batch's folder (`--out`): one writer at a time, and every file a batch
/// writes there checked before any work.
public enum BatchFolder {
    /// Files a batch writes in its folder besides each job's image and log.
    public static let sharedFiles = ["runs.jsonl", "index.html", "contact-sheet.png"]

    /// What earlier batches wrote into `folder` as images: every recorded output, every
    /// recorded image so far of an interrupted job, and the contact sheet, as canonical paths. Expanding a content or style folder skips them
    /// (`InputExpansion`), so `--out` may be the content folder itself: the second run, and
    /// `--resume`, do not take the first run's images for photos.
    public static func ownOutputs(of folder: String) -> Set<String> {
        let records = RunRecord.read(folder: folder)
        let names = records.map(\.output) + records.compactMap(\.partial) + sharedFiles.filter { $0.hasSuffix(".png") }
        return Set(names.map { PathIdentity.canonical(folder + "/" + $0) })
    }

    /// Before any job runs: every file the batch may write in `folder` (each job's image and
    /// `logs/<stem>.jsonl`, the records and the report) must be a regular file or nothing
    /// (never a device, a FIFO, a socket or a folder, which a rename would replace), and
    /// each name must fit the file system. Throws a `FileSystemError` naming the first
    /// offending path.
    public static func checkOutputs(folder: String, jobs: [BatchJob]) throws {
        var paths = sharedFiles.map { (option: "--out", path: folder + "/" + $0) }
        for job in jobs {
            paths.append(("--out", folder + "/" + job.outputName))
            paths.append(("--out", folder + "/logs/" + job.stem + ".jsonl"))
        }
        try OutputLocation.checkExisting(paths)
    }
}

/// One batch writes to a folder at a time: `flock(2)` on `OUT/.lock`, taken before the
/// batch reads its records or removes stale temporaries and held until the process ends.
/// The kernel releases it however the process ends (even `kill -9`), so `--resume` after a
/// crash finds the folder free; the file itself stays, holding the last holder's pid and
/// host, which a refused batch names. `flock` works across machines on NFS (Linux emulates
/// it with NFS byte-range locks).
///
/// Two batches on one folder would run every job twice and interleave two processes'
/// lines in the per-job logs; several workers on one sweep use `--shard K/N` with a folder
/// each, and `stylize report OUT FOLDER…` merges them.
public final class BatchFolderLock {
    public static let fileName = ".lock"
    private var fd: Int32
    public let path: String

    /// Takes the lock of `folder` (an existing, writable folder), or throws a
    /// `FileSystemError` whose reason names the process holding it.
    ///
    /// The descriptor is deliberately not closed when this object goes away: the lock must
    /// last as long as the batch, which is the process. `release()` ends it earlier.
    public init(folder: String) throws {
        path = folder + "/" + Self.fileName
        let action = "cannot write --out '\(folder)'"
        fd = FileSystem.open(path, O_RDWR | O_CREAT | O_NONBLOCK | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileSystemError(action, reason: "cannot open '\(path)': \(FileSystemError.reason(errno: errno))") }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw FileSystemError(action, reason: "'\(path)' is not a regular file")
        }
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            if code == EINTR { continue }
            let holder = Self.holder(fd)
            close(fd)
            guard code == EWOULDBLOCK else {
                throw FileSystemError(action, reason: "cannot lock '\(path)': \(FileSystemError.reason(errno: code))")
            }
            throw FileSystemError(action, reason: "another stylize batch is writing to this folder (\(holder)); "
                                  + "one batch writes to a folder at a time: give each worker its own --out "
                                  + "(with --shard K/N) and merge them with 'stylize report OUT FOLDER…'")
        }
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let text = Array("\(getpid()) \(String(cString: host))\n".utf8)
        if ftruncate(fd, 0) == 0 { _ = text.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } }
    }

    /// Ends the lock now (tests; a batch keeps it until it exits).
    public func release() {
        guard fd >= 0 else { return }
        close(fd)
        fd = -1
    }

    /// `pid 1234 on host node7`, from what the holder wrote into the lock file.
    static func holder(_ fd: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 300)
        let n = pread(fd, &buffer, buffer.count, 0)
        let words = n > 0 ? String(decoding: buffer[..<n], as: UTF8.self).split(whereSeparator: \.isWhitespace) : []
        guard let pid = words.first, pid.allSatisfy(\.isNumber) else { return "its process id is not known yet" }
        return "pid \(pid)" + (words.count > 1 ? " on host \(words[1])" : "")
    }
}
