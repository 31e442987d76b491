import ArgumentParser

/// `stylize --generate-completion-script bash|zsh|fish`: ArgumentParser's scripts for the
/// command tree (`CompletionRoot`), plus, for bash and zsh, a wrapper for the default command.
///
/// `stylize photo.png style.png --po<TAB>` has no subcommand word: the wrapper completes it
/// as `stylize transfer photo.png style.png --po<TAB>`, so the default command's options are
/// offered wherever it reads them. fish gets the top-level options (`stylize --po<TAB>`) and
/// the subcommands, without the wrapper.
enum ShellCompletion {
    static func script(for shell: CompletionShell) -> String {
        let base = CompletionRoot.completionScript(for: shell)
        let names = (Stylize.subcommands.compactMap { $0.configuration.commandName } + ["help"]).joined(separator: "|")
        switch shell {
        case .bash:
            return base + """


            # stylize: without a subcommand word, words are the default command's (transfer):
            # complete `stylize photo.png style.png --po` as `stylize transfer photo.png style.png --po`.
            _stylize_default_command() {
                if [[ ${COMP_CWORD} -le 1 && "${2}" != -* ]] || [[ "${COMP_WORDS[1]}" == @(\(names)) ]]; then
                    _stylize "${@}"
                    return
                fi
                local -a words=("${COMP_WORDS[0]}" transfer "${COMP_WORDS[@]:1}")
                local -a COMP_WORDS=("${words[@]}")
                local COMP_CWORD=$((COMP_CWORD + 1))
                local COMP_LINE="${COMP_WORDS[0]} transfer${COMP_LINE#"${COMP_WORDS[0]}"}"
                local COMP_POINT=$((COMP_POINT + 9))
                _stylize "${@}"
            }
            complete -o filenames -o default -F _stylize_default_command stylize

            """
        case .zsh:
            let wrapper = """
            # stylize: without a subcommand word, words are the default command's (transfer).
            _stylize_default_command() {
                if (( CURRENT > 2 )) && [[ ${words[2]} != (\(names)) ]]; then
                    words=("${words[1]}" transfer "${(@)words[2,-1]}")
                    (( CURRENT++ ))
                fi
                _stylize "${@}"
            }

            if [[ "${funcstack[1]}" = _stylize ]]; then
                _stylize_default_command "${@}"
            else
                compdef _stylize_default_command stylize
            fi

            """
            let tail = """
            if [[ "${funcstack[1]}" = _stylize ]]; then
                _stylize "${@}"
            else
                compdef _stylize stylize
            fi
            """
            guard let range = base.range(of: tail, options: .backwards) else { return base }
            return base.replacingCharacters(in: range, with: wrapper)
        default:
            return base
        }
    }
}
