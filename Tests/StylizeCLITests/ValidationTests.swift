import Foundation
import StylizeKit
import XCTest

/// Issue 8, cases 5, 6 and 7: every value is checked before any job runs, negative numbers
/// reach the range check, and the smaller front-door cases.
extension CLITests {
    func testSweepValuesAndLayerNamesAreCheckedAgainstTheNetworkBeforeAnyJob() throws {
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let base = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs", "--size", "32", "--iterations", "1",
                    "--weights", weights, "--quiet"]
        let sweep = try run(base + ["--sweep", "content-layers=relu4_2,relu9_9"])
        XCTAssertEqual(sweep.status, 64, sweep.stderr)
        XCTAssertTrue(sweep.stderr.contains("stylize: error: --sweep content-layers=relu9_9: --content-layers: unknown layer 'relu9_9'"), sweep.stderr)
        let option = try run(base + ["--style-layers", "relu1_1,relu6_1"])
        XCTAssertEqual(option.status, 64, option.stderr)
        XCTAssertTrue(option.stderr.contains("--style-layers: unknown layer 'relu6_1'"), option.stderr)
        XCTAssertEqual(try recordLines("runs").count, 0, "no job ran")
        XCTAssertFalse(FileManager.default.fileExists(atPath: dir.appendingPathComponent("runs/c__s__content-layers-relu4_2.png").path))
        assertOneLineError(try run(["c.png", "s.png", "--content-layers", "relu9_9", "--weights", weights]), status: 64,
                           containing: "--content-layers: unknown layer 'relu9_9'")
        assertOneLineError(try run(["c.png", "s.png", "--coarse-content-layers", "relu2_2,relu9_9", "--weights", weights]), status: 64,
                           containing: "--coarse-content-layers: unknown layer 'relu9_9'")
        assertOneLineError(try run(["c.png", "s.png", "--dump-every", "1", "--dump-layers", "relu9_9", "--weights", weights]), status: 64,
                           containing: "--dump-layers: unknown layer 'relu9_9'")
    }

    func testNegativeAndAbsurdNumbersGetTheRangeMessage() throws {
        let cases: [([String], String)] = [
            (["--content-weight", "-5"], "--content-weight must be a finite number between 0 and 1e+15, got -5"),
            (["--style-weight", "-1e-3"], "--style-weight must be a finite number between 0 and 1e+15, got -0.001"),
            (["--tv-weight", "nan"], "--tv-weight must be a finite number"),
            (["--style-weight", "1e300"], "--style-weight must be a finite number between 0 and 1e+15, got 1e+300"),
            (["--max-megapixels", "inf"], "--max-megapixels must be a finite number between 0.001 and 1000, got inf"),
            (["--max-megapixels", "1e13"], "--max-megapixels must be a finite number between 0.001 and 1000"),
            (["--iterations", "-3"], "--iterations must be between 0 and 1000000, got -3"),
            (["--learning-rate", "-.5"], "--learning-rate must be a finite number"),
            (["--threads", "-2"], "--threads must be between 1 and 256, got -2"),
            (["--save-every", "-1"], "--save-every must be between 0 and 1000000, got -1"),
        ]
        for (extra, message) in cases {
            assertOneLineError(try run(["a.png", "b.png"] + extra), status: 64, containing: message)
        }
        _ = try writeImage("c.png"); _ = try writeImage("s.png", seed: 1)
        let batch = ["batch", "--content", "c.png", "--style", "s.png", "--out", "runs"]
        assertOneLineError(try run(batch + ["--sweep", "style-weight=-1"]), status: 64,
                           containing: "--sweep style-weight=-1: --style-weight must be a finite number between 0 and 1e+15, got -1")
        assertOneLineError(try run(batch + ["--sweep", "max-megapixels=1,inf"]), status: 64, containing: "--sweep max-megapixels=inf")
        assertOneLineError(try run(batch + ["--content-weight", "-5"]), status: 64, containing: "--content-weight must be a finite number")
    }

    func testSmallerFrontDoorCases() throws {
        _ = try writeImage("c.png", width: 60, height: 30); _ = try writeImage("s.png", seed: 1)
        let version = try run(["--version"])
        XCTAssertEqual(version.status, 0)
        XCTAssertTrue(version.stdout.hasPrefix("stylize "), version.stdout)
        // The second line names the BLAS and the kernels it runs (issue 18), which follow
        // OPENBLAS_CORETYPE when a host sets it.
        let blas = version.stdout.split(separator: "\n").dropFirst().first.map(String.init) ?? ""
        XCTAssertTrue(blas.hasPrefix("OpenBLAS ") && blas.contains(", kernels "), version.stdout)
        // (An empty STYLIZE_GEMM, like an unset one, lets the binary time the kernels itself.)
        let forced = try run(["--version"], environment: ["OPENBLAS_CORETYPE": "Haswell", "STYLIZE_GEMM": ""])
        let forcedLines = forced.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(forcedLines.count, 5, forced.stdout)
        XCTAssertTrue(forcedLines[1].lowercased().hasSuffix("kernels haswell"), forced.stdout)
        // The third names the kernels of the matrix products and how they were chosen.
        XCTAssertTrue(forcedLines[2].hasPrefix("GEMM: "), forced.stdout)
        XCTAssertTrue(forcedLines[2].contains(" for Winograd products (OpenBLAS "), forced.stdout)
        XCTAssertTrue(forcedLines[2].contains(" for other products (OpenBLAS "), forced.stdout)
        // OpenBLAS' Haswell kernels round a product computed in pieces differently, so where
        // the CPU runs a kernel of stylize's they are left out (results would depend on --threads).
        if GEMMKernel.available.count > 1 {
            XCTAssertTrue(forcedLines[2].contains("OpenBLAS left out: here it rounds a product computed in pieces differently"),
                          forced.stdout)
            XCTAssertFalse(forcedLines[2].hasPrefix("GEMM: OpenBLAS for"), forced.stdout)
        }
        // The fourth, what CUDA offers (issue 17): on a machine without a driver, what is
        // missing and that runs use the CPU.
        XCTAssertTrue(forcedLines[3].hasPrefix("CUDA: ") && (forcedLines[3].hasSuffix("; runs use the CPU")
                      || forcedLines[3].hasSuffix("; the GPU engine can run here")), forced.stdout)
        if GPUAvailability.problem != nil { XCTAssertTrue(forcedLines[3].hasSuffix("; runs use the CPU"), forced.stdout) }
        // The fifth, the code of the Winograd tile transforms (the same bits whichever runs).
        XCTAssertTrue(forcedLines[4].hasPrefix("Winograd transforms: C, ") && !forcedLines[4].contains("set by"), forced.stdout)
        let reference = try run(["--version"], environment: ["STYLIZE_WINOGRAD": "reference"])
        XCTAssertTrue(reference.stdout.hasSuffix("\nWinograd transforms: the Swift reference, set by STYLIZE_WINOGRAD\n"),
                      reference.stdout)
        let unknown = try run(["--version"], environment: ["STYLIZE_WINOGRAD": "fast"])
        XCTAssertEqual(unknown.status, 0)
        XCTAssertTrue(unknown.stdout.contains("\nWinograd transforms: C, ")
                      && unknown.stdout.hasSuffix("; STYLIZE_WINOGRAD='fast' ignored: use reference, base, avx2 or avx512\n"),
                      unknown.stdout)
        let pinned = try run(["--version"], environment: ["STYLIZE_GEMM": "blas"])
        XCTAssertTrue(pinned.stdout.contains("\nGEMM: OpenBLAS, set by STYLIZE_GEMM\n"), pinned.stdout)
        // A value it does not understand is ignored, and said so on that line; the run goes on.
        let bogus = try run(["--version"], environment: ["STYLIZE_GEMM": "fastest"])
        XCTAssertEqual(bogus.status, 0)
        XCTAssertTrue(bogus.stdout.contains(" for other products (OpenBLAS ")
                      && bogus.stdout.contains("; STYLIZE_GEMM='fastest' ignored: use blas, avx2, avx512 or WINOGRAD,OTHER\n"),
                      bogus.stdout)
        let apart = try run(["--version"], environment: ["STYLIZE_GEMM": "avx2,blas"])
        XCTAssertTrue(apart.stdout.contains(" for other products, set by STYLIZE_GEMM\n")
                      || apart.stdout.contains("\nGEMM: OpenBLAS, set by STYLIZE_GEMM\n"), apart.stdout)  // no AVX2: both OpenBLAS
        assertOneLineError(try run(["help", "bogus"]), status: 64, containing: "unknown command 'bogus'")
        XCTAssertEqual(try run(["help", "batch"]).status, 0)
        assertOneLineError(try run(["batch", "--contnt", "c.png", "--style", "s.png", "--out", "runs"]), status: 64,
                           containing: "Unknown option '--contnt'")
        assertOneLineError(try run(["c.png", "s.png", "--init", "contnet"]), status: 64,
                           containing: "--init 'contnet': no such file; use noise, content, style or a PNG file")
        let viz = try run(["visualize", "nothing.png", "--out", "v"])
        XCTAssertFalse(viz.stderr.contains(dir.path), "paths as given: \(viz.stderr)")
        try XCTSkipUnless(hasWeights, "needs weights/vgg16.safetensors (make weights)")
        // --size is the longest side: 20 px on a 2:1 photo leaves a 10 px short side. The plan
        // finds it from the header, as a problem of --size (a usage error).
        assertOneLineError(try run(["c.png", "s.png", "--size", "20", "--weights", weights]), status: 64,
                           containing: "--size 20 is too small for this image: at 20x10, relu5_1 would be empty; each side must be at least 16 px")
        // Two styles: both in the default name.
        _ = try writeImage("t.png", seed: 2)
        let two = try run(["c.png", "s.png", "t.png", "--size", "32", "--iterations", "1", "--weights", weights, "--quiet"])
        XCTAssertEqual(two.status, 0, two.stderr)
        XCTAssertEqual(two.stdout, "c_s_t.png\n")
        let v = try run(["visualize", "c.png", "--layers", "relu1_1", "--size", "32", "--out", "v", "--weights", weights, "--quiet"])
        XCTAssertEqual(v.status, 0, v.stderr)
        XCTAssertEqual(v.stdout, "v/index.html\n")
    }

    /// `stylize --po<TAB>` and `stylize photo.png style.png --po<TAB>` offer the default
    /// command's options; subcommands keep theirs (bash, driven as bash-completion would).
    func testBashCompletionOffersTheDefaultCommandsOptions() throws {
        let script = try run(["--generate-completion-script", "bash"])
        XCTAssertEqual(script.status, 0, script.stderr)
        try script.stdout.write(to: dir.appendingPathComponent("completion.bash"), atomically: true, encoding: .utf8)
        let driver = """
        shopt -s extglob
        source ./completion.bash
        try() { COMP_LINE="$1"; COMP_POINT=${#COMP_LINE}; read -ra COMP_WORDS <<< "$1"; [[ "$1" == *" " ]] && COMP_WORDS+=("")
                COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 )); COMPREPLY=()
                _stylize_default_command stylize "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"; echo "${COMPREPLY[*]}"; }
        try "stylize --po"; try "stylize photo.png style.png --po"; try "stylize photo.png style.png --pooling "
        try "stylize batch --sw"; try "stylize vis"
        """
        try driver.write(to: dir.appendingPathComponent("driver.sh"), atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = ["driver.sh"]
        p.currentDirectoryURL = dir
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init),
                       ["--pooling", "--pooling", "max avg", "--sweep", "visualize", ""])
    }
}
