import CBLAS
import Foundation
import Networks
import Tensors

/// Settings of the classifier two-sample test.
///
/// Defaults follow sbibm's `c2st` (Lueckmann et al. 2021) where it matters for the statistic: a
/// ReLU MLP with two hidden layers of 10·D units, Adam, 5-fold cross-validation with shuffled
/// folds, inputs z-scored by the first (reference) sample. Where sbibm lets scikit-learn train
/// for up to 1000 epochs (batches of 200, learning rate 10⁻³) until the training loss stalls,
/// we train in batches of 256 at learning rate 2·10⁻³ and stop on a held-out 10% of each
/// training fold: at most 30 epochs, ending when the validation loss has not improved by 10⁻⁴
/// for 4 epochs, keeping the weights of the best epoch. Why: two clearly different
/// distributions are separated within 10–20 epochs (measured: N(0, 1) vs N(3, 1) reaches the
/// Bayes accuracy 0.933, N(0, I₁₀) vs N(0, 0.3²I₁₀) 0.993); for equal distributions more epochs
/// only overfit, which early stopping prevents; and 10,000 vs 10,000 points in 10-D then cost
/// 4–8 s of CPU for all five folds (2-D: about 1 s), within the budget of one core.
public struct C2STOptions: Sendable {
  /// K, the number of cross-validation folds.
  public var folds = 5
  /// Hidden width = factor × D (at least `minimumWidth`).
  public var widthFactor = 10
  public var minimumWidth = 16
  public var maxEpochs = 30
  /// Epochs without improvement of the validation loss before stopping.
  public var patience = 4
  public var batchSize = 256
  public var learningRate = 2e-3
  /// Fraction of each training fold held out for early stopping.
  public var validationFraction = 0.1
  public var seed: UInt64 = 1
  /// Run the folds on several threads (each fold is seeded alone, so results do not change).
  public var parallelFolds = true
  public init() {}
}

/// The outcome of a classifier two-sample test.
public struct C2STResult: Sendable {
  /// Mean held-out accuracy over the folds: 0.5 when the classifier cannot tell the samples
  /// apart, 1 when it separates them perfectly.
  public let accuracy: Double
  public let foldAccuracies: [Double]
  /// Epochs trained in each fold (early stopping).
  public let epochs: [Int]
}

/// Classifier two-sample test (Lopez-Paz & Oquab 2017, "Revisiting classifier two-sample
/// tests", ICLR; the C2ST of sbibm, Lueckmann et al. 2021).
///
/// Points of X (label 0) and Y (label 1) are pooled, z-scored with the mean and sd of X per
/// dimension, and split into K shuffled folds. For each fold an MLP classifier is trained on
/// the other folds by minimising the binary cross-entropy with logits f(z),
///
///     ℓ = mean( softplus(f(z)) − label·f(z) ),
///
/// and its accuracy is measured on the held-out fold (predict label 1 when f(z) > 0). The
/// statistic is the mean held-out accuracy; under H₀: P_X = P_Y (and equal sample sizes) it is
/// close to 0.5, with binomial spread √(0.25/(n + m)). Training runs in Float (`Graph<Float>`,
/// `MLP`, `Adam`) with the settings of `C2STOptions`, everything seeded by `options.seed`.
///
/// Samples are flat row-major [n, D] and [m, D]. The folds run on single-threaded OpenBLAS
/// (small sgemms on several OpenBLAS threads spin more than they compute: measured 2–5× slower,
/// worse with parallel folds); the process-wide thread count is restored on return.
public func classifierTwoSampleTest(_ x: [Double], _ y: [Double], dimension d: Int,
                                    options: C2STOptions = C2STOptions()) -> C2STResult {
  precondition(d > 0 && x.count % d == 0 && y.count % d == 0, "C2ST: samples must be [n, \(d)]")
  let n = x.count / d, m = y.count / d, total = n + m
  precondition(n >= options.folds && m >= options.folds && options.folds >= 2, "C2ST: too few points for \(options.folds) folds")

  // z-score by the reference sample X.
  var mean = [Double](repeating: 0, count: d), sd = mean
  for i in 0..<n { for k in 0..<d { mean[k] += x[i * d + k] } }
  for k in 0..<d { mean[k] /= Double(n) }
  for i in 0..<n { for k in 0..<d { sd[k] += (x[i * d + k] - mean[k]) * (x[i * d + k] - mean[k]) } }
  for k in 0..<d { sd[k] = sd[k] > 0 ? (sd[k] / Double(max(n - 1, 1))).squareRoot() : 1 }
  var inputs = [Float](repeating: 0, count: total * d)
  var labels = [Float](repeating: 0, count: total)
  for i in 0..<total {
    for k in 0..<d {
      let v = i < n ? x[i * d + k] : y[(i - n) * d + k]
      inputs[i * d + k] = Float((v - mean[k]) / sd[k])
    }
    labels[i] = i < n ? 0 : 1
  }

  var rng = RandomStream(seed: options.seed, stream: 0xC257)
  var order = Array(0..<total)
  order.shuffle(using: &rng)
  let k = options.folds
  var accuracies = [Double](repeating: 0, count: k)
  var epochs = [Int](repeating: 0, count: k)
  let runFold = { (fold: Int) -> (Double, Int) in
    let test = Array(order[(fold * total / k)..<((fold + 1) * total / k)])
    let train = Array(order[0..<(fold * total / k)] + order[((fold + 1) * total / k)...])
    return C2STClassifier.trainAndScore(inputs: inputs, labels: labels, dimension: d, train: train, test: test,
                                        options: options, rng: RandomStream(seed: options.seed, stream: UInt64(fold)))
  }
  let blasThreads = bf_blas_threads()
  bf_blas_set_threads(1)
  defer { bf_blas_set_threads(blasThreads) }
  if options.parallelFolds {
    let lock = NSLock()
    DispatchQueue.concurrentPerform(iterations: k) { fold in
      let (a, e) = runFold(fold)
      lock.lock(); accuracies[fold] = a; epochs[fold] = e; lock.unlock()
    }
  } else {
    for fold in 0..<k { (accuracies[fold], epochs[fold]) = runFold(fold) }
  }
  return C2STResult(accuracy: accuracies.reduce(0, +) / Double(k), foldAccuracies: accuracies, epochs: epochs)
}

