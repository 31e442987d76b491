/// A dense float tensor of shape `(C, H, W)` (channels-first, row-major), the
/// layout every kernel in StylizeKit uses for activations and gradients:
/// `data[(c * height + y) * width + x]`.
public struct Tensor3: Sendable {
    public var channels: Int
    public var height: Int
    public var width: Int
    public var data: [Float]

    public init(channels: Int, height: Int, width: Int, data: [Float]) {
        precondition(data.count == channels * height * width, "tensor data does not match (\(channels), \(height), \(width))")
        self.channels = channels
        self.height = height
        self.width = width
        self.data = data
    }

    public init(zeros channels: Int, _ height: Int, _ width: Int) {
        self.init(channels: channels, height: height, width: width,
                  data: [Float](repeating: 0, count: channels * height * width))
    }

    /// Number of spatial positions, `H * W` (the `M_l` of the loss definitions).
    @inlinable public var positions: Int { height * width }
    @inlinable public var count: Int { channels * height * width }

    @inlinable public subscript(c: Int, y: Int, x: Int) -> Float {
        get { data[(c * height + y) * width + x] }
        set { data[(c * height + y) * width + x] = newValue }
    }
}

extension Tensor3 {
    /// Gives the tensor the shape `(channels, height, width)`, reusing its storage when
    /// the element count is unchanged and otherwise keeping the array's capacity, so a
    /// buffer sized once for the largest layer is never reallocated.
    /// Contents are unspecified afterwards (the old values where the storage was kept, zero
    /// where it grew). `parallel`'s threads write the zeros (`resizeKeepingCapacity`).
    public mutating func reshape(channels: Int, height: Int, width: Int, parallel: Parallel = .serial) {
        data.resizeKeepingCapacity(to: channels * height * width, parallel: parallel)
        self.channels = channels
        self.height = height
        self.width = width
    }
}

extension Array where Element: ExpressibleByIntegerLiteral {
    /// Sets the count to `n` without a pass over the values kept: drops the tail when
    /// shrinking (keeping the capacity) and appends zeros when growing (a new zeroed buffer
    /// when the capacity is too small, rather than copying values the caller will overwrite).
    ///
    /// The zeros are written by `parallel`'s threads. The engine's two scratch tensors take
    /// turns at every layer's size, so they shrink and grow again in every evaluation: at 512²
    /// about 60 M zeros, 11 ms on one thread, which the thread model (`stylize-bench threads`)
    /// counted as the largest part of the work no loop split.
    mutating func resizeKeepingCapacity(to n: Int, parallel: Parallel = .serial) {
        let parallel = ThreadSplit.fine ? parallel : .serial
        if count > n {
            removeLast(count - n)
        } else if count < n {
            if capacity >= n {
                append(contentsOf: Zeros<Element>(count: n - count, parallel: parallel))
            } else {
                self = Array(unsafeUninitializedCapacity: n) { buffer, initialized in
                    Zeros.fill(buffer, parallel: parallel)
                    initialized = n
                }
            }
        }
    }
}

/// `count` zeros that write themselves into an array's new storage on `parallel`'s threads
/// (`Sequence._copyContents(initializing:)`, through which `Array.append(contentsOf:)`
/// initializes its new elements; where it does not, they come one by one from the iterator).
struct Zeros<Element: ExpressibleByIntegerLiteral>: Sequence {
    let count: Int
    let parallel: Parallel

    struct Iterator: IteratorProtocol {
        var left: Int
        mutating func next() -> Element? {
            guard left > 0 else { return nil }
            left -= 1
            return 0
        }
    }

    func makeIterator() -> Iterator { Iterator(left: count) }
    var underestimatedCount: Int { count }

    func _copyContents(initializing buffer: UnsafeMutableBufferPointer<Element>) -> (Iterator, Int) {
        let n = Swift.min(count, buffer.count)
        Zeros.fill(UnsafeMutableBufferPointer(rebasing: buffer[..<n]), parallel: parallel)
        return (Iterator(left: count - n), n)
    }

    /// Zeroes `buffer`, in blocks of 64 Ki values over `parallel`'s threads.
    static func fill(_ buffer: UnsafeMutableBufferPointer<Element>, parallel: Parallel) {
        guard let base = buffer.baseAddress else { return }
        let n = buffer.count, block = 1 << 16
        parallel.forEachChunk((n + block - 1) / block, costPerItem: block) { range in
            let lo = range.lowerBound * block, hi = Swift.min(n, range.upperBound * block)
            (base + lo).initialize(repeating: 0, count: hi - lo)
        }
    }
}
