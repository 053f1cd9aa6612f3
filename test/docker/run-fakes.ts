/**
 * The faithful fakes of test/fakes/ (Slack, PagerDuty, Jira) as one process on the host, for
 * the docker-compose proof (test/docker/compose-test.sh): the plugins in their containers call
 * them over host networking.
 *
 *   node test/docker/run-fakes.ts [--slack-port 18090] [--pagerduty-port 18091] [--jira-port 18092] [--record FILE]
 *
 * Each fake listens on a random port; a small pass-through proxy gives it the fixed port the
 * test configs (docker/test/<plugin>/plugin.toml) name. Each proxy also answers
 * `GET /_test/<what>` with what its fake holds: slack `messages`, `updates`; pagerduty
 * `incidents`; jira `issues`. `--record` writes all of it to a file after every call. Prints
 * `fakes: ready` when every proxy listens; stops on SIGTERM / SIGINT.
 */
import { writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { parseArgs } from 'node:util';
import { createFakeJira } from '../fakes/fake-jira.ts';
import { createFakePagerDuty } from '../fakes/fake-pagerduty.ts';
import { createFakeSlack } from '../fakes/fake-slack.ts';

/** Credentials the test configs and docker/test/docker-compose.test.yml use. */
export const SLACK_TOKEN = 'xoxb-gatehouse-compose-test';
export const PAGERDUTY_API_KEY = 'pd-gatehouse-compose-test';
export const JIRA_API_TOKEN = 'jira-gatehouse-compose-test';

const { values } = parseArgs({
  options: {
    'slack-port': { type: 'string', default: '18090' },
    'pagerduty-port': { type: 'string', default: '18091' },
    'jira-port': { type: 'string', default: '18092' },
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

const slackUrl = (await slack.start()).url;
const pagerdutyUrl = (await pagerduty.start()).url;
const jiraUrl = (await jira.start()).url;

const snapshot = (): Record<string, unknown> => ({
  slack: { messages: slack.messages(), updates: slack.updates() },
  pagerduty: { incidents: pagerduty.incidents() },
  jira: { issues: jira.issues() },
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

const proxies = [
  await startProxy(Number(values['slack-port']), slackUrl, { messages: () => slack.messages(), updates: () => slack.updates() }),
  await startProxy(Number(values['pagerduty-port']), pagerdutyUrl, { incidents: () => pagerduty.incidents() }),
  await startProxy(Number(values['jira-port']), jiraUrl, { issues: () => jira.issues() }),
];
record();
process.stdout.write(
  `fakes: ready: slack http://127.0.0.1:${values['slack-port']}/api/, pagerduty http://127.0.0.1:${values['pagerduty-port']}/api.pagerduty.com, jira http://127.0.0.1:${values['jira-port']}\n`,
);

const stop = (): void => {
  for (const proxy of proxies) {
    proxy.close();
    proxy.closeAllConnections();
  }
  Promise.all([slack.stop(), pagerduty.stop(), jira.stop()]).then(
    () => process.exit(0),
    () => process.exit(1),
  );
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
