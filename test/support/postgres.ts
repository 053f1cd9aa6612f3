import { execFile } from 'node:child_process';
import { chown, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);

/** Where Debian/Ubuntu's `postgresql` package puts the server binaries. */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

export const INSTALL_HINT =
  `PostgreSQL server binaries not found under ${DEBIAN_POSTGRES_ROOT}/*/bin; install them with ` +
  '`apt-get install -y postgresql` (or set GATEHOUSE_TEST_POSTGRES_URL to an existing server)';

export interface TestPostgres {
  /** Superuser connection string to the `postgres` database. */
  connectionString: string;
  /** Creates an empty database; `drop` removes it (terminating leftover connections). */
  createDatabase(): Promise<{ connectionString: string; drop: () => Promise<void> }>;
  /** Stops the server and deletes its files. Idempotent. */
  stop(): Promise<void>;
}

/**
 * The bin directory of the newest installed PostgreSQL (e.g. /usr/lib/postgresql/15/bin), or
 * undefined when there is none.
 */
export function findPostgresBin(): string | undefined {
  if (!existsSync(DEBIAN_POSTGRES_ROOT)) return undefined;
  const versions = readdirSyncSafe(DEBIAN_POSTGRES_ROOT)
    .filter((v) => existsSync(join(DEBIAN_POSTGRES_ROOT, v, 'bin', 'initdb')) && existsSync(join(DEBIAN_POSTGRES_ROOT, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number.parseFloat(b) - Number.parseFloat(a));
  return versions[0] === undefined ? undefined : join(DEBIAN_POSTGRES_ROOT, versions[0], 'bin');
}

/** True when tests can get a server: an external one or local binaries. */
export function postgresAvailable(): boolean {
  return process.env.GATEHOUSE_TEST_POSTGRES_URL !== undefined || findPostgresBin() !== undefined;
}

/**
 * Starts a throw-away PostgreSQL cluster for tests:
 *   initdb -D DIR/data -U gatehouse --auth=trust --no-sync --no-locale -E UTF8
 *   pg_ctl -D DIR/data -l DIR/postgres.log -w -t 60 -o "-c listen_addresses=127.0.0.1 -c port=PORT
 *     -c unix_socket_directories=DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off
 *     -c max_connections=300" start
 * listening only on 127.0.0.1 at a free port. initdb refuses to run as root, so as root both
 * commands run as the `postgres` user the Debian package creates (else `nobody`), owning DIR.
 * fsync is off because the data is thrown away; nothing in the contract depends on it.
 *
 * With GATEHOUSE_TEST_POSTGRES_URL set, that server is used instead and nothing is started.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const external = process.env.GATEHOUSE_TEST_POSTGRES_URL;
  if (external !== undefined) return withDatabases(external, async () => undefined);

  const bin = findPostgresBin();
  if (bin === undefined) throw new Error(INSTALL_HINT);
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'postgres.log');
  const owner = process.getuid?.() === 0 ? lookupUser('postgres') ?? lookupUser('nobody') : undefined;
  if (owner !== undefined) await chown(dir, owner.uid, owner.gid);
  const as = owner === undefined ? {} : { uid: owner.uid, gid: owner.gid };
  const env = { ...process.env, LC_ALL: 'C', HOME: dir };
  const pgCtl = (...args: string[]) => run(join(bin, 'pg_ctl'), ['-D', data, ...args], { ...as, env, cwd: dir });

  let stopped = false;
  let postmasterPid: number | undefined;
  const killOnExit = () => {
    if (postmasterPid !== undefined && !stopped) process.kill(postmasterPid, 'SIGQUIT');
  };
  try {
    await run(join(bin, 'initdb'), ['-D', data, '-U', 'gatehouse', '--auth=trust', '--no-sync', '--no-locale', '-E', 'UTF8'], { ...as, env, cwd: dir });
    let port = 0;
    for (let attempt = 1; ; attempt++) {
      port = await findFreePort();
      const settings = [
        'listen_addresses=127.0.0.1', `port=${port}`, `unix_socket_directories=${dir}`,
        'fsync=off', 'synchronous_commit=off', 'full_page_writes=off', 'max_connections=300',
      ];
      try {
        await pgCtl('-l', logFile, '-w', '-t', '60', '-o', settings.map((s) => `-c ${s}`).join(' '), 'start');
        break;
      } catch (err) {
        if (attempt >= 3) throw err; // most likely the port was taken between probe and start
      }
    }
    postmasterPid = Number.parseInt(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0] ?? '', 10);
    // A crashed test process must not leave a server running.
    process.once('exit', killOnExit);
    return withDatabases(`postgres://gatehouse@127.0.0.1:${port}/postgres`, async () => {
      if (stopped) return;
      stopped = true;
      process.off('exit', killOnExit);
      try {
        await pgCtl('-m', 'immediate', '-w', 'stop');
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });
  } catch (err) {
    const log = await readFile(logFile, 'utf8').catch((readErr: unknown) => `(no server log: ${String(readErr)})`);
    killOnExit();
    stopped = true;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`could not start PostgreSQL from ${bin}: ${String(err)}\n${log}`, { cause: err });
  }
}

function withDatabases(connectionString: string, stop: () => Promise<void>): TestPostgres {
  let counter = 0;
  const admin = async <T>(fn: (client: Client) => Promise<T>): Promise<T> => {
    const client = new Client({ connectionString });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };
  return {
    connectionString,
    stop,
    async createDatabase() {
      const name = `gatehouse_test_${process.pid}_${++counter}_${Date.now()}`;
      await admin((c) => c.query(`CREATE DATABASE ${name}`));
      const url = new URL(connectionString);
      url.pathname = `/${name}`;
      return {
        connectionString: url.toString(),
        drop: () => admin((c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
      };
    },
  };
}

function lookupUser(name: string): { uid: number; gid: number } | undefined {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${name}:`));
  const [, , uid, gid] = line?.split(':') ?? [];
  return uid === undefined || gid === undefined ? undefined : { uid: Number(uid), gid: Number(gid) };
}

function readdirSyncSafe(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

async function findFreePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
