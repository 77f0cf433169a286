import CHDF5

/// The element type of a dataset or attribute, as stored in the file.
///
/// The six numeric cases are the types this module writes (`HDF5Scalar`); files written by
/// other tools may hold other types, reported as `other` with a readable description. Any
/// numeric type can be read as any `HDF5Scalar` (HDF5 converts, as NumPy's `astype` would).
public enum H5ElementType: Hashable, Sendable, CustomStringConvertible {
  /// IEEE 754 floats and two's-complement / unsigned integers of the named width (NumPy names).
  case float32, float64, int32, int64, uint64, uint8
  /// UTF-8 (or ASCII) strings of at most `length` bytes each, NUL-padded.
  case fixedString(length: Int)
  /// UTF-8 (or ASCII) strings of any length.
  case variableString
  /// Any other HDF5 type, e.g. "int16" or "compound".
  case other(String)

  /// NumPy-style name: "float32", "uint8", "string", "string[12]", ….
  public var description: String {
    switch self {
    case .float32: "float32"
    case .float64: "float64"
    case .int32: "int32"
    case .int64: "int64"
    case .uint64: "uint64"
    case .uint8: "uint8"
    case let .fixedString(length): "string[\(length)]"
    case .variableString: "string"
    case let .other(name): name
    }
  }

  /// Whether values of this type can be read as any `HDF5Scalar`.
  public var isNumeric: Bool {
    switch self {
    case .float32, .float64, .int32, .int64, .uint64, .uint8: true
    case .fixedString, .variableString: false
    case let .other(name): name.hasPrefix("int") || name.hasPrefix("uint") || name.hasPrefix("float")
    }
  }

  /// Whether values of this type are strings.
  public var isString: Bool {
    switch self {
    case .fixedString, .variableString: true
    default: false
    }
  }
}

extension H5ElementType {
  /// Classifies an HDF5 datatype. Must be called under the library lock.
  init(typeID: hid_t) {
    let size = H5Tget_size(typeID)
    switch H5Tget_class(typeID) {
    case H5T_INTEGER:
      let signed = H5Tget_sign(typeID) == H5T_SGN_2
      switch (signed, size) {
      case (true, 4): self = .int32
      case (true, 8): self = .int64
      case (false, 8): self = .uint64
      case (false, 1): self = .uint8
      default: self = .other("\(signed ? "int" : "uint")\(8 * size)")
      }
    case H5T_FLOAT:
      switch size {
      case 4: self = .float32
      case 8: self = .float64
      default: self = .other("float\(8 * size)")
      }
    case H5T_STRING:
      self = H5Tis_variable_str(typeID) > 0 ? .variableString : .fixedString(length: size)
    case H5T_COMPOUND: self = .other("compound")
    case H5T_ENUM: self = .other("enum")
    case H5T_ARRAY: self = .other("array")
    case H5T_VLEN: self = .other("vlen")
    case H5T_OPAQUE: self = .other("opaque")
    case H5T_REFERENCE: self = .other("reference")
    case H5T_BITFIELD: self = .other("bitfield")
    default: self = .other("unknown")
    }
  }

  /// The in-memory (native) datatype of a numeric case; library-owned, never closed.
  var nativeTypeID: hid_t {
    switch self {
    case .float32: bf_h5t_native_float()
    case .float64: bf_h5t_native_double()
    case .int32: bf_h5t_native_int32()
    case .int64: bf_h5t_native_int64()
    case .uint64: bf_h5t_native_uint64()
    case .uint8: bf_h5t_native_uint8()
    case .fixedString, .variableString, .other:
      preconditionFailure("\(self) has no native numeric type")
    }
  }

  /// The little-endian datatype a numeric case is stored as; library-owned, never closed.
  var fileTypeID: hid_t {
    switch self {
    case .float32: bf_h5t_ieee_f32le()
    case .float64: bf_h5t_ieee_f64le()
    case .int32: bf_h5t_std_i32le()
    case .int64: bf_h5t_std_i64le()
    case .uint64: bf_h5t_std_u64le()
    case .uint8: bf_h5t_std_u8le()
    case .fixedString, .variableString, .other:
      preconditionFailure("\(self) has no numeric file type")
    }
  }
}
