import HTTPTypes
import HummingbirdCore
import MockIdP

extension FuzzTargets {
    /// Form parsing: the input as an `application/x-www-form-urlencoded` body, and as the query of a GET request
    /// after Hummingbird's `URI` has cut it out of the request line (`Request.formParameters` takes both paths).
    @Sendable static func form(_ bytes: [UInt8]) {
        checkForm(bytes.fuzzHex) { () throws(OAuthError) in try FormParameters.oauth(parsing: bytes) }
        let uri = URI("/authorize?" + String(decoding: bytes, as: UTF8.self))
        checkForm("query \(uri.query ?? "nil")") { () throws(OAuthError) in try FormParameters.oauth(query: uri.query) }
        // Redirects to clients carry parameters through the same encoder: any text must come back unchanged.
        if let text = String(validating: bytes, as: UTF8.self) {
            let decoded = try? FormParameters.decode(Array(FormParameters.encode(text).utf8))
            fuzzCheck(decoded == text, "percent-encoding does not round-trip \(bytes.fuzzHex)")
        }
    }

    /// Parses with `parse`, then checks what endpoints rely on: the documented error, or a form that re-encodes to itself.
    private static func checkForm(_ input: @autoclosure () -> String, _ parse: () throws(OAuthError) -> FormParameters) {
        let form: FormParameters
        do {
            form = try parse()
        } catch {
            fuzzCheck(
                error.code == .invalidRequest && error.status == .badRequest, "form refused with \(error.code) \(error.status): \(input())"
            )
            return
        }
        fuzzCheck(form.values.count <= FormParameters.maxParameters, "more than \(FormParameters.maxParameters) parameters: \(input())")
        for (name, value) in form.values {
            // RFC 6749 §3.1: an empty value counts as omitted.
            fuzzCheck(form[name] == (value.isEmpty ? nil : value), "subscript disagrees with values for \"\(name)\": \(input())")
        }
        for name in FormParameters.repeatableNames {
            fuzzCheck(form.all(name).allSatisfy { !$0.isEmpty }, "an empty \(name) was kept: \(input())")
        }
        fuzzCheck(Set(form.duplicated).count == form.duplicated.count, "a duplicate listed twice: \(input())")
        fuzzCheck(form.duplicated.allSatisfy { form.values[$0] != nil }, "a duplicate that was never parsed: \(input())")

        // Duplicates are refused exactly when there are some, and only for the names asked about.
        do {
            try form.rejectDuplicates()
            fuzzCheck(form.duplicated.isEmpty, "duplicates \(form.duplicated) not rejected: \(input())")
        } catch {
            fuzzCheck(
                !form.duplicated.isEmpty && error.code == .invalidRequest,
                "rejectDuplicates threw \(error.code) for \(form.duplicated): \(input())"
            )
        }
        let credentials: Set<String> = ["client_id", "client_secret"]
        do {
            try form.rejectDuplicates(among: credentials)
            fuzzCheck(credentials.isDisjoint(with: form.duplicated), "duplicated credentials not rejected: \(input())")
        } catch {
            fuzzCheck(!credentials.isDisjoint(with: form.duplicated), "rejected \(form.duplicated) among \(credentials): \(input())")
        }

        // Whatever parsed re-encodes, one parameter at a time and all together, to the same values.
        for (name, value) in form.values {
            let again = try? FormParameters(parsing: Array(FormParameters.encode([(name, value)]).utf8))
            fuzzCheck(again?.values == [name: value], "\"\(name)\"=\"\(value)\" does not round-trip: \(input())")
        }
        let pairs = form.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        let again = try? FormParameters(parsing: Array(FormParameters.encode(pairs).utf8))
        fuzzCheck(again?.values == form.values && again?.duplicated == [], "the form does not round-trip: \(input())")
    }
}
