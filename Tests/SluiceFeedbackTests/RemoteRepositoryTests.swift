import Testing
import SluiceFeedback

@Suite struct RemoteRepositoryTests {
    @Test(arguments: [
        ("https://github.com/acme/models.git", "acme/models"),
        ("https://github.com/acme/models", "acme/models"),
        ("https://github.com/acme/models/", "acme/models"),
        ("https://x-access-token:secret@github.com/acme/models.git", "acme/models"),
        ("http://gitea.local:3000/acme/models.git", "acme/models"),
        ("git@github.com:acme/models.git", "acme/models"),
        ("git@gitlab.example.com:group/sub/name.git", "group/sub/name"),
        ("gitea.example.com:acme/models", "acme/models"),
        ("ssh://git@github.com/acme/models.git", "acme/models"),
        ("ssh://git@gitlab.example.com:2222/group/name.git", "group/name"),
        ("git://example.com/acme/models.git", "acme/models"),
        ("  https://github.com/acme/models.git\n", "acme/models"),
    ])
    func readsTheRepositoryPath(remote: String, repository: String) {
        #expect(ForgeConfiguration.repository(fromRemote: remote) == repository)
    }

    @Test(arguments: [
        "", "models", "/srv/git/acme/models.git", "./models", "file:///srv/git/acme/models.git",
        "https://github.com/acme", "https://github.com/", "git@github.com:models.git", "ftp://example.com/acme/models",
    ])
    func findsNoneWhereThereIsNone(remote: String) {
        #expect(ForgeConfiguration.repository(fromRemote: remote) == nil)
    }
}
