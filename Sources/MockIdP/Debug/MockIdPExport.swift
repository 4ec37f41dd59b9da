/// The whole state of one issuer as one document, what `GET /debug/export` returns and
/// `RunningMockIdP.export()` gives typed: a test attaches it to a failure report, and it reads back with `JSONDecoder`.
public struct MockIdPExport: Sendable, Codable, Hashable {
    /// The issuer it describes.
    public var issuer: String
    /// The server clock when it was taken, epoch seconds.
    public var exportedAt: Int
    /// What `GET /debug` lists: codes, tokens, runtime users and clients, used assertions, fetched documents.
    public var snapshot: IssuedSnapshot
    /// The request log, newest first.
    public var requests: [LoggedRequest]
    /// Every flow, the most recently changed first.
    public var flows: [MockIdPFlow]

    enum CodingKeys: String, CodingKey {
        case issuer, snapshot, requests, flows
        case exportedAt = "exported_at"
    }
}
