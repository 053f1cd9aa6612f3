/**
 * The faithful fakes of test/fakes/ (Slack, PagerDuty, Jira, SMTP) as one process on the host,
 * for the docker-compose proof (test/docker/compose-test.sh): the plugins in their containers
 * call them over host networking.
 *
 *   node test/docker/run-fakes.ts [--slack-port 18090] [--pagerduty-port 18091] [--jira-port 18092]
 *     [--smtp-port 18093] [--smtp-view-port 18094] [--smtp-ca FILE] [--record FILE]
 *
 * Each fake listens on a random port; a small pass-through proxy gives it the fixed port the
 * test configs (docker/test/<plugin>/plugin.toml) name. Each proxy also answers
 * `GET /_test/<what>` with what its fake holds: slack `messages`, `updates`; pagerduty
 * `incidents`; jira `issues`. The SMTP server (STARTTLS on a test CA, AUTH) listens on its
 * port itself; `GET http://127.0.0.1:<smtp-view-port>/_test/emails` lists what it accepted, and
 * `--smtp-ca` writes the CA that signed its certificate (the email plugin's `ca_file`).
 * `--record` writes all of it to a file after every call. Prints `fakes: ready` when every
 * port listens; stops on SIGTERM / SIGINT.
 */
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { createFakeJira } from '../fakes/fake-jira.ts';
import { createFakePagerDuty } from '../fakes/fake-pagerduty.ts';
import { createFakeSlack } from '../fakes/fake-slack.ts';
import { createFakeSmtp } from '../fakes/fake-smtp.ts';

/** Credentials the test configs and docker/test/docker-compose.test.yml use. */
export const SLACK_TOKEN = 'xoxb-gatehouse-compose-test';
export const PAGERDUTY_API_KEY = 'pd-gatehouse-compose-test';
export const JIRA_API_TOKEN = 'jira-gatehouse-compose-test';
export const SMTP_USER = 'gatehouse';
export const SMTP_PASSWORD = 'smtp-gatehouse-compose-test';

const { values } = parseArgs({
  options: {
    'slack-port': { type: 'string', default: '18090' },
    'pagerduty-port': { type: 'string', default: '18091' },
    'jira-port': { type: 'string', default: '18092' },
    'smtp-port': { type: 'string', default: '18093' },
    'smtp-view-port': { type: 'string', default: '18094' },
    'smtp-ca': { type: 'string' },
    record: { type: 'string' },
  },
  strict: true,
});

const slack = createFakeSlack({
  token: SLACK_TOKEN,
  channels: [{ id: 'C0ACCESSRQ', name: 'access-requests' }],
  users: [{ id: 'U0ALICE01', email: 'alice@example.com', name: 'alice' }],
});
const pagerduty = createFakePagerDuty({
  apiKey: PAGERDUTY_API_KEY,
  // pdjs finds the resource name after ".com/" in the URL: the plugin's api_endpoint ends in it.
  pathPrefix: '/api.pagerduty.com',
  users: [
    { id: 'PUBOT01', name: 'Gatehouse Bot', email: 'gatehouse-bot@example.com' },
    { id: 'PUALICE', name: 'Alice', email: 'alice@example.com' },
  ],
});
const jira = createFakeJira({
  users: [
    { accountId: 'bot-0001', emailAddress: 'jira-bot@example.com', displayName: 'Gatehouse Bot', apiToken: JIRA_API_TOKEN },
    { accountId: 'alice-0001', emailAddress: 'alice@example.com', displayName: 'Alice' },
  ],
  projects: [{ key: 'ACCESS', id: '10000', name: 'Access requests', issueTypes: ['Task'] }],
});

const smtp = createFakeSmtp({ users: { [SMTP_USER]: SMTP_PASSWORD } });
/** What a test asserts on: the envelope, the threading headers and the text. */
const emails = (): unknown[] =>
  smtp.messages().map((m) => ({ to: m.envelope.to, subject: m.subject, messageId: m.messageId, inReplyTo: m.inReplyTo, secure: m.secure, text: m.text }));

const slackUrl = (await slack.start()).url;
const pagerdutyUrl = (await pagerduty.start()).url;
const jiraUrl = (await jira.start()).url;

const snapshot = (): Record<string, unknown> => ({
  slack: { messages: slack.messages(), updates: slack.updates() },
  pagerduty: { incidents: pagerduty.incidents() },
  jira: { issues: jira.issues() },
  smtp: { emails: emails() },
});
const record = (): void => {
  if (values.record !== undefined) writeFileSync(values.record, `${JSON.stringify(snapshot(), null, 2)}\n`);
};

/** Listens on 127.0.0.1:port and forwards everything to `upstream`, except GET /_test/<what>. */
async function startProxy(port: number, upstream: string, views: Record<string, () => unknown>): Promise<Server> {
  const target = new URL(upstream);
  const proxy = createServer((req: IncomingMessage, res: ServerResponse) => {
    const view = req.method === 'GET' && req.url?.startsWith('/_test/') ? views[req.url.slice('/_test/'.length)] : undefined;
    if (view !== undefined) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(view()));
      return;
    }
    const forward = request(
      { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: { ...req.headers, host: target.host } },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.on('end', record);
      },
    );
    forward.on('error', (err) => {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`fake proxy: ${err.message}`);
    });
    req.pipe(forward);
  });
  await new Promise<void>((resolve, reject) => {
    proxy.once('error', reject);
    proxy.listen(port, '127.0.0.1', () => resolve());
  });
  return proxy;
}

await smtp.start(Number(values['smtp-port']));
if (values['smtp-ca'] !== undefined) writeFileSync(values['smtp-ca'], smtp.caPem, { mode: 0o644 });
const smtpView = createServer((req: IncomingMessage, res: ServerResponse) => {
  if (req.method !== 'GET' || req.url !== '/_test/emails') {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('GET /_test/emails\n');
    return;
  }
  record();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify(emails()));
});
await new Promise<void>((resolve, reject) => {
  smtpView.once('error', reject);
  smtpView.listen(Number(values['smtp-view-port']), '127.0.0.1', () => resolve());
});

const proxies = [
  await startProxy(Number(values['slack-port']), slackUrl, { messages: () => slack.messages(), updates: () => slack.updates() }),
  await startProxy(Number(values['pagerduty-port']), pagerdutyUrl, { incidents: () => pagerduty.incidents() }),
  await startProxy(Number(values['jira-port']), jiraUrl, { issues: () => jira.issues() }),
];
record();
process.stdout.write(
  `fakes: ready: slack http://127.0.0.1:${values['slack-port']}/api/, pagerduty http://127.0.0.1:${values['pagerduty-port']}/api.pagerduty.com, jira http://127.0.0.1:${values['jira-port']}, smtp 127.0.0.1:${values['smtp-port']} (emails: http://127.0.0.1:${values['smtp-view-port']}/_test/emails)\n`,
);

const stop = (): void => {
  for (const proxy of [...proxies, smtpView]) {
    proxy.close();
    proxy.closeAllConnections();
  }
  Promise.all([slack.stop(), pagerduty.stop(), jira.stop(), smtp.stop()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
