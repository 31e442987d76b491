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
