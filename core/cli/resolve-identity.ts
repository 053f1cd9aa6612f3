import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './cli-error.ts';
import type { GlobalOptions } from './command-spec.ts';
import { configDir, findProfile, listProfiles, readConfig, type Profile } from './profiles.ts';

/** The identity a command acts with, and how it was chosen. */
export interface ChosenIdentity {
  path: string;
  /** What it is and how it was chosen, said by `status` and in errors: `profile gatehouse/alice, chosen by GATEHOUSE_PROFILE`. */
  source: string;
  profile: Profile | undefined;
  /** Said on stderr before the command runs, when the choice is one the user did not make. */
  notice: string | undefined;
}

/** `./data/admin-identity.pem`, as a server started in `cwd` (`./dev start`) writes it. */
export function dataDirAdminIdentity(cwd: string): string | undefined {
  const file = path.join(cwd, 'data', 'admin-identity.pem');
  return existsSync(file) ? file : undefined;
}

const fromProfile = (profile: Profile, how: string): ChosenIdentity => ({ path: profile.path, source: `profile ${profile.name}, ${how}`, profile, notice: undefined });

/**
 * Chooses the identity, first match wins: `--identity`, `--profile`, GATEHOUSE_IDENTITY,
 * GATEHOUSE_PROFILE, the profile chosen with `gatehouse profile use`; else the one identity
 * there is (a profile, an identity.pem of an earlier version's login, or the admin identity of
 * a server started in this directory, said on stderr). Never guesses between several.
 *
 * @throws UsageError when there is none, or several and none was chosen (listing them), or a
 *   named profile does not exist.
 */
export function resolveIdentity(globals: GlobalOptions): ChosenIdentity {
  const { env } = globals;
  const explicit = (file: string, how: string): ChosenIdentity => ({ path: path.resolve(env.cwd, file), source: how, profile: undefined, notice: undefined });
  if (globals.identity) return explicit(globals.identity, `${globals.identity}, chosen by --identity`);
  if (globals.profile) return fromProfile(findProfile(env, globals.profile), 'chosen by --profile');
  if (env.identity) return explicit(env.identity, `${env.identity}, chosen by GATEHOUSE_IDENTITY`);
  if (env.profile) return fromProfile(findProfile(env, env.profile), 'chosen by GATEHOUSE_PROFILE');
  const { current } = readConfig(env);
  if (current) {
    try {
      return fromProfile(findProfile(env, current), 'chosen by gatehouse profile use');
    } catch (err) {
      throw new UsageError(`the active profile ${current} is gone (${err instanceof Error ? err.message : String(err)}): choose another with gatehouse profile use NAME`);
    }
  }

  const candidates: ChosenIdentity[] = listProfiles(env).map((p) => fromProfile(p, 'the only identity here'));
  const legacy = path.join(configDir(env), 'identity.pem');
  if (existsSync(legacy)) candidates.push({ path: legacy, source: `${legacy}, from an earlier login`, profile: undefined, notice: undefined });
  const admin = dataDirAdminIdentity(env.cwd);
  if (admin) {
    candidates.push({
      path: admin,
      source: './data/admin-identity.pem, the admin identity of the server in this directory',
      profile: undefined,
      notice: 'using ./data/admin-identity.pem, the admin identity of the server in this directory: no other identity is configured',
    });
  }
  const [only] = candidates;
  if (only && candidates.length === 1) return only;
  if (!only) {
    throw new UsageError('no identity to act with: log in with `gatehouse login --addr HOST:PORT --token TOKEN` (an admin gives the token), or pass --identity FILE');
  }
  const names = candidates.map((c) => (c.profile ? c.profile.name : c.path === admin ? './data/admin-identity.pem (admin)' : c.path));
  throw new UsageError(
    `several identities could be meant: ${names.join(', ')}. Choose one: --profile NAME or --identity FILE for one command, export GATEHOUSE_PROFILE=NAME for this shell, or gatehouse profile use NAME`,
  );
}
