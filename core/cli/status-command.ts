import { defineCommand } from './command-spec.ts';
import { openSession } from './connect.ts';
import { clusterOfCa } from './diagnose-connection.ts';
import { explainCallError } from './explain-error.ts';
import { formatTime, printJson } from './output.ts';

function left(ms: number): string {
  const h = Math.floor(ms / 3600_000);
  return h >= 48 ? `${Math.floor(h / 24)} days` : h >= 1 ? `${h} h` : `${Math.max(0, Math.round(ms / 60_000))} min`;
}

/**
 * `gatehouse status` (`whoami`): which identity commands act with and why, and what the server
 * says of it: user, roles, cluster, expiry. The local part is printed even when the server
 * cannot be reached, then the reason.
 */
export const statusCommand = defineCommand({
  name: 'status',
  aliases: ['whoami', 'ping'],
  summary: 'which identity, user, roles and cluster commands act with, and whether the server answers',
  flags: {},
  examples: ['gatehouse status', 'gatehouse status --profile bob --format json'],
  async run({ globals }) {
    const { client, context } = await openSession(globals);
    const { identity, material } = context;
    try {
      let ping;
      try {
        ping = await client.ping();
      } catch (err) {
        if (globals.format === 'table') {
          process.stdout.write(`Identity: ${identity.path}\n  chosen:  ${identity.source}\nUser:     ${context.user}\nCluster:  ${clusterOfCa(material.caPems[0] ?? '') ?? '?'} at ${context.addr.text} (${context.addrSource}): not reachable\n`);
        }
        throw await explainCallError(err, context);
      }
      const expires = new Date(ping.identityExpiresMs).toISOString();
      if (globals.format === 'json') {
        return printJson({
          identity: identity.path,
          source: identity.source,
          profile: identity.profile?.name ?? null,
          user: ping.user,
          roles: ping.roles,
          cluster: ping.clusterName,
          server_version: ping.serverVersion,
          addr: context.addr.text,
          identity_expires: expires,
        });
      }
      process.stdout.write(
        `Identity: ${identity.path}\n  chosen:  ${identity.source}\nUser:     ${ping.user}\nRoles:    ${ping.roles.join(', ')}\nCluster:  ${ping.clusterName} (server ${ping.serverVersion}) at ${client.addr}\nExpires:  ${formatTime(ping.identityExpiresMs)} (in ${left(ping.identityExpiresMs - Date.now())})\n`,
      );
    } finally {
      client.close();
    }
  },
});
