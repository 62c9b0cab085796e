extension StringProtocol {
    /// The text cut to `limit` characters, the last of them "…" when anything was cut.
    func cut(to limit: Int) -> String {
        count <= limit ? String(self) : String(prefix(Swift.max(limit - 1, 0))) + "…"
    }
}
