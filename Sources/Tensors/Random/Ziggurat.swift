import RealModule

/// Tables of the 256-layer ziggurat for the standard normal (Marsaglia & Tsang 2000).
///
/// With f(x) = exp(−x²/2), layer edges satisfy x₁ = r, f(xᵢ₊₁) = f(xᵢ) + v/xᵢ, x₂₅₆ = 0, and
/// the base layer 0 has the virtual width x₀ = v/f(r) (its area v includes the tail beyond r).
/// Layer i is the rectangle [0, xᵢ] × [f(xᵢ), f(xᵢ₊₁)]. A draw picks a layer i and
/// x = U·xᵢ; it is accepted at once when x < xᵢ₊₁, i.e. when the 53-bit integer j behind U is
/// below kᵢ = ⌊2⁵³·xᵢ₊₁/xᵢ⌋. `w[i]` = xᵢ/2⁵³ turns j into x; `f[i]` = f(xᵢ).
@usableFromInline
enum Ziggurat {
  @usableFromInline static let r = 3.6541528853610088
  static let v = 0.00492867323399
  static let layers = 256
  @usableFromInline static let (k, w, f): ([UInt64], [Double], [Double]) = {
    let n = layers
    let m = 0x1.0p53
    var x = [Double](repeating: 0, count: n + 1)
    let fr = Double.exp(-0.5 * r * r)
    x[0] = v / fr
    x[1] = r
    for i in 1..<(n - 1) {
      x[i + 1] = (-2 * Double.log(v / x[i] + Double.exp(-0.5 * x[i] * x[i]))).squareRoot()
    }
    x[n] = 0
    var k = [UInt64](repeating: 0, count: n)
    var w = [Double](repeating: 0, count: n)
    var f = [Double](repeating: 0, count: n + 1)
    for i in 0..<n {
      k[i] = UInt64((x[i + 1] / x[i]) * m)
      w[i] = x[i] / m
    }
    for i in 0...n { f[i] = Double.exp(-0.5 * x[i] * x[i]) }
    f[0] = fr  // the base layer's top edge is f(r)
    return (k, w, f)
  }()
}
