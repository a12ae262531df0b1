"""`leap-tui completion bash|zsh|fish`: shell completion from the same parser as --help.

The scripts are small: for each completion they run ``leap-tui __complete -- WORDS...``
(the words typed so far, the last one being completed), which walks the argparse parser
and prints one candidate per line: commands, options, choices, the inventory's host names
and the provider's node names, rule codes, help topics. ``__files__``/``__dirs__`` hand
the word back to the shell's own file completion.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.core.hosts import HostFacts

FILES = "__files__"
DIRS = "__dirs__"
_FILE_OPTIONS = {"--clace", "--inventory"}
_DIR_OPTIONS = {"--provider", "--dir"}
_HOST_DESTS = {"hosts", "host"}

BASH = """\
# leap-tui completion for bash: eval "$(leap-tui completion bash)"
_leap_tui() {
    # The words from the line itself: bash splits COMP_WORDS at ':' (COMP_WORDBREAKS), and
    # --limit tag:production must reach leap-tui whole.
    local line="${COMP_LINE:0:COMP_POINT}"
    local current="${line##*[[:space:]]}"
    local -a words
    read -r -a words <<< "$line"
    [[ -z "$current" ]] && words+=("")
    local IFS=$'\\n' candidates
    candidates=$(leap-tui __complete -- "${words[@]}")
    case "$candidates" in
        __files__) compopt -o filenames; COMPREPLY=($(compgen -f -- "$current")) ;;
        __dirs__) compopt -o filenames; COMPREPLY=($(compgen -d -- "$current")) ;;
        *) COMPREPLY=($(compgen -W "$candidates" -- "$current"))
           # bash replaces only the part after the word's last ':'.
           if [[ "$current" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
               local prefix="${current%"${current##*:}"}"
               COMPREPLY=("${COMPREPLY[@]#"$prefix"}")
           fi ;;
    esac
}
complete -F _leap_tui leap-tui
"""

ZSH = """\
#compdef leap-tui
# leap-tui completion for zsh: eval "$(leap-tui completion zsh)" (after compinit)
_leap_tui() {
    local -a candidates
    candidates=("${(@f)$(leap-tui __complete -- "${(@)words[1,CURRENT]}")}")
    case "${candidates[1]}" in
        __files__) _files ;;
        __dirs__) _files -/ ;;
        *) compadd -- "${(@)candidates}" ;;
    esac
}
compdef _leap_tui leap-tui
"""

FISH = """\
# leap-tui completion for fish: leap-tui completion fish | source
function __leap_tui_complete
    set -l candidates (leap-tui __complete -- (commandline -opc) (commandline -ct))
    switch "$candidates[1]"
        case __files__
            __fish_complete_path (commandline -ct)
        case __dirs__
            __fish_complete_directories (commandline -ct)
        case '*'
            printf '%s\\n' $candidates
    end
