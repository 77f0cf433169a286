import Foundation

/// The budget-specific settings of the accuracy check, `Configs/accuracy-overrides.json`:
/// `--set` overrides that apply to one task at one simulation budget only, e.g.
///
///     { "two_moons": { "10000": ["training.epochs=100"] } }
///
/// A task's config `Configs/<task>.json` holds its settings at every budget; this file makes
/// explicit where a budget differs (typically more epochs over the 10× smaller set at 10⁴, so
/// that both budgets get a comparable number of optimizer steps). Each run's effective
/// overrides are part of the command printed next to its result.
public enum AccuracyOverrides {
  /// Parses the file at `path`: task name → budget → overrides. Task names must be in
  /// `tasks`, budgets positive integers, overrides strings "key=value". Errors name the file
  /// and the offending entry.
  public static func load(_ path: String, tasks: [String]) throws -> [String: [Int: [String]]] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw InputError(path, "cannot read the file")
    }
    let object: Any
    do { object = try JSONSerialization.jsonObject(with: data) } catch {
      throw InputError(path, "not valid JSON")
    }
    guard let byTask = object as? [String: Any] else {
      throw InputError(path, "expected an object {task: {budget: [\"key=value\", …]}}")
    }
    var result: [String: [Int: [String]]] = [:]
    for (task, value) in byTask {
      guard tasks.contains(task) else {
        throw InputError(path, "\(task): unknown task (tasks: \(tasks.joined(separator: ", ")))")
      }
      guard let byBudget = value as? [String: Any] else {
        throw InputError(path, "\(task): expected an object {budget: [\"key=value\", …]}")
      }
      var budgets: [Int: [String]] = [:]
      for (key, list) in byBudget {
        guard let budget = Int(key), budget > 0 else {
          throw InputError(path, "\(task).\(key): expected a positive integer budget")
        }
        guard let settings = list as? [String], settings.allSatisfy({ $0.contains("=") }) else {
          throw InputError(path, "\(task).\(key): expected an array of \"key=value\" strings")
        }
        budgets[budget] = settings
      }
      result[task] = budgets
    }
    return result
  }
}
