import Foundation

/// Text helpers shared by the self-contained HTML pages (batch report, visualization index).
enum HTML {
    /// Escapes `&`, `<`, `>` and `"` so `s` is safe in element content and in
    /// double-quoted attribute values (the pages are also well-formed XML).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A relative URL for a file path: each component percent-encoded, then escaped for a
    /// double-quoted attribute.
    static func href(_ path: String) -> String {
        let allowed = CharacterSet.urlPathAllowed.subtracting(CharacterSet(charactersIn: "/?#"))
        return escape(path.split(separator: "/").map { String($0).addingPercentEncoding(withAllowedCharacters: allowed) ?? String($0) }
            .joined(separator: "/"))
    }
}
