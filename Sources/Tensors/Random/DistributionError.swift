/// Why a distribution could not be constructed from the given parameters.
public enum DistributionError: Error, Equatable, CustomStringConvertible {
  /// `parameter` of `distribution` violates `requirement`; `value` shows what was passed.
  case invalidParameter(distribution: String, parameter: String, requirement: String, value: String)
  /// A covariance matrix is not positive definite: the Cholesky factorisation met pivot
  /// `pivot` ≤ 0 (or NaN) at `column` (0-based).
  case notPositiveDefinite(column: Int, pivot: Double)

  public var description: String {
    switch self {
    case let .invalidParameter(distribution, parameter, requirement, value):
      "\(distribution): \(parameter) must be \(requirement), got \(value)"
    case let .notPositiveDefinite(column, pivot):
      "matrix is not positive definite: Cholesky pivot \(pivot) in column \(column)"
    }
  }

  /// Throws `invalidParameter` unless `condition` holds (NaN parameters fail every condition).
  static func require(_ condition: Bool, _ distribution: String, _ parameter: String,
                      _ requirement: String, _ value: some CustomStringConvertible) throws {
    if !condition {
      throw DistributionError.invalidParameter(distribution: distribution, parameter: parameter,
                                               requirement: requirement, value: "\(value)")
    }
  }
}
