import Foundation

/// Progress of a long run: a live, rewritten status line on a terminal; one plain line per
/// `line(_:)` call otherwise (logs, CI), so piped output stays readable.
public final class ProgressReporter {
  public let isTerminal: Bool
  private let started = Date()
  private var lastDraw = Date.distantPast
  private var liveLength = 0
  public var quiet: Bool

  public init(quiet: Bool = false, stream: Int32 = STDERR_FILENO) {
    isTerminal = isatty(stream) == 1
    self.quiet = quiet
  }

  /// Seconds since the reporter was created.
  public var elapsed: Double { Date().timeIntervalSince(started) }

  /// Redraws the live line (at most 10 times a second) when on a terminal; otherwise nothing.
  public func live(_ text: @autoclosure () -> String, force: Bool = false) {
    guard isTerminal, !quiet else { return }
    let now = Date()
    guard force || now.timeIntervalSince(lastDraw) > 0.1 else { return }
    lastDraw = now
    let t = text()
    let pad = max(0, liveLength - t.count)
    FileHandle.standardError.write(Data(("\r" + t + String(repeating: " ", count: pad)).utf8))
    liveLength = t.count
  }

  /// A permanent line (ends the live line first on a terminal).
  public func line(_ text: String) {
    guard !quiet else { return }
    if isTerminal && liveLength > 0 {
      FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: liveLength) + "\r").utf8))
      liveLength = 0
    }
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// A text bar of `width` cells filled to `fraction`.
  public static func bar(_ fraction: Double, width: Int = 24) -> String {
    let f = min(max(fraction, 0), 1)
    let full = Int(f * Double(width))
    return "[" + String(repeating: "#", count: full) + String(repeating: "-", count: width - full) + "]"
  }

  /// h:mm:ss or m:ss.
  public static func duration(_ seconds: Double) -> String {
    guard seconds.isFinite, seconds >= 0 else { return "--:--" }
    let s = Int(seconds.rounded())
    return s >= 3600 ? String(format: "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : String(format: "%d:%02d", s / 60, s % 60)
  }
}
