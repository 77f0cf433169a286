import ArgumentParser
import BayesFlow
import Foundation
import Simulators

/// The options of `bayesflow bench --case accuracy` (docs/accuracy.md): which tasks and budgets
/// to train and evaluate, and how much evaluation.
struct AccuracyArguments: ParsableArguments {
  @Option(help: ArgumentHelp("Comma-separated tasks (default: all ten sbibm tasks).", valueName: "names"))
  var tasks: String?

  @Option(help: ArgumentHelp("Comma-separated training simulation budgets (default: 10000,100000).", valueName: "n,…"))
  var budgets: String = "10000,100000"

  @Option(help: ArgumentHelp("Directory of the task configs <task>.json.", valueName: "dir"))
  var configs: String = "Configs"

  @Option(name: .customLong("budget-overrides"), help: ArgumentHelp("Per-task, per-budget overrides (default: <configs>/accuracy-overrides.json when it exists).", valueName: "file"))
  var budgetOverrides: String?

  @Option(name: .customLong("out"), help: ArgumentHelp("Directory of the runs and of accuracy.json / accuracy.md.", valueName: "dir"))
  var directory: String = "runs/accuracy"

  @Option(help: ArgumentHelp("C2ST tasks: prior-predictive observations per run.", valueName: "n"))
  var observations: Int = 5

  @Option(help: ArgumentHelp("C2ST tasks: posterior draws per observation (model and exact).", valueName: "n"))
  var draws: Int = 10_000

  @Option(name: .customLong("sbc-simulations"), help: ArgumentHelp("SBC tasks: prior-predictive data sets.", valueName: "n"))
  var sbcSimulations: Int = 200

  @Option(name: .customLong("sbc-draws"), help: ArgumentHelp("SBC tasks: posterior draws per data set.", valueName: "n"))
  var sbcDraws: Int = 500

  @Option(name: .customLong("test-simulations"), help: ArgumentHelp("Fresh prior-predictive pairs for the held-out −log q(θ|x) (0: skip).", valueName: "n"))
  var testSimulations: Int = 20_000

  @Option(name: .customLong("set"), help: ArgumentHelp("Override a value of every task's config, after the budget (repeatable).", valueName: "key=value"))
  var overrides: [String] = []

  @Flag(help: "Evaluate an existing finished checkpoint of a (task, budget) instead of training again.")
  var reuse = false

  @Flag(name: .customLong("report-only"), help: "Only rewrite <out>/accuracy.md from <out>/accuracy.json (no training).")
  var reportOnly = false

  @Flag(name: .customLong("no-floor"), help: "Skip the exact-vs-exact C2ST floor.")
  var noFloor = false

  @Flag(help: "Print only the result lines.")
  var quiet = false

  func validate() throws {
    guard observations >= 1, draws >= 10, testSimulations >= 0, sbcSimulations >= 10, sbcDraws >= 10 else {
      throw ValidationError("--observations must be ≥ 1; --draws, --sbc-simulations and --sbc-draws ≥ 10")
    }
    _ = try parsedBudgets()
    _ = try taskNames()
  }

  func parsedBudgets() throws -> [Int] {
    let list = budgets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    let values = list.compactMap { Int($0) }
    guard !values.isEmpty, values.count == list.count, values.allSatisfy({ $0 >= 2 }) else {
      throw ValidationError("--budgets: expected comma-separated integers ≥ 2, got \"\(budgets)\"")
    }
    return values
  }

  func taskNames() throws -> [String] {
    guard let tasks else { return BenchmarkTasks.names }
    let names = tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    if let bad = names.first(where: { !BenchmarkTasks.names.contains($0) }) {
      throw ValidationError("--tasks: unknown task \"\(bad)\" (tasks: \(BenchmarkTasks.names.joined(separator: ", ")))")
    }
    return names
  }

  func run() throws {
    var options = AccuracyOptions()
    if reportOnly {
      options.directory = directory
      guard FileManager.default.fileExists(atPath: directory + "/accuracy.json") else {
        throw ValidationError("--report-only: no \(directory)/accuracy.json (set --out)")
      }
      let (_, md) = try AccuracyBenchmark(options: options, registry: BuiltinSimulators.registry,
                                          progress: ProgressReporter(quiet: true)).writeReports([])
      print("rewrote \(md)")
      return
    }
    options.budgets = try parsedBudgets()
    options.observations = observations
    options.draws = draws
    options.sbcSimulations = sbcSimulations
    options.sbcDraws = sbcDraws
    options.testSimulations = testSimulations
    options.directory = directory
    options.overrides = overrides
    options.reuseCheckpoints = reuse
    options.floor = !noFloor
    var perBudget: [String: [Int: [String]]] = [:]
    let overridesFile = budgetOverrides ?? configs + "/accuracy-overrides.json"
    if budgetOverrides != nil || FileManager.default.fileExists(atPath: overridesFile) {
      perBudget = try AccuracyOverrides.load(overridesFile, tasks: BenchmarkTasks.names)
    }
    var tasks: [AccuracyTask] = []
    for name in try taskNames() {
      let path = configs + "/\(name).json"
      let (_, simulator) = try RunSetup.load(path, overrides: overrides)
      tasks.append(AccuracyTask(name: name, configPath: path, exactPosterior: BenchmarkTasks.exactPosterior(for: simulator),
                                budgetOverrides: perBudget[name] ?? [:]))
    }
    let bench = AccuracyBenchmark(options: options, registry: BuiltinSimulators.registry, progress: ProgressReporter(quiet: quiet))
    signal(SIGINT) { _ in trainingInterruptRequested = 1 }
    var results: [AccuracyResult] = []
    // Reports are rewritten after every run, so an interrupted check keeps what it finished.
    bench.log = { print($0); fflush(stdout) }
    for task in tasks {
      var floor: [Double]? = nil
      for budget in options.budgets {
        let r = try bench.run(task: task, budget: budget, floorCache: &floor)
        bench.log(AccuracyBenchmark.summaryLine(r))
        results.append(r)
        _ = try bench.writeReports(results)
      }
    }
    let (json, md) = try bench.writeReports(results)
    print("results: \(json), \(md)")
  }
}
