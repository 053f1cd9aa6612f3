import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { createKeyAndCsr } from '../../core/auth/csr.ts';
import { readIdentityFile, writeIdentityFile } from '../../core/auth/identity-file.ts';
import { GatehouseClient, type ClientIdentity } from '../../core/client/gatehouse-client.ts';
import { createServer, type RunningServer } from '../../core/server/create-server.ts';
import { loadServerConfig, type ServerOptions } from '../../core/server/server-config.ts';

export interface TestServer {
  server: RunningServer;
  dataDir: string;
  addr: string;
  admin: GatehouseClient;
  adminIdentity: ClientIdentity;
  adminIdentityPath: string;
  /** A client authenticated with `identity`; closed when the server stops. */
  connect(identity: ClientIdentity): GatehouseClient;
  /** Creates (or updates) a user with these roles and returns a client authenticated as them. */
  userClient(name: string, roles: string[], options?: { traits?: Record<string, string[]>; ttlMs?: number }): Promise<GatehouseClient>;
  /** Issues an identity for an existing or new user and writes it to a file; returns the path. */
  identityFile(name: string, roles: string[], options?: { ttlMs?: number; requestIds?: string[] }): Promise<string>;
  /** Stops the server; keeps the data dir unless `cleanup` (default true on `close`). */
  stop(): Promise<void>;
  /** Stops the server, closes clients and removes the data dir. */
  close(): Promise<void>;
}

export interface StartTestServerOptions extends ServerOptions {
  /** Reuse a data dir (restart tests). */
  dataDir?: string;
  now?: () => number;
  log?: Logger;
}

const SEED_ROLES = `kind: role
version: v4
metadata:
  name: access-reviewer
spec:
  allow:
    review_requests:
      roles: ['prodaccess']
---
kind: role
version: v4
metadata:
  name: sres
spec:
  allow:
    logins: ['ec2-user']
    node_labels:
      'env': '^test|staging$'
    request:
      roles: ['prodaccess']
---
kind: role
version: v4
metadata:
  name: prodaccess
spec:
  allow:
    logins: ['ec2-user']
    node_labels:
      'env': 'prod'
`;

/** The three roles of seed 003, verbatim. */
export const SEED_ROLES_YAML = SEED_ROLES;

/** A requester role (`two-approvals`) whose prodaccess requests need two approvals, so a first review leaves them pending. */
export const TWO_APPROVALS_ROLE_YAML = `kind: role
version: v4
metadata: {name: two-approvals}
spec:
  allow:
    request:
      roles: ['prodaccess']
      thresholds: [{approve: 2, deny: 1}]
`;

/** Starts a real server (real mTLS, real SQLite file) on 127.0.0.1 with ephemeral ports. */
export async function startTestServer(options: StartTestServerOptions = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  const config = loadServerConfig({ listen: '127.0.0.1:0', enrollListen: '127.0.0.1:0', ...options, dataDir });
  const log = options.log ?? pino({ level: 'silent' });
  const server = await createServer({ config, log, ...(options.now ? { now: options.now } : {}) });
  const adminIdentity: ClientIdentity = await readIdentityFile(server.adminIdentityPath);
  const clients: GatehouseClient[] = [];
  const client = (identity: ClientIdentity): GatehouseClient => {
    const c = new GatehouseClient({ addr: server.addr, identity });
    clients.push(c);
    return c;
  };
  const admin = client(adminIdentity);

  async function issue(name: string, roles: string[], opts: { traits?: Record<string, string[]>; ttlMs?: number; requestIds?: string[] } = {}): Promise<ClientIdentity> {
    const traits = Object.fromEntries(Object.entries(opts.traits ?? {}).map(([k, v]) => [k, { values: v }]));
    await admin.upsertUser({ user: { name, roles, traits } });
    const { keyPem, csrPem } = await createKeyAndCsr(name);
    const certs = await admin.generateUserCerts({ csrPem, user: name, ttlMs: opts.ttlMs ?? 3600_000, accessRequestIds: opts.requestIds ?? [] });
    return { keyPem, certPem: certs.certPem, caPems: certs.caPems };
  }

  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    for (const c of clients) c.close();
    await server.stop();
  };
  return {
    server,
    dataDir,
    addr: server.addr,
    admin,
    adminIdentity,
    adminIdentityPath: server.adminIdentityPath,
    connect: client,
    userClient: async (name, roles, opts) => client(await issue(name, roles, opts)),
    identityFile: async (name, roles, opts) => {
      const identity = await issue(name, roles, opts);
      const file = path.join(dataDir, `identity-${name}.pem`);
      await writeIdentityFile(file, identity);
      return file;
    },
    stop,
    close: async () => {
      await stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
