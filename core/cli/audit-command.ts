import { UsageError } from './cli-error.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson, printTable, truncate } from './output.ts';
import { parseTimeFlag } from './parse-command.ts';

const WHEN = 'how long ago (24h, 7d) or an ISO date or time (2026-12-01, 2026-12-01T09:00Z)';

const ls = defineCommand({
  name: 'ls',
  aliases: ['list'],
  summary: 'list audit events, oldest first',
  flags: {
    request: { type: 'string', value: 'ID', description: "only this request's events" },
    type: { type: 'string', value: 'TYPE', description: 'only events of this type (access_request.create, user.create, cert.create, ...)' },
    actor: { type: 'string', value: 'NAME', description: 'only events caused by this user' },
    since: { type: 'string', value: 'WHEN', description: `from this time on, inclusive: ${WHEN}` },
    until: { type: 'string', value: 'WHEN', description: `before this time, exclusive: ${WHEN}` },
    limit: { type: 'string', value: 'N', description: 'at most N events (default 1000)' },
  },
  examples: ['gatehouse audit ls --since 24h', 'gatehouse audit ls --request 0193a1b2-... --format json'],
  async run({ values, globals }) {
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
  },
});

/** `gatehouse audit ls` (admin). */
export const auditGroup: CommandGroup = { name: 'audit', summary: '(admin) the audit log: ls', commands: [ls] };
