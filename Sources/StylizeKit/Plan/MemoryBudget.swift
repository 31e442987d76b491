import Foundation

/// What memory a run may use, and the check that its estimated peak (`CostEstimate`) fits,
/// made before any big allocation: a run that cannot fit is refused in one line with both
/// numbers, instead of ending minutes later in the Swift runtime's `failed to allocate`
/// crash and a backtrace.
///
/// The limits, each read when the check is made:
/// - the memory available, `MemAvailable` of `/proc/meminfo` (free memory plus what the
///   kernel can reclaim);
/// - the control group's limit less what the group already uses (cgroup v2 `memory.max`,
///   v1 `memory.limit_in_bytes`; reclaimable page cache does not count as used), as in a
///   container or a Slurm job;
/// - the soft limits on address space and data (`ulimit -v`, `ulimit -d`). These count every
///   mapping, not only what is resident: a run maps `addressOverhead` more than its peak
///   (thread stacks, malloc arenas, libraries).
///
/// Then the run's address space is reserved once, for real (`mmap` of the whole amount,
/// never touched, then unmapped): the kernel's own answer, which also covers strict
/// overcommit (`vm.overcommit_memory = 2`) and an estimate obviously above RAM and swap.
public enum MemoryBudget {
    /// A limit on a run's memory: where it comes from, in words, and how many bytes it leaves.
    public struct Limit: Sendable, Equatable {
        public let source: String
        public let bytes: Double
        /// True for a limit on address space (an rlimit), which `addressOverhead` also counts against.
        public let addressSpace: Bool
        public init(source: String, bytes: Double, addressSpace: Bool) {
            self.source = source; self.bytes = bytes; self.addressSpace = addressSpace
        }
    }

    /// Address space a run maps besides its resident peak: VmPeak − VmHWM was 0.64 GB with 2
    /// threads at 256, 512, 1024 and 1448 px on the 2-core host, and a default 512 px run
    /// needed `ulimit -v` above 1100 MiB (its peak is 0.55 GB); each thread adds a stack
    /// and a malloc arena. Under tighter limits runs crashed, or hung in a thread's retries.
    public static func addressOverhead(threads: Int) -> Double { 0.5e9 + 0.1e9 * Double(max(1, threads)) }

    /// Refuses, with one line, a run whose resident peak is `peak` bytes when it does not fit
    /// `maxMemory` (a caller's own limit, with the text the user gave it), one of `limits`,
    /// or a reservation of its address space. `what` describes the run (`512x341 px`).
    public static func check(peak: Double, threads: Int, what: String, maxMemory: (name: String, bytes: Double)? = nil,
                             limits: [Limit] = limits(), reserve: Bool = true) throws {
        let address = peak + addressOverhead(threads: threads)
        if let maxMemory, peak > maxMemory.bytes {
            throw MemoryError(description: "this run needs about \(text(peak)) of memory at its peak (\(what)), "
                              + "more than \(maxMemory.name) allows (\(text(maxMemory.bytes)))")
        }
        // The tightest limit that the run exceeds is the one to name.
        if let limit = limits.filter({ ($0.addressSpace ? address : peak) > $0.bytes }).min(by: { $0.bytes < $1.bytes }) {
            let need = limit.addressSpace ? "\(text(address)) of address space" : "\(text(peak)) of memory"
            throw MemoryError(description: "this run needs about \(need) at its peak (\(what)), more than the \(text(limit.bytes)) "
                              + "\(limit.source)")
        }
        if reserve {
            let size = max(0, address - currentAddressSpace())
            guard size > 0, size < Double(Int.max) else { return }
            let p = mmap(nil, Int(size), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0)
            guard p == MAP_FAILED else { munmap(p, Int(size)); return }
            throw MemoryError(description: "this run needs about \(text(address)) of address space at its peak (\(what)), "
                              + "and the system refused to reserve it (\(FileSystemError.reason(errno: errno)))")
        }
    }

    /// The resident memory this process may use now, as the tightest of `limits` (an
    /// address-space limit less `addressOverhead`), or nil when none is known: what jobs
    /// side by side (`batch --jobs`) share.
    public static func usable(threads: Int, limits: [Limit] = limits()) -> Double? {
        limits.map { $0.addressSpace ? $0.bytes - addressOverhead(threads: threads) : $0.bytes }.min()
    }

    /// The limits of this process now (see the type's comment); none is the whole machine's RAM.
    public static func limits() -> [Limit] {
        var limits: [Limit] = []
        if let available = meminfo("MemAvailable") {
            limits.append(Limit(source: "available on this machine (MemAvailable)", bytes: available, addressSpace: false))
        }
        if let group = cgroupAvailable() {
            limits.append(Limit(source: "left in this process's control group (its memory limit)", bytes: group, addressSpace: false))
        }
        for (resource, name) in [(RLIMIT_AS, "ulimit -v (the address-space limit)"), (RLIMIT_DATA, "ulimit -d (the data-size limit)")] {
            var r = rlimit()
            if getrlimit(__rlimit_resource_t(resource.rawValue), &r) == 0 && r.rlim_cur != rlim_t.max {
                limits.append(Limit(source: "that \(name) allows", bytes: Double(r.rlim_cur), addressSpace: true))
            }
        }
        return limits
    }

