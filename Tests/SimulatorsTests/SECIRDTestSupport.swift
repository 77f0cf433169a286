import Foundation
import Simulators

/// Shared fixtures of the SECIRD tests.
enum SECIRDFixture {
  /// θ near the authors' posterior medians for Germany (specs/secird_covid.md), with ramps of
  /// 3 days, no weekly modulation phase and delays L = (5.7, 13.3, 11.6) → (6, 13, 12).
  static let theta: [Double] = [
    7.2, 15.0, 22.3, 35.1,          // t1…t4 → 7, 15, 22, 35
    3.0, 3.0, 3.0, 3.0,             // dt1…dt4
    3.02, 0.30, 0.33, 0.081, 0.119, // lambda0…lambda4
    0.13,                           // mu
    0.7, 0.7, 0.7,                  // f_I, f_R, f_D
    0.0, 0.0, 0.0,                  // phi_I, phi_R, phi_D
    5.7, 13.3, 11.6,                // L_I, L_R, L_D
    18,                             // E0
    7.7, 11.0, 2.5,                 // sigma_I, sigma_R, sigma_D
    0.74, 0.25, 0.159, 0.30, 0.24, 0.042, 0.15, // alpha, beta, gamma, eta, theta, delta, d
  ]

  static func index(_ name: String) -> Int { SECIRD.parameterNames.firstIndex(of: name)! }

  /// `theta` with the named entries replaced.
  static func theta(_ changes: [String: Double]) -> [Double] {
    var th = theta
    for (name, value) in changes { th[index(name)] = value }
    return th
  }
}

/// Mean and (n − 1)-variance.
func meanAndVariance(_ xs: [Double]) -> (mean: Double, variance: Double) {
  let n = Double(xs.count)
  let mean = xs.reduce(0, +) / n
  let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (n - 1)
  return (mean, variance)
}
