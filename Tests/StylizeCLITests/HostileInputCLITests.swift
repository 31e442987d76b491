import Foundation
import StylizeKit
import XCTest

/// Hostile files given to the `stylize` binary: exit status 1 and one line on stderr, within
/// a second and 200 MB of peak resident memory (the child's own `ru_maxrss`, from `wait4`).
final class HostileInputCLITests: XCTestCase {
    var binary: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stylize").path
    }
    var dir: String!

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("stylize-hostile-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs `stylize arguments` in `dir` with stdout and stderr to files; returns the exit
    /// status, stderr, wall seconds and peak RSS in MB. Killed after 10 s.
    func spawn(_ arguments: [String]) throws -> (status: Int32, stderr: String, seconds: Double, megabytes: Int) {
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, dir + "/stdout", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, dir + "/stderr", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let argv = ([binary] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ProcessInfo.processInfo.environment.filter { $0.key != "STYLIZE_WEIGHTS" }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { environment.forEach { free($0) } }
        var pid: pid_t = 0
        let start = Date()
        XCTAssertEqual(posix_spawn(&pid, binary, &actions, nil, argv, environment), 0)
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 10, execute: watchdog)
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 && errno == EINTR {}
        watchdog.cancel()
        let seconds = Date().timeIntervalSince(start)
        let exit = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        let stderr = (try? String(contentsOfFile: dir + "/stderr", encoding: .utf8)) ?? ""
        return (exit, stderr, seconds, usage.ru_maxrss / 1024)
    }

    func assertRefused(_ arguments: [String], containing text: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let o = try spawn(arguments)
        XCTAssertEqual(o.status, 1, o.stderr, file: file, line: line)
        XCTAssertEqual(o.stderr.split(separator: "\n").count, 1, o.stderr, file: file, line: line)
        XCTAssertTrue(o.stderr.hasPrefix("stylize: error: ") && o.stderr.contains(text), o.stderr, file: file, line: line)
        XCTAssertLessThan(o.seconds, 1, "\(arguments)", file: file, line: line)
        XCTAssertLessThan(o.megabytes, 200, "\(arguments)", file: file, line: line)
        print("hostile CLI: \(arguments.joined(separator: " ")): exit \(o.status), \(String(format: "%.3f", o.seconds)) s, \(o.megabytes) MB: \(o.stderr.trimmingCharacters(in: .newlines))")
    }

    /// Weights first, as a run loads them: a FIFO, `/dev/zero`, a 20 GB file and a 90 MB header.
    func testHostileWeightsFiles() throws {
        let image = dir + "/a.png"
        try PNGCodec.write(RGBImage(width: 32, height: 32, fill: (100, 150, 200)), to: image)
        XCTAssertEqual(mkfifo(dir + "/w.fifo", 0o600), 0)
        try assertRefused([image, image, "--weights", dir + "/w.fifo", "-o", dir + "/o.png"], containing: "is a FIFO")
        try assertRefused([image, image, "--weights", "/dev/zero", "-o", dir + "/o.png"], containing: "is a device")
        var length = UInt64(90_000_000).littleEndian
        let giant = dir + "/giant.safetensors"
        FileManager.default.createFile(atPath: giant, contents: Data(withUnsafeBytes(of: &length) { Array($0) } + Array("{".utf8)))
        XCTAssertEqual(truncate(giant, 90_000_008), 0)
        try assertRefused([image, image, "--weights", giant, "-o", dir + "/o.png"], containing: "is not plausible")
        XCTAssertEqual(truncate(giant, 20_000_000_000), 0)
        try assertRefused([image, image, "--weights", giant, "-o", dir + "/o.png"], containing: "larger than a weights file can be")
    }

    /// Images, with the real weights (loaded first, 59 MB): a FIFO, `/dev/zero`, a 20 GB file.
    func testHostileImageFiles() throws {
        let weights = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("weights/vgg16.safetensors").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: weights), "needs weights/vgg16.safetensors (make weights)")
        let image = dir + "/a.png"
        try PNGCodec.write(RGBImage(width: 32, height: 32, fill: (100, 150, 200)), to: image)
        XCTAssertEqual(mkfifo(dir + "/c.png", 0o600), 0)
        try assertRefused([dir + "/c.png", image, "--weights", weights, "-o", dir + "/o.png"], containing: "is a FIFO")
        try assertRefused(["/dev/zero", image, "--weights", weights, "-o", dir + "/o.png"], containing: "is a device")
        let huge = dir + "/huge.png"
        FileManager.default.createFile(atPath: huge, contents: Data([0x89]))
        XCTAssertEqual(truncate(huge, 20_000_000_000), 0)
        try assertRefused([image, huge, "--weights", weights, "-o", dir + "/o.png"], containing: "larger than a PNG within the pixel limit")
    }
}
