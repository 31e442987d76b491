// swift-tools-version:5.9
import PackageDescription

// stylize: neural style transfer (Gatys et al. 2016) on a pretrained VGG16, for Linux CPUs.
//
// StylizeKit holds the algorithm and never imports ArgumentParser; the `stylize`
// executable is a thin command-line layer over it. StylizeKernels holds the numeric
// kernels (re-exported by StylizeKit). libpng, libjpeg-turbo, libwebp, LittleCMS and
// OpenBLAS come in through system-library targets: libpng and LittleCMS are used only from
// the C target CPNGDecode (called from PNGCodec*.swift and ColourProfile.swift), libjpeg and
// libwebp only from the C target CPhotoCodec (called from JPEGCodec.swift and
// WebPCodec.swift), OpenBLAS only from BLAS.swift.
let package = Package(
    name: "stylize",
    products: [
        .executable(name: "stylize", targets: ["stylize"]),
        .library(name: "StylizeKit", targets: ["StylizeKit"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CPNG",
            pkgConfig: "libpng",
            providers: [.apt(["libpng-dev"])]
        ),
        // LittleCMS 2: colour profiles of PNG input (iCCP, gAMA/cHRM) to sRGB; used only
        // from CPNGDecode's C (colour_profile.c).
        .systemLibrary(
            name: "CLCMS2",
            pkgConfig: "lcms2",
            providers: [.apt(["liblcms2-dev"])]
        ),
        // libjpeg-turbo (libjpeg API, 1.5.90 or later for its ICC functions): JPEG in and out,
        // used only from CPhotoCodec's C. Debian's and Ubuntu's libjpeg-dev is libjpeg-turbo.
        .systemLibrary(
            name: "CJPEG",
            pkgConfig: "libjpeg",
            providers: [.apt(["libjpeg-dev"])]
        ),
        // libwebp with its container libraries (demux: ICCP/EXIF chunks in; mux: ICCP out),
        // used only from CPhotoCodec's C.
        .systemLibrary(
            name: "CWebP",
            pkgConfig: "libwebpmux",
            providers: [.apt(["libwebp-dev"])]
        ),
        .systemLibrary(
            name: "CFreeType",
            pkgConfig: "freetype2",
            providers: [.apt(["libfreetype-dev"])]
        ),
        .systemLibrary(
            name: "COpenBLAS",
            pkgConfig: "openblas",
            providers: [.apt(["libopenblas-dev"])]
        ),
        // libpng's classic decoder and encoder need setjmp/longjmp, which must not cross
        // Swift frames; the LittleCMS conversion of decoded samples sits beside them.
        .target(
            name: "CPNGDecode",
            dependencies: ["CPNG", "CLCMS2"]
        ),
        // JPEG and WebP decoders and encoders: libjpeg's setjmp/longjmp error path stays in C
        // as libpng's does. Colour (ICC profiles to sRGB) is left to CPNGDecode's LittleCMS code.
        // CWebP's pkg-config entry (libwebpmux) brings -lwebpmux -lwebp; the demuxer is
        // its own library, in the same Debian package.
        .target(
            name: "CPhotoCodec",
            dependencies: ["CJPEG", "CWebP"],
            linkerSettings: [.linkedLibrary("webpdemux")]
        ),
        // SIGINT/SIGTERM/SIGHUP: a C handler that only sets a flag (async-signal-safe).
        .target(name: "CSignals"),
        // The hot code and all pointer work, behind safe functions on arrays: convolutions,
        // pooling, ReLU, Gram and the loss terms, total variation, the optimizers' vector
        // passes, BLAS calls and the parallel loop. The only target built with -Ounchecked
        // (measured to matter here); everything that reads files or validates input stays in
        // StylizeKit with Swift's bounds and overflow checks.
        // Matrix products in AVX-512F and AVX2 kernels, chosen at run time by the CPU's
        // features; called only from StylizeKernels/BLAS.swift (GEMMKernel.swift chooses).
        // Also the pool of helper threads behind StylizeKernels/Parallel.swift (pool.c).
        .target(name: "CKernels"),
        .target(
            name: "StylizeKernels",
            dependencies: ["COpenBLAS", "CKernels"],
            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]
        ),
        // The CUDA driver, NVRTC and cuBLAS functions stylize calls, as function-pointer
        // types: the libraries are loaded at run time (StylizeKit/Engine/CUDA), never linked.
        .target(name: "CCUDA"),
        .target(
            name: "StylizeKit",
            dependencies: ["StylizeKernels", "CPNGDecode", "CPhotoCodec", "CFreeType", "CCUDA"]
        ),
        .executableTarget(
            name: "stylize",
            dependencies: [
                "StylizeKit",
                "CSignals",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "stylize-bench",
            dependencies: ["StylizeKit"]
        ),
        .testTarget(
            name: "StylizeKitTests",
            dependencies: ["StylizeKit", "StylizeKernels"],
            resources: [.copy("Resources")]
        ),
        .testTarget(
            name: "StylizeCLITests",
            dependencies: ["StylizeKit", "stylize"]
        ),
    ]
)
