/// How a 1-D convolution treats the ends of a series of length T, for kernel size k, dilation d
/// and stride s. Output step τ reads the inputs τ·s − p + j·d, j = 0 … k−1, where p is the left
/// padding; inputs outside 0 ..< T (or beyond a sequence's own length) count as zero.
///
/// | padding  | left padding p                                   | output length T_out        |
/// |----------|--------------------------------------------------|----------------------------|
/// | `valid`  | 0                                                | ⌊(T − (k−1)d − 1)/s⌋ + 1   |
/// | `same`   | ⌊(k−1)d/2⌋ (s = 1); TensorFlow's rule (s > 1)     | ⌈T/s⌉                      |
/// | `causal` | (k−1)d                                           | ⌈T/s⌉                      |
///
/// TensorFlow's `same` rule for s > 1 pads P = max((T_out − 1)s + (k−1)d + 1 − T, 0) in total
/// and ⌊P/2⌋ on the left; for variable-length input it is applied to each sequence's own length,
/// so a padded series gives the same result as the unpadded one.
public enum Padding: String, Sendable, Codable, CaseIterable {
  case valid
  case same
  case causal

  /// T_out for an input of length `length` (0 when a `valid` window does not fit).
  @inlinable
  public func outputLength(_ length: Int, kernel k: Int, stride s: Int, dilation d: Int) -> Int {
    switch self {
    case .valid:
      let span = (k - 1) * d + 1
      return length >= span ? (length - span) / s + 1 : 0
    case .same, .causal:
      return (length + s - 1) / s
    }
  }

  /// Left padding p for a sequence of length `length`.
  @inlinable
  public func leftPadding(_ length: Int, kernel k: Int, stride s: Int, dilation d: Int) -> Int {
    switch self {
    case .valid: return 0
    case .causal: return (k - 1) * d
    case .same:
      if s == 1 { return (k - 1) * d / 2 }
      let out = (length + s - 1) / s
      return max((out - 1) * s + (k - 1) * d + 1 - length, 0) / 2
    }
  }
}
