import { readIdentityFile } from '../auth/identity-file.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { formatTime, printJson, printTable } from './output.ts';
import { findProfile, listProfiles, readConfig, removeProfile, setCurrentProfile } from './profiles.ts';
import { resolveIdentity } from './resolve-identity.ts';

const NAME_ARG = [{ name: 'NAME', description: 'USER, or CLUSTER/USER when the user is in several clusters' }] as const;

const ls = defineCommand({
  name: 'ls',
  aliases: ['list'],
  summary: 'list the login profiles in ~/.gatehouse; * marks the one commands use',
  flags: {},
  examples: ['gatehouse profile ls'],
  async run({ globals }) {
    const profiles = listProfiles(globals.env);
    let inUse: string | undefined;
    try {
      inUse = resolveIdentity(globals).path;
    } catch {
      inUse = undefined; // several and none chosen, or none: no profile is marked
    }
    const rows = await Promise.all(
      profiles.map(async (p) => {
        const expiresMs = await readIdentityFile(p.path).then((f) => f.identity.expiresMs, () => 0);
        return { ...p, expiresMs, active: p.path === inUse };
      }),
    );
    if (globals.format === 'json') {
      return printJson(rows.map((r) => ({ name: r.name, cluster: r.cluster, user: r.user, addr: r.addr ?? null, identity: r.path, expires: r.expiresMs ? new Date(r.expiresMs).toISOString() : null, active: r.active })));
    }
    if (rows.length === 0) {
      process.stdout.write('No profiles: gatehouse login --addr HOST:PORT --token TOKEN makes one.\n');
      return;
    }
    const expired = (ms: number): string => (ms === 0 ? 'unreadable' : ms <= Date.now() ? `${formatTime(ms)} (expired)` : formatTime(ms));
    printTable(['', 'Profile', 'Address', 'Expires'], rows.map((r) => [r.active ? '*' : '', r.name, r.addr ?? '-', expired(r.expiresMs)]));
  },
});

const use = defineCommand({
  name: 'use',
  aliases: ['switch'],
  summary: 'make a profile the one commands use by default',
  description: 'GATEHOUSE_PROFILE, GATEHOUSE_IDENTITY and the --profile and --identity flags still take precedence.',
  args: NAME_ARG,
  flags: {},
  clientFlags: false,
  examples: ['gatehouse profile use alice', 'gatehouse profile use staging/alice'],
  async run({ args, globals }) {
    const profile = findProfile(globals.env, args[0] ?? '');
    await setCurrentProfile(globals.env, profile.name);
    process.stdout.write(`Commands now act as ${profile.user} (profile ${profile.name}) unless --profile, --identity, GATEHOUSE_PROFILE or GATEHOUSE_IDENTITY says otherwise.\n`);
  },
});

const rm = defineCommand({
  name: 'rm',
  aliases: ['logout'],
  summary: "delete a profile's identity from this machine",
  args: NAME_ARG,
  flags: {},
  clientFlags: false,
  examples: ['gatehouse profile rm bob'],
  async run({ args, globals }) {
    const profile = findProfile(globals.env, args[0] ?? '');
    const wasCurrent = readConfig(globals.env).current === profile.name;
    await removeProfile(globals.env, profile);
    process.stdout.write(`Profile ${profile.name} removed (${profile.path})${wasCurrent ? '; no profile is chosen now' : ''}.\n`);
  },
});

/** `gatehouse profile ...`: the identities `gatehouse login` stored, and which one is in use. */
export const profileGroup: CommandGroup = {
  name: 'profile',
  aliases: ['profiles'],
  summary: 'login profiles on this machine: ls, use, rm',
  commands: [ls, use, rm],
};
