import Foundation
import Testing

@testable import MockIdP

@Suite struct FixtureLoaderTests {
    // A small, valid world; each test breaks one file at a time.
    static let users = #"[{"sub": "alice"}]"#
    static let clients = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"]}]"#
    static let scopes = #"[{"name": "openid"}, {"name": "profile", "claims": ["name"]}]"#

    /// Decodes fixture texts as `FixtureLoader.decode` receives them from a directory-less source.
    static func decode(users: String? = users, clients: String? = clients, scopes: String? = scopes) throws(MockIdPFixtureError) -> MockIdPFixtures {
        try FixtureLoader.decode(
            users: .success(users.map { Data($0.utf8) }),
            clients: .success(clients.map { Data($0.utf8) }),
            scopes: .success(scopes.map { Data($0.utf8) })
        )
    }

    /// Every problem the loader reports for these texts; decoding must fail.
    static func problems(users: String = users, clients: String = clients, scopes: String = scopes) throws -> [MockIdPFixtureError.Problem] {
        let error = try #require(throws: MockIdPFixtureError.self) { try decode(users: users, clients: clients, scopes: scopes) }
        return error.problems
    }

    /// The one problem the loader reports for these texts.
    static func onlyProblem(users: String = users, clients: String = clients, scopes: String = scopes) throws -> MockIdPFixtureError.Problem {
        let problems = try problems(users: users, clients: clients, scopes: scopes)
        #expect(problems.count == 1, "expected exactly one problem, got:\n\(problems.map(\.description).joined(separator: "\n"))")
        return try #require(problems.first)
    }