/// C2ST of samples given as arrays of points ([n][D], [m][D]); see the flat version.
public func classifierTwoSampleTest(_ x: [[Double]], _ y: [[Double]], options: C2STOptions = C2STOptions()) -> C2STResult {
  let d = x.first?.count ?? 0
  precondition(x.allSatisfy { $0.count == d } && y.allSatisfy { $0.count == d }, "C2ST: points of different dimensions")
  return classifierTwoSampleTest(x.flatMap { $0 }, y.flatMap { $0 }, dimension: d, options: options)
}

/// Training and scoring of one fold's classifier.
private enum C2STClassifier {
  /// Trains on `train` (less a held-out validation tail) and returns the accuracy on `test`
  /// and the number of epochs run.
  static func trainAndScore(inputs: [Float], labels: [Float], dimension d: Int, train: [Int], test: [Int],
                            options: C2STOptions, rng seed: RandomStream) -> (Double, Int) {
    var rng = seed
    let width = max(options.widthFactor * d, options.minimumWidth)
    let mlp = MLP<Float>(input: d, widths: [width, width], output: 1, activation: .relu, rng: &rng)
    let adam = Adam(parameters: mlp.namedParameters)
    var shuffled = train
    shuffled.shuffle(using: &rng)
    let holdout = max(1, Int(Double(shuffled.count) * options.validationFraction))
    let validation = Array(shuffled[(shuffled.count - holdout)...])
    var fit = Array(shuffled[..<(shuffled.count - holdout)])

    let b = options.batchSize
    var batchX = [Float](repeating: 0, count: b * d), batchY = [Float](repeating: 0, count: b)
    let g = Graph<Float>(training: true)
    var best = Double.infinity, bestWeights = mlp.parameterValues(), sinceBest = 0, epoch = 0
    while epoch < options.maxEpochs && sinceBest < options.patience {
      fit.shuffle(using: &rng)
      var start = 0
      while start < fit.count {
        let rows = min(b, fit.count - start)
        for r in 0..<rows {
          let i = fit[start + r]
          for k in 0..<d { batchX[r * d + k] = inputs[i * d + k] }
          batchY[r] = labels[i]
        }
        g.reset()
        let logits = batchX.withUnsafeBufferPointer { mlp(g.constant(UnsafeBufferPointer(rebasing: $0[0..<(rows * d)]), shape: Shape(rows, d))) }
        let target = batchY.withUnsafeBufferPointer { g.constant(UnsafeBufferPointer(rebasing: $0[0..<rows]), shape: Shape(rows, 1)) }
        let loss = (logits.softplus() - target * logits).mean()
        mlp.zeroGradients()
        g.backward(from: loss)
        g.accumulateParameterGradients()
        adam.update(learningRate: options.learningRate)
        start += rows
      }
      epoch += 1
      let (validationLoss, _) = evaluate(mlp, inputs: inputs, labels: labels, dimension: d, rows: validation)
      if validationLoss < best - 1e-4 {
        best = validationLoss
        bestWeights = mlp.parameterValues()
        sinceBest = 0
      } else {
        sinceBest += 1
      }
    }
    try! mlp.loadParameters(bestWeights)  // same network, same keys and shapes
    return (evaluate(mlp, inputs: inputs, labels: labels, dimension: d, rows: test).accuracy, epoch)
  }

  /// Mean binary cross-entropy and accuracy of the classifier on `rows`.
  static func evaluate(_ mlp: MLP<Float>, inputs: [Float], labels: [Float], dimension d: Int,
                       rows: [Int]) -> (loss: Double, accuracy: Double) {
    let g = Graph<Float>()
    let chunk = 4096
    var loss = 0.0, correct = 0
    var buffer = [Float](repeating: 0, count: chunk * d)
    var start = 0
    while start < rows.count {
      let count = min(chunk, rows.count - start)
      for r in 0..<count { for k in 0..<d { buffer[r * d + k] = inputs[rows[start + r] * d + k] } }
      g.reset()
      let logits = buffer.withUnsafeBufferPointer { mlp(g.constant(UnsafeBufferPointer(rebasing: $0[0..<(count * d)]), shape: Shape(count, d))) }
      let f = logits.pointer
      for r in 0..<count {
        let z = Double(f[r]), label = Double(labels[rows[start + r]])
        loss += max(z, 0) + Foundation.log1p(Foundation.exp(-abs(z))) - label * z
        if (z > 0 ? 1.0 : 0.0) == label { correct += 1 }
      }
      start += count
    }
    return (loss / Double(rows.count), Double(correct) / Double(rows.count))
  }
}
