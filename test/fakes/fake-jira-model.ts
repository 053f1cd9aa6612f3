/**
 * The fake Jira's site model (users, projects, workflow, issues) and how Jira Cloud's v3 API
 * renders it: user and status objects, issue fields, changelog, comments and transitions.
 */
import type { AdfDoc } from './fake-jira-adf.ts';

/** A Jira Cloud user; `apiToken` makes the user able to call the API with basic auth. */
export interface FakeJiraUserOptions {
  readonly accountId: string;
  readonly emailAddress: string;
  readonly displayName: string;
  readonly apiToken?: string;
  /** Profile visibility hides the email from other users (API and webhooks). @default false */
  readonly hideEmail?: boolean;
  /** @default 'UTC' */
  readonly timeZone?: string;
}

export interface FakeJiraProjectOptions {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  /** Issue type names, e.g. `['Task']`. Ids are assigned site-wide from 10001. */
  readonly issueTypes: readonly string[];
}

export interface FakeJiraTransitionOptions {
  readonly id: string;
  readonly name: string;
  /** The target status name. */
  readonly to: string;
  /** Status names it is available from. @default every status other than `to` (a global transition) */
  readonly from?: readonly string[];
}

export interface FakeJiraWorkflowOptions {
  readonly statuses: readonly string[];
  /** @default one global transition per status, ids '11', '21', '31', ..., named after the status */
  readonly transitions?: readonly FakeJiraTransitionOptions[];
  readonly initial: string;
}

export interface StatusDef {
  readonly id: string;
  readonly name: string;
  readonly category: 'new' | 'done';
}

export interface TransitionDef {
  readonly id: string;
  readonly name: string;
  readonly to: StatusDef;
  readonly from: readonly string[] | undefined;
}

export interface IssueTypeDef {
  readonly id: string;
  readonly name: string;
}

export interface ProjectDef {
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly issueTypes: readonly IssueTypeDef[];
}

/** One item of a changelog history, exactly as Jira returns it. */
export interface FakeJiraChangeItem {
  readonly field: string;
  readonly fieldtype: 'jira';
  readonly fieldId: string;
  readonly from: string | null;
  readonly fromString: string | null;
  readonly to: string | null;
  readonly toString: string | null;
}

export interface FakeJiraHistory {
  readonly id: string;
  readonly authorId: string;
  readonly created: Date;
  readonly items: readonly FakeJiraChangeItem[];
}

export interface FakeJiraComment {
  readonly id: string;
  readonly authorId: string;
  readonly body: AdfDoc;
  readonly created: Date;
  readonly updated: Date;
  /** Comment entity properties (set on create or through `/comment/{id}/properties`). */
  readonly properties: Map<string, unknown>;
}

/** The stored issue. Mutable only inside the fake. */
export interface IssueRecord {
  readonly id: string;
  readonly key: string;
  readonly project: ProjectDef;
  readonly issueType: IssueTypeDef;
  summary: string;
  description: AdfDoc | null;
  labels: string[];
  status: StatusDef;
  readonly created: Date;
  updated: Date;
  statusChanged: Date;
  readonly creatorId: string;
  readonly properties: Map<string, unknown>;
  /** Oldest first. */
  readonly histories: FakeJiraHistory[];
  /** Oldest first. */
  readonly comments: FakeJiraComment[];
}

export interface Site {
  readonly users: ReadonlyMap<string, FakeJiraUserOptions>;
  readonly projects: readonly ProjectDef[];
  readonly issueTypes: readonly IssueTypeDef[];
  readonly statuses: readonly StatusDef[];
  readonly initial: StatusDef;
  readonly transitions: readonly TransitionDef[];
}

type Json = Record<string, unknown>;

const DEFAULT_STATUSES = ['Pending', 'Approved', 'Denied', 'Expired'] as const;

