/// Branch-free single-precision elementary functions for elementwise kernels.
///
/// Each is an `@inline(__always)` function of one `Float` made of multiplies, adds, selects and
/// integer bit operations only, so a plain loop over an array of them auto-vectorises (SSE2
/// baseline: rounding uses the 1.5·2²³ magic-number trick instead of `roundps`). NaN inputs give
/// NaN outputs, so a diverging network is still detected downstream. Accuracy is stated per
/// function; all are tested against the libm `Double` functions in `FastMathTests`.
public enum FastMath {
  /// eˣ, relative error < 2·10⁻⁷ on [−87.3, 88.7]; inputs outside are clamped to that range
  /// (so e^−100 gives ≈1.2·10⁻³⁸, not a denormal).
  ///
  /// x = k·ln2 + r with k = round(x·log₂e), |r| ≤ ln2/2 (ln2 split hi + lo for an exact
  /// reduction); eʳ by the degree-6 Cephes polynomial; 2ᵏ written into the exponent bits.
  @inline(__always) public static func exp(_ x: Float) -> Float {
    let xc = x < -87.33654 ? -87.33654 : (x > 88.72283 ? 88.72283 : x)
    let shifted = xc * 1.442695041 + 12582912.0  // 1.5·2²³ + k: the low mantissa bits hold k
    let kf = shifted - 12582912.0
    let r = xc - kf * 0.693359375 - kf * -2.12194440e-4
    var p: Float = 1.9875691500e-4
    p = p * r + 1.3981999507e-3
    p = p * r + 8.3334519073e-3
    p = p * r + 4.1665795894e-2
    p = p * r + 1.6666665459e-1
    p = p * r + 5.0000001201e-1
    let er = p * r * r + r + 1
    let k = shifted.bitPattern &- 0x4B40_0000  // two's-complement k in the low bits
    let scale = Float(bitPattern: (k &+ 127) &<< 23)
    return er * scale
  }

  /// ln x for x > 0 (relative error < 3·10⁻⁷); −∞ at 0, NaN for x < 0 or NaN, +∞ at +∞.
  ///
  /// x = m·2ᵉ with m ∈ [√½, √2); ln m = u − u²/2 + u³·P(u), u = m − 1 (Cephes `logf`);
  /// ln x = ln m + e·ln2 with ln2 split hi + lo.
  @inline(__always) public static func log(_ x: Float) -> Float {
    let bits = x.bitPattern
    var e = Float(Int32(bitPattern: (bits >> 23) & 0xFF) &- 126)
    var m = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F00_0000)  // m ∈ [0.5, 1)
    let small = m < 0.707106781186547524
    e = small ? e - 1 : e
    m = small ? m + m - 1 : m - 1
    let z = m * m
    var p: Float = 7.0376836292e-2
    p = p * m - 1.1514610310e-1
    p = p * m + 1.1676998740e-1
    p = p * m - 1.2420140846e-1
    p = p * m + 1.4249322787e-1
    p = p * m - 1.6668057665e-1
    p = p * m + 2.0000714765e-1
    p = p * m - 2.4999993993e-1
    p = p * m + 3.3333331174e-1
    var y = p * m * z
    y += e * -2.12194440e-4
    y -= 0.5 * z
    let result = m + y + e * 0.693359375
    let positiveFinite = x > 0 && x < .infinity
    return positiveFinite ? result : (x == 0 ? -.infinity : (x == .infinity ? .infinity : .nan))
  }

  /// ln(1 + eˣ) (softplus), computed as max(x, 0) + ln(1 + e^−|x|): no overflow.
  @inline(__always) public static func softplus(_ x: Float) -> Float {
    let ax = x < 0 ? -x : x
    return (x > 0 ? x : 0) + log(1 + exp(-ax))
  }

  /// σ(x) = 1/(1 + e⁻ˣ).
  @inline(__always) public static func sigmoid(_ x: Float) -> Float {
    1 / (1 + exp(-x))
  }

  /// tanh x by a [13/6] odd rational minimax approximation x·P(x²)/Q(x²) on |x| ≤ 7.9053
  /// (where tanh rounds to ±1 in Float), the form used by Eigen's `ptanh_float`; relative error
  /// < 1·10⁻⁶ everywhere (a few ulp), including near 0 where 1 − 2/(e^{2x} + 1) would cancel.
  @inline(__always) public static func tanh(_ x: Float) -> Float {
    let xc = x < -7.90531110763549805 ? -7.90531110763549805 : (x > 7.90531110763549805 ? 7.90531110763549805 : x)
    let x2 = xc * xc
    var p: Float = -2.76076847742355e-16
    p = p * x2 + 2.00018790482477e-13
    p = p * x2 - 8.60467152213735e-11
    p = p * x2 + 5.12229709037114e-08
    p = p * x2 + 1.48572235717979e-05
    p = p * x2 + 6.37261928875436e-04
    p = p * x2 + 4.89352455891786e-03
    p = p * xc
    var q: Float = 1.19825839466702e-06
    q = q * x2 + 1.18534705686654e-04
    q = q * x2 + 2.26843463243900e-03
    q = q * x2 + 4.89352518554385e-03
    return p / q
  }

  /// arctan x (Cephes `atanf`: reduction to |x| ≤ tan(π/8) by atan x = π/4 + atan((x−1)/(x+1))
  /// or π/2 − atan(1/x), then an odd degree-9 polynomial); absolute error < 2·10⁻⁷.
  @inline(__always) public static func atan(_ x: Float) -> Float {
    let ax = x < 0 ? -x : x
    let big = ax > 2.414213562373095
    let mid = ax > 0.4142135623730950
    let y0: Float = big ? 1.5707963267948966 : (mid ? 0.7853981633974483 : 0)
    let xr = big ? -1 / ax : (mid ? (ax - 1) / (ax + 1) : ax)
    let z = xr * xr
    let poly = (((8.05374449538e-2 * z - 1.38776856032e-1) * z + 1.99777106478e-1) * z
      - 3.33329491539e-1) * z * xr + xr
    let r = y0 + poly
    return x < 0 ? -r : r
  }

  /// erf x by Abramowitz & Stegun 7.1.26: 1 − (a₁t + … + a₅t⁵)·e^{−x²}, t = 1/(1 + p|x|);
  /// absolute error < 1.5·10⁻⁷ in exact arithmetic, < 5·10⁻⁷ as evaluated in Float.
  @inline(__always) public static func erf(_ x: Float) -> Float {
    let ax = x < 0 ? -x : x
    let t = 1 / (1 + 0.3275911 * ax)
    let poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    let r = 1 - poly * exp(-ax * ax)
    return x < 0 ? -r : r
  }
}
