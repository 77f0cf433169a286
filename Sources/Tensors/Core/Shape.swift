/// The shape of a tensor: up to four dimensions stored inline (no heap allocation).
///
/// Row-major: the last dimension is contiguous. Networks use `[B, D]` for batches of vectors,
/// `[B, T, C]` for batches of time series and `[B, N, D]` for batches of sets. Many kernels view
/// a tensor as a matrix `[rows, cols]` where `cols` is the last dimension and `rows` the product
/// of all others.
public struct Shape: Equatable, Hashable, Sendable, CustomStringConvertible {
  public private(set) var rank: Int
  @usableFromInline var d: (Int, Int, Int, Int)

  // Fixed arities rather than a variadic: a variadic call builds an array on the heap, and
  // shapes are made in every op of every step.
  @inlinable public init() { self.init(trailing: 0, of: (1, 1, 1, 1)) }
  @inlinable public init(_ d0: Int) { self.init(trailing: 1, of: (1, 1, 1, d0)) }
  @inlinable public init(_ d0: Int, _ d1: Int) { self.init(trailing: 2, of: (1, 1, d0, d1)) }
  @inlinable public init(_ d0: Int, _ d1: Int, _ d2: Int) { self.init(trailing: 3, of: (1, d0, d1, d2)) }
  @inlinable public init(_ d0: Int, _ d1: Int, _ d2: Int, _ d3: Int) { self.init(trailing: 4, of: (d0, d1, d2, d3)) }

  public init(_ dims: [Int]) {
    precondition(dims.count <= 4, "Shape supports rank ≤ 4, got \(dims)")
    precondition(dims.allSatisfy { $0 >= 0 }, "negative dimension in \(dims)")
    rank = dims.count
    d = (dims.count > 0 ? dims[0] : 1, dims.count > 1 ? dims[1] : 1,
         dims.count > 2 ? dims[2] : 1, dims.count > 3 ? dims[3] : 1)
  }

  /// The last `rank` of four dimensions, without building an array.
  @usableFromInline init(trailing rank: Int, of dims: (Int, Int, Int, Int)) {
    precondition(rank >= 0 && rank <= 4)
    precondition(dims.0 >= 0 && dims.1 >= 0 && dims.2 >= 0 && dims.3 >= 0, "negative dimension in \(dims)")
    self.rank = rank
    switch rank {
    case 0: d = (1, 1, 1, 1)
    case 1: d = (dims.3, 1, 1, 1)
    case 2: d = (dims.2, dims.3, 1, 1)
    case 3: d = (dims.1, dims.2, dims.3, 1)
    default: d = dims
    }
  }

  /// Dimension `i` (0-based); negative `i` counts from the end.
  @inlinable public subscript(_ i: Int) -> Int {
    get {
      let j = i < 0 ? rank + i : i
      precondition(j >= 0 && j < rank, "axis \(i) out of range for rank \(rank)")
      switch j { case 0: return d.0; case 1: return d.1; case 2: return d.2; default: return d.3 }
    }
    set {
      let j = i < 0 ? rank + i : i
      precondition(j >= 0 && j < rank, "axis \(i) out of range for rank \(rank)")
      switch j { case 0: d.0 = newValue; case 1: d.1 = newValue; case 2: d.2 = newValue; default: d.3 = newValue }
    }
  }

  /// Number of elements.
  @inlinable public var count: Int {
    switch rank { case 0: return 1; case 1: return d.0; case 2: return d.0 * d.1
    case 3: return d.0 * d.1 * d.2; default: return d.0 * d.1 * d.2 * d.3 }
  }

  /// The last dimension (1 for a scalar).
  @inlinable public var cols: Int { rank == 0 ? 1 : self[rank - 1] }
  /// Product of all but the last dimension.
  @inlinable public var rows: Int { cols == 0 ? 0 : count / cols }

  public var dims: [Int] { (0..<rank).map { self[$0] } }

  /// The same shape with the last dimension replaced.
  public func withLast(_ n: Int) -> Shape {
    var s = self
    if rank == 0 { return Shape(n) }
    s[rank - 1] = n
    return s
  }

  /// Product of dimensions before `axis`, the dimension itself and the product after it:
  /// the `[outer, n, inner]` view used by reductions along an axis.
  public func split(at axis: Int) -> (outer: Int, n: Int, inner: Int) {
    var outer = 1, inner = 1
    for i in 0..<axis { outer *= self[i] }
    for i in (axis + 1)..<max(rank, axis + 1) { inner *= self[i] }
    return (outer, self[axis], inner)
  }

  public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

  public static func == (a: Shape, b: Shape) -> Bool {
    a.rank == b.rank && (0..<a.rank).allSatisfy { a[$0] == b[$0] }
  }
  public func hash(into h: inout Hasher) { for i in 0..<rank { h.combine(self[i]) } }
}
