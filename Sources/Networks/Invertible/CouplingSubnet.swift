import Tensors

/// The shape of the subnets inside coupling blocks (config `"subnet"`).
public struct CouplingSubnetConfiguration: Codable, Equatable, Sendable {
  /// Hidden layer widths.
  public var widths: [Int]
  /// Hidden activation.
  public var activation: Activation
  /// Dropout rate after each hidden layer (training only).
  public var dropout: Double
  /// Residual connections between hidden layers of equal width.
  public var residual: Bool

  public init(widths: [Int] = [128, 128], activation: Activation = .silu, dropout: Double = 0, residual: Bool = false) {
    self.widths = widths
    self.activation = activation
    self.dropout = dropout
    self.residual = residual
  }

  enum CodingKeys: String, CodingKey, CaseIterable { case widths, activation, dropout, residual }

  /// Decodes with defaults for missing keys; unknown keys are errors naming the key.
  public init(from decoder: Decoder) throws {
    try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    let d = CouplingSubnetConfiguration()
    widths = try c.decodeIfPresent([Int].self, forKey: .widths) ?? d.widths
    activation = try c.decodeIfPresent(Activation.self, forKey: .activation) ?? d.activation
    dropout = try c.decodeIfPresent(Double.self, forKey: .dropout) ?? d.dropout
    residual = try c.decodeIfPresent(Bool.self, forKey: .residual) ?? d.residual
    if let (key, message) = problem {
      throw DecodingError.dataCorruptedError(forKey: CodingKeys(rawValue: key)!, in: c, debugDescription: "\(key) \(message)")
    }
  }

  /// The first problem with the values as (key, message), or nil when they are valid.
  public var problem: (key: String, message: String)? {
    if let bad = widths.first(where: { $0 < 1 }) { return ("widths", "must be ≥ 1, got \(bad)") }
    if !(dropout >= 0 && dropout < 1) { return ("dropout", "must be in [0, 1), got \(dropout)") }
    return nil
  }
}

/// A coding key for any string (to list the keys a JSON object actually has).
struct AnyCodingKey: CodingKey {
  var stringValue: String
  var intValue: Int? { nil }
  init(stringValue: String) { self.stringValue = stringValue }
  init?(intValue: Int) { nil }
}

/// Throws `DecodingError.dataCorrupted` naming the first key of the object that is not in `known`.
func rejectUnknownKeys(_ decoder: Decoder, known: [String]) throws {
  let all = try decoder.container(keyedBy: AnyCodingKey.self)
  if let extra = all.allKeys.map(\.stringValue).sorted().first(where: { !known.contains($0) }) {
    throw DecodingError.dataCorrupted(DecodingError.Context(
      codingPath: decoder.codingPath + [AnyCodingKey(stringValue: extra)],
      debugDescription: "unknown key \"\(extra)\"; expected one of \(known.joined(separator: ", "))"))
  }
}

/// The network that computes a coupling transform's parameters h [B, n·P] from its input.
///
/// Usually an MLP on [x_other, c] whose output layer starts at zero (so the transform starts as
/// the identity). When there is no input at all (D = 1 without a condition) it is a learned
/// constant h = b [n·P] (also zero at first), shared by all rows: the block is then an
/// unconditional learned 1-D transform. Keys: the MLP's (`dense1.weight`, …, `output.bias`), or
/// `output.bias` alone for the constant.
final class CouplingSubnet<S: TensorScalar>: Layer {
  let mlp: MLP<S>?
  let constant: Parameter<S>?

  init(input: Int, output: Int, configuration cfg: CouplingSubnetConfiguration, rng: inout RandomStream) {
    if input > 0 {
      mlp = MLP(input: input, widths: cfg.widths, output: output, activation: cfg.activation, dropout: cfg.dropout,
                residual: cfg.residual, outputInitializer: .zeros, rng: &rng)
      constant = nil
    } else {
      mlp = nil
      constant = Parameter(shape: Shape(output))
    }
  }

  /// h for the input [B, I] (nil: no input, the constant [n·P] is returned).
  func callAsFunction(_ input: Tensor<S>?, graph: Graph<S>) -> Tensor<S> {
    if let mlp, let input { return mlp(input) }
    return graph.parameter(constant!)
  }

  func visitParameters(_ visit: (String, Parameter<S>) -> Void) {
    if let mlp { mlp.visitParameters(visit) }
    if let constant { visit("output.bias", constant) }
  }
}
