/**
 * The fake Jira's issue store: validates writes like Jira Cloud and records every change
 * (changelog history, comment) with its actor, reporting each change for webhooks.
 */
import { ADF_REQUIRED_MESSAGE, adfFromText, parseAdfDoc, type AdfDoc } from './fake-jira-adf.ts';
import {
  availableTransitions,
  type FakeJiraChangeItem,
  type FakeJiraComment,
  type FakeJiraHistory,
  type IssueRecord,
  type IssueTypeDef,
  type ProjectDef,
  type Site,
  type TransitionDef,
} from './fake-jira-model.ts';

/** How a write's rich text arrives: v3 takes ADF, v2 takes a wiki-markup string. */
export type RichText = 'adf' | 'wiki';

/** A change Jira would announce with a webhook. */
export interface IssueChange {
  readonly webhookEvent: 'jira:issue_created' | 'jira:issue_updated';
  readonly eventTypeName: 'issue_created' | 'issue_generic' | 'issue_commented' | 'issue_updated';
  readonly actorId: string;
  readonly issue: IssueRecord;
  readonly history: FakeJiraHistory | undefined;
  readonly comment: FakeJiraComment | undefined;
  readonly at: Date;
}

/** Jira's error body: `{errorMessages, errors}` with an HTTP status. */
export interface JiraFailure {
  readonly ok: false;
  readonly status: number;
  readonly errorMessages: readonly string[];
  readonly errors: Readonly<Record<string, string>>;
}

export type Outcome<T> = { readonly ok: true; readonly value: T } | JiraFailure;

