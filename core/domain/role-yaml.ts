import { parseAllDocuments } from 'yaml';
import type { z } from 'zod';
import { invalidArgument } from './app-error.ts';
import { parseDuration } from './duration.ts';
import { cutShort, quoteShort } from './quote-short.ts';
import { utf8Length } from './request-limits.ts';
import { rawRoleSchema } from './role-schema.ts';
import type { RawAllow, RawDeny, RawRole } from './role-schema.ts';
import type { RequestConditions, Role, RoleConditions } from './types.ts';

/** Largest role file accepted (bytes). */
export const MAX_ROLE_FILE_BYTES = 1024 * 1024;
/** Most role documents in one file. */
export const MAX_ROLE_DOCUMENTS = 256;

/**
 * Parses one or more Teleport-style role documents (`kind: role`, separated by `---`) into
 * domain roles. Each role's `yaml` is its document's source text; `preset` is false. Empty
 * documents are skipped.
 *
 * @param source names the file in error messages (e.g. `roles.yaml`).
 * @throws AppError `invalid_argument` whose message names the source, the document (1-based)
 *   and role, and the path at fault, e.g.
 *   `roles.yaml: document 2 (role "sres"): spec.allow.request.max_duration: invalid duration "8x"`.
 *   YAML syntax errors name the line and column instead of a path.
 */
export function parseRoles(yamlText: string, source: string): Role[] {
  const bytes = utf8Length(yamlText);
  if (bytes > MAX_ROLE_FILE_BYTES) {
    throw invalidArgument(`${source}: file is too large (${bytes} bytes, max ${MAX_ROLE_FILE_BYTES})`);
  }
  const docs = parseAllDocuments(yamlText, { prettyErrors: true, uniqueKeys: true });
  if (!Array.isArray(docs)) {
    // parseAllDocuments returns an EmptyStream when there is nothing at all.
    throw invalidArgument(`${source}: no role documents found`);
  }
  if (docs.length > MAX_ROLE_DOCUMENTS) {
    throw invalidArgument(`${source}: too many documents (${docs.length}, max ${MAX_ROLE_DOCUMENTS})`);
  }
  const roles: Role[] = [];
  const seen = new Map<string, number>();
  docs.forEach((doc, index) => {
    const where = `${source}: document ${index + 1}`;
    const problem = doc.errors[0] ?? doc.warnings[0];
    if (problem !== undefined) {
      const pos = problem.linePos?.[0];
      const at = pos === undefined ? '' : `line ${pos.line}, column ${pos.col}: `;
      // The first line only (prettyErrors adds a source excerpt below), cut: some name input.
      const message = cutShort((problem.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, ''));
      throw invalidArgument(`${where}: ${at}${message}`);
    }
    let data: unknown;
    try {
      data = doc.toJS({ maxAliasCount: 100 });
    } catch (err) {
      throw invalidArgument(`${where}: ${cutShort(err instanceof Error ? err.message : String(err))}`);
    }
    if (data === null || data === undefined) return; // an empty document
    const name = readName(data);
    const label = name === undefined ? where : `${where} (role ${quoteShort(name)})`;
    const parsed = rawRoleSchema.safeParse(data, { reportInput: true });
    if (!parsed.success) throw invalidArgument(`${label}: ${formatIssues(parsed.error.issues)}`);
    const raw = parsed.data;
    const first = seen.get(raw.metadata.name);
    if (first !== undefined) {
      throw invalidArgument(`${label}: metadata.name: duplicate role name (also in document ${first})`);
    }
    seen.set(raw.metadata.name, index + 1);
    roles.push(toDomainRole(raw, sliceDocument(yamlText, doc.range)));
  });
  if (roles.length === 0) throw invalidArgument(`${source}: no role documents found`);
  return roles;
}

