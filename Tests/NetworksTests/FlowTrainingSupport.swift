import Foundation
import Tensors
import Networks

/// Data and a training loop for the statistical tests of `CouplingFlow`.

/// Two moons as in scikit-learn's `make_moons(noise: 0.1)`, drawn at random: t ~ U(0, π), a
/// fair coin picks the upper moon (cos t, sin t) or the lower one (1 − cos t, 0.5 − sin t),
/// plus N(0, 0.1²) on each coordinate. Row-major [n, 2].
func twoMoons(_ n: Int, rng: inout RandomStream) -> [Double] {
  var out = [Double](repeating: 0, count: 2 * n)
  for i in 0..<n {
    let t = rng.uniform(0, Double.pi)
    let upper = rng.next() & 1 == 0
    out[2 * i] = (upper ? Foundation.cos(t) : 1 - Foundation.cos(t)) + 0.1 * rng.normal()
    out[2 * i + 1] = (upper ? Foundation.sin(t) : 0.5 - Foundation.sin(t)) + 0.1 * rng.normal()
  }
  return out
}

/// The exact two-moons density: ½·(1/π)∫₀^π [𝒩(x; upper(t), 0.01·I) + 𝒩(x; lower(t), 0.01·I)] dt
/// by the midpoint rule with `nodes` points (spacing π/nodes ≪ σ = 0.1).
func twoMoonsLogDensity(_ x: Double, _ y: Double, nodes: Int = 2000) -> Double {
  let h = Double.pi / Double(nodes), s2 = 0.01
  var sum = 0.0
  for i in 0..<nodes {
    let t = (Double(i) + 0.5) * h, c = Foundation.cos(t), s = Foundation.sin(t)
    let (du, dv) = (x - c, y - s), (dl, dm) = (x - 1 + c, y - 0.5 + s)
    sum += Foundation.exp(-(du * du + dv * dv) / (2 * s2)) + Foundation.exp(-(dl * dl + dm * dm) / (2 * s2))
  }
  return Foundation.log(0.5 * sum * h / Double.pi / (2 * Double.pi * s2))
}

/// Trains `flow` with Adam (cosine schedule with warm-up, global-norm clipping at 5) on batches
/// from `data(rng, batch)` = (θ [batch, D], c [batch, C] or nil), through the guarded
/// `accumulateGradients`. Returns the number of skipped steps.
@discardableResult
func train(_ flow: CouplingFlow<Float>, steps: Int, batch: Int, learningRate: Double, seed: UInt64,
           data: (inout RandomStream, Int) -> (theta: [Double], condition: [Double]?)) -> Int {
  var rng = RandomStream(seed: seed)
  let adam = Adam(parameters: flow.namedParameters)
  let schedule = LearningRateSchedule.cosine(initial: learningRate, totalSteps: steps, warmupSteps: min(200, steps / 10),
                                             finalFraction: 0.01)
  let graph = Graph<Float>(training: true, rng: RandomStream(seed: seed, stream: 1))
  var skipped = 0
  for step in 0..<steps {
    let (theta, condition) = data(&rng, batch)
    graph.reset()
    flow.zeroGradients()
    let t = graph.constant(theta.map { Float($0) }, shape: Shape(batch, flow.dimension))
    let c = condition.map { graph.constant($0.map { Float($0) }, shape: Shape(batch, flow.conditionDimension)) }
    guard flow.accumulateGradients(t, condition: c) != nil else { skipped += 1; continue }
    clipGradients(flow.trainable, maxNorm: 5)
    adam.update(learningRate: schedule.learningRate(at: step))
  }
  return skipped
}

/// Mean log p(θ | c) over rows, evaluated in chunks (Float network, Double sum).
func meanLogProb(_ flow: CouplingFlow<Float>, _ theta: [Double], conditions: [Double]? = nil, chunk: Int = 4096) -> Double {
  let d = flow.dimension, cd = flow.conditionDimension, n = theta.count / d
  let graph = Graph<Float>()
  var total = 0.0
  for start in stride(from: 0, to: n, by: chunk) {
    let rows = min(chunk, n - start)
    graph.reset()
    let t = graph.constant(theta[(start * d)..<((start + rows) * d)].map { Float($0) }, shape: Shape(rows, d))
    let c = conditions.map { graph.constant($0[(start * cd)..<((start + rows) * cd)].map { Float($0) }, shape: Shape(rows, cd)) }
    for v in flow.logProb(t, condition: c).scalars { total += Double(v) }
  }
  return total / Double(n)
}
