import { AppError } from '../../domain/app-error.ts';
import type { AuditDraft, StoredEvent } from '../../domain/types.ts';
import { readRow } from '../row-reader.ts';
import { parseEventRow } from '../stored-rows.ts';
import type { EventDraft } from '../stored-rows.ts';
import type { Query, Row } from './postgres-connection.ts';

/** The NOTIFY channel; the payload is the newest position of the committing transaction. */
export const EVENTS_CHANNEL = 'gatehouse_events';
/**
 * Transaction-level advisory lock held from the first event (or audit) insert to COMMIT
 * ("gh-event"). Appends therefore commit in position order: a BIGSERIAL alone hands out N+1
 * while N may still be uncommitted, and a reader that saw N+1 first would skip N forever.
 */
const EVENT_LOG_LOCK = 0x67682d6576656e74n.toString();
/** Largest `limit` honoured by readEventsAfter; larger values are clamped ("at most `limit`"). */
const MAX_READ_EVENTS = 10_000;

/** The transaction in progress and the last position it appended. */
export interface Tx {
  query: Query;
  position: number | undefined;
}

/** Takes EVENT_LOG_LOCK until the end of the transaction `query` runs in. */
export async function lockEventLog(query: Query): Promise<void> {
  await query('SELECT pg_advisory_xact_lock(?)', [EVENT_LOG_LOCK]);
}

/**
 * Appends events and one audit entry inside `tx`, under EVENT_LOG_LOCK, and queues the NOTIFY
 * (PostgreSQL delivers it at COMMIT); records the last position in `tx.position` and returns it.
 * Taken last in the transaction, after every row lock, so it cannot deadlock with them and is
 * held only for the inserts and the commit.
 */
export async function appendEvents(tx: Tx, events: readonly EventDraft[], audit: AuditDraft, timeMs: number): Promise<number> {
  await lockEventLog(tx.query);
  let position = 0;
  for (const event of events) {
    const row = (await tx.query(
      'INSERT INTO events (time_ms, type, kind, name, json) VALUES (?, ?, ?, ?, ?) RETURNING position',
      [timeMs, event.type, event.kind, event.name, event.json],
    ))[0];
    if (row === undefined) throw new AppError('internal', 'event insert returned no position');
    position = readRow(row, 'events').integer('position');
  }
  await tx.query(
    'INSERT INTO audit (time_ms, type, actor, request_id, json) VALUES (?, ?, ?, ?, ?)',
    [timeMs, audit.type, audit.actor, audit.requestId, JSON.stringify(audit.details)],
  );
  await tx.query('SELECT pg_notify(?, ?)', [EVENTS_CHANNEL, String(position)]);
  tx.position = position;
  return position;
}

/** The newest position ever appended (pruning never lowers it); 0 for an empty log. */
export async function readLastPosition(query: Query): Promise<number> {
  const row = (await query(
    'SELECT GREATEST(COALESCE((SELECT MAX(position) FROM events), 0), pruned_through) AS last FROM event_log WHERE id = 1',
    [],
  ))[0];
  return row === undefined ? 0 : readRow(row, 'events').integer('last');
}

/**
 * At most `limit` events after position `after`, oldest first.
 * @throws AppError `out_of_range` if events after `after` have been pruned.
 */
export async function readEventsAfter(query: Query, after: number, limit: number): Promise<StoredEvent[]> {
  // One statement, one snapshot: the watermark and the rows agree.
  const rows = await query(
    `SELECT l.pruned_through, e.position, e.time_ms, e.type, e.kind, e.name, e.json
       FROM event_log l
       LEFT JOIN LATERAL (SELECT * FROM events WHERE position > ? ORDER BY position LIMIT ?) e ON true
      WHERE l.id = 1
      ORDER BY e.position`,
    [after, Math.min(limit, MAX_READ_EVENTS)],
  );
  const prunedThrough = rows[0] === undefined ? 0 : readRow(rows[0], 'event_log').integer('pruned_through');
  if (after < prunedThrough) {
    throw new AppError('out_of_range', `events after position ${after} have been pruned (log starts after ${prunedThrough})`);
  }
  return rows.filter((row) => row.position !== null).map(parseEventRow);
}

/**
 * Inside the caller's transaction, deletes the events older than `beforeMs` except the newest
 * `keepAtLeast`, and raises the pruned watermark; returns how many were deleted.
 */
export async function pruneEventPrefix(query: Query, beforeMs: number, keepAtLeast: number): Promise<number> {
  // Under the append lock nothing is in flight, so every position below the bound is final.
  await lockEventLog(query);
  // Delete a contiguous prefix (see SqliteStore.pruneEvents for why).
  const position = (rows: Row[]) => (rows[0] === undefined ? undefined : readRow(rows[0], 'events').integer('position'));
  const bounds: number[] = [];
  const young = position(await query('SELECT position FROM events WHERE time_ms >= ? ORDER BY position LIMIT 1', [beforeMs]));
  if (young !== undefined) bounds.push(young);
  if (keepAtLeast > 0) {
    const kept = position(await query('SELECT position FROM events ORDER BY position DESC LIMIT 1 OFFSET ?', [keepAtLeast - 1]));
    if (kept === undefined) return 0; // fewer events than keepAtLeast
    bounds.push(kept);
  }
  const bound = bounds.length > 0 ? Math.min(...bounds) : Number.MAX_SAFE_INTEGER;
  const result = (await query(
    'WITH d AS (DELETE FROM events WHERE position < ? RETURNING position) SELECT COUNT(*) AS deleted, COALESCE(MAX(position), 0) AS highest FROM d',
    [bound],
  ))[0];
  const r = result === undefined ? undefined : readRow(result, 'events');
  const deleted = r?.integer('deleted') ?? 0;
  if (deleted > 0) {
    await query('UPDATE event_log SET pruned_through = GREATEST(pruned_through, ?) WHERE id = 1', [r?.integer('highest') ?? 0]);
  }
  return deleted;
}
