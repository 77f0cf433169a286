import BayesFlow
import Foundation

/// Daily new reported COVID-19 counts of one country, one row per day.
public struct DailyCounts: Sendable, Equatable {
  /// A missing or malformed data file, with the file's path.
  public struct DataError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
  }

  /// ISO dates, yyyy-mm-dd.
  public var dates: [String]
  public var confirmed: [Double]
  public var recovered: [Double]
  public var deceased: [Double]

  /// The counts in `SECIRD`'s layout: row k = day k, values[3k + x] for x = confirmed,
  /// recovered, deceased.
  public var observation: Observation {
    var values: [Double] = []
    values.reserveCapacity(3 * dates.count)
    for k in dates.indices { values += [confirmed[k], recovered[k], deceased[k]] }
    return Observation(values, length: dates.count)
  }

  /// Parses a CSV with the header `date,new_confirmed,new_recovered,new_deceased`; `source`
  /// names the file in errors.
  public init(csv text: String, source: String) throws {
    var lines = text.split(whereSeparator: \.isNewline).map(String.init)
    guard let header = lines.first,
          header.trimmingCharacters(in: .whitespaces) == "date,new_confirmed,new_recovered,new_deceased"
    else {
      throw DataError("\(source): expected the header date,new_confirmed,new_recovered,new_deceased")
    }
    lines.removeFirst()
    dates = []
    confirmed = []
    recovered = []
    deceased = []
    for (i, line) in lines.enumerated() where !line.isEmpty {
      let fields = line.split(separator: ",", omittingEmptySubsequences: false)
      guard fields.count == 4, let c = Double(fields[1]), let r = Double(fields[2]),
            let d = Double(fields[3]) else {
        throw DataError("\(source): line \(i + 2): expected a date and three numbers, got \"\(line)\"")
      }
      dates.append(String(fields[0]))
      confirmed.append(c)
      recovered.append(r)
      deceased.append(d)
    }
  }
}

extension SECIRD {
  /// The bundled file of `germany()`.
  public static let germanyResource = "germany_daily_2020-03-02_2020-05-21"

  /// Germany's daily new confirmed, recovered and deceased counts, 2020-03-02 … 2020-05-21
  /// (81 days): differences of the JHU CSSE cumulative series (ODC-PDDL), shipped as
  /// Simulators/Resources/covid/germany_daily_2020-03-02_2020-05-21.csv. Provenance and caveats
  /// (the recovered jump on 2020-03-24, one negative daily death count on 2020-04-11) are in
  /// docs/secird-data.md. Throws `DailyCounts.DataError` if the resource is missing or malformed.
  public static func germany() throws -> DailyCounts {
    let url = Bundle.module.url(forResource: germanyResource, withExtension: "csv",
                                subdirectory: "Resources/covid")
      ?? Bundle.module.bundleURL.appendingPathComponent("Resources/covid/\(germanyResource).csv")
    guard let text = try? String(contentsOf: url, encoding: .utf8) else {
      throw DailyCounts.DataError("\(url.path): cannot read the bundled Germany data")
    }
    let counts = try DailyCounts(csv: text, source: url.path)
    guard counts.dates.count == 81, counts.dates.first == "2020-03-02",
          counts.dates.last == "2020-05-21" else {
      throw DailyCounts.DataError("\(url.path): expected 81 days 2020-03-02 … 2020-05-21")
    }
    return counts
  }

  /// `germany().observation`: the observed data of OutbreakFlow in the layout of
  /// `SECIRD()` with default options (81 days × [confirmed, recovered, deceased]).
  public static func germanyObservation() throws -> Observation {
    try germany().observation
  }
}
