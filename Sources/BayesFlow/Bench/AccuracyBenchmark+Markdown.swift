import Foundation

extension AccuracyBenchmark {
  /// The Markdown report of `results` (`<out>/accuracy.md`, the tables of docs/accuracy.md):
  /// per budget, a C2ST table — mean over the observations, range (min–max), the values per
  /// observation, the published sbibm NPE mean, the difference, the exact-vs-exact floor — and
  /// an SBC table — parameters whose rank ECDF stays inside the simultaneous 95% band, the
  /// largest ECDF deviation and smallest χ² p over the parameters, contraction
  /// 1 − s²_post/σ²_prior per parameter; each row with its training time (epochs run/planned),
  /// wall time and load. Then the equivalent `bayesflow fit` command of every run, and the machine.
  public static func markdown(_ results: [AccuracyResult]) -> String {
    func f3(_ x: Double?) -> String { x.map { String(format: "%.3f", $0) } ?? "–" }
    func load(_ r: AccuracyResult) -> String {
      guard let a = r.loadBefore else { return "–" }
      return String(format: "%.1f→%.1f", a, r.loadAfter ?? .nan)
    }
    func time(_ r: AccuracyResult) -> String {
      String(format: "%.0f s (%d/%d ep.)", r.trainingSeconds, r.epochs, r.epochsPlanned)
    }
    func wall(_ r: AccuracyResult) -> String { String(format: "%.0f s", r.wallSeconds) }
    var s = ""
    for budget in Array(Set(results.map(\.budget))).sorted() {
      s += "### \(budget) simulations\n\n"
      let c2st = results.filter { $0.kind == "c2st" && $0.budget == budget }
      if !c2st.isEmpty {
        s += "| task | C2ST mean | range | per observation | NPE (sbibm) | Δ vs NPE | exact vs exact | training | wall | load |\n"
        s += "|---|---:|---:|---|---:|---:|---:|---:|---:|---|\n"
        for r in c2st {
          let values = r.c2st ?? []
          let range = values.isEmpty ? "–" : String(format: "%.3f–%.3f", values.min()!, values.max()!)
          let delta = zip2(r.c2stMean, r.publishedNPE).map { String(format: "%+.3f", $0 - $1) } ?? "–"
          s += "| \(r.task) | \(f3(r.c2stMean)) | \(range) | " + values.map { String(format: "%.3f", $0) }.joined(separator: " ")
            + " | \(f3(r.publishedNPE)) | \(delta) | \(f3(r.floorMean)) | \(time(r)) | \(wall(r)) | \(load(r)) |\n"
        }
        s += "\n"
      }
      let sbc = results.filter { $0.kind == "sbc" && $0.budget == budget }
      if !sbc.isEmpty {
        s += "| task | SBC: inside 95% band | max ECDF deviation | min χ² p | contraction (per parameter) | NPE C2ST (sbibm) | training | wall | load |\n"
        s += "|---|---:|---:|---:|---|---:|---:|---:|---|\n"
        for r in sbc {
          let c = r.calibration ?? []
          let flagged = c.filter { !$0.calibrated }.map(\.name)
          s += "| \(r.task) | \(c.filter(\.calibrated).count)/\(c.count)"
            + (flagged.isEmpty ? "" : " (not: " + flagged.joined(separator: ", ") + ")")
            + " | \(f3(c.map(\.maxECDFDeviation).max())) | \(f3(c.map(\.chiSquarePValue).min())) | "
            + c.map { String(format: "%.2f", $0.contraction) }.joined(separator: " ")
            + " | \(f3(r.publishedNPE)) | \(time(r)) | \(wall(r)) | \(load(r)) |\n"
        }
        s += "\n"
      }
    }
    if !results.isEmpty {
      s += "Commands (the `bayesflow fit` equivalent of each training run; evaluation by `bayesflow bench --case accuracy`):\n\n"
      for r in results { s += "- \(r.task) @ \(r.budget): `\(r.command)`\n" }
      if let m = results.first?.machine { s += "\nMachine: \(m)\n" }
    }
    return s
  }
}
