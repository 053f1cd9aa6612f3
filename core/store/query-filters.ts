import { firstRequestIdAt } from '../domain/request-id.ts';
import type { AuditQuery, RequestQuery } from './store.ts';

/**
 * WHERE clauses for listRequests and searchAudit, shared by the backends. Placeholders are
 * `?` (PostgreSQL numbers them, see postgres/to-positional.ts); the one dialect difference, a
 * list parameter, is supplied by the caller.
 */
export interface SqlConditions<L> {
  /** "" or "WHERE …". */
  where: string;
  params: (string | number | L)[];
}

/** How a dialect tests `column` against a list bound as one parameter. */
export type ListCondition<L> = (column: string, values: readonly string[]) => { sql: string; param: L };

/** How a dialect selects requests past their deadline: PENDING past review, APPROVED past access. */
export type ExpiringCondition = (beforeMs: number) => { sql: string; params: number[] };

/** What differs between the backends' request queries. */
export interface RequestDialect<L> {
  inList: ListCondition<L>;
  expiring: ExpiringCondition;
}

/**
 * Plain SQL for `expiringBeforeMs`; each branch matches a partial index (requests_pending_expiry,
 * requests_access_expiry), which a planner with statistics (PostgreSQL's) picks.
 */
export const expiringByState: ExpiringCondition = (beforeMs) => ({
  sql: "((state = 'PENDING' AND pending_expires_ms < ?) OR (state = 'APPROVED' AND access_expires_ms < ?))",
  params: [beforeMs, beforeMs],
});

export function requestConditions<L>(
  query: RequestQuery,
  after: string | undefined,
  { inList, expiring }: RequestDialect<L>,
): SqlConditions<L> {
  const conditions: string[] = [];
  const params: (string | number | L)[] = [];
  if (after !== undefined) {
    conditions.push(query.newestFirst === true ? 'id < ?' : 'id > ?');
    params.push(after);
  }
  // Empty lists mean "no filter", like unset repeated fields in the API.
  for (const [column, values] of [['state', query.states], ['user_name', query.users], ['id', query.ids]] as const) {
    if (values === undefined || values.length === 0) continue;
    const list = inList(column, values);
    conditions.push(list.sql);
    params.push(list.param);
  }
  if (query.createdSinceMs !== undefined) {
    conditions.push('id >= ?');
    params.push(firstRequestIdAt(query.createdSinceMs));
  }
  if (query.expiringBeforeMs !== undefined) {
    const condition = expiring(query.expiringBeforeMs);
    conditions.push(condition.sql);
    params.push(...condition.params);
  }
  return { where: whereClause(conditions), params };
}

/** `sinceMs` is inclusive and `untilMs` exclusive; "" string filters mean unset. */
export function auditConditions(query: AuditQuery, after: number | undefined): SqlConditions<never> {
  const conditions: string[] = [];
  const params: (string | number)[] = [];
  const filters: [string, string | number | undefined][] = [
    [query.newestFirst === true ? 'id < ?' : 'id > ?', after],
    ['type = ?', query.type],
    ['request_id = ?', query.requestId],
    ['actor = ?', query.actor],
    ['time_ms >= ?', query.sinceMs],
    ['time_ms < ?', query.untilMs],
  ];
  for (const [condition, value] of filters) {
    if (value === undefined || value === '') continue;
    conditions.push(condition);
    params.push(value);
  }
  return { where: whereClause(conditions), params };
}

/** The ORDER BY of a listing: by id, newest first when asked. */
export function idOrder(query: { newestFirst?: boolean }): string {
  return query.newestFirst === true ? 'ORDER BY id DESC' : 'ORDER BY id';
}

function whereClause(conditions: readonly string[]): string {
  return conditions.length === 0 ? '' : `WHERE ${conditions.join(' AND ')}`;
}
