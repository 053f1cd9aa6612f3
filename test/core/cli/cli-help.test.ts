import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isGroup } from '../../../core/cli/command-spec.ts';
import { COMMANDS } from '../../../core/cli/commands.ts';
import { commandHelp } from '../../../core/cli/help-text.ts';
import { CLI, runGatehouse, type CliResult } from './cli-process.ts';

// Help, suggestions, argument checks and completion need no server: only the real process.
describe('gatehouse help, usage errors and completion', { timeout: 120_000 }, () => {
  let home: string;
  const gh = (args: string[]): Promise<CliResult> => runGatehouse(args, { home });
  beforeAll(() => {
    home = mkdtempSync(path.join(tmpdir(), 'gatehouse-home-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('answers --help on every group and command with exit 0, flag descriptions and examples', async () => {
    const [users, roles, audit, create, helpWord, root] = await Promise.all([
      gh(['users', '--help']),
      gh(['roles', '-h']),
      gh(['audit', '--help']),
      gh(['request', 'create', '--help']),
      gh(['help', 'users', 'add']),
      gh(['--help']),
    ]);
    for (const r of [users, roles, audit, create, helpWord, root]) {
      expect(r.code).toBe(0);
      expect(r.stderr).toBe('');
    }
    expect(users.stdout).toContain('Usage: gatehouse users <command> [flags]');
    expect(users.stdout).toMatch(/^ {2}add {5}create a user and print a one-time invite/m);
    expect(roles.stdout).toContain('gatehouse roles apply -f examples/roles.yaml');
    expect(audit.stdout).toContain('Usage: gatehouse audit <command> [flags]');
    expect(create.stdout).toContain('Usage: gatehouse request create [flags]');
    expect(create.stdout).toMatch(/^ {6}--wait\s+wait for the outcome; the exit status says it$/m);
    expect(create.stdout).toMatch(/^Examples:\n {2}gatehouse request create --roles prodaccess/m);
    expect(helpWord.stdout).toContain('Usage: gatehouse users add NAME [flags]');
    expect(root.stdout).toContain('Exit status:\n  0  done (request create --wait: approved)');
    expect(root.stdout).toContain('  3  request create --wait: denied');
  });

  it('describes every flag of every command and gives an example', () => {
    for (const node of COMMANDS) {
      for (const command of isGroup(node) ? node.commands : [node]) {
        const help = commandHelp(command, `gatehouse ${node.name}`);
        expect(command.examples.length, command.name).toBeGreaterThan(0);
        for (const [name, flag] of Object.entries(command.flags)) {
          expect(flag.description.length, `${node.name} ${command.name} --${name}`).toBeGreaterThan(10);
          expect(help).toContain(`--${name}`);
        }
      }
    }
  });

  it('refuses unknown commands and flags with the nearest one, and extra arguments, with exit 2', async () => {
    const [typo, subTypo, flagTypo, extra, none, missing] = await Promise.all([
      gh(['reqest', 'ls']),
      gh(['users', 'lss']),
      gh(['request', 'ls', '--stat', 'pending']),
      gh(['request', 'show', 'abc', 'def']),
      gh(['users', 'ls', 'alice']),
      gh(['request', 'review']),
    ]);
    for (const r of [typo, subTypo, flagTypo, extra, none, missing]) expect(r.code).toBe(2);
    expect(typo.stderr).toBe('error: unknown command "reqest"; did you mean "request"? (see gatehouse --help)\n');
    expect(subTypo.stderr).toBe('error: unknown command "users lss"; did you mean "users ls"? (see gatehouse users --help)\n');
    expect(flagTypo.stderr).toBe('error: unknown flag --stat for gatehouse request ls; did you mean --state? (see gatehouse request ls --help)\n');
    expect(extra.stderr).toBe('error: unexpected argument "def": gatehouse request show takes ID (quote a value with spaces; see gatehouse request show --help)\n');
    expect(none.stderr).toBe('error: unexpected argument "alice": gatehouse users ls takes no arguments (quote a value with spaces; see gatehouse users ls --help)\n');
    expect(missing.stderr).toBe('error: gatehouse request review: missing ID (gatehouse request review ID [flags])\n');
  });

  it('completes commands, subcommands, flags and values in bash, and prints zsh and fish scripts', async () => {
    const cases: Array<[string, string]> = [
      ['gatehouse req', 'request'],
      ['gatehouse request cr', 'create'],
      ['gatehouse users add alice --ro', '--roles'],
      ['gatehouse request ls --format j', 'json'],
      ['gatehouse --identity x.pem request ls --st', '--state'],
      ['gatehouse completion f', 'fish'],
      ['gatehouse-slack ch', 'check'],
    ];
    const script = cases
      .map(([line]) => `COMP_WORDS=(${line}); [[ "${line}" == *" " ]] && COMP_WORDS+=(""); COMP_CWORD=$((\${#COMP_WORDS[@]} - 1)); COMPREPLY=(); ${line.startsWith('gatehouse-') ? '_gatehouse_plugin' : '_gatehouse'}; echo "\${COMPREPLY[*]}"`)
      .join('\n');
    const out = await new Promise<string>((resolve, reject) => {
      execFile('bash', ['-c', `source <("${process.execPath}" "${CLI}" completion bash)\n${script}`], { env: { PATH: process.env.PATH ?? '', HOME: home } }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
    expect(out.split('\n').slice(0, cases.length)).toEqual(cases.map(([, want]) => want));
    const [zsh, fish, bad] = await Promise.all([gh(['completion', 'zsh']), gh(['completion', 'fish']), gh(['completion', 'tcsh'])]);
    expect(zsh.stdout).toMatch(/^#compdef gatehouse /);
    expect(zsh.stdout).toContain('bashcompinit');
    expect(fish.stdout).toContain("complete -c gatehouse -n '__fish_seen_subcommand_from request requests; and __fish_seen_subcommand_from create new' -l roles -x");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: gatehouse completion: unknown shell "tcsh" (bash, zsh or fish)\n');
  });

  it('gives every plugin command the same help, with its exit statuses', async () => {
    const result = await new Promise<CliResult>((resolve) => {
      execFile(process.execPath, [path.resolve('plugins/slack/main.ts'), 'start', '--help'], { env: { PATH: process.env.PATH ?? '' } }, (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Exit status:\n  0  ');
    expect(result.stdout).toContain('gatehouse completion bash');
  });
});
