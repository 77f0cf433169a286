import Networks

/// A whole run configuration (DESIGN.md §7, docs/config.md), validated: every error names the
/// JSON path of the offending key.
///
///     { "simulator": {"name": …, "options": {…}}, "summary_network": {…},
///       "inference_network": {…}, "training": {…}, "adapter": {…}, "output": "runs/…" }
public struct RunConfig {
  /// The JSON as given (after `--set` overrides); stored in checkpoints.
  public var json: JSONValue
  public var simulatorName: String
  public var simulatorOptions: JSONValue
  public var summaryNetwork: SummaryNetworkConfig
  public var inferenceNetwork: CouplingFlowConfiguration
  public var training: TrainingConfig
  public var adapter: AdapterConfig
  public var output: String

  public init(_ json: JSONValue) throws {
    self.json = json
    let root = try ConfigObject(json, path: "")
    let sim = try root.object("simulator")
    guard let name = try sim.string("name", default: nil) else { throw ConfigError(path: "simulator.name", "missing") }
    simulatorName = name
    simulatorOptions = sim.value("options") ?? .object([])
    try sim.finish()
    if let summary = root.value("summary_network"), summary != .null {
      guard case .object = summary else { throw ConfigError(path: "summary_network", "expected an object, got \(summary)") }
      if summary["type"] == nil { throw ConfigError(path: "summary_network.type", "missing (none, mlp, time_series, deep_set or streams)") }
      summaryNetwork = try SectionDecoding.decode(SummaryNetworkConfig.self, from: summary, path: "summary_network")
    } else {
      summaryNetwork = .none
    }
    if let inference = root.value("inference_network"), inference != .null {
      guard case .object = inference else { throw ConfigError(path: "inference_network", "expected an object, got \(inference)") }
      if let type = inference["type"], type != .string(CouplingFlowConfiguration.typeName) {
        throw ConfigError(path: "inference_network.type", "expected \"\(CouplingFlowConfiguration.typeName)\", got \(type)")
      }
      inferenceNetwork = try SectionDecoding.decode(CouplingFlowConfiguration.self, from: inference, path: "inference_network")
      if let (key, message) = inferenceNetwork.problem { throw ConfigError(path: "inference_network." + key, message) }
    } else {
      inferenceNetwork = CouplingFlowConfiguration()
    }
    training = try TrainingConfig(try root.object("training"))
    adapter = try AdapterConfig(try root.object("adapter"))
    output = try root.string("output", default: "runs/\(name)")
    try root.finish()
  }

  /// The sections that define the model (everything but `training` and `output`): a resumed run
  /// must have the same ones as its checkpoint.
  public var modelSections: JSONValue {
    .object(["simulator", "summary_network", "inference_network", "adapter"].map { ($0, json[$0] ?? .null) })
  }
}
