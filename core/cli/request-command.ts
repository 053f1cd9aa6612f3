import path from 'node:path';
import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { createKeyAndCsr } from '../auth/csr.ts';
import { DAY_MS, REQUEST_LIFESPAN_MS } from '../domain/request-limits.ts';
import { writeIdentityFile } from '../auth/identity-file.ts';
import type { GatehouseClient } from '../client/gatehouse-client.ts';
import { UsageError } from './cli-error.ts';
import { withClient, profileDir } from './connect.ts';
import { formatTime, printJson, printTable, truncate } from './output.ts';
import { parseCommand, parseDurationFlag, parseTimeFlag, splitList, type CliEnv } from './parse-command.ts';

const USAGE = `Usage: gatehouse request <command>

Commands:
  create --roles R1,R2 [--reason TEXT] [--reviewers A,B] [--max-duration 4h] [--user NAME] [--wait] [--dry-run]
  ls [--state pending|approved|denied|expired|revoked] [--user NAME] [--since WHEN | --all]
  show ID
  review ID --approve|--deny [--reason TEXT] [--author NAME]
  revoke ID [--reason TEXT]        (admin) cut an approved request's access now
  rm ID                             delete a request
  assume ID [--out FILE] [--ttl 1h] get a certificate carrying the request's roles`;

const STATES = ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'] as const;
const LIFESPAN_DAYS = Math.round(REQUEST_LIFESPAN_MS / DAY_MS);

function summary(r: AccessRequest__Output): Record<string, unknown> {
  return {
    id: r.id,
    user: r.user,
    roles: r.roles,
    state: r.state,
    reason: r.reason,
    resolve_reason: r.resolveReason,
    resolved_by: r.resolvedBy,
    created: new Date(r.createdMs).toISOString(),
    pending_expires: r.pendingExpiresMs ? new Date(r.pendingExpiresMs).toISOString() : null,
    access_expires: r.accessExpiresMs ? new Date(r.accessExpiresMs).toISOString() : null,
    suggested_reviewers: r.suggestedReviewers,
    annotations: Object.fromEntries(Object.entries(r.annotations).map(([k, v]) => [k, v.values])),
    reviews: r.reviews.map((v) => ({
      author: v.author,
      submitted_by: v.submittedBy || undefined,
      proposed_state: v.proposedState,
      reason: v.reason,
      created: new Date(v.createdMs).toISOString(),
    })),
  };
}

