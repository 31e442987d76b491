import Foundation

/// The files of a run: every name it will write, none of which may be a file it reads, and
/// every place it writes to, checked before any work.
extension RunPlan {
    /// Every file `c` will write, checked: none is an input (the content, the styles, the
    /// `--init` image, the masks), the log is not the output, and each location can be
    /// written. Needs no network, so a command can call it before loading the weights (and
    /// `make` calls it again). `naming` turns an option key into the name the caller's user
    /// knows it by (the command line: `output` → `-o`, `log` → `--log`).
    ///
    /// Linear in the number of files: each input is resolved once, and each output is
    /// looked up by its identity (device and inode when it exists, else its resolved path).
    @discardableResult
    public static func checkFiles(_ c: StyleTransferConfiguration, naming: (String) -> String = { $0 }) throws -> [PlannedFile] {
        let outputs = plannedFiles(c)
        let inputs = FileIdentities(c.inputs)
        for file in outputs {
            if let (role, path) = inputs.match(file.path) {
                throw PlanError.overwrite("\(file.name(naming)) '\(file.path)' is the \(describe(role, naming)) '\(path)'; "
                                          + "refusing to overwrite an input (choose another output name)")
            }
        }
        if let log = c.logPath, PathIdentity.same(log, c.outputPath) {
            throw PlanError.overwrite("\(naming("log")) '\(log)' is the output image '\(c.outputPath)'; give the log another name")
        }
        // Snapshots share the output's folder; the last has the longest name. The image so
        // far replaces nothing (`AtomicFile.writeNew`) and its name is cut to fit.
        let snapshots = outputs.filter { $0.key == "save-every" }
        for file in outputs where file.key != "partial" && (file.key != "save-every" || file.path == snapshots.last?.path) {
            try OutputLocation.checkFile(file.path, option: naming(file.key), inPlace: file.inPlace)
        }
        return outputs
    }

    /// Every file `c` will write, unchecked: the output, the image so far if the run is
    /// interrupted (`partial`, the first name it may take), the log and the `--save-every`
    /// snapshots (the last has the longest name).
    public static func plannedFiles(_ c: StyleTransferConfiguration) -> [PlannedFile] {
        var outputs = [PlannedFile(key: "output", path: c.outputPath, inPlace: false),
                       PlannedFile(key: "partial", path: StyleTransfer.partialPath(c.outputPath), inPlace: false)]
        if let log = c.logPath { outputs.append(PlannedFile(key: "log", path: log, inPlace: true)) }
        outputs += snapshotIterations(c).map {
            PlannedFile(key: "save-every", path: StyleTransfer.intermediatePath(c.outputPath, iteration: $0), inPlace: false)
        }
        return outputs
    }

    /// An input's role in a message: the starting image is named by its option's key.
    public static func describe(_ role: String, _ naming: (String) -> String) -> String {
        role == "init image" ? naming("init") + " image" : role
    }

    /// The iterations at which `--save-every` writes a snapshot: every multiple of it before
    /// the last iteration of the whole schedule (the last is the output itself). Files are
    /// checked before the image's shape is known, so the schedule is that of a square image
    /// of the output size: a wide image can only drop scales, so this covers every name.
    static func snapshotIterations(_ c: StyleTransferConfiguration) -> [Int] {
        guard c.saveEvery > 0 else { return [] }
        let square = ScaleSchedule(width: c.size, height: c.size, settings: c.settings)
        return Array(stride(from: c.saveEvery, to: square.totalIterations, by: c.saveEvery))
    }
}

/// The identities of a run's input files, for constant-time "is this an input?" lookups.
public struct FileIdentities {
    private var byInode: [String: (String, String)] = [:]
    private var byPath: [String: (String, String)] = [:]
    private let folders = PathIdentity.FolderCache()

    public init(_ inputs: [(role: String, path: String)]) {
        var seen = Set<String>()
        for (role, path) in inputs where seen.insert(path).inserted {  // a batch names each input once per job
            if let id = Self.inode(path) { byInode[id] = byInode[id] ?? (role, path) }
            let canonical = PathIdentity.canonical(path)
            byPath[canonical] = byPath[canonical] ?? (role, path)
        }
    }

    /// The input (role, path) that `path` names, if any.
    public func match(_ path: String) -> (String, String)? {
        if let id = Self.inode(path) { return byInode[id] }
        return byPath[PathIdentity.canonicalMissing(path, folders: folders)]
    }

    static func inode(_ path: String) -> String? {
        guard let st = FileSystem.stat(path) else { return nil }
        return "\(st.st_dev):\(st.st_ino)"
    }
}
