import CGit2

/// A git object id (SHA-1), held as its 40 lowercase hex characters.
public struct OID: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// 40 lowercase hex characters.
    public let hex: String

    /// Parses a full object id; `nil` unless `hex` is exactly 40 hex digits (either case).
    public init?(hex: String) {
        let utf8 = hex.utf8
        guard utf8.count == 40, utf8.allSatisfy(\.isHexDigit) else { return nil }
        self.hex = hex.lowercased()
    }

    /// The abbreviation git shows by default.
    public var short: String { String(hex.prefix(7)) }

    public var description: String { hex }

    public static func < (lhs: OID, rhs: OID) -> Bool { lhs.hex < rhs.hex }

    // Encoded as a bare string so status files and JSON read like git output.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let oid = OID(hex: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a 40-hex object id: \(text)")
        }
        self = oid
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

extension OID {
    /// Copies a libgit2 id out into a value.
    init(_ raw: git_oid) {
        var raw = raw
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        let text = withUnsafeBytes(of: &raw.id) { bytes in
            String(unsafeUninitializedCapacity: 40) { out in
                for (index, byte) in bytes.enumerated() {
                    out[2 * index] = digits[Int(byte >> 4)]
                    out[2 * index + 1] = digits[Int(byte & 0x0f)]
                }
                return 40
            }
        }
        self.hex = text
    }

    init(_ pointer: UnsafePointer<git_oid>) {
        self.init(pointer.pointee)
    }

    /// The libgit2 form of this id; `hex` is always valid, so parsing cannot fail.
    var raw: git_oid {
        var raw = git_oid()
        _ = git_oid_fromstr(&raw, hex)
        return raw
    }
}

extension UInt8 {
    fileprivate var isHexDigit: Bool {
        (0x30...0x39).contains(self) || (0x41...0x46).contains(self) || (0x61...0x66).contains(self)
    }
}
