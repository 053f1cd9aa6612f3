import type { AccessRequest__Output } from '../../proto/gen/gatehouse/v1/AccessRequest.ts';
import { formatTime } from './output.ts';

/** A request as `--format json` prints it (snake_case, as every JSON output of the CLI). */
export function requestJson(r: AccessRequest__Output): Record<string, unknown> {
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

/** A request as `request show` prints it for people. */
export function printRequestDetails(r: AccessRequest__Output): void {
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
