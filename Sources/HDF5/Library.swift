import CHDF5
import Foundation

/// Process-wide access to the HDF5 C library: one lock around every call, and error capture.
///
/// HDF5 builds are not reliably thread-safe, so every call into the library (including the
/// closes in `Handle.deinit`) holds one global lock. The lock is recursive: a handle released
/// inside a locked region closes itself without deadlocking.
///
/// HDF5 prints its error stack to stderr by default; errors here become `HDF5Error`s instead,
/// so printing is switched off. In thread-safe builds (Debian's is one) that switch belongs to
/// each thread's error stack, so it is flipped once per thread, on the thread's first call.
enum Library {
  private static let lock = NSRecursiveLock()

  /// Initialises the library, once per process.
  private static let opened: Void = { _ = H5open() }()

  /// Marks threads whose HDF5 error printing is already silenced.
  private static let silencedKey: pthread_key_t = {
    var key = pthread_key_t()
    precondition(pthread_key_create(&key, nil) == 0, "pthread_key_create failed")
    return key
  }()

  /// Runs `body` holding the library lock; every HDF5 call goes through here.
  static func locked<R>(_ body: () throws -> R) rethrows -> R {
    lock.lock()
    defer { lock.unlock() }
    _ = opened
    if pthread_getspecific(silencedKey) == nil {
      bf_h5_silence_errors()
      pthread_setspecific(silencedKey, UnsafeRawPointer(bitPattern: 1))
    }
    return try body()
  }

  /// The current thread's HDF5 error stack in one line: the failing API call's message and,
  /// when different, the innermost cause (e.g. "unable to open file: file signature not found").
  ///
  /// Must be called right after the failing call: the next HDF5 call clears the stack.
  static func errorStackSummary() -> String {
    var messages: [String] = []
    withUnsafeMutablePointer(to: &messages) { messages in
      _ = H5Ewalk2(hid_t(H5E_DEFAULT), H5E_WALK_DOWNWARD, { _, error, data in
        if let description = error?.pointee.desc, let data {
          data.assumingMemoryBound(to: [String].self).pointee.append(String(cString: description))
        }
        return 0
      }, messages)
    }
    guard let outer = messages.first, let inner = messages.last else { return "" }
    return outer == inner ? outer : "\(outer): \(inner)"
  }
}
