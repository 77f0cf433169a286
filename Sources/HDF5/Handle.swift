import CHDF5

/// Owner of one HDF5 identifier (`hid_t`): closes it, under the library lock, on release.
///
/// Swift may release an object right after its last use, so code that passes `id` to a C call
/// must keep the handle alive across the call: through `self` (a stored property of a live
/// object) or by calling inside `use(_:)` / `withExtendedLifetime`.
final class Handle: @unchecked Sendable {
  /// Which HDF5 close function releases the identifier.
  enum Kind {
    case file, group, dataset, attribute, dataspace, datatype, propertyList, object
  }

  /// The identifier; valid while `self` is alive.
  let id: hid_t
  let kind: Kind

  /// Takes ownership of `id`, which must be valid (non-negative).
  init(_ id: hid_t, _ kind: Kind) {
    precondition(id >= 0, "Handle requires a valid HDF5 identifier")
    self.id = id
    self.kind = kind
  }

  deinit {
    Library.locked {
      switch kind {
      case .file: _ = H5Fclose(id)
      case .group: _ = H5Gclose(id)
      case .dataset: _ = H5Dclose(id)
      case .attribute: _ = H5Aclose(id)
      case .dataspace: _ = H5Sclose(id)
      case .datatype: _ = H5Tclose(id)
      case .propertyList: _ = H5Pclose(id)
      case .object: _ = H5Oclose(id)
      }
    }
  }

  /// Calls `body` with the identifier, keeping the handle alive until it returns.
  func use<R>(_ body: (hid_t) throws -> R) rethrows -> R {
    try withExtendedLifetime(self) { try body(id) }
  }
}
