import { UsageError } from './cli-error.ts';
import { defineCommand, isGroup, type CommandNode, type CommandSpec, type FlagSpec, type FlagSpecs } from './command-spec.ts';
import { flagsOf, GLOBAL_FLAGS, HELP_FLAG } from './parse-command.ts';

/**
 * The plugin commands, completed by the same script: their CLI is one runtime
 * (plugins/common/run-plugin-cli.ts) with the same subcommands and flags for every plugin.
 */
export const PLUGIN_COMMANDS = ['gatehouse-slack', 'gatehouse-pagerduty', 'gatehouse-jira', 'gatehouse-email', 'gatehouse-gitlab', 'gatehouse-mattermost'] as const;
const PLUGIN_SUBCOMMANDS = ['start', 'check', 'configure', 'version', 'help'];
const PLUGIN_FLAGS: FlagSpecs = {
  config: { type: 'string', short: 'c', value: 'FILE', file: true, description: 'the plugin.toml' },
  debug: { type: 'boolean', short: 'd', description: 'log at debug level' },
  ...HELP_FLAG,
};

const SHELLS = ['bash', 'zsh', 'fish'] as const;

/** One leaf of the tree with the names it answers to: `request create` is also `requests new`. */
interface Leaf {
  groupNames: readonly string[];
  names: readonly string[];
  command: CommandSpec;
}

function leavesOf(nodes: readonly CommandNode[]): Leaf[] {
  return nodes.flatMap((n) =>
    isGroup(n) ? n.commands.map((c) => ({ groupNames: [n.name, ...(n.aliases ?? [])], names: [c.name, ...(c.aliases ?? [])], command: c })) : [{ groupNames: [], names: [n.name, ...(n.aliases ?? [])], command: n }],
  );
}

const flagWords = (flags: FlagSpecs): string[] => Object.entries(flags).flatMap(([name, f]) => [`--${name}`, ...(f.short ? [`-${f.short}`] : [])]);
const shellWords = (words: readonly string[]): string => words.join(' ');

/** Every flag that takes a value, by how its value completes: files, fixed choices, profiles, or anything. */
function valueFlags(nodes: readonly CommandNode[]): { files: string[]; choices: Map<string, readonly string[]>; free: string[] } {
  const all: Array<[string, FlagSpec]> = [...leavesOf(nodes).flatMap((l) => Object.entries(flagsOf(l.command))), ...Object.entries(PLUGIN_FLAGS)];
  const files = new Set<string>();
  const choices = new Map<string, readonly string[]>();
  const free = new Set<string>();
  for (const [name, f] of all) {
    if (f.type !== 'string' || name === 'profile') continue;
    const words = [`--${name}`, ...(f.short ? [`-${f.short}`] : [])];
    for (const w of words) {
      if (f.file) files.add(w);
      else if (f.choices) choices.set(w, f.choices);
      else free.add(w);
    }
  }
  return { files: [...files], choices, free: [...free].filter((w) => !files.has(w) && !choices.has(w)) };
}

/** A bash completion script (also used by zsh through bashcompinit). */
export function bashCompletion(nodes: readonly CommandNode[]): string {
  const visible = nodes.filter((n) => !n.name.startsWith('_'));
  const { files, choices, free } = valueFlags(nodes);
  const takesValue = [...files, ...choices.keys(), ...free, '--profile'];
  const groupCases = visible
    .filter(isGroup)
    .map((g) => `    ${[g.name, ...(g.aliases ?? [])].join('|')}) subs="${shellWords(g.commands.map((c) => c.name))}" ;;`)
    .join('\n');
  const leafCases = leavesOf(nodes)
    .map((l) => {
      const keys = l.groupNames.length ? l.groupNames.flatMap((g) => l.names.map((n) => `${g}/${n}`)) : l.names.map((n) => `${n}/`);
      const args = l.command.args?.some((a) => a.name === 'NAME') && l.groupNames.includes('profile') ? ' profiles=1' : '';
      const shells = l.command.name === 'completion' ? ` words="${SHELLS.join(' ')}"` : '';
      return `    ${keys.join('|')}) flags="${shellWords(flagWords(flagsOf(l.command)))}"${args}${shells} ;;`;
    })
    .join('\n');
  const choiceCases = [...choices].map(([flag, values]) => `    ${flag}) COMPREPLY=($(compgen -W "${shellWords(values)}" -- "$cur")); return ;;`).join('\n');
  return `# bash completion for gatehouse and its plugin commands: source <(gatehouse completion bash)
_gatehouse_profiles() {
  local f
  for f in "$HOME"/.gatehouse/*/*.pem; do
    [[ -e $f ]] || continue
    f=\${f%.pem}
    echo "\${f##*/}"
  done
}
_gatehouse() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  local cmd="" sub="" i w subs="" flags="" words="" profiles=""
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    case "$w" in
      ${takesValue.join('|')}) ((i++)); continue ;;
      -*) continue ;;
    esac
    if [[ -z $cmd ]]; then cmd="$w"; elif [[ -z $sub ]]; then sub="$w"; fi
  done
  case "$prev" in
    ${files.join('|')}) COMPREPLY=($(compgen -f -- "$cur")); return ;;
    --profile) COMPREPLY=($(compgen -W "$(_gatehouse_profiles)" -- "$cur")); return ;;
${choiceCases}
    ${free.join('|')}) return ;;
  esac
  if [[ -z $cmd ]]; then
    COMPREPLY=($(compgen -W "${shellWords(visible.map((n) => n.name))} ${shellWords(flagWords({ ...GLOBAL_FLAGS, ...HELP_FLAG }))}" -- "$cur"))
    return
  fi
  case "$cmd" in
${groupCases}
  esac
  if [[ -n $subs && -z $sub ]]; then
    COMPREPLY=($(compgen -W "$subs --help" -- "$cur"))
    return
  fi
  case "$cmd/$sub" in
${leafCases}
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$flags" -- "$cur"))
  elif [[ -n $profiles ]]; then
    COMPREPLY=($(compgen -W "$(_gatehouse_profiles)" -- "$cur"))
  elif [[ -n $words ]]; then
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
  fi
}
complete -F _gatehouse gatehouse
_gatehouse_plugin() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    -c|--config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
  esac
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "${shellWords(flagWords(PLUGIN_FLAGS))}" -- "$cur"))
  elif [[ $COMP_CWORD -eq 1 || \${COMP_WORDS[1]} == -* ]]; then
    COMPREPLY=($(compgen -W "${shellWords(PLUGIN_SUBCOMMANDS)}" -- "$cur"))
  fi
}
complete -F _gatehouse_plugin ${PLUGIN_COMMANDS.join(' ')}
`;
}

