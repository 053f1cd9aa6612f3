import { createHash } from 'node:crypto';
import { z } from 'zod';
import { dataKey, jsonCodec, skippable, type PluginDataKey, type Skipped } from '../common/plugin-data-key.ts';

/**
 * What the plugin keeps per recipient of a request (plugin-data key `to:<address>`): the
 * Message-ID of the thread's first message, which every later message refers to, how many
 * reviews were replied and the last state told. Or `skip:<why>` when the first message was
 * refused for good (a 5xx): nothing more goes to that address for this request.
 */
export interface ThreadState {
  readonly root: string;
  readonly reviews: number;
  readonly state: string;
}

/** What the plugin keeps about the requester (key `requester`): the first notice's Message-ID and the last state told. */
export interface NoticeState {
  readonly root: string;
  readonly state: string;
}

const MESSAGE_ID = z.string().regex(/^<[^<>\s@]+@[^<>\s@]+>$/, 'expected a <local@domain> Message-ID');
const STATE = z.string().regex(/^[A-Z]+$/, 'expected a request state');

const threadCodec = skippable(jsonCodec<ThreadState>(z.object({ root: MESSAGE_ID, reviews: z.number().int().nonnegative(), state: STATE }).strict()));

/** Plugin-data keys hold at most 256 characters; longer addresses are named by their hash. */
const MAX_KEY = 256;

/** The key of one recipient's thread. */
export function threadKey(address: string): PluginDataKey<ThreadState | Skipped> {
  const name = `to:${address.toLowerCase()}`;
  return dataKey(name.length <= MAX_KEY ? name : `to:#${digest(address, 32)}`, threadCodec);
}

/** Whether a plugin-data key is a recipient's thread. */
export function isThreadKey(name: string): boolean {
  return name.startsWith('to:');
}

/** The key of the requester's notices. */
export const REQUESTER_KEY: PluginDataKey<NoticeState | Skipped> = dataKey('requester', skippable(jsonCodec<NoticeState>(z.object({ root: MESSAGE_ID, state: STATE }).strict())));

function digest(text: string, length: number): string {
  return createHash('sha256').update(text.toLowerCase()).digest('hex').slice(0, length);
}

/**
 * The Message-ID of one step of one request to one address, made from those alone:
 * `<gatehouse.<request id>.<step>.<address hash>@<sender domain>>`. A step redone after a
 * crash (the server may or may not have taken it) therefore goes out under the same
 * Message-ID, which mailboxes de-duplicate on. The request id is a UUID, so ids never collide
 * across clusters; the address is hashed so it does not show in headers of other recipients.
 * @param step lower-case letters, digits and `-` (e.g. `new`, `review-0`, `approved`)
 */
export function messageIdFor(requestId: string, step: string, address: string, senderAddress: string): string {
  const domain = senderAddress.slice(senderAddress.lastIndexOf('@') + 1).toLowerCase();
  if (!/^[a-z0-9-]+$/.test(step)) throw new Error(`message step ${JSON.stringify(step)} is not lower-case letters, digits and -`);
  if (!/^[0-9a-f-]+$/.test(requestId)) throw new Error(`request id ${JSON.stringify(requestId)} is not a UUID`);
  return `<gatehouse.${requestId}.${step}.${digest(address, 12)}@${domain}>`;
}
