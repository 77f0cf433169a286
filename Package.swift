// swift-tools-version:6.0
import Foundation
import PackageDescription

/// bayesflow-swift: amortized simulation-based inference with conditional invertible networks.
///
/// Layout (see docs/architecture.md): three system-library shims (OpenBLAS, SUNDIALS CVODE,
/// HDF5), the learning core (`Tensors`, `Networks`), numerical substrates (`ODE`, `HDF5`),
/// the workflow (`BayesFlow`), concrete simulators (`Simulators/`) and the `bayesflow` tool.
/// Release builds: whole-module and cross-module optimisation (generic engine code is then
/// specialised in the modules that call it), and AVX2/FMA code when the building machine has
/// them (the elementwise kernels run 8 floats at a time instead of 4). Builds happen on the
/// machine that runs the tool (`make`), so this matches the CPU it runs on.
let hostHasAVX2: Bool = {
  guard let cpuinfo = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return false }
  let flags = Set(cpuinfo.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }).map(String.init))
  return ["avx2", "fma", "bmi2", "movbe"].allSatisfy(flags.contains)
}()
let optimized: [SwiftSetting] = [
  .unsafeFlags(["-wmo", "-cross-module-optimization"] + (hostHasAVX2 ? ["-target-cpu", "haswell"] : []),
               .when(configuration: .release)),
]

let package = Package(
  name: "bayesflow-swift",
  platforms: [.macOS(.v14)],
  products: [
    .executable(name: "bayesflow", targets: ["BayesFlowCLI"]),
    .library(name: "BayesFlow", targets: ["BayesFlow"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
  ],
  targets: [
    .systemLibrary(name: "CBLAS", path: "Sources/CBLAS", pkgConfig: "openblas",
                   providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CSUNDIALS", path: "Sources/CSUNDIALS",
                   providers: [.apt(["libsundials-dev"])]),
    .systemLibrary(name: "CHDF5", path: "Sources/CHDF5", pkgConfig: "hdf5-serial",
                   providers: [.apt(["libhdf5-dev"])]),

    .target(name: "Tensors",
            dependencies: ["CBLAS", .product(name: "RealModule", package: "swift-numerics")],
            swiftSettings: optimized),
    .target(name: "Networks", dependencies: ["Tensors"], swiftSettings: optimized),
    .target(name: "ODE", dependencies: ["CSUNDIALS"], swiftSettings: optimized),
    .target(name: "HDF5", dependencies: ["CHDF5"], swiftSettings: optimized),
    .target(name: "BayesFlow", dependencies: ["Tensors", "Networks", "HDF5", "CBLAS"],
            swiftSettings: optimized),
    .target(name: "Simulators", dependencies: ["BayesFlow", "Tensors", "ODE", "HDF5"],
            path: "Simulators", resources: [.copy("Resources")], swiftSettings: optimized),
    .executableTarget(name: "BayesFlowCLI",
                      dependencies: ["BayesFlow", "Simulators", "Networks", "Tensors", "HDF5", "CBLAS",
                                     .product(name: "ArgumentParser", package: "swift-argument-parser")],
                      swiftSettings: optimized),

    // Shared test helpers (gradient and Jacobian checks, statistical tolerances); not API.
    .target(name: "TestSupport", dependencies: ["Tensors"], path: "Tests/TestSupport"),
    .testTarget(name: "TensorsTests", dependencies: ["Tensors", "TestSupport", "CBLAS"]),
    .testTarget(name: "NetworksTests", dependencies: ["Networks", "Tensors", "TestSupport"]),
    .testTarget(name: "ODETests", dependencies: ["ODE"]),
    .testTarget(name: "HDF5Tests", dependencies: ["HDF5"]),
    .testTarget(name: "BayesFlowTests",
                dependencies: ["BayesFlow", "Simulators", "Networks", "Tensors", "HDF5", "TestSupport"]),
    .testTarget(name: "SimulatorsTests",
                dependencies: ["Simulators", "BayesFlow", "Tensors", "ODE", "TestSupport"]),
    .testTarget(name: "CLITests", dependencies: ["BayesFlowCLI", "BayesFlow", "HDF5"]),
  ],
  swiftLanguageModes: [.v5]
)
