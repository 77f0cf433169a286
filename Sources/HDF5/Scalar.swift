/// A Swift number type that datasets and attributes can hold, element for element.
///
/// Values move between Swift arrays and HDF5 as raw memory (one C call per read or write),
/// so conforming types are plain bit patterns of the matching native C type.
public protocol HDF5Scalar: BitwiseCopyable, Sendable {
  /// The element type values of this type are stored as.
  static var hdf5ElementType: H5ElementType { get }
}

extension Float: HDF5Scalar {
  /// Stored as IEEE 754 binary32, little-endian.
  public static var hdf5ElementType: H5ElementType { .float32 }
}

extension Double: HDF5Scalar {
  /// Stored as IEEE 754 binary64, little-endian.
  public static var hdf5ElementType: H5ElementType { .float64 }
}

extension Int32: HDF5Scalar {
  /// Stored as a 32-bit two's-complement integer, little-endian.
  public static var hdf5ElementType: H5ElementType { .int32 }
}

extension Int64: HDF5Scalar {
  /// Stored as a 64-bit two's-complement integer, little-endian.
  public static var hdf5ElementType: H5ElementType { .int64 }
}

extension UInt64: HDF5Scalar {
  /// Stored as a 64-bit unsigned integer, little-endian.
  public static var hdf5ElementType: H5ElementType { .uint64 }
}

extension UInt8: HDF5Scalar {
  /// Stored as an 8-bit unsigned integer.
  public static var hdf5ElementType: H5ElementType { .uint8 }
}
