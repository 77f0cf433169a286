import ODE
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One `ODESolver` per thread, created on the thread's first use and reused by every later
/// simulation on that thread (an `ODESolver` must not be shared between threads, and creating
/// one allocates the SUNDIALS context and CVODE memory).
///
/// The solver is kept in a POSIX thread-specific slot whose destructor releases it when the
/// thread exits. Slots are a limited resource (`PTHREAD_KEYS_MAX`, ≥ 128), so make one
/// instance per simulator type (a `static let`), not one per simulator value.
final class ThreadLocalODESolver: @unchecked Sendable {
  let dimension: Int
  let method: ODEMethod
  private var key = pthread_key_t()

  init(dimension: Int, method: ODEMethod) {
    self.dimension = dimension
    self.method = method
    let status = pthread_key_create(&key) { pointer in
      guard let pointer else { return }
      Unmanaged<ODESolver>.fromOpaque(pointer).release()
    }
    precondition(status == 0, "ThreadLocalODESolver: pthread_key_create failed (\(status))")
  }

  /// This thread's solver.
  var solver: ODESolver {
    if let pointer = pthread_getspecific(key) {
      return Unmanaged<ODESolver>.fromOpaque(pointer).takeUnretainedValue()
    }
    let solver = ODESolver(dimension: dimension, method: method)
    pthread_setspecific(key, Unmanaged.passRetained(solver).toOpaque())
    return solver
  }
}
