/**
 * Block Kit validation as Slack's Web API applies it to `chat.postMessage` / `chat.update`.
 *
 * Returns Slack's `response_metadata.messages` strings
 * (`[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]`); an empty list
 * means valid. Deep checks cover the blocks our plugins send (section, header, context, divider,
 * actions); image, rich_text and markdown are accepted with light checks; any other type fails.
 * Limits: 50 blocks; section text 3000, section field 2000 (max 10 fields); header text 150 and
 * plain_text only; context 1–10 elements; actions 1–25 elements; markdown 12000; block_id ≤ 255, unique.
 */
import { isRecord } from './http-fake-server.ts';

export const MAX_BLOCKS = 50;
export const MAX_SECTION_TEXT = 3000;
export const MAX_SECTION_FIELD_TEXT = 2000;
export const MAX_HEADER_TEXT = 150;

const DEEPLY_CHECKED = new Set(['section', 'header', 'context', 'divider', 'actions']);
const LIGHTLY_CHECKED = new Set(['image', 'rich_text', 'markdown']);
const TEXT_TYPES = new Set(['plain_text', 'mrkdwn']);

/** Outcome of reading the `blocks` argument, which arrives as a JSON string when form-encoded. */
export type BlocksArgument =
  | { readonly kind: 'absent' }
  | { readonly kind: 'malformed' }
  | { readonly kind: 'blocks'; readonly blocks: readonly unknown[] };

/** Parses `blocks` from a form string or a JSON value; `[]` counts as absent, like Slack. */
export function readBlocksArgument(value: unknown): BlocksArgument {
  if (value === undefined || value === null || value === '') return { kind: 'absent' };
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value) as unknown;
    } catch {
      return { kind: 'malformed' };
    }
  }
  if (!Array.isArray(parsed)) return { kind: 'malformed' };
  return parsed.length === 0 ? { kind: 'absent' } : { kind: 'blocks', blocks: parsed };
}

/** Validates a block list; returns Slack-style `[ERROR]` messages. */
export function validateBlocks(blocks: readonly unknown[]): string[] {
  const errors: string[] = [];
  if (blocks.length > MAX_BLOCKS) errors.push(`[ERROR] no more than ${MAX_BLOCKS} items allowed [json-pointer:/blocks]`);
  const blockIds = new Set<string>();
  blocks.forEach((block, index) => {
    const at = `/blocks/${index}`;
    if (!isRecord(block)) {
      errors.push(`[ERROR] must be an object [json-pointer:${at}]`);
      return;
    }
    const blockId = block['block_id'];
    if (blockId !== undefined) {
      if (typeof blockId !== 'string' || blockId.length > 255) {
        errors.push(`[ERROR] must be a string of at most 255 characters [json-pointer:${at}/block_id]`);
      } else if (blockIds.has(blockId)) {
        errors.push(`[ERROR] duplicate block_id: ${blockId} [json-pointer:${at}/block_id]`);
      } else {
        blockIds.add(blockId);
      }
    }
    const type = block['type'];
    if (typeof type !== 'string') {
      errors.push(`[ERROR] missing required field: type [json-pointer:${at}]`);
    } else if (DEEPLY_CHECKED.has(type)) {
      errors.push(...validateKnownBlock(type, block, at));
    } else if (LIGHTLY_CHECKED.has(type)) {
      errors.push(...validateLightBlock(type, block, at));
    } else {
      errors.push(`[ERROR] unsupported type: ${type} [json-pointer:${at}/type]`);
    }
  });
  return errors;
}

