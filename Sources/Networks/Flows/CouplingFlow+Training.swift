import Tensors

/// What one guarded gradient evaluation produced.
public struct FlowGradientStep: Sendable, Equatable {
  /// The batch loss mean(½‖z‖² − log|det J|) (add (D/2)·log 2π for the NLL).
  public var loss: Double
  /// ‖∇‖ over the checked parameters (before any clipping).
  public var gradientNorm: Double
}

extension CouplingFlow {
  /// The loss of a batch and its gradients, added into `Parameter.grad` only when usable.
  ///
  /// Returns nil at once if θ or c holds a NaN or ±∞ (before the forward pass, so not even the
  /// ActNorm initialisation sees the batch). Otherwise evaluates `loss(θ, c)` in θ's graph and
  /// returns nil if it is not finite (an overflow), before back-propagating; then
  /// back-propagates, and returns nil if the global norm of this graph's gradients of the flow's
  /// trainable parameters and of `otherParameters` (e.g. a summary network's, whose output c
  /// is) is not finite. Only then are the gradients added into every parameter's `grad`
  /// (`accumulateParameterGradients`). A nil result leaves all weights and all `grad`s exactly
  /// as they were: the trainer skips the step (and counts it).
  public func accumulateGradients(_ theta: Tensor<S>, condition c: Tensor<S>?,
                                  otherParameters: [Parameter<S>] = []) -> FlowGradientStep? {
    let graph = theta.graph
    guard SumOfSquaresKernel.sum(theta.pointer, count: theta.count).isFinite,
          c.map({ SumOfSquaresKernel.sum($0.pointer, count: $0.count).isFinite }) ?? true else { return nil }
    let loss = self.loss(theta, condition: c)
    let value = Double(loss.item)
    guard value.isFinite else { return nil }
    graph.backward(from: loss)
    var squares = 0.0
    for list in [trainable, otherParameters] {
      for p in list {
        guard let g = graph.gradient(of: p) else { continue }
        squares += SumOfSquaresKernel.sum(g, count: p.count)
      }
    }
    guard squares.isFinite else { return nil }
    graph.accumulateParameterGradients()
    return FlowGradientStep(loss: value, gradientNorm: squares.squareRoot())
  }
}

/// Σ vᵢ² in Double (non-finite if any vᵢ is).
private struct SumOfSquaresKernel: ScalarKernel {
  let values: UnsafeMutableRawPointer, count: Int
  let result: UnsafeMutablePointer<Double>

  static func sum<S: TensorScalar>(_ v: UnsafeMutablePointer<S>, count: Int) -> Double {
    var total = 0.0
    withUnsafeMutablePointer(to: &total) {
      SumOfSquaresKernel(values: v.raw, count: count, result: $0).run(specializedFor: S.self)
    }
    return total
  }

  func run<T: TensorScalar>(_: T.Type) {
    let v = values.typed(T.self)
    var total = 0.0
    for i in 0..<count { let x = Double(v[i]); total += x * x }
    result.pointee = total
  }
}
