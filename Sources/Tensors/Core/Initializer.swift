import RealModule

/// Weight initialisation schemes for a weight matrix W [fanIn, fanOut].
public enum Initializer: String, Sendable, CaseIterable, Codable {
  /// U(−a, a), a = √(6/(fanIn + fanOut)) (Glorot & Bengio 2010).
  case glorotUniform = "glorot_uniform"
  /// N(0, 2/fanIn) (He et al. 2015), for ReLU-like activations.
  case heNormal = "he_normal"
  /// U(−a, a), a = √(6/fanIn).
  case heUniform = "he_uniform"
  /// A random (semi-)orthogonal matrix: Q of the QR decomposition of a standard normal matrix,
  /// with column signs fixed by R's diagonal (Saxe et al. 2014).
  case orthogonal
  /// All zeros (used for the last layer of coupling subnets, so a fresh block is the identity).
  case zeros

  /// Fills `p` (a [fanIn, fanOut] matrix, or any shape treated as [count/fanOut, fanOut]).
  public func initialize<S: TensorScalar>(_ p: Parameter<S>, fanIn: Int, fanOut: Int, rng: inout RandomStream) {
    let n = p.count
    switch self {
    case .zeros:
      p.value.update(repeating: 0, count: n)
    case .glorotUniform:
      let a = (6.0 / Double(fanIn + fanOut)).squareRoot()
      for i in 0..<n { p.value[i] = S(rng.uniform(-a, a)) }
    case .heUniform:
      let a = (6.0 / Double(fanIn)).squareRoot()
      for i in 0..<n { p.value[i] = S(rng.uniform(-a, a)) }
    case .heNormal:
      let sd = (2.0 / Double(fanIn)).squareRoot()
      for i in 0..<n { p.value[i] = S(rng.normal() * sd) }
    case .orthogonal:
      let q = Initializer.randomOrthogonal(rows: n / fanOut, cols: fanOut, rng: &rng)
      for i in 0..<n { p.value[i] = S(q[i]) }
    }
  }

  /// A rows×cols matrix (row-major) with orthonormal rows (rows ≤ cols) or columns (rows ≥ cols),
  /// by Householder QR of a standard normal matrix.
  public static func randomOrthogonal(rows: Int, cols: Int, rng: inout RandomStream) -> [Double] {
    // Work on a tall matrix A [m, k] (m ≥ k) and transpose back if needed.
    let tall = rows >= cols
    let m = tall ? rows : cols, k = tall ? cols : rows
    var a = (0..<(m * k)).map { _ in rng.normal() }
    let q = householderQ(&a, m: m, k: k)
    if tall { return q }
    var t = [Double](repeating: 0, count: rows * cols)
    for i in 0..<m { for j in 0..<k { t[j * cols + i] = q[i * k + j] } }
    return t
  }

  /// Q [m, k] of A = QR (A [m, k] row-major, m ≥ k), with sign(diag R) folded into Q so that
  /// Q is Haar-distributed.
  static func householderQ(_ a: inout [Double], m: Int, k: Int) -> [Double] {
    var vs: [[Double]] = []
    var signs = [Double](repeating: 1, count: k)
    for j in 0..<k {
      var norm = 0.0
      for i in j..<m { norm += a[i * k + j] * a[i * k + j] }
      norm = norm.squareRoot()
      let alpha = a[j * k + j] >= 0 ? -norm : norm
      var v = [Double](repeating: 0, count: m)
      for i in j..<m { v[i] = a[i * k + j] }
      v[j] -= alpha
      let vnorm2 = v.reduce(0) { $0 + $1 * $1 }
      if vnorm2 > 0 {
        for c in j..<k {
          var dot = 0.0
          for i in j..<m { dot += v[i] * a[i * k + c] }
          let f = 2 * dot / vnorm2
          for i in j..<m { a[i * k + c] -= f * v[i] }
        }
      }
      signs[j] = a[j * k + j] < 0 ? -1 : 1
      vs.append(v)
    }
    // Q = H₀ H₁ … H_{k−1} applied to the first k columns of the identity.
    var q = [Double](repeating: 0, count: m * k)
    for j in 0..<k { q[j * k + j] = 1 }
    for j in stride(from: k - 1, through: 0, by: -1) {
      let v = vs[j]
      let vnorm2 = v.reduce(0) { $0 + $1 * $1 }
      guard vnorm2 > 0 else { continue }
      for c in 0..<k {
        var dot = 0.0
        for i in j..<m { dot += v[i] * q[i * k + c] }
        let f = 2 * dot / vnorm2
        for i in j..<m { q[i * k + c] -= f * v[i] }
      }
    }
    for i in 0..<m { for j in 0..<k { q[i * k + j] *= signs[j] } }
    return q
  }
}
