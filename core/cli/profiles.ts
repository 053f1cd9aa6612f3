import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { encodeIdentityFile, type IdentityMaterial } from '../auth/identity-file.ts';
import { writeFileAtomic } from '../auth/write-file-atomic.ts';
import { CliError, UsageError } from './cli-error.ts';
import type { CliEnv } from './command-spec.ts';

/**
 * Login profiles, as `tsh` keeps them: one identity per cluster and user, so a second
 * `gatehouse login` never replaces another user's identity.
 *
 *   ~/.gatehouse/config.json               {"current": "CLUSTER/USER"}, set by `gatehouse profile use`
 *   ~/.gatehouse/CLUSTER/cluster.json      {"addr": "HOST:PORT"}, the API address of that cluster
 *   ~/.gatehouse/CLUSTER/USER.pem          the identity of USER in CLUSTER (mode 0600)
 */
export interface Profile {
  /** `CLUSTER/USER`. */
  name: string;
  cluster: string;
  user: string;
  /** The identity file. */
  path: string;
  /** The cluster's API address, as given at login. */
  addr: string | undefined;
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;

const configSchema = z.object({ current: z.string().optional(), addr: z.string().optional() });
const clusterSchema = z.object({ addr: z.string() });

type Config = z.infer<typeof configSchema>;

/** `~/.gatehouse`. */
export function configDir(env: CliEnv): string {
  return path.join(env.home, '.gatehouse');
}

function readJson<T>(file: string, schema: z.ZodType<T>): T | undefined {
  if (!existsSync(file)) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new CliError(`${file} is not valid JSON (${err instanceof Error ? err.message : String(err)}): fix it or delete it`);
  }
  const result = schema.safeParse(parsed);
  if (!result.success) throw new CliError(`${file}: ${result.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}: fix it or delete it`);
  return result.data;
}

/** `~/.gatehouse/config.json`; `addr` is what logins before profiles left there. */
export function readConfig(env: CliEnv): Config {
  return readJson(path.join(configDir(env), 'config.json'), configSchema) ?? {};
}

async function writeJson(file: string, value: unknown): Promise<void> {
  await writeFileAtomic(file, `${JSON.stringify(value, null, 2)}\n`, { mode: 0o600 });
}

/** Makes `name` the profile commands use when neither a flag nor the environment names one. */
export async function setCurrentProfile(env: CliEnv, name: string | undefined): Promise<void> {
  const { current: _, ...rest } = readConfig(env);
  await writeJson(path.join(configDir(env), 'config.json'), name === undefined ? rest : { ...rest, current: name });
}

/** The API address `gatehouse login` stored for `cluster`, if any. */
export function readClusterAddr(env: CliEnv, cluster: string | undefined): string | undefined {
  if (cluster === undefined || !SAFE_NAME.test(cluster)) return undefined;
  return readJson(path.join(configDir(env), cluster, 'cluster.json'), clusterSchema)?.addr;
}

/** Every profile in the home, sorted by name. */
export function listProfiles(env: CliEnv): Profile[] {
  const dir = configDir(env);
  if (!existsSync(dir)) return [];
  const profiles: Profile[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !SAFE_NAME.test(entry.name)) continue;
    const clusterDir = path.join(dir, entry.name);
    const cluster = readJson(path.join(clusterDir, 'cluster.json'), clusterSchema);
    if (!cluster) continue;
    for (const file of readdirSync(clusterDir)) {
      if (!file.endsWith('.pem')) continue;
      const user = file.slice(0, -'.pem'.length);
      profiles.push({ name: `${entry.name}/${user}`, cluster: entry.name, user, path: path.join(clusterDir, file), addr: cluster.addr });
    }
  }
  return profiles.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * The profile `name` names: `CLUSTER/USER`, or `USER` when one cluster has that user.
 * @throws UsageError for an unknown or an ambiguous name, listing the profiles there are.
 */
export function findProfile(env: CliEnv, name: string): Profile {
  const profiles = listProfiles(env);
  const matches = profiles.filter((p) => (name.includes('/') ? p.name === name : p.user === name));
  const [only] = matches;
  if (only && matches.length === 1) return only;
  const known = profiles.length ? `profiles here: ${profiles.map((p) => p.name).join(', ')}` : 'there are no profiles yet: gatehouse login --addr HOST:PORT --token TOKEN makes one';
  if (matches.length > 1) throw new UsageError(`profile "${name}" is ambiguous (${matches.map((p) => p.name).join(', ')}): name it as CLUSTER/USER`);
  throw new UsageError(`no profile "${name}" (${known})`);
}

/**
 * Stores an identity as the profile CLUSTER/USER and the cluster's address; another user's
 * profile is never touched. Returns the profile.
 */
export async function saveProfile(env: CliEnv, cluster: string, user: string, addr: string, material: IdentityMaterial): Promise<Profile> {
  if (!SAFE_NAME.test(cluster) || !SAFE_NAME.test(user)) throw new CliError(`cannot store a profile for cluster ${JSON.stringify(cluster)} and user ${JSON.stringify(user)}: unexpected characters`);
  const clusterDir = path.join(configDir(env), cluster);
  await writeJson(path.join(clusterDir, 'cluster.json'), { addr });
  const file = path.join(clusterDir, `${user}.pem`);
  await writeFileAtomic(file, encodeIdentityFile(material), { mode: 0o600 });
  return { name: `${cluster}/${user}`, cluster, user, path: file, addr };
}

/** Deletes a profile's identity file, and clears it as the current profile. */
export async function removeProfile(env: CliEnv, profile: Profile): Promise<void> {
  rmSync(profile.path, { force: true });
  if (readConfig(env).current === profile.name) await setCurrentProfile(env, undefined);
}
