import XCTest
final class PlaceholderNetworksTests: XCTestCase { func testNothing() {} }
