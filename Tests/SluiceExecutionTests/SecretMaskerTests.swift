import Foundation
import SluiceExecution
import Testing
@testable import SluiceProcess

/// Masking works on a stream: a value must be caught wherever the writes that carry it are cut.
@Suite struct SecretMaskerTests {
    private func mask(_ pieces: [String], secrets: [String]) -> String {
        var masker = SecretMasker(values: secrets.map { Array($0.utf8) })
        var output: [UInt8] = []
        for piece in pieces { output += masker.feed(ArraySlice(Array(piece.utf8))) }
        output += masker.finish()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func everyCutOfTheStreamIsMasked() {
        let text = "token=hf_abc123 and again hf_abc123hf_abc123; near miss hf_abc12!"
        let expected = "token=*** and again ******; near miss hf_abc12!"
        let bytes = Array(text.utf8)
        for first in 0...bytes.count {
            for second in first...bytes.count {
                let pieces = [bytes[..<first], bytes[first..<second], bytes[second...]].map { String(decoding: $0, as: UTF8.self) }
                #expect(mask(pieces, secrets: ["hf_abc123"]) == expected, "cut at \(first), \(second)")
            }
        }
    }

    @Test func theLongestValueWinsAndOverlapsAreFound() {
        #expect(mask(["pass: abcdef, abc, ababcd"], secrets: ["abc", "abcdef"]) == "pass: ***, ***, ab***d")
        #expect(mask(["aaab"], secrets: ["aab"]) == "a***")
    }

    @Test func aHeldPrefixThatNeverCompletesIsWrittenAtTheEnd() {
        var masker = SecretMasker(values: [Array("secret".utf8)])
        #expect(masker.feed(ArraySlice(Array("log: sec".utf8))) == Array("log: ".utf8))
        #expect(masker.finish() == Array("sec".utf8))
    }

    @Test func emptyValuesMaskNothing() {
        #expect(SecretMasker(values: [[]]).isEmpty)
        #expect(mask(["plain"], secrets: [""]) == "plain")
    }
}

/// A `spec.json` written before secrets existed still describes an attempt a newer controller adopts.
@Suite struct AttemptSpecCompatibilityTests {
    @Test func aSpecWithoutSecretVariablesDecodes() throws {
        let old = #"{"command":"python3 serve.py","environment":{"SLUICE_PORT":"8123"},"killGrace":5,"workingDirectory":"/w"}"#
        let spec = try JSONDecoder().decode(AttemptSpec.self, from: Data(old.utf8))
        #expect(spec.environment["SLUICE_PORT"] == "8123")
        #expect(spec.secretVariables.isEmpty)
    }
}
