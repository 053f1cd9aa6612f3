import { UsageError } from './cli-error.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson, printTable, truncate } from './output.ts';
import { parseCommand, type CliEnv } from './parse-command.ts';

const USAGE = 'Usage: gatehouse audit ls [--request ID] [--type TYPE] [--actor NAME] [--limit N]';

export async function runAuditCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  if (sub !== 'ls' && sub !== 'list') {
    if (sub === undefined || sub === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    throw new UsageError(`unknown command "audit ${sub}"\n\n${USAGE}`);
  }
  const { values, globals } = parseCommand(
    rest,
    { request: { type: 'string' }, type: { type: 'string' }, actor: { type: 'string' }, limit: { type: 'string' } },
    USAGE,
    env,
  );
  const limit = values.limit ? Number(values.limit) : 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
  await withClient(globals, async (client) => {
    const events = [];
    let pageToken = '';
    do {
      const page = await client.searchAuditEvents({
        requestId: values.request ?? '',
        type: values.type ?? '',
        actor: values.actor ?? '',
        pageSize: Math.min(1000, limit - events.length),
        pageToken,
      });
      events.push(...page.events);
      pageToken = page.nextPageToken;
    } while (pageToken && events.length < limit);
    if (globals.format === 'json') {
      return printJson(events.map((e) => ({ id: e.id, time: new Date(e.timeMs).toISOString(), type: e.type, actor: e.actor, request_id: e.requestId || undefined, ...JSON.parse(e.detailsJson || '{}') })));
    }
    printTable(
      ['Time', 'Event', 'Actor', 'Request', 'Details'],
      events.map((e) => [formatTime(e.timeMs), e.type, e.actor, e.requestId.slice(0, 8), truncate(e.detailsJson, 70)]),
    );
  });
}
