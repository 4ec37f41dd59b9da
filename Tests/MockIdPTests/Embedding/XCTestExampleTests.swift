// MockIdP from XCTest, with set-up and tear-down as separate steps; public API only.
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import MockIdP
import XCTest

final class XCTestExampleTests: XCTestCase {
    private var started: StartedMockIdP?

    override func setUp() async throws {
        started = try await MockIdPServer.start()
    }

    override func tearDown() async throws {
        try await started?.stop()
    }

    func testDiscoveryNamesTheIssuer() async throws {
        let idp = try XCTUnwrap(started?.idp)
        let (data, _) = try await URLSession.shared.data(from: try XCTUnwrap(URL(string: idp.discoveryURL)))
        let document = try XCTUnwrap(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        XCTAssertEqual(document["issuer"] as? String, idp.issuer)
        XCTAssertEqual(document["token_endpoint"] as? String, idp.tokenEndpoint)
    }
}
