/// Rough time and memory of one run, printed by `stylize batch` before it starts.
///
/// Time: every iteration costs about `evaluationsPerIteration` loss+gradient evaluations;
/// an evaluation costs a fixed part (per-layer set-up, small GEMMs that do not fill the
/// cores) plus a part proportional to the pixel count, fitted to the 256 and 512 px figures;
/// each scale also computes its targets and evaluates its starting image (about two
/// evaluations' worth), and each job builds its network and reads its images
/// (`secondsPerJob`). The constants are `make bench` figures on the README's 2-core host; threads scale the time by
/// `threadScaling`, measured with `--threads 1` and `2` there. Another host can differ by
/// 2× either way, so the batch prints this as an estimate.
///
/// Memory: the final scale dominates: activations and gradients (proportional to the pixel
/// count), L-BFGS' history (2·m image-sized vectors) and the weights.
public enum CostEstimate {
    /// Seconds per evaluation with 2 threads (forward to relu5_1 + gradient) =
    /// `secondsPerEvaluation` + `secondsPerEvaluationPixel` × pixels: the line through the
    /// `make bench` figures on the README's host, 0.415 s at 256² and 1.55 s at 512².
    /// Proportional scaling alone made small jobs look 2–5× cheaper than they were.
    public static let secondsPerEvaluation = 0.037
    public static let secondsPerEvaluationPixel = 5.77e-6
    /// Seconds per job besides the evaluations: building the network (Winograd weight
    /// transforms), reading and resizing the images, writing the result.
    public static let secondsPerJob = 0.3
    /// Evaluations per L-BFGS iteration, as measured on real runs (line-search retries).
    public static let evaluationsPerIteration = 1.05
    /// Speed-up of going from 1 to 2 threads: 2.21 s against 1.52–1.60 s per 512 px
    /// evaluation (`stylize-bench 512 --threads 1` and `2`).
    public static let twoThreadSpeedup = 1.4
    /// Bytes that do not depend on the image size: transformed weights, code, buffers; 0.16 GB
    /// more where the Winograd weights are also kept packed for stylize's kernels
    /// (`GEMMKernel.packsWinogradWeights`): a default 512 × 341 run's peak went from 0.50 to
    /// 0.65 GB on the 2-core host with them (2026-12-05).
    public static var fixedBytes: Double { 0.24e9 + (GEMMKernel.packsWinogradWeights ? 0.16e9 : 0) }
    /// Bytes per pixel of the final image besides L-BFGS' history (fitted to runs with a
    /// 10-pair history; the default's 30 pairs add 720 B a pixel, `peakBytes`: a default
    /// 512 × 341 run with them peaked at 0.58 GB against 0.62 GB estimated, 2026-12-06).
    /// Fitted to the peak resident size (`/usr/bin/time -v`'s maximum RSS, VmHWM) of real
    /// runs of a 3:2 photo on the 2-core host, 2026-12-04, estimate against measured: default
    /// runs 0.31 / 0.30 GB at 256 px, 0.53 / 0.55 GB at 512 px, 1.39 / 1.42 GB at 1024 px;
    /// single-scale 0.53 / 0.51 GB at 512 px and 2.53 / 2.44 GB at 1448 px. (The constants
    /// before, 0.22 GB + 1300 B/px, were 8–10 % low.)
    public static let bytesPerPixel = 1400.0

    /// GPU memory of one transfer (`GPUEngine`): the weights, raw and Winograd-transformed
    /// (`gpuFixedBytes`), every stage's output and gradient of the final scale
    /// (`gpuBytesPerPixel`), L-BFGS' history and the preconditioner's vectors, and cuBLAS's
    /// workspace (`gpuBytesPerHandle`). Fitted to the emulated backend's largest allocation at
    /// once over whole runs of 64 × 43, 128 × 85 and 256 × 171 px (163 MB + 3268 B/px with
    /// a 10-pair history and the preconditioner, within 1 %; 2026-12-06,
    /// `GPUMemoryEstimateTests`). With the default 30 pairs, 3748 B/px: about 1.2 GB at 512 × 512.
    public static let gpuFixedBytes = 0.1634e9
    public static let gpuBytesPerPixel = 2980.0
    /// cuBLAS's default workspace on Hopper (32 MiB) and the stream, rounded up.
    public static let gpuBytesPerHandle = 64.0 * 1024 * 1024
    /// One process's share of the GPU whatever its jobs: the primary context with stylize's
    /// and cuBLAS's kernels loaded. An allowance, not a measurement (issue 17).
    public static let gpuContextBytes = 0.6e9

    /// Device bytes of one GPU transfer whose final image is `pixels` large (see above).
    public static func gpuPeakBytes(pixels: Int, history: Int, preconditioned: Bool = false) -> Double {
        gpuFixedBytes + gpuBytesPerHandle
            + Double(pixels) * (gpuBytesPerPixel + Double(2 * history * 3 * 4) + (preconditioned ? 4 * 3 * 4 : 0))
    }

    /// The time factor relative to 2 threads: 1 thread is `twoThreadSpeedup`× slower, more
    /// threads are assumed to scale as well as the step from 1 to 2 did.
    public static func threadScaling(_ threads: Int) -> Double {
        let efficiency = twoThreadSpeedup / 2
        return 2 * efficiency / (Double(max(1, threads)) * efficiency + (threads == 1 ? 1 - efficiency : 0))
    }

    /// Seconds for `schedule` with `threads` threads.
    public static func seconds(_ schedule: ScaleSchedule, threads: Int) -> Double {
        var total = 0.0
        for scale in schedule.scales {
            let perEvaluation = secondsPerEvaluation + secondsPerEvaluationPixel * Double(scale.pixels)
            total += perEvaluation * (Double(scale.iterations) * evaluationsPerIteration + 2)
        }
        return (total + secondsPerJob) * threadScaling(threads)
    }

    /// Peak bytes of a run whose final image is `pixels` large, with an L-BFGS history of
    /// `history` pairs and, when `preconditioned`, the four image vectors of the smoothing
    /// preconditioner (three in `SmoothingPreconditioner`, `M·y` in `LBFGS`).
    public static func peakBytes(pixels: Int, history: Int, preconditioned: Bool = false) -> Double {
        fixedBytes + Double(pixels) * (bytesPerPixel + Double(2 * history * 3 * 4) + (preconditioned ? 4 * 3 * 4 : 0))
    }
}
