import Testing
@testable import SluiceModel

@Suite struct MetricsFileTests {
    @Test func numericLeavesOfJSONAndYAMLFlattenWithDots() {
        let json = MetricsFile.parse(#"{"accuracy": 0.85, "loss": {"val": 0.3, "train": 1e-2}, "f1": [0.5, 0.7], "name": "m", "ok": true, "quoted": "0.9", "none": null}"#)
        #expect(json.values == ["accuracy": 0.85, "loss.val": 0.3, "loss.train": 0.01, "f1.0": 0.5, "f1.1": 0.7])
        #expect(json.warning == nil)
        let yaml = MetricsFile.parse("per_class:\n  billing: {f1: 0.9}\nepochs: 3\n")
        #expect(yaml.values == ["per_class.billing.f1": 0.9, "epochs": 3])
    }

    @Test func aFileWithoutNumbersOrNotYAMLIsAWarning() {
        #expect(MetricsFile.parse(#"{"model": "bert"}"#).warning == "holds no numbers")
        #expect(MetricsFile.parse("0.9").warning == "holds no numbers")
        #expect(MetricsFile.parse("{accuracy: [").warning?.hasPrefix("is neither JSON nor YAML") == true)
        #expect(MetricsFile.parse("a: .inf\nb: .nan\n").warning == "holds no numbers")
    }

    @Test func tooManyNumbersKeepsTheFirstThousandAndSaysSo() {
        let list = "[" + (0..<1_500).map(String.init).joined(separator: ",") + "]"
        let reading = MetricsFile.parse(#"{"x": \#(list)}"#)
        #expect(reading.values.count == MetricsFile.maximumCount)
        #expect(reading.warning?.contains("more than 1000 numbers") == true)
    }

    @Test func aliasesCannotMakeAFewLinesWalkBillionsOfEntries() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 { yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n" }
        let reading = MetricsFile.parse(yaml + "score: 1\n")
        #expect(reading.warning?.contains("more than 100000 entries") == true)
    }

    @Test func pathsStayInTheOutputFolder() {
        #expect(MetricsPath.problem(with: "report.json") == nil)
        #expect(MetricsPath.problem(with: "/tmp/x")?.contains("absolute") == true)
        #expect(MetricsPath.problem(with: "a/../../x")?.contains("leaves") == true)
        #expect(MetricsPath.problem(with: "./")?.contains("output folder itself") == true)
    }
}
