import { UsageError } from './cli-error.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson, printTable, truncate } from './output.ts';
import { parseCommand, parseTimeFlag, type CliEnv } from './parse-command.ts';

const USAGE = `Usage: gatehouse audit ls [--request ID] [--type TYPE] [--actor NAME] [--since WHEN] [--until WHEN] [--limit N]

Lists audit events, oldest first, at most --limit (default 1000).
  --since, --until   how long ago (24h, 7d) or an ISO date or time (2026-12-01, 2026-12-01T09:00Z);
                     --since is inclusive, --until exclusive`;

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
    { request: { type: 'string' }, type: { type: 'string' }, actor: { type: 'string' }, since: { type: 'string' }, until: { type: 'string' }, limit: { type: 'string' } },
    USAGE,
    env,
  );
  const limit = values.limit ? Number(values.limit) : 1000;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError('--limit: expected a positive integer');
  const now = Date.now();
  const sinceMs = values.since === undefined ? 0 : parseTimeFlag('since', values.since, now);
  const untilMs = values.until === undefined ? 0 : parseTimeFlag('until', values.until, now);
  await withClient(globals, async (client) => {
    const events = [];
    let pageToken = '';
    do {
      const page = await client.searchAuditEvents({
        requestId: values.request ?? '',
        type: values.type ?? '',
        actor: values.actor ?? '',
        sinceMs,
        untilMs,
        pageSize: Math.min(1000, limit - events.length),
        pageToken,
      });
      events.push(...page.events);
      pageToken = page.nextPageToken;
    } while (pageToken && events.length < limit);
    // The log reads oldest first: say so when there is more, rather than look complete.
    if (pageToken) process.stderr.write(`(showing the first ${events.length} events; there are more: narrow with --since, --type, --actor or --request, or raise --limit)\n`);
    if (globals.format === 'json') {
      return printJson(events.map((e) => ({ id: e.id, time: new Date(e.timeMs).toISOString(), type: e.type, actor: e.actor, request_id: e.requestId || undefined, ...JSON.parse(e.detailsJson || '{}') })));
    }
    printTable(
      ['Time', 'Event', 'Actor', 'Request', 'Details'],
      events.map((e) => [formatTime(e.timeMs), e.type, e.actor, e.requestId.slice(0, 8), truncate(e.detailsJson, 70)]),
    );
  });
}
