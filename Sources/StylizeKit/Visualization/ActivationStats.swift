/// Per-channel statistics of one layer's activation, as written to `activations.json`.
///
/// For a ReLU output `F` of shape `(C, H, W)` and channel `c`, over its `H·W` positions:
/// `mean[c]` = average value, `max[c]` = largest value, `activeFraction[c]` = share of
/// positions whose value is strictly positive (ReLU outputs are ≥ 0, so this is the share
/// of positions where the unit fires).
public struct ActivationStats: Sendable, Equatable {
    public let shape: [Int]  // [C, H, W]
    public let mean: [Double]
    public let max: [Double]
    public let activeFraction: [Double]

    public init(_ f: Tensor3) {
        let c = f.channels, m = f.positions
        var mean = [Double](repeating: 0, count: c), mx = mean, active = mean
        let d = f.data
        for ch in 0..<c {
            var sum = 0.0, best = -Double.infinity, positive = 0
            for p in (ch * m)..<((ch + 1) * m) {
                let v = Double(d[p])
                sum += v
                if v > best { best = v }
                if v > 0 { positive += 1 }
            }
            mean[ch] = m > 0 ? sum / Double(m) : 0
            mx[ch] = m > 0 ? best : 0
            active[ch] = m > 0 ? Double(positive) / Double(m) : 0
        }
        shape = [f.channels, f.height, f.width]
        self.mean = mean
        self.max = mx
        self.activeFraction = active
    }

    /// The JSON object `{"shape": …, "mean": …, "max": …, "active_fraction": …}`.
    public var json: [String: Any] {
        ["shape": shape, "mean": mean, "max": max, "active_fraction": activeFraction]
    }
}
