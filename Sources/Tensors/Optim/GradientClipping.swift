/// The global L2 norm of all gradients, ‖g‖ = √(Σₚ Σᵢ gₚᵢ²), accumulated in Double.
public func globalGradientNorm<S>(_ parameters: [Parameter<S>]) -> Double {
  var sum = 0.0
  for p in parameters { sum += sumOfSquares(p.grad, count: p.count) }
  return sum.squareRoot()
}

/// Σ xᵢ² accumulated in Double, eight lanes at a time (non-finite if any xᵢ is).
public func sumOfSquares<S: TensorScalar>(_ x: UnsafePointer<S>, count n: Int) -> Double {
  var acc = SIMD8<Double>(repeating: 0)
  var i = 0
  while i + 8 <= n {
    let v = UnsafeRawPointer(x + i).loadUnaligned(as: SIMD8<S>.self)
    var d = SIMD8<Double>()
    for k in 0..<8 { d[k] = Double(v[k]) }
    acc += d * d
    i += 8
  }
  var sum = acc.sum()
  while i < n { let v = Double(x[i]); sum += v * v; i += 1 }
  return sum
}

/// Global-norm clipping (Pascanu et al. 2013): if ‖g‖ > maxNorm, every gradient is scaled by
/// maxNorm/‖g‖, preserving its direction. Returns ‖g‖ before clipping (non-finite if any
/// gradient is; the caller must then skip the step).
@discardableResult
public func clipGradients<S>(_ parameters: [Parameter<S>], maxNorm: Double) -> Double {
  let norm = globalGradientNorm(parameters)
  guard norm.isFinite, norm > maxNorm, maxNorm > 0 else { return norm }
  let scale = S(maxNorm / norm)
  for p in parameters {
    let g = p.grad
    for i in 0..<p.count { g[i] *= scale }
  }
  return norm
}
