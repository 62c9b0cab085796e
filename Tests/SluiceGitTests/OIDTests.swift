import Foundation
import SluiceGit
import Testing

@Suite struct OIDTests {
    @Test func acceptsFortyHexDigitsAndLowercasesThem() throws {
        let oid = try #require(OID(hex: "0123456789ABCDEF0123456789abcdef01234567"))
        #expect(oid.hex == "0123456789abcdef0123456789abcdef01234567")
        #expect(oid.short == "0123456")
        #expect(oid.description == oid.hex)
    }

    @Test(arguments: ["", "abc", "0123456789abcdef0123456789abcdef0123456", "0123456789abcdef0123456789abcdef012345678",
                      "g123456789abcdef0123456789abcdef01234567"])
    func rejectsAnythingElse(_ text: String) {
        #expect(OID(hex: text) == nil)
    }

    @Test func encodesAsABareStringAndOrdersByHex() throws {
        let low = try #require(OID(hex: String(repeating: "1", count: 40)))
        let high = try #require(OID(hex: String(repeating: "a", count: 40)))
        #expect(low < high)
        let json = try JSONEncoder().encode([high, low])
        #expect(String(decoding: json, as: UTF8.self) == "[\"\(high.hex)\",\"\(low.hex)\"]")
        #expect(try JSONDecoder().decode([OID].self, from: json) == [high, low])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([OID].self, from: Data("[\"xyz\"]".utf8)) }
    }
}