function readName(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null) return undefined;
  const metadata = (data as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const name = (metadata as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

/** The document's source text as written, without its leading `---` marker line. */
function sliceDocument(src: string, range: readonly [number, number, number]): string {
  const body = src.slice(range[0], range[2]).replace(/^---[^\S\n]*(#[^\n]*)?(\r?\n|$)/, '');
  return body.endsWith('\n') ? body : `${body}\n`;
}

/** The first issue, unknown fields first (a misspelt key usually also makes a field "required"). */
function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const sorted = [...issues].sort(
    (a, b) => Number(b.code === 'unrecognized_keys') - Number(a.code === 'unrecognized_keys'),
  );
  const issue = sorted[0];
  if (issue === undefined) return 'invalid role';
  const more = sorted.length > 1 ? ` (and ${sorted.length - 1} more problem${sorted.length > 2 ? 's' : ''})` : '';
  return `${formatIssue(issue)}${more}`;
}

function formatIssue(issue: z.core.$ZodIssue): string {
  let path = issue.path;
  let message: string;
  switch (issue.code) {
    case 'unrecognized_keys':
      path = [...path, issue.keys[0] ?? ''];
      message = 'unknown field';
      break;
    case 'invalid_type':
      // A schema-specific message (unsupported fields, durations) beats the generic one.
      message =
        issue.input === undefined
          ? 'required'
          : !issue.message.startsWith('Invalid input')
            ? issue.message
            : `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${describeValue(issue.input)}`;
      break;
    case 'invalid_value':
      message =
        issue.input === undefined
          ? 'required'
          : `expected ${issue.values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describeValue(issue.input)}`;
      break;
    case 'invalid_union':
      message = issue.message === 'Invalid input' ? 'invalid value' : issue.message;
      break;
    case 'invalid_key':
      message = issue.issues[0]?.message ?? issue.message;
      break;
    case 'too_big':
    case 'too_small':
    case 'custom':
    case 'invalid_format':
    case 'invalid_element':
    case 'not_multiple_of':
      message = issue.message;
      break;
    default: {
      const never: never = issue;
      message = String(never);
    }
  }
  return path.length === 0 ? message : `${formatPath(path)}: ${message}`;
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && part.length <= 64 && /^[A-Za-z_][A-Za-z0-9_]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${quoteShort(String(part))}]`;
  }
  return out;
}

const EXPECTED: Readonly<Record<string, string>> = {
  object: 'a mapping',
  array: 'a list',
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
};

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `string ${quoteShort(value)}`;
  return `${typeof value} ${String(value).slice(0, 32)}`;
}

function toDomainRole(raw: RawRole, yaml: string): Role {
  const spec = raw.spec ?? {};
  return {
    name: raw.metadata.name,
    allow: toAllow(spec.allow),
    deny: toDeny(spec.deny),
    options: {
      maxSessionTtlMs: spec.options?.max_session_ttl === undefined ? 0 : parseDuration(spec.options.max_session_ttl),
      requestAccess: spec.options?.request_access ?? 'optional',
    },
    yaml,
    preset: false,
  };
}

function toAllow(raw: RawAllow | undefined): RoleConditions {
  const request = raw?.request;
  return toConditions(raw, {
    roles: [...(request?.roles ?? [])],
    thresholds: (request?.thresholds ?? []).map((t) => ({
      name: t.name ?? '',
      filter: t.filter ?? '',
      approve: t.approve ?? 0,
      deny: t.deny ?? 0,
    })),
    annotations: copyMap(request?.annotations ?? {}),
    suggestedReviewers: [...(request?.suggested_reviewers ?? [])],
    maxDurationMs: request?.max_duration === undefined ? 0 : parseDuration(request.max_duration),
  });
}

function toDeny(raw: RawDeny | undefined): RoleConditions {
  const request = raw?.request;
  return toConditions(raw, {
    roles: [...(request?.roles ?? [])],
    thresholds: [],
    annotations: copyMap(request?.annotations ?? {}),
    suggestedReviewers: [],
    maxDurationMs: 0,
  });
}

function toConditions(raw: RawAllow | RawDeny | undefined, request: RequestConditions): RoleConditions {
  const nodeLabels: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(raw?.node_labels ?? {})) {
    nodeLabels[key] = typeof value === 'string' ? [value] : [...value];
  }
  return {
    logins: [...(raw?.logins ?? [])],
    nodeLabels,
    rules: (raw?.rules ?? []).map((r) => ({ resources: [...r.resources], verbs: [...r.verbs] })),
    request,
    reviewRequests: { roles: [...(raw?.review_requests?.roles ?? [])], where: raw?.review_requests?.where ?? '' },
  };
}

function copyMap(map: Readonly<Record<string, readonly string[]>>): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [key, values] of Object.entries(map)) out[key] = [...values];
  return out;
}
