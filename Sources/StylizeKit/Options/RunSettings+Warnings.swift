/// Settings that are valid and run, but cannot do what was meant.
extension RunSettings {
    /// One line each (a plan keeps them, `RunPlan.warnings`, and `StyleTransfer.run` passes
    /// them to its `warn` before reading anything); `naming` turns an option's key into the
    /// name its user knows (the command line: `style-weight` → `--style-weight`):
    /// - every loss weight 0 (with `auto`, β is 3·α·… and so 0 too when α is): the loss is 0
    ///   everywhere and the output is the starting image;
    /// - a style layer named more than once: each repetition adds its term again (with the
    ///   default 1/L weights, a layer named twice weighs double);
    /// - TF32 products asked of a run on the CPU, which computes in float32 whatever is asked.
    public func warnings(naming: (String) -> String = { $0 }) -> [String] {
        var lines: [String] = []
        if contentWeight == 0 && tvWeight == 0 && (styleWeight.fixed ?? 0) == 0 {
            lines.append("\(naming("content-weight")), \(naming("style-weight")) and \(naming("tv-weight")) are all 0"
                         + (styleWeight.fixed == nil ? " (auto gives 0 when the content weight is 0)" : "")
                         + ": the loss is 0 everywhere and the output is the starting image")
        }
        let names = styleLayers.names
        var counts: [String: Int] = [:]
        for l in names { counts[l, default: 0] += 1 }
        var seen = Set<String>()
        let repeated = names.filter { counts[$0, default: 0] > 1 && seen.insert($0).inserted }
        if !repeated.isEmpty {
            lines.append("\(naming("style-layers")) repeats " + repeated.map { "\($0) (\(counts[$0, default: 0]) times)" }.joined(separator: ", ")
                         + ": each repetition adds that layer's term again")
        }
        if gpuMath == .tf32 && device == .cpu {
            lines.append("\(naming("gpu-math")) tf32 applies only on the GPU; this run is on the CPU (\(naming("device")) cpu), in float32")
        }
        return lines
    }
}
