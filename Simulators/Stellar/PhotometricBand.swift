import Foundation

/// A photometric band of the PARSEC grid, with the effective wavelength used for extinction.
///
/// U B V R I J H K are CMD's "UBVRIJHK (Maíz Apellániz 2006 + Bessell 1990)" set: Johnson UBV,
/// Cousins R_C I_C and Bessell & Brett (1988) JHK — not 2MASS. Their wavelengths are the
/// Vega effective wavelengths of Bessell (2005, ARA&A 43, 293, Table 1). G, G_BP, G_RP are the
/// Gaia EDR3 passbands (Vega system) at their approximate pivot wavelengths; these bands are
/// so broad that a single-wavelength extinction ratio is only a first approximation (the true
/// A_G/A_V depends on Teff and A_V by ~10%).
public enum PhotometricBand: String, CaseIterable, Sendable {
  case U, B, V, R, I, J, H, K, G, G_BP, G_RP

  /// Effective wavelength λ_eff in μm.
  public var effectiveWavelength: Double {
    switch self {
    case .U: 0.366
    case .B: 0.438
    case .V: 0.545
    case .R: 0.641
    case .I: 0.798
    case .J: 1.22
    case .H: 1.63
    case .K: 2.19
    case .G: 0.622
    case .G_BP: 0.511
    case .G_RP: 0.777
    }
  }

  /// The band's column in `StellarGrid`.
  public var column: StellarGrid.Column {
    StellarGrid.Column(rawValue: StellarGrid.Column.U.rawValue + PhotometricBand.allCases.firstIndex(of: self)!)!
  }

  /// A_band / A_V for the Cardelli, Clayton & Mathis (1989) law with `rV`, evaluated at this
  /// band's effective wavelength and normalised so that V gives exactly 1 (A_V is then the
  /// extinction in the grid's own V band).
  public func extinctionRatio(rV: Double = 3.1) -> Double {
    CCM89.extinctionRatio(wavelength: effectiveWavelength, rV: rV)
      / CCM89.extinctionRatio(wavelength: PhotometricBand.V.effectiveWavelength, rV: rV)
  }
}

/// The Cardelli, Clayton & Mathis (1989, ApJ 345, 245) mean extinction law.
///
///     A(λ)/A(V) = a(x) + b(x)/R_V,   x = 1/λ [μm⁻¹]
///
/// * infrared, 0.3 ≤ x < 1.1:  a = 0.574 x^1.61,  b = −0.527 x^1.61   (eq. 2)
/// * optical/NIR, 1.1 ≤ x < 3.3, y = x − 1.82 (eq. 3):
///   a = 1 + 0.17699y − 0.50447y² − 0.02427y³ + 0.72085y⁴ + 0.01979y⁵ − 0.77530y⁶ + 0.32999y⁷
///   b = 1.41338y + 2.28305y² + 1.07233y³ − 5.38434y⁴ − 0.62251y⁵ + 5.30260y⁶ − 2.09002y⁷
/// * ultraviolet, 3.3 ≤ x ≤ 8 (eq. 4), with F_a = F_b = 0 below x = 5.9:
///   a = 1.752 − 0.316x − 0.104/((x − 4.67)² + 0.341) + F_a
///   b = −3.090 + 1.825x + 1.206/((x − 4.62)² + 0.263) + F_b
///   F_a = −0.04473(x − 5.9)² − 0.009779(x − 5.9)³,  F_b = 0.2130(x − 5.9)² + 0.1207(x − 5.9)³
/// * far UV, 8 < x ≤ 10 (eq. 5):
///   a = −1.073 − 0.628(x − 8) + 0.137(x − 8)² − 0.070(x − 8)³
///   b = 13.670 + 4.257(x − 8) − 0.420(x − 8)² + 0.374(x − 8)³
public enum CCM89 {
  /// The wavelengths (μm) where the law is defined: x = 1/λ in [0.3, 10].
  public static let validWavelengths: ClosedRange<Double> = 0.1...(1 / 0.3)

  /// A(λ)/A(V) at `wavelength` (μm) for total-to-selective extinction `rV`; NaN outside
  /// `validWavelengths`.
  public static func extinctionRatio(wavelength: Double, rV: Double = 3.1) -> Double {
    let (a, b) = coefficients(x: 1 / wavelength)
    return a + b / rV
  }

  /// The coefficients a(x), b(x) at inverse wavelength `x` (μm⁻¹).
  public static func coefficients(x: Double) -> (a: Double, b: Double) {
    switch x {
    case 0.3..<1.1:
      let p = Foundation.pow(x, 1.61)
      return (0.574 * p, -0.527 * p)
    case 1.1..<3.3:
      let y = x - 1.82
      let a = 1 + y * (0.17699 + y * (-0.50447 + y * (-0.02427 + y * (0.72085
        + y * (0.01979 + y * (-0.77530 + y * 0.32999))))))
      let b = y * (1.41338 + y * (2.28305 + y * (1.07233 + y * (-5.38434
        + y * (-0.62251 + y * (5.30260 + y * -2.09002))))))
      return (a, b)
    case 3.3...8:
      var fa = 0.0, fb = 0.0
      if x >= 5.9 {
        let y = x - 5.9
        fa = -0.04473 * y * y - 0.009779 * y * y * y
        fb = 0.2130 * y * y + 0.1207 * y * y * y
      }
      let a = 1.752 - 0.316 * x - 0.104 / ((x - 4.67) * (x - 4.67) + 0.341) + fa
      let b = -3.090 + 1.825 * x + 1.206 / ((x - 4.62) * (x - 4.62) + 0.263) + fb
      return (a, b)
    case 8...10:
      let y = x - 8
      return (-1.073 + y * (-0.628 + y * (0.137 - 0.070 * y)),
              13.670 + y * (4.257 + y * (-0.420 + 0.374 * y)))
    default:
      return (.nan, .nan)
    }
  }
}