function validateKnownBlock(type: string, block: Record<string, unknown>, at: string): string[] {
  switch (type) {
    case 'section': {
      const errors: string[] = [];
      const { text, fields } = block;
      if (text === undefined && fields === undefined) return [`[ERROR] must provide either text or fields [json-pointer:${at}]`];
      if (text !== undefined) errors.push(...validateTextObject(text, `${at}/text`, MAX_SECTION_TEXT, TEXT_TYPES));
      if (fields !== undefined) {
        if (!Array.isArray(fields) || fields.length === 0 || fields.length > 10) {
          errors.push(`[ERROR] must be an array of 1 to 10 items [json-pointer:${at}/fields]`);
        } else {
          fields.forEach((field, i) => errors.push(...validateTextObject(field, `${at}/fields/${i}`, MAX_SECTION_FIELD_TEXT, TEXT_TYPES)));
        }
      }
      if (block['accessory'] !== undefined && !hasStringType(block['accessory'])) {
        errors.push(`[ERROR] missing required field: type [json-pointer:${at}/accessory]`);
      }
      return errors;
    }
    case 'header':
      if (block['text'] === undefined) return [`[ERROR] missing required field: text [json-pointer:${at}]`];
      return validateTextObject(block['text'], `${at}/text`, MAX_HEADER_TEXT, new Set(['plain_text']));
    case 'context':
      return validateElements(block['elements'], `${at}/elements`, 10, (element, path) =>
        isRecord(element) && element['type'] === 'image'
          ? []
          : validateTextObject(element, path, MAX_SECTION_TEXT, TEXT_TYPES),
      );
    case 'actions':
      return validateElements(block['elements'], `${at}/elements`, 25, (element, path) =>
        hasStringType(element) ? [] : [`[ERROR] missing required field: type [json-pointer:${path}]`],
      );
    default:
      return [];
  }
}

function validateLightBlock(type: string, block: Record<string, unknown>, at: string): string[] {
  if (type === 'markdown') {
    const text = block['text'];
    if (typeof text !== 'string' || text.length === 0) return [`[ERROR] missing required field: text [json-pointer:${at}]`];
    if (text.length > 12000) return [`[ERROR] must be less than 12001 characters [json-pointer:${at}/text]`];
    return [];
  }
  if (type === 'image') {
    const hasSource = typeof block['image_url'] === 'string' || isRecord(block['slack_file']);
    const errors = hasSource ? [] : [`[ERROR] must provide either image_url or slack_file [json-pointer:${at}]`];
    if (typeof block['alt_text'] !== 'string') errors.push(`[ERROR] missing required field: alt_text [json-pointer:${at}]`);
    return errors;
  }
  return Array.isArray(block['elements']) ? [] : [`[ERROR] missing required field: elements [json-pointer:${at}]`];
}

function validateElements(
  elements: unknown,
  at: string,
  max: number,
  check: (element: unknown, path: string) => string[],
): string[] {
  if (!Array.isArray(elements)) return [`[ERROR] missing required field: elements [json-pointer:${at.slice(0, at.lastIndexOf('/'))}]`];
  if (elements.length === 0 || elements.length > max) return [`[ERROR] must be an array of 1 to ${max} items [json-pointer:${at}]`];
  return elements.flatMap((element, i) => check(element, `${at}/${i}`));
}

function validateTextObject(value: unknown, at: string, max: number, allowedTypes: ReadonlySet<string>): string[] {
  if (!isRecord(value)) return [`[ERROR] must be a text object [json-pointer:${at}]`];
  const { type, text } = value;
  const errors: string[] = [];
  if (typeof type !== 'string' || !allowedTypes.has(type)) {
    errors.push(`[ERROR] must be one of: ${[...allowedTypes].join(', ')} [json-pointer:${at}/type]`);
  }
  if (typeof text !== 'string') {
    errors.push(`[ERROR] missing required field: text [json-pointer:${at}]`);
  } else if (text.length === 0) {
    errors.push(`[ERROR] must be more than 0 characters [json-pointer:${at}/text]`);
  } else if (text.length > max) {
    errors.push(`[ERROR] must be less than ${max + 1} characters [json-pointer:${at}/text]`);
  }
  return errors;
}

function hasStringType(value: unknown): boolean {
  return isRecord(value) && typeof value['type'] === 'string';
}
