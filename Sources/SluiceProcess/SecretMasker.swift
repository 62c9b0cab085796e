/// Replaces every occurrence of a secret's value in a stream of bytes with `***`, the way CI systems mask secrets.
///
/// Output arrives in writes of any size, so a value may be split across two of them: bytes that could be the start of
/// a value are held back until the next write says whether they are, or until the stream ends.
public struct SecretMasker {
    public static let replacement = Array("***".utf8)
    /// Longest first, so that a value which begins with another value is masked whole.
    private let secrets: [[UInt8]]
    private var firstBytes = [Bool](repeating: false, count: 256)
    private var held: [UInt8] = []

    /// Empty values are left out: there is nothing to find.
    public init(values: [[UInt8]]) {
        secrets = Array(Set(values.filter { !$0.isEmpty })).sorted { $0.count > $1.count }
        for secret in secrets { firstBytes[Int(secret[0])] = true }
    }

    public var isEmpty: Bool { secrets.isEmpty }

    /// The masked bytes that are safe to write now; what may be the start of a value is kept for the next call.
    public mutating func feed(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        held.append(contentsOf: bytes)
        return scan(final: false)
    }

    /// Everything still held, masked: the stream has ended.
    public mutating func finish() -> [UInt8] {
        scan(final: true)
    }

    private mutating func scan(final: Bool) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(held.count)
        var position = 0
        scanning: while position < held.count {
            let byte = held[position]
            guard firstBytes[Int(byte)] else {
                output.append(byte)
                position += 1
                continue
            }
            for secret in secrets where secret[0] == byte {
                let available = held.count - position
                if available >= secret.count {
                    if held[position..<(position + secret.count)].elementsEqual(secret) {
                        output += Self.replacement
                        position += secret.count
                        continue scanning
                    }
                } else if !final && held[position...].elementsEqual(secret[0..<available]) {
                    // The rest of the buffer may be the start of this value: keep it until more arrives.
                    held.removeFirst(position)
                    return output
                }
            }
            output.append(byte)
            position += 1
        }
        held.removeAll(keepingCapacity: true)
        return output
    }
}
