#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// `GET /healthz`: answers 200 once the server accepts connections, for readiness checks.
struct HealthEndpoint: Sendable {
    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get(RouterPath(EndpointPaths.healthz)) { _, _ in
            Response.json(data: Data(#"{"status":"ok"}"#.utf8))
        }
    }
}
