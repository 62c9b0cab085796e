import Crypto

/// Everything that enters a task's fingerprint (DESIGN.md §4), kept in the clear so that a plan can say
/// which part changed. Not in it: `estimate`, `retries`, `timeout`, labels, or how the manifest is laid out.
public struct FingerprintInputs: Hashable, Sendable, Codable {
    /// `run`, or `service.run` for a service.
    public var run: String { didSet { refresh() } }
    public var env: [String: String] { didSet { refresh() } }
    /// Resource amounts in canonical units, so `2000m` and `2` are the same.
    public var resources: [String: Double] { didSet { refresh() } }
    /// Input file path → git blob id (hex); a folder input contributes every file under it.
    public var inputs: [String: String] { didSet { refresh() } }
    /// Needed task name → that task's fingerprint.
    public var needs: [String: String] { didSet { refresh() } }
    /// For a scheduled workflow, the tick this run belongs to.
    public var scheduleTick: String? { didSet { refresh() } }
    /// Environment variable → secret name. A secret's name enters the fingerprint, never its value.
    public var secrets: [String: String] { didSet { refresh() } }
    /// The SHA-256 of the canonical encoding, in lower-case hex. Kept up to date by every change rather than
    /// computed on each read: a plan of 50,000 tasks reads each fingerprint many times.
    public private(set) var fingerprint = ""

    private enum CodingKeys: String, CodingKey {
        case run, env, resources, inputs, needs, scheduleTick, secrets
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(run: try container.decode(String.self, forKey: .run),
                  env: try container.decode([String: String].self, forKey: .env),
                  resources: try container.decode([String: Double].self, forKey: .resources),
                  inputs: try container.decode([String: String].self, forKey: .inputs),
                  needs: try container.decode([String: String].self, forKey: .needs),
                  scheduleTick: try container.decodeIfPresent(String.self, forKey: .scheduleTick),
                  secrets: try container.decodeIfPresent([String: String].self, forKey: .secrets) ?? [:])
    }

    private mutating func refresh() {
        fingerprint = Self.digest(canonicalEncoding)
    }

    public init(run: String, env: [String: String] = [:], resources: [String: Double] = [:], inputs: [String: String] = [:],
                needs: [String: String] = [:], scheduleTick: String? = nil, secrets: [String: String] = [:]) {
        self.run = run
        self.env = env
        self.resources = resources
        self.inputs = inputs
        self.needs = needs
        self.scheduleTick = scheduleTick
        self.secrets = secrets
        self.fingerprint = Self.digest(canonicalEncoding)
    }

    private static func digest(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// A versioned, unambiguous text: every string is length-prefixed and every map is sorted by key,
    /// so no two different inputs encode alike and dictionary order never matters.
    public var canonicalEncoding: String {
        var out = "sluice-fingerprint-v1\n"
        func string(_ value: String) { out += "\(value.utf8.count):\(value)\n" }
        func map(_ name: String, _ entries: [String: String]) {
            out += "\(name) \(entries.count)\n"
            for key in entries.keys.sorted() {
                string(key)
                string(entries[key]!)
            }
        }
        out += "run "
        string(run)
        map("env", env)
        map("resources", resources.mapValues(Quantity.trimmed))
        map("inputs", inputs)
        map("needs", needs)
        out += "tick "
        string(scheduleTick ?? "")
        // Only when there are any, so that adding the field left every earlier fingerprint as it was.
        if !secrets.isEmpty { map("secrets", secrets) }
        return out
    }

    /// What differs from an earlier version, one phrase per change, in the order run, env, resources, inputs, tick.
    /// Upstream changes are left to the caller, which knows whether the upstream reruns or was a cache hit.
    public func changes(since old: FingerprintInputs) -> [String] {
        var changes: [String] = []
        if run != old.run {
            let (before, after) = Self.differingParts(old.run, run)
            changes.append("run changed: `\(before)` → `\(after)`")
        }
        for key in Set(env.keys).union(old.env.keys).sorted() where env[key] != old.env[key] {
            // Values are shown: they are in git for anyone to read. Secret values never are in `env` (`secrets:` keeps
            // only names), so none can show here.
            switch (old.env[key], env[key]) {
            case (nil, let value?): changes.append("env \(key) added: `\(Self.differingParts("", value).1)`")
            case (let was?, nil): changes.append("env \(key) removed (was `\(Self.differingParts(was, "").0)`)")
            case (let was?, let value?):
                let (before, after) = Self.differingParts(was, value)
                changes.append("env \(key) changed: `\(before)` → `\(after)`")
            default: break
            }
        }
        for key in Set(secrets.keys).union(old.secrets.keys).sorted() where secrets[key] != old.secrets[key] {
            switch (old.secrets[key], secrets[key]) {
            case (nil, let name?): changes.append("secret \(key) added (\(name))")
            case (let name?, nil): changes.append("secret \(key) removed (was \(name))")
            case (let was?, let name?): changes.append("secret \(key) changed: \(was) → \(name)")
            default: break
            }
        }
        for key in Set(resources.keys).union(old.resources.keys).sorted() where resources[key] != old.resources[key] {
            let before = old.resources[key].map { Quantity.format($0, of: key) } ?? "none"
            let after = resources[key].map { Quantity.format($0, of: key) } ?? "none"
            changes.append("resources.\(key) changed: \(before) → \(after)")
        }
        for path in Set(inputs.keys).union(old.inputs.keys).sorted() where inputs[path] != old.inputs[path] {
            switch (old.inputs[path], inputs[path]) {
            case (nil, let new?): changes.append("input \(path) added (blob \(new.prefix(7)))")
            case (let was?, nil): changes.append("input \(path) removed (was blob \(was.prefix(7)))")
            case (let was?, let new?): changes.append("input \(path) changed: blob \(was.prefix(7)) → \(new.prefix(7))")
            default: break
            }
        }
        if scheduleTick != old.scheduleTick {
            changes.append("schedule tick \(scheduleTick ?? "none") (last run for \(old.scheduleTick ?? "none"))")
        }
        return changes
    }

    /// Both commands, cut so the part that differs shows: a long common start is replaced by `…`,
    /// and what follows is kept to 100 characters.
    static func differingParts(_ old: String, _ new: String) -> (String, String) {
        let old = Array(old), new = Array(new)
        let common = zip(old, new).prefix { $0 == $1 }.count
        let start = common > 30 ? common - 20 : 0
        func cut(_ text: [Character]) -> String {
            let rest = String(text[start...])
            return (start > 0 ? "…" : "") + (rest.count > 100 ? rest.prefix(99) + "…" : rest)
        }
        return (cut(old), cut(new))
    }
}
