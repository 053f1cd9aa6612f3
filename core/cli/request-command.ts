import path from 'node:path';
import { createKeyAndCsr } from '../auth/csr.ts';
import { writeIdentityFile } from '../auth/identity-file.ts';
import { DAY_MS, REQUEST_LIFESPAN_MS } from '../domain/request-limits.ts';
import { UsageError } from './cli-error.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { withClient } from './connect.ts';
import { formatTime, printJson, printTable, truncate } from './output.ts';
import { parseDurationFlag, parseTimeFlag, splitList } from './parse-command.ts';
import { configDir } from './profiles.ts';
import { printRequestDetails, requestJson } from './request-output.ts';
import { exitCodeOf, waitForResolution } from './wait-for-resolution.ts';

const STATES = ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'] as const;
const LIFESPAN_DAYS = Math.round(REQUEST_LIFESPAN_MS / DAY_MS);
const ID_ARG = [{ name: 'ID', description: 'the request id (as `gatehouse request ls` shows it)' }] as const;

const create = defineCommand({
  name: 'create',
  aliases: ['new'],
  summary: 'ask for roles for a while; reviewers approve or deny',
  description:
    'With --wait, waits until the request is resolved and exits 0 if approved, 3 if denied,\n4 if it expired before approval, 5 if it was deleted (see gatehouse --help).',
  flags: {
    roles: { type: 'string', value: 'R1,R2', description: "roles to ask for, comma-separated ('*': every role you may request)" },
    reason: { type: 'string', value: 'TEXT', description: 'why: shown to reviewers and kept in the audit log' },
    reviewers: { type: 'string', value: 'A,B', description: 'suggested reviewers (plugins notify them)' },
    'max-duration': { type: 'string', value: 'DURATION', description: 'ask for access shorter than the role allows (4h, 30m)' },
    user: { type: 'string', value: 'NAME', description: 'request on behalf of this user (needs the right to)' },
    wait: { type: 'boolean', description: 'wait for the outcome; the exit status says it' },
    'dry-run': { type: 'boolean', description: 'check the request and show it without creating it' },
  },
  examples: ['gatehouse request create --roles prodaccess --reason "INC-42" --wait', 'gatehouse request create --roles \'*\' --dry-run'],
  async run({ values, globals }) {
    const roles = splitList(values.roles);
    if (roles.length === 0) throw new UsageError('gatehouse request create: --roles is required (e.g. --roles prodaccess)');
    const maxDurationMs = values['max-duration'] ? parseDurationFlag('max-duration', values['max-duration']) : 0;
    return withClient(globals, async (client) => {
      const created = await client.createAccessRequest({
        roles,
        reason: values.reason ?? '',
        suggestedReviewers: splitList(values.reviewers),
        maxDurationMs,
        user: values.user ?? '',
        dryRun: values['dry-run'] ?? false,
      });
      if (!values.wait || values['dry-run']) {
        if (globals.format === 'json') return printJson(requestJson(created));
        printRequestDetails(created);
        if (!values['dry-run']) process.stdout.write(`\nReviewers can approve with: gatehouse request review ${created.id} --approve --reason "..."\n`);
        return;
      }
      if (globals.format === 'table') process.stderr.write(`Request ${created.id} created; waiting for the outcome (Ctrl-C to stop waiting)...\n`);
      const resolution = await waitForResolution(client, created.id, created.user);
      if (resolution.kind === 'deleted') {
        if (globals.format === 'json') printJson({ ...requestJson(created), state: 'DELETED' });
        process.stderr.write(`Request ${created.id} was deleted while waiting.\n`);
        return exitCodeOf(resolution);
      }
      const result = resolution.request;
      if (globals.format === 'json') printJson(requestJson(result));
      else printRequestDetails(result);
      if (result.state === 'APPROVED') {
        if (globals.format === 'table') process.stdout.write(`\nApproved. Get elevated access with: gatehouse request assume ${result.id}\n`);
      } else {
        process.stderr.write(`Request ${result.id} was not approved: ${result.state}${result.resolvedBy ? ` by ${result.resolvedBy}` : ''}${result.resolveReason ? ` (${result.resolveReason})` : ''}\n`);
      }
      return exitCodeOf(resolution);
    });
  },
});

const ls = defineCommand({
  name: 'ls',
  aliases: ['list'],
  summary: `list requests (by default those created in the last ${LIFESPAN_DAYS} days)`,
  flags: {
    state: { type: 'string', value: 'STATE[,STATE]', choices: STATES.map((s) => s.toLowerCase()), description: 'only these states: pending, approved, denied, expired, revoked' },
    user: { type: 'string', value: 'NAME', description: "only this user's requests" },
    since: { type: 'string', value: 'WHEN', description: `created since: how long ago (24h, 7d) or an ISO date or time (2026-12-01); default ${LIFESPAN_DAYS}d, which holds every request that can still change` },
    all: { type: 'boolean', description: 'every request ever made' },
  },
  examples: ['gatehouse request ls --state pending', 'gatehouse request ls --since 90d --format json'],
  async run({ values, globals }) {
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
      if (globals.format === 'json') return printJson(requests.map(requestJson));
      if (requests.length === 0) {
        process.stdout.write('No access requests.\n');
        return;
      }
      printTable(
        ['ID', 'User', 'Roles', 'Created', 'Status', 'Reason'],
        requests.map((r) => [r.id, r.user, r.roles.join(','), formatTime(r.createdMs), r.state, truncate(r.reason, 40)]),
      );
    });
  },
});

