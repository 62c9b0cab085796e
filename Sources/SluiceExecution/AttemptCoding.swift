import Foundation
import SluiceProcess

/// JSON for the attempt files the Foundation side reads and writes (`spec.json`, `result.json`).
enum AttemptCoding {
    static func encode<T: Encodable>(_ value: T) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        encoder.dateEncodingStrategy = .secondsSince1970
        return try encoder.encode(value)
    }

    /// `nil` when the file does not exist.
    static func read<T: Decodable>(_ type: T.Type, from path: String) throws -> T? {
        // The writer renames the file into place, so it can appear between a failed read and the existence check:
        // that is a file that just arrived, not an unreadable one. Read again before calling it unreadable.
        var contents = DurableFile.read(path)
        for _ in 0..<3 where contents == nil && DurableFile.exists(path) {
            contents = DurableFile.read(path)
        }
        guard let bytes = contents else {
            if DurableFile.exists(path) { throw ExecutionError("cannot read \(path)") }
            return nil
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        do {
            return try decoder.decode(type, from: Data(bytes))
        } catch {
            throw ExecutionError("\(path) is not a valid \(type): \(error)")
        }
    }

    static func write(_ data: Data, to path: String, durable: Bool) throws {
        do {
            try DurableFile.write(Array(data), to: path, durable: durable)
        } catch {
            throw ExecutionError(error.message)
        }
    }
}

extension AttemptFiles {
    /// `nil` while there is no result yet; throws when the file exists but cannot be decoded.
    func readResult() throws -> AttemptResult? {
        try AttemptCoding.read(AttemptResult.self, from: result)
    }
}
