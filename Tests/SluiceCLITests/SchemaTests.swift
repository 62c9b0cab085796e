import Foundation
import Testing

/// The JSON Schemas in Manifests/schema accept the examples and refuse known-bad documents,
/// checked with Python's `jsonschema` (installed by .ci/run).
@Suite struct SchemaTests {
    @Test func examplesValidateAgainstTheSchemas() throws {
        let result = try run("/usr/bin/env", ["python3", "scripts/validate-schemas.py", "Examples"], in: sourceRoot)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("(Workflow customer-service): ok"))
        #expect(result.stdout.contains("(ResourcePool local): ok"))
    }

    @Test func schemasRefuseBadDocuments() throws {
        let result = try run("/usr/bin/env", ["python3", "scripts/validate-schemas.py", "--self-test"], in: sourceRoot)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
    }
}
