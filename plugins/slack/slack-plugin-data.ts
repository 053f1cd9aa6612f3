import { z } from 'zod';
import { dataKey, jsonCodec, skippable, taggedCodec, type PluginDataKey, type Skipped } from '../common/plugin-data-key.ts';

/**
 * The Slack plugin's data (plugin name `slack`), one key per recipient and one for the requester
 * notice. The texts are those of the plugin's first versions, so their data still reads back.
 * - `r:<recipient>`: `{"channel","ts","reviews","shows"}` (JSON) once the request message is
 *   posted, or `skip:<why>` when the recipient cannot be reached (an email with no Slack user).
 * - `notice`: `sent:<STATE>` once the requester was told, or `skip:<why>`.
 * While an effect runs, the key holds its claim (see plugins/common/request-plugin-data.ts).
 * Every message carries the marker `<request id>/<key>/<op>` in its metadata, so an effect left
 * in doubt by a process that died mid-post can be looked up in Slack instead of repeated.
 */

const STATES = ['PENDING', 'APPROVED', 'DENIED', 'EXPIRED', 'REVOKED'] as const;
/** The states the requester is told about. */
export const NOTIFY_STATES = ['APPROVED', 'DENIED', 'EXPIRED'] as const;
export type NotifyState = (typeof NOTIFY_STATES)[number];

export function isNotifyState(state: string): state is NotifyState {
  return (NOTIFY_STATES as readonly string[]).includes(state);
}

// Not strict: a field added by a later version must not make this version's data unreadable.
const postedSchema = z.object({
  channel: z.string().min(1),
  ts: z.string().regex(/^\d+\.\d+$/, 'expected a Slack ts'),
  /** Reviews already replied in the message's thread. */
  reviews: z.number().int().nonnegative(),
  /** The state the message shows. */
  shows: z.enum(STATES),
});

/** What the plugin knows about the request message it posted to one recipient. */
export type PostedState = z.infer<typeof postedSchema>;

const postedCodec = skippable(jsonCodec(postedSchema));
const noticeCodec = skippable(taggedCodec(['sent'] as const, z.enum(NOTIFY_STATES)));

const RECIPIENT_PREFIX = 'r:';

/** The key of one recipient's request message. */
export function recipientKey(recipient: string): PluginDataKey<PostedState | Skipped> {
  return dataKey(`${RECIPIENT_PREFIX}${recipient}`, postedCodec);
}

/** The recipient key stored under `name`, if it is one (for keys found in the stored entry). */
export function recipientKeyNamed(name: string): PluginDataKey<PostedState | Skipped> | undefined {
  return name.startsWith(RECIPIENT_PREFIX) ? dataKey(name, postedCodec) : undefined;
}

/** The requester notice. */
export const NOTICE_KEY = dataKey('notice', noticeCodec);

/** The marker of an effect, kept in its message's metadata. */
export function effectMarker(requestId: string, key: PluginDataKey<unknown>, op: string): string {
  return `${requestId}/${key.name}/${op}`;
}
