#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// `/debug/issuers` on the root issuer: list, add and remove the server's named issuers. The routes decode and
/// encode; `IssuerTable` owns each operation and its checks.
struct IssuerDebugRoutes: Sendable {
    let issuers: IssuerTable

    func addRoutes(to router: some RouterMethods<IdPRequestContext>) {
        router.get("/debug/issuers") { _, _ in try Response.json(["issuers": .array(issuers.named.map(Self.describe))] as [String: ClaimValue]) }
        router.post("/debug/issuers", use: add)
        router.delete("/debug/issuers/:name") { _, context in
            let name = try context.parameters.require("name")
            guard issuers.remove(name: name) else {
                return try Response.json(["error": "not_found", "error_description": "no issuer is named \"\(name)\""], status: .notFound)
            }
            return try Response.json(["removed": .string(name)] as [String: ClaimValue])
        }
    }

    /// `{"name", "layout", "origin", "issuer", "discovery", "debug"}`.
    static func describe(_ entry: IssuerTable.Entry) -> ClaimValue {
        let state = entry.issuer.state
        return .object([
            "name": .string(entry.name),
            "layout": .string(entry.layout.rawValue),
            "origin": .string(entry.origin.rawValue),
            "issuer": .string(state.issuer.issuer),
            "discovery": .string(state.issuer.url(state.paths.openIDConfiguration)),
            "debug": .string(state.issuer.url(EndpointPaths.debug)),
        ])
    }

    /// `{"name": "partner-bank", "layout": "keycloak", "users": […], "clients": […], "scopes": […]}`: fixtures given
    /// inline are validated like fixture files (a list left out is the built-in one; none at all serves the root's); 201 with the issuer, or 400.
    @Sendable func add(_ request: Request, context: IdPRequestContext) async throws -> Response {
        var request = request
        let body = try await DebugRequestBody.object(&request, maxSize: context.maxUploadSize, allowed: ["name", "layout", "users", "clients", "scopes"])
        guard let name = try body.string("name") else {
            throw OAuthError(.invalidRequest, #"name is missing, e.g. {"name": "partner-bank", "layout": "keycloak"}"#)
        }
        let layoutName = try body.string("layout") ?? MockIdPConfiguration.Layout.standard.rawValue
        guard let layout = MockIdPConfiguration.Layout(rawValue: layoutName) else {
            throw OAuthError(.invalidRequest, "unknown layout \"\(layoutName)\" (standard, keycloak, entra or auth0)")
        }
        var fixtures: MockIdPFixtures?
        if body.fields["users"] != nil || body.fields["clients"] != nil || body.fields["scopes"] != nil {
            func file(_ field: String) throws -> Result<Data?, MockIdPFixtureError.Problem> {
                guard let value = body.fields[field] else { return .success(nil) }
                return .success(try JSONEncoder().encode(value))
            }
            do {
                fixtures = try FixtureLoader.decode(
                    users: try file("users"), clients: try file("clients"), scopes: try file("scopes"),
                    labels: [FixtureValidator.usersFile: "users", FixtureValidator.clientsFile: "clients", FixtureValidator.scopesFile: "scopes"]
                )
            } catch let error as MockIdPFixtureError {
                return try DebugRoutes.fixtureErrorResponse(error)
            }
        }
        let entry: IssuerTable.Entry
        do {
            entry = try await issuers.add(name: name, layout: layout, fixtures: fixtures)
        } catch let error as MockIdPFixtureError {
            return try DebugRoutes.fixtureErrorResponse(error)
        }
        return try Response.json(Self.describe(entry), status: .created)
    }
}
