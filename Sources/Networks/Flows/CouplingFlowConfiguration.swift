import Tensors

/// The settings of a `CouplingFlow` (config `"inference_network"` with `"type": "coupling_flow"`).
///
/// JSON keys (snake_case) and defaults:
///
///     { "type": "coupling_flow", "depth": 6, "transform": "affine",
///       "subnet": { "widths": [128, 128], "activation": "silu", "dropout": 0.0, "residual": false },
///       "permutation": "random", "actnorm": true, "clamp": "atan", "clamp_value": 1.9,
///       "bins": 16, "bound": 5.0 }
///
/// Missing keys take the default; unknown keys and invalid values are decoding errors that name
/// the key. `bins` and `bound` only matter for `"spline"`, `clamp`/`clamp_value` for `"affine"`.
public struct CouplingFlowConfiguration: Codable, Equatable, Sendable {
  /// The coupling transform: affine (soft-clamped scale and shift) or rational-quadratic spline.
  public enum TransformKind: String, Codable, Sendable, CaseIterable { case affine, spline }
  /// The fixed mixing before each coupling: random index permutation, random rotation, none.
  public enum PermutationKind: String, Codable, Sendable, CaseIterable { case random, orthogonal, none }
  /// The affine log-scale clamp: (2α/π)·atan(a/α), α·tanh(a/α), or none.
  public enum ClampKind: String, Codable, Sendable, CaseIterable { case atan, tanh, none }

  /// Number of blocks (ActNorm → permutation → coupling).
  public var depth: Int
  public var transform: TransformKind
  public var subnet: CouplingSubnetConfiguration
  public var permutation: PermutationKind
  /// Whether each block starts with an ActNorm.
  public var actnorm: Bool
  public var clamp: ClampKind
  /// α of the soft clamp (|s| < α).
  public var clampValue: Double
  /// K, the number of spline bins.
  public var bins: Int
  /// B: the spline acts on [−B, B] and is the identity outside.
  public var bound: Double

  public init(depth: Int = 6, transform: TransformKind = .affine,
              subnet: CouplingSubnetConfiguration = CouplingSubnetConfiguration(),
              permutation: PermutationKind = .random, actnorm: Bool = true, clamp: ClampKind = .atan,
              clampValue: Double = 1.9, bins: Int = 16, bound: Double = 5) {
    self.depth = depth
    self.transform = transform
    self.subnet = subnet
    self.permutation = permutation
    self.actnorm = actnorm
    self.clamp = clamp
    self.clampValue = clampValue
    self.bins = bins
    self.bound = bound
  }

  enum CodingKeys: String, CodingKey, CaseIterable {
    case type, depth, transform, subnet, permutation, actnorm, clamp
    case clampValue = "clamp_value"
    case bins, bound
  }

  /// The `"type"` this configuration is decoded from.
  public static let typeName = "coupling_flow"

  /// The first problem with the values as (key, message), or nil when they are valid.
  public var problem: (key: String, message: String)? {
    if depth < 1 { return ("depth", "must be ≥ 1, got \(depth)") }
    if let (key, message) = subnet.problem { return ("subnet." + key, message) }
    if !(clampValue > 0 && clampValue.isFinite) { return ("clamp_value", "must be positive, got \(clampValue)") }
    if bins < 2 { return ("bins", "must be ≥ 2, got \(bins)") }
    if !(bound > 0 && bound.isFinite) { return ("bound", "must be positive, got \(bound)") }
    return nil
  }

  public init(from decoder: Decoder) throws {
    try rejectUnknownKeys(decoder, known: CodingKeys.allCases.map(\.rawValue))
    let c = try decoder.container(keyedBy: CodingKeys.self)
    if let type = try c.decodeIfPresent(String.self, forKey: .type), type != Self.typeName {
      throw DecodingError.dataCorruptedError(forKey: .type, in: c,
                                             debugDescription: "expected \"\(Self.typeName)\", got \"\(type)\"")
    }
    let d = CouplingFlowConfiguration()
    depth = try c.decodeIfPresent(Int.self, forKey: .depth) ?? d.depth
    transform = try c.decodeIfPresent(TransformKind.self, forKey: .transform) ?? d.transform
    subnet = try c.decodeIfPresent(CouplingSubnetConfiguration.self, forKey: .subnet) ?? d.subnet
    permutation = try c.decodeIfPresent(PermutationKind.self, forKey: .permutation) ?? d.permutation
    actnorm = try c.decodeIfPresent(Bool.self, forKey: .actnorm) ?? d.actnorm
    clamp = try c.decodeIfPresent(ClampKind.self, forKey: .clamp) ?? d.clamp
    clampValue = try c.decodeIfPresent(Double.self, forKey: .clampValue) ?? d.clampValue
    bins = try c.decodeIfPresent(Int.self, forKey: .bins) ?? d.bins
    bound = try c.decodeIfPresent(Double.self, forKey: .bound) ?? d.bound
    if let (key, message) = problem {
      throw DecodingError.dataCorrupted(DecodingError.Context(
        codingPath: decoder.codingPath + key.split(separator: ".").map { AnyCodingKey(stringValue: String($0)) },
        debugDescription: "\(key) \(message)"))
    }
  }

  public func encode(to encoder: Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(Self.typeName, forKey: .type)
    try c.encode(depth, forKey: .depth)
    try c.encode(transform, forKey: .transform)
    try c.encode(subnet, forKey: .subnet)
    try c.encode(permutation, forKey: .permutation)
    try c.encode(actnorm, forKey: .actnorm)
    try c.encode(clamp, forKey: .clamp)
    try c.encode(clampValue, forKey: .clampValue)
    try c.encode(bins, forKey: .bins)
    try c.encode(bound, forKey: .bound)
  }

  /// The affine clamp these settings describe.
  public var softClamp: SoftClamp {
    switch clamp {
    case .atan: return .atan(clampValue)
    case .tanh: return .tanh(clampValue)
    case .none: return .none
    }
  }
}
