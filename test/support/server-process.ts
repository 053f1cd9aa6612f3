import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { readIdentityFile } from '../../core/auth/identity-file.ts';
import { GatehouseClient, type ClientIdentity } from '../../core/client/gatehouse-client.ts';


const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1 (and the next one free too, for the enrollment listener). */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const s = createServer();
      s.once('error', reject);
      s.listen(0, '127.0.0.1', () => {
        const address = s.address();
        const p = typeof address === 'object' && address ? address.port : 0;
        s.close(() => resolve(p));
      });
    });
    const nextFree = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port + 1, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (nextFree) return port;
  }
}

export interface ServerProcess {
  child: ChildProcess;
  addr: string;
  dataDir: string;
  adminIdentity: ClientIdentity;
  /** What the server wrote to stderr so far (its warn/error log lines). */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `gatehouse server start` in its own process and waits until it answers. */
export async function startServerProcess(dataDir: string, extraArgs: string[] = [], fixedPort?: number): Promise<ServerProcess> {
  mkdirSync(dataDir, { recursive: true });
  const port = fixedPort ?? (await freePort());
  const addr = `127.0.0.1:${port}`;
  const child = spawn(process.execPath, [path.resolve('core/cli/main.ts'), 'server', 'start', '--data-dir', dataDir, '--listen', addr, '--log-level', 'warn', ...extraArgs], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => (stderr += b.toString()));
  const identityPath = path.join(dataDir, 'admin-identity.pem');
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`server exited: ${stderr}`);
    if (Date.now() > deadline) throw new Error(`server did not start: ${stderr}`);
    if (existsSync(identityPath)) {
      const id = await readIdentityFile(identityPath).catch(() => undefined);
      if (id) {
        const c = new GatehouseClient({ addr, identity: id, timeoutMs: 2000 });
        const ok = await c.ping().then(() => true, () => false);
        c.close();
        if (ok) {
          return {
            child,
            addr,
            dataDir,
            adminIdentity: id,
            stderr: () => stderr,
            stop: () =>
              new Promise<void>((resolve) => {
                if (child.exitCode !== null || child.signalCode !== null) return resolve();
                child.once('exit', () => resolve());
                child.kill('SIGTERM');
              }),
          };
        }
      }
    }
    await sleep(100);
  }
}

/** Starts a child `node SCRIPT ...args` and waits for a line "ready" on its stdout. */
export async function startReadyChild(script: string, args: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [path.resolve(script), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
  return child;
}
