import Foundation
import HTTPTypes
import HummingbirdTesting
import NIOCore
import Testing

@testable import MockIdP

/// Seeded random inputs (a fuzzing corpus that runs on every `swift test`, bounded in count): whatever arrives,
/// parsing never crashes and no endpoint answers 5xx. A failure prints the seed and the input, to become a test of its own.
@Suite struct HostileInputTests {
    /// SplitMix64: small, fast, and the same sequence for the same seed on every machine.
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Bytes that are mostly form-like (names, '=', '&', '%', '+', hex, UTF-8 fragments), sometimes anything.
    static func formBytes(_ random: inout SeededGenerator, maxLength: Int = 200) -> [UInt8] {
        let alphabet = Array("client_idsecretcodescope=&%+2F0aZz~.-_ éü\u{0}\u{7F}".utf8) + [0xFF, 0xC3, 0x28, 0xE2, 0x82]
        let length = Int.random(in: 0...maxLength, using: &random)
        return (0..<length).map { _ in
            Bool.random(using: &random) ? alphabet.randomElement(using: &random)! : UInt8.random(in: 0...255, using: &random)
        }
    }

    @Test("form parsing takes any bytes: a value or an invalid_request, never a crash", arguments: [1, 2, 3])
    func formParsing(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        for _ in 0..<3000 {
            let bytes = Self.formBytes(&random)
            do {
                let form = try FormParameters.oauth(parsing: bytes)
                // Whatever parsed must round-trip through our own encoder.
                for (name, value) in form.values {
                    let again = try FormParameters.oauth(parsing: Array(FormParameters.encode([(name, value)]).utf8))
                    #expect(again.values[name] == value, "round trip of \(bytes)")
                }
            } catch {
                #expect(error.code == .invalidRequest, "input \(bytes)")
            }
        }
    }

    @Test("Basic credentials parsing takes any header value without crashing", arguments: [4, 5])
    func basicCredentials(seed: UInt64) {
        var random = SeededGenerator(state: seed)
        for _ in 0..<3000 {
            let raw = String(decoding: Self.formBytes(&random, maxLength: 80), as: UTF8.self)
            let header = Bool.random(using: &random) ? "Basic " + Data(raw.utf8).base64EncodedString() : "Basic " + raw
            do {
                _ = try ClientAuthentication.basicCredentials(header)
            } catch {
                #expect(error.code == .invalidClient, "header \(header)")
            }
        }
    }

    @Test("the JSON locator agrees with the decoder on mutated fixtures, and fixture loading never crashes", arguments: [6, 7])
    func fixtureMutations(seed: UInt64) throws {
        var random = SeededGenerator(state: seed)
        let originals = [BuiltInFixtures.users, BuiltInFixtures.clients, BuiltInFixtures.scopes].map { Array($0.utf8) }
        for _ in 0..<400 {
            var bytes = originals.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...4, using: &random) {
                let index = Int.random(in: 0..<bytes.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &random)
                case 1: bytes.remove(at: index)
                default: bytes.insert(Array("{}[],:\"0 ".utf8).randomElement(using: &random)!, at: index)
                }
            }
            let strictlyValid = JSONSyntaxError.locate(in: bytes) == nil
            if strictlyValid {
                #expect((try? JSONDecoder().decode(ClaimValue.self, from: Data(bytes))) != nil, "locator accepted what the decoder refuses: \(String(decoding: bytes, as: UTF8.self))")
            }
            let data = Data(bytes)
            do {
                _ = try FixtureLoader.decode(users: .success(data), clients: .success(data), scopes: .success(data))
            } catch {
                #expect(!error.problems.isEmpty)
                #expect(error.problems.allSatisfy { !$0.reason.isEmpty })
            }
        }
    }

    @Test("no request, however malformed, gets a 5xx from any endpoint", arguments: [8, 9])
    func endpoints(seed: UInt64) async throws {
        try await withTestIdP { idp in
            var random = SeededGenerator(state: seed)
            let paths = [
                "/authorize", "/token", "/userinfo", "/introspect", "/revoke", "/device_authorization", "/device", "/end_session",
                "/debug", "/debug/clock", "/debug/tokens", "/debug/next", "/debug/users", "/debug/clients", "/jwks",
                "/.well-known/openid-configuration",
            ]
            let contentTypes = ["application/x-www-form-urlencoded", "application/json", "text/plain", "multipart/form-data; boundary=x", ""]
            let authorizations = ["", "Basic", "Basic !!!", "Bearer", "Bearer x.y.z", "Basic " + Data("budgetify:budgetify-secret".utf8).base64EncodedString()]
            for _ in 0..<300 {
                let path = paths.randomElement(using: &random)!
                let method: HTTPRequest.Method = [.get, .post, .delete, .put].randomElement(using: &random)!
                var headers: HTTPFields = [:]
                if let contentType = contentTypes.randomElement(using: &random), !contentType.isEmpty { headers[.contentType] = contentType }
                if let authorization = authorizations.randomElement(using: &random), !authorization.isEmpty { headers[.authorization] = authorization }
                let body = Self.formBytes(&random, maxLength: 400)
                let query = String(decoding: Self.formBytes(&random, maxLength: 60).filter { $0 > 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "#") }, as: UTF8.self)
                let uri = query.isEmpty ? path : path + "?" + query
                let response = try await idp.client.execute(
                    uri: uri, method: method, headers: headers, body: method == .get ? nil : ByteBuffer(bytes: body)
                )
                #expect(response.status.code < 500, "\(method) \(uri) with \(headers) and body \(body) answered \(response.status)")
            }
        }
    }

    @Test("JWT-shaped garbage at userinfo and introspection is invalid_token or inactive, never a crash", arguments: [10])
    func jwtGarbage(seed: UInt64) async throws {
        try await withTestIdP { idp in
            var random = SeededGenerator(state: seed)
            let real = try #require(try json(try await idp.redeem(try await idp.code()))["access_token"] as? String)
            for _ in 0..<150 {
                var token = Array(real.utf8)
                for _ in 0..<Int.random(in: 1...3, using: &random) {
                    token[Int.random(in: 0..<token.count, using: &random)] = Array("abcXYZ012-_.=".utf8).randomElement(using: &random)!
                }
                let value = String(decoding: token, as: UTF8.self)
                guard value != real else { continue }
                let userinfo = try await idp.get("/userinfo", headers: [.authorization: "Bearer \(value)"])
                #expect(userinfo.status == .unauthorized || userinfo.status == .badRequest)
                let introspection = try await idp.post("/introspect", form: [("token", value)], headers: [.authorization: basic("budgetify", "budgetify-secret")])
                #expect(try json(introspection)["active"] as? Bool == false)
                _ = JWTParts(value)  // decoding for /debug must not trap on it
            }
        }
    }
}