const show = defineCommand({
  name: 'show',
  aliases: ['details'],
  summary: 'show one request, with its reviews',
  args: ID_ARG,
  flags: {},
  examples: ['gatehouse request show 0193a1b2-...'],
  async run({ args, globals }) {
    await withClient(globals, async (client) => {
      const r = await client.getAccessRequest(args[0] ?? '');
      if (globals.format === 'json') return printJson(requestJson(r));
      printRequestDetails(r);
    });
  },
});

const review = defineCommand({
  name: 'review',
  summary: "approve or deny someone's request",
  args: ID_ARG,
  flags: {
    approve: { type: 'boolean', description: 'approve the request' },
    deny: { type: 'boolean', description: 'deny the request' },
    reason: { type: 'string', value: 'TEXT', description: 'why: shown to the requester and kept in the audit log' },
    author: { type: 'string', value: 'NAME', description: 'review on behalf of this person (plugins with access-plugin-delegate)' },
  },
  examples: ['gatehouse request review 0193a1b2-... --approve --reason "go"', 'gatehouse request review 0193a1b2-... --deny --reason "not during the freeze"'],
  async run({ values, args, globals }) {
    if (Boolean(values.approve) === Boolean(values.deny)) throw new UsageError("gatehouse request review: supply exactly one of '--approve' or '--deny'");
    await withClient(globals, async (client) => {
      const r = await client.submitAccessReview({ requestId: args[0] ?? '', proposedState: values.approve ? 'APPROVED' : 'DENIED', reason: values.reason ?? '', author: values.author ?? '' });
      if (globals.format === 'json') return printJson(requestJson(r));
      process.stdout.write(`Review submitted. Request state: ${r.state}\n`);
    });
  },
});

const revoke = defineCommand({
  name: 'revoke',
  summary: "(admin) cut an approved request's access now",
  args: ID_ARG,
  flags: { reason: { type: 'string', value: 'TEXT', description: 'why: kept in the audit log' } },
  examples: ['gatehouse request revoke 0193a1b2-... --reason "incident over"'],
  async run({ values, args, globals }) {
    const id = args[0] ?? '';
    await withClient(globals, async (client) => {
      const r = await client.setAccessRequestState({ requestId: id, state: 'REVOKED', reason: values.reason ?? '' });
      if (globals.format === 'json') return printJson(requestJson(r));
      process.stdout.write(`Request ${id} is now ${r.state}; certificates carrying it are refused from now on.\n`);
    });
  },
});

const rm = defineCommand({
  name: 'rm',
  aliases: ['delete'],
  summary: 'delete a request (its access ends at once)',
  args: ID_ARG,
  flags: {},
  examples: ['gatehouse request rm 0193a1b2-...'],
  async run({ args, globals }) {
    const id = args[0] ?? '';
    await withClient(globals, async (client) => {
      await client.deleteAccessRequest(id);
      if (globals.format === 'json') return printJson({ deleted: id });
      process.stdout.write(`Request ${id} deleted; certificates carrying it are refused from now on.\n`);
    });
  },
});

const assume = defineCommand({
  name: 'assume',
  summary: "get a certificate carrying an approved request's roles",
  args: ID_ARG,
  flags: {
    out: { type: 'string', short: 'o', value: 'FILE', file: true, description: 'where to write the identity (default ~/.gatehouse/identity-<ID>.pem)' },
    ttl: { type: 'string', value: 'DURATION', description: 'how long it is valid, at most until the access expires (default 30h)' },
  },
  examples: ['gatehouse request assume 0193a1b2-...', 'gatehouse request assume 0193a1b2-... --out prod.pem --ttl 1h'],
  async run({ values, args, globals }) {
    const id = args[0] ?? '';
    const ttlMs = values.ttl ? parseDurationFlag('ttl', values.ttl) : 30 * 3600_000;
    await withClient(globals, async (client, { context }) => {
      const { keyPem, csrPem } = await createKeyAndCsr(context.user);
      const certs = await client.generateUserCerts({ csrPem, accessRequestIds: [id], ttlMs });
      const out = values.out ? path.resolve(globals.env.cwd, values.out) : path.join(configDir(globals.env), `identity-${id.slice(0, 8)}.pem`);
      await writeIdentityFile(out, { keyPem, certPem: certs.certPem, caPems: certs.caPems });
      if (globals.format === 'json') return printJson({ identity: out, roles: certs.roles, expires: new Date(certs.expiresMs).toISOString() });
      process.stdout.write(
        `Elevated identity written to ${out}\n  roles:   ${certs.roles.join(', ')}\n  expires: ${formatTime(certs.expiresMs)}\nUse it with --identity ${out} (or GATEHOUSE_IDENTITY=${out}).\n`,
      );
    });
  },
});

/** `gatehouse request ...`: create, list, review and use access requests. */
export const requestGroup: CommandGroup = {
  name: 'request',
  aliases: ['requests'],
  summary: 'access requests: create, ls, show, review, revoke, rm, assume',
  commands: [create, ls, show, review, revoke, rm, assume],
};
