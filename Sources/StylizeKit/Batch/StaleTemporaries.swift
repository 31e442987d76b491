import Foundation

/// Clean-up after a batch killed while writing an image: `AtomicFile` writes to a hidden
/// `.<name>.<pid>.<random>.tmp` beside the target and renames it, so a kill can leave such a
/// file behind (never a partial file under the real name).
public enum StaleTemporaries {
    /// Removes `AtomicFile` temporaries in `folder` last modified more than `age` seconds ago.
    /// Writing one takes well under a second, so an old one belongs to a dead writer (the
    /// batch calling this holds the folder's lock, `BatchFolderLock`, and process ids of
    /// other machines would mean nothing here anyway).
    /// Returns the names removed.
    @discardableResult
    public static func remove(in folder: String, olderThan age: TimeInterval = 600, now: Date = Date()) -> [String] {
        var removed: [String] = []
        for name in FileSystem.names(in: folder) ?? [] where isTemporary(name) {
            let path = folder + "/" + name
            guard let modified = FileSystem.modified(path), now.timeIntervalSince(modified) > age else { continue }
            if FileSystem.unlink(path) == 0 { removed.append(name) }
        }
        return removed.sorted()
    }

    /// `.<name>.<digits>.<digits>.tmp`, the pattern `AtomicFile` uses (a long `<name>` cut
    /// to `<prefix>~<hash>` still matches).
    static func isTemporary(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return false }
        let parts = name.dropFirst().dropLast(4).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return false }
        return parts.suffix(2).allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isNumber) }
    }
}
