import { UsageError } from './cli-error.ts';
import { withClient, resolveAddr } from './connect.ts';
import { formatTime, printJson, printTable } from './output.ts';
import { parseCommand, parseDurationFlag, splitList, type CliEnv } from './parse-command.ts';

const USAGE = `Usage: gatehouse users <command>

Commands:
  add NAME --roles R1,R2 [--traits key=v1|v2,...] [--invite-ttl 24h] [--no-invite]
                       create a user and print a one-time invite for \`gatehouse login\`
  update NAME --roles R1,R2 [--traits ...]
  ls
  rm NAME`;

function parseTraits(value: string | undefined): Record<string, { values: string[] }> {
  const out: Record<string, { values: string[] }> = {};
  for (const pair of splitList(value)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--traits: expected key=value (got ${JSON.stringify(pair)})`);
    out[pair.slice(0, eq)] = { values: pair.slice(eq + 1).split('|').filter(Boolean) };
  }
  return out;
}

export async function runUsersCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'add':
    case 'update': {
      const { values, positionals, globals } = parseCommand(
        rest,
        { roles: { type: 'string' }, traits: { type: 'string' }, 'invite-ttl': { type: 'string' }, 'no-invite': { type: 'boolean' } },
        `Usage: gatehouse users ${sub} NAME --roles R1,R2 [--traits key=v1|v2,...]${sub === 'add' ? ' [--invite-ttl 24h] [--no-invite]' : ''}`,
        env,
      );
      const name = positionals[0];
      if (!name) throw new UsageError(`gatehouse users ${sub}: missing NAME`);
      const roles = splitList(values.roles);
      if (roles.length === 0) throw new UsageError(`gatehouse users ${sub}: --roles is required (e.g. --roles sres)`);
      const invite = sub === 'add' && !values['no-invite'];
      await withClient(globals, async (client) => {
        const res = await client.upsertUser({
          user: { name, roles, traits: parseTraits(values.traits) },
          createOnly: sub === 'add',
          inviteTtlMs: invite ? parseDurationFlag('invite-ttl', values['invite-ttl'] ?? '24h') : 0,
        });
        if (globals.format === 'json') {
          return printJson({ user: res.user?.name, roles: res.user?.roles, invite_token: res.inviteToken || undefined, invite_expires: res.inviteExpiresMs ? new Date(res.inviteExpiresMs).toISOString() : undefined });
        }
        process.stdout.write(`User "${name}" ${sub === 'add' ? 'created' : 'updated'} with roles ${roles.join(', ')}.\n`);
        if (res.inviteToken) {
          process.stdout.write(
            `\nOne-time invite (valid until ${formatTime(res.inviteExpiresMs)}). Give it to ${name}, who runs:\n\n  gatehouse login --addr ${resolveAddr(globals)} --token ${res.inviteToken}\n\nThe key is created on their machine; only a certificate request travels.\n`,
          );
        }
      });
      return;
    }
    case 'ls':
    case 'list': {
      const { globals } = parseCommand(rest, {}, 'Usage: gatehouse users ls', env);
      await withClient(globals, async (client) => {
        const users = await client.listUsers();
        if (globals.format === 'json') {
          return printJson(users.map((u) => ({ name: u.name, roles: u.roles, traits: Object.fromEntries(Object.entries(u.traits).map(([k, v]) => [k, v.values])), created: new Date(u.createdMs).toISOString() })));
        }
        printTable(['User', 'Roles', 'Created'], users.map((u) => [u.name, u.roles.join(','), formatTime(u.createdMs)]));
      });
      return;
    }
    case 'rm':
    case 'delete': {
      const { positionals, globals } = parseCommand(rest, {}, 'Usage: gatehouse users rm NAME', env);
      const name = positionals[0];
      if (!name) throw new UsageError('gatehouse users rm: missing NAME');
      await withClient(globals, async (client) => {
        await client.deleteUser(name);
        if (globals.format === 'json') return printJson({ deleted: name });
        process.stdout.write(`User "${name}" deleted; their certificates are refused from now on.\n`);
      });
      return;
    }
    case undefined:
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "users ${sub}"\n\n${USAGE}`);
  }
}
