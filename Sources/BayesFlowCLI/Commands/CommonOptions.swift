import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// Loading and validating a run configuration for a command.
enum RunSetup {
  /// The config at `path` with `--set` overrides, validated; errors name the file.
  static func load(_ path: String, overrides: [String]) throws -> (RunConfig, any Simulator) {
    let json = try ConfigFile.load(path, overrides: overrides)
    do {
      let config = try RunConfig(json)
      let simulator = try BuiltinSimulators.registry.make(name: config.simulatorName, options: config.simulatorOptions)
      return (config, simulator)
    } catch let e as ConfigError {
      throw InputError(path, e.description)
    }
  }
}

/// Writes text to `path` atomically (temporary name, then rename), or to stdout for nil / "-".
func writeOutput(_ text: String, to path: String?) throws {
  guard let path, path != "-" else {
    FileHandle.standardOutput.write(Data(text.utf8))
    return
  }
  do { try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
    throw InputError(path, "cannot write: \(error.localizedDescription)")
  }
}

/// Numbers in CSV/tables: shortest round-trip form for Double.
func formatNumber(_ x: Double) -> String {
  if x.isNaN { return "nan" }
  if x.isInfinite { return x < 0 ? "-inf" : "inf" }
  return "\(x)"
}