/** A zsh completion script: the bash one through zsh's bashcompinit. */
export function zshCompletion(nodes: readonly CommandNode[]): string {
  return `#compdef gatehouse ${PLUGIN_COMMANDS.join(' ')}
# zsh completion for gatehouse: source <(gatehouse completion zsh)
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bashCompletion(nodes)}`;
}

const fishQuote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

function fishFlag(condition: string, name: string, f: FlagSpec, command = 'gatehouse'): string {
  const value = f.type === 'string' ? (f.file ? ' -rF' : f.choices ? ` -xa ${fishQuote(f.choices.join(' '))}` : name === 'profile' ? " -xa '(__gatehouse_profiles)'" : ' -x') : '';
  return `complete -c ${command} -n ${fishQuote(condition)} -l ${name}${f.short ? ` -s ${f.short}` : ''}${value} -d ${fishQuote(f.description)}`;
}

/** A fish completion script. */
export function fishCompletion(nodes: readonly CommandNode[]): string {
  const visible = nodes.filter((n) => !n.name.startsWith('_'));
  const lines = [
    '# fish completion for gatehouse: gatehouse completion fish | source',
    'function __gatehouse_profiles; for f in ~/.gatehouse/*/*.pem; basename $f .pem; end; end',
    'complete -c gatehouse -f',
  ];
  for (const n of visible) lines.push(`complete -c gatehouse -n __fish_use_subcommand -a ${n.name} -d ${fishQuote(n.summary)}`);
  for (const [name, f] of Object.entries(GLOBAL_FLAGS)) lines.push(fishFlag('true', name, f));
  for (const leaf of leavesOf(nodes)) {
    const inGroup = leaf.groupNames.length ? `__fish_seen_subcommand_from ${leaf.groupNames.join(' ')}; and ` : '';
    const here = `${inGroup}__fish_seen_subcommand_from ${leaf.names.join(' ')}`;
    if (leaf.groupNames.length) {
      const siblings = leavesOf(nodes).filter((l) => l.groupNames[0] === leaf.groupNames[0]).flatMap((l) => l.names);
      lines.push(`complete -c gatehouse -n ${fishQuote(`__fish_seen_subcommand_from ${leaf.groupNames.join(' ')}; and not __fish_seen_subcommand_from ${siblings.join(' ')}`)} -a ${leaf.command.name} -d ${fishQuote(leaf.command.summary)}`);
    }
    for (const [name, f] of Object.entries({ ...leaf.command.flags, ...HELP_FLAG })) lines.push(fishFlag(here, name, f));
    if (leaf.command.name === 'completion') lines.push(`complete -c gatehouse -n ${fishQuote(here)} -a ${fishQuote(SHELLS.join(' '))}`);
    if (leaf.groupNames.includes('profile') && leaf.command.args?.length) lines.push(`complete -c gatehouse -n ${fishQuote(here)} -a '(__gatehouse_profiles)'`);
  }
  for (const plugin of PLUGIN_COMMANDS) {
    lines.push(`complete -c ${plugin} -f`);
    lines.push(`complete -c ${plugin} -n __fish_use_subcommand -a ${fishQuote(PLUGIN_SUBCOMMANDS.join(' '))}`);
    for (const [name, f] of Object.entries(PLUGIN_FLAGS)) lines.push(fishFlag('true', name, f, plugin));
  }
  return `${lines.join('\n')}\n`;
}

/** `gatehouse completion bash|zsh|fish`, over the command tree `nodes()` returns. */
export function completionCommand(nodes: () => readonly CommandNode[]): CommandSpec {
  return defineCommand({
    name: 'completion',
    summary: 'print a shell completion script: bash, zsh or fish (covers the plugin commands too)',
    args: [{ name: 'SHELL', description: 'bash, zsh or fish' }],
    clientFlags: false,
    flags: {},
    examples: ['source <(gatehouse completion bash)        # in ~/.bashrc', 'source <(gatehouse completion zsh)         # in ~/.zshrc', 'gatehouse completion fish > ~/.config/fish/completions/gatehouse.fish'],
    async run({ args }) {
      const shell = args[0] ?? '';
      if (shell === 'bash') process.stdout.write(bashCompletion(nodes()));
      else if (shell === 'zsh') process.stdout.write(zshCompletion(nodes()));
      else if (shell === 'fish') process.stdout.write(fishCompletion(nodes()));
      else throw new UsageError(`gatehouse completion: unknown shell ${JSON.stringify(shell)} (bash, zsh or fish)`);
    },
  });
}