end
complete -c leap-tui -f -a '(__leap_tui_complete)'
"""

SCRIPTS = {"bash": BASH, "zsh": ZSH, "fish": FISH}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = subparsers.add_parser(
        "completion", help="print the shell completion script (bash, zsh or fish)",
        description="bash: eval \"$(leap-tui completion bash)\" in ~/.bashrc; zsh: eval "
        "\"$(leap-tui completion zsh)\" in ~/.zshrc after compinit; fish: leap-tui "
        "completion fish > ~/.config/fish/completions/leap-tui.fish. Completes commands, "
        "options, host and node names, rule codes and help topics.")
    parser.add_argument("shell", choices=sorted(SCRIPTS), metavar="SHELL",
                        help="bash, zsh or fish")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    sys.stdout.write(SCRIPTS[args.shell])
    return 0


def complete(words: Sequence[str]) -> list[str]:
    """Candidates for the last of ``words`` (``words[0]`` is the program)."""
    from tui.commands.parser import build_parser

    parser = build_parser()
    typed = list(words[1:]) or [""]
    current, before = typed[-1], typed[:-1]
    active = parser
    chain = [parser]
    expects: argparse.Action | None = None
    positionals = 0
    for word in before:
        if expects is not None:
            expects = None
            continue
        action = _option(chain, word)
        if action is not None:
            expects = action if action.nargs != 0 and "=" not in word else None
            continue
        sub = _subcommands(active).get(word)
        if sub is not None:
            active = sub
            chain.append(sub)
            positionals = 0
        else:
            positionals += 1
    if expects is not None:
        return _values(expects, before, current)
    if current.startswith("-"):
        return sorted({o for p in chain for a in p._actions for o in a.option_strings
                       if o.startswith("--") and a.help != argparse.SUPPRESS})
    found = list(_subcommands(active))
    positional = [a for a in active._actions if not a.option_strings
                  and not isinstance(a, argparse._SubParsersAction)]
    if positional:
        action = positional[min(positionals, len(positional) - 1)]
        values = _values(action, before, current)
        if values and values[0] in (FILES, DIRS) and not found:
            return values
        found += [v for v in values if v not in (FILES, DIRS)]
    return found


def _subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return dict(action.choices)
    return {}


def _option(chain: list[argparse.ArgumentParser], word: str) -> argparse.Action | None:
    name = word.split("=", 1)[0]
    for parser in reversed(chain):
        for action in parser._actions:
            if name in action.option_strings:
                return action
    return None


def _values(action: argparse.Action, before: list[str], current: str) -> list[str]:
    if action.choices is not None and not isinstance(action, argparse._SubParsersAction):
        return [str(c) for c in action.choices]
    options = set(action.option_strings)
    if options & _FILE_OPTIONS or action.metavar == "FILE":
        return [FILES]
    if options & _DIR_OPTIONS or action.metavar == "DIR":
        return [DIRS]
    if action.dest in _HOST_DESTS:
        return host_names(before)
    if action.dest == "limit":
        return limit_patterns(before, current)
    if action.dest == "codes":
        from tui.core.rules import all_rules

        return sorted(all_rules())
    if action.dest == "topic":
        from tui.commands.help_cmd import topics

        return topics()
    return []


def _fleet(before: list[str]) -> list[HostFacts]:
    """The hosts the command would act on, as apply finds them: --inventory when typed,
    else the provider's nodes (--provider typed, or found from here as `check` finds it,
    when neither --clace nor --provider is typed). Never a hosts.toml that is not used."""
    from tui.core.hosts import HostFacts, host_facts, load_hosts
    from tui.core.workspace import discover_provider

    inventory = _typed(before, "--inventory")
    provider_root = _typed(before, "--provider")
    if provider_root is None and _typed(before, "--clace") is None:
        provider_root = discover_provider()[0]
    provider = None
    if provider_root is not None:
        from tui.core.leap_provider import Provider

        try:
            provider = Provider.load(provider_root)
        except Exception:  # a provider that does not parse: its nodes by file name
            provider = None
    try:
        hosts = load_hosts(inventory, provider_root, provider).hosts
    except Exception:  # an inventory that does not parse completes nothing, never a trace
        if inventory is not None or provider_root is None:
            return []
        return [HostFacts(p.stem) for p in sorted((provider_root / "nodes").glob("*.json"))]
    return host_facts(hosts, provider)


def host_names(before: list[str]) -> list[str]:
    """The names of the hosts in effect (see _fleet)."""
    return sorted({facts.name for facts in _fleet(before)})


def limit_patterns(before: list[str], current: str) -> list[str]:
    """--limit: host names, groups, tag:, service: and env: of the hosts in effect; after a
    ',' (or with a leading '!' or '&') for the pattern's last term."""
    head, comma, term = current.rpartition(",")
    prefix = head + comma + (term[:1] if term[:1] in ("!", "&") else "")
    found: set[str] = set()
    for facts in _fleet(before):
        found.add(facts.name)
        found.update(facts.groups)
        found.update(f"tag:{t}" for t in facts.tags)
        found.update(f"service:{s}" for s in facts.services)
        if facts.environment:
            found.add(f"env:{facts.environment}")
    return [prefix + name for name in sorted(found)]


def _typed(words: list[str], option: str) -> Path | None:
    for index, word in enumerate(words):
        if word == option and index + 1 < len(words):
            return Path(words[index + 1])
        if word.startswith(option + "="):
            return Path(word.split("=", 1)[1])
    return None


def main(words: Sequence[str]) -> int:
    """``leap-tui __complete -- WORDS...``: never an error, never a traceback."""
    words = list(words)
    if words[:1] == ["--"]:
        words = words[1:]
    try:
        candidates = complete(words)
    except Exception:
        candidates = []
    sys.stdout.write("".join(f"{c}\n" for c in candidates))
    return 0
