import Tensors

/// A two-sided coupling block: both halves are transformed, each given the other half and `c`.
///
///     x = [x₁, x₂],  x₁: the first ⌈D/2⌉ components, x₂: the last ⌊D/2⌋
///     z₁ = T(x₁; h₁),  h₁ = g₁([x₂, c])          (g₁: `subnet1`)
///     z₂ = T(x₂; h₂),  h₂ = g₂([z₁, c])          (g₂: `subnet2`)
///     log|det ∂z/∂x| = Σ log|T′(x₁; h₁)| + Σ log|T′(x₂; h₂)|
///
/// The inverse runs backwards: x₂ = T⁻¹(z₂; g₂([z₁, c])), then x₁ = T⁻¹(z₁; g₁([x₂, c])).
/// T is elementwise and monotone (`CouplingTransform`: affine or rational-quadratic spline);
/// each gᵢ outputs P parameters per component it transforms, and its last layer starts at zero,
/// which every transform maps to the identity, so a fresh block is the identity. x, z: [B, D];
/// c: [B, C] (or nil when C = 0). Real NVP / Glow coupling (Dinh et al. 2017; Kingma &
/// Dhariwal 2018) in FrEIA's two-sided form.
///
/// D = 1: x₂ is empty, so only z₁ = T(x₁; g₁(c)) is applied (a transform whose parameters come
/// from the condition alone); without a condition g₁ is a learned constant, so the block is an
/// unconditional learned monotone map of the single component.
///
/// Keys: `subnet1.…`, `subnet2.…` (MLP keys, see `CouplingSubnet`; no `subnet2` when D = 1).
public final class TwoSidedCoupling<Transform: CouplingTransform>: PackedInvertibleBlock {
  public typealias Scalar = Transform.Scalar
  public let dimension: Int
  public let conditionDimension: Int
  public let transform: Transform
  /// ⌈D/2⌉ and ⌊D/2⌋.
  public let firstHalf: Int, secondHalf: Int
  let subnet1: CouplingSubnet<Scalar>
  let subnet2: CouplingSubnet<Scalar>?
  private let inputOp = ConditionedInputOp<Scalar>()

  public init(dimension: Int, conditionDimension: Int = 0, transform: Transform,
              subnet: CouplingSubnetConfiguration = CouplingSubnetConfiguration(), rng: inout RandomStream) {
    precondition(dimension >= 1, "coupling needs dimension ≥ 1, got \(dimension)")
    precondition(conditionDimension >= 0, "negative condition dimension \(conditionDimension)")
    self.dimension = dimension
    self.conditionDimension = conditionDimension
    self.transform = transform
    firstHalf = (dimension + 1) / 2
    secondHalf = dimension / 2
    let p = transform.parametersPerComponent
    subnet1 = CouplingSubnet(input: secondHalf + conditionDimension, output: firstHalf * p, configuration: subnet, rng: &rng)
    subnet2 = secondHalf > 0
      ? CouplingSubnet(input: firstHalf + conditionDimension, output: secondHalf * p, configuration: subnet, rng: &rng)
      : nil
  }

