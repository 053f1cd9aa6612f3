/**
 * A watcher in its own process (so a test can SIGSTOP it): watches all access requests with
 * the identity file in argv[3] against argv[2], prints "ready" after INIT and, when the stream
 * fails, one line `error <grpc code> <details>`.
 */
import { readIdentityFile } from '../../core/auth/identity-file.ts';
import { GatehouseClient } from '../../core/client/gatehouse-client.ts';

const [addr, identityPath] = process.argv.slice(2);
if (!addr || !identityPath) throw new Error('usage: watch-child.ts ADDR IDENTITY');
const identity = await readIdentityFile(identityPath);
const client = new GatehouseClient({ addr, identity });
const stream = client.watchEvents({});
stream.on('data', (e: { type: string }) => {
  if (e.type === 'INIT') process.stdout.write('ready\n');
});
stream.on('error', (err: Error & { code?: number; details?: string }) => {
  process.stdout.write(`error ${err.code ?? '?'} ${err.details ?? err.message}\n`);
  process.exit(0);
});