    /// `69.12 GB`, `512 MB`, `12 kB`.
    public static func text(_ bytes: Double) -> String {
        bytes >= 1e9 ? String(format: "%.2f GB", bytes / 1e9) : bytes >= 1e6 ? String(format: "%.0f MB", bytes / 1e6)
            : String(format: "%.0f kB", bytes / 1e3)
    }

    /// A `/proc/meminfo` field in bytes.
    static func meminfo(_ field: String) -> Double? {
        guard let text = smallFile("/proc/meminfo") else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            let words = line.split(separator: " ")
            if words.count >= 2, let kB = Double(words[1]) { return kB * 1024 }
        }
        return nil
    }

    /// The process's control-group limit less its usage (page cache that can be dropped
    /// does not count), or nil without a limit: cgroup v2 first, then v1.
    static func cgroupAvailable() -> Double? {
        let groups = smallFile("/proc/self/cgroup")?.split(separator: "\n") ?? []
        func path(_ prefix: String) -> String { groups.first { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) } ?? "/" }
        let v2 = path("0::"), v1 = groups.first { $0.contains(":memory:") }.map { String($0[$0.range(of: ":memory:")!.upperBound...]) } ?? "/"
        let candidates = [("/sys/fs/cgroup" + v2, "memory.max", "memory.current", "inactive_file"),
                          ("/sys/fs/cgroup", "memory.max", "memory.current", "inactive_file"),
                          ("/sys/fs/cgroup/memory" + v1, "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file"),
                          ("/sys/fs/cgroup/memory", "memory.limit_in_bytes", "memory.usage_in_bytes", "total_inactive_file")]
        for (folder, limitFile, usageFile, cacheField) in candidates {
            guard let limitText = smallFile(folder + "/" + limitFile) else { continue }
            guard let limit = Double(limitText.trimmingCharacters(in: .whitespacesAndNewlines)), limit < 1e18 else { return nil }
            let usage = smallFile(folder + "/" + usageFile).flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            let stat = smallFile(folder + "/memory.stat")?.split(separator: "\n") ?? []
            let cache = stat.first { $0.hasPrefix(cacheField + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
            return max(0, limit - max(0, usage - cache))
        }
        return nil
    }

    /// The address space this process maps now (`VmSize` of `/proc/self/status`).
    static func currentAddressSpace() -> Double {
        guard let text = smallFile("/proc/self/status"),
              let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmSize:") }),
              let kB = Double(line.split(separator: " ").dropFirst().first ?? "") else { return 0 }
        return kB * 1024
    }

    /// A small file of `/proc` or `/sys` (whose size reads as 0), or nil.
    static func smallFile(_ path: String) -> String? {
        FileSystem.contents(path).map { String(decoding: $0, as: UTF8.self) }
    }
}

/// A run that does not fit in memory: one line with what it needs and what there is.
public struct MemoryError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(description: String) { self.description = description }
}

/// A run's memory, checked before any big allocation (`MemoryBudget`): before the weights
/// are read, from the content image's header.
extension RunPlan {
    /// Peak bytes of a run of `s` whose final image is `final` (`CostEstimate`).
    public static func estimatedPeak(_ s: RunSettings, final: Size) -> Double {
        CostEstimate.peakBytes(pixels: final.width * final.height, history: s.optimizer == .lbfgs ? s.historySize : 1,
                               preconditioned: s.optimizer == .lbfgs && s.preconditioner == .smooth)
    }

    /// Device bytes of a GPU run of `s` whose final image is `final` (`CostEstimate.gpuPeakBytes`).
    public static func estimatedGPUPeak(_ s: RunSettings, final: Size) -> Double {
        CostEstimate.gpuPeakBytes(pixels: final.width * final.height, history: s.optimizer == .lbfgs ? s.historySize : 1,
                                  preconditioned: s.optimizer == .lbfgs && s.preconditioner == .smooth)
    }

    /// Throws `MemoryError` when `c`, with its content image of `contentSize`, would need more
    /// memory than `--max-memory` (`RunSettings.maxMemory`) or the machine and the process's
    /// limits allow, or its address space cannot be reserved (`MemoryBudget.check`). Reads no
    /// file, and allocates nothing big. `naming` words the options in the message.
    public static func checkMemory(_ c: StyleTransferConfiguration, contentSize: Size, naming: (String) -> String = { $0 },
                                   limits: [MemoryBudget.Limit] = MemoryBudget.limits()) throws {
        let s = c.settings
        let final = ScaleSchedule.dimensions(width: contentSize.width, height: contentSize.height, longestSide: s.size)
        let peak = estimatedPeak(s, final: Size(width: final.width, height: final.height))
        do {
            try MemoryBudget.check(peak: peak, threads: c.threads, what: "\(final.width)x\(final.height) px",
                                   maxMemory: s.maxMemory.map { (naming("max-memory") + " " + $0.optionText, $0.bytes) }, limits: limits)
        } catch let e as MemoryError {
            throw MemoryError(description: e.description + "; choose a smaller \(naming("size"))")
        }
    }
}
