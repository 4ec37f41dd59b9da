/// How long a fetched document stays fresh, from its response headers (RFC 9111 §4.2.1): `Cache-Control: no-store` or
/// `no-cache` → not at all; `max-age` → that many seconds; else `Expires` minus `Date`; else the default.
/// Capped at a day, so a document served with a year's `max-age` is still fetched again the next day.
package enum CacheFreshness {
    /// The longest freshness honoured, in seconds.
    package static let maximum = 86_400

    /// - Parameters:
    ///   - cacheControl: the `Cache-Control` header values.
    ///   - expires: the `Expires` header, an HTTP date.
    ///   - date: the `Date` header, an HTTP date.
    ///   - defaultSeconds: the freshness when no header says.
    /// - Returns: seconds, 0 for "do not keep".
    package static func seconds(cacheControl: [String], expires: String?, date: String?, defaultSeconds: Int) -> Int {
        var maxAge: Int?
        for directive in cacheControl.flatMap({ $0.split(separator: ",") }) {
            let parts = directive.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: " \t").lowercased() }
            switch parts.first {
            case "no-store", "no-cache": return 0
            // RFC 9111 §5.2.2.1: max-age takes precedence over Expires; a malformed value is treated as stale.
            case "max-age": maxAge = parts.count == 2 ? Int(Substring(parts[1]).trimmingCharacters(in: "\"")).map { max(0, $0) } ?? 0 : 0
            default: continue
            }
        }
        if let maxAge { return min(maxAge, maximum) }
        if let expires {
            // RFC 9111 §5.3: an invalid Expires (such as "0") means already expired.
            guard let expiresAt = HTTPDate.epochSeconds(expires) else { return 0 }
            let now = date.flatMap(HTTPDate.epochSeconds) ?? expiresAt
            return min(max(0, expiresAt - now), maximum)
        }
        return min(defaultSeconds, maximum)
    }
}

/// IMF-fixdate (RFC 9110 §5.6.7), the only HTTP date form a sender may generate: `Sun, 06 Nov 1994 08:49:37 GMT`.
package enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// Seconds since the epoch, or `nil` when `value` is not an IMF-fixdate.
    package static func epochSeconds(_ value: String) -> Int? {
        let fields = value.split(separator: " ")
        guard fields.count == 6, fields[5] == "GMT", let day = Int(fields[1]), (1...31).contains(day),
            let month = months.firstIndex(of: fields[2].lowercased()), let year = Int(fields[3]), (1970...9999).contains(year)
        else { return nil }
        let time = fields[4].split(separator: ":").compactMap { Int($0) }
        guard time.count == 3, (0...23).contains(time[0]), (0...59).contains(time[1]), (0...60).contains(time[2]) else { return nil }
        return (daysFromCivil(year: year, month: month + 1, day: day) * 86_400) + time[0] * 3600 + time[1] * 60 + time[2]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