/** Builds the site from the options, assigning Jira-style ids. Throws on an inconsistent workflow. */
export function buildSite(
  users: readonly FakeJiraUserOptions[],
  projects: readonly FakeJiraProjectOptions[],
  workflow: FakeJiraWorkflowOptions | undefined,
): Site {
  const statusNames = workflow?.statuses ?? DEFAULT_STATUSES;
  const initialName = workflow?.initial ?? 'Pending';
  const statuses: StatusDef[] = statusNames.map((name, i) => ({
    id: String(10000 + i),
    name,
    category: name === initialName ? 'new' : 'done',
  }));
  const byName = (name: string): StatusDef => {
    const status = statuses.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (status === undefined) throw new Error(`fake jira: unknown status ${name} in workflow`);
    return status;
  };
  const initial = byName(initialName);
  const transitions: TransitionDef[] =
    workflow?.transitions?.map((t) => ({ id: t.id, name: t.name, to: byName(t.to), from: t.from?.map((f) => byName(f).name) })) ??
    statuses.map((s, i) => ({ id: String(11 + i * 10), name: s.name, to: s, from: undefined }));
  const issueTypes: IssueTypeDef[] = [];
  for (const name of projects.flatMap((p) => p.issueTypes)) {
    if (!issueTypes.some((t) => t.name === name)) issueTypes.push({ id: String(10001 + issueTypes.length), name });
  }
  return {
    users: new Map(users.map((u) => [u.accountId, u])),
    projects: projects.map((p) => ({
      key: p.key,
      id: p.id,
      name: p.name,
      issueTypes: p.issueTypes.map((name) => issueTypes.find((t) => t.name === name) ?? { id: '0', name }),
    })),
    issueTypes,
    statuses,
    initial,
    transitions,
  };
}

/** Jira's timestamp format: `2024-01-15T10:23:45.123+0000`. */
export function formatJiraDate(date: Date): string {
  return date.toISOString().replace('Z', '+0000');
}

/** The transitions available from the issue's current status. */
export function availableTransitions(site: Site, issue: IssueRecord): TransitionDef[] {
  return site.transitions.filter((t) => (t.from === undefined ? t.to.name !== issue.status.name : t.from.includes(issue.status.name)));
}

/** Renders Jira's v3 JSON for the site, relative to the server's base URL. */
export class Renderer {
  private readonly site: Site;
  private readonly baseUrl: () => string;

  constructor(site: Site, baseUrl: () => string) {
    this.site = site;
    this.baseUrl = baseUrl;
  }

  /** A user as another user sees it: the email is left out when the profile hides it. */
  user(accountId: string): Json {
    const user = this.site.users.get(accountId);
    const base = this.baseUrl();
    const avatar = `${base}/secure/useravatar?ownerId=${encodeURIComponent(accountId)}`;
    return {
      self: `${base}/rest/api/3/user?accountId=${encodeURIComponent(accountId)}`,
      accountId,
      ...(user !== undefined && user.hideEmail !== true ? { emailAddress: user.emailAddress } : {}),
      avatarUrls: { '48x48': avatar, '24x24': avatar, '16x16': avatar, '32x32': avatar },
      displayName: user?.displayName ?? 'Former user',
      active: user !== undefined,
      timeZone: user?.timeZone ?? 'UTC',
      accountType: 'atlassian',
    };
  }

  status(status: StatusDef): Json {
    const base = this.baseUrl();
    const category =
      status.category === 'new'
        ? { id: 2, key: 'new', colorName: 'blue-gray', name: 'To Do' }
        : { id: 3, key: 'done', colorName: 'green', name: 'Done' };
    return {
      self: `${base}/rest/api/3/status/${status.id}`,
      description: '',
      iconUrl: `${base}/images/icons/statuses/generic.png`,
      name: status.name,
      untranslatedName: status.name,
      id: status.id,
      statusCategory: { self: `${base}/rest/api/3/statuscategory/${category.id}`, ...category },
    };
  }

  issueType(type: IssueTypeDef): Json {
    const base = this.baseUrl();
    return {
      self: `${base}/rest/api/3/issuetype/${type.id}`,
      id: type.id,
      description: '',
      iconUrl: `${base}/rest/api/2/universal_avatar/view/type/issuetype/avatar/10318?size=medium`,
      name: type.name,
      untranslatedName: type.name,
      subtask: false,
      avatarId: 10318,
      hierarchyLevel: 0,
    };
  }

  project(project: ProjectDef, full: boolean): Json {
    const base = this.baseUrl();
    const summary: Json = {
      self: `${base}/rest/api/3/project/${project.id}`,
      id: project.id,
      key: project.key,
      name: project.name,
      projectTypeKey: 'software',
      simplified: false,
    };
    if (!full) return summary;
    return {
      expand: 'description,lead,issueTypes,url,projectKeys,permissions,insight',
      ...summary,
      description: '',
      issueTypes: project.issueTypes.map((t) => this.issueType(t)),
      assigneeType: 'UNASSIGNED',
      style: 'classic',
      isPrivate: false,
      properties: {},
    };
  }

