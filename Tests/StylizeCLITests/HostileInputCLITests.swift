import Foundation
import StylizeKit
import XCTest

/// Hostile files given to the `stylize` binary: exit status 1 and one line on stderr, within
/// a second and 200 MB of peak resident memory (the child's own `ru_maxrss`).
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
    ///
    /// The child is started by a small python3 process, which reads the child's peak RSS
    /// (`RUSAGE_CHILDREN`). Spawned from this test process directly, Linux would report at
    /// least this process's own peak (exec records the old address space's high-water mark,
    /// and `posix_spawn` shares it), which grows with the tests run before.
    func spawn(_ arguments: [String]) throws -> (status: Int32, stderr: String, seconds: Double, megabytes: Int) {
        let script = """
        import resource, subprocess, sys
        try:
            status = subprocess.run(sys.argv[1:], stdin=subprocess.DEVNULL, stdout=open("stdout", "w"),
                                    stderr=open("stderr", "w"), timeout=10).returncode
        except subprocess.TimeoutExpired:
            status = 137
        print(status if status >= 0 else 128 - status, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script, binary] + arguments
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.environment = ProcessInfo.processInfo.environment.filter { $0.key != "STYLIZE_WEIGHTS" }
        let out = Pipe()
        p.standardOutput = out
        let start = Date()
        try p.run()
        let report = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        let seconds = Date().timeIntervalSince(start)
        let fields = report.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        XCTAssertEqual(fields.count, 2, report)
        let stderr = (try? String(contentsOfFile: dir + "/stderr", encoding: .utf8)) ?? ""
        return (Int32(fields.first ?? -1), stderr, seconds, fields.last ?? Int.max)
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
        // The style is read after the plan is printed: --quiet leaves the error line alone.
        try assertRefused([image, huge, "--weights", weights, "-o", dir + "/o.png", "--quiet"], containing: "larger than an image within the pixel limit")
    }
}
