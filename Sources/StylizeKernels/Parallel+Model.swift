import Foundation

/// A model of a machine with more cores than this one, for issue 18's scaling work on a host
/// that has two: a `Parallel(modelling: n, model:)` hands every kernel `n` threads, so they cut
/// their loops into the same `n` chunks as on an `n`-core machine (the same bits), but the
/// chunks of each loop run one after another on the calling thread, each timed. A loop then
/// counts as long as its slowest chunk, and the time between loops (the work no loop splits)
/// as it was. What that predicts for `n` cores is the time the split leaves:
///
///     modelled = wall − Σ loops' chunks + Σ loops' slowest chunk
///
/// It sees the structure: the work left on one thread and loops with fewer or unequal chunks
/// than threads (36 products on 16 threads take 3 rounds of the slowest, not 2.25). It does
/// not see what many cores share: memory bandwidth, the L3, a lower clock with every core
/// busy, and the pool's hand-off (`loops` says how many there were; about a microsecond each).
/// So it bounds the efficiency from above; only a machine with the cores measures it.
///
/// One thread drives a model at a time (the engine's); a loop started inside another's chunk
/// runs its chunks inside that chunk's time, as on the pool.
public final class ThreadModel: @unchecked Sendable {
    /// One loop site (`#fileID:#line` of the `forEachChunk` call).
    public struct Site: Sendable {
        public var name: String
        /// Loops run from this site.
        public var loops = 0
        /// Seconds of all their chunks: the work.
        public var work = 0.0
        /// Seconds of their slowest chunks: the time on `threads` cores.
        public var critical = 0.0
        /// Seconds of each chunk position (the `w`-th chunk of every loop) over the loops.
        public var chunks: [Double] = []
        /// `critical` without the loops' own jitter: the work at the site's average balance,
        /// `work · max(chunks) / Σ chunks`. A loop's chunks here take tens of microseconds,
        /// and the slowest of 16 such timings is slow by chance as much as by its share.
        public var steady: Double {
            guard let most = chunks.max(), most > 0 else { return critical }
            return work * most / chunks.reduce(0, +)
        }
    }

    public let threads: Int
    /// A loop site as the caller's `#fileID` and `#line`: cheap to hash, named at `finish()`.
    private struct Key: Hashable {
        let file: UInt, line: UInt
        static let edge = Key(file: 0, line: 0)  // the start or the end of the stretch
    }
    private var names: [Key: String] = [:]
    private var sites: [Key: Site] = [:]
    /// The work between two loops, keyed by the loops before and after it.
    private var gaps: [[Key]: Site] = [:]
    private var lastSite = Key.edge, lastEnd: UInt64 = 0
    private var depth = 0
    private var started: UInt64 = 0
    private var work = 0.0, critical = 0.0, loops = 0

    /// Nanoseconds of a monotonic clock (a test passes its own).
    private let now: () -> UInt64

    public init(threads: Int, clock: @escaping () -> UInt64 = { DispatchTime.now().uptimeNanoseconds }) {
        precondition(threads >= 2, "a thread model needs at least 2 threads")
        self.threads = threads
        now = clock
    }

    /// Starts a measured stretch (an evaluation, say), forgetting the last.
    public func start() {
        sites = [:]
        gaps = [:]
        work = 0; critical = 0; loops = 0
        started = now()
        lastSite = .edge
        lastEnd = started
    }

    /// What the stretch since `start()` would take on `threads` cores.
    public struct Result: Sendable {
        /// Seconds the stretch took here, every chunk in turn.
        public var wall: Double
        /// Seconds of the loops' chunks (the split work) and of the loops' slowest chunks.
        public var work: Double, critical: Double
        /// Split loops run.
        public var loops: Int
        /// Loop sites, the most time lost to idle threads first (`threads · critical − work`).
        public var sites: [Site]
        /// The work between loops by the sites around it (`work` and `critical` alike), most first.
        public var gaps: [Site]
        /// Seconds of work no loop split: the gaps between loops. The model's own bookkeeping
        /// after each loop is left out (it is in `wall`).
        public var unsplit: Double { gaps.reduce(0) { $0 + $1.work } }
        /// Seconds of the stretch's own work on one thread: split and unsplit.
        public var busy: Double { work + unsplit }
        /// Modelled seconds on `threads` cores.
        public var modelled: Double { unsplit + critical }
        /// The same with each site at its average balance (`Site.steady`).
        public var steady: Double { unsplit + sites.reduce(0) { $0 + $1.steady } }
    }

    public func finish() -> Result {
        let end = now()
        gap(until: end, next: .edge)
        let wall = Double(end - started) / 1e9
        let n = Double(threads)
        func named(_ site: Site, _ key: Key) -> Site {
            var s = site
            s.name = names[key] ?? "?"
            return s
        }
        let ordered = sites.map { named($1, $0) }.sorted { n * $0.critical - $0.work > n * $1.critical - $1.work }
        let between = gaps.map { key, gap in
            var g = gap
            g.name = "\(names[key[0]] ?? "start") → \(names[key[1]] ?? "end")"
            return g
        }
        return Result(wall: wall, work: work, critical: critical, loops: loops, sites: ordered,
                      gaps: between.sorted { $0.work > $1.work })
    }

    private func gap(until now: UInt64, next: Key) {
        let key = [lastSite, next]
        var entry = gaps[key] ?? Site(name: "")
        let t = Double(now - lastEnd) / 1e9
        entry.loops += 1
        entry.work += t
        entry.critical += t
        gaps[key] = entry
    }

    func run(workers: Int, count: Int, site: StaticString, line: UInt, _ body: (Range<Int>) -> Void) {
        let nested = depth > 0
        let key = Key(file: UInt(bitPattern: site.utf8Start), line: line)
        if !nested { gap(until: now(), next: key) }
        depth += 1
        defer { depth -= 1 }
        var total = 0.0, slowest = 0.0
        var times = [Double](repeating: 0, count: workers)
        for w in 0..<workers {
            let lo = count * w / workers, hi = count * (w + 1) / workers
            guard lo < hi else { continue }
            let t0 = now()
            body(lo..<hi)
            let t = Double(now() - t0) / 1e9
            total += t
            times[w] = t
            slowest = max(slowest, t)
        }
        guard !nested else { return }
        lastSite = key
        // The gap to the next loop starts after this bookkeeping, which is the model's own work.
        defer { lastEnd = now() }
        if names[key] == nil { names[key] = "\(site):\(line)" }
        var entry = sites[key] ?? Site(name: "")
        entry.loops += 1
        entry.work += total
        entry.critical += slowest
        if entry.chunks.count < workers { entry.chunks += repeatElement(0, count: workers - entry.chunks.count) }
        for w in 0..<workers { entry.chunks[w] += times[w] }
        sites[key] = entry
        work += total
        critical += slowest
        loops += 1
    }
}

/// Whether the loops are cut for many threads as the thread model showed (the Winograd
/// products in column blocks, the Gram matrix in tiles, growth zeroed on every thread), or as
/// before (`STYLIZE_SPLIT=whole`): the same bits either way, so that a machine with the cores
/// can time the two side by side (`tools/device/cpu_bench.sh`). Any other value is the default.
public enum ThreadSplit {
    /// Read once from the environment; tests set it.
    nonisolated(unsafe) public static var fine = ProcessInfo.processInfo.environment["STYLIZE_SPLIT"] != "whole"
}
