#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Clients that identify themselves by a URL (OAuth Client ID Metadata Document, draft-ietf-oauth-client-id-metadata-
/// document, the MCP authorization spec's preferred registration): a `client_id` that is an `https` URL (or, on a
/// developer's machine, `http` to a loopback host) is resolved by fetching that document, whose RFC 7591 metadata then
/// describes the client: redirect URIs, name, grant types, authentication method (`none` or `private_key_jwt`).
///
/// The fetched document is held per its HTTP caching headers (`RemoteDocuments`) and parsed again at each use, so a
/// change the client makes shows when the cached copy goes stale; `DELETE /debug` forgets it.
package enum ClientIDMetadataDocument {
    /// Whether `clientID` is to be resolved as a metadata document's URL.
    static func isURL(_ clientID: String) -> Bool {
        let lowered = clientID.prefix(8).lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
    }

    /// Authentication methods that need no shared secret (§4.1: a metadata document cannot carry one).
    static let authMethods: Set = ["none", "private_key_jwt"]

    /// The client the document at `url` describes.
    ///
    /// - Throws: `invalid_client` naming the URL and what is wrong: the URL itself, the fetch, the JSON, a `client_id`
    ///   that is not the URL, a secret, a secret-based authentication method, or metadata registration would refuse.
    static func client(_ url: String, remote: RemoteDocuments, registry: Registry) async throws(OAuthError) -> Client {
        func refuse(_ reason: String) -> OAuthError {
            OAuthError.invalidClient("client metadata document \(url): \(reason)")
        }
        if let problem = problem(with: url) { throw refuse(problem) }
        let document: RemoteDocument
        do {
            document = try await remote.fetch(url)
        } catch {
            throw refuse(error.reason)
        }
        guard let value = try? JSONDecoder().decode(ClaimValue.self, from: Data(document.body)), let metadata = value.objectValue else {
            throw refuse("the document is not a JSON object")
        }
        // §4.1: "MUST contain a client_id property whose value MUST match the URL of the document using simple string
        // comparison".
        guard let documented = metadata["client_id"]?.stringValue else { throw refuse("the document has no client_id") }
        guard documented == url else { throw refuse("its client_id \"\(documented)\" is not the document's URL") }
        // §4.1: no shared secret can be established through a public document.
        for field in ["client_secret", "client_secret_expires_at"] where metadata[field] != nil {
            throw refuse("a metadata document must not contain \(field)")
        }
        let method = metadata["token_endpoint_auth_method"]?.stringValue ?? "none"
        guard authMethods.contains(method) else {
            throw refuse("token_endpoint_auth_method \"\(method)\" needs a shared secret; a metadata document's client uses none or private_key_jwt")
        }
        var described = metadata
        described["token_endpoint_auth_method"] = .string(method)
        do throws(OAuthError) {
            try RegistrationEndpoint.check(described)
            var client = try RegistrationEndpoint.client(clientID: url, secret: nil, metadata: described, registry: registry).0
            client.scopes = client.scopes ?? registry.fixtures.scopes.map(\.name)
            // The rules clients.json follows (redirect URIs, scopes), checked on this client alone.
            do throws(MockIdPFixtureError) {
                _ = try Registry(MockIdPFixtures(users: [], clients: [client], scopes: registry.fixtures.scopes))
            } catch {
                throw RegistrationEndpoint.refusal(error)
            }
            return client
        } catch {
            throw refuse("\(error.code.rawValue): \(error.description)")
        }
    }

    /// §3 rules for the URL: a path (not the root), no `.` or `..` segment, no fragment, no user information;
    /// `https`, or `http` to a loopback host (MockIdP's allowance for local development).
    package static func problem(with url: String) -> String? {
        let target: RemoteURL
        do {
            target = try RemoteURL(url)
        } catch {
            return error.reason
        }
        let path = target.target.prefix { $0 != "?" }
        if path == "/" { return "the URL must have a path below its host (§3)" }
        if path.split(separator: "/", omittingEmptySubsequences: false).contains(where: { $0 == "." || $0 == ".." }) {
            return "the URL must not contain . or .. path segments (§3)"
        }
        return nil
    }
}

extension IdPState {
    /// The client `clientID` names: a loaded or runtime client, else, when it is a URL, the client its metadata
    /// document describes; `nil` for an unknown client that is no URL.
    ///
    /// - Throws: `invalid_client` when the metadata document cannot be fetched or describes no valid client.
    func client(_ clientID: String) async throws(OAuthError) -> Client? {
        let registry = registry
        if let client = registry.client(clientID) { return client }
        guard ClientIDMetadataDocument.isURL(clientID) else { return nil }
        return try await ClientIDMetadataDocument.client(clientID, remote: remote, registry: registry)
    }

    /// The fixtures, and the client a request's metadata-document `client_id` describes, if any.
    func registry(resolving clientID: String?) async throws(OAuthError) -> Registry {
        let registry = registry
        guard let clientID, registry.client(clientID) == nil, ClientIDMetadataDocument.isURL(clientID) else { return registry }
        return registry.including(try await ClientIDMetadataDocument.client(clientID, remote: remote, registry: registry))
    }
}
