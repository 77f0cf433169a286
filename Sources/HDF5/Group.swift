import CHDF5

/// The kind of object a path names.
public enum H5ObjectKind: Sendable, CustomStringConvertible {
  /// A group (`H5Group`), a dataset (`H5Dataset`) or a committed datatype (not otherwise supported).
  case group, dataset, namedDatatype

  /// "group", "dataset" or "named datatype".
  public var description: String {
    switch self {
    case .group: "group"
    case .dataset: "dataset"
    case .namedDatatype: "named datatype"
    }
  }
}

/// A group: named links to groups and datasets, like a directory.
///
/// Paths given to its methods are relative to the group (`"weights/dense1"`) or absolute in
/// the file (`"/weights/dense1"`). Creating an object creates missing intermediate groups.
public class H5Group: H5Object, @unchecked Sendable {
  /// Creates the group at `path`, and any missing groups above it.
  ///
  ///     let weights = try file.createGroup("weights")
  @discardableResult
  public func createGroup(_ path: String) throws -> H5Group {
    try Library.locked {
      let target = resolve(path)
      let site = self.site.at(target)
      if kind(at: target) != nil { throw HDF5Error.alreadyExists(file: filePath, path: target) }
      let group = try Self.intermediateGroupsLinkList(at: site).use { linkList in
        try site.handle(H5Gcreate2(handle.id, target, linkList, bf_h5p_default(), bf_h5p_default()),
                        .group, "create group")
      }
      return H5Group(handle: group, filePath: filePath, path: target)
    }
  }

  /// Opens the existing group at `path`.
  ///
  ///     let weights = try file.openGroup("/weights")
  public func openGroup(_ path: String) throws -> H5Group {
    try Library.locked {
      let target = try requireKind(.group, at: path)
      let group = try site.at(target).handle(H5Gopen2(handle.id, target, bf_h5p_default()),
                                             .group, "open group")
      return H5Group(handle: group, filePath: filePath, path: target)
    }
  }

  /// The names of the group's members (groups, datasets, named types), in byte order.
  ///
  ///     let names = try file.openGroup("weights").children()   // ["dense1.bias", …]
  public func children() throws -> [String] {
    try Library.locked {
      var info = H5G_info_t()
      try site.check(H5Gget_info(handle.id, &info), "list group members")
      return try (0..<info.nlinks).map { index in
        let length = H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0,
                                        bf_h5p_default())
        try site.check(length, "read a member name")
        var name = [UInt8](repeating: 0, count: length + 1)
        let status = name.withUnsafeMutableBytes {
          H5Lget_name_by_idx(handle.id, ".", H5_INDEX_NAME, H5_ITER_INC, index,
                             $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count, bf_h5p_default())
        }
        try site.check(status, "read a member name")
        return String(decoding: name[..<length], as: UTF8.self)
      }
    }
  }

  /// Whether an object exists at `path` (a dangling link does not count).
  ///
  ///     if file.exists("/lengths") { … }
  public func exists(_ path: String) -> Bool {
    kind(at: path) != nil
  }

  /// The kind of object at `path`, or nil if there is none. Every intermediate component must
  /// be a group.
  ///
  ///     file.kind(at: "observations")   // .dataset
  public func kind(at path: String) -> H5ObjectKind? {
    Library.locked {
      let target = resolve(path)
      var prefix = ""
      var kind: H5ObjectKind? = .group  // the root
      for component in target.split(separator: "/") {
        guard kind == .group else { return nil }
        prefix += "/" + component
        guard H5Lexists(handle.id, prefix, bf_h5p_default()) > 0 else { return nil }
        let object = H5Oopen(handle.id, prefix, bf_h5p_default())
        guard object >= 0 else { return nil }
        kind = Handle(object, .object).use { object in
          switch H5Iget_type(object) {
          case H5I_GROUP: .group
          case H5I_DATASET: .dataset
          case H5I_DATATYPE: .namedDatatype
          default: nil
          }
        }
      }
      return kind
    }
  }

  /// Resolves `path` and checks that it names an object of `expected` kind.
  func requireKind(_ expected: H5ObjectKind, at path: String) throws -> String {
    let target = resolve(path)
    switch kind(at: target) {
    case expected?:
      return target
    case nil:
      throw HDF5Error.notFound(file: filePath, path: target, what: expected.description)
    case let found?:
      throw HDF5Error.wrongKind(file: filePath, path: target, expected: expected.description,
                                found: found.description)
    }
  }

  /// A link-creation property list that creates missing intermediate groups.
  static func intermediateGroupsLinkList(at site: Site) throws -> Handle {
    let list = try site.handle(H5Pcreate(bf_h5p_link_create()), .propertyList,
                               "create a link property list")
    try site.check(H5Pset_create_intermediate_group(list.id, 1), "enable intermediate groups")
    return list
  }
}
