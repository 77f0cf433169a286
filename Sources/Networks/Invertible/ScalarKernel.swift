import Tensors

/// A loop nest written once for any scalar and run specialised for `Float` or `Double`.
///
/// Generic code that is called from another module runs unspecialised: every `a + b` on a
/// generic `S` goes through a witness table, about 20 ns an element (measured on the engine's
/// own elementwise ops). A kernel is a struct of raw pointers and sizes whose `run(_:)` is
/// generic over the scalar; `run(specializedFor:)` calls it with the concrete type, so the
/// compiler emits a `Float` and a `Double` copy of the loops, as fast as hand-written ones.
protocol ScalarKernel {
  func run<T: TensorScalar>(_ scalar: T.Type)
}

extension ScalarKernel {
  /// Runs the kernel with the concrete scalar `S` stands for.
  @inline(__always)
  func run<S: TensorScalar>(specializedFor _: S.Type) {
    if S.self == Float.self {
      run(Float.self)
    } else if S.self == Double.self {
      run(Double.self)
    } else {
      run(S.self)
    }
  }
}

extension UnsafeMutablePointer {
  /// The same address viewed as raw memory (kernels carry raw pointers and re-type them).
  @inline(__always) var raw: UnsafeMutableRawPointer { UnsafeMutableRawPointer(self) }
}

extension UnsafeMutableRawPointer {
  /// The memory viewed as `T` (the scalar the kernel was specialised for).
  @inline(__always) func typed<T>(_: T.Type) -> UnsafeMutablePointer<T> { assumingMemoryBound(to: T.self) }
}
