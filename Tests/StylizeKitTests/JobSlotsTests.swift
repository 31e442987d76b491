import XCTest
@testable import StylizeKit

/// `batch --jobs`: how jobs and threads are shared out, and the estimate's wall time.
final class JobSlotsTests: XCTestCase {
    func testDefaultFillsTheThreadsWithJobsAsFarAsJobsAndMemoryAllow() {
        func slots(_ threads: Int, _ pending: Int, available: Double? = nil) -> JobSlots {
            JobSlots.choose(requested: nil, threads: threads, pending: pending, peakBytesPerJob: 1e9, availableBytes: available)
        }
        XCTAssertEqual(slots(16, 100), JobSlots(jobs: 16, threadsPerJob: 1))
        XCTAssertEqual(slots(16, 3), JobSlots(jobs: 3, threadsPerJob: 5))      // 1 thread idle
        XCTAssertEqual(slots(16, 1), JobSlots(jobs: 1, threadsPerJob: 16))
        XCTAssertEqual(slots(2, 0), JobSlots(jobs: 1, threadsPerJob: 2))
        // 10 GB free, 1 GB a job, a fifth kept back: 8 jobs of 2 threads.
        XCTAssertEqual(slots(16, 100, available: 10e9), JobSlots(jobs: 8, threadsPerJob: 2))
        // Not even one fits: one job still runs (the run's own memory check refuses it).
        XCTAssertEqual(slots(16, 100, available: 0.5e9), JobSlots(jobs: 1, threadsPerJob: 16))
    }

    func testRequestedJobsShareTheThreads() {
        func slots(_ jobs: Int, _ threads: Int) -> JobSlots {
            JobSlots.choose(requested: jobs, threads: threads, pending: 10, peakBytesPerJob: 1e9, availableBytes: 1e9)
        }
        XCTAssertEqual(slots(4, 16), JobSlots(jobs: 4, threadsPerJob: 4))
        XCTAssertEqual(slots(3, 2), JobSlots(jobs: 3, threadsPerJob: 1))     // more jobs than threads: 1 each
        XCTAssertEqual(slots(1, 8).description, "1 job at a time, 8 threads")
        XCTAssertEqual(slots(2, 2).description, "2 jobs side by side, 1 thread each")
    }

    /// On a GPU (issue 17): as many jobs as its free memory holds after one context, at most
    /// `gpuJobsAtMost` and the host's threads; one at a time when the free memory is unknown.
    func testOnAGPUTheFreeMemorySizesTheDefault() {
        func slots(_ threads: Int, _ pending: Int, each: Double, free: Double?, requested: Int? = nil,
                   available: Double? = nil) -> JobSlots {
            JobSlots.chooseOnGPU(requested: requested, threads: threads, pending: pending, deviceBytesPerJob: each,
                                 deviceFreeBytes: free, peakBytesPerJob: 1e9, availableBytes: available)
        }
        // An 80 GB GPU, 1.1 GB a 512 px job: the cap of 8, 2 threads each.
        XCTAssertEqual(JobSlots.gpuJobsAtMost, 8)
        XCTAssertEqual(slots(16, 16, each: 1.1e9, free: 80e9), JobSlots(jobs: 8, threadsPerJob: 2))
        // 10 GB free: (9 − 0.6) / 3 GB = 2.8, so 2 jobs of 1024 px.
        XCTAssertEqual(slots(16, 16, each: 3e9, free: 10e9), JobSlots(jobs: 2, threadsPerJob: 8))
        // A 4096 px job (55 GB) on an 80 GB GPU: one at a time.
        XCTAssertEqual(slots(16, 4, each: 55e9, free: 80e9), JobSlots(jobs: 1, threadsPerJob: 16))
        // Fewer jobs, fewer threads, or host memory for only 3 at 1 GB each (a fifth kept back).
        XCTAssertEqual(slots(16, 3, each: 1.1e9, free: 80e9), JobSlots(jobs: 3, threadsPerJob: 5))
        XCTAssertEqual(slots(2, 16, each: 1.1e9, free: 80e9), JobSlots(jobs: 2, threadsPerJob: 1))
        XCTAssertEqual(slots(16, 16, each: 1.1e9, free: 80e9, available: 4e9), JobSlots(jobs: 3, threadsPerJob: 5))
        // Free memory unknown: one at a time; --jobs is taken as given.
        XCTAssertEqual(slots(16, 16, each: 1.1e9, free: nil), JobSlots(jobs: 1, threadsPerJob: 16))
        XCTAssertEqual(slots(16, 16, each: 1.1e9, free: 2e9, requested: 4), JobSlots(jobs: 4, threadsPerJob: 4))
    }

    /// Longest first onto the least loaded slot: [5, 4, 3, 3, 2, 1] in 2 slots is 5+3+1 and
    /// 4+3+2, 9 s; in 1 slot the sum; more slots than jobs, the longest job.
    func testWallSecondsOfTheGreedySchedule() {
        let seconds: [Double] = [3, 1, 5, 2, 4, 3]
        XCTAssertEqual(JobSlots(jobs: 2, threadsPerJob: 1).wallSeconds(seconds), 9)
        XCTAssertEqual(JobSlots(jobs: 1, threadsPerJob: 2).wallSeconds(seconds), 18)
        XCTAssertEqual(JobSlots(jobs: 8, threadsPerJob: 1).wallSeconds(seconds), 5)
        XCTAssertEqual(JobSlots(jobs: 3, threadsPerJob: 1).wallSeconds([]), 0)
    }
}
