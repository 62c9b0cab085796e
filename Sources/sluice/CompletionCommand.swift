import ArgumentParser

struct CompletionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "completion",
        abstract: "Print the shell completion script for bash, zsh or fish.",
        discussion: """
        bash:  sluice completion bash > /etc/bash_completion.d/sluice   (or: source <(sluice completion bash))
        zsh:   sluice completion zsh > "${fpath[1]}/_sluice"
        fish:  sluice completion fish > ~/.config/fish/completions/sluice.fish
        """
    )

    @Argument(help: ArgumentHelp("bash, zsh or fish.", valueName: "SHELL"))
    var shell: Shell

    enum Shell: String, ExpressibleByArgument, CaseIterable {
        case bash, zsh, fish
    }

    func run() {
        let kind: CompletionShell = switch shell {
        case .bash: .bash
        case .zsh: .zsh
        case .fish: .fish
        }
        print(SluiceCommand.completionScript(for: kind))
    }
}
