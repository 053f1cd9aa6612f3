/**
 * The fake Slack's read side of conversations: `conversations.history`, `conversations.replies`
 * and `conversations.list`, as Slack answers them.
 *
 * - `channel` must be a conversation ID (Slack does not take names or user IDs here):
 *   otherwise `channel_not_found`; a channel the bot is not in → `not_in_channel`.
 * - `history` lists top-level messages (thread replies are not in a channel's history), newest
 *   first; `replies` lists a thread's parent, then its replies oldest first; a `ts` naming no
 *   message → `thread_not_found`.
 * - `oldest` / `latest` bound the messages by ts, exclusive unless `inclusive`; a value not shaped
 *   like a ts → `invalid_ts_oldest` / `invalid_ts_latest`. (`replies` always returns the parent.)
 * - Message `metadata` is returned only with `include_all_metadata=true`.
 * - Pages: `limit` (default 100, at most 999 for history/replies and 1000 for list), then
 *   `has_more` and `response_metadata.next_cursor`, an opaque base64 cursor like Slack's;
 *   a cursor this fake did not hand out → `invalid_cursor`.
 */

/** A conversation as the fake keeps it. */
export interface FakeConversation {
  readonly id: string;
  readonly name: string | undefined;
  readonly kind: 'channel' | 'im' | 'mpim';
  readonly members: readonly string[];
  readonly isMember: boolean;
}

/** A message as the fake keeps it (updates change text and blocks in place). */
export interface FakeStoredMessage {
  readonly channel: string;
  readonly ts: string;
  readonly threadTs: string | undefined;
  readonly user: string;
  readonly metadata: SlackMetadata | undefined;
  text: string;
  blocks: readonly unknown[] | undefined;
  updatedCount: number;
}

export interface SlackMetadata {
  readonly event_type: string;
  readonly event_payload: Readonly<Record<string, unknown>>;
}

export type SlackArgs = Record<string, unknown>;
export type SlackResult = Record<string, unknown>;

export interface ConversationState {
  readonly channels: ReadonlyMap<string, FakeConversation>;
  readonly messages: readonly FakeStoredMessage[];
  messageJson(m: FakeStoredMessage, withMetadata: boolean): SlackResult;
  /** The `missing_scope` answer when the token lacks `scope`, else undefined. */
  needScope(scope: string): SlackResult | undefined;
  stringArg(args: SlackArgs, key: string): string | undefined;
}

/** An error answer from a helper, kept apart from the helper's normal result. */
interface Failure {
  readonly failure: SlackResult;
}
const failure = (error: string, messages?: readonly string[]): Failure => ({ failure: slackFail(error, messages) });
const isFailure = (v: unknown): v is Failure => typeof v === 'object' && v !== null && 'failure' in v;

export const slackOk = (fields: SlackResult = {}): SlackResult => ({ ok: true, ...fields });
export const slackFail = (error: string, messages?: readonly string[]): SlackResult =>
  messages === undefined ? { ok: false, error } : { ok: false, error, response_metadata: { messages } };

const TS = /^\d+(\.\d+)?$/;
const HISTORY_SCOPE = { channel: 'channels:history', im: 'im:history', mpim: 'mpim:history' } as const;
/** The scope `conversations.list` needs for each conversation type it is asked for. */
const LIST_SCOPE = new Map([['public_channel', 'channels:read'], ['private_channel', 'groups:read'], ['im', 'im:read'], ['mpim', 'mpim:read']]);

/** Slack's cursors are base64 of `next_ts:<ts>` (history) or similar; this fake uses `next:<index>`. */
const encodeCursor = (index: number): string => Buffer.from(`next:${index}`).toString('base64');
function decodeCursor(raw: string | undefined): number | 'invalid' {
  if (raw === undefined || raw === '') return 0;
  const match = /^next:(\d+)$/.exec(Buffer.from(raw, 'base64').toString('utf8'));
  return match === null ? 'invalid' : Number(match[1]);
}

