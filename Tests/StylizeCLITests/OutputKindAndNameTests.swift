import Foundation
import StylizeKit
import XCTest

/// Issue 15, items 3 and 4: an output that exists and is not a regular file is refused before
/// any work and never renamed over; an output name is checked as the names really created
/// (the temporary one included), and derived names are cut to fit.
extension CLITests {
    /// A FIFO, a character device (as root) and a listening Unix socket in the test folder.
    /// Returns the socket's descriptor (close it at the end) and whether the device exists.
    func makeSpecialFiles() throws -> (socket: Int32, device: Bool) {
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("fifo").path, 0o644), 0)
        // 1:3 is /dev/null's major and minor (glibc's makedev(1, 3) == 0x103); only root may mknod.
        let device = mknod(dir.appendingPathComponent("device").path, S_IFCHR | 0o666, 0x103) == 0
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(dir.appendingPathComponent("socket").path.utf8CString)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, c) in path.prefix(raw.count - 1).enumerated() { raw[i] = UInt8(bitPattern: c) }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        XCTAssertEqual(bound, 0, "bind")
        return (fd, device)
    }

    func fileType(_ name: String) -> mode_t {
        var st = stat()
        guard lstat(dir.appendingPathComponent(name).path, &st) == 0 else { return 0 }
        return st.st_mode & S_IFMT
    }

    /// `-o`, `--log`, `--dump-dir` files and a batch's images, logs and records: a FIFO, a
    /// device, a socket or a folder there is refused with one line before the weights are
    /// read (the weights path is missing on purpose), and stays what it was.
    func testOutputsThatAreNotRegularFilesAreRefusedBeforeAnyWork() throws {
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let (sock, device) = try makeSpecialFiles()
        defer { close(sock) }
        let base = ["c.png", "s.png", "--weights", "missing.safetensors"]
        var cases: [([String], String)] = [
            (base + ["-o", "fifo"], "cannot write -o 'fifo': it is a FIFO (named pipe), not a regular file"),
            (base + ["-o", "socket"], "cannot write -o 'socket': it is a socket"),
            (base + ["--log", "fifo"], "cannot write --log 'fifo': it is a FIFO"),
            (base + ["--log", "socket"], "cannot write --log 'socket': it is a socket"),
        ]
        if device {
            cases += [(base + ["-o", "device"], "cannot write -o 'device': it is a device"),
                      (base + ["--log", "device"], "cannot write --log 'device': it is a device")]
        }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("dumps/iter0000"), withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("dumps/iter0000/relu2_1.png").path, 0o644), 0)
        cases.append((base + ["--dump-every", "5", "--dump-dir", "dumps"], "'dumps/iter0000/relu2_1.png': it is a FIFO"))
        // A batch: a FIFO where a job's image goes, a folder where its log goes, a FIFO as the records.
        let batch = ["batch", "--content", "c.png", "--style", "s.png", "--weights", "missing.safetensors", "--out"]
        for folder in ["b1", "b2", "b3"] {
            try FileManager.default.createDirectory(at: dir.appendingPathComponent(folder + "/logs"), withIntermediateDirectories: true)
        }
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("b1/c__s.png").path, 0o644), 0)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("b2/logs/c__s.jsonl"), withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(dir.appendingPathComponent("b3/runs.jsonl").path, 0o644), 0)
        cases += [(batch + ["b1"], "cannot write --out 'b1/c__s.png': it is a FIFO"),
                  (batch + ["b2"], "cannot write --out 'b2/logs/c__s.jsonl': it is a folder, not a regular file"),
                  (batch + ["b3"], "cannot write --out 'b3/runs.jsonl': it is a FIFO")]
        for (args, message) in cases { assertOneLineError(try run(args), status: 1, containing: message) }

        XCTAssertEqual(fileType("fifo"), S_IFIFO)
        XCTAssertEqual(fileType("socket"), S_IFSOCK)
        if device { XCTAssertEqual(fileType("device"), S_IFCHR) }
        XCTAssertEqual(fileType("dumps/iter0000/relu2_1.png"), S_IFIFO)
        XCTAssertEqual(fileType("b1/c__s.png"), S_IFIFO)
        XCTAssertEqual(fileType("b3/runs.jsonl"), S_IFIFO)
        XCTAssertEqual(try pngFiles(), ["c.png", "s.png"])
    }

    /// The whole way through with real weights: a device node given as `-o` was renamed over
    /// (as root the system lost its device, exit 0). It is refused and stays a device; and
    /// `AtomicFile` itself refuses to rename over one that appears after the checks.
    func testADeviceAsOutputIsNeverReplaced() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let (sock, device) = try makeSpecialFiles()
        defer { close(sock) }
        let target = device ? "device" : "fifo"
        let o = try run(["c.png", "s.png", "-o", target, "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        assertOneLineError(o, status: 1, containing: "it is a")
        XCTAssertEqual(fileType(target), device ? S_IFCHR : S_IFIFO)
        XCTAssertThrowsError(try AtomicFile.write([1, 2, 3], to: dir.appendingPathComponent(target).path)) {
            XCTAssertTrue("\($0)".contains("not a regular file"), "\($0)")
        }
        XCTAssertEqual(fileType(target), device ? S_IFCHR : S_IFIFO)
        XCTAssertEqual(try pngFiles(), ["c.png", "s.png"])
    }

    /// A 255-byte name (the file system's limit) works end to end, in ASCII and in UTF-8;
    /// 256 bytes is refused before any work. The temporary name stays within the limit.
    func testA255ByteOutputNameWorksAndA256ByteOneIsRefusedFirst() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let ascii = String(repeating: "n", count: 251) + ".png"
        let utf8 = String(repeating: "é", count: 125) + "x.png"  // 2 bytes each: 255 bytes
        for name in [ascii, utf8] {
            XCTAssertEqual(name.utf8.count, 255)
            let o = try run(["c.png", "s.png", "-o", name, "--log", String(name.dropLast(4)) + ".log", "--size", "32",
                             "--iterations", "1", "--weights", weights, "--quiet"])
            XCTAssertEqual(o.status, 0, o.stderr)
            XCTAssertEqual(o.stdout, name + "\n")
            XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent(name).path))
        }
        XCTAssertEqual(try pngFiles(), (["c.png", "s.png", ascii, utf8]).sorted())  // no temporary left
        let long = String(repeating: "n", count: 252) + ".png"
        assertOneLineError(try run(["c.png", "s.png", "-o", long, "--weights", "missing.safetensors"]), status: 1,
                           containing: "file name too long (256 bytes; this file system allows 255)")
        assertOneLineError(try run(["c.png", "s.png", "--log", String(repeating: "l", count: 256), "--weights", "missing.safetensors"]),
                           status: 1, containing: "--log")
        // Default output name from two long input names: cut to fit.
        let longContent = String(repeating: "c", count: 200) + ".png", longStyle = String(repeating: "s", count: 200) + ".png"
        _ = try writeImage(longContent); _ = try writeImage(longStyle, seed: 1)
        let d = try run([longContent, longStyle, "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(d.status, 0, d.stderr)
        let written = d.stdout.trimmingCharacters(in: .newlines)
        XCTAssertLessThanOrEqual(written.utf8.count, 255)
        XCTAssertTrue(written.hasPrefix(String(repeating: "c", count: 200) + "_sss") && written.hasSuffix(".png"), written)
        XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent(written).path))
    }

    /// Batch names derived from long input names (and a sweep) are cut to fit, stay unique
    /// (two contents that differ only after the cut), and every job is done.
    func testBatchNamesFromLongInputNamesFitAndStayUnique() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("photos"), withIntermediateDirectories: true)
        let stem = String(repeating: "a", count: 250)
        _ = try writeImage("photos/\(stem)1.png"); _ = try writeImage("photos/\(stem)2.png", seed: 2)
        let style = try writeImage(String(repeating: "b", count: 251) + ".png", seed: 1)
        let o = try run(["batch", "--content", "photos", "--style", style, "--out", "runs", "--sweep", "seed=1,2",
                         "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(o.status, 0, o.stderr)
        let records = try recordLines("runs")
        XCTAssertEqual(records.map { $0["status"] as? String }, Array(repeating: "done", count: 4))
        let outputs = records.compactMap { $0["output"] as? String }
        XCTAssertEqual(Set(outputs).count, 4, "\(outputs)")
        for name in outputs {
            XCTAssertLessThanOrEqual(name.utf8.count, 255)
            XCTAssertNoThrow(try PNGCodec.read(path: dir.appendingPathComponent("runs/" + name).path))
            XCTAssertTrue(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/logs/" + name.dropLast(4) + ".jsonl").path))
        }
        let again = try run(["batch", "--content", "photos", "--style", style, "--out", "runs", "--sweep", "seed=1,2",
                             "--size", "32", "--iterations", "1", "--weights", weights, "--quiet", "--resume"])
        XCTAssertTrue(again.stderr.contains("4 already done, nothing left to run"), again.stderr)
    }

    /// Issue 16, item 2: the default name never replaces a file. A second run without `-o`
    /// takes `<content>_<style>-2.png` (anything at a name, a folder too, skips it), says so
    /// and prints it; the first image is untouched. An explicit `-o` replaces, as documented.
    func testTheDefaultOutputNameTakesTheNextFreeName() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let args = ["c.png", "s.png", "--size", "32", "--iterations", "1", "--weights", weights]
        let first = try run(args + ["--quiet"])
        XCTAssertEqual(first.status, 0, first.stderr)
        XCTAssertEqual(first.stdout, "c_s.png\n")
        let firstBytes = try Data(contentsOf: dir.appendingPathComponent("c_s.png"))
        let second = try run(args)
        XCTAssertEqual(second.status, 0, second.stderr)
        XCTAssertEqual(second.stdout, "c_s-2.png\n")
        XCTAssertTrue(second.stderr.contains("stylize: 'c_s.png' exists; writing 'c_s-2.png'"), second.stderr)
        XCTAssertEqual(try Data(contentsOf: dir.appendingPathComponent("c_s.png")), firstBytes, "the first image is untouched")
        XCTAssertEqual(try PNGCodec.read(path: dir.appendingPathComponent("c_s-2.png").path).width, 32)
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("c_s-3.png"), withIntermediateDirectories: false)
        XCTAssertEqual(try run(args + ["--quiet"]).stdout, "c_s-4.png\n")
        let explicit = try run(args + ["-o", "c_s.png", "--seed", "1", "--quiet"])
        XCTAssertEqual(explicit.status, 0, explicit.stderr)
        XCTAssertEqual(explicit.stdout, "c_s.png\n")
        XCTAssertNotEqual(try Data(contentsOf: dir.appendingPathComponent("c_s.png")), firstBytes, "-o replaced it")
        XCTAssertEqual(try pngFiles(), ["c.png", "c_s-2.png", "c_s-3.png", "c_s-4.png", "c_s.png", "s.png"])
    }
}
