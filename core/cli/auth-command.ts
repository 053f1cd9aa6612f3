import path from 'node:path';
import { createKeyAndCsr } from '../auth/csr.ts';
import { writeIdentityFile } from '../auth/identity-file.ts';
import { UsageError } from './cli-error.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson } from './output.ts';
import { parseDurationFlag } from './parse-command.ts';

const sign = defineCommand({
  name: 'sign',
  summary: 'write an identity file for an existing user, e.g. a plugin',
  description: 'The key is generated here; the server only signs a certificate request.',
  flags: {
    user: { type: 'string', value: 'NAME', description: 'the user the identity is for (required)' },
    out: { type: 'string', short: 'o', value: 'FILE', file: true, description: 'where to write it, mode 0600 (required)' },
    ttl: { type: 'string', value: 'DURATION', description: 'how long it is valid (default 12h; 2160h for a plugin)' },
  },
  examples: ['gatehouse auth sign --user slack-plugin --ttl 2160h --out slack.pem'],
  async run({ values, globals }) {
    const { user, out } = values;
    if (!user) throw new UsageError('gatehouse auth sign: --user is required');
    if (!out) throw new UsageError('gatehouse auth sign: --out is required');
    const ttlMs = parseDurationFlag('ttl', values.ttl ?? '12h');
    const file = path.resolve(globals.env.cwd, out);
    await withClient(globals, async (client) => {
      const { keyPem, csrPem } = await createKeyAndCsr(user);
      const certs = await client.generateUserCerts({ csrPem, user, ttlMs });
      await writeIdentityFile(file, { keyPem, certPem: certs.certPem, caPems: certs.caPems });
      if (globals.format === 'json') return printJson({ identity: out, user, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() });
      process.stdout.write(`Identity for "${user}" (roles ${certs.roles.join(', ')}) written to ${out}, valid until ${formatTime(certs.expiresMs)}.\n`);
    });
  },
});

/** `gatehouse auth sign` (admin). */
export const authGroup: CommandGroup = { name: 'auth', summary: '(admin) identity files for users and plugins: sign', commands: [sign] };
