import Foundation

/// Finds the VGG16 weights file the command line should use.
///
/// Search order, first hit wins:
/// 1. `explicit` — the `--weights FILE` option. If given it must exist; there is
///    no fallback, so a typo is reported instead of silently using other weights.
/// 2. `$STYLIZE_WEIGHTS` — same rule (an empty value counts as unset).
/// 3. `./weights/vgg16.safetensors` — what `make weights` produces in a checkout.
/// 4. `<prefix>/share/stylize/vgg16.safetensors`, where `<prefix>` is the parent
///    of the directory holding the (symlink-resolved) executable — the usual
///    `make install PREFIX=...` layout `<prefix>/bin/stylize`.
/// 5. `/usr/local/share/stylize/vgg16.safetensors`.
///
/// Only the kind of file is checked here (an existing regular file: a FIFO or a device
/// would block or never end); `VGGWeights.load` validates the contents.
public enum WeightsLocator {
    /// File name inside `weights/` and the install data directory.
    public static let fileName = "vgg16.safetensors"
    /// The environment variable consulted after `--weights`.
    public static let environmentVariable = "STYLIZE_WEIGHTS"
    /// The system-wide fallback location.
    public static let systemPath = "/usr/local/share/stylize/vgg16.safetensors"

    /// The path of the weights file to use.
    ///
    /// - Parameters:
    ///   - explicit: the `--weights` argument, if given.
    ///   - environment: the process environment (injectable for tests).
    ///   - executablePath: the running executable; `nil` means this process's own.
    ///   - currentDirectory: where `./weights/` is looked for; `nil` means the
    ///     process's working directory (injectable for tests).
    /// - Returns: `explicit` or `$STYLIZE_WEIGHTS` as given, otherwise the absolute
    ///   path of the first candidate that exists.
    /// - Throws: `WeightsError` (one line) if an explicitly named file is missing
    ///   or is not a regular file, or if no candidate exists.
    public static func resolve(explicit: String?,
                               environment: [String: String] = processEnvironment(),
                               executablePath: String? = nil,
                               currentDirectory: String? = nil) throws -> String {
        if let explicit {
            try requireFile(explicit, origin: "--weights")
            return explicit
        }
        if let fromEnvironment = environment[environmentVariable], !fromEnvironment.isEmpty {
            try requireFile(fromEnvironment, origin: "$\(environmentVariable)")
            return fromEnvironment
        }
        let cwd = currentDirectory ?? FileSystem.currentDirectory()
        var candidates: [(path: String, shown: String)] = [
            ((cwd as NSString).appendingPathComponent("weights/\(fileName)"), "./weights/\(fileName)"),
        ]
        if let dataDirectory = installDataDirectory(executablePath: executablePath ?? ownExecutablePath()) {
            let path = (dataDirectory as NSString).appendingPathComponent(fileName)
            candidates.append((path, path))
        }
        if !candidates.contains(where: { $0.path == systemPath }) {
            candidates.append((systemPath, systemPath))
        }
        for candidate in candidates where isFile(candidate.path) {
            return candidate.path
        }
        let looked = candidates.map(\.shown).joined(separator: ", ")
        throw WeightsError(message: "no VGG16 weights found (looked in \(looked)); run 'make weights' or pass --weights FILE")
    }

    /// `<bindir>/../share/stylize` for the executable at `executablePath`
    /// (symlinks resolved), or `nil` if there is no usable path.
    static func installDataDirectory(executablePath: String?) -> String? {
        guard let executablePath, !executablePath.isEmpty, executablePath.contains("/") else { return nil }
        let resolved = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
        let prefix = resolved.deletingLastPathComponent().deletingLastPathComponent()
        return prefix.appendingPathComponent("share/stylize").standardizedFileURL.path
    }

    /// `$STYLIZE_WEIGHTS` of this process, read exactly (a path that is not UTF-8 stays itself).
    public static func processEnvironment() -> [String: String] {
        FileName.environment(environmentVariable).map { [environmentVariable: $0] } ?? [:]
    }

    /// This process's executable (Linux: `/proc/self/exe`), if it can be found.
    private static func ownExecutablePath() -> String? {
        if let link = FileSystem.realpath("/proc/self/exe") { return link }
        return Bundle.main.executablePath
    }

    private static func isFile(_ path: String) -> Bool {
        (try? BoundedFile.requireRegularFile(path)) != nil
    }

    private static func requireFile(_ path: String, origin: String) throws {
        do {
            try BoundedFile.requireRegularFile(path)
        } catch let failure as BoundedFile.Failure {
            let reason = failure.isMissing ? "does not exist" : failure.reason
            throw WeightsError(file: path, "\(reason) (given by \(origin))")
        }
    }
}
