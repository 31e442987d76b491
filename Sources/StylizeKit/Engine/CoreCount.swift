import Foundation

/// The physical cores this process may run on: the default of `--threads` (issue 18).
///
/// A second hardware thread of a core (SMT, Hyper-Threading) shares the core's FMA units,
/// so a dense numeric loop gains little from it and the extra threads only add hand-offs.
/// Counted among the CPUs of the process's affinity mask (`Cpus_allowed_list` in
/// `/proc/self/status`: what `taskset`, Slurm and container CPU sets leave), grouping
/// those that share a package and a core id (`/sys/devices/system/cpu/cpuN/topology`).
/// Where any of that cannot be read, the logical count (`activeProcessorCount`) stands.
public enum CoreCount {
    public static func physical() -> Int {
        let logical = max(1, ProcessInfo.processInfo.activeProcessorCount)
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("Cpus_allowed_list:") }),
              let cpus = cpuList(String(line.dropFirst("Cpus_allowed_list:".count))) else { return logical }
        func read(_ cpu: Int, _ name: String) -> String? {
            (try? String(contentsOfFile: "/sys/devices/system/cpu/cpu\(cpu)/topology/\(name)", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        var cores = Set<String>()
        for cpu in cpus {
            guard let package = read(cpu, "physical_package_id"), let core = read(cpu, "core_id") else { return logical }
            cores.insert(package + "/" + core)
        }
        return cores.isEmpty ? logical : min(cores.count, logical)
    }

    /// The CPUs of a kernel CPU list (`0-3,8,10-11`), or nil if it is malformed or
    /// implausibly long (over 65,536 CPUs).
    static func cpuList(_ text: String) -> [Int]? {
        var cpus: [Int] = []
        for part in text.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ",") {
            let ends = part.split(separator: "-", omittingEmptySubsequences: false).map { Int($0) }
            guard ends.count <= 2, let low = ends.first ?? nil, let high = ends.last ?? nil, 0 <= low, low <= high,
                  cpus.count + (high - low) < 65_536 else { return nil }
            cpus += Array(low...high)
        }
        return cpus.isEmpty ? nil : cpus
    }
}