export function failure(status: number, errorMessages: readonly string[], errors: Record<string, string> = {}): JiraFailure {
  return { ok: false, status, errorMessages, errors };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const SETTABLE_FIELDS: ReadonlySet<string> = new Set(['project', 'issuetype', 'summary', 'description', 'labels']);
const MAX_PROPERTY_BYTES = 32_768;

function parseRichText(value: unknown, richText: RichText): AdfDoc | null | undefined {
  if (value === null) return null;
  if (richText === 'wiki') return typeof value === 'string' ? adfFromText(value) : undefined;
  return parseAdfDoc(value);
}

function labelError(labels: unknown): string | undefined {
  if (!Array.isArray(labels) || !labels.every((l): l is string => typeof l === 'string')) return 'Labels must be an array of strings.';
  for (const label of labels) {
    if (label === '' || /\s/.test(label)) return `The label '${label}' contains spaces which is invalid.`;
    if (label.length > 255) return `The label '${label}' exceeds the maximum length for a single label of 255 characters.`;
  }
  return undefined;
}

function summaryError(summary: unknown): string | undefined {
  if (typeof summary !== 'string' || summary.trim() === '') return 'You must specify a summary of the issue.';
  if (summary.length > 255) return 'Summary must be less than 255 characters.';
  if (/[\r\n]/.test(summary)) return 'The summary is invalid because it contains newline characters.';
  return undefined;
}

/** Validates `[{key, value}]` issue properties (key ≤ 255 chars, value ≤ 32 KiB of JSON). */
export function propertyError(key: string, value: unknown): string | undefined {
  if (key === '' || key.length > 255) return 'The property key must be between 1 and 255 characters long.';
  if (value === undefined) return 'The property value must be valid JSON.';
  if (Buffer.byteLength(JSON.stringify(value)) > MAX_PROPERTY_BYTES) return `The property value size must be less than ${MAX_PROPERTY_BYTES} bytes.`;
  return undefined;
}

/**
 * Parses `properties: [{key, value}]` of a create request (issue or comment) like Jira: each key
 * 1..255 characters, each value JSON of at most 32 KiB.
 */
export function parsePropertyList(value: unknown): Outcome<Map<string, unknown>> {
  const props = new Map<string, unknown>();
  if (value === undefined) return { ok: true, value: props };
  if (!Array.isArray(value)) return failure(400, ['The properties must be a list of {key, value} objects.']);
  for (const p of value) {
    const key = isRecord(p) && typeof p['key'] === 'string' ? p['key'] : '';
    const problem = propertyError(key, isRecord(p) ? p['value'] : undefined);
    if (problem !== undefined) return failure(400, [problem]);
    props.set(key, isRecord(p) ? p['value'] : undefined);
  }
  return { ok: true, value: props };
}

export class IssueStore {
  private readonly site: Site;
  private readonly clock: () => Date;
  private readonly onChange: (change: IssueChange) => void;
  private readonly records: IssueRecord[] = [];
  private readonly counters = new Map<string, number>();
  private nextId = 10000;

  constructor(site: Site, clock: () => Date, onChange: (change: IssueChange) => void) {
    this.site = site;
    this.clock = clock;
    this.onChange = onChange;
  }

  all(): readonly IssueRecord[] {
    return this.records;
  }

  /** Finds an issue by id or key (keys case-insensitively, as Jira does). */
  find(idOrKey: string): IssueRecord | undefined {
    const upper = idOrKey.toUpperCase();
    return this.records.find((r) => r.id === idOrKey || r.key === upper);
  }

  private allocateId(): string {
    this.nextId += 1;
    return String(this.nextId);
  }

  /** `POST /issue`: validates like Jira and creates the issue in the workflow's initial status. */
  create(actorId: string, body: unknown, richText: RichText): Outcome<IssueRecord> {
    const fields = isRecord(body) && isRecord(body['fields']) ? body['fields'] : {};
    const errors: Record<string, string> = {};
    for (const name of Object.keys(fields)) {
      if (!SETTABLE_FIELDS.has(name)) errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    const projectRef = isRecord(fields['project']) ? fields['project'] : {};
    const project: ProjectDef | undefined = this.site.projects.find(
      (p) => (typeof projectRef['key'] === 'string' && p.key === projectRef['key'].toUpperCase()) || (typeof projectRef['id'] === 'string' && p.id === projectRef['id']),
    );
    if (project === undefined) errors['project'] = 'Specify a valid project ID or key';
    const typeRef = isRecord(fields['issuetype']) ? fields['issuetype'] : undefined;
    let issueType: IssueTypeDef | undefined;
    if (typeRef === undefined) errors['issuetype'] = 'Specify an issue type';
    else {
      issueType = project?.issueTypes.find((t) => t.name === typeRef['name'] || t.id === typeRef['id']);
      if (issueType === undefined && project !== undefined) errors['issuetype'] = 'The issue type selected is invalid.';
    }
    const summaryProblem = summaryError(fields['summary']);
    if (summaryProblem !== undefined) errors['summary'] = summaryProblem;
    const description = fields['description'] === undefined ? null : parseRichText(fields['description'], richText);
    if (description === undefined) errors['description'] = richText === 'adf' ? ADF_REQUIRED_MESSAGE : 'Operation value must be a string';
    const labelProblem = fields['labels'] === undefined ? undefined : labelError(fields['labels']);
    if (labelProblem !== undefined) errors['labels'] = labelProblem;
    const parsedProps = parsePropertyList(isRecord(body) && Array.isArray(body['properties']) ? body['properties'] : undefined);
    if (!parsedProps.ok) return parsedProps;
    const props = parsedProps.value;
    if (Object.keys(errors).length > 0 || project === undefined || issueType === undefined || typeof fields['summary'] !== 'string') {
      return failure(400, [], errors);
    }
    const n = (this.counters.get(project.key) ?? 0) + 1;
    this.counters.set(project.key, n);
    const now = this.clock();
    const issue: IssueRecord = {
      id: this.allocateId(),
      key: `${project.key}-${n}`,
      project,
      issueType,
      summary: fields['summary'],
      description: description ?? null,
      labels: Array.isArray(fields['labels']) ? fields['labels'].filter((l): l is string => typeof l === 'string') : [],
      status: this.site.initial,
      created: now,
      updated: now,
      statusChanged: now,
      creatorId: actorId,
      properties: props,
      histories: [],
      comments: [],
    };
    this.records.push(issue);
    this.onChange({ webhookEvent: 'jira:issue_created', eventTypeName: 'issue_created', actorId, issue, history: undefined, comment: undefined, at: now });
    return { ok: true, value: issue };
  }

  /** `PUT /issue/{id}`: `fields` (summary, description, labels) and `update.labels` add/remove/set. */
  edit(actorId: string, issue: IssueRecord, body: unknown, richText: RichText): Outcome<void> {
    const fields = isRecord(body) && isRecord(body['fields']) ? body['fields'] : {};
    const update = isRecord(body) && isRecord(body['update']) ? body['update'] : {};
    const errors: Record<string, string> = {};
    for (const name of [...Object.keys(fields), ...Object.keys(update)]) {
      if (!['summary', 'description', 'labels'].includes(name)) errors[name] = `Field '${name}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    const items: FakeJiraChangeItem[] = [];
    let summary = issue.summary;
    if (fields['summary'] !== undefined) {
      const problem = summaryError(fields['summary']);
      if (problem !== undefined) errors['summary'] = problem;
      else if (typeof fields['summary'] === 'string') summary = fields['summary'];
    }
    let description = issue.description;
    if (fields['description'] !== undefined) {
      const parsed = parseRichText(fields['description'], richText);
      if (parsed === undefined) errors['description'] = richText === 'adf' ? ADF_REQUIRED_MESSAGE : 'Operation value must be a string';
      else description = parsed;
    }
    let labels = [...issue.labels];
    if (fields['labels'] !== undefined) {
      const problem = labelError(fields['labels']);
      if (problem !== undefined) errors['labels'] = problem;
      else if (Array.isArray(fields['labels'])) labels = fields['labels'].filter((l): l is string => typeof l === 'string');
    }
    const ops = Array.isArray(update['labels']) ? update['labels'] : [];
    for (const op of ops) {
      if (!isRecord(op)) continue;
      for (const [verb, value] of Object.entries(op)) {
        const values = verb === 'set' ? value : [value];
        const problem = labelError(values);
        if (problem !== undefined) errors['labels'] = problem;
        else if (verb === 'add' && typeof value === 'string' && !labels.includes(value)) labels.push(value);
        else if (verb === 'remove') labels = labels.filter((l) => l !== value);
        else if (verb === 'set' && Array.isArray(value)) labels = value.filter((l): l is string => typeof l === 'string');
      }
    }
    if (Object.keys(errors).length > 0) return failure(400, [], errors);
    const item = (field: string, fromString: string | null, toString: string | null): FakeJiraChangeItem => ({ field, fieldtype: 'jira', fieldId: field, from: null, fromString, to: null, toString });
    if (summary !== issue.summary) items.push(item('summary', issue.summary, summary));
    if (JSON.stringify(description) !== JSON.stringify(issue.description)) items.push(item('description', null, null));
    if (labels.join(' ') !== issue.labels.join(' ')) items.push(item('labels', issue.labels.join(' '), labels.join(' ')));
    if (items.length === 0) return { ok: true, value: undefined };
    issue.summary = summary;
    issue.description = description;
    issue.labels = labels;
    this.record(actorId, issue, items, undefined, 'issue_updated');
    return { ok: true, value: undefined };
  }

  /** Finds a transition available from the issue's status by id. */
  transitionById(issue: IssueRecord, id: string): TransitionDef | undefined {
    return availableTransitions(this.site, issue).find((t) => t.id === id);
  }

  /**
   * Moves the issue along `transition`; with `comment`, the comment is part of the same change:
   * same author, same timestamp as the changelog history, one webhook.
   */
  transition(actorId: string, issue: IssueRecord, transition: TransitionDef, comment: AdfDoc | undefined): void {
    const from = issue.status;
    issue.status = transition.to;
    const items: FakeJiraChangeItem[] = [
      { field: 'status', fieldtype: 'jira', fieldId: 'status', from: from.id, fromString: from.name, to: transition.to.id, toString: transition.to.name },
    ];
    this.record(actorId, issue, items, comment, 'issue_generic');
  }

  /** Adds a comment by `actorId`, with entity properties when given. */
  comment(actorId: string, issue: IssueRecord, body: AdfDoc, properties: ReadonlyMap<string, unknown> = new Map()): FakeJiraComment {
    const change = this.record(actorId, issue, [], body, 'issue_commented', properties);
    if (change.comment === undefined) throw new Error('fake jira: comment was not recorded');
    return change.comment;
  }

  /** A comment by its id, on whichever issue it is. */
  findComment(id: string): { issue: IssueRecord; comment: FakeJiraComment } | undefined {
    for (const issue of this.records) {
      const comment = issue.comments.find((c) => c.id === id);
      if (comment !== undefined) return { issue, comment };
    }
    return undefined;
  }

  private record(
    actorId: string,
    issue: IssueRecord,
    items: readonly FakeJiraChangeItem[],
    body: AdfDoc | undefined,
    eventTypeName: IssueChange['eventTypeName'],
    properties: ReadonlyMap<string, unknown> = new Map(),
  ): IssueChange {
    const at = this.clock();
    const history: FakeJiraHistory | undefined = items.length > 0 ? { id: this.allocateId(), authorId: actorId, created: at, items } : undefined;
    if (history !== undefined) issue.histories.push(history);
    const comment: FakeJiraComment | undefined = body !== undefined ? { id: this.allocateId(), authorId: actorId, body, created: at, updated: at, properties: new Map(properties) } : undefined;
    if (comment !== undefined) issue.comments.push(comment);
    issue.updated = at;
    if (items.some((i) => i.field === 'status')) issue.statusChanged = at;
    const change: IssueChange = { webhookEvent: 'jira:issue_updated', eventTypeName, actorId, issue, history, comment, at };
    this.onChange(change);
    return change;
  }
}
