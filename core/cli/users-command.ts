import { UsageError } from './cli-error.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson, printTable } from './output.ts';
import { parseDurationFlag, splitList } from './parse-command.ts';

function parseTraits(value: string | undefined): Record<string, { values: string[] }> {
  const out: Record<string, { values: string[] }> = {};
  for (const pair of splitList(value)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--traits: expected key=value (got ${JSON.stringify(pair)})`);
    out[pair.slice(0, eq)] = { values: pair.slice(eq + 1).split('|').filter(Boolean) };
  }
  return out;
}

const NAME_ARG = [{ name: 'NAME', description: 'the user name (letters, digits and . _ @ + -)' }] as const;
const TRAITS = { type: 'string', value: 'KEY=V1|V2,...', description: 'traits, e.g. email=alice@example.com (plugins and role templates read them)' } as const;
const INVITE_TTL = { type: 'string', value: 'DURATION', description: 'how long the invite is valid (default 24h)' } as const;

function printInvite(name: string, addr: string, token: string, expiresMs: number): void {
  process.stdout.write(
    `\nOne-time invite (valid until ${formatTime(expiresMs)}). Give it to ${name}, who runs:\n\n  gatehouse login --addr ${addr} --token ${token}\n\nThe key is created on their machine; only a certificate request travels.\n`,
  );
}

const add = defineCommand({
  name: 'add',
  summary: 'create a user and print a one-time invite for `gatehouse login`',
  args: NAME_ARG,
  flags: {
    roles: { type: 'string', value: 'R1,R2', description: 'the roles the user holds (required)' },
    traits: TRAITS,
    'invite-ttl': INVITE_TTL,
    'no-invite': { type: 'boolean', description: 'no invite (a plugin user: give it an identity with gatehouse auth sign)' },
  },
  examples: ['gatehouse users add alice --roles sres --traits email=alice@example.com', 'gatehouse users add slack-plugin --roles access-plugin --no-invite'],
  async run({ values, args, globals }) {
    const name = args[0] ?? '';
    const roles = splitList(values.roles);
    if (roles.length === 0) throw new UsageError('gatehouse users add: --roles is required (e.g. --roles sres)');
    const inviteTtlMs = values['no-invite'] ? 0 : parseDurationFlag('invite-ttl', values['invite-ttl'] ?? '24h');
    await withClient(globals, async (client, { context }) => {
      const res = await client.upsertUser({ user: { name, roles, traits: parseTraits(values.traits) }, createOnly: true, inviteTtlMs });
      if (globals.format === 'json') return printJson(userResultJson(res.user?.name, res.user?.roles, res.inviteToken, res.inviteExpiresMs));
      process.stdout.write(`User "${name}" created with roles ${roles.join(', ')}.\n`);
      if (res.inviteToken) printInvite(name, context.addr.text, res.inviteToken, res.inviteExpiresMs);
    });
  },
});

const update = defineCommand({
  name: 'update',
  summary: "change a user's roles or traits, or give them a new invite",
  args: NAME_ARG,
  flags: {
    roles: { type: 'string', value: 'R1,R2', description: 'the roles the user holds from now on (default: unchanged)' },
    traits: { ...TRAITS, description: 'replace the traits (default: unchanged)' },
    invite: { type: 'boolean', description: 'print a new one-time invite (e.g. their identity expired, or they log in on a new machine)' },
    'invite-ttl': INVITE_TTL,
  },
  examples: ['gatehouse users update alice --roles sres,access-reviewer', 'gatehouse users update alice --invite'],
  async run({ values, args, globals }) {
    const name = args[0] ?? '';
    if (values.roles === undefined && values.traits === undefined && !values.invite) throw new UsageError('gatehouse users update: nothing to change: give --roles, --traits or --invite');
    const roles = values.roles === undefined ? undefined : splitList(values.roles);
    if (roles?.length === 0) throw new UsageError('gatehouse users update: --roles needs at least one role');
    const inviteTtlMs = values.invite ? parseDurationFlag('invite-ttl', values['invite-ttl'] ?? '24h') : 0;
    await withClient(globals, async (client, { context }) => {
      const current = await client.getUser(name);
      const res = await client.upsertUser({
        user: { name, roles: roles ?? current.roles, traits: values.traits === undefined ? current.traits : parseTraits(values.traits) },
        createOnly: false,
        inviteTtlMs,
      });
      if (globals.format === 'json') return printJson(userResultJson(res.user?.name, res.user?.roles, res.inviteToken, res.inviteExpiresMs));
      process.stdout.write(`User "${name}" updated: roles ${(res.user?.roles ?? []).join(', ')}.\n`);
      if (res.inviteToken) printInvite(name, context.addr.text, res.inviteToken, res.inviteExpiresMs);
    });
  },
});

function userResultJson(name: string | undefined, roles: string[] | undefined, token: string, expiresMs: number): Record<string, unknown> {
  return { user: name, roles, invite_token: token || undefined, invite_expires: expiresMs ? new Date(expiresMs).toISOString() : undefined };
}

const ls = defineCommand({
  name: 'ls',
  aliases: ['list'],
  summary: 'list users and their roles',
  flags: {},
  examples: ['gatehouse users ls', 'gatehouse users ls --format json'],
  async run({ globals }) {
    await withClient(globals, async (client) => {
      const users = await client.listUsers();
      if (globals.format === 'json') {
        return printJson(users.map((u) => ({ name: u.name, roles: u.roles, traits: Object.fromEntries(Object.entries(u.traits).map(([k, v]) => [k, v.values])), created: new Date(u.createdMs).toISOString() })));
      }
      printTable(['User', 'Roles', 'Created'], users.map((u) => [u.name, u.roles.join(','), formatTime(u.createdMs)]));
    });
  },
});

const rm = defineCommand({
  name: 'rm',
  aliases: ['delete'],
  summary: 'delete a user; their certificates are refused from then on',
  args: NAME_ARG,
  flags: {},
  examples: ['gatehouse users rm alice'],
  async run({ args, globals }) {
    const name = args[0] ?? '';
    await withClient(globals, async (client) => {
      await client.deleteUser(name);
      if (globals.format === 'json') return printJson({ deleted: name });
      process.stdout.write(`User "${name}" deleted; their certificates are refused from now on.\n`);
    });
  },
});

/** `gatehouse users ...` (admin). */
export const usersGroup: CommandGroup = {
  name: 'users',
  aliases: ['user'],
  summary: '(admin) users and one-time invites: add, update, ls, rm',
  commands: [add, update, ls, rm],
};
