import Foundation

/// Axis ticks at "nice" values (Heckbert 1990, "Nice numbers for graph labels", Graphics Gems I).
///
/// The spacing is a nice number — 1, 2, 5 or 10 times a power of ten — near range/(n − 1) for
/// about n ticks; ticks are the multiples of the spacing inside [lower, upper].
public struct NiceTicks: Sendable {
  public let values: [Double]
  public let step: Double

  public init(lower: Double, upper: Double, count n: Int = 5) {
    precondition(lower.isFinite && upper.isFinite, "NiceTicks: non-finite bounds")
    let span = upper > lower ? upper - lower : max(abs(lower), 1)
    let s = NiceTicks.niceNumber(span / Double(max(n - 1, 1)))
    step = s
    var v: [Double] = []
    var t = Foundation.ceil(lower / s - 1e-9) * s
    while t <= upper + s * 1e-9 {
      v.append(abs(t) < s * 1e-9 ? 0 : t)
      t += s
    }
    values = v
  }

  /// The nice number nearest x: with x = f·10ᵉ, f ∈ [1, 10), f is rounded to 1, 2, 5 or 10.
  static func niceNumber(_ x: Double) -> Double {
    let e = Foundation.floor(Foundation.log10(x))
    let f = x / Foundation.pow(10, e)
    return (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * Foundation.pow(10, e)
  }
}
