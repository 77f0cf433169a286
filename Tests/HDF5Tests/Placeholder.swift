import XCTest
final class PlaceholderHDF5Tests: XCTestCase { func testNothing() {} }
