import Foundation

/// Accumulates the wall time spent inside BLAS gemm calls, for benchmarks that report which
/// fraction of a training step is matrix multiplication. Off by default; when off it costs one
/// branch per gemm call. Not thread-safe: enable it only in single-threaded measurements.
public enum GemmTimer {
  nonisolated(unsafe) public static var isEnabled = false
  nonisolated(unsafe) public private(set) static var seconds = 0.0
  nonisolated(unsafe) public private(set) static var calls = 0

  public static func reset() {
    seconds = 0
    calls = 0
  }

  @inline(__always)
  static func measure(_ body: () -> Void) {
    guard isEnabled else { return body() }
    var t0 = timespec(), t1 = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t0)
    body()
    clock_gettime(CLOCK_MONOTONIC, &t1)
    seconds += Double(t1.tv_sec - t0.tv_sec) + Double(t1.tv_nsec - t0.tv_nsec) * 1e-9
    calls += 1
  }
}
