import { execFile } from 'node:child_process';
import path from 'node:path';

/** What one run of the `gatehouse` process gave. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export const CLI = path.resolve('core/cli/main.ts');

export interface CliRunOptions {
  home: string;
  /** @default home */
  cwd?: string;
  env?: Record<string, string>;
  /** @default 90000 (the machine may be busy) */
  timeoutMs?: number;
}

/** Runs the real `gatehouse` CLI in its own Node process, with only PATH, HOME and `env` set. */
export function runGatehouse(args: readonly string[], options: CliRunOptions): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { PATH: process.env.PATH ?? '', HOME: options.home, ...options.env }, cwd: options.cwd ?? options.home, timeout: options.timeoutMs ?? 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
