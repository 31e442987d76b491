/// Conversion between images and the network's input tensor.
///
/// The VGG weights (Caffe/Keras ImageNet VGG16) expect `(3, H, W)`, channels in B, G, R
/// order, on the 0..255 scale, minus the per-channel ImageNet mean
/// (103.939, 116.779, 123.68 for B, G, R; the weights file's metadata carries it).
/// Style transfer optimizes this tensor directly, so gradients are ∂L/∂(pixel value).
public enum Preprocessing {
    /// RGB image (0..255) → `(3, H, W)` BGR minus `meanBGR`.
    public static func tensor(from image: RGBImage, meanBGR: [Float]) -> Tensor3 {
        let h = image.height, w = image.width, hw = h * w
        var data = [Float](repeating: 0, count: 3 * hw)
        for p in 0..<hw {
            data[p] = image.pixels[3 * p + 2] - meanBGR[0]           // B
            data[hw + p] = image.pixels[3 * p + 1] - meanBGR[1]      // G
            data[2 * hw + p] = image.pixels[3 * p] - meanBGR[2]      // R
        }
        return Tensor3(channels: 3, height: h, width: w, data: data)
    }

    /// `(3, H, W)` BGR minus mean → RGB image, values clamped to 0...255.
    public static func image(from tensor: Tensor3, meanBGR: [Float]) -> RGBImage {
        let h = tensor.height, w = tensor.width, hw = h * w
        var pixels = [Float](repeating: 0, count: 3 * hw)
        for p in 0..<hw {
            pixels[3 * p] = min(max(tensor.data[2 * hw + p] + meanBGR[2], 0), 255)
            pixels[3 * p + 1] = min(max(tensor.data[hw + p] + meanBGR[1], 0), 255)
            pixels[3 * p + 2] = min(max(tensor.data[p] + meanBGR[0], 0), 255)
        }
        return RGBImage(width: w, height: h, pixels: pixels)
    }
}