function printDetails(r: AccessRequest__Output): void {
  const rows: Array<[string, string]> = [
    ['Request ID', r.id],
    ['User', r.user],
    ['Roles', r.roles.join(', ')],
    ['Reason', r.reason ? JSON.stringify(r.reason) : '[none]'],
    ['Reviewers', r.suggestedReviewers.length ? `${r.suggestedReviewers.join(', ')} (suggested)` : '[none]'],
    ['Status', r.state],
    ['Created', formatTime(r.createdMs)],
    ['Review by', r.state === 'PENDING' ? formatTime(r.pendingExpiresMs) : '-'],
    ['Access expires', formatTime(r.accessExpiresMs)],
  ];
  if (r.resolveReason || r.resolvedBy) rows.push(['Resolution', `${r.resolvedBy ? `by ${r.resolvedBy}` : ''}${r.resolveReason ? `: ${r.resolveReason}` : ''}`]);
  for (const [k, v] of Object.entries(r.annotations)) rows.push([`Annotation ${k}`, v.values.join(', ')]);
  const width = Math.max(...rows.map(([k]) => k.length));
  process.stdout.write(`${rows.map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${v}`).join('\n')}\n`);
  for (const kind of ['APPROVED', 'DENIED'] as const) {
    const reviews = r.reviews.filter((v) => v.proposedState === kind);
    if (reviews.length === 0) continue;
    process.stdout.write(`\n${kind === 'APPROVED' ? 'Approvals' : 'Denials'}:\n`);
    for (const v of reviews) {
      const by = v.submittedBy ? ` (submitted by ${v.submittedBy})` : '';
      process.stdout.write(`  ${v.author}${by}  ${formatTime(v.createdMs)}  ${v.reason ? JSON.stringify(v.reason) : ''}\n`);
    }
  }
}

function requireId(positionals: string[], command: string): string {
  const id = positionals[0];
  if (!id) throw new UsageError(`gatehouse request ${command}: missing request ID\n\n${USAGE}`);
  return id;
}

/** Waits until the request leaves PENDING: watch own requests, re-reading once after INIT to close the race. */
async function waitForResolution(client: GatehouseClient, id: string, user: string): Promise<AccessRequest__Output> {
  const stream = client.watchEvents({ kinds: ['access_request'], user });
  try {
    for await (const event of stream as AsyncIterable<{ type: string; request?: AccessRequest__Output | null }>) {
      if (event.type === 'INIT') {
        const current = await client.getAccessRequest(id);
        if (current.state !== 'PENDING') return current;
        continue;
      }
      if (event.request?.id === id && event.request.state !== 'PENDING') return event.request;
      if (event.type === 'DELETE') {
        const gone = await client.getAccessRequest(id).catch(() => undefined);
        if (!gone) throw new Error(`access request ${id} was deleted`);
      }
    }
    throw new Error('the server closed the event stream');
  } finally {
    stream.cancel();
  }
}

export async function runRequestCommand(argv: string[], env: CliEnv): Promise<void> {
  const [sub, ...rest] = argv;
  switch (sub) {
    case 'create':
    case 'new': {
      const { values, globals } = parseCommand(
        rest,
        {
          roles: { type: 'string' },
          reason: { type: 'string' },
          reviewers: { type: 'string' },
          'max-duration': { type: 'string' },
          user: { type: 'string' },
          wait: { type: 'boolean' },
          'dry-run': { type: 'boolean' },
        },
        'Usage: gatehouse request create --roles R1,R2 [--reason TEXT] [--reviewers A,B] [--max-duration 4h] [--user NAME] [--wait] [--dry-run]',
        env,
      );
      const roles = splitList(values.roles);
      if (roles.length === 0) throw new UsageError('gatehouse request create: --roles is required (e.g. --roles prodaccess)');
      await withClient(globals, async (client) => {
        const created = await client.createAccessRequest({
          roles,
          reason: values.reason ?? '',
          suggestedReviewers: splitList(values.reviewers),
          maxDurationMs: values['max-duration'] ? parseDurationFlag('max-duration', values['max-duration']) : 0,
          user: values.user ?? '',
          dryRun: values['dry-run'] ?? false,
        });
        let result = created;
        if (values.wait && !values['dry-run']) {
          if (globals.format === 'table') process.stderr.write(`Request ${created.id} created; waiting for approval (Ctrl-C to stop waiting)...\n`);
          result = await waitForResolution(client, created.id, created.user);
        }
        if (globals.format === 'json') return printJson(summary(result));
        printDetails(result);
        if (result.state === 'PENDING' && !values['dry-run']) {
          process.stdout.write(`\nReviewers can approve with: gatehouse request review ${result.id} --approve --reason "..."\n`);
        } else if (result.state === 'APPROVED') {
          process.stdout.write(`\nApproved. Get elevated access with: gatehouse request assume ${result.id}\n`);
        }
      });
      return;
    }
    case 'ls':
    case 'list': {
      const { values, globals } = parseCommand(
        rest,
        { state: { type: 'string' }, user: { type: 'string' }, since: { type: 'string' }, all: { type: 'boolean' } },
        'Usage: gatehouse request ls [--state STATE[,STATE]] [--user NAME] [--since WHEN | --all]\n\n' +
          '  --since   created since: how long ago (24h, 7d) or an ISO date or time (2026-12-01);\n' +
          `            default ${LIFESPAN_DAYS}d, which holds every request that can still change\n` +
          '  --all     every request ever made',
        env,
      );
      if (values.since !== undefined && values.all) throw new UsageError('--since and --all: give one or the other');
      // By default only the requests that can still change, and those resolved lately: a
      // cluster keeps every request ever made, and listing them all is what --all is for.
      const windowed = values.since === undefined && values.all !== true;
      const createdSinceMs = values.all ? 0 : values.since !== undefined ? parseTimeFlag('since', values.since, Date.now()) : Date.now() - REQUEST_LIFESPAN_MS;
      const states = splitList(values.state).map((s) => s.toUpperCase());
      for (const s of states) {
        if (!(STATES as readonly string[]).includes(s)) throw new UsageError(`--state: unknown state ${JSON.stringify(s)} (one of ${STATES.join(', ').toLowerCase()})`);
      }
      await withClient(globals, async (client) => {
        const filter = { states: states as (typeof STATES)[number][], users: values.user ? [values.user] : [] };
        const requests = await client.listAllAccessRequests({ ...filter, createdSinceMs });
        requests.sort((a, b) => b.createdMs - a.createdMs);
        if (windowed) {
          // Ids sort by creation, so the first of an unbounded list is the oldest match.
          const oldest = (await client.listAccessRequests({ ...filter, pageSize: 1 })).requests[0];
          if (oldest !== undefined && oldest.createdMs < createdSinceMs) {
            process.stderr.write(`(showing requests created in the last ${LIFESPAN_DAYS} days; there are older ones: list them with --since WHEN or --all)\n`);
          }
        }
        if (globals.format === 'json') return printJson(requests.map(summary));
        if (requests.length === 0) {
          process.stdout.write('No access requests.\n');
          return;
        }
        printTable(
          ['ID', 'User', 'Roles', 'Created', 'Status', 'Reason'],
          requests.map((r) => [r.id, r.user, r.roles.join(','), formatTime(r.createdMs), r.state, truncate(r.reason, 40)]),
        );
      });
      return;
    }
    case 'show':
    case 'details': {
      const { positionals, globals } = parseCommand(rest, {}, 'Usage: gatehouse request show ID', env);
      const id = requireId(positionals, 'show');
      await withClient(globals, async (client) => {
        const r = await client.getAccessRequest(id);
        if (globals.format === 'json') return printJson(summary(r));
        printDetails(r);
      });
      return;
    }
    case 'review': {
      const { values, positionals, globals } = parseCommand(
        rest,
        { approve: { type: 'boolean' }, deny: { type: 'boolean' }, reason: { type: 'string' }, author: { type: 'string' } },
        'Usage: gatehouse request review ID --approve|--deny [--reason TEXT] [--author NAME]',
        env,
      );
      const id = requireId(positionals, 'review');
      if (Boolean(values.approve) === Boolean(values.deny)) throw new UsageError("gatehouse request review: supply exactly one of '--approve' or '--deny'");
      await withClient(globals, async (client) => {
        const r = await client.submitAccessReview({
          requestId: id,
          proposedState: values.approve ? 'APPROVED' : 'DENIED',
          reason: values.reason ?? '',
          author: values.author ?? '',
        });
        if (globals.format === 'json') return printJson(summary(r));
        process.stdout.write(`Review submitted. Request state: ${r.state}\n`);
      });
      return;
    }
    case 'revoke': {
      const { values, positionals, globals } = parseCommand(rest, { reason: { type: 'string' } }, 'Usage: gatehouse request revoke ID [--reason TEXT]', env);
      const id = requireId(positionals, 'revoke');
      await withClient(globals, async (client) => {
        const r = await client.setAccessRequestState({ requestId: id, state: 'REVOKED', reason: values.reason ?? '' });
        if (globals.format === 'json') return printJson(summary(r));
        process.stdout.write(`Request ${id} is now ${r.state}; certificates carrying it are refused from now on.\n`);
      });
      return;
    }
    case 'rm':
    case 'delete': {
      const { positionals, globals } = parseCommand(rest, {}, 'Usage: gatehouse request rm ID', env);
      const id = requireId(positionals, 'rm');
      await withClient(globals, async (client) => {
        await client.deleteAccessRequest(id);
        if (globals.format === 'json') return printJson({ deleted: id });
        process.stdout.write(`Request ${id} deleted; certificates carrying it are refused from now on.\n`);
      });
      return;
    }
    case 'assume': {
      const { values, positionals, globals } = parseCommand(rest, { out: { type: 'string' }, ttl: { type: 'string' } }, 'Usage: gatehouse request assume ID [--out FILE] [--ttl 1h]', env);
      const id = requireId(positionals, 'assume');
      await withClient(globals, async (client) => {
        const ping = await client.ping();
        const { keyPem, csrPem } = await createKeyAndCsr(ping.user);
        const certs = await client.generateUserCerts({
          csrPem,
          accessRequestIds: [id],
          ttlMs: values.ttl ? parseDurationFlag('ttl', values.ttl) : 30 * 3600_000,
        });
        const out = values.out ?? path.join(profileDir(env), `identity-${id.slice(0, 8)}.pem`);
        await writeIdentityFile(out, { keyPem, certPem: certs.certPem, caPems: certs.caPems });
        if (globals.format === 'json') return printJson({ identity: out, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() });
        process.stdout.write(
          `Elevated identity written to ${out}\n  roles:   ${certs.roles.join(', ')}\n  expires: ${formatTime(certs.expiresMs)}\nUse it with --identity ${out} (or GATEHOUSE_IDENTITY=${out}).\n`,
        );
      });
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      throw new UsageError(`unknown command "request ${sub}"\n\n${USAGE}`);
  }
}
