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
    /// where it grew).
    @inlinable public mutating func reshape(channels: Int, height: Int, width: Int) {
        data.resizeKeepingCapacity(to: channels * height * width)
        self.channels = channels
        self.height = height
        self.width = width
    }
}

extension Array where Element: ExpressibleByIntegerLiteral {
    /// Sets the count to `n` without a pass over the values kept: drops the tail when
    /// shrinking (keeping the capacity) and appends zeros when growing (a new zeroed buffer
    /// when the capacity is too small, rather than copying values the caller will overwrite).
    @inlinable mutating func resizeKeepingCapacity(to n: Int) {
        if count > n {
            removeLast(count - n)
        } else if count < n {
            if capacity >= n {
                append(contentsOf: repeatElement(0, count: n - count))
            } else {
                self = Array(repeating: 0, count: n)
            }
        }
    }
}
