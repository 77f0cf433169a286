import Foundation

/// Figures of one posterior: a pairs plot of draws of parameters and derived quantities.
public enum PosteriorFigure {
  /// Pairs plot of `draws` [N][Q] named `names`: marginal histograms on the diagonal, scatter
  /// below, 2-D histograms above, the truth (if given) as red dashed lines. Scatters are
  /// thinned to `maxPoints` per panel.
  public static func pairs(draws: [[Double]], names: [String], truth: [Double]? = nil, label: String,
                           maxPoints: Int = 1000) -> Figure {
    precondition(draws.allSatisfy { $0.count == names.count }, "PosteriorFigure.pairs: every draw needs \(names.count) values")
    precondition(truth == nil || truth!.count == names.count, "PosteriorFigure.pairs: truth needs \(names.count) values")
    let e = ExamplePosterior(label: label, draws: draws, truth: truth, pairsParameters: Array(names.indices))
    return CalibrationReport.pairsPlot(e, names: names, maxPoints: maxPoints)
  }
}
