import Foundation

/// log|det J| of the Jacobian of f: ℝᴰ → ℝᴰ at x, by central finite differences and an LU
/// decomposition with partial pivoting (all in Double).
public func numericalLogAbsDeterminant(at x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> [Double]) -> Double {
  let d = x.count
  var j = [Double](repeating: 0, count: d * d)
  var xp = x
  for c in 0..<d {
    xp[c] = x[c] + h
    let plus = f(xp)
    xp[c] = x[c] - h
    let minus = f(xp)
    xp[c] = x[c]
    for r in 0..<d { j[r * d + c] = (plus[r] - minus[r]) / (2 * h) }
  }
  return logAbsDeterminant(j, n: d)
}

/// log|det A| for a square row-major A [n, n] by LU with partial pivoting.
public func logAbsDeterminant(_ matrix: [Double], n: Int) -> Double {
  var a = matrix
  var result = 0.0
  for k in 0..<n {
    var p = k
    for r in (k + 1)..<max(n, k + 1) where Swift.abs(a[r * n + k]) > Swift.abs(a[p * n + k]) { p = r }
    if a[p * n + k] == 0 { return -.infinity }
    if p != k { for c in 0..<n { a.swapAt(k * n + c, p * n + c) } }
    let pivot = a[k * n + k]
    result += Foundation.log(Swift.abs(pivot))
    for r in (k + 1)..<max(n, k + 1) {
      let f = a[r * n + k] / pivot
      if f == 0 { continue }
      for c in k..<n { a[r * n + c] -= f * a[k * n + c] }
    }
  }
  return result
}
