#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Hummingbird

/// A /debug request's JSON body, read strictly: invalid JSON, unknown fields and wrong types are 400s that say what is wrong.
struct DebugRequestBody {
    let fields: [String: ClaimValue]

    static func json(_ request: inout Request, maxSize: Int) async throws(OAuthError) -> ClaimValue {
        let buffer: ByteBuffer
        do {
            buffer = try await request.collectBody(upTo: maxSize)
        } catch {
            throw OAuthError(.invalidRequest, "request body is larger than \(maxSize) bytes", status: .contentTooLarge)
        }
        if buffer.readableBytes == 0 { return .object([:]) }
        do {
            return try JSONDecoder().decode(ClaimValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw OAuthError(.invalidRequest, "the body is not valid JSON: \(error)")
        }
    }

    /// An object body whose keys are all in `allowed`.
    static func object(_ request: inout Request, maxSize: Int, allowed: Set<String>) async throws(OAuthError) -> DebugRequestBody {
        let value = try await json(&request, maxSize: maxSize)
        guard let object = value.objectValue else {
            throw OAuthError(.invalidRequest, "the body must be a JSON object, not \(value.typeName)")
        }
        if let unknown = object.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw OAuthError(.invalidRequest, "unknown field \"\(unknown)\" (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        return DebugRequestBody(fields: object)
    }

    func string(_ key: String) throws(OAuthError) -> String? {
        guard let value = fields[key], value != .null else { return nil }
        guard let string = value.stringValue else { throw OAuthError(.invalidRequest, "\"\(key)\" must be a string, not \(value.typeName)") }
        return string
    }

    func int(_ key: String) throws(OAuthError) -> Int? {
        guard let value = fields[key], value != .null else { return nil }
        guard case .int(let int) = value else { throw OAuthError(.invalidRequest, "\"\(key)\" must be a whole number, not \(value.jsonText)") }
        return int
    }

    func object(_ key: String) throws(OAuthError) -> [String: ClaimValue] {
        guard let value = fields[key], value != .null else { return [:] }
        guard let object = value.objectValue else { throw OAuthError(.invalidRequest, "\"\(key)\" must be an object, not \(value.typeName)") }
        return object
    }
}
