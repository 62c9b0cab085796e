import Foundation
import SluiceProcess

/// `status.yaml` in block style, from the status's JSON: whole numbers without exponents, times as ISO 8601 to the
/// second, keys sorted. Written by hand because a general YAML encoder resolved every scalar's tag by regular
/// expression, which made a status commit of a thousand workflows take seconds.
enum StatusYAML {
    static func encode<T: Encodable>(_ value: T) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        guard let json = JSONValue.parse(Array(try encoder.encode(value))) else {
            throw EncodingError.invalidValue(value, .init(codingPath: [], debugDescription: "not JSON"))
        }
        var out = ""
        emit(json, indent: 0, into: &out)
        return out
    }

    private static func emit(_ value: JSONValue, indent: Int, into out: inout String) {
        let pad = String(repeating: " ", count: indent)
        switch value {
        case .object(let members):
            guard !members.isEmpty else { out += pad + "{}\n"; return }
            for key in members.keys.sorted() {
                let member = members[key]!
                out += pad + scalar(.string(key))
                if let inline = inline(member) {
                    out += ": " + inline + "\n"
                } else {
                    out += ":\n"
                    emit(member, indent: indent + 2, into: &out)
                }
            }
        case .array(let elements):
            guard !elements.isEmpty else { out += pad + "[]\n"; return }
            for element in elements {
                if let inline = inline(element) {
                    out += pad + "- " + inline + "\n"
                } else {
                    // The element's first line goes after the dash; the rest keeps the element's indentation.
                    var nested = ""
                    emit(element, indent: indent + 2, into: &nested)
                    out += pad + "- " + nested.dropFirst(indent + 2)
                }
            }
        default:
            out += pad + (inline(value) ?? "") + "\n"
        }
    }

    /// The value on one line, or nil for a non-empty mapping or sequence.
    private static func inline(_ value: JSONValue) -> String? {
        switch value {
        case .object(let members): return members.isEmpty ? "{}" : nil
        case .array(let elements): return elements.isEmpty ? "[]" : nil
        default: return scalar(value)
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let flag): return flag ? "true" : "false"
        case .number(let number):
            if number == number.rounded(), abs(number) < 1e15 { return String(Int64(number)) }
            // `5e-05` is a string to YAML 1.1 readers; `5.0e-05` is a number to every reader.
            let text = "\(number)"
            if let exponent = text.firstIndex(of: "e"), !text[..<exponent].contains(".") {
                return text[..<exponent] + ".0" + text[exponent...]
            }
            return text
        case .string(let text): return isPlain(text) ? text : JSONValue.string(text).encoded
        case .object, .array: return value.encoded
        }
    }

    /// Left unquoted only when YAML cannot read it as anything but this string.
    private static func isPlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first.properties.isAlphabetic else { return false }
        let reserved: Set<String> = ["true", "false", "yes", "no", "on", "off", "null", "y", "n"]
        guard !reserved.contains(text.lowercased()) else { return false }
        return text.unicodeScalars.allSatisfy { scalar in
            scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || "-_./".unicodeScalars.contains(scalar)
        }
    }
}
