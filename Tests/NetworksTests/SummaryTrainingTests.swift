import XCTest
import Foundation
import Tensors
import Networks

/// End to end: a time-series summary network trains jointly with a downstream head through
/// one loss, on variable-length series.
final class SummaryTrainingTests: XCTestCase {
  /// Decay-rate inference: y_t = exp(−k·t/10) + 0.05·ε_t, t = 0 … L−1, L ~ U{20, …, 100},
  /// k ~ U(0.1, 2). A TimeSeriesNetwork (with lengths, series padded to 100) feeds an MLP that
  /// outputs the mean and log-sd of a Gaussian posterior for standardised k; the loss is the
  /// Gaussian negative log-likelihood, so the mean estimates the posterior mean E[k | y].
  ///
  /// Threshold: the prior sd of k is 1.9/√12 ≈ 0.55 (the RMSE of always guessing the prior
  /// mean). The Fisher information of 100 noisy steps gives posterior sds from ≈ 0.01 (small k)
  /// to ≈ 0.1 (k near 2, short series), so the ideal posterior-mean RMSE is of order 0.05. We
  /// require RMSE < 0.1 on 1024 fresh series (fixed seeds): a 5× reduction from the prior after
  /// 1000 steps of batch 64 (≈ 10 s in release mode on one core). Seeds 1, 2, 3 and 31 give
  /// 0.044–0.051, so the threshold has a 2× margin.
  func testLearnsDecayRateOfVariableLengthSeries() {
    let maxLength = 100, batch = 64, steps = 1000
    var rng = RandomStream(seed: 31)
    let config = TimeSeriesNetworkConfig(filters: 8, kernelSizes: [1, 2, 3], convBlocks: 1, blockChannels: 16,
                                         padding: .causal, activation: .relu, recurrent: .lstm, units: 32, summaryDim: 8)
    let summary = TimeSeriesNetwork<Float>(channels: 1, config: config, rng: &rng)
    let head = MLP<Float>(input: summary.summaryDim, widths: [32], output: 2, activation: .silu, rng: &rng)
    let parameters = summary.namedParameters.map { ("summary." + $0.name, $0.parameter) }
      + head.namedParameters.map { ("head." + $0.name, $0.parameter) }
    let adam = Adam(parameters: parameters)
    let schedule = LearningRateSchedule.cosine(initial: 3e-3, totalSteps: steps, warmupSteps: 50, finalFraction: 0.02)
    let priorMean = 1.05, priorSD = 1.9 / 12.0.squareRoot()

    var xs = [Float](repeating: 0, count: batch * maxLength)
    var ks = [Float](repeating: 0, count: batch)
    var lengths = [Int32](repeating: 0, count: batch)
    func simulate(_ n: Int, _ rng: inout RandomStream) {
      for b in 0..<n {
        let k = rng.uniform(0.1, 2)
        let l = 20 + rng.index(below: 81)
        ks[b] = Float((k - priorMean) / priorSD)
        lengths[b] = Int32(l)
        for t in 0..<maxLength {
          xs[b * maxLength + t] = t < l ? Float(Foundation.exp(-k * Double(t) / 10) + 0.05 * rng.normal()) : 0
        }
      }
    }

    let g = Graph<Float>(training: true)
    let params = summary.trainableParameters + head.trainableParameters
    for step in 0..<steps {
      simulate(batch, &rng)
      g.reset()
      let s = summary(g.constant(xs, shape: Shape(batch, maxLength, 1)), lengths: lengths)
      let out = head(s)
      let mean = out.slice(axis: 1, start: 0, length: 1)
      let logSD = out.slice(axis: 1, start: 1, length: 1)
      let z = (g.constant(ks, shape: Shape(batch, 1)) - mean) * (-logSD).exp()
      let loss = (logSD + 0.5 * z.squared()).mean()
      summary.zeroGradients()
      head.zeroGradients()
      g.backward(from: loss)
      g.accumulateParameterGradients()
      clipGradients(params, maxNorm: 5)
      adam.update(learningRate: schedule.learningRate(at: step))
    }

    // Posterior-mean RMSE on fresh series.
    var test = RandomStream(seed: 77)
    let eval = Graph<Float>()
    var squared = 0.0, count = 0
    for _ in 0..<(1024 / batch) {
      simulate(batch, &test)
      eval.reset()
      let mean = head(summary(eval.constant(xs, shape: Shape(batch, maxLength, 1)), lengths: lengths)).scalars
      for b in 0..<batch {
        let estimate = priorMean + priorSD * Double(mean[2 * b]), truth = priorMean + priorSD * Double(ks[b])
        squared += (estimate - truth) * (estimate - truth)
        count += 1
      }
    }
    let rmse = (squared / Double(count)).squareRoot()
    print("decay-rate posterior-mean RMSE \(rmse) over \(count) series (prior sd \(priorSD))")
    XCTAssertLessThan(rmse, 0.1, "posterior-mean RMSE \(rmse) (prior sd \(priorSD))")
  }
}
