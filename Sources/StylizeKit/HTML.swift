import Foundation

/// Text helpers shared by the self-contained HTML pages (batch report, visualization index).
enum HTML {
    /// Escapes `&`, `<`, `>` and `"` so `s` is safe in element content and in
    /// double-quoted attribute values (the pages are also well-formed XML). A byte of a file
    /// name that is not UTF-8 shows as `\xff`, as in messages (`FileName.display`).
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for ch in FileName.display(s) {
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

    /// A relative URL for a file path: every byte of the name (`FileName.bytes`, so a name
    /// that is not UTF-8 links to itself) percent-encoded except letters, digits, `-._~`
    /// and the `/` between components; safe in a double-quoted attribute as it is.
    static func href(_ path: String) -> String {
        var out = ""
        for byte in FileName.bytes(path) {
            let c = Character(Unicode.Scalar(byte))
            if byte < 0x80 && (c.isLetter || c.isNumber || "-._~/".contains(c)) {
                out.append(c)
            } else {
                out += String(format: "%%%02X", byte)
            }
        }
        return out
    }
}
