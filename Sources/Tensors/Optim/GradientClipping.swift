/// The global L2 norm of all gradients, ‖g‖ = √(Σₚ Σᵢ gₚᵢ²), accumulated in Double.
public func globalGradientNorm<S>(_ parameters: [Parameter<S>]) -> Double {
  var sum = 0.0
  for p in parameters {
    let g = p.grad
    for i in 0..<p.count { let v = Double(g[i]); sum += v * v }
  }
  return sum.squareRoot()
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
