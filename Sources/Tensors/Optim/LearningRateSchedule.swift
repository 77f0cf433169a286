import RealModule

/// A learning rate as a function of the update index t = 0, 1, 2, ….
public enum LearningRateSchedule: Sendable, Equatable {
  /// η(t) = η₀.
  case constant(Double)
  /// Linear warm-up over `warmupSteps` w, then cosine decay from η₀ to `finalFraction`·η₀
  /// at `totalSteps` T:  η(t) = η₀·(t + 1)/(w + 1) for t < w, else
  /// η₀·(f + (1 − f)·½(1 + cos(π·(t − w)/(T − w)))), held at f·η₀ after T.
  case cosine(initial: Double, totalSteps: Int, warmupSteps: Int, finalFraction: Double)
  /// η(t) = η₀·r^⌊t/k⌋ (the seed's "× 0.99 every 1000 steps").
  case exponentialStaircase(initial: Double, rate: Double, every: Int)

  /// η at update t.
  public func learningRate(at t: Int) -> Double {
    switch self {
    case .constant(let lr):
      return lr
    case let .cosine(lr, total, warmup, f):
      if t < warmup { return lr * Double(t + 1) / Double(warmup + 1) }
      let span = max(total - warmup, 1)
      let progress = min(Double(t - warmup) / Double(span), 1)
      return lr * (f + (1 - f) * 0.5 * (1 + Double.cos(Double.pi * progress)))
    case let .exponentialStaircase(lr, rate, every):
      return lr * Double.pow(rate, Double(t / max(every, 1)))
    }
  }
}