  /** A comment; its entity properties only when asked for (`expand=properties`, as `/comment/list` allows). */
  comment(issue: IssueRecord, comment: FakeJiraComment, withProperties = false): Json {
    const properties = withProperties ? { properties: [...comment.properties].map(([key, value]) => ({ key, value })) } : {};
    return {
      self: `${this.baseUrl()}/rest/api/3/issue/${issue.id}/comment/${comment.id}`,
      id: comment.id,
      author: this.user(comment.authorId),
      body: comment.body,
      updateAuthor: this.user(comment.authorId),
      created: formatJiraDate(comment.created),
      updated: formatJiraDate(comment.updated),
      jsdPublic: true,
      ...properties,
    };
  }

  history(history: FakeJiraHistory): Json {
    return { id: history.id, author: this.user(history.authorId), created: formatJiraDate(history.created), items: history.items };
  }

  transition(t: TransitionDef): Json {
    return {
      id: t.id,
      name: t.name,
      to: this.status(t.to),
      hasScreen: false,
      isGlobal: t.from === undefined,
      isInitial: false,
      isAvailable: true,
      isConditional: false,
      looped: false,
    };
  }

  /** Every field the fake knows, by id; `selectFields` picks from these. */
  allFields(issue: IssueRecord): Json {
    const comments = issue.comments.map((c) => this.comment(issue, c));
    return {
      summary: issue.summary,
      description: issue.description,
      labels: [...issue.labels],
      status: this.status(issue.status),
      issuetype: this.issueType(issue.issueType),
      project: this.project(issue.project, false),
      created: formatJiraDate(issue.created),
      updated: formatJiraDate(issue.updated),
      statuscategorychangedate: formatJiraDate(issue.statusChanged),
      creator: this.user(issue.creatorId),
      reporter: this.user(issue.creatorId),
      assignee: null,
      resolution: null,
      comment: {
        comments,
        self: `${this.baseUrl()}/rest/api/3/issue/${issue.id}/comment`,
        maxResults: comments.length,
        total: comments.length,
        startAt: 0,
      },
    };
  }

  /**
   * An issue as `GET /issue/{id}` and search return it.
   * @param fields selected field ids (from `selectFields`); `undefined` leaves out the `fields` object.
   */
  issue(issue: IssueRecord, options: { fields: readonly string[] | undefined; expand: readonly string[]; properties: readonly string[] }): Json {
    const out: Json = {
      expand: 'renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations',
      id: issue.id,
      self: `${this.baseUrl()}/rest/api/3/issue/${issue.id}`,
      key: issue.key,
    };
    if (options.fields !== undefined) {
      const all = this.allFields(issue);
      out['fields'] = Object.fromEntries(options.fields.filter((f) => f in all).map((f) => [f, all[f]]));
    }
    if (options.properties.length > 0) {
      const wanted = options.properties.includes('*all') ? [...issue.properties.keys()] : options.properties;
      out['properties'] = Object.fromEntries(wanted.filter((k) => issue.properties.has(k)).map((k) => [k, issue.properties.get(k)]));
    }
    if (options.expand.includes('changelog')) {
      // Jira Cloud embeds at most the 100 newest histories, newest first.
      const histories = [...issue.histories].reverse().slice(0, 100).map((h) => this.history(h));
      out['changelog'] = { startAt: 0, maxResults: histories.length, total: issue.histories.length, histories };
    }
    if (options.expand.includes('transitions')) {
      out['transitions'] = availableTransitions(this.site, issue).map((t) => this.transition(t));
    }
    return out;
  }
}

/** Field ids Jira treats as navigable (the default of search); `comment` is not one of them. */
const NAVIGABLE = ['summary', 'description', 'labels', 'status', 'issuetype', 'project', 'created', 'updated', 'statuscategorychangedate', 'creator', 'reporter', 'assignee', 'resolution'];

/**
 * Resolves a `fields` parameter (`*all`, `*navigable`, names, `-name`) the way Jira does.
 * @returns the field ids, or `undefined` when only `id` (or nothing) was asked for.
 */
export function selectFields(requested: readonly string[], fallback: '*all' | 'id'): string[] | undefined {
  const tokens = requested.flatMap((r) => r.split(',')).map((t) => t.trim()).filter((t) => t !== '');
  const effective = tokens.length === 0 ? [fallback] : tokens;
  const include = new Set<string>();
  const exclude = new Set<string>();
  for (const token of effective) {
    if (token === '*all') [...NAVIGABLE, 'comment'].forEach((f) => include.add(f));
    else if (token === '*navigable') NAVIGABLE.forEach((f) => include.add(f));
    else if (token.startsWith('-')) exclude.add(token.slice(1));
    else if (token !== 'id' && token !== 'key') include.add(token);
  }
  const selected = [...include].filter((f) => !exclude.has(f));
  const onlyId = effective.every((t) => t === 'id' || t === 'key');
  return onlyId ? undefined : selected;
}
