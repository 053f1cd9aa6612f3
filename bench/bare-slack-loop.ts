/**
 * The floor for the Slack plugin's memory: the least a Node process can do the same job with (an
 * mTLS watch stream to the server and one `chat.postMessage` per new request through
 * `@slack/web-api`), with no runtime, config, metrics, logs or plugin data. The Slack bench runs it
 * the same way it runs the plugin and prints its idle RSS beside the plugin's.
 *
 * Usage: bare-slack-loop ADDR IDENTITY_FILE SLACK_API_URL TOKEN CHANNEL
 */
import { WebClient } from '@slack/web-api';
import { readIdentityFile } from '../core/auth/identity-file.ts';
import { GatehouseClient } from '../core/client/gatehouse-client.ts';

const [addr = '', identityPath = '', apiUrl = '', token = '', channel = ''] = process.argv.slice(2);
const file = await readIdentityFile(identityPath);
const client = new GatehouseClient({ addr, identity: file });
const web = new WebClient(token, { slackApiUrl: apiUrl });
const stream = client.watchEvents({ states: ['PENDING'] });
stream.on('data', (e: { type: string; request?: { id: string } | null }) => {
  if (e.type === 'INIT') console.log('watching');
  if (e.type === 'PUT' && e.request) void web.chat.postMessage({ channel, text: `bare ${e.request.id}` });
});
stream.on('error', (err: Error) => {
  console.error(err.message);
  process.exit(1);
});
