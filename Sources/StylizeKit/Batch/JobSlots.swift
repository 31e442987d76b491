/// How a batch shares the machine: how many jobs run side by side (`batch --jobs`) and how
/// many threads each job's engine gets.
///
/// Jobs are independent, so running them side by side scales almost perfectly, while one
/// image spread over many threads does not (37% parallel efficiency at 16 threads on the
/// 16-core Xeon of issue 18, and every job's small coarse scales leave threads idle at any
/// count). So the default fills the threads with jobs, one thread each, as long as there
/// are jobs enough and memory for all of them; with fewer jobs than threads, the threads are
/// shared out among them. The results do not depend on the split: an engine's output is the
/// same for every thread count.
public struct JobSlots: Sendable, Equatable, CustomStringConvertible {
    /// Jobs that run at once, at least 1.
    public let jobs: Int
    /// Threads of each job's engine, at least 1.
    public let threadsPerJob: Int

    public init(jobs: Int, threadsPerJob: Int) {
        precondition(jobs >= 1 && threadsPerJob >= 1, "a batch needs at least one job slot and one thread")
        self.jobs = jobs
        self.threadsPerJob = threadsPerJob
    }

    /// The share-out of `threads` among `requested` jobs (`--jobs N`), or, when nil, the
    /// default: one job per thread, no more jobs than `pending`, and no more than fit in
    /// `availableBytes` (when known) at `peakBytesPerJob` each, with a fifth kept back for
    /// the rest of the system. Threads left over when they do not divide evenly stay idle,
    /// so that every job runs at the same speed (and its estimate holds).
    public static func choose(requested: Int?, threads: Int, pending: Int, peakBytesPerJob: Double,
                              availableBytes: Double?) -> JobSlots {
        let threads = max(1, threads)
        if let requested {
            let jobs = max(1, requested)
            return JobSlots(jobs: jobs, threadsPerJob: max(1, threads / jobs))
        }
        var jobs = min(threads, max(1, pending))
        if let availableBytes, peakBytesPerJob > 0 {
            jobs = min(jobs, max(1, Int(0.8 * availableBytes / peakBytesPerJob)))
        }
        return JobSlots(jobs: jobs, threadsPerJob: max(1, threads / jobs))
    }

    /// At most this many GPU jobs run side by side by default: each needs a host thread that
    /// launches its kernels and waits on its reductions, and past a few jobs an H100 is full.
    /// Not yet measured on a GPU (issue 17): `--jobs` overrides it.
    public static let gpuJobsAtMost = 8

    /// The share-out on a GPU: `requested` (`--jobs N`), or by default as many jobs as fit in
    /// `deviceFreeBytes` (when known; the device's free memory less one process's context,
    /// `CostEstimate.gpuContextBytes`, with a tenth kept back) at `deviceBytesPerJob` each, and
    /// in `availableBytes` of host memory at `peakBytesPerJob`, at most `gpuJobsAtMost`, the
    /// host's threads and `pending`; the threads are shared out among them. Unknown free
    /// memory (no GPU found yet) gives one job at a time.
    public static func chooseOnGPU(requested: Int?, threads: Int, pending: Int, deviceBytesPerJob: Double,
                                   deviceFreeBytes: Double?, peakBytesPerJob: Double, availableBytes: Double?) -> JobSlots {
        let threads = max(1, threads)
        if let requested { return choose(requested: requested, threads: threads, pending: pending, peakBytesPerJob: peakBytesPerJob, availableBytes: availableBytes) }
        var jobs = min(gpuJobsAtMost, threads, max(1, pending))
        if let deviceFreeBytes, deviceBytesPerJob > 0 {
            jobs = min(jobs, max(1, Int((0.9 * deviceFreeBytes - CostEstimate.gpuContextBytes) / deviceBytesPerJob)))
        } else {
            jobs = 1
        }
        if let availableBytes, peakBytesPerJob > 0 {
            jobs = min(jobs, max(1, Int(0.8 * availableBytes / peakBytesPerJob)))
        }
        return JobSlots(jobs: jobs, threadsPerJob: max(1, threads / jobs))
    }

    /// Seconds for jobs taking `seconds` each (at `threadsPerJob` threads) when run in this
    /// many slots: the longest-first greedy assignment, a bound within 4/3 of the best.
    public func wallSeconds(_ seconds: [Double]) -> Double {
        var slots = [Double](repeating: 0, count: jobs)
        for s in seconds.sorted(by: >) {
            let i = slots.indices.min { slots[$0] < slots[$1] }!
            slots[i] += s
        }
        return slots.max() ?? 0
    }

    /// `2 jobs side by side, 1 thread each`, or `1 job at a time, 2 threads`.
    public var description: String {
        jobs == 1 ? "1 job at a time, \(threadsPerJob) thread\(threadsPerJob == 1 ? "" : "s")"
            : "\(jobs) jobs side by side, \(threadsPerJob) thread\(threadsPerJob == 1 ? "" : "s") each"
    }
}
