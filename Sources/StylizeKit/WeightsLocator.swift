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
/// 6. `<checkout>/weights/vgg16.safetensors`, where `<checkout>` is the nearest folder above
///    the (symlink-resolved) executable that holds a `Package.swift`: a binary SwiftPM built
///    in a clone (`<checkout>/.build/<triple>/release/stylize`) finds what `make weights`
///    fetched there, from whatever folder it is run.
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
        let executable = executablePath ?? ownExecutablePath()
        var candidates: [(path: String, shown: String)] = [
            ((cwd as NSString).appendingPathComponent("weights/\(fileName)"), "./weights/\(fileName)"),
        ]
        if let dataDirectory = installDataDirectory(executablePath: executable) {
            let path = (dataDirectory as NSString).appendingPathComponent(fileName)
            candidates.append((path, path))
        }
        if !candidates.contains(where: { $0.path == systemPath }) {
            candidates.append((systemPath, systemPath))
        }
        if let checkout = checkoutDirectory(executablePath: executable) {
            let path = (checkout as NSString).appendingPathComponent("weights/\(fileName)")
            if !candidates.contains(where: { $0.path == path }) { candidates.append((path, path)) }
        }
        for candidate in candidates where isFile(candidate.path) {
            return candidate.path
        }
        let looked = candidates.map(\.shown).joined(separator: ", ")
        throw WeightsError(message: "no VGG16 weights found (looked in \(looked)); \(notFoundHint)")
    }

    /// What helps when no weights are found: name a file, or put one where the search looks.
    public static let notFoundHint = "pass --weights FILE, set \(environmentVariable)=FILE, "
        + "or run 'make weights' (or 'make install') in the stylize checkout"

    /// `<bindir>/../share/stylize` for the executable at `executablePath`
    /// (symlinks resolved), or `nil` if there is no usable path.
    static func installDataDirectory(executablePath: String?) -> String? {
        guard let resolved = resolved(executablePath) else { return nil }
        let prefix = resolved.deletingLastPathComponent().deletingLastPathComponent()
        return prefix.appendingPathComponent("share/stylize").standardizedFileURL.path
    }

    /// The nearest folder above the executable at `executablePath` (symlinks resolved) that
    /// holds a `Package.swift`: the checkout SwiftPM built it in; `nil` if there is none.
    static func checkoutDirectory(executablePath: String?) -> String? {
        guard var folder = resolved(executablePath)?.deletingLastPathComponent() else { return nil }
        while folder.path != "/" && !folder.path.isEmpty {
            if FileSystem.exists(folder.appendingPathComponent("Package.swift").path) { return folder.path }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }

    /// The executable's real location (symlinks resolved), or `nil` if there is no usable path.
    private static func resolved(_ executablePath: String?) -> URL? {
        guard let executablePath, !executablePath.isEmpty, executablePath.contains("/") else { return nil }
        return URL(fileURLWithPath: executablePath).resolvingSymlinksInPath()
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