  public func forward(packed s: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> Tensor<Scalar> {
    checkShapes(s, c)
    let h1 = subnet1(inputOp.input(s, columns: firstHalf, count: secondHalf, condition: c), graph: s.graph)
    let u = transform.apply(s, parameters: h1, columns: 0, count: firstHalf, inverse: false)
    guard let subnet2 else { return u }
    let h2 = subnet2(inputOp.input(u, columns: 0, count: firstHalf, condition: c), graph: s.graph)
    return transform.apply(u, parameters: h2, columns: firstHalf, count: secondHalf, inverse: false)
  }

  public func inverse(packed s: Tensor<Scalar>, condition c: Tensor<Scalar>?) -> Tensor<Scalar> {
    checkShapes(s, c)
    var u = s
    if let subnet2 {
      let h2 = subnet2(inputOp.input(s, columns: 0, count: firstHalf, condition: c), graph: s.graph)
      u = transform.apply(s, parameters: h2, columns: firstHalf, count: secondHalf, inverse: true)
    }
    let h1 = subnet1(inputOp.input(u, columns: firstHalf, count: secondHalf, condition: c), graph: s.graph)
    return transform.apply(u, parameters: h1, columns: 0, count: firstHalf, inverse: true)
  }

  private func checkShapes(_ s: Tensor<Scalar>, _ c: Tensor<Scalar>?) {
    precondition(s.shape.rank == 2 && s.shape[1] == dimension + 1, "coupling of dimension \(dimension): packed state \(s.shape)")
    if conditionDimension > 0 {
      precondition(c?.shape == Shape(s.shape[0], conditionDimension),
                   "coupling expects a condition [\(s.shape[0]), \(conditionDimension)], got \(c.map { "\($0.shape)" } ?? "nil")")
    } else {
      precondition(c == nil, "coupling without a condition got one of shape \(c!.shape)")
    }
  }

  public func visitParameters(_ visit: (String, Parameter<Scalar>) -> Void) {
    self.visit(subnet1, as: "subnet1", visit)
    if let subnet2 { self.visit(subnet2, as: "subnet2", visit) }
  }
}

/// An elementwise monotone map y = T(x; h) of n components whose parameters h (P per
/// component) come from a coupling subnet, evaluated by one fused op on packed states.
///
/// The op reads columns `offset ..< offset + n` of the packed state [x | ℓ] [B, D + 1], writes
/// T (or T⁻¹) of them, copies the other columns and adds Σ log|∂y/∂x| (or of the inverse) to ℓ.
/// h is [B, n·P] (component j's parameters at j·P ..< (j+1)·P), or [n·P] shared by all rows.
/// Conformers write only the per-component kernel, `run(_:)`; all-zero parameters must give
/// the identity.
public protocol CouplingTransform<Scalar>: CustomBackward {
  /// P: subnet outputs per transformed component.
  var parametersPerComponent: Int { get }
  /// Scalars saved per transformed component for the backward pass.
  var savedScalarsPerComponent: Int { get }
  /// Whether one `Int32` per component is saved too (e.g. a bin index).
  var savesIndices: Bool { get }
  /// Scalars of working memory `run` needs for `rows` × `count` components (handed in as
  /// `k.scratch`, from the graph's arena, so a step allocates nothing).
  func scratchScalars(rows: Int, count: Int) -> Int
  /// Evaluates (`pass == .forward`) or differentiates (`.backward`) the transformed columns.
  ///
  /// Forward: writes `output` columns offset..<offset+n and adds each row's log-det into column
  /// D (the other columns are already copied); fills `saved` when it is not nil. Backward:
  /// adds the VJP w.r.t. the transformed input columns into `stateGradient` (if not nil) and
  /// w.r.t. h into `parametersGradient` (if not nil), given `outputGradient` (ℓ̄ in column D).
  func run(_ k: CouplingKernelArguments)
}

/// The buffers of one evaluation of a `CouplingTransform` (raw memory of the graph's scalar).
public struct CouplingKernelArguments {
  public enum Pass: Sendable { case forward, backward }
  public var pass: Pass
  public var inverse: Bool
  /// B, D + 1, the first transformed column and n.
  public var rows: Int, width: Int, offset: Int, count: Int
  /// Row stride of h: n·P, or 0 when one h [n·P] is shared by all rows.
  public var parameterStride: Int
  public var state: UnsafeMutableRawPointer
  public var parameters: UnsafeMutableRawPointer
  public var output: UnsafeMutableRawPointer
  public var saved: UnsafeMutableRawPointer?
  public var savedIndices: UnsafeMutablePointer<Int32>?
  public var outputGradient: UnsafeMutableRawPointer?
  public var stateGradient: UnsafeMutableRawPointer?
  public var parametersGradient: UnsafeMutableRawPointer?
  /// `scratchScalars(rows:count:)` scalars of working memory.
  public var scratch: UnsafeMutableRawPointer?
}

extension CouplingTransform {
  /// The packed state with columns offset..<offset+n transformed by T (or T⁻¹) given h.
  public func apply(_ s: Tensor<Scalar>, parameters h: Tensor<Scalar>, columns offset: Int, count n: Int,
                    inverse: Bool) -> Tensor<Scalar> {
    let g = s.graph, rows = s.shape[0], width = s.shape[1], p = parametersPerComponent
    precondition(offset >= 0 && n >= 1 && offset + n < width, "coupling columns \(offset)..<\(offset + n) of state \(s.shape)")
    let shared = h.shape.rank == 1
    precondition(shared ? h.count == n * p : h.shape == Shape(rows, n * p),
                 "coupling parameters \(h.shape) for \(rows) rows × \(n) components × \(p)")
    let out = g.record(self, shape: s.shape, inputs: s, h)
    var k = CouplingKernelArguments(pass: .forward, inverse: inverse, rows: rows, width: width, offset: offset, count: n,
                                    parameterStride: shared ? 0 : n * p, state: s.pointer.raw, parameters: h.pointer.raw,
                                    output: out.pointer.raw)
    if out.requiresGrad {
      k.saved = savedScalarsPerComponent > 0 ? g.scratch(rows * n * savedScalarsPerComponent).raw : nil
      k.savedIndices = savesIndices ? g.scratchIndices(rows * n) : nil
      g.setSaved(out, buffer: k.saved?.typed(Scalar.self), indices: k.savedIndices,
                 integers: (offset, n, inverse ? 1 : 0, shared ? 0 : 1))
    }
    k.scratch = g.scratch(scratchScalars(rows: rows, count: n)).raw
    PassThroughKernel(k).run(specializedFor: Scalar.self)
    run(k)
    return out
  }