    /// A fresh directory under the temporary directory, removed after `body`.
    static func withDirectory<T>(files: [String: String], _ body: (String) throws -> T) throws -> T {
        let url = FileManager.default.temporaryDirectory.appending(path: "mock-idp-fixtures-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: url) }
        for (name, contents) in files {
            try Data(contents.utf8).write(to: url.appending(path: name))
        }
        return try body(url.path)
    }

    // MARK: Whole-file problems

    @Test(
        "malformed JSON is reported with the line and column where it goes wrong",
        arguments: [
            // The second comma on line 2 is the 19th character of that line.
            ("[\n  {\"sub\": \"alice\",,}\n]", 2, 19),
            // A trailing comma, which a lenient parser would accept.
            ("[\n  {\"sub\": \"alice\"},\n]", 3, 1),
            // Unterminated: the end of the text, after the line break.
            ("[\n  {\"sub\": \"alice\"}\n", 3, 1),
            // A multi-byte character counts as one column.
            ("[{\"sub\": \"äö\" x}]", 1, 15),
        ]
    )
    func malformedJSON(text: String, line: Int, column: Int) throws {
        let problem = try Self.onlyProblem(users: text)
        #expect(problem.file == "users.json")
        #expect(problem.entry == nil)
        #expect(problem.field == nil)
        #expect(problem.reason.hasPrefix("malformed JSON"))
        #expect(problem.reason.contains("line \(line), column \(column)"), "\(problem.reason)")
    }

    @Test("a top level that is not an array is reported with what was found")
    func topLevelNotArray() throws {
        let problem = try Self.onlyProblem(clients: #"{"client_id": "app"}"#)
        #expect(problem.file == "clients.json")
        #expect(problem.entry == nil)
        #expect(problem.reason.contains("expected a JSON array of clients"))
        #expect(problem.reason.contains("found an object"))
    }

    @Test("an element that is not an object is reported once, by index")
    func elementNotObject() throws {
        let problem = try Self.onlyProblem(users: #"[{"sub": "alice"}, "bob"]"#)
        #expect(problem.file == "users.json")
        #expect(problem.entry == "index 1")
        #expect(problem.field == nil)
        #expect(problem.reason == "expected an object, found a string")
    }

    // MARK: Field types

    @Test(
        "a missing required field names its file, entry and field",
        arguments: [
            ("users.json", #"[{"username": "u"}]"#, "sub"),
            ("users.json", #"[{"sub": null}]"#, "sub"),
            ("clients.json", #"[{"client_secret": "s", "grant_types": ["client_credentials"]}]"#, "client_id"),
            ("scopes.json", #"[{"name": "openid"}, {"description": "no name"}]"#, "name"),
        ]
    )
    func missingRequiredField(file: String, json: String, field: String) throws {
        let problem = try Self.onlyProblem(file: file, json: json)
        #expect(problem.file == file)
        #expect(problem.entry == (file == "scopes.json" ? "index 1" : "index 0"))
        #expect(problem.field == field)
        #expect(problem.reason == "required field is missing")
    }

    @Test(
        "a field of the wrong type names the field and the type found",
        arguments: [
            ("users.json", #"[{"sub": 5}]"#, "index 0", "sub", "expected a string, found a number"),
            ("users.json", #"[{"sub": "alice", "claims": ["name"]}]"#, #"index 0 (sub "alice")"#, "claims", "expected an object of claims, found an array"),
            (
                "clients.json", #"[{"client_id": "app", "client_secret": "s", "redirect_uris": "http://localhost/cb"}]"#,
                #"index 0 (client_id "app")"#, "redirect_uris", "expected an array of strings, found a string"
            ),
            (
                "clients.json", #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "grant_types": ["authorization_code", 7]}]"#,
                #"index 0 (client_id "app")"#, "grant_types[1]", "expected a string, found a number"
            ),
            (
                "clients.json", #"[{"client_id": "app", "client_secret": true, "redirect_uris": ["http://localhost/cb"]}]"#,
                #"index 0 (client_id "app")"#, "client_secret", "expected a string, found a boolean"
            ),
            ("scopes.json", #"[{"name": "openid", "claims": "sub"}]"#, #"index 0 (name "openid")"#, "claims", "expected an array of strings, found a string"),
        ]
    )
    func wrongType(file: String, json: String, entry: String, field: String, reason: String) throws {
        let problem = try Self.onlyProblem(file: file, json: json)
        #expect(problem.file == file)
        #expect(problem.entry == entry)
        #expect(problem.field == field)
        #expect(problem.reason == reason)
    }

    @Test(
        "an empty string is refused where a value is expected",
        arguments: [
            ("users.json", #"[{"sub": ""}]"#, "index 0", "sub"),
            ("users.json", #"[{"sub": "alice", "password": ""}]"#, #"index 0 (sub "alice")"#, "password"),
            ("clients.json", #"[{"client_id": "", "client_secret": "s", "redirect_uris": ["http://localhost/cb"]}]"#, "index 0", "client_id"),
            (
                "clients.json", #"[{"client_id": "app", "client_secret": "", "redirect_uris": ["http://localhost/cb"]}]"#,
                #"index 0 (client_id "app")"#, "client_secret"
            ),
        ]
    )
    func emptyString(file: String, json: String, entry: String, field: String) throws {
        let problem = try Self.onlyProblem(file: file, json: json)
        #expect(problem.file == file)
        #expect(problem.entry == entry)
        #expect(problem.field == field)
        #expect(problem.reason == "must not be empty")
    }

    @Test(
        "an unknown field is refused and the allowed ones are listed",
        arguments: [
            ("users.json", #"[{"sub": "alice", "emial": "a@example.org"}]"#, #"index 0 (sub "alice")"#, "emial", "claims"),
            (
                "clients.json", #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "redirect_uri": "x"}]"#,
                #"index 0 (client_id "app")"#, "redirect_uri", "redirect_uris"
            ),
            ("scopes.json", #"[{"name": "openid", "claim": ["sub"]}]"#, #"index 0 (name "openid")"#, "claim", "claims"),
        ]
    )
    func unknownField(file: String, json: String, entry: String, field: String, allowedExample: String) throws {
        let problem = try Self.onlyProblem(file: file, json: json)
        #expect(problem.file == file)
        #expect(problem.entry == entry)
        #expect(problem.field == field)
        #expect(problem.reason.hasPrefix("unknown field"))
        #expect(problem.reason.contains(allowedExample))
    }

    @Test(
        "a number of seconds that is not a positive whole number is refused",
        arguments: ["access_token_ttl", "refresh_token_ttl", "id_token_ttl"], ["0", "-60", "1.5", "\"3600\""]
    )
    func nonPositiveTTL(field: String, value: String) throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "\#(field)": \#(value)}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == field)
        #expect(problem.reason.contains("positive"))
    }

    // MARK: Cross-checks

    @Test("a duplicate sub is reported on the second entry, naming the first")
    func duplicateSub() throws {
        let problem = try Self.onlyProblem(users: #"[{"sub": "a", "username": "x"}, {"sub": "a", "username": "y"}]"#)
        #expect(problem.file == "users.json")
        #expect(problem.entry == #"index 1 (sub "a")"#)
        #expect(problem.field == "sub")
        #expect(problem.reason == #"duplicate sub "a" (first at index 0)"#)
    }

    @Test("a duplicate username is reported on the second entry, naming the first")
    func duplicateUsername() throws {
        let problem = try Self.onlyProblem(users: #"[{"sub": "a", "username": "same"}, {"sub": "b"}, {"sub": "c", "username": "same"}]"#)
        #expect(problem.file == "users.json")
        #expect(problem.entry == #"index 2 (sub "c")"#)
        #expect(problem.field == "username")
        #expect(problem.reason == #"duplicate username "same" (first at index 0)"#)
    }

    @Test("a duplicate client_id is reported on the second entry, naming the first")
    func duplicateClientID() throws {
        let client = #"{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"]}"#
        let problem = try Self.onlyProblem(clients: "[\(client), \(client)]")
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 1 (client_id "app")"#)
        #expect(problem.field == "client_id")
        #expect(problem.reason == #"duplicate client_id "app" (first at index 0)"#)
    }

    @Test("a duplicate scope name is reported on the second entry, naming the first")
    func duplicateScope() throws {
        let problem = try Self.onlyProblem(scopes: #"[{"name": "openid"}, {"name": "profile"}, {"name": "openid"}]"#)
        #expect(problem.file == "scopes.json")
        #expect(problem.entry == #"index 2 (name "openid")"#)
        #expect(problem.field == "name")
        #expect(problem.reason == #"duplicate scope "openid" (first at index 0)"#)
    }

    @Test("a scope name that is not an RFC 6749 scope token is refused")
    func invalidScopeToken() throws {
        let problem = try Self.onlyProblem(scopes: #"[{"name": "openid"}, {"name": "read write"}]"#)
        #expect(problem.file == "scopes.json")
        #expect(problem.entry == #"index 1 (name "read write")"#)
        #expect(problem.field == "name")
        #expect(problem.reason.contains("scope token"))
    }

    @Test("a client asking for a scope that scopes.json does not define is refused")
    func undefinedScope() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "scopes": ["openid", "payments"]}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.file == "clients.json")
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "scopes[1]")
        #expect(problem.reason.contains(#""payments""#))
        #expect(problem.reason.contains("scopes.json"))
    }

    @Test(
        "a redirect URI that RFC 6749 §3.1.2 forbids is refused with the reason",
        arguments: [
            ("/callback", "not an absolute URI"),
            ("localhost:3000/callback#", "fragment"),
            ("http://localhost:3000/callback#done", "fragment"),
            ("http:///callback", "no host"),
            ("https:callback", "no host"),
            ("http://local host/callback", "whitespace"),
            ("3000:callback", "bad scheme"),
        ]
    )
    func badRedirectURI(uri: String, reason: String) throws {
        for field in ["redirect_uris", "post_logout_redirect_uris"] {
            let redirectURIs = field == "redirect_uris" ? uri : "http://localhost/cb"
            let logoutURIs = field == "redirect_uris" ? "http://localhost/" : uri
            let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["\#(redirectURIs)"], "post_logout_redirect_uris": ["\#(logoutURIs)"]}]"#
            let problem = try Self.onlyProblem(clients: json)
            #expect(problem.file == "clients.json")
            #expect(problem.entry == #"index 0 (client_id "app")"#)
            #expect(problem.field == "\(field)[0]")
            #expect(problem.reason.contains(uri))
            #expect(problem.reason.contains(reason))
        }
    }

    @Test("a client with the authorization_code grant needs a redirect URI")
    func codeGrantNeedsRedirectURI() throws {
        let problem = try Self.onlyProblem(clients: #"[{"client_id": "app", "client_secret": "s"}]"#)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "redirect_uris")
        #expect(problem.reason.contains("authorization_code"))
    }

    @Test("an unknown grant type is refused and the known ones are listed")
    func unknownGrantType() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "grant_types": ["authorization_code", "implicit"]}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "grant_types[1]")
        #expect(problem.reason.contains(#"unknown grant type "implicit""#))
        for grantType in GrantType.allCases {
            #expect(problem.reason.contains(grantType.rawValue))
        }
    }

    @Test("an unknown token_endpoint_auth_method is refused and the known ones are listed")
    func unknownAuthMethod() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "token_endpoint_auth_method": "tls_client_auth"}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "token_endpoint_auth_method")
        #expect(problem.reason.contains(#""tls_client_auth""#))
        for method in TokenEndpointAuthMethod.allCases {
            #expect(problem.reason.contains(method.rawValue))
        }
    }

    @Test("token_endpoint_auth_method none on a client with a secret is refused")
    func noneWithSecret() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "token_endpoint_auth_method": "none"}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "token_endpoint_auth_method")
        #expect(problem.reason.contains("client_secret"))
    }

    @Test("a secret-based auth method on a client without a secret is refused")
    func secretMethodWithoutSecret() throws {
        let json = #"[{"client_id": "app", "redirect_uris": ["http://localhost/cb"], "token_endpoint_auth_method": "client_secret_basic"}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "token_endpoint_auth_method")
        #expect(problem.reason.contains("client_secret"))
    }

    @Test("the client_credentials grant on a public client is refused")
    func clientCredentialsOnPublicClient() throws {
        let problem = try Self.onlyProblem(clients: #"[{"client_id": "svc", "grant_types": ["client_credentials"]}]"#)
        #expect(problem.entry == #"index 0 (client_id "svc")"#)
        #expect(problem.field == "grant_types")
        #expect(problem.reason.contains("client_credentials"))
    }

    @Test("an empty audience is refused")
    func emptyAudience() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "audience": []}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.entry == #"index 0 (client_id "app")"#)
        #expect(problem.field == "audience")
    }

    @Test("a claim MockIdP sets itself cannot be a user claim", arguments: ["sub", "iss", "aud", "exp", "iat"])
    func reservedClaim(claim: String) throws {
        let problem = try Self.onlyProblem(users: #"[{"sub": "alice", "claims": {"name": "Alice", "\#(claim)": "x"}}]"#)
        #expect(problem.file == "users.json")
        #expect(problem.entry == #"index 0 (sub "alice")"#)
        #expect(problem.field == "claims.\(claim)")
        #expect(problem.reason.contains(claim))
    }

    @Test("fixtures given as Swift values are checked by the same rules")
    func valuesAreValidated() throws {
        let fixtures = MockIdPFixtures(
            users: [User(sub: "alice")],
            clients: [Client(clientID: "app", clientSecret: "s", redirectURIs: ["http://localhost/cb#x"], accessTokenTTL: 0)],
            scopes: [Scope(name: "openid")]
        )
        let error = try #require(throws: MockIdPFixtureError.self) { try Registry(fixtures) }
        let fields = Set(error.problems.map(\.field))
        #expect(fields == ["redirect_uris[0]", "access_token_ttl"])
        #expect(error.problems.allSatisfy { $0.file == "clients.json" && $0.entry == #"index 0 (client_id "app")"# })
    }

    // MARK: Reporting

    @Test("every problem in every file is reported in one load")
    func allProblemsAtOnce() throws {
        let users = #"[{"sub": "alice"}, {"sub": "alice", "username": "a2"}, {"sub": "bob", "nickname": "b"}, 42]"#
        let clients = #"""
            [
              {"client_id": "app", "client_secret": "s", "redirect_uris": ["/cb"], "scopes": ["openid", "payments"]},
              {"client_id": "spa", "grant_types": ["client_credentials", "implicit"]}
            ]
            """#
        let scopes = #"[{"name": "openid"}, {"name": "openid"}, {"description": "no name"}]"#
        let problems = try Self.problems(users: users, clients: clients, scopes: scopes)
        let located = Set(problems.map { "\($0.file) | \($0.entry ?? "-") | \($0.field ?? "-")" })
        let expected: Set = [
            #"users.json | index 1 (sub "alice") | sub"#,
            #"users.json | index 2 (sub "bob") | nickname"#,
            "users.json | index 3 | -",
            #"clients.json | index 0 (client_id "app") | redirect_uris[0]"#,
            #"clients.json | index 0 (client_id "app") | scopes[1]"#,
            #"clients.json | index 1 (client_id "spa") | grant_types[1]"#,
            #"clients.json | index 1 (client_id "spa") | grant_types"#,
            #"scopes.json | index 1 (name "openid") | name"#,
            "scopes.json | index 2 | name",
        ]
        #expect(located == expected)
        #expect(problems.count == expected.count)
        let error = MockIdPFixtureError(problems: problems)
        #expect(error.description.hasPrefix("invalid fixtures (\(expected.count) problems):\n"))
        for problem in problems {
            #expect(error.description.contains("  - \(problem.description)"))
        }
    }

    @Test("a problem reads as file, entry, field and reason")
    func problemDescription() throws {
        let json = #"[{"client_id": "app", "client_secret": "s", "redirect_uris": ["/cb"]}]"#
        let problem = try Self.onlyProblem(clients: json)
        #expect(problem.description == #"clients.json, index 0 (client_id "app"), field "redirect_uris[0]": \#(problem.reason)"#)
    }

    // MARK: Directories

    @Test("a file missing from the directory falls back to the built-in file")
    func missingFileFallsBack() throws {
        let builtIn = try FixtureLoader.builtIn()
        let fixtures = try Self.withDirectory(files: ["users.json": #"[{"sub": "zoe", "password": "zoe-password"}]"#]) { directory in
            try FixtureLoader.load(directory: directory)
        }
        #expect(fixtures.users == [User(sub: "zoe", password: "zoe-password")])
        #expect(fixtures.clients == builtIn.clients)
        #expect(fixtures.scopes == builtIn.scopes)
    }

    @Test("an empty directory loads the built-in fixtures")
    func emptyDirectory() throws {
        let builtIn = try FixtureLoader.builtIn()
        let fixtures = try Self.withDirectory(files: [:]) { try FixtureLoader.load(directory: $0) }
        #expect(fixtures == builtIn)
    }

    @Test("problems in a directory name the file by its path")
    func directoryProblemsNamePath() throws {
        let client = #"{"client_id": "app", "client_secret": "s", "redirect_uris": ["http://localhost/cb"]}"#
        let files = ["users.json": "[{", "clients.json": "[\(client), \(client)]", "scopes.json": Self.scopes]
        try Self.withDirectory(files: files) { directory in
            let error = try #require(throws: MockIdPFixtureError.self) { try FixtureLoader.load(directory: directory) }
            let usersPath = URL(filePath: directory).appending(path: "users.json").path
            let clientsPath = URL(filePath: directory).appending(path: "clients.json").path
            #expect(error.problems.count == 2)
            let malformed = try #require(error.problems.first { $0.file == usersPath })
            #expect(malformed.reason.hasPrefix("malformed JSON"))
            let duplicate = try #require(error.problems.first { $0.file == clientsPath })
            #expect(duplicate.entry == #"index 1 (client_id "app")"#)
            #expect(duplicate.field == "client_id")
        }
    }

    @Test("a fixtures file that cannot be read is reported")
    func unreadableFile() throws {
        try Self.withDirectory(files: [:]) { directory in
            try FileManager.default.createDirectory(atPath: URL(filePath: directory).appending(path: "scopes.json").path, withIntermediateDirectories: false)
            let error = try #require(throws: MockIdPFixtureError.self) { try FixtureLoader.load(directory: directory) }
            let problem = try #require(error.problems.first)
            #expect(problem.file.hasSuffix("scopes.json"))
            #expect(problem.reason.hasPrefix("cannot read file"))
        }
    }

    @Test("a missing fixtures directory is an error naming it")
    func missingDirectory() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "mock-idp-absent-\(UUID().uuidString)").path
        let error = try #require(throws: MockIdPFixtureError.self) { try FixtureLoader.load(directory: directory) }
        #expect(error.problems.count == 1)
        #expect(error.problems.first?.file == directory)
        #expect(error.problems.first?.reason == "fixtures directory not found")
    }

    @Test("a regular file given as the fixtures directory is an error")
    func fileAsDirectory() throws {
        try Self.withDirectory(files: ["users.json": Self.users]) { directory in
            let file = URL(filePath: directory).appending(path: "users.json").path
            let error = try #require(throws: MockIdPFixtureError.self) { try FixtureLoader.load(directory: file) }
            #expect(error.problems.first?.file == file)
        }
    }

    // MARK: Defaults

    @Test("a user's username defaults to its sub, with no password and no claims")
    func userDefaults() throws {
        let fixtures = try Self.decode(users: #"[{"sub": "zoe"}, {"sub": "yan", "username": "y"}]"#)
        #expect(fixtures.users.map(\.username) == ["zoe", "y"])
        #expect(fixtures.users.allSatisfy { $0.password == nil && $0.claims.isEmpty })
    }

    @Test("a client's defaults: code and refresh grants, every scope, its own audience, default lifetimes")
    func clientDefaults() throws {
        let fixtures = try Self.decode()
        let client = try #require(fixtures.clients.first)
        #expect(client.grantTypes == [.authorizationCode, .refreshToken])
        #expect(client.scopes == nil)
        #expect(client.audience == ["app"])
        #expect(client.tokenEndpointAuthMethod == nil)
        #expect(client.accessTokenTTL == Client.defaultAccessTokenTTL)
        #expect(client.refreshTokenTTL == Client.defaultRefreshTokenTTL)
        #expect(client.idTokenTTL == Client.defaultIDTokenTTL)

        let resolved = try #require(try Registry(fixtures).client("app"))
        let scopeNames = fixtures.scopes.map(\.name)
        #expect(resolved.scopes == scopeNames)
        #expect(Set(resolved.scopes ?? []).count == scopeNames.count)
    }

    @Test("an audience may be one string or several")
    func audienceShapes() throws {
        let clients = #"""
            [
              {"client_id": "one", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "audience": "https://api.example"},
              {"client_id": "two", "client_secret": "s", "redirect_uris": ["http://localhost/cb"], "audience": ["https://a.example", "https://b.example"]}
            ]
            """#
        let fixtures = try Self.decode(clients: clients)
        #expect(fixtures.clients.map(\.audience) == [["https://api.example"], ["https://a.example", "https://b.example"]])
    }
}

extension FixtureLoaderTests {
    /// The one problem reported when `file` has `json` and the other two files are the small valid ones.
    static func onlyProblem(file: String, json: String) throws -> MockIdPFixtureError.Problem {
        switch file {
        case "users.json": try onlyProblem(users: json)
        case "clients.json": try onlyProblem(clients: json)
        default: try onlyProblem(scopes: json)
        }
    }
}
