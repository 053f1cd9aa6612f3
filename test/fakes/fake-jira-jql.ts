/**
 * The small JQL subset the fake Jira understands, parsed and evaluated like Jira Cloud does it.
 *
 * Supported: `project|labels|status|issuetype|key` with `=`, `!=`, `in (...)`, `not in (...)`;
 * `updated|created` with `>=`, `>`, `<=`, `<`, `=` against a relative period (`-5m`, `-1h`, `-2d`,
 * `-1w`) or an absolute date (`yyyy-MM-dd HH:mm`, `yyyy/MM/dd HH:mm`, `yyyy-MM-dd`, `yyyy/MM/dd`,
 * read as UTC); clauses joined by `AND`; `ORDER BY updated|created|key [ASC|DESC], ...`.
 * Values compare case-insensitively. Anything else is a 400 with Jira's message where known.
 */

/** Where Jira Cloud's enhanced search refuses a query without a restriction. */
export const UNBOUNDED_JQL_MESSAGE = 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.';

type ListField = 'project' | 'labels' | 'status' | 'issuetype' | 'key';
type DateField = 'updated' | 'created';
type OrderField = DateField | 'key';

export type JqlClause =
  | { readonly kind: 'list'; readonly field: ListField; readonly negated: boolean; readonly values: readonly string[] }
  | { readonly kind: 'date'; readonly field: DateField; readonly op: '>=' | '>' | '<=' | '<' | '='; readonly at: Date };

export interface JqlOrder {
  readonly field: OrderField;
  readonly descending: boolean;
}

export interface JqlQuery {
  readonly clauses: readonly JqlClause[];
  readonly orderBy: readonly JqlOrder[];
}

/** What the parser checks values against, as Jira does ("The value 'X' does not exist ..."). */
export interface JqlContext {
  readonly now: Date;
  readonly projects: readonly string[];
  readonly statuses: readonly string[];
  readonly issueTypes: readonly string[];
}

/** The facts about an issue a query can look at. */
export interface JqlSubject {
  readonly key: string;
  readonly projectKeys: readonly string[];
  readonly labels: readonly string[];
  readonly status: string;
  readonly issueType: string;
  readonly created: Date;
  readonly updated: Date;
}

export type JqlParseResult = { readonly ok: true; readonly query: JqlQuery } | { readonly ok: false; readonly message: string };

class JqlError extends Error {}

const LIST_FIELDS: ReadonlySet<string> = new Set(['project', 'labels', 'status', 'issuetype', 'key']);
const DATE_FIELDS: ReadonlySet<string> = new Set(['updated', 'created']);
const FIELD_ALIASES: Readonly<Record<string, string>> = { type: 'issuetype', label: 'labels', issuekey: 'key', updateddate: 'updated', createddate: 'created' };
const PERIOD_UNITS_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

interface Token {
  readonly text: string;
  readonly quoted: boolean;
}

