import RealModule

/// The Cholesky factorisation A = LLᵀ of a symmetric positive definite d×d matrix, L lower
/// triangular with positive diagonal.
///
/// Computed column by column (Cholesky–Banachiewicz):
///
///     Lⱼⱼ = √(Aⱼⱼ − Σₖ<ⱼ Lⱼₖ²),      Lᵢⱼ = (Aᵢⱼ − Σₖ<ⱼ Lᵢₖ Lⱼₖ) / Lⱼⱼ  (i > j)
///
/// A pivot Aⱼⱼ − Σ Lⱼₖ² that is not > 0 means A is not positive definite (numerically) and
/// throws `DistributionError.notPositiveDefinite`. Only the lower triangle of A is used after
/// a symmetry check (|Aᵢⱼ − Aⱼᵢ| ≤ 10⁻¹⁰ √(AᵢᵢAⱼⱼ)).
public struct Cholesky: Sendable {
  /// The dimension d.
  public let dimension: Int
  /// L in row-major order (d·d values, zeros above the diagonal).
  public let lower: [Double]

  /// Factorises `matrix` (d rows of d values).
  public init(_ matrix: [[Double]]) throws {
    let d = matrix.count
    try DistributionError.require(d > 0, "Cholesky", "matrix", "non-empty", "[]")
    for (i, row) in matrix.enumerated() {
      try DistributionError.require(row.count == d, "Cholesky", "matrix row \(i)",
                                    "of length \(d) (square)", "length \(row.count)")
      for (j, value) in row.enumerated() {
        try DistributionError.require(value.isFinite, "Cholesky", "matrix[\(i)][\(j)]",
                                      "finite", value)
      }
    }
    for i in 0..<d {
      for j in 0..<i {
        let tolerance = 1e-10 * (abs(matrix[i][i]) * abs(matrix[j][j])).squareRoot()
        try DistributionError.require(
          abs(matrix[i][j] - matrix[j][i]) <= tolerance, "Cholesky", "matrix", "symmetric",
          "[\(i)][\(j)] = \(matrix[i][j]) vs [\(j)][\(i)] = \(matrix[j][i])")
      }
    }
    var l = [Double](repeating: 0, count: d * d)
    for j in 0..<d {
      var pivot = matrix[j][j]
      for k in 0..<j { pivot -= l[j * d + k] * l[j * d + k] }
      guard pivot > 0 else { throw DistributionError.notPositiveDefinite(column: j, pivot: pivot) }
      let ljj = pivot.squareRoot()
      l[j * d + j] = ljj
      for i in (j + 1)..<d {
        var s = matrix[i][j]
        for k in 0..<j { s -= l[i * d + k] * l[j * d + k] }
        l[i * d + j] = s / ljj
      }
    }
    dimension = d
    lower = l
  }

  /// log det A = 2 Σⱼ log Lⱼⱼ.
  public var logDeterminant: Double {
    (0..<dimension).reduce(0) { $0 + 2 * Double.log(lower[$1 * dimension + $1]) }
  }

  /// Overwrites b with L⁻¹b (forward substitution); b has `dimension` values.
  public func solveLower(_ b: UnsafeMutableBufferPointer<Double>) {
    precondition(b.count == dimension, "solveLower: expected \(dimension) values")
    let d = dimension
    for i in 0..<d {
      var s = b[i]
      for k in 0..<i { s -= lower[i * d + k] * b[k] }
      b[i] = s / lower[i * d + i]
    }
  }

  /// Overwrites z with Lz; z has `dimension` values.
  @inlinable
  public func multiplyLower(_ z: UnsafeMutableBufferPointer<Double>) {
    precondition(z.count == dimension, "multiplyLower: expected \(dimension) values")
    let d = dimension
    // Row i reads z₀…zᵢ, so rows are done from the bottom up, each overwriting only zᵢ.
    for i in stride(from: d - 1, through: 0, by: -1) {
      var s = 0.0
      for k in 0...i { s += lower[i * d + k] * z[k] }
      z[i] = s
    }
  }
}
