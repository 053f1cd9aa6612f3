/**
 * The floor for the email plugin's latency: an mTLS watch stream to the server and one
 * nodemailer send per new request over a pool of the plugin's options, with no runtime, config,
 * plugin data or logs. The email bench runs it like the plugin (bundled, the image's Node flags)
 * and prints its created -> accepted figures beside the plugin's.
 *
 * Usage: bare-email-loop ADDR IDENTITY_FILE SMTP_PORT CA_FILE USER PASSWORD TO
 */
import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { readIdentityFile } from '../core/auth/identity-file.ts';
import { GatehouseClient } from '../core/client/gatehouse-client.ts';

const [addr = '', identityPath = '', port = '', caFile = '', user = '', pass = '', to = ''] = process.argv.slice(2);
const client = new GatehouseClient({ addr, identity: await readIdentityFile(identityPath) });
const transport = nodemailer.createTransport({ pool: true, host: '127.0.0.1', port: Number(port), requireTLS: true, tls: { ca: [readFileSync(caFile, 'utf8')] }, auth: { user, pass } });
const stream = client.watchEvents({ states: ['PENDING'] });
stream.on('data', (e: { type: string; request?: { id: string; user: string; reason: string } | null }) => {
  if (e.type === 'INIT') console.log(JSON.stringify({ msg: 'watching' }));
  if (e.type !== 'PUT' || !e.request) return;
  const { id, user: requester, reason } = e.request;
  transport.sendMail({ from: 'noreply@gatehouse.test', to, subject: `Access request ${id}`, text: `${requester}: ${reason}`, html: `<p>${requester}: ${reason}</p>` }).catch((err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
  });
});
stream.on('error', (err: Error) => {
  console.error(err.message);
  process.exit(1);
});