  public func backward(_ graph: Graph<Scalar>, node id: Int) {
    let iState = graph.input(0, of: id), iParams = graph.input(1, of: id)
    let saved = graph.saved(id), shape = graph.shape(of: id)
    let (offset, n) = (saved.integers.0, saved.integers.1)
    var k = CouplingKernelArguments(
      pass: .backward, inverse: saved.integers.2 == 1, rows: shape[0], width: shape[1], offset: offset, count: n,
      parameterStride: saved.integers.3 == 1 ? n * parametersPerComponent : 0, state: graph.value(of: iState).raw,
      parameters: graph.value(of: iParams).raw, output: graph.value(of: id).raw, saved: saved.buffer?.raw,
      savedIndices: saved.indices, outputGradient: graph.gradientBuffer(id).raw)
    k.stateGradient = graph.requiresGrad(iState) ? graph.gradientBuffer(iState).raw : nil
    k.parametersGradient = graph.requiresGrad(iParams) ? graph.gradientBuffer(iParams).raw : nil
    k.scratch = graph.scratch(scratchScalars(rows: shape[0], count: n)).raw
    PassThroughKernel(k).run(specializedFor: Scalar.self)
    run(k)
  }
}

/// The untransformed columns of a coupling op: forward copies the whole input row (the transform
/// then overwrites its columns); backward adds ȳ into x̄ outside the transformed columns, ℓ̄ included.
private struct PassThroughKernel: ScalarKernel {
  let k: CouplingKernelArguments
  init(_ k: CouplingKernelArguments) { self.k = k }

  func run<T: TensorScalar>(_: T.Type) {
    let w = k.width, count = k.rows * w
    if k.pass == .forward {
      k.output.typed(T.self).update(from: k.state.typed(T.self), count: count)
      return
    }
    guard let gx = k.stateGradient?.typed(T.self) else { return }
    let gy = k.outputGradient!.typed(T.self), end = k.offset + k.count
    for b in 0..<k.rows {
      let gyr = gy + b * w, gxr = gx + b * w
      for j in 0..<k.offset { gxr[j] += gyr[j] }
      for j in end..<w { gxr[j] += gyr[j] }
    }
  }
}

/// A subnet's input [B, n + C]: columns offset..<offset+n of a packed state, then the condition.
/// VJP: the gradient is scattered back to those columns and to c. Returns c itself when n = 0,
/// and nil when there is no input at all.
final class ConditionedInputOp<S: TensorScalar>: CustomBackward {
  func input(_ s: Tensor<S>, columns offset: Int, count n: Int, condition c: Tensor<S>?) -> Tensor<S>? {
    if n == 0 { return c }
    let rows = s.shape[0], cols = c?.shape[1] ?? 0
    let out = c.map { s.graph.record(self, shape: Shape(rows, n + cols), inputs: s, $0) }
      ?? s.graph.record(self, shape: Shape(rows, n), inputs: s)
    s.graph.setSaved(out, buffer: nil, integers: (offset, n, cols, 0))
    ConditionedInputKernel(rows: rows, width: s.shape[1], offset: offset, n: n, cols: cols, state: s.pointer.raw,
                           condition: c?.pointer.raw, out: out.pointer.raw, backward: false).run(specializedFor: S.self)
    return out
  }

  func backward(_ graph: Graph<S>, node id: Int) {
    let saved = graph.saved(id).integers
    let iState = graph.input(0, of: id)
    let iCondition = graph.inputCount(of: id) > 1 ? graph.input(1, of: id) : nil
    let state = graph.requiresGrad(iState) ? graph.gradientBuffer(iState).raw : nil
    let condition = iCondition.flatMap { graph.requiresGrad($0) ? graph.gradientBuffer($0).raw : nil }
    guard state != nil || condition != nil else { return }
    ConditionedInputKernel(rows: graph.shape(of: id)[0], width: graph.shape(of: iState)[1], offset: saved.0, n: saved.1,
                           cols: saved.2, state: state, condition: condition, out: graph.gradientBuffer(id).raw,
                           backward: true).run(specializedFor: S.self)
  }
}

/// Forward: out[b] = [s[b, offset..<offset+n], c[b]]. Backward: the transpose, accumulating
/// into whichever of s̄, c̄ is given.
private struct ConditionedInputKernel: ScalarKernel {
  let rows: Int, width: Int, offset: Int, n: Int, cols: Int
  let state: UnsafeMutableRawPointer?, condition: UnsafeMutableRawPointer?, out: UnsafeMutableRawPointer
  let backward: Bool

  func run<T: TensorScalar>(_: T.Type) {
    let o = out.typed(T.self), m = n + cols
    let s = state?.typed(T.self), c = condition?.typed(T.self)
    for b in 0..<rows {
      let orow = o + b * m
      if let s {
        let srow = s + b * width + offset
        if backward { for j in 0..<n { srow[j] += orow[j] } } else { for j in 0..<n { orow[j] = srow[j] } }
      }
      if let c {
        let crow = c + b * cols, oc = orow + n
        if backward { for j in 0..<cols { crow[j] += oc[j] } } else { for j in 0..<cols { oc[j] = crow[j] } }
      }
    }
  }
}
