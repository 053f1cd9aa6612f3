/**
 * Rewrites `?` placeholders as PostgreSQL's `$1, $2, …`, so the backends can share SQL
 * fragments (query-filters.ts). Our statements contain no other `?` (no jsonb `?` operator,
 * no literals holding one).
 */
export function toPositional(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}
