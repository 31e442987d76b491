import ArgumentParser
import Foundation
import StylizeKit

/// Options about the machine rather than the picture: weights file and threads.
struct MachineOptions: ParsableArguments {
    @Option(help: ArgumentHelp("VGG weights (.safetensors). Default: $STYLIZE_WEIGHTS, ./weights/vgg16.safetensors, the installed copy, then the weights/ of the checkout this binary was built in.", valueName: "file"))
    var weights: String?

    @Option(parsing: .unconditional, help: "Threads of the run's engine; the default is the number of physical cores this process may use.")
    var threads: Int = StyleTransferConfiguration.cores

    mutating func validate() throws {
        try Check.range(threads, "--threads", 1...256)
    }

    /// The weights file this run will read, if one is found: every output is checked against
    /// it before any work (a missing file is reported when the weights are loaded).
    var weightsPath: String? { try? WeightsLocator.resolve(explicit: weights) }

    func loadWeights() throws -> VGGWeights {
        let path = try WeightsLocator.resolve(explicit: weights)
        return try VGGWeights.load(from: path)
    }
}
