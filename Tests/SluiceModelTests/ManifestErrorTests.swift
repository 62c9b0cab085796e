import Testing
@testable import SluiceModel

/// Each kind of manifest error is reported at the exact line and column of the offending text.
@Suite struct ManifestErrorTests {
    @Test func yamlSyntaxError() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf
        spec: {}
        """)
        #expect(set.diagnostics.count == 1)
        let diagnostic = try! #require(set.diagnostics.first)
        #expect(diagnostic.location == SourceLocation(file: "wf.yaml", line: 4, column: 5))
        #expect(diagnostic.message.hasPrefix("YAML syntax error"))
    }

    @Test func unknownKindAndAPIVersion() {
        let set = load("""
        apiVersion: sluice/v2
        kind: Workflw
        metadata: {name: wf}
        spec: {}
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:1:13: unknown apiVersion 'sluice/v2': Sluice reads 'sluice/v1'",
            "wf.yaml:2:7: unknown kind 'Workflw': expected Workflow or ResourcePool (did you mean 'Workflow'?)",
        ])
    }

    @Test func misspelledAndUnknownFields() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: a
              run: echo a
              neds: [b]
              colour: blue
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:9:7: unknown field 'neds' in a task (did you mean 'needs'?)",
            "wf.yaml:10:7: unknown field 'colour' in a task; allowed fields: name, needs, run, service, inputs, resources, estimate, retries, timeout, env, secrets, metrics",
        ])
        #expect(set.rejectedWorkflows == ["wf"])
        #expect(set.workflows.isEmpty)
    }

    @Test func wrongTypes() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: a
              run: echo a
              needs: b
              retries: three
              env: [A]
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:9:14: needs of task 'a' must be a list, not 'b'; write [a, b] or one '- item' per line",
            "wf.yaml:10:16: retries of task 'a' must be a whole number, not 'three'",
            "wf.yaml:11:12: env of task 'a' must be a mapping of fields, not a list",
        ])
    }

    @Test func badQuantitiesAndDurations() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: a
              run: echo a
              resources: {cpu: 2 cores, memory: 4GB, gpu: 1.5, bandwidth: fast}
              estimate: 2 hours
              timeout: 30x
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:9:24: bad cpu quantity '2 cores': write cores (2, 0.5) or millicores (500m)",
            "wf.yaml:9:41: bad memory quantity '4GB': write bytes with a suffix such as 512Mi, 4Gi, 1G",
            "wf.yaml:9:51: bad gpu quantity '1.5': write a whole number of GPUs (0, 1, 2, ...)",
            "wf.yaml:9:67: bad bandwidth quantity 'fast': write bits per second with a unit such as 100Mbps, 1Gbps",
            "wf.yaml:10:17: bad duration '2 hours' for estimate of task 'a': write a number and a unit, such as 90s, 30m, 2h or 1h30m",
            "wf.yaml:11:16: bad duration '30x' for timeout of task 'a': write a number and a unit, such as 90s, 30m, 2h or 1h30m",
        ])
    }

    @Test func badSchedule() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          schedule: "0 25 * * *"
          tasks:
            - {name: a, run: echo a}
        """)
        #expect(diagnostics(set) == ["wf.yaml:6:13: bad schedule '0 25 * * *': hour '25' is outside 0-23"])
    }

    @Test func duplicateWorkflowAndTaskNames() {
        let set = ManifestSet.load([
            ManifestFile(path: "pool.yaml", text: poolYAML),
            ManifestFile(path: "a.yaml", text: """
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              pool: local
              tasks:
                - {name: a, run: echo a}
                - {name: a, run: echo again}
            """),
            ManifestFile(path: "b.yaml", text: """
            apiVersion: sluice/v1
            kind: Workflow
            metadata:
              name: wf
            spec:
              pool: local
              tasks: [{name: x, run: echo x}]
            """),
        ])
        #expect(diagnostics(set) == [
            "b.yaml:4:9: duplicate workflow name 'wf' (first defined at a.yaml:3:18)",
        ])
        let other = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - {name: a, run: echo a}
            - {name: a, run: echo again}
        """)
        #expect(diagnostics(other) == ["wf.yaml:8:14: duplicate task name 'a' in workflow 'wf' (first defined at wf.yaml:7:14)"])
    }

    @Test func needsMissingTask() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - {name: clean-data, run: echo a}
            - name: train
              needs: [clean-dta]
              run: echo b
        """)
        #expect(diagnostics(set) == ["wf.yaml:9:15: task 'train' needs 'clean-dta', which is not a task of workflow 'wf' (did you mean 'clean-data'?)"])
    }

    @Test func cycleNamesTheTasksInOrder() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - {name: start, run: echo s}
            - {name: a, run: echo a, needs: [start, c]}
            - {name: b, run: echo b, needs: [a]}
            - {name: c, run: echo c, needs: [b]}
        """)
        #expect(diagnostics(set) == ["wf.yaml:8:14: dependency cycle in workflow 'wf': a → c → b → a (each task needs the next)"])
    }

    @Test func inputPathsMustStayInTheRepository() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: a
              run: echo a
              inputs: [ok/file.txt, /etc/passwd, data/../../secret]
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:9:29: input '/etc/passwd' of task 'a' is absolute: write a path relative to the repository root",
            "wf.yaml:9:42: input 'data/../../secret' of task 'a' leaves the repository ('..'): write a path inside the repository",
        ])
    }

    @Test func taskThatFitsNoNode() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: train
              run: echo a
              resources: {gpu: 4, memory: 8Gi}
        """)
        #expect(diagnostics(set) == ["wf.yaml:9:18: task 'train' fits on no node of pool 'local': it needs gpu 4 (largest node offers 3)"])
    }

    @Test func workflowNamingAMissingPool() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: locl
          tasks: [{name: a, run: echo a}]
        """)
        #expect(diagnostics(set) == ["wf.yaml:5:9: workflow 'wf' names pool 'locl', which does not exist (did you mean 'local'?)"])
    }

    @Test func allErrorsOfAFileAreReportedAndGoodWorkflowsSurvive() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: good}
        spec:
          pool: local
          tasks: [{name: a, run: echo a}]
        ---
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: bad}
        spec:
          pool: local
          tasks:
            - {name: a, run: echo a, retries: -1}
            - {name: b, run: echo b, needs: [zzz]}
        """)
        #expect(set.workflows.map(\.name) == ["good"])
        #expect(set.rejectedWorkflows == ["bad"])
        #expect(set.diagnostics.map(\.location.line) == [14, 15])
        #expect(set.diagnostics.allSatisfy { $0.workflow == "bad" })
        #expect(!set.hasUnattributedErrors)
    }

    @Test func runAndServiceAreExclusive() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - name: a
              run: echo a
              service: {run: echo b}
            - name: b
        """)
        #expect(diagnostics(set) == [
            "wf.yaml:9:7: task 'a' has both 'run' and 'service': a batch task has 'run', a long-running one has 'service.run'",
            "wf.yaml:10:7: task 'b' has neither 'run' nor 'service': say what it runs",
        ])
    }

    @Test func misspelledResourceName() {
        let set = load("""
        apiVersion: sluice/v1
        kind: Workflow
        metadata: {name: wf}
        spec:
          pool: local
          tasks:
            - {name: a, run: echo a, resources: {gpus: 1}}
        """)
        #expect(diagnostics(set) == ["wf.yaml:7:42: unknown resource 'gpus' in resources of task 'a' (did you mean 'gpu'?)"])
    }

    /// Two GPU nodes of one local pool are one host: their indices would collide, so such a workflow is refused.
    @Test func localGPUTasksOnAPoolWithSeveralGPUNodesAreRefused() {
        let pools = """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: gpus}
        spec:
          nodes:
            - {name: a, capacity: {cpu: 4, gpu: 1}}
            - {name: b, capacity: {cpu: 4, gpu: 1}}
        """
        func workflow(_ gpu: Int) -> String {
            """
            apiVersion: sluice/v1
            kind: Workflow
            metadata: {name: wf}
            spec:
              pool: gpus
              tasks:
                - {name: t, run: train, resources: {gpu: \(gpu)}}
            """
        }
        let refused = ManifestSet.load([ManifestFile(path: "wf.yaml", text: workflow(1)), ManifestFile(path: "pool.yaml", text: pools)])
        #expect(diagnostics(refused) == [
            "wf.yaml:5:9: workflow 'wf' runs GPU tasks locally on pool 'gpus', where nodes a, b all declare GPUs; the local executor runs every node on this host, so their GPU indices would collide: declare this host's GPUs on one node",
        ])
        let cpuOnly = ManifestSet.load([ManifestFile(path: "wf.yaml", text: workflow(0)), ManifestFile(path: "pool.yaml", text: pools)])
        #expect(cpuOnly.diagnostics.isEmpty)

        // Two pools with one GPU node each are the same host's GPUs too.
        let split = """
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: gpus}
        spec: {nodes: [{name: a, capacity: {cpu: 4, gpu: 1}}]}
        ---
        apiVersion: sluice/v1
        kind: ResourcePool
        metadata: {name: more}
        spec: {nodes: [{name: b, capacity: {cpu: 4, gpu: 1}}]}
        """
        let other = workflow(1).replacingOccurrences(of: "name: wf", with: "name: wf2").replacingOccurrences(of: "pool: gpus", with: "pool: more")
        let twoPools = ManifestSet.load([ManifestFile(path: "wf.yaml", text: workflow(1)), ManifestFile(path: "wf2.yaml", text: other),
                                         ManifestFile(path: "pool.yaml", text: split)])
        #expect(twoPools.workflows.isEmpty)
        #expect(diagnostics(twoPools).contains { $0.hasPrefix("wf2.yaml:5:9: workflow 'wf2' runs GPU tasks locally on pool 'more', where nodes gpus/a, more/b all declare GPUs") },
                "\(diagnostics(twoPools))")
    }
}
