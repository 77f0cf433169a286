import RealModule

/// The multivariate normal distribution N(μ, Σ) in d dimensions.
///
///     p(x) = (2π)^{−d/2} det(Σ)^{−½} exp(−½ (x − μ)ᵀ Σ⁻¹ (x − μ))
///          = exp(−½ ‖L⁻¹(x − μ)‖² − Σⱼ log Lⱼⱼ − (d/2) log 2π),   Σ = LLᵀ (`Cholesky`)
///
/// Sampling: x = μ + Lz with z a vector of independent ziggurat normals. `sample(_:into:)`
/// writes into caller-owned memory and allocates nothing; `logDensity` takes its scratch from
/// `withUnsafeTemporaryAllocation` (on the stack for small d).
public struct MultivariateNormal: Distribution, Sendable {
  /// The mean vector μ.
  public let mean: [Double]
  /// The covariance matrix Σ (as given, rows of d values).
  public let covariance: [[Double]]
  /// The Cholesky factor of Σ.
  public let cholesky: Cholesky
  let logNormalizer: Double

  /// N(mean, covariance); throws if a mean entry is not finite, the covariance is not d×d,
  /// not symmetric, or not positive definite.
  public init(mean: [Double], covariance: [[Double]]) throws {
    try DistributionError.require(!mean.isEmpty, "MultivariateNormal", "mean", "non-empty", "[]")
    for (i, m) in mean.enumerated() {
      try DistributionError.require(m.isFinite, "MultivariateNormal", "mean[\(i)]", "finite", m)
    }
    try DistributionError.require(covariance.count == mean.count, "MultivariateNormal",
                                  "covariance", "\(mean.count)×\(mean.count) like the mean",
                                  "\(covariance.count) rows")
    self.mean = mean
    self.covariance = covariance
    cholesky = try Cholesky(covariance)
    logNormalizer = -0.5 * (Double(mean.count) * Double.log(2 * Double.pi)
                            + cholesky.logDeterminant)
  }

  /// The dimension d.
  public var dimension: Int { mean.count }

  /// One draw as a new array.
  @inlinable
  public func sample(_ rng: inout RandomStream) -> [Double] {
    [Double](unsafeUninitializedCapacity: mean.count) { buffer, count in
      sample(&rng, into: buffer)
      count = mean.count
    }
  }

  /// One draw written into `x`, which must hold `dimension` values.
  @inlinable
  public func sample(_ rng: inout RandomStream, into x: UnsafeMutableBufferPointer<Double>) {
    precondition(x.count == mean.count, "MultivariateNormal.sample: expected \(mean.count) values")
    for i in 0..<x.count { x[i] = rng.normal() }
    cholesky.multiplyLower(x)
    for i in 0..<x.count { x[i] += mean[i] }
  }

  /// log p(x); x must have `dimension` values.
  public func logDensity(_ x: [Double]) -> Double {
    precondition(x.count == mean.count, "MultivariateNormal.logDensity: expected \(mean.count) values")
    return withUnsafeTemporaryAllocation(of: Double.self, capacity: x.count) { r in
      for i in 0..<x.count { r[i] = x[i] - mean[i] }
      cholesky.solveLower(r)
      var q = 0.0
      for v in r { q += v * v }
      return logNormalizer - 0.5 * q
    }
  }
}
