import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** One JSON log line of a plugin process. */
export type LogLine = Record<string, unknown> & { msg?: string; level?: string };

export interface PluginProcess {
  readonly child: ChildProcess;
  /** Parsed JSON log lines (stdout), in order. */
  readonly logs: LogLine[];
  stdout(): string;
  stderr(): string;
  /** Resolves with the first log line (now or later) that matches. */
  waitForLog(match: (line: LogLine) => boolean, timeoutMs?: number, what?: string): Promise<LogLine>;
  /** Resolves when the process has exited. */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM and wait for exit (SIGKILL after `timeoutMs`). */
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGKILL and wait. */
  kill(): Promise<void>;
}

export interface StartPluginProcessOptions {
  /** The plugin's entry point, absolute or relative to the repo. @default plugins/slack/main.ts */
  main?: string;
  args: readonly string[];
  env?: Record<string, string>;
  /** Node options placed before the script (e.g. V8 flags that NODE_OPTIONS refuses). */
  nodeArgs?: readonly string[];
}

/** Spawns `node <main> <args>` with the repo's Node; stdout is parsed as JSON log lines. */
export function startPluginProcess(options: StartPluginProcessOptions): PluginProcess {
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.resolve(ROOT, options.main ?? 'plugins/slack/main.ts'), ...options.args], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: LogLine[] = [];
  let out = '';
  let err = '';
  let partial = '';
  const waiters = new Set<() => void>();
  const changed = (): void => {
    for (const wake of [...waiters]) wake();
  };
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
    partial += chunk;
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        const parsed: unknown = JSON.parse(line);
        if (typeof parsed === 'object' && parsed !== null) logs.push(parsed as LogLine);
      } catch {
        logs.push({ msg: line, level: 'raw' });
      }
    }
    changed();
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
    changed();
  });
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      resolve({ code, signal });
      changed();
    });
  });
  let exitedFlag = false;
  void exit.then(() => {
    exitedFlag = true;
  });

  return {
    child,
    logs,
    stdout: () => out,
    stderr: () => err,
    waitForLog(match, timeoutMs = 15_000, what = 'a matching log line') {
      return new Promise((resolve, reject) => {
        const check = (): void => {
          const found = logs.find(match);
          if (found !== undefined) {
            done();
            resolve(found);
          } else if (exitedFlag) {
            done();
            reject(new Error(`plugin exited before ${what}; stderr:\n${err}\nstdout:\n${out.slice(-4000)}`));
          }
        };
        const timer = setTimeout(() => {
          done();
          reject(new Error(`timed out waiting for ${what}; stderr:\n${err}\nstdout tail:\n${out.slice(-4000)}`));
        }, timeoutMs);
        const done = (): void => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    exited: () => exit,
    async stop(timeoutMs = 20_000) {
      if (!exitedFlag) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
    async kill() {
      if (!exitedFlag) child.kill('SIGKILL');
      await exit;
    },
  };
}

/** Runs a plugin command to completion (configure, check, a failing start). */
export async function runPluginCommand(args: readonly string[], options: { main?: string; env?: Record<string, string>; timeoutMs?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const p = startPluginProcess({ args, ...(options.main ? { main: options.main } : {}), ...(options.env ? { env: options.env } : {}) });
  const timer = setTimeout(() => p.child.kill('SIGKILL'), options.timeoutMs ?? 20_000);
  const { code } = await p.exited();
  clearTimeout(timer);
  return { code, stdout: p.stdout(), stderr: p.stderr() };
}

export interface SlackPluginConfigOptions {
  dir: string;
  addr: string | readonly string[];
  identity: string;
  token: string;
  apiUrl: string;
  recipients?: readonly string[];
  /** Extra TOML appended verbatim. */
  extra?: string;
  /** Section name for the server. @default gatehouse */
  section?: 'gatehouse' | 'teleport';
  name?: string;
  /** @default debug */
  severity?: 'debug' | 'info' | 'warn' | 'error';
}

/** Writes a Slack plugin.toml logging JSON to stdout at debug; returns its path. */
export function writeSlackPluginConfig(o: SlackPluginConfigOptions): string {
  const file = path.join(o.dir, o.name ?? 'plugin.toml');
  const addr = typeof o.addr === 'string' ? JSON.stringify(o.addr) : `[${o.addr.map((a) => JSON.stringify(a)).join(', ')}]`;
  writeFileSync(
    file,
    `[${o.section ?? 'gatehouse'}]
addr = ${addr}
identity = ${JSON.stringify(o.identity)}

[slack]
token = ${JSON.stringify(o.token)}
recipients = [${(o.recipients ?? ['access-requests']).map((r) => JSON.stringify(r)).join(', ')}]
api_url = ${JSON.stringify(o.apiUrl)}

[log]
output = "stdout"
severity = ${JSON.stringify(o.severity ?? "debug")}
${o.extra ?? ''}`,
  );
  return file;
}