export function conversationMethods(state: ConversationState): Record<string, (args: SlackArgs) => SlackResult> {
  const { stringArg } = state;
  const flag = (args: SlackArgs, key: string): boolean => ['true', '1'].includes(stringArg(args, key) ?? '');

  /** Validates `channel` for a read; returns the conversation or Slack's error. */
  const readable = (args: SlackArgs): FakeConversation | Failure => {
    const id = stringArg(args, 'channel');
    if (id === undefined || id === '') return failure('invalid_arguments', ['[ERROR] missing required field: channel']);
    const conversation = state.channels.get(id);
    if (conversation === undefined) return failure('channel_not_found');
    const missing = state.needScope(HISTORY_SCOPE[conversation.kind]);
    if (missing !== undefined) return { failure: missing };
    if (!conversation.isMember) return failure('not_in_channel');
    return conversation;
  };

  /** Applies oldest/latest/inclusive; returns the filter or Slack's error. */
  const timeWindow = (args: SlackArgs): ((ts: string) => boolean) | Failure => {
    const oldest = stringArg(args, 'oldest');
    const latest = stringArg(args, 'latest');
    if (oldest !== undefined && oldest !== '' && !TS.test(oldest)) return failure('invalid_ts_oldest');
    if (latest !== undefined && latest !== '' && !TS.test(latest)) return failure('invalid_ts_latest');
    const inclusive = flag(args, 'inclusive');
    const lo = oldest === undefined || oldest === '' ? -Infinity : Number(oldest);
    const hi = latest === undefined || latest === '' ? Infinity : Number(latest);
    return (ts) => {
      const t = Number(ts);
      return inclusive ? t >= lo && t <= hi : t > lo && t < hi;
    };
  };

  const page = <T>(items: readonly T[], args: SlackArgs, max: number): { items: T[]; next: string } | Failure => {
    const start = decodeCursor(stringArg(args, 'cursor'));
    if (start === 'invalid' || start > items.length) return failure('invalid_cursor');
    const rawLimit = Number(stringArg(args, 'limit') ?? '100');
    const limit = Number.isFinite(rawLimit) && rawLimit > 0 ? Math.min(Math.floor(rawLimit), max) : 100;
    const end = Math.min(items.length, start + limit);
    return { items: items.slice(start, end), next: end < items.length ? encodeCursor(end) : '' };
  };

  return {
    'conversations.history': (args) => {
      const conversation = readable(args);
      if (isFailure(conversation)) return conversation.failure;
      const inWindow = timeWindow(args);
      if (isFailure(inWindow)) return inWindow.failure;
      const top = state.messages.filter((m) => m.channel === conversation.id && m.threadTs === undefined && inWindow(m.ts)).reverse();
      const p = page(top, args, 999);
      if (isFailure(p)) return p.failure;
      const withMetadata = flag(args, 'include_all_metadata');
      return slackOk({
        messages: p.items.map((m) => state.messageJson(m, withMetadata)),
        has_more: p.next !== '',
        pin_count: 0,
        response_metadata: { next_cursor: p.next },
      });
    },

    'conversations.replies': (args) => {
      const conversation = readable(args);
      if (isFailure(conversation)) return conversation.failure;
      const ts = stringArg(args, 'ts');
      if (ts === undefined || ts === '') return slackFail('invalid_arguments', ['[ERROR] missing required field: ts']);
      const inWindow = timeWindow(args);
      if (isFailure(inWindow)) return inWindow.failure;
      const parent = state.messages.find((m) => m.channel === conversation.id && m.ts === ts);
      if (parent === undefined) return slackFail('thread_not_found');
      const root = parent.threadTs ?? parent.ts;
      const thread = state.messages.filter((m) => m.channel === conversation.id && (m.ts === root || (m.threadTs === root && inWindow(m.ts))));
      const p = page(thread, args, 999);
      if (isFailure(p)) return p.failure;
      const withMetadata = flag(args, 'include_all_metadata');
      return slackOk({ messages: p.items.map((m) => state.messageJson(m, withMetadata)), has_more: p.next !== '', response_metadata: { next_cursor: p.next } });
    },

    'conversations.list': (args) => {
      const types = (stringArg(args, 'types') ?? 'public_channel').split(',').map((t) => t.trim()).filter((t) => t !== '');
      for (const type of types) {
        const scope = LIST_SCOPE.get(type);
        if (scope === undefined) return slackFail('invalid_types', [`[ERROR] unknown type: ${type}`]);
        const missing = state.needScope(scope);
        if (missing !== undefined) return missing;
      }
      const wanted = [...state.channels.values()].filter(
        (c) => (c.kind === 'channel' && types.includes('public_channel')) || (c.kind === 'im' && types.includes('im')) || (c.kind === 'mpim' && types.includes('mpim')),
      );
      const p = page(wanted, args, 1000);
      if (isFailure(p)) return p.failure;
      return slackOk({
        channels: p.items.map((c) =>
          c.kind === 'channel'
            ? { id: c.id, name: c.name, is_channel: true, is_private: false, is_archived: false, is_member: c.isMember }
            : { id: c.id, is_im: c.kind === 'im', is_mpim: c.kind === 'mpim', ...(c.kind === 'im' ? { user: c.members[0] } : {}) },
        ),
        response_metadata: { next_cursor: p.next },
      });
    },
  };
}