function tokenize(jql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < jql.length) {
    const ch = jql.charAt(i);
    if (/\s/.test(ch)) {
      i += 1;
    } else if (ch === '"' || ch === "'") {
      const end = jql.indexOf(ch, i + 1);
      if (end < 0) throw new JqlError(`Error in the JQL Query: The quoted string '${jql.slice(i + 1)}' has not been completed.`);
      tokens.push({ text: jql.slice(i + 1, end), quoted: true });
      i = end + 1;
    } else if ('(),'.includes(ch)) {
      tokens.push({ text: ch, quoted: false });
      i += 1;
    } else if ('=!<>~'.includes(ch)) {
      const two = jql.slice(i, i + 2);
      const op = ['!=', '>=', '<=', '!~'].includes(two) ? two : ch;
      tokens.push({ text: op, quoted: false });
      i += op.length;
    } else {
      let end = i;
      while (end < jql.length && !/[\s"'(),=!<>~]/.test(jql.charAt(end))) end += 1;
      tokens.push({ text: jql.slice(i, end), quoted: false });
      i = end;
    }
  }
  return tokens;
}

function isWord(token: Token | undefined, word: string): boolean {
  return token !== undefined && !token.quoted && token.text.toLowerCase() === word;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/** Parses a JQL date operand the way Jira does (relative period or absolute date, minute precision). */
export function parseJqlDate(value: string, field: string, now: Date): Date {
  const period = /^([-+]?)(\d+)([mhdw])$/i.exec(value.trim());
  if (period !== null) {
    const sign = period[1] === '-' ? -1 : 1;
    const unit = PERIOD_UNITS_MS[(period[3] ?? 'm').toLowerCase()] ?? 60_000;
    return new Date(now.getTime() + sign * Number(period[2]) * unit);
  }
  const absolute = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?$/.exec(value.trim());
  if (absolute !== null) {
    const [, y, mo, d, h, mi] = absolute;
    const iso = `${y}-${pad(Number(mo))}-${pad(Number(d))}T${pad(Number(h ?? 0))}:${pad(Number(mi ?? 0))}:00.000Z`;
    const at = new Date(iso);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new JqlError(
    `Date value '${value}' for field '${field}' is invalid. Valid formats include: 'yyyy/MM/dd HH:mm', 'yyyy-MM-dd HH:mm', 'yyyy/MM/dd', 'yyyy-MM-dd', or a period format e.g. '-5d', '4w 2d'.`,
  );
}

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly context: JqlContext;

  constructor(tokens: Token[], context: JqlContext) {
    this.tokens = tokens;
    this.context = context;
  }

  parse(): JqlQuery {
    const clauses: JqlClause[] = [];
    if (!this.atOrderBy() && this.peek() !== undefined) {
      clauses.push(this.clause());
      while (isWord(this.peek(), 'and')) {
        this.pos += 1;
        clauses.push(this.clause());
      }
    }
    const orderBy = this.atOrderBy() ? this.orderBy() : [];
    const rest = this.peek();
    if (rest !== undefined) {
      const hint = isWord(rest, 'or') || isWord(rest, 'not') ? ' (the fake Jira supports AND only)' : '';
      throw new JqlError(`Error in the JQL Query: Expecting either 'OR' or 'AND' but got '${rest.text}'.${hint}`);
    }
    return { clauses, orderBy };
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private next(expected: string): Token {
    const token = this.tokens[this.pos];
    if (token === undefined) throw new JqlError(`Error in the JQL Query: Expecting ${expected} before the end of the query.`);
    this.pos += 1;
    return token;
  }

  private atOrderBy(): boolean {
    return isWord(this.peek(), 'order') && isWord(this.tokens[this.pos + 1], 'by');
  }

  private clause(): JqlClause {
    const fieldToken = this.next('a field name');
    const raw = fieldToken.text.toLowerCase();
    const field = FIELD_ALIASES[raw] ?? raw;
    if (!LIST_FIELDS.has(field) && !DATE_FIELDS.has(field)) {
      throw new JqlError(`Field '${fieldToken.text}' does not exist or you do not have permission to view it.`);
    }
    let op = this.next('an operator').text.toLowerCase();
    if (op === 'not' && isWord(this.peek(), 'in')) {
      this.pos += 1;
      op = 'not in';
    }
    if (DATE_FIELDS.has(field)) {
      if (!['>=', '>', '<=', '<', '='].includes(op)) {
        throw new JqlError(`The operator '${op}' is not supported by the '${fieldToken.text}' field.`);
      }
      const at = parseJqlDate(this.next('a date').text, fieldToken.text, this.context.now);
      return { kind: 'date', field: field as DateField, op: op as '>=' | '>' | '<=' | '<' | '=', at };
    }
    if (!['=', '!=', 'in', 'not in'].includes(op)) {
      throw new JqlError(`The operator '${op}' is not supported by the '${fieldToken.text}' field.`);
    }
    const values = op === 'in' || op === 'not in' ? this.list() : [this.next('a value').text];
    values.forEach((value) => this.checkValue(field as ListField, fieldToken.text, value));
    return { kind: 'list', field: field as ListField, negated: op.startsWith('!') || op.startsWith('not'), values };
  }

  private list(): string[] {
    if (this.next("'('").text !== '(') throw new JqlError("Error in the JQL Query: Expecting '(' after the IN operator.");
    const values: string[] = [this.next('a value').text];
    for (;;) {
      const token = this.next("')'");
      if (token.text === ')' && !token.quoted) return values;
      if (token.text !== ',' || token.quoted) throw new JqlError(`Error in the JQL Query: Expecting ',' or ')' but got '${token.text}'.`);
      values.push(this.next('a value').text);
    }
  }

  private checkValue(field: ListField, name: string, value: string): void {
    const known = field === 'project' ? this.context.projects : field === 'status' ? this.context.statuses : field === 'issuetype' ? this.context.issueTypes : undefined;
    if (known !== undefined && !known.some((candidate) => candidate.toLowerCase() === value.toLowerCase())) {
      throw new JqlError(`The value '${value}' does not exist for the field '${name}'.`);
    }
  }

  private orderBy(): JqlOrder[] {
    this.pos += 2;
    const orders: JqlOrder[] = [];
    for (;;) {
      const token = this.next('a field name');
      const field = FIELD_ALIASES[token.text.toLowerCase()] ?? token.text.toLowerCase();
      if (field !== 'updated' && field !== 'created' && field !== 'key') {
        throw new JqlError(`Field '${token.text}' does not exist or you do not have permission to view it.`);
      }
      let descending = false;
      if (isWord(this.peek(), 'desc') || isWord(this.peek(), 'asc')) descending = this.next('a direction').text.toLowerCase() === 'desc';
      orders.push({ field, descending });
      if (this.peek()?.text !== ',') return orders;
      this.pos += 1;
    }
  }
}

/** Parses `jql` against the site's projects, statuses and issue types. */
export function parseJql(jql: string, context: JqlContext): JqlParseResult {
  try {
    return { ok: true, query: new Parser(tokenize(jql), context).parse() };
  } catch (error) {
    if (error instanceof JqlError) return { ok: false, message: error.message };
    throw error;
  }
}

function matchesDate(value: Date, op: '>=' | '>' | '<=' | '<' | '=', at: Date): boolean {
  const a = value.getTime();
  const b = at.getTime();
  switch (op) {
    case '>=':
      return a >= b;
    case '>':
      return a > b;
    case '<=':
      return a <= b;
    case '<':
      return a < b;
    case '=':
      return a === b;
    default: {
      const unreachable: never = op;
      return unreachable;
    }
  }
}

function listValues(field: ListField, subject: JqlSubject): readonly string[] {
  switch (field) {
    case 'project':
      return subject.projectKeys;
    case 'labels':
      return subject.labels;
    case 'status':
      return [subject.status];
    case 'issuetype':
      return [subject.issueType];
    case 'key':
      return [subject.key];
    default: {
      const unreachable: never = field;
      return unreachable;
    }
  }
}

/** Whether `subject` satisfies every clause of `query`. */
export function matchesJql(query: JqlQuery, subject: JqlSubject): boolean {
  return query.clauses.every((clause) => {
    if (clause.kind === 'date') return matchesDate(subject[clause.field], clause.op, clause.at);
    const have = listValues(clause.field, subject).map((value) => value.toLowerCase());
    const hit = clause.values.some((value) => have.includes(value.toLowerCase()));
    return clause.negated ? !hit : hit;
  });
}

function compareKeys(a: string, b: string): number {
  const [pa = '', na = '0'] = a.split('-');
  const [pb = '', nb = '0'] = b.split('-');
  return pa === pb ? Number(na) - Number(nb) : pa < pb ? -1 : 1;
}

/** Sorts by the query's ORDER BY; without one, Jira's default `created DESC`. */
export function sortByJql<T extends JqlSubject>(query: JqlQuery, subjects: readonly T[]): T[] {
  const orders: readonly JqlOrder[] = query.orderBy.length > 0 ? query.orderBy : [{ field: 'created', descending: true }];
  return [...subjects].sort((a, b) => {
    for (const order of orders) {
      const diff = order.field === 'key' ? compareKeys(a.key, b.key) : a[order.field].getTime() - b[order.field].getTime();
      if (diff !== 0) return order.descending ? -diff : diff;
    }
    return compareKeys(b.key, a.key);
  });
}
