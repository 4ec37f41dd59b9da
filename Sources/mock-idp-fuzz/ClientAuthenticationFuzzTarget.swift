#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import HTTPTypes
import MockIdP

extension FuzzTargets {
    /// The built-in fixtures' registry, the one a server started without a fixtures directory authenticates against.
    static let builtInRegistry: Registry = {
        do {
            return try Registry(FixtureLoader.builtIn())
        } catch {
            fatalError("the built-in fixtures do not load: \(error)")
        }
    }()

    /// Authorization headers and client authentication. The input is `<mode><header line>\n<form body>`: mode `0`
    /// sends the line as the header value (an empty line sends none), mode `1` sends `Basic <base64 of the line>`,
    /// so that the decoded credentials get fuzzed too (coverage cannot see into Foundation's base64 decoder).
    @Sendable static func clientAuthentication(_ bytes: [UInt8]) {
        let input = FuzzInput(bytes, modes: 2)
        let pieces = input.pieces(2)
        let header: String? =
            switch input.mode {
            case 1: "Basic " + Data(pieces[0]).base64EncodedString()
            default: pieces[0].isEmpty ? nil : String(decoding: pieces[0], as: UTF8.self)
            }
        if let header {
            checkBasic(header)
            checkBearer(header)
        }
        // An endpoint refuses a malformed form with invalid_request before it authenticates anybody.
        guard let form = try? FormParameters(parsing: pieces[1]) else { return }
        var headers = HTTPFields()
        if let header { headers[.authorization] = header }
        checkAuthentication(headers: headers, form: form, input: bytes)
    }

    /// Basic credentials (RFC 6749 §2.3.1) are `invalid_client` or a pair that re-encodes to itself.
    private static func checkBasic(_ header: String) {
        let id: String
        let secret: String
        do {
            (id, secret) = try ClientAuthentication.basicCredentials(header)
        } catch {
            fuzzCheck(
                error.code == .invalidClient && error.status == .unauthorized,
                "Basic refused with \(error.code) \(error.status): \(header.debugDescription)"
            )
            return
        }
        let again = "Basic " + Data((FormParameters.encode(id) + ":" + FormParameters.encode(secret)).utf8).base64EncodedString()
        let decoded = try? ClientAuthentication.basicCredentials(again)
        fuzzCheck(decoded?.0 == id && decoded?.1 == secret, "Basic credentials do not round-trip: \(header.debugDescription)")
    }

    /// A bearer header (RFC 6750 §2.1) gives a token with no surrounding spaces, or `invalid_request` (400).
    private static func checkBearer(_ header: String) {
        let token: String
        do {
            token = try BearerToken.token(fromAuthorization: header)
        } catch {
            fuzzCheck(
                error.code == .invalidRequest && error.status == .badRequest,
                "Bearer refused with \(error.code) \(error.status): \(header.debugDescription)"
            )
            return
        }
        fuzzCheck(token.first != " " && token.last != " ", "a bearer token with spaces around it: \(header.debugDescription)")
        if !token.isEmpty {
            let again = try? BearerToken.token(fromAuthorization: "Bearer " + token)
            fuzzCheck(again == token, "a bearer token does not round-trip: \(header.debugDescription)")
        }
    }

    /// Authentication succeeds only for a registered client that proved itself with a method it may use;
    /// anything else is `invalid_client` (401) or `invalid_request` (400).
    private static func checkAuthentication(headers: HTTPFields, form: FormParameters, input: [UInt8]) {
        let client: MockIdPFixtures.Client
        do {
            client = try ClientAuthentication.authenticate(headers: headers, form: form, registry: builtInRegistry)
        } catch {
            fuzzCheck(
                (error.code == .invalidClient && error.status == .unauthorized)
                    || (error.code == .invalidRequest && error.status == .badRequest),
                "authentication refused with \(error.code) \(error.status): \(input.fuzzHex)"
            )
            return
        }
        fuzzCheck(builtInRegistry.client(client.clientID) == client, "authenticated an unregistered client: \(input.fuzzHex)")
        fuzzCheck(
            form.duplicated.allSatisfy { $0 != "client_id" && $0 != "client_secret" },
            "authenticated with duplicated credentials: \(input.fuzzHex)"
        )
        let method: MockIdPFixtures.TokenEndpointAuthMethod
        let presentedID: String?
        let presentedSecret: String?
        if let header = headers[.authorization] {
            let credentials = try? ClientAuthentication.basicCredentials(header)
            fuzzCheck(credentials != nil && form["client_secret"] == nil, "authenticated without clean Basic credentials: \(input.fuzzHex)")
            presentedID = credentials?.0
            // A public client's id with an empty password is method none (what requests-oauthlib sends by default).
            let isPublicIdentification = credentials?.1 == "" && client.isPublic
            method = isPublicIdentification ? .none : .clientSecretBasic
            presentedSecret = isPublicIdentification ? nil : credentials?.1
        } else {
            presentedID = form["client_id"]
            presentedSecret = form["client_secret"]
            method = presentedSecret == nil ? .none : .clientSecretPost
        }
        fuzzCheck(presentedID == client.clientID, "authenticated \(client.clientID) for \(presentedID ?? "nobody"): \(input.fuzzHex)")
        fuzzCheck(client.allowedAuthMethods.contains(method), "\(client.clientID) authenticated with \(method): \(input.fuzzHex)")
        if let expected = client.clientSecret {
            fuzzCheck(presentedSecret == expected, "\(client.clientID) authenticated without its secret: \(input.fuzzHex)")
        }
    }
}
