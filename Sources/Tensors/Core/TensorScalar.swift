import CBLAS
import RealModule

/// A floating-point type the tensor engine computes in: `Float` to train, `Double` to check
/// gradients by finite differences.
///
/// Generic code in the engine calls one static kernel per operation (a matrix product, an
/// elementwise map over a buffer); the loops themselves are specialised for each concrete type
/// here, so generic layers pay one dynamic dispatch per op, never per element.
public protocol TensorScalar: BinaryFloatingPoint, Real, KernelMath, SIMDScalar, Codable, Sendable, CustomStringConvertible
where RawSignificand: FixedWidthInteger {
  /// C ← α·op(A)·op(B) + β·C for row-major A [m, k] (or [k, m] when `transA`), B [k, n]
  /// (or [n, k] when `transB`), C [m, n]; `lda`, `ldb`, `ldc` are row strides. BLAS `?gemm`.
  static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Self,
                   a: UnsafePointer<Self>, lda: Int, b: UnsafePointer<Self>, ldb: Int,
                   beta: Self, c: UnsafeMutablePointer<Self>, ldc: Int)

  /// yᵢ = f(xᵢ) for i < n (`alpha` parameterises `elu`, `leakyRelu`, `clamp` bounds, …).
  static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>,
                           count n: Int, alpha: Self, beta: Self)

  /// gxᵢ += gyᵢ·f′(xᵢ), given x and y = f(x).
  static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>,
                            _ gy: UnsafePointer<Self>, _ gx: UnsafeMutablePointer<Self>,
                            count n: Int, alpha: Self, beta: Self)

  /// gxᵢ = gyᵢ·f′(xᵢ) (overwriting gx, which may be uninitialised).
  static func unaryDerivativeProduct(_ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>,
                                     _ gy: UnsafePointer<Self>, _ gx: UnsafeMutablePointer<Self>,
                                     count n: Int, alpha: Self, beta: Self)

  /// y = f(x), also saving sᵢ = σ(xᵢ) for ops whose derivative is written with it (`silu`,
  /// `softplus`), so the backward pass needs no second exponential.
  static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>,
                           sigmoid s: UnsafeMutablePointer<Self>, count n: Int)

  /// gxᵢ += gyᵢ·f′(xᵢ) from the σ(x) saved by the forward pass (`silu`, `softplus`).
  static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Self>, _ y: UnsafePointer<Self>,
                            sigmoid s: UnsafePointer<Self>, _ gy: UnsafePointer<Self>,
                            _ gx: UnsafeMutablePointer<Self>, count n: Int)
}

extension Float: TensorScalar {
  public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                          a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                          beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
    if m == 0 || n == 0 { return }
    GemmTimer.measure {
      cblas_sgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                  Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }

  public static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                  count n: Int, alpha: Float, beta: Float) {
    UnaryKernels.forward(op, x, y, n, alpha, beta)
  }

  public static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                   _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>,
                                   count n: Int, alpha: Float, beta: Float) {
    UnaryKernels.backward(op, x, y, gy, gx, n, alpha, beta)
  }

  public static func unaryDerivativeProduct(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                            _ gy: UnsafePointer<Float>, _ gx: UnsafeMutablePointer<Float>,
                                            count n: Int, alpha: Float, beta: Float) {
    UnaryKernels.backward(op, x, y, gy, gx, n, alpha, beta, accumulate: false)
  }

  public static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>,
                                  sigmoid s: UnsafeMutablePointer<Float>, count n: Int) {
    UnaryKernels.forwardSavingSigmoid(op, x, y, s, n)
  }

  public static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>,
                                   sigmoid s: UnsafePointer<Float>, _ gy: UnsafePointer<Float>,
                                   _ gx: UnsafeMutablePointer<Float>, count n: Int) {
    UnaryKernels.backwardFromSigmoid(op, x, s, gy, gx, n)
  }
}

extension Double: TensorScalar {
  public static func gemm(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: Double,
                          a: UnsafePointer<Double>, lda: Int, b: UnsafePointer<Double>, ldb: Int,
                          beta: Double, c: UnsafeMutablePointer<Double>, ldc: Int) {
    if m == 0 || n == 0 { return }
    GemmTimer.measure {
      cblas_dgemm(CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
                  Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }
  }

  public static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                                  count n: Int, alpha: Double, beta: Double) {
    UnaryKernels.forward(op, x, y, n, alpha, beta)
  }

  public static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                                   _ gy: UnsafePointer<Double>, _ gx: UnsafeMutablePointer<Double>,
                                   count n: Int, alpha: Double, beta: Double) {
    UnaryKernels.backward(op, x, y, gy, gx, n, alpha, beta)
  }

  public static func unaryDerivativeProduct(_ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                                            _ gy: UnsafePointer<Double>, _ gx: UnsafeMutablePointer<Double>,
                                            count n: Int, alpha: Double, beta: Double) {
    UnaryKernels.backward(op, x, y, gy, gx, n, alpha, beta, accumulate: false)
  }

  public static func unaryForward(_ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>,
                                  sigmoid s: UnsafeMutablePointer<Double>, count n: Int) {
    UnaryKernels.forwardSavingSigmoid(op, x, y, s, n)
  }

  public static func unaryBackward(_ op: UnaryOp, _ x: UnsafePointer<Double>, _ y: UnsafePointer<Double>,
                                   sigmoid s: UnsafePointer<Double>, _ gy: UnsafePointer<Double>,
                                   _ gx: UnsafeMutablePointer<Double>, count n: Int) {
    UnaryKernels.backwardFromSigmoid(op, x, s, gy, gx, n)
  }
}

/// The scalar elementary functions the unary kernels are written in: fast polynomials for
/// `Float` (see `FastMath`), libm for `Double`.
public protocol KernelMath {
  static func mexp(_ x: Self) -> Self
  static func mlog(_ x: Self) -> Self
  static func mtanh(_ x: Self) -> Self
  static func matan(_ x: Self) -> Self
  static func merf(_ x: Self) -> Self
}

extension Float: KernelMath {
  @inline(__always) public static func mexp(_ x: Float) -> Float { FastMath.exp(x) }
  @inline(__always) public static func mlog(_ x: Float) -> Float { FastMath.log(x) }
  @inline(__always) public static func mtanh(_ x: Float) -> Float { FastMath.tanh(x) }
  @inline(__always) public static func matan(_ x: Float) -> Float { FastMath.atan(x) }
  @inline(__always) public static func merf(_ x: Float) -> Float { FastMath.erf(x) }
}

extension Double: KernelMath {
  @inline(__always) public static func mexp(_ x: Double) -> Double { Double.exp(x) }
  @inline(__always) public static func mlog(_ x: Double) -> Double { Double.log(x) }
  @inline(__always) public static func mtanh(_ x: Double) -> Double { Double.tanh(x) }
  @inline(__always) public static func matan(_ x: Double) -> Double { Double.atan(x) }
  @inline(__always) public static func merf(_ x: Double) -> Double { Double.erf(x) }
}
